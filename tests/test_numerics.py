"""Tests for helpers.numerics.

Three kinds of evidence, as in SciPy's and NumPy's own suites:

* properties that must hold for every input (Hypothesis states each one in
  the test's docstring);
* independent references: scipy.special, and mpmath at 50 digits from the
  exact float inputs (helpers.reference, the book's one mpmath reference,
  itself tested in tests/test_reference.py; sigmoid and the binary loss
  are checked against mpmath directly);
* edge cases: huge, masked and non-finite logits, every supported dtype and
  every rejected input, whose error message must name the argument.

Tolerances are written in units of the dtype's machine epsilon where the
function promises ulp-level accuracy, and justified in a comment otherwise.
"""

import math
from pathlib import Path
import subprocess
import sys

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal, assert_array_less
from scipy import special

import helpers.numerics
from helpers.numerics import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_and_grad,
    cross_entropy_grad,
    log_softmax,
    logsumexp,
    numerical_gradient,
    sigmoid,
    softmax,
    softmax_jacobian,
)
from helpers.reference import (cross_entropy_mp, log_softmax_mp, logsumexp_mp,
                               rel_error_ulps, softmax_mp)

EPS64 = np.finfo(np.float64).eps
TINY = 1e-300  # absolute floor for values that underflow into subnormals

# Hypothesis budget: the whole file must stay well under 30 s.
FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=25, deadline=None)  # mpmath / finite differences

FLOAT_DTYPES = [np.float16, np.float32, np.float64]
ALL_DTYPES = FLOAT_DTYPES + [np.int64, np.int32, np.bool_]


def finite(bound, width=64):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False,
                     width=width)


def logit_batches(bound=1e3, dtype=np.float64, max_side=8):
    """(N, C) arrays of finite logits with |z| <= bound."""
    width = 32 if dtype == np.float32 else 64
    shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1,
                              max_side=max_side)
    return hnp.arrays(dtype, shapes, elements=finite(bound, width))


@st.composite
def logits_and_labels(draw, bound=1e3, max_side=8):
    """(N, C) logits with integer labels of shape (N,)."""
    logits = draw(logit_batches(bound, max_side=max_side))
    n, c = logits.shape
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return logits, labels


@st.composite
def logits_and_probs(draw, bound=1e3, max_side=8):
    """(N, C) logits with probability targets of the same shape."""
    logits = draw(logit_batches(bound, max_side=max_side))
    raw = draw(hnp.arrays(np.float64, logits.shape,
                          elements=st.floats(0, 1)))
    raw[:, 0] += 1e-3  # keep every row sum positive
    return logits, raw / raw.sum(axis=1, keepdims=True)


smoothing = st.sampled_from([0.0, 0.1, 0.5, 1.0])
reductions = st.sampled_from(["mean", "sum", "none"])


# --------------------------------------------------------------------------
# The independent reference: helpers.reference, mpmath at 50 digits from the
# exact values of the float inputs, each result rounded once to float64.
# --------------------------------------------------------------------------

def reference_cross_entropy(logits, target, reduction, label_smoothing):
    """The definition, sample by sample, from mpmath at 50 digits:
    loss_i = -sum_c w_ic log p_ic with w = (1-eps) y + eps/C.  The mean or
    sum is the exact sum (math.fsum) of the per-sample values, each within
    half an ulp, rounded once."""
    losses = np.atleast_1d(cross_entropy_mp(logits, target,
                                            label_smoothing=label_smoothing))
    if reduction == "none":
        return losses
    total = math.fsum(losses)
    return total / len(losses) if reduction == "mean" else total


def check_message(exc_type, pattern, func, *args, **kwargs):
    with pytest.raises(exc_type, match=pattern):
        func(*args, **kwargs)


BAD_ARRAYS = [
    (np.array([1 + 2j, 3 + 0j]), "complex"),
    (np.array([1.0, "a"], dtype=object), "object"),
    (np.array(["a", "b"]), "<U1"),
]


