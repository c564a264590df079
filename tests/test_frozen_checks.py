"""The exercises the package stores are the ones grading/ defines, up to the last bit.

The installed checks read ``src/helpers/checks/data/chNN.{json,npz}``; the
references and mistakes behind them live in ``grading/chNN.py``.  If someone
edits an exercise there and forgets ``python -m grading.freeze``, the first
test fails.  The others show that the stored form loses nothing: a stored
exercise judges every answer as the exercise with its functions does, and
the layout keeps types, NaN, inf and "did not run".
"""

from __future__ import annotations

import dataclasses
import importlib
import json

import numpy as np
import pytest

from grading import CHAPTERS, freeze
from helpers.checks import NOT_ATTEMPTED, stored
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Stored, Tolerance,
                                   ValueExercise)


@pytest.mark.parametrize("name", CHAPTERS)
def test_stored_data_is_what_grading_computes_now(name):
    """Same tree, same arrays bit for bit (0 ulp): else run python -m grading.freeze."""
    now = freeze.dumped(name)
    on_disk = stored.read(freeze.DATA, name)
    assert now[0] == on_disk[0], f"{name}: run python -m grading.freeze"
    assert freeze.same(now, on_disk), f"{name}: run python -m grading.freeze"


def test_same_sees_one_ulp_and_one_changed_hint():
    tree, arrays = freeze.dumped("ch07")
    key = next(k for k, a in arrays.items() if a.dtype == np.float64 and a.size)
    nudged = dict(arrays)
    nudged[key] = arrays[key].copy()
    nudged[key].flat[0] = np.nextafter(nudged[key].flat[0], np.inf)
    assert freeze.same((tree, arrays), (tree, dict(arrays)))
    assert not freeze.same((tree, arrays), (tree, nudged))
    edited = json.loads(json.dumps(tree))
    edited["checks"]["check_train_gd"][0]["mistakes"][0]["hint"] += "."
    assert not freeze.same((tree, arrays), (edited, arrays))


def test_an_edited_reference_makes_the_data_stale(monkeypatch):
    """What the first test relies on: a changed reference changes what is stored."""
    module = importlib.import_module("grading.ch07")
    (ex,) = module.EXERCISES["check_train_gd"]

    def edited(*args):
        W_aug, losses = ex.reference(*args)
        return W_aug, losses * (1 + 1e-15)
    monkeypatch.setitem(module.EXERCISES, "check_train_gd",
                        (dataclasses.replace(ex, reference=edited, parameters=("W_aug", "X",
                                             "labels", "lr", "reg", "steps")),))
    assert not freeze.same(freeze.dumped("ch07"), stored.read(freeze.DATA, "ch07"))


def _pairs():
    for name in CHAPTERS:
        live = importlib.import_module(f"grading.{name}")
        package = importlib.import_module(f"helpers.checks.{name}")
        for check, exercises in live.EXERCISES.items():
            for k, ex in enumerate(exercises):
                yield pytest.param(ex, package.EXERCISES[check][k], id=f"{name}.{check}.{k}")


def _answers(ex):
    """The reference, every mistake, placeholders and answers of the wrong kind or shape."""
    if isinstance(ex, ValueExercise):
        return [ex.expected, *(m.wrong for m in ex.mistakes), NOT_ATTEMPTED, "text",
                np.zeros(7), -np.asarray(ex.expected, dtype=float) + 1.0]
    return [ex.reference, *(m.wrong for m in ex.mistakes), NOT_ATTEMPTED, 3.0,
            lambda *args, **kwargs: None, lambda *args, **kwargs: args[0],
            lambda *args, **kwargs: 1 / 0]


@pytest.mark.parametrize("live, kept", list(_pairs()))
def test_a_stored_exercise_judges_like_its_functions(live, kept):
    """Every answer gets the same status, message and hint from both forms."""
    if isinstance(live, FunctionExercise):
        assert isinstance(kept.reference, Stored)
        assert all(isinstance(m.wrong, Stored) for m in kept.mistakes)
        assert kept.forbidden == tuple(live.forbidden)
        # The functions may call a helper the learner must do without.
        live = dataclasses.replace(live, forbidden=())
        kept = dataclasses.replace(kept, forbidden=())
    for answer in _answers(live):
        assert kept.check(answer) == live.check(answer)


