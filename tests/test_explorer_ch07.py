"""Chapter 7's explorer (helpers.explorer.descent) against helpers.training.train.

The chart trains softmax regression by full-batch gradient descent in the
browser, unrolled step by step in its Vega dataflow. The spec tests check the
sliders, the sample and the size of the spec; the browser test moves the three
sliders to random positions (and to the corners the chapter names: η = 2 with
λ = 1, and λ = 0) and compares every number the page holds with
``helpers.training.train`` on the same sample at the page's own (η, λ): the
loss after every step, the weights and the accuracy after the chosen step,
each point's predicted class, and the decision regions, whose polygons must
tile the square and agree with the argmax of the logits. It also writes
screenshots at 390 and 1280 px, light and dark, to
``artifacts/explorer-ch07-page-*.png``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers import training
from helpers.explorer import descent as ds
from helpers.explorer.vega import MIN_POSITIONS, VegaExplorer, _params
from tests.support.explorer_page import open_page, screenshots_in_both_themes, served, table

pytest.importorskip("altair")

RTOL = ATOL = 1e-6


@pytest.fixture(scope="module")
def explorer():
    return ds.descent()


def _bindings(ex):
    return {p["name"]: p["bind"] for p in _params(ex.spec) if isinstance(p.get("bind"), dict)}


def ds_steps(ex):
    """The length of the explorer's run: the step slider's right end."""
    return int(_bindings(ex)["steps"]["max"])


def penalty(ex, log10_reg):
    """λ as the page computes it: 0 at the slider's left end, else 10 ** position."""
    bind = _bindings(ex)["log10_reg"]
    return 0.0 if log10_reg <= bind["min"] + 0.5 * bind["step"] else 10.0 ** log10_reg


# --- (a) the spec --------------------------------------------------------------------------

def test_every_slider_has_41_positions_and_reads_its_value(explorer):
    assert isinstance(explorer, VegaExplorer)
    binds = _bindings(explorer)
    assert set(binds) == set(explorer.controls) == {"log10_lr", "log10_reg", "steps"}
    for bind in binds.values():
        assert bind["input"] == "range"
        assert round((bind["max"] - bind["min"]) / bind["step"]) + 1 >= MIN_POSITIONS
    lr, reg, steps = (explorer.controls[k] for k in ("log10_lr", "log10_reg", "steps"))
    assert lr.text(binds["log10_lr"]["min"]) == "0.010"
    assert lr.text(binds["log10_lr"]["max"]) == "2.000"
    # The penalty's left end is λ = 0, and the slider reads 0 there.
    assert reg.text(binds["log10_reg"]["min"]) == "0.000"
    assert penalty(explorer, binds["log10_reg"]["min"]) == 0.0
    assert reg.text(binds["log10_reg"]["max"]) == "1.000"
    assert (binds["steps"]["min"], binds["steps"]["max"], binds["steps"]["step"]) == (0, 60, 1)
    assert steps.text(60) == "60"


def test_the_defaults_sit_on_the_slider_grids(explorer):
    binds, values = _bindings(explorer), explorer.values
    for name in ("log10_lr", "log10_reg"):
        k = (values[name] - binds[name]["min"]) / binds[name]["step"]
        assert k == pytest.approx(round(k), abs=1e-9)
    assert 10 ** values["log10_lr"] == pytest.approx(0.1, rel=3e-3)
    assert 10 ** values["log10_reg"] == pytest.approx(0.01, rel=1e-9)
    assert values["steps"] == 60


def test_the_sample_and_the_first_weights_are_those_of_train(explorer):
    X, labels = ds.training_set()
    X_ref, labels_ref = training.make_blobs3(20, seed=0)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(labels, labels_ref)
    text = json.dumps(explorer.spec)
    first = training.train(X, labels, lr=0.1, steps=0, seed=0).W[0]
    for value in first.ravel():
        assert repr(float(value)) in text


def test_the_spec_stays_small_and_the_still_is_drawn(explorer):
    assert len(json.dumps(explorer.spec, separators=(",", ":"))) < 260_000
    html = explorer.to_html()
    assert len(html) < 320_000
    assert "<svg " in html or "data:image/png" in html


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_per_class": 12}, ValueError, "n_per_class"),
    ({"n_per_class": 2.5}, TypeError, "n_per_class"),
    ({"max_steps": 39}, ValueError, "max_steps"),
    ({"steps": 61}, ValueError, "steps"),
    ({"lr": 3.0}, ValueError, "lr"),
    ({"lr_range": (0.0, 2.0)}, ValueError, "lr_range"),
    ({"reg": 2.0}, ValueError, "reg"),
    ({"min_reg": 0.0}, ValueError, "min_reg"),
])
def test_bad_arguments_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        ds.descent(**kwargs)


# --- (b) the page --------------------------------------------------------------------------

SET_AND_READ = """async (wanted) => {
  const block = document.querySelector('.vega-explorer[data-name="descent"]');
  for (const input of block.querySelectorAll('input[type=range]')) {
    if (!(input.name in wanted)) continue;
    input.value = String(wanted[input.name]);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  await block.explorer.view.runAsync();
  // A run's parameter array ends with a reference to the step before: cut the chain.
  const cut = (key, value) => Array.isArray(value) && value.length === 11
    && Array.isArray(value[10]) ? value.slice(0, 10) : value;
  return JSON.stringify({values: block.explorer.values(), datasets: block.explorer.datasets()},
                        cut);
}"""


