r"""Mutual information between inputs and labels, and its softmax estimate.

The chapter *Softmax cross-entropy and mutual information* derives
everything here in the open; this module keeps the tested copies that its
tables, figures and explorer reuse.

The synthetic data are C round Gaussian classes in D dimensions: class k
has mean :math:`\mu_k` and covariance the identity, and is drawn with
prior probability :math:`\pi_k`.  The means lie on a circle of radius
`separation` in the first two coordinates, so the other D - 2 coordinates
are pure noise.  By Bayes' rule the true posterior, written
:math:`p^\star` as in the chapter (without a star, p is a model's), is a
softmax of linear logits,

.. math::

    p^\star(k \mid x) = \operatorname{softmax}(z)_k, \qquad
    z_k = \mu_k^\top x - \tfrac12 \lVert \mu_k \rVert^2 + \log \pi_k ,

and the mutual information
:math:`I(X; Y) = \mathbb{E}[\log p^\star(y \mid x) - \log \pi_y]` is
estimated by Monte Carlo.

A classifier with logits f gives the estimates

* naive: :math:`\log C - \mathrm{CE}(f)`, a lower bound in expectation
  only for balanced classes;
* probability-correct ("PC", Qin, Kim and Gedeon, 2019): the mean of
  :math:`\log r_y(x)` with
  :math:`r_y(x) = e^{f_y(x)} / \sum_c \pi_c e^{f_c(x)}`, which equals
  :math:`\hat H(Y) - \mathrm{CE}(f + \log \pi)`.

The module depends on NumPy and :mod:`helpers.numerics` only.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_count, as_float_array, as_labels, as_real
from .numerics import cross_entropy_grad, log_softmax

__all__ = [
    "class_means",
    "gaussian_classes",
    "bayes_logits",
    "true_mutual_information",
    "pointwise_mi",
    "mi_estimate",
    "fit_softmax_regression",
]


# --------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------

def _as_priors(priors, num_classes):
    """Class priors of shape (C,): positive, summing to 1; None is uniform."""
    if priors is None:
        return np.full(num_classes, 1.0 / num_classes)
    priors = as_float_array(priors, "priors", 1)
    if priors.shape != (num_classes,):
        raise ValueError(f"`priors` must have one entry per class, shape "
                         f"({num_classes},); got {priors.shape}.")
    if not np.all(np.isfinite(priors)) or np.any(priors <= 0):
        raise ValueError("`priors` must be positive and finite; a class with "
                         "prior 0 never occurs, so leave it out.")
    if abs(priors.sum() - 1.0) > 1e-8:
        raise ValueError(f"`priors` must sum to 1; they sum to {priors.sum()!r}.")
    return priors


def _as_logits_and_labels(logits, labels):
    logits = as_float_array(logits, "logits", 2)
    num_examples, num_classes = logits.shape
    if num_examples == 0 or num_classes == 0:
        raise ValueError(f"`logits` must have at least one row and one class; "
                         f"got shape {logits.shape}.")
    return logits, as_labels(labels, num_examples, num_classes)


# --------------------------------------------------------------------------
# Gaussian classes
# --------------------------------------------------------------------------

def class_means(num_classes, dim, separation):
    """The class means: C points on a circle in the first two coordinates.

    Parameters
    ----------
    num_classes : int
        C, at least 2.
    dim : int
        D, at least 2.
    separation : float
        The radius of the circle, at least 0.  Neighbouring means are
        ``2 * separation * sin(pi / C)`` apart; 0 puts every class at the
        origin.

    Returns
    -------
    means : ndarray, shape (C, D)
        Row k is the mean of class k, at angle ``pi/2 + 2 pi k / C``.

    Examples
    --------
    >>> import numpy as np
    >>> means = class_means(3, 4, 2.0)
    >>> means.shape
    (3, 4)
    >>> print(np.round(np.linalg.norm(means, axis=1), 6))
    [2. 2. 2.]
    >>> print(np.round(means[0], 6))
    [0. 2. 0. 0.]
    """
    num_classes = as_count(num_classes, "num_classes", minimum=2)
    dim = as_count(dim, "dim", minimum=2)
    separation = as_real(separation, "separation")
    angles = np.pi / 2 + 2 * np.pi * np.arange(num_classes) / num_classes
    means = np.zeros((num_classes, dim))
    means[:, 0] = separation * np.cos(angles)
    means[:, 1] = separation * np.sin(angles)
    return means


def gaussian_classes(num_classes, dim, separation, priors=None, n=1000, seed=0):
    r"""Draw labelled points from round Gaussian classes.

    Parameters
    ----------
    num_classes, dim, separation
        As for :func:`class_means`.
    priors : array_like, shape (C,), optional
        The probability of each class, positive and summing to 1.  None
        (the default) gives balanced classes, 1/C each.
    n : int, optional
        The number of points, at least 1.  Default 1000.
    seed : int, optional
        Seeds the draws.  Default 0.

    Returns
    -------
    X : ndarray, shape (n, D)
        The points.
    labels : ndarray of int, shape (n,)
        Their classes, drawn independently from `priors`.

    Notes
    -----
    Each label is drawn from `priors`, then its point from
    :math:`\mathcal N(\mu_y, I)`.  The noise in coordinate j is drawn
    before that in coordinate j + 1 for each point, so the first d columns
    of a sample in D > d dimensions are a sample of the d-dimensional
    problem with the same seed.

    Examples
    --------
    >>> import numpy as np
    >>> X, labels = gaussian_classes(3, 2, 1.5, priors=[0.7, 0.2, 0.1],
    ...                              n=10_000, seed=1)
    >>> X.shape, labels.shape
    ((10000, 2), (10000,))
    >>> print(np.round(np.bincount(labels) / len(labels), 2))
    [0.7 0.2 0.1]
    >>> X10, labels10 = gaussian_classes(3, 10, 1.5, priors=[0.7, 0.2, 0.1],
    ...                                  n=10_000, seed=1)
    >>> bool(np.array_equal(X10[:, :2], X)), bool(np.array_equal(labels10, labels))
    (True, True)
    """
    means = class_means(num_classes, dim, separation)         # (C, D)
    priors = _as_priors(priors, len(means))
    n = as_count(n, "n", minimum=1)
    seed = as_count(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    labels = rng.choice(len(means), size=n, p=priors)         # (n,)
    # Draw the noise one coordinate at a time, so that the first d columns
    # do not depend on D.
    noise = np.stack([rng.standard_normal(n) for _ in range(dim)], axis=1)
    return means[labels] + noise, labels


def bayes_logits(X, means, priors=None):
    r"""The logits of the true posterior p*(y | x) for round Gaussian classes.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Points.
    means : array_like, shape (C, D)
        The class means (:func:`class_means`).
    priors : array_like, shape (C,), optional
        The class priors; None (the default) means balanced.

    Returns
    -------
    logits : ndarray, shape (N, C)
        :math:`z_k = \mu_k^\top x - \tfrac12 \lVert\mu_k\rVert^2 +
        \log \pi_k`, so that ``softmax(logits)`` is the Bayes posterior.

    Notes
    -----
    The class density is :math:`(2\pi)^{-D/2} e^{-\lVert x -
    \mu_k\rVert^2 / 2}`.  In :math:`\pi_k p^\star(x \mid k)` the factor
    :math:`(2\pi)^{-D/2} e^{-\lVert x\rVert^2/2}` is the same for every
    class and cancels in the normalisation, which leaves :math:`e^{z_k}`.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import softmax
    >>> means = class_means(2, 2, 1.0)             # (0, 1) and (0, -1)
    >>> print(np.round(softmax(bayes_logits([[0.0, 0.0]], means)), 6))
    [[0.5 0.5]]
    >>> print(np.round(softmax(bayes_logits([[0.0, 0.0]], means, [0.8, 0.2])), 6))
    [[0.8 0.2]]
    """
    X = as_float_array(X, "X", 2)
    means = as_float_array(means, "means", 2)
    if X.shape[1] != means.shape[1]:
        raise ValueError(f"`X` has {X.shape[1]} coordinates per row but the "
                         f"means have {means.shape[1]}.")
    priors = _as_priors(priors, len(means))
    return X @ means.T - 0.5 * np.sum(means**2, axis=1) + np.log(priors)


def true_mutual_information(num_classes, dim, separation, priors=None,
                            num_samples=100_000, seed=0):
    r"""I(X; Y) of round Gaussian classes, by Monte Carlo, in nats.

    Parameters
    ----------
    num_classes, dim, separation, priors
        As for :func:`gaussian_classes`.
    num_samples : int, optional
        The number of Monte Carlo points, at least 2.  Default 100 000.
    seed : int, optional
        Seeds the points: the same seed and size give the sample of
        :func:`gaussian_classes`.

    Returns
    -------
    mi : float
        The mean of :math:`\log p^\star(y \mid x) - \log \pi_y` over the sample.
    stderr : float
        Its standard error: the sample standard deviation over
        :math:`\sqrt{M}`.

    Notes
    -----
    :math:`I(X; Y) = \mathbb{E}_{p^\star(x, y)}[\log p^\star(y \mid x) - \log p^\star(y)]`
    is an average over the joint distribution, so an average over points
    drawn from it converges to it, with the stated standard error.  The
    value does not depend on `dim`: the coordinates beyond the first two
    are independent of the class.

    Examples
    --------
    >>> mi, se = true_mutual_information(3, 2, 0.0, num_samples=1000)
    >>> print(mi, se)
    0.0 0.0
    >>> mi, se = true_mutual_information(3, 2, 20.0, num_samples=1000)
    >>> print(f"{mi:.4f}")     # the classes never overlap: I = log 3
    1.0986
    """
    num_samples = as_count(num_samples, "num_samples", minimum=2)
    X, labels = gaussian_classes(num_classes, dim, separation, priors,
                                 n=num_samples, seed=seed)
    means = class_means(num_classes, dim, separation)
    priors = _as_priors(priors, len(means))
    log_post = log_softmax(bayes_logits(X, means, priors))    # (M, C)
    pointwise = (log_post[np.arange(num_samples), labels]
                 - np.log(priors)[labels])                    # (M,)
    return (float(np.mean(pointwise)),
            float(np.std(pointwise, ddof=1) / np.sqrt(num_samples)))


# --------------------------------------------------------------------------
# Estimates from a classifier
# --------------------------------------------------------------------------

def pointwise_mi(logits, labels, priors=None):
    r"""One estimate of :math:`\log p^\star(y \mid x) / p^\star(y)` per labelled point.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        A classifier's scores f(x), one row per point.
    labels : array_like of int, shape (N,)
        The true classes, in ``[0, C)``.
    priors : array_like, shape (C,), optional
        None (the default) gives the naive estimate
        :math:`\log \operatorname{softmax}(f)_y + \log C`.  Class priors
        :math:`\pi` give the probability-correct (PC) one,
        :math:`\log r_y = f_y - \log \sum_c \pi_c e^{f_c}`.

    Returns
    -------
    pmi : ndarray, shape (N,)
        The pointwise estimates, in nats.

    Notes
    -----
    The PC value is computed as
    :math:`\log\operatorname{softmax}(f + \log\pi)_y - \log \pi_y`, which is
    the same number, through the stable log-softmax.

    Examples
    --------
    >>> import numpy as np
    >>> print(np.round(pointwise_mi([[0.0, 0.0]], [0]), 6))      # no information
    [0.]
    >>> print(np.round(pointwise_mi([[0.0, 0.0]], [0], [0.8, 0.2]), 6))
    [0.]
    >>> print(np.round(pointwise_mi([[1000.0, 0.0]], [0]), 6))   # log 2
    [0.693147]
    """
    logits, labels = _as_logits_and_labels(logits, labels)
    rows = np.arange(len(labels))
    num_classes = logits.shape[1]
    if priors is None:
        return log_softmax(logits)[rows, labels] + np.log(num_classes)
    log_priors = np.log(_as_priors(priors, num_classes))      # (C,)
    return log_softmax(logits + log_priors)[rows, labels] - log_priors[labels]


def mi_estimate(logits, labels, priors=None):
    r"""Estimate I(X; Y) from a classifier's logits on labelled points.

    Parameters
    ----------
    logits, labels, priors
        As for :func:`pointwise_mi`.

    Returns
    -------
    float
        The mean of :func:`pointwise_mi`, in nats: :math:`\log C -
        \mathrm{CE}` without priors, and :math:`\hat H(Y) -
        \mathrm{CE}(f + \log \pi)` with them, where
        :math:`\hat H(Y) = -\frac1N \sum_n \log \pi_{y_n}`.

    Examples
    --------
    >>> from helpers.numerics import cross_entropy
    >>> logits, labels = [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [0, 1]
    >>> import numpy as np
    >>> bool(np.isclose(mi_estimate(logits, labels),
    ...                 np.log(3) - cross_entropy(logits, labels)))
    True
    >>> print(round(mi_estimate([[0.0, 0.0]] * 4, [0, 0, 0, 1], [0.75, 0.25]), 6))
    0.0
    """
    return float(np.mean(pointwise_mi(logits, labels, priors)))


def fit_softmax_regression(X, labels, *, num_classes=None, lr=0.5, steps=300,
                           logit_offset=None):
    r"""Softmax regression by full-batch gradient descent from zero weights.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Training inputs.
    labels : array_like of int, shape (N,)
        Training labels in ``[0, C)``.
    num_classes : int, optional
        C; by default one more than the largest label.
    lr : float, optional
        The learning rate, positive.  Default 0.5.
    steps : int, optional
        The number of gradient steps, at least 0.  Default 300.
    logit_offset : array_like, shape (C,), optional
        A fixed vector added to every row of logits during training:
        ``log(priors)`` trains the PC softmax, whose loss is the
        cross-entropy of :math:`XW + b + \log \pi`.  Default: none.

    Returns
    -------
    W : ndarray, shape (D, C)
    b : ndarray, shape (C,)
        The model's scores are ``X @ W + b``, without the offset.

    Notes
    -----
    The loss is the mean cross-entropy, without a penalty, and each step
    takes its gradient from :func:`helpers.numerics.cross_entropy_grad`.
    With a fixed number of steps the training stops early, which keeps the
    weights of nearly separable classes finite.  The starting point W = 0,
    b = 0 is deterministic, and the loss is convex, so the result depends
    only on the data, `lr` and `steps`.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.numerics import cross_entropy
    >>> X, labels = gaussian_classes(3, 2, 2.0, n=300, seed=0)
    >>> W, b = fit_softmax_regression(X, labels, steps=200)
    >>> W.shape, b.shape
    ((2, 3), (3,))
    >>> bool(cross_entropy(X @ W + b, labels) < 0.5 * np.log(3))
    True
    """
    X = as_float_array(X, "X", 2)
    num_examples, dim = X.shape
    if num_examples == 0:
        raise ValueError("`X` has no rows; training needs at least one example.")
    if num_classes is None:
        if np.asarray(labels).dtype.kind not in "iu":
            raise TypeError("`labels` must be integer class indices; got dtype "
                            f"{np.asarray(labels).dtype}.")
        num_classes = int(np.max(labels)) + 1
    num_classes = as_count(num_classes, "num_classes", minimum=1)
    labels = as_labels(labels, num_examples, num_classes)
    lr = as_real(lr, "lr", positive=True)
    steps = as_count(steps, "steps", minimum=0)
    offset = np.zeros(num_classes)
    if logit_offset is not None:
        offset = as_float_array(logit_offset, "logit_offset", 1)
        if offset.shape != (num_classes,) or not np.all(np.isfinite(offset)):
            raise ValueError(f"`logit_offset` must hold {num_classes} finite "
                             f"numbers; got {offset!r}.")
    W, b = np.zeros((dim, num_classes)), np.zeros(num_classes)
    for _ in range(steps):
        grad = cross_entropy_grad(X @ W + b + offset, labels)    # (N, C)
        W, b = W - lr * (X.T @ grad), b - lr * grad.sum(axis=0)
    return W, b
