from otter.test_files import test_case

OK_FORMAT = False

name = "char_lm"
points = 14

@test_case(points=None, hidden=False)
def test_char_lm_public_tests():
    """The public tests of this question: the same as `pytest tests/test_session4.py -k char_lm`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_session4.py', '-k', 'char_lm'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