def test_the_layout_keeps_types_nan_inf_and_did_not_run():
    case = Case((np.array([[np.nan, np.inf], [-np.inf, -0.0]], dtype=np.float32),
                 np.array([1, 0]), 0.5, 3, True, (1.0, [2, "x"]), np.float64(2.5), None),
                {"lr": float("nan"), "order": np.arange(3, dtype=np.int8)}, why="all kinds")
    ex = FunctionExercise("f", Stored(((np.array([np.nan, np.inf]), np.array(1.5)),)), [case],
                          Tolerance(rtol=1e-9, atol=0.0),
                          [Mistake(Stored((None,)), "did not run"),
                           Mistake(Stored(((np.array([1.0, 2.0]), np.array(0.0)),)), "other")],
                          outputs=("a", "b"), same_dtype=True, inputs_kept="keep",
                          parameters=("z", "y", "lr"), forbidden=("helpers.mi",))
    value = ValueExercise("v", [0.25, float("inf")], Tolerance(digits=3),
                          [Mistake(np.float32(0.5), "half")], reveal=True)
    (kept, kept_value), = stored.undump(*stored.dump({"check_f": (ex, value)})).values()
    args = kept.cases[0].args
    assert args[0].dtype == np.float32 and np.array_equal(args[0], case.args[0], equal_nan=True)
    assert np.signbit(args[0][1, 1])
    assert args[1].dtype == case.args[1].dtype
    assert [type(a) for a in args[2:]] == [float, int, bool, tuple, np.float64, type(None)]
    assert args[5] == (1.0, [2, "x"])
    assert np.isnan(kept.cases[0].kwargs["lr"])
    assert kept.cases[0].kwargs["order"].dtype == np.int8
    assert kept.reference.results[0][0].tolist()[1] == np.inf
    assert kept.mistakes[0].wrong.results == (None,)
    assert (kept.outputs, kept.same_dtype, kept.inputs_kept, kept.parameters, kept.forbidden) \
        == (("a", "b"), True, "keep", ("z", "y", "lr"), ("helpers.mi",))
    assert kept_value.expected == [0.25, float("inf")] and kept_value.reveal
    assert type(kept_value.mistakes[0].wrong) is np.float32


def test_a_function_exercise_must_be_frozen_before_it_is_stored():
    ex = FunctionExercise("f", lambda x: x, [Case((1.0,))], Tolerance(rtol=1e-9))
    with pytest.raises(TypeError, match="reference must be Stored"):
        stored.dump({"check_f": (ex,)})
    with pytest.raises(TypeError, match="cannot store"):
        stored.dump({"check_f": (freeze.frozen(dataclasses.replace(
            ex, cases=[Case((object(),))], reference=lambda x: 1.0)),)})


def test_a_mistake_that_raises_is_stored_as_did_not_run():
    ex = FunctionExercise("f", lambda x: 2 * x, [Case((np.array([1.0]),)), Case((0.0,))],
                          Tolerance(rtol=1e-9),
                          [Mistake(lambda x: x[0:1] + 1, "slices")])   # 0.0[0:1] raises
    frozen = freeze.frozen(ex)
    assert frozen.mistakes[0].wrong.results[1] is None
    assert frozen.mistakes[0].wrong.results[0][0].tolist() == [2.0]
    assert frozen.parameters == ("x",)


def test_freeze_check_reports_stale_data(tmp_path, capsys):
    assert freeze.main(["--check", "--data", str(tmp_path)]) == 1
    assert freeze.main(["--data", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{ext}" for n in CHAPTERS for ext in ("json", "npz"))
    assert freeze.main(["--check", "--data", str(tmp_path)]) == 0
    assert "ch09: up to date" in capsys.readouterr().out


def test_a_stored_file_is_never_unpickled(tmp_path):
    """The arrays are read with allow_pickle=False: an object array is refused."""
    tree, arrays = freeze.dumped("ch01")
    stored.write(tmp_path, "ch01", tree, arrays)
    np.savez(tmp_path / "ch01.npz", **{**arrays, "a0": np.array([{}], dtype=object)})
    with pytest.raises(ValueError, match="pickle"):
        stored.read(tmp_path, "ch01")


@pytest.mark.parametrize("name", ["grading.freeze", "grading.mistakes"])
def test_grading_docstring_examples_run(name):
    """grading/ is outside the package's doctest paths, so its examples run here."""
    import doctest
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
