"""Launch buttons, downloads and the hub option of the HTML build."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import book_html  # book/_ext, on pytest's pythonpath as on Sphinx's
import pytest
import yaml

from tests.support.book import notebooks
from tools.project import ROOT

CONFIG = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/")


@pytest.mark.build
@pytest.mark.parametrize("name", notebooks())
def test_launch_buttons_point_at_the_repository(built_book, name):
    page = (built_book / f"{name}.html").read_text()
    binder = f"https://mybinder.org/v2/gh/{REPO}/{CONFIG['repository']['branch']}"
    assert f'href="{binder}?urlpath=lab/tree/book/{name}.md"' in page
    assert "thebe-launch-button" in page or "Live Code" in page


@pytest.mark.build
@pytest.mark.parametrize("name", notebooks())
def test_every_chapter_offers_its_notebook(built_book, name):
    page = (built_book / f"{name}.html").read_text()
    href = f"_sources/{name}.ipynb"
    assert re.search(rf'href="(\.\./)*{re.escape(href)}"', page)
    nb = json.loads((built_book / href).read_text())
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    source = (ROOT / "book" / f"{name}.md").read_text()
    assert len(code) == source.count("```{code-cell}"), "cells lost in the download"


class TestJupyterHubOption:
    def config(self):
        return SimpleNamespace(html_theme_options={"launch_buttons": {"binderhub_url": "x"}})

    def test_url_from_environment(self, monkeypatch):
        monkeypatch.setenv("BOOK_JUPYTERHUB_URL", "https://hub.example.edu/")
        config = self.config()
        book_html.set_jupyterhub_url(None, config)
        assert config.html_theme_options["launch_buttons"] == {
            "binderhub_url": "x", "jupyterhub_url": "https://hub.example.edu"}

    def test_unset_leaves_config_alone(self, monkeypatch):
        monkeypatch.delenv("BOOK_JUPYTERHUB_URL", raising=False)
        config = self.config()
        book_html.set_jupyterhub_url(None, config)
        assert "jupyterhub_url" not in config.html_theme_options["launch_buttons"]

    def test_rejects_a_non_url(self, monkeypatch):
        monkeypatch.setenv("BOOK_JUPYTERHUB_URL", "hub.example.edu")
        with pytest.raises(Exception, match="BOOK_JUPYTERHUB_URL must be an http"):
            book_html.set_jupyterhub_url(None, self.config())


def test_binder_files():
    """Binder builds requirements.txt at the root and runs postBuild."""
    assert not (ROOT / "binder").exists(), "a binder/ folder would hide the root files"
    requirements = (ROOT / "requirements.txt").read_text()
    assert "-e ." in requirements and "jupytext==" in requirements
    assert "set-default-viewer" in (ROOT / "postBuild").read_text()


def test_every_direct_dependency_is_pinned():
    for name in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), f"{name}: {line}"
    assert "jupyter-book==1.0.4.post1" in (ROOT / "requirements.txt").read_text()


@pytest.mark.parametrize("name", [n for n in notebooks() if n.startswith("chapters/")])
def test_solutions_start_folded_in_jupyterlab(name):
    """Binder shows what the HTML shows: every solution cell starts hidden.

    JupyterLab folds a cell whose metadata has ``jupyter.source_hidden``; the
    chapters mark each solution's prose and code that way.
    """
    import jupytext

    nb = jupytext.read(ROOT / "book" / f"{name}.md")
    inside, solutions = False, 0
    for cell in nb.cells:
        if "{solution-start}" in cell.source:
            inside, solutions = True, solutions + 1
        if inside:
            assert cell.metadata.get("jupyter", {}).get("source_hidden"), (
                f"{name}: a solution cell is not folded:\n{cell.source[:200]}")
        if "{solution-end}" in cell.source:
            inside = False
    assert solutions >= 4, f"{name} has {solutions} exercises with solutions"
