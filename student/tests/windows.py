from otter.test_files import test_case

OK_FORMAT = False

name = "windows"
points = 12

@test_case(points=None, hidden=False)
def test_windows():
    """`pytest --function timeseries.make_windows,timeseries.chronological_split,timeseries.fit_scaler,timeseries.prepare_forecasting --check`: the public tests of this question."""
    import importlib.util, sys
    runner = sys.modules.get('rnnlab_check_runner')
    if runner is None:
        spec = importlib.util.spec_from_file_location('rnnlab_check_runner', 'tests/check_runner.py')
        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
    passed, report = runner.run(['timeseries.make_windows', 'timeseries.chronological_split', 'timeseries.fit_scaler', 'timeseries.prepare_forecasting'], warm_up=True)
    if not passed:
        print(report)
    assert passed, runner.FAILED

