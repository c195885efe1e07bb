r"""E1 to E5: general diagonal networks (``product`` and ``difference``, several samples).

Statement
---------
* E1: ``H = J^T J + [[0, diag g], [diag g, 0]]``, ``J = n^(-1/2) X [diag v | diag u]``
  (product); on zero loss ``S = (1/n) lambda_max(X diag(u^2 + v^2) X^T)`` and the Hessian has a
  ``(2d - rank J)``-fold zero eigenvalue.
* E2: ``u_i^2 + v_i^2 >= 2|beta_i|``, so the least sharpness over factorisations is
  ``(2/n) lambda_max(X diag|beta| X^T)`` (depth ``D``: the ``D``-th analogue).
* E3: product GD moves ``u + v`` and ``u - v`` multiplicatively:
  ``arcsinh(beta_K / alpha_K^2) = -2 sum_k artanh(eta g_k)``.
* E4: gradient flow on ``difference`` converges to ``argmin Q_alpha`` on ``X beta = y``.
* E5: with one sample the flow's limit solves a one-scalar equation ``<x, beta(R)> = y``.

Checks: exact routes independent of :mod:`theory.general_networks` (``sympy.hessian``,
hand-iterated GD in Fractions, exact AM-GM), the numerics engine at 30 and 60 digits, and the
flow as a Richardson limit of GD; reference values from :mod:`proofs_check.references`.

References
----------
E1, E2 and E5, [MFCKM26] arXiv 2505.21423; E3, [EPGF23] arXiv 2302.08982; E4, [WGL20]
arXiv 2002.09277; as reconstructed in the project's specification.
"""

from __future__ import annotations

from contextlib import closing
from fractions import Fraction

import numpy as np
import sympy as sp

from theory import general_networks as E

from .. import references as refs
from .. import strategies as S
from ..claim import Check, declare
from ..decide import (
    Outcome,
    combine,
    exact_at_least,
    exact_equal,
    high_precision,
    procedure,
    to_fraction,
    two_precision_at_least,
    two_precision_equal,
    two_precision_residual,
)
from ..experiments import (
    PRECISIONS,
    eigenvalues,
    flint,
    full_spectrum,
    gf_limit_by_gd,
    mp,
    mp_fraction,
)
from ..experiments import rational as _Q

F = Fraction


def _sympy_hessian(inst):
    X, y, (u, v), P = inst.X, inst.ys, inst.theta, inst.parametrisation
    n, d = len(X), len(X[0])
    us = sp.symbols(f"u0:{d}", real=True)
    vs = sp.symbols(f"v0:{d}", real=True)
    beta = [P.beta(theta_i) for theta_i in zip(us, vs, strict=True)]
    L = sum((sum(_Q(X[m][i]) * beta[i] for i in range(d)) - _Q(y[m])) ** 2
            for m in range(n)) / (2 * n)
    at = {**{a: _Q(b) for a, b in zip(us, u, strict=True)},
          **{a: _Q(b) for a, b in zip(vs, v, strict=True)}}
    return sp.ImmutableMatrix(sp.hessian(L, list(us) + list(vs)).xreplace(at))


def check_E1_exact(inst) -> Outcome:
    """E1 (identity): the closed-form Hessian ``J^T J + [[0, diag g], [diag g, 0]]`` (and its
    ``difference`` analogue) against ``sympy.hessian`` of the loss, exactly, at any point."""
    X, y, (u, v) = inst.X, inst.ys, inst.theta
    return exact_equal("hessian", E.hessian_formula(X, y, u, v, inst.param),
                       _sympy_hessian(inst))


