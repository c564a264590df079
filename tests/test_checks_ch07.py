"""Tests for the exercise checks of the chapter on softmax regression.

Each check must accept the reference answer, tell "not attempted", "wrong
type" and "wrong shape" apart, and reject the typical wrong answers, with
the specific hint where the check has one.  The wrong answers are written
here the way a learner would write them, independently of the check
module's own list of mistakes.
"""

import numpy as np
import pytest

import helpers
from helpers.training import loss_and_grad
from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch07 import (
    INITIAL_LOSS_CLASSES,
    check_initial_loss,
    check_loss_and_grad_folded,
    check_sgd_epoch,
)


def todo(*args):
    raise NotImplementedError


def naive_log_softmax(logits):
    """The textbook formula without the max shift; overflows near 1000."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return np.log(weights / weights.sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------
# The loss before training
# --------------------------------------------------------------------------

class TestCheckInitialLoss:
    exact = np.log(10)    # -log(1/C) with C = 10, in nats

    def test_exercise_data(self):
        assert INITIAL_LOSS_CLASSES == 10

    def test_reference_passes(self):
        assert check_initial_loss(self.exact)

    def test_from_helpers_passes(self):
        assert check_initial_loss(helpers.cross_entropy(np.zeros(10), 3))

    def test_tolerance(self):
        # atol=1e-3: three decimals pass, an error of 2e-3 does not.
        assert check_initial_loss(2.3026)
        assert check_initial_loss(2.305).status == "wrong value"

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_initial_loss(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["2.3", np.log, {"loss": 2.3}])
    def test_wrong_type(self, answer):
        assert check_initial_loss(answer).status == "wrong type"

    def test_per_class_array_is_wrong_shape(self):
        fb = check_initial_loss(np.full(10, np.log(10)))
        assert fb.status == "wrong shape" and "one number" in fb.hint

    def _hint(self, value):
        fb = check_initial_loss(value)
        assert fb.status == "wrong value"
        return fb.hint

    def test_log10(self):
        assert "natural logarithm" in self._hint(np.log10(10))

    def test_log2(self):
        assert "bits" in self._hint(np.log2(10))

    def test_probability_instead_of_loss(self):
        assert "probability of each class" in self._hint(0.1)

    def test_three_classes(self):
        assert "C = 10" in self._hint(np.log(3))

    def test_sign_error(self):
        assert "sign is flipped" in self._hint(np.log(0.1))

    def test_error_rate(self):
        assert "error rate" in self._hint(0.9)

    def test_other_value_gets_general_hint(self):
        assert "1/C" in self._hint(5.0)


# --------------------------------------------------------------------------
# Folding the bias into the weights
# --------------------------------------------------------------------------

def folded_reference(W_aug, X, labels, reg):
    N = len(X)
    X_aug = np.hstack([X, np.ones((N, 1))])                   # (N, D + 1)
    logits = X_aug @ W_aug                                    # (N, C)
    log_probs = helpers.log_softmax(logits)
    loss = -np.mean(log_probs[np.arange(N), labels])
    W = W_aug[:-1]                                            # (D, C)
    dZ = helpers.softmax(logits)
    dZ[np.arange(N), labels] -= 1
    dZ /= N
    penalty_grad = np.vstack([reg * W, np.zeros((1, W_aug.shape[1]))])
    return loss + 0.5 * reg * np.sum(W ** 2), X_aug.T @ dZ + penalty_grad


def folded_variant(*, loss_reg=0.5, grad_reg=1.0, bias_reg=False, mean=True,
                   grad_mean=True, grad_sign=1, naive=False, ones_first=False,
                   penalty_over_n=False, log10=False):
    """A learner's loss_and_grad_folded with the chosen mistakes."""
    def func(W_aug, X, labels, reg):
        N = len(X)
        ones = np.ones((N, 1))
        X_aug = np.hstack([ones, X] if ones_first else [X, ones])
        logits = X_aug @ W_aug
        log_probs = naive_log_softmax(logits) if naive else helpers.log_softmax(logits)
        picked = log_probs[np.arange(N), labels]
        data = -np.mean(picked) if mean else -np.sum(picked)
        if log10:
            data = data / np.log(10)
        probs = np.exp(log_probs)
        probs[np.arange(N), labels] -= 1
        dZ = probs / N if grad_mean else probs
        if log10:
            dZ = dZ / np.log(10)
        W = W_aug.copy()
        if not bias_reg:
            W[0 if ones_first else -1] = 0
        scale = 1 / N if penalty_over_n else 1
        loss = data + loss_reg * reg * np.sum(W ** 2) * scale
        return loss, grad_sign * (X_aug.T @ dZ) + grad_reg * reg * W * scale
    return func


