"""What a reader's browser should find on every page, as reusable checks.

Each function takes a Playwright page and returns a list of problems (empty
when all is well), so that the same checks run on the real book and on
deliberately broken pages (tests/test_browser.py shows they catch those).
"""

from __future__ import annotations

from urllib.parse import urlparse

__all__ = ["THEME_AXE_EXCEPTIONS", "watch", "wait_for_math", "raw_math",
           "vega_explorer_problems", "explorer_contrast_problems",
           "solution_problems", "axe_problems"]

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}

# axe-core rules that fail because of the theme (sphinx-book-theme 1.3.0 /
# pydata-sphinx-theme), not because of the book's own content.  Each is
# listed with the reason; everything else at "serious" or "critical" fails.
THEME_AXE_EXCEPTIONS: dict[str, str] = {}


def watch(page) -> list[str]:
    """Record console errors, page errors, failed requests and HTTP errors,
    and block every request to a host other than loopback (recorded too)."""
    problems: list[str] = []
    blocked: set[str] = set()

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            r.continue_()
        else:
            blocked.add(r.request.url)
            problems.append(f"third-party request: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}")
            if r.url not in blocked else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    return problems


def wait_for_math(page) -> None:
    """Wait until MathJax (if the page loads it) has typeset the page."""
    if page.query_selector("script[src*='mathjax']") is not None:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=20000)
        page.evaluate("MathJax.startup.promise")


def raw_math(page) -> list[str]:
    """TeX left in the prose (code cells may quote TeX on purpose)."""
    text = page.evaluate("""() => {
        const main = document.querySelector('main') || document.body;
        const copy = main.cloneNode(true);
        copy.querySelectorAll('pre, code, .output.text_plain, mjx-container, script')
            .forEach(e => e.remove());
        return copy.innerText;
    }""")
    return [f"unrendered TeX {raw!r}" for raw in ("$$", "\\frac", "\\(", "\\[", "\\sum",
                                                  "\\begin{") if raw in text]


#: The fewest positions a slider may have (helpers.explorer.vega.MIN_POSITIONS).
MIN_POSITIONS = 41


#: Positions a slider is swept through, ends included, in the browser tests.
SWEEP = 11

_MOVE = """async (b, [kind, k, v]) => {
    const inputs = b.querySelectorAll(kind === 'range' ? 'input[type=range]'
                                                        : 'input[type=radio]');
    const s = inputs[k];
    const t0 = performance.now();
    if (kind === 'range') {
      s.value = String(v);
      s.dispatchEvent(new Event('input', {bubbles: true}));
    } else {
      s.click();
    }
    await b.explorer.view.runAsync();   // Vega has computed and redrawn the SVG
    const ms = performance.now() - t0;
    return {svg: b.querySelector('.vega-explorer-chart svg').innerHTML, ms,
            value: b.explorer.values()[s.name], text: s.getAttribute('aria-valuetext')}; }"""


