from otter.test_files import test_case

OK_FORMAT = False

name = "lstm_forward"
points = 9

@test_case(points=None, hidden=False)
def test_lstm_forward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_lstm_gru.py -k lstm_forward`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_lstm_gru.py', '-k', 'lstm_forward'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

