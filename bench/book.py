"""The book itself: build times, explorer latency and page weights.

* Clean build: the whole book, every notebook executed, strictly, into a
  fresh copy of ``book/`` (no ``_build``, so no jupyter-cache).  Then a
  second build of the same copy with nothing changed: the rebuild time.
* Explorer latency: each page of the table of contents is executed with
  nbclient in a live kernel, without ``HELPERS_EXPLORER_FRAMES`` (as a
  reader's kernel would be).  Then, in the same kernel, every explorer the
  page left behind (in a variable, or as a cell's result) has each of its
  controls moved to a few values through its ipywidgets control, and the
  time from the change to the redrawn image is recorded: first with the
  background drawing turned off, so that every new combination is drawn
  on demand (a return to a remembered one is timed apart), then again
  once the background process has drawn every frame, with the time it
  took.
* Page weight: the bytes of each page's HTML (explorer frames are inlined)
  and of the images it alone uses; the theme's shared files are cached
  across pages and not counted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.book import is_notebook, toc_pages
from tools.project import BOOK, ROOT, book_env, jupyter_book_command

__all__ = ["toc_pages", "is_notebook", "build_times", "explorer_latency", "page_weights"]

MARKER = "BENCH-EXPLORERS "

# Run in the chapter's kernel after its own cells.  Moving the ipywidgets
# control runs exactly what a reader's slider runs: the explorer's observer
# redraws the figure and swaps the image.
PROBE = """
import json as _json, os as _os, statistics as _stats, time as _time
from helpers.explorer import Explorer as _Explorer, _frame_key
_seen, _found = set(), {}
_candidates = list(globals().items()) + [
    (f"Out[{k}]", v) for k, v in globals().get("Out", {}).items()]

def _sweep(_ex, _inputs):
    # Move each control to a few values and back: {"new": [s], "remembered": [s]}.
    _times = {"new": [], "remembered": []}
    for _control, _widget in _inputs.items():
        _grid = _ex.controls[_control].values()
        _picks = [_grid[i] for i in sorted({0, len(_grid) // 3, 2 * len(_grid) // 3,
                                            len(_grid) - 1})]
        for _value in _picks + _picks[::-1]:
            if _widget.value == _value:
                continue
            _key = _frame_key(dict(_ex.values, **{_control: _value}))
            _kind = "remembered" if _key in _ex._live.frames else "new"
            _start = _time.perf_counter()
            _widget.value = _value          # the observer redraws the image
            _times[_kind].append(_time.perf_counter() - _start)
    return _times

def _ms(_times):
    return 1e3 * _stats.median(_times) if _times else None

for _name, _ex in _candidates:
    if not isinstance(_ex, _Explorer) or id(_ex) in _seen or _name.startswith("_"):
        continue
    _seen.add(id(_ex))
    _box = _ex.widget()
    _inputs = dict(zip(_ex.controls, _box.children[0].children))
    _os.environ["HELPERS_EXPLORER_AHEAD"] = "0"      # first, every frame drawn on demand
    _drawn = _sweep(_ex, _inputs)
    del _os.environ["HELPERS_EXPLORER_AHEAD"]
    _start = _time.perf_counter()
    _ahead = _ex.draw_ahead()
    if _ahead:
        _ex._live.ahead.wait(600)
    _ahead_s = _time.perf_counter() - _start
    _ready = _sweep(_ex, _inputs)                     # then, as a reader finds it
    if _drawn["new"]:
        _label = getattr(_ex.draw, "__name__", _name)
        while _label in _found:
            _label += "'"
        _found[_label] = {
            "median_ms": _ms(_drawn["new"]), "max_ms": 1e3 * max(_drawn["new"]),
            "moves": len(_drawn["new"]), "remembered_ms": _ms(_drawn["remembered"]),
            "frames": _ex.num_frames, "ahead_s": _ahead_s if _ahead else None,
            "ready_ms": _ms(_ready["new"] + _ready["remembered"]),
            "ready_max_ms": 1e3 * max(_ready["new"] + _ready["remembered"], default=0)}
print("BENCH-EXPLORERS " + _json.dumps(_found))
"""


def _copy_book(where):
    book = where / "book"
    shutil.copytree(BOOK, book, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    return book


def _timed_build(book, log):
    start = time.perf_counter()
    result = subprocess.run(jupyter_book_command(book), cwd=ROOT,
                            env=book_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    log.write_text(result.stdout + result.stderr)
    return elapsed, result.returncode == 0


def build_times(keep=None):
    """Seconds for a clean build and for a rebuild with no change.

    Returns ``{"clean_s", "rebuild_s", "clean_ok", "rebuild_ok", "html"}``;
    the built copy stays in `keep` (a folder) if given, else in a
    temporary folder that is removed, so ``html`` is only useful with keep.
    """
    where = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-book-"))
    if (where / "book").exists():
        shutil.rmtree(where / "book")
    where.mkdir(parents=True, exist_ok=True)
    book = _copy_book(where)
    clean, clean_ok = _timed_build(book, where / "clean-build.log")
    rebuild, rebuild_ok = _timed_build(book, where / "rebuild.log")
    result = {"clean_s": clean, "rebuild_s": rebuild, "clean_ok": clean_ok,
              "rebuild_ok": rebuild_ok, "html": str(book / "_build" / "html"),
              "logs": str(where)}
    if not keep:
        shutil.rmtree(where, ignore_errors=True)
    return result


def explorer_latency(pages=None, timeout=900):
    """``{page: {explorer: {"median_ms", "max_ms", "moves"}}}``, per notebook.

    A page whose execution fails gets ``{"error": message}`` instead.
    """
    import jupytext
    import nbclient
    import nbformat

    env_frames = os.environ.pop("HELPERS_EXPLORER_FRAMES", None)
    os.environ.setdefault("MPLBACKEND", "Agg")
    found = {}
    try:
        for page in pages or toc_pages():
            path = BOOK / f"{page}.md"
            if not is_notebook(path):
                continue
            notebook = jupytext.read(path)
            notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
            client = nbclient.NotebookClient(
                notebook, timeout=timeout, kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}})
            try:
                client.execute()
            except Exception as exc:  # report it, and go on with the others
                found[page] = {"error": str(exc).strip().splitlines()[-1][:200]}
                continue
            found[page] = _probe_result(notebook.cells[-1])
    finally:
        if env_frames is not None:
            os.environ["HELPERS_EXPLORER_FRAMES"] = env_frames
    return found


def _probe_result(cell):
    for output in cell.get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER):])
    return {}


def page_weights(html, pages=None):
    """``{page: {"html": bytes, "images": bytes}}`` for each TOC page."""
    html = Path(html)
    weights = {}
    for page in pages or toc_pages():
        path = html / f"{page}.html"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        images = set(re.findall(r'src="((?:\.\./)*_images/[^"]+)"', text))
        image_bytes = sum((path.parent / src).stat().st_size for src in images
                          if (path.parent / src).exists())
        weights[page] = {"html": path.stat().st_size, "images": image_bytes}
    return weights
