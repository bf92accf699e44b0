"""The layering rules of docs/architecture.md, checked on the source (AST only, nothing imported).

1. Services are the only writer: a `commit()`, `session.add/add_all/delete/merge/flush`, or an
   `insert`/`update`/`delete` statement outside `ips_coord/services/` fails, unless the module (or
   one function of it) is a named exception below, with the reason.
2. Imports keep the layers apart: web <-> api, access -> flask's `abort`, reports -> flask_babel,
   services -> web/api/flask_babel, workflows -> flask or the rest of the package, models -> any
   layer above them, Celery task modules -> the app object, and production entry points -> devserver.
3. One clock: the wall clock is read only in `ips_coord/clock.py`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ips_coord"

# Writers outside services/: "path" (the whole module) or "path::function", and why.
ALLOWED_WRITERS = {
    "ips_coord/access/audit.py::_insert_rows": (
        "the access log's one INSERT: outside a read request on its own autocommit connection (_insert_now), "
        "so a write attempt is logged (with its outcome) even if the write then fails and rolls back"
    ),
    "ips_coord/access/audit.py::commit_reads": (
        "the access log of a read request: its rows in the request's own transaction, committed before the "
        "response (never a read without its row)"
    ),
    "ips_coord/notifications/sweep.py": (
        "worker side: the periodic sweep's reminders, escalations and digests (units of work of delivery; "
        "its claims of outbox rows are the outbox engine's, services/outbox.py)"
    ),
    "ips_coord/demo.py::seed_demo": (
        "demo only: marks the synthetic past as already sent and escalated (history no service writes)"
    ),
}

WRITE_METHODS = {"commit", "add", "add_all", "delete", "merge", "flush", "bulk_save_objects", "bulk_insert_mappings"}
DML = {"insert", "update", "delete"}


@dataclass(frozen=True)
class Site:
    path: str
    function: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}(): {self.what}"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _receiver(node: ast.expr) -> str:
    """`db.session` -> "db.session"; anything not a plain dotted name -> ""."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _sqlalchemy_dml_names(tree: ast.Module) -> set[str]:
    """Local names bound to sqlalchemy's insert/update/delete in this module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names |= {a.asname or a.name for a in node.names if a.name in DML}
    return names


class _WriteFinder(ast.NodeVisitor):
    def __init__(self, path: str, dml: set[str]):
        self.path, self.dml, self.stack, self.sites = path, dml, ["<module>"], []

    def _function(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call):
        func = node.func
        what = None
        if isinstance(func, ast.Attribute):
            receiver = _receiver(func.value)
            session_like = receiver.split(".")[-1] in ("session", "conn", "connection") if receiver else False
            if func.attr == "commit" or (func.attr in WRITE_METHODS and session_like):
                what = f"{receiver or '...'}.{func.attr}()"
        elif isinstance(func, ast.Name) and func.id in self.dml:
            what = f"{func.id}() statement"
        if what:
            self.sites.append(Site(self.path, self.stack[-1], node.lineno, what))
        self.generic_visit(node)


def write_sites() -> list[Site]:
    sites = []
    for path, tree in _modules():
        finder = _WriteFinder(path, _sqlalchemy_dml_names(tree))
        finder.visit(tree)
        sites += finder.sites
    return sites


def _allowed(site: Site) -> bool:
    return (
        site.path.startswith("ips_coord/services/")
        or site.path in ALLOWED_WRITERS
        or f"{site.path}::{site.function}" in ALLOWED_WRITERS
    )


def test_services_are_the_only_writer():
    outside = [str(s) for s in write_sites() if not _allowed(s)]
    assert outside == [], "writes outside services/ (move them into a service, or name the exception):\n" + "\n".join(
        outside
    )


def test_the_finder_sees_writes():
    """The check is not vacuous: it finds the services' own writes and every named exception."""
    sites = write_sites()
    assert any(s.path == "ips_coord/services/unit_of_work.py" and s.what.endswith(".commit()") for s in sites)
    for key in ALLOWED_WRITERS:
        path, _, function = key.partition("::")
        assert any(s.path == path and (not function or s.function == function) for s in sites), (
            f"{key} is a named exception but writes nothing: remove it from ALLOWED_WRITERS"
        )


# --- Imports ---------------------------------------------------------------------------------
def _imports(path: str, tree: ast.Module):
    """(absolute module, imported names) for every import in the module."""
    package = path[:-3].replace("/", ".").removesuffix(".__init__")
    parts = package.split(".") if path.endswith("__init__.py") else package.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, set(), node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = {a.name for a in node.names}
            yield module, names, node.lineno
            for name in names:  # `from .. import web` imports the module ips_coord.web
                yield f"{module}.{name}", set(), node.lineno


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


# The layers that stand above models/ (docs/architecture.md's picture).
ABOVE_MODELS = (
    "services",
    "access",
    "web",
    "api",
    "notifications",
    "reports",
    "cli",
    "demo",
    "demo_treatment_jobcenter",
    "devserver",
    "wsgi",
    "celery_app",
    "housekeeping",
)

