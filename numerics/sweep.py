r"""Learning-rate sweeps: many ``eta`` at once, resumable, with high-precision confirmations.

Statement
---------
For a fixed problem and initialisation, :func:`sweep` runs gradient descent for every learning
rate of a grid and records, per ``eta``, where GD ends:

* ``status`` and ``steps`` (``converged``, ``not_converged``, ``diverged``);
* the final ``beta``, its sharpness ``S`` (the ``n x n`` Gram form at a converged point, the full
  Hessian otherwise: :func:`numerics.hessian.spectrum`) beside ``2/eta``;
* ``||beta||_1`` and ``||theta||^2``;
* the risk against ``beta*`` (when the problem has one) and the expected risk under a prior;
* the distance ``||beta - beta^GF||_2`` to the gradient-flow limit;
* agreed digits, for the points confirmed at two precisions.

It then locates the observed critical learning rate ``eta_c`` (where the final sharpness leaves
the flow-aligned plateau and starts to track ``2/eta``), the learning rate of least risk, and the
observed stability boundary, and confirms the points around them at high precision.

How it runs
-----------
* **float64, batched.** The grid is cut into fixed chunks of :data:`CHUNK` consecutive learning
  rates; each chunk is one :func:`numerics.gd.gradient_descent_batch` call (all its ``eta`` in
  one array). Chunks and confirmations run on a process pool of ``jobs`` workers started with
  the ``spawn`` method: every worker is a fresh interpreter, so no flint or mpmath state is
  shared. The chunk boundaries depend only on the grid, so a point's float64 result does not
  depend on ``jobs`` or on which points an earlier, interrupted run finished.
* **Confirmations** are :func:`numerics.audit.audited_gd` runs (float64 against 32 digits, or
  ``p`` against ``2p`` digits with ``precision=p``), with the grid's step budget, raised to
  :data:`CONFIRM_BUDGET_FACTOR` times the float64 run's steps when that run converged (the
  high-precision run stops at a much smaller residual). ``confirm="auto"`` confirms the grid points
  bracketing the observed ``eta_c`` (and the refined bracket), the grid point nearest the
  predicted ``eta_c``, the grid and refined minimisers of the risk, the last converged grid point
  and the next one, and the grid points on either side of the predicted stability limit
  ``1/(2 y x_min)``; plus ``confirm_etas`` (each snapped to its nearest grid point).
  ``"converged"`` adds every converged grid point, ``"all"`` every grid point, ``"none"`` only
  ``confirm_etas``.
* **Resumable.** With ``out_dir``, every finished row is appended to ``out_dir/sweep.jsonl`` by
  one ``os.write`` of a complete line followed by ``fsync``; the arguments are recorded in
  ``out_dir/sweep.meta.json`` (written to a temporary file and renamed). A later call with the
  same arguments skips every finished row; a torn last line (a kill during the write) is
  detected by its missing newline and truncated away. Different arguments in the same
  directory raise :class:`DomainError`. ``out_dir/sweep.csv`` is written at the end.

Which digits are reported
-------------------------
``sweep.jsonl`` is a raw log (float64 values as computed). The result's ``points`` (and the CSV)
follow this rule:

* a **confirmed** point reports each quantity with the digits its two precisions agree on
  (``"chaotic"`` when none), ``audited: true`` and the ``digits`` per quantity. Every quantity,
  the derived ``expected_risk`` and ``distance_gf`` included, goes through
  :func:`numerics.audit.audit_quantity`: when the two runs neither converged nor settled on a
  common period, fewer than :data:`numerics.audit.CHANCE_DIGITS` agreed digits count as chance
  and are reported as ``"chaotic"``. A converged point's ``hessian_check`` gives its three
  sharpness values to the digits agreed on ``S`` and its residues (single-run magnitudes) to
  :data:`RESIDUE_DIGITS` digits;
* an **unconfirmed converged** point reports each quantity rounded to ``U_q`` significant digits
  and ``audited: false``, where ``U_q = min(4, D_q - 2)`` and ``D_q`` is the fewest digits on
  which, at the nearest confirmed converged point below and the nearest above (in ``eta``), the
  float64 grid value of quantity ``q`` agreed with the high-precision value (the
  float64-against-confirmation evidence of its neighbours, less two digits of margin). Without
  such evidence (``U_q <= 0``) the value is ``None``;
* an **unconfirmed** point that did not converge reports its status and steps only: its final
  state is not a limit, and near the stability limit float64 is chaotic;
* the summaries follow the same rule: the plateau sharpness ``eta_c["S_ref"]`` (and the
  threshold derived from it) is reported as its grid point reports ``S``, and the least risk of
  an unconfirmed best point is ``best["risk_unaudited"]`` (the unaudited rule). The raw float64
  values the sweep decided with are kept under keys ending in ``_float64`` and are not part of
  :meth:`SweepResult.to_json`.

Parameters
----------
See :func:`sweep`.

Notes
-----
Observed ``eta_c``. On the converged grid points in increasing ``eta``, the *sharpness
elasticity* between neighbours is ``e = -(dS/S)/(d eta/eta)``: about 0 on the flow-aligned
plateau (the limit barely moves) and about 1 at the edge of stability (``S ~ 2/eta``). The
bracket is the first neighbouring pair with ``e > 1/2``. Inside it, :data:`ZOOM_LEVELS` rounds of
:data:`ZOOM_POINTS` extra float64 runs bisect for the first ``eta`` whose run *leaves the
plateau*: it does not converge, or converges with ``S < S_lo (1 - PLATEAU_TOL)`` where ``S_lo``
is the final sharpness at the pair's lower end. On a grid so fine that the pair's upper end
has not yet left the plateau, the bisection starts from the first grid point that has and the
point before it; when no grid point leaves it, there is no observed ``eta_c`` (with a note).
``eta_c_observed`` is that first ``eta`` (the bracket's upper end), reported with the bracket.
The prediction is ``2/s_GF`` (R6).

Expected risk. For one-sample ``shared`` problems with ``x > 0`` and ``y > 0`` the prior is the
uniform distribution on the zero-loss simplex (:func:`theory.uniform_prior`), and
``E R(beta) = (beta - mu)^T Sigma (beta - mu) + tr(Sigma C) + sigma^2``. For other problems the
zero-loss set is not a bounded simplex and ``expected_risk`` is ``None``.

References
----------
[MFCKM26] Section 3 (R5, R9) and Appendix B (R6).

Examples
--------
>>> from numerics.problem import Problem
>>> p = Problem([1, "1/2"], 1, "1/100", beta_star=["1/2", 1])
>>> res = sweep(p, eta_grid("0.4", "1.1", 8), 5000, confirm="none")
>>> [pt["status"] for pt in res.points]  # doctest: +NORMALIZE_WHITESPACE
['converged', 'converged', 'converged', 'converged', 'converged', 'converged',
 'not_converged', 'diverged']
>>> [pt["audited"] for pt in res.points][:2], res.points[-1]["digits"]
([False, False], 'unaudited')
>>> round(res.eta_c_predicted, 6)
0.50125
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .audit import Agreed, agreed_digits, audit_quantity
from .audited import QUANTITIES, audited_gd
from .backends import get_backend
from .errors import DomainError, NoConvergence
from .flow import gradient_flow
from .gd import gradient_descent_batch
from .hessian import hessian_rows, spectrum
from .precision import precision_pair
from .problem import Problem, as_fraction

__all__ = ["sweep", "eta_grid", "SweepResult", "predictions", "CHUNK", "PLATEAU_TOL",
           "ZOOM_POINTS", "ZOOM_LEVELS", "CONFIRM_MODES", "FORMAT"]

#: learning rates per float64 batch (fixed, so results do not depend on ``jobs`` or resumption)
CHUNK = 8
#: relative drop of the final sharpness below the plateau that counts as leaving it
PLATEAU_TOL = Fraction(1, 1000)
#: sharpness elasticity separating the plateau (about 0) from the edge of stability (about 1)
ELASTICITY = 0.5
#: extra float64 runs per refinement round, and the number of rounds
ZOOM_POINTS = 16
ZOOM_LEVELS = 2
#: at most this many digits are printed for an unconfirmed converged point
UNAUDITED_MAX_DIGITS = 4
CONFIRM_MODES = ("auto", "converged", "all", "none")
#: a confirmation of a point whose float64 run converged after k steps may take this many
#: times k steps (the high-precision run stops at a residual 10^(p-16) times smaller)
CONFIRM_BUDGET_FACTOR = 4
FORMAT = "normsharp-sweep/1"
#: quantities reported per point (besides beta)
SCALARS = ("S", "l1_norm", "param_norm_sq", "risk", "expected_risk", "distance_gf")
#: a sweep row's name for an audited quantity of :data:`numerics.audit.QUANTITIES` (the loss,
#: a bound at a converged point, is not reported per point)
_ROW_NAMES = {name: ("S" if name == "sharpness" else name) for name in QUANTITIES
              if name != "loss"}
#: significant digits kept of the Hessian check's residues (single-run magnitudes)
RESIDUE_DIGITS = 2


# --------------------------------------------------------------------------- exact helpers
def eta_grid(eta_min, eta_max, num: int) -> tuple[Fraction, ...]:
    """``num`` equally spaced learning rates from ``eta_min`` to ``eta_max``, exactly.

    Parameters
    ----------
    eta_min, eta_max : exact reals, ``0 < eta_min <= eta_max``
    num : int, ``num >= 1`` (``num = 1`` requires ``eta_min = eta_max``)

    Raises
    ------
    DomainError
        On a non-positive or reversed range or a bad ``num``.

    Examples
    --------
    >>> [str(e) for e in eta_grid("0.3", "0.5", 3)]
    ['3/10', '2/5', '1/2']
    """
    lo, hi = as_fraction(eta_min, "eta_min"), as_fraction(eta_max, "eta_max")
    if lo <= 0:
        raise DomainError("eta_min", eta_min, "a learning rate eta_min > 0 is required")
    if hi < lo:
        raise DomainError("eta_max", eta_max, f"eta_max >= eta_min = {eta_min} is required")
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise DomainError("num", num, "an integer number of learning rates >= 1 is required")
    if num == 1:
        if hi != lo:
            raise DomainError("num", num, "num >= 2 when eta_max > eta_min")
        return (lo,)
    step = (hi - lo) / (int(num) - 1)
    return tuple(lo + i * step for i in range(int(num)))


def _sympy_fraction(expr, digits: int = 45) -> Fraction:
    import sympy as sp

    expr = sp.sympify(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    return Fraction(str(sp.N(expr, digits)))


def _key(e: Fraction) -> str:
    return str(e)


# --------------------------------------------------------------------------- predictions
def predictions(problem: Problem) -> dict:
    """What theory predicts for ``problem`` (exact values as Fractions, to 45 digits).

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
    out = {"one_sample_theory": False, "beta_gf": None, "s_gf": None, "eta_c": None,
           "s_gf_at_end": None, "eta_min_norm_unstable": None,
           "eta_no_stable_interpolator": None, "min_norm": None, "min_sharpness": None,
           "point": None, "uniform": None, "mu": None, "cov_term": None, "notes": []}
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
    F = _sympy_fraction
    out["one_sample_theory"] = True
    gf = T.gradient_flow_limit(x, y, alpha)
    flow = None
    if gf.exact:
        out["beta_gf"] = tuple(F(b) for b in gf.beta)
        out["s_gf"] = F(gf.sharpness)
    else:
        # theory's root is not an explicit algebraic number: the flow's closed form (E5) at
        # 45 digits gives the same limit and its sharpness S(beta_GF) = 4 sum x_i^2 beta_i
        flow = gradient_flow(problem, dps=45, method="closed_form")
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


