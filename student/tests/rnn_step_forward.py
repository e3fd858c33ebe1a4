from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_step_forward"
points = 4

@test_case(points=None, hidden=False)
def test_rnn_step_forward():
    """`pytest --function rnn.rnn_step_forward --check`: the public tests of this question."""
    import importlib.util, sys
    runner = sys.modules.get('rnnlab_check_runner')
    if runner is None:
        spec = importlib.util.spec_from_file_location('rnnlab_check_runner', 'tests/check_runner.py')
        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
    passed, report = runner.run(['rnn.rnn_step_forward'], warm_up=False)
    if not passed:
        print(report)
    assert passed, runner.FAILED

