"""A bare page holding explorer blocks, with the book's explorer scripts, for browser tests."""

from __future__ import annotations

from pathlib import Path


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