def check_E1_numerics(inst) -> Outcome:
    """E1 (equality): at a zero-loss point, the full ``2d x 2d`` Hessian's top eigenvalue
    (numerics engine, 30 and 60 digits) equals the exact top eigenvalue of the ``n x n`` Gram
    form; the Hessian has exactly ``2d - rank J`` zero eigenvalues (exact ranks; at 60 digits
    the count of eigenvalues below ``1e-25`` relative), ``2d - n`` when ``rank J = n``."""
    X, (u, v), param = inst.X, inst.theta, inst.param
    n, d = len(X), len(X[0])
    G = E.gram_form(X, u, v, param)
    top = refs.top_eigenvalue(G)
    problem = inst.problem()
    lo = full_spectrum(problem, PRECISIONS[0], (u, v))
    hi = full_spectrum(problem, PRECISIONS[1], (u, v))
    scale = max(abs(top), F(1, 10**6))
    outs = [two_precision_equal("S (full Hessian) vs Gram top eigenvalue", top, lo[2], hi[2],
                                floor=scale)]
    H = E.hessian_formula(X, inst.ys, u, v, param)
    # J = X [diag dbeta/du | diag dbeta/dv] (up to 1/sqrt(n)): [v | u] for product,
    # [2u | -2v] for difference
    Xm = sp.Matrix([[_Q(a) for a in row] for row in X])
    dbeta = [inst.parametrisation.jacobians((_Q(a), _Q(b))) for a, b in zip(u, v, strict=True)]
    J = Xm * sp.diag(*[j[0] for j in dbeta]).row_join(sp.diag(*[j[1] for j in dbeta]))
    rankJ = J.rank()
    outs.append(exact_equal("rank H = rank J at zero loss", H.rank(), rankJ))
    be_vals = eigenvalues(H.tolist(), PRECISIONS[1])
    zeros = sum(1 for e in be_vals if abs(e) <= F(1, 10**25) * max(F(1), abs(top)))
    outs.append(exact_equal("multiplicity of 0 (60 digits)", zeros, 2 * d - rankJ))
    out = combine(outs)
    return Outcome(out.status, out.error, {**out.detail, "n": n, "d": d, "rank_J": rankJ,
                                           "zero_eigenvalues": 2 * d - rankJ}, out.rules)

def check_E2_exact(inst) -> Outcome:
    """E2 (lower): ``u^2 + v^2 - 2|uv| = (|u| - |v|)^2 >= 0`` with equality iff ``|u| = |v|``;
    depth 3 with factors ``(u, v, u + v)``: ``(sum f_k^2 / 3)^3 >= beta^2`` (least parameter
    norm ``3 |beta|^(2/3)``) and ``(J^2 / 3)^3 >= beta^4``, ``J^2 = sum_k prod_(j != k) f_j^2``
    (least sharpness weight ``3 |beta|^(4/3)``), all exactly in Fractions. The bounds are
    attained at balanced points: ``least_param_norm`` at ``(u, s u)`` (depth 2) and
    ``(u, u, s u)`` (depth 3) equals their parameter norm, and ``least_sharpness_matrix`` at
    depth 3 equals ``J J^T`` there, exactly."""
    (u, v) = inst.theta
    outs = []
    for i, (a, b) in enumerate(zip(u, v, strict=True)):
        a, b = F(a), F(b)
        gap = a * a + b * b - 2 * abs(a * b)
        outs.append(exact_equal(f"gap[{i}] = (|u| - |v|)^2", gap, (abs(a) - abs(b)) ** 2))
        outs.append(exact_at_least(f"u^2 + v^2 >= 2|uv| [{i}]", gap, 0))
        outs.append(exact_equal(f"equality iff balanced [{i}]", gap == 0, abs(a) == abs(b)))
        f = (a, b, a + b)
        beta = a * b * (a + b)
        outs.append(exact_at_least(f"depth-3 norm AM-GM [{i}]",
                                   (sum(t * t for t in f) / 3) ** 3, beta * beta))
        J2 = sum((f[(k + 1) % 3] * f[(k + 2) % 3]) ** 2 for k in range(3))
        outs.append(exact_at_least(f"depth-3 sharpness AM-GM [{i}]", (J2 / 3) ** 3, beta**4))
    beta2 = [F(a) * F(b) for a, b in zip(u, v, strict=True)]
    outs.append(exact_at_least("sum u^2 + v^2 >= least_param_norm (D = 2)",
                               sum(F(a) ** 2 + F(b) ** 2 for a, b in zip(u, v, strict=True)),
                               to_fraction(E.least_param_norm(beta2, 2))))
    # attained at a balanced point: (u, s u) with signs s factorises beta = s u^2 (depth 2) and
    # (u, u, s u) factorises s u^3 (depth 3); the least norm and the least-sharpness matrix
    # are then exactly the balanced point's own values
    X = inst.X
    n = len(X)
    sgn = [1 if F(b) >= 0 else -1 for b in v]
    bal2 = [t * F(a) ** 2 for t, a in zip(sgn, u, strict=True)]
    outs.append(exact_equal("least_param_norm(beta, 2) at the balanced point (u, s u)",
                            E.least_param_norm(bal2, 2), 2 * sum(F(a) ** 2 for a in u)))
    bal3 = [t * F(a) ** 3 for t, a in zip(sgn, u, strict=True)]
    outs.append(exact_equal("least_param_norm(beta, 3) at the balanced point (u, u, s u)",
                            E.least_param_norm(bal3, 3), 3 * sum(F(a) ** 2 for a in u)))
    # depth 3: J = n^(-1/2) X [diag(u2 u3) | diag(u1 u3) | diag(u1 u2)], J J^T at (u, u, s u)
    Xm = sp.Matrix([[_Q(a) for a in row] for row in X])
    Jsq = sp.diag(*[3 * _Q(a) ** 4 for a in u])
    outs.append(exact_equal("least_sharpness_matrix(beta, 3) = J J^T at (u, u, s u)",
                            E.least_sharpness_matrix(X, bal3, 3), Xm * Jsq * Xm.T / n))
    return combine(outs)


