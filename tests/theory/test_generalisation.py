"""R8: priors, population and expected risk, the best interpolator and the bias gaps.

Independent routes: ``sympy.integrate`` over the simplex ``M`` parametrised by barycentric
coordinates (the uniform density on an affine simplex is constant); exact moments of discrete
priors computed here with Fractions; ``scipy.optimize.minimize`` (SLSQP) for the projection onto
``M``, plus an exact KKT check written here; hand computations.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize

from theory import (
    Prior,
    bias_gaps,
    expected_risk,
    optimal_interpolator,
    point_prior,
    population_risk,
    uniform_prior,
)


def _q(v):
    return sp.sympify(F(v)) if not isinstance(v, sp.Basic) else v


# --- uniform prior by integration over M ---------------------------------------------------------


def _uniform_moments_by_integration(x, y):
    """Mean and covariance of beta uniform on M, by sympy.integrate in barycentric coordinates."""
    d = len(x)
    lam = sp.symbols(f"l1:{d}", nonnegative=True)
    bary = (*lam, 1 - sum(lam))
    beta = [bary[i] * y / x[i] for i in range(d)]

    def integrate(expr):
        # over {l_i >= 0, sum l_i <= 1}; the standard simplex has volume 1/(d-1)!
        out = expr
        for k in range(d - 2, -1, -1):
            upper = 1 - sum(lam[:k])
            out = sp.integrate(out, (lam[k], 0, upper))
        return out * sp.factorial(d - 1)

    mean = [sp.simplify(integrate(b)) for b in beta]
    second = sp.Matrix(d, d, lambda i, j: integrate(beta[i] * beta[j]))
    cov = (second - sp.Matrix(mean) * sp.Matrix(mean).T).applyfunc(sp.simplify)
    return mean, cov, integrate


@pytest.mark.parametrize("d", [2, 3])
def test_uniform_prior_moments_equal_integrals_symbolic(d):
    x = sp.symbols(f"x1:{d + 1}", positive=True)
    y = sp.Symbol("y", positive=True)
    mean, cov, _ = _uniform_moments_by_integration(x, y)
    p = uniform_prior(x, y)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(p.mean, mean, strict=True))
    assert all(sp.simplify(a - b) == 0 for a, b in zip(p.cov, cov, strict=True))
    # the specification's closed form of the mean: mu_i = y / (d x_i)
    assert all(sp.simplify(m - y / (d * xi)) == 0 for m, xi in zip(p.mean, x, strict=True))


def test_expected_risk_under_uniform_prior_equals_integral():
    x, y = (sp.Integer(1), sp.Rational(1, 2)), sp.Integer(1)
    _, _, integrate = _uniform_moments_by_integration(x, y)
    lam = sp.Symbol("l1", nonnegative=True)
    star = (lam * y / x[0], (1 - lam) * y / x[1])
    prior = uniform_prior(x, y)
    for beta in [(1, 0), (0, 2), (F(1, 2), 1), (F(1, 3), F(4, 3))]:
        b = [_q(v) for v in beta]
        # spec: E ||beta - beta*||^2 = ||beta - mu||^2 + tr Cov(beta*)
        direct = integrate(sum((bi - si) ** 2 for bi, si in zip(b, star, strict=True)))
        assert sp.simplify(expected_risk(beta, prior) - direct) == 0
        # with noise and a non-identity Sigma
        Sig = sp.Matrix([[2, 1], [1, 3]])
        e = sp.Matrix(b) - sp.Matrix(star)
        direct = integrate((e.T * Sig * e)[0, 0]) + sp.Rational(1, 7)
        assert sp.simplify(expected_risk(beta, prior, Sig, F(1, 7)) - direct) == 0


# --- discrete priors ----------------------------------------------------------------------------


def _quad(e, Sigma):
    d = len(e)
    return sum(e[i] * F(Sigma[i][j]) * e[j] for i in range(d) for j in range(d))


DISCRETE = [
    # support points, weights, Sigma, sigma2
    ([(1, 0), (0, 2), (F(1, 2), 1)], [F(1, 2), F(1, 4), F(1, 4)], [[1, 0], [0, 1]], 0),
    ([(1, 0), (0, 2)], [F(1, 3), F(2, 3)], [[2, 1], [1, 3]], F(1, 5)),
    ([(F(1, 3), 0, 0), (0, F(1, 2), 0), (F(1, 9), F(1, 6), F(1, 3)), (3, -1, 2)],
     [F(1, 10), F(2, 10), F(3, 10), F(4, 10)], [[2, 1, 0], [1, 3, 1], [0, 1, 4]], 1),
]


@pytest.mark.parametrize("support,weights,Sigma,sigma2", DISCRETE)
def test_expected_risk_equals_average_population_risk(support, weights, Sigma, sigma2):
    d = len(support[0])
    pts = [[F(v) for v in p] for p in support]
    mean = [sum(w * p[i] for w, p in zip(weights, pts, strict=True)) for i in range(d)]
    cov = [[sum(w * (p[i] - mean[i]) * (p[j] - mean[j]) for w, p in zip(weights, pts, strict=True))
            for j in range(d)] for i in range(d)]
    prior = Prior(tuple(_q(m) for m in mean), sp.ImmutableMatrix(cov), "discrete")
    betas = [tuple(F(k + 1, 3 + i) for i in range(d)) for k in range(3)] + [tuple(pts[0])]
    for beta in betas:
        risks = []
        for p in pts:
            e = [b - s for b, s in zip(beta, p, strict=True)]
            hand = _quad(e, Sigma) + F(sigma2)
            assert population_risk(beta, p, Sigma, sigma2) == hand
            risks.append(hand)
        average = sum(w * r for w, r in zip(weights, risks, strict=True))
        assert expected_risk(beta, prior, Sigma, sigma2) == average


def test_point_prior():
    p = point_prior((F(1, 2), 1))
    assert p.mean == (F(1, 2), 1) and p.cov == sp.zeros(2, 2)
    assert expected_risk((1, 0), p) == population_risk((1, 0), (F(1, 2), 1)) == F(5, 4)


# --- the best interpolator ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,y,prior",
    [
        ((1, F(1, 2)), 1, None),
        ((3, 2, 1), 1, None),
        ((3, 2, 5), 2, point_prior((F(1, 3), F(1, 2), 0))),
        ((1, F(1, 2)), 1, point_prior((1, 0))),
    ],
)
def test_mean_on_M_is_optimal(x, y, prior):
    prior = uniform_prior(x, y) if prior is None else prior
    # the mean is on M
    assert sum(F(a) * F(str(m)) for a, m in zip(x, prior.mean, strict=True)) == y
    assert optimal_interpolator(x, y, prior) == tuple(prior.mean)
    Sig = sp.diag(*range(2, 2 + len(x)))
    assert optimal_interpolator(x, y, prior, Sig) == tuple(prior.mean)


def _slsqp(x, y, mu, Sigma):
    xf = np.array([float(v) for v in x])
    mf = np.array([float(v) for v in mu])
    Sf = np.array([[float(v) for v in row] for row in Sigma])
    d = len(x)
    start = np.full(d, float(y) / (d * 1.0)) / xf
    res = minimize(
        lambda b: (b - mf) @ Sf @ (b - mf),
        start,
        jac=lambda b: 2 * Sf @ (b - mf),
        method="SLSQP",
        bounds=[(0, None)] * d,
        constraints=[{"type": "eq", "fun": lambda b: xf @ b - float(y), "jac": lambda b: xf}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    # status 8 ("positive directional derivative in line search") is SLSQP stalling at a
    # vertex optimum it has already reached: accept it once the point is checked feasible.
    assert res.status in (0, 8), res.message
    assert abs(xf @ res.x - float(y)) < 1e-10 and np.all(res.x > -1e-10)
    return res.x


def _kkt_holds(x, y, mu, Sigma, beta):
    """Exact KKT of min (b - mu)^T Sigma (b - mu) s.t. <x, b> = y, b >= 0."""
    d = len(x)
    b = [F(str(v)) for v in beta]
    xs = [F(v) for v in x]
    if any(v < 0 for v in b) or sum(a * v for a, v in zip(xs, b, strict=True)) != F(y):
        return False
    g = [2 * sum(F(Sigma[i][j]) * (b[j] - F(mu[j])) for j in range(d)) for i in range(d)]
    support = [i for i in range(d) if b[i] > 0]
    nu = g[support[0]] / xs[support[0]]
    # stationarity on the support, dual feasibility off it
    return all(g[i] == nu * xs[i] for i in support) and all(
        g[i] - nu * xs[i] >= 0 for i in range(d) if i not in support
    )


OFF_M = [
    # x, y, mu (off M), Sigma
    ((1, F(1, 2)), 1, (1, 1), [[1, 0], [0, 1]]),
    ((1, F(1, 2)), 1, (1, 1), [[2, 1], [1, 3]]),
    ((1, F(1, 2), F(1, 3)), 1, (3, -1, 0), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    ((1, F(1, 2), F(1, 3)), 1, (F(1, 5), F(1, 5), F(1, 5)), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    ((3, 2, 5), 2, (1, -2, 1), [[2, 1, 0], [1, 3, 1], [0, 1, 4]]),
    ((3, 2, 5, 1), 2, (F(1, 2), 0, -1, 2), [[4, 1, 0, 0], [1, 3, 1, 0], [0, 1, 2, 0],
                                              [0, 0, 0, 1]]),
]


@pytest.mark.parametrize("x,y,mu,Sigma", OFF_M)
def test_projection_off_M_matches_slsqp_and_kkt(x, y, mu, Sigma):
    beta = optimal_interpolator(x, y, point_prior(mu), Sigma)
    assert _kkt_holds(x, y, mu, Sigma, beta)
    ref = _slsqp(x, y, mu, Sigma)
    assert np.max(np.abs(np.array([float(b) for b in beta]) - ref)) < 1e-6


def test_projection_by_hand():
    # x = (1, 1/2), y = 1, mu = (1, 1), Sigma = [[2, 1], [1, 3]]: on M, b = (1 - t/2, t),
    # e = b - mu = (-t/2, t - 1), Q = 2 t^2/4 - t (t - 1) + 3 (t - 1)^2 = 5/2 t^2 - 5 t + 3,
    # minimised at t = 1: b = (1/2, 1).
    assert optimal_interpolator((1, F(1, 2)), 1, point_prior((1, 1)), [[2, 1], [1, 3]]) == (
        F(1, 2), 1)
    # Sigma = I: Q = t^2/4 + (t - 1)^2, minimised at t = 4/5: b = (3/5, 4/5)
    assert optimal_interpolator((1, F(1, 2)), 1, point_prior((1, 1))) == (F(3, 5), F(4, 5))


# --- the gaps -----------------------------------------------------------------------------------


def test_bias_gaps_default_instance():
    # mu = (1/2, 1); ||(1, 0) - mu||^2 = 1/4 + 1 = 5/4; ||(0, 2) - mu||^2 = 1/4 + 1 = 5/4;
    # tr Cov = sum_i y^2 / x_i^2 * (d - 1) / (d^2 (d + 1)) = (1 + 4) / 12 = 5/12.
    g = bias_gaps((1, F(1, 2)), 1)
    assert g.optimal == (F(1, 2), 1)
    assert (g.gap_min_norm, g.gap_min_sharpness) == (F(5, 4), F(5, 4))
    assert g.risk_optimal == F(5, 12)
    assert (g.risk_min_norm, g.risk_min_sharpness) == (F(5, 4) + F(5, 12), F(5, 4) + F(5, 12))
    assert g.neither_optimal and g.strictly_between
    # noise adds sigma^2 to every risk and leaves the gaps
    h = bias_gaps((1, F(1, 2)), 1, sigma2=F(1, 3))
    assert h.risk_optimal == F(5, 12) + F(1, 3) and h.gap_min_norm == F(5, 4)


def test_bias_gaps_d3_uniform():
    # x = (3, 2, 1), y = 1: mu = (1/9, 1/6, 1/3), beta^N = (1/3, 0, 0), beta^S = (0, 0, 1).
    # gap_N = (2/9)^2 + (1/6)^2 + (1/3)^2 = 4/81 + 1/36 + 1/9 = 61/324
    # gap_S = (1/9)^2 + (1/6)^2 + (2/3)^2 = 1/81 + 1/36 + 4/9 = 157/324
    g = bias_gaps((3, 2, 1), 1)
    assert g.optimal == (F(1, 9), F(1, 6), F(1, 3))
    assert (g.gap_min_norm, g.gap_min_sharpness) == (F(61, 324), F(157, 324))
    assert g.neither_optimal and g.strictly_between
    # the optimum's norm and sharpness are strictly between the biases' (R8, by hand):
    # l1(mu) = 1/9 + 1/6 + 1/3 = 11/18 in (1/3, 1); S(mu) = 4 (1 + 2/3 + 1/3) = 8 in (4, 12)


def test_bias_gaps_d3_point_prior_at_the_middle_vertex():
    # The specification's "unless mu is a vertex" is too strong for d = 3: mu = (0, 1/2, 0)
    # (the middle vertex for x = (3, 2, 1)) leaves both biases strictly worse:
    # gap_N = 1/9 + 1/4 = 13/36, gap_S = 1/4 + 1 = 5/4.
    g = bias_gaps((3, 2, 1), 1, point_prior((0, F(1, 2), 0)))
    assert (g.gap_min_norm, g.gap_min_sharpness) == (F(13, 36), F(5, 4))
    assert g.neither_optimal and g.strictly_between


@pytest.mark.parametrize("x,y", [((1, F(1, 2)), 1), ((3, 2, 1), 1), ((3, 2, 5), 2)])
def test_prior_at_min_norm_vertex_gives_neither_optimal_false(x, y):
    i = max(range(len(x)), key=lambda k: F(x[k]))
    vertex = tuple(F(y) / F(x[i]) if k == i else 0 for k in range(len(x)))
    g = bias_gaps(x, y, point_prior(vertex))
    assert g.gap_min_norm == 0 and g.gap_min_sharpness > 0
    assert g.neither_optimal is False and g.strictly_between is False
    assert g.optimal == vertex
