"""Checks for the exercises of the chapter on the softmax function.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`: correct, not attempted, wrong type,
wrong shape or wrong value.  The test inputs are chosen so that the usual
mistakes show (huge logits for a missing max subtraction, a square batch
for a wrong axis or a missing ``keepdims``, ties for the zero-temperature
limit), and each known mistake is answered with its own hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import softmax
from ._core import Feedback, check_function, check_value, matches

__all__ = [
    "BY_HAND_LOGITS",
    "TEMPERATURE_LOGITS",
    "TEMPERATURES",
    "check_softmax_by_hand",
    "check_logit_gap",
    "check_my_softmax",
    "check_temperature_probs",
    "check_zero_temperature_limit",
]

#: The logits of the exercise "Softmax by hand".
BY_HAND_LOGITS = (1.0, 3.0, 0.0)

#: The logits and temperatures of the exercise "Turning the temperature".
TEMPERATURE_LOGITS = (3.0, 1.0, 0.0)
TEMPERATURES = (0.5, 1.0, 5.0)

# A by-hand answer to three decimals passes; the known mistakes are all
# more than 1% away from the answer and from each other.
_HAND_RTOL = 1e-3
# Code answers: float64 softmax implementations with a max subtraction agree
# with helpers.softmax to ~1e-13 relative on these inputs.
_CODE_RTOL, _CODE_ATOL = 1e-9, 1e-12


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


def _returns_none(func: Any, case: tuple) -> bool:
    """True if calling `func` on `case` returns None (a missing ``return``)."""
    if not callable(func):
        return False
    try:
        with np.errstate(all="ignore"):
            return func(*[np.array(a, copy=True) for a in case]) is None
    except Exception:  # check_function reports exceptions itself
        return False


def _check_batch_function(func: Any, reference: Callable, cases: list,
                          hints: Sequence[tuple[Callable, str]], *,
                          what: str, fallback: str) -> Feedback:
    """:func:`check_function` plus a clear answer for a missing ``return``."""
    if _returns_none(func, cases[0]):
        return Feedback("wrong type", f"{what} returned None.",
                        "Did you forget the `return` statement?")
    fb = check_function(func, reference, cases, rtol=_CODE_RTOL, atol=_CODE_ATOL,
                        hints=hints, what=what)
    if fb.status == "wrong shape" and fb.hint not in {hint for _, hint in hints}:
        return Feedback(fb.status, fb.message,
                        "Return one probability per logit: an array of the same "
                        "shape (N, C) as `logits`.")
    if fb.status == "wrong value" and not fb.hint:
        return Feedback(fb.status, fb.message, fallback)
    return fb


def _naive_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """The overflowing softmax, used only to recognise that mistake."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / np.sum(weights, axis=axis, keepdims=True)


# --------------------------------------------------------------------------
# Softmax by hand
# --------------------------------------------------------------------------

def _by_hand_mistakes() -> list[tuple[float, str]]:
    z = np.array(BY_HAND_LOGITS)
    e = np.exp(z)
    return [
        (e[0] / e.sum(), "Classes are numbered from 0, so class 1 is the one "
                         "with logit 3. You computed the probability of class 0."),
        (e[2] / e.sum(), "Classes are numbered from 0, so class 1 is the one "
                         "with logit 3. You computed the probability of class 2."),
        (e[1] / (e[0] + e[1]), "The logit 0 counts too: e^0 = 1 belongs in the sum."),
        (z[1] / z.sum(), "Exponentiate the logits before you normalise them."),
        (10 ** z[1] / np.sum(10 ** z), "The softmax uses the natural exponential "
                                       "e^z, not 10^z."),
        (e[1], "Divide e^3 by the sum of all three exponentials."),
    ]


def check_softmax_by_hand(p1: Any) -> Feedback:
    """Check the probability of class 1 for the logits (1, 3, 0).

    Parameters
    ----------
    p1 : float
        The learner's value of :math:`\\operatorname{softmax}(1, 3, 0)_1`.
        Three correct decimals pass (relative tolerance 1e-3).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_softmax_by_hand(0.844).status)
    correct
    >>> print(check_softmax_by_hand(0.881).hint)
    The logit 0 counts too: e^0 = 1 belongs in the sum.
    """
    expected = softmax(np.array(BY_HAND_LOGITS))[1]
    return _check_known_value(
        p1, expected, _by_hand_mistakes(), what="p1", rtol=_HAND_RTOL, atol=0.0,
        shape_hint="p1 is one number, the probability of class 1, not the "
                   "whole vector of probabilities.",
        value_hint="Compute e^1, e^3 and e^0, add them, and divide e^3 by the sum.")


