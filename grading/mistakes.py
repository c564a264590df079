"""Wrong implementations that several chapters' checks recognise, each written once.

``one_hot``, ``pick`` and ``jacobians`` turn a wrong softmax into the wrong loss, gradient or
Hessian it gives.  Nothing here is exported from :mod:`helpers`: it is wrong on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from helpers.checks.engine import Mistake

__all__ = ["unshifted_softmax", "unshifted_log_softmax", "shifted_softmax",
           "shifted_log_softmax", "log_of_softmax", "mean_nll", "shift_mistakes",
           "one_hot", "pick", "normalised", "entropy", "jacobians", "diagonal_jacobians",
           "grad_from_probs"]

_SHIFTS = {"max": lambda z, axis: np.max(z, axis=axis, keepdims=True),
           "min": lambda z, axis: np.min(z, axis=axis, keepdims=True),
           "mean": lambda z, axis: np.mean(z, axis=axis, keepdims=True),
           "batch max": lambda z, axis: np.max(z),
           "zero": lambda z, axis: 0.0}


def shifted_softmax(logits: np.ndarray, shift: str = "max", *, axis: int = -1) -> np.ndarray:
    """``exp(z - s) / sum(exp(z - s))`` with `s` the row's max, min, mean, the batch max or 0.

    Only ``shift="max"`` is stable: the row minimum and the row mean leave
    a logit far above the shift, which overflows (``[800, 0, -800]``), and
    one maximum for the whole batch underflows rows far below it.

    Examples
    --------
    >>> z = np.array([[800.0, 0.0, -800.0]])
    >>> [bool(np.isfinite(shifted_softmax(z, s)).all()) for s in ("max", "min", "mean")]
    [True, False, False]
    """
    with np.errstate(all="ignore"):
        weights = np.exp(logits - _shift(logits, shift, axis))
        return weights / np.sum(weights, axis=axis, keepdims=True)


def shifted_log_softmax(logits: np.ndarray, shift: str = "max", *,
                        axis: int = -1) -> np.ndarray:
    """``z - s - log(sum(exp(z - s)))``: the log-softmax with the given shift."""
    with np.errstate(all="ignore"):
        shifted = logits - _shift(logits, shift, axis)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def unshifted_softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """The textbook ``exp(z) / sum(exp(z))``, which overflows for z near 710."""
    return shifted_softmax(logits, "zero", axis=axis)


def unshifted_log_softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """``z - log(sum(exp(z)))`` with no shift: inf - inf for large logits."""
    return shifted_log_softmax(logits, "zero", axis=axis)


def log_of_softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """``log(softmax(z))``: a stable softmax, then a log that underflows to -inf.

    Examples
    --------
    >>> float(log_of_softmax(np.array([0.0, -800.0]))[1])
    -inf
    """
    with np.errstate(all="ignore"):
        return np.log(shifted_softmax(logits, "max", axis=axis))


def mean_nll(log_probs: np.ndarray, labels: np.ndarray) -> float:
    """``-mean(log_probs[n, labels[n]])``: the loss from log-probabilities, right or wrong."""
    with np.errstate(all="ignore"):
        return -np.mean(pick(log_probs, labels))


def shift_mistakes(build: Callable, hints: Mapping[str, str], wrong: Callable = shifted_softmax,
                   shifts=("mean", "min", "batch max", "zero")) -> tuple[Mistake, ...]:
    """One Mistake per wrong shift, tried in the order of `shifts`.

    ``build(z -> wrong(z, shift))``, the learner's function made from a wrong softmax or
    log-softmax, earns ``hints[shift]``.

    Examples
    --------
    >>> ms = shift_mistakes(lambda f: f, {"min": "min hint", "zero": "no shift"},
    ...                     shifts=("min", "zero"))
    >>> [m.hint for m in ms], bool(np.isnan(ms[1].wrong(np.array([1000.0, 0.0]))).any())
    (['min hint', 'no shift'], True)
    """
    return tuple(Mistake(build(lambda z, s=s: wrong(z, s)), hints[s]) for s in shifts)


def one_hot(labels, num_classes: int) -> np.ndarray:
    """The (N, C) one-hot rows of integer `labels`."""
    return np.eye(num_classes)[labels]


def pick(values: np.ndarray, labels) -> np.ndarray:
    """``values[n, labels[n]]`` for every row n, shape (N,)."""
    return values[np.arange(len(labels)), labels]


def normalised(weights: np.ndarray, axis=-1, keepdims: bool = True) -> np.ndarray:
    """`weights` divided by their sum along `axis` (right only with the defaults)."""
    return weights / np.sum(weights, axis=axis, keepdims=keepdims)


def entropy(probs, log: Callable = np.log) -> float:
    """``-sum(p log p)``, in the unit of `log`."""
    probs = np.asarray(probs)
    return float(-np.sum(probs * log(probs)))


def jacobians(probs: np.ndarray) -> np.ndarray:
    """``diag(p) - p p^T`` for every row of (possibly wrong) `probs`: (..., C) -> (..., C, C)."""
    column = probs[..., :, None]
    return column * np.eye(probs.shape[-1]) - column * probs[..., None, :]


def diagonal_jacobians(probs: np.ndarray) -> np.ndarray:
    """``diag(p (1 - p))`` for every row: the Jacobian of a softmax treated as elementwise."""
    return (probs * (1 - probs))[..., :, None] * np.eye(probs.shape[-1])


def grad_from_probs(probs: np.ndarray, labels) -> np.ndarray:
    """``(P - Y) / N``: the mean loss's gradient from (possibly wrong) probabilities."""
    return (probs - one_hot(labels, probs.shape[-1])) / len(probs)


def _shift(logits: np.ndarray, shift: str, axis: int) -> np.ndarray | float:
    if shift not in _SHIFTS:
        raise ValueError(f"shift must be one of {sorted(_SHIFTS)}, got {shift!r}")
    return _SHIFTS[shift](logits, axis)
