#!/usr/bin/env python3
"""Set up, build and test the book with one command each.

    python3 tasks.py build   # make .venv on first use, build book/_build/html
    python3 tasks.py test    # make .venv on first use, run the whole test suite
    python3 tasks.py bench   # benchmarks: speed, accuracy, the book (bench/run.py)
    python3 tasks.py pdf     # the whole book as one PDF (XeLaTeX; TeX on first use)
    python3 tasks.py dist    # dist/: the HTML site zipped, the notebooks, the PDF
    python3 tasks.py freeze  # store the exercises' expected results (grading/freeze.py)

    python3 tasks.py build --no-solutions   # the edition without solutions,
                                            # in book/_build/no-solutions/_build/html

Only the standard library is used, here and in ``tools/project.py`` (the
paths and the strict build command, which the tests and the benchmarks
share), so this runs on a fresh machine with nothing but Python 3.11 or
newer.  The virtual environment lives in ``.venv`` and is reinstalled
whenever a requirements file changes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys

from tools.project import (BOOK, CHROMIUM, HTML, NO_SOLUTIONS, NO_SOLUTIONS_HTML, PYTHON,
                           ROOT, VENV, book_env, jupyter_book_command)


def _run(*cmd: object, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


def _requirements_digest(files: list[str]) -> str:
    digest = hashlib.sha256()
    for name in files + ["pyproject.toml"]:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv(*, test: bool = False) -> None:
    """Create ``.venv`` and install the pinned requirements if they changed."""
    files = ["requirements.txt"] + (["requirements-test.txt"] if test else [])
    stamp = VENV / f".installed-{'test' if test else 'book'}"
    digest = _requirements_digest(files)
    if stamp.exists() and stamp.read_text() == digest:
        return
    test_stamp = VENV / ".installed-test"
    if not test and test_stamp.exists() and test_stamp.read_text() == _requirements_digest(
            ["requirements.txt", "requirements-test.txt"]):
        return  # the test environment holds the book's environment
    if not PYTHON.exists():
        _run(sys.executable, "-m", "venv", VENV)
        _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip==25.3")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-r", files[-1])
    # Build matplotlib's font cache now: its first-run notice on stderr
    # would otherwise fail the strict build.
    _run(PYTHON, "-c", "import matplotlib.pyplot")
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests, if we can."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if apt is None or (sudo and shutil.which("sudo") is None):
        sys.exit(f"The browser tests need Chromium at {CHROMIUM}: "
                 "install Debian's 'chromium' package.")
    _run(*sudo, apt, "update", "-qq")
    _run(*sudo, apt, "install", "-y", "-qq", "chromium")


def build(extra: list[str] | None = None, *, no_solutions: bool = False) -> None:
    """Set up on first use, then build the book to book/_build/html.

    With `no_solutions`, build the edition without solutions instead, to
    book/_build/no-solutions/_build/html (the normal book is left alone).
    """
    ensure_venv()
    extra = list(extra or [])
    if no_solutions:
        extra = ["--path-output", str(NO_SOLUTIONS), *extra]
    _run(*jupyter_book_command(BOOK, *extra), env=book_env(no_solutions=no_solutions))
    print(f"\nThe book is at {(NO_SOLUTIONS_HTML if no_solutions else HTML) / 'index.html'}")


def test(pytest_args: list[str]) -> None:
    """Run the whole suite: unit tests, doctests, the build and the browser."""
    ensure_venv(test=True)
    ensure_chromium()
    _run(PYTHON, "-m", "pytest", *pytest_args, env=book_env())


def bench(args: list[str]) -> None:
    """Run the benchmarks (they need SciPy, so the test environment)."""
    ensure_venv(test=True)
    _run(PYTHON, "-m", "bench.run", *args)


def pdf(args: list[str]) -> None:
    """Build the book as one PDF, installing Debian's TeX on first use (tools/pdf.py)."""
    ensure_venv()
    _run(PYTHON, "-m", "tools.pdf", *args)


def dist(args: list[str]) -> None:
    """Write the offline bundle to dist/ (tools/dist.py), building what is missing."""
    ensure_venv()
    _run(PYTHON, "-m", "tools.dist", *args)


def freeze(args: list[str]) -> None:
    """Store what grading/'s references and mistakes give, as the checks' package data."""
    ensure_venv()
    _run(PYTHON, "-m", "grading.freeze", *args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "test", "setup", "bench", "pdf", "dist",
                                            "freeze"])
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="passed on to jupyter-book (build) or pytest (test); "
                             "build also takes --no-solutions: the edition without "
                             "solutions, in book/_build/no-solutions/_build/html; "
                             "pdf takes --no-solutions and --check, dist --out DIR and --rebuild, "
                             "freeze --check")
    ns = parser.parse_args(argv)
    if ns.command == "build":
        no_solutions = "--no-solutions" in ns.args
        build([a for a in ns.args if a != "--no-solutions"], no_solutions=no_solutions)
    elif ns.command == "test":
        test(ns.args)
    elif ns.command == "bench":
        bench(ns.args)
    elif ns.command == "pdf":
        pdf(ns.args)
    elif ns.command == "dist":
        dist(ns.args)
    elif ns.command == "freeze":
        freeze(ns.args)
    else:
        ensure_venv(test=True)


if __name__ == "__main__":
    main()
