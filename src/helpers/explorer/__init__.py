"""Explorers: charts a reader moves, drawn by Vega-Lite in the browser.

Every explorer of the book is one Altair chart whose parameters are bound to
sliders and radio buttons; the mathematics runs in Vega expressions over small
tables that NumPy computes once, so a move redraws the picture at once, as
vectors, in the static book and in a live kernel alike.

* :mod:`.vega`: the engine. :func:`~.vega.slider` makes a slider of at least
  41 positions that reads its value aloud; :class:`~.vega.VegaExplorer` shows
  a chart in the HTML book (with a still for print and PDF) and, in a kernel,
  as Altair's ``JupyterChart`` widget. ``controls.js`` (package data) labels
  the controls and lets marks be dragged, in both.
* :mod:`.charts`: the explorers of chapters 2, 3, 5 and 8;
  :mod:`.toy_surface` (chapter 6), :mod:`.descent` (chapter 7) and
  :mod:`.information` (chapter 9). Chapters 1 and 4 build theirs in the
  chapter itself.

The NumPy helpers stay the reference: the browser tests set every control to
random values and compare every number a chart holds with them.
"""
