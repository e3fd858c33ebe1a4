from otter.test_files import test_case

OK_FORMAT = False

name = "one_to_one"
points = 4

@test_case(points=None, hidden=False)
def test_one_to_one_public_tests():
    """The public tests of this question: the same as `pytest tests/test_session4.py -k one_to_one`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_session4.py', '-k', 'one_to_one'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

