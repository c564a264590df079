"""The whole nbgrader course loop, for every chapter, through a local exchange.

The course folder is made as the instructor's guide says
(``python -m helpers.assign --all --nbgrader --out COURSE``: one assignment a
chapter), and then, with a course id and an exchange folder in ``tmp``:

1. the instructor runs ``generate_assignment`` and ``release_assignment`` for
   each chapter;
2. three students, each in a home of their own, ``fetch_assignment`` all nine,
   edit them and ``submit`` each: ``correct`` fills every answer cell with the
   solution (and the written cells with the worked answer), ``wrong`` fills
   the code answers with a wrong one, ``blank`` hands in what was fetched;
3. the instructor runs ``collect``, ``autograde`` and ``generate_feedback``
   for each student.

Time is what shapes the fixture. Starting ``nbgrader`` costs about 3 s, and
the loop needs about 80 commands, so each role (the instructor, a student)
runs its commands in one Python process through ``NbGraderApp``, as
nbgrader's own test suite does (``tests/support`` holds nothing of it: the
runner is :data:`RUNNER`). Autograde executes 27 notebooks, most of the
time, so the three students work and are graded at once: each student's
submissions are collected, autograded and given feedback as soon as they are
in (``--student``), against a copy of the gradebook made after the release,
because SQLite lets one process write at a time; the scores are read from
each student's copy.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from test_assign import leaked, secret_lines, solution_regions, toc_chapters

from tools import project
from tools.project import ROOT

pytestmark = pytest.mark.build

COURSE_ID = "softmax-course"
STUDENTS = ("correct", "wrong", "blank")
WRONG_VALUE = "-1.2345"
CHAPTERS = [path.stem for path in toc_chapters()]  # one assignment each, named after it

# nbgrader's command-line apps, run in turn in one process (the way
# nbgrader/tests/__init__.py:run_nbgrader does), stopping at the first failure.
RUNNER = """
import json, sys
from jupyter_core.application import NoStart
from nbgrader.apps import NbGraderApp

for argv in json.loads(sys.argv[1]):
    app = NbGraderApp.instance()
    try:
        app.initialize(argv)
        app.start()
        code = 0
    except NoStart:
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        app.reset()
    if code:
        sys.exit(f"nbgrader {' '.join(argv)} exited with {code}")
"""


def _env(home: Path | None = None) -> dict[str, str]:
    """The venv on PATH (nbgrader runs `alembic`), explorers drawing only their
    current state as in any kernel, and a student's own home."""
    env = project.book_env()
    env.pop("HELPERS_BOOK_BUILD", None)
    if home is not None:
        env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
                   JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"))
    return env


def _run(*cmd: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(list(cmd), cwd=cwd, env=env or _env(), capture_output=True,
                            text=True)
    assert result.returncode == 0, f"{cmd[:4]} failed:\n{result.stdout[-3000:]}" \
                                   f"{result.stderr[-6000:]}"


def _nbgrader(commands: list[list[str]], *, cwd: Path, home: Path | None = None) -> None:
    _run(sys.executable, "-c", RUNNER, json.dumps(commands), cwd=cwd, env=_env(home))


class Course:
    """The folders of the loop and the options every command shares."""

    def __init__(self, root: Path):
        self.root, self.course, self.exchange = root, root / "course", root / "exchange"
        self.exchange.mkdir()
        self.common = [f"--CourseDirectory.course_id={COURSE_ID}",
                       f"--Exchange.root={self.exchange}"]

    def instructor(self, db: Path | None = None) -> list[str]:
        db = db or self.course / "gradebook.db"
        return [*self.common, f"--CourseDirectory.root={self.course}", f"--db=sqlite:///{db}"]

    def gradebook(self, student: str) -> Path:
        return self.course / f"gradebook-{student}.db"

    def home(self, student: str) -> Path:
        return self.root / "home" / student


def _edit(fetched: Path, source: Path, student: str) -> None:
    """The student's work: the fetched notebook with its answer cells filled in."""
    notebook = nbformat.read(fetched, as_version=4)
    answers = nbformat.read(source, as_version=4)
    if student == "wrong":
        answers = wrong_submission(answers)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c.source for c in answers.cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and student != "blank":
            if cell.cell_type == "code" or student == "correct":
                cell.source = by_id[meta["grade_id"]]
    nbformat.write(notebook, fetched)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    """The loop, run once for the nine chapters and the three students."""
    loop = Course(tmp_path_factory.mktemp("loop"))
    _run(sys.executable, "-m", "helpers.assign", "--all", "--nbgrader",
         "--out", str(loop.course), cwd=ROOT)
    instructor = loop.instructor()
    _nbgrader([[step, name, *instructor] for name in CHAPTERS
               for step in ("generate_assignment", "release_assignment")], cwd=loop.course)

    def student_and_grader(student: str) -> None:
        # SQLite lets one process write at a time: each student's work is collected
        # and graded against a copy of the gradebook made after the release.
        shutil.copy(loop.course / "gradebook.db", loop.gradebook(student))
        home = loop.home(student)
        home.mkdir(parents=True)
        _nbgrader([["fetch_assignment", *CHAPTERS, *loop.common]], cwd=home, home=home)
        for name in CHAPTERS:
            _edit(home / name / f"{name}.ipynb",
                  loop.course / "source" / name / f"{name}.ipynb", student)
        # As a hub passes the user's name; here there is one account for all three.
        me = f"--CourseDirectory.student_id={student}"
        _nbgrader([["submit", name, *loop.common, me] for name in CHAPTERS],
                  cwd=home, home=home)
        mine = [*loop.instructor(loop.gradebook(student)), me]
        # A loaded test machine can be slow to send a cell's output.
        _nbgrader([["collect", name, *mine] for name in CHAPTERS]
                  + [["autograde", name, "--create", "--Execute.iopub_timeout=60",
                      "--Execute.timeout=600", *mine] for name in CHAPTERS]
                  + [["generate_feedback", name, *mine] for name in CHAPTERS], cwd=loop.course)

    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        list(pool.map(student_and_grader, STUDENTS))
    return loop


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


def _cells(path: Path) -> list[tuple[nbformat.NotebookNode, dict]]:
    return [(c, c.metadata.get("nbgrader", {})) for c in nbformat.read(path, 4).cells]


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_release_has_no_solutions(course, chapter):
    """What the exchange hands out, and what a student fetched, hold no solution."""
    name = chapter.stem
    released = course.exchange / COURSE_ID / "outbound" / name / f"{name}.ipynb"
    fetched = course.home("blank") / name / f"{name}.ipynb"
    assert released.is_file() and fetched.is_file()
    secrets = nbgrader_secrets(chapter.read_text())
    assert secrets
    assert leaked(released, secrets) == [] and leaked(fetched, secrets) == []
    cells = _cells(released)
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
    source = course.course / "source" / name / f"{name}.ipynb"
    assert len(tests) == sum("check" in c.metadata.get("tags", []) for c, _ in _cells(source))


def _points(source: Path) -> tuple[float, float]:
    """(code points, written points) of a source notebook, from its metadata."""
    cells = _cells(source)
    code = sum(m["points"] for c, m in cells if m.get("grade") and c.cell_type == "code")
    written = sum(m["points"] for c, m in cells if m.get("grade") and c.cell_type == "markdown")
    return code, written


def _scores(course: Course, student: str) -> dict[str, dict]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course.gradebook(student)}") as gradebook:
        for name in CHAPTERS:
            nb = gradebook.find_submission_notebook(name, name, student)
            out[name] = {"code": nb.code_score, "max_code": nb.max_code_score,
                         "written": nb.written_score, "max_written": nb.max_written_score,
                         "manual": nb.needs_manual_grade}
    return out


