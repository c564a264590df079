"""The teaching plan (book/pacing.md): its timetables hold the book's exercises.

The page's cells are run as they are in the build (``chapter_namespace``), and
each plan is checked against the chapters read again here with
``helpers.chapters``: every chapter in exactly one week, in the book's order,
every exercise once, no label the chapters do not have, and each week's
minutes the sum of its exercises' ``minutes``.
"""

from __future__ import annotations

import copy
import itertools

import pytest
from tests.support.book import chapter_namespace

from helpers.chapters import chapters_in_toc, read_chapter
from tools.project import BOOK

PAGE = BOOK / "pacing.md"
CHAPTERS = [read_chapter(path) for path in chapters_in_toc(BOOK)]
EXERCISES = {e.label: e for ch in CHAPTERS for e in ch.exercises}


@pytest.fixture(scope="module")
def page():
    return chapter_namespace(PAGE, lambda markdown: False)


def plan_problems(weekly) -> list[str]:
    """What is wrong with a timetable, as sentences; empty if nothing is."""
    problems = []
    names = [name for week in weekly for name in week["chapters"]]
    if names != [ch.name for ch in CHAPTERS]:
        problems.append(f"chapters, in week order, are {names}")
    labels = [label for week in weekly for label in week["lab"] + week["homework"]]
    if sorted(labels) != sorted(EXERCISES):
        problems.append("the exercises are not each planned once")
    problems += [f"no exercise {label}" for label in labels if label not in EXERCISES]
    for week in weekly:
        own = {e.label for ch in CHAPTERS if ch.name in week["chapters"] for e in ch.exercises}
        if not set(week["lab"] + week["homework"]) <= own:
            problems.append(f"week {week['week']} holds another week's exercise")
        for part, labels in (("lab", week["lab"]), ("homework", week["homework"]),
                             ("", week["lab"] + week["homework"])):
            key = f"{part}_minutes" if part else "minutes"
            total = sum(EXERCISES[label].minutes for label in labels if label in EXERCISES)
            if week[key] != total:
                problems.append(f"week {week['week']}: {key} {week[key]} != {total}")
    return problems


@pytest.mark.parametrize("weeks", [4, 9])
def test_the_plan_holds_every_chapter_and_exercise_once(page, weeks):
    weekly = page["PLANS"][weeks]
    assert [week["week"] for week in weekly] == list(range(1, weeks + 1))
    assert plan_problems(weekly) == []


def test_the_weeks_add_up_to_the_book(page):
    """The minutes of all weeks are those of all exercises, summed another way."""
    total = sum(e.minutes for e in EXERCISES.values())
    for weekly in page["PLANS"].values():
        assert sum(week["lab_minutes"] + week["homework_minutes"] for week in weekly) == total


@pytest.mark.parametrize("mistake", ["drop a chapter", "repeat a chapter", "unknown label",
                                     "wrong minutes", "move an exercise"])
def test_a_broken_plan_is_caught(page, mistake):
    """plan_problems finds each kind of mistake a plan could make."""
    weekly = copy.deepcopy(page["PLANS"][4])
    if mistake == "drop a chapter":
        weekly[-1]["chapters"].pop()
    elif mistake == "repeat a chapter":
        weekly[1]["chapters"].insert(0, weekly[0]["chapters"][-1])
    elif mistake == "unknown label":
        weekly[0]["lab"].append("ex-no-such-exercise")
    elif mistake == "wrong minutes":
        weekly[2]["minutes"] += 5
    else:
        weekly[1]["homework"].append(weekly[0]["homework"].pop())
    assert plan_problems(weekly)


def test_the_four_weeks_are_the_most_even_cut(page):
    """No other cut of the chapters into four runs has a lighter busiest week
    (brute force over every cut, written without the page's code)."""
    load = [sum(e.minutes for e in ch.exercises) for ch in CHAPTERS]
    lightest = min(max(sum(load[a:b]) for a, b in itertools.pairwise((0, *cuts, len(load))))
                   for cuts in itertools.combinations(range(1, len(load)), 3))
    assert max(week["minutes"] for week in page["PLANS"][4]) == lightest
    assert [len(week["chapters"]) for week in page["PLANS"][9]] == [1] * len(CHAPTERS)


def test_weeks_out_of_range_are_refused(page):
    with pytest.raises(ValueError, match="weeks must be between 1 and"):
        page["balanced_weeks"](CHAPTERS, 0)
    with pytest.raises(ValueError, match="weeks must be between 1 and"):
        page["balanced_weeks"](CHAPTERS, len(CHAPTERS) + 1)


def test_lab_exercises_are_short_checked_code(page):
    """The rule the page states: a lab exercise is checked, asks for no words
    and takes at most LAB_LIMIT minutes; every exercise in words is homework."""
    limit = page["LAB_LIMIT"]
    for weekly in page["PLANS"].values():
        for week in weekly:
            for label in week["lab"]:
                e = EXERCISES[label]
                assert e.auto_checked and not e.in_words and e.minutes <= limit, label
            for label in week["homework"]:
                e = EXERCISES[label]
                assert not (e.auto_checked and not e.in_words and e.minutes <= limit), label
    words = [label for label, e in EXERCISES.items() if e.in_words]
    assert words and all(page["setting"](EXERCISES[label]) == "homework" for label in words)


def test_every_chapter_has_its_outside_knowledge(page):
    """The prerequisites table names each chapter's outside knowledge (no
    fallback text), and a chapter builds only on earlier chapters."""
    assert set(page["OUTSIDE"]) == {ch.name for ch in CHAPTERS}
    order = [ch.name for ch in page["chapters"]]
    for ch in page["chapters"]:
        assert all(order.index(e.name) < order.index(ch.name) for e in page["builds_on"](ch))
    # Chapter 5 derives the gradient through chapter 3's Jacobian: the page must see it.
    by_name = {ch.name: ch for ch in page["chapters"]}
    assert "03-jacobian" in [e.name for e in page["builds_on"](by_name["05-gradient"])]
    # Chapter 3 never names chapter 1, but starts from its softmax.
    assert [e.name for e in page["builds_on"](by_name["03-jacobian"])] == ["01-softmax"]
    assert page["builds_on"](by_name["01-softmax"]) == []


def test_default_minutes_follow_helpers(page):
    """The rule the page quotes for an exercise without minutes-N is the package's."""
    assert (page["default_minutes"]("x = NOT_ATTEMPTED"), page["default_minutes"](page["STUB"]),
            page["default_minutes"]()) == (5, 15, 10)
    assert page["default_minutes"](page["STUB"], words=True) == 20
