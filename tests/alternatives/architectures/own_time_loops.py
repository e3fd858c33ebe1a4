"""architectures with its own explicit time loops over the step functions, computed in float64.

Differs from the reference: the recurrent layers are not run through `bidirectional.CELLS`
(rnn_forward / rnn_backward ...) but by this module's own loops over rnn_step_forward,
lstm_step_forward, gru_step_forward and a reversed-time loop over their *_step_backward;
the gradient of the last real state is injected into that reversed loop at step
lengths[n] - 1 instead of being spread into a (N, T, H) array (also for the encoder of
seq2seq); the model forward/backward functions and the convolution (im2col through an index
array, scattered back with np.add.at) compute in float64 and cast their results back to the
inputs' dtype, keeping in their caches the dtypes to restore; the max over time is a running
loop; sample_from uses np.searchsorted per row. Decoding (greedy_decode, generate,
next_token_probs) runs in the parameters' own dtype so that the tokens match exactly.
"""
import numpy as np

from .bidirectional import CELLS  # noqa: F401  (kept importable for callers of this module)
from .data import PAD, START
from .gru import gru_step_backward, gru_step_forward
from .layers import softmax, softmax_cross_entropy, temporal_softmax_cross_entropy
from .lstm import lstm_step_backward, lstm_step_forward
from .rnn import rnn_step_backward, rnn_step_forward

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
# float64 helpers and this module's own time loops (private)


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _dtypes(params):
    return {name: np.asarray(value).dtype for name, value in params.items()}


def _common(params):
    return np.result_type(*[np.asarray(v).dtype for v in params.values()])


def _cast(dparams, dtypes):
    return {name: g.astype(dtypes[name], copy=False) for name, g in dparams.items()}


def _run_cell(cell, x, h0, Wx, Wh, b):
    """Forward over time with the step functions; returns (h (N, T, H), list of step caches)."""
    if cell not in ("rnn", "lstm", "gru"):
        raise ValueError(f"unknown cell {cell!r}")
    N, T, _ = x.shape
    h, c = h0, np.zeros_like(h0)
    hs = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx))
    steps = []
    for t in range(T):
        if cell == "lstm":
            h, c, step_cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        elif cell == "gru":
            h, step_cache = gru_step_forward(x[:, t], h, Wx, Wh, b)
        else:
            h, step_cache = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        hs[:, t] = h
        steps.append(step_cache)
    return hs, steps


def _bptt(cell, steps, N, H, dh_all=None, inject=None):
    """Reversed-time loop over the step backward functions.

    dh_all: (N, T, H) gradient of every output state, or None.
    inject: (t_index (N,), g (N, H)): g[n] is added to the gradient of h at step t_index[n].

    Returns dx (N, T, D), dh0 (N, H), dWx, dWh, db.
    """
    T = len(steps)
    dh = np.zeros((N, H))
    dc = np.zeros((N, H))
    dx_steps = [None] * T
    dWx = dWh = db = None
    for t in reversed(range(T)):
        g = dh if dh_all is None else dh + dh_all[:, t]
        if inject is not None:
            g = g + np.where((inject[0] == t)[:, None], inject[1], 0.0)
        if cell == "lstm":
            dx_t, dh, dc, dWx_t, dWh_t, db_t = lstm_step_backward(g, dc, steps[t])
        elif cell == "gru":
            dx_t, dh, dWx_t, dWh_t, db_t = gru_step_backward(g, steps[t])
        else:
            dx_t, dh, dWx_t, dWh_t, db_t = rnn_step_backward(g, steps[t])
        dx_steps[t] = dx_t
        if dWx is None:
            dWx, dWh, db = dWx_t.copy(), dWh_t.copy(), db_t.copy()
        else:
            dWx += dWx_t
            dWh += dWh_t
            db += db_t
    return np.stack(dx_steps, axis=1), dh, dWx, dWh, db


def _embed_grad(dx, ids, V):
    dW = np.zeros((V, dx.shape[-1]))
    np.add.at(dW, np.asarray(ids).ravel(), dx.reshape(-1, dx.shape[-1]))
    return dW


def _rec64(params, suffix=""):
    return tuple(_f64(params[name + suffix]) for name in RECURRENT)


# ---------------------------------------------------------------------------
# Many-to-one


def last_state(h, lengths):
    """out[n] = h[n, lengths[n] - 1], through a flat (N*T, H) view."""
    N, T, H = h.shape
    return h.reshape(N * T, H)[np.arange(N) * T + np.asarray(lengths) - 1]


