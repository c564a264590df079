"""Tests for helpers.explorer.

The reference for every frame is a direct call of the drawing function on a
figure made by hand (matplotlib's check_figures_equal idea): set the control
values, then compare pixels with a plain drawing of the same parameters.
Pixels are compared exactly: the same Agg renderer draws both sides.
"""

import base64
import dataclasses
import json
import os
import pickle
import re
import sys
import threading
import time
import types

import ipywidgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers.explorer import (FRAMES_ENV, Choice, Explorer, ExplorerSpec, Slider, Steps,
                              figure_to_png, frames, png_pixels)


def draw_bars(ax, height, colour):
    """Two bars: one of the given height, one of height 1 - height."""
    ax.bar([0, 1], [height, 1 - height], color=colour)
    ax.set_ylim(0, 1)
    ax.set_title(f"height = {height:g}")


CONTROLS = {"height": Slider(0.0, 1.0, 0.25, value=0.5),
            "colour": Choice(["tab:blue", "tab:orange"])}
#: Every combination of CONTROLS, as (height, colour).
EVERY = [(h, c) for h in Slider(0.0, 1.0, 0.25).values() for c in ["tab:blue", "tab:orange"]]

#: The draws of `counted_bars` in this process (a worker process has its own).
CALLS = []


def counted_bars(ax, height, colour):
    """`draw_bars`, noting the call and the thread that made it."""
    CALLS.append((height, colour, threading.get_ident()))
    draw_bars(ax, height, colour)


def make_explorer(draw=draw_bars, **kw):
    return Explorer(draw, CONTROLS, alt="Two bars.", **kw)


def notebook_draw(calls):
    """A draw defined inside a function: like a notebook cell's, it cannot
    be imported by name, so it cannot be drawn in another process."""
    def draw(ax, height, colour):
        calls.append((height, colour, threading.get_ident()))
        draw_bars(ax, height, colour)
    return draw


def direct(height, colour, figsize=(6.0, 3.2), dpi=80):
    """The reference: draw on a fresh figure, as a reader's own code would."""
    fig = Figure(figsize=figsize, layout="constrained")
    draw_bars(fig.subplots(), height, colour)
    return png_pixels(figure_to_png(fig, dpi=dpi))


def full_colour(draw, *args, figsize=(6.0, 3.2), dpi=80, **kwargs):
    """The reference for a live frame: a fresh figure, laid out, drawn by Agg,
    with no palette reduction (savefig's pixels, before PNG encoding)."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    draw(fig.subplots(), *args, **kwargs)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3]


def frame_at(html_text, position):
    """Decode the frame a static explorer shows for a control position."""
    data = json.loads(re.search(r'class="explorer-data">(.*?)</script>', html_text).group(1))
    flat = 0
    for p, s in zip(position, data["sizes"]):
        flat = flat * s + p
    return png_pixels(base64.b64decode(data["frames"][data["index"][flat]]))


def inputs(ex):
    """The control widgets, found in the widget tree as a reader sees it."""
    return dict(zip(ex.controls, ex.widget().children[0].children))


@pytest.fixture
def vanishing(monkeypatch):
    """A draw that pickles here but cannot be imported in a worker: its
    module exists only in this process's sys.modules."""
    module = types.ModuleType("vanishing_draws")

    def draw(ax, height, colour):
        draw_bars(ax, height, colour)
    draw.__module__, draw.__qualname__ = module.__name__, "draw"
    module.draw = draw
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return draw


@pytest.fixture
def no_fork(monkeypatch):
    """Fail if anything forks this (threaded) process.  Starting a process
    by fork + exec (``_posixsubprocess``, as forkserver and spawn do) is
    safe and stays allowed."""
    def refuse(*args, **kwargs):
        raise AssertionError("os.fork called in a threaded process")
    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(os, "forkpty", refuse)


class TestControls:
    def test_slider_grid(self):
        assert Slider(-1.0, 1.0, 0.5).values() == (-1.0, -0.5, 0.0, 0.5, 1.0)

    def test_slider_snaps(self):
        assert Slider(0.0, 1.0, 0.1).snap(0.3000000004) == 0.3

    def test_slider_rejects_uneven_range(self):
        with pytest.raises(ValueError, match="whole number of steps"):
            Slider(0.0, 1.0, 0.3)

    def test_slider_rejects_bad_step(self):
        with pytest.raises(ValueError, match="step must be positive"):
            Slider(0.0, 1.0, 0.0)

    def test_steps_must_increase(self):
        with pytest.raises(ValueError, match="increase"):
            Steps([1.0, 0.5])

    def test_choice_value_must_be_an_option(self):
        with pytest.raises(ValueError, match="not one of"):
            Choice(["a", "b"], value="c")

    def test_integer_steps_stay_integers(self):
        assert Steps([0, 10, 100]).values() == (0, 10, 100)
        assert all(isinstance(v, int) for v in Steps([0, 10, 100]).values())
        assert Steps([0.5, 1.0]).values() == (0.5, 1.0)


