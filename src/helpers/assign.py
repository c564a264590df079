"""Student notebooks and nbgrader source notebooks, made from the chapters.

An exercise lives once, in its chapter (``CONTRIBUTING.md``): an ``{exercise}``
directive, a starter cell tagged ``exercise`` that is its placeholder
(``p1 = NOT_ATTEMPTED``, or a stub raising ``NotImplementedError``), the worked
answer between ``{solution-start}`` and ``{solution-end}`` (prose, and code
cells tagged ``solution`` with the answer between ``### BEGIN SOLUTION`` and
``### END SOLUTION``), and a cell tagged ``check``::

    python -m helpers.assign book/chapters/01-softmax.md --out student/
    python -m helpers.assign --all --out student/      # the chapters of book/_toc.yml
    python -m helpers.assign --all --out course/ --nbgrader
    python -m helpers.assign --all --list

jupytext reads a chapter as a notebook and markdown-it-py finds the directives
in its markdown cells, cutting a cell that holds a solution and other text in
two. The student notebook drops every cell of a solution block and has
``YOUR ANSWER HERE`` after the first block of an exercise answered in words
(no starter, or the class ``prose-answer`` on ``solution-start``), so it runs
top to bottom and every check says "not attempted". The nbgrader source keeps
the answers, marked for nbgrader, and makes each check a test. See
``book/instructors.md``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import itertools
import re
import sys
from collections.abc import Sequence
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

__all__ = ["ANSWER_PLACEHOLDER", "AssignError", "Chapter", "Exercise", "Part", "SolutionBlock",
           "chapters_in_toc", "main", "nbgrader_notebook", "parse_chapter", "read_chapter",
           "student_notebook", "write_nbgrader", "write_student"]

ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"  # nbgrader's own text for an answer in words
PROSE_ANSWER_CLASS = "prose-answer"  # on solution-start: answer in words as well as in code

_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$", re.MULTILINE)
_DIRECTIVE = re.compile(r"\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)")
_EXERCISE_FENCE = re.compile(r"^ {0,3}(:{3,}|`{3,})\{exercise(-start)?\}", re.MULTILINE)
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
    """Read a chapter file (MyST Markdown notebook or ``.ipynb``); see :func:`parse_chapter`."""
    path = Path(path)
    if not path.is_file():
        raise AssignError(f"{path}: no such chapter file")
    if path.suffix not in (".md", ".ipynb"):
        raise AssignError(f"{path}: a chapter is a MyST Markdown notebook (.md) or an .ipynb")
    return parse_chapter(path.read_text(encoding="utf-8"), path=path)


def parse_chapter(text: str, *, path: str | Path = "chapter.md") -> Chapter:
    """Read a chapter from its text: MyST Markdown, or ``.ipynb`` JSON if `path` says so.

    Raises :class:`AssignError` where the exercises break the convention.

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
    >>> [(part.role, part.split) for part in chapter.parts]
    [('statement', True), ('solution', True), ('answer', False)]
    >>> [cell.source.splitlines()[-1] for cell in student_notebook(chapter).cells]
    [':::', 'YOUR ANSWER HERE']
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

    def where(self, index: int, offset: int = 0) -> str:
        line = self.lines[index]
        return f"{self.path}:{line + offset}" if line else f"{self.path} (cell {index + 1})"

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
            where, line = self.where(index, start), self.lines[index] and self.lines[index] + start
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
        _, options = _options(token, where)
        label = str(options.get("label") or f"exercise-{len(self.exercises) + 1}")
        if label in self.exercises:
            raise AssignError(f"{where}: a second exercise with the label {label!r}")
        self.current = self.exercises[label] = Exercise(label, arg, line, classes=_classes(options))
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
    """Cell metadata without the flags that fold a cell in JupyterLab."""
    metadata = copy.deepcopy(dict(metadata))
    jupyter = {k: v for k, v in metadata.pop("jupyter", {}).items()
               if k not in ("source_hidden", "outputs_hidden")}
    return {**metadata, "jupyter": jupyter} if jupyter else metadata


