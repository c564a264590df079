"""What a reader of the HTML book sees of the exercise checks, and of Live Code.

The book runs every check on the worked solution, so every check cell's
output says "Correct".  Above an answer the reader has not given, that
would be false: the page shows the neutral state of a check no one has run
(:func:`helpers.checks.engine.pending_html`), and the verdict on the worked
answer is shown inside the solution (``book/_ext/book_html.py``,
:func:`book_html.show_check`).  A solution's title opens the solution; it
does not link away.  "Live Code" needs the internet, and says so when it
cannot load thebe (``book/_static/live-code.js``).

The first tests are fast (the engine's display, the doctree transform); the
``build`` ones read the real build's pages, the ``browser`` ones drive
Chromium on them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import book_html  # book/_ext, on pytest's pythonpath as on Sphinx's
import pytest
from docutils import nodes
from sphinx_exercise.nodes import solution_node

from helpers.checks.engine import (STATUSES, Feedback, pending_html, pending_text,
                                   status_of)
from tests.support.book import notebooks
from tools.project import ROOT

#: The pages with exercises (the appendix and the preface have none).
EXERCISE_PAGES = [name for name in notebooks() if name.startswith("chapters/")]

CHECK_TAG = re.compile(r"^:tags: \[check\]$", re.M)


def check_count(name: str) -> int:
    return len(CHECK_TAG.findall((ROOT / "book" / f"{name}.md").read_text()))


# --------------------------------------------------------------------------
# The engine's display (fast)
# --------------------------------------------------------------------------

class TestEngineDisplay:
    @pytest.mark.parametrize("status", STATUSES)
    def test_status_is_read_back_from_the_printed_feedback(self, status):
        fb = Feedback(status, "x is 2 (a message [with brackets]).", "A hint.\nTwo lines.")
        assert status_of(str(fb)) == status
        assert status_of("\n  " + repr(fb)) == status

    @pytest.mark.parametrize("text", ["", "0.25", "[0.5, 0.5]", "[correct]no space",
                                      "[Correct] capitalised", "array([1., 2.])",
                                      "x [correct] not at the start"])
    def test_other_output_has_no_status(self, text):
        assert status_of(text) is None

    def test_pending_state_is_neutral(self):
        page, text = pending_html(), pending_text()
        assert page.startswith('<div class="check-pending"') and "check-feedback" not in page
        for verdict in ("✔", "✘", "Correct", "Wrong", "#1b5e20", "#8a1c1c"):
            assert verdict not in page and verdict not in text
        assert text == "Not attempted yet: write your answer above and run this cell."
        assert re.sub(r"<[^>]+>", "", page) == text
        assert status_of(text) is None  # never mistaken for a verdict

    def test_notebooks_still_get_the_verdict(self):
        """A student who runs a check in a notebook is told Correct or Wrong, as before."""
        right = Feedback("correct", "p1 is right (to 3 significant digits).")
        wrong = Feedback("wrong value", "p1 is 0.881.", "e^0 = 1 belongs in the sum.")
        assert "✔ Correct</strong>" in right._repr_html_()
        assert 'class="check-feedback"' in right._repr_html_()
        assert "✘ Wrong value</strong>" in wrong._repr_html_()
        assert str(right) == "[correct] p1 is right (to 3 significant digits)."


# --------------------------------------------------------------------------
# The doctree transform (fast)
# --------------------------------------------------------------------------

def _check_cell(call: str, printed: str, page: str) -> nodes.container:
    """A check cell as myst-nb reads it from an executed notebook."""
    cell = nodes.container(nb_element="cell_code", classes=["cell", "tag_check"],
                           cell_metadata={"tags": ["check"]})
    source = nodes.container(nb_element="cell_code_source", classes=["cell_input"])
    source += nodes.literal_block(call, call)
    as_html = nodes.container(mime_type="text/html")
    as_html += nodes.raw("", page, format="html")
    as_text = nodes.container(mime_type="text/plain")
    as_text += nodes.literal_block(printed, printed)
    bundle = nodes.container(nb_element="mime_bundle")
    bundle += [as_html, as_text]
    output = nodes.container(nb_element="cell_code_output", classes=["cell_output"])
    output += bundle
    cell += [source, output]
    return cell


def _solution_and_check(fb: Feedback, call: str = "check_p1(p1)"):
    section = nodes.section()
    section += nodes.paragraph(text="The worked answer.")
    solution = solution_node()
    solution += nodes.title(text="Solution to")
    solution += section
    cell = _check_cell(call, str(fb), fb._repr_html_())
    parent = nodes.section()
    parent += [solution, cell]
    return parent, solution, section, cell


def _html_of(node: nodes.Node) -> str:
    return "".join(r.astext() for r in node.findall(nodes.raw))


class TestShowCheck:
    def test_verdict_moves_into_the_solution(self, monkeypatch):
        warnings = []
        monkeypatch.setattr(book_html.logger, "warning", lambda *a, **k: warnings.append(a))
        fb = Feedback("correct", "p1 is right (to 3 significant digits).")
        _, solution, section, cell = _solution_and_check(fb, "# the check\ncheck_p1(p1)\n")
        book_html.show_check(cell, solution)
        assert warnings == []
        # The check cell: its code, then only the neutral state.
        assert cell.children[0].astext().endswith("check_p1(p1)\n")
        assert _html_of(cell) == pending_html()
        assert pending_text() in cell.astext() and "correct" not in cell.astext()
        # The solution ends with the line naming the check, then its verdict.
        lead, verdict = section.children[-2:]
        assert lead.astext() == "Run on this worked answer, the check check_p1(p1) says:"
        assert verdict.get("nb_element") == "cell_code_output"
        assert "✔ Correct" in _html_of(verdict) and "[correct]" in verdict.astext()
        assert _html_of(solution) == fb._repr_html_()

    @pytest.mark.parametrize("printed", ["[wrong value] p1 is 0.881.", "0.844", ""])
    def test_a_check_that_fails_on_its_solution_is_a_warning(self, monkeypatch, printed):
        warnings = []
        monkeypatch.setattr(book_html.logger, "warning", lambda *a, **k: warnings.append(a))
        _, solution, _, cell = _solution_and_check(Feedback("correct", "ok."))
        for output in book_html._outputs(cell):
            for block in output.findall(nodes.literal_block):
                block.replace_self(nodes.literal_block(printed, printed))
        if not printed:
            cell.remove(book_html._outputs(cell)[0])
        book_html.show_check(cell, solution)
        assert len(warnings) == 1 and "does not pass" in warnings[0][0]
        assert _html_of(cell) == pending_html()

    def test_without_solutions_the_verdict_is_dropped(self):
        fb = Feedback("correct", "p1 is right.")
        parent, solution, _, cell = _solution_and_check(fb)
        parent.remove(solution)
        book_html.show_check(cell, None)
        assert _html_of(parent) == pending_html()
        assert "correct" not in parent.astext()

    def test_the_solution_before_a_check_is_found_past_targets(self):
        parent, solution, _, cell = _solution_and_check(Feedback("correct", "ok."))
        parent.insert(1, nodes.target(refid="x"))
        assert book_html._previous_element(cell) is solution
        assert book_html._previous_element(solution) is None


# --------------------------------------------------------------------------
# The built pages (the real build)
# --------------------------------------------------------------------------

class _Checks(HTMLParser):
    """The solutions and check cells of a page, in order, and the text outside solutions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = []    # the classes of each open <div>
        self.events: list[tuple] = []       # ("solution", [verdict texts]) or ("check", text)
        self.verdicts_outside: list[str] = []
        self.text_outside: list[str] = []
        self.titles: list[str] = []         # the HTML inside each solution's title
        self._verdicts: list[list[str]] = []
        self._check: list[str] | None = None
        self._title: list[str] | None = None

    def _in(self, cls: str) -> bool:
        return any(cls in classes for classes in self.stack)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._title is not None:
            self._title.append(f"<{tag}>")
        if tag == "p" and "admonition-title" in classes and self.stack \
                and "solution" in self.stack[-1]:
            self._title = []
        if tag != "div":
            return
        self.stack.append(classes)
        if "solution" in classes:
            self._verdicts.append([])
        if "tag_check" in classes:
            self._check = []
        if "check-feedback" in classes:
            if self._in("solution"):
                self._verdicts[-1].append("")
            else:
                self.verdicts_outside.append("")

    def handle_endtag(self, tag):
        if tag == "p" and self._title is not None:
            self.titles.append("".join(self._title))
            self._title = None
        if tag != "div" or not self.stack:
            return
        classes = self.stack.pop()
        if "solution" in classes:
            self.events.append(("solution", self._verdicts.pop()))
        if "tag_check" in classes:
            self.events.append(("check", " ".join("".join(self._check).split())))
            self._check = None

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)
        if self._check is not None:
            self._check.append(data)
        if self._in("check-feedback"):
            if self._in("solution"):
                self._verdicts[-1][-1] += data
            else:
                self.verdicts_outside[-1] += data
        if not self._in("solution"):
            self.text_outside.append(data)


