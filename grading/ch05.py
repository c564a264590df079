"""The exercises of the chapter on the cross-entropy gradient: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch05.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import grad_from_probs, one_hot, shift_mistakes
from helpers.checks.cases import (BATCH_AXIS_HINT, BY_HAND, OFF_BY_ONE_HINT, UNSTABLE,
                                  UNSTABLE_HINTS, labelled_case)
from helpers.checks.ch05 import DEBUG_LABELS, DEBUG_LOGITS, ENTRY_LABELS, ENTRY_LOGITS, buggy_grad
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import cross_entropy, cross_entropy_grad, numerical_gradient, softmax

# Gradients in float64 agree with helpers.cross_entropy_grad to ~1e-15 here.
CODE = Tolerance(rtol=1e-6, atol=1e-12)


def _grad_with(softmax_of, *, scale=1.0):
    """(P - Y) / N from the probabilities `softmax_of` gives, times `scale` (`len`: N)."""
    return lambda z, y: (len(z) if scale is len else scale) * grad_from_probs(softmax_of(z), y)


# -- A gradient entry by hand ----------------------------------------------
_Z, _Y = np.array(ENTRY_LOGITS), np.array(ENTRY_LABELS)                  # (2, 3), (2,)
_G, _S = cross_entropy_grad(_Z, _Y), softmax(_Z)
GRADIENT_ENTRY = ValueExercise(
    "entry", _G[0, 0], BY_HAND,
    [Mistake(2 * _G[0, 0], "That is the gradient of the first example's own loss. The "
             "loss is the mean over N = 2 examples, so every entry is divided by 2."),
     Mistake(-_G[0, 0], "The sign is flipped: the gradient is (p - e_y) / N, and class 0 "
             "is not the true class, so its entry is positive."),
     Mistake(0.0, "0 is what you get if the softmax is treated as elementwise, so that "
             "only the true class's probability depends on its logit. Raising z_0 lowers "
             "p_1 through the shared denominator."),
     Mistake(_S[0, 0] * (1 - _S[0, 0]) / 2, "That is the diagonal Jacobian entry p_0 (1 - p_0) / "
             "2. Apply the chain rule through the whole loss: dL/dz = (p - e_y) / N."),
     Mistake(_G[0, 1], "That is the entry for class 1, the true class. The exercise asks "
             "for column 0."),
     Mistake(_G[1, 0], "That is the entry of the second example (row 1). The exercise "
             "asks for row 0."),
     Mistake((_S[0, 0] - 1) / 2, "You treated class 0 as the true class. Labels count "
             "from 0: the label 1 is the second class.")],
    shape_hint="Give only the entry in row 0, column 0, as one number.",
    value_hint="Compute the probabilities of row 0 first: the exponentials are 3, 1 and 1.")


# -- The gradient with respect to the logits, for a batch ------------------
_rng = np.random.default_rng(5)
_LABELS = [1, 0], [0, 2], [2, 0], [1, 0], [0, 1]                        # one pair per batch
_UNSTABLE = [(z, y, why) for (z, why), y in zip(UNSTABLE, _LABELS)]
LOGITS_CASES = (
    labelled_case(_rng.normal(scale=2.0, size=(3, 3)), [2, 0, 1],
                 "a square batch (N = C), where a wrong axis or P[labels] still runs"),
    labelled_case(_rng.normal(scale=2.0, size=(5, 4)), [3, 1, 0, 3, 2], "N = 5, C = 4"),
    *(labelled_case(*case) for case in _UNSTABLE),
    labelled_case(_rng.normal(size=(1, 6)), [5], "a batch of one"),
)


def _whole_rows(z, y):
    grad = softmax(z)
    grad[y] -= 1                                   # rows, not (row, label) pairs
    return grad / len(z)


GRAD_LOGITS = FunctionExercise(
    "grad_logits", cross_entropy_grad, LOGITS_CASES, CODE,
    (Mistake(lambda z, y: -one_hot(y, z.shape[1]) * (1 - softmax(z)) / len(z),
             "Only the true class has a non-zero gradient, as if the softmax were elementwise and "
             "acted on each logit separately (the diagonal p_i (1 - p_i) of the Jacobian only). "
             "Every logit changes every probability: the gradient is (P - Y) / N."),
     Mistake(_grad_with(softmax, scale=len),
             "The loss is the mean over the batch, so divide by the number of examples "
             "N = logits.shape[0]."),
     Mistake(_grad_with(softmax, scale=-1.0),
             "The sign is flipped: the gradient is P - Y (prediction minus target), not Y - P."),
     Mistake(lambda z, y: (softmax(z) - one_hot(y, z.shape[1])) / z.size,
             "You divided by N * C. The mean is over the N examples only: divide by "
             "logits.shape[0]."),
     Mistake(_grad_with(lambda z: softmax(z, axis=0)), BATCH_AXIS_HINT),
     Mistake(_whole_rows, "P[labels] -= 1 subtracts 1 from whole rows. Index (row, label) "
             "pairs: P[np.arange(N), labels] -= 1, or use np.eye(C)[labels]."),
     Mistake(lambda z, y: cross_entropy_grad(z, (y - 1) % z.shape[1]), OFF_BY_ONE_HINT),
     Mistake(_grad_with(softmax, scale=1 / np.log(10)),
             "The gradient is off by the factor ln 10. Cross-entropy uses the natural "
             "logarithm, whose derivative is 1/x."),
     *shift_mistakes(_grad_with, UNSTABLE_HINTS)),
    shape_hint="Return one row per example and one column per class: shape (N, C).",
    value_hint="Compute P = softmax(logits) row by row, subtract 1 at (n, labels[n]), and "
               "divide by N.",
    forbidden=("helpers.cross_entropy_grad",))         # "Do not call helpers.cross_entropy_grad"


# -- The gradients of a linear classifier -----------------------------------
def _weights_reference(X, W, b, labels):
    """(dW, db) for Z = X W + b and the mean cross-entropy."""
    dZ = cross_entropy_grad(X @ W + b, labels)                           # (N, C)
    return X.T @ dZ, np.sum(dZ, axis=0)                                  # (D, C), (C,)


def _from_dZ(grad_logits, *, dW=1.0, db=1.0):
    """(dW, db) from a (wrong) logits gradient; `len` as a factor means N times."""
    def grads(X, W, b, labels):
        dZ = grad_logits(X @ W + b, labels)
        scale = [len(X) if f is len else f for f in (dW, db)]
        return scale[0] * (X.T @ dZ), scale[1] * np.sum(dZ, axis=0)
    return grads


def _then(fix):
    """(dW, db) passed through `fix`, a learner's slip after a right dZ."""
    def grads(X, W, b, labels):
        dZ = cross_entropy_grad(X @ W + b, labels)
        return fix(X, dZ)
    return grads


