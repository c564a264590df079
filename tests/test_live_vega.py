"""A Vega-Lite explorer in JupyterLab: the same chart, live, offline, in sync with Python.

A small notebook builds the softmax explorer of ``tests/test_vega_explorer.py``
and is run in a real JupyterLab in headless Chromium. The chart must appear
(drawn by Altair's JupyterChart from the bundle vl-convert provides, with no
network), move with the keyboard, and report the moved value back to the
kernel, where ``explorer.values`` reads it.
"""

from __future__ import annotations

import inspect
import textwrap

import pytest

from tests.support import lab

pytestmark = pytest.mark.browser
alt = pytest.importorskip("altair")

HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    from test_vega_explorer import draggable_explorer, softmax_explorer

    source = textwrap.dedent(inspect.getsource(softmax_explorer))
    dragged = textwrap.dedent(inspect.getsource(draggable_explorer))
    notebook = tmp_path_factory.mktemp("live") / "vega-live.md"
    notebook.write_text(
        HEADER
        + "```{code-cell} ipython3\nimport altair as alt\n"
          "from helpers.explorer.vega import VegaExplorer, slider\n\n"
        + source + "\nex = softmax_explorer()\nex\n```\n\n"
        + "```{code-cell} ipython3\nprint('values', ex.values)\n```\n\n"
        + "```{code-cell} ipython3\n" + dragged + "\nbars = draggable_explorer()\nbars\n```\n\n"
        + "```{code-cell} ipython3\nprint('dragged', bars.values)\n```\n",
        encoding="utf-8")
    with lab.Lab([notebook], browser) as running:
        page = running.open(notebook.stem)
        yield page
        page.close()


def test_the_chart_is_drawn_live_with_its_sliders(page):
    first = page.locator(".jp-CodeCell").first.locator(".jp-OutputArea-output")
    first.locator(".vega-embed svg.marks").wait_for(timeout=60_000)
    texts = first.locator(".vega-embed svg text").all_text_contents()
    assert "0.665" in texts   # softmax(2, 1, 0)[0], drawn by Vega in the browser
    sliders = first.locator("input[type=range]")
    assert sliders.count() == 3
    # The log-scale slider reads the temperature, as in the book, not its logarithm.
    assert sliders.nth(2).get_attribute("aria-valuetext") == "temperature T 1.00"


def test_a_key_press_moves_the_chart_and_python_sees_it(page):
    first = page.locator(".jp-CodeCell").first.locator(".jp-OutputArea-output")
    slider = first.locator("input[type=range]").first
    for _ in range(5):
        slider.press("ArrowRight")   # step 0.02: z0 from 2.0 to 2.1
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-OutputArea-output .vega-embed svg text')]
                 .some(t => t.textContent === '0.687')""", timeout=10_000)
    # Run the second cell again: the kernel holds the value the reader chose.
    cell = page.locator(".jp-CodeCell").nth(1)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """() => { const out = document.querySelectorAll('.jp-CodeCell')[1]
                     .querySelector('.jp-OutputArea-output');
                   return out && /'z0': 2\\.1/.test(out.textContent); }""", timeout=30_000)


def test_dragging_a_bar_moves_its_slider_and_python_sees_it(page):
    """The live chart shares the book's controls.js: a bar dragged to the top of its
    panel sets its slider to the scale's end, 4, and the kernel reads it."""
    output = page.locator(".jp-CodeCell").nth(2).locator(".jp-OutputArea-output")
    output.locator(".vega-embed svg.marks").wait_for(timeout=60_000)
    bar = output.locator("g.mark-rect path").first.bounding_box()
    x = bar["x"] + bar["width"] / 2
    page.mouse.move(x, bar["y"] + 1)
    page.mouse.down()
    page.mouse.move(x, bar["y"] - 200, steps=5)   # beyond the top: the slider stops at 4
    page.mouse.up()
    slider = output.locator("input[name=z0]")
    assert slider.input_value() == "4"
    assert slider.get_attribute("aria-valuetext") == "logit z₀ 4.00"
    cell = page.locator(".jp-CodeCell").nth(3)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """() => { const out = document.querySelectorAll('.jp-CodeCell')[3]
                     .querySelector('.jp-OutputArea-output');
                   return out && /'z0': 4/.test(out.textContent); }""", timeout=30_000)
