"""Exercise checks for the chapter on loss surfaces and convexity.

Each public check runs the exercises stored in ``data/ch06.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .engine import Feedback
from .stored import load_exercises

__all__ = ["EXERCISES", "EigenvalueProblem", "check_hessian_logits", "check_regularized_loss",
           "check_smallest_eigenvalue", "check_weight_hessian", "eigenvalue_problem"]


def check_hessian_logits(hessian_logits: object) -> Feedback:
    """Check `hessian_logits(logits, temperature)`, the Hessians, rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> print(check_hessian_logits(lambda logits, t: np.zeros(logits.shape)).hint)
    Return one C x C matrix per example: shape (N, C, C).
    """
    return EXERCISES["check_hessian_logits"][0].check(hessian_logits)


def check_weight_hessian(weight_hessian: object) -> Feedback:
    """Check `weight_hessian(W, X, reg)`, class by class, rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> print(check_weight_hessian(lambda W, X, reg: np.zeros(W.size)).hint)  # doctest: +ELLIPSIS
    Return one square matrix with C * D rows and columns, the parameters ordered class by ...
    """
    return EXERCISES["check_weight_hessian"][0].check(weight_hessian)


def check_smallest_eigenvalue(lam_min: object) -> Feedback:
    """Check `lam_min`, the regularised Hessian's least eigenvalue, to three significant digits.

    Examples
    --------
    >>> print(check_smallest_eigenvalue(0.025).hint)
    The second derivative of (lambda / 2) w^2 is lambda, not lambda / 2.
    """
    return EXERCISES["check_smallest_eigenvalue"][0].check(lam_min)


def check_regularized_loss(regularized_loss: object) -> Feedback:
    """Check `regularized_loss(W, X, labels, reg)`, loss plus penalty, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_regularized_loss(1.23).hint)
    Pass the function itself, without calling it.
    """
    return EXERCISES["check_regularized_loss"][0].check(regularized_loss)


# -- The smallest eigenvalue with L2 regularisation ------------------------
class EigenvalueProblem(NamedTuple):
    """The data of the exercise on the smallest eigenvalue."""

    W: np.ndarray     # (D, C) weights at which the Hessian is taken
    X: np.ndarray     # (N, D) inputs
    reg: float        # the regularisation strength lambda


def eigenvalue_problem() -> EigenvalueProblem:
    """A fresh copy of the weights, inputs and strength of the exercise.

    Returns
    -------
    EigenvalueProblem
        ``W`` of shape (2, 3), ``X`` of shape (6, 2) and ``reg = 0.05``.

    Examples
    --------
    >>> W, X, reg = eigenvalue_problem()
    >>> W.shape, X.shape, reg
    ((2, 3), (6, 2), 0.05)
    """
    W = np.array([[0.5, -1.0, 0.2], [1.0, 0.3, -0.8]])
    X = np.array([[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0], [0.0, -2.0], [-1.5, -0.5], [1.0, 1.0]])
    return EigenvalueProblem(W, X, 0.05)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch06")