def _layer_case(logits, labels, why: str) -> Case:
    """Inputs whose logits X @ I + b are `logits`; D = C."""
    Z = np.array(logits, dtype=float)
    b = np.linspace(-0.5, 0.5, Z.shape[1])
    return Case((Z - b, np.eye(Z.shape[1]), b, np.array(labels)), why=f"X @ W + b has {why}")


WEIGHTS_CASES = (
    Case((_rng.normal(size=(5, 4)), _rng.normal(size=(4, 3)), _rng.normal(size=3),
          np.array([0, 2, 1, 1, 2])),
         why="N = 5, D = 4 and C = 3 all differ"),
    Case((_rng.normal(size=(6, 2)), _rng.normal(size=(2, 5)), _rng.normal(size=5),
          np.array([4, 0, 1, 3, 2, 4])), why="N = 6, D = 2, C = 5"),
    *(_layer_case(*case) for case in _UNSTABLE),
)

GRAD_WEIGHTS = FunctionExercise(
    "grad_weights", _weights_reference, WEIGHTS_CASES, CODE,
    (Mistake(_then(lambda X, dZ: ((X.T @ dZ).T, dZ.sum(axis=0))),
             "dW is transposed. It must have the shape of W, (D, C): dW = X.T @ dZ."),
     Mistake(_then(lambda X, dZ: (dZ, dZ.sum(axis=0))),
             "That is dL/dZ, of shape (N, C). The weight gradient has the shape of W, "
             "(D, C): dW = X.T @ dZ."),
     Mistake(_then(lambda X, dZ: (X.T @ dZ, dZ.sum(axis=1))),
             "db was summed over the classes. Sum dL/dZ over the batch instead: "
             "np.sum(dZ, axis=0), shape (C,)."),
     Mistake(_then(lambda X, dZ: (X.T @ dZ, dZ.sum(axis=0, keepdims=True))),
             "db must have the shape of b, (C,): drop keepdims."),
     Mistake(_from_dZ(lambda z, y: -one_hot(y, z.shape[1]) * (1 - softmax(z)) / len(z)),
             "Only the true classes get a gradient, as if the softmax were elementwise "
             "and acted on each logit separately. Start from dL/dZ = (P - Y) / N."),
     Mistake(_from_dZ(cross_entropy_grad, dW=-1.0, db=-1.0),
             "The sign is flipped: dL/dZ = (P - Y) / N, prediction minus target."),
     Mistake(lambda X, W, b, y: _weights_reference(X, W, 0 * b, y),
             "The logits are Z = X @ W + b: include the bias before the softmax."),
     Mistake(_then(lambda X, dZ: (X.T @ dZ, dZ.mean(axis=0))),
             "db is N times too small: dL/dZ already carries the 1/N, so db is its plain "
             "sum over the batch, np.sum(dZ, axis=0), not its mean."),
     Mistake(_from_dZ(cross_entropy_grad, dW=len, db=len),
             "Both gradients are N times too large: the loss is the mean over the batch, "
             "so dL/dZ = (P - Y) / N."),
     Mistake(_from_dZ(cross_entropy_grad, db=len),
             "db is N times too large: it is the sum over the batch of dL/dZ = (P - Y) / N."),
     Mistake(_from_dZ(cross_entropy_grad, dW=len),
             "dW is N times too large: use dW = X.T @ dZ with dZ = (P - Y) / N."),
     *shift_mistakes(lambda s: _from_dZ(_grad_with(s)), UNSTABLE_HINTS)),
    outputs=("dW", "db"),
    shape_hint="A gradient has the shape of its parameter: dW is (D, C) and db is (C,).",
    value_hint="Compute dZ = (P - Y) / N first; then dW = X.T @ dZ and db = np.sum(dZ, axis=0).")


