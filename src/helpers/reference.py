"""High-precision references for the softmax family, built on mpmath.

The functions here answer the question "what is the exact softmax of these
floating-point logits?" to far more digits than float64 holds, and then
round the answer to float64.  They are slow (pure Python, one mpmath
operation per entry) and exist to *measure* the accuracy of fast
implementations, in the chapters and in benchmarks.

Every input value is converted to mpmath exactly (a float16, float32 or
float64 number is a dyadic rational, and mpmath holds it without rounding),
so the reference is the softmax of precisely the numbers the fast code saw.
The computation runs at ``dps`` decimal digits and the final result is
rounded once to the nearest float64.  With the default ``dps=50`` the
reference is therefore within half a float64 ulp of the exact value, and
far closer than that in float32 or float16 terms.

Rows run along the last axis.  Non-finite logits follow the policy of
:mod:`helpers.numerics`: a ``-inf`` logit is a masked class (probability
exactly 0), and a row that is all ``-inf`` or holds a ``nan`` or ``+inf``
gives ``nan`` throughout.

This is the book's one reference: the chapters, ``tests/`` and ``bench/``
all measure against it.  :func:`softmax_family_mp` gives the softmax,
log-softmax and log-sum-exp from one pass of exponentials, and
:func:`cross_entropy_mp` the loss of each sample, label smoothing
included; :func:`rel_error_ulps` turns a comparison into units of eps.

The module depends on NumPy and mpmath only.
"""

from typing import NamedTuple

import mpmath
import numpy as np

from ._validate import (as_class_axis, as_count, as_float_dtype, as_real,
                        as_real_array)

__all__ = ["softmax_mp", "log_softmax_mp", "logsumexp_mp", "softmax_family_mp",
           "cross_entropy_mp", "rel_error_ulps", "SoftmaxFamily"]

_MIN_DPS = 20  # below this, the final rounding to float64 can be wrong


def _check_dps(dps):
    return as_count(dps, "dps", minimum=_MIN_DPS,
                    why=" for a float64 reference to be trustworthy")


def _as_logits(logits):
    """The logits as an ndarray of a real dtype with a class axis, last."""
    arr = as_real_array(logits, "logits")
    as_class_axis(arr, -1)
    return arr


def _to_mpf(row):
    """One row of logits in mpmath, exactly: ``tolist`` gives Python ints
    for integers, and floats that hold float16 and float32 values exactly."""
    return [mpmath.mpf(v) for v in row.tolist()]


# --------------------------------------------------------------------------
# One row, in mpmath
# --------------------------------------------------------------------------

class _Row(NamedTuple):
    """One usable row in mpmath (see `_row`)."""

    shifted: list    # z_j - m, with m = z_top the first maximum
    weights: list    # exp(z_j - m): exactly 1 at the top
    top: int
    rest: object     # sum of the weights but the top one's (an mpf)


def _row(values):
    """A row of logits (a NumPy row) as a `_Row`, or None if unusable.

    Leaving the top weight (exactly 1) out of ``rest`` lets ``log1p``
    resolve a rest far below 10**-dps.
    """
    row = _to_mpf(values)
    if any(mpmath.isnan(v) or v == mpmath.inf for v in row):
        return None
    if all(v == -mpmath.inf for v in row):
        return None
    top = max(range(len(row)), key=lambda j: row[j])  # first maximal index
    shifted = [v - row[top] for v in row]  # -inf stays -inf: a masked class
    weights = [mpmath.exp(v) for v in shifted]
    rest = mpmath.fsum(w for j, w in enumerate(weights) if j != top)
    return _Row(shifted, weights, top, rest)


class SoftmaxFamily(NamedTuple):
    """The softmax, log-softmax and log-sum-exp of the same logits."""

    probs: np.ndarray       # the shape of the logits
    log_probs: np.ndarray   # the shape of the logits
    logsumexp: np.ndarray   # that shape without its last axis


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------

