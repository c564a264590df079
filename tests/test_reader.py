"""The HTML book on a phone and on a desktop, in the light and the dark theme.

What a reader must be able to do: open the menu and the page's contents on a
phone (390 × 844, touch) and collapse the sidebar on a desktop (1280 px); see
that a wide equation goes on; read every caption, admonition and check output
at WCAG AA contrast (4.5) in both themes; see sharp figures. The fixes are in
``book/_ext/book_reader.py``, ``book/_static/book.css`` and
``book/_static/book-reader.js``. Screenshots of every page, at 1280 and 390 px,
each in the light and the dark theme, go to
``artifacts/reader-<page>-<width>-<theme>.png``.
"""

from __future__ import annotations

import itertools
from pathlib import PurePosixPath

import pytest

from tests.support.book import toc_pages
from tests.support.pages import axe_problems, raw_math, wait_for_math, watch
from tools.project import ROOT

pytestmark = pytest.mark.browser

PAGES = toc_pages()
CHAPTERS = [name for name in PAGES if name.startswith("chapters/")]
ARTIFACTS = ROOT / "artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
AA = 4.5  # WCAG AA, normal text

#: What the contrast test reads: figure and explorer captions, admonitions
#: (exercises, solutions, notes) and the exercise checks' output.
READABLE = ("figcaption", "figcaption *", ".admonition", ".admonition *",
            ".tag_check .cell_output", ".tag_check .cell_output *",
            ".check-feedback", ".check-feedback *", ".check-pending", ".check-pending *")


def _page(browser, options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.problems = watch(page)
    return context, page


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


def open_page(page, site_url, name, theme="light"):
    page.goto(f"{site_url}/{name}.html", wait_until="load")
    wait_for_math(page)
    if theme == "dark":
        page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_timeout(150)  # the equations' cues, set after MathJax and on resize


def shot_name(name: str, width: int, theme: str, extra: str = "") -> str:
    return f"reader-{PurePosixPath(name).name}-{width}-{theme}{extra}.png"


def header_button(page, kind: str):
    """The visible sidebar button of the article header (``primary`` or ``secondary``)."""
    button = page.locator(f".bd-header-article .{kind}-toggle")
    assert button.count() == 1 and button.is_visible(), f"no visible {kind} button"
    return button


# -- navigation ---------------------------------------------------------------

def test_phone_menu_opens_the_sidebar_and_its_links_navigate(phone, site_url):
    open_page(phone, site_url, "chapters/03-jacobian", "dark")
    dialog = phone.locator("#pst-primary-sidebar-modal")
    assert not dialog.is_visible()
    header_button(phone, "primary").tap()
    dialog.wait_for(state="visible", timeout=3000)
    link = dialog.locator("nav a[href$='01-softmax.html']").first
    assert link.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / shot_name("03-jacobian", 390, "dark", "-menu")))
    link.tap()
    phone.wait_for_url("**/chapters/01-softmax.html", timeout=5000)
    assert phone.problems == []


def test_phone_on_this_page_opens_the_page_contents(phone, site_url):
    open_page(phone, site_url, "chapters/03-jacobian", "dark")
    dialog = phone.locator("#pst-secondary-sidebar-modal")
    assert not dialog.is_visible()
    header_button(phone, "secondary").tap()
    dialog.wait_for(state="visible", timeout=3000)
    entries = dialog.locator("nav.page-toc a")
    assert entries.count() >= 3 and entries.first.is_visible()
    phone.screenshot(path=str(ARTIFACTS / shot_name("03-jacobian", 390, "dark", "-contents")))
    phone.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=3000)
    assert phone.problems == []


def test_desktop_sidebar_button_collapses_and_restores_the_sidebar(desktop, site_url):
    open_page(desktop, site_url, "chapters/03-jacobian")
    sidebar = desktop.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    article = desktop.locator("article.bd-article").bounding_box()["width"]
    header_button(desktop, "primary").click()
    sidebar.wait_for(state="hidden", timeout=3000)
    desktop.wait_for_timeout(400)  # the theme's slide transition
    assert desktop.locator("article.bd-article").bounding_box()["width"] > article + 100
    desktop.screenshot(path=str(ARTIFACTS / shot_name("03-jacobian", 1280, "light", "-collapsed")))
    header_button(desktop, "primary").click()
    sidebar.wait_for(state="visible", timeout=3000)
    assert not desktop.locator("#pst-primary-sidebar-modal").is_visible()
    assert desktop.problems == []


def test_desktop_has_one_search_field(desktop, site_url):
    open_page(desktop, site_url, "chapters/03-jacobian")
    fields = desktop.locator(".search-button-field")
    visible = [i for i in range(fields.count()) if fields.nth(i).is_visible()]
    assert len(visible) == 1


