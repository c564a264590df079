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


def bce_stable(z, t):
    """max(z, 0) - t z + log1p(exp(-|z|)), the chapter's stable form."""
    return np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))


def bce_mpmath(z, t):
    """log(1 + e^z) - t z at 50 significant digits."""
    with mpmath.workdps(50):
        z = mpmath.mpf(z)
        return float(mpmath.log1p(mpmath.exp(z)) - t * z)


def test_naive_softplus_overflows_where_the_chapter_says():
    """'e^z overflows to infinity in float64 once z passes about 709.78'."""
    with np.errstate(over="ignore"):
        naive = np.log(1 + np.exp(np.array([709.0, 709.78, 709.79, 745.0])))
    assert np.all(np.isfinite(naive[:2]))
    assert np.all(np.isinf(naive[2:]))
    assert np.log(np.finfo(np.float64).max) == pytest.approx(709.78, abs=5e-3)


@pytest.mark.parametrize("z", [-745.0, -40.0, -1.0, 0.0, 1e-8, 3.0, 40.0,
                               700.0, 710.0, 745.0])
@pytest.mark.parametrize("t", [0.0, 0.5, 1.0])
def test_stable_form_matches_mpmath_and_helper(z, t):
    """'the stable loss is max(z, 0) - t z + log1p(e^-|z|)', also at 745."""
    reference = bce_mpmath(z, t)
    stable = bce_stable(np.float64(z), t)
    helper = helpers.binary_cross_entropy_with_logits(z, t)
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


# -- the multiclass hinge loss beside the cross-entropy ---------------------

def hinge(z, y, delta=1.0):
    """sum_{j != y} max(0, z_j - z_y + delta), written out over the classes."""
    return sum(max(0.0, z[j] - z[y] + delta) for j in range(len(z)) if j != y)


def ce_mpmath(z, y):
    """-log softmax(z)_y = log(1 + sum_{j != y} e^(z_j - z_y)), 50 digits."""
    with mpmath.workdps(50):
        rest = mpmath.fsum(mpmath.exp(mpmath.mpf(float(z[j])) - mpmath.mpf(float(z[y])))
                           for j in range(len(z)) if j != y)
        return mpmath.log1p(rest)


def test_hinge_is_zero_exactly_when_the_margin_is_met():
    """'The hinge loss is exactly 0 as soon as z_y >= z_j + Delta for every
    j != y', and positive while any class is closer."""
    rng = np.random.default_rng(RNG_SEED + 2)
    for _ in range(2000):
        num_classes = int(rng.integers(2, 8))
        z = rng.normal(scale=3.0, size=num_classes)
        y = int(rng.integers(num_classes))
        delta = float(rng.choice([0.5, 1.0, 10.0]))
        met = all(z[y] >= z[j] + delta for j in range(num_classes) if j != y)
        assert (hinge(z, y, delta) == 0.0) == met
        # pushing the true logit past the margin satisfies it
        far = z.copy()
        far[y] = np.max(np.delete(z, y)) + delta + rng.uniform(0, 5)
        assert hinge(far, y, delta) == 0.0


def test_cs231n_example_is_8():
    """'z = (13, -7, 11), true class 0, Delta = 10 ... the loss is 8'."""
    assert hinge(np.array([13.0, -7.0, 11.0]), 0, 10.0) == pytest.approx(8.0, abs=1e-12)
    assert max(0.0, -7 - 13 + 10) == 0.0 and 11 - 13 + 10 == 8


@pytest.mark.parametrize("gap", [1.0, 10.0, 40.0, 300.0, 745.0, 1e4])
def test_cross_entropy_is_positive_for_finite_logits(gap):
    """'-log p_y = log(1 + sum_{j != y} e^(z_j - z_y)) > 0 for every finite z',
    at 50 digits, however far the true logit leads; and p_y - 1 < 0."""
    z = np.array([gap, 0.0, -3.0])
    assert ce_mpmath(z, 0) > 0
    with mpmath.workdps(50):
        rest = mpmath.exp(-gap) + mpmath.exp(-gap - 3)      # sum_{j != y} e^(z_j - z_y)
        assert rest / (1 + rest) > 0                        # = 1 - p_y, so p_y - 1 < 0
        if gap <= 40:                                       # LSE(z) - z_y keeps 50 digits
            lse = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in z))
            assert lse - gap == pytest.approx(ce_mpmath(z, 0), rel=1e-20)


