"""Tests for helpers.plotting.

Figure equality in the style of matplotlib's ``check_figures_equal``: each
test draws one figure with the helper and one by hand with plain matplotlib
calls (for the chapter plots, the code the chapter used to carry), renders
both with Agg and compares them pixel for pixel.  The tolerance is zero:
the same renderer in the same process draws both.  No baseline images are
stored.  Where an independent reference exists (the predicted class at a
grid point, the tie of two logits on a boundary) it is checked as well.
"""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from helpers.plotting import (MARKERS, PALETTE, plot_accuracy, plot_classes,
                              plot_decision_regions, plot_loss, plot_probs)


def pixels(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def assert_figures_equal(fig_test, fig_ref):
    """The two figures render to the same pixels, and not to a blank page."""
    test, ref = pixels(fig_test), pixels(fig_ref)
    assert (test[..., :3] != 255).any(), "the helper drew nothing"
    assert test.shape == ref.shape
    different = np.any(test != ref, axis=-1)
    assert not different.any(), f"{different.sum()} pixels differ"


@pytest.fixture
def figs():
    """A figure for the helper and one for the hand-drawn reference."""
    return (Figure(figsize=(5.0, 3.5), dpi=72, layout="constrained"),
            Figure(figsize=(5.0, 3.5), dpi=72, layout="constrained"))


@pytest.fixture
def curves():
    """A falling loss and two rising accuracies, 201 steps (seeded)."""
    rng = np.random.default_rng(0)
    steps = np.arange(201)
    loss = 0.2 + 0.9 * np.exp(-steps / 15) + 0.01 * rng.random(201)
    train = np.minimum(0.95, 0.6 + 0.05 * steps)
    test = train - 0.01 * rng.random(201)
    return loss, train, test


def blobs(seed=0, n=60):
    """Three clouds in the plane, as training.make_blobs3 makes them."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 2.0], [-1.73, -1.0], [1.73, -1.0]])
    labels = np.repeat(np.arange(3), n)
    return centres[labels] + rng.normal(size=(3 * n, 2)), labels


WEIGHTS = (np.array([[0.02, -1.36, 1.34], [1.54, -0.75, -0.78]]),   # (D, C)
           np.array([0.1, -0.05, -0.05]))                            # (C,)


def scatter_by_hand(ax, X, labels, names=None, **options):
    """The chapter's former scatter_classes."""
    for k in range(int(labels.max()) + 1):
        name = names[k] if names is not None else f"class {k}"
        ax.scatter(*X[labels == k].T, s=16, marker=MARKERS[k], color=PALETTE[k],
                   edgecolor="white", linewidth=0.4, label=name, **options)


def regions_by_hand(ax, W, b, X, labels, *, names=None, lims=None, resolution=200):
    """The chapter's former draw_regions, for three classes."""
    if lims is None:
        lo, hi = X.min(axis=0) - 0.8, X.max(axis=0) + 0.8
        lims = (lo[0], hi[0]), (lo[1], hi[1])
    (x0, x1), (y0, y1) = lims
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = (np.column_stack([gx.ravel(), gy.ravel()]) @ W + b).reshape(*gx.shape, -1)
    ax.pcolormesh(gx, gy, Z.argmax(axis=-1), cmap=ListedColormap(PALETTE[:3]),
                  vmin=0, vmax=2, alpha=0.22, shading="auto")
    top = Z.max(axis=-1)
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        on_top = np.maximum(Z[..., i], Z[..., j]) >= top
        gap = np.ma.masked_where(~on_top, Z[..., i] - Z[..., j])
        if gap.count() and gap.min() < 0 < gap.max():
            ax.contour(gx, gy, gap, levels=[0.0], colors="black", linewidths=1.0)
    scatter_by_hand(ax, X, labels, names)
    ax.set(xlim=(x0, x1), ylim=(y0, y1))


class TestFigureComparison:
    def test_a_difference_is_caught(self, figs, curves):
        """The comparison is not blind: one missing reference line fails it."""
        fig_test, fig_ref = figs
        plot_loss(curves[0], num_classes=3, ax=fig_test.subplots())
        plot_loss(curves[0], ax=fig_ref.subplots())
        with pytest.raises(AssertionError, match="pixels differ"):
            assert_figures_equal(fig_test, fig_ref)

    def test_a_blank_figure_is_caught(self, figs):
        with pytest.raises(AssertionError, match="drew nothing"):
            assert_figures_equal(Figure(), Figure())


class TestPlotLoss:
    def test_matches_the_chapter_plot(self, figs, curves):
        fig_test, fig_ref = figs
        loss = curves[0]
        plot_loss(loss, num_classes=3, ylim=(0, 1.2), ax=fig_test.subplots())
        ax = fig_ref.subplots()
        ax.plot(loss, color=PALETTE[0])
        ax.axhline(np.log(3), color="0.5", ls=":", lw=1)
        ax.text(200, np.log(3), "log 3", ha="right", va="bottom", fontsize=8)
        ax.set(xlabel="step", ylabel="loss", ylim=(0, 1.2), title="loss")
        assert_figures_equal(fig_test, fig_ref)

    def test_options_style_the_curve(self, figs, curves):
        fig_test, fig_ref = figs
        plot_loss(curves[0], title=None, color="0.8", lw=1, ax=fig_test.subplots())
        ax = fig_ref.subplots()
        ax.plot(curves[0], color="0.8", lw=1)
        ax.set(xlabel="step", ylabel="loss")
        assert_figures_equal(fig_test, fig_ref)

    @pytest.mark.parametrize("num_classes, error", [(1, ValueError), (True, TypeError),
                                                    (2.0, TypeError)])
    def test_bad_num_classes(self, num_classes, error):
        with pytest.raises(error, match="num_classes"):
            plot_loss([1.0, 0.5], num_classes=num_classes, ax=Figure().subplots())

    @pytest.mark.parametrize("loss", [[], [[1.0, 0.5]]])
    def test_loss_must_be_a_curve(self, loss):
        with pytest.raises(ValueError, match="loss must be a non-empty 1-D"):
            plot_loss(loss, ax=Figure().subplots())


class TestPlotAccuracy:
    def test_matches_the_chapter_plot(self, figs, curves):
        fig_test, fig_ref = figs
        _, train, test = curves
        plot_accuracy({"training": train, "test": test}, ylim=(0.5, 1.0),
                      ax=fig_test.subplots())
        ax = fig_ref.subplots()
        ax.plot(train, color=PALETTE[0], label="training")
        ax.plot(test, color=PALETTE[1], ls="--", label="test")
        ax.set(xlabel="step", ylabel="accuracy", ylim=(0.5, 1.0), title="accuracy")
        ax.legend(loc="lower right", fontsize=8)
        assert_figures_equal(fig_test, fig_ref)

    def test_empty_mapping(self):
        with pytest.raises(ValueError, match="curves must be a non-empty mapping"):
            plot_accuracy({}, ax=Figure().subplots())

    def test_each_curve_is_checked(self):
        with pytest.raises(ValueError, match=r"curves\['test'\]"):
            plot_accuracy({"training": [0.5], "test": [[0.5]]}, ax=Figure().subplots())


def test_the_loss_and_accuracy_pair(curves):
    """The pair of chapter 7, both axes in one figure, as the chapter drew it."""
    loss, train, test = curves
    fig_test = Figure(figsize=(8.4, 3.2), dpi=72, layout="constrained")
    ax_loss, ax_acc = fig_test.subplots(1, 2)
    plot_loss(loss, num_classes=3, ylim=(0, 1.2), ax=ax_loss)
    plot_accuracy({"training": train, "test": test}, ylim=(0.5, 1.0), ax=ax_acc)
    fig_ref = Figure(figsize=(8.4, 3.2), dpi=72, layout="constrained")
    ax_loss, ax_acc = fig_ref.subplots(1, 2)
    ax_loss.plot(loss, color=PALETTE[0])
    ax_loss.axhline(np.log(3), color="0.5", ls=":", lw=1)
    ax_loss.text(200, np.log(3), "log 3", ha="right", va="bottom", fontsize=8)
    ax_loss.set(xlabel="step", ylabel="loss", ylim=(0, 1.2), title="loss")
    ax_acc.plot(train, color=PALETTE[0], label="training")
    ax_acc.plot(test, color=PALETTE[1], ls="--", label="test")
    ax_acc.set(xlabel="step", ylabel="accuracy", ylim=(0.5, 1.0), title="accuracy")
    ax_acc.legend(loc="lower right", fontsize=8)
    assert_figures_equal(fig_test, fig_ref)


class TestPlotClasses:
    def test_matches_the_chapter_plot(self, figs):
        fig_test, fig_ref = figs
        X, labels = blobs()
        plot_classes(X, labels, ax=fig_test.subplots()).legend()
        ax = fig_ref.subplots()
        scatter_by_hand(ax, X, labels)
        ax.legend()
        assert_figures_equal(fig_test, fig_ref)

    def test_options_override_the_defaults(self, figs):
        """The chapter's test flowers: bigger, outlined in black, one legend entry."""
        fig_test, fig_ref = figs
        X, labels = blobs()
        plot_classes(X, labels, names=["test", None, None], s=22, edgecolor="black",
                     linewidth=0.8, ax=fig_test.subplots()).legend()
        ax = fig_ref.subplots()
        for k in range(3):
            ax.scatter(*X[labels == k].T, s=22, marker=MARKERS[k], color=PALETTE[k],
                       edgecolor="black", linewidth=0.8, label="test" if k == 0 else None)
        ax.legend()
        assert_figures_equal(fig_test, fig_ref)

    def test_names_and_shapes_are_checked(self):
        ax = Figure().subplots()
        with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
            plot_classes(np.zeros((4, 3)), [0, 1, 2, 0], ax=ax)
        with pytest.raises(ValueError, match="labels must be 4 integer classes"):
            plot_classes(np.zeros((4, 2)), [0.0, 1.0, 1.0, 0.0], ax=ax)
        with pytest.raises(ValueError, match="names must have at least 3"):
            plot_classes(np.zeros((3, 2)), [0, 1, 2], names=["a", "b"], ax=ax)


class TestPlotDecisionRegions:
    def test_matches_the_chapter_plot(self, figs):
        fig_test, fig_ref = figs
        X, labels = blobs()
        W, b = WEIGHTS
        plot_decision_regions(W, b, X, labels, ax=fig_test.subplots())
        regions_by_hand(fig_ref.subplots(), W, b, X, labels)
        assert_figures_equal(fig_test, fig_ref)

    def test_matches_with_limits_and_names(self, figs):
        fig_test, fig_ref = figs
        X, labels = blobs(seed=1)
        W, b = WEIGHTS
        lims = ((-5, 5), (-5, 5.5))
        names = ["top", "left", "right"]
        plot_decision_regions(W, b, X, labels, names=names, lims=lims,
                              ax=fig_test.subplots()).legend()
        ax = fig_ref.subplots()
        regions_by_hand(ax, W, b, X, labels, names=names, lims=lims)
        ax.legend()
        assert_figures_equal(fig_test, fig_ref)

    def test_regions_are_the_predicted_classes(self):
        """Independent reference: the class of each grid point, one at a time."""
        W, b = WEIGHTS
        X, labels = blobs()
        ax = plot_decision_regions(W, b, X, labels, lims=((-4, 4), (-3, 5)), resolution=25,
                                   ax=Figure().subplots())
        shown = np.asarray(ax.collections[0].get_array()).reshape(25, 25)
        for row, y in enumerate(np.linspace(-3, 5, 25)):
            for col, x in enumerate(np.linspace(-4, 4, 25)):
                logits = [x * W[0, c] + y * W[1, c] + b[c] for c in range(3)]
                assert shown[row, col] == int(np.argmax(logits))

    def test_boundaries_are_ties_of_the_top_two_logits(self):
        """Every vertex of every black line is a point where the two largest
        logits are equal.  Contour interpolates linearly between grid points,
        which is exact for the linear logits up to rounding: tolerance 1e-9."""
        W, b = WEIGHTS
        X, labels = blobs()
        ax = plot_decision_regions(W, b, X, labels, ax=Figure().subplots())
        lines = [path for c in ax.collections if isinstance(c, ContourSet)
                 for path in c.get_paths() if len(path.vertices)]
        assert len(lines) == 3       # three boundaries meet near the centre
        for path in lines:
            top2 = np.sort(path.vertices @ W + b, axis=1)[:, -2:]
            np.testing.assert_allclose(top2[:, 1], top2[:, 0], rtol=0, atol=1e-9)

    def test_four_classes(self):
        W = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])
        X = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
        ax = plot_decision_regions(W, np.zeros(4), X, [0, 1, 2, 3], resolution=9,
                                   ax=Figure().subplots())
        assert set(np.unique(ax.collections[0].get_array())) == {0, 1, 2, 3}

    @pytest.mark.parametrize("W, b, match", [
        (np.zeros((3, 3)), np.zeros(3), r"W must have shape \(2, C\)"),
        (np.zeros((2, 1)), np.zeros(1), r"W must have shape \(2, C\)"),
        (np.zeros((2, 3)), np.zeros(2), r"b must have shape \(3,\)"),
    ])
    def test_shapes_are_checked(self, W, b, match):
        with pytest.raises(ValueError, match=match):
            plot_decision_regions(W, b, np.zeros((2, 2)), [0, 1], ax=Figure().subplots())

    def test_resolution_is_checked(self):
        with pytest.raises(ValueError, match="resolution"):
            plot_decision_regions(*WEIGHTS, np.zeros((2, 2)), [0, 1], resolution=1,
                                  ax=Figure().subplots())


