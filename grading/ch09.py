"""The exercises of the chapter on mutual information: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch09.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import entropy, log_of_softmax, pick, shift_mistakes, shifted_log_softmax
from helpers.checks.cases import (BITS_HINT, BY_HAND, LOG10_HINT, LOG_OF_SOFTMAX_HINT, MEAN_HINT,
                                  SHIFT_ROWS, UNDERFLOW_ROW, shift_hints)
from helpers.checks.ch09 import BIAS_PRIORS, CEILING_CLASSES, MI_LABELS, MI_LOGITS
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import cross_entropy, log_softmax, softmax

# BY_HAND accepts the worked solutions' own 0.658, 2.303 and 0.201.
# float64 log-softmax arithmetic agrees to ~1e-15 here; the estimates are 0.1 to 200.
_CODE = Tolerance(rtol=1e-9, atol=1e-12)

_OVERFLOW = ("exp(805) overflows to inf, and inf / inf is nan; subtracting the row's "
             "minimum or mean does not prevent it for (800, -800, 805, -800). Subtract "
             "each row's maximum, or use helpers.cross_entropy, which does it for you.")
_SHIFT_HINTS = shift_hints(750, SHIFT_ROWS["min"][0], SHIFT_ROWS["mean"][0],
                           "helpers.log_softmax")


# -- An estimate from eight predictions: log C - CE ------------------------
_Z, _Y = np.array(MI_LOGITS), np.array(MI_LABELS)                   # (8, 4), (8,)
_LOG_C = np.log(_Z.shape[1])
_LOSS = float(cross_entropy(_Z, _Y))
_MI = _LOG_C - _LOSS
_P_TRUE = pick(softmax(_Z), _Y)                                    # (N,)
_PROBS = "The loss uses log-probabilities: CE = -mean(log p_y), not {}."
MI_ESTIMATE = ValueExercise(
    "mi_hat", _MI, BY_HAND,
    # inf / inf gives nan; z - log(inf) gives a loss of inf and an estimate of -inf.
    [Mistake(np.nan, _OVERFLOW), Mistake(-np.inf, _OVERFLOW),
     Mistake(_MI / np.log(2), BITS_HINT),
     Mistake(_MI / np.log(10), LOG10_HINT),
     Mistake(np.log10(4) - _LOSS, "log C and the loss must use the same logarithm: "
                                  "np.log(4), not np.log10."),
     Mistake(-_LOSS, "Add log C: the estimate is log C - CE, the uncertainty before seeing "
                     "x minus the loss after."),
     Mistake(_LOSS, "That is the cross-entropy itself. The estimate is log C minus it."),
     Mistake(-_MI, "Check the sign: the estimate is log C - CE, not CE - log C."),
     Mistake(np.log(len(_Y)) - _LOSS, "C is the number of classes (4, the columns of the "
                                      "logits), not the number of points."),
     Mistake(_LOG_C - len(_Y) * _LOSS, "Use the mean cross-entropy over the 8 points, not "
                                       "the sum."),
     Mistake(_LOG_C - np.mean(_P_TRUE), _PROBS.format("mean(p_y)")),
     Mistake(_LOG_C + np.mean(_P_TRUE), _PROBS.format("-mean(p_y)")),
     Mistake(_LOG_C - (1 - np.mean(_P_TRUE)), _PROBS.format("1 - mean(p_y)")),
     Mistake(_LOG_C + np.mean(pick(log_softmax(_Z, axis=0), _Y)),
             "Each row is one point: normalise along the last axis (axis=-1), so that "
             "each row's probabilities sum to 1.")],
    shape_hint="mi_hat is one number for the whole test set: log C minus the mean loss.",
    value_hint="Compute the mean cross-entropy of MI_LOGITS against MI_LABELS "
               "(helpers.cross_entropy does it; a log-softmax of your own must subtract "
               "each row's maximum), and subtract it from log 4.")


# -- The prior-corrected estimate: pc_mi_estimate(logits, labels, priors) ---
def _pc(logits, labels, priors, *, log_softmax=log_softmax):
    """Mean of log softmax(f + log pi)_y - log pi_y, the PC estimate."""
    log_pi = np.log(priors)                                          # (C,)
    return float(np.mean(pick(log_softmax(logits + log_pi), labels) - log_pi[labels]))


def _pc_case(logits, labels, why):
    """A test input whose priors are the label frequencies."""
    logits, labels = np.array(logits), np.array(labels)
    priors = np.bincount(labels, minlength=logits.shape[1]) / len(labels)
    return Case((logits, labels, priors), why=why)


def _pc_with(log_softmax_of):
    """The estimate a learner gets from a (wrong) log-softmax."""
    return lambda z, y, pi: _pc(z, y, pi, log_softmax=log_softmax_of)


_NORMAL = [[1.0, 2.0, 0.0], [0.0, 0.5, 3.0], [2.0, 1.0, 0.0]]       # labels 1, 2, 0
PC_MI_ESTIMATE = FunctionExercise(
    "pc_mi_estimate", _pc,
    [_pc_case([[2.0, 0.0, -1.0], [1.0, 0.5, 0.0], [0.0, 1.0, 0.5], [-0.5, 1.5, 0.0],
               [1.0, 0.0, 0.5], [0.0, 0.5, 1.0]], [0, 0, 0, 1, 1, 2],
              "unbalanced labels, 3:2:1, and N != C"),
     _pc_case([[1.0, 0.0, 2.0, -1.0], [0.5, 1.5, 0.0, 0.0], [-1.0, 2.0, 0.5, 1.0],
               [0.0, 0.0, 1.0, 0.5]], [2, 0, 3, 1], "a square batch, N == C"),
     _pc_case(np.random.default_rng(9).normal(scale=2.0, size=(20, 4)),
              np.repeat([0, 1, 2, 3], [10, 5, 3, 2]), "20 points, labels 10:5:3:2"),
     *(_pc_case([row, *_NORMAL], [0, 1, 2, 0], why) for row, why in SHIFT_ROWS.values()),
     _pc_case([UNDERFLOW_ROW[0], *_NORMAL], [2, 1, 2, 0], UNDERFLOW_ROW[1])],
    _CODE,
    [Mistake(lambda z, y, pi: np.log(z.shape[1]) + np.mean(pick(log_softmax(z), y)),
             "This is the naive estimate log C - CE(f). With unbalanced classes subtract "
             "the cross-entropy of f + log(priors) from the label entropy H(Y) instead."),
     Mistake(lambda z, y, pi: entropy(pi) + np.mean(pick(log_softmax(z), y)),
             "Add log(priors) to the logits before the log-softmax: the PC softmax "
             "divides by sum_c pi_c exp(f_c)."),
     Mistake(lambda z, y, pi: np.log(z.shape[1])
             + np.mean(pick(log_softmax(z + np.log(pi)), y)),
             "Subtract the loss from the label entropy H(Y) = -mean(log pi_y), not from "
             "log C: with unbalanced classes H(Y) < log C."),
     Mistake(lambda z, y, pi: np.mean(pick(log_softmax(z + np.log(pi)), y)),
             "You returned minus the cross-entropy of f + log(priors). Subtract log pi_y "
             "for each point as well: log r_y = log softmax(f + log pi)_y - log pi_y."),
     Mistake(lambda z, y, pi: np.mean(pick(log_softmax(z - np.log(pi)), y)
                                      + np.log(pi)[y]),
             "Check the signs: add log(priors) to the logits, and subtract log pi_y from "
             "each point's log-probability."),
     Mistake(lambda z, y, pi: np.mean(pick(log_softmax(z + np.log(pi)), y)
                                      + np.log(pi)[y]),
             "Check the sign of the last term: log r_y = log softmax(f + log pi)_y - log pi_y."),
     Mistake(lambda z, y, pi: np.mean(pick(log_softmax(z + pi), y) - pi[y]),
             "Use the logarithms of the priors, log(pi), not the priors themselves."),
     Mistake(lambda z, y, pi: _pc(z, y, pi) / np.log(2), BITS_HINT),
     Mistake(lambda z, y, pi: _pc(z, y, pi) / np.log(10), LOG10_HINT),
     Mistake(_pc_with(lambda v: log_softmax(v, axis=0)),
             "Each row is one point: normalise along the last axis (axis=-1)."),
     Mistake(lambda z, y, pi: _pc(z, y, pi) * len(y), MEAN_HINT),
     Mistake(lambda z, y, pi: pick(log_softmax(z + np.log(pi)), y) - np.log(pi)[y],
             "Return one number, the mean over the points, not one value per point."),
     # Before the shifts: on the last case a shift by the minimum gives -inf too.
     Mistake(_pc_with(log_of_softmax), LOG_OF_SOFTMAX_HINT),
     *shift_mistakes(_pc_with, _SHIFT_HINTS, shifted_log_softmax, ("mean", "min", "zero"))],
    shape_hint="Return one number: the mean of log r_y over the points.",
    value_hint="Add log(priors) to every row of logits, take the log-softmax of each row, "
               "pick the true class, subtract log pi_y, and average.",
    forbidden=("helpers.mi",))                          # "but not helpers.mi"


# -- The ceiling: log 10 ---------------------------------------------------
CEILING = ValueExercise(
    "ceiling", np.log(CEILING_CLASSES), BY_HAND,
    [Mistake(np.log2(CEILING_CLASSES), BITS_HINT),
     Mistake(np.log10(CEILING_CLASSES), LOG10_HINT),
     Mistake(float(CEILING_CLASSES), "The estimate is log C - CE; its largest value is a "
                                     "logarithm, not C itself."),
     Mistake(1 / CEILING_CLASSES, "1/C is the probability of a uniform guess; the ceiling "
                                  "is log C - (smallest possible CE)."),
     Mistake(np.log(CEILING_CLASSES - 1), "The loss can reach 0, so the ceiling is log C "
                                          "with C = 10, not log(C - 1)."),
     Mistake(0.0, "0 is the estimate of a classifier that learned nothing. The largest "
                  "estimate comes from a loss of 0."),
     Mistake(-np.log(CEILING_CLASSES), "Check the sign: the estimate is log C - CE, and "
                                       "CE is at least 0.")],
    shape_hint="ceiling is one number, in nats.",
    value_hint="The cross-entropy is never negative, and reaches 0 only if the true class "
               "always gets probability 1.")


# -- Information from nothing: log 3 - H(0.6, 0.3, 0.1) --------------------
_PI = np.array(BIAS_PRIORS)
_BIAS = np.log(len(_PI)) - entropy(_PI)
_WEIGHTED = "The loss of the best model is H(Y) = -sum pi log pi"
NAIVE_BIAS = ValueExercise(
    "naive_at_zero", _BIAS, BY_HAND,
    [Mistake(0.0, "0 is the true mutual information, and what the PC estimate tends to. "
                  "The naive estimate log C - CE does not: a model that predicts the "
                  "priors has CE = H(Y), not log C."),
     Mistake(entropy(_PI), "That is H(Y), the loss of the best model. The naive estimate "
                            "is log C minus that loss."),
     Mistake(np.log(3), "log C is the estimate's first term; subtract the loss of the best "
                        "model, which predicts the priors."),
     Mistake(_BIAS / np.log(2), BITS_HINT),
     Mistake(_BIAS / np.log(10), LOG10_HINT),
     Mistake(-_BIAS, "Check the sign: log C - H(Y) is positive, because H(Y) < log C for "
                     "unbalanced classes."),
     Mistake(np.log(3) - np.mean(-np.log(_PI)),
             _WEIGHTED + ", weighted by the priors, not the plain mean of -log pi."),
     Mistake(np.log(3) - np.sum(-np.log(_PI)),
             _WEIGHTED + ": weight each -log pi by its probability pi.")],
    shape_hint="naive_at_zero is one number, in nats.",
    value_hint="When x says nothing, the best model predicts the priors for every x, and "
               "its mean loss is the entropy H(Y) of the priors.")


EXERCISES = {"check_mi_estimate": (MI_ESTIMATE,), "check_pc_mi_estimate": (PC_MI_ESTIMATE,),
             "check_ceiling": (CEILING,), "check_naive_bias": (NAIVE_BIAS,)}


# -- The expected calibration error: expected_calibration_error(probs, labels, n_bins) --
def _bins(confidence, n_bins):
    """The equal-width bin of each confidence: bin m holds (m/B, (m+1)/B]."""
    return np.digitize(confidence, np.linspace(0.0, 1.0, n_bins + 1)[1:-1], right=True)


def _gaps(probs, labels, n_bins, *, confidence=None, which=None):
    """Per filled bin: (share of the points, accuracy - mean confidence)."""
    conf = probs.max(axis=1) if confidence is None else confidence
    correct = (probs.argmax(axis=1) == labels).astype(float)
    which = _bins(conf, n_bins) if which is None else which
    shares, gaps = [], []
    for m in np.unique(which):
        inside = which == m
        shares.append(inside.mean())
        gaps.append(correct[inside].mean() - conf[inside].mean())
    return np.array(shares), np.array(gaps)


def _ece(probs, labels, n_bins):
    shares, gaps = _gaps(probs, labels, n_bins)
    return float(np.sum(shares * np.abs(gaps)))


def _equal_count(probs, labels, n_bins):
    """B bins holding (nearly) equal numbers of points, by sorted confidence."""
    conf = probs.max(axis=1)
    which = np.empty(len(conf), dtype=int)
    for m, part in enumerate(np.array_split(np.argsort(conf, kind="stable"), n_bins)):
        which[part] = m
    shares, gaps = _gaps(probs, labels, n_bins, which=which)
    return float(np.sum(shares * np.abs(gaps)))


def _ece_case(seed, num_examples, num_classes, n_bins, scale, why):
    """Random probabilities and labels drawn from them: a calibrated model on few
    points, whose bins' gaps have both signs, so that no slip gives the same number."""
    rng = np.random.default_rng(seed)
    probs = softmax(rng.normal(scale=scale, size=(num_examples, num_classes)))
    labels = (probs.cumsum(axis=1) > rng.random((num_examples, 1))).argmax(axis=1)
    return Case((probs, labels, n_bins), why=why)