def read_checks(path) -> _Checks:
    parser = _Checks()
    parser.feed(path.read_text())
    return parser


def _html_pages(built_book):
    return sorted(p for p in built_book.rglob("*.html")
                  if "_static" not in p.parts and "reports" not in p.parts)


@pytest.mark.build
def test_no_verdict_outside_a_solution(built_book):
    """No page shows a check's verdict, or its mark, where a reader has not asked for it."""
    pages = _html_pages(built_book)
    assert len(pages) > 10
    for page in pages:
        found = read_checks(page)
        name = page.relative_to(built_book)
        assert found.verdicts_outside == [], name
        outside = " ".join("".join(found.text_outside).split())
        assert "✔" not in outside and "✘" not in outside, name
        assert "✔ Correct" not in outside and "Correct:" not in outside, name


@pytest.mark.build
@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_each_check_passes_inside_its_solution(built_book, name):
    """After each solution comes its check cell, showing the neutral state; the solution
    itself ends with that check's verdict on the worked answer, which is "Correct"."""
    found = read_checks(built_book / f"{name}.html")
    checks = [i for i, (kind, _) in enumerate(found.events) if kind == "check"]
    assert len(checks) == check_count(name) > 0
    for i in checks:
        assert pending_text() in found.events[i][1], (name, found.events[i])
        assert "Correct" not in found.events[i][1]
        kind, verdicts = found.events[i - 1]
        assert kind == "solution", (name, i)
        assert len(verdicts) == 1 and " ".join(verdicts[0].split()).startswith("✔ Correct:"), \
            (name, verdicts)
    # A solution without a check (an answer in words) shows no verdict.
    solutions = [v for kind, v in found.events if kind == "solution"]
    assert sum(len(v) for v in solutions) == len(checks)


