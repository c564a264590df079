"""Tests for the exercise checks of the chapter on the softmax Jacobian.

``tests/test_exercises.py`` checks every exercise's reference, placeholder
and listed mistakes.  Here: right answers written other ways (exact
fractions, rounded decimals, loops, ``np.einsum``, a learner's own stable
softmax), the tolerance boundaries the exercise texts state (three
significant digits by hand, rtol 1e-6 and atol 1e-12 for code), that a
by-hand answer is never revealed, and that a softmax shifted by its row
minimum fails on logits near 1000 and the row (800, 0, -800).  The
expected values are the closed forms: p = (1/2, 1/4, 1/4) at (ln 2, 0, 0),
and 2 p (1 - p) with p = sigma(2) for two classes.
"""

import numpy as np
import pytest

import helpers
from helpers.checks.ch03 import (HAND_LOGITS, TWO_CLASS_LOGITS, check_batched_jvp,
                                 check_jacobian_by_hand, check_tempered_jacobian,
                                 check_two_class_eigenvalue)

CLOSE = "Close: right to two significant digits. Give more digits."


def own_softmax(logits, shift=np.max):
    weights = np.exp(logits - shift(logits, axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------
# The Jacobian by hand
# --------------------------------------------------------------------------

EXACT = np.array([[1 / 4, -1 / 8, -1 / 8],
                  [-1 / 8, 3 / 16, -1 / 16],
                  [-1 / 8, -1 / 16, 3 / 16]])


class TestCheckJacobianByHand:
    def test_hand_logits_give_the_stated_probabilities(self):
        np.testing.assert_allclose(helpers.softmax(np.array(HAND_LOGITS)),
                                   [0.5, 0.25, 0.25], rtol=1e-15)

    @pytest.mark.parametrize("answer", [
        EXACT, EXACT.T.tolist(),                           # J is symmetric
        [[0.25, -0.125, -0.125], [-0.125, 0.188, -0.0625], [-0.125, -0.0625, 0.187]],
        [[p_i * ((i == j) - p_j) for j, p_j in enumerate([0.5, 0.25, 0.25])]
         for i, p_i in enumerate([0.5, 0.25, 0.25])]])
    def test_right_answers_written_other_ways_pass(self, answer):
        fb = check_jacobian_by_hand(answer)
        assert fb, str(fb)

    def test_two_digits_are_close(self):
        # -1/16 = -0.0625; -0.063 is right to two significant digits only.
        answer = EXACT.copy()
        answer[1, 2] = answer[2, 1] = -0.063
        fb = check_jacobian_by_hand(answer)
        assert fb.status == "wrong value" and fb.hint == CLOSE

    def test_other_wrong_value_is_not_revealed(self):
        # The Jacobian at (2, 0, 0), misreading ln 2 as 2.
        fb = check_jacobian_by_hand(helpers.softmax_jacobian(np.array([2.0, 0.0, 0.0])))
        assert fb.status == "wrong value" and "p = (1/2, 1/4, 1/4)" in fb.hint
        assert "0.25" not in fb.message and "0.1875" not in fb.message


# --------------------------------------------------------------------------
# Two classes: the non-zero eigenvalue at (2, 0)
# --------------------------------------------------------------------------

LAM = 2 * np.exp(2.0) / (1 + np.exp(2.0)) ** 2          # 0.20999


class TestCheckTwoClassEigenvalue:
    @pytest.mark.parametrize("answer", [
        0.210, 0.21, np.float32(LAM),
        np.linalg.eigvalsh(helpers.softmax_jacobian(np.array(TWO_CLASS_LOGITS)))[-1],
        complex(LAM, 0.0), np.complex128(LAM)])
    def test_right_answers_written_other_ways_pass(self, answer):
        assert check_two_class_eigenvalue(answer)

    def test_truly_complex_is_wrong_type(self):
        assert check_two_class_eigenvalue(complex(LAM, 0.1)).status == "wrong type"

    def test_wrong_second_digit_fails(self):
        assert not check_two_class_eigenvalue(0.2)
        assert not check_two_class_eigenvalue(0.211)

    def test_the_tie_value_is_exactly_one_half(self):
        # At a tie, p = 1/2 and 2 p (1 - p) = 1/2 exactly: the largest eigenvalue
        # there is, and a known mistake here.
        tie = np.linalg.eigvalsh(helpers.softmax_jacobian(np.zeros(2)))[-1]
        assert tie == 0.5
        assert "both logits are equal" in check_two_class_eigenvalue(tie).hint

    def test_wrong_value_is_not_revealed(self):
        p = 100 / 101                                      # 10^z instead of e^z
        fb = check_two_class_eigenvalue(2 * p * (1 - p))
        assert fb.status == "wrong value" and "eigenvectors" in fb.hint
        assert "0.21" not in str(fb)


# --------------------------------------------------------------------------
# The Jacobian with a temperature, for a batch
# --------------------------------------------------------------------------

def tempered_einsum(logits, temperature):
    probs = helpers.softmax(logits / temperature)
    eye = np.eye(probs.shape[1])
    return (np.einsum("ni,ij->nij", probs, eye)
            - np.einsum("ni,nj->nij", probs, probs)) / temperature


def tempered_loop(logits, temperature):
    out = []
    for row in logits:
        p = own_softmax(row / temperature)
        out.append((np.diag(p) - np.outer(p, p)) / temperature)
    return np.array(out)


class TestCheckTemperedJacobian:
    @pytest.mark.parametrize("func", [tempered_einsum, tempered_loop])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_tempered_jacobian(func)
        assert fb, str(fb)

    def test_softmax_shifted_by_its_minimum_fails(self):
        def min_shifted(logits, temperature):
            p = own_softmax(logits / temperature, shift=np.min)
            return p[:, :, None] * np.eye(p.shape[1]) - p[:, :, None] * p[:, None, :]
        fb = check_tempered_jacobian(lambda z, t: min_shifted(z, t) / t)
        assert fb.status == "wrong value" and "1000" in fb.message

    def test_tolerance_boundary(self):
        assert check_tempered_jacobian(lambda z, t: tempered_einsum(z, t) * (1 + 5e-7))
        assert not check_tempered_jacobian(lambda z, t: tempered_einsum(z, t) * (1 + 5e-6))


# --------------------------------------------------------------------------
# A batched Jacobian-vector product
# --------------------------------------------------------------------------

def jvp_full_jacobians(logits, vectors):
    return np.einsum("nij,nj->ni", tempered_einsum(logits, 1.0), vectors)


def jvp_loop(logits, vectors):
    rows = []
    for z, v in zip(logits, vectors):
        p = own_softmax(z)
        rows.append(p * (v - p @ v))
    return np.array(rows)


class TestCheckBatchedJvp:
    @pytest.mark.parametrize("func", [jvp_full_jacobians, jvp_loop])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_batched_jvp(func)
        assert fb, str(fb)

    def test_softmax_shifted_by_its_mean_fails(self):
        def mean_shifted(logits, vectors):
            p = own_softmax(logits, shift=np.mean)
            return p * (vectors - np.sum(p * vectors, axis=-1, keepdims=True))
        fb = check_batched_jvp(mean_shifted)
        assert fb.status == "wrong value" and "800" in fb.message

    def test_tolerance_boundary(self):
        assert check_batched_jvp(lambda z, v: jvp_loop(z, v) * (1 + 5e-7))
        assert not check_batched_jvp(lambda z, v: jvp_loop(z, v) * (1 + 5e-6))
