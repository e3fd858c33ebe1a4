"""timeseries with numpy.lib.stride_tricks.sliding_window_view for the windows (copied out of the
strided view), copies for the split, the scaler and the errors via einsum, the baselines via
fancy indexing and np.broadcast_to, and the forecaster's output layer and its gradients via
einsum, the recurrent layer's upstream gradient made with np.pad."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .architectures import recurrent_shapes
from .bidirectional import CELLS


def make_windows(series, window, horizon=1):
    values = np.atleast_2d(series.T).T  # (T,) -> (T, 1)
    # (T - W + 1, F, W) views, then time second: (M, W, F)
    X = sliding_window_view(values, window, axis=0).transpose(0, 2, 1)
    Y = sliding_window_view(values[:, 0], horizon)
    M = len(values) - window - horizon + 1
    return np.array(X[:M]), np.array(Y[window:window + M])


def chronological_split(series, train_fraction, window):
    n = int(series.shape[0] * train_fraction)
    return series[:n].copy(), series[n - window:].copy()


def fit_scaler(train):
    T = train.shape[0]
    subscripts = "t->" if train.ndim == 1 else "tf->f"
    mean = np.einsum(subscripts, train.astype(np.float64)) / T
    centred = train - mean
    var = np.einsum(subscripts, centred * centred) / T
    return np.asarray(mean), np.sqrt(var)


def prepare_forecasting(series, window, horizon, train_fraction):
    train, test = chronological_split(series, train_fraction, window)
    mean, std = fit_scaler(train)
    scale = np.reciprocal(std)
    out = {}
    for name, part in (("train", train), ("test", test)):
        out[f"X_{name}"], out[f"Y_{name}"] = make_windows((part - mean) * scale, window, horizon)
    out["mean"], out["std"] = mean, std
    return out


def naive_forecast(X, horizon):
    last = X[:, -1, 0]
    return np.broadcast_to(last[:, None], (X.shape[0], horizon)).copy()


def seasonal_naive_forecast(X, horizon, season):
    W = X.shape[1]
    steps = W - season + np.arange(horizon) % season
    return np.take(X[..., 0], steps, axis=1)


def moving_average_forecast(X, horizon, k):
    tail = X[:, X.shape[1] - k:, 0]
    mean = np.einsum("mk->m", tail) / k
    return np.broadcast_to(mean[:, None], (X.shape[0], horizon)).copy()


def mae(y_true, y_pred):
    diff = np.ravel(y_true - y_pred)
    return float(np.linalg.norm(diff, 1) / diff.size)


def rmse(y_true, y_pred):
    diff = np.ravel(y_true - y_pred)
    return float(np.linalg.norm(diff) / np.sqrt(diff.size))


def forecaster_shapes(cell, features, units, horizon):
    """Parameter shapes of forecaster_*: the recurrent layer, "W_out" (H, horizon), "b_out"."""
    return {**recurrent_shapes(cell, features, units), "W_out": (units, horizon), "b_out": (horizon,)}


def forecaster_forward(X, params, cell="rnn"):
    forward, _ = CELLS[cell]
    h0 = np.zeros((X.shape[0], params["Wh"].shape[0]), dtype=X.dtype)
    h, recurrent_cache = forward(X, h0, params["Wx"], params["Wh"], params["b"])
    h_last = h[:, -1]
    Y_hat = np.einsum("mh,ho->mo", h_last, params["W_out"]) + params["b_out"]
    return Y_hat, {"cell": cell, "steps": X.shape[1], "h_last": h_last, "W_out": params["W_out"],
                   "recurrent": recurrent_cache}


def forecaster_backward(dY_hat, cache):
    _, backward = CELLS[cache["cell"]]
    dW_out = np.einsum("mh,mo->ho", cache["h_last"], dY_hat)
    db_out = np.einsum("mo->o", dY_hat)
    dlast = np.einsum("mo,ho->mh", dY_hat, cache["W_out"])
    dh = np.pad(dlast[:, None, :], ((0, 0), (cache["steps"] - 1, 0), (0, 0)))
    _, _, dWx, dWh, db = backward(dh, cache["recurrent"])
    return {"Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}


def forecaster_loss(X, Y, params, cell="rnn"):
    Y_hat, cache = forecaster_forward(X, params, cell)
    error = Y_hat - Y
    n = error.size
    loss = np.einsum("mo,mo->", error, error) / n
    return float(loss), forecaster_backward(error * (2.0 / n), cache)
