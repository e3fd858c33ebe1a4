"""Sessions 3 and 4: architectures, built from the layers and cells of Sessions 1 and 2.

    many-to-one    ids -> embedding -> recurrent layer -> last real state -> affine -> class scores
    many-to-many   ids -> embedding -> recurrent layer -> affine at every step -> tag scores
    (synced)
    encoder-       source -> encoder; its last real state starts the decoder, which reads
    decoder        <s> y_1 .. y_{T-1} (teacher forcing) and scores y_1 .. y_T
    CNN            ids -> embedding -> Conv1D -> ReLU -> max over time -> affine -> class scores
    one-to-one     x -> tanh(affine) -> affine: a feed-forward net, an RNN with T = 1
    one-to-many    a character language model (trained synced: predict the next character),
                   then generation: sample a character, feed it back, carry the state

Parameters are flat dicts of arrays (so `optim.Adam` trains them), named as in Keras:
the recurrent layer's {"Wx", "Wh", "b"} in the layout of its cell ("rnn", "lstm" or "gru",
see `bidirectional.CELLS`), "W_embed" (V, D) an Embedding's `embeddings`, "W_out" (H, C)
and "b_out" (C,) a Dense layer's `kernel` and `bias`, "W_conv" (K, D, F) and "b_conv" (F,)
a Conv1D's `kernel` and `bias`. The encoder-decoder has two of each recurrent and embedding
parameter, suffixed "_enc" and "_dec". Gradients come back as dicts with the same keys,
named dparams.

Sequences are padded with PAD (id 0) at the end; `lengths` (N,) counts the real tokens.

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np

from .bidirectional import CELLS
from .data import PAD, START
from .gru import gru_step_forward
from .layers import (affine_backward, affine_forward, embedding_backward, embedding_forward, softmax,
                     softmax_cross_entropy, temporal_affine_backward, temporal_affine_forward,
                     temporal_softmax_cross_entropy)
from .lstm import lstm_step_forward
from .rnn import rnn_step_forward

RECURRENT = ("Wx", "Wh", "b")
PADDINGS = ("valid", "same", "causal")


# ---------------------------------------------------------------------------
# Given: parameter shapes, initialisation, one decoder step


def recurrent_shapes(cell, input_dim, units, suffix=""):
    """Shapes of one recurrent layer's {"Wx", "Wh", "b"} (names + suffix) in the Keras layout."""
    blocks = {"rnn": 1, "lstm": 4, "gru": 3}[cell] * units
    bias = (2, blocks) if cell == "gru" else (blocks,)
    return {f"Wx{suffix}": (input_dim, blocks), f"Wh{suffix}": (units, blocks), f"b{suffix}": bias}


def init_params(shapes, seed=0):
    """Random parameters for a dict name -> shape: biases ("b...") zero, the rest Glorot-uniform.

    Glorot: uniform in +-sqrt(6 / (fan_in + fan_out)), fan_in the product of all axes but the last.
    """
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in shapes.items():
        if name.startswith("b"):
            params[name] = np.zeros(shape)
        else:
            fan_in, fan_out = int(np.prod(shape[:-1])), shape[-1]
            limit = np.sqrt(6 / (fan_in + fan_out))
            params[name] = rng.uniform(-limit, limit, size=shape)
    return params


def classifier_shapes(cell, vocab_size, embed_dim, units, num_classes):
    """Parameter shapes of many_to_one_* and tagger_* (num_classes: classes or tags)."""
    return {"W_embed": (vocab_size, embed_dim), **recurrent_shapes(cell, embed_dim, units),
            "W_out": (units, num_classes), "b_out": (num_classes,)}


def seq2seq_shapes(cell, src_vocab, tgt_vocab, embed_dim, units):
    """Parameter shapes of seq2seq_*."""
    return {"W_embed_enc": (src_vocab, embed_dim), **recurrent_shapes(cell, embed_dim, units, "_enc"),
            "W_embed_dec": (tgt_vocab, embed_dim), **recurrent_shapes(cell, embed_dim, units, "_dec"),
            "W_out": (units, tgt_vocab), "b_out": (tgt_vocab,)}


def cnn_shapes(vocab_size, embed_dim, kernel_size, filters, num_classes):
    """Parameter shapes of cnn_classifier_*."""
    return {"W_embed": (vocab_size, embed_dim), "W_conv": (kernel_size, embed_dim, filters),
            "b_conv": (filters,), "W_out": (filters, num_classes), "b_out": (num_classes,)}


