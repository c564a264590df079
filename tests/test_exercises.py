"""Every exercise in the book, judged by the one engine.

Each chapter module of :mod:`helpers.checks` lists its exercises in
``EXERCISES``.  For every exercise: the right answer passes, the
placeholder a student starts from is "not attempted", and each listed
mistake fails with its own hint (a mistake that got another's hint would
mean the test inputs cannot tell them apart).  Right answers written
another way and the chapters' instabilities are tested per chapter, in
``test_checks_chNN.py``.
"""

import dataclasses
import importlib
import inspect

import numpy as np
import pytest

from helpers.checks import NOT_ATTEMPTED, FunctionExercise, ValueExercise

CHAPTERS = [f"helpers.checks.ch{n:02d}" for n in range(1, 10)]


def _exercises():
    for name in CHAPTERS:
        module = importlib.import_module(name)
        # The exercises with their functions live in grading/ (not shipped); the package
        # holds what those give, which tests/test_frozen_checks.py compares.
        live = importlib.import_module(f"grading.{name.rsplit('.', 1)[1]}")
        for check, exercises in live.EXERCISES.items():
            for k, exercise in enumerate(exercises):
                # A reference or mistake may call a helper the learner must do without.
                if isinstance(exercise, FunctionExercise):
                    exercise = dataclasses.replace(exercise, forbidden=())
                yield pytest.param(module, check, k, exercise,
                                   id=f"{name.rsplit('.', 1)[1]}.{check}.{exercise.name}")


EXERCISES = list(_exercises())


def _right_answer(exercise):
    return exercise.reference if isinstance(exercise, FunctionExercise) else exercise.expected


def _mistakes():
    for param in EXERCISES:
        module, check, k, exercise = param.values
        for i, mistake in enumerate(exercise.mistakes):
            yield pytest.param(exercise, mistake, id=f"{param.id}.mistake{i}")


def test_every_chapter_lists_its_checks():
    """EXERCISES names every public check of the module, and nothing else."""
    for name in CHAPTERS:
        module = importlib.import_module(name)
        public = {n for n in module.__all__ if n.startswith("check_")}
        assert set(module.EXERCISES) == public, name


@pytest.mark.parametrize("module, check, k, exercise", EXERCISES)
def test_right_answer_passes(module, check, k, exercise):
    fb = exercise.check(_right_answer(exercise))
    assert fb.status == "correct", str(fb)


@pytest.mark.parametrize("module, check, k, exercise", EXERCISES)
@pytest.mark.parametrize("placeholder", [NOT_ATTEMPTED, None, Ellipsis])
def test_placeholder_is_not_attempted(module, check, k, exercise, placeholder):
    assert exercise.check(placeholder).status == "not attempted"


@pytest.mark.parametrize("module, check, k, exercise", EXERCISES)
def test_public_check_runs_its_exercises(module, check, k, exercise):
    """The public check gives what its exercise gives, for a placeholder."""
    func = getattr(module, check)
    count = len(inspect.signature(func).parameters)
    assert count == len(module.EXERCISES[check])
    assert func(*[NOT_ATTEMPTED] * count).status == "not attempted"


@pytest.mark.parametrize("exercise, mistake", list(_mistakes()))
def test_each_mistake_gets_its_own_hint(exercise, mistake):
    fb = exercise.check(mistake.wrong)
    assert fb.status in {"wrong value", "wrong shape", "wrong type"}, str(fb)
    assert fb.hint == mistake.hint, str(fb)


@pytest.mark.parametrize("exercise, mistake", list(_mistakes()))
def test_by_hand_mistakes_do_not_reveal_the_answer(exercise, mistake):
    """A value exercise that does not reveal names only the learner's own value."""
    if not isinstance(exercise, ValueExercise) or exercise.reveal:
        pytest.skip("function exercises and revealing value exercises show expected outputs")
    fb = exercise.check(mistake.wrong)
    assert "expected" not in fb.message, str(fb)
    shown = np.ravel(np.asarray(mistake.wrong, dtype=float))
    for value in np.ravel(np.asarray(exercise.expected, dtype=float))[:4]:
        if not np.any(np.abs(shown) == abs(value)):  # the learner's own number may equal it
            assert f"{value:.6g}" not in fb.message, str(fb)


@pytest.mark.parametrize("module, check, k, exercise", EXERCISES)
def test_wrong_type_is_named(module, check, k, exercise):
    wrong = "text" if isinstance(exercise, FunctionExercise) else (lambda: 0.0)
    assert exercise.check(wrong).status == "wrong type"