# ==========================================================================
class TestSoftmax:

    @FAST
    @given(logit_batches())
    def test_rows_sum_to_one(self, logits):
        """Every row of softmax(z) is non-negative and sums to 1."""
        probs = softmax(logits)
        assert np.all(probs >= 0)
        # each of C probabilities carries ~2 ulp of error
        assert_allclose(probs.sum(axis=-1), 1.0, rtol=0,
                        atol=4 * logits.shape[-1] * EPS64)

    @FAST
    @given(logit_batches(), finite(1e3))
    def test_shift_invariance(self, logits, shift):
        """softmax(z + c) == softmax(z) for any constant c."""
        # z + c is rounded (up to ulp(2000)/2 ~ 1.1e-13), which moves each
        # probability by a relative 2.3e-13 at most; hence rtol 1e-12.
        assert_allclose(softmax(logits + shift), softmax(logits),
                        rtol=1e-12, atol=TINY)

    @FAST
    @given(logit_batches())
    def test_against_scipy(self, logits):
        """Agrees with scipy.special.softmax."""
        # SciPy's softmax skips the rounding correction of z - max, so its
        # own error grows like |z - max| * eps (~250 ulp at |z| = 1e3).
        assert_allclose(softmax(logits), special.softmax(logits, axis=-1),
                        rtol=1e-12, atol=TINY)

    @SLOW
    @given(logit_batches(max_side=5))
    def test_against_mpmath(self, logits):
        """Each probability is within 4 ulp of the exact softmax."""
        # reference: helpers.reference, mpmath at 50 digits
        expected = softmax_mp(logits)
        assert_allclose(softmax(logits), expected, rtol=4 * EPS64,
                        atol=TINY)

    @SLOW
    @given(logit_batches(dtype=np.float32, max_side=5))
    def test_against_mpmath_float32(self, logits):
        """float32 probabilities are within 4 float32 ulp of exact."""
        # reference: helpers.reference, mpmath at 50 digits
        expected = softmax_mp(logits)
        got = softmax(logits)
        assert got.dtype == np.float32
        assert_allclose(got, expected, rtol=4 * np.finfo(np.float32).eps,
                        atol=1e-37)

    def test_huge_logits(self):
        """Logits near the float64 limit neither overflow nor warn."""
        assert_array_equal(softmax([1e308, -1e308]), [1.0, 0.0])
        assert_array_equal(softmax([1e308, 1e308]), [0.5, 0.5])
        assert_array_equal(softmax([-1e308, -1e308, -1e308]), [1 / 3] * 3)

    def test_many_classes(self):
        """10^5 classes: equal logits give 1/C each, exactly normalised."""
        probs = softmax(np.full(10**5, 7.0))
        assert_allclose(probs, 1e-5, rtol=4 * EPS64)
        logits = np.random.default_rng(0).normal(scale=30, size=(3, 10**5))
        assert_allclose(softmax(logits).sum(axis=-1), 1.0, rtol=0,
                        atol=1e-12)

    def test_masked_class(self):
        """A -inf logit gets probability exactly 0; the rest renormalise."""
        probs = softmax([[0.0, -np.inf, 0.0], [-np.inf, 5.0, -np.inf]])
        assert_array_equal(probs, [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]])

    def test_nan_rows(self):
        """All -inf, nan or +inf rows become all nan; other rows are fine."""
        logits = np.array([[-np.inf, -np.inf], [np.nan, 0.0],
                           [np.inf, 0.0], [0.0, 0.0]])
        probs = softmax(logits)
        assert np.all(np.isnan(probs[:3]))
        assert_array_equal(probs[3], [0.5, 0.5])
        # the same convention as scipy.special.softmax
        with np.errstate(invalid="ignore"):
            assert_array_equal(np.isnan(special.softmax(logits, axis=1)),
                               np.isnan(probs))

    def test_axis(self):
        """`axis` selects the normalised axis, negative values included."""
        logits = np.arange(24.0).reshape(2, 3, 4) / 7
        for axis in (0, 1, 2, -1, -3):
            assert_allclose(softmax(logits, axis=axis),
                            special.softmax(logits, axis=axis),
                            rtol=4 * EPS64)

    def test_empty_batch(self):
        """A batch with no rows (but classes) is fine and stays empty."""
        assert softmax(np.zeros((0, 3))).shape == (0, 3)

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Float dtypes are kept; integers and bools become float64."""
        logits = np.array([[1, 0, 1], [0, 0, 1]]).astype(dtype)
        probs = softmax(logits)
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert probs.dtype == expected_dtype
        # float16 keeps 11 bits: allow 2 float16 ulps against float64 math
        rtol = 2 * np.finfo(expected_dtype).eps
        assert_allclose(probs, softmax(logits.astype(np.float64)), rtol=rtol)

    def test_float16_extremes(self):
        """float16 logits near +-65504 work (computed in float32)."""
        logits = np.array([65504, -65504, 65504], dtype=np.float16)
        probs = softmax(logits)
        assert probs.dtype == np.float16
        assert_array_equal(probs, np.array([0.5, 0.0, 0.5], np.float16))

    def test_python_inputs(self):
        """Lists and nested lists are accepted."""
        assert_allclose(softmax([0, 0]), [0.5, 0.5], rtol=0)
        assert_allclose(softmax([[0.0], [3.0]]), [[1.0], [1.0]], rtol=0)

    @pytest.mark.parametrize("bad, dtype_name", BAD_ARRAYS)
    def test_non_real_logits(self, bad, dtype_name):
        check_message(TypeError, f"`logits`.*real numbers.*{dtype_name}",
                      softmax, bad)

    def test_bad_shapes(self):
        check_message(ValueError, "`logits`.*at least one dimension",
                      softmax, 3.0)
        check_message(ValueError, "`logits`.*empty class axis",
                      softmax, np.zeros((3, 0)))
        check_message(ValueError, "`logits`", softmax, [[1.0], [1.0, 2.0]])

    def test_bad_axis(self):
        check_message(ValueError, r"`axis` 2 is out of range.*\[-2, 1\]",
                      softmax, np.zeros((2, 3)), axis=2)
        check_message(TypeError, "`axis` must be", softmax, [1.0], axis=0.5)
        check_message(TypeError, "`axis` must be", softmax, [1.0],
                      axis=(0,))


class TestSoftmaxDocumentedPolicies:
    """What the docstring of `softmax` says about rows it cannot normalise."""

    def test_unnormalisable_rows_are_nan_as_scipy_returns_them(self):
        rows = np.array([[-np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0],
                         [np.nan, 0.0, 1.0], [0.0, 1.0, -np.inf]])
        with np.errstate(invalid="ignore"):
            expected = special.softmax(rows, axis=-1)
        got = softmax(rows)
        assert_array_equal(np.isnan(got), np.isnan(expected))
        assert np.all(np.isnan(got[:3]))
        assert_allclose(got[3], expected[3], rtol=1e-15)
        assert got[3, 2] == 0

    def test_shift_is_exact_or_compensated_far_below_the_maximum(self):
        """'accurate to a few ulps even far below the maximum', whichever
        shift a row takes: none, an exact m, or m with TwoSum."""
        rows = np.array([[300.0, -400.0, 10.0],        # no shift
                         [1600.0, 1000.0, 900.0],      # m, exact (Sterbenz)
                         [800.0, 100.7, 300.3]])       # m, compensated
        exact = softmax_mp(rows)
        assert np.all(rel_error_ulps(softmax(rows), exact) <= 4)


class TestSoftmaxWhere:
    """softmax(logits, where=mask): explicit masking, and its all-masked policy."""

    @FAST
    @given(hnp.arrays(np.float64, (4, 6), elements=finite(700)),
           hnp.arrays(np.bool_, (4, 6)))
    def test_equals_minus_inf_masking(self, logits, mask):
        """Rows with a class left equal the softmax of -inf at the masked
        entries, bit for bit; fully masked rows are exactly 0."""
        got = softmax(logits, where=mask)
        expected = softmax(np.where(mask, logits, -np.inf))
        some = mask.any(axis=-1)
        assert_array_equal(got[some], expected[some])
        assert_array_equal(got[~some], 0.0)
        assert_array_equal(got[~mask], 0.0)
        assert_allclose(got.sum(axis=-1), some.astype(float), rtol=4 * EPS64)

    def test_against_mpmath_on_kept_classes(self):
        """Each row's kept classes are the softmax of those logits alone."""
        rng = np.random.default_rng(3)
        logits = rng.normal(scale=300.0, size=(20, 7))
        mask = rng.random((20, 7)) < 0.6
        mask[:, 0] = True
        got = softmax(logits, where=mask)
        for row, keep, probs in zip(logits, mask, got):
            exact = softmax_mp(row[keep])
            assert np.all(rel_error_ulps(probs[keep], exact) <= 4)

    def test_masked_entries_may_hold_anything(self):
        """nan, +inf and huge values behind the mask change nothing."""
        mask = np.array([True, True, False])
        for hidden in (np.nan, np.inf, -np.inf, 1e308, -1e308):
            assert_array_equal(softmax([1.0, 1.0, hidden], where=mask),
                               [0.5, 0.5, 0.0])

    def test_fully_masked_rows_are_zero_without_warning(self):
        """0/0 would be nan; the policy is zeros, and no warning."""
        import warnings
        logits = np.array([[1.0, 2.0], [-np.inf, -np.inf], [3.0, 0.0]])
        mask = np.array([[False, False], [True, True], [True, False]])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            probs = softmax(logits, where=mask)
        # Row 1 is all -inf but unmasked: the unmasked policy (nan) holds.
        assert_array_equal(probs[0], [0.0, 0.0])
        assert np.all(np.isnan(probs[1]))
        assert_array_equal(probs[2], [1.0, 0.0])

    def test_unmasked_nan_still_gives_nan(self):
        """...in the row's kept classes; a masked class stays exactly 0."""
        probs = softmax([[np.nan, 0.0, 1.0]], where=[[True, True, False]])
        assert np.all(np.isnan(probs[0, :2])) and probs[0, 2] == 0

    def test_causal_mask_on_any_axis(self):
        """A lower-triangular mask, given for axis 0 as its transpose."""
        scores = np.random.default_rng(4).normal(size=(5, 5))
        causal = np.tril(np.ones((5, 5), dtype=bool))
        rows = softmax(scores, where=causal)
        assert_array_equal(np.triu(rows, 1), 0.0)
        assert_allclose(rows[0], [1, 0, 0, 0, 0], rtol=0)
        assert_array_equal(softmax(scores.T, axis=0, where=causal.T), rows.T)

    def test_broadcast_mask(self):
        """A (C,) padding mask applies to every row of an (N, C) batch."""
        logits = np.arange(12.0).reshape(3, 4)
        keep = np.array([True, True, True, False])
        assert_array_equal(softmax(logits, where=keep),
                           softmax(np.where(keep, logits, -np.inf)))
        assert_array_equal(softmax(logits, where=True), softmax(logits))

    @pytest.mark.parametrize("dtype", FLOAT_DTYPES)
    def test_dtypes_kept(self, dtype):
        logits = np.array([[2.0, 1.0, 0.0], [1.0, 1.0, 1.0]], dtype=dtype)
        mask = np.array([[True, False, True], [False, False, False]])
        probs = softmax(logits, where=mask)
        assert probs.dtype == dtype
        assert probs[0, 1] == 0 and np.all(probs[1] == 0)

    def test_bad_masks(self):
        logits = np.zeros((2, 3))
        check_message(TypeError, "`where` must be a boolean.*int64",
                      softmax, logits, where=np.ones((2, 3), dtype=np.int64))
        check_message(TypeError, "`where` must be a boolean.*float64",
                      softmax, logits, where=np.zeros((2, 3)))
        check_message(ValueError, r"`where` has shape \(2, 2\).*\(2, 3\)",
                      softmax, logits, where=np.ones((2, 2), dtype=bool))
        check_message(ValueError, r"`where` has shape \(4, 3\)",
                      softmax, logits, where=np.ones((4, 3), dtype=bool))


