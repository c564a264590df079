"""A chapter in JupyterLab, driven as a student would drive it.

:class:`Lab` converts chapters to notebooks in a scratch folder, starts a
JupyterLab server on loopback for them, and opens a notebook in headless
Chromium, where it runs every cell from the menu.  :func:`step` then
presses an arrow key on an explorer's slider and times it until the chart
has redrawn (Vega redraws in the browser; the kernel hears of the new value
afterwards).  ``tests/test_live.py`` uses it to check that the live
explorers work, and ``bench/lab.py`` (``python3 tasks.py bench live``) to
time them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.project import BOOK

IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
PROMPTS = ("[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
           ".map(p => p.textContent.trim()).filter(text => text)")
BACK = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}  # the other way

__all__ = ["Lab", "BACK", "explorers", "sliders", "step", "room", "can_step"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """JupyterLab serving `chapters` (paths of MyST notebooks) as .ipynb.

    Use as a context manager; :meth:`open` returns a Playwright page with
    the notebook loaded and every cell run.

    Parameters
    ----------
    chapters : iterable of str or Path
        MyST notebooks under ``book/chapters``, converted with jupytext.
    browser : playwright.sync_api.Browser
        From :func:`tests.support.chromium.browser`, for example.
    """

    def __init__(self, chapters, browser):
        self.chapters = [Path(c) for c in chapters]
        self.browser = browser
        self.folder = Path(tempfile.mkdtemp(prefix="lab-"))
        # Settings and workspaces of its own, so that nothing is restored
        # from another session, nor saved for one.
        self.settings = self.folder.parent / f"{self.folder.name}-settings"
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.server = self.log = None

    def __enter__(self):
        import jupytext

        # The same folders as in book/, since chapters may read ../data.
        (self.folder / "chapters").mkdir()
        for chapter in self.chapters:
            notebook = jupytext.read(chapter)
            jupytext.write(notebook, self.folder / "chapters" / f"{chapter.stem}.ipynb")
        if (BOOK / "data").is_dir():
            shutil.copytree(BOOK / "data", self.folder / "data")
        # Render every cell, not only those in view, so that every explorer
        # is there to be found.
        tracker = self.settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
        env = dict(os.environ)
        env.pop("HELPERS_BOOK_BUILD", None)     # a reader's kernel
        env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        self.log = open(self.folder / "server.log", "w")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ip=127.0.0.1", f"--port={self.port}",
             f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.folder}", "--LabApp.news_url=None",
             f"--LabApp.user_settings_dir={self.settings}",
             f"--LabApp.workspaces_dir={self.settings / 'workspaces'}",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                break
            except OSError:
                if self.server.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text()[-3000:]
                    self.__exit__()   # a raising __enter__ gets no __exit__ of its own
                    raise RuntimeError(f"JupyterLab did not start:\n{log}") from None
                time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.server = None
        if self.log is not None:
            self.log.close()
            self.log = None
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.settings, ignore_errors=True)

    def open(self, stem, timeout_s=300):
        """Open ``stem.ipynb``, run all its cells, and return the page.

        Parameters
        ----------
        stem : str
            The chapter's file name without ``.md``, e.g. ``"01-softmax"``.
        timeout_s : float, optional
            How long every cell may take to run, in all.
        """
        from playwright.sync_api import TimeoutError as NotYet

        page = self.browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{self.port}/lab/tree/chapters/{stem}.ipynb"
                  f"?token={self.token}")
        page.wait_for_selector(IDLE, timeout=120_000)
        # Run All Cells, again if the kernel was not ready to take it.
        for attempt in range(3):
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            try:
                page.wait_for_function(
                    f"() => {PROMPTS}.some(text => /^\\[(\\*|\\d+)\\]/.test(text))",
                    timeout=30_000, polling=250)
                break
            except NotYet:
                dialog = page.locator("dialog.jp-Dialog")
                if dialog.count():  # it would swallow the next click: say what it asks
                    raise RuntimeError("Run All Cells did not start; JupyterLab shows a "
                                       f"dialog: {dialog.first.inner_text()[:500]}") from None
                if attempt == 2:
                    raise
        # Done when every code cell shows its execution count, "[12]:" (a
        # folded cell, such as a solution, shows no prompt at all).
        page.wait_for_function(f"() => {PROMPTS}.every(text => /^\\[\\d+\\]/.test(text))",
                               timeout=timeout_s * 1000, polling=500)
        page.wait_for_selector(IDLE, timeout=60_000)
        return page


VEGA = ".jp-OutputArea-output .vega-embed"


def step(page, explorer, key="ArrowRight", slider=0, timeout_s=30) -> float:
    """Press `key` on the `slider`-th slider of `explorer` (a live Vega-Lite chart) and
    return the milliseconds from the key press to the new picture: the view has run
    after the slider's input."""
    handle = explorer.locator("input[type=range]").nth(slider)
    page.evaluate(
        """([el, input]) => {
             window.__redrawn = null;
             document.addEventListener('keydown', () => {
               window.__pressed = performance.now(); }, {capture: true, once: true});
             // After Vega's own listener has set the signal: wait for the view's run.
             input.addEventListener('input', () => el.bookView.runAsync().then(() => {
               window.__redrawn = performance.now(); }), {once: true});
           }""", [explorer.element_handle(), handle.element_handle()])
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function("() => window.__redrawn !== null", timeout=timeout_s * 1000)
    return page.evaluate("() => window.__redrawn - window.__pressed")


def explorers(page):
    """The live explorers on the page: Vega-Lite charts with sliders."""
    charts = page.locator(VEGA)
    return [charts.nth(i) for i in range(charts.count())
            if charts.nth(i).locator("input[type=range]").count()]


def sliders(explorer) -> int:
    """How many sliders the explorer has."""
    return explorer.locator("input[type=range]").count()


def _aria(explorer, slider=0):
    return explorer.locator("input[type=range]").nth(slider).evaluate(
        "s => [+s.value, +s.min, +s.max]")


def room(explorer, slider=0):
    """The arrow key that moves the slider towards its farther end."""
    now, low, high = _aria(explorer, slider)
    return "ArrowRight" if high - now >= now - low else "ArrowLeft"


def can_step(explorer, key, slider=0) -> bool:
    """Whether pressing `key` would still move the slider (it is not at
    that end yet)."""
    now, low, high = _aria(explorer, slider)
    return now != (high if key == "ArrowRight" else low)
