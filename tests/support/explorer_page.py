"""Bare pages holding explorer blocks, with the book's explorer scripts, for browser tests.

What every explorer's browser test needs, written once: the page (:func:`write_explorer_page`,
:func:`served`), opening it with its errors recorded (:func:`open_page`), setting controls
and reading back what the chart holds (:data:`SET_AND_READ`, :func:`table`), and
screenshots in both themes (:func:`screenshots_in_both_themes`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

# The book's dark page, which a bare test page does not have.
DARK_PAGE = ('<style>html[data-theme="dark"] body { background: #121212; color: #ced6dd; }'
             'body { font-family: system-ui, sans-serif; }</style>')

#: Sets the range and radio controls of explorer ``name`` to ``wanted`` ({control: value};
#: the others are left alone), waits for the chart, and returns what it holds: the
#: controls' values, its data tables and the texts drawn on it.
SET_AND_READ = """async ([name, wanted]) => {
  const block = document.querySelector(`.vega-explorer[data-name="${name}"]`);
  for (const input of block.querySelectorAll('input[type=range]')) {
    if (!(input.name in wanted)) continue;
    input.value = String(wanted[input.name]);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  for (const input of block.querySelectorAll('input[type=radio]')) {
    if (input.name in wanted && input.value === String(wanted[input.name]) && !input.checked) {
      input.checked = true;
      input.dispatchEvent(new Event('change', {bubbles: true}));
    }
  }
  await block.explorer.view.runAsync();
  const texts = [...block.querySelectorAll('.vega-explorer-chart text')].map(t => t.textContent);
  return {values: block.explorer.values(), datasets: block.explorer.datasets(), texts};
}"""

# The dark theme is drawn once the chart's text takes the dark page's colour.
_DARK_DRAWN = """() => [...document.querySelectorAll('.vega-explorer-chart text')].some(
    (t) => getComputedStyle(t).fill === 'rgb(206, 214, 221)')"""


def write_explorer_page(folder: Path, body: str, *, name: str = "index.html") -> Path:
    """Write ``body`` (explorer blocks' HTML) as a page that loads the scripts as the book does.

    The scripts come from the book's own extension (``book/_ext/explorers.py``), so the
    page runs exactly what a built chapter runs. A global ``_`` stands for Sphinx's.
    """
    from explorers import write_assets

    files = write_assets(folder)
    head = "".join(f'<script defer src="{f}"></script>' for f in files if f.endswith(".js"))
    page = folder / name
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="explorer.css">'
        '<script>const _ = "Sphinx keeps a global of this name";</script>'
        f'{head}</head><body style="max-width: 700px">{body}</body></html>', encoding="utf-8")
    return page


@contextlib.contextmanager
def served(folder: Path, pages: Mapping[str, str]) -> Iterator[str]:
    """Write each of ``pages`` ({file stem: explorer HTML}) with the book's dark page into
    ``folder`` and serve the folder on loopback; yields its URL."""
    from tests.support.server import serve

    for stem, body in pages.items():
        write_explorer_page(folder, DARK_PAGE + body, name=f"{stem}.html")
    # The bare pages name no icon, and the browser asks for one: not an explorer's error.
    (folder / "favicon.ico").write_bytes(b"")
    with serve(folder) as url:
        yield url


def open_page(browser, url: str, stem: str = "index", *, width: int = 800, height: int = 800):
    """Open ``{url}/{stem}.html`` once its explorers are drawn; the page and the list its
    script errors, console errors and warnings are added to."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning")
            else None)
    page.goto(f"{url}/{stem}.html")
    page.wait_for_selector(".vega-explorer[data-ready='1']", state="attached")
    return page, errors


def table(datasets: Mapping[str, list], keys, rows: int | None = None) -> list[dict]:
    """The largest data table of a chart whose rows all hold ``keys`` (and, if given,
    that has ``rows`` rows); fails, naming the tables there are, when none does."""
    found = [t for t in datasets.values()
             if t and all(k in r for r in t for k in keys) and (rows is None or len(t) == rows)]
    assert found, f"no table with {keys} among {[list(t[0]) for t in datasets.values() if t]}"
    return max(found, key=len)


def screenshots_in_both_themes(page, width: int, path: Path | str) -> None:
    """Screenshot the whole page in the light and then the dark theme, to ``path`` with
    ``{theme}`` in it replaced, after checking that nothing runs off its right edge."""
    for theme in ("light", "dark"):
        if theme == "dark":
            page.evaluate("document.documentElement.dataset.theme = 'dark'")
            page.wait_for_function(_DARK_DRAWN)
            page.wait_for_selector(".vega-explorer[data-ready='1']", state="attached")
        # Nothing wider than the page: no chart or control runs off its right edge.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, theme
        page.screenshot(path=str(path).format(theme=theme), full_page=True)
