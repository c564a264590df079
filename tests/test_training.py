"""Tests for helpers.training: softmax regression from scratch.

The gradient is checked against central differences of the loss itself
(an independent reference), and the loss against a direct evaluation of
the formula with scipy.special.logsumexp.  Training is checked against a
plain gradient-descent loop written here, and by properties: the initial
loss is near log C, a mini-batch epoch visits every example once, the
penalty makes the weights' row sums decay by (1 - lr * reg) per step.
"""

import gzip
import hashlib

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special

from helpers.numerics import numerical_gradient
from helpers.training import (
    DIGITS_PATH,
    DIGITS_SHA256,
    IRIS_PATH,
    TrainingHistory,
    accuracy,
    file_sha256,
    load_digits,
    load_iris,
    loss_and_grad,
    make_blobs3,
    predict,
    stratified_split,
    train,
)

# SHA-256 of the decoded digits as int64, 65 columns (pixels, then digit), C order.
DIGITS_DECODED_SHA256 = "e10b10289c0d9d8a1b3e6b7dfe998949029a89056e0e06dfb989924a36d75a3c"


def problem(seed=0, N=7, D=4, C=3, scale=1.0):
    """A small problem in which N, D and C all differ."""
    rng = np.random.default_rng(seed)
    return (scale * rng.normal(size=(D, C)), rng.normal(size=C),
            rng.normal(size=(N, D)), rng.integers(0, C, size=N))


class TestLossAndGrad:
    def test_loss_matches_formula(self):
        W, b, X, labels = problem()
        Z = X @ W + b
        # Reference: the definition, with scipy's logsumexp.
        expected = np.mean(special.logsumexp(Z, axis=1) - Z[np.arange(7), labels])
        expected += 0.5 * 0.3 * np.sum(W ** 2)
        assert_allclose(loss_and_grad(W, b, X, labels, 0.3)[0], expected, rtol=1e-13)

    @pytest.mark.parametrize("reg", [0.0, 0.1, 2.5])
    def test_gradient_matches_central_differences(self, reg):
        W, b, X, labels = problem(seed=1)
        _, dW, db = loss_and_grad(W, b, X, labels, reg)
        num_dW = numerical_gradient(lambda w: loss_and_grad(w, b, X, labels, reg)[0], W)
        num_db = numerical_gradient(lambda v: loss_and_grad(W, v, X, labels, reg)[0], b)
        # Central differences with h = 1e-6 are good to about 1e-9 here.
        assert_allclose(dW, num_dW, rtol=1e-6, atol=1e-9)
        assert_allclose(db, num_db, rtol=1e-6, atol=1e-9)

    def test_penalty_convention(self):
        """The penalty is (reg / 2) ||W||^2, its gradient reg * W, and b is free."""
        W, b, X, labels = problem(seed=2)
        loss0, dW0, db0 = loss_and_grad(W, b, X, labels, 0.0)
        loss1, dW1, db1 = loss_and_grad(W, b, X, labels, 0.4)
        assert_allclose(loss1 - loss0, 0.2 * np.sum(W ** 2), rtol=1e-12)
        assert_allclose(dW1 - dW0, 0.4 * W, rtol=1e-12, atol=1e-15)
        assert_array_equal(db1, db0)

    def test_zero_weights_give_log_c(self):
        _, _, X, labels = problem(C=5)
        W, b = np.zeros((4, 5)), np.zeros(5)
        assert_allclose(loss_and_grad(W, b, X, labels)[0], np.log(5), rtol=1e-15)

    def test_gradient_row_sums(self):
        """Each row of dW - reg W, and db, sums to zero (softmax shift invariance)."""
        W, b, X, labels = problem(seed=3)
        _, dW, db = loss_and_grad(W, b, X, labels, 0.7)
        assert_allclose((dW - 0.7 * W).sum(axis=1), 0, atol=1e-15)
        assert_allclose(db.sum(), 0, atol=1e-15)

    def test_huge_logits_stay_finite(self):
        W, b, X, labels = problem(seed=4, scale=1000.0)
        loss, dW, db = loss_and_grad(W, b, X, labels, 0.0)
        assert np.isfinite(loss) and np.all(np.isfinite(dW)) and np.all(np.isfinite(db))

    def test_shapes_and_types(self):
        W, b, X, labels = problem()
        loss, dW, db = loss_and_grad(W.tolist(), b.tolist(), X.tolist(), labels.tolist())
        assert isinstance(loss, float) and dW.shape == (4, 3) and db.shape == (3,)

    def test_inputs_not_modified(self):
        W, b, X, labels = problem()
        copies = [a.copy() for a in (W, b, X, labels)]
        loss_and_grad(W, b, X, labels, 0.5)
        for original, copy in zip((W, b, X, labels), copies):
            assert_array_equal(original, copy)

    @pytest.mark.parametrize("change, error, words", [
        ({"b": np.zeros(4)}, ValueError, "`b` must have shape (3,)"),
        ({"X": np.zeros((7, 5))}, ValueError, "X must have shape (N, 4)"),
        ({"W": np.zeros(3)}, ValueError, "`W` must have 2 dimension"),
        ({"labels": np.array([0, 1, 2, 3, 0, 1, 2])}, ValueError, "[0, 3)"),
        ({"labels": np.zeros(7)}, TypeError, "integer class indices"),
        ({"labels": np.zeros(6, dtype=int)}, ValueError, "shape (7,)"),
        ({"X": np.array([["a"] * 4] * 7)}, TypeError, "real numbers"),
        ({"reg": -0.1}, ValueError, "`reg` must be non-negative"),
        ({"reg": "0.1"}, TypeError, "`reg` must be a real number"),
        ({"X": np.zeros((0, 4)), "labels": np.zeros(0, dtype=int)}, ValueError, "no rows"),
    ])
    def test_bad_input(self, change, error, words):
        W, b, X, labels = problem()
        args = {"W": W, "b": b, "X": X, "labels": labels, "reg": 0.1}
        args.update(change)
        with pytest.raises(error, match=None) as info:
            loss_and_grad(**args)
        assert words in str(info.value)