@pytest.fixture(scope="module")
def page_url(explorer, tmp_path_factory):
    with served(tmp_path_factory.mktemp("ch07"), {"index": explorer.to_html()}) as url:
        yield url


def _inside(polygon, point):
    """Whether ``point`` lies in the convex ``polygon`` (vertices in angular order)."""
    u, v = polygon[:, 0], polygon[:, 1]
    du, dv = np.roll(u, -1) - u, np.roll(v, -1) - v
    cross = du * (point[1] - v) - dv * (point[0] - u)
    return bool(np.all(cross >= -1e-9) or np.all(cross <= 1e-9))


def check_state(ex, v, datasets, rng):
    """Every number the page holds against train at the page's (η, λ); returns the run."""
    X, labels = ds.training_set()
    lr, reg, k = 10.0 ** v["log10_lr"], penalty(ex, v["log10_reg"]), int(v["steps"])
    run = training.train(X, labels, lr=lr, reg=reg, steps=ds_steps(ex), seed=0)
    # The loss after every step, and the parameters after every step.
    history = sorted(table(datasets, ["step", "loss", "w", "shown"]), key=lambda r: r["step"])
    assert [r["step"] for r in history] == list(range(ds_steps(ex) + 1))
    np.testing.assert_allclose([r["loss"] for r in history], run.loss, rtol=RTOL, atol=ATOL)
    params = np.array([r["w"][:9] for r in history])                         # (K + 1, 9)
    np.testing.assert_allclose(params[:, :6].reshape(-1, 2, 3), run.W, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(params[:, 6:], run.b, rtol=RTOL, atol=ATOL)
    # The training points after step k: their predictions and the accuracy.
    points = sorted(table(datasets, ["n", "predicted", "correct", "accuracy", "wk"]),
                    key=lambda r: r["n"])
    assert len(points) == len(X)
    W_k, b_k = run.W[k], run.b[k]
    logits = X @ W_k + b_k
    gaps = np.sort(logits, axis=1)
    clear = gaps[:, -1] - gaps[:, -2] > 1e-6 * (1 + np.abs(logits).max())
    predicted = np.array([r["predicted"] for r in points])
    np.testing.assert_array_equal(predicted[clear], np.argmax(logits, axis=1)[clear])
    if clear.all():
        assert points[0]["accuracy"] == pytest.approx(run.accuracy[k], abs=1e-12)
    # The decision regions: convex polygons that tile the square, each where its class wins.
    lo, hi = ds.LIMITS
    corners = table(datasets, ["c", "u", "v", "angle"])
    polygons = {}
    for c in range(3):
        rows = sorted((r for r in corners if r["c"] == c), key=lambda r: r["angle"])
        if rows:
            polygons[c] = np.array([[r["u"], r["v"]] for r in rows])
    area = sum(0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], -1))
                         - np.dot(p[:, 1], np.roll(p[:, 0], -1))) for p in polygons.values())
    assert area == pytest.approx((hi - lo) ** 2, rel=1e-9)
    for point in rng.uniform(lo, hi, size=(200, 2)):
        z = point @ W_k + b_k
        top = np.sort(z)
        if top[-1] - top[-2] <= 1e-6 * (1 + np.abs(z).max()):
            continue  # on a boundary
        assert _inside(polygons[int(np.argmax(z))], point), (v, point)
    return run


@pytest.mark.browser
def test_the_page_trains_as_train_does_at_random_control_values(explorer, page_url, browser):
    rng = np.random.default_rng(7)
    page, errors = open_page(browser, page_url)
    binds = _bindings(explorer)
    ends = [{"log10_lr": binds["log10_lr"]["max"], "log10_reg": binds["log10_reg"]["max"],
             "steps": 60},                                     # η = 2, λ = 1: it blows up
            {"log10_lr": binds["log10_lr"]["min"], "log10_reg": binds["log10_reg"]["min"],
             "steps": 0},                                      # η = 0.01, λ = 0, no step
            {"log10_lr": -0.30103, "log10_reg": binds["log10_reg"]["min"], "steps": 37}]
    trials = ends + [{"log10_lr": rng.uniform(-2, math.log10(2)), "log10_reg": rng.uniform(-4, 0),
                      "steps": int(rng.integers(0, 61))} for _ in range(9)]
    blown = 0
    for wanted in trials:
        got = json.loads(page.evaluate(SET_AND_READ, wanted))
        v = got["values"]
        assert set(v) == set(wanted)
        for name, value in wanted.items():  # the sliders snap to their steps
            assert abs(v[name] - value) <= binds[name]["step"] / 2 + 1e-9
        run = check_state(explorer, v, got["datasets"], rng)
        blown += run.loss[-1] > 100
    assert blown >= 1  # the corner the chapter names, η = 2 with λ = 1, blows up
    # One slider at a time: the run starts again from the same first weights (η, λ), or
    # another step of the same run is picked (steps).
    for wanted in ({"log10_reg": -1.0}, {"log10_lr": -1.5}, {"log10_reg": -4.0},
                   {"steps": 0}, {"steps": 1}, {"steps": 50}, {"log10_lr": 0.0}):
        got = json.loads(page.evaluate(SET_AND_READ, wanted))
        check_state(explorer, got["values"], got["datasets"], rng)
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
        page.evaluate(SET_AND_READ, {"steps": 40})
        screenshots_in_both_themes(page, width, out / f"explorer-ch07-page-{width}-{{theme}}.png")
        assert errors == []
        page.close()
