"""The static view: an explorer as one self-contained block of HTML.

Every combination of control values is drawn ahead of time, and a small
inline script swaps the frame as the reader moves a control; the block
loads nothing from the network.  This renderer knows the spec and the
values to show, nothing else, so that a renderer which computes in the
browser can take its place behind :meth:`StaticView.html`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from .frames import draw_all, figure_to_png
from .spec import ExplorerSpec, Slider, Steps

__all__ = ["StaticCanvas", "StaticView"]


class StaticCanvas:
    """Draws book frames: a fresh constrained layout, reduced to a palette.

    Examples
    --------
    >>> from helpers.explorer.spec import Slider
    >>> spec = ExplorerSpec(lambda ax, x: ax.plot([0, x]), {"x": Slider(0, 1, 1)}, alt="A line.")
    >>> StaticCanvas(spec).png({"x": 1})[:4]
    b'\\x89PNG'
    """

    def __init__(self, spec: ExplorerSpec):
        self.spec = spec
        self.figure = Figure(figsize=spec.figsize, layout="constrained")

    def png(self, values: Mapping[str, Any]) -> bytes:
        self.spec.draw_on(self.figure, values)
        return figure_to_png(self.figure, dpi=self.spec.dpi)


class StaticView:
    """The HTML of an explorer, with every frame or only the one shown."""

    def __init__(self, spec: ExplorerSpec):
        self.spec = spec
        self.canvas = StaticCanvas(spec)

    def frames(self) -> tuple[list[str], list[int]]:
        """Every frame, deduplicated.

        Returns the distinct frames as base64 PNGs, and for each combination
        of control values (last control varying fastest) the index of its
        frame.
        """
        distinct: dict[str, int] = {}
        images: list[str] = []
        index: list[int] = []
        for png in draw_all(self.spec, StaticCanvas, self.spec.combos(), here=self.canvas):
            key = hashlib.sha1(png).hexdigest()
            if key not in distinct:
                distinct[key] = len(images)
                images.append(base64.b64encode(png).decode("ascii"))
            index.append(distinct[key])
        return images, index

    def html(self, values: Mapping[str, Any], *, all_frames: bool = True) -> str:
        """A self-contained HTML block: image, controls and a tiny script.

        With `all_frames` false it holds only the frame for `values`, and
        its controls are disabled.
        """
        spec = self.spec
        if all_frames:
            images, index = self.frames()
        else:
            images = [base64.b64encode(self.canvas.png(values)).decode("ascii")]
            index = None
        uid = "ex-" + hashlib.sha1(
            (spec.alt + repr(sorted(values.items())) + str(len(images))).encode()
        ).hexdigest()[:10]
        current = spec.position(values)
        rows = [self._control_html(uid, i, name, current[i], live=all_frames)
                for i, name in enumerate(spec.names)]
        data = {"sizes": [len(c.values()) for c in spec.controls.values()],
                "index": index, "frames": images, "alt": spec.alt,
                "labels": [c.label or n for n, c in spec.controls.items()]}
        note = "" if all_frames else (
            '<p class="explorer-note">Run this notebook, or open the HTML book, '
            "to move the controls.</p>")
        first = images[index[_flat(current, data["sizes"])] if index else 0]
        caption = (f'<figcaption class="explorer-caption">{html.escape(spec.caption)}'
                   "</figcaption>") if spec.caption else ""
        return (
            f'<figure class="helpers-explorer" id="{uid}" data-explorer="{uid}">'
            f'<div class="explorer-controls">{"".join(rows)}</div>'
            f'<img class="explorer-frame" src="data:image/png;base64,{first}" '
            f'alt="{html.escape(spec.alt_text(values), quote=True)}">{note}{caption}'
            f'<script type="application/json" class="explorer-data">'
            f"{json.dumps(data, separators=(',', ':'))}</script>"
            f"<script>{_SCRIPT}helpersExplorer(document.getElementById('{uid}'));</script>"
            "</figure>"
        )

    def _control_html(self, uid: str, i: int, name: str, pos: int, *, live: bool) -> str:
        control = self.spec.controls[name]
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


def _flat(position, sizes) -> int:
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
      var shown = el.tagName === 'SELECT' ? el.options[pos].text
                                          : JSON.parse(el.dataset.values)[pos];
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
    inputs.forEach(function (el) {
      el.addEventListener('input', update);
      el.addEventListener('change', update);
    });
    update();
  }
};
"""
