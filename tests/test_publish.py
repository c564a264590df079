"""Publishing: the citation file, the publishing workflow, and what each chapter page
offers a reader who wants to run or cite it (a Colab button, a BibTeX entry)."""

from __future__ import annotations

import doctest
import html
import re

import book_publish  # book/_ext, on pytest's pythonpath as on Sphinx's
import pytest
import yaml

import helpers
from tests.support.book import notebooks
from tests.support.tools import actionlint, cffconvert
from tools.project import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
CONFIG = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())


def test_the_citation_file_is_valid_cff():
    result = cffconvert("--validate", "-i", "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_the_citation_gives_this_version_and_address():
    meta = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert meta["version"] == helpers.__version__
    assert meta["repository-code"] == CONFIG["repository"]["url"]
    assert meta["title"] == CONFIG["title"]


def test_a_broken_citation_is_refused():
    """cffconvert really validates: a file with no authors fails."""
    meta = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    del meta["authors"]
    broken = ROOT / "build" / "tools" / "broken.cff"
    broken.write_text(yaml.safe_dump(meta))
    assert cffconvert("--validate", "-i", str(broken)).returncode != 0


def test_the_publishing_workflow_passes_actionlint():
    assert actionlint(WORKFLOW) == []


def test_actionlint_finds_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text().replace("${{ github.token }}", "${{ github.tokn }}"))
    assert [f["kind"] for f in actionlint(bad)] == ["expression"]


def test_the_workflow_builds_strictly_publishes_and_releases():
    flow = yaml.safe_load(WORKFLOW.read_text())
    steps = [s.get("run", "") for s in flow["jobs"]["build"]["steps"]]
    assert "python3 tasks.py build" in steps and "python3 tasks.py dist" in steps
    assert any(".nojekyll" in s for s in steps)
    assert flow["jobs"]["pages"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert flow["jobs"]["release"]["if"] == "startsWith(github.ref, 'refs/tags/v')"
    # The branch the Colab buttons open is the one the workflow writes.
    assert f"git push --force origin {book_publish.NOTEBOOKS_BRANCH}" in \
        flow["jobs"]["notebooks"]["steps"][-1]["run"]


def test_the_extension_examples_run():
    assert doctest.testmod(book_publish).failed == 0


def test_colab_needs_a_github_repository():
    with pytest.raises(ValueError, match="GitHub"):
        book_publish.colab_url("https://gitlab.com/a/b", "book", "chapters/x")


@pytest.mark.build
@pytest.mark.parametrize("name", [n for n in notebooks() if n.startswith("chapters/")])
def test_each_chapter_has_colab_and_a_citation(built_book, name):
    page = (built_book / f"{name}.html").read_text()
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    colab = (f"https://colab.research.google.com/github/{repo}/blob/"
             f"{book_publish.NOTEBOOKS_BRANCH}/book/{name}.ipynb")
    assert f'href="{colab}"' in page
    assert page.count(">Colab<") <= 1 and "blob/main/book/" not in page  # not the theme's
    entry = html.unescape(re.search(r'id="cite-this-chapter".*?<code>(.*?)</code>', page,
                                    re.S).group(1))
    h1 = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", page, re.S)
                              .group(1))).rstrip("#").strip()
    assert f"  title     = {{{h1}}}," in entry
    assert entry.startswith(f"@incollection{{softmax-book-{name.split('/')[-1]},")
    assert f"/{name}.html}}" in entry and entry.count("{") == entry.count("}")
