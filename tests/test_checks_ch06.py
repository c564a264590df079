"""Tests for the exercise checks of the chapter on loss surfaces and convexity.

Each check must accept the reference answer, tell "not attempted", "wrong
type" and "wrong shape" apart, and reject the typical wrong answers, with
the specific hint where the check has one.  The answers below are written
the way a learner would write them (loops, np.kron, explicit formulas),
independently of the check module's own list of mistakes.
"""

import math

import numpy as np
import pytest

import helpers
from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch06 import (
    check_hessian_logits,
    check_regularized_loss,
    check_smallest_eigenvalue,
    check_weight_hessian,
    eigenvalue_problem,
)


def todo(*args):
    raise NotImplementedError


def naive_softmax(logits, axis=-1):
    """The textbook formula without the max shift; overflows near 1000."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / weights.sum(axis=axis, keepdims=True)


def outer_rows(probs):
    """p p^T for every row of an (N, C) array: (N, C, C)."""
    return probs[:, :, None] * probs[:, None, :]


def wrong_value_hint(check, func):
    fb = check(func)
    assert fb.status == "wrong value", fb
    return fb.hint


# --------------------------------------------------------------------------
# hessian_logits(logits, temperature)
# --------------------------------------------------------------------------

def hessian_logits_loop(logits, temperature):
    """Row by row, from the entries p_i (delta_ij - p_j) / T^2."""
    out = []
    for row in np.asarray(logits):
        p = helpers.softmax(row / temperature)
        C = len(p)
        out.append([[p[i] * ((i == j) - p[j]) / temperature ** 2 for j in range(C)]
                    for i in range(C)])
    return np.array(out)


class TestCheckHessianLogits:
    def test_reference_passes(self):
        assert check_hessian_logits(hessian_logits_loop)

    def test_broadcast_version_passes(self):
        def broadcast(logits, temperature):
            p = helpers.softmax(logits / temperature)
            return (p[:, :, None] * np.eye(p.shape[1]) - outer_rows(p)) / temperature ** 2
        assert check_hessian_logits(broadcast)

    def test_finite_difference_agrees_with_what_the_check_accepts(self):
        # Reference from central differences of the analytic gradient p - y,
        # on one row at T = 0.5; agreement to 1e-7 absolute (h = 1e-6).
        z, T = np.array([0.3, -1.2, 2.0]), 0.5
        grad = lambda v: (helpers.softmax(v / T) - np.eye(3)[1]) / T  # noqa: E731
        fd = np.array([helpers.numerical_gradient(lambda v: grad(v)[i], z) for i in range(3)])
        np.testing.assert_allclose(hessian_logits_loop(z[None], T)[0], fd, atol=1e-7)

    @pytest.mark.parametrize("answer", [todo, NOT_ATTEMPTED, None])
    def test_not_attempted(self, answer):
        assert check_hessian_logits(answer).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_hessian_logits(np.zeros((2, 3, 3))).status == "wrong type"

    def test_wrong_type_returns_strings(self):
        fb = check_hessian_logits(lambda z, t: np.full((len(z), 3, 3), "x"))
        assert fb.status == "wrong type"

    def test_wrong_shape_diagonal_vector(self):
        def diagonal_vector(logits, temperature):
            p = helpers.softmax(logits / temperature)
            return p * (1 - p) / temperature ** 2
        fb = check_hessian_logits(diagonal_vector)
        assert fb.status == "wrong shape" and "(N, C, C)" in fb.hint

    def test_elementwise(self):
        def elementwise(logits, temperature):
            p = helpers.softmax(logits / temperature)
            return np.array([np.diag(row * (1 - row)) for row in p]) / temperature ** 2
        assert "Only the diagonal" in wrong_value_hint(check_hessian_logits, elementwise)

    def test_sign_error(self):
        def flipped(logits, temperature):
            return -hessian_logits_loop(logits, temperature)
        assert "sign is flipped" in wrong_value_hint(check_hessian_logits, flipped)

    def test_missing_outer_product(self):
        def diag_only(logits, temperature):
            p = helpers.softmax(logits / temperature)
            return np.array([np.diag(row) for row in p]) / temperature ** 2
        assert "outer product" in wrong_value_hint(check_hessian_logits, diag_only)

    def test_missing_diag_term(self):
        def outer_only(logits, temperature):
            p = helpers.softmax(logits / temperature)
            return -outer_rows(p) / temperature ** 2
        assert "missing its p_i term" in wrong_value_hint(check_hessian_logits, outer_only)

    def test_one_over_t_instead_of_t_squared(self):
        def once(logits, temperature):
            return hessian_logits_loop(logits, temperature) * temperature
        assert "1 / T^2, not 1 / T" in wrong_value_hint(check_hessian_logits, once)

    def test_forgot_temperature(self):
        def forgot(logits, temperature):
            return hessian_logits_loop(logits, 1.0)
        assert "temperature is missing" in wrong_value_hint(check_hessian_logits, forgot)

    def test_no_chain_factor(self):
        def no_factor(logits, temperature):
            return hessian_logits_loop(logits, temperature) * temperature ** 2
        assert "chain-rule factor is missing" in wrong_value_hint(check_hessian_logits, no_factor)

    def test_wrong_axis(self):
        def batch_axis(logits, temperature):
            p = helpers.softmax(logits / temperature, axis=0)
            return (p[:, :, None] * np.eye(p.shape[1]) - outer_rows(p)) / temperature ** 2
        assert "batch axis" in wrong_value_hint(check_hessian_logits, batch_axis)

    def test_divided_by_batch_size(self):
        def mean(logits, temperature):
            return hessian_logits_loop(logits, temperature) / len(logits)
        assert "batch size" in wrong_value_hint(check_hessian_logits, mean)

    def test_missing_max_subtraction(self):
        def naive(logits, temperature):
            p = naive_softmax(logits / temperature)
            return (p[:, :, None] * np.eye(p.shape[1]) - outer_rows(p)) / temperature ** 2
        assert "overflow" in wrong_value_hint(check_hessian_logits, naive)

    def test_small_error_beyond_tolerance_fails(self):
        def slightly_off(logits, temperature):
            return hessian_logits_loop(logits, temperature) * (1 + 1e-4)
        assert check_hessian_logits(slightly_off).status == "wrong value"

    def test_code_that_raises_is_reported(self):
        def broken(logits, temperature):
            return logits @ np.ones(7)
        fb = check_hessian_logits(broken)
        assert fb.status == "wrong value" and "raised" in fb.message


# --------------------------------------------------------------------------
# weight_hessian(W, X, reg)
# --------------------------------------------------------------------------

def weight_hessian_kron(W, X, reg):
    """A learner's version: one Kronecker product per example."""
    N, D = X.shape
    C = W.shape[1]
    H = np.zeros((C * D, C * D))
    for n in range(N):
        p = helpers.softmax(X[n] @ W)
        H += np.kron(np.diag(p) - np.outer(p, p), np.outer(X[n], X[n]))
    return H / N + reg * np.eye(C * D)


