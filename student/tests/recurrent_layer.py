from otter.test_files import test_case

OK_FORMAT = False

name = "recurrent_layer"
points = 10

@test_case(points=None, hidden=False)
def test_recurrent_layer_public_tests():
    """The public tests of this question: the same as `pytest tests/test_keras_models.py -m keras -k recurrent_layer`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_keras_models.py', '-m', 'keras', '-k', 'recurrent_layer'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

