"""The HTML book as a reader meets it: navigation on phones and on desktops.

sphinx-book-theme 1.3.0 renders its own sidebar buttons in the article header
(``.primary-toggle``, ``.secondary-toggle``). pydata-sphinx-theme 0.17.1, which it
builds on, also renders a top navbar whenever ``navbar_persistent`` is not empty,
and since 0.17 that navbar carries a second, hidden pair of buttons with the same
classes; its default ``navbar_persistent`` is ``["search-button-field"]``. Both
themes' scripts bind to ``document.querySelector(".primary-toggle")``, the first
in the page, which is the hidden navbar button, so the menu button a reader can
see opens nothing: at 390 px it shows only its tooltip, at 1280 px it does not
collapse the sidebar (pydata-sphinx-theme issue #2451, sphinx-book-theme #988 and
#999). The navbar's search field also duplicated the sidebar's at 1280 px (#986).

:func:`drop_theme_navbar` sets ``navbar_persistent`` to an empty list: the navbar
is not rendered, the article header's buttons are the first of their classes,
and both themes' scripts bind to them. Nothing is lost: sphinx-book-theme hides
that navbar's buttons, and its sidebar and article header hold their own search.

Figures are drawn at twice their size, for sharp lines on phones and high-density
screens, which doubles their bytes. :func:`compact_images` stores each PNG of
``_images`` in 256 colours when that changes no pixel by more than a trace on
average (a figure has a few flat colours and their anti-aliased edges), which
keeps a chapter's page within its 1 MB budget (tests/test_browser.py).

The rest of the reader's side lives in ``_static``: ``book.css`` (dark mode,
headings, figures) and ``book-reader.js`` (the cue on wide equations and the
"Back to top" button in the article header). jupyter-book adds every script in
``_static`` to every page; :func:`ensure_reader_script` makes sure this one is.
"""

from __future__ import annotations

import io
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

READER_SCRIPT = "book-reader.js"
#: The largest mean change per channel (of 255) that 256 colours may make to a
#: figure; beyond it (a photograph, a smooth gradient) the PNG is only recompressed.
MAX_MEAN_ERROR = 0.5


def drop_theme_navbar(app: Sphinx, config) -> None:
    """Render no pydata-sphinx-theme navbar, so the visible sidebar buttons work."""
    options = dict(config.html_theme_options)
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options


def ensure_reader_script(app: Sphinx, config) -> None:
    """Load ``book-reader.js`` on every page (jupyter-book normally has already)."""
    names = [f[0] if isinstance(f, (tuple, list)) else f for f in config.html_js_files]
    if READER_SCRIPT not in names:
        config.html_js_files = [*config.html_js_files, READER_SCRIPT]


def compact_png(path: Path) -> int:
    """Rewrite a PNG smaller without a visible change; return the bytes saved.

    An opaque RGBA image loses its alpha channel; it is then stored with a palette
    of 256 colours (median cut, no dithering) if that moves each channel by at most
    :data:`MAX_MEAN_ERROR` on average, or else recompressed losslessly. The file is
    rewritten only if that makes it smaller.
    """
    from PIL import Image, ImageChops, ImageStat

    before = path.stat().st_size
    with Image.open(path) as source:
        source.load()
        image = source
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    candidates = []
    if image.mode == "RGB":
        palette = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        error = ImageStat.Stat(ImageChops.difference(image, palette.convert("RGB"))).mean
        if max(error) <= MAX_MEAN_ERROR:
            candidates.append(palette)
    candidates.append(image)
    best = None
    for candidate in candidates:
        buffer = io.BytesIO()
        candidate.save(buffer, "PNG", optimize=True)
        if best is None or buffer.tell() < len(best):
            best = buffer.getvalue()
    if len(best) >= before:
        return 0
    path.write_bytes(best)
    return before - len(best)


def compact_images(app: Sphinx, exception: Exception | None) -> None:
    """Make the build's figures (``_images/*.png``) smaller; see :func:`compact_png`."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / "_images"
    saved = sum(compact_png(path) for path in sorted(folder.glob("*.png")))
    if saved:
        logger.info(f"[book_reader] figures made smaller by {saved:,} bytes")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", drop_theme_navbar, priority=900)
    app.connect("config-inited", ensure_reader_script, priority=900)
    app.connect("build-finished", compact_images)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
