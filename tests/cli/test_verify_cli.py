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
            assert c["citation"].startswith(c["id"] + ", ") and "arXiv" in c["citation"]
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


# --------------------------------------------------------- rules, precision and domains
def test_text_shows_rule_precision_and_domain_per_check(cli):
    res = cli(["verify", "--claim", "R2", "--claim", "R9", "--examples", "3"])
    assert res.code == 0, res.err
    out = res.out
    rows = {tuple(line.split()[:2]): line for line in out.splitlines()
            if line.startswith(("R2 ", "R9 ")) and len(line.split()) > 5}
    assert "exact_equal" in rows[("R2", "exact")] and rows[("R2", "exact")].endswith("exact")
    assert "two_precision_equal" in rows[("R2", "numerics")]
    assert "digits agreed" in rows[("R2", "numerics")]
    assert "two_precision_at_least" in rows[("R9", "numerics")]
    # R9's restricted domain is printed, and every rule used is explained
    assert "R9: d = 2, x_min/x_max in [1/2, 9/10], alpha in {1/1000, 1/100, 1/20}" in out
    assert "two_precision_equal: theory and numerics agree on >= 6 digits" in out


def test_json_has_evidence_and_domains(cli):
    obj = cli(["verify", "--claim", "R9", "--examples", "3", "--json"]).json()
    (claim,) = obj["claims"]
    assert claim["domain"].startswith("d = 2, x_min/x_max in [1/2, 9/10]")
    ev = {k["name"]: k["evidence"] for k in claim["checks"]}
    assert ev["exact"]["exact"] is True and ev["exact"]["text"] == "exact"
    assert ev["numerics"]["exact"] is False and ev["numerics"]["agreed_digits"] >= 4
    assert all("r9_top" in k["domain"] for k in claim["checks"] if k["name"] == "numerics")


# ------------------------------------------------------------------------ one instance
R9_EDGE = ["verify", "--claim", "R9", "--x", "1,0.5", "--alpha", "0.01", "--eta", "0.65"]


def test_one_instance_text(cli):
    res = cli(R9_EDGE)
    assert res.code == 0, res.err
    out = res.out
    assert out.startswith("normsharp verify: R9 on x=(1, 1/2), y=1, alpha=1/100, eta=13/20")
    assert "domain of R9: d = 2, x_min/x_max in [1/2, 9/10]" in out
    table = {line.split()[0]: line.split() for line in out.splitlines()
             if line.split() and line.split()[0] in ("exact", "numerics", "u_shape")}
    assert table["exact"][2] == "pass" and table["exact"][-1] == "exact"
    assert table["numerics"][2] == "pass" and "agreed" in " ".join(table["numerics"])
    assert "verdict: held (3 passed, 0 failed, 0 undecided, 0 not run)" in out


def test_one_instance_json(cli):
    res = cli([*R9_EDGE, "--check", "exact", "--json"])
    assert res.code == 0 and res.err == ""
    obj = res.json()
    assert obj["claim"] == "R9" and obj["verdict"] == "held"
    assert obj["instance"] == {"x": ["1", "1/2"], "y": "1", "alpha": "1/100", "eta": "13/20"}
    assert [c["name"] for c in obj["checks"]] == ["exact"]


def test_one_instance_says_which_options_a_check_needs(cli):
    res = cli(["verify", "--claim", "R4", "--x", "1,0.5", "--alpha", "0.01"])
    assert res.code == 0, res.err
    assert "exact: needs --beta-star" in res.out and "numerics: needs --beta-star" in res.out
    assert "metamorphic: ran with c = 2, reversed permutation" in res.out


