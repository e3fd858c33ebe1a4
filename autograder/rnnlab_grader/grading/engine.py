"""Grade submissions: a folder or zip in, a Gradescope-style result (a plain dict) out.

Each submission is graded by one run of the hidden graders in its own pytest process,
which reaches the student's code only through a worker process (isolation/proxy.py). The result:

    {"name", "score", "max_score", "output", "seconds",
     "worker_uids", "isolation", "control_group", "peak_memory_mib",  (how its code ran: sandbox, cgroups)
     "tests": [{"name", "score", "max_score", "output", "visibility",
                "extra_data": {"group", and for a diagnosed failure "diagnosis": {"id", "title", "also"}}}]}

A test that did not report (the grading process died or ran out of time) scores zero with
a message saying so; the result is always complete, and a batch always finishes.
"""
import contextlib
import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..contract import SIGNATURES
from ..paths import GRADERS, MUTANTS, PACKAGE, REFERENCE
from ..isolation import ONE_THREAD, ControlGroup, Zygote, describe_control_group, kill_processes_of
from . import known_models, variants
from .intake import SubmissionError, stage, submission_name

SUBMISSION_TIMEOUT_S = 600


def _digest(root, files):
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def graders_key():
    """A digest of everything that decides a result: graders, fixtures, reference, this package,
    the mutant corpus (the diagnoser's feedback), and the secret (which inputs: see variants.py)."""
    parts = [(root, [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts])
             for root in (GRADERS, REFERENCE, PACKAGE, MUTANTS)]
    digests = "".join(_digest(root, files) for root, files in parts) + variants.fingerprint(variants.secret())
    return hashlib.sha256(digests.encode()).hexdigest()


def grading_key(path):
    """Identifies a grading: the submission's content with the graders' digest.

    Two runs with the same key give the same result, so a finished one need not be repeated.
    """
    path = Path(path)
    try:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
        root = path.parent if path.is_file() else path
        return f"{graders_key()[:16]}-{_digest(root, files)}"
    except (OSError, RecursionError, ValueError):  # unreadable: graded each time (and refused by intake)
        return f"{graders_key()[:16]}-unreadable-{time.time_ns()}"


def _run_graders(submission_dir, results_path, extra_args=(), timeout=SUBMISSION_TIMEOUT_S):
    command = [sys.executable, "-m", "pytest", "-c", str(GRADERS / "pytest.ini"),
               "--rootdir", str(GRADERS), str(GRADERS),
               "--rnnlab-submission", str(submission_dir), "--rnnlab-results", str(results_path),
               *extra_args]
    # Only rnnlab's plugin (named in pytest.ini): no other installed pytest plugin runs beside the
    # graders, which also saves a quarter second of start-up per submission. The plugin is this
    # package, from where it is: installed, or unpacked from an autograder zip (otter, Gradescope).
    python_path = [str(PACKAGE.parent), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    # Its scratch space (the workers' folders) is in the grading's own folder, which goes with it. Its
    # numpy runs on one thread, as the workers' does: the graders and a worker take turns, and BLAS
    # threads left spinning after the reference's call took the core the worker's call needed next
    # (one grade of the reference: 6.2-6.5 s, against 8.0-10.3 s with a thread per core).
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": os.pathsep.join(python_path),
           "TMPDIR": str(Path(results_path).parent), **ONE_THREAD}
    return subprocess.run(command, cwd=Path(results_path).parent, capture_output=True, text=True,
                          timeout=timeout, env=env)


def catalogue():
    """Every hidden test with its name, group and points, in a fixed order (collected once per
    process; a grading that needs it while it is being collected waits)."""
    with _collecting:
        return _catalogue()


_collecting = threading.Lock()


def _collect_ahead():
    with contextlib.suppress(Exception):  # the grading that needs it then collects again, and says why
        catalogue()


@functools.lru_cache(maxsize=1)
def _catalogue():
    with tempfile.TemporaryDirectory(prefix="rnnlab-collect-") as tmp:
        results = Path(tmp) / "catalogue.json"
        run = _run_graders(Path(tmp), results, ["--collect-only"])
        if not results.exists():
            raise RuntimeError(f"could not collect the hidden graders:\n{run.stdout}\n{run.stderr}")
        tests = json.loads(results.read_text())
    # In the order of the contract (a gradebook column per function), then as collected.
    order = list(SIGNATURES)
    return tuple(sorted(tests, key=lambda t: order.index(t["group"]) if t["group"] in order else len(order)))


