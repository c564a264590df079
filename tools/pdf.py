"""The whole book as one PDF, through jupyter-book's LaTeX builder and XeLaTeX.

    .venv/bin/python -m tools.pdf          # install TeX on first use, build, check
    .venv/bin/python -m tools.pdf --check  # only check an existing PDF and its log
    .venv/bin/python -m tools.pdf --no-solutions   # the edition without solutions

The PDF holds the solutions, each right after its exercise, as the HTML book
does (folded there); ``--no-solutions`` builds the students' edition instead,
to ``book/_build/no-solutions/_build/latex/book.pdf``, with the same
execution cache.

``python3 tasks.py pdf`` runs this with the virtual environment's Python.
The build is as strict as the HTML one (Sphinx's ``-W -n --keep-going``);
after LaTeX has run, the log is read again, because XeLaTeX only *reports* a
character that no font has (``Missing character``) and goes on, leaving a
hole in the page.  Those, and any LaTeX error, fail the build here.

The Debian packages are installed on first use with ``apt-get`` (as root or
through ``sudo``), as ``tasks.py`` installs Chromium for the browser tests.
Only the standard library is used, so the module also runs before the
book's packages are installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.project import BIN, BOOK, NO_SOLUTIONS, ROOT, book_env

__all__ = ["LATEX", "PDF", "LOG", "TEX_PACKAGES", "missing_tools", "ensure_tex",
           "pdf_command", "log_problems", "build", "main"]

#: Where jupyter-book's LaTeX builder writes: the .tex, the log and the PDF.
LATEX = BOOK / "_build" / "latex"
#: The PDF (its name is ``latex_documents: targetname:`` in ``book/_config.yml``).
PDF = LATEX / "book.pdf"
LOG = LATEX / "book.log"

#: Debian's packages for the PDF (Sphinx's list for XeLaTeX, and poppler).
TEX_PACKAGES = (
    "texlive-xetex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "latexmk",
    # Sphinx's index with XeLaTeX and any non-ASCII entry.
    "xindy",
    "make",
    # FreeFont, Sphinx's default fonts for XeLaTeX: with Latin Modern Math
    # (from texlive-fonts-recommended) it covers every character the book
    # prints (Greek, subscript digits, arrows, ≈, ⊤), which the log checks.
    "fonts-freefont-otf",
    # pdftotext, pdfinfo and pdfimages, for the tests and `--check`.
    "poppler-utils",
)


def missing_tools() -> list[str]:
    """The Debian packages of :data:`TEX_PACKAGES` that are not installed.

    Returns
    -------
    list of str
        Package names, in the order of :data:`TEX_PACKAGES`; empty when
        everything the PDF needs is there.  Off Debian (no ``dpkg-query``),
        only whether ``xelatex``, ``latexmk`` and ``pdftotext`` are on the
        ``PATH`` is known, and nothing is listed when they are.
    """
    if shutil.which("dpkg-query") is None:
        tools = ("xelatex", "latexmk", "pdftotext")
        return [] if all(shutil.which(tool) for tool in tools) else list(TEX_PACKAGES)
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n",
                             *TEX_PACKAGES], capture_output=True, text=True)
    installed = {line.split()[0] for line in result.stdout.splitlines()
                 if line.endswith(" installed")}
    return [package for package in TEX_PACKAGES if package not in installed]


def ensure_tex() -> None:
    """Install the packages :func:`missing_tools` names, with ``apt-get``.

    Raises
    ------
    SystemExit
        If some are missing and there is no ``apt-get`` (or no ``sudo`` for
        a user other than root) to install them.
    """
    missing = missing_tools()
    if not missing:
        return
    apt = shutil.which("apt-get")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if apt is None or (sudo and shutil.which("sudo") is None):
        sys.exit("The PDF needs these Debian packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    started = time.monotonic()
    for cmd in ([*sudo, apt, "update", "-qq"],
                # No recommends: they would add the whole TeX documentation.
                [*sudo, apt, "install", "-y", "-qq", "--no-install-recommends", *missing]):
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, env=env)
    print(f"TeX installed in {time.monotonic() - started:.0f} s", flush=True)


def pdf_command(book: Path = BOOK, *extra: str) -> list[str]:
    """The strict LaTeX build of `book`, as :func:`tools.project.jupyter_book_command`.

    Parameters
    ----------
    book : Path, optional
        The folder holding ``_config.yml``; the real book by default.
    *extra : str
        More options for ``jupyter-book build``.

    Returns
    -------
    list of str
        The command, for :func:`subprocess.run` with :func:`tools.project.book_env`.

    Examples
    --------
    >>> pdf_command(Path("scratch"))[1:5]
    ['build', 'scratch', '--builder', 'pdflatex']
    >>> pdf_command()[-3:]
    ['-W', '-n', '--keep-going']
    """
    return [str(BIN / "jupyter-book"), "build", str(book), "--builder", "pdflatex",
            "-W", "-n", "--keep-going", *extra]


_PROBLEMS = re.compile(
    r"^(?:Missing character: .*|! .*|LaTeX Error: .*|.*Undefined control sequence.*"
    r"|LaTeX Warning: (?:There were undefined references|Float too large).*"
    r"|LaTeX Warning: (?:Hyper reference|Reference|Citation) .*)$",
    re.MULTILINE)


def log_problems(log: str) -> list[str]:
    """The lines of a LaTeX log that mean the PDF is wrong.

    A character no font has (XeLaTeX goes on without it), a LaTeX error
    (``! ...``), an undefined macro, a link or citation with no target
    (printed as plain text) and a figure taller than the page.  Overfull
    boxes and the like are layout notes, not faults, and are not listed.

    Parameters
    ----------
    log : str
        The text of the log, such as ``book/_build/latex/book.log``.

    Returns
    -------
    list of str
        The offending lines, each once, in order.

    Examples
    --------
    >>> log_problems("Overfull \\\\hbox\\nMissing character: There is no ✔ in font x!\\n")
    ['Missing character: There is no ✔ in font x!']
    >>> log_problems("Output written on book.pdf (3 pages).")
    []
    """
    if not isinstance(log, str):
        raise TypeError(f"log must be the log's text (str), got {type(log).__name__}")
    return list(dict.fromkeys(match.group(0).strip() for match in _PROBLEMS.finditer(log)))


def build(book: Path = BOOK, *, no_solutions: bool = False) -> Path:
    """Install TeX if need be, build the PDF strictly and check its log.

    Parameters
    ----------
    book : Path, optional
        The book's folder; the PDF lands in ``<book>/_build/latex``.
    no_solutions : bool, optional
        Build the edition without solutions (``BOOK_NO_SOLUTIONS=1``) to
        ``book/_build/no-solutions/_build/latex`` instead.

    Returns
    -------
    Path
        The PDF.

    Raises
    ------
    SystemExit
        If the build fails, or the log shows a missing character or an error.
    """
    ensure_tex()
    started = time.monotonic()
    extra = ["--path-output", str(NO_SOLUTIONS)] if no_solutions else []
    cmd = pdf_command(book, *extra)
    print("+", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=book_env(no_solutions=no_solutions))
    out = NO_SOLUTIONS if no_solutions else Path(book)
    pdf = out / "_build" / "latex" / PDF.name
    if result.returncode != 0 or not pdf.exists():
        sys.exit(f"The PDF build failed (exit status {result.returncode}).")
    check(pdf)
    print(f"\nThe PDF is at {pdf} (built in {time.monotonic() - started:.0f} s)")
    return pdf


def check(pdf: Path = PDF) -> None:
    """Fail if the LaTeX log beside `pdf` lists a problem (:func:`log_problems`)."""
    log = pdf.with_suffix(".log")
    if not log.exists():
        sys.exit(f"No LaTeX log at {log}: build the PDF first.")
    problems = log_problems(log.read_text(encoding="utf-8", errors="replace"))
    if problems:
        sys.exit(f"{log} shows {len(problems)} problem(s):\n  " + "\n  ".join(problems[:40]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check the existing PDF's LaTeX log")
    parser.add_argument("--no-solutions", action="store_true",
                        help="the edition without solutions, in "
                             "book/_build/no-solutions/_build/latex")
    ns = parser.parse_args(argv)
    if ns.check:
        pdf = NO_SOLUTIONS / "_build" / "latex" / PDF.name if ns.no_solutions else PDF
        check(pdf)
        print(f"{pdf}: the log is clean")
    else:
        build(no_solutions=ns.no_solutions)


if __name__ == "__main__":
    main()
