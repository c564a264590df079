"""Helpers for the book *Softmax and Cross-Entropy, Interactively*.

The modules, with dependencies pointing one way:

- :mod:`helpers.numerics`: softmax, log-softmax, log-sum-exp, cross-entropy
  and their gradients, in pure NumPy (re-exported here);
- :mod:`helpers.symbolic`: the SymPy counterparts used in the derivations;
- :mod:`helpers.plotting`: matplotlib drawings on the axes passed in;
- :mod:`helpers.explorer`: explorers drawn by Vega-Lite, live in a kernel and in the static book;
- :mod:`helpers.checks`: the exercise checks;
- :mod:`helpers.reference`: a high-precision mpmath reference;
- :mod:`helpers.training`: softmax regression trained by gradient descent;
- :mod:`helpers.mi`: Gaussian classes and mutual-information estimates;
- :mod:`helpers.chapters`: a chapter read as exercises and solution blocks;
- :mod:`helpers.assign`: student notebooks and nbgrader assignments (these
  two need the ``instructor`` extra: ``pip install .[instructor]``).

The data the chapters load, such as Fisher's iris measurements, are package
data in ``helpers/data`` (read through :mod:`importlib.resources`).

Importing ``helpers`` loads only NumPy.
"""

from .numerics import *  # noqa: F401,F403
from .numerics import __all__ as _numerics_all

__all__ = list(_numerics_all)

# The one place the version is written: pyproject.toml reads it from here
# (setuptools' dynamic version), and importlib.metadata reports it.
__version__ = "0.1.0"
