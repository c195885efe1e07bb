"""Bad input on the command line: exit 2, exactly one line ``normsharp: error: ...`` on stderr
naming the argument, nothing on stdout, and never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import normsharp

X = ["--x", "1,0.5"]
GD = ["gd", "--x", "1,0.5", "--alpha", "0.01", "--eta", "0.5", "--steps", "10", "--no-certify"]


def _gd(*changes, drop=()):
    """The valid gd argv with options replaced (``--opt value`` pairs) or dropped."""
    argv = list(GD)
    for opt in drop:
        i = argv.index(opt)
        del argv[i:i + 2]
    pairs = list(changes)
    while pairs:
        opt = pairs.pop(0)
        value = pairs.pop(0) if pairs and not pairs[0].startswith("--") else None
        if opt in argv and value is not None:
            argv[argv.index(opt) + 1] = value
        else:
            argv += [opt] + ([value] if value is not None else [])
    return argv


# (id, argv, text the one error line must contain: the argument)
BAD = [
    # interpolators
    ("interp-x-nan", ["interpolators", "--x", "1,nan"], "--x"),
    ("interp-x-inf", ["interpolators", "--x", "inf,1"], "--x"),
    ("interp-x-text", ["interpolators", "--x", "a,b"], "--x"),
    ("interp-x-empty-entry", ["interpolators", "--x", "1,,2"], "--x"),
    ("interp-x-div-zero", ["interpolators", "--x", "1/0,1"], "--x"),
    ("interp-d-1", ["interpolators", "--x", "1"], "x"),
    ("interp-x-negative", ["interpolators", "--x", "1,-0.5"], "x[1]"),
    ("interp-x-zero", ["interpolators", "--x", "0,1"], "x[0]"),
    ("interp-y-zero", ["interpolators", *X, "--y", "0"], "y"),
    ("interp-y-negative", ["interpolators", *X, "--y", "-1"], "y"),
    ("interp-y-nan", ["interpolators", *X, "--y", "nan"], "--y"),
    ("interp-alpha-zero", ["interpolators", *X, "--alpha", "0"], "--alpha"),
    ("interp-alpha-negative", ["interpolators", *X, "--alpha", "-0.01"], "--alpha"),
    ("interp-alpha-inf", ["interpolators", *X, "--alpha", "inf"], "--alpha"),
    ("interp-beta-star-short", ["interpolators", *X, "--beta-star", "1"], "--beta-star"),
    ("interp-beta-star-long", ["interpolators", *X, "--beta-star", "1,2,3"], "--beta-star"),
    ("interp-beta-star-nan", ["interpolators", *X, "--beta-star", "1,nan"], "--beta-star"),
    ("interp-missing-x", ["interpolators"], "--x"),
    ("interp-unknown-option", ["interpolators", *X, "--bogus"], "--bogus"),
    # derive
    ("derive-unknown-name", ["derive", "hessians"], "NAME"),
    ("derive-missing-name", ["derive"], "NAME"),
    ("derive-d-1", ["derive", "hessian", "--d", "1"], "--d"),
    ("derive-d-0", ["derive", "hessian", "--d", "0"], "--d"),
    ("derive-d-negative", ["derive", "sharpness", "--d", "-2"], "--d"),
    ("derive-d-text", ["derive", "hessian", "--d", "two"], "--d"),
    ("derive-d-float", ["derive", "hessian", "--d", "2.5"], "--d"),
    ("derive-steps-0", ["derive", "gd-identity", "--steps", "0"], "--steps"),
    ("derive-unknown-option", ["derive", "risk", "--bogus"], "--bogus"),
    # gd: required arguments
    ("gd-missing-eta", _gd(drop=["--eta"]), "--eta"),
    ("gd-missing-steps", _gd(drop=["--steps"]), "--steps"),
    ("gd-missing-alpha", _gd(drop=["--alpha"]), "--alpha"),
    ("gd-missing-data", _gd(drop=["--x"]), "--x"),
    # gd: numbers
    ("gd-eta-zero", _gd("--eta", "0"), "--eta"),
    ("gd-eta-negative", _gd("--eta", "-0.5"), "--eta"),
    ("gd-eta-nan", _gd("--eta", "nan"), "--eta"),
    ("gd-eta-inf", _gd("--eta", "inf"), "--eta"),
    ("gd-steps-zero", _gd("--steps", "0"), "--steps"),
    ("gd-steps-negative", _gd("--steps", "-5"), "--steps"),
    ("gd-steps-float", _gd("--steps", "1.5"), "--steps"),
    ("gd-alpha-zero", _gd("--alpha", "0"), "--alpha"),
    ("gd-alpha-nan", _gd("--alpha", "nan"), "--alpha"),
    ("gd-x-nan", _gd("--x", "1,nan"), "--x"),
    ("gd-x-inf", _gd("--x", "1,-inf"), "--x"),
    ("gd-d-1", _gd("--x", "1"), "d"),
    ("gd-y-two-values", _gd("--y", "1,2"), "--y"),
    ("gd-beta-star-long", _gd("--beta-star", "1,2,3"), "len(--beta-star)"),
    ("gd-beta-star-inf", _gd("--beta-star", "1,inf"), "--beta-star"),
    ("gd-precision-3", _gd("--precision", "3"), "--precision"),
    ("gd-precision-0", _gd("--precision", "0"), "--precision"),
    ("gd-precision-text", _gd("--precision", "many"), "--precision"),
    ("gd-tol-zero", _gd("--tol", "0"), "--tol"),
    ("gd-tol-nan", _gd("--tol", "nan"), "--tol"),
    ("gd-average-last-too-long", _gd("--average-last", "20"), "average"),
    ("gd-average-last-negative", _gd("--average-last", "-1"), "--average-last"),
    ("gd-decay-to-zero", _gd("--decay-steps", "5", "--decay-to", "0"), "decay"),
    ("gd-decay-to-above-one", _gd("--decay-steps", "5", "--decay-to", "2"), "decay"),
    ("gd-decay-steps-negative", _gd("--decay-steps", "-1"), "--decay-steps"),
    # gd: choices
    ("gd-param-unknown", _gd("--param", "hadamard"), "--param"),
    ("gd-backend-unknown", _gd("--backend", "float64"), "--backend"),
    ("gd-unknown-option", _gd("--bogus"), "--bogus"),
    # magnitudes too big to be worth computing with
    ("gd-alpha-beyond-1e1000", _gd("--alpha", "1e-5000", "--precision", "30"), "--alpha"),
    ("interp-alpha-beyond-1e1000", ["interpolators", *X, "--alpha", "1e-5000"], "--alpha"),
    ("gd-precision-huge", _gd("--precision", "60000"), "precision"),
    ("gd-average-and-decay", _gd("--average-last", "2", "--decay-steps", "5"),
     "--average-last"),
    ("gd-checkpoint-no-dir", _gd("--checkpoint", "/nonexistent/dir/ck"), "checkpoint"),
    ("derive-steps-too-many", ["derive", "gd-identity", "--steps", "30"], "--steps"),
    ("derive-d-too-big", ["derive", "hessian", "--d", "40"], "--d"),
    ("sweep-unwritable-out", ["sweep", *X, "--alpha", "0.01", "--eta-min", "0.3", "--eta-max",
                              "0.5", "--num", "3", "--steps", "50", "--out", "/proc/normsharp"],
     "/proc/normsharp"),
    # values shown as mathematics (issue 13: "eta_max = Fraction(3, 10)")
    ("sweep-eta-max-below-eta-min", ["sweep", *X, "--alpha", "0.01", "--eta-min", "0.5",
                                     "--eta-max", "0.3", "--num", "3", "--steps", "10"],
     "--eta-max = 3/10: eta_max >= eta_min = 1/2"),
    # top level
    ("unknown-command", ["regress"], "regress"),
]


def _assert_one_error_line(res, name):
    assert res.code == 2, (res.argv, res.code, res.out, res.err)
    assert res.out == "", res.out
    lines = res.err_lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("normsharp: error: "), lines[0]
    assert name in lines[0], (name, lines[0])
    assert "Traceback" not in res.err
    for python_repr in ("Fraction(", "np.float64(", "np.int64(", "array("):
        assert python_repr not in lines[0], lines[0]  # values read as mathematics


@pytest.mark.parametrize("argv, name", [pytest.param(*c[1:], id=c[0]) for c in BAD])
def test_bad_input_exits_2_with_one_line(cli, argv, name):
    _assert_one_error_line(cli(argv), name)


# ---------------------------------------------------------------------------------- files
@pytest.fixture
def files(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text)
        return path

    paths = {
        "X": write("X.csv", "1,2\n3,4\n5,6\n"),
        "y2": write("y2.csv", "1\n2\n"),
        "y3": write("y3.csv", "1\n2\n3\n"),
        "Xnan": write("Xnan.csv", "1,2\n3,nan\n5,6\n"),
        "Xtext": write("Xtext.csv", "a,b\nc,d\n"),
        "empty": write("empty.csv", ""),
    }
    np.save(tmp_path / "obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    np.save(tmp_path / "X3d.npy", np.ones((2, 2, 2)))
    paths["obj"] = tmp_path / "obj.npy"
    paths["X3d"] = tmp_path / "X3d.npy"
    paths["missing"] = tmp_path / "missing.csv"
    paths["dir"] = tmp_path
    return paths


FILE_CASES = [  # (id, X key, y key, extra, argument named)
    ("both-x-and-X-file", "X", "y3", ["--x", "1,0.5"], "--x"),
    ("only-X-file", "X", None, [], "--y-file"),
    ("only-y-file", None, "y3", [], "--X-file"),
    ("missing-file", "missing", "y3", [], "--X-file"),
    ("directory", "dir", "y3", [], "--X-file"),
    ("nan-in-file", "Xnan", "y3", [], "--X-file"),
    ("text-file", "Xtext", "y3", [], "--X-file"),
    ("pickled-npy", "obj", "y3", [], "--X-file"),
    ("missing-y-file", "X", "missing", [], "--y-file"),
    ("wrong-y-length", "X", "y2", [], "len(--y-file)"),
    ("X-3d", "X3d", "y2", [], "X"),
]


@pytest.mark.parametrize("xkey, ykey, extra, name", [c[1:] for c in FILE_CASES],
                         ids=[c[0] for c in FILE_CASES])
def test_bad_data_files(cli, files, xkey, ykey, extra, name):
    argv = ["gd", "--alpha", "0.01", "--eta", "0.5", "--steps", "10", "--no-certify", *extra]
    if xkey:
        argv += ["--X-file", files[xkey]]
    if ykey:
        argv += ["--y-file", files[ykey]]
    _assert_one_error_line(cli(argv), name)


def test_empty_data_file(cli, files):
    argv = ["gd", "--alpha", "0.01", "--eta", "0.5", "--steps", "10", "--no-certify",
            "--X-file", files["empty"], "--y-file", files["y2"]]
    _assert_one_error_line(cli(argv), "--X-file")


# ---------------------------------------------------------------------------- good exits
def test_no_command_prints_help_and_exits_2(cli):
    res = cli([])
    assert res.code == 2 and "usage" in (res.out + res.err).lower()


def test_version_in_process(cli):
    res = cli(["--version"])
    assert res.code == 0 and res.out.strip() == f"normsharp {normsharp.__version__}"


def test_version_subprocess():
    """``python -m normsharp --version`` works as a module entry point."""
    root = Path(normsharp.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "normsharp", "--version"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"normsharp {normsharp.__version__}"
    assert proc.stderr == ""


def test_bad_input_subprocess_has_no_traceback():
    """The one-line contract holds through the real entry point too (not only in-process)."""
    root = Path(normsharp.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "normsharp", "gd", "--x", "1,nan", "--alpha",
                           "0.01", "--eta", "0.5", "--steps", "3"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("normsharp: error: ") and "--x" in lines[0]


def test_a_closed_pipe_ends_quietly_with_exit_0():
    """``normsharp sweep ... | head -1``: the reader leaves after one line; the command stops
    writing without an error message and exits 0 (a closed pipe is not a failure)."""
    root = Path(normsharp.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    argv = [sys.executable, "-m", "normsharp", "sweep", "--x", "1,0.5", "--alpha", "0.01",
            "--eta-min", "0.1", "--eta-max", "0.2", "--num", "3000", "--steps", "10",
            "--confirm", "none", "--no-refine"]  # about 300 kB of table
    proc = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with proc.stderr:
        first = proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as `head -1` does
        err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert first.startswith("Sweep of GD") and err == ""


def test_an_internal_error_exits_3_with_one_line_and_a_saved_traceback(cli, monkeypatch):
    """A bug is not a refutation (exit 1) nor bad input (exit 2): exit 3, one line on stderr
    naming a file that holds the traceback."""
    import normsharp.commands.interpolators as cmd

    def broken(args):
        raise ZeroDivisionError("a planted bug")

    monkeypatch.setattr(cmd, "run", broken)
    res = cli(["interpolators", "--x", "1,0.5"])
    assert res.code == 3 and res.out == "" and len(res.err_lines) == 1
    line = res.err_lines[0]
    assert line.startswith("normsharp: internal error (ZeroDivisionError: a planted bug)")
    path = Path(line.split("traceback saved to ")[1].split(";")[0])
    text = path.read_text()
    assert "Traceback" in text and "a planted bug" in text and "interpolators" in text
    path.unlink()


def test_version_and_help_import_no_command_module():
    """Fast start: ``--version`` and ``--help`` load no command module (nor sympy,
    hypothesis, numerics)."""
    root = Path(normsharp.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    code = ("import sys, contextlib, io\nfrom normsharp.cli import main\n"
            "for argv in (['--version'], ['--help'], []):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        try:\n            main(argv)\n        except SystemExit:\n            pass\n"
            "bad = [m for m in sys.modules if m.startswith('normsharp.commands.') or "
            "m.split('.')[0] in ('sympy', 'hypothesis', 'numerics', 'proofs_check', "
            "'matplotlib')]\nprint(bad)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("change, status, diverged_at", [
    # w_0 = 1e-400 grows by at most (1 + 2 eta x_max) = 2 per step: 10 steps leave r ~ -1
    (("--alpha", "1e-400"), "not_converged", None),
    (("--alpha", "1e400"), "diverged", 0),   # r_0 = 1.5e800 > r_max already
    (("--eta", "1e400"), "diverged", 1),     # one step multiplies w by about 1e400
    (("--x", "1e309,1"), "diverged", 0),     # r_0 = 1e305
], ids=lambda c: c if isinstance(c, str) else None)
def test_values_beyond_float64s_range_are_computed_not_refused(cli, change, status,
                                                               diverged_at):
    """The default pair (dd against qd) has float64's exponent range; a value outside it is
    carried on in Arb from its exact value (never flushed to 0 or inf). Such inputs used to be
    refused because float64 was the audit's low precision; now they run, to the outcome the
    arithmetic above predicts."""
    res = cli(_gd(*change) + ["--json"])
    assert res.code == 0, res.err
    obj = res.json()
    assert obj["status"] == status and obj.get("diverged_at") == diverged_at
