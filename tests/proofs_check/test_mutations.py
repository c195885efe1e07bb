"""Mutation tests against the REAL checks: a plausible bug planted in a theory function must make
``verify`` refute the claim, with a small shrunk counterexample.

``test_planted_bugs`` registers wrong formulas as new claims; here the registered claims stay
as they are and the theory layer is wrong instead (``monkeypatch`` on the module attribute the
checks call; the cached reference values are cleared before and after, so no wrong value
outlives its test). Each mutation is one a reviewer showed the suite used to miss, or one a
check exists to catch. Searches are kept small (a few instances, bounded shrinking).
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

import pytest
import sympy as sp

import theory
from proofs_check import REGISTRY, verify
from proofs_check.references import clear_caches
from theory import general_networks as E


@pytest.fixture
def mutate(monkeypatch):
    """``mutate(module, name, function)``: replace a theory function for one test."""
    clear_caches()

    def apply(module, name, function):
        monkeypatch.setattr(module, name, function)

    yield apply
    monkeypatch.undo()
    clear_caches()


def _refuted(claim_id, *checks, examples=8, seed=0, max_shrinks=40):
    """Verify ``claim_id`` (only ``checks``, when given): it must be refuted. Returns the
    counterexample with its instance's numbers as Fractions."""
    claim = _only(claim_id, checks)
    report = verify(claims=[claim], examples=examples, seed=seed, max_shrinks=max_shrinks)
    (res,) = report.claims
    assert res.verdict == "refuted", (claim_id, res.verdict, res.reason)
    assert report.exit_code == 1
    cx = res.counterexample
    inst = dict(cx["instance"])
    if "x" in inst:
        inst["x"] = [F(v) for v in inst["x"]]
    return cx, inst


def _only(claim_id, checks):
    """The registered claim, restricted to some of its checks (its kind: theirs)."""
    claim = REGISTRY[claim_id]
    if not checks:
        return claim
    kept = tuple(claim.check(c) for c in checks)
    return replace(claim, kind=kept[0].kind, checks=kept)


def _verified(claim_id, *checks, examples=8, seed=0):
    (res,) = verify(claims=[_only(claim_id, checks)], examples=examples, seed=seed).claims
    return res.verdict == "verified"


# ------------------------------------------------------------------------------ R1, R2, R5
def test_first_maximising_vertex_under_ties_refutes_r2_at_x_1_1(mutate):
    """beta^N as the first maximising vertex instead of the face's centroid: wrong only with
    ties; the simplest tie is x = (1, 1), y = 1."""
    original = theory.min_norm_interpolator

    def first_vertex(x, y):
        got = original(x, y)
        return replace(got, beta=got.vertices[0], vertices=got.vertices[:1])

    mutate(theory, "min_norm_interpolator", first_vertex)
    cx, inst = _refuted("R2", examples=10)
    assert cx["check"] == "exact"
    assert inst["x"] == [1, 1] and inst["y"] == "1"


def test_lambda_max_reported_as_the_sharpness_refutes_r1(mutate):
    """lambda_max := S: they differ where the most negative eigenvalue dominates (at w = 0 the
    Hessian is 2 r diag(x) with r = -y)."""
    original = theory.hessian_spectrum

    def wrong(x, y, w):
        s = original(x, y, w)
        return replace(s, lambda_max=s.S)

    mutate(theory, "hessian_spectrum", wrong)
    mutate(theory, "lambda_max", lambda x, y, w: wrong(x, y, w).lambda_max)
    cx, inst = _refuted("R1", examples=10)
    assert cx["check"] == "numerics" and cx["detail"]["quantity"] == "lambda_max"
    # the simplest such point: x = (1, 1), w = 0, where H = -2 I (lambda_max = -2, S = 2)
    assert inst["x"] == [1, 1] and inst["theta"] == [["0", "0"]]
    assert cx["detail"]["theory"] == 2.0 and cx["detail"]["high"] == -2.0


def test_swapped_stability_thresholds_refute_r5(mutate):
    original = theory.stability_thresholds

    def swapped(x, y):
        t = original(x, y)
        return replace(t, eta_min_norm_unstable=t.eta_no_stable_interpolator,
                       eta_no_stable_interpolator=t.eta_min_norm_unstable)

    mutate(theory, "stability_thresholds", swapped)
    cx, inst = _refuted("R5", "exact", examples=6)
    assert len(inst["x"]) == 2 and inst["x"][0] != inst["x"][1]  # a tie hides the swap


