"""Fold every exercise solution in JupyterLab, as the HTML book does.

    .venv/bin/python tools/fold_solutions.py book/chapters/*.md

Puts ``+++ {"jupyter": {"source_hidden": true}}`` before each solution
block and before prose that follows a code cell inside one, and a bare
``+++`` after the block when markdown follows, so that the solution is its
own folded markdown cell.  Safe to run again: it changes nothing twice.
"""
import re, sys
MARK = '+++ {"jupyter": {"source_hidden": true}}'

def fold(text):
    lines = text.split("\n")
    out = []
    inside = False
    in_code = False
    after_code = False
    i = 0
    n = len(lines)
    def prev_nonblank():
        for l in reversed(out):
            if l.strip():
                return l
        return ""
    while i < n:
        line = lines[i]
        if not in_code and line.startswith("```{code-cell}"):
            in_code = True
            out.append(line); i += 1; continue
        if in_code:
            out.append(line)
            if line.strip() == "```":
                in_code = False
                after_code = True
            i += 1; continue
        stripped = line.strip()
        if stripped.startswith("::::{solution-start}"):
            if prev_nonblank() != MARK:
                if out and out[-1].strip():
                    out.append("")
                out.append(MARK); out.append("")
            inside = True; after_code = False
            out.append(line); i += 1; continue
        if stripped.startswith("::::{solution-end}"):
            if after_code and prev_nonblank() != MARK:
                out.append(MARK); out.append("")
            out.append(line)
            # the closing '::::'
            i += 1
            while i < n and not lines[i].strip():
                out.append(lines[i]); i += 1
            if i < n and lines[i].strip() == "::::":
                out.append(lines[i]); i += 1
            inside = False; after_code = False
            # next non-blank content
            j = i
            while j < n and not lines[j].strip():
                j += 1
            if j < n and not lines[j].startswith("```{code-cell}") and lines[j].strip() != "+++" and not lines[j].startswith("+++ "):
                out.append(""); out.append("+++")
            continue
        if inside and after_code and stripped:
            if prev_nonblank() != MARK and not stripped.startswith("+++"):
                out.append(MARK); out.append("")
            after_code = False
        elif stripped:
            after_code = False
        out.append(line); i += 1
    return "\n".join(out)

for path in sys.argv[1:]:
    src = open(path).read()
    new = fold(src)
    assert fold(new) == new, path  # idempotent
    open(path, "w").write(new)
    print(f"{path}: {src.count('solution-start')} solutions")
