r"""Reference values the checks share, computed by routes independent of the statement checked.

Every room of :mod:`proofs_check.checks` (and the conjectures, and the sweep verdicts) takes its
shared reference values from here; none imports a private helper from another room.

* the zero-loss set ``M = {beta >= 0 : <x, beta> = y}`` of one sample, in Fractions: its
  vertices, the optimal face of ``||beta||_1`` (vertex enumeration), the sharpness
  ``4 sum x_i^2 beta_i`` of a point of ``M``, the uniform law's moments;
* gradient-flow limits: R6's (theory's exact roots, or its equation solved by bisection), E5's
  one-scalar root for any parametrisation, and E4's ``argmin Q_alpha`` (damped Newton on the
  dual), each at a working precision ``dps``;
* exact linear algebra of small matrices (E1, E2, E4): the top eigenvalue, the row rank;
* R9's quantitative reading: the bands and the top learning rate of its checks.

Values are exact :class:`~fractions.Fraction` s (of the binary numbers computed, for the
high-precision routes), and high-precision routes run in private mpmath contexts.

References
----------
R2-R9 and E5, [MFCKM26] arXiv 2505.21423; E4, [WGL20] arXiv 2002.09277; as reconstructed in the
project's specification.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import theory as T

from .decide import high_precision
from .experiments import MpOps, mp, mp_fraction, mpf, rational, solve_increasing

__all__ = ["sharpness_on_M", "on_M", "vertices", "face", "uniform_moments",
           "EXACT_DEGREE", "gf_limit_reference", "clear_caches", "flow_limit_reference",
           "woodworth_minimiser", "woodworth_potential", "top_eigenvalue", "full_row_rank",
           "EOS_BAND", "FLOW_BAND", "R9_STEPS", "CATAPULT_GUARD", "r9_top"]

F = Fraction


def sharpness_on_M(x, beta) -> Fraction:
    """``4 sum x_i^2 beta_i`` in Fractions (the zero-loss sharpness, computed here)."""
    return 4 * sum(F(a) ** 2 * F(b) for a, b in zip(x, beta, strict=True))


def on_M(x, y, beta) -> bool:
    """Whether ``beta >= 0`` and ``<x, beta> = y``, exactly."""
    return all(F(b) >= 0 for b in beta) and sum(F(a) * F(b) for a, b in zip(
        x, beta, strict=True)) == F(y)


def vertices(x, y) -> list[tuple]:
    """The vertices ``(y/x_i) e_i`` of ``M``."""
    d = len(x)
    return [tuple(F(y) / F(x[i]) if j == i else F(0) for j in range(d)) for i in range(d)]


def face(x, y, which: str):
    """Exact optimal face of ``||beta||_1`` by vertex enumeration: ``which="max"`` the
    minimum-norm face (R2), ``"min"`` the maximum-norm one (R3). Returns ``(indices, vertices,
    centroid, norm)``."""
    verts = vertices(x, y)
    norms = [sum(v) for v in verts]
    best = min(norms) if which == "max" else max(norms)
    idx = [i for i, n in enumerate(norms) if n == best]
    optimal = [verts[i] for i in idx]
    centroid = tuple(sum(v[j] for v in optimal) / len(optimal) for j in range(len(x)))
    return idx, optimal, centroid, best


def uniform_moments(x, y):
    """Mean and covariance of the uniform law on ``M`` from the vertices:
    ``mu = mean of vertices``, ``Cov = sum_i (v_i - mu)(v_i - mu)^T / (d (d + 1))``."""
    verts = vertices(x, y)
    d = len(x)
    mu = tuple(sum(v[j] for v in verts) / d for j in range(d))
    cov = [[sum((v[i] - mu[i]) * (v[j] - mu[j]) for v in verts) / (d * (d + 1))
            for j in range(d)] for i in range(d)]
    return mu, cov


#: largest polynomial degree for which the exact (CRootOf) limit of theory is evaluated
EXACT_DEGREE = 48


def _degree(x) -> int:
    from math import lcm

    q = lcm(*[F(v).denominator for v in x])
    return max(int(F(v) * q) for v in x)


def gf_limit_reference(x, y, alpha, dps: int = 60, *, exact: bool = True) -> tuple:
    """The R6 limit from theory: ``theory.gradient_flow_limit`` (exact algebraic numbers,
    evaluated at ``dps + 10`` digits) when ``exact`` and its polynomial has degree
    ``<= EXACT_DEGREE``, else the theory's equation ``sum x_i alpha^2 exp(lambda x_i) = y``
    solved by bisection in a private context at ``dps + 20`` digits. Cached (shrinking revisits
    the same data)."""
    return _gf_limit_reference(tuple(F(v) for v in x), F(y), F(alpha), dps, exact)


@lru_cache(maxsize=256)
def _gf_exact(x, y, alpha):
    """``theory.gradient_flow_limit`` (cached: the exact root is the expensive part)."""
    return T.gradient_flow_limit(x, y, alpha)


def clear_caches() -> None:
    """Forget the cached reference values (after changing a theory function, e.g. in a
    mutation test)."""
    _gf_exact.cache_clear()
    _gf_limit_reference.cache_clear()


@lru_cache(maxsize=512)
def _gf_limit_reference(x, y, alpha, dps, exact) -> tuple:
    if exact and _degree(x) <= EXACT_DEGREE:
        g = _gf_exact(x, y, alpha)
        if g.exact:
            return tuple(high_precision(b, dps + 10) for b in g.beta)
    ctx = mp(dps + 20)
    xs = [mpf(ctx, v) for v in x]
    a2 = mpf(ctx, alpha) ** 2
    yy = mpf(ctx, y)
    f = lambda lam: sum(xi * a2 * ctx.exp(lam * xi) for xi in xs) - yy  # noqa: E731
    lam = solve_increasing(f, 0, 1, ctx)
    return tuple(mp_fraction(a2 * ctx.exp(lam * xi)) for xi in xs)


def flow_limit_reference(x, y, alpha, param, dps: int = 60, with_root: bool = False):
    """E5's limit: the root ``R`` of ``<x, beta(R)> = y`` by bisection at ``dps + 20`` digits,
    then ``beta(R)``. Coordinate ``i`` follows the parametrisation's closed-form flow from its
    initial state, ``beta_i(R) = flow.beta(x_i R)`` (:meth:`Parametrisation.initial_flow`), so
    ``<x, beta(R)>`` is strictly decreasing in ``R``."""
    from theory.parametrisations import parametrisation

    ctx = mp(dps + 20)
    flow = parametrisation(param).initial_flow(mpf(ctx, alpha), MpOps(ctx))
    xs = [mpf(ctx, v) for v in x]
    yy = mpf(ctx, y)

    def beta(R):
        return [flow.beta(xi * R) for xi in xs]

    f = lambda R: yy - sum(xi * b for xi, b in zip(xs, beta(R), strict=True))  # noqa: E731
    R = solve_increasing(f, -1, 1, ctx)
    out = tuple(mp_fraction(b) for b in beta(R))
    return (out, mp_fraction(R)) if with_root else out


def woodworth_minimiser(X, y, alpha, dps: int = 60, *, nu0=None, with_dual: bool = False):
    """``argmin Q_alpha(beta)`` s.t. ``X beta = y`` by damped Newton on the concave dual.

    KKT: ``arcsinh(beta / (2 alpha^2)) = X^T nu``, i.e. ``beta(nu) = 2 alpha^2 sinh(X^T nu)``;
    the dual ``D(nu) = y.nu - 2 alpha^2 sum cosh((X^T nu)_i)`` is maximised (its gradient is
    ``y - X beta(nu)``). Stops when the Newton decrement is below ``10^-(2 dps)``. Requires
    ``X`` of full row rank. ``nu0`` warm-starts (continuation in ``alpha``).
    """
    ctx = mp(dps + 20)
    n, d = len(X), len(X[0])
    Xr = [[mpf(ctx, a) for a in row] for row in X]
    yv = [mpf(ctx, a) for a in y]
    a2 = mpf(ctx, alpha) ** 2
    nu = [ctx.mpf(0)] * n if nu0 is None else [mpf(ctx, v) for v in nu0]

    def parts(nu):
        s = [ctx.fsum(Xr[m][i] * nu[m] for m in range(n)) for i in range(d)]
        dual = ctx.fsum(yv[m] * nu[m] for m in range(n)) - 2 * a2 * ctx.fsum(
            ctx.cosh(si) for si in s)
        return s, dual

    s, dual = parts(nu)
    eps = ctx.mpf(10) ** (-2 * dps)
    for _ in range(500):
        beta = [2 * a2 * ctx.sinh(si) for si in s]
        grad = [yv[m] - ctx.fsum(Xr[m][i] * beta[i] for i in range(d)) for m in range(n)]
        w = [2 * a2 * ctx.cosh(si) for si in s]
        Hm = ctx.matrix([[ctx.fsum(Xr[m][i] * w[i] * Xr[k][i] for i in range(d))
                          for k in range(n)] for m in range(n)])
        step = ctx.lu_solve(Hm, ctx.matrix(grad))
        dec = ctx.fsum(grad[m] * step[m] for m in range(n))  # Newton decrement squared
        if dec <= eps * (1 + abs(dual)):
            break
        t = ctx.mpf(1)
        while True:
            cand = [nu[m] + t * step[m] for m in range(n)]
            s2, dual2 = parts(cand)
            if dual2 >= dual + t * dec / 4 or t < ctx.mpf(2) ** -60:
                break
            t /= 2
        nu, s, dual = cand, s2, dual2
    beta = tuple(mp_fraction(2 * a2 * ctx.sinh(si)) for si in s)
    return (beta, [mp_fraction(v) for v in nu]) if with_dual else beta


def woodworth_potential(ctx, alpha, beta):
    """``Q_alpha(beta) = alpha^2 sum q(beta_i / alpha^2)``, ``q(z) = 2 - sqrt(4 + z^2) +
    z arcsinh(z/2)``, in the mpmath context ``ctx`` (the specification's formula, evaluated
    directly; E4)."""
    a2 = mpf(ctx, alpha) ** 2
    tot = ctx.mpf(0)
    for b in beta:
        z = mpf(ctx, b) / a2
        tot += 2 - ctx.sqrt(4 + z * z) + z * ctx.asinh(z / 2)
    return a2 * tot


def top_eigenvalue(M, dps: int = 90) -> Fraction:
    """The largest eigenvalue of a small exact symmetric sympy matrix (the largest real root of
    its characteristic polynomial), to ``dps`` digits."""
    import sympy as sp

    if M.is_zero_matrix:
        return F(0)
    lam = sp.Symbol("lam")
    poly = sp.Poly(M.charpoly(lam).as_expr(), lam)
    return high_precision(max(poly.real_roots()), dps)


def full_row_rank(X) -> bool:
    """Whether the rows of ``X`` (exact numbers) are linearly independent."""
    import sympy as sp

    return sp.Matrix([[rational(a) for a in row] for row in X]).rank() == len(X)


#: R9's quantitative reading: above eta_c GD stops within this fraction below 2/eta. Measured
#: (float64 GD, 60000 steps, several thousand converged runs on a grid of the domain: x_min /
#: x_max in [1/2, 3/4], alpha from 1e-3 to 1/7, eta up to :func:`r9_top`): 1 - eta S / 2 is at
#: most 0.028 (at x_min/x_max = 1/2 and the top rate), so a band of 0.05 leaves a 1.8x margin.
EOS_BAND = F(1, 20)
#: ... and below eta_c within this fraction of s_GF. Measured on the same grid (eta from
#: 0.05 to 0.99 eta_c, alpha up to 1/20): |S / s_GF - 1| <= 0.015 (largest at alpha = 1/20).
FLOW_BAND = F(1, 40)
#: the GD budget of the R9 check
R9_STEPS = 60000
#: the largest ``eta S(beta^N) / 2`` at which the R9 checks run GD (see :func:`r9_top`)
CATAPULT_GUARD = F(3, 2)


def r9_top(x, y) -> Fraction:
    """The largest learning rate of the R9 checks: ``min(0.9 / (2 y x_min),
    CATAPULT_GUARD / (2 y x_max))``.

    Closer to ``1/(2 y x_min)`` GD is chaotic. And from ``w_0 = alpha 1`` GD overshoots when
    ``eta S(beta^N) / 2 = 2 eta y x_max`` exceeds about 1.6 (measured, independent of
    ``alpha`` from 1e-3 to 1/20 and of ``x_min / x_max`` from 1/2 to 0.56): it then lands, for
    some rates, on an interpolator far flatter than ``2/eta`` (``eta S/2`` down to 0.83, both
    precisions agreeing: e.g. ``x = (4, 2), y = 1/2, alpha = 1/20, eta = 0.4309``). Where this
    happens the reading "GD stops slightly below 2/eta" does not hold (see the claim's notes).
    """
    x_min, x_max = min(F(v) for v in x), max(F(v) for v in x)
    return min(F(9, 10) / (2 * F(y) * x_min), CATAPULT_GUARD / (2 * F(y) * x_max))
