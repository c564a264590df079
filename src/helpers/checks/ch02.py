"""Exercise checks for the chapter on numerical stability, as data over :mod:`.engine`."""

from __future__ import annotations

import numpy as np

from ..numerics import log_softmax, logsumexp, softmax
from .cases import BATCH_MAX_HINT, BY_HAND, LOG10_HINT, shift_hint
from .engine import Case, Feedback, FunctionExercise, Mistake, Tolerance, ValueExercise
from .mistakes import normalised, shifted_softmax, unshifted_softmax

__all__ = ["LOSS_LOGITS", "LOSS_LABEL", "EXERCISES", "check_stable_softmax",
           "check_logsumexp", "check_overflow_threshold", "check_float32_loss"]

#: The logits and the true class of "A confidently wrong float32 model".
LOSS_LOGITS = np.array([20.0, -90.0, 5.0], dtype=np.float32)
LOSS_LABEL = 1

_KEEPDIMS_HINT = ("Reduce with keepdims=True (e.g. logits.max(axis=-1, keepdims=True)) so "
                  "that the (N, 1) result broadcasts across each row of the (N, C) batch.")
_SHIFT_HINTS = {s: shift_hint(s, (800, 0, -800)) for s in ("min", "mean")}

# Batches shared by both function exercises; each row is there for a mistake.
_SQUARE = np.array([[0.2, 1.0, -0.5, 0.9], [2.0, -1.2, 0.3, 0.0],
                    [-0.4, 0.8, 1.7, -2.1], [1.1, 0.6, -0.9, 0.4]])          # (4, 4)
_WIDE = np.array([[0.5, -1.0, 2.0, 0.0], [1.5, 0.3, -0.7, 2.2],
                  [-2.0, 0.1, 0.4, -0.3]])                                   # (3, 4)
_WIDE_WHY = ("N != C, where a reduction along the wrong axis, or without keepdims, does "
             "not line up with the rows")
_SQUARE_AND_WIDE = (
    Case((_SQUARE,), why="a square batch, where a missing keepdims broadcasts without an error"),
    Case((_WIDE,), why=_WIDE_WHY))
_HUGE = np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]])
# A shift by the minimum overflows on the first two rows, by the mean on the
# first only, and no shift at all on the first and the last: three patterns.
_SPREAD = np.array([[800.0, 0.0, -800.0], [400.0, -400.0, 0.0], [1000.0, 999.0, 998.0]])


def check_stable_softmax(func: object) -> Feedback:
    """Check `stable_softmax(logits)`, the softmax over the last axis, rtol = 1e-5, atol = 0.

    Examples
    --------
    >>> print(check_stable_softmax(lambda logits: logits.sum(axis=-1)).hint)
    Return one probability per logit, an array of the same shape as `logits`.
    """
    return STABLE_SOFTMAX.check(func)


def check_logsumexp(func: object) -> Feedback:
    """Check `my_logsumexp(logits)`, log-sum-exp over the last axis, rtol = 1e-10, atol = 0.

    Examples
    --------
    >>> print(check_logsumexp(lambda logits: logits).hint)
    Return one value per row: a scalar for (C,) logits, shape (N,) for (N, C).
    """
    return LOGSUMEXP.check(func)


def check_overflow_threshold(answer: object) -> Feedback:
    """Check `answer`, the largest float32 t with 1000 e^t finite, to three significant digits.

    Examples
    --------
    >>> print(check_overflow_threshold(88.72).hint)  # doctest: +ELLIPSIS
    That is the limit for a single exponential. The denominator adds 1000 equal terms, so ...
    """
    return OVERFLOW_THRESHOLD.check(answer)


def check_float32_loss(loss: object) -> Feedback:
    """Check `loss`, -log p_1 for the float32 logits (20, -90, 5), rtol = 1e-6, atol = 0.

    Examples
    --------
    >>> print(check_float32_loss(float("inf")).hint)  # doctest: +ELLIPSIS
    softmax(z)[1] underflowed to 0 in float32 and -log(0) is inf. Compute the ...
    """
    return FLOAT32_LOSS.check(loss)


