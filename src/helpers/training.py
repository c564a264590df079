r"""Softmax regression trained from scratch: loss, gradient, training, data.

The chapter *Softmax regression from scratch* derives everything here in
the open; this module keeps the tested copies that its figures, its
explorer and its exercises reuse.

The model is the linear classifier :math:`Z = XW + b` with inputs X of
shape (N, D), weights W of shape (D, C) and biases b of shape (C,).  Its
objective is the mean softmax cross-entropy plus the book's L2 penalty
:math:`\tfrac{\lambda}{2} \lVert W \rVert^2` (the biases are not
penalised), whose gradient is :math:`\lambda W`.

The module depends on NumPy and :mod:`helpers.numerics` only.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import as_count, as_float_array, as_labels, as_real
from .numerics import cross_entropy, cross_entropy_and_grad

__all__ = [
    "loss_and_grad",
    "predict",
    "accuracy",
    "train",
    "TrainingHistory",
    "make_blobs3",
    "BLOB_CENTRES",
    "load_iris",
    "load_digits",
    "file_sha256",
    "Dataset",
    "stratified_split",
]

#: Where ``load_iris`` looks when no path is given: the copy that comes with
#: the package, ``helpers/data/iris.csv`` (its README gives the source and
#: licence), found through importlib.resources wherever the package is.
IRIS_PATH = resources.files(__package__) / "data" / "iris.csv"

#: Where ``load_digits`` looks when no path is given: the gzip-compressed
#: copy of the 8x8 handwritten digits that comes with the package,
#: ``helpers/data/digits.csv.gz`` (its README gives the source and licence).
DIGITS_PATH = resources.files(__package__) / "data" / "digits.csv.gz"

#: SHA-256 of the raw bytes of the packaged ``digits.csv.gz``, exactly the
#: file that scikit-learn 1.6.1 ships as sklearn/datasets/data/digits.csv.gz.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


# --------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------

def _check_model(W, b, X):
    """Validate the parameters and inputs of Z = X W + b."""
    W = as_float_array(W, "W", 2)
    b = as_float_array(b, "b", 1)
    X = as_float_array(X, "X", 2)
    D, C = W.shape
    if b.shape != (C,):
        raise ValueError(f"`b` must have shape ({C},), one bias per column of "
                         f"W; got {b.shape}.")
    if X.shape[1] != D:
        raise ValueError(f"`X` has {X.shape[1]} features per row but `W` has "
                         f"{D} rows; X must have shape (N, {D}).")
    return W, b, X


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------

def loss_and_grad(W, b, X, labels, reg=0.0):
    r"""Regularised softmax-regression loss and its gradients.

    Parameters
    ----------
    W : array_like, shape (D, C)
        Weights.
    b : array_like, shape (C,)
        Biases (not penalised).
    X : array_like, shape (N, D)
        Inputs, one example per row.  N must be at least 1.
    labels : array_like of int, shape (N,)
        The true class of each example, in ``[0, C)``.
    reg : float, optional
        The L2 strength :math:`\lambda \ge 0`.  Default 0.

    Returns
    -------
    loss : float
        :math:`\frac1N \sum_n -\log \operatorname{softmax}(z_n)_{y_n}
        + \frac{\lambda}{2} \lVert W \rVert^2`.
    dW : ndarray, shape (D, C)
        :math:`X^\top (P - Y) / N + \lambda W`.
    db : ndarray, shape (C,)
        :math:`\mathbf 1^\top (P - Y) / N`.

    Raises
    ------
    TypeError
        If an array is not real-valued, `labels` are not integers, or
        `reg` is not a real number.
    ValueError
        If the shapes do not fit together, a label is out of range, X has
        no rows, or `reg` is negative or not finite.

    See Also
    --------
    helpers.numerics.cross_entropy_and_grad

    Notes
    -----
    The other common convention penalises :math:`\lambda \lVert W
    \rVert^2`, with gradient :math:`2 \lambda W`; its :math:`\lambda` is
    half of ours for the same model.  The loss is computed from the logits
    through log-sum-exp, so it stays finite for logits in the thousands.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import loss_and_grad
    >>> X = np.array([[1.0, 2.0], [0.5, -1.0]])
    >>> loss, dW, db = loss_and_grad(np.zeros((2, 3)), np.zeros(3), X, [0, 2])
    >>> print(f"{loss:.6f} = log 3 = {np.log(3):.6f}")
    1.098612 = log 3 = 1.098612
    >>> dW.shape, db.shape
    ((2, 3), (3,))
    >>> print(loss_and_grad(np.ones((2, 3)), np.zeros(3), X, [0, 2], 0.5)[0]
    ...       - loss)  # the penalty: 0.5 / 2 * 6 entries
    1.5
    """
    W, b, X = _check_model(W, b, X)
    labels = as_labels(labels, len(X), W.shape[1], rows="row of X")
    reg = as_real(reg, "reg")
    if len(X) == 0:
        raise ValueError("`X` has no rows; the mean loss needs at least one "
                         "example.")
    return _loss_and_grad(W, b, X, labels, reg)


def _loss_and_grad(W, b, X, labels, reg):
    """:func:`loss_and_grad` without the input checks, for the inner loop."""
    logits = X @ W + b                                        # (N, C)
    loss, dZ = cross_entropy_and_grad(logits, labels)         # dZ: (N, C)
    loss = loss + 0.5 * reg * np.sum(W * W)
    return float(loss), X.T @ dZ + reg * W, dZ.sum(axis=0)


def predict(W, b, X):
    """The predicted class of each row of X: the argmax of its logits.

    Parameters
    ----------
    W : array_like, shape (D, C)
    b : array_like, shape (C,)
    X : array_like, shape (N, D)

    Returns
    -------
    ndarray of int, shape (N,)

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import predict
    >>> predict(np.eye(2), np.zeros(2), [[3.0, 1.0], [0.0, 2.0]])
    array([0, 1])
    """
    W, b, X = _check_model(W, b, X)
    return np.argmax(X @ W + b, axis=1)


def accuracy(W, b, X, labels):
    """The fraction of rows of X whose predicted class is their label.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import accuracy
    >>> accuracy(np.eye(2), np.zeros(2), [[3.0, 1.0], [0.0, 2.0]], [0, 0])
    0.5
    """
    W, b, X = _check_model(W, b, X)
    labels = as_labels(labels, len(X), W.shape[1], rows="row of X")
    if len(X) == 0:
        raise ValueError("`X` has no rows; accuracy needs at least one example.")
    return float(np.mean(np.argmax(X @ W + b, axis=1) == labels))


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

class TrainingHistory(NamedTuple):
    """The parameters and the training metrics after each step.

    Entry k of each field belongs to the model after k steps, so entry 0 is
    the initial model and every field has ``steps + 1`` entries.
    """

    W: np.ndarray         # (steps + 1, D, C)
    b: np.ndarray         # (steps + 1, C)
    loss: np.ndarray      # (steps + 1,): the regularised loss on all of X
    accuracy: np.ndarray  # (steps + 1,): accuracy on all of X


def _batches(num_examples, batch_size, rng):
    """Index arrays of mini-batches, forever: a fresh shuffle each epoch."""
    while True:
        order = rng.permutation(num_examples)
        for start in range(0, num_examples, batch_size):
            yield order[start:start + batch_size]


def train(X, labels, *, lr, steps, reg=0.0, batch_size=None, num_classes=None,
          init_scale=0.01, seed=0):
    r"""Train softmax regression by (mini-batch) gradient descent.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Training inputs.
    labels : array_like of int, shape (N,)
        Training labels in ``[0, C)``.
    lr : float
        The learning rate :math:`\eta > 0`.
    steps : int
        The number of parameter updates (not epochs).
    reg : float, optional
        The L2 strength :math:`\lambda \ge 0` of the penalty
        :math:`\frac{\lambda}{2} \lVert W \rVert^2`.  Default 0.
    batch_size : int, optional
        Examples per update.  None (the default) uses all N: full-batch
        gradient descent.  Otherwise each epoch visits the examples in a
        fresh random order, in consecutive batches; the last batch of an
        epoch is smaller when `batch_size` does not divide N.
    num_classes : int, optional
        C; by default one more than the largest label.
    init_scale : float, optional
        The standard deviation of the initial weights (the biases start at
        0).  Default 0.01: small enough that the first predictions are
        nearly uniform.
    seed : int, optional
        Seeds the initial weights and the batch order.

    Returns
    -------
    TrainingHistory
        ``W`` (steps + 1, D, C), ``b`` (steps + 1, C), and the regularised
        training ``loss`` and training ``accuracy``, each (steps + 1,),
        all measured on the whole of X after each step.

    Raises
    ------
    TypeError, ValueError
        On inputs that :func:`loss_and_grad` rejects, a non-positive `lr`,
        a negative `steps`, or a `batch_size` outside ``[1, N]``.

    Notes
    -----
    Each update is
    :math:`W \leftarrow W - \eta\,\partial L_B / \partial W` and
    :math:`b \leftarrow b - \eta\,\partial L_B / \partial b`, where
    :math:`L_B` is the regularised mean loss on the current batch.  A
    diverging run (too large a `lr`) is not stopped: its loss becomes inf
    or nan, which is what a reader should see.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import make_blobs3, train
    >>> X, labels = make_blobs3(20, seed=1)
    >>> history = train(X, labels, lr=0.5, steps=50)
    >>> history.W.shape, history.loss.shape
    ((51, 2, 3), (51,))
    >>> bool(abs(history.loss[0] - np.log(3)) < 0.01)
    True
    >>> bool(history.loss[-1] < 0.5 * history.loss[0])
    True
    """
    X = as_float_array(X, "X", 2)
    num_examples, num_features = X.shape
    if num_examples == 0:
        raise ValueError("`X` has no rows; training needs at least one example.")
    if num_classes is None:
        if np.asarray(labels).dtype.kind not in "iu":
            raise TypeError("`labels` must be integer class indices; got dtype "
                            f"{np.asarray(labels).dtype}.")
        num_classes = int(np.max(labels)) + 1
    num_classes = as_count(num_classes, "num_classes", minimum=1)
    labels = as_labels(labels, num_examples, num_classes, rows="row of X")
    lr = as_real(lr, "lr", positive=True)
    reg = as_real(reg, "reg")
    init_scale = as_real(init_scale, "init_scale")
    steps = as_count(steps, "steps", minimum=0)
    if batch_size is None:
        batch_size = num_examples
    batch_size = as_count(batch_size, "batch_size", minimum=1)
    if batch_size > num_examples:
        raise ValueError(f"`batch_size` must be at most N = {num_examples}; "
                         f"got {batch_size}.")

    rng = np.random.default_rng(seed)
    W = init_scale * rng.normal(size=(num_features, num_classes))   # (D, C)
    b = np.zeros(num_classes)                                       # (C,)
    batches = _batches(num_examples, batch_size, rng)
    Ws, bs = [W], [b]
    # A diverging run overflows; let it show as inf/nan, quietly.
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            batch = next(batches)
            _, dW, db = _loss_and_grad(W, b, X[batch], labels[batch], reg)
            W, b = W - lr * dW, b - lr * db
            Ws.append(W)
            bs.append(b)
        Ws, bs = np.array(Ws), np.array(bs)
        logits = np.einsum("nd,kdc->knc", X, Ws) + bs[:, None, :]   # (K, N, C)
        per_example = cross_entropy(
            logits.reshape(-1, num_classes), np.tile(labels, len(Ws)),
            reduction="none").reshape(len(Ws), num_examples)      # (K, N)
        losses = per_example.mean(axis=1) + 0.5 * reg * np.sum(Ws * Ws, axis=(1, 2))
        accs = np.mean(np.argmax(logits, axis=2) == labels, axis=1)
    return TrainingHistory(Ws, bs, losses, accs)


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

#: The centres of the three blobs of :func:`make_blobs3`: the corners of an
#: equilateral triangle of circumradius 2.
BLOB_CENTRES = 2.0 * np.array([[0.0, 1.0],
                               [-np.sqrt(3) / 2, -0.5],
                               [np.sqrt(3) / 2, -0.5]])


def make_blobs3(n_per_class=100, *, spread=1.0, seed=0):
    """Three round Gaussian clusters in the plane, one per class.

    Parameters
    ----------
    n_per_class : int, optional
        Points per class.  Default 100.
    spread : float, optional
        The standard deviation of each cluster around its centre
        (``BLOB_CENTRES``, at distance 2 from the origin).  Default 1.
    seed : int, optional
        Seeds the points.

    Returns
    -------
    X : ndarray, shape (3 * n_per_class, 2)
    labels : ndarray of int, shape (3 * n_per_class,)
        Sorted by class: the first `n_per_class` rows are class 0.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import make_blobs3
    >>> X, labels = make_blobs3(5, seed=0)
    >>> X.shape, np.bincount(labels).tolist()
    ((15, 2), [5, 5, 5])
    """
    n_per_class = as_count(n_per_class, "n_per_class", minimum=1)
    spread = as_real(spread, "spread")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), n_per_class)                 # (N,)
    X = BLOB_CENTRES[labels] + spread * rng.normal(size=(len(labels), 2))
    return X, labels


class Dataset(NamedTuple):
    """A labelled data set: inputs, labels and the names of both axes."""

    X: np.ndarray               # (N, D)
    labels: np.ndarray          # (N,)
    feature_names: tuple        # D names
    class_names: tuple          # C names, in the order of the labels


def load_iris(path=None):
    """Fisher's iris data: 150 flowers, 4 measurements, 3 species.

    Parameters
    ----------
    path : str or Path, optional
        The CSV file, with a header row, four numeric columns and the
        species name last.  By default the copy installed with the package,
        ``helpers/data/iris.csv`` (see ``helpers/data/README.md`` for its
        source and licence).

    Returns
    -------
    Dataset
        ``X`` (150, 4) in centimetres, ``labels`` (150,) with 0 = setosa,
        1 = versicolor, 2 = virginica (in order of first appearance),
        ``feature_names`` and ``class_names``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a row does not have the expected columns or numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import load_iris
    >>> iris = load_iris()
    >>> iris.X.shape, np.bincount(iris.labels).tolist()
    ((150, 4), [50, 50, 50])
    >>> iris.class_names
    ('setosa', 'versicolor', 'virginica')
    """
    path = IRIS_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no iris data at {path}; pass the path of a "
                                "copy of helpers/data/iris.csv.")
    with path.open("r", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [row for row in rows[1:] if row]
    X, species = [], []
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {number}: expected {len(header)} "
                             f"columns, got {len(row)}.")
        try:
            X.append([float(v) for v in row[:-1]])
        except ValueError:
            raise ValueError(f"{path}, line {number}: the measurements must be "
                             f"numbers; got {row[:-1]}.") from None
        species.append(row[-1])
    class_names = tuple(dict.fromkeys(species))
    labels = np.array([class_names.index(s) for s in species])
    return Dataset(np.array(X), labels, tuple(header[:-1]), class_names)


def stratified_split(labels, *, test_fraction=0.3, seed=0):
    """Split example indices into training and test sets, class by class.

    Each class contributes ``round(test_fraction * n_c)`` of its ``n_c``
    examples to the test set, chosen at random, so both sets keep the class
    proportions.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
    test_fraction : float, optional
        Strictly between 0 and 1.  Default 0.3.
    seed : int, optional

    Returns
    -------
    train_idx, test_idx : ndarray of int
        Disjoint, sorted, together covering ``range(N)``.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import stratified_split
    >>> train_idx, test_idx = stratified_split([0] * 10 + [1] * 10,
    ...                                        test_fraction=0.3)
    >>> len(train_idx), len(test_idx)
    (14, 6)
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise TypeError("`labels` must be a 1-D array of integer classes.")
    test_fraction = as_real(test_fraction, "test_fraction")
    if not 0 < test_fraction < 1:
        raise ValueError("`test_fraction` must lie strictly between 0 and 1; "
                         f"got {test_fraction}.")
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.extend(members[:int(round(test_fraction * len(members)))])
    test_idx = np.sort(np.array(test, dtype=np.int64))
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx)
    return train_idx, test_idx