def test_back_to_top_covers_nothing(phone, site_url):
    """Scrolling up shows "Back to top" in the sticky header, never over the text."""
    open_page(phone, site_url, "chapters/07-regression")
    phone.evaluate("window.scrollTo(0, 4000)")
    phone.wait_for_timeout(100)
    phone.evaluate("window.scrollTo(0, 3700)")  # the theme shows it on scrolling up
    button = phone.locator("#pst-back-to-top")
    button.wait_for(state="visible", timeout=3000)
    box = button.bounding_box()
    header = phone.locator(".bd-header-article").bounding_box()
    assert header["y"] == pytest.approx(0, abs=1)  # the header is stuck to the top
    assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    assert header["x"] <= box["x"] and box["x"] + box["width"] <= header["x"] + header["width"]
    assert button.get_attribute("title") == "Back to top"
    button.tap()
    phone.wait_for_function("window.scrollY === 0", timeout=3000)


def test_wide_equations_scroll_and_show_where_they_are_cut(phone, site_url):
    open_page(phone, site_url, "chapters/05-gradient")
    info = phone.evaluate("""() => [...document.querySelectorAll('mjx-container[display="true"]')]
        .map((m, i) => { const s = getComputedStyle(m);
          return {i, wide: m.scrollWidth > m.clientWidth + 2, cut: m.dataset.overflow || null,
                  overflow: s.overflowX, mask: s.webkitMaskImage || s.maskImage}; })""")
    wide = [e for e in info if e["wide"]]
    narrow = [e for e in info if not e["wide"]]
    assert wide, "no display equation is wider than a phone: pick another page"
    assert narrow
    for e in wide:
        assert e["overflow"] in ("auto", "scroll"), e
        assert e["cut"] == "right" and "gradient" in e["mask"], e
    assert all(e["cut"] is None and e["mask"] == "none" for e in narrow)
    # Scrolled to its end, the equation is cut on the left instead.
    first = wide[0]["i"]
    after = phone.evaluate("""async (i) => {
        const m = document.querySelectorAll('mjx-container[display="true"]')[i];
        m.scrollLeft = m.scrollWidth;
        await new Promise((r) => setTimeout(r, 100));
        return {left: m.scrollLeft, cut: m.dataset.overflow}; }""", first)
    assert after["left"] > 0 and after["cut"] == "left"


def test_headings_are_never_lighter_than_their_subsections(desktop, site_url):
    open_page(desktop, site_url, "chapters/03-jacobian")
    weights = desktop.evaluate("""() => ['h1', 'h2', 'h3', 'h4'].map((t) => {
        const e = document.querySelector('article.bd-article ' + t);
        return e ? Number(getComputedStyle(e).fontWeight) : null; }).filter((w) => w !== null)""")
    assert len(weights) >= 3
    assert weights == sorted(weights, reverse=True), weights


# -- contrast, accessibility and figures ----------------------------------------

_CONTRAST = """(selectors) => {
  const parse = (c) => {
    const m = (c || '').match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const v = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  // Behind an element: the backgrounds from it up to the first opaque one, composited.
  const backdrop = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = [255, 255, 255];
    if (layers.length && layers[layers.length - 1][3] >= 1) colour = layers.pop().slice(0, 3);
    while (layers.length) colour = over(layers.pop(), colour);
    return colour;
  };
  const found = [];
  let checked = 0;
  for (const el of new Set(selectors.flatMap((s) => [...document.querySelectorAll(s)]))) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent)
      .join('').trim();
    if (!own || !el.getClientRects().length || el.closest('mjx-container, svg')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const back = backdrop(el);
    const fore = over(parse(style.color), back);
    const [a, b] = [lum(fore), lum(back)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked += 1;
    if (ratio < 4.5) {
      found.push(`"${own.slice(0, 40)}" ${style.color} on rgb(${back.map(Math.round)}) `
                 + `at ${ratio.toFixed(2)}`);
    }
  }
  return {found, checked};
}"""


def open_solutions(page) -> None:
    """Unfold every solution, so that the check verdicts inside are read too."""
    page.evaluate("""() => document.querySelectorAll('div.solution.dropdown').forEach(
        (s) => s.classList.remove('toggle-hidden'))""")
    for toggle in page.query_selector_all("div.solution button.toggle-button"):
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
    page.wait_for_timeout(300)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_captions_admonitions_and_checks_are_readable(desktop, site_url, theme):
    problems, checked = [], 0
    for name in PAGES:
        open_page(desktop, site_url, name, theme)
        open_solutions(desktop)
        result = desktop.evaluate(_CONTRAST, list(READABLE))
        checked += result["checked"]
        problems += [f"{name}: {p}" for p in result["found"]]
    assert checked > 100  # the selectors still find the book's captions and boxes
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
def test_accessibility_in_the_dark_theme(desktop, site_url, name):
    """axe-core finds no serious or critical violation in the dark theme either."""
    open_page(desktop, site_url, name, "dark")
    assert axe_problems(desktop) == []