def last_state_backward(dout, lengths, T):
    """dh (N, T, H), zero except dh[n, lengths[n] - 1] = dout[n]."""
    N, H = dout.shape
    flat = np.zeros((N * T, H), dtype=dout.dtype)
    flat[np.arange(N) * T + np.asarray(lengths) - 1] = dout
    return flat.reshape(N, T, H)


def many_to_one_forward(ids, lengths, params, cell="rnn"):
    """embedding -> recurrent layer (h0 = 0) -> last real state -> affine; logits (N, C)."""
    N = ids.shape[0]
    Wx, Wh, b = _rec64(params)
    h0 = np.zeros((N, Wh.shape[0]))
    h, steps = _run_cell(cell, _f64(params["W_embed"])[ids], h0, Wx, Wh, b)
    last = last_state(h, lengths)
    W_out = _f64(params["W_out"])
    logits = last @ W_out + _f64(params["b_out"])
    cache = {"cell": cell, "ids": ids, "V": params["W_embed"].shape[0], "t_last": np.asarray(lengths) - 1,
             "steps": steps, "NH": (N, Wh.shape[0]), "last": last, "W_out": W_out,
             "dtypes": _dtypes(params)}
    return logits.astype(_common(params), copy=False), cache


def many_to_one_backward(dlogits, cache):
    dlogits = _f64(dlogits)
    dlast = dlogits @ cache["W_out"].T
    dx, _, dWx, dWh, db = _bptt(cache["cell"], cache["steps"], *cache["NH"],
                                inject=(cache["t_last"], dlast))
    dparams = {"W_embed": _embed_grad(dx, cache["ids"], cache["V"]), "Wx": dWx, "Wh": dWh, "b": db,
               "W_out": cache["last"].T @ dlogits, "b_out": dlogits.sum(axis=0)}
    return _cast(dparams, cache["dtypes"])


def many_to_one_loss(ids, lengths, y, params, cell="rnn"):
    logits, cache = many_to_one_forward(ids, lengths, params, cell)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, many_to_one_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# Tagger


def tagger_forward(ids, params, cell="rnn"):
    """embedding -> recurrent layer (h0 = 0) -> affine at every step; logits (N, T, K)."""
    N = ids.shape[0]
    Wx, Wh, b = _rec64(params)
    h, steps = _run_cell(cell, _f64(params["W_embed"])[ids], np.zeros((N, Wh.shape[0])), Wx, Wh, b)
    W_out = _f64(params["W_out"])
    logits = h @ W_out + _f64(params["b_out"])
    cache = {"cell": cell, "ids": ids, "V": params["W_embed"].shape[0], "steps": steps,
             "NH": (N, Wh.shape[0]), "h": h, "W_out": W_out, "dtypes": _dtypes(params)}
    return logits.astype(_common(params), copy=False), cache


def tagger_backward(dlogits, cache):
    dlogits = _f64(dlogits)
    h = cache["h"]
    dh = dlogits @ cache["W_out"].T
    dx, _, dWx, dWh, db = _bptt(cache["cell"], cache["steps"], *cache["NH"], dh_all=dh)
    H = h.shape[2]
    dparams = {"W_embed": _embed_grad(dx, cache["ids"], cache["V"]), "Wx": dWx, "Wh": dWh, "b": db,
               "W_out": h.reshape(-1, H).T @ dlogits.reshape(-1, dlogits.shape[2]),
               "b_out": dlogits.sum(axis=(0, 1))}
    return _cast(dparams, cache["dtypes"])


def tagger_loss(ids, tags, mask, params, cell="rnn"):
    logits, cache = tagger_forward(ids, params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tags, mask)
    return loss, tagger_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# Encoder-decoder


def decoder_inputs(tgt):
    """in[:, 0] = START, in[:, t] = tgt[:, t - 1]; same dtype as tgt."""
    out = np.full_like(tgt, START)
    out[:, 1:] = tgt[:, :-1]
    return out


