"""Flag numbers typed into the book's prose that a cell should have computed.

A number the prose quotes and a cell computes is glued (``{glue:text}``), so the
two cannot disagree. This check reads each chapter's MyST source with
markdown-it-py (the parser MyST itself is built on) and reports, in the prose:

- every decimal number (``0.665``), number in scientific notation (``1e-7``,
  ``10⁻⁷``) and percentage (``64%``), and
- in maths, every number that follows an approximation sign (``\\approx 0.665``):
  an exact formula such as ``$\\tfrac12$`` or ``$z = (1, 2, 3)$`` is not a
  computed claim, an approximation always is.

Code, inline code, roles (``{glue:text}``, ``{cite}``, ``{ref}``) and code cells
are not prose. A number that is exact by definition (an input the text chooses,
a version, a threshold by convention) is listed, with the reason, in
``book/exact-numbers.yml``, under the chapter's path or under ``"*"`` for the
whole book.

As a Sphinx extension it logs one warning per number, so the strict build
(``-W``) fails; ``python book/_ext/glue_check.py [FILE ...]`` prints the same list.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NamedTuple

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

BOOK = Path(__file__).resolve().parents[1]
ALLOWED_FILE = BOOK / "exact-numbers.yml"

_NUMBER = re.compile(
    r"(?<![\w.\-−/^_])"
    r"(?:[-−]?\d+(?:\.\d+)?\s?%"  # 64%, 1.5 %
    r"|[-−]?\d+(?:,\d{3})*\.\d+(?:[eE][-+−]?\d+)?"  # 0.665, 1,234.5, 1.5e-3
    r"|\d+[eE][-+−]?\d+"  # 1e-7
    r"|10[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"  # 10⁻⁷
    r"(?![\w])"
)
_APPROX = re.compile(r"(?:\\approx|≈|\\simeq|\\sim)\s*(?:\\,|\\;|\s)*"
                     r"([-−]?\d[\d.,]*(?:[eE][-+−]?\d+)?)")
# Directives whose body is code or maths, not MyST prose.
_NOT_PROSE = {"code-cell", "code", "code-block", "sourcecode", "literalinclude", "raw",
              "glue:figure", "glue:math", "exercise-table", "bibliography", "mermaid"}
_MATH_DIRECTIVES = {"math"}
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")


class Unglued(NamedTuple):
    """A number typed into prose: where it is, what it is and its line's text."""

    path: Path
    line: int
    number: str
    context: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: unglued number {self.number!r} in: {self.context}"


def _parser() -> MarkdownIt:
    return (MarkdownIt("commonmark")
            .use(front_matter_plugin).use(colon_fence_plugin).use(deflist_plugin)
            .use(dollarmath_plugin, double_inline=True).use(amsmath_plugin)
            .use(myst_block_plugin).use(myst_role_plugin).enable("table"))


def _numbers_in_text(text: str) -> list[str]:
    return [m.group(0).strip() for m in _NUMBER.finditer(text)]


def _numbers_in_math(text: str) -> list[str]:
    return [m.group(1).rstrip(".,") for m in _APPROX.finditer(text)]


