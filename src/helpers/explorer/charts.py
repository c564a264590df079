"""The chapters' explorers as Vega-Lite charts: the mathematics runs in the browser.

Each function returns a :class:`~helpers.explorer.vega.VegaExplorer` whose
numbers are computed by Vega expressions from the sliders and radio buttons,
so every control has a continuous range (41 positions or more) and all
controls combine freely. They replace the flip-books of

* chapter 2, :func:`naive_vs_shifted`: the naive and the max-shifted softmax
  in float16, float32 and float64;
* chapter 3, :func:`jacobian`: the Jacobian of ``softmax(z / T)`` as a heatmap;
* chapter 5, :func:`gradient`: the gradient ``p - e_y`` and the simplex;
* chapter 8, :func:`double_softmax`: the right gradient against that of a
  softmax applied twice.

The two-panel charts are single views as wide as the page, whose panels are
laid out in pixels from the view's ``width`` and ``height`` (Vega-Lite gives a
concatenated chart no ``"container"`` width); the others group their bars on
one band scale.
"""

from __future__ import annotations

import math

import numpy as np

from ..plotting import PALETTE
from .vega import VegaExplorer, slider

__all__ = ["naive_vs_shifted", "jacobian", "gradient", "double_softmax",
           "FORMATS", "format_limits"]

#: The floating-point formats of chapter 2's explorer.
FORMATS = ("float16", "float32", "float64")
#: Okabe–Ito vermillion: how the chapters mark a nan, an inf or a broken denominator.
ALERT = PALETTE[3]
#: A grey that reads on the light and on the dark page.
GREY = "#8a8a8a"
HEIGHT = 240


def _alt():
    import altair as alt

    return alt


def _array(values) -> str:
    """A Vega expression array literal of numbers or colour strings."""
    return "[" + ", ".join(repr(v) if isinstance(v, str) else repr(float(v))
                           for v in values) + "]"


def _pick(name: str, table: dict) -> str:
    """A Vega expression choosing ``table[value of the parameter name]``."""
    keys = list(table)
    out = repr(float(table[keys[-1]]))
    for key in reversed(keys[:-1]):
        out = f"({name} === {key!r} ? {float(table[key])!r} : {out})"
    return out


def format_limits(dtype) -> tuple[float, float]:
    """Where ``exp(x)`` leaves a floating-point format, as limits on ``x``.

    Parameters
    ----------
    dtype : str or numpy dtype
        A floating-point format such as ``"float16"``.

    Returns
    -------
    (float, float)
        ``(overflow, underflow)``: in the format, ``exp(x)`` rounds to inf
        when ``x >= overflow`` and to 0 when ``x <= underflow``. They are
        ``ln(max)`` and ``ln(smallest subnormal)`` moved by the half unit that
        round-to-nearest adds: the exponential of ``ln(smallest subnormal) -
        0.5`` rounds up to the smallest subnormal, not to 0.

    Examples
    --------
    >>> over, under = format_limits("float16")
    >>> round(over, 4), round(under, 4)
    (11.0902, -17.3287)
    >>> import numpy as np
    >>> with np.errstate(over="ignore"):
    ...     print(np.isinf(np.exp(np.float16(11.08))), np.isinf(np.exp(np.float16(11.1))))
    False True
    """
    info = np.finfo(dtype)
    eps = float(info.eps)
    # max = (2 - eps) 2^(maxexp - 1); halfway to the next power of two rounds to inf.
    overflow = math.log(2 - eps / 2) + (info.maxexp - 1) * math.log(2)
    # Half the smallest subnormal (ties to even) rounds to 0.
    underflow = math.log(float(info.smallest_subnormal)) - math.log(2)
    return overflow, underflow