# --------------------------------------------------------------------------
# Reading a logit gap
# --------------------------------------------------------------------------

def check_logit_gap(gap: Any) -> Feedback:
    """Check the logit gap between classes with probabilities 0.6 and 0.2.

    Parameters
    ----------
    gap : float
        The learner's value of :math:`z_{\\text{cat}} - z_{\\text{dog}}`.
        Three correct decimals pass (relative tolerance 1e-3).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_logit_gap(1.0986).status)
    correct
    >>> print(check_logit_gap(3.0).hint)
    3 is the ratio of the probabilities; the logit gap is its natural logarithm.
    """
    expected = np.log(3.0)
    mistakes = [
        (3.0, "3 is the ratio of the probabilities; the logit gap is its "
              "natural logarithm."),
        (0.4, "The difference of the probabilities is not the difference of "
              "the logits: take the logarithm of their ratio."),
        (np.log10(3.0), "Use the natural logarithm (np.log), not log10: the "
                        "softmax uses e^z."),
        (-np.log(3.0), "Check the sign: the cat is more likely, so its logit "
                       "is the larger one."),
        (np.log(0.4), "Take the logarithm of the ratio of the probabilities, "
                      "not of their difference."),
    ]
    return _check_known_value(
        gap, expected, mistakes, what="gap", rtol=_HAND_RTOL, atol=0.0,
        shape_hint="gap is one number, the difference of two logits.",
        value_hint="Use p_cat / p_dog = e^(z_cat - z_dog); the other classes "
                   "do not matter.")


# --------------------------------------------------------------------------
# my_softmax for a batch
# --------------------------------------------------------------------------

def _reference_softmax(logits: np.ndarray) -> np.ndarray:
    return softmax(logits, axis=-1)


def _softmax_cases() -> list[tuple[np.ndarray]]:
    """Test batches, each chosen so that one kind of mistake shows."""
    return [
        # Square and with distinct rows: a wrong axis or a missing keepdims
        # gives the right shape and the wrong values.
        (np.array([[2.0, 1.0, 0.1], [-1.0, 0.5, 3.0], [0.0, 0.0, 0.0]]),),  # (3, 3)
        # N != C: a wrong axis now also gives the wrong sums per row.
        (np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -0.5, 0.0, 2.0]]),),         # (2, 4)
        # Huge logits: exp(1000) overflows, exp(-1000) underflows; the rows
        # are far apart, so one maximum for the whole batch is not enough.
        (np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -1002.0]]),),  # (2, 3)
        # One sample.
        (np.array([[3.0, -2.0, 0.5, 0.0, 1.0]]),),                          # (1, 5)
    ]


def _no_keepdims_sum(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1)


def _no_keepdims(z):
    e = np.exp(z - np.max(z, axis=-1))
    return e / np.sum(e, axis=-1)


def _global_max(z):
    with np.errstate(all="ignore"):
        e = np.exp(z - np.max(z))
        return e / np.sum(e, axis=-1, keepdims=True)


def _whole_batch(z):
    with np.errstate(all="ignore"):
        e = np.exp(z - np.max(z))
        return e / np.sum(e)


_SOFTMAX_HINTS = [
    (_naive_softmax,
     "exp(1000) overflows to inf. Subtract each row's maximum from the "
     "logits before exponentiating: it changes nothing mathematically."),
    (_global_max,
     "Subtract each row's own maximum (np.max(logits, axis=-1, "
     "keepdims=True)), not the maximum of the whole batch: a row far below "
     "the batch maximum underflows to 0 / 0."),
    (lambda z: softmax(z, axis=0),
     "Each row is one sample: normalise along the last axis (axis=-1), so "
     "that every row sums to 1."),
    (_no_keepdims_sum,
     "Use keepdims=True when you sum: a sum of shape (N,) is broadcast "
     "along the columns, so entry [i, j] is divided by the sum of row j."),
    (_no_keepdims,
     "Use keepdims=True for the maximum and the sum, so that they are "
     "subtracted from and divided into their own row."),
    (lambda z: np.exp(z - np.max(z, axis=-1, keepdims=True)),
     "Normalise: divide the exponentials by their sum over the row."),
    (_whole_batch,
     "Normalise each row separately: the probabilities of one sample sum to "
     "1, not those of the whole batch."),
    (lambda z: softmax(-z, axis=-1),
     "Check the sign: larger logits must get larger probabilities, so use "
     "exp(z - max), not exp(max - z)."),
    (lambda z: z / np.sum(z, axis=-1, keepdims=True),
     "Exponentiate the logits before normalising them."),
]


