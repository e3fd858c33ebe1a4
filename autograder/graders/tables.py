"""The graded cases, declared: which function, how its inputs are built, with which points.

Adding a function to grade means adding rows here; the test bodies in test_*.py are generic.
A builder takes an `Inputs` generator `g` and returns the function's (or its forward's)
arguments; `g.randn("NTD")` is an (N, T, D) array, `g.weights("DH")` is scaled by 1/sqrt(D).
"""
from rnnlab_grader.checks import Case
from rnnlab_grader.worker import Step


def dims(spec):
    """dims("N=2 T=3") -> {"N": 2, "T": 3}"""
    return {k: int(v) for k, v in (pair.split("=") for pair in spec.split())}


# -- builders: one per argument list -------------------------------------------------

def activations(scale):
    return lambda g: (g.randn("NC", scale=scale),)


def softmax_along(axis, scale=1.0):
    return lambda g: (g.randn("NTC", scale=scale), axis)


def affine(g):
    return g.randn("ND"), g.weights("DM"), g.randn("M")


def temporal_affine(g):
    return g.randn("NTH"), g.weights("HV"), g.randn("V")


def embedding(g):
    return g.ints("V", "NT"), g.randn("VD")


def cross_entropy(scale):
    return lambda g: (g.randn("NC", scale=scale), g.ints("C", "N"))


def temporal_cross_entropy(masked):
    return lambda g: (g.randn("NTV"), g.ints("V", "NT"), g.mask("NT") if masked else None)


def rnn_step(g):
    return g.randn("ND"), g.randn("NH", scale=0.5), g.weights("DH"), g.weights("HH"), g.randn("H", scale=0.3)


def unfold(step, reverse):
    def build(g):
        state = g.randn("ND") if step == "leaky_sum" else (g.randn("ND"), g.randn("ND"))
        return Step(step), g.randn("NTD"), state, reverse
    return build


def rnn(g):
    return g.randn("NTD"), g.randn("NH", scale=0.5), g.weights("DH"), g.weights("HH"), g.randn("H", scale=0.3)


def lstm_step(g):
    return (g.randn("ND"), g.randn("NH", scale=0.5), g.randn("NH", scale=0.5),
            g.gate_weights("D", 4), g.gate_weights("H", 4), g.gate_bias(4))


def lstm(with_c0):
    def build(g):
        args = (g.randn("NTD"), g.randn("NH", scale=0.5), g.gate_weights("D", 4), g.gate_weights("H", 4),
                g.gate_bias(4))
        return args + (g.randn("NH", scale=0.5),) if with_c0 else args
    return build


def gru_step(g):
    return g.randn("ND"), g.randn("NH", scale=0.5), g.gate_weights("D", 3), g.gate_weights("H", 3), g.gate_bias(3, rows=2)


def gru(g):
    return g.randn("NTD"), g.randn("NH", scale=0.5), g.gate_weights("D", 3), g.gate_weights("H", 3), g.gate_bias(3, rows=2)


BLOCKS = dict(rnn=1, lstm=4, gru=3)  # gate blocks per cell


def bidirectional(cell, merge_mode):
    def params(g):
        blocks = BLOCKS[cell]
        return {"Wx": g.gate_weights("D", blocks), "Wh": g.gate_weights("H", blocks),
                "b": g.gate_bias(blocks, rows=2 if cell == "gru" else None)}

    def build(g):
        return (g.randn("NTD"), g.randn("NH", scale=0.5), g.randn("NH", scale=0.5), params(g), params(g),
                cell, merge_mode)
    return build


def counting(cell, input_dim, units, bidirectional):
    return lambda g: (cell, input_dim, units, bidirectional)


# -- the tables ------------------------------------------------------------------

