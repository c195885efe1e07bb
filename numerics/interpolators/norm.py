r"""The minimum-norm interpolator of ``n`` samples, exact, with its certificate.

Statement
---------
The least parameter norm ``||theta||^2`` over the factorisations of ``beta`` (E2; derived
from :mod:`theory.parametrisations`, see :func:`theory.many_samples.parameter_norm_sq`):

=================  ===========================  =========================================
parametrisation    ``min ||theta||^2``          minimum-norm interpolator
=================  ===========================  =========================================
``product``        ``2 ||beta||_1``             ``min ||beta||_1`` s.t. ``X beta = y`` (LP)
``difference``     ``||beta||_1``               the same LP
``shared``, D = 2  ``||beta||_1``, ``beta>=0``  ``min 1^T beta`` s.t. ``X beta = y, beta >= 0``
``shared``, D > 2  ``sum beta_i^(2/D)``         a concave minimum: attained at a vertex of
                                                ``{X beta = y, beta >= 0}`` (enumerated)
=================  ===========================  =========================================

(``||w||^2 = sum_i w_i^2 = sum_i beta_i^(2/D)`` for ``beta = w^D``: one weight vector, so not
E2's ``D sum |beta_i|^(2/D)``, which is the norm of ``D`` balanced factors ``u_1 ... u_D``.)

The LP is solved exactly (:mod:`~numerics.interpolators.lp`): ``beta = p - q`` with
``p, q >= 0`` for the signed parametrisations, and the dual ``nu`` certifies optimality:
``||X^T nu||_inf <= 1`` (``X^T nu <= 1`` for shared) and ``y^T nu = ||beta||_1``, all checked in
exact arithmetic (weak duality: ``y^T nu = beta'^T X^T nu <= ||beta'||_1`` for every
interpolator ``beta'``). Ties: the optimal face is ``{X beta = y : beta_i = 0 unless
|a_i^T nu| = 1, sign(beta_i) = a_i^T nu otherwise}``, listed by its vertices.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..errors import DomainError, PrecisionLoss
from ..problem import Problem
from .lp import Infeasible, check_certificate, face_vertices, solve_lp

__all__ = ["MinNorm", "Face", "min_norm_interpolator", "check_data", "weights_rule",
           "MAX_VERTEX_BASES"]

F = Fraction
#: the most bases enumerated for shared depth D > 2 (a concave minimum over a polytope)
MAX_VERTEX_BASES = 200000


def check_data(X, y, param, depth):
    """``(X, y, parametrisation)`` validated as a :class:`~numerics.problem.Problem` is
    (shapes, finite entries, ``param`` and ``depth``), with exact entries."""
    pr = Problem(X, y, 1, param, depth)
    return [list(r) for r in pr.X], list(pr.y), pr.parametrisation


def weights_rule(P) -> tuple:
    """``(kappa, p, signed)``: the least sharpness of E2 for the parametrisation ``P`` is
    ``S(beta) = (kappa/n) lambda_max(X diag(|beta|^p) X^T)``, ``signed`` whether ``beta`` may be
    negative. Product: ``(2, 1, True)``; difference: ``(4, 1, True)``; shared depth ``D``:
    ``(D^2, 2 - 2/D, False)`` (see :func:`theory.many_samples.sharpness_weights`)."""
    if P.name == "product":
        return F(2), F(1), True
    if P.name == "difference":
        return F(4), F(1), True
    D = P.depth
    return F(D * D), F(2) - F(2, D), False


@dataclass(frozen=True)
class Face:
    """The optimal face when the minimum is not unique.

    Attributes
    ----------
    active : tuple of int, the coordinates that may be non-zero on the face
    signs : tuple of +-1, their signs (``+1`` for shared)
    vertices : tuple of beta tuples, or None when there are too many bases to enumerate
    centroid : the vertices' mean, or None
    """

    active: tuple
    signs: tuple
    vertices: tuple | None
    centroid: tuple | None


@dataclass(frozen=True)
class MinNorm:
    """An exact minimum-norm interpolator (module notes).

    Attributes
    ----------
    beta : tuple of Fractions (an optimal vertex)
    l1_norm : Fraction, ``||beta||_1``
    param_norm_sq : Fraction, or ``(lo, hi)`` Fractions for shared ``D > 2`` (irrational)
    nu : tuple of Fractions, the dual certificate (None for shared ``D > 2``)
    unique : bool
    face : :class:`Face` (LP) when not unique, else None
    minimisers : tuple of the optimal vertices (shared ``D > 2``), else ``(beta,)``
    certificate : dict, the exact checks (``primal_feasible``, ``dual_feasible``, ``gap``,
        ``optimal``) of the LP; for ``D > 2`` ``{"vertices": count}``
    param : str; depth : int
    """

    beta: tuple
    l1_norm: Fraction
    param_norm_sq: object
    nu: tuple | None
    unique: bool
    face: Face | None
    minimisers: tuple
    certificate: dict
    param: str
    depth: int


def _lp_data(Xq, signed):
    if signed:
        return [row + [-v for v in row] for row in Xq], 2 * len(Xq[0])
    return [list(row) for row in Xq], len(Xq[0])


def _to_beta(z, d, signed):
    return tuple(z[i] - z[d + i] for i in range(d)) if signed else tuple(z[:d])


def _infeasible(Xq, yq, exc) -> DomainError:
    """The DomainError for infeasible data, with its exact certificate: ``X^T nu = 0`` (``y``
    outside the range of ``X``) or ``X^T nu <= 0`` (no interpolator ``beta >= 0``), and
    ``y.nu > 0``."""
    nu = exc.farkas
    cert = ", ".join(map(str, nu))
    rng = all(sum(F(row[j]) * v for row, v in zip(Xq, nu)) == 0 for j in range(len(Xq[0])))
    if rng:
        return DomainError("y", [str(v) for v in yq], "y in the range of X (an interpolator "
                           f"X beta = y must exist; certificate nu = ({cert}): "
                           "X^T nu = 0, y.nu != 0)")
    return DomainError("y", [str(v) for v in yq], "an interpolator with beta >= 0 (shared "
                       f"weights); Farkas certificate nu = ({cert}): X^T nu <= 0 < y.nu")


def min_norm_interpolator(X, y, param: str = "product", depth: int = 2) -> MinNorm:
    """The exact minimum-norm interpolator of ``X beta = y`` (module notes).

    Parameters
    ----------
    X : n x d exact matrix (rows: samples); y : n exact labels
    param : ``"product"``, ``"difference"`` or ``"shared"`` (``beta >= 0``)
    depth : int, ``depth >= 2`` (``> 2`` for ``shared`` only)

    Raises
    ------
    DomainError
        Bad data; ``y`` not in the range of ``X`` (argument ``y``, with an exact certificate);
        for shared, no interpolator with ``beta >= 0`` (with a Farkas certificate); for shared
        ``D > 2``, more than :data:`MAX_VERTEX_BASES` bases to enumerate.

    Examples
    --------
    >>> r = min_norm_interpolator([[1, 2, 0], [0, 1, 1]], [2, 1])
    >>> r.beta, r.l1_norm, r.unique, r.certificate["optimal"]
    ((Fraction(0, 1), Fraction(1, 1), Fraction(0, 1)), Fraction(1, 1), True, True)
    """
    Xq, yq, P = check_data(X, y, param, depth)
    _, p, signed = weights_rule(P)
    d = len(Xq[0])
    if P.depth > 2:
        return _concave_minimum(Xq, yq, P)
    A, N = _lp_data(Xq, signed)
    c = [F(1)] * N
    try:
        sol = solve_lp(A, yq, c)
    except Infeasible as exc:
        raise _infeasible(Xq, yq, exc) from None
    beta = _to_beta(sol.z, d, signed)
    l1 = sum(abs(b) for b in beta)
    cert = check_certificate(A, yq, c, sol.z, sol.nu)
    face = None
    if not sol.unique:
        cols = sol.face_columns
        verts = face_vertices(A, yq, cols)
        vb = None if verts is None else tuple(dict.fromkeys(_to_beta(z, d, signed)
                                                            for z in verts))
        active = tuple(sorted({j % d for j in cols}))
        signs = tuple(-1 if (j + d) in cols and signed else 1 for j in active)
        centroid = None if not vb else tuple(sum(v[i] for v in vb) / len(vb) for i in range(d))
        face = Face(active, signs, vb, centroid)
    norm_sq = 2 * l1 if P.name == "product" else l1
    return MinNorm(beta, l1, norm_sq, sol.nu, sol.unique, face, (beta,), cert, P.name,
                   P.depth)


def _concave_minimum(Xq, yq, P) -> MinNorm:
    """Shared depth ``D > 2``: the least ``sum beta_i^(2/D)`` over the vertices of
    ``{X beta = y, beta >= 0}`` (Arb comparisons, ties decided exactly by sympy)."""
    import flint

    d = len(Xq[0])
    try:
        solve_lp(Xq, yq, [F(1)] * d)  # feasibility, with a certificate when there is none
    except Infeasible as exc:
        raise _infeasible(Xq, yq, exc) from None
    verts = face_vertices(Xq, yq, range(d), limit=MAX_VERTEX_BASES)
    if verts is None:
        raise DomainError("d", d, f"at most {MAX_VERTEX_BASES} bases of X for shared depth "
                          f"D = {P.depth} (the norm sum beta^(2/D) is concave: its minimum is "
                          "found by enumerating the vertices)")
    e = F(2, P.depth)

    def bounds(v, prec):
        """Rational bounds of ``sum beta_i^(2/D)`` (Arb at ``prec`` bits; the endpoints are
        taken inside the same precision, so they are not rounded to 53 bits)."""
        from .sharpness import _arb_fraction

        with flint.ctx.workprec(prec):
            s = flint.arb(0)
            for b in v:
                if b:
                    s += flint.arb(flint.fmpq(b.numerator, b.denominator)) ** flint.arb(
                        flint.fmpq(e.numerator, e.denominator))
            return _arb_fraction(s.lower()), _arb_fraction(s.upper())

    vals = [bounds(v, 128) for v in verts]
    best_hi = min(hi for _, hi in vals)
    cand = [i for i, (lo, _) in enumerate(vals) if lo <= best_hi]
    if len(cand) > 1:
        vals = {i: bounds(verts[i], 2000) for i in cand}
        best_hi = min(hi for _, hi in vals.values())
        cand = [i for i in cand if vals[i][0] <= best_hi]
    if len(cand) > 1:
        import sympy as sp

        def exact(v):
            return sum(sp.Rational(b.numerator, b.denominator) ** sp.Rational(2, P.depth)
                       for b in v if b)

        ref = exact(verts[cand[0]])
        if any(sp.simplify(exact(verts[i]) - ref) != 0 for i in cand):
            raise PrecisionLoss("the least norm among vertices closer than 2^-2000",
                                "report this instance")
    mins = tuple(tuple(verts[i]) for i in cand)
    beta = mins[0]
    lo_hi = bounds(beta, 128)
    return MinNorm(beta, sum(beta), lo_hi, None, len(mins) == 1, None, mins,
                   {"vertices": len(verts)}, P.name, P.depth)
