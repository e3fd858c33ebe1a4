"""Public tests for rnnlab/layers.py: small cases whose answers you can check by hand.

Passing them is a good sign, not a grade: the hidden graders use other inputs,
several shapes and dtypes, and check gradients numerically.

When a case fails, its message names a common mistake if your result is what that mistake
gives on the case (see mistakes.py).
"""
import numpy as np
import pytest

from gradcheck import assert_backward, random_params
from mistakes import assert_close
from rnnlab import layers

# Common mistakes, in the words the graders use.
SIGMOID_SIGN_FLIPPED = "Your sigmoid equals sigmoid(-a) = 1 / (1 + exp(a)), the right curve mirrored: check the sign of a inside the exp."
SIGMOID_TANH_WITHOUT_HALVING = "Your sigmoid equals sigmoid(2a): the identity with tanh needs half of a, sigmoid(a) = 0.5 * (1 + tanh(a / 2))."
SIGMOID_OVERFLOW = "Your sigmoid gives NaN for large positive a, where exp(a) overflows and inf / inf is NaN: use a form that never takes exp of a large number, such as the hint's logaddexp."
SOFTMAX_OVERFLOW = "Your softmax gives inf or NaN when the scores are large, because exp overflows: subtract the maximum of a along axis before taking exp (that leaves the result unchanged)."
AFFINE_NO_BIAS = "Your out (N, M) equals x @ W without the bias: add b to every row."
DW_AVERAGED = "Your dW equals the right one divided by the batch size N (dx and db are right): dW is x transposed times dout, summed over the batch, not averaged."
DB_AVERAGED = "Your db equals the mean of dout over the batch, the right one divided by N: db is the sum of dout over the batch."
TEMPORAL_AFFINE_NO_BIAS = "Your out (N, T, V) equals x[:, t] @ W at every step without the bias: add b at every time step."
IDS_ONE_BASED = "Your out[n, t] is row ids[n, t] - 1 of W (id 0 gets the last row): the ids start at 0, so token id k takes row k of W."
REPEATS_NOT_ADDED = "Your dW keeps only one of the gradients of a token id that appears more than once, not their sum: indexed += drops the repeats, so add them up with np.add.at."
LOSS_SUMMED = "Your loss equals the right one times N, the sum over the batch (your dlogits is right): divide the summed loss by N to get the mean."
DLOGITS_NOT_DIVIDED = "Your dlogits equals the right one times N (your loss is right): the loss is a mean over the batch, so divide the gradient by N too."
DLOGITS_WITHOUT_MINUS_ONE = "Your dlogits equals softmax(logits) / N, the probabilities alone: subtract 1 at the true class y[n] of each row before dividing by N."
TEMPORAL_OVERFLOW = "Your loss or dlogits is inf or NaN when the logits are large, because exp overflows: subtract each step's maximum logit before taking exp (log-softmax is unchanged by it)."
MASK_IGNORED_IN_LOSS = "Your loss counts the masked (padding) steps too, while your dlogits is right: multiply each step's log-probability by mask[n, t] before summing."
MASK_IGNORED_IN_GRADIENT = "Your dlogits is nonzero on the masked (padding) steps, while your loss is right: set the gradient to zero wherever mask is False."
SOFTMAX_SUMS_OVER_THE_LAST_AXIS = "Your softmax divides by the sum over the last axis whatever axis is asked for, so it does not sum to 1 along axis: sum over the given axis, as for the maximum."
LOG_OF_SOFTMAX = "Your loss is inf when a logit lies far below the largest of its row: you take log(softmax), and a probability that underflows to 0 has log(0) = -inf. Compute the log-softmax directly: (z_k - max z) - log sum_j exp(z_j - max z)."
CROSS_ENTROPY_OVERFLOW = "Your loss and dlogits become inf or NaN when the logits are large, because exp overflows: subtract each row's maximum from the logits before exp."
MASK_TRANSPOSED = "Your loss and dlogits apply the mask to the wrong steps, as if it were mask.T flattened: flatten mask in the same (n, t) order as logits and y."
X_RESHAPED_NOT_TRANSPOSED = "Your dW has the right shape but scrambled values: reshaping x (N, T, H) to (H, N*T) is not a transpose. Flatten x to (N*T, H) and take its transpose, or sum x[:, t].T @ dout[:, t] over t."
DIVIDED_BY_STEPS = "Your loss and dlogits are divided by the number of counted steps instead of by the batch size N: sum over the counted steps, then divide by N."


