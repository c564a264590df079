"""Checks for the exercises of the chapter on cross-entropy in the frameworks.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`: correct, not attempted, wrong type,
wrong shape or wrong value, each with a hint.  The test inputs are chosen
so that the mistakes this chapter is about show up as wrong numbers: a
double softmax, probabilities where log-probabilities belong, the wrong
class axis (with the class axis and another axis of the same length, so
that the shapes alone do not give it away), a log in base 10, a missing
mean or a mean over the wrong count, and ``log_probs[:, labels]`` instead
of one entry per row.  Huge logits catch a missing max subtraction.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import log_softmax, softmax
from ._core import Feedback, _not_attempted, check_function, check_value, matches

__all__ = [
    "DENSE_LOGITS",
    "DENSE_LABELS",
    "BUG_LOGITS",
    "BUG_LABELS",
    "IGNORE_INDEX",
    "SCIPY_LOGITS",
    "check_dense_losses",
    "check_bug_losses",
    "check_nll_loss",
    "check_segmentation_loss",
    "check_scipy_default",
]

#: Logits of the exercise "One-hot targets and the dense loss", (N, C) = (4, 3).
#: The second row holds a logit of 1000, so exp() overflows without the
#: max subtraction.
DENSE_LOGITS = ((2.0, -1.0, 0.5),
                (1000.0, 0.0, -3.0),
                (0.0, 0.0, 0.0),
                (-1.0, 3.0, 1.0))

#: Integer labels of the exercise "One-hot targets and the dense loss", (N,).
DENSE_LABELS = (2, 0, 1, 2)

#: Logits that `self.layers(x)` returns in the exercise "Spot the bug",
#: (N, C) = (4, 5).  Confident, and wrong on the last sample.
BUG_LOGITS = ((6.0, 1.0, -2.0, 0.0, 2.0),
              (-1.0, 7.0, 0.5, 1.0, -3.0),
              (0.0, 0.5, 5.0, -1.0, 1.0),
              (8.0, -2.0, 0.0, 1.0, -1.0))

#: Integer labels of the exercise "Spot the bug", (N,).
BUG_LABELS = (0, 1, 2, 4)

#: PyTorch's default `ignore_index`, used by the exercise on `nll_loss`.
IGNORE_INDEX = -100

#: The (N, C) = (3, 4) batch of the exercise "SciPy's default axis".
SCIPY_LOGITS = ((1.0, 2.0, 0.0, -1.0),
                (0.5, 0.5, 3.0, 0.0),
                (-2.0, 1.0, 1.0, 4.0))

# A hand-computed number to three significant digits passes; each known
# mistake below differs from the answer by more than 1%.
_HAND_RTOL = 1e-3
# Code answers in float64 agree with the log-softmax reference to ~1e-15
# relative on these inputs (the largest loss is ~1000).
_CODE_RTOL, _CODE_ATOL = 1e-9, 1e-12

Mistakes = Sequence[tuple[Callable[..., Any], str]]


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

def _matches(answer: Any, wrong: Any, *, rtol: float) -> bool:
    """True if `answer` is a real number or array of the shape of `wrong`
    and close to it."""
    return matches(answer, wrong, rtol=rtol, atol=1e-12)


def _first_match(answer: Any, mistakes: Sequence[tuple[Any, str]], *,
                 rtol: float) -> str:
    for wrong, hint in mistakes:
        if _matches(answer, wrong, rtol=rtol):
            return hint
    return ""


def _rows(labels: np.ndarray) -> np.ndarray:
    return np.arange(len(labels))


def _naive_log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(exp(z) / sum exp(z)) without the max subtraction (overflows)."""
    with np.errstate(all="ignore"):
        weights = np.exp(z)
        return np.log(weights / np.sum(weights, axis=axis, keepdims=True))


