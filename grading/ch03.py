"""The exercises of the chapter on the softmax Jacobian: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch03.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import diagonal_jacobians, jacobians, unshifted_softmax
from helpers.checks.cases import BATCH_AXIS_HINT, BY_HAND, overflow_hint
from helpers.checks.ch03 import HAND_LOGITS, TWO_CLASS_LOGITS
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import sigmoid, softmax, softmax_jacobian

# Broadcasting, einsum and loops in float64 all agree with the reference to ~1e-15 here.
_CODE = Tolerance(rtol=1e-6, atol=1e-12)

_OVERFLOW_HINT = overflow_hint(1000)


# --- The Jacobian by hand, at (ln 2, 0, 0): p = (1/2, 1/4, 1/4) --------------
_PROBS = softmax(np.array(HAND_LOGITS))
_J = softmax_jacobian(np.array(HAND_LOGITS))
_EXPS = np.exp(np.array(HAND_LOGITS))                                   # (2, 1, 1)
JACOBIAN_BY_HAND = ValueExercise(
    "jac", _J, BY_HAND,
    [Mistake(np.diag(_PROBS * (1 - _PROBS)),
             "Only the diagonal is filled in. Each p_i also depends on the other logits "
             "through the shared denominator: the off-diagonal entries are -p_i p_j."),
     Mistake(-_J, "Every sign is flipped. Raising z_i raises p_i, so the diagonal must be "
                  "positive: J = diag(p) - p p^T."),
     Mistake(-np.outer(_PROBS, _PROBS), "The diagonal is missing its p_i term: for i = j the "
             "quotient rule gives p_i - p_i^2 = p_i (1 - p_i)."),
     Mistake(np.diag(_PROBS), "You have diag(p) but not the outer product: subtract p p^T, "
                          "whose entry (i, j) is p_i p_j."),
     Mistake(jacobians(_EXPS), "Normalise first: p = e^z / sum(e^z) = (1/2, 1/4, 1/4), "
             "not the exponentials (2, 1, 1).")],
    shape_hint="The Jacobian of a softmax over 3 classes is a 3 x 3 matrix: entry (i, j) "
               "is the derivative of p_i with respect to z_j.",
    value_hint="Start from p = (1/2, 1/4, 1/4) and use J_ij = p_i (delta_ij - p_j).")


# --- Two classes: the non-zero eigenvalue at (2, 0) --------------------------
_P = float(sigmoid(TWO_CLASS_LOGITS[0] - TWO_CLASS_LOGITS[1]))
TWO_CLASS_EIGENVALUE = ValueExercise(
    "lam", 2 * _P * (1 - _P), BY_HAND,                                  # 0.20999
    [Mistake(_P * (1 - _P), "That is a diagonal entry of J, not an eigenvalue. Apply J to "
             "the vector (1, -1) and see which multiple of (1, -1) comes out."),
     Mistake(0.0, "0 is the eigenvalue of the direction (1, 1), where the softmax does not "
                  "change at all. The exercise asks for the other one."),
     # 2 p (1 - p) is exactly 1/2 at a tie, p = 1/2: the largest it can be.
     Mistake(0.5, "1/2 is the eigenvalue when both logits are equal. Here z = (2, 0), so "
                  "p = (sigma(2), sigma(-2))."),
     Mistake(_P, "That is the probability sigma(2) itself; the eigenvalue is built from "
                 "sigma(2) and 1 - sigma(2).")],
    shape_hint="Give only the non-zero eigenvalue, as one number: for example lam = float(...).",
    value_hint="For C = 2, J = p_0 p_1 [[1, -1], [-1, 1]]; its eigenvectors are (1, 1) "
               "and (1, -1).")


# --- The Jacobian with a temperature, for a batch ----------------------------
def _tempered_jacobian(logits: np.ndarray, temperature: float) -> np.ndarray:
    return softmax_jacobian(logits / temperature) / temperature


def _squared_columns(z, t):
    p = softmax(z / t)
    return (p[..., :, None] * np.eye(z.shape[-1]) - (p ** 2)[..., None, :]) / t


_RNG = np.random.default_rng(3)
# Logits near 1000 overflow exp; (800, 0, -800) also overflows a shift by its minimum or mean.
_HUGE = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -999.5], [800.0, 0.0, -800.0]])
TEMPERED_JACOBIAN = FunctionExercise(
    "tempered_jacobian", _tempered_jacobian,
    [Case((_RNG.normal(scale=2.0, size=(4, 3)), 0.5), why="N != C and T = 0.5"),
     Case((_RNG.normal(scale=2.0, size=(2, 5)), 3.0), why="N != C and T = 3"),
     Case((_HUGE, 1.0), why="logits near 1000 and the row (800, 0, -800)"),
     Case((np.zeros((1, 2)), 0.25), why="one row, a tie")],
    _CODE,
    [Mistake(lambda z, t: diagonal_jacobians(softmax(z / t)) / t,
             "Only the diagonal p_i (1 - p_i) is filled in, as if the softmax acted on each logit "
             "separately. Each p_i also depends on every other logit: the off-diagonal entries "
             "are -p_i p_j / T."),
     Mistake(lambda z, t: -_tempered_jacobian(z, t), "Every sign is flipped: "
             "J = (diag(p) - p p^T) / T, positive on the diagonal."),
     Mistake(lambda z, t: softmax_jacobian(z), "The temperature is missing: use "
             "p = softmax(z / T), and divide the result by T."),
     Mistake(lambda z, t: softmax_jacobian(z / t), "Right probabilities, but the chain rule "
             "is missing a factor: d(z / T)/dz = 1 / T, so divide the whole matrix by T."),
     Mistake(lambda z, t: softmax_jacobian(z / t) * t, "The chain-rule factor is 1 / T, "
             "not T: divide by the temperature."),
     Mistake(_squared_columns, "The outer product is wrong: entry (i, j) must be p_i p_j. "
             "Broadcast as probs[:, :, None] * probs[:, None, :] (or einsum 'ni,nj->nij')."),
     Mistake(lambda z, t: jacobians(softmax(z / t, axis=0)) / t, BATCH_AXIS_HINT),
     Mistake(lambda z, t: jacobians(unshifted_softmax(z / t)) / t, _OVERFLOW_HINT)],
    shape_hint="Return one C x C Jacobian per row: shape (N, C, C).",
    value_hint="For each row, p = softmax(z / T) and J = (diag(p) - p p^T) / T.")


# --- A batched Jacobian-vector product ---------------------------------------
def _jvp(logits: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    # An independent route: form every Jacobian and multiply.
    return np.einsum("nij,nj->ni", softmax_jacobian(logits), vectors)


def _minus_average(probs, v, average):
    return probs * (v - average)


_RNG_JVP = np.random.default_rng(4)
BATCHED_JVP = FunctionExercise(
    "batched_jvp", _jvp,
    [Case((_RNG_JVP.normal(scale=2.0, size=(3, 3)), _RNG_JVP.normal(size=(3, 3))),
          why="a square batch, where a missing keepdims broadcasts without an error"),
     Case((_RNG_JVP.normal(scale=2.0, size=(5, 4)), _RNG_JVP.normal(size=(5, 4))), why="N != C"),
     Case((np.array([[1000.0, 999.0, 990.0], [-1000.0, -1002.0, -1001.0],
                     [800.0, 0.0, -800.0]]), _RNG_JVP.normal(size=(3, 3))),
          why="logits near 1000 and the row (800, 0, -800)"),
     Case((_RNG_JVP.normal(size=(2, 4)), np.ones((2, 4))),
          why="the direction (1, ..., 1), which J sends to 0")],
    _CODE,
    [Mistake(lambda z, v: softmax(z) * v, "That is diag(p) v alone. Moving one logit moves every "
             "probability, so subtract each row's weighted average: p * (v - sum_j p_j v_j)."),
     Mistake(lambda z, v: -_jvp(z, v), "The sign is flipped: J v = p * (v - p . v), not "
                                       "p * (p . v - v)."),
     Mistake(lambda z, v: _minus_average(softmax(z), v, np.sum(softmax(z) * v, axis=-1)),
             "The row averages were broadcast along the wrong axis. Keep one average per "
             "row with keepdims=True (shape (N, 1))."),
     Mistake(lambda z, v: _minus_average(softmax(z), v, np.sum(softmax(z) * v)),
             "The average was taken over the whole batch. Sum over the class axis only "
             "(axis=-1, keepdims=True): each row has its own average."),
     Mistake(lambda z, v: _minus_average(softmax(z), v, np.sum(v, axis=-1, keepdims=True)),
             "The average must be weighted by the probabilities: sum_j p_j v_j, not sum_j v_j."),
     Mistake(lambda z, v: _minus_average(softmax(z), v, np.mean(v, axis=-1, keepdims=True)),
             "The average must be weighted by the probabilities p_j, not the plain mean of v."),
     Mistake(lambda z, v: _minus_average(
         softmax(z, axis=0), v, np.sum(softmax(z, axis=0) * v, axis=-1, keepdims=True)),
         BATCH_AXIS_HINT),
     Mistake(lambda z, v: _minus_average(
         unshifted_softmax(z), v, np.sum(unshifted_softmax(z) * v, axis=-1, keepdims=True)),
         _OVERFLOW_HINT)],
    shape_hint="Return one product per row: shape (N, C), like `vectors`.",
    value_hint="Row by row, J v = p * (v - p . v), with p = softmax(z) and p . v the "
               "probability-weighted average of v.")


EXERCISES = {"check_jacobian_by_hand": (JACOBIAN_BY_HAND,),
             "check_two_class_eigenvalue": (TWO_CLASS_EIGENVALUE,),
             "check_tempered_jacobian": (TEMPERED_JACOBIAN,), "check_batched_jvp": (BATCHED_JVP,)}