class TestPlotProbs:
    def test_matches_a_plain_bar_chart(self, figs):
        fig_test, fig_ref = figs
        probs = [0.2, 0.7, 0.1]
        plot_probs(probs, highlight=1, title="p", ax=fig_test.subplots())
        ax = fig_ref.subplots()
        bars = ax.bar(np.arange(3), probs, color=list(PALETTE[:3]))
        bars[1].set_edgecolor("black")
        bars[1].set_linewidth(2.5)
        for k, p in enumerate(probs):
            ax.text(k, p + 0.02, f"{p:.3f}", ha="center", va="bottom", fontsize=9)
        ax.set_xticks(np.arange(3), ["class 0", "class 1", "class 2"])
        ax.set(ylim=(0, 1.12), ylabel="probability", title="p")
        assert_figures_equal(fig_test, fig_ref)


@pytest.mark.parametrize("plot, args", [
    (plot_loss, ([1.0, 0.5],)),
    (plot_accuracy, ({"training": [0.5, 0.9]},)),
    (plot_classes, (np.zeros((2, 2)), [0, 1])),
    (plot_decision_regions, (*WEIGHTS, np.zeros((2, 2)), [0, 1])),
    (plot_probs, ([0.5, 0.5],)),
])
def test_without_ax_a_new_figure_and_the_current_axes_untouched(plot, args):
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.switch_backend("Agg")
    try:
        current = plt.figure().add_subplot()
        ax = plot(*args)
        assert ax.figure is not current.figure and ax.has_data()
        assert not current.has_data() and not current.texts and not current.patches
    finally:
        plt.close("all")


