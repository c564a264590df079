"""Exercise checks for the chapter on the softmax Jacobian.

Each public check runs the exercises stored in ``data/ch03.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

import numpy as np

from .engine import Feedback
from .stored import load_exercises

__all__ = ["HAND_LOGITS", "TWO_CLASS_LOGITS", "EXERCISES", "check_jacobian_by_hand",
           "check_two_class_eigenvalue", "check_tempered_jacobian", "check_batched_jvp"]

#: The logits of the exercise "The Jacobian by hand": (ln 2, 0, 0).
HAND_LOGITS = (float(np.log(2.0)), 0.0, 0.0)
#: The logits of the exercise "Two classes: the eigenvalues".
TWO_CLASS_LOGITS = (2.0, 0.0)


def check_jacobian_by_hand(jac: object) -> Feedback:
    """Check `jac`, the softmax Jacobian at (ln 2, 0, 0), to three significant digits.

    Examples
    --------
    >>> print(check_jacobian_by_hand(np.zeros(3)).hint)  # doctest: +ELLIPSIS
    The Jacobian of a softmax over 3 classes is a 3 x 3 matrix: entry (i, j) is the ...
    """
    return EXERCISES["check_jacobian_by_hand"][0].check(jac)


def check_two_class_eigenvalue(lam: object) -> Feedback:
    """Check `lam`, the non-zero eigenvalue at the logits (2, 0), to three significant digits.

    Examples
    --------
    >>> print(check_two_class_eigenvalue(0.0).hint)  # doctest: +ELLIPSIS
    0 is the eigenvalue of the direction (1, 1), where the softmax does not change at all. ...
    """
    return EXERCISES["check_two_class_eigenvalue"][0].check(lam)


def check_tempered_jacobian(func: object) -> Feedback:
    """Check `tempered_jacobian(logits, temperature)`, the Jacobians, rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> print(check_tempered_jacobian(lambda logits, temperature: logits).hint)
    Return one C x C Jacobian per row: shape (N, C, C).
    """
    return EXERCISES["check_tempered_jacobian"][0].check(func)


def check_batched_jvp(func: object) -> Feedback:
    """Check `batched_jvp(logits, vectors)`, whose row n is J(z_n) v_n, rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> from helpers import softmax
    >>> print(check_batched_jvp(lambda z, v: softmax(z) * v).hint)  # doctest: +ELLIPSIS
    That is diag(p) v alone. Moving one logit moves every probability, so subtract each ...
    """
    return EXERCISES["check_batched_jvp"][0].check(func)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch03")
