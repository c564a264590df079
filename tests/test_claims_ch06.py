"""Claims in the prose and figures of chapter 6 (convexity), each checked.

The chapter's own code is run once (every code cell before its summary, in
one namespace, with figures drawn off screen and closed), so the checks see
the same data, grid and fitting routine as the reader.  They cover: the
minimiser found at every setting of the chapter and its explorer has a
vanishing gradient (this check used to be a cell of the chapter); the
weight surfaces drawn in the 3-D panels are convex while their logarithm is
not; one hidden unit already breaks convexity; convex sublevel sets do not
imply convexity; and the Hessian of the loss in the logits is the softmax
Jacobian, whatever the label.
"""

from pathlib import Path

import numpy as np
import pytest

import helpers
from tests.support.book import chapter_namespace

CHAPTER = Path(__file__).resolve().parents[1] / "book/chapters/06-convexity.md"


@pytest.fixture(scope="module")
def chapter():
    """The namespace left by the chapter's code cells before its summary."""
    return chapter_namespace(CHAPTER, lambda text: text.startswith("## Summary"))


def toy_grad(theta, x, y, reg, temperature=1.0):
    """Gradient of the regularised toy loss in (w, b), written out by hand."""
    A = np.column_stack([x, np.ones_like(x)]) / temperature   # (N, 2)
    residual = helpers.sigmoid(A @ theta) - y                 # (N,)
    return A.T @ residual / len(y) + reg * theta


# -- the minimisers (the check that used to be a cell of the chapter) -------

def test_toy_grad_agrees_with_finite_differences(chapter):
    """The hand-written gradient is that of the chapter's `toy_loss_grid`."""
    rng = np.random.default_rng(0)
    for x, y in chapter["toy_data"].values():
        for reg, T in [(0.0, 1.0), (0.1, 2.0), (1.0, 0.5)]:
            theta = rng.normal(scale=2.0, size=2)

            def loss(t, x=x, y=y, reg=reg, T=T):
                return float(chapter["toy_loss_grid"](t[0], t[1], x, y, reg, T))

            # rtol 1e-7: central differences with the default step
            np.testing.assert_allclose(helpers.numerical_gradient(loss, theta),
                                       toy_grad(theta, x, y, reg, T), rtol=1e-7, atol=1e-9)


def test_every_minimizer_has_a_vanishing_gradient(chapter):
    """At each (data, λ, T) of the regularisation path and of the explorer's
    slider grid (its ends and every tenth position of λ, five of T, and the
    penalty switched off), except separable data with λ = 0, which has no
    minimiser, Newton's method in `fit_toy` stops where the gradient is zero
    to rounding."""
    from helpers.explorer import toy_surface as ts

    slider_regs = 10.0 ** (ts.REG_EXPONENTS[0]
                           + ts.REG_STEP * np.arange(0, ts.REG_POSITIONS, 10))
    regs = (0.0, *slider_regs, *chapter["path_regs"])
    temperatures = 10.0 ** np.linspace(*ts.T_EXPONENTS, 5)
    largest = 0.0
    for name, (x, y) in chapter["toy_data"].items():
        for reg in regs:
            for T in temperatures:
                if reg > 0 or name == "overlapping":
                    theta = chapter["fit_toy"](x, y, reg, T)
                    largest = max(largest, np.abs(toy_grad(theta, x, y, reg, T)).max())
    # 1e-12: a converged Newton step leaves rounding in a mean of 14 terms
    # of size about 1, times the condition number of the tiny-λ Hessians
    assert largest < 1e-12


def test_the_temperature_acts_like_the_strength_lambda_t_squared(chapter):
    """'the minimiser at (λ, T) is T times the minimiser at (λT², 1)', which
    the explorer uses to look its star up, at random λ and T on both data
    sets (λ = 0 on the overlapping data too)."""
    fit = chapter["fit_toy"]
    rng = np.random.default_rng(7)
    for name, (x, y) in chapter["toy_data"].items():
        for _ in range(8):
            reg = 10.0 ** rng.uniform(-5, 0.5) if name == "separable" or rng.random() < 0.8 \
                else 0.0
            T = 10.0 ** rng.uniform(-0.5, 0.5)
            # 1e-9: both are Newton fixed points; they agree to rounding
            np.testing.assert_allclose(fit(x, y, reg, T), T * fit(x, y, reg * T**2, 1.0),
                                       rtol=1e-9, atol=1e-9)


