"""Checks for the exercises of the chapter on mutual information.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`: correct, not attempted, wrong type,
wrong shape or wrong value, each with a hint.  The test inputs are chosen
so that the usual mistakes show: a row of logits near 800 for a missing
max subtraction, unbalanced labels for a missing prior correction, a
square batch for a wrong axis, and each known wrong number (bits or log10
for nats, a forgotten log C, probabilities for log-probabilities, ...) is
answered with its own hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import cross_entropy, log_softmax, softmax
from ._core import Feedback, check_function, check_value, is_not_attempted, check_number, matches

__all__ = [
    "MI_LOGITS",
    "MI_LABELS",
    "CEILING_CLASSES",
    "BIAS_PRIORS",
    "check_mi_estimate",
    "check_pc_mi_estimate",
    "check_ceiling",
    "check_naive_bias",
]

#: The logits of "An estimate from eight predictions": 8 test points, 4
#: classes.  Row 6 is near 800, so exp overflows without max subtraction.
MI_LOGITS = (
    (2.0, 0.5, -1.0, 0.0),
    (0.5, 2.5, 0.0, -1.0),
    (-0.5, 0.0, 1.5, 1.0),
    (0.0, -1.0, 0.5, 3.0),
    (1.0, 1.5, 0.0, 0.5),
    (0.0, 0.5, 2.0, -0.5),
    (800.0, 790.0, 805.0, 795.0),
    (1.5, 0.0, 0.5, 1.0),
)

#: Their true classes: each of the 4 classes twice (balanced).
MI_LABELS = (0, 1, 2, 3, 0, 1, 2, 3)

#: The number of classes of "The ceiling".
CEILING_CLASSES = 10

#: The class priors of "Information from nothing".
BIAS_PRIORS = (0.6, 0.3, 0.1)

# Numbers computed with code: the answer is known to many digits, and every
# known mistake below is more than 1% away from it.
_NUMBER_RTOL = 1e-4
# Functions: float64 log-softmax arithmetic agrees to ~1e-15 relative; the
# estimates here are of order 0.1 to 1.
_CODE_RTOL, _CODE_ATOL = 1e-9, 1e-12


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

_matches = matches  # a known mistake's answer, recognised


def _check_number(answer: Any, expected: float,
                  mistakes: Sequence[tuple[float, str]], *, what: str,
                  shape_hint: str, value_hint: str) -> Feedback:
    """:func:`check_number` at this chapter's tolerance."""
    return check_number(answer, expected, mistakes, rtol=_NUMBER_RTOL, what=what,
                        shape_hint=shape_hint, value_hint=value_hint)


def _rows(labels: np.ndarray) -> np.ndarray:
    return np.arange(len(labels))


