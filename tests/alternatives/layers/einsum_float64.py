"""layers via np.einsum, computed in float64 and cast back to the input dtype; sigmoid by the tanh identity, softmax via logsumexp."""
import numpy as np


def _dtype(*arrays):
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _logsumexp(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def sigmoid(a):
    a = np.asarray(a)
    dtype = _dtype(a)
    a64 = a.astype(np.float64)
    return (0.5 * (1.0 + np.tanh(0.5 * a64))).astype(dtype)


def softmax(a, axis=-1):
    a = np.asarray(a)
    a64 = a.astype(np.float64)
    return np.exp(a64 - _logsumexp(a64, axis)).astype(_dtype(a))


def affine_forward(x, W, b):
    dtype = _dtype(x, W, b)
    out = np.einsum("nd,dm->nm", x.astype(np.float64), W.astype(np.float64)) + b.astype(np.float64)
    return out.astype(dtype), (x, W, dtype)


def affine_backward(dout, cache):
    x, W, dtype = cache
    dtype = np.result_type(dtype, dout)
    d = dout.astype(np.float64)
    dx = np.einsum("nm,dm->nd", d, W.astype(np.float64))
    dW = np.einsum("nd,nm->dm", x.astype(np.float64), d)
    db = np.einsum("nm->m", d)
    return dx.astype(dtype), dW.astype(dtype), db.astype(dtype)


def temporal_affine_forward(x, W, b):
    dtype = _dtype(x, W, b)
    out = np.einsum("nth,hv->ntv", x.astype(np.float64), W.astype(np.float64)) + b.astype(np.float64)
    return out.astype(dtype), (x, W, dtype)


def temporal_affine_backward(dout, cache):
    x, W, dtype = cache
    dtype = np.result_type(dtype, dout)
    d = dout.astype(np.float64)
    dx = np.einsum("ntv,hv->nth", d, W.astype(np.float64))
    dW = np.einsum("nth,ntv->hv", x.astype(np.float64), d)
    db = np.einsum("ntv->v", d)
    return dx.astype(dtype), dW.astype(dtype), db.astype(dtype)


def embedding_forward(ids, W):
    V = W.shape[0]
    one_hot = (np.asarray(ids)[..., None] == np.arange(V)).astype(np.float64)  # (N, T, V)
    out = np.einsum("ntv,vd->ntd", one_hot, W.astype(np.float64))
    return out.astype(W.dtype), (one_hot, W.dtype)


def embedding_backward(dout, cache):
    one_hot, _ = cache
    dW = np.einsum("ntv,ntd->vd", one_hot, dout.astype(np.float64))
    return dW.astype(dout.dtype)


def softmax_cross_entropy(logits, y):
    dtype = _dtype(logits)
    z = logits.astype(np.float64)
    N, C = z.shape
    log_probs = z - _logsumexp(z, axis=1)
    one_hot = np.eye(C)[y]
    loss = -np.einsum("nc,nc->", one_hot, log_probs) / N
    dlogits = (np.exp(log_probs) - one_hot) / N
    return float(loss), dlogits.astype(dtype)


def temporal_softmax_cross_entropy(logits, y, mask=None):
    dtype = _dtype(logits)
    z = logits.astype(np.float64)
    N, T, V = z.shape
    weight = np.ones((N, T)) if mask is None else np.asarray(mask, dtype=np.float64)
    log_probs = z - _logsumexp(z, axis=2)
    one_hot = np.eye(V)[y]
    loss = -np.einsum("nt,ntv,ntv->", weight, one_hot, log_probs) / N
    dlogits = np.einsum("nt,ntv->ntv", weight, np.exp(log_probs) - one_hot) / N
    return float(loss), dlogits.astype(dtype)
