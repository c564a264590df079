"""What the chapter 6 checks must judge right, beyond tests/test_exercises.py.

Right answers written other ways pass (loops, np.kron, blocks, np.einsum,
broadcasting, math.log); the references agree with finite differences of
the gradient; wrong answers written the way a learner would write them,
independently of the module's list, fail with the hint for their
instability; the stated tolerances hold at their boundaries; the
eigenvalue worked out by hand does not print the answer.
"""

import math

import numpy as np
import pytest
from scipy.special import logsumexp

import helpers
from grading.ch06 import HESSIAN_LOGITS, WEIGHT_HESSIAN
from helpers.checks.ch06 import (check_hessian_logits, check_regularized_loss,
                                 check_smallest_eigenvalue, check_weight_hessian,
                                 eigenvalue_problem)

CLOSE = "Close: right to two significant digits. Give more digits."


def softmax_shifted_by(shift):
    """A learner's softmax over rows that subtracts `shift(z)`."""
    def probs(z):
        e = np.exp(z - shift(z))
        return e / e.sum(axis=-1, keepdims=True)
    return probs


SHIFTS = [
    (lambda z: z.min(axis=-1, keepdims=True), "row minimum", "spread of 1000"),
    (lambda z: z.mean(axis=-1, keepdims=True), "row mean", "[800, 0, -800]"),
    (lambda z: 0.0, "overflow", "+1000"),
    (lambda z: z.max(), "whole batch", "batch maximum"),
]


def judged(check, func):
    with np.errstate(all="ignore"):
        return check(func)


# -- hessian_logits(logits, temperature) ------------------------------------

def hessian_loop(logits, temperature):
    """Entry by entry, p_i (delta_ij - p_j) / T^2."""
    out = []
    for row in logits:
        p = helpers.softmax(row / temperature)
        out.append([[p[i] * ((i == j) - p[j]) for j in range(len(p))] for i in range(len(p))])
    return np.array(out) / temperature ** 2


def hessian_diag_outer(logits, temperature):
    rows = helpers.softmax(logits / temperature)
    return np.stack([np.diag(p) - np.outer(p, p) for p in rows]) / temperature ** 2


def hessian_einsum(logits, temperature):
    p = np.exp(helpers.log_softmax(logits / temperature))
    C = p.shape[1]
    return (np.einsum("ni,ij->nij", p, np.eye(C)) - np.einsum("ni,nj->nij", p, p)) / temperature**2


@pytest.mark.parametrize("func", [hessian_loop, hessian_diag_outer, hessian_einsum])
def test_hessian_logits_written_other_ways_passes(func):
    fb = check_hessian_logits(func)
    assert fb.status == "correct", str(fb)


def test_hessian_logits_reference_matches_finite_differences():
    # Central differences of the analytic gradient (p - e_y) / T, h = 1e-6:
    # truncation ~h^2, rounding ~eps/h, so agreement to 1e-7 absolute.
    z, T = np.array([0.3, -1.2, 2.0]), 0.5

    def grad(v):
        return (helpers.softmax(v / T) - np.eye(3)[1]) / T

    fd = np.array([helpers.numerical_gradient(lambda v, i=i: grad(v)[i], z) for i in range(3)])
    np.testing.assert_allclose(HESSIAN_LOGITS.reference(z[None], T)[0], fd, atol=1e-7)


@pytest.mark.parametrize("shift, words, where", SHIFTS)
def test_hessian_logits_instability_gets_its_hint(shift, words, where):
    probs = softmax_shifted_by(shift)

    def hessian(logits, temperature):
        p = probs(logits / temperature)
        return (p[:, :, None] * np.eye(p.shape[1]) - p[:, :, None] * p[:, None, :]) / temperature**2
    fb = judged(check_hessian_logits, hessian)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert where in fb.message, str(fb)


def test_hessian_logits_tolerance_is_rtol_1e_6():
    assert check_hessian_logits(lambda z, t: hessian_diag_outer(z, t) * (1 + 1e-7))
    assert check_hessian_logits(lambda z, t: hessian_diag_outer(z, t) * (1 + 1e-5)).status \
        == "wrong value"


def test_hessian_logits_one_vector_per_example_is_wrong_shape():
    def diagonal_vector(logits, temperature):
        p = helpers.softmax(logits / temperature)
        return p * (1 - p) / temperature ** 2
    fb = check_hessian_logits(diagonal_vector)
    assert fb.status == "wrong shape" and "(N, C, C)" in fb.hint


