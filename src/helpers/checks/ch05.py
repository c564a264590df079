"""Checks for the exercises of the chapter on the gradient of the cross-entropy.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`.  The typical mistakes (treating the
softmax as an elementwise function, forgetting the mean over the batch, a
flipped sign, ``P[labels]`` instead of ``P[np.arange(N), labels]``, a
transposed weight gradient, ...) are recognised and answered with a
specific hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import cross_entropy_grad, softmax
from ._core import Feedback, _not_attempted, check_function, check_value, matches

__all__ = [
    "ENTRY_LOGITS",
    "ENTRY_LABELS",
    "check_gradient_entry",
    "check_grad_logits",
    "check_grad_weights",
]

#: The logits of the exercise "A gradient entry by hand": two examples.
ENTRY_LOGITS = ((float(np.log(3.0)), 0.0, 0.0), (0.0, float(np.log(2.0)), 0.0))

#: The labels of the exercise "A gradient entry by hand".
ENTRY_LABELS = (1, 2)

Mistakes = Sequence[tuple[Callable[..., Any], str]]


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

_matches = matches  # a known mistake's answer, recognised


def _unshifted_softmax(logits: np.ndarray) -> np.ndarray:
    """The overflowing softmax, used only to recognise that mistake."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return weights / np.sum(weights, axis=-1, keepdims=True)


def _one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes)[labels]                      # (N, C)


def _mean_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The reference: d(mean cross-entropy)/d(logits), shape (N, C)."""
    return cross_entropy_grad(logits, np.asarray(labels, dtype=np.int64))


# --------------------------------------------------------------------------
# Exercise: a gradient entry by hand
# --------------------------------------------------------------------------

def check_gradient_entry(value: Any) -> Feedback:
    r"""Check the entry ``[0, 0]`` of the gradient of the mean loss.

    The batch holds two examples with logits ``(ln 3, 0, 0)`` and
    ``(0, ln 2, 0)`` and labels 1 and 2; the loss is the mean
    cross-entropy :math:`L = \frac12 (\ell_0 + \ell_1)`.  The answer is
    :math:`\partial L / \partial Z_{00} = (s_{00} - y_{00}) / 2 =
    (3/5 - 0) / 2 = 0.3`.

    Parameters
    ----------
    value : float
        The learner's number.

    Returns
    -------
    Feedback
        Correct within ``atol=1e-3`` (so an answer rounded to three
        decimals passes).  A missing division by N, a flipped sign, the
        elementwise-softmax answer 0, the Jacobian entry, a neighbouring
        entry and an off-by-one label each get their own hint.

    Examples
    --------
    >>> from helpers.checks.ch05 import check_gradient_entry
    >>> check_gradient_entry(0.3).status
    'correct'
    >>> print(check_gradient_entry(0.6).hint)  # doctest: +ELLIPSIS
    That is the gradient of the first example's own loss...
    """
    logits = np.array(ENTRY_LOGITS)                         # (2, 3)
    labels = np.array(ENTRY_LABELS)                         # (2,)
    grad = _mean_grad(logits, labels)                       # (2, 3)
    probs = softmax(logits)
    expected = grad[0, 0]
    mistakes = [
        (2 * expected,
         "That is the gradient of the first example's own loss. The loss is "
         "the mean over N = 2 examples, so every entry is divided by 2."),
        (-expected,
         "The sign is flipped: the gradient is (s - y) / N, and class 0 is "
         "not the true class, so its entry is positive."),
        (0.0,
         "0 is what you get if the softmax is treated as elementwise, so that "
         "only the true class's probability depends on its logit. Raising "
         "z_0 lowers s_1 through the shared denominator."),
        (probs[0, 0] * (1 - probs[0, 0]) / 2,
         "That is the diagonal Jacobian entry s_0 (1 - s_0) / 2. Apply the "
         "chain rule through the whole loss: dL/dz_j = (s_j - y_j) / N."),
        (grad[0, 1],
         "That is the entry for class 1, the true class. The exercise asks "
         "for column 0."),
        (grad[1, 0],
         "That is the entry of the second example (row 1). The exercise asks "
         "for row 0."),
        ((probs[0, 0] - 1) / 2,
         "You treated class 0 as the true class. Labels count from 0: the "
         "label 1 is the second class."),
    ]
    fb = check_value(value, expected, rtol=0.0, atol=1e-3,
                     what="the entry dL/dZ[0, 0]")
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message,
                        "Give only the entry in row 0, column 0, as one number.")
    if fb.status != "wrong value":
        return fb
    for wrong, hint in mistakes:
        if _matches(value, wrong, rtol=0.0, atol=1e-3):
            return Feedback(fb.status, fb.message, hint)
    return Feedback(fb.status, fb.message,
                    "Compute the probabilities of row 0 first: the exponentials "
                    "are 3, 1 and 1.")


# --------------------------------------------------------------------------
# Exercise: the gradient with respect to the logits, for a batch
# --------------------------------------------------------------------------

def _grad_logits_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``grad_logits`` and their hints."""
    def elementwise(z, labels):
        probs = softmax(z)
        return -_one_hot(labels, z.shape[1]) * (1 - probs) / len(z)

    def no_mean(z, labels):
        return softmax(z) - _one_hot(labels, z.shape[1])

    def sign_flipped(z, labels):
        return (_one_hot(labels, z.shape[1]) - softmax(z)) / len(z)

    def mean_over_entries(z, labels):
        return (softmax(z) - _one_hot(labels, z.shape[1])) / z.size

    def wrong_axis(z, labels):
        return (softmax(z, axis=0) - _one_hot(labels, z.shape[1])) / len(z)

    def whole_rows(z, labels):
        grad = softmax(z).copy()
        grad[labels] -= 1                   # rows, not (row, label) pairs
        return grad / len(z)

    def off_by_one(z, labels):
        shifted = (labels - 1) % z.shape[1]
        return (softmax(z) - _one_hot(shifted, z.shape[1])) / len(z)

    def log10(z, labels):
        return (softmax(z) - _one_hot(labels, z.shape[1])) / (len(z) * np.log(10))

    def unshifted(z, labels):
        return (_unshifted_softmax(z) - _one_hot(labels, z.shape[1])) / len(z)

    return [
        (elementwise,
         "Only the true class has a non-zero gradient, as if the softmax were "
         "elementwise and acted on each logit separately (the diagonal "
         "s_i (1 - s_i) of the Jacobian only). Every logit changes every "
         "probability: the gradient is (P - Y) / N."),
        (no_mean,
         "The loss is the mean over the batch, so divide by the number of "
         "examples N = logits.shape[0]."),
        (sign_flipped,
         "The sign is flipped: the gradient is P - Y (prediction minus "
         "target), not Y - P."),
        (mean_over_entries,
         "You divided by N * C. The mean is over the N examples only: divide "
         "by logits.shape[0]."),
        (wrong_axis,
         "The softmax was taken over the batch axis. Normalise each row, "
         "along the last axis (axis=-1)."),
        (whole_rows,
         "P[labels] -= 1 subtracts 1 from whole rows. Index (row, label) "
         "pairs: P[np.arange(N), labels] -= 1, or use np.eye(C)[labels]."),
        (off_by_one,
         "The one-hot targets are shifted by one class. Labels count from 0: "
         "label k is column k."),
        (log10,
         "The gradient is off by the factor ln 10. Cross-entropy uses the "
         "natural logarithm, whose derivative is 1/x."),
        (unshifted,
         "Huge logits overflow in exp and give nan. Subtract each row's "
         "maximum first, or use helpers.softmax."),
    ]


