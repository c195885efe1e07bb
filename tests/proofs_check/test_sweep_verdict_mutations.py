"""Mutation tests of the sweep verdicts R1..R9: a wrong rule or wrong data must flip each one.

The sweep is the synthetic one of :mod:`tests.proofs_check.test_sweep_claims` (the default
instance, limits exactly on the zero-loss segment, flow-aligned below the observed transition
0.503 and 2% below ``2/eta`` above it), on which every verdict holds. Each row of
:data:`MUTATIONS` breaks one thing and expects the verdict it names to flip from ``held`` to
``refuted``:

* ``data``: GD's numbers are wrong in the one way the claim forbids (a limit off the identity,
  sharper than ``2/eta``, the least risk no better than the flow's limit ...);
* ``theory``: the prediction the rule compares with is wrong (a predicted ``eta_c`` 5% off,
  a minimum norm above the norms GD reaches, biases' risks below GD's ...);
* ``rule``: the rule's stated threshold is replaced by a stricter one that the data, at their
  constructed distance from the prediction, do not meet (shows the verdict is decided by the
  stated threshold and nothing looser).

Expected verdicts follow from the claims' statements and the construction, not from the code
under test. :func:`mutation_table` prints the table the report quotes.
"""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from proofs_check.sweep_claims import claim_verdicts
from tests.proofs_check.test_sweep_claims import (
    IDENTITY,
    PROBLEM,
    _build,
    _converged_points,
    _ladder,
    _set_S,
)

F = Fraction


@pytest.fixture(scope="module")
def predicted():
    from proofs_check.predictions import predict

    return predict(PROBLEM).for_sweep()


def _fresh(predicted):
    """A synthetic sweep with its own copy of the predictions (mutations stay local)."""
    return _build(copy.deepcopy(predicted))


def _point(r, eta):
    return next(p for p in _converged_points(r) if p["eta"] == float(eta))


def _verdicts(result, ladder=None, identity=IDENTITY) -> dict:
    ladder = _ladder() if ladder is None else ladder
    return {v.id: v.verdict for v in claim_verdicts(result, ladder, identity)}


# --------------------------------------------------------------------------- R1
def _r1_formula(r, mp):
    _converged_points(r)[4]["hessian_check"]["formula_minus_full"] = 1e-3


def _r1_rank_two(r, mp):
    # a second eigenvalue of size 1e-3 on M: the Hessian is not of rank one there
    _converged_points(r)[2]["hessian_check"]["other_eigenvalues_max"] = 1e-3


def _r1_just_outside(r, mp):
    # no residual allowance (bound 0, other eigenvalues 0): 3 units of the stated slack
    # 10^-(p-4) S, p = 64 the working digits of qd (the default pair's high precision)
    c = _converged_points(r)[3]["hessian_check"]
    c.update(bound=0.0, other_eigenvalues_max=0.0,
             formula_minus_full=3 * 10.0 ** -(64 - 4) * c["S_full"])


# --------------------------------------------------------------------------- R2, R3
def _r2_norm(r, mp):
    _converged_points(r)[0]["l1_norm"] = 0.9


def _r2_sharper(r, mp):
    # a confirmed limit sharper than beta^N's S = 4 (the largest on M)
    _converged_points(r)[0]["S"] = 4.1


def _r2_theory(r, mp):
    # a wrong ||beta^N||_1 = 1.01, above the norm 1.00725 of the flow-aligned limits
    r.predicted["min_norm"]["l1_norm"] = F(101, 100)


def _r3_sharpness(r, mp):
    _converged_points(r)[-1]["S"] = 1.9


def _r3_norm(r, mp):
    # a confirmed limit with a larger norm than beta^S's 2 (the largest on M)
    _converged_points(r)[-1]["l1_norm"] = 2.1


def _r3_theory(r, mp):
    # a wrong S(beta^S) = 2.5, above GD's S = 2.178 at eta = 0.9
    r.predicted["min_sharpness"]["sharpness"] = F(5, 2)