def _lam_max(M, dps) -> Fraction:
    return eigenvalues([[to_fraction(v) for v in row] for row in M.tolist()], dps)[-1]


def check_E2_numerics(inst) -> Outcome:
    """E2 (equality): at a zero-loss ``(u, v)`` with ``beta = u v``: the full Hessian at the
    balanced factorisation ``(sqrt|beta|, sign(beta) sqrt|beta|)`` (numerics engine, 30/60
    digits) has ``S = (2/n) lambda_max(X diag|beta| X^T)`` (exact); for ``n = 1`` the least
    sharpness is the weighted l1 norm ``2 sum x_i^2 |beta_i|`` (exact)."""
    X, (u, v) = inst.X, inst.theta
    n = len(X)
    beta = [F(a) * F(b) for a, b in zip(u, v, strict=True)]
    top = refs.top_eigenvalue(E.least_sharpness_matrix(X, beta))
    problem = inst.problem()
    signs = (tuple(1 for _ in beta), tuple(1 if b >= 0 else -1 for b in beta))
    absb = [abs(b) for b in beta]
    lo = full_spectrum(problem, PRECISIONS[0], (absb, absb), sqrt=True, signs=signs)
    hi = full_spectrum(problem, PRECISIONS[1], (absb, absb), sqrt=True, signs=signs)
    scale = max(abs(top), F(1, 10**6))
    outs = [two_precision_equal("S at the balanced factorisation", top, lo[2], hi[2],
                                floor=scale)]
    if n == 1:
        outs.append(exact_equal("n = 1: weighted l1 norm", top,
                                2 * sum(F(a) ** 2 * abs(b) for a, b in zip(X[0], beta,
                                                                             strict=True))))
    return combine(outs)


def check_E2_flattest(inst) -> Outcome:
    """E2 (lower): at a zero-loss ``(u, v)`` with ``beta = u v``, the unbalanced factorisation
    is at least as sharp as the least sharpness ``lambda_max`` of ``least_sharpness_matrix``
    (flint eigenvalues at 30 and 60 digits, certified slack), and
    ``beta -> lambda_max(X diag|beta| X^T)`` is midpoint-convex between ``beta = u`` and
    ``beta = v`` (the same one-sided test)."""
    X, (u, v) = inst.X, inst.theta
    beta = [F(a) * F(b) for a, b in zip(u, v, strict=True)]
    Mbal = E.least_sharpness_matrix(X, beta)
    Mun = E.gram_form(X, u, v, "product")
    tops = [_lam_max(Mbal, p) for p in PRECISIONS]
    scale = max(abs(tops[1]), F(1, 10**6))
    margins = [_lam_max(Mun, p) - t for p, t in zip(PRECISIONS, tops, strict=True)]
    outs = [two_precision_at_least("lambda_max(unbalanced) - least", margins[0], margins[1],
                                   scale)]
    f = lambda b, p: _lam_max(E.least_sharpness_matrix(X, b) / 2, p)  # noqa: E731
    mid = [(F(a) + F(b)) / 2 for a, b in zip(u, v, strict=True)]
    conv = [(f(u, p) + f(v, p)) / 2 - f(mid, p) for p in PRECISIONS]
    outs.append(two_precision_at_least("midpoint convexity", conv[0], conv[1], scale))
    return combine(outs)

def _hand_product_gd(inst, K):
    """Exact product GD in the scaled variables ``u = sqrt2 a``, ``v = sqrt2 b`` (Fractions):
    ``beta = 2 a b``, ``a <- a - eta g b``, ``b <- b - eta g a``; returns ``(a, b, [g_k])``."""
    X, y, eta = inst.X, inst.ys, inst.eta
    n, d = len(X), len(X[0])
    a = [F(inst.alpha)] * d
    b = [F(0)] * d
    gs = []
    for _ in range(K):
        beta = [2 * p * q for p, q in zip(a, b, strict=True)]
        r = [sum(F(X[m][i]) * beta[i] for i in range(d)) - F(y[m]) for m in range(n)]
        g = [sum(F(X[m][i]) * r[m] for m in range(n)) / n for i in range(d)]
        gs.append(g)
        a, b = ([p - eta * gi * q for p, q, gi in zip(a, b, g, strict=True)],
                [q - eta * gi * p for p, q, gi in zip(a, b, g, strict=True)])
    return a, b, gs


