"""Gradient flow at high precision (numerics.flow): R6, E4, E5.

Expected values come from independent routes: the theory layer's exact limit (sympy CRootOf,
evaluated at 50 digits), exact rational gradients, sympy eigenvalues, scipy's DOP853 on the
parameter ODE in float64, float64 gradient descent with a vanishing learning rate (Richardson
extrapolated), an SLSQP minimisation of Woodworth's potential, mpmath's dense symmetric
eigensolver, and the module's other algorithm (closed form against Taylor ODE).
"""

from __future__ import annotations

import dataclasses
import doctest
import math
import re
import sys
from decimal import Decimal
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp
from scipy.optimize import minimize

import numerics.audited
import numerics.flow
import theory
from numerics.audited import audited_flow
from numerics.backends import get_backend
from numerics.errors import DomainError
from numerics.flow import (
    FlowResult,
    flow_at_times,
    flow_state,
    flow_time,
    gradient_flow,
)
from numerics.hessian import spectrum
from numerics.precision import DEFAULT_PAIR
from numerics.problem import Problem

DEFAULT = dict(X=[1, F(1, 2)], y=1, alpha=F(1, 100))


def _mp(q: F, ctx):
    return ctx.mpf(q.numerator) / q.denominator


_CTX = mpmath.MPContext()
_CTX.dps = 80


def _num(v):
    """An 80-digit mpf (private context) from a Fraction, sympy number or mpf."""
    if isinstance(v, F):
        return _mp(v, _CTX)
    if isinstance(v, sp.Basic):
        return _CTX.mpf(str(sp.N(v, 80)))
    return _CTX.mpf(v)


def _rel(a, b) -> float:
    a, b = _num(a), _num(b)
    return float(abs(a - b) / max(abs(a), abs(b), _CTX.mpf(10) ** -300))


# ---------------------------------------------------------------- independent float64 model
def _theta0(p: Problem) -> np.ndarray:
    a = float(p.alpha)
    d = p.d
    if p.param == "shared":
        return np.full(d, a)
    if p.param == "product":
        return np.concatenate([np.full(d, math.sqrt(2) * a), np.zeros(d)])
    return np.concatenate([np.full(d, a), np.full(d, a)])


def _beta_np(p: Problem, th):
    d = p.d
    if p.param == "shared":
        return th ** p.depth
    u, v = th[:d], th[d:]
    return u * v if p.param == "product" else u * u - v * v


def _grad_np(p: Problem, th):
    """grad L for L = 1/(2n) |X beta - y|^2, written out by hand per parametrisation."""
    X, y = np.array(p.X, float), np.array(p.y, float)
    n, d = X.shape
    r = X @ _beta_np(p, th) - y
    g = X.T @ r / n
    if p.param == "shared":
        D = p.depth
        return D * g * th ** (D - 1)
    u, v = th[:d], th[d:]
    if p.param == "product":
        return np.concatenate([g * v, g * u])
    return np.concatenate([2 * g * u, -2 * g * v])


def _hess_np(p: Problem, th):
    """The full Hessian, assembled from J^T J / n + sum_i g_i d^2 beta_i (E1 form)."""
    X, y = np.array(p.X, float), np.array(p.y, float)
    n, d = X.shape
    r = X @ _beta_np(p, th) - y
    g = X.T @ r / n
    if p.param == "shared":
        D = p.depth
        Jb = X * (D * th ** (D - 1))
        return Jb.T @ Jb / n + np.diag(g * D * (D - 1) * th ** (D - 2))
    u, v = th[:d], th[d:]
    if p.param == "product":
        Jb = np.hstack([X * v, X * u])
        H = Jb.T @ Jb / n
        H[:d, d:] += np.diag(g)
        H[d:, :d] += np.diag(g)
        return H
    Jb = np.hstack([X * (2 * u), X * (-2 * v)])
    H = Jb.T @ Jb / n
    H[:d, :d] += np.diag(2 * g)
    H[d:, d:] += np.diag(-2 * g)
    return H


def _ode_float(p: Problem, T: float, dense=False):
    return solve_ivp(lambda t, th: -_grad_np(p, th), (0, T), _theta0(p), method="DOP853",
                     rtol=1e-13, atol=1e-15, dense_output=dense)