def check_my_softmax(my_softmax: Any) -> Feedback:
    """Check a learner's softmax of a batch of logits, shape (N, C).

    `my_softmax(logits)` must return an array of shape (N, C) whose rows
    are the softmax of the rows of `logits`.  It is tried on a square
    batch, a batch with N != C, huge logits (1000 and -1000) and a single
    row, and compared with :func:`helpers.numerics.softmax` with
    ``rtol=1e-9``, ``atol=1e-12``.

    Parameters
    ----------
    my_softmax : callable
        The learner's function.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> def my_softmax(logits):
    ...     weights = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    ...     return weights / np.sum(weights, axis=-1, keepdims=True)
    >>> print(check_my_softmax(my_softmax).status)
    correct
    >>> def overflowing(logits):
    ...     weights = np.exp(logits)
    ...     return weights / np.sum(weights, axis=-1, keepdims=True)
    >>> print(check_my_softmax(overflowing).hint)  # doctest: +ELLIPSIS
    exp(1000) overflows to inf. Subtract each row's maximum ...
    """
    return _check_batch_function(
        my_softmax, _reference_softmax, _softmax_cases(), _SOFTMAX_HINTS,
        what="my_softmax",
        fallback="Compute exp(logits - row maximum) and divide by its sum "
                 "over the last axis, with keepdims=True in both reductions.")


# --------------------------------------------------------------------------
# Temperature
# --------------------------------------------------------------------------

def _tempered(z: np.ndarray, temperatures: Sequence[float]) -> np.ndarray:
    """softmax(z / T) for each T, one row per temperature."""
    return np.stack([softmax(z / t) for t in temperatures])


def _temperature_mistakes() -> list[tuple[np.ndarray, str]]:
    z = np.array(TEMPERATURE_LOGITS)
    temps = np.array(TEMPERATURES)
    right = _tempered(z, temps)
    base = softmax(z)
    powered = base[None, :] ** (1 / temps[:, None])
    return [
        (right.T, "One row per temperature: row k holds the three "
                  "probabilities at TEMPERATURES[k]. Your array is transposed."),
        (np.stack([base] * len(temps)), "Every row is the same: divide the "
                                        "logits by the temperature first."),
        (_tempered(z, 1 / temps), "Divide the logits by T; you multiplied "
                                  "them by T."),
        (base[None, :] / temps[:, None], "Apply the temperature to the logits, "
                                         "before the exponential, not to the "
                                         "probabilities."),
        (powered, "p^(1/T) has the right shape but no longer sums to 1: "
                  "normalise each row, or compute softmax(z / T) directly."),
        (np.exp(z[None, :] / temps[:, None]), "Normalise each row: divide by "
                                              "the sum of its exponentials."),
    ]


def check_temperature_probs(probs_T: Any) -> Feedback:
    """Check ``softmax(z / T)`` for z = (3, 1, 0) at T = 0.5, 1 and 5.

    Parameters
    ----------
    probs_T : array_like, shape (3, 3)
        Row k holds the class probabilities at temperature
        ``TEMPERATURES[k]``.  Compared with ``rtol=1e-6``, ``atol=1e-9``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import softmax
    >>> z = np.array(TEMPERATURE_LOGITS)
    >>> answer = [softmax(z / t) for t in TEMPERATURES]
    >>> print(check_temperature_probs(answer).status)
    correct
    >>> print(check_temperature_probs([softmax(z)] * 3).hint)
    Every row is the same: divide the logits by the temperature first.
    """
    expected = _tempered(np.array(TEMPERATURE_LOGITS), TEMPERATURES)
    return _check_known_value(
        probs_T, expected, _temperature_mistakes(), what="probs_T",
        rtol=1e-6, atol=1e-9,
        shape_hint="probs_T has one row per temperature and one column per "
                   "class: shape (3, 3).",
        value_hint="Row k is softmax(z / T) with T = TEMPERATURES[k].")


