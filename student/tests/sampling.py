from otter.test_files import test_case

OK_FORMAT = False

name = "sampling"
points = 18

@test_case(points=None, hidden=False)
def test_sampling():
    """`pytest --function architectures.next_token_probs,architectures.sample_from,architectures.generate --check`: the public tests of this question."""
    import os, subprocess, sys
    plain = {k: v for k, v in os.environ.items() if k != 'FORCE_COLOR'} | {'NO_COLOR': '1'}
    run = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '--color=no', '--function', 'architectures.next_token_probs,architectures.sample_from,architectures.generate', '--check'], capture_output=True, text=True, env=plain)
    passed = run.returncode == 0
    if not passed:
        print(run.stdout + run.stderr)
    assert passed, 'the public tests above failed'

