r"""One sample (E5): the gradient-flow path in closed form as a function of one scalar ``R``.

With one sample, ``rho = R`` is a scalar, ``s_i = x_i R`` and ``dr/dR = -sum_i x_i^2 |J_i|^2 <
0``: ``r`` is strictly decreasing along the path, keeps its sign, and ``R_inf`` is the unique
root of ``r(R) = 0`` between 0 and the first sign change, found by bracketed Newton. Time is
``t(R) = int_0^R dR' / r(R')`` (infinite at ``R_inf``).

The Hessian along the path is ``H = c c^T + diag(delta)`` in a basis that does not move with
``R``: per coordinate, the eigenbasis of ``g_i B_i`` (``B_i = d^2 beta_i / d theta_i^2``,
:meth:`~theory.parametrisations.CoordinateFlow.curvatures`: ``delta_j = g_i mu_j``, ``c_j^2 =
x_i^2 jsq_j``, and ``c_j c_j' = -x_i mu_j c_j^2`` because ``dJ_i / ds = -B_i J_i``). A rank-one
update of a diagonal matrix: its extreme eigenvalues solve the secular equation ``1 = sum_j
c_j^2 / (lambda - delta_j)`` and ``d lambda / dR = v^T H'(R) v`` is explicit, so maxima along
the path are located by solving ``d lambda / dR = 0`` to the working precision.

References
----------
[MFCKM26] Appendix B, R6; E5 (one scalar unknown ``R``).
"""

from __future__ import annotations

from ..errors import DomainError, NoConvergence
from ..problem import Problem
from .model import CLAIM, _Flow
from .results import FlowResult, PathPoint
from .roots import _maximise, _safe_newton


class _OneSample:
    """E5: the one-sample path as a function of ``R`` and its Hessian's extreme eigenvalues."""

    def __init__(self, flow: _Flow):
        self.f = flow
        ctx = self.ctx = flow.ctx
        self.x = flow.X[0]
        self.y = flow.y[0]
        self.nz = [i for i, xi in enumerate(self.x) if xi != 0]
        self.has_zero = len(self.nz) < flow.d
        self.coord = flow.coord
        # domain of R (a power path, shared D > 2): base0 + slope x_i R > 0
        self.R_lo, self.R_hi = -ctx.inf, ctx.inf
        power = self.coord.power_term()
        if power is not None:
            _, base0, slope, _ = power
            for xi in self.x:
                if slope * xi > 0:
                    self.R_lo = max(self.R_lo, -base0 / (slope * xi))
                elif slope * xi < 0:
                    self.R_hi = min(self.R_hi, base0 / (slope * -xi))

    def r(self, R):
        beta = self.coord.beta
        return self.ctx.fsum(self.x[i] * beta(self.x[i] * R) for i in self.nz) - self.y

    def r_dr(self, R):
        beta, jsq = self.coord.beta, self.coord.jsq
        r = self.ctx.fsum(self.x[i] * beta(self.x[i] * R) for i in self.nz) - self.y
        dr = -self.ctx.fsum(self.x[i] ** 2 * jsq(self.x[i] * R) for i in self.nz)
        return r, dr

    def R_inf(self):
        ctx, f = self.ctx, self.f
        r0 = self.r(ctx.mpf(0))
        if r0 == 0:
            return ctx.mpf(0)
        if not self.nz:
            raise DomainError("x", "0", "a non-zero sample is required: r = -y never changes",
                              CLAIM)
        up = r0 > 0  # r decreases in R: the root lies at R > 0 iff r(0) > 0
        if f.P.positive_beta:
            pos = any(self.x[i] > 0 for i in self.nz)
            neg = any(self.x[i] < 0 for i in self.nz)
            reachable = (neg or self.y > 0) if up else (pos or self.y < 0)
            if not reachable:
                raise DomainError(
                    "y", str(f.problem.y[0]), "shared weights keep beta > 0 along the flow, so an "
                    "interpolator with beta > 0 is required (y > 0 with some x_i > 0, or y < 0 "
                    "with some x_i < 0)", CLAIM)
        bound = self.R_hi if up else self.R_lo
        xscale = max(abs(self.x[i]) for i in self.nz)
        far = None
        if ctx.isinf(bound):
            step = (1 if up else -1) / xscale
            for _ in range(4 * ctx.prec):
                if (self.r(step) < 0) == up:
                    far = step
                    break
                step *= 2
        else:
            for k in range(1, 4 * ctx.prec):
                trial = bound * (1 - ctx.ldexp(1, -k))
                if (self.r(trial) < 0) == up:
                    far = trial
                    break
        if far is None:
            raise NoConvergence("the bracket of R_inf", "raise the precision")
        return _safe_newton(ctx, self.r_dr, ctx.mpf(0), far, 1 if r0 > 0 else -1)

    def pieces(self, R):
        """``r`` and, per eigen-direction of the block-diagonal part, ``(delta, delta', c^2,
        c c')`` with ``H = c c^T + diag(delta)`` (a basis independent of ``R``; ``'`` is
        ``d / dR``)."""
        r, dr = self.r_dr(R)
        out = []
        for i in self.nz:
            xi = self.x[i]
            g, dg = r * xi, dr * xi
            for mu, dmu, jsq in self.coord.curvatures(xi * R):
                csq = xi * xi * jsq
                out.append((g * mu, dg * mu + g * xi * dmu, csq, -xi * mu * csq))
        return r, out

    def extremes(self, R):
        """``(lambda_min, dlambda_min/dR, lambda_max, dlambda_max/dR)`` at ``R``.

        Secular equation ``f(lambda) = 1 - sum_j w_j / (lambda - delta_j) = 0`` (``w = c^2``),
        with equal ``delta_j`` grouped. The top root is found on ``(delta_top, delta_top + W]``
        as the root of the pole-free ``(lambda - delta_top) f``; the bottom root on ``(d_1,
        d_2)`` as the root of ``(lambda - d_1)(d_2 - lambda) f``; a group of ``m >= 2`` equal
        ``delta`` also carries the eigenvalue ``delta`` (multiplicity ``m - 1``).
        """
        ctx = self.ctx
        _, P = self.pieces(R)
        if not P:
            zero = ctx.mpf(0)
            return zero, zero, zero, zero
        delta = [p[0] for p in P]
        w = [p[2] for p in P]
        groups = {}
        for j, dj in enumerate(delta):
            groups.setdefault(dj, []).append(j)
        keys = sorted(groups)
        Wg = {k: ctx.fsum(w[j] for j in groups[k]) for k in keys}
        W = ctx.fsum(w)
        scale = max(abs(keys[0]), abs(keys[-1])) + W

        def slope(lam, pole):
            try:
                q = [1 / (lam - dj) for dj in delta]
            except ZeroDivisionError:  # lam is the pole to working precision
                return P[groups[pole][0]][1]
            num = (ctx.fsum(wj * p[1] * qj * qj for wj, p, qj in zip(w, P, q))
                   + 2 * ctx.fsum(p[3] * qj for p, qj in zip(P, q)))
            return num / ctx.fdot(w, [qj * qj for qj in q])

        top = keys[-1]
        rest = [(Wg[k], k) for k in keys[:-1]]

        def F_top(lam):
            mu = lam - top
            val = mu - Wg[top] - ctx.fsum(wk * mu / (lam - k) for wk, k in rest)
            der = 1 - ctx.fsum(wk * (top - k) / (lam - k) ** 2 for wk, k in rest)
            return val, der

        hi = top + W
        lmax = hi if F_top(hi)[0] == 0 else _safe_newton(ctx, F_top, top, hi, -1, x0=hi,
                                                          scale=scale)
        dlmax = slope(lmax, top)
        d1 = keys[0]
        if len(delta) == 1:
            lmin, dlmin = lmax, dlmax
        elif len(groups[d1]) >= 2:
            lmin, dlmin = d1, min(P[j][1] for j in groups[d1])
        else:
            d2 = keys[1]
            W1, W2 = Wg[d1], Wg[d2]
            others = [(Wg[k], k) for k in keys[2:]]

            def G(lam):
                a, b = lam - d1, d2 - lam
                t = ctx.fsum(wk / (lam - k) for wk, k in others)
                dt = -ctx.fsum(wk / (lam - k) ** 2 for wk, k in others)
                val = a * b - W1 * b + W2 * a - a * b * t
                der = b - a + W1 + W2 - (b - a) * t - a * b * dt
                return val, der

            lmin = _safe_newton(ctx, G, d1, d2, -1, scale=scale)
            dlmin = slope(lmin, d1)
        if self.has_zero:  # coordinates with x_i = 0 add zero eigenvalues
            if lmax < 0:
                lmax, dlmax = ctx.mpf(0), ctx.mpf(0)
            if lmin > 0:
                lmin, dlmin = ctx.mpf(0), ctx.mpf(0)
        return lmin, dlmin, lmax, dlmax

    def time(self, R):
        """``t(R) = int_0^R dR' / r(R')``."""
        ctx = self.ctx
        if R == 0:
            return ctx.mpf(0)
        return ctx.quad(lambda u: 1 / self.r(u), [0, R])

