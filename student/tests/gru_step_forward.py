from otter.test_files import test_case

OK_FORMAT = False

name = "gru_step_forward"
points = 4

@test_case(points=None, hidden=False)
def test_gru_step_forward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_lstm_gru.py -k gru_step or resets_after`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_lstm_gru.py', '-k', 'gru_step or resets_after'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

