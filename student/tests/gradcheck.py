"""Gradient checking for the public tests of Sessions 3 and 4: finite differences of a loss."""
import numpy as np
from numpy.testing import assert_allclose


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


def assert_gradients(loss_and_grads, params):
    """loss_and_grads() -> (loss, dparams) must give the finite-difference gradient of its loss."""
    _, grads = loss_and_grads()
    assert sorted(grads) == sorted(params), "dparams must have the keys of params"
    numeric = numeric_gradients(lambda: loss_and_grads()[0], params)
    for name in params:
        assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name)
