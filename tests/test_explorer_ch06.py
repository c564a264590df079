"""Chapter 6's explorer (helpers.explorer.toy_surface) against NumPy and the chapter's fits.

The chart computes the toy loss over a grid of (w, b) in the browser, and looks
the minimiser and its path up in a table that ``fit_toy`` fills once, through
the identity "the minimiser at (λ, T) is T times the minimiser at (λ T², 1)".
The spec tests check that every pair of slider positions lands on the table
and that the table holds the chapter's minimisers; the browser test moves the
controls to random values, hovers over random cells, and compares every number
the page holds with NumPy and with ``fit_toy`` run at the page's own (λ, T),
to 1e-6. It also writes screenshots at 390 and 1280 px, light and dark, to
``artifacts/explorer-ch06-*.png``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers.explorer import toy_surface as ts
from helpers.explorer.vega import MIN_POSITIONS, VegaExplorer, _params
from tests.support.book import chapter_namespace
from tests.support.explorer_page import (SET_AND_READ, open_page, screenshots_in_both_themes,
                                         served, table)

pytest.importorskip("altair")

CHAPTER = Path(__file__).resolve().parents[1] / "book/chapters/06-convexity.md"
ATOL = 1e-6


@pytest.fixture(scope="module")
def chapter():
    """The names the chapter's code cells define before its explorer section."""
    return chapter_namespace(CHAPTER, lambda text: "## Explore" in text)


@pytest.fixture(scope="module")
def explorer(chapter):
    return ts.toy_surface(chapter["toy_data"], chapter["fit_toy"], chapter["theta_hat"])


def _bindings(ex):
    return {p["name"]: p["bind"] for p in _params(ex.spec) if isinstance(p.get("bind"), dict)}


def toy_loss(w, b, x, y, reg, temperature):
    """The regularised toy loss, from helpers, at arrays of (w, b)."""
    logits = (np.asarray(w)[..., None] * x + np.asarray(b)[..., None]) / temperature
    data = helpers.binary_cross_entropy_with_logits(
        logits, np.broadcast_to(y, logits.shape), reduction="none").mean(axis=-1)
    return data + 0.5 * reg * (np.asarray(w) ** 2 + np.asarray(b) ** 2)


def toy_grad(theta, x, y, reg, temperature):
    """Its gradient in (w, b), written out by hand."""
    A = np.column_stack([x, np.ones_like(x)]) / temperature
    return A.T @ (helpers.sigmoid(A @ theta) - y) / len(y) + reg * np.asarray(theta)


# --- (a) the spec and the table --------------------------------------------------------------

def test_sliders_radios_and_still(explorer):
    assert isinstance(explorer, VegaExplorer)
    binds = _bindings(explorer)
    ranges = {k: b for k, b in binds.items() if b["input"] == "range"}
    assert set(ranges) == set(explorer.controls) == {"log10_reg", "log10_T"}
    positions = {k: round((b["max"] - b["min"]) / b["step"]) + 1 for k, b in ranges.items()}
    assert positions == {"log10_reg": ts.REG_POSITIONS, "log10_T": ts.T_POSITIONS}
    assert min(positions.values()) >= MIN_POSITIONS
    assert {k: b["options"] for k, b in binds.items() if b["input"] == "radio"} == {
        "data": ["overlapping", "separable"], "penalty": ["on", "off (λ = 0)"]}
    # The sliders read their values: λ from 1e-4 to 1, T from about 0.5 to 2.
    assert explorer.controls["log10_reg"].text(-4.0) == "0.0001"
    assert explorer.controls["log10_T"].text(-0.3) == "0.50"
    assert explorer.controls["log10_T"].text(0.3) == "2.00"
    assert explorer.spec["width"] == "container"
    assert 'class="vega-explorer"' in explorer.to_html()


def test_every_pair_of_slider_positions_lands_on_the_table():
    """log10(λ T²) of every pair of positions is a row of the table, to rounding, and the
    path's rows for every T stay inside the table."""
    reg = ts.REG_EXPONENTS[0] + ts.REG_STEP * np.arange(ts.REG_POSITIONS)
    temp = ts.T_EXPONENTS[0] + ts.T_STEP * np.arange(ts.T_POSITIONS)
    k = (reg[:, None] + 2 * temp[None, :] - ts.TABLE_EXPONENTS[0]) / ts.TABLE_STEP
    assert np.abs(k - np.round(k)).max() < 1e-6
    assert np.round(k).min() == 0 and np.round(k).max() == ts.TABLE_SIZE - 1
    k_low = np.round((2 * temp - 2 * ts.T_EXPONENTS[0]) / ts.TABLE_STEP)
    assert k_low.min() == 0 and k_low.max() + ts.REG_POSITIONS - 1 == ts.TABLE_SIZE - 1


