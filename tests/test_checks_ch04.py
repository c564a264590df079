"""What the chapter 4 checks must judge right, beyond tests/test_exercises.py.

That file runs every exercise's reference, placeholder and listed
mistakes.  Here: right answers written other ways pass, wrong answers
written the way a learner would write them (independently of the
module's list) fail with the hint for the instability they have, the
stated tolerances hold at their boundaries, and a wrong value worked by
hand does not print the answer.  Expected values come from closed forms:
H(1/2, 1/4, 1/8, 1/8) = 7/4 bits, the uniform loss is ln 1000, the
smoothed floor is the entropy of (0.91, 0.01 x 9).
"""

import math

import numpy as np
import pytest
from scipy.special import logsumexp

import helpers
from helpers.checks.ch04 import (ENTROPY_PROBS, SMOOTHING, SMOOTHING_CLASSES,
                                 UNIFORM_CLASSES, check_entropy_bits,
                                 check_multiclass_hinge, check_my_cross_entropy,
                                 check_smoothed_min_loss, check_uniform_loss)

P = np.array(ENTROPY_PROBS)
TARGET = np.array([1 - SMOOTHING + SMOOTHING / SMOOTHING_CLASSES]
                  + [SMOOTHING / SMOOTHING_CLASSES] * (SMOOTHING_CLASSES - 1))
FLOOR = float(-np.sum(TARGET * np.log(TARGET)))                  # 0.50028...
CLOSE = "Close: right to two significant digits. Give more digits."


# -- values worked by hand: three significant digits -----------------------

@pytest.mark.parametrize("check, answer", [
    (check_entropy_bits, 1.75), (check_entropy_bits, 7 / 4),
    (check_entropy_bits, np.float32(1.75)), (check_entropy_bits, np.array(1.75)),
    (check_entropy_bits, -np.sum(P * np.log(P)) / np.log(2)),
    (check_smoothed_min_loss, 0.5003), (check_smoothed_min_loss, 0.500),
    (check_smoothed_min_loss, helpers.cross_entropy(
        np.log(TARGET)[None], np.array([0]), label_smoothing=SMOOTHING)),
    (check_uniform_loss, 6.908), (check_uniform_loss, 6.91),
    (check_uniform_loss, helpers.cross_entropy(np.zeros((4, UNIFORM_CLASSES)),
                                               np.array([0, 1, 2, 999]))),
])
def test_right_answers_written_other_ways_pass(check, answer):
    fb = check(answer)
    assert fb.status == "correct", str(fb)


@pytest.mark.parametrize("check, exact", [
    (check_entropy_bits, 1.75), (check_smoothed_min_loss, FLOOR),
    (check_uniform_loss, math.log(UNIFORM_CLASSES)),
])
def test_three_digits_pass_and_two_are_close(check, exact):
    unit = 10.0 ** (math.floor(math.log10(exact)) - 2)           # of the third digit
    assert check(exact + 0.49 * unit), "within half a unit of the third digit"
    assert check(exact - 0.49 * unit)
    near = check(exact + 3 * unit)                               # off in the third digit
    assert near.status == "wrong value" and near.hint == CLOSE, str(near)


@pytest.mark.parametrize("check, wrong, exact", [
    (check_entropy_bits, 1.0, 1.75), (check_entropy_bits, 1.9, 1.75),
    (check_smoothed_min_loss, 0.3, FLOOR), (check_uniform_loss, 6.0, math.log(1000)),
])
def test_a_wrong_value_does_not_show_the_answer(check, wrong, exact):
    fb = check(wrong)
    assert fb.status == "wrong value"
    for shown in (f"{exact:.6g}", f"{exact:.3g}", f"{exact:.4g}"):
        assert shown not in fb.message, str(fb)
    assert fb.hint, "every wrong value gets a hint"


def test_an_infinite_floor_gets_the_one_hot_hint():
    fb = check_smoothed_min_loss(np.inf)
    assert fb.status == "wrong value" and "one-hot" in fb.hint


# -- my_cross_entropy: right answers written other ways ---------------------

def _lse(z):
    m = np.max(z, axis=-1, keepdims=True)                        # (N, 1)
    return m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def by_fancy_index(logits, labels):
    log_probs = logits - _lse(logits)                            # (N, C)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


def by_take_along_axis(logits, labels):
    log_probs = logits - _lse(logits)
    return -np.take_along_axis(log_probs, labels[:, None], axis=1).mean()