# --------------------------------------------------------------------------- R4
def _r4_identity(r, mp):
    _converged_points(r)[5]["l1_norm"] += 1e-3


def _r4_three_units(r, mp):
    # 3 units of the 10th digit off the identity (allowed: 1 unit of l1 plus 1 of S/2)
    pt = _converged_points(r)[5]
    pt["l1_norm"] += 3e-9 * pt["l1_norm"]


def _r4_theory(r, mp):
    import theory as T

    real = T.norm_sharpness_identity

    def wrong(x, y):  # the slope 1/(4 x1 x2) off by 1%
        expr = real(x, y)
        (S,) = expr.free_symbols
        return expr.subs(S, S * F(101, 100))

    mp.setattr(T, "norm_sharpness_identity", wrong)


# --------------------------------------------------------------------------- R5
def _r5_unstable(r, mp):
    _set_S(_point(r, F(4, 5)), F(2) / F(4, 5) * F(101, 100))


def _r5_above_limit(r, mp):
    from tests.proofs_check.test_sweep_claims import DIVERGED, _limit

    r.points[-1] = dict(_limit(F(2), DIVERGED, flow=False), audited=False,
                        digits="unaudited")


def _r5_theory(r, mp):
    # a wrong stability limit 0.85: the grid runs at 0.9 converged above it
    r.stability["limit"] = F(17, 20)


# --------------------------------------------------------------------------- R6
def _r6_observed(r, mp):
    obs = r.predicted["eta_c"] * F(105, 100)
    r.eta_c.update(observed=obs, bracket=(obs - F(1, 10000), obs))


def _r6_theory(r, mp):
    # a predicted eta_c 5% below the observed transition 0.503
    r.predicted["eta_c"] = F(503, 1000) * F(95, 100)


def _r6_ladder(r, mp):
    return {"ladder": _ladder([0.004, 0.003, 0.002, 0.001])}


# --------------------------------------------------------------------------- R7
def _r7_identity(r, mp):
    return {"identity": dict(IDENTITY, rel_error=1e-10)}


def _r7_tolerance(r, mp):
    # the identity's allowance below its measured 4e-31: a stricter rule than rounding allows
    return {"identity": dict(IDENTITY, allowed=1e-31)}


def _r7_sign(r, mp):
    _converged_points(r)[0]["gain"] = [1.0, 0.5]


def _r7_separation(r, mp):
    # an edge point whose G gap (1.5) is below a flow-aligned point's (2)
    _point(r, F(3, 5))["gain"] = [0.0, 1.5]


# --------------------------------------------------------------------------- R8
def _flow_risk(r) -> float:
    g = r.predicted["beta_gf"]
    return float((g[0] - F(1, 2)) ** 2 + (g[1] - 1) ** 2)


def _r8_at_flow(r, mp):
    # GD at the edge does no better than the flow's limit (risk 1.2252 < 5/4: the old rule
    # "below both biases" held on this)
    rf = _flow_risk(r)
    r.best.update(risk=rf, risk_text=f"{rf:.10g}")


def _r8_half_way(r, mp):
    # 0.7: better than the flow (1.2252) and both biases (5/4), but short of half the gap
    r.best.update(risk=0.7, risk_text="0.7")


def _r8_outside(r, mp):
    # the least-risk limit's norm below ||beta^N||_1 = 1: not between the biases
    r.confirm[r.best["eta"]]["quantities"]["l1_norm"]["json"] = 0.99


def _r8_theory(r, mp):
    # wrong exact risks of the biases, below GD's least risk 0.000296
    for key in ("risk_min_norm", "risk_min_sharpness"):
        r.predicted["point"][key] = F(1, 10**4)


def _r8_margin(r, mp):
    from proofs_check.checks import generalisation

    mp.setattr(generalisation, "R8_MARGIN", F(1, 10**4))


# --------------------------------------------------------------------------- R9
def _r9_edge(r, mp):
    _set_S(_point(r, F(7, 10)), F(2) / F(7, 10) * F(8, 10))