def check_E3_exact(inst) -> Outcome:
    """E3 (identity): exact product GD (Fractions, ``K = 5``, from ``u_0 = sqrt2 alpha``,
    ``v_0 = 0``) against the invariants: ``(u+v)_K``, ``(u-v)_K``, ``alpha_K^2 = |u_K^2 -
    v_K^2|/2``, ``beta_K / alpha_K^2 = (|P| - 1/|P|)/2``; where every ``|eta g_k| < 1`` also the
    specification's ``arcsinh`` form ``exp(-2 sum artanh(eta g_k)) = P`` (sympy, exactly)."""
    K = 5
    a, b, gs = _hand_product_gd(inst, K)
    d = len(a)
    r2 = sp.sqrt(2)
    inv = E.product_gd_invariants([r2 * _Q(inst.alpha)] * d, [0] * d, inst.eta, gs)
    outs = [exact_equal("(u+v)_K", sp.Matrix([r2 * _Q(p + q) for p, q in zip(a, b, strict=True)]),
                        sp.Matrix(inv["s"])),
            exact_equal("(u-v)_K", sp.Matrix([r2 * _Q(p - q) for p, q in zip(a, b, strict=True)]),
                        sp.Matrix(inv["t"]))]
    alpha_sq = [abs(p * p - q * q) for p, q in zip(a, b, strict=True)]  # |u^2 - v^2| / 2
    outs.append(exact_equal("alpha_K^2", tuple(alpha_sq),
                            tuple(to_fraction(v) for v in inv["alpha_sq"])))
    eg = [[inst.eta * g[i] for g in gs] for i in range(d)]
    for i in range(d):
        if alpha_sq[i] == 0 or inv["P"][i] in (0, sp.zoo):
            continue
        beta = 2 * a[i] * b[i]
        outs.append(exact_equal(f"beta_K/alpha_K^2 [{i}]", beta / alpha_sq[i],
                                to_fraction(inv["sinh_arg"][i])))
        if all(abs(q) < 1 for q in eg[i]):
            lhs = sp.exp(-2 * sum(sp.atanh(_Q(q)) for q in eg[i])).rewrite(sp.log)
            outs.append(exact_equal(f"exp(-2 sum artanh) = P [{i}]", sp.powsimp(
                sp.expand_log(lhs, force=True)), inv["P"][i]))
    return combine(outs)


def check_E3_numerics(inst) -> Outcome:
    """E3 (equality): along 300 steps of the numerics engine's product GD (flint, 30 and 60
    digits) ``arcsinh(beta_K / alpha_K^2) + 2 sum_k artanh(eta g_k) = 0`` and the engine's gain
    ``log(alpha_K^2 / alpha^2) = sum_k log|1 - eta^2 g_k^2|`` (sums accumulated at the working
    precision), judged by :func:`~proofs_check.decide.two_precision_residual` (error
    ``<= (K + 1) 10^-(p-6)`` at both precisions passes, above ``10^-(p/2)`` at both fails).
    Undecided when some ``|eta g_k| >= 1`` (outside the specification's form) or the run
    leaves ``|r| <= 1e6``."""
    from numerics.gd import gains as gains_of
    from numerics.gd import iterate

    problem = inst.problem()
    eta = inst.eta
    K = 300
    errors = {}
    for p in PRECISIONS:
        be = flint(p)
        A = L = None
        err = F(0)
        with closing(iterate(problem, eta, backend=be)) as states:
            for st in states:
                with be.scope():  # the engine does not hold its precision across yield
                    eg = [be.scalar(eta) * gi for gi in st.g]
                    if any(abs(to_fraction(q)) >= 1 for q in eg) or any(
                            abs(to_fraction(r)) > 10**6 for r in st.r):
                        return Outcome("undecided", None, {"reason": "|eta g| >= 1 or |r| > 1e6:"
                                                           " outside the stated form"})
                    if st.k == K:
                        u, v = st.theta
                        a2 = be.scalar(F(inst.alpha)) ** 2
                        gains = gains_of(problem, be, st.theta, st.G_sum)
                        for i in range(problem.d):
                            ak2 = abs(u[i] * u[i] - v[i] * v[i]) / 2
                            lhs = (st.beta[i] / ak2).asinh()
                            e1 = abs(to_fraction(lhs + 2 * A[i])) / max(
                                F(1), abs(to_fraction(A[i])))
                            e2 = abs(to_fraction(gains[i] - L[i])) / max(
                                F(1), abs(to_fraction(L[i])))
                            e3 = abs(to_fraction((ak2 / a2).log() - L[i]))
                            err = max(err, e1, e2, e3)
                        break
                    A = [q.atanh() for q in eg] if A is None else [
                        s + q.atanh() for s, q in zip(A, eg, strict=True)]
                    terms = [abs(1 - q * q).log() for q in eg]
                    L = terms if L is None else [s + t for s, t in zip(L, terms, strict=True)]
        errors[p] = err
    return two_precision_residual("E3 invariants along the engine's trajectory", errors, K)

