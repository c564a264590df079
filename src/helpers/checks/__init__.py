"""Exercise checks: one engine (:mod:`helpers.checks.engine`), one data module per chapter.

Each chapter module lists its exercises as data: test cases, known
mistakes with their hints, and the tolerance the exercise text states.
Its ``EXERCISES`` maps every public check to the exercises it runs.  A
check takes the learner's value or function explicitly and returns a
:class:`Feedback` that says "correct", "not attempted", "wrong type",
"wrong shape" or "wrong value", with a hint.  Checks depend only on
:mod:`helpers.numerics`.
"""

from .engine import (NOT_ATTEMPTED, Case, CheckFailed, Feedback, FunctionExercise, Mistake,
                     Tolerance, ValueExercise, all_correct, check_function, check_value,
                     is_not_attempted)

__all__ = ["Feedback", "CheckFailed", "NOT_ATTEMPTED", "is_not_attempted", "Tolerance",
           "Case", "Mistake", "ValueExercise", "FunctionExercise", "all_correct",
           "check_value", "check_function"]
