"""A chapter's exercises, read from its notebook: what the editions are made of.

An exercise lives once, in its chapter (``CONTRIBUTING.md``): an ``{exercise}``
directive, a starter cell tagged ``exercise`` that is its placeholder
(``p1 = NOT_ATTEMPTED``, or a stub raising ``NotImplementedError``), the worked
answer between ``{solution-start}`` and ``{solution-end}`` (prose, and code
cells tagged ``solution`` with the answer between ``### BEGIN SOLUTION`` and
``### END SOLUTION``), and a cell tagged ``check``.

jupytext reads a chapter as a notebook and markdown-it-py finds the directives
in its markdown cells, cutting a cell that holds a solution and other text in
two. The result is a :class:`Chapter`: its exercises, and its cells as
:class:`Part` objects with their roles, from which :mod:`helpers.assign` makes
the student and nbgrader notebooks and ``tools/fold_solutions.py`` folds the
solutions. :func:`chapters_in_toc` reads ``_toc.yml`` with sphinx-external-toc.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import nbformat
from jupytext.myst import (
    MystMetadataParsingError,
    matches_mystnb,
    myst_to_notebook,
    parse_directive_options,
)
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from sphinx_external_toc.parsing import parse_toc_yaml

__all__ = ["ANSWER_PLACEHOLDER", "PROSE_ANSWER_CLASS", "AssignError", "Chapter", "Exercise",
           "Part", "SolutionBlock", "chapters_in_toc", "parse_chapter", "read_chapter"]

ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"  # nbgrader's own text for an answer in words
PROSE_ANSWER_CLASS = "prose-answer"  # on solution-start: answer in words as well as in code

_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$", re.MULTILINE)
_DIRECTIVE = re.compile(r"\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)")
_POINTS = "points-"  # the class that sets an exercise's points, e.g. points-3
_EXERCISES, _STARTS = ("exercise", "exercise-start"), ("solution-start", "solution")
# jupytext's MyST reader sees only ``` fences; MyST directives also use ::: fences.
_MARKDOWN = MarkdownIt("commonmark").use(colon_fence_plugin).disable("inline", True)


class AssignError(ValueError):
    """A chapter breaks the exercise convention, or a file is missing.

    The message starts with the file and its line (or the cell of an ``.ipynb``).
    """


@dataclass(eq=False)
class SolutionBlock:
    """A ``solution-start`` ... ``solution-end`` block: its exercise's label, the line
    of ``solution-start``, its classes, its pieces of prose and its code cells."""

    exercise: str
    line: int | None
    classes: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    code: list[Any] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The worked answer in words."""
        return "\n\n".join(p.strip("\n") for p in self.prose if p.strip())


@dataclass
class Exercise:
    """An exercise: its ``:label:``, title, line and classes, and the cells tagged
    ``exercise`` (``starters``) and ``check`` (``checks``) and ``solutions`` after it."""

    label: str
    title: str
    line: int | None
    starters: list[Any] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)
    solutions: list[SolutionBlock] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    statement: str = ""  # the directive's body: the task, without its options

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
        """``function`` (a starter defines one), ``value`` or ``prose``; ``+ prose`` for both."""
        if not self.starters:
            return "prose"
        code = "function" if any(n for c in self.starters for n in _names(c.source)) else "value"
        return code + (" + prose" if self.in_words else "")

    @property
    def minutes(self) -> int:
        """A ``minutes-N`` class, else 5 for a value, 15 a function, 10 words, +5 code and words."""
        for cls in self.classes:
            if re.fullmatch(r"minutes-\d+", cls):
                return int(cls[8:])
        code, _, words = self.kind.partition(" + ")
        return {"value": 5, "function": 15, "prose": 10}[code] + (5 if words else 0)

    @property
    def graded_cells(self) -> int:
        """How many cells nbgrader grades: one a check, and one for an answer in words."""
        return len(self.checks) + self.in_words

    @property
    def points(self) -> int:
        """A ``points-N`` class, else one point for each graded cell."""
        for cls in self.classes:
            if cls.startswith(_POINTS):
                return int(cls[len(_POINTS):])
        return self.graded_cells


