"""The exercises of the chapter on loss surfaces and convexity: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch06.*``.
"""

from __future__ import annotations


import numpy as np

from grading.mistakes import (diagonal_jacobians, jacobians, log_of_softmax, mean_nll,
                              shift_mistakes, shifted_log_softmax, unshifted_softmax)
from helpers.checks.cases import (BATCH_AXIS_HINT, BY_HAND, FAR_BELOW, LOG10_HINT,
                                  LOG_OF_SOFTMAX_HINT, OFF_BY_ONE_HINT, UNSTABLE, UNSTABLE_HINTS)
from helpers.checks.ch06 import eigenvalue_problem
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import cross_entropy, log_softmax, softmax, softmax_jacobian

# Hessians and losses in float64 agree with the references to ~1e-15 here.
HESSIAN = Tolerance(rtol=1e-6, atol=1e-12)
LOSS = Tolerance(rtol=1e-9, atol=1e-12)


def _no_outer(probs):
    return probs[:, :, None] * np.eye(probs.shape[1])


def _no_diag(probs):
    return -probs[:, :, None] * probs[:, None, :]


def _kron_mean(blocks: np.ndarray, X: np.ndarray, *, classes_first: bool = True) -> np.ndarray:
    """(1/N) sum_n A_n kron x_n x_n^T; ``classes_first=False`` orders like W.ravel()."""
    (N, C, _), D = blocks.shape, X.shape[1]
    H = np.einsum("nck,nd,ne->cdke" if classes_first else "nck,nd,ne->dcek", blocks, X, X)
    return H.reshape(C * D, C * D) / N


# -- The Hessian with respect to the logits, at a temperature --------------
def _hessian_logits(logits, temperature):
    return softmax_jacobian(logits / temperature) / temperature ** 2


def _hessians_with(softmax_of=softmax, *, blocks=jacobians, power=2):
    """The Hessians with one ingredient changed, as a learner might change it."""
    return lambda z, t: blocks(softmax_of(z / t)) / t ** power


HESSIAN_LOGITS = FunctionExercise(
    "hessian_logits", _hessian_logits,
    (Case((np.random.default_rng(60).normal(scale=2.0, size=(5, 3)), 0.5),
          why="N = 5 examples, C = 3 classes, T = 0.5"),
     Case((np.random.default_rng(61).normal(scale=2.0, size=(3, 3)), 2.0),
          why="a square batch (N = C) at T = 2, where a wrong axis still runs"),
     *(Case((np.array(z), 1.0), why=why) for z, why in UNSTABLE[:3]),
     Case((np.array(UNSTABLE[3][0]) / 2, 0.5), why="z / T has " + UNSTABLE[3][1]),
     Case((np.array(UNSTABLE[4][0]), 1.0), why=UNSTABLE[4][1]),
     Case((np.zeros((1, 2)), 0.25), why="one example, a tie, T = 0.25")),
    HESSIAN,
    (Mistake(_hessians_with(blocks=diagonal_jacobians),
             "Only the diagonal p_i (1 - p_i) is filled in, as if each logit acted on its "
             "own probability alone. The shared denominator couples them: the "
             "off-diagonal entries are -p_i p_j / T^2."),
     Mistake(lambda z, t: -_hessian_logits(z, t),
             "Every sign is flipped. The loss is convex, so its Hessian has a positive "
             "diagonal: (diag(p) - p p^T) / T^2."),
     Mistake(_hessians_with(blocks=_no_outer),
             "You have diag(p) but not the outer product: subtract p p^T, whose entry "
             "(i, j) is p_i p_j."),
     Mistake(_hessians_with(blocks=_no_diag),
             "The diagonal is missing its p_i term: the Hessian is diag(p) - p p^T, not -p p^T."),
     Mistake(_hessians_with(softmax, power=1),
             "The logits are divided by T twice on the way to the second derivative, so "
             "the chain rule gives 1 / T^2, not 1 / T."),
     Mistake(_hessians_with(softmax, power=0),
             "Right probabilities, but the chain-rule factor is missing: each derivative "
             "of z / T brings a factor 1 / T, so divide by T^2."),
     Mistake(lambda z, t: softmax_jacobian(z),
             "The temperature is missing: use p = softmax(z / T) and divide the matrix by T^2."),
     Mistake(_hessians_with(lambda u: softmax(u, axis=0)), BATCH_AXIS_HINT),
     Mistake(lambda z, t: _hessian_logits(z, t) / len(z),
             "Each example's Hessian is its own: do not divide by the batch size."),
     *shift_mistakes(_hessians_with, UNSTABLE_HINTS)),
    shape_hint="Return one C x C matrix per example: shape (N, C, C).",
    value_hint="Compute p = softmax(z / T) for every row, then "
               "(diag(p) - outer(p, p)) / T**2 for each.")


# -- The Hessian of softmax regression with respect to the weights ---------
def _weight_hessian(W, X, reg):
    return _kron_mean(softmax_jacobian(X @ W), X) + reg * np.eye(W.size)