# (importing module prefix, test on (imported module, names), the rule broken)
FORBIDDEN_IMPORTS = [
    ("ips_coord.web", lambda m, n: _under(m, "ips_coord.api"), "web/ must not import api/ (share through services/)"),
    ("ips_coord.api", lambda m, n: _under(m, "ips_coord.web"), "api/ must not import web/ (share through services/)"),
    (
        "ips_coord.access",
        lambda m, n: (m == "flask" and "abort" in n) or _under(m, "flask_babel"),
        "access/ decides; it neither aborts a request nor translates",
    ),
    (
        "ips_coord.reports",
        lambda m, n: _under(m, "flask_babel") or (m == "flask" and "abort" in n),
        "reports/ return figures and msgids; the pages translate",
    ),
    (
        "ips_coord.services",
        lambda m, n: (
            _under(m, "flask_babel")
            or _under(m, "ips_coord.web")
            or _under(m, "ips_coord.api")
            or (m == "flask" and n & {"request", "abort", "g", "session"})
        ),
        "services/ know no request, page or translation",
    ),
    (
        "ips_coord.workflows",
        lambda m, n: (
            _under(m, "flask")
            or _under(m, "sqlalchemy")
            or (_under(m, "ips_coord") and not _under(m, "ips_coord.workflows"))
        ),
        "workflows/ is plain Python",
    ),
    (
        "ips_coord.models",
        lambda m, n: (
            any(_under(m, f"ips_coord.{layer}") for layer in ABOVE_MODELS) or (m == "ips_coord" and n & {"create_app"})
        ),
        "models/ are the bottom layer: they import only extensions, workflows' vocabulary and each other",
    ),
    ("ips_coord.wsgi", lambda m, n: _under(m, "ips_coord.devserver"), "production entry points do not use devserver"),
    ("ips_coord.celery_app", lambda m, n: _under(m, "ips_coord.devserver"), "production code does not use devserver"),
]


def _import_problems(path: str, tree: ast.Module) -> list[str]:
    importer = path[:-3].replace("/", ".").removesuffix(".__init__")
    problems: dict[int, str] = {}  # one per import statement
    for prefix, forbidden, rule in FORBIDDEN_IMPORTS:
        if _under(importer, prefix):
            for m, n, line in _imports(path, tree):
                if forbidden(m, n):
                    problems.setdefault(line, f"{path}:{line}: imports {m} {sorted(n) or ''}: {rule}")
    return list(problems.values())


def test_imports_keep_the_layers():
    problems = [p for path, tree in _modules() for p in _import_problems(path, tree)]
    worker = ROOT / "worker" / "__init__.py"
    problems += sorted(
        {
            f"worker/__init__.py:{line}: imports {m}: production entry points do not use devserver"
            for m, _n, line in _imports("worker/__init__.py", ast.parse(worker.read_text()))
            if m == "ips_coord.devserver"
        }
    )
    assert problems == [], "\n".join(problems)


def test_the_import_check_resolves_relative_imports():
    tree = ast.parse("from ..api.errors import x\nfrom .. import web\nfrom flask import abort\n")
    found = [(m, n) for m, n, _line in _imports("ips_coord/web/errors.py", tree)]
    assert ("ips_coord.api.errors", {"x"}) in found
    assert ("ips_coord.web", set()) in found
    assert ("flask", {"abort"}) in found
    assert _import_problems("ips_coord/web/errors.py", tree)
    assert _import_problems("ips_coord/access/guard.py", tree)


# --- Celery tasks never import the app ------------------------------------------------------
def _task_modules():
    """Every module that defines a Celery task (`shared_task` or `@celery.task`)."""
    for path, tree in _modules():
        source_names = {
            a.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "celery"
            for a in node.names
        }
        if "shared_task" in source_names:
            yield path, tree


def _imports_the_app(path: str, tree: ast.Module) -> list[str]:
    return [
        f"{path}:{line}: imports {m} {sorted(n) or ''}"
        for m, n, line in _imports(path, tree)
        if (m == "ips_coord" and n & {"create_app"})
        or m in ("ips_coord.create_app", "ips_coord.wsgi", "wsgi")
        or _under(m, "ips_coord.wsgi")
        or _under(m, "ips_coord.devserver")
    ]


def test_tasks_never_import_the_app():
    """A task runs in the worker's app context (FlaskTask); importing the app would build a second
    one at import time, with its own engine and configuration."""
    modules = list(_task_modules())
    assert any(path == "ips_coord/notifications/tasks.py" for path, _tree in modules), "the finder sees no task module"
    problems = [p for path, tree in modules for p in _imports_the_app(path, tree)]
    assert problems == [], "\n".join(problems)
    probe = ast.parse("from .. import create_app\n")
    assert _imports_the_app("ips_coord/notifications/tasks.py", probe)


