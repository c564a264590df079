"""Softmax, cross-entropy and their gradients, computed with care, in NumPy.

Every function here accepts Python lists or NumPy arrays.  float16,
float32 and float64 inputs keep their dtype; integer and bool inputs are
computed in float64.  float16 is computed in float32 and rounded back at
the end, because its range (65504) and precision are too small for the
intermediate steps.  Wider floats (``np.longdouble``) are refused.

They are meant to be both accurate and fast: softmax, log_softmax,
logsumexp and cross_entropy are within 4 eps (relative) of the exact
values on the book's hard families of logits, in float64 and in float32
(``tests/test_accuracy.py``); they take about half the time of
``scipy.special`` on large batches, and at most 1.5 times (often less
than) the time of a plain four-line max-shift softmax on the book's small
arrays (``python3 tasks.py bench speed`` measures both).  The appendix
"How fast and how accurate?" explains how.

The module reads in two parts.  The public functions come first: each
checks its arguments, hands the logits to the kernel as (N, C) rows with
the classes last, and returns the result in the caller's dtype.  Behind
them is the kernel, with two routes to the same numbers:

* the *quick* route, for arrays of at most 512 KiB (65,536 float64
  entries) of ordinary logits: finite, and such that ``exp(z)`` needs no
  shift (at most about 355 in float64 and 44 in float32, and no digits
  lost to underflow).  It is a handful of NumPy calls with little around
  them, since on small arrays the per-call overhead is the cost;
* the *block* route, for everything else: large arrays, worked through in
  cache-sized blocks of rows, and any row with huge, tiny, infinite or
  ``nan`` logits, each shifted by whichever constant makes ``exp`` exact.

Both follow one policy for rows they cannot normalise: a row that is all
``-inf``, or that holds a ``nan`` or a ``+inf``, gives ``nan`` throughout
(softmax, log_softmax, logsumexp, losses and gradients), without raising
and without a floating-point warning.  Other rows are unaffected.  A
single ``-inf`` logit in an otherwise finite row is a masked class: its
probability is exactly 0.  ``softmax(logits, where=mask)`` masks
explicitly instead: the classes where `mask` is False get probability
exactly 0 whatever their logits hold, and a row with no class left
(a fully masked row) gives zeros, not ``nan``.

The module depends on NumPy only.
"""

import contextlib
import functools
import math
from typing import NamedTuple

import numpy as np

from ._validate import (as_choice, as_class_axis, as_real, as_real_array,
                        as_working_float)

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "softmax_jacobian",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_and_grad",
    "sigmoid",
    "binary_cross_entropy_with_logits",
    "numerical_gradient",
]

_REDUCTIONS = ("mean", "sum", "none")


# ==========================================================================
# The public functions
# ==========================================================================

