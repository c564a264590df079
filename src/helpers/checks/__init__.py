"""Exercise checks: one engine (:mod:`.engine`), the cases and hints chapters share
(:mod:`.cases`), and one module per chapter, whose ``EXERCISES`` maps each public check to
the exercises it runs.  The exercises are stored data (:mod:`.stored`): fixed inputs, the
results expected on them and what each known mistake gives there.  The functions behind
those results live in the instructor's ``grading`` package, which is not installed.
Checks depend only on :mod:`helpers.numerics`.
"""

from .engine import (NOT_ATTEMPTED, Case, CheckFailed, Feedback, FunctionExercise, Mistake,
                     Stored, Tolerance, ValueExercise, all_correct, check_function, check_value,
                     is_not_attempted)

__all__ = ["Feedback", "CheckFailed", "NOT_ATTEMPTED", "is_not_attempted", "Tolerance",
           "Case", "Stored", "Mistake", "ValueExercise", "FunctionExercise", "all_correct",
           "check_value", "check_function"]
