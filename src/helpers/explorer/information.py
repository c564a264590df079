r"""Chapter 9's explorer: separation and class balance, drawn by Vega-Lite.

The chapter *Softmax cross-entropy and mutual information* trains softmax
regression on round Gaussian classes (:mod:`helpers.mi`) and compares two
estimates of the mutual information with the truth. Its explorer moves the
separation ``s`` of the classes continuously and switches the class balance:

* :func:`separation_runs` computes, once, for every separation of a grid
  and every balance, the true mutual information by Monte Carlo with its
  standard error, the naive estimate :math:`\log C - \mathrm{CE}` and the
  probability-correct (PC) one, each from a model trained on the first two
  coordinates, and the label entropy :math:`H(Y)`;
* :func:`training_points` gives the training points as one small table:
  their labels do not depend on ``s`` and their points are
  ``s * direction[label] + noise``, so the chart computes the scatter at any
  ``s`` from the noise drawn at ``s = 0``;
* :func:`separation_explorer` draws both: the training points on the left,
  the truth and the two estimates as bars on the right, with lines at
  :math:`\log C` and :math:`H(Y)`; the chart looks its row up by
  ``(s, balance)``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import mi
from .._validate import as_count, as_real
from ..numerics import log_softmax
from ..plotting import PALETTE
from .vega import MIN_POSITIONS, VegaExplorer, slider

__all__ = ["separation_runs", "training_points", "separation_explorer", "HEIGHT"]

#: The chart's height in pixels with the panels side by side (a page wider than
#: :data:`NARROW`); on a narrower page they are stacked and the chart grows taller.
HEIGHT = 320
NARROW = 520
#: The height of the bars when the panels are stacked.
_STACKED_BARS = 190
#: A grey that reads on the light and on the dark page (as in ``charts.py``).
GREY = "#8a8a8a"
#: The bars: the truth in grey, the naive estimate vermillion, the PC one purple.
BAR_COLOURS = (GREY, PALETTE[3], PALETTE[4])


def _priors_table(priors) -> dict[str, np.ndarray]:
    """``{name: priors}`` checked: names are strings, priors positive and summing to 1."""
    if not isinstance(priors, dict) or not priors:
        raise TypeError("priors must be a non-empty dict {balance name: class priors}, "
                        f"got {type(priors).__name__}")
    table, sizes = {}, set()
    for name, values in priors.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"priors' keys must be non-empty strings, got {name!r}")
        values = np.asarray(values, dtype=float)
        if (values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values))
                or np.any(values <= 0) or abs(values.sum() - 1) > 1e-8):
            raise ValueError(f"priors[{name!r}] must be at least two positive numbers "
                             f"summing to 1, got {values!r}")
        table[name] = values
        sizes.add(len(values))
    if len(sizes) != 1:
        raise ValueError(f"every balance in priors needs the same number of classes, got {sizes}")
    return table


def _grid(separations) -> np.ndarray:
    values = np.asarray(separations, dtype=float)
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)) \
            or np.any(values < 0):
        raise ValueError(f"separations must be a 1-D array of finite numbers >= 0, "
                         f"got {separations!r}")
    return values


def separation_runs(separations, priors, *, n_train=500, n_eval=100_000, lr=0.5, steps=300,
                    seeds=(1, 2)) -> list[dict]:
    r"""The truth and both estimates of I(X; Y) at each separation and balance, D = 2.

    For each balance and each separation ``s``, as in the chapter's runs:
    ``n_train`` training points (seed ``seeds[0]``) and ``n_eval`` held-out
    points (seed ``seeds[1]``) are drawn by :func:`helpers.mi.gaussian_classes`
    in two dimensions; the truth is the mean of the true pointwise information
    :math:`\log p^\star(y \mid x) - \log \pi_y` over the held-out points;
    softmax regression is trained twice by
    :func:`helpers.mi.fit_softmax_regression` (``lr``, ``steps``, from zero
    weights), plainly and with the PC softmax (``logit_offset`` the log of the
    training labels' frequencies :math:`\hat\pi`), and scored on the held-out
    points.

    Parameters
    ----------
    separations : array_like of float
        The separations, each at least 0.
    priors : dict
        ``{balance name: class priors}``, every entry positive, summing to 1.
    n_train, n_eval : int, optional
        The sizes of the training and the held-out sample.
    lr, steps : float, int, optional
        The training's learning rate and number of steps.
    seeds : (int, int), optional
        The seeds of the training and of the held-out sample.

    Returns
    -------
    list of dict
        One row per balance and separation, with keys ``s``, ``balance``,
        ``truth``, ``se`` (the standard error of ``truth``, from the sample
        standard deviation), ``naive`` (:math:`\log C - \mathrm{CE}`), ``pc``
        (:math:`\hat H(Y) - \mathrm{CE}(f + \log\hat\pi)`) and ``h`` (the
        label entropy :math:`H(Y) = -\sum_k \pi_k \log \pi_k` of the priors).

    Examples
    --------
    >>> rows = separation_runs([0.0, 2.0], {"balanced": [0.5, 0.5]}, n_eval=2000)
    >>> [(r["s"], r["balance"]) for r in rows]
    [(0.0, 'balanced'), (2.0, 'balanced')]
    >>> rows[0]["truth"], rows[0]["se"]     # at s = 0 the input says nothing
    (0.0, 0.0)
    >>> bool(0 < rows[1]["truth"] < rows[1]["h"])
    True
    """
    grid = _grid(separations)
    table = _priors_table(priors)
    n_train = as_count(n_train, "n_train", minimum=2)
    n_eval = as_count(n_eval, "n_eval", minimum=2)
    lr = as_real(lr, "lr", positive=True)
    steps = as_count(steps, "steps", minimum=0)
    if not (isinstance(seeds, (tuple, list)) and len(seeds) == 2):
        raise TypeError(f"seeds must be a pair (training seed, held-out seed), got {seeds!r}")
    train_seed, eval_seed = (as_count(s, "seeds", minimum=0) for s in seeds)
    rows = []
    for balance, p in table.items():
        num_classes = len(p)
        h = float(-np.sum(p * np.log(p)))
        for s in grid:
            X, y = mi.gaussian_classes(num_classes, 2, s, p, n_train, seed=train_seed)
            X_ev, y_ev = mi.gaussian_classes(num_classes, 2, s, p, n_eval, seed=eval_seed)
            means = mi.class_means(num_classes, 2, s)
            log_post = log_softmax(mi.bayes_logits(X_ev, means, p))      # (M, C)
            truth = log_post[np.arange(n_eval), y_ev] - np.log(p)[y_ev]   # (M,)
            prior_hat = np.bincount(y, minlength=num_classes) / n_train
            if np.any(prior_hat == 0):
                raise ValueError(f"a class is missing from the {n_train} training points of "
                                 f"{balance!r} at s = {s:g}: draw more (n_train)")
            W, b = mi.fit_softmax_regression(X, y, num_classes=num_classes, lr=lr, steps=steps)
            W_pc, b_pc = mi.fit_softmax_regression(X, y, num_classes=num_classes, lr=lr,
                                                   steps=steps, logit_offset=np.log(prior_hat))
            rows.append({
                "s": float(s), "balance": balance,
                "truth": float(truth.mean()),
                "se": float(truth.std(ddof=1) / math.sqrt(n_eval)),
                "naive": mi.mi_estimate(X_ev @ W + b, y_ev),
                "pc": mi.mi_estimate(X_ev @ W_pc + b_pc, y_ev, prior_hat),
                "h": h})
    return rows


def training_points(priors, *, n_train=500, seed=1) -> list[dict]:
    """The training points of every balance as one table the chart moves with ``s``.

    :func:`helpers.mi.gaussian_classes` draws the labels first, then the
    noise, and adds the class means, which are ``s`` times fixed directions:
    at separation ``s`` the points are ``s * direction[label] + noise``, with
    the labels and the noise of ``s = 0``. The noise does not depend on the
    priors either (the labels take the same number of random draws whatever
    the priors), so one noise column pair serves every balance.

    Parameters
    ----------
    priors : dict
        ``{balance name: class priors}``.
    n_train : int, optional
        The number of training points.
    seed : int, optional
        The seed of the training sample.

    Returns
    -------
    list of dict
        One row per point, with keys ``n`` (its index), ``e0`` and ``e1``
        (its noise in the first two coordinates, rounded to nine decimals)
        and ``y_<balance>`` (its label under each balance).

    Examples
    --------
    >>> rows = training_points({"balanced": [0.5, 0.5], "skewed": [0.9, 0.1]}, n_train=3)
    >>> sorted(rows[0])
    ['e0', 'e1', 'n', 'y_balanced', 'y_skewed']
    """
    table = _priors_table(priors)
    n_train = as_count(n_train, "n_train", minimum=1)
    seed = as_count(seed, "seed", minimum=0)
    noise, labels = None, {}
    for balance, p in table.items():
        X, y = mi.gaussian_classes(len(p), 2, 0.0, p, n_train, seed=seed)
        if noise is None:
            noise = X
        elif not np.array_equal(X, noise):
            # NumPy's Generator.choice would have changed how it draws labels.
            raise RuntimeError("the noise of gaussian_classes depends on the priors; "
                               "store one noise table per balance")
        labels[balance] = y
    # Nine decimals: the page stays light, and its points are the sample's to 5e-10.
    return [{"n": n, "e0": round(float(noise[n, 0]), 9), "e1": round(float(noise[n, 1]), 9),
             **{f"y_{b}": int(labels[b][n]) for b in table}} for n in range(n_train)]


def _array(values) -> str:
    """A Vega expression array literal (numbers to full precision, or strings)."""
    return "[" + ", ".join(repr(v) if isinstance(v, str) else repr(float(v))
                           for v in values) + "]"


def separation_explorer(runs, points, priors, *, separation=1.0, balance=None,
                        extent=6.0) -> VegaExplorer:
    r"""The explorer: training points at separation ``s`` and the three informations.

    Parameters
    ----------
    runs : list of dict
        :func:`separation_runs` on an evenly spaced grid of separations
        (at least :data:`~helpers.explorer.vega.MIN_POSITIONS` of them), for
        every balance of ``priors``.
    points : list of dict
        :func:`training_points` for the same ``priors``.
    priors : dict
        ``{balance name: class priors}``; the radio buttons offer its keys.
    separation : float, optional
        The starting separation, on the grid.
    balance : str, optional
        The starting balance; by default the last of ``priors``.
    extent : float, optional
        The scatter shows ``[-extent, extent]`` in both coordinates.

    Returns
    -------
    VegaExplorer
        The chart, whose slider ``s`` and radio buttons ``balance`` pick one
        row of ``runs``; the left panel computes the points from ``points``.

    Examples
    --------
    >>> priors = {"balanced": [0.5, 0.5]}
    >>> grid = [k / 20 for k in range(41)]
    >>> runs = [{"s": s, "balance": "balanced", "truth": 0.0, "se": 0.0, "naive": 0.0,
    ...          "pc": 0.0, "h": 0.693} for s in grid]
    >>> ex = separation_explorer(runs, training_points(priors, n_train=5), priors)
    >>> ex.controls["s"].label, ex.choices
    ('separation s', ['balance'])
    """
    import altair as alt

    table = _priors_table(priors)
    names = list(table)
    balance = names[-1] if balance is None else balance
    if balance not in table:
        raise ValueError(f"balance must be one of {names}, got {balance!r}")
    num_classes = len(table[names[0]])
    if num_classes > len(PALETTE) - 1:
        raise ValueError(f"the explorer colours at most {len(PALETTE) - 1} classes, "
                         f"got {num_classes}")
    extent = as_real(extent, "extent", positive=True)
    keys = {"s", "balance", "truth", "se", "naive", "pc", "h"}
    if not isinstance(runs, list) or not runs or not all(
            isinstance(r, dict) and keys <= set(r) for r in runs):
        raise ValueError(f"runs must be the list of rows separation_runs returns, each with "
                         f"the keys {sorted(keys)}")
    grid = np.unique([r["s"] for r in runs])
    step = (grid[-1] - grid[0]) / max(len(grid) - 1, 1)
    if len(grid) < MIN_POSITIONS or not np.allclose(np.diff(grid), step, rtol=0, atol=1e-9):
        raise ValueError(f"runs must cover an evenly spaced grid of at least {MIN_POSITIONS} "
                         f"separations, got {len(grid)}")
    have = {(round((r["s"] - grid[0]) / step), r["balance"]) for r in runs}
    if have != {(i, b) for i in range(len(grid)) for b in names} or len(runs) != len(have):
        raise ValueError("runs must hold exactly one row per separation and balance of priors")
    if not isinstance(points, list) or not points or not all(
            {"n", "e0", "e1", *(f"y_{b}" for b in names)} <= set(p) for p in points):
        raise ValueError("points must be the rows training_points returns for these priors")
    separation = as_real(separation, "separation")
    if not grid[0] - 1e-9 <= separation <= grid[-1] + 1e-9:
        raise ValueError(f"separation must lie in [{grid[0]:g}, {grid[-1]:g}], "
                         f"got {separation!r}")

    s, s_control = slider("s", float(grid[0]), float(grid[-1]), separation,
                          "separation s", step=float(step), digits=2)
    # The priors themselves are written above the scatter, in the classes' colours.
    chosen = alt.param(name="balance", value=balance, bind=alt.binding_radio(
        options=names, name="class balance "))
    index = f"round((s - {float(grid[0])!r}) / {float(step)!r})"
    rows = [{**r, "i": int(round((r["s"] - grid[0]) / step))} for r in runs]
    datasets = {"runs": rows, "points": points}
    angles = np.pi / 2 + 2 * np.pi * np.arange(num_classes) / num_classes
    # The directions exactly as mi.class_means computes them, so s * direction is its mean.
    ux, uy = _array(np.cos(angles)), _array(np.sin(angles))
    colours = _array(PALETTE[:num_classes])
    px = dict(scale=None)

    # The layout, in pixels. On a wide page the scatter fills the left half and the bars
    # the right one, each at most 330 px wide, the whole centred; on a phone (narrower
    # than NARROW) the bars sit under the scatter, each as wide as the page, and the
    # chart's height follows. Each panel has a band of `top` px for its titles and
    # `below` px under it for its tick labels and names.
    narrow = f"(width < {NARROW})"
    top, below = 46, 40
    half = f"({narrow} ? width : min(0.5 * width, 330))"
    off = f"({narrow} ? 0 : max(0, 0.5 * width - 330))"
    side = (f"max(60, min({half} - 38, {narrow} ? 270 : {HEIGHT - top - below}))")
    left = f"{off} + 30 + ({half} - 30 - {side}) / 2"    # the square centred in its panel
    # The bars' panel: its left edge, its top (of its titles) and its plotting height.
    b_left = f"({off} + ({narrow} ? 0 : {half}))"
    b_top = f"({narrow} ? {side} + {top + below + 14} : 0)"
    b_side = f"({narrow} ? {_STACKED_BARS} : {side})"
    height = alt.param(name="height", expr=f"{narrow} ? {side} + "
                                           f"{2 * (top + below) + 14 + _STACKED_BARS} : {HEIGHT}")
    span = 2 * extent

    def sx(v: str) -> str:
        return f"{left} + ({v} + {extent!r}) / {span!r} * {side}"

    def sy(v: str) -> str:
        return f"{top} + ({extent!r} - ({v})) / {span!r} * {side}"

    # -- left: the training points, computed from their noise at this s --------------------
    pts = (alt.Chart(alt.NamedData("points"))
           .transform_calculate(k="datum['y_' + balance]")
           .transform_calculate(x0=f"s * {ux}[datum.k] + datum.e0",
                                x1=f"s * {uy}[datum.k] + datum.e1")
           .transform_filter(f"abs(datum.x0) <= {extent!r} && abs(datum.x1) <= {extent!r}")
           # Pixels to a tenth: the still's SVG stays small (500 points), the eye sees no step.
           .transform_calculate(px=f"round(10 * ({sx('datum.x0')})) / 10",
                                py=f"round(10 * ({sy('datum.x1')})) / 10",
                                colour=f"{colours}[datum.k]"))
    # size 16: a radius of exactly 2 px, a short SVG path. The points, the crosses and
    # the frame carry no screen-reader label each ("px: 155; py: 143.5"): the figure's
    # alt text describes them, and the still's SVG stays small.
    dots = pts.mark_circle(size=16, opacity=0.75, aria=False).encode(
        x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px), color=alt.Color("colour:N", scale=None))
    classes = alt.Chart(alt.Data(values=[{"k": k} for k in range(num_classes)]))
    centres = (classes.transform_calculate(m0=f"s * {ux}[datum.k]", m1=f"s * {uy}[datum.k]")
               .transform_calculate(px=sx("datum.m0"), py=sy("datum.m1"),
                                    colour=f"{colours}[datum.k]")
               .mark_point(shape="cross", filled=True, size=170, stroke="#ffffff",
                           strokeWidth=1, opacity=1, aria=False)
               .encode(x=alt.X("px:Q", **px), y=alt.Y("py:Q", **px),
                       fill=alt.Fill("colour:N", scale=None)))
    one = alt.Chart(alt.Data(values=[{"k": 0}]))
    frame = one.transform_calculate(
        x=sx(f"-{extent!r}"), x2=sx(f"{extent!r}"), y=sy(f"{extent!r}"),
        y2=sy(f"-{extent!r}")).mark_rect(fill=None, stroke=GREY, strokeWidth=1, aria=False).encode(
        x=alt.X("x:Q", **px), x2="x2:Q", y=alt.Y("y:Q", **px), y2="y2:Q")
    ticks = [t for t in (-5, 0, 5) if abs(t) < extent]
    tick_rows = alt.Chart(alt.Data(values=[{"t": t, "label": f"{t:d}".replace("-", "\u2212")}
                                           for t in ticks]))
    x_ticks = tick_rows.transform_calculate(
        x=sx("datum.t"), y=f"{top} + {side} + 4").mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), text="label:N")
    y_ticks = tick_rows.transform_calculate(
        x=f"{left} - 5", y=sy("datum.t")).mark_text(
        fontSize=12, align="right", baseline="middle").encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), text="label:N")
    axis_names = alt.Chart(alt.Data(values=[{"name": "x₀", "a": 0}, {"name": "x₁", "a": -90}]))
    axis_names = axis_names.transform_calculate(
        x=f"datum.a === 0 ? {left} + {side} / 2 : {left} - 22",
        y=f"datum.a === 0 ? {top} + {side} + 20 : {top} + {side} / 2").mark_text(
        fontSize=13, baseline=alt.ExprRef("datum.a === 0 ? 'top' : 'bottom'")).encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), text="name:N",
        angle=alt.Angle("a:Q", scale=None))
    left_title = one.transform_calculate(
        x=f"{left} + {side} / 2", text="'training points, s = ' + format(s, '.2f')").mark_text(
        fontSize=13, fontWeight="bold", baseline="top").encode(
        x=alt.X("x:Q", **px), y=alt.value(0), text="text:N")
    # The priors above the scatter: a dot in the class's colour, the number in the text's
    # own colour (a coloured number would be too faint on the light page).
    priors_row = classes.transform_calculate(
        x=f"{left} + (datum.k + 0.5) * {side} / {num_classes} - 20",
        p=f"{{{', '.join(f'{b!r}: {_array(table[b])}' for b in names)}}}[balance][datum.k]",
        colour=f"{colours}[datum.k]").transform_calculate(
        tx="datum.x + 8",
        text="'π' + ['₀', '₁', '₂', '₃', '₄', '₅', '₆'][datum.k] + ' ' + format(datum.p, '.2f')")
    prior_dots = priors_row.mark_circle(size=64, opacity=1, aria=False).encode(
        x=alt.X("x:Q", **px), y=alt.value(26), color=alt.Color("colour:N", scale=None))
    prior_text = priors_row.mark_text(fontSize=12, baseline="middle", align="left").encode(
        x=alt.X("tx:Q", **px), y=alt.value(26), text="text:N")

    # -- right: the truth (± 2 SE), the naive and the PC estimate, for this (s, balance) ----
    lo_v, hi_v = -0.1, max(1.25, math.log(num_classes) + 0.16)
    bl, br = f"{b_left} + 30", f"{b_left} + {half} - 30"

    def vy(v: str) -> str:
        return f"{b_top} + {top} + ({hi_v!r} - ({v})) / {hi_v - lo_v!r} * {b_side}"

    row = (alt.Chart(alt.NamedData("runs"))
           .transform_filter(f"datum.i === {index} && datum.balance === balance"))
    bars = (row.transform_fold(["truth", "naive", "pc"], as_=["estimate", "value"])
            .transform_calculate(
                j="indexof(['truth', 'naive', 'pc'], datum.estimate)",
                slot=f"({br} - ({bl})) / 3")
            .transform_calculate(
                x=f"{bl} + (datum.j + 0.18) * datum.slot",
                x2=f"{bl} + (datum.j + 0.82) * datum.slot",
                cx=f"{bl} + (datum.j + 0.5) * datum.slot",
                y=vy("datum.value"), y0=vy("0"),
                ty=vy("max(datum.value, 0)") + " - 3",
                err_lo=vy("datum.value - 2 * datum.se"), err_hi=vy("datum.value + 2 * datum.se"),
                shown="replace(format(datum.value, '.3f'), '-', '−')",
                colour=f"{_array(BAR_COLOURS)}[datum.j]",
                # The truth's two standard errors under its name: the whisker is often
                # shorter than a pixel.
                name="datum.j === 0 ? ['truth', '± ' + format(2 * datum.se, '.3f')] "
                     ": ['naive', 'PC'][datum.j - 1]",
                under=f"{b_top} + {top} + {b_side} + 4"))
    bar_marks = bars.mark_rect().encode(
        x=alt.X("x:Q", **px), x2="x2:Q", y=alt.Y("y:Q", **px), y2="y0:Q",
        color=alt.Color("colour:N", scale=None))
    whisker = bars.transform_filter("datum.j === 0").transform_calculate(
        w0="datum.cx - 6", w1="datum.cx + 6")
    err = whisker.mark_rule(strokeWidth=2, color=GREY).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("err_lo:Q", **px), y2="err_hi:Q")
    caps = (whisker.transform_fold(["err_lo", "err_hi"], as_=["end", "at"])
            .mark_rule(strokeWidth=2, color=GREY).encode(
                x=alt.X("w0:Q", **px), x2="w1:Q", y=alt.Y("at:Q", **px)))
    values = bars.mark_text(fontSize=12, baseline="bottom").encode(
        x=alt.X("cx:Q", **px), y=alt.Y("ty:Q", **px), text="shown:N")
    bar_names = bars.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("cx:Q", **px), y=alt.Y("under:Q", **px), text="name:N")
    # The ceilings: log C (dotted) and the label entropy H(Y) (dashed), named at the right.
    log_c = repr(math.log(num_classes))
    lines = (row.transform_calculate(levels=f"[{log_c}, datum.h]")
             .transform_flatten(["levels"], as_=["level"])
             .transform_window(which="row_number()")
             .transform_calculate(
                 y=vy("datum.level"), x0=bl, x1=br, tx=f"{br} + 4",
                 dash="datum.which === 1 ? 'dotted' : 'dashed'",
                 # log C above its line, H(Y) below its own, so they never collide
                 label=f"datum.which === 1 ? 'log {num_classes}' : 'H(Y)'",
                 ty=f"datum.which === 1 ? {vy('datum.level')} - 2 : {vy('datum.level')} + 2",
                 base="datum.which === 1 ? 'bottom' : 'top'"))
    rules = lines.mark_rule(color=GREY, strokeWidth=1.5).encode(
        x=alt.X("x0:Q", **px), x2="x1:Q", y=alt.Y("y:Q", **px),
        strokeDash=alt.StrokeDash("dash:N", scale=alt.Scale(
            domain=["dotted", "dashed"], range=[[2, 3], [6, 4]]), legend=None))
    line_names = lines.mark_text(fontSize=12, align="left",
                                 baseline=alt.ExprRef("datum.base")).encode(
        x=alt.X("tx:Q", **px), y=alt.Y("ty:Q", **px), text="label:N")
    zero = one.transform_calculate(x0=bl, x1=br, y=vy("0")).mark_rule(color=GREY).encode(
        x=alt.X("x0:Q", **px), x2="x1:Q", y=alt.Y("y:Q", **px))
    levels = alt.Chart(alt.Data(values=[{"v": v} for v in (0.0, 0.5, 1.0)]))
    v_ticks = levels.transform_calculate(
        x=f"{bl} - 5", y=vy("datum.v"), text="format(datum.v, '.1f')").mark_text(
        fontSize=12, align="right", baseline="middle").encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), text="text:N")
    right_title = row.transform_calculate(
        x=f"({bl} + {br}) / 2", title="'I(X; Y) in nats'",
        sub="'H(Y) = ' + format(datum.h, '.3f')", y=b_top, y2=f"{b_top} + 19")
    right_head = right_title.mark_text(fontSize=13, fontWeight="bold", baseline="top").encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), text="title:N")
    right_sub = right_title.mark_text(fontSize=12, baseline="top").encode(
        x=alt.X("x:Q", **px), y=alt.Y("y2:Q", **px), text="sub:N")

    chart = ((frame + dots + centres + x_ticks + y_ticks + axis_names + left_title
              + prior_dots + prior_text + zero + rules + bar_marks + err + caps + values
              + bar_names + line_names + v_ticks + right_head + right_sub)
             .add_params(s, chosen, height)
             .properties(width="container", height=HEIGHT, datasets=datasets)
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"s": s_control},
        alt="Left, a scatter plot of the training points of three classes, in three "
            "colours, with a cross at each class mean. Right, three bars: the true mutual "
            "information, the naive estimate and the PC estimate, with a dotted line at "
            f"log {num_classes} and a dashed one at the label entropy H(Y).",
        name="mi-separation")
