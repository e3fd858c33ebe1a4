"""`rnnlab scaffold`: a new graded function in every file that names it, ready for its maths.

    rnnlab scaffold layers.relu --session 1 --question relu --args x:NH --returns out:NH

writes, each where the course keeps it (docs/instructors.md walks through them):

    rnnlab_grader/contract.py        its signature, with the axes of each array it returns
    solutions/rnnlab/layers.py       the reference: a docstring to fill, a solution region to write
    solutions/tests/session1/        a public test, to fill with a case worked out by hand
    solutions/tests/conftest.py      MUST_NOT_MODIFY: the public tests check it leaves its inputs alone
    solutions/tests/returns.py       RETURNS: the public tests say a wrong structure in its docstring's words
    autograder/graders/tables.py     hidden cases: values in float64 and float32, inputs untouched
    autograder/mutants/layers.toml   a mistake to fill in, which proves the graders catch it
    assignments/<session 1>.ipynb    the question: its config entries (questions, plan) and its cells

Every placeholder it leaves (PLACEHOLDER) makes `rnnlab release --check` refuse, naming the file and
line, until it is filled. Array arguments only (`name:AXES`, one letter a dimension); a function of
integers, dicts or recurrent cells needs a builder of its own in tables.py (see the guide).
"""
import re
from pathlib import Path

import nbformat
import yaml

from .. import course
from ..paths import ASSIGNMENTS, GRADERS, MUTANTS, PACKAGE, SOLUTIONS

PLACEHOLDER = "TODO(scaffold)"  # what is left to write; the release refuses while one is left
SIZES = [2, 3, 4, 5, 6, 7, 8]  # one size per axis, all different: a transposed result cannot pass


class ScaffoldError(Exception):
    """The function cannot be scaffolded as asked; the message says why."""


def parse_arrays(spec):
    """"x:NH W:HV" -> [("x", "NH"), ("W", "HV")]"""
    arrays = []
    for item in spec.split():
        name, _, axes = item.partition(":")
        if not name.isidentifier() or not re.fullmatch(r"[A-Z]+", axes):
            raise ScaffoldError(f"{item!r}: write each array as name:AXES, e.g. x:NH (one capital letter an axis)")
        arrays.append((name, axes))
    return arrays


def scaffold(qualname, session, question, args, returns, solutions=SOLUTIONS, assignments=ASSIGNMENTS,
             graders=GRADERS, mutants=MUTANTS, contract=PACKAGE / "contract.py"):
    """Write the new function into every source (see the module's docstring); return the paths written."""
    module, name = _split(qualname)
    notebook = _notebook_of(session, assignments)
    if re.search(rf"^    \"{re.escape(qualname)}\":", Path(contract).read_text(), re.M):
        raise ScaffoldError(f"{qualname} is in the contract already (rnnlab_grader/contract.py)")
    axes = list(dict.fromkeys(a for _, spec in args + returns for a in spec))  # in order of appearance
    dims = " ".join(f"{axis}={size}" for axis, size in zip(axes, SIZES))
    if len(axes) > len(SIZES):
        raise ScaffoldError(f"{len(axes)} axes: at most {len(SIZES)}")
    written = [
        _add_signature(Path(contract), qualname, args, returns),
        _add_reference(Path(solutions) / "rnnlab" / f"{module}.py", name, qualname, args, returns),
        _add_public_test(Path(solutions) / "tests" / f"session{session}" / f"test_{module}.py", module, name,
                         qualname, args, dims),
        _add_to_set(Path(solutions) / "tests" / "conftest.py", "MUST_NOT_MODIFY", qualname),
        _insert_before_closing(Path(solutions) / "tests" / "returns.py", "RETURNS = {",
                               f'    "{qualname}": "{" ".join(f"{n}:{a}" for n, a in returns)}",\n'),
        _add_hidden_cases(Path(graders) / "tables.py", qualname, args, dims),
        _add_mutant(Path(mutants) / f"{module}.toml", module, name, qualname),
        _add_question(notebook, question, qualname, module, name),
    ]
    return written


def _split(qualname):
    module, _, name = qualname.partition(".")
    if not (module.isidentifier() and name.isidentifier()):
        raise ScaffoldError(f"{qualname!r}: name the function as module.function, e.g. layers.relu")
    return module, name


def _notebook_of(session, assignments):
    for found in course.sessions(assignments):
        if found["number"] == session:
            return Path(assignments) / f"{found['notebook']}.ipynb"
    raise ScaffoldError(f"no master notebook in {assignments} is Session {session} (its '# Session {session}: ...' heading)")


def _insert_before_closing(path, opening, line):
    """Insert `line` just before the line that closes the top-level `opening` (`]` or `}` alone)."""
    lines = path.read_text().splitlines(keepends=True)
    start = next((i for i, text in enumerate(lines) if text.startswith(opening)), None)
    if start is None:
        raise ScaffoldError(f"{path}: no line starts with {opening!r}")
    closing = opening.rstrip()[-1].translate(str.maketrans("[{", "]}"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].rstrip() == closing)
    lines.insert(end, line)
    path.write_text("".join(lines))
    return path


