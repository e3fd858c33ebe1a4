"""Report results: one results.json per submission, a gradebook CSV, a terminal table.

Input is the plain result dicts of engine.py; nothing here runs or judges code.
Files are written atomically (a temporary file renamed into place), so a file that
exists is always complete. They hold no timestamps or timings: grading the same
submissions twice writes byte-identical files.
"""
import csv
import io
import json
import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table


def write_atomically(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as stream:
        stream.write(text)
    os.replace(tmp, path)


def results_json(result):
    """The Gradescope results.json text for one submission."""
    gradescope = {key: result[key] for key in ("score", "output", "tests")}
    return json.dumps(gradescope, indent=2) + "\n"


STATE = ".rnnlab-keys"  # in the results folder: which submission content each result belongs to


def write_result(out_dir, result, key):
    """Write <name>.json, then record its key: a key on disk always has its finished result."""
    write_atomically(Path(out_dir) / f"{result['name']}.json", results_json(result))
    write_atomically(Path(out_dir) / STATE / f"{result['name']}.key", key + "\n")


def finished_result(out_dir, name, key):
    """The result written for this exact key by an earlier (perhaps interrupted) run, or None."""
    key_file, result_file = Path(out_dir) / STATE / f"{name}.key", Path(out_dir) / f"{name}.json"
    if not (key_file.exists() and result_file.exists()) or key_file.read_text().strip() != key:
        return None
    result = json.loads(result_file.read_text())
    return {"name": name, "max_score": sum(t["max_score"] for t in result["tests"]), **result}


def group_scores(result):
    """group -> (score, max_score), groups in the order their tests come."""
    groups = {}
    for test in result["tests"]:
        score, max_score = groups.get(test["extra_data"]["group"], (0, 0))
        groups[test["extra_data"]["group"]] = (score + test["score"], max_score + test["max_score"])
    return groups


def gradebook_csv(results):
    """One row a submission (sorted by name), one column a test group, then the total."""
    results = sorted(results, key=lambda r: r["name"])
    groups = list(group_scores(results[0])) if results else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", *groups, "total", "max_score", "problem"])
    for result in results:
        scores = group_scores(result)
        problem = "" if result["output"].endswith("points") else result["output"]
        writer.writerow([result["name"], *(f"{scores[g][0]:g}" for g in groups),
                         f"{result['score']:g}", f"{result['max_score']:g}", problem])
    return buffer.getvalue()


def write_gradebook(out_dir, results):
    write_atomically(Path(out_dir) / "gradebook.csv", gradebook_csv(results))


def module_scores(result):
    """module -> (score, max_score), from groups named "module.function"."""
    modules = {}
    for group, (score, max_score) in group_scores(result).items():
        module = group.split(".")[0]
        total, most = modules.get(module, (0, 0))
        modules[module] = (total + score, most + max_score)
    return modules


SHORT_HEADERS = {"bidirectional": "bidir", "keras_models": "keras"}  # to fit 80 columns


def print_gradebook(results, console=None):
    """A terminal table of each module's score per submission, then the first lost test of each."""
    console = console or Console()
    results = sorted(results, key=lambda r: r["name"])
    if not results:
        return
    maxima = module_scores(results[0])
    table = Table(title="Gradebook (per function: gradebook.csv; feedback: <name>.json)")
    table.add_column("submission", overflow="fold")
    for module, (_, most) in maxima.items():  # the maximum in the header keeps cells narrow
        table.add_column(f"{SHORT_HEADERS.get(module, module)}\n/{most:g}", justify="right", min_width=6)
    table.add_column(f"total\n/{results[0]['max_score']:g}", justify="right", style="bold", min_width=6)
    for result in results:
        scores = module_scores(result)
        table.add_row(result["name"], *(f"{scores[m][0]:g}" for m in maxima), f"{result['score']:g}")
    console.print(table)
    for result in results:
        lost = [t for t in result["tests"] if t["score"] < t["max_score"]]
        if lost:
            console.print(f"[bold]{result['name']}[/]: {len(lost)} of {len(result['tests'])} tests lost "
                          f"points; first: {lost[0]['name']}", highlight=False)
