"""The book itself: build times and page weights.

* Clean build: the whole book, every notebook executed, strictly, into a
  fresh copy of ``book/`` (no ``_build``, so no jupyter-cache).  Then a
  second build of the same copy with nothing changed: the rebuild time.
* Page weight: the bytes of each page's HTML (explorers' specs and stills
  are inlined) and of the images it alone uses; the theme's shared files are
  cached across pages and not counted.

The explorers are timed by ``bench/vega.py`` (the static page) and
``bench/lab.py`` (JupyterLab): they redraw in the browser, not in a kernel.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.book import is_notebook, toc_pages
from tools.project import BOOK, ROOT, book_env, jupyter_book_command

__all__ = ["toc_pages", "is_notebook", "build_times", "page_weights"]

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
