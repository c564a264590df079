"""Plots for the book, drawn only on the axes they are given.

Every function has the shape ``plot_thing(..., ax=None, **options) -> Axes``.
With ``ax=None`` a new figure is made; the current axes are never touched.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

__all__ = ["PALETTE", "MARKERS", "new_axes", "plot_probs", "plot_classes",
           "plot_decision_regions", "plot_loss", "plot_accuracy"]

#: Colours that stay apart for readers with colour-vision deficiencies
#: (Okabe and Ito's palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

#: One marker per class, so that classes differ in shape as well as colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Line styles for curves that share an axes: they differ without colour too.
LINESTYLES = ("-", "--", ":", "-.")


def new_axes(figsize: tuple[float, float] = (6.0, 3.2)) -> Axes:
    """A fresh Axes on a new figure."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_probs(
    probs: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    highlight: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    annotate: bool = True,
    **options,
) -> Axes:
    """Draw class probabilities as a bar chart on a fixed 0-1 scale.

    Parameters
    ----------
    probs : sequence of float
        One probability per class.
    labels : sequence of str, optional
        Class names; defaults to ``class 0``, ``class 1``, ...
    highlight : int, optional
        Index of a class to outline (the true class, say).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Axes title.
    annotate : bool
        Write each probability above its bar.
    **options
        Passed to :meth:`Axes.bar`.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> ax = plot_probs([0.1, 0.2, 0.7], ax=ax)
    >>> [round(float(p.get_height()), 1) for p in ax.patches]
    [0.1, 0.2, 0.7]
    """
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 1:
        raise ValueError(f"probs must be one-dimensional, got shape {probs.shape}")
    ax = new_axes() if ax is None else ax
    num_classes = probs.size
    labels = [f"class {k}" for k in range(num_classes)] if labels is None else list(labels)
    if len(labels) != num_classes:
        raise ValueError(f"labels must have {num_classes} entries, got {len(labels)}")
    colours = [PALETTE[k % len(PALETTE)] for k in range(num_classes)]
    bars = ax.bar(np.arange(num_classes), probs, color=options.pop("color", colours), **options)
    if highlight is not None:
        bars[highlight].set_edgecolor("black")
        bars[highlight].set_linewidth(2.5)
    if annotate:
        for k, p in enumerate(probs):
            ax.text(k, min(p, 1.0) + 0.02, f"{p:.3f}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(np.arange(num_classes), labels)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    if title:
        ax.set_title(title)
    return ax


def _curve(values, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {values.shape}")
    return values


def plot_loss(
    loss: Sequence[float],
    *,
    num_classes: int | None = None,
    ylim: tuple[float, float] | None = None,
    title: str | None = "loss",
    ax: Axes | None = None,
    **options,
) -> Axes:
    """Draw a training loss against the step.

    Parameters
    ----------
    loss : sequence of float
        The loss after each step, starting with step 0.
    num_classes : int, optional
        Draw a dotted line at ``log(num_classes)``, the loss of a uniform
        guess, labelled at the last step.
    ylim : tuple of float, optional
        The range of the loss axis; matplotlib's choice when omitted.
    title : str or None
        Axes title; None for none.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    **options
        Passed to :meth:`Axes.plot` for the loss curve (default colour:
        the first of :data:`PALETTE`).

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = plot_loss([1.1, 0.7, 0.5], num_classes=3, ax=Figure().subplots())
    >>> ax.lines[0].get_ydata().tolist(), ax.texts[0].get_text()
    ([1.1, 0.7, 0.5], 'log 3')
    """
    loss = _curve(loss, "loss")
    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
            raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
        if num_classes < 2:
            raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    ax = new_axes() if ax is None else ax
    if "c" not in options:
        options.setdefault("color", PALETTE[0])
    ax.plot(loss, **options)
    if num_classes is not None:
        chance = np.log(num_classes)
        ax.axhline(chance, color="0.5", ls=":", lw=1)
        ax.text(loss.size - 1, chance, f"log {num_classes}", ha="right", va="bottom",
                fontsize=8)
    ax.set(xlabel="step", ylabel="loss")
    if ylim is not None:
        ax.set_ylim(ylim)
    if title:
        ax.set_title(title)
    return ax


def plot_accuracy(
    curves: Mapping[str, Sequence[float]],
    *,
    ylim: tuple[float, float] | None = None,
    title: str | None = "accuracy",
    ax: Axes | None = None,
    **options,
) -> Axes:
    """Draw accuracy curves (training, test, ...) against the step.

    Parameters
    ----------
    curves : mapping of str to sequence of float
        One accuracy per step for each named curve; the names go in the
        legend.  Curve ``k`` gets colour ``PALETTE[k]`` and line style
        ``LINESTYLES[k]``.
    ylim : tuple of float, optional
        The range of the accuracy axis; matplotlib's choice when omitted.
    title : str or None
        Axes title; None for none.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    **options
        Passed to every :meth:`Axes.plot` call; they override the colours
        and line styles above.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = plot_accuracy({"training": [0.5, 0.9], "test": [0.5, 0.8]},
    ...                    ax=Figure().subplots())
    >>> [line.get_label() for line in ax.lines], ax.lines[1].get_linestyle()
    (['training', 'test'], '--')
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping of name -> accuracies")
    ax = new_axes() if ax is None else ax
    for k, (name, accuracy) in enumerate(curves.items()):
        style = {"color": PALETTE[k % len(PALETTE)], "ls": LINESTYLES[k % len(LINESTYLES)],
                 **options}
        ax.plot(_curve(accuracy, f"curves[{name!r}]"), label=name, **style)
    ax.set(xlabel="step", ylabel="accuracy")
    if ylim is not None:
        ax.set_ylim(ylim)
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def _points(X, labels) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    if labels.shape != (X.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {X.shape[0]} integer classes, got shape "
                         f"{labels.shape} of {labels.dtype}")
    if labels.size and labels.min() < 0:
        raise ValueError("labels must be non-negative class indices")
    return X, labels


def plot_classes(
    X,
    labels,
    *,
    names: Sequence[str | None] | None = None,
    ax: Axes | None = None,
    **options,
) -> Axes:
    """Scatter points in the plane, each class with its own colour and marker.

    Parameters
    ----------
    X : array_like, shape (N, 2)
        The points.
    labels : array_like of int, shape (N,)
        The class of each point, from 0 to ``C - 1``.
    names : sequence of str or None, optional
        A legend entry per class (None for none); ``class k`` by default.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    **options
        Passed to :meth:`Axes.scatter`; they override the defaults
        ``s=16, edgecolor="white", linewidth=0.4``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = plot_classes([[0, 0], [1, 1], [2, 0]], [0, 1, 1], ax=Figure().subplots())
    >>> [len(c.get_offsets()) for c in ax.collections], ax.collections[1].get_label()
    ([1, 2], 'class 1')
    """
    X, labels = _points(X, labels)
    num_classes = int(labels.max()) + 1 if labels.size else 0
    if num_classes > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} classes can be told apart, got {num_classes}")
    if names is not None and len(names) < num_classes:
        raise ValueError(f"names must have at least {num_classes} entries, got {len(names)}")
    ax = new_axes() if ax is None else ax
    style = {"s": 16, "edgecolor": "white", "linewidth": 0.4, **options}
    for k in range(num_classes):
        ax.scatter(*X[labels == k].T, marker=MARKERS[k], color=PALETTE[k],
                   label=names[k] if names is not None else f"class {k}", **style)
    return ax


def plot_decision_regions(
    W,
    b,
    X,
    labels,
    *,
    names: Sequence[str | None] | None = None,
    lims: tuple[tuple[float, float], tuple[float, float]] | None = None,
    resolution: int = 200,
    ax: Axes | None = None,
    **options,
) -> Axes:
    """Draw the decision regions of a linear classifier ``z = xW + b`` in the plane.

    Each point of a `resolution` by `resolution` grid is coloured by its
    predicted class (the largest logit).  The boundary between classes i
    and j, the line ``z_i = z_j``, is drawn in black where those two are
    the largest logits.  Then the points `X` are scattered on top.

    Parameters
    ----------
    W : array_like, shape (2, C)
        The weights.
    b : array_like, shape (C,)
        The biases.
    X : array_like, shape (N, 2)
        The points to show.
    labels : array_like of int, shape (N,)
        Their classes.
    names : sequence of str or None, optional
        Legend entries, as for :func:`plot_classes`.
    lims : ((x0, x1), (y0, y1)), optional
        The part of the plane to show; by default the points' range with a
        margin of 0.8.
    resolution : int
        Grid points along each axis.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    **options
        Passed to :func:`plot_classes` for the points.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> W = [[1.0, -1.0], [0.0, 0.0]]           # class 0 where x > 0
    >>> ax = plot_decision_regions(W, [0.0, 0.0], [[-1, 0], [1, 0]], [1, 0],
    ...                            resolution=4, ax=Figure().subplots())
    >>> ax.collections[0].get_array().reshape(4, 4)[0].tolist()
    [1, 1, 0, 0]
    """
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    if W.ndim != 2 or W.shape[0] != 2 or not 2 <= W.shape[1] <= len(PALETTE):
        raise ValueError(f"W must have shape (2, C) with 2 <= C <= {len(PALETTE)}, got {W.shape}")
    num_classes = W.shape[1]
    if b.shape != (num_classes,):
        raise ValueError(f"b must have shape ({num_classes},) to match W, got {b.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or resolution < 2:
        raise ValueError(f"resolution must be an int of at least 2, got {resolution!r}")
    X, labels = _points(X, labels)
    ax = new_axes() if ax is None else ax
    (x0, x1), (y0, y1) = lims if lims is not None else _limits(X)
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])    # (G, 2)
    Z = (grid @ W + b).reshape(*gx.shape, -1)           # (H, V, C)
    ax.pcolormesh(gx, gy, Z.argmax(axis=-1), cmap=ListedColormap(PALETTE[:num_classes]),
                  vmin=0, vmax=num_classes - 1, alpha=0.22, shading="auto")
    top = Z.max(axis=-1)
    for i, j in itertools.combinations(range(num_classes), 2):
        # Only where i and j are the two largest is z_i = z_j a boundary.
        on_top = np.maximum(Z[..., i], Z[..., j]) >= top
        gap = np.ma.masked_where(~on_top, Z[..., i] - Z[..., j])
        if gap.count() and gap.min() < 0 < gap.max():
            ax.contour(gx, gy, gap, levels=[0.0], colors="black", linewidths=1.0)
    plot_classes(X, labels, names=names, ax=ax, **options)
    ax.set(xlim=(x0, x1), ylim=(y0, y1))
    return ax


def _limits(X: np.ndarray, margin: float = 0.8):
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    return (lo[0], hi[0]), (lo[1], hi[1])


def plot_weight_images(
    W,
    *,
    image_shape: tuple[int, int] = (8, 8),
    names: Sequence[str] | None = None,
    axes=None,
    cmap: str = "RdBu_r",
    **options,
) -> list[Axes]:
    """Draw each column of a weight matrix as an image, on one colour scale.

    Column k of W holds the weights that the logit of class k gives to the
    D input pixels; reshaped to the image's shape it shows which pixels
    raise (red) and which lower (blue) that class's logit.  All panels
    share one scale, symmetric about 0, so that white always means 0 and
    equal colours mean equal weights across classes.

    Parameters
    ----------
    W : array_like, shape (D, C)
        The weights, D equal to the product of `image_shape`.
    image_shape : (int, int)
        The image's rows and columns, row-major as ``x.reshape(rows, cols)``.
    names : sequence of str, optional
        One title per class; default ``"0"``, ``"1"``, ...
    axes : sequence of Axes, optional
        At least C axes, one per column of W, in order (a 2-D array of
        axes is read row by row); extra axes are switched off.  By default a
        new figure with one row of C panels.
    cmap : str
        A diverging colour map.
    **options
        Passed to :meth:`~matplotlib.axes.Axes.imshow`.

    Returns
    -------
    list of Axes
        The C axes drawn on; ``axes[k].images[0]`` can feed a colour bar.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> W = np.zeros((4, 2)); W[0, 1] = 2.0          # D = 4 pixels, C = 2
    >>> axes = plot_weight_images(W, image_shape=(2, 2),
    ...                           axes=Figure().subplots(1, 2))
    >>> axes[1].images[0].get_array().tolist()
    [[2.0, 0.0], [0.0, 0.0]]
    >>> axes[1].images[0].get_clim()
    (-2.0, 2.0)
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array of shape (D, C), got shape {W.shape}")
    if (len(image_shape) != 2
            or not all(isinstance(n, (int, np.integer)) and n >= 1 for n in image_shape)):
        raise ValueError(f"image_shape must be two positive ints, got {image_shape!r}")
    rows, cols = image_shape
    num_pixels, num_classes = W.shape
    if num_pixels != rows * cols:
        raise ValueError(f"W has {num_pixels} rows but image_shape {image_shape} holds "
                         f"{rows * cols} pixels")
    if not np.all(np.isfinite(W)):
        raise ValueError("W must be finite to be drawn")
    if names is None:
        names = [str(k) for k in range(num_classes)]
    if len(names) != num_classes:
        raise ValueError(f"names must give one title per class ({num_classes}), got {len(names)}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, num_classes, figsize=(0.9 * num_classes, 1.3),
                               layout="constrained")
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(axes) < num_classes:
        raise ValueError(f"axes must hold at least {num_classes} Axes, got {len(axes)}")
    vmax = float(np.max(np.abs(W))) or 1.0      # all zero: any symmetric scale
    for k, ax in enumerate(axes[:num_classes]):
        ax.imshow(W[:, k].reshape(rows, cols), cmap=cmap, vmin=-vmax, vmax=vmax,
                  **options)
        ax.set(xticks=[], yticks=[])
        ax.set_title(names[k], fontsize=9)
    for ax in axes[num_classes:]:
        ax.set_axis_off()
    return axes[:num_classes]


__all__ += ["plot_weight_images"]


def plot_reliability(
    probs,
    labels,
    *,
    n_bins: int = 15,
    ax: Axes | None = None,
    title: str | None = None,
    color: str = PALETTE[0],
    **options,
) -> Axes:
    """Draw a reliability diagram: each confidence bin's accuracy as a bar.

    The predictions are grouped into `n_bins` equal-width bins of confidence
    (:func:`helpers.calibration.reliability_bins`).  Each bar spans its bin
    and rises to the bin's accuracy; an outline in ``PALETTE[3]`` marks where
    it would rise to for a calibrated model, the bin's mean confidence; the dashed diagonal
    is perfect calibration.  Empty bins get no bar.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Predicted probabilities, rows summing to 1.
    labels : array_like of int, shape (N,)
        The true classes.
    n_bins : int
        The number of bins (default 15).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Axes title.
    color : str
        The colour of the accuracy bars.
    **options
        Passed to the :meth:`Axes.bar` call of the accuracy bars.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> ax = plot_reliability(probs, [0, 1, 1, 0], n_bins=2, ax=Figure().subplots())
    >>> [round(float(p.get_height()), 3) for p in ax.containers[0]]
    [0.5]
    """
    from .calibration import reliability_bins

    conf, acc, counts = reliability_bins(probs, labels, n_bins)
    ax = new_axes((3.6, 3.4)) if ax is None else ax
    width = 1.0 / n_bins
    left = np.arange(n_bins)[counts > 0] * width
    ax.bar(left, acc[counts > 0], width=width, align="edge", color=color,
           edgecolor="white", label="accuracy", **options)
    ax.bar(left, conf[counts > 0], width=width, align="edge", fill=False,
           edgecolor=PALETTE[3], lw=1.2, label="confidence")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="confidence",
           ylabel="accuracy")
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


__all__ += ["plot_reliability"]