def check_E4_numerics(inst) -> Outcome:
    """E4 (equality): gradient flow on ``difference`` from ``u_0 = v_0 = alpha`` (the GD
    ``eta -> 0`` Richardson experiment) against ``argmin Q_alpha`` s.t. ``X beta = y`` (damped
    Newton on the dual at 60 digits); at that minimiser, theory's ``woodworth_gradient`` (the
    KKT condition: ``grad Q_alpha`` lies in the row space of ``X``) equals ``X^T nu`` for the
    dual solutions ``nu`` at 30 and 60 digits, and theory's ``woodworth_potential`` equals a
    direct evaluation of the formula at 30 and 60 digits."""
    X, y, alpha = inst.X, inst.ys, inst.alpha
    if not refs.full_row_rank(X):
        return Outcome("undecided", None, {"reason": "X is rank-deficient"})
    d = len(X[0])
    ref, nu_high = refs.woodworth_minimiser(X, y, alpha, PRECISIONS[1], with_dual=True)
    duals = [refs.woodworth_minimiser(X, y, alpha, PRECISIONS[0], with_dual=True)[1], nu_high]
    rows = [tuple(sum(F(X[m][i]) * nu[m] for m in range(len(X))) for i in range(d))
            for nu in duals]
    grad = tuple(high_precision(g) for g in E.woodworth_gradient(alpha, ref))
    outs = [two_precision_equal("woodworth_gradient = X^T nu (KKT)", grad, rows[0], rows[1],
                                floor=F(1)),
            two_precision_equal("Q_alpha (theory vs the formula)",
                                high_precision(E.woodworth_potential(alpha, ref)),
                                *(mp_fraction(refs.woodworth_potential(mp(p), alpha, ref))
                                  for p in PRECISIONS), floor=F(1, 10**20))]
    if combine(outs).status == "fail":  # decided: spare the GD experiment
        return combine(outs)
    run = gf_limit_by_gd(inst.problem())
    if run is None:
        outs.append(Outcome("undecided", None, {"reason": "GD with small eta did not "
                                                "converge"}))
    else:
        outs.append(two_precision_equal("GF limit vs argmin Q_alpha", ref, run["ext1"],
                                        run["ext2"], labels=("richardson(eta, eta/2)",
                                                             "richardson(eta/2, eta/4)"),
                                        cap=run["digits_cap"]))
    return combine(outs)


def check_E4_potential(inst) -> Outcome:
    """E4 (lower): the minimiser of ``Q_alpha`` on ``X beta = y`` (damped Newton on the dual,
    70 digits) is not beaten along exact null-space directions ``delta`` of ``X``:
    ``Q_alpha(beta + t delta) - Q_alpha(beta) >= 0`` for two steps ``t`` of each sign (mpmath,
    30/60 digits, certified slack)."""
    X, y, alpha = inst.X, inst.ys, inst.alpha
    if not refs.full_row_rank(X):
        return Outcome("undecided", None, {"reason": "X is rank-deficient"})
    ref = refs.woodworth_minimiser(X, y, alpha, 70)
    Xm = sp.Matrix([[_Q(a) for a in row] for row in X])
    outs = []
    for k, delta in enumerate(Xm.nullspace()[:2]):
        dl = [to_fraction(v) for v in delta]
        scale_t = max(abs(b) for b in ref) / max(abs(v) for v in dl) / 4
        for t in (scale_t, -scale_t / 8):
            pt = [b + t * v for b, v in zip(ref, dl, strict=True)]
            m = [mp_fraction(refs.woodworth_potential(mp(p), alpha, pt)
                             - refs.woodworth_potential(mp(p), alpha, ref)) for p in PRECISIONS]
            outs.append(two_precision_at_least(f"Q(beta + t delta_{k}) - Q(beta)", m[0], m[1],
                                               max(F(1, 10**20), abs(mp_fraction(
                                                   refs.woodworth_potential(mp(60), alpha, ref))))))
    if not outs:
        return Outcome("undecided", None, {"reason": "X is square: the constraint set is one "
                                           "point"})
    return combine(outs)


