"""Tests for helpers.reference, the mpmath reference for the softmax family.

Evidence of three kinds:

* values derived by hand (symmetry, e.g. equal logits give 1/C; closed
  forms such as softmax([0, t]) = [1/(1 + e^t), e^t/(1 + e^t)] evaluated
  with Python's correctly rounded ``math`` functions where the closed form
  involves one operation);
* agreement with helpers.numerics, whose tests show it accurate to a few
  ulps on these inputs (so a disagreement of more than a few ulps means
  one of the two is wrong);
* the input handling: exact conversion of every dtype, the non-finite
  policy shared with helpers.numerics, and clear errors on bad input.

Tolerances are in units of float64's machine epsilon via rel_error_ulps,
whose own behaviour is pinned down in TestRelErrorUlps.
"""

import math

import numpy as np
import pytest

import helpers.numerics as hn
from helpers.reference import (cross_entropy_mp, log_softmax_mp, logsumexp_mp,
                               rel_error_ulps, softmax_family_mp, softmax_mp)

EPS64 = np.finfo(np.float64).eps
RNG_SEED = 20240602


def random_logits(scale, shape=(40, 7), seed=RNG_SEED):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


# --------------------------------------------------------------------------
# softmax_mp
# --------------------------------------------------------------------------

class TestSoftmaxMp:
    def test_equal_logits_give_uniform(self):
        # hand-derived: C equal logits give exactly 1/C (1/4 is a float)
        assert np.array_equal(softmax_mp([3.0, 3.0, 3.0, 3.0]), [0.25] * 4)

    def test_two_classes_closed_form(self):
        # softmax([0, -40]) = [1, e^-40] / (1 + e^-40); the correction
        # e^-40 ~ 4e-18 is below float64 resolution of the first entry, and
        # the second is e^-40 (1 - 4e-18): math.exp is accurate to < 1 ulp.
        probs = softmax_mp([0.0, -40.0])
        assert probs[0] == 1.0
        assert rel_error_ulps(probs[1], math.exp(-40.0)) <= 1.0

    def test_huge_logits_do_not_overflow(self):
        # hand-derived: shift invariance, then two equal logits
        assert np.array_equal(softmax_mp([1e308, 1e308, -np.inf]), [0.5, 0.5, 0.0])

    def test_smallest_subnormal(self):
        # exp(-745) = 4.94e-324 rounds to the smallest subnormal, 5e-324.
        assert softmax_mp([0.0, -745.0])[1] == 5e-324
        assert softmax_mp([0.0, -746.0])[1] == 0.0  # below half of it

    def test_integers_are_converted_exactly(self):
        # 2**60 + 1 is not a float64; rounding it first would give [0.5, 0.5].
        # hand-derived: softmax([1, 0]) = [e/(1+e), 1/(1+e)]
        probs = softmax_mp(np.array([2**60 + 1, 2**60]))
        assert rel_error_ulps(probs[1], 1 / (1 + math.e)) <= 2.0

    @pytest.mark.parametrize("dtype", [np.float16, np.float32])
    def test_narrow_floats_are_converted_exactly(self, dtype):
        # The same numbers as float64 must give the bit-identical reference.
        logits = random_logits(3.0).astype(dtype)
        assert np.array_equal(softmax_mp(logits), softmax_mp(logits.astype(np.float64)))

    @pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
    def test_agrees_with_helpers(self, scale):
        # helpers.numerics.softmax is accurate to a few ulps (its own tests);
        # 4 ulps allows for its error plus our final rounding (0.5 ulp).
        logits = random_logits(scale)
        errors = rel_error_ulps(hn.softmax(logits), softmax_mp(logits))
        assert np.max(errors) <= 4.0

    def test_rows_sum_to_one(self):
        # each entry is within 0.5 ulp, so a row of 7 sums to 1 within 7 eps
        probs = softmax_mp(random_logits(5.0))
        np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=0, atol=7 * EPS64)

    def test_more_digits_change_nothing(self):
        # 50 digits already round correctly to float64 on these inputs.
        logits = random_logits(300.0, shape=(5, 6))
        assert np.array_equal(softmax_mp(logits), softmax_mp(logits, dps=100))

    def test_shape_and_dtype(self):
        logits = random_logits(1.0, shape=(2, 3, 4)).astype(np.float32)
        probs = softmax_mp(logits)
        assert probs.shape == (2, 3, 4) and probs.dtype == np.float64

    def test_nonfinite_policy_matches_helpers(self):
        logits = np.array([[0.0, np.nan], [np.inf, 0.0], [-np.inf, -np.inf],
                           [0.0, -np.inf]])
        expected = hn.softmax(logits)
        np.testing.assert_array_equal(softmax_mp(logits), expected)
        np.testing.assert_array_equal(expected[3], [1.0, 0.0])


