"""``normsharp quantized-fit``, ``adversary`` and ``exit-flag``: JSON contracts, exact values from
independent routes, and bad input (exit 2, one line naming the option)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from proofs_check import computability_reference as ref


@pytest.fixture
def xor(tmp_path):
    def write(rows, name="xor.csv"):
        path = tmp_path / name
        path.write_text("\n".join(",".join(str(v) for v in r) for r in rows) + "\n")
        return str(path)

    return write


XOR = [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]
XOR_SIGN = [(0, 0, -1), (0, 1, 1), (1, 0, 1), (1, 1, -1)]


def test_quantized_fit_json_contract(cli, xor):
    r = cli(["quantized-fit", "--arch", "2,2,1", "--grid", "-2:2", "--data", xor(XOR), "--json"])
    assert r.code == 0 and r.err == ""
    obj = r.json()
    assert obj["found"] is True and isinstance(obj["checked"], int)
    layers = obj["witness"]["layers"]
    assert [len(layer["W"]) for layer in layers] == [2, 1]
    assert all(isinstance(v, str) for layer in layers for row in layer["W"] for v in row)
    params = [F(v) for layer in layers for row, b in zip(layer["W"], layer["b"])
              for v in (*row, b)]
    # independent: the witness fits (plain evaluator) and is the brute force's first one
    assert all(ref.network_output((2, 2, 1), params, x[:2])[0] == x[2] for x in XOR)
    found, checked, first = ref.brute_force_fit_integers((2, 2, 1), range(-2, 3),
                                                         [x[:2] for x in XOR],
                                                         [x[2] for x in XOR], "exact")
    assert (obj["checked"], tuple(params)) == (checked, first)


def test_quantized_fit_none_and_text(cli, xor):
    r = cli(["quantized-fit", "--arch", "2,1,1", "--grid", "-1,0,1", "--data", xor(XOR),
             "--json"])
    assert r.json()["found"] is False and r.json()["witness"] is None
    assert r.json()["checked"] == 3 ** 5
    t = cli(["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", xor(XOR)])
    assert t.code == 0 and "found" in t.out and "layer 2 (linear output)" in t.out
    s = cli(["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", xor(XOR_SIGN),
             "--labels", "sign"])
    assert s.code == 0 and "none: no network" in s.out and "19683" in s.out


def test_quantized_fit_erm_and_argmax(cli, xor):
    r = cli(["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", xor(XOR_SIGN),
             "--labels", "sign", "--erm", "--json"])
    assert r.json()["loss"] == "1/4"
    a = cli(["quantized-fit", "--arch", "2,2,2", "--grid", "-1:1:1/2", "--data", xor(XOR),
             "--labels", "argmax", "--json"])
    assert a.code == 0 and a.json()["found"] is True
    assert a.json()["grid"] == ["-1", "-1/2", "0", "1/2", "1"]


def test_adversary_json_against_each_classifier(cli):
    for spec, N in [("float64", 60), ("mpmath:30", 108), ("interval:3", 24)]:
        r = cli(["adversary", "--threshold", "1/3", "--classifier", spec, "--json"])
        obj = r.json()
        assert r.code == 0 and obj["won"] is True and obj["precision"] == N
        assert F(obj["point"]) == F(1, 3) - F(1, 2 ** N)  # it answered 'above' at t
        assert obj["answer"] == obj["answer_at_threshold"] == "above"
    d = cli(["adversary", "--threshold", "-7/5", "--detector", "--json"])
    assert d.code == 0 and d.json()["detector_wrong"] is True
    assert d.json()["failure"] == "missed failure"
    e = cli(["adversary", "--threshold", "1/3", "--classifier", "exit:20"])
    assert e.code == 0 and "EXIT" in e.out and "cannot be made wrong" in e.out


def test_exit_flag(cli):
    r = cli(["exit-flag", "--threshold", "1.41", "--budget", "9", "--x", "sqrt(2)", "--json"])
    assert r.json()["answer"] == "above"  # 2 * 2^-9 < sqrt(2) - 1.41: it must answer
    e = cli(["exit-flag", "--threshold", "-1/3", "--budget", "40", "--x", "-1/3", "--json"])
    assert e.json()["answer"] == "EXIT" and F(e.json()["exit_radius"]) == F(2, 2 ** 40)
    t = cli(["exit-flag", "--threshold", "0", "--budget", "3", "--x", "-1"])
    assert t.code == 0 and "below: proved" in t.out


@pytest.mark.parametrize("argv,needle", [
    (["quantized-fit", "--arch", "2", "--grid", "-1:1", "--data", "DATA"], "--arch"),
    (["quantized-fit", "--arch", "2,x,1", "--grid", "-1:1", "--data", "DATA"], "--arch"),
    (["quantized-fit", "--arch", "2,2,1", "--grid", "1:-1", "--data", "DATA"], "--grid"),
    (["quantized-fit", "--arch", "2,2,1", "--grid", "a,b", "--data", "DATA"], "--grid"),
    (["quantized-fit", "--arch", "3,2,1", "--grid", "-1:1", "--data", "DATA"], "--data"),
    (["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", "/nonexistent.csv"],
     "--data"),
    (["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", "DATA", "--labels",
      "sign"], "--data"),
    (["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", "DATA", "--labels",
      "argmax"], "--arch"),
    (["quantized-fit", "--arch", "2,5,1", "--grid", "-3:3", "--data", "DATA", "--budget",
      "5000"], "--budget"),
    (["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", "DATA", "--budget",
      "0"], "--budget"),
    (["adversary", "--threshold", "1/3", "--classifier", "mpmath:0"], "--classifier"),
    (["adversary", "--threshold", "1/3", "--classifier", "double"], "--classifier"),
    (["adversary", "--threshold", "x"], "--threshold"),
    (["exit-flag", "--threshold", "1", "--budget", "-2", "--x", "1"], "--budget"),
    (["exit-flag", "--threshold", "1", "--budget", "2", "--x", "sqrt(-2)"], "--x"),
    (["exit-flag", "--threshold", "1", "--budget", "2", "--x", "pi"], "--x"),
])
def test_bad_input_exits_2_with_one_line(cli, xor, argv, needle):
    data = xor(XOR)
    r = cli([data if a == "DATA" else a for a in argv])
    assert r.code == 2 and r.out == "", (r.code, r.out, r.err)
    (line,) = r.err_lines
    assert line.startswith("normsharp: error:") and needle in line, line


def test_a_sign_label_of_zero_names_the_file_row(cli, xor):
    r = cli(["quantized-fit", "--arch", "2,2,1", "--grid", "-1:1", "--data", xor(XOR),
             "--labels", "sign"])
    assert "row 1" in r.err and "nonzero" in r.err


def test_help_lists_the_commands(cli):
    r = cli(["--help"])
    for name in ("quantized-fit", "adversary", "exit-flag"):
        assert name in r.out


def test_the_reproduce_section_draws_the_bridge_figure(tmp_path):
    from normsharp.bridge_plot import computability_section

    sec = computability_section(tmp_path, quick=True)
    assert sec["figure"].is_file() and sec["figure"].stat().st_size > 10_000
    assert f"]({sec['figure'].name})" in sec["body"] and sec["refuted"] == []
    assert [v.verdict for v in sec["verdicts"]] == ["held"] * 4
    assert sec["json"]["bridge"]["kind"] == "experiment"
    # the section's judgements: every XOR answer checked, the adversary table complete
    assert [v.id for v in sec["verdicts"]] == ["C2", "C5", "C6", "C7"]
    rows = {(r["arch"], r["grid"], r["labels"]): r for r in sec["json"]["xor"]}
    assert len(rows) == 40 and all(r["verdict"] == "held" for r in rows.values())
    assert sum("brute force" in r["check"] for r in rows.values()) >= 33
    assert not any(r["found"] for (a, _, _), r in rows.items() if a in ("2-1-1", "2-1-1-1"))
    assert rows[("2-2-1", "{-1,0,1}", "exact")]["found"]
    assert not rows[("2-2-1", "{-1,0,1}", "sign")]["found"]
    assert {r["classifier"] for r in sec["json"]["adversary"]} >= {"float64", "mpmath:15",
                                                                   "interval:4", "exit:30"}
    for needle in ("### XOR on {0,1}^2", "### The boundary adversary", "an experiment, not a "
                   "theorem", "| float64 | 1/3 | 60 |"):
        assert needle in sec["body"]
    table = json.loads(sec["table"].read_text())
    assert table["kind"] == "experiment" and len(table["rows"]) == 9  # quick: 3 etas x 3 b
