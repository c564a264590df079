"""The chapters' Vega-Lite explorers (helpers.explorer.charts) against helpers.

Each chart's mathematics runs in Vega expressions in the browser. The browser
test serves one page per explorer, with the Vega bundle and ``explorer.js``
as in ``test_vega_explorer.py``, moves every slider and radio button to
random values, and compares every number the page holds with ``helpers`` (and
NumPy in float16 and float32 for chapter 2's overflow pattern) at the values
the page reports (``block.explorer.values()``), to 1e-6. It also writes
screenshots at 390 and 1280 px, light and dark, to ``artifacts/charts-*.png``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import helpers
from helpers.explorer import charts
from helpers.explorer.vega import MIN_POSITIONS, VegaExplorer, _params
from tests.support.explorer_page import (SET_AND_READ, open_page, screenshots_in_both_themes,
                                         served, table)

alt = pytest.importorskip("altair")

BUILDERS = {"naive_vs_shifted": charts.naive_vs_shifted, "jacobian": charts.jacobian,
            "gradient": charts.gradient, "double_softmax": charts.double_softmax}
CHOICES = {"naive_vs_shifted": {"dtype": list(charts.FORMATS),
                                "shape": ["centred", "all negative"]},
           "jacobian": {}, "gradient": {"true_class": [0, 1, 2]},
           "double_softmax": {"true_class": list(charts.TRUE_CLASS), "num_classes": [3, 10]}}


def _bindings(ex):
    return {p["name"]: p["bind"] for p in _params(ex.spec) if isinstance(p.get("bind"), dict)}


# --- (a) the specs --------------------------------------------------------------------------

@pytest.mark.parametrize("name", BUILDERS)
def test_the_spec_builds_and_every_slider_has_41_positions(name):
    ex = BUILDERS[name]()
    assert isinstance(ex, VegaExplorer)
    binds = _bindings(ex)
    ranges = {k: b for k, b in binds.items() if b["input"] == "range"}
    assert set(ranges) == set(ex.controls) and ranges
    for bind in ranges.values():
        assert round((bind["max"] - bind["min"]) / bind["step"]) + 1 >= MIN_POSITIONS
    # Choices are radio buttons with the options the chapter offers, reported by the page.
    assert {k: b["options"] for k, b in binds.items() if b["input"] == "radio"} == CHOICES[name]
    assert ex.choices == sorted(CHOICES[name])
    assert ex.spec["width"] == "container" and ex.spec["height"] == charts.HEIGHT
    assert "<svg " in ex.to_html()  # the still is drawn


def test_log_sliders_read_their_value():
    assert charts.naive_vs_shifted().controls["log10_scale"].text(2.0) == "100.0"
    assert charts.jacobian().controls["log2T"].text(-1.0) == "0.50"
    assert charts.double_softmax().controls["log2_scale"].text(4.0) == "16.00"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_format_limits_are_where_numpy_overflows_and_underflows(dtype):
    over, under = charts.format_limits(dtype)
    info = np.finfo(dtype)
    assert over == pytest.approx(math.log(float(info.max)), abs=1e-3)
    assert under == pytest.approx(math.log(float(info.smallest_subnormal)) - math.log(2))
    # Checked in float64 arithmetic on the format's own numbers near each limit.
    with np.errstate(over="ignore", under="ignore"):
        for x in (over - 1e-4 * abs(over), over + 1e-4 * abs(over)):
            assert np.isinf(np.exp(np.float64(x)).astype(dtype)) == (x >= over)
        for x in (under + 0.01, under - 0.01):
            assert (np.exp(np.float64(x)).astype(dtype) == 0) == (x <= under)


@pytest.mark.parametrize("call, match", [
    (lambda: charts.naive_vs_shifted(dtype="float8"), "dtype"),
    (lambda: charts.naive_vs_shifted(shape="flat"), "shape"),
    (lambda: charts.naive_vs_shifted(scale=0.5), "scale"),
    (lambda: charts.gradient(true_class=3), "true_class"),
    (lambda: charts.double_softmax(true_class="any"), "true_class"),
    (lambda: charts.double_softmax(num_classes=4), "num_classes"),
])
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_stills_are_drawn():
    from PIL import Image
    import io

    for build in BUILDERS.values():
        image = Image.open(io.BytesIO(build().png(scale=1)))
        assert image.size[0] >= 560 and image.size[1] >= charts.HEIGHT


# --- (b) the page ----------------------------------------------------------------------------

def _kind(x):
    x = float(x)
    return "nan" if np.isnan(x) else "inf" if np.isinf(x) else "zero" if x == 0 else "finite"


def _numpy_softmax(z, dtype, shifted):
    """exp(z - shift) / sum, every step in ``dtype`` (chapter 2's ``softmax_in``)."""
    logits = np.asarray(z).astype(dtype)
    with np.errstate(all="ignore"):
        w = np.exp(logits - (logits.max() if shifted else logits.dtype.type(0)))
        total = w.sum()
        return w, total, w / total


def _pattern(z, dtype):
    return [tuple(_kind(float(x)) for x in (*w, total, *p))
            for w, total, p in (_numpy_softmax(z, dtype, s) for s in (False, True))]


def check_naive_vs_shifted(v, datasets):
    base = {"centred": [1.0, 0.5, 0.0, -0.5], "all negative": [-1.0, -1.5, -2.0, -2.5]}
    z = 10 ** v["log10_scale"] * np.array(base[v["shape"]])
    both = table(datasets, ["method", "cls", "z", "w", "total", "p"], rows=8)
    # Rounding is not emulated: near a format's limit the page and NumPy may differ.
    near = any(_pattern(z * f, v["dtype"]) != _pattern(z, v["dtype"]) for f in (0.998, 1.002))
    kinds = []
    for shifted, method in ((False, "naive"), (True, "max subtracted")):
        rows = sorted((r for r in both if r["method"] == method), key=lambda r: r["cls"])
        np.testing.assert_allclose([r["z"] for r in rows], z, rtol=1e-12, atol=0)
        w, total, p = _numpy_softmax(z, v["dtype"], shifted)
        page = [rows[0]["total"]] + [r[k] for k in ("w", "p") for r in rows]
        kinds.append(tuple(_kind(x) for x in page))
        if not near:
            assert kinds[-1] == tuple(_kind(float(x)) for x in (total, *w, *p)), (v, method)
        if near or not np.isfinite(total) or total == 0:
            continue
        # Finite probabilities: the float64 softmax of the classes whose weights survive.
        alive = np.isfinite(w) & (w > 0)
        expected = np.zeros(4)
        expected[alive] = helpers.softmax(z[alive])
        np.testing.assert_allclose([r["p"] for r in rows], expected, rtol=0, atol=1e-6)
        x = z - (z.max() if shifted else 0.0)
        assert rows[0]["total"] == pytest.approx(np.exp(x[alive]).sum(), rel=1e-9)
    return kinds, near


def check_jacobian(v, datasets):
    z = np.array([v["z0"], v["z1"], 0.0])
    T = 2.0 ** v["log2T"]
    cells = table(datasets, ["i", "j", "J"], rows=9)
    jac = np.zeros((3, 3))
    for r in cells:
        jac[r["i"], r["j"]] = r["J"]
    np.testing.assert_allclose(jac, helpers.softmax_jacobian(z / T) / T, rtol=0, atol=1e-6)
    bars = sorted(table(datasets, ["k", "p"], rows=3), key=lambda r: r["k"])
    np.testing.assert_allclose([r["p"] for r in bars], helpers.softmax(z / T), rtol=0, atol=1e-6)
    for r in cells:  # the written numbers are the entries, to three decimals
        assert float(r["shown"].replace("\u2212", "-")) == pytest.approx(r["J"], abs=5e-4)


def check_gradient(v, datasets):
    z, y = np.array([v["z0"], v["z1"], 0.0]), v["true_class"]
    bars = sorted(table(datasets, ["k", "g", "prob", "loss"], rows=3), key=lambda r: r["k"])
    np.testing.assert_allclose([r["g"] for r in bars], helpers.cross_entropy_grad(z, y),
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose([r["prob"] for r in bars], helpers.softmax(z), rtol=0, atol=1e-6)
    assert bars[0]["loss"] == pytest.approx(helpers.cross_entropy(z, y), abs=1e-6)
    # The descent path: 40 steps of the chosen size on the logits.
    path = sorted(table(datasets, ["step", "pp"], rows=41), key=lambda r: r["step"])
    logits, target, expected = z.copy(), np.eye(3)[y], [helpers.softmax(z)]
    for _ in range(40):
        logits = logits - 2.0 ** v["log2_lr"] * (helpers.softmax(logits) - target)
        expected.append(helpers.softmax(logits))
    np.testing.assert_allclose([r["pp"] for r in path], expected, rtol=0, atol=1e-6)
    # The dot sits at p on the triangle, the arrow ends at the true corner.
    here = table(datasets, ["px", "py", "tx", "ty"], rows=1)[0]
    start = path[0]
    assert (here["px"], here["py"]) == pytest.approx((start["px"], start["py"]), abs=1e-9)


def _double_softmax_losses(z, y):
    """The correct loss and the double-softmax loss of the logits ``z``, true class ``y``."""
    return helpers.cross_entropy(z, y), helpers.cross_entropy(helpers.softmax(z), y)


def check_double_softmax(v, datasets):
    C = int(v["num_classes"])
    y = {"smallest logit": C - 1, "middle logit": C // 2, "largest logit": 0}[v["true_class"]]
    base = np.linspace(1.0, -1.0, C)
    z = 2.0 ** v["log2_scale"] * base
    rows = sorted(table(datasets, ["cls", "correct", "double", "loss_correct", "loss_double",
                                    "xa", "yc", "yd"], rows=C), key=lambda r: r["cls"])
    right = helpers.cross_entropy_grad(z, y)
    double = helpers.softmax_jacobian(z) @ (helpers.softmax(helpers.softmax(z)) - np.eye(C)[y])
    np.testing.assert_allclose([r["correct"] for r in rows], right, rtol=0, atol=1e-6)
    np.testing.assert_allclose([r["double"] for r in rows], double, rtol=0, atol=1e-6)
    assert [r["y"] for r in rows] == [y] * C
    # Both losses at the chosen scale, where the dots are drawn.
    losses = _double_softmax_losses(z, y)
    for r in rows:
        assert (r["loss_correct"], r["loss_double"]) == pytest.approx(losses, abs=1e-6)
    dot = table(datasets, ["loss_correct", "loss_double", "x", "yc", "yd"], rows=1)[0]
    assert (dot["loss_correct"], dot["loss_double"]) == pytest.approx(losses, abs=1e-6)
    head = table(datasets, ["losses", "norms"], rows=1)[0]
    assert head["norms"].startswith(f"gradient {np.linalg.norm(right):.3f} vs ")
    assert head["losses"].endswith(f" vs {losses[1]:.3f}")
    # The curves: both losses at every scale they are drawn at, inside [floor, top] on screen.
    curve = sorted(table(datasets, ["j", "log2s", "loss_correct", "loss_double", "yc", "yd"]),
                   key=lambda r: r["j"])
    assert len(curve) == 141
    scales = 2.0 ** np.array([r["log2s"] for r in curve])
    np.testing.assert_allclose(scales[[0, -1]], [0.25, 32.0], rtol=1e-12)
    expected = np.array([_double_softmax_losses(s * base, y) for s in scales])
    np.testing.assert_allclose([[r["loss_correct"], r["loss_double"]] for r in curve], expected,
                               rtol=0, atol=1e-6)
    top = np.log(np.e + C - 1)
    assert np.all((expected[:, 1] >= top - 1 - 1e-12) & (expected[:, 1] <= top + 1e-12))
    # Heights on the log axis from 40 px down to height - 38 px; below the floor, on it.
    def height(loss):
        decades = np.log10(np.clip(loss, charts.LOSS_FLOOR, charts.LOSS_TOP) / charts.LOSS_FLOOR)
        return charts.HEIGHT - 38 - decades / np.log10(charts.LOSS_TOP / charts.LOSS_FLOOR) * (
            charts.HEIGHT - 38 - 40)

    np.testing.assert_allclose([[r["yc"], r["yd"]] for r in curve], height(expected),
                               rtol=0, atol=1e-6)
    assert (dot["yc"], dot["yd"]) == pytest.approx(tuple(height(np.array(losses))), abs=1e-6)
    # The band is drawn from log(e + C - 1) - 1 to log(e + C - 1).
    band = table(datasets, ["top_loss", "y0", "y1"], rows=1)[0]
    assert band["top_loss"] == pytest.approx(top, abs=1e-12)


def _random_values(name, rng):
    if name == "naive_vs_shifted":
        return {"log10_scale": rng.uniform(0, 3), "dtype": str(rng.choice(charts.FORMATS)),
                "shape": str(rng.choice(["centred", "all negative"]))}
    if name == "jacobian":
        return {"z0": rng.uniform(-2, 2), "z1": rng.uniform(-2, 2), "log2T": rng.uniform(-1, 1)}
    if name == "gradient":
        return {"z0": rng.uniform(-4, 4), "z1": rng.uniform(-4, 4),
                "log2_lr": rng.uniform(-4, 2), "true_class": int(rng.integers(3))}
    # The slider's positions, 1/40 octave apart, from 0.25 to 32.
    return {"log2_scale": -2 + 0.025 * int(rng.integers(281)),
            "true_class": str(rng.choice(charts.TRUE_CLASS)),
            "num_classes": int(rng.choice([3, 10]))}


CHECKS = {"naive_vs_shifted": check_naive_vs_shifted, "jacobian": check_jacobian,
          "gradient": check_gradient, "double_softmax": check_double_softmax}
TRIALS = {"naive_vs_shifted": 60, "jacobian": 12, "gradient": 12, "double_softmax": 16}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """One page per explorer, served on loopback, with the scripts the book loads."""
    bodies = {name: build().to_html() for name, build in BUILDERS.items()}
    with served(tmp_path_factory.mktemp("charts"), bodies) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("name", BUILDERS)
def test_the_page_agrees_with_helpers_at_random_control_values(name, pages, browser):
    rng = np.random.default_rng(sum(map(ord, name)))
    page, errors = open_page(browser, pages, name, width=700)
    block = BUILDERS[name]().name
    seen, near = set(), 0
    for _ in range(TRIALS[name]):
        wanted = _random_values(name, rng)
        got = page.evaluate(SET_AND_READ, [block, wanted])
        v = got["values"]
        assert set(v) == set(wanted)
        for k, value in wanted.items():  # sliders snap to their step; choices are exact
            assert (abs(v[k] - value) <= 0.01) if isinstance(value, float) else v[k] == value
        result = CHECKS[name](v, got["datasets"])
        if name == "naive_vs_shifted":
            kinds, close = result
            near += close
            seen.update(k for ks in kinds for k in ks)
    assert errors == []
    if name == "naive_vs_shifted":
        # The random values reach every case the chapter describes, mostly away from a limit.
        assert {"nan", "inf", "zero", "finite"} <= seen and near <= TRIALS[name] // 6
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", BUILDERS)
def test_screenshots_at_two_widths_in_light_and_dark(name, pages, browser):
    from tools.project import ROOT

    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    # Chapter 2 is shown where it breaks: float16 at a scale of 100.
    state = {"naive_vs_shifted": {"log10_scale": 2.0}, "gradient": {"z0": -3.0, "z1": 3.5},
             "double_softmax": {"num_classes": 10}}.get(name, {})
    block = BUILDERS[name]().name
    for width in (390, 1280):
        page, errors = open_page(browser, pages, name, width=width)
        page.evaluate(SET_AND_READ, [block, state])
        screenshots_in_both_themes(page, width, out / f"charts-{name}-{width}-{{theme}}.png")
        assert errors == []
        page.close()
