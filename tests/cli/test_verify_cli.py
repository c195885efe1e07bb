"""``normsharp verify``: JSON keys, verdicts, exit codes (0 nothing refuted, 1 refuted, 2 bad
input), determinism under ``--seed`` and a planted wrong claim caught from the command line."""

from __future__ import annotations

import pytest

from proofs_check import Check, Claim, register, unregister
from proofs_check import strategies as S
from proofs_check.decide import exact_equal

CLAIM_KEYS = {"id", "statement", "citation", "kind", "verdict", "examples", "max_abs_error",
              "counterexample", "truncated"}


def _strip(obj):
    obj.pop("seconds")
    for c in obj["claims"]:
        c.pop("seconds")
        for k in c["checks"]:
            k.pop("seconds")
    return obj


def test_json_contract_and_exit_0(cli):
    res = cli(["verify", "--claim", "R2", "--claim", "E2", "--examples", "3", "--json"])
    assert res.code == 0, res.err
    obj = res.json()
    assert set(obj) >= {"claims", "summary"}
    assert [c["id"] for c in obj["claims"]] == ["R2", "E2"]
    for c in obj["claims"]:
        assert set(c) >= CLAIM_KEYS
        assert c["verdict"] == "verified" and c["counterexample"] is None
        assert c["truncated"] is False
        for k in c["checks"]:  # each check says its kind and the rules that decided it
            assert k["kind"] and k["rules"] and k["passed"] >= 2
        assert c["citation"].endswith(c["id"])
        assert isinstance(c["examples"], int) and c["examples"] > 0
    assert obj["summary"] == {"verified": 2, "refuted": 0, "undecided": 0}
    assert res.err == ""  # quiet with --json


def test_deterministic_under_seed(cli):
    argv = ["verify", "--claim", "R4", "--examples", "3", "--seed", "11", "--json"]
    a, b = cli(argv), cli(argv)
    assert _strip(a.json()) == _strip(b.json())


def test_text_table(cli):
    res = cli(["verify", "--claim", "R3", "--examples", "2"])
    assert res.code == 0
    assert "R3" in res.out and "verified" in res.out and "summary: 1 verified" in res.out
    header, _, row = res.out.splitlines()[1:4]
    assert "truncated" in header.split()
    assert row.split()[header.split().index("truncated")] == "no"


def wrong_vertex_count(inst):
    """Planted: M has d - 1 vertices (wrong; it has d)."""
    return exact_equal("vertices", len(inst.x) - 1, len(inst.x))


@pytest.fixture
def planted():
    register(Claim("PLANTED", "A wrong statement planted by the CLI tests.", "[planted]",
                   "identity", (wrong_vertex_count,), ("none",), "one-sample problems",
                   (Check("planted", wrong_vertex_count, S.problems(d_max=4), "exact"),)))
    yield "PLANTED"
    unregister("PLANTED")


def test_refuted_claim_exits_1_with_a_printed_counterexample(cli, planted):
    res = cli(["verify", "--claim", planted, "--examples", "5", "--json"])
    assert res.code == 1
    (c,) = res.json()["claims"]
    assert c["verdict"] == "refuted"
    cx = c["counterexample"]
    assert cx["instance"]["x"] == ["1", "1"] and cx["instance"]["y"] == "1"  # shrunk
    assert "reproduce" in cx
    text = cli(["verify", "--claim", planted, "--examples", "5"])
    assert text.code == 1
    assert "REFUTED" in text.out and "x=(1, 1)" in text.out


@pytest.mark.parametrize("argv,needle", [
    (["verify", "--claim", "R99"], "--claim"),
    (["verify", "--examples", "0"], "--examples"),
    (["verify", "--seed", "-1"], "--seed"),
])
def test_bad_input_exits_2_with_one_line(cli, argv, needle):
    res = cli(argv)
    assert res.code == 2
    assert len(res.err_lines) == 1 and res.err_lines[0].startswith("normsharp: error:")
    assert needle in res.err_lines[0] and res.out == ""
    assert "Traceback" not in res.err
