"""Serve the explorers' scripts from the build, on the pages that have explorers.

An explorer (:mod:`helpers.explorer.vega`) is a ``.vega-explorer`` block in a
cell's HTML output; ``explorer.js`` embeds its chart with Vega, Vega-Lite and
vega-embed. Those three come as one bundle from the pinned vl-convert-python
(``vl_convert.javascript_bundle``), written into the build, so the book needs
no CDN and no require.js: the bundle is an ES module that sets three globals, so it
neither calls require.js's anonymous ``define()`` nor redeclares Sphinx's ``_``.

The files go to ``_static/explorer/`` of the output at the end of the build,
not into the book's ``_static`` source folder, because jupyter-book adds every
script found there to every page; here :func:`add_explorer_scripts` adds them
only to pages whose body holds an explorer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent / "explorer"
BUNDLE = "explorer/vega-bundle.js"
FILES = ("explorer.js", "explorer.css")
VL_VERSION = "6.4"  # the Vega-Lite that helpers.explorer.vega compiles for


def has_explorer(body: str) -> bool:
    """Whether a page's HTML body holds an explorer block."""
    return 'class="vega-explorer"' in body


def add_explorer_scripts(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or not has_explorer(context.get("body", "")):
        return
    # As modules: the bundle's top-level names (one is `_`) stay out of the page's
    # global scope, where Sphinx keeps its own `_`; modules run in order, after parsing.
    app.add_js_file(BUNDLE, type="module")
    app.add_js_file("explorer/explorer.js", type="module")
    app.add_css_file("explorer/explorer.css")


def write_explorer_files(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import vl_convert as vlc

    target = Path(app.outdir) / "_static" / "explorer"
    target.mkdir(parents=True, exist_ok=True)
    bundle = vlc.javascript_bundle(vl_version=VL_VERSION)
    (target / "vega-bundle.js").write_text(bundle, encoding="utf-8")
    for name in FILES:
        shutil.copy(HERE / name, target / name)


def setup(app) -> dict:
    app.connect("html-page-context", add_explorer_scripts)
    app.connect("build-finished", write_explorer_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
