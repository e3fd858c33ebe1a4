"""architectures with explicit Python loops over the batch, time steps and kernel taps.

Differs from the reference: embeddings, affine layers, last-state selection, the 1-D
convolution (one small product per sample, output step and kernel tap), the max over time,
softmax/top-k and inverse-CDF sampling are all written as loops over rows instead of
vectorised numpy; caches are plain tuples. The recurrent layers still come from
`bidirectional.CELLS`, and the losses from `layers`.
"""
import numpy as np

from .bidirectional import CELLS
from .data import PAD, START
from .gru import gru_step_forward
from .layers import softmax_cross_entropy, temporal_softmax_cross_entropy
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
# Small looped building blocks (private)


def _embed(ids, W):
    N, T = ids.shape
    out = np.empty((N, T, W.shape[1]), dtype=W.dtype)
    for n in range(N):
        for t in range(T):
            out[n, t] = W[ids[n, t]]
    return out


def _embed_grad(dx, ids, vocab_size):
    N, T, D = dx.shape
    dW = np.zeros((vocab_size, D), dtype=dx.dtype)
    for n in range(N):
        for t in range(T):
            dW[ids[n, t]] += dx[n, t]
    return dW


def _dense(x, W, b):
    """x (N, H) -> (N, C), one row at a time."""
    N = x.shape[0]
    out = np.empty((N, W.shape[1]), dtype=np.result_type(x, W, b))
    for n in range(N):
        out[n] = x[n] @ W + b
    return out


def _dense_grad(dout, x, W):
    N = x.shape[0]
    dx = np.empty(x.shape, dtype=np.result_type(dout, W))
    dW = np.zeros(W.shape, dtype=np.result_type(dout, x))
    db = np.zeros(W.shape[1], dtype=dout.dtype)
    for n in range(N):
        dx[n] = W @ dout[n]
        dW += np.outer(x[n], dout[n])
        db += dout[n]
    return dx, dW, db


def _dense_time(h, W, b):
    N, T, _ = h.shape
    out = np.empty((N, T, W.shape[1]), dtype=np.result_type(h, W, b))
    for n in range(N):
        for t in range(T):
            out[n, t] = h[n, t] @ W + b
    return out


def _dense_time_grad(dout, h, W):
    N, T, _ = h.shape
    dh = np.empty(h.shape, dtype=np.result_type(dout, W))
    dW = np.zeros(W.shape, dtype=np.result_type(dout, h))
    db = np.zeros(W.shape[1], dtype=dout.dtype)
    for n in range(N):
        for t in range(T):
            dh[n, t] = W @ dout[n, t]
            dW += np.outer(h[n, t], dout[n, t])
            db += dout[n, t]
    return dh, dW, db


def _first_argmax(row):
    """Index of the first largest value (as np.argmax)."""
    best = 0
    for j in range(1, row.shape[0]):
        if row[j] > row[best]:
            best = j
    return best


# ---------------------------------------------------------------------------
# Many-to-one


def last_state(h, lengths):
    """out[n] = h[n, lengths[n] - 1]: (N, T, H), (N,) -> (N, H)."""
    N, _, H = h.shape
    out = np.empty((N, H), dtype=h.dtype)
    for n in range(N):
        out[n] = h[n, int(lengths[n]) - 1]
    return out


def last_state_backward(dout, lengths, T):
    """dh (N, T, H): zero except dh[n, lengths[n] - 1] = dout[n]."""
    N, H = dout.shape
    dh = np.zeros((N, T, H), dtype=dout.dtype)
    for n in range(N):
        dh[n, int(lengths[n]) - 1] = dout[n]
    return dh


def many_to_one_forward(ids, lengths, params, cell="rnn"):
    """embedding -> recurrent layer (h0 = 0) -> last real state -> affine; logits (N, C)."""
    cell_forward = CELLS[cell][0]
    x = _embed(ids, params["W_embed"])
    h0 = np.zeros((ids.shape[0], params["Wh"].shape[0]), dtype=x.dtype)
    h, rec_cache = cell_forward(x, h0, *recurrent(params))
    last = last_state(h, lengths)
    logits = _dense(last, params["W_out"], params["b_out"])
    cache = (cell, ids, params["W_embed"].shape[0], lengths, ids.shape[1], rec_cache, last, params["W_out"])
    return logits, cache


