"""The conflict between norm and sharpness on the zero-loss set (claim R4).

With ``p_i = x_i beta_i / y`` a probability vector on ``M``, ``||beta||_1 = y E_p[1/x]`` and
``S = 4 y E_p[x]``. Because ``1/x`` is convex and decreasing on ``x > 0``, the least norm at a
given sharpness is the lower convex envelope of the points ``(4 y x_i, y / x_i)``: the polyline
through the vertices of ``M`` taken in the sorted order of ``x``. Every point of it is Pareto
optimal (norm falls as sharpness rises along it).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._display import compact_repr
from ._exact import decide, exact, one_sample
from .citations import cites
from .errors import DomainError
from .interpolators import min_norm_interpolator, min_sharpness_interpolator

__all__ = [
    "Bounds",
    "ParetoFront",
    "zero_loss_bounds",
    "norm_sharpness_identity",
    "pareto_front",
]

CLAIM = "R4"
SOURCE = "[MFCKM26]"
S_SYMBOL = sp.Symbol("S", positive=True)


@compact_repr
@dataclass(frozen=True)
class Bounds:
    """Exact ranges of sharpness and l1 norm over the zero-loss set."""

    sharpness: tuple[sp.Expr, sp.Expr]
    l1_norm: tuple[sp.Expr, sp.Expr]


@cites(CLAIM, SOURCE)
def zero_loss_bounds(x, y) -> Bounds:
    r"""Sharpness and norm ranges over the zero-loss set (R4).

    Statement
    ---------
    .. math:: 4 y x_{\min} \le S(\beta) \le 4 y x_{\max}, \qquad
              y / x_{\max} \le \|\beta\|_1 \le y / x_{\min} \qquad (\beta \in M),

    both ranges attained (at ``beta^S`` and ``beta^N``, in opposite order).

    Notes
    -----
    Tight: each bound is attained at a vertex of ``M``.

    References
    ----------
    R4, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> b = zero_loss_bounds([1, "1/2"], 1)
    >>> b.sharpness, b.l1_norm
    ((2, 4), (1, 2))
    """
    xs, ys = one_sample(x, y, CLAIM)
    n = min_norm_interpolator(xs, ys)
    s = min_sharpness_interpolator(xs, ys)
    return Bounds((s.sharpness, n.sharpness), (n.l1_norm, s.l1_norm))


@cites(CLAIM, SOURCE)
def norm_sharpness_identity(x, y, S: object = S_SYMBOL) -> sp.Expr:
    r"""The exact d = 2 trade-off ``||beta||_1`` as a function of the sharpness on ``M`` (R4).

    Statement
    ---------
    For ``d = 2`` and every ``beta`` in ``M`` with sharpness ``S``:

    .. math:: \|\beta\|_1 = \frac{y (x_1 + x_2)}{x_1 x_2} - \frac{S}{4 x_1 x_2},

    affine and decreasing in ``S``.

    Parameters
    ----------
    x : two exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    S : the sharpness (a symbol by default, or a number)

    Raises
    ------
    DomainError
        If ``len(x) != 2`` (for ``d > 2`` use :func:`pareto_front`).

    Notes
    -----
    Tight (an identity). Proof: with ``x_1 beta_1 + x_2 beta_2 = y``,
    ``S / (4 x_1 x_2) = x_1 beta_1 / x_2 + x_2 beta_2 / x_1`` and the right side expands to
    ``beta_1 + beta_2``.

    References
    ----------
    R4, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> norm_sharpness_identity([1, "1/2"], 1)
    3 - S/2
    """
    xs, ys = one_sample(x, y, CLAIM)
    if len(xs) != 2:
        raise DomainError("len(x)", len(xs), "d = 2 is required; use pareto_front for d > 2",
                          CLAIM)
    s = S if isinstance(S, sp.Symbol) else exact(S, "S", claim=CLAIM)
    x1, x2 = xs
    return sp.expand(ys * (x1 + x2) / (x1 * x2) - s / (4 * x1 * x2))


@compact_repr
@dataclass(frozen=True)
class ParetoFront:
    """The least l1 norm at each sharpness on ``M``: a piecewise-linear, convex, decreasing curve.

    Attributes
    ----------
    breakpoints : tuple of (S, l1_norm, indices)
        Vertices of the front in increasing sharpness; ``indices`` are the coordinates ``i`` with
        that value of ``x_i`` (several when ``x`` has ties).
    """

    breakpoints: tuple
    y: sp.Expr
    x: tuple

    @property
    def segments(self) -> tuple:
        """Pairs of consecutive breakpoints: the edges of ``M`` that form the front."""
        return tuple(zip(self.breakpoints, self.breakpoints[1:]))

    def l1_at(self, S: object) -> sp.Expr:
        """Least ``||beta||_1`` over interpolators with sharpness ``S`` (exact)."""
        s = exact(S, "S", claim=CLAIM)
        lo, hi = self.breakpoints[0][0], self.breakpoints[-1][0]
        if decide(s < lo, "S < 4 y x_min", CLAIM) or decide(s > hi, "S > 4 y x_max", CLAIM):
            raise DomainError("S", s, f"{lo} <= S <= {hi} (the sharpness range on M)", CLAIM)
        for (s0, n0, _), (s1, n1, _) in self.segments:
            if decide(s <= s1, "the segment containing S", CLAIM):
                return sp.simplify(n0 + (n1 - n0) * (s - s0) / (s1 - s0))
        return self.breakpoints[-1][1]

    def interpolator_at(self, S: object) -> tuple:
        """The least-norm interpolator with sharpness ``S``: a point of an edge of ``M``."""
        s = exact(S, "S", claim=CLAIM)
        self.l1_at(s)  # validates the range
        d = len(self.x)
        if len(self.breakpoints) == 1:
            (_, _, idx), = self.breakpoints
            return tuple(self.y / (len(idx) * self.x[i]) if i in idx else 0 for i in range(d))
        for (s0, _, i0), (s1, _, i1) in self.segments:
            if decide(s <= s1, "the segment containing S", CLAIM):
                t = (s - s0) / (s1 - s0)  # barycentric weight of the upper vertex
                beta = [sp.Integer(0)] * d
                for i in i0:
                    beta[i] += (1 - t) * self.y / (len(i0) * self.x[i])
                for i in i1:
                    beta[i] += t * self.y / (len(i1) * self.x[i])
                return tuple(sp.simplify(b) for b in beta)
        raise AssertionError("unreachable: S was validated")  # pragma: no cover

    def as_piecewise(self, S: sp.Symbol = S_SYMBOL) -> sp.Piecewise:
        """The front ``l1(S)`` as a sympy ``Piecewise`` on ``[4 y x_min, 4 y x_max]``."""
        pieces = [(sp.nan, S < self.breakpoints[0][0])]
        for (s0, n0, _), (s1, n1, _) in self.segments:
            pieces.append((sp.expand(n0 + (n1 - n0) * (S - s0) / (s1 - s0)), S <= s1))
        if len(pieces) == 1:
            pieces.append((self.breakpoints[0][1], sp.Eq(S, self.breakpoints[0][0])))
        return sp.Piecewise(*pieces, (sp.nan, True))


@cites(CLAIM, SOURCE)
def pareto_front(x, y) -> ParetoFront:
    r"""The norm–sharpness Pareto front on the zero-loss set, for any ``d >= 2`` (R4).

    Statement
    ---------
    .. math:: \min\{\|\beta\|_1 : \beta\in M,\ S(\beta) = s\}
              = y\,\breve{f}\Big(\frac{s}{4y}\Big),\qquad f(t) = 1/t,

    where ``breve f`` is the lower convex envelope of ``f`` on the points ``x_1..x_d``. As ``f``
    is convex, it is the polyline through ``(4 y x_(k), y / x_(k))`` for the sorted distinct
    values ``x_(1) < ... < x_(m)``: the chain of edges of ``M`` joining vertices adjacent in the
    order of ``x``. For ``d = 2`` it is :func:`norm_sharpness_identity`.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``, pairwise comparable
    y : exact real, ``y > 0``

    Returns
    -------
    ParetoFront

    Notes
    -----
    Tight: every point of the polyline is attained by an interpolator
    (:meth:`ParetoFront.interpolator_at`).

    References
    ----------
    R4, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> f = pareto_front([1, "1/2", "1/4"], 1)
    >>> [(s, n) for s, n, _ in f.breakpoints]
    [(1, 4), (2, 2), (4, 1)]
    >>> f.l1_at(3)
    3/2
    """
    xs, ys = one_sample(x, y, CLAIM)
    groups: list[tuple[sp.Expr, list[int]]] = []
    for i in sorted(range(len(xs)), key=lambda i: _Key(xs[i])):
        if groups and decide(sp.Eq(groups[-1][0], xs[i]), "equality of entries of x", CLAIM):
            groups[-1][1].append(i)
        else:
            groups.append((xs[i], [i]))
    breakpoints = tuple((4 * ys * v, ys / v, tuple(idx)) for v, idx in groups)
    return ParetoFront(breakpoints, ys, xs)


class _Key:
    """Sort key comparing exact sympy values (raises NotDecidable when sympy cannot)."""

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return decide(self.value < other.value, "the order of the entries of x", CLAIM)
