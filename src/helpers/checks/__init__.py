"""Exercise checks: one engine (:mod:`.engine`), the cases and mistakes chapters share
(:mod:`.cases`, :mod:`.mistakes`), and one data module per chapter, whose ``EXERCISES`` maps
each public check to the exercises it runs.  Checks depend only on :mod:`helpers.numerics`.
"""

from .engine import (NOT_ATTEMPTED, Case, CheckFailed, Feedback, FunctionExercise, Mistake,
                     Tolerance, ValueExercise, all_correct, check_function, check_value,
                     is_not_attempted)

__all__ = ["Feedback", "CheckFailed", "NOT_ATTEMPTED", "is_not_attempted", "Tolerance",
           "Case", "Mistake", "ValueExercise", "FunctionExercise", "all_correct",
           "check_value", "check_function"]
