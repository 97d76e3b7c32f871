try:
    import tensorflow as tf
    from tensorflow import keras
except ImportError:
    tf = None
    keras = None
