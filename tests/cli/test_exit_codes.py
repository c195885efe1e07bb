"""The exit codes the README documents, each through the real entry point (a separate
process, run as the console script runs): 0 held, 1 refuted, 2 bad input, 3 internal error with
a saved traceback. The internal error is planted by the test (before ``main`` runs); the
library has no hook for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .entry_point import run_normsharp


@pytest.fixture
def run(tmp_path):
    work = tmp_path / "work"
    work.mkdir()

    def go(*argv, setup=""):
        return run_normsharp(argv, cwd=work, launcher_dir=tmp_path / "bin", setup=setup)

    return go


def test_0_a_verified_claim(run):
    res = run("verify", "--claim", "R2", "--examples", "2")
    assert res.code == 0, res.err
    assert "summary: 1 verified, 0 refuted, 0 undecided" in res.out and res.err == ""


def test_1_a_refuted_conjecture(run):
    res = run("counterexample", "s-gf-attained-at-end", "--examples", "5")
    assert res.code == 1, res.err
    assert "outcome: refuted" in res.out and res.err == ""


def test_2_bad_input(run):
    res = run("verify", "--claim", "R99")
    assert res.code == 2 and res.out == ""
    assert len(res.err_lines) == 1 and res.err_lines[0].startswith("normsharp: error: --claim")


PLANTED = ("import proofs_check\n"
           "def _planted(*args, **kw):\n"
           "    raise ZeroDivisionError('a planted bug')\n"
           "proofs_check.verify = _planted\n")


def _saved_traceback(line: str) -> Path:
    match = re.search(r"traceback saved to (\S+);", line)
    assert match, line
    return Path(match.group(1))


def test_3_an_internal_error_is_one_line_and_a_saved_traceback(run):
    res = run("verify", "--claim", "R2", "--examples", "2", setup=PLANTED)
    assert res.code == 3 and res.out == "" and "Traceback" not in res.err
    (line,) = res.err_lines
    assert line.startswith("normsharp: internal error (ZeroDivisionError: a planted bug)")
    path = _saved_traceback(line)
    text = path.read_text()
    assert "Traceback" in text and "_planted" in text and "'verify'" in text
    path.unlink()


def test_3_in_process(cli, monkeypatch):
    """The same in this process: a library function deep in the command raising."""
    import proofs_check

    def planted(*args, **kw):
        raise KeyError("planted in-process")

    monkeypatch.setattr(proofs_check, "verify", planted)
    res = cli(["verify", "--claim", "R2", "--examples", "2"])
    assert res.code == 3 and res.out == ""
    (line,) = res.err_lines
    assert line.startswith("normsharp: internal error (KeyError: 'planted in-process')")
    path = _saved_traceback(line)
    assert "planted in-process" in path.read_text()
    path.unlink()


def test_the_readme_documents_these_codes():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for code in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^\| {code} \| ", readme, re.MULTILINE), code
