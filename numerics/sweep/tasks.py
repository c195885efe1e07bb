"""What one sweep task computes: a float64 batch of rows, or one confirmation.

These functions run in the sweep's worker processes (:mod:`numerics.sweep.driver`), so they
take plain arguments and return JSON-ready rows (the rows of ``sweep.jsonl``):

* :func:`grid_task`: one :func:`numerics.batch.gradient_descent_batch` call for a chunk of the
  grid (or a refinement round) and each row's final sharpness, norms and derived risks;
* :func:`confirm_task`: one :func:`numerics.audited.audited_gd` run at two precisions, whose row
  records agreed digits only, and for a converged point the full-Hessian check (R1 / E1).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..audit import Agreed, agreed_digits, audit_quantity
from ..audited import QUANTITIES, audited_gd
from ..backends import get_backend
from ..batch import gradient_descent_batch
from ..hessian import hessian_rows, spectrum
from ..problem import Problem
from .observe import rounded
from .store import eta_key

__all__ = ["context", "grid_task", "confirm_task", "CONFIRM_BUDGET_FACTOR", "RESIDUE_DIGITS"]

#: a confirmation of a point whose float64 run converged after k steps may take this many
#: times k steps: the high-precision run stops at a residual 10^(p-16) times smaller (qd's
#: 10^-60 took up to 5.5 times the float64 steps over the default sweep, linear convergence)
CONFIRM_BUDGET_FACTOR = 6
#: a sweep row's name for an audited quantity of :data:`numerics.audited.QUANTITIES` (the loss,
#: a bound at a converged point, is not reported per point)
_ROW_NAMES = {name: ("S" if name == "sharpness" else name) for name in QUANTITIES
              if name != "loss"}
#: significant digits kept of the Hessian check's residues (single-run magnitudes)
RESIDUE_DIGITS = 2


def context(pred: dict) -> dict:
    """What the workers need of the predictions: beta_GF, the prior's mean and trace term."""
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
    return get_backend(*result.precision)


def grid_task(problem: Problem, etas: tuple, steps: int, kind: str, ctx: dict) -> list[dict]:
    """One float64 batch: the rows of ``etas`` (a chunk of the grid or a refinement round)."""
    batch = gradient_descent_batch(problem, list(etas), steps)
    be = get_backend("float64")
    fl = problem.floats()
    X, y, n = fl["X"], fl["y"], problem.n
    rows = []
    for j, eta in enumerate(etas):
        status = batch.status[j]
        row = {"kind": kind, "eta": eta_key(eta), "status": status, "steps": int(batch.steps[j]),
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


def confirm_task(problem: Problem, eta: Fraction, steps: int, precision, backend: str,
                  ctx: dict, grid_row: dict | None, checkpoint=None,
                  checkpoint_seconds: float = 20.0) -> dict:
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
                     record_sharpness=False, record_every=max(1, budget // 50),
                     checkpoint=checkpoint, checkpoint_seconds=checkpoint_seconds)
    low, high = run.low, run.high
    row = {"kind": "confirm", "eta": eta_key(eta), "status": run.status,
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
    float64, 33 for dd, 65 for qd: the format's whole digits + 2; ``dps + 3`` for a
    multiprecision run; a list for vectors): the log's raw form."""
    p = r.precision
    digits = p.cap + 2 if p.dps is None else p.dps + 3
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
    out = {"S_full": rounded(top, digits), "S_gram": rounded(result.S, digits),
           "full_minus_gram": _residue(abs(top - result.S)),
           "other_eigenvalues_max": _residue(max(others)) if others else 0.0,
           "bound": rounded(bound, RESIDUE_DIGITS) if bound else 0.0,
           "S_formula": None, "formula_minus_full": None, "S_digits": digits}
    if problem.one_sample_theory:
        formula = 4 * sum(xi * xi * b for xi, b in zip(problem.X[0], result.beta, strict=False))
        out["S_formula"] = rounded(formula, digits)
        out["formula_minus_full"] = _residue(abs(formula - top))
    return out


def _residue(v: Fraction) -> float:
    """A non-negative single-run magnitude, rounded up to :data:`RESIDUE_DIGITS` digits."""
    return Agreed("residue", v, RESIDUE_DIGITS, "bound").json() if v else 0.0
