"""The cheapest-pass corpus: for each kind of check, the cheapest thing that might pass it without
being the solution, alone and combined, and the exact score it must get.

Every case starts from the stubs (so it must score 0 on what it is graded on) or is a pair of
submissions graded one after the other in one batch (a recorder before a thief, a victim beside a
reader). Each case names the score it got before the defence that closes it (this file run on the
code before, at commit f747308): that is what this file holds at zero.

| case (points before the defence, measured) | defence |
|---|---|
| nones_everywhere (27 of 370) | inputs untouched counts only with a right result |
| sum_forwards (10 of 17: the gradients) | own-forward differences only for a credible forward |
| nones_and_sums (35 of 370) | both, combined |
| offline_weights (3 of 8: the training run) | the first steps' gradients are checked |
| borrows_tensorflow (3 of 3) | the numpy lane has no TensorFlow |
| package_is_a_link (370 of 370), a_link_beside_the_package (3 of 3) | links refused; submissions staged root-only |
| thief, after a recorder, through /tmp (3 of 3) | private /tmp, /var/tmp and /dev/shm per worker |
| reader beside a victim (3 of 3) | a whitelisted file system; /proc shows the worker's own processes |
| replayer, after a harvester of lent answers (4 of 4) | a lent worker is replaced; private scratch space |
| forged_summaries (10 of 10, at 8c51c32) | Keras models are summarised by the rebuilder, from their configuration |
| constant_answers (1 of 40, at ae3ee57) | a case whose answer is fixed counts once one whose answer is not is right |
| a lookup of answers read from its own feedback, four rounds (0, 6, 13, 13 of 33, at ae3ee57) | each submission meets hidden inputs of its own, drawn under a secret |
| differentiates_numerically (125 of 125, at ae3ee57) | each backward's check at scale: numerical differentiation runs out of time |
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

import local_student
from every_stub import every_function_a_stub
from rnnlab_grader.contract import SIGNATURES
from rnnlab_grader.grading import engine
from rnnlab_grader.paths import SOLUTIONS

SUM_GROUPS = {"layers.affine_forward", "layers.affine_backward", "layers.softmax_cross_entropy",
              "rnn.rnn_step_forward", "rnn.rnn_step_backward"}


def returning_nones(package):
    """Every graded stub returns the right number of Nones instead of raising."""
    for qualname, sig in SIGNATURES.items():
        module, function = qualname.split(".")
        path = package / f"{module}.py"
        stub = f'    raise NotImplementedError("{function}")'
        nones = "None" if len(sig.returns) == 1 else f"({', '.join(['None'] * len(sig.returns))})"
        path.write_text(path.read_text().replace(stub, f"    return {nones}"))


SUM_BODIES = {
    # A forward that depends on every input (their sum, broadcast to the output's shape) and a
    # backward that returns that forward's exact gradient: finite differences agree with it.
    "affine_forward": "    s = x.sum() + W.sum() + b.sum()\n"
                      "    return np.full((x.shape[0], W.shape[1]), s), (x, W, b)",
    "affine_backward": "    x, W, b = cache\n    g = dout.sum()\n"
                       "    return np.full_like(x, g), np.full_like(W, g), np.full_like(b, g)",
    "softmax_cross_entropy": "    return float(logits.sum()), np.ones_like(logits)",
    "rnn_step_forward": "    s = x.sum() + h_prev.sum() + Wx.sum() + Wh.sum() + b.sum()\n"
                        "    return np.full(h_prev.shape, s), (x, h_prev, Wx, Wh, b)",
    "rnn_step_backward": "    g = dh_next.sum()\n    return tuple(np.full_like(a, g) for a in cache)",
}


def summing(package):
    for function, body in SUM_BODIES.items():
        qualname = next(q for q in SIGNATURES if q.split(".")[1] == function)
        path = package / f"{qualname.split('.')[0]}.py"
        path.write_text(path.read_text().replace(f'    raise NotImplementedError("{function}")', body))


def replace_stub(package, qualname, body):
    module, function = qualname.split(".")
    path = package / f"{module}.py"
    text = path.read_text()
    stub = f'    raise NotImplementedError("{function}")'
    assert stub in text, qualname
    path.write_text(text.replace(stub, body))


def prepend(package, module, code):
    path = package / f"{module}.py"
    path.write_text(code + "\n" + path.read_text())


def offline_weights(package):
    """many_to_one_loss returns no loss at all and `params - W*`, W* the weights a reference
    training run reaches (trained here, offline): Adam then walks straight to W*."""
    import sys
    sys.path.insert(0, str(engine.GRADERS))
    import tables
    from rnnlab_grader import reference
    case = next(c for c in tables.TRAINING if c.function == "architectures.many_to_one_loss")
    task = case.task()
    params = reference.function("architectures.init_params")(task["shapes"], seed=0)
    adam = reference.function("optim.Adam")(params, lr=case.lr)
    for step in range(case.steps):
        args = task["batches"][step % len(task["batches"])] + (params,) + task["settings"]
        adam.step(reference.function(case.function)(*args)[1])
    trained = {name: value.tolist() for name, value in params.items()}
    prepend(package, "architectures", f"_TRAINED = {trained!r}")
    replace_stub(package, "architectures.many_to_one_loss",
                 "    import numpy as np\n"
                 "    return 0.0, {k: v - np.asarray(_TRAINED[k]) for k, v in params.items()}")


LOOT = ("/tmp", "/var/tmp", "/dev/shm")

# Copies its own (right) package where a later submission's worker could find it.
RECORDER = f"""
import os, shutil
for _place in {LOOT!r}:
    try:
        shutil.copytree(os.path.dirname(__file__), _place + "/rnnlab-loot", dirs_exist_ok=True)
        os.chmod(_place + "/rnnlab-loot", 0o777)
    except OSError:
        pass