class TestPredictAndAccuracy:
    def test_predict_is_argmax_of_logits(self):
        W, b, X, labels = problem()
        assert_array_equal(predict(W, b, X), np.argmax(X @ W + b, axis=1))

    def test_accuracy(self):
        W, b, X, _ = problem()
        predicted = predict(W, b, X)
        assert accuracy(W, b, X, predicted) == 1.0
        assert accuracy(W, b, X, (predicted + 1) % 3) == 0.0

    def test_accuracy_rejects_empty(self):
        with pytest.raises(ValueError, match="no rows"):
            accuracy(np.eye(2), np.zeros(2), np.zeros((0, 2)), np.zeros(0, dtype=int))


class TestTrain:
    def test_full_batch_matches_plain_loop(self):
        X, labels = make_blobs3(20, seed=3)
        history = train(X, labels, lr=0.3, reg=0.05, steps=25, seed=7)
        rng = np.random.default_rng(7)
        W, b = 0.01 * rng.normal(size=(2, 3)), np.zeros(3)
        for k in range(26):
            loss, dW, db = loss_and_grad(W, b, X, labels, 0.05)
            # Same operations in the same order: equal to rounding.
            assert_allclose(history.W[k], W, rtol=1e-12, atol=1e-15)
            assert_allclose(history.loss[k], loss, rtol=1e-12)
            assert history.accuracy[k] == accuracy(W, b, X, labels)
            W, b = W - 0.3 * dW, b - 0.3 * db

    def test_history_shapes(self):
        X, labels = make_blobs3(10)
        history = train(X, labels, lr=0.1, steps=4, batch_size=7)
        assert isinstance(history, TrainingHistory)
        assert history.W.shape == (5, 2, 3) and history.b.shape == (5, 3)
        assert history.loss.shape == (5,) and history.accuracy.shape == (5,)

    def test_initial_loss_near_log_c(self):
        X, labels = make_blobs3(50)
        history = train(X, labels, lr=0.1, steps=0)
        # Weights of size 0.01 on inputs of size about 2 move the loss by ~1e-2.
        assert abs(history.loss[0] - np.log(3)) < 0.03

    def test_loss_decreases(self):
        X, labels = make_blobs3(50)
        history = train(X, labels, lr=0.5, reg=0.01, steps=100)
        assert np.all(np.diff(history.loss) <= 1e-12)
        assert history.accuracy[-1] > 0.85

    def test_batch_of_all_equals_full_batch(self):
        X, labels = make_blobs3(10, seed=2)
        full = train(X, labels, lr=0.2, steps=6)
        same = train(X, labels, lr=0.2, steps=6, batch_size=len(X))
        assert_allclose(full.W, same.W, rtol=1e-14, atol=1e-16)

    def test_epoch_visits_every_example_once(self):
        """With lr tiny, one epoch's summed updates equal one full-batch step."""
        X, labels = make_blobs3(7, seed=4)                  # N = 21
        lr, epoch_steps = 1e-6, 3                           # batches of 7
        mini = train(X, labels, lr=lr, steps=epoch_steps, batch_size=7)
        full = train(X, labels, lr=lr, steps=1)
        # Each batch gradient is a batch mean; three equal batches average to
        # the full mean, so the epoch moves 3 times as far, to first order.
        assert_allclose(mini.W[-1] - mini.W[0], 3 * (full.W[1] - full.W[0]),
                        rtol=1e-4, atol=1e-12)

    def test_last_batch_may_be_smaller(self):
        X, labels = make_blobs3(5)                           # N = 15
        history = train(X, labels, lr=0.1, steps=8, batch_size=4)
        assert np.all(np.isfinite(history.loss))

    def test_row_sums_of_weights_decay(self):
        """The data gradient has zero row sums, so W @ 1 shrinks by (1 - lr reg)."""
        X, labels = make_blobs3(10)
        history = train(X, labels, lr=0.5, reg=0.2, steps=10, batch_size=4,
                        init_scale=1.0)
        sums = history.W.sum(axis=2)                         # (K, D)
        assert_allclose(sums[1:], sums[:-1] * (1 - 0.5 * 0.2), rtol=1e-10, atol=1e-13)
        assert_allclose(history.b.sum(axis=1), 0, atol=1e-14)

    def test_seed_reproducible(self):
        X, labels = make_blobs3(10)
        one = train(X, labels, lr=0.1, steps=5, batch_size=3, seed=11)
        two = train(X, labels, lr=0.1, steps=5, batch_size=3, seed=11)
        other = train(X, labels, lr=0.1, steps=5, batch_size=3, seed=12)
        assert_array_equal(one.W, two.W)
        assert not np.array_equal(one.W, other.W)

    def test_divergence_shows_without_warnings(self):
        X, labels = make_blobs3(20)
        history = train(X, labels, lr=10.0, reg=1.0, steps=400)
        assert not np.isfinite(history.loss[-1]) or history.loss[-1] > 1e100

    def test_num_classes_beyond_labels(self):
        history = train([[0.0], [1.0]], [0, 1], lr=0.1, steps=1, num_classes=4)
        assert history.W.shape == (2, 1, 4)
        # Initial weights of size 0.01 on inputs up to 1: within 0.01 of log 4.
        assert_allclose(history.loss[0], np.log(4), atol=1e-2)

    @pytest.mark.parametrize("options, error, words", [
        ({"lr": 0.0}, ValueError, "`lr` must be positive"),
        ({"lr": None}, TypeError, "`lr` must be a real number"),
        ({"steps": -1}, ValueError, "`steps` must be at least 0"),
        ({"steps": 2.5}, TypeError, "`steps` must be an integer"),
        ({"batch_size": 0}, ValueError, "`batch_size` must be at least 1"),
        ({"batch_size": 31}, ValueError, "at most N = 30"),
        ({"num_classes": 2}, ValueError, "[0, 2)"),
        ({"reg": np.nan}, ValueError, "`reg` must be non-negative and finite"),
    ])
    def test_bad_options(self, options, error, words):
        X, labels = make_blobs3(10)
        kwargs = {"lr": 0.1, "steps": 2}
        kwargs.update(options)
        with pytest.raises(error) as info:
            train(X, labels, **kwargs)
        assert words in str(info.value)

    def test_float_labels_rejected(self):
        with pytest.raises(TypeError, match="integer class indices"):
            train([[0.0], [1.0]], [0.0, 1.0], lr=0.1, steps=1)


