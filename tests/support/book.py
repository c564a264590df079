"""The pages of the book, as its table of contents lists them."""

from __future__ import annotations

from pathlib import Path

import tools.toc
from tools.project import BOOK

__all__ = ["toc_pages", "is_notebook", "notebooks", "chapter_namespace"]


def toc_pages(book: Path = BOOK) -> list[str]:
    """Every page of ``_toc.yml``, root first, as paths without ``.md``.

    Parameters
    ----------
    book : Path, optional
        The folder holding ``_toc.yml``; the real book by default.

    Returns
    -------
    list of str
        Such as ``["intro", "chapters/01-softmax", ...]``, parts, chapters
        and their sections in reading order.
    """
    return tools.toc.toc_pages(book)


def is_notebook(path: Path) -> bool:
    """Whether `path` is a MyST notebook (:func:`tools.toc.is_notebook`)."""
    return tools.toc.is_notebook(path)


def notebooks(book: Path = BOOK) -> list[str]:
    """The pages of :func:`toc_pages` that are notebooks."""
    return tools.toc.notebook_pages(book)


def chapter_namespace(chapter: Path, stop) -> dict:
    """The names a chapter's code cells define, run in order until ``stop(markdown)`` is true.

    Figures are closed instead of shown, and IPython's line magics (``%config``), which
    mean nothing outside a kernel, are skipped.
    """
    import jupytext
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {}
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")   # no window, no warning
    try:
        for cell in jupytext.read(chapter).cells:
            if cell.cell_type == "markdown" and stop(cell.source):
                break
            if cell.cell_type == "code":
                source = "\n".join(line for line in cell.source.splitlines()
                                   if not line.startswith("%"))
                exec(compile(source, str(chapter), "exec"), namespace)
    finally:
        plt.show = show
        plt.close("all")
    return namespace