def _r9_plateau(r, mp):
    # a flow-aligned limit 3% below s_GF (allowed: 2.5%)
    pt = _point(r, F(2, 5))
    _set_S(pt, F(r.predicted["s_gf"]) * F(97, 100))


def _r9_best_eta(r, mp):
    r.best.update(eta=F(4, 5))


def _r9_theory(r, mp):
    # a predicted eta* 10% above the observed best 0.65
    r.predicted["point"]["eta_star"] = F(13, 20) * F(11, 10)


def _r9_band(r, mp):
    from proofs_check.checks import edge_of_stability

    # a band of 1% below 2/eta: the data sit 2% below it
    mp.setattr(edge_of_stability, "EOS_GAP_MAX", F(1, 100))


#: (claim, kind, mutation, function)
MUTATIONS = [
    ("R1", "data", "S_full off 4 sum x^2 beta by 1e-3", _r1_formula),
    ("R1", "data", "a second eigenvalue 1e-3 on M (rank two)", _r1_rank_two),
    ("R1", "data", "3 units of the stated slack 10^-(p-4) S off", _r1_just_outside),
    ("R2", "data", "a limit with ||beta||_1 = 0.9 < ||beta^N||_1", _r2_norm),
    ("R2", "data", "a limit with S = 4.1 > S(beta^N)", _r2_sharper),
    ("R2", "theory", "||beta^N||_1 predicted 1.01 (GD reaches 1.007)", _r2_theory),
    ("R3", "data", "a limit with S = 1.9 < S(beta^S)", _r3_sharpness),
    ("R3", "data", "a limit with ||beta||_1 = 2.1 > ||beta^S||_1", _r3_norm),
    ("R3", "theory", "S(beta^S) predicted 2.5 (GD reaches 2.178)", _r3_theory),
    ("R4", "data", "||beta||_1 off the identity by 1e-3", _r4_identity),
    ("R4", "data", "||beta||_1 off the identity by 3 units of its 10th digit",
     _r4_three_units),
    ("R4", "theory", "the identity's slope off by 1%", _r4_theory),
    ("R5", "data", "a converged limit 1% sharper than 2/eta", _r5_unstable),
    ("R5", "data", "a run above 1/(2 y x_min) converged", _r5_above_limit),
    ("R5", "theory", "1/(2 y x_min) predicted 0.85 (runs at 0.9 converge)", _r5_theory),
    ("R6", "data", "observed eta_c 5% above 2/s_GF", _r6_observed),
    ("R6", "theory", "eta_c predicted 5% below the observed transition", _r6_theory),
    ("R6", "data", "GD's distance to beta_GF shrinks as eta grows", _r6_ladder),
    ("R7", "data", "beta_K off the product identity by 1e-10", _r7_identity),
    ("R7", "rule", "identity allowance 1e-31, below the measured 4e-31", _r7_tolerance),
    ("R7", "data", "G(x_min) - G(x_max) < 0 at a limit", _r7_sign),
    ("R7", "data", "an edge limit's G gap below a flow-aligned one's", _r7_separation),
    ("R8", "data", "least risk = the flow limit's 1.2252 (< 5/4: the old rule held)",
     _r8_at_flow),
    ("R8", "data", "least risk 0.7: below the flow and biases, short of half the gap",
     _r8_half_way),
    ("R8", "data", "least-risk limit's ||beta||_1 = 0.99 outside (1, 2)", _r8_outside),
    ("R8", "theory", "biases' risks predicted 1e-4 (GD reaches 3e-4)", _r8_theory),
    ("R8", "rule", "margin 1e-4 instead of 1/2", _r8_margin),
    ("R9", "data", "an edge limit 20% below 2/eta (band 5%)", _r9_edge),
    ("R9", "data", "a flow-aligned limit 3% below s_GF (band 2.5%)", _r9_plateau),
    ("R9", "data", "least risk at eta 0.8, 20% above eta* = 2/3", _r9_best_eta),
    ("R9", "theory", "eta* predicted 10% above the observed best", _r9_theory),
    ("R9", "rule", "edge band 1% instead of 5% (data sit 2% below 2/eta)", _r9_band),
]