def _naive_softmax(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        weights = np.exp(z)
        return weights / np.sum(weights, axis=-1, keepdims=True)


def _log_of(values: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.log(values)


_OVERFLOW_HINT = (
    "exp(800) overflows to inf, and inf / inf is nan. Subtract each row's "
    "maximum before exponentiating, or use helpers.log_softmax or "
    "helpers.cross_entropy, which do it for you.")


# --------------------------------------------------------------------------
# An estimate from eight predictions
# --------------------------------------------------------------------------

def _mi_inputs() -> tuple[np.ndarray, np.ndarray]:
    return np.array(MI_LOGITS), np.array(MI_LABELS)


def _mi_mistakes() -> list[tuple[float, str]]:
    logits, labels = _mi_inputs()
    num_classes, num_points = logits.shape[1], len(labels)
    loss = float(cross_entropy(logits, labels))
    right = np.log(num_classes) - loss
    picked = softmax(logits)[_rows(labels), labels]             # (N,)
    column_norm = log_softmax(logits, axis=0)[_rows(labels), labels]
    naive = _log_of(_naive_softmax(logits)[_rows(labels), labels])
    return [
        (np.nan, _OVERFLOW_HINT),
        (-np.inf, _OVERFLOW_HINT),
        (np.inf, _OVERFLOW_HINT),
        (np.log(num_classes) + np.mean(naive), _OVERFLOW_HINT),
        (right / np.log(2), "That is the estimate in bits (log2). The book "
                            "measures information in nats: use np.log."),
        (right / np.log(10), "Use the natural logarithm (np.log), not "
                             "log10: the estimate is in nats."),
        (np.log10(num_classes) - loss, "log C and the loss must use the same "
                                       "logarithm: np.log(4), not np.log10."),
        (-loss, "Add log C: the estimate is log C - CE, the uncertainty "
                "before seeing x minus the loss after."),
        (loss, "That is the cross-entropy itself. The estimate is log C "
               "minus it."),
        (-right, "Check the sign: the estimate is log C - CE, not "
                 "CE - log C."),
        (np.log(num_points) - loss, "C is the number of classes (4, the "
                                    "columns of the logits), not the "
                                    "number of points."),
        (np.log(num_classes) - num_points * loss,
         "Use the mean cross-entropy over the 8 points, not the sum."),
        (np.log(num_classes) - np.mean(picked),
         "The loss uses log-probabilities: CE = -mean(log q_y), not "
         "mean(q_y)."),
        (np.log(num_classes) + np.mean(picked),
         "The loss uses log-probabilities: CE = -mean(log q_y), not "
         "-mean(q_y)."),
        (np.log(num_classes) - (1 - np.mean(picked)),
         "The loss uses log-probabilities: CE = -mean(log q_y), not "
         "1 - mean(q_y)."),
        (np.log(num_classes) + np.mean(column_norm),
         "Each row is one point: normalise along the last axis (axis=-1), "
         "so that each row's probabilities sum to 1."),
    ]


def check_mi_estimate(mi_hat: Any) -> Feedback:
    """Check the naive estimate log C - CE for `MI_LOGITS` and `MI_LABELS`.

    Parameters
    ----------
    mi_hat : float
        The learner's value of :math:`\\log C - \\mathrm{CE}` in nats,
        where CE is the mean softmax cross-entropy of ``MI_LOGITS``
        (shape (8, 4)) against ``MI_LABELS``.  Relative tolerance 1e-4.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import cross_entropy
    >>> mi_hat = np.log(4) - cross_entropy(MI_LOGITS, MI_LABELS)
    >>> print(check_mi_estimate(mi_hat).status)
    correct
    >>> print(check_mi_estimate(-cross_entropy(MI_LOGITS, MI_LABELS)).hint)
    Add log C: the estimate is log C - CE, the uncertainty before seeing x minus the loss after.
    """
    logits, labels = _mi_inputs()
    expected = float(np.log(logits.shape[1]) - cross_entropy(logits, labels))
    return _check_number(
        mi_hat, expected, _mi_mistakes(), what="mi_hat",
        shape_hint="mi_hat is one number for the whole test set: log C "
                   "minus the mean loss.",
        value_hint="Compute the mean cross-entropy of MI_LOGITS against "
                   "MI_LABELS (helpers.cross_entropy does it), and subtract "
                   "it from log 4.")


# --------------------------------------------------------------------------
# The prior-corrected estimate
# --------------------------------------------------------------------------

def _reference_pc(logits: np.ndarray, labels: np.ndarray,
                  priors: np.ndarray) -> float:
    log_priors = np.log(priors)
    log_r = log_softmax(logits + log_priors)[_rows(labels), labels] \
        - log_priors[labels]
    return float(np.mean(log_r))


def _frequencies(labels: Sequence[int], num_classes: int) -> np.ndarray:
    return np.bincount(labels, minlength=num_classes) / len(labels)


def _pc_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Test inputs, each chosen so that one kind of mistake shows.

    In every case the priors are the label frequencies, so computing
    H(Y) from the priors or from the labels gives the same answer.
    """
    rng = np.random.default_rng(9)
    # Unbalanced (3:2:1), N != C: a missing correction, a wrong sign or a
    # forgotten term all give a different number.
    labels_a = np.array([0, 0, 0, 1, 1, 2])
    logits_a = np.array([[2.0, 0.0, -1.0], [1.0, 0.5, 0.0],
                         [0.0, 1.0, 0.5], [-0.5, 1.5, 0.0],
                         [1.0, 0.0, 0.5], [0.0, 0.5, 1.0]])         # (6, 3)
    # A logit near 800: exp overflows without max subtraction.
    labels_b = np.array([0, 1, 2, 1])
    logits_b = np.array([[800.0, 805.0, 790.0], [1.0, 2.0, 0.0],
                         [0.0, 0.5, 3.0], [2.0, 1.0, 0.0]])         # (4, 3)
    # Square (balanced): a normalisation along axis 0 shows.
    labels_c = np.array([2, 0, 3, 1])
    logits_c = np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 1.5, 0.0, 0.0],
                         [-1.0, 2.0, 0.5, 1.0], [0.0, 0.0, 1.0, 0.5]])
    # A larger random batch with four classes, 10:5:3:2.
    labels_d = np.repeat([0, 1, 2, 3], [10, 5, 3, 2])
    logits_d = rng.normal(scale=2.0, size=(20, 4))                  # (20, 4)
    return [(logits_a, labels_a, _frequencies(labels_a, 3)),
            (logits_b, labels_b, _frequencies(labels_b, 3)),
            (logits_c, labels_c, _frequencies(labels_c, 4)),
            (logits_d, labels_d, _frequencies(labels_d, 4))]


def _pc_hints() -> list[tuple[Callable, str]]:
    ls = log_softmax

    def picked(log_probs, y):
        return log_probs[_rows(y), y]

    def entropy(priors):
        return -np.sum(priors * np.log(priors))

    return [
        (lambda z, y, pi: np.log(z.shape[-1]) + np.mean(picked(ls(z), y)),
         "This is the naive estimate log C - CE(f). With unbalanced classes "
         "subtract the cross-entropy of f + log(priors) from the label "
         "entropy H(Y) instead."),
        (lambda z, y, pi: entropy(pi) + np.mean(picked(ls(z), y)),
         "Add log(priors) to the logits before the log-softmax: the PC "
         "softmax divides by sum_c pi_c exp(f_c)."),
        (lambda z, y, pi: np.log(z.shape[-1])
         + np.mean(picked(ls(z + np.log(pi)), y)),
         "Subtract the loss from the label entropy H(Y) = -mean(log "
         "pi_y), not from log C: with unbalanced classes H(Y) < log C."),
        (lambda z, y, pi: np.mean(picked(ls(z + np.log(pi)), y)),
         "You returned minus the cross-entropy of f + log(priors). Subtract "
         "log pi_y for each point as well: log r_y = log softmax(f + log "
         "pi)_y - log pi_y."),
        (lambda z, y, pi: np.mean(picked(ls(z - np.log(pi)), y)
                                  + np.log(pi)[y]),
         "Check the signs: add log(priors) to the logits, and subtract "
         "log pi_y from each point's log-probability."),
        (lambda z, y, pi: np.mean(picked(ls(z + np.log(pi)), y)
                                  + np.log(pi)[y]),
         "Check the sign of the last term: log r_y = log softmax(f + log "
         "pi)_y - log pi_y."),
        (lambda z, y, pi: np.mean(picked(ls(z + pi), y) - pi[y]),
         "Use the logarithms of the priors, log(pi), not the priors "
         "themselves."),
        (lambda z, y, pi: np.mean(picked(ls(z + np.log(pi)), y)
                                  - np.log(pi)[y]) / np.log(2),
         "Use natural logarithms (nats), not log2."),
        (lambda z, y, pi: np.mean(picked(ls(z + np.log(pi)), y)
                                  - np.log(pi)[y]) / np.log(10),
         "Use natural logarithms (nats), not log10."),
        (lambda z, y, pi: np.mean(picked(_log_of(_naive_softmax(
            z + np.log(pi))), y) - np.log(pi)[y]), _OVERFLOW_HINT),
        (lambda z, y, pi: np.mean(picked(ls(z + np.log(pi), axis=0), y)
                                  - np.log(pi)[y]),
         "Each row is one point: normalise along the last axis (axis=-1)."),
        (lambda z, y, pi: np.sum(picked(ls(z + np.log(pi)), y)
                                 - np.log(pi)[y]),
         "Take the mean over the points, not the sum."),
        (lambda z, y, pi: picked(ls(z + np.log(pi)), y) - np.log(pi)[y],
         "Return one number, the mean over the points, not one value per "
         "point."),
    ]


def _returns_none(func: Any, case: tuple) -> bool:
    """True if calling `func` on `case` returns None (a missing ``return``)."""
    if is_not_attempted(func) or not callable(func):
        return False
    try:
        with np.errstate(all="ignore"):
            return func(*[np.array(a, copy=True) for a in case]) is None
    except Exception:  # check_function reports exceptions itself
        return False


def check_pc_mi_estimate(pc_mi_estimate: Any) -> Feedback:
    """Check a learner's prior-corrected (PC) estimate of I(X; Y).

    `pc_mi_estimate(logits, labels, priors)` takes scores f of shape
    (N, C), integer labels of shape (N,) and class priors of shape (C,),
    and returns one number: the mean over the points of

    .. math::

        \\log r_{y}(x) = f_y - \\log \\sum_c \\pi_c e^{f_c}
        = \\log\\operatorname{softmax}(f + \\log\\pi)_y - \\log \\pi_y .

    It is tried on unbalanced labels, a logit near 800, a square batch and
    a random batch of 20, each with the label frequencies as priors, and
    compared with a log-softmax reference with ``rtol=1e-9``,
    ``atol=1e-12``.

    Parameters
    ----------
    pc_mi_estimate : callable
        The learner's function.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import log_softmax
    >>> def pc_mi_estimate(logits, labels, priors):
    ...     log_pi = np.log(priors)
    ...     log_q = log_softmax(logits + log_pi)
    ...     rows = np.arange(len(labels))
    ...     return np.mean(log_q[rows, labels] - log_pi[labels])
    >>> print(check_pc_mi_estimate(pc_mi_estimate).status)
    correct
    >>> def naive(logits, labels, priors):
    ...     rows = np.arange(len(labels))
    ...     return np.log(logits.shape[1]) + np.mean(
    ...         log_softmax(logits)[rows, labels])
    >>> print(check_pc_mi_estimate(naive).hint)  # doctest: +ELLIPSIS
    This is the naive estimate log C - CE(f). ...
    """
    what = "pc_mi_estimate"
    cases = _pc_cases()
    if _returns_none(pc_mi_estimate, cases[0]):
        return Feedback("wrong type", f"{what} returned None.",
                        "Did you forget the `return` statement?")
    hints = _pc_hints()
    fb = check_function(pc_mi_estimate, _reference_pc, cases,
                        rtol=_CODE_RTOL, atol=_CODE_ATOL, hints=hints,
                        what=what)
    if fb.status == "wrong shape" and fb.hint not in {h for _, h in hints}:
        return Feedback(fb.status, fb.message,
                        "Return one number: the mean of log r_y over the "
                        "points.")
    if fb.status == "wrong value" and not fb.hint:
        return Feedback(fb.status, fb.message,
                        "Add log(priors) to every row of logits, take the "
                        "log-softmax of each row, pick the true class, "
                        "subtract log pi_y, and average.")
    return fb


# --------------------------------------------------------------------------
# The ceiling
# --------------------------------------------------------------------------

def _ceiling_mistakes() -> list[tuple[float, str]]:
    c = CEILING_CLASSES
    return [
        (np.log2(c), "That is log2 10, in bits. The estimate is in nats: "
                     "np.log."),
        (np.log10(c), "Use the natural logarithm (np.log), not log10."),
        (float(c), "The estimate is log C - CE; its largest value is a "
                   "logarithm, not C itself."),
        (1 / c, "1/C is the probability of a uniform guess; the ceiling "
                "is log C - (smallest possible CE)."),
        (np.log(c - 1), "The loss can reach 0, so the ceiling is log C "
                        "with C = 10, not log(C - 1)."),
        (0.0, "0 is the estimate of a classifier that learned nothing. "
              "The largest estimate comes from a loss of 0."),
        (-np.log(c), "Check the sign: the estimate is log C - CE, and CE "
                     "is at least 0."),
    ]


def check_ceiling(ceiling: Any) -> Feedback:
    """Check the largest possible naive estimate for 10 classes.

    Parameters
    ----------
    ceiling : float
        The learner's value, in nats, of the largest value that
        :math:`\\log C - \\mathrm{CE}` can take with
        ``CEILING_CLASSES = 10`` classes.  Relative tolerance 1e-4.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_ceiling(2.302585).status)
    correct
    >>> print(check_ceiling(3.321928).hint)
    That is log2 10, in bits. The estimate is in nats: np.log.
    """
    return _check_number(
        ceiling, float(np.log(CEILING_CLASSES)), _ceiling_mistakes(),
        what="ceiling",
        shape_hint="ceiling is one number, in nats.",
        value_hint="The cross-entropy is never negative, and reaches 0 "
                   "only if the true class always gets probability 1.")


# --------------------------------------------------------------------------
# Information from nothing
# --------------------------------------------------------------------------

def _entropy(probs: np.ndarray) -> float:
    return float(-np.sum(probs * np.log(probs)))


def _bias_mistakes() -> list[tuple[float, str]]:
    pi = np.array(BIAS_PRIORS)
    c = len(pi)
    right = np.log(c) - _entropy(pi)
    return [
        (0.0, "0 is the true mutual information, and what the PC estimate "
              "tends to. The naive estimate log C - CE does not: a model "
              "that predicts the priors has CE = H(Y), not log C."),
        (_entropy(pi), "That is H(Y), the loss of the best model. The "
                       "naive estimate is log C minus that loss."),
        (np.log(c), "log C is the estimate's first term; subtract the loss "
                    "of the best model, which predicts the priors."),
        (right / np.log(2), "That is the answer in bits; use natural "
                            "logarithms (nats)."),
        (right / np.log(10), "Use the natural logarithm (np.log), not "
                             "log10."),
        (-right, "Check the sign: log C - H(Y) is positive, because H(Y) "
                 "< log C for unbalanced classes."),
        (np.log(c) - np.mean(-np.log(pi)),
         "The loss of the best model is H(Y) = -sum pi log pi, weighted "
         "by the priors, not the plain mean of -log pi."),
        (np.log(c) - np.sum(-np.log(pi)),
         "The loss of the best model is H(Y) = -sum pi log pi: weight each "
         "-log pi by its probability pi."),
    ]


def check_naive_bias(naive_at_zero: Any) -> Feedback:
    """Check the naive estimate of a perfect model when X says nothing.

    Parameters
    ----------
    naive_at_zero : float
        The learner's value, in nats, of :math:`\\log C - \\mathrm{CE}`
        for classes with priors ``BIAS_PRIORS = (0.6, 0.3, 0.1)`` and
        inputs independent of the labels, when the model is the best
        possible one (it predicts the priors).  Relative tolerance 1e-4.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> pi = np.array(BIAS_PRIORS)
    >>> print(check_naive_bias(np.log(3) + np.sum(pi * np.log(pi))).status)
    correct
    >>> print(check_naive_bias(0.0).hint)  # doctest: +ELLIPSIS
    0 is the true mutual information, ...
    """
    pi = np.array(BIAS_PRIORS)
    return _check_number(
        naive_at_zero, float(np.log(len(pi)) - _entropy(pi)),
        _bias_mistakes(), what="naive_at_zero",
        shape_hint="naive_at_zero is one number, in nats.",
        value_hint="When x says nothing, the best model predicts the "
                   "priors for every x, and its mean loss is the entropy "
                   "H(Y) of the priors.")
