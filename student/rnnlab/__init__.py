"""rnnlab: recurrent neural networks from scratch in numpy, beside Keras.

Modules you complete (each function's docstring gives its maths and shapes):
    layers  shared layers: sigmoid, softmax, affine, embedding, softmax losses
    rnn     Session 1: the vanilla RNN cell, unfolding through time, BPTT
    lstm, gru, bidirectional
            Session 2: gated cells, two directions, parameter counts
    keras_models
            Keras builders for the same models (imports Keras, unlike the rest)

Modules given to you:
    data    small generated data sets used in the notebooks
    optim   a plain Adam optimiser for the numpy training loops

Importing rnnlab never imports TensorFlow.
"""
