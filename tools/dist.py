"""The offline bundle: the HTML site, the chapters as notebooks and the PDF.

    .venv/bin/python -m tools.dist            # build what is missing, write dist/
    .venv/bin/python -m tools.dist --out DIR  # somewhere else

``python3 tasks.py dist`` runs this with the virtual environment's Python.
It writes, with ``<v>`` the package's ``helpers.__version__``:

- ``softmax-book-html-<v>.zip``: the built site in one folder,
  ``softmax-book-<v>/``; open its ``index.html`` from the disk (``file://``):
  the pages, the search, MathJax and the explorers need no server and no
  network.
- ``softmax-book-notebooks-<v>.zip``: every notebook page of the book as an
  ``.ipynb`` made by jupytext from its MyST source (not executed), at its
  path in ``book/`` (``chapters/01-softmax.ipynb``, ...), which is where the
  publishing workflow unpacks them for the Colab buttons.
- ``softmax-book-<v>.pdf``: the whole book (``tools.pdf``).
- ``SHA256SUMS``: for ``sha256sum -c SHA256SUMS`` in that folder.

The HTML and the PDF are built (strictly) only if they are missing; after a
change to the book, run ``python3 tasks.py build`` and ``python3 tasks.py
pdf`` first, or pass ``--rebuild``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tools import pdf as pdf_tool
from tools.project import BOOK, HTML, ROOT, book_env, jupyter_book_command

__all__ = ["DIST", "NAME", "version", "notebook_pages", "artefact_names", "zip_folder",
           "write_notebooks", "sha256sums", "verify_sums", "make_dist", "main"]

DIST = ROOT / "dist"
NAME = "softmax-book"
#: Files of the built site that a reader has no use for.
_SKIP = {".buildinfo", ".nojekyll"}
#: A fixed time for every zip entry, so the same site gives the same zip.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def version() -> str:
    """The book's version: ``helpers.__version__``, read from its source file.

    Read as text, not imported, so that an old installed copy of the
    package cannot give an old number.

    Examples
    --------
    >>> import re
    >>> bool(re.fullmatch(r"\\d+\\.\\d+\\.\\d+\\S*", version()))
    True
    """
    source = (ROOT / "src" / "helpers" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', source, re.MULTILINE)
    if match is None:
        raise RuntimeError("src/helpers/__init__.py sets no __version__")
    return match.group(1)


def artefact_names(ver: str) -> dict[str, str]:
    """The bundle's file names for version `ver`.

    Examples
    --------
    >>> artefact_names("1.2.0")["html"]
    'softmax-book-html-1.2.0.zip'
    """
    if not isinstance(ver, str) or not ver:
        raise ValueError(f"ver must be a non-empty version string, got {ver!r}")
    return {"html": f"{NAME}-html-{ver}.zip", "notebooks": f"{NAME}-notebooks-{ver}.zip",
            "pdf": f"{NAME}-{ver}.pdf", "sums": "SHA256SUMS"}


#: Notebook pages left out of the notebooks zip: the teaching plan computes its tables
#: from the book's own sources (``_toc.yml`` and the chapters' Markdown), which the zip
#: does not hold, so it could not run there. It is in the HTML site and the PDF.
BOOK_ONLY = ("pacing",)


def notebook_pages(book: Path = BOOK) -> list[str]:
    """The table of contents' pages that are notebooks and run on their own, in reading
    order (:func:`tools.toc.notebook_pages` without :data:`BOOK_ONLY`), such as
    ``"chapters/01-softmax"``."""
    from tools.toc import notebook_pages as pages

    return [page for page in pages(book) if page not in BOOK_ONLY]


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_folder(folder: Path, target: Path, prefix: str) -> int:
    """Zip every file under `folder` into `target`, under the folder `prefix`.

    Returns
    -------
    int
        The number of files written.
    """
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(f"zip_folder(folder=...): {folder} holds no built site")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in _SKIP)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            archive.writestr(_entry(f"{prefix}/{path.relative_to(folder).as_posix()}"),
                             path.read_bytes())
    return len(files)


def write_notebooks(target: Path, book: Path = BOOK) -> list[str]:
    """Zip each notebook page of `book` as ``.ipynb`` (jupytext), at its path.

    Returns
    -------
    list of str
        The names written, such as ``"chapters/01-softmax.ipynb"``.
    """
    import jupytext

    names = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for page in notebook_pages(book):
            notebook = jupytext.read(Path(book) / f"{page}.md")
            name = f"{page}.ipynb"
            archive.writestr(_entry(name), jupytext.writes(notebook, fmt="ipynb"))
            names.append(name)
    return names


def sha256sums(folder: Path, names: list[str]) -> str:
    """``sha256sum``'s lines for the files `names` in `folder`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as where:
    ...     _ = (Path(where) / "a.txt").write_bytes(b"abc")
    ...     print(sha256sums(Path(where), ["a.txt"]), end="")
    ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.txt
    """
    lines = []
    for name in names:
        digest = hashlib.sha256()
        with open(Path(folder) / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {name}\n")
    return "".join(lines)


def verify_sums(folder: Path) -> list[str]:
    """The files of ``folder/SHA256SUMS`` whose digest does not match (none: all good)."""
    bad = []
    for line in (Path(folder) / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        expected, name = line.split("  ", 1)
        if not (Path(folder) / name).is_file() or \
                sha256sums(folder, [name]).split()[0] != expected:
            bad.append(name)
    return bad


def _build_html() -> None:
    cmd = jupyter_book_command(BOOK)
    print("+", " ".join(cmd), flush=True)
    if subprocess.run(cmd, cwd=ROOT, env=book_env()).returncode != 0:
        sys.exit("The HTML build failed.")


def make_dist(out: Path = DIST, *, rebuild: bool = False) -> dict[str, Path]:
    """Write the bundle to `out`, building the HTML and the PDF if missing.

    Parameters
    ----------
    out : Path, optional
        The folder; ``dist/`` by default.  The bundle's own earlier files in
        it (``softmax-book-*`` and ``SHA256SUMS``) are replaced; nothing
        else there is touched.
    rebuild : bool, optional
        Build the HTML and the PDF even if they exist (the builds reuse the
        execution cache, so only changed chapters run again).

    Returns
    -------
    dict of str to Path
        The files written, keyed as :func:`artefact_names`.
    """
    out = Path(out)
    names = artefact_names(version())
    if rebuild or not (HTML / "index.html").is_file():
        _build_html()
    if rebuild or not pdf_tool.PDF.is_file():
        pdf_tool.build()
    else:
        pdf_tool.check(pdf_tool.PDF)
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob(f"{NAME}-*"), out / names["sums"]]:
        if old.is_file():
            old.unlink()
    written = {key: out / name for key, name in names.items()}
    count = zip_folder(HTML, written["html"], f"{NAME}-{version()}")
    notebooks = write_notebooks(written["notebooks"])
    shutil.copyfile(pdf_tool.PDF, written["pdf"])
    written["sums"].write_text(
        sha256sums(out, [names["html"], names["notebooks"], names["pdf"]]), encoding="utf-8")
    print(f"\n{out}:")
    for key, path in written.items():
        detail = {"html": f"{count} files", "notebooks": f"{len(notebooks)} notebooks",
                  "pdf": "", "sums": ""}[key]
        print(f"  {path.name:<40} {path.stat().st_size / 1e6:8.2f} MB  {detail}")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DIST, help="the folder (default: dist/)")
    parser.add_argument("--rebuild", action="store_true",
                        help="build the HTML and the PDF even if they exist")
    ns = parser.parse_args(argv)
    make_dist(ns.out, rebuild=ns.rebuild)


if __name__ == "__main__":
    main()