VALUES = [
    Case("layers.sigmoid", activations(3.0), dims("N=3 C=5")),
    Case("layers.sigmoid", activations(3.0), dims("N=2 C=4"), "float32"),
    Case("layers.sigmoid", activations(800.0), dims("N=4 C=6"), note="large |a|"),
    Case("layers.softmax", softmax_along(-1), dims("N=2 T=3 C=5")),
    Case("layers.softmax", softmax_along(1), dims("N=3 T=4 C=2"), note="axis=1"),
    Case("layers.softmax", softmax_along(-1, scale=600.0), dims("N=2 T=2 C=6"), note="large a"),
    Case("layers.affine_forward", affine, dims("N=4 D=3 M=5")),
    Case("layers.affine_forward", affine, dims("N=1 D=6 M=2"), "float32"),
    Case("layers.temporal_affine_forward", temporal_affine, dims("N=3 T=4 H=5 V=6")),
    Case("layers.temporal_affine_forward", temporal_affine, dims("N=1 T=1 H=3 V=2"), "float32"),
    Case("layers.embedding_forward", embedding, dims("N=3 T=5 V=4 D=6")),
    Case("layers.embedding_forward", embedding, dims("N=1 T=1 V=7 D=3"), "float32"),
    Case("layers.softmax_cross_entropy", cross_entropy(1.0), dims("N=5 C=4")),
    Case("layers.softmax_cross_entropy", cross_entropy(500.0), dims("N=3 C=6"), note="large logits"),
    Case("layers.temporal_softmax_cross_entropy", temporal_cross_entropy(True), dims("N=3 T=5 V=4"), note="masked"),
    Case("layers.temporal_softmax_cross_entropy", temporal_cross_entropy(False), dims("N=2 T=3 V=6"), note="mask=None"),
    Case("rnn.rnn_step_forward", rnn_step, dims("N=3 D=4 H=5")),
    Case("rnn.rnn_step_forward", rnn_step, dims("N=1 D=6 H=2")),
    Case("rnn.rnn_step_forward", rnn_step, dims("N=4 D=3 H=3"), "float32"),
    Case("rnn.unfold", unfold("leaky_sum", False), dims("N=2 T=5 D=3"), note="forward"),
    Case("rnn.unfold", unfold("leaky_sum", True), dims("N=2 T=5 D=3"), note="reverse"),
    Case("rnn.unfold", unfold("pair_state", False), dims("N=3 T=4 D=2"), note="tuple state"),
    Case("rnn.unfold", unfold("pair_state", True), dims("N=3 T=4 D=2"), note="tuple state reverse"),
    Case("rnn.unfold", unfold("leaky_sum", False), dims("N=1 T=1 D=4"), note="T=1"),
    Case("rnn.rnn_forward", rnn, dims("N=3 T=5 D=4 H=6")),
    Case("rnn.rnn_forward", rnn, dims("N=1 T=1 D=3 H=2")),
    Case("rnn.rnn_forward", rnn, dims("N=2 T=9 D=2 H=4")),
    Case("rnn.rnn_forward", rnn, dims("N=4 T=6 D=5 H=3"), "float32"),
    Case("lstm.lstm_step_forward", lstm_step, dims("N=3 D=4 H=5")),
    Case("lstm.lstm_step_forward", lstm_step, dims("N=1 D=2 H=3")),
    Case("lstm.lstm_step_forward", lstm_step, dims("N=2 D=3 H=4"), "float32"),
    Case("lstm.lstm_forward", lstm(True), dims("N=3 T=5 D=4 H=3"), note="with c0"),
    Case("lstm.lstm_forward", lstm(False), dims("N=2 T=6 D=3 H=5"), note="c0=None"),
    Case("lstm.lstm_forward", lstm(False), dims("N=1 T=1 D=2 H=4"), note="c0=None"),
    Case("lstm.lstm_forward", lstm(True), dims("N=2 T=4 D=3 H=2"), "float32", note="with c0"),
    Case("gru.gru_step_forward", gru_step, dims("N=3 D=4 H=5")),
    Case("gru.gru_step_forward", gru_step, dims("N=1 D=2 H=3")),
    Case("gru.gru_step_forward", gru_step, dims("N=2 D=3 H=4"), "float32"),
    Case("gru.gru_forward", gru, dims("N=3 T=5 D=4 H=3")),
    Case("gru.gru_forward", gru, dims("N=1 T=1 D=2 H=4")),
    Case("gru.gru_forward", gru, dims("N=2 T=4 D=3 H=2"), "float32"),
    *[Case("bidirectional.bidirectional_forward", bidirectional(cell, mode), dims(d), dtype, note=f"{cell} {mode}")
      for cell, mode, d, dtype in [("rnn", "concat", "N=2 T=5 D=3 H=4", "float64"),
                                   ("rnn", "ave", "N=1 T=1 D=2 H=3", "float64"),
                                   ("lstm", "sum", "N=3 T=4 D=2 H=3", "float64"),
                                   ("lstm", "mul", "N=2 T=6 D=3 H=2", "float64"),
                                   ("gru", "concat", "N=2 T=5 D=4 H=3", "float64"),
                                   ("gru", "mul", "N=3 T=3 D=2 H=4", "float64"),
                                   ("lstm", "concat", "N=2 T=4 D=3 H=3", "float32")]],
    *[Case("bidirectional.count_params", counting(cell, D, H, bi), {"D": D, "H": H}, note=f"{cell} bi={bi}")
      for cell, D, H, bi in [("rnn", 7, 2, False), ("lstm", 2, 9, False), ("gru", 5, 4, False),
                             ("rnn", 4, 6, True), ("lstm", 6, 3, True), ("gru", 3, 8, True)]],
]

