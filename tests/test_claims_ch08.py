"""Claims of chapter 8 (frameworks) that its prose states in words.

Where a claim is about a framework, the reference here is a NumPy
transcription of the source the chapter names (no framework is installed):
Keras 3.16 ``keras/src/backend/tensorflow/nn.py`` (categorical and sparse
categorical cross-entropy with ``from_logits=False``), PyTorch 2
``aten/src/ATen/native/LossNLL.cpp`` (the weighted mean), TensorFlow 2.20
``tensorflow/python/ops/nn_grad.py`` (the gradient into the labels is
``-log_softmax(logits)``).  The properties checked are the chapter's
sentences; the transcriptions are checked against the true loss.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from helpers.numerics import cross_entropy, log_softmax, numerical_gradient, softmax

EPSILON = 1e-7            # keras.config.epsilon() default


def keras_dense(targets, probs):
    """TF backend, from_logits=False, no cached logits: rescale, clip, log."""
    probs = probs / np.sum(probs, axis=-1, keepdims=True)
    probs = np.clip(probs, EPSILON, 1 - EPSILON)
    return -np.sum(targets * np.log(probs), axis=-1)


def keras_sparse(labels, probs):
    """TF backend sparse: clip, log, then sparse softmax cross-entropy."""
    logits = np.log(np.clip(probs, EPSILON, 1 - EPSILON))
    return -log_softmax(logits)[np.arange(len(labels)), labels]


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=2.0, size=(50, 10))          # (N, C)
    labels = rng.integers(0, 10, size=50)                  # (N,)
    return logits, labels


def test_both_keras_paths_give_the_true_loss_on_probabilities(batch):
    """'Given probabilities, both return the true loss': the clip moves a
    loss by at most about 1e-7 relative, so rtol = 1e-5 (and the batch's
    smallest probability is checked to lie above the clip)."""
    logits, labels = batch
    probs = softmax(logits)
    assert probs.min() > EPSILON
    true = cross_entropy(logits, labels, reduction="none")
    assert_allclose(keras_dense(np.eye(10)[labels], probs), true, rtol=1e-5)
    assert_allclose(keras_sparse(labels, probs), true, rtol=1e-5)


def test_sparse_loss_of_a_negative_true_logit(batch):
    """The solution's formula: -ln 1e-7 + ln sum_c clip(z_c), and a zero
    gradient with respect to the clipped true logit (central differences,
    step 1e-6, absolute tolerance 1e-9)."""
    logits, labels = batch
    row = logits[:1].copy()
    row[0, labels[0]] = -1.0
    expected = -np.log(EPSILON) + np.log(np.clip(row, EPSILON,
                                                 1 - EPSILON).sum())
    assert_allclose(keras_sparse(labels[:1], row), [expected], rtol=1e-12)

    def loss_of_true_logit(v):
        shifted = row.copy()
        shifted[0, labels[0]] = v[0]
        return keras_sparse(labels[:1], shifted)[0]

    grad = numerical_gradient(loss_of_true_logit, np.array([-1.0]), eps=1e-6)
    assert abs(grad[0]) < 1e-9


def test_dense_and_sparse_keras_paths_differ_on_logits(batch):
    """On logits (the mistake) the TF backend's dense and sparse losses are
    different wrong numbers: they rescale and clip in opposite orders."""
    logits, labels = batch
    dense = keras_dense(np.eye(10)[labels], logits)
    sparse = keras_sparse(labels, logits)
    assert np.max(np.abs(dense - sparse)) > 0.1


def test_dense_cross_entropy_gradient_into_labels_is_minus_log_softmax(batch):
    """TensorFlow's registered gradient for the labels, -log_softmax(logits),
    is the true derivative of -sum(t * log p) in t (central differences,
    rtol 1e-6)."""
    logits, labels = batch
    targets = np.eye(10)[labels]

    def total(t):
        return -np.sum(t * log_softmax(logits))

    assert_allclose(numerical_gradient(total, targets), -log_softmax(logits),
                    rtol=1e-6, atol=1e-8)


def torch_weighted_mean_indices(per_sample, labels, weights, ignore_index=-100):
    """LossNLL.cpp, class indices: sum w_y * loss / sum w_y over kept rows."""
    keep = labels != ignore_index
    w = weights[labels[keep]]
    with np.errstate(invalid="ignore"):
        return np.sum(w * per_sample[keep]) / np.sum(w)


def test_weighted_means_differ_between_indices_and_probability_rows(batch):
    """With unequal class weights the index form divides by the total
    weight and the probability form by N, so the two differ; with equal
    weights both give the plain mean (rtol 1e-12)."""
    logits, labels = batch
    per_sample = cross_entropy(logits, labels, reduction="none")
    weights = np.linspace(0.5, 2.0, 10)
    by_weight = torch_weighted_mean_indices(per_sample, labels, weights)
    by_count = np.sum(weights[labels] * per_sample) / len(labels)
    assert abs(by_weight - by_count) > 1e-3
    ones = np.ones(10)
    assert_allclose(torch_weighted_mean_indices(per_sample, labels, ones),
                    per_sample.mean(), rtol=1e-12)


def test_all_ignored_batch_gives_nan(batch):
    """Every target equal to ignore_index: 0 / 0, nan, not 0."""
    logits, labels = batch
    per_sample = cross_entropy(logits, labels, reduction="none")
    ignored = np.full_like(labels, -100)
    assert np.isnan(torch_weighted_mean_indices(per_sample, ignored,
                                                np.ones(10)))


def test_class_major_logits_come_from_w_transpose():
    """With W of shape (D, C), W.T @ X.T is (XW).T, and W @ X.T does not
    type-check when D != C."""
    rng = np.random.default_rng(1)
    X, W = rng.normal(size=(5, 4)), rng.normal(size=(4, 3))  # (N, D), (D, C)
    assert_allclose(W.T @ X.T, (X @ W).T, rtol=1e-12)
    with pytest.raises(ValueError):
        W @ X.T


def test_double_softmax_entries_obey_the_bound_and_stay_near_a_quarter():
    """|g_j| < 2 p_j (1 - p_j) <= 1/2 entry by entry; on the chapter's random
    logits (seed 2, N = 100000, C = 10) the largest entry is about 0.25."""
    rng = np.random.default_rng(2)
    Z = rng.normal(scale=3.0, size=(100_000, 10))
    Y = rng.integers(0, 10, size=100_000)
    p = softmax(Z)
    a = softmax(p) - np.eye(10)[Y]
    g = p * (a - np.sum(p * a, axis=1, keepdims=True))
    assert np.all(np.abs(g) < 2 * p * (1 - p) + 1e-15)
    assert 0.24 < np.abs(g).max() < 0.26



# -- the double-softmax explorer (helpers.explorer.charts.double_softmax) ----

def _double(z, y):
    """The double-softmax loss LSE(p) - p_y and its gradient J (softmax(p) - e_y)."""
    p = softmax(z)
    a = softmax(p) - np.eye(len(z))[y]
    return cross_entropy(p, y), p * (a - p @ a)


def _explorer(scale, num_classes, y):
    """The explorer's logits: scale times a pattern from +1 down to -1."""
    z = scale * np.linspace(1.0, -1.0, num_classes)
    loss, grad = _double(z, y)
    right = softmax(z) - np.eye(num_classes)[y]
    return cross_entropy(z, y), loss, np.linalg.norm(right), np.linalg.norm(grad), right


