from otter.test_files import test_case

OK_FORMAT = False

name = "other_layers"
points = 20

@test_case(points=None, hidden=False)
def test_other_layers_public_tests():
    """The public tests of this question: the same as `pytest tests/test_layers.py -k not temporal`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_layers.py', '-k', 'not temporal'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

