from otter.test_files import test_case

OK_FORMAT = False

name = "conv1d"
points = 32

@test_case(points=None, hidden=False)
def test_conv1d_public_tests():
    """The public tests of this question: the same as `pytest tests/test_architectures.py -k conv1d`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_architectures.py', '-k', 'conv1d'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

