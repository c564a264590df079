"""Softmax, cross-entropy and their gradients, computed with care, in NumPy.

Every function here accepts Python lists or NumPy arrays.  float16,
float32 and float64 inputs keep their dtype; integer and bool inputs are
computed in float64.  float16 is computed in float32 and rounded back at
the end, because its range (65504) and precision are too small for the
intermediate steps.

The softmax family follows one policy for rows it cannot normalise: a row
that is all ``-inf``, or that holds a ``nan`` or a ``+inf``, gives ``nan``
throughout (softmax, log_softmax, logsumexp, losses and gradients), without
raising and without a floating-point warning.  Other rows are unaffected.
A single ``-inf`` logit in an otherwise finite row is a masked class: its
probability is exactly 0.

The module depends on NumPy only.
"""

import numbers
import operator
from typing import NamedTuple

import numpy as np

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "softmax_jacobian",
    "cross_entropy",
    "cross_entropy_grad",
    "sigmoid",
    "binary_cross_entropy_with_logits",
    "numerical_gradient",
]

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------

def _as_real_array(values, name):
    """Return ``(working_array, output_dtype)`` for a real-valued argument.

    Integer and bool arrays become float64.  float16 is widened to float32
    for the computation; ``output_dtype`` remembers it for the final cast.
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:  # e.g. ragged nested lists
        raise ValueError(
            f"`{name}` must be an array of real numbers; NumPy could not "
            f"convert it ({exc})."
        ) from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(
            f"`{name}` must hold real numbers (a float, integer or bool "
            f"dtype); got dtype {arr.dtype}."
        )
    out_dtype = arr.dtype
    if out_dtype == np.float16:
        arr = arr.astype(np.float32)
    return arr, out_dtype


def _check_axis(axis, ndim):
    """Return ``axis`` as a non-negative int, or raise naming `axis`."""
    if isinstance(axis, bool):
        raise TypeError(f"`axis` must be an integer; got {axis!r}.")
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(
            f"`axis` must be a single integer; got {axis!r}."
        ) from None
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"`axis` {axis} is out of range for `logits` with {ndim} "
            f"dimension(s); expected an integer in [{-ndim}, {ndim - 1}]."
        )
    return axis % ndim


def _prepare_logits(logits, axis):
    """Validate logits and axis for the softmax family."""
    z, out_dtype = _as_real_array(logits, "logits")
    if z.ndim == 0:
        raise ValueError(
            "`logits` must have at least one dimension (the class axis); "
            "got a 0-d value. A softmax over one class is always 1."
        )
    axis = _check_axis(axis, z.ndim)
    if z.shape[axis] == 0:
        raise ValueError(
            f"`logits` has an empty class axis (axis {axis} of shape "
            f"{z.shape} has length 0); softmax needs at least one class."
        )
    return z, out_dtype, axis


def _check_reduction(reduction):
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"`reduction` must be one of {', '.join(map(repr, _REDUCTIONS))}; "
            f"got {reduction!r}."
        )


def _check_label_smoothing(label_smoothing):
    if isinstance(label_smoothing, bool) or not isinstance(
        label_smoothing, numbers.Real
    ):
        raise TypeError(
            "`label_smoothing` must be a real number in [0, 1]; "
            f"got {label_smoothing!r}."
        )
    if not 0.0 <= label_smoothing <= 1.0:  # also rejects nan
        raise ValueError(
            f"`label_smoothing` must lie in [0, 1]; got {label_smoothing!r}."
        )
    return float(label_smoothing)


def _finish(values, out_dtype):
    """Cast back to the caller's dtype; a 0-d result becomes a NumPy scalar."""
    # float16 results beyond 65504 round to inf, which is the honest answer.
    with np.errstate(over="ignore"):
        values = np.asarray(values).astype(out_dtype, copy=False)
    return values[()] if values.ndim == 0 else values


# --------------------------------------------------------------------------
# The shared softmax computation
# --------------------------------------------------------------------------

def _two_diff(a, b):
    """Return ``(d, err)`` with ``d = fl(a - b)`` and ``a - b == d + err``.

    Knuth's TwoSum: the rounding error of one subtraction, recovered exactly
    from four more.  ``exp(a - b)`` amplifies the rounding of ``a - b`` by
    ``|a - b|``, so for a logit 700 below the maximum the naive exponential
    is off by hundreds of ulps; ``exp(d) * (1 + err)`` is not.
    """
    d = a - b
    b_virtual = a - d
    a_virtual = d + b_virtual
    err = (a - a_virtual) - (b - b_virtual)
    return d, err


