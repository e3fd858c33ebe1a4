from otter.test_files import test_case

OK_FORMAT = False

name = "unfold"
points = 5

@test_case(points=None, hidden=False)
def test_unfold_public_tests():
    """The public tests of this question: the same as `pytest tests/test_rnn.py -k unfold`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_rnn.py', '-k', 'unfold'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

