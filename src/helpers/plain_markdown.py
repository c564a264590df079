"""Markdown any notebook interface renders: the book's MyST written out plainly.

The chapters are MyST Markdown. JupyterLab shows it only with the
jupyterlab-myst extension; the classic notebook, nbgrader's formgrader and
most hubs show ``:::{exercise}`` and ``{ref}`ch-x``` as typed. The student
and nbgrader notebooks of :mod:`helpers.assign` therefore carry the markdown
that :func:`plain_markdown` makes of each cell:

- an ``{exercise}`` becomes a heading ``### Exercise N.k: Title`` over its
  statement as a blockquote (N from the chapter file's number, k its place in
  the chapter); a solution, "**Solution to Exercise N.k**" over its text;
- an admonition (``{admonition} Title``, ``{note}``, ``{tip}``, ``{warning}``
  ...) or a ``{dropdown}`` becomes a blockquote under its title in bold; a
  ``{figure}``, an image and its caption; ``{code-block}``, a code fence;
- a labelled equation (``$$ ... $$ (eq-x)`` or ``{math}`` with ``:label:``)
  keeps its ``$$`` and gets ``\\tag{k}``, the number the book gives it
  (the book numbers equations and figures through the whole book); a
  ``(label)=`` target and a ``%`` comment go;
- a role is written as the book would show it: ``{ref}`` the heading or
  "Exercise N.k", ``{numref}`` "Exercise N.k" or "Fig. k" (the book's
  number of the figure; "of “Page title”" when it is on another page),
  ``{eq}`` "(k)", ``{doc}`` the page's title, ``{cite}``/``{cite:p}`` "(Author, 2006)" and
  ``{cite:t}`` "Author (2006)" from the book's BibTeX files, ``{term}`` and
  ``{math}`` their text; each becomes a link when the book's
  ``html.baseurl`` is set in ``_config.yml``;
- ``{glue:text}`key:.3f``` is the value the book shows, formatted as myst-nb
  formats it, when the chapter's executed notebook is in the book's
  jupyter-cache (``book/_build/.jupyter_cache``) and its code is unchanged;
  otherwise "[value `key`]", which does not pretend to be a number.

markdown-it-py with the plugins that myst-parser itself uses (colon fences,
dollar maths with labels, roles, targets and comments) finds every construct
and its lines; only the rewriting is written by hand here, because no library
turns MyST back into CommonMark. A role's source is found again from the
parsed role's name and content (markdown-it keeps no column), searching
forward from the previous one, so the rewriting follows the parse. The labels,
numbers and titles a reference needs come from :func:`book_index`, which
reads the book's pages the same way.

Examples
--------
>>> print(plain_markdown('''(sec-a)=
... ## Two classes
...
... :::{exercise} Why
... :label: ex-why
... Why is $e^0 = 1$? See {ref}`sec-a` and {cite:t}`nobody2020`.
... :::'''))
## Two classes
<BLANKLINE>
### Exercise 1: Why
<BLANKLINE>
> Why is $e^0 = 1$? See Two classes and nobody2020.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

__all__ = ["BookIndex", "Target", "book_index", "glue_values", "plain_markdown", "plain_notebook"]

# As myst-parser configures them for the book's `dollarmath` and `colon_fence`.
_PARSER = (MarkdownIt("commonmark").use(colon_fence_plugin).use(myst_block_plugin)
           .use(myst_role_plugin)
           .use(dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=True,
                double_inline=True))
_DIRECTIVE = re.compile(r"\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)")
_EXPLICIT = re.compile(r"(?P<text>.*?)\s*<(?P<label>[^<>]+)>\s*", re.S)  # {ref}`text <label>`
_ADMONITIONS = {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
                "warning": "Warning", "caution": "Caution", "attention": "Attention",
                "danger": "Danger", "error": "Error", "seealso": "See also"}
_EXERCISE, _SOLUTION = ("exercise", "exercise-start"), ("solution", "solution-start")
_DROPPED = ("exercise-end", "solution-end")


@dataclass(frozen=True)
class Target:
    """What a reference to a label reads as (``text``) and the page it is on."""

    text: str
    page: str = ""
    kind: str = "section"  # section, page, exercise, equation, figure
    number: str = ""


@dataclass
class BookIndex:
    """The labels, citations and address of a book, for :func:`plain_markdown`."""

    targets: dict[str, Target] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)  # key: (authors, year)
    titles: dict[str, str] = field(default_factory=dict)  # page: its title
    base_url: str | None = None
    # The book numbers figures and equations through the whole book, in the order
    # of its table of contents; these count them as the pages are read.
    figures: int = 0
    equations: int = 0

    def link(self, text: str, page: str, anchor: str = "") -> str:
        """`text`, as a Markdown link to `page` of the published book if it has an address."""
        if not self.base_url or not page:
            return text
        return f"[{text}]({self.base_url.rstrip('/')}/{page}.html{'#' + anchor if anchor else ''})"


def plain_markdown(source: str, *, page: str = "", index: BookIndex | None = None,
                   glue: dict[str, str] | None = None) -> str:
    """`source`, a MyST markdown cell, as CommonMark with dollar maths.

    Parameters
    ----------
    source : str
        The cell's text.
    page : str, optional
        Its page in the book (``chapters/01-softmax``): references to labels of
        the same page read shorter, and exercises take the page's number.
    index : BookIndex, optional
        The book's labels and citations (:func:`book_index`); without it a
        reference reads as its label and exercises are numbered 1, 2, ...
    glue : dict, optional
        The glued values of the page as ``text/plain`` (:func:`glue_values`).

    Returns
    -------
    str
        The text with no directive, role, target or comment left.

    Raises
    ------
    TypeError
        If `source` is not a string.

    Examples
    --------
    >>> print(plain_markdown("$$\\nx = 1\\n$$ (eq-one)\\n\\nBy {eq}`eq-one`, "
    ...                      "{glue:text}`half:.2f` and {glue:text}`gone`.", glue={"half": "0.5"}))
    $$
    x = 1
    \\tag{1}
    $$
    <BLANKLINE>
    By (1), 0.50 and [value `gone`].
    >>> print(plain_markdown("```{admonition} Learning objectives\\n:class: tip\\n\\n"
    ...                      "1. One\\n```"))
    > **Learning objectives**
    >
    > 1. One
    """
    if not isinstance(source, str):
        raise TypeError(f"source: a cell's text (str), not {type(source).__name__}")
    if index is None:  # the cell's own labels, at least
        index = BookIndex()
        _index_cells([_Cell("markdown", source)], page, index)
    return _Writer(page, index, glue).convert(source)


class _Cell(NamedTuple):
    cell_type: str
    source: str
    metadata: dict = {}


class _Writer:
    """One cell's conversion; numbers what the index does not know, in order."""

    def __init__(self, page: str, index: BookIndex, glue: dict[str, str] | None):
        self.page, self.index, self.glue = page, index, glue
        self.counts = {"exercise": 0, "equation": 0}
        self.chapter = _chapter_prefix(page)

    def convert(self, text: str) -> str:
        lines, out, pos = text.split("\n"), [], 0
        for token in _PARSER.parse(text):
            if token.level or not token.map or token.map[0] < pos:
                continue  # inner blocks are rewritten with their directive, or by _inline
            start, end = token.map
            block = self._block(token)
            if block is None:
                continue
            out.append(self._inline(lines[pos:start]))
            pos = end
            if block:
                out.append(block)
            else:  # a dropped block takes the blank lines after it along
                while pos < len(lines) and not lines[pos].strip():
                    pos += 1
        out.append(self._inline(lines[pos:]))
        return "\n".join(part for part in out if part is not None).strip("\n")

    # -- blocks ------------------------------------------------------------------------

    def _block(self, token) -> str | None:
        """The rewritten block, "" to drop it, or None to keep it for :meth:`_inline`."""
        if token.type in ("myst_target", "myst_line_comment"):
            return ""
        match = token.type in ("fence", "colon_fence") and _DIRECTIVE.fullmatch(token.info.strip())
        if not match:
            return None
        name, arg = match["name"], match["arg"].strip()
        body, options = _options(token.content)
        text = self.convert("\n".join(body))
        if name in _DROPPED:
            return ""
        if name in _EXERCISE:
            number = self._exercise_number(str(options.get("label", "")))
            title = f": {self._roles(arg)}" if arg else ""
            return f"### Exercise {number}{title}\n\n" + _quote(text)
        if name in _SOLUTION:
            label = arg.split()[0] if arg else ""
            return f"**Solution to Exercise {self._exercise_number(label, count=False)}**" + \
                (f"\n\n{text}" if text else "")
        if name in ("admonition", "dropdown") or name in _ADMONITIONS:
            title = self._roles(arg) if arg else _ADMONITIONS.get(name, "Details")
            return _quote(f"**{title}**" + (f"\n\n{text}" if text else ""))
        if name == "math":
            return self._math("\n".join(body), str(options.get("label", "")))
        if name in ("figure", "image"):
            alt = str(options.get("alt", "")).replace("]", "")
            return f"![{alt}]({arg})" + (f"\n\n*{text}*" if text else "")
        if name in ("code-block", "code", "sourcecode"):
            return f"```{arg}\n" + "\n".join(body) + "\n```"
        return _quote(f"**{arg or name}**" + (f"\n\n{text}" if text else ""))

    def _math(self, body: str, label: str) -> str:
        tag = self._equation_number(label) if label else ""
        return "$$\n" + body.strip("\n") + (f"\n\\tag{{{tag}}}" if tag else "") + "\n$$"

    def _exercise_number(self, label: str, count: bool = True) -> str:
        target = self.index.targets.get(label)
        if target and target.kind == "exercise":
            return target.number
        if not count and not self.counts["exercise"]:
            return label  # a solution to an exercise stated elsewhere
        self.counts["exercise"] += count
        return f"{self.chapter}{self.counts['exercise']}"

    def _equation_number(self, label: str) -> str:
        target = self.index.targets.get(label)
        if target and target.kind == "equation":
            return target.number
        self.counts["equation"] += 1
        return str(self.counts["equation"])

    # -- inline ------------------------------------------------------------------------

    def _inline(self, lines: list[str]) -> str | None:
        """Lines outside directives: labelled equations tagged, roles written out."""
        if not lines:
            return None
        lines = list(lines)
        for token in _PARSER.parse("\n".join(lines)):
            if token.type == "math_block_label" and token.map:
                last = token.map[1] - 1  # the closing `$$ (label)` line, at any depth
                indent = lines[last][:len(lines[last]) - len(lines[last].lstrip())]
                tag = self._equation_number(token.info)
                lines[last] = f"{indent}\\tag{{{tag}}}\n{indent}$$"
        return self._roles("\n".join(lines))

    def _roles(self, text: str) -> str:
        out, pos = [], 0
        roles = [child for token in _PARSER.parse(text) if token.type == "inline"
                 for child in token.children or [] if child.type == "myst_role"]
        for role in roles:
            name = role.meta["name"]
            found = re.compile(r"\{" + re.escape(name) + r"\}(`+)" + re.escape(role.content)
                               + r"\1").search(text, pos)
            if not found:  # markdown-it unescaped something; leave that role as it is
                continue
            out += [text[pos:found.start()], self._role(name, role.content)]
            pos = found.end()
        return "".join(out + [text[pos:]])

    def _role(self, name: str, content: str) -> str:
        if name == "glue:text" or name == "glue":
            return self._glued(content)
        if name in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
            return self._cite(content, textual=name.startswith("cite:t"))
        if name == "math":
            return f"${content}$"
        explicit = _EXPLICIT.fullmatch(content)
        text, label = (explicit["text"], explicit["label"]) if explicit else (None, content)
        label = label.strip()
        if name in ("ref", "numref", "eq", "doc"):
            return self._reference(name, text, label)
        return text or label  # {term}, {abbr}, {sub}, ...: their text

    def _reference(self, name: str, text: str | None, label: str) -> str:
        target = self.index.targets.get(label)
        if name == "doc":
            page = label[1:] if label.startswith("/") else \
                posixpath.normpath(posixpath.join(posixpath.dirname(self.page), label))
            page = re.sub(r"\.(md|ipynb)$", "", page)
            return self.index.link(text or self.index.titles.get(page, label), page)
        if target is None:
            return text or label
        if text and "%s" in text:
            text = text.replace("%s", target.number)
        elif not text:
            text = target.text
            if name == "eq":
                text = f"({target.number})"
            if target.page != self.page and target.kind in ("equation", "figure"):
                text += f" of “{self.index.titles.get(target.page, target.page)}”"
        return self.index.link(text, target.page, label)

    def _cite(self, content: str, *, textual: bool) -> str:
        keys = [key.strip() for key in content.split(",") if key.strip()]
        found = [(key, self.index.citations.get(key)) for key in keys]
        if textual:
            return " and ".join(f"{c[0]} ({c[1]})" if c else key for key, c in found)
        return "(" + "; ".join(f"{c[0]}, {c[1]}" if c else key for key, c in found) + ")"

    def _glued(self, content: str) -> str:
        key, _, spec = content.partition(":")
        key = key.strip().split("::")[-1]  # `page::key` glues from another page
        if self.glue is None or key not in self.glue:
            return f"[value `{key}`]"
        return _format_plain_text(self.glue[key], spec.strip())


