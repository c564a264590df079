"""The numeric claims in the prose of the chapter on the softmax Jacobian.

Each test names the sentence it guards.  References are closed forms
(the two-class tie, p - e_y) or central differences, never the function
under test checked against itself.  Tolerances: 1e-12 for float64 algebra
on numbers of size about 1, 1e-7 for central differences with the
helpers' default step.
"""

import numpy as np
import pytest

import helpers

RNG_SEED = 20260313


def largest_eigenvalue(logits):
    return np.linalg.eigvalsh(helpers.softmax_jacobian(logits))[..., -1]


def log_softmax_jacobian(logits):
    """I - 1 p^T, the Jacobian of log softmax(z) for one example."""
    probs = helpers.softmax(logits)                     # (C,)
    return np.eye(probs.size) - np.outer(np.ones(probs.size), probs)


def test_two_class_tie_reaches_one_half():
    """'the eigenvalue is exactly 1/2 for two classes at a tie'."""
    assert largest_eigenvalue(np.array([0.0, 0.0])) == pytest.approx(
        0.5, abs=1e-15)


@pytest.mark.parametrize("num_classes", [2, 3, 5, 10])
def test_largest_eigenvalue_never_exceeds_one_half(num_classes):
    """'The largest eigenvalue never exceeds 1/2' (plus rounding)."""
    rng = np.random.default_rng(RNG_SEED)
    batch = rng.normal(scale=4.0, size=(5000, num_classes))   # (N, C)
    assert largest_eigenvalue(batch).max() <= 0.5 + 1e-15


def test_three_classes_strictly_below_but_close():
    """'With three or more classes it stays strictly below 1/2, though it
    comes arbitrarily close when two classes share nearly all the
    probability': the gap shrinks as the third logit falls."""
    gaps = [0.5 - largest_eigenvalue(np.array([0.0, 0.0, -d]))
            for d in (2.0, 5.0, 10.0)]
    assert all(gap > 0 for gap in gaps)
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-4


def test_stretch_at_most_one_half():
    """'||J v|| <= ||v|| / 2' on random logits and vectors."""
    rng = np.random.default_rng(RNG_SEED + 1)
    logits = rng.normal(scale=3.0, size=(2000, 4))            # (N, C)
    vectors = rng.normal(size=(2000, 4))                      # (N, C)
    stretched = np.einsum("nij,nj->ni", helpers.softmax_jacobian(logits),
                          vectors)
    ratio = np.linalg.norm(stretched, axis=1) / np.linalg.norm(vectors, axis=1)
    assert ratio.max() <= 0.5 + 1e-15


def test_vector_jacobian_product_is_j_times_g_because_symmetric():
    """'only because J is symmetric is that softmax_jvp(logits, g)'."""
    rng = np.random.default_rng(RNG_SEED + 2)
    logits, upstream = rng.normal(size=(2, 7))
    jac = helpers.softmax_jacobian(logits)
    probs = helpers.softmax(logits)
    np.testing.assert_allclose(jac.T @ upstream,
                               probs * (upstream - probs @ upstream),
                               rtol=0, atol=1e-12)


def test_cross_entropy_gradient_survives_saturation():
    """'The cross-entropy ... the gradient with respect to the logits is
    simply p - e_y', of full size where the squared error's vanishes."""
    confident = 10 * np.array([2.0, 1.0, 0.0])
    label, target = 2, np.array([0.0, 0.0, 1.0])
    probs = helpers.softmax(confident)
    jac = helpers.softmax_jacobian(confident)
    grad_ce = jac.T @ (-target / probs[label])
    grad_sq = jac.T @ (probs - target)
    np.testing.assert_allclose(grad_ce, probs - target, rtol=0, atol=1e-12)
    assert np.linalg.norm(grad_ce) > 1.0
    assert np.linalg.norm(grad_sq) < 1e-4


def test_log_softmax_jacobian_matches_finite_differences():
    """'d log p / dz = I - 1 p^T', row i checked as the gradient of log p_i."""
    rng = np.random.default_rng(RNG_SEED + 3)
    logits = rng.normal(size=5)
    for i in range(5):
        row = helpers.numerical_gradient(
            lambda z, i=i: helpers.log_softmax(z)[i], logits)
        np.testing.assert_allclose(row, log_softmax_jacobian(logits)[i],
                                   rtol=0, atol=1e-7)


