"""Tests for the checks of the chapter on mutual information (helpers.checks.ch09).

tests/test_exercises.py already checks every exercise's reference, its
placeholder and that each listed mistake gets its own hint.  Here: right
answers written other ways, wrong ones written as a learner would write
them, the instabilities the inputs must expose, and the stated tolerance
(issue 12: the worked solutions' own 0.658, 2.303 and 0.201 must pass).
"""

import numpy as np
import pytest
from scipy import special

import helpers
from helpers import mi
from helpers.checks.ch09 import (BIAS_PRIORS, CEILING_CLASSES, MI_LABELS, MI_LOGITS,
                                 check_ceiling, check_mi_estimate, check_naive_bias,
                                 check_pc_mi_estimate)

CLOSE = "Close: right to two significant digits. Give more digits."


def shifted_log_softmax(z, shift):
    """A learner's log-softmax that subtracts the row max, min or mean, or nothing."""
    s = 0.0 if shift == "none" else getattr(np, shift)(z, axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        return z - s - np.log(np.sum(np.exp(z - s), axis=-1, keepdims=True))


# --------------------------------------------------------------------------
# The three numbers: to three significant digits, never revealed
# --------------------------------------------------------------------------

@pytest.mark.parametrize("check, quoted, close", [
    (check_mi_estimate, 0.658, 0.66),
    (check_ceiling, 2.303, 2.31),
    (check_naive_bias, 0.201, 0.20),
], ids=["mi_hat", "ceiling", "naive_at_zero"])
class TestNumbers:
    def test_the_solutions_quoted_number_passes(self, check, quoted, close):
        fb = check(quoted)
        assert fb, str(fb)

    def test_two_digits_are_close(self, check, quoted, close):
        fb = check(close)
        assert fb.status == "wrong value" and fb.hint == CLOSE, str(fb)

    def test_wrong_value_is_not_revealed(self, check, quoted, close):
        fb = check(quoted * 1.5)
        assert fb.status == "wrong value"
        assert str(quoted) not in fb.message and "expected" not in fb.message


class TestMiEstimate:
    logits, labels = np.array(MI_LOGITS), np.array(MI_LABELS)

    def test_helpers_mi_estimate_passes(self):
        assert check_mi_estimate(mi.mi_estimate(self.logits, self.labels))

    def test_logsumexp_passes(self):
        picked = self.logits[np.arange(8), self.labels]
        loss = np.mean(special.logsumexp(self.logits, axis=1) - picked)
        assert check_mi_estimate(np.log(4) - loss)

    def test_four_digits_pass(self):
        exact = np.log(4) - helpers.cross_entropy(self.logits, self.labels)
        assert check_mi_estimate(round(exact, 4))

    @pytest.mark.parametrize("shift", ["none", "min", "mean"])
    def test_a_log_softmax_without_the_max_shift_fails(self, shift):
        # The row (800, -800, 805, -800) overflows whichever of these is subtracted.
        log_probs = shifted_log_softmax(self.logits, shift)
        answer = np.log(4) + np.mean(log_probs[np.arange(8), self.labels])
        fb = check_mi_estimate(answer)
        assert fb.status == "wrong value" and fb.hint.startswith("exp(805) overflows")

    def test_a_naive_softmax_gets_the_overflow_hint(self):
        with np.errstate(all="ignore"):
            e = np.exp(self.logits - self.logits.mean(axis=1, keepdims=True))
            probs = e / e.sum(axis=1, keepdims=True)
            answer = np.log(4) + np.mean(np.log(probs[np.arange(8), self.labels]))
        fb = check_mi_estimate(answer)
        assert fb.status == "wrong value" and fb.hint.startswith("exp(805) overflows")


class TestCeilingAndBias:
    def test_ceiling_from_the_uniform_loss_passes(self):
        uniform = np.zeros((1, CEILING_CLASSES))
        assert check_ceiling(helpers.cross_entropy(uniform, [0]))

    def test_naive_bias_from_helpers_mi_passes(self):
        # A model that predicts the priors: its logits are log(priors).
        priors = np.array(BIAS_PRIORS)
        logits = np.tile(np.log(priors), (1000, 1))
        labels = np.repeat([0, 1, 2], (1000 * priors).astype(int))
        assert check_naive_bias(mi.mi_estimate(logits, labels))


# --------------------------------------------------------------------------
# The prior-corrected estimate
# --------------------------------------------------------------------------

def pc_helpers_mi(logits, labels, priors):
    return mi.mi_estimate(logits, labels, priors)


def pc_entropy_minus_loss(logits, labels, priors):
    """H-hat(Y) - CE(f + log pi), the form the helpers.mi docstring gives."""
    log_pi = np.log(priors)
    return -np.mean(log_pi[labels]) - helpers.cross_entropy(logits + log_pi, labels)


def pc_logsumexp(logits, labels, priors):
    """f_y - log sum_c pi_c e^{f_c}, with scipy's weighted logsumexp."""
    f_y = logits[np.arange(len(labels)), labels]
    return np.mean(f_y - special.logsumexp(logits, b=priors, axis=1))


def pc_loop(logits, labels, priors):
    total = 0.0
    for f, y in zip(logits, labels):
        top = f.max()
        total += f[y] - top - np.log(np.sum(priors * np.exp(f - top)))
    return total / len(labels)


def pc_own(shift):
    def func(logits, labels, priors):
        log_pi = np.log(priors)
        log_q = shifted_log_softmax(logits + log_pi, shift)
        return np.mean(log_q[np.arange(len(labels)), labels] - log_pi[labels])
    return func


class TestPcMiEstimate:
    @pytest.mark.parametrize("func", [pc_entropy_minus_loss, pc_logsumexp, pc_loop,
                                      pc_own("max")],
                             ids=["entropy-loss", "logsumexp", "loop", "own-max"])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_pc_mi_estimate(func)
        assert fb, str(fb)

    def test_own_answer_is_judged_after_a_refused_one(self):
        """The helpers are put back: a refusal leaves no blocked function behind."""
        assert not check_pc_mi_estimate(pc_helpers_mi)
        assert mi.mi_estimate(np.zeros((2, 2)), np.array([0, 1])) == 0.0
        assert check_pc_mi_estimate(pc_own("max"))

    @pytest.mark.parametrize("way", ["the function itself", "from helpers.mi import",
                                     "mi.mi_estimate", "helpers.mi.pointwise_mi"])
    def test_helpers_mi_is_refused(self, way):
        """The exercise says "not helpers.mi": every way of calling it is wrong, with why."""
        from helpers.mi import mi_estimate
        func = {"the function itself": mi.mi_estimate,
                "from helpers.mi import": lambda z, y, pi: mi_estimate(z, y, pi),
                "mi.mi_estimate": pc_helpers_mi,
                "helpers.mi.pointwise_mi":
                    lambda z, y, pi: float(np.mean(helpers.mi.pointwise_mi(z, y, pi)))}[way]
        fb = check_pc_mi_estimate(func)
        assert fb.status == "wrong value", str(fb)
        assert "without `helpers.mi`" in fb.hint, fb.hint
        assert mi.mi_estimate is mi_estimate                 # put back after the call

    @pytest.mark.parametrize("shift, words", [
        ("none", "Logits near 750 overflow"),
        ("min", "Subtracting the row minimum"),
        ("mean", "Subtracting the row mean"),
    ])
    def test_each_wrong_shift_fails_with_its_own_hint(self, shift, words):
        fb = check_pc_mi_estimate(pc_own(shift))
        assert fb.status == "wrong value" and fb.hint.startswith(words), str(fb)

    def test_log_of_softmax_fails_on_an_underflowing_true_class(self):
        def func(logits, labels, priors):
            log_pi = np.log(priors)
            with np.errstate(divide="ignore"):
                log_q = np.log(helpers.softmax(logits + log_pi))
            return np.mean(log_q[np.arange(len(labels)), labels] - log_pi[labels])
        fb = check_pc_mi_estimate(func)
        assert fb.status == "wrong value" and "underflows" in fb.hint, str(fb)

    def test_naive_exp_of_the_scores_fails(self):
        def func(logits, labels, priors):
            with np.errstate(all="ignore"):
                r = np.exp(logits) / (np.exp(logits) @ priors)[:, None]
                return np.mean(np.log(r[np.arange(len(labels)), labels]))
        assert check_pc_mi_estimate(func).status == "wrong value"


class TestEce:
    """expected_calibration_error(probs, labels, n_bins): right answers
    written other ways pass; a learner's slips get their hints."""

    def test_helpers_calibration_is_refused(self):
        """The exercise says "not helpers.calibration"; it gives the right numbers."""
        from helpers import calibration
        from helpers.checks.ch09 import check_ece
        func = calibration.expected_calibration_error
        for answer in (func, lambda probs, labels, n_bins: func(probs, labels, n_bins)):
            fb = check_ece(answer)
            assert fb.status == "wrong value" and "helpers.calibration" in fb.hint, str(fb)
        assert calibration.expected_calibration_error is func

    def test_a_vectorised_answer_with_ceil_bins_passes(self):
        """Bins by ceil(conf * B) - 1 agree off the edges, which the cases avoid."""
        from helpers.checks.ch09 import check_ece

        def ece(probs, labels, n_bins):
            conf = probs.max(axis=1)
            correct = (probs.argmax(axis=1) == labels).astype(float)
            which = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
            gap = np.bincount(which, correct - conf, minlength=n_bins)
            # A bin's summed (correct - conf) over N is N_m / N times its gap.
            return np.sum(np.abs(gap)) / len(labels)
        assert check_ece(ece)

    def test_the_cases_avoid_the_bin_edges(self):
        from helpers.checks.ch09 import EXERCISES
        (ECE,) = EXERCISES["check_ece"]
        for case in ECE.cases:
            probs, _, n_bins = case.args
            scaled = probs.max(axis=1) * n_bins
            assert np.min(np.abs(scaled - np.round(scaled))) > 1e-6

    def test_true_class_probability_gets_its_hint(self):
        from helpers.checks.ch09 import check_ece

        def ece(probs, labels, n_bins):
            conf = probs[np.arange(len(labels)), labels]
            correct = probs.argmax(axis=1) == labels
            edges = np.linspace(0, 1, n_bins + 1)
            total = 0.0
            for lo, hi in zip(edges[:-1], edges[1:]):
                inside = (conf > lo) & (conf <= hi)
                if inside.any():
                    total += inside.mean() * abs(correct[inside].mean()
                                                 - conf[inside].mean())
            return total
        fb = check_ece(ece)
        assert fb.status == "wrong value" and "max_i p_i" in fb.hint, str(fb)

    def test_unweighted_mean_gets_its_hint(self):
        from helpers.checks.ch09 import check_ece

        def ece(probs, labels, n_bins):
            conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
            which = np.minimum((conf * n_bins).astype(int), n_bins - 1)
            gaps = [abs(correct[which == m].mean() - conf[which == m].mean())
                    for m in range(n_bins) if np.any(which == m)]
            return np.mean(gaps)
        fb = check_ece(ece)
        assert fb.status == "wrong value" and "plain mean" in fb.hint, str(fb)