def _apply(predicted, mutate, mp) -> dict:
    r = _fresh(predicted)
    extra = mutate(r, mp) or {}
    return _verdicts(r, **extra)


def test_the_unmutated_sweep_holds_everywhere(predicted):
    assert _verdicts(_fresh(predicted)) == {f"R{i}": "held" for i in range(1, 10)}


def test_every_sweep_verdict_has_a_data_and_a_theory_or_rule_mutation():
    from proofs_check.sweep_reading import CLAIM_IDS

    kinds = {(c, k != "data") for c, k, _, _ in MUTATIONS}
    assert {c for c, _ in kinds} == set(CLAIM_IDS)
    assert all((c, False) in kinds for c in CLAIM_IDS)
    assert all((c, True) in kinds for c in CLAIM_IDS if c != "R1")  # R1 reads data only


@pytest.mark.parametrize("claim, kind, what, mutate", MUTATIONS,
                         ids=[f"{c}-{k}-{i}" for i, (c, k, _, _) in enumerate(MUTATIONS)])
def test_a_mutation_flips_its_verdict(predicted, monkeypatch, claim, kind, what, mutate):
    assert _verdicts(_fresh(predicted))[claim] == "held"
    assert _apply(predicted, mutate, monkeypatch)[claim] == "refuted", what


def test_inside_the_stated_tolerance_still_holds(predicted):
    """The counterparts of the two 'units' mutations: a third of a unit of the stated
    tolerance holds (the rules are not stricter than they say)."""
    r = _fresh(predicted)
    c = _converged_points(r)[3]["hessian_check"]
    c.update(bound=0.0, other_eigenvalues_max=0.0,
             formula_minus_full=0.3 * 10.0 ** -(64 - 4) * c["S_full"])
    pt = _converged_points(r)[5]
    pt["l1_norm"] += 0.3e-9 * pt["l1_norm"]
    assert _verdicts(r) == {f"R{i}": "held" for i in range(1, 10)}


def test_the_old_R8_rule_could_not_fail_on_GD_staying_at_the_flow(predicted):
    """The flow's limit alone already has a risk below both biases' (1.2252 < 5/4, exact
    numbers of the construction), so 'least risk < both biases' cannot see GD doing nothing
    at the edge; the margin against the flow's limit does."""
    r = _fresh(predicted)
    rf = _flow_risk(r)
    assert abs(rf - 1.2251868) < 1e-6 and rf < 1.25
    _r8_at_flow(r, None)
    assert _verdicts(r)["R8"] == "refuted"


def test_R8_abstains_when_the_flow_limit_is_already_optimal(predicted):
    """With beta* = beta_GF the flow's limit has no excess risk: there is no gap for GD to
    close, so the sweep cannot show what R8's edge reading claims (undecided, not refuted)."""
    r = _fresh(predicted)
    r.problem = type(PROBLEM)(list(PROBLEM.X[0]), 1, PROBLEM.alpha,
                              beta_star=list(r.predicted["beta_gf"]))
    r.predicted["point"]["risk_optimal"] = F(0)
    assert _verdicts(r)["R8"] == "undecided"


def test_R4_abstains_below_six_agreed_digits(predicted):
    """The identity is judged only at limits whose S and norm carry 6 agreed digits (the
    equality rule's resolution); with 5 digits everywhere R4 abstains."""
    r = _fresh(predicted)
    for pt in _converged_points(r):
        pt["digits"] = dict(pt["digits"], S=5, l1_norm=5)
    assert _verdicts(r)["R4"] == "undecided"


def mutation_table(predicted) -> list[tuple]:
    """``(claim, kind, mutation, verdict before, verdict after)`` for every row (for reports:
    ``python -c 'from tests.proofs_check.test_sweep_verdict_mutations import *; ...'``)."""
    rows = []
    for claim, kind, what, mutate in MUTATIONS:
        with pytest.MonkeyPatch.context() as mp:
            rows.append((claim, kind, what, _verdicts(_fresh(predicted))[claim],
                         _apply(predicted, mutate, mp)[claim]))
    return rows
