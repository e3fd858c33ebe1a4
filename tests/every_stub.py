"""The reference with every graded function a stub but those named: the given ones stay stubs here
too, though student/ hands them out finished, because the graders still hold their tests (a question
given today may be core tomorrow) and the corpora that prove them start from here. A module of its
own: the cheapest-pass corpus is also imported where `conftest` is the graders' (tests/local_student.py)."""
from rnnlab_grader.paths import SOLUTIONS
from rnnlab_grader.release import build


def every_function_a_stub(package, but=()):
    """Write `package` (an rnnlab folder, made here), the functions named in `but` ("module.function")
    as the reference's, and return it."""
    package.mkdir(parents=True)
    for source in (SOLUTIONS / "rnnlab").glob("*.py"):
        keep = {name.split(".")[1] for name in but if name.split(".")[0] == source.stem}
        (package / source.name).write_text(build.split_solutions(source.read_text(), keep)[0])
    return package