def _weight_hessian_with(softmax_of=softmax, *, reg_factor=1.0, data_factor=1.0,
                         blocks=jacobians, classes_first=True):
    """The Hessian with one ingredient changed, as a learner might change it."""
    def hessian(W, X, reg):
        A = blocks(softmax_of(X @ W))                                    # (N, C, C)
        data = _kron_mean(A, X, classes_first=classes_first)
        factor = len(X) if data_factor is len else data_factor
        return factor * data + reg_factor * reg * np.eye(W.size)
    return hessian


def _layer_case(logits, why: str, reg: float = 0.01) -> Case:
    """W = I, so that the logits X @ W are X itself."""
    X = np.array(logits, dtype=float)
    return Case((np.eye(X.shape[1]), X, reg), why=f"X @ W has {why}")


_rng = np.random.default_rng(62)
WEIGHT_HESSIAN = FunctionExercise(
    "weight_hessian", _weight_hessian,
    (Case((_rng.normal(size=(2, 3)), _rng.normal(size=(5, 2)), 0.1),
          why="N = 5, D = 2, C = 3, reg = 0.1"),
     Case((_rng.normal(size=(3, 3)), _rng.normal(size=(4, 3)), 0.5),
          why="D = C = 3: the feature-by-feature order keeps the shape"),
     *(_layer_case(z, why) for z, why in UNSTABLE),
     Case((_rng.normal(size=(2, 2)), _rng.normal(size=(3, 2)), 0.0),
          why="two classes and no penalty")),
    HESSIAN,
    (Mistake(_weight_hessian_with(blocks=diagonal_jacobians),
             "Only diag(p_n (1 - p_n)) is used for A_n, as if the softmax acted on each logit "
             "separately. A_n = diag(p_n) - p_n p_n^T has off-diagonal entries -p_nc p_nk."),
     Mistake(_weight_hessian_with(reg_factor=-1.0, data_factor=-1.0),
             "Every sign is flipped. The loss is convex: its Hessian has a positive "
             "diagonal and the penalty adds +reg to it."),
     Mistake(_weight_hessian_with(data_factor=-1.0),
             "The data term has the wrong sign: A_n = diag(p_n) - p_n p_n^T, positive on "
             "the diagonal."),
     Mistake(_weight_hessian_with(blocks=_no_outer),
             "You have diag(p_n) but not the outer product: A_n = diag(p_n) - p_n p_n^T."),
     Mistake(_weight_hessian_with(reg_factor=0.0),
             "The regularisation term is missing: (reg / 2) ||W||^2 adds reg times the "
             "identity to the Hessian."),
     Mistake(_weight_hessian_with(reg_factor=0.5),
             "The second derivative of (reg / 2) w^2 is reg, not reg / 2: add "
             "reg * np.eye(C * D)."),
     Mistake(_weight_hessian_with(reg_factor=2.0),
             "The penalty is (reg / 2) ||W||^2, whose second derivative is reg, not 2 reg."),
     Mistake(_weight_hessian_with(data_factor=len),
             "The loss is the mean over the N examples, so its Hessian carries a factor 1 / N."),
     Mistake(_weight_hessian_with(classes_first=False),
             "The parameters are ordered feature by feature (like W.ravel()). Order them "
             "class by class (W.T.ravel()): the Hessian is "
             "(1/N) sum_n kron(A_n, outer(x_n, x_n)), with A_n first."),
     Mistake(_weight_hessian_with(lambda z: softmax(z, axis=0)), BATCH_AXIS_HINT),
     *shift_mistakes(_weight_hessian_with, UNSTABLE_HINTS)),
    shape_hint="Return one square matrix with C * D rows and columns, the parameters "
               "ordered class by class; reshape a (C, D, C, D) array if you built one.",
    value_hint="Build A_n = diag(p_n) - outer(p_n, p_n) for every example, combine it "
               "with outer(x_n, x_n) class by class, average over n and add reg * I.")


_W, _X, _REG = eigenvalue_problem()
_DATA_EIGS = np.linalg.eigvalsh(_weight_hessian(_W, _X, 0.0))            # ascending
_SMALLEST_POSITIVE = float(np.min(_DATA_EIGS[_DATA_EIGS > 1e-9]))

# The shift directions W + v 1^T have curvature 0, and the penalty adds
# lambda to every eigenvalue: the answer is lambda exactly, whatever the data.
SMALLEST_EIGENVALUE = ValueExercise(
    "lam_min", _REG, BY_HAND,
    [Mistake(0.0, "That is the smallest eigenvalue without the penalty. Adding "
                  "(lambda / 2) ||W||^2 adds lambda I to the Hessian."),
     Mistake(_REG / 2, "The second derivative of (lambda / 2) w^2 is lambda, not lambda / 2."),
     Mistake(2 * _REG, "The penalty is (lambda / 2) ||W||^2, whose second derivative is "
                       "lambda, not 2 lambda."),
     Mistake(-_REG, "The sign is flipped: the penalty adds lambda to every eigenvalue."),
     Mistake(_SMALLEST_POSITIVE + _REG,
             "That is the smallest non-zero eigenvalue of the data term plus lambda. The data term "
             "also has zero eigenvalues: along which directions does the loss not change at all?"),
     Mistake(_SMALLEST_POSITIVE,
             "That is the smallest non-zero eigenvalue of the data term alone. It has "
             "zero eigenvalues too, and the penalty adds lambda.")],
    shape_hint="Give only the smallest eigenvalue, as one number: for example "
               "lam_min = float(np.min(...)).",
    value_hint="Build the Hessian of the mean loss with respect to W, add lambda I, and take "
               "np.linalg.eigvalsh(...)[0]; or reason about the shift directions W + v 1^T.")


