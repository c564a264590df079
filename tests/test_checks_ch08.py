"""Tests for the exercise checks of the chapter on cross-entropy in the frameworks.

For every check: the reference answer passes; the stub a learner starts
from is "not attempted"; a wrong type and a wrong shape are named as such;
and deliberately wrong answers, written here independently of the check
module, are each rejected, with their specific hint where the check has
one.  Reference values come from scipy.special (log_softmax, softmax),
which computes them independently of helpers.numerics.
"""

import numpy as np
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch08 import (BUG_LABELS, BUG_LOGITS, DENSE_LABELS,
                                 DENSE_LOGITS, IGNORE_INDEX, SCIPY_LOGITS,
                                 check_bug_losses, check_dense_losses,
                                 check_nll_loss, check_scipy_default,
                                 check_segmentation_loss)


def assert_rejected(fb, status="wrong value", hint=None):
    """`fb` is not correct, has `status`, and its hint contains `hint`."""
    assert not fb
    assert fb.status == status, str(fb)
    assert fb.hint, "every rejection should carry a hint"
    if hint is not None:
        assert hint in fb.hint, str(fb)


def rows(labels):
    return np.arange(len(labels))


# --------------------------------------------------------------------------
# dense_losses: per-sample losses against one-hot targets
# --------------------------------------------------------------------------

Z_DENSE = np.array(DENSE_LOGITS)                  # (4, 3)
Y_DENSE = np.array(DENSE_LABELS)                  # (4,)
T_DENSE = np.eye(3)[Y_DENSE]                      # (4, 3)


def dense(log_probs, targets=T_DENSE):
    return -np.sum(targets * log_probs, axis=-1)


