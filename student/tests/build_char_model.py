from otter.test_files import test_case

OK_FORMAT = False

name = "build_char_model"
points = 12

@test_case(points=None, hidden=False)
def test_build_char_model_public_tests():
    """The public tests of this question: the same as `pytest tests/test_session4.py -m keras -k "char_model or forecaster_model"`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_session4.py', '-m', 'keras', '-k', 'char_model or forecaster_model'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