def _log_of(values: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.log(values)


def _returns_none(func: Any, case: tuple) -> bool:
    """True if calling `func` on `case` returns None (a missing return)."""
    if not callable(func):
        return False
    try:
        with np.errstate(all="ignore"):
            return func(*[np.array(a, copy=True) for a in case]) is None
    except Exception:  # check_function reports exceptions itself
        return False


def _check_cases(func: Any, reference: Callable[..., Any],
                 cases: Sequence[tuple[tuple, str]], mistakes: Mistakes, *,
                 what: str, shape_hint: str, value_hint: str) -> Feedback:
    """Run `func` case by case; each case carries its own fallback hint.

    A known mistake's hint wins; otherwise a failure on a case gets that
    case's hint (which says what the case tests), and an error raised by
    the learner's code gets it too.
    """
    if _returns_none(func, cases[0][0]):
        return Feedback("wrong type", f"{what} returned None.",
                        "Did you forget the `return` statement?")
    for args, case_hint in cases:
        fb = check_function(func, reference, [args], rtol=_CODE_RTOL,
                            atol=_CODE_ATOL, hints=mistakes, what=what)
        if fb:
            continue
        known = {hint for _, hint in mistakes}
        if fb.status == "wrong shape" and fb.hint not in known:
            return Feedback(fb.status, fb.message, shape_hint)
        if fb.status == "wrong value" and fb.hint not in known:
            return Feedback(fb.status, fb.message,
                            f"{case_hint} {value_hint}".strip())
        return fb
    return Feedback("correct", f"{what} agrees with the reference on every "
                    f"test input (rtol={_CODE_RTOL:g}, atol={_CODE_ATOL:g}).")


# --------------------------------------------------------------------------
# Exercise: one-hot targets and the dense (TensorFlow-style) loss
# --------------------------------------------------------------------------

def _dense_reference() -> np.ndarray:
    z = np.array(DENSE_LOGITS)                                 # (N, C)
    labels = np.array(DENSE_LABELS)
    return -log_softmax(z)[_rows(labels), labels]              # (N,)


def _dense_mistakes() -> list[tuple[Any, str]]:
    z = np.array(DENSE_LOGITS)
    labels = np.array(DENSE_LABELS)
    targets = np.eye(z.shape[1])[labels]                       # (N, C)
    right = _dense_reference()

    def per_row(log_probs: np.ndarray, t: np.ndarray = targets) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return -np.sum(t * log_probs, axis=-1)

    return [
        (per_row(log_softmax(softmax(z))),
         "That is a double softmax: softmax_cross_entropy_with_logits "
         "applies the softmax itself, so pass the logits, not softmax(logits)."),
        (right / np.log(10), "Use the natural logarithm, not log10: the "
                             "losses differ by a factor ln 10 = 2.303."),
        (-right, "Check the sign: each loss is -sum(targets * log p), which "
                 "is never negative."),
        (per_row(log_softmax(z), np.eye(3)[(labels - 1) % 3]),
         "Off by one class: the labels are already 0-based, so the one-hot "
         "row of label k is np.eye(C)[k]."),
        (per_row(log_softmax(z), np.eye(3)[(labels + 1) % 3]),
         "Off by one class: the labels are already 0-based, so the one-hot "
         "row of label k is np.eye(C)[k]."),
        (per_row(log_softmax(z, axis=0)),
         "Normalise each row (axis=-1, the class axis), not each column."),
        (per_row(_naive_log_softmax(z)),
         "exp(1000) overflows. Use helpers.log_softmax, or subtract each "
         "row's maximum before exponentiating."),
        (-np.sum(targets * softmax(z), axis=-1),
         "Take the logarithm: the loss uses log-probabilities, not "
         "probabilities."),
        (per_row(z), "Normalise first: the loss uses log_softmax(z), not the "
                     "raw logits."),
    ]


def check_dense_losses(dense_losses: Any) -> Feedback:
    """Check the per-sample losses of ``DENSE_LOGITS`` against one-hot targets.

    The answer is what ``tf.nn.softmax_cross_entropy_with_logits`` returns
    for these logits and the one-hot rows of ``DENSE_LABELS``: one loss
    per row, shape (4,), not reduced.  Compared with ``rtol=1e-9`` (the
    losses are computed in code, not by hand).

    Parameters
    ----------
    dense_losses : array_like, shape (4,)
        The learner's per-sample losses.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import log_softmax
    >>> z = np.array(DENSE_LOGITS)
    >>> targets = np.eye(3)[list(DENSE_LABELS)]
    >>> print(check_dense_losses(-np.sum(targets * log_softmax(z), axis=-1)).status)
    correct
    >>> print(check_dense_losses(-np.sum(targets * log_softmax(z))).status)
    wrong shape
    """
    what = "dense_losses"
    right = _dense_reference()
    fb = check_value(dense_losses, right, rtol=_CODE_RTOL, atol=_CODE_ATOL,
                     what=what)
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message,
                        "tf.nn.softmax_cross_entropy_with_logits does not "
                        "reduce: return one loss per row, shape (N,) = (4,). "
                        "Sum over the class axis only (axis=-1).")
    if fb.status != "wrong value":
        return fb
    hint = _first_match(dense_losses, _dense_mistakes(), rtol=_CODE_RTOL)
    return Feedback(fb.status, fb.message, hint or (
        "Build targets = np.eye(C)[labels], then compute "
        "-sum(targets * log_softmax(logits), axis=-1) for each row."))