@pytest.mark.parametrize("C", [2, 3, 10, 1000])
def test_double_softmax_loss_fills_the_band_of_one_nat(C):
    """ln(e + C - 1) - 1 <= L_2 <= ln(e + C - 1): both ends reached at the
    corners e_y and e_k of the simplex, and random points of the simplex and
    random logits stay inside (1e-12 for rounding)."""
    top = np.log(np.e + C - 1)
    assert cross_entropy(np.eye(C)[0], 0) == pytest.approx(top - 1, abs=1e-12)
    assert cross_entropy(np.eye(C)[1], 0) == pytest.approx(top, abs=1e-12)
    rng = np.random.default_rng(C)
    probs = rng.dirichlet(np.full(C, 0.3), size=2000)                # (N, C)
    probs = np.vstack([probs, softmax(rng.normal(scale=8.0, size=(2000, C)))])
    labels = rng.integers(0, C, size=len(probs))
    losses = cross_entropy(probs, labels, reduction="none")
    assert np.all((losses >= top - 1 - 1e-12) & (losses <= top + 1e-12))


def test_explorer_wrong_prediction_at_scale_16():
    """Three classes, the smallest logit true, scale 16: the correct loss
    about 32 with a gradient norm within 1e-6 of sqrt 2; the double-softmax
    loss within 1e-6 of the band's top, its gradient's norm below 1e-6. Ten
    classes: the double-softmax norm still below 1/100 of the correct one."""
    loss, double, norm, dnorm, _ = _explorer(16, 3, 2)
    assert loss == pytest.approx(32.0, abs=1e-3)
    assert norm == pytest.approx(np.sqrt(2), abs=1e-6)
    assert 0 < np.log(np.e + 2) - double < 1e-6 and dnorm < 1e-6
    _, _, norm, dnorm, _ = _explorer(16, 10, 9)
    assert 0 < dnorm < norm / 100


