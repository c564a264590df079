"""Student notebooks and nbgrader source notebooks, made from the chapters.

:mod:`helpers.chapters` reads a chapter's exercises, starters, solutions and
checks (the convention is in ``CONTRIBUTING.md``); this module writes its two
editions, and is the command line::

    python -m helpers.assign book/chapters/01-softmax.md --out student/
    python -m helpers.assign --all --out student/      # the chapters of book/_toc.yml
    python -m helpers.assign --all --out course/ --nbgrader
    python -m helpers.assign --all --list

The student notebook drops every cell of a solution block and has
``YOUR ANSWER HERE`` after the first block of an exercise answered in words
(no starter, or the class ``prose-answer`` on ``solution-start``), so it runs
top to bottom and every check says "not attempted". The nbgrader source keeps
the answers, marked for nbgrader, makes each check a test and each answer in
words a manually graded cell holding the worked solution, the grader's rubric.
See ``book/instructors.md``.

Points: an exercise is worth its ``points-N`` class, else one point for each
graded cell (each check, and its answer in words); ``--points LABEL=N``
overrides one exercise (repeat it for others). An exercise's points are shared
equally among its graded cells by :func:`split_points`, so that a check and a
written answer of a 3-point exercise get 1.5 each::

    python -m helpers.assign --all --nbgrader --out course/ --points ex-mi-ceiling=3

The names of :mod:`helpers.chapters` that other code uses are exported here too.
"""

from __future__ import annotations

import argparse
import ast
import copy
import functools
import itertools
import math
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat

from helpers.chapters import (
    ANSWER_PLACEHOLDER,
    PROSE_ANSWER_CLASS,
    AssignError,
    Chapter,
    Exercise,
    Part,
    SolutionBlock,
    chapters_in_toc,
    parse_chapter,
    read_chapter,
)
from helpers.chapters import _names, _visible  # what a cell defines; its metadata unfolded
from helpers.plain_markdown import BookIndex, book_index, glue_values, plain_notebook

__all__ = ["ANSWER_PLACEHOLDER", "PROSE_ANSWER_CLASS", "AssignError", "Chapter", "Exercise",
           "Part", "SolutionBlock", "chapters_in_toc", "main", "nbgrader_notebook",
           "parse_chapter", "parse_points", "read_chapter", "split_points", "student_notebook",
           "write_nbgrader", "write_student"]


def _book_root(path: Path) -> Path | None:
    """The book folder holding `path`: the nearest one with ``_config.yml`` or ``_toc.yml``."""
    for folder in list(path.resolve().parents)[:4]:
        if (folder / "_toc.yml").is_file() or (folder / "_config.yml").is_file():
            return folder
    return None


@functools.lru_cache(maxsize=4)
def _index(book: Path, stamp: float) -> BookIndex:
    return book_index(book)


def _plain(chapter: Chapter, notebook):
    """`notebook` with plain markdown, references read from the chapter's book and the
    glued values from its jupyter-cache (see :mod:`helpers.plain_markdown`)."""
    book = _book_root(chapter.path)
    if book is None:
        return plain_notebook(notebook, page=chapter.name)
    # Any page edited since the index was read makes a new one.
    stamp = max((p.stat().st_mtime for p in book.rglob("*.md") if "_build" not in p.parts),
                default=0.0)
    glue = glue_values(chapter.path, book / "_build" / ".jupyter_cache")
    page = chapter.path.resolve().relative_to(book).with_suffix("").as_posix()
    return plain_notebook(notebook, page=page, index=_index(book, stamp), glue=glue)


def _notebook(chapter: Chapter, cells: list, edition: str, *, plain: bool = True):
    """A validated notebook of copies of `cells`: no outputs, counts or attachments;
    its markdown plain unless `plain` is False."""
    metadata = {key: copy.deepcopy(chapter.metadata[key])
                for key in ("kernelspec", "language_info") if key in chapter.metadata}
    metadata["softmax_book"] = {"chapter": chapter.name, "edition": edition}
    new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    notebook = nbformat.v4.new_notebook(metadata=metadata)
    for n, cell in enumerate(cells):
        meta = {k: v for k, v in copy.deepcopy(dict(cell.metadata)).items() if k != "execution"}
        notebook.cells.append(new.get(cell.cell_type, nbformat.v4.new_raw_cell)(
            cell.source, metadata=meta, id=f"cell-{n:03d}"))  # the same chapter, the same file
    if plain:
        _plain(chapter, notebook)
    nbformat.validate(notebook)
    return notebook


def student_notebook(chapter: Chapter, *, plain: bool = True):
    """The student's notebook (nbformat 4.5): the chapter without its solution blocks,
    its markdown plain (:mod:`helpers.plain_markdown`) unless `plain` is False.

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
    >>> [cell.source for cell in student_notebook(chapter).cells]
    ['### Exercise 1: Why\\n\\n> Why is $e^0 = 1$?', 'YOUR ANSWER HERE']
    >>> [cell.source.splitlines()[-1] for cell in student_notebook(chapter, plain=False).cells]
    [':::', 'YOUR ANSWER HERE']
    """
    cells = [p.cell for p in chapter.parts if p.role != "solution"]
    return _notebook(chapter, cells, "student", plain=plain)


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