# --------------------------------------------------------------------------
# Exercise: spot the bug (a double softmax)
# --------------------------------------------------------------------------

def _bug_values() -> tuple[float, float]:
    """(what the buggy code reports, the correct loss)."""
    z = np.array(BUG_LOGITS)
    labels = np.array(BUG_LABELS)
    buggy = -np.mean(log_softmax(softmax(z))[_rows(labels), labels])
    fixed = -np.mean(log_softmax(z)[_rows(labels), labels])
    return float(buggy), float(fixed)


def _bug_mistakes(which: str) -> list[tuple[float, str]]:
    z = np.array(BUG_LOGITS)
    labels = np.array(BUG_LABELS)
    buggy, fixed = _bug_values()
    probs_picked = softmax(z)[_rows(labels), labels]
    n = len(labels)
    common = [
        (-float(np.mean(probs_picked)),
         "That is nll_loss applied to probabilities, -mean(p_y): a negative "
         "number, not a loss. F.cross_entropy takes a log-softmax first."),
        (buggy / np.log(10) if which == "buggy" else fixed / np.log(10),
         "Use the natural logarithm, not log10."),
        (buggy * n if which == "buggy" else fixed * n,
         "F.cross_entropy returns the mean over the batch (reduction='mean'), "
         "not the sum."),
    ]
    if which == "buggy":
        return [(fixed, "That is the correct loss. The buggy code feeds "
                        "softmax(logits) to F.cross_entropy, which applies "
                        "a softmax again.")] + common
    return [(buggy, "That is what the buggy code reports: the softmax is "
                    "applied twice. The fix passes the raw logits to "
                    "F.cross_entropy.")] + common


def _check_bug_number(answer: Any, expected: float, which: str,
                      what: str) -> Feedback:
    fb = check_value(answer, expected, rtol=_HAND_RTOL, atol=0.0, what=what)
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message,
                        f"{what} is one number: F.cross_entropy returns the "
                        "mean over the batch.")
    if fb.status != "wrong value":
        return fb
    hint = _first_match(answer, _bug_mistakes(which), rtol=_HAND_RTOL)
    general = ("Apply the softmax twice: compute softmax(BUG_LOGITS), then "
               "the cross-entropy of those numbers treated as logits."
               if which == "buggy" else
               "Compute the mean cross-entropy of BUG_LOGITS themselves, "
               "for example with helpers.cross_entropy.")
    return Feedback(fb.status, fb.message, hint or general)


