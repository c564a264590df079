"""Live explorers in a real JupyterLab: a key press to the new figure, timed.

The JupyterLab driver is ``tests/support/lab.py``, shared with
``tests/test_live.py``; this module times it for
``python3 tasks.py bench book``.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.support import chromium
from tests.support.lab import BACK, Lab, can_step, explorers, room, sliders, step

PAUSE_S = 15.0   # how long a reader looks before moving a slider again

__all__ = ["PAUSE_S", "measure", "measure_book"]


def _steps(page, explorer, key, most, slider=0):
    """Press `key` up to `most` times on a slider, while it can still move."""
    times = []
    for _ in range(most):
        if not can_step(explorer, key, slider):
            break
        times.append(step(page, explorer, key, slider))
    return times


def measure(chapter, browser, steps=3, pause_s=PAUSE_S):
    """Step every slider of every explorer in a fresh JupyterLab.

    Returns a list, one entry per explorer, of ``{"first_ms": [...],
    "later_ms": [...]}``: `steps` presses of an arrow key just after the
    notebook ran, as a reader starts to drag (the first press also starts
    the drawing ahead), then, after `pause_s` seconds, `steps` presses of
    the other arrow, back over the same values.
    """
    chapter = Path(chapter)
    with Lab([chapter], browser) as lab:
        page = lab.open(chapter.stem)
        boxes = explorers(page)
        # Every slider of every explorer, each towards its farther end and back.
        moves = [[(k, room(box, k)) for k in range(sliders(box))] for box in boxes]
        found = []
        for box, plan in zip(boxes, moves):
            first = [_steps(page, box, key, steps, k) for k, key in plan]
            found.append({"first_ms": sum(first, []), "counts": [len(t) for t in first]})
        time.sleep(pause_s)
        for box, plan, times in zip(boxes, moves, found):
            times["later_ms"] = sum((_steps(page, box, BACK[key], n, k)
                                     for (k, key), n in zip(plan, times["counts"])), [])
        page.close()
    return found


def measure_book(pages, steps=3, pause_s=PAUSE_S):
    """:func:`measure` for each page (paths of MyST notebooks) in one
    headless Chromium: ``{page stem: [per explorer results]}``, or
    ``{"error": message}`` for a page that could not be driven."""
    found = {}
    with chromium.browser() as browser:
        for page in pages:
            try:
                found[Path(page).stem] = measure(page, browser, steps, pause_s)
            except Exception as exc:  # report it, and go on with the others
                found[Path(page).stem] = {"error": str(exc).strip().splitlines()[0][:200]}
    return found
