"""The exercises of the chapter on the frameworks: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch08.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import shift_mistakes, shifted_log_softmax, unshifted_log_softmax
from helpers.checks.cases import BY_HAND, LOG10_HINT, OFF_BY_ONE_HINT, SHIFT_ROWS, shift_hints
from helpers.checks.ch08 import (BUG_LABELS, BUG_LOGITS, DENSE_LABELS, DENSE_LOGITS, IGNORE_INDEX,
                                 SCIPY_LOGITS)
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import log_softmax, softmax

# float64 losses through a log-softmax agree to ~1e-15 here (the largest is ~1500).
_CODE = Tolerance(rtol=1e-9, atol=1e-12)
_OVERFLOW = ("exp(1000) overflows, also after subtracting the row's minimum or mean, and "
             "log(softmax(z)) turns e^-2000 into log 0 = -inf. Use helpers.log_softmax, "
             "or subtract each row's maximum before exponentiating.")
_SHIFT_HINTS = shift_hints(750, SHIFT_ROWS["min"][0], SHIFT_ROWS["mean"][0],
                           "helpers.log_softmax(logits, axis=1)", over="class-axis")


# -- One-hot targets and the dense (TensorFlow-style) loss -----------------
def _dense(log_probs: np.ndarray, labels=DENSE_LABELS) -> np.ndarray:
    """-sum(targets * log_probs) per row, for the one-hot rows of `labels`."""
    with np.errstate(invalid="ignore"):
        return -np.sum(np.eye(3)[list(labels)] * log_probs, axis=-1)  # (N,)


_Z_DENSE = np.array(DENSE_LOGITS)                                     # (N, C)
_Y_DENSE = np.array(DENSE_LABELS)
_DENSE_RIGHT = _dense(log_softmax(_Z_DENSE))
DENSE_LOSSES = ValueExercise(
    "dense_losses", _DENSE_RIGHT, _CODE,
    [Mistake(_dense(log_softmax(softmax(_Z_DENSE))),
             "That is a double softmax: softmax_cross_entropy_with_logits applies the "
             "softmax itself, so pass the logits, not softmax(logits)."),
     Mistake(_DENSE_RIGHT / np.log(10), LOG10_HINT),
     Mistake(-_DENSE_RIGHT, "Check the sign: each loss is -sum(targets * log p), which is "
                            "never negative."),
     Mistake(_dense(log_softmax(_Z_DENSE), (_Y_DENSE - 1) % 3), OFF_BY_ONE_HINT),
     Mistake(_dense(log_softmax(_Z_DENSE), (_Y_DENSE + 1) % 3), OFF_BY_ONE_HINT),
     Mistake(_dense(log_softmax(_Z_DENSE, axis=0)),
             "Normalise each row (axis=-1, the class axis), not each column."),
     # The per-row sum and picking one entry per row overflow differently.
     Mistake(_dense(unshifted_log_softmax(_Z_DENSE)), _OVERFLOW),
     Mistake(-unshifted_log_softmax(_Z_DENSE)[np.arange(4), _Y_DENSE], _OVERFLOW),
     Mistake(-np.sum(np.eye(3)[_Y_DENSE] * softmax(_Z_DENSE), axis=-1),
             "Take the logarithm: the loss uses log-probabilities, not probabilities."),
     Mistake(_dense(_Z_DENSE), "Normalise first: the loss uses log_softmax(z), not the raw "
                               "logits.")],
    shape_hint="tf.nn.softmax_cross_entropy_with_logits does not reduce: return one loss "
               "per row, shape (N,) = (4,). Sum over the class axis only (axis=-1).",
    value_hint="Build targets = np.eye(C)[labels], then compute "
               "-sum(targets * log_softmax(logits), axis=-1) for each row.",
    reveal=True)   # computed in code, not by hand: the expected entry helps to debug


# -- Spot the bug: a double softmax ----------------------------------------
_Z_BUG, _Y_BUG = np.array(BUG_LOGITS), np.array(BUG_LABELS)
_BUGGY = float(-np.mean(log_softmax(softmax(_Z_BUG))[np.arange(4), _Y_BUG]))
_FIXED = float(-np.mean(log_softmax(_Z_BUG)[np.arange(4), _Y_BUG]))
_MINUS_P = float(-np.mean(softmax(_Z_BUG)[np.arange(4), _Y_BUG]))


def _bug_exercise(name: str, right: float, other: float, other_hint: str,
                  value_hint: str) -> ValueExercise:
    return ValueExercise(
        name, right, BY_HAND,
        [Mistake(other, other_hint),
         Mistake(_MINUS_P, "That is nll_loss applied to probabilities, -mean(p_y): a negative "
                           "number, not a loss. F.cross_entropy takes a log-softmax first."),
         Mistake(right / np.log(10), LOG10_HINT),
         Mistake(right * len(BUG_LABELS), "F.cross_entropy returns the mean over the "
                                          "batch (reduction='mean'), not the sum.")],
        shape_hint=f"{name} is one number: F.cross_entropy returns the mean over the "
                   "batch.",
        value_hint=value_hint)


BUGGY_LOSS = _bug_exercise(
    "buggy_loss", _BUGGY, _FIXED,
    "That is the correct loss. The buggy code feeds softmax(logits) to F.cross_entropy, "
    "which applies a softmax again.",
    "Apply the softmax twice: compute softmax(BUG_LOGITS), then the cross-entropy of "
    "those numbers treated as logits.")
FIXED_LOSS = _bug_exercise(
    "fixed_loss", _FIXED, _BUGGY,
    "That is what the buggy code reports: the softmax is applied twice. The fix passes "
    "the raw logits to F.cross_entropy.",
    "Compute the mean cross-entropy of BUG_LOGITS themselves, for example with "
    "helpers.cross_entropy.")


# -- nll_loss with ignore_index --------------------------------------------
def _kept(log_probs, labels, ignore_index):
    """log_probs[n, labels[n]] for the rows that are not ignored, (K,)."""
    keep = labels != ignore_index
    return log_probs[np.arange(len(labels))[keep], labels[keep]]


def _nll(log_probs, labels, ignore_index=IGNORE_INDEX):
    return float(-np.mean(_kept(log_probs, labels, ignore_index)))


def _nll_mistake(hint: str, loss) -> Mistake:
    """A wrong my_nll_loss: `loss(log_probs, labels, ignore_index)`."""
    return Mistake(lambda lp, y, ignore_index=IGNORE_INDEX: loss(lp, y, ignore_index), hint)


_RNG = np.random.default_rng(8)
_TALL = log_softmax(_RNG.normal(scale=2.0, size=(5, 4)))                  # (5, 4)
NLL_LOSS = FunctionExercise(
    "my_nll_loss", _nll,
    [Case((log_softmax(_RNG.normal(scale=2.0, size=(3, 3))), np.array([2, 0, 1])),
          why="a square batch, N == C, so a wrong axis or log_probs[:, labels] gives a "
              "wrong number, not an error"),
     Case((log_softmax(_RNG.normal(scale=2.0, size=(2, 5))), np.array([4, 1])), why="N = 2, C = 5"),
     Case((_TALL, np.array([1, IGNORE_INDEX, 3, IGNORE_INDEX, 0])),
          why="two labels are -100, the default ignore_index: leave those rows out"),
     Case((_TALL, np.array([1, 2, 3, 2, 0])), {"ignore_index": 2},
          why="ignore_index=2: use the argument, not the constant -100"),
     Case((log_softmax(np.array([[1500.0, 0.0, -2.0], [0.0, 1.0, 2.0]])), np.array([1, 2])),
          why="a true class with log-probability about -1500")],
    _CODE,
    [_nll_mistake("Check the sign: the loss is minus the mean log-probability of the true "
                  "classes, which is never negative.", lambda lp, y, ig: -_nll(lp, y, ig)),
     _nll_mistake("reduction='mean' is the default: divide by the number of rows that "
                  "count, not just add them.",
                  lambda lp, y, ig: -np.sum(_kept(lp, y, ig))),
     _nll_mistake("Divide by the number of rows that are not ignored, not by N: ignored "
                  "rows do not count at all.",
                  lambda lp, y, ig: -np.sum(_kept(lp, y, ig)) / len(y)),
     _nll_mistake("The inputs are natural-log probabilities; do not convert them to base "
                  "10.", lambda lp, y, ig: _nll(lp, y, ig) / np.log(10)),
     _nll_mistake("log_probs already holds log-probabilities: do not take the log again "
                  "(the log of a negative number is nan).",
                  lambda lp, y, ig: -np.mean(np.log(_kept(lp, y, ig)))),
     _nll_mistake("That is -mean(p): you turned the log-probabilities back into "
                  "probabilities. nll_loss is -mean(log p).",
                  lambda lp, y, ig: -np.mean(np.exp(_kept(lp, y, ig)))),
     _nll_mistake("log_probs[:, labels] takes N entries from every row. Pick one entry "
                  "per row: log_probs[rows, labels].",
                  lambda lp, y, ig: -np.mean(lp[y != ig][:, y[y != ig]])),
     _nll_mistake(OFF_BY_ONE_HINT,
                  lambda lp, y, ig: _nll(lp, np.where(y == ig, ig, (y - 1) % lp.shape[1]),
                                         ig)),
     _nll_mistake("Do not exponentiate: exp(-1500) is 0 in floating point and its log is "
                  "-inf. Use the log-probabilities directly.",
                  lambda lp, y, ig: -np.mean(np.log(np.exp(_kept(lp, y, ig)))))],
    shape_hint="Return one number, the mean over the rows that are not ignored (reduction='mean').",
    value_hint="Keep the rows whose label is not ignore_index, pick log_probs[row, label] "
               "in each, and return minus their mean.")


# -- A loss for segmentation, classes on axis 1 ----------------------------
def _segmentation(logits, labels, *, log_probs=None):
    """Mean over the N * H * W pixels of -log_probs[n, labels[n, h, w], h, w]."""
    log_probs = log_softmax(logits, axis=1) if log_probs is None else log_probs
    return float(-np.mean(np.take_along_axis(log_probs, labels[:, None], axis=1)))


def _pixels(logits):
    """(N, C, H, W) -> (N * H * W, C), one row per pixel."""
    return np.moveaxis(logits, 1, -1).reshape(-1, logits.shape[1])


def _with_log_softmax(log_softmax_of):
    """The loss a learner gets from a (wrong) log-softmax of the logits."""
    return lambda z, y: _segmentation(z, y, log_probs=log_softmax_of(z))


def _segmentation_case(n, c, h, w, why, row=None):
    """Random logits and labels; `row` goes in pixel (0, 0) of image 0, label its max."""
    logits = _RNG.normal(scale=2.0, size=(n, c, h, w))
    labels = _RNG.integers(0, c, size=(n, h, w))
    if row is not None:
        logits[0, :, 0, 0] = row
        labels[0, 0, 0] = int(np.argmax(row))
    return Case((logits, labels), why=why)


SEGMENTATION_LOSS = FunctionExercise(
    "segmentation_loss", _segmentation,
    [_segmentation_case(2, 3, 2, 3, "W == C == 3, so normalising over the last axis runs "
                                    "but gives wrong numbers"),
     _segmentation_case(1, 4, 3, 2, "N = 1, C = 4, H = 3, W = 2"),
     _segmentation_case(3, 2, 2, 2, "C == H == W == 2, so only the right pairing of "
                                    "labels and logits gives the right number"),
     *(_segmentation_case(1, 3, 2, 2, f"one pixel has {why}", row=row)
       for row, why in SHIFT_ROWS.values())],
    _CODE,
    [Mistake(_with_log_softmax(lambda z: log_softmax(z, axis=-1)),
             "The classes are on axis 1 of (N, C, H, W): normalise with "
             "log_softmax(logits, axis=1), not over the last axis."),
     Mistake(lambda z, y: -np.mean(log_softmax(z.reshape(-1, z.shape[1]))[
                 np.arange(y.size), y.reshape(-1)]),
             "logits.reshape(-1, C) on an (N, C, H, W) array mixes up classes and pixels. "
             "Move the class axis last first: np.moveaxis(logits, 1, -1)."),
     Mistake(lambda z, y: -np.mean(log_softmax(_pixels(np.swapaxes(z, 2, 3)))[
                 np.arange(y.size), y.reshape(-1)]),
             "Keep the pixel order: labels[n, h, w] belongs with logits[n, :, h, w]. "
             "np.moveaxis(logits, 1, -1) gives (N, H, W, C) in that order."),
     Mistake(lambda z, y: _segmentation(z, y) * y[0].size,
             "F.cross_entropy averages over every pixel of every image (N * H * W "
             "losses), not over the N images."),
     Mistake(lambda z, y: _segmentation(z, y) * y.size,
             "reduction='mean' is the default: average the N * H * W pixel losses."),
     Mistake(lambda z, y: _segmentation(z, y) / np.log(10), LOG10_HINT),
     *shift_mistakes(_with_log_softmax, _SHIFT_HINTS,
                     lambda z, s: shifted_log_softmax(z, s, axis=1), ("mean", "min", "zero"))],
    shape_hint="Return one number: the mean over all N * H * W pixels.",
    value_hint="Compute log_softmax over axis 1, pick the log-probability of each pixel's "
               "label, and return minus the mean.")


# -- SciPy's default axis --------------------------------------------------
_Z_SCIPY = np.array(SCIPY_LOGITS)                                         # (3, 4)
_PER = " SciPy's default is axis=None: one softmax over all twelve entries."
SCIPY_DEFAULT = ValueExercise(
    "scipy_probs", softmax(_Z_SCIPY.ravel()).reshape(_Z_SCIPY.shape),
    Tolerance(rtol=1e-6, atol=1e-12),
    [Mistake(softmax(_Z_SCIPY), "That is the softmax of each row (axis=-1)." + _PER),
     Mistake(softmax(_Z_SCIPY, axis=0), "That is the softmax of each column (axis=0)." + _PER)],
    shape_hint="scipy.special.softmax returns an array of the input's shape, (3, 4), even "
               "when it normalises the whole array: reshape the result back.",
    value_hint="Flatten the array, take one softmax of all twelve logits, and reshape back "
               "to (3, 4); the entries then sum to 1 together.")


EXERCISES = {
    "check_dense_losses": (DENSE_LOSSES,),
    "check_bug_losses": (BUGGY_LOSS, FIXED_LOSS),
    "check_nll_loss": (NLL_LOSS,),
    "check_segmentation_loss": (SEGMENTATION_LOSS,),
    "check_scipy_default": (SCIPY_DEFAULT,),
}