def check_bug_losses(buggy_loss: Any, fixed_loss: Any) -> Feedback:
    """Check the loss the buggy snippet reports, and the loss after the fix.

    In the snippet, the network's `forward` ends with a softmax and the
    training loop calls ``F.cross_entropy`` on its output, so the softmax
    is applied twice.  `buggy_loss` is what that code reports for
    ``BUG_LOGITS`` and ``BUG_LABELS``; `fixed_loss` is the correct mean
    cross-entropy.  Three significant digits pass (``rtol=1e-3``).

    Parameters
    ----------
    buggy_loss, fixed_loss : float
        The learner's two numbers.

    Returns
    -------
    Feedback
        Correct only if both are.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import cross_entropy, softmax
    >>> z, y = np.array(BUG_LOGITS), np.array(BUG_LABELS)
    >>> print(check_bug_losses(cross_entropy(softmax(z), y),
    ...                        cross_entropy(z, y)).status)
    correct
    >>> print(check_bug_losses(cross_entropy(z, y),
    ...                        cross_entropy(z, y)).status)
    wrong value
    """
    if _not_attempted(buggy_loss) or _not_attempted(fixed_loss):
        return Feedback("not attempted",
                        "buggy_loss and fixed_loss are not both filled in.",
                        "Replace each NOT_ATTEMPTED with a number.")
    buggy, fixed = _bug_values()
    for answer, expected, which in ((buggy_loss, buggy, "buggy"),
                                    (fixed_loss, fixed, "fixed")):
        fb = _check_bug_number(answer, expected, which, f"{which}_loss")
        if not fb:
            return fb
    return Feedback("correct", "buggy_loss and fixed_loss both match "
                    f"(rtol={_HAND_RTOL:g}).")


# --------------------------------------------------------------------------
# Exercise: nll_loss with ignore_index
# --------------------------------------------------------------------------

def _reference_nll(log_probs: np.ndarray, labels: np.ndarray,
                   ignore_index: int = IGNORE_INDEX) -> float:
    keep = labels != ignore_index                              # (N,)
    picked = log_probs[_rows(labels)[keep], labels[keep]]      # (K,)
    return float(-np.mean(picked))


def _kept(log_probs: np.ndarray, labels: np.ndarray,
          ignore_index: int) -> np.ndarray:
    keep = labels != ignore_index
    return log_probs[_rows(labels)[keep], labels[keep]]


def _nll_cases() -> list[tuple[tuple, str]]:
    """Inputs, each chosen so that one kind of mistake shows."""
    rng = np.random.default_rng(8)
    square = log_softmax(rng.normal(scale=2.0, size=(3, 3)))   # (3, 3)
    wide = log_softmax(rng.normal(scale=2.0, size=(2, 5)))     # (2, 5)
    tall = log_softmax(rng.normal(scale=2.0, size=(5, 4)))     # (5, 4)
    # A confidently wrong prediction: the true class has log-probability
    # about -1500, which exp() turns into 0 and log() back into -inf.
    extreme = log_softmax(np.array([[1500.0, 0.0, -2.0],
                                    [0.0, 1.0, 2.0]]))         # (2, 3)
    return [
        ((square, np.array([2, 0, 1]), IGNORE_INDEX),
         "This input is square (N == C), so a wrong axis or "
         "log_probs[:, labels] gives a wrong number, not an error."),
        ((wide, np.array([4, 1]), IGNORE_INDEX),
         "This input has N = 2 and C = 5."),
        ((tall, np.array([1, IGNORE_INDEX, 3, IGNORE_INDEX, 0]),
          IGNORE_INDEX),
         "Two labels here equal ignore_index (-100): leave those rows out, "
         "and average over the remaining ones."),
        ((tall, np.array([1, 2, 3, 2, 0]), 2),
         "Here ignore_index is 2: use the argument, not the constant -100."),
        ((extreme, np.array([1, 2]), IGNORE_INDEX),
         "Here a true class has log-probability about -1500: use the "
         "log-probabilities as they are, without exponentiating them."),
    ]


