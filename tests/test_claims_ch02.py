"""Claims that the prose of chapter 2 (numerical stability) makes, tested.

Each test names the sentence or figure it guards.  The chapter's own
``format_limits`` and ``shifted_softmax`` are read from the chapter.
References: mpmath at 50 digits (``helpers.reference``), ``np.finfo``, and
for bfloat16, which NumPy lacks, the float32 bit patterns whose lower 16
bits are zero (a bfloat16 is the upper half of a float32).
"""

import mpmath
import numpy as np
import pytest
from test_claims_ch01 import chapter_function

import helpers
from helpers.reference import rel_error_ulps, softmax_mp
from tools.project import BOOK

CHAPTER = BOOK / "chapters" / "02-stability.md"


def float32_from_bits(bits):
    return float(np.array([bits], dtype=np.uint32).view(np.float32)[0])


# --------------------------------------------------------------------------
# "-inf for the logarithm of a probability when that logarithm, about -800,
# is an ordinary float" (not the probability: e^-800 is below every float64).
# --------------------------------------------------------------------------


def test_e_to_the_minus_800_is_not_a_float64_but_its_log_is():
    with mpmath.workdps(50):
        half_smallest = mpmath.mpf(float(np.finfo(np.float64).smallest_subnormal)) / 2
        assert mpmath.exp(-800) < half_smallest  # rounds to 0 in float64
        exact = -800 - mpmath.log1p(mpmath.exp(-800))
    assert np.exp(-800.0) == 0.0
    got = helpers.log_softmax(np.array([0.0, -800.0]))[1]
    assert got == pytest.approx(float(exact), rel=1e-15)


# --------------------------------------------------------------------------
# The table of formats: "the same layout rule, applied to the three NumPy
# formats, gives exactly what np.finfo reports", and its bfloat16 column.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_layout_rule_reproduces_finfo(dtype):
    format_limits = chapter_function("format_limits", CHAPTER)
    info = np.finfo(dtype)
    assert format_limits(info.nexp, info.nmant) == {
        "max": float(info.max),
        "tiny": float(info.tiny),
        "smallest subnormal": float(info.smallest_subnormal),
        "eps": float(info.eps),
    }


def test_bfloat16_column_is_the_upper_half_of_float32():
    lim = chapter_function("format_limits", CHAPTER)(8, 7)
    assert lim["max"] == float32_from_bits(0x7F7F0000)
    assert lim["tiny"] == float32_from_bits(0x00800000) == float(np.finfo(np.float32).tiny)
    assert lim["smallest subnormal"] == float32_from_bits(0x00010000)
    # The bfloat16 after 1.0 (0x3F80) is 0x3F81.
    assert lim["eps"] == float32_from_bits(0x3F810000) - 1.0 == 2.0**-7


def test_bfloat16_overflows_at_almost_float32s_logit():
    format_limits = chapter_function("format_limits", CHAPTER)
    bf16, f32 = format_limits(8, 7), format_limits(8, 23)
    # log((2 - 2^-7) / (2 - 2^-23)), about -0.004: "almost the same logit".
    assert 0 < np.log(f32["max"]) - np.log(bf16["max"]) < 0.005


# --------------------------------------------------------------------------
# fig-stability-error-vs-gap: "The bound holds for every point, and helpers
# never errs by more than two units", for other random rows than the figure's.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shifted_softmax_error_stays_under_the_bound(seed):
    shifted_softmax = chapter_function("shifted_softmax", CHAPTER)
    rng = np.random.default_rng(seed)
    tops = rng.uniform(-1.0, 1.0, size=2000)
    pairs = np.stack([tops, tops - rng.uniform(0.0, 740.0, size=2000)], axis=1)  # (N, 2)
    exact = softmax_mp(pairs)[:, 1]
    gaps = pairs[:, 0] - pairs[:, 1]
    shifted = np.array([shifted_softmax(row) for row in pairs])[:, 1]
    assert np.all(rel_error_ulps(shifted, exact) <= gaps / 2 + 2)
    assert rel_error_ulps(helpers.softmax(pairs)[:, 1], exact).max() < 2
