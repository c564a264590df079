"""Run the benchmarks and print their tables.

    python3 tasks.py bench            # speed, accuracy and book
    python3 tasks.py bench speed      # or accuracy, or book
    python3 tasks.py bench vega       # the Vega-Lite explorers of the built book
    python3 tasks.py bench speed --quick --clock cpu

``bench speed`` times (4096, 1000) logits against SciPy, and the book's own
small sizes, (300, 3), (64, 10) and (1, 1000), against the plain four-line
max-shift NumPy softmax.

``tasks.py bench`` sets up the test environment (it needs SciPy) and runs
this module as ``python -m bench.run``.  Every figure is a ratio measured
side by side in one process; see the docstrings of bench.speed,
bench.accuracy and bench.book for how.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from . import accuracy, book, lab, speed, vega
from .competitors import implementations, plain_impl

# The goals of the performance issue, as (limit, unit) per measurement.
SPEED_GOAL = {"float64": 0.6, "float32": 1.0}     # helpers time / SciPy time
SMALL_GOAL = 1.5       # helpers time / plain max-shift NumPy, on small arrays
STEP_GOAL = 1.0        # (loss + grad) / (loss + softmax), by one call
ACCURACY_GOAL = 4.0    # eps
CLEAN_GOAL, REBUILD_GOAL = 300.0, 20.0  # s

QUICK = {"speed": dict(shape=(1024, 1000), rounds=7),
         "small": dict(rounds=7, calls=100),
         "accuracy": dict(rows=2, num_classes=200, rows_wide=1)}
FULL = {"speed": dict(shape=(4096, 1000), rounds=25),
        "small": dict(rounds=25, calls=200),
        "accuracy": dict(rows=16, num_classes=1000, rows_wide=2)}
PLAIN = "plain NumPy"


def _met(ok):
    return "met" if ok else "NOT MET"


def _fmt(value, width=9):
    if value is None:
        return " " * (width - 1) + "-"
    if np.isinf(value):
        return f"{'inf':>{width}}"
    return f"{value:>{width}.2g}" if value >= 1e4 else f"{value:>{width}.2f}"


def _x_floor(row, width):
    """A row's multiple of np.exp, starred if it sums two separate calls."""
    return f"{row['x_floor']:>{width - 1}.2f}{'*' if row.get('summed') else ' '}"


SUMMED_NOTE = ("* {name} has no cross_entropy_and_grad: that figure is\n"
               "  the sum of its two separate calls, round by round.")


def _summed_notes(results):
    """The footnote for every implementation timed as two separate calls."""
    rows = next(iter(results.values()))["rows"]
    return [SUMMED_NOTE.format(name=r["impl"]) for r in rows if r.get("summed")]


def speed_table(results, impls):
    """The speed results as text: one block per dtype."""
    others = [name for name in impls if name != "helpers"]
    lines = []
    for dtype, found in results.items():
        rows = {(r["impl"], r["function"]): r for r in found["rows"]}
        lines.append(f"\nSpeed, {dtype}: one np.exp = {found['floor_ms']:.1f} ms "
                     "(median of per-round ratios)")
        head = f"{'function':<24}{'helpers ms':>11}{'x exp':>8}"
        head += "".join(f"{name[:14] + ' x exp':>21}" for name in others)
        head += f"{'helpers/SciPy':>15}{'goal':>8}  result"
        lines.append(head)
        goal = SPEED_GOAL.get(dtype)
        for function in speed.FUNCTIONS:
            mine = rows[("helpers", function)]
            line = f"{function:<24}{mine['ms']:>11.1f}{mine['x_floor']:>8.2f}"
            line += "".join(_x_floor(rows[(n, function)], 22) for n in others)
            ratio = mine.get("x_scipy")
            line += f"{_fmt(ratio, 14)}{'<= ' + str(goal):>8}  "
            line += _met(ratio is not None and ratio <= goal) if goal else ""
            lines.append(line)
        step = rows[("helpers", "loss+grad vs loss+softmax")]["x_budget"]
        separate = rows[("helpers", "separate loss+grad vs loss+softmax")]["x_budget"]
        lines.append(f"{'(loss + grad) / (loss + softmax), one call':<43}{step:>6.2f}"
                     f"{'<= ' + str(STEP_GOAL):>12}  {_met(step <= STEP_GOAL)}")
        lines.append(f"{'(loss + grad) / (loss + softmax), two calls':<43}"
                     f"{separate:>6.2f}{'':>12}  (for comparison)")
    lines += [""] + _summed_notes(results)
    return "\n".join(lines)


