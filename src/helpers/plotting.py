"""Plots for the book, drawn only on the axes they are given.

Every function has the shape ``plot_thing(..., ax=None, **options) -> Axes``.
With ``ax=None`` a new figure is made; the current axes are never touched.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.axes import Axes

__all__ = ["plot_probs", "new_axes"]

#: Colours that stay apart for readers with colour-vision deficiencies
#: (Okabe and Ito's palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


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
