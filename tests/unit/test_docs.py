"""The project explains itself from its own repository: every file the README and docs/ point
to exists inside the checkout (a clone has nothing beside it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")  # [text](target)
CODE_PATH = re.compile(r"`((?:\.\./|/)[^`\s]*)`")  # `../x` or `/x` written as a path


def test_docs_exist():
    assert {p.name for p in DOCS} >= {"README.md", "architecture.md", "domain.md", "operations.md"}


def test_links_stay_inside_the_repository():
    for doc in DOCS:
        for target in LINK.findall(doc.read_text()):
            if re.match(r"[a-z]+://", target):
                continue
            path = (doc.parent / target).resolve()
            assert path.is_relative_to(ROOT), f"{doc.name} points outside the repository: {target}"
            assert path.exists(), f"{doc.name} points to a missing file: {target}"


def test_no_file_outside_the_checkout_is_named():
    for doc in DOCS:
        for path in CODE_PATH.findall(doc.read_text()):
            assert not path.startswith("../"), f"{doc.name} names a file beside the checkout: {path}"
