from otter.test_files import test_case

OK_FORMAT = False

name = "build_sequence_classifier"
points = 6

@test_case(points=None, hidden=False)
def test_build_sequence_classifier_public_tests():
    """The public tests of this question: the same as `pytest tests/test_keras_models.py -m keras -k classifier`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_keras_models.py', '-m', 'keras', '-k', 'classifier'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

