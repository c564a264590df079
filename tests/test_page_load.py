"""What a reader downloads: a cold load of every page, every shared asset included.

The site is served as GitHub Pages serves it, text gzip-compressed, and each page
is opened in a fresh browser context, so nothing comes from a cache. For every
response the browser reports the bytes it received (compressed) and the bytes it
decoded; the totals of each page go to ``artifacts/cold-load.json`` and are
printed. The theme's icon script, the search index outside the search page,
MathJax on a page without maths and the Vega bundle on a page without explorers
each fail the test if they come back (``book/_ext/book_assets.py``).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.book import toc_pages
from tests.support.server import serve
from tools.project import ROOT

pytestmark = pytest.mark.browser

PAGES = [*toc_pages(), "search"]
BUDGET = 2_500_000  # bytes a reader downloads for one page, cold (issue: at most 2.5 MB)
# Uncompressed, MathJax (1.17 MB) and the Vega bundle (0.90 MB) alone weigh 2.07 MB on
# a chapter with explorers; this ceiling on the decoded bytes catches any other regrowth.
DECODED_CEILING = 4_000_000
RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def gzip_url(built_book):
    with serve(built_book, compress=True) as url:
        yield url


def cold_load(browser, url: str, name: str) -> dict[str, dict[str, int]]:
    """Every file a fresh browser fetches for `name`, with its received and decoded bytes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    files: dict[str, dict[str, int]] = {}

    def record(response):
        try:
            decoded = len(response.body())
            received = response.request.sizes()["responseBodySize"]
        except Exception:  # a redirect or an aborted request has no body
            return
        path = response.url.split("?")[0].removeprefix(url + "/")
        files[path] = {"received": received, "decoded": decoded}

    page.on("response", record)
    try:
        page.goto(f"{url}/{name}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # fonts MathJax asks for after typesetting
    finally:
        context.close()
    return files


@pytest.mark.parametrize("name", PAGES)
def test_a_cold_page_load_stays_light(browser, gzip_url, built_book, name):
    files = cold_load(browser, gzip_url, name)
    received = sum(f["received"] for f in files.values())
    decoded = sum(f["decoded"] for f in files.values())
    RESULTS[name] = {"received": received, "decoded": decoded, "files": files}
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "cold-load.json").write_text(json.dumps(RESULTS, indent=1))
    biggest = sorted(files.items(), key=lambda kv: -kv[1]["received"])[:4]
    print(f"\n{name}: {received / 1e6:.2f} MB received ({decoded / 1e6:.2f} MB decoded); "
          + ", ".join(f"{path.rsplit('/', 1)[-1]} {f['received'] // 1000} kB"
                      for path, f in biggest))

    html = (built_book / f"{name}.html").read_text(encoding="utf-8")
    names = {path.rsplit("/", 1)[-1] for path in files}
    problems = []
    if "fontawesome.js" in names:
        problems.append("the theme's Font Awesome script is loaded")
    if name != "search" and names & {"searchindex.js", "searchtools.js"}:
        problems.append("the search index is loaded outside the search page")
    has_maths = re.search(r'class="math[ "]', html) is not None
    if ("tex-mml-chtml.js" in names) != has_maths:
        problems.append(f"MathJax loaded: {'tex-mml-chtml.js' in names}, maths: {has_maths}")
    has_explorer = 'class="vega-explorer"' in html
    if ("vega-bundle.js" in names) != has_explorer:
        problems.append(f"Vega loaded: {'vega-bundle.js' in names}, explorers: {has_explorer}")
    if received > BUDGET:
        problems.append(f"{received:,} bytes received, over the budget of {BUDGET:,}")
    if decoded > DECODED_CEILING:
        problems.append(f"{decoded:,} bytes decoded, over the ceiling of {DECODED_CEILING:,}")
    assert problems == []


def test_the_search_box_of_a_chapter_finds_pages(browser, site_url):
    """The search index is left to the search page: a query typed into a chapter's
    search box opens it, with results."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site_url}/chapters/02-stability.html", wait_until="load")
        # The theme's search field is a button that opens a dialog with the form.
        page.locator("button.search-button-field:visible").first.click()
        box = page.locator("#pst-search-dialog input[name='q']")
        box.fill("temperature")
        box.press("Enter")
        page.wait_for_url(re.compile(r"search\.html\?q=temperature"), timeout=10_000)
        page.wait_for_selector("#search-results li", timeout=20_000)
        assert page.locator("#search-results li").count() > 0
    finally:
        context.close()
