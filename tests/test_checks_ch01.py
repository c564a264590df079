"""Tests for the exercise checks of the chapter on the softmax function.

``tests/test_exercises.py`` checks every exercise's reference, placeholder
and listed mistakes.  Here: right answers written other ways than the
reference (loops, log-sum-exp, SciPy, float32 where the tolerance allows
it), the instabilities the chapter teaches (a shift by the row's minimum
or mean overflows on (800, 0, -800)), the tolerance boundaries the
exercise texts state, and that a by-hand answer is never revealed.  The
expected values come from the closed forms, computed with ``np.exp`` in
float64.
"""

import math
import re

import numpy as np
import pytest
import scipy.special

from helpers.checks.ch01 import (BY_HAND_LOGITS, EXERCISES, TEMPERATURE_LOGITS, TEMPERATURES,
                                 check_logit_gap, check_my_softmax, check_softmax_by_hand,
                                 check_temperature_probs, check_zero_temperature_limit)
from tools.project import BOOK

CHAPTER = BOOK / "chapters" / "01-softmax.md"

CLOSE = "Close: right to two significant digits. Give more digits."


# --------------------------------------------------------------------------
# Softmax by hand and the logit gap: three significant digits
# --------------------------------------------------------------------------

E = np.exp(np.array(BY_HAND_LOGITS))
P1 = E[1] / E.sum()                       # 0.84379...


class TestByHandValues:
    @pytest.mark.parametrize("answer", [0.844, 0.8438, np.float32(P1), [P1][0],
                                        math.exp(3) / (math.e + math.exp(3) + 1)])
    def test_p1_written_other_ways_passes(self, answer):
        assert check_softmax_by_hand(answer)

    def test_p1_one_digit_fewer_is_close(self):
        fb = check_softmax_by_hand(0.84)
        assert fb.status == "wrong value" and fb.hint == CLOSE

    def test_p1_wrong_third_digit_fails(self):
        # 0.845 is 1.2e-3 from 0.84379: more than half a unit of the third digit.
        assert not check_softmax_by_hand(0.845)

    @pytest.mark.parametrize("answer", [1.10, 1.099, np.log(0.6) - np.log(0.2),
                                        np.float32(np.log(3.0))])
    def test_gap_written_other_ways_passes(self, answer):
        assert check_logit_gap(answer)

    def test_gap_two_digits_are_close(self):
        # ln 3 = 1.0986 rounds to 1.10, which passes; 1.09 is two digits right.
        assert check_logit_gap(1.1)
        assert check_logit_gap(1.09).hint == CLOSE

    @pytest.mark.parametrize("check, answer, secret", [
        (check_softmax_by_hand, 0.5, "0.84"), (check_softmax_by_hand, 0.84, "0.843"),
        (check_logit_gap, 2.0, "1.09"), (check_logit_gap, 1.0, "1.09")])
    def test_wrong_value_does_not_reveal_the_answer(self, check, answer, secret):
        fb = check(answer)
        assert not fb and secret not in str(fb)


# --------------------------------------------------------------------------
# my_softmax for a batch (N, C)
# --------------------------------------------------------------------------

def loop_softmax(logits):
    """Row by row, with Python's math module."""
    rows = []
    for row in logits:
        top = max(row)
        weights = [math.exp(z - top) for z in row]
        rows.append([w / sum(weights) for w in weights])
    return np.array(rows)


def lse_softmax(logits):
    """exp(z - LSE(z)): no division at all."""
    top = np.max(logits, axis=1, keepdims=True)
    lse = top + np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))
    return np.exp(logits - lse)


def in_place_softmax(logits):
    logits -= logits.max(axis=-1, keepdims=True)      # changes its argument
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def list_softmax(logits):
    return lse_softmax(logits).tolist()