class _Parts(NamedTuple):
    """Pieces shared by the softmax family, all with ``keepdims`` shapes."""

    z: np.ndarray         # logits, with unnormalisable rows set to 0
    bad: np.ndarray       # rows whose maximum is not finite
    row_max: np.ndarray   # maximum along the class axis
    shifted: np.ndarray   # z - row_max, always <= 0
    weights: np.ndarray   # exp(shifted), accurate to about 1 ulp
    top: np.ndarray       # index of one maximal entry (its weight is 1)
    rest: np.ndarray      # sum of the weights except that one


def _softmax_parts(z, axis):
    """Compute the shared pieces without any floating-point warning.

    softmax = weights / (1 + rest), log_softmax = shifted - log1p(rest),
    logsumexp = row_max + log1p(rest).  Keeping the maximal weight (exactly
    1) out of ``rest`` lets ``log1p`` stay accurate when one class dominates.
    """
    row_max = np.max(z, axis=axis, keepdims=True)
    # An all -inf row, or one with nan or +inf, has no finite maximum to
    # subtract.  Such rows come out as nan; zeros keep the arithmetic quiet.
    bad = ~np.isfinite(row_max)
    z = np.where(bad, 0, z)
    row_max = np.where(bad, 0, row_max)
    # Logits like [1e308, -1e308] overflow to a shift of -inf (whose exp is
    # the correctly rounded 0), and a -inf logit gives err = nan.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        shifted, err = _two_diff(z, row_max)
        err = np.where(np.isfinite(err), err, 0)
        weights = np.exp(shifted)
        weights = weights + weights * err
    top = np.argmax(z, axis=axis, keepdims=True)
    others = weights.copy()
    np.put_along_axis(others, top, 0, axis=axis)
    rest = np.sum(others, axis=axis, keepdims=True)
    return _Parts(z, bad, row_max, shifted, weights, top, rest)


def _probs_and_complement(parts, axis):
    """Return ``probs`` and ``1 - probs`` computed without cancellation.

    Only a row's top class can have a probability within ulps of 1, and for
    it ``1 - p = rest / (1 + rest)`` exactly; elsewhere ``p <= 1/2`` and
    ``1 - p`` is accurate as written.
    """
    total = 1 + parts.rest
    probs = parts.weights / total
    complement = 1 - probs
    np.put_along_axis(complement, parts.top, parts.rest / total, axis=axis)
    return probs, complement


# --------------------------------------------------------------------------
# Softmax family
# --------------------------------------------------------------------------

def softmax(logits, axis=-1):
    r"""Compute the softmax of `logits` along `axis`.

    Parameters
    ----------
    logits : array_like
        Real-valued scores, at least one-dimensional.
    axis : int, optional
        The class axis, normalised to sum to one.  Default is the last.

    Returns
    -------
    probs : ndarray
        Same shape as `logits`; non-negative, summing to 1 along `axis`.
        Same float dtype as `logits` (float64 for integer input).

    Raises
    ------
    TypeError
        If `logits` is not real-valued, or `axis` is not an integer.
    ValueError
        If `logits` is 0-d, its class axis is empty, or `axis` is out of
        range.

    See Also
    --------
    log_softmax, logsumexp, softmax_jacobian

    Notes
    -----
    .. math::

        \operatorname{softmax}(z)_i = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},
        \qquad m = \max_j z_j .

    Subtracting the maximum changes nothing mathematically but keeps every
    exponent :math:`\le 0`, so nothing overflows.  The rounding error of
    :math:`z_i - m` is recovered exactly and folded back in, so each
    probability is accurate to a few ulps even far below the maximum.

    A ``-inf`` logit is a masked class: its probability is exactly 0.  A
    row that is all ``-inf``, or that contains ``nan`` or ``+inf``, returns
    ``nan`` in the whole row (no exception, no warning); other rows are
    unaffected.  This matches ``scipy.special.softmax``.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import softmax
    >>> print(np.round(softmax([1.0, 2.0, 3.0]), 4))
    [0.09   0.2447 0.6652]

    Huge logits do not overflow, and a ``-inf`` logit is masked:

    >>> print(softmax([1e308, 1e308, -np.inf]))
    [0.5 0.5 0. ]

    Each row of a batch is normalised separately:

    >>> softmax([[0.0, 0.0], [0.0, np.nan]])
    array([[0.5, 0.5],
           [nan, nan]])
    """
    z, out_dtype, axis = _prepare_logits(logits, axis)
    parts = _softmax_parts(z, axis)
    probs = parts.weights / (1 + parts.rest)
    return _finish(np.where(parts.bad, np.nan, probs), out_dtype)


