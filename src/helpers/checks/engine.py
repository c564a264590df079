"""The one engine behind every exercise check.

An exercise is data: what the learner hands in (a :class:`ValueExercise`'s
number or array, a :class:`FunctionExercise`'s function, run on each
:class:`Case`) is compared with a reference within a :class:`Tolerance`, and
a wrong answer with what each known :class:`Mistake` gives, for its hint.
The steps are always, in this order: not attempted, wrong type, the call, a
missing ``return``, shape, value, which mistake.  The answer is passed in:
a check never reads a learner's globals.

In a notebook a check cell shows its :class:`Feedback`.  The HTML book has
no kernel: there a check cell shows :func:`pending_html`, and the verdict
the worked solution earned when the book was built is shown inside the
solution (``book/_ext/book_html.py`` moves it there).
"""

from __future__ import annotations

import contextlib
import functools
import html
import importlib
import inspect
import re
from dataclasses import dataclass, field
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Feedback", "CheckFailed", "NOT_ATTEMPTED", "is_not_attempted", "Tolerance",
           "Case", "Stored", "Mistake", "ValueExercise", "FunctionExercise", "ForbiddenHelper",
           "all_correct",
           "check_value", "check_function", "status_of", "pending_text", "pending_html"]

STATUSES = ("correct", "not attempted", "wrong type", "wrong shape", "wrong value")


