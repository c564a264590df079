"""Small HTML-build additions for the book.

- MathJax is served from the build itself, not from a CDN.
- Repeated inline scripts are dropped (they raise console errors).
- Bibliography entries get the ARIA role their list needs.

MathJax 3 comes from the pinned PyPI package ``django-static-mathjax``
(a plain copy of MathJax's npm release).  At build time the parts the
pages use are copied into ``_static/mathjax`` and Sphinx is pointed at
them, so the book renders its math with no network access.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

# The combined TeX/MathML-to-HTML build, the TeX extensions it may
# autoload, its fonts, and the accessibility components of its menu.
MATHJAX_PARTS = ["tex-mml-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "ui"]
MATHJAX_URL = "mathjax/tex-mml-chtml.js"


def mathjax_source() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("MathJax is missing: install the pinned requirements "
                             "(django-static-mathjax) with `python3 tasks.py build`.")
    root = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    if not (root / MATHJAX_PARTS[0]).is_file():
        raise ExtensionError(f"MathJax's es5 build is not at {root}")
    return root


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if not src.exists():
            continue
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    licence = source.parent / "LICENSE"
    if licence.is_file():
        shutil.copy2(licence, target / "LICENSE")


def point_at_local_mathjax(app: Sphinx, config) -> None:
    mathjax_source()  # fail early, with a clear message, when it is missing
    config.mathjax_path = MATHJAX_URL


def set_jupyterhub_url(app: Sphinx, config) -> None:
    """Let an instructor build an edition whose launch button opens their hub.

    ``BOOK_JUPYTERHUB_URL=https://hub.example.edu python3 tasks.py build``
    adds a JupyterHub button that pulls this repository with nbgitpuller.
    """
    url = os.environ.get("BOOK_JUPYTERHUB_URL", "").strip()
    if url:
        if not url.startswith(("https://", "http://")):
            raise ExtensionError(f"BOOK_JUPYTERHUB_URL must be an http(s) URL, got {url!r}")
        options = dict(config.html_theme_options)
        launch = dict(options.get("launch_buttons", {}))
        launch["jupyterhub_url"] = url.rstrip("/")
        options["launch_buttons"] = launch
        config.html_theme_options = options


def dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Drop repeated script tags.

    sphinx-thebe 0.3.1 and sphinx-togglebutton register their inline
    configuration twice under Sphinx 7.4, and the second
    ``const THEBE_JS_URL`` is a console error.
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # The same inline script may be registered with filename None and "".
        key = (str(getattr(script, "filename", script) or ""),
               repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # in place: the builder shares this list


def fix_citation_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the ARIA role their list container requires.

    docutils writes ``role="list"`` around entries whose role is the
    deprecated ``doc-biblioentry``; axe-core reports the list as having no
    list items (a critical violation).  ``listitem`` is what the list needs.
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", fix_citation_roles)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("config-inited", point_at_local_mathjax, priority=900)
    app.connect("config-inited", set_jupyterhub_url, priority=900)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