# ==========================================================================
class TestLogSoftmax:

    @FAST
    @given(logit_batches())
    def test_exp_is_softmax(self, logits):
        """exp(log_softmax(z)) == softmax(z)."""
        # exp turns an absolute error eps*|log p| into a relative one, and
        # |log p| <= 745 before p underflows: 745 * 2.2e-16 < 1e-12.
        assert_allclose(np.exp(log_softmax(logits)), softmax(logits),
                        rtol=1e-12, atol=TINY)

    @FAST
    @given(logit_batches())
    def test_non_positive_and_normalised(self, logits):
        """log p <= 0, and logsumexp(log p) == 0 (the row is normalised)."""
        log_probs = log_softmax(logits)
        assert np.all(log_probs <= 0)
        assert_allclose(logsumexp(log_probs), 0.0, rtol=0,
                        atol=4 * logits.shape[-1] * EPS64)

    @FAST
    @given(logit_batches())
    def test_against_scipy(self, logits):
        """Agrees with scipy.special.log_softmax."""
        # SciPy takes log(sum) where we take log1p(sum - 1), so near 0 its
        # error is absolute, ~eps: for [8, 0] it is off by 3e-13 relative
        # (mpmath agrees with us to the last digit).  Hence atol 4 eps.
        assert_allclose(log_softmax(logits),
                        special.log_softmax(logits, axis=-1),
                        rtol=1e-13, atol=4 * EPS64)

    @SLOW
    @given(logit_batches(max_side=5))
    def test_against_mpmath(self, logits):
        """Each log-probability is within 4 ulp of the exact value."""
        # reference: helpers.reference, mpmath at 50 digits
        expected = log_softmax_mp(logits)
        assert_allclose(log_softmax(logits), expected, rtol=4 * EPS64,
                        atol=TINY)

    def test_large_gap(self):
        """log_softmax([1000, 1]) is [0, -999], where log(softmax) is -inf."""
        # exact: -log1p(exp(-999)) rounds to -0.0; 1 - 1000 - log1p(...)
        assert_array_equal(log_softmax([1000.0, 1.0]), [0.0, -999.0])

    def test_dominant_class_keeps_tiny_value(self):
        """For [0, -50], log p_0 = -log1p(e^-50) ~ -1.9e-22, not 0."""
        # reference: helpers.reference, mpmath at 50 digits
        expected = log_softmax_mp([0.0, -50.0])
        assert_allclose(log_softmax([0.0, -50.0]), expected, rtol=2 * EPS64)

    def test_huge_logits(self):
        """+-1e308: no overflow warning; exact wherever representable."""
        assert_array_equal(log_softmax([1e308, 1e308]), [-math.log(2)] * 2)
        # the true value -2e308 is beyond float64, so -inf is correct rounding
        assert_array_equal(log_softmax([1e308, -1e308]), [0.0, -np.inf])

    def test_masked_and_nan_rows(self):
        """-inf logits give -inf; bad rows give nan; others unaffected."""
        got = log_softmax([[0.0, -np.inf], [-np.inf, -np.inf],
                           [np.inf, 1.0], [np.nan, 1.0]])
        assert_array_equal(got[0], [0.0, -np.inf])
        assert np.all(np.isnan(got[1:]))

    def test_axis(self):
        """`axis` selects the class axis."""
        logits = np.arange(12.0).reshape(3, 4) / 5
        assert_allclose(log_softmax(logits, axis=0),
                        special.log_softmax(logits, axis=0), rtol=4 * EPS64)

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Float dtypes are kept; integers and bools become float64."""
        logits = np.array([3, 1, 0]).astype(dtype)
        got = log_softmax(logits)
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        assert_allclose(got, log_softmax(logits.astype(np.float64)),
                        rtol=2 * np.finfo(expected_dtype).eps)

    def test_float16_extremes(self):
        """float16 near +-65504: -65504 - 65504 is computed in float32."""
        got = log_softmax(np.array([65504, -65504], dtype=np.float16))
        assert got.dtype == np.float16
        assert_array_equal(got, np.array([0, -np.inf], np.float16))

    @pytest.mark.parametrize("bad, dtype_name", BAD_ARRAYS)
    def test_non_real_logits(self, bad, dtype_name):
        check_message(TypeError, f"`logits`.*{dtype_name}", log_softmax, bad)

    def test_bad_shapes_and_axis(self):
        check_message(ValueError, "`logits`.*at least one dimension",
                      log_softmax, np.float64(1.0))
        check_message(ValueError, "`logits`.*empty class axis",
                      log_softmax, [])
        check_message(ValueError, "`axis` -2 is out of range",
                      log_softmax, [1.0, 2.0], axis=-2)


# ==========================================================================
class TestLogsumexp:

    @FAST
    @given(logit_batches())
    def test_bounds(self, logits):
        """max(z) <= logsumexp(z) <= max(z) + log(C)."""
        lse = logsumexp(logits)
        row_max = logits.max(axis=-1)
        assert np.all(lse >= row_max)
        c = logits.shape[-1]
        # rounding of m + log1p(...) is at most an ulp of |m| + log C
        slack = 4 * EPS64 * (np.abs(row_max) + math.log(c))
        assert np.all(lse <= row_max + math.log(c) + slack)

    @FAST
    @given(logit_batches(), finite(1e3))
    def test_shift_equivariance(self, logits, shift):
        """logsumexp(z + c) == logsumexp(z) + c."""
        # rounding of z + c and of the sums: a few ulps of |z| + |c| <= 2000
        assert_allclose(logsumexp(logits + shift), logsumexp(logits) + shift,
                        rtol=0, atol=1e-11)

    @FAST
    @given(logit_batches())
    def test_against_scipy(self, logits):
        """Agrees with scipy.special.logsumexp on finite rows."""
        expected = special.logsumexp(logits, axis=-1)
        scale = np.abs(logits).max(axis=-1) + math.log(logits.shape[-1])
        assert_allclose(logsumexp(logits), expected, rtol=0,
                        atol=np.max(8 * EPS64 * scale))

    @SLOW
    @given(logit_batches(max_side=5))
    def test_against_mpmath(self, logits):
        """Within 2 ulp of max(|max z|, log C) of the exact value."""
        # reference computed with mpmath at 50 digits.  The error bound is
        # absolute: m + log(...) may cancel when m < 0, as for [-log 2]*2.
        expected = logsumexp_mp(logits)
        got = logsumexp(logits)
        scale = np.abs(logits).max(axis=-1) + math.log(logits.shape[-1])
        assert np.all(np.abs(got - expected) <= 2 * EPS64 * scale)

    def test_known_value(self):
        """logsumexp([1, 2, 3]) = 3 + log(1 + e^-1 + e^-2)."""
        # reference computed with mpmath at 50 digits:
        # 3.4076059644443803044829199045450704514729471083062
        assert_allclose(logsumexp([1.0, 2.0, 3.0]), 3.4076059644443803,
                        rtol=EPS64)

    def test_dominant_entry(self):
        """logsumexp([0, -40]) = log1p(e^-40) ~ 4.2e-18, not log(1 + .) = 0."""
        # reference: helpers.reference, mpmath at 50 digits
        expected = logsumexp_mp([0.0, -40.0])
        assert_allclose(logsumexp([0.0, -40.0]), expected, rtol=2 * EPS64)

    def test_keepdims_and_axis(self):
        """keepdims keeps a length-one axis so the result broadcasts."""
        logits = np.arange(24.0).reshape(2, 3, 4)
        for axis in range(3):
            got = logsumexp(logits, axis=axis, keepdims=True)
            expected = special.logsumexp(logits, axis=axis, keepdims=True)
            assert got.shape == expected.shape
            assert_allclose(got, expected, rtol=4 * EPS64)
        assert logsumexp(logits, axis=1).shape == (2, 4)
        assert np.ndim(logsumexp([1.0, 2.0])) == 0

    def test_huge_and_many(self):
        """+-1e308 and 10^5 classes: no overflow and no warning."""
        assert logsumexp([1e308, -1e308]) == 1e308
        assert logsumexp([1e308, 1e308]) == 1e308  # + log 2 is below an ulp
        assert logsumexp([-1e308, -1e308]) == -1e308
        assert_allclose(logsumexp(np.zeros(10**5)), math.log(10**5),
                        rtol=4 * EPS64)

    def test_nan_policy(self):
        """All -inf, nan or +inf rows give nan (SciPy: -inf/+inf/nan)."""
        logits = np.array([[-np.inf, -np.inf], [np.inf, 0.0],
                           [np.nan, 0.0], [0.0, -np.inf]])
        got = logsumexp(logits)
        assert np.all(np.isnan(got[:3]))
        assert got[3] == 0.0
        # The deliberate difference from SciPy, documented in the Notes.
        with np.errstate(divide="ignore"):
            assert special.logsumexp([-np.inf, -np.inf]) == -np.inf

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Float dtypes are kept; integers and bools become float64."""
        logits = np.array([[1, 0], [1, 1]]).astype(dtype)
        got = logsumexp(logits)
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        assert_allclose(got, logsumexp(logits.astype(np.float64)),
                        rtol=np.finfo(expected_dtype).eps)

    def test_float16_extremes(self):
        """65504 + log 2 rounds back to 65504 in float16, without a warning."""
        got = logsumexp(np.array([65504, 65504], dtype=np.float16))
        assert got.dtype == np.float16 and got == 65504
        got = logsumexp(np.array([-65504, -65504], dtype=np.float16))
        assert got == -65504

    @pytest.mark.parametrize("bad, dtype_name", BAD_ARRAYS)
    def test_non_real_logits(self, bad, dtype_name):
        check_message(TypeError, f"`logits`.*{dtype_name}", logsumexp, bad)

    def test_bad_shapes_and_axis(self):
        check_message(ValueError, "`logits`.*at least one dimension",
                      logsumexp, 2)
        check_message(ValueError, "`logits`.*empty class axis",
                      logsumexp, np.zeros((2, 0)))
        check_message(ValueError, "`axis` 1 is out of range",
                      logsumexp, [1.0], axis=1)