def softmax_mp(logits, dps=50):
    r"""The softmax of `logits` along the last axis, to high precision.

    Parameters
    ----------
    logits : array_like
        Real scores, at least one-dimensional; the last axis holds the
        classes.  float16, float32, float64, integer or bool.
    dps : int, optional
        Decimal digits of the mpmath working precision (at least 20).
        Default 50.

    Returns
    -------
    probs : ndarray of float64
        Same shape as `logits`: the exact softmax of the given values,
        rounded once to the nearest float64.

    Raises
    ------
    TypeError
        If `logits` is not real-valued (or is a float wider than float64),
        or `dps` is not an integer.
    ValueError
        If `logits` is 0-d or has an empty last axis, or `dps` < 20.

    See Also
    --------
    log_softmax_mp, logsumexp_mp, rel_error_ulps, helpers.numerics.softmax

    Notes
    -----
    With :math:`m = z_k` the first maximal logit,

    .. math::

        p_i = \frac{e^{z_i - m}}{1 + \sum_{j \ne k} e^{z_j - m}},

    evaluated with ``dps`` significant digits.  mpmath's exponent range is
    unbounded, so nothing overflows or underflows before the final rounding
    to float64, where probabilities below about 2.5e-324 become 0.

    A ``-inf`` logit gets probability 0; a row that is all ``-inf`` or holds
    ``nan`` or ``+inf`` gives ``nan`` throughout.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.reference import softmax_mp
    >>> print(softmax_mp([0.0, np.log(3.0)]))
    [0.25 0.75]

    Huge logits are no problem, and the answer is exact to the last bit:

    >>> print(softmax_mp([1e308, 1e308, -np.inf]))
    [0.5 0.5 0. ]
    >>> print(softmax_mp([0.0, -745.0]))
    [1.e+000 5.e-324]
    """
    return softmax_family_mp(logits, dps).probs


def log_softmax_mp(logits, dps=50):
    r"""The log-softmax of `logits` along the last axis, to high precision.

    Parameters
    ----------
    logits : array_like
        Real scores, at least one-dimensional; the last axis holds the
        classes.  float16, float32, float64, integer or bool.
    dps : int, optional
        Decimal digits of the mpmath working precision (at least 20).
        Default 50.

    Returns
    -------
    log_probs : ndarray of float64
        Same shape as `logits`; every entry is :math:`\le 0`.

    Raises
    ------
    TypeError
        If `logits` is not real-valued (or is a float wider than float64),
        or `dps` is not an integer.
    ValueError
        If `logits` is 0-d or has an empty last axis, or `dps` < 20.

    See Also
    --------
    softmax_mp, logsumexp_mp, helpers.numerics.log_softmax

    Notes
    -----
    .. math::

        \log p_i = (z_i - m) - \log\Bigl(1 + \sum_{j \ne k} e^{z_j - m}\Bigr),

    with ``log1p`` for the second term, so the top class of a row in which
    it dominates gets a tiny negative value (say -1e-300), never a rounded 0.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.reference import log_softmax_mp
    >>> print(log_softmax_mp([1000.0, 1.0]))
    [   0. -999.]
    >>> print(log_softmax_mp([0.0, -700.0])[0])  # -exp(-700)
    -9.859676543759770e-305
    """
    return softmax_family_mp(logits, dps).log_probs


def logsumexp_mp(logits, dps=50):
    r"""``log(sum(exp(logits)))`` over the last axis, to high precision.

    Parameters
    ----------
    logits : array_like
        Real scores, at least one-dimensional; the last axis is reduced.
        float16, float32, float64, integer or bool.
    dps : int, optional
        Decimal digits of the mpmath working precision (at least 20).
        Default 50.

    Returns
    -------
    lse : ndarray of float64 or numpy.float64
        `logits` reduced along the last axis; a NumPy scalar for 1-D input.

    Raises
    ------
    TypeError
        If `logits` is not real-valued (or is a float wider than float64),
        or `dps` is not an integer.
    ValueError
        If `logits` is 0-d or has an empty last axis, or `dps` < 20.

    See Also
    --------
    softmax_mp, log_softmax_mp, helpers.numerics.logsumexp

    Notes
    -----
    .. math::

        \operatorname{LSE}(z) = m + \log\Bigl(1 + \sum_{j \ne k} e^{z_j - m}\Bigr),

    which lies in :math:`[m, m + \log C]`.  A row that is all ``-inf`` or
    holds ``nan`` or ``+inf`` gives ``nan``.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.reference import logsumexp_mp
    >>> print(logsumexp_mp([0.0, 0.0]))  # log 2
    0.6931471805599453
    >>> print(logsumexp_mp([[1e6, 1e6], [0.0, -np.inf]]))
    [1000000.69314718       0.        ]
    """
    return softmax_family_mp(logits, dps).logsumexp


