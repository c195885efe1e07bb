"""The computability room (C1-C8): its claims hold, plausible bugs are caught, and the
``reproduce`` section judges what it shows.

Mutation tests plant a bug in the theory layer (``monkeypatch`` on the attribute the checks
call) and require ``verify`` to refute the claim with a small counterexample.
"""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction as F

import pytest

from proofs_check import REGISTRY, verify
from proofs_check.evidence_computability import computability_evidence, xor_table
from theory import _quantized_search as engine
from theory import exit_flag as XF
from theory import names as N
from theory import quantizers as QZ

IDS = [f"C{k}" for k in range(1, 9)]


def test_the_room_declares_c1_to_c8_with_their_theory():
    assert [i for i in REGISTRY if i.startswith("C")] == IDS
    for i in IDS:
        c = REGISTRY[i]
        assert c.citation.startswith("[BFFK25]") and c.theory
    assert REGISTRY["C7"].kind == REGISTRY["C8"].kind == "upper"


def test_every_claim_holds_on_a_second_seed():
    report = verify(IDS, examples=12, seed=7)
    assert [c.verdict for c in report.claims] == ["verified"] * 8, [
        (c.id, c.reason, c.counterexample) for c in report.claims if c.verdict != "verified"]


def _refuted(claim_id, check=None, examples=30):
    claim = REGISTRY[claim_id]
    if check is not None:
        kept = (claim.check(check),)
        claim = replace(claim, kind=kept[0].kind, checks=kept)
    (res,) = verify(claims=[claim], examples=examples, seed=0, max_shrinks=60).claims
    assert res.verdict == "refuted", (claim_id, res.verdict, res.reason)
    return res.counterexample


def test_a_search_that_skips_the_last_feasible_value_is_caught(monkeypatch):
    original = engine._Output.feasible_range

    def narrower(self, Z, j):
        span = original(self, Z, j)
        return None if span is None or span[1] - span[0] < 2 else (span[0], span[1] - 1)

    monkeypatch.setattr(engine._Output, "feasible_range", narrower)
    cx = _refuted("C2", "exact", examples=40)
    assert cx["check"] == "exact"


def test_a_bound_that_prunes_too_much_is_caught(monkeypatch):
    original = engine._Output.lower_bound
    monkeypatch.setattr(engine._Output, "lower_bound",
                        lambda self, Z, k, j: original(self, Z, k, j) + 1)
    _refuted("C3", examples=20)


def test_an_adversary_that_strays_too_far_is_caught(monkeypatch):
    original = N.adversary

    def sloppy(classifier, t, **kw):  # x' = t -+ 2^-(N-1): its name is not valid at n = N
        res = original(classifier, t, **kw)
        if res.point is None:
            return res
        point = res.threshold + 2 * (res.point - res.threshold)
        N_ = res.precision
        name = N.Name(lambda n: res.threshold if n <= N_ else point)
        return replace(res, point=point, name=name)

    monkeypatch.setattr(N, "adversary", sloppy)
    cx = _refuted("C5", "exact")
    assert cx["detail"]["quantity"] == "a valid name of x'"


def test_an_exit_flag_with_too_small_a_radius_is_caught(monkeypatch):
    def overconfident(name, t, budget):
        q, r = name(budget), F(1, 2 ** (budget + 1))
        return N.ABOVE if q - r > F(t) else N.BELOW if q + r < F(t) else N.EXIT

    monkeypatch.setattr(XF, "classify_with_exit", overconfident)
    cx = _refuted("C7", "exact")
    assert cx["detail"]["quantity"] == "never wrong"


def test_a_relaxed_quantizer_reading_too_coarsely_is_caught(monkeypatch):
    original = QZ.quantize_name
    monkeypatch.setattr(QZ, "quantize_name",
                        lambda name, b, n=None, offset=0: original(
                            name, b, n=max(0, (b + 2 if n is None else n) - 2), offset=offset))
    _refuted("C8")


def test_every_answer_of_the_xor_table_is_checked():
    """(Its speed is measured in benchmarks/bench_quantized.py, not asserted here.)"""
    rows, _, _ = xor_table()
    assert len(rows) == 40 and all(r["verdict"] == "held" for r in rows)
    assert sum("brute force" in r["check"] for r in rows) >= 33
    by = {(r["arch"], r["grid"], r["labels"]): r for r in rows}
    assert not any(r["found"] for (a, _, _), r in by.items() if a in ("2-1-1", "2-1-1-1"))
    assert by[("2-2-1", "{-1,0,1}", "exact")]["found"]
    assert not by[("2-2-1", "{-1,0,1}", "sign")]["found"]
    assert by[("2-2-1", "{-2..2}", "sign")]["found"]


@pytest.fixture(scope="module")
def evidence():
    return computability_evidence(quick=True)


def test_the_reproduce_section_holds_and_says_so(evidence):
    assert [v.id for v in evidence.verdicts] == ["C2", "C5", "C6", "C7"]
    assert all(v.verdict == "held" for v in evidence.verdicts) and evidence.refuted == []
    text = evidence.markdown(figure="figures/bridge.png")
    for needle in ("### XOR on {0,1}^2", "### The boundary adversary", "an experiment, not a "
                   "theorem", "![Quantization bridge", "| float64 | 1/3 | 60 |"):
        assert needle in text
    obj = json.loads(json.dumps(evidence.to_json()))
    assert obj["bridge"]["kind"] == "experiment" and len(obj["xor"]) == 40
    assert {r["classifier"] for r in obj["adversary"]} >= {"float64", "mpmath:15",
                                                           "interval:4", "exit:30"}