def by_one_hot_einsum(logits, labels):
    one_hot = np.eye(logits.shape[1])[labels]                    # (N, C)
    return -np.einsum("nc,nc->", one_hot, logits - _lse(logits)) / len(labels)


def by_python_loop(logits, labels):
    total = 0.0
    for row, label in zip(logits.tolist(), labels.tolist()):
        m = max(row)
        total += m + math.log(sum(math.exp(v - m) for v in row)) - row[label]
    return total / len(labels)


def by_logaddexp(logits, labels):
    lse = np.logaddexp.reduce(logits, axis=1)                    # (N,)
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))


def by_scipy(logits, labels):
    return np.mean(logsumexp(logits, axis=1) - logits[np.arange(len(labels)), labels])


@pytest.mark.parametrize("func", [by_fancy_index, by_take_along_axis, by_one_hot_einsum,
                                  by_python_loop, by_logaddexp, by_scipy])
def test_cross_entropy_written_other_ways_passes(func):
    fb = check_my_cross_entropy(func)
    assert fb.status == "correct", str(fb)


def test_cross_entropy_that_overwrites_its_inputs_passes():
    def clobbers(logits, labels):
        value = by_fancy_index(logits, labels)
        logits[...] = 0.0
        labels[...] = 0
        return value
    assert check_my_cross_entropy(clobbers)


# -- my_cross_entropy: each instability fails with its own hint -------------

def shifted_by(shift):
    """A learner's log-softmax cross-entropy that subtracts `shift(z)` per row."""
    def loss(logits, labels):
        s = shift(logits)
        log_probs = logits - s - np.log(np.sum(np.exp(logits - s), axis=1, keepdims=True))
        return -np.mean(log_probs[np.arange(len(labels)), labels])
    return loss


def log_of_stable_softmax(logits, labels):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))


@pytest.mark.parametrize("func, words", [
    (shifted_by(lambda z: z.min(axis=1, keepdims=True)), "row minimum"),
    (shifted_by(lambda z: z.mean(axis=1, keepdims=True)), "row mean"),
    (shifted_by(lambda z: 0.0), "overflow exp()"),
    (shifted_by(lambda z: z.max()), "whole batch"),
    (log_of_stable_softmax, "log(softmax(z))"),
])
def test_each_instability_gets_its_hint(func, words):
    with np.errstate(all="ignore"):
        fb = check_my_cross_entropy(func)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)


def test_the_row_mean_fails_on_the_row_800_0_minus_800():
    with np.errstate(all="ignore"):
        fb = check_my_cross_entropy(shifted_by(lambda z: z.mean(axis=1, keepdims=True)))
    assert "800" in fb.message, str(fb)


# -- my_cross_entropy: rtol = 1e-9 -----------------------------------------

def test_cross_entropy_tolerance_is_rtol_1e_9():
    assert check_my_cross_entropy(lambda z, y: by_fancy_index(z, y) * (1 + 1e-10))
    fb = check_my_cross_entropy(lambda z, y: by_fancy_index(z, y) * (1 + 1e-8))
    assert fb.status == "wrong value", str(fb)


def test_float32_is_not_accurate_enough():
    # float32 rounds to ~6e-8 relative, well outside rtol = 1e-9.
    fb = check_my_cross_entropy(lambda z, y: by_fancy_index(z.astype(np.float32), y))
    assert fb.status == "wrong value", str(fb)


def test_an_unlisted_mistake_gets_the_general_hint():
    def label_smoothed(logits, labels):
        log_probs = logits - _lse(logits)
        picked = log_probs[np.arange(len(labels)), labels]
        return -np.mean(0.9 * picked + 0.1 * log_probs.mean(axis=1))
    fb = check_my_cross_entropy(label_smoothed)
    assert fb.status == "wrong value" and "logsumexp" in fb.hint, str(fb)


# -- multiclass_hinge: right answers written other ways ----------------------
# Each is the hinge sum_{j != y} max(0, z_j - z_y + delta), written the way a
# learner might, independently of the module's reference.

def hinge_loops(logits, labels, delta=1.0):
    out = []
    for row, label in zip(logits.tolist(), labels.tolist()):
        out.append(sum(max(0.0, v - row[label] + delta)
                       for j, v in enumerate(row) if j != label))
    return np.array(out)


