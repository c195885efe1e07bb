"""Gradient descent on the shared one-sample model acts multiplicatively (claim R7).

``grad L = 2 r (x*w)``, so one step is ``w_{k+1} = w_k * (1 - 2 eta r_k x)`` entrywise and the
whole trajectory is a product. Comparing with gradient flow (R6), whose limit from ``alpha 1`` is
``alpha^2 exp(-4 x_i R)``, GD is gradient flow from an *effective initialisation* that absorbs the
discrepancy between ``(1 - 2 eta r x)^2`` and ``exp(-4 eta r x)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp

from ._display import compact_repr
from ._exact import exact_vector, one_sample, positive_scalar, same_length
from .citations import cites

__all__ = [
    "EffectiveInitialisation",
    "gd_step",
    "gd_iterates",
    "gd_product_identity",
    "effective_initialisation",
]

CLAIM = "R7"
SOURCE = "[MFCKM26]"


@cites(CLAIM, SOURCE)
def gd_step(x, y, eta, w) -> tuple:
    r"""One exact gradient-descent step on the shared model (R7).

    Statement
    ---------
    .. math:: w_{k+1} = w_k - \eta \nabla L(w_k) = w_k \odot (1 - 2\eta r_k x),
              \qquad r_k = \langle x, w_k\odot w_k\rangle - y .

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    eta : exact real, ``eta > 0``
    w : sequence of d exact reals

    References
    ----------
    R7, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gd_step([1, "1/2"], 1, "1/2", [1, 1])
    (1/2, 3/4)
    """
    xs, ys = one_sample(x, y, CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    ws = exact_vector(w, "w", claim=CLAIM)
    same_length(ws, len(xs), "w", CLAIM)
    r = sum(xi * wi**2 for xi, wi in zip(xs, ws)) - ys
    return tuple(sp.expand(wi * (1 - 2 * e * r * xi)) for xi, wi in zip(xs, ws))


@cites(CLAIM, SOURCE)
def gd_iterates(x, y, alpha, eta) -> Iterator[tuple[tuple, sp.Expr]]:
    r"""Exact GD iterates ``(w_k, r_k)`` from ``w_0 = alpha 1``, for ``k = 0, 1, ...`` (R7).

    Statement
    ---------
    .. math:: w_{k+1} = w_k \odot (1 - 2\eta r_k x).

    The caller decides when to stop. With rational data the iterates are rational, but their
    size roughly doubles per step (``r_{k+1}`` is quadratic in ``w_{k+1}``): use a few tens of
    steps at most; :mod:`numerics` runs long trajectories.

    References
    ----------
    R7, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> it = gd_iterates([1, "1/2"], 1, 1, "1/2")
    >>> next(it)
    ((1, 1), 1/2)
    >>> next(it)
    ((1/2, 3/4), -15/32)
    """
    xs, ys = one_sample(x, y, CLAIM)
    a = positive_scalar(alpha, "alpha", CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    return _iterates(xs, ys, a, e)


def _iterates(xs, ys, a, e):
    w = tuple(a for _ in xs)
    while True:
        r = sp.expand(sum(xi * wi**2 for xi, wi in zip(xs, w)) - ys)
        yield w, r
        w = tuple(sp.expand(wi * (1 - 2 * e * r * xi)) for xi, wi in zip(xs, w))


def _residuals(residuals: Sequence) -> tuple:
    return exact_vector(residuals, "residuals", claim=CLAIM, min_length=0)


@cites(CLAIM, SOURCE)
def gd_product_identity(x, alpha, eta, residuals) -> tuple:
    r"""``beta_K`` as a product over the residuals ``r_0 .. r_{K-1}`` (R7).

    Statement
    ---------
    .. math:: \beta_{K,i} = \alpha^2 \prod_{k<K} (1 - 2\eta r_k x_i)^2 .

    Parameters
    ----------
    x : sequence of d >= 2 exact reals
    alpha : exact real, ``alpha > 0``
    eta : exact real, ``eta > 0``
    residuals : sequence of K exact reals ``r_0, ..., r_{K-1}``

    Notes
    -----
    An identity: it holds for any residual sequence, so it is checked against exact iterates.

    References
    ----------
    R7, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gd_product_identity([1, "1/2"], 1, "1/2", ["1/2"])
    (1/4, 9/16)
    """
    xs = exact_vector(x, "x", claim=CLAIM, min_length=2)
    a = positive_scalar(alpha, "alpha", CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    rs = _residuals(residuals)
    return tuple(
        sp.expand(a**2 * sp.Mul(*[(1 - 2 * e * r * xi) ** 2 for r in rs])) for xi in xs
    )


@compact_repr
@dataclass(frozen=True)
class EffectiveInitialisation:
    """GD written as gradient flow from an effective initialisation (R7).

    Attributes
    ----------
    G : tuple
        ``G_i = sum_k [-2 log|1 - 2 eta r_k x_i| - 4 eta r_k x_i]``; ``oo`` where a factor
        ``1 - 2 eta r_k x_i`` is exactly zero (the coordinate dies).
    alpha_eff_sq : tuple
        ``alpha^2 exp(-G_i)``, written without logarithms:
        ``alpha^2 prod_k (1 - 2 eta r_k x_i)^2 exp(4 eta r_k x_i)``; ``0`` for a dead coordinate.
    R : sympy expression
        ``eta sum_k r_k``, the discrete counterpart of ``int r dt``.
    """

    G: tuple
    alpha_eff_sq: tuple
    R: sp.Expr


@cites(CLAIM, SOURCE)
def effective_initialisation(x, alpha, eta, residuals) -> EffectiveInitialisation:
    r"""The effective initialisation that turns GD into gradient flow (R7).

    Statement
    ---------
    With ``R = eta sum_k r_k``,

    .. math:: \beta_{K,i} = \alpha^2 e^{-G_i}\, e^{-4 x_i R}, \qquad
              G_i = \sum_{k<K}\big[-2\log|1 - 2\eta r_k x_i| - 4 \eta r_k x_i\big].

    A factor ``1 - 2 eta r_k x_i = 0`` kills coordinate ``i`` for good: ``G_i = +oo`` and
    ``alpha_eff_sq_i = 0``. Each summand is ``>= 0`` when ``2 eta r_k x_i < 1``
    (``log(1 - z) <= -z``) but may be negative when the step overshoots
    (``2 eta r_k x_i > 1``); so ``G_i >= 0`` is not guaranteed in general.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals
    alpha : exact real, ``alpha > 0``
    eta : exact real, ``eta > 0``
    residuals : sequence of exact reals

    Notes
    -----
    The shared specification gives ``G_i`` in this form; ``alpha_eff_sq`` is rewritten without
    logarithms and ``tests/theory/test_gd_identity.py`` proves the forms equal.

    References
    ----------
    R7, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> e = effective_initialisation([1, "1/2"], 1, "1/2", [1])
    >>> e.G, e.alpha_eff_sq
    ((oo, -1 + 2*log(2)), (0, E/4))
    """
    xs = exact_vector(x, "x", claim=CLAIM, min_length=2)
    a = positive_scalar(alpha, "alpha", CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    rs = _residuals(residuals)
    G, eff = [], []
    for xi in xs:
        factors = [1 - 2 * e * r * xi for r in rs]
        if any(f == 0 for f in factors):
            G.append(sp.oo)
            eff.append(sp.Integer(0))
            continue
        G.append(-2 * sp.log(sp.Abs(sp.Mul(*factors))) - 4 * e * xi * sum(rs))
        eff.append(a**2 * sp.Mul(*[f**2 for f in factors]) * sp.exp(4 * e * xi * sum(rs)))
    return EffectiveInitialisation(tuple(G), tuple(eff), e * sum(rs))