# --- A stable, batched softmax -----------------------------------------------
STABLE_SOFTMAX = FunctionExercise(
    "stable_softmax", softmax,
    [Case((np.array([2.0, 1.0, 0.0]),), why="one vector of shape (C,)"), *_SQUARE_AND_WIDE,
     Case((_HUGE,), why="exp(1000) overflows and exp(-1000) underflows to 0 / 0"),
     Case((np.array([[1000.0, 999.0, 998.0], [-5.0, -6.0, -7.0]]),),
          why="rows at different scales: one maximum for the whole batch underflows"),
     Case((_SPREAD,), why="rows that span 800 to 1600: a shift by the minimum or the "
                          "mean overflows"),
     Case((np.array([[100.0, 99.0, 98.0], [-1.0, 0.0, 1.0]], dtype=np.float32),),
          why="float32, where exp overflows already at 88.7")],
    # float32 input, computed in float32 as exp(z - logsumexp(z)), is 2e-6 off.
    Tolerance(rtol=1e-5),
    [Mistake(unshifted_softmax, "exp overflowed to inf (or every exp underflowed to 0): "
             "subtract each row's maximum from the logits before calling np.exp."),
     Mistake(lambda z: shifted_softmax(z, "batch max"), BATCH_MAX_HINT),
     Mistake(lambda z: shifted_softmax(z, "min"), _SHIFT_HINTS["min"]),
     Mistake(lambda z: shifted_softmax(z, "mean"), _SHIFT_HINTS["mean"]),
     Mistake(lambda z: normalised(np.exp(z - np.max(z, axis=0, keepdims=True)), axis=0),
             "The classes run along the last axis: reduce with axis=-1, not axis=0."),
     Mistake(lambda z: normalised(np.exp(z - np.max(z, axis=-1, keepdims=True)), axis=None),
             "Each row must sum to 1 on its own: sum along axis=-1, not over the whole batch."),
     Mistake(lambda z: normalised(np.exp(z - np.max(z, axis=-1, keepdims=True)),
                                   keepdims=False), _KEEPDIMS_HINT),
     Mistake(lambda z: normalised(np.exp(z - np.max(z, axis=-1))), _KEEPDIMS_HINT)],
    shape_hint="Return one probability per logit, an array of the same shape as `logits`.",
    value_hint="Subtract each row's maximum (keepdims=True), exponentiate, and divide by "
               "each row's sum (keepdims=True).")


# --- Log-sum-exp -------------------------------------------------------------
def _shifted_lse(z, shift, *, log=np.log, add_back=True, axis=-1, keepdims=False):
    """log(sum(exp(z - shift))) (+ shift), reduced along `axis`: the mistakes below."""
    out = log(np.sum(np.exp(z - shift), axis=axis, keepdims=True)) + (shift if add_back
                                                                      else 0.0)
    return out if keepdims else np.squeeze(out, axis=axis)


def _lse_without_keepdims(z):
    top = np.max(z, axis=-1)
    return top + np.log(np.sum(np.exp(z - top), axis=-1))


def _row(reduce, z):
    return reduce(z, axis=-1, keepdims=True)


LOGSUMEXP = FunctionExercise(
    "my_logsumexp", logsumexp,
    [Case((np.array([1.0, 2.0, 3.0]),), why="one vector: the result is a scalar"),
     *_SQUARE_AND_WIDE,
     Case((_HUGE,), why="exp(1000) overflows and exp(-1000) gives log(0)"),
     Case((_SPREAD,), why="rows that span 800 to 1600: a shift by the minimum or the "
                          "mean overflows"),
     Case((np.array([[1e6, 1e6 + 1.0, 1e6 - 1.0], [2.0, 1.0, 0.0]]),),
          why="logits of 1e6 next to logits near 0: one maximum for the whole batch")],
    Tolerance(rtol=1e-10),
    [Mistake(lambda z: _shifted_lse(z, 0.0), "exp overflowed to inf (or every exp "
             "underflowed to 0, whose log is -inf): subtract each row's maximum m first, "
             "and add it back at the end."),
     Mistake(lambda z: _shifted_lse(z, _row(np.max, z), add_back=False),
             "You subtracted the maximum m but forgot to add it back: "
             "LSE(z) = m + log(sum(exp(z - m)))."),
     Mistake(lambda z: _shifted_lse(z, _row(np.min, z)), _SHIFT_HINTS["min"]),
     Mistake(lambda z: _shifted_lse(z, _row(np.mean, z)), _SHIFT_HINTS["mean"]),
     Mistake(lambda z: _shifted_lse(z, _row(np.max, z), log=np.log10), LOG10_HINT),
     Mistake(lambda z: _shifted_lse(z, np.max(z)), "np.max(logits) is the maximum of the "
             "whole batch. A row far below it gives log(0) = -inf: use each row's own "
             "maximum (axis=-1, keepdims=True)."),
     Mistake(lambda z: _shifted_lse(z, np.max(z, axis=0, keepdims=True), axis=0),
             "The classes run along the last axis: reduce with axis=-1, not axis=0."),
     Mistake(lambda z: _shifted_lse(z, _row(np.max, z), keepdims=True),
             "Return one value per row: shape (N,) for (N, C) logits, not (N, 1). Keep "
             "keepdims=True for the max you subtract, but drop it from the result."),
     Mistake(_lse_without_keepdims, _KEEPDIMS_HINT)],
    shape_hint="Return one value per row: a scalar for (C,) logits, shape (N,) for (N, C).",
    value_hint="LSE(z) = m + log(sum(exp(z - m))) with m each row's maximum.")