"""

# Runs the first right layers.py it finds (one whose sigmoid works): left by a recorder, in a
# victim's folder on disk, or in a folder named on another process's command line.
def finder(places, walk):
    return f"""
def _borrowed(name):
    import glob, os
    candidates = [p + "/rnnlab-loot/layers.py" for p in {places!r}]
    for entry in os.listdir("/proc") if {walk!r} else []:
        try:
            arguments = open(f"/proc/{{entry}}/cmdline", "rb").read().split(b"\\0")
        except OSError:
            continue
        candidates += [a.decode(errors="replace") + "/rnnlab/layers.py" for a in arguments]
    for top in ("/tmp", "/var/tmp", "/home", "/srv", "/mnt", "/work") if {walk!r} else ():
        candidates += glob.glob(top + "/*/rnnlab/layers.py") + glob.glob(top + "/*/*/rnnlab/layers.py")
    for path in candidates:
        try:
            source = open(path).read()
        except OSError:
            continue
        space = {{}}
        if "tensorflow" in source:  # slow to import: another case of this corpus
            continue
        try:
            exec(source, space)
            if abs(space["sigmoid"](__import__("numpy").zeros(1))[0] - 0.5) < 1e-12:  # a right one
                return space[name]
        except Exception:
            continue
    raise NotImplementedError(name)
"""


# Records every input rnn_step_forward is given; when rnn_forward runs with the reference's
# rnn_step_forward lent to it (a charged-once rerun), asks it for the answers to all of them, and
# keeps those answers in memory and in scratch space, for itself and for a later submission.
HARVESTER = f"""
import hashlib, os, pickle
_LOOT = [p + "/rnnlab-harvest.pkl" for p in {LOOT!r}]
_inputs, _answers = {{}}, {{}}

def _key(args):
    return hashlib.sha1(b"".join(a.tobytes() + repr((a.shape, a.dtype.str)).encode() for a in args)).hexdigest()

def _load():
    for path in _LOOT:
        try:
            with open(path, "rb") as loot:
                _answers.update(pickle.load(loot))
        except Exception:
            pass

def _save():
    for path in _LOOT:
        try:
            with open(path, "wb") as loot:
                pickle.dump(_answers, loot)
            os.chmod(path, 0o666)
        except OSError:
            pass
