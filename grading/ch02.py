"""The exercises of the chapter on numerical stability: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch02.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import normalised
from helpers.checks.cases import BY_HAND, LOG10_HINT, shift_hint
from helpers.checks.ch02 import LOSS_LABEL, LOSS_LOGITS
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import log_softmax, logsumexp, softmax

_KEEPDIMS_HINT = ("Reduce with keepdims=True (e.g. logits.max(axis=-1, keepdims=True)) so "
                  "that the (N, 1) result broadcasts across each row of the (N, C) batch.")
_SHIFT_HINTS = {s: shift_hint(s, (800, 0, -800)) for s in ("min", "mean")}

# Batches of the log-sum-exp exercise; each row is there for a mistake.
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


# --- A masked softmax ----------------------------------------------------------
_MASK_POLICY = ("A row with no entry left (a fully masked row) must come out as zeros, "
                "the policy the exercise states.")


def _masked_reference(logits, mask):
    return softmax(logits, where=mask)


def _stable(z):
    """The max-shifted softmax of each row, in the dtype of `z`: nan for an all -inf row."""
    weights = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return weights / np.sum(weights, axis=-1, keepdims=True)


def _fill(logits, mask, value):
    """The logits with every masked entry replaced by `value`, in the logits' dtype."""
    return np.where(mask, logits, np.asarray(value, dtype=logits.dtype))


def _keras_style(logits, mask):
    """Add (1 - mask) * (-1e9), the constant in the logits' dtype: -inf in float16."""
    big = np.asarray(-1e9, dtype=logits.dtype)
    return _stable(logits + (1 - mask.astype(logits.dtype)) * big)


def _mask_after(logits, mask):
    """Softmax of the whole row, masked entries zeroed, then renormalised."""
    probs = _stable(logits) * mask
    return probs / np.sum(probs, axis=-1, keepdims=True)


_rng = np.random.default_rng(12)
_PAD_LOGITS = np.round(_rng.normal(size=(3, 5)), 2)                     # (N, C)
_PAD_MASK = np.arange(5) < np.array([[5], [3], [2]])                    # lengths 5, 3, 2
_HUGE_LOGITS = np.array([[1000.0, 999.0, 998.0, 2000.0],
                         [-1000.0, -1001.0, -2000.0, -2000.0],
                         [0.0, -1.0, 800.0, 800.0]])
_HUGE_MASK = np.array([[True, True, True, False], [True, True, False, False],
                       [True, True, False, False]])
_F16_LOGITS = np.array([[10000.0, 10000.0, -3.0, 60000.0],
                        [2.5, 2.5, 2.5, 2.5], [-7.0, 1.0, 4.0, 0.0]], dtype=np.float16)
_F16_MASK = np.array([[True, True, False, False], [True, True, True, True],
                      [False, False, True, False]])
# Self-attention scores of 4 tokens, the first a left pad: token t sees
# tokens 0..t (causal) that are not padding, so token 0 sees nothing.
_SCORES = np.round(_rng.normal(scale=2.0, size=(4, 4)), 2)
_ATTEND = np.tril(np.ones((4, 4), dtype=bool)) & (np.arange(4) > 0)

MASKED_SOFTMAX = FunctionExercise(
    "masked_softmax", _masked_reference,
    [Case((_PAD_LOGITS, _PAD_MASK), why="padded rows of lengths 5, 3 and 2"),
     Case((_HUGE_LOGITS, _HUGE_MASK),
          why="huge logits, and masked entries far above the kept ones: the shift must "
              "come from the kept entries"),
     Case((_F16_LOGITS, _F16_MASK),
          why="float16, where -1e9 is -inf and 0 * -inf is nan"),
     Case((_SCORES, _ATTEND),
          why="causal attention behind a left pad: the first row is fully masked")],
    Tolerance(rtol=1e-10),
    [Mistake(lambda z, mask: _stable(z) * mask,
             "Zeroing the masked probabilities after the softmax leaves each row summing "
             "to less than 1: mask the logits (set them to -inf) before normalising."),
     Mistake(lambda z, mask: _stable(_fill(z, mask, 0.0)),
             "A logit of 0 is not masked: e^0 = 1 still takes its share. Set the masked "
             "logits to -inf, whose exponential is exactly 0."),
     Mistake(lambda z, mask: _masked_reference(z, ~mask),
             "The mask is the wrong way round: True marks the entries that take part "
             "(PyTorch's key_padding_mask uses True for padding instead)."),
     # Before the two below, which also give nan on a fully masked row.
     Mistake(lambda z, mask: _stable(_fill(z, mask, -np.inf)),
             "On a fully masked row the maximum is -inf, and -inf - (-inf) is nan (or the "
             "sum is 0 and 0 / 0 is nan). " + _MASK_POLICY),
     Mistake(lambda z, mask: normalised(np.exp(_fill(z, mask, -np.inf))),
             "exp overflowed (or every kept exp underflowed to 0): subtract each row's "
             "largest kept logit before calling np.exp."),
     Mistake(_mask_after,
             "The masked logits still took part in the shift and the sum: a masked logit "
             "800 above the kept ones makes every kept exp underflow to 0, and 0 / 0 is "
             "nan. Set the masked logits to -inf first, so the maximum comes from the "
             "kept entries."),
     Mistake(_keras_style,
             "In float16, -1e9 rounds to -inf, and (1 - mask) * -inf is 0 * -inf = nan at "
             "every kept entry. Use np.where(mask, logits, -np.inf) instead of "
             "arithmetic on the mask."),
     Mistake(lambda z, mask: _stable(_fill(z, mask, -1e9)),
             "-1e9 in place of -inf works while a row keeps an entry, but a fully masked "
             "row then spreads its probability evenly over the padding. " + _MASK_POLICY)],
    shape_hint="Return one probability per logit, an array of the same shape as `logits`.",
    value_hint="Set the masked logits to -inf, subtract each row's largest kept logit, "
               "normalise, and give a fully masked row zeros.",
    same_dtype=True)


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
    value_hint="LSE(z) = m + log(sum(exp(z - m))) with m each row's maximum.",
    # helpers.logsumexp, taught before the exercise, stays allowed; the mpmath one is not.
    forbidden=("helpers.reference.logsumexp_mp",))


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


EXERCISES = {"check_masked_softmax": (MASKED_SOFTMAX,), "check_logsumexp": (LOGSUMEXP,),
             "check_overflow_threshold": (OVERFLOW_THRESHOLD,),
             "check_float32_loss": (FLOAT32_LOSS,)}