ECE = FunctionExercise(
    "expected_calibration_error", _ece,
    [_ece_case(21, 40, 3, 5, 2.0, "40 points, 3 classes, 5 bins"),
     _ece_case(22, 300, 4, 15, 3.0, "300 points, 4 classes, 15 bins, some of them empty"),
     _ece_case(23, 200, 10, 10, 1.5, "200 points, 10 classes, 10 bins")],
    _CODE,
    [Mistake(lambda p, y, b: float(np.mean(np.abs(_gaps(p, y, b)[1]))),
             "Weight each bin's gap by the share of the points in it, N_m / N; a plain mean "
             "over the bins lets a bin of one point count as much as a bin of hundreds."),
     Mistake(lambda p, y, b: float(np.sum(np.abs(_gaps(p, y, b)[1])) / b),
             "Weight each bin's gap by N_m / N, not by 1 / B: empty bins count 0 and full "
             "bins count by their size."),
     Mistake(lambda p, y, b: float(np.sum(np.abs(_gaps(p, y, b)[1]))),
             "Weight each bin's gap by the share of the points in it, N_m / N."),
     Mistake(lambda p, y, b: float(np.max(np.abs(_gaps(p, y, b)[1]))),
             "That is the largest gap over the bins (the maximum calibration error); the "
             "ECE is their weighted mean."),
     Mistake(lambda p, y, b: float(abs(np.sum(np.prod(_gaps(p, y, b), axis=0)))),
             "Take the absolute value of each bin's gap before the weighted sum: "
             "over-confident and under-confident bins must not cancel."),
     Mistake(lambda p, y, b: float(np.sum(np.prod(_gaps(p, y, b), axis=0))),
             "Take the absolute value of each bin's gap, |acc_m - conf_m|."),
     Mistake(lambda p, y, b: float(np.sum(np.abs(np.prod(_gaps(
         p, y, b, confidence=pick(p, y)), axis=0)))),
             "The confidence is the largest probability of each row, max_i p_i, the "
             "probability of the predicted class, not the probability of the true class."),
     Mistake(_equal_count,
             "Use equal-width bins, (m/B, (m+1)/B], not bins of equal counts."),
     Mistake(lambda p, y, b: _ece(p, y, b + 1),
             "Use B bins of width 1/B: np.linspace(0, 1, n_bins + 1) gives their B + 1 "
             "edges."),
     Mistake(lambda p, y, b: _ece(p, y, b) * len(y), MEAN_HINT)],
    shape_hint="Return one number: the weighted mean of the bins' gaps.",
    value_hint="For each non-empty bin of max_i p_i, take |accuracy - mean confidence| and "
               "weight it by the fraction of the points in the bin; add them up.",
    forbidden=("helpers.calibration",))                 # "not helpers.calibration"


EXERCISES["check_ece"] = (ECE,)