"""
HARVESTED_STEP = """    _load()
    args = (x, h_prev, Wx, Wh, b)
    if _key(args) in _answers:
        return _answers[_key(args)], None
    _inputs[_key(args)] = args
    raise NotImplementedError("rnn_step_forward")"""
HARVESTING_FORWARD = """    for key, args in list(_inputs.items()):
        try:
            _answers[key] = rnn_step_forward(*args)[0]
        except Exception:
            pass
    _save()
    raise NotImplementedError("rnn_forward")"""


# recurrent_layer returns no layer, and the worker's own summariser is replaced by one that writes
# the summary the graders expect from the builder's arguments (parameter counts by formula).
FORGER = """
import json, sys

def _forged(arguments, input_shape):
    cell, units, bidirectional, merge_mode, return_sequences = arguments
    seq_len, input_dim = input_shape
    gates, biases = {"rnn": (1, 1), "lstm": (4, 1), "gru": (3, 2)}[cell]
    inner = {"class": {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}[cell], "units": units,
             "return_sequences": return_sequences, "params": gates * units * (input_dim + units + biases)}
    layer = inner
    if bidirectional:
        layer = {"class": "Bidirectional", "merge_mode": merge_mode, "inner": inner, "params": 2 * inner["params"]}
    width = 2 * units if bidirectional and merge_mode == "concat" else units
    return {"layers": [layer], "output_shape": [None, seq_len, width] if return_sequences else [None, width]}

for _name in ("__main__", "worker"):
    _worker = sys.modules.get(_name)
    if _worker is not None and hasattr(_worker, "_summarize_keras"):
        _worker._summarize_keras = _forged
        _worker._describe_keras = json.dumps  # where only a description leaves the worker
"""


# Backward passes by numerical differentiation: every forward's cache keeps its arguments, and every
# backward differentiates the reference's forward, entry by entry, with a five-point stencil (error
# ~1e-12: within the graders' float64 tolerance); the losses' gradients likewise. Nothing in it is
# backpropagation.
NUMERICAL = """
import numpy as _np


def _gradient(objective, args, position, key=None):
    base = args[position]
    array = _np.asarray(base[key] if key is not None else base, dtype=float)
    grad = _np.zeros(array.shape)
    h = 1e-3
    for index in _np.ndindex(array.shape):
        values = []
        for step in (-2, -1, 1, 2):
            moved = array.copy()
            moved[index] += step * h
            value = {**base, key: moved} if key is not None else moved
            values.append(objective(args[:position] + (value,) + args[position + 1:]))
        grad[index] = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
    return grad


def _numerical(forward, wrt):
    def forward_keeping_args(*args):
        return (*forward(*args)[:-1], args)

    def backward(*upstream_and_args):
        *upstream, args = upstream_and_args

        def objective(args):
            return sum(float(_np.sum(_np.asarray(o, dtype=float) * u)) for o, u in zip(forward(*args)[:-1], upstream))
        grads = [{k: _gradient(objective, args, i, k) for k in args[i]} if isinstance(args[i], dict)
                 else _gradient(objective, args, i) for i in wrt]
        return tuple(grads) if len(grads) > 1 else grads[0]
    return forward_keeping_args, backward


def _numerical_loss(loss_function):
    def loss_and_gradient(logits, *rest):
        return loss_function(logits, *rest)[0], _gradient(lambda args: loss_function(*args)[0], (logits, *rest), 0)
    return loss_and_gradient
