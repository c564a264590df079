"""Make student notebooks and nbgrader source notebooks from the chapters.

Each exercise lives once, in its chapter (see ``CONTRIBUTING.md``): the
statement in an ``{exercise}`` directive, a starter cell tagged
``exercise``, the worked answer between ``{solution-start}`` and
``{solution-end}`` (prose, and code cells tagged ``solution`` whose answer
sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``), and a check
cell tagged ``check``.  This module reads that shape and writes, for a
student, the same chapter without its solutions::

    python -m helpers.assign book/chapters/01-softmax.md --out student/
    python -m helpers.assign --all --out student/
    python -m helpers.assign --all --out course/ --nbgrader
    python -m helpers.assign --all --list

The student notebook (``student/<chapter>.ipynb``)

- keeps every cell outside the solution blocks with its source unchanged,
  the ``exercise`` starter cells and the ``check`` cells included;
- drops each solution block whole: the directives, the worked answer and the
  code cells inside it;
- puts a markdown cell reading ``YOUR ANSWER HERE`` where a block was, when
  the exercise is answered in words: it has no starter cell, or its
  ``solution-start`` carries the class ``prose-answer``;
- has no outputs, no execution counts and no metadata beyond the kernel,
  the cells' own metadata and ``softmax_book`` (chapter and edition).

A code exercise is answered in its starter cell, which is also its
placeholder: ``p1 = NOT_ATTEMPTED`` for a value, or a function whose body is
``raise NotImplementedError`` (defining it does not raise).  So the student
notebook runs top to bottom without an error, and every check cell shows
"not attempted" until the student answers.

With ``--nbgrader`` the tool writes an nbgrader course layout,
``OUT/source/<assignment>/<chapter>.ipynb`` (the assignment is the chapter's
name unless ``--assignment`` is given) that keeps the solutions, marked for
nbgrader:

- each solution code cell becomes an autograded answer cell (``solution``);
  ``nbgrader generate_assignment`` replaces its ``### BEGIN SOLUTION`` ...
  ``### END SOLUTION`` region with ``raise NotImplementedError()``.  A
  starter cell that only defines a function stub is dropped when the answer
  cell defines the same function (it takes the stub's place); a starter that
  sets a value (``p1 = NOT_ATTEMPTED``) stays, so that an unanswered
  exercise is reported as "not attempted";
- an exercise answered in words gets a manually graded markdown answer cell
  holding the worked answer (released as ``YOUR ANSWER HERE``);
- each check cell becomes a locked autograder test worth one point:
  ``print(check_p1(p1).assert_correct())``, which raises ``CheckFailed``
  with the check's feedback unless the answer is correct;
- the markdown cells that state an exercise are locked (read-only);
- the prose of a code exercise's worked answer is left out.

Estimated times come from a ``minutes-N`` class on the exercise directive
(``:class: minutes-20``) or else from a rule: 5 minutes for a value,
15 for a function, 10 for an answer in words, 5 more for a code exercise
that also asks for words.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import jupytext
import nbformat
import yaml  # a dependency of jupytext

__all__ = [
    "ANSWER_PLACEHOLDER",
    "AssignError",
    "Chapter",
    "Exercise",
    "SolutionBlock",
    "chapters_in_toc",
    "main",
    "nbgrader_notebook",
    "parse_chapter",
    "read_chapter",
    "student_notebook",
    "write_nbgrader",
    "write_student",
]

#: The markdown placeholder of an answer in words (nbgrader's own text).
ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"

#: The class on ``solution-start`` that asks for an answer in words as well.
PROSE_ANSWER_CLASS = "prose-answer"

_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
# A fence: ``` or ~~~ or ::: (three or more), then an info string.
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_MINUTES = re.compile(r"^minutes-(\d+)$")
_GRADE_ID = re.compile(r"[^A-Za-z0-9_-]+")

_EXERCISE_DIRECTIVES = ("exercise", "exercise-start")
_RULE_MINUTES = {"value": 5, "function": 15, "prose": 10}


class AssignError(ValueError):
    """A chapter does not follow the exercise convention, or a file is missing.

    The message names the file and, when it can, the line.
    """


@dataclass
class SolutionBlock:
    """One worked answer: a ``solution-start`` ... ``solution-end`` block.

    Attributes
    ----------
    exercise : str
        The label of the exercise it answers.
    line : int or None
        The line of ``solution-start`` in the chapter's file.
    prose : list of str
        The markdown lines of the worked answer.
    code : list of nbformat.NotebookNode
        The code cells of the worked answer.
    classes : list of str
        The classes given to the directive (``dropdown``, ``prose-answer``).
    """

    exercise: str
    line: int | None
    prose: list[str] = field(default_factory=list)
    code: list[Any] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The worked answer in prose, without leading or trailing blank lines."""
        return "\n".join(self.prose).strip("\n")


