"""The exercises of each chapter as stored data: inputs, expected results and hints.

A student's copy of the package holds no reference implementation and no
wrong one that a check would accept: each :class:`~.engine.FunctionExercise`
keeps, for its fixed test inputs, what the reference gave and what each
known mistake gave (:class:`~.engine.Stored`).  The instructor's ``grading``
package, which is not shipped, defines the exercises with their functions;
``python -m grading.freeze`` runs them and writes ``data/chNN.json`` (the
structure: names, hints, tolerances, outputs, parameter names) beside
``data/chNN.npz`` (every array, with its dtype; NaN and inf as they are).
No pickle is written or read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .engine import Case, FunctionExercise, Mistake, Stored, Tolerance, ValueExercise

__all__ = ["FORMAT", "dump", "undump", "write", "read", "load_exercises"]

#: The version of the layout below; a reader refuses any other.
FORMAT = 1

Exercise = ValueExercise | FunctionExercise


class _Arrays:
    """The arrays of one file, each under a key numbered in the order it is met."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, value: Any) -> str:
        array = np.asarray(value)
        if array.dtype.kind not in "biufcSU":
            raise TypeError(f"only numeric and string arrays can be stored, got dtype "
                            f"{array.dtype}")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return key


def _encode(value: Any, arrays: _Arrays) -> Any:
    """`value` as JSON, its arrays moved into `arrays`; types are kept (tuple, np.float64)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return {"array": arrays.add(value)}
    if isinstance(value, np.generic):
        return {"scalar": arrays.add(value)}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": repr(value)}                 # exact, and NaN-safe in JSON
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, (tuple, list)):
        return {type(value).__name__: [_encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"dict": {str(k): _encode(v, arrays) for k, v in value.items()}}
    raise TypeError(f"cannot store a value of type {type(value).__name__}")


def _decode(tree: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if tree is None:
        return None
    (kind, body), = tree.items()
    if kind == "array":
        return np.array(arrays[body])
    if kind == "scalar":
        return np.asarray(arrays[body])[()]
    if kind in ("bool", "int", "str"):
        return body
    if kind == "float":
        return float(body)
    if kind in ("tuple", "list"):
        items = [_decode(v, arrays) for v in body]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {k: _decode(v, arrays) for k, v in body.items()}
    raise ValueError(f"unknown stored kind {kind!r}")


def _stored_results(stored: Any, what: str) -> Stored:
    if not isinstance(stored, Stored):
        raise TypeError(f"{what} must be Stored results (run python -m grading.freeze), "
                        f"got {type(stored).__name__}")
    return stored


def _encode_results(stored: Stored, arrays: _Arrays) -> list:
    """Per case: None where the function did not run, else one array key per result."""
    return [None if r is None else [arrays.add(v) for v in r] for r in stored.results]


def _decode_results(tree: list, arrays: Mapping[str, np.ndarray]) -> Stored:
    return Stored(tuple(None if r is None else tuple(np.array(arrays[k]) for k in r)
                        for r in tree))


def _tolerance(t: Tolerance) -> dict:
    return {"digits": t.digits, "rtol": repr(t.rtol), "atol": repr(t.atol)}


def _exercise_tree(ex: Exercise, arrays: _Arrays) -> dict:
    common = {"name": ex.name, "tolerance": _tolerance(ex.tolerance),
              "shape_hint": ex.shape_hint, "value_hint": ex.value_hint}
    if isinstance(ex, ValueExercise):
        return {"kind": "value", **common, "expected": _encode(ex.expected, arrays),
                "reveal": ex.reveal,
                "mistakes": [{"wrong": _encode(m.wrong, arrays), "hint": m.hint}
                             for m in ex.mistakes]}
    if not isinstance(ex, FunctionExercise):
        raise TypeError(f"an exercise must be a ValueExercise or a FunctionExercise, "
                        f"got {type(ex).__name__}")
    reference = _stored_results(ex.reference, f"{ex.name}'s reference")
    return {"kind": "function", **common,
            "cases": [{"args": _encode(tuple(c.args), arrays),
                       "kwargs": _encode(dict(c.kwargs), arrays), "why": c.why}
                      for c in ex.cases],
            "reference": _encode_results(reference, arrays),
            "mistakes": [{"wrong": _encode_results(_stored_results(
                m.wrong, f"a mistake of {ex.name}"), arrays), "hint": m.hint}
                for m in ex.mistakes],
            "outputs": list(ex.outputs), "same_dtype": ex.same_dtype,
            "inputs_kept": ex.inputs_kept, "parameters": list(ex.parameters),
            "forbidden": list(ex.forbidden)}


def _exercise(tree: dict, arrays: Mapping[str, np.ndarray]) -> Exercise:
    t = tree["tolerance"]
    tolerance = Tolerance(digits=t["digits"], rtol=float(t["rtol"]), atol=float(t["atol"]))
    if tree["kind"] == "value":
        return ValueExercise(tree["name"], _decode(tree["expected"], arrays), tolerance,
                             tuple(Mistake(_decode(m["wrong"], arrays), m["hint"])
                                   for m in tree["mistakes"]),
                             tree["shape_hint"], tree["value_hint"], tree["reveal"])
    return FunctionExercise(
        tree["name"], _decode_results(tree["reference"], arrays),
        tuple(Case(_decode(c["args"], arrays), _decode(c["kwargs"], arrays), c["why"])
              for c in tree["cases"]),
        tolerance,
        tuple(Mistake(_decode_results(m["wrong"], arrays), m["hint"])
              for m in tree["mistakes"]),
        tuple(tree["outputs"]), tree["shape_hint"], tree["value_hint"], tree["same_dtype"],
        tree["inputs_kept"], tuple(tree["parameters"]), tuple(tree["forbidden"]))


def dump(exercises: Mapping[str, Sequence[Exercise]]) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON tree and the arrays that store `exercises` (check name -> its exercises).

    Every :class:`~.engine.FunctionExercise` must hold :class:`~.engine.Stored` results.

    Examples
    --------
    >>> ex = ValueExercise("p", 0.25, Tolerance(digits=3), [Mistake(0.5, "Halve it.")])
    >>> tree, arrays = dump({"check_p": (ex,)})
    >>> tree["checks"]["check_p"][0]["expected"], arrays
    ({'float': '0.25'}, {})
    >>> undump(tree, arrays)["check_p"][0].check(0.5).hint
    'Halve it.'
    """
    arrays = _Arrays()
    checks = {check: [_exercise_tree(ex, arrays) for ex in exs]
              for check, exs in exercises.items()}
    return {"format": FORMAT, "checks": checks}, arrays.arrays


