"""Tests for the exercise checks of the chapter on numerical stability.

``tests/test_exercises.py`` checks every exercise's reference, placeholder
and listed mistakes.  Here: right answers written other ways (loops, SciPy,
``np.logaddexp.reduce``, a nan replaced after the fact), the instabilities
the chapter teaches (-1e9 for -inf, in float32 and in float16, a shift by
the row's minimum or mean, log of an underflowed probability), the
tolerances the exercise texts state (rtol 1e-10 and atol 0 for the masked
softmax and for log-sum-exp, three significant digits for the threshold,
rtol 1e-6 for the loss), and that a wrong threshold is never revealed.
"""

import math

import numpy as np
import pytest
import scipy.special

from helpers.checks.ch02 import (LOSS_LABEL, LOSS_LOGITS, check_float32_loss,
                                 check_logsumexp, check_masked_softmax,
                                 check_overflow_threshold)
from helpers.numerics import log_softmax

CLOSE = "Close: right to two significant digits. Give more digits."


# --------------------------------------------------------------------------
# A masked softmax: masked entries exactly 0, a fully masked row all zeros
# --------------------------------------------------------------------------

def masked_where(logits, mask):
    """-inf behind the mask, the kept maximum (0 where none), zeros for empty rows."""
    kept = mask.any(axis=-1, keepdims=True)
    z = np.where(mask, logits, -np.inf)
    top = np.where(kept, np.max(z, axis=-1, keepdims=True), 0)
    weights = np.exp(z - top)
    total = np.sum(weights, axis=-1, keepdims=True)
    return np.where(kept, weights / np.where(kept, total, 1), 0)


def masked_loop(logits, mask):
    """Row by row with scipy on the kept entries only, in the logits' dtype."""
    out = np.zeros_like(logits)
    for row, keep, probs in zip(logits, mask, out):
        if keep.any():
            probs[keep] = scipy.special.softmax(row[keep].astype(np.float64))
    return out


def masked_nan_to_num(logits, mask):
    """The nan of a fully masked row replaced afterwards (torch's _safe_softmax)."""
    z = np.where(mask, logits, -np.inf)
    with np.errstate(invalid="ignore"):
        weights = np.exp(z - np.max(z, axis=-1, keepdims=True))
        probs = weights / np.sum(weights, axis=-1, keepdims=True)
    return np.where(mask.any(axis=-1, keepdims=True), probs, 0).astype(logits.dtype)


class TestCheckMaskedSoftmax:
    @pytest.mark.parametrize("func", [masked_where, masked_loop, masked_nan_to_num])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_masked_softmax(func)
        assert fb, str(fb)

    def test_float64_inside_then_cast_back_passes(self):
        assert check_masked_softmax(
            lambda z, m: masked_where(z.astype(np.float64), m).astype(z.dtype))

    def test_float64_result_for_float16_logits_is_a_wrong_type(self):
        fb = check_masked_softmax(lambda z, m: masked_where(z.astype(np.float64), m))
        assert fb.status == "wrong type" and "float16" in fb.message

    @pytest.mark.parametrize("big", [-1e9, -1e30, np.finfo(np.float64).min / 2])
    def test_large_negative_fails_only_on_the_fully_masked_row(self, big):
        # A large negative number works while a row keeps an entry: exp(big - m)
        # is exactly 0.  Only the fully masked row (uniform, not 0) gives it away.
        def big_negative(logits, mask):
            z = np.where(mask, logits, np.asarray(big).astype(logits.dtype))
            weights = np.exp(z - z.max(axis=-1, keepdims=True))
            return weights / weights.sum(axis=-1, keepdims=True)
        fb = check_masked_softmax(big_negative)
        assert fb.status == "wrong value" and "fully masked" in fb.message
        assert "evenly over the padding" in fb.hint

    def test_nan_on_the_fully_masked_row_is_named(self):
        def forgets_empty_rows(logits, mask):
            z = np.where(mask, logits, -np.inf)
            weights = np.exp(z - np.max(z, axis=-1, keepdims=True))
            return weights / np.sum(weights, axis=-1, keepdims=True)
        fb = check_masked_softmax(forgets_empty_rows)
        assert "-inf - (-inf) is nan" in fb.hint

    def test_additive_minus_1e9_in_float16_is_named(self):
        def keras_style(logits, mask):
            z = logits + (1 - mask.astype(logits.dtype)) * np.asarray(-1e9, logits.dtype)
            return masked_where(z, np.ones_like(mask))
        fb = check_masked_softmax(keras_style)
        assert fb.status == "wrong value" and "float16" in fb.hint

    def test_tolerance_boundary(self):
        assert check_masked_softmax(lambda z, m: masked_where(z, m) * (1 + 5e-11))
        assert not check_masked_softmax(lambda z, m: masked_where(z, m) * (1 + 5e-9))

    def test_masked_entries_must_be_exactly_zero(self):
        # atol = 0: a leak of 1e-30 into a masked entry is a wrong value.
        fb = check_masked_softmax(lambda z, m: masked_where(z, m) + 1e-30 * ~m)
        assert fb.status == "wrong value"


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
