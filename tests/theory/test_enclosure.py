"""Proved rational enclosures (theory._enclosure) and the gradient-flow limit on decimal data.

The independent route is mpmath: ``exp`` at a working precision well above the enclosure's width,
and a bracketing root finder (``anderson``) on the same equation. Every enclosure must contain
the mpmath value, and be as narrow as promised.
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import theory as T
from theory._enclosure import exp_bounds, exp_sum_root, term_bounds


def _mp(q: F, ctx):
    return ctx.mpf(q.numerator) / q.denominator


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=-2000, max_value=2000, max_denominator=10**9))
def test_exp_bounds_contain_exp_and_are_narrow(t):
    lo, hi = exp_bounds(t, 100)
    ctx = mpmath.MPContext()
    ctx.dps = 80
    e = ctx.exp(_mp(t, ctx))
    assert _mp(lo, ctx) <= e <= _mp(hi, ctx)
    assert (hi - lo) / lo < F(1, 2**100)


def test_a_negligible_term_is_bounded_without_evaluating_exp():
    # e^(-10^21) has about 1.4e21 binary zeros after the point: never computed
    lo, hi = term_bounds(F(10**24), F(-10**21), F(1), 128)
    assert lo == 0 and 0 < hi <= F(1, 2**128)


CASES = [  # coefficients c_i = alpha^2 x_i, exponents x_i, y (the gradient-flow equation)
    ([F(1), F(1, 2)], F(1, 100), F(1)),
    ([F("0.123456789"), F(1)], F(1, 100), F(1)),
    ([F("3.14159"), F("2.71828")], F(1, 100), F(1)),
    ([F(10**6), F(1)], F(1, 100), F(1)),
    ([F(10**6), F(1)], F(100), F(1)),
    ([F(10**20), F(1)], F(1, 100), F(1)),
    ([F(10**20), F(1)], F(100), F(1)),
    ([F("123456789012"), F("0.000000123456")], F(1, 100), F(3)),
    ([F(1), F("0.333"), F("0.25"), F(2)], F(1, 10), F("0.5")),
]


@pytest.mark.parametrize("x, alpha, y", CASES)
def test_root_enclosure_contains_the_root(x, alpha, y):
    a2 = alpha * alpha
    lo, hi = exp_sum_root([a2 * v for v in x], x, y, 128)
    ctx = mpmath.MPContext()
    ctx.dps = 60

    def f(lam):
        return ctx.fsum(_mp(a2 * v, ctx) * ctx.exp(lam * _mp(v, ctx)) for v in x) - _mp(y, ctx)

    root = ctx.findroot(f, (_mp(lo, ctx) - 1e-30, _mp(hi, ctx) + 1e-30), solver="anderson")
    assert _mp(lo, ctx) <= root <= _mp(hi, ctx)
    assert hi - lo <= F(1, 2**128) * max(1, abs(lo))


@pytest.mark.parametrize("x", [["0.123456789", "1"], ["3.14159", "2.71828"], ["0.7071", "0.3333"],
                               ["1", "0.333"], ["1e6", "1"]])
def test_gradient_flow_limit_on_decimal_data_is_enclosed(x):
    """Decimal data has a large common denominator: no explicit algebraic root, but every
    quantity of the limit is enclosed, and the enclosure of eta_c contains the value computed
    independently (mpmath root of the same equation, then 2 / (4 sum x_i^2 beta_i))."""
    g = T.gradient_flow_limit(x, 1, "1/100")
    assert not g.exact
    xs = [F(v) for v in x]
    ctx = mpmath.MPContext()
    ctx.dps = 50
    a2 = ctx.mpf(1) / 10**4

    def f(lam):
        return ctx.fsum(a2 * _mp(v, ctx) * ctx.exp(lam * _mp(v, ctx)) for v in xs) - 1

    def df(lam):
        return ctx.fsum(a2 * _mp(v, ctx) ** 2 * ctx.exp(lam * _mp(v, ctx)) for v in xs)
    lam = ctx.findroot(f, (-20, 20), solver="bisect", verify=False)  # bisection, then Newton
    for _ in range(10):
        lam -= f(lam) / df(lam)
    assert abs(f(lam)) < ctx.mpf(10) ** -45
    beta = [a2 * ctx.exp(lam * _mp(v, ctx)) for v in xs]
    eta_c = 2 / (4 * ctx.fsum(_mp(v, ctx) ** 2 * b for v, b in zip(xs, beta)))
    lo, hi = g.bounds("eta_c")
    assert _mp(lo, ctx) <= eta_c <= _mp(hi, ctx) and (hi - lo) / lo < F(1, 10**30)
    for i, b in enumerate(beta):
        b_lo, b_hi = g.bounds("beta", i)
        assert _mp(b_lo, ctx) <= b <= _mp(b_hi, ctx)


def test_best_learning_rate_decides_inside_through_the_enclosure():
    """eta_c known only through its equation used to leave ``inside`` undecided after sympy
    tried for tens of seconds; the enclosure decides it (eta_c = 0.70824 < eta* here)."""
    best = T.predicted_best_learning_rate(["0.7071", "0.3333"], 1, alpha="1/100")
    lo, hi = T.gradient_flow_limit(["0.7071", "0.3333"], 1, "1/100").bounds("eta_c")
    assert hi < best.eta_star < T.stability_thresholds(["0.7071", "0.3333"], 1
                                                       ).eta_no_stable_interpolator
    assert best.inside is True
