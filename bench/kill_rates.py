"""How often is each mistake of the corpus caught, over many gradings? (A script, not a test.)

    .venv/bin/python bench/kill_rates.py [VARIANTS]

Every submission meets hidden inputs of its own (grading/variants.py), so a mutant killed under the
three variants of tests/test_mutants.py may still survive one grading in fifty, when its inputs
happen to miss its edge (a true class that underflows, a tie). This grades every numpy mutant in
this process (tests/local_student.py, the graders' own checks, without the checks at scale) under
VARIANTS variants (default 200) and prints each mutant that was not charged exactly its groups every
time, with the count; a line per mutant on stderr as it goes. The figure that matters is the last
line: mutants not always caught.
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import local_student  # noqa: E402
from rnnlab_grader.grading import examples  # noqa: E402
from rnnlab_grader.grading.mutants import affected_groups  # noqa: E402


def kill_rate(mutant, variants, scratch):
    """(gradings charged exactly the mutant's groups, the first variant that was not, or None)."""
    package = local_student.load(examples.write_mutant(scratch, mutant) / "rnnlab", f"local_{mutant['name']}")
    exact, first_miss = 0, None
    for variant in variants:
        lost = local_student.lost_groups(package, affected_groups(mutant), variant, at_scale=False)
        if lost == set(mutant["loses"]):
            exact += 1
        elif first_miss is None:
            first_miss = (variant, sorted(lost))
    return exact, first_miss


def main(count=200):
    variants = [f"kill rate {i}".encode() for i in range(count)]
    mutants = [m for m in examples.mutants() if m["file"] != "keras_models.py"]
    missed, started = [], time.perf_counter()
    for mutant in mutants:
        with tempfile.TemporaryDirectory() as scratch:
            exact, first_miss = kill_rate(mutant, variants, Path(scratch))
        print(f"{mutant['name']}: {exact}/{count}", file=sys.stderr, flush=True)
        if first_miss:
            missed.append((mutant["name"], exact, first_miss))
    for name, exact, (variant, lost) in missed:
        print(f"{name:45s} charged exactly in {exact}/{count}; first miss {variant!r} lost {lost}")
    print(f"{len(mutants)} numpy mutants x {count} variants in {time.perf_counter() - started:.0f} s: "
          f"{len(missed)} not always caught")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
