"""Explorers drawn by Vega-Lite in the reader's browser: continuous and sharp.

An explorer here is one Altair chart whose parameters are bound to sliders.
The mathematics runs in the chart itself, in Vega expressions over small data
tables (a few classes, or a grid that NumPy computes once), so a move of a
slider redraws the picture in the browser, as vectors, with no kernel and no
precomputed frames. The same chart is shown

* in the static book, as a ``text/html`` block that the book's
  ``explorer.js`` embeds with the Vega bundle served from the build (no CDN),
  with the chart's default state drawn ahead as SVG (or PNG at twice the
  size) for print, PDF and readers without JavaScript;
* in a live kernel (JupyterLab, Binder, a hub), as Altair's ``JupyterChart``
  widget, offline, whose parameters Python can read and set (:attr:`widget`);
* in LaTeX and PDF output, as the ``image/png`` of the default state.

:func:`slider` makes a parameter bound to a range input with at least
:data:`MIN_POSITIONS` positions, and records how its value reads aloud
(``aria-valuetext``): a log-scale slider reads the value, not its logarithm.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from dataclasses import dataclass
from typing import Any

__all__ = ["MIN_POSITIONS", "Control", "VegaExplorer", "slider"]

#: Set to ``1`` by the book build (tools/project.py), where an explorer needs no widget.
BOOK_BUILD_ENV = "HELPERS_BOOK_BUILD"
#: The fewest positions a slider may have: a continuous feel, not a flip-book.
MIN_POSITIONS = 41
#: Above this size the default state is shown as a PNG instead of an SVG.
_SVG_LIMIT = 80_000
_VL_VERSION = "6.4"
#: Type sizes a reader can read at 390 px as at 1280 px; the book's own font.
BASE_CONFIG = {
    "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "axis": {"labelFontSize": 13, "titleFontSize": 14},
    "legend": {"labelFontSize": 13, "titleFontSize": 14},
    "header": {"labelFontSize": 13, "titleFontSize": 14},
    "title": {"fontSize": 15},
    "text": {"fontSize": 13},
}


@dataclass(frozen=True)
class Control:
    """How a slider's value is shown and read aloud.

    ``power`` is the base of a logarithmic slider (its value is the exponent:
    the reader sees ``power ** value``), or ``None``; ``digits`` the decimals
    shown.
    """

    label: str
    digits: int = 2
    power: float | None = None

    def text(self, value: float) -> str:
        """The value as the reader sees it.

        Examples
        --------
        >>> Control("temperature T", digits=2, power=2).text(-1.0)
        '0.50'
        """
        shown = self.power ** value if self.power else value
        return f"{shown:.{self.digits}f}"


def slider(name: str, lo: float, hi: float, value: float, label: str, *,
           step: float | None = None, digits: int = 2, power: float | None = None):
    """An Altair parameter bound to a range slider, and how it reads.

    Parameters
    ----------
    name : str
        The parameter's name, used in the chart's expressions.
    lo, hi : float
        The slider's ends (for a logarithmic slider, the exponents).
    value : float
        The starting value, within ``[lo, hi]``.
    label : str
        What the slider controls, shown beside it and read by screen readers.
    step : float, optional
        The step; by default ``(hi - lo) / 400``. It must give at least
        :data:`MIN_POSITIONS` positions.
    digits : int, optional
        Decimals shown for the value.
    power : float, optional
        For a logarithmic slider: the base, so that the reader sees and hears
        ``power ** value``.

    Returns
    -------
    (altair.Parameter, Control)

    Examples
    --------
    >>> param, control = slider("z0", -4, 4, 2.0, "logit z₀")
    >>> param.name, control.label
    ('z0', 'logit z₀')
    >>> slider("T", 0, 1, 0.5, "T", step=0.1)
    Traceback (most recent call last):
    ...
    ValueError: step gives 11 positions on [0, 1]; an explorer's slider needs at least 41
    """
    import altair as alt

    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"name must be an identifier string, got {name!r}")
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"lo and hi must be finite with lo < hi, got {lo!r} and {hi!r}")
    if not lo <= value <= hi:
        raise ValueError(f"value must lie in [{lo}, {hi}], got {value!r}")
    step = (hi - lo) / 400 if step is None else step
    if not step > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    positions = int(round((hi - lo) / step)) + 1
    if positions < MIN_POSITIONS:
        raise ValueError(f"step gives {positions} positions on [{lo:g}, {hi:g}]; an explorer's "
                         f"slider needs at least {MIN_POSITIONS}")
    param = alt.param(name=name, value=value,
                      bind=alt.binding_range(min=lo, max=hi, step=step, name=label))
    return param, Control(label, digits=digits, power=power)


class VegaExplorer:
    """An Altair chart with sliders, shown live in a kernel and in the static book.

    Parameters
    ----------
    chart : altair.Chart (or a layered or concatenated chart)
        The chart, with its slider parameters added (``chart.add_params``).
    controls : dict
        ``{parameter name: Control}``, as :func:`slider` returns them, for
        every slider of the chart. Radio buttons and menus
        (``alt.binding_radio``, ``alt.binding_select``) need none.
    alt : str
        The alt text: what the figure shows, for screen readers.
    name : str
        A page-unique name, used for the block's ``id`` and in tests.
    drags : dict, optional
        ``{slider name: y scale name}``: marks whose datum has ``drag`` equal to
        the slider's name can be dragged up and down, and the pointer's height,
        read on that scale of the compiled chart (``"y"`` for a single view,
        ``"concat_1_y"`` for the second panel of an ``hconcat``), sets the slider.

    Examples
    --------
    >>> import altair as alt
    >>> h, control = slider("h", 0.0, 1.0, 0.5, "height")
    >>> chart = alt.Chart(alt.Data(values=[{"x": 0}])).mark_bar().encode(
    ...     x="x:O", y=alt.datum(0.5)).add_params(h)
    >>> ex = VegaExplorer(chart, {"h": control}, alt="One bar.", name="bar")
    >>> 'class="vega-explorer"' in ex.to_html()
    True
    """

    def __init__(self, chart: Any, controls: dict[str, Control], *, alt: str, name: str,
                 drags: dict[str, str] | None = None):
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("alt must be a non-empty description of the figure")
        if not isinstance(name, str) or not name.replace("-", "_").isidentifier():
            raise ValueError(f"name must be a word such as 'softmax-bars', got {name!r}")
        spec = chart.to_dict()
        spec["config"] = _merged(BASE_CONFIG, spec.get("config", {}))
        spec.setdefault("description", alt)  # Vega's aria-label on the drawn SVG
        params = _params(spec)
        bound = {p["name"] for p in params
                 if isinstance(p.get("bind"), dict) and p["bind"].get("input") == "range"}
        if set(controls) != bound:
            raise ValueError(f"controls must describe exactly the chart's sliders {sorted(bound)}, "
                             f"got {sorted(controls)}")
        # Radio buttons and menus read their own labels; the page reports their values too.
        self.choices = sorted(p["name"] for p in params
                              if isinstance(p.get("bind"), dict) and p["name"] not in bound)
        drags = dict(drags or {})
        if not set(drags) <= set(controls) or not all(isinstance(v, str) for v in drags.values()):
            raise ValueError(f"drags must map some of the sliders {sorted(controls)} to the "
                             f"names of y scales, got {drags!r}")
        self.drags = drags
        self.chart, self.controls, self.alt, self.name = chart, dict(controls), alt, name
        self.spec = spec
        self._widget = None

    def __repr__(self) -> str:
        return f"VegaExplorer({self.name!r}: {self.alt!r})"

    @property
    def values(self) -> dict[str, float]:
        """The sliders' current values (in a kernel, as the reader left them)."""
        if self._widget is not None:
            return {k: getattr(self._widget.params, k) for k in [*self.controls, *self.choices]}
        names = {*self.controls, *self.choices}
        return {p["name"]: p["value"] for p in _params(self.spec) if p["name"] in names}

    def _fallback(self) -> tuple[str, str]:
        """The default state drawn ahead: ``(mime type, data)``, SVG if small, else PNG."""
        import vl_convert as vlc

        svg = vlc.vegalite_to_svg(_fixed_width(self.spec), vl_version=_VL_VERSION)
        if len(svg) <= _SVG_LIMIT:
            return "image/svg+xml", svg
        return "image/png", base64.b64encode(self.png()).decode("ascii")

    def png(self, scale: float = 2.0) -> bytes:
        """The default state as PNG, at ``scale`` times the chart's size."""
        import vl_convert as vlc

        return vlc.vegalite_to_png(_fixed_width(self.spec), scale=scale, vl_version=_VL_VERSION)

    def to_html(self) -> str:
        """The block for the static book: the spec, its controls and the drawn default."""
        kind, data = self._fallback()
        if kind == "image/svg+xml":
            # The SVG's own text is its alt text: give it a role and a label.
            still = data.replace("<svg ", f'<svg role="img" aria-label="{html.escape(self.alt)}" ',
                                 1)
        else:
            still = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
                     f'width="{_width(self.spec)}">')
        meta = {**self._meta(), "alt": self.alt}
        payload = json.dumps({"spec": self.spec, "meta": meta}, separators=(",", ":"))
        payload = payload.replace("</", "<\\/")  # never close the script element early
        return (f'<div class="vega-explorer" id="explorer-{html.escape(self.name)}" '
                f'data-name="{html.escape(self.name)}">'
                f'<div class="vega-explorer-chart" role="figure" '
                f'aria-label="{html.escape(self.alt)}"></div>'
                f'<div class="vega-explorer-still">{still}</div>'
                f'<script type="application/json" class="vega-explorer-spec">{payload}</script>'
                f'</div>')

    def _meta(self) -> dict:
        """What controls.js needs: the sliders' labels, the choices, the draggable marks."""
        return {"controls": {k: {"label": c.label, "digits": c.digits, "power": c.power}
                             for k, c in self.controls.items()},
                "choices": self.choices, "drags": self.drags}

    @property
    def widget(self):
        """The live view: Altair's ``JupyterChart``, offline, sharing this chart."""
        if self._widget is None:
            self._widget = _live_chart_class()(self.chart, book_controls=self._meta())
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<explorer: {self.alt}>", "text/html": self.to_html(),
                  "image/png": base64.b64encode(self.png()).decode("ascii")}
        if os.environ.get(BOOK_BUILD_ENV, "") == "1":
            # The book build: the page embeds the text/html; a widget would only add
            # its state (a megabyte of script) to the page.
            return bundle
        try:
            view = self.widget._repr_mimebundle_()
        except Exception:  # no kernel with widgets (a plain Python session): the HTML will do
            return bundle
        if isinstance(view, tuple):
            view = view[0]
        bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle


