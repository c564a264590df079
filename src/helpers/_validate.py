"""Argument checks shared by numerics, reference, training and mi.

Each function returns the argument in the form its caller computes with, or
raises a TypeError (wrong kind of thing) or ValueError (right kind, wrong
value) whose message names the argument and says what was expected, so
that a learner can act on it.  They are cheap on the common input, an
ndarray of the right dtype, because :mod:`helpers.numerics` runs them on
every call, also on arrays of a few hundred entries.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

__all__ = [
    "as_real_array",
    "as_working_float",
    "as_float_array",
    "as_class_axis",
    "as_axis",
    "as_count",
    "as_real",
    "as_choice",
    "as_labels",
    "as_float_dtype",
]

_WORKING = {np.dtype(np.float32), np.dtype(np.float64)}
_NARROW = np.dtype(np.float16)


def as_real_array(values, name):
    """`values` as an ndarray of a real dtype (bool, integer or float).

    Floats wider than float64 (``np.longdouble``) are refused too: NumPy's
    ``exp`` and mpmath's conversion would round them silently.
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nested lists, say
        raise ValueError(f"`{name}` must be an array of real numbers; NumPy "
                         f"could not convert it ({exc}).") from None
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise TypeError(f"`{name}` must hold real numbers (a float, integer "
                        f"or bool dtype); got dtype {arr.dtype}.")
    if kind == "f" and arr.dtype.itemsize > 8:
        raise TypeError(f"`{name}` has dtype {arr.dtype}; only float16, "
                        "float32, float64, integer and bool values are "
                        "supported.")
    return arr


def as_working_float(values, name):
    """``(array, out_dtype)``: `values` in the float type to compute in.

    float32 and float64 are computed as they are.  Integers and bools
    become float64.  float16 is computed in float32 (its range, 65504, and
    its 3 digits are too small for the intermediate steps); `out_dtype`
    remembers it, for the final rounding.
    """
    if type(values) is np.ndarray and values.dtype in _WORKING:
        return values, values.dtype                # the common case, quickly
    arr = as_real_array(values, name)
    if arr.dtype in _WORKING:
        return arr, arr.dtype
    if arr.dtype.kind != "f":
        return arr.astype(np.float64), np.dtype(np.float64)
    if not arr.dtype.isnative:                     # big-endian data, say
        arr = arr.astype(arr.dtype.newbyteorder("="))
        return as_working_float(arr, name)
    return arr.astype(np.float32), _NARROW         # float16


def as_float_array(values, name, ndim):
    """`values` as a float64 array with `ndim` dimensions."""
    arr = as_real_array(values, name)
    if arr.ndim != ndim:
        raise ValueError(f"`{name}` must have {ndim} dimension(s); got shape "
                         f"{arr.shape}.")
    return arr.astype(np.float64)


def as_class_axis(arr, axis=-1, name="logits"):
    """The class axis `axis` of `arr` as an index in ``[0, ndim)``, after
    checking that `arr` has such an axis and at least one class on it."""
    if type(axis) is int and axis == -1 and arr.ndim and arr.shape[-1]:  # quickly
        return arr.ndim - 1
    if arr.ndim == 0:
        raise ValueError(f"`{name}` must have at least one dimension (the "
                         "class axis); got a 0-d value. A softmax over one "
                         "class is always 1.")
    axis = as_axis(axis, arr.ndim, name)
    if arr.shape[axis] == 0:
        raise ValueError(f"`{name}` has an empty class axis (axis {axis} of "
                         f"shape {arr.shape} has length 0); softmax needs at "
                         "least one class.")
    return axis


def as_axis(axis, ndim, name="logits"):
    """`axis` as an index in ``[0, ndim)`` of the array called `name`."""
    if isinstance(axis, bool):
        raise TypeError(f"`axis` must be an integer; got {axis!r}.")
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"`axis` must be a single integer; got {axis!r}.") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"`axis` {axis} is out of range for `{name}` with "
                         f"{ndim} dimension(s); expected an integer in "
                         f"[{-ndim}, {ndim - 1}].")
    return axis % ndim


def as_count(value, name, *, minimum, why=""):
    """An integer of at least `minimum`; `why` ends the message on a low one."""
    if isinstance(value, bool):
        raise TypeError(f"`{name}` must be an integer; got {value!r}.")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"`{name}` must be an integer; got {value!r}.") from None
    if value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}{why}; got {value}.")
    return value


def as_real(value, name, *, positive=False, at_most=None):
    """A finite real number as a float: at least 0, above 0 if `positive`,
    and no more than `at_most` if it is given."""
    if type(value) is not float and (isinstance(value, bool)   # quick on floats
                                     or not isinstance(value, numbers.Real)):
        raise TypeError(f"`{name}` must be a real number; got {value!r}.")
    value = float(value)
    if at_most is not None:
        if not 0 <= value <= at_most:          # also refuses nan
            raise ValueError(f"`{name}` must lie in [0, {at_most:g}]; got "
                             f"{value!r}.")
    elif not np.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"`{name}` must be {kind} and finite; got {value!r}.")
    return value


def as_choice(value, name, options):
    """`value` if it is one of the strings `options`."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"`{name}` must be one of "
                         f"{', '.join(map(repr, options))}; got {value!r}.")
    return value


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


def as_float_dtype(dtype, name="dtype"):
    """`dtype` as a NumPy floating-point dtype."""
    try:
        found = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"`{name}` must name a floating-point type such as "
                        f"'float32'; got {dtype!r}.") from None
    if found.kind != "f":
        raise TypeError(f"`{name}` must be a floating-point type (float16, "
                        f"float32, float64); got {found}.")
    return found
