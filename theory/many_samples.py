r"""Interpolation with ``n`` samples: the least norm and sharpness of a factorisation (E2), and the
duality certificates of the minimum-norm (N1) and minimum-sharpness (N2) interpolators and the
gradient-flow potential of ``n`` samples (N3).

Statement
---------
For data ``X`` (``n x d``), ``y`` and a parametrisation, E2 minimises over the factorisations
``theta`` of a fixed ``beta``:

=================  ================================  =========================================
parametrisation    ``min ||theta||^2``                ``min S(theta)`` on zero loss
=================  ================================  =========================================
``product``        ``2 ||beta||_1``                   ``(2/n) lambda_max(X diag|beta| X^T)``
``difference``     ``||beta||_1``                     ``(4/n) lambda_max(X diag|beta| X^T)``
``shared`` depth D ``sum beta_i^(2/D)`` (beta >= 0)   ``(D^2/n) lambda_max(X diag beta^(2-2/D)
                                                      X^T)``
=================  ================================  =========================================

The minimum-norm interpolator minimises the first column over ``X beta = y`` (a linear program
for depth 2), the minimum-sharpness one the second (a semidefinite program for depth 2).

* N1 (weak duality of the LP): for every ``nu`` with ``||X^T nu||_inf <= 1``
  (``X^T nu <= 1`` for shared, ``beta >= 0``) and every interpolator ``beta``,
  ``||beta||_1 >= y^T nu``; equality certifies optimality.
* N2 (weak duality of the SDP): for every PSD ``Z`` of trace one and every ``nu``,
  ``lambda_max(X diag phi(|beta|) X^T) >= y^T nu - sum_i sup_b (c_i b - w_i phi(b))`` with
  ``w_i = a_i^T Z a_i``, ``c = X^T nu``.
* N3 (gradient flow, ``n`` samples): the flow from ``theta_0(alpha)`` converges to the
  interpolator minimising a potential whose gradient is the flow's mirror map:
  ``Q_alpha`` of E4 for difference, ``Q_{alpha/sqrt 2}`` for product (the product path
  ``beta = -alpha^2 sinh(2 s)`` is the difference path ``-2 a^2 sinh(4 s)`` with
  ``a^2 = alpha^2 / 2`` and time rescaled), and ``sum beta log(beta/alpha^2) - beta`` (R6's) for
  shared depth 2.

Notes
-----
E2 of the specification states the product's scaling (``2/n``, ``D/n`` and ``D sum |beta|^(2/D)``
for ``D`` factors ``u_1 ... u_D``). The difference parametrisation has ``|J_i|^2 = 4(u^2 + v^2)``
and ``u^2 - v^2 = beta`` is minimised at ``min(u^2 + v^2) = |beta|``, hence ``4/n``; shared depth
``D`` has one weight vector (``|J_i|^2 = D^2 w^(2D-2)``, ``||w||^2 = sum beta^(2/D)``), so its
factor is ``D^2/n`` and its norm carries no factor ``D``. A test derives each row from
:mod:`theory.parametrisations`.

References
----------
E2, N1 and N2, [MFCKM26] arXiv 2505.21423; E4 and N3, [WGL20] arXiv 2002.09277; as reconstructed in
the project's specification.
N1-N3 are the package's ``n``-sample statements built on E2 and E4.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._exact import exact_matrix, exact_vector
from .citations import cites
from .errors import DomainError, NotDecidable
from .general_networks import woodworth_potential
from .parametrisations import parametrisation

__all__ = ["NormCertificate", "parameter_norm_sq", "sharpness_weights", "least_sharpness",
           "min_norm_certificate", "sharpness_dual_bound", "flow_potential",
           "flow_mirror_map"]

SOURCES = {
    "E2": "[MFCKM26]",
    "N1": "[MFCKM26]",
    "N2": "[MFCKM26]",
    "N3": "[WGL20]",
}


def _rule(param, depth, claim):
    """``(kappa, p, signed)`` of the table in the module notes."""
    P = parametrisation(param, depth, claim=claim)
    if P.name == "product":
        return sp.Integer(2), sp.Integer(1), True
    if P.name == "difference":
        return sp.Integer(4), sp.Integer(1), True
    D = P.depth
    return sp.Integer(D * D), 2 - sp.Rational(2, D), False


def _beta(beta, signed, claim):
    b = exact_vector(beta, "beta", claim=claim)
    if not signed:
        for i, v in enumerate(b):
            if v.is_negative:
                raise DomainError(f"beta[{i}]", v, "beta >= 0 is required (shared weights)",
                                  claim)
    return b


def _data(X, y, claim):
    Xm = exact_matrix(X, "X", claim=claim)
    ys = exact_vector(y, "y", claim=claim)
    if len(ys) != Xm.shape[0]:
        raise DomainError("len(y)", len(ys), f"one label per row of X ({Xm.shape[0]})", claim)
    return Xm, ys


@cites("E2", SOURCES["E2"])
def parameter_norm_sq(beta, param: str = "product", depth: int = 2) -> sp.Expr:
    r"""The least parameter norm ``min ||theta||^2`` over the factorisations of ``beta`` (E2).

    Statement
    ---------
    .. math:: \text{product: } 2\|\beta\|_1,\quad \text{difference: } \|\beta\|_1,\quad
              \text{shared depth } D:\ \textstyle\sum_i \beta_i^{2/D}\ (\beta \ge 0).

    Notes
    -----
    Product: ``u^2 + v^2 >= 2|uv|`` (AM-GM, equality when balanced). Difference:
    ``u^2 - v^2 = beta`` gives ``u^2 + v^2 >= |beta|`` (one factor zero). Shared: ``w`` is
    determined by ``beta`` up to sign. E2's ``D sum |beta_i|^(2/D)`` is the norm of ``D``
    separate factors, not of ``beta = w^D``.

    References
    ----------
    E2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> parameter_norm_sq([3, -1]), parameter_norm_sq([8, 1], "shared", 3)
    (8, 5)
    """
    _, _, signed = _rule(param, depth, "E2")
    b = _beta(beta, signed, "E2")
    P = parametrisation(param, depth)
    if P.name == "product":
        return 2 * sum(sp.Abs(v) for v in b)
    if P.name == "difference":
        return sum(sp.Abs(v) for v in b)
    return sum(v ** sp.Rational(2, P.depth) for v in b)


@cites("E2", SOURCES["E2"])
def sharpness_weights(beta, param: str = "product", depth: int = 2) -> tuple:
    r"""The Gram weights of the flattest factorisation of ``beta`` (E2).

    Statement
    ---------
    ``min |J_i|^2`` over ``theta_i`` with ``beta(theta_i) = beta_i``:

    .. math:: \text{product: } 2|\beta_i|,\quad \text{difference: } 4|\beta_i|,\quad
              \text{shared depth } D:\ D^2 \beta_i^{2-2/D},

    so the least zero-loss sharpness is ``(1/n) lambda_max(X diag(weights) X^T)`` (E1, E2).

    References
    ----------
    E2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> sharpness_weights([3, -1]), sharpness_weights([8], "shared", 3)
    ((6, 2), (144,))
    """
    kappa, p, signed = _rule(param, depth, "E2")
    b = _beta(beta, signed, "E2")
    return tuple(kappa * sp.Abs(v) ** p for v in b)


def _lambda_max(M: sp.Matrix) -> sp.Expr:
    if M.is_zero_matrix:
        return sp.Integer(0)
    if M.shape == (1, 1):
        return M[0, 0]
    if any(not v.is_Rational for v in M):
        raise NotDecidable("the largest eigenvalue of a matrix with irrational entries", "E2")
    return max(M.charpoly().real_roots())


@cites("E2", SOURCES["E2"])
def least_sharpness(X, beta, param: str = "product", depth: int = 2) -> sp.Expr:
    r"""The least zero-loss sharpness over the factorisations of ``beta`` (E2), exactly.

    Statement
    ---------
    .. math:: S(\beta) = \tfrac1n \lambda_{\max}\big(X \operatorname{diag}(c(\beta))
              X^\top\big)

    with the weights ``c`` of :func:`sharpness_weights`: a rational number or a ``CRootOf`` of
    the characteristic polynomial (an exact algebraic number).

    Raises
    ------
    NotDecidable
        ``n > 1`` with irrational weights (shared depth ``D > 2``): no exact eigenvalue here.

    References
    ----------
    E2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> least_sharpness([[1, 2]], [3, -1])
    14
    >>> least_sharpness([[1, 0], [0, 1]], [1, 2], "difference")
    4
    """
    Xm = exact_matrix(X, "X", claim="E2")
    w = sharpness_weights(beta, param, depth)
    if len(w) != Xm.shape[1]:
        raise DomainError("len(beta)", len(w), f"one entry per column of X ({Xm.shape[1]})",
                          "E2")
    n = Xm.shape[0]
    return _lambda_max(Xm * sp.diag(*w) * Xm.T) / n


@dataclass(frozen=True)
class NormCertificate:
    """The exact optimality conditions of a minimum-norm candidate ``(beta, nu)`` (N1).

    Attributes
    ----------
    interpolates : ``X beta = y`` (and ``beta >= 0`` for shared)
    dual_feasible : ``||X^T nu||_inf <= 1`` (``X^T nu <= 1`` for shared)
    l1_norm, dual_value : ``||beta||_1`` and ``y^T nu``
    gap : ``l1_norm - dual_value`` (``>= 0`` whenever both are feasible)
    optimal : all of the above with a zero gap
    """

    interpolates: bool
    dual_feasible: bool
    l1_norm: sp.Expr
    dual_value: sp.Expr
    gap: sp.Expr
    optimal: bool


@cites("N1", SOURCES["N1"])
def min_norm_certificate(X, y, beta, nu, param: str = "product") -> NormCertificate:
    r"""Check a dual certificate of the minimum-norm interpolator, exactly (N1).

    Statement
    ---------
    For every interpolator ``X beta' = y`` and every ``nu`` with ``||X^T nu||_inf <= 1``:

    .. math:: y^\top\nu = \beta'^\top X^\top \nu \le \|\beta'\|_1\,\|X^\top\nu\|_\infty
              \le \|\beta'\|_1,

    (shared, ``beta' >= 0``: ``X^T nu <= 1`` suffices), so a feasible pair with
    ``||beta||_1 = y^T nu`` proves ``beta`` optimal (the minimum-norm interpolator of depth 2).

    References
    ----------
    E2's linear program; N1, [MFCKM26] arXiv 2505.21423, as reconstructed in the
    project's specification.

    Examples
    --------
    >>> c = min_norm_certificate([[1, 2]], [2], [0, 1], ["1/2"])
    >>> c.optimal, c.gap
    (True, 0)
    """
    _, _, signed = _rule(param, 2, "N1")
    Xm, ys = _data(X, y, "N1")
    b = exact_vector(beta, "beta", claim="N1")
    v = exact_vector(nu, "nu", claim="N1")
    if len(b) != Xm.shape[1] or len(v) != Xm.shape[0]:
        raise DomainError("beta, nu", (len(b), len(v)), f"lengths d = {Xm.shape[1]} and "
                          f"n = {Xm.shape[0]}", "N1")
    fit = list(Xm * sp.Matrix(b)) == list(ys) and (signed or all(x >= 0 for x in b))
    c = Xm.T * sp.Matrix(v)
    dual = all((abs(x) if signed else x) <= 1 for x in c)
    l1 = sum(sp.Abs(x) for x in b)
    val = sum(a * w for a, w in zip(ys, v))
    gap = sp.simplify(l1 - val)
    return NormCertificate(bool(fit), bool(dual), l1, val, gap, bool(fit and dual and gap == 0))


@cites("N2", SOURCES["N2"])
def sharpness_dual_bound(X, y, Q, nu, param: str = "product", depth: int = 2) -> sp.Expr:
    r"""A lower bound of the least sharpness of every interpolator, from any ``(Q, nu)`` (N2).

    Statement
    ---------
    With ``Z = Q Q^T / ||Q||_F^2`` (PSD, trace one), ``w_i = a_i^T Z a_i``, ``c = X^T nu`` and
    the weights ``kappa phi(|beta_i|)`` of :func:`sharpness_weights` (``phi(b) = b^p``):
    ``lambda_max(A) >= <Z, A>``, so for every interpolator ``X beta = y``

    .. math:: S(\beta) \ge \tfrac{\kappa}{n}\Big(s\, y^\top\nu - \sum_i \sup_b
              \big(s c_i b - w_i \phi(b)\big)\Big),

    where ``b`` ranges over ``R`` (product, difference; ``phi(|b|)``) or ``b >= 0`` (shared).
    For ``p = 1`` the supremum vanishes when ``|s c_i| <= w_i`` (``s c_i <= w_i`` for shared),
    and ``s = min(1, w_i / |c_i|)`` makes it so; for ``p > 1`` (``s = 1``) it is
    ``(p - 1) (c_i^+ / p)^{p/(p-1)} w_i^{-1/(p-1)}``. The bound returned is that value floored
    at 0 (``S >= 0``).

    Parameters
    ----------
    X : n x d exact matrix; y : n exact labels
    Q : n x m exact matrix, not zero; nu : n exact reals
    param, depth : the parametrisation

    References
    ----------
    E2's semidefinite program; N2, [MFCKM26] arXiv 2505.21423, as reconstructed in the
    project's specification.

    Examples
    --------
    One sample ``x = (1, 2)``, ``y = 2``: ``S* = 2 |y| min|x_i| = 4`` (product), attained:

    >>> sharpness_dual_bound([[1, 2]], [2], [[1]], [1])
    4
    """
    kappa, p, signed = _rule(param, depth, "N2")
    Xm, ys = _data(X, y, "N2")
    Qm = exact_matrix(Q, "Q", claim="N2")
    v = sp.Matrix(exact_vector(nu, "nu", claim="N2"))
    n, d = Xm.shape
    if Qm.shape[0] != n or len(v) != n:
        raise DomainError("Q, nu", (Qm.shape, len(v)), f"Q with n = {n} rows and n entries "
                          "of nu", "N2")
    tr = sum(q * q for q in Qm)
    if tr == 0:
        raise DomainError("Q", Qm, "a non-zero matrix (Z = Q Q^T / tr)", "N2")
    QA = Qm.T * Xm
    w = [sum(QA[j, i] ** 2 for j in range(QA.shape[0])) / tr for i in range(d)]
    c = list(Xm.T * v)
    yn = sum(a * b for a, b in zip(ys, v))
    if p == 1:
        ratios = [w[i] / (abs(c[i]) if signed else c[i]) for i in range(d)
                  if (c[i] != 0 if signed else c[i] > 0)]
        bound = min([sp.Integer(1)] + ratios) * yn
    else:
        q = p / (p - 1)
        loss = 0
        for ci, wi in zip(c, w):
            ci = abs(ci) if signed else ci
            if ci > 0:
                if wi == 0:
                    return sp.Integer(0)
                loss += (p - 1) * (ci / p) ** q * wi ** (1 - q)
        bound = yn - loss
    return sp.Max(0, kappa * bound / n)


def _flow_param(param, claim):
    P = parametrisation(param, claim=claim)
    if P.depth != 2:
        raise DomainError("depth", P.depth, "depth 2 (the potential of D > 2 is not stated)",
                          claim)
    return P


@cites("N3", SOURCES["N3"])
def flow_potential(beta, alpha, param: str = "difference") -> sp.Expr:
    r"""The potential whose minimiser on ``X beta = y`` is the gradient-flow limit (N3).

    Statement
    ---------
    .. math:: \text{difference: } Q_\alpha(\beta)\ (\text{E4}),\qquad
              \text{product: } Q_{\alpha/\sqrt2}(\beta),\qquad
              \text{shared: } \textstyle\sum_i \beta_i\log(\beta_i/\alpha^2) - \beta_i,

    whose gradients :func:`flow_mirror_map` equal ``-4 s``, ``-2 s`` and ``-4 s`` along the flow
    (``s = X^T int r / n``): in the row space of ``X``, the KKT condition of the minimiser.

    References
    ----------
    E4; N3 (product and shared), [WGL20] arXiv 2002.09277, as reconstructed in the
    project's specification.

    Examples
    --------
    >>> flow_potential([0, 0], 1, "product")
    0
    """
    P = _flow_param(param, "N3")
    a2 = exact_vector([alpha], "alpha", claim="N3")[0] ** 2
    if P.name == "difference":
        return woodworth_potential(alpha, beta)
    b = exact_vector(beta, "beta", claim="N3")
    if P.name == "product":
        return woodworth_potential(sp.sqrt(a2 / 2), b)
    return sum(v * sp.log(v / a2) - v for v in b)


@cites("N3", SOURCES["N3"])
def flow_mirror_map(beta, alpha, param: str = "difference") -> tuple:
    r"""The gradient of :func:`flow_potential`: the gradient-flow limit ``beta`` has
    ``flow_mirror_map(beta)`` in the row space of ``X`` (N3).

    Statement
    ---------
    .. math:: \text{difference: } \operatorname{arcsinh}\frac{\beta_i}{2\alpha^2},\qquad
              \text{product: } \operatorname{arcsinh}\frac{\beta_i}{\alpha^2},\qquad
              \text{shared: } \log\frac{\beta_i}{\alpha^2}.

    References
    ----------
    E4; N3, [WGL20] arXiv 2002.09277, as reconstructed in the project's specification.

    Examples
    --------
    >>> flow_mirror_map([0], 1, "product")
    (0,)
    """
    P = _flow_param(param, "N3")
    a2 = exact_vector([alpha], "alpha", claim="N3")[0] ** 2
    b = exact_vector(beta, "beta", claim="N3")
    if P.name == "difference":
        return tuple(sp.asinh(v / (2 * a2)) for v in b)
    if P.name == "product":
        return tuple(sp.asinh(v / a2) for v in b)
    return tuple(sp.log(v / a2) for v in b)