def _format_plain_text(text: str, spec: str) -> str:
    """A glued ``text/plain`` formatted as myst-nb's ``format_plain_text`` does
    (copied so that the instructor's tools need no myst-nb).

    >>> _format_plain_text("0.86681", ".3f"), _format_plain_text("'cat'", "")
    ('0.867', 'cat')
    """
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not spec:
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, spec)


def _quote(text: str) -> str:
    """`text` as a Markdown blockquote."""
    return "\n".join(f"> {line}".rstrip() for line in text.split("\n"))


def _options(content: str) -> tuple[list[str], dict]:
    """A directive's body lines and options, read as jupytext reads them."""
    from jupytext.myst import parse_directive_options

    return parse_directive_options(content, "")


def plain_notebook(notebook, *, page: str = "", index: BookIndex | None = None,
                   glue: dict[str, str] | None = None):
    """`notebook` with each markdown cell's source made plain by :func:`plain_markdown`
    (in place, and returned). Labels and numbers of a page run across its cells."""
    if index is None:
        index = BookIndex()
        _index_cells(notebook.cells, page, index)
    writer = _Writer(page, index, glue)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = writer.convert(cell.source)
    return notebook


# -- the book's labels --------------------------------------------------------------------

def book_index(book: str | Path, pages: list[Path] | None = None) -> BookIndex:
    """The labels, titles, citations and address of the book in folder `book`.

    Parameters
    ----------
    book : str or Path
        The book's folder (``_config.yml``, ``_toc.yml``, the pages).
    pages : list of Path, optional
        The pages to read; by default every ``.md`` and ``.ipynb`` under `book`
        outside ``_build`` and the folders starting with ``_``.

    Returns
    -------
    BookIndex
        Sections and pages under their heading's text, exercises as
        "Exercise N.k" (N the leading number of the page's file name, k its
        place in the page), labelled equations and named figures by the
        number the book gives them (counted through the whole book in the
        order of ``_toc.yml``), citations by their authors' surnames and year.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp())
    >>> _ = (book / "03-x.md").write_text("(ch-x)=\\n# Title\\n\\n"
    ...     ":::{exercise} T\\n:label: ex-t\\n:::\\n\\n$$\\na\\n$$ (eq-a)\\n")
    >>> index = book_index(book)
    >>> [(k, t.text, t.number) for k, t in sorted(index.targets.items())]
    [('ch-x', 'Title', ''), ('eq-a', '(1)', '1'), ('ex-t', 'Exercise 3.1', '3.1')]
    """
    book = Path(book)
    if not book.is_dir():
        raise ValueError(f"book: {book} is not a folder")
    if pages is None:
        pages = _toc_pages(book)
    if pages is None:
        pages = sorted(p for p in book.rglob("*") if p.suffix in (".md", ".ipynb")
                       and not any(part.startswith(("_", ".")) for part in
                                   p.relative_to(book).parts))
    index = BookIndex()
    config = _config(book)
    index.base_url = (config.get("html") or {}).get("baseurl") or None
    for path in pages:
        _read_page(book, Path(path), index)
    index.citations = _citations(book, config.get("bibtex_bibfiles") or [])
    return index


