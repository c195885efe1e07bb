"""``proofs_check.sweep_claims.claim_verdicts``: every rule R1..R9 can hold, fail and abstain.

The sweeps here are synthetic: a :class:`numerics.sweep.SweepResult` built by hand for the default
instance (x = (1, 1/2), y = 1, alpha = 1/100, beta* = the centroid (1/2, 1)), whose confirmed
limits lie exactly on the zero-loss segment ``beta = ((S - 2)/2, 4 - S)`` (so ``S = 4 b1 + b2``
and ``||beta||_1 = 3 - S/2``, R1 and R4 by construction), flow-aligned below ``eta_c`` and 2% below
``2/eta`` above it. Each test breaks exactly the property one rule checks (a limit off the
segment, S above 2/eta, an observed eta_c 5% off, ...) and expects ``refuted``, or removes the
evidence the rule needs and expects ``undecided``; expected verdicts follow from the claims'
statements, not from the code under test.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from types import SimpleNamespace

import pytest

from numerics.problem import Problem
from numerics.sweep import SweepResult
from proofs_check.predictions import predict
from proofs_check.sweep_claims import claim_verdicts, compare_reported

F = Fraction
PROBLEM = Problem([1, F(1, 2)], 1, F(1, 100), beta_star=[F(1, 2), 1])
#: grid: flow-aligned below eta_c ~ 0.5013, edge of stability up to 0.9, then failures
CONVERGED = [F(3, 10), F(2, 5), F(9, 20), F(1, 2), F(11, 20), F(3, 5), F(13, 20), F(7, 10),
             F(4, 5), F(9, 10)]
NOT_CONVERGED, DIVERGED = F(19, 20), F(51, 50)
OBSERVED_ETA_C = F(503, 1000)
BEST = F(13, 20)
EDGE_GAP = F(1, 50)          # 1 - S eta / 2 at the edge of stability
FLOW_GAP = F(1, 1000)        # S / s_GF - 1 on the plateau


@pytest.fixture(scope="module")
def predicted():
    return predict(PROBLEM).for_sweep()


def _limit(S: Fraction, eta: Fraction, flow: bool) -> dict:
    """A confirmed limit on the zero-loss segment with sharpness ``S``."""
    b1, b2 = (S - 2) / 2, 4 - S
    risk = (b1 - F(1, 2)) ** 2 + (b2 - 1) ** 2
    gap = 2 if flow else 5 + float(eta)  # G(x_min) - G(x_max): grows at the edge (R7)
    return {"eta": float(eta), "eta_exact": str(eta), "two_over_eta": float(2 / eta),
            "status": "converged", "status_float64_grid": "converged", "audited": True,
            "beta": [float(b1), float(b2)], "S": float(S), "l1_norm": float(b1 + b2),
            "param_norm_sq": float(b1 + b2), "risk": float(risk), "gain": [0.0, gap],
            "digits": {"beta": 10, "S": 10, "l1_norm": 10, "risk": 10},
            "hessian_check": {"S_full": float(S), "S_gram": float(S), "S_formula": float(S),
                              "full_minus_gram": 1e-29, "formula_minus_full": 1e-29,
                              "other_eigenvalues_max": 1e-29, "bound": 2e-29}}


def _build(predicted) -> SweepResult:
    s_gf = predicted["s_gf"]
    points, etas = [], []
    for e in CONVERGED:
        flow = e < OBSERVED_ETA_C
        S = s_gf * (1 - FLOW_GAP) if flow else (2 / e) * (1 - EDGE_GAP)
        points.append(_limit(S, e, flow))
        etas.append(e)
    points.append({"eta": float(NOT_CONVERGED), "status": "not_converged", "audited": False,
                   "S": None, "digits": "unaudited"})
    points.append({"eta": float(DIVERGED), "status": "diverged", "audited": True,
                   "status_float64_grid": "diverged", "S": None, "digits": {}})
    etas += [NOT_CONVERGED, DIVERGED]
    best_pt = points[CONVERGED.index(BEST)]
    confirm = {e: {"status": pt["status"], "quantities": {
        "S": {"json": pt["S"], "digits": 10}, "l1_norm": {"json": pt["l1_norm"], "digits": 10},
        "risk": {"json": pt.get("risk"), "digits": 10}}} for e, pt in zip(etas, points)
        if pt["audited"] and pt["status"] == "converged"}
    return SweepResult(
        problem=PROBLEM, etas=tuple(etas), steps=200000, precision=None, points=points,
        grid={}, refine={}, confirm=confirm, predicted=predicted,
        eta_c={"predicted": predicted["eta_c"], "observed": OBSERVED_ETA_C,
               "bracket": (F(5029, 10000), OBSERVED_ETA_C), "confirmed": True},
        best={"risk_name": "risk", "eta": BEST, "risk": best_pt["risk"], "risk_digits": 10,
              "risk_text": f"{best_pt['risk']:.10g}", "interior": True, "confirmed": True,
              "resolution": F(1, 1000)},
        stability={"last_converged": CONVERGED[-1], "first_failed": NOT_CONVERGED,
                   "limit": predicted["eta_no_stable_interpolator"],
                   "failed_statuses": {"not_converged": 1, "diverged": 1},
                   "statuses_above_limit": {"converged": 0, "not_converged": 0, "diverged": 1}},
        unaudited_digits={})


def _ladder(distances=None):
    etas = [F(1, 64), F(1, 32), F(1, 16), F(1, 8)]
    distances = distances or [0.0229 * float(e) for e in etas]  # O(eta), as R6 predicts
    return SimpleNamespace(etas=etas, points=[
        {"eta": float(e), "status": "converged", "audited": True, "distance_gf": d,
         "digits": {"distance_gf": 10}} for e, d in zip(etas, distances)])


IDENTITY = {"eta": "3/5", "steps": 200, "dps": 32, "rel_error": 4e-31, "allowed": 2e-28,
            "max_abs_residual": 1.0}


def _verdicts(result, ladder=None, identity=IDENTITY) -> dict:
    ladder = _ladder() if ladder is None else ladder
    return {v.id: v.verdict for v in claim_verdicts(result, ladder, identity)}


@pytest.fixture
def result(predicted):
    return _build(predicted)


def _converged_points(result):
    return [pt for pt in result.points if pt["status"] == "converged"]


def test_the_synthetic_sweep_satisfies_every_claim(result):
    """The construction is consistent with R1..R9: every rule holds on it."""
    assert _verdicts(result) == {f"R{i}": "held" for i in range(1, 10)}


def _set_S(pt, S):
    """Move a confirmed limit along the zero-loss segment to sharpness ``S``."""
    fresh = _limit(F(S), F(pt["eta_exact"]), flow=False)
    pt.update({k: fresh[k] for k in ("beta", "S", "l1_norm", "param_norm_sq", "risk")})
    pt["hessian_check"].update(S_full=fresh["S"], S_gram=fresh["S"], S_formula=fresh["S"])


# --------------------------------------------------------------------------- refuted
def _refute_R1(r):
    # 4 sum x^2 beta differs from the full Hessian's max |eig| by far more than the residual
    _converged_points(r)[4]["hessian_check"]["formula_minus_full"] = 1e-3


def _refute_R2(r):
    # a limit with a smaller l1 norm than the minimum-norm interpolator's 1
    _converged_points(r)[0]["l1_norm"] = 0.9


def _refute_R3(r):
    # a limit flatter than the minimum-sharpness interpolator's S = 2
    _converged_points(r)[-1]["S"] = 1.9


def _refute_R4(r):
    # inside both ranges, but off the identity ||beta||_1 = 3 - S/2
    _converged_points(r)[5]["l1_norm"] += 1e-3


def _refute_R5(r):
    # a converged limit sharper than 2/eta (linearly unstable, yet GD converged to it)
    pt = next(p for p in _converged_points(r) if p["eta"] == 0.8)
    _set_S(pt, F(2, 1) / F(4, 5) * F(101, 100))


def _refute_R5_above_limit(r):
    # a (float64) run above 1/(2 y x_min) = 1 converged, where no interpolator is stable
    r.points[-1] = dict(_limit(F(2), DIVERGED, flow=False), audited=False,
                        digits="unaudited")


def _refute_R6(r):
    # the observed eta_c is 5% above 2/s_GF
    obs = r.predicted["eta_c"] * F(105, 100)
    r.eta_c.update(observed=obs, bracket=(obs - F(1, 10000), obs))


def _refute_R7(r):
    # GD's beta_K misses the product identity by far more than rounding
    return {"identity": dict(IDENTITY, rel_error=1e-10)}


def _refute_R8(r):
    # the least risk along eta is above both biases' risk 5/4
    r.best.update(risk=1.3, risk_text="1.3")


def _refute_R9(r):
    # at the edge of stability a limit 20% below 2/eta (allowed: 10%)
    pt = next(p for p in _converged_points(r) if p["eta"] == 0.7)
    _set_S(pt, F(2, 1) / F(7, 10) * F(8, 10))


@pytest.mark.parametrize("claim, mutate", [
    ("R1", _refute_R1), ("R2", _refute_R2), ("R3", _refute_R3), ("R4", _refute_R4),
    ("R5", _refute_R5), ("R5", _refute_R5_above_limit), ("R6", _refute_R6),
    ("R7", _refute_R7), ("R8", _refute_R8), ("R9", _refute_R9)])
def test_each_rule_refutes(result, claim, mutate):
    assert _verdicts(result, **(mutate(result) or {}))[claim] == "refuted"


def test_R6_refutes_a_ladder_that_does_not_approach_the_flow(result):
    """GD's limit moving away from beta_GF as eta -> 0 contradicts R6."""
    assert _verdicts(result, ladder=_ladder([0.004, 0.003, 0.002, 0.001]))["R6"] == "refuted"


