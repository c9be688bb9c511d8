"""The import directions of the layout (docs/ARCHITECTURE.md), read from the source with ast,
so function-level imports count too:

* core/ is pure: no db, areas, components, pages, tools, streamlit or sqlalchemy;
* db/ is the platform: it imports no subject area, component or page (start-up seeding of the
  demo county, db/bootstrap.py → tools/demo.py, is the one allowed exception);
* reads never import writes, not even through another module;
* components run no SQL and pages import no models: neither imports sqlalchemy or db.models.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "db", "areas", "components", "pages", "tools")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _files(top: str) -> list[Path]:
    return sorted(p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports (absolute names; `from a import b` gives a and a.b)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


MODULES = {_module(p): p for top in PACKAGES for p in _files(top)}
GRAPH = {m: {i for i in _imports(p) if i in MODULES} for m, p in MODULES.items()}


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_write(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return module.startswith("areas.") and (leaf == "writes" or leaf.endswith("_writes") or leaf == "importer")


def _is_read(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return module.startswith("areas.") and (leaf == "reads" or leaf.endswith("_reads"))


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in GRAPH.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_tree_is_what_the_test_reads():
    assert any(_is_read(m) for m in MODULES) and any(_is_write(m) for m in MODULES)
    assert "core.visits" in MODULES and "db.engine" in MODULES and "pages.registry" in MODULES


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) == "core"))
def test_core_is_pure(module):
    bad = {i for i in _imports(MODULES[module])
           if _top(i) in {"db", "areas", "components", "pages", "tools", "streamlit", "sqlalchemy"}}
    assert bad == set(), f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) == "db"))
def test_platform_imports_no_feature(module):
    allowed = {"tools", "tools.demo"} if module == "db.bootstrap" else set()
    bad = {i for i in _imports(MODULES[module])
           if _top(i) in {"areas", "components", "pages", "tools"} and i not in allowed}
    assert bad == set(), f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _is_read(m)))
def test_reads_never_import_writes(module):
    writes = sorted(m for m in _reachable(module) if _is_write(m))
    assert writes == [], f"{module} reaches {writes}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) in ("components", "pages")))
def test_components_and_pages_run_no_sql(module):
    bad = {i for i in _imports(MODULES[module]) if _top(i) == "sqlalchemy" or i.startswith("db.models")}
    assert bad == set(), f"{module} imports {sorted(bad)}"


def test_a_violation_is_caught(tmp_path):
    """The checks above read real imports: a read that imports a write is seen."""
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from areas.registry import writes\n", "utf-8")
    assert "areas.registry.writes" in _imports(f) and _is_write("areas.registry.writes")
