"""The built site in headless Chromium, as a reader meets it.

Every page is served over loopback, and every request to another host is
blocked and counted as a failure: the book must work with no internet.
Each page's offline load, typeset maths and screenshots are checked in
tests/test_reader.py.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.support.book import toc_pages
from tests.support.pages import (axe_problems, raw_math, solution_problems,
                                 explorer_contrast_problems, vega_explorer_problems,
                                 wait_for_math, watch)
from tests.support.server import serve
from tools.project import ROOT

pytestmark = pytest.mark.browser

PAGES = toc_pages()
PAGE_BUDGET = 1024 * 1024  # a page's own bytes: its HTML and its images


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.problems = watch(page)
    yield page
    context.close()


def open_page(page, site_url, name):
    page.goto(f"{site_url}/{name}.html", wait_until="load")
    wait_for_math(page)


@pytest.mark.parametrize("name", PAGES)
def test_every_explorer_responds(page, site_url, name):
    """Move every control through its range: the picture follows, and every slider is
    labelled and fine-grained. Prints each explorer's input-to-picture times (the
    benchmark is bench/vega.py)."""
    import statistics

    open_page(page, site_url, name)
    times: dict = {}
    vega, _ = vega_explorer_problems(page, times=times)
    for explorer, ms in times.items():
        if ms:
            print(f"\n{name}: {explorer}: {len(ms)} moves, input to picture median "
                  f"{statistics.median(ms):.1f} ms, max {max(ms):.1f} ms")
    assert vega + page.problems == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_explorer_text_is_readable_in_both_themes(page, site_url, built_book, theme):
    """Axis labels, titles, legends and notes of every explorer reach a contrast of 4.5
    with the page, in the light and in the dark theme."""
    problems = []
    for name in PAGES:
        if 'class="vega-explorer"' not in (built_book / f"{name}.html").read_text():
            continue
        open_page(page, site_url, name)
        page.wait_for_function("() => [...document.querySelectorAll('.vega-explorer')]"
                               ".every(b => b.dataset.ready === '1')", timeout=30_000)
        if theme == "dark":
            page.evaluate("document.documentElement.dataset.theme = 'dark'")
            # explorer.js draws the charts again in the dark theme's colours.
            page.wait_for_function("() => [...document.querySelectorAll('.vega-explorer')]"
                                   ".every(b => b.dataset.theme === 'dark')", timeout=30_000)
        problems += [f"{name}: {p}" for p in explorer_contrast_problems(page)]
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
def test_solutions_are_hidden_until_asked_for(page, site_url, name):
    open_page(page, site_url, name)
    problems, _ = solution_problems(page)
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
def test_accessibility(page, site_url, name):
    """axe-core finds no serious or critical violation of ours."""
    open_page(page, site_url, name)
    assert axe_problems(page) == []


def page_bytes(built_book, name: str) -> dict[str, int]:
    """A page's own bytes: its HTML (explorers' specs and stills inlined) and the images it
    shows from ``_images``. The theme's scripts and styles, MathJax and the explorers'
    shared scripts are cached across pages and not counted."""
    path = built_book / f"{name}.html"
    html = path.read_text(encoding="utf-8")
    images = {(path.parent / src).resolve()
              for src in re.findall(r'<img[^>]+src="([^"]*_images/[^"]+)"', html)}
    return {"html": path.stat().st_size, "images": sum(p.stat().st_size for p in images)}


def test_page_weight(built_book):
    """Each page's own bytes, HTML and images, stay within 1 MB."""
    weights = {name: page_bytes(built_book, name) for name in PAGES}
    totals = {name: sum(w.values()) for name, w in weights.items()}
    print("\npage weights (bytes): html + images = total")
    for name, w in weights.items():
        print(f"  {name:32s} {w['html']:>9,} + {w['images']:>9,} = {totals[name]:>9,}")
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "page-weights.json").write_text(json.dumps(weights, indent=1))
    assert {n: t for n, t in totals.items() if t > PAGE_BUDGET} == {}