GRADIENTS = [
    Case("layers.affine_backward", affine, dims("N=3 D=4 M=2"), points=2,
         forward="layers.affine_forward", wrt=(0, 1, 2)),
    Case("layers.temporal_affine_backward", temporal_affine, dims("N=2 T=3 H=4 V=3"), points=2,
         forward="layers.temporal_affine_forward", wrt=(0, 1, 2)),
    Case("layers.embedding_backward", embedding, dims("N=3 T=6 V=4 D=3"), points=2,
         forward="layers.embedding_forward", wrt=(1,), note="repeated ids"),
    Case("layers.softmax_cross_entropy", cross_entropy(2.0), dims("N=4 C=5"), points=2,
         wrt=(0,), loss="loss"),
    Case("layers.temporal_softmax_cross_entropy", temporal_cross_entropy(True), dims("N=3 T=4 V=3"),
         points=2, wrt=(0,), loss="loss", note="masked"),
    Case("rnn.rnn_step_backward", rnn_step, dims("N=3 D=4 H=5"), points=2,
         forward="rnn.rnn_step_forward", wrt=(0, 1, 2, 3, 4)),
    Case("rnn.rnn_step_backward", rnn_step, dims("N=1 D=2 H=3"), points=2,
         forward="rnn.rnn_step_forward", wrt=(0, 1, 2, 3, 4)),
    Case("rnn.rnn_backward", rnn, dims("N=2 T=4 D=3 H=4"), points=3,
         forward="rnn.rnn_forward", wrt=(0, 1, 2, 3, 4)),
    Case("rnn.rnn_backward", rnn, dims("N=1 T=6 D=2 H=3"), points=3,
         forward="rnn.rnn_forward", wrt=(0, 1, 2, 3, 4)),
    Case("lstm.lstm_step_backward", lstm_step, dims("N=3 D=4 H=3"), points=2,
         forward="lstm.lstm_step_forward", wrt=(0, 1, 2, 3, 4, 5)),
    Case("lstm.lstm_step_backward", lstm_step, dims("N=1 D=2 H=2"), points=2,
         forward="lstm.lstm_step_forward", wrt=(0, 1, 2, 3, 4, 5)),
    Case("lstm.lstm_backward", lstm(False), dims("N=2 T=4 D=3 H=3"), points=3,
         forward="lstm.lstm_forward", wrt=(0, 1, 2, 3, 4)),
    Case("lstm.lstm_backward", lstm(False), dims("N=1 T=5 D=2 H=2"), points=3,
         forward="lstm.lstm_forward", wrt=(0, 1, 2, 3, 4)),
    Case("gru.gru_step_backward", gru_step, dims("N=3 D=4 H=3"), points=2,
         forward="gru.gru_step_forward", wrt=(0, 1, 2, 3, 4)),
    Case("gru.gru_step_backward", gru_step, dims("N=1 D=2 H=2"), points=2,
         forward="gru.gru_step_forward", wrt=(0, 1, 2, 3, 4)),
    Case("gru.gru_backward", gru, dims("N=2 T=4 D=3 H=3"), points=3,
         forward="gru.gru_forward", wrt=(0, 1, 2, 3, 4)),
    Case("gru.gru_backward", gru, dims("N=1 T=5 D=2 H=2"), points=3,
         forward="gru.gru_forward", wrt=(0, 1, 2, 3, 4)),
    *[Case("bidirectional.bidirectional_backward", bidirectional(cell, mode), dims(d), points=2,
           forward="bidirectional.bidirectional_forward", wrt=(0, 1, 2, 3, 4), note=f"{cell} {mode}")
      for cell, mode, d in [("rnn", "concat", "N=2 T=4 D=2 H=3"), ("lstm", "mul", "N=2 T=3 D=2 H=2"),
                            ("gru", "sum", "N=1 T=4 D=3 H=2"), ("rnn", "ave", "N=2 T=3 D=2 H=2")]],
]

UNTOUCHED = [
    Case("layers.softmax", softmax_along(-1), dims("N=2 T=3 C=4")),
    Case("layers.temporal_softmax_cross_entropy", temporal_cross_entropy(True), dims("N=2 T=3 V=4")),
    Case("rnn.rnn_step_forward", rnn_step, dims("N=2 D=3 H=4")),
    Case("rnn.rnn_forward", rnn, dims("N=2 T=3 D=3 H=4")),
    Case("rnn.rnn_backward", rnn, dims("N=2 T=3 D=3 H=4"), forward="rnn.rnn_forward"),
    Case("lstm.lstm_step_forward", lstm_step, dims("N=2 D=3 H=4")),
    Case("lstm.lstm_forward", lstm(True), dims("N=2 T=3 D=3 H=4"), note="with c0"),
    Case("lstm.lstm_backward", lstm(False), dims("N=2 T=3 D=3 H=4"), forward="lstm.lstm_forward"),
    Case("gru.gru_forward", gru, dims("N=2 T=3 D=3 H=4")),
    Case("gru.gru_backward", gru, dims("N=2 T=3 D=3 H=4"), forward="gru.gru_forward"),
    Case("bidirectional.bidirectional_forward", bidirectional("gru", "concat"), dims("N=2 T=3 D=3 H=2"),
         note="gru concat"),
    Case("bidirectional.bidirectional_backward", bidirectional("rnn", "mul"), dims("N=2 T=3 D=3 H=2"),
         forward="bidirectional.bidirectional_forward", note="rnn mul"),
]