def test_one_instance_outside_the_domain_is_named(cli):
    res = cli(["verify", "--claim", "R9", "--x", "4,2", "--y", "0.5", "--alpha", "0.05",
               "--eta", "0.4309"])
    assert res.code == 0, res.err
    assert ("numerics: outside the claim's domain: d = 2, x_min/x_max in [1/2, 9/10], alpha "
            "in {1/1000, 1/100, 1/20}") in res.out
    forced = cli(["verify", "--claim", "R9", "--x", "4,2", "--y", "0.5", "--alpha", "0.05",
                  "--eta", "0.4309", "--force", "--check", "numerics"])
    assert forced.code == 0
    assert "numerics FAILED" in forced.out and "verdict: failed outside the domain" in \
        forced.out


def test_one_instance_with_a_parameter_point(cli):
    res = cli(["verify", "--claim", "R1", "--x", "1,0.5", "--alpha", "1", "--theta", "1,-0.5",
               "--json"])
    assert res.code == 0, res.err
    status = {c["name"]: c["status"] for c in res.json()["checks"]}
    # y = 1 but <x, w*w> = 1 + 1/8: not a zero-loss point, so that check does not apply
    assert status == {"exact": "pass", "zero_loss": "not run", "numerics": "pass",
                      "metamorphic": "pass"}
    zero = cli(["verify", "--claim", "R1", "--x", "1,0.5", "--y", "1.125", "--alpha", "1",
                "--theta", "1,-0.5", "--check", "zero_loss", "--json"])
    assert [c["status"] for c in zero.json()["checks"]] == ["pass"]


def test_one_instance_refuted_exits_1(cli, planted):
    from proofs_check.domains import Domain

    register(Claim("PLANTED2", "A wrong statement planted by the CLI tests.", "[planted]",
                   "identity", (wrong_vertex_count,), ("none",), "one-sample problems",
                   (Check("planted", wrong_vertex_count, S.problems(d_max=4), "exact",
                          admits=Domain((), ())),)))
    try:
        res = cli(["verify", "--claim", "PLANTED2", "--x", "1,0.5", "--alpha", "0.01"])
        undeclared = cli(["verify", "--claim", planted, "--x", "1,0.5", "--alpha", "0.01"])
    finally:
        unregister("PLANTED2")
    assert res.code == 1, res.err
    assert "planted FAILED: quantity = vertices, got = [1], expected = [2]" in res.out
    assert "verdict: refuted (0 passed, 1 failed" in res.out
    # a claim whose checks do not declare their domain is not run on an instance
    assert undeclared.code == 2 and "domain is not declared" in undeclared.err


@pytest.mark.parametrize("argv,needle", [
    (["verify", "--x", "1,0.5", "--alpha", "0.01"], "--claim"),
    (["verify", "--claim", "R2", "--claim", "R3", "--x", "1,0.5", "--alpha", "0.01"],
     "--claim"),
    (["verify", "--claim", "R2", "--x", "1,0.5"], "--alpha"),
    (["verify", "--claim", "R2", "--x", "1,0.5", "--alpha", "0.01", "--examples", "3"],
     "--examples"),
    (["verify", "--claim", "R2", "--x", "1,0.5", "--alpha", "0.01", "--check", "nope"],
     "--check"),
    (["verify", "--claim", "R2", "--x", "1,-0.5", "--alpha", "0.01", "--eta", "0"], "--eta"),
    (["verify", "--claim", "R1", "--x", "1,0.5", "--alpha", "1", "--theta", "1,2,3"],
     "--theta"),
    (["verify", "--claim", "R9", "--x", "1,0.5,0.3", "--alpha", "0.01", "--eta", "0.6"],
     "every check: outside the claim's domain"),
    (["verify", "--claim", "R5", "--x", "1,0.5", "--alpha", "0.01"], "needs --eta"),
])
def test_one_instance_bad_input_exits_2(cli, argv, needle):
    res = cli(argv)
    assert res.code == 2, (res.code, res.out, res.err)
    assert len(res.err_lines) == 1 and res.err_lines[0].startswith("normsharp: error:")
    assert needle in res.err_lines[0] and res.out == ""
