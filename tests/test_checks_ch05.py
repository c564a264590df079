"""Tests for the exercise checks of the chapter on the cross-entropy gradient.

Each check must accept the reference answer, tell "not attempted", "wrong
type" and "wrong shape" apart, and reject the typical wrong answers, with
the specific hint where the check has one.  The wrong answers are written
here the way a learner would write them, independently of the check
module's own list of mistakes.
"""

import numpy as np
import pytest

import helpers
from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch05 import (
    ENTRY_LABELS,
    ENTRY_LOGITS,
    check_grad_logits,
    check_grad_weights,
    check_gradient_entry,
)


def todo(*args):
    raise NotImplementedError


def naive_softmax(logits):
    """The textbook formula without the max shift; overflows near 1000."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / weights.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


class TestCheckGradientEntry:
    # Row 0 has exponentials (3, 1, 1), so s = (3/5, 1/5, 1/5); its label is 1,
    # so row 0 of P - Y is (3/5, -4/5, 1/5), and the mean over N = 2 halves it.
    exact = 0.3

    def test_exercise_data(self):
        assert ENTRY_LABELS == (1, 2)
        np.testing.assert_allclose(helpers.softmax(ENTRY_LOGITS[0]), [0.6, 0.2, 0.2],
                                   rtol=1e-15)

    def test_reference_passes(self):
        assert check_gradient_entry(self.exact)

    def test_from_helpers_passes(self):
        grad = helpers.cross_entropy_grad(np.array(ENTRY_LOGITS), np.array(ENTRY_LABELS))
        assert check_gradient_entry(grad[0, 0])

    def test_numpy_scalar_and_fraction_pass(self):
        assert check_gradient_entry(np.float32(0.3))
        assert check_gradient_entry(3 / 10)

    def test_tolerance(self):
        # atol=1e-3: three decimals pass, an error of 2e-3 does not.
        assert check_gradient_entry(0.3004)
        assert check_gradient_entry(0.302).status == "wrong value"

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_gradient_entry(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.3", helpers.softmax, {"entry": 0.3}])
    def test_wrong_type(self, answer):
        assert check_gradient_entry(answer).status == "wrong type"

    def test_whole_matrix_is_wrong_shape(self):
        grad = helpers.cross_entropy_grad(np.array(ENTRY_LOGITS), np.array(ENTRY_LABELS))
        fb = check_gradient_entry(grad)
        assert fb.status == "wrong shape" and "one number" in fb.hint

    def _hint(self, value):
        fb = check_gradient_entry(value)
        assert fb.status == "wrong value"
        return fb.hint

    def test_missing_mean(self):
        assert "divided by 2" in self._hint(0.6)

    def test_sign_error(self):
        assert "sign is flipped" in self._hint(-0.3)

    def test_elementwise_softmax(self):
        assert "elementwise" in self._hint(0.0)

    def test_jacobian_entry(self):
        assert "diagonal Jacobian entry" in self._hint(0.6 * 0.4 / 2)

    def test_true_class_entry(self):
        assert "column 0" in self._hint(-0.4)

    def test_other_example(self):
        # Row 1: s = (1/4, 1/2, 1/4), label 2, so dL/dZ[1, 0] = (1/4) / 2.
        assert "row 0" in self._hint(0.125)

    def test_off_by_one_label(self):
        assert "Labels count from 0" in self._hint((0.6 - 1) / 2)

    def test_log10(self):
        # A learner differentiating log10: the entry is divided by ln 10.
        assert "exponentials are 3, 1 and 1" in self._hint(0.3 / np.log(10))


def grad_logits_reference(logits, labels):
    probs = helpers.softmax(logits)                          # (N, C)
    probs[np.arange(len(labels)), labels] -= 1
    return probs / len(labels)


class TestCheckGradLogits:
    def test_reference_passes(self):
        assert check_grad_logits(grad_logits_reference)

    def test_one_hot_version_passes(self):
        def via_one_hot(logits, labels):
            return (helpers.softmax(logits) - one_hot(labels, logits.shape[1])) / len(logits)
        assert check_grad_logits(via_one_hot)

    def test_log_softmax_version_passes(self):
        def via_log_softmax(logits, labels):
            probs = np.exp(helpers.log_softmax(logits))
            return (probs - one_hot(labels, logits.shape[1])) / logits.shape[0]
        assert check_grad_logits(via_log_softmax)

    def test_not_attempted(self):
        assert check_grad_logits(todo).status == "not attempted"
        assert check_grad_logits(NOT_ATTEMPTED).status == "not attempted"
        assert check_grad_logits(None).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_grad_logits(np.zeros((3, 3))).status == "wrong type"

    def test_wrong_type_returns_strings(self):
        fb = check_grad_logits(lambda z, labels: np.full(z.shape, "x"))
        assert fb.status == "wrong type"

    def test_wrong_shape_per_example_losses(self):
        def loss_instead(logits, labels):
            return -helpers.log_softmax(logits)[np.arange(len(labels)), labels]
        assert check_grad_logits(loss_instead).status == "wrong shape"

    def test_wrong_shape_summed_over_batch(self):
        def summed(logits, labels):
            return grad_logits_reference(logits, labels).sum(axis=0)
        assert check_grad_logits(summed).status == "wrong shape"

    def test_error_in_learner_code_is_reported(self):
        def crashes(logits, labels):
            return logits @ np.ones((2, 2))
        fb = check_grad_logits(crashes)
        assert fb.status == "wrong value" and "ValueError" in fb.message

    def _hint(self, func):
        fb = check_grad_logits(func)
        assert fb.status == "wrong value"
        return fb.hint

    def test_elementwise_softmax(self):
        def elementwise(logits, labels):
            probs = helpers.softmax(logits)
            # dL/dz_i = -y_i / s_i * s_i (1 - s_i): the diagonal of J only.
            targets = one_hot(labels, logits.shape[1])
            return -targets / probs * probs * (1 - probs) / len(logits)
        assert "elementwise" in self._hint(elementwise)

    def test_missing_mean(self):
        def no_mean(logits, labels):
            return grad_logits_reference(logits, labels) * len(labels)
        assert "mean over the batch" in self._hint(no_mean)

    def test_sign_error(self):
        def sign(logits, labels):
            return (one_hot(labels, logits.shape[1]) - helpers.softmax(logits)) / len(logits)
        assert "sign is flipped" in self._hint(sign)

    def test_mean_over_all_entries(self):
        def over_entries(logits, labels):
            return (helpers.softmax(logits) - one_hot(labels, logits.shape[1])) / logits.size
        assert "N * C" in self._hint(over_entries)

    def test_wrong_axis(self):
        def axis0(logits, labels):
            probs = helpers.softmax(logits, axis=0)
            return (probs - one_hot(labels, logits.shape[1])) / len(logits)
        assert "batch axis" in self._hint(axis0)

    def test_whole_rows_indexed(self):
        def rows(logits, labels):
            probs = helpers.softmax(logits)
            probs[labels] -= 1
            return probs / len(labels)
        assert "np.arange(N), labels" in self._hint(rows)

    def test_off_by_one_class(self):
        def off_by_one(logits, labels):
            probs = helpers.softmax(logits)
            probs[np.arange(len(labels)), labels - 1] -= 1
            return probs / len(labels)
        assert "shifted by one class" in self._hint(off_by_one)

    def test_log10(self):
        def log10(logits, labels):
            return grad_logits_reference(logits, labels) / np.log(10)
        assert "ln 10" in self._hint(log10)

    def test_missing_max_subtraction(self):
        def naive(logits, labels):
            return (naive_softmax(logits) - one_hot(labels, logits.shape[1])) / len(logits)
        assert "overflow" in self._hint(naive)

    def test_other_wrong_value_gets_a_hint(self):
        def squared_error(logits, labels):
            # The gradient of the squared error on the probabilities instead.
            probs = helpers.softmax(logits)
            residual = probs - one_hot(labels, logits.shape[1])
            average = np.sum(probs * residual, axis=1, keepdims=True)
            return probs * (residual - average) / len(logits)
        assert check_grad_logits(squared_error).status == "wrong value"

    def test_input_not_modified_matters_not(self):
        # A learner who writes into the logits in place still passes:
        # the check hands over copies.
        def in_place(logits, labels):
            logits -= logits.max(axis=1, keepdims=True)
            return grad_logits_reference(logits, labels)
        assert check_grad_logits(in_place)


def grad_weights_reference(X, W, b, labels):
    logits = X @ W + b                                       # (N, C)
    dZ = (helpers.softmax(logits) - one_hot(labels, W.shape[1])) / len(X)
    return X.T @ dZ, dZ.sum(axis=0)                          # (D, C), (C,)


class TestCheckGradWeights:
    def test_reference_passes(self):
        assert check_grad_weights(grad_weights_reference)

    def test_list_result_passes(self):
        assert check_grad_weights(lambda *args: list(grad_weights_reference(*args)))

    def test_numerical_gradient_passes_the_small_problems(self):
        # An independent route: central differences of helpers.cross_entropy.
        # They agree to rtol=1e-6 on the first two problems; on the third,
        # with losses near 1000, rounding costs them digits, so the check
        # must get past the first two and stop at the third.
        def numerical(X, W, b, labels):
            dW = helpers.numerical_gradient(
                lambda w: helpers.cross_entropy(X @ w + b, labels), W)
            db = helpers.numerical_gradient(
                lambda v: helpers.cross_entropy(X @ W + v, labels), b)
            return dW, db
        fb = check_grad_weights(numerical)
        assert fb.status == "wrong value" and "X(3, 2)" in fb.message

    def test_not_attempted(self):
        assert check_grad_weights(todo).status == "not attempted"
        assert check_grad_weights(NOT_ATTEMPTED).status == "not attempted"
        assert check_grad_weights(None).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_grad_weights((np.zeros((4, 3)), np.zeros(3))).status == "wrong type"

    def test_wrong_type_single_array(self):
        fb = check_grad_weights(lambda *args: grad_weights_reference(*args)[0])
        assert fb.status == "wrong type" and "return dW, db" in fb.hint

    def test_wrong_type_three_values(self):
        fb = check_grad_weights(lambda *args: (*grad_weights_reference(*args), 0.0))
        assert fb.status == "wrong type"

    def test_wrong_type_strings(self):
        fb = check_grad_weights(lambda X, W, b, y: ("dW", "db"))
        assert fb.status == "wrong type"

    def _shape_hint(self, func):
        fb = check_grad_weights(func)
        assert fb.status == "wrong shape"
        return fb.hint

    def test_transposed_weights(self):
        def transposed(X, W, b, labels):
            dW, db = grad_weights_reference(X, W, b, labels)
            return dW.T, db
        assert "transposed" in self._shape_hint(transposed)

    def test_bias_summed_over_classes(self):
        def wrong_axis(X, W, b, labels):
            dZ = (helpers.softmax(X @ W + b) - one_hot(labels, W.shape[1])) / len(X)
            return X.T @ dZ, dZ.sum(axis=1)
        assert "summed over the classes" in self._shape_hint(wrong_axis)

    def test_bias_with_keepdims(self):
        def keepdims(X, W, b, labels):
            dZ = (helpers.softmax(X @ W + b) - one_hot(labels, W.shape[1])) / len(X)
            return X.T @ dZ, dZ.sum(axis=0, keepdims=True)
        assert "keepdims" in self._shape_hint(keepdims)

    def test_logits_gradient_returned(self):
        def dz_only(X, W, b, labels):
            dZ = (helpers.softmax(X @ W + b) - one_hot(labels, W.shape[1])) / len(X)
            return dZ, dZ.sum(axis=0)
        assert "(D, C)" in self._shape_hint(dz_only)

    def _hint(self, func):
        fb = check_grad_weights(func)
        assert fb.status == "wrong value"
        return fb.hint

    def test_missing_mean(self):
        def no_mean(X, W, b, labels):
            dW, db = grad_weights_reference(X, W, b, labels)
            return dW * len(X), db * len(X)
        assert "N times too large" in self._hint(no_mean)

    def test_sign_error(self):
        def sign(X, W, b, labels):
            dW, db = grad_weights_reference(X, W, b, labels)
            return -dW, -db
        assert "sign is flipped" in self._hint(sign)

    def test_elementwise_softmax(self):
        def elementwise(X, W, b, labels):
            probs = helpers.softmax(X @ W + b)
            dZ = -one_hot(labels, W.shape[1]) * (1 - probs) / len(X)
            return X.T @ dZ, dZ.sum(axis=0)
        assert "separately" in self._hint(elementwise)

    def test_bias_averaged_twice(self):
        def mean_twice(X, W, b, labels):
            dW, db = grad_weights_reference(X, W, b, labels)
            return dW, db / len(X)
        assert "plain sum" in self._hint(mean_twice)

    def test_bias_without_mean(self):
        def bias_sum(X, W, b, labels):
            dW, db = grad_weights_reference(X, W, b, labels)
            return dW, db * len(X)
        assert "db is N times too large" in self._hint(bias_sum)

    def test_weights_without_mean(self):
        def weights_sum(X, W, b, labels):
            dW, db = grad_weights_reference(X, W, b, labels)
            return dW * len(X), db
        assert "dW is N times too large" in self._hint(weights_sum)

    def test_missing_max_subtraction(self):
        def naive(X, W, b, labels):
            dZ = (naive_softmax(X @ W + b) - one_hot(labels, W.shape[1])) / len(X)
            return X.T @ dZ, dZ.sum(axis=0)
        assert "overflow" in self._hint(naive)

    def test_forgot_bias_in_logits(self):
        def no_bias(X, W, b, labels):
            dZ = (helpers.softmax(X @ W) - one_hot(labels, W.shape[1])) / len(X)
            return X.T @ dZ, dZ.sum(axis=0)
        assert "dZ = (P - Y) / N first" in self._hint(no_bias)

    def test_error_in_learner_code_is_reported(self):
        def crashes(X, W, b, labels):
            return W @ X, b
        fb = check_grad_weights(crashes)
        assert fb.status == "wrong value" and "ValueError" in fb.message
