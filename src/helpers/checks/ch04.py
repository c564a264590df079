"""Checks for the exercises of the chapter on cross-entropy.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`: correct, not attempted, wrong type,
wrong shape or wrong value, each with a hint.  The test inputs are chosen
so that the usual mistakes show: huge logits for a missing max subtraction
or a ``log(softmax(z))`` that underflows, a square batch for a wrong axis,
several samples for a sum instead of a mean, and each known wrong number
(nats for bits, log10, a sign error, ...) is answered with its own hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import cross_entropy, log_softmax, softmax
from ._core import Feedback, check_function, check_value, check_number, matches

__all__ = [
    "ENTROPY_PROBS",
    "SMOOTHING",
    "SMOOTHING_CLASSES",
    "UNIFORM_CLASSES",
    "check_entropy_bits",
    "check_my_cross_entropy",
    "check_smoothed_min_loss",
    "check_uniform_loss",
]

#: The distribution of the exercise "Entropy in bits".
ENTROPY_PROBS = (0.5, 0.25, 0.125, 0.125)

#: The label smoothing and number of classes of "The floor of a smoothed loss".
SMOOTHING = 0.1
SMOOTHING_CLASSES = 10

#: The number of classes of "The loss of a uniform guess".
UNIFORM_CLASSES = 1000

# A hand-computed answer to three significant digits passes; every known
# mistake below is more than 1% away from the answer.
_HAND_RTOL = 1e-3
# Code answers: a float64 loss computed through a log-softmax agrees with
# helpers.cross_entropy to ~1e-15 relative on these inputs.
_CODE_RTOL, _CODE_ATOL = 1e-9, 1e-12


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

_matches = matches  # a known mistake's answer, recognised


def _check_number(answer: Any, expected: float,
                  mistakes: Sequence[tuple[float, str]], *, what: str,
                  shape_hint: str, value_hint: str) -> Feedback:
    """:func:`check_number` at this chapter's tolerance."""
    return check_number(answer, expected, mistakes, rtol=_HAND_RTOL, what=what,
                        shape_hint=shape_hint, value_hint=value_hint)


# --------------------------------------------------------------------------
# Entropy in bits
# --------------------------------------------------------------------------

def _entropy_mistakes() -> list[tuple[float, str]]:
    p = np.array(ENTROPY_PROBS)
    nats = -np.sum(p * np.log(p))
    surprisal_bits = -np.log2(p)
    return [
        (nats, "np.log is the natural logarithm, so this is the entropy in "
               "nats. For bits use np.log2, or divide the nats by ln 2."),
        (nats * np.log(2), "To turn nats into bits, divide by ln 2 "
                           "(about 0.693); you multiplied."),
        (nats / np.log(10), "That is the entropy in base 10 (np.log10). "
                            "Bits need base 2: np.log2."),
        (-nats / np.log(2), "Check the sign: entropy is -sum p log2 p, and "
                            "it is never negative, because log2 p <= 0."),
        (np.sum(surprisal_bits), "Weight each surprisal -log2 p by its "
                                 "probability p before adding them."),
        (np.mean(surprisal_bits), "Entropy is the probability-weighted "
                                  "average of the surprisals, not their "
                                  "plain average."),
        (np.log2(p.size), "log2(4) = 2 bits is the entropy of the uniform "
                          "distribution on 4 outcomes; use the given "
                          "probabilities."),
    ]


def check_entropy_bits(entropy_bits: Any) -> Feedback:
    """Check the entropy, in bits, of the distribution `ENTROPY_PROBS`.

    Parameters
    ----------
    entropy_bits : float
        The learner's value of :math:`-\\sum_i p_i \\log_2 p_i` for
        p = (1/2, 1/4, 1/8, 1/8).  Three correct significant digits pass
        (relative tolerance 1e-3).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_entropy_bits(1.75).status)
    correct
    >>> print(check_entropy_bits(1.2130).hint)  # doctest: +ELLIPSIS
    np.log is the natural logarithm, so this is the entropy in nats. ...
    """
    p = np.array(ENTROPY_PROBS)
    return _check_number(
        entropy_bits, float(-np.sum(p * np.log2(p))), _entropy_mistakes(),
        what="entropy_bits",
        shape_hint="entropy_bits is one number for the whole distribution: "
                   "add up the terms -p log2 p.",
        value_hint="Compute -p log2 p for each of the four outcomes and add "
                   "them up.")