# ----------------------------------------------------------- the exact limit (theory, R6)
THEORY_CASES = [
    ([1, F(1, 2)], 1, F(1, 100)),
    ([2, 1, F(1, 2)], 1, F(1, 10)),
    ([1, F(3, 4), F(1, 2), F(1, 4)], 2, F(1, 20)),
    ([3, 2, 1, F(1, 2), F(1, 4)], 1, F(1, 5)),
    ([1, F(1, 2)], 1, 1),  # r(0) > 0: the limit still matches, s_GF is not at the end
]


@pytest.mark.parametrize("x,y,alpha", THEORY_CASES)
def test_limit_matches_theory_exactly(x, y, alpha):
    limit = theory.gradient_flow_limit(x, y, alpha)
    assert limit.exact
    res = gradient_flow(Problem(x, y, alpha), dps=30)
    for b_num, b_exact in zip(res.beta, limit.beta):
        assert _rel(sp.N(b_exact, 50), b_num) < 1e-29
    assert _rel(sp.N(limit.sharpness, 50), res.s_end) < 1e-29
    # R_inf = -lambda / 4 (theory's rewriting of R6)
    assert _rel(sp.N(-limit.lam / 4, 50), res.R_inf) < 1e-29
    guarantee = theory.sharpness_along_flow(x, y, alpha)
    if guarantee.S_at_end:
        assert res.s_gf_at_end and res.s_gf == res.s_end
        assert _rel(sp.N(limit.eta_c, 50), res.eta_c) < 1e-29
    if guarantee.lambda_max_at_end:
        assert res.lambda_max_at_end


def test_default_instance_eta_c_and_location():
    res = gradient_flow(Problem(**DEFAULT), dps=40)
    exact = sp.N(theory.gradient_flow_limit([1, "1/2"], 1, "1/100").eta_c, 60)
    assert _rel(exact, res.eta_c) < 1e-39
    assert res.s_gf_at_end and res.where.at_end and res.where.t is None
    assert res.where.R == res.R_inf < 0  # r(0) < 0: R decreases to R_inf
    assert round(float(res.eta_c), 5) == 0.50125


def test_s_gf_is_not_at_the_end_for_large_alpha():
    """The specification claims s_GF is attained at the end (R6): false for alpha = 1."""
    x, y, alpha = [1, F(1, 2)], 1, 1
    assert theory.sharpness_along_flow(x, y, alpha).lambda_max_at_end is None  # undecided
    res = gradient_flow(Problem(x, y, alpha), dps=30)
    assert not res.s_gf_at_end and not res.lambda_max_at_end
    assert res.where.t == 0 and res.where.R == 0 and not res.where.at_end
    # independent: the Hessian at t = 0 in sympy, H = 4 v v^T + 2 r diag(x), v = alpha x (R1)
    xs = sp.Matrix([1, sp.Rational(1, 2)])
    v = xs * alpha
    r0 = alpha ** 2 * sum(xs) - y
    H0 = 4 * v * v.T + 2 * r0 * sp.diag(*xs)
    s0 = max(abs(e) for e in H0.eigenvals())
    assert _rel(sp.N(s0, 50), res.s_gf) < 1e-29
    end = theory.gradient_flow_limit(x, y, alpha).sharpness
    assert float(res.s_gf) > float(sp.N(end)) + 2  # 5.9075 against 3.2192
    assert _rel(sp.N(end, 50), res.s_end) < 1e-29


