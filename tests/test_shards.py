"""One batch graded in shards, as a Slurm job array or a Kubernetes Indexed Job runs it (bin/grade-shard,
deploy/): the shards merged (`rnnlab gradebook`) give the gradebook one run gives."""
import os
import subprocess

import pytest
import yaml

from rnnlab_grader import cli
from rnnlab_grader.grading import examples
from rnnlab_grader.paths import REPO

# The reference and the stubs, and a mistake in each shard of three (shard_of: by name).
MISTAKES = ["decoder_fed_its_own_output_in_training", "last_state_takes_the_padding"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    examples.write_examples(root / "submissions", wrong=[m for m in examples.mutants() if m["name"] in MISTAKES])
    assert cli.main(["grade", *map(str, sorted((root / "submissions").iterdir())), "--out", str(root / "one"),
                     "-j", "2"]) == 0
    return root


def grade_shard(batch, results, **task):
    """bin/grade-shard as the engine's task `task` runs it (its environment)."""
    env = {**os.environ, "JOBS": "2", **{key: str(value) for key, value in task.items()}}
    run = subprocess.run([str(REPO / "bin" / "grade-shard"), str(batch / "submissions"), str(results)],
                         env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]


def files(folder):
    return {path.name: path.read_text() for path in folder.iterdir() if path.is_file()}


def test_three_slurm_shards_merged_give_the_gradebook_of_one_run(batch):
    for task in (1, 2, 3):
        grade_shard(batch, batch / "shards", SLURM_ARRAY_TASK_ID=task, SLURM_ARRAY_TASK_COUNT=3)
    graded = [sorted(p.stem for p in (batch / "shards" / f"shard-{k}").glob("*.json")) for k in (1, 2, 3)]
    assert all(graded) and sorted(sum(graded, [])) == sorted(p.stem for p in (batch / "one").glob("*.json"))
    assert cli.main(["gradebook", *(str(batch / "shards" / f"shard-{k}") for k in (3, 1, 2)),
                     "--out", str(batch / "merged")]) == 0
    assert files(batch / "merged") == files(batch / "one")  # gradebook.csv and every <name>.json


def test_a_merge_refuses_overlaps_and_names_what_is_missing(batch, capsys):
    shards = batch / "shards"
    if not (shards / "shard-1").exists():
        grade_shard(batch, shards, SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_COUNT=3)
    assert cli.main(["gradebook", str(shards / "shard-1"), str(shards / "shard-1"), "--out", str(batch / "twice")]) == 2
    assert "was graded in both" in capsys.readouterr().err
    assert cli.main(["gradebook", str(shards / "shard-1"), "--out", str(batch / "part")]) == 2
    missing = capsys.readouterr().err
    assert "in no folder" in missing and "reference" in missing and "stubs" in missing
    assert not (batch / "twice").exists() and not (batch / "part").exists()


def test_the_kubernetes_job_runs_the_same_shards(batch, tmp_path):
    job = yaml.safe_load((REPO / "deploy" / "rnnlab-grade-job.yaml").read_text())
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == int(env["SHARDS"])
    assert container["command"][0] == "bin/grade-shard"
    # Index 0 of 3 grades what Slurm's task 1 of 3 does.
    grade_shard(batch, tmp_path / "indexed", JOB_COMPLETION_INDEX=0, SHARDS=3)
    grade_shard(batch, tmp_path / "array", SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_COUNT=3)
    assert files(tmp_path / "indexed" / "shard-1") == files(tmp_path / "array" / "shard-1") != {}


def test_the_slurm_script_is_a_job_array_of_grade_shard():
    script = (REPO / "deploy" / "slurm-grade.sh").read_text()
    assert "#SBATCH --array=1-" in script and "bin/grade-shard" in script