def shifted(logits, shift):
    """exp(z - shift) / sum: a learner's shift by some row statistic."""
    weights = np.exp(logits - shift(logits, axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


class TestCheckMySoftmax:
    @pytest.mark.parametrize("func", [
        loop_softmax, lse_softmax, in_place_softmax, list_softmax,
        lambda z: scipy.special.softmax(z, axis=-1),
        lambda z: np.exp(scipy.special.log_softmax(z, axis=1))])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_my_softmax(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("shift, hint", [(np.min, "row minimum"), (np.mean, "row mean")])
    def test_shift_by_min_or_mean_overflows_on_800_0_minus_800(self, shift, hint):
        # Both pass every batch of moderate spread; only (800, 0, -800) shows them.
        fb = check_my_softmax(lambda z: shifted(z, shift))
        assert fb.status == "wrong value"
        assert "(800, 0, -800)" in fb.hint and hint in fb.hint
        assert "800" in fb.message

    def test_shift_by_the_median_fails_too(self):
        # Not a listed mistake, but it overflows on (800, 0, -800) all the same.
        fb = check_my_softmax(lambda z: shifted(z, np.median))
        assert fb.status == "wrong value" and "Subtract the row maximum" in fb.hint

    def test_float32_is_not_accurate_enough(self):
        # The check's rtol is 1e-9; float32 (eps 1.2e-7) is stated not to pass.
        assert not check_my_softmax(lambda z: lse_softmax(z.astype(np.float32)))

    def test_error_in_the_tenth_digit_passes_and_in_the_eighth_fails(self):
        assert check_my_softmax(lambda z: lse_softmax(z) * (1 + 2e-10))
        assert not check_my_softmax(lambda z: lse_softmax(z) * (1 + 1e-8))

    def test_exception_names_the_input(self):
        fb = check_my_softmax(lambda z: z.softmax())
        assert fb.status == "wrong value" and "AttributeError" in fb.message


# --------------------------------------------------------------------------
# Turning the temperature: softmax((3, 1, 0) / T) for T = 0.5, 1, 5
# --------------------------------------------------------------------------

def tempered_by_loop():
    rows = []
    for temp in TEMPERATURES:
        weights = [math.exp(z / temp) for z in TEMPERATURE_LOGITS]
        rows.append([w / sum(weights) for w in weights])
    return rows


class TestCheckTemperatureProbs:
    def test_right_answers_written_other_ways_pass(self):
        rows = tempered_by_loop()
        assert check_temperature_probs(rows)
        assert check_temperature_probs(np.array(rows, dtype=np.float32))   # rtol 1e-6
        assert check_temperature_probs(tuple(map(tuple, rows)))

    def test_rounded_rows_are_not_enough(self):
        # The prose rounds the rows to three decimals; the text states rtol 1e-6.
        rows = tempered_by_loop()
        assert not check_temperature_probs(np.round(rows, 3))
        two_digits = [[float(f"{p:.2g}") for p in row] for row in rows]
        assert check_temperature_probs(two_digits).hint == CLOSE

    def test_tolerance_boundary(self):
        rows = np.array(tempered_by_loop())
        assert check_temperature_probs(rows * (1 + 5e-7))
        assert not check_temperature_probs(rows * (1 + 5e-6))

    def test_wrong_value_does_not_reveal_the_answer(self):
        fb = check_temperature_probs(np.full((3, 3), 1 / 3))
        assert not fb and "0.98" not in str(fb) and "0.45" not in str(fb)


# --------------------------------------------------------------------------
# The zero-temperature limit: 1/r on each of the r tied maxima
# --------------------------------------------------------------------------

def limit_by_loop(logits):
    out = np.zeros_like(logits)
    for n, row in enumerate(logits):
        winners = [j for j, z in enumerate(row) if z == max(row)]
        out[n, winners] = 1 / len(winners)
    return out


def limit_with_where(logits):
    top = logits.max(axis=1, keepdims=True)
    return np.where(logits == top, 1.0 / np.sum(logits == top, axis=1, keepdims=True), 0.0)


def small_temperature(temperature):
    def limit(logits):
        z = logits / temperature
        weights = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return weights / weights.sum(axis=-1, keepdims=True)
    return limit


class TestCheckZeroTemperatureLimit:
    @pytest.mark.parametrize("func", [limit_by_loop, limit_with_where])
    def test_right_answers_written_other_ways_pass(self, func):
        fb = check_zero_temperature_limit(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("temperature", [3e-9, 1e-10, 1e-13, 1e-20, 1e-300])
    def test_no_small_temperature_passes(self, temperature):
        # The near-tie (1, 1 - 1e-12) needs T << 1e-12, while 1e300 / T
        # overflows for T < 1e-8; 3e-9 is no power of ten, so no listed mistake.
        assert not check_zero_temperature_limit(small_temperature(temperature))

    @pytest.mark.parametrize("temperature", [1e-3, 1e-14, 3e-17, 1e-20, 1e-300, 5e-324])
    def test_no_small_temperature_passes_after_the_shift_either(self, temperature):
        # Shifting first avoids the overflow of 1e300 / T, and T < 1e-14 passes the
        # near-tie; the subnormal gap (5e-324, 0) is then what the exercise's
        # "do not approximate the limit with a small T" rests on.
        def shifted_first(logits):
            weights = np.exp((logits - logits.max(axis=-1, keepdims=True)) / temperature)
            return weights / weights.sum(axis=-1, keepdims=True)
        fb = check_zero_temperature_limit(shifted_first)
        assert fb.status == "wrong value" and "small temperature" in fb.hint

    def test_isclose_mistakes_a_near_tie_for_a_tie(self):
        def isclose_ties(logits):
            is_max = np.isclose(logits, logits.max(axis=-1, keepdims=True))
            return is_max / is_max.sum(axis=-1, keepdims=True)
        fb = check_zero_temperature_limit(isclose_ties)
        assert fb.status == "wrong value" and "near-tie" in fb.message


# --------------------------------------------------------------------------
# "Tolerances stated in an exercise are the tolerances its check uses."
# --------------------------------------------------------------------------

def exercise_text(label):
    """The statement of the exercise `label`: from its `:label:` line to the fence."""
    text = CHAPTER.read_text(encoding="utf-8")
    start = text.index(f":label: {label}\n")
    return text[start:text.index("\n:::\n", start)]


@pytest.mark.parametrize("label, check", [
    ("ex-softmax-my-softmax", "check_my_softmax"),
    ("ex-softmax-temperature", "check_temperature_probs"),
    ("ex-softmax-zero-temperature", "check_zero_temperature_limit")])
def test_stated_rtol_and_atol_are_the_checks(label, check):
    text = exercise_text(label)
    stated = {name: float(value) for name, value in
              re.findall(r"\b(rtol|atol) = ([0-9.]+e-[0-9]+)", text)}
    (exercise,) = EXERCISES[check]
    assert stated == {"rtol": exercise.tolerance.rtol, "atol": exercise.tolerance.atol}
    assert exercise.tolerance.digits is None


@pytest.mark.parametrize("label, check", [
    ("ex-softmax-by-hand", "check_softmax_by_hand"),
    ("ex-softmax-logit-gap", "check_logit_gap")])
def test_stated_significant_digits_are_the_checks(label, check):
    assert "to three significant digits" in " ".join(exercise_text(label).split())
    (exercise,) = EXERCISES[check]
    assert exercise.tolerance.digits == 3