# ----------------------------------------------------------------- the path is the flow
@pytest.mark.parametrize("param", ["shared", "product", "difference"])
def test_closed_form_path_solves_the_flow_ode(param):
    """d theta / dt = (d theta / dR) r = -grad L: central differences at 40 digits against
    the gradient computed in exact rational arithmetic from the state's theta."""
    p = Problem([1, F(-1, 3), F(1, 2)], 1, F(1, 2), param=param)
    h = F(1, 10 ** 12)
    for R in (F(-1, 5), F(1, 10), F(1, 3)):
        mid = flow_state(p, R, dps=40)
        up, down = flow_state(p, R + h, dps=40), flow_state(p, R - h, dps=40)
        r = mid["r"][0]
        x = p.x
        g = [r * xi for xi in x]
        theta = mid["theta"]
        if param == "shared":
            grad = [[2 * gi * wi for gi, wi in zip(g, theta[0])]]
        elif param == "product":
            u, v = theta
            grad = [[gi * vi for gi, vi in zip(g, v)], [gi * ui for gi, ui in zip(g, u)]]
        else:
            u, v = theta
            grad = [[2 * gi * ui for gi, ui in zip(g, u)], [-2 * gi * vi for gi, vi in zip(g, v)]]
        for a in range(len(theta)):
            for i in range(p.d):
                dtheta_dR = (up["theta"][a][i] - down["theta"][a][i]) / (2 * h)
                assert abs(dtheta_dR * r + grad[a][i]) < F(1, 10 ** 20)
        # and beta = beta(theta) on the path
        beta_theta = [t ** 2 for t in theta[0]] if param == "shared" else (
            [u_ * v_ for u_, v_ in zip(*theta)] if param == "product"
            else [u_ * u_ - v_ * v_ for u_, v_ in zip(*theta)])
        assert max(abs(b1 - b2) for b1, b2 in zip(beta_theta, mid["beta"])) < F(1, 10 ** 38)


@pytest.mark.parametrize("param", ["shared", "product", "difference"])
def test_path_in_time_matches_float64_ode(param):
    """beta(t) from R(t) = t^{-1}(...) (closed form) and from the Taylor ODE, against DOP853."""
    p = Problem([1, F(-1, 3), F(1, 2)], 1, F(1, 2), param=param)
    times = [F(1, 4), F(3, 2)]
    sol = _ode_float(p, 1.5, dense=True)
    closed = flow_at_times(p, times, dps=20)
    taylor = flow_at_times(p, times, dps=20, method="taylor")
    for t, b1, b2 in zip(times, closed, taylor):
        ref = _beta_np(p, sol.sol(float(t)))
        assert np.max(np.abs(np.array(b1, float) - ref)) < 1e-9
        assert max(abs(u - v) for u, v in zip(b1, b2)) < F(1, 10 ** 18)


def test_flow_time_is_the_ode_time():
    """t(R) = int dR / r, checked against the float64 ODE: beta at that time is beta(R)."""
    p = Problem(**DEFAULT)
    R = F(-2)
    t = flow_time(p, R, dps=25)
    sol = _ode_float(p, float(t))
    ref = _beta_np(p, sol.y[:, -1])
    exact = [float(F(1, 10 ** 4)) * math.exp(-4 * float(xi) * float(R)) for xi in p.x]
    assert np.max(np.abs(ref - exact)) < 1e-9


# ------------------------------------------------ the Hessian along the one-sample path
@pytest.mark.parametrize("param,depth", [("shared", 2), ("shared", 3), ("product", 2),
                                         ("difference", 2)])
def test_secular_eigenvalues_and_slopes_match_dense_eigensolver(param, depth):
    """The rank-one-plus-diagonal solver against mpmath eigsy of the full Hessian, and its
    d lambda / dR against central differences of eigsy."""
    from numerics.flow.model import _Flow
    from numerics.flow.one_sample import _OneSample

    p = Problem([1, F(1, 2), F(-1, 4)], 1, F(1, 3), param=param, depth=depth)
    f = _Flow(p, 30)
    one = _OneSample(f)
    be = get_backend("mpmath", 45)
    ctx = be.ctx

    def eig(R):
        st = flow_state(p, R, dps=45)
        theta = tuple(np.array([_mp(v, ctx) for v in t], dtype=object) for t in st["theta"])
        r = _mp(st["r"][0], ctx)
        g = np.array([r * _mp(xi, ctx) for xi in p.x], dtype=object)
        low, top, _ = spectrum(p, be, theta, g, zero_loss=False)
        return low, top

    h = F(1, 10 ** 10)
    R_inf = one.R_inf()
    for frac in (F(1, 5), F(1, 2), F(9, 10)):
        R = F(frac) * f.frac(R_inf)
        lmin, dlmin, lmax, dlmax = one.extremes(f.backend.scalar(R))
        low, top = eig(R)
        assert _rel(lmax, top) < 1e-28 and abs(lmin - low) < 1e-28 * abs(top)
        lo_u, hi_u = eig(R + h)
        lo_d, hi_d = eig(R - h)
        assert abs((hi_u - hi_d) / (2 * float(h)) - dlmax) < 1e-12 * max(1, abs(dlmax))
        assert abs((lo_u - lo_d) / (2 * float(h)) - dlmin) < 1e-12 * max(1, abs(dlmin))