def test_the_explorer_star_leaves_the_map_along_the_arrow_at_t_1(chapter):
    """'at T = 1, as λ falls, the star runs off the map along the arrow': on the
    separable data the minimiser at λ = 1 lies inside the explorer's window, at
    the slider's smallest λ beyond its right edge, within a few degrees of the
    maximum-margin direction; and the bands are the contour maps' levels."""
    from helpers.explorer import toy_surface as ts

    x, y = chapter["toy_data"]["separable"]
    inside = chapter["fit_toy"](x, y, reg=1.0)
    assert ts.W_RANGE[0] < inside[0] < ts.W_RANGE[1] and ts.B_RANGE[0] < inside[1]
    fit_toy_at = chapter["fit_toy"](x, y, reg=10.0 ** ts.REG_EXPONENTS[0])
    assert fit_toy_at[0] > ts.W_RANGE[1]
    hat = chapter["theta_hat"]
    cos = fit_toy_at @ hat / (np.linalg.norm(fit_toy_at) * np.linalg.norm(hat))
    assert np.degrees(np.arccos(min(cos, 1.0))) < 3
    edges = np.geomspace(*ts.COLOUR_DOMAIN, 4 * ts.BANDS + 1)
    np.testing.assert_allclose(edges, chapter["levels"])


# -- the 3-D panels draw the loss, which is convex; its logarithm is not ----

def chord_excess(f, rng, low, high, size=20_000):
    """Largest f(midpoint) - mean(f(a), f(b)) over random pairs in a box."""
    a, b = rng.uniform(low, high, size=(2, size, 2))
    return np.max(f((a + b) / 2) - (f(a) + f(b)) / 2)


@pytest.mark.parametrize("name", ["overlapping", "separable"])
def test_weight_surface_is_convex_and_its_log_is_not(chapter, name):
    x, y = chapter["toy_data"][name]

    def loss(t):
        return chapter["toy_loss_grid"](t[..., 0], t[..., 1], x, y)

    w_grid, b_grid = chapter["w_grid"], chapter["b_grid"]
    low = (w_grid.min(), b_grid.min())
    high = (w_grid.max(), b_grid.max())
    rng = np.random.default_rng(1)
    # 1e-12: rounding of losses of size at most about 4
    assert chord_excess(loss, rng, low, high) <= 1e-12
    assert chord_excess(lambda t: np.log10(loss(t)), rng, low, high) > 0.01
    # what the panel draws is the loss on the chapter's grid, unchanged
    np.testing.assert_array_equal(chapter["toy_surfaces"][name],
                                  chapter["toy_loss_grid"](w_grid, b_grid, x, y))


# -- a hidden layer loses convexity -----------------------------------------

def test_one_hidden_unit_is_not_convex(chapter):
    """(v, w) and (-v, -w) give equal losses; their midpoint gives log 2,
    which lies above the chord whenever the ends fit better than chance."""
    f = chapter["hidden_unit_loss"]
    x, y = chapter["toy_data"]["overlapping"]
    rng = np.random.default_rng(2)
    for v, w in rng.uniform(0.5, 4.0, size=(10, 2)):
        ends = f(v, w, x, y), f(-v, -w, x, y)
        assert ends[0] == pytest.approx(ends[1], rel=1e-12)
        assert f(0.0, 0.0, x, y) == pytest.approx(np.log(2), rel=1e-12)
    # the chapter's own pair
    ends = chapter["ends"]
    assert ends[0] == pytest.approx(ends[1], rel=1e-12)
    assert chapter["middle"] > max(ends)


# -- sublevel sets --------------------------------------------------------------

def test_sqrt_abs_has_convex_sublevel_sets_but_is_not_convex():
    t = np.linspace(-4, 4, 8001)
    f = np.sqrt(np.abs(t))
    for c in (0.5, 1.0, 1.5):
        inside = np.flatnonzero(f <= c)
        # a sublevel set is an interval: its indices are consecutive
        assert np.all(np.diff(inside) == 1)
    assert np.sqrt(0.5) > (np.sqrt(0.0) + np.sqrt(1.0)) / 2     # chord below


# -- the Hessian in the logits (derived in chapter 3) -------------------------

@pytest.mark.parametrize("label", range(5))
def test_hessian_is_the_softmax_jacobian_for_every_label(label):
    logits = np.random.default_rng(3).normal(size=5)

    def grad_entry(i):
        return lambda z: helpers.cross_entropy_grad(z, label)[i]

    hessian = np.array([helpers.numerical_gradient(grad_entry(i), logits)
                        for i in range(5)])
    # atol 1e-9: central differences of a gradient of size at most 1
    np.testing.assert_allclose(hessian, helpers.softmax_jacobian(logits), atol=1e-9)


# -- the numbers the prose glues from the chapter's cells ---------------------