class TestCheckLossAndGradFolded:
    def test_reference_passes(self):
        assert check_loss_and_grad_folded(folded_reference)

    def test_variant_without_mistakes_passes(self):
        assert check_loss_and_grad_folded(folded_variant())

    def test_list_return_passes(self):
        assert check_loss_and_grad_folded(lambda *a: list(folded_reference(*a)))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, todo])
    def test_not_attempted(self, answer):
        assert check_loss_and_grad_folded(answer).status == "not attempted"

    def test_value_instead_of_function(self):
        assert check_loss_and_grad_folded(1.0).status == "wrong type"

    def test_single_value_is_wrong_type(self):
        fb = check_loss_and_grad_folded(lambda *a: folded_reference(*a)[0])
        assert fb.status == "wrong type" and "return loss, dW_aug" in fb.hint

    def test_three_values_is_wrong_type(self):
        fb = check_loss_and_grad_folded(lambda *a: (*folded_reference(*a), 0))
        assert fb.status == "wrong type"

    def test_string_loss_is_wrong_type(self):
        fb = check_loss_and_grad_folded(lambda *a: ("1.0", folded_reference(*a)[1]))
        assert fb.status == "wrong type"

    def test_transposed_gradient_is_wrong_shape(self):
        fb = check_loss_and_grad_folded(
            lambda *a: (folded_reference(*a)[0], folded_reference(*a)[1].T))
        assert fb.status == "wrong shape" and "transposed" in fb.hint

    def test_missing_bias_row_is_wrong_shape(self):
        fb = check_loss_and_grad_folded(
            lambda *a: (folded_reference(*a)[0], folded_reference(*a)[1][:-1]))
        assert fb.status == "wrong shape" and "bias row" in fb.hint

    def test_per_example_loss_is_wrong_shape(self):
        def per_example(W_aug, X, labels, reg):
            loss, grad = folded_reference(W_aug, X, labels, reg)
            return np.full(len(X), loss), grad
        fb = check_loss_and_grad_folded(per_example)
        assert fb.status == "wrong shape" and "one number" in fb.hint

    def test_raising_code_is_reported(self):
        def broken(W_aug, X, labels, reg):
            return X @ W_aug, None          # (N, D) @ (D + 1, C): shape error
        fb = check_loss_and_grad_folded(broken)
        assert fb.status == "wrong value" and "ValueError" in fb.message

    @pytest.mark.parametrize("options, words", [
        ({"bias_reg": True}, "bias row is penalised"),
        ({"loss_reg": 0, "grad_reg": 0}, "missing from both"),
        ({"loss_reg": 0}, "loss has no penalty"),
        ({"grad_reg": 0}, "gradient has no penalty"),
        ({"loss_reg": 1.0, "grad_reg": 2.0}, "other convention"),
        ({"grad_reg": 2.0}, "not 2 * reg * W"),
        ({"loss_reg": 1.0}, "with the factor 1/2"),
        ({"grad_reg": -1.0}, "penalty's gradient has the wrong sign"),
        ({"grad_sign": -1}, "data gradient has the wrong sign"),
        ({"grad_mean": False}, "N times too large"),
        ({"mean": False, "grad_mean": False}, "summed over the examples"),
        ({"ones_first": True}, "last column of X_aug"),
        ({"penalty_over_n": True}, "do not divide it by N"),
        ({"log10": True}, "natural logarithm"),
        ({"naive": True}, "overflow"),
    ])
    def test_mistake_rejected_with_hint(self, options, words):
        fb = check_loss_and_grad_folded(folded_variant(**options))
        assert fb.status == "wrong value"
        assert words in fb.hint

    def test_partial_mistake_gets_component_hint(self):
        # Bias penalised in the gradient only: the loss is right, and the
        # gradient matches the "penalised bias" mistake.
        def grad_only(W_aug, X, labels, reg):
            loss, grad = folded_reference(W_aug, X, labels, reg)
            grad = grad.copy()
            grad[-1] += reg * W_aug[-1]
            return loss, grad
        fb = check_loss_and_grad_folded(grad_only)
        assert fb.status == "wrong value" and "bias row is penalised" in fb.hint

    def test_bias_zeroed_in_place(self):
        def zeroes_bias(W_aug, X, labels, reg):
            W_aug[-1] = 0                   # meant for the penalty only
            return folded_reference(W_aug, X, labels, reg)
        fb = check_loss_and_grad_folded(zeroes_bias)
        assert fb.status == "wrong value" and "W_aug.copy()" in fb.hint

    def test_arguments_are_copies(self):
        seen = []

        def mutating(W_aug, X, labels, reg):
            out = folded_reference(W_aug, X, labels, reg)
            seen.append(W_aug.copy())
            W_aug[:] = 0
            return out
        assert check_loss_and_grad_folded(mutating)
        assert check_loss_and_grad_folded(folded_reference)   # data unchanged


# --------------------------------------------------------------------------
# One epoch of mini-batch SGD
# --------------------------------------------------------------------------

def batch_loss_and_grad(W, b, X, labels, reg):
    """The chapter's loss_and_grad, as a learner would reuse it."""
    return loss_and_grad(W, b, X, labels, reg)


def sgd_reference(W, b, X, labels, order, batch_size, lr, reg):
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        _, dW, db = batch_loss_and_grad(W, b, X[batch], labels[batch], reg)
        W, b = W - lr * dW, b - lr * db
    return W, b


