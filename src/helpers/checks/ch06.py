"""Checks for the exercises of the chapter on loss surfaces and convexity.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`.  The test inputs are chosen so that the
typical mistakes show: huge logits (a missing max subtraction), batches
whose size differs from the number of classes and features (a wrong axis),
a temperature other than 1, and a non-zero regularization strength (the
:math:`\\lambda` versus :math:`\\lambda / 2` convention).  Known mistakes
are recognised and answered with a specific hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ..numerics import cross_entropy, softmax, softmax_jacobian
from ._core import Feedback, check_function, check_value

__all__ = [
    "EigenvalueProblem",
    "eigenvalue_problem",
    "check_hessian_logits",
    "check_weight_hessian",
    "check_smallest_eigenvalue",
    "check_regularized_loss",
]

_OVERFLOW_HINT = (
    "Huge logits overflow in exp and give inf or nan. Subtract each row's "
    "maximum first, or use helpers.softmax / helpers.cross_entropy.")


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

def _unshifted_softmax(logits: np.ndarray) -> np.ndarray:
    """The overflowing softmax over the last axis, to recognise that mistake."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / np.sum(weights, axis=-1, keepdims=True)


def _logit_hessians(probs: np.ndarray) -> np.ndarray:
    """diag(p) - p p^T for every row of `probs`, shape (..., C, C)."""
    eye = np.eye(probs.shape[-1])
    return probs[..., :, None] * eye - probs[..., :, None] * probs[..., None, :]


def _kron_hessian(blocks: np.ndarray, X: np.ndarray, *, classes_first: bool = True) -> np.ndarray:
    """(1/N) sum_n A_n kron x_n x_n^T, parameters ordered class by class.

    With ``classes_first=False`` the factors are swapped, which orders the
    parameters feature by feature (the layout of ``W.ravel()``).
    """
    N, C, _ = blocks.shape
    D = X.shape[1]
    if classes_first:
        H = np.einsum("nck,nd,ne->cdke", blocks, X, X)
    else:
        H = np.einsum("nck,nd,ne->dcek", blocks, X, X)
    return H.reshape(C * D, C * D) / N


def _with_shape_hint(fb: Feedback, hint: str) -> Feedback:
    """Replace the generic hint of a "wrong shape" feedback."""
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message, hint)
    return fb


def _returns(value: float) -> Callable[..., float]:
    """A "wrong implementation" that always gives `value` (inf or nan)."""
    def wrong(*args: Any) -> float:
        return value
    return wrong


# --------------------------------------------------------------------------
# Exercise: the Hessian of the loss with respect to the logits
# --------------------------------------------------------------------------

def _hessian_logits_reference(logits: np.ndarray, temperature: float) -> np.ndarray:
    return softmax_jacobian(logits / temperature) / temperature ** 2