# --- One clock -------------------------------------------------------------------------------
# Reads of the wall clock. time.monotonic() measures a duration (an SMTP session's idle time, a
# lease's remaining seconds) and is not a clock a deadline is computed from.
WALL_CLOCK_CALLS = {
    ("time", "time"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time_ns"),
}


def _wall_clock_reads(path: str, tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = _receiver(node.func.value).split(".")[-1]
            if (owner, node.func.attr) in WALL_CLOCK_CALLS:
                found.append(f"{path}:{node.lineno}: {owner}.{node.func.attr}()")
    return found


def test_one_clock():
    """Every deadline is testable only if the time comes from the injectable clock."""
    problems = []
    for path, tree in _modules():
        if path != "ips_coord/clock.py":
            problems += _wall_clock_reads(path, tree)
    config = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "config").rglob("*.py"))
    for extra in ("worker/__init__.py", *config):
        problems += _wall_clock_reads(extra, ast.parse((ROOT / extra).read_text(encoding="utf-8")))
    assert problems == [], "read the time through ips_coord.clock:\n" + "\n".join(problems)
    assert _wall_clock_reads("ips_coord/clock.py", ast.parse((PACKAGE / "clock.py").read_text()))
    assert _wall_clock_reads("x.py", ast.parse("import datetime\ndatetime.datetime.now()\n"))


def test_models_import_nothing_above_them():
    tree = ast.parse("from ..services import activities\nfrom ..workflows.phases import Phase\n")
    problems = _import_problems("ips_coord/models/case.py", tree)
    assert len(problems) == 1 and "services" in problems[0]


def _skip_locked_sites(path: str, tree: ast.Module) -> list[str]:
    """Where a module takes FOR UPDATE SKIP LOCKED: SQLAlchemy's `skip_locked=` keyword, or the
    words in a string of SQL (docstrings and comments that explain it do not count)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    functions = [
        (n.lineno, n.end_lineno or n.lineno, n.name)
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    sites = []
    for node in ast.walk(tree):
        locks = (isinstance(node, ast.Call) and any(k.arg == "skip_locked" for k in node.keywords)) or (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and "skip locked" in " ".join(node.value.lower().split())
        )
        if locks:
            inner = [f for f in functions if f[0] <= node.lineno <= f[1]]
            name = min(inner, key=lambda f: f[1] - f[0])[2] if inner else "<module>"
            sites.append(f"{path}::{name}")
    return sites


def test_one_claim_function_takes_skip_locked_locks():
    """Due rows are claimed in one place, the outbox engine (docs/architecture.md): a second
    FOR UPDATE SKIP LOCKED anywhere outside the migrations is a second claim mechanism."""
    sites = [s for path, tree in _modules() if "migrations" not in path for s in _skip_locked_sites(path, tree)]
    assert sites == ["ips_coord/services/outbox.py::skip_locked"], sites
    probe = ast.parse(
        'def claim():\n    db.execute(text("SELECT id FROM t FOR UPDATE\\n SKIP LOCKED"))\n'
        'def lock(q):\n    """FOR UPDATE SKIP LOCKED, explained."""\n'
        "    return q.with_for_update(skip_locked=True)\n"
    )
    assert sorted(_skip_locked_sites("x.py", probe)) == ["x.py::claim", "x.py::lock"]


# --- No import cycles -----------------------------------------------------------------------


def _module_name(path: str) -> str:
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def import_graph(modules: list[tuple[str, ast.Module]]) -> dict[str, set[str]]:
    """Which ips_coord module imports which, counting imports inside functions too (they run, and
    they tie the modules as much). Importing a parent package's __init__ is left out: every
    submodule does that by being one."""
    known = {_module_name(path) for path, _tree in modules}
    graph: dict[str, set[str]] = {}
    for path, tree in modules:
        me = _module_name(path)
        graph[me] = {
            m for m, _names, _line in _imports(path, tree) if m in known and m != me and not me.startswith(m + ".")
        }
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles():
    cycles = import_cycles(import_graph(list(_modules())))
    unknown = [sorted(c) for c in cycles]
    assert unknown == [], "import cycles (move the shared piece into a module both can import):\n" + "\n".join(
        " <-> ".join(c) for c in unknown
    )


def test_the_cycle_finder_on_a_small_graph():
    # a -> b -> c -> a is one cycle; d -> a and c -> e are not part of it; f <-> g is another.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "e"}, "d": {"a"}, "e": set(), "f": {"g"}, "g": {"f"}}
    assert sorted(sorted(c) for c in import_cycles(graph)) == [["a", "b", "c"], ["f", "g"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []
    # A function-level import counts; importing the parent package's __init__ does not.
    modules = [
        ("ips_coord/services/__init__.py", ast.parse("from . import x\n")),
        ("ips_coord/services/x.py", ast.parse("from . import unit\ndef f():\n    from .y import g\n")),
        ("ips_coord/services/y.py", ast.parse("from .x import f\n")),
        ("ips_coord/services/unit.py", ast.parse("")),
    ]
    graph = import_graph(modules)
    assert graph["ips_coord.services.x"] == {"ips_coord.services.y", "ips_coord.services.unit"}
    assert "ips_coord.services" not in graph["ips_coord.services.y"]
    assert import_cycles(graph) == [{"ips_coord.services.x", "ips_coord.services.y"}]
