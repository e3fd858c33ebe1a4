"""The package's layout holds its trust boundary (see rnnlab_grader/__init__.py).

- Layers import only downwards: entries -> release, reports -> grading -> isolation -> shared.
- Nothing outside isolation/ imports the worker-side scripts (worker, zygote, confine): grading
  reaches student code only through what isolation/ exports.
- The worker-side scripts, which run with `python -I -S` where the package is not importable,
  import only the standard library, numpy, Keras (the Keras lane's), and each other.

Read from the source (ast), so a violation is found without importing anything.
"""
import ast
import shutil
import sys
from pathlib import Path

import pytest

from rnnlab_grader.paths import GRADERS, PACKAGE

WORKER_SIDE = {"worker", "zygote", "confine"}
WORKER_SIDE_MAY_IMPORT = {"numpy", "keras", *WORKER_SIDE}  # keras: the Keras lane's worker
SHARED = {"paths", "contract", "reference", "course"}
# What each part may import of the package (beyond itself and the shared modules).
MAY_IMPORT = {
    "isolation": set(),
    "grading": {"isolation"},
    "reports": {"grading"},
    "release": {"grading"},
    "shared": set(),
    "entry": {"release", "reports", "grading", "isolation"},
    "graders": {"grading", "isolation"},
}


SUBPACKAGES = {"isolation", "grading", "reports", "release"}


def part_of(module):
    """'grading.engine' -> 'grading'; a top-level module -> 'shared' or 'entry'."""
    head = module.split(".")[0]
    if head in SUBPACKAGES:
        return head
    return "shared" if head in SHARED else "entry"


def imported_modules(path, module):
    """What `path` imports: (name, of_package) pairs. For the package's own modules the name is
    dotted below rnnlab_grader ('' for the package itself), and `from x import y` gives both x
    and x.y (y may be a module); `module` is the file's own dotted name, None outside the package."""
    tree = ast.parse(path.read_text(), str(path))
    package = module.split(".")[:-1] if module else []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_absolute(alias.name) for alias in node.names)
            continue
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = (package[:len(package) - node.level + 1] + (node.module or "").split("."))
            name, of_package = ".".join(p for p in base if p), True
        else:
            name, of_package = _absolute(node.module)
        found.add((name, of_package))
        if of_package:
            found.update((f"{name}.{alias.name}".lstrip("."), True) for alias in node.names)
    return found


def _absolute(name):
    if name == "rnnlab_grader" or name.startswith("rnnlab_grader."):
        return name[len("rnnlab_grader."):], True
    return name, False


def _package_modules(root):
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1] + ["__init__"]
        yield path, ".".join(parts)


def _existing(root):
    """Every module and sub-package name below rnnlab_grader."""
    names = set()
    for _, module in _package_modules(root):
        names.add(module.removesuffix(".__init__"))
    return names


def violations(root=PACKAGE, graders=GRADERS):
    """Every import that crosses the layout's rules, as readable lines."""
    existing = _existing(root)
    found = []
    files = [(path, module, part_of(module)) for path, module in _package_modules(root)]
    files += [(path, None, "graders") for path in sorted(graders.glob("*.py"))]
    for path, module, part in files:
        name = module or path.name
        imports = imported_modules(path, module)
        if module and module.split(".")[0] == "isolation" and module.split(".")[-1] in WORKER_SIDE:
            for target, of_package in imports:
                if of_package or target.split(".")[0] not in {*sys.stdlib_module_names, *WORKER_SIDE_MAY_IMPORT}:
                    found.append(f"{name} (worker side) imports {target or 'rnnlab_grader'}")
            continue
        for target, of_package in imports:
            if not of_package or target not in existing:
                continue
            if target.split(".")[0] == "isolation" and target.split(".")[-1] in WORKER_SIDE and part != "isolation":
                found.append(f"{name} imports the worker-side script {target}")
            if part_of(target) not in {part, "shared", *MAY_IMPORT[part]}:
                found.append(f"{name} ({part}) imports {target} ({part_of(target)})")
    return found


def test_the_package_keeps_its_layout():
    assert violations() == []


def _copy_of_package(tmp_path):
    root = tmp_path / "rnnlab_grader"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    graders = tmp_path / "graders"
    shutil.copytree(GRADERS, graders, ignore=shutil.ignore_patterns("__pycache__", "fixtures"))
    return root, graders


@pytest.mark.parametrize("where, line, expected", [
    ("grading/checks.py", "from ..isolation import worker", "grading.checks imports the worker-side script isolation.worker"),
    ("grading/checks.py", "from ..isolation.worker import Step", "grading.checks imports the worker-side script isolation.worker"),
    ("reports/gradebook.py", "import rnnlab_grader.isolation.zygote", "imports the worker-side script isolation.zygote"),
    ("graders:tables.py", "from rnnlab_grader.isolation.confine import limit", "tables.py imports the worker-side script"),
    ("isolation/worker.py", "from .. import paths", "isolation.worker (worker side) imports paths"),
    ("isolation/zygote.py", "import rnnlab_grader", "isolation.zygote (worker side) imports rnnlab_grader"),
    ("isolation/confine.py", "import yaml", "isolation.confine (worker side) imports yaml"),
    ("isolation/proxy.py", "from ..grading import checks", "isolation.proxy (isolation) imports grading.checks (grading)"),
    ("grading/engine.py", "from ..reports import gradebook", "grading.engine (grading) imports reports.gradebook (reports)"),
    ("contract.py", "from .grading import engine", "contract (shared) imports grading.engine (grading)"),
    ("grading/checks.py", "from .. import cli", "grading.checks (grading) imports cli (entry)"),
])
def test_a_crossing_import_is_found(tmp_path, where, line, expected):
    """The rule can fail: each line, added to a copy of the package, is reported."""
    root, graders = _copy_of_package(tmp_path)
    path = graders / where.split(":")[1] if where.startswith("graders:") else root / where
    path.write_text(path.read_text() + f"\n{line}\n")
    assert any(expected in v for v in violations(root, graders)), violations(root, graders)