# --------------------------------------------------------------------------
# The zero-temperature limit
# --------------------------------------------------------------------------

def _zero_temperature_reference(logits: np.ndarray) -> np.ndarray:
    is_max = logits == np.max(logits, axis=-1, keepdims=True)
    return is_max / np.sum(is_max, axis=-1, keepdims=True)


def _limit_cases() -> list[tuple[np.ndarray]]:
    """Batches with ties, a near-tie and huge logits.

    No single small temperature passes both: the near-tie needs
    T << 1e-12, and the logit 1e300 overflows ``z / T`` for T < 1e-8.
    """
    return [
        (np.array([[2.0, 1.0, 0.0],
                   [1.0, 1.0, 0.0],              # a tie between two classes
                   [0.0, 0.0, 0.0],              # a three-way tie
                   [-1.0, 5.0, 5.0],
                   [1.0, 1.0 - 1e-12, 0.0]]),),  # a near-tie is not a tie
        (np.array([[1000.0, -1000.0, 999.5, 1000.0],
                   [3.0, 2.0, 1.0, 0.0],
                   [1e300, 0.0, -1e300, 1e300]]),),  # (3, 4)
    ]


def _one_hot_argmax(z):
    return np.eye(z.shape[-1])[np.argmax(z, axis=-1)]


_SMALL_T_HINT = ("Evaluate the limit exactly instead of plugging in a small "
                 "temperature: the answer holds only 0s and fractions 1/k, "
                 "and a near-tie such as (1, 1 - 1e-12) is not a tie.")

_LIMIT_HINTS = [
    (_one_hot_argmax,
     "Ties: when k logits share the maximum, the limit gives each of them "
     "1/k. np.argmax picks only the first."),
    (lambda z: (z == np.max(z, axis=-1, keepdims=True)).astype(float),
     "Divide by the number of tied maxima in each row, so that the row sums "
     "to 1."),
    (lambda z: np.argmax(z, axis=-1),
     "Return probabilities of shape (N, C), not the indices of the maxima."),
    (lambda z: _zero_temperature_reference(-z),
     "Check the sign: the limit puts the probability on the largest logit, "
     "not the smallest."),
    (lambda z: np.full(z.shape, 1.0 / z.shape[-1]),
     "All classes equally likely is the limit T -> infinity; as T -> 0 the "
     "largest logit takes everything."),
    *[(lambda z, t=t: softmax(z / t, axis=-1), _SMALL_T_HINT)
      for t in 10.0 ** -np.arange(1, 21)],
]


def check_zero_temperature_limit(softmax_zero_temperature: Any) -> Feedback:
    """Check a learner's limit of ``softmax(z / T)`` as T -> 0, row by row.

    `softmax_zero_temperature(logits)` takes logits of shape (N, C) and
    returns, for each row, 1/k on each of its k largest (tied) logits and
    0 elsewhere.  It is tried on ties, a near-tie (1, 1 - 1e-12) and huge
    logits (up to 1e300), with ``rtol=1e-9``, ``atol=1e-12``.

    Parameters
    ----------
    softmax_zero_temperature : callable
        The learner's function.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> def limit(logits):
    ...     is_max = logits == np.max(logits, axis=-1, keepdims=True)
    ...     return is_max / np.sum(is_max, axis=-1, keepdims=True)
    >>> print(check_zero_temperature_limit(limit).status)
    correct
    >>> def first_max_only(logits):
    ...     return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    >>> print(check_zero_temperature_limit(first_max_only).hint)  # doctest: +ELLIPSIS
    Ties: when k logits share the maximum, the limit gives each of them 1/k. ...
    """
    return _check_batch_function(
        softmax_zero_temperature, _zero_temperature_reference, _limit_cases(),
        _LIMIT_HINTS, what="softmax_zero_temperature",
        fallback="In each row, find the logits equal to the row maximum and "
                 "share the probability equally among them.")
