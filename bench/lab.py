"""A chapter in JupyterLab, driven as a student would drive it.

:class:`Lab` converts chapters to notebooks in a scratch folder, starts a
JupyterLab server on loopback for them, and opens a notebook in headless
Chromium, where it runs every cell from the menu.  :func:`step` then
presses an arrow key on an explorer's slider and waits for the figure to
change, timing the whole round trip: browser, kernel, redraw and back.
The browser tests use it to check that the live explorers work, and
``python3 tasks.py bench book`` to time them.
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

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
PROMPTS = ("[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
           ".map(p => p.textContent.trim()).filter(text => text)")
BACK = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}  # the other way
PAUSE_S = 15.0   # how long a reader looks before moving a slider again

__all__ = ["Lab", "BACK", "explorers", "step", "room", "image_bytes", "measure", "measure_book"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """JupyterLab serving `chapters` (paths of MyST notebooks) as .ipynb.

    Use as a context manager; :meth:`open` returns a Playwright page with
    the notebook loaded and every cell run.
    """

    def __init__(self, chapters, browser):
        self.chapters = [Path(c) for c in chapters]
        self.browser = browser
        self.folder = Path(tempfile.mkdtemp(prefix="lab-"))
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.server = None

    def __enter__(self):
        import jupytext

        # The same folders as in book/, since chapters read ../data.
        (self.folder / "chapters").mkdir()
        for chapter in self.chapters:
            notebook = jupytext.read(chapter)
            jupytext.write(notebook, self.folder / "chapters" / f"{chapter.stem}.ipynb")
        shutil.copytree(ROOT / "book" / "data", self.folder / "data")
        # Render every cell, not only those in view, so that every explorer
        # is there to be found.  Settings and workspaces of its own, so that
        # nothing is restored from another session, nor saved for one.
        settings = self.folder.parent / f"{self.folder.name}-settings"
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
        self.settings = settings
        env = dict(os.environ)
        env.pop("HELPERS_EXPLORER_FRAMES", None)     # a reader's kernel
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
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (self.folder / "server.log").read_text()[-3000:])
                time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.settings, ignore_errors=True)

    def open(self, stem, timeout_s=300):
        """Open ``stem.ipynb``, run all its cells, and return the page."""
        page = self.browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{self.port}/lab/tree/chapters/{stem}.ipynb"
                  f"?token={self.token}")
        page.wait_for_selector(IDLE, timeout=120_000)
        from playwright.sync_api import TimeoutError as NotYet

        # Run All Cells, again if the kernel was not ready to take it.
        for attempt in range(3):
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            try:
                page.wait_for_function(f"() => {PROMPTS}.some(text => /^\\[(\\*|\\d+)\\]/.test(text))",
                                       timeout=30_000, polling=250)
                break
            except NotYet:
                if attempt == 2:
                    raise
        # Done when every code cell shows its execution count, "[12]:" (a
        # folded cell, such as a solution, shows no prompt at all).
        page.wait_for_function(f"() => {PROMPTS}.every(text => /^\\[\\d+\\]/.test(text))",
                               timeout=timeout_s * 1000, polling=500)
        page.wait_for_selector(IDLE, timeout=60_000)
        return page


def image_bytes(page, image) -> bytes:
    """The PNG bytes an ipywidgets Image shows (its src is a blob URL)."""
    values = page.evaluate(
        """async img => Array.from(new Uint8Array(
               await (await fetch(img.src)).arrayBuffer()))""", image)
    return bytes(values)


def step(page, explorer, key="ArrowRight", slider=0, timeout_s=30) -> float:
    """Press `key` on the `slider`-th slider of `explorer` (a widget box) and
    return the milliseconds from the key press to the new figure."""
    image = explorer.locator(".widget-image").element_handle()
    page.evaluate(
        """img => {
             window.__redrawn = null;
             document.addEventListener('keydown', () => { window.__pressed = performance.now(); },
                                       {capture: true, once: true});
             const watch = new MutationObserver(() => {
               watch.disconnect(); window.__redrawn = performance.now(); });
             watch.observe(img, {attributes: true, attributeFilter: ['src']});
           }""", image)
    handle = explorer.locator(".noUi-handle").nth(slider)
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function("() => window.__redrawn !== null", timeout=timeout_s * 1000)
    return page.evaluate("() => window.__redrawn - window.__pressed")


def explorers(page):
    """The live explorers on the page: widget boxes that hold an Image."""
    boxes = page.locator(".jupyter-widgets.widget-vbox")
    return [boxes.nth(i) for i in range(boxes.count())
            if boxes.nth(i).locator(".widget-image").count()]


def _aria(explorer, slider=0):
    handle = explorer.locator(".noUi-handle").nth(slider)
    return [float(handle.get_attribute(f"aria-value{k}")) for k in ("now", "min", "max")]


def room(explorer, slider=0):
    """The arrow key that moves the slider towards its farther end (from
    the handle's ARIA values)."""
    now, low, high = _aria(explorer, slider)
    return "ArrowRight" if high - now >= now - low else "ArrowLeft"


def _steps(page, explorer, key, most):
    """Press `key` up to `most` times, while the slider can still move."""
    times = []
    for _ in range(most):
        now, low, high = _aria(explorer)
        if now == (high if key == "ArrowRight" else low):
            break
        times.append(step(page, explorer, key))
    return times


def measure(chapter, browser, steps=3, pause_s=PAUSE_S):
    """Step every explorer's first slider in a fresh JupyterLab.

    Returns a list, one entry per explorer, of ``{"first_ms": [...],
    "later_ms": [...]}``: `steps` presses of an arrow key just after the
    notebook ran, as a reader starts to drag (the first press also starts
    the drawing ahead), then, after `pause_s` seconds, `steps` presses of
    the other arrow, back over the same values.
    """
    chapter = Path(chapter)
    with Lab([chapter], browser) as lab:
        page = lab.open(chapter.stem)
        boxes = explorers(page)
        keys = [room(box) for box in boxes]
        found = [{"first_ms": _steps(page, box, key, steps)} for box, key in zip(boxes, keys)]
        time.sleep(pause_s)
        for box, key, times in zip(boxes, keys, found):
            times["later_ms"] = _steps(page, box, BACK[key], len(times["first_ms"]))
        page.close()
    return found


def measure_book(pages, steps=3, pause_s=PAUSE_S):
    """:func:`measure` for each page (paths of MyST notebooks) in one
    headless Chromium: ``{page stem: [per explorer results]}``, or
    ``{"error": message}`` for a page that could not be driven."""
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for page in pages:
                try:
                    found[Path(page).stem] = measure(page, browser, steps, pause_s)
                except Exception as exc:  # report it, and go on with the others
                    found[Path(page).stem] = {"error": str(exc).strip().splitlines()[0][:200]}
        finally:
            browser.close()
    return found
