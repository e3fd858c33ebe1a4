from otter.test_files import test_case

OK_FORMAT = False

name = "build_translator"
points = 12

@test_case(points=None, hidden=False)
def test_build_translator_public_tests():
    """The public tests of this question: the same as `pytest tests/test_keras_models.py -m keras -k translator`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_keras_models.py', '-m', 'keras', '-k', 'translator'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