# --------------------------------------------------------------------------- workers
def _context(problem: Problem, pred: dict) -> dict:
    """What the workers need besides the problem: beta_GF, the prior's mean and trace term."""
    return {"beta_gf": pred["beta_gf"], "mu": pred["mu"], "cov_term": pred["cov_term"]}


def _quad(problem: Problem, e) -> object:
    """``e^T Sigma e`` (identity by default) for Fractions or floats."""
    if problem.Sigma is None:
        return sum(v * v for v in e)
    return sum(e[i] * problem.Sigma[i][j] * e[j]
               for i in range(len(e)) for j in range(len(e)))


def _derived(problem: Problem, ctx: dict, beta: tuple, be) -> dict:
    """Risk, expected risk and distance to beta_GF of a run's ``beta`` (exact Fractions of its
    binary values); the distance's square root is taken in ``be``, the arithmetic of the run
    that produced ``beta``, so that each precision reports the distance it can compute."""
    out = {"risk": None, "expected_risk": None, "distance_gf": None}
    if any(b is None for b in beta):
        return out
    if problem.beta_star is not None:
        e = [b - s for b, s in zip(beta, problem.beta_star, strict=True)]
        out["risk"] = _quad(problem, e) + problem.sigma2
    if ctx["mu"] is not None:
        e = [b - m for b, m in zip(beta, ctx["mu"], strict=True)]
        out["expected_risk"] = _quad(problem, e) + ctx["cov_term"]
    if ctx["beta_gf"] is not None:
        square = sum((b - g) ** 2 for b, g in zip(beta, ctx["beta_gf"], strict=True))
        with be.scope():
            out["distance_gf"] = be.to_fraction(be.sqrt(be.scalar(square)))
    return out