class TestCheckDenseLosses:
    def test_reference_passes(self):
        assert check_dense_losses(dense(sp_log_softmax(Z_DENSE, axis=1)))

    def test_integer_gather_passes(self):
        lp = sp_log_softmax(Z_DENSE, axis=-1)
        assert check_dense_losses(-lp[rows(Y_DENSE), Y_DENSE])

    def test_list_passes(self):
        # A plain list of float64 values is read as an array.
        good = dense(sp_log_softmax(Z_DENSE, axis=1))
        assert check_dense_losses(good.tolist())

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_dense_losses(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["1.7", {"loss": 1.7}, np.sum])
    def test_wrong_type(self, answer):
        assert check_dense_losses(answer).status == "wrong type"

    def test_mean_is_wrong_shape(self):
        good = dense(sp_log_softmax(Z_DENSE, axis=1))
        assert_rejected(check_dense_losses(good.mean()), "wrong shape",
                        "does not reduce")

    def test_sum_over_batch_axis_is_wrong_shape(self):
        lp = sp_log_softmax(Z_DENSE, axis=1)
        assert_rejected(check_dense_losses(-np.sum(T_DENSE * lp, axis=0)),
                        "wrong shape", "axis=-1")

    @pytest.mark.parametrize("answer, hint", [
        (dense(sp_log_softmax(sp_softmax(Z_DENSE, axis=1), axis=1)),
         "double softmax"),
        (dense(sp_log_softmax(Z_DENSE, axis=1)) / np.log(10), "log10"),
        (-dense(sp_log_softmax(Z_DENSE, axis=1)), "sign"),
        (dense(sp_log_softmax(Z_DENSE, axis=1), np.eye(3)[(Y_DENSE + 1) % 3]),
         "Off by one"),
        (dense(sp_log_softmax(Z_DENSE, axis=0)), "Normalise each row"),
        (-np.sum(T_DENSE * sp_softmax(Z_DENSE, axis=1), axis=1),
         "Take the logarithm"),
        (dense(Z_DENSE), "raw logits"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_dense_losses(answer), hint=hint)

    def test_missing_max_subtraction(self):
        with np.errstate(all="ignore"):
            weights = np.exp(Z_DENSE)
            naive = dense(np.log(weights / weights.sum(axis=1, keepdims=True)))
        assert_rejected(check_dense_losses(naive), hint="overflows")

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_dense_losses(np.ones(4)), hint="np.eye(C)")


# --------------------------------------------------------------------------
# buggy_loss, fixed_loss: the double softmax of the "spot the bug" snippet
# --------------------------------------------------------------------------

Z_BUG = np.array(BUG_LOGITS)                      # (4, 5)
Y_BUG = np.array(BUG_LABELS)


def mean_ce(logits, labels):
    return -np.mean(sp_log_softmax(logits, axis=1)[rows(labels), labels])


BUGGY = mean_ce(sp_softmax(Z_BUG, axis=1), Y_BUG)  # softmax applied twice
FIXED = mean_ce(Z_BUG, Y_BUG)


class TestCheckBugLosses:
    def test_reference_passes(self):
        assert check_bug_losses(BUGGY, FIXED)

    def test_three_digits_pass(self):
        # rtol=1e-3, as the exercise says.
        assert check_bug_losses(round(BUGGY, 3), round(FIXED, 3))

    def test_outside_tolerance_fails(self):
        assert_rejected(check_bug_losses(BUGGY, FIXED * 1.01))

    @pytest.mark.parametrize("pair", [(NOT_ATTEMPTED, NOT_ATTEMPTED),
                                      (BUGGY, NOT_ATTEMPTED),
                                      (None, FIXED)])
    def test_not_attempted(self, pair):
        assert check_bug_losses(*pair).status == "not attempted"

    def test_wrong_type(self):
        assert check_bug_losses("1.17", FIXED).status == "wrong type"
        assert check_bug_losses(BUGGY, mean_ce).status == "wrong type"

    def test_per_sample_is_wrong_shape(self):
        per_sample = -sp_log_softmax(Z_BUG, axis=1)[rows(Y_BUG), Y_BUG]
        assert_rejected(check_bug_losses(BUGGY, per_sample), "wrong shape",
                        "one number")

    def test_swapped(self):
        fb = check_bug_losses(FIXED, BUGGY)
        assert_rejected(fb, hint="That is the correct loss")

    def test_double_softmax_as_fix(self):
        assert_rejected(check_bug_losses(BUGGY, BUGGY),
                        hint="softmax is applied twice")

    @pytest.mark.parametrize("fixed, hint", [
        (FIXED / np.log(10), "log10"),
        (FIXED * len(Y_BUG), "not the sum"),
        (-np.mean(sp_softmax(Z_BUG, axis=1)[rows(Y_BUG), Y_BUG]),
         "nll_loss applied to probabilities"),
    ])
    def test_known_mistakes_in_fix(self, fixed, hint):
        assert_rejected(check_bug_losses(BUGGY, fixed), hint=hint)

    def test_unknown_buggy_value_gets_general_hint(self):
        assert_rejected(check_bug_losses(0.5, FIXED), hint="Apply the softmax "
                        "twice")


# --------------------------------------------------------------------------
# my_nll_loss(log_probs, labels, ignore_index=-100)
# --------------------------------------------------------------------------

def good_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -np.mean(log_probs[rows(labels)[keep], labels[keep]])


def loop_nll(log_probs, labels, ignore_index=-100):
    total, count = 0.0, 0
    for row, label in zip(log_probs, labels):
        if label != ignore_index:
            total -= row[label]
            count += 1
    return total / count


def stub_nll(log_probs, labels, ignore_index=-100):
    raise NotImplementedError


def no_return_nll(log_probs, labels, ignore_index=-100):
    good_nll(log_probs, labels, ignore_index)


def per_sample_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -log_probs[rows(labels)[keep], labels[keep]]


def sign_nll(log_probs, labels, ignore_index=-100):
    return -good_nll(log_probs, labels, ignore_index)


def sum_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -np.sum(log_probs[rows(labels)[keep], labels[keep]])


def divide_by_n_nll(log_probs, labels, ignore_index=-100):
    return sum_nll(log_probs, labels, ignore_index) / len(labels)


def log10_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    picked = log_probs[rows(labels)[keep], labels[keep]]
    return -np.mean(np.log10(np.exp(picked)))


def log_again_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -np.mean(np.log(log_probs[rows(labels)[keep], labels[keep]]))


def minus_p_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -np.mean(np.exp(log_probs[rows(labels)[keep], labels[keep]]))


def all_pairs_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -np.mean(log_probs[keep][:, labels[keep]])


def off_by_one_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    return -np.mean(log_probs[rows(labels)[keep], labels[keep] - 1])


def round_trip_nll(log_probs, labels, ignore_index=-100):
    keep = labels != ignore_index
    probs = np.exp(log_probs[rows(labels)[keep], labels[keep]])
    return -np.mean(np.log(probs))


def no_mask_nll(log_probs, labels, ignore_index=-100):
    return -np.mean(log_probs[rows(labels), labels])


def constant_mask_nll(log_probs, labels, ignore_index=-100):
    keep = labels != -100
    return -np.mean(log_probs[rows(labels)[keep], labels[keep]])


class TestCheckNllLoss:
    @pytest.mark.parametrize("func", [good_nll, loop_nll])
    def test_reference_passes(self, func):
        assert check_nll_loss(func)

    def test_matches_scipy_built_cross_entropy(self):
        # The reference itself: nll of scipy's log_softmax is the mean
        # cross-entropy (a sanity check of the chapter's composition).
        z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
        y = np.array([1, 2])
        want = -np.mean(np.log(sp_softmax(z, axis=1)[rows(y), y]))
        assert np.isclose(good_nll(sp_log_softmax(z, axis=1), y), want,
                          rtol=1e-12)

    @pytest.mark.parametrize("func", [stub_nll, NOT_ATTEMPTED, None])
    def test_not_attempted(self, func):
        assert check_nll_loss(func).status == "not attempted"

    def test_not_callable_is_wrong_type(self):
        assert check_nll_loss(1.0).status == "wrong type"

    def test_missing_return_is_wrong_type(self):
        assert_rejected(check_nll_loss(no_return_nll), "wrong type", "return")

    def test_per_sample_is_wrong_shape(self):
        assert_rejected(check_nll_loss(per_sample_nll), "wrong shape",
                        "one number")

    @pytest.mark.parametrize("func, hint", [
        (sign_nll, "sign"),
        (sum_nll, "divide by the number"),
        (divide_by_n_nll, "not by N"),
        (log10_nll, "base 10"),
        (log_again_nll, "do not take the log again"),
        (minus_p_nll, "-mean(p)"),
        (all_pairs_nll, "log_probs[:, labels]"),
        (off_by_one_nll, "Off by one"),
        (round_trip_nll, "Do not exponentiate"),
    ])
    def test_known_mistakes(self, func, hint):
        assert_rejected(check_nll_loss(func), hint=hint)

    def test_no_mask_gets_ignore_hint(self):
        # log_probs[i, -100] raises IndexError for C < 100.
        assert_rejected(check_nll_loss(no_mask_nll), hint="ignore_index (-100)")

    def test_hard_coded_ignore_index(self):
        assert_rejected(check_nll_loss(constant_mask_nll),
                        hint="use the argument")

    def test_ignore_index_constant(self):
        assert IGNORE_INDEX == -100


# --------------------------------------------------------------------------
# segmentation_loss(logits (N, C, H, W), labels (N, H, W))
# --------------------------------------------------------------------------

def good_seg(logits, labels):
    lp = sp_log_softmax(logits, axis=1)
    return -np.mean(np.take_along_axis(lp, labels[:, None], axis=1))


def moveaxis_seg(logits, labels):
    flat = np.moveaxis(logits, 1, -1).reshape(-1, logits.shape[1])
    lp = sp_log_softmax(flat, axis=1)
    y = labels.reshape(-1)
    return -np.mean(lp[rows(y), y])


def loop_seg(logits, labels):
    n, _, h, w = logits.shape
    losses = [-sp_log_softmax(logits[i, :, r, c])[labels[i, r, c]]
              for i in range(n) for r in range(h) for c in range(w)]
    return np.mean(losses)


def stub_seg(logits, labels):
    raise NotImplementedError


def per_pixel_seg(logits, labels):
    lp = sp_log_softmax(logits, axis=1)
    return -np.take_along_axis(lp, labels[:, None], axis=1)[:, 0]


def last_axis_seg(logits, labels):
    lp = sp_log_softmax(logits, axis=-1)
    return -np.mean(np.take_along_axis(lp, labels[:, None], axis=1))


def reshape_seg(logits, labels):
    lp = sp_log_softmax(logits.reshape(-1, logits.shape[1]), axis=1)
    y = labels.reshape(-1)
    return -np.mean(lp[rows(y), y])


def swapped_seg(logits, labels):
    flat = np.transpose(logits, (0, 3, 2, 1)).reshape(-1, logits.shape[1])
    lp = sp_log_softmax(flat, axis=1)
    y = labels.reshape(-1)
    return -np.mean(lp[rows(y), y])


def per_image_seg(logits, labels):
    lp = sp_log_softmax(logits, axis=1)
    picked = np.take_along_axis(lp, labels[:, None], axis=1)
    return -np.sum(picked) / logits.shape[0]


def sum_seg(logits, labels):
    lp = sp_log_softmax(logits, axis=1)
    return -np.sum(np.take_along_axis(lp, labels[:, None], axis=1))


def naive_seg(logits, labels):
    weights = np.exp(logits)
    lp = np.log(weights / weights.sum(axis=1, keepdims=True))
    return -np.mean(np.take_along_axis(lp, labels[:, None], axis=1))


def log10_seg(logits, labels):
    return good_seg(logits, labels) / np.log(10)


class TestCheckSegmentationLoss:
    @pytest.mark.parametrize("func", [good_seg, moveaxis_seg, loop_seg])
    def test_reference_passes(self, func):
        assert check_segmentation_loss(func)

    @pytest.mark.parametrize("func", [stub_seg, NOT_ATTEMPTED, None])
    def test_not_attempted(self, func):
        assert check_segmentation_loss(func).status == "not attempted"

    def test_not_callable_is_wrong_type(self):
        assert check_segmentation_loss("loss").status == "wrong type"

    def test_per_pixel_is_wrong_shape(self):
        assert_rejected(check_segmentation_loss(per_pixel_seg), "wrong shape",
                        "N * H * W")

    @pytest.mark.parametrize("func, hint", [
        (last_axis_seg, "axis=1"),
        (reshape_seg, "np.moveaxis"),
        (swapped_seg, "pixel order"),
        (per_image_seg, "not over the N images"),
        (sum_seg, "average the N * H * W"),
        (naive_seg, "overflows"),
        (log10_seg, "log10"),
    ])
    def test_known_mistakes(self, func, hint):
        assert_rejected(check_segmentation_loss(func), hint=hint)

    def test_unknown_mistake_gets_case_hint(self):
        def zero(logits, labels):
            return 0.0
        assert_rejected(check_segmentation_loss(zero), hint="W == C == 3")


# --------------------------------------------------------------------------
# scipy_probs: scipy.special.softmax(SCIPY_LOGITS) with axis=None
# --------------------------------------------------------------------------

X_SCIPY = np.array(SCIPY_LOGITS)                  # (3, 4)


class TestCheckScipyDefault:
    def test_scipy_itself_passes(self):
        # The reference is SciPy's own answer with its default axis=None.
        assert check_scipy_default(sp_softmax(X_SCIPY))

    def test_rounded_fails(self):
        # rtol=1e-6: four decimals are not enough for the small entries.
        assert_rejected(check_scipy_default(sp_softmax(X_SCIPY).round(4)))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_scipy_default(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["probs", sp_softmax])
    def test_wrong_type(self, answer):
        assert check_scipy_default(answer).status == "wrong type"

    def test_flat_is_wrong_shape(self):
        assert_rejected(check_scipy_default(sp_softmax(X_SCIPY.ravel())),
                        "wrong shape", "reshape")

    @pytest.mark.parametrize("axis, hint", [(1, "each row"), (-1, "each row"),
                                            (0, "each column")])
    def test_wrong_axis(self, axis, hint):
        assert_rejected(check_scipy_default(sp_softmax(X_SCIPY, axis=axis)),
                        hint=hint)

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_scipy_default(np.full((3, 4), 1 / 12)),
                        hint="Flatten")
