"""Exercise checks for the chapter on numerical stability.

Each public check runs the exercises stored in ``data/ch02.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

import numpy as np

from .engine import Feedback
from .stored import load_exercises

__all__ = ["LOSS_LOGITS", "LOSS_LABEL", "EXERCISES", "check_masked_softmax",
           "check_logsumexp", "check_overflow_threshold", "check_float32_loss"]

#: The logits and the true class of "A confidently wrong float32 model".
LOSS_LOGITS = np.array([20.0, -90.0, 5.0], dtype=np.float32)
LOSS_LABEL = 1


def check_masked_softmax(func: object) -> Feedback:
    """Check `masked_softmax(logits, mask)`, over the last axis, rtol = 1e-10, atol = 0.

    Masked entries get exactly 0, a fully masked row is all zeros, and the
    result keeps the dtype of `logits`.

    Examples
    --------
    >>> print(check_masked_softmax(lambda logits, mask: logits.sum(axis=-1)).hint)
    Return one probability per logit, an array of the same shape as `logits`.
    """
    return EXERCISES["check_masked_softmax"][0].check(func)


def check_logsumexp(func: object) -> Feedback:
    """Check `my_logsumexp(logits)`, log-sum-exp over the last axis, rtol = 1e-10, atol = 0.

    Examples
    --------
    >>> print(check_logsumexp(lambda logits: logits).hint)
    Return one value per row: a scalar for (C,) logits, shape (N,) for (N, C).
    """
    return EXERCISES["check_logsumexp"][0].check(func)


def check_overflow_threshold(answer: object) -> Feedback:
    """Check `answer`, the largest float32 a with 1000 e^a finite, to three significant digits.

    Examples
    --------
    >>> print(check_overflow_threshold(88.72).hint)  # doctest: +ELLIPSIS
    That is the limit for a single exponential. The denominator adds 1000 equal terms, so ...
    """
    return EXERCISES["check_overflow_threshold"][0].check(answer)


def check_float32_loss(loss: object) -> Feedback:
    """Check `loss`, -log p_1 for the float32 logits (20, -90, 5), rtol = 1e-6, atol = 0.

    Examples
    --------
    >>> print(check_float32_loss(float("inf")).hint)  # doctest: +ELLIPSIS
    softmax(z)[1] underflowed to 0 in float32 and -log(0) is inf. Compute the ...
    """
    return EXERCISES["check_float32_loss"][0].check(loss)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch02")