def _backend_of(result):
    """The arithmetic a :class:`~numerics.gd.GDResult` ran in."""
    return get_backend(result.backend, None if result.backend == "float64" else result.dps)


def _grid_task(problem: Problem, etas: tuple, steps: int, kind: str, ctx: dict) -> list[dict]:
    """One float64 batch: the rows of ``etas`` (a chunk of the grid or a refinement round)."""
    batch = gradient_descent_batch(problem, list(etas), steps)
    be = get_backend("float64")
    fl = problem.floats()
    X, y, n = fl["X"], fl["y"], problem.n
    rows = []
    for j, eta in enumerate(etas):
        status = batch.status[j]
        row = {"kind": kind, "eta": _key(eta), "status": status, "steps": int(batch.steps[j]),
               "diverged_at": batch.diverged_at[j], "beta": None, "S": None,
               "lambda_max": None, "sharpness_form": None, "l1_norm": None,
               "param_norm_sq": None, "loss": None, "risk": None, "expected_risk": None,
               "distance_gf": None}
        if status != "diverged":
            theta = tuple(np.array(t[j], dtype=float) for t in batch.theta)
            beta = np.asarray(batch.beta[j], dtype=float)
            r = X @ beta - y
            g = (r @ X) / n
            zero_loss = status == "converged"
            _, lam, S = spectrum(problem, be, theta, g, zero_loss)
            exact_beta = tuple(Fraction(float(b)) for b in beta)
            derived = _derived(problem, ctx, exact_beta, be)
            row.update(beta=[float(b) for b in beta], S=float(S), lambda_max=float(lam),
                       sharpness_form="gram" if zero_loss else "full",
                       l1_norm=float(batch.l1_norm[j]),
                       param_norm_sq=float(batch.param_norm_sq[j]),
                       loss=float(batch.loss[j]),
                       **{k: None if v is None else float(v) for k, v in derived.items()})
        rows.append(row)
    return rows


