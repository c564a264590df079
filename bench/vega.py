"""Vega-Lite explorers in the static book: from input to the new picture, and bytes.

Every page of a built site with ``.vega-explorer`` blocks is opened in headless
Chromium at 1280 px and at 390 px (device scale 2). Each slider of each
explorer is set to 25 random positions; a move is timed from the ``input``
event until Vega has recomputed the chart and rewritten its SVG, which the
browser then paints in its next frame. The page's own bytes (HTML and the
images it alone uses) and the shared bundle's are reported beside it; the
bundle is cached across pages.

    python -m bench.vega [book/_build/html]
"""

from __future__ import annotations

import gzip
import statistics
import sys
from pathlib import Path

from tests.support import chromium
from tests.support.server import serve
from tools.project import ROOT

GOAL_MS = 16.0  # one frame at 60 Hz
MOVES = 25

MOVE = """async ([k, positions]) => {
  const times = [];
  for (const block of document.querySelectorAll('.vega-explorer')) {
    const slider = block.querySelectorAll('input[type=range]')[k];
    if (!slider) { times.push(null); continue; }
    const lo = +slider.min, hi = +slider.max, out = [];
    for (const u of positions) {
      const t0 = performance.now();
      slider.value = String(lo + u * (hi - lo));
      slider.dispatchEvent(new Event('input', {bubbles: true}));
      await block.explorer.view.runAsync();   // Vega has computed and redrawn the SVG
      out.push(performance.now() - t0);
    }
    times.push(out);
  }
  return times;
}"""


def measure(site: Path) -> dict:
    """``{page: {explorer: {width: [ms, ...]}}}`` and the bundle's bytes."""
    import numpy as np

    rng = np.random.default_rng(0)
    pages = sorted(p for p in site.rglob("*.html")
                   if 'class="vega-explorer"' in p.read_text(errors="ignore"))
    found: dict = {}
    with serve(site) as url, chromium.browser() as browser:
        for width in (1280, 390):
            tab = browser.new_page(viewport={"width": width, "height": 900},
                                   device_scale_factor=2)
            for path in pages:
                name = path.relative_to(site).as_posix()
                tab.goto(f"{url}/{name}")
                tab.wait_for_function("() => [...document.querySelectorAll('.vega-explorer')]"
                                      ".every(b => b.dataset.ready === '1')", timeout=60_000)
                names = tab.evaluate("[...document.querySelectorAll('.vega-explorer')]"
                                     ".map(b => b.dataset.name)")
                most = tab.evaluate("Math.max(...[...document.querySelectorAll("
                                    "'.vega-explorer')].map(b => b.querySelectorAll("
                                    "'input[type=range]').length))")
                for k in range(most):
                    times = tab.evaluate(MOVE, [k, rng.uniform(size=MOVES).tolist()])
                    for explorer, ms in zip(names, times):
                        if ms:
                            found.setdefault(name, {}).setdefault(explorer, {}).setdefault(
                                width, []).extend(ms)
            tab.close()
    bundle = site / "_static" / "explorer" / "vega-bundle.js"
    data = bundle.read_bytes() if bundle.exists() else b""
    weights = {path.relative_to(site).as_posix(): path.stat().st_size for path in pages}
    return {"times": found, "bundle": len(data), "bundle_gzip": len(gzip.compress(data)),
            "html": weights}


def table(results: dict) -> str:
    lines = [f"\nVega-Lite explorers, input to picture (ms; goal <= {GOAL_MS:g} ms)",
             f"    {'page: explorer':<46}{'1280 median':>12}{'p95':>7}{'390 median':>12}"
             f"{'p95':>7}  result"]
    for page, explorers in results["times"].items():
        for name, by_width in explorers.items():
            row = f"    {page + ': ' + name:<46}"
            worst = 0.0
            for width in (1280, 390):
                ms = sorted(by_width.get(width, []))
                median = statistics.median(ms)
                p95 = ms[int(0.95 * (len(ms) - 1))]
                worst = max(worst, median)
                row += f"{median:>12.1f}{p95:>7.1f}"
            lines.append(row + ("  met" if worst <= GOAL_MS else "  NOT met"))
    lines.append(f"\nshared bundle (Vega, Vega-Lite, vega-embed): {results['bundle']:,} bytes, "
                 f"{results['bundle_gzip']:,} gzipped; loaded only on pages with explorers")
    for page, size in results["html"].items():
        lines.append(f"    {page:<46}{size:>12,} bytes of HTML (stills and specs inlined)")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    site = Path(argv[0]) if argv else ROOT / "book" / "_build" / "html"
    print(table(measure(site)))


if __name__ == "__main__":
    main(sys.argv[1:])
