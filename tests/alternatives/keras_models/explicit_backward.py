"""keras_models giving Bidirectional an explicit backward_layer (go_backwards=True) and a classifier built by Sequential.build(input_shape) with no Input layer."""
import keras

LAYERS = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def recurrent_layer(cell, units, bidirectional=False, merge_mode="concat", return_sequences=False):
    make = LAYERS[cell]
    forward = make(units, return_sequences=return_sequences)
    if not bidirectional:
        return forward
    backward = make(units, return_sequences=return_sequences, go_backwards=True)
    return keras.layers.Bidirectional(forward, merge_mode=merge_mode, backward_layer=backward)


def build_sequence_classifier(cell, seq_len, input_dim, units, num_classes, bidirectional=False,
                              merge_mode="concat"):
    model = keras.Sequential([recurrent_layer(cell, units, bidirectional, merge_mode)])
    model.add(keras.layers.Dense(num_classes, activation="softmax"))
    model.build((None, seq_len, input_dim))
    return model