# ==========================================================================
class TestSoftmaxJacobian:

    @FAST
    @given(logit_batches())
    def test_symmetric_rows_sum_to_zero(self, logits):
        """J is symmetric and each of its rows sums to zero."""
        jac = softmax_jacobian(logits)
        n, c = logits.shape
        assert jac.shape == (n, c, c)
        # off-diagonal entries are the same product p_i * p_j: exact
        assert_array_equal(jac, np.swapaxes(jac, -1, -2))
        assert_allclose(jac.sum(axis=-1), 0.0, rtol=0, atol=4 * c * EPS64)

    @FAST
    @given(logit_batches())
    def test_matches_definition(self, logits):
        """J[n] == diag(p) - p p^T, built here one sample at a time."""
        probs = special.softmax(logits, axis=-1)
        expected = np.stack([np.diag(p) - np.outer(p, p) for p in probs])
        # p from SciPy carries up to ~250 ulp (see TestSoftmax), and the
        # naive diagonal p - p*p cancels to an absolute error ~eps when p
        # is near 1 (our diagonal is the accurate one: see
        # test_dominant_class_diagonal).  Hence rtol 1e-12 plus atol 4 eps.
        assert_allclose(softmax_jacobian(logits), expected, rtol=1e-12,
                        atol=4 * EPS64)

    @SLOW
    @given(logit_batches(bound=10, max_side=5))
    def test_against_numerical_gradient(self, logits):
        """Row i of J is the numerical gradient of softmax(z)[i]."""
        for row, jac in zip(logits, softmax_jacobian(logits)):
            numeric = np.stack([
                numerical_gradient(lambda v, i=i: softmax(v)[i], row)
                for i in range(row.size)])
            # central differences with h=1e-6: truncation ~h^2, rounding
            # ~1e-16/h = 1e-10; probabilities and derivatives are <= 1
            assert_allclose(jac, numeric, rtol=0, atol=1e-8)

    def test_dominant_class_diagonal(self):
        """J_00 = p0 * p1 ~ 4.2e-18 for [0, -40], not 1 - 1 = 0."""
        # reference: helpers.reference, mpmath at 50 digits
        with mpmath.workdps(50):
            p1 = 1 / (1 + mpmath.exp(40))
            expected = float(p1 * (1 - p1))
        jac = softmax_jacobian([0.0, -40.0])
        assert_allclose(jac, [[expected, -expected], [-expected, expected]],
                        rtol=4 * EPS64)

    def test_batched_shapes(self):
        """Leading axes are batch axes; C = 1 gives [[0]]."""
        logits = np.random.default_rng(1).normal(size=(2, 3, 4))
        jac = softmax_jacobian(logits)
        assert jac.shape == (2, 3, 4, 4)
        assert_allclose(jac[1, 2], softmax_jacobian(logits[1, 2]),
                        rtol=0, atol=0)
        assert_array_equal(softmax_jacobian([5.0]), [[0.0]])

    def test_edge_rows(self):
        """Huge logits are fine; a nan row gives an all-nan matrix."""
        assert_array_equal(softmax_jacobian([1e308, -1e308]),
                           [[0.0, -0.0], [-0.0, 0.0]])
        jac = softmax_jacobian([[0.0, np.nan], [0.0, -np.inf]])
        assert np.all(np.isnan(jac[0]))
        assert_array_equal(jac[1], [[0.0, -0.0], [-0.0, 0.0]])

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Float dtypes are kept; integers and bools become float64."""
        logits = np.array([1, 0, 1]).astype(dtype)
        got = softmax_jacobian(logits)
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        assert_allclose(got, softmax_jacobian(logits.astype(np.float64)),
                        rtol=4 * np.finfo(expected_dtype).eps, atol=1e-7)

    @pytest.mark.parametrize("bad, dtype_name", BAD_ARRAYS)
    def test_non_real_logits(self, bad, dtype_name):
        check_message(TypeError, f"`logits`.*{dtype_name}", softmax_jacobian,
                      bad)

    def test_bad_shapes(self):
        check_message(ValueError, "`logits`.*at least one dimension",
                      softmax_jacobian, 1.0)
        check_message(ValueError, "`logits`.*empty class axis",
                      softmax_jacobian, np.zeros((4, 0)))


# ==========================================================================
class TestCrossEntropy:

    @SLOW
    @given(logits_and_labels(), smoothing, reductions)
    def test_index_targets_against_reference(self, data, eps, reduction):
        """Class-index targets match the definition, all reductions."""
        logits, labels = data
        expected = reference_cross_entropy(logits, labels, reduction, eps)
        # every term of the loss is non-negative, so the error is relative;
        # 1e-13 leaves room for rounding of (1 - eps) and eps / C
        assert_allclose(cross_entropy(logits, labels, reduction=reduction,
                                      label_smoothing=eps),
                        expected, rtol=1e-13, atol=TINY)

    @SLOW
    @given(logits_and_probs(), smoothing, reductions)
    def test_probability_targets_against_reference(self, data, eps,
                                                   reduction):
        """Probability targets match the definition, all reductions."""
        logits, probs = data
        expected = reference_cross_entropy(logits, probs, reduction, eps)
        assert_allclose(cross_entropy(logits, probs, reduction=reduction,
                                      label_smoothing=eps),
                        expected, rtol=1e-13, atol=TINY)

    @FAST
    @given(logits_and_labels(), smoothing)
    def test_one_hot_equals_index(self, data, eps):
        """A one-hot probability target gives the index target's loss."""
        logits, labels = data
        one_hot = np.eye(logits.shape[1])[labels]
        assert_allclose(
            cross_entropy(logits, one_hot, label_smoothing=eps,
                          reduction="none"),
            cross_entropy(logits, labels, label_smoothing=eps,
                          reduction="none"),
            rtol=4 * EPS64, atol=TINY)

    @FAST
    @given(logits_and_labels())
    def test_equals_negative_log_softmax(self, data):
        """Without smoothing, loss_i = -log_softmax(z_i)[label_i]."""
        logits, labels = data
        expected = -log_softmax(logits)[np.arange(labels.size), labels]
        assert_allclose(cross_entropy(logits, labels, reduction="none"),
                        expected, rtol=4 * EPS64, atol=TINY)

    def test_known_values(self):
        """Hand-derived values for logits [1, 2, 3], target class 2."""
        # -log p_2 = -log(e^3 / (e + e^2 + e^3)) = log(1 + e^-1 + e^-2)
        #          = 0.40760596444438030448... (mpmath, 50 digits)
        assert_allclose(cross_entropy([1.0, 2.0, 3.0], 2),
                        0.4076059644443803, rtol=2 * EPS64)
        # With smoothing eps, loss = lse - (1-eps) z_t - eps * mean(z):
        # lse = 3.40760596..., so eps = 0.3 gives
        # 3.40760596 - 0.7 * 3 - 0.3 * 2 = 0.70760596444438...
        assert_allclose(
            cross_entropy([[1.0, 2.0, 3.0]], [2], label_smoothing=0.3),
            0.7076059644443803, rtol=4 * EPS64)
        # Uniform logits over C classes: loss = log C for any target.
        assert_allclose(cross_entropy(np.zeros((4, 5)), [0, 1, 2, 4]),
                        math.log(5), rtol=2 * EPS64)

    def test_reductions(self):
        """'none' is per sample; 'sum' and 'mean' reduce it over N."""
        logits = np.random.default_rng(2).normal(size=(6, 4))
        labels = np.array([0, 1, 2, 3, 0, 1])
        per_sample = cross_entropy(logits, labels, reduction="none")
        assert per_sample.shape == (6,)
        assert_allclose(cross_entropy(logits, labels, reduction="sum"),
                        per_sample.sum(), rtol=4 * EPS64)
        assert_allclose(cross_entropy(logits, labels), per_sample.mean(),
                        rtol=4 * EPS64)
        one = cross_entropy(logits[0], 0, reduction="none")
        assert np.ndim(one) == 0 and isinstance(one, np.float64)
        assert_allclose(one, per_sample[0], rtol=0, atol=0)
        assert cross_entropy(np.zeros((0, 3)), np.zeros(0, int),
                             reduction="sum") == 0

    def test_huge_logits(self):
        """+-1e308: finite whenever the true loss is, no warning."""
        assert cross_entropy([1e308, -1e308], 0) == 0.0
        # eps/2 * (0 + 2e308) = eps * 1e308, finite though 2e308 is not
        assert_allclose(cross_entropy([1e308, -1e308], 0,
                                      label_smoothing=0.1),
                        1e307, rtol=4 * EPS64)
        # the true loss 2e308 exceeds float64: inf is the correct rounding
        assert cross_entropy([1e308, -1e308], 1) == np.inf
        assert_allclose(cross_entropy([[1e308, 1e308]] * 2, [0, 1]),
                        math.log(2), rtol=EPS64)
        # the mean of two losses of 1.5e308 does not overflow via the sum
        assert_allclose(cross_entropy([[1e308, -1e308]] * 2, [1, 1],
                                      label_smoothing=0.5),
                        1.5e308, rtol=4 * EPS64)

    def test_many_classes(self):
        """10^5 uniform classes: loss = log(10^5)."""
        assert_allclose(cross_entropy(np.zeros((2, 10**5)), [0, 99999]),
                        math.log(10**5), rtol=4 * EPS64)

    def test_masked_and_nan_rows(self):
        """Masked classes, nan rows and zero-weight -inf classes."""
        logits = np.array([[0.0, -np.inf, 0.0], [np.nan, 0.0, 0.0],
                           [-np.inf] * 3])
        loss = cross_entropy(logits, [0, 0, 0], reduction="none")
        assert_allclose(loss[0], math.log(2), rtol=EPS64)
        assert np.all(np.isnan(loss[1:]))
        # a probability target of 0 on a masked class contributes 0
        assert_allclose(cross_entropy(logits[0], [0.5, 0.0, 0.5]),
                        math.log(2), rtol=EPS64)
        # the label being the masked class: -log 0 = inf
        assert cross_entropy(logits[0], 1) == np.inf

    def test_plus_and_minus_inf_row_is_quiet(self):
        """A row holding +inf and -inf gives nan with probability targets
        too, without an "invalid value" warning (found by Hypothesis in
        TestCrossEntropyAndGrad; the warnings are errors in this suite)."""
        logits = np.array([[-np.inf, np.inf], [0.0, 0.0]])
        loss = cross_entropy(logits, [[1.0, 0.0], [0.5, 0.5]],
                             label_smoothing=0.1, reduction="none")
        assert np.isnan(loss[0])
        assert_allclose(loss[1], math.log(2), rtol=EPS64)

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Loss has the logits' float dtype; integers give float64."""
        logits = np.array([[3, 0, 1], [0, 1, 1]]).astype(dtype)
        got = cross_entropy(logits, [0, 2])
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        assert_allclose(got, cross_entropy(logits.astype(np.float64), [0, 2]),
                        rtol=2 * np.finfo(expected_dtype).eps)

    def test_float16_extremes(self):
        """float16 logits at +-65504 compute in float32, rounding back."""
        logits = np.array([[65504, -65504], [65504, 65504]], np.float16)
        loss = cross_entropy(logits, [0, 1], reduction="none")
        assert loss.dtype == np.float16
        assert_array_equal(loss, np.array([0, math.log(2)], np.float16))

    def test_bad_labels(self):
        logits = np.zeros((2, 3))
        check_message(ValueError, r"`target` class indices.*\[0, 3\).*3",
                      cross_entropy, logits, [0, 3])
        check_message(ValueError, r"`target` class indices.*-1",
                      cross_entropy, logits, [-1, 0])
        check_message(ValueError, r"`target` class indices",
                      cross_entropy, [0.0, 0.0], 2)

    def test_float_labels(self):
        """Floats of shape (N,) are explained: they mean probabilities."""
        check_message(ValueError,
                      r"`target`.*floating dtype.*probabilities.*\(2, 3\)"
                      r".*integer array",
                      cross_entropy, np.zeros((2, 3)), [0.0, 2.0])
        check_message(ValueError, r"`target`.*floating dtype.*integer array",
                      cross_entropy, np.zeros(3), 1.0)

    def test_shape_mismatch(self):
        logits = np.zeros((4, 3))
        check_message(ValueError, r"`target`.*expected shape \(4,\).*\(3,\)",
                      cross_entropy, logits, [0, 1, 2])
        check_message(ValueError, r"`target`.*one-hot.*astype\(float\)",
                      cross_entropy, logits,
                      np.eye(3, dtype=int)[[0, 1, 2, 0]])
        check_message(ValueError, r"`target`.*same shape as `logits`",
                      cross_entropy, logits, np.full((4, 2), 0.5))
        check_message(ValueError, r"`target`.*expected shape \(\)",
                      cross_entropy, np.zeros(3), [1])

    def test_bad_probabilities(self):
        logits = np.zeros((2, 2))
        check_message(ValueError, "`target`.*non-negative",
                      cross_entropy, logits, [[1.5, -0.5], [0.5, 0.5]])
        check_message(ValueError, "`target`.*sum to 1.*1.5e-08",
                      cross_entropy, logits, [[0.5, 0.6], [0.5, 0.5]])
        check_message(ValueError, "`target`.*finite",
                      cross_entropy, logits, [[np.nan, 1.0], [0.5, 0.5]])
        # the tolerance follows the target's dtype: 1e-4 off passes float32
        target32 = np.array([[0.5, 0.5001]], np.float32)
        assert np.isfinite(cross_entropy(np.zeros((1, 2)), target32))
        check_message(ValueError, "sum to 1", cross_entropy,
                      np.zeros((1, 2)), target32.astype(np.float64))

    def test_bad_logits(self):
        check_message(ValueError, r"`logits`.*\(N, C\) or \(C,\).*3 dim",
                      cross_entropy, np.zeros((2, 3, 4)), [0, 1])
        check_message(ValueError, r"`logits`.*\(N, C\) or \(C,\).*0 dim",
                      cross_entropy, 1.0, 0)
        check_message(ValueError, "`logits`.*empty class axis",
                      cross_entropy, np.zeros((2, 0)), [0, 0])
        check_message(ValueError, "`logits`.*N == 0.*'sum'",
                      cross_entropy, np.zeros((0, 3)), np.zeros(0, int))

    @pytest.mark.parametrize("bad, dtype_name", BAD_ARRAYS)
    def test_non_real_inputs(self, bad, dtype_name):
        check_message(TypeError, f"`logits`.*{dtype_name}",
                      cross_entropy, bad, 0)
        check_message(TypeError, f"`target`.*{dtype_name}",
                      cross_entropy, [0.0, 1.0], bad)
        check_message(TypeError, "`target`.*bool",
                      cross_entropy, [0.0, 1.0], np.array([True, False]))

    def test_bad_options(self):
        check_message(ValueError, r"`reduction`.*'mean', 'sum', 'none'.*avg",
                      cross_entropy, [0.0, 1.0], 0, reduction="avg")
        check_message(ValueError, r"`reduction`", cross_entropy, [0.0], 0,
                      reduction=None)
        for eps in (-0.1, 1.5, float("nan")):
            check_message(ValueError, r"`label_smoothing`.*\[0, 1\]",
                          cross_entropy, [0.0, 1.0], 0, label_smoothing=eps)
        check_message(TypeError, r"`label_smoothing`.*real number",
                      cross_entropy, [0.0, 1.0], 0, label_smoothing="0.1")


