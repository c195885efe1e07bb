"""R9: the d = 2 interpolator with sharpness 2/eta and the predicted best learning rate.

Independent routes: solving the two linear equations ``<x, beta> = y``, ``4 sum x_i^2 beta_i =
2/eta`` with ``sympy.linsolve``; hand values; ``mpmath.findroot`` for ``eta_c``.
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import pytest
import sympy as sp

from theory import (
    eos_interpolator,
    gradient_flow_limit,
    predicted_best_learning_rate,
    uniform_prior,
)


def _solve(x1, x2, y, eta):
    b1, b2 = sp.symbols("b1 b2")
    (sol,) = sp.linsolve([x1 * b1 + x2 * b2 - y, 4 * (x1**2 * b1 + x2**2 * b2) - 2 / eta],
                         [b1, b2])
    return sol


@pytest.mark.parametrize(
    "x,y,eta",
    [
        ((1, F(1, 2)), 1, F(3, 5)),
        ((1, F(1, 2)), 1, F(1, 2)),  # lower end: beta^N
        ((1, F(1, 2)), 1, 1),  # upper end: beta^S
        ((1, F(1, 2)), 1, F(2, 3)),  # the centroid (S = 3)
        ((F(1, 2), 1), 1, F(3, 5)),  # order of coordinates reversed
        ((3, 7), F(2, 3), F(1, 8)),
    ],
)
def test_eos_interpolator_numeric(x, y, eta):
    beta = eos_interpolator(x, y, eta)
    x1, x2 = (sp.sympify(F(v)) for v in x)
    expected = _solve(x1, x2, sp.sympify(F(y)), sp.sympify(F(eta)))
    assert tuple(beta) == tuple(expected)
    assert all(b >= 0 for b in beta)
    assert x1 * beta[0] + x2 * beta[1] == y
    assert 4 * (x1**2 * beta[0] + x2**2 * beta[1]) == 2 / sp.sympify(F(eta))


def test_eos_interpolator_hand_values():
    # x = (1, 1/2), y = 1: eta = 3/5 -> S = 10/3: b1 + b2/2 = 1, b1 + b2/4 = 5/6 -> b2 = 2/3
    assert eos_interpolator((1, F(1, 2)), 1, F(3, 5)) == (F(2, 3), F(2, 3))
    assert eos_interpolator((1, F(1, 2)), 1, F(1, 2)) == (1, 0)
    assert eos_interpolator((1, F(1, 2)), 1, 1) == (0, 2)


def test_eos_interpolator_partially_symbolic():
    # x = (2a, a), y = b, eta = 1/(3 a b) lies in [1/(4 a b), 1/(2 a b)] for all a, b > 0
    a, b = sp.symbols("a b", positive=True)
    eta = 1 / (3 * a * b)
    beta = eos_interpolator((2 * a, a), b, eta)
    expected = _solve(2 * a, a, b, eta)
    assert all(sp.simplify(u - v) == 0 for u, v in zip(beta, expected, strict=True))
    assert sp.simplify(2 * a * beta[0] + a * beta[1] - b) == 0
    assert sp.simplify(4 * (4 * a**2 * beta[0] + a**2 * beta[1]) - 2 / eta) == 0


x2_, u_, v_, y_ = sp.symbols("x2 u v y", positive=True)


def test_eos_interpolator_fully_symbolic():
    x1 = x2_ + u_ + v_
    eta = 1 / (2 * y_ * (x2_ + u_))
    beta = eos_interpolator((x1, x2_), y_, eta)
    assert sp.simplify(x1 * beta[0] + x2_ * beta[1] - y_) == 0
    assert sp.simplify(4 * (x1**2 * beta[0] + x2_**2 * beta[1]) - 2 / eta) == 0


def test_eos_formula_symbolic_identity():
    # The closed form of the docstring, checked symbolically against linsolve and against the
    # two defining equations (this is what the function returns for numbers, see above).
    x1, x2, y, eta = sp.symbols("x1 x2 y eta", positive=True)
    b1 = (1 / (2 * eta) - y * x2) / (x1 * (x1 - x2))
    b2 = (y * x1 - 1 / (2 * eta)) / (x2 * (x1 - x2))
    sol = _solve(x1, x2, y, eta)
    assert sp.simplify(b1 - sol[0]) == 0 and sp.simplify(b2 - sol[1]) == 0
    # and numerically the function agrees with it on a grid of (x, y, eta)
    for xv in [(1, F(1, 2)), (3, 7), (F(5, 2), F(1, 3))]:
        for yv in [1, F(2, 3)]:
            lo, hi = 1 / (2 * F(yv) * max(map(F, xv))), 1 / (2 * F(yv) * min(map(F, xv)))
            for k in range(5):
                ev = lo + (hi - lo) * F(k, 4)
                sub = {x1: F(xv[0]), x2: F(xv[1]), y: F(yv), eta: ev}
                assert eos_interpolator(xv, yv, ev) == (b1.subs(sub), b2.subs(sub))


def test_predicted_best_learning_rate_default_instance():
    # uniform prior: mu = (1/2, 1), S(mu) = 4 (1/2 + 1/4) = 3, eta* = 2/3;
    # eta_c = 0.50125... < 2/3 < 1 = 1/(2 y x_min): inside.
    b = predicted_best_learning_rate((1, F(1, 2)), 1, alpha=F(1, 100))
    assert b.eta_star == F(2, 3) and b.sharpness == 3 and b.target == (F(1, 2), 1)
    assert b.inside is True
    assert predicted_best_learning_rate((1, F(1, 2)), 1).inside is None
    with mpmath.workdps(30):
        f = lambda lam: mpmath.mpf(1) / 10**4 * (mpmath.exp(lam) + mpmath.exp(lam / 2) / 2) - 1
        lam = mpmath.findroot(f, 9)
        S = 4 * (mpmath.exp(lam) + mpmath.exp(lam / 2) / 4) / 10**4
        eta_c = 2 / S
        assert eta_c < mpmath.mpf(2) / 3 < 1
        assert abs(mpmath.mpf(sp.N(gradient_flow_limit((1, F(1, 2)), 1, F(1, 100)).eta_c, 40))
                   - eta_c) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize(
    "x,y,alpha,eta_star",
    [
        # x = (3, 2, 1), y = 1: S(mu) = 4 y mean(x) = 8, eta* = 1/4; 1/(2 y x_min) = 1/2.
        ((3, 2, 1), 1, F(1, 10), F(1, 4)),
        # alpha = 1: r(0) = 1/2 > 0, the flow ends flatter (s_end = (17 - sqrt(17))/4).
        ((1, F(1, 2)), 1, 1, F(2, 3)),
        # alpha = 2: the flow ends so flat that eta_c (about 0.7236) exceeds eta*: not inside.
        ((1, F(1, 2)), 1, 2, F(2, 3)),
    ],
)
def test_predicted_best_learning_rate_other_instances(x, y, alpha, eta_star):
    b = predicted_best_learning_rate(x, y, alpha=alpha)
    assert b.eta_star == eta_star
    mu = uniform_prior(x, y).mean
    assert b.target == mu
    with mpmath.workdps(30):
        xs = [mpmath.mpf(F(v).numerator) / F(v).denominator for v in x]
        a2 = (mpmath.mpf(F(alpha).numerator) / F(alpha).denominator) ** 2
        f = lambda lam: sum(xi * a2 * mpmath.exp(lam * xi) for xi in xs) - y
        lam = mpmath.findroot(f, mpmath.log(y / (a2 * max(xs))) / max(xs))
        S = 4 * sum(xi**2 * a2 * mpmath.exp(lam * xi) for xi in xs)
        expected_inside = (2 / S < mpmath.mpf(F(eta_star).numerator) / F(eta_star).denominator
                           < 1 / (2 * y * min(xs)))
    assert b.inside is expected_inside


def test_inside_is_decided_through_the_enclosure_when_eta_c_has_no_explicit_root():
    # x = (1, 1/1000): the polynomial in exp(lambda/1000) has degree 1000 > MAX_EXACT_DEGREE, so
    # eta_c is known only through its equation and a proved enclosure (below 1/2 + 1/1000:
    # beta_GF ~ beta^N = (1, 0), S ~ 4); eta* = 0.999 lies strictly between it and 1/(2 y x_min).
    from theory import gradient_flow_limit
    from theory.gradient_flow import MAX_EXACT_DEGREE

    assert 1000 > MAX_EXACT_DEGREE
    lo, hi = gradient_flow_limit([1, "1/1000"], 1, "1/100").bounds("eta_c")
    assert sp.Rational(1, 2) < lo < hi < sp.Rational(1, 2) + sp.Rational(1, 1000)
    best = predicted_best_learning_rate([1, "1/1000"], 1, alpha="1/100")
    assert best.inside is True
    assert best.eta_star == sp.Rational(2, 4) / sp.Rational(1001, 2000)  # 2/(4 y mean(x))