@pytest.mark.build
@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_solution_titles_link_nowhere(built_book, name):
    found = read_checks(built_book / f"{name}.html")
    assert found.titles, name
    for title in found.titles:
        assert "<a>" not in title, (name, title)
        assert re.match(r"Solution to Exercise \d+", " ".join(title.split())), (name, title)


# --------------------------------------------------------------------------
# In the browser, offline
# --------------------------------------------------------------------------

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
THEBE_URL = re.compile(r"/thebe@[^/]+/lib/index\.js$")
# What thebe's script does, as far as sphinx-thebe uses it, for the online test.
FAKE_THEBE = """
window.thebelab = {
  on: (name, callback) => { window.__thebeHandlers = (window.__thebeHandlers || 0) + 1; },
  bootstrap: () => { window.__thebeBooted = true; },
};
"""


def _local_only(route):
    from urllib.parse import urlparse

    if (urlparse(route.request.url).hostname or "") in LOOPBACK or \
            route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort("internetdisconnected")


@pytest.fixture
def reader(browser):
    """A page with no internet: every request beyond loopback fails."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.route("**/*", _local_only)
    yield page
    context.close()


def _open(page, site_url, name):
    from tests.support.pages import wait_for_math

    page.goto(f"{site_url}/{name}.html", wait_until="load")
    wait_for_math(page)


@pytest.mark.browser
@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_reader_sees_no_verdict_before_answering(reader, site_url, name):
    """What is visible on the page (solutions folded) has no verdict, and one neutral
    state per check."""
    _open(reader, site_url, name)
    reader.wait_for_selector("div.solution.toggle-hidden", state="attached")
    visible = reader.inner_text("main")
    assert "✔" not in visible and "✘" not in visible
    assert visible.count("Not attempted yet") == check_count(name)
    assert reader.errors == []


_TITLE_WORDS = """(title) => {
  // Where the words "Exercise N (...)" of a solution's title are drawn.
  const range = document.createRange();
  range.setStart(title, 0);
  const button = title.querySelector("button");
  if (button) range.setEndBefore(button); else range.setEnd(title, title.childNodes.length);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0);
  const r = rects[rects.length - 1];
  return {x: r.left + r.width * 0.6, y: r.top + r.height / 2, text: range.toString()};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_clicking_a_solution_title_opens_it(reader, site_url, name):
    """A click on the words of a solution's title opens the solution, where it is, and
    shows the check passing on the worked answer; the page does not move or navigate."""
    _open(reader, site_url, name)
    reader.wait_for_selector("div.solution button.toggle-button", state="attached")
    url = reader.url
    solutions = reader.query_selector_all("div.solution")
    assert solutions
    for i, solution in enumerate(solutions):
        body = solution.query_selector(":scope > section")
        title = solution.query_selector(":scope > .admonition-title")
        title.scroll_into_view_if_needed()
        assert not body.is_visible(), (name, i)
        where = title.evaluate(_TITLE_WORDS)
        assert "Exercise" in where["text"], where
        scrolled = reader.evaluate("window.scrollY")
        reader.mouse.click(where["x"], where["y"])
        reader.wait_for_timeout(150)
        assert body.is_visible(), f"{name}: solution {i} did not open"
        assert reader.url == url, f"{name}: solution {i} navigated to {reader.url}"
        assert abs(reader.evaluate("window.scrollY") - scrolled) < 2, (name, i)
        verdicts = solution.query_selector_all(".check-feedback")
        for verdict in verdicts:
            assert verdict.is_visible() and verdict.inner_text().startswith("✔ Correct")
    assert reader.errors == []