def log_softmax(logits, axis=-1):
    r"""Compute the logarithm of the softmax of `logits` along `axis`.

    Parameters
    ----------
    logits : array_like
        Real-valued scores, at least one-dimensional.
    axis : int, optional
        The class axis.  Default is the last.

    Returns
    -------
    log_probs : ndarray
        Same shape and float dtype as `logits` (float64 for integers);
        every entry is :math:`\le 0`.

    Raises
    ------
    TypeError
        If `logits` is not real-valued, or `axis` is not an integer.
    ValueError
        If `logits` is 0-d, its class axis is empty, or `axis` is out of
        range.

    See Also
    --------
    softmax, logsumexp

    Notes
    -----
    .. math::

        \log\operatorname{softmax}(z)_i = z_i - \operatorname{logsumexp}(z)
        = (z_i - m) - \log\Bigl(1 + \sum_{j \ne k} e^{z_j - m}\Bigr),

    where :math:`m = z_k` is the maximum.  It is never computed as
    ``log(softmax(z))``: a probability that underflows to 0 would give
    ``-inf`` where the true value is an ordinary number such as -999.

    A ``-inf`` logit gives ``-inf``; a row that is all ``-inf``, or holds
    ``nan`` or ``+inf``, gives ``nan`` throughout, without a warning.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import log_softmax
    >>> print(log_softmax([1000.0, 1.0]))
    [   0. -999.]

    The naive route loses the second entry entirely:

    >>> from helpers.numerics import softmax
    >>> with np.errstate(divide="ignore"):
    ...     print(np.log(softmax([1000.0, 1.0])))
    [  0. -inf]
    """
    z, out_dtype, axis = _prepare_logits(logits, axis)
    parts = _softmax_parts(z, axis)
    log_probs = parts.shifted - np.log1p(parts.rest)
    return _finish(np.where(parts.bad, np.nan, log_probs), out_dtype)


def logsumexp(logits, axis=-1, keepdims=False):
    r"""Compute ``log(sum(exp(logits)))`` along `axis` without overflow.

    Parameters
    ----------
    logits : array_like
        Real-valued scores, at least one-dimensional.
    axis : int, optional
        The axis to reduce.  Default is the last.
    keepdims : bool, optional
        If True, keep the reduced axis with length one, so the result
        broadcasts against `logits`.

    Returns
    -------
    lse : ndarray or numpy scalar
        `logits` reduced along `axis`, in the float dtype of `logits`
        (float64 for integers).  A NumPy scalar when the result is 0-d.

    Raises
    ------
    TypeError
        If `logits` is not real-valued, or `axis` is not an integer.
    ValueError
        If `logits` is 0-d, the reduced axis is empty, or `axis` is out of
        range.

    See Also
    --------
    softmax, log_softmax, scipy.special.logsumexp

    Notes
    -----
    .. math::

        \operatorname{logsumexp}(z) = m + \log\Bigl(1 + \sum_{j \ne k}
        e^{z_j - m}\Bigr), \qquad m = z_k = \max_j z_j ,

    and ``log1p`` keeps the small sum accurate.  The result always lies in
    :math:`[m, m + \log C]` for :math:`C` entries.

    A row that is all ``-inf``, or that holds ``nan`` or ``+inf``, gives
    ``nan``.  ``scipy.special.logsumexp`` returns ``-inf`` for an all
    ``-inf`` row and ``+inf`` for a row with ``+inf``; we return ``nan`` so
    that the whole softmax family agrees on which rows are unusable.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import logsumexp
    >>> print(f"{logsumexp([1.0, 2.0, 3.0]):.6f}")
    3.407606
    >>> print(logsumexp([1e308, 1e308]) == 1e308)  # 1e308 + log(2) rounds
    True
    >>> print(logsumexp([[0.0, 0.0], [1.0, -np.inf]], keepdims=True))
    [[0.69314718]
     [1.        ]]
    """
    z, out_dtype, axis = _prepare_logits(logits, axis)
    parts = _softmax_parts(z, axis)
    lse = parts.row_max + np.log1p(parts.rest)
    lse = np.where(parts.bad, np.nan, lse)
    if not keepdims:
        lse = np.squeeze(lse, axis=axis)
    return _finish(lse, out_dtype)


