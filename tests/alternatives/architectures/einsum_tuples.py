"""architectures with np.einsum contractions, one-hot scatters and tuple caches.

Differs from the reference: every affine map, embedding gradient (a one-hot einsum instead of
np.add.at), last-state selection and its gradient (one-hot masks), the max-over-time gradient
and the 1-D convolution (a sliding_window_view of the padded input contracted with the kernel
by einsum, its input gradient scattered back with np.add.at over window indices) are written
with np.einsum; caches are plain tuples rather than dicts; decoder_inputs uses np.roll,
next_token_probs np.partition and an identity-row lookup, sample_from counts the cumulative
sums at or below u.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .bidirectional import CELLS
from .data import PAD, START
from .gru import gru_step_forward
from .layers import softmax, softmax_cross_entropy, temporal_softmax_cross_entropy
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
# einsum building blocks (private)


def _onehot(ids, V, dtype):
    return (np.asarray(ids)[..., None] == np.arange(V)).astype(dtype)


def _embed_grad(dx, ids, V):
    """sum over (n, t) of onehot(ids)[n, t, v] * dx[n, t, d]."""
    return np.einsum("ntv,ntd->vd", _onehot(ids, V, dx.dtype), dx)


def _lin(x, W, b):
    return np.einsum("...h,hc->...c", x, W) + b


def _lin_grad(dout, x, W):
    """(dx, dW, db) of out = x W + b, x of shape (N, H) or (N, T, H)."""
    dx = np.einsum("...c,hc->...h", dout, W)
    rows_x = x.reshape(-1, x.shape[-1])
    rows_d = dout.reshape(-1, dout.shape[-1])
    dW = np.einsum("ih,ic->hc", rows_x, rows_d)
    db = np.einsum("ic->c", rows_d)
    return dx, dW, db


def _zeros_state(N, Wh, dtype):
    return np.zeros((N, Wh.shape[0]), dtype=dtype)


# ---------------------------------------------------------------------------
# Many-to-one


def last_state(h, lengths):
    """out[n] = h[n, lengths[n] - 1]."""
    idx = (np.asarray(lengths) - 1)[:, None, None]
    return np.take_along_axis(h, idx, axis=1)[:, 0]


def last_state_backward(dout, lengths, T):
    """dh (N, T, H) = onehot(lengths - 1) (x) dout."""
    pick = _onehot(np.asarray(lengths) - 1, T, dout.dtype)  # (N, T)
    return np.einsum("nt,nh->nth", pick, dout)


def many_to_one_forward(ids, lengths, params, cell="rnn"):
    """embedding -> recurrent layer (h0 = 0) -> last real state -> affine; logits (N, C)."""
    x = params["W_embed"][ids]
    h, rec = CELLS[cell][0](x, _zeros_state(ids.shape[0], params["Wh"], x.dtype), *recurrent(params))
    last = last_state(h, lengths)
    logits = _lin(last, params["W_out"], params["b_out"])
    return logits, (cell, ids, params["W_embed"].shape[0], lengths, h.shape[1], rec, last, params["W_out"])


def many_to_one_backward(dlogits, cache):
    cell, ids, V, lengths, T, rec, last, W_out = cache
    dlast, dW_out, db_out = _lin_grad(dlogits, last, W_out)
    dx, _, dWx, dWh, db = CELLS[cell][1](last_state_backward(dlast, lengths, T), rec)
    return {"W_embed": _embed_grad(dx, ids, V), "Wx": dWx, "Wh": dWh, "b": db,
            "W_out": dW_out, "b_out": db_out}


def many_to_one_loss(ids, lengths, y, params, cell="rnn"):
    logits, cache = many_to_one_forward(ids, lengths, params, cell)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, many_to_one_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# Tagger


def tagger_forward(ids, params, cell="rnn"):
    """embedding -> recurrent layer (h0 = 0) -> affine at every step; logits (N, T, K)."""
    x = params["W_embed"][ids]
    h, rec = CELLS[cell][0](x, _zeros_state(ids.shape[0], params["Wh"], x.dtype), *recurrent(params))
    return _lin(h, params["W_out"], params["b_out"]), (cell, ids, params["W_embed"].shape[0], rec, h,
                                                      params["W_out"])


def tagger_backward(dlogits, cache):
    cell, ids, V, rec, h, W_out = cache
    dh, dW_out, db_out = _lin_grad(dlogits, h, W_out)
    dx, _, dWx, dWh, db = CELLS[cell][1](dh, rec)
    return {"W_embed": _embed_grad(dx, ids, V), "Wx": dWx, "Wh": dWh, "b": db,
            "W_out": dW_out, "b_out": db_out}


def tagger_loss(ids, tags, mask, params, cell="rnn"):
    logits, cache = tagger_forward(ids, params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tags, mask)
    return loss, tagger_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# Encoder-decoder


def decoder_inputs(tgt):
    """np.roll the target one step right, then put START in front."""
    out = np.roll(tgt, 1, axis=1)
    out[:, 0] = START
    return out


def _encode(src, src_lengths, params, cell):
    x_src = params["W_embed_enc"][src]
    h_enc, enc = CELLS[cell][0](x_src, _zeros_state(src.shape[0], params["Wh_enc"], x_src.dtype),
                                *recurrent(params, "_enc"))
    return last_state(h_enc, src_lengths), enc


def seq2seq_forward(src, src_lengths, tgt_in, params, cell="rnn"):
    """Encoder's last real state starts the decoder; logits (N, T, V_tgt)."""
    h_start, enc = _encode(src, src_lengths, params, cell)
    h_dec, dec = CELLS[cell][0](params["W_embed_dec"][tgt_in], h_start, *recurrent(params, "_dec"))
    logits = _lin(h_dec, params["W_out"], params["b_out"])
    cache = (cell, (src, src_lengths, params["W_embed_enc"].shape[0], enc),
             (tgt_in, params["W_embed_dec"].shape[0], dec, h_dec), params["W_out"])
    return logits, cache


