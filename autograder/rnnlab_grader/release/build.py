"""Build the student release from the one source of truth, and prove it while building.

    solutions/rnnlab/*.py    -> student/rnnlab/*.py   (each solution region becomes a TODO)
    solutions/tests/, README.md, pytest.ini -> student/ (public tests, how to work)
    assignments/*.ipynb      -> student/*.ipynb       (otter assign: grader.check cells, export cell,
                                                       tests/<question>.py; autograder zips in dist/)

A solution region is the lines between `# BEGIN SOLUTION` and `# END SOLUTION`, the
markers otter-grader uses in notebooks. The release is then proven: the reference scores
full marks on the hidden graders, the stubs score zero, the public tests pass on the
reference, and no solution line or hidden grader text appears anywhere in the release.

The proof's grading of the reference also records the summaries of its Keras models
(grading/known_models.py), which the graders, in the repository and in the zips, start from.

`release` does it all in order, in a staging folder, and writes only a release that passed.
"""
import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


from .. import course
from ..grading import engine, examples, known_models
from . import consistency, otter_assign, scaffold
from ..paths import ASSIGNMENTS, DIST, GRADERS, MUTANTS, SOLUTIONS, STUDENT

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
DEF = re.compile(r"^\s*def (\w+)\(")
# Copied from solutions/ as they are (besides the stubbed package).
PLAIN_FILES = ["README.md", "DATA.md", "pytest.ini"]


class ReleaseError(Exception):
    """The release is not fit to hand out; the message says why."""


class HoldsWork(ReleaseError):
    """The release folder holds someone's work (see work_in)."""


def split_solutions(text, keep=()):
    """Split source text into (stub text, solution lines).

    Each region is replaced by a TODO comment and `raise NotImplementedError`, indented
    like the region, naming the function it sits in; the regions of the functions named in
    `keep` stay as they are (their markers dropped), as if a student had written them.
    """
    stub, solution, region_indent, function = [], [], None, "this function"
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line)
        if region_indent is None:
            if DEF.match(line):
                function = DEF.match(line).group(1)
            if begin:
                region_indent = begin.group(1)
                if function not in keep:
                    stub.append(f"{region_indent}# TODO: implement {function} (see the docstring).\n")
                    stub.append(f'{region_indent}raise NotImplementedError("{function}")\n')
            elif END.match(line):
                raise ReleaseError(f"line {number}: END SOLUTION without BEGIN SOLUTION")
            else:
                stub.append(line)
        elif END.match(line):
            region_indent = None
        elif begin:
            raise ReleaseError(f"line {number}: BEGIN SOLUTION inside a solution region")
        elif function in keep:
            stub.append(line)
        else:
            solution.append(line)
    if region_indent is not None:
        raise ReleaseError("a BEGIN SOLUTION region is never closed")
    return "".join(stub), solution


@dataclass
class Release:
    """What a release wrote and what proving it measured."""

    out: Path
    files: list = field(default_factory=list)
    zips: list = field(default_factory=list)
    solution_lines: set = field(default_factory=set)
    public_lines: set = field(default_factory=set)  # the reference outside its solution regions
    proofs: dict = field(default_factory=dict)
    otter_zips: Path = None  # otter's own zips, until write_zips repacks them
    known_models: dict = None  # the summaries of the reference's Keras models, recorded by prove


MANIFEST = ".release"  # in a release: each file it wrote, with its digest
GENERATED = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}  # made by running it: nobody's work


def work_in(out):
    """The files of `out` that are not as a release wrote them: someone's work ([] for a missing
    folder, or one as the last release left it, caches aside)."""
    out = Path(out)
    try:
        written = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        written = {}
    files = (path.relative_to(out) for path in sorted(out.rglob("*")) if path.is_file())
    return [str(file) for file in files if not GENERATED & set(file.parts) and file.name != MANIFEST
            and written.get(str(file)) != _digest(out / file)]