def seq2seq_forward(src, src_lengths, tgt_in, params, cell="rnn"):
    """Encoder's last real state starts the decoder (LSTM: c restarts at 0); logits (N, T, V_tgt)."""
    N = src.shape[0]
    Wx_e, Wh_e, b_e = _rec64(params, "_enc")
    h_enc, enc_steps = _run_cell(cell, _f64(params["W_embed_enc"])[src], np.zeros((N, Wh_e.shape[0])),
                                 Wx_e, Wh_e, b_e)
    h_dec, dec_steps = _run_cell(cell, _f64(params["W_embed_dec"])[tgt_in], last_state(h_enc, src_lengths),
                                 *_rec64(params, "_dec"))
    W_out = _f64(params["W_out"])
    logits = h_dec @ W_out + _f64(params["b_out"])
    cache = {"cell": cell, "src": src, "tgt_in": tgt_in, "t_last": np.asarray(src_lengths) - 1,
             "V_src": params["W_embed_enc"].shape[0], "V_tgt": params["W_embed_dec"].shape[0],
             "enc_steps": enc_steps, "dec_steps": dec_steps, "NH": (N, Wh_e.shape[0]),
             "h_dec": h_dec, "W_out": W_out, "dtypes": _dtypes(params)}
    return logits.astype(_common(params), copy=False), cache


def seq2seq_backward(dlogits, cache):
    dlogits = _f64(dlogits)
    h_dec = cache["h_dec"]
    dx_tgt, dh0_dec, dWx_d, dWh_d, db_d = _bptt(cache["cell"], cache["dec_steps"], *cache["NH"],
                                                dh_all=dlogits @ cache["W_out"].T)
    dx_src, _, dWx_e, dWh_e, db_e = _bptt(cache["cell"], cache["enc_steps"], *cache["NH"],
                                          inject=(cache["t_last"], dh0_dec))
    dparams = {"W_embed_enc": _embed_grad(dx_src, cache["src"], cache["V_src"]),
               "Wx_enc": dWx_e, "Wh_enc": dWh_e, "b_enc": db_e,
               "W_embed_dec": _embed_grad(dx_tgt, cache["tgt_in"], cache["V_tgt"]),
               "Wx_dec": dWx_d, "Wh_dec": dWh_d, "b_dec": db_d,
               "W_out": np.einsum("nth,ntv->hv", h_dec, dlogits), "b_out": dlogits.sum(axis=(0, 1))}
    return _cast(dparams, cache["dtypes"])


def seq2seq_loss(src, src_lengths, tgt, params, cell="rnn"):
    logits, cache = seq2seq_forward(src, src_lengths, decoder_inputs(tgt), params, cell)
    loss, dlogits = temporal_softmax_cross_entropy(logits, tgt, tgt != PAD)
    return loss, seq2seq_backward(dlogits, cache)


def _step(cell, x_t, h, c, Wx, Wh, b):
    """One native-dtype step for decoding: returns (h, c) (c unused except for the LSTM)."""
    if cell == "lstm":
        h, c, _ = lstm_step_forward(x_t, h, c, Wx, Wh, b)
        return h, c
    if cell == "gru":
        return gru_step_forward(x_t, h, Wx, Wh, b)[0], c
    return rnn_step_forward(x_t, h, Wx, Wh, b)[0], c


def greedy_decode(src, src_lengths, params, max_len, cell="rnn"):
    """Own loops in the parameters' dtype: encoder, then max_len argmax steps; (N, T) int64."""
    N, S = src.shape
    Wx, Wh, b = recurrent(params, "_enc")
    h = np.zeros((N, Wh.shape[0]), dtype=params["W_embed_enc"].dtype)
    c = np.zeros_like(h)
    t_last = np.asarray(src_lengths) - 1
    start = np.empty_like(h)
    for t in range(S):
        h, c = _step(cell, params["W_embed_enc"][src[:, t]], h, c, Wx, Wh, b)
        start[t_last == t] = h[t_last == t]
    h, c = start, np.zeros_like(start)
    Wx, Wh, b = recurrent(params, "_dec")
    out = np.empty((N, max_len), dtype=np.int64)
    word = np.full(N, START)
    for t in range(max_len):
        h, c = _step(cell, params["W_embed_dec"][word], h, c, Wx, Wh, b)
        word = (h @ params["W_out"] + params["b_out"]).argmax(axis=1)
        out[:, t] = word
    return out


# ---------------------------------------------------------------------------
# Convolution over time