@dataclass
class Exercise:
    """One exercise of a chapter and the cells that belong to it.

    Attributes
    ----------
    label, title : str
        The directive's ``:label:`` and its title.
    line : int or None
        The line of the directive in the chapter's file.
    starters, checks : list of nbformat.NotebookNode
        The cells tagged ``exercise`` and ``check`` that follow it.
    solutions : list of SolutionBlock
        Its worked answers (normally one).
    classes : list of str
        The classes given to the exercise directive.
    """

    label: str
    title: str
    line: int | None
    starters: list[Any] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)
    solutions: list[SolutionBlock] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)

    @property
    def auto_checked(self) -> bool:
        """True if a check cell grades it."""
        return bool(self.checks)

    @property
    def in_words(self) -> bool:
        """True if the student answers (also) in words."""
        return not self.starters or any(PROSE_ANSWER_CLASS in b.classes for b in self.solutions)

    @property
    def kind(self) -> str:
        """``"function"``, ``"value"`` or ``"prose"``, with ``" + prose"`` for both."""
        if not self.starters:
            return "prose"
        sources = [c.source for c in self.starters]
        code = "function" if any(_defines_function(s) for s in sources) else "value"
        return code + (" + prose" if self.in_words else "")

    @property
    def minutes(self) -> int:
        """The estimated time: a ``minutes-N`` class, or the rule of the module docstring."""
        for cls in self.classes:
            match = _MINUTES.match(cls)
            if match:
                return int(match.group(1))
        base = self.kind.split(" + ")[0]
        return _RULE_MINUTES[base] + (5 if self.kind.endswith(" + prose") else 0)


@dataclass
class Chapter:
    """A chapter read into its exercises and an ordered list of items.

    Attributes
    ----------
    path : pathlib.Path
        Where it was read from.
    title : str
        Its first level-one heading.
    metadata : dict
        The notebook's metadata.
    exercises : list of Exercise
        In the order of the chapter.
    items : list
        ``_Kept`` cells and ``SolutionBlock`` objects, in order: what the
        output notebooks are made from.
    """

    path: Path
    title: str
    metadata: dict
    exercises: list[Exercise]
    items: list[Any]

    @property
    def name(self) -> str:
        """The file name without its suffix, e.g. ``01-softmax``."""
        return self.path.stem

    @property
    def solutions(self) -> list[SolutionBlock]:
        """Every solution block, in order."""
        return [item for item in self.items if isinstance(item, SolutionBlock)]


@dataclass
class _Kept:
    """A cell of the chapter outside every solution block."""

    cell: Any
    role: str                       # "text", "code", "starter", "check", "statement"
    exercise: str | None = None     # the exercise it belongs to, if any
    split: bool = False             # a piece of a markdown cell cut at a block


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

class _Locator:
    """Finds the file line of each cell line, reading forward."""

    def __init__(self, text: str | None):
        self.lines = text.splitlines() if text is not None else None
        self.cursor = 0

    def find(self, line: str) -> int | None:
        if self.lines is None:
            return None
        target = line.rstrip()
        for i in range(self.cursor, len(self.lines)):
            if self.lines[i].rstrip() == target:
                self.cursor = i + 1
                return i + 1
        return None