class CheckFailed(AssertionError):
    """Raised by :meth:`Feedback.assert_correct`, so autograders count a failure."""


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check, shown to the learner.

    Examples
    --------
    >>> fb = Feedback("wrong value", "Entry 0 is 0.5, expected 0.25.", "Divide by the sum.")
    >>> bool(fb)
    False
    >>> print(fb)
    [wrong value] Entry 0 is 0.5, expected 0.25.
    Hint: Divide by the sum.
    """

    status: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def correct(self) -> bool:
        return bool(self)

    def __str__(self) -> str:
        text = f"[{self.status}] {self.message}"
        return text + (f"\nHint: {self.hint}" if self.hint and not self else "")

    def _repr_html_(self) -> str:
        colour = "#1b5e20" if self else "#8a1c1c"
        mark = "✔" if self else "✘"
        hint = "" if self or not self.hint else f"<br><em>Hint:</em> {html.escape(self.hint)}"
        return (f'<div class="check-feedback" style="border-left:4px solid {colour};'
                f'padding:0.3em 0.8em"><strong style="color:{colour}">{mark} '
                f"{html.escape(self.status.capitalize())}</strong>: "
                f"{html.escape(self.message)}{hint}</div>")

    def __repr__(self) -> str:
        return str(self)

    def assert_correct(self) -> Feedback:
        """Raise :class:`CheckFailed` unless correct (for nbgrader test cells)."""
        if not self:
            raise CheckFailed(str(self))
        return self


# The first line of str(Feedback): its status in brackets.
_STATUS_LINE = re.compile(r"\[(" + "|".join(re.escape(s) for s in STATUSES) + r")\] ")


def status_of(text: str) -> str | None:
    """The status of a :class:`Feedback` from its printed form, or None if it is none.

    A notebook keeps each check's result as text (``str(feedback)``) beside
    its HTML; the HTML book reads the verdict from it.

    Examples
    --------
    >>> status_of(str(Feedback("wrong shape", "x has shape (2,).")))
    'wrong shape'
    >>> status_of("[1.0, 2.0]") is None
    True
    """
    match = _STATUS_LINE.match(text.strip())
    return match.group(1) if match else None


# What a check cell of the HTML book shows before the reader has run
# anything: the page has no kernel, so any verdict there would be the one
# the worked solution earned when the book was built.
PENDING_TITLE = "Not attempted yet"
PENDING_MESSAGE = "write your answer above and run this cell."


def pending_text() -> str:
    """The neutral state of a check no one has run yet, as plain text.

    Examples
    --------
    >>> print(pending_text())
    Not attempted yet: write your answer above and run this cell.
    """
    return f"{PENDING_TITLE}: {PENDING_MESSAGE}"


def pending_html() -> str:
    """The neutral state of a check no one has run yet, as the HTML book shows it.

    It has no mark and no colour of a verdict (the book's ``checks.css``
    gives it a neutral border), and its class is ``check-pending``, not
    ``check-feedback``.

    Examples
    --------
    >>> pending_html().startswith('<div class="check-pending"')
    True
    """
    return (f'<div class="check-pending"><strong>{html.escape(PENDING_TITLE)}'
            f"</strong>: {html.escape(PENDING_MESSAGE)}</div>")


class _NotAttempted:
    """The placeholder a student notebook starts from."""

    def __repr__(self) -> str:
        return "NOT_ATTEMPTED"


NOT_ATTEMPTED = _NotAttempted()


def is_not_attempted(value: Any) -> bool:
    """True for the placeholders a student starts from: None, ``...``, NOT_ATTEMPTED.

    Examples
    --------
    >>> is_not_attempted(NOT_ATTEMPTED), is_not_attempted(0.0)
    (True, False)
    """
    return value is None or value is NOT_ATTEMPTED or value is Ellipsis


# -- Tolerances -------------------------------------------------------------
@dataclass(frozen=True)
class Tolerance:
    """How close an answer must be: significant digits, or ``rtol``/``atol``.

    With `digits`, an entry passes when it is within half a unit of the
    `digits`-th significant digit of the expected entry, so the correctly
    rounded answer and any more precise one pass.  An expected entry of 0
    uses `atol` instead.  Otherwise the test is ``numpy.isclose(answer,
    expected, rtol=rtol, atol=atol)``.

    Examples
    --------
    >>> three = Tolerance(digits=3)
    >>> bool(three.close(1.17, 1.1743)), bool(three.close(1.18, 1.1743))
    (True, False)
    >>> print(three)
    to 3 significant digits
    >>> print(Tolerance(rtol=1e-9, atol=1e-12))
    within rtol=1e-09, atol=1e-12
    """

    digits: int | None = None
    rtol: float = 0.0
    atol: float = 0.0

    def __post_init__(self) -> None:
        if self.digits is not None and (not isinstance(self.digits, int) or self.digits < 1):
            raise ValueError(f"digits must be a positive integer, got {self.digits!r}")
        if self.rtol < 0 or self.atol < 0:
            raise ValueError("rtol and atol must be non-negative")

    def close(self, got: Any, want: Any) -> np.ndarray:
        """Entry by entry: is `got` close enough to `want`? NaN matches NaN."""
        got = np.asarray(got, dtype=float)
        want = np.asarray(want, dtype=float)
        with np.errstate(all="ignore"):
            if self.digits is None:
                return np.isclose(got, want, rtol=self.rtol, atol=self.atol, equal_nan=True)
            scale = np.where(want == 0, 1.0, np.abs(want))
            exponent = np.floor(np.log10(scale))
            # Half a unit in the last kept digit; the tiny slack keeps a
            # correctly rounded decimal that binary cannot hold exactly.
            allowed = 0.5 * 10.0 ** (exponent - self.digits + 1) * (1 + 1e-9)
            allowed = np.where(want == 0, self.atol, allowed)
            # An infinite expected value is matched only by itself.
            allowed = np.where(np.isfinite(want), allowed, 0.0)
            same = (got == want) | (np.isnan(got) & np.isnan(want))
            return same | (np.abs(got - want) <= allowed)

    def __str__(self) -> str:
        if self.digits is not None:
            return f"to {self.digits} significant digits"
        return f"within rtol={self.rtol:g}, atol={self.atol:g}"


# What "right to two digits" means for a near miss.
_NEAR = Tolerance(digits=2)


# -- Exercises --------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One test input for a :class:`FunctionExercise`; `why` it exposes shows on a failure."""

    args: tuple
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    why: str = ""

    def copies(self) -> tuple[tuple, dict]:
        """Fresh copies of the arguments, so no call can change the next one's."""
        def fresh(value: Any) -> Any:
            return np.array(value, copy=True) if isinstance(value, np.ndarray) else value
        return (tuple(fresh(a) for a in self.args),
                {k: fresh(v) for k, v in self.kwargs.items()})

    def show(self) -> str:
        """The arguments, short enough for a message."""
        parts = [_short(a) for a in self.args]
        parts += [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


@dataclass(frozen=True)
class Stored:
    """What a function gave on each :class:`Case` of its exercise, kept instead of the function.

    `results` has one entry per case, in order: the tuple of the function's results
    (one array each), or None where it raised.  A :class:`FunctionExercise` whose
    reference or mistakes are stored can judge a learner's function without holding
    an answer a learner could call.

    Examples
    --------
    >>> import numpy as np
    >>> ex = FunctionExercise("double", Stored(((np.array([2.0, -6.0]),),)),
    ...                       [Case((np.array([1.0, -3.0]),))], Tolerance(rtol=1e-12),
    ...                       [Mistake(Stored(((np.array([3.0, -1.0]),),)), "Multiply.")])
    >>> ex.check(lambda x: x * 2.0).status, ex.check(lambda x: x + 2).hint
    ('correct', 'Multiply.')
    """

    results: tuple


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and the hint it earns.

    `wrong` is the value the mistake gives, or for a :class:`FunctionExercise` a function
    with the learner's signature that makes it (or its :class:`Stored` results), compared
    with the learner's on a failing case.
    """

    wrong: Any
    hint: str


def _read(answer: Any, what: str) -> np.ndarray | Feedback:
    """The answer as a real array, or the Feedback saying why it is not one."""
    if callable(answer):
        return Feedback("wrong type", f"{what} is a function; a number or an array "
                        "was expected.", "Call your function and pass its result.")
    if isinstance(answer, (bool, np.bool_)):
        return Feedback("wrong type", f"{what} is {answer!r}; a number was expected.",
                        "Store the number itself, not a comparison.")
    try:
        got = np.asarray(answer)
    except Exception:  # ragged lists and the like
        got = None
    if got is not None and got.dtype.kind == "c" and np.all(np.abs(got.imag) <= 1e-12):
        got = got.real  # 0.21+0j, as np.linalg.eigvals returns a real eigenvalue
    if got is None or got.dtype.kind not in "biuf":
        return Feedback("wrong type", f"{what} could not be read as real numbers "
                        f"(got {type(answer).__name__}).",
                        "Pass a number, a list of numbers or a NumPy array.")
    return got.astype(float)


def _matches(got: np.ndarray, other: Any, tolerance: Tolerance) -> bool:
    """True if `got` is what `other` is, within `tolerance` (shapes must agree)."""
    try:
        other = np.asarray(other, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == other.shape and bool(np.all(tolerance.close(got, other)))


def _compare(got: np.ndarray, want: np.ndarray, tolerance: Tolerance, what: str, *,
             reveal: bool) -> Feedback | None:
    """None if `got` equals `want` within `tolerance`; else what is wrong."""
    if got.shape != want.shape:
        return Feedback("wrong shape", f"{what} has shape {got.shape}; expected {want.shape}.")
    close = tolerance.close(got, want)
    if np.all(close):
        return None
    if not np.all(np.isfinite(got) == np.isfinite(want)):
        return Feedback("wrong value", f"{what} has inf or NaN where a finite number belongs.")
    where = tuple(int(i) for i in np.argwhere(~close)[0]) if got.shape else ()
    pos = f" at index {where}" if got.shape else ""
    text = f"{what} is {got[where]:.6g}{pos}"
    return Feedback("wrong value", text + (f"; expected {want[where]:.6g}." if reveal
                                           else f", which is not right {tolerance}."))


def all_correct(*feedbacks: Feedback, message: str) -> Feedback:
    """The first feedback that is not correct, else one correct `message`.

    Examples
    --------
    >>> ok = Feedback("correct", "a matches.")
    >>> all_correct(ok, Feedback("wrong value", "b is 2."), message="both match.").status
    'wrong value'
    """
    for fb in feedbacks:
        if not fb:
            return fb
    return Feedback("correct", message)


@dataclass(frozen=True)
class ValueExercise:
    """An exercise whose answer is a number or an array.

    Parameters
    ----------
    name : str
        The answer's name in the learner's notebook, used in messages.
    expected : number or array_like
        The right answer.
    tolerance : Tolerance
        The tolerance the exercise text states.
    mistakes : sequence of Mistake
        Values typical mistakes give, each with its hint.
    shape_hint, value_hint : str
        Hints for a wrong shape, and for a wrong value that is no known mistake.
    reveal : bool
        Whether a wrong value's message shows the expected value: off for answers
        worked out by hand or predicted first, where it would give the answer away.

    Examples
    --------
    >>> ex = ValueExercise("p1", 0.8438, Tolerance(digits=3),
    ...                    [Mistake(0.8808, "e^0 = 1 belongs in the sum.")],
    ...                    value_hint="Divide e^3 by the sum.")
    >>> ex.check(0.844).status, ex.check(0.881).hint
    ('correct', 'e^0 = 1 belongs in the sum.')
    >>> print(ex.check(0.84))
    [wrong value] p1 is 0.84, which is not right to 3 significant digits.
    Hint: Close: right to two significant digits. Give more digits.
    """

    name: str
    expected: Any
    tolerance: Tolerance
    mistakes: Sequence[Mistake] = ()
    shape_hint: str = ""
    value_hint: str = ""
    reveal: bool = False

    def check(self, answer: Any) -> Feedback:
        """Judge `answer`, in the engine's fixed order of steps."""
        if is_not_attempted(answer):
            return Feedback("not attempted", f"{self.name} is still empty.",
                            "Replace the placeholder with your answer and run the cell.")
        got = _read(answer, self.name)
        if isinstance(got, Feedback):
            return got
        want = np.asarray(self.expected, dtype=float)
        fb = _compare(got, want, self.tolerance, self.name, reveal=self.reveal)
        if fb is None:
            return Feedback("correct", f"{self.name} is right ({self.tolerance}).")
        for mistake in self.mistakes:
            if _matches(got, mistake.wrong, self.tolerance):
                return Feedback(fb.status, fb.message, mistake.hint)
        if fb.status == "wrong shape":
            return Feedback(fb.status, fb.message, self.shape_hint)
        if self.tolerance.digits is None or self.tolerance.digits > _NEAR.digits:
            if np.all(_NEAR.close(got, want)):
                return Feedback(fb.status, fb.message,
                                "Close: right to two significant digits. Give more digits.")
        return Feedback(fb.status, fb.message, self.value_hint)


@dataclass(frozen=True)
class FunctionExercise:
    """An exercise whose answer is a function.

    `name`, `tolerance`, `mistakes` (wrong functions with the learner's
    signature), `shape_hint` and `value_hint` are as for :class:`ValueExercise`.

    Parameters
    ----------
    reference : callable or Stored
        The right function, called on the same cases, or its :class:`Stored` results.
    cases : sequence of Case
        The test inputs, each chosen to expose a mistake.
    outputs : sequence of str
        The names of the results, when the function returns several
        (``("loss", "grad")``); empty for one result.
    same_dtype : bool
        Whether each result must have the reference's dtype (float32 in, float32 out).
    inputs_kept : str
        If given, the function must leave its array arguments as they were,
        and this is the hint for one that changes them in place.
    parameters : sequence of str
        The names of the function's parameters, for a message about a changed
        argument; by default the reference's.
    forbidden : sequence of str
        Dotted names of :mod:`helpers` functions, or modules (all their functions), that
        the exercise asks the learner to do without (``"helpers.mi"``).  While the
        learner's function runs, each is replaced, in its module, in :mod:`helpers` and
        in the function's globals, by one that raises; a learner's function that is one
        of them is refused.

    Examples
    --------
    >>> import numpy as np
    >>> ex = FunctionExercise("double", lambda x: 2 * x, [Case((np.array([1.0, -3.0]),))],
    ...                       Tolerance(rtol=1e-12),
    ...                       [Mistake(lambda x: x + 2, "Multiply, do not add.")])
    >>> ex.check(lambda x: x * 2.0).status, ex.check(lambda x: x + 2).hint
    ('correct', 'Multiply, do not add.')
    >>> print(ex.check(lambda x: None))
    [wrong type] double([ 1. -3.]) returned None.
    Hint: Is a `return` statement missing at the end of your function?
    """

    name: str
    reference: Callable[..., Any]
    cases: Sequence[Case]
    tolerance: Tolerance
    mistakes: Sequence[Mistake] = ()
    outputs: Sequence[str] = ()
    shape_hint: str = ""
    value_hint: str = ""
    same_dtype: bool = False
    inputs_kept: str = ""
    parameters: Sequence[str] = ()
    forbidden: Sequence[str] = ()

    def check(self, func: Any) -> Feedback:
        """Judge `func`, in the engine's fixed order of steps."""
        if is_not_attempted(func):
            return Feedback("not attempted", f"{self.name} has not been written yet.",
                            "Fill in the function body and run the cell.")
        if not callable(func):
            return Feedback("wrong type", f"{self.name} should be a function, got "
                            f"{type(func).__name__}.",
                            "Pass the function itself, without calling it.")
        if self.forbidden and _is_forbidden(func, self.forbidden):
            return Feedback("wrong value", f"{self.name} is a function of the helpers "
                            "package, not one of your own.", self._forbidden_hint())
        for index, case in enumerate(self.cases):
            fb = self._check_case(func, case, index)
            if fb is not None:
                return fb
        return Feedback("correct", f"{self.name} agrees with the reference on every "
                        f"test input ({self.tolerance}).")

    def _forbidden_hint(self) -> str:
        names = " or ".join(f"`{name}`" for name in self.forbidden)
        return f"This exercise asks you to write {self.name} yourself, without {names}."

    def _check_case(self, func: Callable[..., Any], case: Case, index: int) -> Feedback | None:
        call = f"{self.name}({case.show()})"
        args, kwargs = case.copies()
        try:
            with np.errstate(all="ignore"), _without(self.forbidden, func, self.name):
                got = func(*args, **kwargs)
        except NotImplementedError:
            return Feedback("not attempted", f"{self.name} still raises NotImplementedError.",
                            "Replace `raise NotImplementedError` with your code.")
        except ForbiddenHelper as exc:
            return Feedback("wrong value", f"{call} called {exc}.", self._forbidden_hint())
        except Exception as exc:  # the learner's code failed: say how, and on what
            return Feedback("wrong value", f"{call} raised {type(exc).__name__}: {exc}",
                            case.why or "Run it on this input yourself.")
        if got is None:
            return Feedback("wrong type", f"{call} returned None.",
                            "Is a `return` statement missing at the end of your function?")
        parts = self._split(got, call)
        if isinstance(parts, Feedback):
            return parts
        given, given_kwargs = args, kwargs
        wants = self._results(self.reference, case, index)
        names = self.outputs or ("the result",)
        for k, (mine, want, label) in enumerate(zip(parts, wants, names)):
            what = call if not self.outputs else f"{label} from {call}"
            read = _read(mine, what)
            if isinstance(read, Feedback):
                return read
            if self.same_dtype and np.asarray(mine).dtype != np.asarray(want).dtype:
                return Feedback("wrong type", f"{what} has dtype {np.asarray(mine).dtype}; "
                                f"expected {np.asarray(want).dtype}.",
                                "Keep the input's dtype: do not convert to float64 on the way.")
            fb = _compare(read, np.asarray(want, dtype=float), self.tolerance, what, reveal=True)
            if fb is not None:
                hint = self._diagnose(parts, k, wants, case, index) or (
                    self.shape_hint if fb.status == "wrong shape" else self.value_hint)
                message = fb.message + (f" ({case.why})" if case.why else "")
                return Feedback(fb.status, message, hint)
        if self.inputs_kept:
            return self._changed_input(given, given_kwargs, case)
        return None

    def _changed_input(self, given: tuple, given_kwargs: dict, case: Case) -> Feedback | None:
        """Feedback naming the first array argument the call changed in place, else None."""
        names = list(self.parameters or inspect.signature(self.reference).parameters)
        for name, before, after in zip(names, case.args, given):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after,
                                                                      equal_nan=True):
                return Feedback("wrong value", f"{self.name} changed the array `{name}` that "
                                "was passed in.", self.inputs_kept)
        for name, before in case.kwargs.items():
            if isinstance(before, np.ndarray) and not np.array_equal(
                    before, given_kwargs[name], equal_nan=True):
                return Feedback("wrong value", f"{self.name} changed the array `{name}` that "
                                "was passed in.", self.inputs_kept)
        return None

    def _split(self, got: Any, call: str) -> tuple | Feedback:
        if not self.outputs:
            return (got,)
        if not isinstance(got, (tuple, list)) or len(got) != len(self.outputs):
            kind = (f"{len(got)} values" if isinstance(got, (tuple, list))
                    else type(got).__name__)
            names = ", ".join(self.outputs)
            return Feedback("wrong type", f"{call} returned {kind}; expected ({names}).",
                            f"End the function with `return {names}`.")
        return tuple(got)

    def _as_tuple(self, value: Any) -> tuple:
        return tuple(value) if self.outputs else (value,)

    def _results(self, func: Callable[..., Any] | Stored, case: Case, index: int) -> tuple | None:
        """What `func` gives on `case` (the case at `index`) as a tuple, or None if it raises."""
        if isinstance(func, Stored):
            return func.results[index]
        args, kwargs = case.copies()
        with np.errstate(all="ignore"):
            return self._as_tuple(func(*args, **kwargs))

    def _diagnose(self, parts: tuple, k: int, wants: tuple, case: Case, index: int) -> str:
        """The hint of the known mistake the learner's results reproduce.

        A mistake that reproduces every result wins; otherwise one that
        reproduces the first wrong result `k`, where it is wrong itself.
        """
        results = []
        for mistake in self.mistakes:
            try:
                other = self._results(mistake.wrong, case, index)
            except Exception:  # a mistake that cannot run on this case is not this one
                continue
            if other is not None:
                results.append((other, mistake))
        mine = [_read(p, "") for p in parts]
        if any(isinstance(m, Feedback) for m in mine):
            return ""
        for other, mistake in results:
            if len(other) == len(mine) and all(
                    _matches(m, o, self.tolerance) for m, o in zip(mine, other)):
                return mistake.hint
        if len(mine) > 1:
            for other, mistake in results:
                if (_matches(mine[k], other[k], self.tolerance)
                        and not _matches(np.asarray(wants[k], dtype=float), other[k],
                                         self.tolerance)):
                    return mistake.hint
        return ""