def check_no_work_in(out):
    """Raise ReleaseError if `out` holds work (see work_in), which a release would overwrite."""
    work = work_in(out)
    if work:
        raise HoldsWork(f"{out} holds files that no release wrote, or changed since ({', '.join(work[:5])}"
                           f"{' ...' if len(work) > 5 else ''}): nothing was written. Release elsewhere "
                           f"(--out DIR; the zips go to --dist all the same), or overwrite them (--force)")


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(out, solutions=SOLUTIONS, assignments=ASSIGNMENTS, dist=None, notebooks=True):
    """Write the student release into `out` (which must not exist) and, with `dist`, otter's
    autograder zips there (see write_zips); return what was written. Without `notebooks`, only the
    package, the public tests and the plain files (add_notebooks adds the rest)."""
    out = Path(out)
    out.mkdir(parents=True)
    release = Release(out)
    given = course.given_groups(course.sessions(assignments))  # handed out finished: see course.KINDS
    for source in sorted((solutions / "rnnlab").glob("*.py")):
        keep = {group.split(".", 1)[1] for group in given if group.split(".", 1)[0] == source.stem}
        stub, solution = split_solutions(source.read_text(), keep=keep)
        release.public_lines |= {line.strip() for line in stub.splitlines()}
        release.solution_lines |= {line.strip() for line in solution}
        _write(release, Path("rnnlab") / source.name, stub)
    # A line that also stands outside the regions (a docstring's equation, a given function's) is public.
    release.solution_lines -= release.public_lines
    for source in sorted((solutions / "tests").rglob("*.py")):
        if "__pycache__" not in source.parts:
            _write(release, source.relative_to(solutions), source.read_text())
    for name in PLAIN_FILES:
        _write(release, Path(name), (solutions / name).read_text())
    _write(release, Path("requirements.txt"), student_requirements())
    if notebooks:
        add_notebooks(release, assignments)
    if dist is not None:
        write_zips(release, dist)
    return release


def add_notebooks(release, assignments=ASSIGNMENTS, points=None):
    """otter assign on every master notebook: the student notebooks and their check tests into the
    release, otter's own autograder zips into a folder of their own (write_zips repacks them); then
    the release's manifest. `points` gives each question's worth (default: what its graders give,
    consistency.question_points)."""
    notebooks = sorted(assignments.glob("*.ipynb"))
    not_otter = [n.name for n in notebooks if not otter_assign.is_otter_notebook(n)]
    if not_otter:
        raise ReleaseError(f"not in Otter Assign format (no ASSIGNMENT CONFIG first cell): {not_otter}")
    if points is None:
        points = consistency.question_points(engine.catalogue(), {
            q: f for s in course.sessions(assignments) for q, f in s["questions"].items()})
    release.otter_zips = Path(tempfile.mkdtemp(prefix="rnnlab-otter-zips-"))
    with ThreadPoolExecutor(max_workers=2) as pool:  # otter assign is a process of its own
        for written in pool.map(lambda n: otter_assign.assign(n, release.out, release.otter_zips, points), notebooks):
            release.files += [path.relative_to(release.out) for path in written]
    manifest = {str(path): _digest(release.out / path) for path in sorted(release.files)}
    (release.out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def write_zips(release, dist, table=None):
    """Repack otter's zips of `release` into `dist/<notebook>-autograder.zip`, with rnnlab's grading
    code and `table` as its known_models.json (default: the committed one); each zip replaces its
    old file in one rename. Returns their paths (also in release.zips)."""
    dist = Path(dist)
    dist.mkdir(parents=True, exist_ok=True)
    table_bytes = known_models.dumps(table) if table is not None else None
    for otter_zip in sorted(Path(release.otter_zips).glob("*.zip")):
        target = dist / f"{otter_zip.stem}-autograder.zip"
        staged = otter_assign.repack(otter_zip, dist / f".{target.name}.new", known_models=table_bytes)
        os.replace(staged, target)
        release.zips.append(target)
    shutil.rmtree(release.otter_zips)
    return release.zips


STUDENT_PACKAGES = ["numpy", "matplotlib", "pytest", "otter-grader", "keras", "jupyter", "ipykernel"]


def student_requirements():
    """student/requirements.txt: what the notebooks, the public tests and grader.check need, at the
    versions the suite runs (tested-versions.txt); TensorFlow's CPU build on Linux."""
    python, pins = otter_assign.tested_versions()
    tensorflow = pins["tensorflow-cpu"].split("==")[1]
    return (f"# Python {python}. pip install -r requirements.txt (see README.md: Setting up)\n"
            + "".join(pins[name] + "\n" for name in STUDENT_PACKAGES)
            + f"tensorflow-cpu=={tensorflow}; sys_platform == \"linux\"\n"
            + f"tensorflow=={tensorflow}; sys_platform != \"linux\"\n")


def _write(release, relative, text):
    target = release.out / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    release.files.append(relative)


# ---------------------------------------------------------------------------
# A release: checked, built and proven in a staging folder, then put in place


STAGING = ".rnnlab-release-"  # beside the release folder while it is built (same file system: renames)


def release(out=STUDENT, dist=DIST, force=False, check=False, functions=None,
            solutions=SOLUTIONS, assignments=ASSIGNMENTS):
    """Check the course's consistency, build the release in a staging folder and prove it there;
    then, unless `check`, put it in place: `out` replaced in one exchange of names (two renames where
    the system has no exchange), each zip in one rename, known_models.json rewritten. A refused release
    (ReleaseError) writes nothing. `functions` (with `check`) proves only theirs. Returns the Release
    and {step: seconds}."""
    out, timings = Path(out).absolute(), {}
    if functions and not check:
        raise ValueError("a release proves every function: `functions` only with `check`")
    if not check and not force:
        check_no_work_in(out)
    with _timed(timings, "consistency"):
        course_now = course.sessions(assignments)
        problems = consistency_problems(course_now, solutions, assignments)
    if problems:
        raise ReleaseError("the course's sources disagree:\n  " + "\n  ".join(problems))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=None if check else out.parent))
    built = None
    try:
        built = build(staging / out.name, solutions, assignments, notebooks=False)
        prove(built, solutions, functions, timings, course_now)  # first: the proofs a change to a function meets
        if functions is None:
            with _timed(timings, "notebooks (otter assign)"):
                add_notebooks(built, assignments)
            leaks = find_leaks(built)
            if leaks:
                raise ReleaseError("the release gives away hidden material:\n  " + "\n  ".join(leaks[:20]))
        if not check:
            with _timed(timings, "writing"):
                write_zips(built, dist, built.known_models)
                _put_in_place(built.out, out, staging / "previous")
                if built.known_models != known_models.load():
                    known_models.save(built.known_models)
        built.out = out if not check else None
    finally:
        if built is not None and built.otter_zips and built.otter_zips.exists():
            shutil.rmtree(built.otter_zips)
        shutil.rmtree(staging, ignore_errors=True)
    return built, timings


