"""Public tests for rnnlab/architectures.py: properties any right answer has."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from gradcheck import assert_gradients, random_params
from rnnlab import architectures as A
from rnnlab.data import PAD, START


def test_last_state_is_taken_after_the_last_real_token():
    h = np.arange(2 * 4 * 1, dtype=float).reshape(2, 4, 1)
    assert_allclose(A.last_state(h, np.array([4, 2])), [[3.0], [5.0]])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_many_to_one_ignores_what_follows_the_last_real_token(cell):
    params = random_params(A.classifier_shapes(cell, 6, 3, 4, 2), seed=0)
    ids = np.array([[3, 4, 5, PAD, PAD]])
    other_padding = np.array([[3, 4, 5, 4, 3]])
    logits, _ = A.many_to_one_forward(ids, np.array([3]), params, cell)
    logits_other, _ = A.many_to_one_forward(other_padding, np.array([3]), params, cell)
    assert logits.shape == (1, 2)
    assert_allclose(logits, logits_other)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_many_to_one_loss_gradients(cell):
    params = random_params(A.classifier_shapes(cell, 5, 2, 3, 2), seed=1)
    ids, lengths, y = np.array([[3, 4, 2], [1, 0, 0]]), np.array([3, 1]), np.array([1, 0])
    assert_gradients(lambda: A.many_to_one_loss(ids, lengths, y, params, cell), params)


def test_tagger_loss_ignores_tags_on_padding():
    params = random_params(A.classifier_shapes("rnn", 5, 2, 3, 4), seed=2)
    ids, mask = np.array([[3, 4, 0]]), np.array([[True, True, False]])
    loss, _ = A.tagger_loss(ids, np.array([[1, 2, 0]]), mask, params)
    loss_other, _ = A.tagger_loss(ids, np.array([[1, 2, 3]]), mask, params)
    assert loss == pytest.approx(loss_other)
    assert_gradients(lambda: A.tagger_loss(ids, np.array([[1, 2, 0]]), mask, params), params)


def test_decoder_inputs_shift_the_target_behind_start():
    assert A.decoder_inputs(np.array([[7, 8, 9]])).tolist() == [[START, 7, 8]]


def test_seq2seq_step_t_does_not_see_later_decoder_inputs():
    params = random_params(A.seq2seq_shapes("gru", 6, 7, 3, 4), seed=3)
    src, src_lengths = np.array([[3, 4, 5, 0]]), np.array([3])
    logits, _ = A.seq2seq_forward(src, src_lengths, np.array([[START, 4, 5]]), params, "gru")
    changed, _ = A.seq2seq_forward(src, src_lengths, np.array([[START, 4, 6]]), params, "gru")
    assert logits.shape == (1, 3, 7)
    assert_allclose(logits[:, :2], changed[:, :2])


def test_greedy_decode_agrees_with_the_forward_pass_fed_its_own_words():
    params = random_params(A.seq2seq_shapes("rnn", 6, 7, 3, 4), seed=4)
    src, src_lengths = np.array([[3, 4, 5], [5, 0, 0]]), np.array([3, 1])
    words = A.greedy_decode(src, src_lengths, params, 4, "rnn")
    logits, _ = A.seq2seq_forward(src, src_lengths, A.decoder_inputs(words), params, "rnn")
    assert words.shape == (2, 4)
    assert np.array_equal(np.argmax(logits, axis=-1), words)


def test_seq2seq_loss_gradients():
    params = random_params(A.seq2seq_shapes("rnn", 5, 6, 2, 3), seed=5)
    src, src_lengths, tgt = np.array([[3, 4, 0], [4, 4, 3]]), np.array([2, 3]), np.array([[3, 2, 0], [5, 4, 2]])
    assert_gradients(lambda: A.seq2seq_loss(src, src_lengths, tgt, params, "rnn"), params)


@pytest.mark.parametrize("T, K, stride, padding, expected", [
    (9, 3, 1, "valid", (0, 0)), (7, 4, 1, "same", (1, 2)), (9, 3, 2, "same", (1, 1)), (6, 3, 1, "causal", (2, 0))])
def test_conv1d_padding_as_keras(T, K, stride, padding, expected):
    assert tuple(A.conv1d_padding(T, K, stride, padding)) == expected


@pytest.mark.parametrize("stride, padding, T_out", [(1, "valid", 5), (2, "valid", 3), (1, "same", 7),
                                                    (2, "same", 4), (1, "causal", 7)])
def test_conv1d_output_lengths_and_gradients(stride, padding, T_out):
    rng = np.random.default_rng(6)
    x, params = rng.normal(size=(2, 7, 2)), {"W": rng.normal(size=(3, 2, 4)), "b": rng.normal(size=4)}
    out, _ = A.conv1d_forward(x, params["W"], params["b"], stride, padding)
    assert out.shape == (2, T_out, 4)
    upstream = rng.normal(size=out.shape)

    def loss_and_grads():
        out, cache = A.conv1d_forward(x, params["W"], params["b"], stride, padding)
        dx, dW, db = A.conv1d_backward(upstream, cache)
        return np.sum(out * upstream), {"W": dW, "b": db}
    assert_gradients(loss_and_grads, params)


def test_conv1d_causal_output_sees_only_the_past():
    rng = np.random.default_rng(7)
    x, W, b = rng.normal(size=(1, 6, 2)), rng.normal(size=(3, 2, 2)), np.zeros(2)
    later = x.copy()
    later[:, 4:] += 1.0
    out, _ = A.conv1d_forward(x, W, b, padding="causal")
    out_later, _ = A.conv1d_forward(later, W, b, padding="causal")
    assert_allclose(out[:, :4], out_later[:, :4])


def test_cnn_classifier_loss_gradients():
    params = random_params(A.cnn_shapes(6, 2, 3, 3, 2), seed=8)
    ids, y = np.array([[3, 4, 5, 1, 2], [2, 2, 4, 5, 0]]), np.array([1, 0])
    assert_gradients(lambda: A.cnn_classifier_loss(ids, y, params, 1, "same"), params)
