"""No false passes: every mutant of the corpus (autograder/mutants/) is killed, and charged where it is.

Two checks a mutant: the hidden graders take points from exactly the groups it declares
(`loses`), and, without the graders, the mutant really behaves differently from the reference
on the graded cases (else "killed" would be a false fail, not a caught mistake). The first holds
for the sandboxed graders under this installation's secret (a fresh one on a fresh clone), and for
the graders' own checks run in this process (local_student.py) under three more variants (the
checks at scale aside): every submission meets inputs of its own, and no mutant may survive, or
spread, on any of them. bench/kill_rates.py does the same under as many variants as you like.
"""
import copy
import importlib
import sys

import numpy as np
import pytest

import local_student
from conftest import lost_groups
from rnnlab_grader.grading import examples
from rnnlab_grader.isolation import worker
from rnnlab_grader.reference import load_package
from rnnlab_grader.contract import signature
from rnnlab_grader.grading.mutants import Row, affected_groups, matrix_lines, summary
from rnnlab_grader.paths import GRADERS, SOLUTIONS

sys.path.insert(0, str(GRADERS))
import tables  # noqa: E402  (the graders' declared cases)

MUTANTS = examples.mutants()


def test_the_corpus_is_large_and_covers_every_graded_function():
    from rnnlab_grader.grading import engine
    graded = {t["group"] for t in engine.catalogue()}
    declared = {g for m in MUTANTS for g in m["loses"]}
    assert len(MUTANTS) >= 80
    assert graded <= declared, f"functions no mutant breaks: {sorted(graded - declared)}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m["name"])
def test_each_mutant_is_killed_and_loses_exactly_its_groups(graded_examples, mutant):
    result = graded_examples[mutant["name"]]
    assert lost_groups(result), "SURVIVED: the graders gave this mutant full marks"
    assert lost_groups(result) == set(mutant["loses"])
    # The feedback names the function that is wrong.
    for test in result["tests"]:
        if test["score"] < test["max_score"]:
            assert test["output"].startswith(test["extra_data"]["group"].split(".")[1]), test["output"]


VARIANTS = [b"first grading", b"second grading", b"third grading"]


@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m["file"] != "keras_models.py"], ids=lambda m: m["name"])
def test_each_mutant_loses_exactly_its_groups_under_three_variants(mutant, tmp_path):
    # The Keras builders' tests do not draw inputs: the sandboxed grading above holds them, and the
    # checks at scale too (they were nine tenths of this test's time: 2.6 min of CI). What a check
    # at scale catches is a gradient wrong on large random inputs or a call too slow, not an edge
    # that a draw may miss; the draws that may miss one are the small cases, held here.
    package = local_student.load(examples.write_mutant(tmp_path, mutant) / "rnnlab", f"local_{mutant['name']}")
    for variant in VARIANTS:
        lost = local_student.lost_groups(package, affected_groups(mutant), variant, at_scale=False)
        assert lost == set(mutant["loses"]), variant


def test_kill_matrix_marks_survivors_and_wrong_charges():
    rows = [Row("fine", {"a.f"}, {"a.f"}), Row("survivor", set(), {"a.f"}), Row("spread", {"a.f", "a.g"}, {"a.f"})]
    lines = matrix_lines(rows, ["a.f", "a.g", "a.h"])
    assert lines[2:5] == ["fine     x.  ok", "survivor -.  SURVIVED", "spread   x!  charged wrongly"]
    assert summary(rows).startswith("2/3 mutants killed (66.7%), 1/3 charged exactly")


# ---------------------------------------------------------------------------
# Each mutant behaves differently from the reference, seen without the graders


def function(package, qualname):
    module, name = qualname.split(".")
    return getattr(importlib.import_module(f"{package.__name__}.{module}"), name)


def resolved(args):
    return tuple(worker.STEPS[a.name] if isinstance(a, worker.Step) else a for a in args)


def observe(package, case):
    """What a case sees of a package: the outputs (not caches) and the inputs after the call (a
    backward's upstream gradients among them)."""
    args = copy.deepcopy(resolved(case.inputs()))
    upstream = []
    try:
        if case.forward:  # a backward: fed its own forward's cache and a fixed upstream gradient
            forward, backward = function(package, case.forward), function(package, case.function)
            outputs = dict(zip(signature(case.forward).returns, forward(*args)))
            rng = np.random.default_rng(0)
            upstream = [rng.standard_normal(np.shape(outputs[name[1:]]))
                        for name in signature(case.function).args if name != "cache"]
            seen = backward(*upstream, outputs["cache"])
        else:
            seen = function(package, case.function)(*args)
        returns = signature(case.function).returns
        seen = seen if len(returns) > 1 else (seen,)
        outputs = [v for r, v in zip(returns, seen) if r not in signature(case.function).opaque]
    except Exception as error:  # a mutant may crash where the reference does not
        return f"raised {type(error).__name__}"
    return outputs, [a for a in args if not callable(a)] + upstream


