"""Exercise checks for the chapter on cross-entropy.

Each public check runs the exercises stored in ``data/ch04.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

from .engine import Feedback
from .stored import load_exercises

__all__ = ["ENTROPY_PROBS", "EXERCISES", "SMOOTHING", "SMOOTHING_CLASSES", "UNIFORM_CLASSES",
           "check_entropy_bits", "check_multiclass_hinge", "check_my_cross_entropy",
           "check_smoothed_min_loss", "check_uniform_loss"]

#: The distribution of the exercise "Entropy in bits".
ENTROPY_PROBS = (0.5, 0.25, 0.125, 0.125)
#: The label smoothing and number of classes of "The floor of a smoothed loss".
SMOOTHING = 0.1
SMOOTHING_CLASSES = 10
#: The number of classes of "The loss of a uniform guess".
UNIFORM_CLASSES = 1000


def check_entropy_bits(entropy_bits: object) -> Feedback:
    """Check `entropy_bits`, the entropy of `ENTROPY_PROBS` in bits, to three significant digits.

    Examples
    --------
    >>> print(check_entropy_bits(1.2130).hint)  # doctest: +ELLIPSIS
    np.log is the natural logarithm, so this is the entropy in nats. For bits use np.log2, ...
    """
    return EXERCISES["check_entropy_bits"][0].check(entropy_bits)


def check_my_cross_entropy(my_cross_entropy: object) -> Feedback:
    """Check `my_cross_entropy(logits, labels)`, the mean loss, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_my_cross_entropy(lambda logits, labels: logits).hint)
    Return one number: the mean of the N per-sample losses.
    """
    return EXERCISES["check_my_cross_entropy"][0].check(my_cross_entropy)


def check_multiclass_hinge(multiclass_hinge: object) -> Feedback:
    """Check `multiclass_hinge(logits, labels, delta=1.0)`, per sample, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_multiclass_hinge(lambda logits, labels, delta=1.0: logits).hint)
    Return one loss per sample: an array of shape (N,), summed over the classes j != y.
    """
    return EXERCISES["check_multiclass_hinge"][0].check(multiclass_hinge)


def check_smoothed_min_loss(min_loss: object) -> Feedback:
    """Check `min_loss`, the least smoothed loss in nats, to three significant digits.

    Examples
    --------
    >>> print(check_smoothed_min_loss(0.0).hint)  # doctest: +ELLIPSIS
    0 is the floor without smoothing, reached only as the logits go to infinity. With ...
    """
    return EXERCISES["check_smoothed_min_loss"][0].check(min_loss)


def check_uniform_loss(uniform_loss: object) -> Feedback:
    """Check `uniform_loss`, a uniform guess's loss in nats, to three significant digits.

    Examples
    --------
    >>> print(check_uniform_loss(3.0).hint)
    Use the natural logarithm, np.log, not log10: the book works in nats.
    """
    return EXERCISES["check_uniform_loss"][0].check(uniform_loss)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch04")