# ==========================================================================
class TestCrossEntropyGrad:

    @FAST
    @given(logits_and_labels(), smoothing)
    def test_rows_sum_to_zero_index(self, data, eps):
        """With class-index targets, each gradient row sums to zero."""
        logits, labels = data
        grad = cross_entropy_grad(logits, labels, reduction="sum",
                                  label_smoothing=eps)
        assert_allclose(grad.sum(axis=-1), 0.0, rtol=0,
                        atol=8 * logits.shape[-1] * EPS64)

    @FAST
    @given(logits_and_probs(), smoothing)
    def test_rows_sum_to_zero_probabilities(self, data, eps):
        """With soft targets, each gradient row sums to zero."""
        logits, probs = data
        grad = cross_entropy_grad(logits, probs, reduction="none",
                                  label_smoothing=eps)
        assert_allclose(grad.sum(axis=-1), 0.0, rtol=0,
                        atol=8 * logits.shape[-1] * EPS64)

    @SLOW
    @given(logits_and_labels(bound=10, max_side=5), smoothing, reductions)
    def test_against_numerical_gradient_index(self, data, eps, reduction):
        """Matches central differences of cross_entropy (index targets)."""
        logits, labels = data
        summed = "sum" if reduction == "none" else reduction

        def loss(z):
            return cross_entropy(z, labels, reduction=summed,
                                 label_smoothing=eps)

        # h = 1e-6: truncation ~h^2 and rounding ~eps*|loss|/h ~ 1e-9 for
        # |z| <= 10 (losses below ~30), so atol 1e-7 has a wide margin
        # while a wrong formula (e.g. missing 1/N) is off by >= 1e-3.
        assert_allclose(
            cross_entropy_grad(logits, labels, reduction=reduction,
                               label_smoothing=eps),
            numerical_gradient(loss, logits), rtol=1e-6, atol=1e-7)

    @SLOW
    @given(logits_and_probs(bound=10, max_side=5), smoothing)
    def test_against_numerical_gradient_probabilities(self, data, eps):
        """Matches central differences of cross_entropy (soft targets)."""
        logits, probs = data

        def loss(z):
            return cross_entropy(z, probs, label_smoothing=eps)

        # same step-size argument as for index targets
        assert_allclose(cross_entropy_grad(logits, probs,
                                           label_smoothing=eps),
                        numerical_gradient(loss, logits), rtol=1e-6,
                        atol=1e-7)

    @FAST
    @given(logits_and_labels())
    def test_is_softmax_minus_one_hot(self, data):
        """grad = softmax(z) - onehot(label), divided by N for 'mean'."""
        logits, labels = data
        n, c = logits.shape
        expected = (special.softmax(logits, axis=-1) - np.eye(c)[labels]) / n
        # SciPy's softmax carries up to ~250 ulp (see TestSoftmax)
        assert_allclose(cross_entropy_grad(logits, labels), expected,
                        rtol=1e-12, atol=1e-15)

    def test_dominant_class(self):
        """For [0, -40] and label 0, grad = [-p1, p1] with p1 ~ 4.2e-18."""
        # reference: helpers.reference, mpmath at 50 digits
        with mpmath.workdps(50):
            p1 = float(1 / (1 + mpmath.exp(40)))
        assert_allclose(cross_entropy_grad([0.0, -40.0], 0), [-p1, p1],
                        rtol=4 * EPS64)

    def test_shapes_and_reductions(self):
        """Same shape as logits; 'none' and 'sum' give the sum's gradient."""
        logits = np.random.default_rng(3).normal(size=(5, 3))
        labels = np.array([0, 1, 2, 1, 0])
        total = cross_entropy_grad(logits, labels, reduction="sum")
        assert total.shape == (5, 3)
        assert_array_equal(cross_entropy_grad(logits, labels,
                                              reduction="none"), total)
        assert_allclose(cross_entropy_grad(logits, labels), total / 5,
                        rtol=EPS64)
        assert cross_entropy_grad(logits[0], 0).shape == (3,)

    def test_edge_rows(self):
        """Huge logits give exact gradients; nan rows give nan rows."""
        assert_array_equal(cross_entropy_grad([1e308, -1e308], 0), [0, 0])
        assert_array_equal(cross_entropy_grad([1e308, -1e308], 1), [1, -1])
        grad = cross_entropy_grad([[0.0, np.nan], [0.0, -np.inf]], [0, 0],
                                  reduction="sum")
        assert np.all(np.isnan(grad[0]))
        assert_array_equal(grad[1], [0.0, 0.0])

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Gradient has the logits' float dtype; integers give float64."""
        logits = np.array([[3, 0, 1], [0, 1, 1]]).astype(dtype)
        got = cross_entropy_grad(logits, [0, 2])
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        expected = cross_entropy_grad(logits.astype(np.float64), [0, 2])
        assert_allclose(got, expected, rtol=4 * np.finfo(expected_dtype).eps,
                        atol=np.finfo(expected_dtype).eps)

    def test_bad_inputs(self):
        """Validation is shared with cross_entropy; spot-check each kind."""
        check_message(ValueError, r"`target` class indices",
                      cross_entropy_grad, np.zeros((2, 3)), [0, 5])
        check_message(ValueError, r"`target`.*floating dtype",
                      cross_entropy_grad, np.zeros((2, 3)), [0.0, 1.0])
        check_message(ValueError, r"`target`.*sum to 1",
                      cross_entropy_grad, np.zeros(2), [0.2, 0.2])
        check_message(ValueError, r"`logits`.*\(N, C\) or \(C,\)",
                      cross_entropy_grad, np.zeros((1, 2, 2)), [0])
        check_message(ValueError, "`logits`.*empty class axis",
                      cross_entropy_grad, np.zeros((1, 0)), [0])
        check_message(ValueError, r"`reduction`.*'mean', 'sum', 'none'",
                      cross_entropy_grad, [0.0, 1.0], 0, reduction="max")
        check_message(ValueError, r"`label_smoothing`",
                      cross_entropy_grad, [0.0, 1.0], 0, label_smoothing=2)
        check_message(TypeError, "`logits`.*complex",
                      cross_entropy_grad, np.array([1j, 0]), 0)


