"""Explorers: a pure drawing function plus its parameter ranges, made live.

An :class:`Explorer` turns ``draw(ax, **values)`` and a mapping of
controls into

* ipywidgets controls that redraw the figure in a live kernel
  (JupyterLab, Binder, JupyterHub), and
* a self-contained HTML block for the static book, in which every
  combination of control values has been drawn ahead of time and a small
  inline script swaps the frame as the reader moves a control.  It loads
  nothing from the network.

Both views draw through the same function, so the static frames show what
the kernel would show.  The live view saves time where a reader cannot see
it (see :class:`_LiveFigure`): it keeps the layout of the last frame while
every label still fits, skips the palette reduction of the static frames,
remembers the frames it has drawn, and from the reader's first move draws
the others in a background process.  ``HELPERS_EXPLORER_AHEAD=0`` turns
that last part off.

The static HTML carries every frame only when the environment variable
``HELPERS_EXPLORER_FRAMES`` is ``all`` (the book build sets it).  In a live
kernel the text/html fallback holds just the current frame, so an explorer
appears at once.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import multiprocessing
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

__all__ = ["Slider", "Steps", "Choice", "Explorer", "figure_to_png", "png_pixels"]

FRAMES_ENV = "HELPERS_EXPLORER_FRAMES"
AHEAD_ENV = "HELPERS_EXPLORER_AHEAD"


@dataclass(frozen=True)
class Slider:
    """A numeric control taking evenly spaced values from `min` to `max`.

    Parameters
    ----------
    min, max : float
        The ends of the range, both included.
    step : float
        The spacing of the values.  ``(max - min) / step`` must be a whole
        number.
    value : float, optional
        The starting value; it is snapped to the grid.  Defaults to `min`.
    label : str, optional
        The text shown beside the control.  Defaults to the parameter name.

    Examples
    --------
    >>> Slider(0.0, 1.0, 0.25).values()
    (0.0, 0.25, 0.5, 0.75, 1.0)
    """

    min: float
    max: float
    step: float
    value: float | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        for name in ("min", "max", "step"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
                raise TypeError(f"Slider {name} must be a real number, got {v!r}")
            if not np.isfinite(v):
                raise ValueError(f"Slider {name} must be finite, got {v!r}")
        if self.step <= 0:
            raise ValueError(f"Slider step must be positive, got {self.step!r}")
        if self.max < self.min:
            raise ValueError(f"Slider max ({self.max!r}) must not be below min ({self.min!r})")
        count = (self.max - self.min) / self.step
        if abs(count - round(count)) > 1e-9 * max(1.0, count):
            raise ValueError(
                f"Slider range {self.min!r}..{self.max!r} is not a whole number "
                f"of steps of {self.step!r}")

    def values(self) -> tuple[float, ...]:
        """The grid of values, rounded so they print cleanly."""
        count = int(round((self.max - self.min) / self.step)) + 1
        decimals = max(0, -int(np.floor(np.log10(self.step))) + 3)
        return tuple(round(self.min + i * self.step, decimals) for i in range(count))

    def default(self) -> float:
        return self.snap(self.min if self.value is None else self.value)

    def snap(self, value: float) -> float:
        """The grid value nearest to `value`."""
        grid = self.values()
        return grid[int(np.argmin([abs(g - value) for g in grid]))]


@dataclass(frozen=True)
class Steps:
    """A slider over a listed, increasing sequence of values.

    Use it for values that are not evenly spaced, such as a temperature
    on a logarithmic scale.

    Examples
    --------
    >>> Steps([0.25, 0.5, 1.0, 2.0, 4.0], value=1.0).default()
    1.0
    >>> Steps([0.25, 0.5, 1.0]).snap(0.6)
    0.5
    """

    points: Sequence[float]
    value: float | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        pts = np.asarray(self.points, dtype=float) if len(self.points) else np.zeros(0)
        if pts.ndim != 1 or pts.size == 0 or not np.all(np.isfinite(pts)):
            raise ValueError(f"Steps points must be a non-empty list of finite numbers, "
                             f"got {self.points!r}")
        if np.any(np.diff(pts) <= 0):
            raise ValueError(f"Steps points must increase, got {list(self.points)!r}")

    def values(self) -> tuple[float, ...]:
        """The points; whole numbers given as ints stay ints (a step count)."""
        return tuple(int(p) if isinstance(p, (int, np.integer)) and not isinstance(p, bool)
                     else float(p) for p in self.points)

    def default(self) -> float:
        return self.snap(self.points[0] if self.value is None else self.value)

    def snap(self, value: float) -> float:
        grid = self.values()
        return grid[int(np.argmin([abs(g - value) for g in grid]))]


@dataclass(frozen=True)
class Choice:
    """A control choosing one of several options (a dropdown).

    Examples
    --------
    >>> Choice(["float16", "float32"], value="float32").default()
    'float32'
    """

    options: Sequence[Any]
    value: Any = None
    label: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.options, (str, bytes)) or len(self.options) == 0:
            raise ValueError(f"Choice options must be a non-empty list, got {self.options!r}")
        if self.value is not None and self.value not in self.options:
            raise ValueError(f"Choice value {self.value!r} is not one of {list(self.options)!r}")

    def values(self) -> tuple[Any, ...]:
        return tuple(self.options)

    def default(self) -> Any:
        return self.options[0] if self.value is None else self.value

    def snap(self, value: Any) -> Any:
        if value not in self.options:
            raise ValueError(f"{value!r} is not one of {list(self.options)!r}")
        return value


Control = Slider | Steps | Choice


def figure_to_png(fig: Figure, *, dpi: float = 80, colors: int = 128) -> bytes:
    """Render `fig` to compact, deterministic PNG bytes.

    The image is reduced to a palette of `colors` colours, which shrinks
    plots (flat colours and anti-aliased text) to a fraction of their size.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    image = Image.open(buf).convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_pixels(png: bytes) -> np.ndarray:
    """Decode PNG bytes to an (H, W, 3) uint8 array, for comparing frames."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


class _LiveFigure:
    """The figure behind a live widget, redrawn as fast as it looks the same.

    Three savings over :meth:`Explorer.render`, none of which a reader can
    see:

    * **Layout once.**  Constrained layout measures every label on every
      draw, and that is about a third of a frame.  Once a frame has been
      laid out, later frames put their axes where it put them, as long as
      the figure has the same axes and every axes' decorations (tick
      labels, titles, legends, colour bars) fit in the room the layout gave
      them.  If anything grows out of its room, the frame is laid out
      afresh, so nothing is ever clipped or overlapped.
    * **No palette.**  The static frames are reduced to 128 colours to keep
      the book small; a live frame only travels to the reader's browser, so
      it is the full-colour picture, compressed lightly.
    * **A memory.**  Every frame drawn is kept by its control values (an
      explorer has at most `max_frames` of them), so returning to a value
      shows its frame at once.  And from the reader's first move on, a
      low-priority background process draws the other frames, nearest
      first (:meth:`draw_ahead`), so that a slider soon moves as fast as in
      the static book.

    Frames drawn with a fresh layout are exactly ``savefig``'s pixels.
    """

    def __init__(self, figsize, dpi, subplots):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.subplots = subplots
        self.frames: dict[tuple, bytes] = {}
        self.positions: list[Bbox] | None = None   # where the layout put each axes
        self.rooms: list[Bbox] | None = None       # and the room it gave it
        self.ahead: threading.Event | None = None  # set once draw_ahead is done

    def render(self, draw, values: Mapping[str, Any]) -> bytes:
        key = _frame_key(values)
        png = self.frames.get(key)
        if png is None:
            png = self.frames[key] = self._draw(draw, values)
        return png

    def draw_ahead(self, draw, combos: Sequence[Mapping[str, Any]]) -> bool:
        """Draw `combos` in a forked background process, at low priority.

        The frames arrive in :attr:`frames` as they are drawn; :attr:`ahead`
        is set when the process has finished.  Does nothing (and returns
        False) where the system cannot fork, when ``HELPERS_EXPLORER_AHEAD``
        is ``0``, or if it has already started.
        """
        if (self.ahead is not None or os.environ.get(AHEAD_ENV, "") == "0"
                or "fork" not in multiprocessing.get_all_start_methods()):
            return False
        self.ahead = threading.Event()
        wanted = [values for values in combos if _frame_key(values) not in self.frames]
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=self._draw_ahead_child, args=(draw, wanted, send),
                              daemon=True)
        process.start()
        send.close()
        threading.Thread(target=self._collect, args=(receive, process), daemon=True).start()
        return True

    def _draw_ahead_child(self, draw, combos, send):
        """In the forked process: draw each frame and send it to the kernel."""
        try:
            os.nice(10)              # the reader's own moves come first
        except (AttributeError, OSError):
            pass
        kernel = os.getppid()
        for values in combos:
            if os.getppid() != kernel:   # the kernel was killed: stop
                return
            try:
                png = self._draw(draw, values)
            except Exception:        # the kernel's own draw will show the error
                continue
            try:
                send.send((_frame_key(values), png))
            except OSError:          # the kernel has gone
                return
        send.close()

    def _collect(self, receive, process):
        """In a thread of the kernel: file the frames as they arrive."""
        try:
            while True:
                key, png = receive.recv()
                self.frames.setdefault(key, png)
        except (EOFError, OSError):
            pass
        finally:
            receive.close()
            process.join()
            self.ahead.set()

    def _draw(self, draw, values) -> bytes:
        fig = self.figure
        if self.positions is not None:
            self._plot(draw, values, layout="none")
            if len(fig.axes) == len(self.positions):
                for ax, position in zip(fig.axes, self.positions):
                    ax.set_position(position)
                self.canvas.draw()
                if self._fits():
                    return self._png()
        self._plot(draw, values, layout="constrained")
        self.canvas.draw()
        renderer = self.canvas.get_renderer()
        self.positions = [ax.get_position(original=True) for ax in fig.axes]
        self.rooms = [ax.get_tightbbox(renderer, for_layout_only=True) for ax in fig.axes]
        return self._png()

    def _plot(self, draw, values, layout):
        fig = self.figure
        fig.clear()
        fig.set_layout_engine(layout)
        draw(fig.subplots(*self.subplots, squeeze=True), **values)

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

    def _png(self) -> bytes:
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1).convert("RGB")
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        return out.getvalue()


def _frame_key(values: Mapping[str, Any]) -> tuple:
    """A hashable key for a combination of control values."""
    return tuple((name, repr(value)) for name, value in values.items())


@dataclass
class Explorer:
    """A figure that a reader can move, live in a kernel and in static HTML.

    Parameters
    ----------
    draw : callable
        ``draw(ax, **values)`` draws on the axes it is given (an array of
        axes when `subplots` asks for more than one) and returns nothing.
        It must be pure: the same values always give the same picture.
    controls : mapping of str to Slider or Choice
        One control per keyword argument of `draw`, in display order.
    alt : str
        Alternative text describing the figure, for screen readers.
    subplots : tuple of int, optional
        ``(nrows, ncols)`` of the axes passed to `draw`.
    figsize : tuple of float, optional
        Figure size in inches.
    dpi : float, optional
        Resolution of the rendered frames.
    caption : str, optional
        A caption shown under the figure in both views.
    max_frames : int, optional
        The most frames the static HTML may hold.  A product of control
        sizes above it raises ValueError, so a page never grows by accident.

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
    """

    draw: Callable[..., Any]
    controls: Mapping[str, Control]
    alt: str
    subplots: tuple[int, int] = (1, 1)
    figsize: tuple[float, float] = (6.0, 3.2)
    dpi: float = 80
    caption: str = ""
    max_frames: int = 400
    _values: dict[str, Any] = field(init=False, repr=False)
    _widget: Any = field(init=False, default=None, repr=False)
    _figure: Figure | None = field(init=False, default=None, repr=False)
    _live: _LiveFigure | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if not callable(self.draw):
            raise TypeError(f"draw must be callable, got {type(self.draw).__name__}")
        if not isinstance(self.controls, Mapping) or not self.controls:
            raise ValueError("controls must be a non-empty mapping of name -> Slider or Choice")
        for name, control in self.controls.items():
            if not isinstance(control, (Slider, Steps, Choice)):
                raise TypeError(f"controls[{name!r}] must be a Slider, Steps or Choice, "
                                f"got {type(control).__name__}")
        if not isinstance(self.alt, str) or not self.alt.strip():
            raise ValueError("alt must be a non-empty description of the figure")
        if self.num_frames > self.max_frames:
            sizes = {n: len(c.values()) for n, c in self.controls.items()}
            raise ValueError(
                f"the controls give {self.num_frames} frames {sizes}, more than "
                f"max_frames={self.max_frames}: use coarser steps or fewer controls")
        self._values = {n: c.default() for n, c in self.controls.items()}

    # -- state -----------------------------------------------------------
    @property
    def num_frames(self) -> int:
        return int(np.prod([len(c.values()) for c in self.controls.values()]))

    @property
    def values(self) -> dict[str, Any]:
        """The current control values."""
        return dict(self._values)

    def set(self, **values: Any) -> bytes:
        """Set some control values (snapped to the grid) and redraw.

        In a live kernel the widgets follow.  Returns the new frame.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; expected one of {list(self.controls)}")
            self._values[name] = self.controls[name].snap(value)
        if self._widget is not None:
            self._sync_widgets()
            return self._widget._explorer_image.value
        return self.render(**self._values)

    # -- drawing ---------------------------------------------------------
    def render(self, **values: Any) -> bytes:
        """Draw the figure for `values` (defaults for missing ones) as PNG."""
        full = {n: c.default() for n, c in self.controls.items()}
        full.update(values)
        if self._figure is None:
            self._figure = Figure(figsize=self.figsize, layout="constrained")
        fig = self._figure
        fig.clear()
        axes = fig.subplots(*self.subplots, squeeze=True)
        self.draw(axes, **full)
        return figure_to_png(fig, dpi=self.dpi)

    def render_live(self) -> bytes:
        """Draw the current values for the live widget, as PNG.

        The same picture as :meth:`render`, drawn faster: see
        :class:`_LiveFigure`.
        """
        if self._live is None:
            self._live = _LiveFigure(self.figsize, self.dpi, self.subplots)
        return self._live.render(self.draw, {n: self._values[n] for n in self.controls})

    def draw_ahead(self) -> bool:
        """Start drawing every other frame in the background, nearest first.

        Called on the reader's first move of a live control; see
        :meth:`_LiveFigure.draw_ahead`.  Returns whether it started.
        """
        if self._live is None:
            return False
        names = list(self.controls)
        grids = [self.controls[n].values() for n in names]
        here = [grid.index(self._values[n]) for n, grid in zip(names, grids)]
        positions = sorted(itertools.product(*(range(len(g)) for g in grids)),
                           key=lambda pos: sum(abs(p - h) for p, h in zip(pos, here)))
        combos = [{n: g[p] for n, g, p in zip(names, grids, pos)} for pos in positions]
        return self._live.draw_ahead(self.draw, combos)

    def frames(self) -> tuple[list[str], list[int]]:
        """Every frame, deduplicated.

        Returns the distinct frames as base64 PNGs, and for each combination
        of control values (last control varying fastest) the index of its
        frame.
        """
        names = list(self.controls)
        grids = [self.controls[n].values() for n in names]
        combos = [dict(zip(names, combo)) for combo in itertools.product(*grids)]
        distinct: dict[str, int] = {}
        images: list[str] = []
        index: list[int] = []
        for png in self._render_all(combos):
            key = hashlib.sha1(png).hexdigest()
            if key not in distinct:
                distinct[key] = len(images)
                images.append(base64.b64encode(png).decode("ascii"))
            index.append(distinct[key])
        return images, index

    def _render_all(self, combos: list[dict[str, Any]]) -> list[bytes]:
        """Render many frames, on every core where the system can fork.

        The frames are the same bytes either way: each worker draws with
        :meth:`render`, exactly as the serial loop does.  Set
        ``HELPERS_EXPLORER_PROCESSES=1`` to draw in this process only.
        """
        workers = _worker_count(len(combos))
        if workers <= 1:
            return [self.render(**values) for values in combos]
        global _FORKED
        _FORKED = self
        try:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers) as pool:
                return pool.map(_render_forked, combos, chunksize=max(1, len(combos) // (4 * workers)))
        finally:
            _FORKED = None

    # -- static HTML -----------------------------------------------------
    def to_html(self, *, all_frames: bool = True) -> str:
        """A self-contained HTML block: image, controls and a tiny script."""
        names = list(self.controls)
        if all_frames:
            images, index = self.frames()
        else:
            images = [base64.b64encode(self.render(**self._values)).decode("ascii")]
            index = None
        uid = "ex-" + hashlib.sha1(
            (self.alt + repr(sorted(self._values.items())) + str(len(images))).encode()
        ).hexdigest()[:10]
        current = [self.controls[n].values().index(self._values[n]) for n in names]
        rows = []
        for i, name in enumerate(names):
            rows.append(self._control_html(uid, i, name, current[i], live=all_frames))
        data = {"sizes": [len(self.controls[n].values()) for n in names],
                "index": index, "frames": images, "alt": self.alt,
                "labels": [self.controls[n].label or n for n in names]}
        note = "" if all_frames else (
            '<p class="explorer-note">Run this notebook, or open the HTML book, '
            "to move the controls.</p>")
        first = images[index[_flat(current, data["sizes"])] if index else 0]
        caption = (f'<figcaption class="explorer-caption">{html.escape(self.caption)}'
                   "</figcaption>") if self.caption else ""
        return (
            f'<figure class="helpers-explorer" id="{uid}" data-explorer="{uid}">'
            f'<div class="explorer-controls">{"".join(rows)}</div>'
            f'<img class="explorer-frame" src="data:image/png;base64,{first}" '
            f'alt="{html.escape(self._alt_text(), quote=True)}">{note}{caption}'
            f'<script type="application/json" class="explorer-data">'
            f"{json.dumps(data, separators=(',', ':'))}</script>"
            f"<script>{_SCRIPT}helpersExplorer(document.getElementById('{uid}'));</script>"
            "</figure>"
        )

    def _alt_text(self) -> str:
        parts = [f"{self.controls[n].label or n} = {v}" for n, v in self._values.items()]
        return f"{self.alt} Showing {', '.join(parts)}."

    def _control_html(self, uid: str, i: int, name: str, pos: int, *, live: bool) -> str:
        control = self.controls[name]
        cid = f"{uid}-c{i}"
        label = html.escape(control.label or name)
        shown = [html.escape(str(v)) for v in control.values()]
        disabled = "" if live else " disabled"
        if isinstance(control, (Slider, Steps)):
            widget = (
                f'<input type="range" id="{cid}" min="0" max="{len(shown) - 1}" step="1" '
                f'value="{pos}" data-values=\'{json.dumps(shown)}\'{disabled}>'
                f'<output for="{cid}">{shown[pos]}</output>')
        else:
            opts = "".join(
                f'<option value="{k}"{" selected" if k == pos else ""}>{s}</option>'
                for k, s in enumerate(shown))
            widget = f'<select id="{cid}"{disabled}>{opts}</select>'
        return f'<div class="explorer-control"><label for="{cid}">{label}</label>{widget}</div>'

    # -- live widgets ----------------------------------------------------
    def widget(self):
        """The ipywidgets view: the controls above an Image of the figure."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as widgets

        inputs = {}
        for name, control in self.controls.items():
            desc = control.label or name
            style = {"description_width": "initial"}
            if isinstance(control, Slider):
                inputs[name] = widgets.FloatSlider(
                    value=self._values[name], min=control.min, max=control.max,
                    step=control.step, description=desc, style=style,
                    continuous_update=True)
            elif isinstance(control, Steps):
                inputs[name] = widgets.SelectionSlider(
                    options=list(control.values()), value=self._values[name],
                    description=desc, style=style, continuous_update=True)
            else:
                inputs[name] = widgets.Dropdown(
                    options=list(control.options), value=self._values[name],
                    description=desc, style=style)
        image = widgets.Image(value=self.render_live(), format="png")
        parts = [widgets.HBox(list(inputs.values()),
                              layout=widgets.Layout(flex_flow="row wrap")), image]
        if self.caption:
            parts.append(widgets.HTML(f"<em>{html.escape(self.caption)}</em>"))
        box = widgets.VBox(parts)
        box._explorer_inputs = inputs
        box._explorer_image = image

        def on_change(change, name):
            if getattr(box, "_explorer_quiet", False):
                return
            self._values[name] = self.controls[name].snap(change["new"])
            image.value = self.render_live()
            self.draw_ahead()

        for name, w in inputs.items():
            w.observe(lambda change, name=name: on_change(change, name), names="value")
        return box

    def _sync_widgets(self) -> None:
        """Move the widgets to the current values and redraw once."""
        wanted = dict(self._values)
        box = self._widget
        box._explorer_quiet = True  # one redraw below, not one per widget
        try:
            for name, w in box._explorer_inputs.items():
                if w.value != wanted[name]:
                    w.value = wanted[name]
        finally:
            box._explorer_quiet = False
        self._values = wanted
        box._explorer_image.value = self.render_live()

    @property
    def image(self) -> bytes:
        """The PNG currently shown by the live widget."""
        return self.widget()._explorer_image.value

    def _repr_mimebundle_(self, include=None, exclude=None):
        all_frames = os.environ.get(FRAMES_ENV, "") == "all"
        bundle = {"text/plain": f"<Explorer: {self.alt}>",
                  "text/html": self.to_html(all_frames=all_frames)}
        if not all_frames:
            view = self.widget()._repr_mimebundle_()
            bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle


_FORKED: "Explorer | None" = None


def _render_forked(values: dict[str, Any]) -> bytes:
    """Worker: draw one frame with the explorer inherited through fork."""
    return _FORKED.render(**values)


def _worker_count(num_frames: int) -> int:
    """How many processes to draw `num_frames` frames with."""
    if num_frames < 16 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    setting = os.environ.get("HELPERS_EXPLORER_PROCESSES", "")
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            raise ValueError("HELPERS_EXPLORER_PROCESSES must be a whole number, "
                             f"got {setting!r}") from None
    return max(1, min(os.cpu_count() or 1, 4))


def _flat(position: Sequence[int], sizes: Sequence[int]) -> int:
    """Mixed-radix index of a combination, the last control varying fastest."""
    flat = 0
    for p, s in zip(position, sizes):
        flat = flat * s + p
    return flat


# One small function, defined once per page, that wires a static explorer.
_SCRIPT = """
window.helpersExplorer = window.helpersExplorer || function (root) {
  var data = JSON.parse(root.querySelector('.explorer-data').textContent);
  var img = root.querySelector('.explorer-frame');
  var inputs = root.querySelectorAll('input, select');
  function update() {
    var flat = 0, parts = [];
    inputs.forEach(function (el, i) {
      var pos = parseInt(el.value, 10);
      flat = flat * data.sizes[i] + pos;
      var shown = el.tagName === 'SELECT' ? el.options[pos].text : JSON.parse(el.dataset.values)[pos];
      if (el.nextElementSibling && el.nextElementSibling.tagName === 'OUTPUT') {
        el.nextElementSibling.textContent = shown;
      }
      parts.push(data.labels[i] + ' = ' + shown);
    });
    img.src = 'data:image/png;base64,' + data.frames[data.index[flat]];
    img.alt = data.alt + ' Showing ' + parts.join(', ') + '.';
    root.dataset.frame = String(data.index[flat]);
  }
  if (data.index) {
    inputs.forEach(function (el) { el.addEventListener('input', update); el.addEventListener('change', update); });
    update();
  }
};
"""
