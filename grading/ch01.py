"""The exercises of the chapter on the softmax function: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch01.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import normalised, shifted_softmax, unshifted_softmax
from helpers.checks.cases import BATCH_MAX_HINT, BY_HAND, shift_hint
from helpers.checks.ch01 import BY_HAND_LOGITS, TEMPERATURES, TEMPERATURE_LOGITS
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import softmax

# Max-shifted float64 softmaxes agree to ~1e-13 here; float32 (eps 1.2e-7) does not pass.
_CODE = Tolerance(rtol=1e-9, atol=1e-12)

_SHAPE_HINT = "Return one probability per logit: an array of the same shape (N, C) as `logits`."


# --- Softmax by hand: softmax(1, 3, 0)[1] ------------------------------------
_E = np.exp(np.array(BY_HAND_LOGITS))
_Z = np.array(BY_HAND_LOGITS)
_CLASS_HINT = ("Classes are numbered from 0, so class 1 is the one with logit 3. "
               "You computed the probability of class {}.")
SOFTMAX_BY_HAND = ValueExercise(
    "p1", _E[1] / _E.sum(), BY_HAND,
    [Mistake(_E[0] / _E.sum(), _CLASS_HINT.format(0)),
     Mistake(_E[2] / _E.sum(), _CLASS_HINT.format(2)),
     Mistake(_E[1] / (_E[0] + _E[1]), "The logit 0 counts too: e^0 = 1 belongs in the sum."),
     Mistake(_Z[1] / _Z.sum(), "Exponentiate the logits before you normalise them."),
     Mistake(10 ** _Z[1] / np.sum(10 ** _Z), "The softmax uses the natural exponential "
             "e^z, not 10^z."),
     Mistake(_E[1], "Divide e^3 by the sum of all three exponentials.")],
    shape_hint="p1 is one number, the probability of class 1, not the whole vector "
               "of probabilities.",
    value_hint="Compute e^1, e^3 and e^0, add them, and divide e^3 by the sum.")


# --- Reading a logit gap: p_cat / p_dog = 0.6 / 0.2 --------------------------
LOGIT_GAP = ValueExercise(
    "gap", np.log(3.0), BY_HAND,
    [Mistake(3.0, "3 is the ratio of the probabilities; the logit gap is its natural logarithm."),
     Mistake(0.4, "The difference of the probabilities is not the difference of the "
                  "logits: take the logarithm of their ratio."),
     Mistake(np.log10(3.0), "Use the natural logarithm (np.log), not log10: the softmax uses e^z."),
     Mistake(-np.log(3.0), "Check the sign: the cat is more likely, so its logit is the "
                           "larger one."),
     Mistake(np.log(0.4), "Take the logarithm of the ratio of the probabilities, not of "
                          "their difference.")],
    shape_hint="gap is one number, the difference of two logits.",
    value_hint="Use p_cat / p_dog = e^(z_cat - z_dog); the other classes do not matter.")


# --- my_softmax for a batch (N, C) -------------------------------------------
def _row_shifted(z):
    return np.exp(z - np.max(z, axis=-1, keepdims=True))


MY_SOFTMAX = FunctionExercise(
    "my_softmax", softmax,
    [Case((np.array([[2.0, 1.0, 0.1], [-1.0, 0.5, 3.0], [0.0, 0.0, 0.0]]),),
          why="a square batch: a wrong axis or a missing keepdims gives the right "
              "shape and the wrong values"),
     Case((np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -0.5, 0.0, 2.0]]),),
          why="N != C: a wrong axis gives the wrong sums per row"),
     Case((np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -1002.0]]),),
          why="exp(1000) overflows, exp(-1000) underflows, and the rows are too far "
              "apart for one maximum of the whole batch"),
     Case((np.array([[800.0, 0.0, -800.0], [1000.0, 999.0, 998.0]]),),
          why="the row spans 1600: a shift by its minimum or mean still overflows"),
     Case((np.array([[3.0, -2.0, 0.5, 0.0, 1.0]]),), why="a single sample")],
    _CODE,
    [Mistake(unshifted_softmax, "exp(1000) overflows to inf. Subtract each row's maximum "
             "from the logits before exponentiating: it changes nothing mathematically."),
     Mistake(lambda z: shifted_softmax(z, "batch max"), BATCH_MAX_HINT),
     *(Mistake(lambda z, s=s: shifted_softmax(z, s), shift_hint(s, (800, 0, -800)))
       for s in ("min", "mean")),
     Mistake(lambda z: softmax(z, axis=0), "Each row is one sample: normalise along the "
             "last axis (axis=-1), so that every row sums to 1."),
     Mistake(lambda z: normalised(_row_shifted(z), keepdims=False), "Use keepdims=True when "
             "you sum: a sum of shape (N,) is broadcast along the columns, so entry [i, j] "
             "is divided by the sum of row j."),
     Mistake(lambda z: normalised(np.exp(z - np.max(z, axis=-1)), keepdims=False),
             "Use keepdims=True for the maximum and the sum, so that they are subtracted "
             "from and divided into their own row."),
     Mistake(_row_shifted, "Normalise: divide the exponentials by their sum over the row."),
     Mistake(lambda z: normalised(np.exp(z - np.max(z)), axis=None), "Normalise each row "
             "separately: the probabilities of one sample sum to 1, not those of the whole batch."),
     Mistake(lambda z: softmax(-z, axis=-1), "Check the sign: larger logits must get "
             "larger probabilities, so use exp(z - max), not exp(max - z)."),
     Mistake(lambda z: z / np.sum(z, axis=-1, keepdims=True),
             "Exponentiate the logits before normalising them.")],
    shape_hint=_SHAPE_HINT,
    value_hint="Compute exp(logits - row maximum) and divide by its sum over the last "
               "axis, with keepdims=True in both reductions.",
    # The exercise says "NumPy only, not helpers.softmax"; softmax_mp answers it too.
    forbidden=("helpers.softmax", "helpers.reference"))


# --- Turning the temperature: softmax((3, 1, 0) / T) for T = 0.5, 1, 5 -------
def _tempered(z: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    """softmax(z / T), one row per temperature: shape (len(T), len(z))."""
    return softmax(z[None, :] / temperatures[:, None], axis=-1)


_ZT, _TS = np.array(TEMPERATURE_LOGITS), np.array(TEMPERATURES)
TEMPERATURE_PROBS = ValueExercise(
    "probs_T", _tempered(_ZT, _TS), Tolerance(rtol=1e-6, atol=1e-9),
    [Mistake(_tempered(_ZT, _TS).T, "One row per temperature: row k holds the three "
             "probabilities at TEMPERATURES[k]. Your array is transposed."),
     Mistake(_tempered(_ZT, np.ones(3)), "Every row is the same: divide the logits by the "
             "temperature first."),
     Mistake(_tempered(_ZT, 1 / _TS), "Divide the logits by T; you multiplied them by T."),
     Mistake(softmax(_ZT)[None, :] / _TS[:, None], "Apply the temperature to the logits, "
             "before the exponential, not to the probabilities."),
     Mistake(softmax(_ZT)[None, :] ** (1 / _TS[:, None]), "p^(1/T) has the right shape but "
             "no longer sums to 1: normalise each row, or compute softmax(z / T) directly."),
     Mistake(np.exp(_ZT[None, :] / _TS[:, None]), "Normalise each row: divide by the sum "
             "of its exponentials.")],
    shape_hint="probs_T has one row per temperature and one column per class: shape (3, 3).",
    value_hint="Row k is softmax(z / T) with T = TEMPERATURES[k].")


# --- The zero-temperature limit: 1/r on each of the r tied maxima ------------
def _zero_temperature(logits: np.ndarray) -> np.ndarray:
    is_max = logits == np.max(logits, axis=-1, keepdims=True)
    return is_max / np.sum(is_max, axis=-1, keepdims=True)


_SMALL_T_HINT = ("Evaluate the limit exactly instead of plugging in a small temperature: "
                 "the answer holds only 0s and fractions 1/r, and a near-tie such as "
                 "(1, 1 - 1e-12), or the smallest positive double against 0, is not a tie.")


def _shifted_then_tempered(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax((z - max) / T): the shift first, so that 1e300 / T cannot overflow."""
    weights = np.exp((logits - np.max(logits, axis=-1, keepdims=True)) / temperature)
    return weights / np.sum(weights, axis=-1, keepdims=True)


