"""Loss, gradient, Hessian and sharpness of the shared-weight diagonal network (claim R1).

Model: ``beta = w * w`` (entrywise), one sample ``(x, y)``, loss
``L(w) = 1/2 (<x, w*w> - y)^2`` and residual ``r = <x, w*w> - y``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._display import compact_repr
from ._exact import exact_vector, is_numeric, one_sample, require_nonnegative, same_length
from .citations import cites
from .errors import DomainError, NotDecidable

__all__ = [
    "Spectrum",
    "loss",
    "residual",
    "gradient",
    "hessian",
    "hessian_char_poly",
    "hessian_spectrum",
    "sharpness",
    "lambda_max",
    "zero_loss_sharpness",
]

CLAIM = "R1"
SOURCE = "[MFCKM26]"
LAM = sp.Symbol("lambda")


def _data(x, y, w):
    xs, ys = _any_sign(x, y)
    ws = exact_vector(w, "w", claim=CLAIM)
    same_length(ws, len(xs), "w", CLAIM)
    return xs, ys, ws


def _any_sign(x, y):
    # R1 is an identity of calculus: it needs no sign on x or y, only d >= 2.
    xs = exact_vector(x, "x", claim=CLAIM)
    if len(xs) < 2:
        raise DomainError("len(x)", len(xs), "dimension d >= 2 is required", CLAIM)
    from ._exact import exact

    return xs, exact(y, "y", claim=CLAIM)


@cites(CLAIM, SOURCE)
def residual(x, y, w) -> sp.Expr:
    r"""Residual ``r = <x, w*w> - y`` of the shared model (R1).

    Statement
    ---------
    .. math:: r(w) = \sum_i x_i w_i^2 - y.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals
    y : exact real
    w : sequence of d exact reals (the weights; ``beta = w*w``)

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> residual([1, "1/2"], 1, [1, 1])
    1/2
    """
    xs, ys, ws = _data(x, y, w)
    return sp.expand(sum(xi * wi**2 for xi, wi in zip(xs, ws)) - ys)


@cites(CLAIM, SOURCE)
def loss(x, y, w) -> sp.Expr:
    r"""Loss ``L(w) = 1/2 (<x, w*w> - y)^2`` of the shared model (R1).

    Statement
    ---------
    .. math:: L(w) = \tfrac12 \big(\textstyle\sum_i x_i w_i^2 - y\big)^2.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> loss([1, "1/2"], 1, [1, 1])
    1/8
    """
    return residual(x, y, w) ** 2 / 2


@cites(CLAIM, SOURCE)
def gradient(x, y, w) -> sp.ImmutableMatrix:
    r"""Gradient ``grad L = 2 r (x*w)`` (R1), a ``d x 1`` matrix.

    Statement
    ---------
    .. math:: \nabla L(w) = 2\, r(w)\, (x \odot w).

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gradient([1, "1/2"], 1, [1, 1]).T
    Matrix([[1, 1/2]])
    """
    xs, ys, ws = _data(x, y, w)
    r = residual(xs, ys, ws)
    return sp.ImmutableMatrix([2 * r * xi * wi for xi, wi in zip(xs, ws)])


@cites(CLAIM, SOURCE)
def hessian(x, y, w) -> sp.ImmutableMatrix:
    r"""Hessian ``4 (x*w)(x*w)^T + 2 r diag(x)`` of the shared model (R1).

    Statement
    ---------
    .. math:: \nabla^2 L(w) = 4\,(x\odot w)(x\odot w)^\top + 2\,r(w)\,\operatorname{diag}(x).

    On the zero-loss set ``r = 0`` it has rank (at most) one.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> hessian([1, "1/2"], 1, [1, 0])
    Matrix([
    [4, 0],
    [0, 0]])
    """
    xs, ys, ws = _data(x, y, w)
    r = residual(xs, ys, ws)
    v = [xi * wi for xi, wi in zip(xs, ws)]
    d = len(xs)
    return sp.ImmutableMatrix(
        d, d, lambda i, j: sp.expand(4 * v[i] * v[j] + (2 * r * xs[i] if i == j else 0))
    )


@cites(CLAIM, SOURCE)
def hessian_char_poly(x, y, w, lam: sp.Symbol = LAM, *, expand: bool = True) -> sp.Poly:
    r"""Characteristic polynomial ``det(H - lam I)`` in secular form (R1).

    Statement
    ---------
    With ``delta_i = 2 r x_i`` and ``v = x*w`` the Hessian is ``diag(delta) + 4 v v^T``, so

    .. math:: \det(H - \lambda I) = \prod_i (\delta_i - \lambda)
              + 4 \sum_i v_i^2 \prod_{j \ne i} (\delta_j - \lambda),

    the secular equation ``1 + 4 sum_i v_i^2 / (delta_i - lam) = 0`` multiplied by
    ``prod_i (delta_i - lam)``. No determinant is expanded.

    With ``expand=False`` the secular form itself is returned, unexpanded (a sympy expression,
    not a ``Poly``): for symbolic data in high dimension the expanded polynomial is enormous
    (``d = 12``: millions of terms), the secular form a few lines.

    Notes
    -----
    Rewritten from ``det(H - lam I)``; ``tests/theory/test_hessian.py`` proves the two equal.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> hessian_char_poly([1, "1/2"], 1, [1, 0]).as_expr()
    lambda**2 - 4*lambda
    >>> hessian_char_poly([1, "1/2"], 1, [1, 1], expand=False)
    -5*lambda + (1/2 - lambda)*(1 - lambda) + 3
    """
    xs, ys, ws = _data(x, y, w)
    r = residual(xs, ys, ws)
    delta = [2 * r * xi for xi in xs]
    v2 = [(xi * wi) ** 2 for xi, wi in zip(xs, ws)]
    d = len(xs)
    product = sp.Mul(*[(delta[i] - lam) for i in range(d)])
    secular = sum(
        4 * v2[i] * sp.Mul(*[(delta[j] - lam) for j in range(d) if j != i]) for i in range(d)
    )
    if not expand:
        return product + secular
    return sp.Poly(sp.expand(product + secular), lam)


@compact_repr
@dataclass(frozen=True)
class Spectrum:
    """Exact spectrum of the Hessian at one point.

    Attributes
    ----------
    eigenvalues : tuple
        All eigenvalues in increasing order, with multiplicity (exact algebraic numbers).
    lambda_max : sympy expression
        The largest (signed) eigenvalue.
    S : sympy expression
        The sharpness ``max |eigenvalue|`` (the paper's definition).
    char_poly : sympy.Poly
        ``det(H - lambda I)`` in the variable ``lambda``.
    """

    eigenvalues: tuple
    lambda_max: sp.Expr
    S: sp.Expr
    char_poly: sp.Poly


def _sorted_real_roots(poly: sp.Poly) -> list[sp.Expr]:
    coeffs = poly.all_coeffs()
    if is_numeric(coeffs):
        if all(c.is_Rational for c in coeffs):
            return list(poly.real_roots())
        # algebraic coefficients (e.g. sqrt(2)): radicals when sympy finds them all; the order
        # of distinct real numbers is then decided numerically at 50 digits
        found = sp.roots(poly, multiple=True)
        if len(found) != poly.degree():
            raise NotDecidable("the eigenvalues of this Hessian in closed form", CLAIM)
        return sorted(found, key=lambda r: sp.re(sp.N(r, 50)))
    if poly.degree() == 2:
        a, b, c = poly.all_coeffs()
        disc = sp.sqrt(sp.factor(b**2 - 4 * a * c))
        return [sp.simplify((-b - disc) / (2 * a)), sp.simplify((-b + disc) / (2 * a))]
    raise NotDecidable("the order of the eigenvalues of a symbolic Hessian with d >= 3 off the "
                       "zero-loss set", CLAIM)


@cites(CLAIM, SOURCE)
def hessian_spectrum(x, y, w) -> Spectrum:
    r"""All eigenvalues of the Hessian, exactly, with ``S`` and ``lambda_max`` (R1).

    Statement
    ---------
    The eigenvalues are the real roots of the secular polynomial :func:`hessian_char_poly`;
    ``S = max |lambda|`` and ``lambda_max = max lambda``. On the zero-loss set the spectrum is
    ``{4 |x*w|^2, 0, ..., 0}``, so ``S = lambda_max = 4 sum_i x_i^2 beta_i``.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals
    y : exact real
    w : sequence of d exact reals

    Returns
    -------
    Spectrum
        Numeric input gives exact algebraic numbers (radicals or ``CRootOf``). Symbolic input is
        supported for ``d = 2`` and on the zero-loss set; otherwise :class:`NotDecidable`.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> s = hessian_spectrum([1, "1/2"], 1, ["1/10", "1/10"])
    >>> s.eigenvalues
    (-581/400 - sqrt(36545)/400, -581/400 + sqrt(36545)/400)
    >>> s.S
    sqrt(36545)/400 + 581/400
    """
    xs, ys, ws = _data(x, y, w)
    poly = hessian_char_poly(xs, ys, ws)
    r = residual(xs, ys, ws)
    if r == 0:
        top = sp.expand(4 * sum((xi * wi) ** 2 for xi, wi in zip(xs, ws)))
        zeros = [sp.Integer(0)] * (len(xs) - 1)
        eig = tuple(zeros + [top])
        return Spectrum(eig, top, top, poly)
    eig = tuple(_sorted_real_roots(poly))
    low, high = eig[0], eig[-1]
    if is_numeric([low, high]):
        S = abs(high) if abs(high) >= abs(low) else abs(low)
    else:
        S = sp.Max(sp.Abs(low), sp.Abs(high))
    return Spectrum(eig, high, S, poly)


@cites(CLAIM, SOURCE)
def sharpness(x, y, w) -> sp.Expr:
    r"""Sharpness ``S(w) = ||Hess L(w)||_2 = max |eigenvalue|`` at any point (R1).

    Statement
    ---------
    .. math:: S(w) = \max_i |\lambda_i(\nabla^2 L(w))|.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> sharpness([1, "1/2"], 1, [1, 0])
    4
    """
    return hessian_spectrum(x, y, w).S


@cites(CLAIM, SOURCE)
def lambda_max(x, y, w) -> sp.Expr:
    r"""Largest signed eigenvalue of the Hessian at any point (R1).

    Statement
    ---------
    .. math:: \lambda_{\max}(w) = \max_i \lambda_i(\nabla^2 L(w)).

    It differs from :func:`sharpness` where the most negative eigenvalue dominates.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> lambda_max([1, "1/2"], 1, ["1/10", "1/10"])
    -581/400 + sqrt(36545)/400
    """
    return hessian_spectrum(x, y, w).lambda_max


@cites(CLAIM, SOURCE)
def zero_loss_sharpness(x, y, beta) -> sp.Expr:
    r"""Sharpness of an interpolator ``beta`` on the zero-loss set ``M`` (R1).

    Statement
    ---------
    For ``beta = w*w`` with ``<x, beta> = y`` the Hessian is ``4 (x*w)(x*w)^T``, so

    .. math:: S = 4 \sum_i x_i^2 \beta_i .

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    beta : sequence of d exact reals, ``beta_i >= 0`` and ``<x, beta> = y``

    Raises
    ------
    DomainError
        If ``beta`` has a negative entry or is (definitely) not on ``M``.

    References
    ----------
    R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> zero_loss_sharpness([1, "1/2"], 1, ["1/2", 1])
    3
    """
    xs, ys = one_sample(x, y, CLAIM)
    bs = on_zero_loss_set(xs, ys, beta, CLAIM)
    return sp.expand(4 * sum(xi**2 * bi for xi, bi in zip(xs, bs)))


def on_zero_loss_set(xs, ys, beta, claim: str) -> tuple[sp.Expr, ...]:
    """Validate that ``beta`` lies on ``M = {beta >= 0 : <x, beta> = y}``."""
    bs = exact_vector(beta, "beta", claim=claim)
    same_length(bs, len(xs), "beta", claim)
    for i, bi in enumerate(bs):
        require_nonnegative(bi, f"beta[{i}]", claim)
    gap = sp.simplify(sum(xi * bi for xi, bi in zip(xs, bs)) - ys)
    if gap.is_zero is False:
        raise DomainError("beta", bs, f"<x, beta> = y is required (it is y + ({gap}))", claim)
    return bs