def small_table(results, options):
    """The small-array results as text: microseconds per call, and helpers
    as a multiple of the plain max-shift NumPy version."""
    lines = [f"\nSmall arrays, float64: microseconds per call (median of "
             f"{options['rounds']} interleaved rounds of {options['calls']} calls)",
             f"{'shape':<12}{'function':<22}{'helpers us':>11}{'plain us':>10}"
             f"{'helpers/plain':>15}{'goal':>9}  result"]
    for shape, rows in results.items():
        found = {(r["impl"], r["function"]): r for r in rows}
        for function in speed.SMALL_FUNCTIONS:
            mine, plain = found[("helpers", function)], found[(PLAIN, function)]
            ratio = mine["x_baseline"]
            lines.append(f"{shape:<12}{function:<22}{mine['us']:>11.1f}{plain['us']:>10.1f}"
                         f"{ratio:>15.2f}{'<= ' + format(SMALL_GOAL, 'g'):>9}  "
                         f"{_met(ratio <= SMALL_GOAL)}")
    lines.append("plain NumPy: the four-line max-shift softmax, and the loss and\n"
                 "gradient built on it (bench/competitors.py, plain_impl).")
    return "\n".join(lines)


def accuracy_table(results):
    """The accuracy results as text: max error in eps, helpers vs the others."""
    names = list(results)
    lines = []
    for dtype in next(iter(results.values())):
        lines.append(f"\nAccuracy, {dtype}: largest relative error in eps "
                     f"(goal for helpers: <= {ACCURACY_GOAL:g})")
        families = list(results[names[0]][dtype]["softmax"])
        lines.append(f"{'function':<15}{'implementation':<30}"
                     + "".join(f"{f[:12]:>13}" for f in families) + "  result")
        for function in accuracy.FUNCTIONS:
            for name in names:
                errs = results[name][dtype][function]
                line = f"{function:<15}{name[:29]:<30}" + "".join(
                    _fmt(errs[f], 13) for f in families)
                if name == "helpers":
                    line += "  " + _met(max(errs.values()) <= ACCURACY_GOAL)
                lines.append(line)
    return "\n".join(lines)


SHORT_FAMILY = {"normal x5": "normal", "huge ~1e3": "huge", "offset 1e6": "offset",
                "tiny diffs 1e-12": "tiny", "20,000 classes": "20k",
                "dominant": "domin."}


def compact_speed_table(results, impls):
    """A narrow speed table (for a book page): ratios only, no verdicts."""
    scipy = next(name for name in impls if name.startswith("SciPy"))
    lines = []
    for dtype, found in results.items():
        rows = {(r["impl"], r["function"]): r for r in found["rows"]}
        lines += [f"{dtype}, one np.exp = {found['floor_ms']:.1f} ms"
                  f"{'helpers':>14}{'SciPy':>8}{'helpers':>9}",
                  f"{'function':<34}{'x exp':>8}{'x exp':>8}{'/ SciPy':>9}"]
        for function in speed.FUNCTIONS:
            mine, theirs = rows[("helpers", function)], rows[(scipy, function)]
            lines.append(f"{function:<34}{mine['x_floor']:>8.2f}"
                         f"{_x_floor(theirs, 9)}{mine['x_scipy']:>8.2f}")
        step = rows[("helpers", "loss+grad vs loss+softmax")]["x_budget"]
        separate = rows[("helpers", "separate loss+grad vs loss+softmax")]["x_budget"]
        lines += [f"{'(loss + grad) / (loss + softmax)':<34}{step:>8.2f}",
                  f"{'  the same, by two separate calls':<34}{separate:>8.2f}", ""]
    lines += _summed_notes(results)
    if "transcription" in scipy:
        lines.append(f"SciPy here is {scipy}.")
    return "\n".join(lines)