def _toc_pages(book: Path) -> list[Path] | None:
    """The pages of ``_toc.yml`` in the book's order (depth first), or None without one."""
    toc = book / "_toc.yml"
    if not toc.is_file():
        return None
    from sphinx_external_toc.parsing import parse_toc_yaml

    pages = []
    for docname in parse_toc_yaml(toc):
        base = book / docname
        candidates = [base] if base.suffix in (".md", ".ipynb") else \
            [base.with_name(base.name + suffix) for suffix in (".md", ".ipynb")]
        pages += [p for p in candidates if p.is_file()][:1]
    return pages


def _config(book: Path) -> dict:
    path = book / "_config.yml"
    if not path.is_file():
        return {}
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _read_page(book: Path, path: Path, index: BookIndex) -> None:
    import jupytext

    try:
        notebook = jupytext.read(path, fmt="md:myst") if path.suffix == ".md" else \
            jupytext.read(path)
    except Exception:  # a page jupytext cannot read refers to nothing we can name
        return
    _index_cells(notebook.cells, path.relative_to(book).with_suffix("").as_posix(), index)


def _index_cells(cells, page: str, index: BookIndex) -> None:
    """Add the targets of a page's `cells` to `index`."""
    chapter = _chapter_prefix(page)
    exercises = 0
    pending: list[str] = []  # targets waiting for their heading
    for cell in cells:
        if cell.cell_type == "code":
            figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
            if figure.get("name"):
                index.figures += 1
                index.targets[figure["name"]] = Target(f"Fig. {index.figures}", page,
                                                       "figure", str(index.figures))
            continue
        tokens = _PARSER.parse(cell.source)
        for n, token in enumerate(tokens):
            if token.type == "myst_target":
                pending.append(token.content.strip())
            elif token.type == "heading_open":
                title = _plain_text(tokens[n + 1].content)
                if token.tag == "h1" and page not in index.titles:
                    index.titles[page] = title
                for label in pending:
                    index.targets[label] = Target(title, page, "section")
                pending = []
            elif token.type == "math_block_label":
                _equation(index, token.info, page)
            elif token.type in ("fence", "colon_fence"):
                match = _DIRECTIVE.fullmatch(token.info.strip())
                options = _options(token.content)[1] if match else {}
                if match and match["name"] == "math" and options.get("label"):
                    _equation(index, str(options["label"]), page)
                elif match and match["name"] == "figure" and options.get("name"):
                    index.figures += 1
                    index.targets[str(options["name"])] = Target(
                        f"Fig. {index.figures}", page, "figure", str(index.figures))
                elif match and match["name"] in _EXERCISE:
                    exercises += 1
                    number = f"{chapter}{exercises}"
                    label = str(options.get("label", ""))
                    if label:
                        index.targets[label] = Target(f"Exercise {number}", page, "exercise",
                                                      number)