def naive_vs_shifted(scale: float = 3.0, dtype: str = "float16", shape: str = "centred", *,
                     max_scale: float = 1000.0) -> VegaExplorer:
    """Chapter 2: the naive and the max-shifted softmax, side by side, in three formats.

    Four logits, ``scale × (1, 0.5, 0, −0.5)`` ("centred") or
    ``scale × (−1, −1.5, −2, −2.5)`` ("all negative"), go through the softmax
    naively, ``exp(z) / sum(exp(z))``, and with the largest logit subtracted
    first. A probability that is nan is written in red, as is a denominator
    that has overflowed to inf or underflowed to 0.

    Vega computes in float64 only, so float16 and float32 are *emulated by
    their range alone*: a weight ``exp(x)`` is inf when ``x`` is at or above
    the format's overflow limit and 0 at or below its underflow limit
    (:func:`format_limits`, from ``np.finfo``, passed into the spec as
    constants), a denominator is inf once it passes the format's largest
    number, and a probability below half the smallest subnormal is 0. Only
    overflow and underflow are emulated, not rounding: the finite numbers are
    float64 ones, and the logits are not rounded to the format.

    Parameters
    ----------
    scale : float
        The starting scale, in ``[1, max_scale]``; the slider is logarithmic.
    dtype : {"float16", "float32", "float64"}
        The starting format.
    shape : {"centred", "all negative"}
        The starting pattern of logits.
    max_scale : float
        The slider's largest scale.

    Returns
    -------
    VegaExplorer

    Examples
    --------
    >>> ex = naive_vs_shifted()
    >>> ex.controls["log10_scale"].label, ex.choices
    ('scale', ['dtype', 'shape'])
    """
    alt = _alt()
    if dtype not in FORMATS:
        raise ValueError(f"dtype must be one of {FORMATS}, got {dtype!r}")
    shapes = {"centred": (1.0, 0.5, 0.0, -0.5), "all negative": (-1.0, -1.5, -2.0, -2.5)}
    if shape not in shapes:
        raise ValueError(f"shape must be one of {list(shapes)}, got {shape!r}")
    if not 1 <= scale <= max_scale:
        raise ValueError(f"scale must lie in [1, {max_scale}], got {scale!r}")
    top = math.log10(max_scale)
    s, c_s = slider("log10_scale", 0.0, top, math.log10(scale), "scale", digits=1, power=10,
                    step=top / 600)  # 10, 100 and 1000 on the grid
    dt = alt.param(name="dtype", value=dtype,
                   bind=alt.binding_radio(options=list(FORMATS), name="format "))
    sh = alt.param(name="shape", value=shape,
                   bind=alt.binding_radio(options=list(shapes), name="logits "))
    limits = {f: format_limits(f) for f in FORMATS}
    over = _pick("dtype", {f: lim[0] for f, lim in limits.items()})
    under = _pick("dtype", {f: lim[1] for f, lim in limits.items()})
    methods = ["naive", "max subtracted"]
    rows = [{"method": m, "cls": k} for m in methods for k in range(4)]
    base = (f"(shape === 'centred' ? {_array(shapes['centred'])} "
            f": {_array(shapes['all negative'])})[datum.cls]")
    table = (alt.Chart(alt.Data(values=rows))
             .transform_calculate(z=f"pow(10, log10_scale) * {base}")
             .transform_joinaggregate(zmax="max(z)")
             .transform_calculate(x="datum.method === 'naive' ? datum.z : datum.z - datum.zmax")
             # The weight exp(x) in the format: inf above its range, 0 below it.
             .transform_calculate(w=f"datum.x >= {over} ? 1 / 0 : datum.x <= {under} ? 0 "
                                    f": exp(datum.x)")
             .transform_calculate(inf="datum.w === 1 / 0 ? 1 : 0",
                                  finite="datum.w === 1 / 0 ? 0 : datum.w")
             .transform_joinaggregate(ninf="sum(inf)", fsum="sum(finite)", groupby=["method"])
             .transform_calculate(total=f"datum.ninf > 0 || log(datum.fsum) >= {over} ? 1 / 0 "
                                        f": datum.fsum")
             # Division in the format: inf/inf and 0/0 are nan, w/inf is 0, tiny ones are 0.
             .transform_calculate(p="datum.total === 1 / 0 ? (datum.w === 1 / 0 ? NaN : 0) "
                                    ": datum.total === 0 ? NaN "
                                    f": log(datum.w / datum.total) <= {under} ? 0 "
                                    ": datum.w / datum.total")
             .transform_calculate(
                 ok="isFinite(datum.total) && datum.total > 0",
                 bar="isFinite(datum.p) ? datum.p : 0",
                 # Two decimals where four bars share 40 pixels, three where there is room.
                 shown="isFinite(datum.p) ? format(datum.p, width < 520 ? '.2f' : '.3f') : ''",
                 bad="isFinite(datum.p) ? '' : (isNaN(datum.p) ? 'nan' : 'inf')",
                 zlabel="format(datum.z, '.3~g')",
                 # The format is in the radio buttons; in the title too where it fits.
                 panel="datum.method + (width < 520 ? '' : ', ' + dtype)",
                 denom="'denominator ' + (datum.total === 1 / 0 ? 'inf' "
                       ": format(datum.total, '.4~g'))",
                 colour=f"{_array(PALETTE[:4])}[datum.cls]"))
    x = alt.X("method:N", sort=methods, title="logits z",
              scale=alt.Scale(paddingInner=0.12),
              axis=alt.Axis(labels=False, ticks=False, domain=False, titlePadding=26))
    off = alt.XOffset("cls:O", scale=alt.Scale(paddingInner=0.12))
    y = alt.Scale(domain=[0, 1.32])
    bars = table.mark_bar().encode(
        x=x, xOffset=off, color=alt.Color("colour:N", scale=None),
        y=alt.Y("bar:Q", scale=y, title="probability",
                axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2~f", grid=False)))
    values = table.mark_text(dy=-7, fontSize=12).encode(
        x=x, xOffset=off, y=alt.Y("bar:Q", scale=y), text="shown:N")
    bad = table.mark_text(fontSize=alt.ExprRef("width < 520 ? 12 : 15"), fontWeight="bold",
                          color=ALERT).encode(
        x=x, xOffset=off, y=alt.datum(0.45, scale=y), text="bad:N")
    logits = table.mark_text(dy=12, fontSize=11, baseline="top").encode(
        x=x, xOffset=off, y=alt.datum(0, scale=y), text="zlabel:N")
    heads = table.transform_filter("datum.cls === 0")
    title = heads.mark_text(fontSize=13, fontWeight="bold").encode(
        x=x, y=alt.datum(1.27, scale=y), text="panel:N")
    denom = heads.transform_filter("datum.ok").mark_text(fontSize=12).encode(
        x=x, y=alt.datum(1.16, scale=y), text="denom:N")
    broken = heads.transform_filter("!datum.ok").mark_text(
        fontSize=12, fontWeight="bold", color=ALERT).encode(
        x=x, y=alt.datum(1.16, scale=y), text="denom:N")
    chart = ((bars + values + bad + logits + title + denom + broken)
             .add_params(s, dt, sh)
             .properties(width="container", height=HEIGHT)
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"log10_scale": c_s},
        alt="Two groups of four bars, the same four-class softmax computed naively (left) "
            "and with the largest logit subtracted (right), in the chosen floating-point "
            "format, each under its denominator; entries that are nan are written in red.",
        name="naive-vs-shifted")


def jacobian(z0: float = 2.0, z1: float = 1.0, temperature: float = 1.0, *,
             logit_range: float = 2.0, temperatures: tuple[float, float] = (0.5, 2.0)
             ) -> VegaExplorer:
    """Chapter 3: the Jacobian of ``softmax(z / T)`` as a heatmap, beside the probabilities.

    For ``z = (z0, z1, 0)`` the heatmap shows ``∂p_i/∂z_j = J(z / T) / T``,
    each entry written in its cell, on a fixed colour scale from −0.5 (blue)
    to 0.5 (red); the bars show ``p = softmax(z / T)``.

    Parameters
    ----------
    z0, z1 : float
        The starting logits, in ``[-logit_range, logit_range]``.
    temperature : float
        The starting temperature, within ``temperatures``; the slider is
        logarithmic (base 2).
    logit_range : float
        The sliders' half-width.
    temperatures : (float, float)
        The smallest and the largest temperature.

    Returns
    -------
    VegaExplorer

    Examples
    --------
    >>> jacobian().controls["log2T"].label
    'temperature T'
    """
    alt = _alt()
    t_lo, t_hi = (math.log2(t) for t in temperatures)
    a, c0 = slider("z0", -logit_range, logit_range, z0, "logit z₀")
    b, c1 = slider("z1", -logit_range, logit_range, z1, "logit z₁")
    t, ct = slider("log2T", t_lo, t_hi, math.log2(temperature), "temperature T", power=2)
    probs = ("datum.ev[0] / (datum.ev[0] + datum.ev[1] + datum.ev[2])",
             "datum.ev[1] / (datum.ev[0] + datum.ev[1] + datum.ev[2])",
             "datum.ev[2] / (datum.ev[0] + datum.ev[1] + datum.ev[2])")

    def softmax(chart):
        return (chart.transform_calculate(T="pow(2, log2T)", m="max(z0, z1, 0)")
                .transform_calculate(ev="[exp((z0 - datum.m) / datum.T), "
                                        "exp((z1 - datum.m) / datum.T), exp(-datum.m / datum.T)]")
                .transform_calculate(pv="[" + ", ".join(probs) + "]"))

    # The layout, in pixels: a square grid on the left, the bars on the right.
    cell = "min((0.6 * width - 34) / 3, (height - 56) / 3)"
    # Bars at most 90 px apart, and the whole centred on a wide page.
    slot = f"min((width - 56 - 3 * {cell}) / 3, 90)"
    gx = f"max(0, (width - 56 - 3 * {cell} - 3 * {slot}) / 2) + 30"
    top = 40
    cells = (softmax(alt.Chart(alt.Data(values=[{"i": i, "j": j} for i in range(3)
                                                for j in range(3)])))
             .transform_calculate(
                 J="((datum.i === datum.j ? datum.pv[datum.i] : 0) "
                   "- datum.pv[datum.i] * datum.pv[datum.j]) / datum.T",
                 cell=cell, gx=gx)
             .transform_calculate(
                 x="datum.gx + datum.j * datum.cell",
                 x2="datum.gx + (datum.j + 1) * datum.cell - 2",
                 y=f"{top} + datum.i * datum.cell", y2=f"{top} + (datum.i + 1) * datum.cell - 2",
                 cx="datum.gx + (datum.j + 0.5) * datum.cell",
                 cy=f"{top} + (datum.i + 0.5) * datum.cell",
                 shown="replace(format(datum.J, '.3f'), '−0.000', '0.000')",
                 ink="abs(datum.J) > 0.3 ? 'white' : 'black'"))
    px = dict(scale=None)
    heat = cells.mark_rect().encode(
        x=alt.X("x:Q", **px), x2="x2:Q", y=alt.Y("y:Q", **px), y2="y2:Q",
        color=alt.Color("J:Q", title="∂pᵢ/∂zⱼ",
                        scale=alt.Scale(scheme="redblue", reverse=True, domain=[-0.5, 0.5],
                                        clamp=True),
                        legend=alt.Legend(orient="bottom", direction="horizontal",
                                          gradientLength=150, values=[-0.5, 0, 0.5],
                                          titleOrient="left")))
    numbers = cells.mark_text(fontSize=13).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("cy:Q", **px), text="shown:N",
        fill=alt.Fill("ink:N", scale=None))
    heads = alt.Chart(alt.Data(values=[{"k": k} for k in range(3)])).transform_calculate(
        cell=cell, gx=gx, zname="['z₀', 'z₁', 'z₂'][datum.k]", pname="['p₀', 'p₁', 'p₂'][datum.k]")
    heads = heads.transform_calculate(
        cx="datum.gx + (datum.k + 0.5) * datum.cell", cy=f"{top} + (datum.k + 0.5) * datum.cell",
        below=f"{top} + 3 * datum.cell + 4", rx="datum.gx - 6")
    col_names = heads.mark_text(baseline="top", fontSize=13).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("below:Q", **px), text="zname:N")
    row_names = heads.mark_text(align="right", fontSize=13).encode(
        x=alt.X("rx:Q", **px), y=alt.Y("cy:Q", **px), text="pname:N")
    # The probabilities, to the right of the grid.
    left = f"{gx} + 3 * {cell} + 26"
    bottom = "height - 22"
    bar_rows = (softmax(alt.Chart(alt.Data(values=[{"k": k} for k in range(3)])))
                .transform_calculate(p="datum.pv[datum.k]", left=left)
                .transform_calculate(
                    slot=slot, right=f"{left} + 3 * {slot}",
                    colour=f"{_array(PALETTE[:3])}[datum.k]",
                    name="['p₀', 'p₁', 'p₂'][datum.k]", shown="format(datum.p, '.3f')")
                .transform_calculate(
                    x="datum.left + (datum.k + 0.15) * datum.slot",
                    x2="datum.left + (datum.k + 0.85) * datum.slot",
                    cx="datum.left + (datum.k + 0.5) * datum.slot",
                    y=f"{bottom} - datum.p * ({bottom} - {top} - 16)", y2=bottom))
    prob_bars = bar_rows.mark_rect().encode(
        x=alt.X("x:Q", **px), x2="x2:Q", y=alt.Y("y:Q", **px), y2="y2:Q",
        fill=alt.Fill("colour:N", scale=None))
    prob_values = bar_rows.mark_text(dy=-8, fontSize=13).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("y:Q", **px), text="shown:N")
    prob_names = bar_rows.mark_text(baseline="top", fontSize=13).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("y2:Q", **px), yOffset=alt.value(5), text="name:N")
    base_line = bar_rows.transform_filter("datum.k === 0").mark_rule(color=GREY).encode(
        x=alt.X("left:Q", **px), x2="right:Q", y=alt.Y("y2:Q", **px))
    titles = (alt.Chart(alt.Data(values=[{"k": 0}, {"k": 1}]))
              .transform_calculate(
                  cell=cell, gx=gx, left=left, slot=slot, T="pow(2, log2T)",
                  text="datum.k === 0 ? '∂pᵢ / ∂zⱼ' : 'p = softmax(z / T)'")
              .transform_calculate(
                  sub="datum.k === 0 ? 'T = ' + format(datum.T, '.2f') : 'z = (' "
                      "+ format(z0, '.2f') + ', ' + format(z1, '.2f') + ', 0)'",
                  cx="datum.k === 0 ? datum.gx + 1.5 * datum.cell "
                     ": datum.left + 1.5 * datum.slot"))
    title = titles.mark_text(fontSize=14, fontWeight="bold", baseline="top").encode(
        x=alt.X("cx:Q", **px), y=alt.value(0), text="text:N")
    sub = titles.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("cx:Q", **px), y=alt.value(19), text="sub:N")
    chart = ((heat + numbers + col_names + row_names + prob_bars + prob_values + prob_names
              + base_line + title + sub)
             .add_params(a, b, t)
             .properties(width="container", height=HEIGHT)
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"z0": c0, "z1": c1, "log2T": ct},
        alt="Left, a 3 by 3 heatmap of the Jacobian of softmax(z / T) with each entry "
            "written in its cell, red for positive and blue for negative; right, a bar "
            "chart of the three probabilities.",
        name="jacobian")