def compact_accuracy_table(results):
    """A narrow accuracy table (for a book page): largest error in eps."""
    lines = []
    for dtype in next(iter(results.values())):
        families = list(next(iter(results.values()))[dtype]["softmax"])
        lines.append(f"{dtype:<22}" + "".join(f"{SHORT_FAMILY.get(f, f)[:7]:>8}"
                                              for f in families))
        for function in accuracy.FUNCTIONS:
            for i, name in enumerate(results):
                errs = results[name][dtype][function]
                label = function.replace("cross_entropy", "cross-ent.") if i == 0 else ""
                lines.append(f"{label:<13}{name.split(' (')[0][:8]:<9}"
                             + "".join(_fmt(errs[f], 8) for f in families))
        lines.append("")
    lines += [f"SciPy here is {name}." for name in results if "transcription" in name]
    return "\n".join(lines)


def book_table(results):
    """The book results as text."""
    lines = ["\nThe book"]
    builds = results.get("builds")
    if builds:
        for key, label, goal in (("clean_s", "clean build (all executed)", CLEAN_GOAL),
                                 ("rebuild_s", "rebuild, no change", REBUILD_GOAL)):
            ok = builds[key.replace("_s", "_ok")]
            lines.append(f"{label:<34}{builds[key]:>8.1f} s   goal <= {goal:g} s  "
                         f"{_met(ok and builds[key] <= goal)}"
                         + ("" if ok else "  (the build FAILED; see " + builds["logs"] + ")"))
    weights = results.get("weights", {})
    lines.append(f"\n{'page':<32}{'HTML bytes':>12}{'image bytes':>13}{'total':>12}")
    for page, w in weights.items():
        lines.append(f"{page:<32}{w['html']:>12,}{w['images']:>13,}"
                     f"{w['html'] + w['images']:>12,}")
    return "\n".join(lines)


def lab_table(found, goal, what, pause_s):
    """The explorers driven in JupyterLab: key press to new figure, in ms."""
    lines = ["\nIn JupyterLab, from an arrow key on a slider to the new figure "
             f"({what}), median ms over every slider:",
             f"    {'page: explorer':<36}{'just after running':>20}{f'{pause_s:g} s later':>12}"
             f"{'goal':>8}  result"]
    for page, explorers in found.items():
        if "error" in explorers:
            lines.append(f"    {page}: could not be driven: {explorers['error']}")
            continue
        for i, e in enumerate(explorers):
            first, later = float(np.median(e["first_ms"])), float(np.median(e["later_ms"]))
            lines.append(f"    {page + ': #' + str(i + 1):<36}{first:>20.1f}{later:>12.1f}"
                         f"{'<= ' + format(goal, 'g'):>8}  just after: "
                         f"{_met(first <= goal)}; later: {_met(later <= goal)}"
                         f"  ({len(e['first_ms']) + len(e['later_ms'])} moves)")
    return "\n".join(lines)


