"""Claims in the prose of chapter 5 (the gradient), each checked independently.

The softmax inverts the canonical link (the multinomial logit); the
multiclass hinge loss also keeps a gradient of fixed size on a confidently
wrong example, so that property is not cross-entropy's alone; and the step
sizes the chapter quotes for finite differences are where the error of the
two difference formulas is smallest, with the library's default step well
inside the range that verifies a correct gradient.  A gradient divided by C
instead of N has the relative error |N - C| / max(N, C) at every input; the
elementwise mistake only raises logits and drifts to (2/3, 1/3, 0); and the
written answers of the exercises hold.
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
    mistake grows, like cross-entropy's entry p_0 - 1, which tends to -1."""
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


# -- a gradient off by a constant factor: the debugging exercise -------------

def scaled_by_classes(logits, labels):
    """The bug of the exercise: (P - Y) / C instead of / N."""
    probs = helpers.softmax(logits)
    return (probs - np.eye(logits.shape[1])[labels]) / logits.shape[1]


@pytest.mark.parametrize("shape", [(4, 3), (2, 5), (7, 2), (3, 3), (1, 6)])
@pytest.mark.parametrize("seed", range(3))
def test_a_scale_bug_has_the_same_relative_error_everywhere(shape, seed):
    """err = |N - C| / max(N, C) at every input, and the entrywise ratio
    numerical / buggy is C / N: zero error on a square batch."""
    rng = np.random.default_rng(seed)
    N, C = shape
    logits = rng.normal(scale=2.0, size=shape)
    labels = rng.integers(0, C, size=N)
    numeric = helpers.numerical_gradient(
        lambda z: helpers.cross_entropy(z, labels), logits)
    buggy = scaled_by_classes(logits, labels)
    # 1e-8: the central differences' own relative error, about 1e-10 here
    assert relative_error(buggy, numeric) == pytest.approx(
        abs(N - C) / max(N, C), abs=1e-8)
    # entrywise: absolute 1e-9, since a tiny entry's ratio carries the
    # differences' absolute error of about 1e-10 divided by the entry
    np.testing.assert_allclose(numeric, (C / N) * buggy, rtol=0, atol=1e-9)


def test_the_exercise_error_is_far_above_both_thresholds():
    from helpers.checks.ch05 import DEBUG_LABELS, DEBUG_LOGITS
    logits, labels = np.array(DEBUG_LOGITS), np.array(DEBUG_LABELS)
    numeric = helpers.numerical_gradient(
        lambda z: helpers.cross_entropy(z, labels), logits)
    error = relative_error(scaled_by_classes(logits, labels), numeric)
    assert error > 1e-2 and error > 1e6 * 1e-7
    assert round(error, 2) == 0.25


# -- the elementwise mistake -------------------------------------------------

def test_elementwise_gradient_never_lowers_a_logit():
    """Every entry -t_j (1 - p_j) is <= 0, so every bias only climbs."""
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=3.0, size=(500, 4))
    targets = rng.dirichlet(np.ones(4), size=500)
    wrong = -targets * (1 - helpers.softmax(logits))
    assert np.all(wrong <= 0)


def test_elementwise_descent_on_the_soft_target_drifts_to_two_thirds():
    """On t = (0.6, 0.3, 0.1) the rates t_j (1 - p_j) balance at
    p = (2/3, 1/3, 0), and the loss grows without bound."""
    target = np.array([0.6, 0.3, 0.1])
    z, losses = np.zeros(3), []
    for step in range(20000):
        z = z + target * (1 - helpers.softmax(z))
        if step in (2999, 19999):
            losses.append(helpers.cross_entropy(z, target))
    np.testing.assert_allclose(helpers.softmax(z), [2 / 3, 1 / 3, 0], atol=1e-3)
    assert 0.6 * (1 - 2 / 3) == pytest.approx(0.3 * (1 - 1 / 3))
    assert losses[1] > losses[0] > 10


# -- targets that do not sum to 1 -------------------------------------------

def test_multi_hot_gradient_vanishes_only_in_the_limit():
    """For t = (1, 1, 0) the gradient 2p - t shrinks as z_2 falls, never 0."""
    t = np.array([1.0, 1.0, 0.0])
    norms = []
    for z2 in (0.0, -5.0, -20.0, -40.0):
        g = t.sum() * helpers.softmax(np.array([0.0, 0.0, z2])) - t
        norms.append(np.linalg.norm(g))
    assert all(a > b > 0 for a, b in zip(norms, norms[1:]))


# -- the exercises' written answers -----------------------------------------

def test_squared_error_gradient_entry_of_the_true_class():
    """(J (p - e_y))_y = p_y ((p_y - 1) - p^T (p - e_y)), with the factor p_y."""
    rng = np.random.default_rng(4)
    for _ in range(20):
        logits, y = rng.normal(scale=3.0, size=5), int(rng.integers(5))
        p, e = helpers.softmax(logits), np.eye(5)[y]
        full = helpers.softmax_jacobian(logits) @ (p - e)
        assert full[y] == pytest.approx(p[y] * ((p[y] - 1) - p @ (p - e)), abs=1e-15)


@pytest.mark.parametrize("eps, C", [(0.1, 3), (0.2, 10)])
def test_smoothed_true_entry_turns_positive_when_confident(eps, C):
    """p_y - (1 - eps + eps / C) tends to eps (1 - 1/C) > 0 as p_y -> 1."""
    target = (1 - eps) * np.eye(C)[0] + eps / C
    logits = np.zeros(C)
    logits[0] = 40.0                                  # p_0 = 1 - 1e-16 or so
    grad = helpers.cross_entropy_grad(logits, target)
    assert grad[0] == pytest.approx(eps * (1 - 1 / C), rel=1e-9)
    # the gradient vanishes where p = t
    np.testing.assert_allclose(
        helpers.cross_entropy_grad(np.log(target), target), 0, atol=1e-15)


