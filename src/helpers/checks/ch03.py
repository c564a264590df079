"""Checks for the exercises of the chapter on the softmax Jacobian.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`.  Known mistakes (keeping only the
diagonal, a flipped sign, a forgotten temperature, a missing ``keepdims``,
...) are recognised and answered with a specific hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import sigmoid, softmax, softmax_jacobian
from ._core import Feedback, check_function, check_value, matches

__all__ = [
    "HAND_LOGITS",
    "TWO_CLASS_LOGITS",
    "check_jacobian_by_hand",
    "check_two_class_eigenvalue",
    "check_tempered_jacobian",
    "check_batched_jvp",
]

#: The logits of the exercise "The Jacobian by hand": (ln 2, 0, 0).
HAND_LOGITS = (float(np.log(2.0)), 0.0, 0.0)

#: The logits of the exercise "Two classes: the eigenvalues".
TWO_CLASS_LOGITS = (2.0, 0.0)


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

_matches = matches  # a known mistake's answer, recognised


def _check_known_value(answer: Any, expected: Any,
                       mistakes: Sequence[tuple[Any, str]], *, what: str,
                       rtol: float, atol: float, shape_hint: str,
                       value_hint: str) -> Feedback:
    """:func:`check_value`, with a specific hint for each known wrong answer."""
    fb = check_value(answer, expected, rtol=rtol, atol=atol, what=what)
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message, shape_hint)
    if fb.status != "wrong value":
        return fb
    for wrong, hint in mistakes:
        if _matches(answer, wrong, rtol=rtol, atol=atol):
            return Feedback(fb.status, fb.message, hint)
    return Feedback(fb.status, fb.message, value_hint)


def _unshifted_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """The overflowing softmax, used only to recognise that mistake."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / np.sum(weights, axis=axis, keepdims=True)


def _jacobian_from_probs(probs: np.ndarray) -> np.ndarray:
    """diag(p) - p p^T for every row of `probs`, shape (..., C, C)."""
    eye = np.eye(probs.shape[-1])
    return probs[..., :, None] * eye - probs[..., :, None] * probs[..., None, :]


# --------------------------------------------------------------------------
# Exercise: the Jacobian by hand
# --------------------------------------------------------------------------

_HAND_SHAPE_HINT = (
    "The Jacobian of a softmax over 3 classes is a 3 x 3 matrix: entry "
    "(i, j) is the derivative of s_i with respect to z_j.")


def check_jacobian_by_hand(jac: Any) -> Feedback:
    r"""Check the Jacobian of the softmax at the logits ``(ln 2, 0, 0)``.

    Parameters
    ----------
    jac : array_like, shape (3, 3)
        The learner's matrix :math:`J_{ij} = \partial s_i / \partial z_j`.

    Returns
    -------
    Feedback
        Correct when every entry is within ``atol=1e-3`` (so answers
        rounded to three decimals pass).  Keeping only the diagonal, a
        flipped sign, a missing ``diag(s)`` and a missing outer product are
        recognised and get their own hint.

    Examples
    --------
    >>> from helpers.checks.ch03 import check_jacobian_by_hand
    >>> jac = [[1/4, -1/8, -1/8], [-1/8, 3/16, -1/16], [-1/8, -1/16, 3/16]]
    >>> check_jacobian_by_hand(jac).status
    'correct'
    >>> print(check_jacobian_by_hand(np.diag([1/4, 3/16, 3/16])).hint)
    ... # doctest: +ELLIPSIS
    Only the diagonal is filled in...
    """
    probs = softmax(np.asarray(HAND_LOGITS))
    expected = softmax_jacobian(np.asarray(HAND_LOGITS))
    mistakes = [
        (np.diag(probs * (1 - probs)),
         "Only the diagonal is filled in. Each s_i also depends on the other "
         "logits through the shared denominator: the off-diagonal entries are "
         "-s_i s_j."),
        (-expected,
         "Every sign is flipped. Raising z_i raises s_i, so the diagonal must "
         "be positive: J = diag(s) - s s^T."),
        (-np.outer(probs, probs),
         "The diagonal is missing its s_i term: for i = j the quotient rule "
         "gives s_i - s_i^2 = s_i (1 - s_i)."),
        (np.diag(probs),
         "You have diag(s) but not the outer product: subtract s s^T, whose "
         "entry (i, j) is s_i s_j."),
    ]
    return _check_known_value(
        jac, expected, mistakes, what="jac", rtol=0.0, atol=1e-3,
        shape_hint=_HAND_SHAPE_HINT,
        value_hint=("Start from s = (1/2, 1/4, 1/4) and use "
                    "J_ij = s_i (delta_ij - s_j)."))


