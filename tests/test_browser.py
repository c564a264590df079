"""The built site in headless Chromium, as a reader meets it."""

from __future__ import annotations

import json

import pytest

from test_build import toc_files

pytestmark = pytest.mark.browser

PAGES = toc_files()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("requestfailed", lambda r: page.errors.append(f"failed: {r.url}"))
    yield page
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly(page, site_url, name):
    page.goto(f"{site_url}/{name}.html", wait_until="load")
    assert page.title()
    assert page.errors == []


def explorer_state(handle):
    """The explorer's frame table and what its image shows now."""
    return handle.evaluate("""root => ({
        data: JSON.parse(root.querySelector('.explorer-data').textContent),
        src: root.querySelector('img.explorer-frame').getAttribute('src'),
        alt: root.querySelector('img.explorer-frame').getAttribute('alt'),
    })""")


@pytest.mark.parametrize("name", PAGES)
def test_every_explorer_responds(page, site_url, name):
    """Move each control to each end: the image becomes the frame for that position."""
    page.goto(f"{site_url}/{name}.html", wait_until="load")
    for root in page.query_selector_all("figure.helpers-explorer"):
        controls = root.query_selector_all("input[type=range], select")
        assert controls, "an explorer without controls"
        for k, control in enumerate(controls):
            positions = [el.evaluate("e => parseInt(e.value, 10)") for el in controls]
            size = explorer_state(root)["data"]["sizes"][k]
            for target in {0, size - 1}:
                if control.evaluate("e => e.tagName") == "SELECT":
                    control.select_option(value=str(target))
                else:
                    control.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }",
                                     target)
                positions[k] = target
                state = explorer_state(root)
                flat = 0
                for p, s in zip(positions, state["data"]["sizes"]):
                    flat = flat * s + p
                frame = state["data"]["frames"][state["data"]["index"][flat]]
                assert state["src"] == "data:image/png;base64," + frame
                assert state["alt"].startswith(state["data"]["alt"])
    assert page.errors == []


def test_explorer_changes_picture_when_moved(page, site_url):
    """Dragging the first slider of chapter 1 changes the picture a reader sees."""
    page.goto(f"{site_url}/chapters/01-softmax.html", wait_until="load")
    root = page.query_selector("figure.helpers-explorer")
    img = root.query_selector("img.explorer-frame")
    root.scroll_into_view_if_needed()
    shot_before = img.screenshot()
    slider = root.query_selector("input[type=range]")
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowLeft")  # a real key press, as a reader would
    shot_after = img.screenshot()
    assert shot_before != shot_after
    output = root.query_selector("output").inner_text()
    assert output == json.loads(slider.get_attribute("data-values"))[
        int(slider.evaluate("e => e.value"))]


@pytest.mark.parametrize("name", PAGES)
def test_math_is_rendered(page, site_url, name):
    """MathJax (served locally) typesets every formula: no raw TeX is left."""
    page.goto(f"{site_url}/{name}.html", wait_until="load")
    if page.query_selector("script[src*='mathjax']") is None:
        assert page.query_selector(".math") is None, "math on the page, but no MathJax"
        return
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")
    # Prose only: code and its plain-text output may quote TeX on purpose.
    text = page.evaluate("""() => {
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('pre, code, .output.text_plain, mjx-container')
            .forEach(e => e.remove());
        return main.innerText;
    }""")
    for raw in ("$$", "\\frac", "\\(", "\\[", "\\sum"):
        assert raw not in text, f"unrendered {raw!r} on {name}"
    assert page.errors == []
