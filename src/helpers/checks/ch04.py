"""Checks for the exercises of the chapter on cross-entropy, as data.

Each exercise is a :class:`~helpers.checks.ValueExercise` or a
:class:`~helpers.checks.FunctionExercise`: the right answer, the test
inputs, the typical mistakes with their hints, and the tolerance the
exercise text states.  The batches of ``my_cross_entropy`` expose the
instabilities the chapter teaches: logits near +1000 and -1000 (no shift),
a spread of 1000 around 0 (a shift by the row minimum), the row
[800, 0, -800] (a shift by the row mean), a true class 2000 below the
maximum (``log(softmax(z))``) and rows far below the batch maximum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numerics import cross_entropy, log_softmax, softmax
from .engine import Case, Feedback, FunctionExercise, Mistake, Tolerance, ValueExercise
from .mistakes import (log_of_softmax, mean_nll, shifted_log_softmax, shifted_softmax,
                       unshifted_log_softmax, unshifted_softmax)

__all__ = ["ENTROPY_PROBS", "EXERCISES", "SMOOTHING", "SMOOTHING_CLASSES",
           "UNIFORM_CLASSES", "check_entropy_bits", "check_my_cross_entropy",
           "check_smoothed_min_loss", "check_uniform_loss"]

#: The distribution of the exercise "Entropy in bits".
ENTROPY_PROBS = (0.5, 0.25, 0.125, 0.125)

#: The label smoothing and number of classes of "The floor of a smoothed loss".
SMOOTHING = 0.1
SMOOTHING_CLASSES = 10

#: The number of classes of "The loss of a uniform guess".
UNIFORM_CLASSES = 1000

# Worked by hand: the exercise texts say "to three significant digits".
BY_HAND = Tolerance(digits=3)
# A float64 loss through a log-softmax agrees with helpers.cross_entropy to
# ~1e-15 relative on these batches; float32 (eps 1.2e-7) does not pass.
CODE = Tolerance(rtol=1e-9, atol=1e-12)


def _entropy(probs, log=np.log) -> float:
    probs = np.asarray(probs)
    return float(-np.sum(probs * log(probs)))


# -- Entropy in bits ------------------------------------------------------

_P = np.array(ENTROPY_PROBS)
_NATS = _entropy(_P)

ENTROPY_BITS = ValueExercise(
    "entropy_bits", _entropy(_P, np.log2), BY_HAND,
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
    shape_hint="entropy_bits is one number for the whole distribution: add up the "
               "terms -p log2 p.",
    value_hint="Compute -p log2 p for each of the four outcomes and add them up.")


# -- Cross-entropy from logits, mean over a batch --------------------------

def _ce_case(logits, labels, why: str) -> Case:
    return Case((np.array(logits, dtype=float), np.array(labels)), why=why)


_rng = np.random.default_rng(4)
CE_CASES = (
    _ce_case([[2.0, 1.0, 0.1], [-1.0, 0.5, 3.0], [0.3, 0.3, -2.0]], [0, 2, 1],
             "a square batch whose true class is not always the largest logit"),
    _ce_case(_rng.normal(scale=2.0, size=(2, 4)), [3, 0], "N = 2 samples, C = 4 classes"),
    _ce_case([[1000.0, 999.0, 998.0], [999.0, 1000.0, 1001.0]], [1, 0],
             "logits near +1000: exp overflows unless a shift brings them down"),
    _ce_case([[-1000.0, -999.0, -1001.0], [-1000.5, -998.0, -999.0]], [0, 2],
             "logits near -1000: every exp underflows to 0 unless a shift lifts them"),
    _ce_case([[500.0, -500.0, 0.0], [400.0, -400.0, 300.0]], [2, 2],
             "a spread of 1000 around 0: subtracting the row minimum overflows"),
    _ce_case([[800.0, 0.0, -800.0], [799.0, 801.0, -799.0]], [0, 1],
             "the row [800, 0, -800], whose mean is 0: subtracting the row mean overflows"),
    _ce_case([[1000.0, 999.0, 0.0], [1000.0, 0.0, -1000.0]], [0, 2],
             "a true class 2000 below the maximum: its probability underflows to 0"),
    _ce_case([[5.0, 4.0, 3.0], [-800.0, -799.0, -798.0]], [0, 2],
             "a row 800 below the batch maximum: each row needs its own maximum"),
    _ce_case([[3.0, -2.0, 0.5, 0.0, 1.0]], [4], "one sample, its true class last"),
)


def _ce(log_probs_of):
    """The cross-entropy a learner gets from a (wrong) log-softmax."""
    return lambda z, y: mean_nll(log_probs_of(z), y)


def _logged(softmax_of):
    return lambda z: np.log(softmax_of(z))


_OVERFLOW = ("exp(1000) overflows to inf. Subtract each row's maximum from the logits "
             "before exponentiating (np.max(logits, axis=-1, keepdims=True)).")
_MEAN = ("The row [800, 0, -800] has mean 0, so subtracting the row mean leaves "
         "exp(800), which overflows. Subtract the row maximum: then every exponent is <= 0.")
_MIN = ("Subtracting the row minimum makes the exponents larger, not smaller: "
        "[500, -500, 0] becomes [1000, 0, 500] and exp(1000) overflows. Subtract the "
        "row maximum.")
_BATCH_MAX = ("Subtract each row's own maximum, not the maximum of the whole batch: a row "
              "far below the batch maximum underflows to exp(-800) = 0.")

# Order matters where two mistakes give the same inf or nan: on the row
# [800, 0, -800] the mean shift and no shift agree, so the mean comes first.
# (The log of a batch-max softmax is not listed: it is also log(softmax), and
# that mistake shows first.)
CE_MISTAKES = (
    Mistake(_ce(lambda z: -log_softmax(z)), "Check the sign: the loss is -log p of the "
            "true class, which is never negative."),
    Mistake(lambda z, y: len(y) * cross_entropy(z, y),
            "Take the mean over the batch, not the sum: divide by N."),
    Mistake(lambda z, y: -np.mean(np.eye(z.shape[-1])[y] * log_softmax(z)),
            "np.mean over the (N, C) array of one-hot times log-probabilities divides by "
            "N * C. Average over the N samples only."),
    Mistake(lambda z, y: cross_entropy(z, y) / np.log(10),
            "Use the natural logarithm (np.log), not log10: the loss is in nats."),
    Mistake(lambda z, y: cross_entropy(z, y) / np.log(2),
            "Use the natural logarithm (np.log), not log2: the loss is in nats."),
    Mistake(_ce(lambda z: log_softmax(z, axis=0)),
            "Each row is one sample: normalise along the last axis (axis=-1), so that "
            "the probabilities of each row sum to 1."),
    Mistake(lambda z, y: -np.mean(log_softmax(z)[:, y]),
            "log_probs[:, labels] takes N entries from every row. Pick one entry per "
            "row: log_probs[np.arange(N), labels]."),
    Mistake(lambda z, y: cross_entropy(z, (y - 1) % z.shape[-1]),
            "Off by one class: labels are already 0-based indices, so use them as they are."),
    Mistake(_ce(softmax), "Take the logarithm: the loss is -log p of the true class, not -p."),
    Mistake(_ce(lambda z: z), "Normalise first: the loss uses the log-probability "
            "z_y - logsumexp(z), not the raw logit z_y."),
    Mistake(lambda z, y: cross_entropy(z, y, reduction="none"),
            "Return one number, the mean over the batch, not one loss per sample."),
    Mistake(_ce(log_of_softmax),
            "log(softmax(z)) fails when the true class is far below the maximum: its "
            "probability underflows to 0 and the log gives inf. Compute the "
            "log-probabilities directly, z - logsumexp(z), with the row maximum "
            "subtracted inside the log-sum-exp."),
    Mistake(_ce(lambda z: shifted_log_softmax(z, "mean")), _MEAN),
    Mistake(_ce(_logged(lambda z: shifted_softmax(z, "mean"))), _MEAN),
    Mistake(_ce(lambda z: shifted_log_softmax(z, "min")), _MIN),
    Mistake(_ce(_logged(lambda z: shifted_softmax(z, "min"))), _MIN),
    Mistake(_ce(lambda z: shifted_log_softmax(z, "batch max")), _BATCH_MAX),
    Mistake(_ce(unshifted_log_softmax), _OVERFLOW),
    Mistake(_ce(_logged(unshifted_softmax)), _OVERFLOW),
)

MY_CROSS_ENTROPY = FunctionExercise(
    "my_cross_entropy", cross_entropy, CE_CASES, CODE, CE_MISTAKES,
    shape_hint="Return one number: the mean of the N per-sample losses.",
    value_hint="Compute log-probabilities z - logsumexp(z) row by row (with the row "
               "maximum subtracted), pick the true class in each row, and return minus "
               "their mean.")


# -- The floor of a smoothed loss ------------------------------------------

def _smoothed(true_share: float, other_share: float) -> np.ndarray:
    return np.array([true_share] + [other_share] * (SMOOTHING_CLASSES - 1))   # (C,)


_EPS, _C = SMOOTHING, SMOOTHING_CLASSES
_TARGET = _smoothed(1 - _EPS + _EPS / _C, _EPS / _C)                 # 0.91, 0.01, ...
_FLOOR = _entropy(_TARGET)
_TERMS = -_TARGET * np.log(_TARGET)

_ONE_HOT = ("A one-hot prediction puts probability 0 on classes that the smoothed target "
            "gives eps/C, so its loss is infinite. The best prediction is the smoothed "
            "target itself.")

SMOOTHED_MIN_LOSS = ValueExercise(
    "min_loss", _FLOOR, BY_HAND,
    [Mistake(0.0, "0 is the floor without smoothing, reached only as the logits go to "
                  "infinity. With smoothing the target itself is uncertain: the smallest "
                  "loss is its entropy."),
     Mistake(np.log(_C), "log C is the loss of a uniform prediction, not the smallest loss."),
     Mistake(_entropy(_smoothed(1 - _EPS, _EPS / _C)),
             "The true class gets 1 - eps + eps/C = 0.91: the eps is spread over all C "
             "classes, the true one included, so the target sums to 1."),
     Mistake(_entropy(_smoothed(1 - _EPS, _EPS / (_C - 1))),
             "Spread eps over all C classes (eps/C each, the true class included), not "
             "over the C - 1 wrong ones."),
     Mistake(-(1 - _EPS) * np.log(1 - _EPS) - _EPS * np.log(_EPS / _C),
             "The true class gets 1 - eps + eps/C = 0.91, and each of the nine others "
             "eps/C = 0.01."),
     Mistake(_FLOOR / np.log(2), "That is the answer in bits; the loss uses natural "
                                 "logarithms (nats)."),
     Mistake(_FLOOR / np.log(10), "Use the natural logarithm (np.log), not log10."),
     Mistake(_TERMS[0], "Include the nine wrong classes: each contributes -0.01 log 0.01."),
     Mistake(np.sum(_TERMS[1:]), "Include the true class: it contributes -0.91 log 0.91."),
     Mistake(-_FLOOR, "Check the sign: a cross-entropy is never negative."),
     Mistake(np.inf, _ONE_HOT)],
    shape_hint="min_loss is one number, the smallest possible loss for one sample.",
    value_hint="Write down the smoothed target (0.91 on the true class, 0.01 on each "
               "other class); the best prediction is the target itself, and the loss "
               "there is its entropy.")


# -- The loss of a uniform guess -------------------------------------------

_K = UNIFORM_CLASSES
UNIFORM_LOSS = ValueExercise(
    "uniform_loss", np.log(_K), BY_HAND,
    [Mistake(np.log2(_K), "That is log2 C, in bits; the loss uses natural logarithms "
                          "(nats): np.log."),
     Mistake(np.log10(_K), "Use the natural logarithm (np.log), not log10."),
     Mistake(1 / _K, "1/C is the probability the uniform guess gives the true class; the "
                     "loss is minus its logarithm."),
     Mistake(-np.log(_K), "Check the sign: the loss is -log(1/C), which is positive."),
     Mistake(float(_K), "The loss is -log(1/C), not C."),
     Mistake(1 - 1 / _K, "1 - 1/C is the error rate of a uniform guess; the loss is "
                         "-log(1/C)."),
     Mistake(0.0, "A loss of 0 needs probability 1 on the true class; the uniform guess "
                  "gives it only 1/C.")],
    shape_hint="uniform_loss is one number: every sample has the same loss, so the mean "
               "is that loss.",
    value_hint="A uniform guess gives the true class probability 1/C; the loss is -log(1/C).")


EXERCISES = {
    "check_entropy_bits": (ENTROPY_BITS,),
    "check_my_cross_entropy": (MY_CROSS_ENTROPY,),
    "check_smoothed_min_loss": (SMOOTHED_MIN_LOSS,),
    "check_uniform_loss": (UNIFORM_LOSS,),
}


def check_entropy_bits(entropy_bits: Any) -> Feedback:
    """Check the entropy, in bits, of `ENTROPY_PROBS`, to three significant digits.

    Examples
    --------
    >>> from helpers.checks import NOT_ATTEMPTED
    >>> print(check_entropy_bits(NOT_ATTEMPTED).status)
    not attempted
    >>> print(check_entropy_bits(1.2130).hint)  # doctest: +ELLIPSIS
    np.log is the natural logarithm, so this is the entropy in nats. ...
    """
    return ENTROPY_BITS.check(entropy_bits)


def check_my_cross_entropy(my_cross_entropy: Any) -> Feedback:
    """Check ``my_cross_entropy(logits, labels)``, the mean loss over a batch.

    It is run on the batches of `CE_CASES` and compared with
    :func:`helpers.numerics.cross_entropy` with rtol = 1e-9, atol = 1e-12.

    Examples
    --------
    >>> import numpy as np
    >>> def raw_logit(logits, labels):
    ...     return -np.mean(logits[np.arange(len(labels)), labels])
    >>> print(check_my_cross_entropy(raw_logit).hint)  # doctest: +ELLIPSIS
    Normalise first: the loss uses the log-probability z_y - logsumexp(z), ...
    """
    return MY_CROSS_ENTROPY.check(my_cross_entropy)


def check_smoothed_min_loss(min_loss: Any) -> Feedback:
    """Check the smallest loss with label smoothing 0.1 over 10 classes, in nats.

    Three significant digits are enough.

    Examples
    --------
    >>> print(check_smoothed_min_loss(0.0).hint)  # doctest: +ELLIPSIS
    0 is the floor without smoothing, ...
    """
    return SMOOTHED_MIN_LOSS.check(min_loss)


def check_uniform_loss(uniform_loss: Any) -> Feedback:
    """Check the loss, in nats, of a uniform guess over 1000 classes (three digits).

    Examples
    --------
    >>> print(check_uniform_loss(3.0).hint)
    Use the natural logarithm (np.log), not log10.
    """
    return UNIFORM_LOSS.check(uniform_loss)