# --------------------------------------------------------------------------
# Exercise: two classes, the eigenvalues
# --------------------------------------------------------------------------

def _real_if_negligibly_complex(answer: Any) -> Any:
    """Accept 0.21+0j from np.linalg.eigvals; leave anything else alone."""
    if isinstance(answer, (complex, np.complexfloating, np.ndarray)):
        arr = np.asarray(answer)
        if arr.dtype.kind == "c" and np.all(np.abs(arr.imag) <= 1e-12):
            return arr.real
    return answer


def check_two_class_eigenvalue(lam: Any) -> Feedback:
    r"""Check the non-zero eigenvalue of the Jacobian at the logits ``(2, 0)``.

    Parameters
    ----------
    lam : float
        The learner's eigenvalue, one number.  A complex number whose
        imaginary part is zero (as ``np.linalg.eigvals`` may return) is
        accepted.

    Returns
    -------
    Feedback
        Correct within ``rtol=2e-3`` of :math:`2\sigma(2)\sigma(-2)
        \approx 0.20999`, so three significant digits suffice.  The
        diagonal entry :math:`\sigma(1-\sigma)`, the zero eigenvalue and
        the tie value 1/2 get their own hints.

    Examples
    --------
    >>> from helpers.checks.ch03 import check_two_class_eigenvalue
    >>> check_two_class_eigenvalue(0.20999).status
    'correct'
    >>> print(check_two_class_eigenvalue(0.0).hint)  # doctest: +ELLIPSIS
    0 is the eigenvalue of the direction (1, 1)...
    """
    p = float(sigmoid(TWO_CLASS_LOGITS[0] - TWO_CLASS_LOGITS[1]))
    expected = 2 * p * (1 - p)
    mistakes = [
        (p * (1 - p),
         "That is a diagonal entry of J, not an eigenvalue. Apply J to the "
         "vector (1, -1) and see which multiple of (1, -1) comes out."),
        (0.0,
         "0 is the eigenvalue of the direction (1, 1), where the softmax does "
         "not change at all. The exercise asks for the other one."),
        (0.5,
         "1/2 is the eigenvalue when both logits are equal. Here z = (2, 0), "
         "so s = (sigma(2), sigma(-2))."),
        (p,
         "That is the probability sigma(2) itself; the eigenvalue is built "
         "from sigma(2) and 1 - sigma(2)."),
    ]
    return _check_known_value(
        _real_if_negligibly_complex(lam), expected, mistakes, what="lam",
        rtol=2e-3, atol=0.0,
        shape_hint=("Give only the non-zero eigenvalue, as one number: for "
                    "example lam = float(...)."),
        value_hint=("For C = 2, J = s_0 s_1 [[1, -1], [-1, 1]]; its "
                    "eigenvectors are (1, 1) and (1, -1)."))


# --------------------------------------------------------------------------
# Exercise: the Jacobian with a temperature, for a batch
# --------------------------------------------------------------------------

def _tempered_reference(logits: np.ndarray, temperature: float) -> np.ndarray:
    return softmax_jacobian(logits / temperature) / temperature


