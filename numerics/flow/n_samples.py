r"""``n`` samples: the largest sharpness along the Taylor path, and where it is attained.

The path's sharpness is sampled in float64 (:data:`SAMPLES_PER_STEP` points per Taylor step,
``theta`` from the parametrisation's closed-form map evaluated by numpy), and each candidate
maximum (the best float64 peaks, one per cluster of values equal to ``1e-11``) is refined at the
working precision by Brent's method on the dense Taylor output (the location is then good to
about half the digits, the value to all of them); the start and the limit are always evaluated
at the working precision. Limitation: two distinct maxima whose float64 values agree to
``1e-11`` are refined as one (the higher float64 sample), so in that case the supremum could be
low by about ``1e-11`` relative.
"""

from __future__ import annotations

import numpy as np

from ..backends import get_backend
from ..hessian import hessian_rows
from ..problem import Problem
from .model import _Flow
from .results import FlowResult, PathPoint
from .roots import _brent_max
from .taylor import _integrate, _newton_limit

#: float64 samples of the sharpness per Taylor step.
SAMPLES_PER_STEP = 4


def _float_extremes(f: _Flow, rho):
    """float64 ``(lambda_min, lambda_max)`` for an array of ``rho`` (shape ``(P, n)``).

    ``theta`` comes from the closed-form map (:meth:`~theory.parametrisations.Parametrisation.
    initial_flow` on the float64 backend, elementwise over the points); ``beta``, ``J``, ``B``
    and the Hessian from the parametrisation and :func:`numerics.hessian.hessian_rows`, run on
    the float64 backend with coordinates on the first axis, so every Hessian entry is an array
    over the ``P`` points. Points where an entry is not finite get ``nan``.
    """
    p = f.problem
    fb = get_backend("float64")
    Xd = fb.data(p.X)
    P = len(rho)
    coord = f.P.initial_flow(float(p.alpha), fb)
    with np.errstate(all="ignore"):
        s = fb.rmatvec(Xd, rho) / p.n  # (P, d)
        theta = coord.theta(s)
        r = fb.matvec(Xd, p.parametrisation.beta(theta)) - fb.vector(p.y)
        g = fb.rmatvec(Xd, r) / p.n
        rows = hessian_rows(p, fb, tuple(t.T for t in theta), g.T)
        H = np.moveaxis(np.array(rows, dtype=float), -1, 0)  # (P, kd, kd)
        ok = np.all(np.isfinite(H.reshape(P, -1)), axis=1)
        H[~ok] = 0
        e = np.linalg.eigvalsh(H)
    lo, hi = e[:, 0], e[:, -1]
    lo[~ok], hi[~ok] = np.nan, np.nan
    return lo, hi


def _ode_flow(problem: Problem, dps: int) -> FlowResult:
    """The flow of an interpolable ``problem`` by the Taylor ODE (any ``n``)."""
    f = _Flow(problem, dps)
    ctx = f.ctx
    path, rho_end, t_end = _integrate(f)
    rho_inf = _newton_limit(f, rho_end)
    # float64 samples along the path, in time order
    ts, rhos = [], []
    for j in range(len(path.t0)):
        for q in range(SAMPLES_PER_STEP):
            sigma = q / SAMPLES_PER_STEP
            ts.append((j, sigma))
            bf = path.bf[j]
            rhos.append(np.polyval(bf[::-1], sigma))
    ts.append((None, None))
    rhos.append(np.array([float(v) for v in rho_end]))
    lo_f, hi_f = _float_extremes(f, np.array(rhos, dtype=float).reshape(len(rhos), f.n))

    def t_of(idx):
        j, sigma = ts[idx]
        if j is None:
            return t_end
        return path.t0[j] + ctx.mpf(sigma) * path.h[j]

    lim_lo, lim_hi = f.eig_limit(rho_inf)
    start_lo, start_hi = f.eig_full([ctx.mpf(0)] * f.n)
    tol = ctx.mpf(10) ** (-dps)

    def sup(sign, samples, start_val, end_val):
        """Largest ``sign * lambda`` along the path: ``(value, t or None)``."""
        vals = sign * samples
        P = len(vals)
        vals = np.where(np.isfinite(vals), vals, -np.inf)
        peaks = [i for i in range(P) if (i == 0 or vals[i] >= vals[i - 1])
                 and (i == P - 1 or vals[i] >= vals[i + 1])]
        peaks.sort(key=lambda i: -vals[i])
        scale = max(1.0, float(np.max(np.abs(vals[np.isfinite(vals)]))))
        chosen = []
        for i in peaks:  # the best peaks; one per cluster of float-equal values (plateaus)
            if len(chosen) == 3 or vals[i] < vals[peaks[0]] - 1e-9 * scale:
                break
            if all(abs(vals[i] - vals[j]) > 1e-11 * scale for j in chosen):
                chosen.append(i)
        cands = [(start_val, ctx.mpf(0))]

        def fun(t):
            lo, hi = f.eig_full(path.rho(ctx, t))
            return sign * (hi if sign > 0 else lo)

        for i in chosen:
            a = t_of(max(i - 1, 0))
            b = t_of(min(i + 1, P - 1))
            if b > a:
                cands.append(_brent_max(ctx, fun, a, b))
        best = max(cands, key=lambda c: c[0])
        if end_val >= best[0] - tol * max(abs(best[0]), 1):
            return end_val, None
        return best

    best_max = sup(1, hi_f, start_hi, lim_hi)
    best_min = sup(-1, lo_f, -start_lo, -lim_lo)
    s_end = max(lim_hi, -lim_lo)
    s_best = best_max if best_max[0] >= best_min[0] else best_min
    if best_max[1] is None and best_min[1] is None:
        s_best = (s_end, None)

    def point(t):
        if t is None:
            R = rho_inf
        else:
            R = path.rho(ctx, t) if t > 0 else [ctx.mpf(0)] * f.n
        Rf = tuple(f.frac(v) for v in R)
        return PathPoint(Rf[0] if f.n == 1 else Rf, None if t is None else f.frac(t),
                         t is None)

    s_gf = s_best[0]
    beta = tuple(f.frac(f.coord.beta(si)) for si in f.s_of(rho_inf))
    R_inf = tuple(f.frac(v) for v in rho_inf)
    return FlowResult(
        beta=beta, s_gf=f.frac(s_gf), lambda_max_sup=f.frac(best_max[0]),
        eta_c=f.frac(2 / s_end), s_gf_at_end=s_best[1] is None, where=point(s_best[1]),
        lambda_max_at_end=best_max[1] is None, lambda_max_where=point(best_max[1]),
        R_inf=R_inf[0] if f.n == 1 else R_inf, s_end=f.frac(s_end), dps=dps,
        method="taylor", n=f.n, steps=len(path.t0), t_final=f.frac(t_end))

