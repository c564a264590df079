"""Tests for the exercise checks of the chapter on the softmax function.

For every check: the reference answer passes; the stub a learner starts
from is "not attempted"; a wrong type and a wrong shape are named as such;
and deliberately wrong answers, written here independently of the check
module, are each rejected, with their specific hint where the check has
one.  The reference values come from the closed forms, computed with
``np.exp`` in float64.
"""

import numpy as np
import pytest

from helpers.checks import NOT_ATTEMPTED
from helpers.checks.ch01 import (BY_HAND_LOGITS, TEMPERATURE_LOGITS, TEMPERATURES,
                                 check_logit_gap, check_my_softmax,
                                 check_softmax_by_hand, check_temperature_probs,
                                 check_zero_temperature_limit)


def stub(logits):
    raise NotImplementedError


def assert_rejected(fb, status="wrong value", hint=None):
    """`fb` is not correct, has `status`, and its hint contains `hint`."""
    assert not fb
    assert fb.status == status, str(fb)
    assert fb.hint, "every rejection should carry a hint"
    if hint is not None:
        assert hint in fb.hint, str(fb)


# --------------------------------------------------------------------------
# Softmax by hand: softmax(1, 3, 0)[1] = e^3 / (e + e^3 + 1)
# --------------------------------------------------------------------------

E = np.exp(np.array(BY_HAND_LOGITS))


