"""Where the book lives and how it is built strictly: one definition for
``tasks.py``, the tests, the benchmarks and the preview tool.

Only the standard library is used, because ``python3 tasks.py`` imports
this module on a fresh machine before ``.venv`` exists.

Examples
--------
>>> from tools.project import BOOK, HTML, jupyter_book_command
>>> HTML.relative_to(BOOK).as_posix()
'_build/html'
>>> jupyter_book_command(BOOK)[-3:]
['-W', '-n', '--keep-going']
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "VENV", "BIN", "PYTHON", "BOOK", "HTML", "NO_SOLUTIONS",
           "NO_SOLUTIONS_HTML", "CHROMIUM", "book_env", "jupyter_book_command"]

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"
# The edition without solutions, for courses that grade the exercises.
NO_SOLUTIONS = BOOK / "_build" / "no-solutions"
NO_SOLUTIONS_HTML = NO_SOLUTIONS / "_build" / "html"
# Debian's Chromium: the browser tests, the benchmarks and the preview drive it.
CHROMIUM = Path("/usr/bin/chromium")


def book_env(*, no_solutions: bool = False) -> dict[str, str]:
    """The environment for a build: ``HELPERS_BOOK_BUILD=1`` (explorers give no widget).

    Parameters
    ----------
    no_solutions : bool, optional
        Build the edition without solutions (``BOOK_NO_SOLUTIONS=1``, read
        by ``book/_ext/book_html.py``).

    Returns
    -------
    dict of str to str
        A copy of ``os.environ`` with ``.venv``'s scripts first on ``PATH``.

    Examples
    --------
    >>> env = book_env(no_solutions=True)
    >>> env["HELPERS_BOOK_BUILD"], env["BOOK_NO_SOLUTIONS"]
    ('1', '1')
    """
    env = dict(os.environ)
    env["HELPERS_BOOK_BUILD"] = "1"
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["BOOK_NO_SOLUTIONS"] = "1" if no_solutions else "0"
    return env


def jupyter_book_command(book: Path = BOOK, *extra: str) -> list[str]:
    """The strict build of `book`: warnings are errors, and every notebook runs.

    Parameters
    ----------
    book : Path, optional
        The folder holding ``_config.yml`` and ``_toc.yml``; the real book
        by default, or a scratch copy.
    *extra : str
        More options for ``jupyter-book build``.

    Returns
    -------
    list of str
        The command, for :func:`subprocess.run` with :func:`book_env`.

    Examples
    --------
    >>> jupyter_book_command(Path("scratch"), "--all")[1:4]
    ['build', 'scratch', '--builder']
    """
    return [str(BIN / "jupyter-book"), "build", str(book), "--builder", "html",
            "-W", "-n", "--keep-going", *extra]
