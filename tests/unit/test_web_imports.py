"""No two modules of the pages import each other, not even inside a function (a circle makes the
order of imports matter and hides which module owns a helper): checked on the source, nothing imported."""
from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "ips_coord" / "web"


def _web_imports(path: Path, modules: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
            found.update(n for n in names if n in modules)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ips_coord.web."):
            found.add(node.module.split(".")[2])
    return found - {path.stem}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each path that comes back to where it started, once per circle."""
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if nxt == path[0]:
                found.add(tuple(sorted(path)))
            elif nxt not in path and nxt > path[0]:
                walk([*path, nxt])

    for start in sorted(graph):
        walk([start])
    return [list(c) for c in sorted(found)]


def test_no_import_circle_among_the_pages():
    modules = {p.stem for p in WEB.glob("*.py")}
    graph = {p.stem: _web_imports(p, modules) for p in WEB.glob("*.py")}
    assert graph["case_page"] and graph["plan_views"] >= {"case_page", "plan_parts"}  # the check sees imports
    assert circles(graph) == []


def test_the_check_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