def _figures(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('article.bd-article img')]
        .filter((i) => i.src.includes('/_images/') && i.getClientRects().length)
        .map((i) => { const s = getComputedStyle(i);
          return {src: i.src.split('/').pop(), natural: i.naturalWidth, complete: i.complete,
                  css: i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight),
                  filter: s.filter, background: s.backgroundColor,
                  radius: parseFloat(s.borderTopLeftRadius), padding: parseFloat(s.paddingLeft)};
        })""")


def test_figures_are_drawn_at_twice_their_size(desktop, site_url):
    """Each figure's image has at least two pixels per CSS pixel (sharp on a phone)."""
    blurred, seen = [], 0
    for name in CHAPTERS:
        open_page(desktop, site_url, name)
        desktop.wait_for_function("() => [...document.images].every((i) => i.complete)")
        for f in _figures(desktop):
            seen += 1
            if f["natural"] < 2 * f["css"] - 1:
                blurred.append(f"{name}: {f['src']} is {f['natural']} px shown at {f['css']:.0f}")
    assert seen > 10
    assert blurred == []


def test_dark_theme_shows_figures_as_white_cards_undimmed(desktop, site_url):
    problems = []
    for name in CHAPTERS:
        open_page(desktop, site_url, name, "dark")
        for f in _figures(desktop):
            if f["filter"] != "none" or f["background"] != "rgb(255, 255, 255)" \
                    or f["radius"] < 4 or f["padding"] < 8:
                problems.append(f"{name}: {f['src']}: filter {f['filter']}, background "
                                f"{f['background']}, radius {f['radius']}, padding {f['padding']}")
    assert problems == []


# -- every page, as a reader sees it --------------------------------------------

_HEADER_OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('.bd-header-article .btn, .bd-header-article button')]
    .filter((b) => b.getClientRects().length && getComputedStyle(b).visibility !== 'hidden')
    .map((b) => [b.getBoundingClientRect(), b.getAttribute('title') || b.className, b]);
  const out = [];
  // A button inside another (an icon in its button) is not an overlap.
  boxes.forEach(([a, x, p], i) => boxes.slice(i + 1).forEach(([b, y, q]) => {
    if (p.contains(q) || q.contains(p)) return;
    if (a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1
        && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${x} overlaps ${y}`);
  }));
  const header = document.querySelector('.bd-header-article').getBoundingClientRect();
  boxes.forEach(([a, x]) => { if (a.right > header.right + 1 || a.left < header.left - 1)
    out.push(`${x} sticks out of the header`); });
  return [...new Set(out)];
}"""


# What a phone cuts: a box that scrolls sideways with no cue that it goes on
# (book-reader.js marks those it watches with data-overflow), and inline code
# that runs past the article's edge.
_CUT_WITHOUT_CUE = """() => {
  const article = document.querySelector('article.bd-article').getBoundingClientRect();
  const out = [];
  for (const box of document.querySelectorAll('article.bd-article *')) {
    const s = getComputedStyle(box);
    if (!['auto', 'scroll'].includes(s.overflowX) || !box.getClientRects().length) continue;
    if (box.scrollWidth > box.clientWidth + 2 && !box.dataset.overflow
        && !box.closest('.vega-explorer'))
      out.push(`${box.tagName.toLowerCase()}.${box.className} scrolls with no cue`);
  }
  const codes = 'article.bd-article p code, article.bd-article li code';
  for (const code of document.querySelectorAll(codes)) {
    const r = code.getBoundingClientRect();
    if (r.width && r.right > article.right + 1 && !code.closest('[data-overflow]'))
      out.push(`inline code "${code.textContent.slice(0, 40)}" runs `
               + `${Math.round(r.right - article.right)} px past the text`);
  }
  return out;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_every_page_on_a_phone_and_a_desktop(browser, site_url, name):
    """Screenshots at 1280 and 390 px, each in the light and the dark theme; on the phone
    nothing scrolls the page sideways, nothing wide is cut without a cue, and the
    header's buttons do not overlap; no console error, failed request or request to
    another host (the book works offline) in any of the four, and all maths typeset."""
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for (options, width), theme in itertools.product(((DESKTOP, 1280), (PHONE, 390)),
                                                     ("light", "dark")):
        context, page = _page(browser, options)
        try:
            open_page(page, site_url, name, theme)
            page.wait_for_load_state("networkidle")
            # One pixel per CSS pixel: a whole page at twice the pixels takes six times as long.
            page.screenshot(path=str(ARTIFACTS / shot_name(name, width, theme)), full_page=True,
                            scale="css")
            problems += [f"{width} {theme}: {p}" for p in page.evaluate(_HEADER_OVERLAPS)]
            if (width, theme) == (1280, "light"):
                problems += [f"1280: {p}" for p in raw_math(page)]  # all maths typeset
            if width == 390:
                sideways = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                if sideways > 0:
                    problems.append(f"390: the page scrolls sideways by {sideways} px")
                problems += [f"390: {p}" for p in page.evaluate(_CUT_WITHOUT_CUE)]
            problems += [f"{width} {theme}: {p}" for p in page.problems]
        finally:
            context.close()
    assert problems == []
