"""Tools for the book's authors, and :mod:`tools.project`, the settings that
``tasks.py``, the tests and the benchmarks share."""
