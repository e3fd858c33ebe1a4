"""Name the mistake: what each known mistake of a function would have given on the same input.

The known mistakes are the mutants of the corpus (autograder/mutants/) that carry a `feedback`
text: the reference with one realistic mistake, as a find/replace patch. When a student's result
is wrong, a check runs the function again with each mistake that patches it, in this (trusted)
grader process, on the same input; a mistake whose result matches the student's, within the
tolerance the check uses, is named to the student by its feedback. Nothing else is said: the
feedback is plain words written for students, never the reference's code or the hidden inputs.

A mistaken package is the reference, patched, loaded once per process under its own name
(`rnnlab_mistake_<name>`), so that it can never be taken for the reference or a submission.
"""
import atexit
import functools
import importlib
import shutil
import tempfile
from pathlib import Path

from .. import reference
from . import dependencies, examples
from ..paths import MUTANTS, REFERENCE


@functools.lru_cache(maxsize=1)
def _corpus():
    """name -> mutant, for the whole corpus (read once per process)."""
    return {m["name"]: m for m in examples.mutants(MUTANTS)}


@functools.lru_cache(maxsize=None)
def _patched(name):
    """The reference's functions that the mutant `name`'s patch changes (once per process)."""
    return frozenset(dependencies.patched_names(_corpus()[name], REFERENCE))


@functools.lru_cache(maxsize=1)
def known_mistakes():
    """qualname -> the corpus' mutants with feedback whose patch changes that function."""
    known = {}
    for mutant in _corpus().values():
        if mutant.get("feedback"):
            for qualname in _patched(mutant["name"]):
                known.setdefault(qualname, []).append(mutant)
    return known


def mistakes_of(qualname):
    return known_mistakes().get(qualname, [])


@functools.lru_cache(maxsize=None)
def mistakes_reaching(qualname, passing_over=frozenset()):
    """The known mistakes that change what `qualname` computes, in it or in what it builds on,
    other than through the functions `passing_over` (those a charged-once rerun lends), its own first."""
    reached = dependencies.reached_from(qualname, passing_over, REFERENCE)
    found = [mutant for mutant in _corpus().values() if mutant.get("feedback") and _patched(mutant["name"]) & reached]
    return sorted(found, key=lambda mutant: qualname not in _patched(mutant["name"]))


@functools.lru_cache(maxsize=1)
def _work_dir():
    path = Path(tempfile.mkdtemp(prefix="rnnlab-mistakes-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.lru_cache(maxsize=None)
def _package(name):
    """The reference with the mutant `name`'s patch, imported as rnnlab_mistake_<name>."""
    folder = examples.write_mutant(_work_dir(), _corpus()[name], REFERENCE) / "rnnlab"
    return reference.load_package(folder, f"rnnlab_mistake_{name}").__name__


def function(mutant, qualname):
    """`module.function` as the mistaken package `mutant` has it."""
    module_name, function_name = qualname.split(".")
    return getattr(importlib.import_module(f"{_package(mutant['name'])}.{module_name}"), function_name)


def feedback(mistakes):
    """The words a student reads for the matching mistakes (several when they agree on this input)."""
    texts = list(dict.fromkeys(m["feedback"] for m in mistakes))
    if len(texts) == 1:
        return f"This looks like a known mistake. {texts[0]}"
    return "This looks like one of these known mistakes:\n" + "\n".join(f"- {text}" for text in texts)
