"""Accuracy: the largest relative error, in eps of the dtype, per family.

For each family of :mod:`bench.families`, each dtype and each
implementation, the four functions softmax, log_softmax, logsumexp and the
per-sample cross-entropy are compared with the mpmath reference (50
digits, ``helpers.reference.softmax_family_mp``), entry by entry, with
``helpers.reference.rel_error_ulps``.  A
``nan`` or ``inf`` where the exact value is finite scores ``inf``.
"""

from __future__ import annotations

import numpy as np

from helpers.reference import rel_error_ulps, softmax_family_mp

from .families import FAMILIES, family

__all__ = ["FUNCTIONS", "measure", "Cases"]

FUNCTIONS = ("softmax", "log_softmax", "logsumexp", "cross_entropy")


class Cases:
    """The logits of every family in one dtype, with their references.

    The reference of a float32 family is computed from the float32 values
    themselves, so it is the exact answer to the question float32 code saw.
    """

    def __init__(self, dtype, rows, num_classes=1000, rows_wide=1, seed=0):
        self.dtype = np.dtype(dtype)
        self.data = {}
        for name in FAMILIES:
            n = rows_wide if name == "20,000 classes" else rows
            logits, labels = family(name, n, num_classes, self.dtype, seed)
            probs, log_probs, lse = softmax_family_mp(logits)
            loss = -log_probs[np.arange(n), labels]
            exact = {"softmax": probs, "log_softmax": log_probs,
                     "logsumexp": lse, "cross_entropy": loss}
            self.data[name] = (logits, labels, exact)

    def errors(self, impl):
        """``{function: {family: max error in eps}}`` for one implementation."""
        found = {f: {} for f in FUNCTIONS}
        for name, (logits, labels, exact) in self.data.items():
            for function in FUNCTIONS:
                args = (logits, labels) if function == "cross_entropy" else (logits,)
                with np.errstate(all="ignore"):   # judge the output, not warnings
                    got = np.asarray(impl[function](*args))
                if got.shape != exact[function].shape:
                    raise ValueError(f"{function} on {name}: shape {got.shape}, "
                                     f"expected {exact[function].shape}")
                err = rel_error_ulps(got, exact[function], dtype=self.dtype)
                found[function][name] = float(np.max(err))
        return found


def measure(impls, dtypes=("float64", "float32"), rows=16, num_classes=1000,
            rows_wide=2, seed=0):
    """``{impl: {dtype: {function: {family: eps}}}}`` for every implementation."""
    results = {name: {} for name in impls}
    for dtype in dtypes:
        cases = Cases(dtype, rows, num_classes, rows_wide, seed)
        for name, impl in impls.items():
            results[name][str(np.dtype(dtype))] = cases.errors(impl)
    return results