def split_points(total: float, cells: int) -> list[float]:
    """An exercise's `total` points shared equally among its `cells` graded cells.

    The shares are rounded to hundredths and the last cell takes what is left,
    so that they add up to `total` exactly as nbgrader adds them.

    Examples
    --------
    >>> split_points(3, 2)
    [1.5, 1.5]
    >>> split_points(1, 3)
    [0.33, 0.33, 0.34]
    >>> split_points(2, 0)
    Traceback (most recent call last):
    ...
    ValueError: cells: an exercise with points has at least one graded cell, not 0
    """
    if not isinstance(cells, int) or cells < 1:
        raise ValueError(f"cells: an exercise with points has at least one graded cell, "
                         f"not {cells!r}")
    if not isinstance(total, (int, float)) or not math.isfinite(total) or total <= 0:
        raise ValueError(f"total: points are a finite number above zero, not {total!r}")
    share = round(total / cells, 2)
    return [share] * (cells - 1) + [round(total - share * (cells - 1), 2)]


def nbgrader_notebook(chapter: Chapter, *, points: Mapping[str, float] | None = None,
                      plain: bool = True):
    """The nbgrader source notebook (schema 3), its markdown plain unless `plain` is False.

    Each solution code cell is an answer cell, each answer in words a graded cell
    holding the worked answer, each check a locked test, each statement locked.
    An exercise's points (its ``points-N`` class, else one for each graded cell,
    or ``points[label]`` if given) are shared among its graded cells by
    :func:`split_points`, in the order they come.
    The prose of the solutions goes, and so does a starter holding only stubs
    that the answer defines again (one that sets ``p1 = NOT_ATTEMPTED`` stays, so
    that an unanswered exercise is "not attempted", not a NameError).

    Examples
    --------
    >>> chapter = parse_chapter('''
    ... :::{exercise} Two
    ... :label: ex-two
    ... Store 2 in `x`.
    ... :::
    ... ```{code-cell} ipython3
    ... :tags: [exercise]
    ... x = NOT_ATTEMPTED
    ... ```
    ... ::::{solution-start} ex-two
    ... ::::
    ... ```{code-cell} ipython3
    ... :tags: [solution]
    ... ### BEGIN SOLUTION
    ... x = 2
    ... ### END SOLUTION
    ... ```
    ... ::::{solution-end}
    ... ::::
    ... ```{code-cell} ipython3
    ... :tags: [check]
    ... check_x(x)
    ... ```
    ... ''')
    >>> for cell in nbgrader_notebook(chapter, points={"ex-two": 3}).cells:
    ...     meta = cell.metadata.get("nbgrader", {})
    ...     print(meta.get("grade_id"), meta.get("points"), cell.source.splitlines()[-1])
    ex-two-statement None > Store 2 in `x`.
    None None x = NOT_ATTEMPTED
    ex-two-answer None ### END SOLUTION
    ex-two-check 3.0 print(check_x(x).assert_correct())
    """
    exercises, used, cells = {e.label: e for e in chapter.exercises}, set(), []
    unknown = sorted(set(points or {}) - set(exercises))
    if unknown:
        raise ValueError(f"points: no exercise {', '.join(unknown)} in {chapter.path}")
    shares = {label: split_points((points or {}).get(label, e.points), e.graded_cells)
              for label, e in exercises.items() if e.graded_cells}

    def marked(cell, label: str, kind: str, *, solution=False, locked=False, graded=False):
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{label}-{kind}").strip("-")
        grade_id, n = base, 1
        while grade_id in used:  # nbgrader wants each id once
            grade_id, n = f"{base}-{n + 1}", n + 1
        used.add(grade_id)
        meta = _visible(cell.metadata) if solution else copy.deepcopy(dict(cell.metadata))
        meta["nbgrader"] = {"grade": graded, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution,
                            **({"points": float(shares[label].pop(0))} if graded else {})}
        return nbformat.from_dict({**cell, "metadata": meta})

    def replaced(starter, exercise: Exercise) -> bool:
        answers = {name for b in exercise.solutions for c in b.code for name in _names(c.source)}
        stubs = _names(starter.source)
        return bool(stubs) and None not in stubs and set(stubs) <= answers

    for part in chapter.parts:
        cell, role, label = part.cell, part.role, part.exercise
        exercise = exercises.get(label)
        if role == "solution" and cell.cell_type == "code":
            cells.append(marked(cell, label, "answer", solution=True))
        elif role == "answer":
            text = "\n\n".join(b.text for b in exercise.solutions if b.text) or ANSWER_PLACEHOLDER
            cells.append(marked(nbformat.v4.new_markdown_cell(text), label, "written",
                                solution=True, graded=True))
        elif role == "check":
            cells.append(marked(cell, label, "check", locked=True, graded=True))
            cells[-1].source = _assertive(cell.source, f"{chapter.path} ({label})")
        elif role == "statement":
            cells.append(marked(cell, label, "statement", locked=True))
        elif role != "solution" and not (role == "starter" and replaced(cell, exercise)):
            cells.append(cell)
    return _notebook(chapter, cells, "nbgrader-source", plain=plain)