def squared_error_gradient(probs, label):
    """J (p - e_y), the gradient of (1/2)||p - e_y||^2 in the logits."""
    logits = np.log(probs)
    residual = probs - np.eye(probs.size)[label]
    return helpers.softmax_jacobian(logits) @ residual


def test_confidently_wrong_squared_error_only_the_true_entry_is_tiny():
    """'... is at most 2 10^-6 in size ... The other entries need not be
    tiny ... the entries of j and k are about +-p_j p_k (p_j - p_k), of the
    order of 10^-1', and the loss is close to its largest value, 1."""
    probs = np.array([1e-6, 0.9, 0.1 - 1e-6])          # y = 0, as in the text
    grad = squared_error_gradient(probs, 0)
    fd = helpers.numerical_gradient(
        lambda z: 0.5 * np.sum((helpers.softmax(z) - np.eye(3)[0]) ** 2),
        np.log(probs))
    np.testing.assert_allclose(grad, fd, atol=1e-9)   # central differences
    assert abs(grad[0]) <= 2e-6
    assert grad[0] == pytest.approx(
        -probs[0] * (1 + probs @ probs - 2 * probs[0]), rel=1e-9)
    pj, pk = probs[1], probs[2]
    assert grad[1] == pytest.approx(pj * (pj - probs @ probs + probs[0]), rel=1e-12)
    assert grad[1] == pytest.approx(pj * pk * (pj - pk), rel=1e-4)
    assert grad[2] == pytest.approx(-pj * pk * (pj - pk), rel=1e-4)
    assert 0.05 < grad[1] < 0.1                        # not tiny
    loss = 0.5 * np.sum((probs - np.eye(3)[0]) ** 2)
    assert 0.9 < loss < 1.0


def test_the_worked_example_gap_is_about_1e_10_not_within_it():
    """'The two differ by about 1e-10': the gap is 1.3e-10, so the old
    'agree to within 1e-10' was false, while 'about' holds."""
    logits, label = np.array([2.0, 1.0, 0.0]), 2
    numerical = helpers.numerical_gradient(
        lambda z: helpers.cross_entropy(z, label), logits)
    gap = np.max(np.abs(helpers.softmax(logits) - np.eye(3)[label] - numerical))
    assert f"{gap:.0e}" == "1e-10"
    assert gap > 1e-10


@pytest.mark.parametrize("seed", range(3))
def test_elementwise_training_loss_falls_then_climbs(seed):
    """'the loss does not settle: after falling at first, it climbs again'
    (the old text said it 'stalls'), on three clusters like the chapter's,
    while the correct gradient's loss settles lower; the accuracy stays
    the same."""
    centres = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=150)
    X = centres[labels] + 1.2 * rng.normal(size=(150, 2))
    Y = np.eye(3)[labels]

    def run(rule, checkpoints=(250, 1000, 2000)):
        W, b, out = np.zeros((2, 3)), np.zeros(3), {}
        for step in range(1, max(checkpoints) + 1):
            dZ = rule(X @ W + b) / len(X)
            W, b = W - 0.5 * X.T @ dZ, b - 0.5 * dZ.sum(axis=0)
            if step in checkpoints:
                Z = X @ W + b
                out[step] = (helpers.cross_entropy(Z, labels),
                             np.mean(Z.argmax(axis=1) == labels))
        return out

    wrong = run(lambda z: -Y * (1 - helpers.softmax(z)))
    right = run(lambda z: helpers.softmax(z) - Y)
    assert wrong[250][0] < np.log(3)                  # falls at first
    assert wrong[250][0] < wrong[1000][0] < wrong[2000][0]
    assert right[2000][0] < wrong[2000][0]
    assert abs(right[2000][0] - right[1000][0]) < 1e-3   # the correct one settles
    assert abs(wrong[2000][1] - right[2000][1]) <= 0.02


@pytest.mark.parametrize("num_classes", [3, 10])
def test_one_hot_descent_gap_grows_like_the_log_of_the_steps(num_classes):
    """Label-smoothing exercise, part 4: with a one-hot target the gap
    between the true logit and the others grows 'roughly like the logarithm
    of the number of steps'; for step size eta it tends to log(eta C n)."""
    eta, z = 0.5, np.zeros(num_classes)
    target, gaps = np.eye(num_classes)[0], {}
    for step in range(1, 10_001):
        z = z - eta * (helpers.softmax(z) - target)
        if step in (1_000, 10_000):
            gaps[step] = z[0] - z[1]
    # one decade of steps adds about ln 10 to the gap
    assert gaps[10_000] - gaps[1_000] == pytest.approx(np.log(10), rel=0.01)
    assert gaps[10_000] == pytest.approx(np.log(eta * num_classes * 10_000), rel=0.01)


@pytest.mark.parametrize("seed", range(4))
def test_a_larger_step_ends_the_explorers_descent_lower(seed):
    """The explorer's claim: over the step-size slider's range (1/16 to 4, 1/40 octave
    apart), a larger step ends the 40 steps of descent at a lower loss, from any start."""
    rng = np.random.default_rng(seed)
    sizes = 2.0 ** np.arange(-4, 2.0001, 0.025)
    for _ in range(25):
        start, y = np.array([*rng.uniform(-4, 4, 2), 0.0]), int(rng.integers(3))
        target, losses = np.eye(3)[y], []
        for eta in sizes:
            z = start.copy()
            for _ in range(40):
                z = z - eta * (helpers.softmax(z) - target)
            losses.append(helpers.cross_entropy(z, y))
        assert np.all(np.diff(losses) < 0), (start, y)