def many_to_one_backward(dlogits, cache):
    """dparams with the keys of params."""
    cell, ids, vocab, lengths, T, rec_cache, last, W_out = cache
    dlast, dW_out, db_out = _dense_grad(dlogits, last, W_out)
    dh = last_state_backward(dlast, lengths, T)
    dx, _, dWx, dWh, db = CELLS[cell][1](dh, rec_cache)
    return {"W_embed": _embed_grad(dx, ids, vocab), "Wx": dWx, "Wh": dWh, "b": db,
            "W_out": dW_out, "b_out": db_out}


def many_to_one_loss(ids, lengths, y, params, cell="rnn"):
    """Mean softmax cross-entropy and dparams."""
    logits, cache = many_to_one_forward(ids, lengths, params, cell)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, many_to_one_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# Tagger


def tagger_forward(ids, params, cell="rnn"):
    """embedding -> recurrent layer (h0 = 0) -> affine at every step; logits (N, T, K)."""
    x = _embed(ids, params["W_embed"])
    h0 = np.zeros((ids.shape[0], params["Wh"].shape[0]), dtype=x.dtype)
    h, rec_cache = CELLS[cell][0](x, h0, *recurrent(params))
    logits = _dense_time(h, params["W_out"], params["b_out"])
    return logits, (cell, ids, params["W_embed"].shape[0], rec_cache, h, params["W_out"])


def tagger_backward(dlogits, cache):
    """dparams with the keys of params."""
    cell, ids, vocab, rec_cache, h, W_out = cache
    dh, dW_out, db_out = _dense_time_grad(dlogits, h, W_out)
    dx, _, dWx, dWh, db = CELLS[cell][1](dh, rec_cache)
    return {"W_embed": _embed_grad(dx, ids, vocab), "Wx": dWx, "Wh": dWh, "b": db,
            "W_out": dW_out, "b_out": db_out}


def tagger_loss(ids, tags, mask, params, cell="rnn"):
    """Masked softmax cross-entropy (summed, / N) and dparams."""
    logits, cache = tagger_forward(ids, params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tags, mask)
    return loss, tagger_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# Encoder-decoder


def decoder_inputs(tgt):
    """START, then tgt shifted right by one step; same dtype as tgt."""
    N, T = tgt.shape
    out = np.empty_like(tgt)
    for n in range(N):
        out[n, 0] = START
        for t in range(1, T):
            out[n, t] = tgt[n, t - 1]
    return out


def seq2seq_forward(src, src_lengths, tgt_in, params, cell="rnn"):
    """Encoder's last real state starts the decoder; logits (N, T, V_tgt)."""
    cell_forward = CELLS[cell][0]
    x_src = _embed(src, params["W_embed_enc"])
    h0 = np.zeros((src.shape[0], params["Wh_enc"].shape[0]), dtype=x_src.dtype)
    h_enc, enc_cache = cell_forward(x_src, h0, *recurrent(params, "_enc"))
    x_tgt = _embed(tgt_in, params["W_embed_dec"])
    h_dec, dec_cache = cell_forward(x_tgt, last_state(h_enc, src_lengths), *recurrent(params, "_dec"))
    logits = _dense_time(h_dec, params["W_out"], params["b_out"])
    cache = (cell, src, params["W_embed_enc"].shape[0], src_lengths, enc_cache,
             tgt_in, params["W_embed_dec"].shape[0], dec_cache, h_dec, params["W_out"])
    return logits, cache