class Part(NamedTuple):
    """A cell as the outputs see it: its ``role`` (``text``, ``code``, ``statement``,
    ``starter``, ``check``, ``solution``, or ``answer`` where a student writes words),
    its exercise, the chapter's cell it comes from, and whether it is a piece of it."""

    cell: Any
    role: str
    exercise: str | None = None
    index: int | None = None
    split: bool = False


@dataclass
class Chapter:
    """A chapter: its file, first level-one heading, notebook metadata, exercises,
    and the parts that the output notebooks are made of."""

    path: Path
    title: str
    metadata: dict
    exercises: list[Exercise]
    parts: list[Part]

    @property
    def name(self) -> str:
        """The file name without its suffix, e.g. ``01-softmax``."""
        return self.path.stem

    @property
    def solutions(self) -> list[SolutionBlock]:
        """Every solution block."""
        return [block for exercise in self.exercises for block in exercise.solutions]


def read_chapter(path: str | Path) -> Chapter:
    """Read a chapter file (MyST Markdown notebook or ``.ipynb``); see :func:`parse_chapter`.

    Raises
    ------
    AssignError
        If there is no such file, it is neither ``.md`` nor ``.ipynb``, or its
        exercises break the convention.

    Examples
    --------
    >>> read_chapter("book/chapters/99-missing.md")
    Traceback (most recent call last):
    ...
    helpers.chapters.AssignError: book/chapters/99-missing.md: no such chapter file
    """
    path = Path(path)
    if not path.is_file():
        raise AssignError(f"{path}: no such chapter file")
    if path.suffix not in (".md", ".ipynb"):
        raise AssignError(f"{path}: a chapter is a MyST Markdown notebook (.md) or an .ipynb")
    return parse_chapter(path.read_text(encoding="utf-8"), path=path)


def parse_chapter(text: str, *, path: str | Path = "chapter.md") -> Chapter:
    """Read a chapter from its text: MyST Markdown, or ``.ipynb`` JSON if `path` says so.

    Parameters
    ----------
    text : str
        The chapter file's text.
    path : str or Path, optional
        Its file name, for the error messages and :attr:`Chapter.name`.

    Returns
    -------
    Chapter
        Its exercises, and its cells cut into parts with their roles.

    Raises
    ------
    AssignError
        Where the exercises break the convention, naming the file and line.

    Examples
    --------
    >>> chapter = parse_chapter('''
    ... :::{exercise} Why
    ... :label: ex-why
    ... Why is $e^0 = 1$?
    ... :::
    ... ::::{solution-start} ex-why
    ... ::::
    ... Any number to the power zero is one.
    ... ::::{solution-end}
    ... ::::
    ... ''')
    >>> [(e.label, e.kind, e.minutes) for e in chapter.exercises]
    [('ex-why', 'prose', 10)]
    >>> chapter.solutions[0].text
    'Any number to the power zero is one.'
    >>> [(part.role, part.split, part.cell.source.splitlines()[-1]) for part in chapter.parts]
    [('statement', True, ':::'), ('solution', True, '::::'), ('answer', False, 'YOUR ANSWER HERE')]
    >>> parse_chapter(":::{exercise} Why\\n:::\\n::::{solution-end}\\n::::\\n")
    Traceback (most recent call last):
    ...
    helpers.chapters.AssignError: chapter.md:3: solution-end without a solution-start before it
    """
    path, lines = Path(path), None
    try:
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
        else:
            notebook = myst_to_notebook(text, add_source_map=True)
            lines = _cell_lines(text, notebook)
    except Exception as exc:  # the readers' errors are of many types
        raise AssignError(f"{path}: jupytext cannot read it: {exc}") from exc
    return _Reader(path, lines or [None] * len(notebook.cells)).read(notebook)


def _cell_lines(text: str, notebook) -> list[int]:
    """The file line of each cell: its first line of text, or a code cell's opening fence."""
    lines, found = text.splitlines(), []
    for cell, start in zip(notebook.cells, notebook.metadata.pop("source_map")):
        # A markdown cell's region starts with blank lines that its text leaves out.
        blank = next((k for k, line in enumerate(lines[start:]) if line.strip()), 0)
        found.append(start + blank + 1 if cell.cell_type == "markdown" else start)
    return found