def check_E4_limits(inst) -> Outcome:
    """E4 (qualitative): ``alpha -> oo`` gives the minimum-l2 interpolator and ``alpha -> 0``
    the least l1 norm. Decision procedure: the minimisers of ``Q_alpha`` (damped Newton on the
    dual, 30 digits) at ``alpha = 10, 100, 1000`` approach ``X^T (X X^T)^-1 y`` (distances
    non-increasing, the last below ``1e-3`` relative) and at ``alpha = 1e-2, 1e-4, 1e-8``
    approach the LP optimum (scipy HiGHS) of ``min ||beta||_1`` s.t. ``X beta = y`` (gaps
    non-increasing up to the LP's tolerance, the last below ``1e-2`` relative)."""
    from scipy.optimize import linprog

    X, y = inst.X, inst.ys
    if not refs.full_row_rank(X):
        return Outcome("undecided", None, {"reason": "X is rank-deficient"})
    d = len(X[0])
    Xm = sp.Matrix([[_Q(a) for a in row] for row in X])
    XX = Xm * Xm.T
    l2 = [to_fraction(v) for v in Xm.T * XX.inv() * sp.Matrix([_Q(a) for a in y])]
    dist = []
    for a in (10, 100, 1000):
        b = refs.woodworth_minimiser(X, y, F(a), 30)
        dist.append(max(abs(p - q) for p, q in zip(b, l2, strict=True)))
    sc = max(max(abs(v) for v in l2), F(1, 10**9))
    tiny = sc * F(1, 10**20)  # X square: the constraint set is one point, all distances ~ 0
    ok = dist[0] + tiny >= dist[1] and dist[1] + tiny >= dist[2] and dist[2] <= sc / 1000
    outs = [procedure("alpha -> oo: distance to min-l2", ok, float(dist[2] / sc),
                      {"distances": [float(v) for v in dist]})]
    Xf = np.array([[float(a) for a in row] for row in X])
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([Xf, -Xf]),
                 b_eq=np.array([float(a) for a in y]), bounds=[(0, None)] * (2 * d),
                 method="highs")
    if lp.status != 0:
        outs.append(Outcome("undecided", None, {"reason": f"linprog status {lp.status}"}))
        return combine(outs)
    l1 = F(float(lp.fun))
    gaps, nu = [], None
    for a in (F(1, 100), F(1, 10**4), F(1, 10**8)):
        b, nu = refs.woodworth_minimiser(X, y, a, 30, nu0=nu, with_dual=True)
        gaps.append(sum(abs(v) for v in b) - l1)
    sc1 = max(l1, F(1, 10**9))
    tol = sc1 * F(1, 10**8)  # the LP's own tolerance
    ok = gaps[0] + tol >= gaps[1] and gaps[1] + tol >= gaps[2] and abs(gaps[2]) <= sc1 / 100
    outs.append(procedure("alpha -> 0: l1 gap to the LP optimum", ok, float(gaps[2]),
                          {"gaps": [float(v) for v in gaps]}))
    return combine(outs)

def check_E5_numerics(inst) -> Outcome:
    """E5 (equality): the one-sample flow limit from the one-scalar root of the closed form
    (shared, product and difference) against gradient descent with ``eta -> 0`` (Richardson);
    and theory's ``one_sample_flow_residual`` vanishes at the roots found at 30 and 60 digits
    (on the digits the two share)."""
    x, alpha = inst.X[0], inst.alpha
    y = inst.ys[0]
    ref = refs.flow_limit_reference(x, y, alpha, inst.param)
    # the statement's own form, evaluated by sympy at the roots found at 30 and 60 digits,
    # must vanish on the digits the two share
    resid = [high_precision(E.one_sample_flow_residual(
        x, y, alpha, _Q(refs.flow_limit_reference(x, y, alpha, inst.param, p, with_root=True)[1]),
        inst.param), 90) for p in PRECISIONS]
    outs = [two_precision_equal("residual of E5's equation at its root", F(0), resid[0],
                                resid[1], floor=max(F(1), abs(F(y))))]
    if outs[0].status == "fail":  # decided: spare the GD experiment
        return outs[0]
    run = gf_limit_by_gd(inst.problem())
    if run is None:
        outs.append(Outcome("undecided", None, {"reason": "GD with small eta did not "
                                                "converge"}))
    else:
        outs.append(two_precision_equal("one-sample GF limit", ref, run["ext1"], run["ext2"],
                                        labels=("richardson(eta, eta/2)",
                                                "richardson(eta/2, eta/4)"),
                                        cap=run["digits_cap"]))
    return combine(outs)