@pytest.mark.parametrize("student", STUDENTS)
def test_autograde_scores(course, student):
    """Full marks for the solutions, nothing for wrong answers or none; the written
    answers wait for a grader, and are worth what the source says."""
    scores = _scores(course, student)
    for name in CHAPTERS:
        code, written = _points(course.course / "source" / name / f"{name}.ipynb")
        got = scores[name]
        assert code > 0 and written > 0, name  # every chapter has both kinds
        assert got["max_code"] == pytest.approx(code) and \
            got["max_written"] == pytest.approx(written), name
        assert got["code"] == pytest.approx(code if student == "correct" else 0), name
        assert got["written"] == 0, name  # nothing is given before a grader reads it
        # A written answer left as released is scored 0 by nbgrader with no grader;
        # any other waits for one.
        assert got["manual"] is (student == "correct"), name


def _test_outputs(course: Course, student: str, name: str) -> list[str]:
    path = course.course / "autograded" / student / name / f"{name}.ipynb"
    texts = []
    for cell, meta in _cells(path):
        if meta.get("grade") and not meta.get("solution"):
            texts.append("\n".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs))
    return texts


@pytest.mark.parametrize("name", CHAPTERS)
def test_autograded_feedback_says_why(course, name):
    """Each test cell tells the student what the check found."""
    assert all(t.startswith("[correct]") for t in _test_outputs(course, "correct", name))
    assert all("[wrong" in t for t in _test_outputs(course, "wrong", name))
    assert all("[not attempted]" in t for t in _test_outputs(course, "blank", name))


@pytest.mark.parametrize("student", STUDENTS)
def test_feedback_is_generated(course, student):
    """Each student gets a feedback page a chapter, with the autograded score."""
    for name in CHAPTERS:
        page = course.course / "feedback" / student / name / f"{name}.html"
        assert page.is_file(), page
        text = page.read_text()
        assert f"Exercise {int(name[:2])}.1: " in text and ":::" not in text  # plain Markdown
        code, written = _points(course.course / "source" / name / f"{name}.ipynb")
        score, total = map(float, re.search(r"Score: ([\d.]+) / ([\d.]+)", text).groups())
        assert total == pytest.approx(code + written), name
        assert score == pytest.approx(code if student == "correct" else 0), name


def test_students_worked_in_their_own_homes(course):
    """Each fetched into their own home, and each submission is theirs by name."""
    inbound = course.exchange / COURSE_ID / "inbound"
    records = {tuple(p.name.split("+")[:2]) for p in inbound.iterdir()}
    assert records == {(s, n) for s in STUDENTS for n in CHAPTERS}
    for student in STUDENTS:
        assert sorted(p.name for p in course.home(student).iterdir()
                      if not p.name.startswith(".")) == sorted(CHAPTERS)
        submitted = course.course / "submitted" / student
        assert sorted(p.name for p in submitted.iterdir()) == sorted(CHAPTERS)


def test_the_runner_stops_at_a_failure(tmp_path):
    """A failing command fails the fixture instead of passing silently."""
    result = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(
        [["release_assignment", "nowhere", f"--CourseDirectory.root={tmp_path}",
          f"--Exchange.root={tmp_path}", "--CourseDirectory.course_id=x"]])],
        cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert result.returncode != 0 and "release_assignment nowhere" in result.stderr
