"""A trusted package (the reference with a mistake of the corpus, an alternative) graded in this
process by the graders' own check bodies, without workers: fast enough to grade the whole corpus
under several variants (hidden inputs, grading/variants.py). Only for code we wrote: it runs here.

It calls as StudentCode does, with the same plain results: arguments copied (a write into them is
seen in the echo), harness steps resolved, caches passed back as they are, a raise as a StudentError,
and `delegating` puts the reference's functions wherever the package's modules hold the originals
(as the worker does, with its own function).
"""
import contextlib
import copy
import importlib
import sys

import pytest

from rnnlab_grader import reference
from rnnlab_grader.grading import checks
from rnnlab_grader.isolation import STEPS, Step, StudentError, worker
from rnnlab_grader.paths import GRADERS

sys.path.insert(0, str(GRADERS))
import tables  # noqa: E402  (the graders' declared cases)


class LocalStudent:
    def __init__(self, package_name):
        self.package = package_name
        self.delegated = ()

    def function(self, qualname):
        module, name = qualname.split(".")
        return getattr(importlib.import_module(f"{self.package}.{module}"), name)

    def call(self, qualname, *args, echo_args=False, keras_input_shape=None, within=None):
        args = [STEPS[a.name] if isinstance(a, Step) else a for a in copy.deepcopy(args)]
        try:
            result = self.function(qualname)(*args)
        except Exception as error:  # noqa: BLE001 (the package's mistake, reported as a worker would)
            raise StudentError(f"{qualname.split('.')[1]} raised {type(error).__name__}: {error}") from None
        return (result, args) if echo_args else result

    @contextlib.contextmanager
    def delegating(self, qualnames):
        patched = [p for qualname in qualnames
                   for p in worker._replace(qualname, reference.function(qualname), package=self.package)]
        self.delegated = tuple(qualnames)
        try:
            yield self
        finally:
            self.delegated = ()
            for namespace, key, value in reversed(patched):  # as the worker restores them
                namespace[key] = value


CHECKS = [(tables.VALUES, checks.check_values), (tables.GRADIENTS, checks.check_gradient),
          (tables.UNTOUCHED, checks.check_untouched)]


def graded_cases(package_name, groups, variant, skipped=frozenset()):
    """Each case of `groups` that draws inputs (values, gradients, untouched), graded here under
    `variant` with the fixed answers' rule: (case, the GradingFailure or None), in the order the
    graders run them; the functions in `skipped` (the caller may add to it as it goes) are left out."""
    student = LocalStudent(package_name)
    for table, check in CHECKS:
        for case in [c for c in table if c.function in groups]:
            if case.function in skipped:
                continue
            try:
                checks.charged_once(check, student, case.varied(variant))
                if case.fixed_answer:
                    other = next(c for c in tables.VALUES if c.function == case.function and not c.fixed_answer)
                    checks.charged_once(checks.check_values, student, other.varied(variant))
                yield case, None
            except checks.GradingFailure as failure:
                yield case, failure


def lost_groups(package_name, groups, variant, at_scale=True):
    """The groups of `groups` in which the package, graded here under `variant`, loses points (the
    cases that draw inputs, and with `at_scale` the checks at scale, as the graders apply them)."""
    student, lost, scaled = LocalStudent(package_name), set(), set() if at_scale else set(groups)
    for case, failure in graded_cases(package_name, groups, variant, skipped=lost):
        try:
            if failure:
                raise failure
            if case.function not in scaled:
                scaled.add(case.function)
                for scale_case in [c for c in tables.AT_SCALE if c.function == case.function]:
                    checks.charged_once(checks.check_at_scale, student, scale_case.varied(variant))
        except checks.GradingFailure:
            lost.add(case.function)
    return lost


def load(folder, name):
    """The package in `folder` (a copy of rnnlab/), imported here as `name`."""
    if name in sys.modules:
        pytest.fail(f"{name} is imported already")
    return reference.load_package(folder, name).__name__