class _Reader:
    """One pass over the cells, remembering the last exercise stated and the open block."""

    def __init__(self, path: Path, lines: list[int | None]):
        self.path, self.lines, self.parts, self.title = path, lines, [], ""
        self.exercises: dict[str, Exercise] = {}
        self.current: Exercise | None = None
        self.block: SolutionBlock | None = None
        self.where_of: dict[Any, str] = {}  # the place of each exercise and block, for errors

    def line(self, index: int, offset: int = 0) -> int | None:
        """The file line `offset` lines into cell `index`, or None for an ``.ipynb``."""
        return self.lines[index] and self.lines[index] + offset

    def where(self, index: int, offset: int = 0) -> str:
        line = self.line(index, offset)
        return f"{self.path}:{line}" if line else f"{self.path} (cell {index + 1})"

    def read(self, notebook) -> Chapter:
        for index, cell in enumerate(notebook.cells):
            (self._markdown if cell.cell_type == "markdown" else self._code)(cell, index)
        if self.block:
            raise AssignError(f"{self.where_of[id(self.block)]}: the solution-start for "
                              f"{self.block.exercise} has no solution-end")
        for label, exercise in self.exercises.items():
            if any(b.code for b in exercise.solutions) and not exercise.starters:
                raise AssignError(f"{self.where_of[label]}: exercise {label} has solution code but "
                                  "no starter cell tagged `exercise` (see CONTRIBUTING.md)")
        parts = [p for p in self.parts if p.role != "answer" or self.exercises[p.exercise].in_words]
        return Chapter(self.path, self.title, dict(notebook.metadata),
                       list(self.exercises.values()), parts)

    def _add(self, cell, role: str, index: int, split: bool = False) -> None:
        """Append a part; inside a block, every cell belongs to the solution."""
        if self.block:
            role, label = "solution", self.block.exercise
        else:
            label = self.current.label if role in ("statement", "starter", "check") else None
        self.parts.append(Part(cell, role, label, index, split))

    def _code(self, cell, index: int) -> None:
        tags, where = set(cell.metadata.get("tags", [])), self.where(index)
        tag = next((t for t in ("check", "exercise") if t in tags), None)
        if self.block and tag:
            raise AssignError(f"{where}: a cell tagged `{tag}` is inside the solution block of "
                              f"{self.block.exercise}; move it out, after solution-end")
        markers = "".join(m[0] for m in _MARKER.findall(cell.source))  # "BEBE" when right
        if self.block and not re.fullmatch("(BE)*", markers):
            raise AssignError(f"{where}: `{_BEGIN}` without `{_END}` after it, or the two out of "
                              "order (one pair per answer region)")
        if not self.block and ("solution" in tags or _MARKER.search(cell.source)):
            raise AssignError(f"{where}: a solution cell (tag `solution` or a `{_BEGIN}` marker) "
                              "outside a solution-start/solution-end block would show to students")
        if tag and not self.current:
            raise AssignError(f"{where}: a cell tagged `{tag}` comes before any exercise directive")
        if self.block and cell.cell_type == "code":
            self.block.code.append(cell)
        elif tag:
            (self.current.checks if tag == "check" else self.current.starters).append(cell)
        role = {"check": "check", "exercise": "starter"}.get(tag, "code")
        self._add(cell, role if cell.cell_type == "code" else "text", index)

    def _markdown(self, cell, index: int) -> None:
        """Read the directives of a markdown cell, cutting it where a solution starts or ends."""
        lines, tokens = cell.source.split("\n"), _MARKDOWN.parse(cell.source)
        run = prose = 0  # where the current part, and the unread prose of the block, start
        statement = False
        for n, token in enumerate(tokens):
            if token.level or not token.map:
                continue  # only top-level blocks are directives
            (start, end), (name, arg) = token.map, _directive(token)
            where, line = self.where(index, start), self.line(index, start)
            if name in _STARTS + ("solution-end",):
                self._check(name, token, lines, where)
            if name in _STARTS:
                self._run(cell, index, lines, run, start, statement)
                run, prose, statement = start, end, False
                body = self._open(name, arg, token, where, line)
            if name in ("solution", "solution-end"):  # `{solution}` holds its worked answer
                piece = body if name == "solution" else lines[prose:start]
                self.block.prose.append("\n".join(piece))
                self._run(cell, index, lines, run, end, False)
                self._close()
                run = prose = end
            elif name in _EXERCISES and not self.block:
                statement = True
                self._exercise(arg, token, where, line)
            elif token.tag == "h1" and token.nesting == 1 and not (self.title or self.block):
                self.title = tokens[n + 1].content.strip()
        if self.block:
            self.block.prose.append("\n".join(lines[prose:]))
        self._run(cell, index, lines, run, len(lines), statement)

    def _check(self, name: str, token, lines: list[str], where: str) -> None:
        """A solution directive is closed, and opens or ends a block as it should."""
        start, end = token.map  # markdown-it runs an unclosed fence to the end
        last = lines[end - 1].strip()
        if end - 1 == start or len(last) < len(token.markup) or set(last) != {token.markup[0]}:
            raise AssignError(f"{where}: the {name} directive is never closed "
                              f"(no closing `{token.markup}`)")
        if name != "solution-end" and self.block:
            raise AssignError(f"{where}: {name} inside the solution block of "
                              f"{self.block.exercise} (solution blocks do not nest)")
        if name == "solution-end" and not self.block:
            raise AssignError(f"{where}: solution-end without a solution-start before it")

    def _run(self, cell, index: int, lines: list[str], a: int, b: int, statement: bool) -> None:
        """Append lines a:b of a markdown cell as a part: the cell itself if that is all of it."""
        text, role = "\n".join(lines[a:b]).strip("\n"), "statement" if statement else "text"
        if (a, b) == (0, len(lines)):
            self._add(cell, role, index)
        elif text.strip():
            meta = copy.deepcopy(dict(cell.metadata)) if self.block else _visible(cell.metadata)
            self._add(nbformat.v4.new_markdown_cell(text, metadata=meta), role, index, True)

    def _open(self, name: str, arg: str, token, where: str, line: int | None) -> list[str]:
        """Start a block; return the body of the directive."""
        label = arg.split()[0] if arg else ""
        if not label:
            raise AssignError(f"{where}: {name} needs the label of its exercise, "
                              f"e.g. `{{{name}}} ex-chapter-slug`")
        if label not in self.exercises:
            raise AssignError(f"{where}: {name} answers {label!r}, but no exercise with that "
                              "label comes before it")
        body, options = _options(token, where)
        self.block = SolutionBlock(label, line, _classes(options))
        self.exercises[label].solutions.append(self.block)
        self.where_of[id(self.block)] = where
        return body

    def _close(self) -> None:
        """End the block; after an exercise's first one goes its answer in words."""
        block, self.block = self.block, None
        if block is self.exercises[block.exercise].solutions[0]:
            answer = nbformat.v4.new_markdown_cell(ANSWER_PLACEHOLDER)
            answer.metadata["tags"] = ["answer"]
            self.parts.append(Part(answer, "answer", block.exercise))

    def _exercise(self, arg: str, token, where: str, line: int | None) -> None:
        body, options = _options(token, where)
        label = str(options.get("label") or f"exercise-{len(self.exercises) + 1}")
        if label in self.exercises:
            raise AssignError(f"{where}: a second exercise with the label {label!r}")
        classes = _classes(options)
        for cls in classes:
            if cls.startswith(_POINTS) and not re.fullmatch(r"[1-9]\d*", cls[len(_POINTS):]):
                raise AssignError(f"{where}: the class {cls!r} of {label}: points are a whole "
                                  "number above zero, e.g. `points-3`")
        self.current = self.exercises[label] = Exercise(
            label, arg, line, classes=classes, statement="\n".join(body).strip("\n"))
        self.where_of[label] = where


