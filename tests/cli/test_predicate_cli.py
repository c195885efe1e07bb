"""``normsharp counterexample --predicate``: your own predicate, from a file or a module in the
current directory, and its failures as one line with exit 2.

The separate-process tests run the command as the console script does (``sys.path[0]`` is not
the current directory): that is where ``myconj:fn`` used to fail with ``No module named
'myconj'`` and ``./myconj.py:fn`` with a traceback. The table of failures runs in this process
(the current directory changed, and taken off ``sys.path``), a few of them also separately.
"""

from __future__ import annotations

import textwrap

import pytest

from .entry_point import run_normsharp

MYCONJ = textwrap.dedent('''
    from fractions import Fraction

    def label_at_most_one(case):
        """y <= 1 (false for the simplest y > 1, y = 2)."""
        return case.y <= 1

    def divides_by_zero(case):
        return 1 / (case.y - case.y)

    def raises_above_two(case):
        if case.y > 2:
            raise RuntimeError("y is too large for me")
        return True

    def returns_text(case):
        return "yes"

    NOT_A_FUNCTION = 3
''')


@pytest.fixture
def where(tmp_path):
    """A working directory holding ``myconj.py`` (and a broken file), and a separate
    directory for the launcher."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "myconj.py").write_text(MYCONJ)
    (cwd / "broken.py").write_text("def fn(case)\n    return True\n")
    (cwd / "needs_missing.py").write_text("import no_such_dependency_xyz\n\n"
                                          "def fn(case):\n    return True\n")
    sub = cwd / "sub"
    sub.mkdir()
    (sub / "helper.py").write_text("LIMIT = 1\n")
    (sub / "uses_neighbour.py").write_text("from helper import LIMIT\n\n"
                                           "def fn(case):\n    return case.y <= LIMIT\n")
    return cwd, tmp_path / "bin"


def _run(where, spec, *extra):
    cwd, bin_dir = where
    return run_normsharp(["counterexample", "--predicate", spec, "--examples", "20", "--json",
                          *extra], cwd=cwd, launcher_dir=bin_dir)


@pytest.mark.parametrize("spec", ["myconj:label_at_most_one", "./myconj.py:label_at_most_one",
                                  "sub/uses_neighbour.py:fn"])
def test_a_predicate_in_the_current_directory_is_found(where, spec):
    """Both forms, relative paths, and a file importing its neighbour: the search runs and
    finds a counterexample, an instance with y > 1 (where the predicate is false)."""
    import json
    from fractions import Fraction

    res = _run(where, spec)
    assert res.code == 1, res.err
    obj = json.loads(res.out)
    assert obj["outcome"] == "refuted"
    assert Fraction(obj["counterexample"]["instance"]["y"]) > 1
    assert res.err == ""


def test_an_absolute_path_works_from_anywhere(where, tmp_path):
    cwd, bin_dir = where
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    res = run_normsharp(["counterexample", "--predicate",
                         f"{cwd / 'myconj.py'}:label_at_most_one", "--examples", "20"],
                        cwd=elsewhere, launcher_dir=bin_dir)
    assert res.code == 1, res.err
    assert "outcome: refuted" in res.out and "shrunk counterexample: x=" in res.out


# (spec, what the one error line must say)
FAILURES = [
    ("myconj:divides_by_zero", ["it raised ZeroDivisionError", "(myconj.py, line 9)",
                                "on the instance x=", "(at float64)"]),
    ("myconj:raises_above_two", ["it raised RuntimeError: y is too large for me",
                                 "(myconj.py, line 13)", "on the instance x="]),
    ("myconj:returns_text", ["returned 'yes' (str), not a verdict", "on the instance x="]),
    ("myconj:no_such_function", ["a function named 'no_such_function' in module myconj",
                                 "label_at_most_one"]),
    ("myconj:NOT_A_FUNCTION", ["a callable", "of type int"]),
    ("nosuchmodule_xyz:fn", ["no module named 'nosuchmodule_xyz'", "current directory"]),
    ("nosuchfile.py:fn", ["an existing Python file", "nosuchfile.py"]),
    ("broken.py:fn", ["SyntaxError", "(broken.py, line 1)"]),
    ("broken:fn", ["SyntaxError", "(broken.py, line 1)"]),
    ("needs_missing:fn", ["No module named 'no_such_dependency_xyz'",
                          "(needs_missing.py, line 1)"]),
    ("myconj", ["the form FILE.py:function or module:function"]),
    ("myconj:", ["the form FILE.py:function or module:function"]),
]


@pytest.fixture
def in_process(where, monkeypatch, cli):
    """``normsharp counterexample --predicate SPEC`` in this process, run from ``where``'s
    directory, which is not on ``sys.path`` (as for the console script)."""
    import sys

    cwd, _ = where
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(cwd))])
    for name in ("myconj", "broken", "needs_missing"):
        monkeypatch.delitem(sys.modules, name, raising=False)

    def go(spec):
        return cli(["counterexample", "--predicate", spec, "--examples", "20", "--json"])

    yield go
    for name in ("myconj", "broken", "needs_missing"):
        sys.modules.pop(name, None)


def _assert_one_line(res, spec, needles):
    assert res.code == 2, (res.code, res.err)
    assert res.out == "" and "Traceback" not in res.err
    assert len(res.err_lines) == 1, res.err_lines
    line = res.err_lines[0]
    assert line.startswith(f"normsharp: error: --predicate = '{spec}': "), line
    for needle in needles:
        assert needle in line, (needle, line)


@pytest.mark.parametrize("spec, needles", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_failing_predicate_is_one_line_and_exit_2(in_process, spec, needles):
    _assert_one_line(in_process(spec), spec, needles)


@pytest.mark.parametrize("spec", ["myconj:divides_by_zero", "broken.py:fn",
                                  "nosuchmodule_xyz:fn"])
def test_failures_through_the_entry_point(where, spec):
    _assert_one_line(_run(where, spec), spec, dict(FAILURES)[spec])


def test_the_instance_named_is_the_one_the_predicate_raised_on(in_process):
    """Independent check of the reported instance: it has y > 2, where the predicate
    raises."""
    from fractions import Fraction

    res = in_process("myconj:raises_above_two")
    line = res.err_lines[0]
    fields = dict(part.split("=", 1) for part in
                  line.split("on the instance ")[1].split(" (at ")[0].split(", ")
                  if "=" in part)
    assert Fraction(fields["y"]) > 2
