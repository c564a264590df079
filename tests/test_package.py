"""The package as pip installs it: its data, its dependencies, its version.

These run on the source tree, with no virtual environment of their own: the
data are found the way an installed copy finds them (importlib.resources)
and are declared as package data, every import in src/helpers is a declared
dependency, and the version is written once.  A fresh ``pip install .`` in
a new venv, then ``load_iris()``, is the end-to-end check (see the closing
note of the issue); these tests keep its preconditions true.
"""

import ast
import fnmatch
import functools
import importlib.metadata
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

import helpers
from helpers import training

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "helpers"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
# The instructor's tools start here; they, and the modules only they import,
# may use the `instructor` extra as well as the dependencies.
INSTRUCTOR_ENTRY = "assign"


def normalised(name):
    """A distribution name as pip compares them (PEP 503)."""
    return name.lower().replace("_", "-").replace(".", "-")


def requirement_names(requirements):
    """The distribution names of requirement strings such as 'numpy>=2'."""
    names = set()
    for requirement in requirements:
        for stop in "<>=!~[; ":
            requirement = requirement.split(stop)[0]
        names.add(normalised(requirement))
    return names


def _optional_imports(tree):
    """Import statements inside ``try: ... except ImportError:``: the module copes without."""
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError",
                                                               "ModuleNotFoundError")
                for h in node.handlers):
            optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return optional


def imported_top_level(path):
    """Every top-level module a file imports, also inside functions, but for the
    optional ones (imported in a ``try`` whose ``except ImportError`` copes)."""
    found = set()
    tree = ast.parse(path.read_text(), filename=str(path))
    optional = _optional_imports(tree)
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@functools.cache
def providers_of_modules():
    """{top-level module: [distribution, ...]} of the installed packages."""
    return importlib.metadata.packages_distributions()


def module_name(path):
    """'checks.ch01' for src/helpers/checks/ch01.py; '' for the package."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def helpers_imported(path):
    """The modules of helpers that a file imports, by `module_name`."""
    parts = module_name(path).split(".") if module_name(path) else []
    package = parts if path.name == "__init__.py" else parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.removeprefix("helpers").lstrip(".")
                      for a in node.names if a.name.split(".")[0] == "helpers"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:                       # from . import x, from .x import y
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            elif node.module.split(".")[0] == "helpers":
                module = node.module.removeprefix("helpers").lstrip(".")
            else:
                continue
            found.add(module)                    # and `from m import submodule`:
            found |= {f"{module}.{a.name}".lstrip(".") for a in node.names}
    return found & set(MODULES)


def reachable(start):
    """`start` and every module of helpers it imports, directly or not."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += helpers_imported(MODULES[name])
    return seen


@functools.cache
def instructor_only():
    """The modules only the instructor's tools import."""
    readers = set()
    for name in set(MODULES) - reachable(INSTRUCTOR_ENTRY):
        readers |= reachable(name)
    return reachable(INSTRUCTOR_ENTRY) - readers


class TestData:
    def test_iris_is_found_as_a_resource(self):
        """importlib.resources finds the data inside the package, as it does
        in an installed copy, with the note on their source and licence."""
        data = resources.files("helpers") / "data"
        assert (data / "iris.csv").is_file()
        readme = (data / "README.md").read_text()
        assert "Fisher (1936)" in readme and "Creative Commons Attribution" in readme
        assert training.IRIS_PATH == data / "iris.csv"
        assert training.load_iris().X.shape == (150, 4)

    def test_digits_are_found_as_a_resource(self):
        """The digits are package data too, with their source and licence
        in the README and the checksum of the bytes shipped."""
        data = resources.files("helpers") / "data"
        assert (data / "digits.csv.gz").is_file()
        readme = (data / "README.md").read_text()
        assert "Alpaydin and Kaynak (1998)" in readme
        assert "10.24432/C50P49" in readme and training.DIGITS_SHA256 in readme
        assert training.DIGITS_PATH == data / "digits.csv.gz"
        assert training.load_digits()[0].shape == (1797, 64)

    @pytest.mark.parametrize("name", ["iris.csv", "digits.csv.gz", "README.md"])
    def test_data_are_declared_package_data(self, name):
        """setuptools copies the file into the wheel only if a package-data
        pattern of `helpers` matches it."""
        patterns = SETUPTOOLS["package-data"]["helpers"]
        assert any(fnmatch.fnmatch(f"data/{name}", p) for p in patterns)

    def test_no_data_outside_the_package(self):
        """The old location, outside the package, is gone: nothing can
        quietly depend on a file a pip install does not have."""
        assert not (ROOT / "book" / "data").exists()


class TestDependencies:
    @pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")),
                             ids=lambda p: str(p.relative_to(SRC)))
    def test_every_import_is_declared(self, path):
        """Each module imports only the standard library, helpers itself and
        declared dependencies; helpers.assign, and the modules only it
        imports, may use the `instructor` extra too."""
        declared = requirement_names(PROJECT["dependencies"])
        if module_name(path) in instructor_only():
            declared |= requirement_names(
                PROJECT["optional-dependencies"]["instructor"])
        providers = providers_of_modules()
        for module in imported_top_level(path) - {"helpers"}:
            if module in sys.stdlib_module_names:
                continue
            distributions = {normalised(d) for d in providers.get(module, [module])}
            assert distributions & declared, (
                f"{path.name} imports {module} (from {sorted(distributions)}), "
                "which pyproject.toml does not declare")


class TestVersion:
    def test_written_once(self):
        """pyproject.toml takes the version from helpers.__version__."""
        assert "version" not in PROJECT
        assert "version" in PROJECT["dynamic"]
        assert SETUPTOOLS["dynamic"]["version"] == {"attr": "helpers.__version__"}

    def test_installed_metadata_agrees(self):
        """The installed distribution reports the same version."""
        assert importlib.metadata.version("softmax-book-helpers") == helpers.__version__

    def test_instructor_modules(self):
        """The split itself: assign and what only it uses, nothing a chapter
        imports (the chapters' modules must run on the dependencies alone)."""
        only = instructor_only()
        assert INSTRUCTOR_ENTRY in only
        for name in ("numerics", "reference", "training", "mi", "checks"):
            assert name not in only


def test_every_jupyterlab_extension_works_with_the_pinned_jupyterlab():
    """JupyterLab switches off, with only a mark in ``jupyter labextension list``, an
    extension whose dependencies its version does not meet: jupyterlab-myst (the chapters'
    exercise boxes and admonitions in JupyterLab) went silently inert that way."""
    import re
    import subprocess

    listing = subprocess.run([sys.executable, "-m", "jupyterlab.labextensions", "list"],
                             capture_output=True, text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(r"jupyterlab-myst v\S+ enabled OK", text), text
    assert "not compatible" not in text, text