def scan_text(text: str, *, first_line: int = 1) -> list[tuple[int, str, str]]:
    """The unglued numbers of a piece of MyST: ``(line, number, line's text)``.

    Examples
    --------
    >>> scan_text("The largest is 0.665, the input $z = (1, 2)$ and $\\\\log 3 \\\\approx 1.10$.")
    [(1, '0.665', 'The largest is 0.665, ...'), (1, '1.10', 'The largest is 0.665, ...')]
    >>> scan_text("Glued: {glue:text}`p:.3f`; in code `0.5`; exact $\\\\tfrac12 = 0.5$.")
    []
    """
    lines = text.splitlines()
    found: list[tuple[int, str, str]] = []

    def context(line: int) -> str:
        raw = lines[line - first_line].strip() if 0 <= line - first_line < len(lines) else ""
        return raw if len(raw) <= 24 else raw[:21].rstrip() + " ..."

    def walk(tokens, offset: int) -> None:
        for token in tokens:
            line = offset + (token.map[0] if token.map else 0)
            if token.type in ("fence", "colon_fence"):
                match = _DIRECTIVE.match(token.info.strip())
                name = match.group("name") if match else None
                if token.type == "fence" and name is None:
                    continue  # a plain code block
                if name in _NOT_PROSE:
                    continue
                body_line = line + 1
                body = token.content.splitlines()
                if name in _MATH_DIRECTIVES:
                    for i, raw in enumerate(body):
                        found.extend((body_line + i, n, context(body_line + i))
                                     for n in _numbers_in_math(raw))
                    continue
                # The directive's argument (an admonition's title) is prose too.
                if match and match.group("arg") and name not in ("figure", "image"):
                    found.extend((line, n, context(line))
                                 for n in _numbers_in_text(match.group("arg")))
                kept = ["" if _OPTION.match(raw) else raw for raw in body]
                if kept and kept[0].strip() == "---" and "---" in (k.strip() for k in kept[1:]):
                    end = 1 + [k.strip() for k in kept[1:]].index("---")
                    kept[: end + 1] = [""] * (end + 1)  # a YAML block of options
                walk(_parser().parse("\n".join(kept)), body_line)
            elif token.type in ("math_block", "math_block_label", "amsmath"):
                for i, raw in enumerate(token.content.splitlines()):
                    found.extend((line + 1 + i, n, context(line + 1 + i))
                                 for n in _numbers_in_math(raw))
            elif token.type == "inline":
                walk_inline(token.children or [], line)

    def walk_inline(children, line: int) -> None:
        for child in children:
            if child.type == "softbreak" or child.type == "hardbreak":
                line += 1
            elif child.type == "text":
                found.extend((line, n, context(line)) for n in _numbers_in_text(child.content))
            elif child.type in ("math_inline", "math_inline_double"):
                found.extend((line, n, context(line)) for n in _numbers_in_math(child.content))
            elif child.type == "myst_role" and child.meta.get("name") == "math":
                found.extend((line, n, context(line)) for n in _numbers_in_math(child.content))
            # code_inline, other roles, html and links' targets are not prose

    walk(_parser().parse(text), first_line)
    return found


def allowed_numbers(path: Path, allowed: dict | None = None) -> set[str]:
    """The numbers ``book/exact-numbers.yml`` lists as exact for ``path``."""
    if allowed is None:
        allowed = yaml.safe_load(ALLOWED_FILE.read_text(encoding="utf-8")) or {}
    try:
        key = path.resolve().relative_to(BOOK).as_posix()
    except ValueError:  # a path relative to the book already (``chapters/01-softmax.md``)
        key = path.as_posix()
    keep: set[str] = set()
    for section in ("*", key):
        for number in (allowed.get(section) or {}):
            keep.add(str(number))
    return keep


def unglued(path: str | Path, allowed: dict | None = None) -> list[Unglued]:
    """Every number typed into the prose of the chapter at ``path`` and not listed as exact."""
    path = Path(path)
    keep = allowed_numbers(path, allowed)
    return [Unglued(path, line, number, text)
            for line, number, text in scan_text(path.read_text(encoding="utf-8"))
            if number.replace("−", "-") not in keep and number not in keep]


def chapter_paths() -> list[Path]:
    """The pages the check covers: every MyST page of the book."""
    return sorted(p for p in BOOK.rglob("*.md")
                  if "_build" not in p.parts and p.name != "README.md")


def warn_unglued(app, docname: str, source: list[str]) -> None:
    """Log a warning for each unglued number of a page, so ``-W`` fails the build."""
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    srcdir = Path(app.srcdir)
    allowed_file = srcdir / ALLOWED_FILE.name
    allowed = (yaml.safe_load(allowed_file.read_text(encoding="utf-8")) or {}
               if allowed_file.exists() else {})
    keep = allowed_numbers(Path(docname + ".md"), allowed)
    for line, number, text in scan_text(source[0]):
        if number.replace("−", "-") not in keep and number not in keep:
            logger.warning("unglued number %r in prose: glue it from its cell or list it in "
                           "%s (%s)", number, ALLOWED_FILE.name, text,
                           location=(docname, line), type="glue", subtype="unglued")


def setup(app) -> dict:
    app.connect("source-read", warn_unglued)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or chapter_paths()
    items = [item for path in paths for item in unglued(path)]
    for item in items:
        print(item)
    counts: dict[Path, int] = {}
    for item in items:
        counts[item.path] = counts.get(item.path, 0) + 1
    for path in paths:
        print(f"{path.name}: {counts.get(path, 0)}", file=sys.stderr)
    return 1 if items else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
