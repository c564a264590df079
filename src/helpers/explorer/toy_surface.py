"""Chapter 6's explorer: the regularised toy loss over (w, b), drawn by Vega-Lite.

The model of chapter 6 has one feature ``x``, two classes and the logits
``(0, (w x + b) / T)``; its loss is the mean binary cross-entropy plus the
penalty ``(λ/2)(w² + b²)``. :func:`toy_surface` draws

* left, the loss over a grid of 40 × 30 cells of the ``(w, b)`` plane,
  computed in the browser from the fourteen data points at every move of a
  control, in bands a fifth of a decade wide on a fixed logarithmic colour
  scale; hovering over a cell outlines it and shows, in a tooltip, its
  centre, its loss and the loss's gradient;
* the minimiser (a star) and, dotted, the minimisers for every λ of the
  slider at the chosen T. Both are looked up in a table NumPy computes once,
  using the identity of the chapter: the minimiser at ``(λ, T)`` is ``T``
  times the minimiser at ``(λ T², 1)``. The sliders' grids are chosen so that
  ``log10(λ T²)`` always falls on the table's grid: λ moves in steps of 0.01
  in ``log10 λ``, T in steps of 0.005 in ``log10 T``;
* right, the data and the fitted probability of class 1 at the minimiser.

On separable data with no penalty there is no minimiser: an arrow shows the
direction in which the loss keeps falling, and the right panel shows the
curves of ever longer multiples of the maximum-margin separator.
"""

from __future__ import annotations

import math

import numpy as np

from ..plotting import PALETTE
from .vega import VegaExplorer, slider

__all__ = ["toy_surface", "minimiser_table", "W_RANGE", "B_RANGE", "CELLS",
           "REG_EXPONENTS", "REG_STEP", "T_EXPONENTS", "T_STEP", "TABLE_EXPONENTS", "TABLE_STEP",
           "REG_POSITIONS", "T_POSITIONS", "TABLE_SIZE", "COLOUR_DOMAIN", "BANDS", "HEIGHT"]

#: The (w, b) window of the surface, as in the chapter's contour maps.
W_RANGE, B_RANGE = (-2.0, 10.0), (-6.0, 3.0)
#: Cells of the surface along w and along b.
CELLS = (40, 30)
#: The λ slider: log10 λ from -4 to 0 in steps of 0.01.
REG_EXPONENTS, REG_STEP = (-4.0, 0.0), 0.01
#: The T slider: log10 T from -0.3 to 0.3 (T from about 0.5 to 2) in steps of 0.005.
T_EXPONENTS, T_STEP = (-0.3, 0.3), 0.005
#: The table of minimisers at T = 1: log10 λ from -4.6 to 0.6 in steps of 0.01,
#: which holds λ T² for every position of the two sliders.
TABLE_STEP = REG_STEP
TABLE_EXPONENTS = (REG_EXPONENTS[0] + 2 * T_EXPONENTS[0], REG_EXPONENTS[1] + 2 * T_EXPONENTS[1])
#: Positions of the two sliders, and rows of the table for each data set (λ > 0).
REG_POSITIONS = round((REG_EXPONENTS[1] - REG_EXPONENTS[0]) / REG_STEP) + 1
T_POSITIONS = round((T_EXPONENTS[1] - T_EXPONENTS[0]) / T_STEP) + 1
TABLE_SIZE = round((TABLE_EXPONENTS[1] - TABLE_EXPONENTS[0]) / TABLE_STEP) + 1
HEIGHT = 290
#: The colour scale's range of losses (logarithmic), as in the chapter's contour maps.
COLOUR_DOMAIN = (0.003, 30.0)
#: Colour bands per decade of loss, from the scale's lowest loss on: the levels of the
#: chapter's contour maps, ``np.geomspace(0.003, 30, 21)``.
BANDS = 5
#: Okabe–Ito orange for the minimiser and its fit; a grey that reads on both themes.
STAR, GREY = PALETTE[1], "#8a8a8a"
#: The data sets, in the order of the table's rows.
_OFFSET = {"overlapping": 0, "separable": 1}