def softmax_family_mp(logits, dps=50):
    r"""Softmax, log-softmax and log-sum-exp together, to high precision.

    One pass of mpmath exponentials gives all three, which is what the
    accuracy tests and benchmarks need: it costs about what one of
    :func:`softmax_mp`, :func:`log_softmax_mp` and :func:`logsumexp_mp`
    costs, and those three are its fields.

    Parameters
    ----------
    logits : array_like
        Real scores, at least one-dimensional; the last axis holds the
        classes.  float16, float32, float64, integer or bool.
    dps : int, optional
        Decimal digits of the mpmath working precision (at least 20).
        Default 50.

    Returns
    -------
    SoftmaxFamily
        ``probs`` and ``log_probs``, float64 arrays shaped like `logits`,
        and ``logsumexp``, float64 without the last axis (a NumPy scalar
        for 1-D logits), each the exact value rounded once to float64.

    Raises
    ------
    TypeError, ValueError
        As for :func:`softmax_mp`.

    See Also
    --------
    softmax_mp, log_softmax_mp, logsumexp_mp, cross_entropy_mp

    Examples
    --------
    >>> from helpers.reference import softmax_family_mp
    >>> exact = softmax_family_mp([[0.0, 0.0], [1000.0, 1.0]])
    >>> print(exact.probs[0], exact.log_probs[1], exact.logsumexp[0])
    [0.5 0.5] [   0. -999.] 0.6931471805599453
    """
    dps = _check_dps(dps)
    arr = _as_logits(logits)
    rows = arr.reshape(-1, arr.shape[-1])                         # (N, C)
    probs = np.full(rows.shape, np.nan)
    log_probs = np.full(rows.shape, np.nan)
    lse = np.full(len(rows), np.nan)
    with mpmath.workdps(dps):
        for r, values in enumerate(rows):
            row = _row(values)
            if row is None:            # the nan policy of helpers.numerics
                continue
            total, log_total = 1 + row.rest, mpmath.log1p(row.rest)
            probs[r] = [float(w / total) for w in row.weights]
            log_probs[r] = [float(v - log_total) for v in row.shifted]
            lse[r] = float(mpmath.mpf(values[row.top].item()) + log_total)
    lse = lse.reshape(arr.shape[:-1])
    return SoftmaxFamily(probs.reshape(arr.shape), log_probs.reshape(arr.shape),
                         lse[()] if lse.ndim == 0 else lse)


def cross_entropy_mp(logits, target, *, label_smoothing=0.0, dps=50):
    r"""The softmax cross-entropy of each sample, to high precision.

    Parameters
    ----------
    logits : array_like, shape (N, C) or (C,)
        Real scores, the classes on the last axis.
    target : array_like
        Integer class indices, shape (N,) (a scalar for (C,) logits), or
        class probabilities with a float dtype and the shape of `logits`.
        They are used as given: this is a reference, not a check of its
        inputs beyond their shapes and ranges.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`, as in
        :func:`helpers.numerics.cross_entropy`.  Default 0.
    dps : int, optional
        Decimal digits of the mpmath working precision (at least 20).

    Returns
    -------
    losses : ndarray of float64, shape (N,), or numpy.float64
        :math:`-\sum_c w_c \log p_c` per sample with the smoothed target
        :math:`w = (1 - \varepsilon) y + \varepsilon / C`, computed
        exactly from the float inputs and rounded once.  ``nan`` for a row
        that softmax cannot normalise; a class of weight 0 adds 0, even
        with a ``-inf`` logit.

    Raises
    ------
    TypeError, ValueError
        On non-real inputs, shapes that do not fit, class indices outside
        ``[0, C)``, `label_smoothing` outside [0, 1] or too small a `dps`.

    See Also
    --------
    helpers.numerics.cross_entropy, softmax_family_mp

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.reference import cross_entropy_mp
    >>> print(cross_entropy_mp([[0.0, 0.0], [0.0, np.log(3.0)]], [0, 1]))
    [0.69314718 0.28768207]
    >>> print(cross_entropy_mp([0.0, 0.0], [0.25, 0.75]))  # log 2
    0.6931471805599453
    """
    dps = _check_dps(dps)
    arr = _as_logits(logits)
    if arr.ndim > 2:
        raise ValueError(f"`logits` must have shape (N, C) or (C,); got {arr.shape}.")
    eps = as_real(label_smoothing, "label_smoothing", at_most=1)
    rows = arr.reshape(-1, arr.shape[-1])                         # (N, C)
    weights = _target_weights(as_real_array(target, "target"), arr.shape)
    losses = np.full(len(rows), np.nan)
    with mpmath.workdps(dps):
        eps, num_classes = mpmath.mpf(eps), rows.shape[1]
        for r, (values, target_row) in enumerate(zip(rows, weights)):
            row = _row(values)
            if row is None:
                continue
            log_total = mpmath.log1p(row.rest)
            smoothed = [(1 - eps) * mpmath.mpf(t) + eps / num_classes
                        for t in target_row.tolist()]
            losses[r] = float(mpmath.fsum(w * (log_total - v)
                                          for w, v in zip(smoothed, row.shifted)
                                          if w != 0))
    return losses[0] if arr.ndim == 1 else losses