def hinge_mask(logits, labels, delta=1.0):
    wrong = np.ones(logits.shape, dtype=bool)
    wrong[np.arange(len(labels)), labels] = False                # j != y
    true = np.take_along_axis(logits, labels[:, None], axis=1)   # (N, 1)
    return np.where(wrong, np.maximum(logits - true + delta, 0), 0).sum(axis=1)


def hinge_subtract_delta(logits, labels, delta=1.0):
    # sum over every class, then remove the true class's max(0, delta) = delta
    true = logits[np.arange(len(labels)), labels][:, None]
    return np.clip(logits - true + delta, 0, None).sum(axis=1) - delta


def hinge_one_hot(logits, labels, delta=1.0):
    one_hot = np.eye(logits.shape[1])[labels]                    # (N, C)
    true = np.sum(one_hot * logits, axis=1, keepdims=True)
    return np.sum((1 - one_hot) * np.maximum(0, logits - true + delta), axis=1)


@pytest.mark.parametrize("func", [hinge_loops, hinge_mask, hinge_subtract_delta,
                                  hinge_one_hot])
def test_hinge_written_other_ways_passes(func):
    fb = check_multiclass_hinge(func)
    assert fb.status == "correct", str(fb)


def test_hinge_that_overwrites_its_inputs_passes():
    def clobbers(logits, labels, delta=1.0):
        value = hinge_mask(logits, labels, delta)
        logits[...] = 0.0
        return value
    assert check_multiclass_hinge(clobbers)


def test_hinge_values_of_cs231n_examples():
    """The cases the exercise names: 8 for (13, -7, 11) with delta 10, 1.58
    for (-2.85, 0.86, 0.28), 0 once the margin is met (exactly, for 10, 9, 9)."""
    z = np.array([[13.0, -7.0, 11.0]])
    assert hinge_loops(z, np.array([0]), delta=10.0)[0] == pytest.approx(8.0, abs=1e-12)
    z = np.array([[-2.85, 0.86, 0.28], [10.0, -2.0, 3.0], [10.0, 9.0, 9.0]])
    np.testing.assert_allclose(hinge_loops(z, np.array([2, 0, 0])), [1.58, 0.0, 0.0],
                               atol=1e-12)


# -- multiclass_hinge: the mistakes the brief names, written independently ---

def hinge_with_true_class(logits, labels, delta=1.0):
    true = logits[np.arange(len(labels)), labels][:, None]
    return np.maximum(0, logits - true + delta).sum(axis=1)      # j = y included


def hinge_without_max(logits, labels, delta=1.0):
    out = []
    for row, label in zip(logits.tolist(), labels.tolist()):
        out.append(sum(v - row[label] + delta for j, v in enumerate(row) if j != label))
    return np.array(out)


def hinge_wrong_sign(logits, labels, delta=1.0):
    out = []
    for row, label in zip(logits.tolist(), labels.tolist()):
        out.append(sum(max(0.0, row[label] - v + delta)
                       for j, v in enumerate(row) if j != label))
    return np.array(out)


@pytest.mark.parametrize("func, words", [
    (hinge_with_true_class, "delta too large"),
    (hinge_without_max, "Clip each margin at 0"),
    (hinge_wrong_sign, "Check the sign"),
    (lambda z, y, delta=1.0: hinge_mask(z, y), "margin delta that is passed in"),
    (lambda z, y, delta=1.0: hinge_mask(z, y, delta).sum(), "not their mean"),
    (lambda z, y, delta=1.0: hinge_mask(z, y, delta).mean(), "not their mean"),
])
def test_each_hinge_mistake_gets_its_hint(func, words):
    fb = check_multiclass_hinge(func)
    assert fb.status in ("wrong value", "wrong shape") and words in fb.hint, str(fb)


def test_hinge_tolerance_is_rtol_1e_9():
    assert check_multiclass_hinge(lambda z, y, delta=1.0: hinge_mask(z, y, delta)
                                  * (1 + 1e-10))
    fb = check_multiclass_hinge(lambda z, y, delta=1.0: hinge_mask(z, y, delta)
                                * (1 + 1e-8))
    assert fb.status == "wrong value", str(fb)
    # atol = 1e-12 on the rows whose loss is 0
    assert check_multiclass_hinge(lambda z, y, delta=1.0: hinge_mask(z, y, delta) + 5e-13)
    assert not check_multiclass_hinge(lambda z, y, delta=1.0: hinge_mask(z, y, delta) + 1e-11)
