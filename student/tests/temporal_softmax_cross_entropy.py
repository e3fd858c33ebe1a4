from otter.test_files import test_case

OK_FORMAT = False

name = "temporal_softmax_cross_entropy"
points = 7

@test_case(points=None, hidden=False)
def test_temporal_softmax_cross_entropy():
    """`pytest --function layers.temporal_softmax_cross_entropy --check`: the public tests of this question."""
    import os, subprocess, sys
    plain = {k: v for k, v in os.environ.items() if k != 'FORCE_COLOR'} | {'NO_COLOR': '1'}
    run = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '--color=no', '--function', 'layers.temporal_softmax_cross_entropy', '--check'], capture_output=True, text=True, env=plain)
    passed = run.returncode == 0
    if not passed:
        print(run.stdout + run.stderr)
    assert passed, 'the public tests above failed'

