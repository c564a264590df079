"""The two HTML editions: solutions folded, or no solutions at all.

A small book (the real configuration and extensions, the instructor's
guide, and the sample chapter of ``test_assign``) is built twice, strictly:
as the book is normally built, and as ``python3 tasks.py build
--no-solutions`` builds it.  The second build reuses the first one's
execution cache, as the real edition does.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from test_assign import SAMPLE, SAMPLE_SOLUTION_WORDS, secret_lines
from tools import project
from tools.project import ROOT

pytestmark = pytest.mark.build

# One solution without `:class: dropdown`: the build folds it all the same.
CHAPTER = SAMPLE.replace(":class: dropdown\n::::\n\nYodelling", "::::\n\nYodelling")
assert CHAPTER != SAMPLE


def _make_book(where: Path) -> Path:
    book = where / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "instructors.md"):
        shutil.copy(ROOT / "book" / name, book / name)
    for folder in ("_static", "_ext", "bib"):
        shutil.copytree(ROOT / "book" / folder, book / folder)
    # The sample's solution types a number on purpose: it is one of the words the
    # student edition must hide.
    (book / "exact-numbers.yml").write_text(
        'chapters/09-sample.md: {"7.389": "a word of the solution the editions hide"}\n')
    (book / "chapters").mkdir()
    (book / "chapters" / "09-sample.md").write_text(CHAPTER)
    (book / "intro.md").write_text("# Intro\n\nText.\n")
    # The guide links to the teaching plan, which reads the real book's chapters.
    (book / "pacing.md").write_text("(pacing)=\n# A teaching plan\n\nText.\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: chapters/09-sample\n  - file: instructors\n"
                                   "  - file: pacing\n")
    return book


def _build(book: Path, *extra: str, no_solutions: bool) -> None:
    env = project.book_env(no_solutions=no_solutions)
    env.pop("HELPERS_BOOK_BUILD", None)  # the sample has no explorer
    result = subprocess.run(project.jupyter_book_command(book, *extra), cwd=book.parent,
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        reports = "".join(p.read_text()[-3000:] for p in book.rglob("reports/*.log"))
        pytest.fail(f"the build failed:\n{result.stdout[-5000:]}{result.stderr[-3000:]}{reports}")


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> tuple[Path, Path]:
    """(the normal HTML, the HTML without solutions) of the small book."""
    book = _make_book(tmp_path_factory.mktemp("editions"))
    _build(book, no_solutions=False)
    edition = book.parent / "no-solutions"
    _build(book, "--path-output", str(edition), no_solutions=True)
    return book / "_build" / "html", edition / "_build" / "html"


class _Text(HTMLParser):
    """The text of a page, as a reader (or a screen reader) gets it."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text())
    return " ".join("".join(parser.parts).split())


def _normal(text: str) -> str:
    return " ".join(html.unescape(text).split())


# --------------------------------------------------------------------------
# The edition without solutions
# --------------------------------------------------------------------------

def test_no_solution_word_in_any_file(editions):
    """Not in a page, the search index, a downloadable source, anywhere."""
    _, html_dir = editions
    files = [p for p in html_dir.rglob("*") if p.is_file()]
    assert any(p.name == "searchindex.js" for p in files)
    for path in files:
        data = path.read_bytes()
        for word in SAMPLE_SOLUTION_WORDS:
            assert word.encode() not in data, f"{word!r} in {path.relative_to(html_dir)}"


def test_no_solution_line_in_the_pages(editions):
    _, html_dir = editions
    guide = (ROOT / "book" / "instructors.md").read_text()  # it shows the markers
    secrets = [_normal(s) for s in secret_lines(CHAPTER) if s not in guide]
    assert len(secrets) > 10
    for page in html_dir.rglob("*.html"):
        text = page_text(page)
        assert [s for s in secrets if s in text] == [], page.name


def test_exercises_and_checks_remain(editions):
    _, html_dir = editions
    page = html_dir / "chapters" / "09-sample.html"
    source = page.read_text()
    text = page_text(page)
    assert len(re.findall(r'<div class="exercise[^"]*admonition"', source)) == 4
    assert 'class="solution' not in source
    for title in ("A value", "A function", "In words", "Code and words"):
        assert title in text, title
    for code in ('e2 = NOT_ATTEMPTED', 'check_value(e2, np.exp(2.0), what="e2")',
                 "check_function(double, lambda x: 2 * x", "log10 = NOT_ATTEMPTED"):
        assert code in text, code
    # The checks ran on the solutions; their verdicts are not shown.
    assert "check-feedback" not in source and "Correct" not in text
    assert "mybinder.org" not in source  # no launch button opens the solutions


def test_downloads_are_student_notebooks(editions):
    _, html_dir = editions
    notebook = nbformat.read(html_dir / "_sources" / "chapters" / "09-sample.ipynb", 4)
    page = (html_dir / "chapters" / "09-sample.html").read_text()
    assert 'href="../_sources/chapters/09-sample.ipynb"' in page  # the download button
    assert notebook.metadata["softmax_book"]["edition"] == "student"
    markdown = (html_dir / "_sources" / "chapters" / "09-sample.md").read_text()
    assert "YOUR ANSWER HERE" in markdown and "e2 = NOT_ATTEMPTED" in markdown


# --------------------------------------------------------------------------
# The normal edition
# --------------------------------------------------------------------------

def test_normal_edition_folds_every_solution(editions):
    html_dir, _ = editions
    source = (html_dir / "chapters" / "09-sample.html").read_text()
    solutions = re.findall(r'<div class="(solution[^"]*)"', source)
    assert len(solutions) == 4
    assert all("dropdown" in classes.split() for classes in solutions), solutions
    for word in SAMPLE_SOLUTION_WORDS:
        assert word in source  # the solutions are there, behind their toggle
    assert source.count('class="check-feedback"') == 3  # the checks pass on the solutions


def test_normal_edition_hides_the_markers(editions):
    html_dir, _ = editions
    source = (html_dir / "chapters" / "09-sample.html").read_text()
    assert "BEGIN SOLUTION" not in source and "END SOLUTION" not in source
    # The code around the markers is still there, and still highlighted.
    assert '<span class="c1"># quagga</span>' in source
    assert "2 * x # wombat" in page_text(html_dir / "chapters" / "09-sample.html")


def test_instructor_guide_lists_the_exercises(editions):
    html_dir, _ = editions
    page = html_dir / "instructors.html"
    source = page.read_text()
    tables = re.findall(r"<table.*?</table>", source, re.S)
    assert len(tables) == 2
    chapters, exercises = tables
    assert "A sample chapter" in chapters and "3 of 4" in chapters and ">50<" in chapters
    for label in ("ex-sample-value", "ex-sample-function", "ex-sample-words", "ex-sample-both"):
        assert f'chapters/09-sample.html#{label}"' in exercises
    assert exercises.count("<tr") == 5  # the header and one row per exercise


def test_the_real_book_hides_markers_and_folds_solutions(built_book):
    """The real book: no marker line is shown, every solution starts folded."""
    from helpers.assign import chapters_in_toc

    for chapter in chapters_in_toc(ROOT / "book"):
        page = built_book / chapter.relative_to(ROOT / "book").with_suffix(".html")
        source = page.read_text()
        assert "BEGIN SOLUTION" not in source, page.name
        solutions = re.findall(r'<div class="(solution[^"]*)"', source)
        assert solutions and all("dropdown" in c.split() for c in solutions), page.name