def _check_data(toy_data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two data sets' inputs and their shared labels, checked."""
    if not isinstance(toy_data, dict) or set(toy_data) != set(_OFFSET):
        raise ValueError(f"toy_data must be a dict with the keys {sorted(_OFFSET)}, "
                         f"got {toy_data!r:.80}")
    (x_o, y_o), (x_s, y_s) = (tuple(map(np.asarray, toy_data[k])) for k in _OFFSET)
    if x_o.ndim != 1 or x_o.shape != x_s.shape or y_o.shape != x_o.shape:
        raise ValueError("toy_data's inputs and labels must be 1-D arrays of one length")
    if not np.array_equal(y_o, y_s) or not np.isin(y_o, (0, 1)).all():
        raise ValueError("toy_data's two sets must share their labels, each 0 or 1")
    return x_o.astype(float), x_s.astype(float), y_o.astype(float)


def minimiser_table(toy_data, fit) -> list[dict]:
    """The minimisers at T = 1 on the table's grid of λ, and at λ = 0 where one exists.

    Parameters
    ----------
    toy_data : dict
        ``{"overlapping": (x, y), "separable": (x, y)}``, as in chapter 6.
    fit : callable
        ``fit(x, y, reg=..., temperature=...)`` returning the minimiser ``(w, b)``
        (chapter 6's ``fit_toy``).

    Returns
    -------
    list of dict
        Rows ``{"w", "b"}``, in this order: the overlapping data at λ = 0, then
        the overlapping data and the separable data, each at ``log10 λ =
        TABLE_EXPONENTS[0] + TABLE_STEP k`` for ``k = 0, …, TABLE_SIZE - 1``.
        The separable data have no minimiser at λ = 0.

    Examples
    --------
    >>> import numpy as np
    >>> data = {"overlapping": (np.array([-1.0, 0.5, 1.0]), np.array([0, 1, 1])),
    ...         "separable": (np.array([-1.0, 0.4, 1.0]), np.array([0, 1, 1]))}
    >>> rows = minimiser_table(data, lambda x, y, reg, temperature: (reg, 0.0))
    >>> len(rows), rows[0], f"{rows[1]['w']:.3g}"
    (1043, {'w': 0.0, 'b': 0.0}, '2.51e-05')
    """
    x_o, x_s, y = _check_data(toy_data)
    if not callable(fit):
        raise TypeError(f"fit must be a function fit(x, y, reg, temperature), got {fit!r}")
    rows = []
    for name, x in (("overlapping", x_o), ("separable", x_s)):
        ks = ([-1] if name == "overlapping" else []) + list(range(TABLE_SIZE))
        for k in ks:
            reg = 0.0 if k < 0 else 10.0 ** (TABLE_EXPONENTS[0] + TABLE_STEP * k)
            w, b = (float(v) for v in fit(x, y, reg=reg, temperature=1.0))
            # Ten significant digits: the page's numbers are checked to 1e-6.
            rows.append({"w": float(f"{w:.10g}"), "b": float(f"{b:.10g}")})
    return rows


def toy_surface(toy_data, fit, theta_hat, *, data: str = "overlapping", reg: float = 0.01,
                temperature: float = 1.0, penalty: bool = True) -> VegaExplorer:
    """Chapter 6: the toy loss over (w, b) with penalty and temperature, and the fit.

    Parameters
    ----------
    toy_data : dict
        ``{"overlapping": (x, y), "separable": (x, y)}``: the two data sets,
        with the same labels (0 or 1).
    fit : callable
        ``fit(x, y, reg=..., temperature=...)``, the minimiser ``(w, b)``.
    theta_hat : array_like of shape (2,)
        The maximum-margin separator of the separable data: the arrow's
        direction, and the curves shown when there is no minimiser.
    data : {"overlapping", "separable"}
        The starting data set.
    reg : float
        The starting λ, in ``[1e-4, 1]`` (the slider is logarithmic).
    temperature : float
        The starting T, in ``[10**-0.3, 10**0.3]``, about 0.5 to 2.
    penalty : bool
        Whether the penalty starts on; off means λ = 0 whatever the slider says.

    Returns
    -------
    VegaExplorer

    Examples
    --------
    >>> import numpy as np
    >>> data = {"overlapping": (np.array([-1.0, 0.5, 1.0]), np.array([0, 1, 1])),
    ...         "separable": (np.array([-1.0, 0.4, 1.0]), np.array([0, 1, 1]))}
    >>> ex = toy_surface(data, lambda x, y, reg, temperature: (1.0, 0.0), (1.0, 0.0))
    >>> sorted(ex.controls), ex.choices
    (['log10_T', 'log10_reg'], ['data', 'penalty'])
    """
    import altair as alt

    x_o, x_s, y = _check_data(toy_data)
    if data not in _OFFSET:
        raise ValueError(f"data must be one of {sorted(_OFFSET)}, got {data!r}")
    if not (isinstance(reg, (int, float)) and 10 ** REG_EXPONENTS[0] <= reg <= 1):
        raise ValueError(f"reg must lie in [1e-4, 1], got {reg!r}")
    t_lo, t_hi = (10 ** e for e in T_EXPONENTS)
    if not (isinstance(temperature, (int, float)) and t_lo <= temperature <= t_hi):
        raise ValueError(f"temperature must lie in [{t_lo:.4f}, {t_hi:.4f}], got {temperature!r}")
    theta_hat = np.asarray(theta_hat, dtype=float)
    if theta_hat.shape != (2,) or not np.isfinite(theta_hat).all():
        raise ValueError(f"theta_hat must be two finite numbers (w, b), got {theta_hat!r}")
    rows = minimiser_table(toy_data, fit)

    def snap(value, step):
        return round(round(value / step) * step, 6)

    lam_p, lam_c = slider("log10_reg", *REG_EXPONENTS, snap(math.log10(reg), REG_STEP),
                          "penalty λ", step=REG_STEP, digits=4, power=10)
    t_p, t_c = slider("log10_T", *T_EXPONENTS, snap(math.log10(temperature), T_STEP),
                      "temperature T", step=T_STEP, digits=2, power=10)
    data_p = alt.param(name="data", value=data,
                       bind=alt.binding_radio(options=list(_OFFSET), name="data "))
    pen_p = alt.param(name="penalty", value="on" if penalty else "off (λ = 0)",
                      bind=alt.binding_radio(options=["on", "off (λ = 0)"], name="penalty "))
    # Derived values every layer uses.
    lam = alt.param(name="lam", expr="penalty === 'on' ? pow(10, log10_reg) : 0")
    temp = alt.param(name="temp", expr="pow(10, log10_T)")
    sep = alt.param(name="sep", expr="data === 'separable' ? 1 : 0")
    # The minimiser: T times the one at (λ T², 1), whose row is on the table's grid.
    first = f"1 + sep * {TABLE_SIZE}"       # the row of k = 0 for the chosen data
    star_p = alt.param(name="star", expr=(
        f"penalty === 'on' ? data('minimisers')[{first} + round((log10_reg + 2 * log10_T - "
        f"({TABLE_EXPONENTS[0]!r})) / {TABLE_STEP!r})] : (sep ? null : data('minimisers')[0])"))
    has_star = alt.param(name="has_star", expr="star ? 1 : 0")
    star_w = alt.param(name="star_w", expr="star ? temp * star.w : 0")
    star_b = alt.param(name="star_b", expr="star ? temp * star.b : 0")
    # The path: λ over the slider at this T, that is λ T² from the row k_low on.
    k_low = alt.param(name="k_low", expr=(
        f"round((2 * log10_T - ({2 * T_EXPONENTS[0]!r})) / {TABLE_STEP!r})"))
    # One named table, which the chart's expressions index.
    table = alt.Data(name="minimisers")

    # -- the surface: the loss of every cell, from the data points -----------------------
    nw, nb = CELLS
    dw, db = (W_RANGE[1] - W_RANGE[0]) / nw, (B_RANGE[1] - B_RANGE[0]) / nb
    xs = [repr(float(a)) if a == b else f"(sep ? {float(b)!r} : {float(a)!r})"
          for a, b in zip(x_o, x_s)]
    n = len(xs)
    us = {f"u{i}": f"(datum.w * {x} + datum.b) / temp" for i, x in enumerate(xs)}
    es = {f"e{i}": f"exp(-abs(datum.u{i}))" for i in range(n)}
    # Each example's residual sigmoid(u) - y, written stably.
    resid = [f"((datum.u{i} >= 0 ? 1 / (1 + datum.e{i}) : datum.e{i} / (1 + datum.e{i}))"
             f" - {float(y[i])!r})" for i in range(n)]

    def grid(chart):
        """Cell n's indices i (along w), j (along b), its centre and its corners."""
        return (chart.transform_calculate(i=f"floor(datum.n / {nb})", j=f"datum.n % {nb}")
                .transform_calculate(w=f"{W_RANGE[0]!r} + {dw!r} * (datum.i + 0.5)",
                                     b=f"{B_RANGE[0]!r} + {db!r} * (datum.j + 0.5)")
                .transform_calculate(w0=f"datum.w - {dw / 2!r}", w1=f"datum.w + {dw / 2!r}",
                                     b0=f"datum.b - {db / 2!r}", b1=f"datum.b + {db / 2!r}"))

    sequence = alt.sequence(0, nw * nb, as_="n")
    penalised = "datum.data_loss + 0.5 * lam * (datum.w * datum.w + datum.b * datum.b)"
    # Each example's loss softplus(u) - y u, written stably. The data term depends on T and
    # the data only, the penalty on λ only: a move of λ recomputes no exponential.
    softplus = " + ".join(
        f"max({'-' if y[i] else ''}{u}, 0) + log(1 + exp(-abs({u})))"
        for i, u in enumerate(f"((datum.w * {x} + datum.b) / temp)" for x in xs))
    # Bands a fifth of a decade wide, the levels of the chapter's contour maps: band k holds
    # the losses from lo 10^(k/BANDS) up, -1 those below the colour scale, top those above.
    lo = math.log10(COLOUR_DOMAIN[0])
    top = round(BANDS * (math.log10(COLOUR_DOMAIN[1]) - lo))
    cells = (grid(alt.Chart(sequence))
             .transform_calculate(data_loss=f"({softplus}) / {n}")
             .transform_calculate(loss=penalised)
             .transform_calculate(
                 bi=f"clamp(floor({BANDS} * (log(datum.loss) / LN10 - ({lo!r}))), -1, {top})")
             .transform_calculate(band=f"pow(10, {lo!r} + (datum.bi + 0.5) / {BANDS})"))
    # The layout, in pixels: the surface on the left, the fit on the right.
    sw = "(width < 500 ? 0.54 : 0.6) * width"
    rx = f"{sw} + 62"
    ws = alt.Scale(domain=list(W_RANGE), range=[0, {"expr": sw}], nice=False, zero=False)
    bs = alt.Scale(domain=list(B_RANGE), nice=False, zero=False)
    w_axis = alt.Axis(values=list(range(-2, 11, 2)), format="~f", grid=False,
                      labelExpr="width < 500 && datum.value % 4 ? '' : datum.label")
    b_axis = alt.Axis(values=list(range(-6, 4, 3)), format="~f", grid=False)
    hover = alt.selection_point(name="hover", on="pointerover", fields=["n"], clear=False,
                                nearest=False, empty=False)
    # One rectangle per cell, always the same ones: a move changes the colours of the cells
    # whose band changes and adds or removes no element (which the page's icon script would
    # scan). aria=False: no description for each cell, which Vega would rewrite at each move;
    # likewise on the marks that are often empty (axe wants a label on an empty container).
    # Each cell overlaps its neighbours by a pixel and a half: no seams between them.
    heat = cells.mark_rect(x2Offset=1.5, y2Offset=-1.5, aria=False).encode(
        x=alt.X("w0:Q", scale=ws, title="w", axis=w_axis), x2="w1:Q",
        y=alt.Y("b0:Q", scale=bs, title="b", axis=b_axis), y2="b1:Q",
        color=alt.Color("band:Q", title="loss", scale=alt.Scale(
            type="log", domain=list(COLOUR_DOMAIN), scheme="viridis", clamp=True),
            legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=150,
                              titleOrient="left", values=[0.01, 0.1, 1, 10], format="~g"))
    ).add_params(hover)
    # Hovering picks the cell under the pointer; the outlined cell on top computes that one
    # cell's loss and gradient and shows them in its tooltip.
    cell = (grid(alt.Chart(sequence)).transform_filter(hover)
            .transform_calculate(data_loss=f"({softplus}) / {n}", **us)
            .transform_calculate(**es)
            .transform_calculate(
                loss=penalised,
                gw=f"({' + '.join(f'{r} * {x}' for r, x in zip(resid, xs))}) / ({n} * temp)"
                   " + lam * datum.w",
                gb=f"({' + '.join(resid)}) / ({n} * temp) + lam * datum.b"))
    outlined = cell.mark_rect(fill="transparent", stroke="white", strokeWidth=1.5,
                              aria=False).encode(
        x=alt.X("w0:Q", scale=ws), x2="w1:Q", y=alt.Y("b0:Q", scale=bs), y2="b1:Q",
        tooltip=[alt.Tooltip("w:Q", format=".2f"), alt.Tooltip("b:Q", format=".2f"),
                 alt.Tooltip("loss:Q", format=".4f"),
                 alt.Tooltip("gw:Q", title="∂L/∂w", format=".4f"),
                 alt.Tooltip("gb:Q", title="∂L/∂b", format=".4f")])

    inside = (f"datum.pw >= {W_RANGE[0]!r} && datum.pw <= {W_RANGE[1]!r} && "
              f"datum.pb >= {B_RANGE[0]!r} && datum.pb <= {B_RANGE[1]!r}")
    path = (alt.Chart(alt.sequence(0, REG_POSITIONS, as_="s"))
            .transform_calculate(row=f"data('minimisers')[{first} + k_low + datum.s]")
            .transform_calculate(pw="temp * datum.row.w", pb="temp * datum.row.b")
            .transform_filter(inside)
            .mark_line(color="white", strokeDash=[2, 3], strokeWidth=1.5, aria=False)
            .encode(x=alt.X("pw:Q", scale=ws), y=alt.Y("pb:Q", scale=bs), order="s:Q"))
    # The table itself is drawn by nothing: an empty layer keeps it in the chart.
    keep = alt.Chart(table).transform_filter("false").mark_point(aria=False).encode(
        x=alt.X("w:Q", scale=ws), y=alt.Y("b:Q", scale=bs))
    one = alt.Chart(alt.Data(values=[{"s": 0}]))
    star_row = one.transform_calculate(found="has_star", pw="star_w", pb="star_b")
    star = (star_row.transform_filter(f"datum.found && {inside}")
            .mark_point(shape="M0,-1L0.2245,-0.309L0.951,-0.309L0.363,0.118L0.588,0.809"
                              "L0,0.382L-0.588,0.809L-0.363,0.118L-0.951,-0.309L-0.2245,-0.309Z",
                        filled=True, size=420, color=STAR, stroke="black", strokeWidth=1,
                        opacity=1)
            .encode(x=alt.X("pw:Q", scale=ws), y=alt.Y("pb:Q", scale=bs),
                    tooltip=[alt.Tooltip("pw:Q", title="minimiser w", format=".3f"),
                             alt.Tooltip("pb:Q", title="minimiser b", format=".3f")]))
    # No minimiser: an arrow along the maximum-margin direction, where the loss keeps falling.
    a0, a1 = 0.6 * theta_hat, 1.9 * theta_hat
    arrow = (one.transform_filter("!(penalty === 'on') && sep")
             .transform_calculate(w0=repr(float(a0[0])), b0=repr(float(a0[1])),
                                  w1=repr(float(a1[0])), b1=repr(float(a1[1])),
                                  angle=f"atan2({float(a1[0] - a0[0])!r} * ({sw}) / "
                                        f"{W_RANGE[1] - W_RANGE[0]!r}, {float(a1[1] - a0[1])!r}"
                                        f" * height / {B_RANGE[1] - B_RANGE[0]!r}) * 180 / PI"))
    shaft = arrow.mark_rule(color=STAR, strokeWidth=3, aria=False).encode(
        x=alt.X("w0:Q", scale=ws), y=alt.Y("b0:Q", scale=bs), x2="w1:Q", y2="b1:Q")
    head = arrow.mark_point(shape="triangle-up", filled=True, color=STAR, size=220, aria=False,
                            opacity=1).encode(
        x=alt.X("w1:Q", scale=ws), y=alt.Y("b1:Q", scale=bs),
        angle=alt.Angle("angle:Q", scale=None))
    infinity = arrow.mark_text(color="white", align="left", fontSize=13).encode(
        x=alt.datum(W_RANGE[0] + 0.4, scale=ws), y=alt.datum(B_RANGE[0] + 0.6, scale=bs),
        text=alt.value("minimum at infinity"))
    # The panel's title and the minimiser's coordinates, above the surface.
    # Three lines above the surface: the data, the settings, the minimiser. Centred over
    # the surface on a wide page; from its left edge on a phone, where they are wider.
    narrow = "width < 500"
    heads = star_row.transform_calculate(
        title="data + ' data'",
        settings="'λ = ' + (lam === 0 ? '0' : format(lam, '.2~g')) "
                 "+ ', T = ' + format(temp, '.2f')",
        sub="!datum.found ? 'no minimiser: see the arrow' "
            f": ({inside} ? 'minimiser (' : 'off the map: (') "
            "+ format(datum.pw, '.2f') + ', ' + format(datum.pb, '.2f') + ')'",
        mid=f"{narrow} ? 0 : ({sw}) / 2")
    align = alt.ExprRef(f"{narrow} ? 'left' : 'center'")
    title = heads.mark_text(fontSize=14, fontWeight="bold", baseline="bottom",
                            align=align).encode(
        x=alt.X("mid:Q", scale=None), y=alt.value(-38), text="title:N")
    settings = heads.mark_text(fontSize=13, baseline="bottom", align=align).encode(
        x=alt.X("mid:Q", scale=None), y=alt.value(-21), text="settings:N")
    sub = heads.mark_text(fontSize=13, baseline="bottom", align=align).encode(
        x=alt.X("mid:Q", scale=None), y=alt.value(-5), text="sub:N")

    # -- the fit: the data and the probability of class 1 at the minimiser ---------------
    x_lo, x_hi = -3.0, 3.3
    xs_fit = alt.Scale(domain=[x_lo, x_hi], range=[{"expr": rx}, {"expr": "width"}],
                       nice=False, zero=False)
    ps = alt.Scale(domain=[-0.08, 1.08], range=[{"expr": "height"}, 0], nice=False)
    x_axis = alt.Axis(orient="bottom", values=[-3, -2, -1, 0, 1, 2, 3], format="~f", grid=False,
                      labelExpr="width < 500 && datum.value % 2 ? '' : datum.label")
    p_axis = alt.Axis(orient="left", values=[0, 0.5, 1], format="~f", grid=False,
                      offset={"expr": f"-({rx})"})
    factors = [0.25, 0.5, 1.0, 2.0]
    sigmoid = "(datum.u >= 0 ? 1 / (1 + exp(-datum.u)) : exp(datum.u) / (1 + exp(datum.u)))"
    curves = (alt.Chart(alt.sequence(x_lo, x_hi + 0.025, 0.05, as_="x"))
              .transform_calculate(c="[0, 1, 2, 3]").transform_flatten(["c"])
              .transform_filter("has_star ? datum.c === 0 : true")
              .transform_calculate(
                  found="has_star",
                  fw=f"has_star ? star_w : {_js(factors)}[datum.c] * {float(theta_hat[0])!r}",
                  fb=f"has_star ? star_b : {_js(factors)}[datum.c] * {float(theta_hat[1])!r}")
              .transform_calculate(u="(datum.fw * datum.x + datum.fb) / temp")
              .transform_calculate(p=sigmoid,
                                   fade="datum.found ? 1 : [0.3, 0.5, 0.75, 1][datum.c]",
                                   thick="datum.found ? 2.5 : 1.6"))
    fit_lines = curves.mark_line(aria=False).encode(
        x=alt.X("x:Q", scale=xs_fit, title="x", axis=x_axis),
        y=alt.Y("p:Q", scale=ps, title="p(class 1)", axis=p_axis),
        # A colour field would make Vega-Lite drop the points as not numbers: a condition.
        detail="c:N", color=alt.condition("datum.found", alt.value(STAR), alt.value(GREY)),
        opacity=alt.Opacity("fade:Q", scale=None), strokeWidth=alt.StrokeWidth("thick:Q",
                                                                              scale=None))
    points = (alt.Chart(alt.Data(values=[{"i": i, "xo": float(a), "xsep": float(b),
                                          "y": float(c)} for i, (a, b, c)
                                         in enumerate(zip(x_o, x_s, y))]))
              .transform_calculate(x="sep ? datum.xsep : datum.xo")
              .mark_point(filled=True, size=45, color=GREY, opacity=0.9, aria=False)
              .encode(x=alt.X("x:Q", scale=xs_fit), y=alt.Y("y:Q", scale=ps)))
    steepens = (one.transform_filter("!(penalty === 'on') && sep")
                .mark_text(align="left", baseline="top", fontSize=12, lineHeight=15)
                .encode(x=alt.datum(x_lo + 0.1, scale=xs_fit), y=alt.datum(0.97, scale=ps),
                        text=alt.value(["no minimiser:", "the curve", "steepens", "for ever"])))
    fit_head = one.transform_calculate(
        mid=f"({rx} + width) / 2",
        text=f"{narrow} ? 'the fit' : 'the fitted probability'")
    fit_title = fit_head.mark_text(fontSize=14, fontWeight="bold", baseline="bottom").encode(
        x=alt.X("mid:Q", scale=None), y=alt.value(-38), text="text:N")

    left = alt.layer(heat, keep, path, shaft, head, star, infinity, title, settings, sub,
                     outlined)
    right = alt.layer(fit_lines, points, steepens, fit_title)
    chart = (alt.layer(left, right)
             .resolve_scale(x="independent", y="independent")
             .add_params(lam_p, t_p, data_p, pen_p, lam, temp, sep, star_p, has_star, star_w,
                         star_b, k_low)
             .properties(datasets={"minimisers": rows},
                         width="container", height=HEIGHT, padding={"top": 58, "left": 5,
                                                                     "right": 5, "bottom": 5})
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"log10_reg": lam_c, "log10_T": t_c},
        alt="Left, a heatmap of the regularised loss over w and b, darker where it is lower, "
            "with a star at the minimiser and a dotted path of the minimisers for other "
            "penalties; right, the data points at heights 0 and 1 with the fitted "
            "probability curve.",
        name="toy-surface")


def _js(values) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"
