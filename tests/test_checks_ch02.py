"""Tests for the chapter 2 exercise checks (helpers.checks.ch02).

For every check: the reference answer passes, the untouched stub reads as
"not attempted", a wrong shape and a wrong type are named as such, and the
typical mistakes of the chapter are each rejected, with their own hint.
The tolerances under test are the ones the checks document: rtol 1e-9
(float64) and 1e-5 (float32) for the softmax, rtol 1e-10 for log-sum-exp,
atol 0.01 for the overflow threshold and rtol 1e-6 for the loss.
"""

import numpy as np
import pytest

from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch02 import (
    check_float32_loss,
    check_logsumexp,
    check_overflow_threshold,
    check_stable_softmax,
)
from helpers.numerics import log_softmax


def _stub(logits):
    raise NotImplementedError


# --------------------------------------------------------------------------
# check_stable_softmax
# --------------------------------------------------------------------------

def stable_softmax(logits):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def stable_softmax_via_lse(logits):
    # exp(z - LSE(z)): a different correct route, less accurate but well
    # inside rtol 1e-9 for these inputs
    top = np.max(logits, axis=-1, keepdims=True)
    lse = top + np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True))
    return np.exp(logits - lse)


class TestCheckStableSoftmax:
    @pytest.mark.parametrize("func", [stable_softmax, stable_softmax_via_lse])
    def test_correct(self, func):
        assert check_stable_softmax(func).status == "correct"

    @pytest.mark.parametrize("func", [_stub, None, NOT_ATTEMPTED])
    def test_not_attempted(self, func):
        assert check_stable_softmax(func).status == "not attempted"

    def test_not_callable(self):
        assert check_stable_softmax(np.array([0.5, 0.5])).status == "wrong type"

    def test_returns_none(self):
        def forgot_return(logits):
            stable_softmax(logits)
        fb = check_stable_softmax(forgot_return)
        assert fb.status == "wrong type" and "return" in fb.hint

    def test_returns_strings(self):
        assert check_stable_softmax(lambda z: np.full(z.shape, "p")).status == "wrong type"

    def test_wrong_shape(self):
        # only the top probability of each row
        fb = check_stable_softmax(lambda z: np.max(stable_softmax(z), axis=-1))
        assert fb.status == "wrong shape"

    def test_missing_max_subtraction(self):
        def naive(logits):
            return np.exp(logits) / np.sum(np.exp(logits), axis=-1, keepdims=True)
        fb = check_stable_softmax(naive)
        assert fb.status == "wrong value" and "subtract each row's maximum" in fb.hint

    def test_batch_wide_max(self):
        def global_max(logits):
            weights = np.exp(logits - np.max(logits))
            return weights / np.sum(weights, axis=-1, keepdims=True)
        fb = check_stable_softmax(global_max)
        assert fb.status == "wrong value" and "whole batch" in fb.hint

    def test_subtract_min(self):
        def minimum(logits):
            weights = np.exp(logits - np.min(logits, axis=-1, keepdims=True))
            return weights / np.sum(weights, axis=-1, keepdims=True)
        fb = check_stable_softmax(minimum)
        assert fb.status == "wrong value" and "minimum" in fb.hint

    def test_subtract_mean(self):
        def mean(logits):
            weights = np.exp(logits - np.mean(logits, axis=-1, keepdims=True))
            return weights / np.sum(weights, axis=-1, keepdims=True)
        fb = check_stable_softmax(mean)
        assert fb.status == "wrong value" and "mean" in fb.hint

    def test_wrong_axis(self):
        def axis0(logits):
            weights = np.exp(logits - np.max(logits, axis=0))
            return weights / np.sum(weights, axis=0)
        fb = check_stable_softmax(axis0)
        assert fb.status == "wrong value" and "axis=-1, not axis=0" in fb.hint

    def test_sum_over_whole_batch(self):
        def whole(logits):
            weights = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
            return weights / np.sum(weights)
        fb = check_stable_softmax(whole)
        assert fb.status == "wrong value" and "sum to 1 on its own" in fb.hint

    def test_missing_keepdims(self):
        def no_keepdims(logits):
            weights = np.exp(logits - np.max(logits, axis=-1))
            return weights / np.sum(weights, axis=-1)
        fb = check_stable_softmax(no_keepdims)
        assert fb.status == "wrong value" and "keepdims=True" in fb.hint

    def test_float32_overflow_is_caught(self):
        # Correct in float64 (it upcasts only the cases it can handle), but
        # the naive formula in the input dtype overflows at 100 in float32.
        def naive_unless_huge(logits):
            if np.max(np.abs(logits)) > 200:
                return stable_softmax(logits)
            return np.exp(logits) / np.sum(np.exp(logits), axis=-1, keepdims=True)
        fb = check_stable_softmax(naive_unless_huge)
        assert fb.status == "wrong value" and "subtract each row's maximum" in fb.hint

    def test_float32_tolerance(self):
        # computing float32 inputs in float32 is fine: rtol 1e-5 there
        assert check_stable_softmax(lambda z: stable_softmax(z).astype(z.dtype))

    def test_crashing_function(self):
        fb = check_stable_softmax(lambda z: z.nonexistent())
        assert fb.status == "wrong value" and "AttributeError" in fb.message