def _tempered_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``tempered_jacobian`` and their hints."""
    def elementwise(z, t):
        p = softmax(z / t)
        return np.eye(z.shape[-1]) * (p * (1 - p))[..., None] / t

    def sign_flipped(z, t):
        return -_tempered_reference(z, t)

    def no_temperature(z, t):
        return softmax_jacobian(z)

    def no_chain_factor(z, t):
        return softmax_jacobian(z / t)

    def times_temperature(z, t):
        return softmax_jacobian(z / t) * t

    def squared_columns(z, t):
        p = softmax(z / t)
        return (p[..., :, None] * np.eye(z.shape[-1]) - (p ** 2)[..., None, :]) / t

    def wrong_axis(z, t):
        return _jacobian_from_probs(softmax(z / t, axis=0)) / t

    def unshifted(z, t):
        return _jacobian_from_probs(_unshifted_softmax(z / t)) / t

    return [
        (elementwise,
         "Only the diagonal s_i (1 - s_i) is filled in, as if the softmax "
         "acted on each logit separately. Each s_i also depends on every "
         "other logit: the off-diagonal entries are -s_i s_j / T."),
        (sign_flipped,
         "Every sign is flipped: J = (diag(s) - s s^T) / T, positive on the "
         "diagonal."),
        (no_temperature,
         "The temperature is missing: use s = softmax(z / T), and divide the "
         "result by T."),
        (no_chain_factor,
         "Right probabilities, but the chain rule is missing a factor: "
         "d(z / T)/dz = 1 / T, so divide the whole matrix by T."),
        (times_temperature,
         "The chain-rule factor is 1 / T, not T: divide by the temperature."),
        (squared_columns,
         "The outer product is wrong: entry (i, j) must be s_i s_j. Broadcast "
         "as probs[:, :, None] * probs[:, None, :] (or einsum 'ni,nj->nij')."),
        (wrong_axis,
         "The softmax was taken over the batch axis. Each row is one example; "
         "normalise along the last axis (axis=-1)."),
        (unshifted,
         "Huge logits overflow in exp and give nan. Subtract each row's "
         "maximum first, or use helpers.softmax."),
    ]


def _tempered_cases() -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng(3)
    return [
        (rng.normal(scale=2.0, size=(4, 3)), 0.5),     # N != C, T != 1
        (rng.normal(scale=2.0, size=(2, 5)), 3.0),
        (np.array([[1000.0, 999.0, 0.0],                # overflow without a shift
                   [-1000.0, -1001.0, -999.5]]), 1.0),
        (np.zeros((1, 2)), 0.25),                       # one row, a tie
    ]


def check_tempered_jacobian(func: Any) -> Feedback:
    r"""Check ``tempered_jacobian(logits, temperature)`` on a few batches.

    The function must return, for logits of shape (N, C) and a temperature
    :math:`T > 0`, the Jacobians of :math:`s = \operatorname{softmax}(z/T)`
    with respect to :math:`z`, shape (N, C, C):
    :math:`(\operatorname{diag}(s) - s s^\top) / T` for each row.

    Parameters
    ----------
    func : callable
        The learner's ``tempered_jacobian``.

    Returns
    -------
    Feedback
        Correct when every test batch agrees with the reference within
        ``rtol=1e-6, atol=1e-12``.  The test batches have N != C, T != 1
        and logits near 1000, so a wrong axis, a forgotten temperature and
        a missing max subtraction all show; each of these, and the
        diagonal-only and sign mistakes, get their own hint.

    Examples
    --------
    >>> import helpers
    >>> from helpers.checks.ch03 import check_tempered_jacobian
    >>> def tempered_jacobian(logits, temperature):
    ...     return helpers.softmax_jacobian(logits / temperature) / temperature
    >>> check_tempered_jacobian(tempered_jacobian).status
    'correct'
    >>> def forgot(logits, temperature):
    ...     return helpers.softmax_jacobian(logits)
    >>> print(check_tempered_jacobian(forgot).hint)  # doctest: +ELLIPSIS
    The temperature is missing...
    """
    return check_function(func, _tempered_reference, _tempered_cases(),
                          rtol=1e-6, atol=1e-12, hints=_tempered_mistakes(),
                          what="tempered_jacobian")


# --------------------------------------------------------------------------
# Exercise: a batched Jacobian-vector product
# --------------------------------------------------------------------------

def _jvp_reference(logits: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    # An independent route: form every Jacobian and multiply.
    return np.einsum("nij,nj->ni", softmax_jacobian(logits), vectors)


def _jvp_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``batched_jvp`` and their hints."""
    def elementwise(z, v):
        return softmax(z) * v

    def sign_flipped(z, v):
        return -_jvp_reference(z, v)

    def no_keepdims(z, v):
        p = softmax(z)
        return p * (v - np.sum(p * v, axis=-1))

    def whole_batch(z, v):
        p = softmax(z)
        return p * (v - np.sum(p * v))

    def unweighted_sum(z, v):
        p = softmax(z)
        return p * (v - np.sum(v, axis=-1, keepdims=True))

    def unweighted_mean(z, v):
        p = softmax(z)
        return p * (v - np.mean(v, axis=-1, keepdims=True))

    def wrong_axis(z, v):
        p = softmax(z, axis=0)
        return p * (v - np.sum(p * v, axis=-1, keepdims=True))

    def unshifted(z, v):
        p = _unshifted_softmax(z)
        return p * (v - np.sum(p * v, axis=-1, keepdims=True))

    return [
        (elementwise,
         "That is diag(s) v alone. Moving one logit moves every probability, "
         "so subtract each row's weighted average: s * (v - sum_j s_j v_j)."),
        (sign_flipped,
         "The sign is flipped: J v = s * (v - s . v), not s * (s . v - v)."),
        (no_keepdims,
         "The row averages were broadcast along the wrong axis. Keep one "
         "average per row with keepdims=True (shape (N, 1))."),
        (whole_batch,
         "The average was taken over the whole batch. Sum over the class axis "
         "only (axis=-1, keepdims=True): each row has its own average."),
        (unweighted_sum,
         "The average must be weighted by the probabilities: sum_j s_j v_j, "
         "not sum_j v_j."),
        (unweighted_mean,
         "The average must be weighted by the probabilities s_j, not the "
         "plain mean of v."),
        (wrong_axis,
         "The softmax was taken over the batch axis. Normalise each row, "
         "along the last axis (axis=-1)."),
        (unshifted,
         "Huge logits overflow in exp and give nan. Subtract each row's "
         "maximum first, or use helpers.softmax."),
    ]


