"""Report results: one results.json per submission, a gradebook CSV, a terminal table.

Input is the plain result dicts of engine.py; nothing here runs or judges code.
Files are written atomically (a temporary file renamed into place), so a file that
exists is always complete. They hold no timestamps or timings: grading the same
submissions twice writes byte-identical files (each grading's time goes to
.rnnlab-keys/<name>.seconds, for `rnnlab report`).
"""
import csv
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..course import core_and_stretch, sessions
from ..grading.engine import group_scores


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
    """Write <name>.json, then record its key: a key on disk always has its finished result.

    The grading time goes beside the key, in <name>.seconds: <name>.json stays the same bytes
    from run to run, and `rnnlab report` still finds how long each submission took.
    """
    write_atomically(Path(out_dir) / f"{result['name']}.json", results_json(result))
    seconds_file = Path(out_dir) / STATE / f"{result['name']}.seconds"
    if result.get("seconds") is not None:
        write_atomically(seconds_file, f"{result['seconds']}\n")
    else:
        seconds_file.unlink(missing_ok=True)  # an earlier grading's time would be taken for this one's
    write_atomically(Path(out_dir) / STATE / f"{result['name']}.key", key + "\n")


def finished_result(out_dir, name, key):
    """The result written for this exact key by an earlier (perhaps interrupted) run, or None."""
    key_file, result_file = Path(out_dir) / STATE / f"{name}.key", Path(out_dir) / f"{name}.json"
    if not (key_file.exists() and result_file.exists()) or key_file.read_text().strip() != key:
        return None
    result = json.loads(result_file.read_text())
    return {"name": name, "max_score": sum(t["max_score"] for t in result["tests"]), **result}


# -- shards: one batch graded by many machines, each its share into a folder of its own ----------

SHARD = "shard.json"  # in STATE: {"shard": [K, N], "names": every submission of the batch}


def shard_of(name, count):
    """The shard (1..count) a submission of this name belongs to, whatever the batch's order."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % count + 1


def write_shard(out_dir, shard, count, names):
    write_atomically(Path(out_dir) / STATE / SHARD, json.dumps({"shard": [shard, count], "names": sorted(names)}) + "\n")


class MergeError(ValueError):
    """Results folders that do not make one batch: a submission in two, or one that none holds."""


def merge(folders, out_dir):
    """Copy the results of several folders (shards of one batch) into `out_dir`, with their keys and
    times, and write its gradebook; refuse a submission graded in two folders, and say which ones
    the shards' batch holds that no folder does. Returns the results."""
    found, expected = {}, set()
    for folder in map(Path, folders):
        manifest = folder / STATE / SHARD
        if manifest.exists():
            expected.update(json.loads(manifest.read_text())["names"])
        for path in sorted(folder.glob("*.json")):
            if path.stem in found:
                raise MergeError(f"{path.stem} was graded in both {found[path.stem]} and {folder}")
            found[path.stem] = folder
    missing = sorted(expected - set(found))
    if missing:
        raise MergeError(f"{len(missing)} submissions of the batch are in no folder: {', '.join(missing[:10])}"
                         + (" ..." if len(missing) > 10 else ""))
    results = []
    for name, folder in sorted(found.items()):
        for path in (folder / f"{name}.json", folder / STATE / f"{name}.key", folder / STATE / f"{name}.seconds"):
            if path.exists():
                write_atomically(Path(out_dir) / path.relative_to(folder), path.read_text())
        result = json.loads((folder / f"{name}.json").read_text())
        results.append({"name": name, "max_score": sum(t["max_score"] for t in result["tests"]), **result})
    write_gradebook(out_dir, results)
    return results