# --------------------------------------------------------------------------
# check_logsumexp
# --------------------------------------------------------------------------

def my_logsumexp(logits):
    top = np.max(logits, axis=-1, keepdims=True)
    total = np.sum(np.exp(logits - top), axis=-1)
    return top[..., 0] + np.log(total)


class TestCheckLogsumexp:
    def test_correct(self):
        assert check_logsumexp(my_logsumexp).status == "correct"

    def test_correct_with_log1p(self):
        def with_log1p(logits):
            top = np.max(logits, axis=-1, keepdims=True)
            total = np.sum(np.exp(logits - top), axis=-1)
            return top[..., 0] + np.log1p(total - 1)
        assert check_logsumexp(with_log1p)

    @pytest.mark.parametrize("func", [_stub, None, NOT_ATTEMPTED])
    def test_not_attempted(self, func):
        assert check_logsumexp(func).status == "not attempted"

    def test_not_callable(self):
        assert check_logsumexp(3.4).status == "wrong type"

    def test_returns_none(self):
        assert check_logsumexp(lambda z: None).status == "wrong type"

    def test_wrong_shape_keepdims(self):
        def keepdims(logits):
            top = np.max(logits, axis=-1, keepdims=True)
            return top + np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True))
        fb = check_logsumexp(keepdims)
        assert fb.status == "wrong shape" and "not (N, 1)" in fb.hint

    def test_missing_max_subtraction(self):
        fb = check_logsumexp(lambda z: np.log(np.sum(np.exp(z), axis=-1)))
        assert fb.status == "wrong value" and "subtract each row's maximum" in fb.hint

    def test_forgot_to_add_back(self):
        def forgot(logits):
            top = np.max(logits, axis=-1, keepdims=True)
            return np.log(np.sum(np.exp(logits - top), axis=-1))
        fb = check_logsumexp(forgot)
        assert fb.status == "wrong value" and "forgot to add it back" in fb.hint

    def test_log10(self):
        def log10(logits):
            top = np.max(logits, axis=-1, keepdims=True)
            return top[..., 0] + np.log10(np.sum(np.exp(logits - top), axis=-1))
        fb = check_logsumexp(log10)
        assert fb.status == "wrong value" and "np.log10" in fb.hint

    def test_batch_wide_max(self):
        def global_max(logits):
            top = np.max(logits)
            return top + np.log(np.sum(np.exp(logits - top), axis=-1))
        fb = check_logsumexp(global_max)
        assert fb.status == "wrong value" and "whole batch" in fb.hint

    def test_wrong_axis(self):
        def axis0(logits):
            top = np.max(logits, axis=0)
            return top + np.log(np.sum(np.exp(logits - top), axis=0))
        fb = check_logsumexp(axis0)
        # (3, 4) logits reduced over axis 0 give shape (4,), not (3,)
        assert fb.status == "wrong shape"

    def test_missing_keepdims_on_max(self):
        def no_keepdims(logits):
            top = np.max(logits, axis=-1)
            return top + np.log(np.sum(np.exp(logits - top), axis=-1))
        fb = check_logsumexp(no_keepdims)
        assert fb.status == "wrong value" and "keepdims=True" in fb.hint


# --------------------------------------------------------------------------
# check_overflow_threshold
# --------------------------------------------------------------------------

FLOAT32_MAX = float(np.finfo(np.float32).max)