def test_explorer_right_prediction_at_scale_16():
    """Three classes, the largest logit true, scale 16: the correct loss
    below 1e-6, the double-softmax loss above the band's bottom by less than
    1e-6, and both gradients' norms below 1e-6."""
    loss, double, norm, dnorm, _ = _explorer(16, 3, 0)
    assert 0 < loss < 1e-6
    assert 0 < double - (np.log(np.e + 2) - 1) < 1e-6
    assert norm < 1e-6 and dnorm < 1e-6


def test_explorer_double_softmax_still_pushes_a_right_unsure_prediction():
    """Ten classes, the largest logit true: over the slider's scales from 4
    to 32 the double-softmax gradient's norm is more than half the correct
    one's, and below a scale of 4 it is not everywhere."""
    scales = np.geomspace(0.25, 32, 281)            # the slider's positions
    ratio = np.array([_explorer(s, 10, 0)[3] / _explorer(s, 10, 0)[2] for s in scales])
    assert np.all(ratio[scales >= 4 - 1e-9] > 0.5)
    assert np.any(ratio[scales < 4 - 1e-9] <= 0.5)


@pytest.mark.parametrize("C", [3, 10])
def test_explorer_middle_class_keeps_two_bars_at_large_scales(C):
    """The true class in the middle, at the largest scale, 32: only the top
    logit and the true one have a correct-gradient entry above 1e-3 in size,
    the same two entries as with the smallest logit true (there, the last)."""
    for y in (C // 2, C - 1):
        right = _explorer(32, C, y)[4]
        assert set(np.flatnonzero(np.abs(right) > 1e-3)) == {0, y}

# -- base-10 logarithms and the optimiser -------------------------------------

def _train(grad_scale, lr, steps, optimiser):
    """Softmax regression on a fixed batch; the loss gradient times grad_scale."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 3))
    labels = rng.integers(0, 4, size=40)
    W = np.zeros((3, 4))
    velocity, m, v = np.zeros_like(W), np.zeros_like(W), np.zeros_like(W)
    for step in range(1, steps + 1):
        p = softmax(X @ W)
        g = grad_scale * X.T @ (p - np.eye(4)[labels]) / len(X)
        if optimiser == "momentum":
            velocity = 0.9 * velocity + g
            W = W - lr * velocity
        else:                                   # Adam, PyTorch's defaults
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            m_hat, v_hat = m / (1 - 0.9**step), v / (1 - 0.999**step)
            W = W - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return W


def test_base_10_loss_is_a_smaller_learning_rate_for_gradient_descent():
    natural = _train(1.0, 0.5 / np.log(10), 200, "momentum")
    base_10 = _train(1 / np.log(10), 0.5, 200, "momentum")
    assert_allclose(base_10, natural, rtol=1e-10, atol=1e-12)
    # and not the same run as the natural loss at the same learning rate
    early = _train(1 / np.log(10), 0.5, 5, "momentum")
    assert np.abs(early - _train(1.0, 0.5, 5, "momentum")).max() > 1e-2


def test_adam_cancels_the_factor_of_a_base_10_loss():
    natural = _train(1.0, 0.01, 200, "adam")
    base_10 = _train(1 / np.log(10), 0.01, 200, "adam")
    # only Adam's epsilon (1e-8) tells them apart
    assert_allclose(base_10, natural, rtol=1e-5, atol=1e-7)
    # while a learning rate divided by ln 10 is another run
    smaller_lr = _train(1.0, 0.01 / np.log(10), 20, "adam")
    assert np.abs(smaller_lr - _train(1.0, 0.01, 20, "adam")).max() > 1e-2
