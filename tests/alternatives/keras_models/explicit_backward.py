"""keras_models giving Bidirectional an explicit backward_layer (go_backwards=True); the sequence
classifier and the forecaster are built by Sequential.build(input_shape) with no Input layer, the
token-id models start from an explicit keras.layers.InputLayer instance in the layer list; the
translator names its layers and unpacks the encoder's outputs by arity; aliases GlobalMaxPool1D
and Convolution1D for the CNN."""
import keras
import numpy as np

from .data import START

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


def _ids():
    return keras.layers.InputLayer(shape=(None,), dtype="int32")


def build_text_classifier(cell, vocab_size, embed_dim, units, num_classes, bidirectional=False):
    embed = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True)
    return keras.Sequential([_ids(), embed, recurrent_layer(cell, units, bidirectional),
                             keras.layers.Dense(num_classes, activation="softmax")])


def build_tagger(cell, vocab_size, embed_dim, units, num_tags, bidirectional=False):
    embed = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True)
    recurrent = recurrent_layer(cell, units, bidirectional, return_sequences=True)
    return keras.Sequential([_ids(), embed, recurrent, keras.layers.Dense(num_tags, activation="softmax")])


def build_translator(cell, src_vocab, tgt_vocab, embed_dim, units):
    make = LAYERS[cell]
    src = keras.Input(shape=(None,), dtype="int32", name="src")
    tgt_in = keras.Input(shape=(None,), dtype="int32", name="tgt_in")
    encoder = make(units, return_state=True, name="encoder")
    decoder = make(units, return_sequences=True, name="decoder")
    outputs = encoder(keras.layers.Embedding(src_vocab, embed_dim, mask_zero=True, name="src_embedding")(src))
    if cell == "lstm":
        _, h, c = outputs
        states = [h, c]
    else:
        _, h = outputs
        states = [h]
    x_tgt = keras.layers.Embedding(tgt_vocab, embed_dim, mask_zero=True, name="tgt_embedding")(tgt_in)
    probs = keras.layers.Dense(tgt_vocab, activation="softmax", name="probs")(decoder(x_tgt, initial_state=states))
    return keras.Model([src, tgt_in], probs)


def translate(model, src, max_len):
    """Greedy decoding with a model from build_translator: feed back the best word each step.

    The decoder input starts as [START, PAD, ...]; after step t the chosen word is written at
    t + 1. Masked (PAD) steps come after t, so they never change the output at step t.

    Args:
        model: trained, from build_translator.
        src: (N, S) source ids.
        max_len: T, words to produce.

    Returns:
        (N, T) int64 predicted ids.
    """
    tgt_in = np.zeros((len(src), max_len), dtype=np.int32)
    tgt_in[:, 0] = START
    words = np.zeros((len(src), max_len), dtype=np.int64)
    for t in range(max_len):
        probs = model([src, tgt_in], training=False)
        words[:, t] = np.argmax(np.asarray(probs)[:, t], axis=-1)
        if t + 1 < max_len:
            tgt_in[:, t + 1] = words[:, t]
    return words


def build_cnn_classifier(vocab_size, embed_dim, filters, kernel_size, num_classes, padding="valid", strides=1):
    return keras.Sequential([
        _ids(),
        keras.layers.Embedding(vocab_size, embed_dim),
        keras.layers.Convolution1D(filters, kernel_size, strides, padding, activation="relu"),
        keras.layers.GlobalMaxPool1D(),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])


def build_char_model(cell, vocab_size, embed_dim, units):
    model = keras.Sequential([_ids(), keras.layers.Embedding(vocab_size, embed_dim)])
    model.add(recurrent_layer(cell, units, return_sequences=True))
    model.add(keras.layers.Dense(vocab_size, activation="linear"))
    return model


def sample_text(model, prompt, length, temperature=1.0, top_k=None, seed=0):
    """Generate with a model from build_char_model, sampling exactly as architectures.generate:
    next_token_probs, then sample_from with one rng.random(N) per step.

    The model re-reads the whole text each step (simple; fine for short texts).

    Args:
        model: trained, from build_char_model.
        prompt: (N, P) ids.
        length: tokens to generate.

    Returns:
        (N, length) int64 ids.
    """
    from .architectures import next_token_probs, sample_from

    rng = np.random.default_rng(seed)
    text = np.asarray(prompt, dtype=np.int32)
    while text.shape[1] < prompt.shape[1] + length:
        logits = np.asarray(model(text, training=False))[:, -1].astype(np.float64)
        token = sample_from(next_token_probs(logits, temperature, top_k), rng.random(len(text)))
        text = np.concatenate([text, token[:, None].astype(np.int32)], axis=1)
    return text[:, prompt.shape[1]:].astype(np.int64)


def build_forecaster(cell, window, features, units, horizon):
    model = keras.Sequential([recurrent_layer(cell, units), keras.layers.Dense(horizon)])
    model.build((None, window, features))
    return model