def load_digits(path=None):
    """The 8x8 handwritten digits: 1,797 images of 64 pixels, 10 classes.

    The UCI "Optical Recognition of Handwritten Digits" test set
    (Alpaydin and Kaynak, 1998): each 32x32 bitmap of a digit written by one
    of 13 people was cut into 4x4 blocks, and each pixel counts the ink in
    one block, an integer from 0 to 16.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A CSV file, optionally gzip-compressed (a name ending in ``.gz``),
        with no header and one image per row: 64 pixel values, row by row
        of the 8x8 image, then the digit.  By default the copy installed
        with the package, ``helpers/data/digits.csv.gz`` (see
        ``helpers/data/README.md`` for its source and licence).

    Returns
    -------
    X : ndarray of float, shape (N, 64)
        The pixels, in ``[0, 16]``; ``X[n].reshape(8, 8)`` is image n.
    labels : ndarray of int, shape (N,)
        The digit shown, in ``[0, 9]``.

    Raises
    ------
    TypeError
        If `path` is neither None, a str nor a path-like object.
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a row does not have 65 integer columns, a pixel lies outside
        ``[0, 16]`` or a digit outside ``[0, 9]``, or the file has no rows.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.training import load_digits
    >>> X, labels = load_digits()
    >>> X.shape, labels.shape
    ((1797, 64), (1797,))
    >>> np.bincount(labels).tolist()
    [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    >>> print(X[0].reshape(8, 8)[1].astype(int))
    [ 0  0 13 15 10 15  5  0]
    """
    if path is None:
        path = DIGITS_PATH
    elif isinstance(path, (str, os.PathLike)):
        path = Path(path)
    else:
        raise TypeError("`path` must be None, a str or a path-like object; "
                        f"got {type(path).__name__}.")
    if not path.is_file():
        raise FileNotFoundError(f"no digits data at {path}; pass the path of a "
                                "copy of helpers/data/digits.csv.gz.")
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if not rows:
        raise ValueError(f"{path} has no rows.")
    values = []
    for number, row in enumerate(rows, start=1):
        if len(row) != 65:
            raise ValueError(f"{path}, line {number}: expected 65 columns (64 "
                             f"pixels and the digit), got {len(row)}.")
        try:
            values.append([int(float(v)) if float(v).is_integer() else None
                           for v in row])
        except ValueError:
            raise ValueError(f"{path}, line {number}: every column must be an "
                             "integer.") from None
        if None in values[-1]:
            raise ValueError(f"{path}, line {number}: every column must be an "
                             "integer.")
    data = np.array(values, dtype=np.int64)                   # (N, 65)
    pixels, labels = data[:, :64], data[:, 64]
    if pixels.min() < 0 or pixels.max() > 16:
        raise ValueError(f"{path}: pixels must lie in [0, 16]; got values from "
                         f"{pixels.min()} to {pixels.max()}.")
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path}: digits must lie in [0, 9]; got values from "
                         f"{labels.min()} to {labels.max()}.")
    return pixels.astype(float), labels


def file_sha256(path):
    """The SHA-256 hex digest of a file's bytes, to confirm a data file.

    Examples
    --------
    >>> from helpers.training import DIGITS_PATH, DIGITS_SHA256, file_sha256
    >>> file_sha256(DIGITS_PATH) == DIGITS_SHA256
    True
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
