"""Build one chapter on its own, strictly, and screenshot it.

    .venv/bin/python tools/preview_chapter.py book/chapters/02-stability.md

The chapter is built in a temporary book (the real configuration, the
preface and the references page, with only this chapter in the table of
contents) under ``build/preview/<name>``, with the same strict options as
the real build.  Full-page screenshots go to ``artifacts/preview-<name>.png``
and, with ``--move``, a second one after every explorer's sliders have been
moved to their last positions.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

if not __package__:  # run by path, as CONTRIBUTING.md shows: find tools/ and tests/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import chromium  # noqa: E402
from tests.support.pages import wait_for_math  # noqa: E402
from tests.support.server import serve  # noqa: E402
from tools.project import ROOT, book_env, jupyter_book_command  # noqa: E402


def make_book(chapter: Path, where: Path) -> Path:
    book = where / "book"
    if book.exists():
        # Keep _build (and its execution cache) between previews.
        for item in book.iterdir():
            if item.name != "_build":
                shutil.rmtree(item) if item.is_dir() else item.unlink()
    book.mkdir(parents=True, exist_ok=True)
    src = ROOT / "book"
    for name in ("_config.yml", "references.bib", "references.md", "intro.md", "exact-numbers.yml"):
        shutil.copy(src / name, book / name)
    for folder in ("_static", "_ext", "bib", "data"):
        if (src / folder).exists():
            shutil.copytree(src / folder, book / folder)
    shutil.copy(ROOT / "CITATION.cff", where / "CITATION.cff")  # read by book_publish
    rel = chapter.resolve().relative_to(src)
    (book / rel.parent).mkdir(parents=True, exist_ok=True)
    shutil.copy(chapter, book / rel)
    entries = [rel.with_suffix("").as_posix()]
    # Every other chapter becomes a stub holding only its label and title,
    # so that cross-references resolve without executing the other chapters.
    for other in sorted(src.glob("chapters/*.md")) + sorted(src.glob("appendix*.md")) + \
            [src / "instructors.md", src / "notation.md"]:
        other_rel = other.relative_to(src)
        if other_rel == rel or not other.exists():
            continue
        (book / other_rel.parent).mkdir(parents=True, exist_ok=True)
        (book / other_rel).write_text(_stub(other.read_text()))
        entries.append(other_rel.with_suffix("").as_posix())
    # Chapters not written yet still get a stub, so early links resolve.
    for label, stem in CHAPTER_LABELS.items():
        stub = book / "chapters" / f"{stem}.md"
        if not stub.exists():
            stub.write_text(f"({label})=\n\n# {stem}\n")
            entries.append(f"chapters/{stem}")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        + "".join(f"  - file: {e}\n" for e in entries) + "  - file: references\n")
    return book


CHAPTER_LABELS = {
    "ch-softmax": "01-softmax", "ch-stability": "02-stability", "ch-jacobian": "03-jacobian",
    "ch-cross-entropy": "04-cross-entropy", "ch-gradient": "05-gradient",
    "ch-convexity": "06-convexity", "ch-regression": "07-regression",
    "ch-frameworks": "08-frameworks", "ch-mutual-information": "09-mutual-information",
}


def _stub(text: str) -> str:
    """The labels and headings of a page, without its cells."""
    keep, fenced = [], False
    body = text.split("---", 2)[-1] if text.startswith("---") else text
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (re.match(r"^\([\w-]+\)=$", line) or re.match(r"^#{1,3} ", line)):
            keep.append(line + "\n")
    return "\n".join(keep) or "# Stub\n"


def screenshot(html: Path, page: str, out: Path, move: bool) -> None:
    with serve(html) as url, chromium.browser() as browser:
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(f"{url}/{page}", wait_until="networkidle")
        wait_for_math(tab)
        tab.screenshot(path=str(out), full_page=True)
        print(f"screenshot: {out}")
        if move:
            for control in tab.query_selector_all(".vega-explorer input[type=range]"):
                control.evaluate("e => { e.value = e.max; "
                                 "e.dispatchEvent(new Event('input', {bubbles: true})); }")
            moved = out.with_name(out.stem + "-moved.png")
            tab.screenshot(path=str(moved), full_page=True)
            print(f"screenshot: {moved}")
    for e in errors:
        print("console error:", e)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", type=Path)
    parser.add_argument("--move", action="store_true", help="also screenshot moved explorers")
    parser.add_argument("--no-shot", action="store_true", help="build only")
    args = parser.parse_args()
    name = args.chapter.stem
    where = ROOT / "build" / "preview" / name
    book = make_book(args.chapter, where)
    result = subprocess.run(jupyter_book_command(book), env=book_env())
    if result.returncode != 0:
        reports = book / "_build" / "html" / "reports"
        for log in reports.glob("*.log") if reports.exists() else []:
            print(f"--- {log.name}\n{log.read_text()[-4000:]}")
        sys.exit("the strict build failed (see above)")
    if not args.no_shot:
        page = args.chapter.resolve().relative_to(ROOT / "book").with_suffix(".html").as_posix()
        (ROOT / "artifacts").mkdir(exist_ok=True)
        screenshot(book / "_build" / "html", page,
                   ROOT / "artifacts" / f"preview-{name}.png", args.move)


if __name__ == "__main__":
    main()
