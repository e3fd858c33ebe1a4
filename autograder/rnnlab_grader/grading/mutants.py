"""The kill matrix: each mutant of the corpus graded by the hidden graders, and where it lost.

A mutant is killed when it loses points in at least one test group. It is charged exactly when
it loses points in the groups it declares (`loses`) and in no others. A mutant with `feedback`
is a mistake the diagnoser knows: it is named when some lost test names it and none names
another mistake alone. Plain data in, plain
data out; `print_matrix` is the only part that draws.
"""
from dataclasses import dataclass

from . import dependencies, engine, examples
from .engine import group_scores



@dataclass
class Row:
    mutant: str
    lost: set  # groups that lost points
    expected: set  # groups the corpus says it loses
    known: bool = False  # the diagnoser claims to know it (it has feedback)
    diagnoses: tuple = ()  # per diagnosed test, the mistakes that test names

    @property
    def killed(self):
        return bool(self.lost)

    @property
    def exact(self):
        return self.lost == self.expected

    @property
    def named(self):
        """Named by the diagnoser, and never mistaken for another mistake."""
        return bool(self.diagnoses) and all(self.mutant in ids for ids in self.diagnoses)


def lost_groups(result):
    """The test groups in which a result lost points."""
    return {group for group, (score, most) in group_scores(result).items() if score < most}


def diagnoses(result):
    """For each test of a result with a diagnosis, the set of mistakes it names."""
    return tuple({d["id"], *d["also"]} for t in result["tests"] if (d := t["extra_data"].get("diagnosis")))


def row_of(mutant, result):
    return Row(mutant["name"], lost_groups(result), set(mutant["loses"]), bool(mutant.get("feedback")),
               diagnoses(result))


def affected_groups(mutant):
    """The test groups whose results a mutant can change (see dependencies.py)."""
    return dependencies.affected_groups(dependencies.patched_names(mutant))


def kill_matrix(work_dir, corpus=None, jobs=2, on_result=None, affected_only=False):
    """Grade every mutant (written under WORK_DIR) and return (rows, groups) in corpus order.

    With `affected_only`, a mutant is graded only on affected_groups(mutant): the other tests
    run only code the mutant leaves as the reference has it, so they cannot lose points.
    """
    corpus = examples.mutants() if corpus is None else corpus
    paths = [examples.write_mutant(work_dir, mutant) for mutant in corpus]
    groups = {path: affected_groups(m) for path, m in zip(paths, corpus)} if affected_only else None
    results = {r["name"]: r for r in engine.grade_batch(paths, jobs=jobs, on_result=on_result, groups=groups)}
    rows = [row_of(m, results[m["name"]]) for m in corpus]
    groups = [t["group"] for t in engine.catalogue()]
    return rows, list(dict.fromkeys(groups))


def matrix_lines(rows, groups):
    """Mutant x test group as text, one character a cell: x lost as declared, ! lost but not
    declared, - declared but kept, . kept. Columns are numbered; a legend names them."""
    columns = [g for g in groups if any(g in r.lost | r.expected for r in rows)]
    width = max(len(r.mutant) for r in rows) + 1
    numbers = [f"{n:>2}" for n in range(1, len(columns) + 1)]
    lines = [" " * width + "".join(n[0] for n in numbers), " " * width + "".join(n[1] for n in numbers)]
    for row in rows:
        cells = "".join({(True, True): "x", (True, False): "!", (False, True): "-"}.get(
            (g in row.lost, g in row.expected), ".") for g in columns)
        verdict = "ok" if row.exact else ("SURVIVED" if not row.killed else "charged wrongly")
        verdict += "" if not row.known else (", named" if row.named else ", NOT NAMED")
        lines.append(f"{row.mutant:<{width}}{cells}  {verdict}")
    lines += [f"{n:>3} {g}" for n, g in enumerate(columns, 1)]
    return lines


def summary(rows):
    killed = sum(r.killed for r in rows)
    exact = sum(r.exact for r in rows)
    known = [r for r in rows if r.known]
    named = sum(r.named for r in known)
    return (f"{killed}/{len(rows)} mutants killed ({100 * killed / max(len(rows), 1):.1f}%), "
            f"{exact}/{len(rows)} charged exactly where declared, "
            f"{named}/{len(known)} known mistakes named by the diagnoser "
            f"({100 * named / max(len(rows), 1):.1f}% of the corpus)")