def gradient(z0: float = 2.0, z1: float = 0.0, true_class: int = 2, *,
             logit_range: float = 4.0, steps: int = 40, lr: float = 0.5,
             lr_range: tuple[float, float] = (1 / 16, 4.0)) -> VegaExplorer:
    """Chapter 5: the gradient ``p − e_y`` as bars, and ``p`` on the probability triangle.

    For the logits ``z = (z0, z1, 0)`` and the true class ``y``, the left
    panel draws the simplex with the classes at its corners, dotted lines of
    equal loss (``p_y`` = 0.2, 0.4, 0.6, 0.8), the probabilities ``p`` as a
    dot, the negative gradient ``e_y − p`` as an arrow from the dot (it ends at
    the true corner), and in grey the path of ``steps`` steps of gradient
    descent on the logits with learning rate ``lr``, computed in the browser.
    The right panel shows the three entries of ``p − e_y`` with their values,
    the true class outlined, and the loss.

    Parameters
    ----------
    z0, z1 : float
        The starting logits, in ``[-logit_range, logit_range]``.
    true_class : {0, 1, 2}
        The starting true class.
    logit_range : float
        The sliders' half-width.
    steps : int
        The descent path's number of steps.
    lr : float
        The starting step size (learning rate) of the descent path.
    lr_range : (float, float)
        The step-size slider's ends; it is logarithmic (base 2).

    Returns
    -------
    VegaExplorer

    Examples
    --------
    >>> ex = gradient()
    >>> ex.controls["z0"].label, ex.choices
    ('logit z₀', ['true_class'])
    """
    alt = _alt()
    if true_class not in (0, 1, 2):
        raise ValueError(f"true_class must be 0, 1 or 2, got {true_class!r}")
    if not (0 < lr_range[0] <= lr <= lr_range[1]):
        raise ValueError(f"lr must lie in lr_range {lr_range}, got {lr!r}")
    a, c0 = slider("z0", -logit_range, logit_range, z0, "logit z₀")
    b, c1 = slider("z1", -logit_range, logit_range, z1, "logit z₁")
    eta, ce = slider("log2_lr", math.log2(lr_range[0]), math.log2(lr_range[1]), math.log2(lr),
                     "step size η", step=0.025, power=2, digits=3)
    y = alt.param(name="true_class", value=true_class,
                  bind=alt.binding_radio(options=[0, 1, 2], name="true class "))
    # The layout, in pixels: the triangle in the left half, the bars in the right one,
    # each at most 300 px wide and the whole centred on a wide page.
    half, off = "min(0.5 * width, 300)", "max(0, 0.5 * width - 300)"
    side = f"min({half} - 34, (height - 84) / 0.8660254037844386)"
    ox = f"{off} + ({half} - {side}) / 2"
    oy = "height - 26"

    def plane(u: str, v: str) -> dict[str, str]:
        """Pixel expressions of the simplex point with plane coordinates (u, v)."""
        return {"px": f"{ox} + ({u}) * {side}", "py": f"{oy} - ({v}) * {side}"}

    def to_uv(p: str) -> tuple[str, str]:
        """The plane coordinates of the probability vector expression ``p`` (an array)."""
        return f"{p}[1] + 0.5 * {p}[2]", f"0.8660254037844386 * {p}[2]"

    def softmax(z: str) -> str:
        """A Vega array expression: the softmax of the logit array expression ``z``."""
        m = f"max({z}[0], {z}[1], {z}[2])"
        e = [f"exp({z}[{k}] - {m})" for k in range(3)]
        total = " + ".join(e)
        return "[" + ", ".join(f"{ek} / ({total})" for ek in e) + "]"

    def with_p(chart):
        return (chart.transform_calculate(z="[z0, z1, 0]")
                .transform_calculate(p=softmax("datum.z"))
                .transform_calculate(t="[true_class === 0 ? 1 : 0, true_class === 1 ? 1 : 0, "
                                       "true_class === 2 ? 1 : 0]"))

    one = alt.Data(values=[{"k": 0}])
    # The descent path: one logit vector per step, then one row per step.
    path = with_p(alt.Chart(one)).transform_calculate(g0="datum.z", lr="pow(2, log2_lr)")
    for k in range(steps):
        g = f"datum.g{k}"
        q = f"datum.q{k}"
        path = path.transform_calculate(**{f"q{k}": softmax(g)}).transform_calculate(
            **{f"g{k + 1}": "[" + ", ".join(f"{g}[{c}] - datum.lr * ({q}[{c}] - datum.t[{c}])"
                                            for c in range(3)) + "]"})
    path = (path.transform_calculate(
                steps="[" + ", ".join(f"{{step: {k}, logits: datum.g{k}}}"
                                      for k in range(steps + 1)) + "]")
            .transform_flatten(["steps"])
            .transform_calculate(step="datum.steps.step", pz="datum.steps.logits")
            .transform_calculate(pp=softmax("datum.pz")))
    u, v = to_uv("datum.pp")
    path = path.transform_calculate(**plane(u, v))
    px = dict(scale=None)
    descent = path.mark_line(color=GREY, strokeWidth=1.5, point=alt.OverlayMarkDef(
        color=GREY, size=9)).encode(x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px),
                                    order="step:Q")
    # The triangle, filled faintly, and its corners' names.
    corners = [(0.0, 0.0), (1.0, 0.0), (0.5, 0.8660254037844386)]
    tri = alt.Chart(alt.Data(values=[{"u": cu, "v": cv, "k": k}
                                     for k, (cu, cv) in enumerate(corners)]))
    tri = tri.transform_calculate(**plane("datum.u", "datum.v"), base=f"{oy}")
    face = tri.mark_area(color=GREY, opacity=0.15).encode(
        x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px), y2="base:Q", order="u:Q")
    edge = (tri.transform_calculate(order="datum.k")
            .mark_line(color=GREY, strokeWidth=1.2, interpolate="linear-closed")
            .encode(x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px), order="order:Q"))
    # The corners' names in the page's text colour (a class colour such as orange is too
    # faint for text on a light page), each beside a dot of its class's colour.
    names = tri.transform_calculate(
        name="'class ' + datum.k", colour=f"{_array(PALETTE[:3])}[datum.k]",
        ny="datum.py + (datum.k === 2 ? -16 : 15)", nx="datum.px")
    corner_names = names.mark_text(
        fontSize=13, fontWeight=alt.ExprRef("datum.k === true_class ? 'bold' : 'normal'")).encode(
        x=alt.X("nx:Q", **px), y=alt.Y("ny:Q", **px), text="name:N")
    corner_dots = names.mark_point(filled=True, size=60, opacity=1).encode(
        x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px), color=alt.Color("colour:N", scale=None))
    # Lines of equal loss: p_y = level, from one edge to the other.
    levels = alt.Chart(alt.Data(values=[{"level": lv} for lv in (0.2, 0.4, 0.6, 0.8)]))
    others = "[[1, 2], [0, 2], [0, 1]][true_class]"
    cu, cv = _array([c[0] for c in corners]), _array([c[1] for c in corners])
    levels = levels.transform_calculate(
        a=f"{others}[0]", b=f"{others}[1]").transform_calculate(
        u1=f"datum.level * {cu}[true_class] + (1 - datum.level) * {cu}[datum.a]",
        v1=f"datum.level * {cv}[true_class] + (1 - datum.level) * {cv}[datum.a]",
        u2=f"datum.level * {cu}[true_class] + (1 - datum.level) * {cu}[datum.b]",
        v2=f"datum.level * {cv}[true_class] + (1 - datum.level) * {cv}[datum.b]")
    first, second = plane("datum.u1", "datum.v1"), plane("datum.u2", "datum.v2")
    levels = levels.transform_calculate(x1=first["px"], y1=first["py"],
                                        x2=second["px"], y2=second["py"])
    level_lines = levels.mark_rule(color=GREY, strokeDash=[2, 3], strokeWidth=1).encode(
        x=alt.X("x1:Q", **px), y=alt.Y("y1:Q", **px), x2="x2:Q", y2="y2:Q")
    # The point p and the arrow e_y - p from it.
    u, v = to_uv("datum.p")
    ut, vt = to_uv("datum.t")
    here = with_p(alt.Chart(one)).transform_calculate(**plane(u, v))
    target = plane(ut, vt)
    here = here.transform_calculate(tx=target["px"], ty=target["py"]).transform_calculate(
        length="sqrt(pow(datum.tx - datum.px, 2) + pow(datum.ty - datum.py, 2))",
        angle="atan2(datum.tx - datum.px, datum.py - datum.ty) * 180 / PI")
    here = here.transform_calculate(
        hx="datum.length > 12 ? datum.tx - 6 * (datum.tx - datum.px) / datum.length : datum.tx",
        hy="datum.length > 12 ? datum.ty - 6 * (datum.ty - datum.py) / datum.length : datum.ty",
        show="datum.length > 12 ? 1 : 0")
    shaft = here.mark_rule(color=ALERT, strokeWidth=2.5).encode(
        x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px), x2="hx:Q", y2="hy:Q")
    head = here.mark_point(shape="triangle-up", filled=True, color=ALERT, size=110).encode(
        x=alt.X("hx:Q", **px), y=alt.Y("hy:Q", **px), angle=alt.Angle("angle:Q", scale=None),
        opacity=alt.Opacity("show:Q", scale=None))
    dot = here.mark_point(filled=True, size=70, color="#444444", stroke="white",
                          strokeWidth=1.5, opacity=1).encode(
        x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px))
    # The bars of p - e_y, in the right half.
    top, bottom = 48, "height - 24"
    mid = f"({top} + {bottom}) / 2"
    unit = f"({bottom} - {top}) / 2.4"
    bars = (with_p(alt.Chart(alt.Data(values=[{"k": k} for k in range(3)])))
            .transform_calculate(g="datum.p[datum.k] - datum.t[datum.k]",
                                 prob="datum.p[datum.k]",
                                 loss="-log(datum.p[true_class])",
                                 slot=f"{half} / 3 - 4", left=f"{off} + {half} + 12",
                                 right=f"{off} + 2 * {half}")
            .transform_calculate(
                x="datum.left + (datum.k + 0.15) * datum.slot",
                x2="datum.left + (datum.k + 0.85) * datum.slot",
                cx="datum.left + (datum.k + 0.5) * datum.slot",
                y=f"{mid} - datum.g * {unit}", y0=mid,
                ty=f"{mid} - datum.g * {unit} + (datum.g >= 0 ? -10 : 10)",
                shown="format(datum.g, '+.3f')",
                colour=f"{_array(PALETTE[:3])}[datum.k]",
                edge=f"datum.k === true_class ? {GREY!r} : 'transparent'",
                name="['z₀', 'z₁', 'z₂'][datum.k] + (datum.k === true_class ? ' (y)' : '')",
                below=f"{bottom} + 6"))
    grad_bars = bars.mark_rect(strokeWidth=2.5).encode(
        x=alt.X("x:Q", **px), x2="x2:Q", y=alt.Y("y:Q", **px), y2="y0:Q",
        color=alt.Color("colour:N", scale=None), stroke=alt.Stroke("edge:N", scale=None))
    grad_values = bars.mark_text(fontSize=13).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("ty:Q", **px), text="shown:N")
    grad_names = bars.mark_text(fontSize=13, baseline="top").encode(
        x=alt.X("cx:Q", **px), y=alt.Y("below:Q", **px), text="name:N")
    zero = bars.transform_filter("datum.k === 0").mark_rule(color=GREY).encode(
        x=alt.X("left:Q", **px), x2="right:Q", y=alt.Y("y0:Q", **px))
    heads = (with_p(alt.Chart(alt.Data(values=[{"k": 0}, {"k": 1}])))
             .transform_calculate(loss="-log(datum.p[true_class])")
             .transform_calculate(
                 text="datum.k === 0 ? 'p (dot), e_y − p (arrow)' : '∂L/∂z = p − e_y'",
                 sub="datum.k === 0 ? 'gradient descent (grey), η = ' "
                     "+ format(pow(2, log2_lr), '.3~g') "
                     ": 'loss ' + format(datum.loss, '.3f')",
                 cx=f"{off} + (datum.k === 0 ? 0.5 : 1.5) * {half} + 6 * datum.k"))
    title = heads.mark_text(fontSize=13, fontWeight="bold", baseline="top").encode(
        x=alt.X("cx:Q", **px), y=alt.value(0), text="text:N")
    sub = heads.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("cx:Q", **px), y=alt.value(18), text="sub:N")
    chart = ((face + edge + level_lines + descent + corner_dots + shaft + head + dot
              + corner_names
              + zero + grad_bars + grad_values + grad_names + title + sub)
             .add_params(a, b, eta, y)
             .properties(width="container", height=HEIGHT)
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"z0": c0, "z1": c1, "log2_lr": ce},
        alt="Left, a triangle whose corners are the three classes, with the predicted "
            "probability vector as a dot, an arrow from the dot to the corner of the true "
            "class, dotted lines of equal loss and the path of gradient descent. Right, a "
            "bar chart of the three entries of the gradient p minus e_y.",
        name="gradient")


