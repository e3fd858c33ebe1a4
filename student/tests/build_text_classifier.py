from otter.test_files import test_case

OK_FORMAT = False

name = "build_text_classifier"
points = 12

@test_case(points=None, hidden=False)
def test_build_text_classifier_public_tests():
    """The public tests of this question: the same as `pytest tests/test_keras_models.py -m keras -k text_classifier`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_keras_models.py', '-m', 'keras', '-k', 'text_classifier'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

