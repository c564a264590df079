"""The instructor's side of the exercise checks: every reference and every known mistake.

This package is not part of the installed ``helpers`` (a student's ``pip install .``
does not include it).  ``grading.chNN`` defines the exercises of chapter NN over
:mod:`helpers.checks.engine`, with the functions that answer them;
``python -m grading.freeze`` runs those functions on the fixed test inputs and
stores the results as the package data the installed checks read
(:mod:`helpers.checks.stored`).
"""

#: The chapter modules, in order.
CHAPTERS = tuple(f"ch{n:02d}" for n in range(1, 10))