def test_fast_eigensolver_matches_mpmath_eigsy():
    """The n-sample path's eigenvalues (python-flint QR) against mpmath's eigsy."""
    from numerics.flow.model import _Flow

    p = Problem([[1, F(1, 2), F(-1, 3)], [F(1, 4), -1, 2]], [1, F(-1, 2)], F(1, 2),
                param="product")
    f = _Flow(p, 30)
    ctx = f.ctx
    for rho in ([F(1, 3), F(-1, 2)], [F(-2), F(1, 7)]):
        rh = [_mp(v, ctx) for v in rho]
        low, top = f.eig_full(rh)
        theta, _, _, g = f.state(rh)
        ref_low, ref_top, _ = spectrum(p, f.backend, theta, g, zero_loss=False)
        assert abs(low - ref_low) < 1e-36 * abs(ref_top) and _rel(top, ref_top) < 1e-36


def test_maximiser_finds_an_interior_stationary_point():
    """One-sample paths in practice peak at an end; the interior branch is checked directly."""
    from numerics.flow.roots import _maximise

    ctx = mpmath.MPContext()
    ctx.dps = 40
    c = ctx.mpf(3) / 10

    def value_slope(t):
        return 1 - (t - c) ** 2 + (t - c) ** 3, -2 * (t - c) + 3 * (t - c) ** 2

    value, tau = _maximise(ctx, value_slope, ctx.mpf(10) ** -30)
    assert abs(tau - c) < ctx.mpf(10) ** -35 and value == 1 + (tau - c) ** 3 - (tau - c) ** 2
    value, tau = _maximise(ctx, lambda t: (t, ctx.mpf(1)), ctx.mpf(10) ** -30)
    assert tau == 1 and value == 1


# ----------------------------------------------------- two algorithms, one answer (E5)
@pytest.mark.parametrize("param,depth,x,y", [
    ("shared", 2, [1, F(1, 2)], 1),
    ("shared", 3, [2, -1, F(1, 2)], F(3, 2)),
    ("product", 2, [2, -1, F(1, 2)], F(-3, 2)),
    ("difference", 2, [1, F(1, 2), F(1, 3)], 1),
])
def test_closed_form_and_taylor_ode_agree(param, depth, x, y):
    p = Problem(x, y, F(1, 5), param=param, depth=depth)
    a = gradient_flow(p, dps=25)
    b = gradient_flow(p, dps=25, method="taylor")
    assert a.method == "closed_form" and b.method == "taylor" and b.steps > 0
    tol = F(1, 10 ** 24)
    assert abs(a.R_inf - b.R_inf) < tol * max(1, abs(a.R_inf))
    assert max(abs(u - v) for u, v in zip(a.beta, b.beta)) < tol
    assert abs(a.s_gf - b.s_gf) < tol * a.s_gf
    assert abs(a.lambda_max_sup - b.lambda_max_sup) < tol * a.s_gf
    assert a.s_gf_at_end == b.s_gf_at_end


# ------------------------------------------------------ product and difference limits (E4)
def _q(z):
    return 2 - np.sqrt(4 + z * z) + z * np.arcsinh(z / 2)


