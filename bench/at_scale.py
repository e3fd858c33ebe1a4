"""The checks at scale, measured: is a backward pass far inside its limit, and numerical
differentiation far outside it? (A script, not a test.)

    .venv/bin/python bench/at_scale.py

For each case of the graders' AT_SCALE table (checks.check_at_scale): the reference's time for the
graded call and the limit the graders give it (AT_SCALE_SLACK_S + AT_SCALE_TIMES x that time); the
slowest of the correct implementations in tests/alternatives/ for that module (loops over the batch
and time, einsum, other caches), timed the same way in this process; and what numerical
differentiation needs at least: one forward of the reference per entry of the largest argument that
every batch row shares (a weight: its entries cannot be perturbed together), for a loss of logits
one per class (its rows are independent). A worker adds its own start and the arrays' way through a pipe,
which the slack covers.
"""
import copy
import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

from machine import describe
from rnnlab_grader import reference
from rnnlab_grader.contract import signature
from rnnlab_grader.grading import checks
from rnnlab_grader.paths import GRADERS, REPO, SOLUTIONS

sys.path.insert(0, str(GRADERS))
import tables  # noqa: E402

ALTERNATIVES = REPO / "tests" / "alternatives"


def best_seconds(run, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def graded_call(case, function_of):
    """A function that runs the call `case` grades (its backward on its forward's cache, or its loss),
    with the package `function_of`; returns it, and the time of one forward."""
    args = case.inputs()
    forward = function_of(case.forward or case.function)
    forward_seconds = best_seconds(lambda: forward(*copy.deepcopy(args)))
    if case.loss:
        return (lambda: forward(*args)), forward_seconds
    forward_sig = signature(case.forward)
    outputs = forward(*copy.deepcopy(args))
    cache = dict(zip(forward_sig.returns, outputs))[forward_sig.opaque[0]]
    upstream = checks._upstream(case, forward_sig, outputs)
    backward = function_of(case.function)
    return (lambda: backward(*copy.deepcopy(upstream), cache)), forward_seconds


@functools.lru_cache(maxsize=None)
def alternative_packages(module, root):
    """[(name, function_of)] for each alternative of `module`: the reference with that module replaced."""
    return list(_alternative_packages(module, root))


def _alternative_packages(module, root):
    for path in sorted((ALTERNATIVES / module).glob("*.py")):
        folder = root / f"{module}_{path.stem}" / "rnnlab"
        shutil.copytree(SOLUTIONS / "rnnlab", folder, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copyfile(path, folder / f"{module}.py")
        package = reference.load_package(folder, f"alternative_{module}_{path.stem}").__name__

        def function_of(qualname, package=package):
            module_name, name = qualname.split(".")
            return getattr(__import__(f"{package}.{module_name}", fromlist=[name]), name)
        yield path.stem, function_of


def numerical_floor(case, forward_seconds):
    """Forwards that numerical differentiation needs at least, and their seconds."""
    args = case.inputs()
    batch = args[0].shape[0]
    if case.loss and case.wrt == (0,):  # a loss of logits: independent rows, one forward per class
        forwards = args[0].shape[-1]
    else:
        shared = [a for i in case.wrt for _, a in checks._arrays(args[i]) if a.ndim < 2 or a.shape[0] != batch]
        forwards = max(a.size for a in shared)
    return forwards, forwards * forward_seconds


def main():
    print(describe(["numpy"]))
    print(f"limit = {checks.AT_SCALE_SLACK_S:g} s + {checks.AT_SCALE_TIMES} x the reference's time\n")
    print(f"{'function':40s} {'reference':>10s} {'limit':>8s} {'slowest honest':>26s} {'numerical floor':>24s}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in tables.AT_SCALE:
            run, forward_seconds = graded_call(case, reference.function)
            seconds = best_seconds(run)
            limit = checks.AT_SCALE_SLACK_S + checks.AT_SCALE_TIMES * seconds
            module = case.function.split(".")[0]
            honest = [(best_seconds(graded_call(case, function_of)[0]), name)
                      for name, function_of in alternative_packages(module, Path(tmp))]
            slowest = max(honest, default=(float("nan"), "none"))
            forwards, floor = numerical_floor(case, forward_seconds)
            print(f"{case.function:40s} {seconds * 1e3:8.1f}ms {limit:7.2f}s "
                  f"{slowest[0] * 1e3:9.1f}ms ({slowest[1][:13]:>13s}) {floor:8.0f}s ({forwards} forwards)")


if __name__ == "__main__":
    main()
