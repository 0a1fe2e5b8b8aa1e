"""The layering, as rules over packages checked on the real import graph (every import statement,
function-level and relative ones included), and no import cycle anywhere."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_PACKAGES = ("criteria", "scoring", "api", "web")
STDLIB = frozenset(sys.stdlib_module_names)
# Packages the rules below are about: a rule over a missing (renamed) package would pass vacuously.
REQUIRED_PACKAGES = (
    "criteria",
    "scoring",
    "scoring.core",
    "scoring.core.permissions",
    "scoring.store",
    "scoring.services",
    "scoring.services.admin",
    "scoring.services.designation",
    "scoring.services.review",
    "scoring.services.management",
    "scoring.cli",
    "scoring.demo",
    "api",
    "api.edge",
    "api.v1",
    "web",
)
# The phases of the work, in order: a later one may use an earlier one, never the reverse
# (admin — accounts, organisations, experts, rubrics, files — is used by all).
PHASES = ("admin", "designation", "review", "management")
PHASED_PACKAGES = ("scoring.services", "scoring.core.permissions")
# The pure core reaches no database, web framework or template engine. Besides the standard library it
# uses criteria (the rubric model), pydantic (input and read models, the Text field) and babel, which
# reads the message catalogs (.po) that make a Msg render in Chinese; and holidays, the State Council
# calendar behind working days (scoring.core.clock): pure data, no I/O.
CORE_THIRD_PARTY = frozenset({"pydantic", "pydantic_core", "babel", "holidays"})
CRITERIA_THIRD_PARTY = frozenset({"pydantic", "pydantic_core"})


@dataclass(frozen=True)
class Graph:
    modules: frozenset[str]  # every project module (packages by their __init__)
    packages: frozenset[str]
    edges: dict[str, frozenset[str]]  # module -> project modules and top-level external names it imports

    def imports(self, module: str) -> frozenset[str]:
        return self.edges[module]


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def build_graph(root: Path, tops: Iterable[str] = TOP_PACKAGES) -> Graph:
    paths = {module_name(root, p): p for top in tops for p in sorted((root / top).rglob("*.py"))}
    packages = frozenset(m for m, p in paths.items() if p.name == "__init__.py")
    modules = frozenset(paths)
    edges: dict[str, frozenset[str]] = {}
    for name, path in paths.items():
        here = name if name in packages else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(_target(alias.name, modules) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if base == "__future__":
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in modules else _target(base, modules))
        edges[name] = frozenset(found - {name})
    return Graph(modules, packages, edges)


def _target(dotted: str, modules: frozenset[str]) -> str:
    """The deepest project module named by `dotted`, or the top-level name of an external one."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in modules:
            return candidate
    return parts[0]


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(graph: Graph) -> list[str]:
    """Every import that breaks a rule, as 'importer -> imported: rule'."""
    found: list[str] = []

    def bad(src: str, dst: str, rule: str) -> None:
        found.append(f"{src} -> {dst}: {rule}")

    for src in sorted(graph.modules):
        for dst in sorted(graph.imports(src)):
            project = dst in graph.modules
            if within(src, "criteria") and not (
                within(dst, "criteria") or dst in STDLIB or dst in CRITERIA_THIRD_PARTY
            ):
                bad(src, dst, "criteria is a leaf (stdlib and pydantic only)")
            if within(src, "scoring.core") and not (
                any(within(dst, p) for p in ("scoring.core", "criteria"))
                or dst in STDLIB
                or dst in CORE_THIRD_PARTY
            ):
                bad(src, dst, "scoring.core imports only stdlib, criteria, pydantic and babel")
            # Message templates are domain content: only the notifications package renders them with
            # Jinja2 (sandboxed); nothing else in scoring touches a template engine.
            messages = within(src, "scoring.services.admin.notifications") and dst == "jinja2"
            if (
                within(src, "scoring")
                and not messages
                and (dst in {"fastapi", "starlette", "jinja2"} or within(dst, "api") or within(dst, "web"))
            ):
                bad(src, dst, "scoring never reaches the edges")
            if within(src, "scoring.store") and any(
                within(dst, p) for p in ("scoring.services", "scoring.cli", "scoring.demo")
            ):
                bad(src, dst, "scoring.store never imports services, cli or demo")
            if within(src, "web") and within(dst, "api.v1"):
                bad(src, dst, "web never imports api.v1")
            if within(src, "api") and src != "api.app" and project and within(dst, "web"):
                bad(src, dst, "only api.app (the composition root) imports web")
            for package in PHASED_PACKAGES:
                src_phase, dst_phase = _phase(src, package), _phase(dst, package)
                if src_phase is not None and dst_phase is not None and dst_phase > src_phase:
                    bad(src, dst, f"an earlier phase never imports a later one ({' < '.join(PHASES)})")
    return found


