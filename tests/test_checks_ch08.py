"""Tests for the checks of the chapter on the frameworks (helpers.checks.ch08).

tests/test_exercises.py already checks every exercise's reference, its
placeholder and that each listed mistake gets its own hint.  Here: right
answers written other ways, wrong ones written as a learner would write
them, the instabilities the inputs must expose, and the stated tolerances
(issue 12: three significant digits are enough for the bug's two losses).
"""

import numpy as np
import pytest
from scipy import special

import helpers
from helpers.checks.ch08 import (BUG_LABELS, BUG_LOGITS, DENSE_LABELS, DENSE_LOGITS,
                                 SCIPY_LOGITS, check_bug_losses, check_dense_losses,
                                 check_nll_loss, check_scipy_default,
                                 check_segmentation_loss)

CLOSE = "Close: right to two significant digits. Give more digits."


def shifted_log_softmax(z, shift, axis=-1):
    """A learner's log-softmax that subtracts the max, min or mean, or nothing."""
    s = 0.0 if shift == "none" else getattr(np, shift)(z, axis=axis, keepdims=True)
    with np.errstate(all="ignore"):
        return z - s - np.log(np.sum(np.exp(z - s), axis=axis, keepdims=True))


def to_digits(value, digits):
    """`value` correctly rounded to `digits` significant digits."""
    return float(f"{value:.{digits - 1}e}")


# --------------------------------------------------------------------------
# One-hot targets and the dense loss
# --------------------------------------------------------------------------

class TestDenseLosses:
    logits = np.array(DENSE_LOGITS)
    labels = np.array(DENSE_LABELS)

    def test_logsumexp_minus_true_logit_passes(self):
        picked = self.logits[np.arange(4), self.labels]
        assert check_dense_losses(special.logsumexp(self.logits, axis=1) - picked)

    def test_list_of_floats_passes(self):
        targets = np.eye(3)[self.labels]
        losses = [float(-t @ helpers.log_softmax(z)) for t, z in zip(targets, self.logits)]
        assert check_dense_losses(losses)

    @pytest.mark.parametrize("shift", ["none", "min", "mean"])
    def test_a_log_softmax_without_the_max_shift_fails(self, shift):
        # The row (1000, 0, -1000) overflows whichever of these is subtracted.
        targets = np.eye(3)[self.labels]
        with np.errstate(invalid="ignore"):                # 0 * -inf
            losses = -np.sum(targets * shifted_log_softmax(self.logits, shift), axis=-1)
        fb = check_dense_losses(losses)
        assert fb.status == "wrong value" and fb.hint.startswith("exp(1000) overflows")

    def test_log_of_softmax_fails(self):
        targets = np.eye(3)[self.labels]
        with np.errstate(divide="ignore", invalid="ignore"):
            losses = -np.sum(targets * np.log(helpers.softmax(self.logits)), axis=-1)
        fb = check_dense_losses(losses)
        assert fb.status == "wrong value" and "log 0 = -inf" in fb.hint

    def test_tolerance_is_rtol_1e_9(self):
        picked = self.logits[np.arange(4), self.labels]
        right = special.logsumexp(self.logits, axis=1) - picked
        assert check_dense_losses(right * (1 + 5e-10))
        assert check_dense_losses(right * (1 + 5e-8)).status == "wrong value"


# --------------------------------------------------------------------------
# Spot the bug
# --------------------------------------------------------------------------

class TestBugLosses:
    logits = np.array(BUG_LOGITS)
    labels = np.array(BUG_LABELS)
    buggy = helpers.cross_entropy(helpers.softmax(logits), labels)
    fixed = helpers.cross_entropy(logits, labels)

    def test_issue_12_three_digits_pass(self):
        # The text promises that three significant digits are enough.
        fb = check_bug_losses(1.17, 2.27)
        assert fb, str(fb)

    @pytest.mark.parametrize("digits", [3, 4, 5, 12])
    def test_every_correct_rounding_passes(self, digits):
        answers = to_digits(self.buggy, digits), to_digits(self.fixed, digits)
        assert check_bug_losses(*answers), answers

    def test_the_solutions_quoted_numbers_pass(self):
        assert check_bug_losses(1.168, 2.268)

    def test_scipy_computation_passes(self):
        def mean_loss(z):
            return -np.mean(special.log_softmax(z, axis=1)[np.arange(4), self.labels])
        assert check_bug_losses(mean_loss(special.softmax(self.logits, axis=1)),
                                mean_loss(self.logits))

    def test_two_digits_are_close(self):
        fb = check_bug_losses(1.2, 2.27)
        assert fb.status == "wrong value" and fb.hint == CLOSE

    def test_losses_swapped_get_their_hint_and_are_not_revealed(self):
        fb = check_bug_losses(2.27, 1.17)
        assert fb.status == "wrong value" and "That is the correct loss" in fb.hint
        assert "1.17" not in fb.message and "1.168" not in fb.message

    def test_second_answer_is_judged_after_the_first(self):
        fb = check_bug_losses(1.17, 1.17)
        assert fb.status == "wrong value" and "what the buggy code reports" in fb.hint