def _names(source: str) -> list[str | None]:
    """Each top-level statement of a cell: the function or class it defines, or None."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return [None]
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name if isinstance(node, defs) else None for node in body]


def _notebook(chapter: Chapter, cells: list, edition: str):
    """A validated notebook of copies of `cells`: no outputs, counts or attachments."""
    metadata = {key: copy.deepcopy(chapter.metadata[key])
                for key in ("kernelspec", "language_info") if key in chapter.metadata}
    metadata["softmax_book"] = {"chapter": chapter.name, "edition": edition}
    new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    notebook = nbformat.v4.new_notebook(metadata=metadata)
    for n, cell in enumerate(cells):
        meta = {k: v for k, v in copy.deepcopy(dict(cell.metadata)).items() if k != "execution"}
        notebook.cells.append(new.get(cell.cell_type, nbformat.v4.new_raw_cell)(
            cell.source, metadata=meta, id=f"cell-{n:03d}"))  # the same chapter, the same file
    nbformat.validate(notebook)
    return notebook


def student_notebook(chapter: Chapter):
    """The student's notebook (nbformat 4.5): the chapter without its solution blocks."""
    return _notebook(chapter, [p.cell for p in chapter.parts if p.role != "solution"], "student")


def _assertive(source: str, where: str) -> str:
    """The check cell with its check printed and made to raise unless correct.

    nbgrader would read a test cell's *result* as a partial score, hence the print.

    >>> print(_assertive("x = 1\\ncheck(a) or check(b)  # why", "x"))
    x = 1
    print((check(a) or check(b)).assert_correct())  # why
    """
    try:
        body = ast.parse(source).body
    except SyntaxError as exc:
        raise AssignError(f"{where}: the check cell is not plain Python ({exc.msg})") from exc
    if not body or not isinstance(body[-1], ast.Expr):
        raise AssignError(f"{where}: a check cell must end with the check call itself "
                          "(an expression returning its Feedback), e.g. `check_p1(p1)`")
    if sum(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
           and getattr(s.value.func, "id", "").startswith("check") for s in body) > 1:
        raise AssignError(f"{where}: one check call per check cell, please")
    expr, data = body[-1], source.encode("utf-8")  # ast offsets count UTF-8 bytes
    starts = list(itertools.accumulate(map(len, data.splitlines(keepends=True)), initial=0))
    begin = starts[expr.lineno - 1] + expr.col_offset
    end = starts[expr.end_lineno - 1] + expr.end_col_offset
    text = data[begin:end].decode("utf-8")
    if not isinstance(expr.value, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)):
        text = f"({text})"
    return f"{data[:begin].decode()}print({text}.assert_correct()){data[end:].decode()}"


def nbgrader_notebook(chapter: Chapter, *, points: float = 1):
    """The nbgrader source notebook (schema 3), `points` for each graded cell.

    Each solution code cell is an answer cell, each answer in words a graded cell
    holding the worked answer, each check a locked test, each statement locked.
    The prose of the solutions goes, and so does a starter holding only stubs
    that the answer defines again (one that sets ``p1 = NOT_ATTEMPTED`` stays, so
    that an unanswered exercise is "not attempted", not a NameError).
    """
    exercises, used, cells = {e.label: e for e in chapter.exercises}, set(), []

    def marked(cell, kind: str, *, solution=False, locked=False, graded=False):
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{part.exercise}-{kind}").strip("-")
        grade_id, n = base, 1
        while grade_id in used:  # nbgrader wants each id once
            grade_id, n = f"{base}-{n + 1}", n + 1
        used.add(grade_id)
        meta = _visible(cell.metadata) if solution else copy.deepcopy(dict(cell.metadata))
        meta["nbgrader"] = {"grade": graded, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution,
                            **({"points": points} if graded else {})}
        return nbformat.from_dict({**cell, "metadata": meta})

    def replaced(starter, exercise: Exercise) -> bool:
        answers = {name for b in exercise.solutions for c in b.code for name in _names(c.source)}
        stubs = _names(starter.source)
        return bool(stubs) and None not in stubs and set(stubs) <= answers

    for part in chapter.parts:
        cell, role, exercise = part.cell, part.role, exercises.get(part.exercise)
        if role == "solution" and cell.cell_type == "code":
            cells.append(marked(cell, "answer", solution=True))
        elif role == "answer":
            text = "\n\n".join(b.text for b in exercise.solutions if b.text) or ANSWER_PLACEHOLDER
            cells.append(marked(nbformat.v4.new_markdown_cell(text), "written", solution=True,
                                graded=True))
        elif role == "check":
            cells.append(marked(cell, "check", locked=True, graded=True))
            cells[-1].source = _assertive(cell.source, f"{chapter.path} ({part.exercise})")
        elif role == "statement":
            cells.append(marked(cell, "statement", locked=True))
        elif role != "solution" and not (role == "starter" and replaced(cell, exercise)):
            cells.append(cell)
    return _notebook(chapter, cells, "nbgrader-source")