def test_the_table_holds_the_minimisers_and_the_identity(chapter):
    fit, data = chapter["fit_toy"], chapter["toy_data"]
    rows = ts.minimiser_table(data, fit)
    assert len(rows) == 1 + 2 * ts.TABLE_SIZE
    table = np.array([[r["w"], r["b"]] for r in rows])
    x, y = data["overlapping"]
    np.testing.assert_allclose(table[0], fit(x, y), atol=1e-8)
    rng = np.random.default_rng(6)
    for d, name in enumerate(ts._OFFSET):
        x, y = data[name]
        for k in [0, ts.TABLE_SIZE - 1, *rng.integers(ts.TABLE_SIZE, size=6)]:
            reg = 10.0 ** (ts.TABLE_EXPONENTS[0] + ts.TABLE_STEP * k)
            theta = table[1 + d * ts.TABLE_SIZE + k]
            # 1e-8: the table keeps ten significant digits of minimisers below 40
            assert np.abs(toy_grad(theta, x, y, reg, 1.0)).max() < 1e-8
        # The identity, at random positions of the sliders: T times the row of λT².
        for _ in range(6):
            i, j = rng.integers(ts.REG_POSITIONS), rng.integers(ts.T_POSITIONS)
            log_reg = ts.REG_EXPONENTS[0] + ts.REG_STEP * i
            log_t = ts.T_EXPONENTS[0] + ts.T_STEP * j
            k = round((log_reg + 2 * log_t - ts.TABLE_EXPONENTS[0]) / ts.TABLE_STEP)
            direct = fit(x, y, reg=10.0 ** log_reg, temperature=10.0 ** log_t)
            np.testing.assert_allclose(10.0 ** log_t * table[1 + d * ts.TABLE_SIZE + k],
                                       direct, rtol=0, atol=ATOL)


@pytest.mark.parametrize("kwargs, match", [
    ({"data": "iris"}, "data"), ({"reg": 0.0}, "reg"), ({"reg": 2.0}, "reg"),
    ({"temperature": 3.0}, "temperature"), ({"theta_hat": (1.0,)}, "theta_hat"),
    ({"toy_data": {"overlapping": ([0.0], [0])}}, "toy_data"),
])
def test_bad_arguments_are_refused(chapter, kwargs, match):
    args = {"toy_data": chapter["toy_data"], "fit": chapter["fit_toy"],
            "theta_hat": chapter["theta_hat"], **kwargs}
    with pytest.raises(ValueError, match=match):
        ts.toy_surface(args.pop("toy_data"), args.pop("fit"), args.pop("theta_hat"), **args)


def test_a_fit_that_is_not_a_function_is_refused(chapter):
    with pytest.raises(TypeError, match="fit"):
        ts.minimiser_table(chapter["toy_data"], None)


# --- (b) the page ----------------------------------------------------------------------------

#: Where the centre of cell n is on the screen: the transparent rectangle that picks it.
CELL_ON_SCREEN = """(n) => {
  const block = document.querySelector('.vega-explorer[data-name="toy-surface"]');
  const cells = block.querySelectorAll('.vega-explorer-chart g.mark-rect');
  const grid = [...cells].find((g) => g.childElementCount === COUNT);
  const box = grid.children[n].getBoundingClientRect();
  const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
  // Null where another mark (the star, the path, the arrow, a label) covers the cell.
  return document.elementFromPoint(x, y) === grid.children[n] ? [x, y] : null;
}""".replace("COUNT", str(ts.CELLS[0] * ts.CELLS[1]))


@pytest.fixture(scope="module")
def page_url(explorer, tmp_path_factory):
    with served(tmp_path_factory.mktemp("ch06"), {"index": explorer.to_html()}) as url:
        yield url


def set_and_read(page, wanted):
    return page.evaluate(SET_AND_READ, ["toy-surface", wanted])


