"""The house (docs/architecture.md), checked on the code itself: the layers and the order of the
features, no import cycles, no imports hidden inside functions, routes that do not query, one
commit per request written in one place, and templates that decide nothing about roles.

Each rule reads the source with ``ast``; nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"

# The features, lowest first: a feature may use the ones before it, never the ones after it.
FEATURES = (
    "auth",
    "schools",
    "notifications",
    "pupils",
    "attendance",
    "reports",
    "casework",
    "transition",
    "evaluation",
    "imports",
    "accounts",
    "main",
)
# Modules at the root of the package, by layer.
CORE = {
    "config",
    "db",
    "extensions",
    "calendar",
    "request_cache",
    "filters",
    "forms",
    "pagination",
    "lifecycle",
    "audit",
    "spreadsheets",
    "request_args",
    "submissions",
    "backup",
    "jobs",
}
POLICY = {"access", "figures_cache"}  # over every feature's models; used by the features
TOP = {"__init__", "cli", "errors", "navigation", "models", "worker"}  # assemble the application
# Imports inside a function, each for a reason that a module-level import cannot serve.
ALLOWED_LOCAL_IMPORTS = {
    # WeasyPrint needs the Pango system libraries: without them only the PDF is unavailable.
    ("evaluation/routes.py", "weasyprint"),
}
MAX_LINES = 620  # "a module of a size one can read": about 600 lines
COMMITTERS = {
    "lifecycle.py",  # the request's one commit
    "cli.py",  # the jobs of the command line: one commit per round
    "worker.py",  # the background tasks: a commit per part of a round
    "notifications/services.py",  # the mail sender: a commit per mail, so none goes twice
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "reports.services"
    target: str  # the imported module, e.g. "attendance.models"
    line: int
    typing_only: bool  # inside ``if TYPE_CHECKING:``
    in_function: bool


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PORTAL).with_suffix("").parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in sorted(PORTAL.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


MODULES = _modules()


def _resolve(target: str) -> str | None:
    """The portal module an import names (``portal.x.y`` or the package ``portal.x``)."""
    if not target.startswith("portal"):
        return None
    name = target.removeprefix("portal").removeprefix(".")
    if not name:
        return "__init__"
    return name if name in MODULES or f"{name}.__init__" in MODULES else None


def _imports(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))

    def visit(node: ast.AST, typing_only: bool, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from visit(child, True, in_function)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, typing_only, True)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    yield from _found(alias.name, child.lineno, typing_only, in_function)
            elif isinstance(child, ast.ImportFrom) and child.module:
                base = child.module
                for alias in child.names:
                    # ``from portal import access`` names the module portal.access.
                    candidate = f"{base}.{alias.name}"
                    name = candidate if _resolve(candidate) else base
                    yield from _found(name, child.lineno, typing_only, in_function)
            else:
                yield from visit(child, typing_only, in_function)

    def _found(name: str, line: int, typing_only: bool, in_function: bool) -> Iterator[Import]:
        resolved = _resolve(name)
        yield Import(module, resolved or name, line, typing_only, in_function)

    yield from visit(tree, False, False)


ALL_IMPORTS = [imp for module, path in MODULES.items() for imp in _imports(module, path)]
PORTAL_IMPORTS = [
    imp for imp in ALL_IMPORTS if imp.target in MODULES or f"{imp.target}.__init__" in MODULES
]


def _feature(module: str) -> str | None:
    head = module.split(".")[0]
    return head if head in FEATURES else None


def _root(module: str) -> str | None:
    return module if "." not in module else None


def test_every_package_has_a_place_in_the_house() -> None:
    packages = {p.name for p in PORTAL.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(FEATURES), packages ^ set(FEATURES)
    roots = {_module_name(p) for p in PORTAL.glob("*.py")}
    assert roots == CORE | POLICY | TOP, roots ^ (CORE | POLICY | TOP)


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for imp in PORTAL_IMPORTS:
        if not imp.typing_only and not imp.in_function and imp.target != imp.source:
            target = imp.target if imp.target in MODULES else f"{imp.target}.__init__"
            graph[imp.source].add(target)
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_features_use_only_lower_features() -> None:
    """Between features the arrows point down the list, type hints included: a higher feature
    may use a lower one's models, queries and services, never the other way round."""
    wrong = []
    for imp in PORTAL_IMPORTS:
        source, target = _feature(imp.source), _feature(imp.target)
        if source and target and FEATURES.index(target) > FEATURES.index(source):
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target}")
    assert not wrong, "\n".join(wrong)