def softmax(logits, axis=-1, *, where=None):
    r"""Compute the softmax of `logits` along `axis`.

    Parameters
    ----------
    logits : array_like
        Real-valued scores, at least one-dimensional.
    axis : int, optional
        The class axis, normalised to sum to one.  Default is the last.
    where : array_like of bool, optional
        A mask that broadcasts to the shape of `logits`: True for the
        classes that take part, False for those masked out (padding, or
        positions a causal mask hides).  Default: every class takes part.

    Returns
    -------
    probs : ndarray
        Same shape as `logits`; non-negative, summing to 1 along `axis`
        (to 0 for a row that `where` masks completely).  Same float dtype
        as `logits` (float64 for integer input).

    Raises
    ------
    TypeError
        If `logits` is not real-valued, `axis` is not an integer, or
        `where` is not boolean.
    ValueError
        If `logits` is 0-d, its class axis is empty, `axis` is out of
        range, or `where` does not broadcast to the shape of `logits`.

    See Also
    --------
    log_softmax, logsumexp, softmax_jacobian

    Notes
    -----
    .. math::

        \operatorname{softmax}(z)_i = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},
        \qquad m = \max_j z_j .

    Subtracting the maximum changes nothing mathematically but keeps every
    exponent :math:`\le 0`, so nothing overflows.  In practice each row is
    shifted by whichever constant keeps the subtraction from costing digits:
    0 (no subtraction at all) when :math:`e^{z}` can neither overflow nor
    lose to underflow digits that matter, which is the common case, or
    :math:`m`, where :math:`z_i - m` is either exact (every logit that
    matters lies within a factor of two of :math:`m`) or has its rounding
    error recovered exactly and folded back in.
    So each probability is accurate to a few ulps even far below the
    maximum.

    A ``-inf`` logit is a masked class: its probability is exactly 0.  A
    row that is all ``-inf``, or that contains ``nan`` or ``+inf``, returns
    ``nan`` in the whole row (no exception, no warning); other rows are
    unaffected.  These are the values ``scipy.special.softmax`` returns
    (it warns, though, for a row of ``-inf`` or with ``+inf``).

    With `where`, a masked class gets probability exactly 0 whatever its
    logit holds (even ``nan``), the others are normalised among
    themselves, and a fully masked row, whose softmax would be
    :math:`0/0`, gives zeros: it has no class to give probability to.
    ``jax.nn.softmax`` with ``where=`` does the same.  The attention of
    ``torch.nn.functional.scaled_dot_product_attention`` also returns
    zeros for a fully masked row since PyTorch 2.5.  An
    unmasked ``nan`` or ``+inf`` still gives ``nan`` in its row's unmasked
    classes, and an unmasked row that is all ``-inf`` gives ``nan``.

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

    A mask drops classes, whatever their logits; a row with none left is 0:

    >>> print(softmax([[3.0, 3.0, np.nan], [1.0, 2.0, 3.0]],
    ...               where=[[True, True, False], [False, False, False]]))
    [[0.5 0.5 0. ]
     [0.  0.  0. ]]
    """
    rows, layout = _rows_of(logits, axis)                        # (N, C)
    if where is not None:
        keep = _mask_rows(where, np.shape(logits), layout)       # (N, C)
        rows = np.where(keep, rows, -np.inf)      # keeps the rows' dtype
    probs = _quick_softmax(rows)
    if probs is None:                   # a large array, or unusual logits
        probs = _softmax_rows(rows)[0]
    if where is not None:
        # A fully masked row came out as 0/0 = nan; it has no class left.
        probs = np.where(keep, probs, 0.0)
    return _back(probs, layout)


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
    rows, layout = _rows_of(logits, axis)                        # (N, C)
    log_probs = _quick_log_softmax(rows)
    if log_probs is None:
        log_probs = _log_softmax_rows(rows)
    return _back(log_probs, layout)


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
    rows, layout = _rows_of(logits, axis)                        # (N, C)
    lse = _quick_logsumexp(rows)                                 # (N,)
    if lse is None:
        lse = _logsumexp_rows(rows)
    return _back(lse[:, None], layout, keepdims=keepdims)


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
    rows, (out_dtype, _, shape) = _rows_of(logits, -1)           # (N, C)
    probs, found = _softmax_rows(rows)
    # Only the top class can have p within ulps of 1; its 1 - p is not_top.
    complement = 1 - probs
    complement[np.arange(len(rows)), found.top] = found.not_top()
    with np.errstate(under="ignore"):
        jac = -probs[:, :, None] * probs[:, None, :]           # (N, C, C)
        diag = np.arange(rows.shape[1])
        jac[:, diag, diag] = probs * complement
    # a nan row of probabilities gives nan products throughout
    return _finish(jac.reshape(shape + shape[-1:]), out_dtype)


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
    cross_entropy_grad, cross_entropy_and_grad, log_softmax,
    binary_cross_entropy_with_logits

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
    problem = _cross_entropy_problem(logits, target, reduction,
                                     label_smoothing)
    # The loss needs only per-row sums: no softmax is formed.
    return _reduced_loss(problem, _sample_losses(problem))


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
    cross_entropy, cross_entropy_and_grad, softmax_jacobian,
    numerical_gradient

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
    problem = _cross_entropy_problem(logits, target, reduction,
                                     label_smoothing)
    return _shaped_grad(problem, _gradient(problem)[0])


def cross_entropy_and_grad(logits, target, *, reduction="mean",
                           label_smoothing=0.0):
    r"""The loss and its gradient together, from one softmax pass.

    Returns exactly what ``cross_entropy(...)`` and
    ``cross_entropy_grad(...)`` return for the same arguments, bit for bit,
    in about the time of the gradient alone: the inputs are checked once
    and the exponentials computed once.  This is what a training step
    needs (TensorFlow's ``softmax_cross_entropy_with_logits`` likewise
    returns the loss and its backprop together).

    Parameters
    ----------
    logits, target, reduction, label_smoothing
        As for :func:`cross_entropy`.

    Returns
    -------
    loss : numpy scalar or ndarray
        As returned by :func:`cross_entropy`.
    grad : ndarray
        As returned by :func:`cross_entropy_grad`: same shape and float
        dtype as `logits`; for ``'sum'`` and ``'none'`` the gradient of
        the *sum* of the per-sample losses.

    Raises
    ------
    TypeError, ValueError
        As for :func:`cross_entropy`, with the same messages.

    See Also
    --------
    cross_entropy, cross_entropy_grad

    Notes
    -----
    The gradient :math:`p - w` needs the softmax :math:`p`, and the loss
    needs, per row, the maximum :math:`m` and
    :math:`\log \sum_j e^{z_j - m}`.  Both come from the same
    exponentials :math:`e^{z_j - c}`, so they are computed once, one block
    of rows at a time.  The loss then adds :math:`O(N)` work for class
    indices, and a few elementwise passes over the target for
    probabilities (as in :func:`cross_entropy`).

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import cross_entropy_and_grad
    >>> loss, grad = cross_entropy_and_grad([[0.0, 0.0], [0.0, 0.0]], [1, 0])
    >>> print(f"{loss:.6f}")  # log 2
    0.693147
    >>> print(grad)
    [[ 0.25 -0.25]
     [-0.25  0.25]]

    The same numbers as the two separate calls:

    >>> from helpers.numerics import cross_entropy, cross_entropy_grad
    >>> logits, labels = [[2.0, 0.0, 0.0], [1.0, 3.0, -1.0]], [0, 2]
    >>> loss, grad = cross_entropy_and_grad(logits, labels)
    >>> bool(loss == cross_entropy(logits, labels))
    True
    >>> bool(np.all(grad == cross_entropy_grad(logits, labels)))
    True
    """
    problem = _cross_entropy_problem(logits, target, reduction,
                                     label_smoothing)
    grad, losses = _gradient(problem, with_losses=True)
    return _reduced_loss(problem, losses), _shaped_grad(problem, grad)


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
    t, out_dtype = as_working_float(x, "x")
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
    as_choice(reduction, "reduction", _REDUCTIONS)
    x, out_dtype = as_working_float(logits, "logits")
    y, _ = as_working_float(target, "target")
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
    return _finish(np.asarray(_reduce(loss, reduction)), out_dtype)


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
    eps = as_real(eps, "eps", positive=True)
    point = as_real_array(x, "x").astype(np.float64)  # a copy: x is untouched
    grad = np.empty_like(point)
    for index in np.ndindex(point.shape):
        step = np.zeros_like(point)
        step[index] = eps
        f_plus = _call_scalar(f, point + step)
        f_minus = _call_scalar(f, point - step)
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


