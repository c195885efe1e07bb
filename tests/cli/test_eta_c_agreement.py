"""One eta_c (issue 10): ``normsharp flow`` and ``normsharp interpolators`` print the same
``eta_c = 2/S(beta_GF)`` for every instance, and the path's ``eta_path = 2/sup S`` is reported
apart from it.

Independent routes: ``interpolators`` takes ``eta_c`` from theory (the exact limit, or its proved
rational enclosure); ``flow`` from the closed-form flow (numerics.flow, mpmath at 32 and 64
digits)."""

from __future__ import annotations

import json
from fractions import Fraction

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import theory as T
from numerics.flow import gradient_flow
from numerics.problem import Problem


def _json(cli, *argv):
    res = cli([*argv, "--json"])
    assert res.code == 0, res.err
    return json.loads(res.out)


def test_alpha_one_the_issue_instance(cli):
    """x = (1, 1/2), y = 1, alpha = 1: the path's supremum is at t = 0 (eta_path = 0.33855, a
    non-stationary point), the limit's threshold is 2/(17/4 - sqrt(17)/4) = 0.62127 exactly,
    and both commands print it; GD's plateau landmark lies just above it."""
    exact = 2 / (sp.Rational(17, 4) - sp.sqrt(17) / 4)
    flow = _json(cli, "flow", "--x", "1,0.5", "--alpha", "1")
    inter = _json(cli, "interpolators", "--x", "1,0.5", "--alpha", "1")
    assert sp.Abs(sp.Rational(flow["text"]["eta_c"]) - exact).evalf(60) < 1e-31  # 32 digits
    assert abs(inter["gradient_flow"]["eta_c"] - float(exact)) < 1e-15
    assert flow["s_gf_at_end"] is False
    # sup S at t = 0, w = 1: Hess = 4 x x^T + 2 r_0 diag(x), r_0 = <x, 1> - y = 1/2, i.e.
    # [[5, 2], [2, 3/2]], largest eigenvalue (13/2 + sqrt(113/4)) / 2
    assert float(flow["where"]["t"]) == 0
    path = 4 / (sp.Rational(13, 2) + sp.sqrt(sp.Rational(113, 4)))
    assert sp.Abs(sp.Rational(flow["text"]["eta_path"]) - path).evalf(60) < 1e-31
    assert path < exact
    assert float(exact) < flow["eta_plateau"] < 0.7


@settings(max_examples=12, deadline=None)
@given(st.lists(st.fractions(Fraction(1, 4), 4, max_denominator=8), min_size=2, max_size=3),
       st.fractions(Fraction(1, 2), 2, max_denominator=4),
       st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 2), Fraction(1),
                        Fraction(2)]))
def test_flow_eta_c_is_theory_eta_c(x, y, alpha):
    """numerics.flow's eta_c is theory's 2/S(beta_GF) (exact to 50 digits, or inside its proved
    enclosure widened by 10^-25) whether or not the path's supremum is at the end; eta_path
    never exceeds it, and equals it when the supremum is at the end."""
    g = T.gradient_flow_limit(x, y, alpha)
    res = gradient_flow(Problem(x, y, alpha), dps=40)
    bounds = g.bounds("eta_c")
    if bounds is None:
        lo = hi = Fraction(str(sp.N(g.eta_c, 50)))
    else:
        lo, hi = (Fraction(b) for b in bounds)
    tol = Fraction(1, 10**25) * hi
    assert lo - tol <= res.eta_c <= hi + tol
    assert res.eta_path <= res.eta_c * (1 + Fraction(1, 10**30))
    if res.s_gf_at_end:  # the same number, rounded apart once each
        assert abs(res.eta_path / res.eta_c - 1) < Fraction(1, 10**35)
