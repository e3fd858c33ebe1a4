"""Shared layers: activations, affine maps, embeddings and softmax losses.

Every recurrent model of the day is built from these pieces. Shapes use
N for the batch, T for time steps, D for input features, H for hidden units,
V (or C) for output classes.

A forward function returns `(out, cache)`; its backward function takes the
upstream gradient and that cache. What goes into a cache is up to you.

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np


def sigmoid(a):
    """The logistic function, computed without overflow.

    sigmoid(a) = 1 / (1 + exp(-a))

    Args:
        a: array of any shape.

    Returns:
        array of the same shape and dtype as `a`, every value in [0, 1].

    It must give the right values for large |a| too (the tests try a = -1000 and 1000):
    `exp(a) / (1 + exp(a))` gives inf / inf = NaN there. `1 / (1 + exp(-a))` is right, with an
    overflow warning; `np.exp(-np.logaddexp(0, -a))` (logaddexp(0, -a) is log(1 + exp(-a))
    computed safely) is right without one.
    """
    a = np.asarray(a)
    return np.exp(-np.logaddexp(0, -a))


def softmax(a, axis=-1):
    """Softmax along one axis, computed without overflow.

    softmax(a)_k = exp(a_k) / sum_j exp(a_j)

    Args:
        a: array of any shape.
        axis: the axis to normalise over.

    Returns:
        array of the same shape as `a`; sums to 1 along `axis`.

    Hint: subtracting max(a) along `axis` changes nothing mathematically
    and keeps exp from overflowing.
    """
    shifted = a - np.max(a, axis=axis, keepdims=True)
    exp_a = np.exp(shifted)
    return exp_a / np.sum(exp_a, axis=axis, keepdims=True)


def affine_forward(x, W, b):
    """A fully connected layer.

    out = x @ W + b

    Args:
        x: (N, D) inputs.
        W: (D, M) weights (a Keras Dense `kernel`).
        b: (M,) bias.

    Returns:
        out: (N, M).
        cache: whatever affine_backward needs.
    """
    out = x @ W + b
    cache = {"x": x, "W": W}
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of affine_forward.

    Args:
        dout: (N, M) upstream gradient.
        cache: from affine_forward.

    Returns:
        dx: (N, D), dW: (D, M), db: (M,).
    """
    dx = dout @ cache["W"].T
    dW = cache["x"].T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db


def temporal_affine_forward(x, W, b):
    """The same affine map applied at every time step.

    out[:, t] = x[:, t] @ W + b

    Args:
        x: (N, T, H) hidden states.
        W: (H, V) weights.
        b: (V,) bias.

    Returns:
        out: (N, T, V).
        cache: whatever temporal_affine_backward needs.
    """
    out = x @ W + b
    cache = {"x": x, "W": W}
    return out, cache


def temporal_affine_backward(dout, cache):
    """Backward pass of temporal_affine_forward.

    The weights are shared by all time steps, so their gradients sum over
    both the batch and time.

    Args:
        dout: (N, T, V) upstream gradient.
        cache: from temporal_affine_forward.

    Returns:
        dx: (N, T, H), dW: (H, V), db: (V,).
    """
    x, W = cache["x"], cache["W"]
    dx = dout @ W.T
    dW = np.einsum("nth,ntv->hv", x, dout)
    db = dout.sum(axis=(0, 1))
    return dx, dW, db


def embedding_forward(ids, W):
    """Look up one vector per token id.

    out[n, t] = W[ids[n, t]]

    Args:
        ids: (N, T) integer token ids in [0, V).
        W: (V, D) embedding matrix (a Keras Embedding's `embeddings`).

    Returns:
        out: (N, T, D).
        cache: whatever embedding_backward needs.
    """
    out = W[ids]
    cache = {"ids": ids, "vocab_size": W.shape[0]}
    return out, cache


def embedding_backward(dout, cache):
    """Backward pass of embedding_forward.

    A token that occurs several times receives the sum of its gradients.

    Args:
        dout: (N, T, D) upstream gradient.
        cache: from embedding_forward.

    Returns:
        dW: (V, D).

    Hint: `W_grad[ids] += dout` does not accumulate repeated ids;
    `np.add.at` does.
    """
    ids = cache["ids"]
    dW = np.zeros((cache["vocab_size"], dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dW, ids, dout)
    return dW


def softmax_cross_entropy(logits, y):
    """Mean softmax cross-entropy of a batch and its gradient.

    loss = -(1/N) sum_n log softmax(logits[n])[y[n]]

    Args:
        logits: (N, C) unnormalised scores.
        y: (N,) integer labels in [0, C).

    Returns:
        loss: float.
        dlogits: (N, C) gradient of loss with respect to logits.

    Hint: `log(softmax(z))` is `log(0) = -inf` once a probability underflows (large logits); take
    log softmax(z)_k = (z_k - max z) - log sum_j exp(z_j - max z) instead, which never overflows.
    """
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].sum() / N
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1
    dlogits /= N
    return float(loss), dlogits


def temporal_softmax_cross_entropy(logits, y, mask=None):
    """Softmax cross-entropy at every time step, padding masked out.

    loss = -(1/N) sum_{n,t} mask[n,t] * log softmax(logits[n,t])[y[n,t]]

    Args:
        logits: (N, T, V) unnormalised scores.
        y: (N, T) integer labels in [0, V).
        mask: (N, T) booleans, True where a step counts; None counts all.

    Returns:
        loss: float, summed over counted steps and divided by N.
        dlogits: (N, T, V) gradient of loss with respect to logits.
    """
    N, T, V = logits.shape
    if mask is None:
        mask = np.ones((N, T), dtype=bool)
    flat_logits = logits.reshape(N * T, V)
    flat_y = y.reshape(N * T)
    flat_mask = mask.reshape(N * T)
    shifted = flat_logits - flat_logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    picked = log_probs[np.arange(N * T), flat_y]
    loss = -np.sum(picked * flat_mask) / N
    dflat = np.exp(log_probs)
    dflat[np.arange(N * T), flat_y] -= 1
    dflat *= flat_mask[:, None] / N
    return float(loss), dflat.reshape(N, T, V)
