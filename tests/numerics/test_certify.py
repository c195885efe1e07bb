"""Certified enclosures (numerics.certify) against independent high-precision routes.

Independent routes used here (none calls numerics.certify internals):

* one-sample shared: the gradient-flow limit from theta_K has the form beta_K,i exp(mu x_i) with
  one scalar mu (R6 written from theta_K), solved by mpmath.findroot at 80 digits;
* n-sample product / difference: a separate mpmath solve at 60 digits of the flow equations
  written in sinh form (E3/E4 invariants), eigenvalues by mpmath.eigsy;
* exact interpolators built by hand: sharpness from theory.zero_loss_sharpness (R1, sympy) or
  the exact Gram eigenvalues from sympy;
* the GD limit itself: a plain mpmath GD loop continued from theta_K at 60 digits.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction as Fr

import flint
import mpmath
import pytest
import sympy as sp

from numerics import NoConvergence, Problem, gradient_descent
from numerics.certify import (
    Certificate,
    arb_interval,
    certify,
    certify_point,
    symmetric_eigenvalues,
)
from theory import zero_loss_sharpness
from theory.errors import DomainError

X2 = [[1, Fr(1, 2), Fr(1, 4)], [Fr(1, 3), -1, 2]]
Y2 = [1, Fr(1, 2)]


def default_problem():
    return Problem([1, Fr(1, 2)], 1, Fr(1, 100))


# ------------------------------------------------------------------------------- helpers
HIGH = 4000  # bits: enough to take the endpoints of every ball here exactly


def lower_upper(ball) -> tuple[Fr, Fr]:
    """Exact endpoints of an Arb ball as Fractions (taken at a precision above the ball's)."""
    out = []
    with flint.ctx.workprec(HIGH):
        ends = (ball.lower(), ball.upper())
    for e in ends:
        man, exp = e.mid().man_exp()
        out.append(Fr(int(man)) * Fr(2) ** int(exp) if man else Fr(0))
    return out[0], out[1]


def contains_fraction(ball, q: Fr) -> bool:
    lo, hi = lower_upper(ball)
    return lo <= q <= hi


def mpf_fraction(ctx, v) -> Fr:
    sign, man, exp, _ = ctx.mpf(v)._mpf_
    return (-1) ** sign * Fr(int(man)) * Fr(2) ** int(exp) if man else Fr(0)


def assert_contains(ball, ctx, value, rel=Fr(1, 10**50)):
    """``value`` (mpf, accurate to ``rel``) lies in ``ball`` (up to its own accuracy)."""
    lo, hi = lower_upper(ball)
    v = mpf_fraction(ctx, value)
    tol = rel * max(1, abs(v))
    assert lo - tol <= v <= hi + tol, (ball, value)


def width(ball) -> float:
    lo, hi = lower_upper(ball)
    return float(hi - lo)


@pytest.fixture(scope="module")
def runs():
    """Converged GD runs on the default instance (float64 and 30-digit flint)."""
    p = default_problem()
    out = {}
    for eta in (Fr(3, 5), Fr(13, 20)):
        for backend, dps in (("float64", None), ("flint", 30)):
            r = gradient_descent(p, eta, 200000, backend=backend, dps=dps,
                                 record_sharpness=False)
            assert r.status == "converged"
            out[eta, backend] = r
    return p, out


# --------------------------------------------------------- one sample: mu at 80 digits (R6)
def gf_limit_one_sample(x, y, theta_K, dps=80):
    """beta_i = beta_K,i exp(mu x_i) with sum_i x_i beta_i = y: mpmath.findroot on mu."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    xs = [ctx.mpf(v.numerator) / v.denominator for v in x]
    bK = [ctx.mpf(w.numerator) ** 2 / ctx.mpf(w.denominator) ** 2 for w in theta_K]
    yv = ctx.mpf(y.numerator) / y.denominator
    pairs = list(zip(xs, bK, strict=True))
    mu = ctx.findroot(lambda m: sum(xi * bi * ctx.exp(m * xi) for xi, bi in pairs) - yv,
                      ctx.mpf(0))
    beta = [bi * ctx.exp(mu * xi) for xi, bi in zip(xs, bK, strict=True)]
    w = [ctx.mpf(v.numerator) / v.denominator * ctx.exp(mu * xi / 2)
         for v, xi in zip(theta_K, xs, strict=True)]
    S = 4 * sum(xi**2 * bi for xi, bi in zip(xs, beta, strict=True))
    return ctx, mu, beta, w, S


@pytest.mark.parametrize("eta", [Fr(3, 5), Fr(13, 20)])
@pytest.mark.parametrize("backend", ["float64", "flint"])
def test_default_instance_enclosures_contain_80_digit_flow_limit(runs, eta, backend):
    p, out = runs
    r = out[eta, backend]
    c = certify(p, eta, r)
    assert c.dps == 30
    ctx, mu, beta, w, S = gf_limit_one_sample(p.x, p.y[0], r.theta[0])
    assert_contains(c.rho[0], ctx, -mu / 4)  # n = 1: s_i = x_i rho, beta = beta_K exp(-4 s)
    for ball, v in zip(c.beta, beta, strict=True):
        assert_contains(ball, ctx, v)
    for ball, v in zip(c.theta[0], w, strict=True):
        assert_contains(ball, ctx, v)
    assert_contains(c.sharpness, ctx, S)
    # narrow balls: width < 10^-(dps - 10)
    assert c.beta_width < 1e-20 and c.sharpness_width < 1e-20
    assert max(width(t) for t in c.theta[0]) < 1e-20
    # R1 cross-check was made and agrees
    assert c.cross_checks["R1: 4 sum x_i^2 beta_i"][1] is True


def test_default_instance_verdicts_and_spec_values(runs):
    p, out = runs
    c6 = certify(p, Fr(3, 5), out[Fr(3, 5), "flint"])
    c65 = certify(p, Fr(13, 20), out[Fr(13, 20), "flint"])
    # spec table: final S = 3.293 (2/eta = 3.333) and 3.023 (2/eta = 3.077)
    assert c6.stable == "stable" and c65.stable == "stable"
    assert abs(float(c6.sharpness.mid()) - 3.293) < 5e-4
    assert abs(float(c65.sharpness.mid()) - 3.023) < 5e-4
    assert c6.two_over_eta == Fr(10, 3) and c65.two_over_eta == Fr(40, 13)
    # l1 norm of the table (beta >= 0 here)
    assert abs(float(sum(b.mid() for b in c6.beta)) - 1.353) < 5e-4
    assert abs(float(sum(b.mid() for b in c65.beta)) - 1.488) < 5e-4


def test_precision_ladder_narrows_and_nests(runs):
    p, out = runs
    r = out[Fr(3, 5), "flint"]
    c30 = certify(p, Fr(3, 5), r)
    c60 = certify(p, Fr(3, 5), r, dps=60)
    assert c60.beta_width < 1e-50 and c60.sharpness_width < 1e-50
    # the same exact object: the balls overlap, the higher-precision one is the narrower
    assert c30.sharpness.overlaps(c60.sharpness)
    assert all(a.overlaps(b) for a, b in zip(c30.beta, c60.beta, strict=True))
    assert c60.sharpness_width < c30.sharpness_width


# -------------------------------------------------------------------- GD-limit gap estimate
def mp_gd_continue(problem, eta, theta, dps=60, rtol=Fr(1, 10**50), max_steps=20000):
    """Plain mpmath GD from theta until max|r| < rtol; returns beta."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    q = lambda v: ctx.mpf(v.numerator) / v.denominator  # noqa: E731
    X = [[q(v) for v in row] for row in problem.X]
    y = [q(v) for v in problem.y]
    th = [[q(v) for v in blk] for blk in theta]
    n, d, e = problem.n, problem.d, q(Fr(eta))
    for _ in range(max_steps):
        D = problem.depth
        if problem.param == "shared":
            beta = [w**D for w in th[0]]
        elif problem.param == "product":
            beta = [u * v for u, v in zip(*th, strict=True)]
        else:
            beta = [u * u - v * v for u, v in zip(*th, strict=True)]
        r = [ctx.fsum(X[m][i] * beta[i] for i in range(d)) - y[m] for m in range(n)]
        if max(abs(v) for v in r) < q(rtol):
            return ctx, beta
        g = [ctx.fsum(X[m][i] * r[m] for m in range(n)) / n for i in range(d)]
        if problem.param == "shared":
            th = [[w - e * D * gi * w ** (D - 1) for w, gi in zip(th[0], g, strict=True)]]
        elif problem.param == "product":
            u, v = th
            th = [[a - e * gi * b for a, b, gi in zip(u, v, g, strict=True)],
                  [b - e * gi * a for a, b, gi in zip(u, v, g, strict=True)]]
        else:
            u, v = th
            th = [[a - 2 * e * gi * a for a, gi in zip(u, g, strict=True)],
                  [b + 2 * e * gi * b for b, gi in zip(v, g, strict=True)]]
    raise AssertionError("mpmath GD did not converge")


@pytest.mark.parametrize("case", ["default-0.6", "product", "difference", "depth-3"])
def test_gap_estimate_has_the_size_of_the_true_gd_limit_gap(case):
    """GD continued at 60 digits lands within the estimate of the certified flow limit.

    A wrong closed-form flow would still give an interpolator, but O(|r_K|) ~ 1e-13 away: far
    outside the estimate (~1e-24). So this also checks the flow maps, depth 3 included."""
    if case == "default-0.6":
        p, eta = default_problem(), Fr(3, 5)
    elif case == "depth-3":
        p, eta = Problem([1, Fr(1, 2), Fr(1, 3)], 1, Fr(1, 2), depth=3), Fr(3, 10)
    else:
        p, eta = Problem(X2, Y2, Fr(1, 10), param=case), Fr(1, 2)
    r = gradient_descent(p, eta, 200000, record_sharpness=False)
    c = certify(p, eta, r, dps=60)
    ctx, beta_gd = mp_gd_continue(p, eta, r.theta)
    gap = max(abs(mpf_fraction(ctx, b) - lower_upper(ball)[0])
              for b, ball in zip(beta_gd, c.beta, strict=True))
    est = c.gd_limit_gap_estimate
    assert est is not None and 0 < c.contraction < 1
    # an estimate, not a bound: it must have the right size (observed ratio 0.03 .. 0.2)
    assert est / 1000 < float(gap) < 2 * est
    js = c.to_json()
    assert js["gd_limit_gap"]["certified"] is False
    assert "NOT CERTIFIED" in js["gd_limit_gap"]["note"]


# ------------------------------------------------- two samples: 60-digit mpmath, sinh form
def gf_limit_sinh(problem, theta_K, dps=60):
    """The flow limit in sinh form: beta_i = a_i sinh(phi_i - c s_i), solved by findroot."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    q = lambda v: ctx.mpf(v.numerator) / v.denominator  # noqa: E731
    X = [[q(v) for v in row] for row in problem.X]
    y = [q(v) for v in problem.y]
    n, d = problem.n, problem.d
    u, v = [[q(t) for t in blk] for blk in theta_K]
    if problem.param == "product":  # p = u+v, q = u-v: beta = |pq|/2 sinh(log|p/q| - 2 s)
        P = [a + b for a, b in zip(u, v, strict=True)]
        Q = [a - b for a, b in zip(u, v, strict=True)]
        amp = [abs(a * b) / 2 for a, b in zip(P, Q, strict=True)]
        phi = [ctx.log(abs(a / b)) for a, b in zip(P, Q, strict=True)]
        c = 2
    else:  # difference: beta = 2|uv| sinh(log|u/v| - 4 s)
        amp = [2 * abs(a * b) for a, b in zip(u, v, strict=True)]
        phi = [ctx.log(abs(a / b)) for a, b in zip(u, v, strict=True)]
        c = 4

    def svec(rho):
        return [ctx.fsum(X[m][i] * rho[m] for m in range(n)) / n for i in range(d)]

    def F(*rho):
        s = svec(rho)
        beta = [amp[i] * ctx.sinh(phi[i] - c * s[i]) for i in range(d)]
        return [ctx.fsum(X[m][i] * beta[i] for i in range(d)) - y[m] for m in range(n)]

    rho = ctx.findroot(F, [ctx.mpf(0)] * n)
    rho = [rho[m] for m in range(n)]
    s = svec(rho)
    beta = [amp[i] * ctx.sinh(phi[i] - c * s[i]) for i in range(d)]
    if problem.param == "product":
        uu = [(P[i] * ctx.exp(-s[i]) + Q[i] * ctx.exp(s[i])) / 2 for i in range(d)]
        vv = [(P[i] * ctx.exp(-s[i]) - Q[i] * ctx.exp(s[i])) / 2 for i in range(d)]
        Jsq = [a * a + b * b for a, b in zip(uu, vv, strict=True)]
    else:
        uu = [u[i] * ctx.exp(-2 * s[i]) for i in range(d)]
        vv = [v[i] * ctx.exp(2 * s[i]) for i in range(d)]
        Jsq = [4 * (a * a + b * b) for a, b in zip(uu, vv, strict=True)]
    G = ctx.matrix([[ctx.fsum(X[a][i] * Jsq[i] * X[b][i] for i in range(d)) / n
                     for b in range(n)] for a in range(n)])
    eig = sorted(ctx.eigsy(G, eigvals_only=True), reverse=True)
    return ctx, rho, beta, (uu, vv), eig


@pytest.mark.parametrize("param", ["product", "difference"])
@pytest.mark.parametrize("dps", [30, 40])
def test_two_sample_enclosures_contain_60_digit_solution(param, dps):
    p = Problem(X2, Y2, Fr(1, 10), param=param)
    eta = Fr(1, 2)
    r = gradient_descent(p, eta, 200000, record_sharpness=False)
    assert r.status == "converged"
    c = certify(p, eta, r, dps=dps)
    ctx, rho, beta, theta, eig = gf_limit_sinh(p, r.theta)
    for ball, v in zip(c.rho, rho, strict=True):
        assert_contains(ball, ctx, v)
    for ball, v in zip(c.beta, beta, strict=True):
        assert_contains(ball, ctx, v)
    for blk_ball, blk in zip(c.theta, theta, strict=True):
        for ball, v in zip(blk_ball, blk, strict=True):
            assert_contains(ball, ctx, v)
    assert len(c.gram_eigenvalues) == 2
    for ball, v in zip(c.gram_eigenvalues, eig, strict=True):
        assert_contains(ball, ctx, v)
    assert_contains(c.sharpness, ctx, eig[0])
    bound = 10.0 ** -(dps - 10)
    assert c.beta_width < bound and c.sharpness_width < bound
    assert max(width(e) for e in c.gram_eigenvalues) < bound
    assert c.stable == "stable"  # S ~ 1.18 (product), 2.36 (difference) < 2/eta = 4
    assert "Gershgorin" in c.eigen_method
    # Arb's own certified eigen-solver agrees (when it ran)
    assert all(ok for _, ok in c.cross_checks.values())


def test_metamorphic_permuting_samples_and_coordinates():
    """Reordering samples and coordinates does not move the certified sharpness."""
    p = Problem(X2, Y2, Fr(1, 10), param="product")
    r = gradient_descent(p, Fr(1, 2), 200000, record_sharpness=False)
    c = certify(p, Fr(1, 2), r)
    perm = [2, 0, 1]
    Xp = [[row[j] for j in perm] for row in reversed(X2)]
    pp = Problem(Xp, list(reversed(Y2)), Fr(1, 10), param="product")
    theta = tuple(tuple(blk[j] for j in perm) for blk in r.theta)
    cp = certify_point(pp, Fr(1, 2), theta, dps=30)
    assert cp.sharpness.overlaps(c.sharpness)
    for j, i in enumerate(perm):
        assert cp.beta[j].overlaps(c.beta[i])


# ------------------------------------------------------------- constructed exact interpolators
def on_ellipse(m: Fr) -> tuple[Fr, Fr]:
    """Rational w with w_1^2 + w_2^2 / 2 = 1, i.e. <x, w*w> = 1 for x = (1, 1/2)."""
    return (m * m - 2) / (m * m + 2), -4 * m / (m * m + 2)


def exact_S(w) -> Fr:
    beta = [v * v for v in w]
    S = zero_loss_sharpness([1, Fr(1, 2)], 1, beta)  # R1, exact sympy
    return Fr(int(S.p), int(S.q))


@pytest.mark.parametrize("m, verdict", [(Fr(2), "stable"), (Fr(10), "unstable")])
def test_exact_interpolator_verdicts_at_eta_0_6(m, verdict):
    w = on_ellipse(m)
    S = exact_S(w)
    assert (S < Fr(10, 3)) == (verdict == "stable")  # the exact theory
    c = certify_point(default_problem(), Fr(3, 5), (w,), dps=30)
    assert c.stable == verdict
    assert contains_fraction(c.sharpness, S)
    for ball, wi in zip(c.beta, w, strict=True):  # theta is on M: the flow does not move
        assert contains_fraction(ball, wi * wi)
    assert c.sharpness_width < 1e-20


def test_threshold_within_1e_40_is_undecided_at_20_digits_and_decided_at_60():
    w = on_ellipse(Fr(3))
    S = exact_S(w)
    p = default_problem()
    eta_eq = 2 / S
    eta_up = 2 / S + Fr(1, 10**45)  # 2/eta_up lies within 1e-40 below S
    eta_dn = 2 / S - Fr(1, 10**45)
    assert abs(2 / eta_up - S) < Fr(1, 10**40)
    assert certify_point(p, eta_up, (w,), dps=20).stable == "undecided"
    assert certify_point(p, eta_dn, (w,), dps=20).stable == "undecided"
    assert certify_point(p, eta_eq, (w,), dps=60).stable == "undecided"  # S = 2/eta exactly
    assert certify_point(p, eta_up, (w,), dps=60).stable == "unstable"
    assert certify_point(p, eta_dn, (w,), dps=60).stable == "stable"


def test_two_sample_exact_interpolator_eigenvalues_from_sympy():
    X = [[1, 2, 0], [0, 1, 3]]
    u = [Fr(1), Fr(1, 2), Fr(1, 3)]
    v = [Fr(1, 2), Fr(1), Fr(3, 2)]
    beta = [a * b for a, b in zip(u, v, strict=True)]
    y = [sum(x * b for x, b in zip(row, beta, strict=True)) for row in X]
    p = Problem(X, y, Fr(1, 10), param="product")
    G = sp.Matrix(X) * sp.diag(*[sp.Rational(a * a + b * b) for a, b in zip(u, v, strict=True)]) \
        * sp.Matrix(X).T / 2
    lam = sorted(G.eigenvals(), key=lambda e: float(e), reverse=True)
    c = certify_point(p, Fr(1, 10), (u, v), dps=30)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    for ball, e in zip(c.gram_eigenvalues, lam, strict=True):
        assert_contains(ball, ctx, ctx.mpf(str(sp.N(e, 70))))
    top = ctx.mpf(str(sp.N(lam[0], 70)))
    eta_star = Fr(int(ctx.nint(2 / top * 10**50)), 10**50)  # 2/eta within ~1e-49 of S
    assert abs(2 / ctx.mpf(eta_star.numerator) * eta_star.denominator - top) < ctx.mpf(10) ** -40
    assert certify_point(p, eta_star, (u, v), dps=20).stable == "undecided"
    assert certify_point(p, eta_star * Fr(101, 100), (u, v), dps=20).stable == "unstable"
    assert certify_point(p, eta_star * Fr(99, 100), (u, v), dps=20).stable == "stable"


def test_eigenvalue_enclosures_hold_for_every_matrix_in_an_inexact_ball():
    """Entries known only to +/- 0.1: the balls must contain the eigenvalues of the corners."""
    G = flint.arb_mat([[1, flint.arb(0, flint.fmpq(1, 10))], [flint.arb(0, flint.fmpq(1, 10)), 2]])
    eigs = symmetric_eigenvalues(G)
    for c in (Fr(1, 10), Fr(-1, 10), Fr(1, 20)):
        disc = sp.sqrt(sp.Rational(1, 4) + sp.Rational(c) ** 2)
        for ball, e in zip(eigs, (sp.Rational(3, 2) + disc, sp.Rational(3, 2) - disc), strict=True):
            ctx = mpmath.MPContext()
            ctx.dps = 30
            assert_contains(ball, ctx, ctx.mpf(str(sp.N(e, 40))), rel=Fr(1, 10**25))
    # overlapping discs are merged: both members get the hull of the cluster
    H = flint.arb_mat([[1, flint.arb(0, flint.fmpq(6, 10))], [flint.arb(0, flint.fmpq(6, 10)), 2]])
    top, bottom = symmetric_eigenvalues(H)
    assert lower_upper(top) == lower_upper(bottom)
    assert contains_fraction(top, Fr(1, 2)) and contains_fraction(top, Fr(5, 2))


# --------------------------------------------------------------------------- JSON, hygiene
def test_to_json_is_outward_rounded_and_serialisable(runs):
    p, out = runs
    c = certify(p, Fr(3, 5), out[Fr(3, 5), "flint"], dps=40)
    js = c.to_json()
    json.dumps(js, allow_nan=False)
    lo, hi = js["sharpness"]
    elo, ehi = lower_upper(c.sharpness)
    assert Fr(lo) <= elo and ehi <= Fr(hi)
    for (blo, bhi), ball in zip(js["interpolator"]["beta"], c.beta, strict=True):
        elo, ehi = lower_upper(ball)
        assert Fr(blo) <= elo and ehi <= Fr(bhi)
    assert js["stable"] == "stable" and js["two_over_eta"] == "10/3"
    assert js["sharpness_ball"].startswith("[3.29325157588")
    assert isinstance(c, Certificate)


def test_arb_interval_rounds_outward():
    with flint.ctx.workprec(200):
        third = flint.arb(1) / 3
        big = flint.arb(10) ** 400
        tiny = flint.arb(10) ** -400
    lo, hi = arb_interval(third)
    assert Fr(lo) < Fr(1, 3) < Fr(hi)
    assert arb_interval(big) == [pytest.approx(1.7976931348623157e308), math.inf]
    assert arb_interval(tiny)[0] == 0.0 and arb_interval(tiny)[1] == 5e-324
    assert arb_interval(-tiny)[0] == -5e-324


def test_flint_context_is_restored(runs):
    p, out = runs
    before = flint.ctx.prec
    certify(p, Fr(3, 5), out[Fr(3, 5), "float64"], dps=50)
    assert flint.ctx.prec == before


# --------------------------------------------------------------------------------- errors
def test_not_converged_result_is_a_domain_error():
    p = default_problem()
    r = gradient_descent(p, Fr(3, 5), 10)
    assert r.status == "not_converged"
    with pytest.raises(DomainError, match="result.status"):
        certify(p, Fr(3, 5), r)


@pytest.mark.parametrize("kwargs, match", [
    (dict(eta=0), "eta"),
    (dict(eta=-1), "eta"),
    (dict(eta=lambda k: 0.1), "eta"),
    (dict(dps=4), "dps"),
    (dict(dps=100001), "dps"),
    (dict(dps=20.5), "dps"),
    (dict(dps=True), "dps"),
    (dict(theta=([1, 2, 3],)), "theta"),
    (dict(theta=([1, 2], [3, 4])), "theta"),
    (dict(problem="x"), "problem"),
])
def test_bad_input(kwargs, match):
    args = dict(problem=default_problem(), eta=Fr(3, 5), theta=([Fr(1, 3), Fr(4, 3)],), dps=30)
    args.update(kwargs)
    with pytest.raises(DomainError, match=match):
        certify_point(args["problem"], args["eta"], args["theta"], dps=args["dps"])


def test_dps_range_is_the_backends_range():
    """certify takes the package's one range, 5 <= dps <= 100000 (get_backend's): at 5 digits
    the balls are wider but still contain the exact S = 20/9 of the exact interpolator."""
    theta = ([Fr(1, 3), Fr(4, 3)],)
    c = certify_point(default_problem(), Fr(3, 5), theta, dps=5)
    assert c.dps == 5 and c.stable == "stable"
    assert contains_fraction(c.sharpness, Fr(20, 9)) and width(c.sharpness) < 1e-5
    with pytest.raises(DomainError) as err:
        certify_point(default_problem(), Fr(3, 5), theta, dps=100001)
    assert err.value.argument == "dps" and err.value.value == 100001


def test_eta_must_be_the_runs_own(runs):
    p, out = runs
    with pytest.raises(DomainError, match="learning rate"):
        certify(p, Fr(1, 2), out[Fr(3, 5), "float64"])
    with pytest.raises(DomainError, match="GDResult"):
        certify(p, Fr(3, 5), {"status": "converged"})


def test_singular_gram_raises_no_convergence():
    """A dead coordinate (w_2 = 0) cannot fit the second sample: no root, no certificate."""
    p = Problem([[1, 0], [0, 1]], [1, 1], Fr(1, 10))
    with pytest.raises(NoConvergence, match="Gram matrix is singular"):
        certify_point(p, Fr(1, 10), ([Fr(1, 2), Fr(0)],), dps=30)


@pytest.mark.parametrize("depth", [3, 4, 5])
def test_a_newton_step_beyond_the_flow_domain_means_too_far(depth):
    """Shared depth D > 2 from w_K = 1/2: the flow map exists for s > -w_K^(2-D) / (D (D-2))
    only; with x = (1, 1), y = 2, Newton's first step from rho = 0 lands at rho = (w_K^D - 1) /
    (D^2 w_K^(2D-2)) (-14/9, -15/4, -248/25), beyond that edge (-2/3, -1/2, -8/15). Every depth
    reports theta as too far from the zero-loss set (integer exponents D = 3, 4 would otherwise
    give finite values on a branch the flow never reaches)."""
    p = Problem([1, 1], 2, Fr(1, 2), depth=depth)
    with pytest.raises(NoConvergence, match="too far from the zero-loss set"):
        certify_point(p, Fr(1, 10), ([Fr(1, 2), Fr(1, 2)],), dps=20)
