"""Tests for the one engine behind every exercise check."""

import numpy as np
import pytest

from helpers.checks import (NOT_ATTEMPTED, Case, CheckFailed, Feedback, FunctionExercise,
                            Mistake, Tolerance, ValueExercise, check_function, check_value)


class TestCheckValue:
    def test_correct(self):
        assert check_value([0.25, 0.75], np.array([0.25, 0.75]))

    @pytest.mark.parametrize("answer", [None, Ellipsis, NOT_ATTEMPTED])
    def test_not_attempted(self, answer):
        assert check_value(answer, 1.0).status == "not attempted"

    def test_wrong_type_string(self):
        assert check_value("0.5", 0.5).status == "wrong type"

    def test_wrong_type_function(self):
        assert check_value(np.exp, 0.5).status == "wrong type"

    def test_wrong_shape(self):
        fb = check_value([[0.5, 0.5]], [0.5, 0.5])
        assert fb.status == "wrong shape" and "(1, 2)" in fb.message

    def test_wrong_value_names_the_entry(self):
        fb = check_value([0.5, 0.4], [0.5, 0.5], hint="Divide by the sum.")
        assert fb.status == "wrong value" and "index (1,)" in fb.message
        assert "Divide by the sum." in str(fb)

    def test_tolerance_is_respected(self):
        assert check_value(1.0 + 1e-8, 1.0, rtol=1e-6)
        assert not check_value(1.0 + 1e-4, 1.0, rtol=1e-6)

    def test_nan_where_finite_expected(self):
        assert check_value([np.nan, 1.0], [0.0, 1.0]).status == "wrong value"


def reference(x):
    return 2 * np.asarray(x)


class TestCheckFunction:
    cases = [(np.array([1.0, 2.0]),), (np.array([-3.0]),)]

    def test_correct(self):
        assert check_function(lambda x: 2 * x, reference, self.cases)

    def test_not_attempted(self):
        def todo(x):
            raise NotImplementedError
        assert check_function(todo, reference, self.cases).status == "not attempted"
        assert check_function(None, reference, self.cases).status == "not attempted"

    def test_not_callable(self):
        assert check_function(3.0, reference, self.cases).status == "wrong type"

    def test_wrong_value_with_known_mistake_hint(self):
        def mistake(x):
            return 3 * x
        fb = check_function(mistake, reference, self.cases,
                            hints=[(mistake, "You multiplied by three.")])
        assert fb.status == "wrong value" and fb.hint == "You multiplied by three."

    def test_exception_is_reported(self):
        fb = check_function(lambda x: x.nope(), reference, self.cases)
        assert fb.status == "wrong value" and "AttributeError" in fb.message

    def test_learner_cannot_mutate_the_cases(self):
        def mutating(x):
            x *= 2
            return x
        check_function(mutating, reference, self.cases)
        np.testing.assert_array_equal(self.cases[0][0], [1.0, 2.0])


class TestFeedback:
    def test_assert_correct_raises_for_autograders(self):
        with pytest.raises(CheckFailed, match="wrong value"):
            Feedback("wrong value", "no").assert_correct()

    def test_unknown_status(self):
        with pytest.raises(ValueError, match="status"):
            Feedback("meh", "x")

    def test_html_shows_hint_only_when_wrong(self):
        assert "Hint" in Feedback("wrong value", "x", "h")._repr_html_()
        assert "Hint" not in Feedback("correct", "x", "h")._repr_html_()


class TestCoreEdgeCases:
    def test_missing_return_is_a_wrong_type(self):
        def forgot_return(x):
            2 * x
        fb = check_function(forgot_return, reference, [(np.array([1.0]),)])
        assert fb.status == "wrong type" and "return" in fb.hint

    def test_scalar_overflow_is_named(self):
        fb = check_value(float("inf"), 1.0)
        assert fb.status == "wrong value" and "inf or NaN" in fb.message


class TestTolerance:
    @pytest.mark.parametrize("got", [1.17, 1.174, 1.1743, 1.1749])
    def test_digits_accept_every_correct_rounding(self, got):
        assert Tolerance(digits=3).close(got, 1.17432)

    @pytest.mark.parametrize("got", [1.18, 1.16, 1.2])
    def test_digits_reject_a_wrong_last_digit(self, got):
        assert not Tolerance(digits=3).close(got, 1.17432)

    def test_digits_scale_with_the_exponent(self):
        assert Tolerance(digits=3).close(2300.0, 2302.6)
        assert Tolerance(digits=3).close(0.000201, 0.00020127)
        assert not Tolerance(digits=3).close(0.000202, 0.00020127)

    def test_zero_uses_atol(self):
        assert Tolerance(digits=3, atol=1e-3).close(5e-4, 0.0)
        assert not Tolerance(digits=3).close(5e-4, 0.0)

    def test_infinite_expected_matches_only_itself(self):
        assert not Tolerance(digits=3).close(1e300, np.inf)
        assert Tolerance(digits=3).close(np.inf, np.inf)

    def test_bad_digits(self):
        with pytest.raises(ValueError, match="digits"):
            Tolerance(digits=0)
        with pytest.raises(ValueError, match="rtol"):
            Tolerance(rtol=-1.0)


