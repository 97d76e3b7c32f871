try:
    from tensorflow.keras.layers import GRU, Embedding
    from tensorflow.keras.layers import Dropout as Drop
except ImportError:
    from keras.layers import GRU, Embedding
    from keras.layers import Dropout as Drop
import keras
from keras.layers import *  # noqa: F403


def build():
    return keras.Sequential(
        [
            keras.Input((7,), dtype="int32"),
            Embedding(50, 6),
            Drop(0.1, noise_shape=None),
            GRU(6, return_sequences=True),
            Dropout(0.2, [None, None, 6]),
            GRU(6, return_sequences=True),
            AlphaDropout(0.1),
            GRU(6, return_sequences=True),
            Dropout(0.3, name="last"),
            GRU(3),
        ]
    )
