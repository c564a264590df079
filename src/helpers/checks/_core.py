"""The feedback machinery shared by every exercise check.

A check never reads a learner's globals: the learner passes their value or
function in.  It answers with a :class:`Feedback`, whose status is one of
``"correct"``, ``"not attempted"``, ``"wrong type"``, ``"wrong shape"`` and
``"wrong value"``, each with a message and a hint written for the learner.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["Feedback", "CheckFailed", "check_value", "check_function", "NOT_ATTEMPTED",
           "is_not_attempted", "matches", "check_number"]

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

    def assert_correct(self) -> "Feedback":
        """Raise :class:`CheckFailed` unless correct (for nbgrader test cells)."""
        if not self:
            raise CheckFailed(str(self))
        return self


class _NotAttempted:
    """Placeholder a student notebook starts from."""

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


_not_attempted = is_not_attempted


def check_value(
    answer: Any,
    expected: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: str = "",
    what: str = "your answer",
) -> Feedback:
    """Compare a numeric answer (a number or an array) with the expected one.

    Parameters
    ----------
    answer : number or array_like
        The learner's value.  ``None``, ``...`` and ``NOT_ATTEMPTED`` count
        as not attempted.
    expected : number or array_like
        The reference value.
    rtol, atol : float
        Tolerances, as in :func:`numpy.allclose`.
    hint : str
        Shown when the value is wrong.
    what : str
        How to name the answer in messages.

    Examples
    --------
    >>> print(check_value([0.5, 0.5], [0.5, 0.5]))
    [correct] your answer matches (rtol=1e-06, atol=1e-09).
    >>> print(check_value([0.5], [0.5, 0.5]).status)
    wrong shape
    >>> print(check_value(None, 1.0).status)
    not attempted
    """
    if _not_attempted(answer):
        return Feedback("not attempted", f"{what} is still empty.",
                        hint or "Replace the placeholder with your answer and run the cell.")
    if callable(answer):
        return Feedback("wrong type", f"{what} is a function; a number or an array was expected.",
                        "Call your function and pass its result.")
    try:
        got = np.asarray(answer)
    except Exception:  # ragged lists and the like
        return Feedback("wrong type", f"{what} could not be read as a number or an array.",
                        "Pass a number, a list of numbers or a NumPy array.")
    if got.dtype.kind not in "biuf":
        return Feedback("wrong type",
                        f"{what} has dtype {got.dtype}; a real number or array was expected.",
                        "Make sure you return numbers, not strings or objects.")
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return Feedback("wrong shape", f"{what} has shape {got.shape}; expected {want.shape}.",
                        hint or "Check which axis you reduced over, and keepdims.")
    got = got.astype(float)
    if not np.all(np.isfinite(got) == np.isfinite(want)):
        return Feedback("wrong value", f"{what} has inf or NaN where none are expected.",
                        hint or "Look for overflow in exp, or log of zero.")
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not np.all(close):
        where = np.argwhere(~close)[0] if got.shape else ()
        g, w = got[tuple(where)], want[tuple(where)]
        pos = f" at index {tuple(int(i) for i in where)}" if got.shape else ""
        return Feedback("wrong value", f"{what} is {g:.6g}{pos}; expected {w:.6g}.",
                        hint)
    return Feedback("correct", f"{what} matches (rtol={rtol:g}, atol={atol:g}).")


def check_function(
    func: Any,
    reference: Callable[..., Any],
    cases: Iterable[Sequence[Any]],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hints: Sequence[tuple[Callable[..., Any], str]] = (),
    what: str = "your function",
) -> Feedback:
    """Run `func` and `reference` on each case and compare the results.

    Parameters
    ----------
    func : callable
        The learner's function.
    reference : callable
        The correct implementation.
    cases : iterable of tuples
        Positional arguments for each call.
    hints : sequence of (wrong_function, hint)
        Typical mistakes: when the learner's output matches a known wrong
        implementation on the failing case, its hint is shown.
    """
    if _not_attempted(func):
        return Feedback("not attempted", f"{what} has not been written yet.",
                        "Fill in the function body and run the cell.")
    if not callable(func):
        return Feedback("wrong type", f"{what} should be a function, got {type(func).__name__}.",
                        "Pass the function itself, without calling it.")
    for args in cases:
        args = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
        shown = ", ".join(_short(a) for a in args)
        try:
            with np.errstate(all="ignore"):
                got = func(*[np.array(a, copy=True) if isinstance(a, np.ndarray) else a
                             for a in args])
        except NotImplementedError:
            return Feedback("not attempted", f"{what} still raises NotImplementedError.",
                            "Replace `raise NotImplementedError` with your code.")
        except Exception as exc:  # the learner's code failed: say how
            return Feedback("wrong value", f"{what}({shown}) raised "
                            f"{type(exc).__name__}: {exc}", "Run it on this input yourself.")
        if got is None:
            return Feedback("wrong type", f"{what}({shown}) returned None.",
                            "Is a `return` statement missing at the end of your function?")
        want = reference(*args)
        with np.errstate(all="ignore"):
            fb = check_value(got, want, rtol=rtol, atol=atol, what=f"{what}({shown})")
        if not fb:
            return Feedback(fb.status, fb.message, _diagnose(got, args, hints) or fb.hint)
    return Feedback("correct", f"{what} agrees with the reference on every test input "
                    f"(rtol={rtol:g}, atol={atol:g}).")


def matches(answer: Any, wrong: Any, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """True if `answer` is a real number or array of the shape of `wrong`, close to it.

    Checks use it to recognise a known mistake and give its hint.

    Examples
    --------
    >>> matches([0.5, 0.5], [0.5, 0.5000001], rtol=1e-6)
    True
    >>> matches([0.5], [0.5, 0.5]), matches("x", 1.0)
    (False, False)
    """
    try:
        with np.errstate(all="ignore"):
            mine = np.asarray(answer, dtype=float)
            other = np.asarray(wrong, dtype=float)
    except (TypeError, ValueError):
        return False
    return mine.shape == other.shape and bool(
        np.allclose(mine, other, rtol=rtol, atol=atol, equal_nan=True))


def check_number(answer: Any, expected: float,
                 mistakes: Sequence[tuple[float, str]], *, rtol: float, what: str,
                 shape_hint: str, value_hint: str) -> Feedback:
    """:func:`check_value` for one number, with a hint for each known mistake.

    `mistakes` pairs the number a typical mistake produces with its hint;
    a wrong answer close to none of them gets `value_hint`.

    Examples
    --------
    >>> fb = check_number(2.0, 1.0, [(2.0, "You doubled it.")], rtol=1e-3,
    ...                   what="x", shape_hint="One number.", value_hint="Look again.")
    >>> fb.status, fb.hint
    ('wrong value', 'You doubled it.')
    """
    fb = check_value(answer, expected, rtol=rtol, atol=0.0, what=what)
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message, shape_hint)
    if fb.status != "wrong value":
        return fb
    for wrong, hint in mistakes:
        if matches(answer, wrong, rtol=rtol):
            return Feedback(fb.status, fb.message, hint)
    return Feedback(fb.status, fb.message, value_hint)


def _diagnose(got: Any, args: tuple, hints: Sequence[tuple[Callable[..., Any], str]]) -> str:
    for wrong, hint in hints:
        try:
            with np.errstate(all="ignore"):
                other = wrong(*args)
        except Exception:
            continue
        if matches(got, other, rtol=1e-6, atol=1e-9):
            return hint
    return ""


def _short(value: Any) -> str:
    text = np.array2string(np.asarray(value), precision=3, threshold=6) \
        if isinstance(value, (np.ndarray, list)) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
