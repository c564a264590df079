"""Serve the explorers' scripts from the build, on the pages that have explorers.

An explorer (:mod:`helpers.explorer.vega`) is a ``.vega-explorer`` block in a
cell's HTML output; ``explorer.js`` embeds its chart with Vega, Vega-Lite and
vega-embed. Those three come as one bundle from the pinned vl-convert-python
(``vl_convert.javascript_bundle``), written into the build, so the book needs
no CDN and no require.js. The bundle is written as an ES module that sets three
globals (``vegaEmbed``, ``vega``, ``vegaLite``); it is served wrapped in a function,
as a classic deferred script, so its top-level names (one is ``_``) stay out of the
page's global scope, where Sphinx keeps its own ``_``, and it never calls require.js's
anonymous ``define()``. Classic scripts, unlike modules, also run from ``file://``:
the offline bundle of the site works when opened from a folder.

The files go to ``_static/explorer/`` of the output at the end of the build,
not into the book's ``_static`` source folder, because jupyter-book adds every
script found there to every page; here :func:`add_explorer_scripts` adds them
only to pages whose body holds an explorer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent / "explorer"
#: The scripts, in load order: the Vega bundle, the control script the live chart
#: shares (helpers.explorer.vega.controls_script), and the embedding script.
SCRIPTS = ("vega-bundle.js", "controls.js", "explorer.js")
FILES = ("explorer.js", "explorer.css")
VL_VERSION = "6.4"  # the Vega-Lite that helpers.explorer.vega compiles for


def has_explorer(body: str) -> bool:
    """Whether a page's HTML body holds an explorer block."""
    return 'class="vega-explorer"' in body


def add_explorer_scripts(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or not has_explorer(context.get("body", "")):
        return
    # Deferred: they run in this order, after the page is parsed.
    for name in SCRIPTS:
        app.add_js_file(f"explorer/{name}", defer="defer")
    app.add_css_file("explorer/explorer.css")


def write_assets(target: Path) -> list[str]:
    """Write the explorers' scripts and style into ``target``; their names, in load order.

    The Vega bundle, the package's ``controls.js`` (which the live chart shares), and
    ``explorer.js`` are classic scripts, loaded in this order; ``explorer.css`` is last.
    """
    import vl_convert as vlc

    from helpers.explorer.vega import controls_script

    target.mkdir(parents=True, exist_ok=True)
    # In a function, the bundle's own top-level names stay its own (see above).
    (target / "vega-bundle.js").write_text(
        '(function () {\n"use strict";\n' + vlc.javascript_bundle(vl_version=VL_VERSION)
        + "\n})();\n", encoding="utf-8")
    (target / "controls.js").write_text(controls_script(), encoding="utf-8")
    for name in FILES:
        shutil.copy(HERE / name, target / name)
    return ["vega-bundle.js", "controls.js", *FILES]


def write_explorer_files(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_assets(Path(app.outdir) / "_static" / "explorer")


def setup(app) -> dict:
    app.connect("html-page-context", add_explorer_scripts)
    app.connect("build-finished", write_explorer_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