# ==========================================================================
# Checking the arguments, and shaping the results
# ==========================================================================

def _rows_of(logits, axis):
    """``(rows, layout)``: the logits as contiguous (N, C) rows in their
    working dtype, with the class axis last, and what `_back` needs to
    return a result in the caller's shape and dtype."""
    z, out_dtype = as_working_float(logits, "logits")
    axis = as_class_axis(z, axis)
    if axis == 1 and z.ndim == 2:                # (N, C) already, usually
        return np.ascontiguousarray(z), (out_dtype, 1, z.shape)
    if axis != z.ndim - 1:
        z = np.moveaxis(z, axis, -1)
    moved_shape = z.shape
    return (np.ascontiguousarray(z.reshape(-1, moved_shape[-1])),
            (out_dtype, axis, moved_shape))


def _mask_rows(where, shape, layout):
    """`where` as (N, C) booleans laid out like the rows of `_rows_of`."""
    mask = np.asarray(where)
    if mask.dtype != np.bool_:
        raise TypeError("`where` must be a boolean array (True for the classes "
                        f"that take part); got dtype {mask.dtype}.")
    try:
        mask = np.broadcast_to(mask, shape)
    except ValueError:
        raise ValueError(f"`where` has shape {mask.shape}, which does not "
                         f"broadcast to the shape of `logits`, {tuple(shape)}."
                         ) from None
    _, axis, moved_shape = layout
    if axis != mask.ndim - 1:
        mask = np.moveaxis(mask, axis, -1)
    return mask.reshape(-1, moved_shape[-1])


def _back(values, layout, *, keepdims=True):
    """Undo `_rows_of` on (N, C) `values`, or on (N, 1) values of a
    reduction, whose class axis is dropped unless `keepdims`."""
    out_dtype, axis, moved_shape = layout
    if values.ndim != len(moved_shape):
        values = values.reshape(moved_shape[:-1] + values.shape[-1:])
    if not keepdims:
        values = values[..., 0]
    elif axis != values.ndim - 1:
        values = np.moveaxis(values, -1, axis)
    return _finish(values, out_dtype)


def _finish(values, out_dtype):
    """Cast back to the caller's dtype; a 0-d result becomes a NumPy scalar."""
    if values.dtype != out_dtype:
        # float16 results beyond 65504 round to inf, which is the honest answer.
        with np.errstate(over="ignore"):
            values = values.astype(out_dtype)
    return values[()] if values.ndim == 0 else values


def _probability_tolerance(dtype):
    """How far a row of probability targets may sum from 1."""
    return float(np.sqrt(np.finfo(dtype).eps))


_UNSIGNED = {size: np.dtype(f"u{size}") for size in (1, 2, 4, 8)}


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
    # Seen as unsigned, a negative index is huge: one test checks both ends.
    unsigned = labels.reshape(-1).view(_UNSIGNED[labels.dtype.itemsize])
    if unsigned.size and _largest(unsigned) >= num_classes:
        outside = (labels < 0) | (labels >= num_classes)
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


class _Problem(NamedTuple):
    """A validated cross-entropy call (see `_cross_entropy_problem`)."""

    z: np.ndarray            # (N, C) contiguous rows, float64 or float32
    out_dtype: np.dtype      # the dtype of the results
    labels: np.ndarray       # (N,) class indices, or None
    weights: np.ndarray      # (N, C) smoothed target, or None
    reduction: str
    shape: tuple             # the shape of `logits`: (N, C) or (C,)
    quick: bool              # take the quick route (`_quick_labels_fit`)