# --------------------------------------------------------------------------
# log_softmax_mp
# --------------------------------------------------------------------------

class TestLogSoftmaxMp:
    def test_large_gap(self):
        # hand-derived: log_softmax([1000, 1]) = [-log1p(e^-999), -999 - log1p(e^-999)]
        # and e^-999 ~ 1e-434 is far below float64 resolution.
        np.testing.assert_array_equal(log_softmax_mp([1000.0, 1.0]), [0.0, -999.0])

    def test_dominant_class_keeps_its_tiny_value(self):
        # hand-derived: log_softmax([0, -700])[0] = -log1p(e^-700) = -e^-700 (1 - ...)
        # with a relative correction of 1e-304; math.exp is accurate to < 1 ulp.
        value = log_softmax_mp([0.0, -700.0])[0]
        assert value < 0
        assert rel_error_ulps(value, -math.exp(-700.0)) <= 1.0

    def test_uniform(self):
        # hand-derived: C equal logits give -log C; math.log is correctly rounded
        assert log_softmax_mp([7.0, 7.0, 7.0])[0] == -math.log(3.0)

    @pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
    def test_agrees_with_helpers(self, scale):
        # helpers.numerics.log_softmax is accurate to a few ulps.
        logits = random_logits(scale)
        errors = rel_error_ulps(hn.log_softmax(logits), log_softmax_mp(logits))
        assert np.max(errors) <= 4.0

    def test_consistent_with_softmax(self):
        # exp of a value with 0.5 ulp error has error 0.5 ulp * |value|, plus
        # exp's own rounding; |log p| < 40 here, so 25 ulps is generous.
        logits = random_logits(5.0)
        log_probs = log_softmax_mp(logits)
        errors = rel_error_ulps(np.exp(log_probs), softmax_mp(logits))
        assert np.max(errors) <= 25.0

    def test_masked_and_bad_rows(self):
        logits = np.array([[0.0, -np.inf], [np.nan, 0.0]])
        out = log_softmax_mp(logits)
        np.testing.assert_array_equal(out[0], [0.0, -np.inf])
        assert np.all(np.isnan(out[1]))


# --------------------------------------------------------------------------
# logsumexp_mp
# --------------------------------------------------------------------------

class TestLogsumexpMp:
    def test_log_two(self):
        # hand-derived: LSE(0, 0) = log 2; math.log(2.0) is correctly rounded
        assert logsumexp_mp([0.0, 0.0]) == math.log(2.0)

    def test_huge_equal_logits(self):
        # 1e308 + log 2 rounds back to 1e308 (its ulp is ~2e292).
        assert logsumexp_mp([1e308, 1e308]) == 1e308

    def test_large_offset(self):
        # hand-derived: LSE(t, t) = t + log 2; t = 1e6 is exact and the sum
        # rounds once.
        assert logsumexp_mp([1e6, 1e6]) == 1e6 + math.log(2.0)

    def test_returns_scalar_for_one_row(self):
        assert isinstance(logsumexp_mp([1.0, 2.0]), np.float64)

    def test_reduces_last_axis(self):
        assert logsumexp_mp(np.zeros((2, 3, 4))).shape == (2, 3)

    @pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
    def test_agrees_with_helpers(self, scale):
        # helpers.numerics.logsumexp is accurate to a few ulps.
        logits = random_logits(scale)
        errors = rel_error_ulps(hn.logsumexp(logits), logsumexp_mp(logits))
        assert np.max(errors) <= 4.0

    def test_bounds(self):
        # m <= LSE <= m + log C, for every row
        logits = random_logits(10.0)
        lse = logsumexp_mp(logits)
        top = logits.max(axis=-1)
        assert np.all(lse >= top) and np.all(lse <= top + math.log(logits.shape[-1]))

    def test_bad_rows_give_nan(self):
        out = logsumexp_mp([[-np.inf, -np.inf], [np.inf, 0.0], [0.0, -np.inf]])
        assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 0.0


# --------------------------------------------------------------------------
# softmax_family_mp and cross_entropy_mp
# --------------------------------------------------------------------------

