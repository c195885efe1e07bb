r"""What theory predicts for one instance, built once: interpolators, thresholds, flow, risks.

Statement
---------
For one sample ``x > 0``, ``y > 0`` of the paper's model (``beta = w * w``) theory gives,
exactly:

* the minimum-norm and minimum-sharpness interpolators ``beta^N``, ``beta^S`` (R2, R3) with
  their norms and sharpnesses;
* the stability thresholds ``1/(2 y x_max)`` and ``1/(2 y x_min)`` (R5);
* with an initialisation scale ``alpha``: the gradient-flow limit ``beta^GF``, its sharpness
  ``s_GF = S(beta^GF)`` and ``eta_c = 2/s_GF`` (R6);
* for a prior on the ground truth (uniform on ``M``; a point mass at ``beta*`` when given): the
  optimal interpolator, the three risks, and the predicted best learning rate
  ``eta* = 2/S(beta_opt)`` (R8, R9).

:func:`predict` builds these once for a :class:`numerics.Problem`, :func:`predict_one_sample`
for bare data (``alpha`` optional). The :class:`Predictions` keep theory's exact values (sympy);
two views serve the consumers: :meth:`Predictions.blocks` (the ``normsharp interpolators`` and
``reproduce`` blocks, exact) and :meth:`Predictions.for_sweep` (the learning-rate sweep's
``predicted``: Fractions to :data:`SWEEP_DPS` digits).

Notes
-----
Where the exact one-sample theory does not apply (several samples, ``product``, ``difference``,
shared depth ``D > 2``) only the flow is predicted, by :func:`numerics.flow.gradient_flow` (a
documented :class:`DomainError` or :class:`NoConvergence` becomes a note). On the paper's model,
when theory's root is not an explicit algebraic number the flow's closed form at
:data:`SWEEP_DPS` digits gives ``beta^GF`` and ``S(beta^GF)``; and when theory does not prove that
the path's largest sharpness is attained at its end, ``s_GF`` is the flow's supremum along the
path (:func:`numerics.flow.gradient_flow`).

References
----------
[MFCKM26] Section 3 (R2, R3, R5, R9), Appendix B (R6), Appendix E (R8), arXiv 2505.21423, as
reconstructed in the specification.

Examples
--------
>>> from numerics.problem import Problem
>>> pr = predict(Problem([1, "1/2"], 1, "1/100")).for_sweep()
>>> pr["eta_no_stable_interpolator"], pr["uniform"]["eta_star"]
(Fraction(1, 1), Fraction(2, 3))
>>> predict_one_sample([1, "1/2"], 1).blocks()["min_norm"]["sharpness"]
4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from numerics.errors import DomainError, NoConvergence
from numerics.flow import gradient_flow
from theory._display import compact_repr

__all__ = ["Predictions", "PriorPrediction", "predict", "predict_one_sample", "SWEEP_DPS"]

#: digits to which :meth:`Predictions.for_sweep` rounds irrational exact values
SWEEP_DPS = 45


def _fraction(expr, dps: int = SWEEP_DPS) -> Fraction:
    """A rational value exactly, an irrational one to ``dps`` significant digits."""
    import sympy as sp

    expr = sp.sympify(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    return Fraction(str(sp.N(expr, dps)))


@compact_repr
@dataclass(frozen=True)
class PriorPrediction:
    """What theory predicts under one prior on the ground truth (R8, R9), exactly.

    Attributes
    ----------
    prior : the prior's name
    gaps : :class:`theory.generalisation.BiasComparison` (optimal interpolator, risks of
        ``beta^N``, ``beta^S`` and of the optimum, whether neither bias is optimal)
    best : :class:`theory.edge_of_stability.BestLearningRate` (``eta*``, the optimum's
        sharpness, whether ``eta*`` lies in ``(eta_c, 1/(2 y x_min))``)
    """

    prior: str
    gaps: object
    best: object

    def block(self) -> dict:
        """The ``optimal`` block of ``normsharp interpolators`` (exact)."""
        g, b = self.gaps, self.best
        return {"beta": g.optimal, "sharpness": b.sharpness, "l1_norm": sum(g.optimal),
                "risk_min_norm": g.risk_min_norm, "risk_min_sharpness": g.risk_min_sharpness,
                "risk_optimal": g.risk_optimal, "eta_star": b.eta_star}

    def for_sweep(self) -> dict:
        g, b, F = self.gaps, self.best, _fraction
        return {"prior": self.prior, "optimal": tuple(F(v) for v in g.optimal),
                "risk_min_norm": F(g.risk_min_norm),
                "risk_min_sharpness": F(g.risk_min_sharpness),
                "risk_optimal": F(g.risk_optimal), "eta_star": F(b.eta_star),
                "sharpness_optimal": F(b.sharpness), "eta_star_inside": b.inside,
                "neither_optimal": g.neither_optimal, "strictly_between": g.strictly_between}


@compact_repr(fields=("one_sample_theory", "min_norm", "min_sharpness", "thresholds",
                      "s_gf", "eta_c", "s_gf_at_end", "priors", "notes"))
@dataclass(frozen=True)
class Predictions:
    """Theory's predictions for one instance (see the module notes).

    Attributes
    ----------
    one_sample_theory : bool
        Whether the exact one-sample theory applies (the fields below marked *exact* are set).
    min_norm, min_sharpness : theory's ``Interpolator`` (exact) or None
    thresholds : theory's ``StabilityThresholds`` (exact) or None
    gradient_flow : theory's ``GradientFlowLimit`` (exact) or None (no ``alpha``)
    priors : dict, prior name (``"uniform"``, ``"point"``) -> :class:`PriorPrediction`
    uniform : theory's uniform ``Prior`` on ``M`` (mean, covariance), or None
    cov_term : Fraction or None
        ``tr(Sigma Cov) + sigma^2`` of the uniform prior (the expected risk's constant).
    beta_gf, s_gf, eta_c : the flow prediction a sweep compares with, as Fractions (theory's
        exact values to :data:`SWEEP_DPS` digits, or :func:`numerics.flow.gradient_flow`'s), or
        None: the limit ``beta_GF``, its sharpness ``s_gf = S(beta_GF)`` and ``eta_c = 2/s_gf``
        (the package's one ``eta_c``, R6)
    s_gf_at_end : bool or None
        Whether the path's largest sharpness is attained at its end (theory's sufficient
        condition, else the flow's finding; None: not known).
    eta_path : Fraction or None
        ``2 / sup_t S`` along the path (equal to ``eta_c`` when ``s_gf_at_end``; otherwise from
        :func:`numerics.flow.gradient_flow`; a non-stationary point, so no threshold).
    eta_plateau : Fraction or None
        ``2/S`` of GD's own converged limit at ``eta_c (1 - 1/100)``
        (:func:`numerics.plateau.eta_plateau`): where GD leaves the flow, measured.
    references : dict or None
        Several samples (or ``product``/``difference``): the sweep's ``min_norm``,
        ``min_sharpness`` and (with ``beta*``) ``point`` blocks from
        :func:`numerics.interpolators.interpolator_blocks` (the exact minimum-norm interpolator;
        the certified minimum-sharpness one, its sharpness the interval's upper end; exact
        risks), for data of at most :data:`MAX_REFERENCE_SIZE` entries.
    notes : tuple of str
    """

    one_sample_theory: bool = False
    min_norm: object = None
    min_sharpness: object = None
    thresholds: object = None
    gradient_flow: object = None
    priors: dict = field(default_factory=dict)
    uniform: object = None
    cov_term: Fraction | None = None
    beta_gf: tuple | None = None
    s_gf: Fraction | None = None
    eta_c: Fraction | None = None
    s_gf_at_end: bool | None = None
    eta_path: Fraction | None = None
    eta_plateau: Fraction | None = None
    references: dict | None = None
    notes: tuple = ()

    def blocks(self, prior: str | None = None) -> dict:
        """Exact blocks keyed like ``normsharp interpolators --json``: ``min_norm``,
        ``min_sharpness`` (``beta``, ``l1_norm``, ``param_norm_sq``, ``sharpness``),
        ``thresholds``, ``gradient_flow`` (with ``alpha`` only: ``beta``, ``sharpness``,
        ``eta_c``, ``l1_norm``) and ``optimal`` for ``prior`` (default: ``"point"`` when a
        ground truth was given, else ``"uniform"``); and ``_prior`` (its name) and ``_notes``
        (``faces``: an optimum is a face; ``neither_optimal``; ``eta_star_inside``).

        Raises
        ------
        DomainError
            The one-sample theory does not apply, or ``prior`` is not one of :attr:`priors`.
        """
        if not self.one_sample_theory:
            raise DomainError("problem", "several samples or another parametrisation",
                              "one sample of the paper's model (x > 0, y > 0)")
        prior = ("point" if "point" in self.priors else "uniform") if prior is None else prior
        if prior not in self.priors:
            raise DomainError("prior", prior, f"one of {', '.join(self.priors)}")
        n, s, t = self.min_norm, self.min_sharpness, self.thresholds
        out = {
            "min_norm": {"beta": n.beta, "l1_norm": n.l1_norm, "param_norm_sq": n.param_norm_sq,
                         "sharpness": n.sharpness},
            "min_sharpness": {"beta": s.beta, "l1_norm": s.l1_norm,
                              "param_norm_sq": s.param_norm_sq, "sharpness": s.sharpness},
            "thresholds": {"eta_min_norm_unstable": t.eta_min_norm_unstable,
                           "eta_no_stable_interpolator": t.eta_no_stable_interpolator},
        }
        g = self.gradient_flow
        if g is not None:
            out["gradient_flow"] = _flow_block(g)
        chosen = self.priors[prior]
        out["optimal"] = chosen.block()
        out["_prior"] = chosen.prior
        out["_notes"] = {"faces": not (n.unique and s.unique),
                         "neither_optimal": chosen.gaps.neither_optimal,
                         "eta_star_inside": chosen.best.inside}
        return out

    def for_sweep(self) -> dict:
        """The sweep's ``predicted`` dict: keys ``one_sample_theory``, ``beta_gf``, ``s_gf``,
        ``eta_c``, ``s_gf_at_end``, ``eta_min_norm_unstable``, ``eta_no_stable_interpolator``,
        ``min_norm``, ``min_sharpness`` (``beta``, ``l1_norm``, ``sharpness``), ``point`` and
        ``uniform`` (risk blocks), ``mu``, ``cov_term``, ``notes``; exact values as Fractions
        (irrational ones to :data:`SWEEP_DPS` digits), ``None`` where not predicted."""
        F = _fraction
        theory = self.one_sample_theory
        t = self.thresholds
        refs = self.references or {}

        def interpolator(it):
            return {"beta": tuple(F(b) for b in it.beta), "l1_norm": F(it.l1_norm),
                    "sharpness": F(it.sharpness)} if theory else None

        def risks(name):
            p = self.priors.get(name)
            return None if p is None else p.for_sweep()

        return {"one_sample_theory": theory, "beta_gf": self.beta_gf, "s_gf": self.s_gf,
                "eta_c": self.eta_c, "s_gf_at_end": self.s_gf_at_end,
                "eta_path": self.eta_path, "eta_plateau": self.eta_plateau,
                "eta_min_norm_unstable": F(t.eta_min_norm_unstable) if theory else None,
                "eta_no_stable_interpolator": F(t.eta_no_stable_interpolator) if theory
                else None,
                "min_norm": interpolator(self.min_norm) if theory else refs.get("min_norm"),
                "min_sharpness": (interpolator(self.min_sharpness) if theory
                                  else refs.get("min_sharpness")),
                "point": risks("point") if theory else refs.get("point"),
                "uniform": risks("uniform"),
                "mu": tuple(F(m) for m in self.uniform.mean) if theory else None,
                "cov_term": self.cov_term, "notes": list(self.notes)}


def _flow_block(g) -> dict:
    """The gradient-flow limit's block: exact when ``lambda`` is an explicit algebraic number;
    else ``lambda``'s equation and every quantity as theory's :class:`~theory._enclosure.
    Enclosed` value (its expression in ``lambda`` with proved rational bounds)."""
    keys = ("beta", "sharpness", "eta_c", "l1_norm")
    if g.exact or g.lam_bounds is None:
        return {k: getattr(g, k) for k in keys}
    return {"lambda": g.enclosed("lam"),
            "beta": tuple(g.enclosed("beta", i) for i in range(len(g.beta))),
            **{k: g.enclosed(k) for k in keys[1:]}}


def predict_one_sample(x, y, alpha=None, beta_star=None, *, Sigma=None,
                       sigma2=0) -> Predictions:
    """Theory's exact predictions for one sample of the paper's model (module notes).

    Parameters
    ----------
    x : d numbers, x > 0
    y : number, y > 0
    alpha : number > 0 or None
        The initialisation scale: adds the gradient-flow limit and ``eta_c`` (R6), and places
        ``eta*`` relative to ``eta_c``.
    beta_star : d numbers or None
        A ground truth: adds the point prior's risks (``priors["point"]``).
    Sigma : d x d covariance or None (identity); sigma2 : noise variance

    Returns
    -------
    Predictions
        With the flow fields left ``None`` (see :func:`predict` for the sweep's flow
        prediction).

    Raises
    ------
    DomainError
        From theory, naming the offending argument (``x[1]``, ``y``, ...).
    """
    import theory as T

    n = T.min_norm_interpolator(x, y)
    s = T.min_sharpness_interpolator(x, y)
    t = T.stability_thresholds(x, y)
    g = T.gradient_flow_limit(x, y, alpha) if alpha is not None else None
    uniform = T.uniform_prior(x, y)
    priors = [("uniform", uniform)]
    if beta_star is not None:
        priors.append(("point", T.point_prior(beta_star)))
    table = {name: PriorPrediction(prior.name, T.bias_gaps(x, y, prior, Sigma, sigma2),
                                   T.predicted_best_learning_rate(x, y, prior, alpha, Sigma))
             for name, prior in priors}
    d = len(x)
    cov = [[_fraction(uniform.cov[i, j]) for j in range(d)] for i in range(d)]
    Sg = Sigma or tuple(tuple(Fraction(int(i == j)) for j in range(d)) for i in range(d))
    cov_term = sum(Fraction(Sg[i][j]) * cov[j][i] for i in range(d) for j in range(d)) \
        + Fraction(sigma2)
    return Predictions(True, n, s, t, g, table, uniform, cov_term)


def predict(problem) -> Predictions:
    """What theory predicts for ``problem`` (a :class:`numerics.Problem`), built once.

    For one sample of the paper's model with ``x > 0`` and ``y > 0``:
    :func:`predict_one_sample` with the problem's ``alpha``, ``beta*``, ``Sigma`` and
    ``sigma^2``, and the flow prediction ``beta_GF``, ``s_GF``, ``eta_c = 2/s_GF`` (R6; see the
    module notes). For other problems: the flow prediction from
    :func:`numerics.flow.gradient_flow` only, or a note when the flow is not defined for the
    problem (any other exception is a bug and propagates).

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> p = predict(Problem([1, "1/2"], 1, "1/100", beta_star=["1/2", 1]))
    >>> sorted(p.priors), p.s_gf_at_end, float(p.eta_c)
    (['point', 'uniform'], True, 0.5012499960937683)
    """
    x_pos = problem.n == 1 and all(v > 0 for v in problem.X[0]) and problem.y[0] > 0
    if not (problem.one_sample_theory and x_pos):
        flow, notes = _flow_prediction(problem)
        flow["eta_plateau"] = _plateau(problem, flow.get("eta_c"))
        refs, ref_notes = _references(problem)
        notes.extend(ref_notes)
        notes.append("expected risk under the uniform prior: not defined here (the zero-loss "
                     "set is not the bounded simplex of a one-sample shared problem with "
                     "x, y > 0)")
        return Predictions(notes=tuple(notes), references=refs, **flow)
    Sigma = None if problem.Sigma is None else [list(r) for r in problem.Sigma]
    beta_star = None if problem.beta_star is None else list(problem.beta_star)
    x, y, alpha = list(problem.X[0]), problem.y[0], problem.alpha
    exact = predict_one_sample(x, y, alpha, beta_star, Sigma=Sigma, sigma2=problem.sigma2)
    flow, notes = _one_sample_flow(problem, exact.gradient_flow)
    return Predictions(**{**exact.__dict__, **flow, "notes": tuple(notes)})


def _one_sample_flow(problem, g) -> tuple[dict, list]:
    """``beta_GF``, ``s_GF``, ``eta_c``, ``s_gf_at_end`` on the paper's model (module notes)."""
    import theory as T

    notes: list = []
    closed = None
    if g.exact:
        beta_gf, s_gf = tuple(_fraction(b) for b in g.beta), _fraction(g.sharpness)
    else:
        # theory's root is not an explicit algebraic number: the flow's closed form (E5) at
        # SWEEP_DPS digits gives the same limit and its sharpness S(beta_GF) = 4 sum x_i^2 beta_i
        closed = gradient_flow(problem, dps=SWEEP_DPS, method="closed_form")
        beta_gf, s_gf = tuple(closed.beta), closed.s_end
    out = {"beta_gf": beta_gf, "s_gf": s_gf, "eta_c": 2 / s_gf, "eta_path": 2 / s_gf}
    x, y, alpha = list(problem.X[0]), problem.y[0], problem.alpha
    out["s_gf_at_end"] = T.sharpness_along_flow(x, y, alpha).S_at_end
    if out["s_gf_at_end"] is not True:
        # theory does not place the path's largest sharpness at its end: ask the flow itself
        # where it is (eta_c stays the limit's 2/S(beta_GF): the one eta_c)
        found, flow_notes = _flow_prediction(problem, closed)
        if found.get("eta_path") is not None:
            out.update(eta_path=found["eta_path"], s_gf_at_end=found["s_gf_at_end"])
            notes.append("eta_path = 2/sup S along the gradient-flow path from numerics.flow "
                         "(theory does not prove the supremum is attained at the end here)")
        else:
            notes.append("eta_path unknown: theory does not prove that the path's largest "
                         "sharpness is attained at its end for this alpha")
            notes.extend(flow_notes)
    out["eta_plateau"] = _plateau(problem, out["eta_c"])
    return out, notes


#: the n-sample reference interpolators are computed for data of at most this many entries
#: (n d); an LP and a semidefinite program: about 2 s at 5 x 20
MAX_REFERENCE_SIZE = 2000


def _references(problem) -> tuple[dict | None, list]:
    """The sweep's reference blocks on several samples (``Predictions.references``), or
    ``None`` and a note saying why not."""
    from numerics.interpolators import interpolator_blocks

    if problem.n * problem.d > MAX_REFERENCE_SIZE:
        return None, [f"reference interpolators: not computed (n d = {problem.n * problem.d} > "
                      f"{MAX_REFERENCE_SIZE}; normsharp interpolators --X-file computes them)"]
    try:
        b = interpolator_blocks(
            [list(r) for r in problem.X], list(problem.y), problem.param, problem.depth,
            beta_star=None if problem.beta_star is None else list(problem.beta_star),
            Sigma=None if problem.Sigma is None else [list(r) for r in problem.Sigma],
            sigma2=problem.sigma2)
    except DomainError as exc:
        return None, [f"reference interpolators: not available ({exc})"]

    def block(name, sharpness):
        return {"beta": tuple(b[name]["beta"]), "l1_norm": b[name]["l1_norm"],
                "sharpness": sharpness}

    refs = {"min_norm": block("min_norm", b["min_norm"]["sharpness"]),
            "min_sharpness": block("min_sharpness", b["min_sharpness"]["certified"][1])}
    opt = b.get("optimal")
    if opt is not None:
        rn, rs, ro = opt["risk_min_norm"], opt["risk_min_sharpness"], opt["risk_optimal"]
        refs["point"] = {"prior": "point", "optimal": tuple(opt["beta"]), "risk_min_norm": rn,
                         "risk_min_sharpness": rs, "risk_optimal": ro,
                         "eta_star": opt["eta_star"], "sharpness_optimal": opt["sharpness"],
                         "eta_star_inside": None, "neither_optimal": ro < min(rn, rs),
                         "strictly_between": None}
    return refs, ["reference interpolators: numerics.interpolators (exact minimum norm, "
                  "certified minimum sharpness: its upper end)"]


def _plateau(problem, eta_c):
    """GD's plateau landmark (:func:`numerics.plateau.eta_plateau`), or None."""
    from numerics.plateau import eta_plateau

    return None if eta_c is None else eta_plateau(problem, eta_c)


def _flow_prediction(problem, res=None) -> tuple[dict, list]:
    """``beta_GF``, ``s_GF``, ``eta_c`` and ``s_gf_at_end`` from
    :func:`numerics.flow.gradient_flow` (default precision; or ``res``, a run already made),
    and notes; ``({}, [note])`` when the flow is not defined for ``problem`` (a documented
    :class:`DomainError` or :class:`NoConvergence`)."""
    if res is None:
        try:
            res = gradient_flow(problem)
        except (DomainError, NoConvergence) as exc:
            return {}, [f"eta_c predicted: not available ({exc})"]
    return ({"beta_gf": tuple(res.beta), "s_gf": res.s_end, "eta_c": res.eta_c,
             "eta_path": res.eta_path, "s_gf_at_end": res.s_gf_at_end},
            ["eta_c predicted: numerics.flow (gradient flow at high precision)"])