def _cross_entropy_problem(logits, target, reduction, label_smoothing):
    """Check every argument of the cross-entropy functions, in one order,
    so that all three raise the same error for the same bad input.

    `z` holds (N, C) contiguous rows.  Class indices without smoothing come
    back as ``labels`` of shape (N,), with ``weights`` None; anything else
    as ``weights`` of shape (N, C), the label-smoothed target distribution
    (every row non-negative, summing to one), with ``labels`` None.
    """
    as_choice(reduction, "reduction", _REDUCTIONS)
    eps = as_real(label_smoothing, "label_smoothing", at_most=1)
    z, out_dtype = as_working_float(logits, "logits")
    if z.ndim not in (1, 2):
        raise ValueError(
            "`logits` must have shape (N, C) or (C,), with classes on the "
            f"last axis; got {z.ndim} dimension(s), shape {z.shape}."
        )
    as_class_axis(z, -1)
    num_classes = z.shape[-1]
    rows = np.ascontiguousarray(z.reshape(-1, num_classes))      # (N, C)
    target = np.asarray(target)
    labels = weights = None
    if target.dtype.kind in "iu":
        _check_labels(target, z.shape)
        labels = target.reshape(-1)                               # (N,)
        if eps != 0:
            weights = np.full(rows.shape, eps / num_classes, dtype=z.dtype)
            weights[np.arange(labels.size), labels] += 1 - eps
            labels = None
    elif target.dtype.kind == "f":
        _check_probabilities(target, z.shape)
        probs = target.astype(z.dtype).reshape(rows.shape)
        weights = (1 - eps) * probs + eps / num_classes
    else:
        raise TypeError(
            "`target` must be integer class indices or floating-point "
            f"class probabilities; got dtype {target.dtype}."
        )
    if reduction == "mean" and rows.shape[0] == 0:
        raise ValueError(
            "`logits` has no rows (N == 0), so the mean over the batch is "
            "undefined; use reduction='sum' or 'none'."
        )
    quick = labels is not None and _quick_labels_fit(rows)
    return _Problem(rows, out_dtype, labels, weights, reduction, z.shape,
                    quick)


def _reduced_loss(problem, losses):
    """The per-sample `losses` (N,), reduced and in the caller's dtype."""
    if problem.reduction == "none":
        loss = losses[0] if len(problem.shape) == 1 else losses
    elif problem.quick:          # finite losses of at most ~370: no overflow
        loss = np.add.reduce(losses, dtype=np.float64)
        if problem.reduction == "mean":
            loss = loss / len(losses)
    else:
        loss = _reduce(losses, problem.reduction)
    return _finish(np.asarray(loss), problem.out_dtype)


def _shaped_grad(problem, grad):
    """The (N, C) gradient in the shape and dtype of the logits."""
    return _finish(grad.reshape(problem.shape), problem.out_dtype)


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


# ==========================================================================
# The kernel, for (N, C) rows in float64 or float32
# ==========================================================================

class _Limits(NamedTuple):
    """Where ``exp`` overflows and underflows in one dtype, as arguments."""

    shift_free: float  # exp(z) for z up to here, times C and N, is finite
    subnormal: float   # below this exp(z) is subnormal and loses digits
    reach: float       # below -reach exp(z) is 0: such a class has weight 0

    @classmethod
    def of(cls, dtype):
        info = np.finfo(dtype)
        return cls(float(np.log(info.max) / 2), float(np.log(info.tiny)),
                   float(1 - np.log(info.smallest_subnormal)))


_LIMITS = {np.dtype(t): _Limits.of(t) for t in (np.float32, np.float64)}

# A block of 512 KiB (2**16 float64 entries) stays in the processor's cache
# while the few passes of the algorithm run over it.
_BLOCK_BYTES = 1 << 19


# --------------------------------------------------------------------------
# The quick route: small arrays of ordinary logits
# --------------------------------------------------------------------------
#
# On an array of a few hundred entries each NumPy call costs about a
# microsecond, whatever it computes, so the time is the number of calls.
# The route below makes about as many as a plain max-shift softmax, and
# skips the shift: it takes only logits that need none, where exp(z)
# cannot overflow, even summed, and loses no digit that matters to
# underflow (the block route's shift 0, see `_shifts`).  Where a result
# hinges on a likely class, one class's weight is kept out of each row's
# sum, as in the block route, so that log1p sees what the others add even
# below an ulp of 1: the top class for log_softmax and logsumexp, the label
# for the loss and its gradient.  Each function returns None (or False)
# when its rows need the block route.

# An array no larger than one block of the block route has nothing to gain
# from blocking, and is quicker by the quick route (bench/speed.py times
# both).  Beyond, the block route wins by keeping each block in the cache.
_QUICK_BYTES = _BLOCK_BYTES


# The quick route calls the ufuncs' own reductions: ``x.max()`` goes through
# a Python wrapper first, a tenth of a microsecond that counts here.
_max, _min, _sum = np.maximum.reduce, np.minimum.reduce, np.add.reduce


