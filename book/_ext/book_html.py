"""Small HTML-build additions for the book.

- MathJax is served from the build itself, not from a CDN.
- Repeated inline scripts are dropped (they raise console errors).
- Bibliography entries get the ARIA role their list needs.
- Exercise solutions always start folded, and code cells do not show the
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines kept for nbgrader.
- A check cell shows the neutral state of a check no one has run (the page
  has no kernel); the verdict it gave on the worked solution, when the book
  was built, is shown at the end of that solution (see :func:`show_check`).
- A solution's title opens the solution instead of linking to its exercise.
- "Live Code" says plainly that it needs the internet when thebe cannot be
  loaded (``_static/live-code.js``).
- ``BOOK_NO_SOLUTIONS=1`` builds the edition without solutions (see
  :func:`set_no_solutions`).
- The ``{exercise-table}`` directive lists the chapters' exercises, for the
  instructor's guide.

MathJax 3 comes from the pinned PyPI package ``django-static-mathjax``
(a plain copy of MathJax's npm release).  At build time the parts the
pages use are copied into ``_static/mathjax`` and Sphinx is pointed at
them, so the book renders its math with no network access.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

# The combined TeX/MathML-to-HTML build, the TeX extensions it may
# autoload, its fonts, and the accessibility components of its menu.
MATHJAX_PARTS = ["tex-mml-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "ui"]
MATHJAX_URL = "mathjax/tex-mml-chtml.js"


def mathjax_source() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("MathJax is missing: install the pinned requirements "
                             "(django-static-mathjax) with `python3 tasks.py build`.")
    root = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    if not (root / MATHJAX_PARTS[0]).is_file():
        raise ExtensionError(f"MathJax's es5 build is not at {root}")
    return root


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if not src.exists():
            continue
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    licence = source.parent / "LICENSE"
    if licence.is_file():
        shutil.copy2(licence, target / "LICENSE")


def point_at_local_mathjax(app: Sphinx, config) -> None:
    mathjax_source()  # fail early, with a clear message, when it is missing
    config.mathjax_path = MATHJAX_URL


def set_jupyterhub_url(app: Sphinx, config) -> None:
    """Let an instructor build an edition whose launch button opens their hub.

    ``BOOK_JUPYTERHUB_URL=https://hub.example.edu python3 tasks.py build``
    adds a JupyterHub button that pulls this repository with nbgitpuller.
    """
    url = os.environ.get("BOOK_JUPYTERHUB_URL", "").strip()
    if url:
        if not url.startswith(("https://", "http://")):
            raise ExtensionError(f"BOOK_JUPYTERHUB_URL must be an http(s) URL, got {url!r}")
        options = dict(config.html_theme_options)
        launch = dict(options.get("launch_buttons", {}))
        launch["jupyterhub_url"] = url.rstrip("/")
        options["launch_buttons"] = launch
        config.html_theme_options = options


def dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Drop repeated script tags.

    sphinx-thebe 0.3.1 and sphinx-togglebutton register their inline
    configuration twice under Sphinx 7.4, and the second
    ``const THEBE_JS_URL`` is a console error.
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # The same inline script may be registered with filename None and "".
        key = (str(getattr(script, "filename", script) or ""),
               repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # in place: the builder shares this list


def fix_citation_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the ARIA role their list container requires.

    docutils writes ``role="list"`` around entries whose role is the
    deprecated ``doc-biblioentry``; axe-core reports the list as having no
    list items (a critical violation).  ``listitem`` is what the list needs.
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


# --------------------------------------------------------------------------
# Solutions: folded in the book, absent from the edition without them
# --------------------------------------------------------------------------

SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$")
NO_SOLUTIONS_VARIABLE = "BOOK_NO_SOLUTIONS"


def set_no_solutions(app: Sphinx, config) -> None:
    """Read ``BOOK_NO_SOLUTIONS`` and set up the edition without solutions.

    ``BOOK_NO_SOLUTIONS=1`` (what ``python3 tasks.py build --no-solutions``
    sets) removes every solution, the code cells inside it and their
    outputs, drops the check cells' verdicts (they report on the removed
    solution), replaces the downloadable sources with the student notebooks
    of :mod:`helpers.assign`, and removes the launch buttons (they would
    open the chapters with their solutions).  It reuses the normal build's
    execution cache, since the notebooks run the same either way.
    """
    value = os.environ.get(NO_SOLUTIONS_VARIABLE, "").strip().lower()
    if value not in ("", "0", "1", "false", "true", "no", "yes"):
        raise ExtensionError(f"{NO_SOLUTIONS_VARIABLE} must be 1 or 0, got {value!r}")
    if value in ("1", "true", "yes"):
        config.book_no_solutions = True
    if not config.book_no_solutions:
        return
    options = dict(config.html_theme_options)
    launch = dict(options.get("launch_buttons", {}))
    launch.update(binderhub_url="", jupyterhub_url="", colab_url="", deepnote_url="",
                  thebe=False)
    options["launch_buttons"] = launch
    config.html_theme_options = options
    if not config.nb_execution_cache_path:
        config.nb_execution_cache_path = str(Path(app.srcdir) / "_build" / ".jupyter_cache")


def _cell_tags(cell: nodes.Element) -> list[str]:
    return list((cell.get("cell_metadata") or {}).get("tags", []))


def _code_cells(document: nodes.Node):
    return [n for n in document.findall(nodes.container) if n.get("nb_element") == "cell_code"]


class TidySolutions(SphinxTransform):
    """Fold every solution, or remove them all; hide the nbgrader markers.

    Each check cell shows the neutral state of a check no one has run; with
    solutions, its verdict on the worked answer moves to the end of the
    solution before it (:func:`show_check`).  It runs after sphinx-exercise
    has merged each ``solution-start`` ... ``solution-end`` block, code
    cells included, into one solution node (that transform has priority 10).
    """

    default_priority = 20

    def apply(self) -> None:
        from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

        if self.config.book_no_solutions:
            for node in list(self.document.findall(solution_start_node)):
                self._remove_unmerged(node, solution_end_node)
            for node in list(self.document.findall(solution_node)):
                node.parent.remove(node)
            for cell in _code_cells(self.document):
                tags = _cell_tags(cell)
                if "solution" in tags:
                    cell.parent.remove(cell)
                elif "check" in tags:
                    show_check(cell, None)
        else:
            for node in self.document.findall(solution_node):
                if "dropdown" not in node["classes"]:
                    node["classes"].append("dropdown")
            for cell in _code_cells(self.document):
                if "check" in _cell_tags(cell):
                    before = _previous_element(cell)
                    if not isinstance(before, solution_node):
                        logger.warning("a check cell must follow the solution of its exercise "
                                       "(see CONTRIBUTING.md, Exercises)", location=cell)
                        before = None
                    show_check(cell, before)
        for cell in _code_cells(self.document):
            for block in cell.findall(nodes.literal_block):
                strip_solution_markers(block)

    @staticmethod
    def _remove_unmerged(start: nodes.Element, end_type: type) -> None:
        parent = start.parent
        index = parent.index(start)
        for child in list(parent.children[index:]):
            parent.remove(child)
            if isinstance(child, end_type):
                break


def _previous_element(node: nodes.Element) -> nodes.Node | None:
    """The sibling before `node`, passing over comments and link targets."""
    parent = node.parent
    for sibling in reversed(parent.children[:parent.index(node)]):
        if not isinstance(sibling, (nodes.comment, nodes.target, nodes.Text)):
            return sibling
    return None


def _outputs(cell: nodes.Element) -> list[nodes.Element]:
    return [c for c in cell.children if c.get("nb_element") == "cell_code_output"]


def _plain_text(output: nodes.Element) -> str:
    """The text/plain form of an output (what the notebook printed)."""
    for part in output.findall(nodes.container):
        if part.get("mime_type") == "text/plain":
            return part.astext()
    return output.astext()


def _pending_output() -> nodes.container:
    """An output holding the neutral state of a check, in HTML and as text."""
    from helpers.checks.engine import pending_html, pending_text

    as_html = nodes.container(mime_type="text/html")
    as_html += nodes.raw("", pending_html(), format="html", classes=["output", "text_html"])
    as_text = nodes.container(mime_type="text/plain")
    as_text += nodes.literal_block(pending_text(), pending_text(), language="none",
                                   classes=["output", "text_plain"])
    bundle = nodes.container(nb_element="mime_bundle")
    bundle += [as_html, as_text]
    output = nodes.container(nb_element="cell_code_output", classes=["cell_output"])
    output += bundle
    return output


def show_check(cell: nodes.Element, solution: nodes.Element | None) -> None:
    """Show a check cell as a reader meets it, and its verdict inside `solution`.

    The book runs each check on the worked solution, so the cell's output
    is that solution's verdict; above an answer the reader has not given it
    would be false.  The cell gets the neutral state of
    :func:`helpers.checks.engine.pending_html` instead, and the verdict goes
    to the end of `solution` (dropped when `solution` is None), after a line
    naming the check.  A verdict that is not "correct" is a warning: the
    worked solution must pass its own check.
    """
    from helpers.checks.engine import status_of

    source = [c for c in cell.children if c.get("nb_element") == "cell_code_source"]
    lines = [line.strip() for line in (source[0].astext() if source else "").splitlines()]
    verdicts = _outputs(cell)
    for output in verdicts:
        cell.remove(output)
    cell += _pending_output()
    if solution is None:
        return
    text = "\n".join(_plain_text(output) for output in verdicts).strip()
    if status_of(text) != "correct":
        logger.warning("the check after this solution does not pass on it: "
                       f"{text.splitlines()[0] if text else 'it printed nothing'}",
                       location=cell)
    body = solution.children[-1] if isinstance(solution.children[-1], nodes.section) \
        else solution
    call = [line for line in lines if line and not line.startswith("#")]
    lead = nodes.paragraph(classes=["check-on-solution"])
    if call:
        lead += nodes.Text("Run on this worked answer, the check ")
        lead += nodes.literal(text=call[-1])
        lead += nodes.Text(" says:")
    else:
        lead += nodes.Text("Run on this worked answer, the check says:")
    body += lead
    body += verdicts


class UnlinkSolutionTitles(SphinxPostTransform):
    """A solution's title is the toggle that opens it, and links nowhere.

    sphinx-exercise makes the "Exercise N (title)" part of a solution's
    title a link to the exercise: a click on it jumped to the exercise
    instead of opening the solution.  The exercise is just above, so the
    words stay and the link goes.  It runs after sphinx-exercise has built
    the titles (its post-transforms have priorities 20 to 22).
    """

    default_priority = 30
    formats = ("html",)

    def run(self, **kwargs) -> None:
        from sphinx_exercise.nodes import solution_node

        for solution in self.document.findall(solution_node):
            title = solution.children[0] if solution.children else None
            if isinstance(title, nodes.title):
                for link in list(title.findall(nodes.reference)):
                    link.replace_self(link.children)


def strip_solution_markers(block: nodes.literal_block) -> None:
    """Drop the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines of a code block."""
    text = block.astext()
    lines = text.split("\n")
    kept = [line for line in lines if not SOLUTION_MARKER.match(line)]
    if len(kept) == len(lines):
        return
    new = "\n".join(kept)
    block[:] = [nodes.Text(new)]
    block.rawsource = new  # equal to the text, or Sphinx skips the highlighting


def _student_notebook(app: Sphinx, docname: str):
    """The student notebook of a page with solutions (helpers.assign), or None."""
    if not hasattr(app, "_book_student_notebooks"):
        app._book_student_notebooks = {}  # made once per build, for the page and the copy
    made = app._book_student_notebooks
    if docname not in made:
        from helpers.assign import AssignError, read_chapter, student_notebook

        source = Path(app.env.doc2path(docname))
        notebook = None
        if source.suffix == ".ipynb" or (
                source.suffix == ".md" and "jupytext:" in source.read_text()[:600]):
            try:
                chapter = read_chapter(source)
            except AssignError as exc:
                raise ExtensionError(f"the edition without solutions: {exc}") from exc
            if chapter.solutions:
                notebook = student_notebook(chapter)
        made[docname] = notebook
    return made[docname]


def offer_student_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """In the edition without solutions, the .ipynb download is the student notebook.

    It runs before sphinx-book-theme adds the download button, which offers
    the ``ipynb_source`` of the page.
    """
    if not app.config.book_no_solutions or app.builder.format != "html" \
            or pagename not in app.env.found_docs:
        return
    notebook = _student_notebook(app, pagename)
    if notebook is None:
        return
    import nbformat

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def student_sources(app: Sphinx, exception: Exception | None) -> None:
    """In the edition without solutions, every downloadable source is the student's.

    Sphinx copies each page's source to ``_sources`` after writing the page;
    here the copies of the pages with solutions are replaced by the student
    notebook (as ``.ipynb``, and as MyST Markdown for ``.md`` pages).
    """
    if exception is not None or not app.config.book_no_solutions \
            or app.builder.format != "html":
        return
    import jupytext
    import nbformat

    sources = Path(app.outdir) / "_sources"
    for docname in sorted(app.env.found_docs):
        notebook = _student_notebook(app, docname)
        if notebook is None:
            continue
        suffix = Path(app.env.doc2path(docname)).suffix
        for target in (sources / f"{docname}.ipynb", sources / f"{docname}{suffix}"):
            if not target.exists():
                continue
            if target.suffix == ".ipynb":
                nbformat.write(notebook, target)
            else:
                target.write_text(jupytext.writes(notebook, fmt="md:myst"), encoding="utf-8")


# --------------------------------------------------------------------------
# The exercise table of the instructor's guide
# --------------------------------------------------------------------------

class ExerciseTable(SphinxDirective):
    """A table of the exercises of every chapter in the table of contents.

    ``:level: chapters`` (the default) gives a row per chapter;
    ``:level: exercises`` a row per exercise.  It is read from the chapters
    at build time by :mod:`helpers.assign`, and the page is rebuilt when a
    chapter changes, so it is never stale.
    """

    has_content = False
    option_spec = {"level": lambda arg: directives.choice(arg, ("chapters", "exercises"))}

    def run(self) -> list[nodes.Node]:
        from helpers.assign import AssignError, chapters_in_toc, read_chapter

        book = Path(self.env.srcdir)
        self.env.note_dependency(str(book / "_toc.yml"))
        try:
            chapters = [read_chapter(path) for path in chapters_in_toc(book)]
        except AssignError as exc:
            raise self.error(f"exercise-table: {exc}") from exc
        for chapter in chapters:
            self.env.note_dependency(str(chapter.path))
        if not chapters:
            return [nodes.paragraph(text="No chapter in the table of contents has exercises yet.")]
        if self.options.get("level", "chapters") == "chapters":
            header = ["Chapter", "Exercises", "Auto-checked", "Kinds", "Minutes", "Points"]
            rows = [[self._chapter_link(ch, book), self._exercise_list(ch),
                     f"{sum(e.auto_checked for e in ch.exercises)} of {len(ch.exercises)}",
                     ", ".join(sorted({e.kind for e in ch.exercises})),
                     str(sum(e.minutes for e in ch.exercises)),
                     str(sum(e.points for e in ch.exercises))] for ch in chapters]
            widths = [22, 36, 12, 14, 8, 8]
        else:
            header = ["Chapter", "Exercise", "Kind", "Auto-checked", "Minutes", "Points"]
            rows = [[self._chapter_link(ch, book), self._exercise_link(e), e.kind,
                     "yes" if e.auto_checked else "no (answer in words)", str(e.minutes),
                     str(e.points)]
                    for ch in chapters for e in ch.exercises]
            widths = [22, 34, 14, 14, 8, 8]
        return [_table(header, rows, widths)]

    def _chapter_link(self, chapter, book: Path) -> nodes.Node:
        target = "/" + chapter.path.resolve().relative_to(book.resolve()).with_suffix("").as_posix()
        ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=target,
                                    refexplicit=True, refwarn=True)
        ref += nodes.inline(text=chapter.title or chapter.name)
        return ref

    def _exercise_link(self, exercise) -> nodes.Node:
        ref = addnodes.pending_xref("", refdomain="std", reftype="ref",
                                    reftarget=exercise.label, refexplicit=True, refwarn=True)
        ref += _title_nodes(exercise.title or exercise.label)
        return ref

    def _exercise_list(self, chapter) -> nodes.Node:
        items = nodes.bullet_list()
        for exercise in chapter.exercises:
            para = nodes.paragraph()
            para += self._exercise_link(exercise)
            para += nodes.Text(f" ({exercise.kind}{', checked' if exercise.auto_checked else ''})")
            items += nodes.list_item("", para)
        return items


def _title_nodes(title: str) -> nodes.inline:
    """A title's text with its `code` spans typeset as code, not as backticks."""
    inline = nodes.inline()
    for n, piece in enumerate(re.split(r"`([^`]+)`", title)):
        if piece:
            inline += nodes.literal(text=piece) if n % 2 else nodes.Text(piece)
    return inline


def _table(header: list[str], rows: list[list], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["exercise-table"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group.extend(nodes.colspec(colwidth=w) for w in widths)

    def row(cells) -> nodes.row:
        out = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            if isinstance(cell, str):
                entry += nodes.paragraph(text=cell)
            elif isinstance(cell, nodes.bullet_list):
                entry += cell
            else:
                para = nodes.paragraph()
                para += cell
                entry += para
            out += entry
        return out

    head = nodes.thead()
    head += row(header)
    body = nodes.tbody()
    body.extend(row(r) for r in rows)
    group += head
    group += body
    return table


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_no_solutions", False, "env", types=[bool])
    app.add_transform(TidySolutions)
    app.add_post_transform(UnlinkSolutionTitles)
    # Says so when "Live Code" cannot load thebe (no internet).
    app.add_js_file("live-code.js", defer="defer")
    app.add_directive("exercise-table", ExerciseTable)
    app.connect("config-inited", set_no_solutions, priority=900)
    app.connect("html-page-context", offer_student_notebook, priority=500)
    app.connect("build-finished", student_sources)
    app.connect("html-page-context", fix_citation_roles)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("config-inited", point_at_local_mathjax, priority=900)
    app.connect("config-inited", set_jupyterhub_url, priority=900)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
