"""Exercise checks for the chapter on the cross-entropy gradient.

Each public check runs the exercises stored in ``data/ch05.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

import numpy as np

from ..numerics import softmax
from .engine import Feedback, all_correct
from .stored import load_exercises

__all__ = ["DEBUG_LABELS", "DEBUG_LOGITS", "ENTRY_LABELS", "ENTRY_LOGITS", "EXERCISES",
           "buggy_grad", "check_grad_logits", "check_grad_weights", "check_gradient_debug",
           "check_gradient_entry"]

#: The logits and labels of the exercise "A gradient entry by hand": two examples.
ENTRY_LOGITS = ((float(np.log(3.0)), 0.0, 0.0), (0.0, float(np.log(2.0)), 0.0))
ENTRY_LABELS = (1, 2)

#: The batch of "Debug a gradient with a gradient check": N = 4 examples of C = 3 classes,
#: so that a gradient divided by C instead of N is off by the factor N / C = 4 / 3.
DEBUG_LOGITS = ((1.0, -0.5, 2.0), (0.3, 0.8, -1.2), (-2.0, 0.0, 1.5), (0.5, 0.5, 0.5))
DEBUG_LABELS = (2, 0, 1, 1)


def check_gradient_entry(entry: object) -> Feedback:
    """Check `entry`, dL/dZ[0, 0] for `ENTRY_LOGITS` by hand, to three significant digits.

    Examples
    --------
    >>> print(check_gradient_entry(0.0).hint)  # doctest: +ELLIPSIS
    0 is what you get if the softmax is treated as elementwise, so that only the true ...
    """
    return EXERCISES["check_gradient_entry"][0].check(entry)


def check_grad_logits(grad_logits: object) -> Feedback:
    """Check `grad_logits(logits, labels)`, the (N, C) gradient, rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> print(check_grad_logits(lambda logits, labels: logits.sum(axis=1)).hint)
    Return one row per example and one column per class: shape (N, C).
    """
    return EXERCISES["check_grad_logits"][0].check(grad_logits)


def check_grad_weights(grad_weights: object) -> Feedback:
    """Check `grad_weights(X, W, b, labels)`, which returns (dW, db), rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> print(check_grad_weights(lambda X, W, b, labels: (W.T, b)).hint)
    A gradient has the shape of its parameter: dW is (D, C) and db is (C,).
    """
    return EXERCISES["check_grad_weights"][0].check(grad_weights)


def check_gradient_debug(buggy_error: object, fixed_grad: object) -> Feedback:
    """Check `buggy_error` (two significant digits) and `fixed_grad` (rtol 1e-6, atol 1e-12).

    `buggy_error` is the relative error of :func:`buggy_grad` on `DEBUG_LOGITS`
    against central differences; `fixed_grad(logits, labels)` is the repaired
    gradient of the mean cross-entropy.

    Examples
    --------
    >>> print(check_gradient_debug(None, None).hint)
    Replace the placeholder with your answer and run the cell.
    """
    buggy, fixed = EXERCISES["check_gradient_debug"]
    return all_correct(buggy.check(buggy_error), fixed.check(fixed_grad),
                       message="buggy_error and fixed_grad are both right.")


def buggy_grad(logits, labels):
    """The chapter's wrong gradient of the mean cross-entropy, exactly as the chapter shows it.

    It is right on a square batch (N = C) only; the exercise "Debug a gradient
    with a gradient check" asks why.

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    labels : ndarray of int, shape (N,)

    Returns
    -------
    ndarray, shape (N, C)

    Examples
    --------
    >>> from helpers.numerics import cross_entropy_grad
    >>> z = np.zeros((3, 3))
    >>> bool(np.allclose(buggy_grad(z, np.array([0, 1, 2])),
    ...                  cross_entropy_grad(z, np.array([0, 1, 2]))))
    True
    """
    probs = softmax(logits)                              # (N, C)
    targets = np.eye(probs.shape[1])[labels]             # (N, C)
    return (probs - targets) / probs.shape[1]


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch05")
