"""The student and nbgrader notebooks carry no MyST: what classic interfaces show.

The expected texts below are written by hand from what the book shows (its
HTML numbers equations "(1)", figures "Fig. 1" and exercises in each page);
the detector of MyST left over (:func:`myst_left`) is a set of patterns of its
own, not the parser under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers import assign
from helpers.plain_markdown import (
    BookIndex,
    Target,
    book_index,
    glue_values,
    plain_markdown,
    plain_notebook,
)
from test_assign import HEADER, SAMPLE, toc_chapters
from tools.project import BOOK

_MYST = {
    "colon fence": re.compile(r"^\s*(>\s*)*:{3,}", re.M),
    "directive fence": re.compile(r"```+\{"),
    "role": re.compile(r"\{[a-z][\w:-]*\}`"),
    "target": re.compile(r"^\s*(>\s*)*\([\w.:-]+\)=\s*$", re.M),
    "labelled maths": re.compile(r"\$\$\s*\([\w.:-]+\)\s*$", re.M),
    "directive option": re.compile(r"^\s*(>\s*)*:(label|class|name|alt):\s", re.M),
    "comment": re.compile(r"^%", re.M),
}


def myst_left(text: str) -> list[str]:
    """The kinds of MyST syntax found in `text`."""
    return [kind for kind, pattern in _MYST.items() if pattern.search(text)]


def test_the_detector_sees_myst():
    for text in (":::{exercise} T\n:::", "```{admonition} A\n```", "See {ref}`x`.",
                 "(sec-x)=\n# X", "$$\nx\n$$ (eq-x)", "> :class: tip", "% a comment"):
        assert myst_left(text), text
    assert myst_left("Plain $x$ and\n\n$$\nx \\tag{1}\n$$\n\n> quoted `code`") == []


# --------------------------------------------------------------------------
# Each construct, against text written by hand
# --------------------------------------------------------------------------

INDEX = BookIndex(
    targets={"sec-two": Target("Two classes", "chapters/01-a", "section"),
             "ch-b": Target("The second chapter", "chapters/02-b", "section"),
             "ex-b": Target("Exercise 2.4", "chapters/02-b", "exercise", "2.4"),
             "eq-b": Target("(3)", "chapters/02-b", "equation", "3"),
             "eq-a": Target("(1)", "chapters/01-a", "equation", "1"),
             "fig-a": Target("Fig. 2", "chapters/01-a", "figure", "2")},
    citations={"bishop2006": ("Bishop", "2006"), "cover2006": ("Cover and Thomas", "2006"),
               "zhang2023": ("Zhang et al.", "2023")},
    titles={"chapters/01-a": "The first", "chapters/02-b": "The second chapter",
            "notation": "Notation"})


@pytest.mark.parametrize("source, expected", [
    ("See {ref}`sec-two`, {ref}`ch-b` and {numref}`ex-b`.",
     "See Two classes, The second chapter and Exercise 2.4."),
    ("By {eq}`eq-a` and {eq}`eq-b`.", "By (1) and (3) of “The second chapter”."),
    ("In {numref}`fig-a`, and {numref}`Figure %s <fig-a>`.", "In Fig. 2, and Figure 2."),
    ("{ref}`this section <sec-two>` and {doc}`../notation`.", "this section and Notation."),
    ("{cite}`bishop2006` and {cite:p}`cover2006,zhang2023`.",
     "(Bishop, 2006) and (Cover and Thomas, 2006; Zhang et al., 2023)."),
    ("{cite:t}`bishop2006` showed it.", "Bishop (2006) showed it."),
    ("A {term}`logit` and {math}`x^2`.", "A logit and $x^2$."),
    ("Unknown {ref}`sec-nowhere`.", "Unknown sec-nowhere."),
    ("Two on a line: {ref}`sec-two`{ref}`sec-two`.", "Two on a line: Two classesTwo classes."),
])
def test_roles(source, expected):
    assert plain_markdown(source, page="chapters/01-a", index=INDEX) == expected


def test_links_when_the_book_has_an_address():
    index = BookIndex(targets=INDEX.targets, base_url="https://example.org/book/")
    assert plain_markdown("See {ref}`ex-b`.", index=index) == \
        "See [Exercise 2.4](https://example.org/book/chapters/02-b.html#ex-b)."


def test_glue_as_the_book_formats_it():
    glue = {"p": "0.86681", "n": "200000", "pct": "0.25", "name": "'cat'", "e": "1.5e-08"}
    text = ("{glue:text}`p:.3f`, {glue:text}`n:d`, {glue:text}`pct:.0%`, {glue:text}`name`, "
            "{glue:text}`e:.1e` and {glue:text}`missing:.2f`")
    assert plain_markdown(text, glue=glue) == \
        "0.867, 200000, 25%, cat, 1.5e-08 and [value `missing`]"
    # Without the values, no text looks like a number.
    assert not re.search(r"\d", plain_markdown("{glue:text}`p:.3f`"))


def test_exercise_solution_and_admonitions():
    source = """(sec-ex)=
