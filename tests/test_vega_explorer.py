"""Explorers drawn by Vega-Lite: the Python side, and the page's script in Chromium.

The chart is the ch01-style softmax of three logits and a temperature, whose
mathematics runs in Vega expressions; the browser test moves its sliders to
random values and compares every probability the page holds with
``helpers.softmax`` on the same inputs (to 1e-6).
"""

import base64
import json

import numpy as np
import pytest

import helpers
from helpers.explorer.vega import MIN_POSITIONS, Control, VegaExplorer, slider

alt = pytest.importorskip("altair")


def softmax_explorer():
    z0, c0 = slider("z0", -4, 4, 2.0, "logit z₀")
    z1, c1 = slider("z1", -4, 4, 1.0, "logit z₁")
    lt, ct = slider("log2T", -2, 2, 0.0, "temperature T", power=2)
    data = alt.Data(values=[{"cls": i} for i in range(3)])
    base = (alt.Chart(data)
            .transform_calculate(z="[z0, z1, 0][datum.cls]", T="pow(2, log2T)")
            .transform_joinaggregate(zmax="max(z)")
            .transform_calculate(e="exp((datum.z - datum.zmax) / datum.T)")
            .transform_joinaggregate(total="sum(e)")
            .transform_calculate(p="datum.e / datum.total"))
    bars = base.mark_bar().encode(x="cls:O", y=alt.Y("p:Q", scale=alt.Scale(domain=[0, 1])))
    text = base.mark_text(dy=-8).encode(x="cls:O", y="p:Q", text=alt.Text("p:Q", format=".3f"))
    chart = (bars + text).add_params(z0, z1, lt).properties(width="container", height=200)
    return VegaExplorer(chart, {"z0": c0, "z1": c1, "log2T": ct},
                        alt="Three class probabilities.", name="softmax-test")


def test_a_slider_has_at_least_41_positions():
    param, control = slider("x", 0, 1, 0.5, "x")
    step = param.param.bind.step
    assert (1 - 0) / step + 1 >= MIN_POSITIONS
    with pytest.raises(ValueError, match="at least 41"):
        slider("x", 0, 1, 0.5, "x", step=0.05)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"name": "not a name"}, TypeError, "identifier"),
    ({"lo": 1.0, "hi": 0.0}, ValueError, "lo < hi"),
    ({"value": 5.0}, ValueError, "value must lie"),
    ({"step": 0.0}, ValueError, "step must be positive"),
])
def test_slider_rejects_bad_arguments(kwargs, error, match):
    args = {"name": "x", "lo": 0.0, "hi": 1.0, "value": 0.5, "label": "x"} | kwargs
    with pytest.raises(error, match=match):
        slider(**args)


def test_a_log_slider_reads_its_value_not_its_exponent():
    assert Control("T", digits=2, power=2).text(-2.0) == "0.25"
    assert Control("z", digits=1).text(-1.25) == "-1.2"


def test_controls_must_match_the_chart_sliders():
    ex = softmax_explorer()
    with pytest.raises(ValueError, match="exactly the chart's sliders"):
        VegaExplorer(ex.chart, {"z0": ex.controls["z0"]}, alt="x", name="x")
    with pytest.raises(ValueError, match="alt"):
        VegaExplorer(ex.chart, ex.controls, alt=" ", name="x")


