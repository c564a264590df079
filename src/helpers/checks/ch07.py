"""Exercise checks for the chapter on softmax regression.

Each public check runs the exercises stored in ``data/ch07.json`` and ``.npz``
(:mod:`.stored`): inputs, expected results and hints, but no reference function.
"""

from __future__ import annotations

from .engine import Feedback
from .stored import load_exercises

__all__ = ["INITIAL_LOSS_CLASSES", "EXERCISES", "check_initial_loss",
           "check_loss_and_grad_folded", "check_sgd_epoch", "check_train_gd"]

#: The number of classes in the exercise "The loss before training".
INITIAL_LOSS_CLASSES = 10


def check_initial_loss(value: object) -> Feedback:
    """Check `value`, the mean loss in nats before training, to three significant digits.

    Examples
    --------
    >>> print(check_initial_loss(1.0).hint)
    That is log10(10). The loss uses the natural logarithm: np.log, in nats.
    """
    return EXERCISES["check_initial_loss"][0].check(value)


def check_loss_and_grad_folded(func: object) -> Feedback:
    """Check `loss_and_grad_folded(W_aug, X, labels, reg)`, rtol = 1e-7, atol = 1e-10.

    Examples
    --------
    >>> print(check_loss_and_grad_folded(lambda W_aug, X, labels, reg: W_aug).hint)
    End the function with `return loss, dW_aug`.
    """
    return EXERCISES["check_loss_and_grad_folded"][0].check(func)


def check_sgd_epoch(func: object) -> Feedback:
    """Check `sgd_epoch(W, b, X, labels, order, batch_size, lr, reg)`, rtol = 1e-7, atol = 1e-10.

    Examples
    --------
    >>> print(check_sgd_epoch(lambda W, b, X, labels, order, batch_size, lr, reg: W).hint)
    End the function with `return W, b`.
    """
    return EXERCISES["check_sgd_epoch"][0].check(func)


def check_train_gd(func: object) -> Feedback:
    """Check `train_gd(W_aug, X, labels, lr, reg, steps)`, rtol = 1e-7, atol = 1e-10.

    Examples
    --------
    >>> print(check_train_gd(lambda W_aug, X, labels, lr, reg, steps: W_aug).hint)
    End the function with `return W_aug, losses`.
    """
    return EXERCISES["check_train_gd"][0].check(func)


#: The exercises of each check, read from the data `python -m grading.freeze` wrote.
EXERCISES = load_exercises("ch07")