class TestExplorerValidation:
    def test_draw_must_be_callable(self):
        with pytest.raises(TypeError, match="draw must be callable"):
            Explorer("not a function", {"x": Slider(0, 1, 1)}, alt="x")

    def test_alt_text_required(self):
        with pytest.raises(ValueError, match="alt"):
            Explorer(draw_bars, {"height": Slider(0, 1, 1)}, alt="  ")

    def test_control_type(self):
        with pytest.raises(TypeError, match=r"controls\['height'\]"):
            Explorer(draw_bars, {"height": (0, 1)}, alt="x")

    def test_frame_budget(self):
        with pytest.raises(ValueError, match="max_frames"):
            Explorer(draw_bars, {"height": Slider(0, 1, 0.001)}, alt="x", max_frames=100)

    def test_unknown_control(self):
        with pytest.raises(ValueError, match="unknown control 'width'"):
            make_explorer().set(width=1.0)


class TestSpec:
    """The description is a plain value: immutable, comparable, picklable."""

    def spec(self, **kw):
        return ExplorerSpec(draw_bars, CONTROLS, alt="Two bars.", **kw)

    def test_fields_cannot_be_reassigned(self):
        with pytest.raises(dataclasses.FrozenInstanceError):
            self.spec().alt = "Three bars."

    def test_controls_are_read_only_and_copied(self):
        controls = dict(CONTROLS)
        spec = ExplorerSpec(draw_bars, controls, alt="Two bars.")
        with pytest.raises(TypeError):
            spec.controls["width"] = Slider(0, 1, 1)
        controls["width"] = Slider(0, 1, 1)      # the caller's dict is not the spec's
        assert list(spec.controls) == ["height", "colour"]

    def test_pickle_round_trip(self):
        spec = self.spec(caption="Caption.", subplots=(1, 1), dpi=60)
        again = pickle.loads(pickle.dumps(spec))
        assert again == spec and again.controls == spec.controls

    def test_combos_in_grid_order(self):
        assert [(v["height"], v["colour"]) for v in self.spec().combos()] == EVERY

    def test_combos_nearest_first(self):
        combos = self.spec().combos(near={"height": 1.0, "colour": "tab:orange"})
        assert (combos[0]["height"], combos[0]["colour"]) == (1.0, "tab:orange")
        steps = [abs(4 - int(v["height"] / 0.25)) + (v["colour"] == "tab:blue") for v in combos]
        assert steps == sorted(steps) and sorted(map(tuple, (d.values() for d in combos))) \
            == sorted(EVERY)

    def test_only_importable_draws_can_be_drawn_elsewhere(self):
        assert frames.drawable_elsewhere(self.spec())
        notebook = ExplorerSpec(notebook_draw([]), CONTROLS, alt="Two bars.")
        assert not frames.drawable_elsewhere(notebook)

    def test_the_explorer_keeps_its_spec(self):
        ex = make_explorer(caption="Caption.")
        assert ex.spec == ExplorerSpec(draw_bars, CONTROLS, alt="Two bars.", caption="Caption.")
        assert ex.draw is draw_bars and ex.num_frames == len(EVERY)
        assert (ex.alt, ex.caption, ex.subplots, ex.figsize, ex.dpi, ex.max_frames) == \
            ("Two bars.", "Caption.", (1, 1), (6.0, 3.2), 80, 400)
        with pytest.raises(AttributeError):
            ex.draw = draw_wide_ticks


class TestRendering:
    def test_render_matches_direct_call(self):
        ex = make_explorer()
        got = png_pixels(ex.render(height=0.25, colour="tab:orange"))
        np.testing.assert_array_equal(got, direct(0.25, "tab:orange"))

    def test_different_values_give_different_frames(self):
        ex = make_explorer()
        a = png_pixels(ex.render(height=0.25, colour="tab:blue"))
        b = png_pixels(ex.render(height=0.75, colour="tab:blue"))
        assert a.shape == b.shape and not np.array_equal(a, b)

    def test_frames_are_deduplicated(self):
        def draw_constant(ax, x):
            ax.plot([0, 1], [0, 1])
        ex = Explorer(draw_constant, {"x": Slider(0, 4, 1)}, alt="A line.")
        images, index = ex.frames()
        assert len(images) == 1 and index == [0] * 5