# --------------------------------------------------------------------------
# nll_loss with ignore_index
# --------------------------------------------------------------------------

def nll_loop(log_probs, labels, ignore_index=-100):
    total, count = 0.0, 0
    for row, label in zip(log_probs, labels):
        if label != ignore_index:
            total -= row[label]
            count += 1
    return total / count


def nll_weights(log_probs, labels, ignore_index=-100):
    """np.average with weight 0 on the ignored rows."""
    keep = labels != ignore_index
    safe = np.where(keep, labels, 0)
    picked = np.take_along_axis(log_probs, safe[:, None], axis=1)[:, 0]
    return -np.average(picked, weights=keep)


def nll_keyword_only(log_probs, labels, *, ignore_index=-100):
    keep = labels != ignore_index
    return -log_probs[keep, labels[keep]].mean()


class TestNllLoss:
    @pytest.mark.parametrize("func", [nll_loop, nll_weights, nll_keyword_only])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_nll_loss(func)
        assert fb, str(fb)

    def test_the_default_ignore_index_is_used(self):
        def no_default(log_probs, labels, ignore_index):
            return nll_loop(log_probs, labels, ignore_index)
        fb = check_nll_loss(no_default)
        assert fb.status == "wrong value" and "TypeError" in fb.message

    def test_the_constant_instead_of_the_argument_fails(self):
        def constant(log_probs, labels, ignore_index=-100):
            return nll_loop(log_probs, labels)
        fb = check_nll_loss(constant)
        assert fb.status == "wrong value" and "ignore_index=2" in fb.message


# --------------------------------------------------------------------------
# A loss for segmentation
# --------------------------------------------------------------------------

def segmentation_moveaxis(logits, labels):
    """Move the classes last and treat every pixel as a row."""
    C = logits.shape[1]
    rows = np.moveaxis(logits, 1, -1).reshape(-1, C)
    return helpers.cross_entropy(rows, labels.reshape(-1))


def segmentation_one_hot(logits, labels):
    """scipy's log_softmax over axis 1 and a one-hot mask, summed with einsum."""
    one_hot = np.moveaxis(np.eye(logits.shape[1])[labels], -1, 1)   # (N, C, H, W)
    return -np.einsum("nchw,nchw->", one_hot, special.log_softmax(logits, axis=1)) \
        / labels.size


def segmentation_own(shift):
    def func(logits, labels):
        log_probs = shifted_log_softmax(logits, shift, axis=1)
        return -np.mean(np.take_along_axis(log_probs, labels[:, None], axis=1))
    return func


class TestSegmentationLoss:
    @pytest.mark.parametrize("func", [segmentation_moveaxis, segmentation_one_hot,
                                      segmentation_own("max")],
                             ids=["moveaxis", "one-hot", "own-max"])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_segmentation_loss(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("shift, words", [
        ("none", "Logits near 750 overflow"),
        ("min", "Subtracting the class-axis minimum"),
        ("mean", "Subtracting the class-axis mean"),
    ])
    def test_each_wrong_shift_fails_with_its_own_hint(self, shift, words):
        fb = check_segmentation_loss(segmentation_own(shift))
        assert fb.status == "wrong value" and fb.hint.startswith(words), str(fb)


# --------------------------------------------------------------------------
# SciPy's default axis
# --------------------------------------------------------------------------

class TestScipyDefault:
    logits = np.array(SCIPY_LOGITS)

    def test_scipy_itself_passes(self):
        assert check_scipy_default(special.softmax(self.logits))

    def test_float32_passes_within_rtol_1e_6(self):
        x = self.logits.astype(np.float32)
        e = np.exp(x - x.max())
        assert check_scipy_default(e / e.sum())

    def test_tolerance_is_rtol_1e_6(self):
        right = special.softmax(self.logits)
        assert check_scipy_default(right * (1 + 5e-7))
        assert check_scipy_default(right * (1 + 5e-5)).status == "wrong value"

    def test_wrong_value_is_not_revealed(self):
        right = special.softmax(self.logits)
        fb = check_scipy_default(right[::-1])             # wrong first at (0, 0)
        assert fb.status == "wrong value"
        assert f"{right[0, 0]:.6g}" not in fb.message and "expected" not in fb.message
