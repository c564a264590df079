"""Checks for the exercises of the chapter on softmax regression from scratch.

Each check takes the learner's value or function explicitly and returns a
:class:`~helpers.checks.Feedback`.  The typical mistakes (the 2 lambda
versus lambda convention, a penalised bias, a gradient without the 1/N,
a flipped sign, a dropped last mini-batch, a batch order ignored, an
argument modified in place, ...) are recognised and answered with a
specific hint.

The module depends only on :mod:`helpers.numerics` and
:mod:`helpers.checks._core`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..numerics import cross_entropy, cross_entropy_grad
from ._core import Feedback, _not_attempted, check_value, matches

__all__ = [
    "INITIAL_LOSS_CLASSES",
    "check_initial_loss",
    "check_loss_and_grad_folded",
    "check_sgd_epoch",
]

#: The number of classes in the exercise "The loss before training".
INITIAL_LOSS_CLASSES = 10

Mistake = tuple[Callable[..., Any], str]

_OVERFLOW_HINT = ("Large logits overflow in exp and give inf or nan. Use "
                  "helpers.log_softmax and helpers.softmax, or subtract each "
                  "row's maximum first.")


# --------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------

_matches = matches  # a known mistake's answer, recognised


def _unshifted_log_softmax(logits: np.ndarray) -> np.ndarray:
    """The overflowing log-softmax, used only to recognise that mistake."""
    with np.errstate(all="ignore"):
        weights = np.exp(logits)
        return np.log(weights / np.sum(weights, axis=-1, keepdims=True))


def _call(func: Any, name: str, args: Sequence[Any], kwargs: dict,
          shown: str) -> tuple[Any, Feedback | None]:
    """Call the learner's function on copies; return (result, feedback)."""
    try:
        with np.errstate(all="ignore"):
            got = func(*args, **kwargs)
    except NotImplementedError:
        return None, Feedback("not attempted", f"{name} still raises NotImplementedError.",
                              "Replace `raise NotImplementedError` with your code.")
    except Exception as exc:  # the learner's code failed: say how
        return None, Feedback("wrong value",
                              f"{name}({shown}) raised {type(exc).__name__}: {exc}",
                              "Run it on arrays of these shapes yourself.")
    return got, None


def _first_attempt(func: Any, name: str) -> Feedback | None:
    """Feedback for a missing or non-callable answer, else None."""
    if _not_attempted(func):
        return Feedback("not attempted", f"{name} has not been written yet.",
                        "Fill in the function body and run the cell.")
    if not callable(func):
        return Feedback("wrong type", f"{name} should be a function, got "
                        f"{type(func).__name__}.",
                        "Pass the function itself, without calling it.")
    return None