def test_layers_of_the_root_modules() -> None:
    """Core modules use only core modules (type hints of models aside); the access policy uses
    core modules and the features' models; features never use the modules that assemble the
    application."""
    wrong = []
    for imp in PORTAL_IMPORTS:
        source, target = imp.source, imp.target
        target_root, target_feature = _root(target), _feature(target)
        if source in CORE and target_feature and not imp.typing_only:
            wrong.append(f"core {source}:{imp.line} imports the feature module {target}")
        if source in CORE and target_root in POLICY | TOP:
            wrong.append(f"core {source}:{imp.line} imports {target}")
        # The policy reads the features' models, and who is asking (the signed-in user).
        if (
            source in POLICY
            and target_feature
            and not target.endswith(".models")
            and target != "auth.sessions"
        ):
            wrong.append(f"policy {source}:{imp.line} imports {target}")
        if _feature(source) and target_root in TOP:
            wrong.append(f"feature {source}:{imp.line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_models_import_only_models_and_core() -> None:
    wrong = [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in PORTAL_IMPORTS
        if imp.source.endswith(".models")
        and not (imp.target in CORE or imp.target.endswith(".models"))
    ]
    assert not wrong, "\n".join(wrong)


def test_no_imports_hidden_in_functions() -> None:
    found = {
        (str(MODULES[imp.source].relative_to(PORTAL)), imp.target.split(".")[0])
        for imp in ALL_IMPORTS
        if imp.in_function
    }
    assert found <= ALLOWED_LOCAL_IMPORTS, sorted(found - ALLOWED_LOCAL_IMPORTS)


def test_the_package_holds_no_demo_data() -> None:
    assert not [m for m in MODULES if "demo" in m], "demo data lives in devdata/"
    assert not [imp for imp in ALL_IMPORTS if imp.target.startswith("devdata")]


STATEMENTS = {"select", "insert", "update", "delete", "text"}  # SQLAlchemy's builders
SESSION_READS = {"execute", "scalars", "scalar", "get"}


def test_routes_do_not_query() -> None:
    """Route modules call queries and services; the statements live there."""
    for path in PORTAL.glob("*/routes.py"):
        tree = ast.parse(path.read_text())
        calls = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Name) and node.func.id in STATEMENTS)
                or (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr in SESSION_READS
                    and ast.unparse(node.func.value) == "db.session"
                )
            )
        ]
        assert not calls, f"{path.relative_to(ROOT)} queries on lines {calls}"


def test_one_commit_per_request_written_in_one_place() -> None:
    for path in PORTAL.rglob("*.py"):
        relative = str(path.relative_to(PORTAL))
        if relative in COMMITTERS:
            continue
        text = path.read_text()
        assert ".commit()" not in text.replace("lifecycle.commit()", ""), relative
        # A lost claim of a one-time form token ends the transaction before anything changed.
        assert "session.rollback()" not in text or relative in (
            "main/queries.py",
            "submissions.py",
        ), relative


def test_modules_are_of_a_readable_size() -> None:
    sizes = {
        str(path.relative_to(PORTAL)): len(path.read_text().splitlines())
        for path in PORTAL.rglob("*.py")
    }
    big = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not big, big


ROLE_TEST = re.compile(r"role(\.value)?\s*(==|!=|\bin\b)|\.role\.value\s*(==|!=|in)")


def test_templates_decide_nothing_about_roles() -> None:
    """A template shows what the view passed (computed by the access policy's predicates); it
    never compares the user's role itself."""
    wrong = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "current_user.role" in line and ROLE_TEST.search(line):
                wrong.append(f"{path.relative_to(ROOT)}:{number}")
    assert not wrong, wrong