class TestLiveWidget:
    """Set the controls programmatically, as a reader's drag would."""

    def test_widget_follows_set(self):
        ex = make_explorer()
        ex.widget()
        ex.set(height=0.75, colour="tab:orange")
        assert [w.value for w in inputs(ex).values()] == [0.75, "tab:orange"]
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_bars, 0.75, "tab:orange"))

    def test_moving_a_widget_redraws(self):
        ex = make_explorer()
        controls = inputs(ex)
        controls["height"].value = 1.0
        controls["colour"].value = "tab:orange"
        assert ex.values == {"height": 1.0, "colour": "tab:orange"}
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_bars, 1.0, "tab:orange"))

    def test_set_redraws_once(self):
        calls = []
        ex = make_explorer(notebook_draw(calls))
        ex.widget()
        ex.set(height=0.75, colour="tab:orange")
        assert [c[:2] for c in calls] == [(0.5, "tab:blue"), (0.75, "tab:orange")]

    def test_no_state_on_the_widgets(self):
        """The boxes carry exactly the attributes of boxes built by hand."""
        box = make_explorer().widget()
        bare = ipywidgets.VBox(list(box.children))
        assert set(vars(box)) == set(vars(bare))
        row = box.children[0]
        assert set(vars(row)) == set(vars(ipywidgets.HBox(list(row.children))))

    def test_live_frame_is_the_static_frame_in_full_colour(self):
        """The static frame is the live one reduced to 128 colours: nearly
        the same pixels (anti-aliased edges move to the nearest palette
        colour), the same size, and far from any other frame."""
        ex = make_explorer()
        ex.widget()
        ex.set(height=0.25)
        live = png_pixels(ex.image).astype(int)
        static = png_pixels(ex.render(height=0.25, colour="tab:blue")).astype(int)
        other = png_pixels(ex.render(height=0.75, colour="tab:blue")).astype(int)
        assert live.shape == static.shape
        assert np.abs(live - static).mean() < 0.5
        assert np.abs(live - other).mean() > 5 * np.abs(live - static).mean()

    def test_float_slider_noise_is_snapped(self):
        ex = make_explorer()
        inputs(ex)["height"].value = 0.2500000001
        assert ex.values["height"] == 0.25

    def test_mimebundle_in_a_kernel_has_the_widget(self, monkeypatch):
        monkeypatch.delenv(FRAMES_ENV, raising=False)
        bundle = make_explorer()._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert "Run this notebook" in bundle["text/html"]


def draw_wide_ticks(ax, digits):
    """A y tick label `digits` digits wide: its room grows with it."""
    ax.plot([0, 1], [0, 1])
    ax.set_yticks([0, 1], ["0", "9" * digits])
    ax.set_title(f"{digits} digits")


def draw_maybe_colourbar(ax, cmap, bar):
    """An image, with a colour bar (a second axes) when `bar` is "yes"."""
    image = ax.imshow(np.arange(12.0).reshape(3, 4), cmap=cmap)
    if bar == "yes":
        ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title("image")


class TestLiveLayout:
    """The live view keeps the last layout only while everything fits in it."""

    def test_a_label_that_grows_gets_a_fresh_layout(self):
        ex = Explorer(draw_wide_ticks, {"digits": Steps([1, 12], value=1)}, alt="Ticks.")
        ex.widget()
        ex.set(digits=12)  # the kept layout would clip the wide label
        np.testing.assert_array_equal(png_pixels(ex.image), full_colour(draw_wide_ticks, 12))

    def test_a_label_that_shrinks_keeps_the_layout_and_fits(self):
        ex = Explorer(draw_wide_ticks, {"digits": Steps([1, 12], value=12)}, alt="Ticks.")
        ex.widget()
        canvas = ex._live._canvas
        kept = [box.bounds for box in canvas.positions]
        ex.set(digits=1)
        fig = canvas.figure
        assert [ax.get_position(original=True).bounds for ax in fig.axes] == kept
        renderer = canvas.canvas.get_renderer()
        inside = fig.bbox
        for ax in fig.axes:
            box = ax.get_tightbbox(renderer)
            assert inside.x0 <= box.x0 and box.x1 <= inside.x1
            assert inside.y0 <= box.y0 and box.y1 <= inside.y1

    def test_colour_bar_keeps_its_place(self):
        ex = Explorer(draw_maybe_colourbar,
                      {"cmap": Choice(["viridis", "magma"]), "bar": Choice(["yes", "no"])},
                      alt="An image.")
        ex.widget()
        ex.set(cmap="magma")        # same axes and labels: the kept layout
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_maybe_colourbar, "magma", "yes"))
        ex.set(bar="no")            # one axes fewer: a fresh layout
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_maybe_colourbar, "magma", "no"))
        ex.set(bar="yes")
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_maybe_colourbar, "magma", "yes"))

    def test_frames_are_remembered(self, monkeypatch):
        monkeypatch.setenv("HELPERS_EXPLORER_AHEAD", "0")
        calls = []
        ex = make_explorer(notebook_draw(calls))
        first = ex.image
        inputs(ex)["height"].value = 1.0
        inputs(ex)["height"].value = 0.5
        assert ex.image == first
        assert [c[:2] for c in calls] == [(0.5, "tab:blue"), (1.0, "tab:blue")]


