"""Public tests for Session 4: one-to-one, a character language model and its sampling
(rnnlab/architectures.py), and time-series forecasting (rnnlab/timeseries.py).

Properties any right answer has. The tests of the Keras builders are marked `keras` (they import
TensorFlow, about 5 s): run them with `pytest -m keras`.

When a case fails, its message names a common mistake if your result is what that mistake
gives on the case (see mistakes.py).
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from gradcheck import assert_gradients, random_params, scaled, zero
from mistakes import assert_close
from rnnlab import architectures as A
from rnnlab import layers, rnn
from rnnlab import timeseries as TS

# Common mistakes, in the words the graders use.
ONE_TO_ONE_WITHOUT_BIAS = "Your logits come from h = tanh(x Wx) without the bias b: add b inside the tanh."
SCORED_ON_THE_CURRENT_CHARACTER = "Your loss scores each step on the character the model has just read: score it on the next one, the targets are ids shifted left by one."
DIVIDED_BY_STEPS = "Your loss and dlogits are divided by the number of counted steps instead of by the batch size N: sum over the counted steps, then divide by N."
CONDITION_NOT_TRAINED = "Your gradients for W_cond and b_cond are zero: backpropagate dh0 through the tanh of the initial state into W_cond and b_cond."
CONDITION_IGNORED = "Your logits come from a model started at zeros even when z is given: start the recurrent layer from the initial state that z sets."
TEMPERATURE_AFTER_SOFTMAX = "Your probabilities ignore the temperature (dividing the probabilities by it after the softmax cancels out): divide the logits by temperature before the softmax."
TEMPERATURE_MULTIPLIES = "Your probabilities are those of the logits times temperature, so a low temperature flattens them instead of sharpening: divide the logits by temperature."
TOP_K_KEEPS_ONE_MORE = "Your probabilities keep k + 1 tokens: keep exactly top_k tokens, those with the highest logits, and give all the others 0."
NAN_AT_TEMPERATURE_ZERO = "Your probabilities at temperature 0 are NaN, from dividing by zero: treat temperature 0 as greedy, with all the probability on the highest logit."
SAMPLE_IGNORES_U = "Your sample is always the most probable token, whatever u: walk the cumulative probabilities and pick the first token where they pass u."
STATE_NOT_CARRIED = "Your tokens after the first are each generated from the state reached after the prompt, as if only the last generated token had been read: carry the new state from each step into the next."
RESEEDED_EVERY_STEP = "Your generator draws the same u at every step because it makes a new random generator from seed each time: make one rng from seed before the loop and draw rng.random(N) once per step."
PROMPT_ONLY_LAST_CHARACTER = "Your text is generated after reading only the last character of the prompt: read every prompt token in order, carrying the state."
TARGET_ONE_STEP_EARLY = "Your targets Y[i] start at the window's last step i + W - 1, one step early, so the first target is a value the window already holds: the targets start right after the window, at step i + W."
WINDOWS_ONE_SHORT = "Your X and Y have one window too few: the last window, whose targets end at the last step of the series, counts too, which makes T - W - horizon + 1 windows."
SPLIT_WITHOUT_CONTEXT = "Your test part starts at the split step n, so its first W values can only be inputs and are never forecast: start it W steps earlier, at n - W."
SPLIT_OVERLAPS_TARGETS = "Your training part runs W steps past the split, into values the test part forecasts: it must end at step n."
SCALER_SAMPLE_STD = "Your std is the sample standard deviation (divided by T - 1): use the population one, divided by T (ddof=0, numpy's default)."
SCALER_FITTED_ON_ALL_DATA = "Your mean and std come from the whole series, so the test part leaks into the scaling: compute mean and std from the training part alone, then scale both parts with them."
NAIVE_FIRST_VALUE = "Your forecast repeats the oldest value of every window: the naive forecast repeats the most recent one."
SEASONAL_ONE_STEP_LATE = "Your forecast takes the value one step after the one a season before the predicted step: for step W + h, read the window at W + h - season."
AVERAGE_OF_THE_OLDEST = "Your forecast averages the k oldest values of every window: average the k most recent ones instead."
MAE_SIGNED = "Your mae equals the absolute value of the mean signed error, so over- and under-forecasts cancel: take the absolute value of each error before averaging."
RMSE_WITHOUT_ROOT = "Your rmse equals the mean squared error: take its square root."
FORECASTER_FIRST_STATE = "Your Y_hat is predicted from the state reached after the first step of each window: use the state after its last step, step W."
FORECASTER_GRADIENT_NOT_AVERAGED = "Your dparams equal the right ones times M * horizon, the gradient of the summed squared error, while your loss is the mean: divide the gradient by the number of entries too."


ONE_TO_ONE = {"Wx": (3, 4), "b": (4,), "W_out": (4, 2), "b_out": (2,)}


# ---------------------------------------------------------------------------
# Question 1: one-to-one


@pytest.mark.function("architectures.one_to_one_forward")
def test_one_to_one_is_an_rnn_step_from_zero_then_affine():
    params = random_params(ONE_TO_ONE, seed=0)
    x = np.random.default_rng(1).normal(size=(5, 3))
    Wh = np.random.default_rng(2).normal(size=(4, 4))  # any Wh: it multiplies h_prev = 0
    h, _ = rnn.rnn_step_forward(x, np.zeros((5, 4)), params["Wx"], Wh, params["b"])
    expected, _ = layers.affine_forward(h, params["W_out"], params["b_out"])
    h_without_b, _ = rnn.rnn_step_forward(x, np.zeros((5, 4)), params["Wx"], Wh, np.zeros(4))
    without_b, _ = layers.affine_forward(h_without_b, params["W_out"], params["b_out"])
    logits, _ = A.one_to_one_forward(x, params)
    assert logits.shape == (5, 2)
    assert_close(logits, expected, rtol=1e-10, known=[(ONE_TO_ONE_WITHOUT_BIAS, without_b)])


@pytest.mark.function("architectures.one_to_one_backward")
def test_one_to_one_backward_gradients():
    params = random_params(ONE_TO_ONE, seed=3)
    x = np.random.default_rng(4).normal(size=(5, 3))
    upstream = np.random.default_rng(5).normal(size=(5, 2))

    def loss_and_grads():
        logits, cache = A.one_to_one_forward(x, params)
        return np.sum(logits * upstream), A.one_to_one_backward(upstream, cache)
    assert_gradients(loss_and_grads, params)


# ---------------------------------------------------------------------------
# Question 2: the character language model


@pytest.mark.function("architectures.char_lm_loss")
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("conditioned", [False, True], ids=["plain", "with_z"])
def test_char_lm_loss_gradients(cell, conditioned):
    params = random_params(A.lm_shapes(cell, 5, 2, 3, cond_dim=2 if conditioned else None), seed=6)
    ids = np.array([[1, 4, 0, 2], [3, 3, 1, 0]])
    z = np.random.default_rng(7).normal(size=(2, 2)) if conditioned else None
    known = [(CONDITION_NOT_TRAINED, zero("W_cond", "b_cond"))] if conditioned else []
    assert_gradients(lambda: A.char_lm_loss(ids, params, cell, z), params, known)


@pytest.mark.function("architectures.char_lm_loss")
def test_char_lm_loss_scores_the_next_character():
    params = random_params(A.lm_shapes("gru", 5, 2, 3), seed=8)
    ids = np.array([[1, 4, 0, 2, 3], [3, 3, 1, 0, 4]])
    # The model reads ids[:, :-1] and is scored on ids[:, 1:] (summed over steps, divided by N).
    logits, _ = A.char_lm_forward(ids[:, :-1], params, "gru")
    log_probs = np.log(layers.softmax(logits, axis=-1))
    expected = -np.take_along_axis(log_probs, ids[:, 1:, None], axis=-1).sum() / 2
    scored_on_ids_read = -np.take_along_axis(log_probs, ids[:, :-1, None], axis=-1).sum() / 2
    loss, _ = A.char_lm_loss(ids, params, "gru")
    assert_close(loss, expected, rtol=1e-10,
                 known=[(SCORED_ON_THE_CURRENT_CHARACTER, scored_on_ids_read),
                        (DIVIDED_BY_STEPS, expected * 2 / 8)])  # divided by the 2 x 4 steps, not by N = 2


@pytest.mark.function("architectures.char_lm_forward")
def test_char_lm_forward_step_t_does_not_see_later_characters():
    params = random_params(A.lm_shapes("lstm", 6, 3, 4), seed=9)
    logits, _ = A.char_lm_forward(np.array([[1, 2, 3, 4, 5]]), params, "lstm")
    changed, _ = A.char_lm_forward(np.array([[1, 2, 3, 0, 0]]), params, "lstm")
    assert logits.shape == (1, 5, 6)
    assert_allclose(logits[:, :3], changed[:, :3])
    assert not np.allclose(logits[:, 3:], changed[:, 3:])


@pytest.mark.function("architectures.char_lm_forward")
def test_char_lm_forward_starts_from_the_state_z_sets():
    params = random_params(A.lm_shapes("rnn", 6, 3, 4, cond_dim=2), seed=10)
    ids, z = np.array([[1, 2, 3], [4, 5, 0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    h0 = np.tanh(z @ params["W_cond"] + params["b_cond"])
    h, _ = rnn.rnn_forward(params["W_embed"][ids], h0, params["Wx"], params["Wh"], params["b"])
    h_from_zeros, _ = rnn.rnn_forward(params["W_embed"][ids], np.zeros_like(h0), params["Wx"], params["Wh"],
                                      params["b"])
    logits, _ = A.char_lm_forward(ids, params, "rnn", z)
    assert_close(logits, h @ params["W_out"] + params["b_out"], rtol=1e-10,
                 known=[(CONDITION_IGNORED, h_from_zeros @ params["W_out"] + params["b_out"])])


# ---------------------------------------------------------------------------
# Question 3: sampling and generation


TOP_K_DROPS_TIES = "Your probabilities keep exactly top_k tokens: a logit tied with the top_k-th highest is kept too (compare with the top_k-th largest value, >=, rather than taking top_k positions)."
LOGITS = np.array([[1.0, 3.0, -2.0, 0.5, 2.0], [0.0, 0.0, 0.0, 5.0, -1.0]])


@pytest.mark.function("architectures.next_token_probs")
@pytest.mark.parametrize("temperature, top_k", [(1.0, None), (0.5, None), (2.0, 3), (0.0, None)])
def test_sampling_probs_rows_sum_to_one(temperature, top_k):
    probs = A.next_token_probs(LOGITS, temperature, top_k)
    assert probs.shape == LOGITS.shape
    assert np.all(probs >= 0)
    assert_allclose(probs.sum(axis=1), 1.0)


@pytest.mark.function("architectures.next_token_probs")
def test_sampling_temperature_one_is_the_softmax():
    assert_allclose(A.next_token_probs(LOGITS, 1.0), layers.softmax(LOGITS, axis=1))


@pytest.mark.function("architectures.next_token_probs")
def test_sampling_temperature_divides_the_logits():
    assert_close(A.next_token_probs(LOGITS, 0.5), layers.softmax(LOGITS / 0.5, axis=1),
                 known=[(TEMPERATURE_AFTER_SOFTMAX, layers.softmax(LOGITS, axis=1)),
                        (TEMPERATURE_MULTIPLIES, layers.softmax(LOGITS * 0.5, axis=1))])


@pytest.mark.function("architectures.next_token_probs")
def test_sampling_temperature_zero_is_greedy():
    with np.errstate(all="ignore"):
        probs = A.next_token_probs(np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 0.0, 0.0, -1.0]]), 0.0)
    assert_close(probs, [[0, 1, 0, 0], [1, 0, 0, 0]],  # a tie goes to the first highest logit
                 known=[(NAN_AT_TEMPERATURE_ZERO, np.full((2, 4), np.nan))])  # logits / 0


@pytest.mark.function("architectures.next_token_probs")
def test_sampling_top_k_zeros_the_rest():
    probs = A.next_token_probs(LOGITS[:1], 1.0, top_k=2)

    def softmax_over(tokens):  # the softmax of LOGITS[0] over `tokens` alone, 0 elsewhere
        kept = np.zeros(LOGITS.shape[1])
        kept[tokens] = np.exp(LOGITS[0, tokens])
        return kept / kept.sum()
    assert_close(probs[0], softmax_over([1, 4]),  # the 2 highest logits: 3.0 and 2.0
                 known=[(TOP_K_KEEPS_ONE_MORE, softmax_over([1, 4, 0]))])


@pytest.mark.function("architectures.next_token_probs")
def test_sampling_top_k_keeps_the_logits_tied_with_the_kth():
    logits = np.array([[2.0, 1.0, 3.0, 1.0, 0.0]])  # top_k=2: 3.0, then 2.0; top_k=3: 1.0 twice
    kept = np.exp(logits[0]) * [1, 1, 1, 1, 0]
    assert_close(A.next_token_probs(logits, 1.0, top_k=3)[0], kept / kept.sum(),
                 known=[(TOP_K_DROPS_TIES, np.exp(logits[0]) * [1, 0, 1, 1, 0] / np.exp(logits[0])[[0, 2, 3]].sum()),
                        (TOP_K_DROPS_TIES, np.exp(logits[0]) * [1, 1, 1, 0, 0] / np.exp(logits[0])[[0, 1, 2]].sum())])


@pytest.mark.function("architectures.next_token_probs")
def test_sampling_lower_temperature_sharpens():
    highest = [A.next_token_probs(LOGITS, t).max(axis=1) for t in (2.0, 1.0, 0.5, 0.1)]
    assert np.all(np.diff(highest, axis=0) > 0)


@pytest.mark.function("architectures.sample_from")
def test_sampling_sample_from_inverts_the_cumulative_distribution():
    # cumulative [0.25, 0.75, 1.0]: the first token whose cumulative probability exceeds u
    probs = np.tile([0.25, 0.5, 0.25], (6, 1))
    u = np.array([0.0, 0.2, 0.25, 0.5, 0.75, 0.999])
    tokens = A.sample_from(probs, u)
    assert tokens.dtype.kind == "i"
    assert_close(tokens, [0, 0, 1, 1, 2, 2], known=[(SAMPLE_IGNORES_U, [1, 1, 1, 1, 1, 1])])  # the most probable


@pytest.mark.function("architectures.sample_from")
def test_sampling_sample_from_never_draws_a_zero_probability_token():
    probs = np.array([[0.0, 0.5, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0]])
    assert A.sample_from(probs, np.array([0.0, 0.0])).tolist() == [1, 1]
    assert A.sample_from(probs, np.array([0.999, 0.999])).tolist() == [2, 1]


def generation_params(cell, cond_dim=None, seed=11):
    params = random_params(A.lm_shapes(cell, 7, 3, 5, cond_dim), seed)
    params["W_out"] *= 4  # decisive scores, so that the state decides the next token
    return params


@pytest.mark.function("architectures.generate")
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_generate_with_the_same_seed_repeats(cell):
    params, prompt = generation_params(cell), np.array([[1, 2], [3, 4]])
    first = A.generate(params, prompt, 12, temperature=1.0, seed=5, cell=cell)
    assert first.shape == (2, 12) and first.dtype.kind == "i"
    assert np.array_equal(first, A.generate(params, prompt, 12, temperature=1.0, seed=5, cell=cell))
    assert not np.array_equal(first, A.generate(params, prompt, 12, temperature=1.0, seed=6, cell=cell))


@pytest.mark.function("architectures.generate")
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("conditioned", [False, True], ids=["plain", "with_z"])
def test_generate_greedy_is_the_argmax_of_the_forward_pass_fed_its_own_output(cell, conditioned):
    params = generation_params(cell, cond_dim=2 if conditioned else None)
    prompt = np.array([[1, 2, 3], [4, 0, 6]])
    z = np.array([[1.0, -1.0], [0.5, 2.0]]) if conditioned else None
    out = A.generate(params, prompt, 6, temperature=0.0, cell=cell, z=z)
    logits, _ = A.char_lm_forward(np.concatenate([prompt, out], axis=1), params, cell, z)
    # the scores after the last prompt token pick out[:, 0], and so on
    assert out.tolist() == logits[:, 2:-1].argmax(axis=-1).tolist()


@pytest.mark.function("architectures.generate")
def test_generate_carries_the_state_from_step_to_step():
    params, prompt = generation_params("gru"), np.array([[1, 2, 3]])

    def step(token, h):
        return A.cell_step("gru", params["W_embed"][token], h, *A.recurrent(params))[0]

    def sampled(read=prompt[0], carry=True, reseed=False):
        """10 tokens at temperature 0.8 and top_k 4 with seed 3, after reading `read` from zeros."""
        rng = np.random.default_rng(3)
        h = np.zeros((1, 5))
        for token in read:
            h = step([token], h)
        after_prompt, tokens = h, []
        for _ in range(10):
            u = (np.random.default_rng(3) if reseed else rng).random(1)
            token = A.sample_from(A.next_token_probs(h @ params["W_out"] + params["b_out"], 0.8, 4), u)
            tokens.append(int(token[0]))
            h = step(token, h if carry else after_prompt)
        return tokens
    assert_close(A.generate(params, prompt, 10, temperature=0.8, top_k=4, seed=3, cell="gru")[0], sampled(),
                 known=[(STATE_NOT_CARRIED, sampled(carry=False)),
                        (RESEEDED_EVERY_STEP, sampled(reseed=True)),
                        (PROMPT_ONLY_LAST_CHARACTER, sampled(read=prompt[0, -1:]))])


# ---------------------------------------------------------------------------
# Question 5: windows, a chronological split, a scaler fitted on the training part


@pytest.mark.function("timeseries.make_windows")
def test_windows_by_hand():
    X, Y = TS.make_windows(np.arange(10.0), window=3, horizon=2)
    assert_close(len(X), 6, known=[(WINDOWS_ONE_SHORT, 5)])  # M = 10 - 3 - 2 + 1
    assert X.shape == (6, 3, 1) and Y.shape == (6, 2)
    assert X[0, :, 0].tolist() == [0, 1, 2]
    assert_close(Y[0], [3, 4], known=[(TARGET_ONE_STEP_EARLY, [2, 3])])
    assert X[-1, :, 0].tolist() == [5, 6, 7] and Y[-1].tolist() == [8, 9]


@pytest.mark.function("timeseries.make_windows")
def test_windows_with_features_predict_feature_0():
    series = np.stack([np.arange(8.0), -np.arange(8.0)], axis=1)  # (T, F) = (8, 2)
    X, Y = TS.make_windows(series, window=4)
    assert X.shape == (4, 4, 2) and Y.shape == (4, 1)
    assert_allclose(X[1], series[1:5])
    assert Y[:, 0].tolist() == [4, 5, 6, 7]


@pytest.mark.function("timeseries.chronological_split")
def test_split_keeps_order_and_overlaps_by_window():
    series = np.arange(100.0)
    train, test = TS.chronological_split(series, 0.8, window=5)
    assert_close(train, np.arange(80), known=[(SPLIT_OVERLAPS_TARGETS, np.arange(80 + 5))])
    assert_close(test, np.arange(75, 100),  # the test windows' first inputs are training steps
                 known=[(SPLIT_WITHOUT_CONTEXT, np.arange(80, 100))])
    _, Y_test = TS.make_windows(test, 5)
    assert Y_test[0, 0] == 80  # ... but the first test target is the first step after the split


@pytest.mark.function("timeseries.fit_scaler")
def test_scaler_mean_and_std_per_feature():
    train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    mean, std = TS.fit_scaler(train)
    assert np.shape(mean) == (2,) and np.shape(std) == (2,)
    assert_allclose(mean, [3.0, 12.0])
    assert_close(std, train.std(axis=0),  # numpy's std: divided by the number of steps
                 known=[(SCALER_SAMPLE_STD, [np.sqrt(8 / 2), np.sqrt(24 / 2)])])  # squared deviations over T - 1
    mean, std = TS.fit_scaler(np.array([2.0, 4.0]))
    assert np.shape(mean) == () and float(mean) == 3.0 and float(std) == 1.0


@pytest.mark.function("timeseries.prepare_forecasting")
def test_prepare_forecasting_scales_with_the_training_part_only():
    series = np.arange(50.0) ** 1.5  # a rising series: its test part lies above its training part
    prepared = TS.prepare_forecasting(series, window=4, horizon=2, train_fraction=0.8)
    train = series[:40]
    assert_close(float(prepared["mean"]), train.mean(), rtol=1e-6,
                 known=[(SCALER_FITTED_ON_ALL_DATA, series.mean())])
    assert_close(float(prepared["std"]), train.std(), rtol=1e-6, known=[(SCALER_FITTED_ON_ALL_DATA, series.std())])
    scale = lambda y: (y - train.mean()) / train.std()
    assert prepared["X_train"].shape == (35, 4, 1) and prepared["Y_train"].shape == (35, 2)
    assert prepared["X_test"].shape == (9, 4, 1) and prepared["Y_test"].shape == (9, 2)
    assert_allclose(prepared["X_test"][0, :, 0], scale(series[36:40]))
    assert_allclose(prepared["Y_test"][0], scale(series[40:42]))


# ---------------------------------------------------------------------------
# Question 6: baselines and errors


BASELINE_WINDOWS = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 7.0, 6.0, 9.0]])[:, :, None]  # M = 2, W = 4


@pytest.mark.function("timeseries.naive_forecast")
def test_naive_forecast_by_hand():
    assert_close(TS.naive_forecast(BASELINE_WINDOWS, 3), [[4, 4, 4], [9, 9, 9]],
                 known=[(NAIVE_FIRST_VALUE, [[1, 1, 1], [5, 5, 5]])])


@pytest.mark.function("timeseries.seasonal_naive_forecast")
def test_seasonal_naive_forecast_by_hand():
    # season 4: step W + 1 repeats step W + 1 - 4, the first of the window
    assert_close(TS.seasonal_naive_forecast(BASELINE_WINDOWS, 1, season=4), [[1], [5]],
                 known=[(SEASONAL_ONE_STEP_LATE, [[2], [7]])])  # the second of the window
    # season 2: step W + h repeats step W + h - 2 (the last season, again when h >= 2)
    assert TS.seasonal_naive_forecast(BASELINE_WINDOWS, 3, season=2).tolist() == [[3, 4, 3], [6, 9, 6]]


@pytest.mark.function("timeseries.moving_average_forecast")
def test_moving_average_forecast_by_hand():
    assert_close(TS.moving_average_forecast(BASELINE_WINDOWS, 2, k=2), [[3.5, 3.5], [7.5, 7.5]],
                 known=[(AVERAGE_OF_THE_OLDEST, [[1.5, 1.5], [6.0, 6.0]])])


ERRORS_Y, ERRORS_Y_HAT = np.array([[1.0, 2.0, 3.0]]), np.array([[2.0, 2.0, 1.0]])  # errors -1, 0, 2


@pytest.mark.function("timeseries.mae")
def test_mae_by_hand():
    assert_close(TS.mae(ERRORS_Y, ERRORS_Y_HAT), 1.0, known=[(MAE_SIGNED, 1 / 3)])
    assert TS.mae(ERRORS_Y_HAT, ERRORS_Y) == pytest.approx(1.0)


@pytest.mark.function("timeseries.rmse")
def test_rmse_by_hand():
    assert_close(TS.rmse(ERRORS_Y, ERRORS_Y_HAT), np.sqrt(5 / 3), known=[(RMSE_WITHOUT_ROOT, 5 / 3)])


# ---------------------------------------------------------------------------
# Question 7: the RNN forecaster


@pytest.mark.function("timeseries.forecaster_forward")
def test_forecaster_forward_reads_the_whole_window_from_zero():
    params = random_params(TS.forecaster_shapes("rnn", 2, 4, 3), seed=12)
    X = np.random.default_rng(13).normal(size=(5, 6, 2))
    h, _ = rnn.rnn_forward(X, np.zeros((5, 4)), params["Wx"], params["Wh"], params["b"])
    Y_hat, _ = TS.forecaster_forward(X, params, "rnn")
    assert Y_hat.shape == (5, 3)
    assert_close(Y_hat, h[:, -1] @ params["W_out"] + params["b_out"], rtol=1e-10,
                 known=[(FORECASTER_FIRST_STATE, h[:, 0] @ params["W_out"] + params["b_out"])])


@pytest.mark.function("timeseries.forecaster_loss")
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forecaster_loss_gradients(cell):
    params = random_params(TS.forecaster_shapes(cell, 2, 3, 2), seed=14)
    rng = np.random.default_rng(15)
    X, Y = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 2))
    assert_gradients(lambda: TS.forecaster_loss(X, Y, params, cell), params,
                     known=[(FORECASTER_GRADIENT_NOT_AVERAGED, scaled(4 * 2))])  # M * horizon


@pytest.mark.function("timeseries.forecaster_loss")
def test_forecaster_loss_is_the_mean_squared_error():
    params = random_params(TS.forecaster_shapes("gru", 1, 3, 2), seed=16)
    rng = np.random.default_rng(17)
    X, Y = rng.normal(size=(4, 5, 1)), rng.normal(size=(4, 2))
    Y_hat, _ = TS.forecaster_forward(X, params, "gru")
    assert TS.forecaster_loss(X, Y, params, "gru")[0] == pytest.approx(np.mean((Y_hat - Y) ** 2))


# ---------------------------------------------------------------------------
# Question 4: the Keras builders (they import TensorFlow; run with `pytest -m keras`)


@pytest.mark.function("keras_models.build_char_model")
@pytest.mark.keras
def test_char_model_gives_logits_at_every_step(keras_models):
    model = keras_models.build_char_model("gru", 10, 4, 5)
    logits = np.asarray(model(np.array([[1, 2, 3], [4, 5, 6]])))
    assert logits.shape == (2, 3, 10)
    # embedding 10 x 4, GRU 3 x (4*5 + 5*5 + 2*5), Dense 5 x 10 + 10
    assert model.count_params() == 40 + 165 + 60
    assert not np.allclose(logits.sum(axis=-1), 1.0)  # scores, not softmax probabilities
    assert np.any(logits < 0)


@pytest.mark.function("keras_models.build_char_model")
@pytest.mark.keras
def test_char_model_sampled_greedily_gives_ids(keras_models):
    model = keras_models.build_char_model("lstm", 9, 3, 4)
    prompt = np.array([[1, 2], [3, 4]])
    out = keras_models.sample_text(model, prompt, 5, temperature=0.0)
    assert out.shape == (2, 5) and out.dtype.kind == "i"
    assert np.all((0 <= out) & (out < 9))
    # greedy: each id is the argmax of the scores after the text before it
    logits = np.asarray(model(np.concatenate([prompt, out], axis=1)))
    assert out.tolist() == logits[:, 1:-1].argmax(axis=-1).tolist()


@pytest.mark.function("keras_models.build_forecaster")
@pytest.mark.keras
def test_forecaster_model_predicts_horizon_values(keras_models):
    model = keras_models.build_forecaster("lstm", 24, 2, 8, 6)
    Y_hat = np.asarray(model(np.random.default_rng(0).normal(size=(3, 24, 2))))
    assert Y_hat.shape == (3, 6)
    assert model.count_params() == 4 * (2 * 8 + 8 * 8 + 8) + 8 * 6 + 6
    assert model.layers[-1].get_config().get("activation") in ("linear", None)
