r"""The interpolators of ``n`` samples as the blocks of ``normsharp interpolators --X-file``.

:func:`interpolator_blocks` returns, for data ``X, y`` and a parametrisation:

``min_norm``
    ``beta`` (exact), ``l1_norm`` (exact), ``param_norm_sq`` (exact; an enclosure ``(lo, hi)``
    for shared ``D > 2``), ``sharpness`` (``S(beta)`` of E2, the upper end of an enclosure
    ``sharpness_enclosure = (lo, hi)`` about ``10^-40`` wide), ``unique`` and, for depth 2,
    ``certificate`` (``nu`` and the exact checks of :func:`~numerics.interpolators.lp.
    check_certificate`); ``face`` (vertices, centroid) when the optimum is not unique.
``min_sharpness``
    ``beta`` (an exact interpolator), ``l1_norm``, ``param_norm_sq``, ``sharpness`` (``S(beta)``,
    the upper end of ``sharpness_enclosure``), ``certified = (lower, upper)`` (the optimum lies
    in it), ``width``, ``polished``.
``gradient_flow`` (with ``alpha``)
    :func:`numerics.flow.gradient_flow` at ``flow_dps`` digits: ``beta``, ``sharpness``
    (``s_GF``, the largest along the path), ``s_end`` (at the limit), ``eta_c = 2/s_GF``,
    ``s_gf_at_end``, ``l1_norm``. A single run; audit it with :func:`numerics.audited_flow`
    to know its digits.

Every number is a :class:`~fractions.Fraction` (exact, or the stated end of a certified
enclosure; flow values as computed at ``flow_dps`` digits). The shapes follow the one-sample
blocks of :meth:`proofs_check.predictions.Predictions.blocks`.
"""

from __future__ import annotations

from fractions import Fraction

from .norm import check_data, min_norm_interpolator
from .sharpness import min_sharpness_interpolator, sharpness_enclosure

__all__ = ["interpolator_blocks"]

F = Fraction


def _norms(beta, P):
    """``(||beta||_1, least parameter norm)`` (None for shared ``D > 2``: irrational)."""
    l1 = sum(abs(F(b)) for b in beta)
    if P.depth > 2:
        return l1, None
    return l1, (2 * l1 if P.name == "product" else l1)


def interpolator_blocks(X, y, param: str = "product", depth: int = 2, *, alpha=None,
                        dps: int = 50, flow_dps: int = 30) -> dict:
    """The ``min_norm``, ``min_sharpness`` and (with ``alpha``) ``gradient_flow`` blocks of
    data ``X, y`` (module notes).

    Parameters
    ----------
    X : n x d exact matrix; y : n exact labels
    param : ``"product"``, ``"difference"`` or ``"shared"``; depth : int (``> 2``: shared)
    alpha : initialisation scale ``> 0`` or None (no flow)
    dps : the minimum-sharpness polish's working digits
    flow_dps : the gradient flow's working digits

    Raises
    ------
    DomainError
        Bad data, no interpolator (``y``), or a flow that is not defined for the data (the
        flow's own :class:`DomainError`).
    """
    from ..flow import gradient_flow
    from ..problem import Problem

    _, _, P = check_data(X, y, param, depth)
    mn = min_norm_interpolator(X, y, param, depth)
    lo, hi = sharpness_enclosure(X, mn.beta, param, depth)
    block = {"beta": mn.beta, "l1_norm": mn.l1_norm, "param_norm_sq": mn.param_norm_sq,
             "sharpness": hi, "sharpness_enclosure": (lo, hi), "unique": mn.unique}
    if mn.nu is not None:
        block["certificate"] = {"nu": mn.nu, **mn.certificate}
    if mn.face is not None:
        block["face"] = {"active": mn.face.active, "vertices": mn.face.vertices,
                         "centroid": mn.face.centroid}
    if len(mn.minimisers) > 1:
        block["minimisers"] = mn.minimisers
    out = {"min_norm": block}
    ms = min_sharpness_interpolator(X, y, param, depth, dps=dps)
    l1, sq = _norms(ms.beta, P)
    out["min_sharpness"] = {"beta": ms.beta, "l1_norm": l1, "param_norm_sq": sq,
                            "sharpness": ms.sharpness[1], "sharpness_enclosure": ms.sharpness,
                            "certified": ms.certified, "width": ms.width,
                            "polished": ms.polished}
    if alpha is not None:
        flow = gradient_flow(Problem(X, y, alpha, param, depth), dps=flow_dps)
        out["gradient_flow"] = {"beta": tuple(flow.beta), "sharpness": flow.s_gf,
                                "s_end": flow.s_end, "eta_c": flow.eta_c,
                                "s_gf_at_end": flow.s_gf_at_end,
                                "l1_norm": sum(abs(b) for b in flow.beta)}
    return out