def every_frame_matches(ex):
    """Visit every combination through the widgets: each frame must equal
    a fresh full-colour drawing of its values."""
    controls = inputs(ex)
    for height, colour in EVERY:
        controls["height"].value = height
        controls["colour"].value = colour
        np.testing.assert_array_equal(png_pixels(ex.image), full_colour(draw_bars, height, colour))


class TestDrawAhead:
    """After the reader's first move the other frames are drawn elsewhere:
    in a worker process when the draw can be imported there, else in a
    background thread.  Neither forks this process."""

    def test_an_importable_draw_is_drawn_in_a_worker_process(self, monkeypatch, no_fork):
        monkeypatch.delenv("HELPERS_EXPLORER_AHEAD", raising=False)
        CALLS.clear()
        ex = make_explorer(counted_bars)
        inputs(ex)["height"].value = 0.75
        assert ex._live.ahead.wait(timeout=120)
        assert ex._live._background.where == "process"
        assert len(ex._live.frames) == ex.num_frames
        assert [c[:2] for c in CALLS] == [(0.5, "tab:blue"), (0.75, "tab:blue")]
        every_frame_matches(ex)
        assert len(CALLS) == 2        # every other frame came from the worker

    def test_a_notebook_draw_is_drawn_in_a_thread(self, monkeypatch, no_fork):
        monkeypatch.delenv("HELPERS_EXPLORER_AHEAD", raising=False)
        calls = []
        ex = make_explorer(notebook_draw(calls))
        inputs(ex)["height"].value = 0.75
        assert ex._live.ahead.wait(timeout=120)
        assert ex._live._background.where == "thread"
        assert len(ex._live.frames) == ex.num_frames
        reader = threading.get_ident()
        assert [c[:2] for c in calls if c[2] == reader] == [(0.5, "tab:blue"), (0.75, "tab:blue")]
        assert len([c for c in calls if c[2] != reader]) == ex.num_frames - 2
        drawn = len(calls)
        every_frame_matches(ex)
        assert len(calls) == drawn    # nothing left to draw

    def test_the_thread_waits_while_the_reader_moves(self, monkeypatch):
        monkeypatch.delenv("HELPERS_EXPLORER_AHEAD", raising=False)
        monkeypatch.setattr(frames, "IDLE_S", 60.0)
        calls = []
        ex = make_explorer(notebook_draw(calls))
        inputs(ex)["height"].value = 0.75     # starts the thread, which must wait
        time.sleep(0.5)
        reader = threading.get_ident()
        assert all(c[2] == reader for c in calls) and not ex._live.ahead.is_set()
        monkeypatch.setattr(frames, "IDLE_S", 0.0)
        assert ex._live.ahead.wait(timeout=120)
        assert len(ex._live.frames) == ex.num_frames

    def test_a_worker_that_cannot_start_leaves_it_to_a_thread(self, monkeypatch, vanishing):
        monkeypatch.delenv("HELPERS_EXPLORER_AHEAD", raising=False)
        ex = make_explorer(vanishing)
        inputs(ex)["height"].value = 0.75
        assert ex._live._background.where == "process"
        assert ex._live.ahead.wait(timeout=120)
        assert len(ex._live.frames) == ex.num_frames
        every_frame_matches(ex)

    def test_drawing_ahead_can_be_turned_off(self, monkeypatch):
        monkeypatch.setenv("HELPERS_EXPLORER_AHEAD", "0")
        ex = make_explorer()
        inputs(ex)["height"].value = 0.75
        assert ex._live.ahead is None
        assert len(ex._live.frames) == 2


