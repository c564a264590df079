"""Tests for helpers.explorer.

The reference for every frame is a direct call of the drawing function on a
figure made by hand (matplotlib's check_figures_equal idea): set the control
values, then compare pixels with a plain drawing of the same parameters.
"""

import base64
import json
import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers.explorer import (FRAMES_ENV, Choice, Explorer, Slider, Steps,
                              figure_to_png, png_pixels)


def draw_bars(ax, height, colour):
    """Two bars: one of the given height, one of height 1 - height."""
    ax.bar([0, 1], [height, 1 - height], color=colour)
    ax.set_ylim(0, 1)
    ax.set_title(f"height = {height:g}")


def make_explorer(**kw):
    return Explorer(draw_bars,
                    {"height": Slider(0.0, 1.0, 0.25, value=0.5),
                     "colour": Choice(["tab:blue", "tab:orange"])},
                    alt="Two bars.", **kw)


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
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_bars, 0.75, "tab:orange"))

    def test_moving_a_widget_redraws(self):
        ex = make_explorer()
        box = ex.widget()
        box._explorer_inputs["height"].value = 1.0
        box._explorer_inputs["colour"].value = "tab:orange"
        assert ex.values == {"height": 1.0, "colour": "tab:orange"}
        np.testing.assert_array_equal(png_pixels(ex.image),
                                      full_colour(draw_bars, 1.0, "tab:orange"))

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
        ex.widget()._explorer_inputs["height"].value = 0.2500000001
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


def counting_explorer():
    """`make_explorer`'s explorer, and the list of the draws this process makes."""
    calls = []

    def counted(ax, height, colour):
        calls.append((height, colour))
        draw_bars(ax, height, colour)

    ex = make_explorer()
    ex.draw = counted
    return ex, calls


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
        kept = [box.bounds for box in ex._live.positions]
        ex.set(digits=1)
        fig = ex._live.figure
        assert [ax.get_position(original=True).bounds for ax in fig.axes] == kept
        renderer = ex._live.canvas.get_renderer()
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

    def test_frames_are_remembered(self):
        ex, calls = counting_explorer()
        box = ex.widget()
        first = ex.image
        box._explorer_inputs["height"].value = 1.0
        box._explorer_inputs["height"].value = 0.5
        assert ex.image == first
        assert calls == [(0.5, "tab:blue"), (1.0, "tab:blue")]

    def test_frames_are_drawn_ahead_after_the_first_move(self, monkeypatch):
        monkeypatch.delenv("HELPERS_EXPLORER_AHEAD", raising=False)
        ex, calls = counting_explorer()
        box = ex.widget()
        box._explorer_inputs["height"].value = 0.75
        assert ex._live.ahead.wait(timeout=60)
        assert len(ex._live.frames) == ex.num_frames
        drawn_here = list(calls)          # the background's draws are not ours
        assert drawn_here == [(0.5, "tab:blue"), (0.75, "tab:blue")]
        for height in Slider(0.0, 1.0, 0.25).values():
            for colour in ["tab:blue", "tab:orange"]:
                box._explorer_inputs["height"].value = height
                box._explorer_inputs["colour"].value = colour
                np.testing.assert_array_equal(png_pixels(ex.image),
                                              full_colour(draw_bars, height, colour))
        assert calls == drawn_here        # every frame came from the background

    def test_drawing_ahead_can_be_turned_off(self, monkeypatch):
        monkeypatch.setenv("HELPERS_EXPLORER_AHEAD", "0")
        ex = make_explorer()
        ex.widget()._explorer_inputs["height"].value = 0.75
        assert ex._live.ahead is None
        assert len(ex._live.frames) == 2


class TestStaticHTML:
    def test_every_frame_matches_a_direct_call(self):
        ex = make_explorer()
        page = ex.to_html()
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


class TestParallelFrames:
    def explorer(self):
        return Explorer(draw_bars, {"height": Slider(0.0, 1.0, 0.05),
                                    "colour": Choice(["tab:blue", "tab:orange"])},
                        alt="Two bars.")

    def test_forked_frames_equal_serial_frames(self, monkeypatch):
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "2")
        parallel = self.explorer().frames()
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "1")
        assert parallel == self.explorer().frames()

    def test_bad_process_count(self, monkeypatch):
        monkeypatch.setenv("HELPERS_EXPLORER_PROCESSES", "many")
        with pytest.raises(ValueError, match="HELPERS_EXPLORER_PROCESSES"):
            self.explorer().frames()


def test_integer_steps_stay_integers():
    assert Steps([0, 10, 100]).values() == (0, 10, 100)
    assert all(isinstance(v, int) for v in Steps([0, 10, 100]).values())
    assert Steps([0.5, 1.0]).values() == (0.5, 1.0)
