from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_backward"
points = 7

@test_case(points=None, hidden=False)
def test_rnn_backward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_rnn.py::test_backward_shapes_and_gradient_through_time`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_rnn.py::test_backward_shapes_and_gradient_through_time'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

