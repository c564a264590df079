"""The offline bundle (``python3 tasks.py dist``): its files, their checksums,
and the zipped site opened from the disk in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from test_pdf import built_pdf  # noqa: F401 - the session's PDF, built once

from tests.support.pages import vega_explorer_problems, wait_for_math
from tools import dist
from tools.project import BOOK
from tools.toc import notebook_pages as toc_notebooks



@pytest.fixture(scope="session")
def bundle(built_book, built_pdf, tmp_path_factory):  # noqa: F811
    """The bundle, written from this run's HTML and PDF to a scratch folder."""
    return dist.make_dist(tmp_path_factory.mktemp("dist"))


@pytest.mark.build
def test_the_bundle_is_named_by_the_version(bundle):
    ver = dist.version()
    import helpers

    assert ver == helpers.__version__
    assert sorted(p.name for p in bundle["html"].parent.iterdir()) == sorted(
        dist.artefact_names(ver).values())


@pytest.mark.build
def test_the_checksums_verify(bundle):
    folder = bundle["sums"].parent
    assert dist.verify_sums(folder) == []
    lines = bundle["sums"].read_text().splitlines()
    assert [line.split("  ")[1] for line in lines] == [
        bundle["html"].name, bundle["notebooks"].name, bundle["pdf"].name]
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=folder, check=True)


def test_a_changed_file_fails_its_checksum(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"one")
    (tmp_path / "SHA256SUMS").write_text(dist.sha256sums(tmp_path, ["a.zip"]))
    assert dist.verify_sums(tmp_path) == []
    (tmp_path / "a.zip").write_bytes(b"two")
    assert dist.verify_sums(tmp_path) == ["a.zip"]


@pytest.mark.build
def test_the_html_zip_holds_the_whole_site(bundle, built_book):
    prefix = f"softmax-book-{dist.version()}/"
    with zipfile.ZipFile(bundle["html"]) as archive:
        names = archive.namelist()
        assert all(name.startswith(prefix) for name in names)
        inside = {name[len(prefix):] for name in names}
        built = {p.relative_to(built_book).as_posix() for p in built_book.rglob("*")
                 if p.is_file() and p.name not in (".buildinfo", ".nojekyll")}
        assert inside == built
        for needed in ("index.html", "search.html", "searchindex.js",
                       "_static/explorer/explorer.js"):
            assert needed in inside, needed
        assert any(re.fullmatch(r"_static/mathjax/tex-.*chtml\.js", name) for name in inside), \
            "MathJax is missing"
        assert archive.read(prefix + "index.html") == (built_book / "index.html").read_bytes()


@pytest.mark.build
def test_the_notebooks_zip_holds_every_chapter(bundle):
    import jupytext
    import nbformat

    expected = [f"{page}.ipynb" for page in dist.notebook_pages()]
    chapters = sorted(f"chapters/{p.stem}.ipynb" for p in (BOOK / "chapters").glob("*.md"))
    assert set(chapters) <= set(expected) and len(chapters) == 9
    # Only a page that needs the book's own sources to run is left out.
    assert {f"{p}.ipynb" for p in toc_notebooks(BOOK)} - set(expected) == {"pacing.ipynb"}
    with zipfile.ZipFile(bundle["notebooks"]) as archive:
        assert archive.namelist() == expected
        for name in expected:
            notebook = nbformat.reads(archive.read(name).decode("utf-8"), as_version=4)
            nbformat.validate(notebook)
            source = jupytext.read(BOOK / name.replace(".ipynb", ".md"))
            assert [c.cell_type for c in notebook.cells] == [c.cell_type for c in source.cells]
            assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.build
def test_the_pdf_is_the_built_one(bundle, built_pdf):  # noqa: F811
    assert bundle["pdf"].read_bytes() == built_pdf.read_bytes()
    assert bundle["pdf"].read_bytes()[:5] == b"%PDF-"


@pytest.fixture(scope="session")
def unpacked_site(bundle, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(bundle["html"]) as archive:
        archive.extractall(where)
    return where / f"softmax-book-{dist.version()}"


def _watch_file_page(page) -> list[str]:
    """Console errors, and any request that is not to the disk itself."""
    problems: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            problems.append(f"request off the disk: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(
        f"console {m.type}: {m.text} ({m.location.get('url', '')})") if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return problems


@pytest.mark.build
@pytest.mark.browser
def test_the_unzipped_site_works_from_file(browser, unpacked_site):
    """A chapter opened from the disk typesets its maths and its explorers
    move; the search page finds "temperature" in chapter 1."""
    page = browser.new_page()
    problems = _watch_file_page(page)
    page.goto((unpacked_site / "chapters" / "01-softmax.html").as_uri(), wait_until="load")
    wait_for_math(page)
    assert page.query_selector("mjx-container") is not None, "MathJax typeset nothing"
    explorer_faults, moves = vega_explorer_problems(page)
    assert explorer_faults == [] and moves > 0, explorer_faults
    page.goto((unpacked_site / "search.html").as_uri() + "?q=temperature", wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0",
                           timeout=30_000)
    hits = page.eval_on_selector_all("#search-results li a",
                                     "links => links.map(a => a.getAttribute('href'))")
    assert any("chapters/01-softmax.html" in href for href in hits), hits
    # Sphinx's search fetches each hit's page for a summary: from file:// the
    # browser refuses (a console error, and the promise's "Failed to fetch")
    # and the hit shows without one.  Nothing else may fail.
    refused = re.compile(r"console error: (?:Access to fetch at 'file:[^']+\.html' .*CORS policy"
                         r"|Failed to load resource: net::ERR_FAILED \(file:[^)]+\.html\))"
                         r"|page error: Failed to fetch$")
    problems = [p for p in problems if not refused.match(p)]
    assert problems == [], problems
    page.close()


def test_tasks_py_offers_the_commands():
    source = (BOOK.parent / "tasks.py").read_text()
    for command in ('"pdf"', '"dist"', '"build"', '"test"', '"setup"', '"bench"'):
        assert command in source
    assert json.dumps(dist.artefact_names("1.0")["sums"]) == '"SHA256SUMS"'
