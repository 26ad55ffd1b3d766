"""The shape of the code (README, "Architecture"): who may import whom, no import cycles, no
module over 800 lines, one public surface per package.

The imports are read from the source (every ``import`` statement, also those inside
functions; not those under ``if TYPE_CHECKING:``, which never run), so nothing is executed
and a cycle hidden in a function-level import counts too.

Today's offenders are in the allowlists below, each with the issue that clears it. An entry
that is no longer needed fails the test as well, so the lists only shrink: remove the entry
when its offence is gone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.paths import ROOT

#: the source folders and the import names they have
PACKAGES = {"xlpmo": ROOT / "xlpmo", "xlpmo_udfs": ROOT / "udfs"}
MAX_LINES = 800

#: modules over MAX_LINES lines today (owners split them; remove the entry when done)
TOO_LONG: set[str] = set()

#: forbidden imports that exist today: (importer, imported) -> who clears it
ALLOWED_TODAY: dict[tuple[str, str], str] = {}

#: third-party packages the core must not use: files, zips, XML, Excel (it computes on Inputs)
NOT_IN_CORE = {"lxml", "zipfile", "python_calamine", "xlwings", "xlsxwriter", "openpyxl",
               "pythoncom", "win32com", "io", "os", "pathlib", "shutil", "tempfile"}

#: the io modules above the OOXML layer: ooxml may use io.limits (and A1 helpers), not these
IO_ABOVE_OOXML = {"reader", "coerce", "validate", "writer", "safesave", "importer"}


@dataclass(frozen=True)
class Module:
    name: str  # import name, e.g. xlpmo.core.evm
    path: Path
    is_package: bool


def _modules() -> dict[str, Module]:
    out = {}
    for top, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [top, *path.relative_to(folder).with_suffix("").parts]
            package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if package else parts)
            out[name] = Module(name, path, package)
    return out


MODULES = _modules()


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imports_of(module: Module, modules: dict[str, Module] = MODULES) -> set[str]:
    """Every module ``module`` imports: project modules by their full name (``from a import b``
    names the module ``a.b`` when there is one, else ``a``), other packages by their top name.
    """
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    here = module.name if module.is_package else module.name.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.add(alias.name if alias.name in modules else alias.name.split(".")[0])
            continue
        if node.level:  # relative: from . import x / from .a import b
            base = here.split(".")
            base = base[: len(base) - node.level + 1]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        if source not in modules:
            out.add(source.split(".")[0])
            continue
        for alias in node.names:
            sub = f"{source}.{alias.name}"
            out.add(sub if sub in modules else source)
    return out - {module.name}


GRAPH = {name: imports_of(m) for name, m in MODULES.items()}


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _violations() -> dict[tuple[str, str], str]:
    """(importer, imported) -> the rule it breaks."""
    found = {}
    for name, targets in GRAPH.items():
        for target in targets:
            rule = _rule_broken(name, target)
            if rule:
                found[(name, target)] = rule
    return found


def _rule_broken(name: str, target: str) -> str | None:
    project = target in MODULES
    if _in(name, "xlpmo.contract") and project and not (
            _in(target, "xlpmo.contract") or target in ("xlpmo", "xlpmo.errors")):
        return "contract imports nothing of xlpmo but xlpmo.errors"
    if _in(name, "xlpmo.core"):
        if project and not (_in(target, "xlpmo.core") or _in(target, "xlpmo.contract")
                            or target in ("xlpmo", "xlpmo.errors")):
            return "core imports only xlpmo.contract and xlpmo.errors"
        if not project and target in NOT_IN_CORE:
            return f"core computes on Inputs: no {target}"
    if _in(name, "xlpmo.io") and _in(target, "xlpmo.core"):
        return "io never imports core (app.pipeline joins them)"
    if _in(name, "xlpmo.io.ooxml") and target in {f"xlpmo.io.{m}" for m in IO_ABOVE_OOXML}:
        return "io.ooxml never imports the io modules above it (reader, writer, ...)"
    if _in(name, "xlpmo") and (target == "xlwings" or (
            _in(target, "xlpmo_udfs") and name != "xlpmo.cli")):
        return "the library never imports xlwings (only the CLI calls into xlpmo_udfs)"
    if _in(name, "xlpmo.excel") and project and not (
            _in(target, "xlpmo.excel") or _in(target, "xlpmo.contract")
            or target in ("xlpmo", "xlpmo.errors")):
        return "excel (argument normalisation) imports only xlpmo.contract and xlpmo.errors"
    return None


def test_the_import_reader_sees_every_kind_of_import() -> None:
    # the rules below are only as good as this reader: check it on the forms the code uses
    assert "xlpmo.core.xvalue" in GRAPH["xlpmo.core.evm"]  # from a.b import name
    assert "xlpmo.core.evm" in GRAPH["xlpmo.functions"]  # inside a function
    assert "xlpmo.excel.args" in GRAPH["xlpmo.functions"]  # from package import module
    assert "xlpmo_udfs.functions" in GRAPH["xlpmo_udfs.lite"]  # relative import
    assert "lxml" in GRAPH["xlpmo.io.ooxml.package"]  # third party
    assert "xlpmo.template.builder" not in GRAPH["xlpmo.template.dashboard"]  # TYPE_CHECKING


def test_no_import_cycles() -> None:
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle of each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_path_through(graph, c) for c in components]


def _path_through(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A cycle inside ``component``, as a path that ends where it starts."""
    members = set(component)
    path = [component[0]]
    while True:
        nxt = min(w for w in graph[path[-1]] if w in members)
        if nxt in path:
            return [*path[path.index(nxt):], nxt]
        path.append(nxt)


