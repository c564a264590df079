"""The package a student installs holds no answer to a graded code exercise.

The package is installed into a temporary directory (``pip install . --no-deps
--target``), and a fresh interpreter imports ``helpers`` from there only: not
the repository's ``src/``, and not ``grading/``, where the references live.

(a) Every callable reachable in that copy (module attributes, private ones too,
    methods of its classes, and functions kept in module-level data: exercises,
    mistakes, tuples, dicts, ``functools.partial``, closures, defaults) is handed
    to every code check.  None may pass but the public functions in `ALLOWED`,
    each of which the chapter teaches before the exercise (tested here).
(b) Every docstring example of that copy runs with every check of a graded
    exercise watched: none may return "correct".

`test_the_probe_finds_a_planted_answer` shows that (a) can fail: a module
planted in the installed copy with a correct function, hidden in a dict, a
tuple and a partial, is reported.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools.project import BOOK, ROOT

CHAPTERS = {f"ch{n:02d}": path for n, path in
            ((int(p.name[:2]), p) for p in sorted((BOOK / "chapters").glob("0[1-9]-*.md")))}

# Public API that answers a code exercise, which the chapter has taught before the
# exercise asks for it, with the text that shows it there.  A student may call it:
# the exercise's point is writing it again, which the check cannot tell apart.
ALLOWED = {
    # ex-stability-logsumexp asks for my_logsumexp and compares with helpers.logsumexp,
    # which the chapter has used in its text before.
    "check_logsumexp": {"helpers.numerics.logsumexp": "helpers.logsumexp("},
}


def _probe(doctests: bool = True) -> dict:
    """Run in the installed copy: what (a) and (b) find.  Self-contained (its source is copied)."""
    import doctest
    import functools
    import importlib
    import inspect
    import io
    import os
    import pkgutil
    import time
    import types
    from collections.abc import Mapping

    import helpers
    from helpers.checks import engine

    found = {"helpers_file": helpers.__file__, "import_errors": {}, "seconds": {}}
    start = time.perf_counter()
    try:
        importlib.import_module("grading")
        found["grading"] = True
    except ImportError:
        found["grading"] = False

    modules = {"helpers": helpers}
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        try:
            modules[info.name] = importlib.import_module(info.name)
        except Exception as exc:  # an extra that is not installed: nothing reachable there
            found["import_errors"][info.name] = repr(exc)

    def is_ours(obj):
        module = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "") or ""
        return module == "helpers" or module.startswith("helpers.")

    candidates, seen = {}, set()

    def walk(obj, path, depth=0):
        if id(obj) in seen or depth > 12 or isinstance(obj, (str, bytes, int, float, bool)):
            return
        seen.add(id(obj))
        if isinstance(obj, types.ModuleType):
            return
        if callable(obj):
            name = getattr(obj, "__qualname__", None)
            module = getattr(obj, "__module__", None)
            canonical = f"{module}.{name}" if isinstance(name, str) and module else path
            candidates.setdefault(id(obj), (canonical, obj))
        if isinstance(obj, functools.partial):
            walk(obj.func, path + ".func", depth + 1)
            for k, v in enumerate(obj.args):
                walk(v, f"{path}.args[{k}]", depth + 1)
            for k, v in obj.keywords.items():
                walk(v, f"{path}.keywords[{k}]", depth + 1)
        elif isinstance(obj, (staticmethod, classmethod)):
            walk(obj.__func__, path, depth + 1)
        elif isinstance(obj, property):
            for part in (obj.fget, obj.fset):
                if part is not None:
                    walk(part, path, depth + 1)
        elif isinstance(obj, types.FunctionType):
            if is_ours(obj):
                for k, cell in enumerate(obj.__closure__ or ()):
                    try:
                        walk(cell.cell_contents, f"{path}.<closure {k}>", depth + 1)
                    except ValueError:  # an empty cell
                        pass
                for k, v in enumerate(obj.__defaults__ or ()):
                    walk(v, f"{path}.<default {k}>", depth + 1)
                for k, v in (obj.__kwdefaults__ or {}).items():
                    walk(v, f"{path}.<default {k}>", depth + 1)
        elif isinstance(obj, type):
            if is_ours(obj):
                for k, v in vars(obj).items():
                    walk(v, f"{path}.{k}", depth + 1)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for k, v in enumerate(obj):
                walk(v, f"{path}[{k}]", depth + 1)
        elif isinstance(obj, Mapping):
            for k, v in list(obj.items()):
                walk(v, f"{path}[{k!r}]", depth + 1)
        elif is_ours(obj) and hasattr(obj, "__dict__"):
            for k, v in vars(obj).items():
                walk(v, f"{path}.{k}", depth + 1)

    for name, module in modules.items():
        for attr, value in vars(module).items():
            if not (attr.startswith("__") and attr.endswith("__")):
                walk(value, f"{name}.{attr}")
    found["callables"] = len(candidates)

    chapters = {n: m for n, m in modules.items() if n.startswith("helpers.checks.ch")}
    graded = {}
    for name, module in chapters.items():
        for check, exercises in module.EXERCISES.items():
            for ex in exercises:
                graded[id(ex)] = f"{name}.{check}"

    accepted = {}
    for module in chapters.values():
        for check, exercises in module.EXERCISES.items():
            if len(exercises) != 1 or not isinstance(exercises[0], engine.FunctionExercise):
                continue
            case = exercises[0].cases[0]
            for path, candidate in candidates.values():
                try:   # the signature filter: a function that cannot take the case fails
                    inspect.signature(candidate).bind(*case.args, **case.kwargs)
                except (TypeError, ValueError):
                    continue
                if getattr(module, check)(candidate):
                    accepted.setdefault(check, []).append(path)
    found["accepted"] = accepted
    found["seconds"]["a"] = time.perf_counter() - start
    if not doctests:
        return found

    # (b) every docstring example, with the graded exercises' checks watched.
    correct = []
    for cls in (engine.FunctionExercise, engine.ValueExercise):
        def watched(self, answer, _check=cls.check):
            feedback = _check(self, answer)
            if feedback and id(self) in graded:
                correct.append(graded[id(self)])
            return feedback
        cls.check = watched
    failures = tried = 0
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name, module in modules.items():
        for test in finder.find(module, name, globs=dict(vars(module))):
            before = len(correct)
            result = runner.run(test, out=io.StringIO().write)
            failures, tried = failures + result.failed, tried + result.attempted
            if len(correct) > before:
                correct.append(f"  in the examples of {test.name}")
    found["doctest"] = {"tried": tried, "failed": failures, "correct": correct}
    found["seconds"]["b"] = time.perf_counter() - start - found["seconds"]["a"]
    return found


def _install(tmp: Path) -> Path:
    """The package installed from a copy of the checkout (so that no build files land in it)."""
    source = tmp / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    target = tmp / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", str(source), "--no-deps",
                    "--no-build-isolation", "--no-index", "--quiet", "--target", str(target)],
                   check=True, capture_output=True, text=True)
    return target


def _run_probe(target: Path, cwd: Path, *, doctests: bool = True) -> dict:
    script = cwd / "probe.py"
    script.write_text(textwrap.dedent(inspect.getsource(_probe)) + textwrap.dedent(f"""
        import json, sys
        sys.path[:] = [{str(target)!r}] + [p for p in sys.path
                                            if p not in ({str(ROOT)!r}, {str(ROOT / "src")!r})]
        print("PROBE" + json.dumps(_probe({doctests!r})))
        """))
    # -s and a bare PYTHONPATH: the checkout's editable install and its src/ stay out.
    done = subprocess.run([sys.executable, "-s", str(script)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin",
                                                       "MPLBACKEND": "Agg", "HOME": str(cwd)})
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("PROBE"))
    return json.loads(line[len("PROBE"):])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("no_answers")
    target = _install(tmp)
    return target, _run_probe(target, tmp)


def test_the_probe_sees_only_the_installed_copy(installed):
    target, found = installed
    assert Path(found["helpers_file"]).is_relative_to(target)
    assert not found["grading"]
    assert (target / "helpers" / "checks" / "data" / "ch07.npz").is_file()
    assert not (target / "grading").exists()
    assert found["import_errors"] == {}
    assert found["callables"] > 500          # the walk reaches far: modules, classes, data


def test_no_callable_of_the_package_answers_a_code_check(installed):
    """(a): every accepted callable is public API the chapter taught before the exercise."""
    _, found = installed
    unexpected = {check: sorted(set(paths) - set(ALLOWED.get(check, {})))
                  for check, paths in found["accepted"].items()}
    assert {c: p for c, p in unexpected.items() if p} == {}


def test_no_docstring_example_passes_a_graded_check(installed):
    """(b): no example in the installed package shows an answer its check accepts."""
    _, found = installed
    assert found["doctest"]["tried"] > 100
    assert found["doctest"]["correct"] == []


def _label_of(check: str, text: str) -> int:
    """Where the label of the exercise whose check cell calls `check` is in `text`."""
    call = text.index(f"\n{check}(")
    return text.rindex(":label: ex-", 0, call)


@pytest.mark.parametrize("check", sorted(ALLOWED))
def test_allowed_functions_are_taught_before_their_exercise(check):
    chapter = next(name for name in CHAPTERS if check in _public_checks(name))
    text = CHAPTERS[chapter].read_text(encoding="utf-8")
    label = _label_of(check, text)
    for shown in ALLOWED[check].values():
        assert shown in text[:label], (check, shown)


def _public_checks(name: str) -> list[str]:
    text = (ROOT / "src" / "helpers" / "checks" / f"{name}.py").read_text(encoding="utf-8")
    return re.findall(r"^def (check_\w+)\(", text, flags=re.M)


def test_the_probe_finds_a_planted_answer(installed, tmp_path):
    """A copy of the installed package with a correct logsumexp hidden in data is caught."""
    target, _ = installed
    planted = tmp_path / "planted"
    shutil.copytree(target, planted)
    (planted / "helpers" / "planted.py").write_text(textwrap.dedent("""
        import functools
        import numpy as np

        def _lse(logits, axis=-1):
            top = np.max(logits, axis=axis, keepdims=True)
            return np.squeeze(top, axis) + np.log(np.sum(np.exp(logits - top), axis=axis))

        TABLE = {"kept": (functools.partial(_lse, axis=-1),)}
        del _lse
        """))
    found = _run_probe(planted, tmp_path, doctests=False)
    accepted = found["accepted"]["check_logsumexp"]
    assert "helpers.planted.TABLE['kept'][0]" in accepted       # the partial, inside data
    assert "helpers.planted._lse" in accepted                   # the function behind it
