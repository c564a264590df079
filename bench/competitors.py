"""The implementations the benchmarks compare: helpers, SciPy, PyTorch, and
the plain NumPy a reader would write.

Each implementation is a dict of callables on (N, C) logits along the
last axis, all built the way a reader would write them:

* ``softmax(z)``, ``log_softmax(z)`` and ``logsumexp(z)`` (one value per row);
* ``cross_entropy(z, labels)``: the per-sample losses (N,);
* ``loss(z, labels)`` and ``grad(z, labels)``: the mean loss and its gradient;
* ``loss_and_grad(z, labels)``: both from one call, only where the library
  has such a call (helpers' ``cross_entropy_and_grad``, PyTorch's forward
  and backward).  bench.speed times an implementation without it as its
  ``loss`` plus its ``grad``.

SciPy has no cross-entropy, so its loss is ``-log_softmax(z)[i, y_i]`` and
its gradient ``(softmax(z) - onehot(y)) / N``, and it has no
``loss_and_grad``.  When SciPy is not installed (the helpers package itself
does not need it), ``scipy_like`` falls back to a line-for-line NumPy
transcription of SciPy 1.17's ``softmax`` and ``log_softmax``, and says so
in its name.

``plain_impl`` is the four-line max-shift softmax and what a reader builds
on it, the yardstick for small arrays, where the cost is Python's and
NumPy's per-call overhead rather than the arithmetic.
"""

from __future__ import annotations

import numpy as np

import helpers.numerics as hn

__all__ = ["helpers_impl", "scipy_like", "plain_impl", "torch_impl",
           "implementations"]


def helpers_impl(module=hn):
    """The helpers functions (or those of another module with the same API)."""
    return {
        "softmax": module.softmax,
        "log_softmax": module.log_softmax,
        "logsumexp": module.logsumexp,
        "cross_entropy": lambda z, y: module.cross_entropy(z, y, reduction="none"),
        "loss": module.cross_entropy,
        "grad": module.cross_entropy_grad,
        "loss_and_grad": module.cross_entropy_and_grad,
    }


def _transcribed_softmax(x):
    # scipy/special/_logsumexp.py (SciPy 1.17), softmax, for real x
    x_max = np.max(x, axis=-1, keepdims=True)
    exp_x_shifted = np.exp(x - x_max)
    return exp_x_shifted / np.sum(exp_x_shifted, axis=-1, keepdims=True)


def _transcribed_log_softmax(x):
    # scipy/special/_logsumexp.py (SciPy 1.17), log_softmax, for real x
    x_max = np.max(x, axis=-1, keepdims=True)
    x_max = np.where(np.isfinite(x_max), x_max, 0)
    tmp = x - x_max
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(tmp), axis=-1, keepdims=True))
    return tmp - out


def _transcribed_logsumexp(x):
    # SciPy 1.17's logsumexp for real x: the max term kept out, then log1p
    x_max = np.max(x, axis=-1, keepdims=True)
    is_max = x == x_max
    count = np.sum(is_max, axis=-1, keepdims=True, dtype=x.dtype)
    s = np.sum(np.exp(np.where(is_max, -np.inf, x) - x_max), axis=-1,
               keepdims=True) / count
    return (np.log1p(s) + np.log(count) + x_max)[..., 0]


def scipy_like():
    """``(name, impl)``: SciPy if it is installed, else its transcription."""
    try:
        from scipy import special
    except ImportError:
        name = "SciPy (NumPy transcription)"
        softmax, log_softmax = _transcribed_softmax, _transcribed_log_softmax
        logsumexp = _transcribed_logsumexp
    else:
        name = "SciPy"
        def softmax(z):
            return special.softmax(z, axis=-1)
        def log_softmax(z):
            return special.log_softmax(z, axis=-1)
        def logsumexp(z):
            return special.logsumexp(z, axis=-1)

    def logsumexp(z):
        m = z.max(axis=-1, keepdims=True)
        return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]

    def cross_entropy(z, labels):
        return -log_softmax(z)[np.arange(len(labels)), labels]

    def grad(z, labels):
        probs = softmax(z)
        probs[np.arange(len(labels)), labels] -= 1
        probs /= len(labels)
        return probs

    return name, {
        "softmax": softmax, "log_softmax": log_softmax, "logsumexp": logsumexp,
        "cross_entropy": cross_entropy,
        "loss": lambda z, labels: cross_entropy(z, labels).mean(),
        "grad": grad,
    }


def plain_impl():
    """The plain max-shift NumPy versions, as a reader would write them.

    Four lines each and no checks: subtract the row maximum, exponentiate,
    normalise.  They are accurate enough for everyday logits and break on
    the hard ones (``nan`` for a row of ``-inf``, lost digits when one
    class dominates), so only their time is compared, on small arrays.
    """
    def softmax(z):
        m = z.max(axis=-1, keepdims=True)
        e = np.exp(z - m)
        return e / e.sum(axis=-1, keepdims=True)

    def log_softmax(z):
        shifted = z - z.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    def logsumexp(z):
        m = z.max(axis=-1, keepdims=True)
        return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]

    def cross_entropy(z, labels):
        return -log_softmax(z)[np.arange(len(labels)), labels]

    def grad(z, labels):
        probs = softmax(z)
        probs[np.arange(len(labels)), labels] -= 1
        return probs / len(labels)

    return {
        "softmax": softmax, "log_softmax": log_softmax, "logsumexp": logsumexp,
        "cross_entropy": cross_entropy,
        "loss": lambda z, labels: cross_entropy(z, labels).mean(),
        "grad": grad,
    }


def torch_impl():
    """PyTorch on the CPU, or None when it is not installed (it is optional)."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None

    def wrap(f):
        return lambda z, *rest: f(torch.from_numpy(z), *rest).numpy()

    def cross_entropy(z, labels):
        return F.cross_entropy(z, torch.from_numpy(labels), reduction="none")

    def grad(z, labels):
        z = z.clone().requires_grad_(True)
        F.cross_entropy(z, torch.from_numpy(labels)).backward()
        return z.grad

    def loss_and_grad(z, labels):  # one forward, one backward
        z = torch.from_numpy(z).requires_grad_(True)
        loss = F.cross_entropy(z, torch.from_numpy(labels))
        loss.backward()
        return float(loss), z.grad.numpy()

    return {
        "softmax": wrap(lambda z: torch.softmax(z, dim=-1)),
        "log_softmax": wrap(lambda z: torch.log_softmax(z, dim=-1)),
        "logsumexp": wrap(lambda z: torch.logsumexp(z, dim=-1)),
        "cross_entropy": wrap(cross_entropy),
        "loss": lambda z, labels: float(F.cross_entropy(
            torch.from_numpy(z), torch.from_numpy(labels))),
        "grad": wrap(grad),
        "loss_and_grad": loss_and_grad,
    }


def implementations(with_torch=True):
    """``{name: impl}`` for helpers, SciPy (or its transcription) and PyTorch."""
    found = {"helpers": helpers_impl()}
    name, impl = scipy_like()
    found[name] = impl
    torch = torch_impl() if with_torch else None
    if torch is not None:
        found["PyTorch"] = torch
    return found