def _target_weights(target, shape):
    """The target as (N, C) rows of class weights: one-hot for indices."""
    num_classes = shape[-1]
    if target.dtype.kind in "iu":
        if target.shape != shape[:-1]:
            raise ValueError(f"`target` class indices must have shape "
                             f"{shape[:-1]}; got {target.shape}.")
        labels = target.reshape(-1)
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"`target` class indices must lie in "
                             f"[0, {num_classes}).")
        return np.eye(num_classes)[labels]
    if target.dtype.kind != "f" or target.shape != shape:
        raise ValueError(f"`target` must be integer class indices or float "
                         f"probabilities of shape {shape}; got dtype "
                         f"{target.dtype}, shape {target.shape}.")
    return target.reshape(-1, num_classes)


def rel_error_ulps(approx, exact, dtype=None):
    r"""Relative error of `approx` against `exact`, in units of machine epsilon.

    Parameters
    ----------
    approx : array_like
        The values to judge, e.g. the output of a fast softmax.
    exact : array_like
        The reference values (say from :func:`softmax_mp`); broadcast
        against `approx`.
    dtype : dtype-like, optional
        The floating-point type whose epsilon is the unit.  Defaults to the
        dtype of `approx` (float64 if `approx` is not a float array).

    Returns
    -------
    ulps : ndarray of float64 or numpy.float64
        Elementwise error, with the broadcast shape; a NumPy scalar for
        scalar inputs.

    Raises
    ------
    TypeError
        If `approx` or `exact` is not real-valued, or `dtype` is not a
        floating-point type.
    ValueError
        If the shapes do not broadcast.

    See Also
    --------
    softmax_mp, numpy.finfo

    Notes
    -----
    With :math:`\epsilon` and :math:`t` the machine epsilon and the smallest
    normal number of `dtype`,

    .. math::

        \mathrm{err} = \frac{|\hat x - x|}{\max(|x|, t)\,\epsilon}.

    For normal numbers this is the relative error in units of
    :math:`\epsilon` (a correctly rounded result scores at most 0.5).  Below
    :math:`t` it becomes the absolute error in units of the spacing of the
    subnormal numbers, :math:`t\epsilon`, so an exact 0 is handled
    sensibly: a reference that underflows in `dtype` does not make a
    correct 0 infinitely wrong, and the score stays finite.

    Special values: equal values (including two zeros and two equal
    infinities) score 0, and two ``nan`` score 0 (both say "undefined").  A
    ``nan`` or an infinity on one side only scores ``inf``, so that a
    method that breaks down can never look accurate and ``np.max`` of the
    scores flags it.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.reference import rel_error_ulps
    >>> eps = np.finfo(np.float64).eps
    >>> print(rel_error_ulps(1.0 + eps, 1.0))
    1.0
    >>> print(f"{rel_error_ulps(np.float32(0.1), 0.1):.3f}")  # rounding 0.1
    0.125
    >>> print(rel_error_ulps([np.nan, np.inf, 0.0], [0.5, np.inf, 0.0]))
    [inf  0.  0.]
    """
    approx = as_real_array(approx, "approx")
    approx64 = approx.astype(np.float64)
    exact64 = as_real_array(exact, "exact").astype(np.float64)
    if dtype is None:
        dtype = approx.dtype if approx.dtype.kind == "f" else np.float64
    dtype = as_float_dtype(dtype)
    try:
        approx64, exact64 = np.broadcast_arrays(approx64, exact64)
    except ValueError:
        raise ValueError(
            f"`approx` {approx64.shape} and `exact` {exact64.shape} do not broadcast."
        ) from None
    info = np.finfo(dtype)
    scale = np.maximum(np.abs(exact64), float(info.tiny)) * float(info.eps)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(approx64 - exact64) / scale
    both_nan = np.isnan(approx64) & np.isnan(exact64)
    err = np.where(np.isnan(err), np.inf, err)   # nan on one side, or inf - inf
    err = np.where((approx64 == exact64) | both_nan, 0.0, err)
    return err[()] if err.ndim == 0 else err
