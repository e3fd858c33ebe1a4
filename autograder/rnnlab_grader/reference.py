"""The reference solution, loaded in the grader process under the name `rnnlab_reference`.

The name differs from `rnnlab` so that it can never be mistaken for a submission's package.
"""
import importlib
import importlib.util
import sys

from .paths import REFERENCE

PACKAGE_NAME = "rnnlab_reference"


def _load_package():
    if PACKAGE_NAME in sys.modules:
        return sys.modules[PACKAGE_NAME]
    spec = importlib.util.spec_from_file_location(
        PACKAGE_NAME, REFERENCE / "__init__.py", submodule_search_locations=[str(REFERENCE)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE_NAME] = package
    spec.loader.exec_module(package)
    return package


def function(qualname):
    """The reference implementation of `module.function`, e.g. "rnn.rnn_forward"."""
    _load_package()
    module_name, function_name = qualname.split(".")
    return getattr(importlib.import_module(f"{PACKAGE_NAME}.{module_name}"), function_name)
