from otter.test_files import test_case

OK_FORMAT = False

name = "cnn_classifier"
points = 16

@test_case(points=None, hidden=False)
def test_cnn_classifier():
    """`pytest --function architectures.cnn_classifier_forward,architectures.cnn_classifier_backward,architectures.cnn_classifier_loss --check`: the public tests of this question."""
    import importlib.util, sys
    runner = sys.modules.get('rnnlab_check_runner')
    if runner is None:
        spec = importlib.util.spec_from_file_location('rnnlab_check_runner', 'tests/check_runner.py')
        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
    passed, report = runner.run(['architectures.cnn_classifier_forward', 'architectures.cnn_classifier_backward', 'architectures.cnn_classifier_loss'], warm_up=True)
    if not passed:
        print(report)
    assert passed, runner.FAILED

