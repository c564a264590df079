"""Frames as PNG bytes, drawn here or in worker processes that never fork us.

A Jupyter kernel runs several threads (IOPub, heartbeat, control, ...).
Forking such a process copies only the forking thread, and any lock
another thread held stays locked in the child forever; CPython 3.12 warns
about it.  So no frame is ever drawn in a forked copy of this process.
Worker processes come from the ``forkserver`` start method (a fresh,
single-threaded server that forks the workers) or, where there is none,
from ``spawn``.  Either way the workers start from scratch and receive the
:class:`~.spec.ExplorerSpec` pickled, which works only when its drawing
function can be imported by name.  A function defined in a notebook
cell lives in ``__main__`` and cannot be, so such frames are drawn in this
process instead: in the calling thread for the static book, in one
background thread that gives way to the reader for the live view
(:class:`Background`).

As with any use of ``spawn`` or ``forkserver``, a *script* whose
explorers draw with an importable function must keep its work under
``if __name__ == "__main__":``, since each worker imports the script.
Notebooks need nothing of the kind.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from .spec import ExplorerSpec, frame_key

__all__ = ["figure_to_png", "png_pixels", "drawable_elsewhere", "draw_all", "Background"]

PROCESSES_ENV = "HELPERS_EXPLORER_PROCESSES"

#: Seconds the reader must have left the controls alone before the
#: background thread draws its next frame: long enough to span the gaps
#: between the moves of a drag, short enough to use every pause.
IDLE_S = 0.3


def figure_to_png(fig: Figure, *, dpi: float = 80, colors: int = 128) -> bytes:
    """Render `fig` to compact, deterministic PNG bytes.

    The image is reduced to a palette of `colors` colours, which shrinks
    plots (flat colours and anti-aliased text) to a fraction of their size.

    Examples
    --------
    >>> fig = Figure(figsize=(1, 1))
    >>> png_pixels(figure_to_png(fig, dpi=20)).shape
    (20, 20, 3)
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    image = Image.open(buf).convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_pixels(png: bytes) -> np.ndarray:
    """Decode PNG bytes to an (H, W, 3) uint8 array, for comparing frames."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


class Canvas(Protocol):
    """What draws frames: built from a spec, it turns values into PNG bytes."""

    def __init__(self, spec: ExplorerSpec) -> None: ...

    def png(self, values: Mapping[str, Any]) -> bytes: ...


def drawable_elsewhere(spec: ExplorerSpec) -> bool:
    """Whether a fresh worker process could rebuild `spec` from a pickle.

    Pickle refers to functions by module and name.  A reference into
    ``__main__`` (a notebook cell, a script) would name another module in
    the worker, so such a spec counts as not drawable elsewhere.

    Examples
    --------
    >>> from helpers.explorer.spec import Slider
    >>> drawable_elsewhere(ExplorerSpec(np.sin, {"x": Slider(0, 1, 1)}, alt="x"))
    True
    >>> drawable_elsewhere(ExplorerSpec(lambda ax, x: None, {"x": Slider(0, 1, 1)}, alt="x"))
    False
    """
    try:
        data = pickle.dumps(spec)
    except Exception:        # a lambda, a closure, an open file in a partial...
        return False
    return b"__main__" not in data and b"__mp_main__" not in data


def _context():
    """Forkserver where the system has it (fast, and never forks us), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Imported once by the server, so that each worker starts warm.
        ctx.set_forkserver_preload(["helpers.explorer.static", "helpers.explorer.live"])
        return ctx
    return multiprocessing.get_context("spawn")


_WORKER: Canvas | None = None


def _adopt(spec: ExplorerSpec, canvas: type, nice: int) -> None:
    """In a worker: make the canvas that will draw every frame sent here."""
    global _WORKER
    if nice:
        try:
            os.nice(nice)
        except (AttributeError, OSError):
            pass
    _WORKER = canvas(spec)


def _draw_adopted(values: dict[str, Any]) -> bytes:
    return _WORKER.png(values)


def _pool(spec: ExplorerSpec, canvas: type, workers: int, *, nice: int = 0):
    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=_adopt,
                               initargs=(spec, canvas, nice))