def seq2seq_backward(dlogits, cache):
    """Through the decoder, then into the encoder through the decoder's initial state."""
    cell, src, src_vocab, src_lengths, enc_cache, tgt_in, tgt_vocab, dec_cache, h_dec, W_out = cache
    cell_backward = CELLS[cell][1]
    dh_dec, dW_out, db_out = _dense_time_grad(dlogits, h_dec, W_out)
    dx_tgt, dh0_dec, dWx_dec, dWh_dec, db_dec = cell_backward(dh_dec, dec_cache)
    dh_enc = last_state_backward(dh0_dec, src_lengths, src.shape[1])
    dx_src, _, dWx_enc, dWh_enc, db_enc = cell_backward(dh_enc, enc_cache)
    return {"W_embed_enc": _embed_grad(dx_src, src, src_vocab),
            "Wx_enc": dWx_enc, "Wh_enc": dWh_enc, "b_enc": db_enc,
            "W_embed_dec": _embed_grad(dx_tgt, tgt_in, tgt_vocab),
            "Wx_dec": dWx_dec, "Wh_dec": dWh_dec, "b_dec": db_dec, "W_out": dW_out, "b_out": db_out}


def seq2seq_loss(src, src_lengths, tgt, params, cell="rnn"):
    """Teacher-forced loss (PAD steps of tgt masked) and dparams."""
    logits, cache = seq2seq_forward(src, src_lengths, decoder_inputs(tgt), params, cell)
    N, T = tgt.shape
    mask = np.zeros((N, T), dtype=bool)
    for n in range(N):
        for t in range(T):
            mask[n, t] = tgt[n, t] != PAD
    loss, dlogits = temporal_softmax_cross_entropy(logits, tgt, mask)
    return loss, seq2seq_backward(dlogits, cache)


def greedy_decode(src, src_lengths, params, max_len, cell="rnn"):
    """Feed back the highest-scoring word max_len times; (N, max_len) int64."""
    N = src.shape[0]
    x_src = _embed(src, params["W_embed_enc"])
    h0 = np.zeros((N, params["Wh_enc"].shape[0]), dtype=x_src.dtype)
    h_enc, _ = CELLS[cell][0](x_src, h0, *recurrent(params, "_enc"))
    h = last_state(h_enc, src_lengths)
    state = (h, np.zeros_like(h)) if cell == "lstm" else h
    words = np.empty((N, max_len), dtype=np.int64)
    current = [START] * N
    W_embed, W_out, b_out = params["W_embed_dec"], params["W_out"], params["b_out"]
    for t in range(max_len):
        x_t = np.stack([W_embed[w] for w in current])
        h, state = cell_step(cell, x_t, state, *recurrent(params, "_dec"))
        scores = h @ W_out + b_out
        for n in range(N):
            current[n] = _first_argmax(scores[n])
            words[n, t] = current[n]
    return words


# ---------------------------------------------------------------------------
# Convolution over time


def conv1d_padding(T, kernel_size, stride, padding):
    """(left, right) zero steps, as Keras' Conv1D."""
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return kernel_size - 1, 0
    if padding == "same":
        outputs = (T + stride - 1) // stride
        total = (outputs - 1) * stride + kernel_size - T
        if total < 0:
            total = 0
        left = total // 2
        return left, total - left
    raise ValueError(f"unknown padding {padding!r}; use one of {PADDINGS}")


def conv1d_forward(x, W, b, stride=1, padding="valid"):
    """out[n, t] = b + sum_k xp[n, t * stride + k] @ W[k], looped over n, t and k."""
    N, T, D = x.shape
    K, _, F = W.shape
    left, right = conv1d_padding(T, K, stride, padding)
    Tp = T + left + right
    xp = np.zeros((N, Tp, D), dtype=x.dtype)
    for t in range(T):
        xp[:, left + t] = x[:, t]
    T_out = (Tp - K) // stride + 1
    out = np.empty((N, T_out, F), dtype=np.result_type(x, W, b))
    for n in range(N):
        for t in range(T_out):
            acc = b.astype(out.dtype, copy=True)
            for k in range(K):
                acc = acc + xp[n, t * stride + k] @ W[k]
            out[n, t] = acc
    return out, (xp, W, stride, left, T)


