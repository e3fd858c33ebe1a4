"""Shared fixtures: example submissions written and graded once per test session."""
import pytest

from rnnlab_grader import engine, examples, release
from rnnlab_grader.mutants import affected_groups, lost_groups  # noqa: F401 (tests import it from here)


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples")
    examples.write_examples(out, wrong=examples.mutants())  # the whole corpus
    return out


@pytest.fixture(scope="session")
def fresh_release(tmp_path_factory):
    """The release built from the sources into a temporary folder, once (not proven)."""
    root = tmp_path_factory.mktemp("release")
    return release.build(root / "student", dist=root / "dist")


@pytest.fixture(scope="session")
def graded_examples(example_dir):
    """name -> result of every example submission, graded once (two at a time).

    The reference and the stubs are graded on everything; each mutant on the tests its change
    can reach (mutants.affected_groups): the others run only the reference's code.
    """
    groups = {example_dir / m["name"]: affected_groups(m) for m in examples.mutants()}
    results = engine.grade_batch(sorted(example_dir.iterdir()), jobs=2, groups=groups)
    return {r["name"]: r for r in results}


def make_submission(root, name, file, find, replace):
    """A copy of the reference with one find/replace patch in rnnlab/<file>."""
    return examples.write_mutant(root, {"name": name, "file": file, "find": find, "replace": replace})
