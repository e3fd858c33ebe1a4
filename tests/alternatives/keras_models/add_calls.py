"""keras_models looking classes up by name with getattr, Bidirectional(layer=...) by keyword, and the classifier grown with Sequential.add()."""
import keras

CLASS_NAMES = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
LAYERS = {cell: getattr(keras.layers, name) for cell, name in CLASS_NAMES.items()}


def recurrent_layer(cell, units, bidirectional=False, merge_mode="concat", return_sequences=False):
    layer_class = getattr(keras.layers, CLASS_NAMES[cell])
    settings = {"units": units, "return_sequences": return_sequences}
    if not bidirectional:
        return layer_class(**settings)
    return keras.layers.Bidirectional(layer=layer_class(**settings), merge_mode=merge_mode)


def build_sequence_classifier(cell, seq_len, input_dim, units, num_classes, bidirectional=False,
                              merge_mode="concat"):
    model = keras.Sequential()
    model.add(keras.layers.Input(shape=(seq_len, input_dim)))
    model.add(recurrent_layer(cell, units, bidirectional=bidirectional, merge_mode=merge_mode,
                              return_sequences=False))
    model.add(keras.layers.Dense(units=num_classes, activation=keras.activations.softmax))
    return model
