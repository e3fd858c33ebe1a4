"""The floor of a grading: the work no grader of these exercises can avoid, each part measured on
its own (a script, not a test; bench/grading.py prints every grading figure beside it).

    .venv/bin/python bench/floors.py [--json]

- checks: every numpy case the hidden graders draw (values, gradients, untouched, at scale) and the
  six trainings, with the reference as the student, in this one process (tests/local_student.py):
  the reference's answers and the student's own calls, without workers, pipes or pytest; numpy on
  one thread, as in a grading;
- graders' start: a pytest process that imports the graders and collects the hidden tests
  (engine.catalogue), which every grading's own pytest process repeats;
- Keras's import: a Python that imports Keras (TensorFlow), as the Keras lane's zygote does once
  per `rnnlab grade`; a grading overlaps it with the numpy checks.

What is not in the floor: the Keras lane's checks themselves (builds and calls of the student's
models, about a second), a worker's start, the arrays' way through the pipe, the sandbox.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rnnlab_grader.isolation import ONE_THREAD

if any(os.environ.get(name) != value for name, value in ONE_THREAD.items()):  # numpy reads them once, at import
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **ONE_THREAD})

from rnnlab_grader.grading import checks, engine, variants  # noqa: E402
from rnnlab_grader.paths import SOLUTIONS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import local_student  # noqa: E402  (the graders' checks in this process)


def seconds(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def the_checks():
    """Every numpy check and training of the hidden graders on the reference, in this process."""
    package = local_student.load(SOLUTIONS / "rnnlab", "floor_reference")
    groups = {t["group"] for t in engine.catalogue()}
    variant = variants.variant_of(b"bench floors, any secret will do", SOLUTIONS / "rnnlab")
    student = local_student.LocalStudent(package)

    def run():
        lost = local_student.lost_groups(package, groups, variant)
        for case in local_student.tables.TRAINING:
            checks.check_training(student, case)
        assert not lost, f"the reference lost {sorted(lost)}"
    return seconds(run)


def floors():
    graders_start = min(seconds(lambda: engine._catalogue.__wrapped__()) for _ in range(3))
    keras_import = min(seconds(lambda: subprocess.run([sys.executable, "-c", "import keras"], check=True,
                                                      capture_output=True))
                       for _ in range(2))
    return {"checks": the_checks(), "graders' start": graders_start, "Keras's import": keras_import}


def main():
    measured = floors()
    if "--json" in sys.argv:
        print(json.dumps(measured))
        return
    for name, value in measured.items():
        print(f"{name:<20} {value:6.2f} s")


if __name__ == "__main__":
    main()