def test_the_ray_has_an_interior_minimum_only_with_overlap(chapter):
    """'On the overlapping data the loss along the ray is lowest near
    t = 2.8, and at t = 30 it is back up ...; on the separable data it has
    fallen to 3.5e-04 there, and is still falling.'"""
    scale = np.linspace(0, 30, 301)
    direction = np.array([1.0, -0.4])
    along = {name: chapter["toy_loss_grid"](scale * direction[0], scale * direction[1], x, y)
             for name, (x, y) in chapter["toy_data"].items()}
    overlap, separable = along["overlapping"], along["separable"]
    assert 0 < overlap.argmin() < len(scale) - 1
    assert overlap[-1] > 4 * overlap.min()
    assert np.all(np.diff(separable) < 0)
    assert separable[-1] < 1e-3


def test_max_margin_threshold_is_the_midpoint_of_the_gap(chapter):
    """'The maximum-margin threshold comes out as 0.400, halfway between ...
    0.2 and 0.6': theta_hat = (5, -2), margin 1 at both closest points."""
    theta_hat = chapter["theta_hat"]
    np.testing.assert_allclose(theta_hat, [5.0, -2.0], rtol=0, atol=1e-12)
    assert -theta_hat[1] / theta_hat[0] == pytest.approx(0.4, abs=1e-12)


def test_gradient_descent_slopes_and_its_unfinished_threshold(chapter):
    """'The slopes approach ||theta_hat|| and -1 ... after 30 000 steps the
    threshold -b/w is 0.397, not yet 0.4'."""
    assert chapter["norm_slope"] == pytest.approx(chapter["hat_norm"], rel=0.05)
    assert chapter["norm_slope"] < chapter["hat_norm"]
    assert chapter["loss_slope"] == pytest.approx(-1.0, abs=0.1)
    theta = chapter["thetas"][-1]
    assert 0.39 < -theta[1] / theta[0] < 0.4


def test_the_regularisation_path_levels_off_at_the_minimiser(chapter):
    """'the minimiser levels off at the unregularised one, of length 4.15,
    as lambda -> 0'."""
    x, y = chapter["toy_data"]["overlapping"]
    star = chapter["fit_toy"](x, y)
    tiny = chapter["reg_paths"]["overlapping"][0]                # lambda = 1e-8
    # rtol 1e-5: lambda = 1e-8 moves the minimiser by lambda H^-1 theta, about 1e-6
    np.testing.assert_allclose(tiny, star, rtol=1e-5)
    assert np.linalg.norm(star) == pytest.approx(4.15, abs=0.005)


# -- Böhning's bound and the safe step ----------------------------------------

def test_bohning_gap_is_never_below_zero_by_more_than_rounding(chapter):
    # The chapter prints min(gaps): zero up to rounding, possibly a tiny
    # negative number, never a clearly negative one.
    assert min(chapter["gaps"]) > -1e-12


@pytest.mark.parametrize("num_classes", [2, 3, 5, 10])
def test_bohning_bound_holds_in_the_full_parametrisation(num_classes):
    # (1/2)(I - 11^T / C) - (diag(p) - p p^T) is PSD for every p: with all C
    # classes free, not only with one pinned.
    rng = np.random.default_rng(num_classes)
    C = num_classes
    bound = 0.5 * (np.eye(C) - np.ones((C, C)) / C)
    for scale in (0.1, 1.0, 5.0, 30.0):
        jac = helpers.softmax_jacobian(rng.normal(scale=scale, size=(200, C)))
        smallest = np.linalg.eigvalsh(bound - jac)[:, 0]
        assert smallest.min() > -1e-12


def test_strict_convexity_does_not_need_a_positive_definite_hessian():
    # x^4 is strictly convex (below its chords) with zero curvature at 0, so
    # "positive definite Hessian" is sufficient, not part of the definition.
    a, b = np.random.default_rng(6).normal(size=(2, 1000))
    theta = np.random.default_rng(7).uniform(0.01, 0.99, size=1000)
    mix = theta * a + (1 - theta) * b
    assert np.all(mix**4 < theta * a**4 + (1 - theta) * b**4)
    second_difference = ((1e-3)**4 - 2 * 0.0 + (-1e-3)**4) / 1e-3**2
    assert second_difference < 1e-5                        # f''(0) = 0


# -- notation: classes from 0 indexed by i, j; t kept for targets and steps ----

def test_notation_follows_the_notation_page():
    text = CHAPTER.read_text()
    for wrong in ("\\sum_{n=1}", "p_{nc}", "w_c", "\\delta_{ck}",
                  "z + t v", "W + tU", "W + t U", "L(t\\theta)",
                  "\\sqrt{|t|}"):
        assert wrong not in text, wrong
