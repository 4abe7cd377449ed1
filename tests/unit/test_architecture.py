"""The design's rules, held against the code's imports (docs/architecture.md).

Every ``import`` and ``from … import`` in src/barometer counts, at module level or inside a
function: a lazy import breaks a rule as much as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "barometer"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The barometer modules a file imports: ``from x import y`` counts the module x.y when
    y is a module, else x."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for a in node.names:
                out.add(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base)
    return {m for m in out if m == "barometer" or m.startswith("barometer.")}


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in SRC.rglob("*.py")}
    edges = {}
    for name, path in files.items():
        edges[name] = {m for m in imports_of(path, set(files)) if m in files and m != name}
    return edges


def under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_publishers_never_compute():
    forbidden = ("compute", "goals", "disclosure", "housing", "sources", "pipeline", "stats")
    for name, targets in graph().items():
        if under(name, "barometer.publish"):
            bad = [t for t in targets if any(under(t, f"barometer.{f}") for f in forbidden)]
            assert bad == [], f"{name} imports {bad}"


def test_sources_never_open_a_store():
    for name, targets in graph().items():
        if under(name, "barometer.sources"):
            bad = [t for t in targets if under(t, "barometer.store")]
            assert bad == [], f"{name} imports {bad}"


def test_only_the_pipeline_writes_a_store():
    for name, targets in graph().items():
        if "barometer.store.write" in targets:
            assert (
                under(name, "barometer.pipeline")
                or under(name, "barometer.store")
                or under(name, "barometer.cli")
            ), name


def test_the_case_modules_stay_apart():
    # Person-level case data: no publisher imports the programme or Welcome House modules,
    # and they import no publisher, no store and no pipeline (their figures leave only as
    # aggregates, through the command that makes them an input).
    case = ("barometer.programme", "barometer.welcomehouse")
    barometer_side = ("barometer.publish", "barometer.store", "barometer.pipeline")
    for name, targets in graph().items():
        if under(name, "barometer.publish"):
            assert not [t for t in targets if any(under(t, c) for c in case)], name
        if any(under(name, c) for c in case):
            assert not [t for t in targets if any(under(t, b) for b in barometer_side)], name


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_rules_see_imports():
    # The checks above only mean something if the parser finds imports: a known one.
    edges = graph()
    assert "barometer.store.read" in edges["barometer.publish.web.data"]
    assert "barometer.pipeline.finishing" in edges["barometer.pipeline"]
