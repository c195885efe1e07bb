"""Exact statements of the general diagonal-network claims E1 to E5, for the registry.

The theory layer encodes the one-sample shared model (R1 to R9). The claims E1 to E5 of the
specification concern the ``product`` (``beta = u*v``) and ``difference``
(``beta = u*u - v*v``) parametrisations with ``n`` samples. Their exact forms live here,
written with sympy and Fractions only (no floats), each citing its claim as the other theory
functions do. Parameters are ordered ``(u_1..u_d, v_1..v_d)``.

Loss ``L = 1/(2n) ||X beta - y||^2``, residual ``r = X beta - y``, ``g = X^T r / n``.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ._exact import exact
from .citations import cites
from .errors import DomainError
from .parametrisations import SYMPY, parametrisation

__all__ = [
    "SOURCES", "hessian_formula", "gram_form", "least_sharpness_matrix", "least_param_norm",
    "product_gd_invariants", "woodworth_q", "woodworth_potential", "woodworth_gradient",
    "one_sample_flow_path", "one_sample_flow_residual", "E_FUNCTIONS",
]

SOURCES = {
    "E1": "[MFCKM26]",
    "E2": "[MFCKM26]",
    "E3": "[EPGF23]",
    "E4": "[WGL20]",
    "E5": "[MFCKM26]",
}


def _Q(v, name: str = "value") -> sp.Expr:
    return exact(v, name)


def _mat(X) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([[_Q(v) for v in row] for row in X])


def _vec(v) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([_Q(a) for a in v])


def _two_block(param, claim: str = "E1"):
    """The product or difference parametrisation called ``param`` (E1's two-block networks)."""
    P = parametrisation(param, claim=claim)
    if P.blocks != 2:
        raise DomainError("param", param, "'product' or 'difference' is required", claim)
    return P


def _beta(param, u, v):
    P = _two_block(param)
    return [P.beta((a, b)) for a, b in zip(u, v, strict=True)]


@cites("E1", SOURCES["E1"])
def hessian_formula(X, y, u, v, param: str = "product") -> sp.ImmutableMatrix:
    r"""The Hessian of ``L(u, v)`` in closed form, at any point (E1).

    Statement
    ---------
    .. math:: H = J^\top J + \begin{bmatrix} 0 & \operatorname{diag} g\\
              \operatorname{diag} g & 0\end{bmatrix}, \qquad
              J = n^{-1/2} X [\operatorname{diag} v \mid \operatorname{diag} u]

    for ``product``; for ``difference`` ``J = n^{-1/2} X [diag 2u | diag -2v]`` and the second
    term is ``diag(2g, -2g)``.

    Parameters
    ----------
    X : n x d exact matrix; y : n exact labels; u, v : d exact reals
    param : ``"product"`` or ``"difference"``

    References
    ----------
    E1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    Here ``beta = 0``, ``r = -1``, ``g = (-1, -2)`` and ``J = (0, 2, 1, 0)``:

    >>> hessian_formula([[1, 2]], [1], [1, 0], [0, 1])
    Matrix([
    [ 0,  0, -1,  0],
    [ 0,  4,  2, -2],
    [-1,  2,  1,  0],
    [ 0, -2,  0,  0]])
    """
    Xm = _mat(X)
    n, d = Xm.shape
    P = _two_block(param)
    u, v = [_Q(a) for a in u], [_Q(a) for a in v]
    beta = _vec(_beta(param, u, v))
    r = Xm * beta - _vec(y)
    g = (Xm.T * r) / n
    Js = [P.jacobians((a, b)) for a, b in zip(u, v, strict=True)]
    J = Xm * sp.diag(*[j[0] for j in Js]).row_join(sp.diag(*[j[1] for j in Js]))
    second = sp.zeros(2 * d, 2 * d)
    for i in range(d):
        B = P.hessians((u[i], v[i]))
        for a in range(2):
            for b in range(2):
                second[a * d + i, b * d + i] = g[i] * B[a][b]
    return sp.ImmutableMatrix(J.T * J / n + second)


@cites("E1", SOURCES["E1"])
def gram_form(X, u, v, param: str = "product") -> sp.ImmutableMatrix:
    r"""The ``n x n`` Gram form whose spectrum is the zero-loss Hessian's non-zero spectrum (E1).

    Statement
    ---------
    .. math:: S = \lambda_{\max}(J J^\top)
              = \tfrac1n \lambda_{\max}\big(X \operatorname{diag}(|J_i|^2) X^\top\big),
              \quad |J_i|^2 = u_i^2 + v_i^2\ (\text{product}),\ 4(u_i^2+v_i^2)\ (\text{difference}),

    on the zero-loss set; the other ``2d - rank J`` eigenvalues of ``H`` are zero.

    Notes
    -----
    Corrected from the specification. Original statement: "the 2d x 2d Hessian has a
    (2d - n)-fold zero eigenvalue there". On the zero-loss set ``H = J^T J`` (the gradient term
    vanishes), whose kernel has dimension ``2d - rank J``; ``rank J = n`` only when the rows of
    ``J`` are independent. With dependent samples (a repeated row of ``X``), or a zero column
    of ``J`` (``u_i = v_i = 0``) leaving fewer than ``n`` independent rows, ``rank J < n`` and
    the multiplicity exceeds ``2d - n`` (e.g. ``X = [[1, 1], [1, 1]]``: ``rank J = 1``, three
    zero eigenvalues, not two). The non-zero spectrum is still that of ``J J^T``.

    References
    ----------
    E1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gram_form([[1, 2]], [1, 0], [0, 1])
    Matrix([[5]])
    """
    Xm = _mat(X)
    n = Xm.shape[0]
    P = _two_block(param)
    js = [P.jacobian_sq((_Q(a), _Q(b))) for a, b in zip(u, v, strict=True)]
    return sp.ImmutableMatrix(Xm * sp.diag(*js) * Xm.T / n)


@cites("E2", SOURCES["E2"])
def least_sharpness_matrix(X, beta, depth: int = 2) -> sp.ImmutableMatrix:
    r"""The Gram form of the flattest factorisation of ``beta`` (E2).

    Statement
    ---------
    ``u_i^2 + v_i^2 >= 2 |beta_i|`` with equality iff ``|u_i| = |v_i|``, hence

    .. math:: \min_{u v = \beta} S = \tfrac{2}{n}\lambda_{\max}\big(X\operatorname{diag}|\beta|
              X^\top\big), \qquad \text{depth } D:\ \tfrac{D}{n}\lambda_{\max}\big(X
              \operatorname{diag}|\beta|^{2-2/D} X^\top\big).

    Returns the matrix (its top eigenvalue is the least sharpness).

    References
    ----------
    E2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> least_sharpness_matrix([[1, 2]], [3, -1])
    Matrix([[14]])
    """
    Xm = _mat(X)
    n = Xm.shape[0]
    D = int(depth)
    w = [sp.Abs(_Q(b)) ** (2 - sp.Rational(2, D)) for b in beta]
    return sp.ImmutableMatrix(D * Xm * sp.diag(*w) * Xm.T / n)


@cites("E2", SOURCES["E2"])
def least_param_norm(beta, depth: int = 2) -> sp.Expr:
    r"""The least parameter norm over depth-``D`` factorisations of ``beta`` (E2).

    Statement
    ---------
    .. math:: \min_{u_1\cdots u_D = \beta} \sum_k \|u_k\|^2 = D \sum_i |\beta_i|^{2/D}.

    References
    ----------
    E2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> least_param_norm([4, -1], 2)
    10
    """
    D = int(depth)
    return D * sum(sp.Abs(_Q(b)) ** sp.Rational(2, D) for b in beta)


@cites("E3", SOURCES["E3"])
def product_gd_invariants(u0, v0, eta, gs) -> dict:
    r"""The exact GD invariants of the product parametrisation (E3).

    Statement
    ---------
    GD ``u <- u - eta g v``, ``v <- v - eta g u`` gives, per coordinate,

    .. math:: (u+v)_K = (u+v)_0 \prod_k (1 - \eta g_k),\qquad
              (u-v)_K = (u-v)_0 \prod_k (1 + \eta g_k),

    so ``alpha_K^2 := |u_K^2 - v_K^2| / 2 = alpha_0^2 prod_k |1 - eta^2 g_k^2|`` and, from
    ``u_0 = sqrt(2) alpha``, ``v_0 = 0``: ``beta_K / alpha_K^2 = (|P| - 1/|P|) / 2`` with
    ``P = prod_k (1 - eta g_k)/(1 + eta g_k)``, i.e. ``arcsinh(beta_K / alpha_K^2) = log|P|``,
    which is the specification's ``-2 sum_k artanh(eta g_k)`` when every ``|eta g_k| < 1``
    (``(s^2 - t^2)/(2|s t|)`` with ``s/t = P`` and ``sign(s t) = sign(P)``).

    Notes
    -----
    Corrected from the specification. Original statement: "``arcsinh(beta_K / alpha_K^2) =
    -2 sum_k artanh(eta g_k)``, ``alpha_K^2 = alpha^2 prod_k |1 - eta^2 g_k^2|``", for any GD
    run. ``artanh(z)`` is real only for ``|z| < 1``, and ``2 artanh(z) = log((1 + z)/(1 - z))``
    only there; a step with ``|eta g_k| >= 1`` (large steps early on, or at the edge of
    stability) flips the sign of a factor or zeroes it. The invariants of the products
    ``(u +- v)_K`` hold for every step, so the statement is kept in the form ``arcsinh(beta_K
    / alpha_K^2) = log|P|``, which equals the specification's sum exactly when every
    ``|eta g_k| < 1``.

    Parameters
    ----------
    u0, v0 : d exact reals; eta : exact ``eta > 0``
    gs : sequence of K gradient vectors ``g_k`` (each d exact reals)

    Returns
    -------
    dict with ``s`` and ``t`` (predicted ``(u+v)_K``, ``(u-v)_K``), ``alpha_sq`` (predicted
    ``alpha_K^2``), ``P`` (the product above) and ``sinh_arg`` (predicted ``beta_K/alpha_K^2``,
    ``(|P| - 1/|P|)/2``).

    References
    ----------
    E3, [EPGF23] arXiv 2302.08982, as reconstructed in the project's specification.

    Examples
    --------
    >>> out = product_gd_invariants([1], [0], "1/2", [["1/2"]])
    >>> out["s"], out["t"], out["P"]
    ((3/4,), (5/4,), (3/5,))
    """
    e = _Q(Fraction(eta))
    d = len(u0)
    s = [_Q(a) + _Q(b) for a, b in zip(u0, v0, strict=True)]
    t = [_Q(a) - _Q(b) for a, b in zip(u0, v0, strict=True)]
    a2 = [sp.Abs(si * ti) / 2 for si, ti in zip(s, t, strict=True)]
    P = [sp.Integer(1)] * d
    for g in gs:
        for i in range(d):
            gi = _Q(Fraction(g[i]))
            s[i] *= 1 - e * gi
            t[i] *= 1 + e * gi
            a2[i] *= sp.Abs(1 - e**2 * gi**2)
            P[i] *= (1 - e * gi) / (1 + e * gi) if 1 + e * gi != 0 else sp.zoo
    sinh_arg = [(sp.Abs(p) - 1 / sp.Abs(p)) / 2 if p not in (0, sp.zoo) else sp.nan for p in P]
    return {"s": tuple(s), "t": tuple(t), "alpha_sq": tuple(a2), "P": tuple(P),
            "sinh_arg": tuple(sinh_arg)}


@cites("E4", SOURCES["E4"])
def woodworth_q(z) -> sp.Expr:
    r"""The potential's profile ``q`` of the difference parametrisation (E4).

    Statement
    ---------
    .. math:: q(z) = 2 - \sqrt{4 + z^2} + z\,\operatorname{arcsinh}(z/2),

    convex with ``q(0) = q'(0) = 0``: ``q(z) ~ z^2/4`` near 0 and ``~ |z| log|z|`` far out.

    References
    ----------
    E4, [WGL20] arXiv 2002.09277, as reconstructed in the project's specification.

    Examples
    --------
    >>> woodworth_q(0)
    0
    """
    z = _Q(z)
    return 2 - sp.sqrt(4 + z**2) + z * sp.asinh(z / 2)


@cites("E4", SOURCES["E4"])
def woodworth_potential(alpha, beta) -> sp.Expr:
    r"""The potential ``Q_alpha(beta) = alpha^2 sum_i q(beta_i / alpha^2)`` (E4).

    Statement
    ---------
    Gradient flow on ``difference`` from ``u_0 = v_0 = alpha 1`` converges to
    ``argmin Q_alpha(beta)`` subject to ``X beta = y``; ``alpha -> 0`` gives min l1,
    ``alpha -> oo`` min l2.

    References
    ----------
    E4, [WGL20] arXiv 2002.09277, as reconstructed in the project's specification.

    Examples
    --------
    >>> woodworth_potential(1, [0, 0])
    0
    """
    a2 = _Q(alpha) ** 2
    return a2 * sum(woodworth_q(_Q(b) / a2) for b in beta)


@cites("E4", SOURCES["E4"])
def woodworth_gradient(alpha, beta) -> tuple:
    r"""``grad Q_alpha(beta) = arcsinh(beta / (2 alpha^2))`` (E4): the KKT condition of E4 is
    that it lies in the row space of ``X``.

    Statement
    ---------
    .. math:: \partial_{\beta_i} Q_\alpha = q'(\beta_i/\alpha^2)
              = \operatorname{arcsinh}\big(\beta_i / (2\alpha^2)\big).

    References
    ----------
    E4, [WGL20] arXiv 2002.09277, as reconstructed in the project's specification.

    Examples
    --------
    >>> woodworth_gradient(1, [0])
    (0,)
    """
    a2 = _Q(alpha) ** 2
    return tuple(sp.asinh(_Q(b) / (2 * a2)) for b in beta)


@cites("E5", SOURCES["E5"])
def one_sample_flow_path(x, alpha, R, param: str = "shared") -> tuple:
    r"""The one-sample gradient-flow path as a function of ``R = int_0^t r`` (E5).

    Statement
    ---------
    With ``g = x r`` every coordinate sees ``int g_i = x_i R``:

    .. math:: \text{shared: } \beta_i = \alpha^2 e^{-4 x_i R};\quad
              \text{product } (u_0 = \sqrt2\alpha, v_0 = 0):\ \beta_i = -\alpha^2 \sinh(2 x_i R);
              \quad \text{difference } (u_0 = v_0 = \alpha):\ \beta_i = -2\alpha^2\sinh(4 x_i R).

    The limit is ``R_oo`` solving ``<x, beta(R)> = y`` (:func:`one_sample_flow_residual`), a
    strictly decreasing function of ``R`` (for ``shared`` when ``x > 0``): one scalar root.

    References
    ----------
    E5, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> one_sample_flow_path([1, 2], 1, 0, "product")
    (0, 0)
    """
    P = parametrisation(param, claim="E5")
    path = P.initial_flow(_Q(alpha), SYMPY)
    R = _Q(R)
    return tuple(path.beta(_Q(xi) * R) for xi in x)


@cites("E5", SOURCES["E5"])
def one_sample_flow_residual(x, y, alpha, R, param: str = "shared") -> sp.Expr:
    r"""The one-sample residual along the gradient-flow path; its root gives the limit (E5).

    Statement
    ---------
    .. math:: r(R) = \langle x, \beta(R)\rangle - y, \qquad
              \beta^{GF} = \beta(R_\infty),\ r(R_\infty) = 0,

    with ``beta(R)`` from :func:`one_sample_flow_path`.

    References
    ----------
    E5, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> one_sample_flow_residual([1, 2], 1, 1, 0, "shared")
    2
    """
    beta = one_sample_flow_path(x, alpha, R, param)
    return sum(_Q(xi) * b for xi, b in zip(x, beta, strict=True)) - _Q(y)


#: the E-claim functions, like :data:`theory.CLAIM_FUNCTIONS`
E_FUNCTIONS = (hessian_formula, gram_form, least_sharpness_matrix, least_param_norm,
               product_gd_invariants, woodworth_q, woodworth_potential, woodworth_gradient,
               one_sample_flow_path, one_sample_flow_residual)