def _equation(index: BookIndex, label: str, page: str) -> None:
    index.equations += 1
    index.targets[label] = Target(f"({index.equations})", page, "equation", str(index.equations))


def _chapter_prefix(page: str) -> str:
    """"3." for the page ``chapters/03-x`` (its file's leading number), else ""."""
    prefix = re.match(r"\d+", Path(page).name)
    return f"{int(prefix[0])}." if prefix else ""


def _plain_text(text: str) -> str:
    """A heading's text with its roles written out."""
    return _Writer("", BookIndex(), None)._roles(text).strip()


def _citations(book: Path, files: list[str]) -> dict[str, tuple[str, str]]:
    """Each BibTeX key's surnames ("A", "A and B", "A et al.") and year."""
    from pybtex.database import parse_file

    found = {}
    for name in files:
        path = book / name
        if not path.is_file():
            continue
        for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [" ".join(p.last_names) for p in people]
            if not names:
                names = [entry.fields.get("organization") or entry.fields.get("title") or key]
            authors = names[0] if len(names) == 1 else \
                f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."
            found[key] = (_unbrace(authors), str(entry.fields.get("year", "n.d.")))
    return found


def _unbrace(text: str) -> str:
    """BibTeX's protective braces off: ``{LeCun}`` reads LeCun."""
    return text.replace("{", "").replace("}", "")


# -- glued values ---------------------------------------------------------------------

def glue_values(chapter: str | Path, cache: str | Path) -> dict[str, str] | None:
    """The values `chapter` glues, as ``text/plain``, from the book's jupyter-cache.

    Parameters
    ----------
    chapter : str or Path
        The chapter file.
    cache : str or Path
        The book's jupyter-cache folder (``book/_build/.jupyter_cache``).

    Returns
    -------
    dict or None
        Each glued key's text, or None if there is no cache, or no executed
        notebook in it for the chapter's code as it is now (then a value
        would not be the book's).
    """
    cache = Path(cache)
    if not (cache / "global.db").is_file():
        return None
    try:
        import jupytext
        from jupyter_cache import get_cache
    except ImportError:
        return None
    try:
        store = get_cache(cache)
        record = store.match_cache_notebook(jupytext.read(chapter))
        executed = store.get_cache_bundle(record.pk).nb
    except KeyError:  # no executed notebook for this code
        return None
    values = {}
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                data = output.get("data", {})
                text = data.get(scrap.get("mime_prefix", "") + "text/plain")
                if text is not None:
                    values[scrap["name"]] = text
    return values