# A reduction costs a microsecond even over one value; one value is read.
def _smallest(values):
    """The least entry of a 1-D array."""
    return float(values[0]) if len(values) == 1 else _min(values)


def _largest(values):
    """The greatest entry of a 1-D array."""
    return float(values[0]) if len(values) == 1 else _max(values)


def _flat_index(rows, columns):
    """The index in ``rows.reshape(-1)`` of entry ``columns[i]`` of row i."""
    if len(rows) == 1:                 # one row: the column is the index
        return columns
    return _row_starts(*rows.shape) + columns


@functools.lru_cache(maxsize=32)
def _row_starts(num_rows, num_classes):
    """The flat index of the first entry of each row, (N,), read-only.

    Kept, since the same shapes come back call after call, and making it
    costs a third of a microsecond, a tenth of a small softmax."""
    starts = np.arange(0, num_rows * num_classes, num_classes)
    starts.flags.writeable = False
    return starts


def _quick_softmax(rows):
    """``exp(z) / sum(exp(z))``, or None.

    Without a shift, a weight that underflows to a subnormal has lost
    digits; it does no harm in a row whose sum is at least 1 (its
    probability is then smaller still, as exact as a subnormal can be),
    and there is none when every logit is above `subnormal`.
    """
    limits = _LIMITS[rows.dtype]
    if not (0 < rows.size and rows.nbytes <= _QUICK_BYTES
            and _max(rows, None) <= limits.shift_free):
        return None                            # also for a nan or a +inf
    weights = np.exp(rows)                                       # (N, C)
    totals = _sum(weights, axis=1, keepdims=True)                # (N, 1)
    if not (_smallest(totals[:, 0]) >= 1
            or _min(rows, None) >= limits.subnormal):
        return None
    return np.divide(weights, totals, out=weights)


def _quick_top(rows):
    """``(weights, row_max, log_total)`` with each row's top class out, or
    None.

    `weights` is ``exp(z)`` with the top class of each row set to 0, and
    ``log_total = log(sum_j exp(z_j - m))`` is ``log1p`` of what the other
    classes add to the top one.  `row_max` and `log_total` have shape
    (N, 1), to broadcast along the rows; for a single row they are Python
    floats, which costs less than a NumPy call on one value.  The test on
    the row maxima is the block route's test for the shift 0.
    """
    if not (0 < rows.size and rows.nbytes <= _QUICK_BYTES):
        return None
    limits = _LIMITS[rows.dtype]
    if len(rows) == 1:
        top = int(rows.argmax())
        row_max = float(rows[0, top])          # a nan counts as the maximum
        if not (row_max <= limits.shift_free
                and (row_max >= 0 or _min(rows, None) >= limits.subnormal)):
            return None                        # also for a nan or a +inf
        weights = np.exp(rows)                                   # (1, C)
        top_weight = float(weights[0, top])
        weights[0, top] = 0
        return (weights, row_max,
                math.log1p(float(_sum(weights, None)) / top_weight))
    at_top = _row_starts(*rows.shape) + rows.argmax(axis=1)      # (N,)
    row_max = rows.reshape(-1)[at_top]
    if not (_max(row_max) <= limits.shift_free
            and (_min(row_max) >= 0 or _min(rows, None) >= limits.subnormal)):
        return None
    weights = np.exp(rows)                                       # (N, C)
    flat = weights.reshape(-1)
    top_weight = flat[at_top]
    flat[at_top] = 0
    log_total = np.log1p(_sum(weights, axis=1) / top_weight)
    return weights, row_max[:, None], log_total[:, None]


def _quick_log_softmax(rows):
    """``(z - m) - log_total``, in two subtractions (see `_log_softmax_block`),
    or None."""
    found = _quick_top(rows)
    if found is None:
        return None
    weights, row_max, log_total = found
    log_probs = np.subtract(rows, row_max, out=weights)
    log_probs -= log_total
    return log_probs


def _quick_logsumexp(rows):
    """``m + log_total`` per row, (N,), or None."""
    found = _quick_top(rows)
    return None if found is None else np.reshape(found[1] + found[2], -1)


def _quick_labels_fit(rows):
    """Whether the cross-entropy of (N, C) `rows` against class indices can
    take the quick route: every logit in ``[subnormal, shift_free]``, and
    no row spanning more than ``shift_free``, so that ``exp(z_y)`` is a
    normal number and ``others / exp(z_y)`` is finite for any label y."""
    if not (0 < rows.size and rows.nbytes <= _QUICK_BYTES):
        return False
    limits = _LIMITS[rows.dtype]
    lowest, highest = _min(rows, None), _max(rows, None)
    return bool(lowest >= limits.subnormal and highest <= limits.shift_free
                and highest - lowest <= limits.shift_free)