def test_R9_refutes_a_best_eta_far_from_eta_star(result):
    """The least risk at eta = 0.8, 20% above eta* = 2/3: no U-shape around eta*."""
    result.best.update(eta=F(4, 5))
    assert _verdicts(result)["R9"] == "refuted"


# --------------------------------------------------------------------------- undecided
def _too_few_confirmed(r):
    for pt in _converged_points(r)[2:]:
        pt["audited"] = False


def _no_hessian_checks(r):
    for pt in _converged_points(r):
        pt.pop("hessian_check")


def _nothing_above_limit(r):
    r.etas = r.etas[:-1]
    r.points = r.points[:-1]


def _no_observed_eta_c(r):
    r.eta_c.update(observed=None, bracket=None)


def _no_identity(r):
    return {"identity": None}


def _no_confirmed_best(r):
    r.best.update(risk=None, risk_text=None, confirmed=False)


def _chaotic_best(r):
    # the two precisions share no digit of the least risk
    r.best.update(risk="chaotic", risk_text="chaotic", risk_digits=0)


def _no_best(r):
    r.best.update(eta=None, risk=None, risk_text=None, confirmed=False)


def _bracket_not_confirmed(r):
    r.eta_c.update(confirmed=None)


def _bracket_contradicted(r):
    # both precisions put a bracket end on the other side: the float64 bracket is wrong
    r.eta_c.update(confirmed=False)