def _hessian_logits_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``hessian_logits`` and their hints."""
    def elementwise(z, t):
        p = softmax(z / t)
        return np.eye(z.shape[-1]) * (p * (1 - p))[..., None] / t ** 2

    def sign_flipped(z, t):
        return -_hessian_logits_reference(z, t)

    def no_outer(z, t):
        p = softmax(z / t)
        return np.eye(z.shape[-1]) * p[..., None] / t ** 2

    def no_diag(z, t):
        p = softmax(z / t)
        return -p[..., :, None] * p[..., None, :] / t ** 2

    def first_order_factor(z, t):
        return softmax_jacobian(z / t) / t

    def no_chain_factor(z, t):
        return softmax_jacobian(z / t)

    def no_temperature(z, t):
        return softmax_jacobian(z)

    def wrong_axis(z, t):
        return _logit_hessians(softmax(z / t, axis=0)) / t ** 2

    def mean_over_batch(z, t):
        return _hessian_logits_reference(z, t) / z.shape[0]

    def unshifted(z, t):
        return _logit_hessians(_unshifted_softmax(z / t)) / t ** 2

    return [
        (elementwise,
         "Only the diagonal p_i (1 - p_i) is filled in, as if each logit acted "
         "on its own probability alone. The shared denominator couples them: "
         "the off-diagonal entries are -p_i p_j / T^2."),
        (sign_flipped,
         "Every sign is flipped. The loss is convex, so its Hessian has a "
         "positive diagonal: (diag(p) - p p^T) / T^2."),
        (no_outer,
         "You have diag(p) but not the outer product: subtract p p^T, whose "
         "entry (i, j) is p_i p_j."),
        (no_diag,
         "The diagonal is missing its p_i term: the Hessian is "
         "diag(p) - p p^T, not -p p^T."),
        (first_order_factor,
         "The logits are divided by T twice on the way to the second "
         "derivative, so the chain rule gives 1 / T^2, not 1 / T."),
        (no_chain_factor,
         "Right probabilities, but the chain-rule factor is missing: each "
         "derivative of z / T brings a factor 1 / T, so divide by T^2."),
        (no_temperature,
         "The temperature is missing: use p = softmax(z / T) and divide the "
         "matrix by T^2."),
        (wrong_axis,
         "The softmax was taken over the batch axis. Each row is one example; "
         "normalise along the last axis (axis=-1)."),
        (mean_over_batch,
         "Each example's Hessian is its own: do not divide by the batch size."),
        (unshifted, _OVERFLOW_HINT),
    ]


def _hessian_logits_cases() -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng(60)
    return [
        (rng.normal(scale=2.0, size=(5, 3)), 0.5),      # N != C, 1/N != T^2
        (rng.normal(scale=2.0, size=(3, 3)), 2.0),      # square: axis mistakes hide
        (np.array([[1000.0, 999.0, 0.0, 998.5],          # overflow without a shift
                   [-1000.0, -1001.0, -999.5, -1000.0]]), 1.0),
        (np.zeros((1, 2)), 0.25),                        # one row, a tie
    ]


def check_hessian_logits(func: Any) -> Feedback:
    r"""Check ``hessian_logits(logits, temperature)`` on a few batches.

    For logits of shape (N, C) and a temperature :math:`T > 0`, the function
    must return the (N, C, C) array whose slice n is the Hessian, with
    respect to the logits :math:`z_n`, of the loss
    :math:`-\log \operatorname{softmax}(z_n / T)_{y_n}`:
    :math:`(\operatorname{diag}(p_n) - p_n p_n^{\mathsf T}) / T^2` with
    :math:`p_n = \operatorname{softmax}(z_n / T)`.  It does not depend on
    the label.

    Parameters
    ----------
    func : callable
        The learner's ``hessian_logits``.

    Returns
    -------
    Feedback
        Correct when every test batch agrees with the reference within
        ``rtol=1e-6, atol=1e-12``.  The batches have N != C, a square
        batch, temperatures other than 1 and logits near 1000, so the
        elementwise (diagonal-only) Hessian, a flipped sign, a missing
        outer product, a factor 1/T instead of 1/T**2, a wrong axis and a
        missing max subtraction all show, each with its own hint.

    Examples
    --------
    >>> import helpers
    >>> from helpers.checks.ch06 import check_hessian_logits
    >>> def hessian_logits(logits, temperature):
    ...     return helpers.softmax_jacobian(logits / temperature) / temperature**2
    >>> check_hessian_logits(hessian_logits).status
    'correct'
    >>> def once(logits, temperature):
    ...     return helpers.softmax_jacobian(logits / temperature) / temperature
    >>> print(check_hessian_logits(once).hint)  # doctest: +ELLIPSIS
    The logits are divided by T twice...
    """
    fb = check_function(func, _hessian_logits_reference, _hessian_logits_cases(),
                        rtol=1e-6, atol=1e-12, hints=_hessian_logits_mistakes(),
                        what="hessian_logits")
    return _with_shape_hint(
        fb, "Return one C x C matrix per example: shape (N, C, C).")


# --------------------------------------------------------------------------
# Exercise: the Hessian of softmax regression with respect to the weights
# --------------------------------------------------------------------------

def _weight_hessian_reference(W: np.ndarray, X: np.ndarray, reg: float) -> np.ndarray:
    blocks = softmax_jacobian(X @ W)                               # (N, C, C)
    H = _kron_hessian(blocks, X)
    return H + reg * np.eye(H.shape[0])


def _weight_hessian_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``weight_hessian`` and their hints."""
    def eye_like(W):
        return np.eye(W.size)

    def elementwise(W, X, reg):
        p = softmax(X @ W)
        blocks = np.eye(W.shape[1]) * (p * (1 - p))[:, :, None]
        return _kron_hessian(blocks, X) + reg * eye_like(W)

    def sign_flipped(W, X, reg):
        return -_weight_hessian_reference(W, X, reg)

    def sign_flipped_data(W, X, reg):
        return -_kron_hessian(softmax_jacobian(X @ W), X) + reg * eye_like(W)

    def no_outer(W, X, reg):
        p = softmax(X @ W)
        blocks = np.eye(W.shape[1]) * p[:, :, None]
        return _kron_hessian(blocks, X) + reg * eye_like(W)

    def no_reg(W, X, reg):
        return _kron_hessian(softmax_jacobian(X @ W), X)

    def half_reg(W, X, reg):
        return _kron_hessian(softmax_jacobian(X @ W), X) + reg / 2 * eye_like(W)

    def double_reg(W, X, reg):
        return _kron_hessian(softmax_jacobian(X @ W), X) + 2 * reg * eye_like(W)

    def summed(W, X, reg):
        return len(X) * _kron_hessian(softmax_jacobian(X @ W), X) + reg * eye_like(W)

    def features_first(W, X, reg):
        return (_kron_hessian(softmax_jacobian(X @ W), X, classes_first=False)
                + reg * eye_like(W))

    def wrong_axis(W, X, reg):
        return _kron_hessian(_logit_hessians(softmax(X @ W, axis=0)), X) + reg * eye_like(W)

    def unshifted(W, X, reg):
        return (_kron_hessian(_logit_hessians(_unshifted_softmax(X @ W)), X)
                + reg * eye_like(W))

    return [
        (elementwise,
         "Only diag(p_n (1 - p_n)) is used for A_n, as if the softmax acted "
         "on each logit separately. A_n = diag(p_n) - p_n p_n^T has "
         "off-diagonal entries -p_nc p_nk."),
        (sign_flipped,
         "Every sign is flipped. The loss is convex: its Hessian has a "
         "positive diagonal and the penalty adds +reg to it."),
        (sign_flipped_data,
         "The data term has the wrong sign: A_n = diag(p_n) - p_n p_n^T, "
         "positive on the diagonal."),
        (no_outer,
         "You have diag(p_n) but not the outer product: A_n = diag(p_n) - "
         "p_n p_n^T."),
        (no_reg,
         "The regularization term is missing: (reg / 2) ||W||^2 adds reg times "
         "the identity to the Hessian."),
        (half_reg,
         "The second derivative of (reg / 2) w^2 is reg, not reg / 2: add "
         "reg * np.eye(C * D)."),
        (double_reg,
         "The penalty is (reg / 2) ||W||^2, whose second derivative is reg, "
         "not 2 reg."),
        (summed,
         "The loss is the mean over the N examples, so its Hessian carries a "
         "factor 1 / N."),
        (features_first,
         "The parameters are ordered feature by feature (like W.ravel()). "
         "Order them class by class (W.T.ravel()): the Hessian is "
         "(1/N) sum_n kron(A_n, outer(x_n, x_n)), with A_n first."),
        (wrong_axis,
         "The softmax was taken over the batch axis. Each row of X @ W is "
         "one example; normalise along the last axis."),
        (unshifted, _OVERFLOW_HINT),
    ]


