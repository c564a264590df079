"""Debian's headless Chromium, launched through Playwright with the flags
this machine needs.

Playwright's own browser downloads are not used: ``python3 tasks.py test``
installs Debian's ``chromium`` package instead, at ``/usr/bin/chromium``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tools.project import CHROMIUM

__all__ = ["CHROMIUM", "ARGS", "launch", "browser"]

ARGS = (
    "--headless",
    "--no-sandbox",            # tests and CI often run as root, where the sandbox refuses to start
    "--disable-gpu",           # there is no GPU; software rendering is steadier
    # No request of Chromium's own (updates, sync, field trials) leaves the
    # machine: the browser tests count every non-loopback request as a failure.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


def launch(playwright):
    """Start headless Chromium with :data:`ARGS`.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        A running Playwright, from ``sync_playwright()``.

    Returns
    -------
    playwright.sync_api.Browser
        The browser; the caller closes it.

    Raises
    ------
    FileNotFoundError
        If Chromium is not installed at :data:`CHROMIUM`.
    """
    if not CHROMIUM.exists():
        raise FileNotFoundError(
            f"Chromium is missing at {CHROMIUM}: run `python3 tasks.py test`, "
            "which installs it, or `apt-get install chromium`.")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=list(ARGS))


@contextmanager
def browser() -> Iterator[object]:
    """Playwright and Chromium for the length of a ``with`` block.

    Yields
    ------
    playwright.sync_api.Browser
        Closed, with Playwright, when the block ends.

    Raises
    ------
    FileNotFoundError
        As :func:`launch`.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        running = launch(playwright)
        try:
            yield running
        finally:
            running.close()
