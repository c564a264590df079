"""A chapter in JupyterLab, as a student on Binder runs it.

Chapter 1 is converted to a notebook, opened in a real JupyterLab in
headless Chromium and run from the Run menu.  Then its Vega-Lite explorers
are moved with the keyboard, and the chart must follow: a new picture for a
new value, and the very same picture back for the value shown before.
"""

from __future__ import annotations

import pytest

from tests.support import lab
from tools.project import BOOK

pytestmark = pytest.mark.browser
CHAPTER = BOOK / "chapters" / "01-softmax.md"


@pytest.fixture(scope="module")
def page(browser):
    with lab.Lab([CHAPTER], browser) as running:
        page = running.open(CHAPTER.stem)
        yield page
        page.close()


def test_every_cell_runs_without_error_output(page):
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    assert page.locator(".jp-InputArea-prompt").count() > 10


def test_the_explorers_are_live_charts(page):
    """Both of chapter 1's explorers are drawn in the browser from the bundle vl-convert
    provides (no network), each with its sliders labelled."""
    charts = page.locator(".jp-OutputArea-output .vega-embed")
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-OutputArea-output .vega-embed svg').length >= 2",
        timeout=60_000)
    assert charts.count() == 2
    for k in range(2):
        sliders = charts.nth(k).locator("input[type=range]")
        assert sliders.count() >= 2
        assert all(sliders.nth(i).get_attribute("aria-valuetext") for i in range(sliders.count()))


@pytest.mark.parametrize("which", [0, 1])
def test_a_slider_moves_the_chart_and_back(page, which):
    """Arrow keys move a slider (JupyterLab leaves them to it) and the chart follows."""
    chart = page.locator(".jp-OutputArea-output .vega-embed").nth(which)
    slider = chart.locator("input[type=range]").first
    drawn = chart.locator("svg").first
    start, value = drawn.inner_html(), slider.input_value()
    for _ in range(10):
        slider.press("ArrowLeft")
    assert slider.input_value() != value
    page.wait_for_function("([el, before]) => el.innerHTML !== before",
                           arg=[drawn.element_handle(), start], timeout=10_000)
    for _ in range(10):
        slider.press("ArrowRight")
    assert slider.input_value() == value
    page.wait_for_function("([el, before]) => el.innerHTML === before",
                           arg=[drawn.element_handle(), start], timeout=10_000)
