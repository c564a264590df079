"""Store what every reference and every mistake gives on its exercise's test inputs.

Run from the repository root after changing an exercise in ``grading/``::

    python -m grading.freeze            # writes src/helpers/checks/data/chNN.{json,npz}
    python -m grading.freeze --check    # exit status 1 if the data is out of date

A mistake that raises on a case is stored as "did not run" there, as the
engine skips it; a reference that raises is an error in the exercise.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grading import CHAPTERS
from helpers.checks import stored
from helpers.checks.engine import Case, FunctionExercise, Mistake, Stored, ValueExercise

__all__ = ["DATA", "frozen", "frozen_exercises", "dumped", "main"]

#: Where the package keeps the stored exercises.
DATA = Path(__file__).resolve().parent.parent / "src" / "helpers" / "checks" / "data"


def _run(func: Callable[..., Any], case: Case, outputs: Sequence[str]) -> tuple:
    """`func`'s results on `case`, as the engine reads them: a tuple of arrays."""
    args, kwargs = case.copies()
    with np.errstate(all="ignore"):
        value = func(*args, **kwargs)
    results = tuple(value) if outputs else (value,)
    arrays = tuple(np.asarray(r) for r in results)
    if any(a.dtype.kind not in "biufc" for a in arrays):
        raise TypeError("a result is not numeric")
    return arrays


def _mistake_results(func: Callable[..., Any], ex: FunctionExercise) -> Stored:
    results = []
    for case in ex.cases:
        try:
            results.append(_run(func, case, ex.outputs))
        except Exception:  # the engine skips a mistake that cannot run on a case
            results.append(None)
    return Stored(tuple(results))


def frozen(ex: ValueExercise | FunctionExercise) -> ValueExercise | FunctionExercise:
    """`ex` with its reference and mistakes replaced by what they give on its cases.

    Examples
    --------
    >>> from helpers.checks.engine import Tolerance
    >>> ex = FunctionExercise("double", lambda x: 2 * x, [Case((np.array([1.0, 2.0]),))],
    ...                       Tolerance(rtol=1e-12), [Mistake(lambda x: 1 / 0, "no")])
    >>> f = frozen(ex)
    >>> f.reference.results, f.mistakes[0].wrong.results, f.parameters
    (((array([2., 4.]),),), (None,), ('x',))
    >>> f.check(lambda x: x + x).status
    'correct'
    """
    if isinstance(ex, ValueExercise):
        return ex
    if not callable(ex.reference):
        raise TypeError(f"{ex.name}'s reference must be a function, got "
                        f"{type(ex.reference).__name__}")
    reference = Stored(tuple(_run(ex.reference, case, ex.outputs) for case in ex.cases))
    mistakes = tuple(Mistake(_mistake_results(m.wrong, ex), m.hint) for m in ex.mistakes)
    parameters = tuple(ex.parameters or inspect.signature(ex.reference).parameters)
    return dataclasses.replace(ex, reference=reference, mistakes=mistakes,
                               parameters=parameters)


def frozen_exercises(name: str) -> dict[str, tuple]:
    """The exercises of ``grading.<name>``, by check, with their functions' results stored."""
    module = importlib.import_module(f"grading.{name}")
    return {check: tuple(frozen(ex) for ex in exs) for check, exs in module.EXERCISES.items()}


def dumped(name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The tree and arrays that the exercises of ``grading.<name>`` are stored as now."""
    return stored.dump(frozen_exercises(name))


def same(a: tuple[dict, Mapping[str, np.ndarray]], b: tuple[dict, Mapping[str, np.ndarray]]
         ) -> bool:
    """True if two stored forms are equal: the same tree, the same arrays bit for bit."""
    (tree_a, arrays_a), (tree_b, arrays_b) = a, b
    return tree_a == tree_b and arrays_a.keys() == arrays_b.keys() and all(
        arrays_a[k].dtype == arrays_b[k].dtype and arrays_a[k].shape == arrays_b[k].shape
        and arrays_a[k].tobytes() == arrays_b[k].tobytes() for k in arrays_a)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.freeze", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any stored chapter is out of date")
    parser.add_argument("--data", type=Path, default=DATA, help="the directory to write")
    args = parser.parse_args(argv)
    stale = []
    args.data.mkdir(parents=True, exist_ok=True)
    for name in CHAPTERS:
        now = dumped(name)
        try:
            before = stored.read(args.data, name)
        except FileNotFoundError:
            before = None
        if before is not None and same(now, before):
            print(f"{name}: up to date")
            continue
        stale.append(name)
        if args.check:
            print(f"{name}: out of date")
        else:
            stored.write(args.data, name, *now)
            print(f"{name}: written ({len(now[1])} arrays)")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
