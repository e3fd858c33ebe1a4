"""Hidden inputs of its own for every submission (grading/variants.py): the same on a regrade,
others for any other submission or secret, and a secret that students cannot read."""
import json
import stat
import zipfile

import pytest

from conftest import make_submission
from rnnlab_grader.grading import engine, variants
from rnnlab_grader.paths import SOLUTIONS, STUDENT

SIGMOID = "    return np.exp(-np.logaddexp(0, -a))"


def test_a_variant_follows_the_submissions_code_and_the_secret(tmp_path):
    package = make_submission(tmp_path, "a", "layers.py", SIGMOID, SIGMOID) / "rnnlab"
    commented = make_submission(tmp_path, "b", "layers.py", SIGMOID, SIGMOID + "  # mine") / "rnnlab"
    (package / "notes.txt").write_text("not code: the workers never get it")
    one, other = b"1" * 32, b"2" * 32
    assert variants.variant_of(one, package) == variants.variant_of(one, SOLUTIONS / "rnnlab")
    assert variants.variant_of(one, commented) != variants.variant_of(one, package)
    assert variants.variant_of(other, package) != variants.variant_of(one, package)


def test_the_secret_is_made_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "secret"
    made = variants.secret(path)
    assert len(made) == variants.SECRET_BYTES and variants.secret(path) == made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="not a secret"):
        variants.secret(path)


def test_regrading_gives_the_same_results_and_another_secret_other_inputs(tmp_path):
    # A mistake whose feedback names values (where an error is largest): it shows which inputs it met.
    submission = make_submission(tmp_path, "shifted", "layers.py", SIGMOID, "    return np.exp(-np.logaddexp(0, 1 - a))")
    (tmp_path / "other").write_bytes(b"o" * 32)
    groups = {"layers.sigmoid", "layers.softmax"}

    def feedback(secret=None):
        [result] = engine.grade_batch([submission], groups={submission: groups}, secret=secret)
        return json.dumps(result["tests"])
    first = feedback()
    assert first == feedback()
    assert first != feedback(tmp_path / "other")


def test_each_release_zip_carries_a_secret_of_its_own(fresh_release):
    secrets = []
    for archive in fresh_release.zips:
        with zipfile.ZipFile(archive) as opened:
            info = opened.getinfo(variants.SECRET.name)
            assert stat.S_IMODE(info.external_attr >> 16) == 0o600
            secrets.append(opened.read(info))
    assert len(secrets) == 4 and len(set(secrets)) == 4 and all(len(s) == variants.SECRET_BYTES for s in secrets)


def test_the_secret_is_among_the_paths_no_worker_may_read():
    from rnnlab_grader.isolation import sandbox
    variants.secret()
    assert any(folder in variants.SECRET.resolve().parents for folder in sandbox.secret_paths())
    assert not [p for p in STUDENT.rglob("*") if p.name == variants.SECRET.name]
