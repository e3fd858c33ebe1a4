"""timeseries computing in float64 inside (results cast back to the input dtype): windows by
index arithmetic (one gathered copy), the split by np.take, the scaler by np.average and np.var;
the forecaster runs its own time loop with its own rnn / lstm / gru step equations (no calls to
the cell modules), keeps per-step activations in lists, and backpropagates only from the last
state, since no other step receives a gradient."""
import numpy as np

from .architectures import recurrent_shapes


def make_windows(series, window, horizon=1):
    values = series if series.ndim == 2 else series[:, np.newaxis]
    M = values.shape[0] - window - horizon + 1
    starts = np.arange(M)[:, np.newaxis]
    X = values[starts + np.arange(window)]  # (M, W, F)
    Y = values[starts + window + np.arange(horizon), 0]  # (M, horizon)
    return X, Y


def chronological_split(series, train_fraction, window):
    T = series.shape[0]
    n = int(T * train_fraction)
    return np.take(series, np.arange(n), axis=0), np.take(series, np.arange(n - window, T), axis=0)


def fit_scaler(train):
    values = np.asarray(train, dtype=np.float64)
    mean = np.average(values, axis=0)
    std = np.sqrt(np.var(values, axis=0))
    return np.asarray(mean), np.asarray(std)


def prepare_forecasting(series, window, horizon, train_fraction):
    train, test = chronological_split(series, train_fraction, window)
    mean, std = fit_scaler(train)
    dtype = np.result_type(series.dtype, np.float64)
    X_train, Y_train = make_windows(((train - mean) / std).astype(dtype), window, horizon)
    X_test, Y_test = make_windows(((test - mean) / std).astype(dtype), window, horizon)
    return dict(X_train=X_train, Y_train=Y_train, X_test=X_test, Y_test=Y_test, mean=mean, std=std)


def naive_forecast(X, horizon):
    return X[:, [-1] * horizon, 0].copy()


