"""Shared fixtures: the real book build, a loopback server and Chromium."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def _load_tasks():
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tasks = _load_tasks()


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book once per test run, strictly, and return its HTML folder."""
    result = subprocess.run(tasks.jupyter_book_command(tasks.BOOK), cwd=ROOT,
                            env=tasks.book_env(), capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("the book build failed:\n" + result.stdout[-6000:] + result.stderr[-4000:])
    return tasks.HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def site_url(built_book):
    """Serve the built site on loopback for the browser tests."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `python3 tasks.py test`, "
                    "which installs it, or `apt-get install chromium`.")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()