def _weight_hessian_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(61)
    return [
        # N, D, C all different, a regularization strength that is not 1.
        (rng.normal(size=(2, 3)), rng.normal(size=(5, 2)), 0.1),
        # D = C: the ordering mistake keeps the shape and changes the values.
        (rng.normal(size=(3, 3)), rng.normal(size=(4, 3)), 0.5),
        # Logits near 1000: overflow without a shift.
        (np.array([[10.0, 9.9], [5.0, 5.05]]),
         np.array([[60.0, 80.0], [-70.0, -60.0], [90.0, 20.0]]), 0.01),
        # Two classes, no penalty.
        (rng.normal(size=(2, 2)), rng.normal(size=(3, 2)), 0.0),
    ]


def check_weight_hessian(func: Any) -> Feedback:
    r"""Check ``weight_hessian(W, X, reg)`` for regularized softmax regression.

    The loss is :math:`L(W) = \frac1N \sum_n -\log
    \operatorname{softmax}(W^{\mathsf T} x_n)_{y_n} + \frac{\lambda}{2}
    \lVert W \rVert^2` with ``W`` of shape (D, C) and ``X`` of shape (N, D).
    Its Hessian, with the parameters ordered class by class
    (``W.T.ravel()``), is

    .. math::

        H = \frac1N \sum_n \bigl(\operatorname{diag}(p_n) - p_n
        p_n^{\mathsf T}\bigr) \otimes x_n x_n^{\mathsf T} + \lambda I,

    of shape (C * D, C * D).

    Parameters
    ----------
    func : callable
        The learner's ``weight_hessian``.

    Returns
    -------
    Feedback
        Correct when every test problem agrees with the reference within
        ``rtol=1e-6, atol=1e-12``.  A missing or mis-scaled penalty
        (reg / 2, 2 reg), a sum instead of a mean, the feature-by-feature
        ordering, the elementwise (diagonal-only) A_n, a missing outer
        product, a flipped sign, a wrong axis and a missing max subtraction
        all get their own hint.

    Examples
    --------
    >>> import numpy as np
    >>> import helpers
    >>> from helpers.checks.ch06 import check_weight_hessian
    >>> def weight_hessian(W, X, reg):
    ...     N, D = X.shape
    ...     C = W.shape[1]
    ...     A = helpers.softmax_jacobian(X @ W)
    ...     H = sum(np.kron(A[n], np.outer(X[n], X[n])) for n in range(N)) / N
    ...     return H + reg * np.eye(C * D)
    >>> check_weight_hessian(weight_hessian).status
    'correct'
    >>> def no_penalty(W, X, reg):
    ...     return weight_hessian(W, X, 0.0)
    >>> print(check_weight_hessian(no_penalty).hint)  # doctest: +ELLIPSIS
    The regularization term is missing...
    """
    fb = check_function(func, _weight_hessian_reference, _weight_hessian_cases(),
                        rtol=1e-6, atol=1e-12, hints=_weight_hessian_mistakes(),
                        what="weight_hessian")
    return _with_shape_hint(
        fb, "Return one square matrix with C * D rows and columns, the parameters "
            "ordered class by class; reshape a (C, D, C, D) array if you built one.")


