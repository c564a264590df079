"""Tests for the exercise checks of the chapter on mutual information.

For every check: the reference answer passes; the stub a learner starts
from is "not attempted"; a wrong type and a wrong shape are named as such;
and deliberately wrong answers, written here independently of the check
module, are each rejected, with their specific hint where the check has
one.  Reference values come from the closed forms in float64 (log 10 for
the ceiling, log 3 - H(0.6, 0.3, 0.1) for the bias) and, for the
estimates, from scipy.special.log_softmax, an implementation independent
of helpers.numerics.
"""

import numpy as np
import pytest
from scipy import special

from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch09 import (BIAS_PRIORS, CEILING_CLASSES, MI_LABELS,
                                 MI_LOGITS, check_ceiling, check_mi_estimate,
                                 check_naive_bias, check_pc_mi_estimate)


def assert_rejected(fb, status="wrong value", hint=None):
    """`fb` is not correct, has `status`, and its hint contains `hint`."""
    assert not fb
    assert fb.status == status, str(fb)
    assert fb.hint, "every rejection should carry a hint"
    if hint is not None:
        assert hint in fb.hint, str(fb)


# --------------------------------------------------------------------------
# An estimate from eight predictions
# --------------------------------------------------------------------------

Z = np.array(MI_LOGITS)                                   # (8, 4)
Y = np.array(MI_LABELS)                                   # (8,)
ROWS = np.arange(len(Y))
LOG_Q = special.log_softmax(Z, axis=1)[ROWS, Y]           # (8,)
CE = -np.mean(LOG_Q)
MI_HAT = np.log(4) - CE


