"""``normsharp flow``: the gradient-flow command (issue 3, items 5 and 6).

Expected values come from the theory layer's exact limit (sympy, 40 digits) or from the data
itself (interpolation), never from the command's own library call.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

import theory
from numerics.precision import DEFAULT_PAIR

#: the default audit's working digits for the flow (the package's one default pair)
LOW, HIGH = DEFAULT_PAIR.low.working_dps, DEFAULT_PAIR.high.working_dps
DEFAULT = ["flow", "--x", "1,0.5", "--y", "1", "--alpha", "0.01"]
KEYS = {"beta", "s_gf", "eta_c", "s_gf_at_end", "lambda_max_sup", "where", "digits",
        "precisions"}


def _exact_eta_c():
    return sp.N(theory.gradient_flow_limit([1, "1/2"], 1, "1/100").eta_c, 40)


def test_done_criterion_eta_c_is_0_50125_to_all_printed_digits(cli):
    res = cli(DEFAULT)
    assert res.code == 0 and res.err == ""
    line = next(ln for ln in res.out.splitlines() if ln.startswith("eta_c"))
    _, text, digits = line.split()
    digits = int(digits)
    assert digits == LOW  # LOW against HIGH digits agree on all LOW
    assert text == str(sp.N(_exact_eta_c(), digits))  # every printed digit is right
    assert Decimal(text).quantize(Decimal("0.00001")) == Decimal("0.50125")
    assert "sup S attained at the end: yes" in res.out


def test_json_keys_and_values(cli):
    res = cli(DEFAULT + ["--json"])
    assert res.code == 0
    obj = res.json()
    assert KEYS <= set(obj)
    assert obj["s_gf_at_end"] is True and isinstance(obj["s_gf_at_end"], bool)
    assert set(obj["where"]) == {"R", "t"} and obj["where"]["t"] is None
    assert obj["precisions"] == [f"mpmath:{LOW}", f"mpmath:{HIGH}"]
    assert obj["digits"]["eta_c"] == LOW and obj["digits"]["s_gf"] == LOW
    exact = theory.gradient_flow_limit([1, "1/2"], 1, "1/100")
    assert abs(obj["eta_c"] - float(_exact_eta_c())) < 1e-15
    assert abs(obj["s_gf"] - float(sp.N(exact.sharpness, 30))) < 1e-14
    for b, e in zip(obj["beta"], exact.beta):
        assert abs(b - float(sp.N(e, 30))) < 1e-15
    assert obj["text"]["eta_c"] == str(sp.N(_exact_eta_c(), LOW))


def test_large_alpha_s_gf_is_at_the_start(cli):
    """The spec's claim 's_GF is attained at the end' fails for alpha = 1 (r(0) > 0)."""
    obj = cli(["flow", "--x", "1,0.5", "--y", "1", "--alpha", "1", "--precision", "10",
               "--json"]).json()
    assert obj["s_gf_at_end"] is False and obj["where"] == {"R": 0.0, "t": 0.0}
    # S(0) = lambda_max [[5, 2], [2, 3/2]] = (13 + sqrt(113)) / 4, from R1 by hand
    assert abs(obj["s_gf"] - (13 + np.sqrt(113)) / 4) < 1e-9
    assert obj["s_gf"] > obj["s_end"]


@pytest.mark.parametrize("param", ["product", "difference"])
def test_other_parametrisations(cli, param):
    obj = cli(DEFAULT + ["--param", param, "--precision", "8", "--json"]).json()
    beta = np.array(obj["beta"])
    assert abs(beta @ np.array([1, 0.5]) - 1) < 1e-7  # the limit interpolates
    assert obj["digits"]["eta_c"] >= 7 and abs(obj["eta_c"] * obj["s_gf"] - 2) < 1e-7