def leaves(value):
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def differs(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a != b
    a, b = leaves(a), leaves(b)
    if len(a) != len(b):
        return True
    for x, y in zip(a, b):
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return True
            continue
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape or not np.allclose(x, y, rtol=1e-12, atol=1e-12, equal_nan=True):
            return True
    return False


def keras_cases():
    import test_keras_models as cases  # noqa: the graders' Keras cases
    for cell, input_dim, units, bidirectional, merge_mode, return_sequences, seq_len in cases.LAYER_CASES:
        yield ("keras_models.recurrent_layer", (cell, units, bidirectional, merge_mode, return_sequences),
               (seq_len, input_dim))
    builders = {"build_sequence_classifier": cases.CLASSIFIER_CASES, "build_text_classifier": cases.TEXT_CASES,
                "build_tagger": cases.TEXT_CASES, "build_translator": cases.TRANSLATOR_CASES,
                "build_cnn_classifier": cases.CNN_CASES, "build_char_model": cases.CHAR_CASES,
                "build_forecaster": cases.FORECASTER_CASES}
    for builder, builder_cases in builders.items():
        for case in builder_cases:
            yield f"keras_models.{builder}", case, None


@pytest.fixture(scope="module")
def reference():
    return load_package(SOLUTIONS / "rnnlab", "rnnlab_reference")


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m["name"])
def test_each_mutant_changes_behaviour(mutant, reference, tmp_path):
    package = load_package(examples.write_mutant(tmp_path, mutant) / "rnnlab", f"mutant_{mutant['name']}")
    module = mutant["file"].removesuffix(".py")
    if module == "keras_models":
        def summary(package, name, args, shape):
            return str(worker._summarize_keras(function(package, name)(*args), shape))
        assert any(summary(reference, *case) != summary(package, *case) for case in keras_cases())
        return
    cases = [c for c in tables.VALUES + tables.GRADIENTS + tables.UNTOUCHED if c.function.startswith(f"{module}.")]
    assert cases, f"no graded case for {module}"
    assert any(differs(observe(reference, case), observe(package, case)) for case in cases), \
        "the mutant behaves like the reference on every graded case"


def test_a_mutant_is_graded_on_the_tests_its_change_can_reach():
    from rnnlab_grader.grading import dependencies
    step = {"name": "m", "file": "rnn.py", "find": "h_next = np.tanh(x @ Wx + h_prev @ Wh + b)", "replace": ""}
    assert dependencies.patched_names(step) == {"rnn.rnn_step_forward"}
    groups = dependencies.affected_groups({"rnn.rnn_step_forward"})
    assert {"rnn.rnn_step_forward", "rnn.rnn_step_backward", "rnn.rnn_forward", "bidirectional.bidirectional_forward",
            "architectures.many_to_one_forward", "architectures.greedy_decode"} <= groups  # callers, and the
    assert not groups & {"rnn.unfold", "lstm.lstm_forward", "layers.softmax"}  # backward fed its cache
    assert not any(g.startswith("keras_models") for g in groups)
    # A patch outside any function (an import, say) reaches the whole module.
    header = {"name": "m", "file": "rnn.py", "find": "import numpy as np", "replace": ""}
    assert "rnn.unfold" in dependencies.patched_names(header)


def test_every_mutant_loses_only_groups_its_change_can_reach():
    # Else grading it on those groups alone (as the suite does) would hide a loss.
    for mutant in MUTANTS:
        assert set(mutant["loses"]) <= affected_groups(mutant), mutant["name"]


def test_a_forgotten_bias_is_charged_to_the_forward_alone_but_a_zero_db_still_loses(tmp_path):
    # The right backward of a forward that forgot b keeps its points (missing_bias declares the
    # forward alone); the cheapest backward for that forward, db = 0, does not.
    missing_bias = next(m for m in MUTANTS if m["name"] == "missing_bias")
    zero_db = {**missing_bias, "name": "missing_bias_zero_db"}
    folder = examples.write_mutant(tmp_path, zero_db)
    rnn = folder / "rnnlab" / "rnn.py"
    rnn.write_text(rnn.read_text().replace("    db = da.sum(axis=0)\n", "    db = np.zeros_like(da[0])\n", 1))
    package = local_student.load(folder / "rnnlab", "local_missing_bias_zero_db")
    lost = local_student.lost_groups(package, affected_groups(missing_bias), VARIANTS[0], at_scale=False)
    assert lost == {"rnn.rnn_step_forward", "rnn.rnn_step_backward"}