# -- Debug a gradient with a gradient check ---------------------------------
def _relative_error(a, b):
    """||a - b|| / max(||a||, ||b||), the chapter's measure."""
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b))


_DZ, _DY = np.array(DEBUG_LOGITS), np.array(DEBUG_LABELS)                 # (4, 3), (4,)
_BUGGY = buggy_grad(_DZ, _DY)
_NUMERIC = numerical_gradient(lambda z: cross_entropy(z, _DY), _DZ)       # of the mean loss
# Relative errors are quoted to two digits; an answer below 1e-6 counts as "zero", the
# error of a correct gradient, which only the mistake of that name can give.
TWO_DIGITS = Tolerance(digits=2, atol=1e-6)
BUGGY_ERROR = ValueExercise(
    "buggy_error", _relative_error(_BUGGY, _NUMERIC), TWO_DIGITS,
    [Mistake(np.linalg.norm(_BUGGY - _NUMERIC) / np.linalg.norm(_NUMERIC),
             "You divided by the norm of the numerical gradient alone. The chapter's "
             "relative_error divides by the larger of the two norms."),
     Mistake(np.max(np.abs(_BUGGY - _NUMERIC)),
             "That is the largest absolute difference. The relative error divides the norm "
             "of the difference by the larger of the two gradients' norms."),
     Mistake(_relative_error(_BUGGY, _NUMERIC * len(_DZ)),
             "The numerical gradient you compared with is of the summed loss. buggy_grad "
             "claims the gradient of the mean, helpers.cross_entropy's default."),
     Mistake(np.mean(_NUMERIC / _BUGGY),
             "That is the ratio of the numerical gradient to buggy_grad's, useful for "
             "finding the bug, but not the relative error."),
     Mistake(np.mean(_BUGGY / _NUMERIC),
             "That is the ratio of buggy_grad's gradient to the numerical one, useful for "
             "finding the bug, but not the relative error."),
     Mistake(100 * _relative_error(_BUGGY, _NUMERIC),
             "That looks like a percentage. Give the relative error itself, a ratio."),
     Mistake(0.0, "That is the error of a correct gradient. Compare buggy_grad itself, "
             "unchanged, with the numerical gradient.")],
    shape_hint="The relative error is one number, for the whole gradient.",
    value_hint="Compute numerical_gradient of lambda z: helpers.cross_entropy(z, labels) at "
               "DEBUG_LOGITS, then relative_error(buggy_grad(...), numerical).")