def seq2seq_backward(dlogits, cache):
    cell, (src, src_lengths, V_src, enc), (tgt_in, V_tgt, dec, h_dec), W_out = cache
    backward = CELLS[cell][1]
    dh_dec, dW_out, db_out = _lin_grad(dlogits, h_dec, W_out)
    dx_tgt, dh_start, dWx_dec, dWh_dec, db_dec = backward(dh_dec, dec)
    dx_src, _, dWx_enc, dWh_enc, db_enc = backward(last_state_backward(dh_start, src_lengths, src.shape[1]),
                                                   enc)
    return {"W_embed_enc": _embed_grad(dx_src, src, V_src),
            "Wx_enc": dWx_enc, "Wh_enc": dWh_enc, "b_enc": db_enc,
            "W_embed_dec": _embed_grad(dx_tgt, tgt_in, V_tgt),
            "Wx_dec": dWx_dec, "Wh_dec": dWh_dec, "b_dec": db_dec, "W_out": dW_out, "b_out": db_out}


def seq2seq_loss(src, src_lengths, tgt, params, cell="rnn"):
    logits, cache = seq2seq_forward(src, src_lengths, decoder_inputs(tgt), params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tgt, tgt != PAD)
    return loss, seq2seq_backward(dlogits, cache)


def greedy_decode(src, src_lengths, params, max_len, cell="rnn"):
    """Feed back the argmax word max_len times; (N, max_len) int64."""
    h, _ = _encode(src, src_lengths, params, cell)
    state = (h, np.zeros_like(h)) if cell == "lstm" else h
    words = np.zeros((src.shape[0], max_len), dtype=np.int64)
    word = np.full(src.shape[0], START, dtype=np.int64)
    for t in range(max_len):
        h, state = cell_step(cell, params["W_embed_dec"][word], state, *recurrent(params, "_dec"))
        word = np.argmax(h @ params["W_out"] + params["b_out"], axis=1)
        words[:, t] = word
    return words


# ---------------------------------------------------------------------------
# Convolution over time


def conv1d_padding(T, kernel_size, stride, padding):
    """(left, right) zero steps, as Keras' Conv1D."""
    if padding not in PADDINGS:
        raise ValueError(f"unknown padding {padding!r}; use one of {PADDINGS}")
    total = {"valid": 0, "causal": kernel_size - 1,
             "same": max((int(np.ceil(T / stride)) - 1) * stride + kernel_size - T, 0)}[padding]
    left = total if padding == "causal" else total // 2
    return left, total - left


def conv1d_forward(x, W, b, stride=1, padding="valid"):
    """Windows (N, T_out, D, K) of the padded input contracted with W (K, D, F) by einsum."""
    N, T, D = x.shape
    K = W.shape[0]
    left, right = conv1d_padding(T, K, stride, padding)
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    windows = sliding_window_view(xp, K, axis=1)[:, ::stride]  # (N, T_out, D, K)
    out = np.einsum("ntdk,kdf->ntf", windows, W) + b
    return out, (xp.shape, windows, W, stride, left, T)


def conv1d_backward(dout, cache):
    """dx (N, T, D), dW (K, D, F), db (F,)."""
    xp_shape, windows, W, stride, left, T = cache
    K = W.shape[0]
    T_out = dout.shape[1]
    dW = np.einsum("ntdk,ntf->kdf", windows, dout)
    dwindows = np.einsum("ntf,kdf->ntkd", dout, W)
    steps = np.arange(T_out)[:, None] * stride + np.arange(K)[None, :]  # (T_out, K)
    dxp = np.zeros(xp_shape, dtype=dwindows.dtype)
    np.add.at(dxp, (slice(None), steps), dwindows)
    return dxp[:, left:left + T], dW, np.einsum("ntf->f", dout)


def cnn_classifier_forward(ids, params, stride=1, padding="valid"):
    """embedding -> conv1d -> ReLU -> max over time -> affine; logits (N, C)."""
    a, conv = conv1d_forward(params["W_embed"][ids], params["W_conv"], params["b_conv"], stride, padding)
    relu = np.maximum(a, 0)
    t_max = np.argmax(relu, axis=1)  # first maximum on ties
    pick = (np.arange(a.shape[1])[None, :, None] == t_max[:, None, :]) & (a > 0)  # (N, T_out, F)
    pooled = relu.max(axis=1)
    logits = _lin(pooled, params["W_out"], params["b_out"])
    return logits, (ids, params["W_embed"].shape[0], conv, pick, pooled, params["W_out"])