# -- Helpers an exercise asks the learner to do without ----------------------
class ForbiddenHelper(Exception):
    """Raised in place of a helpers function while a learner's function runs without it."""


def _unwrapped(func: Any) -> Any:
    """The function behind a functools.partial or a bound method."""
    while True:
        if isinstance(func, functools.partial):
            func = func.func
        elif inspect.ismethod(func):
            func = func.__func__
        else:
            return func


def _forbidden_functions(forbidden: Sequence[str]) -> list[tuple[str, Any]]:
    """(dotted name, function) for each forbidden name; a module stands for its functions."""
    found = []
    for dotted in forbidden:
        try:
            found.append((dotted, importlib.import_module(dotted)))
        except ImportError:
            module_name, attr = dotted.rsplit(".", 1)
            found.append((dotted, getattr(importlib.import_module(module_name), attr)))
    functions = []
    for dotted, obj in found:
        if inspect.ismodule(obj):
            functions += [(f"{dotted}.{name}", value) for name, value in vars(obj).items()
                          if inspect.isfunction(value) and value.__module__ == obj.__name__]
        else:
            functions.append((dotted, obj))
    return functions


def _is_forbidden(func: Any, forbidden: Sequence[str]) -> bool:
    """True if `func` (or the function inside a partial or a method) is a forbidden one."""
    inner = _unwrapped(func)
    return any(inner is f for _, f in _forbidden_functions(forbidden))