def _nll_mistakes() -> list[tuple[Callable[..., Any], str]]:
    def sign(lp, y, ig=IGNORE_INDEX):
        return -_reference_nll(lp, y, ig)

    def summed(lp, y, ig=IGNORE_INDEX):
        return float(-np.sum(_kept(lp, y, ig)))

    def log10(lp, y, ig=IGNORE_INDEX):
        return _reference_nll(lp, y, ig) / np.log(10)

    def log_again(lp, y, ig=IGNORE_INDEX):
        return float(-np.mean(_log_of(_kept(lp, y, ig))))

    def minus_p(lp, y, ig=IGNORE_INDEX):
        return float(-np.mean(np.exp(_kept(lp, y, ig))))

    def divide_by_n(lp, y, ig=IGNORE_INDEX):
        return float(-np.sum(_kept(lp, y, ig)) / len(y))

    def all_pairs(lp, y, ig=IGNORE_INDEX):
        keep = y != ig
        return float(-np.mean(lp[keep][:, y[keep]]))

    def off_by_one(lp, y, ig=IGNORE_INDEX):
        keep = y != ig
        shifted = (y[keep] - 1) % lp.shape[1]
        return float(-np.mean(lp[_rows(y)[keep], shifted]))

    def round_trip(lp, y, ig=IGNORE_INDEX):
        return float(-np.mean(_log_of(np.exp(_kept(lp, y, ig)))))

    return [
        (sign, "Check the sign: the loss is minus the mean log-probability "
               "of the true classes, which is never negative."),
        (summed, "reduction='mean' is the default: divide by the number of "
                 "rows that count, not just add them."),
        (divide_by_n, "Divide by the number of rows that are not ignored, "
                      "not by N: ignored rows do not count at all."),
        (log10, "The inputs are natural-log probabilities; do not convert "
                "them to base 10."),
        (log_again, "log_probs already holds log-probabilities: do not take "
                    "the log again (the log of a negative number is nan)."),
        (minus_p, "That is -mean(p): you turned the log-probabilities back "
                  "into probabilities. nll_loss is -mean(log p)."),
        (all_pairs, "log_probs[:, labels] takes N entries from every row. "
                    "Pick one entry per row: log_probs[rows, labels]."),
        (off_by_one, "Off by one class: labels are 0-based column indices; "
                     "use them as they are."),
        (round_trip, "Do not exponentiate: exp(-1500) is 0 in floating "
                     "point and its log is -inf. Use the log-probabilities "
                     "directly."),
    ]


def check_nll_loss(my_nll_loss: Any) -> Feedback:
    """Check a learner's PyTorch-style ``nll_loss`` with `ignore_index`.

    ``my_nll_loss(log_probs, labels, ignore_index=-100)`` takes
    log-probabilities of shape (N, C) and integer labels of shape (N,) and
    returns ``-mean(log_probs[n, labels[n]])`` over the rows whose label is
    not `ignore_index`, as ``torch.nn.functional.nll_loss`` does with its
    defaults.  It is tried on a square batch, a wide one, rows to ignore
    (with the default -100 and with another value) and a log-probability
    of about -1500, with ``rtol=1e-9``, ``atol=1e-12``.

    Parameters
    ----------
    my_nll_loss : callable
        The learner's function.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> def my_nll_loss(log_probs, labels, ignore_index=-100):
    ...     keep = labels != ignore_index
    ...     rows = np.arange(len(labels))[keep]
    ...     return -np.mean(log_probs[rows, labels[keep]])
    >>> print(check_nll_loss(my_nll_loss).status)
    correct
    >>> def plain(log_probs, labels, ignore_index=-100):
    ...     return -np.mean(log_probs[np.arange(len(labels)), labels])
    >>> print(check_nll_loss(plain).status)
    wrong value
    """
    return _check_cases(
        my_nll_loss, _reference_nll, _nll_cases(), _nll_mistakes(),
        what="my_nll_loss",
        shape_hint="Return one number, the mean over the rows that are not "
                   "ignored (reduction='mean').",
        value_hint="Keep the rows whose label is not ignore_index, pick "
                   "log_probs[row, label] in each, and return minus their "
                   "mean.")


