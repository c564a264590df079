"""Benchmarks of the helpers numerics and of the book.

Run them with ``python3 tasks.py bench [speed|accuracy|book|all]`` (see
bench/run.py).  The modules:

* :mod:`bench.families`: hard families of logits, shared with
  ``tests/test_accuracy.py`` and the appendix (the mpmath reference is
  :mod:`helpers.reference`);
* :mod:`bench.competitors`: helpers, SciPy (or a transcription of it) and
  PyTorch (optional), behind one interface;
* :mod:`bench.speed`, :mod:`bench.accuracy`, :mod:`bench.book`: the three
  benchmarks;
* :mod:`bench.run`: the command line, and the tables it prints.
"""