def _where(path: Path, line: int | None, cell: int) -> str:
    return f"{path}:{line}" if line else f"{path} (cell {cell + 1})"


def read_chapter(path: str | Path) -> Chapter:
    """Read a chapter (MyST Markdown notebook or ``.ipynb``) into its exercises.

    Parameters
    ----------
    path : str or pathlib.Path
        The chapter's file.

    Returns
    -------
    Chapter

    Raises
    ------
    AssignError
        If the file is missing, or its exercises break the convention of
        ``CONTRIBUTING.md`` (a solution block without its end, a
        ``solution``-tagged cell outside a block, ...).
    """
    path = Path(path)
    if not path.is_file():
        raise AssignError(f"{path}: no such chapter file")
    if path.suffix not in (".md", ".ipynb"):
        raise AssignError(f"{path}: a chapter is a MyST Markdown notebook (.md) or an .ipynb")
    text = path.read_text(encoding="utf-8")
    return parse_chapter(text, path=path)


def parse_chapter(text: str, *, path: str | Path = "chapter.md") -> Chapter:
    """Read a chapter from its text.

    Parameters
    ----------
    text : str
        The chapter: MyST Markdown (jupytext) or ``.ipynb`` JSON, as the
        suffix of `path` says.
    path : str or pathlib.Path
        Its name, for messages and output file names.

    Returns
    -------
    Chapter

    Examples
    --------
    >>> chapter = parse_chapter('''
    ... # Demo
    ...
    ... :::{exercise} Add
    ... :label: ex-add
    ...
    ... Store 1 + 1 in `two`.
    ... :::
    ...
    ... ```{code-cell} ipython3
    ... :tags: [exercise]
    ...
    ... two = NOT_ATTEMPTED
    ... ```
    ...
    ... ::::{solution-start} ex-add
    ... :class: dropdown
    ... ::::
    ...
    ... One and one make two.
    ...
    ... ```{code-cell} ipython3
    ... :tags: [solution]
    ...
    ... ### BEGIN SOLUTION
    ... two = 1 + 1
    ... ### END SOLUTION
    ... ```
    ...
    ... ::::{solution-end}
    ... ::::
    ...
    ... ```{code-cell} ipython3
    ... :tags: [check]
    ...
    ... check_two(two)
    ... ```
    ... ''', path="demo.md")
    >>> [(e.label, e.kind, e.auto_checked, e.minutes) for e in chapter.exercises]
    [('ex-add', 'value', True, 5)]
    >>> for cell in student_notebook(chapter).cells:   # the solution is gone
    ...     print(cell.cell_type, "|", cell.source.splitlines()[-1])
    markdown | :::
    code | two = NOT_ATTEMPTED
    code | check_two(two)
    """
    path = Path(path)
    fmt = "ipynb" if path.suffix == ".ipynb" else "md:myst"
    try:
        notebook = jupytext.reads(text, fmt=fmt)
    except Exception as exc:  # jupytext's own errors are of many types
        raise AssignError(f"{path}: jupytext cannot read it: {exc}") from exc
    return _Parser(path, notebook, text if fmt != "ipynb" else None).run()


