"""layers with class caches, tensordot/reshape maths, bincount-based embedding gradients and losses built on softmax itself."""
from collections import namedtuple

import numpy as np

AffineCache = namedtuple("AffineCache", "x W")


class EmbeddingCache:
    """The flattened ids and the vocabulary size."""

    def __init__(self, ids, vocab_size):
        self.flat_ids = np.array(ids).reshape(-1)
        self.vocab_size = vocab_size


def sigmoid(a):
    a = np.asarray(a)
    out = np.empty(a.shape, dtype=a.dtype if a.dtype.kind == "f" else np.float64)
    positive = a >= 0
    out[positive] = 1 / (1 + np.exp(-a[positive]))
    exp_a = np.exp(a[~positive])
    out[~positive] = exp_a / (1 + exp_a)
    return out


def softmax(a, axis=-1):
    a = np.asarray(a)
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e * (1 / np.sum(e, axis=axis, keepdims=True))


def affine_forward(x, W, b):
    out = np.tensordot(x, W, axes=([1], [0])) + b[None, :]
    return out, AffineCache(x, W)


def affine_backward(dout, cache):
    dx = np.tensordot(dout, cache.W, axes=([1], [1]))
    dW = np.tensordot(cache.x, dout, axes=([0], [0]))
    db = np.ones(dout.shape[0], dtype=dout.dtype) @ dout
    return dx, dW, db


def temporal_affine_forward(x, W, b):
    N, T, H = x.shape
    out, _ = affine_forward(x.reshape(N * T, H), W, b)
    return out.reshape(N, T, -1), AffineCache(x, W)


def temporal_affine_backward(dout, cache):
    N, T, H = cache.x.shape
    V = dout.shape[-1]
    dx, dW, db = affine_backward(dout.reshape(N * T, V), AffineCache(cache.x.reshape(N * T, H), cache.W))
    return dx.reshape(N, T, H), dW, db


def embedding_forward(ids, W):
    out = np.take(W, ids, axis=0)
    return out, EmbeddingCache(ids, W.shape[0])


def embedding_backward(dout, cache):
    D = dout.shape[-1]
    flat = dout.reshape(-1, D)
    dW = np.empty((cache.vocab_size, D), dtype=dout.dtype)
    for d in range(D):
        dW[:, d] = np.bincount(cache.flat_ids, weights=flat[:, d], minlength=cache.vocab_size)
    return dW


def softmax_cross_entropy(logits, y):
    N = logits.shape[0]
    probs = softmax(logits, axis=1)
    rows = np.arange(N)
    # log p_y computed stably: (z_y - max) - log(sum exp(z - max))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted[rows, y] - np.log(np.exp(shifted).sum(axis=1))
    dlogits = probs.copy()
    dlogits[rows, y] = dlogits[rows, y] - 1
    return float(-log_p.mean()), dlogits / N


def temporal_softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    counted = np.ones((N, T), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    loss = 0.0
    dlogits = np.zeros_like(logits)
    for t in range(T):
        keep = counted[:, t]
        if not keep.any():
            continue
        loss_t, d_t = softmax_cross_entropy(logits[keep, t], y[keep, t])
        n_kept = int(keep.sum())
        # softmax_cross_entropy averages over the n_kept rows; the loss divides by N instead.
        loss += loss_t * n_kept / N
        dlogits[keep, t] = d_t * n_kept / N
    return float(loss), dlogits
