"""Speed: every implementation timed side by side, as multiples of np.exp.

The machine may be shared, so absolute times drift.  Each round therefore
runs every timed call once, in a fresh random order, and divides each time
by the time of the ``np.exp`` floor *in the same round*; the reported
figure is the median of those per-round ratios.  Ratios between two
implementations (helpers against SciPy, say) are formed the same way.

``small_arrays`` does the same on the book's own sizes, (300, 3), (64, 10)
and (1, 1000), where a call takes microseconds and the cost is per-call
overhead.  There one timing is a run of many consecutive calls, and the
yardstick is the plain max-shift NumPy version (``plain_impl``).
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["FUNCTIONS", "measure", "path_costs", "SMALL_SHAPES",
           "SMALL_FUNCTIONS", "small_arrays"]

# What is timed, for each implementation: name -> how to call it.
FUNCTIONS = {
    "softmax": lambda impl, z, y: impl["softmax"](z),
    "log_softmax": lambda impl, z, y: impl["log_softmax"](z),
    "logsumexp": lambda impl, z, y: impl["logsumexp"](z),
    "cross_entropy": lambda impl, z, y: impl["loss"](z, y),
    "cross_entropy_grad": lambda impl, z, y: impl["grad"](z, y),
    "cross_entropy_and_grad": lambda impl, z, y: impl["loss_and_grad"](z, y),
}
FLOOR = "np.exp"
# The loss and its gradient from one call.  An implementation without such
# a call (SciPy) is not timed for it: its row is the sum, round by round,
# of its two separate calls, and says so (``"summed": true``).
FUSED = "cross_entropy_and_grad"
SEPARATE = ("cross_entropy", "cross_entropy_grad")


def _logits(shape, dtype, scale=5.0, seed=0):
    rng = np.random.default_rng(seed)
    logits = (scale * rng.standard_normal(shape)).astype(dtype)    # (N, C)
    labels = rng.integers(0, shape[1], size=shape[0])              # (N,)
    return logits, labels


def _rounds(calls, rounds, seed=0, clock=time.perf_counter):
    """Time every call once per round, in random order; {name: [seconds]}."""
    rng = np.random.default_rng(seed)
    names = list(calls)
    times = {name: [] for name in names}
    for name in names:  # warm up: first touches, imports, caches
        calls[name]()
    for _ in range(rounds):
        for i in rng.permutation(len(names)):
            start = clock()
            calls[names[i]]()
            times[names[i]].append(clock() - start)
    return {name: np.array(t) for name, t in times.items()}


def measure(impls, shape=(4096, 1000), dtypes=("float64", "float32"),
            rounds=25, seed=0, clock=time.perf_counter):
    """Median per-round times and ratios, for every implementation.

    Returns ``{dtype: {"floor_ms": ms, "rows": [row, ...]}}`` where each row
    is a dict with ``impl``, ``function``, ``ms``, ``x_floor`` (multiple of
    one np.exp over the same array) and, where SciPy (or its transcription)
    was measured, ``x_scipy``.  A ``cross_entropy_and_grad`` row of an
    implementation without that call has ``summed: True`` (see FUSED).

    Two rows compare one training step's loss and gradient with the loss
    plus one softmax (``x_budget``): ``loss+grad vs loss+softmax`` times the
    step as the library would run it, by its fused call where it has one
    (``fused: True``), and ``separate loss+grad vs loss+softmax`` as the
    two separate calls.
    """
    scipy_name = next((n for n in impls if n.startswith("SciPy")), None)
    results = {}
    for dtype in dtypes:
        z, y = _logits(shape, dtype, seed=seed)
        # each call binds this dtype's z and y, not the loop variables
        calls = {(FLOOR, "exp"): lambda z=z: np.exp(z)}
        for name, impl in impls.items():
            for function, call in FUNCTIONS.items():
                if function == FUSED and "loss_and_grad" not in impl:
                    continue
                calls[(name, function)] = (
                    lambda call=call, impl=impl, z=z, y=y: call(impl, z, y))
        times = _rounds(calls, rounds, seed, clock)
        summed = [name for name in impls if (name, FUSED) not in times]
        for name in summed:
            times[(name, FUSED)] = sum(times[(name, f)] for f in SEPARATE)
        floor = times.pop((FLOOR, "exp"))
        rows = []
        for (name, function), t in times.items():
            row = {"impl": name, "function": function,
                   "ms": 1e3 * float(np.median(t)),
                   "x_floor": float(np.median(t / floor))}
            if scipy_name and name != scipy_name:
                row["x_scipy"] = float(np.median(t / times[(scipy_name, function)]))
            if function == FUSED and name in summed:
                row["summed"] = True
            rows.append(row)
        for name in impls:
            budget = times[(name, "cross_entropy")] + times[(name, "softmax")]
            separate = sum(times[(name, f)] for f in SEPARATE)
            rows += [_step_row(name, "loss+grad vs loss+softmax",
                               times[(name, FUSED)], budget, floor)
                     | {"fused": name not in summed},
                     _step_row(name, "separate loss+grad vs loss+softmax",
                               separate, budget, floor)]
        results[str(np.dtype(dtype))] = {"floor_ms": 1e3 * float(np.median(floor)),
                                         "rows": rows}
    return results


def _step_row(name, function, step, budget, floor):
    """A row timing a training step's loss and gradient against `budget`."""
    return {"impl": name, "function": function,
            "ms": 1e3 * float(np.median(step)),
            "x_floor": float(np.median(step / floor)),
            "x_budget": float(np.median(step / budget))}


