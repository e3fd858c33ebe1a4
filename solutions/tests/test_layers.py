"""Public tests for rnnlab/layers.py: small cases whose answers you can check by hand.

Passing them is a good sign, not a grade: the hidden graders use other inputs,
several shapes and dtypes, and check gradients numerically.
"""
import numpy as np
from numpy.testing import assert_allclose

from rnnlab import layers


def test_sigmoid_known_values():
    a = np.array([0.0, np.log(3.0), -np.log(3.0)])
    assert_allclose(layers.sigmoid(a), [0.5, 0.75, 0.25])


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        out = layers.sigmoid(np.array([-1000.0, 1000.0]))
    assert_allclose(out, [0.0, 1.0])


def test_softmax_rows_sum_to_one_and_survive_large_scores():
    a = np.array([[1.0, 1.0], [1000.0, 1000.0 + np.log(3.0)]])
    assert_allclose(layers.softmax(a), [[0.5, 0.5], [0.25, 0.75]])


def test_affine_forward_by_hand():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 0.0]])
    b = np.array([0.0, 1.0, 2.0])
    out, _ = layers.affine_forward(x, W, b)
    assert_allclose(out, [[2.0, 3.0, 1.0]])


def test_affine_backward_by_hand():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0], [0.0, 3.0]])
    _, cache = layers.affine_forward(x, W, np.zeros(2))
    dx, dW, db = layers.affine_backward(np.array([[1.0, 1.0]]), cache)
    assert_allclose(dx, [[1.0, 3.0]])
    assert_allclose(dW, [[1.0, 1.0], [2.0, 2.0]])
    assert_allclose(db, [1.0, 1.0])


def test_temporal_affine_forward_shape():
    out, _ = layers.temporal_affine_forward(np.ones((2, 3, 4)), np.ones((4, 5)), np.zeros(5))
    assert out.shape == (2, 3, 5)
    assert_allclose(out, 4.0)


def test_embedding_looks_up_rows():
    W = np.arange(6.0).reshape(3, 2)
    out, _ = layers.embedding_forward(np.array([[2, 0]]), W)
    assert_allclose(out, [[[4.0, 5.0], [0.0, 1.0]]])


def test_embedding_backward_adds_up_repeated_ids():
    W = np.zeros((3, 2))
    _, cache = layers.embedding_forward(np.array([[1, 1, 2]]), W)
    dW = layers.embedding_backward(np.ones((1, 3, 2)), cache)
    assert_allclose(dW, [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]])


def test_cross_entropy_of_uniform_scores_is_log_of_classes():
    loss, dlogits = layers.softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert np.isclose(loss, np.log(4.0))
    assert_allclose(dlogits, [[-0.375, 0.125, 0.125, 0.125], [0.125, 0.125, 0.125, -0.375]])


def test_temporal_cross_entropy_ignores_masked_steps():
    logits = np.zeros((1, 2, 2))
    y = np.array([[0, 1]])
    loss, dlogits = layers.temporal_softmax_cross_entropy(logits, y, np.array([[True, False]]))
    assert np.isclose(loss, np.log(2.0))
    assert_allclose(dlogits[0, 1], [0.0, 0.0])
