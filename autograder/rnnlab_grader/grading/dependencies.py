"""Which graded functions a change can reach: the reference's call graph, read from its source.

A top-level name (function, class or module-level table) uses the names it mentions: those of
its own module, those imported with `from .module import name`, attributes of modules imported
with `from . import module`, and module-level tables through what they hold (bidirectional.CELLS
holds rnn.rnn_forward ...). Imports inside functions are left out: the one there is
(keras_models.sample_text, given code) is never called by the graders.

A change to a name can only change the results of the names that use it, directly or not: the
mutant corpus and the alternative solutions are graded on those (and nothing else runs student
code that differs from the reference).
"""
import ast
import functools
from pathlib import Path

from ..paths import SOLUTIONS

PACKAGE = SOLUTIONS / "rnnlab"


def _owners(node):
    """The top-level names a statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)]
    return []


def _module_uses(module, tree):
    """qualname -> qualnames it uses, for the top-level names of one module."""
    imported, imported_modules = {}, {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module:
                    imported[local] = f"{node.module}.{alias.name}"
                else:
                    imported_modules[local] = alias.name
    defined = {name for node in tree.body for name in _owners(node)}
    uses = {}
    for node in tree.body:
        used = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in defined:
                used.add(f"{module}.{sub.id}")
            elif isinstance(sub, ast.Name) and sub.id in imported:
                used.add(imported[sub.id])
            elif (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
                  and sub.value.id in imported_modules):
                used.add(f"{imported_modules[sub.value.id]}.{sub.attr}")
        for owner in _owners(node):
            uses[f"{module}.{owner}"] = used - {f"{module}.{owner}"}
    return uses


@functools.lru_cache(maxsize=4)
def call_graph(package=PACKAGE):
    """qualname -> the qualnames it uses, over every module of the package."""
    graph = {}
    for path in sorted(Path(package).glob("*.py")):
        graph.update(_module_uses(path.stem, ast.parse(path.read_text())))
    return graph


def _users(graph, names):
    """These names and every node of graph (node -> what it uses) that uses one, directly or not."""
    reached, frontier = set(names), list(names)
    while frontier:
        changed = frontier.pop()
        for name, uses in graph.items():
            if changed in uses and name not in reached:
                reached.add(name)
                frontier.append(name)
    return reached


def dependents(qualnames, package=PACKAGE):
    """These names and every name that uses one of them, directly or not."""
    return _users(call_graph(package), qualnames)


def reached_from(qualname, passing_over=frozenset(), package=PACKAGE):
    """`qualname` and every name it uses, directly or not, other than through `passing_over`."""
    graph = call_graph(package)
    reached, frontier = {qualname}, [qualname]
    while frontier:
        for used in graph.get(frontier.pop(), ()):
            if used not in reached and used not in passing_over:
                reached.add(used)
                frontier.append(used)
    return reached


def module_names(module, package=PACKAGE):
    """Every top-level name of a module, as qualnames."""
    return {name for name in call_graph(package) if name.split(".")[0] == module}


@functools.lru_cache(maxsize=None)
def _parsed(path):
    """A module's source and its top-level statements, read once per process (the diagnoser asks
    for the names of every known mistake, and parsing a module each time cost 0.4 s a grading)."""
    source = Path(path).read_text()
    return source, ast.parse(source).body


def patched_names(mutant, package=PACKAGE):
    """The top-level names whose source a find/replace patch touches (all of the module's when
    it touches a line outside them, an import say)."""
    source, body = _parsed(str(Path(package) / mutant["file"]))
    start = source.index(mutant["find"])
    first = source.count("\n", 0, start) + 1
    last = first + mutant["find"].rstrip("\n").count("\n")
    module = mutant["file"].removesuffix(".py")
    touched, covered = set(), set()
    for node in body:
        if _owners(node) and node.lineno <= last and node.end_lineno >= first:
            touched |= {f"{module}.{name}" for name in _owners(node)}
            covered |= set(range(max(node.lineno, first), min(node.end_lineno, last) + 1))
    lines = source.splitlines()
    code = [n for n in range(first, last + 1) if lines[n - 1].strip() and not lines[n - 1].strip().startswith("#")]
    outside = [n for n in code if n not in covered]
    return module_names(module, package) if outside or not touched else touched


@functools.lru_cache(maxsize=1)
def graded_functions():
    """test group -> the student functions its tests call: the graded function, and the forward
    whose cache a backward is given (from the graders' tables)."""
    import sys

    from . import engine
    from ..paths import GRADERS

    sys.path.insert(0, str(GRADERS))
    import tables  # the graders' declared cases

    calls = {t["group"]: {t["group"]} for t in engine.catalogue()}
    for case in tables.VALUES + tables.GRADIENTS + tables.UNTOUCHED:
        if case.forward:
            calls[case.function].add(case.forward)
    return calls


def affected_groups(changed, package=PACKAGE):
    """The test groups whose results a change to these top-level names can alter."""
    reached = dependents(changed, package)
    return {group for group, functions in graded_functions().items() if functions & reached}


def importers(module, package=PACKAGE):
    """`module` and every module that imports it at module level, directly or not: the modules
    that cannot load when it cannot."""
    imports = {}
    for path in Path(package).glob("*.py"):
        imports[path.stem] = {node.module or alias.name for node in ast.parse(path.read_text()).body
                              if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    return _users(imports, {module})
