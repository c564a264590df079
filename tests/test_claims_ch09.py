"""Claims of chapter 9 (mutual information) that its prose states in words.

The bound H(Y) - CE <= I(X; Y) is reached by the true posterior, which is
not a classifier of 100% accuracy; the raw PC scores model log p(x | y)
only up to a term that depends on x (not a constant); and the training
estimate is to be compared with the truth on the training points.
References: the true posterior and the Monte Carlo truth come from
helpers.mi (Bayes' rule on known Gaussians), checked against quadrature in
tests/test_mi.py.
"""

import numpy as np
from numpy.testing import assert_allclose
from scipy.stats import multivariate_normal

from helpers import mi
from helpers.numerics import log_softmax

PRIORS = np.array([0.7, 0.2, 0.1])


def test_the_bound_is_reached_by_the_posterior_not_by_full_accuracy():
    """With overlapping classes (s = 1) the true posterior scores the truth
    but is right far less than always, and its loss H(Y|X) is well above 0.
    A 'perfect' classifier is one with q = p(y|x)."""
    X, labels = mi.gaussian_classes(3, 2, 1.0, PRIORS, 50_000, seed=3)
    logits = mi.bayes_logits(X, mi.class_means(3, 2, 1.0), PRIORS)
    truth, stderr = mi.true_mutual_information(
        3, 2, 1.0, PRIORS, num_samples=50_000, seed=4)
    # H(Y) - CE of the posterior, as a mean of log p(y|x) - log pi_y.
    log_post = log_softmax(logits)[np.arange(len(labels)), labels]
    estimate = np.mean(log_post - np.log(PRIORS)[labels])
    # Two independent Monte Carlo averages of 50 000 points: allow five
    # combined standard errors (each is about 0.003 nats here).
    assert abs(estimate - truth) < 5 * np.sqrt(2) * stderr
    accuracy = np.mean(np.argmax(logits, axis=1) == labels)
    assert accuracy < 0.9
    h_y = -np.sum(PRIORS * np.log(PRIORS))
    assert h_y - truth > 0.3                # H(Y | X), the loss, is not 0


def test_raw_scores_match_log_likelihood_only_up_to_a_term_in_x():
    """f_k(x) = mu_k.x - |mu_k|^2/2 minus log N(x; mu_k, I) is the same for
    every k at a given x, yet differs between inputs: 'up to a constant'
    would be false, 'up to a term that depends only on x' is true."""
    means = mi.class_means(3, 2, 1.5)                       # (C, D)
    X = np.random.default_rng(0).normal(size=(50, 2))       # (N, D)
    scores = X @ means.T - 0.5 * np.sum(means**2, axis=1)   # (N, C)
    log_lik = np.column_stack([multivariate_normal(m, np.eye(2)).logpdf(X)
                               for m in means])             # (N, C)
    term = scores - log_lik
    assert_allclose(term - term[:, :1], 0, atol=1e-12)      # same for all k
    assert np.ptp(term[:, 0]) > 1.0                         # varies with x


def test_training_estimate_exceeds_the_truth_on_its_own_points():
    """At s = 0 (no information), d = 10, 500 training points: the training
    estimate log 3 - CE_train is above the truth on the same points (the
    chapter's table puts them side by side)."""
    priors = np.full(3, 1 / 3)
    X, labels = mi.gaussian_classes(3, 10, 0.0, priors, 500, seed=1)
    W, b = mi.fit_softmax_regression(X, labels, num_classes=3, lr=0.5,
                                     steps=300)
    train_estimate = mi.mi_estimate(X @ W + b, labels)
    true_logits = mi.bayes_logits(X, mi.class_means(3, 10, 0.0), priors)
    truth_on_train = mi.mi_estimate(true_logits, labels)
    assert_allclose(truth_on_train, 0, atol=1e-12)      # s = 0: no signal
    assert train_estimate > truth_on_train + 0.005