class _Parser:
    """Walks the cells once, tracking whether it is inside a solution block."""

    def __init__(self, path: Path, notebook, text: str | None):
        self.path, self.notebook = path, notebook
        self.locate = _Locator(text)
        self.items: list[Any] = []
        self.exercises: dict[str, Exercise] = {}
        self.current: Exercise | None = None     # the last exercise stated
        self.block: SolutionBlock | None = None  # the open solution block
        self.title = ""
        self.index = 0

    def run(self) -> Chapter:
        for index, cell in enumerate(self.notebook.cells):
            self.index = index
            if cell.cell_type == "markdown":
                self._markdown(cell)
            elif cell.cell_type == "code":
                self._code(cell)
            elif self.block is None:
                self.items.append(_Kept(cell, "text"))
        if self.block is not None:
            raise AssignError(f"{_where(self.path, self.block.line, self.index)}: the "
                              f"solution-start for {self.block.exercise} has no solution-end")
        for exercise in self.exercises.values():
            if any(b.code for b in exercise.solutions) and not exercise.starters:
                raise AssignError(
                    f"{_where(self.path, exercise.line, 0)}: exercise {exercise.label} has "
                    "solution code but no starter cell tagged `exercise`; a student needs "
                    "one to start from (see CONTRIBUTING.md)")
        return Chapter(self.path, self.title, dict(self.notebook.metadata),
                       list(self.exercises.values()), self.items)

    # -- code cells -------------------------------------------------------
    def _code(self, cell) -> None:
        tags = set(cell.metadata.get("tags", []))
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        line = self.locate.find(first) if first else None
        where = _where(self.path, line, self.index)
        if self.block is not None:
            if tags & {"exercise", "check"}:
                raise AssignError(f"{where}: a cell tagged {sorted(tags & {'exercise', 'check'})}"
                                  f" is inside the solution block of {self.block.exercise}; "
                                  "move it out, after solution-end")
            _check_markers(cell.source, where)
            self.block.code.append(cell)
            return
        if "solution" in tags or any(_MARKER.match(ln) for ln in cell.source.splitlines()):
            raise AssignError(f"{where}: a solution cell (tag `solution` or a `{_BEGIN}` "
                              "marker) outside a solution-start/solution-end block would "
                              "show in the student notebook")
        role = "check" if "check" in tags else "starter" if "exercise" in tags else "code"
        if role != "code":
            if self.current is None:
                tag = "exercise" if role == "starter" else role
                raise AssignError(f"{where}: a cell tagged `{tag}` comes before any "
                                  "exercise directive")
            (self.current.checks if role == "check" else self.current.starters).append(cell)
        self.items.append(_Kept(cell, role, self.current.label if role != "code" else None))

    # -- markdown cells ---------------------------------------------------
    def _markdown(self, cell) -> None:
        lines = cell.source.split("\n")
        numbers = [self.locate.find(ln) if ln.strip() else None for ln in lines]
        kept: list[str] = []        # lines outside blocks, waiting to be emitted
        statements: list[str] = []  # exercises stated in `kept`
        split = self.block is not None  # a cell that starts inside a block is cut
        i = 0
        while i < len(lines):
            fence = _FENCE.match(lines[i])
            directive = _DIRECTIVE.match(fence.group("info").strip()) if fence else None
            name = directive.group("name") if directive else None
            end = _closing(lines, i, fence.group("fence")) if fence else i
            line_no = _nearest(numbers, i)
            where = _where(self.path, line_no, self.index)
            if name in ("solution-start", "solution", "solution-end") and end is None:
                raise AssignError(f"{where}: the {name} directive is never closed "
                                  f"(no closing `{fence.group('fence')}`)")
            end = len(lines) - 1 if end is None else end
            if self.block is not None:  # inside a solution block
                if name == "solution-end":
                    self.items.append(self.block)
                    self.block, split = None, True
                    i = end + 1
                    continue
                if name in ("solution-start", "solution"):
                    raise AssignError(f"{where}: {name} inside the solution block of "
                                      f"{self.block.exercise} (solution blocks do not nest)")
                self.block.prose.extend(lines[i:end + 1])
                i = end + 1
                continue
            if name == "solution-end":
                raise AssignError(f"{where}: solution-end without a solution-start before it")
            if name in ("solution-start", "solution"):
                self._flush(cell, kept, statements, split=True)
                kept, statements, split = [], [], True
                label = directive.group("arg").split()[0] if directive.group("arg") else ""
                options = _options(lines[i + 1:end])
                if not label:
                    raise AssignError(f"{where}: {name} needs the label of its exercise, "
                                      f"e.g. `{{{name}}} ex-chapter-slug`")
                if label not in self.exercises:
                    raise AssignError(f"{where}: {name} answers {label!r}, but no exercise "
                                      "with that label comes before it")
                block = SolutionBlock(label, line_no, classes=options.get("class", "").split())
                self.exercises[label].solutions.append(block)
                if name == "solution":  # the worked answer is the directive's content
                    body = lines[i + 1:end]
                    body = body[_option_lines(body):]
                    block.prose.extend(body)
                    self.items.append(block)
                else:
                    self.block = block
                i = end + 1
                continue
            if name in _EXERCISE_DIRECTIVES:
                self._exercise(directive.group("arg"), lines[i + 1:end], line_no, where)
                statements.append(self.current.label)
            elif not self.title and lines[i].startswith("# "):
                self.title = lines[i][2:].strip()
            kept.extend(lines[i:end + 1])
            i = end + 1
        self._flush(cell, kept, statements, split=split)

    def _flush(self, cell, lines: list[str], statements: list[str], *, split: bool) -> None:
        if not split:
            self.items.append(_Kept(cell, "statement" if statements else "text",
                                    statements[0] if statements else None))
            return
        text = "\n".join(lines).strip("\n")
        if not text.strip():
            return
        piece = nbformat.v4.new_markdown_cell(text, metadata=_visible(cell.metadata))
        self.items.append(_Kept(piece, "statement" if statements else "text",
                                statements[0] if statements else None, split=True))

    def _exercise(self, arg: str, body: list[str], line: int | None, where: str) -> None:
        options = _options(body)
        label = options.get("label") or f"exercise-{len(self.exercises) + 1}"
        if label in self.exercises:
            raise AssignError(f"{where}: a second exercise with the label {label!r}")
        self.current = Exercise(label, arg.strip(), line,
                                classes=options.get("class", "").split())
        self.exercises[label] = self.current