def recurrent(params, suffix=""):
    """(Wx, Wh, b) of the recurrent layer named with `suffix` in params."""
    return tuple(params[name + suffix] for name in RECURRENT)


def cell_step(cell, x_t, state, Wx, Wh, b):
    """One step of a cell from Session 1 or 2, its state an array (rnn, gru) or (h, c) (lstm).

    Returns:
        h_next: (N, H) the output of the step.
        state: the new state, in the same form.
    """
    if cell == "lstm":
        h_next, c_next, _ = lstm_step_forward(x_t, state[0], state[1], Wx, Wh, b)
        return h_next, (h_next, c_next)
    step = {"rnn": rnn_step_forward, "gru": gru_step_forward}[cell]
    h_next, _ = step(x_t, state, Wx, Wh, b)
    return h_next, h_next


# ---------------------------------------------------------------------------
# Many-to-one: one label for the whole sequence


def last_state(h, lengths):
    """The hidden state after the last real token of each sequence.

    out[n] = h[n, lengths[n] - 1]   (padding comes after the real tokens)

    Args:
        h: (N, T, H) hidden states h_1..h_T.
        lengths: (N,) integers in [1, T], the number of real tokens.

    Returns:
        out: (N, H).
    """
    # BEGIN SOLUTION
    return h[np.arange(h.shape[0]), lengths - 1]
    # END SOLUTION


def last_state_backward(dout, lengths, T):
    """Backward pass of last_state: the gradient goes to the step it was taken from.

    Args:
        dout: (N, H) upstream gradient of last_state's output.
        lengths: (N,) as given to last_state.
        T: the number of time steps of h.

    Returns:
        dh: (N, T, H), zero except at dh[n, lengths[n] - 1] = dout[n].
    """
    # BEGIN SOLUTION
    N, H = dout.shape
    dh = np.zeros((N, T, H), dtype=dout.dtype)
    dh[np.arange(N), lengths - 1] = dout
    return dh
    # END SOLUTION


def many_to_one_forward(ids, lengths, params, cell="rnn"):
    """A sequence classifier: embedding -> recurrent layer (h0 = 0) -> last real state -> affine.

    Args:
        ids: (N, T) token ids, padded with PAD after the real tokens.
        lengths: (N,) the number of real tokens of each sequence.
        params: {"W_embed", "Wx", "Wh", "b", "W_out", "b_out"} (see classifier_shapes).
        cell: "rnn", "lstm" or "gru".

    Returns:
        logits: (N, C) class scores.
        cache: whatever many_to_one_backward needs.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    x, embed_cache = embedding_forward(ids, params["W_embed"])
    h0 = np.zeros((ids.shape[0], params["Wh"].shape[0]), dtype=x.dtype)
    h, cell_cache = cell_forward(x, h0, *recurrent(params))
    logits, out_cache = affine_forward(last_state(h, lengths), params["W_out"], params["b_out"])
    cache = {"cell": cell, "lengths": lengths, "T": ids.shape[1], "embed": embed_cache,
             "recurrent": cell_cache, "out": out_cache}
    return logits, cache
    # END SOLUTION


def many_to_one_backward(dlogits, cache):
    """Backward pass of many_to_one_forward.

    Args:
        dlogits: (N, C) upstream gradient of the logits.
        cache: from many_to_one_forward.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    _, cell_backward = CELLS[cache["cell"]]
    dlast, dW_out, db_out = affine_backward(dlogits, cache["out"])
    dh = last_state_backward(dlast, cache["lengths"], cache["T"])
    dx, _, dWx, dWh, db = cell_backward(dh, cache["recurrent"])
    return {"W_embed": embedding_backward(dx, cache["embed"]), "Wx": dWx, "Wh": dWh, "b": db,
            "W_out": dW_out, "b_out": db_out}
    # END SOLUTION


