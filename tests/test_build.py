"""The real, strict build of the book (slow: it executes every chapter)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.book import notebooks, toc_pages
from tools import project
from tools.project import ROOT

pytestmark = pytest.mark.build


def test_every_page_is_built(built_book):
    for name in toc_pages():
        assert (built_book / f"{name}.html").is_file(), name


def test_notebooks_are_executed(built_book):
    """Each notebook page shows cell outputs that only execution produces."""
    assert notebooks(), "the book has no notebooks"
    for name in notebooks():
        page = (built_book / f"{name}.html").read_text()
        outputs = re.findall(r'class="cell_output', page)
        assert outputs, f"{name}: no cell outputs in the page"
        assert "Traceback" not in page, f"{name}: a traceback was rendered"


@pytest.mark.parametrize("name", [n for n in toc_pages() if n.startswith("chapters/")])
def test_every_explorer_is_a_vega_chart_with_local_scripts(built_book, name):
    """Each chapter's explorers are Vega-Lite blocks (no precomputed frames, no widget
    state), and the page loads no script or stylesheet from another host."""
    page = (built_book / f"{name}.html").read_text()
    assert page.count('class="vega-explorer"') >= 1, f"{name}: no explorer"
    assert "explorer-data" not in page and "application/vnd.jupyter.widget-state" not in page
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', page)


def test_vega_explorers_carry_spec_still_and_local_scripts(built_book):
    """A Vega-Lite explorer's block holds its spec and a still, and the page loads the
    bundle, the package's controls.js and explorer.js from the build itself, deferred
    and in that order; pages without one do not."""
    page = (built_book / "chapters" / "01-softmax.html").read_text()
    blocks = re.findall(r'class="vega-explorer-spec">(.*?)</script>', page)
    assert len(blocks) == 2
    for block in blocks:
        data = json.loads(block)
        assert data["spec"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
        assert data["meta"]["controls"] and data["meta"]["alt"]
    assert page.count('class="vega-explorer-still"><svg ') == 2
    where = []
    for name in ("vega-bundle.js", "controls.js", "explorer.js"):
        # Sphinx adds a checksum (?v=...) when a rebuild finds the file already written.
        tag = re.search(rf'<script defer="defer" src="\.\./_static/explorer/{re.escape(name)}'
                        r'(\?v=[0-9a-f]+)?"></script>', page)
        assert tag, name
        where.append(tag.start())
        assert (built_book / "_static" / "explorer" / name).stat().st_size > 1000
    assert where == sorted(where)
    assert "explorer/vega-bundle.js" not in (built_book / "notation.html").read_text()


def test_rebuild_uses_the_cache(built_book):
    """jupyter-cache holds an up-to-date executed copy of every notebook."""
    from jupyter_cache import get_cache

    cache = get_cache(ROOT / "book" / "_build" / ".jupyter_cache")
    cached = {Path(r.uri).resolve() for r in cache.list_project_records()}
    import jupytext

    for name in notebooks():
        path = (ROOT / "book" / f"{name}.md").resolve()
        mode = jupytext.read(path).metadata.get("mystnb", {}).get("execution_mode")
        if mode == "force":   # a page that reads other pages runs on every build
            continue
        assert path in cached, f"{name} is not in the execution cache"
        record = cache.get_project_record(str(path))
        assert cache.get_cached_project_nb(record.pk) is not None, f"{name}: stale cache"


def test_broken_cell_fails_the_build(tmp_path):
    """A cell that raises makes the strict build exit non-zero."""
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib"):
        shutil.copy(ROOT / "book" / name, book / name)
    for folder in ("_static", "_ext"):
        shutil.copytree(ROOT / "book" / folder, book / folder)
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: broken\n")
    (book / "intro.md").write_text("# Intro\n\nText.\n")
    header = (ROOT / "book" / "chapters" / "01-softmax.md").read_text().split("---")[1]
    (book / "broken.md").write_text(
        f"---{header}---\n\n# Broken\n\n```{{code-cell}} ipython3\n1 / 0\n```\n")
    result = subprocess.run(project.jupyter_book_command(book), cwd=tmp_path,
                            env=project.book_env(), capture_output=True, text=True)
    assert result.returncode != 0
    reports = list((book / "_build" / "html" / "reports").glob("broken*.log"))
    assert reports and "ZeroDivisionError" in reports[0].read_text()


def _product(sizes):
    out = 1
    for s in sizes:
        out *= s
    return out


def test_every_named_figure_is_rendered(built_book):
    """A figure cell with a caption and a name produces an image in the page.

    (A figure that silently produces no output, e.g. under a non-interactive
    matplotlib backend, would otherwise pass the build.)
    """
    for name in notebooks():
        source = (ROOT / "book" / f"{name}.md").read_text()
        page = (built_book / f"{name}.html").read_text()
        for fig in re.findall(r"^\s+name:\s*(fig-[\w-]+)\s*$", source, re.M):
            block = re.search(rf'<figure[^>]*id="{fig}".*?</figure>', page, re.S)
            assert block, f"{name}: figure {fig} is missing"
            if 'class="vega-explorer"' in block.group(0):
                # A Vega-Lite explorer: its still is an SVG with a role and a label, or,
                # where the SVG would be large, a PNG with alt text.
                still = block.group(0).split('class="vega-explorer-still">', 1)[-1]
                assert re.match(r'<svg role="img" aria-label="[^"]+', still) or re.match(
                    r'<img src="data:image/png;base64,[^"]+" alt="[^"]+', still), \
                    f"{name}: explorer {fig} has no labelled still"
                continue
            assert "<img" in block.group(0), f"{name}: figure {fig} has no image"
            assert re.search(r'<img[^>]+alt="[^"]+', block.group(0)), f"{fig} has no alt text"


def test_no_markup_is_shown_as_text(built_book):
    """No page shows Markdown's backticks or a MyST role as text, in its prose or in the
    tables the book's extension writes (the instructor's exercise table)."""
    shown = {}
    for name in toc_pages():
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        article = html.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
        # Code is the one place a backtick may appear as itself.
        text = re.sub(r"<(pre|code|script|style)\b.*?</\1>", "", article, flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
        found = re.findall(r"`[^`\n]{1,60}`|\{(?:ref|numref|eq|doc|glue:text)\}", text)
        if found:
            shown[name] = found[:5]
    assert shown == {}


def test_bibliography_keys_are_unique():
    """A key lives in exactly one .bib file (duplicates break citations)."""
    seen: dict[str, Path] = {}
    for bib in [ROOT / "book" / "references.bib", *sorted((ROOT / "book" / "bib").glob("*.bib"))]:
        for key in re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(), re.M):
            assert key not in seen, f"{key} is in {seen.get(key)} and {bib}"
            seen[key] = bib


def test_every_check_passes_on_its_solution(built_book):
    """In the book each check runs on the worked solution, so each says correct."""
    for name in notebooks():
        page = (built_book / f"{name}.html").read_text()
        verdicts = re.findall(r'class="check-feedback".*?<strong[^>]*>(.*?)</strong>', page, re.S)
        source = (ROOT / "book" / f"{name}.md").read_text()
        assert len(verdicts) == len(re.findall(r":tags: \[check\]", source)), name
        assert all("Correct" in v for v in verdicts), f"{name}: {verdicts}"
