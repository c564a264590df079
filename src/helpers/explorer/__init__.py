"""Explorers: a pure drawing function plus its parameter ranges, made live.

An explorer is described once, by an immutable :class:`ExplorerSpec`
(``draw(ax, **values)``, the controls, the alt text and the caption), and
drawn by two renderers:

* :class:`~.live.LiveView`, ipywidgets controls that redraw the figure in
  a live kernel (JupyterLab, Binder, JupyterHub);
* :class:`~.static.StaticView`, a self-contained HTML block for the
  static book, in which every combination of control values has been
  drawn ahead of time and a small inline script swaps the frame as the
  reader moves a control.  It loads nothing from the network.

Both draw through the same function, so the static frames show what the
kernel would show.  :class:`Explorer` ties them together for a chapter:
it keeps the current values and hands them to whichever view is shown.

The static HTML carries every frame only when the environment variable
``HELPERS_EXPLORER_FRAMES`` is ``all`` (the book build sets it).  In a live
kernel the text/html fallback holds just the current frame, so an explorer
appears at once.  No frame is ever drawn in a forked copy of a kernel (see
:mod:`.frames`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from .frames import figure_to_png, png_pixels
from .live import AHEAD_ENV, LiveView
from .spec import Choice, Control, ExplorerSpec, Slider, Steps
from .spec import frame_key as _frame_key  # noqa: F401  (bench/book.py keys frames by it)
from .static import StaticView

__all__ = ["Slider", "Steps", "Choice", "ExplorerSpec", "Explorer",
           "figure_to_png", "png_pixels", "FRAMES_ENV", "AHEAD_ENV"]

FRAMES_ENV = "HELPERS_EXPLORER_FRAMES"


class Explorer:
    """A figure that a reader can move, live in a kernel and in static HTML.

    Parameters
    ----------
    draw, controls, alt, subplots, figsize, dpi, caption, max_frames
        As for :class:`ExplorerSpec`, which holds them (:attr:`spec`).

    Examples
    --------
    >>> def draw(ax, height):
    ...     ax.bar([0], [height])
    ...     ax.set_ylim(0, 1)
    >>> ex = Explorer(draw, {"height": Slider(0.0, 1.0, 0.5, value=0.5)},
    ...               alt="One bar of adjustable height.")
    >>> ex.num_frames
    3
    >>> ex.values
    {'height': 0.5}
    >>> _ = ex.set(height=0.9)       # snapped to the grid
    >>> ex.values
    {'height': 1.0}
    """

    def __init__(self, draw: Callable[..., Any], controls: Mapping[str, Control], alt: str,
                 subplots: tuple[int, int] = (1, 1), figsize: tuple[float, float] = (6.0, 3.2),
                 dpi: float = 80, caption: str = "", max_frames: int = 400):
        self.spec = ExplorerSpec(draw, controls, alt, caption=caption, subplots=subplots,
                                 figsize=figsize, dpi=dpi, max_frames=max_frames)
        self._values = self.spec.defaults()
        self._static = StaticView(self.spec)
        self._live: LiveView | None = None

    def __repr__(self) -> str:
        return f"Explorer({self.spec.alt!r}, values={self._values!r})"

    # The description, read-only: change it by making a new Explorer.
    draw = property(lambda self: self.spec.draw)
    controls = property(lambda self: self.spec.controls)
    alt = property(lambda self: self.spec.alt)
    caption = property(lambda self: self.spec.caption)
    subplots = property(lambda self: self.spec.subplots)
    figsize = property(lambda self: self.spec.figsize)
    dpi = property(lambda self: self.spec.dpi)
    max_frames = property(lambda self: self.spec.max_frames)
    num_frames = property(lambda self: self.spec.num_frames)

    @property
    def values(self) -> dict[str, Any]:
        """The current control values."""
        return dict(self._values)

    def set(self, **values: Any) -> bytes:
        """Set some control values (snapped to the grid) and redraw.

        In a live kernel the widgets follow.  Returns the new frame.
        """
        self._values.update(self.spec.snap(values))
        if self._live is not None:
            return self._live.show(self._values)
        return self.render(**self._values)

    def render(self, **values: Any) -> bytes:
        """The static frame for `values` (defaults for missing ones), as PNG."""
        full = self.spec.defaults()
        full.update(values)
        return self._static.canvas.png(full)

    def render_live(self) -> bytes:
        """The live frame for the current values, as PNG: the picture of
        :meth:`render`, drawn faster (see :mod:`helpers.explorer.live`)."""
        return self._live_view().png()

    def draw_ahead(self) -> bool:
        """Start drawing every other live frame in the background.

        Called on the reader's first move of a live control; see
        :meth:`LiveView.draw_ahead`.  Returns whether it started.
        """
        return self._live is not None and self._live.draw_ahead()

    def frames(self) -> tuple[list[str], list[int]]:
        """Every static frame, deduplicated: see :meth:`StaticView.frames`."""
        return self._static.frames()

    def to_html(self, *, all_frames: bool = True) -> str:
        """A self-contained HTML block: image, controls and a tiny script."""
        return self._static.html(self._values, all_frames=all_frames)

    def widget(self):
        """The ipywidgets view: the controls above an Image of the figure."""
        return self._live_view().widget

    @property
    def image(self) -> bytes:
        """The PNG currently shown by the live widget."""
        return self._live_view().image.value

    def _live_view(self) -> LiveView:
        if self._live is None:
            self._live = LiveView(self.spec, self._values, on_move=self._values.update)
        return self._live

    def _repr_mimebundle_(self, include=None, exclude=None):
        all_frames = os.environ.get(FRAMES_ENV, "") == "all"
        bundle = {"text/plain": f"<Explorer: {self.spec.alt}>",
                  "text/html": self.to_html(all_frames=all_frames)}
        if not all_frames:
            view = self.widget()._repr_mimebundle_()
            bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle
