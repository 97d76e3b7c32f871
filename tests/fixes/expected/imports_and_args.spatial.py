try:
    from tensorflow.keras.layers import GRU, Embedding, SpatialDropout1D
except ImportError:
    from keras.layers import GRU, Embedding, SpatialDropout1D
from keras.layers import *  # noqa: F403
import keras


def build():
    return keras.Sequential(
        [
            keras.Input((7,), dtype="int32"),
            Embedding(50, 6),
            SpatialDropout1D(0.1),
            GRU(6, return_sequences=True),
            Dropout(0.2, [None, 1, 6]),
            GRU(6, return_sequences=True),
            AlphaDropout(0.1),
            GRU(6, return_sequences=True),
            SpatialDropout1D(0.3, name="last"),
            GRU(3),
        ]
    )