def _add_signature(contract, qualname, args, returns):
    axes = "".join(f", {name}=\"{spec}\"" for name, spec in returns)
    entry = (f'    "{qualname}": _sig("{" ".join(n for n, _ in args)}", "{" ".join(n for n, _ in returns)}"'
             f'{axes}),\n')
    return _insert_before_closing(contract, "SIGNATURES = {", entry)


def _shape(spec):
    return "(" + ", ".join(spec) + ("," if len(spec) == 1 else "") + ")"


def _add_reference(path, name, qualname, args, returns):
    if not path.exists():
        path.write_text(f'"""rnnlab/{path.name}: TODO say what this module holds."""\nimport numpy as np\n')
    described = "".join(f"        {n}: {_shape(s)} array. TODO(scaffold): what it holds.\n" for n, s in args)
    answers = "".join(f"        {n}: {_shape(s)} array. TODO(scaffold): what it holds.\n" for n, s in returns)
    path.write_text(path.read_text().rstrip("\n") + f'''


def {name}({", ".join(n for n, _ in args)}):
    """TODO(scaffold): one line saying what {name} computes.

    TODO(scaffold): the maths, in the notebook's notation.

    Args:
{described}
    Returns:
{answers}    """
    # BEGIN SOLUTION
    raise NotImplementedError("TODO(scaffold): the reference of {qualname}, written here")
    # END SOLUTION
''')
    return path


def _add_public_test(path, module, name, qualname, args, dims):
    if not path.exists():
        path.write_text(f'"""Public tests for rnnlab/{module}.py: small cases whose answers you can check by hand."""\n'
                        f"import numpy as np\nimport pytest\n\nfrom rnnlab import {module}\n")
    sizes = dict(pair.split("=") for pair in dims.split())
    inputs = "".join(f"    {n} = np.arange({' * '.join(sizes[a] for a in s)}, dtype=float).reshape("
                     f"{', '.join(sizes[a] for a in s)}{',' if len(s) == 1 else ''}) - 2.5  # TODO(scaffold): a case to work out by hand\n"
                     for n, s in args)
    path.write_text(path.read_text().rstrip("\n") + f'''


@pytest.mark.function("{qualname}")
def test_{name}_by_hand():
{inputs}    expected = None  # TODO(scaffold): the answer, worked out by hand (every size different: {dims})
    np.testing.assert_allclose({module}.{name}({", ".join(n for n, _ in args)}), expected)
''')
    return path


def _add_to_set(path, name, qualname):
    lines = path.read_text().splitlines(keepends=True)
    start = next((i for i, text in enumerate(lines) if text.startswith(f"{name} = {{")), None)
    if start is None:
        raise ScaffoldError(f"{path}: no `{name} = {{` line")
    lines.insert(start + 1, f'    "{qualname}",\n')
    path.write_text("".join(lines))
    return path


def _add_hidden_cases(tables, qualname, args, dims):
    build = "lambda g: (" + " ".join(f'g.randn("{spec}"),' for _, spec in args) + ")"
    for table, dtypes in (("VALUES", ("float64", "float32")), ("UNTOUCHED", ("float64",))):
        for dtype in dtypes:
            _insert_before_closing(tables, f"{table} = [",
                                   f'    Case("{qualname}", {build}, dims("{dims}"), "{dtype}"),\n')
    return tables


def _add_mutant(path, module, name, qualname):
    if not path.exists():
        path.write_text(f"# Mutants of rnnlab/{module}.py (see autograder/mutants/README.md).\n")
    path.write_text(path.read_text().rstrip("\n") + f'''

[[mutant]]
name = "{name}_mistake"
loses = ["{qualname}"]
description = "TODO(scaffold): a mistake students make in {name}"
feedback = "TODO(scaffold): what the student is told when their {name} gives what this mistake gives."
find = "TODO(scaffold): a line of the reference's {name}"
replace = "TODO(scaffold): that line, with the mistake"
''')
    return path


def _add_question(notebook_path, question, qualname, module, name):
    notebook = nbformat.read(notebook_path, as_version=4)
    header, config_text = notebook.cells[0].source.split("\n", 1)
    config = yaml.safe_load(config_text)
    questions = course.questions_of(config)
    if question in questions:
        raise ScaffoldError(f"{notebook_path.name} has a question {question} already")
    questions[question] = [qualname]
    course.settings_of(config).setdefault("plan", {})[question] = ["core", PLACEHOLDER]
    notebook.cells[0].source = header + "\n" + yaml.safe_dump(config, sort_keys=False).rstrip("\n")
    last_end = max(i for i, cell in enumerate(notebook.cells)
                   if cell.cell_type == "raw" and cell.source.startswith("# END QUESTION"))
    notebook.cells[last_end + 1:last_end + 1] = [
        nbformat.v4.new_markdown_cell(f"### Question: {question}\n\nWrite `{name}` in `rnnlab/{module}.py`: its "
                                      f"docstring gives the maths and every shape. TODO(scaffold): why it matters here."),
        nbformat.v4.new_raw_cell(f"# BEGIN QUESTION\nname: {question}"),
        nbformat.v4.new_code_cell(f"# Try {name} on a small input of your own.\nfrom rnnlab import {module}"),
        nbformat.v4.new_raw_cell("# END QUESTION"),
    ]
    nbformat.write(notebook, notebook_path)
    return notebook_path
