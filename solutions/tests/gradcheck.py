"""Gradient checking for the public tests: finite differences of a loss, or of a forward pass."""
import numpy as np

from mistakes import assert_close, looks_like


def numeric_gradients(loss, params, eps=1e-6):
    """Centred finite differences of loss() with respect to every array in params."""
    grads = {}
    for name, p in params.items():
        grads[name] = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            plus = loss()
            p[i] = old - eps
            minus = loss()
            p[i] = old
            grads[name][i] = (plus - minus) / (2 * eps)
    return grads


def random_params(shapes, seed):
    """Normal parameters (scale 0.5) for a dict name -> shape."""
    rng = np.random.default_rng(seed)
    return {name: rng.normal(scale=0.5, size=shape) for name, shape in shapes.items()}


def scaled(factor):
    """A known mistake whose every gradient is `factor` times the right one."""
    return lambda numeric: {name: factor * grad for name, grad in numeric.items()}


def zero(*names):
    """A known mistake whose gradients for `names` are zero (and the others right)."""
    return lambda numeric: {name: np.zeros_like(numeric[name]) for name in names}


def assert_gradients(loss_and_grads, params, known=()):
    """loss_and_grads() -> (loss, dparams) must give the finite-difference gradient of its loss.

    known: (feedback, mistake) pairs, where mistake(numeric gradients) gives the gradients that
    mistake returns (a dict; the names it leaves out are right), as `scaled` and `zero` do. A
    mistake is named only when it explains all of your gradients, not just the first that differs.
    """
    __tracebackhide__ = True  # pytest: report a failure at the test's line
    _, grads = loss_and_grads()
    assert sorted(grads) == sorted(params), "dparams must have the keys of params"
    numeric = numeric_gradients(lambda: loss_and_grads()[0], params)
    mistakes = [(feedback, {**numeric, **mistake(numeric)}) for feedback, mistake in known]
    explaining = [(feedback, wrong) for feedback, wrong in mistakes
                  if all(looks_like(grads[name], wrong[name], rtol=1e-5, atol=1e-7) for name in params)]
    for name in params:
        assert_close(grads[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name,
                     known=[(feedback, wrong[name]) for feedback, wrong in explaining])


def assert_backward(forward, backward, inputs, upstream):
    """backward(*upstream, cache) must give, in the order of `inputs`, the finite-difference
    gradients of sum(upstream[k] * forward's k-th output) with respect to each of `inputs` (the
    forward's arguments by name, in its order; the cache is its last output). Sizes that are all
    different let no transposed or swapped axis pass by symmetry."""
    __tracebackhide__ = True
    cache = forward(**inputs)[-1]
    grads = backward(*upstream, cache)

    def loss():
        outputs = forward(**inputs)
        return sum(np.sum(u * out) for u, out in zip(upstream, outputs))
    numeric = numeric_gradients(loss, inputs)
    for (name, got) in zip(inputs, grads):
        assert_close(got, numeric[name], rtol=1e-5, atol=1e-7, err_msg=f"d{name}")