def many_to_one_loss(ids, lengths, y, params, cell="rnn"):
    """Mean softmax cross-entropy of many_to_one_forward, and its gradient.

    Args:
        ids, lengths, params, cell: as for many_to_one_forward.
        y: (N,) class labels.

    Returns:
        loss: float.
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    logits, cache = many_to_one_forward(ids, lengths, params, cell)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, many_to_one_backward(dlogits, cache)
    # END SOLUTION


# ---------------------------------------------------------------------------
# Many-to-many, synced: one label per time step


def tagger_forward(ids, params, cell="rnn"):
    """A sequence tagger: embedding -> recurrent layer (h0 = 0) -> affine at every step.

    Args:
        ids: (N, T) token ids.
        params: {"W_embed", "Wx", "Wh", "b", "W_out", "b_out"} (see classifier_shapes).
        cell: "rnn", "lstm" or "gru".

    Returns:
        logits: (N, T, K) tag scores at every step.
        cache: whatever tagger_backward needs.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    x, embed_cache = embedding_forward(ids, params["W_embed"])
    h0 = np.zeros((ids.shape[0], params["Wh"].shape[0]), dtype=x.dtype)
    h, cell_cache = cell_forward(x, h0, *recurrent(params))
    logits, out_cache = temporal_affine_forward(h, params["W_out"], params["b_out"])
    return logits, {"cell": cell, "embed": embed_cache, "recurrent": cell_cache, "out": out_cache}
    # END SOLUTION


def tagger_backward(dlogits, cache):
    """Backward pass of tagger_forward.

    Args:
        dlogits: (N, T, K) upstream gradient of the logits.
        cache: from tagger_forward.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    _, cell_backward = CELLS[cache["cell"]]
    dh, dW_out, db_out = temporal_affine_backward(dlogits, cache["out"])
    dx, _, dWx, dWh, db = cell_backward(dh, cache["recurrent"])
    return {"W_embed": embedding_backward(dx, cache["embed"]), "Wx": dWx, "Wh": dWh, "b": db,
            "W_out": dW_out, "b_out": db_out}
    # END SOLUTION


def tagger_loss(ids, tags, mask, params, cell="rnn"):
    """Softmax cross-entropy of tagger_forward over the real (unmasked) steps, and its gradient.

    Args:
        ids, params, cell: as for tagger_forward.
        tags: (N, T) tag labels.
        mask: (N, T) booleans, True on real tokens: padding must not count.

    Returns:
        loss: float, summed over real steps and divided by N.
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    logits, cache = tagger_forward(ids, params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tags, mask)
    return loss, tagger_backward(dlogits, cache)
    # END SOLUTION


# ---------------------------------------------------------------------------
# Many-to-many, encoder-decoder: source and target of different lengths


def decoder_inputs(tgt):
    """The decoder's inputs under teacher forcing: the target shifted right behind START.

    in[:, 0] = START, in[:, t] = tgt[:, t - 1]: at step t the decoder reads the true previous
    word and must predict tgt[:, t]; it never reads the word it has to predict.

    Args:
        tgt: (N, T) target ids.

    Returns:
        (N, T) ids, same dtype as tgt.
    """
    # BEGIN SOLUTION
    return np.concatenate([np.full_like(tgt[:, :1], START), tgt[:, :-1]], axis=1)
    # END SOLUTION


