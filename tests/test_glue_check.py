"""The glue check finds every number typed into prose, and nothing else.

``book/_ext/glue_check.py`` runs in the strict build; these tests pin what it
counts as a typed number (decimals, scientific notation, percentages, and in
maths the numbers after an approximation sign) and what it leaves alone (code,
roles, exact formulas, directive options), and that the book itself is clean.
"""

import textwrap

import numpy as np
import pytest

import glue_check
from glue_check import scan_text, unglued


def numbers(text):
    return [number for _, number, _ in scan_text(textwrap.dedent(text))]


@pytest.mark.parametrize("text, expected", [
    ("The largest probability is 0.665.", ["0.665"]),
    ("An error of 1e-7 and of 2.5e-3.", ["1e-7", "2.5e-3"]),
    ("64% of the points, and 1.5 % more.", ["64%", "1.5 %"]),
    ("A gap of 10⁻⁷.", ["10⁻⁷"]),
    ("so $\\log 3 \\approx 1.0986$, and $e \\approx 2.718$.", ["1.0986", "2.718"]),
    ("| class | p |\n| --- | --- |\n| cat | 0.665 |", ["0.665"]),
    ("A negative value, −0.25, and -1.5.", ["−0.25", "-1.5"]),
])
def test_typed_numbers_are_found(text, expected):
    assert numbers(text) == expected


@pytest.mark.parametrize("text", [
    "Glued: {glue:text}`p_max:.3f`.",
    "In code: `np.exp(0.5)` and `1e-7`.",
    "An exact formula: $z = (2.0, 1.0, 0.1)$ and $\\tfrac12 = 0.5$.",
    "Integers: 3 classes, 800 logits, chapter 2, the year 2017.",
    "A citation {cite}`guo2017calibration` and a reference {ref}`ch-softmax`.",
    "```{code-cell} ipython3\nx = 0.665\nprint(f'{x:.1%}')\n```",
    "```python\ny = 1e-7\n```",
    ":::{figure} fig.png\n:width: 80%\n\nA caption with no numbers.\n:::",
    "```{figure} fig.png\n---\nwidth: 80%\n---\nA caption.\n```",
    "$$\nJ = \\operatorname{diag}(p) - p p^\\top = 0.5\n$$",
    "Version numbers such as v2 or word1.5 are not prose numbers.",
])
def test_code_roles_exact_maths_and_options_are_not_prose(text):
    assert numbers(text) == []


def test_directive_bodies_and_titles_are_prose():
    text = """
    :::{exercise} A gap of 0.5 nats
    :label: ex-x
    :class: minutes-5

    Give $p_0$ to 3 digits; the answer is near 0.25.
    :::

    ```{admonition} Why 1.5?
    Because $\\sqrt{2} \\approx 1.414$.
    ```
    """
    assert numbers(text) == ["0.5", "0.25", "1.5", "1.414"]


def test_lines_are_those_of_the_source():
    text = "Line one.\n\nLine three has 0.5.\n\n:::{note}\nA\nline 7 has 0.25\n:::\n"
    assert [line for line, _, _ in scan_text(text)] == [3, 7]


def test_allowed_numbers_are_kept_per_page_and_book_wide(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Inputs 2.0 and 0.1, a version 3.11, and 0.665.\n")
    allowed = {"*": {"3.11": "the Python version"}, page.as_posix(): {"2.0": "input",
                                                                      "0.1": "input"}}
    assert [u.number for u in unglued(page, allowed)] == ["0.665"]
    assert [u.number for u in unglued(page, {})] == ["2.0", "0.1", "3.11", "0.665"]


def test_every_page_of_the_book_is_glued():
    found = [str(u) for path in glue_check.chapter_paths() for u in unglued(path)]
    assert found == [], "\n".join(found[:40])


def test_the_strict_build_fails_on_a_typed_number(tmp_path):
    """The extension logs a warning a ``-W`` build turns into a failure."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'glue_check']\nexclude_patterns = ['_build']\n")
    (src / "index.md").write_text("# Index\n\n```{toctree}\nchapters/one\n```\n")
    (src / "chapters" / "one.md").write_text("# One\n\nThe answer is 0.665.\n")
    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"),
                 "html", status=None, warning=None, freshenv=True, warningiserror=False)
    import io
    app._warning = warning = io.StringIO()
    from sphinx.util import logging as sphinx_logging
    sphinx_logging.setup(app, io.StringIO(), warning)
    app.build()
    log = warning.getvalue()
    assert "unglued number '0.665'" in log and "one.md:3" in log


def test_glue_converts_numpy_scalars_to_numbers():
    from helpers.glue import glue

    assert type(glue("x", np.float64(0.5))) is float
    assert type(glue("n", np.int64(3))) is int
    assert glue("t", (np.float32(1.5), 2)) == (1.5, 2)
    with pytest.raises(TypeError, match="name"):
        glue("", 1.0)
