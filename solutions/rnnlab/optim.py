"""A plain Adam optimiser for the numpy training loops of the notebooks."""
import numpy as np


class Adam:
    """Adam (Kingma and Ba, 2015) over a dict of named parameter arrays.

    Updates the arrays in place, so a model holding them sees the new values.

    Args:
        params: dict name -> array, the parameters to train.
        lr: learning rate.
        beta1, beta2: decay rates of the first and second moment estimates.
        eps: keeps the division finite.
    """

    def __init__(self, params, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params = params
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}
        self.t = 0

    def step(self, grads):
        """Apply one update from `grads`, a dict with the same names as params."""
        self.t += 1
        for name, p in self.params.items():
            g = grads[name]
            self.m[name] = self.beta1 * self.m[name] + (1 - self.beta1) * g
            self.v[name] = self.beta2 * self.v[name] + (1 - self.beta2) * g**2
            m_hat = self.m[name] / (1 - self.beta1**self.t)
            v_hat = self.v[name] / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