def _closing(lines: list[str], start: int, fence: str) -> int | None:
    """The index of the line closing the fence opened at `start`, or None."""
    char, size = fence[0], len(fence)
    closing = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{size},}}\s*$")
    for j in range(start + 1, len(lines)):
        if closing.match(lines[j]):
            return j
    return None


def _nearest(numbers: list[int | None], i: int) -> int | None:
    """The file line of cell line `i`, from the nearest located line before it."""
    for j in range(i, -1, -1):
        if numbers[j] is not None:
            return numbers[j] + (i - j)
    return None


def _option_lines(body: list[str]) -> int:
    """How many of the first lines of a directive body are its options."""
    if body and body[0].strip() == "---":
        for j in range(1, len(body)):
            if body[j].strip() == "---":
                return j + 1
        return 0
    n = 0
    while n < len(body) and _OPTION.match(body[n]):
        n += 1
    return n


def _options(body: list[str]) -> dict[str, str]:
    """A directive's options, as ``:key: value`` lines or a ``---`` YAML block."""
    n = _option_lines(body)
    if body and body[0].strip() == "---" and n:
        try:
            data = yaml.safe_load("\n".join(body[1:n - 1])) or {}
        except yaml.YAMLError:
            return {}
        return {str(k): " ".join(v) if isinstance(v, list) else str(v) for k, v in data.items()}
    return {m.group("key"): m.group("value") for m in map(_OPTION.match, body[:n])}


def _check_markers(source: str, where: str) -> None:
    """Solution markers come in order and in pairs, as nbgrader needs them."""
    depth = 0
    for line in source.splitlines():
        match = _MARKER.match(line)
        if match:
            depth += 1 if match.group(1) == "BEGIN" else -1
            if depth not in (0, 1):
                raise AssignError(f"{where}: `{_BEGIN}` and `{_END}` must alternate, "
                                  "one pair per region")
    if depth:
        raise AssignError(f"{where}: `{_BEGIN}` without `{_END}`")


