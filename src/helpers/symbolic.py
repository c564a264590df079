"""SymPy counterparts of the numerics, used by the chapters' derivations.

The derivations themselves live in the chapters; this module holds only
the pieces that several chapters reuse.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["logit_symbols", "softmax_exprs", "softmax_jacobian_expr"]


def logit_symbols(num_classes: int, name: str = "z") -> list[sp.Symbol]:
    """Real symbols ``z_0, ..., z_{C-1}`` for the logits.

    Examples
    --------
    >>> logit_symbols(3)
    [z_0, z_1, z_2]
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    return list(sp.symbols(f"{name}_0:{num_classes}", real=True))


def softmax_exprs(logits: list[sp.Expr]) -> list[sp.Expr]:
    """The softmax of symbolic logits, one expression per class.

    Examples
    --------
    >>> z = logit_symbols(2)
    >>> softmax_exprs(z)[0]
    exp(z_0)/(exp(z_0) + exp(z_1))
    """
    denom = sum(sp.exp(z) for z in logits)
    return [sp.exp(z) / denom for z in logits]


def softmax_jacobian_expr(num_classes: int) -> tuple[list[sp.Symbol], sp.Matrix]:
    """The logits and the simplified Jacobian matrix d p_i / d z_j.

    Examples
    --------
    >>> z, J = softmax_jacobian_expr(2)
    >>> s = softmax_exprs(z)
    >>> sp.simplify(J[0, 1] + s[0] * s[1])
    0
    """
    z = logit_symbols(num_classes)
    s = softmax_exprs(z)
    J = sp.Matrix(num_classes, num_classes, lambda i, j: sp.simplify(sp.diff(s[i], z[j])))
    return z, J