#: Chapter 8's choices of the true class, by the rank of its logit.
TRUE_CLASS = ("smallest logit", "middle logit", "largest logit")
#: Chapter 8's loss axis, in nats: losses below the floor are drawn on it.
LOSS_FLOOR, LOSS_TOP = 1e-3, 100.0


def double_softmax(scale: float = 4.0, true_class: str = "smallest logit",
                   num_classes: int = 3, *, scales: tuple[float, float] = (0.25, 32.0),
                   class_counts: tuple[int, ...] = (3, 10), points: int = 141) -> VegaExplorer:
    """Chapter 8: the right loss and gradient beside those of a double softmax.

    The logits are ``scale`` times a pattern evenly spaced from +1 down to −1
    over ``num_classes`` classes; the true class is the one with the
    smallest, the middle (index ``C // 2``) or the largest logit. Blue is the
    correct cross-entropy on the logits, orange the cross-entropy taken on
    ``p = softmax(z)`` instead, ``LSE(p) − p_y``.

    The left panel draws both losses against the scale on log–log axes, at
    ``points`` scales spaced evenly in log scale, with the band
    ``[log(e + C − 1) − 1, log(e + C − 1)]`` that holds every value of the
    double-softmax loss shaded and the current scale as dots; a loss below
    :data:`LOSS_FLOOR` is drawn on the floor. The right panel draws the two
    gradients in the logits as paired bars per class, ``p − e_y`` and
    ``J(z) (softmax(p) − e_y)``; above the panels, both losses and both
    gradients' norms at the current scale. The panels are laid out in pixels
    in one view as wide as the page.

    Parameters
    ----------
    scale : float
        The starting scale, within ``scales``; the slider is logarithmic (base 2)
        and moves in fortieths of an octave.
    true_class : {"smallest logit", "middle logit", "largest logit"}
        The starting true class.
    num_classes : int
        The starting number of classes, one of ``class_counts``.
    scales : (float, float)
        The smallest and the largest scale, positive, at least an octave apart.
    class_counts : tuple of int
        The numbers of classes to choose from, each at least 2.
    points : int
        The number of scales at which the loss curves are drawn.

    Returns
    -------
    VegaExplorer

    Examples
    --------
    >>> ex = double_softmax()
    >>> ex.controls["log2_scale"].label, ex.choices
    ('logit scale', ['num_classes', 'true_class'])
    >>> ex.controls["log2_scale"].text(4.0)
    '16.00'
    """
    alt = _alt()
    if true_class not in TRUE_CLASS:
        raise ValueError(f"true_class must be one of {TRUE_CLASS}, got {true_class!r}")
    if (not class_counts or any(not isinstance(c, int) or c < 2 for c in class_counts)
            or num_classes not in class_counts):
        raise ValueError(f"num_classes must be one of {class_counts} (each an integer, "
                         f"at least 2), got {num_classes!r}")
    if not (len(scales) == 2 and 0 < scales[0] and scales[0] * 2 <= scales[1]
            and math.isfinite(scales[1])):
        raise ValueError(f"scales must be (smallest, largest), positive and at least an "
                         f"octave apart, got {scales!r}")
    if not scales[0] <= scale <= scales[1]:
        raise ValueError(f"scale must lie in [{scales[0]}, {scales[1]}], got {scale!r}")
    if not isinstance(points, int) or points < 2:
        raise ValueError(f"points must be an integer of at least 2, got {points!r}")
    lo, hi = (math.log2(v) for v in scales)
    # Steps of 1/40 octave put the scales 0.5, 1, 2, ... on the slider's grid.
    s, cs = slider("log2_scale", lo, hi, math.log2(scale), "logit scale", step=0.025,
                   power=2)
    yc = alt.param(name="true_class", value=true_class,
                   bind=alt.binding_radio(options=list(TRUE_CLASS), name="true class "))
    nc = alt.param(name="num_classes", value=num_classes,
                   bind=alt.binding_radio(options=list(class_counts), name="classes "))
    label_y = ("true_class === 'smallest logit' ? num_classes - 1 "
               ": true_class === 'middle logit' ? floor(num_classes / 2) : 0")
    px = dict(scale=None)

    # The layout, in pixels: the losses in the left half, the bars in the right one, each
    # at most 320 px wide and the whole centred on a wide page.
    half, off = "min(0.5 * width, 320)", "max(0, 0.5 * width - 320)"
    lx0, lx1 = f"({off} + 46)", f"({off} + {half} - 12)"
    rx0, rx1 = f"({off} + {half} + 34)", f"({off} + 2 * {half} - 2)"
    top, bottom = 40, "(height - 38)"
    decades = math.log10(LOSS_TOP / LOSS_FLOOR)

    def x_of(log2s: str) -> str:
        return f"{lx0} + (({log2s}) - {lo!r}) / {hi - lo!r} * ({lx1} - {lx0})"

    def y_of(loss: str) -> str:
        """The height of a loss on the log axis, clamped to [floor, top]."""
        return (f"{bottom} - (log(clamp({loss}, {LOSS_FLOOR!r}, {LOSS_TOP!r})) / LN10 "
                f"- {math.log10(LOSS_FLOOR)!r}) / {decades!r} * ({bottom} - {top})")

    mid = f"({top} + {bottom}) / 2"
    unit = f"({bottom} - {top}) / 2.1"

    # The current scale: one row per class, both gradients, both losses.
    rows = [{"cls": k} for k in range(max(class_counts))]
    table = (alt.Chart(alt.Data(values=rows))
             .transform_filter("datum.cls < num_classes")
             .transform_calculate(
                 z="pow(2, log2_scale) * (1 - 2 * datum.cls / (num_classes - 1))", y=label_y)
             .transform_calculate(t="datum.cls === datum.y ? 1 : 0")
             .transform_joinaggregate(zmax="max(z)")
             .transform_calculate(e="exp(datum.z - datum.zmax)")
             .transform_joinaggregate(total="sum(e)")
             .transform_calculate(p="datum.e / datum.total")
             .transform_calculate(correct="datum.p - datum.t", ep="exp(datum.p)",
                                  tz="datum.t * datum.z", tp="datum.t * datum.p")
             .transform_joinaggregate(eptotal="sum(ep)", zy="sum(tz)", py="sum(tp)")
             .transform_calculate(a="datum.ep / datum.eptotal - datum.t")
             .transform_calculate(pa="datum.p * datum.a")
             .transform_joinaggregate(abar="sum(pa)")
             .transform_calculate(double="datum.p * (datum.a - datum.abar)")
             .transform_calculate(c2="datum.correct * datum.correct",
                                  d2="datum.double * datum.double")
             .transform_joinaggregate(c2sum="sum(c2)", d2sum="sum(d2)")
             .transform_calculate(
                 loss_correct="datum.zmax + log(datum.total) - datum.zy",
                 loss_double="log(datum.eptotal) - datum.py"))

    # Left: both losses along the scales, computed once per choice of C and y.
    step = (hi - lo) / (points - 1)
    curve = (alt.Chart(alt.sequence(0, points, as_="j"))
             .transform_calculate(log2s=f"{lo!r} + datum.j * {step!r}",
                                  cls="sequence(0, num_classes)")
             .transform_flatten(["cls"])
             # The largest logit is the first, s: each weight is exp(z_k - s).
             .transform_calculate(s="pow(2, datum.log2s)")
             .transform_calculate(e="exp(-2 * datum.s * datum.cls / (num_classes - 1))")
             .transform_joinaggregate(total="sum(e)", groupby=["j"])
             .transform_calculate(ep="exp(datum.e / datum.total)")
             .transform_joinaggregate(eptotal="sum(ep)", groupby=["j"])
             .transform_filter("datum.cls === 0")
             .transform_calculate(y=label_y)
             .transform_calculate(
                 loss_correct="log(datum.total) + 2 * datum.s * datum.y / (num_classes - 1)",
                 loss_double="log(datum.eptotal) - exp(-2 * datum.s * datum.y "
                             "/ (num_classes - 1)) / datum.total")
             .transform_calculate(x=x_of("datum.log2s"), yc=y_of("datum.loss_correct"),
                                  yd=y_of("datum.loss_double")))
    lines = [curve.mark_line(color=PALETTE[k], strokeWidth=2).encode(
                 x=alt.X("x:Q", **px), y=alt.Y(f"{field}:Q", **px), order="j:Q")
             for k, field in enumerate(("yc", "yd"))]
    one = alt.Chart(alt.Data(values=[{"k": 0}]))
    band = one.transform_calculate(
        x0=lx0, x1=lx1, top_loss="log(E + num_classes - 1)").transform_calculate(
        y0=y_of("datum.top_loss"), y1=y_of("datum.top_loss - 1")).mark_rect(
        color=PALETTE[1], opacity=0.22).encode(
        x=alt.X("x0:Q", **px), x2="x1:Q", y=alt.Y("y0:Q", **px), y2="y1:Q")
    here = table.transform_filter("datum.cls === 0").transform_calculate(
        x=x_of("log2_scale"), yc=y_of("datum.loss_correct"), yd=y_of("datum.loss_double"))
    dots = [here.mark_point(filled=True, size=70, color=PALETTE[k], stroke="white",
                            strokeWidth=1.2, opacity=1).encode(
                x=alt.X("x:Q", **px), y=alt.Y(f"{field}:Q", **px))
            for k, field in enumerate(("yc", "yd"))]
    # The loss axes: octaves along the bottom (the even ones named), decades up the side.
    octaves = alt.Chart(alt.Data(values=[{"o": o} for o in range(math.ceil(lo),
                                                                  math.floor(hi) + 1)]))
    octaves = octaves.transform_calculate(
        x=x_of("datum.o"), y0=bottom, y1=f"{bottom} + 4", ty=f"{bottom} + 6",
        # Not the first octave: its name would meet the floor's in the corner.
        name=f"datum.o % 2 === 0 && datum.o > {lo!r} ? format(pow(2, datum.o), '~g') : ''")
    x_ticks = octaves.mark_rule(color=GREY).encode(
        x=alt.X("x:Q", **px), y=alt.Y("y0:Q", **px), y2="y1:Q")
    x_names = octaves.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("x:Q", **px), y=alt.Y("ty:Q", **px), text="name:N")
    exps = range(round(math.log10(LOSS_FLOOR)), round(math.log10(LOSS_TOP)) + 1)
    levels = alt.Chart(alt.Data(values=[{"v": 10.0 ** d, "name": f"{10.0 ** d:g}"}
                                        for d in exps]))
    levels = levels.transform_calculate(y=y_of("datum.v"), x0=lx0, x1=lx1,
                                        tx=f"{lx0} - 4")
    grid = levels.mark_rule(color=GREY, opacity=0.35).encode(
        x=alt.X("x0:Q", **px), x2="x1:Q", y=alt.Y("y:Q", **px))
    y_names = levels.mark_text(fontSize=12, align="right", baseline="middle").encode(
        x=alt.X("tx:Q", **px), y=alt.Y("y:Q", **px), text="name:N")

    # Right: the gradients as paired bars per class.
    bars = table.transform_calculate(slot=f"({rx1} - {rx0}) / num_classes").transform_calculate(
        xa=f"{rx0} + (datum.cls + 0.1) * datum.slot",
        xb=f"{rx0} + (datum.cls + 0.5) * datum.slot",
        xc=f"{rx0} + (datum.cls + 0.9) * datum.slot", y0=mid,
        yc=f"{mid} - datum.correct * {unit}", yd=f"{mid} - datum.double * {unit}",
        ty=f"{bottom} + 6", name="'' + datum.cls")
    grad_bars = [bars.mark_rect(color=PALETTE[k]).encode(
                     x=alt.X(f"{x0}:Q", **px), x2=f"{x1}:Q", y=alt.Y(f"{field}:Q", **px),
                     y2="y0:Q")
                 for k, (x0, x1, field) in enumerate((("xa", "xb", "yc"),
                                                      ("xb", "xc", "yd")))]
    class_names = bars.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("xb:Q", **px), y=alt.Y("ty:Q", **px), text="name:N")
    truth = bars.transform_filter("datum.cls === datum.y").transform_calculate(
        ty=f"{top} + 2").mark_text(fontSize=12, fontWeight="bold", baseline="top").encode(
        x=alt.X("xb:Q", **px), y=alt.Y("ty:Q", **px), text=alt.value("y"))
    ticks = alt.Chart(alt.Data(values=[{"g": g, "name": f"{g:g}".replace("-", "\u2212")}
                                       for g in (-1.0, -0.5, 0.0, 0.5, 1.0)]))
    ticks = ticks.transform_calculate(y=f"{mid} - datum.g * {unit}", x0=rx0, x1=rx1,
                                      tx=f"{rx0} - 4")
    # The zero line in full, the others faint.
    g_grid = ticks.transform_calculate(op="datum.g === 0 ? 1 : 0.35").mark_rule(
        color=GREY).encode(x=alt.X("x0:Q", **px), x2="x1:Q", y=alt.Y("y:Q", **px),
                           opacity=alt.Opacity("op:Q", scale=None))
    g_names = ticks.mark_text(fontSize=12, align="right", baseline="middle").encode(
        x=alt.X("tx:Q", **px), y=alt.Y("y:Q", **px), text="name:N")
    axes = alt.Chart(alt.Data(values=[{"k": 0}, {"k": 1}])).transform_calculate(
        x="datum.k === 0 ? " + lx0 + " : " + rx0, y0=f"{top}", y1=bottom).mark_rule(
        color=GREY).encode(x=alt.X("x:Q", **px), y=alt.Y("y0:Q", **px), y2="y1:Q")
    floor = one.transform_calculate(x0=lx0, x1=lx1, y=bottom).mark_rule(color=GREY).encode(
        x=alt.X("x0:Q", **px), x2="x1:Q", y=alt.Y("y:Q", **px))

    # Above: the legend, then each panel's numbers; below: the axes' names.
    legend = alt.Chart(alt.Data(values=[{"k": 0, "name": "correct", "dx": -100},
                                        {"k": 1, "name": "double softmax", "dx": -10}]))
    legend = legend.transform_calculate(x="width / 2 + datum.dx", tx="width / 2 + datum.dx + 9")
    swatches = legend.mark_square(size=90, opacity=1).encode(
        x=alt.X("x:Q", **px), y=alt.value(7),
        color=alt.Color("k:N", scale=alt.Scale(domain=[0, 1], range=list(PALETTE[:2])),
                        legend=None))
    legend_names = legend.mark_text(fontSize=12, align="left", baseline="middle").encode(
        x=alt.X("tx:Q", **px), y=alt.value(7), text="name:N")
    heads = table.transform_filter("datum.cls === 0").transform_calculate(
        lc=f"({lx0} + {lx1}) / 2 - 10", rc=f"({rx0} + {rx1}) / 2 - 10",
        losses="'loss ' + format(datum.loss_correct, '.3~g') + ' vs ' "
               "+ format(datum.loss_double, '.3f')",
        norms="'gradient ' + format(sqrt(datum.c2sum), '.3f') + ' vs ' "
              "+ format(sqrt(datum.d2sum), '.2~g')")
    head_l = heads.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("lc:Q", **px), y=alt.value(20), text="losses:N")
    head_r = heads.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("rc:Q", **px), y=alt.value(20), text="norms:N")
    titles = alt.Chart(alt.Data(values=[{"k": 0, "name": "logit scale"},
                                        {"k": 1, "name": "class (y: the true one)"}]))
    titles = titles.transform_calculate(
        x=f"datum.k === 0 ? ({lx0} + {lx1}) / 2 : ({rx0} + {rx1}) / 2", y=f"{bottom} + 22")
    axis_titles = titles.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), text="name:N")

    chart = (alt.layer(band, grid, floor, axes, x_ticks, x_names, y_names, *lines, *dots,
                       g_grid, g_names, *grad_bars, class_names, truth,
                       swatches, legend_names, head_l, head_r, axis_titles)
             .add_params(s, yc, nc)
             .properties(width="container", height=HEIGHT)
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"log2_scale": cs},
        alt="Two panels. Left, the correct loss (blue) and the double-softmax loss "
            "(orange) against the logit scale, both axes logarithmic, with the band of "
            "every value the double-softmax loss can take shaded and the current scale "
            "marked by dots. Right, the gradient entries of both losses as paired bars "
            "for each class. Above, both losses and both gradients' norms.",
        name="double-softmax")
