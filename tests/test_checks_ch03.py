"""Tests for the exercise checks of the chapter on the softmax Jacobian.

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
from helpers.checks.ch03 import (
    HAND_LOGITS,
    TWO_CLASS_LOGITS,
    check_batched_jvp,
    check_jacobian_by_hand,
    check_tempered_jacobian,
    check_two_class_eigenvalue,
)


def todo(*args):
    raise NotImplementedError


def naive_softmax(logits):
    """The textbook formula without the max shift; overflows near 1000."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / weights.sum(axis=-1, keepdims=True)


class TestCheckJacobianByHand:
    # s = (1/2, 1/4, 1/4) exactly, so J = diag(s) - s s^T has these entries.
    exact = np.array([[1 / 4, -1 / 8, -1 / 8],
                      [-1 / 8, 3 / 16, -1 / 16],
                      [-1 / 8, -1 / 16, 3 / 16]])
    probs = np.array([0.5, 0.25, 0.25])

    def test_hand_logits_give_the_stated_probabilities(self):
        np.testing.assert_allclose(helpers.softmax(HAND_LOGITS), self.probs, rtol=1e-15)

    def test_exact_fractions_pass(self):
        assert check_jacobian_by_hand(self.exact)

    def test_three_decimals_pass(self):
        # atol=1e-3: rounding to three decimals moves an entry by <= 5e-4.
        assert check_jacobian_by_hand(np.round(self.exact, 3))

    def test_transpose_passes_because_j_is_symmetric(self):
        assert check_jacobian_by_hand(self.exact.T.tolist())

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_jacobian_by_hand(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.25", np.linalg.inv, {"J": 1}])
    def test_wrong_type(self, answer):
        assert check_jacobian_by_hand(answer).status == "wrong type"

    @pytest.mark.parametrize("answer", [probs, exact.ravel(), exact[:2]])
    def test_wrong_shape(self, answer):
        fb = check_jacobian_by_hand(answer)
        assert fb.status == "wrong shape" and "3 x 3" in fb.hint

    def test_diagonal_only(self):
        fb = check_jacobian_by_hand(np.diag(self.probs * (1 - self.probs)))
        assert fb.status == "wrong value" and "Only the diagonal" in fb.hint

    def test_sign_error(self):
        fb = check_jacobian_by_hand(np.outer(self.probs, self.probs) - np.diag(self.probs))
        assert fb.status == "wrong value" and "sign" in fb.hint

    def test_missing_diag_term(self):
        fb = check_jacobian_by_hand(-np.outer(self.probs, self.probs))
        assert fb.status == "wrong value" and "s_i (1 - s_i)" in fb.hint

    def test_missing_outer_product(self):
        fb = check_jacobian_by_hand(np.diag(self.probs))
        assert fb.status == "wrong value" and "outer product" in fb.hint

    def test_other_wrong_value_gets_the_general_hint(self):
        # The Jacobian at (2, 0, 0), misreading ln 2 as 2.
        fb = check_jacobian_by_hand(helpers.softmax_jacobian([2.0, 0.0, 0.0]))
        assert fb.status == "wrong value" and "s = (1/2, 1/4, 1/4)" in fb.hint

    def test_off_by_more_than_tolerance_fails(self):
        answer = self.exact.copy()
        answer[1, 1] += 2e-3
        assert check_jacobian_by_hand(answer).status == "wrong value"


class TestCheckTwoClassEigenvalue:
    # For C = 2, J = p(1-p) [[1, -1], [-1, 1]], eigenvalues 0 and 2 p (1 - p),
    # with p = sigma(2) = e^2 / (1 + e^2); 2 p (1 - p) = 2 e^2 / (1 + e^2)^2.
    value = 2 * np.exp(2.0) / (1 + np.exp(2.0)) ** 2

    def test_reference_passes(self):
        assert TWO_CLASS_LOGITS == (2.0, 0.0)
        assert check_two_class_eigenvalue(self.value)

    def test_numpy_eigenvalue_passes(self):
        eigs = np.linalg.eigvalsh(helpers.softmax_jacobian(TWO_CLASS_LOGITS))
        assert check_two_class_eigenvalue(eigs[-1])

    def test_three_significant_digits_pass(self):
        # rtol=2e-3: 0.21 is 6e-5 relative from 0.20999.
        assert check_two_class_eigenvalue(0.21)
        assert check_two_class_eigenvalue(0.2).status == "wrong value"

    def test_complex_with_zero_imaginary_part_passes(self):
        assert check_two_class_eigenvalue(complex(self.value, 0.0))
        assert check_two_class_eigenvalue(np.complex128(self.value))

    def test_truly_complex_is_wrong_type(self):
        assert check_two_class_eigenvalue(complex(self.value, 0.1)).status == "wrong type"

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_two_class_eigenvalue(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.21", np.linalg.eigvalsh])
    def test_wrong_type(self, answer):
        assert check_two_class_eigenvalue(answer).status == "wrong type"

    def test_both_eigenvalues_is_wrong_shape(self):
        fb = check_two_class_eigenvalue(np.array([0.0, self.value]))
        assert fb.status == "wrong shape" and "one number" in fb.hint

    def test_diagonal_entry(self):
        fb = check_two_class_eigenvalue(self.value / 2)
        assert fb.status == "wrong value" and "diagonal entry" in fb.hint

    def test_zero_eigenvalue(self):
        fb = check_two_class_eigenvalue(0.0)
        assert fb.status == "wrong value" and "(1, 1)" in fb.hint

    def test_tie_value(self):
        fb = check_two_class_eigenvalue(0.5)
        assert fb.status == "wrong value" and "both logits are equal" in fb.hint

    def test_probability_instead(self):
        fb = check_two_class_eigenvalue(helpers.sigmoid(2.0))
        assert fb.status == "wrong value" and "sigma(2) itself" in fb.hint

    def test_log10_probabilities_fail(self):
        # A learner who used 10 ** z for the exponentials (log10 thinking).
        p = 10.0 ** 2 / (10.0 ** 2 + 1)
        fb = check_two_class_eigenvalue(2 * p * (1 - p))
        assert fb.status == "wrong value" and "eigenvectors" in fb.hint


def tempered_reference(logits, temperature):
    probs = helpers.softmax(logits / temperature)                       # (N, C)
    eye = np.eye(logits.shape[-1])
    jac = probs[:, :, None] * eye - probs[:, :, None] * probs[:, None, :]
    return jac / temperature                                            # (N, C, C)


class TestCheckTemperedJacobian:
    def test_reference_passes(self):
        assert check_tempered_jacobian(tempered_reference)

    def test_einsum_version_passes(self):
        def einsum_version(logits, temperature):
            probs = helpers.softmax(logits / temperature)
            outer = np.einsum("ni,nj->nij", probs, probs)
            return (np.einsum("ni,ij->nij", probs, np.eye(probs.shape[1])) - outer) / temperature
        assert check_tempered_jacobian(einsum_version)

    def test_not_attempted(self):
        assert check_tempered_jacobian(todo).status == "not attempted"
        assert check_tempered_jacobian(NOT_ATTEMPTED).status == "not attempted"
        assert check_tempered_jacobian(None).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_tempered_jacobian(np.zeros((2, 3, 3))).status == "wrong type"

    def test_wrong_type_returns_strings(self):
        fb = check_tempered_jacobian(lambda z, t: np.full((len(z), 3, 3), "x"))
        assert fb.status == "wrong type"

    def test_wrong_shape_returns_diagonal_vector(self):
        def diagonal_vector(logits, temperature):
            probs = helpers.softmax(logits / temperature)
            return probs * (1 - probs) / temperature                      # (N, C)
        assert check_tempered_jacobian(diagonal_vector).status == "wrong shape"

    def test_wrong_shape_single_matrix(self):
        def first_row_only(logits, temperature):
            return helpers.softmax_jacobian(logits[0] / temperature) / temperature
        assert check_tempered_jacobian(first_row_only).status == "wrong shape"

    def _hint(self, func):
        fb = check_tempered_jacobian(func)
        assert fb.status == "wrong value"
        return fb.hint

    def test_elementwise_derivative(self):
        def elementwise(logits, temperature):
            probs = helpers.softmax(logits / temperature)
            return np.stack([np.diag(row * (1 - row)) for row in probs]) / temperature
        assert "Only the diagonal" in self._hint(elementwise)

    def test_sign_error(self):
        assert "sign" in self._hint(lambda z, t: -tempered_reference(z, t))

    def test_forgot_temperature(self):
        assert "temperature is missing" in self._hint(
            lambda z, t: helpers.softmax_jacobian(z))

    def test_forgot_chain_rule_factor(self):
        assert "chain rule" in self._hint(
            lambda z, t: helpers.softmax_jacobian(z / t))

    def test_multiplied_by_temperature(self):
        assert "1 / T, not T" in self._hint(
            lambda z, t: helpers.softmax_jacobian(z / t) * t)

    def test_outer_product_broadcast_wrong(self):
        def squared(logits, temperature):
            probs = helpers.softmax(logits / temperature)
            return (probs[:, :, None] * np.eye(probs.shape[1])
                    - probs[:, None, :] * probs[:, None, :]) / temperature
        assert "outer product" in self._hint(squared)

    def test_wrong_axis(self):
        def wrong_axis(logits, temperature):
            probs = helpers.softmax(logits / temperature, axis=0)
            return (probs[:, :, None] * np.eye(probs.shape[1])
                    - probs[:, :, None] * probs[:, None, :]) / temperature
        assert "batch axis" in self._hint(wrong_axis)

    def test_missing_max_subtraction(self):
        def unshifted(logits, temperature):
            probs = naive_softmax(logits / temperature)
            return (probs[:, :, None] * np.eye(probs.shape[1])
                    - probs[:, :, None] * probs[:, None, :]) / temperature
        assert "overflow" in self._hint(unshifted)

    def test_off_by_one_class_fails(self):
        # Rolling the classes by one: right values, wrong places.
        fb = check_tempered_jacobian(
            lambda z, t: np.roll(tempered_reference(z, t), 1, axis=-1))
        assert fb.status == "wrong value"

    def test_failing_code_is_reported(self):
        fb = check_tempered_jacobian(lambda z, t: z.nope)
        assert fb.status == "wrong value" and "AttributeError" in fb.message


def jvp_reference(logits, vectors):
    probs = helpers.softmax(logits)                                     # (N, C)
    return probs * (vectors - np.sum(probs * vectors, axis=-1, keepdims=True))


class TestCheckBatchedJvp:
    def test_reference_passes(self):
        assert check_batched_jvp(jvp_reference)

    def test_full_matrix_version_passes(self):
        # Slow for large C, but correct: the check tests values, not cost.
        assert check_batched_jvp(
            lambda z, v: np.einsum("nij,nj->ni", helpers.softmax_jacobian(z), v))

    def test_not_attempted(self):
        assert check_batched_jvp(todo).status == "not attempted"
        assert check_batched_jvp(NOT_ATTEMPTED).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_batched_jvp("batched_jvp").status == "wrong type"

    def test_wrong_type_returns_objects(self):
        fb = check_batched_jvp(lambda z, v: np.array([None] * z.size).reshape(z.shape))
        assert fb.status == "wrong type"

    def test_wrong_shape_returns_matrices(self):
        fb = check_batched_jvp(lambda z, v: helpers.softmax_jacobian(z))
        assert fb.status == "wrong shape"

    def test_wrong_shape_returns_row_averages(self):
        fb = check_batched_jvp(lambda z, v: np.sum(helpers.softmax(z) * v, axis=-1))
        assert fb.status == "wrong shape"

    def _hint(self, func):
        fb = check_batched_jvp(func)
        assert fb.status == "wrong value"
        return fb.hint

    def test_elementwise(self):
        assert "diag(s) v alone" in self._hint(lambda z, v: helpers.softmax(z) * v)

    def test_sign_error(self):
        assert "sign" in self._hint(lambda z, v: -jvp_reference(z, v))

    def test_missing_keepdims(self):
        def no_keepdims(logits, vectors):
            probs = helpers.softmax(logits)
            return probs * (vectors - (probs * vectors).sum(axis=1))
        assert "keepdims" in self._hint(no_keepdims)

    def test_sum_over_whole_batch(self):
        def whole_batch(logits, vectors):
            probs = helpers.softmax(logits)
            return probs * (vectors - np.sum(probs * vectors))
        assert "whole batch" in self._hint(whole_batch)

    def test_unweighted_average(self):
        def unweighted(logits, vectors):
            probs = helpers.softmax(logits)
            return probs * (vectors - vectors.mean(axis=1, keepdims=True))
        assert "weighted by the probabilities" in self._hint(unweighted)

    def test_wrong_axis(self):
        def wrong_axis(logits, vectors):
            probs = helpers.softmax(logits, axis=0)
            return probs * (vectors - np.sum(probs * vectors, axis=1, keepdims=True))
        assert "batch axis" in self._hint(wrong_axis)

    def test_missing_max_subtraction(self):
        def unshifted(logits, vectors):
            probs = naive_softmax(logits)
            return probs * (vectors - np.sum(probs * vectors, axis=1, keepdims=True))
        assert "overflow" in self._hint(unshifted)

    def test_transposed_jacobian_per_batch_passes(self):
        # J is symmetric, so v^T J (what backprop writes) equals J v.
        assert check_batched_jvp(
            lambda z, v: np.einsum("nj,nji->ni", v, helpers.softmax_jacobian(z)))

    def test_batch_matrix_product_mistake_fails(self):
        # Multiplying by the whole batch's probabilities, a common mix-up.
        def batch_matrix(logits, vectors):
            probs = helpers.softmax(logits)
            return probs * vectors - probs * (probs @ vectors.T).diagonal()
        assert check_batched_jvp(batch_matrix).status == "wrong value"
