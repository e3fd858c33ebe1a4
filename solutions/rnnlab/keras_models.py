"""Keras builders: the models of the day in Keras 3, beside their numpy versions.

Importing this module imports Keras (and TensorFlow, about 5 s); the numpy modules never do.
Builders return uncompiled models, so that the notebook chooses optimiser and loss. They use Keras's
own layers only (no Lambda, no layer class of your own): the graders rebuild each model from its
configuration.

Session 2:
    recurrent_layer(cell, units, ...)          one SimpleRNN / LSTM / GRU layer, optionally Bidirectional
    build_sequence_classifier(cell, ...)       many-to-one: sequence -> recurrent layer -> softmax

Session 3 (token ids in, PAD = 0 masked by the Embedding where a recurrent layer follows):
    build_text_classifier(cell, ...)           many-to-one: ids -> embedding -> recurrent -> softmax
    build_tagger(cell, ...)                    many-to-many: a softmax over tags at every step
    build_translator(cell, ...)                encoder-decoder trained with teacher forcing
    translate(model, src, max_len)             its greedy inference loop (given)
    build_cnn_classifier(...)                  ids -> embedding -> Conv1D -> max over time -> softmax

Session 4:
    build_char_model(cell, ...)                a character language model: logits at every step
    sample_text(model, prompt, length, ...)    its generation loop (given), sampling as rnnlab does
    build_forecaster(cell, ...)                windows (N, W, F) -> the next `horizon` values
"""
import keras
import numpy as np

from .data import START

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
    # BEGIN SOLUTION
    layer = LAYERS[cell](units, return_sequences=return_sequences)
    if bidirectional:
        layer = keras.layers.Bidirectional(layer, merge_mode=merge_mode)
    return layer
    # END SOLUTION


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
    # BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(seq_len, input_dim)),
        recurrent_layer(cell, units, bidirectional, merge_mode),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    # END SOLUTION


def build_text_classifier(cell, vocab_size, embed_dim, units, num_classes, bidirectional=False):
    """A many-to-one text classifier on padded token ids.

    ids (N, T) -> Embedding(vocab_size, embed_dim, mask_zero=True) -> recurrent_layer(cell, units,
    bidirectional) -> Dense(num_classes, softmax) -> (N, C). The mask makes the recurrent layer
    skip the padding, so its output is the state after the last real token.

    Returns:
        an uncompiled keras.Sequential starting with keras.Input(shape=(None,), dtype="int32").
    """
    # BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True),
        recurrent_layer(cell, units, bidirectional),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    # END SOLUTION


def build_tagger(cell, vocab_size, embed_dim, units, num_tags, bidirectional=False):
    """A synced many-to-many tagger: one softmax over tags at every step.

    ids (N, T) -> Embedding(mask_zero=True) -> recurrent_layer(..., return_sequences=True)
    -> Dense(num_tags, softmax) applied at every step -> (N, T, K).

    Returns:
        an uncompiled keras.Sequential starting with keras.Input(shape=(None,), dtype="int32").
    """
    # BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True),
        recurrent_layer(cell, units, bidirectional, return_sequences=True),
        keras.layers.Dense(num_tags, activation="softmax"),
    ])
    # END SOLUTION


def build_translator(cell, src_vocab, tgt_vocab, embed_dim, units):
    """An encoder-decoder for teacher-forced training: inputs [src (N, S), tgt_in (N, T)].

    encoder: Embedding(src_vocab, embed_dim, mask_zero=True) -> recurrent layer with
        return_state=True; its final state(s) (h, or [h, c] for an LSTM) start the decoder.
    decoder: Embedding(tgt_vocab, embed_dim, mask_zero=True) -> recurrent layer with
        return_sequences=True from those states -> Dense(tgt_vocab, softmax) -> (N, T, V_tgt).

    Returns:
        an uncompiled keras.Model with inputs [src, tgt_in] (int32, any lengths).
    """
    # BEGIN SOLUTION
    src = keras.Input(shape=(None,), dtype="int32", name="src")
    tgt_in = keras.Input(shape=(None,), dtype="int32", name="tgt_in")
    x_src = keras.layers.Embedding(src_vocab, embed_dim, mask_zero=True)(src)
    _, *states = LAYERS[cell](units, return_state=True)(x_src)
    x_tgt = keras.layers.Embedding(tgt_vocab, embed_dim, mask_zero=True)(tgt_in)
    h_dec = LAYERS[cell](units, return_sequences=True)(x_tgt, initial_state=states)
    probs = keras.layers.Dense(tgt_vocab, activation="softmax")(h_dec)
    return keras.Model([src, tgt_in], probs)
    # END SOLUTION


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
    """A CNN text classifier, the convolutional counterpart of build_text_classifier.

    ids (N, T) -> Embedding(vocab_size, embed_dim) -> Conv1D(filters, kernel_size, strides,
    padding, relu) -> GlobalMaxPooling1D -> Dense(num_classes, softmax) -> (N, C).
    (No mask: Conv1D does not take one; the padding ids get an embedding like any word.)

    Returns:
        an uncompiled keras.Sequential starting with keras.Input(shape=(None,), dtype="int32").
    """
    # BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embed_dim),
        keras.layers.Conv1D(filters, kernel_size, strides=strides, padding=padding, activation="relu"),
        keras.layers.GlobalMaxPooling1D(),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    # END SOLUTION


def build_char_model(cell, vocab_size, embed_dim, units):
    """A character language model: ids (N, T) -> Embedding -> recurrent layer with
    return_sequences=True -> Dense(vocab_size) -> (N, T, V) LOGITS (no softmax: the sampler
    divides them by the temperature). Train it with
    keras.losses.SparseCategoricalCrossentropy(from_logits=True).

    Returns:
        an uncompiled keras.Sequential starting with keras.Input(shape=(None,), dtype="int32").
    """
    # BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embed_dim),
        recurrent_layer(cell, units, return_sequences=True),
        keras.layers.Dense(vocab_size),
    ])
    # END SOLUTION


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
    """An RNN forecaster: windows (N, W, F) -> recurrent layer (last state) -> Dense(horizon),
    linear -> (N, horizon).

    Returns:
        an uncompiled keras.Sequential starting with keras.Input(shape=(window, features)).
    """
    # BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(window, features)),
        recurrent_layer(cell, units),
        keras.layers.Dense(horizon),
    ])
    # END SOLUTION