def conv1d_backward(dout, cache):
    """dx (N, T, D), dW (K, D, F), db (F,)."""
    xp, W, stride, left, T = cache
    N, T_out, F = dout.shape
    K = W.shape[0]
    dxp = np.zeros(xp.shape, dtype=np.result_type(xp, dout))
    dW = np.zeros(W.shape, dtype=np.result_type(W, dout))
    db = np.zeros(F, dtype=dout.dtype)
    for n in range(N):
        for t in range(T_out):
            g = dout[n, t]
            db += g
            for k in range(K):
                step = t * stride + k
                dxp[n, step] += W[k] @ g
                dW[k] += np.outer(xp[n, step], g)
    return dxp[:, left:left + T].copy(), dW, db


def cnn_classifier_forward(ids, params, stride=1, padding="valid"):
    """embedding -> conv1d -> ReLU -> max over time -> affine; logits (N, C)."""
    x = _embed(ids, params["W_embed"])
    a, conv_cache = conv1d_forward(x, params["W_conv"], params["b_conv"], stride, padding)
    N, T_out, F = a.shape
    pooled = np.empty((N, F), dtype=a.dtype)
    t_max = np.empty((N, F), dtype=np.int64)
    for n in range(N):
        for f in range(F):
            best = 0
            for t in range(T_out):
                if max(a[n, t, f], 0) > max(a[n, best, f], 0):
                    best = t
            t_max[n, f] = best
            pooled[n, f] = max(a[n, best, f], 0)
    logits = _dense(pooled, params["W_out"], params["b_out"])
    cache = (ids, params["W_embed"].shape[0], conv_cache, a, t_max, pooled, params["W_out"])
    return logits, cache


def cnn_classifier_backward(dlogits, cache):
    """The max passes its gradient to the step it took (only where the ReLU was active)."""
    ids, vocab, conv_cache, a, t_max, pooled, W_out = cache
    dpooled, dW_out, db_out = _dense_grad(dlogits, pooled, W_out)
    N, _, F = a.shape
    da = np.zeros(a.shape, dtype=dpooled.dtype)
    for n in range(N):
        for f in range(F):
            t = t_max[n, f]
            if a[n, t, f] > 0:
                da[n, t, f] = dpooled[n, f]
    dx, dW_conv, db_conv = conv1d_backward(da, conv_cache)
    return {"W_embed": _embed_grad(dx, ids, vocab), "W_conv": dW_conv, "b_conv": db_conv,
            "W_out": dW_out, "b_out": db_out}


def cnn_classifier_loss(ids, y, params, stride=1, padding="valid"):
    """Mean softmax cross-entropy and dparams."""
    logits, cache = cnn_classifier_forward(ids, params, stride, padding)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, cnn_classifier_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# One-to-one


def one_to_one_forward(x, params):
    """h = tanh(x Wx + b), logits = h W_out + b_out, row by row."""
    h = np.tanh(_dense(x, params["Wx"], params["b"]))
    logits = _dense(h, params["W_out"], params["b_out"])
    return logits, (x, h, params["Wx"], params["W_out"])


def one_to_one_backward(dlogits, cache):
    """dparams {"Wx", "b", "W_out", "b_out"}."""
    x, h, Wx, W_out = cache
    dh, dW_out, db_out = _dense_grad(dlogits, h, W_out)
    N = x.shape[0]
    dWx = np.zeros(Wx.shape, dtype=np.result_type(x, dh))
    db = np.zeros(Wx.shape[1], dtype=dh.dtype)
    for n in range(N):
        da = dh[n] * (1 - h[n] * h[n])
        dWx += np.outer(x[n], da)
        db += da
    return {"Wx": dWx, "b": db, "W_out": dW_out, "b_out": db_out}


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
    x = _embed(ids, params["W_embed"])
    h0 = initial_state(ids.shape[0], params, z)
    h, rec_cache = CELLS[cell][0](x, h0, *recurrent(params))
    logits = _dense_time(h, params["W_out"], params["b_out"])
    return logits, (cell, ids, params["W_embed"].shape[0], z, h0, rec_cache, h, params["W_out"])