def _multi(param, *, n_max=3, d_max=4, zero_loss=False):
    return S.parameter_points(param=param, n_min=1, n_max=n_max, d_min=2, d_max=d_max,
                              zero_loss=zero_loss)


def _both(**kw):
    """``product`` and ``difference`` points (:func:`_multi` with ``kw``)."""
    from hypothesis import strategies as st

    return st.one_of(_multi("product", **kw), _multi("difference", **kw))


def _e3_domain(moderate: bool):
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        inst = draw(S.multi_sample_problems(n_min=1, n_max=3, d_min=2, d_max=4,
                                            param="product"))
        if moderate:
            X = np.array([[float(v) for v in r] for r in inst.X])
            scale = float(np.abs(X).sum() ** 2 + np.abs(np.array(
                [float(v) for v in inst.ys])).sum() + 1)
            eta = Fraction(1, 20 * int(scale + 1)) * draw(S.rationals(1, 4, max_denominator=1))
        else:
            eta = draw(S.rationals(Fraction(1, 20), 2, max_denominator=20))
        return inst.replace(eta=eta)

    return draw()


def _e4_domain():
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        inst = draw(S.parameter_points(param="difference", n_min=1, n_max=2, d_min=2,
                                       d_max=4, zero_loss=True, max_value=1))
        a = draw(st.sampled_from([Fraction(1, 2), Fraction(1, 5), Fraction(1, 10), 1]))
        return S.Instance(inst.X, inst.y, a, param="difference")

    return draw().filter(lambda inst: any(v != 0 for v in inst.ys))


def _e5_domain():
    from hypothesis import strategies as st

    from theory.parametrisations import PARAMETRISATIONS, parametrisation

    @st.composite
    def draw(draw):
        param = draw(st.sampled_from(PARAMETRISATIONS))
        a = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 2), Fraction(1, 100), 1]))
        if parametrisation(param).paper_model:  # positive x and y
            x = draw(S.features(d_min=2, d_max=4, max_value=2))
            y = draw(S.labels())
        else:
            d = draw(st.integers(2, 4))
            x = tuple(draw(S.rationals(-2, 2, max_denominator=4)) for _ in range(d))
            y = draw(S.rationals(-2, 2, max_denominator=4))
        return S.Instance((x,), y, a, param=param)

    return draw().filter(lambda inst: any(v != 0 for v in inst.X[0]) and inst.ys[0] != 0)


def _underdetermined(inst) -> bool:
    return inst.d > inst.n


def _well_conditioned(inst) -> bool:
    """``det(X X^T) / tr(X X^T)^n >= 1/100`` (for ``n = 2`` about ``lambda_min / lambda_max >=
    1/100``): with a nearly rank-deficient ``X`` the flow's slowest direction is too slow for
    the GD ladder of :func:`proofs_check.experiments.gf_limit_by_gd` to converge in its budget
    (an undecided instance, not a finding about E4)."""
    X = inst.X
    n = len(X)
    G = [[sum(a * b for a, b in zip(X[i], X[j], strict=True)) for j in range(n)]
         for i in range(n)]
    trace = sum(G[i][i] for i in range(n))
    det = Fraction(1)  # Gaussian elimination in Fractions (G is symmetric positive semidefinite)
    for k in range(n):
        if G[k][k] == 0:
            return False
        det *= G[k][k]
        for i in range(k + 1, n):
            f = G[i][k] / G[k][k]
            G[i] = [a - f * b for a, b in zip(G[i], G[k], strict=True)]
    return det * 100 >= trace ** n