class TestCheckMiEstimate:
    def test_inputs_are_balanced(self):
        assert np.all(np.bincount(Y) == 2)

    def test_reference_passes(self):
        assert check_mi_estimate(MI_HAT)

    @pytest.mark.parametrize("answer", [round(MI_HAT, 6), np.float32(MI_HAT),
                                        np.array(MI_HAT)])
    def test_close_enough_passes(self, answer):
        # Tolerance rtol=1e-4, documented in the check.
        assert check_mi_estimate(answer)

    def test_outside_tolerance_fails(self):
        assert_rejected(check_mi_estimate(MI_HAT * (1 + 1e-3)))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_mi_estimate(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.658", {"mi": MI_HAT}, np.log])
    def test_wrong_type(self, answer):
        assert check_mi_estimate(answer).status == "wrong type"

    def test_per_point_values_are_wrong_shape(self):
        assert_rejected(check_mi_estimate(np.log(4) + LOG_Q), "wrong shape",
                        "one number")

    def naive_overflow(self):
        with np.errstate(all="ignore"):
            e = np.exp(Z)
            return np.log(4) + np.mean(np.log((e / e.sum(1, keepdims=True))[ROWS, Y]))

    def test_overflow_is_explained(self):
        assert np.isnan(self.naive_overflow())
        assert_rejected(check_mi_estimate(self.naive_overflow()), hint="overflows")

    def test_naive_log_softmax_inf_is_explained(self):
        with np.errstate(all="ignore"):
            log_q = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
        answer = np.log(4) + np.mean(log_q[ROWS, Y])
        assert np.isinf(answer)
        assert_rejected(check_mi_estimate(answer), hint="overflows")

    @pytest.mark.parametrize("answer, hint", [
        (MI_HAT / np.log(2), "bits"),                             # log2
        (MI_HAT / np.log(10), "log10"),                           # log10
        (np.log10(4) - CE, "same logarithm"),                     # mixed
        (-CE, "Add log C"),                                       # no log C
        (CE, "cross-entropy itself"),                             # the loss
        (CE - np.log(4), "sign"),                                 # sign
        (np.log(8) - CE, "number of classes"),                    # log N
        (np.log(4) - 8 * CE, "mean"),                             # sum
        (np.log(4) - np.mean(np.exp(LOG_Q)), "not mean(q_y)"),    # probs
        (np.log(4) + np.mean(np.exp(LOG_Q)), "not -mean(q_y)"),
        (np.log(4) - 1 + np.mean(np.exp(LOG_Q)), "1 - mean(q_y)"),
        (np.log(4) + np.mean(special.log_softmax(Z, axis=0)[ROWS, Y]),
         "axis=-1"),                                              # wrong axis
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_mi_estimate(answer), hint=hint)

    def test_known_mistakes_are_far_from_the_answer(self):
        # Each wrong number must lie outside the 1e-4 tolerance.
        wrong = [MI_HAT / np.log(2), np.log10(4) - CE, -CE, CE,
                 np.log(8) - CE, np.log(4) - np.mean(np.exp(LOG_Q))]
        assert min(abs(w / MI_HAT - 1) for w in wrong) > 1e-2

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_mi_estimate(0.5), hint="subtract")


# --------------------------------------------------------------------------
# The prior-corrected estimate
# --------------------------------------------------------------------------

def pc_reference(logits, labels, priors):
    """mean of f_y - log sum_c pi_c exp(f_c), via scipy's logsumexp."""
    rows = np.arange(len(labels))
    lse = special.logsumexp(logits, axis=1, b=priors)
    return np.mean(logits[rows, labels] - lse)


def pc_stub(logits, labels, priors):
    raise NotImplementedError


def pc_no_correction(logits, labels, priors):
    rows = np.arange(len(labels))
    return np.log(logits.shape[1]) + np.mean(
        special.log_softmax(logits, axis=1)[rows, labels])


def pc_entropy_but_plain_logits(logits, labels, priors):
    rows = np.arange(len(labels))
    h = -np.sum(priors * np.log(priors))
    return h + np.mean(special.log_softmax(logits, axis=1)[rows, labels])


def pc_log_c_with_adjusted_logits(logits, labels, priors):
    rows = np.arange(len(labels))
    adjusted = special.log_softmax(logits + np.log(priors), axis=1)
    return np.log(logits.shape[1]) + np.mean(adjusted[rows, labels])


def pc_forgot_log_prior_term(logits, labels, priors):
    rows = np.arange(len(labels))
    return np.mean(special.log_softmax(logits + np.log(priors), axis=1)[rows, labels])


def pc_sign_error(logits, labels, priors):
    rows = np.arange(len(labels))
    adjusted = special.log_softmax(logits + np.log(priors), axis=1)
    return np.mean(adjusted[rows, labels] + np.log(priors)[labels])


def pc_priors_not_logs(logits, labels, priors):
    rows = np.arange(len(labels))
    adjusted = special.log_softmax(logits + priors, axis=1)
    return np.mean(adjusted[rows, labels] - priors[labels])


def pc_bits(logits, labels, priors):
    return pc_reference(logits, labels, priors) / np.log(2)


def pc_no_max_subtraction(logits, labels, priors):
    rows = np.arange(len(labels))
    weights = np.exp(logits)
    r = weights / np.sum(priors * weights, axis=1, keepdims=True)
    return np.mean(np.log(r[rows, labels]))


def pc_wrong_axis(logits, labels, priors):
    rows = np.arange(len(labels))
    adjusted = special.log_softmax(logits + np.log(priors), axis=0)
    return np.mean(adjusted[rows, labels] - np.log(priors)[labels])


def pc_sum(logits, labels, priors):
    return len(labels) * pc_reference(logits, labels, priors)


def pc_per_point(logits, labels, priors):
    rows = np.arange(len(labels))
    lse = special.logsumexp(logits, axis=1, b=priors)
    return logits[rows, labels] - lse


def pc_returns_none(logits, labels, priors):
    pc_reference(logits, labels, priors)


def pc_off_by_one(logits, labels, priors):
    return pc_reference(logits, (labels + 1) % logits.shape[1], priors)


class TestCheckPcMiEstimate:
    def test_reference_passes(self):
        assert check_pc_mi_estimate(pc_reference)

    def test_not_attempted(self):
        assert check_pc_mi_estimate(pc_stub).status == "not attempted"
        assert check_pc_mi_estimate(NOT_ATTEMPTED).status == "not attempted"
        assert check_pc_mi_estimate(None).status == "not attempted"

    def test_a_number_is_wrong_type(self):
        assert check_pc_mi_estimate(0.5).status == "wrong type"

    def test_missing_return_is_wrong_type(self):
        assert_rejected(check_pc_mi_estimate(pc_returns_none), "wrong type",
                        "return")

    def test_per_point_values_are_wrong_shape(self):
        assert_rejected(check_pc_mi_estimate(pc_per_point), "wrong shape",
                        "one number")

    def test_raising_function_is_explained(self):
        def broken(logits, labels, priors):
            return logits[labels]["x"]
        fb = check_pc_mi_estimate(broken)
        assert_rejected(fb)
        assert "raised" in fb.message

    @pytest.mark.parametrize("wrong, hint", [
        (pc_no_correction, "naive estimate"),
        (pc_entropy_but_plain_logits, "Add log(priors) to the logits"),
        (pc_log_c_with_adjusted_logits, "not from log C"),
        (pc_forgot_log_prior_term, "Subtract log pi_y"),
        (pc_sign_error, "sign of the last term"),
        (pc_priors_not_logs, "logarithms of the priors"),
        (pc_bits, "log2"),
        (pc_no_max_subtraction, "overflows"),
        (pc_wrong_axis, "axis=-1"),
        (pc_sum, "mean"),
    ])
    def test_known_mistakes(self, wrong, hint):
        with np.errstate(all="ignore"):
            fb = check_pc_mi_estimate(wrong)
        assert_rejected(fb, hint=hint)

    def test_off_by_one_class_is_rejected(self):
        assert_rejected(check_pc_mi_estimate(pc_off_by_one))

    def test_balanced_priors_reduce_to_naive(self):
        """Property: with uniform priors the PC and naive estimates agree."""
        rng = np.random.default_rng(0)
        logits = rng.normal(size=(12, 4))
        labels = np.repeat(np.arange(4), 3)
        priors = np.full(4, 0.25)
        np.testing.assert_allclose(pc_reference(logits, labels, priors),
                                   pc_no_correction(logits, labels, priors),
                                   rtol=1e-12)


# --------------------------------------------------------------------------
# The ceiling for ten classes: log 10
# --------------------------------------------------------------------------

class TestCheckCeiling:
    def test_reference_passes(self):
        assert check_ceiling(np.log(CEILING_CLASSES))

    def test_rounded_passes(self):
        assert check_ceiling(2.3026)

    def test_outside_tolerance_fails(self):
        assert_rejected(check_ceiling(2.31))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_ceiling(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["2.30", [[1, 2], [3]], np.log])
    def test_wrong_type(self, answer):
        assert check_ceiling(answer).status == "wrong type"

    def test_array_is_wrong_shape(self):
        assert_rejected(check_ceiling(np.full(10, 0.23)), "wrong shape", "one number")

    @pytest.mark.parametrize("answer, hint", [
        (np.log2(10), "bits"),
        (1.0, "log10"),
        (10.0, "not C itself"),
        (0.1, "uniform guess"),
        (np.log(9), "log(C - 1)"),
        (0.0, "learned nothing"),
        (-np.log(10), "sign"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_ceiling(answer), hint=hint)

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_ceiling(5.0), hint="never negative")


# --------------------------------------------------------------------------
# Information from nothing: log 3 - H(0.6, 0.3, 0.1)
# --------------------------------------------------------------------------

PI = np.array(BIAS_PRIORS)
H_PI = -np.sum(PI * np.log(PI))
BIAS = np.log(3) - H_PI


class TestCheckNaiveBias:
    def test_reference_passes(self):
        assert check_naive_bias(BIAS)

    def test_value(self):
        # log 3 - H(0.6, 0.3, 0.1), by hand: 1.098612 - 0.897946.
        assert BIAS == pytest.approx(0.200666, rel=1e-5)
        assert check_naive_bias(0.20067)

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_naive_bias(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.2", {"bias": BIAS}, print])
    def test_wrong_type(self, answer):
        assert check_naive_bias(answer).status == "wrong type"

    def test_array_is_wrong_shape(self):
        assert_rejected(check_naive_bias(-PI * np.log(PI)), "wrong shape",
                        "one number")

    @pytest.mark.parametrize("answer, hint", [
        (0.0, "true mutual information"),
        (H_PI, "loss of the best model"),
        (np.log(3), "first term"),
        (BIAS / np.log(2), "bits"),
        (BIAS / np.log(10), "log10"),
        (-BIAS, "sign"),
        (np.log(3) - np.mean(-np.log(PI)), "plain mean"),
        (np.log(3) - np.sum(-np.log(PI)), "weight each"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_naive_bias(answer), hint=hint)

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_naive_bias(0.5), hint="predicts the priors")
