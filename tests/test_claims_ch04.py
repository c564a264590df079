"""The numeric claims in the prose of the chapter on the cross-entropy.

Each test names the sentence it guards.  References are closed forms or
independent formulas (mpmath at 50 digits for the softplus), never the
function under test checked against itself.  Tolerances are stated at
each comparison: 1e-12 for float64 sums of a few terms of size about 1,
relative 1e-14 against mpmath.
"""

import mpmath
import numpy as np
import pytest

import helpers

RNG_SEED = 20260314


def entropy(p):
    p = p[p > 0]                                      # 0 log 0 = 0
    return -np.sum(p * np.log(p))


def kl_divergence(p, q):
    keep = p > 0
    return np.sum(p[keep] * np.log(p[keep] / q[keep]))


def bce_stable(z, y):
    """max(z, 0) - y z + log1p(exp(-|z|)), the chapter's stable form."""
    return np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))


def bce_mpmath(z, y):
    """log(1 + e^z) - y z at 50 significant digits."""
    with mpmath.workdps(50):
        z = mpmath.mpf(z)
        return float(mpmath.log1p(mpmath.exp(z)) - y * z)


def test_naive_softplus_overflows_where_the_chapter_says():
    """'e^z overflows to infinity in float64 once z passes about 709.78'."""
    with np.errstate(over="ignore"):
        naive = np.log(1 + np.exp(np.array([709.0, 709.78, 709.79, 745.0])))
    assert np.all(np.isfinite(naive[:2]))
    assert np.all(np.isinf(naive[2:]))
    assert np.log(np.finfo(np.float64).max) == pytest.approx(709.78, abs=5e-3)


@pytest.mark.parametrize("z", [-745.0, -40.0, -1.0, 0.0, 1e-8, 3.0, 40.0,
                               700.0, 710.0, 745.0])
@pytest.mark.parametrize("y", [0.0, 0.5, 1.0])
def test_stable_form_matches_mpmath_and_helper(z, y):
    """'the stable loss is max(z, 0) - y z + log1p(e^-|z|)', also at 745."""
    reference = bce_mpmath(z, y)
    stable = bce_stable(np.float64(z), y)
    helper = helpers.binary_cross_entropy_with_logits(z, y)
    # rel 1e-14: a few ulps on a sum of two or three rounded terms
    assert stable == pytest.approx(reference, rel=1e-14, abs=1e-300)
    assert helper == pytest.approx(reference, rel=1e-14, abs=1e-300)


def test_entropy_is_log_c_minus_kl_from_uniform():
    """'H(p) = log C - KL(p || u) <= log C', equality only at p = u."""
    rng = np.random.default_rng(RNG_SEED)
    for num_classes in range(2, 11):
        uniform = np.full(num_classes, 1 / num_classes)
        for p in rng.dirichlet(np.full(num_classes, 0.5), size=200):
            gap = np.log(num_classes) - kl_divergence(p, uniform)
            assert entropy(p) == pytest.approx(gap, abs=1e-12)
            assert entropy(p) < np.log(num_classes)
        assert entropy(uniform) == pytest.approx(np.log(num_classes),
                                                 abs=1e-12)


def test_best_constant_model_is_the_frequencies():
    """'the best constant model predicts the frequencies, and its loss is
    the entropy of the labels'; every other constant q loses more."""
    labels = np.array([0] * 5 + [1] * 3 + [2] * 2)
    freqs = np.bincount(labels) / labels.size

    def loss(q):
        return helpers.cross_entropy(np.tile(np.log(q), (labels.size, 1)),
                                     labels)

    assert loss(freqs) == pytest.approx(entropy(freqs), abs=1e-12)
    rng = np.random.default_rng(RNG_SEED + 1)
    for q in rng.dirichlet(np.ones(3), size=500):
        # the excess is KL(freqs || q), by the identity in the chapter
        assert loss(q) - loss(freqs) == pytest.approx(
            kl_divergence(freqs, q), abs=1e-12)
        assert loss(q) > loss(freqs)
