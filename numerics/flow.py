r"""Gradient flow on diagonal networks at any precision: path, limit, largest sharpness.

Gradient flow (GF) is ``theta' = -grad L(theta)`` with ``L = 1/(2n) ||X beta(theta) - y||^2``;
it is gradient descent in the limit ``eta -> 0`` with time ``t = k eta``. This module computes,
at a chosen number of decimal digits, the limit of the flow, the largest sharpness along the
path ``s_GF = sup_t S(theta(t))`` (``S = max |eig Hess L|``), ``sup_t lambda_max``, where each
is attained, and the critical learning rate ``eta_c = 2 / s_GF`` ([MFCKM26] Appendix B, R6
and E5; the difference parametrisation's limit is E4's potential minimiser).

The path in closed form
-----------------------
Write ``g = X^T r / n`` (the gradient of ``L`` with respect to ``beta``), ``rho(t) =
int_0^t r`` (an ``n``-vector) and ``s = X^T rho / n`` (a ``d``-vector, so ``s' = g``). Every
parametrisation is coordinate-separable, ``theta_i' = -g_i J_i(theta_i)`` with ``J_i = d beta_i
/ d theta_i``, so ``d theta_i / d s_i = -J_i`` and each ``theta_i`` is a closed-form function of
``s_i`` alone. Integrating (each line is checked by differentiating; ``dbeta_i / ds_i = -|J_i|^2``
in all cases):

=====================  =====================================================  ==================
parametrisation        ``theta_i(s)``                                         ``beta_i(s)``
=====================  =====================================================  ==================
shared, ``D = 2``      ``w = alpha exp(-2 s)``                                ``a^2 exp(-4 s)``
shared, depth ``D``    ``w^(2-D) = alpha^(2-D) + D (D-2) s``                  ``w^D``
product (E3)           ``u + v = sqrt2 alpha e^-s``, ``u - v = sqrt2 alpha    ``-a^2 sinh(2 s)``
                       e^s``
difference (E4)        ``u = alpha e^(-2s)``, ``v = alpha e^(2s)``            ``-2a^2 sinh(4 s)``
=====================  =====================================================  ==================

(``a = alpha``; the first line is R6.) Shared depth ``D``: ``d/dt w^(2-D) = (2-D) w^(1-D)
(-D g w^(D-1)) = D (D-2) g``, as in :mod:`theory.parametrisations`; product:
``(u+v)' = -g (u+v)``, ``(u-v)' = g (u-v)`` and ``beta = ((u+v)^2 - (u-v)^2)/4``;
difference: ``u' = -2 g u``, ``v' = 2 g v``. So the whole flow is the ``n``-dimensional ODE

.. math:: \rho' = r(\rho) = X \beta(X^\top \rho / n) - y,\qquad \rho(0) = 0,

which is the gradient flow of the convex function ``Psi(rho) = y^T rho - n sum_i B(s_i)``
(``B' = beta``): its Jacobian ``(1/n) X diag(dbeta/ds) X^T`` is negative semidefinite, so
``|r|`` decreases, and the limit ``rho_inf`` solves ``X beta(X^T rho / n) = y`` (unique when
``X`` has full row rank): the implicit-bias characterisation (the limit's mirror coordinates
lie in the row space of ``X``).

One sample (E5): ``rho = R`` is a scalar, ``s_i = x_i R`` and ``dr/dR = -sum_i x_i^2 |J_i|^2 < 0``:
``r`` is strictly decreasing along the path, keeps its sign, and ``R_inf`` is the unique root of
``r(R) = 0`` between 0 and the first sign change, found by bracketed Newton. Time is
``t(R) = int_0^R dR' / r(R')`` (infinite at ``R_inf``). The Hessian along the path is
``H = c c^T + diag(delta)`` in a basis that does not move with ``R`` (per coordinate, the
eigenbasis of ``g_i d^2 beta_i / d theta_i^2``), a rank-one update of a diagonal matrix: its
extreme eigenvalues solve the secular equation ``1 = sum_j c_j^2 / (lambda - delta_j)`` and
``d lambda / dR = v^T H'(R) v`` is explicit, so maxima along the path are located by solving
``d lambda / dR = 0`` to the working precision.

``n`` samples: the ODE is integrated by a Taylor method of order ``~ 1.15 * digits`` whose
coefficients are computed at the working precision by power-series recurrences (``exp`` of a
series, power of a series: no numerical differentiation), with the Jorba-Zou step ``h = min_j
(eps / |a_j|)^(1/j)`` over the last two orders, which puts the local truncation error at ``eps``
of the state's scale. It runs until ``|r| <= 10^-(dps + 5)``; the limit is then polished by
Newton on ``X beta(rho) = y``. The path's sharpness is sampled (float64, four points per step),
and each candidate maximum (the best float64 peaks, one per cluster of values equal to
``1e-11``) is refined at the working precision by Brent's method on the dense Taylor output (the
location is then good to about half the digits, the value to all of them); the start and the
limit are always evaluated at the working precision. Limitation: two distinct maxima whose
float64 values agree to ``1e-11`` are refined as one (the higher float64 sample), so in that
case the supremum could be low by about ``1e-11`` relative.

All arithmetic runs in a private :class:`mpmath.MPContext` at ``dps + 10`` digits (the Taylor
recurrences and the eigenvalues along the ``n``-sample path use python-flint ``arb`` midpoint
arithmetic at the same precision, inside ``flint.ctx.workprec``); results are exact
:class:`~fractions.Fraction` values of the computed binary numbers. Which digits are right is
decided by :func:`numerics.audited.audited_flow` (two precisions, :func:`numerics.audit.agree`).

References
----------
[MFCKM26] Appendix B (R6, gradient-flow limit and ``eta_c = 2 / s_GF``); E3 (product
parametrisation, Even et al. 2023); E4 (Woodworth et al. 2020 potential); E5 (one scalar
unknown ``R``). A. Jorba, M. Zou, "A software package for the numerical integration of ODEs by
means of high-order Taylor methods", Experimental Mathematics 14 (2005), for the step rule.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .backends import Flint, Mpmath, get_backend
from .errors import DomainError, NoConvergence
from .hessian import gram_matrix_A, hessian_rows, spectrum
from .precision import check_dps
from .problem import Problem

__all__ = ["PathPoint", "FlowResult", "gradient_flow", "flow_state", "flow_time",
           "flow_at_times"]

CLAIM = "R6"
#: Guard digits carried above the requested precision.
GUARD = 10
#: Grid points on ``[0, R_inf]`` (one sample) before the local refinement of maxima.
GRID = 64
#: float64 samples of the sharpness per Taylor step (``n`` samples).
SAMPLES_PER_STEP = 4
#: Taylor steps allowed before :class:`NoConvergence`.
MAX_STEPS = 20000
#: ``beta_i(s) = alpha^2 sum_q (num_q / den_q) exp(c_q s)`` for the parametrisations whose path
#: is a sum of exponentials (shared ``D = 2``, product, difference): ``(c_q, num_q, den_q)``.
#: Written once; :meth:`_Flow.exp_terms` evaluates the weights in mpf or in arb.
EXP_TERMS = {
    "shared": ((-4, 1, 1),),
    "product": ((2, -1, 2), (-2, 1, 2)),
    "difference": ((4, -1, 1), (-4, 1, 1)),
}


# --------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PathPoint:
    """Where along the path a supremum is attained.

    Attributes
    ----------
    R : Fraction (one sample) or tuple of Fractions (``rho``, ``n`` samples)
        The integrated residual ``int_0^t r`` there.
    t : Fraction or None
        The time; ``None`` when the supremum is attained only in the limit ``t -> infinity``.
    at_end : bool
        The supremum is the value at the limit of the path.
    """

    R: object
    t: Fraction | None
    at_end: bool


@dataclass(frozen=True)
class FlowResult:
    """Gradient flow of one problem at one precision (exact values of computed binary numbers).

    Attributes
    ----------
    beta : tuple of Fraction
        The limit of the flow, ``beta(rho_inf)``.
    s_gf : Fraction
        ``sup_t S(theta(t))``, ``S = max |eig Hess L|``.
    lambda_max_sup : Fraction
        ``sup_t lambda_max(Hess L(theta(t)))``.
    eta_c : Fraction
        ``2 / s_gf``.
    s_gf_at_end : bool
        Whether ``s_gf`` is the sharpness of the limit (attained as ``t -> infinity``).
    where : PathPoint
        Where ``s_gf`` is attained.
    lambda_max_at_end : bool
    lambda_max_where : PathPoint
    R_inf : Fraction (one sample) or tuple of Fractions (``rho_inf``)
    s_end : Fraction
        The sharpness at the limit (Gram form, E1).
    dps : int
        The requested decimal digits (arithmetic carries ``dps + GUARD``).
    method : ``"closed_form"`` (one sample) or ``"taylor"`` (the ODE)
    n : int
    steps : int
        Taylor steps (0 for the closed form).
    t_final : Fraction or None
        Where the ODE integration stopped (``|r| <= 10^-(dps+GUARD)``).
    """

    beta: tuple
    s_gf: Fraction
    lambda_max_sup: Fraction
    eta_c: Fraction
    s_gf_at_end: bool
    where: PathPoint
    lambda_max_at_end: bool
    lambda_max_where: PathPoint
    R_inf: object
    s_end: Fraction
    dps: int
    method: str
    n: int
    steps: int = 0
    t_final: Fraction | None = None


# ------------------------------------------------------------------------------ the model
class _Flow:
    """The flow of one problem in a private mpmath context at ``dps + GUARD`` digits."""

    def __init__(self, problem: Problem, dps: int):
        self.problem = problem
        # ``dps`` was validated by ``check_dps``; the working contexts carry GUARD more
        # digits, so they are built from the backend classes (``get_backend`` would reject
        # ``dps + GUARD`` above its range and name that number instead of the caller's ``dps``).
        self.backend = Mpmath(dps + GUARD)
        #: python-flint ``arb`` at the same precision (Taylor recurrences, eigenvalues)
        self.arb = Flint(dps + GUARD)
        assert self.arb.prec == self.backend.prec
        ctx = self.ctx = self.backend.ctx
        self.dps = dps
        self.n, self.d = problem.n, problem.d
        sc = self.backend.scalar
        self.X = [[sc(v) for v in row] for row in problem.X]
        self.XT = [[self.X[m][i] for m in range(self.n)] for i in range(self.d)]
        self.y = [sc(v) for v in problem.y]
        self.alpha = sc(problem.alpha)
        self.a2 = self.alpha * self.alpha
        self.param, self.D = problem.param, problem.depth
        self.inv_n = sc(Fraction(1, self.n))
        self.sqrt2 = ctx.sqrt(2)
        self.eps = ctx.mpf(10) ** (-(dps + GUARD))
        self._A = None
        self._arb_data = None
        self.exponential = not (self.param == "shared" and self.D > 2)
        if not self.exponential:
            self.P0 = self.alpha ** (2 - self.D)
            self.DD = self.D * (self.D - 2)

    def exp_terms(self, a2) -> list | None:
        """``[(c_q, weight_q)]`` with ``beta_i(s) = sum_q weight_q exp(c_q s)`` (:data:`EXP_TERMS`,
        weights exact multiples of ``a2 = alpha^2`` in ``a2``'s arithmetic); ``None`` for shared
        depth ``D > 2`` (a power, not exponentials)."""
        if not self.exponential:
            return None
        return [(c, num * a2 / den) for c, num, den in EXP_TERMS[self.param]]

    def arb_data(self) -> tuple:
        """``(X, X^T, y, 1/n, alpha)`` as ``arb`` at the working precision, converted once.

        Call inside ``self.arb.scope()``: Arb rounds each rational when it is converted.
        """
        if self._arb_data is None:
            sc = self.arb.scalar
            X = [[sc(v) for v in row] for row in self.problem.X]
            XT = [[X[m][i] for m in range(self.n)] for i in range(self.d)]
            self._arb_data = (X, XT, [sc(v) for v in self.problem.y],
                              sc(Fraction(1, self.n)), sc(self.problem.alpha))
        return self._arb_data

    def to_arb(self, v):
        """The mpf ``v`` as an exact ``arb`` (inside ``self.arb.scope()``; same precision)."""
        return self.arb.scalar(self.frac(v))

    # closed forms of one coordinate ------------------------------------------------------
    def w_of(self, s):
        """shared: ``w(s)``."""
        ctx = self.ctx
        if self.D == 2:
            return self.alpha * ctx.exp(-2 * s)
        P = self.P0 + self.DD * s
        if P <= 0:
            raise _OutOfDomain
        return P ** (ctx.mpf(-1) / (self.D - 2))

    def theta_of(self, s) -> tuple:
        ctx = self.ctx
        if self.param == "shared":
            return (self.w_of(s),)
        if self.param == "product":
            c = self.sqrt2 * self.alpha
            return (c * ctx.cosh(s), -c * ctx.sinh(s))
        return (self.alpha * ctx.exp(-2 * s), self.alpha * ctx.exp(2 * s))

    def beta_of(self, s):
        ctx = self.ctx
        if self.param == "shared":
            return self.a2 * ctx.exp(-4 * s) if self.D == 2 else self.w_of(s) ** self.D
        if self.param == "product":
            return -self.a2 * ctx.sinh(2 * s)
        return -2 * self.a2 * ctx.sinh(4 * s)

    def jsq_of(self, s):
        """``|J_i|^2 = -dbeta_i/ds_i``."""
        ctx = self.ctx
        if self.param == "shared":
            if self.D == 2:
                return 4 * self.a2 * ctx.exp(-4 * s)
            w = self.w_of(s)
            return (self.D * w ** (self.D - 1)) ** 2
        if self.param == "product":
            return 2 * self.a2 * ctx.cosh(2 * s)
        return 8 * self.a2 * ctx.cosh(4 * s)

    # vectors ------------------------------------------------------------------------------
    def s_of(self, rho) -> list:
        return [self.ctx.fdot(self.XT[i], rho) * self.inv_n for i in range(self.d)]

    def residual(self, rho) -> list:
        beta = [self.beta_of(si) for si in self.s_of(rho)]
        return [self.ctx.fdot(self.X[m], beta) - self.y[m] for m in range(self.n)]

    def state(self, rho):
        """``(theta as numpy object arrays, beta, r, g)`` at ``rho``."""
        s = self.s_of(rho)
        th = [self.theta_of(si) for si in s]
        theta = tuple(np.array([t[a] for t in th], dtype=object) for a in range(self.problem.k))
        beta = [self.beta_of(si) for si in s]
        r = [self.ctx.fdot(self.X[m], beta) - self.y[m] for m in range(self.n)]
        g = np.array([self.ctx.fdot(self.XT[i], r) * self.inv_n for i in range(self.d)],
                     dtype=object)
        return theta, beta, r, g

    def eig_full(self, rho):
        """``(lambda_min, lambda_max)`` of the full Hessian at ``rho`` (working precision).

        The Hessian is assembled by :func:`numerics.hessian.hessian_rows` in this context;
        its eigenvalues come from python-flint's ``acb_mat.eig`` (approximate QR algorithm,
        about ten times faster than ``mpmath.eigsy`` here; a test compares the two).
        """
        fl = self.arb.flint
        theta, _, _, g = self.state(rho)
        if self._A is None:
            self._A = [[self.backend.scalar(v) for v in row] for row in gram_matrix_A(self.problem)]
        rows = hessian_rows(self.problem, self.backend, theta, g, self._A)
        with self.arb.scope():
            M = fl.acb_mat(fl.arb_mat([[self.to_arb(v) for v in row] for row in rows]))
            values = sorted(self.ctx.mpf(e.real.mid()) for e in M.eig(algorithm="approx"))
        return values[0], values[-1]

    def eig_limit(self, rho):
        """``(lambda_min, lambda_max)`` at the limit: the Gram form (E1)."""
        theta, _, _, g = self.state(rho)
        low, top, _ = spectrum(self.problem, self.backend, theta, g, zero_loss=True)
        return low, top

    def frac(self, v) -> Fraction:
        """The exact value of the mpf ``v`` (:meth:`numerics.backends.Mpmath.to_fraction`).

        Raises
        ------
        NoConvergence
            ``v`` is infinite or NaN: the flow produced no finite value.
        """
        try:
            return self.backend.to_fraction(v)
        except DomainError:
            raise NoConvergence("a finite value", "the flow produced inf or nan") from None


class _OutOfDomain(ArithmeticError):
    """shared depth D > 2: ``alpha^(2-D) + D (D-2) s <= 0`` (the flow never gets there)."""


# ------------------------------------------------------------------------ root finding
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


# ----------------------------------------------------------------- one sample, closed form
class _OneSample:
    """E5: the one-sample path as a function of ``R`` and its Hessian's extreme eigenvalues."""

    def __init__(self, flow: _Flow):
        self.f = flow
        ctx = self.ctx = flow.ctx
        self.x = flow.X[0]
        self.y = flow.y[0]
        self.nz = [i for i, xi in enumerate(self.x) if xi != 0]
        self.has_zero = len(self.nz) < flow.d
        # domain of R (shared, D > 2): alpha^(2-D) + D(D-2) x_i R > 0
        self.R_lo, self.R_hi = -ctx.inf, ctx.inf
        if flow.param == "shared" and flow.D > 2:
            for xi in self.x:
                if xi > 0:
                    self.R_lo = max(self.R_lo, -flow.P0 / (flow.DD * xi))
                elif xi < 0:
                    self.R_hi = min(self.R_hi, flow.P0 / (flow.DD * -xi))

    def r(self, R):
        f = self.f
        return self.ctx.fsum(self.x[i] * f.beta_of(self.x[i] * R) for i in self.nz) - self.y

    def r_dr(self, R):
        f = self.f
        r = self.ctx.fsum(self.x[i] * f.beta_of(self.x[i] * R) for i in self.nz) - self.y
        dr = -self.ctx.fsum(self.x[i] ** 2 * f.jsq_of(self.x[i] * R) for i in self.nz)
        return r, dr

    # the limit ----------------------------------------------------------------------------
    def R_inf(self):
        ctx, f = self.ctx, self.f
        r0 = self.r(ctx.mpf(0))
        if r0 == 0:
            return ctx.mpf(0)
        if not self.nz:
            raise DomainError("x", "0", "a non-zero sample is required: r = -y never changes",
                              CLAIM)
        up = r0 > 0  # r decreases in R: the root lies at R > 0 iff r(0) > 0
        if f.param == "shared":
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

    # the Hessian along the path -----------------------------------------------------------
    def pieces(self, R):
        """``r`` and, per eigen-direction of the block-diagonal part, ``(delta, delta', c,
        c')`` with ``H = c c^T + diag(delta)`` (a basis independent of ``R``)."""
        f, ctx = self.f, self.ctx
        r, dr = self.r_dr(R)
        out = []
        for i in self.nz:
            xi = self.x[i]
            s = xi * R
            g, dg = r * xi, dr * xi
            if f.param == "shared":
                w = f.w_of(s)
                D = f.D
                if D == 2:
                    out.append((2 * g, 2 * dg, 2 * xi * w, -4 * xi * xi * w))
                else:
                    B = D * (D - 1) * w ** (D - 2)
                    dw = -xi * D * w ** (D - 1)
                    dB = D * (D - 1) * (D - 2) * w ** (D - 3) * dw
                    J = D * w ** (D - 1)
                    out.append((g * B, dg * B + g * dB, xi * J, -xi * xi * B * J))
            elif f.param == "product":
                em, ep = f.alpha * ctx.exp(-s), f.alpha * ctx.exp(s)
                out.append((g, dg, xi * em, -xi * xi * em))
                out.append((-g, -dg, -xi * ep, -xi * xi * ep))
            else:
                u, v = f.alpha * ctx.exp(-2 * s), f.alpha * ctx.exp(2 * s)
                out.append((2 * g, 2 * dg, 2 * xi * u, -4 * xi * xi * u))
                out.append((-2 * g, -2 * dg, -2 * xi * v, -4 * xi * xi * v))
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
        w = [p[2] * p[2] for p in P]
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
                   + 2 * ctx.fsum(p[2] * p[3] * qj for p, qj in zip(P, q)))
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
    beta = tuple(f.frac(f.beta_of(xi * R_inf)) for xi in one.x)
    return FlowResult(
        beta=beta, s_gf=f.frac(s_gf), lambda_max_sup=f.frac(best_max[0]),
        eta_c=f.frac(2 / s_gf), s_gf_at_end=s_best[1] == 1, where=point(s_best[1]),
        lambda_max_at_end=best_max[1] == 1, lambda_max_where=point(best_max[1]),
        R_inf=f.frac(R_inf), s_end=f.frac(s_end), dps=dps, method="closed_form", n=1)


