from otter.test_files import test_case

OK_FORMAT = False

name = "gru_backward"
points = 11

@test_case(points=None, hidden=False)
def test_gru_backward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_lstm_gru.py -k gru_backward_shapes`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_lstm_gru.py', '-k', 'gru_backward_shapes'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

