"""Gradient flow on the shared one-sample model: path, limit, potential and sharpness (claim R6).

From ``w(0) = alpha 1`` the flow ``w' = -2 r (x*w)`` integrates to ``w_i(t) = alpha exp(-2 x_i R)``
with ``R(t) = int_0^t r``, so the whole path is a function of the one scalar ``R``:
``beta_i = alpha^2 exp(-4 x_i R)``. The residual keeps its sign and tends to zero
(``dr/dt = -4 r sum_i x_i^2 beta_i``), so ``beta_i`` moves monotonically toward the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import sympy as sp

from ._display import compact_repr
from ._enclosure import Enclosed, exp_sum_root, term_bounds
from ._exact import one_sample, positive_scalar
from .citations import cites
from .interpolators import min_norm_interpolator

__all__ = [
    "GradientFlowLimit",
    "SharpnessAlongFlow",
    "gradient_flow_path",
    "gradient_flow_equation",
    "gradient_flow_limit",
    "gradient_flow_potential",
    "gradient_flow_small_alpha_limit",
    "sharpness_along_flow",
]

CLAIM = "R6"
SOURCE = "[MFCKM26]"
R_SYMBOL = sp.Symbol("R", real=True)
LAMBDA = sp.Symbol("lambda", real=True)
#: Largest degree of the polynomial in ``exp(lambda / q)`` solved exactly by ``CRootOf`` (its
#: evaluation costs about 0.8 s at degree 100 and 11 s at degree 400)
MAX_EXACT_DEGREE = 64
#: Bits of the proved rational enclosure of ``lambda`` (about 38 decimal digits)
ENCLOSURE_BITS = 128


def _data(x, y, alpha):
    xs, ys = one_sample(x, y, CLAIM)
    a = positive_scalar(alpha, "alpha", CLAIM)
    return xs, ys, a


@cites(CLAIM, SOURCE)
def gradient_flow_path(x, y, alpha, R: sp.Expr = R_SYMBOL) -> tuple:
    r"""The gradient-flow path as a function of ``R = int_0^t r(s) ds`` (R6).

    Statement
    ---------
    .. math:: \beta_i(t) = \alpha^2 \exp(-4 x_i R(t)),\qquad R(t) = \int_0^t r(s)\,ds .

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    alpha : exact real, ``alpha > 0`` (``w(0) = alpha 1``)
    R : the integrated residual (a symbol by default)

    References
    ----------
    R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gradient_flow_path([1, "1/2"], 1, "1/10")
    (exp(-4*R)/100, exp(-2*R)/100)
    """
    xs, _, a = _data(x, y, alpha)
    return tuple(a**2 * sp.exp(-4 * xi * R) for xi in xs)


@cites(CLAIM, SOURCE)
def gradient_flow_equation(x, y, alpha, lam: sp.Symbol = LAMBDA) -> sp.Eq:
    r"""The equation for ``lambda = -4 R(infinity)`` that fixes the gradient-flow limit (R6).

    Statement
    ---------
    .. math:: \sum_i x_i \alpha^2 e^{\lambda x_i} = y .

    The left side is strictly increasing in ``lambda`` from 0 to infinity, so the root is
    unique.

    References
    ----------
    R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gradient_flow_equation([1, "1/2"], 1, "1/10")
    Eq(exp(lambda/2)/200 + exp(lambda)/100, 1)
    """
    xs, ys, a = _data(x, y, alpha)
    return sp.Eq(sum(xi * a**2 * sp.exp(lam * xi) for xi in xs), ys)


@compact_repr
@dataclass(frozen=True)
class GradientFlowLimit:
    """The gradient-flow limit and the quantities the paper derives from it.

    Attributes
    ----------
    lam : sympy expression
        The root ``lambda`` of :func:`gradient_flow_equation`: exact (``q log z`` with ``z`` an
        algebraic number) when ``x`` is rational with a small common denominator, otherwise the
        symbol ``lambda`` constrained by ``equation``.
    exact : bool
        Whether ``lam`` is an explicit exact number.
    equation : sympy.Eq
        The equation ``lam`` solves.
    beta : tuple
        ``alpha^2 exp(lam x_i)``.
    l1_norm, sharpness : sympy expressions
        ``||beta||_1`` and ``S = 4 sum x_i^2 beta_i`` at the limit.
    eta_c : sympy expression
        ``2 / sharpness``: the critical learning rate when the path's sharpness is largest at
        its end (see :func:`sharpness_along_flow`).
    lam_bounds : (Fraction, Fraction) or None
        Rationals ``lo < lambda < hi``, proved (:mod:`theory._enclosure`: exact integer
        arithmetic, no floats), about 38 digits apart; ``None`` for symbolic or irrational data.
    """

    lam: sp.Expr
    exact: bool
    equation: sp.Eq
    beta: tuple
    l1_norm: sp.Expr
    sharpness: sp.Expr
    eta_c: sp.Expr
    lam_bounds: tuple | None = None
    _data: tuple | None = None

    def enclosed(self, name: str, index: int | None = None) -> Enclosed:
        """``name`` (``"lam"``, ``"beta"`` with ``index``, ``"l1_norm"``, ``"sharpness"``,
        ``"eta_c"``) as its exact expression with its proved :meth:`bounds`."""
        expr = (self.equation if name == "lam" else self.beta[index] if name == "beta"
                else getattr(self, name))
        return Enclosed(expr, *self.bounds(name, index))

    def bounds(self, name: str, index: int | None = None) -> tuple[Fraction, Fraction] | None:
        """Proved rational bounds ``(lo, hi)`` on ``"lam"``, ``"beta"`` (coordinate ``index``),
        ``"l1_norm"``, ``"sharpness"`` or ``"eta_c"``, from :attr:`lam_bounds`: each is
        monotone in ``lambda`` (``beta_i = alpha^2 e^{lambda x_i}`` increases, ``eta_c``
        decreases), so the ends of the enclosure bound it. ``None`` without an enclosure.

        >>> g = gradient_flow_limit([1, "1/2"], 1, "1/100")
        >>> lo, hi = g.bounds("eta_c")
        >>> lo < sp.Rational(5012499960937684, 10**16) and hi > sp.Rational(5012499960937683,
        ...                                                                  10**16)
        True
        """
        if self.lam_bounds is None:
            return None
        lo, hi = self.lam_bounds
        if name == "lam":
            return lo, hi
        xs, a2, y = self._data
        if name == "beta":  # beta_i <= y / x_i
            return tuple(term_bounds(a2, lam * xs[index], y / xs[index], ENCLOSURE_BITS)[side]
                         for lam, side in ((lo, 0), (hi, 1)))
        # sum_i w_i beta_i, to relative 2^-128 of its least value on M (l1 >= y / x_max,
        # S >= 4 y x_min): a negligible term is bounded without evaluating it
        if name == "l1_norm":
            weights, scale = [Fraction(1)] * len(xs), y / max(xs)
        else:
            weights, scale = [4 * x * x for x in xs], 4 * y * min(xs)
        low, high = (sum(term_bounds(w * a2, lam * x, scale, ENCLOSURE_BITS)[side]
                         for w, x in zip(weights, xs)) for lam, side in ((lo, 0), (hi, 1)))
        return (2 / high, 2 / low) if name == "eta_c" else (low, high)


def _exact_root(xs, ys, a):
    """``lambda`` exactly, via ``z = exp(lambda/q)`` when ``x_i = p_i / q`` are rationals."""
    if not all(v.is_Rational for v in (*xs, ys, a**2)):
        return None
    q = lcm(*[int(xi.q) for xi in xs])
    powers = [int(xi * q) for xi in xs]
    if max(powers) > MAX_EXACT_DEGREE:
        return None
    z = sp.Symbol("z", positive=True)
    poly = sp.Poly(sum(xi * a**2 * z**p for xi, p in zip(xs, powers)) - ys, z)
    # Coefficients: positive, then -y: one sign change, so exactly one positive root, which is
    # the largest real root (Descartes).
    count = poly.count_roots()
    root = sp.rootof(poly, count - 1)
    return root, q, powers


@cites(CLAIM, SOURCE)
def gradient_flow_limit(x, y, alpha) -> GradientFlowLimit:
    r"""The limit of gradient flow from ``w(0) = alpha 1``, exactly (R6).

    Statement
    ---------
    .. math:: \beta^{GF}_i = \alpha^2 e^{\lambda x_i}, \qquad
              \sum_i x_i\alpha^2 e^{\lambda x_i} = y,

    with sharpness ``s = 4 sum_i x_i^2 beta^GF_i`` and ``eta_c = 2 / s``. When all ``x_i`` are
    rationals ``p_i / q``, ``z = exp(lambda / q)`` is the unique positive root of the polynomial
    ``sum_i x_i alpha^2 z^(p_i) - y``, so ``beta^GF_i = alpha^2 z^(p_i)`` is an algebraic number.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    alpha : exact real, ``alpha > 0``

    Returns
    -------
    GradientFlowLimit

    Notes
    -----
    ``eta_c = 2 / S(beta_GF)``: the linear-stability threshold of the flow's limit. The
    specification's ``eta_c = 2 / s_GF`` assumed that the largest sharpness along the path is
    attained at its end; :func:`sharpness_along_flow` says when theory guarantees it, and why
    (where it does not) ``2 / S(beta_GF)`` is kept. Rewritten from ``R``:
    ``lambda = -4 R(infinity)``.

    References
    ----------
    R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> g = gradient_flow_limit([1, "1/2"], 1, "1/100")
    >>> g.beta[1]
    -1/40000 + sqrt(160001)/40000
    >>> g.eta_c.evalf(6)
    0.501250
    """
    xs, ys, a = _data(x, y, alpha)
    equation = gradient_flow_equation(xs, ys, a)
    enclosure = _enclosure(xs, ys, a)
    found = _exact_root(xs, ys, a)
    if found is None:
        lam, exact = LAMBDA, False
        beta = tuple(a**2 * sp.exp(lam * xi) for xi in xs)
    else:
        root, q, powers = found
        lam, exact = q * sp.log(root), True
        beta = tuple(sp.expand(a**2 * root**p) for p in powers)
    sharp = sp.expand(4 * sum(xi**2 * bi for xi, bi in zip(xs, beta)))
    return GradientFlowLimit(
        lam, exact, equation, beta, sp.expand(sum(beta)), sharp, 2 / sharp,
        *(enclosure or (None, None)))


def _fraction(v) -> Fraction:
    return Fraction(int(v.p), int(v.q))


def _enclosure(xs, ys, a):
    """``(lam_bounds, (x, alpha^2))`` as Fractions for rational data with ``x > 0``, else
    ``None`` (symbols, irrational numbers)."""
    if not all(v.is_Rational for v in (*xs, ys, a)) or any(v <= 0 for v in xs):
        return None
    x = [_fraction(v) for v in xs]
    a2 = _fraction(a) ** 2
    y = _fraction(ys)
    return exp_sum_root([a2 * v for v in x], x, y, ENCLOSURE_BITS), (x, a2, y)


@cites(CLAIM, SOURCE)
def gradient_flow_potential(alpha, beta) -> sp.Expr:
    r"""The potential minimised on ``M`` by the gradient-flow limit (R6).

    Statement
    ---------
    .. math:: \Phi_\alpha(\beta) = \sum_i \beta_i \log(\beta_i/\alpha^2) - \beta_i ,
              \qquad \beta^{GF} = \arg\min_{\beta \in M} \Phi_\alpha(\beta),

    with ``0 log 0 = 0``. The stationarity condition ``log(beta_i / alpha^2) = lambda x_i`` of
    the Lagrangian is the form of R6's limit, and ``Phi`` is strictly convex.

    Parameters
    ----------
    alpha : exact real, ``alpha > 0``
    beta : sequence of exact reals, ``beta_i >= 0``

    References
    ----------
    R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gradient_flow_potential(1, [1, 0])
    -1
    """
    from ._exact import exact_vector, require_nonnegative

    a = positive_scalar(alpha, "alpha", CLAIM)
    bs = exact_vector(beta, "beta", claim=CLAIM)
    for i, b in enumerate(bs):
        require_nonnegative(b, f"beta[{i}]", CLAIM)
    return sum((0 if b == 0 else b * sp.log(b / a**2)) - b for b in bs)


@cites(CLAIM, SOURCE)
def gradient_flow_small_alpha_limit(x, y) -> tuple:
    r"""The ``alpha -> 0`` limit of the gradient-flow limit (R6).

    Statement
    ---------
    .. math:: \lim_{\alpha\to 0}\beta^{GF}(\alpha) = \beta^N \ \text{(no ties)}; \qquad
              \text{with } k \text{ coordinates at } x_{\max}:\ \beta_i \to \frac{y}{k\,x_{\max}}
              \text{ on them.}

    As ``alpha -> 0``, ``lambda -> infinity`` and ``beta_i / beta_j = exp(lambda (x_i - x_j))``
    vanishes unless ``x_i = x_max``; tied coordinates stay equal. So the limit is the centroid
    of the minimum-norm face, which is :attr:`Interpolator.beta` of R2.

    Notes
    -----
    The shared specification states ``beta^GF -> beta^N``; with ties in ``x_max`` the minimum-norm
    interpolator is a face, and the flow picks its centroid.

    References
    ----------
    R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gradient_flow_small_alpha_limit([2, 2, 1], 1)
    (1/4, 1/4, 0)
    """
    xs, ys = one_sample(x, y, CLAIM)
    return min_norm_interpolator(xs, ys).beta


@compact_repr
@dataclass(frozen=True)
class SharpnessAlongFlow:
    """What theory can say about where the path's largest sharpness is attained.

    Attributes
    ----------
    end : sympy expression
        The sharpness at the limit, ``4 sum x_i^2 beta^GF_i``.
    initial_residual : sympy expression
        ``r(0) = alpha^2 sum x_i - y``.
    lambda_max_at_end : bool or None
        ``True`` when ``sup_t lambda_max(t) = end`` is proved (``r(0) <= 0``), ``None`` when
        theory does not decide (numerics must).
    S_at_end : bool or None
        The same for ``S = max |eigenvalue|``: proved when ``r(0) <= 0`` and
        ``2 |r(0)| x_max <= end``; else ``None``.
    """

    end: sp.Expr
    initial_residual: sp.Expr
    lambda_max_at_end: bool | None
    S_at_end: bool | None


@cites(CLAIM, SOURCE)
def sharpness_along_flow(x, y, alpha) -> SharpnessAlongFlow:
    r"""Sufficient conditions for the path's largest sharpness to sit at its end (R6).

    Statement
    ---------
    Along the flow ``H(t) = 4 v v^T + 2 r diag(x)`` with ``v = x*w``. If ``r(0) <= 0`` then
    ``r(t)`` rises to 0 and every ``beta_i(t)`` rises, so

    .. math:: \lambda_{\max}(H(t)) \le 4|v(t)|^2 \le 4|v(\infty)|^2 = s_{end},\qquad
              \lambda_{\min}(H(t)) \ge 2 r(t) x_{\max} \ge 2 r(0) x_{\max}.

    Hence ``sup lambda_max = s_end`` whenever ``r(0) <= 0``, and ``sup S = s_end`` when also
    ``2 |r(0)| x_max <= s_end``. That test is first tried against the root-free lower bound
    ``s_end >= 4 y sum x_i^2 / sum x_i`` (the limit's weights ``p_i ~ x_i exp(lambda x_i)``,
    ``lambda >= 0``, tilt the mean of ``x`` upward). Otherwise the supremum may sit inside the
    path or at ``t = 0``: for ``r(0) > 0`` (large ``alpha``) the flow descends from a sharper
    start.

    Notes
    -----
    Corrected from the specification. Original statement: ``s_GF``, the largest sharpness
    along the gradient-flow path, is attained at its end, so that ``eta_c = 2 / s_GF =
    2 / S(beta_GF)``. It holds under the conditions above and fails for large ``alpha``: with
    ``r(0) > 0`` the flow starts sharper than it ends (``x = (1, 1), y = 1, alpha = 2``; a
    counterexample is produced by ``normsharp counterexample s-gf-attained-at-end``). The
    supremum then sits at ``t = 0``, a point that is not stationary, where linear stability
    says nothing about GD; so ``eta_c`` stays ``2 / S(beta_GF)``, the linear-stability
    threshold of the flow's limit (:func:`gradient_flow_limit`), and ``2 / sup S`` along the
    path is a separate quantity.

    References
    ----------
    R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> s = sharpness_along_flow([1, "1/2"], 1, "1/100")
    >>> s.lambda_max_at_end, s.S_at_end
    (True, True)
    >>> sharpness_along_flow([1, "1/2"], 1, 1).lambda_max_at_end is None
    True
    """
    xs, ys, a = _data(x, y, alpha)
    limit = gradient_flow_limit(xs, ys, a)
    r0 = sp.expand(a**2 * sum(xs) - ys)
    from ._exact import decide
    from .errors import NotDecidable

    try:
        if not decide(r0 <= 0, "the sign of r(0)", CLAIM):
            return SharpnessAlongFlow(limit.sharpness, r0, None, None)
    except NotDecidable:
        return SharpnessAlongFlow(limit.sharpness, r0, None, None)
    xmax = sp.Max(*xs)
    covered = None
    # s_end = 4 y E_p[x] with p_i proportional to x_i exp(lambda x_i), lambda >= 0 when
    # r(0) <= 0; tilting by exp(lambda x) raises the mean (its derivative is a variance), so
    # s_end >= 4 y sum x_i^2 / sum x_i: a sufficient test that needs no root. Then the test
    # against s_end itself, when sympy can decide it.
    for bound in (4 * ys * sum(xi**2 for xi in xs) / sum(xs), limit.sharpness):
        try:
            if decide(-2 * r0 * xmax <= bound, "2 |r(0)| x_max <= s_end", CLAIM):
                covered = True
                break
        except NotDecidable:
            continue
    return SharpnessAlongFlow(limit.sharpness, r0, True, covered)