# -- The regularised loss ---------------------------------------------------
def _penalty(W, reg):
    return 0.5 * reg * np.sum(W ** 2)


def _regularized_loss(W, X, labels, reg):
    return float(cross_entropy(X @ W, labels) + _penalty(W, reg))


def _loss_with(log_probs_of=log_softmax, *, penalty=_penalty, data_factor=1.0):
    """The regularised loss with one ingredient changed, as a learner might change it."""
    def loss(W, X, labels, reg):
        factor = len(X) if data_factor is len else data_factor
        return factor * mean_nll(log_probs_of(X @ W), labels) + penalty(W, reg)
    return loss


def _loss_case(logits, labels, why: str) -> Case:
    """W = I, so that the logits X @ W are X itself; reg = 0.01."""
    X = np.array(logits, dtype=float)
    return Case((np.eye(X.shape[1]), X, np.array(labels), 0.01), why=f"X @ W has {why}")


_LABELS = (1, 0), (0, 2), (2, 0), (0, 0), (0, 1)       # one pair per UNSTABLE batch
REGULARIZED_LOSS = FunctionExercise(
    "regularized_loss", _regularized_loss,
    (Case((_rng.normal(size=(2, 3)), _rng.normal(size=(5, 2)), np.array([0, 2, 1, 1, 0]),
           0.1), why="N = 5, D = 2, C = 3, reg = 0.1"),
     Case((_rng.normal(size=(3, 3)), _rng.normal(size=(3, 3)), np.array([2, 0, 1]), 0.5),
          why="square logits (N = C = 3), where a wrong axis still runs"),
     *(_loss_case(z, y, why) for (z, why), y in zip(UNSTABLE, _LABELS)),
     _loss_case(FAR_BELOW[0], [0, 2], FAR_BELOW[1])),
    LOSS,
    (Mistake(_loss_with(penalty=lambda W, reg: 0.0),
             "The regularisation term is missing: add (reg / 2) * np.sum(W ** 2)."),
     Mistake(_loss_with(penalty=lambda W, reg: reg * np.sum(W ** 2)),
             "The book's convention is (reg / 2) ||W||^2, with the factor 1/2, so that the "
             "gradient of the penalty is reg * W."),
     Mistake(_loss_with(penalty=lambda W, reg: 0.5 * reg * np.sqrt(np.sum(W ** 2))),
             "Use the squared norm: np.sum(W ** 2), not its square root."),
     Mistake(_loss_with(penalty=lambda W, reg: 0.5 * reg * np.mean(W ** 2)),
             "||W||^2 is the sum of the squared entries, not their mean."),
     Mistake(_loss_with(data_factor=len),
             "The data term is the mean over the N examples, not the sum."),
     Mistake(lambda W, X, y, reg: cross_entropy(X @ W, y) + _penalty(W, reg) / len(X),
             "The penalty is added once, after the mean; it is not divided by N."),
     Mistake(_loss_with(data_factor=1 / np.log(10)), LOG10_HINT),
     *(Mistake(lambda W, X, y, reg, k=k: _regularized_loss(W, X, (y + k) % W.shape[1], reg),
               OFF_BY_ONE_HINT) for k in (1, -1)),
     Mistake(_loss_with(data_factor=-1.0),
             "The data term has the wrong sign: the loss is -log p of the true class, "
             "which is positive."),
     Mistake(_loss_with(lambda z: log_softmax(z, axis=0)), BATCH_AXIS_HINT),
     Mistake(_loss_with(log_of_softmax), LOG_OF_SOFTMAX_HINT),
     *shift_mistakes(_loss_with, UNSTABLE_HINTS, shifted_log_softmax),
     Mistake(_loss_with(lambda z: np.log(unshifted_softmax(z))), UNSTABLE_HINTS["zero"])),
    shape_hint="Return one number: average the per-example losses over the batch and add "
               "the penalty once.",
    value_hint="For each row, logsumexp(z) - z_y; average over the batch; add "
               "(reg / 2) * np.sum(W ** 2).")


EXERCISES = {"check_hessian_logits": (HESSIAN_LOGITS,), "check_weight_hessian": (WEIGHT_HESSIAN,),
             "check_smallest_eigenvalue": (SMALLEST_EIGENVALUE,),
             "check_regularized_loss": (REGULARIZED_LOSS,)}