def check_state(v, datasets, chapter):
    """Every number of the surface, the star, the path and the fit, against NumPy."""
    x, y = chapter["toy_data"][v["data"]]
    fit, theta_hat = chapter["fit_toy"], chapter["theta_hat"]
    on = v["penalty"] == "on"
    reg, temp = (10.0 ** v["log10_reg"] if on else 0.0), 10.0 ** v["log10_T"]
    # The surface: every cell's loss, and its colour band.
    nw, nb = ts.CELLS
    cells = sorted(table(datasets, ["n", "i", "j", "w", "b", "loss", "bi", "band"]),
                   key=lambda r: r["n"])
    assert len(cells) == nw * nb
    w = ts.W_RANGE[0] + (ts.W_RANGE[1] - ts.W_RANGE[0]) / nw * (np.arange(nw) + 0.5)
    b = ts.B_RANGE[0] + (ts.B_RANGE[1] - ts.B_RANGE[0]) / nb * (np.arange(nb) + 0.5)
    ww, bb = (a.ravel() for a in np.meshgrid(w, b, indexing="ij"))  # cell n = i * nb + j
    np.testing.assert_allclose([r["w"] for r in cells], ww, atol=1e-12)
    np.testing.assert_allclose([r["b"] for r in cells], bb, atol=1e-12)
    loss = toy_loss(ww, bb, x, y, reg, temp)
    np.testing.assert_allclose([r["loss"] for r in cells], loss, rtol=0, atol=ATOL)
    # The bands' edges are the chapter's contour levels, np.geomspace(0.003, 30, 21).
    edges = np.geomspace(*ts.COLOUR_DOMAIN, 4 * ts.BANDS + 1)
    np.testing.assert_allclose(edges, np.geomspace(0.003, 30, 21))
    band = np.searchsorted(edges, loss, side="right") - 1          # -1 below, 20 above
    levels = ts.BANDS * (np.log10(loss) - math.log10(ts.COLOUR_DOMAIN[0]))
    # A loss within rounding of a band's edge may fall on either side of it in the browser.
    edge = np.abs(levels - np.round(levels)) < 1e-9
    got = np.array([r["bi"] for r in cells])
    assert np.all((got == band) | edge)
    np.testing.assert_allclose([r["band"] for r in cells],
                               np.sqrt(edges[0] * edges[1]) * (edges[1] / edges[0]) ** got)
    # The star, against fit_toy run at the page's own (λ, T).
    star = table(datasets, ["found", "pw", "pb", "title", "settings", "sub"])[0]
    assert star["title"] == v["data"] + " data"
    assert star["settings"] == (f"λ = {reg:.2g}" if on else "λ = 0") + f", T = {temp:.2f}"
    exists = on or v["data"] == "overlapping"
    assert star["found"] == int(exists)
    if exists:
        theta = fit(x, y, reg=reg, temperature=temp)
        np.testing.assert_allclose([star["pw"], star["pb"]], theta, rtol=0, atol=ATOL)
        assert f"{theta[0]:.2f}".replace("-", "−") in star["sub"].replace("-", "−")
    else:
        assert star["sub"].startswith("no minimiser")
    # The path: T times the minimisers at λ T² for λ over the slider, in the window.
    path = sorted(table(datasets, ["s", "pw", "pb"]), key=lambda r: r["s"])
    for r in path:
        assert ts.W_RANGE[0] <= r["pw"] <= ts.W_RANGE[1]
        assert ts.B_RANGE[0] <= r["pb"] <= ts.B_RANGE[1]
    for r in path[::97]:
        lam = 10.0 ** (ts.REG_EXPONENTS[0] + ts.REG_STEP * r["s"])
        np.testing.assert_allclose([r["pw"], r["pb"]], fit(x, y, reg=lam, temperature=temp),
                                   rtol=0, atol=ATOL)
    # The fitted curves: the sigmoid at the minimiser, or of multiples of theta_hat.
    curves = table(datasets, ["x", "c", "fw", "fb", "p"])
    assert {r["c"] for r in curves} == ({0} if exists else {0, 1, 2, 3})
    xs = np.array([r["x"] for r in curves])
    fw, fb = np.array([r["fw"] for r in curves]), np.array([r["fb"] for r in curves])
    if exists:
        np.testing.assert_allclose(fw, star["pw"], atol=1e-12)
    else:
        factors = np.array([(0.25, 0.5, 1.0, 2.0)[r["c"]] for r in curves])
        np.testing.assert_allclose(np.column_stack([fw, fb]), factors[:, None] * theta_hat,
                                   atol=1e-12)
    np.testing.assert_allclose([r["p"] for r in curves],
                               helpers.sigmoid((fw * xs + fb) / temp), rtol=0, atol=ATOL)
    points = sorted(table(datasets, ["i", "xo", "xsep", "x", "y"]), key=lambda r: r["i"])
    np.testing.assert_allclose([r["x"] for r in points], x)
    return reg, temp