def test_search_works_offline(page, site_url):
    """The built-in search finds a chapter with no network."""
    page.goto(f"{site_url}/search.html?q=temperature", wait_until="load")
    page.wait_for_selector("#search-results li", timeout=20000)
    assert page.query_selector_all("#search-results li")
    assert page.problems == []


def test_explorer_changes_picture_when_moved(page, site_url):
    """Arrow keys on chapter 1's temperature explorer redraw its bars, as a reader sees them,
    and the numbers drawn are the softmax ``helpers`` computes for the values shown."""
    import numpy as np

    import helpers

    open_page(page, site_url, "chapters/01-softmax")
    root = page.wait_for_selector("#explorer-temperature[data-ready='1']", state="attached")
    root.scroll_into_view_if_needed()
    chart = root.query_selector(".vega-explorer-chart")
    shot_before = chart.screenshot()
    slider = root.query_selector("input[name=z0]")
    slider.focus()
    for _ in range(20):
        page.keyboard.press("ArrowLeft")  # a real key press, as a reader would
    page.wait_for_timeout(100)
    assert chart.screenshot() != shot_before
    values = root.evaluate("b => b.explorer.values()")
    assert values["z0"] == pytest.approx(2.0 - 20 * 0.02)
    shown = [float(t) for t in root.evaluate(
        "b => [...b.querySelectorAll('.vega-explorer-chart text')].map(t => t.textContent)"
        ".filter(t => /^[01]\\.\\d{3}$/.test(t))")]
    probs = helpers.softmax(np.array([values["z0"], values["z1"], 0.0]) / 2 ** values["log2T"])
    assert shown == [float(f"{p:.3f}") for p in probs]
    # The logit bars can be dragged: z₁'s bar, pulled above its panel, stops at 4.
    bar = root.query_selector_all(".vega-explorer-chart g.mark-rect path")[1].bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + 1)
    page.mouse.down()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] - 300, steps=4)
    page.mouse.up()
    assert root.evaluate("b => b.explorer.values().z1") == 4


# -- the checks above catch real faults -----------------------------------

BROKEN = {
    "console.html": "<html><body><main><p>Hi</p><script>console.error('boom')</script>"
                    "</main></body></html>",
    "cdn.html": "<html><body><main><p>Hi</p>"
                "<script src='https://cdn.example.com/x.js'></script></main></body></html>",
    "tex.html": "<html><body><main><p>The loss is $$\\frac{1}{N}$$.</p></main></body></html>",
}


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory, built_book):
    site = tmp_path_factory.mktemp("broken")
    for name, text in BROKEN.items():
        (site / name).write_text(text)
    # A Vega-Lite explorer whose script is missing: nothing but the still.
    vega = (built_book / "chapters" / "01-softmax.html").read_text()
    (site / "vega.html").write_text(vega.replace("explorer/explorer.js", "explorer/missing.js"))
    # Explorers whose sliders are never labelled: the chart moves, a screen reader hears
    # nothing (the page's scripts come from a copy of the build's, one line removed).
    scripts = site / "_static" / "explorer"
    shutil.copytree(built_book / "_static" / "explorer", scripts)
    embed = (scripts / "explorer.js").read_text()
    assert "bookControls.label(block, data.meta.controls);" in embed
    (scripts / "explorer.js").write_text(
        embed.replace("bookControls.label(block, data.meta.controls);", ""))
    (site / "chapters").mkdir()
    (site / "chapters" / "unlabelled.html").write_text(vega)
    (site / "solution.html").write_text(
        "<html><body><main><div class='solution'><p class='admonition-title'>Solution</p>"
        "<section><p>The answer is 42.</p></section></div></main></body></html>")
    with serve(site) as url:
        yield url


def test_checks_catch_a_console_error(page, broken_site):
    page.goto(f"{broken_site}/console.html", wait_until="load")
    assert any("console error: boom" in p for p in page.problems)


def test_checks_catch_a_third_party_request(page, broken_site):
    page.goto(f"{broken_site}/cdn.html", wait_until="load")
    assert any("third-party request: https://cdn.example.com" in p for p in page.problems)


