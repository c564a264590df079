"""Tests for the exercise checks of the chapter on cross-entropy.

For every check: the reference answer passes; the stub a learner starts
from is "not attempted"; a wrong type and a wrong shape are named as such;
and deliberately wrong answers, written here independently of the check
module, are each rejected, with their specific hint where the check has
one.  Reference values come from the closed forms in float64 (entropy of
(1/2, 1/4, 1/8, 1/8) is 7/4 bits exactly; the uniform loss is ln 1000).
"""

import numpy as np
import pytest

from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch04 import (ENTROPY_PROBS, SMOOTHING, SMOOTHING_CLASSES,
                                 UNIFORM_CLASSES, check_entropy_bits,
                                 check_my_cross_entropy, check_smoothed_min_loss,
                                 check_uniform_loss)


def stub(logits, labels):
    raise NotImplementedError


def assert_rejected(fb, status="wrong value", hint=None):
    """`fb` is not correct, has `status`, and its hint contains `hint`."""
    assert not fb
    assert fb.status == status, str(fb)
    assert fb.hint, "every rejection should carry a hint"
    if hint is not None:
        assert hint in fb.hint, str(fb)


# --------------------------------------------------------------------------
# Entropy in bits of (1/2, 1/4, 1/8, 1/8): 7/4
# --------------------------------------------------------------------------

P = np.array(ENTROPY_PROBS)


class TestCheckEntropyBits:
    def test_reference_passes(self):
        assert check_entropy_bits(-np.sum(P * np.log2(P)))

    @pytest.mark.parametrize("rounded", [1.75, 1.7505, np.float32(1.75)])
    def test_close_enough_passes(self, rounded):
        # Tolerance rtol=1e-3, documented in the exercise.
        assert check_entropy_bits(rounded)

    def test_outside_tolerance_fails(self):
        assert_rejected(check_entropy_bits(1.76))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_entropy_bits(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["1.75", {"H": 1.75}, np.log2])
    def test_wrong_type(self, answer):
        assert check_entropy_bits(answer).status == "wrong type"

    def test_terms_instead_of_sum_is_wrong_shape(self):
        assert_rejected(check_entropy_bits(-P * np.log2(P)), "wrong shape",
                        "one number")

    @pytest.mark.parametrize("answer, hint", [
        (-np.sum(P * np.log(P)), "nats"),                    # natural log
        (-np.sum(P * np.log(P)) * np.log(2), "you multiplied"),
        (-np.sum(P * np.log10(P)), "base 10"),               # log10
        (np.sum(P * np.log2(P)), "sign"),                    # sign error
        (np.sum(-np.log2(P)), "Weight each surprisal"),      # unweighted sum
        (np.mean(-np.log2(P)), "plain average"),             # unweighted mean
        (2.0, "uniform"),                                    # log2(4)
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_entropy_bits(answer), hint=hint)

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_entropy_bits(1.0), hint="add them up")


# --------------------------------------------------------------------------
# my_cross_entropy(logits, labels): the mean over the batch
# --------------------------------------------------------------------------

