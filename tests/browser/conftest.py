"""A real Chromium reading the built site, as a reader would.

The site is built once per engine (MkDocs with Material, and Zensical: every test that reads a
site runs for both, its name ending in [mkdocs] or [zensical]) from the minimal fixture plus the
reader fixture (an approved article with audience passages and a wide table), and the
repository's own sample site where a test reads a sample article; each is served on 127.0.0.1 by
a thread, and read with Playwright driving Debian's chromium: no browser is downloaded
(scripts/test installs chromium with apt-get when it is missing). Screenshots go to
test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    sync_playwright,
)

from tests.conftest import FIXTURES, REPO, TODAY, copy_project
from tests.signing import sign_project

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
ENGINES = ["mkdocs", "zensical"]


@pytest.fixture(scope="package", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine that renders the sites: pytest runs every test that reads a site once per
    engine, grouped so that each site is built once per engine."""
    name: str = request.param
    return name


def _build(root: Path, engine: str) -> Path:
    built = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--engine", engine],
        cwd=root,
        env={**os.environ, "PIPELINE_TODAY": TODAY},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return root / "site"


@pytest.fixture(scope="package")
def site(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("reader") / "project")
    shutil.copytree(FIXTURES / "reader", root, dirs_exist_ok=True)
    sign_project(root)
    return _build(root, engine)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site like a static host: a missing page gets 404.html with status 404."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="package")
def sample_site(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own sample site, as readers get it (its approvals are signed with the
    board's committed public keys)."""
    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "references", "overrides", "mkdocs.yml", "pipeline.yml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    return _build(root, engine)


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="package")
def base_url(site: Path) -> Iterator[str]:
    yield from _serve(site)


@pytest.fixture(scope="package")
def sample_url(sample_site: Path) -> Iterator[str]:
    yield from _serve(sample_site)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Package scope, like every fixture here: while Playwright's sync API is open it keeps an
    asyncio event loop running in this thread, so it must close when the browser tests end, or
    every later test that calls asyncio.run (the registry client does) fails."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/test, which installs Debian's chromium")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP)
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, engine: str, name: str) -> Path:
    """test-artifacts/screenshots/<engine>/<name>.png: the whole page, for a person to look at."""
    folder = SCREENSHOTS / engine
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def search(page: Page, term: str) -> Locator:
    """Search the site for `term` as a reader does, typing it key by key; the results.

    Material's search field sits in the header; Zensical's opens in a dialog from the header's
    "Search" button. Zensical lists its results as options of a listbox; Material's results have
    no role of their own."""
    field = page.get_by_role("textbox", name="Search").or_(
        page.get_by_role("combobox", name="Search")
    )
    if not field.is_visible():
        page.get_by_role("button", name=re.compile(r"^Search\b")).click()
    field.click()
    field.fill("")
    field.press_sequentially(term)
    return page.locator(".md-search-result__item").or_(
        page.get_by_role("listbox", name="Search results").get_by_role("option")
    )


def search_summary(page: Page) -> Locator:
    """What the search says about its results ("1 matching document", "No results")."""
    return page.locator(".md-search-result__meta").or_(
        page.get_by_role("dialog", name="Search").get_by_role("status")
    )