class TestSoftmaxFamilyMp:
    def test_fields_are_the_three_references(self):
        """One pass gives exactly what the three functions give."""
        logits = random_logits(30.0, shape=(6, 5))
        logits[0, 1], logits[1] = -np.inf, np.nan
        found = softmax_family_mp(logits)
        np.testing.assert_array_equal(found.probs, softmax_mp(logits))
        np.testing.assert_array_equal(found.log_probs, log_softmax_mp(logits))
        np.testing.assert_array_equal(found.logsumexp, logsumexp_mp(logits))

    def test_shapes(self):
        found = softmax_family_mp(np.zeros((2, 3, 4), dtype=np.float32))
        assert found.probs.shape == found.log_probs.shape == (2, 3, 4)
        assert found.logsumexp.shape == (2, 3)
        assert found.probs.dtype == np.float64
        assert np.ndim(softmax_family_mp([1.0, 2.0]).logsumexp) == 0


class TestCrossEntropyMp:
    def test_uniform_logits(self):
        # hand-derived: C equal logits give -log(1/C) = log C for any label
        assert rel_error_ulps(cross_entropy_mp([[2.0] * 4] * 3, [0, 1, 3]),
                              math.log(4)).max() <= 0.5

    def test_is_minus_log_softmax_at_the_label(self):
        logits, labels = random_logits(10.0), np.arange(40) % 7
        expected = -log_softmax_mp(logits)[np.arange(40), labels]
        np.testing.assert_array_equal(cross_entropy_mp(logits, labels), expected)

    def test_probability_targets(self):
        # hand-derived: target (1/4, 3/4) on logits (0, log 3), where
        # p = (1/4, 3/4), gives the entropy of (1/4, 3/4); math.log is
        # within an ulp, and the sum of two positive terms adds one rounding
        expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
        got = cross_entropy_mp([0.0, math.log(3.0)], [0.25, 0.75])
        assert rel_error_ulps(got, expected) <= 2

    def test_label_smoothing(self):
        # hand-derived: eps = 1 spreads the target uniformly, so the loss is
        # the mean of -log p over the classes; for logits (0, 0) that is log 2
        assert rel_error_ulps(cross_entropy_mp([0.0, 0.0], 1, label_smoothing=1.0),
                              math.log(2)) <= 0.5
        logits = random_logits(3.0, shape=(5, 4))
        nll = -log_softmax_mp(logits)
        labels = np.array([0, 1, 2, 3, 0])
        mixed = 0.9 * nll[np.arange(5), labels] + 0.1 * nll.mean(axis=1)
        assert rel_error_ulps(cross_entropy_mp(logits, labels, label_smoothing=0.1),
                              mixed).max() <= 4   # float64 arithmetic in `mixed`

    def test_masked_class_of_weight_zero_adds_nothing(self):
        assert cross_entropy_mp([[0.0, -np.inf]], [0])[0] == 0.0
        assert cross_entropy_mp([[0.0, -np.inf]], np.array([[1.0, 0.0]]))[0] == 0.0
        # with smoothing the masked class has weight eps / C: an infinite loss
        assert cross_entropy_mp([[0.0, -np.inf]], [0], label_smoothing=0.1)[0] == np.inf

    def test_bad_rows_give_nan(self):
        assert np.isnan(cross_entropy_mp([[np.nan, 0.0], [0.0, 0.0]], [0, 0])).tolist() == [
            True, False]

    @pytest.mark.parametrize("logits, target, match", [
        ([[0.0, 1.0]], [2], r"\[0, 2\)"),
        ([[0.0, 1.0]], [0, 1], "shape"),
        ([[0.0, 1.0]], [[0.5, 0.5, 0.0]], "shape"),
        (np.zeros((2, 2, 2)), [0, 1], r"\(N, C\)"),
    ])
    def test_bad_targets(self, logits, target, match):
        with pytest.raises(ValueError, match=match):
            cross_entropy_mp(logits, target)

    def test_bad_smoothing(self):
        with pytest.raises(ValueError, match="label_smoothing"):
            cross_entropy_mp([0.0, 1.0], 0, label_smoothing=1.5)


# --------------------------------------------------------------------------
# Input validation, shared by the reference functions
# --------------------------------------------------------------------------

REFERENCES = [softmax_mp, log_softmax_mp, logsumexp_mp, softmax_family_mp,
              lambda logits, **options: cross_entropy_mp(logits, 0, **options)]