def softmax_jacobian(logits):
    r"""Jacobian of the softmax over the last axis, for a batch of rows.

    Parameters
    ----------
    logits : array_like, shape (..., C)
        Real-valued scores; the last axis holds the classes.

    Returns
    -------
    jac : ndarray, shape (..., C, C)
        ``jac[..., i, j]`` is :math:`\partial p_i / \partial z_j`, in the
        float dtype of `logits` (float64 for integers).

    Raises
    ------
    TypeError
        If `logits` is not real-valued.
    ValueError
        If `logits` is 0-d or has an empty class axis.

    See Also
    --------
    softmax, cross_entropy_grad

    Notes
    -----
    .. math::

        J = \operatorname{diag}(p) - p\,p^{\mathsf T},
        \qquad J_{ij} = p_i(\delta_{ij} - p_j).

    :math:`J` is symmetric and every row sums to zero, because the
    probabilities always sum to one.  The diagonal :math:`p_i(1 - p_i)` is
    computed with an accurate :math:`1 - p_i` so that it does not cancel
    to 0 when one class takes almost all the probability.

    Rows that softmax maps to ``nan`` give an all ``nan`` matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import softmax_jacobian
    >>> print(softmax_jacobian([0.0, 0.0]))
    [[ 0.25 -0.25]
     [-0.25  0.25]]
    >>> softmax_jacobian(np.zeros((5, 3))).shape
    (5, 3, 3)
    """
    z, out_dtype, axis = _prepare_logits(logits, -1)
    parts = _softmax_parts(z, axis)
    probs, complement = _probs_and_complement(parts, axis)  # (..., C)
    with np.errstate(under="ignore"):
        jac = -probs[..., :, None] * probs[..., None, :]    # (..., C, C)
        diag = np.arange(z.shape[-1])
        jac[..., diag, diag] = probs * complement
    jac = np.where(parts.bad[..., None], np.nan, jac)
    return _finish(jac, out_dtype)


# --------------------------------------------------------------------------
# Cross-entropy
# --------------------------------------------------------------------------

def _probability_tolerance(dtype):
    """How far a row of probability targets may sum from 1."""
    return float(np.sqrt(np.finfo(dtype).eps))


def _check_labels(labels, logits_shape):
    """Validate integer class indices against logits of shape (N, C)/(C,)."""
    want = logits_shape[:-1]
    num_classes = logits_shape[-1]
    if labels.shape != want:
        hint = ""
        if labels.shape == logits_shape:
            hint = (" If these rows are one-hot or probability targets, "
                    "pass them as floats, e.g. target.astype(float).")
        raise ValueError(
            f"`target` holds integers, so it is read as class indices, one "
            f"per row of `logits`: expected shape {want}, got "
            f"{labels.shape} (`logits` has shape {logits_shape}).{hint}"
        )
    outside = (labels < 0) | (labels >= num_classes)
    if np.any(outside):
        raise ValueError(
            f"`target` class indices must lie in [0, {num_classes}) for "
            f"{num_classes} classes; found {labels[outside].flat[0]}."
        )


def _check_probabilities(probs, logits_shape):
    """Validate probability targets; rows must sum to 1 within tolerance."""
    if probs.shape != logits_shape:
        hint = ""
        if probs.shape == logits_shape[:-1]:
            hint = (" For class indices, pass an integer array, e.g. "
                    "target.astype(int).")
        raise ValueError(
            f"`target` has a floating dtype, so it is read as class "
            f"probabilities with the same shape as `logits` "
            f"{logits_shape}; got shape {probs.shape}.{hint}"
        )
    if not np.all(np.isfinite(probs)):
        raise ValueError("`target` probabilities must be finite; found nan "
                         "or inf.")
    if np.any(probs < 0):
        raise ValueError("`target` probabilities must be non-negative; found "
                         f"{probs[probs < 0].flat[0]}.")
    row_sums = np.sum(probs, axis=-1, dtype=np.float64)
    tol = _probability_tolerance(probs.dtype)
    off = np.abs(row_sums - 1) > tol
    if np.any(off):
        raise ValueError(
            "`target` probability rows must each sum to 1 (within "
            f"{tol:.1e} for {probs.dtype}); found a row summing to "
            f"{row_sums[off].flat[0]!r}."
        )