class TestCheckOverflowThreshold:
    def test_correct(self):
        assert check_overflow_threshold(np.log(FLOAT32_MAX / 1000)).status == "correct"

    def test_correct_float32_and_rounded(self):
        assert check_overflow_threshold(np.float32(81.815))
        assert check_overflow_threshold(81.81)     # within atol 0.01

    def test_tolerance(self):
        assert not check_overflow_threshold(81.83)  # 0.015 away

    @pytest.mark.parametrize("answer", [None, NOT_ATTEMPTED, ...])
    def test_not_attempted(self, answer):
        assert check_overflow_threshold(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["81.8", True, 81.8j, np.log])
    def test_wrong_type(self, answer):
        assert check_overflow_threshold(answer).status == "wrong type"

    def test_wrong_shape(self):
        assert check_overflow_threshold([81.815, 88.72]).status == "wrong shape"

    @pytest.mark.parametrize("answer, phrase", [
        (np.log(FLOAT32_MAX), "single exponential"),
        (np.log(np.finfo(np.float64).max / 1000), "float64 limit"),
        (np.log(np.finfo(np.float64).max), "float64 limit"),
        (np.log(65504.0 / 1000), "float16 limit"),
        (np.log10(FLOAT32_MAX / 1000), "np.log10"),
        (np.log10(FLOAT32_MAX), "np.log10"),
        (FLOAT32_MAX / 1000, "take its logarithm"),
        (FLOAT32_MAX, "largest float32 number"),
        (-np.log(FLOAT32_MAX / 1000), "sign"),
    ])
    def test_known_mistakes(self, answer, phrase):
        fb = check_overflow_threshold(answer)
        assert fb.status == "wrong value" and phrase in fb.hint

    def test_unknown_mistake_gets_general_hint(self):
        fb = check_overflow_threshold(50.0)
        assert fb.status == "wrong value" and "Solve 1000 * exp(t)" in fb.hint


# --------------------------------------------------------------------------
# check_float32_loss
# --------------------------------------------------------------------------

LOGITS = np.array([20.0, -90.0, 5.0], dtype=np.float32)


class TestCheckFloat32Loss:
    def test_correct_float32(self):
        assert check_float32_loss(-log_softmax(LOGITS)[1]).status == "correct"

    def test_correct_float64(self):
        loss = -log_softmax(LOGITS.astype(np.float64))[1]
        assert check_float32_loss(loss).status == "correct"

    def test_tolerance(self):
        assert not check_float32_loss(110.001)     # rtol 1e-6 is 1.1e-4 here

    @pytest.mark.parametrize("answer", [None, NOT_ATTEMPTED, ...])
    def test_not_attempted(self, answer):
        assert check_float32_loss(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["110", False, object()])
    def test_wrong_type(self, answer):
        assert check_float32_loss(answer).status == "wrong type"

    def test_wrong_shape(self):
        fb = check_float32_loss(-log_softmax(LOGITS))
        assert fb.status == "wrong shape"

    def test_log_of_underflowed_softmax(self):
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            weights = np.exp(LOGITS - LOGITS.max())
            loss = -np.log((weights / weights.sum())[1])
        assert np.isinf(loss)       # the mistake really happens in float32
        fb = check_float32_loss(loss)
        assert fb.status == "wrong value" and "underflowed to 0" in fb.hint

    @pytest.mark.parametrize("index, phrase", [(0, "class 0"), (2, "class 2")])
    def test_off_by_one_class(self, index, phrase):
        fb = check_float32_loss(-log_softmax(LOGITS.astype(np.float64))[index])
        assert fb.status == "wrong value" and phrase in fb.hint

    def test_sign_error(self):
        fb = check_float32_loss(log_softmax(LOGITS.astype(np.float64))[1])
        assert fb.status == "wrong value" and "sign" in fb.hint

    def test_log10(self):
        fb = check_float32_loss(110.0 / np.log(10.0))
        assert fb.status == "wrong value" and "natural logarithm" in fb.hint

    def test_probability_instead_of_loss(self):
        fb = check_float32_loss(np.exp(-110.0))
        assert fb.status == "wrong value" and "-log p" in fb.hint

    def test_nan(self):
        fb = check_float32_loss(float("nan"))
        assert fb.status == "wrong value" and "finite" in fb.message