# Added to Altair's JupyterChart script, after the book's controls.js: the chart's
# controls are labelled, keep their keys in JupyterLab and drag as in the static book.
_LIVE_PATCH = """
async function bookRender(context) {
  const result = await render(context);
  const meta = () => context.model.get("book_controls") || {};
  const apply = () => {
    bookControls.label(context.el, meta().controls || {});
    if (context.el.bookView) bookControls.drag(context.el.bookView, context.el, meta().drags);
  };
  apply();
  new MutationObserver(apply).observe(context.el, {childList: true, subtree: true});
  return result;
}
export default { render: bookRender }
"""
#: Where Altair's script embeds the chart: the view is kept on the element for dragging.
_LIVE_EMBED = "api = await vegaEmbed(el, spec, embedOptions);"


def controls_script() -> str:
    """The explorers' control script (labels, keys, dragging), shared by book and kernel."""
    from importlib.resources import files

    return files("helpers.explorer").joinpath("controls.js").read_text(encoding="utf-8")


_LIVE_CLASS = None


def _live_chart_class():
    """JupyterChart, offline (its scripts bundled by vl-convert), with the book's controls."""
    global _LIVE_CLASS
    if _LIVE_CLASS is None:
        import altair as alt
        import traitlets
        import vl_convert as vlc
        from altair.jupyter.jupyter_chart import load_js_src

        lines = load_js_src().split("\n")
        while lines and (not lines[0].strip() or lines[0].startswith(("import", "//"))):
            lines.pop(0)  # the CDN imports: the bundle provides vegaEmbed and lodashDebounce
        source = "\n".join(lines)
        if "export default { render }" not in source:
            raise RuntimeError("Altair's JupyterChart script changed: update _LIVE_PATCH")
        if _LIVE_EMBED not in source:
            raise RuntimeError("Altair's JupyterChart script changed: update _LIVE_EMBED")
        source = source.replace(_LIVE_EMBED, _LIVE_EMBED + " el.bookView = api.view;")
        source = controls_script() + source.replace("export default { render }", _LIVE_PATCH)

        class BookChart(alt.JupyterChart):
            _esm = vlc.javascript_bundle(source, vl_version=_VL_VERSION)
            book_controls = traitlets.Dict().tag(sync=True)

        _LIVE_CLASS = BookChart
    return _LIVE_CLASS


def _merged(base: dict, over: dict) -> dict:
    """``base`` updated by ``over``, key by key in nested dictionaries."""
    out = dict(base)
    for key, value in over.items():
        out[key] = (_merged(out[key], value) if isinstance(value, dict)
                    and isinstance(out.get(key), dict) else value)
    return out


def _params(spec: dict) -> list[dict]:
    """Every parameter of a (possibly layered or concatenated) chart spec."""
    found = list(spec.get("params", []))
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []):
            found.extend(_params(sub))
    return found


#: The width, in CSS pixels, of the still drawn for a chart as wide as its container.
STILL_WIDTH = 560


def _fixed_width(spec: dict) -> dict:
    """The spec with a container width replaced by :data:`STILL_WIDTH` (no page to fill)."""
    def fix(part):
        if isinstance(part, dict):
            return {k: (STILL_WIDTH if k == "width" and v == "container" else fix(v))
                    for k, v in part.items()}
        if isinstance(part, list):
            return [fix(v) for v in part]
        return part
    return fix(spec)


def _width(spec: dict) -> int:
    width = _fixed_width(spec).get("width")
    return int(width) if isinstance(width, (int, float)) else STILL_WIDTH