@contextlib.contextmanager
def _without(forbidden: Sequence[str], func: Any, exercise: str):
    """Replace each `forbidden` helpers function by one that raises, while the block runs.

    A function is looked up by identity in its own module, in the :mod:`helpers`
    package, in the learner's globals, where ``from helpers.mi import mi_estimate``
    put it, and in the cells of the learner's closure; everything is put back
    afterwards, also when the block raises.
    """
    undo: list[Callable[[], None]] = []
    inner = _unwrapped(func)
    try:
        for dotted, original in _forbidden_functions(forbidden):

            def blocked(*args: Any, _name: str = dotted, **kwargs: Any) -> Any:
                raise ForbiddenHelper(f"{_name}, which the exercise {exercise} asks you to do "
                                      "without")

            spaces = [vars(importlib.import_module(original.__module__)),
                      vars(importlib.import_module("helpers")),
                      getattr(inner, "__globals__", {})]
            for space in spaces:
                for key, value in list(space.items()):
                    if value is original:
                        undo.append(functools.partial(space.__setitem__, key, value))
                        space[key] = blocked
            for cell in getattr(inner, "__closure__", None) or ():
                try:
                    held = cell.cell_contents
                except ValueError:  # a cell not filled yet
                    continue
                if held is original:
                    undo.append(functools.partial(setattr, cell, "cell_contents", held))
                    cell.cell_contents = blocked
        yield
    finally:
        for put_back in reversed(undo):
            put_back()


