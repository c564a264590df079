"""Exercise checks for the chapter on mutual information.

Each public check runs the exercises stored in ``data/ch09.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

from .engine import Feedback
from .stored import load_exercises

__all__ = ["MI_LOGITS", "MI_LABELS", "CEILING_CLASSES", "BIAS_PRIORS", "EXERCISES",
           "check_mi_estimate", "check_pc_mi_estimate", "check_ceiling", "check_naive_bias",
           "check_ece"]

#: The logits of "An estimate from eight predictions", 8 points and 4 classes, and their
#: balanced labels.  Row 6 overflows exp() unless each row's maximum is subtracted (its
#: minimum or its mean are not enough).
MI_LOGITS = ((2.0, 0.5, -1.0, 0.0), (0.5, 2.5, 0.0, -1.0), (-0.5, 0.0, 1.5, 1.0),
             (0.0, -1.0, 0.5, 3.0), (1.0, 1.5, 0.0, 0.5), (0.0, 0.5, 2.0, -0.5),
             (800.0, -800.0, 805.0, -800.0), (1.5, 0.0, 0.5, 1.0))
MI_LABELS = (0, 1, 2, 3, 0, 1, 2, 3)
#: The number of classes of "The ceiling".
CEILING_CLASSES = 10
#: The class priors of "Information from nothing".
BIAS_PRIORS = (0.6, 0.3, 0.1)


def check_mi_estimate(mi_hat: object) -> Feedback:
    """Check `mi_hat`, the naive estimate log C - CE in nats, to three significant digits.

    Examples
    --------
    >>> print(check_mi_estimate(float("nan")).hint)  # doctest: +ELLIPSIS
    exp(805) overflows to inf, and inf / inf is nan; subtracting the row's minimum or mean ...
    """
    return EXERCISES["check_mi_estimate"][0].check(mi_hat)


def check_pc_mi_estimate(pc_mi_estimate: object) -> Feedback:
    """Check `pc_mi_estimate(logits, labels, priors)`, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_pc_mi_estimate(lambda logits, labels, priors: logits).hint)
    Return one number: the mean of log r_y over the points.
    """
    return EXERCISES["check_pc_mi_estimate"][0].check(pc_mi_estimate)


def check_ceiling(ceiling: object) -> Feedback:
    """Check `ceiling`, the largest naive estimate for 10 classes, to three significant digits.

    Examples
    --------
    >>> print(check_ceiling(10).hint)
    The estimate is log C - CE; its largest value is a logarithm, not C itself.
    """
    return EXERCISES["check_ceiling"][0].check(ceiling)


def check_naive_bias(naive_at_zero: object) -> Feedback:
    """Check `naive_at_zero`, the naive estimate when X says nothing, to three significant digits.

    Examples
    --------
    >>> print(check_naive_bias(0.0).hint)  # doctest: +ELLIPSIS
    0 is the true mutual information, and what the PC estimate tends to. The naive estimate ...
    """
    return EXERCISES["check_naive_bias"][0].check(naive_at_zero)


def check_ece(expected_calibration_error: object) -> Feedback:
    """Check `expected_calibration_error(probs, labels, n_bins)`, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_ece(lambda probs, labels, n_bins: probs).hint)
    Return one number: the weighted mean of the bins' gaps.
    """
    return EXERCISES["check_ece"][0].check(expected_calibration_error)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch09")