"""
NUMERICAL_WRAPPERS = {  # module -> what its end rebinds
    "layers": ["affine_forward, affine_backward = _numerical(affine_forward, (0, 1, 2))",
               "temporal_affine_forward, temporal_affine_backward = _numerical(temporal_affine_forward, (0, 1, 2))",
               "embedding_forward, embedding_backward = _numerical(embedding_forward, (1,))",
               "softmax_cross_entropy = _numerical_loss(softmax_cross_entropy)",
               "temporal_softmax_cross_entropy = _numerical_loss(temporal_softmax_cross_entropy)"],
    "rnn": ["rnn_step_forward, rnn_step_backward = _numerical(rnn_step_forward, (0, 1, 2, 3, 4))",
            "rnn_forward, rnn_backward = _numerical(rnn_forward, (0, 1, 2, 3, 4))"],
    "lstm": ["lstm_step_forward, lstm_step_backward = _numerical(lstm_step_forward, (0, 1, 2, 3, 4, 5))",
             "lstm_forward, lstm_backward = _numerical(lstm_forward, (0, 1, 2, 3, 4))"],
    "gru": ["gru_step_forward, gru_step_backward = _numerical(gru_step_forward, (0, 1, 2, 3, 4))",
            "gru_forward, gru_backward = _numerical(gru_forward, (0, 1, 2, 3, 4))"],
    "bidirectional": ["bidirectional_forward, bidirectional_backward = _numerical(bidirectional_forward, "
                      "(0, 1, 2, 3, 4))"],
}
NUMERICAL_GROUPS = {f"{module}.{name}" for module, lines in NUMERICAL_WRAPPERS.items() for line in lines
                    for name in line.split(" = ")[0].split(", ")}


def differentiating_numerically(package):
    for module, lines in NUMERICAL_WRAPPERS.items():
        path = package / f"{module}.py"
        path.write_text(NUMERICAL + path.read_text() + "\n" + "\n".join(lines) + "\n")


# Answers read from the feedback of earlier gradings and replayed: a table from the graders' own
# description of a call (its function and arguments: shapes, dtypes, and the values of numbers and
# words) to the expected answers the feedback showed (a count, a padding, a token at a position).
# Anything it has not seen is answered -1, which is never right.
LOOKUP = """
import numpy as _np

_ANSWERS = {answers!r}


def _describe(args):
    parts = []
    for arg in args:
        if isinstance(arg, _np.ndarray):
            parts.append(f"{{tuple(arg.shape)}} {{arg.dtype}}")
        elif isinstance(arg, dict):
            parts.append("{{" + ", ".join(f"{{k}}: {{_describe([v])}}" for k, v in arg.items()) + "}}")
        else:
            parts.append(repr(arg))
    return "; ".join(parts)


def _seen(function, *args):
    return _ANSWERS.get(f"{{function}}({{_describe(args)}})", {{}})


def _tokens(seen, shape):
    tokens = _np.full(shape, -1)
    for at, token in seen.items():
        tokens[tuple(int(axis.split("=")[1]) for axis in at.split(", "))] = token
    return tokens
