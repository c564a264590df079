"""Student notebooks from the chapters: solutions gone, everything else kept.

The solution text a student file must not contain is found here by a small
reader of its own (:func:`solution_regions`), not by the tool under test.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers import assign
from helpers.assign import AssignError
from tools.project import BOOK, ROOT


def toc_chapters() -> list[Path]:
    """The chapters with exercises in book/_toc.yml (at least one)."""
    chapters = assign.chapters_in_toc(BOOK)
    assert chapters, "no chapter with exercises in the table of contents"
    return chapters


HEADER = (BOOK / "chapters" / "01-softmax.md").read_text().split("---")[1]

# A chapter with every shape the convention allows: a value, a function, an
# answer in words, a code exercise that also asks for words, a solution with
# two code cells, and the `+++` lines that fold a solution in JupyterLab.
SAMPLE = f"""---{HEADER}---

(ch-sample)=
# A sample chapter

```{{code-cell}} ipython3
:tags: [remove-cell]

import numpy as np

from helpers.checks import NOT_ATTEMPTED, check_function, check_value
```

Some text before the exercises, with `inline code`.

## Exercises

:::{{exercise}} A value
:label: ex-sample-value

Store $e^2$ in `e2`.
:::

```{{code-cell}} ipython3
:tags: [exercise]

e2 = NOT_ATTEMPTED
```

+++ {{"jupyter": {{"source_hidden": true}}}}

::::{{solution-start}} ex-sample-value
:class: dropdown
::::

Zanzibar: the exponential of two is about 7.389.

```{{code-cell}} ipython3
---
tags: [solution]
jupyter:
  source_hidden: true
---
### BEGIN SOLUTION
e2 = float(np.exp(2.0))  # quagga
### END SOLUTION
```

::::{{solution-end}}
::::

```{{code-cell}} ipython3
:tags: [check]

check_value(e2, np.exp(2.0), what="e2")
```

:::{{exercise}} A function
:label: ex-sample-function
:class: minutes-25

Write `double(x)`, which returns `2 * x`.
:::

```{{code-cell}} ipython3
:tags: [exercise]

def double(x):
    \"\"\"Twice x.\"\"\"
    raise NotImplementedError
```

::::{{solution-start}} ex-sample-function
:class: dropdown
::::

Xylophone: multiply by two.

```{{code-cell}} ipython3
---
tags: [solution]
jupyter:
  source_hidden: true
---
def double(x):
    \"\"\"Twice x.\"\"\"
    ### BEGIN SOLUTION
    return 2 * x  # wombat
    ### END SOLUTION
```

::::{{solution-end}}
::::

```{{code-cell}} ipython3
:tags: [check]

check_function(double, lambda x: 2 * x, [(1.0,), (np.arange(3.0),)], what="double")
```

:::{{exercise}} In words
:label: ex-sample-words

Explain why $e^0 = 1$.
:::

+++ {{"jupyter": {{"source_hidden": true}}}}

::::{{solution-start}} ex-sample-words
:class: dropdown
::::

Yodelling: any number to the power zero is one, and

$$
e^0 = \\lim_{{n \\to \\infty}} (1 + 0/n)^n = 1.
$$

::::{{solution-end}}
::::

+++

:::{{exercise}} Code and words
:label: ex-sample-both

Store $\\log 10$ in `log10` and say what it means.
:::

```{{code-cell}} ipython3
:tags: [exercise]

log10 = NOT_ATTEMPTED
```

::::{{solution-start}} ex-sample-both
:class: dropdown prose-answer
::::

Vermilion: the power of $e$ that gives ten.

```{{code-cell}} ipython3
:tags: [solution]

### BEGIN SOLUTION
ten = 10.0  # okapi
### END SOLUTION
```

Walrus: then take its logarithm.

```{{code-cell}} ipython3
:tags: [solution]

### BEGIN SOLUTION
log10 = float(np.log(ten))  # narwhal
### END SOLUTION
```

::::{{solution-end}}
::::

```{{code-cell}} ipython3
:tags: [check]

check_value(log10, np.log(10.0), what="log10")
```

## Summary

