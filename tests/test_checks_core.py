"""Tests for the feedback machinery behind every exercise check."""

import numpy as np
import pytest

from helpers.checks import NOT_ATTEMPTED, CheckFailed, Feedback, check_function, check_value


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