def _write(notebook, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def write_student(chapter: Chapter, out: str | Path) -> Path:
    """Write ``out/<chapter>.ipynb``, the student notebook, and return its path."""
    return _write(student_notebook(chapter), Path(out) / f"{chapter.name}.ipynb")


def write_nbgrader(chapter: Chapter, out: str | Path, assignment: str | None = None) -> Path:
    """Write ``out/source/<assignment>/<chapter>.ipynb`` and return its path (the
    assignment is named after the chapter unless given)."""
    folder = Path(out) / "source" / (assignment or chapter.name)
    return _write(nbgrader_notebook(chapter), folder / f"{chapter.name}.ipynb")


def chapters_in_toc(book: str | Path = "book") -> list[Path]:
    """The notebooks in ``book/_toc.yml`` that hold exercises, in the book's order."""
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
        text = page.read_text(encoding="utf-8") if page else ""
        if page and (page.suffix == ".ipynb" or matches_mystnb(text)) \
                and _EXERCISE_FENCE.search(text):
            found.append(page)
    return found


def _summary(chapters: Sequence[Chapter]) -> str:
    rows = [("chapter", "exercises", "auto-checked", "in words", "minutes", "kinds")]
    for ch in chapters:
        ex = ch.exercises
        rows.append((ch.name, str(len(ex)), str(sum(e.auto_checked for e in ex)),
                     str(sum(e.in_words for e in ex)), str(sum(e.minutes for e in ex)),
                     ", ".join(sorted({e.kind for e in ex}))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.assign", description="Write "
                                     "student notebooks or an nbgrader source folder.")
    add = parser.add_argument
    add("chapters", nargs="*", type=Path, metavar="CHAPTER", help="e.g. book/chapters/01-x.md")
    add("--all", action="store_true", help="every chapter with exercises in BOOK/_toc.yml")
    add("--book", type=Path, default=Path("book"), help="the book's folder (default: book)")
    add("--out", type=Path, default=Path("student"), help="output folder (default: student)")
    add("--nbgrader", action="store_true", help="write OUT/source/ASSIGNMENT/ for nbgrader")
    add("--assignment", metavar="NAME", help="one nbgrader assignment (default: one a chapter)")
    add("--list", action="store_true", help="print the chapters' exercises and write nothing")
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
        unique = {}  # the first path to each file
        for path in paths:
            unique.setdefault(path.resolve(), path)
        chapters = [read_chapter(path) for path in unique.values()]
        if args.list:
            print(_summary(chapters))
            return 0
        for chapter in chapters:
            written = (write_nbgrader(chapter, args.out, args.assignment) if args.nbgrader
                       else write_student(chapter, args.out))
            print(f"{written}  ({len(chapter.exercises)} exercises, "
                  f"{sum(e.auto_checked for e in chapter.exercises)} auto-checked)")
    except AssignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