class TestCheckSoftmaxByHand:
    def test_reference_passes(self):
        assert check_softmax_by_hand(E[1] / E.sum())

    @pytest.mark.parametrize("rounded", [0.844, 0.8438, np.float32(0.8438)])
    def test_three_decimals_pass(self, rounded):
        # The check's tolerance is rtol=1e-3 (documented in the exercise).
        assert check_softmax_by_hand(rounded)

    def test_two_decimals_fail(self):
        assert_rejected(check_softmax_by_hand(0.84))

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None, Ellipsis])
    def test_not_attempted(self, answer):
        assert check_softmax_by_hand(answer).status == "not attempted"

    @pytest.mark.parametrize("answer", ["0.844", {"p1": 0.844}, np.exp])
    def test_wrong_type(self, answer):
        assert check_softmax_by_hand(answer).status == "wrong type"

    def test_whole_vector_is_wrong_shape(self):
        assert_rejected(check_softmax_by_hand(E / E.sum()), "wrong shape",
                        "one number")

    @pytest.mark.parametrize("answer, hint", [
        (E[0] / E.sum(), "class 0"),                       # off by one class
        (E[2] / E.sum(), "class 2"),                       # off by one the other way
        (E[1] / (E[0] + E[1]), "e^0 = 1"),                 # dropped the zero logit
        (3.0 / 4.0, "Exponentiate"),                       # no exponential
        (1000.0 / 1011.0, "not 10^z"),                     # base 10
        (np.exp(3.0), "Divide e^3"),                       # not normalised
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_softmax_by_hand(answer), hint=hint)

    def test_unknown_mistake_gets_general_hint(self):
        assert_rejected(check_softmax_by_hand(0.5), hint="divide e^3 by the sum")


# --------------------------------------------------------------------------
# Reading a logit gap: p_cat / p_dog = 3, so the gap is ln 3
# --------------------------------------------------------------------------

class TestCheckLogitGap:
    def test_reference_passes(self):
        assert check_logit_gap(np.log(0.6) - np.log(0.2))

    def test_three_decimals_pass(self):
        assert check_logit_gap(1.099)

    @pytest.mark.parametrize("answer", [NOT_ATTEMPTED, None])
    def test_not_attempted(self, answer):
        assert check_logit_gap(answer).status == "not attempted"

    def test_wrong_type(self):
        assert check_logit_gap("ln 3").status == "wrong type"

    def test_wrong_shape(self):
        assert_rejected(check_logit_gap([np.log(0.6), np.log(0.2)]), "wrong shape")

    @pytest.mark.parametrize("answer, hint", [
        (3.0, "ratio"),
        (0.4, "difference of the probabilities"),
        (np.log10(3.0), "log10"),
        (np.log(0.2) - np.log(0.6), "sign"),
        (np.log(0.6 - 0.2), "not of their difference"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_logit_gap(answer), hint=hint)


# --------------------------------------------------------------------------
# my_softmax for a batch (N, C)
# --------------------------------------------------------------------------

def good_softmax(logits):
    weights = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    return weights / np.sum(weights, axis=-1, keepdims=True)


def in_place_softmax(logits):
    logits -= np.max(logits, axis=-1, keepdims=True)   # mutates its argument
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def list_softmax(logits):
    return good_softmax(logits).tolist()


def naive_softmax(logits):                  # missing max subtraction
    weights = np.exp(logits)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def global_max_softmax(logits):             # one maximum for the whole batch
    weights = np.exp(logits - np.max(logits))
    return weights / np.sum(weights, axis=-1, keepdims=True)


def axis0_softmax(logits):                  # wrong axis
    weights = np.exp(logits - np.max(logits, axis=0, keepdims=True))
    return weights / np.sum(weights, axis=0, keepdims=True)


def axis1_no_keepdims_sum(logits):          # sum of shape (N,) broadcast wrongly
    weights = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    return weights / weights.sum(axis=1)


def no_keepdims_softmax(logits):            # neither reduction keeps its axis
    weights = np.exp(logits - logits.max(axis=-1))
    return weights / weights.sum(axis=-1)


def unnormalised_softmax(logits):           # forgot to divide by the sum
    return np.exp(logits - np.max(logits, axis=-1, keepdims=True))


def vector_softmax(logits):                 # written for one row only
    weights = np.exp(logits - np.max(logits))
    return weights / weights.sum()


def sign_error_softmax(logits):
    weights = np.exp(np.max(logits, axis=-1, keepdims=True) - logits)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def no_exp_softmax(logits):
    return logits / np.sum(logits, axis=-1, keepdims=True)


def exp2_softmax(logits):                   # base 2: an unlisted mistake
    weights = np.exp2(logits - np.max(logits, axis=-1, keepdims=True))
    return weights / np.sum(weights, axis=-1, keepdims=True)


def drops_last_class(logits):               # off by one class
    return good_softmax(logits[:, :-1])


def missing_return(logits):
    good_softmax(logits)


def crashes(logits):
    return logits.softmax()


class TestCheckMySoftmax:
    @pytest.mark.parametrize("func", [good_softmax, in_place_softmax, list_softmax])
    def test_reference_passes(self, func):
        fb = check_my_softmax(func)
        assert fb, str(fb)

    @pytest.mark.parametrize("func", [stub, NOT_ATTEMPTED, None])
    def test_not_attempted(self, func):
        assert check_my_softmax(func).status == "not attempted"

    @pytest.mark.parametrize("func", [good_softmax(np.zeros((2, 3))), "softmax", 3.0])
    def test_not_a_function_is_wrong_type(self, func):
        assert check_my_softmax(func).status == "wrong type"

    def test_missing_return_is_wrong_type(self):
        assert_rejected(check_my_softmax(missing_return), "wrong type", "return")

    def test_string_result_is_wrong_type(self):
        assert check_my_softmax(lambda z: "probabilities").status == "wrong type"

    def test_wrong_shape(self):
        assert_rejected(check_my_softmax(drops_last_class), "wrong shape",
                        "same shape (N, C)")

    @pytest.mark.parametrize("func, hint", [
        (naive_softmax, "overflows"),
        (global_max_softmax, "row's own maximum"),
        (axis0_softmax, "axis=-1"),
        (axis1_no_keepdims_sum, "keepdims=True when you sum"),
        (no_keepdims_softmax, "keepdims=True for the maximum and the sum"),
        (unnormalised_softmax, "divide the exponentials"),
        (vector_softmax, "each row separately"),
        (sign_error_softmax, "sign"),
        (no_exp_softmax, "Exponentiate"),
    ])
    def test_known_mistakes(self, func, hint):
        assert_rejected(check_my_softmax(func), hint=hint)

    def test_unlisted_mistake_gets_general_hint(self):
        assert_rejected(check_my_softmax(exp2_softmax), hint="keepdims=True")

    def test_exception_is_reported(self):
        fb = check_my_softmax(crashes)
        assert_rejected(fb)
        assert "AttributeError" in fb.message

    def test_float32_is_not_accurate_enough(self):
        # The check compares with rtol=1e-9: float32 (eps ~ 1.2e-7) fails.
        assert_rejected(check_my_softmax(lambda z: good_softmax(z.astype(np.float32))))


# --------------------------------------------------------------------------
# Turning the temperature: softmax((3, 1, 0) / T) for T = 0.5, 1, 5
# --------------------------------------------------------------------------

Z_T = np.array(TEMPERATURE_LOGITS)
T_COL = np.array(TEMPERATURES)[:, None]           # (3, 1)


def tempered(logits, temps):
    weights = np.exp(logits[None, :] / temps - np.max(logits[None, :] / temps,
                                                      axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


class TestCheckTemperatureProbs:
    def test_reference_passes(self):
        assert check_temperature_probs(tempered(Z_T, T_COL))

    def test_nested_lists_pass(self):
        assert check_temperature_probs(tempered(Z_T, T_COL).tolist())

    def test_not_attempted(self):
        assert check_temperature_probs(NOT_ATTEMPTED).status == "not attempted"

    @pytest.mark.parametrize("answer", ["probs", [[0.1, "a"]], tempered])
    def test_wrong_type(self, answer):
        assert check_temperature_probs(answer).status == "wrong type"

    @pytest.mark.parametrize("answer", [tempered(Z_T, T_COL)[0],
                                        tempered(Z_T, T_COL)[:, :2]])
    def test_wrong_shape(self, answer):
        assert_rejected(check_temperature_probs(answer), "wrong shape", "(3, 3)")

    @pytest.mark.parametrize("answer, hint", [
        (tempered(Z_T, T_COL).T, "transposed"),
        (tempered(Z_T, np.ones((3, 1))), "Every row is the same"),   # no temperature
        (tempered(Z_T, 1 / T_COL), "multiplied"),                    # z * T
        (tempered(Z_T, np.ones((3, 1))) / T_COL, "before the exponential"),
        (tempered(Z_T, np.ones((3, 1))) ** (1 / T_COL), "normalise each row"),
        (np.exp(Z_T[None, :] / T_COL), "Normalise each row"),
    ])
    def test_known_mistakes(self, answer, hint):
        assert_rejected(check_temperature_probs(answer), hint=hint)

    def test_tolerance(self):
        # rtol=1e-6: a perturbation of 1e-4 relative is caught.
        assert_rejected(check_temperature_probs(tempered(Z_T, T_COL) * (1 + 1e-4)))


# --------------------------------------------------------------------------
# The zero-temperature limit: 1/k on each of the k tied maxima
# --------------------------------------------------------------------------

def good_limit(logits):
    top = np.max(logits, axis=-1, keepdims=True)
    counts = np.sum(logits == top, axis=-1, keepdims=True)
    return np.where(logits == top, 1.0 / counts, 0.0)


def first_max_only(logits):                      # ignores ties
    out = np.zeros_like(logits)
    out[np.arange(len(logits)), np.argmax(logits, axis=-1)] = 1.0
    return out


def ties_not_shared(logits):
    return logits == np.max(logits, axis=-1, keepdims=True)


def indices_only(logits):
    return np.argmax(logits, axis=-1)


def smallest_logit(logits):                      # sign error
    return good_limit(-logits)


def uniform(logits):                             # the T -> infinity limit
    return np.ones_like(logits) / logits.shape[-1]


def small_temperature(temperature):
    def limit(logits):
        z = logits / temperature
        weights = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return weights / weights.sum(axis=-1, keepdims=True)
    return limit


def drops_a_row(logits):
    return good_limit(logits)[:-1]


class TestCheckZeroTemperatureLimit:
    def test_reference_passes(self):
        fb = check_zero_temperature_limit(good_limit)
        assert fb, str(fb)

    @pytest.mark.parametrize("func", [stub, NOT_ATTEMPTED, None])
    def test_not_attempted(self, func):
        assert check_zero_temperature_limit(func).status == "not attempted"

    def test_not_a_function_is_wrong_type(self):
        assert check_zero_temperature_limit(np.eye(3)).status == "wrong type"

    def test_missing_return_is_wrong_type(self):
        assert_rejected(check_zero_temperature_limit(lambda z: None), "wrong type")

    def test_wrong_shape(self):
        assert_rejected(check_zero_temperature_limit(drops_a_row), "wrong shape",
                        "same shape (N, C)")

    def test_indices_instead_of_probabilities(self):
        assert_rejected(check_zero_temperature_limit(indices_only), "wrong shape",
                        "not the indices")

    @pytest.mark.parametrize("func, hint", [
        (first_max_only, "Ties"),
        (ties_not_shared, "number of tied maxima"),
        (smallest_logit, "sign"),
        (uniform, "T -> infinity"),
        (small_temperature(1e-1), "exactly"),
        (small_temperature(1e-3), "exactly"),
        (small_temperature(1e-6), "exactly"),
    ])
    def test_known_mistakes(self, func, hint):
        assert_rejected(check_zero_temperature_limit(func), hint=hint)

    @pytest.mark.parametrize("temperature", [1e-10, 1e-13, 1e-20, 1e-300])
    def test_no_small_temperature_passes(self, temperature):
        # The near-tie (1, 1 - 1e-12) needs T << 1e-12, while the logit 1e300
        # overflows z / T for T < 1e-8.
        assert_rejected(check_zero_temperature_limit(small_temperature(temperature)))