def vega_explorer_problems(page, timeout_ms: int = 30_000,
                           times: dict | None = None) -> tuple[list[str], int]:
    """Every Vega-Lite explorer is drawn, labelled, fine-grained and moves.

    Each ``.vega-explorer`` must be embedded (its still hidden, its chart an
    SVG). Each slider must have a label, an ``aria-valuetext`` and at least
    :data:`MIN_POSITIONS` positions; it is swept through :data:`SWEEP` positions
    across its whole range, and at each the picture must change, the page
    must report the value set, and the value read aloud must follow. Each
    radio option is chosen in turn and must change the picture. ``times``, if
    given, collects ``{explorer: [ms per move]}`` from input to redrawn SVG.
    Returns the problems and the number of moves made.
    """
    problems, moves = [], 0
    blocks = page.query_selector_all(".vega-explorer")
    if blocks:
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.vega-explorer')]"
                ".every(b => b.dataset.ready === '1' || b.dataset.error)", timeout=timeout_ms)
        except Exception:  # noqa: BLE001 - reported below, block by block
            pass
    for e, block in enumerate(blocks):
        name = block.get_attribute("data-name") or str(e)
        if block.get_attribute("data-ready") != "1":
            problems.append(f"explorer {name}: not drawn "
                            f"({block.get_attribute('data-error') or 'no script ran'})")
            continue
        if block.query_selector(".vega-explorer-chart svg") is None:
            problems.append(f"explorer {name}: no SVG drawn")
            continue
        if block.query_selector(".vega-explorer-still").is_visible():
            problems.append(f"explorer {name}: the still shows beside the live chart")
        spent = [] if times is None else times.setdefault(name, [])
        for k, slider in enumerate(block.query_selector_all("input[type=range]")):
            info = slider.evaluate("""s => ({lo: +s.min, hi: +s.max, step: +s.step,
                value: s.value, label: s.getAttribute('aria-label'), name: s.name,
                text: s.getAttribute('aria-valuetext')})""")
            if not info["label"] or not info["text"]:
                problems.append(f"explorer {name}: slider {k} has no label or aria-valuetext")
            if round((info["hi"] - info["lo"]) / info["step"]) + 1 < MIN_POSITIONS:
                problems.append(f"explorer {name}: slider {k} has fewer than "
                                f"{MIN_POSITIONS} positions")
            lo, hi, step = info["lo"], info["hi"], info["step"]
            before = block.evaluate("b => b.querySelector('.vega-explorer-chart svg').innerHTML")
            last = float(info["value"])
            for u in [i / (SWEEP - 1) for i in range(SWEEP)]:
                target = lo + round(u * (hi - lo) / step) * step
                if abs(target - last) < step / 2:
                    continue
                after = block.evaluate(_MOVE, ["range", k, target])
                moves += 1
                spent.append(after["ms"])
                if after["svg"] == before:
                    problems.append(f"explorer {name}: slider {k} at {target:g} changes nothing")
                if abs(after["value"] - target) > step / 2:
                    problems.append(f"explorer {name}: slider {k} at {target:g} reports "
                                    f"{after['value']}")
                if after["text"] == info["text"] and abs(target - float(info["value"])) > step:
                    problems.append(f"explorer {name}: slider {k} at {target:g} still reads "
                                    f"{after['text']!r}")
                before, last = after["svg"], target
            block.evaluate(_MOVE, ["range", k, float(info["value"])])
        radios = block.query_selector_all("input[type=radio]")
        checked = [r.is_checked() for r in radios]
        for k, radio in enumerate(radios):
            if radio.is_checked():
                continue
            before = block.evaluate("b => b.querySelector('.vega-explorer-chart svg').innerHTML")
            after = block.evaluate(_MOVE, ["radio", k, None])
            moves += 1
            spent.append(after["ms"])
            if after["svg"] == before:
                label = radio.get_attribute("value")
                problems.append(f"explorer {name}: choosing {label!r} changes nothing")
        for k, was in enumerate(checked):
            if was:
                block.evaluate(_MOVE, ["radio", k, None])
    return problems, moves


def solution_problems(page) -> tuple[list[str], int]:
    """Every exercise solution starts hidden and opens when asked."""
    problems = []
    solutions = page.query_selector_all("div.solution")
    for i, sol in enumerate(solutions):
        body = sol.query_selector(":scope > section, :scope > .section, "
                                  ":scope > :not(.admonition-title):not(button)")
        if body is None:
            problems.append(f"solution {i}: no body")
            continue
        if body.is_visible():
            problems.append(f"solution {i}: visible before it is asked for")
            continue
        toggle = sol.query_selector("button.toggle-button") or sol.query_selector(
            ".admonition-title")
        toggle.click()
        page.wait_for_timeout(300)
        if not body.is_visible():
            problems.append(f"solution {i}: does not open when clicked")
    return problems, len(solutions)


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations that are not the theme's."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    problems = []
    for v in results.response["violations"]:
        if v["impact"] in ("serious", "critical") and v["id"] not in THEME_AXE_EXCEPTIONS:
            targets = [n["target"] for n in v["nodes"][:3]]
            problems.append(f"axe {v['impact']} {v['id']}: {v['help']} at {targets}")
    return problems


_CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  // The page's own background: the first ancestor of the chart that paints one.
  const backdrop = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent') return rgb(c);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const block of document.querySelectorAll('.vega-explorer-live')) {
    const chart = block.querySelector('.vega-explorer-chart');
    const back = lum(backdrop(chart));
    // Text drawn on a mark (a value inside a bar or a cell) has that mark behind it;
    // the axes, legends, titles and notes have the page.
    const rects = [...chart.querySelectorAll('g.mark-rect path, g.mark-rect rect')]
      .map((r) => r.getBoundingClientRect());
    for (const text of chart.querySelectorAll('svg text')) {
      const box = text.getBoundingClientRect();
      if (!text.textContent.trim() || box.width === 0) continue;
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
      if (rects.some((r) => cx > r.left && cx < r.right && cy > r.top && cy < r.bottom)) continue;
      const style = getComputedStyle(text);
      if (style.fill === 'none' || Number(style.opacity) === 0) continue;
      const fore = lum(rgb(style.fill));
      const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
      const what = text.textContent.trim().slice(0, 30);
      if (ratio < 4.5) {
        found.push(`${block.dataset.name}: "${what}" ${style.fill} at ${ratio.toFixed(2)}`);
      }
    }
  }
  return found;
}"""


def explorer_contrast_problems(page) -> list[str]:
    """Text of the drawn explorers that is hard to read on the page's background.

    Every SVG text of each live explorer that is not drawn on a mark (a value inside
    a bar or a heatmap cell) must reach the WCAG AA contrast of 4.5 with the page's
    background, in whichever theme the page shows.
    """
    return page.evaluate(_CONTRAST)
