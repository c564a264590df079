"""Fixes for the PDF (jupyter-book's LaTeX builder); the HTML is untouched.

- **Links to exercises.** sphinx-exercise labels an exercise in LaTeX as
  ``exercise:<label>`` only, but a ``{ref}`` to it (the instructors' table,
  the chapters' own "see Exercise ..." links) points at Sphinx's usual
  ``<docname>:<label>``, so LaTeX reported every such link as undefined and
  printed it as plain text.  Each exercise now carries both labels.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _also_sphinx_label(visit):
    def wrapped(self, node) -> None:
        visit(self, node)
        if getattr(self, "builder", None) is not None and self.builder.format == "latex":
            # Before the admonition the original visitor opened, beside its label.
            self.body.insert(len(self.body) - 1, self.hypertarget(node["label"], anchor=False))
    return wrapped


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")  # its nodes first, then ours over them
    from sphinx_exercise import nodes as exercise_nodes

    for node, visit, depart in (
            (exercise_nodes.exercise_enumerable_node,
             exercise_nodes.visit_exercise_enumerable_node,
             exercise_nodes.depart_exercise_enumerable_node),
            (exercise_nodes.exercise_node,
             exercise_nodes.visit_exercise_node,
             exercise_nodes.depart_exercise_node)):
        app.add_node(node, override=True, latex=(_also_sphinx_label(visit), depart))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
