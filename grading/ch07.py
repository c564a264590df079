"""The exercises of the chapter on softmax regression: references and known mistakes.

``python -m grading.freeze`` stores what they give in ``helpers/checks/data/ch07.*``.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes import (grad_from_probs, log_of_softmax, mean_nll, shifted_log_softmax,
                              shifted_softmax)
from helpers.checks.cases import (BY_HAND, LOG10_HINT, LOG_OF_SOFTMAX_HINT, SHIFT_ROWS,
                                  UNDERFLOW_ROW, shift_hints)
from helpers.checks.ch07 import INITIAL_LOSS_CLASSES
from helpers.checks.engine import (Case, FunctionExercise, Mistake, Tolerance,
                                   ValueExercise)
from helpers.numerics import cross_entropy, cross_entropy_grad

# float64 log-softmax arithmetic agrees to ~1e-13 here (losses up to ~800, gradients ~1e3).
_CODE = Tolerance(rtol=1e-7, atol=1e-10)

_SHIFT_HINTS = shift_hints(750, SHIFT_ROWS["min"][0], SHIFT_ROWS["mean"][0],
                           "helpers.log_softmax and helpers.softmax")
# One batch per row of SHIFT_ROWS, the row and one of moderate logits, as
# (rows, labels, why); each label on its row's largest logit.
_SHIFT_BATCHES = [((SHIFT_ROWS[shift][0], second), labels, SHIFT_ROWS[shift][1])
                  for shift, second, labels in (("zero", (741.0, 752.0, 748.0), [0, 1]),
                                                ("min", (-400.0, 400.0, 400.0), [1, 2]),
                                                ("mean", (1.0, 2.0, 3.0), [0, 2]))]


# -- The loss before training: log C for C = 10 -----------------------
_LOG_C = float(np.log(INITIAL_LOSS_CLASSES))
INITIAL_LOSS = ValueExercise(
    "initial_loss", _LOG_C, BY_HAND,
    [Mistake(1.0, "That is log10(10). The loss uses the natural logarithm: np.log, in nats."),
     Mistake(np.log2(10), "That is log2(10), the loss in bits. The book measures the "
                          "loss in nats, with np.log."),
     Mistake(0.1, "1/C = 0.1 is the probability of each class. The loss is minus the "
                  "logarithm of the true class's probability."),
     Mistake(0.9, "That is the error rate of a uniform guess. The loss is -log p of the "
                  "true class, with p = 1/C."),
     Mistake(np.log(3), "log 3 is the value for the chapter's three classes. Here there "
                        "are C = 10."),
     Mistake(-_LOG_C, "The sign is flipped: the loss is -log(1/C), which is positive."),
     Mistake(10.0, "The loss is a logarithm: -log(1/C).")],
    shape_hint="Give one number, the mean loss.",
    value_hint="With all logits equal, each class has probability 1/C. What is -log of that?")


# -- Folding the bias into the weights -----------------------------------
def _folded(W_aug, X, labels, reg, *, loss_reg=0.5, grad_reg=1.0, bias=False,
            loss_data=1.0, grad_data=1.0, sum_loss=False, sum_grad=False,
            penalty_over_n=False, ones_first=False, bias_zeroed=False, shift=None,
            log_probs=None):
    """loss_and_grad_folded, right with the defaults; every other option is one mistake.

    The loss is ``loss_data * CE + loss_reg * reg * ||W||^2``, the gradient ``grad_data *
    X_aug.T @ (P - Y) / N + grad_reg * reg * W``; the rest sum, penalise the bias, put the
    ones first, zero the bias before the logits, or take a wrong (log-)softmax.
    """
    N = len(X)
    ones = np.ones((N, 1))
    X_aug = np.hstack([ones, X] if ones_first else [X, ones])       # (N, D + 1)
    W = np.array(W_aug, dtype=float, copy=True)
    if not bias:
        W[0 if ones_first else -1] = 0.0                             # weights only
    logits = X_aug @ (W if bias_zeroed else W_aug)                   # (N, C)
    if shift is None:
        loss = cross_entropy(logits, labels) if log_probs is None else \
            mean_nll(log_probs(logits), labels)
        dZ = cross_entropy_grad(logits, labels)                      # (N, C)
    else:
        loss = mean_nll(shifted_log_softmax(logits, shift), labels)
        dZ = grad_from_probs(shifted_softmax(logits, shift), labels)
    penalty = reg / (N if penalty_over_n else 1)
    return ((N if sum_loss else 1) * loss_data * loss + loss_reg * penalty * np.sum(W * W),
            (N if sum_grad else 1) * grad_data * (X_aug.T @ dZ) + grad_reg * penalty * W)


def _folded_mistake(hint: str, **options) -> Mistake:
    return Mistake(lambda W_aug, X, labels, reg: _folded(W_aug, X, labels, reg, **options), hint)


def _folded_case(rows, labels, why, reg=0.01):
    """W_aug = [I; b]: the logits are the rows of X plus a small bias."""
    W_aug = np.vstack([np.eye(3), [0.5, -0.5, 0.0]])                 # (4, 3)
    return Case((W_aug, np.array(rows), np.array(labels), reg), why=why)


_RNG = np.random.default_rng(70)
LOSS_AND_GRAD_FOLDED = FunctionExercise(
    "loss_and_grad_folded", _folded,
    [Case((_RNG.normal(size=(4, 5)) + np.array([[0.0], [0.0], [0.0], [2.0]]),
           _RNG.normal(size=(6, 3)), np.array([0, 3, 1, 4, 2, 1]), 0.3),
          why="N = 6, D + 1 = 4, C = 5 all differ, and the bias row is far from 0"),
     Case((_RNG.normal(size=(3, 3)), _RNG.normal(size=(3, 2)), np.array([2, 0, 1]), 1.5),
          why="a square problem, N = C = D + 1 = 3, so a transposed product keeps its shape"),
     *(_folded_case(*batch) for batch in _SHIFT_BATCHES),
     _folded_case((UNDERFLOW_ROW[0], (0.0, 1.0, 2.0)), [2, 1], UNDERFLOW_ROW[1])],
    _CODE,
    [_folded_mistake("The bias row is penalised too. Only the first D rows of W_aug are "
                     "weights: leave the last row (the bias) out of both the penalty and "
                     "its gradient.", bias=True),
     _folded_mistake("The regularisation is missing from both the loss and the gradient: "
                     "add (reg / 2) * ||W||^2 to the loss and reg * W to dW_aug.",
                     loss_reg=0.0, grad_reg=0.0),
     _folded_mistake("The loss has no penalty term, though the gradient has one: add "
                     "(reg / 2) * np.sum(W ** 2), over the weight rows only.",
                     loss_reg=0.0),
     _folded_mistake("The gradient has no penalty term: add reg * W to the weight rows of "
                     "dW_aug (and 0 to the bias row).", grad_reg=0.0),
     _folded_mistake("That is the other convention, reg * ||W||^2 with gradient "
                     "2 * reg * W. The book's penalty is (reg / 2) * ||W||^2, with "
                     "gradient reg * W.", loss_reg=1.0, grad_reg=2.0),
     _folded_mistake("The gradient of (reg / 2) * ||W||^2 is reg * W, not 2 * reg * W.",
                     grad_reg=2.0),
     _folded_mistake("The book's penalty is (reg / 2) * ||W||^2, with the factor 1/2; "
                     "your loss has reg * ||W||^2.", loss_reg=1.0),
     _folded_mistake("The penalty's gradient has the wrong sign: it is +reg * W, which "
                     "pulls the weights towards 0 when you step against it.",
                     grad_reg=-1.0),
     _folded_mistake("The data gradient has the wrong sign: it is X_aug.T @ (P - Y) / N, "
                     "prediction minus target.", grad_data=-1.0),
     _folded_mistake("The data gradient is N times too large: the data term is the mean "
                     "over the examples, so its gradient is X_aug.T @ (P - Y) / N.",
                     sum_grad=True),
     _folded_mistake("The data term is summed over the examples, in the loss and in the "
                     "gradient. The book's loss is the mean: divide both by N.",
                     sum_loss=True, sum_grad=True),
     _folded_mistake("The ones column must be the last column of X_aug, matching the bias "
                     "in the last row of W_aug: np.hstack([X, ones]).", ones_first=True),
     _folded_mistake("The logits ignore the bias: the bias row was set to 0 before the logits were "
                     "computed, perhaps with W_aug[-1] = 0 on W_aug itself. Zero the last row of a "
                     "copy (W = W_aug.copy()) for the penalty only.", bias_zeroed=True),
     _folded_mistake("The penalty is added once to the mean loss; do not divide it by N.",
                     penalty_over_n=True),
     _folded_mistake(LOG10_HINT, loss_data=1 / np.log(10), grad_data=1 / np.log(10)),
     *(_folded_mistake(_SHIFT_HINTS[s], shift=s) for s in ("mean", "min", "zero")),
     _folded_mistake(LOG_OF_SOFTMAX_HINT, log_probs=log_of_softmax),
     Mistake(lambda *args: (_folded(*args)[0], _folded(*args)[1].T),
             "dW_aug is transposed: it has the shape of W_aug, (D + 1, C)."),
     Mistake(lambda *args: (_folded(*args)[0], _folded(*args)[1][:-1]),
             "dW_aug is missing the bias row: it has the shape of W_aug, (D + 1, C), "
             "with the bias gradient in the last row.")],
    shape_hint="Return the loss, one number, and dW_aug, which has the shape of W_aug, (D + 1, C).",
    value_hint="Build X_aug = np.hstack([X, ones]); the data gradient is X_aug.T @ (P - Y) / N; "
               "add (reg / 2) ||W||^2 and reg * W for the weight rows only.",
    outputs=("loss", "dW_aug"))


# -- One epoch of mini-batch SGD ------------------------------------------
def _batch_grads(W, b, X, labels, reg, *, shift=None):
    """Gradients of the batch's mean loss plus (reg / 2) ||W||^2; `shift` is a mistake."""
    if shift is None:
        dZ = cross_entropy_grad(X @ W + b, labels)                   # (P - Y) / B
    else:
        dZ = grad_from_probs(shifted_softmax(X @ W + b, shift), labels)
    return X.T @ dZ + reg * W, dZ.sum(axis=0)                        # (D, C), (C,)


