"""The summaries of the reference's Keras models, known before any grading (`rnnlab release` writes them).

A Keras builder is judged by the summary of the model it described, which the rebuilder makes from
the model's configuration (see isolation/proxy.py). A summary is a function of that configuration
alone, for one Keras and one worker.py, so a grading that meets a configuration the reference also
described need not rebuild it: each batch's model cache starts with these. A right answer then costs
no rebuild; any other configuration is rebuilt as before. The table is used only with the Keras
version and the worker.py it was made with (its stamp); otherwise it is ignored.

    {"stamp": {"keras": version, "worker": sha256 of worker.py}, "summaries": {request digest: summary}}
"""
import hashlib
import importlib.metadata
import json
from pathlib import Path

from ..paths import PACKAGE

TABLE = Path(__file__).with_name("known_models.json")


def stamp():
    """What the summaries depend on besides the configuration."""
    try:
        keras = importlib.metadata.version("keras")
    except importlib.metadata.PackageNotFoundError:
        keras = None
    worker = hashlib.sha256((PACKAGE / "isolation" / "worker.py").read_bytes()).hexdigest()
    return {"keras": keras, "worker": worker}


def seed(model_cache):
    """Put the known summaries into an empty model cache folder; return how many (0 if the table
    was made with another Keras or worker.py, or is missing)."""
    table = load()
    if table is None or table.get("stamp") != stamp():
        return 0
    for digest, summary in table["summaries"].items():
        (Path(model_cache) / f"{digest}.json").write_text(json.dumps(summary))
    return len(table["summaries"])


def record(model_cache):
    """The table of what a grading rebuilt into `model_cache` (the reference's, in the release)."""
    return {"stamp": stamp(),
            "summaries": {p.stem: json.loads(p.read_text()) for p in sorted(Path(model_cache).glob("*.json"))}}


def dumps(table):
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


def load():
    """The committed table (None if missing or unreadable)."""
    try:
        return json.loads(TABLE.read_text())
    except (OSError, ValueError):
        return None


def save(table):
    TABLE.write_text(dumps(table))
