"""tools/fold_solutions.py: every solution cell folded, every other byte kept."""

from __future__ import annotations

import doctest
import re

import jupytext
import pytest
from test_assign import SAMPLE, solution_regions, toc_chapters

from tools import fold_solutions
from tools.fold_solutions import fold

# The lines that fold a solution: a hidden-cell marker, or a bare cell break.
_FOLD_LINE = re.compile(r'^\+\+\+( \{"jupyter": \{"source_hidden": true\}\})?\n\n', re.MULTILINE)


def unfolded(text: str) -> str:
    """The chapter with every `+++` line that starts a markdown cell removed."""
    return _FOLD_LINE.sub("", text)


def folded_cells(text: str) -> list[bool]:
    """For each cell of every solution region (found without helpers.assign): is it hidden?"""
    _, other = solution_regions(text)
    outside = {c.source for c in jupytext.reads("\n".join(other), fmt="md:myst").cells}
    return [bool(c.metadata.get("jupyter", {}).get("source_hidden"))
            for c in jupytext.reads(text, fmt="md:myst").cells if c.source not in outside]


def test_the_examples_run():
    result = doctest.testmod(fold_solutions, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_a_folded_chapter_is_left_alone(chapter):
    text = chapter.read_text()
    assert fold(text) == text


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_an_unfolded_chapter_is_folded_back(chapter):
    text = chapter.read_text()
    bare = unfolded(text)
    assert bare != text, "nothing to unfold"
    assert fold(bare) == text


def test_the_sample_is_folded_once_and_for_all():
    once = fold(SAMPLE)
    assert once != SAMPLE and fold(once) == once
    hidden = folded_cells(once)
    assert len(hidden) >= 10 and all(hidden)
    assert not all(folded_cells(SAMPLE))  # the sample leaves some unfolded


def test_folding_keeps_every_cell_source():
    def sources(text):
        return [line for cell in jupytext.reads(text, fmt="md:myst").cells
                for line in cell.source.splitlines() if line.strip()]

    assert sources(fold(SAMPLE)) == sources(SAMPLE)
    assert sources(fold(unfolded(SAMPLE))) == sources(SAMPLE)
