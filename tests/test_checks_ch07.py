"""Tests for the checks of the chapter on softmax regression (helpers.checks.ch07).

tests/test_exercises.py already checks every exercise's reference, its
placeholder and that each listed mistake gets its own hint.  Here: right
answers written other ways, wrong ones written as a learner would write
them (independently of the module's own list), the instabilities the test
inputs must expose, the stated tolerance, and the in-place update that only
the public check catches.
"""

import numpy as np
import pytest
from scipy import special

import helpers
from helpers.checks.ch07 import (INITIAL_LOSS_CLASSES, check_initial_loss,
                                 check_loss_and_grad_folded, check_sgd_epoch,
                                 check_train_gd)
from helpers.training import loss_and_grad

CLOSE = "Close: right to two significant digits. Give more digits."


def row_shift(z, shift):
    return {"max": z.max(axis=-1, keepdims=True), "min": z.min(axis=-1, keepdims=True),
            "mean": z.mean(axis=-1, keepdims=True), "none": 0.0}[shift]


def learner_log_softmax(z, shift):
    """A learner's own log-softmax, z - s - log(sum(exp(z - s))), s set by `shift`."""
    s = row_shift(z, shift)
    with np.errstate(all="ignore"):
        return z - s - np.log(np.sum(np.exp(z - s), axis=-1, keepdims=True))


def learner_softmax(z, shift):
    """A learner's own softmax, e / sum(e) with e = exp(z - s)."""
    with np.errstate(all="ignore"):
        e = np.exp(z - row_shift(z, shift))
        return e / e.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------
# The loss before training
# --------------------------------------------------------------------------

class TestInitialLoss:
    @pytest.mark.parametrize("answer", [2.30, 2.303, 2.3026, np.log(10),
                                        np.log(INITIAL_LOSS_CLASSES)])
    def test_three_significant_digits_pass(self, answer):
        assert check_initial_loss(answer), answer

    def test_helpers_cross_entropy_of_equal_logits_passes(self):
        logits = np.zeros((5, INITIAL_LOSS_CLASSES))
        assert check_initial_loss(helpers.cross_entropy(logits, np.arange(5)))

    @pytest.mark.parametrize("answer", [2.31, 2.29])
    def test_two_digits_are_close(self, answer):
        fb = check_initial_loss(answer)
        assert fb.status == "wrong value" and fb.hint == CLOSE

    def test_wrong_value_is_not_revealed(self):
        fb = check_initial_loss(5.0)
        assert "2.30" not in fb.message and "expected" not in fb.message


# --------------------------------------------------------------------------
# Folding the bias into the weights
# --------------------------------------------------------------------------

def folded_split(W_aug, X, labels, reg):
    """Split W_aug into W and b and use the chapter's formulas."""
    W, b = W_aug[:-1], W_aug[-1]
    logits = X @ W + b
    dZ = helpers.cross_entropy_grad(logits, labels)
    loss = helpers.cross_entropy(logits, labels) + reg / 2 * np.sum(W ** 2)
    return loss, np.vstack([X.T @ dZ + reg * W, dZ.sum(axis=0)])


def folded_loops(W_aug, X, labels, reg):
    """One example at a time, with a max-shifted log-softmax per row."""
    N = len(X)
    loss, grad = 0.0, np.zeros_like(W_aug)
    for n in range(N):
        x_aug = np.append(X[n], 1.0)
        z = x_aug @ W_aug
        log_p = z - z.max() - np.log(np.sum(np.exp(z - z.max())))
        loss -= log_p[labels[n]] / N
        p = np.exp(log_p)
        p[labels[n]] -= 1.0
        grad += np.outer(x_aug, p) / N
    W = W_aug.copy()
    W[-1] = 0.0
    return loss + 0.5 * reg * np.einsum("dc,dc->", W, W), grad + reg * W


def folded_scipy(W_aug, X, labels, reg):
    """scipy.special's log_softmax and softmax, and a penalty mask."""
    X_aug = np.concatenate([X, np.ones((len(X), 1))], axis=1)
    logits = X_aug @ W_aug
    mask = np.ones((len(W_aug), 1))
    mask[-1] = 0.0
    loss = -np.take_along_axis(special.log_softmax(logits, axis=1),
                               labels[:, None], axis=1).mean()
    dZ = special.softmax(logits, axis=1) - np.eye(W_aug.shape[1])[labels]
    return (loss + reg / 2 * np.sum((mask * W_aug) ** 2),
            np.einsum("nd,nc->dc", X_aug, dZ) / len(X) + reg * mask * W_aug)


def folded_with(log_probs):
    """The learner's loss from `log_probs(logits)`, the gradient from helpers."""
    def func(W_aug, X, labels, reg):
        X_aug = np.hstack([X, np.ones((len(X), 1))])
        logits = X_aug @ W_aug
        W = W_aug.copy()
        W[-1] = 0.0
        with np.errstate(all="ignore"):
            loss = -np.mean(log_probs(logits)[np.arange(len(X)), labels])
        grad = X_aug.T @ helpers.cross_entropy_grad(logits, labels)
        return loss + reg / 2 * np.sum(W * W), grad + reg * W
    return func