def _start_live_code(page):
    """Choose Live Code in the launch menu, as a reader does."""
    page.click(".dropdown-launch-buttons button.dropdown-toggle")
    page.click(".dropdown-launch-buttons .btn-launch-thebe")


@pytest.mark.browser
def test_live_code_offline_says_it_needs_the_internet(reader, site_url):
    _open(reader, site_url, "chapters/01-softmax")
    _start_live_code(reader)
    note = reader.wait_for_selector(".thebe-unreachable", timeout=10000)
    text = note.inner_text()
    assert "Live code needs the internet" in text and "unpkg.com" in text
    assert "Loading thebe" not in text and note.is_visible()
    assert note.get_attribute("role") == "alert"
    buttons = reader.query_selector_all(".thebe-launch-button")
    assert len(buttons) == 1 and buttons[0].evaluate("(e, n) => e === n", note)
    # Asking again tries again, and says so again.
    _start_live_code(reader)
    reader.wait_for_selector(".thebe-unreachable", timeout=10000)
    assert len(reader.query_selector_all(".thebe-launch-button")) == 1
    assert reader.errors == []


@pytest.mark.browser
def test_live_code_online_still_starts_thebe(browser, site_url):
    """With thebe's script reachable (served here in its place), nothing is said and
    sphinx-thebe starts thebe as before."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", _local_only)
    page.route(THEBE_URL, lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=FAKE_THEBE))
    try:
        _open(page, site_url, "chapters/01-softmax")
        _start_live_code(page)
        page.wait_for_function("window.__thebeBooted === true", timeout=10000)
        page.wait_for_timeout(500)
        assert page.query_selector(".thebe-unreachable") is None
        assert page.evaluate("window.__thebeHandlers") == 1
        assert page.query_selector(".thebe-launch-button .loading-text") is not None
        assert errors == []
    finally:
        context.close()