## Exercises

:::{exercise} A title with {ref}`sec-two`
:label: ex-a
:class: minutes-10

Store $e^2$ in `e2`.

```python
x = 1
```
:::

::::{solution-start} ex-a
:class: dropdown
::::

Worked.

::::{solution-end}
::::

```{admonition} Learning objectives
:class: tip

1. One
```

:::{note}
A note.
:::"""
    assert plain_markdown(source, page="chapters/05-x", index=INDEX) == """## Exercises

### Exercise 5.1: A title with Two classes

> Store $e^2$ in `e2`.
>
> ```python
> x = 1
> ```

**Solution to Exercise 5.1**

Worked.

> **Learning objectives**
>
> 1. One

> **Note**
>
> A note."""


def test_equations_keep_their_dollars_and_get_the_book_number():
    source = "$$\na = b\n$$ (eq-first)\n\n1. In a list:\n\n   $$\n   c\n   $$ (eq-second)\n\n" \
             "```{math}\n:label: eq-third\nd\n```\n\nSee {eq}`eq-second` and $x$."
    assert plain_markdown(source) == ("$$\na = b\n\\tag{1}\n$$\n\n1. In a list:\n\n   $$\n   c\n"
                                      "   \\tag{2}\n   $$\n\n$$\nd\n\\tag{3}\n$$\n\n"
                                      "See (2) and $x$.")


def test_targets_and_comments_go():
    assert plain_markdown("(sec-a)=\n# A\n\n% not shown\nText.") == "# A\n\nText."


def test_bad_input():
    with pytest.raises(TypeError, match="source: a cell's text"):
        plain_markdown(None)
    with pytest.raises(ValueError, match="book: .* is not a folder"):
        book_index(Path("/nowhere/at/all"))


# --------------------------------------------------------------------------
# The real book
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index() -> BookIndex:
    return book_index(BOOK)


def test_the_index_knows_the_books_labels(index):
    assert index.targets["ch-stability"] == Target("Numerical stability", "chapters/02-stability")
    first = assign.read_chapter(toc_chapters()[0])
    assert index.targets[first.exercises[2].label].text == "Exercise 1.3"
    assert index.targets["eq-softmax"].text == "(1)"  # as the book's page numbers it
    assert index.citations["bishop2006pattern"] == ("Bishop", "2006")


def _labels_used(text: str) -> set[str]:
    found = set()
    for _role, content in re.findall(r"\{(ref|numref|eq)\}`([^`]*)`", text):
        found.add(re.sub(r".*<([^>]+)>$", r"\1", content).strip())
    return found


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_every_reference_resolves(chapter, index):
    text = chapter.read_text()
    assert set(_labels_used(text)) - set(index.targets) == set()
    cited = {k.strip() for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]*)`", text)
             for k in keys.split(",")}
    assert cited - set(index.citations) == set()


def _markdown(notebook) -> list[str]:
    return [c.source for c in notebook.cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_no_myst_in_the_notebooks(chapter):
    parsed = assign.read_chapter(chapter)
    for make in (assign.student_notebook, assign.nbgrader_notebook):
        plain, myst = _markdown(make(parsed)), _markdown(make(parsed, plain=False))
        assert len(plain) == len(myst)
        for text in plain:
            assert myst_left(text) == [], (make.__name__, text[:300])
        # The maths stays: as many $ as before, bar the labels written as tags.
        for before, after in zip(myst, plain):
            assert after.count("$") == before.count("$"), after[:300]
            labelled = re.findall(r"\$\$[ \t]*\([\w.:-]+\)[ \t]*$", before, re.M)
            assert after.count("\\tag{") == len(labelled) + before.count(":label: eq-")
        number = int(chapter.stem[:2])
        assert re.findall(r"^### Exercise ([\d.]+): ", "\n".join(plain), re.M) == \
            [f"{number}.{k}" for k in range(1, len(parsed.exercises) + 1)]


CACHE = BOOK / "_build" / ".jupyter_cache"


@pytest.mark.parametrize("chapter", toc_chapters(), ids=lambda p: p.stem)
def test_glued_values_come_from_the_executed_book(chapter, index):
    values = glue_values(chapter, CACHE)
    if values is None:
        pytest.skip("the book's jupyter-cache holds no run of this chapter's code as it is")
    keys = {k.split(":")[0] for k in re.findall(r"\{glue:text\}`([^`]*)`", chapter.read_text())}
    assert keys <= set(values)
    notebook = assign.student_notebook(assign.read_chapter(chapter))
    assert not any("[value `" in text for text in _markdown(notebook))


def test_glue_values_from_a_cache_and_not_from_a_stale_one(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    chapter = tmp_path / "01-x.md"
    chapter.write_text(f"---{HEADER}---\n\n# X\n\n```{{code-cell}} ipython3\nglue('p', 0.25)\n```"
                       "\n\nIt is {glue:text}`p:.1f`.\n")
    executed = jupytext.read(chapter)
    executed.cells[1].outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": "0.25"},
        metadata={"scrapbook": {"name": "p", "mime_prefix": "application/papermill.record/"}})]
    cache = tmp_path / "cache"
    get_cache(cache).cache_notebook_bundle(CacheBundleIn(executed, str(chapter)),
                                           check_validity=False)
    assert glue_values(chapter, cache) == {"p": "0.25"}
    notebook = plain_notebook(jupytext.read(chapter), glue=glue_values(chapter, cache))
    assert notebook.cells[-1].source == "It is 0.2."  # format(0.25, ".1f"), as myst-nb does
    chapter.write_text(chapter.read_text().replace("0.25)", "0.5)"))
    assert glue_values(chapter, cache) is None
    assert glue_values(chapter, tmp_path / "no-cache") is None


def test_the_sample_chapter_outside_a_book(tmp_path):
    path = tmp_path / "09-sample.md"
    path.write_text(SAMPLE)
    text = "\n\n".join(_markdown(assign.student_notebook(assign.read_chapter(path))))
    assert myst_left(text) == []
    assert "### Exercise 9.3: In words\n\n> Explain why $e^0 = 1$." in text


def test_numbers_agree_with_the_built_book(index):
    """Equations and figures carry the numbers the HTML book shows (it numbers them
    through the whole book), read here from the pages Sphinx wrote."""
    from tools.project import HTML

    pages = [p for p in HTML.rglob("*.html") if "_static" not in p.parts] if HTML.is_dir() else []
    if not pages:
        pytest.skip("no built book to compare with (python3 tasks.py build)")
    shown = {}
    for page in pages:
        text = page.read_text()
        shown.update(re.findall(r'id="equation-([\w-]+)"[^>]*>\s*<span class="eqno">\((\d+)\)',
                                text))
        shown.update(re.findall(r'<figure[^>]*id="([\w-]+)"[^>]*>.*?'
                                r'<span class="caption-number">Fig\. (\d+)', text, re.S))
    assert len(shown) > 40
    stale = [label for label in shown if label not in index.targets]
    if stale:
        pytest.skip(f"the built book is older than the chapters ({stale[:3]} are gone)")
    assert {label: index.targets[label].number for label in shown} == shown
