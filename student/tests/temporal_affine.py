from otter.test_files import test_case

OK_FORMAT = False

name = "temporal_affine"
points = 4

@test_case(points=None, hidden=False)
def test_temporal_affine_public_tests():
    """The public tests of this question: the same as `pytest tests/test_layers.py -k temporal_affine`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_layers.py', '-k', 'temporal_affine'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

