"""The tamper and fault corpus: submissions with one trick each, and the score each must get.

Each case starts from the reference or the untouched stubs and adds one trick. `loses` names
the test groups that must score zero; every other test must score full marks (so the total
is exact). A trick on the stubs must still score 0. All cases are graded in one batch, which
must finish. What the corpus does not defend against is in docs/threat-model.md.
"""
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from conftest import processes_running_as
from every_stub import every_function_a_stub
from rnnlab_grader.grading import dependencies, engine
from rnnlab_grader.paths import GRADERS, REPO, SOLUTIONS

ALL = "all"


def groups(*modules):
    """Every test group of these modules."""
    return {t["group"] for t in engine.catalogue() if t["group"].split(".")[0] in modules}


def unimportable(module):
    """Every test group of a module that cannot load, and of the modules importing it."""
    return groups(*dependencies.importers(module))

SOFTMAX_BODY = "    shifted = a - np.max(a, axis=axis, keepdims=True)\n"


def in_softmax(code):
    """An edit that runs `code` at the start of softmax's body."""
    return ("layers.py", SOFTMAX_BODY, "".join(f"    {line}\n" for line in code.splitlines()) + SOFTMAX_BODY)


def at_import(file, code):
    return (file, '"""', code + '\n"""')  # before the module docstring: the first thing that runs