def _write(notebook, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def write_student(chapter: Chapter, out: str | Path) -> Path:
    """Write ``out/<chapter>.ipynb``, the student notebook, and return its path."""
    return _write(student_notebook(chapter), Path(out) / f"{chapter.name}.ipynb")


def write_nbgrader(chapter: Chapter, out: str | Path, assignment: str | None = None, *,
                   points: Mapping[str, float] | None = None) -> Path:
    """Write ``out/source/<assignment>/<chapter>.ipynb`` and return its path (the
    assignment is named after the chapter unless given); `points` overrides the
    points of the exercises it names (see :func:`nbgrader_notebook`)."""
    folder = Path(out) / "source" / (assignment or chapter.name)
    return _write(nbgrader_notebook(chapter, points=points), folder / f"{chapter.name}.ipynb")


def parse_points(values: Sequence[str], chapters: Sequence[Chapter]) -> dict[str, float]:
    """The ``--points LABEL=N`` overrides, checked against the exercises of `chapters`.

    Raises
    ------
    ValueError
        For a value not of the form ``LABEL=N``, N not a finite number above
        zero, a label given twice, or no graded exercise with that label.

    Examples
    --------
    >>> chapter = parse_chapter(":::{exercise} Why\\n:label: ex-why\\n:::\\n"
    ...                         "::::{solution-start} ex-why\\n::::\\n::::{solution-end}\\n::::\\n")
    >>> parse_points(["ex-why=2.5"], [chapter])
    {'ex-why': 2.5}
    >>> parse_points(["ex-who=2"], [chapter])
    Traceback (most recent call last):
    ...
    ValueError: --points ex-who=2: no exercise ex-who in the chapters chosen
    >>> parse_points(["ex-why=0"], [chapter])
    Traceback (most recent call last):
    ...
    ValueError: --points ex-why=0: the points are a number above zero, e.g. ex-why=3
    """
    exercises = {e.label: e for chapter in chapters for e in chapter.exercises}
    found: dict[str, float] = {}
    for value in values:
        label, sep, number = value.partition("=")
        label, number = label.strip(), number.strip()
        if not sep or not label:
            raise ValueError(f"--points {value}: write LABEL=N, e.g. ex-softmax-by-hand=3")
        try:
            points = float(number)
        except ValueError:
            points = math.nan
        if not math.isfinite(points) or points <= 0:
            raise ValueError(f"--points {value}: the points are a number above zero, "
                             f"e.g. {label}=3")
        if label in found:
            raise ValueError(f"--points {value}: {label} is given twice")
        if label not in exercises:
            raise ValueError(f"--points {value}: no exercise {label} in the chapters chosen")
        if not exercises[label].graded_cells:
            raise ValueError(f"--points {value}: {label} has no check and no answer in words")
        found[label] = points
    return found


def _summary(chapters: Sequence[Chapter], points: Mapping[str, float]) -> str:
    rows = [("chapter", "exercises", "auto-checked", "in words", "minutes", "points", "kinds")]
    for ch in chapters:
        ex = ch.exercises
        total = sum(points.get(e.label, e.points) for e in ex if e.graded_cells)
        rows.append((ch.name, str(len(ex)), str(sum(e.auto_checked for e in ex)),
                     str(sum(e.in_words for e in ex)), str(sum(e.minutes for e in ex)),
                     f"{total:g}", ", ".join(sorted({e.kind for e in ex}))))
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
    add("--points", action="append", default=[], metavar="LABEL=N",
        help="with --nbgrader: exercise LABEL is worth N points (repeat for others)")
    add("--list", action="store_true", help="print the chapters' exercises and write nothing")
    args = parser.parse_args(argv)
    if args.points and not (args.nbgrader or args.list):
        parser.error("--points only goes with --nbgrader (or --list)")
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
        try:
            points = parse_points(args.points, chapters)
        except ValueError as exc:
            parser.error(str(exc))
        if args.list:
            print(_summary(chapters, points))
            return 0
        for chapter in chapters:
            mine = {k: v for k, v in points.items()
                    if k in {e.label for e in chapter.exercises}}
            written = (write_nbgrader(chapter, args.out, args.assignment, points=mine)
                       if args.nbgrader else write_student(chapter, args.out))
            print(f"{written}  ({len(chapter.exercises)} exercises, "
                  f"{sum(e.auto_checked for e in chapter.exercises)} auto-checked)")
    except AssignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