def test_cycle_finder_reports_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_follow_the_layers() -> None:
    found = _violations()
    new = {pair: rule for pair, rule in found.items() if pair not in ALLOWED_TODAY}
    assert not new, "forbidden imports:\n" + "\n".join(
        f"{a} imports {b}: {rule}" for (a, b), rule in sorted(new.items()))
    stale = sorted(set(ALLOWED_TODAY) - set(found))
    assert not stale, f"no longer imported, remove from ALLOWED_TODAY: {stale}"


@pytest.mark.parametrize(("importer", "imported", "words"), [
    ("xlpmo.core.rag", "zipfile", "no zipfile"),
    ("xlpmo.core.rag", "xlpmo.io.reader", "core imports only"),
    ("xlpmo.io.writer", "xlpmo.core.evm", "io never imports core"),
    ("xlpmo.io.ooxml.cells", "xlpmo.io.reader", "io.ooxml never imports"),
    ("xlpmo.contract.tables", "xlpmo.core.xvalue", "contract imports nothing"),
    ("xlpmo.app.pipeline", "xlwings", "never imports xlwings"),
    ("xlpmo.excel.args", "xlpmo.core.xvalue", "excel (argument normalisation)"),
])
def test_each_rule_refuses_its_import(importer: str, imported: str, words: str) -> None:
    assert words in (_rule_broken(importer, imported) or "")


@pytest.mark.parametrize(("importer", "imported"), [
    ("xlpmo.core.evm", "xlpmo.contract.tables"), ("xlpmo.core.evm", "xlpmo.errors"),
    ("xlpmo.core.capacity", "holidays"), ("xlpmo.io.ooxml.package", "xlpmo.io.limits"),
    ("xlpmo.app.pipeline", "xlpmo.core.tracker"), ("xlpmo.cli", "xlpmo_udfs.catalogue"),
    ("xlpmo_udfs.commands", "xlwings"),
])
def test_the_allowed_imports_pass(importer: str, imported: str) -> None:
    assert _rule_broken(importer, imported) is None


def test_no_module_over_800_lines() -> None:
    sizes = {name: len(m.path.read_text(encoding="utf-8").splitlines())
             for name, m in MODULES.items()}
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    new = {name: n for name, n in over.items() if name not in TOO_LONG}
    assert not new, f"modules over {MAX_LINES} lines (split them by job): {new}"
    stale = sorted(TOO_LONG - set(over))
    assert not stale, f"no longer over {MAX_LINES} lines, remove from TOO_LONG: {stale}"


def _all_of(module: Module) -> list[str] | None:
    for node in ast.parse(module.path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [e.value for e in getattr(node.value, "elts", [])
                    if isinstance(e, ast.Constant)]
    return None


@pytest.mark.parametrize("package", sorted(n for n, m in MODULES.items() if m.is_package))
def test_each_package_lists_its_public_modules_in_all(package: str) -> None:
    listed = _all_of(MODULES[package])
    assert listed is not None, f"{package}/__init__.py has no __all__"
    children = {n.rpartition(".")[2] for n in MODULES
                if n.rpartition(".")[0] == package and n != package}
    public = {c for c in children if not c.startswith("_")}
    missing = sorted(public - set(listed))
    assert not missing, (f"{package}.__all__ does not list {missing}: add them, or name a "
                         "private module _name")
    unknown = sorted(n for n in set(listed) - children if not n.startswith("__"))
    assert not unknown, f"{package}.__all__ names what is not a module of it: {unknown}"
