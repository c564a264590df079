"""nbgrader on the emitted source folder: release, then autograde.

The course folder is made exactly as the instructor's guide says:
``python -m helpers.assign --all --nbgrader --assignment book --out COURSE``,
then ``nbgrader generate_assignment`` and ``nbgrader autograde`` run in it
with a throw-away SQLite gradebook.  One assignment holds every chapter, so
that nbgrader starts only twice; only the first chapter is submitted.

Three students submit it: ``correct`` hands in the source notebook (the
solutions), ``wrong`` the solutions with every answer region replaced by a
wrong answer, and ``blank`` the released notebook untouched.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from test_assign import leaked, secret_lines, solution_regions, toc_chapters

from tools import project
from tools.project import ROOT

pytestmark = pytest.mark.build

ASSIGNMENT = "book"
STUDENTS = ("correct", "wrong", "blank")
WRONG_VALUE = "-1.2345"


def _env() -> dict[str, str]:
    """A student's environment: the venv on PATH (nbgrader runs `alembic`), and
    explorers drawing only their current frame, as in any kernel."""
    env = project.book_env()
    env.pop("HELPERS_BOOK_BUILD", None)
    return env


def _run(*cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(list(cmd), cwd=cwd, env=_env(), capture_output=True, text=True)
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout[-3000:]}{result.stderr[-5000:]}"
    return result


def _nbgrader(command: str, course: Path, *extra: str) -> subprocess.CompletedProcess:
    return _run(str(project.BIN / "nbgrader"), command, ASSIGNMENT, "--force",
                f"--CourseDirectory.root={course}", f"--db=sqlite:///{course / 'gradebook.db'}",
                *extra, cwd=course)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with the book released and the first chapter graded."""
    course = tmp_path_factory.mktemp("course")
    _run(sys.executable, "-m", "helpers.assign", "--all", "--nbgrader",
         "--assignment", ASSIGNMENT, "--out", str(course), cwd=ROOT)
    _nbgrader("generate_assignment", course)
    name = f"{toc_chapters()[0].stem}.ipynb"
    source = nbformat.read(course / "source" / ASSIGNMENT / name, as_version=4)
    released = nbformat.read(course / "release" / ASSIGNMENT / name, as_version=4)
    submissions = {"correct": source, "wrong": wrong_submission(source), "blank": released}
    for student, notebook in submissions.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / name)
    # A loaded test machine can be slow to send a cell's output.
    _nbgrader("autograde", course, "--create", "--Execute.iopub_timeout=60")
    return course


def wrong_submission(source):
    """The solutions with the code between the markers replaced by a wrong answer.

    Inside a function the region becomes ``return -1.2345``; at the top level
    every name the region assigns gets -1.2345.
    """
    notebook = nbformat.from_dict(source)
    for cell in notebook.cells:
        if not cell.metadata.get("nbgrader", {}).get("solution") or cell.cell_type != "code":
            continue
        lines = cell.source.split("\n")
        begin = next(i for i, line in enumerate(lines) if "### BEGIN SOLUTION" in line)
        end = next(i for i, line in enumerate(lines) if "### END SOLUTION" in line)
        indent = lines[begin][:len(lines[begin]) - len(lines[begin].lstrip())]
        region = textwrap.dedent("\n".join(lines[begin + 1:end]))
        if indent:
            wrong = [f"{indent}return {WRONG_VALUE}"]
        else:
            names = [t.id for node in ast.walk(ast.parse(region))
                     if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                     for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                     if isinstance(t, ast.Name)]
            wrong = [f"{n} = {WRONG_VALUE}" for n in dict.fromkeys(names)]
        cell.source = "\n".join(lines[:begin] + wrong + lines[end + 1:])
    return notebook


def nbgrader_secrets(text: str) -> list[str]:
    """The solution lines a released notebook must not show.

    nbgrader shows the code of an answer cell outside its markers (a
    function's signature and docstring), so only the prose and the code
    between the markers are secret.
    """
    solution, _ = solution_regions(text)
    shown, in_code, in_answer = [], False, False
    for line in solution:
        if line.startswith("```"):
            in_code = line.startswith("```{code-cell}")
        elif in_code and "### BEGIN SOLUTION" in line:
            in_answer = True
        elif in_code and "### END SOLUTION" in line:
            in_answer = False
        elif in_code and not in_answer:
            shown.append(line.strip())
    return [s for s in secret_lines(text) if s not in shown]


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_release_has_no_solutions(course, chapter):
    released = course / "release" / ASSIGNMENT / f"{chapter.stem}.ipynb"
    assert released.is_file()
    secrets = nbgrader_secrets(chapter.read_text())
    assert secrets
    assert leaked(released, secrets) == []
    nb = nbformat.read(released, as_version=4)
    cells = [(c, c.metadata.get("nbgrader", {})) for c in nb.cells]
    answers = [c for c, m in cells if m.get("solution") and c.cell_type == "code"]
    written = [c for c, m in cells if m.get("solution") and c.cell_type == "markdown"]
    tests = [c for c, m in cells if m.get("grade") and not m.get("solution")]
    assert answers and tests
    assert all("raise NotImplementedError()" in c.source for c in answers)
    assert all(c.source == "YOUR ANSWER HERE" for c in written)
    for cell in tests:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] and meta["points"] == 1 and cell.metadata["editable"] is False
        assert re.search(r"\.assert_correct\(\)\)", cell.source)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{chapter.stem}.ipynb", 4)
    assert len(tests) == sum("check" in c.metadata.get("tags", []) for c in source.cells)


def _scores(course: Path) -> dict[str, tuple[float, float, float]]:
    from nbgrader.api import Gradebook

    name = toc_chapters()[0].stem
    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            nb = gradebook.find_submission_notebook(name, ASSIGNMENT, student)
            out[student] = (nb.code_score, nb.max_code_score, nb.written_score)
    return out


def test_autograde_scores(course):
    scores = _scores(course)
    checks = sum(len(e.checks) for e in _first_chapter().exercises)
    assert scores["correct"] == (checks, checks, 0)    # full marks on every check
    assert scores["wrong"] == (0, checks, 0)           # every wrong answer rejected
    assert scores["blank"] == (0, checks, 0)           # nothing for nothing


def _first_chapter():
    from helpers.assign import read_chapter

    return read_chapter(toc_chapters()[0])


def _test_outputs(course: Path, student: str) -> list[str]:
    name = f"{toc_chapters()[0].stem}.ipynb"
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / name, as_version=4)
    texts = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            texts.append("\n".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs))
    return texts


def test_autograded_feedback_says_why(course):
    """Each test cell tells the student what the check found."""
    assert all(t.startswith("[correct]") for t in _test_outputs(course, "correct"))
    assert all("[wrong" in t for t in _test_outputs(course, "wrong"))
    assert all("[not attempted]" in t for t in _test_outputs(course, "blank"))