def test_n_samples_from_files(cli, tmp_path):
    X = np.array([[1, 0.5, 0.25], [1 / 4, 1, 0.5]])
    y = np.array([1.0, 1.0])
    np.save(tmp_path / "X.npy", X)
    (tmp_path / "y.csv").write_text("1\n1\n")
    res = cli(["flow", "--X-file", tmp_path / "X.npy", "--y-file", tmp_path / "y.csv",
               "--alpha", "0.1", "--precision", "8", "--json"])
    assert res.code == 0, res.err
    obj = res.json()
    assert obj["method"] == "taylor" and len(obj["beta"]) == 3 and len(obj["where"]["R"]) == 2
    assert np.max(np.abs(X @ np.array(obj["beta"]) - y)) < 1e-7
    assert isinstance(obj["s_gf_at_end"], bool)


BAD = [
    (["--alpha", "0"], "--alpha"),
    (["--alpha", "-1"], "--alpha"),
    (["--alpha", "nan"], "--alpha"),
    (["--alpha", "inf"], "--alpha"),
    (["--x", "1,nan"], "--x"),
    (["--x", "1"], "d"),
    (["--y", "-1"], "y"),
    (["--precision", "3"], "--precision"),
    (["--precision", "ten"], "--precision"),
    (["--precision", "50001"], "--precision"),  # 2p digits would exceed 100000: refused first
    (["--param", "sum"], "--param"),
]


@pytest.mark.parametrize("change,name", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_exits_2_with_one_line(cli, change, name):
    argv = list(DEFAULT)
    for flag, value in zip(change[::2], change[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    res = cli(argv)
    assert res.code == 2 and res.out == ""
    assert len(res.err_lines) == 1 and res.err_lines[0].startswith("normsharp: error:")
    assert name in res.err_lines[0] and "Traceback" not in res.err


def test_bad_files_exit_2(cli, tmp_path):
    np.save(tmp_path / "X.npy", np.array([[1.0, 2.0], [2.0, 4.0]]))  # rank 1
    (tmp_path / "y.csv").write_text("1\n1\n")
    (tmp_path / "y3.csv").write_text("1\n1\n1\n")
    for yfile, name in (("y.csv", "X"), ("y3.csv", "len(--y-file)")):
        res = cli(["flow", "--X-file", tmp_path / "X.npy", "--y-file", tmp_path / yfile,
                   "--alpha", "0.1", "--param", "product"])
        assert res.code == 2 and len(res.err_lines) == 1 and name in res.err_lines[0]
    res = cli(["flow", "--alpha", "0.1"])
    assert res.code == 2 and "--x" in res.err_lines[0]


def test_exact_fractions_are_accepted(cli):
    obj = cli(["flow", "--x", "1,1/2", "--y", "1", "--alpha", "1/100", "--precision", "6",
               "--json"]).json()
    assert obj["text"]["eta_c"] == str(sp.N(_exact_eta_c(), obj["digits"]["eta_c"]))
    assert F(obj["text"]["eta_c"]) > 0


def test_long_vectors_are_summarised_unless_full(cli):
    """d = 60: beta prints as its first three and last entries with the count; --full prints
    all 60, and the summary's entries are the full run's own."""
    x = ",".join(f"{1 + i % 7}/{1 + i % 5}" for i in range(60))
    short = cli(["flow", "--x", x, "--alpha", "0.01"])
    full = cli(["flow", "--x", x, "--alpha", "0.01", "--full"])
    assert short.code == 0 and full.code == 0, short.err + full.err
    s_row = next(line for line in short.out.splitlines() if line.startswith("beta"))
    f_row = next(line for line in full.out.splitlines() if line.startswith("beta"))
    entries = f_row.split("(")[1].split(")")[0].split(", ")
    assert len(entries) == 60
    assert f"({', '.join(entries[:3])}, ..., {entries[-1]}) [60 entries]" in s_row
    assert "--full prints them whole" in short.out and "--full" not in full.out
    assert "[60 entries]" in short.out.splitlines()[0]  # the data in the first line too
