"""Shared fixtures: the real book build, a loopback server and Chromium.

The code behind them is in ``tests/support`` (shared with ``bench/`` and
``tools/``); the build settings are in ``tools/project.py`` (shared with
``tasks.py``).  pytest's ``pythonpath`` (``pyproject.toml``) puts the
repository root and ``tests/`` on the path, so nothing here edits it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support import chromium
from tests.support.server import serve
from tools import project
from tools.project import ROOT

__all__ = ["ROOT"]

# tests/support is imported as ``tests.support``; collected for its doctests
# it would be imported a second time, as ``support``.
collect_ignore = ["support"]


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book once per test run, strictly, and return its HTML folder."""
    result = subprocess.run(project.jupyter_book_command(project.BOOK), cwd=ROOT,
                            env=project.book_env(), capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("the book build failed:\n" + result.stdout[-6000:] + result.stderr[-4000:])
    return project.HTML


@pytest.fixture(scope="session")
def site_url(built_book):
    """Serve the built site on loopback for the browser tests."""
    with serve(built_book) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    pytest.importorskip("playwright.sync_api")
    try:
        with chromium.browser() as running:
            yield running
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
