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
``optimal`` (with ``beta_star`` or ``prior``)
    The best interpolator under the prior (:func:`theory.population.best_interpolator`: the
    point ``beta_star``, or a posterior such as :func:`theory.gaussian_posterior` /
    :func:`theory.sparse_posterior`), exactly: ``beta``, ``l1_norm``, ``sharpness`` (with its
    enclosure), the exact expected risks ``risk_min_norm``, ``risk_min_sharpness``,
    ``risk_optimal`` (:func:`theory.expected_risk`, covariance ``Sigma``, noise ``sigma2``)
    and ``eta_star = 2 / S(beta_opt)`` (the end of the enclosure ``eta_star_enclosure``;
    ``None`` where it is not defined: ``S = 0``, or shared weights and a negative entry).
``gradient_flow`` (with ``alpha``)
    :func:`numerics.flow.gradient_flow` at ``flow_dps`` digits: ``beta``, ``sharpness`` and
    ``s_end`` (``S(beta_GF)``, at the limit), ``eta_c = 2/S(beta_GF)``, ``s_path_sup`` (the
    largest sharpness along the path) and ``eta_path = 2/s_path_sup``, ``s_gf_at_end``,
    ``l1_norm``. A single run; audit it with :func:`numerics.audited_flow`
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
                        beta_star=None, prior=None, Sigma=None, sigma2=0, dps: int = 50,
                        flow_dps: int = 30) -> dict:
    """The ``min_norm``, ``min_sharpness``, (with ``beta_star`` or ``prior``) ``optimal`` and
    (with ``alpha``) ``gradient_flow`` blocks of data ``X, y`` (module notes).

    Parameters
    ----------
    X : n x d exact matrix; y : n exact labels
    param : ``"product"``, ``"difference"`` or ``"shared"``; depth : int (``> 2``: shared)
    alpha : initialisation scale ``> 0`` or None (no flow)
    beta_star : the ground truth (a point prior), or None
    prior : a :class:`theory.Prior` of ``beta*`` given the data (a posterior), or None;
        ``beta_star`` is ignored when it is given
    Sigma : d x d population covariance (default the identity); sigma2 : noise variance
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
    if prior is not None or beta_star is not None:
        out["optimal"] = _optimal_block(X, y, P, prior, beta_star, Sigma, sigma2, mn.beta,
                                        ms.beta)
    if alpha is not None:
        flow = gradient_flow(Problem(X, y, alpha, param, depth), dps=flow_dps)
        out["gradient_flow"] = {"beta": tuple(flow.beta), "sharpness": flow.s_end,
                                "s_path_sup": flow.s_gf,
                                "s_end": flow.s_end, "eta_c": flow.eta_c,
                                "eta_path": flow.eta_path,
                                "s_gf_at_end": flow.s_gf_at_end,
                                "l1_norm": sum(abs(b) for b in flow.beta)}
    return out


def _optimal_block(X, y, P, prior, beta_star, Sigma, sigma2, beta_n, beta_s) -> dict:
    """The ``optimal`` block (module notes), from theory's exact expected risks."""
    import theory as T

    if prior is None:
        prior = T.point_prior(list(beta_star))
    opt = tuple(_fraction(v) for v in T.best_interpolator(X, y, prior, Sigma))

    def risk(beta):
        return _fraction(T.expected_risk(list(beta), prior, Sigma, sigma2))

    lo = hi = eta = None
    if P.name != "shared" or all(v >= 0 for v in opt):
        lo, hi = sharpness_enclosure(X, opt, P.name, P.depth)
        if lo > 0:  # eta* = 2 / S(beta_opt) is defined (S > 0)
            eta = (2 / hi, 2 / lo)
    return {"beta": opt, "l1_norm": sum(abs(v) for v in opt), "sharpness": hi,
            "sharpness_enclosure": (lo, hi), "risk_min_norm": risk(beta_n),
            "risk_min_sharpness": risk(beta_s), "risk_optimal": risk(opt),
            "eta_star": None if eta is None else eta[0], "eta_star_enclosure": eta,
            "prior": prior.name}


def _fraction(v) -> Fraction:
    """An exact rational (a sympy Rational or a Fraction) as a Fraction."""
    import sympy as sp

    v = sp.Rational(v)
    return Fraction(int(v.p), int(v.q))
