r"""Calibration of a classifier's probabilities, and temperature scaling.

The chapter *Softmax cross-entropy and mutual information* teaches these in
the open; this module keeps the tested copies its figures reuse.

A classifier's largest probability :math:`\max_i p_i` is its *confidence*.
The classifier is calibrated when, among the predictions made with
confidence c, a fraction c is right.  :func:`reliability_bins` groups the
predictions into equal-width bins of confidence and reports each bin's
mean confidence and accuracy, :func:`expected_calibration_error` averages
their gaps weighted by the bins' sizes (Guo et al., 2017), and
:func:`fit_temperature` fits the one scalar T of temperature scaling by
minimising the mean cross-entropy of ``softmax(logits / T)``.

Numerics only: the module depends on NumPy and :mod:`helpers.numerics`;
:func:`helpers.plotting.plot_reliability` draws the diagram.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_count, as_float_array, as_labels, as_real
from .numerics import log_softmax, softmax

__all__ = ["reliability_bins", "expected_calibration_error", "temperature_nll",
           "fit_temperature"]


def _as_probs_and_labels(probs, labels):
    probs = as_float_array(probs, "probs", 2)
    num_examples, num_classes = probs.shape
    if num_examples == 0 or num_classes < 2:
        raise ValueError(f"`probs` must have at least one row and two classes; got "
                         f"shape {probs.shape}.")
    if (not np.all(np.isfinite(probs)) or np.any(probs < 0)
            or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6)):
        raise ValueError("`probs` must hold probabilities: finite, non-negative, each "
                         "row summing to 1.")
    return probs, as_labels(labels, num_examples, num_classes)


def _as_logits_and_labels(logits, labels):
    logits = as_float_array(logits, "logits", 2)
    num_examples, num_classes = logits.shape
    if num_examples == 0 or num_classes < 2:
        raise ValueError(f"`logits` must have at least one row and two classes; got "
                         f"shape {logits.shape}.")
    if not np.all(np.isfinite(logits)):
        raise ValueError("`logits` must be finite.")
    return logits, as_labels(labels, num_examples, num_classes)


def reliability_bins(probs, labels, n_bins=15):
    r"""Mean confidence, accuracy and size of equal-width confidence bins.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Predicted probabilities, rows summing to 1.
    labels : array_like of int, shape (N,)
        The true classes, in ``[0, C)``.
    n_bins : int, optional
        B, the number of bins, at least 1.  Default 15, as Guo et al. (2017).

    Returns
    -------
    confidence : ndarray, shape (B,)
        The mean of :math:`\max_i p_i` over the predictions in each bin; NaN
        for an empty bin.
    accuracy : ndarray, shape (B,)
        The fraction of them whose arg max is the label; NaN for an empty bin.
    counts : ndarray of int, shape (B,)
        How many predictions fall in each bin.

    Notes
    -----
    Bin m holds the confidences in :math:`(m / B, (m + 1) / B]`, the
    convention of Guo et al.; a confidence on an edge goes to the lower bin.

    Examples
    --------
    >>> import numpy as np
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> conf, acc, counts = reliability_bins(probs, [0, 1, 1, 0], n_bins=2)
    >>> counts.tolist(), np.round(conf, 3).tolist(), acc.tolist()
    ([0, 4], [nan, 0.738], [nan, 0.5])
    """
    probs, labels = _as_probs_and_labels(probs, labels)
    n_bins = as_count(n_bins, "n_bins", minimum=1)
    confidence = probs.max(axis=1)                             # (N,)
    correct = probs.argmax(axis=1) == labels                   # (N,)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # right=True: bins are (edge_m, edge_{m+1}], and 0 < confidence <= 1.
    which = np.digitize(confidence, edges[1:-1], right=True)    # (N,)
    counts = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, confidence, n_bins) / counts
        mean_acc = np.bincount(which, correct.astype(float), n_bins) / counts
    return mean_conf, mean_acc, counts


def expected_calibration_error(probs, labels, n_bins=15):
    r"""The expected calibration error with B equal-width bins.

    Parameters
    ----------
    probs, labels, n_bins
        As for :func:`reliability_bins`.

    Returns
    -------
    float
        :math:`\sum_m (N_m / N)\, \lvert \mathrm{acc}_m - \mathrm{conf}_m \rvert`,
        the gap between accuracy and confidence in each bin weighted by
        the fraction of the predictions in it; empty bins count 0.

    Notes
    -----
    The value depends on `n_bins`, and on a finite sample it is biased
    upwards: each bin's gap is the absolute value of a noisy difference, so
    even a perfectly calibrated model scores above 0.

    Examples
    --------
    >>> probs = [[0.75, 0.25]] * 4                  # right 3 times in 4
    >>> print(expected_calibration_error(probs, [0, 0, 0, 1], n_bins=10))
    0.0
    """
    conf, acc, counts = reliability_bins(probs, labels, n_bins)
    filled = counts > 0
    weights = counts[filled] / counts.sum()
    return float(np.sum(weights * np.abs(acc[filled] - conf[filled])))


def temperature_nll(logits, labels, temperature):
    r"""The mean cross-entropy of ``softmax(logits / temperature)``.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Finite logits.
    labels : array_like of int, shape (N,)
        The true classes.
    temperature : float
        T, positive.

    Returns
    -------
    float
        :math:`\frac1N \sum_n -\log \operatorname{softmax}(z_n / T)_{y_n}`.

    Examples
    --------
    >>> import numpy as np
    >>> bool(np.isclose(temperature_nll([[2.0, 0.0]], [0], 2.0),
    ...                 np.log1p(np.exp(-1.0))))
    True
    """
    logits, labels = _as_logits_and_labels(logits, labels)
    temperature = as_real(temperature, "temperature", positive=True)
    log_p = log_softmax(logits / temperature)
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def _slope(logits, labels, beta):
    """d/d(beta) of the mean NLL of softmax(beta z): E_p[z] - z_y, averaged."""
    p = softmax(beta * logits)                                  # (N, C)
    true = logits[np.arange(len(labels)), labels]
    return float(np.mean(np.sum(p * logits, axis=1) - true))


def fit_temperature(logits, labels, *, rtol=1e-10, max_doublings=60):
    r"""The temperature T that minimises the mean NLL of ``softmax(logits / T)``.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        A model's logits on held-out (validation) points.
    labels : array_like of int, shape (N,)
        Their true classes.
    rtol : float, optional
        The relative precision of :math:`\beta = 1/T`.  Default 1e-10.
    max_doublings : int, optional
        How far to search for an upper bracket, :math:`\beta \le 2^{k}`.

    Returns
    -------
    float
        The fitted T.

    Raises
    ------
    ValueError
        When no finite positive T minimises the loss: if every point's label
        has the strictly largest logit, the loss falls for ever as T falls to
        0; if the slope at :math:`\beta = 0` is already non-negative, the
        logits are no better than uniform and the best T is infinite.

    Notes
    -----
    As a function of :math:`\beta = 1/T` the loss is
    :math:`\frac1N \sum_n [\operatorname{LSE}(\beta z_n) - \beta z_{n, y_n}]`,
    whose second derivative is the mean over n of the variance of
    :math:`z_n` under :math:`\operatorname{softmax}(\beta z_n)`: it is
    convex in :math:`\beta`, its slope never decreases, and bisection on the
    slope finds the one minimiser.

    Examples
    --------
    >>> import numpy as np
    >>> logits = np.array([[2.0, 0.0], [2.0, 0.0], [2.0, 0.0], [2.0, 0.0]])
    >>> T = fit_temperature(logits, [0, 0, 0, 1])   # right 3 times in 4
    >>> print(np.round(np.exp(2.0 / T) / (np.exp(2.0 / T) + 1), 6))
    0.75
    """
    logits, labels = _as_logits_and_labels(logits, labels)
    max_doublings = as_count(max_doublings, "max_doublings", minimum=1)
    rtol = as_real(rtol, "rtol", at_most=0.5)
    if rtol == 0:
        raise ValueError("`rtol` must be positive: bisection stops at a relative width.")
    if _slope(logits, labels, 0.0) >= 0:
        raise ValueError("The logits do no better than a uniform guess on these labels: "
                         "the loss is smallest as T grows without bound.")
    lo, hi = 0.0, 1.0
    for _ in range(max_doublings):
        if _slope(logits, labels, hi) > 0:
            break
        lo, hi = hi, 2 * hi
    else:
        raise ValueError("Every label has the largest logit of its row, so the loss falls "
                         "for ever as T falls to 0: there is no best temperature.")
    for _ in range(200):            # 2**-200 is far below any rtol
        if hi - lo <= rtol * hi:
            break
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _slope(logits, labels, mid) < 0 else (lo, mid)
    return float(1.0 / (0.5 * (lo + hi)))