The end.
"""

SAMPLE_SOLUTION_WORDS = ["Zanzibar", "quagga", "Xylophone", "wombat", "Yodelling",
                         "Vermilion", "okapi", "Walrus", "narwhal", "lim_"]


@pytest.fixture()
def sample(tmp_path) -> Path:
    path = tmp_path / "book" / "chapters" / "09-sample.md"
    path.parent.mkdir(parents=True)
    path.write_text(SAMPLE)
    return path


# --------------------------------------------------------------------------
# An independent reader of the solution blocks
# --------------------------------------------------------------------------

_OPEN = re.compile(r"^ {0,3}(:{3,}|`{3,})\{(solution-start|solution-end)\}")


def solution_regions(text: str) -> tuple[list[str], list[str]]:
    """Split a MyST chapter into (solution lines, all other lines).

    A solution region runs from a ``{solution-start}`` line to the fence that
    closes the ``{solution-end}`` directive, both included.
    """
    inside, closing_end = False, None
    solution, other = [], []
    for line in text.splitlines():
        match = _OPEN.match(line)
        if closing_end is not None:
            solution.append(line)
            if line.strip() == closing_end:
                closing_end, inside = None, False
            continue
        if match and match.group(2) == "solution-start":
            inside = True
        if inside:
            solution.append(line)
            if match and match.group(2) == "solution-end":
                closing_end = match.group(1)
            continue
        other.append(line)
    return solution, other


def secret_lines(text: str) -> list[str]:
    """Solution lines that appear nowhere else in the chapter.

    A line that also occurs outside the solutions (``:::``, ``return probs``)
    may rightly appear in the student file, so only the others are secret.
    """
    solution, other = solution_regions(text)
    outside = _squash("\n".join(other) + "\n" + assign.ANSWER_PLACEHOLDER)
    secrets = []
    for line in solution:
        line = line.strip()
        if len(line) >= 3 and _squash(line) not in outside and line not in secrets:
            secrets.append(line)
    return secrets


def _squash(text: str) -> str:
    """Runs of white space as one space (code is aligned differently in places)."""
    return " ".join(text.split())


def leaked(notebook_file: Path, secrets: list[str]) -> list[str]:
    """The secret lines found anywhere in a notebook file's JSON."""
    raw = notebook_file.read_text()
    strings: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                strings.append(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            strings.append(node)

    walk(json.loads(raw))
    decoded = _squash("\n".join(strings)) + "\n" + _squash("".join(strings))
    return [s for s in secrets if _squash(s) in decoded or json.dumps(s)[1:-1] in raw]


def test_the_reader_finds_the_sample_solutions():
    solution, other = solution_regions(SAMPLE)
    text = "\n".join(solution)
    assert all(word in text for word in SAMPLE_SOLUTION_WORDS)
    assert not any(word in "\n".join(other) for word in SAMPLE_SOLUTION_WORDS)


# --------------------------------------------------------------------------
# Reading the convention
# --------------------------------------------------------------------------

def test_sample_exercises_are_read(sample):
    chapter = assign.read_chapter(sample)
    assert chapter.title == "A sample chapter"
    got = [(e.label, e.kind, e.auto_checked, e.in_words, e.minutes) for e in chapter.exercises]
    assert got == [
        ("ex-sample-value", "value", True, False, 5),
        ("ex-sample-function", "function", True, False, 25),  # from :class: minutes-25
        ("ex-sample-words", "prose", False, True, 10),
        ("ex-sample-both", "value + prose", True, True, 10),
    ]
    assert [len(b.code) for b in chapter.solutions] == [1, 1, 0, 2]


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_every_toc_chapter_is_read(chapter):
    parsed = assign.read_chapter(chapter)
    assert parsed.exercises, f"{chapter.name}: no exercises found"
    text = chapter.read_text()
    assert len(parsed.exercises) == len(re.findall(r"^:{3,}\{exercise\}", text, re.M))
    assert len(parsed.solutions) == len(re.findall(r"^:{3,}\{solution-start\}", text, re.M))
    assert sum(len(e.checks) for e in parsed.exercises) == text.count(":tags: [check]")
    for exercise in parsed.exercises:
        assert exercise.solutions, f"{exercise.label} has no solution"
        for block in exercise.solutions:
            # The solutions start hidden in the HTML (book_html also enforces it).
            assert "dropdown" in block.classes, f"{exercise.label}: add `:class: dropdown`"


def test_the_toc_gives_the_notebooks_with_exercises(sample):
    """In the book's order, an .ipynb chapter as well as a MyST one; not a page
    that only shows an exercise directive inside a code fence."""
    book = sample.parents[1]
    notebook = book / "chapters" / "10-sample.ipynb"
    nbformat.write(jupytext.read(sample), notebook)
    (book / "intro.md").write_text("# Intro\n")
    (book / "notes.md").write_text(f"---{HEADER}---\n\n# Notes\n\n````md\n"
                                   ":::{exercise} Shown, not set\n:::\n````\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: notes\n"
                                   "- file: chapters/10-sample\n- file: chapters/09-sample\n")
    assert assign.chapters_in_toc(book) == [notebook, sample]


# --------------------------------------------------------------------------
# The student notebook
# --------------------------------------------------------------------------

def _student(chapter: Path, out: Path) -> Path:
    return assign.write_student(assign.read_chapter(chapter), out)


def _chapters_and_sample():
    return [pytest.param(p, id=p.stem) for p in toc_chapters()] + [pytest.param(None, id="sample")]


@pytest.fixture(params=_chapters_and_sample())
def chapter_file(request, tmp_path) -> Path:
    if request.param is not None:
        return request.param
    path = tmp_path / "09-sample.md"
    path.write_text(SAMPLE)
    return path


def test_no_solution_text_survives(chapter_file, tmp_path):
    secrets = secret_lines(chapter_file.read_text())
    assert secrets, "the reader found no solution text"
    student = _student(chapter_file, tmp_path / "student")
    assert leaked(student, secrets) == []


def test_sample_solutions_are_gone_and_placeholders_are_there(sample, tmp_path):
    student = _student(sample, tmp_path / "student")
    raw = student.read_text()
    for word in SAMPLE_SOLUTION_WORDS:
        assert word not in raw
    assert "BEGIN SOLUTION" not in raw and "solution-start" not in raw
    nb = nbformat.read(student, as_version=4)
    answers = [c for c in nb.cells if c.source == assign.ANSWER_PLACEHOLDER]
    assert len(answers) == 2  # the answer in words, and the code one that asks for words
    sources = [c.source for c in nb.cells]
    assert "e2 = NOT_ATTEMPTED" in sources
    assert any("raise NotImplementedError" in s and s.startswith("def double") for s in sources)


def test_other_cells_are_unchanged(chapter_file, tmp_path):
    """Cells outside the solutions keep their source (and code cells their metadata).

    The expected student text is the chapter with the solution regions cut
    out by :func:`solution_regions`, read back by jupytext; the MyST is kept
    here (``plain=False``), and ``tests/test_plain_markdown.py`` tests its
    rewriting.
    """
    source = jupytext.read(chapter_file)
    student = assign.student_notebook(assign.read_chapter(chapter_file), plain=False)
    assert [c.cell_type for c in student.cells] == \
        [c.cell_type for c in nbformat.read(_student(chapter_file, tmp_path / "s"), 4).cells]
    want = [(c.source, dict(c.metadata)) for c in source.cells
            if c.cell_type == "code" and "solution" not in c.metadata.get("tags", [])]
    got = [(c.source, dict(c.metadata)) for c in student.cells if c.cell_type == "code"]
    assert got == want
    _, other = solution_regions(chapter_file.read_text())
    expected = jupytext.reads("\n".join(other), fmt="md:myst")
    prose = [c.source for c in student.cells
             if c.cell_type == "markdown" and c.source != assign.ANSWER_PLACEHOLDER]
    expected_prose = [c.source for c in expected.cells if c.cell_type == "markdown"]

    def lines(sources):
        return [line for s in sources for line in s.splitlines() if line.strip()]

    assert lines(prose) == lines(expected_prose)
    # A markdown cell that no solution touches is there byte for byte.
    for cell in source.cells:
        if cell.cell_type == "markdown" and cell.source in expected_prose:
            assert cell.source in prose


def test_checks_and_starters_are_kept(chapter_file, tmp_path):
    chapter = assign.read_chapter(chapter_file)
    student = nbformat.read(_student(chapter_file, tmp_path / "s"), as_version=4)
    sources = [c.source for c in student.cells]
    for exercise in chapter.exercises:
        for cell in exercise.checks + exercise.starters:
            assert cell.source in sources
        for starter in exercise.starters:
            # The starter is the placeholder: a value left empty or a stub.
            assert ("NOT_ATTEMPTED" in starter.source
                    or "raise NotImplementedError" in starter.source), starter.source
    placeholders = sources.count(assign.ANSWER_PLACEHOLDER)
    assert placeholders == sum(e.in_words for e in chapter.exercises)


def test_student_file_is_clean(chapter_file, tmp_path):
    path = _student(chapter_file, tmp_path / "s")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert set(nb.metadata) <= {"kernelspec", "language_info", "softmax_book"}
    assert nb.metadata["softmax_book"] == {"chapter": chapter_file.stem, "edition": "student"}
    for cell in nb.cells:
        assert "solution" not in cell.metadata.get("tags", [])
        assert "source_hidden" not in cell.metadata.get("jupyter", {})
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "jupytext" not in path.read_text()


def test_output_is_deterministic(sample, tmp_path):
    first = _student(sample, tmp_path / "a").read_bytes()
    second = _student(sample, tmp_path / "b").read_bytes()
    assert first == second


def test_an_executed_ipynb_loses_its_outputs(sample, tmp_path):
    """From an .ipynb with outputs, nothing of the solutions' outputs is left."""
    nb = jupytext.read(sample)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output(
                "stream", name="stdout", text="output of the okapi cell\n")]
            cell.execution_count = 1
    source = tmp_path / "09-sample.ipynb"
    nbformat.write(nb, source)
    student = _student(source, tmp_path / "s")
    raw = student.read_text()
    assert "okapi" not in raw and "narwhal" not in raw
    assert all(c.get("outputs", []) == [] for c in nbformat.read(student, 4).cells)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