def _divided_by(size):
    """(P - Y) divided by `size(logits)`, the learner's choice of N."""
    return lambda z, y: (softmax(z) - one_hot(y, z.shape[1])) / size(z)


FIXED_CASES = (
    labelled_case(_rng.normal(scale=2.0, size=(4, 3)), [2, 0, 1, 1],
                  "N = 4 examples of C = 3 classes, so that N and C differ"),
    labelled_case(_rng.normal(scale=2.0, size=(2, 5)), [4, 1], "N = 2 examples of C = 5"),
    labelled_case(_rng.normal(scale=2.0, size=(3, 3)), [1, 2, 0],
                  "a square batch (N = C), where a wrong axis or P[labels] still runs"),
    *(labelled_case(*case) for case in _UNSTABLE),
    labelled_case(_rng.normal(size=(1, 6)), [3], "a batch of one"),
)

FIXED_GRAD = FunctionExercise(
    "fixed_grad", cross_entropy_grad, FIXED_CASES, CODE,
    (Mistake(buggy_grad, "That is what buggy_grad returns. Compare it with the numerical "
             "gradient entry by entry: the ratio is the same everywhere, so the formula is "
             "right up to one factor. Which size of the batch is that factor?"),
     Mistake(_divided_by(lambda z: 1), "The gradient is N times too large: the loss is the "
             "mean over the batch, so divide by N = logits.shape[0]."),
     Mistake(_divided_by(lambda z: z.size), "You divided by N * C. The mean is over the N "
             "examples only: divide by logits.shape[0]."),
     Mistake(_grad_with(softmax, scale=-1.0),
             "The sign is flipped: the gradient is P - Y (prediction minus target), not Y - P."),
     Mistake(_grad_with(lambda z: softmax(z, axis=0)), BATCH_AXIS_HINT),
     Mistake(_whole_rows, "P[labels] -= 1 subtracts 1 from whole rows. Index (row, label) "
             "pairs: P[np.arange(N), labels] -= 1, or use np.eye(C)[labels]."),
     Mistake(lambda z, y: cross_entropy_grad(z, (y - 1) % z.shape[1]), OFF_BY_ONE_HINT),
     *shift_mistakes(_grad_with, UNSTABLE_HINTS)),
    shape_hint="Return one row per example and one column per class: shape (N, C).",
    value_hint="Keep buggy_grad's softmax and one-hot rows, and divide by the number of "
               "examples.")


EXERCISES = {"check_gradient_entry": (GRADIENT_ENTRY,), "check_grad_logits": (GRAD_LOGITS,),
             "check_grad_weights": (GRAD_WEIGHTS,),
             "check_gradient_debug": (BUGGY_ERROR, FIXED_GRAD)}