@pytest.mark.function("layers.sigmoid")
def test_sigmoid_known_values():
    a = np.array([0.0, np.log(3.0), -np.log(3.0)])
    assert_close(layers.sigmoid(a), [0.5, 0.75, 0.25],
                 known=[(SIGMOID_SIGN_FLIPPED, [0.5, 0.25, 0.75]),           # sigmoid(-a)
                        (SIGMOID_TANH_WITHOUT_HALVING, [0.5, 0.9, 0.1])])  # sigmoid(2a): 9 / (9 + 1)


@pytest.mark.function("layers.sigmoid")
def test_sigmoid_does_not_overflow():
    a = np.array([-1000.0, 1000.0])
    with np.errstate(all="ignore"):
        out = layers.sigmoid(a)
    # 1 / (1 + exp(-a)) overflows on the way (a warning) and still gives the right values: that is
    # allowed; exp(a) / (1 + exp(a)) gives inf / inf = NaN, which is not.
    assert_close(out, [0.0, 1.0], known=[(SIGMOID_OVERFLOW, [0.0, np.nan]),
                                         (SIGMOID_SIGN_FLIPPED, [1.0, 0.0])])


@pytest.mark.function("layers.softmax")
def test_softmax_rows_sum_to_one_and_survive_large_scores():
    a = np.array([[1.0, 1.0], [1000.0, 1000.0 + np.log(3.0)]])
    assert_close(layers.softmax(a), [[0.5, 0.5], [0.25, 0.75]],
                 known=[(SOFTMAX_OVERFLOW, [[0.5, 0.5], [np.nan, np.nan]])])  # exp(1000) = inf, inf / inf


@pytest.mark.function("layers.softmax")
def test_softmax_along_axis_0_makes_columns_sum_to_one():
    a = np.array([[0.0, np.log(3.0)], [0.0, 0.0]])
    # exp(a - the maximum of each column) = [[1, 1], [1, 1/3]], divided by the sum of each row instead:
    rows_sum_to_one = [[0.5, 0.5], [0.75, 0.25]]
    assert_close(layers.softmax(a, axis=0), [[0.5, 0.75], [0.5, 0.25]],
                 known=[(SOFTMAX_SUMS_OVER_THE_LAST_AXIS, rows_sum_to_one)])


@pytest.mark.function("layers.affine_forward")
def test_affine_forward_by_hand():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 0.0]])
    b = np.array([0.0, 1.0, 2.0])
    out, _ = layers.affine_forward(x, W, b)
    assert_close(out, [[2.0, 3.0, 1.0]], known=[(AFFINE_NO_BIAS, [[2.0, 2.0, -1.0]])])  # x @ W alone


@pytest.mark.function("layers.affine_backward")
def test_affine_backward_by_hand():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0], [0.0, 3.0]])
    _, cache = layers.affine_forward(x, W, np.zeros(2))
    dx, dW, db = layers.affine_backward(np.array([[1.0, 1.0]]), cache)
    assert_close(dx, [[1.0, 3.0]])
    assert_close(dW, [[1.0, 1.0], [2.0, 2.0]])
    assert_close(db, [1.0, 1.0])


@pytest.mark.function("layers.affine_backward")
def test_affine_backward_sums_over_the_batch():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])  # N = 2 rows
    _, cache = layers.affine_forward(x, np.eye(2), np.zeros(2))
    _, dW, db = layers.affine_backward(np.ones((2, 2)), cache)
    assert_close(dW, [[4.0, 4.0], [6.0, 6.0]], known=[(DW_AVERAGED, [[2.0, 2.0], [3.0, 3.0]])])
    assert_close(db, [2.0, 2.0], known=[(DB_AVERAGED, [1.0, 1.0])])