# --------------------------------------------------------------------------
# Exercise: the smallest eigenvalue with L2 regularization
# --------------------------------------------------------------------------

class EigenvalueProblem(NamedTuple):
    """The data of the exercise on the smallest eigenvalue."""

    W: np.ndarray     # (D, C) weights at which the Hessian is taken
    X: np.ndarray     # (N, D) inputs
    reg: float        # the regularization strength lambda


def eigenvalue_problem() -> EigenvalueProblem:
    """A fresh copy of the weights, inputs and strength of the exercise.

    Returns
    -------
    EigenvalueProblem
        ``W`` of shape (2, 3), ``X`` of shape (6, 2) and ``reg = 0.05``.

    Examples
    --------
    >>> from helpers.checks.ch06 import eigenvalue_problem
    >>> W, X, reg = eigenvalue_problem()
    >>> W.shape, X.shape, reg
    ((2, 3), (6, 2), 0.05)
    """
    W = np.array([[0.5, -1.0, 0.2],
                  [1.0, 0.3, -0.8]])
    X = np.array([[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0],
                  [0.0, -2.0], [-1.5, -0.5], [1.0, 1.0]])
    return EigenvalueProblem(W, X, 0.05)


def _real_if_negligibly_complex(answer: Any) -> Any:
    """Accept 0.05+0j from np.linalg.eigvals; leave anything else alone."""
    if isinstance(answer, (complex, np.complexfloating, np.ndarray)):
        arr = np.asarray(answer)
        if arr.dtype.kind == "c" and np.all(np.abs(arr.imag) <= 1e-12):
            return arr.real
    return answer


def _matches(answer: Any, wrong: float, *, atol: float) -> bool:
    try:
        mine = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    return mine.shape == () and bool(np.isclose(mine, wrong, rtol=0.0, atol=atol))