def seq2seq_forward(src, src_lengths, tgt_in, params, cell="rnn"):
    """An encoder-decoder: the encoder's last real state is the decoder's initial state.

    encoder: h_enc = recurrent layer over embed_enc(src), from h0 = 0
    decoder: h_dec = recurrent layer over embed_dec(tgt_in), from last_state(h_enc, src_lengths)
    logits = h_dec @ W_out + b_out at every decoder step

    With an LSTM only h is passed on; the decoder's cell state starts at 0.

    Args:
        src: (N, S) source ids, padded after the real tokens.
        src_lengths: (N,) real source tokens.
        tgt_in: (N, T) decoder inputs (decoder_inputs(tgt) in training).
        params: see seq2seq_shapes.
        cell: "rnn", "lstm" or "gru" (both halves).

    Returns:
        logits: (N, T, V_tgt).
        cache: whatever seq2seq_backward needs.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    x_src, embed_enc_cache = embedding_forward(src, params["W_embed_enc"])
    h0 = np.zeros((src.shape[0], params["Wh_enc"].shape[0]), dtype=x_src.dtype)
    h_enc, enc_cache = cell_forward(x_src, h0, *recurrent(params, "_enc"))
    x_tgt, embed_dec_cache = embedding_forward(tgt_in, params["W_embed_dec"])
    h_dec, dec_cache = cell_forward(x_tgt, last_state(h_enc, src_lengths), *recurrent(params, "_dec"))
    logits, out_cache = temporal_affine_forward(h_dec, params["W_out"], params["b_out"])
    cache = {"cell": cell, "src_lengths": src_lengths, "S": src.shape[1], "embed_enc": embed_enc_cache,
             "enc": enc_cache, "embed_dec": embed_dec_cache, "dec": dec_cache, "out": out_cache}
    return logits, cache
    # END SOLUTION


def seq2seq_backward(dlogits, cache):
    """Backward pass of seq2seq_forward: through the decoder, then into the encoder through
    the decoder's initial state.

    Args:
        dlogits: (N, T, V_tgt) upstream gradient of the logits.
        cache: from seq2seq_forward.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    _, cell_backward = CELLS[cache["cell"]]
    dh_dec, dW_out, db_out = temporal_affine_backward(dlogits, cache["out"])
    dx_tgt, dh0_dec, dWx_dec, dWh_dec, db_dec = cell_backward(dh_dec, cache["dec"])
    dh_enc = last_state_backward(dh0_dec, cache["src_lengths"], cache["S"])
    dx_src, _, dWx_enc, dWh_enc, db_enc = cell_backward(dh_enc, cache["enc"])
    return {"W_embed_enc": embedding_backward(dx_src, cache["embed_enc"]),
            "Wx_enc": dWx_enc, "Wh_enc": dWh_enc, "b_enc": db_enc,
            "W_embed_dec": embedding_backward(dx_tgt, cache["embed_dec"]),
            "Wx_dec": dWx_dec, "Wh_dec": dWh_dec, "b_dec": db_dec, "W_out": dW_out, "b_out": db_out}
    # END SOLUTION


def seq2seq_loss(src, src_lengths, tgt, params, cell="rnn"):
    """Teacher-forced training loss of the encoder-decoder, and its gradient.

    The decoder reads decoder_inputs(tgt) and is scored on tgt; PAD steps of tgt do not count.

    Args:
        src, src_lengths, params, cell: as for seq2seq_forward.
        tgt: (N, T) target ids (words, then END, then PAD).

    Returns:
        loss: float, summed over real target steps and divided by N.
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    logits, cache = seq2seq_forward(src, src_lengths, decoder_inputs(tgt), params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tgt, tgt != PAD)
    return loss, seq2seq_backward(dlogits, cache)
    # END SOLUTION


def greedy_decode(src, src_lengths, params, max_len, cell="rnn"):
    """Translate without a target: the decoder reads its own previous prediction.

    Start from the encoder's last real state and START; at each step take the highest-scoring
    word, and feed it (and the carried state) to the next step. Runs all max_len steps.

    Args:
        src, src_lengths, params, cell: as for seq2seq_forward.
        max_len: T, how many words to produce.

    Returns:
        (N, T) int64 predicted ids.

    Hint: `cell_step` runs one step of any cell.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    x_src, _ = embedding_forward(src, params["W_embed_enc"])
    h0 = np.zeros((src.shape[0], params["Wh_enc"].shape[0]), dtype=x_src.dtype)
    h_enc, _ = cell_forward(x_src, h0, *recurrent(params, "_enc"))
    h = last_state(h_enc, src_lengths)
    state = (h, np.zeros_like(h)) if cell == "lstm" else h
    word = np.full(src.shape[0], START)
    predicted = []
    for _ in range(max_len):
        h, state = cell_step(cell, params["W_embed_dec"][word], state, *recurrent(params, "_dec"))
        word = np.argmax(h @ params["W_out"] + params["b_out"], axis=1)
        predicted.append(word)
    return np.stack(predicted, axis=1).astype(np.int64)
    # END SOLUTION


# ---------------------------------------------------------------------------
# Convolution over time, and a CNN classifier beside the RNN one


