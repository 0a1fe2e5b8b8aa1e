"""ARCHITECTURE.md principle 6: the layering is written down and enforced by walking the imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)
PURE_MODULES = ["gates", "scores", "aggregate", "ranking", "consistency", "draw", "lifecycle", "permissions"]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def full_imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def py_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", py_files("criteria"), ids=lambda p: str(p.relative_to(ROOT)))
def test_criteria_is_a_leaf(path: Path) -> None:
    foreign = imports_of(path) - STDLIB - {"criteria", "pydantic", "__future__"}
    assert not foreign, f"{path} imports {foreign}"


@pytest.mark.parametrize("path", py_files("scoring"), ids=lambda p: str(p.relative_to(ROOT)))
def test_scoring_never_reaches_the_edges(path: Path) -> None:
    # Message templates are domain content: the notifications package renders them (sandboxed).
    messages = path.is_relative_to(ROOT / "scoring" / "services" / "admin" / "notifications")
    edges = {"fastapi", "starlette", "api", "web"} | (set() if messages else {"jinja2"})
    forbidden = imports_of(path) & edges
    assert not forbidden, f"{path} imports {forbidden}"


@pytest.mark.parametrize("name", PURE_MODULES)
def test_pure_core_has_no_database(name: str) -> None:
    path = ROOT / "scoring" / "core" / f"{name}.py"
    if not path.exists():
        pytest.skip(f"scoring/{name}.py not present")
    mods = full_imports_of(path)
    assert not {m for m in mods if m.split(".")[0] == "sqlalchemy"}, mods
    assert not {m for m in mods if m.startswith(("scoring.store", "scoring.services"))}, mods


def test_layering_walker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from fastapi import APIRouter\nimport sqlalchemy.orm\n")
    assert {"fastapi", "sqlalchemy"} <= imports_of(bad)