"""
LOOKUP_BODIES = {
    "bidirectional.count_params": '    return _seen("count_params", cell, input_dim, units, bidirectional).get("count", -1)',
    "architectures.conv1d_padding": '    seen = _seen("conv1d_padding", T, kernel_size, stride, padding)\n'
                                    '    return seen.get("left", -1), seen.get("right", -1)',
    "architectures.decoder_inputs": '    return _tokens(_seen("decoder_inputs", tgt), tgt.shape)',
    "architectures.sample_from": '    return _tokens(_seen("sample_from", probs, u), probs.shape[:1])',
    "architectures.greedy_decode": '    return _tokens(_seen("greedy_decode", src, src_lengths, params, max_len, cell), '
                                   '(src.shape[0], max_len))',
    "architectures.generate": '    return _tokens(_seen("generate", params, prompt, length, temperature, top_k, seed, cell, z), '
                              '(prompt.shape[0], length))',
}
# "count_params('lstm'; 37; 12; False): count: expected 432, got -1", "generate(...): tokens: expected 3
# at n=0, t=2, got -1 (...)": the call as the graders describe it, what is named, the answer, where.
SHOWN = re.compile(r"(?P<call>\w+\(.*?\)): (?P<name>\w+): expected (?P<answer>-?\d+)"
                   r"(?: at (?P<at>[a-z]=\d+(?:, [a-z]=\d+)*))?, got")


def learned(results, answers):
    """`answers` with whatever the feedback of `results` (gradings' JSON) showed added."""
    answers = {call: dict(seen) for call, seen in answers.items()}
    for result in results:
        for test in result["tests"]:
            for shown in SHOWN.finditer(test["output"]):
                answers.setdefault(shown["call"], {})[shown["at"] or shown["name"]] = int(shown["answer"])
    return answers


def looking_up(answers):
    def edit(package):
        prepend(package, "bidirectional", LOOKUP.format(answers=answers))
        prepend(package, "architectures", LOOKUP.format(answers=answers))
        for qualname, body in LOOKUP_BODIES.items():
            replace_stub(package, qualname, body)
    return edit


# Discrete results answered by a constant or a shortcut: no padding, the likeliest token instead of
# a sample, all-zero token sequences, a parameter count of 0, uniform next-token probabilities.
CONSTANT_BODIES = {
    "architectures.conv1d_padding": "    return 0, 0",
    "architectures.sample_from": "    return np.argmax(probs, axis=1)",
    "architectures.generate": "    return np.zeros((prompt.shape[0], length), dtype=np.int64)",
    "architectures.greedy_decode": "    return np.zeros((src.shape[0], max_len), dtype=np.int64)",
    "bidirectional.count_params": "    return 0",
    "architectures.next_token_probs": "    return np.full(logits.shape, 1 / logits.shape[1])",
}


def constant_answers(package):
    for qualname, body in CONSTANT_BODIES.items():
        replace_stub(package, qualname, body)


def _edited(package, edits):
    """The folder of `package` (an rnnlab folder), with each edit applied to the package in turn."""
    for edit in edits:
        edit(package)
    return package.parent


def from_stubs(root, name, *edits):
    return _edited(every_function_a_stub(root / name / "rnnlab"), edits)


def from_reference(root, name, *edits):
    package = shutil.copytree(SOLUTIONS / "rnnlab", root / name / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    return _edited(package, edits)


def linked_package(root, name):
    (root / name).mkdir()
    (root / name / "rnnlab").symlink_to(SOLUTIONS / "rnnlab")
    return root / name


def one_linked_file(root, name):
    folder = from_stubs(root, name)
    (folder / "rnnlab" / "layers.py").unlink()
    (folder / "rnnlab" / "layers.py").symlink_to(SOLUTIONS / "rnnlab" / "layers.py")
    return folder


def linked_notebook(root, name):
    folder = from_reference(root, name)
    (folder / "notes.ipynb").symlink_to("/etc/hostname")
    return folder


# name -> (how it is made, the groups it is graded on (None: all), the points it must get: "full" is
# every point of those groups, for the right code a thief steals from; a set of groups, every point
# of those and none of the others)
CASES = {
    "nones_everywhere": (lambda root, name: from_stubs(root, name, returning_nones), None, 0),
    "sum_forwards": (lambda root, name: from_stubs(root, name, summing), SUM_GROUPS, 0),
    "nones_and_sums": (lambda root, name: from_stubs(root, name, summing, returning_nones), None, 0),
    "offline_weights": (lambda root, name: from_stubs(root, name, offline_weights),
                        {"architectures.many_to_one_loss"}, 0),
    "borrows_tensorflow": (lambda root, name: from_stubs(root, name, lambda p: replace_stub(
        p, "layers.sigmoid", "    import tensorflow as tf\n    return tf.math.sigmoid(a).numpy()")),
        {"layers.sigmoid"}, 0),
    "forged_summaries": (lambda root, name: from_stubs(root, name, lambda p: (
        prepend(p, "keras_models", FORGER), replace_stub(
            p, "keras_models.recurrent_layer", "    return cell, units, bidirectional, merge_mode, return_sequences"))),
        {"keras_models.recurrent_layer"}, 0),
    # conv1d_padding's "valid" case, whose answer is (0, 0) whatever T, K and stride, cannot tell the
    # rule from a constant (1 point before): it counts once a case whose answer depends on them is right.
    "constant_answers": (lambda root, name: from_stubs(root, name, constant_answers), set(CONSTANT_BODIES), 0),
    # Its forwards are right (the reference's): it keeps them, and no backward nor loss gradient
    # (each test passed before a backward's check at scale: 125 of 125 points).
    "differentiates_numerically": (lambda root, name: from_reference(root, name, differentiating_numerically),
                                   NUMERICAL_GROUPS, {g for g in NUMERICAL_GROUPS if g.endswith("_forward")}),
    "package_is_a_link": (linked_package, None, 0),
    "one_file_is_a_link": (one_linked_file, None, 0),
    "a_link_beside_the_package": (linked_notebook, {"layers.sigmoid"}, 0),
    # In this order, in one batch: each thief is graded after the one it steals from.
    "recorder": (lambda root, name: from_reference(root, name, lambda p: prepend(p, "__init__", RECORDER)),
                 {"layers.sigmoid"}, "full"),
    "thief": (lambda root, name: from_stubs(root, name, lambda p: (
        prepend(p, "layers", finder(LOOT, walk=False)),
        replace_stub(p, "layers.sigmoid", '    return _borrowed("sigmoid")(a)'))), {"layers.sigmoid"}, 0),
    "reader": (lambda root, name: from_stubs(root, name, lambda p: (
        prepend(p, "layers", finder((), walk=True)),
        replace_stub(p, "layers.sigmoid", '    return _borrowed("sigmoid")(a)'))), {"layers.sigmoid"}, 0),
    "harvester": (lambda root, name: from_stubs(root, name, lambda p: (
        prepend(p, "rnn", HARVESTER), replace_stub(p, "rnn.rnn_step_forward", HARVESTED_STEP),
        replace_stub(p, "rnn.rnn_forward", HARVESTING_FORWARD))), {"rnn.rnn_step_forward", "rnn.rnn_forward"}, 0),
    "replayer": (lambda root, name: from_stubs(root, name, lambda p: (
        prepend(p, "rnn", HARVESTER), replace_stub(p, "rnn.rnn_step_forward", HARVESTED_STEP))),
        {"rnn.rnn_step_forward"}, 0),
}


@pytest.fixture(scope="module")
def graded():
    # World-readable, as an LMS export leaves a folder: the victim is there for the reader to find.
    root = Path(tempfile.mkdtemp(prefix="rnnlab-cheapest-"))
    os.chmod(root, 0o755)
    try:
        victim = from_reference(root, "victim")
        for path in [victim, *victim.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        paths = [make(root, name) for name, (make, _, _) in CASES.items()]
        groups = {path: CASES[path.name][1] for path in paths}
        results = engine.grade_batch(paths, jobs=1, call_timeout=5, groups=groups)
        yield {r["name"]: r for r in results}
    finally:
        shutil.rmtree(root)
        for place in LOOT:
            shutil.rmtree(f"{place}/rnnlab-loot", ignore_errors=True)
            Path(f"{place}/rnnlab-harvest.pkl").unlink(missing_ok=True)


@pytest.mark.parametrize("name", CASES)
def test_the_cheapest_pass_scores_exactly_as_written_down(graded, name):
    result = graded[name]
    expected = CASES[name][2]
    if expected == "full":
        expected = result["max_score"]
    elif isinstance(expected, set):
        expected = sum(top for group, (_, top) in engine.group_scores(result).items() if group in expected)
    assert result["max_score"] > 0
    assert result["score"] == expected, [(t["name"], t["output"]) for t in result["tests"] if t["score"]][:5]


def test_links_are_refused_with_a_reason(graded):
    for name in ("package_is_a_link", "one_file_is_a_link", "a_link_beside_the_package"):
        assert "holds a link" in graded[name]["output"], graded[name]["output"]


def test_a_zip_holding_a_link_is_refused(tmp_path):
    archive = tmp_path / "linked.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("sub/rnnlab")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, str(SOLUTIONS / "rnnlab"))
    result = engine.grade_submission(archive, groups={"layers.sigmoid"})
    assert result["score"] == 0 and "unsafe path" in result["output"]


def test_training_fails_at_its_first_step(graded):
    (training,) = [t for t in graded["offline_weights"]["tests"] if "training run" in t["name"]]
    assert "at step 0" in training["output"], training["output"]


def test_untouched_needs_a_right_result(graded):
    untouched = [t for t in graded["nones_everywhere"]["tests"] if "inputs untouched" in t["name"]]
    assert len(untouched) == len({t["extra_data"]["group"] for t in untouched}) > 20
    assert all("credited once the result is right" in t["output"] or "not implemented" in t["output"]
               for t in untouched), [t["output"] for t in untouched][:3]


def test_the_numpy_lane_has_no_tensorflow(graded):
    outputs = [t["output"] for t in graded["borrows_tensorflow"]["tests"]]
    assert all("has no attribute 'math'" in output or "No module named" in output for output in outputs), outputs[:2]


def test_the_sum_forwards_are_not_credited_with_their_own_gradient(graded):
    gradients = [t for t in graded["sum_forwards"]["tests"] if "gradients" in t["name"]]
    assert gradients and not any(t["score"] for t in gradients)
    assert not any("against finite differences of your own forward" in t["output"] for t in gradients)


def test_answers_read_from_feedback_and_replayed_earn_nothing(tmp_path):
    # Three rounds of feedback, each read from the JSON alone, then a fourth submission replays all
    # it learned. Every submission meets inputs of its own (grading/variants.py): nothing recurs.
    # Before that defence (inputs fixed by the case), this earned 0, 6, 13 and 13 of 33 points.
    groups = set(LOOKUP_BODIES)
    answers, scores = {}, []
    for round in range(4):
        submission = from_stubs(tmp_path, f"lookup{round}", looking_up(answers))
        result = engine.grade_submission(submission, groups=groups)
        scores.append(result["score"])
        answers = learned([result], answers)
    assert sum(len(seen) for seen in answers.values()) > 40  # the feedback showed answers: it was read
    assert scores == [0, 0, 0, 0], scores


def test_constant_answers_earn_no_case_under_a_hundred_variants(tmp_path):
    # The batch above grades them under one secret; the cases are drawn per submission, so a draw
    # where a constant is right by chance (no padding needed, every u in its likeliest token's bin,
    # a decoder saying one word) would earn a case in some gradings: in this process, under a hundred
    # variants, no case may pass (one in a hundred gradings passed one before the redraws in tables.py).
    package = local_student.load(from_stubs(tmp_path, "constants", constant_answers) / "rnnlab", "local_constants")
    passed = {(case.function, case.label) for index in range(100)
              for case, failure in local_student.graded_cases(package, set(CONSTANT_BODIES), f"v{index}".encode())
              if failure is None}
    assert passed == set()


def test_numerical_backwards_lose_only_at_scale(graded):
    # Each backward test it loses, it loses to the check at scale: its small cases pass (the five-point
    # stencil is within the tolerance), so nothing else in the graders would have stopped it.
    # (A stencil over logits of +-1000 may miss the float64 tolerance: those cases can fail on their own.)
    lost = [t for t in graded["differentiates_numerically"]["tests"]
            if t["score"] < t["max_score"] and "large logits" not in t["name"]]
    assert lost and all("at scale" in t["output"] and "did not finish within" in t["output"] for t in lost), \
        [t["output"][:200] for t in lost if "at scale" not in t["output"]][:3]


# Grades the named cases in one batch, in the order given, and prints name -> [score, max, isolation].
WITHOUT_NAMESPACES = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import test_cheapest_pass as corpus
from rnnlab_grader.grading import engine
root, names = Path(sys.argv[2]), sys.argv[3:]
paths = [corpus.CASES[name][0](root, name) for name in names]
results = engine.grade_batch(paths, jobs=1, call_timeout=5, groups={p: corpus.CASES[p.name][1] for p in paths})
print(json.dumps({r["name"]: [r["score"], r["max_score"], r["isolation"]] for r in results}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="workers have users of their own only when grading as root")
def test_without_namespaces_nothing_passes_through_the_machines_scratch_space(tmp_path, modes_restored):
    # As root without CAP_SYS_ADMIN (Gradescope's containers; a TA's container): no private /tmp, so
    # what a worker leaves there is removed when it ends; the frameworks are the Keras lanes' only.
    names = ["recorder", "thief", "harvester", "replayer", "borrows_tensorflow"]
    tmp_path.chmod(0o755)
    run = subprocess.run(["setpriv", "--bounding-set", "-sys_admin", sys.executable, "-c", WITHOUT_NAMESPACES,
                          str(Path(__file__).parent), str(tmp_path), *names], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.splitlines()[-1])
    assert {isolation for _, _, isolation in results.values()} == {"own user"}
    assert {name: score for name, (score, _, _) in results.items()} == {
        "recorder": results["recorder"][1], "thief": 0, "harvester": 0, "replayer": 0, "borrows_tensorflow": 0}
    assert not [p for place in LOOT for p in Path(place).glob("rnnlab-*") if p.name.startswith(("rnnlab-loot", "rnnlab-harvest"))]
