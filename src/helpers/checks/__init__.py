"""Exercise checks, one module per chapter, built on :mod:`helpers.checks._core`.

Each check takes the learner's value or function explicitly and returns a
:class:`Feedback` that says "correct", "not attempted", "wrong type",
"wrong shape" or "wrong value", with a hint.  Checks depend only on
:mod:`helpers.numerics`.
"""

from ._core import (NOT_ATTEMPTED, CheckFailed, Feedback, check_function, check_value,
                    is_not_attempted)

__all__ = ["Feedback", "CheckFailed", "NOT_ATTEMPTED", "check_value", "check_function",
           "is_not_attempted"]