def consistency_problems(course_now, solutions=SOLUTIONS, assignments=ASSIGNMENTS):
    """Every disagreement between the course's sources, and every placeholder `rnnlab scaffold` left
    (see consistency.py)."""
    left = consistency.placeholder_problems([solutions, assignments, GRADERS / "tables.py", MUTANTS],
                                            scaffold.PLACEHOLDER)
    if left:
        return [f"{len(left)} placeholders of `rnnlab scaffold` are left to write (docs/instructors.md):"] + left
    catalogue = engine.catalogue()
    with tempfile.TemporaryDirectory(prefix="rnnlab-public-") as scratch:
        collected, error = consistency.public_tests(solutions, scratch)
    if collected is None:
        return [f"the public tests (solutions/tests/) cannot be collected:\n{error}"]
    return (consistency.points_problems(course_now, catalogue)
            + consistency.question_map_problems(course_now, catalogue)
            + consistency.plan_problems(course_now)
            + consistency.signature_problems(solutions)
            + consistency.untouched_problems(solutions, consistency.untouched_functions())
            + consistency.returns_problems(solutions)
            + consistency.public_test_problems(course_now, collected)
            + consistency.mutant_problems(solutions, catalogue, examples.mutants()))


RENAME_EXCHANGE = 2  # renameat2(2)'s flag: swap two names in one step


def _put_in_place(new, target, previous):
    """Make `new` (a folder) be `target`: exchanged in one step where Linux's renameat2 allows,
    else the old one renamed to `previous` first. The old release ends at `new` or `previous`."""
    if target.exists() and _exchange(new, target):
        return
    if target.exists():
        os.rename(target, previous)
    os.rename(new, target)


def _exchange(a, b):
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0


# ---------------------------------------------------------------------------
# Proofs


