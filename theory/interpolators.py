"""The zero-loss set and the minimum-norm and minimum-sharpness interpolators (claims R2, R3).

Shared model ``beta = w*w`` with one sample, ``x_i > 0`` and ``y > 0``. The zero-loss set is the
simplex ``M = {beta >= 0 : <x, beta> = y}`` with vertices ``(y / x_i) e_i``. On ``M`` the
parameter norm is ``||w||_2^2 = ||beta||_1`` and the sharpness is ``S = 4 sum_i x_i^2 beta_i``
(R1). Writing ``p_i = x_i beta_i / y`` (a probability vector) gives ``||beta||_1 = y E_p[1/x]``
and ``S = 4 y E_p[x]``: both are linear on ``M``, so each is optimised on a face of ``M``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._display import compact_repr
from ._exact import decide, is_numeric, one_sample
from .citations import cites
from .errors import NotDecidable

__all__ = [
    "Interpolator",
    "zero_loss_vertices",
    "min_norm_interpolator",
    "min_sharpness_interpolator",
    "extreme_indices",
]

SOURCE = "[MFCKM26]"


@compact_repr
@dataclass(frozen=True)
class Interpolator:
    """An interpolator (or an optimal face of interpolators) on the zero-loss set.

    Attributes
    ----------
    beta : tuple of sympy expressions
        The interpolator. When the optimum is a face (ties in ``x``), the face's centroid: its
        point of least Euclidean norm and the ``alpha -> 0`` limit of gradient flow (R6).
    vertices : tuple of tuples
        The vertices of the optimal face (one vertex when the optimum is unique).
    l1_norm : sympy expression
        ``||beta||_1``, constant on the face.
    param_norm_sq : sympy expression
        ``||w||_2^2`` for ``beta = w*w``; equal to ``||beta||_1`` in the shared model.
    sharpness : sympy expression
        ``S = 4 sum x_i^2 beta_i``, constant on the face.
    claim : str
        The claim that characterises it.
    """

    beta: tuple
    vertices: tuple
    l1_norm: sp.Expr
    param_norm_sq: sp.Expr
    sharpness: sp.Expr
    claim: str

    @property
    def unique(self) -> bool:
        """Whether the optimum is a single point (no ties in ``x`` at the optimum)."""
        return len(self.vertices) == 1


def _vertex(xs, ys, i):
    return tuple(ys / xs[i] if j == i else sp.Integer(0) for j in range(len(xs)))


@cites("R2", SOURCE)
def zero_loss_vertices(x, y) -> tuple[tuple[sp.Expr, ...], ...]:
    r"""The vertices ``(y/x_i) e_i`` of the zero-loss simplex ``M`` (R2, R3).

    Statement
    ---------
    .. math:: M = \{\beta \ge 0 : \langle x, \beta\rangle = y\}
              = \operatorname{conv}\{(y/x_i)\, e_i : i = 1..d\}.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``

    References
    ----------
    R2 and R3, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> zero_loss_vertices([1, "1/2"], 1)
    ((1, 0), (0, 2))
    """
    xs, ys = one_sample(x, y, "R2")
    return tuple(_vertex(xs, ys, i) for i in range(len(xs)))


@cites("R2", SOURCE)
def extreme_indices(x, which: str, claim: str = "R2") -> tuple[int, ...]:
    r"""Indices where ``x`` attains its maximum (``which="max"``) or minimum (``"min"``) (R2, R3).

    Statement
    ---------
    .. math:: \operatorname{argmax}_i x_i \quad\text{or}\quad \operatorname{argmin}_i x_i ,

    all of them (ties included), decided exactly; symbolic entries must be comparable under
    their assumptions, else :class:`~theory.errors.NotDecidable`.

    References
    ----------
    R2 and R3, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> extreme_indices([1, 3, 3], "max")
    (1, 2)
    """
    if which not in ("max", "min"):
        from .errors import DomainError

        raise DomainError("which", which, "'max' or 'min' is required", claim)
    xs = list(x)
    sign = 1 if which == "max" else -1
    found = []
    for i, xi in enumerate(xs):
        if all(decide(sign * (xi - xj) >= 0, f"whether x[{i}] is the {which} of x", claim)
               for j, xj in enumerate(xs) if j != i):
            found.append(i)
    return tuple(found)


def _optimal_face(xs, ys, which: str, claim: str) -> Interpolator:
    try:
        idx = extreme_indices(xs, which, claim)
    except NotDecidable:
        if is_numeric(xs):  # pragma: no cover - numbers are always comparable
            raise
        return _symbolic_optimum(xs, ys, which, claim)
    vertices = tuple(_vertex(xs, ys, i) for i in idx)
    k = len(idx)
    beta = tuple(sp.Add(*[v[j] for v in vertices]) / k for j in range(len(xs)))
    xe = xs[idx[0]]
    return Interpolator(beta, vertices, ys / xe, ys / xe, 4 * ys * xe, claim)


def _symbolic_optimum(xs, ys, which: str, claim: str) -> Interpolator:
    # Order of the symbols unknown: the first maximiser (or minimiser) as a Piecewise vector.
    extreme = sp.Max(*xs) if which == "max" else sp.Min(*xs)
    beta = []
    for i, xi in enumerate(xs):
        beats = [xi > xj if which == "max" else xi < xj for xj in xs[:i]]
        ties = [xi >= xj if which == "max" else xi <= xj for xj in xs[i + 1:]]
        beta.append(sp.Piecewise((ys / xi, sp.And(*beats, *ties)), (0, True)))
    beta = tuple(beta)
    return Interpolator(beta, (beta,), ys / extreme, ys / extreme, 4 * ys * extreme, claim)


@cites("R2", SOURCE)
def min_norm_interpolator(x, y) -> Interpolator:
    r"""The minimum-norm interpolator ``beta^N`` (R2).

    Statement
    ---------
    .. math:: \min_{\beta \in M} \|w\|_2^2 = \min_{\beta\in M} \|\beta\|_1
              \ \text{is attained at}\ \beta^N = \frac{y}{x_{\max}}\, e_{\arg\max x},

    with ``||beta^N||_1 = y / x_max`` and sharpness ``4 y x_max``, the largest on ``M``. When
    several ``x_i`` equal ``x_max`` the minimisers form the face spanned by those vertices;
    ``beta`` is then the face's centroid and ``vertices`` lists the face.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0`` (symbols allowed)
    y : exact real, ``y > 0``

    Returns
    -------
    Interpolator

    Raises
    ------
    DomainError
        ``d < 2``, a non-positive ``x_i`` or ``y``, inexact or non-finite input.

    Notes
    -----
    Tight: the minimum is attained. ``||beta||_1 = y E_p[1/x]`` with ``p_i = x_i beta_i / y``.

    References
    ----------
    R2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> n = min_norm_interpolator([1, "1/2"], 1)
    >>> n.beta, n.l1_norm, n.sharpness
    ((1, 0), 1, 4)
    >>> min_norm_interpolator([2, 2, 1], 1).beta
    (1/4, 1/4, 0)
    """
    xs, ys = one_sample(x, y, "R2")
    return _optimal_face(xs, ys, "max", "R2")


@cites("R3", SOURCE)
def min_sharpness_interpolator(x, y) -> Interpolator:
    r"""The minimum-sharpness interpolator ``beta^S`` (R3).

    Statement
    ---------
    .. math:: \min_{\beta \in M} S(\beta) = \min_{\beta\in M} 4\sum_i x_i^2\beta_i
              \ \text{is attained at}\ \beta^S = \frac{y}{x_{\min}}\, e_{\arg\min x},

    with sharpness ``4 y x_min`` and ``||beta^S||_1 = y / x_min``, the largest norm on ``M``.
    The two biases pick opposite vertices. Ties in ``x`` give a face, as in R2.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0`` (symbols allowed)
    y : exact real, ``y > 0``

    Returns
    -------
    Interpolator

    Notes
    -----
    Tight. ``S = 4 y E_p[x]`` with ``p_i = x_i beta_i / y``.

    References
    ----------
    R3, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> s = min_sharpness_interpolator([1, "1/2"], 1)
    >>> s.beta, s.l1_norm, s.sharpness
    ((0, 2), 2, 2)
    """
    xs, ys = one_sample(x, y, "R3")
    return _optimal_face(xs, ys, "min", "R3")