CLAIMS = [
    declare("E1", "H = J^T J + [[0, diag g], [diag g, 0]], J = n^(-1/2) X [diag v | diag u] "
            "(product); on zero loss S = (1/n) lambda_max(X diag(u^2 + v^2) X^T) and the "
            "Hessian has a (2d - n)-fold zero eigenvalue.", "identity",
            ("numerics.hessian.spectrum",),
            "X: n = 1..3 signed rational samples, d = 2..4, (u, v) rational; y = X beta "
            "for the zero-loss checks", (
                Check("exact", check_E1_exact, lambda: _both(n_max=2, d_max=3), "exact", 0.3),
                Check("numerics", check_E1_numerics, lambda: _both(zero_loss=True), "numerics",
                      0.4, kind="equality"),
            ), notes="The (2d - n)-fold zero holds when rank J = n; in general it is "
            "(2d - rank J)-fold (checked)."),
    declare("E2", "u_i^2 + v_i^2 >= 2|beta_i| (equality iff balanced), so the least "
            "sharpness over factorisations is (2/n) lambda_max(X diag|beta| X^T), convex in "
            "beta, a weighted l1 norm when n = 1; depth D: (D/n) lambda_max(X "
            "diag|beta|^(2-2/D) X^T), least parameter norm D sum |beta_i|^(2/D).", "lower",
            ("numerics.hessian.spectrum", "flint eigenvalues"),
            "X: n = 1..3, d = 2..4, (u, v) rational, zero loss", (
                Check("exact", check_E2_exact, lambda: _multi("product", d_max=5), "exact",
                      0.5),
                Check("numerics", check_E2_numerics, lambda: _multi("product", zero_loss=True),
                      "numerics", 0.4, kind="equality"),
                Check("flattest", check_E2_flattest, lambda: _multi("product", zero_loss=True),
                      "numerics", 0.3),
            ), notes="Depth D is checked for D = 3 by exact AM-GM (numerics has no depth-D "
            "product parametrisation). That the minimum-sharpness interpolator is an SDP and "
            "the minimum-norm one an LP is a formulation, not a numerical claim."),
    declare("E3", "(u+v)_{k+1} = (u+v)_k (1 - eta g_k), (u-v)_{k+1} = (u-v)_k (1 + eta g_k); "
            "from u_0 = sqrt2 alpha, v_0 = 0: arcsinh(beta_K/alpha_K^2) = -2 sum_k "
            "artanh(eta g_k), alpha_K^2 = alpha^2 prod_k |1 - eta^2 g_k^2|.", "identity",
            ("numerics.gd.iterate", "numerics.gd.gains"),
            "X: n = 1..3 signed samples, d = 2..4, eta rational", (
                Check("exact", check_E3_exact, lambda: _e3_domain(False), "exact", 0.5),
                Check("numerics", check_E3_numerics, lambda: _e3_domain(True), "numerics", 0.3,
                      kind="equality"),
            ), notes="The arcsinh form needs |eta g_k| < 1 for all k; in general "
            "arcsinh(beta_K/alpha_K^2) = sign(P) log|P|, P = prod (1 - eta g)/(1 + eta g) "
            "(checked exactly)."),
    declare("E4", "Gradient flow on beta = u*u - v*v from u_0 = v_0 = alpha 1 converges to "
            "argmin Q_alpha(beta) s.t. X beta = y, Q_alpha = alpha^2 sum q(beta_i/alpha^2), "
            "q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z/2); alpha -> 0 gives min l1, "
            "alpha -> oo min l2.", "equality",
            ("proofs_check.experiments.gf_limit_by_gd (GD, eta -> 0, Richardson)",),
            "X: n = 1..2 signed samples of full row rank, d = 2..4, y = X beta_0, "
            "alpha in {1/10, 1/5, 1/2, 1}; the GD experiment needs det(X X^T) >= "
            "tr(X X^T)^n / 100", (
                Check("numerics", check_E4_numerics,
                      lambda: _e4_domain().filter(_well_conditioned), "numerics", 0.3),
                Check("potential", check_E4_potential,
                      lambda: _e4_domain().filter(_underdetermined), "numerics", 0.2,
                      kind="lower"),
                Check("limits", check_E4_limits, _e4_domain, "numerics", 0.2,
                      kind="qualitative"),
            ), notes="The flow is approximated by GD with eta -> 0 (Richardson); "
            "numerics.flow's Taylor integrator takes tens of seconds per run and is not "
            "used in the default verification."),
    declare("E5", "With one sample the GF path has one scalar unknown R = int r dt; its limit "
            "solves <x, beta(R)> = y, a 1-D root-finding problem.", "equality",
            ("proofs_check.experiments.gf_limit_by_gd (GD, eta -> 0, Richardson)",),
            "one sample, shared (x > 0), product and difference (signed x), d = 2..4", (
                Check("numerics", check_E5_numerics, _e5_domain, "numerics", 0.4),
            )),
]