def _epoch(W, b, X, labels, order, batch_size, lr, reg, *, batches=None,
           grads=_batch_grads):
    """sgd_epoch over `batches` (by default consecutive slices of `order`)."""
    if batches is None:
        batches = [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
    for batch in batches:
        dW, db = grads(W, b, X[batch], labels[batch], reg)
        W, b = W - lr * dW, b - lr * db                              # new arrays
    return W, b


def _epoch_mistake(hint: str, *, batches=None, change=None, shift=None) -> Mistake:
    """A wrong epoch, with one of its three parts wrong.

    `batches(order, B)` cuts `order` wrongly, ``change(dW, db, W, b, reg, B, N)`` makes a
    batch's gradients from its data gradients, or `shift` shifts the softmax wrongly.
    """
    def wrong(W, b, X, labels, order, batch_size, lr, reg):
        def grads(W, b, X, y, reg):
            if change is None:
                return _batch_grads(W, b, X, y, reg, shift=shift)
            return change(*_batch_grads(W, b, X, y, 0.0), W, b, reg, len(X), len(order))
        return _epoch(W, b, X, labels, order, batch_size, lr, reg, grads=grads,
                      batches=batches(order, batch_size) if batches else None)
    return Mistake(wrong, hint)


def _sgd_case(N, D, C, batch_size, lr, reg, why):
    X = _RNG.normal(size=(N, D))
    return Case((_RNG.normal(size=(D, C)), _RNG.normal(size=C), X,
                 _RNG.integers(0, C, size=N), _RNG.permutation(N)),
                {"batch_size": batch_size, "lr": lr, "reg": reg}, why)


def _sgd_overflow_case(rows, labels, why):
    """One full batch from W = I, b = 0, so that the logits are the rows."""
    return Case((np.eye(3), np.zeros(3), np.array(rows), np.array(labels),
                 np.array([1, 0])),
                {"batch_size": 2, "lr": 0.1, "reg": 0.01}, why)


SGD_EPOCH = FunctionExercise(
    "sgd_epoch", _epoch,
    [_sgd_case(10, 2, 3, 4, 0.5, 0.1, "batches of 4, 4 and 2: the last one is shorter"),
     _sgd_case(7, 3, 4, 7, 0.3, 0.2, "one batch of all 7 examples: a full-batch step"),
     _sgd_case(6, 4, 3, 1, 0.2, 0.05, "batches of one example each"),
     *(_sgd_overflow_case(*batch) for batch in _SHIFT_BATCHES)],
    _CODE,
    [_epoch_mistake("The last, smaller batch is missing. When batch_size does not divide N, the "
                    "epoch ends with a batch of the N % batch_size examples left over: use "
                    "range(0, N, batch_size).",
                    batches=lambda order, B: [order[k:k + B]
                                              for k in range(0, len(order) - B + 1, B)]),
     _epoch_mistake("The batches ignore `order`: batch k must be "
                    "order[k * batch_size:(k + 1) * batch_size], used as X[batch].",
                    batches=lambda order, B: [np.arange(len(order))[k:k + B]
                                              for k in range(0, len(order), B)]),
     _epoch_mistake("Consecutive batches overlap: batch k starts at k * batch_size, not at k. "
                    "Use range(0, N, batch_size) for the start.",
                    batches=lambda order, B: [order[k:k + B] for k in range(-(-len(order) // B))]),
     _epoch_mistake("Only one step was taken. An epoch runs through all the batches: "
                    "ceil(N / batch_size) steps.", batches=lambda order, B: [order[:B]]),
     _epoch_mistake("Every step used the whole data set. Each step uses only its own batch, "
                    "X[batch] and labels[batch].",
                    batches=lambda order, B: [order] * -(-len(order) // B)),
     _epoch_mistake("The parameters moved uphill: subtract lr times the gradient, "
                    "W - lr * dW.", change=lambda dW, db, W, b, reg, B, N: (-dW - reg * W, -db)),
     _epoch_mistake("The data gradient has the wrong sign: it is X.T @ (P - Y) / B.",
                    change=lambda dW, db, W, b, reg, B, N: (-dW + reg * W, -db)),
     _epoch_mistake("The regularisation is missing: each batch gradient includes reg * W "
                    "(pass reg to loss_and_grad).",
                    change=lambda dW, db, W, b, reg, B, N: (dW, db)),
     _epoch_mistake("The bias is regularised too. The penalty (reg / 2) ||W||^2 covers W "
                    "only, so db has no reg * b term.",
                    change=lambda dW, db, W, b, reg, B, N: (dW + reg * W, db + reg * b)),
     _epoch_mistake("Each step is B times too large: the batch loss is the mean over the "
                    "batch, so its gradient carries 1/B, not a plain sum.",
                    change=lambda dW, db, W, b, reg, B, N: (B * dW + reg * W, B * db)),
     _epoch_mistake("The batch gradient was divided by N, the size of the whole data "
                    "set. Each batch loss is the mean over its own B examples: divide by "
                    "the batch's length (loss_and_grad on the batch does this).",
                    change=lambda dW, db, W, b, reg, B, N: (B / N * dW + reg * W, B / N * db)),
     *(_epoch_mistake(_SHIFT_HINTS[s], shift=s) for s in ("mean", "min", "zero"))],
    shape_hint="Return the updated W, shape (D, C), and b, shape (C,), in that order.",
    value_hint="For each batch = order[start:start + batch_size], compute the gradients of the "
               "regularised mean loss on X[batch], then W = W - lr * dW and b = b - lr * db.",
    outputs=("W", "b"),
    inputs_kept="Write W = W - lr * dW (a new array) rather than W -= lr * dW, which "
                "overwrites the caller's weights.")


# -- Full-batch gradient descent with the bias folded in ----------------------
def _train_gd(W_aug, X, labels, lr, reg, steps, *, after=False, sign=1.0, **options):
    """train_gd, right with the defaults.

    `options` go to :func:`_folded` (each one a mistake in the loss or its gradient),
    `after` records the loss after each step instead of before it, and `sign` = -1
    steps uphill.
    """
    losses = []
    for _ in range(steps):
        loss, dW_aug = _folded(W_aug, X, labels, reg, **options)
        W_aug = W_aug - sign * lr * dW_aug                               # a new array
        losses.append(_folded(W_aug, X, labels, reg, **options)[0] if after else loss)
    return W_aug, np.array(losses)


def _train_mistake(hint: str, **options) -> Mistake:
    return Mistake(lambda W_aug, X, labels, lr, reg, steps:
                   _train_gd(W_aug, X, labels, lr, reg, steps, **options), hint)


def _train_case(W_aug, X, labels, lr, reg, steps, why):
    return Case((W_aug, X, np.array(labels), lr, reg, steps), why=why)


TRAIN_GD = FunctionExercise(
    "train_gd", _train_gd,
    [_train_case(_RNG.normal(size=(4, 5)) + np.array([[0.0], [0.0], [0.0], [1.0]]),
                 _RNG.normal(size=(6, 3)), [0, 3, 1, 4, 2, 1], 0.3, 0.2, 4,
                 "N = 6, D + 1 = 4, C = 5 all differ, 4 steps, and the bias row is far from 0"),
     _train_case(_RNG.normal(size=(3, 3)), _RNG.normal(size=(3, 2)), [2, 0, 1], 0.5, 0.5, 3,
                 "a square problem, N = C = D + 1 = 3"),
     _train_case(np.vstack([np.eye(3), [0.5, -0.5, 0.0]]),
                 np.array(UNDERFLOW_ROW[0] + (0.0, 1.0, 2.0)).reshape(2, 3), [2, 1],
                 0.01, 0.01, 2, UNDERFLOW_ROW[1])],
    _CODE,
    [_train_mistake("The gradient is missing its penalty term: each step needs "
                    "reg * W in the weight rows of dW_aug.", grad_reg=0.0),
     _train_mistake("The data term is summed over the examples instead of averaged: "
                    "divide the loss and its gradient by N.", sum_loss=True, sum_grad=True),
     _train_mistake("The bias row is regularised too. The penalty (reg / 2) ||W||^2 covers "
                    "the first D rows of W_aug only.", bias=True),
     _train_mistake("losses[k] must be the loss before step k, at the parameters the "
                    "step starts from; yours are the losses after each step.", after=True),
     _train_mistake("The steps go uphill: W_aug = W_aug - lr * dW_aug.", sign=-1.0),
     _train_mistake("The gradient of (reg / 2) ||W||^2 is reg * W, not 2 * reg * W.",
                    grad_reg=2.0)],
    shape_hint="Return W_aug, shape (D + 1, C), and losses, one loss per step: "
               "shape (steps,).",
    value_hint="Repeat `steps` times: loss, dW_aug = loss_and_grad_folded(W_aug, X, labels, "
               "reg); record the loss; W_aug = W_aug - lr * dW_aug.",
    outputs=("W_aug", "losses"),
    inputs_kept="W_aug -= lr * dW_aug changes the caller's array in place: write "
                "W_aug = W_aug - lr * dW_aug, which makes a new one.")


EXERCISES = {"check_initial_loss": (INITIAL_LOSS,),
             "check_loss_and_grad_folded": (LOSS_AND_GRAD_FOLDED,), "check_sgd_epoch": (SGD_EPOCH,),
             "check_train_gd": (TRAIN_GD,)}
