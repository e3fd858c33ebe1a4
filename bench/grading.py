"""Benchmark the grading pipeline and print a table (a script, not a test).

    .venv/bin/python bench/grading.py [--batch 20] [--large 100]

Measures: the public student tests, the release build, one full hidden grade of one
submission and the peak memory of its largest process, the same grade run by an ordinary user
(user namespaces instead of root's sandbox: run as root, the bench drops to a uid of no account,
as tests/test_any_user.py does), `otter run` on the same submission with the release's
autograder zip, a batch of N submissions with -j1 and -j2, and (with --large) a batch of that
many with -j2. Beside each grading figure, its floor (bench/floors.py: the checks' own work in one
process, the graders' start, Keras's import) and how far above it the figure is.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

from machine import describe
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import ordinary_user  # noqa: E402  (the clone an ordinary user grades from, as tests/test_any_user.py)
from rnnlab_grader.grading import examples
from rnnlab_grader.paths import REPO, SOLUTIONS, STUDENT

RNNLAB = str(Path(sys.executable).parent / "rnnlab")


class Run(NamedTuple):
    seconds: float       # wall time
    core_seconds: float  # CPU time (user + sys) of every process the command ran, its workers included


def timed(command, **kwargs):
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def best_of(runs, command, **kwargs):
    """The shortest of `runs` runs; `command(i)` gives run i's command (e.g. its own --out folder,
    since `rnnlab grade` keeps the results already in a folder and would not grade again)."""
    return min(timed(command(i) if callable(command) else command, **kwargs) for i in range(runs))


def as_ordinary_user(work, submission):
    """The command that grades `submission` as an ordinary user from a clone of their own (the
    grading parts of this repository, owned by that uid), or None where the bench is not root."""
    if os.geteuid() != 0:
        return None
    home = work / "ordinary"
    ordinary_user.clone(home / "repo")
    shutil.copytree(submission, home / "submission")
    ordinary_user.hand_over(home)
    return lambda i: ["setpriv", f"--reuid={ordinary_user.UID}", f"--regid={ordinary_user.UID}", "--clear-groups",
                      "env", f"HOME={home}", f"PYTHONPATH={home / 'repo' / 'autograder'}", f"PATH={os.environ['PATH']}",
                      sys.executable, "-m", "rnnlab_grader.cli", "grade", str(home / "submission"),
                      "--out", str(home / f"out{i}")]


def peak_memory_mib(command):
    """Peak resident memory of the largest process `command` (or any process it waited for) ran."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    run = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    return int(run.stdout) / 1024  # Linux reports KiB




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--large", type=int, default=0, help="also grade a batch of this many with -j2")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rnnlab-bench-"))
    try:
        written = examples.write_examples(work / "examples")

        def batch_of(size, folder):
            for i in range(size):
                source = written[i % len(written)]
                folder.mkdir(exist_ok=True)
                (shutil.copy if source.is_file() else shutil.copytree)(source, folder / f"s{i:03d}{source.suffix}")
            return sorted(str(p) for p in folder.iterdir())

        submissions = batch_of(args.batch, work / "batch")
        otter_submission = work / "submission.zip"
        with zipfile.ZipFile(otter_submission, "w") as archive:
            archive.write(STUDENT / "rnn_fundamentals.ipynb", "rnn_fundamentals.ipynb")
            for path in sorted((SOLUTIONS / "rnnlab").glob("*.py")):
                archive.write(path, f"rnnlab/{path.name}")
        rows = [
            ("public tests (reference)", best_of(3, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                                     "-o", f"pythonpath={SOLUTIONS}"], cwd=STUDENT)),
            ("release build + proofs", best_of(1, [RNNLAB, "release", "--out", str(work / "student"),
                                                   "--dist", str(work / "dist")], cwd=REPO)),
            ("one submission, full hidden grade", best_of(3, lambda i: [RNNLAB, "grade", str(work / "examples" / "reference"),
                                                                        "--out", str(work / f"one{i}")])),
            ("same, otter run with the autograder zip", best_of(1, [
                sys.executable, "-m", "otter", "run", "-a", str(work / "dist" / "rnn_fundamentals-autograder.zip"),
                "-o", str(work), str(otter_submission)])),
        ]
        ordinary = as_ordinary_user(work, work / "examples" / "reference")
        if ordinary:
            rows.insert(3, ("same, as an ordinary user (user namespaces)", best_of(3, ordinary, cwd=work / "ordinary" / "repo")))
        memory = peak_memory_mib([RNNLAB, "grade", str(work / "examples" / "reference"), "--out", str(work / "mem")])
        for jobs in (1, 2):
            rows.append((f"batch of {args.batch}, -j{jobs}",
                         best_of(1, [RNNLAB, "grade", *submissions, "--out", str(work / f"j{jobs}"), "-j", str(jobs)])))
        if args.large:
            large = batch_of(args.large, work / "large")
            rows.append((f"batch of {args.large}, -j2",
                         best_of(1, [RNNLAB, "grade", *large, "--out", str(work / "large-out"), "-j", "2"])))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = json.loads(subprocess.run([sys.executable, str(Path(__file__).with_name("floors.py")), "--json"],
                                      check=True, capture_output=True, text=True).stdout)
    numpy_part = floor["checks"] + floor["graders' start"]

    def batch_floor(count, jobs):
        # A grading's numpy checks and its Keras lane's import run side by side; a batch imports Keras
        # once, and its floor counts every submission as the reference's cost, `jobs` at a time.
        return max(count * numpy_part / jobs, floor["Keras's import"])
    floors = {"one submission, full hidden grade": batch_floor(1, 1),
              f"batch of {args.batch}, -j1": batch_floor(args.batch, 1),
              f"batch of {args.batch}, -j2": batch_floor(args.batch, 2)}
    if args.large:
        floors[f"batch of {args.large}, -j2"] = batch_floor(args.large, 2)
    times = {name: run.seconds for name, run in rows}
    j1, j2 = times[f"batch of {args.batch}, -j1"], times[f"batch of {args.batch}, -j2"]
    one, otter = times["one submission, full hidden grade"], times["same, otter run with the autograder zip"]
    targets = {"public tests (reference)": "<= 2 s", "release build + proofs": "< 60 s",
               "one submission, full hidden grade": "<= 15 s", f"batch of {args.large}, -j2": "< 600 s"}
    print(f"machine: {describe(('numpy', 'pytest', 'otter-grader'))}")
    # Cores busy (CPU time over wall time) says whether a speed-up is what the cores can give.
    print(f"{'measure':<40} {'figure':>9}  {'cores busy':>10}  {'floor':>8}  {'x floor':>7}  target")
    for name, run in rows:
        below = f"{floors[name]:>7.2f}s  {run.seconds / floors[name]:>6.2f}x" if name in floors else f"{'':>8}  {'':>7}"
        print(f"{name:<40} {run.seconds:>8.2f}s  {run.core_seconds / run.seconds:>10.2f}  {below}  {targets.get(name, '')}")
    print("floors (bench/floors.py): " + ", ".join(f"{name} {value:.2f} s" for name, value in floor.items()))
    print(f"{'otter run / one full grade':<40} {otter / one:>8.2f}x  {'':>10}  >= 2x")
    if "same, as an ordinary user (user namespaces)" in times:
        user = times["same, as an ordinary user (user namespaces)"]
        print(f"{'ordinary user / root, one full grade':<40} {user / one:>8.2f}x  {'':>10}  <= 1.25x")
    print(f"{'speed-up -j2 over -j1':<40} {j1 / j2:>8.2f}x  {'':>10}  >= 1.8x")
    print(f"{'per submission at -j2':<40} {j2 / args.batch:>8.2f}s")
    print(f"{'peak memory, largest process':<40} {memory:>6.0f}MiB")


if __name__ == "__main__":
    main()