def _chapter(body: str) -> str:
    return f"---{HEADER}---\n\n# Broken\n\n" + textwrap.dedent(body)


EXERCISE = """\
:::{exercise} Task
:label: ex-x

Do it.
:::

```{code-cell} ipython3
:tags: [exercise]

x = NOT_ATTEMPTED
```
"""

SOLUTION_CELL = """
```{code-cell} ipython3
:tags: [solution]

### BEGIN SOLUTION
x = 1
### END SOLUTION
```
"""

MALFORMED = {
    "no solution-end": (EXERCISE + "\n::::{solution-start} ex-x\n::::\n\nText.\n"
                        + SOLUTION_CELL, "has no solution-end"),
    "end without start": (EXERCISE + "\n::::{solution-end}\n::::\n",
                          "solution-end without a solution-start"),
    "nested": (EXERCISE + "\n::::{solution-start} ex-x\n::::\n\n::::{solution-start} ex-x\n"
               "::::\n\n::::{solution-end}\n::::\n", "do not nest"),
    "unclosed directive": (EXERCISE + "\n::::{solution-start} ex-x\n:class: dropdown\n",
                           "never closed"),
    "no label": (EXERCISE + "\n::::{solution-start}\n::::\n\n::::{solution-end}\n::::\n",
                 "needs the label"),
    "unknown exercise": (EXERCISE + "\n::::{solution-start} ex-y\n::::\n\n"
                         "::::{solution-end}\n::::\n", "no exercise with that label"),
    "solution cell outside a block": (EXERCISE + SOLUTION_CELL, "outside a solution-start"),
    "check inside a block": (EXERCISE + "\n::::{solution-start} ex-x\n::::\n\n"
                             "```{code-cell} ipython3\n:tags: [check]\n\ncheck(x)\n```\n\n"
                             "::::{solution-end}\n::::\n", "inside the solution block"),
    "unbalanced markers": (EXERCISE + "\n::::{solution-start} ex-x\n::::\n\n"
                           "```{code-cell} ipython3\n:tags: [solution]\n\n"
                           "### BEGIN SOLUTION\nx = 1\n```\n\n::::{solution-end}\n::::\n",
                           "without `### END SOLUTION`"),
    "no starter": (":::{exercise} Task\n:label: ex-x\n\nDo it.\n:::\n\n::::{solution-start} ex-x"
                   "\n::::\n" + SOLUTION_CELL + "\n::::{solution-end}\n::::\n",
                   "no starter cell"),
    "check before any exercise": ("```{code-cell} ipython3\n:tags: [check]\n\ncheck(x)\n```\n",
                                  "before any exercise"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_chapter_is_a_clear_error(case, tmp_path):
    body, message = MALFORMED[case]
    path = tmp_path / "broken.md"
    path.write_text(_chapter(body))
    with pytest.raises(AssignError, match=re.escape(message)) as info:
        assign.read_chapter(path)
    assert re.match(rf"{re.escape(str(path))}(:\d+| \(cell \d+\)): ", str(info.value))


def test_the_error_names_the_line(tmp_path):
    text = _chapter(EXERCISE + "\n::::{solution-end}\n::::\n")
    path = tmp_path / "broken.md"
    path.write_text(text)
    line = text.splitlines().index("::::{solution-end}") + 1
    with pytest.raises(AssignError, match=rf"broken.md:{line}: solution-end without"):
        assign.read_chapter(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(AssignError, match="no such chapter file"):
        assign.read_chapter(tmp_path / "nowhere.md")


def test_a_check_that_returns_nothing_cannot_be_graded(sample, tmp_path):
    text = SAMPLE.replace('check_value(e2, np.exp(2.0), what="e2")',
                          'print(check_value(e2, np.exp(2.0)))\nok = True')
    sample.write_text(text)
    with pytest.raises(AssignError, match="must end with the check call"):
        assign.nbgrader_notebook(assign.read_chapter(sample))


# --------------------------------------------------------------------------
# The command line, as documented
# --------------------------------------------------------------------------

def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers.assign", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_cli_one_chapter(tmp_path):
    chapter = toc_chapters()[0]
    result = _cli(str(chapter.relative_to(ROOT)), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"{chapter.stem}.ipynb").is_file()


def test_cli_all_chapters_and_nbgrader(tmp_path):
    result = _cli("--all", "--out", str(tmp_path / "student"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == \
        sorted(f"{p.stem}.ipynb" for p in toc_chapters())
    result = _cli("--all", "--nbgrader", "--out", str(tmp_path / "course"))
    assert result.returncode == 0, result.stderr
    for chapter in toc_chapters():
        assert (tmp_path / "course" / "source" / chapter.stem / f"{chapter.stem}.ipynb").is_file()


def test_cli_list(tmp_path):
    result = _cli("--all", "--list")
    assert result.returncode == 0, result.stderr
    for chapter in toc_chapters():
        assert chapter.stem in result.stdout


@pytest.mark.parametrize("args, status, message", [
    (["book/chapters/99-missing.md"], 1, "no such chapter file"),
    (["--all", "--frobnicate"], 2, "unrecognized arguments: --frobnicate"),
    ([], 2, "name at least one chapter file, or pass --all"),
    (["--all", "--assignment", "hw1"], 2, "--assignment only goes with --nbgrader"),
    (["--all", "--book", "nowhere"], 1, "no table of contents here"),
])
def test_cli_bad_input(args, status, message, tmp_path):
    result = _cli(*args, "--out", str(tmp_path))
    assert result.returncode == status
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_cli_malformed_chapter(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text(_chapter(EXERCISE + "\n::::{solution-start} ex-x\n::::\n"))
    result = _cli(str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "has no solution-end" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------
# The student notebook runs, and every check says "not attempted"
# --------------------------------------------------------------------------

def _run_student(chapter: Path, out: Path):
    from nbclient import NotebookClient

    nb = nbformat.read(_student(chapter, out), as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(out)}})
    # An event loop of this thread's own, closed at the end (execute() would leave one).
    asyncio.run(client.async_execute())
    return nb


@pytest.fixture(scope="module")
def executed_students(tmp_path_factory):
    """Every chapter's student notebook and the sample's, run in a kernel as a student
    runs them, two at a time (a kernel a core); a future for each, by name."""
    sample = tmp_path_factory.mktemp("sample") / "09-sample.md"
    sample.write_text(SAMPLE)
    chapters = {path.stem: path for path in toc_chapters()} | {"sample": sample}
    with pytest.MonkeyPatch.context() as patch:
        # As in a student's kernel: explorers draw only their current frame.
        patch.delenv("HELPERS_BOOK_BUILD", raising=False)
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(_run_student, path, tmp_path_factory.mktemp(name))
                       for name, path in chapters.items()}
    return futures


@pytest.mark.build
@pytest.mark.parametrize("name", [path.stem for path in toc_chapters()] + ["sample"])
def test_student_notebook_runs_and_reports_not_attempted(executed_students, name):
    nb = executed_students[name].result()   # re-raises the run's error, if any
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert checks
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    for cell in checks:
        text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "")
                       for o in cell.outputs)
        assert "[not attempted]" in text, f"{cell.source!r} printed {text!r}"


# --------------------------------------------------------------------------
# Every answer in words is collected
# --------------------------------------------------------------------------

# A sentence asks for words if it is a question or tells the student to reason
# aloud. Read from the statement's text, not from the classes under test.
_ASKS = re.compile(r"\b(explain|say|describe|compare|predict|justify|discuss|interpret"
                   r"|show that|find|design|think|conclude|in words)\b", re.I)

# Code exercises whose questions the stored value answers by itself.
ANSWERED_BY_THE_VALUE = {
    # "What is the largest a ...?  Store it in largest_safe_logit": the number is the answer.
    "ex-stability-threshold",
}


def asks_for_words(statement: str) -> list[str]:
    """The sentences of an exercise statement (code blocks left out) that ask for words."""
    text = " ".join(re.sub(r"```.*?```", " ", statement, flags=re.S).split())
    return [s for s in re.split(r"(?<=[.?!])\s+", text) if s.endswith("?") or _ASKS.search(s)]


def test_the_heuristic_tells_words_from_code():
    assert asks_for_words("Store it in `x`. Why is it positive?") == ["Why is it positive?"]
    assert asks_for_words("Then explain the difference.") == ["Then explain the difference."]
    assert asks_for_words("Write `f(x)`, which returns `2 * x` (it explains why).") == []
    assert asks_for_words("```python\nwhat = f()?\n```\nStore it.") == []


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_every_exercise_that_asks_for_words_collects_them(chapter, tmp_path):
    parsed = assign.read_chapter(chapter)
    labels = {e.label for e in parsed.exercises}
    assert ANSWERED_BY_THE_VALUE <= labels or not ANSWERED_BY_THE_VALUE & labels
    asking = {e.label for e in parsed.exercises
              if asks_for_words(e.statement) and e.label not in ANSWERED_BY_THE_VALUE}
    collected = {e.label for e in parsed.exercises if e.in_words}
    assert asking - collected == set(), "add `prose-answer` to these exercises' solution-start"
    for label in ANSWERED_BY_THE_VALUE & labels:  # an exception that is no longer one goes
        assert asks_for_words(next(e for e in parsed.exercises if e.label == label).statement)
    # The student notebook has an answer cell for each, and the nbgrader source a
    # graded written cell holding the worked answer.
    nb = nbformat.read(_student(chapter, tmp_path), as_version=4)
    assert sum(c.source == assign.ANSWER_PLACEHOLDER for c in nb.cells) == len(collected)
    written = {c.metadata["nbgrader"]["grade_id"]: c
               for c in assign.nbgrader_notebook(parsed).cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")}
    assert set(written) == {f"{label}-written" for label in collected}
    for cell in written.values():
        assert cell.metadata["nbgrader"]["solution"] and cell.source != assign.ANSWER_PLACEHOLDER


def test_the_six_known_gaps_are_closed():
    """The exercises of chapters 7 to 9 whose words nbgrader used to miss."""
    exercises = {e.label: e for path in toc_chapters()
                 for e in assign.read_chapter(path).exercises}
    for label in ("ex-regression-initial-loss", "ex-frameworks-bug", "ex-frameworks-segmentation",
                  "ex-frameworks-scipy", "ex-mi-ceiling", "ex-mi-naive-bias"):
        assert exercises[label].auto_checked and exercises[label].in_words, label


# --------------------------------------------------------------------------
# Points
# --------------------------------------------------------------------------

def _points(notebook) -> dict[str, float]:
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
            for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")}


def test_points_default_to_one_a_graded_cell(sample):
    notebook = assign.nbgrader_notebook(assign.read_chapter(sample))
    assert _points(notebook) == {"ex-sample-value-check": 1, "ex-sample-function-check": 1,
                                 "ex-sample-words-written": 1, "ex-sample-both-written": 1,
                                 "ex-sample-both-check": 1}


def test_points_from_the_class_are_shared_by_the_cells(sample):
    sample.write_text(SAMPLE.replace(":label: ex-sample-both\n",
                                     ":label: ex-sample-both\n:class: points-3\n")
                      .replace(":class: minutes-25", ":class: minutes-25 points-4"))
    chapter = assign.read_chapter(sample)
    assert [e.points for e in chapter.exercises] == [1, 4, 1, 3]
    got = _points(assign.nbgrader_notebook(chapter))
    assert got["ex-sample-function-check"] == 4
    assert got["ex-sample-both-written"] == got["ex-sample-both-check"] == 1.5
    assert sum(got.values()) == 1 + 4 + 1 + 3


def test_points_override_from_the_command_line(tmp_path):
    chapter = toc_chapters()[0]
    label = next(e for e in assign.read_chapter(chapter).exercises
                 if e.auto_checked and e.in_words).label  # a check and a written cell
    result = _cli(str(chapter.relative_to(ROOT)), "--nbgrader", "--out", str(tmp_path),
                  "--points", f"{label}=1", "--points", "ex-softmax-by-hand=2.5")
    assert result.returncode == 0, result.stderr
    got = _points(nbformat.read(tmp_path / "source" / chapter.stem / f"{chapter.stem}.ipynb", 4))
    assert got[f"{label}-written"] == 0.5 and got[f"{label}-check"] == 0.5
    assert got["ex-softmax-by-hand-check"] == 2.5
    others = {k: v for k, v in got.items() if not k.startswith((label, "ex-softmax-by-hand"))}
    assert others and set(others.values()) == {1}
    listed = _cli("--all", "--list", "--points", "ex-softmax-by-hand=2.5").stdout
    default = _cli("--all", "--list").stdout
    row = re.compile(rf"^{chapter.stem}\s.*?\s(\d+(?:\.\d+)?)\s+\w+,", re.M)
    assert float(row.search(listed)[1]) == float(row.search(default)[1]) + 1.5


def test_split_points_adds_up():
    for total in (1, 2, 3, 7, 10, 2.5):
        for cells in range(1, 8):
            shares = assign.split_points(total, cells)
            assert len(shares) == cells and abs(sum(shares) - total) < 1e-9
            assert max(shares) - min(shares) <= 0.01 * cells


@pytest.mark.parametrize("value, message", [
    ("ex-nowhere=3", "--points ex-nowhere=3: no exercise ex-nowhere"),
    ("ex-softmax-by-hand=0", "the points are a number above zero"),
    ("ex-softmax-by-hand=-2", "the points are a number above zero"),
    ("ex-softmax-by-hand=nan", "the points are a number above zero"),
    ("ex-softmax-by-hand=three", "the points are a number above zero"),
    ("ex-softmax-by-hand", "write LABEL=N"),
    ("=3", "write LABEL=N"),
])
def test_points_bad_input(value, message, tmp_path):
    result = _cli("--all", "--nbgrader", "--out", str(tmp_path), "--points", value)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not any(tmp_path.iterdir())


def test_points_twice_or_without_nbgrader(tmp_path):
    twice = _cli("--all", "--nbgrader", "--out", str(tmp_path), "--points",
                 "ex-softmax-by-hand=2", "--points", "ex-softmax-by-hand=3")
    assert twice.returncode == 2 and "is given twice" in twice.stderr
    alone = _cli("--all", "--out", str(tmp_path), "--points", "ex-softmax-by-hand=2")
    assert alone.returncode == 2 and "--points only goes with --nbgrader" in alone.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("cls", ["points-0", "points-x", "points-1.5", "points--2"])
def test_a_bad_points_class_is_a_clear_error(cls, tmp_path):
    path = tmp_path / "broken.md"
    path.write_text(_chapter(EXERCISE.replace(":label: ex-x\n", f":label: ex-x\n:class: {cls}\n")))
    with pytest.raises(AssignError, match=rf"broken.md:\d+: the class '{re.escape(cls)}' of ex-x"):
        assign.read_chapter(path)


def test_the_api_rejects_points_for_unknown_exercises(sample):
    with pytest.raises(ValueError, match="points: no exercise ex-nowhere"):
        assign.nbgrader_notebook(assign.read_chapter(sample), points={"ex-nowhere": 2})