def test_the_block_carries_spec_labels_and_a_still():
    ex = softmax_explorer()
    page = ex.to_html()
    payload = page.split('class="vega-explorer-spec">', 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    assert data["meta"]["controls"]["log2T"] == {"label": "temperature T", "digits": 2,
                                                  "power": 2}
    assert data["spec"]["description"] == "Three class probabilities."
    still = page.split('class="vega-explorer-still">', 1)[1]
    assert still.startswith("<svg ") and 'role="img"' in still
    assert 'aria-label="Three class probabilities."' in still
    assert "cdn" not in page.lower() and "http://" not in page.replace(
        "http://www.w3.org", "")


def test_the_png_for_pdf_is_drawn_at_twice_the_size():
    from PIL import Image
    import io

    ex = softmax_explorer()
    one = Image.open(io.BytesIO(ex.png(scale=1)))
    two = Image.open(io.BytesIO(base64.b64decode(ex._repr_mimebundle_()["image/png"])))
    assert two.size == (2 * one.size[0], 2 * one.size[1])


@pytest.mark.browser
def test_the_page_agrees_with_helpers_at_random_slider_values(tmp_path, browser):
    from tests.support.explorer_page import write_explorer_page
    from tests.support.server import serve

    write_explorer_page(tmp_path, softmax_explorer().to_html())
    rng = np.random.default_rng(0)
    with serve(tmp_path) as url:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/index.html")
        page.wait_for_selector(".vega-explorer[data-ready='1']", state="attached")
        assert errors == []
        for _ in range(10):
            wanted = {"z0": rng.uniform(-4, 4), "z1": rng.uniform(-4, 4),
                      "log2T": rng.uniform(-2, 2)}
            got = page.evaluate("""async (wanted) => {
              const block = document.querySelector('.vega-explorer');
              for (const input of block.querySelectorAll('input[type=range]')) {
                input.value = String(wanted[input.name]);
                input.dispatchEvent(new Event('input', {bubbles: true}));
              }
              await block.explorer.view.runAsync();
              const tables = Object.values(block.explorer.datasets())
                .filter(rows => rows.length === 3 && 'p' in rows[0]);
              return {values: block.explorer.values(), probs: tables[0].map(r => r.p),
                      aria: [...block.querySelectorAll('input[type=range]')]
                        .map(i => i.getAttribute('aria-valuetext'))};
            }""", wanted)
            v = got["values"]
            # The slider snaps to its step: compare at the values the page holds.
            assert all(abs(v[k] - wanted[k]) <= 0.011 for k in wanted)
            expected = helpers.softmax(np.array([v["z0"], v["z1"], 0.0]) / 2 ** v["log2T"])
            np.testing.assert_allclose(got["probs"], expected, rtol=0, atol=1e-6)
            assert got["aria"][2] == f"temperature T {2 ** v['log2T']:.2f}"
        # Dark mode: redrawn in the theme's colours, with the reader's values kept.
        before = page.evaluate("document.querySelector('.vega-explorer').explorer.values()")
        page.evaluate("document.documentElement.dataset.theme = 'dark'")
        page.wait_for_function("""() => {
          const t = document.querySelector('.vega-explorer-chart text');
          return t && getComputedStyle(t).fill === 'rgb(206, 214, 221)'; }""")
        page.wait_for_selector(".vega-explorer[data-ready='1']", state="attached")
        after = page.evaluate("document.querySelector('.vega-explorer').explorer.values()")
        assert after == before


def draggable_explorer():
    """Two logit bars on a y scale from -4 to 4, which the reader can drag."""
    z0, c0 = slider("z0", -4, 4, 2.0, "logit z₀")
    z1, c1 = slider("z1", -4, 4, -1.0, "logit z₁")
    bars = (alt.Chart(alt.Data(values=[{"cls": 0}, {"cls": 1}]))
            .transform_calculate(z="[z0, z1][datum.cls]", drag="['z0', 'z1'][datum.cls]")
            .mark_bar().encode(x="cls:O", y=alt.Y("z:Q", scale=alt.Scale(domain=[-4, 4]))))
    chart = alt.hconcat(bars.properties(width=120, height=200),
                        bars.properties(width=120, height=100)).add_params(z0, z1)
    return VegaExplorer(chart, {"z0": c0, "z1": c1}, alt="Two logits.", name="drag-test",
                        drags={"z0": "concat_0_y", "z1": "concat_0_y"})


def test_drags_must_name_sliders():
    ex = draggable_explorer()
    with pytest.raises(ValueError, match="drags must map"):
        VegaExplorer(ex.chart, ex.controls, alt="x", name="x", drags={"T": "y"})


@pytest.mark.browser
@pytest.mark.parametrize("width", [700, 300])
def test_dragging_a_bar_sets_its_slider_to_the_value_under_the_pointer(tmp_path, browser,
                                                                       width):
    """At full size and shrunk to a phone's width, the value read under the pointer is
    the one the bar's y scale gives at that height, to a slider step (0.02)."""
    from tests.support.explorer_page import write_explorer_page
    from tests.support.server import serve

    write_explorer_page(tmp_path, draggable_explorer().to_html())
    with serve(tmp_path) as url:
        page = browser.new_page(viewport={"width": width, "height": 700})
        page.goto(url + "/index.html")
        block = page.wait_for_selector(".vega-explorer[data-ready='1']", state="attached")
        bar = block.query_selector_all(".vega-explorer-chart g.mark-rect path")[0].bounding_box()
        # The first panel's plot: its 200 px height spans the domain [-4, 4].
        frame = block.evaluate("""b => { const v = b.explorer.view, svg = b.querySelector('svg');
          const box = svg.getBoundingClientRect(), k = box.height / svg.height.baseVal.value;
          return {top: box.top + (v.origin()[1] + v.padding().top) * k, k}; }""")
        x = bar["x"] + bar["width"] / 2
        for target in (3.0, 0.5, -2.5, -4.0):
            y = frame["top"] + (4 - target) / 8 * 200 * frame["k"]
            page.mouse.move(x, bar["y"] + 1)
            page.mouse.down()
            page.mouse.move(x, y, steps=4)
            page.mouse.up()
            got = block.evaluate("b => [b.explorer.values(), "
                                 "b.querySelector('input[name=z0]').getAttribute('aria-valuetext')]")
            assert abs(got[0]["z0"] - target) <= 0.02 + 1e-9, (target, got)
            assert got[0]["z1"] == -1.0  # the other bar stays
            assert got[1] == f"logit z₀ {got[0]['z0']:.2f}"
            bars = block.query_selector_all(".vega-explorer-chart g.mark-rect path")
            bar = bars[0].bounding_box()


def test_the_book_build_embeds_no_widget(monkeypatch):
    """In the book build the page gets the HTML block and the PNG, not a widget whose
    state would carry the whole script bundle into the page."""
    from helpers.explorer.vega import BOOK_BUILD_ENV

    monkeypatch.setenv(BOOK_BUILD_ENV, "1")
    bundle = softmax_explorer()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
