"""Numbers computed in a chapter's cells, glued into its prose.

A number the prose quotes comes from the cell that computes it: the cell calls
:func:`glue` and the text writes ``{glue:text}`name:.3f```, which myst-nb
replaces with the value when the book is built. The prose and the output can
then never disagree.

:func:`glue` is myst-nb's ``glue`` with two differences. It converts NumPy
scalars to Python numbers first: NumPy 2 shows ``np.float64(0.5)``, which
myst-nb's format specifiers cannot read. And it does nothing where myst-nb is
not installed (a hub that installs only this package), since the glued value
is hidden in a notebook anyway and matters only to the built book.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

__all__ = ["glue"]


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)) and all(isinstance(v, (Number, np.generic)) for v in value):
        return type(value)(_plain(v) for v in value)
    return value


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store ``value`` under ``name`` for ``{glue:text}`` in the chapter's prose.

    Parameters
    ----------
    name : str
        The key the prose uses, unique within the chapter.
    value : object
        The number (or text) to quote. NumPy scalars become Python numbers.
    display : bool, optional
        Show the value in the cell's output as well (default: hidden).

    Returns
    -------
    object
        ``value``, converted, so a cell can glue and use a number in one line.

    Examples
    --------
    >>> from helpers.glue import glue
    >>> glue("p_max", np.float64(0.665))
    0.665
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    value = _plain(value)
    try:
        from IPython import get_ipython
        from myst_nb import glue as _myst_glue
    except ImportError:  # a student's environment without the book's build tools
        return value
    if get_ipython() is not None:  # only a kernel has somewhere to put the output
        _myst_glue(name, value, display=display)
    return value
