"""The exercises of the chapter on cross-entropy: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch04.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import entropy, log_of_softmax, mean_nll, shift_mistakes, shifted_log_softmax
from helpers.checks.cases import (BITS_HINT, BY_HAND, FAR_BELOW, LOG10_HINT, LOG_OF_SOFTMAX_HINT,
                                  MEAN_HINT, OFF_BY_ONE_HINT, UNSTABLE, UNSTABLE_HINTS,
                                  labelled_case)
from helpers.checks.ch04 import ENTROPY_PROBS, SMOOTHING, SMOOTHING_CLASSES, UNIFORM_CLASSES
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import cross_entropy, log_softmax, softmax

# A float64 loss through a log-softmax agrees to ~1e-15 here; float32 (eps 1.2e-7) fails.
CODE = Tolerance(rtol=1e-9, atol=1e-12)


# -- Entropy in bits ------------------------------------------------------
_P = np.array(ENTROPY_PROBS)
_NATS = entropy(_P)
ENTROPY_BITS = ValueExercise(
    "entropy_bits", entropy(_P, np.log2), BY_HAND,
    [Mistake(_NATS, "np.log is the natural logarithm, so this is the entropy in nats. "
                    "For bits use np.log2, or divide the nats by ln 2."),
     Mistake(_NATS * np.log(2), "To turn nats into bits, divide by ln 2 (about 0.693); "
                                "you multiplied."),
     Mistake(_NATS / np.log(10), "That is the entropy in base 10 (np.log10). Bits need "
                                 "base 2: np.log2."),
     Mistake(-_NATS / np.log(2), "Check the sign: entropy is -sum p log2 p, and it is "
                                 "never negative, because log2 p <= 0."),
     Mistake(np.sum(-np.log2(_P)), "Weight each surprisal -log2 p by its probability p "
                                   "before adding them."),
     Mistake(np.mean(-np.log2(_P)), "Entropy is the probability-weighted average of the "
                                    "surprisals, not their plain average."),
     Mistake(np.log2(_P.size), "log2(4) = 2 bits is the entropy of the uniform "
                               "distribution on 4 outcomes; use the given probabilities.")],
    shape_hint="entropy_bits is one number for the whole distribution: add up the terms -p log2 p.",
    value_hint="Compute -p log2 p for each of the four outcomes and add them up.")


# -- Cross-entropy from logits, mean over a batch --------------------------
_rng = np.random.default_rng(4)
_UNSTABLE = (*UNSTABLE[:4], FAR_BELOW, UNSTABLE[4])
_LABELS = [1, 0], [0, 2], [2, 2], [0, 1], [0, 2], [0, 2]                  # one pair per batch
CE_CASES = (
    labelled_case([[2.0, 1.0, 0.1], [-1.0, 0.5, 3.0], [0.3, 0.3, -2.0]], [0, 2, 1],
             "a square batch whose true class is not always the largest logit"),
    labelled_case(_rng.normal(scale=2.0, size=(2, 4)), [3, 0], "N = 2 samples, C = 4 classes"),
    *(labelled_case(z, y, why) for (z, why), y in zip(_UNSTABLE, _LABELS)),
    labelled_case([[3.0, -2.0, 0.5, 0.0, 1.0]], [4], "one sample, its true class last"),
)


def _ce(log_probs_of):
    """The cross-entropy a learner gets from a (wrong) log-softmax."""
    return lambda z, y: mean_nll(log_probs_of(z), y)


# Order matters where two mistakes give the same inf or nan: on [800, 0, -800] the mean shift
# and no shift agree, so the mean comes first. (The log of a batch-max softmax is also
# log(softmax), which shows first.)
CE_MISTAKES = (
    Mistake(_ce(lambda z: -log_softmax(z)), "Check the sign: the loss is -log p of the "
            "true class, which is never negative."),
    Mistake(lambda z, y: len(y) * cross_entropy(z, y), MEAN_HINT),
    Mistake(lambda z, y: -np.mean(np.eye(z.shape[-1])[y] * log_softmax(z)),
            "np.mean over the (N, C) array of one-hot times log-probabilities divides by "
            "N * C. Average over the N samples only."),
    Mistake(lambda z, y: cross_entropy(z, y) / np.log(10), LOG10_HINT),
    Mistake(lambda z, y: cross_entropy(z, y) / np.log(2), BITS_HINT),
    Mistake(_ce(lambda z: log_softmax(z, axis=0)),
            "Each row is one sample: normalise along the last axis (axis=-1), so that "
            "the probabilities of each row sum to 1."),
    Mistake(lambda z, y: -np.mean(log_softmax(z)[:, y]),
            "log_probs[:, labels] takes N entries from every row. Pick one entry per "
            "row: log_probs[np.arange(N), labels]."),
    Mistake(lambda z, y: cross_entropy(z, (y - 1) % z.shape[-1]), OFF_BY_ONE_HINT),
    Mistake(_ce(softmax), "Take the logarithm: the loss is -log p of the true class, not -p."),
    Mistake(_ce(lambda z: z), "Normalise first: the loss uses the log-probability "
            "z_y - logsumexp(z), not the raw logit z_y."),
    Mistake(lambda z, y: cross_entropy(z, y, reduction="none"),
            "Return one number, the mean over the batch, not one loss per sample."),
    Mistake(_ce(log_of_softmax), LOG_OF_SOFTMAX_HINT),
    *shift_mistakes(_ce, UNSTABLE_HINTS, shifted_log_softmax),
    *shift_mistakes(lambda f: _ce(lambda z: np.log(f(z))), UNSTABLE_HINTS,
                    shifts=("mean", "min", "zero")),
)

MY_CROSS_ENTROPY = FunctionExercise(
    "my_cross_entropy", cross_entropy, CE_CASES, CODE, CE_MISTAKES,
    shape_hint="Return one number: the mean of the N per-sample losses.",
    value_hint="Compute log-probabilities z - logsumexp(z) row by row (with the row maximum "
               "subtracted), pick the true class in each row, and return minus their mean.",
    forbidden=("helpers.cross_entropy", "helpers.reference"))          # "not helpers"


# -- The floor of a smoothed loss ------------------------------------------
def _smoothed(true_share: float, other_share: float) -> np.ndarray:
    return np.array([true_share] + [other_share] * (SMOOTHING_CLASSES - 1))   # (C,)


_EPS, _C = SMOOTHING, SMOOTHING_CLASSES
_TARGET = _smoothed(1 - _EPS + _EPS / _C, _EPS / _C)                 # 0.91, 0.01, ...
_FLOOR = entropy(_TARGET)
_TERMS = -_TARGET * np.log(_TARGET)

_ONE_HOT = ("A one-hot prediction puts probability 0 on classes that the smoothed target gives "
            "eps/C, so its loss is infinite. The best prediction is the smoothed target itself.")
SMOOTHED_MIN_LOSS = ValueExercise(
    "min_loss", _FLOOR, BY_HAND,
    [Mistake(0.0, "0 is the floor without smoothing, reached only as the logits go to "
                  "infinity. With smoothing the target itself is uncertain: the smallest "
                  "loss is its entropy."),
     Mistake(np.log(_C), "log C is the loss of a uniform prediction, not the smallest loss."),
     Mistake(entropy(_smoothed(1 - _EPS, _EPS / _C)),
             "The true class gets 1 - eps + eps/C = 0.91: the eps is spread over all C "
             "classes, the true one included, so the target sums to 1."),
     Mistake(entropy(_smoothed(1 - _EPS, _EPS / (_C - 1))),
             "Spread eps over all C classes (eps/C each, the true class included), not "
             "over the C - 1 wrong ones."),
     Mistake(-(1 - _EPS) * np.log(1 - _EPS) - _EPS * np.log(_EPS / _C),
             "The true class gets 1 - eps + eps/C = 0.91, and each of the nine others "
             "eps/C = 0.01."),
     Mistake(_FLOOR / np.log(2), BITS_HINT),
     Mistake(_FLOOR / np.log(10), LOG10_HINT),
     Mistake(_TERMS[0], "Include the nine wrong classes: each contributes -0.01 log 0.01."),
     Mistake(np.sum(_TERMS[1:]), "Include the true class: it contributes -0.91 log 0.91."),
     Mistake(-_FLOOR, "Check the sign: a cross-entropy is never negative."),
     Mistake(np.inf, _ONE_HOT)],
    shape_hint="min_loss is one number, the smallest possible loss for one sample.",
    value_hint="Write down the smoothed target (0.91 on the true class, 0.01 on each other class); "
               "the best prediction is the target itself, and the loss there is its entropy.")


# -- The loss of a uniform guess -------------------------------------------
_K = UNIFORM_CLASSES
UNIFORM_LOSS = ValueExercise(
    "uniform_loss", np.log(_K), BY_HAND,
    [Mistake(np.log2(_K), BITS_HINT),
     Mistake(np.log10(_K), LOG10_HINT),
     Mistake(1 / _K, "1/C is the probability the uniform guess gives the true class; the "
                     "loss is minus its logarithm."),
     Mistake(-np.log(_K), "Check the sign: the loss is -log(1/C), which is positive."),
     Mistake(float(_K), "The loss is -log(1/C), not C."),
     Mistake(1 - 1 / _K, "1 - 1/C is the error rate of a uniform guess; the loss is -log(1/C)."),
     Mistake(0.0, "A loss of 0 needs probability 1 on the true class; the uniform guess "
                  "gives it only 1/C.")],
    shape_hint="uniform_loss is one number: every sample has the same loss, so the mean "
               "is that loss.",
    value_hint="A uniform guess gives the true class probability 1/C; the loss is -log(1/C).")


# -- The multiclass hinge loss, vectorised ------------------------------------
def _margins(logits, labels, delta):
    """max(0, z_j - z_y + delta) for every class, (N, C); the true class's entry is delta."""
    logits = np.asarray(logits, dtype=float)
    true = logits[np.arange(len(labels)), labels][:, None]                # (N, 1)
    return np.maximum(0.0, logits - true + delta)


