"""Hard families of logits, for the accuracy tests and benchmarks.

Shared by the accuracy benchmark, ``tests/test_accuracy.py`` and the
appendix "How fast and how accurate?", so that all three measure the same
thing.  Each family stresses one source of rounding error:

========================  ================================================
``normal x5``             5 N(0, 1): the everyday case, z - max up to ~40
``huge ~1e3``             1000 N(0, 1): z - max rounds by up to ~100 ulp
``offset 1e6``            1e6 + 5 N(0, 1): a large common offset
``tiny diffs 1e-12``      1e-12 N(0, 1): nearly uniform probabilities
``20,000 classes``        5 N(0, 1) over 20,000 classes: long sums
``dominant``              N(0, 1) with one logit raised by 10 to 45, so
                          that log p of that class is close to 0
                          (from about -0.05 to -3e-17)
========================  ================================================

Labels (for the cross-entropy) are random, except in ``dominant``, where
each row's label is its dominant class: the loss is then close to 0, and
computing it as ``-log_softmax(z)[label]`` cancels.

Their exact values come from :mod:`helpers.reference`, the book's one
mpmath reference (``softmax_family_mp``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["FAMILIES", "family"]

FAMILIES = ("normal x5", "huge ~1e3", "offset 1e6", "tiny diffs 1e-12",
            "20,000 classes", "dominant")


def family(name, rows, num_classes=1000, dtype=np.float64, seed=0):
    """Return ``(logits, labels)`` of one family: (rows, C) and (rows,).

    ``num_classes`` is ignored by ``20,000 classes``.  The logits are drawn
    in float64 and rounded once to `dtype`.
    """
    if name not in FAMILIES:
        raise ValueError(f"unknown family {name!r}; expected one of {FAMILIES}")
    rng = np.random.default_rng([seed, FAMILIES.index(name)])
    if name == "20,000 classes":
        num_classes = 20_000
    normal = rng.standard_normal((rows, num_classes))                # (N, C)
    labels = rng.integers(0, num_classes, size=rows)                 # (N,)
    if name == "normal x5" or name == "20,000 classes":
        logits = 5 * normal
    elif name == "huge ~1e3":
        logits = 1e3 * normal
    elif name == "offset 1e6":
        logits = 1e6 + 5 * normal
    elif name == "tiny diffs 1e-12":
        logits = 1e-12 * normal
    else:  # dominant: the label's logit stands 10 to 45 above the rest
        logits = normal
        logits[np.arange(rows), labels] += np.linspace(10, 45, rows)
    return logits.astype(dtype), labels

