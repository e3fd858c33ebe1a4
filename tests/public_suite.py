"""The public suite (solutions/tests) run on the reference with a pytest plugin of a test's own
beside it, in a copy of its own: how tests/test_public_*.py watch what every public test does."""
import os
import shutil
import subprocess
import sys

from rnnlab_grader.paths import SOLUTIONS


def run_with_plugin(folder, plugin_source, env=(), options=()):
    """Copy the public tests into `folder`, load `plugin_source` as the plugin `plugin` (with
    `env`'s variables set) and run them on the reference: the finished process."""
    shutil.copytree(SOLUTIONS / "tests", folder / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SOLUTIONS / "pytest.ini", folder)
    (folder / "plugin.py").write_text(plugin_source)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "plugin", *options,
                           "--rootdir", str(folder), "-c", str(folder / "pytest.ini"),
                           "-o", f"pythonpath={folder} {folder / 'tests'} {SOLUTIONS}", str(folder / "tests")],
                          capture_output=True, text=True, cwd=folder, env={**os.environ, **dict(env)})
