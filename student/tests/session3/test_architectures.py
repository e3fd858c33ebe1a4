"""Public tests for rnnlab/architectures.py: properties any right answer has.

When a case fails, its message names a common mistake if your result is what that mistake
gives on the case (see mistakes.py).
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from gradcheck import assert_gradients, random_params, scaled, zero
from mistakes import assert_close, assert_unlike
from rnnlab import architectures as A
from rnnlab import layers, rnn
from rnnlab.data import PAD, START

# Common mistakes, in the words the graders use.
TAKES_THE_PADDING = "Your out is h[:, -1], the state after the padding, for every sequence: take h at step lengths[n] - 1 of each sequence n."
LAST_STATE_ONE_STEP_LATE = "Your out is the state one step too late (index lengths[n]): time indices start at 0, so the state after sequence n's last real token is at lengths[n] - 1."
EMBEDDING_GRADIENT_DROPPED = "Your gradient for W_embed is all zeros: backpropagate dx from the recurrent layer into the embedding."
LOSS_SUMMED = "Your loss equals the mean times N, a sum over the batch, while your gradient is of the mean: report the mean cross-entropy."
TAGGER_MASK_IGNORED = "Your loss and gradient count the padding steps too: pass mask on to the temporal cross-entropy so that padding does not count."
DECODER_FED_THE_ANSWER = "Your decoder inputs equal tgt itself, so at step t it is shown the very word it must predict: shift tgt right by one behind START, dropping its last word."
ENCODER_GRADIENT_DROPPED = "Your encoder gradients (W_embed_enc, Wx_enc, Wh_enc, b_enc) are zero: pass the gradient of the decoder's starting state back into the encoder, at each sequence's last real source step."
GRADIENT_TO_EVERY_STEP = "Your dh copies dout to every time step: only step lengths[n] - 1 of sequence n gets dout[n], all other steps stay zero."
CLASSIFIES_THE_PADDED_END = "Your logits classify h[:, -1], the state after the padding: classify the state after each sequence's last real token, using lengths."
TARGET_PADDING_SCORED = "Your loss and gradient score the PAD steps of tgt too: mask them out, so that only the steps where tgt is not PAD count."
NO_TEACHER_FORCING = "Your loss and gradient come from a decoder fed its own greedy predictions: in training use teacher forcing, feeding it the true previous words of tgt."
SAME_EXTRA_STEP_ON_THE_LEFT = 'Your "same" padding puts the odd extra step on the left: Keras puts total // 2 steps on the left and the rest on the right.'
CAUSAL_ONE_STEP_SHORT = "Your causal padding adds kernel_size - 2 steps on the left, one too few: pad kernel_size - 1 steps so that out[t] sees the input up to step t."
KERNEL_FLIPPED = "Your out equals a true convolution, with the kernel W flipped in time: Keras' Conv1D does not flip it, tap k multiplies xp[n, t * stride + k] by W[k]."
ENCODER_IGNORED = "Your logits equal those of a decoder started from zeros, which ignores the source: its initial state is the encoder's state after each source's last real token (src_lengths)."
DECODER_READS_START = "Your decoder reads START at every step instead of the word it just predicted: feed each step's highest-scoring word to the next step."
DECODER_STATE_NOT_CARRIED = "Your decoder restarts every step from the encoder's state: carry the new state of each step into the next one (feeding back the predicted word is right)."
TAGGER_SHIFTED_BY_EMBEDDINGS = "Your logits equal the right ones with one and the same number, the mean of all embedded inputs, added to every score: the logits are h_t W_out + b_out and nothing else."
CNN_LOSS_SUMMED = "Your loss is N times the mean, summed over the batch, while your dparams are those of the mean: return the cross-entropy averaged over the batch."


@pytest.mark.function("architectures.last_state")
def test_last_state_is_taken_after_the_last_real_token():
    h = np.arange(2 * 4 * 1, dtype=float).reshape(2, 4, 1)  # h[n, t, 0] = 4 n + t
    assert_close(A.last_state(h, np.array([3, 2])), [[2.0], [5.0]],
                 known=[(TAKES_THE_PADDING, [[3.0], [7.0]]),  # h[:, -1]
                        (LAST_STATE_ONE_STEP_LATE, [[3.0], [6.0]])])  # steps 3 and 2
    assert_close(A.last_state(h, np.array([4, 2])), [[3.0], [5.0]], known=[(TAKES_THE_PADDING, [[3.0], [7.0]])])


@pytest.mark.function("architectures.last_state_backward")
def test_last_state_backward_sends_dout_to_the_last_real_step():
    dh = A.last_state_backward(np.array([[1.0], [2.0]]), np.array([3, 2]), 4)
    assert_close(dh[:, :, 0], [[0.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 0.0]],
                 known=[(GRADIENT_TO_EVERY_STEP, [[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0]])])


@pytest.mark.function("architectures.many_to_one_forward")
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_many_to_one_ignores_what_follows_the_last_real_token(cell):
    params = random_params(A.classifier_shapes(cell, 6, 3, 4, 2), seed=0)
    ids = np.array([[3, 4, 5, PAD, PAD]])
    other_padding = np.array([[3, 4, 5, 4, 3]])
    logits, _ = A.many_to_one_forward(ids, np.array([3]), params, cell)
    logits_other, _ = A.many_to_one_forward(other_padding, np.array([3]), params, cell)
    assert logits.shape == (1, 2)
    unpadded, _ = A.many_to_one_forward(ids[:, :3], np.array([3]), params, cell)
    padding_read, _ = A.many_to_one_forward(ids, np.array([5]), params, cell)  # as if PAD were a real token
    assert_close(logits, unpadded, known=[(CLASSIFIES_THE_PADDED_END, padding_read)])
    assert_allclose(logits, logits_other)


@pytest.mark.function("architectures.many_to_one_loss")
@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_many_to_one_loss_gradients(cell):
    params = random_params(A.classifier_shapes(cell, 5, 2, 3, 2), seed=1)
    ids, lengths, y = np.array([[3, 4, 2], [1, 0, 0]]), np.array([3, 1]), np.array([1, 0])
    assert_gradients(lambda: A.many_to_one_loss(ids, lengths, y, params, cell), params,
                     known=[(LOSS_SUMMED, scaled(1 / 2)),  # the loss summed over N = 2, the gradient of the mean
                            (EMBEDDING_GRADIENT_DROPPED, zero("W_embed"))])


@pytest.mark.function("architectures.tagger_forward")
def test_tagger_scores_each_step_from_its_hidden_state():
    params = random_params(A.classifier_shapes("rnn", 5, 2, 3, 4), seed=2)
    ids = np.array([[3, 4, 0], [1, 2, 2]])
    x = params["W_embed"][ids]  # (N, T, D): the embedded inputs
    h, _ = rnn.rnn_forward(x, np.zeros((2, 3)), params["Wx"], params["Wh"], params["b"])
    logits, _ = A.tagger_forward(ids, params)
    scores = h @ params["W_out"] + params["b_out"]
    assert_close(logits, scores, rtol=1e-10, known=[(TAGGER_SHIFTED_BY_EMBEDDINGS, scores + x.mean())])


@pytest.mark.function("architectures.tagger_loss")
def test_tagger_loss_ignores_tags_on_padding():
    params = random_params(A.classifier_shapes("rnn", 5, 2, 3, 4), seed=2)
    ids, mask = np.array([[3, 4, 0]]), np.array([[True, True, False]])
    loss, _ = A.tagger_loss(ids, np.array([[1, 2, 0]]), mask, params)
    logits, _ = A.tagger_forward(ids, params)
    masked, _ = layers.temporal_softmax_cross_entropy(logits, np.array([[1, 2, 0]]), mask)
    unmasked, _ = layers.temporal_softmax_cross_entropy(logits, np.array([[1, 2, 0]]))
    assert_close(loss, masked, known=[(TAGGER_MASK_IGNORED, unmasked)])
    loss_other, _ = A.tagger_loss(ids, np.array([[1, 2, 3]]), mask, params)
    assert loss == pytest.approx(loss_other)
    assert_gradients(lambda: A.tagger_loss(ids, np.array([[1, 2, 0]]), mask, params), params)


@pytest.mark.function("architectures.decoder_inputs")
def test_decoder_inputs_shift_the_target_behind_start():
    assert_close(A.decoder_inputs(np.array([[7, 8, 9]])), [[START, 7, 8]],
                 known=[(DECODER_FED_THE_ANSWER, [[7, 8, 9]])])


@pytest.mark.function("architectures.seq2seq_forward")
def test_seq2seq_step_t_does_not_see_later_decoder_inputs():
    params = random_params(A.seq2seq_shapes("gru", 6, 7, 3, 4), seed=3)
    src, src_lengths = np.array([[3, 4, 5, 0]]), np.array([3])
    logits, _ = A.seq2seq_forward(src, src_lengths, np.array([[START, 4, 5]]), params, "gru")
    changed, _ = A.seq2seq_forward(src, src_lengths, np.array([[START, 4, 6]]), params, "gru")
    assert logits.shape == (1, 3, 7)
    assert_allclose(logits[:, :2], changed[:, :2])


@pytest.mark.function("architectures.seq2seq_forward")
def test_seq2seq_decoder_starts_from_the_encoders_state():
    params = random_params(A.seq2seq_shapes("gru", 6, 7, 3, 4), seed=3)
    src, src_lengths, tgt_in = np.array([[3, 4, 5, 0]]), np.array([3]), np.array([[START, 4, 5]])
    logits, _ = A.seq2seq_forward(src, src_lengths, tgt_in, params, "gru")
    silent = {**params, **{name: 0 * params[name] for name in ("Wx_enc", "Wh_enc", "b_enc")}}  # every state 0
    from_zeros, _ = A.seq2seq_forward(src, src_lengths, tgt_in, silent, "gru")
    assert_unlike(logits, from_zeros, ENCODER_IGNORED,
                  "seq2seq_forward gives the logits of a decoder that never heard the source")


def decisive(params):
    """Scores that depend on the word fed and the state carried: random weights of this size often
    make a decoder say one word for ever, and then feeding back or carrying would change nothing."""
    return {**params, "W_out": 4 * params["W_out"], "W_embed_dec": 3 * params["W_embed_dec"],
            "b_out": 0 * params["b_out"]}


@pytest.mark.function("architectures.greedy_decode")
def test_greedy_decode_agrees_with_the_forward_pass_fed_its_own_words():
    params = decisive(random_params(A.seq2seq_shapes("rnn", 6, 7, 3, 4), seed=4))
    src, src_lengths = np.array([[3, 4, 5], [5, 0, 0]]), np.array([3, 1])
    words = A.greedy_decode(src, src_lengths, params, 4, "rnn")
    assert words.shape == (2, 4)
    logits, _ = A.seq2seq_forward(src, src_lengths, A.decoder_inputs(words), params, "rnn")
    reading_start, _ = A.seq2seq_forward(src, src_lengths, np.full((2, 4), START), params, "rnn")
    restarting = np.concatenate([np.argmax(A.seq2seq_forward(src, src_lengths, A.decoder_inputs(words)[:, t:t + 1],
                                                             params, "rnn")[0], axis=-1) for t in range(4)], axis=1)
    assert_close(words, np.argmax(logits, axis=-1),  # each word is the best after the words before it
                 known=[(DECODER_READS_START, np.argmax(reading_start, axis=-1)),
                        (DECODER_STATE_NOT_CARRIED, restarting)])


@pytest.mark.function("architectures.seq2seq_loss")
def test_seq2seq_loss_scores_the_decoder_fed_the_true_words():
    params = random_params(A.seq2seq_shapes("rnn", 5, 6, 2, 3), seed=5)
    src, src_lengths, tgt = np.array([[3, 4, 0], [4, 4, 3]]), np.array([2, 3]), np.array([[3, 2, 0], [5, 4, 2]])

    def cross_entropy(tgt_in, mask=None):  # of the forward pass fed tgt_in, scored on tgt
        logits, _ = A.seq2seq_forward(src, src_lengths, tgt_in, params, "rnn")
        return layers.temporal_softmax_cross_entropy(logits, tgt, mask)[0]
    own_words = A.greedy_decode(src, src_lengths, params, 3, "rnn")
    loss, _ = A.seq2seq_loss(src, src_lengths, tgt, params, "rnn")
    assert_close(loss, cross_entropy(A.decoder_inputs(tgt), tgt != PAD),
                 known=[(TARGET_PADDING_SCORED, cross_entropy(A.decoder_inputs(tgt))),
                        (NO_TEACHER_FORCING, cross_entropy(A.decoder_inputs(own_words), tgt != PAD))])


@pytest.mark.function("architectures.seq2seq_loss")
def test_seq2seq_loss_gradients():
    params = random_params(A.seq2seq_shapes("rnn", 5, 6, 2, 3), seed=5)
    src, src_lengths, tgt = np.array([[3, 4, 0], [4, 4, 3]]), np.array([2, 3]), np.array([[3, 2, 0], [5, 4, 2]])
    assert_gradients(lambda: A.seq2seq_loss(src, src_lengths, tgt, params, "rnn"), params,
                     known=[(ENCODER_GRADIENT_DROPPED, zero("W_embed_enc", "Wx_enc", "Wh_enc", "b_enc"))])


@pytest.mark.parametrize("T, K, stride, padding, expected, known", [
    (9, 3, 1, "valid", (0, 0), []),
    (7, 4, 1, "same", (1, 2), [(SAME_EXTRA_STEP_ON_THE_LEFT, (2, 1))]),
    (9, 3, 2, "same", (1, 1), []),
    (6, 3, 1, "causal", (2, 0), [(CAUSAL_ONE_STEP_SHORT, (1, 0))])])
@pytest.mark.function("architectures.conv1d_padding")
def test_conv1d_padding_as_keras(T, K, stride, padding, expected, known):
    assert_close(tuple(A.conv1d_padding(T, K, stride, padding)), expected, known=known)


@pytest.mark.function("architectures.conv1d_forward")
def test_conv1d_forward_by_hand():
    # One channel, one filter, kernel taps [1, 0] and bias 0.5: out[t] = x[t] + 0.5.
    x = np.array([[[1.0], [2.0], [3.0]]])
    out, _ = A.conv1d_forward(x, np.array([[[1.0]], [[0.0]]]), np.array([0.5]))
    assert_close(out[0, :, 0], [1.5, 2.5], known=[(KERNEL_FLIPPED, [2.5, 3.5])])  # x[t + 1] + 0.5


@pytest.mark.parametrize("stride, padding, T_out", [(1, "valid", 5), (2, "valid", 3), (1, "same", 7),
                                                    (2, "same", 4), (1, "causal", 7)])
@pytest.mark.function("architectures.conv1d_backward")
def test_conv1d_output_lengths_and_gradients(stride, padding, T_out):
    rng = np.random.default_rng(6)
    params = {"x": rng.normal(size=(2, 7, 5)), "W": rng.normal(size=(3, 5, 4)), "b": rng.normal(size=4)}  # N, T, D, K, F all different
    out, _ = A.conv1d_forward(params["x"], params["W"], params["b"], stride, padding)
    assert out.shape == (2, T_out, 4)
    upstream = rng.normal(size=out.shape)

    def loss_and_grads():
        out, cache = A.conv1d_forward(params["x"], params["W"], params["b"], stride, padding)
        dx, dW, db = A.conv1d_backward(upstream, cache)
        return np.sum(out * upstream), {"x": dx, "W": dW, "b": db}
    assert_gradients(loss_and_grads, params)


@pytest.mark.function("architectures.conv1d_forward")
def test_conv1d_causal_output_sees_only_the_past():
    rng = np.random.default_rng(7)
    x, W, b = rng.normal(size=(1, 6, 2)), rng.normal(size=(3, 2, 4)), np.zeros(4)
    later = x.copy()
    later[:, 4:] += 1.0
    out, _ = A.conv1d_forward(x, W, b, padding="causal")
    out_later, _ = A.conv1d_forward(later, W, b, padding="causal")
    assert_allclose(out[:, :4], out_later[:, :4])


@pytest.mark.function("architectures.cnn_classifier_loss")
def test_cnn_classifier_loss_gradients():
    params = random_params(A.cnn_shapes(6, 4, 3, 5, 7), seed=8)  # V, D, K, F, C all different
    ids, y = np.array([[3, 4, 5, 1, 2], [2, 2, 4, 5, 0]]), np.array([1, 6])
    assert_gradients(lambda: A.cnn_classifier_loss(ids, y, params, 1, "same"), params,
                     known=[(CNN_LOSS_SUMMED, scaled(1 / 2))])  # the loss summed over N = 2, the gradient of the mean
