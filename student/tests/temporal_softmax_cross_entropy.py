from otter.test_files import test_case

OK_FORMAT = False

name = "temporal_softmax_cross_entropy"
points = 5

@test_case(points=None, hidden=False)
def test_temporal_softmax_cross_entropy_public_tests():
    """The public tests of this question: the same as `pytest tests/test_layers.py -k temporal_cross_entropy`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_layers.py', '-k', 'temporal_cross_entropy'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