# --------------------------------------------------------------------- n samples: Taylor
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
    with ``s_k = X^T a_k / n``; ``E = exp(c s)``: ``E_k = (c/k) sum_{j=1..k} j s_j E_{k-j}``;
    ``Q = P^m`` (``P = alpha^(2-D) + D(D-2) s``): ``Q_k = sum_{j=1..k} ((m+1) j - k) P_j
    Q_{k-j} / (k P_0)``. The data are converted to ``arb`` once per flow
    (:meth:`_Flow.arb_data`), not once per step.
    """
    fl = f.arb.flint
    q = f.arb.scalar
    n, d = f.n, f.d
    with f.arb.scope():
        X, XT, y, inv_n, alpha = f.arb_data()
        a = [[f.to_arb(v) for v in rho0]]
        ks = []  # ks[k][i] = k * s_k[i]
        terms = f.exp_terms(alpha ** 2)
        if terms is not None:
            E = [[[] for _ in terms] for _ in range(d)]
        else:
            D = f.D
            P0 = alpha ** (2 - D)
            m1 = q(Fraction(-D, D - 2) + 1)
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
                    for qq, (c, weight) in enumerate(terms):
                        series = E[i][qq]
                        if k == 0:
                            val = (c * sk[i]).exp()
                        else:
                            val = c * sum((ks[j][i] * series[k - j] for j in range(1, k + 1)),
                                          fl.arb(0)) / k
                        series.append(val)
                        total += weight * val
                    beta_k.append(total)
                else:
                    S[i].append(sk[i])
                    if k == 0:
                        base[i] = P0 + (D * (D - 2)) * sk[i]
                        if not base[i] > 0:
                            raise _OutOfDomain
                        val = (q(Fraction(-D, D - 2)) * base[i].log()).exp()
                    else:
                        t1 = sum((ks[j][i] * Q[i][k - j] for j in range(1, k + 1)), fl.arb(0))
                        t2 = sum((S[i][j] * Q[i][k - j] for j in range(1, k + 1)), fl.arb(0))
                        val = (D * (D - 2)) * (m1 * t1 - k * t2) / (k * base[i])
                    Q[i].append(val)
                    beta_k.append(val)
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
        except _OutOfDomain:
            return None

    r = resid(rho)
    close = ctx.mpf(10) ** (-(f.dps + GUARD // 2))
    for _ in range(100):
        nr = max(abs(v) for v in r)
        jsq = [f.jsq_of(si) for si in f.s_of(rho)]
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


def _float_theta(problem: Problem, s):
    """The closed-form ``theta(s)`` (module docstring) in float64, for ``s`` of any shape."""
    a = float(problem.alpha)
    if problem.param == "shared":
        D = problem.depth
        if D == 2:
            return (a * np.exp(-2 * s),)
        return ((a ** (2 - D) + D * (D - 2) * s) ** (-1 / (D - 2)),)
    if problem.param == "product":
        return (math.sqrt(2) * a * np.cosh(s), -math.sqrt(2) * a * np.sinh(s))
    return (a * np.exp(-2 * s), a * np.exp(2 * s))


def _float_extremes(f: _Flow, rho):
    """float64 ``(lambda_min, lambda_max)`` for an array of ``rho`` (shape ``(P, n)``).

    ``theta`` comes from the closed forms; ``beta``, ``J``, ``B`` and the Hessian from
    the parametrisation and :func:`numerics.hessian.hessian_rows`, run on the
    float64 backend with coordinates on the first axis, so every Hessian entry is an array over
    the ``P`` points. Points where an entry is not finite get ``nan``.
    """
    p = f.problem
    fb = get_backend("float64")
    Xd = fb.data(p.X)
    P = len(rho)
    with np.errstate(all="ignore"):
        s = fb.rmatvec(Xd, rho) / p.n  # (P, d)
        theta = _float_theta(p, s)
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


def _brent_max(ctx, fun, a, b, dps):
    """Maximum of ``fun`` on ``[a, b]`` by Brent's method (parabolic steps, golden-section
    fallback), plus both end points: ``(value, point)``. The point is located to about half
    the working digits, the value to all of them (it is stationary there)."""
    golden = (3 - ctx.sqrt(5)) / 2
    tol = ctx.mpf(10) ** (-(dps + GUARD) / 2)
    lo, hi = a, b
    fa, fb = fun(a), fun(b)
    x = w = v = a + golden * (b - a)
    fx = fw = fv = -fun(x)
    d = e = ctx.mpf(0)
    for _ in range(20 * (dps + GUARD)):
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


def _ode_flow(problem: Problem, dps: int) -> FlowResult:
    f = _Flow(problem, dps)
    ctx = f.ctx
    _check_interpolable(problem)
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
                cands.append(_brent_max(ctx, fun, a, b, dps))
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
    beta = tuple(f.frac(f.beta_of(si)) for si in f.s_of(rho_inf))
    R_inf = tuple(f.frac(v) for v in rho_inf)
    return FlowResult(
        beta=beta, s_gf=f.frac(s_gf), lambda_max_sup=f.frac(best_max[0]),
        eta_c=f.frac(2 / s_gf), s_gf_at_end=s_best[1] is None, where=point(s_best[1]),
        lambda_max_at_end=best_max[1] is None, lambda_max_where=point(best_max[1]),
        R_inf=R_inf[0] if f.n == 1 else R_inf, s_end=f.frac(s_end), dps=dps,
        method="taylor", n=f.n, steps=len(path.t0), t_final=f.frac(t_end))


# ------------------------------------------------------------------------------ checks
def _rank(rows) -> int:
    """Exact rank of a matrix of Fractions (Gaussian elimination)."""
    M = [list(r) for r in rows]
    rank, cols = 0, len(M[0])
    for c in range(cols):
        piv = next((i for i in range(rank, len(M)) if M[i][c] != 0), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        for i in range(len(M)):
            if i != rank and M[i][c] != 0:
                q = M[i][c] / M[rank][c]
                M[i] = [a - q * b for a, b in zip(M[i], M[rank])]
        rank += 1
    return rank


def _check_interpolable(problem: Problem) -> None:
    """``n`` samples: full row rank; shared weights also need an interpolator with beta > 0."""
    if problem.n == 1:
        if all(v == 0 for v in problem.X[0]):
            raise DomainError("x", "0", "a non-zero sample is required (x = 0: the flow never "
                              "moves)", CLAIM)
        if problem.param == "shared":
            x, y = problem.X[0], problem.y[0]
            ok = (y > 0 and any(v > 0 for v in x)) or (y < 0 and any(v < 0 for v in x)) or (
                y == 0 and any(v > 0 for v in x) and any(v < 0 for v in x))
            if not ok:
                raise DomainError(
                    "y", str(y), "shared weights keep beta > 0 along the flow, so an "
                    "interpolator with beta > 0 is required (y > 0 needs some x_i > 0, y < 0 "
                    "some x_i < 0, y = 0 both signs)", CLAIM)
        return
    if _rank(problem.X) < problem.n:
        raise DomainError("X", f"{problem.n} x {problem.d}, rank {_rank(problem.X)}",
                          "full row rank (rank n) is required for the flow to interpolate", CLAIM)
    if problem.param == "shared":
        from scipy.optimize import linprog

        Xf = np.array(problem.X, dtype=float)
        yf = np.array(problem.y, dtype=float)
        n, d = Xf.shape
        # maximise tau subject to X beta = y, beta_i >= tau, tau <= 1
        c = np.zeros(d + 1)
        c[-1] = -1.0
        A_ub = np.hstack([-np.eye(d), np.ones((d, 1))])
        res = linprog(c, A_ub=A_ub, b_ub=np.zeros(d), A_eq=np.hstack([Xf, np.zeros((n, 1))]),
                      b_eq=yf, bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
        if res.status != 0 or -res.fun <= 1e-12:
            raise DomainError("y", [str(v) for v in problem.y],
                              "shared weights keep beta > 0 along the flow, so an interpolator "
                              "X beta = y with beta > 0 is required", CLAIM)


def _check_problem(problem) -> Problem:
    if not isinstance(problem, Problem):
        raise DomainError("problem", problem, "a numerics.Problem is required")
    return problem


# -------------------------------------------------------------------------------- public
def gradient_flow(problem: Problem, dps: int = 30, *, method: str | None = None) -> FlowResult:
    r"""Gradient flow of ``problem``: limit, largest sharpness along the path, ``eta_c``.

    Statement
    ---------
    .. math:: \theta' = -\nabla L(\theta),\quad
              s_{GF} = \sup_{t \ge 0} \|\nabla^2 L(\theta(t))\|_2,\quad \eta_c = 2 / s_{GF},

    with ``rho = int_0^t r`` the path is ``beta = beta(X^T rho / n)`` in closed form (see the
    module docstring) and the limit solves ``X beta(X^T rho_inf / n) = y``.

    Parameters
    ----------
    problem : Problem
        Any parametrisation (``shared`` of any depth, ``product``, ``difference``). ``n > 1``
        needs ``X`` of full row rank; ``shared`` needs an interpolator with ``beta > 0``.
    dps : int, ``5 <= dps <= 100000``
        Decimal digits asked for, a whole number (the arithmetic carries ``dps + 10``). The
        cost grows quickly with ``dps`` (the ``n``-sample Taylor method has order ``~ 1.15 dps``).
    method : ``None``, ``"closed_form"`` (one sample only) or ``"taylor"``
        ``None``: the closed form for one sample, the Taylor ODE otherwise.

    Returns
    -------
    FlowResult

    Raises
    ------
    DomainError
        Not a :class:`Problem`, a bad ``dps`` or ``method``, rank-deficient ``X``, or a
        shared-weight problem with no interpolator ``beta > 0``.
    NoConvergence
        The ODE needed more than ``MAX_STEPS`` steps, or a root search failed.

    Notes
    -----
    ``s_GF`` is *not* always attained at the end of the path ([MFCKM26] R6 claims it is): it is
    when ``r(0) <= 0`` and ``2 |r(0)| x_max <= s_end`` (:func:`theory.sharpness_along_flow`),
    and it is not for large ``alpha`` (``r(0) > 0``), where the flow starts sharper than it ends
    (``x = (1, 1/2)``, ``y = 1``, ``alpha = 1``: ``s_GF = S(0) = (13 + sqrt(113))/4 = 5.9075...``
    against ``s_end = 3.2192...``). Observed, not proved: on one-sample instances the supremum
    sat at ``t = 0`` or at the end in every case tried (400 random instances, all
    parametrisations); with two samples it can sit strictly inside the path. A single run does
    not say which digits are right; use :func:`audited_flow`.

    References
    ----------
    [MFCKM26] Appendix B, R6; E5 (one scalar unknown); E3, E4 (product, difference).

    Examples
    --------
    A single run does not say which of its digits are right, so it is checked at a second
    precision and only the digits both runs share are printed (what :func:`audited_flow` does):

    >>> from numerics.audit import agree
    >>> from numerics.problem import Problem
    >>> problem = Problem([1, "1/2"], 1, "1/100")
    >>> res = gradient_flow(problem, dps=20)
    >>> res.s_gf_at_end, res.method
    (True, 'closed_form')
    >>> check = gradient_flow(problem, dps=40)
    >>> agree("eta_c", res.eta_c, check.eta_c, cap=20).text()
    '0.50124999609376831045'
    """
    problem = _check_problem(problem)
    dps = check_dps(dps)
    if method not in (None, "closed_form", "taylor"):
        raise DomainError("method", method, "None, 'closed_form' or 'taylor'")
    if method == "closed_form" and problem.n != 1:
        raise DomainError("method", method, "the closed form needs one sample (n = 1)", "E5")
    if method is None:
        method = "closed_form" if problem.n == 1 else "taylor"
    if method == "closed_form":
        _check_interpolable(problem)
        return _one_sample_flow(problem, dps)
    return _ode_flow(problem, dps)


def flow_state(problem: Problem, rho, dps: int = 30) -> dict:
    r"""The point of the gradient-flow path with integrated residual ``rho = int_0^t r``.

    Statement
    ---------
    .. math:: s = X^\top \rho / n,\qquad \theta_i = \theta_i(s_i),\ \beta_i = \beta_i(s_i)
              \ \text{(closed forms of the module docstring)}.

    Parameters
    ----------
    problem : Problem
    rho : a number (one sample) or a length-``n`` sequence of exact reals
    dps : int, ``5 <= dps <= 100000``

    Returns
    -------
    dict
        ``theta`` (tuple of ``k`` tuples of Fractions), ``beta``, ``r`` (tuples of Fractions).

    Raises
    ------
    DomainError
        Wrong length of ``rho``, or (shared depth ``D > 2``) a ``rho`` outside the path's domain.

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> st = flow_state(Problem([1, "1/2"], 1, "1/10"), 0, dps=10)
    >>> [float(b) for b in st["beta"]], float(st["r"][0])
    ([0.01, 0.01], -0.985)
    """
    from .problem import as_fraction

    problem = _check_problem(problem)
    dps = check_dps(dps)
    rs = [rho] if np.ndim(rho) == 0 else list(rho)
    if len(rs) != problem.n:
        raise DomainError("len(rho)", len(rs), f"one entry per sample (n = {problem.n})")
    f = _Flow(problem, dps)
    rh = [f.backend.scalar(as_fraction(v, f"rho[{m}]")) for m, v in enumerate(rs)]
    try:
        theta, beta, r, _ = f.state(rh)
    except _OutOfDomain:
        raise DomainError("rho", rs, "alpha^(2-D) + D (D-2) s_i > 0 (the path's domain)",
                          CLAIM) from None
    return {"theta": tuple(tuple(f.frac(v) for v in t) for t in theta),
            "beta": tuple(f.frac(v) for v in beta), "r": tuple(f.frac(v) for v in r)}


def flow_time(problem: Problem, R, dps: int = 30) -> Fraction:
    r"""The time at which the one-sample path reaches the integrated residual ``R`` (E5).

    Statement
    ---------
    .. math:: t(R) = \int_0^R \frac{dR'}{r(R')},\qquad R \text{ between } 0 \text{ and }
              R_\infty\ (t(R_\infty) = \infty).

    Parameters
    ----------
    problem : Problem with ``n = 1``
    R : exact real between 0 and ``R_inf`` (excluded)
    dps : int, ``5 <= dps <= 100000``

    Returns
    -------
    Fraction

    Raises
    ------
    DomainError
        ``n != 1``, or ``R`` not strictly between 0 and ``R_inf`` (0 itself is allowed).

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> flow_time(Problem([1, "1/2"], 1, "1/100"), 0)
    Fraction(0, 1)
    """
    from .problem import as_fraction

    problem = _check_problem(problem)
    dps = check_dps(dps)
    if problem.n != 1:
        raise DomainError("problem.n", problem.n, "one sample is required", "E5")
    _check_interpolable(problem)
    q = as_fraction(R, "R")
    f = _Flow(problem, dps)
    one = _OneSample(f)
    R_inf = one.R_inf()
    Rm = f.backend.scalar(q)
    if Rm != 0 and not (0 < Rm / R_inf < 1):
        raise DomainError("R", R, f"strictly between 0 and R_inf, which is about "
                          f"{float(R_inf):.6g} (rounded, not audited)", "E5")
    return f.frac(one.time(Rm))


def flow_at_times(problem: Problem, times, dps: int = 30, *, method: str | None = None) -> list:
    r"""``beta(t)`` along the gradient-flow path at the given times.

    Statement
    ---------
    One sample, ``method="closed_form"``: ``R(t)`` solves ``int_0^R dR'/r(R') = t`` (bracketed
    Newton, ``dt/dR = 1/r``), then ``beta = beta(x R)``. ``method="taylor"``: the dense output
    of the Taylor integration of ``rho' = r(rho)``. Two independent routes to the same path.

    Parameters
    ----------
    problem : Problem
    times : sequence of exact reals ``t >= 0``
    dps : int, ``5 <= dps <= 100000``
    method : ``None`` (closed form when ``n = 1``), ``"closed_form"`` or ``"taylor"``

    Returns
    -------
    list of tuples of Fractions, one ``beta`` per time.

    Raises
    ------
    DomainError
        A negative time, a bad ``method``.

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> [float(b) for b in flow_at_times(Problem([1, "1/2"], 1, "1/10"), [0], dps=10)[0]]
    [0.01, 0.01]
    """
    from .problem import as_fraction

    problem = _check_problem(problem)
    dps = check_dps(dps)
    ts = [as_fraction(t, f"times[{j}]") for j, t in enumerate(times)]
    for j, t in enumerate(ts):
        if t < 0:
            raise DomainError(f"times[{j}]", t, "t >= 0 is required")
    if method not in (None, "closed_form", "taylor"):
        raise DomainError("method", method, "None, 'closed_form' or 'taylor'")
    if method == "closed_form" and problem.n != 1:
        raise DomainError("method", method, "the closed form needs one sample (n = 1)", "E5")
    method = method or ("closed_form" if problem.n == 1 else "taylor")
    _check_interpolable(problem)
    f = _Flow(problem, dps)
    ctx = f.ctx
    out = []
    if method == "closed_form":
        one = _OneSample(f)
        R_inf = one.R_inf()
        for t in ts:
            T = f.backend.scalar(t)
            if T == 0 or R_inf == 0:
                R = ctx.mpf(0)
            else:
                def fdf(R, T=T):
                    return one.time(R) - T, 1 / one.r(R)

                R = _safe_newton(ctx, fdf, ctx.mpf(0), R_inf, -1, scale=abs(R_inf))
            out.append(tuple(f.frac(f.beta_of(xi * R)) for xi in one.x))
        return out
    path, rho_end, t_end = _integrate(f)
    for t in ts:
        T = f.backend.scalar(t)
        rho = path.rho(ctx, T) if T < t_end else _newton_limit(f, rho_end)
        out.append(tuple(f.frac(f.beta_of(si)) for si in f.s_of(rho)))
    return out
