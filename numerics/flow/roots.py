"""Root finding and maximisation at the working precision of an mpmath context ``ctx``.

``_safe_newton`` (bracketed Newton, bisection as a safeguard) finds the one-sample limit, the
time inverse and the secular equation's roots; ``_illinois`` (regula falsi) finds a stationary
point of the sharpness from a sign change of its slope; ``_maximise`` maximises a function with
a known slope on ``[0, 1]`` (one sample); ``_brent_max`` maximises one without (``n`` samples,
on the Taylor path's dense output).
"""

from __future__ import annotations

from ..errors import NoConvergence

#: Grid points on ``[0, 1]`` (the one-sample path ``R = tau R_inf``) before the local
#: refinement of maxima.
GRID = 64


def _safe_newton(ctx, fdf, a, b, sign_a, x0=None, scale=None):
    """Root of a monotone ``f`` between ``a`` and ``b`` (``sign f(a) = sign_a``, opposite at
    ``b``; the end points are never evaluated). Newton, with bisection whenever a Newton step
    leaves the bracket; stops when a Newton correction is below ``8 eps scale``."""
    scale = scale if scale is not None else max(abs(a), abs(b), ctx.mpf(1))
    tol = 8 * ctx.eps * scale
    x = (a + b) / 2 if x0 is None else x0
    for _ in range(6 * ctx.prec):
        f, df = fdf(x)
        if f == 0:
            return x
        if (f > 0) == (sign_a > 0):
            a = x
        else:
            b = x
        if df != 0 and abs(f / df) <= tol:
            return x - f / df
        xn = x - f / df if df != 0 else None
        if xn is None or not min(a, b) < xn < max(a, b):
            xn = (a + b) / 2
        if abs(b - a) <= tol:
            return xn
        x = xn
    raise NoConvergence("a bracketed root search", "raise the precision")


def _illinois(ctx, f, a, b, fa, fb, tol):
    """Root of ``f`` in ``[a, b]`` with ``fa * fb < 0`` (Illinois regula falsi)."""
    side = 0
    for _ in range(8 * ctx.prec):
        c = (a * fb - b * fa) / (fb - fa)
        if not (min(a, b) < c < max(a, b)):
            c = (a + b) / 2
        fc = f(c)
        if fc == 0 or abs(b - a) <= tol:
            return c
        if (fc > 0) == (fb > 0):
            b, fb = c, fc
            if side == -1:
                fa /= 2
            side = -1
        else:
            a, fa = c, fc
            if side == 1:
                fb /= 2
            side = 1
        if abs(b - a) <= tol:
            return c
    raise NoConvergence("the stationary point of the sharpness", "raise the precision")



def _maximise(ctx, value_slope, tol):
    """``max`` over ``tau in [0, 1]`` of a smooth function given ``tau -> (value, slope)``.

    Candidates: both ends, every grid point, and each stationary point bracketed by a slope
    sign change ``+ -`` on the grid (solved by Illinois on the slope). Returns ``(value,
    tau)``; ties within ``tol`` go to the end ``tau = 1``.
    """
    taus = [ctx.mpf(k) / GRID for k in range(GRID + 1)]
    vs = [value_slope(t) for t in taus]
    cands = [(v, t) for (v, _), t in zip(vs, taus)]
    for j in range(GRID):
        d0, d1 = vs[j][1], vs[j + 1][1]
        if d0 > 0 and d1 < 0:
            t = _illinois(ctx, lambda u: value_slope(u)[1], taus[j], taus[j + 1], d0, d1,
                          8 * ctx.eps)
            cands.append((value_slope(t)[0], t))
    best = max(cands, key=lambda c: c[0])
    end = cands[GRID]
    if end[0] >= best[0] - tol * max(abs(best[0]), 1):
        return end
    return best


def _brent_max(ctx, fun, a, b):
    """Maximum of ``fun`` on ``[a, b]`` by Brent's method (parabolic steps, golden-section
    fallback), plus both end points: ``(value, point)``. The point is located to about half
    the working digits ``ctx.dps``, the value to all of them (it is stationary there)."""
    golden = (3 - ctx.sqrt(5)) / 2
    tol = ctx.mpf(10) ** (-ctx.dps / 2)
    lo, hi = a, b
    fa, fb = fun(a), fun(b)
    x = w = v = a + golden * (b - a)
    fx = fw = fv = -fun(x)
    d = e = ctx.mpf(0)
    for _ in range(20 * ctx.dps):
        m = (a + b) / 2
        tol1 = tol * abs(x) + tol * max(abs(hi - lo), ctx.eps)
        tol2 = 2 * tol1
        if abs(x - m) <= tol2 - (b - a) / 2:
            break
        parabolic = False
        if abs(e) > tol1:
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2 * (q - r)
            if q > 0:
                p = -p
            q = abs(q)
            etemp, e = e, d
            if abs(p) < abs(q * etemp / 2) and q * (a - x) < p < q * (b - x):
                d = p / q
                parabolic = True
                if (x + d) - a < tol2 or b - (x + d) < tol2:
                    d = tol1 if m >= x else -tol1
        if not parabolic:
            e = (a - x) if x >= m else (b - x)
            d = golden * e
        u = x + d if abs(d) >= tol1 else x + (tol1 if d > 0 else -tol1)
        fu = -fun(u)
        if fu <= fx:
            if u >= x:
                a = x
            else:
                b = x
            v, w, x, fv, fw, fx = w, x, u, fw, fx, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, w, fv, fw = w, u, fw, fu
            elif fu <= fv or v == x or v == w:
                v, fv = u, fu
    return max([(fa, lo), (fb, hi), (-fx, x)], key=lambda z: z[0])

