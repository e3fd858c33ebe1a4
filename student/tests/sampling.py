from otter.test_files import test_case

OK_FORMAT = False

name = "sampling"
points = 17

@test_case(points=None, hidden=False)
def test_sampling_public_tests():
    """The public tests of this question: the same as `pytest tests/test_session4.py -k "sampling or generate"`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_session4.py', '-k', 'sampling or generate'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

