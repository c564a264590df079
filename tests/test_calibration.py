"""Tests for helpers.calibration: reliability bins, ECE and temperature scaling.

References are written independently: a loop over bins by hand, labels
drawn from known probabilities (a calibrated model by construction) and
logits whose labels were drawn at a known temperature.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers import calibration as cal
from helpers.numerics import softmax


def draw_labels(probs, rng):
    """One label per row, drawn from that row's probabilities."""
    return (probs.cumsum(axis=1) > rng.random((len(probs), 1))).argmax(axis=1)


def ece_by_hand(probs, labels, n_bins):
    """Guo et al.'s definition, one bin at a time, bins (m/B, (m+1)/B]."""
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)
    total = 0.0
    for m in range(n_bins):
        inside = (conf > m / n_bins) & (conf <= (m + 1) / n_bins)
        if inside.any():
            gap = np.mean(pred[inside] == labels[inside]) - conf[inside].mean()
            total += inside.mean() * abs(gap)
    return total


@pytest.fixture
def model():
    """Random three-class probabilities and labels (seeded)."""
    rng = np.random.default_rng(3)
    probs = softmax(rng.normal(scale=2.0, size=(400, 3)))
    return probs, rng.integers(0, 3, size=400)


class TestBinsAndEce:
    @pytest.mark.parametrize("n_bins", [1, 5, 15, 40])
    def test_ece_matches_a_loop_over_bins(self, model, n_bins):
        probs, labels = model
        assert_allclose(cal.expected_calibration_error(probs, labels, n_bins),
                        ece_by_hand(probs, labels, n_bins), rtol=1e-12)

    def test_bins_partition_the_predictions(self, model):
        probs, labels = model
        conf, acc, counts = cal.reliability_bins(probs, labels, 10)
        assert counts.sum() == len(labels)
        filled = counts > 0
        assert np.all(np.isnan(conf[~filled])) and np.all(np.isnan(acc[~filled]))
        # The weighted mean of the bins' accuracies is the overall accuracy.
        assert_allclose(np.sum(counts[filled] * acc[filled]) / counts.sum(),
                        np.mean(probs.argmax(axis=1) == labels), rtol=1e-12)

    def test_a_confidence_on_an_edge_goes_to_the_lower_bin(self):
        _, _, counts = cal.reliability_bins([[0.5, 0.5], [1.0, 0.0]], [0, 0], 2)
        assert counts.tolist() == [1, 1]

    def test_a_calibrated_model_tends_to_zero_ece(self):
        """Labels drawn from the model's own probabilities: the model is
        calibrated, and its ECE, biased upwards by sampling noise, falls
        towards 0 as N grows (roughly as 1/sqrt(N))."""
        rng = np.random.default_rng(1)
        eces = []
        for n in (1_000, 10_000, 100_000, 1_000_000):
            probs = softmax(rng.normal(scale=2.0, size=(n, 3)))
            eces.append(cal.expected_calibration_error(probs, draw_labels(probs, rng)))
        assert all(a > b for a, b in zip(eces, eces[1:]))
        assert eces[-1] < 0.003

    def test_an_overconfident_model_has_a_large_ece(self):
        rng = np.random.default_rng(2)
        logits = rng.normal(scale=2.0, size=(50_000, 3))
        labels = draw_labels(softmax(logits), rng)
        assert cal.expected_calibration_error(softmax(4 * logits), labels) > 0.1

    @pytest.mark.parametrize("probs, labels, error", [
        ([[0.5, 0.6]], [0], ValueError),
        ([[0.5, 0.5]], [2], ValueError),
        ([[0.5, 0.5]], [0.0], TypeError),
        ([0.5, 0.5], [0], ValueError),
    ])
    def test_bad_input(self, probs, labels, error):
        with pytest.raises(error, match="probs|labels"):
            cal.expected_calibration_error(probs, labels)

    def test_bad_bins(self, model):
        with pytest.raises(ValueError, match="n_bins"):
            cal.reliability_bins(*model, n_bins=0)


class TestTemperature:
    def test_scaling_never_changes_the_arg_max(self):
        rng = np.random.default_rng(4)
        logits = rng.normal(scale=5.0, size=(2_000, 6))
        for temperature in (0.01, 0.3, 1.0, 7.0, 1e3):
            assert np.array_equal(softmax(logits / temperature).argmax(axis=1),
                                  logits.argmax(axis=1))

    @pytest.mark.parametrize("true_t", [0.5, 2.0, 4.0])
    def test_recovers_a_known_temperature_within_5_percent(self, true_t):
        """50 000 points whose labels come from softmax(z / T): the fitted
        T is within 5% of T (over ten seeds the worst error was 1.6%)."""
        rng = np.random.default_rng(5)
        logits = rng.normal(scale=3.0, size=(50_000, 5))
        labels = draw_labels(softmax(logits / true_t), rng)
        assert abs(cal.fit_temperature(logits, labels) / true_t - 1) < 0.05

    def test_the_fit_minimises_the_nll(self, model):
        rng = np.random.default_rng(6)
        logits = rng.normal(scale=3.0, size=(500, 4))
        labels = draw_labels(softmax(logits / 2.5), rng)
        t = cal.fit_temperature(logits, labels)
        best = cal.temperature_nll(logits, labels, t)
        grid = t * np.exp(np.linspace(-1, 1, 201))
        assert all(cal.temperature_nll(logits, labels, g) >= best - 1e-12 for g in grid)

    def test_nll_is_convex_in_inverse_temperature(self):
        """Second differences of the NLL in beta = 1/T are non-negative on a
        fine grid: the chapter's reason for a one-dimensional search."""
        rng = np.random.default_rng(7)
        logits = rng.normal(scale=4.0, size=(300, 3))
        labels = rng.integers(0, 3, size=300)
        betas = np.linspace(0.01, 5.0, 500)
        nll = np.array([cal.temperature_nll(logits, labels, 1 / b) for b in betas])
        assert np.diff(nll, 2).min() > -1e-12

    def test_nll_is_not_convex_in_temperature(self):
        """With a finite best T, the NLL rises from its minimum towards log C
        and stays below it, which no convex function of T can do."""
        rng = np.random.default_rng(8)
        logits = rng.normal(scale=3.0, size=(2_000, 3))
        labels = draw_labels(softmax(logits), rng)
        temps = np.exp(np.linspace(-1, 6, 400))
        nll = np.array([cal.temperature_nll(logits, labels, t) for t in temps])
        assert np.diff(nll, 2).min() < 0
        assert nll.max() < np.log(3)

    def test_separable_points_have_no_best_temperature(self):
        with pytest.raises(ValueError, match="T falls to 0"):
            cal.fit_temperature([[2.0, 0.0], [0.0, 1.0]], [0, 1])

    def test_uninformative_logits_have_no_best_temperature(self):
        with pytest.raises(ValueError, match="uniform"):
            cal.fit_temperature([[2.0, 0.0], [0.0, 1.0]], [1, 0])

    @pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
    def test_bad_temperature(self, temperature):
        with pytest.raises(ValueError, match="temperature"):
            cal.temperature_nll([[1.0, 0.0]], [0], temperature)

    def test_bad_rtol(self):
        with pytest.raises(ValueError, match="rtol"):
            cal.fit_temperature([[1.0, 0.0], [1.0, 0.0]], [0, 1], rtol=0.0)
