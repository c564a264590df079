"""Tests for the exercise checks of the chapter on numerical stability.

``tests/test_exercises.py`` checks every exercise's reference, placeholder
and listed mistakes.  Here: right answers written other ways (log-sum-exp,
loops, ``np.logaddexp.reduce``, SciPy, float32 computed in float32), the
instabilities the chapter teaches (a shift by the row's minimum or mean,
the naive formula in float32 only, log of an underflowed probability), the
tolerances the exercise texts state (rtol 1e-5 for the softmax, 1e-10 for
log-sum-exp, three significant digits for the threshold, rtol 1e-6 for the
loss), and that a wrong threshold is never revealed.
"""

import math

import numpy as np
import pytest
import scipy.special

from helpers.checks.ch02 import (LOSS_LABEL, LOSS_LOGITS, check_float32_loss,
                                 check_logsumexp, check_overflow_threshold,
                                 check_stable_softmax)
from helpers.numerics import log_softmax

CLOSE = "Close: right to two significant digits. Give more digits."


def shifted_softmax(logits, shift):
    weights = np.exp(logits - shift(logits, axis=-1, keepdims=True))
    return weights / np.sum(weights, axis=-1, keepdims=True)


def stable_softmax(logits):
    return shifted_softmax(logits, np.max)


# --------------------------------------------------------------------------
# A stable softmax for a batch
# --------------------------------------------------------------------------

def lse_softmax(logits):
    """exp(z - LSE(z)): a correct route, 2e-6 off in float32, inside rtol 1e-5."""
    top = np.max(logits, axis=-1, keepdims=True)
    lse = top + np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True))
    return np.exp(logits - lse)


def loop_softmax(logits):
    """Row by row, in the input's dtype."""
    if logits.ndim == 1:
        return stable_softmax(logits)
    return np.stack([stable_softmax(row) for row in logits])


class TestCheckStableSoftmax:
    @pytest.mark.parametrize("func", [
        lse_softmax, loop_softmax,
        lambda z: scipy.special.softmax(z, axis=-1),
        lambda z: stable_softmax(z.astype(np.float64)),        # upcast float32
        lambda z: stable_softmax(z).astype(z.dtype)])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_stable_softmax(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("shift, name", [(np.min, "minimum"), (np.mean, "mean")])
    def test_shift_by_min_or_mean_overflows(self, shift, name):
        fb = check_stable_softmax(lambda z: shifted_softmax(z, shift))
        assert fb.status == "wrong value"
        assert f"row {name}" in fb.hint and "(800, 0, -800)" in fb.hint

    def test_naive_formula_in_float32_only_is_caught(self):
        # Right for float64 (it is stable whenever |z| > 200), but the naive
        # formula in float32 overflows at 100.
        def naive_unless_huge(logits):
            if np.max(np.abs(logits)) > 200:
                return stable_softmax(logits)
            return shifted_softmax(logits, lambda z, **_: 0.0)
        fb = check_stable_softmax(naive_unless_huge)
        assert fb.status == "wrong value" and "float32" in fb.message
        assert "subtract each row's maximum" in fb.hint

    def test_clipping_the_logits_is_no_fix(self):
        fb = check_stable_softmax(lambda z: shifted_softmax(np.clip(z, -80, 80), np.max))
        assert fb.status == "wrong value"

    def test_tolerance_boundary(self):
        assert check_stable_softmax(lambda z: stable_softmax(z) * (1 + 5e-6))
        assert not check_stable_softmax(lambda z: stable_softmax(z) * (1 + 5e-5))


# --------------------------------------------------------------------------
# Log-sum-exp
# --------------------------------------------------------------------------

def lse_log1p(logits):
    top = np.max(logits, axis=-1, keepdims=True)
    total = np.sum(np.exp(logits - top), axis=-1)
    return top[..., 0] + np.log1p(total - 1)


def lse_loop(logits):
    def one(row):
        top = max(row)
        return top + math.log(sum(math.exp(z - top) for z in row))
    return one(logits) if logits.ndim == 1 else np.array([one(row) for row in logits])


def shifted_lse(logits, shift):
    m = shift(logits, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(logits - m), axis=-1, keepdims=True)))[..., 0]