# --------------------------------------------------------------------------
# Exercise: a loss for segmentation, classes on axis 1
# --------------------------------------------------------------------------

def _reference_segmentation(logits: np.ndarray, labels: np.ndarray) -> float:
    log_probs = log_softmax(logits, axis=1)                    # (N, C, H, W)
    picked = np.take_along_axis(log_probs, labels[:, None], axis=1)
    return float(-np.mean(picked))                             # mean of N*H*W


def _segmentation_cases() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(88)

    def case(n, c, h, w, scale=2.0):
        logits = rng.normal(scale=scale, size=(n, c, h, w))
        labels = rng.integers(0, c, size=(n, h, w))
        return logits, labels

    huge_logits, huge_labels = case(1, 3, 2, 2)
    huge_logits[0, :, 0, 0] = (1000.0, 0.0, -1.0)
    huge_labels[0, 0, 0] = 0
    return [
        (case(2, 3, 2, 3),
         "In this input W == C == 3, so normalising over the last axis "
         "runs without an error but gives wrong numbers."),
        (case(1, 4, 3, 2),
         "This input has N = 1, C = 4, H = 3, W = 2: pair labels[n, h, w] "
         "with the C logits logits[n, :, h, w]."),
        ((huge_logits, huge_labels),
         "This input holds a logit of 1000: subtract the maximum over the "
         "class axis before exponentiating, or use helpers.log_softmax."),
        (case(3, 2, 2, 2),
         "This input has C == H == W == 2, so only the right pairing of "
         "labels and logits gives the right number."),
    ]


def _segmentation_mistakes() -> list[tuple[Callable[..., Any], str]]:
    def last_axis(z, y):
        lp = log_softmax(z, axis=-1)
        return float(-np.mean(np.take_along_axis(lp, y[:, None], axis=1)))

    def plain_reshape(z, y):
        flat = z.reshape(-1, z.shape[1])                       # scrambled
        return float(-np.mean(log_softmax(flat)[np.arange(y.size),
                                                y.reshape(-1)]))

    def swapped_hw(z, y):
        flat = np.transpose(z, (0, 3, 2, 1)).reshape(-1, z.shape[1])
        return float(-np.mean(log_softmax(flat)[np.arange(y.size),
                                                y.reshape(-1)]))

    def per_image_sum(z, y):
        picked = np.take_along_axis(log_softmax(z, axis=1), y[:, None], axis=1)
        return float(-np.sum(picked) / z.shape[0])

    def summed(z, y):
        picked = np.take_along_axis(log_softmax(z, axis=1), y[:, None], axis=1)
        return float(-np.sum(picked))

    def naive(z, y):
        picked = np.take_along_axis(_naive_log_softmax(z, axis=1),
                                    y[:, None], axis=1)
        return float(-np.mean(picked))

    def log10(z, y):
        return _reference_segmentation(z, y) / np.log(10)

    return [
        (last_axis, "The classes are on axis 1 of (N, C, H, W): normalise "
                    "with log_softmax(logits, axis=1), not over the last "
                    "axis."),
        (plain_reshape, "logits.reshape(-1, C) on an (N, C, H, W) array "
                        "mixes up classes and pixels. Move the class axis "
                        "last first: np.moveaxis(logits, 1, -1)."),
        (swapped_hw, "Keep the pixel order: labels[n, h, w] belongs with "
                     "logits[n, :, h, w]. np.moveaxis(logits, 1, -1) gives "
                     "(N, H, W, C) in that order."),
        (per_image_sum, "F.cross_entropy averages over every pixel of every "
                        "image (N * H * W losses), not over the N images."),
        (summed, "reduction='mean' is the default: average the N * H * W "
                 "pixel losses."),
        (naive, "exp(1000) overflows. Subtract the maximum over the class "
                "axis first, or use helpers.log_softmax(logits, axis=1)."),
        (log10, "Use the natural logarithm, not log10."),
    ]