def _phase(module: str, package: str) -> int | None:
    if not within(module, package) or module == package:
        return None
    head = module[len(package) + 1 :].split(".")[0]
    return PHASES.index(head) if head in PHASES else None


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.imports(v) & graph.modules):
            if w not in index:
                visit(w)
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
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph.modules) + 100))
    try:
        for v in sorted(graph.modules):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph(ROOT)


@pytest.mark.parametrize("package", REQUIRED_PACKAGES)
def test_every_package_the_rules_name_exists(graph: Graph, package: str) -> None:
    assert package in graph.packages, f"{package} is missing: the rules about it would pass vacuously"
    assert any(m.startswith(package + ".") for m in graph.modules), f"{package} has no modules"


def test_no_import_breaks_a_layering_rule(graph: Graph) -> None:
    found = violations(graph)
    assert found == [], "layering violations:\n" + "\n".join(found)


def test_there_is_no_import_cycle(graph: Graph) -> None:
    found = cycles(graph)
    assert found == [], "import cycles (function-level imports included):\n" + "\n".join(
        " <-> ".join(c) for c in found
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_the_walker_catches_violations_and_cycles(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "criteria/__init__.py": "",
            "criteria/model.py": "import pydantic\nimport requests\n",
            "scoring/__init__.py": "",
            "scoring/core/__init__.py": "",
            "scoring/core/rules.py": "def f():\n    from sqlalchemy.orm import Session\n",
            "scoring/core/a.py": "from . import b\n",
            "scoring/core/b.py": "def g():\n    from .a import x\n",
            "scoring/store/__init__.py": "",
            "scoring/store/models.py": "from ..services.admin import accounts\n",
            "scoring/services/__init__.py": "",
            "scoring/services/admin/__init__.py": "",
            "scoring/services/admin/accounts.py": "from scoring.services.review import panels\n",
            "scoring/services/review/__init__.py": "",
            "scoring/services/review/panels.py": "from scoring.services.admin.accounts import y\n",
            "api/__init__.py": "",
            "api/app.py": "import web.mount\n",
            "api/edge/__init__.py": "",
            "api/edge/errors.py": "def h():\n    import web.deps\n",
            "api/v1/__init__.py": "",
            "api/v1/routes.py": "",
            "web/__init__.py": "",
            "web/mount.py": "from web import deps\n",
            "web/deps.py": "from api.v1 import routes\nfrom api.edge import errors\n",
        },
    )
    fake = build_graph(tmp_path)
    assert fake.imports("scoring.core.a") == {"scoring.core.b"}
    assert fake.imports("scoring.core.b") == {"scoring.core.a"}
    assert fake.imports("web.deps") == {"api.v1.routes", "api.edge.errors"}
    assert violations(fake) == [
        "api.edge.errors -> web.deps: only api.app (the composition root) imports web",
        "criteria.model -> requests: criteria is a leaf (stdlib and pydantic only)",
        "scoring.core.rules -> sqlalchemy: scoring.core imports only stdlib, criteria, pydantic and babel",
        "scoring.services.admin.accounts -> scoring.services.review.panels: "
        "an earlier phase never imports a later one (admin < designation < review < management)",
        "scoring.store.models -> scoring.services.admin.accounts: "
        "scoring.store never imports services, cli or demo",
        "web.deps -> api.v1.routes: web never imports api.v1",
    ]
    assert cycles(fake) == [
        ["api.edge.errors", "web.deps"],
        ["scoring.core.a", "scoring.core.b"],
        ["scoring.services.admin.accounts", "scoring.services.review.panels"],
    ]


def test_a_missing_package_fails_rather_than_skips(tmp_path: Path) -> None:
    _write(tmp_path, {"scoring/__init__.py": "", "scoring/core/__init__.py": "", "scoring/core/x.py": ""})
    fake = build_graph(tmp_path)
    assert "scoring.store" not in fake.packages
    assert fake.modules == {"scoring", "scoring.core", "scoring.core.x"}
