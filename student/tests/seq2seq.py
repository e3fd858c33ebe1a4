from otter.test_files import test_case

OK_FORMAT = False

name = "seq2seq"
points = 27

@test_case(points=None, hidden=False)
def test_seq2seq():
    """`pytest --function architectures.decoder_inputs,architectures.seq2seq_forward,architectures.seq2seq_backward,architectures.seq2seq_loss,architectures.greedy_decode --check`: the public tests of this question."""
    import importlib.util, sys
    runner = sys.modules.get('rnnlab_check_runner')
    if runner is None:
        spec = importlib.util.spec_from_file_location('rnnlab_check_runner', 'tests/check_runner.py')
        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
    passed, report = runner.run(['architectures.decoder_inputs', 'architectures.seq2seq_forward', 'architectures.seq2seq_backward', 'architectures.seq2seq_loss', 'architectures.greedy_decode'], warm_up=True)
    if not passed:
        print(report)
    assert passed, runner.FAILED