def _quick_label_weights(rows, labels):
    """``(weights, at_label, label_weight, others)``, the label class out.

    With the weight of the label y kept out of the row sum ``others``, the
    loss ``-log p_y = log1p(others / w_y)`` and the gradient's
    ``p_y - 1 = -others / total`` are both free of cancellation, for any
    label, whether or not it is the top class.
    """
    at_label = _flat_index(rows, labels)                         # (N,)
    weights = np.exp(rows)                                       # (N, C)
    flat = weights.reshape(-1)
    label_weight = flat[at_label]
    flat[at_label] = 0
    return weights, at_label, label_weight, _sum(weights, axis=1)


def _quick_grad(rows, labels, reduction, with_losses):
    """``(softmax(z) - onehot(labels)) / scale``, and the losses if asked."""
    weights, at_label, label_weight, others = _quick_label_weights(rows, labels)
    total = others + label_weight
    if reduction == "mean":
        total *= len(rows)
    grad = np.divide(weights, total[:, None], out=weights)       # (N, C)
    grad.reshape(-1)[at_label] = -others / total
    losses = np.log1p(others / label_weight) if with_losses else None
    return grad, losses


# --------------------------------------------------------------------------
# The cross-entropy, by either route
# --------------------------------------------------------------------------

def _sample_losses(problem):
    """The loss of each row, (N,), by the route `problem.quick` chose."""
    if problem.quick:
        _, _, label_weight, others = _quick_label_weights(problem.z,
                                                          problem.labels)
        return np.log1p(others / label_weight)
    return _block_losses(problem, _exp_rows(problem.z))


def _gradient(problem, with_losses=False):
    """The (N, C) gradient and, if asked, the losses, from one exp pass."""
    if problem.quick:
        return _quick_grad(problem.z, problem.labels, problem.reduction,
                           with_losses)
    if problem.labels is not None:
        grad, found = _index_target_grad(problem.z, problem.labels,
                                         problem.reduction)
    else:
        grad, found = _weighted_target_grad(problem.z, problem.weights,
                                            problem.reduction)
    return grad, _block_losses(problem, found) if with_losses else None


# --------------------------------------------------------------------------
# The block route: any logits, one cache-sized block of rows at a time
# --------------------------------------------------------------------------
#
# The functions below work through the (N, C) rows one block at a time
# (`_BLOCK_BYTES`), so that the logits are read from memory once, not once
# per pass.  Every pass is a NumPy ufunc writing into a buffer given with
# ``out=``, so nothing is allocated inside the loop.  The passes run in the
# logits' own dtype (float64 or float32); only per-row values, such as the
# sum of a row's weights, are kept in float64.