# -- One-off checks, for the book's own examples ----------------------------
def check_value(answer: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-9,
                hint: str = "", what: str = "your answer") -> Feedback:
    """Compare a number or an array with the expected one, within rtol and atol.

    Examples
    --------
    >>> print(check_value([0.5, 0.5], [0.5, 0.5]))
    [correct] your answer is right (within rtol=1e-06, atol=1e-09).
    >>> check_value([0.5], [0.5, 0.5]).status, check_value(None, 1.0).status
    ('wrong shape', 'not attempted')
    """
    return ValueExercise(what, expected, Tolerance(rtol=rtol, atol=atol),
                         shape_hint=hint or "Check which axis you reduced over, and keepdims.",
                         value_hint=hint, reveal=True).check(answer)


def check_function(func: Any, reference: Callable[..., Any], cases: Sequence[Sequence[Any]],
                   *, rtol: float = 1e-6, atol: float = 1e-9,
                   hints: Sequence[tuple[Callable[..., Any], str]] = (),
                   what: str = "your function") -> Feedback:
    """Run `func` and `reference` on each tuple of arguments and compare.

    `hints` pairs wrong functions with their hints.

    Examples
    --------
    >>> import numpy as np
    >>> check_function(lambda x: x + x, lambda x: 2 * x, [(np.arange(3.0),)]).status
    'correct'
    """
    return FunctionExercise(what, reference, [Case(tuple(args)) for args in cases],
                            Tolerance(rtol=rtol, atol=atol),
                            [Mistake(f, h) for f, h in hints]).check(func)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array of shape {value.shape}"
    text = (np.array2string(np.asarray(value), precision=3, threshold=6)
            if isinstance(value, (np.ndarray, list)) else repr(value))
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."