# ==========================================================================
# Logits that take every path of the softmax: ordinary, huge (shifted by
# the maximum), masked (-inf), and unusable rows (nan, +inf, all -inf).
EDGE_LOGITS = st.one_of(finite(30), finite(1e308),
                        st.sampled_from([np.nan, np.inf, -np.inf, 1e308,
                                         -1e308]))


@st.composite
def edge_problems(draw, max_side=6):
    """A cross-entropy call: (logits, target, options) with hard logits,
    1-D or 2-D, float64 or float32, class indices or probabilities."""
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1,
                                  max_side=max_side))
    logits = draw(hnp.arrays(np.float64, shape, elements=EDGE_LOGITS))
    with np.errstate(over="ignore"):   # 1e308 becomes inf in float32
        logits = logits.astype(draw(st.sampled_from([np.float64,
                                                     np.float32])))
    if draw(st.booleans()):
        target = draw(hnp.arrays(np.int64, shape[:1],
                                 elements=st.integers(0, shape[1] - 1)))
    else:  # zeros included, for the zero-weight -inf class
        raw = draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
        raw[:, 0] += 1e-3
        target = raw / raw.sum(axis=1, keepdims=True)
    if draw(st.booleans()):
        logits, target = logits[0], target[0]
    options = {"reduction": draw(reductions),
               "label_smoothing": draw(smoothing)}
    return logits, target, options


def assert_same_result(got, expected):
    """Equal bit for bit (nan matching nan), with the same dtype and type."""
    assert type(got) is type(expected)
    assert got.dtype == expected.dtype
    assert_array_equal(got, expected)


def raised(func, *args, **kwargs):
    """The type and message of the exception that ``func`` raises."""
    with pytest.raises((TypeError, ValueError)) as info:
        func(*args, **kwargs)
    return type(info.value), str(info.value)


# Every kind of bad input the cross-entropy functions reject, from the
# tests of cross_entropy above, plus two with several faults at once (the
# first check to run decides the message).
BAD_CROSS_ENTROPY_CALLS = [
    (np.zeros((2, 3)), [0, 3], {}),
    (np.zeros((2, 3)), [-1, 0], {}),
    ([0.0, 0.0], 2, {}),
    (np.zeros((2, 3)), [0.0, 2.0], {}),
    (np.zeros(3), 1.0, {}),
    (np.zeros((4, 3)), [0, 1, 2], {}),
    (np.zeros((4, 3)), np.eye(3, dtype=int)[[0, 1, 2, 0]], {}),
    (np.zeros((4, 3)), np.full((4, 2), 0.5), {}),
    (np.zeros(3), [1], {}),
    (np.zeros((2, 2)), [[1.5, -0.5], [0.5, 0.5]], {}),
    (np.zeros((2, 2)), [[0.5, 0.6], [0.5, 0.5]], {}),
    (np.zeros((2, 2)), [[np.nan, 1.0], [0.5, 0.5]], {}),
    (np.zeros((2, 3, 4)), [0, 1], {}),
    (1.0, 0, {}),
    (np.zeros((2, 0)), [0, 0], {}),
    (np.zeros((0, 3)), np.zeros(0, int), {}),
    ([[0.0, 1.0], [2.0]], [0, 0], {}),
    ([0.0, 1.0], np.array([True, False]), {}),
    ([0.0, 1.0], 0, {"reduction": "avg"}),
    ([0.0], 0, {"reduction": None}),
    ([0.0, 1.0], 0, {"label_smoothing": -0.1}),
    ([0.0, 1.0], 0, {"label_smoothing": float("nan")}),
    ([0.0, 1.0], 0, {"label_smoothing": "0.1"}),
    (np.zeros((0, 3)), [0.5], {"reduction": "avg"}),
    (np.zeros((2, 3, 1)), [9], {"label_smoothing": 2}),
] + [(bad, 0, {}) for bad, _ in BAD_ARRAYS] + [
    ([0.0, 1.0], bad, {}) for bad, _ in BAD_ARRAYS]