def check_segmentation_loss(segmentation_loss: Any) -> Feedback:
    """Check a learner's loss for logits of shape (N, C, H, W).

    ``segmentation_loss(logits, labels)`` takes logits of shape
    (N, C, H, W), classes on axis 1 as PyTorch stores them, and integer
    labels of shape (N, H, W), and returns what ``F.cross_entropy`` returns
    with its defaults: the mean over all N * H * W pixels of the pixel's
    cross-entropy.  The test inputs include W == C and C == H == W, so that
    normalising over the wrong axis or a plain ``reshape(-1, C)`` gives
    wrong numbers rather than errors.  ``rtol=1e-9``, ``atol=1e-12``.

    Parameters
    ----------
    segmentation_loss : callable
        The learner's function.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import log_softmax
    >>> def segmentation_loss(logits, labels):
    ...     log_probs = log_softmax(logits, axis=1)
    ...     picked = np.take_along_axis(log_probs, labels[:, None], axis=1)
    ...     return -np.mean(picked)
    >>> print(check_segmentation_loss(segmentation_loss).status)
    correct
    >>> def last_axis(logits, labels):
    ...     log_probs = log_softmax(logits, axis=-1)
    ...     picked = np.take_along_axis(log_probs, labels[:, None], axis=1)
    ...     return -np.mean(picked)
    >>> print(check_segmentation_loss(last_axis).hint)  # doctest: +ELLIPSIS
    The classes are on axis 1 of (N, C, H, W): ...
    """
    return _check_cases(
        segmentation_loss, _reference_segmentation, _segmentation_cases(),
        _segmentation_mistakes(), what="segmentation_loss",
        shape_hint="Return one number: the mean over all N * H * W pixels.",
        value_hint="Compute log_softmax over axis 1, pick the log-probability "
                   "of each pixel's label, and return minus the mean.")


# --------------------------------------------------------------------------
# Exercise: SciPy's default axis
# --------------------------------------------------------------------------

def _scipy_default() -> np.ndarray:
    x = np.array(SCIPY_LOGITS)                                 # (N, C)
    return softmax(x.reshape(-1)).reshape(x.shape)


def check_scipy_default(scipy_probs: Any) -> Feedback:
    """Check what ``scipy.special.softmax(SCIPY_LOGITS)`` returns.

    With its default ``axis=None``, SciPy's softmax normalises the whole
    array at once: the result has the shape of the input, (3, 4), and all
    twelve entries together sum to 1.  Compared with ``rtol=1e-6``.

    Parameters
    ----------
    scipy_probs : array_like, shape (3, 4)
        The learner's array.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import softmax
    >>> x = np.array(SCIPY_LOGITS)
    >>> print(check_scipy_default(softmax(x.ravel()).reshape(3, 4)).status)
    correct
    >>> print(check_scipy_default(softmax(x)).hint)  # doctest: +ELLIPSIS
    That is the softmax of each row (axis=-1). ...
    """
    x = np.array(SCIPY_LOGITS)
    fb = check_value(scipy_probs, _scipy_default(), rtol=1e-6, atol=1e-12,
                     what="scipy_probs")
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message,
                        "scipy.special.softmax returns an array of the "
                        "input's shape, (3, 4), even when it normalises the "
                        "whole array: reshape the result back.")
    if fb.status != "wrong value":
        return fb
    mistakes = [
        (softmax(x), "That is the softmax of each row (axis=-1). SciPy's "
                     "default is axis=None: one softmax over all twelve "
                     "entries."),
        (softmax(x, axis=0), "That is the softmax of each column (axis=0). "
                             "SciPy's default is axis=None: one softmax over "
                             "all twelve entries."),
    ]
    hint = _first_match(scipy_probs, mistakes, rtol=1e-6)
    return Feedback(fb.status, fb.message, hint or (
        "Flatten the array, take one softmax of all twelve logits, and "
        "reshape back to (3, 4); the entries then sum to 1 together."))
