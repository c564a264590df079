"""The whole book as one PDF (``python3 tasks.py pdf``): built once per run.

The build installs Debian's TeX on first use (``tools.pdf.ensure_tex``),
then runs jupyter-book's LaTeX builder strictly after the HTML build, whose
execution cache it reuses.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.book import toc_pages
from tools import pdf as pdf_tool
from tools.project import BOOK



@functools.cache
def _build_pdf() -> Path:
    # Cached here, not only by the fixture's scope: test_dist.py imports the
    # fixture, and pytest keeps one copy of a fixture per module that holds it.
    try:
        return pdf_tool.build()
    except SystemExit as exc:
        pytest.fail(f"the PDF build failed: {exc}")


@pytest.fixture(scope="session")
def built_pdf(built_book) -> Path:
    """The PDF, built after the HTML (they share Sphinx's doctrees and the cache)."""
    return _build_pdf()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: tools.pdf.ensure_tex installs poppler-utils")
    return path


@pytest.fixture(scope="session")
def pdf_pages(built_pdf) -> list[str]:
    """The PDF's text, page by page (pdftotext)."""
    text = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(built_pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _page_count(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def _squash(text: str) -> str:
    # LaTeX prints chapter titles in capitals and may hyphenate or break them.
    return re.sub(r"\s+", " ", text.replace("\u2010", "-")).casefold()


def _titles() -> list[str]:
    titles = []
    for page in toc_pages():
        source = (BOOK / f"{page}.md").read_text(encoding="utf-8")
        titles.append(re.search(r"^# (.+)$", source, re.MULTILINE).group(1).strip())
    return titles


@pytest.mark.build
def test_page_count_is_sane(built_pdf, pdf_pages):
    """A book of nine chapters, an appendix and back matter: some hundreds of
    pages, every one with text on it (a blank page would mean a float went
    astray), and pdfinfo agrees with the text's page breaks."""
    pages = _page_count(built_pdf)
    assert 120 <= pages <= 600, pages
    assert len(pdf_pages) == pages
    # LaTeX leaves a chapter's left-hand page empty before a new chapter on
    # the right (openright): allowed, but no two empty pages in a row.
    empty = [i for i, page in enumerate(pdf_pages, 1) if not page.strip()]
    assert not [i for i in empty if i + 1 in empty], empty


@pytest.mark.build
def test_every_page_title_is_in_the_pdf(pdf_pages):
    """Each page of the table of contents is a chapter (or the title page) whose
    title appears in the text, and in the book's order."""
    text = _squash(" ".join(pdf_pages))
    body = text[text.find(_squash("The softmax function"), 2000):]
    last = -1
    for title in _titles():
        assert _squash(title) in text, title
        if title.startswith("Softmax and Cross-Entropy, Interactively"):
            continue  # the book's title: the title page and every running head
        at = body.find(_squash(title), last + 1)
        assert at > last, f"{title!r} is missing from the body or out of order"
        last = at


@pytest.mark.build
def test_every_figure_of_the_html_is_a_figure_with_an_image(built_book, built_pdf):
    """Every numbered figure of the HTML book, explorers among them, is a
    figure with a picture in the PDF, chapter by chapter (an explorer gives
    LaTeX its still as image/png)."""
    tex = built_pdf.with_suffix(".tex").read_text(encoding="utf-8")
    chapters = re.split(r"\\chapter\{", tex)[1:]
    in_tex = {}
    for chapter in chapters:
        label = re.search(r"\\label\{\\detokenize\{([^:}]+)::doc\}\}", chapter)
        if label is None:
            continue
        figures = re.findall(r"\\begin\{figure\}.*?\\end\{figure\}", chapter, re.S)
        for figure in figures:
            assert "\\sphinxincludegraphics" in figure, (label.group(1), figure[:300])
        in_tex[label.group(1)] = len(figures)
    for page in toc_pages():
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        article = html[html.find('<article'):html.find('</article>')]
        numbered = len(re.findall(r'<span class="caption-number">Fig\. ', article))
        assert in_tex.get(page, 0) >= numbered, (
            f"{page}: {numbered} numbered figures in the HTML, {in_tex.get(page, 0)} in the PDF")


@pytest.mark.build
def test_the_pdf_holds_the_pictures(built_pdf):
    """pdfimages finds at least one picture for each figure of the LaTeX."""
    listing = subprocess.run([_tool("pdfimages"), "-list", str(built_pdf)],
                             capture_output=True, text=True, check=True).stdout
    images = [line for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    tex = built_pdf.with_suffix(".tex").read_text(encoding="utf-8")
    figures = tex.count("\\begin{figure}")
    assert figures >= 30, figures
    assert len(images) >= figures, (len(images), figures)


@pytest.mark.build
def test_the_latex_log_is_clean(built_pdf, pdf_pages):
    """No character without a glyph, no LaTeX error, no dangling link, no figure
    taller than the page (tools.pdf.log_problems; the build checks it too), and
    no reference left as "??" (latexmk ran LaTeX until the labels settled)."""
    log = built_pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert pdf_tool.log_problems(log) == []
    assert "Output written on book.pdf" in log
    unresolved = [i for i, page in enumerate(pdf_pages, 1) if "??" in page]
    assert unresolved == [], unresolved


def _prose(tex: str) -> str:
    """The LaTeX with code blocks and inline code taken out."""
    tex = re.sub(r"\\begin\{sphinxVerbatim\}.*?\\end\{sphinxVerbatim\}", "", tex, flags=re.S)
    return re.sub(r"\\sphinxupquote\{(?:[^{}]|\{[^{}]*\})*\}", "", tex)


@pytest.mark.build
def test_no_raw_tex_in_the_text(built_pdf, pdf_pages):
    """Maths reached LaTeX as maths: the prose has no escaped dollar or escaped
    backslash command (MyST left a formula as text), and the printed text has
    no \\( or \\) delimiters."""
    prose = _prose(built_pdf.with_suffix(".tex").read_text(encoding="utf-8"))
    raw = [m.group(0) for m in re.finditer(r".{0,60}(?:\\\$|\\textbackslash\{\}[A-Za-z]).{0,60}",
                                           prose)]
    assert raw == [], raw[:5]
    printed = [(i, m.group(0)) for i, page in enumerate(pdf_pages, 1)
               for m in re.finditer(r".{0,40}\\[()].{0,40}", page)]
    assert printed == [], printed[:5]


@pytest.mark.build
def test_no_python_repr_instead_of_a_figure(pdf_pages):
    """An output that LaTeX cannot show falls back to its text/plain repr; for
    an explorer that would be ``<Explorer: ...>`` where the figure should be."""
    reprs = [(i, m.group(0)) for i, page in enumerate(pdf_pages, 1)
             for m in re.finditer(r"<(?:Explorer|VegaExplorer|Figure size)[^>]{0,60}", page)]
    assert reprs == [], reprs


def test_the_checks_catch_raw_tex():
    """The raw-TeX check finds a formula MyST left as text, and not code."""
    broken = "so \\$\\(x\\)\\textbackslash{}operatorname\\{KL\\}\\$ holds"
    assert re.search(r"\\\$|\\textbackslash\{\}[A-Za-z]", _prose(broken))
    code = "\\begin{sphinxVerbatim}a \\$ b\\end{sphinxVerbatim} and \\sphinxupquote{\\$x}"
    assert not re.search(r"\\\$|\\textbackslash\{\}[A-Za-z]", _prose(code))


def test_log_problems_finds_what_spoils_a_pdf():
    log = "\n".join([
        "Overfull \\hbox (3.0pt too wide) in paragraph at lines 1--2",
        "Missing character: There is no ✔ (U+2714) in font FreeSerif!",
        "LaTeX Warning: Hyper reference `chapters/01-softmax:ex-a' on page 3 undefined on "
        "input line 9.",
        "LaTeX Warning: Float too large for page by 36.3pt on input line 20.",
        "LaTeX Warning: Label(s) may have changed. Rerun to get cross-references right.",
        "! Undefined control sequence.",
    ])
    assert pdf_tool.log_problems(log) == [
        "Missing character: There is no ✔ (U+2714) in font FreeSerif!",
        "LaTeX Warning: Hyper reference `chapters/01-softmax:ex-a' on page 3 undefined on "
        "input line 9.",
        "LaTeX Warning: Float too large for page by 36.3pt on input line 20.",
        "! Undefined control sequence.",
    ]
    with pytest.raises(TypeError, match="log"):
        pdf_tool.log_problems(b"bytes")


def test_the_tools_doctests():
    import doctest

    import book_print
    from tools import dist

    for module in (pdf_tool, dist, book_print):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_print_marks_every_explorer():
    import book_print

    body = ('<div class="vega-explorer" id="explorer-a" data-name="a"></div>'
            '<figure id="fig-1"><img src="x.png"></figure>'
            '<div class="vega-explorer" id="explorer-b"></div><div class="vega-explorer-still">')
    marked = book_print.mark_explorers(body, "https://x.org/b/chapters/01.html")
    assert marked.count("data-live-url=") == 2
    assert 'data-live-url="https://x.org/b/chapters/01.html#explorer-b"' in marked
    # Only explorers are marked, not other figures.
    assert "https" not in marked[marked.find("<figure"):marked.find("</figure>")]
    assert book_print.site_url("", "https://github.com/Org/Repo.git") == \
        "https://org.github.io/Repo/"


@pytest.mark.build
@pytest.mark.browser
def test_the_printed_page(browser, site_url):
    """Printed (Chromium's print media), a chapter shows its text, figures and
    shown code, and neither the page's chrome, nor hidden code and its bar, nor
    solutions; each explorer prints its still and its live address; and the
    A4 print is shorter than the same page printed without print.css."""
    page = browser.new_page()
    page.goto(f"{site_url}/chapters/01-softmax.html", wait_until="load")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => {
        const seen = s => [...document.querySelectorAll(s)].filter(
            e => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0).length;
        return {chrome: seen('.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, '
                             + '.header-article-items, .prev-next-area, .bd-footer'),
                hidden_code: seen('details.hide'), solutions: seen('div.solution'),
                cells: seen('div.cell_input'), figures: seen('figure'),
                stills: seen('.vega-explorer-still'), charts: seen('.vega-explorer-chart'),
                notes: [...document.querySelectorAll('.vega-explorer')].map(
                    e => getComputedStyle(e, '::after').content)};
    }""")
    assert shown["chrome"] == 0 and shown["hidden_code"] == 0 and shown["solutions"] == 0, shown
    assert shown["cells"] > 10 and shown["figures"] >= 5, shown
    assert shown["stills"] == len(shown["notes"]) == 2 and shown["charts"] == 0, shown
    for note in shown["notes"]:
        assert re.search(r"https://\S+/chapters/01-softmax\.html#explorer-", note), note
    with_css = subprocess.run([_tool("pdfinfo"), "-"], input=page.pdf(format="A4"),
                              capture_output=True, check=True).stdout.decode()
    page.evaluate("document.querySelectorAll('link[href*=\"print.css\"]')"
                  ".forEach(link => link.remove())")
    without = subprocess.run([_tool("pdfinfo"), "-"], input=page.pdf(format="A4"),
                             capture_output=True, check=True).stdout.decode()

    def pages(info):
        return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))

    print(f"chapter 1 on A4: {pages(without)} pages without print.css, {pages(with_css)} with")
    assert pages(with_css) < pages(without)
    page.close()