def check_hover(page, v, reg, temp, chapter, rng):
    """Hover over a random cell: the outlined cell's loss and gradient, and its tooltip."""
    x, y = chapter["toy_data"][v["data"]]
    while True:  # a cell that no other mark covers
        i, j = rng.integers(ts.CELLS[0]), rng.integers(ts.CELLS[1])
        at = page.evaluate(CELL_ON_SCREEN, int(i * ts.CELLS[1] + j))
        if at is not None:
            break
    dw = (ts.W_RANGE[1] - ts.W_RANGE[0]) / ts.CELLS[0]
    db = (ts.B_RANGE[1] - ts.B_RANGE[0]) / ts.CELLS[1]
    w, b = ts.W_RANGE[0] + dw * (i + 0.5), ts.B_RANGE[0] + db * (j + 0.5)
    page.mouse.move(0, 0)                 # off the chart first: the move below is news
    page.mouse.move(*at)
    page.mouse.move(at[0] + 0.5, at[1] + 0.5)   # the tooltip follows a move over the outline
    page.wait_for_selector(".vg-tooltip.visible", state="visible")
    got = set_and_read(page, {})
    cell = table(got["datasets"], ["n", "w", "b", "data_loss", "loss", "gw", "gb"])
    assert len(cell) == 1
    cell = cell[0]
    assert (cell["w"], cell["b"]) == pytest.approx((w, b), abs=1e-9)
    np.testing.assert_allclose(cell["loss"], toy_loss(w, b, x, y, reg, temp), atol=ATOL)
    np.testing.assert_allclose([cell["gw"], cell["gb"]],
                               toy_grad(np.array([w, b]), x, y, reg, temp), rtol=0, atol=ATOL)
    # The tooltip shows the same numbers, to four decimals.
    text = page.inner_text(".vg-tooltip.visible").replace("\u2212", "-")
    numbers = [float(s) for s in re.findall(r"-?\d+\.\d+", text)]
    assert numbers == pytest.approx([w, b, cell["loss"], cell["gw"], cell["gb"]], abs=6e-3)
    assert "∂L/∂w" in text and "∂L/∂b" in text


def _random_values(rng):
    return {"data": str(rng.choice(["overlapping", "separable"])),
            "penalty": str(rng.choice(["on", "off (λ = 0)"], p=[0.7, 0.3])),
            "log10_reg": round(ts.REG_EXPONENTS[0] + ts.REG_STEP
                               * rng.integers(ts.REG_POSITIONS), 6),
            "log10_T": round(ts.T_EXPONENTS[0] + ts.T_STEP * rng.integers(ts.T_POSITIONS), 6)}


@pytest.mark.browser
def test_the_page_agrees_with_numpy_and_fit_toy(page_url, browser, chapter):
    rng = np.random.default_rng(60)
    page, errors = open_page(browser, page_url)
    seen = set()
    for trial in range(10):
        wanted = _random_values(rng)
        if trial < 4:  # each data set with the penalty on and off
            wanted.update(data=["overlapping", "separable"][trial % 2],
                          penalty=["on", "off (λ = 0)"][trial // 2])
        got = set_and_read(page, wanted)
        v = got["values"]
        assert v["data"] == wanted["data"] and v["penalty"] == wanted["penalty"]
        assert v["log10_reg"] == pytest.approx(wanted["log10_reg"], abs=1e-9)
        assert v["log10_T"] == pytest.approx(wanted["log10_T"], abs=1e-9)
        reg, temp = check_state(v, got["datasets"], chapter)
        check_hover(page, v, reg, temp, chapter, rng)
        seen.add((v["data"], v["penalty"]))
    assert len(seen) == 4
    assert errors == []
    page.close()


@pytest.mark.browser
def test_screenshots_at_two_widths_in_light_and_dark(page_url, browser):
    from tools.project import ROOT

    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    for width in (390, 1280):
        page, errors = open_page(browser, page_url, width=width)
        page.evaluate("document.body.style.maxWidth = 'none'")
        set_and_read(page, {"data": "separable", "log10_reg": -3.0})
        screenshots_in_both_themes(page, width, out / f"explorer-ch06-{width}-{{theme}}.png")
        assert errors == []
        page.close()