def check_smallest_eigenvalue(lam_min: Any) -> Feedback:
    r"""Check the smallest eigenvalue of the regularized Hessian.

    The problem is :func:`eigenvalue_problem`: the Hessian, with respect to
    the weights, of the mean softmax cross-entropy of a linear model plus
    :math:`\frac{\lambda}{2}\lVert W \rVert^2`, at the given ``W`` and
    ``X`` with :math:`\lambda = 0.05`.  Its smallest eigenvalue is exactly
    :math:`\lambda`, whatever the data: the unregularized Hessian has a
    zero eigenvalue along every shift :math:`W \to W + v \mathbf 1^{\mathsf
    T}`, and the penalty adds :math:`\lambda` to every eigenvalue.

    Parameters
    ----------
    lam_min : float
        The learner's eigenvalue, one number.  A complex number with a zero
        imaginary part (as ``np.linalg.eigvals`` may return) is accepted.

    Returns
    -------
    Feedback
        Correct within ``atol=1e-8``.  Forgetting the penalty (0), the
        wrong convention (lambda / 2 or 2 lambda), a flipped sign and the
        smallest *non-zero* eigenvalue of the data term (with or without
        lambda) get their own hints.

    Examples
    --------
    >>> from helpers.checks.ch06 import check_smallest_eigenvalue
    >>> check_smallest_eigenvalue(0.05).status
    'correct'
    >>> print(check_smallest_eigenvalue(0.025).hint)  # doctest: +ELLIPSIS
    The second derivative of (lambda / 2) w^2 is lambda...
    """
    W, X, reg = eigenvalue_problem()
    data_eigs = np.linalg.eigvalsh(_kron_hessian(softmax_jacobian(X @ W), X))
    expected = float(np.min(data_eigs) + reg)
    smallest_positive = float(np.min(data_eigs[data_eigs > 1e-9]))
    mistakes = [
        (0.0, "That is the smallest eigenvalue without the penalty. Adding "
              "(lambda / 2) ||W||^2 adds lambda I to the Hessian."),
        (reg / 2, "The second derivative of (lambda / 2) w^2 is lambda, not "
                  "lambda / 2."),
        (2 * reg, "The penalty is (lambda / 2) ||W||^2, whose second "
                  "derivative is lambda, not 2 lambda."),
        (-reg, "The sign is flipped: the penalty adds lambda to every "
               "eigenvalue."),
        (smallest_positive + reg,
         "That is the smallest non-zero eigenvalue of the data term plus "
         "lambda. The data term also has zero eigenvalues: along which "
         "directions does the loss not change at all?"),
        (smallest_positive,
         "That is the smallest non-zero eigenvalue of the data term alone. "
         "It has zero eigenvalues too, and the penalty adds lambda."),
    ]
    answer = _real_if_negligibly_complex(lam_min)
    fb = check_value(answer, expected, rtol=0.0, atol=1e-8, what="lam_min")
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message,
                        "Give only the smallest eigenvalue, as one number: "
                        "for example lam_min = float(np.min(...)).")
    if fb.status != "wrong value":
        return fb
    for wrong, hint in mistakes:
        if _matches(answer, wrong, atol=1e-6):
            return Feedback(fb.status, fb.message, hint)
    return Feedback(fb.status, fb.message,
                    "Build the Hessian of the mean loss with respect to W, add "
                    "lambda I, and take np.linalg.eigvalsh(...)[0]; or reason "
                    "about the shift directions W + v 1^T.")


# --------------------------------------------------------------------------
# Exercise: the regularized loss
# --------------------------------------------------------------------------

def _regularized_loss_reference(W: np.ndarray, X: np.ndarray, labels: np.ndarray,
                                reg: float) -> float:
    return float(cross_entropy(X @ W, labels) + 0.5 * reg * np.sum(W ** 2))


