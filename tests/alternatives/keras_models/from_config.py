"""keras_models deserialising each layer from a config dict (explicit tanh activation, GRU reset_after=True), with the classifier's layers made before the Sequential."""
import keras

LAYERS = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
CLASS_NAMES = {cell: layer.__name__ for cell, layer in LAYERS.items()}


def _cell_layer(cell, units, return_sequences):
    config = {"units": units, "activation": "tanh", "return_sequences": return_sequences}
    if cell == "gru":
        config["reset_after"] = True
    return keras.layers.deserialize({"class_name": CLASS_NAMES[cell], "config": config,
                                     "module": "keras.layers"})


def recurrent_layer(cell, units, bidirectional=False, merge_mode="concat", return_sequences=False):
    inner = _cell_layer(cell, units, return_sequences)
    return keras.layers.Bidirectional(inner, merge_mode=merge_mode) if bidirectional else inner


def build_sequence_classifier(cell, seq_len, input_dim, units, num_classes, bidirectional=False,
                              merge_mode="concat"):
    inputs = keras.Input(shape=(seq_len, input_dim))
    recurrent = recurrent_layer(cell, units, bidirectional, merge_mode)
    head = keras.layers.Dense.from_config({"units": num_classes, "activation": "softmax"})
    return keras.Sequential([inputs, recurrent, head])
