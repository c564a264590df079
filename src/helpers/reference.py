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

The module depends on NumPy and mpmath only.
"""

import numbers

import mpmath
import numpy as np

__all__ = ["softmax_mp", "log_softmax_mp", "logsumexp_mp", "rel_error_ulps"]

_MIN_DPS = 20  # below this, the final rounding to float64 can be wrong
_SUPPORTED_FLOATS = (np.float16, np.float32, np.float64)


# --------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------

def _check_dps(dps):
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise TypeError(f"`dps` must be an integer number of decimal digits; got {dps!r}.")
    if dps < _MIN_DPS:
        raise ValueError(
            f"`dps` must be at least {_MIN_DPS} for a float64 reference to be "
            f"trustworthy; got {dps}."
        )
    return int(dps)


def _as_logits(logits):
    """Return the logits as an ndarray of a supported dtype, validated."""
    try:
        arr = np.asarray(logits)
    except (TypeError, ValueError) as exc:  # e.g. ragged nested lists
        raise ValueError(
            f"`logits` must be an array of real numbers; NumPy could not "
            f"convert it ({exc})."
        ) from None
    if arr.dtype.kind == "f" and arr.dtype.type not in _SUPPORTED_FLOATS:
        raise TypeError(
            f"`logits` has dtype {arr.dtype}; only float16, float32, float64, "
            "integer and bool logits are supported (wider floats would be "
            "rounded on the way into mpmath)."
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"`logits` must hold real numbers (a float, integer or bool dtype); "
            f"got dtype {arr.dtype}."
        )
    if arr.ndim == 0:
        raise ValueError(
            "`logits` must have at least one dimension (the class axis, the "
            "last one); got a 0-d value."
        )
    if arr.shape[-1] == 0:
        raise ValueError(
            f"`logits` has an empty class axis (shape {arr.shape}); the "
            "softmax needs at least one class."
        )
    return arr


def _to_mpf(value):
    """Convert one NumPy scalar to mpmath exactly (ints stay exact too)."""
    if isinstance(value, (np.integer, np.bool_)):
        return mpmath.mpf(int(value))
    return mpmath.mpf(float(value))  # float16/32 -> float64 is exact


# --------------------------------------------------------------------------
# One row, in mpmath
# --------------------------------------------------------------------------

def _row_parts(row):
    """Return ``(shifted, top, rest)`` for one row, or None if unusable.

    ``shifted[j] = z_j - m`` with ``m = z_top`` the (first) maximum, and
    ``rest = sum_{j != top} exp(shifted[j])``.  Leaving the top term (exactly
    1) out of ``rest`` lets ``log1p`` resolve a rest far below 10**-dps.
    """
    if any(mpmath.isnan(v) or v == mpmath.inf for v in row):
        return None
    if all(v == -mpmath.inf for v in row):
        return None
    top = max(range(len(row)), key=lambda j: row[j])  # first maximal index
    m = row[top]
    shifted = [v - m for v in row]  # -inf stays -inf: a masked class
    rest = mpmath.fsum(mpmath.exp(s) for j, s in enumerate(shifted) if j != top)
    return shifted, top, rest


def _rowwise(logits, dps, row_function, *, reduces):
    """Apply ``row_function(mpf_row) -> list or mpf`` to every row.

    Returns float64 results: same shape as `logits`, or without the last
    axis when ``reduces`` is true (a NumPy scalar for a single row).
    """
    dps = _check_dps(dps)
    arr = _as_logits(logits)
    rows = arr.reshape(-1, arr.shape[-1])
    out_shape = arr.shape[:-1] if reduces else arr.shape
    out = np.empty((rows.shape[0],) if reduces else rows.shape, dtype=np.float64)
    with mpmath.workdps(dps):
        for r, row in enumerate(rows):
            values = row_function([_to_mpf(v) for v in row])
            if reduces:
                out[r] = float(values)
            else:
                out[r] = [float(v) for v in values]
    out = out.reshape(out_shape)
    return out[()] if out.ndim == 0 else out


def _softmax_row(row):
    parts = _row_parts(row)
    if parts is None:
        return [mpmath.nan] * len(row)
    shifted, _, rest = parts
    total = 1 + rest
    return [mpmath.exp(s) / total for s in shifted]


def _log_softmax_row(row):
    parts = _row_parts(row)
    if parts is None:
        return [mpmath.nan] * len(row)
    shifted, _, rest = parts
    log_total = mpmath.log1p(rest)
    return [s - log_total for s in shifted]


def _logsumexp_row(row):
    parts = _row_parts(row)
    if parts is None:
        return mpmath.nan
    shifted, top, rest = parts
    return row[top] + mpmath.log1p(rest)


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
    return _rowwise(logits, dps, _softmax_row, reduces=False)


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
    return _rowwise(logits, dps, _log_softmax_row, reduces=False)


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
    return _rowwise(logits, dps, _logsumexp_row, reduces=True)


def _check_error_dtype(dtype, approx):
    if dtype is None:
        dtype = approx.dtype if approx.dtype.kind == "f" else np.float64
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"`dtype` must name a floating-point type such as 'float32'; got {dtype!r}."
        ) from None
    if dtype.kind != "f":
        raise TypeError(
            f"`dtype` must be a floating-point type (float16, float32, float64); "
            f"got {dtype}."
        )
    return dtype


def _as_float64(values, name):
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{name}` must be an array of real numbers ({exc}).") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must hold real numbers; got dtype {arr.dtype}.")
    return arr, arr.astype(np.float64)


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
    approx_raw, approx64 = _as_float64(approx, "approx")
    _, exact64 = _as_float64(exact, "exact")
    dtype = _check_error_dtype(dtype, approx_raw)
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