def _smoothed_targets(logits, target, label_smoothing):
    """Validate and return ``(z, out_dtype, weights)``, all of shape (N, C).

    ``weights`` is the label-smoothed target distribution: every row is
    non-negative and sums to one.
    """
    z, out_dtype = _as_real_array(logits, "logits")
    if z.ndim not in (1, 2):
        raise ValueError(
            "`logits` must have shape (N, C) or (C,), with classes on the "
            f"last axis; got {z.ndim} dimension(s), shape {z.shape}."
        )
    if z.shape[-1] == 0:
        raise ValueError(f"`logits` has an empty class axis (shape "
                         f"{z.shape}); cross-entropy needs at least one "
                         "class.")
    target = np.asarray(target)
    num_classes = z.shape[-1]
    eps = label_smoothing
    if target.dtype.kind in "iu":
        _check_labels(target, z.shape)
        labels = target.reshape(-1)                        # (N,)
        weights = np.full((labels.size, num_classes), eps / num_classes,
                          dtype=z.dtype)                   # (N, C)
        weights[np.arange(labels.size), labels] += 1 - eps
    elif target.dtype.kind == "f":
        _check_probabilities(target, z.shape)
        probs = target.astype(z.dtype).reshape(-1, num_classes)
        weights = (1 - eps) * probs + eps / num_classes
    else:
        raise TypeError(
            "`target` must be integer class indices or floating-point "
            f"class probabilities; got dtype {target.dtype}."
        )
    return z.reshape(-1, num_classes), out_dtype, weights


def _check_batch(z, reduction):
    if reduction == "mean" and z.shape[0] == 0:
        raise ValueError(
            "`logits` has no rows (N == 0), so the mean over the batch is "
            "undefined; use reduction='sum' or 'none'."
        )