class TestCrossEntropyAndGrad:

    @FAST
    @given(edge_problems())
    def test_equals_separate_calls(self, problem):
        """(loss, grad) is exactly (cross_entropy, cross_entropy_grad):
        labels and probabilities, every reduction and smoothing, 1-D and
        2-D, float32 and float64, with nan, +-inf and +-1e308 logits."""
        logits, target, options = problem
        loss, grad = cross_entropy_and_grad(logits, target, **options)
        assert_same_result(loss, cross_entropy(logits, target, **options))
        assert_same_result(grad, cross_entropy_grad(logits, target,
                                                    **options))

    @pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype, reduction):
        """Every dtype, with an unusable row, gives the separate results."""
        logits = np.array([[3, 0, 1], [0, 1, 1], [1, 0, 0]]).astype(dtype)
        if dtype in FLOAT_DTYPES:
            logits[2, 1] = np.nan
        for target in ([0, 2, 1], np.eye(3)[[1, 1, 0]]):
            for eps in (0.0, 0.2):
                options = {"reduction": reduction, "label_smoothing": eps}
                loss, grad = cross_entropy_and_grad(logits, target, **options)
                assert_same_result(loss, cross_entropy(logits, target,
                                                       **options))
                assert_same_result(grad, cross_entropy_grad(logits, target,
                                                            **options))

    def test_large_batch(self):
        """Many blocks of rows, each taking a different path of the softmax
        (shift 0, exact shift, compensated shift): still the same bits."""
        rng = np.random.default_rng(4)
        logits = np.concatenate([5 * rng.standard_normal((300, 500)),
                                 1e6 + rng.standard_normal((300, 500)),
                                 200 * rng.standard_normal((300, 500))])
        labels = rng.integers(0, 500, size=len(logits))
        loss, grad = cross_entropy_and_grad(logits, labels)
        assert_same_result(loss, cross_entropy(logits, labels))
        assert_same_result(grad, cross_entropy_grad(logits, labels))

    @pytest.mark.parametrize("logits", [
        np.zeros((4, 3)),                                  # the quick route
        np.array([[0.0, -np.inf, 1.0], [800.0, 0.0, 1.0]] * 2),  # one block
        # one row more than a block holds (3 float64 classes: 24 bytes a row)
        np.zeros((helpers.numerics._BLOCK_BYTES // 24 + 1, 3)),
    ], ids=["quick", "one block", "two blocks"])
    def test_one_exp_pass(self, monkeypatch, logits):
        """The logits' exponentials are computed once per call (once per
        block of rows), not once for the loss and again for the gradient."""
        passes = []
        exp = np.exp

        def counting_exp(x, *args, **kwargs):
            if np.ndim(x) == 2:             # the (N, C) rows, or one block
                passes.append(np.shape(x)[0])
            return exp(x, *args, **kwargs)

        monkeypatch.setattr(helpers.numerics.np, "exp", counting_exp)
        labels = np.arange(len(logits)) % 3
        cross_entropy_and_grad(logits, labels)
        assert sum(passes) == len(logits)   # every row once
        blocks = len(passes)
        assert blocks == (2 if len(logits) > 4 else 1)
        cross_entropy(logits, labels)
        cross_entropy_grad(logits, labels)
        assert len(passes) == 3 * blocks

    def test_known_values(self):
        """Uniform logits over C classes: loss log C, grad (1/C - y) / N."""
        loss, grad = cross_entropy_and_grad(np.zeros((2, 4)), [0, 3])
        assert_allclose(loss, math.log(4), rtol=2 * EPS64)
        expected = (0.25 - np.eye(4)[[0, 3]]) / 2
        assert_allclose(grad, expected, rtol=EPS64)

    @pytest.mark.parametrize("logits, target, options",
                             BAD_CROSS_ENTROPY_CALLS)
    def test_bad_inputs(self, logits, target, options):
        """Bad input raises what cross_entropy and cross_entropy_grad raise:
        the same exception type and the same message."""
        expected = raised(cross_entropy, logits, target, **options)
        assert raised(cross_entropy_grad, logits, target, **options) == expected
        assert raised(cross_entropy_and_grad, logits, target,
                      **options) == expected


# ==========================================================================
class TestSigmoid:

    @FAST
    @given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2),
                      elements=finite(1e3)))
    def test_against_scipy_expit(self, x):
        """Agrees with scipy.special.expit to a few ulps."""
        assert_allclose(sigmoid(x), special.expit(x), rtol=4 * EPS64,
                        atol=TINY)

    @FAST
    @given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2),
                      elements=finite(1e3)))
    def test_symmetry_and_softmax(self, x):
        """sigmoid(-x) == 1 - sigmoid(x); sigmoid(x) == softmax([0, x])[1]."""
        # 1 - s cancels when s ~ 1, so this holds to an absolute eps
        assert_allclose(sigmoid(-x), 1 - sigmoid(x), rtol=0, atol=2 * EPS64)
        two_class = softmax(np.stack([np.zeros_like(x), x], axis=-1))[..., 1]
        assert_allclose(sigmoid(x), two_class, rtol=4 * EPS64, atol=TINY)

    @SLOW
    @given(finite(750))
    def test_against_mpmath(self, x):
        """Within 4 ulp of 1 / (1 + exp(-x)) computed exactly."""
        # reference: helpers.reference, mpmath at 50 digits
        with mpmath.workdps(50):
            expected = float(1 / (1 + mpmath.exp(-mpmath.mpf(x))))
        assert_allclose(sigmoid(x), expected, rtol=4 * EPS64, atol=1e-320)

    def test_huge_inputs(self):
        """|x| up to 1e308 (and inf) without overflow warnings."""
        assert_array_equal(sigmoid([1e308, -1e308, np.inf, -np.inf, 0.0]),
                           [1.0, 0.0, 1.0, 0.0, 0.5])
        assert np.isnan(sigmoid(np.nan))

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Float dtypes are kept; integers and bools become float64."""
        x = np.array([-3, 0, 1, 2]).astype(dtype)
        got = sigmoid(x)
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        assert_allclose(got, special.expit(x.astype(np.float64)),
                        rtol=np.finfo(expected_dtype).eps)
        # extremes of the dtype's range: no overflow in exp
        if dtype in FLOAT_DTYPES:
            big = np.finfo(dtype).max
            assert_array_equal(sigmoid(np.array([big, -big], dtype)), [1, 0])

    def test_scalars(self):
        """A Python scalar gives a NumPy scalar."""
        got = sigmoid(0)
        assert isinstance(got, np.float64) and got == 0.5

    @pytest.mark.parametrize("bad, dtype_name", BAD_ARRAYS)
    def test_non_real(self, bad, dtype_name):
        check_message(TypeError, f"`x`.*real numbers.*{dtype_name}",
                      sigmoid, bad)


# ==========================================================================
class TestBinaryCrossEntropyWithLogits:

    @FAST
    @given(hnp.arrays(np.float64, st.integers(1, 8),
                      elements=finite(1e3)),
           st.data())
    def test_equals_two_class_cross_entropy(self, x, data):
        """BCE(x, y) == cross_entropy([0, x], [1 - y, y]) elementwise."""
        y = data.draw(hnp.arrays(np.float64, x.shape,
                                 elements=st.floats(0, 1)))
        two_class_logits = np.stack([np.zeros_like(x), x], axis=-1)
        two_class_target = np.stack([1 - y, y], axis=-1)
        # both are few-ulp accurate; 1 - y rounds by up to half an ulp
        assert_allclose(
            binary_cross_entropy_with_logits(x, y, reduction="none"),
            cross_entropy(two_class_logits, two_class_target,
                          reduction="none"),
            rtol=1e-13, atol=TINY)

    @SLOW
    @given(finite(1e3), st.floats(0, 1))
    def test_against_mpmath(self, x, y):
        """-y log s - (1-y) log(1-s) with s = sigmoid(x), computed exactly."""
        # reference computed with mpmath at 50 digits, in the form
        # y log1p(e^-x) + (1-y) log1p(e^x) whose two terms are >= 0
        with mpmath.workdps(50):
            xm, ym = mpmath.mpf(x), mpmath.mpf(y)
            expected = float(ym * mpmath.log1p(mpmath.exp(-xm))
                             + (1 - ym) * mpmath.log1p(mpmath.exp(xm)))
        assert_allclose(binary_cross_entropy_with_logits(x, y), expected,
                        rtol=8 * EPS64, atol=TINY)

    def test_target_near_one(self):
        """x = 1000.3, y = 1 - 1e-9: the loss x (1 - y) ~ 1e-6 keeps its
        digits (max(x, 0) - x y would cancel to ~1e-8 relative error)."""
        x, y = 1000.3, 1 - 1e-9
        # reference: helpers.reference, mpmath at 50 digits
        with mpmath.workdps(50):
            xm, ym = mpmath.mpf(x), mpmath.mpf(y)
            expected = float(ym * mpmath.log1p(mpmath.exp(-xm))
                             + (1 - ym) * mpmath.log1p(mpmath.exp(xm)))
        assert_allclose(binary_cross_entropy_with_logits(x, y), expected,
                        rtol=4 * EPS64)

    def test_reductions_and_shapes(self):
        """Any shape; 'none' keeps it, 'mean' averages over all elements."""
        rng = np.random.default_rng(4)
        x, y = rng.normal(size=(3, 4)), rng.uniform(size=(3, 4))
        per_element = binary_cross_entropy_with_logits(x, y, reduction="none")
        assert per_element.shape == (3, 4)
        assert_allclose(binary_cross_entropy_with_logits(x, y),
                        per_element.mean(), rtol=4 * EPS64)
        assert_allclose(binary_cross_entropy_with_logits(x, y,
                                                         reduction="sum"),
                        per_element.sum(), rtol=4 * EPS64)
        # hand value: x = 0 gives log 2 whatever y is
        assert_allclose(binary_cross_entropy_with_logits(0.0, 0.3),
                        math.log(2), rtol=EPS64)

    def test_huge_logits(self):
        """|x| = 1e308 gives 0 or |x| y, never a warning."""
        loss = binary_cross_entropy_with_logits(
            [1e308, -1e308, 1e308, -1e308], [1.0, 0.0, 0.5, 0.25],
            reduction="none")
        assert_array_equal(loss, [0.0, 0.0, 5e307, 2.5e307])
        assert np.isnan(binary_cross_entropy_with_logits(np.inf, 1.0))

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_dtypes(self, dtype):
        """Loss has the logits' float dtype; integers give float64."""
        x = np.array([-2, 0, 1]).astype(dtype)
        y = np.array([0.0, 1.0, 0.5])
        got = binary_cross_entropy_with_logits(x, y, reduction="none")
        expected_dtype = dtype if dtype in FLOAT_DTYPES else np.float64
        assert got.dtype == expected_dtype
        expected = binary_cross_entropy_with_logits(x.astype(np.float64), y,
                                                    reduction="none")
        assert_allclose(got, expected, rtol=np.finfo(expected_dtype).eps)

    def test_bad_inputs(self):
        bce = binary_cross_entropy_with_logits
        check_message(ValueError, r"`target`.*same shape.*\(2,\).*\(3,\)",
                      bce, [0.0, 1.0], [0.0, 1.0, 1.0])
        check_message(ValueError, r"`target`.*\[0, 1\]",
                      bce, [0.0, 1.0], [0.0, 1.5])
        check_message(ValueError, r"`target`.*\[0, 1\]",
                      bce, [0.0, 1.0], [np.nan, 1.0])
        check_message(ValueError, r"`reduction`.*'mean', 'sum', 'none'",
                      bce, [0.0], [1.0], reduction="total")
        check_message(ValueError, "`logits` is empty", bce, [], [])
        check_message(TypeError, "`logits`.*complex", bce, [1j], [1.0])
        check_message(TypeError, "`target`.*<U1", bce, [1.0], ["a"])