def _jvp_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(4)
    return [
        # Square first, so a missing keepdims broadcasts silently and is named.
        (rng.normal(scale=2.0, size=(3, 3)), rng.normal(size=(3, 3))),
        (rng.normal(scale=2.0, size=(5, 4)), rng.normal(size=(5, 4))),
        (np.array([[1000.0, 999.0, 990.0],             # overflow without a shift
                   [-1000.0, -1002.0, -1001.0]]), rng.normal(size=(2, 3))),
        (rng.normal(size=(2, 4)), np.ones((2, 4))),      # the null direction
    ]


def check_batched_jvp(func: Any) -> Feedback:
    r"""Check ``batched_jvp(logits, vectors)``, one product :math:`J v` per row.

    For logits and vectors of shape (N, C) the function must return the
    (N, C) array whose row n is :math:`J(z_n)\, v_n =
    s_n \odot (v_n - s_n \cdot v_n)`.

    Parameters
    ----------
    func : callable
        The learner's ``batched_jvp``.

    Returns
    -------
    Feedback
        Correct when every test batch agrees with the product of the full
        Jacobians and the vectors within ``rtol=1e-6, atol=1e-12``.  A
        square batch comes first, so a forgotten ``keepdims`` gives a
        wrong value (with its hint) rather than an error; logits near
        1000 catch a missing max subtraction.

    Examples
    --------
    >>> import helpers
    >>> from helpers.checks.ch03 import check_batched_jvp
    >>> def batched_jvp(logits, vectors):
    ...     probs = helpers.softmax(logits)
    ...     return probs * (vectors - np.sum(probs * vectors, axis=-1, keepdims=True))
    >>> check_batched_jvp(batched_jvp).status
    'correct'
    >>> print(check_batched_jvp(lambda z, v: helpers.softmax(z) * v).hint)
    ... # doctest: +ELLIPSIS
    That is diag(s) v alone...
    """
    return check_function(func, _jvp_reference, _jvp_cases(),
                          rtol=1e-6, atol=1e-12, hints=_jvp_mistakes(),
                          what="batched_jvp")
