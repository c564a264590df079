"""Test inputs and hints that several chapters' checks share.

Every softmax, loss and gradient is tried on the same instabilities: logits that overflow
``exp`` without a shift, and rows that still overflow after a shift by their minimum or mean.
"""

from __future__ import annotations

import numpy as np

from .engine import Case, Tolerance

__all__ = ["BY_HAND", "UNSTABLE", "UNSTABLE_HINTS", "FAR_BELOW", "SHIFT_ROWS", "UNDERFLOW_ROW",
           "BATCH_MAX_HINT", "BATCH_AXIS_HINT", "LOG10_HINT", "BITS_HINT", "MEAN_HINT",
           "OFF_BY_ONE_HINT", "LOG_OF_SOFTMAX_HINT", "labelled_case", "overflow_hint",
           "shift_hint", "shift_hints"]

#: Answers worked out by hand or predicted: every exercise text asks for three
#: significant digits (so 1.17 passes for 1.1743), and a wrong one is never shown.
BY_HAND = Tolerance(digits=3)

#: Batches of two rows of three logits, as (logits, why), in the order that
#: lets each wrong shift fail first on a batch where the ones before it pass.
UNSTABLE = (
    (((1000.0, 999.0, 998.0), (999.0, 1000.0, 1001.0)),
     "logits near +1000: exp overflows unless a shift brings them down"),
    (((-1000.0, -999.0, -1001.0), (-1000.5, -998.0, -999.0)),
     "logits near -1000: every exp underflows to 0 unless a shift lifts them"),
    (((500.0, -500.0, 0.0), (400.0, -400.0, 399.0)),
     "a spread of 1000 around 0: subtracting the row minimum overflows"),
    (((800.0, 0.0, -800.0), (799.0, 801.0, -799.0)),
     "the row [800, 0, -800], whose mean is 0: subtracting the row mean overflows"),
    (((5.0, 4.0, 3.0), (-800.0, -799.0, -798.0)),
     "a row 800 below the batch maximum: each row needs its own maximum"),
)

#: A batch whose second row has a logit 2000 below its maximum: with the label on it
#: (chapter 4 labels the rows (0, 2)), its probability underflows to 0.
FAR_BELOW = (((1000.0, 999.0, 0.0), (1000.0, 0.0, -1000.0)),
             "a true class 2000 below the maximum: its probability underflows to 0")

#: Rows that overflow ``exp`` for one wrong shift each ("zero" is no shift), as
#: (row, why); with the label on the row's largest logit only the overflow shows.
SHIFT_ROWS = {
    "zero": ((750.0, 745.0, 740.0), "logits near 750: exp overflows without a shift"),
    "min": ((400.0, 400.0, -400.0), "the row (400, 400, -400): a shift by the minimum overflows"),
    "mean": ((800.0, 0.0, -800.0), "the row (800, 0, -800): a shift by the mean overflows"),
}

#: A row whose label 2 is 805 below its maximum: its softmax is exactly 0.
UNDERFLOW_ROW = ((5.0, 0.0, -800.0), "a true class 805 below the row's largest logit: its "
                                     "probability is 0 in floating point")

BATCH_MAX_HINT = ("Subtract each row's own maximum (np.max(logits, axis=-1, keepdims=True)), "
                  "not the maximum of the whole batch: a row far below it underflows to 0 / 0.")
BATCH_AXIS_HINT = ("The softmax was taken over the batch axis. Each row is one example; "
                   "normalise along the last axis (axis=-1).")

# Slips that many exercises share, with one hint each.
LOG10_HINT = "Use the natural logarithm, np.log, not log10: the book works in nats."
BITS_HINT = "That is in bits (log2); the book works in nats, with the natural logarithm np.log."
MEAN_HINT = "Take the mean over the batch, not the sum: divide by N."
OFF_BY_ONE_HINT = "Off by one class: labels are already 0-based indices, so use them as they are."
LOG_OF_SOFTMAX_HINT = ("log(softmax(z)) underflows when the true class is far below the maximum: "
                       "its probability is 0 and the log gives -inf. Compute the "
                       "log-probabilities directly, z - logsumexp(z), or use helpers.log_softmax.")


def labelled_case(logits, labels, why: str) -> Case:
    """The Case ``(logits, labels)`` of a loss or its gradient, as float and integer arrays."""
    return Case((np.array(logits, dtype=float), np.array(labels)), why=why)


def overflow_hint(near: float, fix: str = "helpers.softmax", *, over: str = "row") -> str:
    """The hint for a softmax without its max shift, on logits `near` a value."""
    return (f"Logits near {near:g} overflow exp() and give inf or nan: subtract the {over} "
            f"maximum first, or use {fix}.")


def shift_hint(shift: str, row, *, over: str = "row") -> str:
    """The hint for a softmax shifted by the ``"min"`` or ``"mean"``, overflowing on `row`.

    Examples
    --------
    >>> print(shift_hint("mean", (800, 0, -800)))  # doctest: +NORMALIZE_WHITESPACE
    Subtracting the row mean leaves exponents as large as 800 for the logits (800, 0, -800),
    and exp(800) overflows. Subtract the row maximum instead: then every exponent is <= 0.
    """
    if shift not in ("min", "mean"):
        raise ValueError(f"shift must be 'min' or 'mean', got {shift!r}")
    top = max(row) - (min(row) if shift == "min" else sum(row) / len(row))
    shown = ", ".join(f"{v:g}" for v in row)
    return (f"Subtracting the {over} {'minimum' if shift == 'min' else 'mean'} leaves exponents "
            f"as large as {top:g} for the logits ({shown}), and exp({top:g}) overflows. "
            f"Subtract the {over} maximum instead: then every exponent is <= 0.")


def shift_hints(near: float, min_row, mean_row, fix: str = "helpers.softmax", *,
                over: str = "row") -> dict[str, str]:
    """The hints of every wrong shift: "zero" (no shift), "min", "mean" and "batch max"."""
    return {"zero": overflow_hint(near, fix, over=over),
            "min": shift_hint("min", min_row, over=over),
            "mean": shift_hint("mean", mean_row, over=over),
            "batch max": BATCH_MAX_HINT}


#: The hints for the wrong shifts that the batches of `UNSTABLE` expose.
UNSTABLE_HINTS = shift_hints(1000, UNSTABLE[2][0][0], UNSTABLE[3][0][0],
                             "helpers.softmax or helpers.log_softmax")
