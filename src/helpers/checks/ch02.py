"""Exercise checks for chapter 2, "Numerical stability".

Each check takes the learner's function or number explicitly and returns a
:class:`~helpers.checks.Feedback`.  The test inputs are chosen so that the
usual mistakes fail loudly: huge logits for a missing max subtraction, a
batch whose rows live at very different scales for a global maximum,
non-square and square batches for a wrong axis or a missing ``keepdims``,
and float32 logits for overflow that float64 would hide.  Known mistakes
are recognised and answered with a specific hint.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from helpers.checks._core import NOT_ATTEMPTED, Feedback, check_function, check_value
from helpers.numerics import log_softmax, logsumexp, softmax

__all__ = [
    "check_stable_softmax",
    "check_logsumexp",
    "check_overflow_threshold",
    "check_float32_loss",
]

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_FLOAT64_MAX = float(np.finfo(np.float64).max)
_FLOAT16_MAX = float(np.finfo(np.float16).max)

# --------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------

def _not_attempted(value: Any) -> bool:
    return value is None or value is NOT_ATTEMPTED or value is Ellipsis


_KEEPDIMS_HINT = ("Reduce with keepdims=True (e.g. logits.max(axis=-1, keepdims=True)) "
                  "so that the (N, 1) result broadcasts across each row of the (N, C) batch.")


def _returns_nothing(func: Callable[..., Any], case: tuple) -> Feedback | None:
    """A Feedback if `func` runs but returns None (a forgotten `return`)."""
    try:
        with np.errstate(all="ignore"):
            out = func(*[np.array(a, copy=True) for a in case])
    except Exception:  # check_function reports exceptions itself
        return None
    if out is None:
        return Feedback("wrong type", "your function returned None instead of an array.",
                        "Add a `return` statement at the end of the function.")
    return None


def _run_function_check(func, reference, case_groups, hints, what):
    """check_function over groups of (cases, rtol), with friendlier failures."""
    if _not_attempted(func) or not callable(func):
        return check_function(func, reference, [], what=what)
    first = case_groups[0][0][0]
    nothing = _returns_nothing(func, first)
    if nothing is not None:
        return nothing
    for cases, rtol in case_groups:
        feedback = check_function(func, reference, cases, rtol=rtol, atol=1e-300,
                                  hints=hints, what=what)
        if feedback.status == "wrong value" and "broadcast" in feedback.message:
            return Feedback(feedback.status, feedback.message, _KEEPDIMS_HINT)
        if not feedback:
            return feedback
    tolerances = ", ".join(f"rtol={rtol:g} for {_dtype_name(cases)}"
                           for cases, rtol in case_groups)
    return Feedback("correct", f"{what} agrees with the reference on every test input "
                    f"({tolerances}; atol=1e-300).")


def _dtype_name(cases):
    return "/".join(sorted({str(np.asarray(case[0]).dtype) for case in cases}))


def _as_scalar_answer(answer: Any, what: str) -> Feedback | float:
    """The answer as a float, or a Feedback saying why it is not one."""
    if _not_attempted(answer):
        return Feedback("not attempted", f"{what} is still empty.",
                        "Replace the placeholder with your number and run the cell.")
    if isinstance(answer, (bool, np.bool_)) or callable(answer):
        return Feedback("wrong type", f"{what} should be a number, got {type(answer).__name__}.",
                        "Store a single float, e.g. a result of np.log(...).")
    arr = np.asarray(answer) if isinstance(answer, (numbers.Real, np.ndarray, list, tuple)) \
        else None
    if arr is None or arr.dtype.kind not in "iuf":
        return Feedback("wrong type", f"{what} should be a real number, got "
                        f"{type(answer).__name__}.", "Store a single float.")
    if arr.shape != ():
        return Feedback("wrong shape", f"{what} has shape {arr.shape}; a single number "
                        "was expected.", "Pick the one entry you need, e.g. with [1] "
                        "or float(...).")
    return float(arr)


def _known_mistake(value: float, mistakes: list[tuple[float, str]], rtol: float) -> str:
    for wrong, hint in mistakes:
        if np.isinf(wrong) and value == wrong:
            return hint
        if np.isfinite(wrong) and np.isfinite(value) and np.isclose(value, wrong, rtol=rtol,
                                                                     atol=0.0):
            return hint
    return ""


# --------------------------------------------------------------------------
# Exercise: a stable, batched softmax
# --------------------------------------------------------------------------

def _softmax_reference(logits):
    return softmax(logits, axis=-1)


def _shift_and_normalise(shift, logits, sum_axis=-1, keepdims=True):
    """exp(logits - shift) normalised along `sum_axis`: the mistakes below."""
    weights = np.exp(logits - shift)
    return weights / np.sum(weights, axis=sum_axis, keepdims=keepdims)


# Order matters where two mistakes fail alike on a case: the mean is listed
# before the minimum because it fails on fewer cases (never on [400, -400, 0]).
_SOFTMAX_MISTAKES = [
    (lambda z: _shift_and_normalise(0.0, z),
     "exp overflowed to inf (or every exp underflowed to 0): subtract each row's "
     "maximum from the logits before calling np.exp."),
    (lambda z: _shift_and_normalise(np.max(z), z),
     "np.max(logits) is the maximum of the whole batch. A row far below it "
     "underflows to 0/0: subtract each row's own maximum (axis=-1, keepdims=True)."),
    (lambda z: _shift_and_normalise(np.mean(z, axis=-1, keepdims=True), z),
     "Subtracting the mean leaves positive exponents, which overflow when a "
     "row spans a wide range. Subtract the maximum, so every exponent is <= 0."),
    (lambda z: _shift_and_normalise(np.min(z, axis=-1, keepdims=True), z),
     "Subtracting the minimum leaves positive exponents, which overflow when a "
     "row spans a wide range. Subtract the maximum, so every exponent is <= 0."),
    (lambda z: _shift_and_normalise(np.max(z, axis=0, keepdims=True), z, sum_axis=0),
     "The classes run along the last axis: reduce with axis=-1, not axis=0."),
    (lambda z: _shift_and_normalise(np.max(z, axis=-1, keepdims=True), z, sum_axis=None),
     "Each row must sum to 1 on its own: sum along axis=-1, not over the whole batch."),
    (lambda z: _shift_and_normalise(np.max(z, axis=-1, keepdims=True), z, keepdims=False),
     _KEEPDIMS_HINT),
    (lambda z: _shift_and_normalise(np.max(z, axis=-1), z), _KEEPDIMS_HINT),
]

_SOFTMAX_CASES_64 = [
    (np.array([2.0, 1.0, 0.0]),),                                    # (C,)
    (np.array([[0.5, -1.0, 2.0, 0.0],
               [1.5, 0.3, -0.7, 2.2],
               [-2.0, 0.1, 0.4, -0.3]]),),                           # (3, 4): wrong axis
    (np.array([[0.2, 1.0, -0.5, 0.9],
               [2.0, -1.2, 0.3, 0.0],
               [-0.4, 0.8, 1.7, -2.1],
               [1.1, 0.6, -0.9, 0.4]]),),                            # (4, 4): keepdims
    (np.array([[1000.0, 999.0, 998.0],
               [-1000.0, -1001.0, -1002.0]]),),                      # overflow, 0/0
    (np.array([[1000.0, 999.0, 998.0],
               [-5.0, -6.0, -7.0]]),),                               # global max
    (np.array([[400.0, -400.0, 0.0],
               [3.0, 1.0, 2.0]]),),                                  # minimum
    (np.array([[800.0, 0.0, -800.0],
               [1000.0, 999.0, 998.0]]),),                           # mean
]

# float32 overflows at 88.7: the naive formula fails here even at z = 100.
_SOFTMAX_CASES_32 = [
    (np.array([[100.0, 99.0, 98.0], [-1.0, 0.0, 1.0]], dtype=np.float32),),
]


def check_stable_softmax(func: Any) -> Feedback:
    """Check a learner's ``stable_softmax(logits)`` over the last axis.

    Parameters
    ----------
    func : callable
        ``func(logits) -> probs`` for logits of shape (C,) or (N, C).

    Returns
    -------
    Feedback
        "correct" if `func` matches :func:`helpers.numerics.softmax` on every
        test input (float64 to ``rtol=1e-9``, float32 to ``rtol=1e-5``, with
        ``atol=1e-300`` so that tiny probabilities count); otherwise the
        first failure, with a hint for a recognised mistake (no max
        subtraction, the batch-wide max, the min or the mean instead of the
        max, a wrong axis, a missing ``keepdims``).

    Examples
    --------
    >>> import numpy as np
    >>> def stable_softmax(logits):
    ...     shifted = logits - np.max(logits, axis=-1, keepdims=True)
    ...     weights = np.exp(shifted)
    ...     return weights / np.sum(weights, axis=-1, keepdims=True)
    >>> check_stable_softmax(stable_softmax).status
    'correct'
    >>> def naive(logits):
    ...     return np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    >>> print(check_stable_softmax(naive).hint)
    exp overflowed to inf (or every exp underflowed to 0): subtract each row's maximum from the logits before calling np.exp.
    """
    return _run_function_check(
        func, _softmax_reference,
        [(_SOFTMAX_CASES_64, 1e-9), (_SOFTMAX_CASES_32, 1e-5)],
        _SOFTMAX_MISTAKES, "stable_softmax")


# --------------------------------------------------------------------------
# Exercise: log-sum-exp
# --------------------------------------------------------------------------

def _logsumexp_reference(logits):
    return logsumexp(logits, axis=-1)


def _lse_with(shift, logits, *, log=np.log, add_back=True, axis=-1, keepdims=False):
    """log(sum(exp(logits - shift))) (+ shift): the mistakes below."""
    total = np.sum(np.exp(logits - shift), axis=axis, keepdims=True)
    out = log(total) + (shift if add_back else 0.0)
    return out if keepdims else np.squeeze(out, axis=axis)


def _row_max(z):
    return np.max(z, axis=-1, keepdims=True)


_LOGSUMEXP_MISTAKES = [
    (lambda z: _lse_with(0.0, z),
     "exp overflowed to inf (or every exp underflowed to 0, whose log is -inf): "
     "subtract each row's maximum m first, and add it back at the end."),
    (lambda z: _lse_with(_row_max(z), z, add_back=False),
     "You subtracted the maximum m but forgot to add it back: "
     "LSE(z) = m + log(sum(exp(z - m)))."),
    (lambda z: _lse_with(_row_max(z), z, log=np.log10),
     "Use the natural logarithm, np.log, not np.log10."),
    (lambda z: _lse_with(np.max(z), z),
     "np.max(logits) is the maximum of the whole batch. A row far below it "
     "gives log(0) = -inf: use each row's own maximum (axis=-1, keepdims=True)."),
    (lambda z: _lse_with(np.max(z, axis=0, keepdims=True), z, axis=0),
     "The classes run along the last axis: reduce with axis=-1, not axis=0."),
    (lambda z: _lse_with(_row_max(z), z, keepdims=True),
     "Return one value per row: shape (N,) for (N, C) logits, not (N, 1). "
     "Keep keepdims=True for the max you subtract, but drop it from the result."),
]

_LOGSUMEXP_CASES = [
    (np.array([1.0, 2.0, 3.0]),),                                    # (C,) -> scalar
    (np.array([[0.5, -1.0, 2.0, 0.0],
               [1.5, 0.3, -0.7, 2.2],
               [-2.0, 0.1, 0.4, -0.3]]),),                           # (3, 4): wrong axis
    (np.array([[1000.0, 999.0, 998.0],
               [-1000.0, -1001.0, -1002.0]]),),                      # overflow, log 0
    (np.array([[1e6, 1e6 + 1.0, 1e6 - 1.0],
               [2.0, 1.0, 0.0]]),),                                  # global max
]


def check_logsumexp(func: Any) -> Feedback:
    """Check a learner's ``my_logsumexp(logits)`` over the last axis.

    Parameters
    ----------
    func : callable
        ``func(logits) -> lse`` for logits of shape (C,) (giving a scalar)
        or (N, C) (giving shape (N,)).

    Returns
    -------
    Feedback
        "correct" if `func` matches :func:`helpers.numerics.logsumexp` to
        ``rtol=1e-10`` on every test input, including logits of +-1000 and
        of 1e6; otherwise the first failure, with a hint for a recognised
        mistake (no max subtraction, forgetting to add the max back,
        ``log10``, the batch-wide max, a wrong axis, an (N, 1) result).

    Examples
    --------
    >>> import numpy as np
    >>> def my_logsumexp(logits):
    ...     top = np.max(logits, axis=-1, keepdims=True)
    ...     total = np.sum(np.exp(logits - top), axis=-1)
    ...     return top[..., 0] + np.log(total)
    >>> check_logsumexp(my_logsumexp).status
    'correct'
    >>> def forgot(logits):
    ...     top = np.max(logits, axis=-1, keepdims=True)
    ...     return np.log(np.sum(np.exp(logits - top), axis=-1))
    >>> print(check_logsumexp(forgot).hint)
    You subtracted the maximum m but forgot to add it back: LSE(z) = m + log(sum(exp(z - m))).
    """
    return _run_function_check(func, _logsumexp_reference, [(_LOGSUMEXP_CASES, 1e-10)],
                               _LOGSUMEXP_MISTAKES, "my_logsumexp")


# --------------------------------------------------------------------------
# Exercise: when does the naive denominator overflow in float32?
# --------------------------------------------------------------------------

_NUM_CLASSES = 1000
_THRESHOLD = float(np.log(_FLOAT32_MAX) - np.log(_NUM_CLASSES))     # about 81.815

_THRESHOLD_MISTAKES = [
    (float(np.log(_FLOAT32_MAX)),
     "That is the limit for a single exponential. The denominator adds 1000 equal "
     "terms, so it overflows when 1000 * exp(t) exceeds the float32 maximum."),
    (float(np.log(_FLOAT64_MAX) - np.log(_NUM_CLASSES)),
     "That is the float64 limit; use np.finfo(np.float32).max."),
    (float(np.log(_FLOAT64_MAX)), "That is the float64 limit for a single exponential; "
     "use np.finfo(np.float32).max and remember the 1000 terms."),
    (float(np.log(_FLOAT16_MAX) - np.log(_NUM_CLASSES)),
     "That is the float16 limit; use np.finfo(np.float32).max."),
    (float(np.log10(_FLOAT32_MAX) - np.log10(_NUM_CLASSES)),
     "Use the natural logarithm, np.log, not np.log10: the logits go into exp."),
    (float(np.log10(_FLOAT32_MAX)),
     "Use the natural logarithm, np.log, not np.log10, and remember the 1000 terms."),
    (_FLOAT32_MAX / _NUM_CLASSES,
     "That is the largest allowed value of exp(t), not of t: take its logarithm."),
    (_FLOAT32_MAX, "That is the largest float32 number, not the largest logit: "
     "solve 1000 * exp(t) <= max for t."),
    (-_THRESHOLD, "Check the sign: large positive logits overflow."),
]


def check_overflow_threshold(answer: Any) -> Feedback:
    """Check the largest float32 logit t for which 1000 terms e^t sum finitely.

    Parameters
    ----------
    answer : float
        The learner's threshold.

    Returns
    -------
    Feedback
        "correct" within ``atol=0.01`` of
        :math:`\\log(\\text{float32 max}) - \\log 1000 \\approx 81.815`;
        a specific hint for the float64 or float16 limit, ``log10``, a
        forgotten factor of 1000, or the maximum itself instead of its log.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.log(np.finfo(np.float32).max / 1000)
    >>> check_overflow_threshold(t).status
    'correct'
    >>> print(check_overflow_threshold(88.72).hint)
    That is the limit for a single exponential. The denominator adds 1000 equal terms, so it overflows when 1000 * exp(t) exceeds the float32 maximum.
    """
    what = "largest_safe_logit"
    value = _as_scalar_answer(answer, what)
    if isinstance(value, Feedback):
        return value
    feedback = check_value(value, _THRESHOLD, rtol=0.0, atol=0.01, what=what)
    if feedback:
        return feedback
    hint = _known_mistake(value, _THRESHOLD_MISTAKES, rtol=1e-3) or (
        "Solve 1000 * exp(t) = np.finfo(np.float32).max for t.")
    return Feedback(feedback.status, feedback.message, hint)


# --------------------------------------------------------------------------
# Exercise: the loss of a confidently wrong float32 model
# --------------------------------------------------------------------------

LOSS_LOGITS = np.array([20.0, -90.0, 5.0], dtype=np.float32)
LOSS_LABEL = 1
_LOSS = float(-log_softmax(LOSS_LOGITS.astype(np.float64))[LOSS_LABEL])  # 110.0000003
_LOG_PROBS = log_softmax(LOSS_LOGITS.astype(np.float64))

_LOSS_MISTAKES = [
    (np.inf, "softmax(z)[1] underflowed to 0 in float32 and -log(0) is inf. "
     "Compute the log-probability directly: z[1] - logsumexp(z)."),
    (-_LOSS, "Check the sign: the loss is -log p, a positive number."),
    (_LOSS / np.log(10), "Use the natural logarithm: the loss is -ln p."),
    (float(-_LOG_PROBS[0]), "That is the loss for class 0. The true class is 1, the second "
     "entry (Python counts from 0)."),
    (float(-_LOG_PROBS[2]), "That is the loss for class 2. The true class is 1, the second "
     "entry (Python counts from 0)."),
    (float(np.exp(_LOG_PROBS[1])), "That is the probability p; the loss is -log p."),
]


def check_float32_loss(loss: Any) -> Feedback:
    """Check the cross-entropy loss for logits (20, -90, 5) and true class 1.

    Parameters
    ----------
    loss : float
        The learner's value of :math:`-\\log p_1`.

    Returns
    -------
    Feedback
        "correct" within ``rtol=1e-6`` of
        :math:`\\operatorname{logsumexp}(z) - z_1 \\approx 110.0000003`
        (float32 rounding to 110.0 is accepted); a specific hint for
        ``inf`` (log of an underflowed probability), a sign error,
        ``log10``, the wrong class or the probability itself.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import log_softmax
    >>> z = np.array([20.0, -90.0, 5.0], dtype=np.float32)
    >>> check_float32_loss(-log_softmax(z)[1]).status
    'correct'
    >>> print(check_float32_loss(float("inf")).hint)
    softmax(z)[1] underflowed to 0 in float32 and -log(0) is inf. Compute the log-probability directly: z[1] - logsumexp(z).
    """
    what = "loss"
    value = _as_scalar_answer(loss, what)
    if isinstance(value, Feedback):
        return value
    if not np.isfinite(value):
        hint = _known_mistake(value, _LOSS_MISTAKES, rtol=1e-4) or (
            "The loss is finite: compute -(z[1] - logsumexp(z)).")
        return Feedback("wrong value", f"{what} is {value}; expected a finite number.", hint)
    feedback = check_value(value, _LOSS, rtol=1e-6, atol=0.0, what=what)
    if feedback:
        return feedback
    hint = _known_mistake(value, _LOSS_MISTAKES, rtol=1e-4) or (
        "The loss is -log p_1 = logsumexp(z) - z[1].")
    return Feedback(feedback.status, feedback.message, hint)
