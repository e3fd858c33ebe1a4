from otter.test_files import test_case

OK_FORMAT = False

name = "bidirectional_forward"
points = 18

@test_case(points=None, hidden=False)
def test_bidirectional_forward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_bidirectional.py -k merge_modes or time_order`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_bidirectional.py', '-k', 'merge_modes or time_order'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

