"""What every page loads: lighter shared assets for the HTML book.

A cold load of a chapter used to bring 5.1–5.8 MB, of which the theme gave
1.6 MB that no reader needs:

- **Font Awesome's script** (``_static/scripts/fontawesome.js``, 1.45 MB) on
  every page, which turns each ``<i class="fa-…">`` icon into an inline SVG.
  pydata-sphinx-theme's stylesheet already draws the same icons from Font
  Awesome's webfonts, which it ships too; without the script the icons are
  those glyphs. ``templates/layout.html`` leaves the script out, and
  :func:`subset_icon_fonts` cuts each webfont (156, 118 and 25 kB as
  WOFF2) down to the glyphs of the icons the built site names, with
  fontTools (which matplotlib already installs) and Brotli for WOFF2.
- **Sphinx's search index** (``searchindex.js`` and ``searchtools.js``) on
  every page, for a search-as-you-type the theme has switched off: the
  search box sends its query to ``search.html``, which loads them itself.

MathJax is already added only to pages with maths (Sphinx's default), and
the explorers' Vega bundle only to pages with explorers
(``book/_ext/explorers.py``).  The browser tests measure a cold load of every
page, served gzip-compressed as GitHub Pages serves it
(``tests/test_page_load.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
FONTS = "_static/vendor/fontawesome/webfonts"
SCRIPT = "_static/scripts/fontawesome.js"

# An icon class in a page or a theme script ("fa-bars"), and a rule of the
# theme's stylesheet that gives icons their code point:
# .fa-bars:before,.fa-navicon:before{content:"\f0c9"}
_ICON = re.compile(r"\bfa-[a-z0-9-]+\b")
_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:+before,?)+)\{content:"\\([0-9a-f]+)"\}')


def add_templates(app: Sphinx, config) -> None:
    """Put ``templates/`` first, so its ``layout.html`` extends the theme's."""
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def icon_code_points(stylesheet: str) -> dict[str, int]:
    """The code point of each icon class the stylesheet defines.

    Examples
    --------
    >>> icon_code_points('.fa-bars:before,.fa-navicon:before{content:"\\\\f0c9"}')
    {'fa-bars': 61641, 'fa-navicon': 61641}
    """
    points = {}
    for selectors, code in _RULE.findall(stylesheet):
        for name in re.findall(r"\.(fa-[a-z0-9-]+)", selectors):
            points[name] = int(code, 16)
    return points


def icons_used(site: Path) -> set[str]:
    """The ``fa-`` classes named in the site's pages and in its scripts (icons a
    script may add later, such as the theme switcher's)."""
    names = set()
    for path in [*site.rglob("*.html"), *(site / "_static").rglob("*.js")]:
        names |= set(_ICON.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return names


def subset_icon_fonts(site: Path) -> dict[str, tuple[int, int]]:
    """Cut each Font Awesome webfont of `site` down to the icons it uses.

    Returns the sizes before and after, in bytes, by file name. A font left
    with none of the glyphs keeps only ``.notdef``, which fontTools needs.
    """
    from fontTools import subset

    stylesheet = (site / "_static/styles/pydata-sphinx-theme.css").read_text(encoding="utf-8")
    points = icon_code_points(stylesheet)
    unicodes = sorted({points[name] for name in icons_used(site) if name in points})
    sizes = {}
    for path in sorted((site / FONTS).glob("*")):
        if path.suffix not in (".woff2", ".ttf"):
            continue
        before = path.stat().st_size
        options = subset.Options()
        options.flavor = "woff2" if path.suffix == ".woff2" else None
        options.layout_features = ["*"]
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        subset.save_font(font, str(path), options)
        sizes[path.name] = (before, path.stat().st_size)
    return sizes


def lighten(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    site = Path(app.outdir)
    for leftover in (site / SCRIPT, site / f"{SCRIPT}.map"):
        leftover.unlink(missing_ok=True)  # no page loads them any more
    if (site / FONTS).is_dir():
        sizes = subset_icon_fonts(site)
        logger.info("icon fonts: " + ", ".join(f"{name} {a // 1000} -> {b // 1000} kB"
                                                for name, (a, b) in sizes.items()))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_templates)
    app.connect("build-finished", lighten)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
