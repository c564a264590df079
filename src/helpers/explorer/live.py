"""The live view: an explorer as ipywidgets controls above an image.

:class:`LiveView` owns its widgets and keeps every piece of state (the
values shown, the frames drawn, the background drawing) on itself, never
on a widget.  It saves time where a reader cannot see it:

* **Layout once** (:class:`LiveCanvas`).  Constrained layout measures
  every label on every draw, about a third of a frame.  Once a frame has
  been laid out, later frames put their axes where it put them, as long as
  the figure has the same axes and every axes' decorations (tick labels,
  titles, legends, colour bars) fit in the room the layout gave them.  If
  anything grows out of its room, the frame is laid out afresh, so nothing
  is ever clipped or overlapped.  Frames drawn with a fresh layout are
  exactly ``savefig``'s pixels.
* **No palette.**  The static frames are reduced to 128 colours to keep
  the book small; a live frame only travels to the reader's browser, so
  it is the full-colour picture, compressed lightly.
* **A memory.**  Every frame drawn is kept by its control values, so
  returning to a value shows its frame at once.  From the reader's first
  move on, the other frames are drawn in the background, nearest first
  (:class:`~.frames.Background`), so that a slider soon moves as fast as
  in the static book.  ``HELPERS_EXPLORER_AHEAD=0`` turns that off.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Callable, Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from .frames import Background
from .spec import ExplorerSpec, Slider, Steps, frame_key

__all__ = ["LiveCanvas", "LiveView", "AHEAD_ENV"]

AHEAD_ENV = "HELPERS_EXPLORER_AHEAD"


class LiveCanvas:
    """Draws live frames: the last layout kept while it fits, full colour.

    Examples
    --------
    >>> from helpers.explorer.spec import Slider
    >>> spec = ExplorerSpec(lambda ax, x: ax.plot([0, x]), {"x": Slider(0, 1, 1)}, alt="A line.")
    >>> LiveCanvas(spec).png({"x": 1})[:4]
    b'\\x89PNG'
    """

    def __init__(self, spec: ExplorerSpec):
        self.spec = spec
        self.figure = Figure(figsize=spec.figsize, dpi=spec.dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.positions: list[Bbox] | None = None   # where the layout put each axes
        self.rooms: list[Bbox] | None = None       # and the room it gave it

    def png(self, values: Mapping[str, Any]) -> bytes:
        fig = self.figure
        if self.positions is not None:
            self.spec.draw_on(fig, values, layout="none")
            if len(fig.axes) == len(self.positions):
                for ax, position in zip(fig.axes, self.positions):
                    ax.set_position(position)
                self.canvas.draw()
                if self._fits():
                    return self._encode()
        self.spec.draw_on(fig, values, layout="constrained")
        self.canvas.draw()
        renderer = self.canvas.get_renderer()
        self.positions = [ax.get_position(original=True) for ax in fig.axes]
        self.rooms = [ax.get_tightbbox(renderer, for_layout_only=True) for ax in fig.axes]
        return self._encode()

    def _fits(self) -> bool:
        """Whether every axes' decorations lie within the room it was given."""
        renderer = self.canvas.get_renderer()
        for ax, room in zip(self.figure.axes, self.rooms):
            box = ax.get_tightbbox(renderer, for_layout_only=True)
            if box is None or room is None:
                if box is not room:
                    return False
                continue
            if (box.x0 < room.x0 - 0.5 or box.y0 < room.y0 - 0.5
                    or box.x1 > room.x1 + 0.5 or box.y1 > room.y1 + 0.5):
                return False
        return True

    def _encode(self) -> bytes:
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1).convert("RGB")
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        return out.getvalue()


class LiveView:
    """The ipywidgets view of an explorer, and the state behind it.

    Parameters
    ----------
    spec : ExplorerSpec
        What to draw.
    values : mapping
        The control values to show first (already snapped).
    on_move : callable, optional
        Called with the new values whenever the reader moves a control.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The controls (an HBox), the Image and the caption, if any.
    inputs : dict of str to ipywidgets control
        The control widgets, by name.
    frames : dict
        Every frame drawn so far, by :func:`~.spec.frame_key`.
    ahead : threading.Event or None
        Set when the background drawing has finished; None until it starts.
    """

    def __init__(self, spec: ExplorerSpec, values: Mapping[str, Any], *,
                 on_move: Callable[[dict[str, Any]], None] | None = None):
        import ipywidgets as widgets

        self.spec = spec
        self.values = dict(values)
        self.frames: dict[tuple, bytes] = {}
        self.ahead = None
        self._canvas = LiveCanvas(spec)
        self._background: Background | None = None
        self._on_move = on_move
        self._quiet = False        # while set() moves the widgets itself
        self.inputs = {name: _control_widget(widgets, control, name, self.values[name])
                       for name, control in spec.controls.items()}
        self.image = widgets.Image(value=self.png(), format="png")
        parts = [widgets.HBox(list(self.inputs.values()),
                              layout=widgets.Layout(flex_flow="row wrap")), self.image]
        if spec.caption:
            parts.append(widgets.HTML(f"<em>{html.escape(spec.caption)}</em>"))
        self.widget = widgets.VBox(parts)
        for name, w in self.inputs.items():
            w.observe(lambda change, name=name: self._moved(name, change["new"]), names="value")

    def png(self) -> bytes:
        """The frame for the current values, from memory or drawn now."""
        key = frame_key(self.values)
        png = self.frames.get(key)
        if png is None:
            png = self.frames[key] = self._canvas.png(self.values)
        return png

    def show(self, values: Mapping[str, Any]) -> bytes:
        """Move the widgets to `values` and redraw once; returns the frame."""
        self._quiet = True        # one redraw below, not one per widget
        try:
            for name, value in values.items():
                self.values[name] = value
                if self.inputs[name].value != value:
                    self.inputs[name].value = value
        finally:
            self._quiet = False
        self._redraw()
        return self.image.value

    def draw_ahead(self) -> bool:
        """Start drawing every other frame in the background, nearest first.

        Returns whether it started: not when ``HELPERS_EXPLORER_AHEAD`` is
        ``0``, nor a second time.
        """
        if self._background is not None or os.environ.get(AHEAD_ENV, "") == "0":
            return False
        self._background = Background(self.spec, LiveCanvas,
                                      self.spec.combos(near=self.values), self.frames)
        self.ahead = self._background.done
        return True

    def _redraw(self) -> None:
        if self._background is None:
            self.image.value = self.png()
            return
        with self._background.reader_drawing():   # the background waits
            self.image.value = self.png()

    def _moved(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        self.values[name] = self.spec.controls[name].snap(value)
        self._redraw()
        if self._on_move is not None:
            self._on_move(dict(self.values))
        self.draw_ahead()


def _control_widget(widgets, control, name: str, value: Any):
    desc = control.label or name
    style = {"description_width": "initial"}
    if isinstance(control, Slider):
        return widgets.FloatSlider(value=value, min=control.min, max=control.max,
                                   step=control.step, description=desc, style=style,
                                   continuous_update=True)
    if isinstance(control, Steps):
        return widgets.SelectionSlider(options=list(control.values()), value=value,
                                       description=desc, style=style, continuous_update=True)
    return widgets.Dropdown(options=list(control.options), value=value,
                            description=desc, style=style)