class TestCheckLogsumexp:
    @pytest.mark.parametrize("func", [
        lse_log1p, lse_loop,
        lambda z: np.logaddexp.reduce(z, axis=-1),
        lambda z: scipy.special.logsumexp(z, axis=-1)])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_logsumexp(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("shift, name", [(np.min, "minimum"), (np.mean, "mean")])
    def test_shift_by_min_or_mean_overflows(self, shift, name):
        fb = check_logsumexp(lambda z: shifted_lse(z, shift))
        assert fb.status == "wrong value" and f"row {name}" in fb.hint

    def test_tolerance_boundary(self):
        assert check_logsumexp(lambda z: shifted_lse(z, np.max) * (1 + 5e-11))
        assert not check_logsumexp(lambda z: shifted_lse(z, np.max) * (1 + 5e-10))

    def test_float32_inside_is_not_accurate_enough(self):
        # rtol 1e-10: a float32 computation loses the digits of 1e6 + 1.
        assert not check_logsumexp(lambda z: shifted_lse(z.astype(np.float32), np.max))


# --------------------------------------------------------------------------
# The overflow threshold: log(float32 max) - log(1000) = 81.815...
# --------------------------------------------------------------------------

THRESHOLD = math.log(float(np.finfo(np.float32).max)) - math.log(1000)


class TestCheckOverflowThreshold:
    @pytest.mark.parametrize("answer", [81.8, 81.82, 81.81, np.float32(THRESHOLD),
                                        88.72 - 6.91])
    def test_three_significant_digits_pass(self, answer):
        # 81.82 is the worked solution's value; 88.72 - 6.91 its rounded terms.
        assert check_overflow_threshold(answer)

    def test_two_digits_are_close(self):
        assert check_overflow_threshold(82).hint == CLOSE

    @pytest.mark.parametrize("answer", [81.7, 81.9])
    def test_wrong_third_digit_fails(self, answer):
        assert not check_overflow_threshold(answer)

    @pytest.mark.parametrize("answer", [50.0, 82, 88.72])
    def test_wrong_value_does_not_reveal_the_answer(self, answer):
        fb = check_overflow_threshold(answer)
        assert not fb and "81.8" not in str(fb)


# --------------------------------------------------------------------------
# The loss of a confidently wrong float32 model
# --------------------------------------------------------------------------

class TestCheckFloat32Loss:
    def test_float32_and_float64_losses_pass(self):
        assert check_float32_loss(-log_softmax(LOSS_LOGITS)[LOSS_LABEL])            # 110.0
        assert check_float32_loss(-log_softmax(LOSS_LOGITS.astype(float))[LOSS_LABEL])
        assert check_float32_loss(110)                      # 3e-7 away: rtol 1e-6 allows it

    def test_lse_by_hand_passes(self):
        # LSE(z) - z_1 = 20 + log(1 + e^-110 + e^-15) + 90
        assert check_float32_loss(20 + math.log(1 + math.exp(-110) + math.exp(-15)) + 90)

    def test_log_of_underflowed_softmax_is_named(self):
        with np.errstate(divide="ignore"):
            loss = -np.log(scipy.special.softmax(LOSS_LOGITS)[LOSS_LABEL])
        assert np.isinf(loss)                   # the mistake really happens in float32
        fb = check_float32_loss(loss)
        assert fb.status == "wrong value" and "underflowed to 0" in fb.hint

    def test_tolerance_boundary(self):
        assert check_float32_loss(110.00005)        # 5e-7 relative
        assert not check_float32_loss(110.001)      # 9e-6 relative

    def test_nan_is_a_wrong_value(self):
        fb = check_float32_loss(float("nan"))
        assert fb.status == "wrong value" and "NaN" in fb.message