def test_checks_catch_unrendered_math(page, broken_site):
    page.goto(f"{broken_site}/tex.html", wait_until="load")
    assert raw_math(page)


def test_checks_catch_an_unlabelled_explorer(page, broken_site):
    page.goto(f"{broken_site}/chapters/unlabelled.html", wait_until="load")
    problems, moves = vega_explorer_problems(page)
    assert moves and any("no label or aria-valuetext" in p for p in problems)


def test_checks_catch_a_vega_explorer_that_is_not_drawn(page, broken_site):
    page.goto(f"{broken_site}/vega.html", wait_until="load")
    problems, _ = vega_explorer_problems(page, timeout_ms=3000)
    assert problems and all("not drawn" in p for p in problems)


def test_checks_catch_a_visible_solution(page, broken_site):
    page.goto(f"{broken_site}/solution.html", wait_until="load")
    problems, count = solution_problems(page)
    assert count == 1 and any("visible before" in p for p in problems)


# -- the Vega-Lite explorers compute what helpers compute ------------------

SET_AND_READ = """async ([name, values]) => {
  const block = document.querySelector(`.vega-explorer[data-name="${name}"]`);
  for (const input of block.querySelectorAll('input[type=range]')) {
    if (input.name in values) {
      input.value = String(values[input.name]);
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
  }
  await block.explorer.view.runAsync();
  return {values: block.explorer.values(), data: block.explorer.datasets()};
}"""


def _rows(data, *keys):
    """The rows of the first data table holding every key."""
    for rows in data.values():
        if rows and all(k in rows[0] for k in keys):
            return rows
    raise AssertionError(f"no table with {keys}: {list(data)}")


def test_two_classes_explorer_matches_helpers(page, site_url):
    import numpy as np

    import helpers

    open_page(page, site_url, "chapters/01-softmax")
    page.wait_for_selector(".vega-explorer[data-name='two-classes'][data-ready='1']",
                           state="attached")
    rng = np.random.default_rng(1)
    for _ in range(8):
        got = page.evaluate(SET_AND_READ, ["two-classes", {"a": rng.uniform(-4, 4),
                                                           "b": rng.uniform(-4, 4)}])
        a, b = got["values"]["a"], got["values"]["b"]
        probs = [r["p"] for r in _rows(got["data"], "cls", "p")]
        np.testing.assert_allclose(probs, helpers.softmax(np.array([a, b])), atol=1e-6)
        curve = _rows(got["data"], "x", "sigma")
        xs = np.array([r["x"] for r in curve])
        np.testing.assert_allclose([r["sigma"] for r in curve], helpers.sigmoid(xs), atol=1e-6)


def test_smoothed_loss_explorer_matches_helpers(page, site_url):
    """Chapter 4: the loss on the page is helpers.cross_entropy with label smoothing, for
    logits that give the true class p_y and share 1 - p_y evenly, at random ε and C."""
    import numpy as np

    import helpers

    open_page(page, site_url, "chapters/04-cross-entropy")
    page.wait_for_selector(".vega-explorer[data-name='smoothed-loss'][data-ready='1']",
                           state="attached")
    rng = np.random.default_rng(2)
    for _ in range(6):
        got = page.evaluate(SET_AND_READ, ["smoothed-loss", {"eps": rng.uniform(0, 0.4),
                                                             "C": int(rng.integers(2, 101))}])
        eps, num_classes = got["values"]["eps"], int(got["values"]["C"])
        rows = [r for r in _rows(got["data"], "u", "curve", "loss")
                if r["curve"] == "smoothed"][::37]
        u = np.array([r["u"] for r in rows])
        p_y = helpers.sigmoid(u)
        logits = np.hstack([np.log(p_y)[:, None],
                            np.repeat(np.log((1 - p_y) / (num_classes - 1))[:, None],
                                      num_classes - 1, axis=1)])
        expected = helpers.cross_entropy(logits, np.zeros(len(u), dtype=int),
                                         reduction="none", label_smoothing=eps)
        np.testing.assert_allclose([r["loss"] for r in rows], expected, atol=1e-6)
