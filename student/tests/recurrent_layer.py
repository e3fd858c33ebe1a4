from otter.test_files import test_case

OK_FORMAT = False

name = "recurrent_layer"
points = 10

@test_case(points=None, hidden=False)
def test_recurrent_layer():
    """`pytest --function keras_models.recurrent_layer --check`: the public tests of this question."""
    import importlib.util, sys
    runner = sys.modules.get('rnnlab_check_runner')
    if runner is None:
        spec = importlib.util.spec_from_file_location('rnnlab_check_runner', 'tests/check_runner.py')
        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
    passed, report = runner.run(['keras_models.recurrent_layer'], warm_up=True)
    if not passed:
        print(report)
    assert passed, runner.FAILED

