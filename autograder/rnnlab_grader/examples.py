"""Example submissions for demos and tests: the reference, the stubs, and realistic mistakes.

The mistakes are declared in examples/wrong.toml as find/replace patches on the reference,
so they follow the reference as it changes instead of drifting as copies would.
"""
import shutil
import tomllib
import zipfile
from pathlib import Path

from .paths import EXAMPLES, SOLUTIONS, STUDENT


def wrong_examples(catalogue=EXAMPLES / "wrong.toml"):
    """The declared mistakes: dicts with name, file, description, find, replace."""
    return tomllib.loads(Path(catalogue).read_text())["example"]


def apply_patch(package_dir, example):
    """Apply one find/replace patch to a copy of the package, in place."""
    target = Path(package_dir) / example["file"]
    text = target.read_text()
    if text.count(example["find"]) != 1:
        raise ValueError(f"example {example['name']}: its `find` text occurs "
                         f"{text.count(example['find'])} times in {example['file']}, not once")
    target.write_text(text.replace(example["find"], example["replace"]))


def write_examples(out, reference=SOLUTIONS / "rnnlab", stubs=STUDENT / "rnnlab"):
    """Write OUT/reference/, OUT/stubs.zip and OUT/<name>/ for each wrong example."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(reference, out / "reference" / "rnnlab", ignore=ignore)
    with zipfile.ZipFile(out / "stubs.zip", "w") as archive:  # a zip, as students hand in
        for path in sorted(Path(stubs).glob("*.py")):
            archive.write(path, f"stubs/rnnlab/{path.name}")
    for example in wrong_examples():
        shutil.copytree(reference, out / example["name"] / "rnnlab", ignore=ignore)
        apply_patch(out / example["name"] / "rnnlab", example)
    return sorted(out.iterdir())