def _grad_logits_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(5)
    return [
        # N = C first, so a wrong axis or a whole-row index runs silently.
        (rng.normal(scale=2.0, size=(3, 3)), np.array([2, 0, 1])),
        (rng.normal(scale=2.0, size=(5, 4)), np.array([3, 1, 0, 3, 2])),
        (np.array([[1000.0, 999.0, 0.0],                 # overflow without a shift
                   [-1000.0, -1001.0, -999.5]]), np.array([1, 2])),
        (rng.normal(size=(1, 6)), np.array([5])),        # one example
    ]


def check_grad_logits(func: Any) -> Feedback:
    r"""Check ``grad_logits(logits, labels)``, the gradient of the mean loss.

    For logits of shape (N, C) and integer labels of shape (N,), the
    function must return the (N, C) gradient of
    :math:`L = \frac1N \sum_n -\log \operatorname{softmax}(z_n)_{y_n}`,
    that is :math:`(P - Y) / N` with :math:`Y` the one-hot labels.

    Parameters
    ----------
    func : callable
        The learner's ``grad_logits``.

    Returns
    -------
    Feedback
        Correct when every test batch agrees with
        :func:`helpers.numerics.cross_entropy_grad` within ``rtol=1e-6,
        atol=1e-12``.  The batches include a square one (so a wrong axis
        runs silently), logits near 1000 (so a missing max subtraction gives
        nan) and a single example.  Treating the softmax as elementwise, a
        missing mean, a flipped sign, ``P[labels] -= 1``, an off-by-one
        label, ``log10`` and a wrong axis each get their own hint.

    Examples
    --------
    >>> import numpy as np
    >>> import helpers
    >>> from helpers.checks.ch05 import check_grad_logits
    >>> def grad_logits(logits, labels):
    ...     grad = helpers.softmax(logits)
    ...     grad[np.arange(len(labels)), labels] -= 1
    ...     return grad / len(labels)
    >>> check_grad_logits(grad_logits).status
    'correct'
    >>> def no_mean(logits, labels):
    ...     return helpers.softmax(logits) - np.eye(logits.shape[1])[labels]
    >>> print(check_grad_logits(no_mean).hint)  # doctest: +ELLIPSIS
    The loss is the mean over the batch...
    """
    return check_function(func, _mean_grad, _grad_logits_cases(),
                          rtol=1e-6, atol=1e-12, hints=_grad_logits_mistakes(),
                          what="grad_logits")