def _regularized_loss_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``regularized_loss`` and their hints."""
    def data_term(W, X, labels):
        return cross_entropy(X @ W, labels)

    def no_reg(W, X, labels, reg):
        return data_term(W, X, labels)

    def full_reg(W, X, labels, reg):
        return data_term(W, X, labels) + reg * np.sum(W ** 2)

    def norm_not_squared(W, X, labels, reg):
        return data_term(W, X, labels) + 0.5 * reg * np.sqrt(np.sum(W ** 2))

    def mean_of_squares(W, X, labels, reg):
        return data_term(W, X, labels) + 0.5 * reg * np.mean(W ** 2)

    def summed(W, X, labels, reg):
        return cross_entropy(X @ W, labels, reduction="sum") + 0.5 * reg * np.sum(W ** 2)

    def reg_inside_mean(W, X, labels, reg):
        return data_term(W, X, labels) + 0.5 * reg * np.sum(W ** 2) / len(X)

    def log10(W, X, labels, reg):
        return data_term(W, X, labels) / np.log(10) + 0.5 * reg * np.sum(W ** 2)

    def off_by_one(W, X, labels, reg):
        shifted = (np.asarray(labels) + 1) % W.shape[1]
        return cross_entropy(X @ W, shifted) + 0.5 * reg * np.sum(W ** 2)

    def off_by_one_down(W, X, labels, reg):
        shifted = (np.asarray(labels) - 1) % W.shape[1]
        return cross_entropy(X @ W, shifted) + 0.5 * reg * np.sum(W ** 2)

    def sign_flipped(W, X, labels, reg):
        return -data_term(W, X, labels) + 0.5 * reg * np.sum(W ** 2)

    def wrong_axis(W, X, labels, reg):
        log_probs = np.log(softmax(X @ W, axis=0))
        picked = log_probs[np.arange(len(labels)), labels]
        return -np.mean(picked) + 0.5 * reg * np.sum(W ** 2)

    return [
        (no_reg,
         "The regularization term is missing: add (reg / 2) * np.sum(W ** 2)."),
        (full_reg,
         "The book's convention is (reg / 2) ||W||^2, with the factor 1/2, so "
         "that the gradient of the penalty is reg * W."),
        (norm_not_squared,
         "Use the squared norm: np.sum(W ** 2), not its square root."),
        (mean_of_squares,
         "||W||^2 is the sum of the squared entries, not their mean."),
        (summed,
         "The data term is the mean over the N examples, not the sum."),
        (reg_inside_mean,
         "The penalty is added once, after the mean; it is not divided by N."),
        (log10,
         "Use the natural logarithm (np.log), not log10: the loss is in nats."),
        (off_by_one,
         "The wrong class is picked: labels are 0-based indices into the "
         "columns of X @ W."),
        (off_by_one_down,
         "The wrong class is picked: labels are 0-based indices into the "
         "columns of X @ W."),
        (sign_flipped,
         "The data term has the wrong sign: the loss is -log p of the true "
         "class, which is positive."),
        (wrong_axis,
         "The softmax was taken over the batch axis. Each row of X @ W is "
         "one example; normalise along the last axis."),
        (_returns(np.inf), _OVERFLOW_HINT),
        (_returns(np.nan), _OVERFLOW_HINT),
    ]


def _regularized_loss_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(62)
    return [
        # N, D, C and the size of W all different.
        (rng.normal(size=(2, 3)), rng.normal(size=(5, 2)), np.array([0, 2, 1, 1, 0]), 0.1),
        # Square logits (N = C = 3): an axis mistake keeps the shape.
        (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), np.array([2, 0, 1]), 0.5),
        # Logits near 1000: overflow without a shift.
        (np.array([[10.0, 9.9, 9.0], [5.0, 5.05, 4.0]]),
         np.array([[60.0, 80.0], [-70.0, -60.0], [90.0, 20.0], [100.0, 0.0]]),
         np.array([1, 0, 2, 0]), 0.01),
    ]


def check_regularized_loss(func: Any) -> Feedback:
    r"""Check ``regularized_loss(W, X, labels, reg)``.

    The function must return the mean softmax cross-entropy of the linear
    model :math:`Z = X W` plus the penalty
    :math:`\frac{\lambda}{2} \lVert W \rVert^2`, one number:

    .. math::

        L_\lambda(W) = \frac1N \sum_n \bigl(\operatorname{LSE}(z_n)
        - z_{n, y_n}\bigr) + \frac{\lambda}{2} \sum_{d, c} W_{dc}^2 .

    Parameters
    ----------
    func : callable
        The learner's ``regularized_loss``.

    Returns
    -------
    Feedback
        Correct when every test problem agrees with the reference within
        ``rtol=1e-9, atol=1e-12``.  A missing penalty, the lambda versus
        lambda / 2 convention, a norm that is not squared, a sum instead of
        a mean, log10, an off-by-one class, a flipped sign, a wrong axis and
        an overflowing exp (logits near 1000) all get their own hint.

    Examples
    --------
    >>> import numpy as np
    >>> import helpers
    >>> from helpers.checks.ch06 import check_regularized_loss
    >>> def regularized_loss(W, X, labels, reg):
    ...     return helpers.cross_entropy(X @ W, labels) + reg / 2 * np.sum(W**2)
    >>> check_regularized_loss(regularized_loss).status
    'correct'
    >>> def no_half(W, X, labels, reg):
    ...     return helpers.cross_entropy(X @ W, labels) + reg * np.sum(W**2)
    >>> print(check_regularized_loss(no_half).hint)  # doctest: +ELLIPSIS
    The book's convention is (reg / 2) ||W||^2...
    """
    fb = check_function(func, _regularized_loss_reference, _regularized_loss_cases(),
                        rtol=1e-9, atol=1e-12, hints=_regularized_loss_mistakes(),
                        what="regularized_loss")
    return _with_shape_hint(
        fb, "Return one number: average the per-example losses over the batch "
            "and add the penalty once.")
