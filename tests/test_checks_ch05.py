"""What the chapter 5 checks must judge right, beyond tests/test_exercises.py.

Right answers written other ways pass (one-hot, log-softmax, loops,
np.einsum, np.add.at); wrong answers written the way a learner would write
them, independently of the module's list, fail with the hint for their
instability or slip; the stated tolerances hold at their boundaries; a
wrong entry worked by hand does not print the answer.  The entry's exact
value is 0.3: row 0 has exponentials (3, 1, 1), so s = (3/5, 1/5, 1/5), and
class 0 is not its label, so dL/dZ[0, 0] = (3/5) / 2.
"""

import math

import numpy as np
import pytest

import helpers
from helpers.checks.ch05 import (ENTRY_LABELS, ENTRY_LOGITS, check_grad_logits,
                                 check_grad_weights, check_gradient_entry)

CLOSE = "Close: right to two significant digits. Give more digits."


def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


# -- the entry by hand: three significant digits ---------------------------

@pytest.mark.parametrize("answer", [
    0.3, 3 / 10, (3 / 5 - 0) / 2, np.float32(0.3), 0.3004, 0.2996,
    helpers.cross_entropy_grad(np.array(ENTRY_LOGITS), np.array(ENTRY_LABELS))[0, 0],
])
def test_entry_written_other_ways_passes(answer):
    assert check_gradient_entry(answer), str(check_gradient_entry(answer))


def test_entry_to_two_digits_is_close():
    for answer in (0.301, 0.298):                    # off in the third digit
        fb = check_gradient_entry(answer)
        assert fb.status == "wrong value" and fb.hint == CLOSE, str(fb)


@pytest.mark.parametrize("answer", [0.5, 0.2, 1.0, 0.35])
def test_a_wrong_entry_does_not_show_the_answer(answer):
    fb = check_gradient_entry(answer)
    assert fb.status == "wrong value" and fb.hint
    assert "0.3" not in fb.message.replace(f"{answer:g}", ""), str(fb)


def test_whole_matrix_is_wrong_shape():
    grad = helpers.cross_entropy_grad(np.array(ENTRY_LOGITS), np.array(ENTRY_LABELS))
    fb = check_gradient_entry(grad)
    assert fb.status == "wrong shape" and "one number" in fb.hint


# -- grad_logits ------------------------------------------------------------

def by_fancy_index(logits, labels):
    grad = helpers.softmax(logits)                   # (N, C)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)


def by_one_hot(logits, labels):
    return (helpers.softmax(logits) - one_hot(labels, logits.shape[1])) / logits.shape[0]


def by_log_softmax(logits, labels):
    return (np.exp(helpers.log_softmax(logits)) - one_hot(labels, logits.shape[1])) / len(logits)


def by_python_loop(logits, labels):
    rows = []
    for row, label in zip(logits.tolist(), labels.tolist()):
        m = max(row)
        weights = [math.exp(v - m) for v in row]
        total = sum(weights)
        rows.append([w / total - (c == label) for c, w in enumerate(weights)])
    return np.array(rows) / len(rows)


def by_put_along_axis(logits, labels):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = e / e.sum(axis=1, keepdims=True)
    picked = np.take_along_axis(grad, labels[:, None], axis=1)
    np.put_along_axis(grad, labels[:, None], picked - 1, axis=1)
    return grad / len(labels)


def in_place(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)      # the check hands over copies
    return by_fancy_index(logits, labels)


@pytest.mark.parametrize("func", [by_fancy_index, by_one_hot, by_log_softmax,
                                  by_python_loop, by_put_along_axis, in_place])
def test_grad_logits_written_other_ways_passes(func):
    fb = check_grad_logits(func)
    assert fb.status == "correct", str(fb)


def softmax_shifted_by(shift):
    """A learner's softmax that subtracts `shift(z)` from each row."""
    def probs(z):
        e = np.exp(z - shift(z))
        return e / e.sum(axis=1, keepdims=True)
    return probs


SHIFTS = [
    (lambda z: z.min(axis=1, keepdims=True), "row minimum", "spread of 1000"),
    (lambda z: z.mean(axis=1, keepdims=True), "row mean", "[800, 0, -800]"),
    (lambda z: 0.0, "overflow", "+1000"),
    (lambda z: z.max(), "whole batch", "batch maximum"),
]


@pytest.mark.parametrize("shift, words, where", SHIFTS)
def test_grad_logits_instability_gets_its_hint(shift, words, where):
    probs = softmax_shifted_by(shift)

    def grad(logits, labels):
        return (probs(logits) - one_hot(labels, logits.shape[1])) / len(logits)
    with np.errstate(all="ignore"):
        fb = check_grad_logits(grad)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert where in fb.message, str(fb)