# ------------------------------------------------------------------------------ R6
def test_flow_limit_off_by_one_part_per_million_refutes_r6(mutate):
    """beta^GF scaled by (1 + 1e-6) leaves M. The lower bound Phi(beta) >= Phi(beta^GF)
    alone cannot see it (it holds near the minimiser too); the first-order conditions can."""
    original = theory.gradient_flow_limit
    k = 1 + sp.Rational(1, 10**6)

    def scaled(x, y, alpha):
        g = original(x, y, alpha)
        return replace(g, beta=tuple(b * k for b in g.beta))

    mutate(theory, "gradient_flow_limit", scaled)
    assert _verified("R6", "potential")
    cx, inst = _refuted("R6", "first_order", examples=6)
    assert inst["x"] == [1, 1] and inst["y"] == "1"  # tied x: only the constraint sees it
    assert "<x, beta^GF> - y" in str(cx["detail"])


# ------------------------------------------------------------------------------ R7, R8
def test_product_identity_without_the_square_refutes_r7(mutate):
    def unsquared(x, alpha, eta, residuals):
        a2 = sp.Rational(F(alpha).numerator, F(alpha).denominator) ** 2
        out = []
        for xi in x:
            p = a2
            for r in residuals:
                p *= 1 - 2 * sp.nsimplify(F(eta)) * sp.nsimplify(F(r)) * sp.nsimplify(F(xi))
            out.append(p)
        return tuple(out)

    mutate(theory, "gd_product_identity", unsquared)
    cx, inst = _refuted("R7", "exact", examples=6)
    assert len(inst["x"]) == 2


def test_flow_limit_claimed_optimal_refutes_r8_on_gradient_descent(mutate):
    """gf_limit_reference returning mu itself (a flow that already reaches the optimum):
    GD at the edge cannot close half of a zero gap, so R8's numerics refutes (the check
    compares GD with the flow's limit, not only with the biases)."""
    from proofs_check import references
    from proofs_check.checks import generalisation

    def at_mu(x, y, alpha, dps=60, **kw):
        return references.uniform_moments(x, y)[0]

    mutate(generalisation, "gf_limit_reference", at_mu)
    cx, inst = _refuted("R8", "numerics", examples=2, max_shrinks=8)
    assert cx["detail"]["gap_GF"] == 0.0 and cx["detail"]["error_GD"] > 0


def test_min_norm_bias_claimed_optimal_refutes_r8_on_gradient_descent(mutate):
    """bias_gaps saying beta^N is optimal (gap 0): GD's interpolator near mu is strictly
    better, so the numerics experiment (not only the exact optimality check) refutes R8."""
    original = theory.bias_gaps

    def no_gap(x, y, *a, **kw):
        return replace(original(x, y, *a, **kw), gap_min_norm=sp.Integer(0))

    mutate(theory, "bias_gaps", no_gap)
    cx, inst = _refuted("R8", "numerics", examples=2, max_shrinks=8)
    assert cx["detail"]["quantity"].startswith(
        "R8_MARGIN min(gap(beta^N), gap(beta^S), gap(beta_GF))")
    assert cx["detail"]["error_GD"] > 0 and len(inst["x"]) == 2


# ------------------------------------------------------------------------------ E2, E4
def test_least_parameter_norm_zero_refutes_e2(mutate):
    """A least norm of 0 satisfies every lower bound; the balanced point's norm does not."""
    mutate(E, "least_param_norm", lambda beta, depth=2: sp.Integer(0))
    cx, inst = _refuted("E2", "exact", examples=6)
    assert "balanced point" in cx["detail"]["quantity"]


def test_depth_three_least_sharpness_times_five_refutes_e2(mutate):
    original = E.least_sharpness_matrix

    def times_five(X, beta, depth=2):
        M = original(X, beta, depth)
        return M * 5 if depth >= 3 else M

    mutate(E, "least_sharpness_matrix", times_five)
    cx, _ = _refuted("E2", "exact", examples=6)
    assert "least_sharpness_matrix(beta, 3)" in cx["detail"]["quantity"]


def test_woodworth_gradient_zero_refutes_e4(mutate):
    mutate(E, "woodworth_gradient", lambda alpha, beta: tuple(sp.Integer(0) for _ in beta))
    cx, inst = _refuted("E4", "numerics", examples=3, max_shrinks=5)
    assert "KKT" in cx["detail"]["quantity"]
    assert len(inst["X"]) <= 2
