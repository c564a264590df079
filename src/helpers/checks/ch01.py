"""Exercise checks for the chapter on the softmax function.

Each public check runs the exercises stored in ``data/ch01.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

from .engine import Feedback
from .stored import load_exercises

__all__ = ["BY_HAND_LOGITS", "TEMPERATURE_LOGITS", "TEMPERATURES", "EXERCISES",
           "check_softmax_by_hand", "check_logit_gap", "check_my_softmax",
           "check_temperature_probs", "check_zero_temperature_limit"]

#: The logits of the exercise "Softmax by hand".
BY_HAND_LOGITS = (1.0, 3.0, 0.0)
#: The logits and temperatures of the exercise "Turning the temperature".
TEMPERATURE_LOGITS = (3.0, 1.0, 0.0)
TEMPERATURES = (0.5, 1.0, 5.0)


def check_softmax_by_hand(p1: object) -> Feedback:
    """Check `p1`, the probability of class 1 for the logits (1, 3, 0), to three significant digits.

    Examples
    --------
    >>> print(check_softmax_by_hand(0.881).hint)
    The logit 0 counts too: e^0 = 1 belongs in the sum.
    """
    return EXERCISES["check_softmax_by_hand"][0].check(p1)


def check_logit_gap(gap: object) -> Feedback:
    """Check `gap`, the logit gap for probabilities 0.6 and 0.2, to three significant digits.

    Examples
    --------
    >>> print(check_logit_gap(3.0).hint)
    3 is the ratio of the probabilities; the logit gap is its natural logarithm.
    """
    return EXERCISES["check_logit_gap"][0].check(gap)


def check_my_softmax(my_softmax: object) -> Feedback:
    """Check `my_softmax(logits)`, the softmax of each row, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_my_softmax(lambda logits: logits.sum(axis=-1)).hint)
    Return one probability per logit: an array of the same shape (N, C) as `logits`.
    """
    return EXERCISES["check_my_softmax"][0].check(my_softmax)


def check_temperature_probs(probs_T: object) -> Feedback:
    """Check `probs_T`, softmax((3, 1, 0) / T) for each T, rtol = 1e-6, atol = 1e-9.

    Examples
    --------
    >>> import numpy as np
    >>> print(check_temperature_probs(np.ones((3, 3)) / 3).hint)
    Row k is softmax(z / T) with T = TEMPERATURES[k].
    """
    return EXERCISES["check_temperature_probs"][0].check(probs_T)


def check_zero_temperature_limit(softmax_zero_temperature: object) -> Feedback:
    """Check `softmax_zero_temperature(logits)`, the T -> 0 limit, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> import numpy as np
    >>> print(check_zero_temperature_limit(lambda logits: np.argmax(logits, axis=-1)).hint)
    Return probabilities of shape (N, C), not the indices of the maxima.
    """
    return EXERCISES["check_zero_temperature_limit"][0].check(softmax_zero_temperature)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch01")