def run_speed(args, impls):
    options = dict(QUICK["speed"] if args.quick else FULL["speed"])
    if args.rounds:
        options["rounds"] = args.rounds
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"\n== speed: shape {options['shape']}, {options['rounds']} rounds, "
          f"{args.clock} clock ==", flush=True)
    results = speed.measure(impls, clock=clock, **options)
    print(speed_table(results, impls))
    paths = speed.path_costs({name: impl["softmax"] for name, impl in impls.items()},
                             shape=options["shape"], rounds=options["rounds"],
                             clock=clock)
    print("\nsoftmax in float64 on rows taking each of helpers' three paths (x exp):")
    print(f"  {'rows':<38}" + "".join(f"{name[:14]:>16}" for name in impls))
    for label, found in paths.items():
        print(f"  {label:<38}" + "".join(f"{found[name]:>16.2f}" for name in impls))
    small_options = dict(QUICK["small"] if args.quick else FULL["small"])
    if args.rounds:
        small_options["rounds"] = args.rounds
    small = speed.small_arrays({"helpers": impls["helpers"], PLAIN: plain_impl()}, PLAIN,
                               clock=clock, **small_options)
    print(small_table(small, small_options))
    return {"results": results, "paths": paths, "small": small,
            "options": {**options, "small": small_options, "clock": args.clock}}


def run_accuracy(args, impls):
    options = QUICK["accuracy"] if args.quick else FULL["accuracy"]
    print(f"\n== accuracy: {options} ==", flush=True)
    results = accuracy.measure(impls, **options)
    print(accuracy_table(results))
    return {"results": results, "options": options}


def run_book(args):
    print("\n== book: clean build, rebuild, page weights ==", flush=True)
    keep = Path(args.keep) if args.keep else None
    scratch = keep or Path(book.ROOT / "build" / "bench-book")
    results = {"builds": book.build_times(keep=scratch)}
    results["weights"] = book.page_weights(results["builds"]["html"])
    print(book_table(results), flush=True)
    if not keep:
        shutil.rmtree(scratch, ignore_errors=True)
    # The explorers: in JupyterLab (the static page's timing is `bench vega`).
    results["lab"] = run_live(args)
    return results


#: A live Vega-Lite explorer redraws in the browser, with no kernel in the way.
LIVE_GOAL = 50.0  # ms
LIVE_PAUSE_S = 2.0  # nothing is drawn ahead: a short look suffices


def run_live(args):
    """Every chapter with explorers, run in JupyterLab; every slider stepped there."""
    print("\n== live: the explorers in JupyterLab ==", flush=True)
    pages = [book.BOOK / f"{page}.md" for page in book.toc_pages()]
    chosen = [path for path in pages if book.is_notebook(path)
              and re.search(r"^from helpers\.explorer", path.read_text(), re.M)]
    if args.pages:
        chosen = [path for path in chosen if any(p in path.stem for p in args.pages)]
    found = lab.measure_book(chosen, steps=args.steps, pause_s=LIVE_PAUSE_S)
    print(lab_table(found, goal=LIVE_GOAL, what="drawn by Vega in the browser",
                    pause_s=LIVE_PAUSE_S))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", default="all",
                        choices=["speed", "accuracy", "book", "vega", "live", "all"])
    parser.add_argument("--pages", nargs="*", help="live: only chapters whose file names "
                                                   "contain one of these")
    parser.add_argument("--steps", type=int, default=5,
                        help="live: arrow presses per slider and direction")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few rounds (seconds, not minutes)")
    parser.add_argument("--rounds", type=int, help="speed: rounds to take the median of")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="speed: wall-clock time (default) or this process's "
                             "CPU time, which ignores time spent waiting for a "
                             "core on a busy machine")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--keep", help="book: build in this folder and keep it")
    parser.add_argument("--site", help="vega: the built HTML to measure "
                                       "(default book/_build/html)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)

    impls = implementations(with_torch=not args.no_torch)
    print(f"numpy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}; compared: {', '.join(impls)}")
    report = {}
    if args.which in ("speed", "all"):
        report["speed"] = run_speed(args, impls)
    if args.which in ("accuracy", "all"):
        report["accuracy"] = run_accuracy(args, impls)
    if args.which in ("book", "all"):
        report["book"] = run_book(args)
    if args.which == "vega":
        site = Path(args.site) if args.site else book.ROOT / "book" / "_build" / "html"
        print("\n== vega: Vega-Lite explorers in the built site ==", flush=True)
        report["vega"] = vega.measure(site)
        print(vega.table(report["vega"]))
    if args.which == "live":
        report["live"] = run_live(args)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