class TestValueExercise:
    ex = ValueExercise("loss", 2.302585, Tolerance(digits=3),
                       [Mistake(1.0, "Take the logarithm."), Mistake(-2.302585, "Sign.")],
                       shape_hint="One number.", value_hint="Look again.")

    def test_near_miss_asks_for_more_digits(self):
        fb = self.ex.check(2.31)
        assert fb.status == "wrong value" and "more digits" in fb.hint

    def test_far_miss_gets_the_value_hint(self):
        assert self.ex.check(2.9).hint == "Look again."

    def test_does_not_reveal_by_default(self):
        assert "2.30259" not in str(self.ex.check(2.9))

    def test_reveals_when_asked(self):
        ex = ValueExercise("x", 0.25, Tolerance(rtol=1e-9), reveal=True)
        assert "expected 0.25" in ex.check(0.5).message

    def test_known_mistake_within_the_tolerance(self):
        assert self.ex.check(-2.30).hint == "Sign."

    def test_shape(self):
        fb = self.ex.check([2.302585, 1.0])
        assert fb.status == "wrong shape" and fb.hint == "One number."

    def test_real_complex_is_read_as_real(self):
        assert self.ex.check(2.302585 + 0j)
        assert self.ex.check(2.302585 + 1e-3j).status == "wrong type"

    @pytest.mark.parametrize("answer", [True, "2.3", lambda: 2.3, {"a": 1}])
    def test_wrong_types(self, answer):
        assert self.ex.check(answer).status == "wrong type"


def _pair(x, scale=2.0):
    return x.sum(), scale * x


class TestFunctionExercise:
    ex = FunctionExercise(
        "loss_and_grad", _pair,
        [Case((np.array([1.0, 2.0]),), why="a plain vector"),
         Case((np.array([3.0, -1.0]),), {"scale": 5.0}, why="scale is not 2")],
        Tolerance(rtol=1e-12),
        [Mistake(lambda x, scale=2.0: (x.sum(), 2.0 * x), "Use the scale argument."),
         Mistake(lambda x, scale=2.0: (-x.sum(), scale * x), "Check the sign of the loss."),
         Mistake(lambda x, scale=2.0: 1 / 0, "never shown: it raises")],
        outputs=("loss", "grad"))

    def test_correct_written_another_way(self):
        assert self.ex.check(lambda x, scale=2.0: (float(np.add.reduce(x)), x * scale))

    def test_kwargs_reach_the_function(self):
        fb = self.ex.check(lambda x, scale=2.0: (x.sum(), 2.0 * x))
        assert fb.hint == "Use the scale argument." and "scale is not 2" in fb.message

    def test_partial_mistake_is_named_by_its_wrong_part(self):
        fb = self.ex.check(lambda x, scale=2.0: (-x.sum(), 3.0 * x))
        assert fb.hint == "Check the sign of the loss."

    def test_wrong_count_of_results(self):
        fb = self.ex.check(lambda x, scale=2.0: x.sum())
        assert fb.status == "wrong type" and "return loss, grad" in fb.hint

    def test_exception_names_the_case(self):
        fb = self.ex.check(lambda x, scale=2.0: x.nope())
        assert fb.status == "wrong value" and "AttributeError" in fb.message
        assert fb.hint == "a plain vector"

    def test_not_implemented_is_not_attempted(self):
        def todo(x, scale=2.0):
            raise NotImplementedError
        assert self.ex.check(todo).status == "not attempted"

    def test_same_dtype(self):
        ex = FunctionExercise("f", lambda x: x * 2, [Case((np.ones(3, np.float32),))],
                              Tolerance(rtol=1e-6), same_dtype=True)
        assert ex.check(lambda x: x * np.float32(2))
        fb = ex.check(lambda x: x.astype(np.float64) * 2)
        assert fb.status == "wrong type" and "float32" in fb.message

    def test_inputs_kept(self):
        ex = FunctionExercise("step", lambda w, lr: w - lr, [Case((np.ones(3),), {"lr": 0.5})],
                              Tolerance(rtol=1e-12), inputs_kept="Make a new array.")
        assert ex.check(lambda w, lr: w - lr)

        def in_place(w, lr):
            w -= lr
            return w
        fb = ex.check(in_place)
        assert fb.status == "wrong value" and "`w`" in fb.message
        assert fb.hint == "Make a new array."
        loose = FunctionExercise("step", ex.reference, ex.cases, ex.tolerance)
        assert loose.check(in_place)


