"""Argument checks shared by :mod:`helpers.training` and :mod:`helpers.mi`.

Each returns the argument in the form the caller computes with, or raises a
TypeError or ValueError that names the argument and says what was expected.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np


def as_count(value, name, *, minimum):
    """An integer of at least `minimum`, or a clear error."""
    if isinstance(value, bool):
        raise TypeError(f"`{name}` must be an integer; got {value!r}.")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"`{name}` must be an integer; got {value!r}.") from None
    if value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}; got {value}.")
    return value


def as_real(value, name, *, positive=False):
    """A finite real number, non-negative (or positive), as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number; got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"`{name}` must be {kind} and finite; got {value!r}.")
    return value


def as_float_array(values, name, ndim):
    """`values` as a float64 array with `ndim` dimensions, or a clear error."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"`{name}` must be an array of real numbers; NumPy "
                         f"could not convert it ({exc}).") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must hold real numbers; got dtype {arr.dtype}.")
    if arr.ndim != ndim:
        raise ValueError(f"`{name}` must have {ndim} dimension(s); got shape "
                         f"{arr.shape}.")
    return arr.astype(np.float64)


def as_labels(labels, num_examples, num_classes, *, rows="row"):
    """Integer class labels of shape (N,), each in [0, C); `rows` names
    what each label belongs to, for the message ("row of X", say)."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError("`labels` must be integer class indices; got dtype "
                        f"{arr.dtype}.")
    if arr.shape != (num_examples,):
        raise ValueError(f"`labels` must have shape ({num_examples},), one per "
                         f"{rows}; got {arr.shape}.")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(f"`labels` must lie in [0, {num_classes}) for "
                         f"{num_classes} classes; got values from {arr.min()} "
                         f"to {arr.max()}.")
    return arr.astype(np.int64)