def conv1d_padding(T, kernel_size, stride, padding):
    """(left, right) zero steps added around a length-T sequence, as Keras' Conv1D does.

    "valid": none. "causal": kernel_size - 1 on the left, so out[t] sees only x[..t].
    "same": enough for ceil(T / stride) outputs, the odd one on the right:
        total = max((ceil(T / stride) - 1) * stride + kernel_size - T, 0), left = total // 2.
    """
    # BEGIN SOLUTION
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return kernel_size - 1, 0
    if padding == "same":
        total = max((-(-T // stride) - 1) * stride + kernel_size - T, 0)
        return total // 2, total - total // 2
    raise ValueError(f"unknown padding {padding!r}; use one of {PADDINGS}")
    # END SOLUTION


def conv1d_forward(x, W, b, stride=1, padding="valid"):
    """A 1-D convolution over time (Keras Conv1D, strictly a cross-correlation), no activation.

    With xp = x zero-padded in time by conv1d_padding:
        out[n, t, f] = b[f] + sum_{k, d} xp[n, t * stride + k, d] * W[k, d, f]
    for t = 0 .. (T_padded - K) // stride.

    Args:
        x: (N, T, D) input sequence.
        W: (K, D, F) kernel: K steps wide, D channels in, F filters.
        b: (F,) bias.
        stride: step between windows.
        padding: "valid", "same" or "causal".

    Returns:
        out: (N, T_out, F).
        cache: whatever conv1d_backward needs.
    """
    # BEGIN SOLUTION
    N, T, D = x.shape
    K = W.shape[0]
    left, right = conv1d_padding(T, K, stride, padding)
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    T_out = (xp.shape[1] - K) // stride + 1
    out = np.broadcast_to(b, (N, T_out, W.shape[2])).copy()
    for k in range(K):  # each kernel tap sees the input shifted by k
        out += xp[:, k:k + stride * (T_out - 1) + 1:stride] @ W[k]
    cache = {"xp": xp, "W": W, "stride": stride, "left": left, "T": T}
    return out, cache
    # END SOLUTION


def conv1d_backward(dout, cache):
    """Backward pass of conv1d_forward.

    Args:
        dout: (N, T_out, F) upstream gradient.
        cache: from conv1d_forward.

    Returns:
        dx: (N, T, D), dW: (K, D, F), db: (F,).
    """
    # BEGIN SOLUTION
    xp, W, stride, left = cache["xp"], cache["W"], cache["stride"], cache["left"]
    T_out = dout.shape[1]
    dxp = np.zeros_like(xp, dtype=np.result_type(xp, dout))
    dW = np.zeros(W.shape, dtype=np.result_type(W, dout))
    for k in range(W.shape[0]):
        window = slice(k, k + stride * (T_out - 1) + 1, stride)
        dxp[:, window] += dout @ W[k].T
        dW[k] = np.einsum("ntd,ntf->df", xp[:, window], dout)
    return dxp[:, left:left + cache["T"]], dW, dout.sum(axis=(0, 1))
    # END SOLUTION


def cnn_classifier_forward(ids, params, stride=1, padding="valid"):
    """A CNN sequence classifier: embedding -> conv1d -> ReLU -> max over time -> affine.

    Args:
        ids: (N, T) token ids.
        params: {"W_embed", "W_conv", "b_conv", "W_out", "b_out"} (see cnn_shapes).
        stride, padding: of the convolution.

    Returns:
        logits: (N, C).
        cache: whatever cnn_classifier_backward needs.
    """
    # BEGIN SOLUTION
    x, embed_cache = embedding_forward(ids, params["W_embed"])
    a, conv_cache = conv1d_forward(x, params["W_conv"], params["b_conv"], stride, padding)
    features = np.maximum(a, 0)
    t_max = features.argmax(axis=1)  # (N, F): the step each filter's maximum comes from
    pooled = np.take_along_axis(features, t_max[:, None, :], axis=1)[:, 0]
    logits, out_cache = affine_forward(pooled, params["W_out"], params["b_out"])
    cache = {"embed": embed_cache, "conv": conv_cache, "a": a, "t_max": t_max, "out": out_cache}
    return logits, cache
    # END SOLUTION


def cnn_classifier_backward(dlogits, cache):
    """Backward pass of cnn_classifier_forward: the max passes its gradient to the step it took.

    Args:
        dlogits: (N, C) upstream gradient.
        cache: from cnn_classifier_forward.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    dpooled, dW_out, db_out = affine_backward(dlogits, cache["out"])
    dfeatures = np.zeros_like(cache["a"], dtype=dpooled.dtype)
    np.put_along_axis(dfeatures, cache["t_max"][:, None, :], dpooled[:, None, :], axis=1)
    da = dfeatures * (cache["a"] > 0)
    dx, dW_conv, db_conv = conv1d_backward(da, cache["conv"])
    return {"W_embed": embedding_backward(dx, cache["embed"]), "W_conv": dW_conv, "b_conv": db_conv,
            "W_out": dW_out, "b_out": db_out}
    # END SOLUTION


def cnn_classifier_loss(ids, y, params, stride=1, padding="valid"):
    """Mean softmax cross-entropy of cnn_classifier_forward, and its gradient.

    Returns:
        loss: float.
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    logits, cache = cnn_classifier_forward(ids, params, stride, padding)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, cnn_classifier_backward(dlogits, cache)
    # END SOLUTION


# ---------------------------------------------------------------------------
# Session 4. One-to-one: the feed-forward pattern


def one_to_one_forward(x, params):
    """A one-hidden-layer network: h = tanh(x Wx + b), logits = h W_out + b_out.

    It is rnn_step_forward from h_prev = 0 (so Wh never matters), then an affine layer: an RNN
    run for T = 1 step is a feed-forward network.

    Args:
        x: (N, D) inputs.
        params: {"Wx" (D, H), "b" (H,), "W_out" (H, C), "b_out" (C,)}.

    Returns:
        logits: (N, C).
        cache: whatever one_to_one_backward needs.
    """
    # BEGIN SOLUTION
    h = np.tanh(x @ params["Wx"] + params["b"])
    logits, out_cache = affine_forward(h, params["W_out"], params["b_out"])
    return logits, {"x": x, "h": h, "out": out_cache}
    # END SOLUTION


def one_to_one_backward(dlogits, cache):
    """Backward pass of one_to_one_forward.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    dh, dW_out, db_out = affine_backward(dlogits, cache["out"])
    da = dh * (1 - cache["h"] ** 2)
    return {"Wx": cache["x"].T @ da, "b": da.sum(axis=0), "W_out": dW_out, "b_out": db_out}
    # END SOLUTION


# ---------------------------------------------------------------------------
# One-to-many: a character language model, and generation


def lm_shapes(cell, vocab_size, embed_dim, units, cond_dim=None):
    """Parameter shapes of char_lm_*; with cond_dim, also "W_cond" (Z, H), "b_cond" (H,)."""
    shapes = classifier_shapes(cell, vocab_size, embed_dim, units, vocab_size)
    if cond_dim:
        shapes.update(W_cond=(cond_dim, units), b_cond=(units,))
    return shapes


def initial_state(N, params, z=None):
    """The language model's h0: zeros, or tanh(z W_cond + b_cond) when conditioned on z (N, Z)."""
    if z is None:
        return np.zeros((N, params["Wh"].shape[0]), dtype=params["Wh"].dtype)
    return np.tanh(z @ params["W_cond"] + params["b_cond"])


def char_lm_forward(ids, params, cell="rnn", z=None):
    """A character language model: at every step, scores for the next character.

    h0 = initial_state(N, params, z); h = recurrent layer over embed(ids) from h0;
    logits_t = h_t W_out + b_out.

    Args:
        ids: (N, T) character ids.
        params: see lm_shapes ("W_cond", "b_cond" only when conditioned).
        cell: "rnn", "lstm" or "gru".
        z: None, or (N, Z) a vector that sets the initial state (conditioned generation).

    Returns:
        logits: (N, T, V).
        cache: whatever char_lm_backward needs.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    x, embed_cache = embedding_forward(ids, params["W_embed"])
    h0 = initial_state(ids.shape[0], params, z)
    h, cell_cache = cell_forward(x, h0, *recurrent(params))
    logits, out_cache = temporal_affine_forward(h, params["W_out"], params["b_out"])
    cache = {"cell": cell, "z": z, "h0": h0, "embed": embed_cache, "recurrent": cell_cache, "out": out_cache}
    return logits, cache
    # END SOLUTION


def char_lm_backward(dlogits, cache):
    """Backward pass of char_lm_forward, into W_cond and b_cond too when conditioned.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    _, cell_backward = CELLS[cache["cell"]]
    dh, dW_out, db_out = temporal_affine_backward(dlogits, cache["out"])
    dx, dh0, dWx, dWh, db = cell_backward(dh, cache["recurrent"])
    dparams = {"W_embed": embedding_backward(dx, cache["embed"]), "Wx": dWx, "Wh": dWh, "b": db,
               "W_out": dW_out, "b_out": db_out}
    if cache["z"] is not None:
        da = dh0 * (1 - cache["h0"] ** 2)
        dparams.update(W_cond=cache["z"].T @ da, b_cond=da.sum(axis=0))
    return dparams
    # END SOLUTION


def char_lm_loss(ids, params, cell="rnn", z=None):
    """Next-character loss: the model reads ids[:, :-1] and is scored on ids[:, 1:].

    Returns:
        loss: float, summed over the T - 1 predictions and divided by N.
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    logits, cache = char_lm_forward(ids[:, :-1], params, cell, z)
    loss, dlogits = temporal_softmax_cross_entropy(logits, ids[:, 1:])
    return loss, char_lm_backward(dlogits, cache)
    # END SOLUTION


def next_token_probs(logits, temperature=1.0, top_k=None):
    """The distribution to sample the next token from.

    p = softmax(logits / temperature) over the top_k highest logits (the others get 0; a logit
    tied with the top_k-th highest is kept too, so a tie can keep more than top_k tokens).
    temperature < 1 sharpens the distribution, > 1 flattens it; temperature == 0 means greedy:
    probability 1 on the highest logit (the first one on a tie).

    Args:
        logits: (N, V) scores.
        temperature: >= 0.
        top_k: None (all tokens) or the number of tokens kept.

    Returns:
        (N, V) probabilities, each row summing to 1.
    """
    # BEGIN SOLUTION
    N, V = logits.shape
    if temperature == 0:
        probs = np.zeros((N, V))
        probs[np.arange(N), np.argmax(logits, axis=1)] = 1.0
        return probs
    scaled = logits / temperature
    if top_k is not None and top_k < V:
        kth_largest = np.sort(scaled, axis=1)[:, V - top_k][:, None]
        scaled = np.where(scaled >= kth_largest, scaled, -np.inf)
    return softmax(scaled, axis=1)
    # END SOLUTION


def sample_from(probs, u):
    """Inverse-CDF sampling: for each row, the first token whose cumulative probability exceeds u.

    Args:
        probs: (N, V) probabilities.
        u: (N,) uniform numbers in [0, 1), e.g. rng.random(N).

    Returns:
        (N,) int64 token ids.
    """
    # BEGIN SOLUTION
    cumulative = np.cumsum(probs, axis=1)
    chosen = np.argmax(cumulative > u[:, None], axis=1)
    # Rounding can leave the last cumulative sum just below u: take the last possible token then.
    last_possible = probs.shape[1] - 1 - np.argmax(probs[:, ::-1] > 0, axis=1)
    return np.where(cumulative[:, -1] > u, chosen, last_possible).astype(np.int64)
    # END SOLUTION


def generate(params, prompt, length, temperature=1.0, top_k=None, seed=0, cell="rnn", z=None):
    """Generate `length` tokens after a prompt, one at a time, feeding each back in.

    Read the prompt from initial_state(N, params, z); then repeat `length` times:
    p = next_token_probs(scores after the last token read, temperature, top_k);
    token = sample_from(p, rng.random(N)); feed it to the model, carrying the state.
    rng = np.random.default_rng(seed), one rng.random(N) per step (also when greedy), so that
    the same seed gives the same text.

    Args:
        params: see lm_shapes.
        prompt: (N, P) token ids, P >= 1.
        length: L, tokens to generate.
        temperature, top_k: as in next_token_probs.
        seed: seed of the random generator.
        cell: "rnn", "lstm" or "gru".
        z: None, or (N, Z): condition the initial state (see initial_state).

    Returns:
        (N, L) int64 generated ids (the prompt not included).

    Hint: `cell_step` runs one step of any cell.
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    N = prompt.shape[0]
    h = initial_state(N, params, z)
    state = (h, np.zeros_like(h)) if cell == "lstm" else h
    for token in prompt.T:  # read the prompt
        h, state = cell_step(cell, params["W_embed"][token], state, *recurrent(params))
    generated = []
    for _ in range(length):
        probs = next_token_probs(h @ params["W_out"] + params["b_out"], temperature, top_k)
        token = sample_from(probs, rng.random(N))
        generated.append(token)
        h, state = cell_step(cell, params["W_embed"][token], state, *recurrent(params))
    return np.stack(generated, axis=1)
    # END SOLUTION
