from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_forward"
points = 9

@test_case(points=None, hidden=False)
def test_rnn_forward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_rnn.py::test_forward_holds_h1_to_hT`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_rnn.py::test_forward_holds_h1_to_hT'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

