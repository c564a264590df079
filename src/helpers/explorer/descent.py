r"""Chapter 7's explorer: softmax regression trained by gradient descent in the browser.

:func:`descent` returns a :class:`~helpers.explorer.vega.VegaExplorer` that
trains softmax regression on three clouds of points in the plane
(:func:`helpers.training.make_blobs3`) by full-batch gradient descent, with
the learning rate :math:`\eta` and the L2 strength :math:`\lambda` on
sliders, and shows the decision regions and the training loss after the
chosen number of steps.

The training runs in the chart's own dataflow, one step after another: a Vega
dataflow has no loops, so the descent is unrolled, a few transforms per step
over one row per training point (the logits, the softmax, the summands of the
gradient, one ``joinaggregate`` for the sums and one ``calculate`` for the new
parameters). Moving :math:`\eta` or :math:`\lambda` runs all the steps again;
moving the step slider only picks another row of the run. The run starts from
the same weights as :func:`helpers.training.train` with the same seed and
makes the same updates, so ``train`` on the same sample is its reference:

* the weights :math:`W` (D, C) and biases :math:`b` (C,) start at
  ``init_scale * rng.normal(size=(D, C))`` and 0;
* each step is :math:`W \leftarrow W - \eta (X^\top (P - Y) / N + \lambda W)`,
  :math:`b \leftarrow b - \eta\, \mathbf 1^\top (P - Y) / N` (the biases are not
  penalised);
* the loss after k steps is the mean cross-entropy plus
  :math:`\tfrac{\lambda}{2} \lVert W \rVert^2`, with a log-sum-exp softmax.

The cost of a move of :math:`\eta` or :math:`\lambda` grows with the number
of steps (and, more slowly, of points), so the sample is small (20 points per
class by default, :func:`training_set`) and the run is 60 steps long: in
headless Chromium a move of :math:`\eta` then takes about 10 ms of the main
thread, against about 15 ms for 100 steps.
Each row keeps a few fields only: the parameters of every step are chained
(each parameter array holds a reference to the one before), and the history
is read back from that chain at the end.
"""

from __future__ import annotations

import math

import numpy as np

from .. import training
from ..plotting import PALETTE
from .vega import VegaExplorer, slider

__all__ = ["descent", "training_set", "HEIGHT", "LIMITS", "LOSS_TOP"]

#: The chart's height in pixels.
HEIGHT = 300
#: The part of the plane the decision regions show: x0 and x1 from -5 to 5.
LIMITS = (-5.0, 5.0)
#: The top of the loss axis; a larger loss is drawn at the top and reported in words.
LOSS_TOP = 1.6
#: Below this slider position the penalty is exactly 0 (the slider reads 0.000 there).
_FLAT = "log10_reg <= {lo} + 0.5 * {step}"
#: Okabe–Ito vermillion, for a loss that has left the chart.
ALERT = PALETTE[3]
#: A grey that reads on the light and on the dark page.
GREY = "#8a8a8a"
_SHAPES = ("circle", "square", "triangle-up")