class TestStored:
    """A FunctionExercise whose reference and mistakes are stored results, not functions."""

    CASES = [Case((np.array([1.0, -3.0]),), why="a negative entry"),
             Case((np.array([[2.0, 0.5]]),), why="a batch")]

    def exercise(self, **kwargs):
        from helpers.checks import Stored
        return FunctionExercise(
            "double", Stored(((np.array([2.0, -6.0]),), (np.array([[4.0, 1.0]]),))),
            self.CASES, Tolerance(rtol=1e-12),
            [Mistake(Stored((None, (np.array([[4.0, 2.5]]),))), "Multiply, do not add."),
             Mistake(Stored(((np.array([1.0, -3.0]),), None)), "Return the doubled array.")],
            parameters=("x",), **kwargs)

    def test_right_answer_passes_and_wrong_ones_get_their_hints(self):
        ex = self.exercise()
        assert ex.check(lambda x: x + x).status == "correct"
        fb = ex.check(lambda x: x + 2)          # agrees on no case; stored on the second
        assert fb.status == "wrong value" and "expected 2" in fb.message
        assert ex.check(lambda x: np.where(x.ndim > 1, x + 2, 2 * x)).hint == \
            "Multiply, do not add."
        assert ex.check(lambda x: x).hint == "Return the doubled array."

    def test_a_changed_argument_is_named_from_the_stored_parameters(self):
        def in_place(x):
            x *= 2
            return x
        fb = self.exercise(inputs_kept="Make a new array.").check(in_place)
        assert fb.status == "wrong value" and "`x`" in fb.message
        assert fb.hint == "Make a new array."


def _own_pc(logits, labels, priors):
    """A right PC estimate written without helpers.mi."""
    log_pi = np.log(priors)
    z = logits + log_pi
    top = z.max(axis=1, keepdims=True)
    log_q = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    return float(np.mean(log_q[np.arange(len(labels)), labels] - log_pi[labels]))


class TestForbidden:
    """Helpers an exercise asks the learner to do without are blocked while it runs."""

    @staticmethod
    def exercise():
        from helpers import mi
        rng = np.random.default_rng(0)
        cases = [Case((rng.normal(size=(5, 3)), np.array([0, 1, 2, 0, 1]),
                       np.array([0.5, 0.3, 0.2])))]
        return FunctionExercise("pc", mi.mi_estimate, cases, Tolerance(rtol=1e-9),
                                forbidden=("helpers.mi",))

    def test_own_implementation_passes(self):
        assert self.exercise().check(_own_pc).status == "correct"

    def test_the_helper_itself_is_refused(self):
        import functools

        from helpers import mi
        for func in (mi.mi_estimate, functools.partial(mi.mi_estimate)):
            fb = self.exercise().check(func)
            assert fb.status == "wrong value" and "not one of your own" in fb.message
            assert "without `helpers.mi`" in fb.hint

    def test_wrappers_of_every_kind_are_refused_and_everything_is_put_back(self):
        import helpers
        from helpers import mi
        from helpers.mi import mi_estimate

        def from_import(z, y, pi):
            return mi_estimate(z, y, pi)

        def via_module(z, y, pi):
            return mi.mi_estimate(z, y, pi)

        def via_package(z, y, pi):
            return helpers.mi.mi_estimate(z, y, pi)

        def pointwise(z, y, pi):
            return float(np.mean(mi.pointwise_mi(z, y, pi)))

        called = {}
        for func in (from_import, via_module, via_package, pointwise):
            fb = self.exercise().check(func)
            assert fb.status == "wrong value", (func.__name__, str(fb))
            assert "without `helpers.mi`" in fb.hint
            called[func.__name__] = fb.message.split(" called ")[1].split(",")[0]
        # mi_estimate itself is blocked, even where the wrapper holds it in a closure.
        assert called == {"from_import": "helpers.mi.mi_estimate",
                          "via_module": "helpers.mi.mi_estimate",
                          "via_package": "helpers.mi.mi_estimate",
                          "pointwise": "helpers.mi.pointwise_mi"}
        assert mi.mi_estimate is mi_estimate
        assert from_import.__closure__[0].cell_contents is mi_estimate
        assert helpers.mi.pointwise_mi.__name__ == "pointwise_mi"
        assert self.exercise().check(_own_pc).status == "correct"

    def test_a_learner_that_raises_still_gets_everything_put_back(self):
        from helpers import mi
        original = mi.mi_estimate

        def fails(z, y, pi):
            raise RuntimeError("my bug")
        assert "my bug" in self.exercise().check(fails).message
        assert mi.mi_estimate is original

    def test_a_single_function_can_be_forbidden_and_others_stay_usable(self):
        import helpers
        ex = FunctionExercise("probs", helpers.softmax, [Case((np.array([[1.0, 2.0]]),))],
                              Tolerance(rtol=1e-9), forbidden=("helpers.softmax",))
        assert ex.check(lambda z: np.exp(helpers.log_softmax(z))).status == "correct"
        fb = ex.check(lambda z: helpers.softmax(z))
        assert fb.status == "wrong value" and "`helpers.softmax`" in fb.hint
        assert helpers.softmax(np.zeros(2)).tolist() == [0.5, 0.5]

    def test_without_forbidden_a_helper_is_accepted(self):
        """The block comes from `forbidden`, not from the engine refusing helpers."""
        import dataclasses

        from helpers import mi
        ex = dataclasses.replace(self.exercise(), forbidden=())
        assert ex.check(mi.mi_estimate).status == "correct"
