"""The book's pages in reading order, read from ``_toc.yml`` by sphinx-external-toc.

jupyter-book reads its table of contents with sphinx-external-toc; reading it the
same way here means the tests, the offline bundle and the build can never
disagree about which pages the book has. Unlike :mod:`tools.project`, this module
needs the project's environment (``.venv``).

Examples
--------
>>> from tools.project import BOOK
>>> from tools.toc import toc_pages
>>> toc_pages(BOOK)[:2]
['intro', 'chapters/01-softmax']
"""

from __future__ import annotations

from pathlib import Path

from sphinx_external_toc.api import GlobItem
from sphinx_external_toc.parsing import parse_toc_yaml

__all__ = ["toc_pages"]


def toc_pages(book: Path | str) -> list[str]:
    """Every page of the book's ``_toc.yml``, root first, in reading order.

    Parameters
    ----------
    book : Path or str
        The folder holding ``_toc.yml``.

    Returns
    -------
    list of str
        Paths inside `book` without their suffix, such as ``"chapters/01-softmax"``:
        the root, then each part's chapters and their sections, depth first.
        External links in the table of contents are not pages and are left out.

    Raises
    ------
    FileNotFoundError
        If `book` holds no ``_toc.yml``.
    """
    toc = Path(book) / "_toc.yml"
    if not toc.is_file():
        raise FileNotFoundError(f"toc_pages(book=...): no _toc.yml in {book}")
    site = parse_toc_yaml(toc)
    pages: list[str] = []

    def walk(docname: str) -> None:
        pages.append(docname)
        for tree in site[docname].subtrees:
            for item in tree.items:
                # A subtree item is a document's name, a URL or a glob pattern
                # (jupyter-book expands globs itself; the book uses none).
                if isinstance(item, str) and not isinstance(item, GlobItem):
                    walk(item)

    walk(site.root.docname)
    return pages


def is_notebook(path: Path | str) -> bool:
    """Whether `path` is a MyST notebook: a file whose front matter has a jupytext
    header (``intro.md``, plain Markdown, has none).

    Examples
    --------
    >>> from tools.project import BOOK
    >>> is_notebook(BOOK / "chapters" / "01-softmax.md"), is_notebook(BOOK / "intro.md")
    (True, False)
    """
    path = Path(path)
    return path.is_file() and "jupytext:" in path.read_text(encoding="utf-8")[:400]


def notebook_pages(book: Path | str) -> list[str]:
    """The pages of :func:`toc_pages` that are MyST notebooks, in reading order."""
    return [page for page in toc_pages(book) if is_notebook(Path(book) / f"{page}.md")]
