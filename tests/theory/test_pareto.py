"""R4: bounds on M, the exact d = 2 identity and the Pareto front for d > 2.

Independent routes: hand values; the d = 2 identity proved by substituting a symbolic point of
``M``; exhaustive exact enumeration of rational grids of ``M``; the linear program
``min ||beta||_1 s.t. beta in M, S(beta) = s`` solved by ``scipy.optimize.linprog``.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import linprog

from theory import norm_sharpness_identity, pareto_front, zero_loss_bounds


def _sharp(x, beta):
    return 4 * sum(F(a) ** 2 * F(b) for a, b in zip(x, beta, strict=True))


def _l1(beta):
    return sum(F(b) for b in beta)


def _grid(x, y, N):
    d = len(x)
    for k in product(range(N + 1), repeat=d - 1):
        if sum(k) > N:
            continue
        ks = (*k, N - sum(k))
        yield tuple(F(ki, N) * F(y) / F(xi) for ki, xi in zip(ks, x, strict=True))


def _lp_least_l1(x, y, s):
    """min 1^T beta s.t. x^T beta = y, 4 (x*x)^T beta = s, beta >= 0 (floating point)."""
    xf = np.array([float(v) for v in x])
    res = linprog(
        np.ones(len(x)),
        A_eq=np.vstack([xf, 4 * xf**2]),
        b_eq=np.array([float(y), float(s)]),
        bounds=[(0, None)] * len(x),
        method="highs",
    )
    assert res.status == 0
    return res.fun


# --- bounds --------------------------------------------------------------------------------------

BOUNDS = [
    # x, y, (S_min, S_max) = (4 y x_min, 4 y x_max), (l1_min, l1_max) = (y/x_max, y/x_min)
    ((1, F(1, 2)), 1, (2, 4), (1, 2)),
    ((3, 2, 5), 2, (16, 40), (F(2, 5), 1)),
    ((F(1, 3), F(1, 7), F(1, 2), 1), F(3, 2), (F(6, 7), 6), (F(3, 2), F(21, 2))),
    ((2, 2, 1), 1, (4, 8), (F(1, 2), 1)),
]


@pytest.mark.parametrize("x,y,S,l1", BOUNDS)
def test_zero_loss_bounds_table_and_grid(x, y, S, l1):
    b = zero_loss_bounds(x, y)
    assert b.sharpness == S and b.l1_norm == l1
    pts = list(_grid(x, y, 12))
    assert min(_sharp(x, p) for p in pts) == S[0] and max(_sharp(x, p) for p in pts) == S[1]
    assert min(_l1(p) for p in pts) == l1[0] and max(_l1(p) for p in pts) == l1[1]


# --- the d = 2 identity -------------------------------------------------------------------------


def test_d2_identity_symbolic_proof():
    x1, x2, y = sp.symbols("x1 x2 y", positive=True)
    t = sp.Symbol("t", nonnegative=True)
    beta = (t * y / x1, (1 - t) * y / x2)  # a general point of M (t in [0, 1])
    assert sp.simplify(x1 * beta[0] + x2 * beta[1] - y) == 0
    S = 4 * (x1**2 * beta[0] + x2**2 * beta[1])
    l1 = beta[0] + beta[1]
    # with S passed explicitly
    assert sp.simplify(norm_sharpness_identity((x1, x2), y, S) - l1) == 0
    # with the default symbol, substituted afterwards
    expr = norm_sharpness_identity((x1, x2), y)
    (S_sym,) = expr.free_symbols - {x1, x2, y}
    assert sp.simplify(expr.subs(S_sym, S) - l1) == 0
    # affine and decreasing in S: d/dS = -1 / (4 x1 x2)
    assert sp.simplify(sp.diff(expr, S_sym) + 1 / (4 * x1 * x2)) == 0


@pytest.mark.parametrize("x,y", [((1, F(1, 2)), 1), ((3, 7), F(2, 3)), ((F(1, 5), 9), 4)])
def test_d2_identity_numeric_grid(x, y):
    for p in _grid(x, y, 20):
        assert norm_sharpness_identity(x, y, _sharp(x, p)) == _l1(p)


def test_d2_identity_default_instance():
    # x = (1, 1/2), y = 1: l1 = 1 * (3/2) / (1/2) - S / 2 = 3 - S/2
    S = sp.Symbol("S", positive=True)
    expr = norm_sharpness_identity((1, F(1, 2)), 1)
    (S_sym,) = expr.free_symbols
    assert sp.simplify(expr.subs(S_sym, S) - (3 - S / 2)) == 0


# --- the Pareto front ---------------------------------------------------------------------------

FRONTS = [
    # x, y, breakpoints (S = 4 y x_(k), l1 = y / x_(k), indices) in increasing S, by hand
    ((1, F(1, 2), F(1, 4)), 1, ((1, 4, (2,)), (2, 2, (1,)), (4, 1, (0,)))),
    ((3, 2, 5), 2, ((16, 1, (1,)), (24, F(2, 3), (0,)), (40, F(2, 5), (2,)))),
    ((1, 1, F(1, 2)), 1, ((2, 2, (2,)), (4, 1, (0, 1)))),
    ((2, 2), 1, ((8, F(1, 2), (0, 1)),)),
    ((4, 1, 3, 2), 1, ((4, 1, (1,)), (8, F(1, 2), (3,)), (12, F(1, 3), (2,)),
                       (16, F(1, 4), (0,)))),
]


@pytest.mark.parametrize("x,y,breakpoints", FRONTS)
def test_pareto_breakpoints(x, y, breakpoints):
    f = pareto_front(x, y)
    assert f.breakpoints == breakpoints
    assert len(f.segments) == len(breakpoints) - 1


def _sample_S(f, n=9):
    lo, hi = F(str(f.breakpoints[0][0])), F(str(f.breakpoints[-1][0]))
    values = {lo + (hi - lo) * F(k, n) for k in range(n + 1)}
    values |= {F(str(s)) for s, _, _ in f.breakpoints}
    return sorted(values)


@pytest.mark.parametrize("x,y", [(row[0], row[1]) for row in FRONTS])
def test_interpolator_at_is_on_M_with_sharpness_S_and_least_norm(x, y):
    f = pareto_front(x, y)
    for s in _sample_S(f):
        beta = f.interpolator_at(s)
        assert all(sp.sympify(b) >= 0 for b in beta)
        assert sum(sp.sympify(F(a)) * b for a, b in zip(x, beta, strict=True)) == y  # on M
        assert 4 * sum(sp.sympify(F(a)) ** 2 * b for a, b in zip(x, beta, strict=True)) == s
        assert sum(beta) == f.l1_at(s)
        # independent: the linear program for the least l1 at sharpness s
        assert abs(float(f.l1_at(s)) - _lp_least_l1(x, y, s)) < 1e-9


@pytest.mark.parametrize(
    "x,y,N",
    [((1, F(1, 2), F(1, 4)), 1, 30), ((3, 2, 5), 2, 30), ((4, 1, 3, 2), 1, 12),
     ((1, 1, F(1, 2), F(1, 3)), 1, 12)],
)
def test_brute_force_no_grid_point_below_front(x, y, N):
    f = pareto_front(x, y)
    cache = {}
    for p in _grid(x, y, N):
        s = _sharp(x, p)
        if s not in cache:
            cache[s] = f.l1_at(s)
        assert _l1(p) >= cache[s]
    # and the front is attained on the grid at every breakpoint
    for s, n, _ in f.breakpoints:
        assert cache[F(str(s))] == n


def test_as_piecewise_agrees_with_l1_at():
    for x, y, _ in FRONTS:
        f = pareto_front(x, y)
        pw = f.as_piecewise()
        (S_sym,) = pw.free_symbols
        for s in _sample_S(f):
            assert pw.subs(S_sym, s) == f.l1_at(s)
        # above the range the Piecewise is nan
        assert pw.subs(S_sym, f.breakpoints[-1][0] + 1) is sp.nan


def test_as_piecewise_below_range_is_nan():
    f = pareto_front((1, F(1, 2), F(1, 4)), 1)
    pw = f.as_piecewise()
    (S_sym,) = pw.free_symbols
    assert pw.subs(S_sym, F(1, 2)) is sp.nan


def test_l1_at_d2_equals_identity():
    x, y = (1, F(1, 2)), 1
    f = pareto_front(x, y)
    for s in _sample_S(f):
        assert f.l1_at(s) == norm_sharpness_identity(x, y, s)


def test_front_is_convex_and_decreasing():
    # Slopes between consecutive breakpoints are negative and increasing (convexity of 1/x).
    f = pareto_front((4, 1, 3, 2, F(5, 2)), 1)
    pts = [(F(str(s)), F(str(n))) for s, n, _ in f.breakpoints]
    pairs = zip(pts, pts[1:], strict=False)
    slopes = [(n1 - n0) / (s1 - s0) for (s0, n0), (s1, n1) in pairs]
    assert all(sl < 0 for sl in slopes)
    assert slopes == sorted(slopes) and len(set(slopes)) == len(slopes)
