"""Tests for helpers.mi: Gaussian classes, true MI, and its softmax estimates.

References are independent of the module: scipy.stats.multivariate_normal
for the class densities and the Bayes posterior, scipy.special for the
log-softmax and the weighted log-sum-exp, a quadrature on a grid for the
mutual information, and helpers.numerics.cross_entropy_grad in a plain
loop for the trainer.  Statistical comparisons use tolerances of four or
five standard errors, stated next to each.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special, stats

from helpers.mi import (bayes_logits, class_means, fit_softmax_regression,
                        gaussian_classes, mi_estimate, pointwise_mi,
                        true_mutual_information)
from helpers.numerics import cross_entropy, cross_entropy_grad, softmax


class TestClassMeans:
    @pytest.mark.parametrize("num_classes", [2, 3, 5])
    def test_on_a_circle_equally_spaced(self, num_classes):
        means = class_means(num_classes, 4, 1.5)
        assert means.shape == (num_classes, 4)
        assert_allclose(np.linalg.norm(means, axis=1), 1.5, rtol=1e-14)
        gaps = np.linalg.norm(means - np.roll(means, 1, axis=0), axis=1)
        assert_allclose(gaps, 2 * 1.5 * np.sin(np.pi / num_classes), rtol=1e-13)
        assert_array_equal(means[:, 2:], 0.0)

    def test_zero_separation_is_the_origin(self):
        assert_array_equal(class_means(3, 2, 0.0), 0.0)

    @pytest.mark.parametrize("args, error", [
        ((1, 2, 1.0), ValueError),         # one class
        ((3, 1, 1.0), ValueError),         # one dimension
        ((3, 2, -1.0), ValueError),        # negative separation
        ((3, 2, np.inf), ValueError),
        ((3.0, 2, 1.0), TypeError),        # a float count
        ((True, 2, 1.0), TypeError),
        ((3, 2, "1"), TypeError),
    ])
    def test_bad_input(self, args, error):
        with pytest.raises(error, match="`"):
            class_means(*args)


class TestGaussianClasses:
    def test_shapes_and_label_frequencies(self):
        priors = np.array([0.7, 0.2, 0.1])
        X, labels = gaussian_classes(3, 5, 1.0, priors, n=40_000, seed=3)
        assert X.shape == (40_000, 5) and labels.shape == (40_000,)
        freqs = np.bincount(labels, minlength=3) / len(labels)
        se = np.sqrt(priors * (1 - priors) / len(labels))
        assert np.all(np.abs(freqs - priors) < 5 * se)    # 5 standard errors

    def test_class_conditional_moments(self):
        X, labels = gaussian_classes(3, 3, 2.0, n=60_000, seed=4)
        means = class_means(3, 3, 2.0)
        for k in range(3):
            Xk = X[labels == k]
            # Mean within 5 standard errors (sd 1); covariance near I.
            assert np.all(np.abs(Xk.mean(axis=0) - means[k]) < 5 / np.sqrt(len(Xk)))
            assert_allclose(np.cov(Xk.T), np.eye(3), atol=0.05)

    def test_first_columns_do_not_depend_on_dim(self):
        X2, y2 = gaussian_classes(3, 2, 1.0, n=500, seed=7)
        X9, y9 = gaussian_classes(3, 9, 1.0, n=500, seed=7)
        assert_array_equal(X9[:, :2], X2)
        assert_array_equal(y9, y2)

    def test_same_seed_same_sample(self):
        a = gaussian_classes(4, 2, 1.0, n=50, seed=1)
        b = gaussian_classes(4, 2, 1.0, n=50, seed=1)
        assert_array_equal(a[0], b[0])

    @pytest.mark.parametrize("priors, match", [
        ([0.5, 0.5], "one entry per class"),
        ([0.5, 0.6, -0.1], "positive"),
        ([0.5, 0.5, 0.0], "positive"),
        ([0.2, 0.2, 0.2], "sum to 1"),
        ([[0.5, 0.5, 0.0]], "dimension"),
    ])
    def test_bad_priors(self, priors, match):
        with pytest.raises(ValueError, match=match):
            gaussian_classes(3, 2, 1.0, priors, n=10)

    def test_string_priors(self):
        with pytest.raises(TypeError, match="real numbers"):
            gaussian_classes(3, 2, 1.0, ["a", "b", "c"], n=10)

    @pytest.mark.parametrize("n", [0, -5])
    def test_bad_size(self, n):
        with pytest.raises(ValueError, match="`n`"):
            gaussian_classes(3, 2, 1.0, n=n)


class TestBayesLogits:
    def test_softmax_is_the_posterior(self):
        """Reference: Bayes' rule with scipy's Gaussian densities."""
        rng = np.random.default_rng(0)
        means, priors = class_means(3, 4, 1.3), np.array([0.5, 0.3, 0.2])
        X = rng.normal(scale=2.0, size=(50, 4))
        joint = np.stack([p * stats.multivariate_normal(m, np.eye(4)).pdf(X)
                          for m, p in zip(means, priors)], axis=1)   # (50, 3)
        posterior = joint / joint.sum(axis=1, keepdims=True)
        assert_allclose(softmax(bayes_logits(X, means, priors)), posterior,
                        rtol=1e-10)

    def test_balanced_default(self):
        means = class_means(3, 2, 1.0)
        X = np.array([[0.3, -0.2]])
        assert_allclose(bayes_logits(X, means),
                        bayes_logits(X, means, [1 / 3] * 3), rtol=1e-14)

    def test_mismatched_dimensions(self):
        with pytest.raises(ValueError, match="coordinates"):
            bayes_logits(np.zeros((2, 3)), class_means(3, 2, 1.0))


def quadrature_mi(separation, priors, half_width=9.0, points=601):
    """I(X; Y) for 2-D Gaussian classes by the midpoint rule on a grid.

    An independent reference: the integral of sum_y pi_y N(x; mu_y, I)
    log(p(y | x) / pi_y) over a square that holds all but ~1e-15 of the
    mass, with the posterior from scipy's densities.
    """
    priors = np.asarray(priors)
    t = np.linspace(-half_width, half_width, points)
    h = t[1] - t[0]
    X = np.stack(np.meshgrid(t, t), axis=-1).reshape(-1, 2)
    means = class_means(len(priors), 2, separation)
    joint = np.stack([p * stats.multivariate_normal(m, np.eye(2)).pdf(X)
                      for m, p in zip(means, priors)], axis=1)
    marginal = joint.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log(joint / (marginal * priors)), 0.0)
    return terms.sum() * h * h


class TestTrueMutualInformation:
    def test_zero_separation_is_zero(self):
        mi, se = true_mutual_information(3, 2, 0.0, [0.7, 0.2, 0.1], num_samples=1000)
        assert abs(mi) < 1e-12 and se < 1e-12

    @pytest.mark.parametrize("priors", [None, [0.7, 0.2, 0.1]])
    def test_far_apart_is_label_entropy(self, priors):
        p = np.full(3, 1 / 3) if priors is None else np.array(priors)
        mi, _ = true_mutual_information(3, 2, 30.0, priors, num_samples=2000)
        # Overlap of classes 30 sigma apart is ~exp(-300): none, so each
        # point contributes -log pi_y, and the mean is the label entropy of
        # the sample.
        _, labels = gaussian_classes(3, 2, 30.0, priors, n=2000, seed=0)
        assert mi == pytest.approx(-np.mean(np.log(p)[labels]), rel=1e-12)

    @pytest.mark.parametrize("separation, priors", [
        (1.0, [1 / 3] * 3), (2.0, [0.7, 0.2, 0.1]), (0.5, [0.5, 0.3, 0.2])])
    def test_matches_quadrature(self, separation, priors):
        mi, se = true_mutual_information(3, 2, separation, priors,
                                         num_samples=200_000, seed=5)
        reference = quadrature_mi(separation, priors)
        assert abs(mi - reference) < 5 * se        # 5 standard errors

    def test_does_not_depend_on_dim(self):
        two = true_mutual_information(3, 2, 1.5, num_samples=5000, seed=2)
        eight = true_mutual_information(3, 8, 1.5, num_samples=5000, seed=2)
        # Same sample in the first two coordinates; the rest is noise.
        assert_allclose(two, eight, rtol=1e-12)

    def test_too_few_samples(self):
        with pytest.raises(ValueError, match="num_samples"):
            true_mutual_information(3, 2, 1.0, num_samples=1)


class TestEstimates:
    rng = np.random.default_rng(8)
    logits = rng.normal(scale=2.0, size=(30, 4))
    labels = rng.integers(0, 4, size=30)
    priors = np.array([0.4, 0.3, 0.2, 0.1])

    def test_naive_is_log_c_minus_cross_entropy(self):
        rows = np.arange(30)
        ce = -np.mean(special.log_softmax(self.logits, axis=1)[rows, self.labels])
        assert mi_estimate(self.logits, self.labels) == pytest.approx(
            np.log(4) - ce, rel=1e-12)

    def test_pc_is_mean_log_ratio(self):
        """Reference: f_y - log sum_c pi_c exp(f_c), with scipy's logsumexp."""
        rows = np.arange(30)
        log_r = self.logits[rows, self.labels] - special.logsumexp(
            self.logits, axis=1, b=self.priors)
        assert_allclose(pointwise_mi(self.logits, self.labels, self.priors),
                        log_r, rtol=1e-12, atol=1e-13)

    def test_pc_is_entropy_minus_adjusted_loss(self):
        adjusted = self.logits + np.log(self.priors)
        h = -np.mean(np.log(self.priors)[self.labels])
        assert mi_estimate(self.logits, self.labels, self.priors) == pytest.approx(
            h - cross_entropy(adjusted, self.labels), rel=1e-12)

    def test_uniform_priors_give_the_naive_estimate(self):
        assert_allclose(pointwise_mi(self.logits, self.labels, np.full(4, 0.25)),
                        pointwise_mi(self.logits, self.labels), rtol=1e-12, atol=1e-14)

    def test_shift_invariant(self):
        assert_allclose(pointwise_mi(self.logits + 500.0, self.labels, self.priors),
                        pointwise_mi(self.logits, self.labels, self.priors),
                        rtol=1e-10, atol=1e-12)

    def test_huge_logits_are_finite(self):
        value = mi_estimate([[1000.0, 0.0, -1000.0]], [2], [0.5, 0.3, 0.2])
        assert value == pytest.approx(-2000.0 - np.log(0.5), rel=1e-12)

    def test_bayes_scores_give_the_truth(self):
        """The PC estimate of the class log-likelihoods is the MC truth."""
        priors = np.array([0.7, 0.2, 0.1])
        X, labels = gaussian_classes(3, 2, 1.0, priors, n=20_000, seed=11)
        scores = bayes_logits(X, class_means(3, 2, 1.0))    # no prior term
        truth, _ = true_mutual_information(3, 2, 1.0, priors, 20_000, seed=11)
        assert mi_estimate(scores, labels, priors) == pytest.approx(truth, rel=1e-10)

    @pytest.mark.parametrize("logits, labels, error, match", [
        ([[0.0, 1.0]], [2], ValueError, r"\[0, 2\)"),
        ([[0.0, 1.0]], [0.0], TypeError, "integer"),
        ([[0.0, 1.0]], [0, 1], ValueError, "shape"),
        ([0.0, 1.0], [0], ValueError, "dimension"),
        ([["a", "b"]], [0], TypeError, "real numbers"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), ValueError, "at least one"),
    ])
    def test_bad_input(self, logits, labels, error, match):
        with pytest.raises(error, match=match):
            mi_estimate(logits, labels)

    def test_bad_priors(self):
        with pytest.raises(ValueError, match="one entry per class"):
            mi_estimate([[0.0, 1.0]], [0], [1.0])