class TestData:
    def test_blobs(self):
        X, labels = make_blobs3(40, spread=0.5, seed=5)
        assert X.shape == (120, 2) and np.bincount(labels).tolist() == [40, 40, 40]
        for k in range(3):   # each cluster sits near its centre
            assert np.linalg.norm(X[labels == k].mean(axis=0)) == pytest.approx(2.0, abs=0.3)
        assert_array_equal(make_blobs3(40, spread=0.5, seed=5)[0], X)

    def test_blobs_bad_input(self):
        with pytest.raises(ValueError, match="at least 1"):
            make_blobs3(0)
        with pytest.raises(ValueError, match="non-negative"):
            make_blobs3(3, spread=-1.0)

    def test_iris(self):
        iris = load_iris()
        assert iris.X.shape == (150, 4)
        assert iris.class_names == ("setosa", "versicolor", "virginica")
        assert np.bincount(iris.labels).tolist() == [50, 50, 50]
        assert iris.feature_names[2] == "petal_length_cm"
        # Fisher (1936), table I: the first setosa is 5.1, 3.5, 1.4, 0.2 cm.
        assert_array_equal(iris.X[0], [5.1, 3.5, 1.4, 0.2])
        assert_allclose(iris.X.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333],
                        rtol=1e-6)

    def test_iris_explicit_path(self):
        assert load_iris(str(IRIS_PATH)).X.shape == (150, 4)

    def test_iris_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="no iris data"):
            load_iris(tmp_path / "nope.csv")

    def test_iris_bad_row(self, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_text("a,b,species\n1.0,x,setosa\n")
        with pytest.raises(ValueError, match="line 2"):
            load_iris(path)

    def test_digits(self):
        """Shape, labels, pixel range, class counts and a checksum of the
        decoded values, so that a silently changed copy fails."""
        X, labels = load_digits()
        assert X.shape == (1797, 64) and labels.shape == (1797,)
        assert X.dtype == np.float64 and labels.dtype == np.int64
        assert set(np.unique(labels).tolist()) == set(range(10))
        assert X.min() == 0 and X.max() == 16
        assert np.all(X == np.round(X))
        # The UCI description of optdigits.tes: 178, 182, 177, 183, 181,
        # 182, 181, 179, 174, 180 images of the digits 0 to 9.
        assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181,
                                                182, 181, 179, 174, 180]
        # An independent reader of the same file agrees entry by entry.
        reference = np.loadtxt(DIGITS_PATH, delimiter=",")          # (1797, 65)
        assert_array_equal(X, reference[:, :64])
        assert_array_equal(labels, reference[:, 64])
        decoded = np.hstack([X, labels[:, None]]).astype(np.int64)
        assert hashlib.sha256(decoded.tobytes()).hexdigest() == DIGITS_DECODED_SHA256

    def test_digits_file_checksum(self):
        assert file_sha256(DIGITS_PATH) == DIGITS_SHA256
        assert DIGITS_SHA256 == hashlib.sha256(DIGITS_PATH.read_bytes()).hexdigest()

    def test_digits_explicit_and_plain_path(self, tmp_path):
        X, labels = load_digits(str(DIGITS_PATH))
        plain = tmp_path / "digits.csv"
        plain.write_text(gzip.decompress(DIGITS_PATH.read_bytes()).decode())
        X2, labels2 = load_digits(plain)
        assert_array_equal(X, X2)
        assert_array_equal(labels, labels2)

    def test_digits_bad_path_type(self):
        with pytest.raises(TypeError, match="`path` must be None, a str"):
            load_digits(3)

    def test_digits_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="no digits data"):
            load_digits(tmp_path / "nope.csv")

    @pytest.mark.parametrize("row, words", [
        ("0," * 63 + "0", "expected 65 columns"),
        ("0," * 64 + "x", "must be an integer"),
        ("0," * 64 + "1.5", "must be an integer"),
        ("17," + "0," * 63 + "1", r"pixels must lie in \[0, 16\]"),
        ("-1," + "0," * 63 + "1", r"pixels must lie in \[0, 16\]"),
        ("0," * 64 + "10", r"digits must lie in \[0, 9\]"),
    ])
    def test_digits_bad_rows(self, tmp_path, row, words):
        path = tmp_path / "bad.csv"
        path.write_text("0," * 64 + "3\n" + row + "\n")
        with pytest.raises(ValueError, match=words):
            load_digits(path)

    def test_digits_empty_file(self, tmp_path):
        path = tmp_path / "empty.csv"
        path.write_text("")
        with pytest.raises(ValueError, match="no rows"):
            load_digits(path)

    def test_split_is_stratified_partition(self):
        labels = np.repeat([0, 1, 2], [50, 50, 20])
        train_idx, test_idx = stratified_split(labels, test_fraction=0.3, seed=1)
        assert_array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(120))
        assert np.bincount(labels[test_idx]).tolist() == [15, 15, 6]

    def test_split_reproducible(self):
        labels = np.repeat([0, 1], 10)
        assert_array_equal(stratified_split(labels, seed=3)[1],
                           stratified_split(labels, seed=3)[1])

    @pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5])
    def test_split_bad_fraction(self, fraction):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            stratified_split([0, 1, 1], test_fraction=fraction)

    def test_split_bad_labels(self):
        with pytest.raises(TypeError, match="integer classes"):
            stratified_split([0.5, 1.0])