@pytest.mark.parametrize("X,y", [
    ([[1, F(1, 2), F(-1, 3)]], [1]),
    ([[1, F(1, 2), F(-1, 3)], [F(1, 4), -1, 2]], [1, F(-1, 2)]),
])
def test_difference_limit_minimises_woodworth_potential(X, y):
    alpha = F(1, 2)
    p = Problem(X, y, alpha, param="difference")
    res = gradient_flow(p, dps=20)
    Xf, yf, a2 = np.array(X, float), np.array(y, float), float(alpha) ** 2
    fun = lambda b: a2 * np.sum(_q(b / a2))  # noqa: E731
    jac = lambda b: np.arcsinh(b / (2 * a2))  # noqa: E731
    opt = minimize(fun, np.linalg.lstsq(Xf, yf, rcond=None)[0], jac=jac, method="SLSQP",
                   constraints=[{"type": "eq", "fun": lambda b: Xf @ b - yf,
                                 "jac": lambda b: Xf}], options={"ftol": 1e-15, "maxiter": 500})
    assert opt.success
    assert np.max(np.abs(np.array(res.beta, float) - opt.x)) < 1e-6
    # and the interpolation constraint holds to the working precision
    assert max(abs(sum(xi * bi for xi, bi in zip(row, res.beta)) - yi)
               for row, yi in zip(p.X, p.y)) < F(1, 10 ** 20)


def test_product_limit_matches_long_float64_flow():
    p = Problem([[1, F(1, 2), F(-1, 3)], [F(1, 4), -1, 2]], [1, F(-1, 2)], F(1, 2),
                param="product")
    res = gradient_flow(p, dps=20)
    sol = _ode_float(p, 200.0)
    assert np.max(np.abs(np.array(res.beta, float) - _beta_np(p, sol.y[:, -1]))) < 1e-8


# ------------------------------------------------------------------------- n samples
def _gd_float(p: Problem, eta: float, T: float):
    th = _theta0(p)
    for _ in range(int(round(T / eta))):
        th = th - eta * _grad_np(p, th)
    return _beta_np(p, th)


def test_n_sample_limit_interpolates_and_is_the_small_eta_gd_limit():
    p = Problem([[1, F(1, 2), F(1, 4)], [F(1, 3), 1, F(1, 2)]], [1, 1], F(1, 10))
    res = gradient_flow(p, dps=20)
    assert res.method == "taylor" and res.n == 2 and len(res.R_inf) == 2
    for row, yi in zip(p.X, p.y):
        assert abs(sum(xi * bi for xi, bi in zip(row, res.beta)) - yi) < F(1, 10 ** 20)
    # GD with eta -> 0: first-order Richardson extrapolation of two learning rates
    b1, b2 = _gd_float(p, 2e-3, 60.0), _gd_float(p, 1e-3, 60.0)
    assert np.max(np.abs(2 * b2 - b1 - np.array(res.beta, float))) < 1e-6
    # implicit bias: not the minimum-l2 interpolator
    Xf = np.array(p.X, float)
    l2 = np.linalg.lstsq(Xf, np.ones(2), rcond=None)[0]
    assert np.max(np.abs(l2 - np.array(res.beta, float))) > 1e-2


def test_n_sample_interior_maximum_of_sharpness():
    """A two-sample product instance where s_GF is attained inside the path (t ~ 0.81)."""
    X = [[F(5, 3), F(5, 3), F(1, 2)], [F(-9, 4), F(-1, 5), 1]]
    p = Problem(X, [F(5, 2), -2], F(3, 5), param="product")
    res = gradient_flow(p, dps=15)
    assert not res.s_gf_at_end and res.where.t is not None and res.where.t > 0
    assert res.s_gf > res.s_end
    sol = _ode_float(p, 6.0, dense=True)
    ts = np.linspace(0, 6, 6001)
    S = np.array([np.max(np.abs(np.linalg.eigvalsh(_hess_np(p, sol.sol(t))))) for t in ts])
    j = int(np.argmax(S))
    assert abs(S[j] - float(res.s_gf)) < 1e-6 * S[j]
    assert abs(ts[j] - float(res.where.t)) < 2e-3
    # the reported location is a point of the path with that sharpness
    st = flow_state(p, res.where.R, dps=15)
    assert np.max(np.abs(np.array(st["beta"], float)
                         - _beta_np(p, sol.sol(float(res.where.t))))) < 1e-9


