"""Session 4: time-series forecasting, from windows to an RNN forecaster, without leakage.

A series y_0 .. y_{T-1} (T,) or with features (T, F); the target is feature 0. A forecaster
reads a window of the last W values and predicts the next `horizon` values of the target:

    inputs  y_{i} .. y_{i+W-1}           (W, F)
    targets y_{i+W} .. y_{i+W+horizon-1}  (horizon,)

Leakage is any path by which the test part reaches training: a random split of windows
(neighbouring windows share values), or a scaler fitted on the whole series (its mean knows
the test part's level). Here the split is chronological and the scaler sees training data only.

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np

from .architectures import last_state, last_state_backward, recurrent, recurrent_shapes
from .bidirectional import CELLS
from .layers import affine_backward, affine_forward


def make_windows(series, window, horizon=1):
    """All (inputs, targets) pairs of a series, in time order.

    Args:
        series: (T,) or (T, F) values; the target is feature 0.
        window: W, steps the forecaster reads.
        horizon: steps it predicts (1: one-step forecasting).

    Returns:
        X: (M, W, F) inputs, X[i] = series[i : i + W] (F = 1 for a 1-D series).
        Y: (M, horizon) targets, Y[i] = series[i + W : i + W + horizon, 0].
        M = T - W - horizon + 1.
    """
    # BEGIN SOLUTION
    values = series.reshape(len(series), -1)
    M = len(values) - window - horizon + 1
    X = np.stack([values[i:i + window] for i in range(M)])
    Y = np.stack([values[i + window:i + window + horizon, 0] for i in range(M)])
    return X, Y
    # END SOLUTION


def chronological_split(series, train_fraction, window):
    """Split a series in time: the first part trains, the rest tests.

    The test part starts `window` steps before the split, so that its first window predicts
    the first test value: those steps are inputs only, never targets, so nothing leaks.

    Args:
        series: (T,) or (T, F).
        train_fraction: share of the steps that train, e.g. 0.8.
        window: W, as in make_windows.

    Returns:
        train: series[:n], test: series[n - W:], with n = int(T * train_fraction).
    """
    # BEGIN SOLUTION
    n = int(len(series) * train_fraction)
    return series[:n], series[n - window:]
    # END SOLUTION


def fit_scaler(train):
    """Mean and standard deviation per feature, from the training part only.

    Args:
        train: (T,) or (T, F).

    Returns:
        mean, std: float64 arrays of shape () for (T,), (F,) for (T, F).
    """
    # BEGIN SOLUTION
    return train.mean(axis=0), train.std(axis=0)
    # END SOLUTION


def prepare_forecasting(series, window, horizon, train_fraction):
    """Split chronologically, fit the scaler on the training part, scale both, cut windows.

    Returns:
        dict with X_train, Y_train, X_test, Y_test (scaled, as make_windows gives them),
        and mean, std (of the training part) to unscale forecasts: y = y_scaled * std + mean.
    """
    # BEGIN SOLUTION
    train, test = chronological_split(series, train_fraction, window)
    mean, std = fit_scaler(train)
    X_train, Y_train = make_windows((train - mean) / std, window, horizon)
    X_test, Y_test = make_windows((test - mean) / std, window, horizon)
    return {"X_train": X_train, "Y_train": Y_train, "X_test": X_test, "Y_test": Y_test,
            "mean": mean, "std": std}
    # END SOLUTION


# ---------------------------------------------------------------------------
# Baselines and errors: what a forecaster must beat, and how it is scored


def naive_forecast(X, horizon):
    """Repeat the last value of each window's target series (feature 0): (M, W, F) -> (M, horizon)."""
    # BEGIN SOLUTION
    return np.repeat(X[:, -1, :1], horizon, axis=1)
    # END SOLUTION


def seasonal_naive_forecast(X, horizon, season):
    """The value one season before each predicted step: yhat_{W+h} = y_{W+h-season}, where y is
    each window's target series (feature 0), repeating the last season when horizon > season.
    Needs W >= season.

    Returns:
        (M, horizon).
    """
    # BEGIN SOLUTION
    W = X.shape[1]
    steps = [W - season + h % season for h in range(horizon)]
    return X[:, steps, 0]
    # END SOLUTION


def moving_average_forecast(X, horizon, k):
    """The mean of the last k values of each window's target series (feature 0), repeated:
    (M, W, F) -> (M, horizon)."""
    # BEGIN SOLUTION
    return np.repeat(X[:, -k:, 0].mean(axis=1, keepdims=True), horizon, axis=1)
    # END SOLUTION


def mae(y_true, y_pred):
    """Mean absolute error over all entries."""
    # BEGIN SOLUTION
    return float(np.mean(np.abs(y_true - y_pred)))
    # END SOLUTION


def rmse(y_true, y_pred):
    """Root mean squared error over all entries."""
    # BEGIN SOLUTION
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))
    # END SOLUTION


# ---------------------------------------------------------------------------
# An RNN forecaster: many-to-one on real-valued windows


def forecaster_shapes(cell, features, units, horizon):
    """Parameter shapes of forecaster_*: the recurrent layer, "W_out" (H, horizon), "b_out"."""
    return {**recurrent_shapes(cell, features, units), "W_out": (units, horizon), "b_out": (horizon,)}


def forecaster_forward(X, params, cell="rnn"):
    """Y_hat = (last hidden state of a recurrent layer over X, from h0 = 0) W_out + b_out.

    Args:
        X: (M, W, F) windows.
        params: see forecaster_shapes.
        cell: "rnn", "lstm" or "gru".

    Returns:
        Y_hat: (M, horizon).
        cache: whatever forecaster_backward needs.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    M, W, _ = X.shape
    h0 = np.zeros((M, params["Wh"].shape[0]), dtype=X.dtype)
    h, cell_cache = cell_forward(X, h0, *recurrent(params))
    lengths = np.full(M, W)
    Y_hat, out_cache = affine_forward(last_state(h, lengths), params["W_out"], params["b_out"])
    return Y_hat, {"cell": cell, "lengths": lengths, "W": W, "recurrent": cell_cache, "out": out_cache}
    # END SOLUTION


def forecaster_backward(dY_hat, cache):
    """Backward pass of forecaster_forward.

    Returns:
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    _, cell_backward = CELLS[cache["cell"]]
    dlast, dW_out, db_out = affine_backward(dY_hat, cache["out"])
    _, _, dWx, dWh, db = cell_backward(last_state_backward(dlast, cache["lengths"], cache["W"]), cache["recurrent"])
    return {"Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}
    # END SOLUTION


def forecaster_loss(X, Y, params, cell="rnn"):
    """Mean squared error of forecaster_forward over all M x horizon entries, and its gradient.

    Returns:
        loss: float.
        dparams: dict with the keys and shapes of params.
    """
    # BEGIN SOLUTION
    Y_hat, cache = forecaster_forward(X, params, cell)
    error = Y_hat - Y
    return float(np.mean(error ** 2)), forecaster_backward(2 * error / error.size, cache)
    # END SOLUTION
