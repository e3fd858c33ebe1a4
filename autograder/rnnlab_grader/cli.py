"""The `rnnlab` command: a thin shell over release, engine and report."""
import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from . import course
from .grading import engine, examples, mutants
from .isolation import sandbox
from .reports import gradebook
from .paths import DIST, STUDENT


def cmd_release(args):
    from .release import build  # nbformat's schema checker takes 1.4 s to import: only for this command
    console = Console(stderr=True)
    if args.function and not args.check:
        console.print("[red]--function proves part of the course: only with --check (a release proves it all)[/]")
        return 2
    started = time.perf_counter()
    try:
        built, timings = build.release(args.out, args.dist, force=args.force, check=args.check,
                                       functions=args.function and args.function.split(","))
    except build.ReleaseError as error:
        verdict = "NOT fit to release" if args.check else "release refused, nothing written"
        # Unwrapped and as written: what it says may be pasted (a plan's table, a file's line).
        console.print(f"[bold red]{verdict}[/]: {escape(str(error))}", highlight=False, soft_wrap=True)
        return 2 if isinstance(error, build.HoldsWork) else 1
    for who, (score, max_score) in built.proofs.items():
        console.print(f"  {who}: {score:g} / {max_score:g} on the hidden graders")
    console.print("  public tests pass on the reference; no solution or hidden text leaked; "
                  "the course's sources agree")
    worth = {}  # group -> its points
    for test in engine.catalogue():
        worth[test["group"]] = worth.get(test["group"], 0) + test["points"]
    for session in course.sessions():  # what to set a Gradescope assignment's points to
        parts = course.core_and_stretch({g: (worth[g], worth[g]) for g in session["groups"]}, [session])
        console.print(f"  {session['notebook']}: core {parts['core'][1]:g} points, stretch {parts['stretch'][1]:g} "
                      f"({session['stretch_counts']})", highlight=False)
    if args.check:
        console.print("checked: fit to release (nothing written)")
    else:
        console.print(f"wrote {len(built.files)} files to {built.out}, {len(built.zips)} otter autograder zips to {args.dist}")
    console.print(f"release {'checked' if args.check else 'built'} in {time.perf_counter() - started:.1f} s:")
    for step, seconds in timings.items():
        console.print(f"  {seconds:5.1f} s  {step}")
    return 0


def cmd_scaffold(args):
    from .release import scaffold  # nbformat: only for this command
    console = Console(stderr=True)
    try:
        written = scaffold.scaffold(args.function, args.session, args.question,
                                    scaffold.parse_arrays(args.args), scaffold.parse_arrays(args.returns))
    except scaffold.ScaffoldError as error:
        console.print(f"[red]nothing written[/]: {error}", highlight=False)
        return 2
    for path in written:
        console.print(f"  wrote {path}", highlight=False)
    console.print(f"next: write each {scaffold.PLACEHOLDER} (`grep -rn '{scaffold.PLACEHOLDER}' solutions assignments "
                  f"autograder`), then `rnnlab release --check --function {args.function}` (docs/instructors.md)",
                  highlight=False)
    return 0


