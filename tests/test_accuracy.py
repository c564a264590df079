"""Accuracy of the helpers softmax family on hard inputs, against mpmath.

The families of logits are those of the accuracy benchmark
(``bench/families.py``, run in full by ``python3 tasks.py bench accuracy``):
a large spread, huge magnitudes, a large common offset, tiny differences,
20,000 classes and one dominant logit.  Here they are smaller (4 rows of
1000 classes; one row of 20,000) so that the file runs in seconds, and
deterministic (fixed seeds).

Every reference value is computed with mpmath at 50 significant digits from
the exact values of the float inputs, then rounded once to float64
(``helpers.reference.softmax_family_mp``, the book's one reference).
Errors are relative, in units of the dtype's machine epsilon
(``helpers.reference.rel_error_ulps``).

helpers.numerics has two routes to its results: a quick one for small
arrays of ordinary logits and a blocked one for everything else.  Each
family is run both as it is (4 rows: the quick route where the logits
allow it) and repeated into an array too large for the quick route, so
that both routes are held to the goal.

The tolerance is 4 eps everywhere, the goal the book sets for its
reference implementation: about two roundings of ``exp`` and the sum, one
of the division and a margin.  A ``nan`` or ``inf`` where the exact value
is finite scores infinitely many eps, so "no NaN or inf" is tested too.
"""

import functools

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import special

import helpers.numerics as hn
from bench import competitors, families
from helpers.reference import rel_error_ulps, softmax_family_mp

TOLERANCE = 4  # eps of the dtype: the goal for softmax, log_softmax, lse, CE
ROUTES = ("as is", "blocked")


@functools.cache
def case(name, dtype, route="as is"):
    """Logits, labels and mpmath references of one family in one dtype.

    The "blocked" route repeats the rows until the array is too large for
    the quick route; the references repeat with them.
    """
    rows = 1 if name == "20,000 classes" else 4
    logits, labels = families.family(name, rows, 1000, np.dtype(dtype), seed=7)
    # reference computed with mpmath at 50 digits from the float32 or float64
    # values themselves
    probs, log_probs, lse = softmax_family_mp(logits)
    loss = -log_probs[np.arange(rows), labels]
    exact = {"softmax": probs, "log_softmax": log_probs, "logsumexp": lse,
             # cross_entropy_and_grad's loss has the same reference
             "cross_entropy": loss, "cross_entropy_and_grad": loss}
    if route == "blocked":
        copies = hn._QUICK_BYTES // logits.nbytes + 1
        logits, labels = np.tile(logits, (copies, 1)), np.tile(labels, copies)
        exact = {f: np.tile(v, (copies, 1) if v.ndim == 2 else copies)
                 for f, v in exact.items()}
    return logits, labels, exact


def helpers_result(function, logits, labels):
    if function == "cross_entropy":
        return hn.cross_entropy(logits, labels, reduction="none")
    if function == "cross_entropy_and_grad":  # its loss
        return hn.cross_entropy_and_grad(logits, labels, reduction="none")[0]
    return getattr(hn, function)(logits)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", families.FAMILIES)
@pytest.mark.parametrize("function", ["softmax", "log_softmax", "logsumexp",
                                      "cross_entropy",
                                      "cross_entropy_and_grad"])
def test_within_4_eps(function, name, dtype, route):
    """Every entry is within 4 eps of the exact value, and finite."""
    logits, labels, exact = case(name, dtype, route)
    got = helpers_result(function, logits, labels)
    assert got.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(got))
    err = rel_error_ulps(got, exact[function], dtype=dtype)
    assert np.max(err) <= TOLERANCE, f"{np.max(err):.2f} eps"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", families.FAMILIES)
@pytest.mark.parametrize("loss", [
    hn.cross_entropy,
    lambda logits, labels: hn.cross_entropy_and_grad(logits, labels)[0],
], ids=["cross_entropy", "cross_entropy_and_grad"])
def test_mean_cross_entropy_within_4_eps(loss, name, dtype, route):
    """The mean loss (what training reports) is within 4 eps as well."""
    logits, labels, exact = case(name, dtype, route)
    # the mean of the per-sample references, each within 0.5 ulp, in float64
    expected = np.mean(exact["cross_entropy"])
    got = loss(logits, labels)
    assert rel_error_ulps(got, expected, dtype=dtype) <= TOLERANCE


def test_dominant_class_keeps_its_tiny_loss():
    """Label at a class 45 above the rest: the loss is about 1e-17, not 0."""
    logits, labels, exact = case("dominant", "float64")
    last = -1  # the most dominant row (+45)
    loss = hn.cross_entropy(logits[last], labels[last])
    assert 0 < exact["cross_entropy"][last] < 1e-16
    assert rel_error_ulps(loss, exact["cross_entropy"][last]) <= TOLERANCE


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_small_ordinary_families_take_the_quick_route(dtype, monkeypatch):
    """The "as is" cases of everyday logits do exercise the quick route:
    the blocked route's exponential pass is never called for them."""
    def blocked(*args, **kwargs):
        raise AssertionError("took the blocked route")
    monkeypatch.setattr(hn, "_exp_rows", blocked)
    logits, labels, _ = case("normal x5", dtype)
    for function in ("softmax", "log_softmax", "logsumexp", "cross_entropy"):
        helpers_result(function, logits, labels)


def test_families_are_hard():
    """The families do catch a less careful softmax: SciPy's is off by more.

    scipy.special.softmax rounds z - max and takes exp of the rounded
    value; on the 5 N(0, 1) family that costs it more than 4 eps.  helpers
    avoids it by choosing a shift that makes the subtraction exact.
    """
    logits, _, exact = case("normal x5", "float64")
    err = rel_error_ulps(special.softmax(logits, axis=-1), exact["softmax"])
    assert np.max(err) > TOLERANCE


def test_scipy_transcription_is_exact():
    """The benchmark's NumPy transcription of SciPy (used where SciPy is not
    installed) returns SciPy's results bit for bit, ties included."""
    logits = case("normal x5", "float64")[0][:, :40].copy()
    logits[0, :3] = logits[0].max()
    assert_array_equal(competitors._transcribed_softmax(logits),
                       special.softmax(logits, axis=-1))
    assert_array_equal(competitors._transcribed_log_softmax(logits),
                       special.log_softmax(logits, axis=-1))
    assert_array_equal(competitors._transcribed_logsumexp(logits),
                       special.logsumexp(logits, axis=-1))
