"""What theory predicts for one sweep instance (the sweep's default ``predictions``).

This is the sweep's copy of "what theory predicts for an instance": :func:`sweep
<numerics.sweep.sweep>` calls :func:`predictions` when it is given no ``predictions``
mapping. It is meant to be replaced by the one builder in :mod:`proofs_check` (which passes its
mapping, with the same keys, to ``sweep(..., predictions=...)``), and this module deleted.
"""

from __future__ import annotations

from fractions import Fraction

from ..errors import DomainError, NoConvergence
from ..flow import gradient_flow
from ..problem import Problem

__all__ = ["predictions", "KEYS", "DPS"]

#: working precision (decimal digits) at which irrational predictions are evaluated
DPS = 45
#: the keys of a predictions mapping
KEYS = ("one_sample_theory", "beta_gf", "s_gf", "eta_c", "s_gf_at_end", "eta_min_norm_unstable",
        "eta_no_stable_interpolator", "min_norm", "min_sharpness", "point", "uniform", "mu",
        "cov_term", "notes")


def sympy_fraction(expr, dps: int = DPS) -> Fraction:
    """A sympy number as a Fraction: exact when rational, else evaluated at ``dps`` digits."""
    import sympy as sp

    expr = sp.sympify(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    return Fraction(str(sp.N(expr, dps)))


def predictions(problem: Problem) -> dict:
    """What theory predicts for ``problem`` (exact values as Fractions, to :data:`DPS` digits).

    For one-sample ``shared`` depth-2 problems with ``x > 0`` and ``y > 0`` this evaluates the
    theory layer: the gradient-flow limit and ``eta_c = 2/s_GF`` (R6), the stability thresholds
    (R5), the minimum-norm and minimum-sharpness interpolators (R2, R3), the optimal
    interpolator, its risks and the predicted best learning rate ``eta*`` (R8, R9), for
    ``beta*`` as a point (when given) and for the uniform prior on the zero-loss set. For other
    problems it takes ``beta_GF``, ``s_GF`` and ``eta_c`` from :func:`numerics.flow.gradient_flow`,
    and returns ``None`` entries (with a note) when the flow is not defined for the problem.

    Returns
    -------
    dict
        Keys ``one_sample_theory`` (bool), ``beta_gf``, ``s_gf``, ``eta_c``, ``s_gf_at_end``,
        ``eta_min_norm_unstable``, ``eta_no_stable_interpolator``, ``min_norm``,
        ``min_sharpness``, ``point`` and ``uniform`` (risk blocks), ``mu``, ``cov_term``,
        ``notes``.

    References
    ----------
    [MFCKM26] Section 3 (R2, R3, R5, R9), Appendix B (R6), Appendix E (R8).

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> pr = predictions(Problem([1, "1/2"], 1, "1/100"))
    >>> pr["eta_no_stable_interpolator"], pr["uniform"]["eta_star"]
    (Fraction(1, 1), Fraction(2, 3))
    """
    out = {**dict.fromkeys(KEYS), "one_sample_theory": False, "notes": []}
    x_pos = problem.n == 1 and all(v > 0 for v in problem.X[0]) and problem.y[0] > 0
    if problem.one_sample_theory and x_pos:
        _theory_predictions(problem, out)
    else:
        _flow_predictions(problem, out)
        out["notes"].append("expected risk: not defined here (the zero-loss set is not the "
                            "bounded simplex of a one-sample shared problem with x, y > 0)")
    return out


def _theory_predictions(problem: Problem, out: dict) -> None:
    import theory as T

    x, y, alpha = list(problem.X[0]), problem.y[0], problem.alpha
    F = sympy_fraction
    out["one_sample_theory"] = True
    gf = T.gradient_flow_limit(x, y, alpha)
    flow = None
    if gf.exact:
        out["beta_gf"] = tuple(F(b) for b in gf.beta)
        out["s_gf"] = F(gf.sharpness)
    else:
        # theory's root is not an explicit algebraic number: the flow's closed form (E5) at
        # DPS digits gives the same limit and its sharpness S(beta_GF) = 4 sum x_i^2 beta_i
        flow = gradient_flow(problem, dps=DPS, method="closed_form")
        out["beta_gf"] = tuple(flow.beta)
        out["s_gf"] = flow.s_end
    out["eta_c"] = 2 / out["s_gf"]
    along = T.sharpness_along_flow(x, y, alpha)
    out["s_gf_at_end"] = along.S_at_end
    if along.S_at_end is not True:
        # theory does not place the path's largest sharpness at its end: ask the flow itself
        found = {"notes": []}
        _flow_predictions(problem, found, flow)
        if found.get("s_gf") is not None:
            out.update(s_gf=found["s_gf"], eta_c=found["eta_c"],
                       s_gf_at_end=found["s_gf_at_end"])
            out["notes"].append("s_GF = sup along the gradient-flow path from numerics.flow "
                                "(theory does not prove it is attained at the end here)")
        else:
            out["notes"].append("eta_c = 2/S(beta_GF): theory does not prove that the path's "
                                "largest sharpness is attained at its end for this alpha")
            out["notes"].extend(found["notes"])
    t = T.stability_thresholds(x, y)
    out["eta_min_norm_unstable"] = F(t.eta_min_norm_unstable)
    out["eta_no_stable_interpolator"] = F(t.eta_no_stable_interpolator)
    for name, fn in (("min_norm", T.min_norm_interpolator),
                     ("min_sharpness", T.min_sharpness_interpolator)):
        it = fn(x, y)
        out[name] = {"beta": tuple(F(b) for b in it.beta), "l1_norm": F(it.l1_norm),
                     "sharpness": F(it.sharpness)}
    Sigma = None if problem.Sigma is None else [list(r) for r in problem.Sigma]
    uniform = T.uniform_prior(x, y)
    priors = [("uniform", uniform)]
    if problem.beta_star is not None:
        priors.append(("point", T.point_prior(list(problem.beta_star))))
    for name, prior in priors:
        gaps = T.bias_gaps(x, y, prior, Sigma, problem.sigma2)
        best = T.predicted_best_learning_rate(x, y, prior, alpha, Sigma)
        out[name] = {"prior": prior.name, "optimal": tuple(F(b) for b in gaps.optimal),
                     "risk_min_norm": F(gaps.risk_min_norm),
                     "risk_min_sharpness": F(gaps.risk_min_sharpness),
                     "risk_optimal": F(gaps.risk_optimal), "eta_star": F(best.eta_star),
                     "sharpness_optimal": F(best.sharpness), "eta_star_inside": best.inside,
                     "neither_optimal": gaps.neither_optimal,
                     "strictly_between": gaps.strictly_between}
    out["mu"] = tuple(F(m) for m in uniform.mean)
    d = problem.d
    cov = [[F(uniform.cov[i, j]) for j in range(d)] for i in range(d)]
    Sg = problem.Sigma or tuple(tuple(Fraction(int(i == j)) for j in range(d)) for i in range(d))
    out["cov_term"] = sum(Sg[i][j] * cov[j][i] for i in range(d) for j in range(d)) \
        + problem.sigma2


def _flow_predictions(problem: Problem, out: dict, res=None) -> None:
    """``beta_GF``, ``s_GF`` and ``eta_c`` from :func:`numerics.flow.gradient_flow` (default
    precision), or a note when the flow is not defined for ``problem`` (a documented
    :class:`DomainError` or :class:`NoConvergence`); any other exception is a bug and
    propagates."""
    if res is None:
        try:
            res = gradient_flow(problem)
        except (DomainError, NoConvergence) as exc:
            out["notes"].append(f"eta_c predicted: not available ({exc})")
            return
    out["beta_gf"] = tuple(res.beta)
    out["s_gf"] = res.s_gf
    out["eta_c"] = res.eta_c
    out["s_gf_at_end"] = res.s_gf_at_end
    out["notes"].append("eta_c predicted: numerics.flow (gradient flow at high precision)")
