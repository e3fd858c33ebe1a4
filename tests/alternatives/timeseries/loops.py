"""timeseries written with explicit Python loops: windows, scaler sums, baselines and errors are
filled element by element into preallocated arrays, and the forecaster picks the last step with
plain indexing, does its output layer with a loop over the horizon and builds the upstream
gradient of the recurrent layer step by step (only the last step is non-zero)."""
import math

import numpy as np

from .architectures import recurrent_shapes
from .bidirectional import CELLS


def _as_matrix(series):
    """(T,) -> (T, 1) view; (T, F) unchanged."""
    if series.ndim == 1:
        return series[:, None]
    return series


def make_windows(series, window, horizon=1):
    values = _as_matrix(series)
    T, F = values.shape
    M = T - window - horizon + 1
    X = np.empty((M, window, F), dtype=values.dtype)
    Y = np.empty((M, horizon), dtype=values.dtype)
    for i in range(M):
        for w in range(window):
            for f in range(F):
                X[i, w, f] = values[i + w, f]
        for h in range(horizon):
            Y[i, h] = values[i + window + h, 0]
    return X, Y


def chronological_split(series, train_fraction, window):
    T = len(series)
    n = int(T * train_fraction)
    start = n - window
    train = series[0:n]
    test = series[start:T]
    return train, test


def fit_scaler(train):
    values = _as_matrix(train)
    T, F = values.shape
    totals = [0.0] * F
    for t in range(T):
        for f in range(F):
            totals[f] += float(values[t, f])
    means = [total / T for total in totals]
    squares = [0.0] * F
    for t in range(T):
        for f in range(F):
            squares[f] += (float(values[t, f]) - means[f]) ** 2
    stds = [math.sqrt(s / T) for s in squares]
    if train.ndim == 1:
        return np.array(means[0], dtype=np.float64), np.array(stds[0], dtype=np.float64)
    return np.array(means, dtype=np.float64), np.array(stds, dtype=np.float64)


def prepare_forecasting(series, window, horizon, train_fraction):
    train, test = chronological_split(series, train_fraction, window)
    mean, std = fit_scaler(train)
    scaled = []
    for part in (train, test):
        out = np.empty(part.shape, dtype=np.result_type(part.dtype, np.float64))
        for t in range(len(part)):
            out[t] = (part[t] - mean) / std
        scaled.append(out)
    X_train, Y_train = make_windows(scaled[0], window, horizon)
    X_test, Y_test = make_windows(scaled[1], window, horizon)
    data = {}
    data["X_train"], data["Y_train"] = X_train, Y_train
    data["X_test"], data["Y_test"] = X_test, Y_test
    data["mean"], data["std"] = mean, std
    return data


def naive_forecast(X, horizon):
    M, W = X.shape[0], X.shape[1]
    out = np.empty((M, horizon), dtype=X.dtype)
    for i in range(M):
        for h in range(horizon):
            out[i, h] = X[i, W - 1, 0]
    return out


def seasonal_naive_forecast(X, horizon, season):
    M, W = X.shape[0], X.shape[1]
    out = np.empty((M, horizon), dtype=X.dtype)
    for i in range(M):
        for h in range(horizon):
            back = season - (h % season)  # steps before the end of the window
            out[i, h] = X[i, W - back, 0]
    return out


def moving_average_forecast(X, horizon, k):
    M, W = X.shape[0], X.shape[1]
    out = np.empty((M, horizon), dtype=X.dtype)
    for i in range(M):
        total = 0.0
        for w in range(W - k, W):
            total += float(X[i, w, 0])
        for h in range(horizon):
            out[i, h] = total / k
    return out


def mae(y_true, y_pred):
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    total = 0.0
    for value in diff.ravel():
        total += abs(float(value))
    return total / diff.size


def rmse(y_true, y_pred):
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    total = 0.0
    for value in diff.ravel():
        total += float(value) ** 2
    return math.sqrt(total / diff.size)


def forecaster_shapes(cell, features, units, horizon):
    """Parameter shapes of forecaster_*: the recurrent layer, "W_out" (H, horizon), "b_out"."""
    return {**recurrent_shapes(cell, features, units), "W_out": (units, horizon), "b_out": (horizon,)}


def forecaster_forward(X, params, cell="rnn"):
    run, _ = CELLS[cell]
    M, W = X.shape[0], X.shape[1]
    H = params["Wh"].shape[0]
    h0 = np.zeros((M, H), dtype=X.dtype)
    h, recurrent_cache = run(X, h0, params["Wx"], params["Wh"], params["b"])
    last = h[:, W - 1, :]
    W_out, b_out = params["W_out"], params["b_out"]
    horizon = W_out.shape[1]
    columns = []
    for o in range(horizon):
        columns.append(last @ W_out[:, o] + b_out[o])
    Y_hat = np.stack(columns, axis=1)
    cache = (cell, W, H, last, W_out, recurrent_cache)
    return Y_hat, cache


def forecaster_backward(dY_hat, cache):
    cell, W, H, last, W_out, recurrent_cache = cache
    _, back = CELLS[cell]
    M, horizon = dY_hat.shape
    dW_out = np.empty(W_out.shape, dtype=np.result_type(last, dY_hat))
    db_out = np.empty((horizon,), dtype=dW_out.dtype)
    dlast = np.zeros((M, H), dtype=dW_out.dtype)
    for o in range(horizon):
        dW_out[:, o] = last.T @ dY_hat[:, o]
        db_out[o] = dY_hat[:, o].sum()
        dlast += np.outer(dY_hat[:, o], W_out[:, o])
    steps = []
    for t in range(W):
        steps.append(dlast if t == W - 1 else np.zeros_like(dlast))
    dh = np.stack(steps, axis=1)
    _, _, dWx, dWh, db = back(dh, recurrent_cache)
    return {"Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}


def forecaster_loss(X, Y, params, cell="rnn"):
    Y_hat, cache = forecaster_forward(X, params, cell)
    M, horizon = Y_hat.shape
    count = M * horizon
    total = 0.0
    dY_hat = np.empty(Y_hat.shape, dtype=np.result_type(Y_hat, Y))
    for i in range(M):
        for o in range(horizon):
            error = Y_hat[i, o] - Y[i, o]
            total += float(error) ** 2
            dY_hat[i, o] = 2 * error / count
    return total / count, forecaster_backward(dY_hat, cache)
