"""Claims that the appendix "How fast and how accurate?" makes, tested.

Each test names the sentence it guards.  The measured timings are glued
from the page's own cells; what is tested here is what holds on every
machine: the shifts helpers chooses, the families, the environment and the
benchmark's commands.
"""

import sys

import numpy as np
import pytest

import helpers
from helpers import numerics
from tools.project import BOOK, ROOT

APPENDIX = BOOK / "appendix-performance.md"
sys.path.insert(0, str(ROOT))


def _needs_two_sum(row):
    row = np.asarray([row], dtype=np.float64)
    limits = numerics._LIMITS[row.dtype]
    _, compensate = numerics._shifts(row, row.max(axis=1), limits)
    return bool(compensate[0])


# --------------------------------------------------------------------------
# "Rows that need TwoSum: those whose largest logit lies between about 355
# and 1490 with another logit below half of it, and those of negative
# logits with one below about -708 not within a factor of two of the
# largest" (the text once said "a spread of several hundred").
# --------------------------------------------------------------------------

@pytest.mark.parametrize("row, needs", [
    ([400.0, 199.0], True),       # a spread of 201 is enough
    ([400.0, 201.0], False),      # within a factor of two: Sterbenz
    ([354.0, -300.0], False),     # no shift at all
    ([1500.0, 0.0], False),       # 0 is out of reach: the shift is exact
    ([-1.0, -710.0], True),
    ([-1.0, -700.0], False),      # no shift: nothing lost to underflow
    ([-400.0, -790.0], False),    # within a factor of two of -400
])
def test_which_rows_need_two_sum(row, needs):
    assert _needs_two_sum(row) == needs


# --------------------------------------------------------------------------
# "SciPy is part of the book's environment" (the text once said that the
# book's environment does not need it; chapter 2 imports scipy.special).
# --------------------------------------------------------------------------

def test_scipy_is_in_the_books_environment():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("scipy==") for line in lines)


# --------------------------------------------------------------------------
# "In the full benchmark's version its log-probability runs from a few
# hundredths to about 1e-17" (the text once said -1e-2 to -1e-17).
# --------------------------------------------------------------------------

def test_dominant_family_log_probabilities():
    from bench.families import family
    top = helpers.log_softmax(family("dominant", 16, 1000)[0]).max(axis=1)
    assert -0.1 < top.min() < -0.02
    assert -1e-16 < top.max() < -1e-18


# --------------------------------------------------------------------------
# "python3 tasks.py bench vega  # the Vega-Lite explorers of a built book",
# and "bench book" times only the matplotlib explorers.
# --------------------------------------------------------------------------

def test_bench_has_a_vega_command_and_the_appendix_names_it():
    from bench import run
    text = APPENDIX.read_text()
    with pytest.raises(SystemExit):
        run.main(["--help"])
    assert "tasks.py bench vega" in text
    assert '"vega"' in (ROOT / "bench" / "run.py").read_text()


# --------------------------------------------------------------------------
# "The gradient is one pass. (p - e_y) / N": cross_entropy_grad is the
# softmax minus the one-hot rows, over N.
# --------------------------------------------------------------------------

def test_gradient_is_softmax_minus_one_hot_over_n():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 4))
    labels = rng.integers(0, 4, size=5)
    expected = (helpers.softmax(logits) - np.eye(4)[labels]) / 5
    np.testing.assert_allclose(helpers.cross_entropy_grad(logits, labels),
                               expected, rtol=1e-13, atol=1e-16)
