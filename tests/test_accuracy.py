"""Accuracy of the helpers softmax family on hard inputs, against mpmath.

The families of logits are those of the accuracy benchmark
(``bench/families.py``, run in full by ``python3 tasks.py bench accuracy``):
a large spread, huge magnitudes, a large common offset, tiny differences,
20,000 classes and one dominant logit.  Here they are smaller (4 rows of
1000 classes; one row of 20,000) so that the file runs in seconds, and
deterministic (fixed seeds).

Every reference value is computed with mpmath at 50 significant digits from
the exact values of the float inputs, then rounded once to float64
(``bench.families.mp_reference``, itself checked against
``helpers.reference`` below).  Errors are relative, in units of the
dtype's machine epsilon (``helpers.reference.rel_error_ulps``).

The tolerance is 4 eps everywhere, the goal the book sets for its
reference implementation: about two roundings of ``exp`` and the sum, one
of the division and a margin.  A ``nan`` or ``inf`` where the exact value
is finite scores infinitely many eps, so "no NaN or inf" is tested too.
"""

import functools
import importlib.util

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import special

import helpers.numerics as hn
from helpers.reference import log_softmax_mp, logsumexp_mp, rel_error_ulps, softmax_mp

from conftest import ROOT

TOLERANCE = 4  # eps of the dtype: the goal for softmax, log_softmax, lse, CE


def _load(name):
    """A module of bench/, loaded from its file (bench/ is not installed)."""
    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


families = _load("families")


@functools.cache
def case(name, dtype):
    """Logits, labels and mpmath references of one family in one dtype."""
    rows = 1 if name == "20,000 classes" else 4
    logits, labels = families.family(name, rows, 1000, np.dtype(dtype), seed=7)
    # reference computed with mpmath at 50 digits from the float32 or float64
    # values themselves (bench/families.py)
    probs, log_probs, lse = families.mp_reference(logits)
    loss = -log_probs[np.arange(rows), labels]
    # cross_entropy_and_grad's loss has the same reference as cross_entropy
    return logits, labels, {"softmax": probs, "log_softmax": log_probs,
                            "logsumexp": lse, "cross_entropy": loss,
                            "cross_entropy_and_grad": loss}


def helpers_result(function, logits, labels):
    if function == "cross_entropy":
        return hn.cross_entropy(logits, labels, reduction="none")
    if function == "cross_entropy_and_grad":  # its loss
        return hn.cross_entropy_and_grad(logits, labels, reduction="none")[0]
    return getattr(hn, function)(logits)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", families.FAMILIES)
@pytest.mark.parametrize("function", ["softmax", "log_softmax", "logsumexp",
                                      "cross_entropy",
                                      "cross_entropy_and_grad"])
def test_within_4_eps(function, name, dtype):
    """Every entry is within 4 eps of the exact value, and finite."""
    logits, labels, exact = case(name, dtype)
    got = helpers_result(function, logits, labels)
    assert got.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(got))
    err = rel_error_ulps(got, exact[function], dtype=dtype)
    assert np.max(err) <= TOLERANCE, f"{np.max(err):.2f} eps"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", families.FAMILIES)
@pytest.mark.parametrize("loss", [
    hn.cross_entropy,
    lambda logits, labels: hn.cross_entropy_and_grad(logits, labels)[0],
], ids=["cross_entropy", "cross_entropy_and_grad"])
def test_mean_cross_entropy_within_4_eps(loss, name, dtype):
    """The mean loss (what training reports) is within 4 eps as well."""
    logits, labels, exact = case(name, dtype)
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


def test_reference_agrees_with_helpers_reference():
    """bench's one-pass reference equals helpers.reference, value for value."""
    logits = case("normal x5", "float64")[0][:2, :50]
    probs, log_probs, lse = families.mp_reference(logits)
    # both round the same 50-digit value once, so they agree exactly
    assert_array_equal(probs, softmax_mp(logits))
    assert_array_equal(log_probs, log_softmax_mp(logits))
    assert_array_equal(lse, logsumexp_mp(logits))


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
    competitors = _load("competitors")
    logits = case("normal x5", "float64")[0][:, :40].copy()
    logits[0, :3] = logits[0].max()
    assert_array_equal(competitors._transcribed_softmax(logits),
                       special.softmax(logits, axis=-1))
    assert_array_equal(competitors._transcribed_log_softmax(logits),
                       special.log_softmax(logits, axis=-1))
    assert_array_equal(competitors._transcribed_logsumexp(logits),
                       special.logsumexp(logits, axis=-1))