@pytest.mark.function("layers.temporal_affine_backward")
def test_temporal_affine_backward_sums_over_batch_and_time():
    x = np.arange(24.0).reshape(2, 3, 4)  # x[n, t, h] = 12 n + 4 t + h
    _, cache = layers.temporal_affine_forward(x, np.ones((4, 5)), np.zeros(5))
    _, dW, db = layers.temporal_affine_backward(np.ones((2, 3, 5)), cache)
    # dW[h, v]: the sum of x[:, :, h] = 60 + 6 h; x reshaped to (4, 6) would add up 0..5, 6..11, ... instead
    assert_close(dW, np.broadcast_to([[60.0], [66.0], [72.0], [78.0]], (4, 5)),
                 known=[(X_RESHAPED_NOT_TRANSPOSED, np.broadcast_to([[15.0], [51.0], [87.0], [123.0]], (4, 5)))])
    assert_close(db, np.full(5, 6.0))  # N * T = 6 ones (a db of shape (T, V) is said by the shape check)


@pytest.mark.function("layers.temporal_affine_forward")
def test_temporal_affine_forward_adds_b_at_every_step():
    b = np.arange(5.0)
    out, _ = layers.temporal_affine_forward(np.ones((2, 3, 4)), np.ones((4, 5)), b)
    assert out.shape == (2, 3, 5)
    assert_close(out, np.broadcast_to(4.0 + b, (2, 3, 5)),
                 known=[(TEMPORAL_AFFINE_NO_BIAS, np.full((2, 3, 5), 4.0))])


@pytest.mark.function("layers.embedding_forward")
def test_embedding_looks_up_rows():
    W = np.arange(6.0).reshape(3, 2)
    out, _ = layers.embedding_forward(np.array([[2, 0]]), W)
    assert_close(out, [[[4.0, 5.0], [0.0, 1.0]]], known=[(IDS_ONE_BASED, [[[2.0, 3.0], [4.0, 5.0]]])])  # rows 1 and -1


@pytest.mark.function("layers.embedding_backward")
def test_embedding_backward_adds_up_repeated_ids():
    W = np.zeros((3, 2))
    _, cache = layers.embedding_forward(np.array([[1, 1, 2]]), W)
    dW = layers.embedding_backward(np.ones((1, 3, 2)), cache)
    assert_close(dW, [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]],
                 known=[(REPEATS_NOT_ADDED, [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])])  # id 1 counted once


@pytest.mark.function("layers.softmax_cross_entropy")
def test_cross_entropy_of_uniform_scores_is_log_of_classes():
    loss, dlogits = layers.softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert_close(loss, np.log(4.0), known=[(LOSS_SUMMED, 2 * np.log(4.0))])
    expected = np.array([[-0.375, 0.125, 0.125, 0.125], [0.125, 0.125, 0.125, -0.375]])  # (0.25 - one-hot) / 2
    assert_close(dlogits, expected, known=[(DLOGITS_NOT_DIVIDED, 2 * expected),
                                           (DLOGITS_WITHOUT_MINUS_ONE, np.full((2, 4), 0.25 / 2))])


@pytest.mark.function("layers.softmax_cross_entropy")
def test_cross_entropy_survives_large_scores():
    with np.errstate(all="ignore"):
        loss, dlogits = layers.softmax_cross_entropy(np.array([[1000.0, 1000.0]]), np.array([0]))
    assert_close(loss, np.log(2.0), known=[(CROSS_ENTROPY_OVERFLOW, np.inf), (CROSS_ENTROPY_OVERFLOW, np.nan)])
    assert_close(dlogits, [[-0.5, 0.5]])


