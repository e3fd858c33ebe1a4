"""layers with explicit Python loops over the batch and time, a piecewise np.where sigmoid and tuple caches."""
import numpy as np


def sigmoid(a):
    a = np.asarray(a)
    dtype = a.dtype if a.dtype.kind == "f" else np.float64
    a = a.astype(dtype)
    e = np.exp(-np.abs(a))  # never overflows
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(dtype)


def softmax(a, axis=-1):
    a = np.asarray(a)
    moved = np.moveaxis(a, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty_like(flat)
    for row in range(flat.shape[0]):
        v = flat[row]
        e = np.exp(v - v.max())
        out[row] = e / e.sum()
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def affine_forward(x, W, b):
    N = x.shape[0]
    out = np.empty((N, W.shape[1]), dtype=np.result_type(x, W, b))
    for n in range(N):
        out[n] = x[n] @ W + b
    return out, (x, W)


def affine_backward(dout, cache):
    x, W = cache
    N, D = x.shape
    dx = np.empty((N, D), dtype=np.result_type(dout, W))
    dW = np.zeros(W.shape, dtype=np.result_type(dout, x))
    db = np.zeros(dout.shape[1], dtype=dout.dtype)
    for n in range(N):
        dx[n] = W @ dout[n]
        dW += np.outer(x[n], dout[n])
        db += dout[n]
    return dx, dW, db


def temporal_affine_forward(x, W, b):
    N, T, _ = x.shape
    out = np.empty((N, T, W.shape[1]), dtype=np.result_type(x, W, b))
    for t in range(T):
        out[:, t], _ = affine_forward(x[:, t], W, b)
    return out, (x, W)


def temporal_affine_backward(dout, cache):
    x, W = cache
    N, T, H = x.shape
    dx = np.empty((N, T, H), dtype=np.result_type(dout, W))
    dW = np.zeros(W.shape, dtype=np.result_type(dout, x))
    db = np.zeros(W.shape[1], dtype=dout.dtype)
    for t in range(T):
        dx_t, dW_t, db_t = affine_backward(dout[:, t], (x[:, t], W))
        dx[:, t] = dx_t
        dW += dW_t
        db += db_t
    return dx, dW, db


def embedding_forward(ids, W):
    N, T = ids.shape
    out = np.empty((N, T, W.shape[1]), dtype=W.dtype)
    for n in range(N):
        for t in range(T):
            out[n, t] = W[ids[n, t]]
    return out, (ids.copy(), W.shape[0])


def embedding_backward(dout, cache):
    ids, V = cache
    N, T = ids.shape
    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)
    for n in range(N):
        for t in range(T):
            dW[ids[n, t]] += dout[n, t]
    return dW


def _one_row(logits_row, label):
    """-log softmax(row)[label] and its gradient, for one example."""
    shifted = logits_row - logits_row.max()
    e = np.exp(shifted)
    total = e.sum()
    loss = np.log(total) - shifted[label]
    grad = e / total
    grad[label] -= 1
    return loss, grad


def softmax_cross_entropy(logits, y):
    N = logits.shape[0]
    loss = 0.0
    dlogits = np.empty_like(logits)
    for n in range(N):
        loss_n, dlogits[n] = _one_row(logits[n], y[n])
        loss += loss_n
    return float(loss / N), dlogits / N


def temporal_softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    loss = 0.0
    dlogits = np.zeros_like(logits)
    for n in range(N):
        for t in range(T):
            if mask is not None and not mask[n, t]:
                continue
            loss_nt, grad = _one_row(logits[n, t], y[n, t])
            loss += loss_nt
            dlogits[n, t] = grad / N
    return float(loss / N), dlogits
