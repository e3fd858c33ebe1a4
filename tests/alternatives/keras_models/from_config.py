"""keras_models deserialising each layer from a config dict (explicit tanh activation, GRU reset_after=True),
with every model's layers made before the Sequential or the functional graph: Embedding, Conv1D,
GlobalMaxPooling1D and Dense come from keras.layers.deserialize / Layer.from_config too."""
import keras
import numpy as np

from .data import START

LAYERS = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
CLASS_NAMES = {cell: layer.__name__ for cell, layer in LAYERS.items()}


def _cell_layer(cell, units, return_sequences, return_state=False):
    config = {"units": units, "activation": "tanh", "return_sequences": return_sequences}
    if return_state:
        config["return_state"] = True
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


def _layer(class_name, **config):
    return keras.layers.deserialize({"class_name": class_name, "config": config, "module": "keras.layers"})


def _ids(name=None):
    return keras.Input(shape=(None,), dtype="int32", name=name)


def build_text_classifier(cell, vocab_size, embed_dim, units, num_classes, bidirectional=False):
    inputs = _ids()
    embed = _layer("Embedding", input_dim=vocab_size, output_dim=embed_dim, mask_zero=True)
    recurrent = recurrent_layer(cell, units, bidirectional)
    head = keras.layers.Dense.from_config({"units": num_classes, "activation": "softmax"})
    return keras.Sequential([inputs, embed, recurrent, head])


def build_tagger(cell, vocab_size, embed_dim, units, num_tags, bidirectional=False):
    inputs = _ids()
    embed = _layer("Embedding", input_dim=vocab_size, output_dim=embed_dim, mask_zero=True)
    recurrent = recurrent_layer(cell, units, bidirectional, return_sequences=True)
    head = keras.layers.Dense.from_config({"units": num_tags, "activation": "softmax"})
    return keras.Sequential([inputs, embed, recurrent, head])


def build_translator(cell, src_vocab, tgt_vocab, embed_dim, units):
    src, tgt_in = _ids("src"), _ids("tgt_in")
    src_embed = _layer("Embedding", input_dim=src_vocab, output_dim=embed_dim, mask_zero=True)
    tgt_embed = _layer("Embedding", input_dim=tgt_vocab, output_dim=embed_dim, mask_zero=True)
    encoder = _cell_layer(cell, units, return_sequences=False, return_state=True)
    decoder = _cell_layer(cell, units, return_sequences=True)
    head = keras.layers.Dense.from_config({"units": tgt_vocab, "activation": "softmax"})
    _, *states = encoder(src_embed(src))
    return keras.Model([src, tgt_in], head(decoder(tgt_embed(tgt_in), initial_state=states)))


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
    inputs = _ids()
    embed = _layer("Embedding", input_dim=vocab_size, output_dim=embed_dim)
    conv = keras.layers.Conv1D.from_config({"filters": filters, "kernel_size": (kernel_size,),
                                            "strides": (strides,), "padding": padding, "activation": "relu"})
    pool = _layer("GlobalMaxPooling1D")
    head = keras.layers.Dense.from_config({"units": num_classes, "activation": "softmax"})
    return keras.Sequential([inputs, embed, conv, pool, head])


def build_char_model(cell, vocab_size, embed_dim, units):
    inputs = _ids()
    embed = _layer("Embedding", input_dim=vocab_size, output_dim=embed_dim)
    recurrent = _cell_layer(cell, units, return_sequences=True)
    logits = keras.layers.Dense.from_config({"units": vocab_size, "activation": "linear"})
    return keras.Sequential([inputs, embed, recurrent, logits])


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
    inputs = keras.Input(shape=(window, features))
    recurrent = _cell_layer(cell, units, return_sequences=False)
    output = _layer("Dense", units=horizon)
    return keras.Sequential([inputs, recurrent, output])
