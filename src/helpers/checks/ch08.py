"""Exercise checks for the chapter on the frameworks.

Each public check runs the exercises stored in ``data/ch08.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

from .cases import BY_HAND
from .engine import Feedback, all_correct
from .stored import load_exercises

__all__ = ["DENSE_LOGITS", "DENSE_LABELS", "BUG_LOGITS", "BUG_LABELS", "IGNORE_INDEX",
           "SCIPY_LOGITS", "EXERCISES", "check_dense_losses", "check_bug_losses",
           "check_nll_loss", "check_segmentation_loss", "check_scipy_default"]

#: Logits (N, C) = (4, 3) and labels of "One-hot targets and the dense loss"; the row
#: (1000, 0, -1000) overflows exp() unless each row's maximum is subtracted.
DENSE_LOGITS = ((2.0, -1.0, 0.5), (1000.0, 0.0, -1000.0), (0.0, 0.0, 0.0), (-1.0, 3.0, 1.0))
DENSE_LABELS = (2, 0, 1, 2)
#: What `self.layers(x)` returns in "Spot the bug", (N, C) = (4, 5), and the labels:
#: confident, and wrong on the last sample.
BUG_LOGITS = ((6.0, 1.0, -2.0, 0.0, 2.0), (-1.0, 7.0, 0.5, 1.0, -3.0),
              (0.0, 0.5, 5.0, -1.0, 1.0), (8.0, -2.0, 0.0, 1.0, -1.0))
BUG_LABELS = (0, 1, 2, 4)
#: PyTorch's default `ignore_index`, used by the exercise on `nll_loss`.
IGNORE_INDEX = -100
#: The (N, C) = (3, 4) batch of the exercise "SciPy's default axis".
SCIPY_LOGITS = ((1.0, 2.0, 0.0, -1.0), (0.5, 0.5, 3.0, 0.0), (-2.0, 1.0, 1.0, 4.0))


def check_dense_losses(dense_losses: object) -> Feedback:
    """Check `dense_losses`, one loss per row of `DENSE_LOGITS`, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_dense_losses(2.0).hint)  # doctest: +ELLIPSIS
    tf.nn.softmax_cross_entropy_with_logits does not reduce: return one loss per row, shape ...
    """
    return EXERCISES["check_dense_losses"][0].check(dense_losses)


def check_bug_losses(buggy_loss: object, fixed_loss: object) -> Feedback:
    """Check `buggy_loss` and `fixed_loss`, before and after the fix, to three significant digits.

    Examples
    --------
    >>> print(check_bug_losses([1.0, 2.0], 2.0).hint)
    buggy_loss is one number: F.cross_entropy returns the mean over the batch.
    """
    buggy, fixed = EXERCISES["check_bug_losses"]
    return all_correct(buggy.check(buggy_loss), fixed.check(fixed_loss),
                       message=f"buggy_loss and fixed_loss are both right ({BY_HAND}).")


def check_nll_loss(my_nll_loss: object) -> Feedback:
    """Check `my_nll_loss(log_probs, labels, ignore_index=-100)`, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_nll_loss(lambda log_probs, labels, ignore_index=-100: log_probs).hint)
    Return one number, the mean over the rows that are not ignored (reduction='mean').
    """
    return EXERCISES["check_nll_loss"][0].check(my_nll_loss)


def check_segmentation_loss(segmentation_loss: object) -> Feedback:
    """Check `segmentation_loss(logits, labels)`, classes on axis 1, rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> print(check_segmentation_loss(lambda logits, labels: logits).hint)
    Return one number: the mean over all N * H * W pixels.
    """
    return EXERCISES["check_segmentation_loss"][0].check(segmentation_loss)


def check_scipy_default(scipy_probs: object) -> Feedback:
    """Check `scipy_probs`, SciPy's softmax of `SCIPY_LOGITS`, rtol = 1e-6, atol = 1e-12.

    Examples
    --------
    >>> from helpers import softmax
    >>> print(check_scipy_default(softmax(SCIPY_LOGITS)).hint)  # doctest: +ELLIPSIS
    That is the softmax of each row (axis=-1). SciPy's default is axis=None: one softmax ...
    """
    return EXERCISES["check_scipy_default"][0].check(scipy_probs)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch08")