def _without_true(values, labels):
    """`values` (N, C) with the true class's entry of each row set to 0."""
    values = np.array(values, dtype=float)
    values[np.arange(len(labels)), labels] = 0.0
    return values


def _hinge(logits, labels, delta=1.0):
    """The Weston-Watkins multiclass hinge loss of each sample, (N,)."""
    return _without_true(_margins(logits, labels, delta), labels).sum(axis=-1)


def _unclipped(logits, labels, delta=1.0):
    logits = np.asarray(logits, dtype=float)
    true = logits[np.arange(len(labels)), labels][:, None]
    return _without_true(logits - true + delta, labels).sum(axis=-1)


def _flipped(logits, labels, delta=1.0):
    logits = np.asarray(logits, dtype=float)
    true = logits[np.arange(len(labels)), labels][:, None]
    return _without_true(np.maximum(0.0, true - logits + delta), labels).sum(axis=-1)


def _hinge_case(logits, labels, why, **kwargs):
    return Case((np.array(logits, dtype=float), np.array(labels)), kwargs, why)


HINGE_CASES = (
    _hinge_case([[13.0, -7.0, 11.0]], [0], "CS231n's example, with the margin delta = 10",
                delta=10.0),
    _hinge_case([[-2.85, 0.86, 0.28], [10.0, -2.0, 3.0], [10.0, 9.0, 9.0]], [2, 0, 0],
                "CS231n's samples, the last one meeting the margin exactly", delta=1.0),
    _hinge_case(np.random.default_rng(44).normal(scale=1.5, size=(4, 5)), [4, 0, 2, 2],
                "N = 4 samples, C = 5 classes, the default margin"),
    _hinge_case([[1.0, 1.0, 1.0], [2.0, 1.5, 0.0]], [1, 0], "ties, and a margin of 0.5",
                delta=0.5),
    _hinge_case([[1000.0, -1000.0, 999.5], [-1000.0, 1000.0, 0.0]], [0, 2],
                "logits near +-1000 (there is no exponential, so nothing overflows)"),
)