# --------------------------------------------------------------------------
# Exercise: the gradients of a linear classifier
# --------------------------------------------------------------------------

def _weights_reference(X, W, b, labels):
    """(dW, db) for Z = X W + b and the mean cross-entropy."""
    grad = _mean_grad(X @ W + b, labels)                    # (N, C)
    return X.T @ grad, np.sum(grad, axis=0)                 # (D, C), (C,)


def _weights_mistakes() -> list[tuple[Callable[..., Any], str]]:
    """Wrong implementations of ``grad_weights`` and their hints."""
    def grads_from(g):
        return lambda X, W, b, labels: (X.T @ g(X @ W + b, labels),
                                        np.sum(g(X @ W + b, labels), axis=0))

    def elementwise(z, labels):
        return -_one_hot(labels, z.shape[1]) * (1 - softmax(z)) / len(z)

    def no_mean(z, labels):
        return softmax(z) - _one_hot(labels, z.shape[1])

    def sign_flipped(z, labels):
        return -_mean_grad(z, labels)

    def unshifted(z, labels):
        return (_unshifted_softmax(z) - _one_hot(labels, z.shape[1])) / len(z)

    def bias_mean_twice(X, W, b, labels):
        grad = _mean_grad(X @ W + b, labels)
        return X.T @ grad, np.mean(grad, axis=0)

    def bias_without_mean(X, W, b, labels):
        grad = _mean_grad(X @ W + b, labels)
        return X.T @ grad, np.sum(grad, axis=0) * len(X)

    def weights_without_mean(X, W, b, labels):
        grad = _mean_grad(X @ W + b, labels)
        return X.T @ grad * len(X), np.sum(grad, axis=0)

    return [
        (grads_from(elementwise),
         "Only the true classes get a gradient, as if the softmax were "
         "elementwise and acted on each logit separately. Start from "
         "dL/dZ = (P - Y) / N."),
        (grads_from(no_mean),
         "Both gradients are N times too large: the loss is the mean over "
         "the batch, so dL/dZ = (P - Y) / N."),
        (grads_from(sign_flipped),
         "The sign is flipped: dL/dZ = (P - Y) / N, prediction minus target."),
        (grads_from(unshifted),
         "Large logits overflow in exp and give nan. Subtract each row's "
         "maximum first, or use helpers.softmax."),
        (bias_mean_twice,
         "db is N times too small: dL/dZ already carries the 1/N, so db is "
         "its plain sum over the batch, np.sum(dZ, axis=0), not its mean."),
        (bias_without_mean,
         "db is N times too large: it is the sum over the batch of "
         "dL/dZ = (P - Y) / N."),
        (weights_without_mean,
         "dW is N times too large: use dW = X.T @ dZ with dZ = (P - Y) / N."),
    ]