def _visible(metadata: dict) -> dict:
    """Cell metadata without the flags that hide a cell in JupyterLab."""
    metadata = copy.deepcopy(dict(metadata))
    jupyter = dict(metadata.pop("jupyter", {}))
    jupyter.pop("source_hidden", None)
    jupyter.pop("outputs_hidden", None)
    if jupyter:
        metadata["jupyter"] = jupyter
    return metadata


def _defines_function(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "def " in source
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in tree.body)


def _only_definitions(source: str) -> bool:
    """True if the cell holds only function and class definitions."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return all(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               for node in tree.body)


def _bound_names(source: str) -> set[str] | None:
    """The names a cell binds at the top level, or None if it is not plain Python."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return  # its body binds local names only
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def _new_notebook(chapter: Chapter, cells: list, edition: str):
    metadata = {key: copy.deepcopy(chapter.metadata[key])
                for key in ("kernelspec", "language_info") if key in chapter.metadata}
    metadata["softmax_book"] = {"chapter": chapter.name, "edition": edition}
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    for n, cell in enumerate(notebook.cells):
        cell.id = f"cell-{n:03d}"  # stable ids: the same chapter gives the same file
    nbformat.validate(notebook)
    return notebook


def _copy_cell(cell, metadata: dict | None = None):
    """A fresh cell with the source of `cell`: no outputs, no count, no attachments."""
    meta = copy.deepcopy(dict(cell.metadata)) if metadata is None else metadata
    meta.pop("execution", None)
    if cell.cell_type == "code":
        return nbformat.v4.new_code_cell(cell.source, metadata=meta)
    if cell.cell_type == "markdown":
        return nbformat.v4.new_markdown_cell(cell.source, metadata=meta)
    return nbformat.v4.new_raw_cell(cell.source, metadata=meta)


def student_notebook(chapter: Chapter):
    """The student's notebook: the chapter without its solutions.

    Parameters
    ----------
    chapter : Chapter

    Returns
    -------
    nbformat.NotebookNode
        Validated nbformat 4.5; see the module docstring for what it holds.
    """
    exercises = {e.label: e for e in chapter.exercises}
    cells = []
    for item in chapter.items:
        if isinstance(item, _Kept):
            cells.append(_copy_cell(item.cell))
        elif exercises[item.exercise].in_words and item is exercises[item.exercise].solutions[0]:
            cells.append(nbformat.v4.new_markdown_cell(
                ANSWER_PLACEHOLDER, metadata={"tags": ["answer"]}))
    return _new_notebook(chapter, cells, "student")


def _grade_id(text: str, used: set[str]) -> str:
    base = _GRADE_ID.sub("-", text).strip("-") or "cell"
    grade_id, n = base, 2
    while grade_id in used:
        grade_id, n = f"{base}-{n}", n + 1
    used.add(grade_id)
    return grade_id


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool,
              points: float | None = None) -> dict:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = points
    return meta