def undump(tree: dict, arrays: Mapping[str, np.ndarray]) -> dict[str, tuple[Exercise, ...]]:
    """The exercises that :func:`dump` stored as `tree` and `arrays`."""
    if tree.get("format") != FORMAT:
        raise ValueError(f"tree must be in stored format {FORMAT}, got {tree.get('format')!r}")
    return {check: tuple(_exercise(t, arrays) for t in exs)
            for check, exs in tree["checks"].items()}


def write(directory: Path | str, name: str, tree: dict, arrays: Mapping[str, np.ndarray]) -> None:
    """Write `name`.json and `name`.npz into `directory`."""
    directory = Path(directory)
    (directory / f"{name}.json").write_text(json.dumps(tree, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    np.savez_compressed(directory / f"{name}.npz", **arrays)


def read(directory: Any, name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The tree and arrays :func:`write` wrote (`directory` may be a resources path)."""
    tree = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    with (directory / f"{name}.npz").open("rb") as file, \
            np.load(file, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    return tree, arrays


class _Lazy(Mapping):
    """The exercises of one chapter, read from the package data when first asked for."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._exercises: dict[str, tuple[Exercise, ...]] | None = None

    def _load(self) -> dict[str, tuple[Exercise, ...]]:
        if self._exercises is None:
            data = resources.files("helpers.checks") / "data"
            self._exercises = undump(*read(data, self._name))
        return self._exercises

    def __getitem__(self, check: str) -> tuple[Exercise, ...]:
        return self._load()[check]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"load_exercises({self._name!r})"


def load_exercises(name: str) -> Mapping[str, tuple[Exercise, ...]]:
    """The exercises of chapter module `name` (``"ch07"``), by check, from the package data.

    They are read on first use, so that importing a chapter's checks costs nothing.

    Examples
    --------
    >>> exercises = load_exercises("ch07")
    >>> [ex.name for ex in exercises["check_train_gd"]]
    ['train_gd']
    >>> type(exercises["check_train_gd"][0].reference).__name__
    'Stored'
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a chapter module's name such as 'ch07', got {name!r}")
    return _Lazy(name)