# ---------------------------------------------------------------------------- the audit
def test_audit_digits_and_precision_ladder():
    p = Problem(**DEFAULT)
    exact = sp.N(theory.gradient_flow_limit([1, "1/2"], 1, "1/100").eta_c, 100)
    run = audited_flow(p)  # the package's default pair, as the flow runs it
    low, high = DEFAULT_PAIR.low.working_dps, DEFAULT_PAIR.high.working_dps
    assert isinstance(run.low, FlowResult) and (run.low.dps, run.high.dps) == (low, high)
    assert run.digits["eta_c"] == low and run.digits["beta"] == low
    assert run.s_gf_at_end is True
    text = run.quantities["eta_c"].text()
    assert text == str(sp.N(exact, low)) and text.startswith("0.501249996")
    assert Decimal(text).quantize(Decimal("0.00001")) == Decimal("0.50125")  # the spec's value
    assert _rel(exact, run.low.eta_c) < 10.0 ** -low and _rel(exact, run.high.eta_c) < \
        sp.Float(10, 80) ** -high
    small = audited_flow(p, precision=8)
    assert 6 <= small.digits["eta_c"] <= 8
    assert small.quantities["eta_c"].text() == str(sp.N(exact, small.digits["eta_c"]))
    assert "where_t" not in small.digits  # attained only as t -> infinity


def test_audit_of_an_interior_point_reports_its_time():
    run = audited_flow(Problem([1, F(1, 2)], 1, 1), precision=10)
    assert run.s_gf_at_end is False
    assert run.quantities["where_t"].value == 0 and run.digits["where_t"] == 10


# ------------------------------------------------------------------------ bad input
BAD = [
    (gradient_flow, ([1, 2],), {}, "problem"),
    (gradient_flow, (Problem(**DEFAULT),), {"dps": 3}, "dps"),
    (gradient_flow, (Problem(**DEFAULT),), {"dps": True}, "dps"),
    (gradient_flow, (Problem(**DEFAULT),), {"dps": 20.5}, "dps"),
    (gradient_flow, (Problem(**DEFAULT),), {"method": "euler"}, "method"),
    (gradient_flow, (Problem([[1, 2], [3, 4]], [1, 1], 1),), {"method": "closed_form"},
     "method"),
    (gradient_flow, (Problem([1, F(1, 2)], -1, F(1, 10)),), {}, "y"),
    (gradient_flow, (Problem([-1, F(-1, 2)], 1, F(1, 10)),), {}, "y"),
    (gradient_flow, (Problem([0, 0], 1, F(1, 10), param="product"),), {}, "x"),
    (gradient_flow, (Problem([[1, 2, 3], [2, 4, 6]], [1, 1], 1, param="product"),), {}, "X"),
    (gradient_flow, (Problem([[1, 1], [1, -1]], [1, 1], 1),), {}, "y"),
    (gradient_flow, (Problem(**DEFAULT),), {"dps": 100001}, "dps"),
    (flow_state, (Problem(**DEFAULT), 0), {"dps": 4}, "dps"),
    (audited_flow, (Problem(**DEFAULT),), {"precision": 4}, "precision"),
    (audited_flow, (Problem(**DEFAULT),), {"precision": "20"}, "precision"),
    (audited_flow, (Problem(**DEFAULT),), {"precision": 20.0}, "precision"),
    (audited_flow, (Problem(**DEFAULT),), {"precision": 50001}, "precision"),
    (flow_time, (Problem(**DEFAULT), 5), {}, "R"),
    (flow_time, (Problem([[1, 2], [3, 4]], [1, 1], 1), 0), {}, "problem.n"),
    (flow_at_times, (Problem(**DEFAULT), [-1]), {}, "times[0]"),
    (flow_state, (Problem(**DEFAULT), [0, 1]), {}, "len(rho)"),
    (flow_state, (Problem([1, F(1, 2)], 1, F(1, 10), depth=3), -100), {}, "rho"),
]


