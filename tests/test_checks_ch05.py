"""What the chapter 5 checks must judge right, beyond tests/test_exercises.py.

Right answers written other ways pass (one-hot, log-softmax, loops,
np.einsum, np.add.at); wrong answers written the way a learner would write
them, independently of the module's list, fail with the hint for their
instability or slip; the stated tolerances hold at their boundaries; a
wrong entry worked by hand does not print the answer.  The entry's exact
value is 0.3: row 0 has exponentials (3, 1, 1), so p = (3/5, 1/5, 1/5), and
class 0 is not its label, so dL/dZ[0, 0] = (3/5) / 2.
"""

import math

import numpy as np
import pytest

import helpers
from helpers.checks.ch05 import (DEBUG_LABELS, DEBUG_LOGITS, ENTRY_LABELS, ENTRY_LOGITS,
                                 buggy_grad, check_grad_logits, check_grad_weights,
                                 check_gradient_debug, check_gradient_entry)

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


def _mean_grad_shifted_by(shift):
    """The mean gradient (p - e_y) / N with the softmax shifted the wrong way."""
    probs = softmax_shifted_by(shift)

    def grad(logits, labels):
        return (probs(logits) - one_hot(labels, logits.shape[1])) / len(logits)
    return grad


@pytest.mark.parametrize("shift, words, where", SHIFTS)
def test_grad_logits_instability_gets_its_hint(shift, words, where):
    grad = _mean_grad_shifted_by(shift)
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


# -- debugging buggy_grad: the relative error and the fix -------------------

def chapter_buggy_grad():
    """The function `buggy_grad` exactly as chapter 5's cell defines it."""
    import jupytext
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "book/chapters/05-gradient.md"
    cells = jupytext.read(path).cells
    source = next(c.source for c in cells
                  if c.cell_type == "code" and c.source.startswith("def buggy_grad("))
    namespace = {"np": np, "helpers": helpers}
    exec(source, namespace)
    return namespace["buggy_grad"]


def test_the_chapters_buggy_grad_is_the_checks():
    rng = np.random.default_rng(11)
    for shape in [(4, 3), (2, 5), (3, 3)]:
        z = rng.normal(size=shape)
        y = rng.integers(0, shape[1], size=shape[0])
        np.testing.assert_array_equal(chapter_buggy_grad()(z, y), buggy_grad(z, y))


def own_central_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


def mean_loss(z, y):
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def test_buggy_error_computed_another_way_passes():
    z, y = np.array(DEBUG_LOGITS), np.array(DEBUG_LABELS)
    numeric = own_central_difference(lambda v: mean_loss(v, y), z)
    wrong = buggy_grad(z, y)
    diff = np.sqrt(np.sum((wrong - numeric) ** 2))
    scale = max(np.sqrt(np.sum(wrong ** 2)), np.sqrt(np.sum(numeric ** 2)))
    answer = diff / scale
    assert check_gradient_debug(answer, by_one_hot), str(check_gradient_debug(answer, by_one_hot))
    # the exact value, 1 - C / N, rounded to two digits as the exercise asks
    assert check_gradient_debug(0.25, by_one_hot)


@pytest.mark.parametrize("answer", [0.3, 0.2, 0.5, 0.24])
def test_a_wrong_buggy_error_does_not_show_it(answer):
    fb = check_gradient_debug(answer, by_one_hot)
    assert fb.status == "wrong value" and fb.hint, str(fb)
    assert "0.25" not in fb.message, str(fb)


def test_buggy_error_slips_written_by_a_learner_get_their_hints():
    z, y = np.array(DEBUG_LOGITS), np.array(DEBUG_LABELS)
    numeric = helpers.numerical_gradient(lambda v: helpers.cross_entropy(v, y), z)
    wrong = buggy_grad(z, y)
    by_numeric_norm = np.linalg.norm(wrong - numeric) / np.linalg.norm(numeric)
    summed = helpers.numerical_gradient(
        lambda v: helpers.cross_entropy(v, y, reduction="sum"), z)
    vs_summed = np.linalg.norm(wrong - summed) / max(np.linalg.norm(wrong),
                                                     np.linalg.norm(summed))
    for answer, words in [(by_numeric_norm, "larger of the two norms"),
                          (vs_summed, "summed loss"),
                          (np.abs(wrong - numeric).max(), "largest absolute difference"),
                          (1e-10, "correct gradient"), (25, "percentage")]:
        fb = check_gradient_debug(answer, by_one_hot)
        assert fb.status == "wrong value" and words in fb.hint, (answer, str(fb))


def fixed_by_loop(logits, labels):
    rows = []
    for row, label in zip(logits, labels):
        g = helpers.softmax(row)
        g[label] -= 1
        rows.append(g)
    return np.array(rows) / len(rows)


@pytest.mark.parametrize("func", [by_fancy_index, by_one_hot, by_log_softmax,
                                  by_python_loop, fixed_by_loop])
def test_fixed_grad_written_other_ways_passes(func):
    fb = check_gradient_debug(0.25, func)
    assert fb.status == "correct", str(fb)


@pytest.mark.parametrize("divide_by, words", [
    (lambda z: z.shape[1], "ratio is the same everywhere"),    # the bug itself
    (lambda z: len(z[0]), "ratio is the same everywhere"),     # the same bug, other spelling
    (lambda z: 1, "N times too large"),
    (lambda z: z.size, "N * C"),
])
def test_fixed_grad_scale_bugs_get_their_hints(divide_by, words):
    def grad(logits, labels):
        return (helpers.softmax(logits) - one_hot(labels, logits.shape[1])) / divide_by(logits)
    fb = check_gradient_debug(0.25, grad)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert "N and C differ" in fb.message or "N = 2" in fb.message, str(fb)


@pytest.mark.parametrize("shift, words, where", SHIFTS)
def test_fixed_grad_instability_gets_its_hint(shift, words, where):
    grad = _mean_grad_shifted_by(shift)
    with np.errstate(all="ignore"):
        fb = check_gradient_debug(0.25, grad)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert where in fb.message, str(fb)


def test_fixed_grad_tolerance_is_rtol_1e_6():
    assert check_gradient_debug(0.25, lambda z, y: by_one_hot(z, y) * (1 + 1e-7))
    fb = check_gradient_debug(0.25, lambda z, y: by_one_hot(z, y) * (1 + 1e-5))
    assert fb.status == "wrong value", str(fb)


# -- the hints speak the book's notation ------------------------------------

def test_hints_use_the_books_symbols():
    """Every hint writes the probabilities p and the one-hot e_y, never the
    s and y_j of other texts (notation page: 'never s')."""
    import re

    from helpers.checks.ch05 import EXERCISES
    hints = [m.hint for exercises in EXERCISES.values() for ex in exercises
             for m in ex.mistakes]
    hints += [ex.value_hint for exercises in EXERCISES.values() for ex in exercises]
    for hint in hints:
        assert not re.search(r"\bs_[0-9ijk]\b|\(s - |\by_j\b", hint), hint