CASES = {
    # -- tricks that try to gain points: on the stubs, they must score 0 -------------------
    "numpy_patched": ("stubs", [at_import("__init__.py", (
        "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\nnp.isclose = lambda *a, **k: True"))], ALL),
    "builtins_patched": ("stubs", [at_import("__init__.py", (
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0\n"
        "builtins.NotImplementedError = type('Fine', (Exception,), {})"))], ALL),
    "pytest_patched": ("stubs", [at_import("__init__.py", (
        "try:\n    import pytest, _pytest.outcomes\n    pytest.fail = lambda *a, **k: None\n"
        "    _pytest.outcomes.Failed = type('Never', (BaseException,), {})\nexcept ImportError:\n    pass"))], ALL),
    "ndarray_equal_to_anything": ("stubs", [("layers.py", '    raise NotImplementedError("sigmoid")', (
        "    class Equal(np.ndarray):\n        def __eq__(self, other): return np.ones(np.shape(other), bool)\n"
        "        def __sub__(self, other): return np.zeros(np.shape(other))\n"
        "        __rsub__ = __sub__\n"
        "    return np.zeros(np.shape(a)).view(Equal)"))], ALL),
    "fake_results_printed_and_written": ("stubs", [at_import("__init__.py", (
        "import json, os\nfake = json.dumps({'score': 999, 'tests': []})\nprint(fake)\n"
        "for path in ('results.json', '../results.json', '/tmp/results.json', os.path.expanduser('~/results.json')):\n"
        "    try:\n        open(path, 'w').write(fake)\n    except OSError:\n        pass"))], ALL),
    "reads_the_reference": ("stubs", [("layers.py", '    raise NotImplementedError("sigmoid")', (
        f"    source = open({str(SOLUTIONS / 'rnnlab' / 'layers.py')!r}).read()\n"
        "    space = {}\n    exec(source, space)\n    return space['sigmoid'](a)"))], ALL),
    # Reads the reference and the graders, and hands their text back as its own error message.
    "reads_and_echoes": ("stubs", [("layers.py", '    raise NotImplementedError("sigmoid")', (
        "    texts = []\n    for path in " + repr([str(SOLUTIONS / "rnnlab" / "layers.py"), str(GRADERS / "tables.py")]) + ":\n"
        "        try:\n            texts.append(open(path).read())\n        except OSError as error:\n"
        "            texts.append(str(error))\n"
        "    raise RuntimeError(' '.join(t[t.find('BEGIN SOLUTION'):][:150] + t[t.find('Case('):][:150] for t in texts))"))], ALL),
    "hunts_for_the_graders": ("stubs", [at_import("__init__.py", (
        "import os, sys\nfor top in " + repr([str(REPO), str(GRADERS), str(SOLUTIONS)]) + ":\n"
        "    for root, dirs, files in os.walk(top):\n"
        "        if 'layers.py' in files and 'solutions' in root:\n"
        "            sys.path.insert(0, os.path.dirname(root))"))], ALL),
    "links_to_the_reference": ("stubs", "links", ALL),
    # While rnn_forward is graded a second time, rnn_step_forward is the grader's (a callback):
    # keeping that stub to answer later, ungraded-by-reference calls must not work.
    "keeps_the_reference_callback": ("stubs", [
        at_import("rnn.py", "_oracle = []"),
        ("rnn.py", '    raise NotImplementedError("rnn_step_forward")',
         '    if _oracle:\n        return _oracle[0](x, h_prev, Wx, Wh, b)\n    raise NotImplementedError("rnn_step_forward")'),
        ("rnn.py", '    raise NotImplementedError("rnn_forward")',
         '    _oracle.append(rnn_step_forward)\n    raise NotImplementedError("rnn_forward")')], ALL),
    # -- tricks and faults that cost what they break, nothing else -------------------------
    "exits_at_import": ("reference", [at_import("keras_models.py", "import os\nos._exit(1)")],
                        unimportable("keras_models")),
    "sys_exit_in_a_function": ("reference", [in_softmax("raise SystemExit(0)")], {"layers.softmax"}),
    "kills_the_grader": ("reference", [in_softmax(
        "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n    pass")], set()),
    "stops_the_grader": ("reference", [in_softmax(
        "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGSTOP)\nexcept OSError:\n    pass")], set()),
    # A worker is process 1 of a PID namespace of its own: what it sends itself, or its group, is ignored
    # (before that, each cost softmax, which its worker's end broke).
    "kills_its_process_group": ("reference", [in_softmax("import os, signal\nos.killpg(0, signal.SIGKILL)")], set()),
    "stops_itself": ("reference", [in_softmax("import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)")], set()),
    "endless_loop_at_import": ("reference", [at_import("bidirectional.py", "while True:\n    pass")],
                               unimportable("bidirectional")),
    "endless_loop_in_a_function": ("reference", [in_softmax("while True:\n    pass")], {"layers.softmax"}),
    "deep_recursion": ("reference", [in_softmax(
        "import sys\nsys.setrecursionlimit(10**7)\ndef down(n):\n    return down(n + 1) + 1\ndown(0)")],
        {"layers.softmax"}),
    "segfault": ("reference", [in_softmax("import ctypes\nctypes.string_at(0)")], {"layers.softmax"}),
    "memory_bomb": ("reference", [in_softmax("hoard = []\nwhile True:\n    hoard.append(bytearray(2**28))")],
                    {"layers.softmax"}),
    "fork_bomb": ("reference", [in_softmax("import os\nwhile True:\n    try:\n        os.fork()\n"
                                           "    except OSError:\n        pass")], {"layers.softmax"}),
    "writes_outside_its_folder": ("reference", [at_import("__init__.py", (
        "for path in " + repr([str(GRADERS / "test_planted.py"), str(REPO / "planted.txt")]) + ":\n"
        "    try:\n        open(path, 'w').write('def test_x(): pass')\n    except OSError:\n        pass"))], set()),
    # Its module file and bytecode are the grading's pristine copy's, linked into every worker: a
    # write must reach neither that copy nor the workers that follow its exit.
    "rewrites_its_own_package": ("reference", [in_softmax(
        "import os\nfor path in (__file__, __cached__):\n    try:\n        os.chmod(path, 0o666)\n"
        "        with open(path, 'ab') as f:\n"
        "            f.write(b'\\nraise SystemExit\\n')\n    except OSError:\n        pass\nos._exit(1)")],
        {"layers.softmax"}),
    "file_missing": ("reference", "delete rnn.py", unimportable("rnn")),
    "syntax_error": ("reference", [("gru.py", "def gru_forward(", "def gru_forward(:")], unimportable("gru")),
    "wrong_return_type": ("reference", [("layers.py", '    out = x @ W + b\n    cache = {"x": x, "W": W}\n'
                                         '    return out, cache\n    # END SOLUTION\n\n\ndef affine_backward',
                                         '    return "out"\n    # END SOLUTION\n\n\ndef affine_backward')],
                          {"layers.affine_forward", "layers.affine_backward"}),
    "nan_and_inf": ("reference", [("layers.py", '    out = x @ W + b\n    cache = {"x": x, "W": W}\n'
                                   '    return out, cache\n    # END SOLUTION\n\n\ndef temporal_affine_backward',
                                   '    out = (x @ W + b) * np.where(x.sum() > 0, np.inf, np.nan)\n'
                                   '    return out, {"x": x, "W": W}\n    # END SOLUTION\n\n\ndef temporal_affine_backward')],
                    {"layers.temporal_affine_forward"}),
    "huge_array": ("reference", [("layers.py", "    out = W[ids]\n", "    out = np.zeros((9000, 9000))\n")],
                   {"layers.embedding_forward", "layers.embedding_backward"}),
    "python_object_returned": ("reference", [("layers.py", "    return float(loss), dlogits\n    # END SOLUTION\n\n\ndef temporal",
                                              "    return float(loss), object()\n    # END SOLUTION\n\n\ndef temporal")],
                               {"layers.softmax_cross_entropy"}),
    # -- broken zips: nothing to grade, said plainly ------------------------------------------
    "zip_with_dotdot": ("zip", [("../../escaped/rnnlab/rnn.py", "x = 1")], ALL),
    "zip_with_symlink": ("zip", [("sub/rnnlab/layers.py", "symlink")], ALL),
    "zip_bomb": ("zip", [("sub/rnnlab/big.py", "bomb")], ALL),
    "not_a_zip": ("zip", None, ALL),
}