# -- weight_hessian(W, X, reg) ----------------------------------------------

def weight_hessian_kron(W, X, reg):
    """One Kronecker product per example."""
    C, D = W.shape[1], W.shape[0]
    H = np.zeros((C * D, C * D))
    for x in X:
        p = helpers.softmax(x @ W)
        H += np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x))
    return H / len(X) + reg * np.eye(C * D)


def weight_hessian_blocks(W, X, reg):
    """Block (c, k) is X^T diag(p_c (delta_ck - p_k)) X / N."""
    P = helpers.softmax(X @ W)
    N, C = P.shape
    rows = [[X.T @ (X * (P[:, c] * ((c == k) - P[:, k]))[:, None]) / N for k in range(C)]
            for c in range(C)]
    return np.block(rows) + reg * np.eye(W.size)


def weight_hessian_broadcast(W, X, reg):
    P = helpers.softmax(X @ W)                                            # (N, C)
    A = P[:, :, None] * np.eye(P.shape[1]) - P[:, :, None] * P[:, None, :]
    H = (A[:, :, None, :, None] * X[:, None, :, None, None] * X[:, None, None, None, :]).mean(0)
    return H.reshape(W.size, W.size) + reg * np.eye(W.size)


@pytest.mark.parametrize("func", [weight_hessian_kron, weight_hessian_blocks,
                                  weight_hessian_broadcast])
def test_weight_hessian_written_other_ways_passes(func):
    fb = check_weight_hessian(func)
    assert fb.status == "correct", str(fb)


def test_weight_hessian_reference_matches_finite_differences():
    # Central differences of the gradient X^T (P - Y) / N + reg W, the
    # parameters ordered class by class; agreement to 1e-7 absolute.
    rng = np.random.default_rng(0)
    X, W, labels, reg = rng.normal(size=(5, 2)), rng.normal(size=(2, 3)), [0, 2, 1, 1, 0], 0.3

    def grad(theta):
        Wt = theta.reshape(3, 2).T
        return (X.T @ helpers.cross_entropy_grad(X @ Wt, labels) + reg * Wt).T.ravel()
    theta = W.T.ravel()
    fd = np.array([helpers.numerical_gradient(lambda v, i=i: grad(v)[i], theta) for i in range(6)])
    np.testing.assert_allclose(WEIGHT_HESSIAN.reference(W, X, reg), fd, atol=1e-7)


@pytest.mark.parametrize("shift, words, where", SHIFTS)
def test_weight_hessian_instability_gets_its_hint(shift, words, where):
    probs = softmax_shifted_by(shift)

    def hessian(W, X, reg):
        H = sum(np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x))
                for p, x in zip(probs(X @ W), X))
        return H / len(X) + reg * np.eye(W.size)
    fb = judged(check_weight_hessian, hessian)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert where in fb.message, str(fb)


def test_weight_hessian_tolerance_is_rtol_1e_6():
    assert check_weight_hessian(lambda W, X, reg: weight_hessian_kron(W, X, reg) * (1 + 1e-7))
    fb = check_weight_hessian(lambda W, X, reg: weight_hessian_kron(W, X, reg) * (1 + 1e-5))
    assert fb.status == "wrong value", str(fb)


def test_weight_hessian_four_dimensional_is_wrong_shape():
    def four_d(W, X, reg):
        D, C = W.shape
        return weight_hessian_kron(W, X, reg).reshape(C, D, C, D)
    fb = check_weight_hessian(four_d)
    assert fb.status == "wrong shape" and "C * D" in fb.hint


# -- the smallest eigenvalue: three significant digits ----------------------

def test_eigenvalue_problem_is_fresh_each_time():
    first = eigenvalue_problem()
    first.W[0, 0] = 99.0
    assert eigenvalue_problem().W[0, 0] == 0.5


def _eigenvalues(reg):
    W, X, _ = eigenvalue_problem()
    return np.linalg.eigvalsh(weight_hessian_kron(W, X, reg))


@pytest.mark.parametrize("answer", [
    0.05, eigenvalue_problem().reg, _eigenvalues(0.05)[0], float(_eigenvalues(0.05)[0]),
    np.float32(0.05), 0.05004, 0.04996,
])
def test_smallest_eigenvalue_written_other_ways_passes(answer):
    fb = check_smallest_eigenvalue(answer)
    assert fb.status == "correct", str(fb)