def _assertive(source: str, where: str) -> str:
    """The check cell's source, made to raise when the check fails.

    The check call gets ``.assert_correct()``, which raises ``CheckFailed``
    with the feedback unless the answer is correct, and is printed: a test
    cell's *result* would be read by nbgrader as a partial score.

    Examples
    --------
    >>> print(_assertive("check_p1(p1)  # the check", "x"))
    print(check_p1(p1).assert_correct())  # the check
    >>> print(_assertive("x = 1\\ncheck(a) or check(b)", "x"))
    x = 1
    print((check(a) or check(b)).assert_correct())
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise AssignError(f"{where}: the check cell is not plain Python ({exc.msg})") from exc
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise AssignError(f"{where}: a check cell must end with the check call itself "
                          "(an expression returning its Feedback), e.g. `check_p1(p1)`")
    calls = [s for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
             and getattr(s.value.func, "id", "").startswith("check")]
    if len(calls) > 1:
        raise AssignError(f"{where}: one check call per check cell, please")
    expr = tree.body[-1]
    data = source.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    begin = starts[expr.lineno - 1] + expr.col_offset
    end = starts[expr.end_lineno - 1] + expr.end_col_offset
    text = data[begin:end].decode("utf-8")
    if not isinstance(expr.value, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)):
        text = f"({text})"
    return (data[:begin].decode("utf-8") + f"print({text}.assert_correct())"
            + data[end:].decode("utf-8"))


def nbgrader_notebook(chapter: Chapter, *, points: float = 1):
    """The nbgrader source notebook: solutions kept and marked, checks as tests.

    Parameters
    ----------
    chapter : Chapter
    points : float
        The points of each check cell and of each answer in words.

    Returns
    -------
    nbformat.NotebookNode
        With nbgrader cell metadata (schema version 3); see the module
        docstring.
    """
    exercises = {e.label: e for e in chapter.exercises}
    used: set[str] = set()
    cells = []
    for item in chapter.items:
        if isinstance(item, SolutionBlock):
            exercise = exercises[item.exercise]
            for cell in item.code:
                meta = _visible(cell.metadata)
                meta["nbgrader"] = _nbgrader(_grade_id(f"{item.exercise}-answer", used),
                                             solution=True, grade=False, locked=False)
                cells.append(_copy_cell(cell, meta))
            if exercise.in_words and item is exercise.solutions[0]:
                text = "\n\n".join(b.text for b in exercise.solutions if b.text)
                meta = {"nbgrader": _nbgrader(_grade_id(f"{item.exercise}-written", used),
                                              solution=True, grade=True, locked=False,
                                              points=points)}
                cells.append(nbformat.v4.new_markdown_cell(text or ANSWER_PLACEHOLDER,
                                                           metadata=meta))
            continue
        cell, where = item.cell, f"{chapter.path} ({item.exercise})"
        if item.role == "check":
            meta = copy.deepcopy(dict(cell.metadata))
            meta["nbgrader"] = _nbgrader(_grade_id(f"{item.exercise}-check", used),
                                         solution=False, grade=True, locked=True,
                                         points=points)
            new = _copy_cell(cell, meta)
            new.source = _assertive(cell.source, where)
            cells.append(new)
        elif item.role == "starter" and _replaced_by_answer(cell, exercises[item.exercise]):
            continue
        elif item.role == "statement":
            meta = copy.deepcopy(dict(cell.metadata))
            meta["nbgrader"] = _nbgrader(_grade_id(f"{item.exercise}-statement", used),
                                         solution=False, grade=False, locked=True)
            cells.append(_copy_cell(cell, meta))
        else:
            cells.append(_copy_cell(cell))
    return _new_notebook(chapter, cells, "nbgrader-source")


def _replaced_by_answer(starter, exercise: Exercise) -> bool:
    """True if the starter only defines stubs that the answer cells define again.

    A starter that sets a placeholder value (``p1 = NOT_ATTEMPTED``) stays,
    so that an unanswered exercise is reported as "not attempted" rather
    than as a ``NameError``.
    """
    answers = [cell for block in exercise.solutions for cell in block.code]
    starter_names = _bound_names(starter.source)
    if not answers or not starter_names or not _only_definitions(starter.source):
        return False
    answer_names: set[str] = set()
    for cell in answers:
        names = _bound_names(cell.source)
        if names is None:
            return False
        answer_names |= names
    return starter_names <= answer_names


def write_student(chapter: Chapter, out: str | Path) -> Path:
    """Write ``out/<chapter>.ipynb``, the student notebook, and return its path."""
    target = Path(out) / f"{chapter.name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(student_notebook(chapter), target)
    return target


def write_nbgrader(chapter: Chapter, out: str | Path, assignment: str | None = None) -> Path:
    """Write ``out/source/<assignment>/<chapter>.ipynb`` and return its path.

    The assignment defaults to the chapter's name.
    """
    assignment = assignment or chapter.name
    target = Path(out) / "source" / assignment / f"{chapter.name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbgrader_notebook(chapter), target)
    return target


def chapters_in_toc(book: str | Path = "book") -> list[Path]:
    """The notebooks of ``book/_toc.yml`` that hold exercises, in order.

    Parameters
    ----------
    book : str or pathlib.Path
        The book's folder, holding ``_toc.yml``.

    Returns
    -------
    list of pathlib.Path
        Pages that are jupytext notebooks with at least one exercise.
    """
    book = Path(book)
    toc = book / "_toc.yml"
    if not toc.is_file():
        raise AssignError(f"{toc}: no table of contents here; run from the repository "
                          "root or pass --book")
    data = yaml.safe_load(toc.read_text(encoding="utf-8")) or {}
    found = []
    for entry in _toc_files(data):
        for suffix in (".md", ".ipynb"):
            page = book / f"{entry}{suffix}"
            if page.is_file():
                text = page.read_text(encoding="utf-8")
                notebook = suffix == ".ipynb" or "jupytext:" in text[:600]
                if notebook and re.search(r"\{exercise(-start)?\}", text):
                    found.append(page)
                break
    return found


def _toc_files(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                yield node[key]
        for key, value in node.items():
            if key not in ("root", "file"):
                yield from _toc_files(value)
    elif isinstance(node, list):
        for value in node:
            yield from _toc_files(value)


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------

def _summary(chapters: Sequence[Chapter]) -> str:
    rows = [("chapter", "exercises", "auto-checked", "in words", "minutes", "kinds")]
    for ch in chapters:
        kinds = ", ".join(sorted({e.kind for e in ch.exercises}))
        rows.append((ch.name, str(len(ch.exercises)),
                     str(sum(e.auto_checked for e in ch.exercises)),
                     str(sum(e.in_words for e in ch.exercises)),
                     str(sum(e.minutes for e in ch.exercises)), kinds))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.assign",
        description="Write student notebooks (solutions stripped) or an nbgrader "
                    "source folder from the book's chapters.")
    parser.add_argument("chapters", nargs="*", type=Path, metavar="CHAPTER",
                        help="chapter files, e.g. book/chapters/01-softmax.md")
    parser.add_argument("--all", action="store_true",
                        help="every chapter with exercises in BOOK/_toc.yml")
    parser.add_argument("--book", type=Path, default=Path("book"),
                        help="the book's folder, for --all (default: book)")
    parser.add_argument("--out", type=Path, default=Path("student"),
                        help="output folder (default: student)")
    parser.add_argument("--nbgrader", action="store_true",
                        help="write an nbgrader course layout OUT/source/ASSIGNMENT/ instead")
    parser.add_argument("--assignment", metavar="NAME",
                        help="with --nbgrader: one assignment for all the chapters "
                             "(default: one per chapter, named after it)")
    parser.add_argument("--list", action="store_true",
                        help="print the chapters' exercises and write nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.assignment and not args.nbgrader:
        parser.error("--assignment only goes with --nbgrader")
    if args.assignment and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", args.assignment):
        parser.error("--assignment: use letters, digits, '-', '_' and '.' only")
    if not args.chapters and not args.all:
        parser.error("name at least one chapter file, or pass --all")
    try:
        paths = list(args.chapters) + (chapters_in_toc(args.book) if args.all else [])
        if not paths:
            raise AssignError(f"{args.book / '_toc.yml'}: no chapter with exercises")
        seen, chapters = set(), []
        for path in paths:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                chapters.append(read_chapter(path))
        if args.list:
            print(_summary(chapters))
            return 0
        for chapter in chapters:
            if args.nbgrader:
                written = write_nbgrader(chapter, args.out, args.assignment)
            else:
                written = write_student(chapter, args.out)
            print(f"{written}  ({len(chapter.exercises)} exercises, "
                  f"{sum(e.auto_checked for e in chapter.exercises)} auto-checked)")
    except AssignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