@pytest.mark.parametrize("fn,args,kwargs,name", BAD,
                         ids=[f"{b[0].__name__}-{b[3]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_raises_domain_error_naming_the_argument(fn, args, kwargs, name):
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    assert err.value.argument == name


# --------------------------------------------------------------- one range of precisions
def _refuse_to_run(*args, **kwargs):
    raise AssertionError("gradient_flow ran although the precision was invalid")


@pytest.mark.parametrize("precision", [4, 50001, 10 ** 6, True, 20.0])
def test_audit_precision_is_checked_before_any_run_and_named(monkeypatch, precision):
    """Both runs must be possible (``2p <= 100000``): a bad ``precision`` is refused up front,
    naming ``precision`` and its value, not ``dps = 2p`` after the first run."""
    monkeypatch.setattr(numerics.audited, "gradient_flow", _refuse_to_run)
    with pytest.raises(DomainError) as err:
        audited_flow(Problem(**DEFAULT), precision=precision)
    assert err.value.argument == "precision" and err.value.value is precision


def test_audit_accepts_the_largest_precision(monkeypatch):
    """``p = 50000`` passes the check and asks for 50000 and 100000 digits (runs not done)."""
    asked = []

    def record(problem, dps, **kwargs):
        asked.append(dps)
        raise KeyboardInterrupt  # stop before any arithmetic

    monkeypatch.setattr(numerics.audited, "gradient_flow", record)
    with pytest.raises(KeyboardInterrupt):
        audited_flow(Problem(**DEFAULT), precision=np.int64(50000))
    assert asked == [50000]
    assert 2 * asked[0] == 100000  # the backends' upper limit (get_backend)


def test_dps_range_is_the_backends_range():
    """The old private limit of 2000 digits is gone: 2500 digits work (beta at rho = 0 is
    alpha^2 exactly); 100001 is refused as ``dps``, naming the caller's value."""
    st = flow_state(Problem(**DEFAULT), 0, dps=2500)
    assert all(abs(b - F(1, 10 ** 4)) < F(1, 10 ** 2500) for b in st["beta"])
    with pytest.raises(DomainError) as err:
        gradient_flow(Problem(**DEFAULT), dps=100001)
    assert err.value.argument == "dps" and err.value.value == 100001
    with pytest.raises(DomainError, match="100000"):
        get_backend("mpmath", 100001)  # the same limit


# ------------------------------------------------ examples print only verified digits
_DECIMAL = re.compile(r"-?\d+\.\d+")


def _significant(text: str) -> int:
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


def _printed_numbers(fn, globs) -> list[str]:
    """Run ``fn``'s docstring example and return every decimal number it printed (whatever
    the expected output says)."""
    got = []

    class Collect(doctest.OutputChecker):
        def check_output(self, want, out, optionflags):
            got.extend(_DECIMAL.findall(out))
            return True

    (test,) = doctest.DocTestFinder().find(fn, fn.__name__, globs=dict(globs))
    runner = doctest.DocTestRunner(checker=Collect(), optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=lambda text: None)
    assert result.failed == 0
    return got


def _half_digits_lost(real):
    """``gradient_flow`` whose ``eta_c`` is off by a relative ``10^-(dps/2)``: a run whose
    last half of digits is wrong, as an unverified run may be."""
    def run(problem, dps=30, **kwargs):
        res = real(problem, dps, **kwargs)
        eta_c = res.eta_c * (1 - F(1, 10 ** (dps // 2)))
        return dataclasses.replace(res, eta_c=eta_c, s_gf=2 / eta_c)
    return run


@pytest.mark.parametrize("fn", [gradient_flow, audited_flow], ids=lambda f: f.__name__)
def test_examples_print_only_verified_digits(monkeypatch, fn):
    """Run the docstring examples with a gradient flow that loses half its digits: every
    number they print must still be the exact eta_c (theory, sympy) correctly rounded to
    the digits printed, i.e. the examples print agreed digits, not a single run's."""
    exact = sp.N(theory.gradient_flow_limit([1, "1/2"], 1, "1/100").eta_c, 60)
    degraded = _half_digits_lost(gradient_flow)
    module = sys.modules[fn.__module__]
    monkeypatch.setattr(module, "gradient_flow", degraded)  # audited_flow's runs
    printed = _printed_numbers(fn, {**vars(module), "gradient_flow": degraded})
    assert printed  # the examples do print digits
    for text in printed:
        assert text == str(sp.N(exact, _significant(text))), text
    # and undegraded, they print all the digits of the audit (the default pair's, for the flow)
    monkeypatch.undo()
    assert _printed_numbers(fn, vars(module)) == [
        str(sp.N(exact, DEFAULT_PAIR.low.working_dps if fn is audited_flow else 20))]
