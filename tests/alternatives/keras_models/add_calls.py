"""keras_models looking classes up by name with getattr, Bidirectional(layer=...) by keyword, and every
Sequential model grown with Sequential.add() and keyword arguments; the translator's encoder states
are the tail of its output list, handed to the decoder as initial_state=."""
import keras
import numpy as np

from .data import START

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


def _id_sequence_model():
    model = keras.Sequential()
    model.add(keras.layers.Input(shape=(None,), dtype="int32"))
    return model


def build_text_classifier(cell, vocab_size, embed_dim, units, num_classes, bidirectional=False):
    model = _id_sequence_model()
    model.add(keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim, mask_zero=True))
    model.add(recurrent_layer(cell, units, bidirectional=bidirectional, return_sequences=False))
    model.add(keras.layers.Dense(units=num_classes, activation=keras.activations.softmax))
    return model


def build_tagger(cell, vocab_size, embed_dim, units, num_tags, bidirectional=False):
    model = _id_sequence_model()
    model.add(keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim, mask_zero=True))
    model.add(recurrent_layer(cell, units, bidirectional=bidirectional, return_sequences=True))
    model.add(keras.layers.Dense(units=num_tags, activation=keras.activations.softmax))
    return model


def build_translator(cell, src_vocab, tgt_vocab, embed_dim, units):
    layer_class = getattr(keras.layers, CLASS_NAMES[cell])
    src = keras.layers.Input(shape=(None,), dtype="int32", name="src")
    tgt_in = keras.layers.Input(shape=(None,), dtype="int32", name="tgt_in")
    encoded = layer_class(units=units, return_state=True)(
        keras.layers.Embedding(input_dim=src_vocab, output_dim=embed_dim, mask_zero=True)(src))
    states = list(encoded[1:])  # [h] or [h, c]
    decoded = layer_class(units=units, return_sequences=True)(
        keras.layers.Embedding(input_dim=tgt_vocab, output_dim=embed_dim, mask_zero=True)(tgt_in),
        initial_state=states)
    probs = keras.layers.Dense(units=tgt_vocab, activation=keras.activations.softmax)(decoded)
    return keras.Model(inputs=[src, tgt_in], outputs=probs)


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
    model = _id_sequence_model()
    model.add(keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim))
    model.add(keras.layers.Conv1D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                                  activation=keras.activations.relu))
    model.add(keras.layers.GlobalMaxPooling1D())
    model.add(keras.layers.Dense(units=num_classes, activation=keras.activations.softmax))
    return model


def build_char_model(cell, vocab_size, embed_dim, units):
    model = _id_sequence_model()
    model.add(keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim))
    model.add(recurrent_layer(cell, units, return_sequences=True))
    model.add(keras.layers.Dense(units=vocab_size, activation=keras.activations.linear))
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
    model = keras.Sequential()
    model.add(keras.layers.Input(shape=(window, features)))
    model.add(recurrent_layer(cell, units, return_sequences=False))
    model.add(keras.layers.Dense(units=horizon))
    return model
