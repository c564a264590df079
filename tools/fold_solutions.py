"""Fold every exercise solution in JupyterLab, as the HTML book does.

    .venv/bin/python tools/fold_solutions.py book/chapters/*.md

A jupytext round trip. The chapter is read as a notebook and cut into parts by
:mod:`helpers.chapters`, so that a markdown cell holding both a solution and
other text becomes two cells. Every cell of a solution block gets
``"jupyter": {"source_hidden": true}`` (a markdown cell a ``+++ {...}`` line
before it), and the notebook is written back in MyST. A cell that does not
change keeps its text byte for byte, since jupytext would re-wrap the YAML
options of every code cell. Running it again changes nothing.
"""

from __future__ import annotations

import sys

import nbformat
from jupytext.myst import myst_to_notebook, notebook_to_myst

from helpers.chapters import parse_chapter


def _hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def fold(text: str) -> str:
    """The MyST text of a chapter with every solution cell folded.

    Examples
    --------
    >>> chapter = '''# Sums
    ...
    ... :::{exercise} Add
    ... :label: ex-add
    ... Why is 1 + 1 = 2?
    ... :::
    ... ::::{solution-start} ex-add
    ... ::::
    ... By definition.
    ... ::::{solution-end}
    ... ::::
    ... The end.
    ... '''
    >>> print(fold(chapter))
    # Sums
    <BLANKLINE>
    :::{exercise} Add
    :label: ex-add
    Why is 1 + 1 = 2?
    :::
    <BLANKLINE>
    +++ {"jupyter": {"source_hidden": true}}
    <BLANKLINE>
    ::::{solution-start} ex-add
    ::::
    By definition.
    ::::{solution-end}
    ::::
    <BLANKLINE>
    +++
    <BLANKLINE>
    The end.
    <BLANKLINE>
    >>> fold(fold(chapter)) == fold(chapter)
    True
    """
    notebook = myst_to_notebook(text, add_source_map=True)
    lines = text.splitlines(keepends=True)
    # Where the text of each cell begins: the fence of a code cell, the `+++`
    # line of a markdown cell that has one, else the markdown region itself.
    begins = []
    for cell, start in zip(notebook.cells, notebook.metadata["source_map"]):
        plus = start > 0 and lines[start - 1].startswith("+++")
        begins.append(start - 1 if cell.cell_type != "markdown" or plus else start)
    texts = ["".join(lines[a:b]) for a, b in zip(begins, begins[1:] + [len(lines)])]
    lexer = notebook.metadata.get("jupyter", {}).get("jupytext", {}).get("default_lexer")
    out, previous, written = ["".join(lines[:begins[0]] if begins else lines)], None, False
    for part in parse_chapter(text).parts:
        cell = part.cell
        if part.role == "answer":
            continue  # the student's placeholder, not a cell of the chapter
        fold_it = part.role == "solution" and not _hidden(cell)
        if part.split or fold_it:
            meta = dict(cell.metadata)
            if part.role == "solution":
                meta["jupyter"] = {**meta.get("jupyter", {}), "source_hidden": True}
            one = nbformat.v4.new_notebook(cells=[nbformat.from_dict({**cell, "metadata": meta})])
            block = notebook_to_myst(one, default_lexer=lexer)
            # Consecutive markdown cells need the `+++` break between them.
            bare = previous == "markdown" and cell.cell_type == "markdown" and not meta
            gap = "" if "".join(out[-1:]).endswith("\n\n") else "\n"  # a blank line before it
            out.append(gap + ("+++\n\n" if bare else "") + block + "\n")
        else:
            out.append(texts[part.index])
        previous, written = cell.cell_type, part.split or fold_it
    if written:  # no blank line after a cell rewritten at the end
        out[-1] = out[-1][:-1]
    return "".join(out)


def main(paths: list[str]) -> int:
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = fold(text)
        if fold(new) != new:
            raise SystemExit(f"{path}: folding twice changes it again; not written")
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
        print(f"{path}: {'folded' if new != text else 'unchanged'}, "
              f"{text.count('{solution-start}')} solutions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