def test_helper_is_positive_until_the_exponential_underflows():
    """'helpers.cross_entropy ... returns a positive number until e^(z_j - z_y)
    itself underflows to 0'; the chapter's first zero is at an integer gap
    past 745."""
    gaps = np.arange(700, 800).astype(float)
    logits = np.column_stack([gaps, np.zeros((gaps.size, 2))])
    ce = helpers.cross_entropy(logits, np.zeros(gaps.size, dtype=int), reduction="none")
    assert np.array_equal(ce > 0, np.exp(-gaps) > 0)
    first_zero = gaps[np.argmax(ce == 0)]
    assert 745 < first_zero <= 746
    # below the underflow it agrees with the 50-digit value
    for g in (700.0, 740.0):
        exact = float(ce_mpmath(np.array([g, 0.0, 0.0]), 0))
        got = helpers.cross_entropy(np.array([g, 0.0, 0.0]), 0)
        assert got == pytest.approx(exact, rel=1e-2)      # subnormal near 740


def test_figure_hinge_and_cross_entropy_of_g_0_0():
    """fig-ce-hinge: the hinge of (g, 0, 0) is 2 max(0, 1 - g), 0 from g = Delta
    on; the cross-entropy is log(1 + 2 e^-g); the pushes are 2 (then 0) and
    1 - p_y = 2 / (e^g + 2), which shrinks like 2 e^-g but stays positive."""
    grid = np.linspace(-4.0, 10.0, 561)
    for g in grid:
        z = np.array([g, 0.0, 0.0])
        assert hinge(z, 0) == pytest.approx(2 * max(0.0, 1 - g), abs=1e-12)
        assert helpers.cross_entropy(z, 0) == pytest.approx(
            np.log1p(2 * np.exp(-g)), rel=1e-13)
        push = 1 - helpers.softmax(z)[0]
        assert push > 0
        assert push == pytest.approx(2 / (np.exp(g) + 2), rel=1e-9)
    assert (1 - helpers.softmax(np.array([10.0, 0, 0]))[0]) / (2 * np.exp(-10.0)) \
        == pytest.approx(1, abs=1e-3)
    # the hinge's derivative in z_y: minus the number of violating classes
    for g, want in [(-2.0, -2.0), (0.5, -2.0), (3.0, 0.0)]:
        z = np.array([g, 0.0, 0.0])
        grad = helpers.numerical_gradient(lambda v: hinge(v, 0), z)
        assert grad[0] == pytest.approx(want, abs=1e-6)


def test_hinge_derivative_counts_the_violating_classes():
    """'the hinge loss's derivative in z_y is minus the number of classes
    that still violate the margin'."""
    z = np.array([1.0, 0.5, -3.0, 0.8])            # classes 1 and 3 violate
    grad = helpers.numerical_gradient(lambda v: hinge(v, 0), z)
    assert grad[0] == pytest.approx(-2.0, abs=1e-6)


def test_moving_a_classified_sample():
    """The predict-first answer: the hinge is 0 for all five logits, each true
    logit leading by at least the margin (exactly 1 for (10, 9, 9)); the
    cross-entropy is positive and different for each."""
    cases = [[10.0, -2.0, 3.0], [10.0, 9.0, 9.0], [10.0, -100.0, -100.0],
             [10.0, -1.5, 3.5], [10.0, -2.5, 2.5]]
    losses = []
    for z in map(np.array, cases):
        assert hinge(z, 0) == 0.0
        assert z[0] - max(z[1:]) >= 1.0
        ce = helpers.cross_entropy(z, 0)
        assert ce > 0 and ce == pytest.approx(float(ce_mpmath(z, 0)), rel=1e-12)
        losses.append(ce)
    assert min(np.diff(sorted(losses))) > 0
    assert cases[1][0] - max(cases[1][1:]) == 1.0


# -- the information theory of the first sections ---------------------------

CHAPTER = (__import__("pathlib").Path(__file__).resolve().parents[1]
           / "book" / "chapters" / "04-cross-entropy.md")
BENT, FAIR = np.array([0.99, 0.01]), np.array([0.5, 0.5])


def test_thousand_bent_tosses_need_about_81_bits_on_average():
    """'a thousand tosses of the bent coin can be compressed to about 81 on
    average': 1000 H(bent) in bits, and a fair coin's 1000 tosses need 1000."""
    bits = -np.sum(BENT * np.log2(BENT))
    assert round(1000 * bits) == 81
    assert 1000 * -np.sum(FAIR * np.log2(FAIR)) == pytest.approx(1000, abs=1e-9)


