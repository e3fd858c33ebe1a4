"""Example submissions for demos and tests: the reference, the stubs, and realistic mistakes.

The mistakes are the mutant corpus, autograder/mutants/<module>.toml: find/replace patches on
the reference, so they follow the reference as it changes instead of drifting as copies would.
"""
import shutil
import tomllib
import zipfile
from pathlib import Path

from ..paths import MUTANTS, SOLUTIONS, STUDENT


def mutants(corpus=MUTANTS, demo_only=False):
    """The declared mistakes: dicts with name, file, description, find, replace, loses."""
    found = []
    for path in sorted(Path(corpus).glob("*.toml")):
        for mutant in tomllib.loads(path.read_text())["mutant"]:
            found.append({"file": f"{path.stem}.py", "demo": False, **mutant})
    names = [m["name"] for m in found]
    if len(set(names)) != len(names):
        raise ValueError(f"mutant names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return [m for m in found if m["demo"]] if demo_only else found


def apply_patch(package_dir, mutant):
    """Apply one find/replace patch to a copy of the package, in place."""
    target = Path(package_dir) / mutant["file"]
    text = target.read_text()
    if text.count(mutant["find"]) != 1:
        raise ValueError(f"mutant {mutant['name']}: its `find` text occurs "
                         f"{text.count(mutant['find'])} times in {mutant['file']}, not once")
    target.write_text(text.replace(mutant["find"], mutant["replace"]))


def write_mutant(out, mutant, reference=SOLUTIONS / "rnnlab"):
    """OUT/<name>/rnnlab/: the reference with the mutant's patch applied."""
    package = Path(out) / mutant["name"] / "rnnlab"
    shutil.copytree(reference, package, ignore=shutil.ignore_patterns("__pycache__"))
    apply_patch(package, mutant)
    return package.parent


def write_examples(out, wrong=None, reference=SOLUTIONS / "rnnlab", stubs=STUDENT / "rnnlab"):
    """Write OUT/reference/, OUT/stubs.zip and OUT/<name>/ for each wrong example
    (by default the corpus' demo mutants)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(reference, out / "reference" / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    with zipfile.ZipFile(out / "stubs.zip", "w") as archive:  # a zip, as students hand in
        for path in sorted(Path(stubs).glob("*.py")):
            archive.write(path, f"stubs/rnnlab/{path.name}")
    for mutant in mutants(demo_only=True) if wrong is None else wrong:
        write_mutant(out, mutant, reference)
    return sorted(out.iterdir())