def test_complex_eigenvalue_with_zero_imaginary_part_passes():
    W, X, reg = eigenvalue_problem()
    eigs = np.linalg.eigvals(weight_hessian_kron(W, X, reg)).astype(complex)
    assert check_smallest_eigenvalue(eigs[np.argmin(eigs.real)])
    assert check_smallest_eigenvalue(complex(0.05, 0.1)).status == "wrong type"


def test_smallest_eigenvalue_to_two_digits_is_close():
    for answer in (0.0501, 0.0498):
        fb = check_smallest_eigenvalue(answer)
        assert fb.status == "wrong value" and fb.hint == CLOSE, str(fb)


@pytest.mark.parametrize("answer", [0.3, 1.0, 0.07])
def test_a_wrong_eigenvalue_does_not_show_the_answer(answer):
    fb = check_smallest_eigenvalue(answer)
    assert fb.status == "wrong value" and fb.hint
    assert "0.05" not in fb.message, str(fb)


def test_all_eigenvalues_is_wrong_shape():
    fb = check_smallest_eigenvalue(_eigenvalues(0.05))
    assert fb.status == "wrong shape" and "one number" in fb.hint


# -- regularized_loss(W, X, labels, reg) ------------------------------------

def loss_loop(W, X, labels, reg):
    """math.log and an explicit max shift, example by example."""
    total = 0.0
    for x, label in zip(X, labels):
        z = (x @ W).tolist()
        m = max(z)
        total += m + math.log(sum(math.exp(v - m) for v in z)) - z[label]
    return total / len(X) + reg / 2 * float(np.sum(W ** 2))


def loss_logsumexp(W, X, labels, reg):
    Z = X @ W
    return np.mean(helpers.logsumexp(Z, axis=-1) - Z[np.arange(len(labels)), labels]) \
        + 0.5 * reg * np.einsum("dc,dc->", W, W)


def loss_log_softmax(W, X, labels, reg):
    log_p = helpers.log_softmax(X @ W)
    return -np.take_along_axis(log_p, labels[:, None], axis=1).mean() \
        + reg / 2 * np.linalg.norm(W) ** 2


def loss_scipy(W, X, labels, reg):
    Z = X @ W
    return float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(X)), labels])
                 + reg * np.vdot(W, W) / 2)


def loss_logaddexp(W, X, labels, reg):
    Z = X @ W
    return np.mean(np.logaddexp.reduce(Z, axis=1) - Z[np.arange(len(X)), labels]) \
        + 0.5 * reg * (W ** 2).sum()


@pytest.mark.parametrize("func", [loss_loop, loss_logsumexp, loss_log_softmax, loss_scipy,
                                  loss_logaddexp])
def test_regularized_loss_written_other_ways_passes(func):
    fb = check_regularized_loss(func)
    assert fb.status == "correct", str(fb)


def loss_shifted_by(shift):
    def loss(W, X, labels, reg):
        Z = X @ W
        s = shift(Z)
        log_p = Z - s - np.log(np.sum(np.exp(Z - s), axis=1, keepdims=True))
        return -np.mean(log_p[np.arange(len(X)), labels]) + reg / 2 * np.sum(W ** 2)
    return loss


def loss_log_of_softmax(W, X, labels, reg):
    P = helpers.softmax(X @ W)
    return -np.mean(np.log(P[np.arange(len(X)), labels])) + reg / 2 * np.sum(W ** 2)


@pytest.mark.parametrize("func, words, where", [
    *((loss_shifted_by(shift), words, where) for shift, words, where in SHIFTS),
    (loss_log_of_softmax, "log(softmax(z))", "2000 below"),
])
def test_regularized_loss_instability_gets_its_hint(func, words, where):
    fb = judged(check_regularized_loss, func)
    assert fb.status == "wrong value" and words in fb.hint, str(fb)
    assert where in fb.message, str(fb)


def test_regularized_loss_tolerance_is_rtol_1e_9():
    assert check_regularized_loss(lambda *args: loss_loop(*args) * (1 + 1e-10))
    assert check_regularized_loss(lambda *args: loss_loop(*args) * (1 + 1e-8)).status \
        == "wrong value"


def test_regularized_loss_per_example_is_wrong_shape():
    def per_example(W, X, labels, reg):
        return (helpers.cross_entropy(X @ W, labels, reduction="none")
                + 0.5 * reg * np.sum(W ** 2))
    fb = check_regularized_loss(per_example)
    assert fb.status == "wrong shape" and "one number" in fb.hint
