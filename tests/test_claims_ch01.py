"""Claims that the prose of chapter 1 (the softmax) makes, tested.

Each test names the sentence it guards.  The chapter's own solutions
(``my_softmax``, ``softmax_zero_temperature``) are read from the chapter with
jupytext, so that a change to them is tested too.  References: closed forms
in float64, SciPy's ``logsumexp``, ``logit`` and ``expit``, central finite
differences, and the definition of Adam's update (Kingma and Ba, 2015).
"""

import ast

import jupytext
import numpy as np
import pytest
import scipy.special

import helpers
from helpers.checks.ch01 import (BY_HAND_LOGITS, TEMPERATURE_LOGITS, TEMPERATURES,
                                 check_my_softmax, check_zero_temperature_limit)
from tools.project import BOOK

CHAPTER = BOOK / "chapters" / "01-softmax.md"


def chapter_function(name, chapter=CHAPTER):
    """The function `name` as `chapter` last defines it (its `def` only, run
    with ``np`` in scope): for an exercise, the solution after the stub, so
    that a test exercises the code the reader sees."""
    found = None
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type != "code" or f"def {name}(" not in cell.source:
            continue  # (other cells may hold IPython magics, not Python)
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found = node
    if found is None:
        raise LookupError(f"{chapter.name} defines no function {name!r}")
    namespace = {"np": np}
    exec(compile(ast.Module([found], []), str(chapter), "exec"), namespace)
    return namespace[name]


# --------------------------------------------------------------------------
# "It does not limit which probabilities the softmax can produce: every
# probability vector p with positive entries is the softmax of ln p + c."
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [-50.0, 0.0, 7.0, 300.0])
def test_softmax_reaches_every_point_inside_the_simplex(shift):
    rng = np.random.default_rng(13)
    # alpha = 0.1 puts many points near the edges, with entries down to ~1e-30.
    targets = rng.dirichlet(np.full(5, 0.1), size=500)  # (N, C)
    targets = targets[np.all(targets > 0, axis=1)]
    reached = helpers.softmax(np.log(targets) + shift)
    # ln p is rounded with a relative error u, so p_i comes back with a
    # relative error of about |ln p_i| u < 1e-13 for p_i > 1e-300.
    np.testing.assert_allclose(reached, targets, rtol=1e-12, atol=0)


def test_a_new_class_takes_its_share_from_every_class_in_proportion():
    logits = np.array([2.0, 1.0, 0.0])
    before = helpers.softmax(logits)
    after = helpers.softmax(np.append(logits, 1.5))[:3]
    # Closed form: every old probability is multiplied by S / (S + e^1.5).
    total = np.exp(logits).sum()
    np.testing.assert_allclose(after / before, total / (total + np.exp(1.5)), rtol=1e-14)


def test_red_bus_blue_bus():
    np.testing.assert_allclose(helpers.softmax(np.zeros(2)), [1 / 2, 1 / 2], rtol=1e-15)
    # With the old logits kept, the car drops from 1/2 to 1/3.
    np.testing.assert_allclose(helpers.softmax(np.zeros(3)), np.full(3, 1 / 3), rtol=1e-15)


# --------------------------------------------------------------------------
# The solution of ex-softmax-interpretation: "Gradient descent never moves
# the biases along this direction ... An optimiser that rescales each
# coordinate of the gradient, such as Adam, can drift along it."
# --------------------------------------------------------------------------


def _problem(seed=4, num_samples=40, num_features=3, num_classes=4):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(num_samples, num_features))  # (N, D)
    labels = rng.integers(num_classes, size=num_samples)  # (N,)
    weights = rng.normal(size=(num_features, num_classes))  # (D, C)
    biases = rng.normal(size=num_classes)  # (C,)
    return features, labels, weights, biases


def _bias_gradient(features, labels, weights, biases):
    logits = features @ weights + biases  # (N, C)
    return helpers.cross_entropy_grad(logits, labels).sum(axis=0)  # (C,)


