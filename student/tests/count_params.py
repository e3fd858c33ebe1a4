from otter.test_files import test_case

OK_FORMAT = False

name = "count_params"
points = 12

@test_case(points=None, hidden=False)
def test_count_params_public_tests():
    """The public tests of this question: the same as `pytest tests/test_bidirectional.py -k count_params`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_bidirectional.py', '-k', 'count_params'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