def _confirm_task(problem: Problem, eta: Fraction, steps: int, precision, backend: str,
                  ctx: dict, grid_row: dict | None) -> dict:
    """Audit one learning rate at two precisions; the row records agreed digits only.

    GD's own quantities are :func:`numerics.audit.audited_gd`'s (``run.quantities``); the
    derived ones (expected risk, distance to ``beta_GF``) go through the same
    :func:`numerics.audit.audit_quantity`, chance rule included.
    """
    budget = steps
    if grid_row is not None and grid_row.get("status") == "converged":
        # the high-precision run must reach a residual ~10^17 times smaller: give it room
        budget = max(steps, CONFIRM_BUDGET_FACTOR * int(grid_row["steps"]))
    run = audited_gd(problem, eta, budget, precision=precision, backend=backend,
                     record_sharpness=False, record_every=max(1, budget // 50))
    low, high = run.low, run.high
    row = {"kind": "confirm", "eta": _key(eta), "status": run.status,
           "steps": [low.steps, high.steps], "statuses": [low.status, high.status],
           "precisions": [low.precision.label, high.precision.label],
           "diverged_at": high.diverged_at, "quantities": {}, "raw": {}, "grid_digits": {},
           "hessian_check": None,
           "diagnosis": run.diagnosis if run.status == "not_converged" else {}}
    if "diverged" in (low.status, high.status):
        return row
    audited, values = {}, {}
    for name, attr in QUANTITIES.items():
        q = run.quantities.get(name)
        if name not in _ROW_NAMES or q is None or q.value is None:
            continue
        audited[_ROW_NAMES[name]] = q
        values[_ROW_NAMES[name]] = (getattr(low, attr), getattr(high, attr))
    dl = _derived(problem, ctx, low.beta, _backend_of(low))
    dh = _derived(problem, ctx, high.beta, _backend_of(high))
    for key in ("expected_risk", "distance_gf"):
        if dl[key] is not None and dh[key] is not None:
            audited[key] = audit_quantity(key, dl[key], dh[key], run.cap, settled=run.settled)
            values[key] = (dl[key], dh[key])
    for key, q in audited.items():
        row["quantities"][key] = {"json": q.json(), "text": q.text(), "digits": q.digits}
        if key != "gain":
            row["raw"][key] = [_raw(v, r) for v, r in zip(values[key], (low, high),
                                                          strict=True)]
    if grid_row is not None and grid_row.get("beta") is not None:
        for key, (_, b) in values.items():
            g = grid_row.get(key)
            if g is None or key in ("gain", "lambda_max"):
                continue
            gv = tuple(Fraction(v) for v in g) if isinstance(b, tuple) else Fraction(g)
            row["grid_digits"][key] = agreed_digits(gv, b, run.cap)
    if low.status == high.status == "converged":
        row["hessian_check"] = _hessian_check(problem, high, audited["S"].digits
                                              if "S" in audited else 0)
    return row


def _raw(v, r):
    """A computed value of run ``r`` as decimal text with all the digits it carries (17 for
    float64, ``dps + 3`` otherwise; a list for vectors): the log's raw form."""
    digits = 17 if r.backend == "float64" else int(r.dps) + 3
    if isinstance(v, tuple):
        return [None if x is None else _raw(x, r) for x in v]
    return Agreed("raw", v, digits).text()


def _hessian_check(problem: Problem, result, digits: int) -> dict:
    """The full Hessian at a converged endpoint, at the run's own precision (R1 / E1).

    Returns the largest ``|eigenvalue|`` of the full ``kd x kd`` Hessian, the Gram-form value
    the run reported, ``4 sum x_i^2 beta_i`` (one-sample shared depth 2: R1's closed form), the
    largest ``|eigenvalue|`` among the others (rank one on ``M`` means these vanish) and the
    bound ``max_i |g_i| ||B_i||`` by which the full Hessian may differ from the Gram form off
    the exact zero-loss set.

    Only audited digits are reported: the three sharpness values are rounded to ``digits``, the
    digits on which the two precisions agreed about ``S`` (``None`` when they agreed on none);
    the residues (differences, other eigenvalues, the bound) are magnitudes of a single run near
    its rounding level, reported to :data:`RESIDUE_DIGITS` significant digits, the residues
    rounded up and the bound to nearest.
    """
    be = _backend_of(result)
    with be.scope():
        theta = tuple(np.array([be.scalar(v) for v in t], dtype=be.dtype) for t in result.theta)
        beta = problem.parametrisation.beta(theta)
        Xd = be.data(problem.X)
        r = be.matvec(Xd, beta) - be.vector(problem.y)
        g = be.rmatvec(Xd, r) * be.scalar(Fraction(1, problem.n))
        values = be.eigvalsh(hessian_rows(problem, be, theta, g))
        F = be.to_fraction
        vals = [F(v) for v in values]
        Bs = problem.parametrisation.hessians(theta)
        bound = Fraction(0)
        for i in range(problem.d):
            Bi = max(abs(F(Bs[a][b][i])) for a in range(problem.k) for b in range(problem.k))
            bound = max(bound, abs(F(g[i])) * Bi * problem.k)
    top = abs(max(vals, key=abs))
    # on the zero-loss set the Hessian has rank n: all but the n largest |eigenvalues| vanish
    others = sorted((abs(v) for v in vals), reverse=True)[problem.n:]
    out = {"S_full": _rounded(top, digits), "S_gram": _rounded(result.S, digits),
           "full_minus_gram": _residue(abs(top - result.S)),
           "other_eigenvalues_max": _residue(max(others)) if others else 0.0,
           "bound": _rounded(bound, RESIDUE_DIGITS) if bound else 0.0,
           "S_formula": None, "formula_minus_full": None, "S_digits": digits}
    if problem.one_sample_theory:
        formula = 4 * sum(xi * xi * b for xi, b in zip(problem.X[0], result.beta, strict=False))
        out["S_formula"] = _rounded(formula, digits)
        out["formula_minus_full"] = _residue(abs(formula - top))
    return out


def _residue(v: Fraction) -> float:
    """A non-negative single-run magnitude, rounded up to :data:`RESIDUE_DIGITS` digits."""
    return Agreed("residue", v, RESIDUE_DIGITS, "bound").json() if v else 0.0


# --------------------------------------------------------------------------- storage
class _Store:
    """Rows keyed by ``(kind, eta)``; optionally persisted to ``DIR/sweep.jsonl``."""

    def __init__(self, out_dir, meta: dict):
        self.rows: dict = {}
        self.fd = None
        self.dir = None
        if out_dir is None:
            return
        self.dir = Path(out_dir)
        if self.dir.exists() and not self.dir.is_dir():
            raise DomainError("out_dir", str(out_dir), "a directory (a file of that name exists)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.meta_path = self.dir / "sweep.meta.json"
        self.path = self.dir / "sweep.jsonl"
        if self.meta_path.exists():
            try:
                old = json.loads(self.meta_path.read_text())
            except (OSError, ValueError):
                raise DomainError(f"{self.meta_path}", "unreadable", "a sweep.meta.json "
                                  "written by normsharp (delete the directory)") from None
            if old != meta:
                diff = sorted(k for k in set(old) | set(meta) if old.get(k) != meta.get(k))
                raise DomainError(
                    "out_dir", str(out_dir),
                    f"a directory holding no sweep or this same sweep; it holds a sweep with "
                    f"different {', '.join(diff)} (use another directory, or the same "
                    f"arguments to resume)")
        else:
            if self.path.exists() and self.path.stat().st_size > 0:
                raise DomainError("out_dir", str(out_dir), "sweep.jsonl without "
                                  "sweep.meta.json: not a normsharp sweep (use another "
                                  "directory)")
            _atomic_write(self.meta_path, json.dumps(meta, indent=1, sort_keys=True) + "\n")
        self._load()
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a torn last line: the write was interrupted
            os.truncate(self.path, end)
            data = data[:end]
        for number, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                key = (row["kind"], row["eta"])
            except (ValueError, KeyError, TypeError):
                raise DomainError(f"{self.path} line {number}", line[:40].decode(
                    "utf-8", "replace"), "a JSON row written by normsharp (the file is "
                    "corrupt: delete the directory)") from None
            self.rows.setdefault(key, row)

    def has(self, kind: str, eta: Fraction) -> bool:
        return (kind, _key(eta)) in self.rows

    def get(self, kind: str, eta: Fraction):
        return self.rows.get((kind, _key(eta)))

    def add(self, row: dict) -> None:
        key = (row["kind"], row["eta"])
        if key in self.rows:
            return
        self.rows[key] = row
        if self.fd is not None:
            data = (json.dumps(row, separators=(",", ":"), allow_nan=False) + "\n").encode()
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
            os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# --------------------------------------------------------------------------- execution
class _Runner:
    """Runs tasks in-process (``jobs = 1``) or on a spawn-started process pool."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = None

    def run(self, fn, tasks: list, on_done: Callable) -> None:
        if not tasks:
            return
        if self.jobs == 1 or len(tasks) == 1:
            for args in tasks:
                on_done(fn(*args))
            return
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"))
        from concurrent.futures import as_completed

        futures = [self.pool.submit(fn, *args) for args in tasks]
        try:
            for fut in as_completed(futures):
                on_done(fut.result())
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# --------------------------------------------------------------------------- the result
@dataclass
class SweepResult:
    """A finished sweep: per-eta points, the observed transitions, and what theory predicts.

    Attributes
    ----------
    problem : Problem
    etas : tuple of Fraction (the grid, increasing)
    steps : int
    points : list of dict
        One JSON-ready object per grid ``eta`` (keys in the module docstring).
    grid, refine, confirm : dict
        Raw rows by ``eta`` (float64 rows; refinement rows; audit rows).
    predicted : dict
        :func:`predictions`.
    eta_c : dict
        ``predicted``, ``observed``, ``bracket``, ``grid_bracket``, ``tol``, ``confirmed``
        (both precisions agree on the bracket's classification), ``note``; the plateau
        sharpness ``S_ref`` at the grid point ``S_ref_eta``, reported as that point reports
        its ``S`` (``S_ref_text``, ``S_ref_digits``, ``S_ref_audited``) and ``threshold`` =
        ``S_ref (1 - tol)`` to the same digits. ``S_ref_float64`` and ``threshold_float64``
        are the raw values the classification used (not in :meth:`to_json`).
    best : dict
        ``eta``, ``risk`` (agreed digits), ``risk_name``, ``grid_eta``, ``resolution``,
        ``interior``, ``confirmed``; when the best point is not confirmed, ``risk_unaudited``
        (the unaudited rule; ``None`` when withheld) and the raw ``risk_float64`` (not in
        :meth:`to_json`).
    backend : str
        The multiprecision backend of the confirmations.
    stability : dict
        ``last_converged``, ``first_failed``, ``limit`` (predicted), ``converged_above_limit``.
    unaudited_digits : dict
        The rule for unconfirmed converged points and how many confirmed points back it
        (per-point digits are in each point's ``unaudited_digits``).
    files : dict
        Paths written (``jsonl``, ``meta``, ``csv``) when ``out_dir`` was given.
    """

    problem: Problem
    etas: tuple
    steps: int
    precision: int | None
    points: list
    grid: dict
    refine: dict
    confirm: dict
    predicted: dict
    eta_c: dict
    best: dict
    stability: dict
    unaudited_digits: dict
    backend: str = "flint"
    notes: list = field(default_factory=list)
    files: dict = field(default_factory=dict)

    @property
    def precisions(self) -> list:
        """The confirmations' two precisions, e.g. ``["float64", "flint:32"]``."""
        return precision_pair(self.precision, self.backend).labels

    @property
    def eta_c_predicted(self) -> float | None:
        v = self.predicted.get("eta_c")
        return None if v is None else float(v)

    @property
    def eta_c_observed(self) -> float | None:
        v = self.eta_c.get("observed")
        return None if v is None else float(v)

    def to_json(self) -> dict:
        """The ``normsharp sweep --json`` object."""
        pred = self.predicted
        best = self.best
        return {
            "problem": self.problem.key(),
            "steps": self.steps,
            "precisions": self.precisions,
            "confirmed_points": len(self.confirm),
            "points": self.points,
            "eta_c_predicted": self.eta_c_predicted,
            "eta_c_observed": self.eta_c_observed,
            "eta_c": _jsonable(_reported(self.eta_c)),
            "eta_best": None if best.get("eta") is None else float(best["eta"]),
            "risk_best": best.get("risk"),
            "best": _jsonable(_reported(best)),
            "stability": _jsonable(self.stability),
            "predictions": _jsonable({k: v for k, v in pred.items() if k != "notes"}),
            "unaudited_digits": self.unaudited_digits,
            "notes": list(self.notes) + list(pred.get("notes", [])),
            "files": {k: str(v) for k, v in self.files.items()},
        }


def _reported(block: dict) -> dict:
    """``block`` without its raw single-run float64 values (keys ending in ``_float64``)."""
    return {k: v for k, v in block.items() if not k.endswith("_float64")}


def _jsonable(obj):
    if isinstance(obj, Fraction):
        return float(obj)
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- the sweep
def sweep(problem: Problem, etas: Iterable, steps: int, *, out_dir=None, jobs: int = 1,
          precision: int | None = None, confirm: str = "auto",
          confirm_etas: Sequence = (), backend: str = "flint", refine: bool = True,
          progress: Callable[[str, int, int], None] | None = None) -> SweepResult:
    r"""Run gradient descent over a grid of learning rates and confirm the points that matter.

    Statement
    ---------
    For each ``eta`` in the grid: GD from the problem's initialisation for at most ``steps``
    steps, its status and final quantities (see the module docstring), then

    .. math:: \eta_c^{obs} = \min\{\eta : S_{final}(\eta) < S_{lo}(1 - 10^{-3})\},
              \qquad \eta_c^{pred} = 2 / s_{GF},

    the learning rate of least risk, and the stability boundary, each confirmed at two
    precisions.

    Parameters
    ----------
    problem : Problem
    etas : iterable of positive exact reals (sorted and de-duplicated; see :func:`eta_grid`)
    steps : int, ``steps >= 1``: the step budget per run
    out_dir : path or None: resumable storage (``sweep.jsonl``, ``sweep.meta.json``,
        ``sweep.csv``)
    jobs : int, ``jobs >= 1``: worker processes (``spawn``-started: a script that calls
        :func:`sweep` with ``jobs > 1`` must guard its entry point with
        ``if __name__ == "__main__":``, as :mod:`multiprocessing` requires)
    precision : None (float64 against 32 digits) or ``p >= 5`` (``p`` against ``2p`` digits)
    confirm : ``"auto"``, ``"converged"``, ``"all"`` or ``"none"`` (module docstring)
    confirm_etas : extra learning rates to confirm (snapped to the nearest grid point)
    backend : ``"flint"`` or ``"mpmath"``: the multiprecision backend of the confirmations
    refine : bool: run the float64 refinement rounds for ``eta_c`` and the best ``eta``
    progress : callable ``(stage, done, total)`` or None

    Returns
    -------
    SweepResult

    Raises
    ------
    DomainError
        Non-positive learning rates, ``steps < 1``, ``jobs < 1``, a bad ``precision``,
        ``confirm`` or ``backend``, or ``out_dir`` holding a sweep with other arguments.

    Notes
    -----
    Deterministic: the same arguments give the same result whatever ``jobs`` is and however
    often the sweep was interrupted.

    References
    ----------
    [MFCKM26] Section 3 (R5, R9) and Appendix B (R6).
    """
    grid = _check_etas(etas)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise DomainError("steps", steps, "an integer step budget >= 1 is required")
    steps = int(steps)
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise DomainError("jobs", jobs, "an integer number of worker processes >= 1")
    if confirm not in CONFIRM_MODES:
        raise DomainError("confirm", confirm, f"one of {', '.join(CONFIRM_MODES)}")
    if backend not in ("flint", "mpmath"):
        raise DomainError("backend", backend, "flint or mpmath (the confirmation backend)")
    precision_pair(precision, backend)  # validates precision
    extra = tuple(_snap(as_fraction(e, "confirm_etas"), grid) for e in confirm_etas)
    meta = {"format": FORMAT, "problem": problem.key(), "etas": [_key(e) for e in grid],
            "steps": steps, "precision": precision, "backend": backend, "confirm": confirm,
            "confirm_etas": [_key(e) for e in extra], "refine": bool(refine),
            "chunk": CHUNK, "plateau_tol": str(PLATEAU_TOL), "zoom": [ZOOM_POINTS, ZOOM_LEVELS],
            "confirm_budget_factor": CONFIRM_BUDGET_FACTOR}
    pred = predictions(problem)
    ctx = _context(problem, pred)
    store = _Store(out_dir, meta)
    runner = _Runner(int(jobs))
    report = progress or (lambda stage, done, total: None)
    try:
        # 1. the float64 grid, in fixed chunks
        chunks = [grid[i:i + CHUNK] for i in range(0, len(grid), CHUNK)]
        todo = [c for c in chunks if not all(store.has("grid", e) for e in c)]
        done = [len(grid) - sum(len(c) for c in todo)]
        report("float64 grid", done[0], len(grid))

        def grid_done(rows):
            for row in rows:
                store.add(row)
            done[0] += len(rows)
            report("float64 grid", done[0], len(grid))

        todo.sort(key=lambda c: -float(c[-1]))  # slow (large eta) chunks first
        runner.run(_grid_task, [(problem, c, steps, "grid", ctx) for c in todo], grid_done)
        rows = {e: store.get("grid", e) for e in grid}

        # 2. refinement rounds (float64, in this process) for eta_c and the least risk
        risk_name = "risk" if problem.beta_star is not None else (
            "expected_risk" if ctx["mu"] is not None else None)
        eta_c = _observe_eta_c(problem, grid, rows, steps, store, ctx, refine, pred, report)
        best = _observe_best(problem, grid, rows, steps, store, ctx, refine, risk_name, report)
        stability = _observe_stability(grid, rows, pred)

        # 3. confirmations
        targets = _targets(grid, rows, confirm, extra, eta_c, best, stability, pred)
        tasks, total = [], len(targets)
        for eta in targets:
            if store.has("confirm", eta):
                continue
            src = rows.get(eta) or store.get("refine", eta)
            tasks.append((problem, eta, steps, precision, backend, ctx, src))
        count = [total - len(tasks)]
        report("confirm", count[0], total)

        def confirm_done(row):
            store.add(row)
            count[0] += 1
            report("confirm", count[0], total)

        tasks.sort(key=lambda t: 0 if (t[6] or {}).get("status") == "converged" else -1)
        runner.run(_confirm_task, tasks, confirm_done)
    finally:
        runner.close()
        store.close()

    confirmed = {e: store.get("confirm", e) for e in targets}
    evidence = _evidence(confirmed)
    _finish_eta_c(eta_c, confirmed, store)
    _finish_best(best, confirmed, store, risk_name, evidence)
    points = [_point(e, rows[e], confirmed.get(e), _unaudited_digits(e, evidence), problem)
              for e in grid]
    _finish_S_ref(eta_c, points, grid)
    unaudited = {"rule": "min(4, D - 2), D from the nearest confirmed converged points",
                 "evidence_points": len(evidence)}
    result = SweepResult(
        problem=problem, etas=grid, steps=steps, precision=precision, points=points,
        grid=rows, refine={Fraction(k[1]): v for k, v in store.rows.items()
                           if k[0] == "refine"},
        confirm={e: r for e, r in confirmed.items() if r is not None}, predicted=pred,
        eta_c=eta_c, best=best, stability=stability, unaudited_digits=unaudited,
        backend=backend, notes=_notes(confirm, unaudited))
    if out_dir is not None:
        d = Path(out_dir)
        result.files = {"jsonl": d / "sweep.jsonl", "meta": d / "sweep.meta.json",
                        "csv": d / "sweep.csv"}
        _write_csv(d / "sweep.csv", points, problem.d)
    return result


def _check_etas(etas) -> tuple:
    if isinstance(etas, (str, bytes)):
        raise DomainError("etas", etas, "a sequence of learning rates")
    try:
        values = [as_fraction(e, f"etas[{i}]") for i, e in enumerate(etas)]
    except TypeError:
        raise DomainError("etas", etas, "a sequence of learning rates") from None
    if not values:
        raise DomainError("etas", values, "at least one learning rate")
    for i, e in enumerate(values):
        if e <= 0:
            raise DomainError(f"etas[{i}]", e, "a learning rate eta > 0 is required")
    return tuple(sorted(set(values)))


def _snap(e: Fraction, grid: tuple) -> Fraction:
    if e <= 0:
        raise DomainError("confirm_etas", e, "a learning rate eta > 0 is required")
    return min(grid, key=lambda g: (abs(g - e), g))


def _converged(row) -> bool:
    return row is not None and row["status"] == "converged" and row["S"] is not None


# ---- eta_c ----------------------------------------------------------------------------
def _observe_eta_c(problem, grid, rows, steps, store, ctx, refine, pred, report) -> dict:
    out = {"predicted": pred["eta_c"], "observed": None, "bracket": None, "grid_bracket": None,
           "S_ref": None, "S_ref_text": None, "S_ref_digits": None, "S_ref_audited": None,
           "threshold": None, "S_ref_eta": None, "S_ref_float64": None,
           "threshold_float64": None, "tol": PLATEAU_TOL, "confirmed": None,
           "refine_etas": [], "note": None}
    conv = [e for e in grid if _converged(rows[e])]
    pair = None
    for a, b in zip(conv, conv[1:], strict=False):
        Sa, Sb = rows[a]["S"], rows[b]["S"]
        elasticity = -((Sb - Sa) / Sa) / (float(b - a) / float(a))
        if elasticity > ELASTICITY:
            pair = (a, b)
            break
    if pair is None:
        out["note"] = ("no transition in the sweep range: the final sharpness never leaves "
                       "a plateau" if len(conv) > 1 else "fewer than two converged points")
        return out
    lo, hi = pair
    if lo == conv[0]:
        out["note"] = ("the transition brackets the first converged point: eta_c may lie "
                       "at or below the sweep's start")
    S_lo = rows[lo]["S"]
    out["S_ref_eta"] = lo
    out["S_ref_float64"] = S_lo
    threshold = S_lo * (1 - float(PLATEAU_TOL))
    out["threshold_float64"] = threshold

    def left(row):
        return not (_converged(row) and row["S"] >= threshold)

    if not left(rows[hi]):
        # a fine grid: the elasticity pair's upper end is still within PLATEAU_TOL of the
        # plateau; the bracket is the first grid point that has left it and the one before
        later = [e for e in grid if e > hi and left(rows[e])]
        if not later:
            out["note"] = (f"no learning rate in the sweep leaves the plateau by more than "
                           f"{float(PLATEAU_TOL):.1%}")
            return out
        hi = later[0]
        lo = max(e for e in grid if e < hi)
    out["grid_bracket"] = (lo, hi)
    if refine:
        rowmap = {lo: rows[lo], hi: rows[hi]}
        for level in range(ZOOM_LEVELS):
            seq = _zoom(problem, lo, hi, steps, store, ctx, rowmap, out,
                        (f"refine eta_c {level + 1}/{ZOOM_LEVELS}", level + 1), report)
            for a, b in zip(seq, seq[1:], strict=False):
                if left(rowmap[b]):
                    lo, hi = a, b
                    break
    out["bracket"] = (lo, hi)
    out["observed"] = hi
    return out


def _zoom(problem, lo, hi, steps, store, ctx, rowmap, out, stage, report) -> list:
    """One refinement level: ZOOM_POINTS evenly spaced rates strictly inside ``(lo, hi)``, run
    (or read back from the log) into ``rowmap``; returns ``[lo, *rates, hi]``."""
    etas = tuple(lo + (hi - lo) * Fraction(j, ZOOM_POINTS + 1)
                 for j in range(1, ZOOM_POINTS + 1))
    rowmap.update(_refine_batch(problem, etas, steps, store, ctx))
    report(stage[0], stage[1], ZOOM_LEVELS)
    out["refine_etas"].extend(etas)
    return [lo, *etas, hi]


def _refine_batch(problem, etas, steps, store, ctx) -> dict:
    if not all(store.has("refine", e) for e in etas):
        for row in _grid_task(problem, etas, steps, "refine", ctx):
            store.add(row)
    return {e: store.get("refine", e) for e in etas}


def _row_of(e, store):
    return store.get("grid", e) or store.get("refine", e)


def _finish_eta_c(out, confirmed, store) -> None:
    if out["bracket"] is None:
        return
    lo, hi = out["bracket"]
    threshold = out["threshold_float64"]
    verdicts = []
    for e, want_left in ((lo, False), (hi, True)):
        c = confirmed.get(e)
        if c is None:
            verdicts.append(None)
            continue
        raw = c["raw"].get("S")
        if c["status"] == "converged" and raw is not None:
            sides = [Fraction(v) < Fraction(threshold) for v in raw]
            verdicts.append(None if sides[0] != sides[1] else (sides[0] == want_left))
        elif c["status"] in ("not_converged", "diverged"):
            verdicts.append(want_left)
        else:
            verdicts.append(None)
    out["confirmed"] = None if None in verdicts else all(verdicts)


# ---- the least risk ---------------------------------------------------------------------
def _observe_best(problem, grid, rows, steps, store, ctx, refine, risk_name, report) -> dict:
    out = {"risk_name": risk_name, "eta": None, "risk": None, "risk_text": None,
           "grid_eta": None, "resolution": None, "interior": None, "confirmed": False,
           "refine_etas": []}
    if risk_name is None:
        out["note"] = "no risk: give beta_star (or a one-sample shared problem for the prior)"
        return out
    conv = [e for e in grid if _converged(rows[e]) and rows[e][risk_name] is not None]
    if not conv:
        out["note"] = "no converged point"
        return out
    i = min(range(len(conv)), key=lambda k: (rows[conv[k]][risk_name], conv[k]))
    out["grid_eta"] = conv[i]
    out["interior"] = 0 < i < len(conv) - 1
    best, resolution = conv[i], None
    if out["interior"]:
        resolution = (conv[i + 1] - conv[i - 1]) / 2
    if refine and out["interior"]:
        lo, hi = conv[i - 1], conv[i + 1]
        rowmap = {e: rows[e] for e in (lo, best, hi)}
        for level in range(ZOOM_LEVELS):
            seq = _zoom(problem, lo, hi, steps, store, ctx, rowmap, out,
                        (f"refine best {level + 1}/{ZOOM_LEVELS}", level + 1), report)
            cands = [e for e in seq if _converged(rowmap[e])
                     and rowmap[e][risk_name] is not None]
            k = min(range(len(cands)), key=lambda m: (rowmap[cands[m]][risk_name], cands[m]))
            best = cands[k]
            lo = cands[k - 1] if k > 0 else cands[k]
            hi = cands[k + 1] if k < len(cands) - 1 else cands[k]
            resolution = (hi - lo) / 2
    out["eta"] = best
    out["resolution"] = resolution
    return out


def _finish_best(out, confirmed, store, risk_name, evidence) -> None:
    """The least risk with its agreed digits, or (unconfirmed) the float64 value rounded by the
    unaudited rule (``risk_unaudited``, ``None`` when withheld); the raw float64 value stays
    in ``risk_float64``, which :meth:`SweepResult.to_json` does not print."""
    if out.get("eta") is None:
        return
    c = confirmed.get(out["eta"])
    row = _row_of(out["eta"], store)
    if c is not None and risk_name in c["quantities"]:
        q = c["quantities"][risk_name]
        out["risk"], out["risk_text"], out["confirmed"] = q["json"], q["text"], True
        out["risk_digits"] = q["digits"]
    else:
        raw = row[risk_name] if row else None
        digits = _unaudited_digits(out["eta"], evidence).get(risk_name, 0)
        out["risk_float64"] = raw
        out["risk_unaudited"] = _rounded(raw, digits)
        out["risk_unaudited_digits"] = digits if out["risk_unaudited"] is not None else 0


def _finish_S_ref(out, points, grid) -> None:
    """Report the plateau sharpness ``S_ref`` (and the threshold ``S_ref (1 - tol)``) as the grid
    point ``S_ref_eta`` reports its ``S``: agreed digits when confirmed, the unaudited rule
    otherwise (``None`` when withheld, ``"chaotic"`` when the precisions share no digit)."""
    e = out.get("S_ref_eta")
    if e is None:
        return
    pt = points[grid.index(e)]
    value = pt.get("S")
    if pt["audited"]:
        digits = (pt.get("digits") or {}).get("S", 0)
    else:
        digits = (pt.get("unaudited_digits") or {}).get("S", 0)
    out["S_ref"], out["S_ref_digits"], out["S_ref_audited"] = value, digits, pt["audited"]
    if isinstance(value, float) and digits:
        text = Agreed("S", Fraction(value), digits).text()
        out["S_ref_text"] = text if pt["audited"] else "~" + text
        out["threshold"] = _rounded(Fraction(text) * (1 - PLATEAU_TOL), digits)
    else:
        out["S_ref_text"] = "chaotic" if value == "chaotic" else "withheld"


# ---- the stability boundary ---------------------------------------------------------------
def _observe_stability(grid, rows, pred) -> dict:
    conv = [e for e in grid if _converged(rows[e])]
    last = conv[-1] if conv else None
    after = [e for e in grid if last is not None and e > last]
    limit = pred.get("eta_no_stable_interpolator")
    out = {"last_converged": last, "first_failed": after[0] if after else None,
           "failed_statuses": {}, "limit": limit, "converged_above_limit": [],
           "below_limit": None, "above_limit": None, "first_not_converged": None}
    failed = [e for e in grid if rows[e]["status"] != "converged"]
    out["first_not_converged"] = failed[0] if failed else None
    for e in grid:
        if rows[e]["status"] != "converged":
            out["failed_statuses"][rows[e]["status"]] = out["failed_statuses"].get(
                rows[e]["status"], 0) + 1
    if limit is not None:
        below = [e for e in grid if e <= limit]
        above = [e for e in grid if e > limit]
        out["below_limit"] = below[-1] if below else None
        out["above_limit"] = above[0] if above else None
        out["converged_above_limit"] = [e for e in above if rows[e]["status"] == "converged"]
        out["statuses_above_limit"] = {s: sum(1 for e in above if rows[e]["status"] == s)
                                       for s in ("converged", "not_converged", "diverged")}
    return out


# ---- confirmation targets -------------------------------------------------------------------
def _targets(grid, rows, mode, extra, eta_c, best, stability, pred) -> list:
    chosen: list = []

    def add(e):
        if e is not None and e not in chosen:
            chosen.append(e)

    if mode in ("auto", "converged", "all"):
        add(eta_c.get("S_ref_eta"))
        for e in eta_c.get("grid_bracket") or ():
            add(e)
        for e in eta_c.get("bracket") or ():
            add(e)
        if pred.get("eta_c") is not None:
            add(min(grid, key=lambda g: (abs(g - pred["eta_c"]), g)))
        add(best.get("grid_eta"))
        add(best.get("eta"))
        add(stability.get("last_converged"))
        add(stability.get("first_failed"))
        add(stability.get("below_limit"))
        add(stability.get("above_limit"))
    if mode == "converged":
        for e in grid:
            if _converged(rows[e]):
                add(e)
    if mode == "all":
        for e in grid:
            add(e)
    for e in extra:
        add(e)
    return chosen


# ---- assembling points --------------------------------------------------------------------
def _evidence(confirmed: dict) -> list:
    """``(eta, grid_digits)`` of the confirmed points both precisions saw converge, by eta."""
    return sorted((e, row["grid_digits"]) for e, row in confirmed.items()
                  if row is not None and row["status"] == "converged")


def _unaudited_digits(eta: Fraction, evidence: list) -> dict:
    """``U_q = min(4, D_q - 2)`` from the nearest confirmed converged points (module docstring).

    ``D_q`` is the fewest digits on which the float64 value of ``q`` agreed with the
    high-precision value at the nearest confirmed converged point below ``eta`` and the nearest
    above (one of them at the ends of the grid).
    """
    below = [d for e, d in evidence if e <= eta]
    above = [d for e, d in evidence if e >= eta]
    near = ([below[-1]] if below else []) + ([above[0]] if above else [])
    if not near:
        return {}
    keys = set().union(*near)
    return {k: max(0, min(UNAUDITED_MAX_DIGITS, min(d.get(k, 0) for d in near) - 2))
            for k in keys}


def _rounded(value, digits: int):
    if value is None or not digits:
        return None
    if isinstance(value, list):
        return Agreed("v", tuple(Fraction(v) for v in value), digits).json()
    return Agreed("v", Fraction(value), digits).json()


def _point(eta: Fraction, row: dict, conf: dict | None, unaudited: dict, problem) -> dict:
    pt = {"eta": float(eta), "eta_exact": _key(eta), "two_over_eta": float(2 / eta),
          "status": row["status"], "steps": row["steps"], "diverged_at": row["diverged_at"],
          "audited": conf is not None, "precisions": ["float64"],
          "sharpness_form": row["sharpness_form"]}
    keys = ("beta",) + SCALARS
    if conf is not None:
        pt["status"] = conf["status"]
        pt["status_float64_grid"] = row["status"]
        pt["steps"] = conf["steps"][1]
        pt["diverged_at"] = conf["diverged_at"]
        pt["precisions"] = conf["precisions"]
        q = conf["quantities"]
        for k in keys:
            name = "S" if k == "S" else k
            pt[k] = q[name]["json"] if name in q else None
        pt["gain"] = q["gain"]["json"] if "gain" in q else None
        pt["digits"] = {k: q[k]["digits"] for k in keys if k in q}
        if conf["status"] == "chaotic":
            pt["digits"] = {k: 0 for k in keys}
        if conf.get("hessian_check"):
            pt["hessian_check"] = conf["hessian_check"]
        if conf.get("diagnosis"):
            pt["diagnosis"] = conf["diagnosis"]
        return pt
    if row["status"] == "converged":
        for k in keys:
            pt[k] = _rounded(row.get(k), unaudited.get(k, 0))
        pt["digits"] = "unaudited"
        pt["unaudited_digits"] = {k: unaudited.get(k, 0) for k in keys}
    else:
        for k in keys:
            pt[k] = None
        pt["digits"] = "unaudited"
    return pt


def _notes(confirm, unaudited) -> list:
    notes = []
    if confirm != "all":
        notes.append("points with audited=false come from one float64 run: converged ones are "
                     "rounded to min(4, D-2) significant digits, D being the fewest digits on "
                     "which float64 agreed with high precision at the nearest confirmed "
                     "converged points below and above (none: withheld); points that did not "
                     "converge report their status only")
    return notes


def _write_csv(path: Path, points: list, d: int) -> None:
    cols = (["eta", "eta_exact", "status", "steps", "audited"]
            + [f"beta_{i + 1}" for i in range(d)]
            + ["S", "two_over_eta", "l1_norm", "param_norm_sq", "risk", "expected_risk",
               "distance_gf"] + [f"digits_{k}" for k in ("beta",) + SCALARS])
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for pt in points:
            beta = pt.get("beta")
            if isinstance(beta, list):
                bcols = ["" if b is None else b for b in beta]
            else:
                bcols = [beta if beta is not None else ""] * d
            digits = pt.get("digits")
            dcols = [(digits.get(k, "") if isinstance(digits, dict) else digits)
                     for k in ("beta",) + SCALARS]
            w.writerow([pt["eta"], pt["eta_exact"], pt["status"], pt["steps"], pt["audited"],
                        *bcols] + ["" if pt.get(k) is None else pt[k] for k in
                                   ("S", "two_over_eta", "l1_norm", "param_norm_sq", "risk",
                                    "expected_risk", "distance_gf")] + dcols)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
