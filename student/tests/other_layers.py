from otter.test_files import test_case

OK_FORMAT = False

name = "other_layers"
points = 20

@test_case(points=None, hidden=False)
def test_other_layers():
    """`pytest --function layers.sigmoid,layers.softmax,layers.affine_forward,layers.affine_backward,layers.embedding_forward,layers.embedding_backward,layers.softmax_cross_entropy --check`: the public tests of this question."""
    import importlib.util, sys
    runner = sys.modules.get('rnnlab_check_runner')
    if runner is None:
        spec = importlib.util.spec_from_file_location('rnnlab_check_runner', 'tests/check_runner.py')
        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
    passed, report = runner.run(['layers.sigmoid', 'layers.softmax', 'layers.affine_forward', 'layers.affine_backward', 'layers.embedding_forward', 'layers.embedding_backward', 'layers.softmax_cross_entropy'], warm_up=False)
    if not passed:
        print(report)
    assert passed, runner.FAILED