class TestPlotWeightImages:
    def test_matches_plain_imshow(self, figs):
        """Each panel is imshow of one reshaped column, on one scale
        symmetric about 0 taken from the largest |W|."""
        from helpers.plotting import plot_weight_images
        W = np.random.default_rng(0).normal(size=(12, 3))      # 3 x 4 images
        fig_test, fig_ref = figs
        plot_weight_images(W, image_shape=(3, 4), names=["a", "b", "c"],
                           axes=fig_test.subplots(1, 3))
        vmax = np.abs(W).max()
        for k, ax in enumerate(fig_ref.subplots(1, 3)):
            ax.imshow(W[:, k].reshape(3, 4), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set(xticks=[], yticks=[])
            ax.set_title("abc"[k], fontsize=9)
        assert_figures_equal(fig_test, fig_ref)

    def test_pixels_are_in_row_major_order_and_scale_shared(self):
        from helpers.plotting import plot_weight_images
        W = np.arange(128, dtype=float).reshape(64, 2) - 60.0
        axes = plot_weight_images(W, axes=Figure().subplots(2, 2))
        image = axes[1].images[0].get_array()
        assert image[0, 1] == W[1, 1] and image[1, 0] == W[8, 1]
        assert all(ax.images[0].get_clim() == (-67.0, 67.0) for ax in axes)
        assert len(axes) == 2

    def test_extra_axes_switched_off(self):
        from helpers.plotting import plot_weight_images
        grid = Figure().subplots(2, 3)
        plot_weight_images(np.ones((4, 5)), image_shape=(2, 2), axes=grid)
        assert not grid[1, 2].axison and grid[1, 1].axison

    @pytest.mark.parametrize("W, options, match", [
        (np.ones(64), {}, "2-D array"),
        (np.ones((63, 10)), {}, "holds 64 pixels"),
        (np.ones((4, 2)), {"image_shape": (2, 0)}, "two positive ints"),
        (np.ones((4, 2)), {"image_shape": (2, 2), "names": ["a"]}, "one title per class"),
        (np.full((4, 2), np.nan), {"image_shape": (2, 2)}, "finite"),
    ])
    def test_bad_input(self, W, options, match):
        from helpers.plotting import plot_weight_images
        with pytest.raises(ValueError, match=match):
            plot_weight_images(W, axes=Figure().subplots(1, 2), **options)

    def test_too_few_axes(self):
        from helpers.plotting import plot_weight_images
        with pytest.raises(ValueError, match="at least 3 Axes"):
            plot_weight_images(np.ones((4, 3)), image_shape=(2, 2),
                               axes=Figure().subplots(1, 2))


class TestPlotReliability:
    @staticmethod
    def model():
        rng = np.random.default_rng(0)
        z = rng.normal(scale=2.0, size=(500, 3))
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return probs, rng.integers(0, 3, size=500)

    def test_matches_a_hand_drawn_diagram(self, figs):
        from helpers.plotting import plot_reliability
        probs, labels = self.model()
        fig_test, fig_ref = figs
        plot_reliability(probs, labels, n_bins=10, ax=fig_test.subplots(), title="t")
        ax = fig_ref.subplots()
        conf, pred = probs.max(axis=1), probs.argmax(axis=1)
        left, accs, confs = [], [], []
        for m in range(10):
            inside = (conf > m / 10) & (conf <= (m + 1) / 10)
            if inside.any():
                left.append(m / 10)
                accs.append(np.mean(pred[inside] == labels[inside]))
                confs.append(conf[inside].mean())
        ax.bar(left, accs, width=0.1, align="edge", color=PALETTE[0],
               edgecolor="white", label="accuracy")
        ax.bar(left, confs, width=0.1, align="edge", fill=False,
               edgecolor=PALETTE[3], lw=1.2, label="confidence")
        ax.plot([0, 1], [0, 1], "k--", lw=1)
        ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="confidence",
               ylabel="accuracy", title="t")
        ax.legend(loc="upper left", fontsize=8)
        assert_figures_equal(fig_test, fig_ref)

    def test_bar_heights_are_the_bins_accuracies(self):
        from helpers.plotting import plot_reliability
        probs = [[0.9, 0.1], [0.95, 0.05], [0.3, 0.7], [0.4, 0.6]]
        ax = plot_reliability(probs, [0, 1, 1, 1], n_bins=4, ax=Figure().subplots())
        heights = [round(float(p.get_height()), 6) for p in ax.containers[0]]
        lefts = [round(float(p.get_x()), 6) for p in ax.containers[0]]
        assert lefts == [0.5, 0.75] and heights == [1.0, 0.5]

    def test_bad_input(self):
        from helpers.plotting import plot_reliability
        with pytest.raises(ValueError, match="probs"):
            plot_reliability([[0.5, 0.6]], [0], ax=Figure().subplots())