def char_lm_backward(dlogits, cache):
    """dparams, with W_cond and b_cond when conditioned."""
    cell, ids, vocab, z, h0, rec_cache, h, W_out = cache
    dh, dW_out, db_out = _dense_time_grad(dlogits, h, W_out)
    dx, dh0, dWx, dWh, db = CELLS[cell][1](dh, rec_cache)
    dparams = {"W_embed": _embed_grad(dx, ids, vocab), "Wx": dWx, "Wh": dWh, "b": db,
               "W_out": dW_out, "b_out": db_out}
    if z is not None:
        dW_cond = np.zeros((z.shape[1], h0.shape[1]), dtype=np.result_type(z, dh0))
        db_cond = np.zeros(h0.shape[1], dtype=dh0.dtype)
        for n in range(z.shape[0]):
            da = dh0[n] * (1 - h0[n] * h0[n])
            dW_cond += np.outer(z[n], da)
            db_cond += da
        dparams["W_cond"], dparams["b_cond"] = dW_cond, db_cond
    return dparams


def char_lm_loss(ids, params, cell="rnn", z=None):
    """Reads ids[:, :-1], scored on ids[:, 1:]."""
    logits, cache = char_lm_forward(ids[:, :-1], params, cell, z)
    loss, dlogits = temporal_softmax_cross_entropy(logits, ids[:, 1:])
    return loss, char_lm_backward(dlogits, cache)


def next_token_probs(logits, temperature=1.0, top_k=None):
    """softmax(logits / temperature) over the top_k highest, row by row; greedy at temperature 0."""
    N, V = logits.shape
    if temperature == 0:
        probs = np.zeros((N, V))
        for n in range(N):
            probs[n, _first_argmax(logits[n])] = 1.0
        return probs
    rows = []
    for n in range(N):
        row = logits[n] / temperature
        if top_k is not None and top_k < V:
            kth = np.sort(row)[V - top_k]
            row = np.where(row >= kth, row, -np.inf)
        e = np.exp(row - np.max(row))
        rows.append(e / np.sum(e))
    return np.stack(rows) if rows else (logits / temperature).copy()


def sample_from(probs, u):
    """First token whose cumulative probability exceeds u[n]; the last possible one on rounding."""
    N, V = probs.shape
    out = np.empty(N, dtype=np.int64)
    for n in range(N):
        cumulative = np.cumsum(probs[n])
        if cumulative[-1] > u[n]:
            j = 0
            while not cumulative[j] > u[n]:
                j += 1
        else:
            j = V - 1
            while j > 0 and not probs[n, j] > 0:
                j -= 1
            if not probs[n, j] > 0:
                j = V - 1
        out[n] = j
    return out


def generate(params, prompt, length, temperature=1.0, top_k=None, seed=0, cell="rnn", z=None):
    """Read the prompt, then sample `length` tokens, one rng.random(N) per step; (N, L) int64."""
    rng = np.random.default_rng(seed)
    N, P = prompt.shape
    h = initial_state(N, params, z)
    state = (h, np.zeros_like(h)) if cell == "lstm" else h
    W_embed, W_out, b_out = params["W_embed"], params["W_out"], params["b_out"]
    for p in range(P):
        x_t = np.stack([W_embed[prompt[n, p]] for n in range(N)])
        h, state = cell_step(cell, x_t, state, *recurrent(params))
    out = np.empty((N, length), dtype=np.int64)
    for t in range(length):
        probs = next_token_probs(h @ W_out + b_out, temperature, top_k)
        tokens = sample_from(probs, rng.random(N))
        for n in range(N):
            out[n, t] = tokens[n]
        x_t = np.stack([W_embed[tokens[n]] for n in range(N)])
        h, state = cell_step(cell, x_t, state, *recurrent(params))
    return out
