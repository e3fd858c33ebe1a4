from otter.test_files import test_case

OK_FORMAT = False

name = "seq2seq"
points = 24

@test_case(points=None, hidden=False)
def test_seq2seq_public_tests():
    """The public tests of this question: the same as `pytest tests/test_architectures.py -k decoder_inputs or seq2seq or greedy`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_architectures.py', '-k', 'decoder_inputs or seq2seq or greedy'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