def folded_own(shift):
    return folded_with(lambda z: learner_log_softmax(z, shift))


class TestLossAndGradFolded:
    @pytest.mark.parametrize("func", [folded_split, folded_loops, folded_scipy,
                                      lambda *a: list(folded_split(*a))],
                             ids=["split", "loops", "scipy", "list"])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_loss_and_grad_folded(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("shift, words", [
        ("none", "Logits near 750 overflow"),
        ("min", "Subtracting the row minimum"),
        ("mean", "Subtracting the row mean"),
    ])
    def test_each_wrong_shift_fails_with_its_own_hint(self, shift, words):
        # Only the loss uses the learner's log-softmax; the gradient is right.
        fb = check_loss_and_grad_folded(folded_own(shift))
        assert fb.status == "wrong value" and fb.hint.startswith(words), str(fb)

    def test_log_of_softmax_fails_on_an_underflowing_true_class(self):
        fb = check_loss_and_grad_folded(
            folded_with(lambda z: np.log(helpers.softmax(z))))
        assert fb.status == "wrong value" and "805" in fb.message + fb.hint, str(fb)
        assert "underflows" in fb.hint

    def test_max_shift_of_the_learner_passes(self):
        assert check_loss_and_grad_folded(folded_own("max"))

    def test_failing_case_says_what_it_exposes(self):
        fb = check_loss_and_grad_folded(folded_own("mean"))
        assert "(800, 0, -800)" in fb.message


# --------------------------------------------------------------------------
# One epoch of mini-batch SGD
# --------------------------------------------------------------------------

def sgd_chapter(W, b, X, labels, order, batch_size, lr, reg):
    """The worked solution: the chapter's loss_and_grad on each batch."""
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        _, dW, db = loss_and_grad(W, b, X[batch], labels[batch], reg)
        W, b = W - lr * dW, b - lr * db
    return W, b


def sgd_while_on_copies(W, b, X, labels, order, *, batch_size, lr, reg):
    """Keyword-only options, a while loop, and in-place steps on private copies."""
    W, b = W.copy(), b.copy()
    start = 0
    while start < len(order):
        batch = order[start:start + batch_size]
        dZ = helpers.cross_entropy_grad(X[batch] @ W + b, labels[batch])
        W -= lr * (X[batch].T @ dZ + reg * W)
        b -= lr * dZ.sum(axis=0)
        start += batch_size
    return W, b


def sgd_split(W, b, X, labels, order, batch_size, lr, reg):
    """np.split at the multiples of batch_size gives the same batches."""
    for batch in np.split(order, np.arange(batch_size, len(order), batch_size)):
        probs = special.softmax(X[batch] @ W + b, axis=1)
        dZ = (probs - np.eye(W.shape[1])[labels[batch]]) / len(batch)
        W, b = W - lr * (np.einsum("bd,bc->dc", X[batch], dZ) + reg * W), b - lr * dZ.sum(0)
    return W, b


def sgd_with_softmax(shift):
    """A learner's epoch whose softmax subtracts `shift` ("none", "min", "mean")."""
    def func(W, b, X, labels, order, batch_size, lr, reg):
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            probs = learner_softmax(X[batch] @ W + b, shift)
            probs[np.arange(len(batch)), labels[batch]] -= 1
            dZ = probs / len(batch)
            W = W - lr * (X[batch].T @ dZ + reg * W)
            b = b - lr * dZ.sum(axis=0)
        return W, b
    return func


class TestSgdEpoch:
    @pytest.mark.parametrize("func", [sgd_chapter, sgd_while_on_copies, sgd_split],
                             ids=["chapter", "while-copies", "split"])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_sgd_epoch(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("shift, words", [
        ("none", "Logits near 750 overflow"),
        ("min", "Subtracting the row minimum"),
        ("mean", "Subtracting the row mean"),
    ])
    def test_each_wrong_shift_fails_with_its_own_hint(self, shift, words):
        fb = check_sgd_epoch(sgd_with_softmax(shift))
        assert fb.status == "wrong value" and fb.hint.startswith(words), str(fb)

    @pytest.mark.parametrize("shift", ["none", "min", "mean"])
    def test_exp_of_a_wrong_log_softmax_fails_too(self, shift):
        # exp(-inf) = 0 gives other wrong numbers than inf / inf = nan: no
        # listed mistake, but still rejected.
        def func(W, b, X, labels, order, batch_size, lr, reg):
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                with np.errstate(all="ignore"):
                    dZ = np.exp(learner_log_softmax(X[batch] @ W + b, shift))
                dZ[np.arange(len(batch)), labels[batch]] -= 1
                dZ /= len(batch)
                W, b = W - lr * (X[batch].T @ dZ + reg * W), b - lr * dZ.sum(axis=0)
            return W, b
        assert check_sgd_epoch(func).status == "wrong value"

    def test_in_place_update_of_the_callers_weights_is_caught(self):
        def in_place(W, b, X, labels, order, batch_size, lr, reg):
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                _, dW, db = loss_and_grad(W, b, X[batch], labels[batch], reg)
                W -= lr * dW
                b -= lr * db
            return W, b
        fb = check_sgd_epoch(in_place)
        assert fb.status == "wrong value"
        assert "changed the array `W`" in fb.message and "W -= lr * dW" in fb.hint

    def test_sorting_order_in_place_is_caught(self):
        def sorts(W, b, X, labels, order, batch_size, lr, reg):
            result = sgd_chapter(W, b, X, labels, order, batch_size, lr, reg)
            order.sort()
            return result
        fb = check_sgd_epoch(sorts)
        assert fb.status == "wrong value" and "`order`" in fb.message

    def test_options_are_passed_by_name(self):
        def renamed(W, b, X, labels, order, B, eta, lam):
            return sgd_chapter(W, b, X, labels, order, B, eta, lam)
        fb = check_sgd_epoch(renamed)
        assert fb.status == "wrong value" and "batch_size" in fb.message


# -- train_gd ------------------------------------------------------------------

def learner_folded(W_aug, X, labels, reg):
    """A right loss_and_grad_folded written through the chapter's unfolded helper."""
    loss, dW, db = loss_and_grad(W_aug[:-1], W_aug[-1], X, labels, reg)
    return loss, np.vstack([dW, db])


def test_train_gd_right_answers_written_other_ways():
    def with_while(W_aug, X, labels, lr, reg, steps):
        losses, k = [], 0
        while k < steps:
            loss, dW_aug = learner_folded(W_aug, X, labels, reg)
            losses.append(loss)
            W_aug = W_aug - lr * dW_aug
            k += 1
        return W_aug, losses                      # a list is fine

    def with_copy(W_aug, X, labels, lr, reg, steps):
        W_aug = W_aug.copy()                      # a private copy may be updated in place
        losses = np.empty(steps)
        for k in range(steps):
            losses[k], dW_aug = learner_folded(W_aug, X, labels, reg)
            W_aug -= lr * dW_aug
        return W_aug, losses

    for answer in (with_while, with_copy):
        assert check_train_gd(answer).status == "correct", answer.__name__


def test_train_gd_in_place_update_is_caught():
    def in_place(W_aug, X, labels, lr, reg, steps):
        losses = []
        for _ in range(steps):
            loss, dW_aug = learner_folded(W_aug, X, labels, reg)
            losses.append(loss)
            W_aug -= lr * dW_aug
        return W_aug, losses

    fb = check_train_gd(in_place)
    assert fb.status == "wrong value"
    assert "changed the array `W_aug`" in fb.message and "W_aug - lr * dW_aug" in fb.hint


def _learner_train(folded, *, record_after=False):
    def train_gd(W_aug, X, labels, lr, reg, steps):
        losses = []
        for _ in range(steps):
            loss, dW_aug = folded(W_aug, X, labels, reg)
            W_aug = W_aug - lr * dW_aug
            losses.append(folded(W_aug, X, labels, reg)[0] if record_after else loss)
        return W_aug, losses
    return train_gd


def test_train_gd_mistakes_written_by_a_learner():
    def no_reg_grad(W_aug, X, labels, reg):
        loss, dW_aug = learner_folded(W_aug, X, labels, reg)
        dW_aug[:-1] -= reg * W_aug[:-1]
        return loss, dW_aug

    def summed(W_aug, X, labels, reg):
        loss, dW_aug = learner_folded(W_aug, X, labels, 0.0)
        W = W_aug[:-1]
        return (len(X) * loss + 0.5 * reg * np.sum(W * W),
                len(X) * dW_aug + reg * np.vstack([W, np.zeros((1, W.shape[1]))]))

    def bias_penalised(W_aug, X, labels, reg):
        loss, dW_aug = learner_folded(W_aug, X, labels, 0.0)
        return loss + 0.5 * reg * np.sum(W_aug ** 2), dW_aug + reg * W_aug

    cases = [(_learner_train(no_reg_grad), "reg * W"),
             (_learner_train(summed), "divide the loss and its gradient by N"),
             (_learner_train(bias_penalised), "bias row is regularised"),
             (_learner_train(learner_folded, record_after=True), "loss before step k")]
    for wrong, words in cases:
        fb = check_train_gd(wrong)
        assert fb.status == "wrong value" and words in fb.hint, (words, str(fb))


def test_train_gd_one_step_too_many_is_caught():
    """An extra step moves W_aug, the first result compared."""
    def extra(W_aug, X, labels, lr, reg, steps):
        return _learner_train(learner_folded)(W_aug, X, labels, lr, reg, steps + 1)
    fb = check_train_gd(extra)
    assert fb.status == "wrong value" and "W_aug from train_gd" in fb.message


def test_train_gd_tolerance_is_the_stated_one():
    """rtol = 1e-7: a relative change of 1e-9 in W_aug passes, 1e-5 fails."""
    def scaled(factor):
        def train_gd(*args):
            W_aug, losses = _learner_train(learner_folded)(*args)
            return W_aug * factor, losses
        return train_gd
    assert check_train_gd(scaled(1 + 1e-9)).status == "correct"
    assert check_train_gd(scaled(1 + 1e-5)).status == "wrong value"