def find_leaks(release, graders=GRADERS, min_length=20):
    """Lines of the release that give away a solution line or hidden grader text.

    A grader line that the reference also has outside its solution regions (a common
    idiom such as seeding a generator) is public already, and not counted.
    """
    secret = {line for line in release.solution_lines if len(line) >= 8}
    for grader in graders.rglob("*.py"):
        secret |= {line.strip() for line in grader.read_text().splitlines()
                   if len(line.strip()) >= min_length and not line.strip().startswith(("import", "from", "#"))
                   and line.strip() not in release.public_lines}
    leaks = []
    for path in sorted(release.out.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if "BEGIN SOLUTION" in text or "END SOLUTION" in text:
            leaks.append(f"{path}: a solution marker")
        for line in text.splitlines():
            for candidate in _code_lines(line):
                if candidate in secret:
                    leaks.append(f"{path.relative_to(release.out)}: {candidate}")
    return leaks


def _code_lines(line):
    """The stripped line, and (inside a notebook's JSON) the text of a quoted source line."""
    stripped = line.strip()
    yield stripped
    quoted = re.match(r'^"(.*?)(\\n)?",?$', stripped)
    if quoted:
        yield quoted.group(1).replace('\\"', '"').strip()


def prove(release, reference_dir=SOLUTIONS, functions=None, timings=None, course_now=None):
    """Check the release or raise ReleaseError; record the measured proofs in `release`, and the
    summaries of the Keras models the reference's grading rebuilt (release.known_models: the graders
    start from them, see grading/known_models.py). What is graded: the functions of `course_now`'s
    questions but the given ones (course.graded_groups), or with `functions`, only those (their
    public tests too). `timings` (a dict) receives the seconds each proof took."""
    timings = {} if timings is None else timings
    with _timed(timings, "leaks"):
        leaks = find_leaks(release)
    if leaks:
        raise ReleaseError("the release gives away hidden material:\n  " + "\n  ".join(leaks[:20]))
    course_now = course.sessions() if course_now is None else course_now
    groups = set(functions or course.graded_groups(course_now)) - course.given_groups(course_now)
    if not groups:
        raise ReleaseError(f"nothing to prove: {', '.join(sorted(functions or []))} are given (nothing grades them)")
    # One batch, whose model cache starts empty: what the reference's grading rebuilds is the table.
    with tempfile.TemporaryDirectory(prefix="rnnlab-models-") as models, engine.shared(models) as batch:
        with _timed(timings, "grading the reference"):
            reference = engine.grade_submission(reference_dir, name="reference", groups=groups, batch=batch)
            release.known_models = known_models.record(models) if not functions else None
        with _timed(timings, "grading the stubs"):
            stubs = engine.grade_submission(release.out, name="stubs", groups=groups, batch=batch)
    release.proofs = {"reference": (reference["score"], reference["max_score"]),
                      "stubs": (stubs["score"], stubs["max_score"])}
    if reference["score"] != reference["max_score"] or reference["max_score"] == 0:
        failed = [t["name"] + ": " + t["output"] for t in reference["tests"] if t["score"] < t["max_score"]]
        raise ReleaseError("the reference does not score full marks:\n  " + "\n  ".join(
            failed[:20] or [reference["output"]]))
    if stubs["score"] != 0:
        passed = [t["name"] for t in stubs["tests"] if t["score"] > 0]
        raise ReleaseError("the stubs score points (a solution region missing its markers?):\n  "
                           + "\n  ".join(passed[:20]))
    with _timed(timings, "public tests"):
        public = _run_public_tests(release.out, reference_dir, functions)
    if public.returncode != 0:
        raise ReleaseError("the public tests fail on the reference:\n" + public.stdout[-3000:])


@contextlib.contextmanager
def _timed(timings, what):
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[what] = timings.get(what, 0) + time.perf_counter() - started


def _run_public_tests(release_dir, package_parent, functions=None):
    """Run the release's public tests (of `functions` only, if given) against the package found in
    `package_parent`."""
    only = ["--function", ",".join(functions)] if functions else []
    # pytest's own plugins only: the public tests need none of the ones installed beside it (anyio's,
    # which Jupyter brings, took a third of a run's 1.2 core-s).
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(release_dir),
         "-c", str(release_dir / "pytest.ini"), "-o", f"pythonpath={package_parent}", *only,
         str(release_dir / "tests")],
        capture_output=True, text=True, cwd=package_parent, env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
