"""The report's code similarity ranks copies above independent work.

Near-copies: mutants of the corpus, each the reference with one line changed, as students who
share one solution and change a line each. Independent work: the alternatives (tests/alternatives/,
each a module written otherwise than the reference), each handed in on the stubs, as students who
wrote that module themselves and left the rest. Every pair of copies must rank above every pair
that holds independent work, and the stubs, which wrote nothing, are compared with nobody.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab_grader.grading import examples
from rnnlab_grader.paths import STUDENT
from rnnlab_grader.reports import similarity

ALTERNATIVES = sorted((Path(__file__).parent / "alternatives").glob("*/*.py"))
COPIES = examples.mutants()[::8]  # every 8th of the corpus: its modules all represented


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("similarity")
    packages = {f"copy_{m['name']}": examples.write_mutant(root, m) / "rnnlab" for m in COPIES}
    for alternative in ALTERNATIVES:
        name = f"own_{alternative.parent.name}_{alternative.stem}"
        shutil.copytree(STUDENT / "rnnlab", root / name / "rnnlab")
        shutil.copy(alternative, root / name / "rnnlab" / f"{alternative.parent.name}.py")
        packages[name] = root / name / "rnnlab"
    shutil.copytree(STUDENT / "rnnlab", root / "stubs" / "rnnlab")
    packages["stubs"] = root / "stubs" / "rnnlab"
    return root, packages


def test_copies_rank_above_independent_work(corpus):
    _, packages = corpus
    ranked = similarity.pairs(packages, STUDENT / "rnnlab")
    copies = [p for p in ranked if p.first.startswith("copy_") and p.second.startswith("copy_")]
    independent = [p for p in ranked if p not in copies]
    print(f"\n{len(ranked)} pairs; copies {min(p.similarity for p in copies):.3f}-{max(p.similarity for p in copies):.3f}; "
          f"independent work at most {max(p.similarity for p in independent):.3f} "
          f"({independent[0].first} · {independent[0].second})")
    assert len(copies) == len(COPIES) * (len(COPIES) - 1) // 2
    assert ranked[:len(copies)] == copies and min(p.similarity for p in copies) > 0.95
    assert max(p.similarity for p in independent) < 0.5
    assert not any("stubs" in (p.first, p.second) for p in ranked)  # it wrote nothing to compare


def disguised_copy(corpus, tmp_path, module, disguise):
    """(the original copy, the pair of it and its copy with `module` rewritten by `disguise`)."""
    original = corpus[1][f"copy_{COPIES[0]['name']}"]
    disguised = tmp_path / "disguised" / "rnnlab"
    shutil.copytree(original, disguised)
    (disguised / module).write_text(disguise((disguised / module).read_text()))
    (pair,) = similarity.pairs({"original": original, "disguised": disguised}, STUDENT / "rnnlab")
    return pair


def test_renaming_every_variable_hides_nothing(corpus, tmp_path):
    # Names and strings are replaced before fingerprinting: a copy with its names changed is a copy.
    pair = disguised_copy(corpus, tmp_path, "rnn.py", lambda text: text.replace("h_prev", "previous_state")
                          .replace("dh_next", "grad_from_above"))
    assert pair.similarity > 0.95


def test_reordering_and_padding_a_copy_hides_nothing(corpus, tmp_path):
    # The cheapest disguises of a copy: its functions in another order, and as much code again of
    # its own appended. The original's share found in the copy stays whole (the larger share counts).
    def reordered_and_padded(text):
        head, *functions = text.split("\ndef ")
        padding = "".join(f"\ndef unused_{i}(v):\n    total = 0\n    for k in range({i}):\n        total += v * k - {i}\n"
                          f"    return [total, total ** 2, str(total)]\n" for i in range(40))
        return "\ndef ".join([head, *reversed(functions)]) + padding
    pair = disguised_copy(corpus, tmp_path, "layers.py", reordered_and_padded)
    shares = dict(zip((pair.first, pair.second), pair.shares))
    assert shares["original"] > 0.95 and shares["disguised"] < 0.85 and pair.similarity == shares["original"]


def test_the_report_shows_the_pairs_side_by_side(corpus, tmp_path):
    root, packages = corpus
    chosen = [packages[name].parent for name in (f"copy_{COPIES[0]['name']}", f"copy_{COPIES[1]['name']}",
                                                 f"own_{ALTERNATIVES[0].parent.name}_{ALTERNATIVES[0].stem}")]
    run = subprocess.run([sys.executable, "-m", "rnnlab_grader.cli", "report", str(tmp_path / "report"),
                          "--synthetic", "5", "--submissions", *map(str, chosen)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"{chosen[0].name} · {chosen[1].name}" in run.stdout  # submissions are named by their folders
    page = (tmp_path / "report" / "report.html").read_text()
    assert 'id=similarity' in page and page.count("<div class=side>") >= 1 and "<mark>" in page