class TestCheckWeightHessian:
    def test_reference_passes(self):
        assert check_weight_hessian(weight_hessian_kron)

    def test_block_version_passes(self):
        # Block (c, k) is X^T diag(p_c (delta_ck - p_k)) X / N.
        def blocks(W, X, reg):
            P = helpers.softmax(X @ W)
            N, C = P.shape
            rows = [[X.T @ (X * (P[:, c] * ((c == k) - P[:, k]))[:, None]) / N
                     for k in range(C)] for c in range(C)]
            return np.block(rows) + reg * np.eye(W.size)
        assert check_weight_hessian(blocks)

    def test_matches_finite_differences(self):
        # Independent reference: central differences of the gradient
        # X^T (P - Y) / N + reg W, parameters ordered class by class.
        rng = np.random.default_rng(0)
        X, W, labels, reg = rng.normal(size=(5, 2)), rng.normal(size=(2, 3)), [0, 2, 1, 1, 0], 0.3

        def grad(theta):
            Wt = theta.reshape(3, 2).T
            G = X.T @ helpers.cross_entropy_grad(X @ Wt, labels) + reg * Wt
            return G.T.ravel()
        theta = W.T.ravel()
        fd = np.array([helpers.numerical_gradient(lambda v: grad(v)[i], theta)
                       for i in range(6)])
        np.testing.assert_allclose(weight_hessian_kron(W, X, reg), fd, atol=1e-7)

    @pytest.mark.parametrize("answer", [todo, NOT_ATTEMPTED, None])
    def test_not_attempted(self, answer):
        assert check_weight_hessian(answer).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_weight_hessian(np.eye(6)).status == "wrong type"

    def test_wrong_type_returns_dict(self):
        assert check_weight_hessian(lambda W, X, reg: {"H": 1}).status == "wrong type"

    def test_wrong_shape_four_dimensional(self):
        def four_d(W, X, reg):
            C, D = W.shape[1], W.shape[0]
            return weight_hessian_kron(W, X, reg).reshape(C, D, C, D)
        fb = check_weight_hessian(four_d)
        assert fb.status == "wrong shape" and "C * D" in fb.hint

    def test_wrong_shape_logit_hessian(self):
        def logit_hessian(W, X, reg):
            return helpers.softmax_jacobian(X @ W).mean(axis=0)
        assert check_weight_hessian(logit_hessian).status == "wrong shape"

    def test_missing_regularization(self):
        def no_reg(W, X, reg):
            return weight_hessian_kron(W, X, 0.0)
        assert "regularization term is missing" in wrong_value_hint(check_weight_hessian, no_reg)

    def test_half_regularization(self):
        def half(W, X, reg):
            return weight_hessian_kron(W, X, reg / 2)
        assert "not reg / 2" in wrong_value_hint(check_weight_hessian, half)

    def test_double_regularization(self):
        def double(W, X, reg):
            return weight_hessian_kron(W, X, 2 * reg)
        assert "not 2 reg" in wrong_value_hint(check_weight_hessian, double)

    def test_sum_instead_of_mean(self):
        def summed(W, X, reg):
            return len(X) * weight_hessian_kron(W, X, 0.0) + reg * np.eye(W.size)
        assert "1 / N" in wrong_value_hint(check_weight_hessian, summed)

    def test_feature_by_feature_order(self):
        def swapped(W, X, reg):
            N, D = X.shape
            C = W.shape[1]
            H = sum(np.kron(np.outer(x, x), helpers.softmax_jacobian(x @ W)) for x in X)
            return H / N + reg * np.eye(C * D)
        assert "class by class" in wrong_value_hint(check_weight_hessian, swapped)

    def test_elementwise_softmax(self):
        def elementwise(W, X, reg):
            N, D = X.shape
            C = W.shape[1]
            H = np.zeros((C * D, C * D))
            for x in X:
                p = helpers.softmax(x @ W)
                H += np.kron(np.diag(p * (1 - p)), np.outer(x, x))
            return H / N + reg * np.eye(C * D)
        assert "off-diagonal" in wrong_value_hint(check_weight_hessian, elementwise)

    def test_missing_outer_product(self):
        def diag_only(W, X, reg):
            N, D = X.shape
            C = W.shape[1]
            H = sum(np.kron(np.diag(helpers.softmax(x @ W)), np.outer(x, x)) for x in X)
            return H / N + reg * np.eye(C * D)
        assert "outer product" in wrong_value_hint(check_weight_hessian, diag_only)

    def test_sign_error(self):
        def flipped(W, X, reg):
            return -weight_hessian_kron(W, X, reg)
        assert "sign" in wrong_value_hint(check_weight_hessian, flipped)

    def test_sign_error_in_data_term(self):
        def flipped_data(W, X, reg):
            return -weight_hessian_kron(W, X, 0.0) + reg * np.eye(W.size)
        assert "wrong sign" in wrong_value_hint(check_weight_hessian, flipped_data)

    def test_wrong_axis(self):
        def batch_axis(W, X, reg):
            P = helpers.softmax(X @ W, axis=0)
            N, D = X.shape
            C = W.shape[1]
            H = sum(np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x)) for p, x in zip(P, X))
            return H / N + reg * np.eye(C * D)
        assert "batch axis" in wrong_value_hint(check_weight_hessian, batch_axis)

    def test_missing_max_subtraction(self):
        def naive(W, X, reg):
            P = naive_softmax(X @ W)
            N, D = X.shape
            C = W.shape[1]
            H = sum(np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x)) for p, x in zip(P, X))
            return H / N + reg * np.eye(C * D)
        assert "overflow" in wrong_value_hint(check_weight_hessian, naive)


