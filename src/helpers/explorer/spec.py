"""What an explorer is: a pure drawing function, its controls and its words.

An :class:`ExplorerSpec` holds no state and draws nothing by itself.  The
renderers (:mod:`.live`, :mod:`.static`) turn it into pictures; since it
can be pickled whenever its drawing function can be imported, worker
processes can draw from it too (:mod:`.frames`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["Slider", "Steps", "Choice", "ExplorerSpec", "frame_key"]


def _nearest(grid: Sequence[float], value: float) -> float:
    return grid[int(np.argmin([abs(g - value) for g in grid]))]


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
        return _nearest(self.values(), value)


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
        return _nearest(self.values(), value)


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


def frame_key(values: Mapping[str, Any]) -> tuple:
    """A hashable key for a combination of control values, in their order.

    Examples
    --------
    >>> frame_key({"z0": 0.5, "dtype": "float32"})
    (('z0', '0.5'), ('dtype', "'float32'"))
    """
    return tuple((name, repr(value)) for name, value in values.items())


@dataclass(frozen=True)
class ExplorerSpec:
    """The description of an explorer: what to draw, with which controls.

    Parameters
    ----------
    draw : callable
        ``draw(ax, **values)`` draws on the axes it is given (an array of
        axes when `subplots` asks for more than one) and returns nothing.
        It must be pure: the same values always give the same picture.
    controls : mapping of str to Slider, Steps or Choice
        One control per keyword argument of `draw`, in display order.  The
        spec keeps a read-only copy.
    alt : str
        Alternative text describing the figure, for screen readers.
    caption : str, optional
        A caption shown under the figure in every view.
    subplots : tuple of int, optional
        ``(nrows, ncols)`` of the axes passed to `draw`.
    figsize : tuple of float, optional
        Figure size in inches.
    dpi : float, optional
        Resolution of the rendered frames.
    max_frames : int, optional
        The most combinations of control values allowed.  More raise
        ValueError, so that a page never grows by accident.

    Examples
    --------
    >>> def draw(ax, height):
    ...     ax.bar([0], [height])
    >>> spec = ExplorerSpec(draw, {"height": Slider(0.0, 1.0, 0.5, value=0.5)},
    ...                     alt="One bar of adjustable height.")
    >>> spec.num_frames, spec.defaults()
    (3, {'height': 0.5})
    >>> [combo["height"] for combo in spec.combos(near={"height": 1.0})]
    [1.0, 0.5, 0.0]
    """

    draw: Callable[..., Any]
    controls: Mapping[str, Control] = field(hash=False)
    alt: str
    caption: str = ""
    subplots: tuple[int, int] = (1, 1)
    figsize: tuple[float, float] = (6.0, 3.2)
    dpi: float = 80
    max_frames: int = 400

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
        if not isinstance(self.caption, str):
            raise TypeError(f"caption must be a string, got {type(self.caption).__name__}")
        # A read-only copy: the caller's dict may change, the spec may not.
        object.__setattr__(self, "controls", MappingProxyType(dict(self.controls)))
        if self.num_frames > self.max_frames:
            sizes = {n: len(c.values()) for n, c in self.controls.items()}
            raise ValueError(
                f"the controls give {self.num_frames} frames {sizes}, more than "
                f"max_frames={self.max_frames}: use coarser steps or fewer controls")

    def __reduce__(self):
        # A mappingproxy cannot be pickled; rebuild the spec from a plain dict.
        return (_rebuild, (self.draw, dict(self.controls), self.alt, self.caption,
                           self.subplots, self.figsize, self.dpi, self.max_frames))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.controls)

    @property
    def num_frames(self) -> int:
        return int(np.prod([len(c.values()) for c in self.controls.values()]))

    def defaults(self) -> dict[str, Any]:
        """Every control's starting value."""
        return {n: c.default() for n, c in self.controls.items()}

    def snap(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """`values` snapped to their controls' grids; unknown names raise."""
        for name in values:
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; expected one of {list(self.controls)}")
        return {name: self.controls[name].snap(value) for name, value in values.items()}

    def position(self, values: Mapping[str, Any]) -> list[int]:
        """The grid index of each control's value, in control order."""
        return [self.controls[n].values().index(values[n]) for n in self.controls]

    def combos(self, near: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every combination of control values.

        In grid order (the last control varying fastest), or, given `near`,
        nearest to it first (by the number of grid steps between them).
        """
        grids = [c.values() for c in self.controls.values()]
        positions = list(itertools.product(*(range(len(g)) for g in grids)))
        if near is not None:
            here = self.position(near)
            positions.sort(key=lambda pos: sum(abs(p - h) for p, h in zip(pos, here)))
        return [dict(zip(self.controls, (g[p] for g, p in zip(grids, pos)))) for pos in positions]

    def alt_text(self, values: Mapping[str, Any]) -> str:
        """The alt text of the frame for `values`: the description, then the values."""
        parts = [f"{self.controls[n].label or n} = {values[n]}" for n in self.controls]
        return f"{self.alt} Showing {', '.join(parts)}."

    def draw_on(self, figure: Figure, values: Mapping[str, Any], *,
                layout: str | None = None) -> None:
        """Clear `figure` and draw the frame for `values` on fresh axes."""
        figure.clear()
        if layout is not None:   # after clear(): a colour bar pins the old engine
            figure.set_layout_engine(layout)
        self.draw(figure.subplots(*self.subplots, squeeze=True), **values)


def _rebuild(draw, controls, alt, caption, subplots, figsize, dpi, max_frames):
    return ExplorerSpec(draw, controls, alt, caption=caption, subplots=subplots,
                        figsize=figsize, dpi=dpi, max_frames=max_frames)