def gradebook_csv(results, course_sessions=None):
    """One row a submission (sorted by name), one column a test group, then its core and stretch
    points, the total and the maximum it counts against (without stretch points where they are a
    bonus: see course.core_and_stretch)."""
    course_sessions = sessions() if course_sessions is None else course_sessions
    results = sorted(results, key=lambda r: r["name"])
    groups = list(group_scores(results[0])) if results else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", *groups, "core", "stretch", "total", "max_score", "problem"])
    for result in results:
        scores = group_scores(result)
        parts = core_and_stretch(scores, course_sessions)
        writer.writerow([_cell(result["name"]), *(f"{scores[g][0]:g}" for g in groups),
                         f"{parts['core'][0]:g}", f"{parts['stretch'][0]:g}", f"{result['score']:g}",
                         f"{parts['max_score']:g}", _cell(problem_of(result))])
    return buffer.getvalue()


def problem_of(result):
    """Why a submission could not be graded at all ("" if it was graded)."""
    return "" if result["output"].endswith("points") else result["output"]


def _cell(text):
    """Text a spreadsheet shows as text: a leading =, +, - or @ (a formula) is escaped with a quote."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
    # Per module where the names fit beside the modules' columns; else, as on an 80-column terminal
    # or in a log, the totals alone, the names whole.
    name_width = min(max(len(r["name"]) for r in results), 30)
    columns = [max(len(SHORT_HEADERS.get(module, module)), 6) + 3 for module in maxima]
    if name_width + 4 + sum(columns) + 9 + 19 > console.width:  # + the core and stretch columns
        maxima = {}
    # The title on a line of its own: as the table's title, a narrow table wraps it into its width.
    console.print("Gradebook (per function: gradebook.csv; feedback: <name>.json)", style="italic",
                  highlight=False, soft_wrap=True)
    table = Table()
    table.add_column("submission", overflow="fold", min_width=name_width)
    for module, (_, most) in maxima.items():  # the maximum in the header keeps cells narrow
        table.add_column(f"{SHORT_HEADERS.get(module, module)}\n/{most:g}", justify="right", min_width=6)
    course_sessions = sessions()
    parts = core_and_stretch(group_scores(results[0]), course_sessions)
    table.add_column(f"core\n/{parts['core'][1]:g}", justify="right", min_width=6)
    table.add_column(f"stretch\n/{parts['stretch'][1]:g}", justify="right", min_width=7)
    table.add_column(f"total\n/{parts['max_score']:g}", justify="right", style="bold", min_width=6)
    for result in results:
        scores, parts = module_scores(result), core_and_stretch(group_scores(result), course_sessions)
        table.add_row(result["name"], *(f"{scores[m][0]:g}" for m in maxima), f"{parts['core'][0]:g}",
                      f"{parts['stretch'][0]:g}", f"{result['score']:g}")
    console.print(table)
    for result in results:
        lost = [t for t in result["tests"] if t["score"] < t["max_score"]]
        problem = problem_of(result)
        if problem:
            console.print(f"[bold]{escape(result['name'])}[/]: not graded: {escape(problem)}", highlight=False)
        elif lost:
            console.print(f"[bold]{escape(result['name'])}[/]: {len(lost)} of {len(result['tests'])} tests lost "
                          f"points; first: {escape(first_cause(lost)['name'])}", highlight=False)


def first_cause(lost):
    """The lost test that explains the others: "inputs untouched" is credited only with a right
    result, so where another test of its function was lost too, that one comes first."""
    def derived(test):
        return ": inputs untouched" in test["name"] and any(
            other["extra_data"]["group"] == test["extra_data"]["group"] and ": inputs untouched" not in other["name"]
            for other in lost)
    return next((test for test in lost if not derived(test)), lost[0])


def _share(value):
    return f"{100 * value:.0f}%"


def print_item_summary(analysis, console=None, weakest=10, top=10):
    """A terminal summary of an analysis.item_analysis dict: scores overall and per session,
    the weakest questions, the commonest diagnosed mistakes, problem submissions, grading time."""
    console = console or Console()
    scores = analysis["scores"]
    console.print(f"[bold]{analysis['submissions']} submissions[/], {analysis['graded']} graded; "
                  f"total of {scores['max_score']:g}: mean {scores['mean']:.1f}, median {scores['median']:g} "
                  f"(quartiles {scores['q1']:g}-{scores['q3']:g}), min {scores['min']:g}, max {scores['max']:g}",
                  highlight=False)
    table = Table(title="Scores per session")
    for header in ("session", "max", "mean", "median", "mean %"):
        table.add_column(header, justify="left" if header == "session" else "right")
    for session in analysis["sessions"]:
        d = session["scores"]
        label = f"{session['number']}: {session['title']}" if session["number"] is not None else session["title"]
        table.add_row(escape(label), f"{d['max_score']:g}", f"{d['mean']:.1f}", f"{d['median']:g}",
                      _share(d["mean"] / d["max_score"]) if d["max_score"] else "")
    console.print(table)

    table = Table(title=f"The {weakest} weakest questions (shares of {analysis['graded']} graded submissions)")
    for header in ("question", "session", "mean", "full", "partial", "zero"):
        table.add_column(header, justify="left" if header == "question" else "right")
    for q in sorted(analysis["questions"], key=lambda q: (q["mean"], q["full"], q["group"]))[:weakest]:
        table.add_row(q["group"], str(q["session"] or ""), _share(q["mean"]), _share(q["full"]),
                      _share(q["partial"]), _share(q["zero"]))
    console.print(table)

    if analysis["mistakes"]:
        table = Table(title=f"Most common diagnosed mistakes ({len(analysis['mistakes'])} in all)")
        table.add_column("subs", justify="right")
        table.add_column("mistake", overflow="fold")
        table.add_column("what it is", overflow="fold")
        for mistake in analysis["mistakes"][:top]:
            table.add_row(str(mistake["count"]), escape(mistake["id"]), escape(mistake["title"]))
        console.print(table)
    else:
        console.print("no diagnosed mistakes (no test carries extra_data.diagnosis)")

    problems = analysis["problems"]
    console.print(f"[bold]{len(problems)} problems[/] (grading failed, or student code crashed or hung)"
                  + (":" if problems else ""), highlight=False)
    for problem in problems[:top]:
        console.print(f"  {problem['name']}: {problem['kind']} ({problem['scope']}, {problem['tests']} tests): "
                      f"{problem['detail']}", highlight=False, markup=False)
    if len(problems) > top:
        console.print(f"  ... and {len(problems) - top} more (see the HTML report)")

    timing = analysis["timing"]
    if timing["count"]:
        console.print(f"grading time of {timing['count']} submissions: min {timing['min']:.1f} s, median "
                      f"{timing['median']:.1f} s, max {timing['max']:.1f} s, total {timing['total'] / 60:.1f} min",
                      highlight=False)
    else:
        console.print("no grading times recorded")

    similarity = analysis.get("similarity")
    if similarity:
        console.print(f"[bold]most similar code[/] ({similarity['pairs']} pairs of {similarity['submissions']} "
                      f"submissions; see the HTML report):", highlight=False)
        for row in similarity["top"][:5]:
            console.print(f"  {_share(row['similarity'])}  {row['first']} · {row['second']}", highlight=False,
                          markup=False)


def isolation_note(isolation):
    """One line for the instructor: how student code was kept from the graders (see
    sandbox.isolation), the weakest of `isolation` if it is a list."""
    if not isinstance(isolation, str):
        isolation = next((level for level in ISOLATION_NOTES if level in isolation), "")
    note = ISOLATION_NOTES.get(isolation, "did not run")
    return f"rnnlab: {'WARNING: ' if isolation == 'none' else ''}isolation: {isolation or 'none'}: student code {note}"


ISOLATION_NOTES = {  # the weakest first
    "none": ("ran as the grader's own user: it could read the graders and the reference (see "
             "docs/threat-model.md)"),
    "own user": ("ran as users of its own without namespaces (no CAP_SYS_ADMIN here); the graders and "
                 "the reference were made root-only"),
    "full (user namespace)": ("ran in private namespaces of a user namespace (not root here), with a "
                              "whitelisted file system and no network"),
    "full": "ran as users of its own in private namespaces, with a whitelisted file system",
}