def _block_rows(rows):
    """How many of `rows` fit in _BLOCK_BYTES (one at least)."""
    return max(1, _BLOCK_BYTES // rows[:1].nbytes) if rows.size else 1


def _blocks(rows):
    """Slices of `rows`, one block each."""
    step = _block_rows(rows)
    return [slice(i, min(i + step, len(rows)))
            for i in range(0, len(rows), step)]


@contextlib.contextmanager
def _row_loops(rows):
    """Quiet the expected floating-point events, and let NumPy broadcast a
    per-row value (shape (B, 1)) along short rows without buffering.

    NumPy copies operands through a buffer (8192 entries) when an inner
    loop is shorter than the buffer and cannot be merged with the next one,
    as with ``z - m[:, None]`` on rows of fewer than 8192 classes; that
    makes such a pass 3 to 4 times slower.  A buffer no longer than a row
    avoids it.  ``exp`` underflows by design, and ``z - c`` overflows to
    -inf only for logits near 1e308, where -inf is the correct rounding.
    """
    size = rows.shape[1] // 16 * 16          # NumPy wants a multiple of 16
    old = np.setbufsize(size) if 16 <= size < np.getbufsize() else None
    try:
        with np.errstate(over="ignore", under="ignore"):
            yield
    finally:
        if old is not None:
            np.setbufsize(old)


def _scratch(rows):
    """A work buffer for the largest block of `rows`, in their dtype."""
    return np.empty((min(_block_rows(rows), len(rows)), rows.shape[1]),
                    dtype=rows.dtype)


class _Block(NamedTuple):
    """What `_exp_block` finds in each row of a block, all of shape (B,)."""

    top: np.ndarray         # index k of one maximal logit
    flat_top: np.ndarray    # its index in the flattened block
    row_max: np.ndarray     # its value m (0 in unusable rows), in z's dtype
    top_weight: np.ndarray  # exp(m - c), the weight of class k, float64
    others: np.ndarray      # the sum of every other class's weight, float64
    bad: np.ndarray         # rows with no finite maximum: results are nan

    def log_total(self):
        """``log(sum_j exp(z_j - m))``, as ``log1p`` of the small part."""
        return np.log1p(self.others / self.top_weight)

    def total(self, scale=1.0):
        """``scale * sum_j exp(z_j - c)``: what divides the weights."""
        return (self.top_weight + self.others) * scale

    def not_top(self, scale=1.0):
        """``(1 - p_k) / scale`` without cancellation; nan in `bad` rows."""
        return np.where(self.bad, np.nan, self.others / self.total(scale))


def _exp_block(z, w):
    """Fill `w` with the weights ``exp(z - c)`` of a block, 0 at the top.

    `z` and `w` are (B, C), both float64 or both float32.  Each row gets its
    own shift c (see `_shifts`), most often 0.  The top class's weight is
    left out of the row sum and reported apart, so that ``log1p`` can
    resolve what the other classes add even when it is below an ulp of 1.
    """
    top = np.argmax(z, axis=1)                 # a nan counts as the maximum
    flat_top = np.arange(0, z.size, z.shape[1]) + top
    row_max = z.reshape(-1)[flat_top]          # flat indexing is quicker
    limits = _LIMITS[z.dtype]
    if row_max.max() <= limits.shift_free and (
            row_max.min() >= 0 or z.min() >= limits.subnormal):
        np.exp(z, out=w)                       # the common case: c = 0
        shift, bad = 0.0, np.zeros(len(z), dtype=bool)
    else:
        shift, bad = _shifted_exp(z, row_max, w, limits)
    w.reshape(-1)[flat_top] = 0
    top_weight = np.exp(row_max.astype(np.float64) - shift)
    others = np.sum(w, axis=1).astype(np.float64)
    return _Block(top, flat_top, row_max, top_weight, others, bad)


def _shifted_exp(z, row_max, w, limits):
    """`_exp_block`'s general case: unusable rows, and shifts other than 0.

    Returns the shifts (B,) and the unusable rows; `row_max` is set to 0
    in those, and their weights are computed from zeros.
    """
    bad = ~np.isfinite(row_max)                # a nan or +inf, or all -inf
    if bad.any():                              # zeros keep the arithmetic quiet
        z = np.where(bad[:, None], 0, z)
        row_max[bad] = 0
    shift, compensate = _shifts(z, row_max, limits)
    np.subtract(z, shift[:, None], out=w)
    if compensate.any():
        _compensated_exp(z, shift, w)
    else:
        np.exp(w, out=w)
    return shift, bad


def _shifts(z, row_max, limits):
    """Choose the shift c of each row, and say which rows need compensating.

    ``exp(z - c)`` is only as accurate as ``z - c``: in float64, one
    rounding of z - c = -700 moves the exponential by up to 256 ulp.  Two
    shifts make the subtraction exact.  c = 0, when ``exp(z)`` can neither
    overflow (even summed over a row and multiplied by a batch size) nor
    lose to underflow digits that matter.  And c = m, when every logit whose
    weight is not 0 (those within `reach` of m: 745 in float64) lies within
    a factor of two of m, where Sterbenz's lemma makes z - m exact.  Other
    rows use c = m and carry the rounding error (`_compensated_exp`).
    """
    m = row_max
    zero = (m >= 0) & (m <= limits.shift_free)
    exact = (m >= 2 * limits.reach) | (m <= -limits.reach)
    unsure = ~(zero | exact)
    if unsure.any():
        low, m_unsure = np.min(z[unsure], axis=1), m[unsure]
        zero[unsure] = (m_unsure < 0) & (low >= limits.subnormal)
        exact[unsure] = np.where(m_unsure > 0, low >= m_unsure / 2,
                                 low >= 2 * m_unsure)
    return np.where(zero, 0, m).astype(z.dtype), ~(zero | exact)


def _compensated_exp(z, shift, w):
    """Turn ``w = fl(z - c)`` into ``exp(z - c)``, carrying the rounding error.

    Knuth's TwoSum recovers the error e of the subtraction exactly from five
    more operations; then ``exp(z - c) = exp(w) * exp(e)``, and since
    ``|e| <= eps/2 |z - c|`` is tiny, ``exp(e) = 1 + e`` to full precision.
    """
    c = shift[:, None]
    with np.errstate(invalid="ignore"):   # -inf logits: inf - inf below
        c_virtual = w - z                 # -c, up to the rounding
        err = w - c_virtual               # z, up to the rounding
        np.subtract(z, err, out=err)
        c_virtual += c
        err -= c_virtual                  # now (z - c) - w, exactly
    np.exp(w, out=w)
    # A -inf logit, or z - c overflowing to -inf, has weight 0 and err nan;
    # fmax turns that nan into -1, and 0 * (1 - 1) is still 0.
    np.fmax(err, -1, out=err)
    err *= w
    w += err


def _exp_rows(rows, out=None, finish=None):
    """Run `_exp_block` over `rows` one block at a time; return what it
    found in every row, as one `_Block` of shape (N,) arrays.

    The weights go into `out` (N, C), or into a scratch buffer when only the
    per-row results are wanted.  ``finish(z, w, found)`` turns each block's
    weights `w` into the caller's result while they are still in the cache.
    In the returned `_Block`, `flat_top` counts from the start of each block.
    """
    scratch = _scratch(rows) if out is None else None
    found = []
    with _row_loops(rows):
        for block in _blocks(rows):
            z = rows[block]
            w = scratch[:len(z)] if out is None else out[block]
            found.append(_exp_block(z, w))
            if finish is not None:
                finish(z, w, found[-1])
    if not found:
        index, empty = np.zeros(0, np.intp), np.zeros(0)
        return _Block(index, index, empty.astype(rows.dtype), empty, empty,
                      np.zeros(0, bool))
    return _Block(*(np.concatenate(parts) for parts in zip(*found)))


def _softmax_rows(rows, scale=1.0):
    """Return ``softmax(rows) / scale`` and the `_Block` of its exp pass.

    `rows` is float64 or float32, and the probabilities keep its dtype.
    The `_Block` gives each row's top class k and, through
    ``_Block.not_top(scale)``, ``(1 - p_k) / scale`` without cancellation;
    a loss can be formed from it without a second exp pass.
    """
    probs = np.empty(rows.shape, dtype=rows.dtype)                # (N, C)
    found = _exp_rows(rows, probs, lambda z, w, b: _normalise(w, b, scale))
    return probs, found


def _normalise(w, b, scale):
    """Turn a block's weights `w` into ``softmax / scale``, in place.

    Each row is multiplied by ``1 / (scale * total)``: one more rounding
    than a division, and several times faster.
    """
    total = b.total(scale)
    np.multiply(w, (1 / total).astype(w.dtype)[:, None], out=w)
    w.reshape(-1)[b.flat_top] = b.top_weight / total
    if b.bad.any():
        w[b.bad] = np.nan


def _log_softmax_rows(rows):
    """``log_softmax(rows)`` as ``(z - m) - log1p(others / top_weight)``."""
    log_probs = np.empty(rows.shape, dtype=rows.dtype)            # (N, C)
    _exp_rows(rows, log_probs, _log_softmax_block)
    return log_probs


def _log_softmax_block(z, out, b):
    """Overwrite a block's weights `out` with its log-probabilities."""
    # Two subtractions: z - (m + log_total) would round m + log_total
    # and lose the small log-probability of a dominant class.
    np.subtract(z, b.row_max[:, None], out=out)
    out -= b.log_total().astype(out.dtype)[:, None]
    if b.bad.any():
        out[b.bad] = np.nan



def _logsumexp_rows(rows):
    """``m + log_total`` per row, nan in unusable rows."""
    stats = _exp_rows(rows)
    return np.where(stats.bad, np.nan, stats.row_max + stats.log_total())


def _index_target_grad(z, labels, reduction):
    """``(softmax(z) - onehot(labels)) / scale``: one pass, then N fix-ups.

    Also returns the `_Block` of that pass, from which `_loss` forms the
    loss; likewise `_weighted_target_grad`.
    """
    scale = len(z) if reduction == "mean" else 1
    grad, found = _softmax_rows(z, scale)                         # (N, C)
    flat = grad.reshape(-1)
    at_label = np.arange(0, z.size, z.shape[1]) + labels
    flat[at_label] -= 1 / scale        # p_y <= 1/2 unless y is the top class
    hit = np.nonzero(labels == found.top)[0]  # there, p_y - 1 = -(1 - p_y)
    flat[at_label[hit]] = -found.not_top(scale)[hit]
    return grad, found


def _weighted_target_grad(z, weights, reduction):
    """``softmax(z) - weights``, accurate where the top p is near 1."""
    grad, found = _softmax_rows(z)                                # (N, C)
    top, not_top = found.top, found.not_top()
    grad -= weights
    index = np.nonzero(not_top <= 0.5)[0]        # rows where p_top >= 1/2
    top_weight = weights[index, top[index]]
    grad[index, top[index]] = (1 - top_weight) - not_top[index]
    if reduction == "mean":
        grad /= len(z)
    return grad, found


def _block_losses(problem, found):
    """The loss of each row, (N,), from the rows' `_Block` (`_exp_rows`)."""
    z, labels = problem.z, problem.labels
    # inf - inf, hence "invalid", happens only in the `bad` rows (a row
    # with +inf and -inf logits), whose loss is nan whatever the sum.
    with np.errstate(over="ignore", invalid="ignore"):
        if labels is not None:  # -log p_y = (m - z_y) + log sum_j e^(z_j - m)
            picked = z[np.arange(len(z)), labels]
            gaps = found.row_max.astype(np.float64) - picked         # (N,)
        else:
            gaps = np.sum(_weighted_gaps(problem.weights, z, found.row_max),
                          axis=-1)
        loss = gaps + found.log_total()                           # (N,)
    return np.where(found.bad, np.nan, loss)


def _weighted_gaps(weights, z, row_max):
    """Return ``weights * (row_max - z)`` with no spurious overflow or nan.

    ``row_max - z`` is ``-log p`` up to a per-row constant.  It overflows
    for logits like [1e308, -1e308] even when the weighted value is finite,
    so there we use ``w*m - w*z`` instead.  A zero weight contributes 0,
    even for a masked ``-inf`` logit (where ``0 * inf`` would be nan).
    """
    row_max = row_max[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = row_max - z
        overflowed = np.isinf(gaps) & np.isfinite(z)
        gaps = np.where(overflowed, weights * row_max - weights * z,
                        weights * gaps)
    return np.where(weights == 0, 0, gaps)