# --- When does the naive denominator overflow in float32? --------------------
_CLASSES = 1000
_MAX32, _MAX64, _MAX16 = (float(np.finfo(t).max) for t in (np.float32, np.float64,
                                                              np.float16))
_THRESHOLD = np.log(_MAX32) - np.log(_CLASSES)                         # 81.815
OVERFLOW_THRESHOLD = ValueExercise(
    "largest_safe_logit", _THRESHOLD, BY_HAND,
    [Mistake(np.log(_MAX32), "That is the limit for a single exponential. The denominator adds "
             "1000 equal terms, so it overflows when 1000 * exp(t) exceeds the float32 maximum."),
     Mistake(np.log(_MAX64) - np.log(_CLASSES), "That is the float64 limit; use "
             "np.finfo(np.float32).max."),
     Mistake(np.log(_MAX64), "That is the float64 limit for a single exponential; use "
             "np.finfo(np.float32).max and remember the 1000 terms."),
     Mistake(np.log(_MAX16) - np.log(_CLASSES), "That is the float16 limit; use "
             "np.finfo(np.float32).max."),
     Mistake(np.log10(_MAX32) - np.log10(_CLASSES), "Use the natural logarithm, np.log, "
             "not np.log10: the logits go into exp."),
     Mistake(np.log10(_MAX32), "Use the natural logarithm, np.log, not np.log10, and "
             "remember the 1000 terms."),
     Mistake(_MAX32 / _CLASSES, "That is the largest allowed value of exp(t), not of t: "
             "take its logarithm."),
     Mistake(_MAX32, "That is the largest float32 number, not the largest logit: solve "
             "1000 * exp(t) <= max for t."),
     Mistake(-_THRESHOLD, "Check the sign: large positive logits overflow.")],
    shape_hint="largest_safe_logit is one number.",
    value_hint="Solve 1000 * exp(t) = np.finfo(np.float32).max for t.")


# --- The loss of a confidently wrong float32 model ---------------------------
_LOG_PROBS = log_softmax(LOSS_LOGITS.astype(np.float64))        # float32 rounds the loss
_LOSS = -_LOG_PROBS[LOSS_LABEL]                                  # 110.0000003
FLOAT32_LOSS = ValueExercise(
    "loss", _LOSS, Tolerance(rtol=1e-6),
    [Mistake(np.inf, "softmax(z)[1] underflowed to 0 in float32 and -log(0) is inf. "
             "Compute the log-probability directly: z[1] - logsumexp(z)."),
     Mistake(-_LOSS, "Check the sign: the loss is -log p, a positive number."),
     Mistake(_LOSS / np.log(10), LOG10_HINT),
     Mistake(-_LOG_PROBS[0], "That is the loss for class 0. The true class is 1, the "
             "second entry (Python counts from 0)."),
     Mistake(-_LOG_PROBS[2], "That is the loss for class 2. The true class is 1, the "
             "second entry (Python counts from 0)."),
     Mistake(np.exp(_LOG_PROBS[1]), "That is the probability p; the loss is -log p.")],
    shape_hint="loss is one number: pick the entry of the true class, e.g. with [1].",
    value_hint="The loss is -log p_1 = logsumexp(z) - z[1].")


EXERCISES = {"check_stable_softmax": (STABLE_SOFTMAX,), "check_logsumexp": (LOGSUMEXP,),
             "check_overflow_threshold": (OVERFLOW_THRESHOLD,),
             "check_float32_loss": (FLOAT32_LOSS,)}
