"""The computability room (C1-C8): its claims hold and plausible bugs are caught. (The
``reproduce`` section, which runs the XOR table, the adversary table and the bridge, is tested
once, with its figure, in tests/cli/test_computability_cli.py.)

Mutation tests plant a bug in the theory layer (``monkeypatch`` on the attribute the checks
call) and require ``verify`` to refute the claim with a small counterexample.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

from proofs_check import REGISTRY, verify
from theory import _quantized_search as engine
from theory import exit_flag as XF
from theory import names as N
from theory import quantizers as QZ

IDS = [f"C{k}" for k in range(1, 9)]


def test_the_room_declares_c1_to_c8_with_their_theory():
    assert [i for i in REGISTRY if i.startswith("C")] == IDS
    for i in IDS:
        c = REGISTRY[i]
        assert c.citation.startswith(f"{i}, [BFFK25] arXiv 2408.06212, ") and c.theory
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