@pytest.mark.parametrize("func", REFERENCES)
class TestBadInput:
    def test_complex(self, func):
        with pytest.raises(TypeError, match="real numbers"):
            func([1j, 0.0])

    def test_strings(self, func):
        with pytest.raises(TypeError, match="real numbers"):
            func(["a", "b"])

    def test_zero_dimensional(self, func):
        with pytest.raises(ValueError, match="at least one dimension"):
            func(1.0)

    def test_empty_class_axis(self, func):
        with pytest.raises(ValueError, match="empty class axis"):
            func(np.zeros((3, 0)))

    def test_ragged(self, func):
        with pytest.raises(ValueError, match="could not convert"):
            func([[1.0, 2.0], [3.0]])

    @pytest.mark.skipif(np.finfo(np.longdouble).eps == EPS64,
                        reason="longdouble is float64 on this platform")
    def test_longdouble(self, func):
        with pytest.raises(TypeError, match="float16, float32, float64"):
            func(np.zeros(2, dtype=np.longdouble))

    @pytest.mark.parametrize("dps", [50.0, True, "50"])
    def test_dps_type(self, func, dps):
        with pytest.raises(TypeError, match="`dps`"):
            func([0.0, 1.0], dps=dps)

    def test_dps_too_small(self, func):
        with pytest.raises(ValueError, match="at least 20"):
            func([0.0, 1.0], dps=10)


# --------------------------------------------------------------------------
# rel_error_ulps
# --------------------------------------------------------------------------

class TestRelErrorUlps:
    def test_one_ulp_above_one(self):
        assert rel_error_ulps(1.0 + EPS64, 1.0) == 1.0

    def test_float32_unit(self):
        eps32 = float(np.finfo(np.float32).eps)
        assert rel_error_ulps(1.0 + eps32, 1.0, np.float32) == 1.0
        assert rel_error_ulps(1.0 + eps32, 1.0, "float32") == 1.0

    def test_dtype_defaults_to_approx(self):
        # float32 approx: unit is float32 eps; integer approx: float64 eps
        assert rel_error_ulps(np.float32(1.0 + 2.0**-23), 1.0) == 1.0
        assert rel_error_ulps(np.array([1]), 1.0 + EPS64) == pytest.approx(1.0, rel=1e-12)

    def test_correct_rounding_scores_at_most_half(self):
        # Property: rounding a float64 to float32 errs by at most 0.5 eps32
        # relative, for normal numbers.
        values = np.random.default_rng(RNG_SEED).lognormal(sigma=20.0, size=1000)
        errors = rel_error_ulps(values.astype(np.float32), values, np.float32)
        assert np.max(errors) <= 0.5

    def test_zeros(self):
        assert rel_error_ulps(0.0, 0.0) == 0.0
        assert rel_error_ulps(-0.0, 0.0) == 0.0

    def test_subnormal_units(self):
        # below the smallest normal the unit is the subnormal spacing
        assert rel_error_ulps(1e-323, 5e-324) == 1.0
        assert rel_error_ulps(5e-324, 0.0) == 1.0

    def test_underflowed_reference_is_not_infinitely_wrong(self):
        # exact 1e-50 is far below float32's smallest subnormal (1.4e-45):
        # 0 is the correctly rounded float32, so it must score under 0.5
        assert rel_error_ulps(np.float32(0.0), 1e-50, np.float32) < 0.5

    def test_lost_value_is_large(self):
        # a representable value flushed to 0 scores 1/eps
        assert rel_error_ulps(0.0, 0.5) == 1 / EPS64

    def test_nan_and_inf(self):
        got = rel_error_ulps([np.nan, np.nan, np.inf, np.inf, 1.0, -np.inf],
                             [0.5, np.nan, np.inf, 1.0, np.inf, np.inf])
        np.testing.assert_array_equal(got, [np.inf, 0.0, 0.0, np.inf, np.inf, np.inf])

    def test_broadcasting(self):
        got = rel_error_ulps(np.ones((2, 3)), 1.0)
        assert got.shape == (2, 3) and np.all(got == 0)

    def test_scalar_result(self):
        assert isinstance(rel_error_ulps(1.0, 1.0), np.float64)

    @pytest.mark.parametrize("dtype", ["int32", "banana", object])
    def test_bad_dtype(self, dtype):
        with pytest.raises(TypeError, match="`dtype`"):
            rel_error_ulps(1.0, 1.0, dtype)

    def test_shapes_do_not_broadcast(self):
        with pytest.raises(ValueError, match="do not broadcast"):
            rel_error_ulps(np.ones(3), np.ones(2))

    def test_non_numeric(self):
        with pytest.raises(TypeError, match="`approx` must hold real numbers"):
            rel_error_ulps(["a"], [1.0])
        with pytest.raises(TypeError, match="`exact` must hold real numbers"):
            rel_error_ulps([1.0], [1j])