# --------------------------------------------------------------------------
# Cross-entropy from logits, mean over a batch
# --------------------------------------------------------------------------

def _rows(labels: np.ndarray) -> np.ndarray:
    return np.arange(len(labels))


def _reference_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    return cross_entropy(logits, labels)


def _cross_entropy_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Test batches, each chosen so that one kind of mistake shows."""
    return [
        # Square, with the true class not always the largest logit: a wrong
        # axis, a sum, a sign error or a wrong base all give a wrong number.
        (np.array([[2.0, 1.0, 0.1], [-1.0, 0.5, 3.0], [0.3, 0.3, -2.0]]),
         np.array([0, 2, 1])),                                      # (3, 3)
        # N != C.
        (np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -0.5, 0.0, 2.0]]),
         np.array([3, 0])),                                         # (2, 4)
        # A huge logit for the true class: exp(1000) overflows unless the
        # row maximum is subtracted; log(softmax) is still fine here.
        (np.array([[1000.0, 999.0, 0.0], [0.0, 1.0, 2.0]]),
         np.array([0, 2])),                                         # (2, 3)
        # Confidently wrong: the true class is 2000 below the maximum, so
        # its probability underflows to 0 and log(softmax) gives inf; the
        # second row is far below the batch maximum.
        (np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]),
         np.array([2, 1])),                                         # (2, 3)
        # One sample, the true class last.
        (np.array([[3.0, -2.0, 0.5, 0.0, 1.0]]), np.array([4])),    # (1, 5)
    ]


def _picked(log_probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return log_probs[_rows(labels), labels]                         # (N,)


def _naive_log_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def _naive_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        weights = np.exp(z)
        return weights / np.sum(weights, axis=-1, keepdims=True)


def _global_max_log_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        shifted = z - np.max(z)
        return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _global_max_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        weights = np.exp(z - np.max(z))
        return weights / np.sum(weights, axis=-1, keepdims=True)


def _log_of(probs: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.log(probs)


_LOG_OF_SOFTMAX_HINT = (
    "log(softmax(z)) fails when the true class is far below the maximum: its "
    "probability underflows to 0 and the log gives inf. Compute the "
    "log-probabilities directly, z - logsumexp(z), with the row maximum "
    "subtracted inside the log-sum-exp.")
_OVERFLOW_HINT = (
    "exp(1000) overflows to inf. Subtract each row's maximum from the logits "
    "before exponentiating (np.max(logits, axis=-1, keepdims=True)).")
_GLOBAL_MAX_HINT = (
    "Subtract each row's own maximum, not the maximum of the whole batch: a "
    "row far below the batch maximum underflows to exp(-1000) = 0.")


def _cross_entropy_hints() -> list[tuple[Callable, str]]:
    ls = log_softmax
    return [
        (lambda z, y: -np.sum(_picked(ls(z), y)),
         "Take the mean over the batch, not the sum: divide by N."),
        (lambda z, y: -np.mean(np.eye(z.shape[-1])[y] * ls(z)),
         "np.mean over the (N, C) array of one-hot times log-probabilities "
         "divides by N * C. Average over the N samples only."),
        (lambda z, y: -np.mean(_picked(ls(z), y)) / np.log(10),
         "Use the natural logarithm (np.log), not log10: the loss is in nats."),
        (lambda z, y: -np.mean(_picked(ls(z), y)) / np.log(2),
         "Use the natural logarithm (np.log), not log2: the loss is in nats."),
        (lambda z, y: np.mean(_picked(ls(z), y)),
         "Check the sign: the loss is -log p of the true class, which is "
         "never negative."),
        (lambda z, y: -np.mean(_picked(_log_of(softmax(z)), y)),
         _LOG_OF_SOFTMAX_HINT),
        (lambda z, y: -np.mean(_picked(_log_of(_naive_softmax(z)), y)),
         _OVERFLOW_HINT),
        (lambda z, y: -np.mean(_picked(_naive_log_softmax(z), y)),
         _OVERFLOW_HINT),
        (lambda z, y: -np.mean(_picked(_global_max_log_softmax(z), y)),
         _GLOBAL_MAX_HINT),
        (lambda z, y: -np.mean(_picked(_log_of(_global_max_softmax(z)), y)),
         _GLOBAL_MAX_HINT),
        (lambda z, y: -np.mean(_picked(ls(z, axis=0), y)),
         "Each row is one sample: normalise along the last axis (axis=-1), "
         "so that the probabilities of each row sum to 1."),
        (lambda z, y: -np.mean(ls(z)[:, y]),
         "log_probs[:, labels] takes N entries from every row. Pick one entry "
         "per row: log_probs[np.arange(N), labels]."),
        (lambda z, y: -np.mean(_picked(ls(z), (y - 1) % z.shape[-1])),
         "Off by one class: labels are already 0-based indices, so use them "
         "as they are."),
        (lambda z, y: -np.mean(_picked(softmax(z), y)),
         "Take the logarithm: the loss is -log p of the true class, not -p."),
        (lambda z, y: -np.mean(_picked(z, y)),
         "Normalise first: the loss uses the log-probability "
         "z_y - logsumexp(z), not the raw logit z_y."),
        (lambda z, y: -_picked(ls(z), y),
         "Return one number, the mean over the batch, not one loss per "
         "sample."),
    ]


def _returns_none(func: Any, case: tuple) -> bool:
    """True if calling `func` on `case` returns None (a missing ``return``)."""
    if not callable(func):
        return False
    try:
        with np.errstate(all="ignore"):
            return func(*[np.array(a, copy=True) for a in case]) is None
    except Exception:  # check_function reports exceptions itself
        return False


def check_my_cross_entropy(my_cross_entropy: Any) -> Feedback:
    """Check a learner's mean cross-entropy from logits and integer labels.

    `my_cross_entropy(logits, labels)` takes logits of shape (N, C) and
    integer labels of shape (N,) and returns the mean over the batch of
    ``-log softmax(logits[n])[labels[n]]``, one number.  It is tried on a
    square batch, a batch with N != C, a huge logit of the true class, a
    true class 2000 below the maximum (its probability underflows to 0)
    and a single sample, and compared with
    :func:`helpers.numerics.cross_entropy` with ``rtol=1e-9``,
    ``atol=1e-12``.

    Parameters
    ----------
    my_cross_entropy : callable
        The learner's function.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> def my_cross_entropy(logits, labels):
    ...     m = np.max(logits, axis=-1, keepdims=True)
    ...     lse = m + np.log(np.sum(np.exp(logits - m), axis=-1, keepdims=True))
    ...     log_probs = logits - lse
    ...     return -np.mean(log_probs[np.arange(len(labels)), labels])
    >>> print(check_my_cross_entropy(my_cross_entropy).status)
    correct
    >>> def summed(logits, labels):
    ...     return len(labels) * my_cross_entropy(logits, labels)
    >>> print(check_my_cross_entropy(summed).hint)
    Take the mean over the batch, not the sum: divide by N.
    """
    what = "my_cross_entropy"
    cases = _cross_entropy_cases()
    if _returns_none(my_cross_entropy, cases[0]):
        return Feedback("wrong type", f"{what} returned None.",
                        "Did you forget the `return` statement?")
    hints = _cross_entropy_hints()
    fb = check_function(my_cross_entropy, _reference_cross_entropy, cases,
                        rtol=_CODE_RTOL, atol=_CODE_ATOL, hints=hints, what=what)
    if fb.status == "wrong shape" and fb.hint not in {h for _, h in hints}:
        return Feedback(fb.status, fb.message,
                        "Return one number: the mean of the N per-sample "
                        "losses.")
    if fb.status == "wrong value" and not fb.hint:
        return Feedback(fb.status, fb.message,
                        "Compute log-probabilities z - logsumexp(z) row by row "
                        "(with the row maximum subtracted), pick the true "
                        "class in each row, and return minus their mean.")
    return fb


# --------------------------------------------------------------------------
# The floor of a smoothed loss
# --------------------------------------------------------------------------

def _entropy(probs: np.ndarray) -> float:
    return float(-np.sum(probs * np.log(probs)))


def _smoothed_target(true_share: float, other_share: float) -> np.ndarray:
    return np.array([true_share] + [other_share] * (SMOOTHING_CLASSES - 1))


def _smoothed_min_loss() -> float:
    eps, c = SMOOTHING, SMOOTHING_CLASSES
    return _entropy(_smoothed_target(1 - eps + eps / c, eps / c))


def _smoothing_mistakes() -> list[tuple[float, str]]:
    eps, c = SMOOTHING, SMOOTHING_CLASSES
    right = _smoothed_target(1 - eps + eps / c, eps / c)
    terms = -right * np.log(right)
    return [
        (0.0, "0 is the floor without smoothing, reached only as the logits "
              "go to infinity. With smoothing the target itself is uncertain: "
              "the smallest loss is its entropy."),
        (np.log(c), "log C is the loss of a uniform prediction, not the "
                    "smallest loss."),
        (float("inf"), "A one-hot prediction puts probability 0 on classes "
                       "that the smoothed target gives eps/C, so its loss is "
                       "infinite. The best prediction is the smoothed target "
                       "itself."),
        (_entropy(_smoothed_target(1 - eps, eps / c)),
         "The true class gets 1 - eps + eps/C = 0.91: the eps is spread over "
         "all C classes, the true one included, so the target sums to 1."),
        (_entropy(_smoothed_target(1 - eps, eps / (c - 1))),
         "Spread eps over all C classes (eps/C each, the true class "
         "included), not over the C - 1 wrong ones."),
        (-(1 - eps) * np.log(1 - eps) - eps * np.log(eps / c),
         "The true class gets 1 - eps + eps/C = 0.91, and each of the nine "
         "others eps/C = 0.01."),
        (_smoothed_min_loss() / np.log(2),
         "That is the answer in bits; the loss uses natural logarithms (nats)."),
        (_smoothed_min_loss() / np.log(10),
         "Use the natural logarithm (np.log), not log10."),
        (terms[0], "Include the nine wrong classes: each contributes "
                   "-0.01 log 0.01."),
        (np.sum(terms[1:]), "Include the true class: it contributes "
                            "-0.91 log 0.91."),
        (-_smoothed_min_loss(), "Check the sign: a cross-entropy is never "
                                "negative."),
    ]


def check_smoothed_min_loss(min_loss: Any) -> Feedback:
    """Check the smallest label-smoothed loss for 10 classes and eps = 0.1.

    Parameters
    ----------
    min_loss : float
        The learner's value of the minimum, over all predicted
        distributions, of the cross-entropy against the smoothed target
        with ``SMOOTHING_CLASSES = 10`` and ``SMOOTHING = 0.1``, in nats.
        Three correct significant digits pass (relative tolerance 1e-3).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_smoothed_min_loss(0.5003).status)
    correct
    >>> print(check_smoothed_min_loss(0.0).hint)  # doctest: +ELLIPSIS
    0 is the floor without smoothing, ...
    """
    return _check_number(
        min_loss, _smoothed_min_loss(), _smoothing_mistakes(), what="min_loss",
        shape_hint="min_loss is one number, the smallest possible loss for "
                   "one sample.",
        value_hint="Write down the smoothed target (0.91 on the true class, "
                   "0.01 on each other class); the best prediction is the "
                   "target itself, and the loss there is its entropy.")


# --------------------------------------------------------------------------
# The loss of a uniform guess
# --------------------------------------------------------------------------

def _uniform_mistakes() -> list[tuple[float, str]]:
    c = UNIFORM_CLASSES
    return [
        (np.log2(c), "That is log2 C, in bits; the loss uses natural "
                     "logarithms (nats): np.log."),
        (np.log10(c), "Use the natural logarithm (np.log), not log10."),
        (1 / c, "1/C is the probability the uniform guess gives the true "
                "class; the loss is minus its logarithm."),
        (-np.log(c), "Check the sign: the loss is -log(1/C), which is "
                     "positive."),
        (float(c), "The loss is -log(1/C), not C."),
        (1 - 1 / c, "1 - 1/C is the error rate of a uniform guess; the loss "
                    "is -log(1/C)."),
        (0.0, "A loss of 0 needs probability 1 on the true class; the "
              "uniform guess gives it only 1/C."),
    ]


def check_uniform_loss(uniform_loss: Any) -> Feedback:
    """Check the cross-entropy of a uniform prediction over 1000 classes.

    Parameters
    ----------
    uniform_loss : float
        The learner's value of the loss, in nats, of a classifier that
        gives each of ``UNIFORM_CLASSES = 1000`` classes the same
        probability.  Three correct significant digits pass (relative
        tolerance 1e-3).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_uniform_loss(6.908).status)
    correct
    >>> print(check_uniform_loss(3.0).hint)
    Use the natural logarithm (np.log), not log10.
    """
    return _check_number(
        uniform_loss, float(np.log(UNIFORM_CLASSES)), _uniform_mistakes(),
        what="uniform_loss",
        shape_hint="uniform_loss is one number: every sample has the same "
                   "loss, so the mean is that loss.",
        value_hint="A uniform guess gives the true class probability 1/C; "
                   "the loss is -log(1/C).")
