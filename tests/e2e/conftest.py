"""Browser tests: the real app served on loopback, driven by Debian's Chromium through the
Python playwright package (no browser download). Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import pathlib
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import CI

ARTIFACTS = pathlib.Path(__file__).parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def fits_the_screen(page) -> bool:
    """Nothing wider than the screen, measured once the page and its stylesheet have loaded: a
    click's navigation can hand back the new page before app.css applies, when a table is still
    laid out unstyled and wider than a phone."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def reaching_past(page, scope: str = "body", skip: str | None = None) -> list[str]:
    """The elements in `scope` whose right edge is past the screen's (outside any `skip`, such as
    the table heads a phone hides), named with their text, once the page has loaded."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """([scope, skip]) => [...document.querySelectorAll(scope + ' *')]
        .filter(e => !(skip && e.closest(skip)) && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + (e.textContent || '').slice(0, 40))""",
        [scope, skip],
    )


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the run (each test gets its own context, so nothing is shared but the
    process); launching one per module and backend cost a few seconds each time."""
    path = chromium_path()
    if path is None:
        if CI:
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def live_server(app, db):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
