"""What the tests, the benchmarks and the preview tool need to drive the book
in a browser, written once.

* :mod:`tests.support.server`: a static HTTP server on loopback;
* :mod:`tests.support.chromium`: Debian's headless Chromium through Playwright;
* :mod:`tests.support.lab`: a chapter in a real JupyterLab, driven as a student would;
* :mod:`tests.support.pages`: what a reader's browser should find on a built page;
* :mod:`tests.support.book`: the pages of the table of contents.

Everything imports it as ``tests.support`` (the repository root is on the
path: pytest's ``pythonpath``, or ``python -m bench.run`` run from the root),
so ``tests/conftest.py`` keeps pytest from collecting it a second time as
``support``.  Playwright, jupytext and PyYAML are imported only where they
are used, so that importing a module here costs nothing.
"""