# ==========================================================================
class TestNumericalGradient:

    def test_quadratic(self):
        """The gradient of sum(a * x^2) is 2 a x (exact for quadratics)."""
        a = np.array([[1.0, 2.0], [3.0, -4.0]])
        x = np.array([[0.5, -1.0], [2.0, 3.0]])
        # central differences are exact for quadratics up to rounding:
        # eps * |f| / h ~ 1e-16 * 40 / 1e-6 ~ 4e-9
        assert_allclose(numerical_gradient(lambda v: np.sum(a * v**2), x),
                        2 * a * x, rtol=0, atol=1e-8)

    def test_cubic_truncation(self):
        """For x^3 the error is h^2 exactly, so a larger step shows it."""
        got = numerical_gradient(lambda v: v[0] ** 3, [2.0], eps=1e-2)
        assert_allclose(got, [12.0 + 1e-4], rtol=1e-10)

    def test_does_not_mutate(self):
        """Neither the caller's x nor a mutating f disturbs the result."""
        x = np.array([1.0, 2.0, 3.0])
        before = x.copy()

        def mutating(v):
            value = np.sum(v**2)
            v[:] = 0  # must not leak into later evaluations
            return value

        assert_allclose(numerical_gradient(mutating, x), 2 * before,
                        rtol=0, atol=1e-8)
        assert_array_equal(x, before)

    def test_dtype_and_shape(self):
        """Returns float64 with the shape of x, for any input dtype."""
        for dtype in ALL_DTYPES:
            x = np.ones((2, 3), dtype=dtype)
            grad = numerical_gradient(lambda v: float(np.sum(v)), x)
            assert grad.dtype == np.float64 and grad.shape == (2, 3)
            assert_allclose(grad, 1.0, rtol=1e-8)
        assert_allclose(numerical_gradient(lambda v: 3 * v, 1.0), 3.0,
                        rtol=1e-8)

    def test_bad_f(self):
        check_message(TypeError, "`f` must be a callable", numerical_gradient,
                      "not callable", [1.0])
        check_message(ValueError, r"`f` must return a scalar.*\(2,\)",
                      numerical_gradient, lambda v: v, [1.0, 2.0])
        check_message(TypeError, "`f` must return a real number",
                      numerical_gradient, lambda v: "loss", [1.0])

    def test_bad_eps_and_x(self):
        for eps in (0.0, -1e-6, float("inf"), float("nan")):
            check_message(ValueError, "`eps` must be positive",
                          numerical_gradient, np.sum, [1.0], eps=eps)
        check_message(TypeError, "`eps`", numerical_gradient, np.sum, [1.0],
                      eps="1e-6")
        check_message(TypeError, "`x`.*complex", numerical_gradient, np.sum,
                      [1j])


# ==========================================================================
class TestRoutes:
    """helpers.numerics has a quick route, for small arrays of ordinary
    logits, and a blocked route for everything else.  Both give the same
    numbers to a few ulps, and each is taken where it should be."""

    # Each gives a tuple of results whose first axis is the rows; with
    # reduction="none" the gradient is that of the sum, row by row.
    FUNCTIONS = {
        "softmax": lambda z, y: (softmax(z),),
        "log_softmax": lambda z, y: (log_softmax(z),),
        "logsumexp": lambda z, y: (logsumexp(z),),
        "loss": lambda z, y: (cross_entropy(z, y, reduction="none"),),
        "grad": lambda z, y: (cross_entropy_grad(z, y, reduction="none"),),
        "loss and grad": lambda z, y: cross_entropy_and_grad(z, y,
                                                             reduction="none"),
    }

    @staticmethod
    def blocked(logits, labels):
        """The rows repeated into an array too large for the quick route."""
        copies = helpers.numerics._QUICK_BYTES // logits.nbytes + 1
        return np.tile(logits, (copies, 1)), np.tile(labels, copies)

    @FAST
    @given(logits_and_labels(bound=30), st.sampled_from(sorted(FUNCTIONS)))
    def test_routes_agree(self, data, function):
        """Property: a small array of ordinary logits, and the same rows
        inside an array too large for the quick route, give the same values
        within 8 eps (each route is within 4 eps of exact, by
        tests/test_accuracy.py)."""
        logits, labels = data
        call = self.FUNCTIONS[function]
        small = call(logits, labels)
        large = call(*self.blocked(logits, labels))
        for got, again in zip(small, large):
            assert_array_less(rel_error_ulps(got, again[:len(logits)]), 8.0001)

    @pytest.mark.parametrize("function", sorted(FUNCTIONS))
    def test_small_ordinary_arrays_take_the_quick_route(self, function,
                                                        monkeypatch):
        """The book's sizes, (300, 3), (64, 10) and (1, 1000), with everyday
        logits never reach the blocked route's exponential pass."""
        def blocked(*args, **kwargs):
            raise AssertionError("took the blocked route")
        monkeypatch.setattr(helpers.numerics, "_exp_rows", blocked)
        monkeypatch.setattr(helpers.numerics, "_softmax_rows", blocked)
        rng = np.random.default_rng(0)
        for shape in [(300, 3), (64, 10), (1, 1000), (1000,)]:
            logits = 5 * rng.standard_normal(shape)
            labels = rng.integers(0, shape[-1], size=shape[:-1])
            self.FUNCTIONS[function](logits, labels)

    @pytest.mark.parametrize("row", [
        [0.0, np.nan], [0.0, np.inf], [400.0, 0.0],   # nan, inf, exp overflows
        [-720.0, -750.0],         # a row below 0 with subnormal weights
        [-np.inf, -np.inf],       # nothing to normalise
    ])
    def test_unusual_rows_take_the_blocked_route(self, row, monkeypatch):
        """Rows that need a shift, or that have no softmax, are left to the
        blocked route, which knows what to do with them."""
        calls = []
        exp_rows = helpers.numerics._exp_rows
        monkeypatch.setattr(helpers.numerics, "_exp_rows",
                            lambda *a, **k: calls.append(1) or exp_rows(*a, **k))
        log_softmax(row)
        cross_entropy(row, 0)
        assert len(calls) == 2

    def test_large_arrays_take_the_blocked_route(self, monkeypatch):
        calls = []
        exp_rows = helpers.numerics._exp_rows
        monkeypatch.setattr(helpers.numerics, "_exp_rows",
                            lambda *a, **k: calls.append(1) or exp_rows(*a, **k))
        log_softmax(np.zeros((helpers.numerics._QUICK_BYTES // 8 + 1, 1)))
        assert calls == [1]


# ==========================================================================
class TestModule:

    def test_public_names(self):
        """__all__ is exactly the documented API, and every name exists."""
        assert sorted(helpers.numerics.__all__) == sorted([
            "softmax", "log_softmax", "logsumexp", "softmax_jacobian",
            "cross_entropy", "cross_entropy_grad", "cross_entropy_and_grad",
            "sigmoid",
            "binary_cross_entropy_with_logits", "numerical_gradient"])
        for name in helpers.numerics.__all__:
            assert callable(getattr(helpers.numerics, name))

    @pytest.mark.skipif(np.finfo(np.longdouble).eps == EPS64,
                        reason="longdouble is float64 on this platform")
    @pytest.mark.parametrize("function", [softmax, log_softmax, logsumexp,
                                          sigmoid])
    def test_wider_floats_refused(self, function):
        """np.longdouble is refused with a clear TypeError: NumPy's exp would
        compute it, but the kernel's limits are float32's and float64's."""
        check_message(TypeError, "`.*`.*float16, float32, float64", function,
                      np.zeros(3, dtype=np.longdouble))

    def test_pure_numpy(self):
        """Importing the module loads neither matplotlib, sympy nor scipy."""
        code = ("import sys, helpers.numerics; "
                "print(sorted(m for m in ('matplotlib', 'sympy', 'scipy') "
                "if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], check=True,
                             capture_output=True, text=True,
                             cwd=Path(helpers.numerics.__file__).parents[1])
        assert out.stdout.strip() == "[]"