def test_bias_gradient_matches_finite_differences_and_sums_to_zero():
    features, labels, weights, biases = _problem()
    grad = _bias_gradient(features, labels, weights, biases)

    def loss(b):
        return helpers.cross_entropy(features @ weights + b, labels)

    step = 1e-6
    numeric = np.array(
        [
            (loss(biases + step * e) - loss(biases - step * e)) / (2 * step)
            for e in np.eye(len(biases))
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # Each row of p - e_y sums to 0, so the sum over classes is rounding only.
    assert abs(grad.sum()) < 1e-15


def test_gradient_descent_keeps_the_mean_bias():
    features, labels, weights, biases = _problem()
    initial = biases
    for _ in range(200):
        biases = biases - 0.5 * _bias_gradient(features, labels, weights, biases)
    assert np.abs(biases - initial).max() > 0.1  # the biases did move,
    start = initial.mean()
    assert abs(biases.mean() - start) < 1e-13  # but not along the ones vector


def test_adam_can_move_the_mean_bias():
    features, labels, weights, biases = _problem()
    start = biases.mean()
    learning_rate, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8  # Adam's defaults
    first = np.zeros_like(biases)
    second = np.zeros_like(biases)
    for step in range(1, 201):
        grad = _bias_gradient(features, labels, weights, biases)
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        update = (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
        biases = biases - learning_rate * update
    # One step moves each coordinate by at most about the learning rate; the
    # mean moves by a sizeable part of that, far above rounding.
    assert abs(biases.mean() - start) > 1e-3




# --------------------------------------------------------------------------
# The worked example: "Here the sum prints as exactly 1.0, but it need not
# ... for other logits the sum can print as 0.9999999999999999 or
# 1.0000000000000002."
# --------------------------------------------------------------------------


def test_worked_example_by_the_three_steps():
    weights = np.exp([2.0, 1.0, 0.0])
    probs = helpers.softmax(np.array([2.0, 1.0, 0.0]))
    np.testing.assert_allclose(probs, weights / weights.sum(), rtol=1e-15)
    assert repr(float(probs.sum())) == "1.0"


def test_sums_of_the_random_batch_print_on_both_sides_of_one():
    rng = np.random.default_rng(0)  # the chapter's batch
    sums = helpers.softmax(rng.normal(scale=3.0, size=(1000, 5))).sum(axis=1)
    printed = {repr(float(total)) for total in sums}
    assert {"0.9999999999999999", "1.0000000000000002"} <= printed
    assert np.abs(sums - 1).max() < 1e-14  # a few ulps, no more


# --------------------------------------------------------------------------
# "Read backwards ... log p_i = z_i - LSE(z): ... unnormalised
# log-probabilities"; "With two classes ... z_1 - z_0 = log(p_1 / p_0) =
# log(p_1 / (1 - p_1)), the log-odds ... the inverse of the logistic sigmoid".
# --------------------------------------------------------------------------


def test_logits_are_log_probabilities_up_to_minus_lse():
    rng = np.random.default_rng(21)
    logits = rng.normal(scale=4.0, size=(200, 6))  # (N, C)
    offset = np.log(helpers.softmax(logits)) - logits  # (N, C)
    lse = scipy.special.logsumexp(logits, axis=1, keepdims=True)  # (N, 1)
    np.testing.assert_allclose(offset, np.broadcast_to(-lse, offset.shape),
                               rtol=1e-12, atol=1e-12)


def test_two_class_logit_gap_is_the_log_odds():
    rng = np.random.default_rng(22)
    logits = rng.normal(scale=5.0, size=(500, 2))  # (N, 2): z_0, z_1
    probs = helpers.softmax(logits)
    gap = logits[:, 1] - logits[:, 0]
    np.testing.assert_allclose(np.log(probs[:, 1] / probs[:, 0]), gap,
                               rtol=1e-12, atol=1e-12)
    # logit(p_1) sees only the stored p_1, and 1 - p_1 cancels when p_1 is
    # near 1: a rounding of p_1 costs about eps / min(p_0, p_1) in the result.
    eps = np.finfo(np.float64).eps
    bound = 8 * eps / probs.min(axis=1) + 4 * eps * np.abs(gap)
    assert np.all(np.abs(scipy.special.logit(probs[:, 1]) - gap) <= bound)


def test_logit_is_the_inverse_of_the_sigmoid():
    # sigma(x) is stored with an absolute error of eps near 1, which costs
    # logit about eps * e^|x|: below 1e-11 for |x| <= 10.
    x = np.linspace(-10.0, 10.0, 201)
    np.testing.assert_allclose(scipy.special.logit(helpers.sigmoid(x)), x,
                               rtol=0, atol=1e-11)
    p = np.linspace(1e-6, 1 - 1e-6, 1001)
    np.testing.assert_allclose(helpers.sigmoid(np.log(p / (1 - p))), p, rtol=1e-12)
    np.testing.assert_allclose(scipy.special.expit(np.log(p / (1 - p))), p, rtol=1e-12)


def test_the_chapters_log_odds_cell():
    pair = np.array([0.3, 1.5])
    p_pair = helpers.softmax(pair)
    log_odds = np.log(p_pair[1] / (1 - p_pair[1]))
    assert abs(log_odds - (pair[1] - pair[0])) < 1e-14
    assert abs(helpers.sigmoid(log_odds) - p_pair[1]) < 1e-15


# --------------------------------------------------------------------------
# "the largest probability for the logits (40, 0) is 1 - delta ... about
# 4.2e-18 ... closer to 1 than to any other of them and rounds to exactly 1.0,
# while the small probability delta is still stored accurately."
# --------------------------------------------------------------------------


def test_probability_one_in_floating_point():
    probs = helpers.softmax(np.array([40.0, 0.0]))
    delta = np.exp(-40.0) / (1 + np.exp(-40.0))
    assert f"{delta:.1e}" == "4.2e-18"
    gap_below_one = 1.0 - np.nextafter(1.0, 0.0)
    assert delta < gap_below_one / 2  # so 1 - delta rounds to 1
    assert probs[0] == 1.0
    np.testing.assert_allclose(probs[1], delta, rtol=1e-14)


# --------------------------------------------------------------------------
# "e^1000 is beyond the largest double-precision number ... for logits near
# -1000 every exponential underflows to 0"; "The logits (1000, 999, 998) have
# the same differences as (2, 1, 0), and get the same probabilities".
# --------------------------------------------------------------------------


def test_the_naive_formula_overflows_and_underflows():
    with np.errstate(over="ignore"):
        assert np.exp(1000.0) == np.inf
    assert np.all(np.exp(np.array([-1000.0, -1001.0, -1002.0])) == 0.0)
    assert 1000.0 > np.log(np.finfo(np.float64).max)


def test_helpers_softmax_shifts_each_row():
    expected = helpers.softmax(np.array([2.0, 1.0, 0.0]))
    batch = np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]])
    np.testing.assert_allclose(helpers.softmax(batch), np.vstack([expected] * 2),
                               rtol=1e-14)