def _no_edge_points(r):
    # every confirmed limit above eta_c is withdrawn (as if confirmed as chaotic)
    for pt in _converged_points(r):
        if pt["eta"] > 0.503:
            pt.update(S="chaotic", l1_norm="chaotic")


@pytest.mark.parametrize("claim, mutate", [
    ("R1", _no_hessian_checks), ("R1", _too_few_confirmed), ("R2", _too_few_confirmed),
    ("R3", _too_few_confirmed), ("R4", _too_few_confirmed), ("R5", _nothing_above_limit),
    ("R5", _too_few_confirmed), ("R6", _no_observed_eta_c), ("R7", _no_identity),
    ("R6", _bracket_not_confirmed), ("R6", _bracket_contradicted),
    ("R8", _no_confirmed_best), ("R8", _chaotic_best), ("R8", _no_best),
    ("R9", _no_observed_eta_c), ("R9", _too_few_confirmed), ("R9", _no_confirmed_best),
    ("R9", _chaotic_best), ("R9", _no_best), ("R9", _no_edge_points),
    ("R7", _no_edge_points)])
def test_each_rule_abstains_without_evidence(result, claim, mutate):
    assert _verdicts(result, **(mutate(result) or {}))[claim] == "undecided"


def test_R6_abstains_with_a_one_point_ladder(result):
    ladder = _ladder()
    ladder.points = ladder.points[:1]
    ladder.etas = ladder.etas[:1]
    assert _verdicts(result, ladder=ladder)["R6"] == "undecided"


def test_R7_refutes_a_wrong_sign_even_without_edge_points(result):
    """G(x_min) - G(x_max) < 0 at a confirmed limit contradicts R7 whether or not there are
    limits on both sides of eta_c."""
    _no_edge_points(result)
    _converged_points(result)[0]["gain"] = [1.0, 0.5]
    assert _verdicts(result)["R7"] == "refuted"


def test_a_refuted_part_is_not_masked_by_an_undecided_one(result):
    """R7's identity fails while its mechanism has no evidence: refuted, not undecided."""
    _no_edge_points(result)
    assert _verdicts(result, identity=dict(IDENTITY, rel_error=1.0))["R7"] == "refuted"


def test_not_a_one_sample_problem_is_undecided_everywhere(result):
    result.predicted = dict(result.predicted, one_sample_theory=False)
    assert set(_verdicts(result).values()) == {"undecided"}


def test_a_refutation_of_one_rule_leaves_the_others(result):
    """Breaking R7's identity changes R7 only (the rules read separate evidence)."""
    base = _verdicts(copy.deepcopy(result))
    broken = _verdicts(result, identity=dict(IDENTITY, rel_error=1.0))
    assert {k for k in base if base[k] != broken[k]} == {"R7"}


@pytest.mark.parametrize("value, digits, reference, expected", [
    (3.9788, 5, "3.98", -1),            # 3.97875..3.97885 lies below 3.98
    (3.98, 3, "3.9788", 0),              # 3.98 to 3 digits covers 3.9788
    (3.0006589699, 11, 3, 1),
    (3.0, 1, "3.4", 0),                  # one digit: 2.5..3.5
    ("chaotic", 5, 1, None), (None, 5, 1, None), (1.5, 0, 1, None)])
def test_compare_reported(value, digits, reference, expected):
    assert compare_reported(value, digits, reference) == expected