@pytest.mark.parametrize("t, p", [(BENT, FAIR), (FAIR, BENT),
                                  (np.array([0.5, 0.25, 0.125, 0.125]),
                                   np.array([0.1, 0.2, 0.3, 0.4]))])
def test_a_real_code_for_p_comes_within_one_bit_of_the_cross_entropy(t, p):
    """'H(t, p) in bits is the average length of an ideal code designed for p
    ... a real code, whose words are whole numbers of bits long, can come
    within one bit of it': the Shannon code, lengths ceil(-log2 p_i), exists
    (Kraft's inequality) and its mean length under t is in [H(t, p), H(t, p) + 1)."""
    lengths = np.ceil(-np.log2(p))
    assert np.sum(2.0 ** -lengths) <= 1.0                 # a prefix code exists
    mean_length = np.sum(t * lengths)
    cross_entropy_bits = -np.sum(t * np.log2(p))
    assert cross_entropy_bits <= mean_length < cross_entropy_bits + 1


def test_sums_over_the_examples_start_at_zero():
    """The notation page numbers examples n = 0, ..., N - 1: the likelihood and
    the mean loss run over those indices, never from 1 to N."""
    text = CHAPTER.read_text()
    assert r"\sum_{n=1}" not in text and r"\prod_{n=1}" not in text
    assert r"\prod_{n=0}^{N-1} p_{n, y_n}" in text
    assert text.count(r"\sum_{n=0}^{N-1}") >= 3


def test_kl_is_named_without_a_direction():
    """Sources disagree on whether KL(t || p) is the divergence 'of t from p'
    or 'of p from t'; the chapter names it by its symbol only."""
    text = " ".join(CHAPTER.read_text().replace("**", "").split())
    assert "divergence of $p$ from $t$" not in text
    assert "divergence of $t$ from $p$" not in text


def test_sigmoid_of_40_rounds_to_one_and_the_naive_bce_is_infinite():
    """'at z = 40, sigma(z) rounds to exactly 1, and log(1 - sigma(z)) becomes
    -inf'; the stable form gives the true loss, 40 for t = 0."""
    sigma = 1 / (1 + np.exp(-40.0))
    assert sigma == 1.0
    with np.errstate(divide="ignore"):
        assert np.log(1 - sigma) == -np.inf
    assert bce_stable(40.0, 0.0) == pytest.approx(bce_mpmath(40.0, 0.0), rel=1e-15)
    assert bce_stable(40.0, 0.0) == pytest.approx(40.0, rel=1e-15)


def test_cross_entropy_push_is_flat_then_straight_on_a_log_axis():
    """fig-ce-hinge alt text: the push 1 - p_y = 2 / (e^g + 2) of (g, 0, 0)
    stays just below 1 for negative g and then falls as a straight line on the
    log axis, slope -1 in log(push) per unit of g."""
    def push(g):
        return 1 - helpers.softmax(np.array([g, 0.0, 0.0]))[0]
    assert 0.6 < push(0.0) < push(-2.0) < push(-4.0) < 1.0
    assert push(-4.0) > 0.99
    for g in (6.0, 7.0, 8.0):
        slope = np.log(push(g + 1)) - np.log(push(g))
        assert slope == pytest.approx(-1.0, abs=0.005)


def test_small_logits_start_near_log_c_and_large_ones_far_above():
    """'A freshly initialised network, whose small random weights give logits
    close to 0, starts near this value ... a first loss far above log C means
    the initial logits are too large'; the check is CS231n's 'Look for correct
    loss at chance performance' (Neural Networks Part 3), cited as such."""
    rng = np.random.default_rng(RNG_SEED + 3)
    labels = rng.integers(0, 10, size=4096)
    small = helpers.cross_entropy(rng.normal(scale=0.01, size=(4096, 10)), labels)
    large = helpers.cross_entropy(rng.normal(scale=10.0, size=(4096, 10)), labels)
    assert small == pytest.approx(np.log(10), abs=1e-3)
    assert large > 4 * np.log(10)
    text = " ".join(CHAPTER.read_text().split())
    sentence = text[text.index("a standard sanity check"):][:80]
    assert "{cite}`cs231n2016learning`" in sentence