# Shifted first, a temperature below 1e-14 passes the near-tie and the huge logits; a gap
# of one subnormal, 5e-324, still gives (z - max) / T >= -1 for every positive double T.
_SUBNORMAL_GAP = np.array([[np.nextafter(0.0, 1.0), 0.0, -1.0]])
ZERO_TEMPERATURE_LIMIT = FunctionExercise(
    "softmax_zero_temperature", _zero_temperature,
    [Case((np.array([[2.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 5.0],
                     [1.0, 1.0 - 1e-12, 0.0]]),),
          why="ties of two and three classes, and a near-tie that needs T << 1e-12"),
     Case((np.array([[1000.0, -1000.0, 999.5, 1000.0], [3.0, 2.0, 1.0, 0.0],
                     [1e300, 0.0, -1e300, 1e300]]),),
          why="huge logits: 1e300 / T overflows for every T < 1e-8"),
     Case((_SUBNORMAL_GAP,),
          why="the smallest positive double and 0 are no tie, however small T is")],
    _CODE,
    [Mistake(lambda z: np.eye(z.shape[-1])[np.argmax(z, axis=-1)],
             "Ties: when r logits share the maximum, the limit gives each of them 1/r. "
             "np.argmax picks only the first."),
     Mistake(lambda z: (z == np.max(z, axis=-1, keepdims=True)).astype(float),
             "Divide by the number of tied maxima in each row, so that the row sums to 1."),
     Mistake(lambda z: np.argmax(z, axis=-1),
             "Return probabilities of shape (N, C), not the indices of the maxima."),
     Mistake(lambda z: _zero_temperature(-z), "Check the sign: the limit puts the "
             "probability on the largest logit, not the smallest."),
     Mistake(lambda z: np.full(z.shape, 1.0 / z.shape[-1]), "All classes equally likely "
             "is the limit T -> infinity; as T -> 0 the largest logit takes everything."),
     # Whichever power of ten a learner plugs in, no single one passes both cases.
     *[Mistake(lambda z, t=t: softmax(z / t, axis=-1), _SMALL_T_HINT)
       for t in 10.0 ** -np.arange(1, 21)],
     *[Mistake(lambda z, t=t: _shifted_then_tempered(z, t), _SMALL_T_HINT)
       for t in (*10.0 ** -np.arange(1, 21), 1e-50, 1e-100, 1e-200, 1e-300, 5e-324)]],
    shape_hint=_SHAPE_HINT,
    value_hint="In each row, find the logits equal to the row maximum and share the "
               "probability equally among them.")


EXERCISES = {"check_softmax_by_hand": (SOFTMAX_BY_HAND,), "check_logit_gap": (LOGIT_GAP,),
             "check_my_softmax": (MY_SOFTMAX,), "check_temperature_probs": (TEMPERATURE_PROBS,),
             "check_zero_temperature_limit": (ZERO_TEMPERATURE_LIMIT,)}
