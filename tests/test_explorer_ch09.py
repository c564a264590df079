"""Chapter 9's explorer (helpers.explorer.information) against helpers.mi.

The explorer draws the training points at separation s from their noise at
s = 0, and looks up the truth and both estimates in a table computed once. The
tests check that those shortcuts are exact: the points are
``mi.gaussian_classes`` at every s, and every number of the table (and of the
page, at random slider and radio values) is what an independent computation
with ``helpers`` gives for that separation and balance: the Monte Carlo truth of
``mi.true_mutual_information``, and ``log 3 - CE`` and ``H_hat(Y) - CE(f + log
pi_hat)`` written with ``helpers.cross_entropy``, to 1e-6.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import helpers
from helpers import mi
from helpers.explorer import information
from helpers.explorer.vega import MIN_POSITIONS, VegaExplorer, _params
from tests.support.explorer_page import SET_AND_READ, open_page, screenshots_in_both_themes, served

PRIORS = {"balanced": np.full(3, 1 / 3), "mild": np.array([0.5, 0.3, 0.2]),
          "strong": np.array([0.7, 0.2, 0.1])}
GRID = np.arange(61) / 20          # the chapter's SEPARATION_GRID
N_TRAIN, N_EVAL = 500, 100_000


def independent_run(s, balance):
    """The truth, its standard error and both estimates, written another way."""
    priors = PRIORS[balance]
    truth, se = mi.true_mutual_information(3, 2, s, priors, num_samples=N_EVAL, seed=2)
    X, y = mi.gaussian_classes(3, 2, s, priors, N_TRAIN, seed=1)
    X_ev, y_ev = mi.gaussian_classes(3, 2, s, priors, N_EVAL, seed=2)
    W, b = mi.fit_softmax_regression(X, y, num_classes=3, lr=0.5, steps=300)
    naive = np.log(3) - helpers.cross_entropy(X_ev @ W + b, y_ev)
    prior_hat = np.bincount(y, minlength=3) / N_TRAIN
    W, b = mi.fit_softmax_regression(X, y, num_classes=3, lr=0.5, steps=300,
                                     logit_offset=np.log(prior_hat))
    h_hat = -np.mean(np.log(prior_hat)[y_ev])
    pc = h_hat - helpers.cross_entropy(X_ev @ W + b + np.log(prior_hat), y_ev)
    h = -np.sum(priors * np.log(priors))
    return {"truth": truth, "se": se, "naive": naive, "pc": pc, "h": h}


@functools.cache
def grid_runs():
    return information.separation_runs(GRID, PRIORS, n_train=N_TRAIN, n_eval=N_EVAL)


@functools.cache
def explorer():
    return information.separation_explorer(
        grid_runs(), information.training_points(PRIORS, n_train=N_TRAIN), PRIORS,
        separation=1.0, balance="strong")


# --- the shortcuts ---------------------------------------------------------------------------

@pytest.mark.parametrize("s", [0.0, 0.35, 1.0, 2.95])
def test_the_points_at_s_are_the_noise_at_zero_moved_by_s_times_their_direction(s):
    rows = information.training_points(PRIORS, n_train=N_TRAIN)
    noise = np.array([[r["e0"], r["e1"]] for r in rows])
    directions = mi.class_means(3, 2, 1.0)
    for balance, priors in PRIORS.items():
        X, y = mi.gaussian_classes(3, 2, s, priors, N_TRAIN, seed=1)
        labels = np.array([r[f"y_{balance}"] for r in rows])
        assert np.array_equal(labels, y)
        # Nine decimals stored; s * direction as the chart computes it.
        np.testing.assert_allclose(noise + s * directions[labels], X, rtol=0, atol=1e-9)


@pytest.mark.parametrize("s, balance", [(0.0, "strong"), (0.45, "balanced"),
                                        (1.65, "mild"), (3.0, "strong")])
def test_the_table_is_an_independent_computation(s, balance):
    row = next(r for r in grid_runs() if r["s"] == s and r["balance"] == balance)
    expected = independent_run(s, balance)
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, abs=1e-9), key


def test_the_table_holds_every_separation_and_balance():
    runs = grid_runs()
    assert len(runs) == len(GRID) * len(PRIORS)
    assert {(r["s"], r["balance"]) for r in runs} == {(s, b) for s in GRID for b in PRIORS}


# --- the spec --------------------------------------------------------------------------------

def test_the_spec_has_a_fine_slider_and_radio_buttons():
    ex = explorer()
    assert isinstance(ex, VegaExplorer)
    binds = {p["name"]: p["bind"] for p in _params(ex.spec) if isinstance(p.get("bind"), dict)}
    s = binds["s"]
    positions = round((s["max"] - s["min"]) / s["step"]) + 1
    assert positions == len(GRID) >= MIN_POSITIONS
    assert binds["balance"]["input"] == "radio"
    assert binds["balance"]["options"] == list(PRIORS)
    assert ex.choices == ["balance"] and ex.values == {"s": 1.0, "balance": "strong"}
    assert ex.spec["width"] == "container"
    # The still is an SVG (small enough), its text readable by the engine's fonts.
    assert "<svg " in ex.to_html()


@pytest.mark.parametrize("call, error, match", [
    (lambda: information.separation_runs([-1.0], PRIORS), ValueError, "separations"),
    (lambda: information.separation_runs([1.0], {"x": [0.5, 0.6]}), ValueError, "priors"),
    (lambda: information.separation_runs([1.0], [0.5, 0.5]), TypeError, "priors"),
    (lambda: information.separation_runs([1.0], PRIORS, seeds=3), TypeError, "seeds"),
    (lambda: information.separation_runs([1.0], {"a": [0.5, 0.5], "b": [0.2, 0.3, 0.5]}),
     ValueError, "same number"),
    (lambda: information.training_points(PRIORS, n_train=0), ValueError, "n_train"),
    (lambda: information.separation_explorer(grid_runs()[:40], [], PRIORS), ValueError,
     "runs"),
    (lambda: information.separation_explorer(
        grid_runs(), information.training_points(PRIORS, n_train=5), PRIORS, balance="odd"),
     ValueError, "balance"),
    (lambda: information.separation_explorer(
        grid_runs(), information.training_points(PRIORS, n_train=5), PRIORS, separation=4.0),
     ValueError, "separation"),
    (lambda: information.separation_explorer(
        grid_runs(), [{"n": 0, "e0": 0.0, "e1": 0.0}], PRIORS), ValueError, "points"),
])
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- the page --------------------------------------------------------------------------------

def _tables(datasets, keys):
    return [t for t in datasets.values() if t and all(k in r for r in t for k in keys)]


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    with served(tmp_path_factory.mktemp("ch09"), {"index": explorer().to_html()}) as url:
        yield url


@pytest.mark.browser
def test_the_page_agrees_with_helpers_at_random_control_values(page_url, browser):
    page, errors = open_page(browser, page_url, width=900, height=900)
    rng = np.random.default_rng(9)
    trials = [{"s": 0.0, "balance": "strong"}, {"s": 3.0, "balance": "balanced"}]
    trials += [{"s": float(rng.uniform(0, 3)), "balance": str(rng.choice(list(PRIORS)))}
               for _ in range(6)]
    for wanted in trials:
        got = page.evaluate(SET_AND_READ, ["mi-separation", wanted])
        v = got["values"]
        assert v["balance"] == wanted["balance"] and abs(v["s"] - wanted["s"]) <= 0.025
        s = round(v["s"] * 20) / 20                     # the grid point the page shows
        assert v["s"] == pytest.approx(s, abs=1e-9)
        expected = independent_run(s, v["balance"])
        # The bars: one row per bar, each holding the run's numbers.
        tables = [t for t in _tables(got["datasets"], ["estimate", "value", "truth", "se",
                                                        "naive", "pc", "h"]) if len(t) == 3]
        assert tables
        for row in (row for t in tables for row in t):
            assert row["s"] == pytest.approx(s, abs=1e-12) and row["balance"] == v["balance"]
            for key, value in expected.items():
                assert row[key] == pytest.approx(value, abs=1e-6), key
            assert row["value"] == row[row["estimate"]]
        # The numbers written on the chart are these, rounded.
        shown = [t.replace("\u2212", "-") for t in got["texts"]]
        for key in ("truth", "naive", "pc"):
            assert f"{expected[key]:.3f}" in shown, key
        assert f"H(Y) = {expected['h']:.3f}" in shown
        assert f"truth± {2 * expected['se']:.3f}" in shown     # two lines: name, 2 SE
        assert f"training points, s = {s:.2f}" in shown
        # The scatter: the training points of mi.gaussian_classes at this s, those in view.
        X, y = mi.gaussian_classes(3, 2, v["s"], PRIORS[v["balance"]], N_TRAIN, seed=1)
        (points,) = _tables(got["datasets"], ["n", "k", "x0", "x1", "px", "py"])
        index = np.array([r["n"] for r in points])
        np.testing.assert_allclose([[r["x0"], r["x1"]] for r in points], X[index],
                                   rtol=0, atol=1e-6)
        assert [r["k"] for r in points] == y[index].tolist()
        # Every point in the square [-6, 6]^2 is drawn and no other (up to the noise's
        # nine stored decimals, which may move a point on the edge).
        reach = np.abs(X).max(axis=1)
        missing = np.setdiff1d(np.arange(N_TRAIN), index)
        assert np.all(reach[index] <= 6 + 1e-6) and np.all(reach[missing] >= 6 - 1e-6)
        # The class means, as crosses.
        centres = _tables(got["datasets"], ["k", "m0", "m1"])[0]
        means = mi.class_means(3, 2, v["s"])
        np.testing.assert_allclose([[r["m0"], r["m1"]] for r in sorted(
            centres, key=lambda r: r["k"])], means, rtol=0, atol=1e-9)
        # The lines: log 3 and H(Y).
        levels = _tables(got["datasets"], ["level", "which"])[0]
        assert sorted(r["level"] for r in levels) == pytest.approx(
            sorted([np.log(3), expected["h"]]), abs=1e-12)
    assert errors == []
    page.close()


@pytest.mark.browser
def test_it_fits_a_phone_and_a_desktop_in_light_and_dark(page_url, browser):
    from tools.project import ROOT

    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    for width in (390, 1280):
        page, errors = open_page(browser, page_url, width=width, height=1000)
        # Stacked on a phone, side by side on a desktop: the chart grows taller when narrow.
        height = page.evaluate("document.querySelector('.vega-explorer').explorer"
                               ".view.signal('height')")
        assert (height > information.HEIGHT) == (width == 390)
        screenshots_in_both_themes(page, width, out / f"charts-mi-separation-{width}-{{theme}}.png")
        assert errors == []
        page.close()