def conv1d_padding(T, kernel_size, stride, padding):
    """(left, right) zero steps, as Keras' Conv1D."""
    if padding == "same":
        n_out = -(-T // stride)
        total = max(0, (n_out - 1) * stride + kernel_size - T)
        return total // 2, total - total // 2
    if padding == "causal":
        return kernel_size - 1, 0
    if padding == "valid":
        return 0, 0
    raise ValueError(f"unknown padding {padding!r}; use one of {PADDINGS}")


def conv1d_forward(x, W, b, stride=1, padding="valid"):
    """im2col in float64: columns (N * T_out, K * D) times W reshaped (K * D, F)."""
    N, T, D = x.shape
    K, _, F = W.shape
    left, right = conv1d_padding(T, K, stride, padding)
    xp = np.zeros((N, T + left + right, D))
    xp[:, left:left + T] = x
    T_out = (xp.shape[1] - K) // stride + 1
    index = stride * np.arange(T_out)[:, None] + np.arange(K)[None, :]  # (T_out, K)
    cols = xp[:, index].reshape(N * T_out, K * D)
    W2 = _f64(W).reshape(K * D, F)
    out = (cols @ W2 + _f64(b)).reshape(N, T_out, F)
    cache = {"cols": cols, "W2": W2, "index": index, "xp_shape": xp.shape, "left": left, "T": T,
             "dtype": np.result_type(x, W, b), "K": K}
    return out.astype(cache["dtype"], copy=False), cache


def conv1d_backward(dout, cache):
    """dx (N, T, D), dW (K, D, F), db (F,), in the forward's dtype."""
    N, T_out, F = dout.shape
    d2 = _f64(dout).reshape(N * T_out, F)
    K, (_, Tp, D) = cache["K"], cache["xp_shape"]
    dcols = (d2 @ cache["W2"].T).reshape(N, T_out, K, D)
    dxp = np.zeros((N, Tp, D))
    np.add.at(dxp, (slice(None), cache["index"]), dcols)
    dtype = np.result_type(cache["dtype"], dout.dtype)
    dx = dxp[:, cache["left"]:cache["left"] + cache["T"]]
    dW = (cache["cols"].T @ d2).reshape(K, D, F)
    return dx.astype(dtype), dW.astype(dtype), d2.sum(axis=0).astype(dtype)


def cnn_classifier_forward(ids, params, stride=1, padding="valid"):
    """embedding -> conv1d -> ReLU -> max over time (a running loop) -> affine; logits (N, C)."""
    x = _f64(params["W_embed"])[ids]
    a, conv = conv1d_forward(x, _f64(params["W_conv"]), _f64(params["b_conv"]), stride, padding)
    N, T_out, F = a.shape
    pooled = np.maximum(a[:, 0], 0)
    t_max = np.zeros((N, F), dtype=np.int64)
    for t in range(1, T_out):
        feature = np.maximum(a[:, t], 0)
        better = feature > pooled  # strictly: the first maximum wins a tie
        pooled = np.where(better, feature, pooled)
        t_max = np.where(better, t, t_max)
    active = np.take_along_axis(a, t_max[:, None, :], axis=1)[:, 0] > 0
    W_out = _f64(params["W_out"])
    logits = pooled @ W_out + _f64(params["b_out"])
    cache = {"ids": ids, "V": params["W_embed"].shape[0], "conv": conv, "T_out": T_out, "t_max": t_max,
             "active": active, "pooled": pooled, "W_out": W_out, "dtypes": _dtypes(params)}
    return logits.astype(_common(params), copy=False), cache


def cnn_classifier_backward(dlogits, cache):
    dlogits = _f64(dlogits)
    dpooled = (dlogits @ cache["W_out"].T) * cache["active"]
    t_max = cache["t_max"]
    da = np.stack([np.where(t_max == t, dpooled, 0.0) for t in range(cache["T_out"])], axis=1)
    dx, dW_conv, db_conv = conv1d_backward(da, cache["conv"])
    dparams = {"W_embed": _embed_grad(dx, cache["ids"], cache["V"]), "W_conv": dW_conv, "b_conv": db_conv,
               "W_out": cache["pooled"].T @ dlogits, "b_out": dlogits.sum(axis=0)}
    return _cast(dparams, cache["dtypes"])


def cnn_classifier_loss(ids, y, params, stride=1, padding="valid"):
    logits, cache = cnn_classifier_forward(ids, params, stride, padding)
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, cnn_classifier_backward(dlogits, cache)


# ---------------------------------------------------------------------------
# One-to-one


def one_to_one_forward(x, params):
    """rnn_step_forward from h_prev = 0 (in float64), then an affine layer."""
    Wx = _f64(params["Wx"])
    x64 = _f64(x)
    H = Wx.shape[1]
    h, _ = rnn_step_forward(x64, np.zeros((x64.shape[0], H)), Wx, np.zeros((H, H)), _f64(params["b"]))
    logits = h @ _f64(params["W_out"]) + _f64(params["b_out"])
    cache = {"x": x64, "h": h, "W_out": _f64(params["W_out"]), "dtypes": _dtypes(params)}
    dtype = np.result_type(np.asarray(x).dtype, *[params[k].dtype for k in ("Wx", "b", "W_out", "b_out")])
    return logits.astype(dtype, copy=False), cache


def one_to_one_backward(dlogits, cache):
    dlogits = _f64(dlogits)
    h = cache["h"]
    da = (dlogits @ cache["W_out"].T) * (1 - h ** 2)
    dparams = {"Wx": cache["x"].T @ da, "b": da.sum(axis=0), "W_out": h.T @ dlogits,
               "b_out": dlogits.sum(axis=0)}
    return _cast(dparams, cache["dtypes"])


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
    """h0 = initial_state(N, params, z) (in float64); logits (N, T, V) at every step."""
    N = ids.shape[0]
    p64 = {name: _f64(value) for name, value in params.items()}
    h0 = initial_state(N, p64, None if z is None else _f64(z))
    h, steps = _run_cell(cell, p64["W_embed"][ids], h0, *recurrent(p64))
    logits = h @ p64["W_out"] + p64["b_out"]
    cache = {"cell": cell, "ids": ids, "V": params["W_embed"].shape[0], "steps": steps,
             "NH": h0.shape, "h": h, "h0": h0, "z": None if z is None else _f64(z),
             "W_out": p64["W_out"], "dtypes": _dtypes(params)}
    dtype = _common(params) if z is None else np.result_type(_common(params), np.asarray(z).dtype)
    return logits.astype(dtype, copy=False), cache


def char_lm_backward(dlogits, cache):
    dlogits = _f64(dlogits)
    h = cache["h"]
    dx, dh0, dWx, dWh, db = _bptt(cache["cell"], cache["steps"], *cache["NH"],
                                  dh_all=dlogits @ cache["W_out"].T)
    dparams = {"W_embed": _embed_grad(dx, cache["ids"], cache["V"]), "Wx": dWx, "Wh": dWh, "b": db,
               "W_out": np.einsum("nth,ntv->hv", h, dlogits), "b_out": dlogits.sum(axis=(0, 1))}
    if cache["z"] is not None:
        da = dh0 * (1 - cache["h0"] ** 2)
        dparams["W_cond"] = cache["z"].T @ da
        dparams["b_cond"] = da.sum(axis=0)
    dtypes = dict(cache["dtypes"])
    return {name: g.astype(dtypes.get(name, np.float64), copy=False) for name, g in dparams.items()}


def char_lm_loss(ids, params, cell="rnn", z=None):
    logits, cache = char_lm_forward(ids[:, :-1], params, cell, z)
    loss, dlogits = temporal_softmax_cross_entropy(logits, ids[:, 1:])
    return loss, char_lm_backward(dlogits, cache)


def next_token_probs(logits, temperature=1.0, top_k=None):
    """softmax(logits / temperature) over the top_k highest (ties kept); greedy at temperature 0."""
    N, V = logits.shape
    if temperature == 0:
        probs = np.zeros((N, V))
        probs[np.arange(N), logits.argmax(axis=1)] = 1.0
        return probs
    scaled = logits / temperature
    if top_k is not None and top_k < V:
        kth = -np.sort(-scaled, axis=1)[:, top_k - 1:top_k]
        scaled = np.where(scaled >= kth, scaled, -np.inf)
    return softmax(scaled, axis=1)


def sample_from(probs, u):
    """np.searchsorted(cumsum, u, side="right") per row; the last possible token on rounding."""
    N, V = probs.shape
    out = np.empty(N, dtype=np.int64)
    for n in range(N):
        j = int(np.searchsorted(np.cumsum(probs[n]), u[n], side="right"))
        if j >= V:
            possible = np.flatnonzero(probs[n] > 0)
            j = int(possible[-1]) if possible.size else V - 1
        out[n] = j
    return out


def generate(params, prompt, length, temperature=1.0, top_k=None, seed=0, cell="rnn", z=None):
    """Own loop over the step functions in the parameters' dtype; (N, L) int64."""
    rng = np.random.default_rng(seed)
    N, P = prompt.shape
    Wx, Wh, b = recurrent(params)
    h = initial_state(N, params, z)
    c = np.zeros_like(h)
    for t in range(P):
        h, c = _step(cell, params["W_embed"][prompt[:, t]], h, c, Wx, Wh, b)
    out = np.empty((N, length), dtype=np.int64)
    for t in range(length):
        probs = next_token_probs(h @ params["W_out"] + params["b_out"], temperature, top_k)
        out[:, t] = sample_from(probs, rng.random(N))
        h, c = _step(cell, params["W_embed"][out[:, t]], h, c, Wx, Wh, b)
    return out
