"""The layers of ``sim/`` point one way: no import cycles, lazy imports included.

The import graph is built from the source with ``ast`` (no module is imported), so an import
inside a function counts as much as one at the top of a file: a lazy import only hides a cycle
from the interpreter, not from the reader. Imports under ``if TYPE_CHECKING:`` are left out:
they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sim"

#: Cycles in the engine that the lead engineer is rewriting (issue 10): the rule registry and
#: the rule modules import each other, and so do the model's modules. Each entry is the set of
#: modules of one strongly connected component. Empty this list when the rewrite lands; any
#: cycle not listed here fails the test, and so does a listed one that no longer exists.


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (its ``else`` branch runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The ``sim`` modules that ``path`` imports at run time (resolved, relative ones too).

    ``from pkg import name`` counts as an import of ``pkg.name`` when that is a module, and of
    ``pkg`` otherwise. The parent packages that Python initialises on the way are not edges
    (as in import-linter): a package whose ``__init__`` gathers its modules, and modules that
    import their siblings, is a facade, not a cycle.
    """
    name = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:
                sub = f"{prefix}.{alias.name}"
                targets.append(sub if sub in modules else prefix)
        for target in targets:
            if target != PACKAGE and not target.startswith(PACKAGE + "."):
                continue
            if target in modules and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    modules = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, modules) for f in files}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def a_cycle(graph: dict[str, set[str]], comp: list[str]) -> list[str]:
    """One concrete cycle inside a component, for the message: a -> b -> ... -> a."""
    members = set(comp)
    start = comp[0]
    # breadth-first from start's successors back to start, inside the component
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp


def describe(graph: dict[str, set[str]], comps: list[list[str]]) -> str:
    return "\n".join(f"  {' -> '.join(a_cycle(graph, c))}   (component: {', '.join(c)})" for c in comps)


def test_graph_sees_relative_lazy_and_package_imports() -> None:
    """The builder resolves what the cycle check depends on (so the check can fail)."""
    graph = import_graph()
    assert "sim.scenario.errors" in graph["sim.cli"]  # a relative import at the top
    assert "sim.runner" in graph["sim.cli"]  # a lazy import inside a command
    assert "sim.model.model" in graph["sim.runner"]  # 'from .model.model import ...'
    assert "sim.plots.style" in graph["sim.plots.map"]  # 'from . import style': a module
    assert "sim.report" in graph["sim.report.html"]  # 'from . import RunFolder': the package
    comps = strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert comps == [["a", "b", "c"]]
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_type_checking_imports_and_lazy_imports(tmp_path: Path) -> None:
    src = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import b\nelse:\n    pass\n"
           "def f():\n    from .c import x\n")
    pkg = tmp_path / "sim" / "p"
    pkg.mkdir(parents=True)
    (pkg / "a.py").write_text(src)
    global ROOT
    saved = ROOT
    ROOT = tmp_path
    try:
        found = imports_of(pkg / "a.py", {"sim.p", "sim.p.a", "sim.p.b", "sim.p.c"})
    finally:
        ROOT = saved
    assert found == {"sim.p.c"}


def test_no_import_cycles() -> None:
    graph = import_graph()
    comps = strongly_connected(graph)
    assert not comps, "import cycles in sim/ (lazy imports count):\n" + describe(graph, comps)


def test_packages_never_import_the_command_line() -> None:
    """``sim/cli.py`` composes the packages; a package that imports it points the wrong way.
    Only the entry points start it: ``python -m sim`` and ``sim/quick.py`` (``regime-sim``)."""
    graph = import_graph()
    offenders = sorted(m for m, deps in graph.items() if "sim.cli" in deps and m not in ("sim.__main__", "sim.quick"))
    assert not offenders, f"these modules import sim.cli: {offenders}"


def test_sweep_neither_draws_nor_takes_provenance_from_output() -> None:
    graph = import_graph()
    bad = sorted((m, d) for m, deps in graph.items() if m.startswith("sim.sweep")
                 for d in deps if d.startswith(("sim.plots", "sim.report", "sim.output")))
    assert not bad, f"the sweep package reaches up into drawing or run output: {bad}"