def _compare_pair(got: Any, want: tuple, names: tuple[str, str], shown: str,
                  what: str, *, rtol: float, atol: float) -> Feedback | None:
    """Compare a returned pair with the reference; None when both agree."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        kind = type(got).__name__ if not isinstance(got, (tuple, list)) \
            else f"{len(got)} values"
        return Feedback("wrong type",
                        f"{what}({shown}) returned {kind}; a pair "
                        f"({names[0]}, {names[1]}) was expected.",
                        f"End the function with `return {names[0]}, {names[1]}`.")
    for name, mine, ref in zip(names, got, want):
        fb = check_value(mine, ref, rtol=rtol, atol=atol,
                         what=f"{name} for ({shown})")
        if not fb:
            return fb
    return None


def _diagnose(got: Any, want: tuple, mistakes: Sequence[Mistake], args: tuple,
              kwargs: dict, *, rtol: float, atol: float) -> str:
    """The hint of the first known mistake that `got` reproduces.

    A mistake that reproduces the whole answer wins; otherwise one that
    reproduces the first wrong part of it.
    """
    results = []
    for wrong, hint in mistakes:
        try:
            with np.errstate(all="ignore"):
                other = wrong(*args, **kwargs)
        except Exception:
            continue
        results.append((other, hint))
    for other, hint in results:
        if all(_matches(m, o, rtol=rtol, atol=atol) for m, o in zip(got, other)):
            return hint
    for k, (mine, ref) in enumerate(zip(got, want)):
        if not _matches(mine, ref, rtol=rtol, atol=atol):
            for other, hint in results:
                if _matches(mine, other[k], rtol=rtol, atol=atol) and \
                        not _matches(other[k], ref, rtol=rtol, atol=atol):
                    return hint
            break
    return ""


# --------------------------------------------------------------------------
# Exercise: the loss before training
# --------------------------------------------------------------------------

def check_initial_loss(value: Any) -> Feedback:
    r"""Check the initial loss of a classifier with ten classes.

    With weights near zero, every logit is near zero, the softmax is near
    uniform, and each example's loss is :math:`-\log(1/C) = \log C`.  For
    :math:`C = 10` that is :math:`\ln 10 \approx 2.303` nats.

    Parameters
    ----------
    value : float
        The learner's number.

    Returns
    -------
    Feedback
        Correct within ``atol=1e-3`` (three decimals pass).  log10, log2,
        1/C, log 3 (the three-class value from the chapter), a flipped sign
        and an accuracy-like answer each get their own hint.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.checks.ch07 import check_initial_loss
    >>> check_initial_loss(np.log(10)).status
    'correct'
    >>> print(check_initial_loss(1.0).hint)  # doctest: +ELLIPSIS
    That is log10(10)...
    """
    C = INITIAL_LOSS_CLASSES
    expected = float(np.log(C))
    mistakes = [
        (1.0, "That is log10(10). The loss uses the natural logarithm: "
              "np.log, in nats."),
        (float(np.log2(C)), "That is log2(10), the loss in bits. The book "
                            "measures the loss in nats, with np.log."),
        (1 / C, "1/C = 0.1 is the probability of each class. The loss is "
                "minus the logarithm of the true class's probability."),
        (1 - 1 / C, "That is the error rate of a uniform guess. The loss is "
                    "-log p of the true class, with p = 1/C."),
        (float(np.log(3)), "log 3 is the value for the chapter's three "
                           "classes. Here there are C = 10."),
        (-expected, "The sign is flipped: the loss is -log(1/C), which is "
                    "positive."),
        (float(C), "The loss is a logarithm: -log(1/C)."),
    ]
    fb = check_value(value, expected, rtol=0.0, atol=1e-3,
                     what="the initial loss")
    if fb.status == "wrong shape":
        return Feedback(fb.status, fb.message, "Give one number, the mean loss.")
    if fb.status != "wrong value":
        return fb
    for wrong, hint in mistakes:
        if _matches(value, wrong, rtol=0.0, atol=1e-3):
            return Feedback(fb.status, fb.message, hint)
    return Feedback(fb.status, fb.message,
                    "With all logits equal, each class has probability 1/C. "
                    "What is -log of that?")


# --------------------------------------------------------------------------
# Exercise: folding the bias into the weights
# --------------------------------------------------------------------------

def _augment(X: np.ndarray) -> np.ndarray:
    return np.hstack([X, np.ones((len(X), 1))])               # (N, D + 1)


def _folded_parts(W_aug, X, labels, *, log_softmax_fn=None):
    """Data loss and data gradient of Z = [X, 1] W_aug (no penalty)."""
    X_aug = _augment(X)
    logits = X_aug @ W_aug                                    # (N, C)
    if log_softmax_fn is None:
        loss = cross_entropy(logits, labels)
    else:
        loss = -np.mean(log_softmax_fn(logits)[np.arange(len(X)), labels])
    dZ = cross_entropy_grad(logits, labels)                   # (N, C)
    return float(loss), X_aug.T @ dZ                          # (D + 1, C)


def _weights_only(W_aug: np.ndarray) -> np.ndarray:
    """W_aug with its bias row (the last) set to zero."""
    masked = np.array(W_aug, dtype=float, copy=True)
    masked[-1] = 0.0
    return masked


def _folded_reference(W_aug, X, labels, reg):
    loss, dW = _folded_parts(W_aug, X, labels)
    W = _weights_only(W_aug)
    return loss + 0.5 * reg * np.sum(W * W), dW + reg * W


def _folded_mistakes() -> list[Mistake]:
    """Wrong implementations of ``loss_and_grad_folded`` and their hints."""
    def penalty(loss_factor, grad_factor, *, bias=False, grad_sign=1.0):
        """The data term right; the penalty loss_factor * reg * ||W||^2
        with gradient grad_factor * reg * W (bias row included if `bias`)."""
        def wrong(W_aug, X, labels, reg):
            loss, dW = _folded_parts(W_aug, X, labels)
            W = W_aug if bias else _weights_only(W_aug)
            return (loss + loss_factor * reg * np.sum(W * W),
                    grad_sign * dW + grad_factor * reg * W)
        return wrong

    def bias_first(W_aug, X, labels, reg):
        X_aug = np.hstack([np.ones((len(X), 1)), X])
        logits = X_aug @ W_aug
        W = np.array(W_aug, dtype=float, copy=True)
        W[0] = 0.0
        return (float(cross_entropy(logits, labels)) + 0.5 * reg * np.sum(W * W),
                X_aug.T @ cross_entropy_grad(logits, labels) + reg * W)

    def unshifted(W_aug, X, labels, reg):
        loss, dW = _folded_parts(W_aug, X, labels,
                                 log_softmax_fn=_unshifted_log_softmax)
        W = _weights_only(W_aug)
        return loss + 0.5 * reg * np.sum(W * W), dW + reg * W

    def bias_zeroed(W_aug, X, labels, reg):
        W = _weights_only(W_aug)
        loss, dW = _folded_parts(W, X, labels)
        return loss + 0.5 * reg * np.sum(W * W), dW + reg * W

    def reg_over_n(W_aug, X, labels, reg):
        loss, dW = _folded_parts(W_aug, X, labels)
        W = _weights_only(W_aug)
        return loss + 0.5 * reg * np.sum(W * W) / len(X), dW + reg * W / len(X)

    def log10(W_aug, X, labels, reg):
        loss, dW = _folded_parts(W_aug, X, labels)
        W = _weights_only(W_aug)
        return (loss / np.log(10) + 0.5 * reg * np.sum(W * W),
                dW / np.log(10) + reg * W)

    def grad_times_n(W_aug, X, labels, reg):
        loss, dW = _folded_parts(W_aug, X, labels)
        W = _weights_only(W_aug)
        return loss + 0.5 * reg * np.sum(W * W), len(X) * dW + reg * W

    def summed(W_aug, X, labels, reg):
        loss, dW = _folded_parts(W_aug, X, labels)
        W = _weights_only(W_aug)
        return (len(X) * loss + 0.5 * reg * np.sum(W * W),
                len(X) * dW + reg * W)

    return [
        (penalty(0.5, 1.0, bias=True),
         "The bias row is penalised too. Only the first D rows of W_aug are "
         "weights: leave the last row (the bias) out of both the penalty and "
         "its gradient."),
        (penalty(0.0, 0.0),
         "The regularisation is missing from both the loss and the gradient: "
         "add (reg / 2) * ||W||^2 to the loss and reg * W to dW_aug."),
        (penalty(0.0, 1.0),
         "The loss has no penalty term, though the gradient has one: add "
         "(reg / 2) * np.sum(W ** 2), over the weight rows only."),
        (penalty(0.5, 0.0),
         "The gradient has no penalty term: add reg * W to the weight rows "
         "of dW_aug (and 0 to the bias row)."),
        (penalty(1.0, 2.0),
         "That is the other convention, reg * ||W||^2 with gradient "
         "2 * reg * W. The book's penalty is (reg / 2) * ||W||^2, with "
         "gradient reg * W."),
        (penalty(0.5, 2.0),
         "The gradient of (reg / 2) * ||W||^2 is reg * W, not 2 * reg * W."),
        (penalty(1.0, 1.0),
         "The book's penalty is (reg / 2) * ||W||^2, with the factor 1/2; "
         "your loss has reg * ||W||^2."),
        (penalty(0.5, -1.0),
         "The penalty's gradient has the wrong sign: it is +reg * W, which "
         "pulls the weights towards 0 when you step against it."),
        (penalty(0.5, 1.0, grad_sign=-1.0),
         "The data gradient has the wrong sign: it is X_aug.T @ (P - Y) / N, "
         "prediction minus target."),
        (grad_times_n,
         "The data gradient is N times too large: the data term is the mean "
         "over the examples, so its gradient is X_aug.T @ (P - Y) / N."),
        (summed,
         "The data term is summed over the examples, in the loss and in the "
         "gradient. The book's loss is the mean: divide both by N."),
        (bias_first,
         "The ones column must be the last column of X_aug, matching the "
         "bias in the last row of W_aug: np.hstack([X, ones])."),
        (bias_zeroed,
         "The logits ignore the bias: the bias row was set to 0 before the "
         "logits were computed, perhaps with W_aug[-1] = 0 on W_aug itself. "
         "Zero the last row of a copy (W = W_aug.copy()) for the penalty "
         "only."),
        (reg_over_n,
         "The penalty is added once to the mean loss; do not divide it by N."),
        (log10,
         "Use the natural logarithm (np.log): the loss is in nats."),
        (unshifted, _OVERFLOW_HINT),
    ]


def _folded_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(70)
    W_big = np.array([[3.0, -1.0, 2.5], [1.0, 2.0, -2.0], [0.5, -0.5, 0.0]])
    return [
        # N = 6, D = 3, C = 5 and D + 1 = 4 all differ; the bias row is far
        # from 0, so penalising it shows.
        (rng.normal(size=(4, 5)) + np.array([0, 0, 0, 2.0])[:, None],
         rng.normal(size=(6, 3)), np.array([0, 3, 1, 4, 2, 1]), 0.3),
        # Square: N = C = D + 1 = 3, so a transposed product keeps its shape.
        (rng.normal(size=(3, 3)), rng.normal(size=(3, 2)), np.array([2, 0, 1]), 1.5),
        # Logits near 1000: exp overflows without a shift.
        (W_big, np.array([[300.0, 100.0], [-200.0, 350.0], [250.0, -300.0],
                          [10.0, 400.0]]), np.array([1, 0, 2, 1]), 0.01),
    ]


def check_loss_and_grad_folded(func: Any) -> Feedback:
    r"""Check ``loss_and_grad_folded(W_aug, X, labels, reg)``.

    The bias is folded into the weights: ``W_aug`` of shape (D + 1, C)
    holds the weights W in its first D rows and the bias b in its last row,
    so that :math:`Z = [X, \mathbf 1]\, W_\text{aug} = XW + b`.  The
    function must return the pair ``(loss, dW_aug)``:

    .. math::

        L = \frac1N \sum_n -\log \operatorname{softmax}(z_n)_{y_n}
            + \frac{\lambda}{2} \lVert W \rVert^2, \qquad
        \frac{\partial L}{\partial W_\text{aug}}
            = [X, \mathbf 1]^{\mathsf T} \frac{P - Y}{N}
            + \lambda \begin{bmatrix} W \\ 0 \end{bmatrix},

    with the bias row not penalised.

    Parameters
    ----------
    func : callable
        The learner's ``loss_and_grad_folded``.

    Returns
    -------
    Feedback
        Correct when the loss and the gradient agree with the reference
        within ``rtol=1e-7, atol=1e-10`` on every test problem.  The
        problems have a bias row far from 0, a regularisation strength
        that is not 1, a square case (N = C = D + 1) and logits near 1000.
        A penalised bias, a missing penalty in the loss or in the gradient,
        the 2 lambda convention, a missing 1/N, a flipped sign, the ones
        column placed first, a bias row zeroed before the logits, a
        penalty divided by N, log10 and an overflowing exp each get their
        own hint.

    Examples
    --------
    >>> import numpy as np
    >>> import helpers
    >>> from helpers.checks.ch07 import check_loss_and_grad_folded
    >>> def loss_and_grad_folded(W_aug, X, labels, reg):
    ...     N = len(X)
    ...     X_aug = np.hstack([X, np.ones((N, 1))])
    ...     logits = X_aug @ W_aug
    ...     W = W_aug.copy()
    ...     W[-1] = 0
    ...     loss = helpers.cross_entropy(logits, labels) + reg / 2 * np.sum(W**2)
    ...     dW_aug = X_aug.T @ helpers.cross_entropy_grad(logits, labels)
    ...     return loss, dW_aug + reg * W
    >>> check_loss_and_grad_folded(loss_and_grad_folded).status
    'correct'
    >>> def penalises_bias(W_aug, X, labels, reg):
    ...     X_aug = np.hstack([X, np.ones((len(X), 1))])
    ...     logits = X_aug @ W_aug
    ...     loss = helpers.cross_entropy(logits, labels)
    ...     dW_aug = X_aug.T @ helpers.cross_entropy_grad(logits, labels)
    ...     return (loss + reg / 2 * np.sum(W_aug**2), dW_aug + reg * W_aug)
    >>> print(check_loss_and_grad_folded(penalises_bias).hint)
    ... # doctest: +ELLIPSIS
    The bias row is penalised too...
    """
    name = "loss_and_grad_folded"
    fb = _first_attempt(func, name)
    if fb is not None:
        return fb
    mistakes = _folded_mistakes()
    for args in _folded_cases():
        W_aug, X, labels, reg = args
        shown = (f"W_aug{W_aug.shape}, X{X.shape}, labels{labels.shape}, "
                 f"reg={reg}")
        got, fb = _call(func, name, [np.array(a, copy=True) for a in args[:3]]
                        + [reg], {}, shown)
        if fb is not None:
            return fb
        want = _folded_reference(*args)
        with np.errstate(all="ignore"):
            fb = _compare_pair(got, want, ("loss", "dW_aug"), shown, name,
                               rtol=1e-7, atol=1e-10)
        if fb is None:
            continue
        if fb.status == "wrong shape":
            return Feedback(fb.status, fb.message,
                            _folded_shape_hint(fb.message, got, W_aug.shape))
        if fb.status == "wrong value":
            hint = _diagnose(got, want, mistakes, args, {}, rtol=1e-7, atol=1e-10)
            return Feedback(fb.status, fb.message, hint or (
                "Build X_aug = np.hstack([X, ones]); the data gradient is "
                "X_aug.T @ (P - Y) / N; add (reg / 2) ||W||^2 and reg * W "
                "for the weight rows only."))
        return fb
    return Feedback("correct", f"{name} agrees with the reference on every test "
                    "problem (rtol=1e-07, atol=1e-10).")


def _folded_shape_hint(message: str, got: Any, shape: tuple) -> str:
    if message.startswith("loss"):
        return ("The loss is one number: the mean over the examples plus the "
                "penalty.")
    mine = np.shape(got[1])
    if mine == shape[::-1]:
        return "dW_aug is transposed: it has the shape of W_aug, (D + 1, C)."
    if mine == (shape[0] - 1, shape[1]):
        return ("dW_aug is missing the bias row: it has the shape of W_aug, "
                "(D + 1, C), with the bias gradient in the last row.")
    return f"dW_aug must have the shape of W_aug, here {shape}."


# --------------------------------------------------------------------------
# Exercise: one epoch of mini-batch SGD
# --------------------------------------------------------------------------

def _batch_grads(W, b, X, labels, reg):
    """Gradients of the regularised mean loss on one batch."""
    dZ = cross_entropy_grad(X @ W + b, labels)                # (B, C)
    return X.T @ dZ + reg * W, dZ.sum(axis=0)


def _epoch(W, b, X, labels, order, batch_size, lr, reg, *, batches=None,
           grads=_batch_grads):
    """Run the updates over `batches` (default: consecutive slices of order)."""
    W, b = np.array(W, dtype=float), np.array(b, dtype=float)
    if batches is None:
        batches = [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
    for batch in batches:
        dW, db = grads(W, b, X[batch], labels[batch], reg)
        W, b = W - lr * dW, b - lr * db
    return W, b


def _sgd_reference(W, b, X, labels, order, batch_size, lr, reg):
    return _epoch(W, b, X, labels, order, batch_size, lr, reg)


def _sgd_mistakes() -> list[Mistake]:
    """Wrong implementations of ``sgd_epoch`` and their hints."""
    def with_batches(make):
        def wrong(W, b, X, labels, order, batch_size, lr, reg):
            return _epoch(W, b, X, labels, order, batch_size, lr, reg,
                          batches=make(order, batch_size))
        return wrong

    def with_grads(grads):
        def wrong(W, b, X, labels, order, batch_size, lr, reg):
            return _epoch(W, b, X, labels, order, batch_size, lr, reg, grads=grads)
        return wrong

    def scaled(factor_of):
        def grads(W, b, X, labels, reg):
            dW, db = _batch_grads(W, b, X, labels, 0.0)
            f = factor_of(len(X))
            return f * dW + reg * W, f * db
        return grads

    def no_reg(W, b, X, labels, reg):
        return _batch_grads(W, b, X, labels, 0.0)

    def reg_bias(W, b, X, labels, reg):
        dW, db = _batch_grads(W, b, X, labels, reg)
        return dW, db + reg * b

    def ascent(W, b, X, labels, reg):
        dW, db = _batch_grads(W, b, X, labels, reg)
        return -dW, -db

    def data_ascent(W, b, X, labels, reg):
        dW, db = _batch_grads(W, b, X, labels, 0.0)
        return -dW + reg * W, -db

    def over_dataset(W, b, X, labels, order, batch_size, lr, reg):
        # The batch gradient divided by N (the data-set size) instead of B.
        N = len(order)
        return _epoch(W, b, X, labels, order, batch_size, lr, reg,
                      grads=scaled(lambda B: B / N))

    return [
        (with_batches(lambda order, B: [order[k:k + B]
                                        for k in range(0, len(order) - B + 1, B)]),
         "The last, smaller batch is missing. When batch_size does not divide "
         "N, the epoch ends with a batch of the N % batch_size examples left "
         "over: use range(0, N, batch_size)."),
        (with_batches(lambda order, B: [np.arange(len(order))[k:k + B]
                                        for k in range(0, len(order), B)]),
         "The batches ignore `order`: batch k must be "
         "order[k * batch_size:(k + 1) * batch_size], used as X[batch]."),
        (with_batches(lambda order, B: [order[k:k + B]
                                        for k in range(-(-len(order) // B))]),
         "Consecutive batches overlap: batch k starts at k * batch_size, not "
         "at k. Use range(0, N, batch_size) for the start."),
        (with_batches(lambda order, B: [order[:B]]),
         "Only one step was taken. An epoch runs through all the batches: "
         "ceil(N / batch_size) steps."),
        (with_batches(lambda order, B: [order] * -(-len(order) // B)),
         "Every step used the whole data set. Each step uses only its own "
         "batch, X[batch] and labels[batch]."),
        (with_grads(ascent),
         "The parameters moved uphill: subtract lr times the gradient, "
         "W - lr * dW."),
        (with_grads(data_ascent),
         "The data gradient has the wrong sign: it is X.T @ (P - Y) / B."),
        (with_grads(no_reg),
         "The regularisation is missing: each batch gradient includes reg * W "
         "(pass reg to loss_and_grad)."),
        (with_grads(reg_bias),
         "The bias is regularised too. The penalty (reg / 2) ||W||^2 covers "
         "W only, so db has no reg * b term."),
        (with_grads(scaled(lambda B: B)),
         "Each step is B times too large: the batch loss is the mean over the "
         "batch, so its gradient carries 1/B, not a plain sum."),
        (over_dataset,
         "The batch gradient was divided by N, the size of the whole data "
         "set. Each batch loss is the mean over its own B examples: divide by "
         "the batch's length (loss_and_grad on the batch does this)."),
    ]


def _sgd_cases() -> list[tuple[tuple, dict]]:
    rng = np.random.default_rng(71)

    def case(N, D, C, batch_size, lr, reg, scale=1.0):
        X = scale * rng.normal(size=(N, D))
        labels = rng.integers(0, C, size=N)
        W = rng.normal(size=(D, C))
        b = rng.normal(size=C)
        order = rng.permutation(N)
        return (W, b, X, labels, order), {"batch_size": batch_size, "lr": lr,
                                          "reg": reg}

    return [
        case(10, 2, 3, 4, 0.5, 0.1),        # batches 4, 4, 2: a short last one
        case(7, 3, 4, 7, 0.3, 0.2),         # one batch: a full-batch step
        case(6, 4, 3, 1, 0.2, 0.05),        # batches of one
        case(9, 2, 3, 3, 0.1, 0.01, scale=400.0),   # logits in the hundreds
    ]


def check_sgd_epoch(func: Any) -> Feedback:
    r"""Check ``sgd_epoch(W, b, X, labels, order, batch_size, lr, reg)``.

    The function runs one epoch of mini-batch gradient descent on the
    regularised softmax-regression loss and returns the new pair
    ``(W, b)``.  The batches are consecutive slices of ``order`` (a
    permutation of the example indices): ``order[0:B]``,
    ``order[B:2B]``, ..., the last one shorter when B does not divide N.
    Each step subtracts ``lr`` times the gradient of the batch's mean loss
    plus :math:`\frac{\lambda}{2} \lVert W \rVert^2`.  The arrays passed
    in must not be modified.

    Parameters
    ----------
    func : callable
        The learner's ``sgd_epoch``.  It is called with ``W, b, X, labels,
        order`` positionally and ``batch_size``, ``lr`` and ``reg`` as
        keywords.

    Returns
    -------
    Feedback
        Correct when the final W and b agree with the reference within
        ``rtol=1e-7, atol=1e-10`` on every test problem and no argument
        was modified.  A dropped last batch, ignoring ``order``,
        overlapping batches, a single step, full-batch steps, a flipped
        sign, a missing penalty, a penalised bias, a batch sum instead of a
        mean and a gradient divided by N instead of B each get their own
        hint.

    Examples
    --------
    >>> import numpy as np
    >>> import helpers
    >>> from helpers.checks.ch07 import check_sgd_epoch
    >>> def sgd_epoch(W, b, X, labels, order, batch_size, lr, reg):
    ...     for start in range(0, len(order), batch_size):
    ...         batch = order[start:start + batch_size]
    ...         dZ = helpers.cross_entropy_grad(X[batch] @ W + b, labels[batch])
    ...         W = W - lr * (X[batch].T @ dZ + reg * W)
    ...         b = b - lr * dZ.sum(axis=0)
    ...     return W, b
    >>> check_sgd_epoch(sgd_epoch).status
    'correct'
    """
    name = "sgd_epoch"
    fb = _first_attempt(func, name)
    if fb is not None:
        return fb
    mistakes = _sgd_mistakes()
    for args, kwargs in _sgd_cases():
        W, b, X, labels, order = args
        shown = (f"W{W.shape}, b{b.shape}, X{X.shape}, labels{labels.shape}, "
                 f"order{order.shape}, batch_size={kwargs['batch_size']}")
        given = [np.array(a, copy=True) for a in args]
        got, fb = _call(func, name, given + list(kwargs.values()), {}, shown)
        if fb is not None:
            return fb
        want = _sgd_reference(*args, **kwargs)
        with np.errstate(all="ignore"):
            fb = _compare_pair(got, want, ("W", "b"), shown, name,
                               rtol=1e-7, atol=1e-10)
        if fb is not None:
            if fb.status == "wrong shape":
                return Feedback(fb.status, fb.message,
                                "Return the updated W, shape (D, C), and b, "
                                "shape (C,), in that order.")
            if fb.status == "wrong value":
                hint = _diagnose(got, want, mistakes, args, kwargs,
                                 rtol=1e-7, atol=1e-10)
                return Feedback(fb.status, fb.message, hint or (
                    "For each batch = order[start:start + batch_size], compute "
                    "the gradients of the regularised mean loss on X[batch], "
                    "then W = W - lr * dW and b = b - lr * db."))
            return fb
        for arg_name, before, after in zip(("W", "b", "X", "labels", "order"),
                                           args, given):
            if not np.array_equal(before, after):
                return Feedback(
                    "wrong value",
                    f"{name} changed the array `{arg_name}` that was passed in.",
                    "Write W = W - lr * dW (a new array) rather than "
                    "W -= lr * dW, which overwrites the caller's weights.")
    return Feedback("correct", f"{name} agrees with the reference on every test "
                    "problem (rtol=1e-07, atol=1e-10) and leaves its arguments "
                    "unchanged.")