def worker_count(num_frames: int) -> int:
    """How many processes to draw `num_frames` static frames with.

    ``HELPERS_EXPLORER_PROCESSES`` overrides the default of one per core,
    at most four; fewer than 16 frames are not worth a worker's start.
    """
    setting = os.environ.get(PROCESSES_ENV, "")
    if setting:
        try:
            count = int(setting)
        except ValueError:
            raise ValueError(f"{PROCESSES_ENV} must be a whole number, got {setting!r}") from None
    else:
        count = min(os.cpu_count() or 1, 4)
    return 1 if num_frames < 16 else max(1, count)


def draw_all(spec: ExplorerSpec, canvas: type, combos: Sequence[Mapping[str, Any]],
             here: Canvas | None = None) -> list[bytes]:
    """The frames for `combos`, in order, from worker processes if they can.

    Every worker draws with its own `canvas`, exactly as this process
    would, so the bytes do not depend on where they were drawn.  If the
    workers fail for any reason, the frames are drawn here with `here`
    (or a new canvas), where a real error in `draw` shows its own
    traceback.
    """
    workers = worker_count(len(combos))
    if workers > 1 and drawable_elsewhere(spec):
        try:
            with _pool(spec, canvas, workers) as pool:
                chunk = max(1, len(combos) // (4 * workers))
                return list(pool.map(_draw_adopted, combos, chunksize=chunk))
        except Exception:
            pass
    here = canvas(spec) if here is None else here
    return [here.png(values) for values in combos]


class Background:
    """Frames drawn away from the reader, nearest first, into `store`.

    In one worker process at low priority when the spec can be drawn
    elsewhere, else in one daemon thread of this process.  The thread
    shares the interpreter with the reader's own redraws (and matplotlib
    lets one figure draw at a time), so it starts a frame only once the
    reader has left the controls alone for :data:`IDLE_S` seconds
    (:meth:`reader_drawing` tells it), and on Linux it runs at a lower
    scheduling priority.  A frame already begun is finished, so a move
    that arrives meanwhile waits for part of it.  A frame whose drawing
    raises is skipped: the reader's own draw will show the error.

    Attributes
    ----------
    done : threading.Event
        Set once every frame is in `store` (or was skipped).
    where : str
        ``"process"`` or ``"thread"``.
    """

    def __init__(self, spec: ExplorerSpec, canvas: type,
                 combos: Sequence[Mapping[str, Any]], store: dict[tuple, bytes]):
        self.done = threading.Event()
        self._store = store
        self._wanted = [dict(v) for v in combos if frame_key(v) not in store]
        self._last_move = time.monotonic()   # a reader's move starts it
        self._busy = False                   # the reader is drawing
        self.where = "process" if drawable_elsewhere(spec) else "thread"
        target = self._collect if self.where == "process" else self._draw_here
        threading.Thread(target=target, args=(spec, canvas), daemon=True,
                         name="explorer-draw-ahead").start()

    @contextmanager
    def reader_drawing(self):
        """Wrap each of the reader's redraws: no new frame starts meanwhile,
        nor until the reader has been idle for :data:`IDLE_S` seconds."""
        self._busy = True
        try:
            yield
        finally:
            self._last_move = time.monotonic()
            self._busy = False

    def _collect(self, spec: ExplorerSpec, canvas: type) -> None:
        broken = False
        try:
            with _pool(spec, canvas, 1, nice=10) as pool:
                futures = {pool.submit(_draw_adopted, v): frame_key(v) for v in self._wanted}
                for future in as_completed(futures):
                    error = future.exception()
                    if error is None:
                        self._store.setdefault(futures[future], future.result())
                    broken = broken or isinstance(error, BrokenProcessPool)
        except Exception:
            broken = True
        if broken:               # the worker could not start or died: draw here
            self._draw_here(spec, canvas)
        else:
            self.done.set()

    def _draw_here(self, spec: ExplorerSpec, canvas: type) -> None:
        try:
            _lower_this_thread()
            here = canvas(spec)
            for values in self._wanted:
                while self._busy or time.monotonic() - self._last_move < IDLE_S:
                    time.sleep(0.05)
                key = frame_key(values)
                if key in self._store:
                    continue
                try:
                    self._store.setdefault(key, here.png(values))
                except Exception:
                    continue
        finally:
            self.done.set()


def _lower_this_thread(nice: int = 10) -> None:
    """Lower the calling thread's priority (Linux only, where a thread id is
    a task id that setpriority accepts; elsewhere it would name a process)."""
    if sys.platform.startswith("linux"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
        except (AttributeError, OSError):
            pass

