"""Claims that the prose of chapter 1 (the softmax) makes, tested.

Each test names the sentence it guards.  The chapter's own
``softmax_vector`` is read from the chapter with jupytext, so that a change
to it is tested too.  References: closed forms in float64, central finite
differences, and the definition of Adam's update (Kingma and Ba, 2015).
"""

import ast
import warnings

import jupytext
import numpy as np
import pytest

import helpers
from tools.project import BOOK

CHAPTER = BOOK / "chapters" / "01-softmax.md"


def chapter_function(name, chapter=CHAPTER):
    """The function `name` as `chapter` defines it (its `def` only, run with
    ``np`` in scope), so that a test exercises the code the reader sees."""
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type != "code" or f"def {name}(" not in cell.source:
            continue  # (other cells may hold IPython magics, not Python)
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                namespace = {"np": np}
                exec(compile(ast.Module([node], []), str(chapter), "exec"), namespace)
                return namespace[name]
    raise LookupError(f"{chapter.name} defines no function {name!r}")


# --------------------------------------------------------------------------
# "It does not limit which probabilities the softmax can produce: every
# probability vector p with positive entries is the softmax of ln p + c."
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [-50.0, 0.0, 7.0, 300.0])
def test_softmax_reaches_every_point_inside_the_simplex(shift):
    rng = np.random.default_rng(13)
    # alpha = 0.1 puts many points near the edges, with entries down to ~1e-30.
    targets = rng.dirichlet(np.full(5, 0.1), size=500)  # (N, C)
    targets = targets[np.all(targets > 0, axis=1)]
    reached = helpers.softmax(np.log(targets) + shift)
    # ln p is rounded with a relative error u, so p_i comes back with a
    # relative error of about |ln p_i| u < 1e-13 for p_i > 1e-300.
    np.testing.assert_allclose(reached, targets, rtol=1e-12, atol=0)


def test_a_new_class_takes_its_share_from_every_class_in_proportion():
    logits = np.array([2.0, 1.0, 0.0])
    before = helpers.softmax(logits)
    after = helpers.softmax(np.append(logits, 1.5))[:3]
    # Closed form: every old probability is multiplied by S / (S + e^1.5).
    total = np.exp(logits).sum()
    np.testing.assert_allclose(after / before, total / (total + np.exp(1.5)), rtol=1e-14)


def test_red_bus_blue_bus():
    np.testing.assert_allclose(helpers.softmax(np.zeros(2)), [1 / 2, 1 / 2], rtol=1e-15)
    # With the old logits kept, the car drops from 1/2 to 1/3.
    np.testing.assert_allclose(helpers.softmax(np.zeros(3)), np.full(3, 1 / 3), rtol=1e-15)


# --------------------------------------------------------------------------
# The solution of ex-softmax-interpretation: "Gradient descent never moves
# the biases along this direction ... An optimiser that rescales each
# coordinate of the gradient, such as Adam, can drift along it."
# --------------------------------------------------------------------------


def _problem(seed=4, num_samples=40, num_features=3, num_classes=4):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(num_samples, num_features))  # (N, D)
    labels = rng.integers(num_classes, size=num_samples)  # (N,)
    weights = rng.normal(size=(num_features, num_classes))  # (D, C)
    biases = rng.normal(size=num_classes)  # (C,)
    return features, labels, weights, biases


def _bias_gradient(features, labels, weights, biases):
    logits = features @ weights + biases  # (N, C)
    return helpers.cross_entropy_grad(logits, labels).sum(axis=0)  # (C,)


def test_bias_gradient_matches_finite_differences_and_sums_to_zero():
    features, labels, weights, biases = _problem()
    grad = _bias_gradient(features, labels, weights, biases)

    def loss(b):
        return helpers.cross_entropy(features @ weights + b, labels)

    step = 1e-6
    numeric = np.array(
        [
            (loss(biases + step * e) - loss(biases - step * e)) / (2 * step)
            for e in np.eye(len(biases))
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # Each row of p - e_y sums to 0, so the sum over classes is rounding only.
    assert abs(grad.sum()) < 1e-15


def test_gradient_descent_keeps_the_mean_bias():
    features, labels, weights, biases = _problem()
    initial = biases
    for _ in range(200):
        biases = biases - 0.5 * _bias_gradient(features, labels, weights, biases)
    assert np.abs(biases - initial).max() > 0.1  # the biases did move,
    start = initial.mean()
    assert abs(biases.mean() - start) < 1e-13  # but not along the ones vector


def test_adam_can_move_the_mean_bias():
    features, labels, weights, biases = _problem()
    start = biases.mean()
    learning_rate, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8  # Adam's defaults
    first = np.zeros_like(biases)
    second = np.zeros_like(biases)
    for step in range(1, 201):
        grad = _bias_gradient(features, labels, weights, biases)
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        update = (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
        biases = biases - learning_rate * update
    # One step moves each coordinate by at most about the learning rate; the
    # mean moves by a sizeable part of that, far above rounding.
    assert abs(biases.mean() - start) > 1e-3


# --------------------------------------------------------------------------
# "softmax_vector already masks a class ... and float32 logits give float32
# probabilities"; "helpers.softmax does more: ... rejects input ... returns
# nan without a warning for a row whose logits are all -inf".
# --------------------------------------------------------------------------


def test_softmax_vector_already_masks_minus_infinity():
    softmax_vector = chapter_function("softmax_vector")
    masked = np.array([2.0, 1.0, -np.inf])
    probs = softmax_vector(masked)
    assert probs[2] == 0.0
    np.testing.assert_allclose(probs[:2], helpers.softmax(masked[:2]), rtol=1e-15)
    np.testing.assert_array_equal(probs, helpers.softmax(masked))


def test_softmax_vector_keeps_float32():
    softmax_vector = chapter_function("softmax_vector")
    logits = np.array([2.0, 1.0, -np.inf], dtype=np.float32)
    assert softmax_vector(logits).dtype == np.float32
    assert helpers.softmax(logits).dtype == np.float32


def test_all_masked_row_nan_with_and_without_a_warning():
    softmax_vector = chapter_function("softmax_vector")
    all_masked = np.full(3, -np.inf)
    with pytest.warns(RuntimeWarning):
        assert np.all(np.isnan(softmax_vector(all_masked)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isnan(helpers.softmax(all_masked)))


@pytest.mark.parametrize(
    "bad, error, word",
    [
        (np.array([1j, 2.0]), TypeError, "logits"),
        (np.zeros((3, 0)), ValueError, "logits"),
    ],
)
def test_helpers_softmax_rejects_what_it_cannot_use(bad, error, word):
    with pytest.raises(error, match=word):
        helpers.softmax(bad)