def training_set(n_per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The explorer's training sample: ``make_blobs3(n_per_class, seed=seed)``.

    Examples
    --------
    >>> X, labels = training_set()
    >>> X.shape, np.bincount(labels).tolist()
    ((60, 2), [20, 20, 20])
    """
    return training.make_blobs3(n_per_class, seed=seed)


def _num(value: float) -> str:
    """A float as a Vega expression literal, to full precision."""
    return repr(float(value))


def _array(values) -> str:
    """A Vega array literal of numbers or quoted strings (colours, shapes)."""
    return "[" + ", ".join(repr(v) if isinstance(v, str) else _num(v) for v in values) + "]"


def _list(exprs) -> str:
    """A Vega array of expressions."""
    return "[" + ", ".join(exprs) + "]"


def descent(lr: float = 0.1, reg: float = 0.01, steps: int = 60, *, n_per_class: int = 20,
            max_steps: int = 60, seed: int = 0, init_scale: float = 0.01,
            lr_range: tuple[float, float] = (0.01, 2.0), min_reg: float = 1e-4,
            max_reg: float = 1.0) -> VegaExplorer:
    r"""Chapter 7: decision regions and loss of softmax regression after k steps of descent.

    Three sliders: the learning rate :math:`\eta` (logarithmic, from
    ``lr_range[0]`` to ``lr_range[1]``), the penalty :math:`\lambda`
    (logarithmic from ``min_reg`` to ``max_reg``, and exactly 0 at its left
    end) and the number of steps, 0 to ``max_steps``. The left panel shows
    the decision regions after the chosen step, the square
    :data:`LIMITS` × :data:`LIMITS` divided exactly into the convex polygons
    where each class has the largest logit, with the training points on top
    and the training accuracy above; the right panel draws the regularised
    training loss against the step, for the whole run in grey and up to the
    chosen step in colour, with a dotted line at :math:`\log 3`, the loss of
    the untrained model, and says from which step a loss above
    :data:`LOSS_TOP` has left the chart.

    The penalty's slider shows three decimals, so it reads 0.000 at its left
    end, where the penalty is 0, and also for the smallest positive penalties,
    below 0.0005.

    Parameters
    ----------
    lr, reg : float
        The starting learning rate and penalty (each is moved to the nearest
        position of its slider; ``reg=0`` is the left end).
    steps : int
        The starting number of steps, in ``[0, max_steps]``.
    n_per_class, seed : int
        The training sample, :func:`training_set` ``(n_per_class, seed)``, at
        least 13 points per class (the regions' polygons borrow 39 rows);
        ``seed`` also seeds the initial weights, as in
        :func:`helpers.training.train`.
    max_steps : int
        The length of the run; at least 40, so that the step slider has 41
        positions.
    init_scale : float
        The standard deviation of the initial weights, as in ``train``.
    lr_range : (float, float)
        The smallest and the largest learning rate.
    min_reg, max_reg : float
        The smallest positive and the largest penalty.

    Returns
    -------
    VegaExplorer
        Its sliders are ``log10_lr`` (the reader sees :math:`\eta = 10^{x}`),
        ``log10_reg`` (:math:`\lambda = 10^{x}`, or 0 at the left end) and
        ``steps``.

    Examples
    --------
    >>> ex = descent()
    >>> sorted(ex.controls)
    ['log10_lr', 'log10_reg', 'steps']
    >>> ex.controls["log10_lr"].text(math.log10(2.0))
    '2.000'
    """
    alt = _alt()
    for name, value in (("n_per_class", n_per_class), ("max_steps", max_steps),
                        ("steps", steps), ("seed", seed)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if n_per_class < CANDIDATES:
        # The decision regions' polygons borrow 3 * CANDIDATES rows of the training set.
        raise ValueError(f"n_per_class must be at least {CANDIDATES}, got {n_per_class}")
    if max_steps < 40:
        raise ValueError(f"max_steps must be at least 40 (41 positions), got {max_steps}")
    if not 0 <= steps <= max_steps:
        raise ValueError(f"steps must lie in [0, {max_steps}], got {steps}")
    lo_lr, hi_lr = (float(v) for v in lr_range)
    if not 0 < lo_lr < hi_lr:
        raise ValueError(f"lr_range must be (low, high) with 0 < low < high, got {lr_range!r}")
    if not lo_lr <= lr <= hi_lr:
        raise ValueError(f"lr must lie in [{lo_lr:g}, {hi_lr:g}], got {lr!r}")
    if not 0 < min_reg < max_reg:
        raise ValueError(f"min_reg and max_reg must satisfy 0 < min_reg < max_reg, "
                         f"got {min_reg!r} and {max_reg!r}")
    if not (reg == 0 or min_reg <= reg <= max_reg):
        raise ValueError(f"reg must be 0 or lie in [{min_reg:g}, {max_reg:g}], got {reg!r}")

    X, labels = training_set(n_per_class, seed)
    N, (D, C) = len(X), (2, 3)
    # The first weights of helpers.training.train, drawn by train itself.
    start = training.train(X, labels, lr=1.0, steps=0, seed=seed, init_scale=init_scale)
    w0 = [*start.W[0].ravel(), *start.b[0]]                     # W row by row, then b
    Y = np.eye(C)[labels]                                       # (N, C)
    xty = (X.T @ Y).ravel()                                     # (D * C,), as W.ravel()
    counts = Y.sum(axis=0)                                      # (C,)
    sums_x = X.sum(axis=0)                                      # (D,)

    # The sliders: logarithmic rates and penalties, snapped to their grids.
    l_lo, l_hi = math.log10(lo_lr), math.log10(hi_lr)
    l_step = (l_hi - l_lo) / 400
    lr_value = l_lo + round((math.log10(lr) - l_lo) / l_step) * l_step
    lr_p, lr_c = slider("log10_lr", l_lo, l_hi, min(lr_value, l_hi), "learning rate η",
                        digits=3, power=10, step=l_step)
    r_lo, r_hi = math.log10(min_reg), math.log10(max_reg)
    r_step = (r_hi - r_lo) / 400
    reg_value = (r_lo if reg == 0 else
                 r_lo + max(1, round((math.log10(reg) - r_lo) / r_step)) * r_step)
    reg_p, reg_c = slider("log10_reg", r_lo, r_hi, min(reg_value, r_hi), "penalty λ",
                          digits=3, power=10, step=r_step)
    step_p, step_c = slider("steps", 0, max_steps, steps, "steps", step=1, digits=0)
    flat = _FLAT.format(lo=_num(r_lo), step=_num(r_step))
    # The update in two signals: W <- decay W - rate (X^T P - X^T Y), b <- b - rate (1^T P - n).
    signals = [alt.param(name="lr", expr="pow(10, log10_lr)"),
               alt.param(name="reg", expr=f"{flat} ? 0 : pow(10, log10_reg)"),
               alt.param(name="decay", expr="1 - lr * reg"),
               alt.param(name="rate", expr=f"lr / {N}")]

    rows = [{"n": n, "x0": float(x[0]), "x1": float(x[1]), "label": int(y)}
            for n, (x, y) in enumerate(zip(X, labels))]

    # The run: one field w = [W row by row, b, the data loss before this step, the
    # previous w], rewritten at every step, so that each row keeps few fields. The first
    # value names the signals, so that Vega starts it again whenever the run changes.
    transforms = [_calc("w", "isValid(decay) && isValid(rate) ? "
                             + _list([*map(_num, w0), "0", "null"]) + " : null"),
                  # Vega's joinaggregate sums afresh only if a field it reads has changed,
                  # and it does not see q[i] change with q: every sum groups by `run`,
                  # one value that changes, in Vega's eyes, with every run.
                  _calc("run", "isValid(datum.w) ? 0 : 0")]
    for k in range(max_steps + 1):
        transforms += _loss_terms("datum.w")
        if k < max_steps:
            transforms.append(alt.JoinAggregateTransform(joinaggregate=[
                alt.JoinAggregateFieldDef(op="sum", field=f"q[{i}]", **{"as": f"s{i}"})
                for i in range(7)], groupby=["run"]))
            transforms.append(_calc("w", _update("datum.w", xty, counts, sums_x, N)))
        else:
            transforms.append(alt.JoinAggregateTransform(joinaggregate=[
                alt.JoinAggregateFieldDef(op="sum", field="q[6]", **{"as": "s6"})],
                groupby=["run"]))
    # The history, read back on the first row only: every STRIDE steps from the end a
    # reference (back), and from those each step's parameters and mean data loss.
    back = [f"datum.w{'[10]' * (STRIDE * j)}" for j in range(-(-max_steps // STRIDE) + 1)]

    def params_after(k: int) -> str:
        """The parameters after k steps: back from the reference at or after step k."""
        j, walk = divmod(max_steps - k, STRIDE)
        return f"datum.back[{j}]" + "[10]" * walk

    history = ", ".join(f"{{step: {k}, w: {params_after(k)}, data: {params_after(k + 1)}[9] "
                        f"/ {N}}}" for k in range(max_steps))
    history += f", {{step: {max_steps}, w: datum.w, data: datum.s6 / {N}}}"
    transforms.append(_calc("back", f"datum.n === 0 ? {_list(back)} : null"))
    penalty = " + ".join(f"datum.w[{i}] * datum.w[{i}]" for i in range(D * C))
    # Only the first row keeps the history; the branches below start from an aggregate
    # whose rows hold only the point and the history, so that Vega's copies stay small.
    transforms += [_calc("history", f"datum.n === 0 ? [{history}] : null"),
                   alt.AggregateTransform(
                       groupby=["n", "x0", "x1", "label"],
                       aggregate=[alt.AggregatedFieldDef(op="max", field="history",
                                                         **{"as": "history"})])]
    by_step = [alt.FilterTransform(filter="datum.n === 0"),
               alt.FlattenTransform(flatten=["history"]),
               _calc("step", "datum.history.step"),
               _calc("w", "datum.history.w"),
               _calc("loss", f"datum.history.data + 0.5 * reg * ({penalty})"),
               _calc("shown", f"min(datum.loss, {LOSS_TOP})")]
    # The training points keep their rows: the parameters after the chosen step.
    at_step = [alt.JoinAggregateTransform(joinaggregate=[
                   alt.JoinAggregateFieldDef(op="max", field="history", **{"as": "record"})]),
               _calc("wk", "datum.record[steps].w")]

    layout = _Layout()
    loss_chart = _loss_panel(alt, layout, max_steps, math.log(C))
    plane_chart = _plane_panel(alt, layout, N)
    chart = (alt.layer(alt.layer(*plane_chart, transform=at_step),
                       alt.layer(*loss_chart, transform=by_step),
                       data=alt.Data(values=rows))
             .properties(transform=transforms, width="container", height=HEIGHT)
             .add_params(lr_p, reg_p, step_p, *signals)
             .configure_view(stroke=None))
    return VegaExplorer(
        chart, {"log10_lr": lr_c, "log10_reg": reg_c, "steps": step_c},
        alt="Left, the training points of three classes over the decision regions of "
            "softmax regression after the chosen number of steps of gradient descent. Right, "
            "the training loss against the step, in grey for the whole run and in blue up to "
            "the chosen step, with a dotted line at log 3.",
        name="descent")


def _loss_panel(alt, layout, max_steps: int, log_c: float) -> list:
    """The loss against the step: the run in grey, up to the chosen step in blue."""
    px = dict(scale=None)
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, max_steps], range=layout.loss_x, nice=False),
              axis=alt.Axis(title="step", grid=False, tickCount=5))
    y = alt.Y("shown:Q", scale=alt.Scale(domain=[0, LOSS_TOP], range=layout.loss_y, nice=False),
              axis=alt.Axis(title="training loss", grid=False, values=[0, 0.5, 1, 1.5],
                            offset=alt.ExprRef(f"-{layout.loss_left}")))
    whole = alt.Chart().mark_line(color=GREY, strokeWidth=1.2, aria=False).encode(x=x, y=y)
    so_far = (alt.Chart().transform_filter("datum.step <= steps")
              .mark_line(color=PALETTE[0], strokeWidth=2.2, aria=False).encode(x=x, y=y))
    here = (alt.Chart().transform_filter("datum.step === steps")
            .mark_point(filled=True, size=45, color=PALETTE[0], opacity=1, aria=False)
            .encode(x=x, y=y))
    level = (alt.Chart().transform_filter("datum.step === 0")
             .transform_calculate(level=_num(log_c), x1=layout.loss_left, x2=layout.loss_right))
    y_level = alt.Y("level:Q", scale=alt.Scale(domain=[0, LOSS_TOP], range=layout.loss_y,
                                               nice=False))
    level_line = level.mark_rule(color=GREY, strokeDash=[2, 3], strokeWidth=1, aria=False).encode(
        x=alt.X("x1:Q", **px), x2="x2:Q", y=y_level)
    level_name = level.mark_text(align="right", baseline="bottom", dy=-2, fontSize=12,
                                 aria=False).encode(
        x=alt.X("x2:Q", **px), y=y_level, text=alt.value("log 3"))
    # The chosen step's loss in words, and where the loss left the chart if it did.
    chosen = (alt.Chart()
              .transform_calculate(off=f"datum.loss > {LOSS_TOP} || !isFinite(datum.loss) "
                                       "? datum.step : 1e9")
              .transform_filter("datum.step <= steps")
              .transform_joinaggregate(first_off="min(off)")
              .transform_filter("datum.step === steps")
              .transform_calculate(
                  head="'loss ' + (isFinite(datum.loss) "
                       "? format(datum.loss, '.3~g') : datum.loss)",
                  note="datum.first_off < 1e9 ? 'off the chart from step ' + datum.first_off "
                       ": ''",
                  cx=layout.loss_centre))
    head = chosen.mark_text(fontSize=13, fontWeight="bold", baseline="top", aria=False).encode(
        x=alt.X("cx:Q", **px), y=alt.value(0), text="head:N")
    note = chosen.mark_text(fontSize=12, baseline="top", color=ALERT, aria=False).encode(
        x=alt.X("cx:Q", **px), y=alt.value(18), text="note:N")
    return [whole, level_line, level_name, so_far, here, head, note]


#: The candidate corners of a decision region, per class: the 4 corners of the square,
#: where each of the class's 2 boundary lines crosses the 4 sides, and where they meet.
CANDIDATES = 13
#: The history is read back from references this many steps apart.
STRIDE = 10


def _plane_panel(alt, layout, num_examples: int) -> list:
    """The decision regions after the chosen step, as exact polygons, and the points."""
    lo, hi = (_num(v) for v in LIMITS)
    px = dict(scale=None)

    def to_pixels(u: str, v: str) -> dict[str, str]:
        return {"x": f"{layout.plane_left} + ({u} - {lo}) / ({hi} - {lo}) * {layout.side}",
                "y": f"{layout.plane_bottom} - ({v} - {lo}) / ({hi} - {lo}) * {layout.side}"}

    points = (alt.Chart()
              .transform_calculate(predicted=_argmax("datum.x0", "datum.x1", "datum.wk"))
              .transform_calculate(correct="datum.predicted === datum.label ? 1 : 0",
                                   fill=f"{_array(PALETTE[:3])}[datum.label]",
                                   shape=f"{_array(_SHAPES)}[datum.label]",
                                   **to_pixels("datum.x0", "datum.x1"))
              .transform_joinaggregate(accuracy="mean(correct)"))
    dots = points.mark_point(filled=True, size=44, opacity=1, stroke="white", strokeWidth=0.7,
                             aria=False).encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), fill=alt.Fill("fill:N", scale=None),
        shape=alt.Shape("shape:N", scale=None))
    # The panel's title sits just above the square, which is as low as the loss axis.
    heads = (points.transform_filter("datum.n === 0")
             .transform_calculate(
                 head="'after ' + steps + (steps === 1 ? ' step' : ' steps')",
                 sub="'training accuracy ' + format(datum.accuracy, '.0%')",
                 cx=f"{layout.plane_left} + {layout.side} / 2",
                 hy=f"{layout.plane_bottom} - {layout.side} - 40",
                 sy=f"{layout.plane_bottom} - {layout.side} - 22"))
    head = heads.mark_text(fontSize=13, fontWeight="bold", baseline="top", aria=False).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("hy:Q", **px), text="head:N")
    sub = heads.mark_text(fontSize=12, baseline="top", aria=False).encode(
        x=alt.X("cx:Q", **px), y=alt.Y("sy:Q", **px), text="sub:N")

    # Region c is where z_c - z_j >= 0 for both other classes j: the square cut by two
    # half-planes, a convex polygon whose corners are among 13 candidates. Rows 0..38 of
    # the training set each hold one candidate; the valid ones, sorted by their angle
    # around the region's centre, are the polygon.
    d = [f"datum.wk[{r} + datum.c] - datum.wk[{r} + datum.{j}]"
         for j in ("j1", "j2") for r in (0, 3, 6)]
    corner_u = f"[{lo}, {hi}, {hi}, {lo}][datum.i]"
    corner_v = f"[{lo}, {lo}, {hi}, {hi}][datum.i]"
    # On line L (a u + b v + g = 0): u = lo or hi for k = 0, 1; v = lo or hi for k = 2, 3.
    side_value = f"((datum.i - 4) % 2 === 0 ? {lo} : {hi})"
    line = "(datum.i < 8 ? datum.d1 : datum.d2)"
    on_u = "(datum.i - 4) % 4 < 2"
    edge_u = f"{on_u} ? {side_value} : -({line}[1] * {side_value} + {line}[2]) / {line}[0]"
    edge_v = f"{on_u} ? -({line}[0] * {side_value} + {line}[2]) / {line}[1] : {side_value}"
    det = "(datum.d1[0] * datum.d2[1] - datum.d2[0] * datum.d1[1])"
    meet_u = f"(datum.d2[2] * datum.d1[1] - datum.d1[2] * datum.d2[1]) / {det}"
    meet_v = f"(datum.d2[0] * datum.d1[2] - datum.d1[0] * datum.d2[2]) / {det}"

    def slack(dl: str) -> str:
        """How far below 0 a value of the line's left side may fall, for rounding."""
        return f"1e-9 * (abs({dl}[0]) * 5 + abs({dl}[1]) * 5 + abs({dl}[2]) + 1e-300)"

    def holds(dl: str) -> str:
        return f"{dl}[0] * datum.u + {dl}[1] * datum.v + {dl}[2] >= -{slack(dl)}"

    inside = " && ".join([f"datum.u >= {lo} - 1e-9", f"datum.u <= {hi} + 1e-9",
                          f"datum.v >= {lo} - 1e-9", f"datum.v <= {hi} + 1e-9"])
    regions = (alt.Chart()
               .transform_filter(f"datum.n < {3 * CANDIDATES}")
               .transform_calculate(c=f"floor(datum.n / {CANDIDATES})",
                                    i=f"datum.n % {CANDIDATES}")
               .transform_calculate(j1="(datum.c + 1) % 3", j2="(datum.c + 2) % 3")
               .transform_calculate(d1=_list(d[:3]), d2=_list(d[3:]))
               .transform_calculate(
                   u=f"datum.i < 4 ? {corner_u} : datum.i < 12 ? {edge_u} : {meet_u}",
                   v=f"datum.i < 4 ? {corner_v} : datum.i < 12 ? {edge_v} : {meet_v}")
               .transform_filter(f"isFinite(datum.u) && isFinite(datum.v) && {inside} "
                                 f"&& {holds('datum.d1')} && {holds('datum.d2')}")
               .transform_calculate(u=f"clamp(datum.u, {lo}, {hi})",
                                    v=f"clamp(datum.v, {lo}, {hi})")
               .transform_joinaggregate(mu="mean(u)", mv="mean(v)", groupby=["c"])
               .transform_calculate(angle="atan2(datum.v - datum.mv, datum.u - datum.mu)",
                                    fill=f"{_array(PALETTE[:3])}[datum.c]",
                                    **to_pixels("datum.u", "datum.v")))
    polygons = regions.mark_line(interpolate="linear-closed", fillOpacity=0.3, stroke=GREY,
                                 strokeWidth=1, aria=False).encode(
        x=alt.X("x:Q", **px), y=alt.Y("y:Q", **px), order="angle:Q", detail="c:N",
        fill=alt.Fill("fill:N", scale=None))
    return [polygons, dots, head, sub]


class _Layout:
    """Pixel expressions of the two panels: the plane on the left, the loss on the right."""

    def __init__(self):
        # Each panel at most 320 px wide, and the whole centred on a wide page.
        half, off = "min(0.5 * width, 320)", "max(0, 0.5 * width - 320)"
        top = 40
        self.side = f"min({half} - 14, height - {top})"
        self.plane_left = f"({off} + ({half} - 14 - {self.side}) / 2)"
        self.plane_bottom = "height"
        self.loss_left = f"({off} + {half} + 44)"
        self.loss_right = f"({off} + 2 * {half} - 6)"
        self.loss_centre = f"({self.loss_left} + {self.loss_right}) / 2"
        self.loss_x = [alt_expr(self.loss_left), alt_expr(self.loss_right)]
        self.loss_y = [alt_expr("height"), alt_expr(str(top + 8))]


def alt_expr(expr: str):
    return _alt().ExprRef(expr)


def _alt():
    import altair as alt

    return alt


def _calc(name: str, expr: str):
    alt = _alt()
    return alt.CalculateTransform(calculate=expr, **{"as": name})


def _logits(x0: str, x1: str, w: str) -> list[str]:
    """The three logits of the point (x0, x1) under the parameter array w (W row by row, b)."""
    return [f"{x0} * {w}[{c}] + {x1} * {w}[{3 + c}] + {w}[{6 + c}]" for c in range(3)]


def _argmax(x0: str, x1: str, w: str) -> str:
    """The predicted class: the first largest logit, as np.argmax takes it."""
    z0, z1, z2 = (f"({z})" for z in _logits(x0, x1, w))
    return f"({z0} >= {z1} && {z0} >= {z2} ? 0 : {z1} >= {z2} ? 1 : 2)"


def _loss_terms(w: str) -> list:
    """The transforms that give every point its summands of the loss and the gradient.

    ``q`` = [p0, p1, x0 p0, x0 p1, x1 p0, x1 p1, -log p_y], from the logits ``z``
    and the shifted exponentials ``e`` = [exp(z_c - max z), max z - z_y].
    """
    z = _logits("datum.x0", "datum.x1", w)
    m = "max(datum.z[0], datum.z[1], datum.z[2])"
    e = [f"exp(datum.z[{c}] - {m})" for c in range(3)] + [f"{m} - datum.z[datum.label]"]
    total = "(datum.e[0] + datum.e[1] + datum.e[2])"
    q = [f"datum.e[0] / {total}", f"datum.e[1] / {total}",
         f"datum.x0 * datum.e[0] / {total}", f"datum.x0 * datum.e[1] / {total}",
         f"datum.x1 * datum.e[0] / {total}", f"datum.x1 * datum.e[1] / {total}",
         f"datum.e[3] + log({total})"]
    return [_calc("z", _list(z)), _calc("e", _list(e)), _calc("q", _list(q))]


def _update(w: str, xty, counts, sums_x, num_examples: int) -> str:
    """The parameters after one step, (entry 9) the data loss before it, and the old ones.

    The sums s0..s6 are those of :func:`_loss_terms`; the class-2 sums follow from
    p0 + p1 + p2 = 1.
    """
    s = [f"datum.s{i}" for i in range(7)]
    # sum_n x_d p_c for d = 0, 1 and c = 0, 1, 2 (W.ravel() order), then sum_n p_c.
    xp = [s[2], s[3], f"({_num(sums_x[0])} - {s[2]} - {s[3]})",
          s[4], s[5], f"({_num(sums_x[1])} - {s[4]} - {s[5]})"]
    p = [s[0], s[1], f"({num_examples} - {s[0]} - {s[1]})"]
    new = [f"decay * {w}[{i}] - rate * ({xp[i]} - {_num(xty[i])})" for i in range(6)]
    new += [f"{w}[{6 + c}] - rate * ({p[c]} - {_num(counts[c])})" for c in range(3)]
    return _list(new + [s[6], w])