def apply_edit(package, edit):
    file, find, replace = edit
    path = package / file
    text = path.read_text()
    assert text.count(find) >= 1, f"{file}: {find!r} not found"
    path.write_text(text.replace(find, replace, 1))


def write_zip(path, members):
    if members is None:
        path.write_bytes(b"PK\x03\x04 this is not a zip")
        return
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            if content == "symlink":
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, str(SOLUTIONS / "rnnlab" / "layers.py"))
            elif content == "bomb":
                with archive.open(name, "w", force_zip64=True) as member:
                    for _ in range(300):
                        member.write(bytes(2**20))
            else:
                archive.writestr(name, content)


def make_case(root, name, base, edits):
    if base == "zip":
        path = root / f"{name}.zip"
        write_zip(path, edits)
        return path
    package = root / name / "rnnlab"
    if base == "reference":
        shutil.copytree(SOLUTIONS / "rnnlab", package, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        every_function_a_stub(package)
    if edits == "links":
        for path in package.glob("*.py"):
            path.unlink()
            path.symlink_to(SOLUTIONS / "rnnlab" / path.name)
    elif edits == "delete rnn.py":
        (package / "rnn.py").unlink()
    else:
        for edit in edits:
            apply_edit(package, edit)
    return package.parent


def graded_groups(base, edits, loses):
    """The groups a case is graded on: a trick on the reference, everywhere its edits can reach,
    what it must lose, and the first group of every numpy module (witnesses that the rest is still graded; a Keras
    witness would cost TensorFlow's import each time); any other case, everything (a trick that
    gains points could gain them anywhere)."""
    if base != "reference" or not isinstance(edits, list):
        return None
    changed = set().union(*(dependencies.patched_names(dict(zip(("file", "find", "replace"), edit)))
                            for edit in edits))
    first_of_module = {}
    for test in engine.catalogue():
        first_of_module.setdefault(test["group"].split(".")[0], test["group"])
    first_of_module.pop("keras_models")
    return dependencies.affected_groups(changed) | loses | set(first_of_module.values())


@pytest.fixture(scope="session")  # (a test of it runs last: see below)
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("tamper")
    paths, groups = [], {}
    for name, (base, edits, loses) in CASES.items():
        paths.append(make_case(root, name, base, edits))
        groups[paths[-1]] = graded_groups(base, edits, loses)
    results = engine.grade_batch(paths, jobs=2, call_timeout=3, groups=groups)
    return {r["name"]: r for r in results}


@pytest.mark.parametrize("name", CASES)
def test_case_scores_exactly_as_written_down(corpus, name):
    base, _, loses = CASES[name]
    result = corpus[name]
    if loses == ALL:
        expected = 0
    else:
        expected = sum(t["max_score"] for t in result["tests"] if t["extra_data"]["group"] not in loses)
        assert {t["extra_data"]["group"] for t in result["tests"] if t["score"] == 0} == loses
    assert result["score"] == expected, [t["output"] for t in result["tests"] if t["score"] == 0][:5]


def test_nothing_was_written_outside_the_submission(corpus):
    assert not (GRADERS / "test_planted.py").exists()
    assert not (REPO / "planted.txt").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="workers have uids of their own only when grading as root")
def test_no_student_process_outlives_the_batch(corpus, graded_examples):
    # graded_examples: this test waits for the example grading that runs in the background (its
    # workers are student processes too) and so runs last. Only these batches' workers count:
    # other gradings may run on the machine meanwhile.
    ours = {uid for result in [*corpus.values(), *graded_examples.values()] for uid in result["worker_uids"]}
    assert len(ours) > len(corpus)  # two or three per submission: the uids were reported
    assert not processes_running_as(ours)


def test_reading_the_reference_gets_nothing_back(corpus):
    feedback = " ".join(t["output"] for t in corpus["reads_and_echoes"]["tests"])
    assert "RuntimeError" in feedback  # it ran
    assert "return np.exp(-np.logaddexp(0, -a))" not in feedback and "Case(" not in feedback


def test_broken_zips_say_why(corpus):
    assert "unsafe path" in corpus["zip_with_dotdot"]["output"]
    assert "unsafe path" in corpus["zip_with_symlink"]["output"]
    assert "expands to more than" in corpus["zip_bomb"]["output"]
    assert "not a valid zip" in corpus["not_a_zip"]["output"]
