"""Claims in the prose of chapter 5 (the gradient), each checked independently.

The softmax inverts the canonical link (the multinomial logit); the
multiclass hinge loss also keeps a gradient of fixed size on a confidently
wrong example, so that property is not cross-entropy's alone; and the step
sizes the chapter quotes for finite differences are where the error of the
two difference formulas is smallest, with the library's default step well
inside the range that verifies a correct gradient.
"""

import numpy as np
import pytest

import helpers

MACHINE_EPS = np.finfo(np.float64).eps


def multiclass_hinge(z, label=0):
    """CS231n's SVM loss, sum over j != label of max(0, 1 + z_j - z_label)."""
    margins = np.maximum(0.0, 1.0 + z - z[label])
    margins[label] = 0.0
    return margins.sum()


def relative_error(a, b):
    """||a - b|| / max(||a||, ||b||), as in the chapter."""
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b))


def forward_difference(f, x, h):
    fx = f(x)
    return np.array([(f(x + h * e) - fx) / h for e in np.eye(len(x))])


# -- the canonical link -----------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_softmax_inverts_the_multinomial_logit(seed):
    """log(p_i / p_{C-1}) returns the logits shifted so that z_{C-1} = 0."""
    logits = np.random.default_rng(seed).normal(scale=3.0, size=6)
    probs = helpers.softmax(logits)
    # rtol/atol: a few float64 roundings of logits of size about 10
    np.testing.assert_allclose(np.log(probs / probs[-1]),
                               logits - logits[-1], rtol=1e-12, atol=1e-12)


# -- "not shared by other losses" is false for the multiclass hinge ---------

@pytest.mark.parametrize("num_classes", [3, 5])
def test_hinge_gradient_does_not_shrink_when_confidently_wrong(num_classes):
    """On logits (m, 0, ..., 0) with true class 0, the hinge gradient of the
    true logit is -(C - 1) for every m < -1: it does not shrink as the
    mistake grows, like cross-entropy's entry s_0 - 1, which tends to -1."""
    hinge_true, ce_true = [], []
    for m in (-2.0, -12.0, -100.0):
        z = np.zeros(num_classes)
        z[0] = m
        hinge_true.append(helpers.numerical_gradient(multiclass_hinge, z)[0])
        ce_true.append(helpers.cross_entropy_grad(z, 0)[0])
    # atol 1e-6: central differences of a piecewise linear function away
    # from its kinks, with rounding of order eps * 100 / h
    np.testing.assert_allclose(hinge_true, -(num_classes - 1), atol=1e-6)
    assert np.all(np.diff(ce_true) < 0)               # larger as m falls
    assert ce_true[-1] == pytest.approx(-1.0, abs=1e-12)


def test_hinge_gradient_is_zero_once_every_margin_is_met():
    z = np.array([5.0, 0.0, 0.0])                     # margins 4 > 1 met
    np.testing.assert_allclose(
        helpers.numerical_gradient(multiclass_hinge, z), 0.0, atol=1e-9)
    assert np.all(np.abs(helpers.cross_entropy_grad(z, 0)) > 0)


# -- the step sizes ---------------------------------------------------------

STEPS = np.logspace(-13, -1, 49)                       # the chapter's grid


def sweep(seed):
    rng = np.random.default_rng(seed)
    logits, label = rng.normal(size=5), int(rng.integers(5))
    exact = helpers.cross_entropy_grad(logits, label)

    def loss(z):
        return helpers.cross_entropy(z, label)

    central = [relative_error(helpers.numerical_gradient(loss, logits, eps=h),
                              exact) for h in STEPS]
    forward = [relative_error(forward_difference(loss, logits, h), exact)
               for h in STEPS]
    return np.array(central), np.array(forward)


@pytest.mark.parametrize("seed", range(4))
def test_best_steps_are_near_the_quoted_estimates(seed):
    """The best central step is within a factor 10 of eps^(1/3) (about 6e-6)
    and the best one-sided step within a factor 10 of eps^(1/2) (about
    1.5e-8); the factor allows for the higher derivatives at each point."""
    central, forward = sweep(seed)
    best_central, best_forward = STEPS[central.argmin()], STEPS[forward.argmin()]
    assert abs(np.log10(best_central / MACHINE_EPS ** (1 / 3))) <= 1
    assert abs(np.log10(best_forward / MACHINE_EPS ** 0.5)) <= 1
    assert central.min() < forward.min()


@pytest.mark.parametrize("seed", range(4))
def test_default_step_verifies_a_correct_gradient(seed):
    """At the default h = 1e-6 the central error of a correct gradient is
    below the chapter's 1e-7 threshold, though above the sweep's minimum."""
    central, _ = sweep(seed)
    rng = np.random.default_rng(seed)
    logits, label = rng.normal(size=5), int(rng.integers(5))
    estimate = helpers.numerical_gradient(
        lambda z: helpers.cross_entropy(z, label), logits)   # default eps
    error = relative_error(estimate, helpers.cross_entropy_grad(logits, label))
    assert central.min() <= error < 1e-7