def _weighted_gaps(weights, parts):
    """Return ``weights * (row_max - z)`` with no spurious overflow or nan.

    ``row_max - z`` is ``-log p`` up to a per-row constant.  It overflows
    for logits like [1e308, -1e308] even when the weighted value is finite,
    so there we use ``w*m - w*z`` instead.  A zero weight contributes 0,
    even for a masked ``-inf`` logit (where ``0 * inf`` would be nan).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = weights * -parts.shifted
        overflowed = np.isinf(parts.shifted) & np.isfinite(parts.z)
        gaps = np.where(overflowed,
                        weights * parts.row_max - weights * parts.z, gaps)
    return np.where(weights == 0, 0, gaps)


def _mean(values):
    """Mean over the first axis that does not overflow when the sum would."""
    with np.errstate(over="ignore"):
        total = np.sum(values, axis=0)
    if np.any(np.isinf(total)) and np.all(np.isfinite(values)):
        return np.sum(values / len(values), axis=0)
    return total / len(values)


def _reduce(loss, reduction):
    if reduction == "mean":
        return _mean(loss.reshape(-1))
    if reduction == "sum":
        with np.errstate(over="ignore"):
            return np.sum(loss)
    return loss


def cross_entropy(logits, target, *, reduction="mean", label_smoothing=0.0):
    r"""Softmax cross-entropy between `logits` and `target`.

    Same semantics as PyTorch's ``torch.nn.functional.cross_entropy``,
    except that the class axis is the *last* axis.

    Parameters
    ----------
    logits : array_like, shape (N, C) or (C,)
        Unnormalised scores for C classes, one row per sample.
    target : array_like
        Either integer class indices, shape (N,) for (N, C) logits or a
        scalar for (C,) logits, each in ``[0, C)``; or class probabilities
        with a floating dtype and the same shape as `logits`, each row
        non-negative and summing to 1.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'mean'`` averages over the N samples, ``'sum'`` adds them,
        ``'none'`` returns one loss per sample.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`: the share of the target spread
        uniformly over the classes.  Default 0.

    Returns
    -------
    loss : numpy scalar or ndarray
        A scalar for ``'mean'`` and ``'sum'``; for ``'none'`` an array of
        shape (N,), or a scalar for (C,) logits.  In the float dtype of
        `logits` (float64 for integer logits).

    Raises
    ------
    TypeError
        If `logits` or `target` has a non-real dtype, or `label_smoothing`
        is not a real number.
    ValueError
        If the shapes do not match, a class index is outside ``[0, C)``,
        probability rows are negative, non-finite or do not sum to 1, the
        class axis is empty, `logits` is not 1-D or 2-D, `reduction` is
        unknown, `label_smoothing` is outside [0, 1], or ``'mean'`` is
        asked of an empty batch.

    See Also
    --------
    cross_entropy_grad, log_softmax, binary_cross_entropy_with_logits

    Notes
    -----
    With :math:`\log p = \operatorname{log\_softmax}(z)` and smoothed target
    :math:`w_{ic} = (1-\varepsilon)\,y_{ic} + \varepsilon / C` (a one-hot
    :math:`y` for class indices),

    .. math::

        \ell_i = -\sum_c w_{ic} \log p_{ic}
               = (1-\varepsilon)\Bigl(-\sum_c y_{ic}\log p_{ic}\Bigr)
                 + \frac{\varepsilon}{C}\sum_c (-\log p_{ic}).

    It is evaluated as :math:`\log(1 + \sum_{c \ne k} e^{z_c - m})
    + \sum_c w_{ic}(m - z_c)`, which is finite whenever the true loss is,
    even for logits near :math:`\pm 10^{308}`.

    Probability rows must sum to 1 within :math:`\sqrt{\epsilon}` of the
    target's dtype: about 1.5e-8 for float64, 3.5e-4 for float32 and 3.1e-2
    for float16.  A class whose target weight is 0 contributes 0 even when
    its logit is ``-inf`` (PyTorch gives ``nan`` there for probability
    targets).  A row of `logits` that softmax maps to ``nan`` gives a
    ``nan`` loss for that sample.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import cross_entropy
    >>> logits = [[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    >>> print(np.round(cross_entropy(logits, [0, 2], reduction="none"), 6))
    [0.239545 1.098612]
    >>> print(f"{cross_entropy(logits, [0, 2]):.6f}")
    0.669079

    Probability targets give the same loss for a one-hot row:

    >>> print(f"{cross_entropy([2.0, 0.0, 0.0], [1.0, 0.0, 0.0]):.6f}")
    0.239545
    >>> print(f"{cross_entropy([0.0, 0.0], 0, label_smoothing=0.2):.6f}")
    0.693147
    """
    _check_reduction(reduction)
    eps = _check_label_smoothing(label_smoothing)
    z, out_dtype, weights = _smoothed_targets(logits, target, eps)
    _check_batch(z, reduction)
    parts = _softmax_parts(z, axis=-1)
    with np.errstate(over="ignore"):
        loss = np.log1p(parts.rest[:, 0]) + np.sum(
            _weighted_gaps(weights, parts), axis=-1)          # (N,)
    loss = np.where(parts.bad[:, 0], np.nan, loss)
    if np.ndim(logits) == 1:
        loss = loss[0]
    return _finish(_reduce(np.asarray(loss), reduction), out_dtype)


def cross_entropy_grad(logits, target, *, reduction="mean",
                       label_smoothing=0.0):
    r"""Gradient of :func:`cross_entropy` with respect to `logits`.

    Parameters
    ----------
    logits, target, reduction, label_smoothing
        As for :func:`cross_entropy`.

    Returns
    -------
    grad : ndarray
        Same shape and float dtype as `logits`.  For ``'mean'`` the
        gradient of the mean; for ``'sum'`` and for ``'none'`` the gradient
        of the *sum* of the per-sample losses (row i of the result is the
        gradient of sample i's own loss).

    Raises
    ------
    TypeError, ValueError
        As for :func:`cross_entropy`.

    See Also
    --------
    cross_entropy, softmax_jacobian, numerical_gradient

    Notes
    -----
    .. math::

        \frac{\partial \ell_i}{\partial z_{ic}} = p_{ic} - w_{ic},

    with :math:`w` the label-smoothed target, divided by N for ``'mean'``.
    Each row sums to zero.  For the top class, where :math:`p` may be
    within ulps of 1, it is computed as :math:`(1 - w) - (1 - p)` with an
    accurate :math:`1 - p`.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import cross_entropy_grad
    >>> print(cross_entropy_grad([0.0, 0.0], 1))
    [ 0.5 -0.5]
    >>> g = cross_entropy_grad([[0.0, 0.0], [0.0, 0.0]], [1, 0])
    >>> print(g)
    [[ 0.25 -0.25]
     [-0.25  0.25]]
    """
    _check_reduction(reduction)
    eps = _check_label_smoothing(label_smoothing)
    z, out_dtype, weights = _smoothed_targets(logits, target, eps)
    _check_batch(z, reduction)
    parts = _softmax_parts(z, axis=-1)
    probs, complement = _probs_and_complement(parts, axis=-1)  # (N, C)
    grad = probs - weights
    top_weight = np.take_along_axis(weights, parts.top, axis=-1)
    top_complement = np.take_along_axis(complement, parts.top, axis=-1)
    np.put_along_axis(grad, parts.top, (1 - top_weight) - top_complement,
                      axis=-1)
    grad = np.where(parts.bad, np.nan, grad)
    if reduction == "mean":
        grad = grad / z.shape[0]
    return _finish(grad.reshape(np.shape(logits)), out_dtype)


# --------------------------------------------------------------------------
# Two classes: sigmoid and binary cross-entropy
# --------------------------------------------------------------------------

def sigmoid(x):
    r"""The logistic sigmoid :math:`1 / (1 + e^{-x})`, elementwise.

    Parameters
    ----------
    x : array_like
        Real values of any shape.

    Returns
    -------
    y : ndarray or numpy scalar
        Values in [0, 1], same shape and float dtype as `x` (float64 for
        integers).

    Raises
    ------
    TypeError
        If `x` is not real-valued.

    See Also
    --------
    binary_cross_entropy_with_logits, softmax, scipy.special.expit

    Notes
    -----
    Only :math:`e^{-|x|} \in (0, 1]` is ever computed:

    .. math::

        \sigma(x) = \begin{cases}
            1 / (1 + e^{-|x|}) & x \ge 0, \\
            e^{-|x|} / (1 + e^{-|x|}) & x < 0,
        \end{cases}

    so nothing overflows, even for :math:`|x| = 10^{308}`, and small
    values for negative x keep their full relative accuracy.  It equals
    ``softmax([0, x])[1]``.  ``sigmoid(nan)`` is ``nan``.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import sigmoid
    >>> print(sigmoid([0.0, 1e308, -1e308]))
    [0.5 1.  0. ]
    >>> print(f"{sigmoid(-700.0):.4e}")
    9.8597e-305
    """
    t, out_dtype = _as_real_array(x, "x")
    with np.errstate(under="ignore"):
        small = np.exp(-np.abs(t))
        y = np.where(t >= 0, 1 / (1 + small), small / (1 + small))
    return _finish(y, out_dtype)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    r"""Binary cross-entropy of ``sigmoid(logits)`` against `target`.

    Same semantics as PyTorch's
    ``torch.nn.functional.binary_cross_entropy_with_logits`` (without
    ``weight`` and ``pos_weight``).

    Parameters
    ----------
    logits : array_like
        Real-valued scores of any shape.
    target : array_like
        Probabilities of the positive class, same shape as `logits`, each
        in [0, 1].
    reduction : {'mean', 'sum', 'none'}, optional
        ``'mean'`` averages over all elements, ``'sum'`` adds them,
        ``'none'`` returns the elementwise losses.

    Returns
    -------
    loss : numpy scalar or ndarray
        In the float dtype of `logits` (float64 for integers).

    Raises
    ------
    TypeError
        If `logits` or `target` is not real-valued.
    ValueError
        If the shapes differ, a target is outside [0, 1] or not finite,
        `reduction` is unknown, or ``'mean'`` is asked of an empty array.

    See Also
    --------
    sigmoid, cross_entropy

    Notes
    -----
    .. math::

        \ell = -y \log\sigma(x) - (1-y)\log(1-\sigma(x))
             = \max(x, 0) - x y + \log\bigl(1 + e^{-|x|}\bigr).

    The linear part is evaluated as :math:`x(1-y)` for :math:`x \ge 0` and
    :math:`-xy` otherwise, which is the same number without the
    cancellation of :math:`x - xy` when :math:`y \approx 1`.  This is the
    two-class case of :func:`cross_entropy` with logits :math:`[0, x]` and
    target :math:`[1-y, y]`.  A non-finite logit gives a ``nan`` loss.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import binary_cross_entropy_with_logits
    >>> bce = binary_cross_entropy_with_logits
    >>> print(f"{bce(0.0, 1.0):.6f}")  # log 2
    0.693147
    >>> print(bce([1e308, -1e308], [1.0, 0.0], reduction="none"))
    [0. 0.]
    """
    _check_reduction(reduction)
    x, out_dtype = _as_real_array(logits, "logits")
    y, _ = _as_real_array(target, "target")
    if y.shape != x.shape:
        raise ValueError(
            f"`target` must have the same shape as `logits` {x.shape}; "
            f"got {y.shape}."
        )
    if not (np.all(np.isfinite(y)) and np.all((y >= 0) & (y <= 1))):
        raise ValueError("`target` values must be probabilities in [0, 1].")
    if reduction == "mean" and x.size == 0:
        raise ValueError("`logits` is empty, so the mean is undefined; use "
                         "reduction='sum' or 'none'.")
    y = y.astype(x.dtype)
    bad = ~np.isfinite(x)
    x = np.where(bad, 0, x)
    with np.errstate(under="ignore"):
        softplus = np.log1p(np.exp(-np.abs(x)))
    linear = np.where(x >= 0, x * (1 - y), -x * y)
    loss = np.where(bad, np.nan, linear + softplus)
    return _finish(_reduce(loss, reduction), out_dtype)


# --------------------------------------------------------------------------
# Finite differences
# --------------------------------------------------------------------------

def _call_scalar(f, point):
    """Call ``f`` on a private copy of ``point`` and return a float."""
    value = np.asarray(f(point.copy()))
    if value.dtype.kind not in "biuf":
        raise TypeError(f"`f` must return a real number; it returned "
                        f"dtype {value.dtype}.")
    if value.ndim != 0:
        raise ValueError(
            f"`f` must return a scalar; it returned shape {value.shape}. "
            "For a loss, use reduction='mean' or 'sum'."
        )
    return float(value)


def numerical_gradient(f, x, *, eps=1e-6):
    r"""Central-difference gradient of a scalar function `f` at `x`.

    Parameters
    ----------
    f : callable
        ``f(array) -> scalar``.  It receives a float64 array shaped like
        `x` (a fresh copy each time, so it may modify it).
    x : array_like
        The point at which to differentiate.  It is not modified.
    eps : float, optional
        The step :math:`h > 0`.  Default 1e-6.

    Returns
    -------
    grad : ndarray of float64
        Same shape as `x`.

    Raises
    ------
    TypeError
        If `f` is not callable or returns a non-real value, `x` is not
        real-valued, or `eps` is not a real number.
    ValueError
        If `f` returns a non-scalar, or `eps` is not positive and finite.

    See Also
    --------
    cross_entropy_grad, softmax_jacobian

    Notes
    -----
    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h}.

    The truncation error is :math:`O(h^2)` and the rounding error about
    :math:`\epsilon |f| / h`; :math:`h \approx \epsilon^{1/3} \approx 6
    \times 10^{-6}` balances them in float64, so expect agreement to about
    1e-9 relative, not to ulps.  It costs :math:`2n` calls of `f` for
    :math:`n` entries.  This is a reference for testing, not for training.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import numerical_gradient
    >>> g = numerical_gradient(lambda v: np.sum(v ** 2), [1.0, -2.0])
    >>> print(np.round(g, 6))
    [ 2. -4.]
    """
    if not callable(f):
        raise TypeError("`f` must be a callable taking an array and "
                        f"returning a scalar; got {type(f).__name__}.")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"`eps` must be a positive real number; got {eps!r}.")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"`eps` must be positive and finite; got {eps!r}.")
    point = np.array(_as_real_array(x, "x")[0], dtype=np.float64)
    grad = np.empty_like(point)
    for index in np.ndindex(point.shape):
        step = np.zeros_like(point)
        step[index] = eps
        f_plus = _call_scalar(f, point + step)
        f_minus = _call_scalar(f, point - step)
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad
