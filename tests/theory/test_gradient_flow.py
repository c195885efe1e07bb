"""R6: gradient flow from ``w(0) = alpha 1``: path, limit, potential, small-alpha limit, sharpness.

Independent routes: ``mpmath.findroot`` on ``sum_i x_i alpha^2 exp(lambda x_i) = y`` at 50 digits
(inside ``mpmath.workdps``, never touching the global precision); the ODE checked by ``sympy.diff``;
the closed-form root of the quadratic case (``x = (1, 1/2)``) derived by hand and sent to
``sympy.limit``; Hessian eigenvalues along the path from ``mpmath.eigsy``.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import mpmath
import pytest
import sympy as sp

from theory import (
    gradient_flow_equation,
    gradient_flow_limit,
    gradient_flow_path,
    gradient_flow_potential,
    gradient_flow_small_alpha_limit,
    min_norm_interpolator,
    sharpness_along_flow,
)

DPS = 50
TOL = mpmath.mpf(10) ** -40


def _mp(v):
    """An exact value (Fraction, int, sympy) as an mpf at the current working precision."""
    return mpmath.mpf(sp.N(sp.sympify(v), mpmath.mp.dps + 10))


def _findroot_limit(x, y, alpha):
    """(lambda, beta, sharpness) from mpmath.findroot; call inside mpmath.workdps."""
    xs = [_mp(v) for v in x]
    a2 = _mp(alpha) ** 2
    yv = _mp(y)
    f = lambda lam: sum(xi * a2 * mpmath.exp(lam * xi) for xi in xs) - yv  # noqa: E731
    xmax = max(xs)
    guess = mpmath.log(yv / (a2 * xmax)) / xmax
    lam = mpmath.findroot(f, guess)
    assert abs(f(lam)) < mpmath.mpf(10) ** (-mpmath.mp.dps + 5)
    beta = [a2 * mpmath.exp(lam * xi) for xi in xs]
    S = 4 * sum(xi**2 * bi for xi, bi in zip(xs, beta, strict=True))
    return lam, beta, S


# --- the default instance ------------------------------------------------------------------------


def test_default_instance_against_findroot():
    x, y, alpha = (1, F(1, 2)), 1, F(1, 100)
    g = gradient_flow_limit(x, y, alpha)
    assert g.exact
    with mpmath.workdps(DPS):
        lam, beta, S = _findroot_limit(x, y, alpha)
        assert abs(_mp(g.lam) - lam) < TOL
        for got, exp in zip(g.beta, beta, strict=True):
            assert abs(_mp(got) - exp) < TOL
        assert abs(_mp(g.sharpness) - S) < TOL
        assert abs(_mp(g.eta_c) - 2 / S) < TOL
        assert abs(_mp(g.l1_norm) - sum(beta)) < TOL
        # the digits printed in the specification
        assert mpmath.nstr(beta[0], 6) == "0.995012"
        assert mpmath.nstr(beta[1], 4) == "0.009975"
        assert mpmath.nstr(S, 6) == "3.99002"
        assert mpmath.nstr(2 / S, 5) == "0.50125"


@pytest.mark.parametrize(
    "x,y,alpha",
    [
        ((1, F(1, 2)), 1, F(1, 100)),
        ((1, F(1, 2), F(1, 3)), 1, F(1, 10)),
        ((3, 2, 5), 2, F(1, 5)),
        ((1, F(1, 2)), 1, sp.sqrt(2) / 10),  # irrational alpha, rational alpha^2
        ((1, F(1, 2)), 1, 1),  # r(0) > 0: the flow descends
        ((1, 1, F(1, 2)), 1, F(1, 10)),  # ties
    ],
)
def test_limit_solves_the_equation_exactly_and_lies_on_M(x, y, alpha):
    g = gradient_flow_limit(x, y, alpha)
    assert g.exact
    xs = [sp.sympify(F(v)) if not isinstance(v, sp.Basic) else v for v in x]
    a = sp.sympify(alpha) if isinstance(alpha, sp.Basic) else sp.sympify(F(alpha))
    # the equation, written out by hand
    assert sp.simplify(sum(xi * a**2 * sp.exp(g.lam * xi) for xi in xs) - y) == 0
    # beta_i = alpha^2 exp(lambda x_i)
    for xi, bi in zip(xs, g.beta, strict=True):
        assert sp.simplify(bi - a**2 * sp.exp(g.lam * xi)) == 0
    # on M
    assert sp.simplify(sum(xi * bi for xi, bi in zip(xs, g.beta, strict=True)) - y) == 0
    assert all(sp.N(bi) > 0 for bi in g.beta)
    S_hand = 4 * sum(xi**2 * bi for xi, bi in zip(xs, g.beta, strict=True))
    assert sp.simplify(g.sharpness - S_hand) == 0
    assert sp.simplify(g.eta_c * g.sharpness - 2) == 0
    # the returned equation is the same equation
    lam = sp.Symbol("lam", real=True)
    eq = gradient_flow_equation(x, y, alpha, lam)
    assert sp.simplify(eq.lhs - eq.rhs - (sum(xi * a**2 * sp.exp(lam * xi) for xi in xs) - y)) == 0
    with mpmath.workdps(DPS):
        lam_mp, beta_mp, _ = _findroot_limit(x, y, alpha)
        assert abs(_mp(g.lam) - lam_mp) < TOL
        assert all(abs(_mp(b) - e) < TOL for b, e in zip(g.beta, beta_mp, strict=True))


def test_limit_when_r0_is_zero_is_the_start():
    # alpha^2 = 2/3 gives <x, alpha^2 1> = 2/3 * 3/2 = 1 = y: the start is on M, so lambda = 0
    g = gradient_flow_limit((1, F(1, 2)), 1, sp.sqrt(6) / 3)
    assert sp.simplify(g.lam) == 0
    assert all(sp.simplify(b - sp.Rational(2, 3)) == 0 for b in g.beta)


# --- path and ODE ---------------------------------------------------------------------------------


@pytest.mark.parametrize("x,y,alpha", [((1, F(1, 2)), 1, F(1, 100)), ((3, 2, 5), 2, F(1, 5))])
def test_path_satisfies_the_gradient_flow_ode(x, y, alpha):
    t = sp.Symbol("t", real=True)
    R = sp.Function("R")(t)
    path = gradient_flow_path(x, y, alpha, R)
    a = sp.sympify(F(alpha))
    xs = [sp.sympify(F(v)) for v in x]
    w = [sp.sqrt(b) for b in path]  # w_i = sqrt(beta_i) > 0
    r = sum(xi * wi**2 for xi, wi in zip(xs, w, strict=True)) - y  # residual, by hand
    for xi, wi in zip(xs, w, strict=True):
        dw = sp.diff(wi, t).subs(sp.Derivative(R, t), r)  # R' = r
        assert sp.simplify(dw - (-2 * r * xi * wi)) == 0
    # initial condition w(0) = alpha 1 when R(0) = 0
    assert all(sp.simplify(wi.subs(R, 0) - a) == 0 for wi in w)


# --- potential ------------------------------------------------------------------------------------


def test_potential_formula_and_lagrange_condition():
    x, y, alpha = (1, F(1, 2)), 1, F(1, 100)
    a = sp.Rational(1, 100)
    g = gradient_flow_limit(x, y, alpha)
    # formula: sum b log(b / a^2) - b, with 0 log 0 = 0
    b1, b2 = sp.Rational(1, 2), sp.Integer(1)
    assert sp.simplify(gradient_flow_potential(alpha, (b1, b2))
                       - (b1 * sp.log(b1 / a**2) - b1 + b2 * sp.log(b2 / a**2) - b2)) == 0
    assert sp.simplify(gradient_flow_potential(alpha, (0, 2)) - (2 * sp.log(2 / a**2) - 2)) == 0
    # Lagrange: grad Phi = (log(beta_i / a^2))_i is parallel to x (the normal of M), i.e.
    # log(beta_1 / a^2) / 1 = log(beta_2 / a^2) / (1/2); exponentiated (logs of algebraic
    # numbers are hard for simplify): beta_1 / a^2 = (beta_2 / a^2)^2.
    assert sp.simplify(g.beta[0] / a**2 - (g.beta[1] / a**2) ** 2) == 0
    with mpmath.workdps(DPS):
        xm = (1, mpmath.mpf(1) / 2)
        ratios = [mpmath.log(_mp(bi) / _mp(a) ** 2) / xi
                  for bi, xi in zip(g.beta, xm, strict=True)]
        assert abs(ratios[0] - ratios[1]) < TOL


@pytest.mark.parametrize("x,y,alpha", [((1, F(1, 2)), 1, F(1, 100)), ((3, 2, 5), 2, F(1, 5)),
                                       ((1, F(1, 2), F(1, 3)), 1, F(1, 10))])
def test_potential_is_minimised_at_the_limit(x, y, alpha):
    g = gradient_flow_limit(x, y, alpha)
    rng = random.Random(20260)
    with mpmath.workdps(30):
        a2 = _mp(alpha) ** 2

        def phi(beta):  # independent evaluation of the potential
            return sum((b * mpmath.log(b / a2) if b > 0 else 0) - b for b in beta)

        best = phi([_mp(b) for b in g.beta])
        assert abs(_mp(gradient_flow_potential(alpha, g.beta)) - best) < mpmath.mpf(10) ** -25
        for _ in range(200):
            weights = [F(rng.randint(0, 50)) for _ in x]
            if not any(weights):
                continue
            tot = sum(weights)
            # a random point of M: barycentric weights on the vertices (y / x_i) e_i
            beta = [_mp(wi / tot * F(y) / F(xi)) for wi, xi in zip(weights, x, strict=True)]
            assert phi(beta) > best


# --- alpha -> 0 -----------------------------------------------------------------------------------


def test_small_alpha_limit_by_sympy_limit_quadratic_case():
    # x = (1, 1/2), y = 1, s = alpha^2, z = exp(lambda/2): s z^2 + (s/2) z - 1 = 0, so
    # z = (-s/2 + sqrt(s^2/4 + 4 s)) / (2 s),  beta_1 = s z^2,  beta_2 = s z.
    al = sp.Symbol("alpha", positive=True)
    s = al**2
    z = (-s / 2 + sp.sqrt(s**2 / 4 + 4 * s)) / (2 * s)
    beta = (s * z**2, s * z)
    for alpha in (F(1, 100), F(1, 10), F(1, 3), F(2)):
        g = gradient_flow_limit((1, F(1, 2)), 1, alpha)
        sub = {al: sp.sympify(alpha)}
        assert all(sp.simplify(gb - b.subs(sub)) == 0 for gb, b in zip(g.beta, beta, strict=True))
    lim = tuple(sp.limit(b, al, 0, "+") for b in beta)
    assert lim == (1, 0)
    assert gradient_flow_small_alpha_limit((1, F(1, 2)), 1) == lim
    assert lim == min_norm_interpolator((1, F(1, 2)), 1).beta


@pytest.mark.parametrize(
    "x,y,expected",
    [
        ((2, 2, 1), 1, (F(1, 4), F(1, 4), 0)),  # two coordinates tie at x_max = 2: y/(2*2) each
        ((1, 3, 3, 3), 1, (0, F(1, 9), F(1, 9), F(1, 9))),
        ((3, 2, 5), 2, (0, 0, F(2, 5))),  # no tie: the vertex
    ],
)
def test_small_alpha_limit_with_ties_is_the_centroid(x, y, expected):
    assert gradient_flow_small_alpha_limit(x, y) == expected
    with mpmath.workdps(80):
        _, beta, _ = _findroot_limit(x, y, F(1, 10**30))
        for b, e in zip(beta, expected, strict=True):
            assert abs(b - _mp(e)) < mpmath.mpf(10) ** -20  # error ~ alpha^(2 (1 - x_2/x_max))


# --- sharpness along the flow -------------------------------------------------------------------


def _path_sharpness_samples(x, y, alpha, n=400):
    """max over a grid of R in [R_end, 0] of (S, lambda_max) of H(R); inside workdps."""
    xs = [_mp(v) for v in x]
    a2 = _mp(alpha) ** 2
    lam, _, S_end = _findroot_limit(x, y, alpha)
    R_end = -lam / 4
    best_S = best_l = mpmath.mpf("-inf")
    d = len(xs)
    for k in range(n + 1):
        R = R_end * k / n
        beta = [a2 * mpmath.exp(-4 * xi * R) for xi in xs]
        r = sum(xi * bi for xi, bi in zip(xs, beta, strict=True)) - _mp(y)
        v = [xi * mpmath.sqrt(bi) for xi, bi in zip(xs, beta, strict=True)]
        H = mpmath.matrix(d, d)
        for i in range(d):
            for j in range(d):
                H[i, j] = 4 * v[i] * v[j] + (2 * r * xs[i] if i == j else 0)
        E = mpmath.eigsy(H, eigvals_only=True)
        eig = [E[i] for i in range(d)]
        best_S = max(best_S, max(abs(e) for e in eig))
        best_l = max(best_l, max(eig))
    return best_S, best_l, S_end


@pytest.mark.parametrize("x,y,alpha", [((1, F(1, 2)), 1, F(1, 100)), ((3, 2, 5), 2, F(1, 5))])
def test_sharpness_along_flow_small_alpha_attained_at_end(x, y, alpha):
    s = sharpness_along_flow(x, y, alpha)
    r0 = F(alpha) ** 2 * sum(F(v) for v in x) - F(y)  # hand
    assert r0 < 0 and s.initial_residual == r0
    assert (s.lambda_max_at_end, s.S_at_end) == (True, True)
    with mpmath.workdps(30):
        best_S, best_l, S_end = _path_sharpness_samples(x, y, alpha)
        assert abs(_mp(s.end) - S_end) < mpmath.mpf(10) ** -20
        assert best_S <= S_end * (1 + mpmath.mpf(10) ** -20)
        assert best_l <= S_end * (1 + mpmath.mpf(10) ** -20)


def test_sharpness_along_flow_large_alpha_is_not_claimed():
    # alpha = 1, x = (1, 1/2), y = 1: r(0) = 3/2 - 1 = 1/2 > 0. At t = 0, w = (1, 1):
    # H(0) = 4 (1, 1/2)(1, 1/2)^T + diag(1, 1/2) = [[5, 2], [2, 3/2]], whose top eigenvalue
    # (13/2 + sqrt(49/4 + 16)) / 2 exceeds the sharpness at the end: "s_GF attained at the end"
    # is false here, and the function must not claim it.
    s = sharpness_along_flow((1, F(1, 2)), 1, 1)
    assert s.initial_residual == F(1, 2)
    assert s.lambda_max_at_end is None and s.S_at_end is None
    H0 = sp.Matrix([[5, 2], [2, sp.Rational(3, 2)]])
    top = max(H0.eigenvals(), key=lambda e: sp.N(e))
    assert sp.simplify(top - (sp.Rational(13, 2) + sp.sqrt(sp.Rational(113, 4))) / 2) == 0
    assert sp.N(top - s.end, 30) > 0


@pytest.mark.parametrize("x", [(sp.sqrt(2), 1), (1, F(1, 401))])
def test_sharpness_along_flow_without_explicit_root(x):
    # alpha = 1/10, y = 1: r(0) = (x_1 + x_2)/100 - 1 < 0, so sup lambda_max is attained at the
    # end (True); S_at_end is True when 2 |r(0)| x_max <= s_end, with s_end from findroot.
    s = sharpness_along_flow(x, 1, F(1, 10))
    with mpmath.workdps(30):
        _, _, S_end = _findroot_limit(x, 1, F(1, 10))
        r0 = sum(_mp(v) for v in x) / 100 - 1
        covered = -2 * r0 * max(_mp(v) for v in x) <= S_end
    assert s.lambda_max_at_end is True
    assert s.S_at_end == (True if covered else None)


# --- no explicit root -----------------------------------------------------------------------------


def test_large_degree_falls_back_to_implicit_form():
    # x = (1, 1/401): q = 401, the polynomial in z = exp(lambda/401) has degree 401 > 400
    x, y, alpha = (1, F(1, 401)), 1, F(1, 10)
    g = gradient_flow_limit(x, y, alpha)
    assert g.exact is False
    assert isinstance(g.lam, sp.Symbol)
    assert g.lam in g.equation.free_symbols
    a2 = sp.Rational(1, 100)
    xs = (sp.Integer(1), sp.Rational(1, 401))
    for b, xi in zip(g.beta, xs, strict=True):
        assert sp.simplify(b - a2 * sp.exp(g.lam * xi)) == 0
    with mpmath.workdps(DPS):
        lam, beta, S = _findroot_limit(x, y, alpha)
        root = sp.Float(mpmath.nstr(lam, DPS), DPS)
        lhs = g.equation.lhs.subs(g.lam, root) - g.equation.rhs
        assert abs(sp.N(lhs, DPS)) < 1e-40
        assert abs(_mp(g.sharpness.subs(g.lam, root)) - S) < mpmath.mpf(10) ** -38


def test_irrational_label_does_not_crash():
    x, y, alpha = (1, F(1, 2)), sp.sqrt(2), F(1, 10)
    g = gradient_flow_limit(x, y, alpha)
    with mpmath.workdps(DPS):
        lam, beta, _ = _findroot_limit(x, y, alpha)
        if g.exact:
            got = [_mp(b) for b in g.beta]
        else:
            root = sp.Float(mpmath.nstr(lam, DPS), DPS)
            got = [_mp(b.subs(g.lam, root)) for b in g.beta]
        assert all(abs(u - v) < mpmath.mpf(10) ** -38 for u, v in zip(got, beta, strict=True))
