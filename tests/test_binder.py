"""A Binder build without Docker: the pinned requirements.txt alone, then every
chapter opened through jupytext and executed headless with nbclient.

repo2docker installs requirements.txt with pip and runs postBuild; this test
does the same in a fresh virtual environment (slow: a few minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.support.book import notebooks
from tools.project import ROOT

pytestmark = pytest.mark.build

RUNNER = textwrap.dedent("""
    import sys, time
    import jupytext, nbclient
    for path in sys.argv[1:]:
        start = time.perf_counter()
        nb = jupytext.read(path)
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": "book/chapters"}}).execute()
        print(f"{path}: {time.perf_counter() - start:.1f} s", flush=True)
""")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A fresh virtual environment holding exactly requirements.txt."""
    where = tmp_path_factory.mktemp("binder")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                   cwd=ROOT, check=True)
    return where, venv


def test_postbuild_opens_markdown_as_notebooks(binder_env):
    where, venv = binder_env
    env = dict(os.environ, HOME=str(where / "home"),
               PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(["bash", "postBuild"], cwd=ROOT, env=env, check=True)
    settings = where / "home" / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(settings.read_text())[
        "@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"


def test_every_chapter_runs_in_the_binder_environment(binder_env):
    _, venv = binder_env
    chapters = [f"book/{name}.md" for name in notebooks()]
    env = {k: v for k, v in os.environ.items() if k != "HELPERS_BOOK_BUILD"}
    env["MPLBACKEND"] = "Agg"
    # Two runners, one a core, each taking every other chapter.
    runners = [subprocess.Popen([str(venv / "bin" / "python"), "-c", RUNNER, *chapters[k::2]],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for k in range(2)]
    results = [(runner, *runner.communicate()) for runner in runners]
    for runner, out, err in results:
        print(out)
        assert runner.returncode == 0, err[-5000:]
    assert sum(out.count(": ") for _, out, _ in results) == len(chapters)
