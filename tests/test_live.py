"""A chapter in JupyterLab, as a student on Binder runs it.

Chapter 1 is converted to a notebook, opened in a real JupyterLab in
headless Chromium and run from the Run menu.  Then the explorers are moved
with the keyboard, and the figure must follow: a new picture for a new
value, and the very same picture back for a value shown before.
"""

from __future__ import annotations

import pytest

from tests.support import lab
from tools.project import BOOK

pytestmark = pytest.mark.browser
CHAPTER = BOOK / "chapters" / "01-softmax.md"


@pytest.fixture(scope="module")
def page(browser):
    with lab.Lab([CHAPTER], browser) as running:
        page = running.open(CHAPTER.stem)
        yield page
        page.close()


def test_every_cell_runs_without_error_output(page):
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    assert page.locator(".jp-InputArea-prompt").count() > 10


def test_the_explorers_are_live_widgets(page):
    boxes = lab.explorers(page)
    assert len(boxes) == 2
    for box in boxes:
        assert box.locator(".noUi-handle").count() >= 1
        assert len(lab.image_bytes(page, box.locator(".widget-image").element_handle())) > 1000


@pytest.mark.parametrize("which", [0, 1])
def test_a_slider_moves_the_figure_and_back(page, which):
    box = lab.explorers(page)[which]
    image = box.locator(".widget-image").element_handle()
    readout = box.locator(".widget-readout").first
    key = lab.room(box)
    start, shown = lab.image_bytes(page, image), readout.text_content()

    lab.step(page, box, key)
    moved = lab.image_bytes(page, image)
    assert readout.text_content() != shown
    assert moved != start and moved[:8] == b"\x89PNG\r\n\x1a\n"

    lab.step(page, box, lab.BACK[key])
    assert readout.text_content() == shown
    assert lab.image_bytes(page, image) == start   # the remembered frame