class TestStaticHTML:
    def test_every_frame_matches_a_direct_call(self):
        page = make_explorer().to_html()
        heights = Slider(0.0, 1.0, 0.25).values()
        for i, h in enumerate(heights):
            for j, c in enumerate(["tab:blue", "tab:orange"]):
                np.testing.assert_array_equal(frame_at(page, (i, j)), direct(h, c))

    def test_build_mimebundle_has_all_frames_and_no_widget(self, monkeypatch):
        monkeypatch.setenv(FRAMES_ENV, "all")
        bundle = make_explorer()._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" not in bundle
        data = json.loads(re.search(r'class="explorer-data">(.*?)</script>',
                                    bundle["text/html"]).group(1))
        assert len(data["index"]) == 10

    def test_controls_are_labelled(self):
        page = make_explorer().to_html()
        for cid in re.findall(r'<(?:input|select) [^>]*id="([^"]+)"', page):
            assert f'<label for="{cid}">' in page

    def test_no_network_references(self):
        page = make_explorer(caption="Caption.").to_html()
        assert "http://" not in page and "https://" not in page
        assert "<figcaption" in page

    def test_initial_frame_is_current_values(self):
        ex = make_explorer()
        ex.set(height=1.0)
        page = ex.to_html()
        first = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
        np.testing.assert_array_equal(png_pixels(base64.b64decode(first)),
                                      direct(1.0, "tab:blue"))
        assert 'alt="Two bars. Showing height = 1.0, colour = tab:blue."' in page


class TestParallelFrames:
    """The static frames of a big explorer are drawn by worker processes
    when the draw can be imported there, else here; the bytes are the same."""

    FINE = {"height": Slider(0.0, 1.0, 0.05), "colour": Choice(["tab:blue", "tab:orange"])}

    @pytest.fixture
    def pools(self, monkeypatch):
        """The worker pools started, by their number of workers."""
        started, real = [], frames._pool

        def spy(spec, canvas, workers, **kw):
            started.append(workers)
            return real(spec, canvas, workers, **kw)
        monkeypatch.setattr(frames, "_pool", spy)
        return started

    def test_worker_frames_equal_serial_frames(self, monkeypatch, pools, no_fork):
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "2")
        parallel = Explorer(draw_bars, self.FINE, alt="Two bars.").frames()
        assert pools == [2]
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "1")
        assert parallel == Explorer(draw_bars, self.FINE, alt="Two bars.").frames()
        assert pools == [2]

    def test_a_notebook_draw_is_drawn_here(self, monkeypatch, pools, no_fork):
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "2")
        calls = []
        images, index = Explorer(notebook_draw(calls), self.FINE, alt="Two bars.").frames()
        assert pools == [] and len(calls) == len(index) == 42
        assert images == Explorer(draw_bars, self.FINE, alt="Two bars.").frames()[0]

    def test_workers_that_cannot_start_leave_it_to_this_process(self, monkeypatch, pools,
                                                                vanishing):
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "2")
        images, index = Explorer(vanishing, self.FINE, alt="Two bars.").frames()
        assert pools == [2]
        assert (images, index) == Explorer(notebook_draw([]), self.FINE, alt="Two bars.").frames()

    def test_bad_process_count(self, monkeypatch):
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "many")
        with pytest.raises(ValueError, match="HELPERS_EXPLORER_PROCESSES"):
            Explorer(draw_bars, self.FINE, alt="Two bars.").frames()


KERNEL_CELL = '''
import os, threading, tempfile, sys, pathlib
def refuse(*args, **kwargs):
    raise RuntimeError("forked")
os.fork = refuse                       # any fork of this kernel fails loudly
from helpers.explorer import Explorer, Slider, Choice
where = pathlib.Path(tempfile.mkdtemp())
(where / "importable_draw.py").write_text(
    "def draw(ax, height, colour):\\n    ax.bar([0, 1], [height, 1 - height], color=colour)\\n")
sys.path.insert(0, str(where))
from importable_draw import draw as imported
def in_cell(ax, height, colour):
    ax.bar([0, 1], [height, 1 - height], color=colour)
controls = {"height": Slider(0.0, 1.0, 0.25), "colour": Choice(["tab:blue", "tab:orange"])}
for draw in (in_cell, imported):
    ex = Explorer(draw, controls, alt="Two bars.")
    ex.widget().children[0].children[0].value = 0.5
    ex._live.ahead.wait(120)
    print(ex._live._background.where, len(ex._live.frames), threading.active_count() > 1)
'''


def test_drawing_ahead_in_a_real_kernel():
    """A Jupyter kernel is threaded: both ways of drawing ahead work there
    without forking it."""
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(KERNEL_CELL))
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert text.split("\n")[:2] == ["thread 10 True", "process 10 True"], text