def sgd_variant(*, drop_last=False, ignore_order=False, overlap=False,
                one_step=False, full_batch=False, sign=1, no_reg=False,
                reg_bias=False, batch_sum=False, over_n=False, in_place=False):
    """A learner's sgd_epoch with the chosen mistakes."""
    def func(W, b, X, labels, order, batch_size, lr, reg):
        N = len(order)
        indices = np.arange(N) if ignore_order else order
        stop = N - batch_size + 1 if drop_last else N
        starts = range(0, stop, batch_size)
        if overlap:
            starts = range(len(starts))
        if one_step:
            starts = [0]
        if not in_place:
            W, b = W.copy(), b.copy()
        for start in starts:
            batch = np.arange(N) if full_batch else indices[start:start + batch_size]
            B = len(batch)
            _, dW, db = batch_loss_and_grad(W, b, X[batch], labels[batch],
                                            0.0 if no_reg else reg)
            if batch_sum or over_n:
                factor = B if batch_sum else B / N
                dW = factor * (dW - (0 if no_reg else reg) * W) + reg * W
                db = factor * db
            if reg_bias:
                db = db + reg * b
            W -= sign * lr * dW
            b -= sign * lr * db
        return W, b
    return func


class TestCheckSgdEpoch:
    def test_reference_passes(self):
        assert check_sgd_epoch(sgd_reference)

    def test_variant_without_mistakes_passes(self):
        assert check_sgd_epoch(sgd_variant())

    def test_with_cross_entropy_grad_passes(self):
        def sgd_epoch(W, b, X, labels, order, batch_size, lr, reg):
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                dZ = helpers.cross_entropy_grad(X[batch] @ W + b, labels[batch])
                W = W - lr * (X[batch].T @ dZ + reg * W)
                b = b - lr * dZ.sum(axis=0)
            return W, b
        assert check_sgd_epoch(sgd_epoch)

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, todo])
    def test_not_attempted(self, answer):
        assert check_sgd_epoch(answer).status == "not attempted"

    def test_value_instead_of_function(self):
        assert check_sgd_epoch("sgd").status == "wrong type"

    def test_returns_only_w_is_wrong_type(self):
        fb = check_sgd_epoch(lambda *a: sgd_reference(*a)[0])
        assert fb.status == "wrong type" and "return W, b" in fb.hint

    def test_swapped_outputs_are_wrong_shape(self):
        fb = check_sgd_epoch(lambda *a: sgd_reference(*a)[::-1])
        assert fb.status == "wrong shape" and "(D, C)" in fb.hint

    def test_object_output_is_wrong_type(self):
        fb = check_sgd_epoch(lambda *a: (np.array(["w"]), np.array(["b"])))
        assert fb.status == "wrong type"

    @pytest.mark.parametrize("options, words", [
        ({"drop_last": True}, "last, smaller batch is missing"),
        ({"ignore_order": True}, "ignore `order`"),
        ({"overlap": True}, "overlap"),
        ({"one_step": True}, "Only one step"),
        ({"full_batch": True}, "whole data set"),
        ({"sign": -1}, "uphill"),
        ({"no_reg": True}, "regularisation is missing"),
        ({"reg_bias": True}, "bias is regularised"),
        ({"batch_sum": True}, "B times too large"),
        ({"over_n": True}, "divided by N"),
    ])
    def test_mistake_rejected_with_hint(self, options, words):
        fb = check_sgd_epoch(sgd_variant(**options))
        assert fb.status == "wrong value"
        assert words in fb.hint

    def test_in_place_update_rejected(self):
        fb = check_sgd_epoch(sgd_variant(in_place=True))
        assert fb.status == "wrong value"
        assert "changed the array `W`" in fb.message and "W -= lr * dW" in fb.hint

    def test_shuffling_order_in_place_rejected(self):
        def shuffles(W, b, X, labels, order, batch_size, lr, reg):
            result = sgd_reference(W, b, X, labels, order, batch_size, lr, reg)
            order.sort()
            return result
        fb = check_sgd_epoch(shuffles)
        assert fb.status == "wrong value" and "`order`" in fb.message

    def test_naive_softmax_overflows(self):
        def naive(W, b, X, labels, order, batch_size, lr, reg):
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                with np.errstate(all="ignore"):
                    probs = np.exp(naive_log_softmax(X[batch] @ W + b))
                probs[np.arange(len(batch)), labels[batch]] -= 1
                dZ = probs / len(batch)
                W = W - lr * (X[batch].T @ dZ + reg * W)
                b = b - lr * dZ.sum(axis=0)
            return W, b
        fb = check_sgd_epoch(naive)
        assert fb.status == "wrong value" and "inf or NaN" in fb.message

    def test_keyword_names_do_not_matter(self):
        def renamed(w, bias, inputs, y, perm, B, eta, lam):
            return sgd_reference(w, bias, inputs, y, perm, B, eta, lam)
        assert check_sgd_epoch(renamed)

    def test_raising_code_is_reported(self):
        def broken(W, b, X, labels, order, batch_size, lr, reg):
            return X @ W.T, b
        fb = check_sgd_epoch(broken)
        assert fb.status == "wrong value" and "raised" in fb.message
