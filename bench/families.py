"""Hard families of logits, and an mpmath reference for them.

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
                          that log p of that class is -1e-2 to -1e-17
========================  ================================================

Labels (for the cross-entropy) are random, except in ``dominant``, where
each row's label is its dominant class: the loss is then close to 0, and
computing it as ``-log_softmax(z)[label]`` cancels.
"""

from __future__ import annotations

import mpmath
import numpy as np

__all__ = ["FAMILIES", "family", "mp_reference"]

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


def mp_reference(logits, dps=50):
    """softmax, log_softmax and logsumexp of each row, from mpmath.

    Every float is converted exactly, the arithmetic runs at `dps` digits,
    and each result is rounded once to float64, so it is within half a
    float64 ulp of the exact value.  Returns three float64 arrays: (N, C),
    (N, C) and (N,).  Only finite logits are supported.

    The same algorithm as :mod:`helpers.reference` (which
    ``tests/test_accuracy.py`` checks it against), done in one pass so
    that the three results cost one set of exponentials.
    """
    logits = np.atleast_2d(np.asarray(logits))
    probs = np.empty(logits.shape)
    log_probs = np.empty(logits.shape)
    lse = np.empty(logits.shape[0])
    with mpmath.workdps(dps):
        for r, row in enumerate(logits):
            z = [mpmath.mpf(float(v)) for v in row]
            top = max(range(len(z)), key=z.__getitem__)
            shifted = [v - z[top] for v in z]
            weights = [mpmath.exp(s) for s in shifted]
            # the top weight (exactly 1) stays out of the sum, for log1p
            rest = mpmath.fsum(w for j, w in enumerate(weights) if j != top)
            log_total = mpmath.log1p(rest)
            probs[r] = [float(w / (1 + rest)) for w in weights]
            log_probs[r] = [float(s - log_total) for s in shifted]
            lse[r] = float(z[top] + log_total)
    return probs, log_probs, lse