# --------------------------------------------------------------------------
# The chapter's solutions of the two function exercises pass their checks.
# --------------------------------------------------------------------------


def test_the_chapters_my_softmax_passes():
    assert check_my_softmax(chapter_function("my_softmax"))


def test_the_chapters_zero_temperature_limit_passes():
    assert check_zero_temperature_limit(chapter_function("softmax_zero_temperature"))


# --------------------------------------------------------------------------
# Exercise solutions: "p_1 = e^3 / (e^1 + e^3 + e^0)"; "the ratio p_0 / p_1 =
# e^(2/T) falls from e^4 at T = 1/2 to e^(2/5) at T = 5 ... The order of the
# classes never changes"; "log 3" for probabilities 0.6 and 0.2 whatever the
# other eight classes are.
# --------------------------------------------------------------------------


def test_by_hand_solution():
    weights = np.exp(np.array(BY_HAND_LOGITS))
    assert BY_HAND_LOGITS == (1.0, 3.0, 0.0)
    assert f"{weights[1] / weights.sum():.3f}" == "0.844"


def test_temperature_ratio_and_order():
    logits = np.array(TEMPERATURE_LOGITS)
    for temperature in TEMPERATURES:
        probs = helpers.softmax(logits / temperature)
        np.testing.assert_allclose(probs[0] / probs[1], np.exp(2 / temperature), rtol=1e-13)
        assert np.all(np.argsort(probs) == np.argsort(logits))
    uniformity = [np.abs(helpers.softmax(logits / t) - 1 / 3).max() for t in TEMPERATURES]
    assert np.argmin(uniformity) == TEMPERATURES.index(5.0)


@pytest.mark.parametrize("seed", range(5))
def test_logit_gap_ignores_the_other_classes(seed):
    rest = np.random.default_rng(seed).dirichlet(np.ones(8)) * 0.2  # sums to 0.2
    probs = np.concatenate([[0.6, 0.2], rest])
    logits = np.log(probs) + 3.0  # any logits with these probabilities
    np.testing.assert_allclose(helpers.softmax(logits), probs, rtol=1e-12)
    assert abs((logits[0] - logits[1]) - np.log(3.0)) < 1e-14


# --------------------------------------------------------------------------
# "With 200 000 draws each frequency has a standard error of at most
# sqrt(p_i (1 - p_i) / 200 000), about 0.001."
# --------------------------------------------------------------------------


def test_gumbel_max_frequencies_and_their_standard_error():
    logits = np.array([2.0, 1.0, 0.0])
    probs = helpers.softmax(logits)
    rng = np.random.default_rng(3)  # the chapter's draws
    winners = np.argmax(logits + rng.gumbel(size=(200_000, 3)), axis=1)
    freq = np.bincount(winners, minlength=3) / len(winners)
    se = np.sqrt(probs * (1 - probs) / len(winners))
    assert f"{se.max():.1g}" == "0.001"
    assert np.all(np.abs(freq - probs) < 4 * se)


