"""The reference solution, loaded in the grader process under the name `rnnlab_reference`.

The name differs from `rnnlab` so that it can never be mistaken for a submission's package.
"""
import importlib
import importlib.util
import sys
from pathlib import Path

from .paths import REFERENCE

PACKAGE_NAME = "rnnlab_reference"


def load_package(folder, name):
    """Import the rnnlab package in `folder` under the name `name` (once per process)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(folder) / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def _load_package():
    return load_package(REFERENCE, PACKAGE_NAME)


def function(qualname):
    """The reference implementation of `module.function`, e.g. "rnn.rnn_forward"."""
    _load_package()
    module_name, function_name = qualname.split(".")
    return getattr(importlib.import_module(f"{PACKAGE_NAME}.{module_name}"), function_name)
