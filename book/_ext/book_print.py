"""The printed page: ``_static/print.css``, and each explorer's live address.

- **print.css** is linked with ``media="print"``, so a browser loads it for
  printing (and "Save as PDF") only and never lets it delay the screen.
  (jupyter-book links every ``.css`` of ``_static`` for all media; that
  link is dropped for this one.)
- **Explorers** print as their still picture; on paper the sliders do
  nothing, so each Vega-Lite explorer carries ``data-live-url``, the
  address of the same explorer in the published book, which print.css
  prints below it.  The address is ``html_baseurl`` (``html: baseurl:`` in ``_config.yml``)
  if set, else the GitHub Pages site of ``repository: url:``
  (``https://github.com/org/repo`` is published at
  ``https://org.github.io/repo/``).
"""

from __future__ import annotations

import html
import re

#: A Vega-Lite explorer's opening tag (helpers.explorer.vega), with its id.
_EXPLORER = re.compile(r'<(div class="vega-explorer")( id="([^"]+)")')


def site_url(baseurl: str, repository_url: str) -> str:
    """Where the book is published, ending in ``/``; empty if it cannot be told.

    Examples
    --------
    >>> site_url("", "https://github.com/softmax-book/softmax-book")
    'https://softmax-book.github.io/softmax-book/'
    >>> site_url("https://example.org/book", "https://github.com/a/b")
    'https://example.org/book/'
    >>> site_url("", "https://gitlab.com/a/b")
    ''
    """
    if not isinstance(baseurl, str) or not isinstance(repository_url, str):
        raise TypeError("baseurl and repository_url must be str")
    if baseurl:
        return baseurl.rstrip("/") + "/"
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repository_url)
    if match is None:
        return ""
    org, repo = match.groups()
    return f"https://{org.lower()}.github.io/{repo}/"


def mark_explorers(body: str, page_url: str) -> str:
    """Give every Vega-Lite explorer in `body` a ``data-live-url``: `page_url` and its id.

    Examples
    --------
    >>> mark_explorers('<div class="vega-explorer" id="explorer-t">', "https://x/p.html")
    '<div class="vega-explorer" data-live-url="https://x/p.html#explorer-t" id="explorer-t">'
    """
    def add(match: re.Match) -> str:
        url = html.escape(f"{page_url}#{match.group(3)}", quote=True)
        return f'<{match.group(1)} data-live-url="{url}"{match.group(2)}'

    return _EXPLORER.sub(add, body)


def add_live_urls(app, pagename, templatename, context, doctree) -> None:
    if "body" not in context:
        return
    base = site_url(app.config.html_baseurl or "",
                    app.config.html_theme_options.get("repository_url", "") or "")
    if base:
        context["body"] = mark_explorers(context["body"], f"{base}{pagename}.html")


def link_for_print_only(app, config) -> None:
    config.html_css_files = [entry for entry in config.html_css_files
                             if entry != "print.css"
                             and not (isinstance(entry, (list, tuple)) and entry[0] == "print.css")]


def setup(app) -> dict:
    app.add_css_file("print.css", media="print")
    app.connect("config-inited", link_for_print_only)
    # Late, after the extensions that write the explorers' HTML into the body.
    app.connect("html-page-context", add_live_urls, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