@pytest.mark.function("layers.softmax_cross_entropy")
def test_cross_entropy_of_a_true_class_far_below_the_others_is_finite():
    # The true class scores 1000 below the other: its probability underflows to 0, but its
    # log-softmax is (0 - 1000) - log(exp(-1000) + 1) = -1000.
    with np.errstate(all="ignore"):
        loss, dlogits = layers.softmax_cross_entropy(np.array([[0.0, 1000.0]]), np.array([0]))
    assert_close(loss, 1000.0, known=[(LOG_OF_SOFTMAX, np.inf)])
    assert_close(dlogits, [[-1.0, 1.0]])


@pytest.mark.function("layers.temporal_softmax_cross_entropy")
def test_temporal_cross_entropy_ignores_masked_steps():
    # Uniform scores over 2 classes: each counted step adds log 2 to the summed loss, and N = 1.
    logits, y = np.zeros((1, 3, 2)), np.array([[0, 1, 1]])
    loss, dlogits = layers.temporal_softmax_cross_entropy(logits, y, np.array([[True, True, False]]))
    assert_close(loss, 2 * np.log(2.0), known=[(MASK_IGNORED_IN_LOSS, 3 * np.log(2.0)),
                                               (DIVIDED_BY_STEPS, 2 * np.log(2.0) / 2)])
    assert_close(dlogits[0, 2], [0.0, 0.0], known=[(MASK_IGNORED_IN_GRADIENT, [0.5, -0.5])])
    assert_close(dlogits[0, :2], [[-0.5, 0.5], [0.5, -0.5]],  # 0.5 - one-hot
                 known=[(DIVIDED_BY_STEPS, [[-0.25, 0.25], [0.25, -0.25]])])


@pytest.mark.function("layers.temporal_softmax_cross_entropy")
def test_temporal_cross_entropy_of_large_logits_is_finite():
    # Scores of 1000 for the right class: the loss is (nearly) 0, and exp(1000) overflows.
    logits = np.array([[[1000.0, 0.0], [0.0, 1000.0], [500.0, 0.0]]])
    loss, dlogits = layers.temporal_softmax_cross_entropy(logits, np.array([[0, 1, 1]]), np.array([[True, True, False]]))
    assert_close(loss, 0.0, atol=1e-12, known=[(TEMPORAL_OVERFLOW, np.nan), (TEMPORAL_OVERFLOW, np.inf)])
    assert_close(dlogits, np.zeros((1, 3, 2)), atol=1e-12)


@pytest.mark.function("layers.temporal_softmax_cross_entropy")
def test_temporal_cross_entropy_masks_the_steps_mask_names():
    mask = np.array([[True, False], [True, True]])
    _, dlogits = layers.temporal_softmax_cross_entropy(np.zeros((2, 2, 2)), np.zeros((2, 2), dtype=int), mask)
    counted = np.array([-0.25, 0.25])  # (0.5 - one-hot) / N at a step that counts
    assert_close(dlogits, mask[:, :, None] * counted, known=[(MASK_TRANSPOSED, mask.T[:, :, None] * counted)])


# Sizes that are all different: a transposed weight or a swapped axis cannot pass by symmetry.

@pytest.mark.function("layers.softmax")
def test_softmax_along_a_middle_axis_with_all_sizes_different():
    a = random_params(dict(a=(2, 3, 4)), 0)["a"]
    out = layers.softmax(a, axis=1)
    assert out.shape == (2, 3, 4), f"out has shape {out.shape}; the docstring's is the shape of a, (2, 3, 4)"
    assert_close(out.sum(axis=1), np.ones((2, 4)), err_msg="softmax(a, axis=1) must sum to 1 along axis 1")


@pytest.mark.function("layers.affine_backward")
def test_affine_backward_is_the_gradient_of_the_forward_with_all_sizes_different():
    p = random_params(dict(x=(2, 3), W=(3, 4), b=(4,)), 1)
    assert_backward(layers.affine_forward, layers.affine_backward, p, upstream=[random_params(dict(dout=(2, 4)), 2)["dout"]])