def seasonal_naive_forecast(X, horizon, season):
    last_season = X[:, X.shape[1] - season:, 0]
    repeats = -(-horizon // season)
    return np.tile(last_season, (1, repeats))[:, :horizon]


def moving_average_forecast(X, horizon, k):
    mean = np.asarray(X[:, -k:, 0], dtype=np.float64).sum(axis=1) / k
    return np.outer(mean, np.ones(horizon)).astype(np.result_type(X.dtype, np.float32))


def mae(y_true, y_pred):
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return np.abs(diff).sum().item() / diff.size


def rmse(y_true, y_pred):
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return float(np.sqrt(np.square(diff).sum() / diff.size))


def forecaster_shapes(cell, features, units, horizon):
    """Parameter shapes of forecaster_*: the recurrent layer, "W_out" (H, horizon), "b_out"."""
    return {**recurrent_shapes(cell, features, units), "W_out": (units, horizon), "b_out": (horizon,)}


# -- the cells, float64 ----------------------------------------------------------------

def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _step(cell, x, state, Wx, Wh, b):
    """One step: the new state (h, c) and the activations the backward step needs."""
    h_prev, c_prev = state
    H = h_prev.shape[1]
    if cell == "rnn":
        h = np.tanh(x @ Wx + h_prev @ Wh + b)
        return (h, None), {"h": h}
    if cell == "lstm":
        a = x @ Wx + h_prev @ Wh + b
        i, f, g, o = (a[:, k * H:(k + 1) * H] for k in range(4))
        i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        return (o * tanh_c, c), {"i": i, "f": f, "g": g, "o": o, "tanh_c": tanh_c, "c_prev": c_prev}
    ax = x @ Wx + b[0]
    ah = h_prev @ Wh + b[1]
    z = _sigmoid(ax[:, :H] + ah[:, :H])
    r = _sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    cand = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    h = z * h_prev + (1.0 - z) * cand
    return (h, None), {"z": z, "r": r, "cand": cand, "ah_cand": ah[:, 2 * H:]}


def _step_back(cell, dh, dc, x, h_prev, acts, Wx, Wh):
    """Gradients of one step: (dh_prev, dc_prev), dWx, dWh, db for this step."""
    if cell == "rnn":
        da = dh * (1.0 - acts["h"] ** 2)
        return (da @ Wh.T, None), x.T @ da, h_prev.T @ da, da.sum(axis=0)
    if cell == "lstm":
        i, f, g, o, tanh_c = (acts[k] for k in ("i", "f", "g", "o", "tanh_c"))
        dc_total = dc + dh * o * (1.0 - tanh_c ** 2)
        da = np.hstack([dc_total * g * i * (1.0 - i),
                        dc_total * acts["c_prev"] * f * (1.0 - f),
                        dc_total * i * (1.0 - g ** 2),
                        dh * tanh_c * o * (1.0 - o)])
        return (da @ Wh.T, dc_total * f), x.T @ da, h_prev.T @ da, da.sum(axis=0)
    z, r, cand = acts["z"], acts["r"], acts["cand"]
    d_cand = dh * (1.0 - z) * (1.0 - cand ** 2)
    d_z = dh * (h_prev - cand) * z * (1.0 - z)
    d_r = d_cand * acts["ah_cand"] * r * (1.0 - r)
    dax = np.hstack([d_z, d_r, d_cand])
    dah = np.hstack([d_z, d_r, d_cand * r])
    dh_prev = dh * z + dah @ Wh.T
    return (dh_prev, None), x.T @ dax, h_prev.T @ dah, np.vstack([dax.sum(axis=0), dah.sum(axis=0)])


def forecaster_forward(X, params, cell="rnn"):
    dtype = np.result_type(X, *params.values())
    p = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    x = np.asarray(X, dtype=np.float64)
    M, W = x.shape[0], x.shape[1]
    H = p["Wh"].shape[0]
    state = (np.zeros((M, H)), np.zeros((M, H)) if cell == "lstm" else None)
    inputs, h_prevs, activations = [], [], []
    for t in range(W):
        inputs.append(x[:, t])
        h_prevs.append(state[0])
        state, acts = _step(cell, x[:, t], state, p["Wx"], p["Wh"], p["b"])
        activations.append(acts)
    h_last = state[0]
    Y_hat = h_last @ p["W_out"] + p["b_out"]
    cache = {"cell": cell, "dtype": dtype, "params": p, "inputs": inputs, "h_prevs": h_prevs,
             "activations": activations, "h_last": h_last}
    return Y_hat.astype(dtype), cache


def forecaster_backward(dY_hat, cache):
    cell, p = cache["cell"], cache["params"]
    dtype = np.result_type(cache["dtype"], dY_hat)
    dY = np.asarray(dY_hat, dtype=np.float64)
    grads = {"W_out": cache["h_last"].T @ dY, "b_out": dY.sum(axis=0),
             "Wx": np.zeros_like(p["Wx"]), "Wh": np.zeros_like(p["Wh"]), "b": np.zeros_like(p["b"])}
    dh = dY @ p["W_out"].T
    dc = np.zeros_like(dh) if cell == "lstm" else None
    for t in reversed(range(len(cache["inputs"]))):
        (dh, dc), dWx, dWh, db = _step_back(cell, dh, dc, cache["inputs"][t], cache["h_prevs"][t],
                                            cache["activations"][t], p["Wx"], p["Wh"])
        grads["Wx"] += dWx
        grads["Wh"] += dWh
        grads["b"] += db
    return {name: grads[name].astype(dtype) for name in ("Wx", "Wh", "b", "W_out", "b_out")}


def forecaster_loss(X, Y, params, cell="rnn"):
    Y_hat, cache = forecaster_forward(X, params, cell)
    error = np.asarray(Y_hat, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
    loss = np.square(error).mean()
    dY_hat = (2.0 / error.size) * error
    return float(loss), forecaster_backward(dY_hat, cache)