def _lse(z, axis=-1):
    m = np.max(z, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def good_ce(logits, labels):
    log_probs = logits - _lse(logits)                        # (N, C)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


def take_along_ce(logits, labels):
    log_probs = logits - _lse(logits)
    return -np.take_along_axis(log_probs, labels[:, None], axis=1).mean()


def one_hot_ce(logits, labels):
    one_hot = np.eye(logits.shape[1])[labels]                # (N, C)
    return -np.mean(np.sum(one_hot * (logits - _lse(logits)), axis=1))


def python_float_ce(logits, labels):
    return float(good_ce(logits, labels))


def sum_ce(logits, labels):                                  # missing mean
    log_probs = logits - _lse(logits)
    return -np.sum(log_probs[np.arange(len(labels)), labels])


def mean_over_entries_ce(logits, labels):                    # divides by N*C
    one_hot = np.eye(logits.shape[1])[labels]
    return -np.mean(one_hot * (logits - _lse(logits)))


def log10_ce(logits, labels):
    m = np.max(logits, axis=-1, keepdims=True)
    w = np.exp(logits - m)
    p = w / w.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        return -np.mean(np.log10(p[np.arange(len(labels)), labels]))


def log2_ce(logits, labels):
    return good_ce(logits, labels) / np.log(2)


def sign_error_ce(logits, labels):
    return -good_ce(logits, labels)


def log_of_softmax_ce(logits, labels):                       # underflow -> inf
    m = np.max(logits, axis=-1, keepdims=True)
    w = np.exp(logits - m)
    p = w / w.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def naive_softmax_ce(logits, labels):                        # overflow -> nan
    with np.errstate(all="ignore"):
        w = np.exp(logits)
        p = w / w.sum(axis=-1, keepdims=True)
        return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def naive_lse_ce(logits, labels):                            # overflow -> inf
    with np.errstate(all="ignore"):
        log_probs = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
        return -np.mean(log_probs[np.arange(len(labels)), labels])


def global_max_ce(logits, labels):                           # one max per batch
    with np.errstate(all="ignore"):
        shifted = logits - np.max(logits)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        return -np.mean(log_probs[np.arange(len(labels)), labels])


def wrong_axis_ce(logits, labels):
    log_probs = logits - _lse(logits, axis=0)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


def columns_ce(logits, labels):                              # gathers whole columns
    log_probs = logits - _lse(logits)
    return -np.mean(log_probs[:, labels])


def off_by_one_ce(logits, labels):
    return good_ce(logits, labels - 1)


def no_log_ce(logits, labels):
    p = np.exp(logits - _lse(logits))
    return -np.mean(p[np.arange(len(labels)), labels])


def raw_logit_ce(logits, labels):                            # no normalisation
    return -np.mean(logits[np.arange(len(labels)), labels])


def per_sample_ce(logits, labels):                           # no reduction
    log_probs = logits - _lse(logits)
    return -log_probs[np.arange(len(labels)), labels]


def label_smoothed_ce(logits, labels):                       # unlisted mistake
    log_probs = logits - _lse(logits)
    return -np.mean(0.9 * log_probs[np.arange(len(labels)), labels]
                    + 0.1 * log_probs.mean(axis=1))


def float32_ce(logits, labels):
    return good_ce(logits.astype(np.float32), labels)


def missing_return(logits, labels):
    good_ce(logits, labels)


def crashes(logits, labels):
    return logits.cross_entropy(labels)


class TestCheckMyCrossEntropy:
    @pytest.mark.parametrize("func", [good_ce, take_along_ce, one_hot_ce, python_float_ce])
    def test_reference_passes(self, func):
        fb = check_my_cross_entropy(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("func", [stub, NOT_ATTEMPTED, None])
    def test_not_attempted(self, func):
        assert check_my_cross_entropy(func).status == "not attempted"

    @pytest.mark.parametrize("func", [0.5, "cross_entropy", np.zeros(3)])
    def test_not_a_function_is_wrong_type(self, func):
        assert check_my_cross_entropy(func).status == "wrong type"

    def test_missing_return_is_wrong_type(self):
        assert_rejected(check_my_cross_entropy(missing_return), "wrong type", "return")

    def test_string_result_is_wrong_type(self):
        assert check_my_cross_entropy(lambda z, y: "loss").status == "wrong type"

    def test_per_sample_losses_are_wrong_shape(self):
        assert_rejected(check_my_cross_entropy(per_sample_ce), "wrong shape",
                        "not one loss per sample")

    def test_other_shape_gets_general_shape_hint(self):
        assert_rejected(check_my_cross_entropy(lambda z, y: np.array([good_ce(z, y)])),
                        "wrong shape", "Return one number")

    @pytest.mark.parametrize("func, hint", [
        (sum_ce, "not the sum"),
        (mean_over_entries_ce, "N * C"),
        (log10_ce, "not log10"),
        (log2_ce, "not log2"),
        (sign_error_ce, "sign"),
        (log_of_softmax_ce, "log(softmax(z))"),
        (naive_softmax_ce, "exp(1000) overflows"),
        (naive_lse_ce, "exp(1000) overflows"),
        (global_max_ce, "row's own maximum"),
        (wrong_axis_ce, "axis=-1"),
        (columns_ce, "np.arange(N)"),
        (off_by_one_ce, "Off by one"),
        (no_log_ce, "Take the logarithm"),
        (raw_logit_ce, "raw logit"),
    ])
    def test_known_mistakes(self, func, hint):
        assert_rejected(check_my_cross_entropy(func), hint=hint)

    def test_unlisted_mistake_gets_general_hint(self):
        assert_rejected(check_my_cross_entropy(label_smoothed_ce), hint="logsumexp")

    def test_float32_is_not_accurate_enough(self):
        # The check compares with rtol=1e-9: float32 (eps ~ 1.2e-7) fails.
        assert_rejected(check_my_cross_entropy(float32_ce))

    def test_exception_is_reported(self):
        fb = check_my_cross_entropy(crashes)
        assert_rejected(fb)
        assert "AttributeError" in fb.message

    def test_arguments_are_not_shared_with_the_learner(self):
        # A learner that overwrites its inputs must not change the reference.
        def clobbers(logits, labels):
            value = good_ce(logits, labels)
            logits[...] = 0.0
            labels[...] = 0
            return value
        assert check_my_cross_entropy(clobbers)


# --------------------------------------------------------------------------
# The floor of a smoothed loss: C = 10, eps = 0.1
# --------------------------------------------------------------------------

EPS, C = SMOOTHING, SMOOTHING_CLASSES
TRUE, OTHER = 1 - EPS + EPS / C, EPS / C                     # 0.91, 0.01
MIN_LOSS = -TRUE * np.log(TRUE) - (C - 1) * OTHER * np.log(OTHER)


class TestCheckSmoothedMinLoss:
    def test_reference_passes(self):
        assert check_smoothed_min_loss(MIN_LOSS)

    def test_rounded_passes(self):
        assert check_smoothed_min_loss(0.5003)

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None])
    def test_not_attempted(self, answer):
        assert check_smoothed_min_loss(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.5", check_smoothed_min_loss, [0.5, "x"]])
    def test_wrong_type(self, answer):
        assert check_smoothed_min_loss(answer).status == "wrong type"

    def test_target_instead_of_loss_is_wrong_shape(self):
        target = np.array([TRUE] + [OTHER] * (C - 1))
        assert_rejected(check_smoothed_min_loss(target), "wrong shape", "one number")

    @pytest.mark.parametrize("answer, hint", [
        (0.0, "without smoothing"),                               # no smoothing
        (np.log(C), "uniform prediction"),                        # log C
        (np.inf, "infinite"),                                     # one-hot prediction
        (-0.9 * np.log(0.9) - 9 * 0.01 * np.log(0.01), "sums to 1"),
        (-0.9 * np.log(0.9) - 0.1 * np.log(0.1 / 9), "not over the C - 1"),
        (-0.9 * np.log(0.9) - 0.1 * np.log(0.01), "each of the nine"),
        (MIN_LOSS / np.log(2), "bits"),
        (MIN_LOSS / np.log(10), "log10"),
        (-TRUE * np.log(TRUE), "nine wrong classes"),
        (-9 * OTHER * np.log(OTHER), "Include the true class"),
        (-MIN_LOSS, "sign"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_smoothed_min_loss(answer), hint=hint)

    def test_forgetting_the_smoothing_term_is_not_accepted(self):
        # The loss at the optimum without its eps/C * sum(-log q) term.
        assert_rejected(check_smoothed_min_loss(-(1 - EPS) * np.log(TRUE)),
                        hint="smoothed target")


# --------------------------------------------------------------------------
# The loss of a uniform guess over 1000 classes: ln 1000
# --------------------------------------------------------------------------

class TestCheckUniformLoss:
    def test_reference_passes(self):
        assert check_uniform_loss(np.log(UNIFORM_CLASSES))

    def test_via_helpers_passes(self):
        from helpers.numerics import cross_entropy
        assert check_uniform_loss(cross_entropy(np.zeros((4, UNIFORM_CLASSES)),
                                                np.array([0, 1, 2, 999])))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_uniform_loss(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["6.9", np.log, 1j])
    def test_wrong_type(self, answer):
        assert check_uniform_loss(answer).status == "wrong type"

    def test_per_sample_array_is_wrong_shape(self):
        assert_rejected(check_uniform_loss(np.full(3, np.log(1000))), "wrong shape")

    @pytest.mark.parametrize("answer, hint", [
        (np.log2(1000), "bits"),
        (3.0, "log10"),
        (0.001, "1/C"),
        (-np.log(1000), "sign"),
        (1000, "not C"),
        (0.999, "error rate"),
        (0, "probability 1"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_uniform_loss(answer), hint=hint)

    def test_off_by_one_class_count(self):
        # ln 1001 is within the 1e-3 tolerance; ln 100 (C off by a factor) is not.
        assert check_uniform_loss(np.log(1001))
        assert_rejected(check_uniform_loss(np.log(100)), hint="-log(1/C)")
