from tensorflow.keras import Sequential
from tensorflow.keras.layers import AlphaDropout, Dense, SpatialDropout1D

from nets.recurrent import stack

model = Sequential()
model.add(stack(64))
model.add(SpatialDropout1D(0.2))
model.add(stack(32))
model.add(AlphaDropout(0.1))  # RDL001
model.add(stack(16, last=True))
model.add(AlphaDropout(0.1))
model.add(Dense(1))
