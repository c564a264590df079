"""Wrong implementations that several chapters' checks recognise.

Each is a typical mistake, written once, so that a check can tell the
learner which one they made.  Nothing here is exported from
:mod:`helpers`: these functions are wrong on purpose.
"""

from __future__ import annotations

import numpy as np

__all__ = ["unshifted_softmax", "unshifted_log_softmax", "shifted_softmax",
           "shifted_log_softmax", "log_of_softmax", "mean_nll"]


def shifted_softmax(logits: np.ndarray, shift: str = "max", *, axis: int = -1) -> np.ndarray:
    """``exp(z - s) / sum(exp(z - s))`` with `s` the row's max, min, mean, the batch max or 0.

    Only ``shift="max"`` is stable: the row minimum and the row mean leave
    a logit far above the shift, which overflows (``[800, 0, -800]``), and
    one maximum for the whole batch underflows rows far below it.

    Examples
    --------
    >>> z = np.array([[800.0, 0.0, -800.0]])
    >>> bool(np.isfinite(shifted_softmax(z, "max")).all())
    True
    >>> bool(np.isnan(shifted_softmax(z, "min")).any())
    True
    """
    with np.errstate(all="ignore"):
        weights = np.exp(logits - _shift(logits, shift, axis))
        return weights / np.sum(weights, axis=axis, keepdims=True)


def shifted_log_softmax(logits: np.ndarray, shift: str = "max", *,
                        axis: int = -1) -> np.ndarray:
    """``z - s - log(sum(exp(z - s)))``: the log-softmax with the given shift.

    Examples
    --------
    >>> z = np.array([[800.0, 0.0, -800.0]])
    >>> bool(np.isinf(shifted_log_softmax(z, "mean")).any())
    True
    """
    with np.errstate(all="ignore"):
        shifted = logits - _shift(logits, shift, axis)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def unshifted_softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """The textbook ``exp(z) / sum(exp(z))``, which overflows for z near 710.

    Examples
    --------
    >>> bool(np.isnan(unshifted_softmax(np.array([1000.0, 0.0]))).any())
    True
    """
    return shifted_softmax(logits, "zero", axis=axis)


def unshifted_log_softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """``z - log(sum(exp(z)))`` with no shift: inf - inf for large logits."""
    return shifted_log_softmax(logits, "zero", axis=axis)


def log_of_softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """``log(softmax(z))``: stable softmax, then a log that underflows to -inf.

    Examples
    --------
    >>> float(log_of_softmax(np.array([0.0, -800.0]))[1])
    -inf
    """
    with np.errstate(all="ignore"):
        return np.log(shifted_softmax(logits, "max", axis=axis))


def mean_nll(log_probs: np.ndarray, labels: np.ndarray) -> float:
    """``-mean(log_probs[n, labels[n]])``: the loss, from log-probabilities right or wrong.

    With one of the wrong log-softmax variants above it gives the loss
    that variant's mistake produces, inf or nan included.

    Examples
    --------
    >>> z = np.array([[0.0, -800.0]])
    >>> float(mean_nll(log_of_softmax(z), np.array([1])))
    inf
    """
    picked = log_probs[np.arange(len(labels)), labels]           # (N,)
    with np.errstate(all="ignore"):
        return -np.mean(picked)


def _shift(logits: np.ndarray, shift: str, axis: int) -> np.ndarray | float:
    if shift == "max":
        return np.max(logits, axis=axis, keepdims=True)
    if shift == "min":
        return np.min(logits, axis=axis, keepdims=True)
    if shift == "mean":
        return np.mean(logits, axis=axis, keepdims=True)
    if shift == "batch max":
        return np.max(logits)
    if shift == "zero":
        return 0.0
    raise ValueError(f"shift must be 'max', 'min', 'mean', 'batch max' or 'zero', got {shift!r}")