HINGE_MISTAKES = (
    Mistake(lambda z, y, delta=1.0: _margins(z, y, delta).sum(axis=-1),
            "Each loss is delta too large: the sum runs over the wrong classes j != y only. "
            "The true class's term is max(0, z_y - z_y + delta) = delta; set it to 0 before "
            "summing."),
    Mistake(_unclipped, "Clip each margin at 0 with np.maximum(0, ...): a wrong class that "
                        "lies delta or more below the true logit adds nothing, not a "
                        "negative amount."),
    Mistake(_flipped, "Check the sign: a wrong class j is charged max(0, z_j - z_y + delta), "
                      "which grows when z_j comes close to the true logit z_y."),
    Mistake(lambda z, y, delta=1.0: _hinge(z, y, 1.0),
            "Use the margin delta that is passed in, not a fixed 1."),
    Mistake(lambda z, y, delta=1.0: _without_true(_margins(z, y, delta) ** 2, y).sum(axis=-1),
            "Do not square the margins: that is the squared hinge loss. This one adds "
            "max(0, z_j - z_y + delta) itself."),
    Mistake(lambda z, y, delta=1.0: _without_true(_margins(z, y, delta), y).max(axis=-1),
            "Add the margins of all the wrong classes; the largest one alone is another "
            "hinge loss (Crammer and Singer's), not this one."),
    Mistake(lambda z, y, delta=1.0: np.mean(_hinge(z, y, delta)),
            "Return one loss per sample, shape (N,), not their mean over the batch."),
)

MULTICLASS_HINGE = FunctionExercise(
    "multiclass_hinge", _hinge, HINGE_CASES, CODE, HINGE_MISTAKES,
    shape_hint="Return one loss per sample: an array of shape (N,), summed over the "
               "classes j != y.",
    value_hint="Pick the true logit of each row with logits[np.arange(N), labels], keep it "
               "as a column so that it broadcasts, clip z_j - z_y + delta at 0, set the true "
               "class's entry to 0 and sum each row.")


EXERCISES = {"check_entropy_bits": (ENTROPY_BITS,), "check_my_cross_entropy": (MY_CROSS_ENTROPY,),
             "check_multiclass_hinge": (MULTICLASS_HINGE,),
             "check_smoothed_min_loss": (SMOOTHED_MIN_LOSS,),
             "check_uniform_loss": (UNIFORM_LOSS,)}