def path_costs(softmaxes, shape=(4096, 1000), rounds=15, seed=0,
               clock=time.perf_counter):
    """The cost of each softmax in `softmaxes` on rows of three kinds.

    They are the three paths of helpers' softmax, in float64: ``5 N(0,1)``
    is shifted by 0 (no subtraction at all), ``1e6 + 5 N(0,1)`` by its
    maximum (an exact subtraction), and ``200 N(0,1)`` by its maximum with
    the rounding error carried (compensated).  In the last, many weights
    are subnormal or 0, which NumPy's ``exp`` computes far more slowly, for
    every implementation.  Returns ``{label: {name: multiple of np.exp}}``.
    """
    normal, _ = _logits(shape, "float64", 5.0, seed)
    arrays = {"5 N(0,1): shift 0": normal,
              "1e6 + 5 N(0,1): shift max, exact": normal + 1e6,
              "200 N(0,1): shift max, compensated": 40 * normal}
    calls = {("exp", ""): lambda: np.exp(normal)}
    for label, z in arrays.items():
        for name, softmax in softmaxes.items():
            calls[(label, name)] = lambda z=z, f=softmax: f(z)
    times = _rounds(calls, rounds, seed, clock)
    floor = times[("exp", "")]
    return {label: {name: float(np.median(times[(label, name)] / floor))
                    for name in softmaxes} for label in arrays}


# The book's own sizes: a chapter's 300 points in 3 classes, a mini-batch of
# 64 in 10, and one row of 1000 classes.
SMALL_SHAPES = ((300, 3), (64, 10), (1, 1000))
SMALL_FUNCTIONS = ("softmax", "log_softmax", "cross_entropy", "cross_entropy_grad")


def small_arrays(impls, baseline, shapes=SMALL_SHAPES, dtype="float64",
                 rounds=25, calls=200, seed=0, clock=time.perf_counter):
    """Microseconds per call on small arrays, and each as a multiple of
    `baseline` (one of `impls`), measured side by side.

    One timing is `calls` consecutive calls, so that the clock's own
    resolution and overhead do not count; each round times every
    (implementation, function) once, in random order, and the ratio to
    `baseline` is formed within the round.  Returns ``{shape: [row, ...]}``
    with rows holding ``impl``, ``function``, ``us`` (median) and
    ``x_baseline`` (median of the per-round ratios).
    """
    found = {}
    for shape in shapes:
        z, y = _logits(shape, dtype, seed=seed)
        calls_of = {(name, function): _repeated(FUNCTIONS[function], impl, z, y, calls)
                    for name, impl in impls.items() for function in SMALL_FUNCTIONS}
        times = _rounds(calls_of, rounds, seed, clock)
        rows = []
        for (name, function), t in times.items():
            rows.append({"impl": name, "function": function,
                         "us": 1e6 * float(np.median(t)) / calls,
                         "x_baseline": float(np.median(
                             t / times[(baseline, function)]))})
        found[str(shape)] = rows
    return found


def _repeated(call, impl, z, y, calls):
    """A function that makes `calls` consecutive calls of one function."""
    def run():
        for _ in range(calls):
            call(impl, z, y)
    return run