def cmd_grade(args):
    console = Console(stderr=True)
    if args.unsandboxed:
        os.environ[sandbox.UNSANDBOXED] = "1"  # the graders' processes inherit it
    elif os.geteuid() != 0 and not sandbox.user_namespaces():
        console.print(sandbox.REFUSAL, style="red", markup=False, highlight=False)
        return 2
    names = [engine.submission_name(p) for p in args.submissions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        console.print(f"[red]two submissions share a name: {', '.join(duplicates)}[/]")
        return 2
    if args.shard:  # this machine's share of the batch; `rnnlab gradebook` merges the shards' folders
        shard, count = args.shard
        gradebook.write_shard(args.out, shard, count, names)
        mine = [(name, path) for name, path in zip(names, args.submissions) if gradebook.shard_of(name, count) == shard]
        names, args.submissions = [n for n, _ in mine], [p for _, p in mine]
        console.print(f"shard {shard}/{count}: {len(names)} of the batch's submissions")
    started = time.perf_counter()
    # The course's functions but the given ones, which come finished (course.KINDS); the key says which.
    scored = set(course.graded_groups(course.sessions()))
    which = hashlib.sha256(" ".join(sorted(scored)).encode()).hexdigest()[:8]
    keys = {name: f"{engine.grading_key(path)}-{which}" for name, path in zip(names, args.submissions)}
    # Resuming: a submission whose result was written for the same content and graders is kept.
    results = {name: gradebook.finished_result(args.out, name, keys[name]) for name in names}
    todo = [path for name, path in zip(names, args.submissions) if results[name] is None]
    if len(todo) < len(names):
        console.print(f"kept {len(names) - len(todo)} results already in {args.out}/ (same submissions, same graders)")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("grading", total=len(todo))

        def done(result):
            gradebook.write_result(args.out, result, keys[result["name"]])
            progress.advance(task)
            if not console.is_terminal:
                console.print(f"graded {result['name']}: {result['score']:g}/{result['max_score']:g}")

        graded = engine.grade_batch(todo, jobs=args.jobs, on_result=done, groups=dict.fromkeys(todo, scored))
    results.update((result["name"], result) for result in graded)
    gradebook.write_gradebook(args.out, results.values())
    gradebook.print_gradebook(list(results.values()), Console())
    console.print(f"graded {len(todo)} submissions in {time.perf_counter() - started:.1f} s "
                  f"(-j {args.jobs}); results in {args.out}/")
    if graded:  # how student code was kept apart, and bounded (see docs/threat-model.md)
        note = gradebook.isolation_note([r["isolation"] for r in graded])
        console.print(note, style="bold red" if "WARNING" in note else None, markup=False)
        peak = max(graded, key=lambda r: r["peak_memory_mib"] or 0)
        console.print(f"each submission's workers: {graded[0]['control_group']}"
                      + (f"; most memory held at once: {peak['peak_memory_mib']} MiB ({peak['name']})"
                         if peak["peak_memory_mib"] else ""), markup=False)
    return 0


def cmd_gradebook(args):
    console = Console(stderr=True)
    try:
        results = gradebook.merge(args.folders, args.out)
    except gradebook.MergeError as error:
        console.print(f"gradebook NOT written: {error}", style="red", markup=False, highlight=False)
        return 2
    gradebook.print_gradebook(results, Console())
    console.print(f"merged {len(results)} results from {len(args.folders)} folders into {args.out}/ "
                  f"(`rnnlab report {args.out}` for the report)")
    return 0


def shard(text):
    """"K/N" -> (K, N), 1 <= K <= N."""
    shard, _, count = text.partition("/")
    if not (shard.isdigit() and count.isdigit() and 1 <= int(shard) <= int(count)):
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N with 1 <= K <= N")
    return int(shard), int(count)


def cmd_examples(args):
    for path in examples.write_examples(args.out):
        print(path)
    return 0


def cmd_mutants(args):
    console = Console()
    corpus = [m for m in examples.mutants() if not args.only or m["name"] in args.only]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rnnlab-mutants-") as work, \
            Progress(console=console, transient=True) as progress:
        task = progress.add_task("grading mutants", total=len(corpus))
        rows, groups = mutants.kill_matrix(work, corpus, jobs=args.jobs, on_result=lambda _: progress.advance(task),
                                           affected_only=args.affected_only)
    for line in mutants.matrix_lines(rows, groups):
        print(line)  # plain text: a terminal's width must not wrap the matrix
    console.print(f"{mutants.summary(rows)}; graded in {time.perf_counter() - started:.0f} s (-j {args.jobs})")
    return 0 if all(r.exact and (r.named or not r.known) for r in rows) else 1


def cmd_report(args):
    from .reports import analysis, html_report  # matplotlib: only for this command

    console = Console(stderr=True)
    started = time.perf_counter()
    if args.synthetic is not None:
        try:
            analysis.write_synthetic(args.dir, args.synthetic, args.seed)
        except ValueError as error:
            console.print(str(error), style="red", markup=False)
            return 2
        console.print(f"wrote {args.synthetic} SYNTHETIC results (seed {args.seed}, composed from the mutant "
                      f"corpus, not graded) to {args.dir}/")
    results = analysis.load_results(args.dir)
    if not results:
        console.print(f"no results (<name>.json) in {args.dir}/: run `rnnlab grade --out {args.dir}` first",
                      style="red", markup=False)
        return 2
    item_analysis = analysis.item_analysis(results)
    if args.submissions:  # who wrote code alike: read from the submissions, as grading takes them in
        from .reports import similarity
        with tempfile.TemporaryDirectory(prefix="rnnlab-similarity-") as scratch:
            packages, refused = similarity.staged_packages(args.submissions, scratch)
            item_analysis["similarity"] = similarity.summary(similarity.pairs(packages, args.stubs), packages)
        for name, why in refused.items():
            console.print(f"similarity: {name} left out: {why}", style="yellow", markup=False)
    page = args.html or args.dir / "report.html"
    gradebook.write_atomically(page, html_report.render(item_analysis))
    gradebook.print_item_summary(item_analysis, Console())
    console.print(f"report of {len(results)} submissions written to {page} in {time.perf_counter() - started:.1f} s")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="rnnlab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="build student/ from solutions/ and assignments/, and prove it")
    p.add_argument("--out", type=Path, default=STUDENT, help="where to write the release (default: student/)")
    p.add_argument("--dist", type=Path, default=DIST, help="where to write otter autograder zips (default: autograder/dist/)")
    p.add_argument("--force", action="store_true", help="overwrite a release folder that holds someone's work")
    p.add_argument("--check", action="store_true", help="run every check and proof, write nothing")
    p.add_argument("--function", metavar="MODULE.NAME[,...]",
                   help="with --check: prove only these functions (the instructor's loop while editing one)")
    p.set_defaults(run=cmd_release)

    p = commands.add_parser("scaffold", help="add a new graded function to every source that names it")
    p.add_argument("function", metavar="MODULE.NAME", help="the new function, e.g. layers.relu")
    p.add_argument("--session", type=int, required=True, help="the session (master notebook) whose question it is")
    p.add_argument("--question", required=True, help="the question's name in that notebook")
    p.add_argument("--args", required=True, metavar="'NAME:AXES ...'", help="its array arguments, e.g. 'x:NH'")
    p.add_argument("--returns", required=True, metavar="'NAME:AXES ...'", help="what it returns, e.g. 'out:NH'")
    p.set_defaults(run=cmd_scaffold)

    p = commands.add_parser("grade", help="grade submissions with the hidden graders")
    p.add_argument("submissions", nargs="+", type=Path, help="folders holding rnnlab/, or zips of them")
    p.add_argument("--out", type=Path, required=True, help="folder for <name>.json and gradebook.csv")
    p.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once")
    p.add_argument("--shard", type=shard, metavar="K/N",
                   help="grade only the K-th of N shares of the submissions (the same share whatever their order)")
    p.add_argument("--unsandboxed", action="store_true",
                   help="where neither root nor user namespaces can keep student code apart, run it as your "
                        "own user anyway (it can then read what you can, and use the network)")
    p.set_defaults(run=cmd_grade)

    p = commands.add_parser("gradebook", help="merge the results folders of a batch's shards into one")
    p.add_argument("folders", nargs="+", type=Path, help="folders that `rnnlab grade --shard` wrote")
    p.add_argument("--out", type=Path, required=True, help="folder for the merged results and gradebook.csv")
    p.set_defaults(run=cmd_gradebook)

    p = commands.add_parser("examples", help="write the example submissions (reference, stubs, wrong ones)")
    p.add_argument("out", type=Path)
    p.set_defaults(run=cmd_examples)

    p = commands.add_parser("mutants", help="grade the mutant corpus and print the kill matrix")
    p.add_argument("--only", nargs="+", metavar="NAME", help="grade only these mutants")
    p.add_argument("-j", "--jobs", type=int, default=2, help="mutants graded at once")
    p.add_argument("--affected-only", action="store_true",
                   help="grade each mutant only on the tests its change can reach (faster)")
    p.set_defaults(run=cmd_mutants)

    p = commands.add_parser("report", help="item analysis of a graded folder: a terminal summary and an HTML page")
    p.add_argument("dir", type=Path, help="the folder `rnnlab grade --out` wrote")
    p.add_argument("--html", type=Path, help="where to write the page (default: DIR/report.html)")
    p.add_argument("--submissions", nargs="+", type=Path, metavar="SUBMISSION",
                   help="also rank pairs of these submissions (as given to rnnlab grade) by similar code")
    p.add_argument("--stubs", type=Path, default=STUDENT / "rnnlab",
                   help="the stubs handed out, whose code is left out of the similarity (default: student/rnnlab)")
    p.add_argument("--synthetic", type=int, metavar="N",
                   help="first write N synthetic results into DIR (made from the mutant corpus, not graded)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic results (default: 0)")
    p.set_defaults(run=cmd_report)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
