"""What a published chapter offers beyond its text: a Colab button and a citation.

- **Colab.** The theme's own Colab button would open the chapter's source, a
  MyST Markdown file, which Colab cannot read. Ours opens the chapter's
  notebook on the repository's ``notebooks`` branch, where the publishing
  workflow (``.github/workflows/publish.yml``) puts the ``.ipynb`` that
  jupytext makes of every chapter.
- **Cite this chapter.** Each chapter page ends with a BibTeX entry for the
  chapter, made from ``CITATION.cff`` (the one place the book's title,
  authors, version and address are written) and the chapter's title.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

#: The branch the publishing workflow writes the chapters' notebooks to.
NOTEBOOKS_BRANCH = "notebooks"
COLAB = "https://colab.research.google.com/github"


def citation(srcdir) -> dict | None:
    """The book's citation metadata, from the CITATION.cff beside the book's folder.

    None where there is none: a sample book built from a few pages elsewhere (the
    tests build some) gets no citation.
    """
    path = Path(srcdir).resolve().parent / "CITATION.cff"
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def colab_url(repository: str, path_to_book: str, pagename: str) -> str:
    """The Colab address of a page's notebook on the notebooks branch.

    >>> colab_url("https://github.com/org/book", "book", "chapters/01-softmax")
    'https://colab.research.google.com/github/org/book/blob/notebooks/book/chapters/01-softmax.ipynb'
    """
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repository)
    if match is None:
        raise ValueError(f"repository must be a GitHub address, got {repository!r}")
    org, repo = match.groups()
    prefix = f"{path_to_book.strip('/')}/" if path_to_book.strip("/") else ""
    return f"{COLAB}/{org}/{repo}/blob/{NOTEBOOKS_BRANCH}/{prefix}{pagename}.ipynb"


def bibtex(meta: dict, chapter: str, pagename: str) -> str:
    """A BibTeX ``@incollection`` entry for one chapter of the book.

    >>> meta = {"title": "A Book", "authors": [{"name": "The authors"}], "version": "1.0",
    ...         "date-released": "2026-01-02", "url": "https://example.org/book/"}
    >>> print(bibtex(meta, "Softmax", "chapters/01-softmax"))
    @incollection{softmax-book-01-softmax,
      author    = {{The authors}},
      title     = {Softmax},
      booktitle = {A Book},
      year      = {2026},
      edition   = {1.0},
      url       = {https://example.org/book/chapters/01-softmax.html},
    }
    """
    names = []
    for person in meta["authors"]:
        if "name" in person:  # an organisation or a group: braced, so BibTeX keeps it whole
            names.append("{" + person["name"] + "}")
        else:
            names.append(f"{person['family-names']}, {person['given-names']}")
    key = "softmax-book-" + pagename.rsplit("/", 1)[-1]
    fields = [("author", " and ".join(names)), ("title", chapter),
              ("booktitle", meta["title"]), ("year", str(meta["date-released"])[:4]),
              ("edition", str(meta["version"])),
              ("url", meta["url"].rstrip("/") + f"/{pagename}.html")]
    body = "".join(f"  {name:<9} = {{{value}}},\n" for name, value in fields)
    return f"@incollection{{{key},\n{body}}}"


def _is_chapter(pagename: str) -> bool:
    return pagename.startswith("chapters/")


def add_colab_button(app, pagename, templatename, context, doctree) -> None:
    """Replace the theme's Colab entry (or add one) in the launch menu of a chapter."""
    if not _is_chapter(pagename):
        return
    theme = app.config.html_theme_options
    url = colab_url(theme.get("repository_url", ""), theme.get("path_to_docs", ""), pagename)
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        buttons = [b for b in group["buttons"] if b.get("text") != "Colab"]
        buttons.insert(1, {"type": "link", "text": "Colab", "url": url,
                           "tooltip": "Open this chapter's notebook in Colab",
                           "icon": "_static/images/logo_colab.png"})
        group["buttons"] = buttons


def add_citation(app, pagename, templatename, context, doctree) -> None:
    """End each chapter page with a BibTeX entry for the chapter."""
    if not _is_chapter(pagename) or "body" not in context:
        return
    meta = citation(app.srcdir)
    if meta is None:
        return
    title = re.sub(r"<[^>]+>", "", context.get("title", "")).strip()
    entry = bibtex(meta, html.unescape(title), pagename)
    context["body"] += (
        '<section class="cite-chapter" id="cite-this-chapter">'
        '<h2>Cite this chapter<a class="headerlink" href="#cite-this-chapter" '
        'title="Link to this heading">#</a></h2>'
        f"<pre><code>{html.escape(entry)}</code></pre></section>")


def setup(app) -> dict:
    # After the theme has made its launch buttons (priority 500).
    app.connect("html-page-context", add_colab_button, priority=600)
    app.connect("html-page-context", add_citation)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
