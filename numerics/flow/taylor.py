r"""``n`` samples: the Taylor integrator of ``rho' = r(rho)`` and its power-series coefficients.

The ODE is integrated by a Taylor method of order ``~ 1.15 (dps + GUARD)`` whose coefficients
are computed at the working precision by power-series recurrences (``exp`` of a series, power
of a series: no numerical differentiation), with the Jorba-Zou step ``h = min_j (eps /
|a_j|)^(1/j)`` over the last two orders, which puts the local truncation error at ``eps`` of
the state's scale. It runs until ``|r| <= 10^-(dps + GUARD/2) max(1, |y|)``; the limit is then
polished by Newton on ``X beta(rho) = y``. The path is kept as dense output
(:class:`_TaylorPath`), on which :mod:`numerics.flow.n_samples` locates the sharpness' maxima.

References
----------
A. Jorba, M. Zou, "A software package for the numerical integration of ODEs by means of
high-order Taylor methods", Experimental Mathematics 14 (2005), for the step rule.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from theory.parametrisations import OutOfDomain

from ..errors import NoConvergence
from .model import GUARD, _Flow

#: Taylor steps allowed before :class:`NoConvergence`.
MAX_STEPS = 20000


class _TaylorPath:
    """Dense output of the Taylor integration: ``rho(t0 + sigma h) = sum_k b_k sigma^k``."""

    def __init__(self):
        self.t0: list = []
        self.h: list = []
        self.b: list = []  # per step: list of n-vectors (mpf), b_k = a_k h^k
        self.bf: list = []  # the same as float arrays (K+1, n)

    def append(self, t0, h, b):
        self.t0.append(t0)
        self.h.append(h)
        self.b.append(b)
        with np.errstate(over="ignore"):
            self.bf.append(np.array([[float(v) for v in bk] for bk in b], dtype=float))

    def rho(self, ctx, t):
        j = max(0, bisect.bisect_right(self.t0, t) - 1)
        sigma = (t - self.t0[j]) / self.h[j]
        b = self.b[j]
        n = len(b[0])
        out = list(b[-1])
        for bk in reversed(b[:-1]):
            out = [out[m] * sigma + bk[m] for m in range(n)]
        return out


def _taylor_coefficients(f: _Flow, rho0, N):
    """Taylor coefficients ``a_0..a_N`` (``n``-vectors of mpf) of ``rho`` at ``rho0``.

    Power-series recurrences, run in python-flint ``arb`` midpoint arithmetic at the context's
    precision (``flint.ctx`` is restored on exit): ``a_{k+1} = (X beta_k - [k = 0] y)/(k+1)``
    with ``s_k = X^T a_k / n``. ``beta_i(s)`` is the coordinate map's sum of exponentials
    (:meth:`~theory.parametrisations.CoordinateFlow.exp_terms`), ``E = exp(c s)``: ``E_k =
    (c/k) sum_{j=1..k} j s_j E_{k-j}``; or its power (:meth:`~theory.parametrisations.
    CoordinateFlow.power_term`), ``Q = P^m`` with ``P = base0 + slope s``: ``Q_k = sum_{j=1..k}
    ((m+1) j - k) P_j Q_{k-j} / (k P_0)``. The data are converted to ``arb`` once per flow
    (:meth:`_Flow.arb_data`), not once per step.
    """
    fl = f.arb.flint
    q = f.arb.scalar
    n, d = f.n, f.d
    with f.arb.scope():
        X, XT, y, inv_n, coord = f.arb_data()
        a = [[f.to_arb(v) for v in rho0]]
        ks = []  # ks[k][i] = k * s_k[i]
        terms = coord.exp_terms()
        if terms is not None:
            E = [[[] for _ in terms] for _ in range(d)]
        else:
            weight, base0, slope, expo = coord.power_term()
            expo_q, expo1_q = q(expo), q(expo + 1)
            Q = [[] for _ in range(d)]
            S = [[] for _ in range(d)]
            base = [None] * d
        for k in range(N):
            sk = [sum((u * v for u, v in zip(XT[i], a[k])), fl.arb(0)) * inv_n
                  for i in range(d)]
            ks.append([k * v for v in sk])
            beta_k = []
            for i in range(d):
                if terms is not None:
                    total = fl.arb(0)
                    for qq, (c, w) in enumerate(terms):
                        series = E[i][qq]
                        if k == 0:
                            val = (c * sk[i]).exp()
                        else:
                            val = c * sum((ks[j][i] * series[k - j] for j in range(1, k + 1)),
                                          fl.arb(0)) / k
                        series.append(val)
                        total += w * val
                    beta_k.append(total)
                else:
                    S[i].append(sk[i])
                    if k == 0:
                        base[i] = base0 + slope * sk[i]
                        if not base[i] > 0:
                            raise OutOfDomain
                        val = (expo_q * base[i].log()).exp()
                    else:
                        t1 = sum((ks[j][i] * Q[i][k - j] for j in range(1, k + 1)), fl.arb(0))
                        t2 = sum((S[i][j] * Q[i][k - j] for j in range(1, k + 1)), fl.arb(0))
                        val = slope * (expo1_q * t1 - k * t2) / (k * base[i])
                    Q[i].append(val)
                    beta_k.append(weight * val)
            nxt = [sum((u * v for u, v in zip(X[m], beta_k)), fl.arb(0)) for m in range(n)]
            if k == 0:
                nxt = [v - yy for v, yy in zip(nxt, y)]
            a.append([(v / (k + 1)).mid() for v in nxt])
            a[k] = [v.mid() for v in a[k]]
        mpf = f.ctx.mpf
        return [[mpf(v.mid()) for v in ak] for ak in a]


def _integrate(f: _Flow):
    """Taylor integration of ``rho' = r(rho)`` from 0 until ``|r| <= 10^-(dps + GUARD/2)
    max(1, |y|)`` (five digits above the rounding floor of the working precision)."""
    ctx, n = f.ctx, f.n
    N = int(math.ceil(0.5 * math.log(10) * (f.dps + GUARD))) + 2
    path = _TaylorPath()
    rho = [ctx.mpf(0)] * n
    t = ctx.mpf(0)
    yscale = max([ctx.mpf(1)] + [abs(v) for v in f.y])
    stop = ctx.mpf(10) ** (-(f.dps + GUARD // 2)) * yscale
    h_prev = None
    for _ in range(MAX_STEPS):
        a = _taylor_coefficients(f, rho, N)
        r = a[1]
        if max(abs(v) for v in r) <= stop:
            return path, rho, t
        scale = max([ctx.mpf(1)] + [abs(v) for v in rho])
        h = ctx.inf
        for j in (N - 1, N):
            norm = max(abs(v) for v in a[j])
            if norm > 0:
                h = min(h, (f.eps * scale / norm) ** (ctx.mpf(1) / j))
        if h_prev is not None:
            h = min(h, 4 * h_prev)
        if ctx.isinf(h):
            h = ctx.mpf(1)
        b, hk = [], ctx.mpf(1)
        for ak in a:
            b.append([v * hk for v in ak])
            hk *= h
        path.append(t, h, b)
        rho = [ctx.fsum(bk[m] for bk in b) for m in range(n)]
        t += h
        h_prev = h
    raise NoConvergence("the gradient-flow ODE", f"{MAX_STEPS} Taylor steps were not enough; "
                        "the flow is very slow on this problem (small alpha or ill-conditioned X)")


def _newton_limit(f: _Flow, rho):
    """Solve ``X beta(X^T rho / n) = y`` by damped Newton from ``rho`` (the ODE's end)."""
    ctx, n, d = f.ctx, f.n, f.d

    def resid(rh):
        try:
            return f.residual(rh)
        except OutOfDomain:
            return None

    r = resid(rho)
    close = ctx.mpf(10) ** (-(f.dps + GUARD // 2))
    for _ in range(100):
        nr = max(abs(v) for v in r)
        jsq = [f.coord.jsq(si) for si in f.s_of(rho)]
        Jm = ctx.matrix(n, n)
        for m in range(n):
            for ll in range(n):
                Jm[m, ll] = -ctx.fsum(f.X[m][i] * jsq[i] * f.X[ll][i] for i in range(d)) * f.inv_n
        step = ctx.lu_solve(Jm, ctx.matrix(r))
        size = max(abs(step[m]) for m in range(n))
        if size <= close * max([ctx.mpf(1)] + [abs(v) for v in rho]):
            return [rho[m] - step[m] for m in range(n)]
        lam = ctx.mpf(1)
        while True:
            trial = [rho[m] - lam * step[m] for m in range(n)]
            rt = resid(trial)
            if rt is not None and max(abs(v) for v in rt) <= nr:
                break
            lam /= 2
            if lam < ctx.ldexp(1, -60):
                raise NoConvergence("Newton on X beta(rho) = y", "raise the precision")
        rho, r = trial, rt
    raise NoConvergence("Newton on X beta(rho) = y", "raise the precision")