def _weights_cases() -> list[tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(6)
    # N, D and C all differ, so a transposed product is a shape error.
    X = rng.normal(size=(5, 4))
    W = rng.normal(size=(4, 3))
    b = rng.normal(size=3)
    # Logits near 900: exp overflows unless each row's maximum is subtracted.
    big_X = np.array([[900.0, 100.0], [-50.0, 800.0], [400.0, -700.0]])
    big_W = np.array([[1.0, 0.9, -0.5, 0.0], [0.2, 1.0, 0.3, -1.0]])
    return [
        (X, W, b, np.array([0, 2, 1, 1, 2])),
        (rng.normal(size=(6, 2)), rng.normal(size=(2, 5)), rng.normal(size=5),
         np.array([4, 0, 1, 3, 2, 4])),
        (big_X, big_W, np.zeros(4), np.array([3, 0, 1])),
    ]


def _shape_hint(name: str, got: tuple, want: tuple, N: int) -> str:
    """A hint for a gradient with the wrong shape."""
    if name == "dW" and got == want[::-1]:
        return ("dW is transposed. It must have the shape of W, (D, C): "
                "dW = X.T @ dZ.")
    if name == "db" and got == (N,):
        return ("db was summed over the classes. Sum dL/dZ over the batch "
                "instead: np.sum(dZ, axis=0), shape (C,).")
    if name == "db" and got in ((1,) + want, want + (1,)):
        return "db must have the shape of b, (C,): drop keepdims."
    return (f"A gradient has the shape of its parameter: dW is (D, C) and "
            f"db is (C,), here {want}.")


def _compare_pair(got: Any, want: tuple, args: tuple, mistakes: Mistakes,
                  shown: str) -> Feedback | None:
    """Compare the learner's ``(dW, db)`` with the reference; None if equal."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Feedback("wrong type",
                        f"grad_weights({shown}) returned {type(got).__name__}; a "
                        "pair (dW, db) was expected.",
                        "End the function with `return dW, db`.")
    N = len(args[0])
    for name, mine, ref in zip(("dW", "db"), got, want):
        fb = check_value(mine, ref, rtol=1e-6, atol=1e-10, what=f"{name} for ({shown})")
        if fb.status == "wrong shape":
            return Feedback(fb.status, fb.message,
                            _shape_hint(name, np.shape(mine), ref.shape, N))
        if not fb:
            if fb.status != "wrong value":
                return fb
            for wrong, hint in mistakes:
                try:
                    with np.errstate(all="ignore"):
                        other = wrong(*args)
                except Exception:
                    continue
                if all(_matches(m, o, rtol=1e-6, atol=1e-10)
                       for m, o in zip(got, other)):
                    return Feedback(fb.status, fb.message, hint)
            return Feedback(fb.status, fb.message,
                            "Compute dZ = (P - Y) / N first; then dW = X.T @ dZ "
                            "and db = np.sum(dZ, axis=0).")
    return None


def check_grad_weights(func: Any) -> Feedback:
    r"""Check ``grad_weights(X, W, b, labels)``, which returns ``(dW, db)``.

    For inputs X of shape (N, D), weights W of shape (D, C), biases b of
    shape (C,) and integer labels of shape (N,), the logits are
    :math:`Z = XW + b` and the loss is the mean cross-entropy.  The function
    must return :math:`\partial L / \partial W = X^{\mathsf T}(P - Y)/N`,
    shape (D, C), and :math:`\partial L / \partial b = \mathbf 1^{\mathsf T}
    (P - Y)/N`, shape (C,).

    Parameters
    ----------
    func : callable
        The learner's ``grad_weights``.

    Returns
    -------
    Feedback
        Correct when both gradients agree with the reference within
        ``rtol=1e-6, atol=1e-10`` on every test problem.  N, D and C all
        differ, so a transposed ``dW`` or a ``db`` summed over the wrong
        axis is a shape error with its own hint; one problem has logits near
        900, so a missing max subtraction shows.  A missing mean,
        a flipped sign, the elementwise softmax and a bias averaged twice
        also get their own hints.

    Examples
    --------
    >>> import numpy as np
    >>> import helpers
    >>> from helpers.checks.ch05 import check_grad_weights
    >>> def grad_weights(X, W, b, labels):
    ...     dZ = helpers.cross_entropy_grad(X @ W + b, labels)
    ...     return X.T @ dZ, dZ.sum(axis=0)
    >>> check_grad_weights(grad_weights).status
    'correct'
    >>> def transposed(X, W, b, labels):
    ...     dZ = helpers.cross_entropy_grad(X @ W + b, labels)
    ...     return dZ.T @ X, dZ.sum(axis=0)
    >>> print(check_grad_weights(transposed).hint)  # doctest: +ELLIPSIS
    dW is transposed...
    """
    if _not_attempted(func):
        return Feedback("not attempted", "grad_weights has not been written yet.",
                        "Fill in the function body and run the cell.")
    if not callable(func):
        return Feedback("wrong type",
                        f"grad_weights should be a function, got {type(func).__name__}.",
                        "Pass the function itself, without calling it.")
    mistakes = _weights_mistakes()
    for args in _weights_cases():
        shown = ", ".join(f"{name}{np.shape(a)}" for name, a in zip("XWby", args))
        try:
            with np.errstate(all="ignore"):
                got = func(*[np.array(a, copy=True) for a in args])
        except NotImplementedError:
            return Feedback("not attempted", "grad_weights still raises NotImplementedError.",
                            "Replace `raise NotImplementedError` with your code.")
        except Exception as exc:  # the learner's code failed: say how
            return Feedback("wrong value", f"grad_weights({shown}) raised "
                            f"{type(exc).__name__}: {exc}",
                            "Run it on arrays of these shapes yourself.")
        with np.errstate(all="ignore"):
            fb = _compare_pair(got, _weights_reference(*args), args, mistakes, shown)
        if fb is not None:
            return fb
    return Feedback("correct", "grad_weights agrees with the reference on every test "
                    "problem (rtol=1e-06, atol=1e-10).")