def cnn_classifier_backward(dlogits, cache):
    ids, V, conv, pick, pooled, W_out = cache
    dpooled, dW_out, db_out = _lin_grad(dlogits, pooled, W_out)
    da = np.einsum("ntf,nf->ntf", pick.astype(dpooled.dtype), dpooled)
    dx, dW_conv, db_conv = conv1d_backward(da, conv)
    return {"W_embed": _embed_grad(dx, ids, V), "W_conv": dW_conv, "b_conv": db_conv,
            "W_out": dW_out, "b_out": db_out}


def cnn_classifier_loss(ids, y, params, stride=1, padding="valid"):
    logits, cache = cnn_classifier_forward(ids, params, stride, padding)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, cnn_classifier_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# One-to-one


def one_to_one_forward(x, params):
    """h = tanh(x Wx + b), logits = h W_out + b_out."""
    h = np.tanh(_lin(x, params["Wx"], params["b"]))
    return _lin(h, params["W_out"], params["b_out"]), (x, h, params["W_out"])


def one_to_one_backward(dlogits, cache):
    x, h, W_out = cache
    dh, dW_out, db_out = _lin_grad(dlogits, h, W_out)
    da = np.einsum("nh,nh->nh", dh, 1 - h * h)
    return {"Wx": np.einsum("nd,nh->dh", x, da), "b": np.einsum("nh->h", da),
            "W_out": dW_out, "b_out": db_out}


# ---------------------------------------------------------------------------
# Language model and generation


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
    """h0 = initial_state(N, params, z); logits (N, T, V) at every step."""
    h0 = initial_state(ids.shape[0], params, z)
    h, rec = CELLS[cell][0](params["W_embed"][ids], h0, *recurrent(params))
    logits = _lin(h, params["W_out"], params["b_out"])
    return logits, (cell, ids, params["W_embed"].shape[0], (z, h0), rec, h, params["W_out"])


def char_lm_backward(dlogits, cache):
    cell, ids, V, (z, h0), rec, h, W_out = cache
    dh, dW_out, db_out = _lin_grad(dlogits, h, W_out)
    dx, dh0, dWx, dWh, db = CELLS[cell][1](dh, rec)
    dparams = {"W_embed": _embed_grad(dx, ids, V), "Wx": dWx, "Wh": dWh, "b": db,
               "W_out": dW_out, "b_out": db_out}
    if z is not None:
        da = dh0 * (1 - h0 * h0)
        dparams["W_cond"] = np.einsum("nz,nh->zh", z, da)
        dparams["b_cond"] = np.einsum("nh->h", da)
    return dparams


def char_lm_loss(ids, params, cell="rnn", z=None):
    logits, cache = char_lm_forward(ids[:, :-1], params, cell, z)
    loss, dlogits = temporal_softmax_cross_entropy(logits, ids[:, 1:])
    return loss, char_lm_backward(dlogits, cache)


def next_token_probs(logits, temperature=1.0, top_k=None):
    """softmax(logits / temperature) over the top_k highest; one-hot of the argmax at temperature 0."""
    V = logits.shape[1]
    if temperature == 0:
        return np.eye(V)[np.argmax(logits, axis=1)]
    scaled = logits / temperature
    if top_k is not None and top_k < V:
        threshold = np.partition(scaled, V - top_k, axis=1)[:, V - top_k:V - top_k + 1]
        scaled = np.where(scaled < threshold, -np.inf, scaled)
    return softmax(scaled, axis=1)


def sample_from(probs, u):
    """Number of cumulative sums <= u (they never decrease); the last possible token on rounding."""
    V = probs.shape[1]
    cumulative = np.cumsum(probs, axis=1)
    below = np.count_nonzero(cumulative <= u[:, None], axis=1)
    last_possible = np.where(probs > 0, np.arange(V), -1).max(axis=1)
    last_possible = np.where(last_possible < 0, V - 1, last_possible)
    return np.where(below < V, below, last_possible).astype(np.int64)


def generate(params, prompt, length, temperature=1.0, top_k=None, seed=0, cell="rnn", z=None):
    """Read the prompt, then sample `length` tokens, one rng.random(N) per step; (N, L) int64."""
    rng = np.random.default_rng(seed)
    N = prompt.shape[0]
    h = initial_state(N, params, z)
    state = (h, np.zeros_like(h)) if cell == "lstm" else h
    step_params = recurrent(params)
    for t in range(prompt.shape[1]):
        h, state = cell_step(cell, params["W_embed"][prompt[:, t]], state, *step_params)
    tokens = np.zeros((N, length), dtype=np.int64)
    for t in range(length):
        probs = next_token_probs(h @ params["W_out"] + params["b_out"], temperature, top_k)
        tokens[:, t] = sample_from(probs, rng.random(N))
        h, state = cell_step(cell, params["W_embed"][tokens[:, t]], state, *step_params)
    return tokens