def test_grad_logits_tolerance_is_rtol_1e_6():
    assert check_grad_logits(lambda z, y: by_one_hot(z, y) * (1 + 1e-7))
    fb = check_grad_logits(lambda z, y: by_one_hot(z, y) * (1 + 1e-5))
    assert fb.status == "wrong value", str(fb)


def test_grad_logits_per_example_losses_are_wrong_shape():
    def losses(logits, labels):
        return -helpers.log_softmax(logits)[np.arange(len(labels)), labels]
    fb = check_grad_logits(losses)
    assert fb.status == "wrong shape" and "(N, C)" in fb.hint, str(fb)


# -- grad_weights -----------------------------------------------------------

def weights_by_matmul(X, W, b, labels):
    dZ = by_fancy_index(X @ W + b, labels)           # (N, C)
    return X.T @ dZ, dZ.sum(axis=0)


def weights_by_einsum(X, W, b, labels):
    dZ = by_one_hot(np.einsum("nd,dc->nc", X, W) + b, labels)
    return np.einsum("nd,nc->dc", X, dZ), np.einsum("nc->c", dZ)


def weights_by_loop(X, W, b, labels):
    dW, db = np.zeros_like(W), np.zeros_like(b)
    for x, label in zip(X, labels):
        g = helpers.softmax(x @ W + b)
        g[label] -= 1
        dW += np.outer(x, g)
        db += g
    return dW / len(X), db / len(X)


def weights_by_add_at(X, W, b, labels):
    probs = helpers.softmax(X @ W + b)
    dZ = probs.copy()
    np.add.at(dZ, (np.arange(len(labels)), labels), -1.0)
    return [X.T @ dZ / len(X), dZ.mean(axis=0) * 1.0]


@pytest.mark.parametrize("func", [weights_by_matmul, weights_by_einsum, weights_by_loop,
                                  weights_by_add_at])
def test_grad_weights_written_other_ways_passes(func):
    fb = check_grad_weights(func)
    assert fb.status == "correct", str(fb)


@pytest.mark.parametrize("shift, words, where", SHIFTS)
def test_grad_weights_instability_gets_its_hint(shift, words, where):
    probs = softmax_shifted_by(shift)

    def grads(X, W, b, labels):
        dZ = (probs(X @ W + b) - one_hot(labels, W.shape[1])) / len(X)
        return X.T @ dZ, dZ.sum(axis=0)
    with np.errstate(all="ignore"):
        fb = check_grad_weights(grads)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert where in fb.message, str(fb)


@pytest.mark.parametrize("slip, status, words", [
    (lambda X, dZ: (dZ.T @ X, dZ.sum(axis=0)), "wrong shape", "transposed"),
    (lambda X, dZ: (X.T @ dZ, dZ.sum(axis=1)), "wrong shape", "summed over the classes"),
    (lambda X, dZ: (X.T @ dZ, dZ.sum(axis=0)[None]), "wrong shape", "keepdims"),
    (lambda X, dZ: (X.T @ dZ, dZ.sum(axis=0) / len(X)), "wrong value", "plain sum"),
    (lambda X, dZ: (X.T @ dZ * len(X), dZ.sum(axis=0)), "wrong value", "dW is N times"),
])
def test_grad_weights_slips_get_their_hints(slip, status, words):
    def grads(X, W, b, labels):
        return slip(X, by_one_hot(X @ W + b, labels))
    fb = check_grad_weights(grads)
    assert fb.status == status and words in fb.hint, str(fb)


def test_grad_weights_without_the_bias_in_the_logits():
    def no_bias(X, W, b, labels):
        dZ = by_one_hot(X @ W, labels)
        return X.T @ dZ, dZ.sum(axis=0)
    fb = check_grad_weights(no_bias)
    assert fb.status == "wrong value" and "X @ W + b" in fb.hint, str(fb)


def test_grad_weights_tolerance_is_rtol_1e_6():
    def scaled(factor):
        return lambda *args: tuple(g * factor for g in weights_by_matmul(*args))
    assert check_grad_weights(scaled(1 + 1e-7))
    assert check_grad_weights(scaled(1 + 1e-5)).status == "wrong value"


def test_grad_weights_one_array_is_wrong_type():
    fb = check_grad_weights(lambda *args: weights_by_matmul(*args)[0])
    assert fb.status == "wrong type" and "return dW, db" in fb.hint