def test_log_softmax_jacobian_not_symmetric_and_products_differ():
    """'This matrix is not symmetric, so here the two products differ'."""
    logits, target = np.array([2.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    log_jac = log_softmax_jacobian(logits)
    vjp, jvp = log_jac.T @ -target, log_jac @ -target
    np.testing.assert_allclose(vjp, helpers.softmax(logits) - target,
                               rtol=0, atol=1e-12)
    assert np.abs(vjp - jvp).max() > 0.1


def test_diagonal_only_gradient_is_wrong_off_the_true_class():
    """'it leaves the true class's entry right and sets every other entry
    to zero', which a finite-difference check catches."""
    logits, label = np.array([2.0, 1.0, 0.0]), 2
    probs = helpers.softmax(logits)
    diagonal_only = np.zeros(3)
    diagonal_only[label] = -(1 - probs[label])
    fd = helpers.numerical_gradient(
        lambda z: -helpers.log_softmax(z)[label], logits)
    assert diagonal_only[label] == pytest.approx(fd[label], abs=1e-7)
    others = np.arange(3) != label
    np.testing.assert_allclose(fd[others], probs[others], rtol=0, atol=1e-7)
    assert np.abs(diagonal_only - fd).max() > 0.5


def test_worked_example_rates_follow_the_rule():
    """'class 0 gains at the rate p_0(1 - p_0), and every other class i
    loses at the rate p_i p_0', the rates of the worked example, which are
    in the ratio of the losing classes' probabilities."""
    logits, h = np.array([2.0, 1.0, 0.0]), 1e-6
    probs = helpers.softmax(logits)
    rates = (helpers.softmax(logits + np.array([h, 0.0, 0.0])) - probs) / h
    rule = np.array([probs[0] * (1 - probs[0]), -probs[1] * probs[0],
                     -probs[2] * probs[0]])
    # 1e-6: a forward difference with step h = 1e-6 errs by about h
    np.testing.assert_allclose(rates, rule, rtol=0, atol=1e-6)
    assert abs(rates.sum()) < 1e-9
    assert rates[1] / rates[2] == pytest.approx(probs[1] / probs[2], rel=1e-5)


def saturation_curve(case, temperatures):
    scaled = np.array(case) / temperatures[:, None]
    jacs = helpers.softmax_jacobian(scaled) / temperatures[:, None, None]
    return np.abs(jacs).max(axis=(1, 2))


def test_saturation_figure_numbers():
    """'the largest entry peaks ... the factor 1/T lifts it a little above
    the bound 1/4 ... At T = 0.03 it has fallen to 1e-13, while at the tie
    it has grown to 1/(4T)'; on a finer grid the peak stays below 1/4 / T."""
    temperatures = np.geomspace(0.03, 30, 200)        # the figure's grid
    winner = saturation_curve((2.0, 1.0, 0.0), temperatures)
    tie = saturation_curve((1.0, 1.0, 0.0), temperatures)
    assert 0.25 < winner.max() < 0.26
    assert 0.5 < temperatures[winner.argmax()] < 1.0
    assert 1e-14 < winner[0] < 1e-12
    assert tie[0] == pytest.approx(1 / (4 * 0.03), rel=1e-12)
    fine = np.geomspace(0.3, 3, 20_001)
    assert np.all(saturation_curve((2.0, 1.0, 0.0), fine) <= 0.25 / fine)


def test_saturated_entry_is_tiny_and_both_versions_are_close():
    """'The true top-left entry is 2e^-40 / (1 + 2e^-40)^2 ... Both versions
    are within 1e-17 of the truth', and only the helpers' row sums to 0."""
    truth = 2 * np.exp(-40) / (1 + 2 * np.exp(-40)) ** 2
    probs = helpers.softmax(np.array([40.0, 0.0, 0.0]))
    naive = probs[0] - probs[0] ** 2
    helper = helpers.softmax_jacobian(np.array([40.0, 0.0, 0.0]))
    assert naive == 0.0
    assert abs(naive - truth) < 1e-17
    assert helper[0, 0] == pytest.approx(truth, rel=1e-12)
    assert abs(helper[0].sum()) < 1e-30


def test_finite_difference_jacobian_error_is_of_its_own_size():
    """'An agreement to about 1e-10 is about all that finite differences can
    offer: their own error is of that size' (central differences, default
    step, on the chapter's kind of batch)."""
    rng = np.random.default_rng(RNG_SEED + 4)
    batch = rng.normal(scale=3.0, size=(50, 5))
    worst = 0.0
    for row in batch:
        fd = np.stack([helpers.numerical_gradient(
            lambda z, i=i: helpers.softmax(z)[i], row) for i in range(5)])
        worst = max(worst, np.abs(fd - helpers.softmax_jacobian(row)).max())
    assert 1e-13 < worst < 1e-8


def test_memory_of_a_50000_class_jacobian():
    """'20 GB for a single float64 Jacobian, and its product ... 400 kB'."""
    num_classes = 50_000
    jac = np.zeros((2, 2)).itemsize * num_classes ** 2
    assert jac / 1e9 == 20 and 8 * num_classes / 1e3 == 400


def test_pushing_along_v_never_lowers_the_average_of_v():
    """'if you move the logits by h v ... the average of v under the
    probabilities [changes] by about h v^T J v: pushing the logits along v
    (h > 0) never lowers the average of v, to first order'.  The reference
    is a central difference of p(z + h v) . v, not the Jacobian."""
    rng = np.random.default_rng(RNG_SEED + 5)
    for _ in range(200):
        logits, v = rng.normal(scale=3.0, size=5), rng.normal(size=5)
        rate = helpers.numerical_gradient(
            lambda h, z=logits, v=v: helpers.softmax(z + h[0] * v) @ v,
            np.zeros(1))[0]
        # 1e-8: central differences of a function of size about 1
        assert rate == pytest.approx(
            v @ helpers.softmax_jacobian(logits) @ v, abs=1e-8)
        assert rate > -1e-8
