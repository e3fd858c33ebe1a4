"""The exercise contract as data: what each graded function takes and returns.

This mirrors `shared/contract.md`. `axes` name the dimensions of each array, so that
feedback can say where a result is wrong ("at n=1, t=0, h=3") instead of printing it.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signature:
    args: tuple
    returns: tuple
    opaque: tuple = ()  # returned values that stay in the student's process (caches)
    axes: dict = field(default_factory=dict)  # array name -> one letter per dimension
    gates: str = ""  # names of the gate blocks along an axis lettered G, e.g. "ifgo"
    keras: bool = False  # returns a Keras layer or model, summarised as plain data in the worker


def _sig(args, returns, opaque="", gates="", keras=False, **axes):
    return Signature(tuple(args.split()), tuple(returns.split()), tuple(opaque.split()), axes,
                     gates, keras)


SIGNATURES = {
    "layers.sigmoid": _sig("a", "out"),
    "layers.softmax": _sig("a axis", "out"),
    "layers.affine_forward": _sig("x W b", "out cache", "cache", out="NM"),
    "layers.affine_backward": _sig("dout cache", "dx dW db", dx="ND", dW="DM", db="M"),
    "layers.temporal_affine_forward": _sig("x W b", "out cache", "cache", out="NTV"),
    "layers.temporal_affine_backward": _sig("dout cache", "dx dW db", dx="NTH", dW="HV", db="V"),
    "layers.embedding_forward": _sig("ids W", "out cache", "cache", out="NTD"),
    "layers.embedding_backward": _sig("dout cache", "dW", dW="VD"),
    "layers.softmax_cross_entropy": _sig("logits y", "loss dlogits", dlogits="NC"),
    "layers.temporal_softmax_cross_entropy": _sig("logits y mask", "loss dlogits", dlogits="NTV"),
    "rnn.rnn_step_forward": _sig("x h_prev Wx Wh b", "h_next cache", "cache", h_next="NH"),
    "rnn.rnn_step_backward": _sig("dh_next cache", "dx dh_prev dWx dWh db", dx="ND", dh_prev="NH",
                                  dWx="DH", dWh="HH", db="H"),
    "rnn.unfold": _sig("step x state0 reverse", "outputs final_state caches", outputs="NTK"),
    "rnn.rnn_forward": _sig("x h0 Wx Wh b", "h cache", "cache", h="NTH"),
    "rnn.rnn_backward": _sig("dh cache", "dx dh0 dWx dWh db", dx="NTD", dh0="NH", dWx="DH",
                             dWh="HH", db="H"),
    "lstm.lstm_step_forward": _sig("x h_prev c_prev Wx Wh b", "h_next c_next cache", "cache",
                                   h_next="NH", c_next="NH"),
    "lstm.lstm_step_backward": _sig("dh_next dc_next cache", "dx dh_prev dc_prev dWx dWh db", gates="ifgo",
                                    dx="ND", dh_prev="NH", dc_prev="NH", dWx="DG", dWh="HG", db="G"),
    "lstm.lstm_forward": _sig("x h0 Wx Wh b c0", "h cache", "cache", h="NTH"),
    "lstm.lstm_backward": _sig("dh cache", "dx dh0 dWx dWh db", gates="ifgo", dx="NTD", dh0="NH",
                               dWx="DG", dWh="HG", db="G"),
    "gru.gru_step_forward": _sig("x h_prev Wx Wh b", "h_next cache", "cache", h_next="NH"),
    "gru.gru_step_backward": _sig("dh_next cache", "dx dh_prev dWx dWh db", gates="zrh", dx="ND",
                                  dh_prev="NH", dWx="DG", dWh="HG", db="BG"),
    "gru.gru_forward": _sig("x h0 Wx Wh b", "h cache", "cache", h="NTH"),
    "gru.gru_backward": _sig("dh cache", "dx dh0 dWx dWh db", gates="zrh", dx="NTD", dh0="NH",
                             dWx="DG", dWh="HG", db="BG"),
    "bidirectional.bidirectional_forward": _sig("x h0_fwd h0_bwd params_fwd params_bwd cell merge_mode",
                                                "h cache", "cache", h="NTK"),
    "bidirectional.bidirectional_backward": _sig("dh cache", "dx dh0_fwd dh0_bwd grads_fwd grads_bwd",
                                                 dx="NTD", dh0_fwd="NH", dh0_bwd="NH"),
    "bidirectional.count_params": _sig("cell input_dim units bidirectional", "count"),
    "architectures.last_state": _sig("h lengths", "out", out="NH"),
    "architectures.last_state_backward": _sig("dout lengths T", "dh", dh="NTH"),
    "architectures.many_to_one_forward": _sig("ids lengths params cell", "logits cache", "cache", logits="NC"),
    "architectures.many_to_one_backward": _sig("dlogits cache", "dparams"),
    "architectures.many_to_one_loss": _sig("ids lengths y params cell", "loss dparams"),
    "architectures.tagger_forward": _sig("ids params cell", "logits cache", "cache", logits="NTK"),
    "architectures.tagger_backward": _sig("dlogits cache", "dparams"),
    "architectures.tagger_loss": _sig("ids tags mask params cell", "loss dparams"),
    "architectures.decoder_inputs": _sig("tgt", "tgt_in", tgt_in="NT"),
    "architectures.seq2seq_forward": _sig("src src_lengths tgt_in params cell", "logits cache", "cache",
                                          logits="NTV"),
    "architectures.seq2seq_backward": _sig("dlogits cache", "dparams"),
    "architectures.seq2seq_loss": _sig("src src_lengths tgt params cell", "loss dparams"),
    "architectures.greedy_decode": _sig("src src_lengths params max_len cell", "words", words="NT"),
    "architectures.conv1d_padding": _sig("T kernel_size stride padding", "left right"),
    "architectures.conv1d_forward": _sig("x W b stride padding", "out cache", "cache", out="NTF"),
    "architectures.conv1d_backward": _sig("dout cache", "dx dW db", dx="NTD", dW="KDF", db="F"),
    "architectures.cnn_classifier_forward": _sig("ids params stride padding", "logits cache", "cache",
                                                 logits="NC"),
    "architectures.cnn_classifier_backward": _sig("dlogits cache", "dparams"),
    "architectures.cnn_classifier_loss": _sig("ids y params stride padding", "loss dparams"),
    # Session 4
    "architectures.one_to_one_forward": _sig("x params", "logits cache", "cache", logits="NC"),
    "architectures.one_to_one_backward": _sig("dlogits cache", "dparams"),
    "architectures.char_lm_forward": _sig("ids params cell z", "logits cache", "cache", logits="NTV"),
    "architectures.char_lm_backward": _sig("dlogits cache", "dparams"),
    "architectures.char_lm_loss": _sig("ids params cell z", "loss dparams"),
    "architectures.next_token_probs": _sig("logits temperature top_k", "probs", probs="NV"),
    "architectures.sample_from": _sig("probs u", "tokens", tokens="N"),
    "architectures.generate": _sig("params prompt length temperature top_k seed cell z", "tokens", tokens="NT"),
    "timeseries.make_windows": _sig("series window horizon", "X Y", X="MWF", Y="MH"),
    "timeseries.chronological_split": _sig("series train_fraction window", "train test"),
    "timeseries.fit_scaler": _sig("train", "mean std"),
    "timeseries.prepare_forecasting": _sig("series window horizon train_fraction", "data"),
    "timeseries.naive_forecast": _sig("X horizon", "forecast", forecast="MH"),
    "timeseries.seasonal_naive_forecast": _sig("X horizon season", "forecast", forecast="MH"),
    "timeseries.moving_average_forecast": _sig("X horizon k", "forecast", forecast="MH"),
    "timeseries.mae": _sig("y_true y_pred", "error"),
    "timeseries.rmse": _sig("y_true y_pred", "error"),
    "timeseries.forecaster_forward": _sig("X params cell", "Y_hat cache", "cache", Y_hat="MH"),
    "timeseries.forecaster_backward": _sig("dY_hat cache", "dparams"),
    "timeseries.forecaster_loss": _sig("X Y params cell", "loss dparams"),
    "keras_models.recurrent_layer": _sig("cell units bidirectional merge_mode return_sequences", "layer",
                                         keras=True),
    "keras_models.build_sequence_classifier": _sig(
        "cell seq_len input_dim units num_classes bidirectional merge_mode", "model", keras=True),
    "keras_models.build_text_classifier": _sig("cell vocab_size embed_dim units num_classes bidirectional",
                                               "model", keras=True),
    "keras_models.build_tagger": _sig("cell vocab_size embed_dim units num_tags bidirectional", "model", keras=True),
    "keras_models.build_translator": _sig("cell src_vocab tgt_vocab embed_dim units", "model", keras=True),
    "keras_models.build_cnn_classifier": _sig("vocab_size embed_dim filters kernel_size num_classes padding strides",
                                              "model", keras=True),
    "keras_models.build_char_model": _sig("cell vocab_size embed_dim units", "model", keras=True),
    "keras_models.build_forecaster": _sig("cell window features units horizon", "model", keras=True),
}


CELL_FORWARDS = ("rnn.rnn_forward", "lstm.lstm_forward", "gru.gru_forward")
CELL_BACKWARDS = ("rnn.rnn_backward", "lstm.lstm_backward", "gru.gru_backward")

# The functions each graded function may build on. When a check fails, it runs again with these
# computed by the reference (checks.charged_once), so that a mistake is charged only where it is.
USES = {
    "rnn.rnn_forward": ("rnn.rnn_step_forward",),
    "rnn.rnn_backward": ("rnn.rnn_step_backward",),
    "lstm.lstm_step_forward": ("layers.sigmoid",),
    "lstm.lstm_forward": ("lstm.lstm_step_forward",),
    "lstm.lstm_backward": ("lstm.lstm_step_backward",),
    "gru.gru_step_forward": ("layers.sigmoid",),
    "gru.gru_forward": ("gru.gru_step_forward",),
    "gru.gru_backward": ("gru.gru_step_backward",),
    "bidirectional.bidirectional_forward": CELL_FORWARDS,
    "bidirectional.bidirectional_backward": CELL_BACKWARDS,
    # Session 3. A model's forward and backward are delegated together (a reference cache is
    # opaque to student code), so a loss is charged once for mistakes in the model it scores.
    "architectures.many_to_one_forward": CELL_FORWARDS + ("layers.embedding_forward", "layers.affine_forward",
                                                          "architectures.last_state"),
    "architectures.many_to_one_backward": CELL_BACKWARDS + ("layers.embedding_backward", "layers.affine_backward",
                                                            "architectures.last_state_backward"),
    "architectures.many_to_one_loss": ("architectures.many_to_one_forward", "architectures.many_to_one_backward",
                                       "layers.softmax_cross_entropy"),
    "architectures.tagger_forward": CELL_FORWARDS + ("layers.embedding_forward", "layers.temporal_affine_forward"),
    "architectures.tagger_backward": CELL_BACKWARDS + ("layers.embedding_backward",
                                                       "layers.temporal_affine_backward"),
    "architectures.tagger_loss": ("architectures.tagger_forward", "architectures.tagger_backward",
                                  "layers.temporal_softmax_cross_entropy"),
    "architectures.seq2seq_forward": CELL_FORWARDS + ("layers.embedding_forward", "layers.temporal_affine_forward",
                                                      "architectures.last_state"),
    "architectures.seq2seq_backward": CELL_BACKWARDS + ("layers.embedding_backward",
                                                        "layers.temporal_affine_backward",
                                                        "architectures.last_state_backward"),
    "architectures.seq2seq_loss": ("architectures.decoder_inputs", "architectures.seq2seq_forward",
                                   "architectures.seq2seq_backward", "layers.temporal_softmax_cross_entropy"),
    "architectures.greedy_decode": CELL_FORWARDS + ("rnn.rnn_step_forward", "lstm.lstm_step_forward",
                                                    "gru.gru_step_forward", "layers.embedding_forward",
                                                    "architectures.last_state"),
    "architectures.conv1d_forward": ("architectures.conv1d_padding",),
    "architectures.cnn_classifier_forward": ("layers.embedding_forward", "layers.affine_forward",
                                             "architectures.conv1d_forward"),
    "architectures.cnn_classifier_backward": ("layers.embedding_backward", "layers.affine_backward",
                                              "architectures.conv1d_backward"),
    "architectures.cnn_classifier_loss": ("architectures.cnn_classifier_forward",
                                          "architectures.cnn_classifier_backward", "layers.softmax_cross_entropy"),
    # Session 4
    "architectures.one_to_one_forward": ("layers.affine_forward",),
    "architectures.one_to_one_backward": ("layers.affine_backward",),
    "architectures.char_lm_forward": CELL_FORWARDS + ("layers.embedding_forward", "layers.temporal_affine_forward"),
    "architectures.char_lm_backward": CELL_BACKWARDS + ("layers.embedding_backward",
                                                        "layers.temporal_affine_backward"),
    "architectures.char_lm_loss": ("architectures.char_lm_forward", "architectures.char_lm_backward",
                                   "layers.temporal_softmax_cross_entropy"),
    "architectures.next_token_probs": ("layers.softmax",),
    "architectures.generate": ("rnn.rnn_step_forward", "lstm.lstm_step_forward", "gru.gru_step_forward",
                               "architectures.next_token_probs", "architectures.sample_from"),
    "timeseries.prepare_forecasting": ("timeseries.chronological_split", "timeseries.fit_scaler",
                                       "timeseries.make_windows"),
    "timeseries.forecaster_forward": CELL_FORWARDS + ("layers.affine_forward", "architectures.last_state"),
    "timeseries.forecaster_backward": CELL_BACKWARDS + ("layers.affine_backward", "architectures.last_state_backward"),
    "timeseries.forecaster_loss": ("timeseries.forecaster_forward", "timeseries.forecaster_backward"),
}


def signature(qualname):
    """The Signature of `module.function`, e.g. "rnn.rnn_forward"."""
    return SIGNATURES[qualname]