def _one_sample_flow(problem: Problem, dps: int) -> FlowResult:
    f = _Flow(problem, dps)
    ctx = f.ctx
    one = _OneSample(f)
    R_inf = one.R_inf()
    tol = ctx.mpf(10) ** (-dps)
    cache = {}

    def ext(tau):
        if tau not in cache:
            cache[tau] = one.extremes(tau * R_inf)
        return cache[tau]

    if R_inf == 0:
        lmin, _, lmax, _ = ext(ctx.mpf(1))
        best_max, best_min = (lmax, ctx.mpf(1)), (-lmin, ctx.mpf(1))
    else:
        best_max = _maximise(ctx, lambda t: (ext(t)[2], ext(t)[3] * R_inf), tol)
        best_min = _maximise(ctx, lambda t: (-ext(t)[0], -ext(t)[1] * R_inf), tol)
    lmin_end, _, lmax_end, _ = ext(ctx.mpf(1))
    s_end = max(lmax_end, -lmin_end)
    s_best = best_max if best_max[0] >= best_min[0] else best_min

    def point(tau):
        at_end = tau == 1
        R = tau * R_inf
        return PathPoint(f.frac(R), None if at_end else f.frac(one.time(R)), at_end)

    s_gf = s_best[0]
    beta = tuple(f.frac(f.coord.beta(xi * R_inf)) for xi in one.x)
    return FlowResult(
        beta=beta, s_gf=f.frac(s_gf), lambda_max_sup=f.frac(best_max[0]),
        eta_c=f.frac(2 / s_end), s_gf_at_end=s_best[1] == 1, where=point(s_best[1]),
        lambda_max_at_end=best_max[1] == 1, lambda_max_where=point(best_max[1]),
        R_inf=f.frac(R_inf), s_end=f.frac(s_end), dps=dps, method="closed_form", n=1)