def grade_submission(path, name=None, timeout=SUBMISSION_TIMEOUT_S, call_timeout=None, groups=None, batch=None):
    """Grade one submission (a folder holding rnnlab/, or a zip of one).

    `timeout` bounds the whole grading run, `call_timeout` one call of student code;
    `groups` (functions such as "rnn.rnn_forward") restricts grading, and the result, to those;
    `batch` holds the graders' options for what the batch's gradings share (see shared); without
    it, the grading starts its own.
    """
    if batch is None:
        with shared() as batch:
            return grade_submission(path, name, timeout, call_timeout, groups, batch)
    path = Path(path)
    name = name or submission_name(path)
    outcomes, problem, uids = {}, None, []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rnnlab-grade-") as tmp:
        tmp = Path(tmp)
        group = ControlGroup.create(tmp.name)  # bounds its workers together, where the system allows
        try:
            folder = stage(path, tmp / "staged")  # 0700: the grading's folder may be open to its workers
            results = tmp / "outcomes.json"
            extra = ["--rnnlab-call-timeout", str(call_timeout)] if call_timeout else []
            extra += ["--rnnlab-groups", ",".join(sorted(groups))] if groups else []
            extra += batch
            extra += [f"--rnnlab-control-group={procs}" for procs in (group.procs_files() if group else [])]
            run = _run_graders(folder, results, extra, timeout=timeout)
            if results.exists():
                outcomes = {o["id"]: o for o in json.loads(results.read_text())}
            else:
                problem = f"grading stopped before it finished (pytest exit {run.returncode})"
        except SubmissionError as error:
            problem = str(error)
        except subprocess.TimeoutExpired:  # the tests it finished keep their outcomes
            problem = f"grading took longer than {timeout} s and was stopped"
            outcomes = _finished(Path(f"{results}.partial"))
        except Exception as error:  # noqa: BLE001 (whatever it is, it is this submission's, not the batch's)
            problem = f"could not be graded: {type(error).__name__}: {str(error)[:200]}"
        peak_memory = group and group.peak_memory_bytes()
        isolated = _read_text(tmp / "isolation.txt")
        uids = _end_workers(tmp / "worker_uids.json", group)
    return {**_result(name, outcomes, problem, groups), "seconds": round(time.perf_counter() - started, 2),
            "worker_uids": uids, "isolation": isolated,  # who ran its code, how, and what bounded it:
            # see docs/threat-model.md
            "control_group": describe_control_group(group),
            "peak_memory_mib": round(peak_memory / 2**20) if peak_memory else None}


def _finished(partial):
    """The outcomes of the tests a stopped grading finished: the whole lines of its partial file."""
    outcomes = {}
    with contextlib.suppress(OSError):
        for line in partial.read_text().splitlines():
            with contextlib.suppress(ValueError):
                outcome = json.loads(line)
                outcomes[outcome["id"]] = outcome
    return outcomes


def _read_text(path):
    try:
        return path.read_text()
    except OSError:
        return ""


def _end_workers(uids_file, group):
    """Kill whatever still runs in the grading's control group, or as the worker uids it held (kept
    in `uids_file`), and remove the group: its own clean-up does so, unless the grading was killed.
    Returns those uids."""
    if group:
        group.remove()
    try:
        uids = json.loads(uids_file.read_text())
    except (OSError, ValueError):
        return []
    for uid in uids:
        kill_processes_of(uid)
    return uids


def _result(name, outcomes, problem, groups=None):
    tests = []
    for entry in catalogue():
        if groups and entry["group"] not in groups:
            continue
        outcome = outcomes.get(entry["id"], {})
        passed = outcome.get("passed") is True
        output = outcome.get("output") or ("" if passed else f"not graded: {problem or 'no outcome'}")
        extra = {"group": entry["group"]}
        if outcome.get("diagnosis") and not passed:  # the best-known explanation, then any others
            first, *others = outcome["diagnosis"]
            extra["diagnosis"] = {**first, "also": [m["id"] for m in others]}
        tests.append({"name": entry["name"], "score": entry["points"] if passed else 0,
                      "max_score": entry["points"], "output": output, "visibility": "visible",
                      "extra_data": extra})
    score = sum(t["score"] for t in tests)
    max_score = sum(t["max_score"] for t in tests)
    return {"name": name, "score": score, "max_score": max_score,
            "output": problem or f"{score:g} / {max_score:g} points", "tests": tests}


def grade_batch(paths, jobs=1, on_result=None, call_timeout=None, groups=None, timeout=SUBMISSION_TIMEOUT_S,
                secret=None):
    """Grade many submissions, `jobs` at a time; call `on_result(result)` as each finishes.

    `groups` maps a path to the groups to grade it on (see grade_submission); others get all.
    `secret` names the file of another secret than the installation's (see variants.py).
    Returns the results in the order of `paths`. The batch's workers are forked from a zygote of
    their lane, which imports numpy (TensorFlow) once for all of them.
    """
    def grade(path):
        result = grade_submission(path, timeout=timeout, call_timeout=call_timeout,
                                  groups=(groups or {}).get(path), batch=batch)
        if on_result:
            on_result(result)
        return result

    with shared(secret=secret) as batch:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(grade, paths))


@contextlib.contextmanager
def shared(model_cache=None, secret=None):
    """What a batch's gradings share, as the graders' options, for as long as the block runs: a
    zygote of each lane, which forks that lane's workers (the rebuilder's too, from Keras's; Keras's
    imports TensorFlow while the graders are collected), a root-only folder of rebuilt models'
    summaries (see proxy.StudentCode), which starts with the reference's (known_models.py) unless
    `model_cache` names a folder to use as it is, and the secret's file, if not the installation's."""
    # The hidden tests' list, which each result is built from, is collected while the first gradings
    # run rather than before them (0.4 s of a 6 s grade).
    collector = threading.Thread(target=_collect_ahead, daemon=True)
    collector.start()
    try:
        with Zygote("numpy") as numpy_zygote, Zygote("keras") as keras_zygote, \
                tempfile.TemporaryDirectory(prefix="rnnlab-models-") as own_cache:
            if model_cache is None:
                model_cache = own_cache
                known_models.seed(model_cache)
            zygotes = {"numpy": numpy_zygote, "keras": keras_zygote}
            yield [f"--rnnlab-zygote={lane}={address}" for lane, address in zygotes.items() if address] + \
                [f"--rnnlab-model-cache={model_cache}"] + ([f"--rnnlab-secret={secret}"] if secret else [])
    finally:
        collector.join()  # its pytest process, and its folder, end with the batch


def group_scores(result):
    """group -> (score, max_score), groups in the order their tests come."""
    groups = {}
    for test in result["tests"]:
        score, max_score = groups.get(test["extra_data"]["group"], (0, 0))
        groups[test["extra_data"]["group"]] = (score + test["score"], max_score + test["max_score"])
    return groups