class TestFitSoftmaxRegression:
    X, labels = gaussian_classes(3, 4, 1.5, [0.5, 0.3, 0.2], n=200, seed=2)

    def reference_loop(self, lr, steps, offset):
        """Plain gradient descent with the careful helpers gradient."""
        W, b = np.zeros((4, 3)), np.zeros(3)
        for _ in range(steps):
            grad = cross_entropy_grad(self.X @ W + b + offset, self.labels)
            W, b = W - lr * self.X.T @ grad, b - lr * grad.sum(axis=0)
        return W, b

    @pytest.mark.parametrize("offset", [None, np.log([0.5, 0.3, 0.2])])
    def test_matches_reference_loop(self, offset):
        W, b = fit_softmax_regression(self.X, self.labels, lr=0.4, steps=50,
                                      logit_offset=offset)
        W_ref, b_ref = self.reference_loop(0.4, 50, 0.0 if offset is None else offset)
        assert_allclose(W, W_ref, rtol=1e-11, atol=1e-13)
        assert_allclose(b, b_ref, rtol=1e-11, atol=1e-13)

    def test_zero_steps_is_zero(self):
        W, b = fit_softmax_regression(self.X, self.labels, steps=0)
        assert_array_equal(W, 0.0)
        assert_array_equal(b, 0.0)

    def test_constant_offset_changes_nothing(self):
        """Property: shift invariance of the softmax, during training."""
        plain = fit_softmax_regression(self.X, self.labels, steps=40)
        shifted = fit_softmax_regression(self.X, self.labels, steps=40,
                                         logit_offset=[2.0, 2.0, 2.0])
        assert_allclose(plain[0], shifted[0], rtol=1e-12, atol=1e-14)

    def test_loss_falls(self):
        W, b = fit_softmax_regression(self.X, self.labels, steps=100)
        assert cross_entropy(self.X @ W + b, self.labels) < 0.7 * np.log(3)

    def test_num_classes_beyond_the_labels(self):
        W, b = fit_softmax_regression(self.X, self.labels, num_classes=5, steps=5)
        assert W.shape == (4, 5) and b.shape == (5,)

    @pytest.mark.parametrize("kwargs, error, match", [
        ({"lr": 0.0}, ValueError, "`lr`"),
        ({"lr": "fast"}, TypeError, "`lr`"),
        ({"steps": -1}, ValueError, "`steps`"),
        ({"steps": 2.5}, TypeError, "`steps`"),
        ({"logit_offset": [0.0, 1.0]}, ValueError, "logit_offset"),
        ({"logit_offset": [0.0, np.inf, 1.0]}, ValueError, "logit_offset"),
        ({"num_classes": 2}, ValueError, r"\[0, 2\)"),
    ])
    def test_bad_input(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            fit_softmax_regression(self.X, self.labels, **kwargs)

    def test_float_labels(self):
        with pytest.raises(TypeError, match="integer"):
            fit_softmax_regression(self.X, self.labels.astype(float))

    def test_empty_input(self):
        with pytest.raises(ValueError, match="no rows"):
            fit_softmax_regression(np.zeros((0, 2)), np.zeros(0, dtype=int))