def _directive(token) -> tuple[str | None, str]:
    """The name and argument of a directive fence (``:::{exercise} Title``), else (None, "")."""
    match = token.type in ("fence", "colon_fence") and _DIRECTIVE.fullmatch(token.info.strip())
    return (match["name"], match["arg"].strip()) if match else (None, "")


def _options(token, where: str) -> tuple[list[str], dict]:
    """A directive's body lines and options (``:key: value`` lines or a ``---`` block)."""
    try:
        return parse_directive_options(token.content, f"{where}: ")
    except MystMetadataParsingError as exc:
        raise AssignError(str(exc)) from exc


def _classes(options: dict) -> list[str]:
    value = options.get("class") or []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _visible(metadata: dict) -> dict:
    """Cell metadata without the flags that fold a cell in JupyterLab.

    >>> _visible({"tags": ["solution"], "jupyter": {"source_hidden": True}})
    {'tags': ['solution']}
    """
    metadata = copy.deepcopy(dict(metadata))
    jupyter = {k: v for k, v in metadata.pop("jupyter", {}).items()
               if k not in ("source_hidden", "outputs_hidden")}
    return {**metadata, "jupyter": jupyter} if jupyter else metadata


def _names(source: str) -> list[str | None]:
    """Each top-level statement of a cell: the function or class it defines, or None.

    >>> _names("import math\\ndef f(x):\\n    return x")
    [None, 'f']
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return [None]
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name if isinstance(node, defs) else None for node in body]


def chapters_in_toc(book: str | Path = "book") -> list[Path]:
    """The notebooks in ``book/_toc.yml`` that hold exercises, in the book's order.

    Parameters
    ----------
    book : str or Path, optional
        The book's folder, holding ``_toc.yml``.

    Returns
    -------
    list of Path
        The ``.md`` notebooks (jupytext header) and ``.ipynb`` files with an
        ``{exercise}`` directive, depth first, as the book reads.

    Raises
    ------
    AssignError
        If there is no ``_toc.yml``, or sphinx-external-toc cannot read it.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp())
    >>> toc = "format: jb-book\\nroot: intro\\nchapters:\\n- file: notes\\n- file: ch1\\n"
    >>> header = "---\\njupytext:\\n  text_representation:\\n    format_name: myst\\n---\\n"
    >>> for name, text in [("_toc.yml", toc), ("intro.md", "# Intro\\n"),
    ...                    ("notes.md", header + "# Notes\\n"),
    ...                    ("ch1.md", header + ":::{exercise} One\\n:::\\n")]:
    ...     _ = (book / name).write_text(text)
    >>> [path.name for path in chapters_in_toc(book)]
    ['ch1.md']
    """
    toc = Path(book) / "_toc.yml"
    if not toc.is_file():
        raise AssignError(f"{toc}: no table of contents here; run from the repository "
                          "root or pass --book")
    try:
        docnames = list(parse_toc_yaml(toc))  # depth first, as the book reads
    except Exception as exc:  # sphinx-external-toc raises its own errors and YAML's
        raise AssignError(f"{toc}: {exc}") from exc
    found = []
    for base in (Path(book) / docname for docname in docnames):
        pages = [base] if base.suffix in (".md", ".ipynb") else \
            [base.with_name(base.name + suffix) for suffix in (".md", ".ipynb")]
        page = next(filter(Path.is_file, pages), None)
        if page and _holds_exercises(page):
            found.append(page)
    return found


def _holds_exercises(page: Path) -> bool:
    """True if `page` is a notebook (``.ipynb``, or ``.md`` with a jupytext header)
    whose markdown has an ``{exercise}`` directive."""
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".md":
        markdown = [text] if matches_mystnb(text) else []
    else:
        try:  # the markdown cells, not the JSON they are stored in
            cells = nbformat.reads(text, as_version=4).cells
        except Exception as exc:  # nbformat's errors are of many types
            raise AssignError(f"{page}: nbformat cannot read it: {exc}") from exc
        markdown = [cell.source for cell in cells if cell.cell_type == "markdown"]
    return any(_directive(token)[0] in _EXERCISES
               for source in markdown for token in _MARKDOWN.parse(source))