# --------------------------------------------------------------------------
# The smallest eigenvalue of the regularized Hessian
# --------------------------------------------------------------------------

class TestCheckSmallestEigenvalue:
    def test_problem_is_fresh_each_time(self):
        first = eigenvalue_problem()
        first.W[0, 0] = 99.0
        assert eigenvalue_problem().W[0, 0] == 0.5

    def test_reasoned_answer_passes(self):
        # The shift directions have eigenvalue 0; the penalty adds lambda.
        assert check_smallest_eigenvalue(eigenvalue_problem().reg)

    def test_numerical_answer_passes(self):
        W, X, reg = eigenvalue_problem()
        eigs = np.linalg.eigvalsh(weight_hessian_kron(W, X, reg))
        assert check_smallest_eigenvalue(eigs[0])
        assert check_smallest_eigenvalue(float(eigs[0]))

    def test_complex_with_zero_imaginary_part_passes(self):
        W, X, reg = eigenvalue_problem()
        eigs = np.linalg.eigvals(weight_hessian_kron(W, X, reg)).astype(complex)
        assert check_smallest_eigenvalue(eigs[np.argmin(eigs.real)])

    def test_truly_complex_is_wrong_type(self):
        assert check_smallest_eigenvalue(complex(0.05, 0.1)).status == "wrong type"

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_smallest_eigenvalue(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.05", np.linalg.eigvalsh, {"lam": 0.05}])
    def test_wrong_type(self, answer):
        assert check_smallest_eigenvalue(answer).status == "wrong type"

    def test_all_eigenvalues_is_wrong_shape(self):
        W, X, reg = eigenvalue_problem()
        fb = check_smallest_eigenvalue(np.linalg.eigvalsh(weight_hessian_kron(W, X, reg)))
        assert fb.status == "wrong shape" and "one number" in fb.hint

    def test_forgot_penalty(self):
        fb = check_smallest_eigenvalue(0.0)
        assert fb.status == "wrong value" and "without the penalty" in fb.hint

    def test_half_lambda(self):
        fb = check_smallest_eigenvalue(0.025)
        assert fb.status == "wrong value" and "not lambda / 2" in fb.hint

    def test_double_lambda(self):
        fb = check_smallest_eigenvalue(0.1)
        assert fb.status == "wrong value" and "not 2 lambda" in fb.hint

    def test_sign_error(self):
        fb = check_smallest_eigenvalue(-0.05)
        assert fb.status == "wrong value" and "sign" in fb.hint

    def test_smallest_nonzero_plus_lambda(self):
        W, X, reg = eigenvalue_problem()
        eigs = np.linalg.eigvalsh(weight_hessian_kron(W, X, 0.0))
        fb = check_smallest_eigenvalue(eigs[eigs > 1e-9].min() + reg)
        assert fb.status == "wrong value" and "zero eigenvalues" in fb.hint

    def test_smallest_nonzero_without_lambda(self):
        W, X, reg = eigenvalue_problem()
        eigs = np.linalg.eigvalsh(weight_hessian_kron(W, X, 0.0))
        fb = check_smallest_eigenvalue(eigs[eigs > 1e-9].min())
        assert fb.status == "wrong value" and "data term alone" in fb.hint

    def test_other_value_gets_general_hint(self):
        fb = check_smallest_eigenvalue(0.3)
        assert fb.status == "wrong value" and "shift directions" in fb.hint

    def test_tolerance(self):
        # atol=1e-8: rounding from eigvalsh (~1e-16) passes, 1e-6 does not.
        assert check_smallest_eigenvalue(0.05 + 1e-10)
        assert check_smallest_eigenvalue(0.05 + 1e-6).status == "wrong value"


# --------------------------------------------------------------------------
# regularized_loss(W, X, labels, reg)
# --------------------------------------------------------------------------

def regularized_loss_loop(W, X, labels, reg):
    """With math.log and an explicit max shift, example by example."""
    total = 0.0
    for x, label in zip(X, labels):
        z = x @ W
        m = max(z)
        lse = m + math.log(sum(math.exp(v - m) for v in z))
        total += lse - z[label]
    return total / len(X) + reg / 2 * float(np.sum(W ** 2))


def data_loss(W, X, labels):
    return helpers.cross_entropy(X @ W, labels)


class TestCheckRegularizedLoss:
    def test_reference_passes(self):
        assert check_regularized_loss(regularized_loss_loop)

    def test_helpers_version_passes(self):
        def with_helpers(W, X, labels, reg):
            return data_loss(W, X, labels) + 0.5 * reg * np.sum(W * W)
        assert check_regularized_loss(with_helpers)

    @pytest.mark.parametrize("answer", [todo, NOT_ATTEMPTED, None])
    def test_not_attempted(self, answer):
        assert check_regularized_loss(answer).status == "not attempted"

    def test_wrong_type_not_callable(self):
        assert check_regularized_loss(1.23).status == "wrong type"

    def test_wrong_type_returns_string(self):
        assert check_regularized_loss(lambda W, X, labels, reg: "1.0").status == "wrong type"

    def test_wrong_shape_per_example(self):
        def per_example(W, X, labels, reg):
            return (helpers.cross_entropy(X @ W, labels, reduction="none")
                    + 0.5 * reg * np.sum(W ** 2))
        fb = check_regularized_loss(per_example)
        assert fb.status == "wrong shape" and "one number" in fb.hint

    def test_missing_regularization(self):
        def no_reg(W, X, labels, reg):
            return data_loss(W, X, labels)
        assert "missing" in wrong_value_hint(check_regularized_loss, no_reg)

    def test_lambda_instead_of_half_lambda(self):
        def full(W, X, labels, reg):
            return data_loss(W, X, labels) + reg * np.sum(W ** 2)
        assert "factor 1/2" in wrong_value_hint(check_regularized_loss, full)

    def test_norm_not_squared(self):
        def norm(W, X, labels, reg):
            return data_loss(W, X, labels) + reg / 2 * np.linalg.norm(W)
        assert "squared norm" in wrong_value_hint(check_regularized_loss, norm)

    def test_mean_of_squares(self):
        def mean_sq(W, X, labels, reg):
            return data_loss(W, X, labels) + reg / 2 * np.mean(W ** 2)
        assert "not their mean" in wrong_value_hint(check_regularized_loss, mean_sq)

    def test_sum_over_batch(self):
        def summed(W, X, labels, reg):
            return len(X) * data_loss(W, X, labels) + reg / 2 * np.sum(W ** 2)
        assert "mean over the N examples" in wrong_value_hint(check_regularized_loss, summed)

    def test_penalty_divided_by_n(self):
        def inside(W, X, labels, reg):
            return np.mean(helpers.cross_entropy(X @ W, labels, reduction="none")
                           + reg / 2 * np.sum(W ** 2) / len(X))
        assert "not divided by N" in wrong_value_hint(check_regularized_loss, inside)

    def test_log10(self):
        def log10(W, X, labels, reg):
            log_p = helpers.log_softmax(X @ W) / np.log(10)
            return -np.mean(log_p[np.arange(len(X)), labels]) + reg / 2 * np.sum(W ** 2)
        assert "natural logarithm" in wrong_value_hint(check_regularized_loss, log10)

    def test_off_by_one_class(self):
        def one_based(W, X, labels, reg):
            log_p = helpers.log_softmax(X @ W)
            return -np.mean(log_p[np.arange(len(X)), labels - 1]) + reg / 2 * np.sum(W ** 2)
        assert "0-based" in wrong_value_hint(check_regularized_loss, one_based)

    def test_sign_error(self):
        def flipped(W, X, labels, reg):
            return -data_loss(W, X, labels) + reg / 2 * np.sum(W ** 2)
        assert "wrong sign" in wrong_value_hint(check_regularized_loss, flipped)

    def test_wrong_axis(self):
        def batch_axis(W, X, labels, reg):
            log_p = helpers.log_softmax(X @ W, axis=0)
            return -np.mean(log_p[np.arange(len(X)), labels]) + reg / 2 * np.sum(W ** 2)
        assert "batch axis" in wrong_value_hint(check_regularized_loss, batch_axis)

    def test_missing_max_subtraction_nan(self):
        def naive(W, X, labels, reg):
            P = naive_softmax(X @ W)
            with np.errstate(all="ignore"):
                return -np.mean(np.log(P[np.arange(len(X)), labels])) + reg / 2 * np.sum(W ** 2)
        assert "overflow" in wrong_value_hint(check_regularized_loss, naive)

    def test_missing_max_subtraction_inf(self):
        def naive_lse(W, X, labels, reg):
            Z = X @ W
            with np.errstate(all="ignore"):
                lse = np.log(np.sum(np.exp(Z), axis=1))
            return np.mean(lse - Z[np.arange(len(X)), labels]) + reg / 2 * np.sum(W ** 2)
        assert "overflow" in wrong_value_hint(check_regularized_loss, naive_lse)

    def test_small_error_beyond_tolerance_fails(self):
        def slightly_off(W, X, labels, reg):
            return regularized_loss_loop(W, X, labels, reg) + 1e-6
        assert check_regularized_loss(slightly_off).status == "wrong value"
