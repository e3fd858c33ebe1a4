"""Keras builders: the models of the day in Keras 3, beside their numpy versions.

Importing this module imports Keras (and TensorFlow, about 5 s); the numpy modules never do.
Builders return uncompiled models, so that the notebook chooses optimiser and loss.

Session 2:
    recurrent_layer(cell, units, ...)          one SimpleRNN / LSTM / GRU layer, optionally Bidirectional
    build_sequence_classifier(cell, ...)       many-to-one: sequence -> recurrent layer -> softmax
"""
import keras

LAYERS = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def recurrent_layer(cell, units, bidirectional=False, merge_mode="concat", return_sequences=False):
    """One recurrent layer in the Keras layout that rnnlab's numpy functions use.

    Args:
        cell: "rnn" (keras.layers.SimpleRNN), "lstm" (LSTM) or "gru" (GRU, Keras' default
            reset_after=True).
        units: H, the hidden size.
        bidirectional: wrap it in keras.layers.Bidirectional.
        merge_mode: how Bidirectional merges the two directions: "concat", "sum", "mul", "ave".
        return_sequences: output every step (N, T, H') instead of the last one (N, H').

    Returns:
        a Keras layer; H' is 2H for a bidirectional "concat", else H.
    """
    # TODO: implement recurrent_layer (see the docstring).
    raise NotImplementedError("recurrent_layer")


def build_sequence_classifier(cell, seq_len, input_dim, units, num_classes, bidirectional=False,
                              merge_mode="concat"):
    """A many-to-one classifier: the last state of a recurrent layer, then a softmax layer.

    Input (N, T, D) -> recurrent_layer(cell, units, ...) -> Dense(num_classes, softmax) -> (N, C)

    Args:
        cell, units, bidirectional, merge_mode: as in recurrent_layer.
        seq_len: T (None accepts any length).
        input_dim: D.
        num_classes: C.

    Returns:
        an uncompiled keras.Sequential whose layers are [recurrent layer, Dense].
    """
    # TODO: implement build_sequence_classifier (see the docstring).
    raise NotImplementedError("build_sequence_classifier")