# --------------------------------------------------------------------------
# The solution of ex-softmax-my-softmax: without keepdims "for a square
# batch that silently gives wrong numbers, and for most other shapes it
# raises an error"; "One maximum for the whole batch is not enough: a row
# ... far below it underflows to 0 / 0."
# --------------------------------------------------------------------------


def _without_keepdims(logits):
    weights = np.exp(logits - np.max(logits, axis=-1))
    return weights / np.sum(weights, axis=-1)


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (4, 7)])
def test_missing_keepdims(shape):
    # (Exceptions to "most": one row, or one class, broadcast without error.)
    logits = np.random.default_rng(7).normal(size=shape)
    if shape[0] == shape[1]:
        assert not np.allclose(_without_keepdims(logits), helpers.softmax(logits))
    else:
        with pytest.raises(ValueError):
            _without_keepdims(logits)


def test_one_maximum_for_the_whole_batch_underflows():
    logits = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])
    with np.errstate(invalid="ignore"):
        weights = np.exp(logits - logits.max())
        rows = weights / weights.sum(axis=-1, keepdims=True)
    assert np.all(np.isnan(rows[1])) and np.all(np.isfinite(rows[0]))


# --------------------------------------------------------------------------
# "each computed probability carries a rounding error of its own, and so does
# their sum": the probabilities are not the nearest doubles to the exact ones.
# --------------------------------------------------------------------------


def test_computed_probabilities_are_not_always_correctly_rounded():
    from helpers.reference import softmax_mp

    batch = np.random.default_rng(0).normal(scale=3.0, size=(200, 5))  # (N, C)
    computed = helpers.softmax(batch)
    exact = softmax_mp(batch)  # the exact softmax, rounded once to float64
    assert np.any(computed != exact)  # so "rounded to the nearest double" would be false
    ulps = np.abs(computed - exact) / np.spacing(exact)
    assert ulps.max() <= 8  # a few ulps each, no more


# --------------------------------------------------------------------------
# "with at least two classes ... 0 < p_i < 1": one class gets exactly 1.
# --------------------------------------------------------------------------


def test_one_class_gets_probability_one_and_two_classes_less():
    assert helpers.softmax(np.array([-3.0]))[0] == 1.0
    probs = helpers.softmax(np.array([[5.0, -5.0], [0.0, 0.0], [1.0, 30.0]]))
    assert np.all((probs > 0) & (probs < 1))


# --------------------------------------------------------------------------
# "we may fix one logit at 0 ... (the simplex figure above and the
# temperature explorer below do)": those two fix a logit at 0; the
# two-class explorer moves both a and b, so "the explorers" would be false.
# --------------------------------------------------------------------------


def _code_cell_containing(text):
    cells = [cell.source for cell in jupytext.read(CHAPTER).cells
             if cell.cell_type == "code" and text in cell.source]
    assert len(cells) == 1, text
    return cells[0]


def test_which_figures_fix_a_logit_at_zero():
    simplex = _code_cell_containing("grid_logits")
    assert "np.stack([*line, np.zeros_like(u)]" in simplex
    temperature = _code_cell_containing("def temperature_explorer")
    assert "[z0, z1, 0]" in temperature
    two_classes = _code_cell_containing("def two_classes_explorer")
    assert 'slider("a"' in two_classes and 'slider("b"' in two_classes


# --------------------------------------------------------------------------
# "With two classes and logits (a, 0), the probability of class 0 is
# sigma(a / T)".
# --------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.2, 0.5, 1.0, 2.0])
def test_two_classes_at_a_temperature_is_the_sigmoid_of_a_over_t(temperature):
    a = np.linspace(-4.0, 4.0, 81)
    probs = helpers.softmax(np.stack([a, np.zeros_like(a)], axis=-1) / temperature)
    np.testing.assert_allclose(probs[:, 0], scipy.special.expit(a / temperature),
                               rtol=1e-14, atol=1e-16)


# --------------------------------------------------------------------------
# McFadden: "z_i plus independent noise from the standard Gumbel
# distribution (the same scale, 1, for every option)": a common scale beta
# gives softmax(z / beta), so the scale matters.
# --------------------------------------------------------------------------


def test_gumbel_noise_of_scale_two_gives_the_softmax_at_temperature_two():
    logits = np.array([2.0, 1.0, 0.0])
    draws = 200_000
    rng = np.random.default_rng(5)
    winners = np.argmax(logits + rng.gumbel(scale=2.0, size=(draws, 3)), axis=1)
    freq = np.bincount(winners, minlength=3) / draws
    for probs, close in [(helpers.softmax(logits / 2.0), True),
                         (helpers.softmax(logits), False)]:
        se = np.sqrt(probs * (1 - probs) / draws)
        assert np.all(np.abs(freq - probs) < 4 * se) == close
