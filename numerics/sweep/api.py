"""The public sweep: :func:`sweep`, its :class:`SweepResult`, and :func:`eta_grid`.

:func:`sweep` validates its arguments, builds (or takes) the predictions, and wires the rooms of
:mod:`numerics.sweep`: the store, the driver, the observations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import DomainError
from ..precision import precision_pair
from ..problem import Problem, as_fraction
from .driver import CHUNK, Driver
from .edge import EdgeResult, EdgeSpec, build_result, default_interval, edge_samples
from .observe import (
    PLATEAU_TOL,
    ZOOM_LEVELS,
    ZOOM_POINTS,
    confirmed_evidence,
    finish_best,
    finish_eta_c,
    finish_S_ref,
    observe_best,
    observe_eta_c,
    observe_stability,
    point,
    targets,
    unaudited_digits,
    unaudited_notes,
)
from .store import FORMAT, Store, eta_key, write_csv, write_edge_csv
from .tasks import CONFIRM_BUDGET_FACTOR, context

__all__ = ["sweep", "SweepResult", "eta_grid", "CONFIRM_MODES", "USED_PREDICTIONS"]

CONFIRM_MODES = ("auto", "converged", "all", "none")


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


@dataclass(repr=False)
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
        What theory predicts for the problem: the ``predictions`` mapping given to
        :func:`sweep` (``proofs_check.predictions.predict(problem).for_sweep()``), or
        :data:`NO_PREDICTIONS`.
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
        ``last_converged``, ``first_failed``, ``failed_below`` (``(eta, status)`` of every grid
        point below ``last_converged`` that did not converge), ``statuses_after`` (the statuses
        from ``first_failed`` on), ``limit`` (predicted), ``converged_above_limit``.
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
    edge: EdgeResult | None = None

    def __repr__(self) -> str:
        """One line: the problem, the grid, and what was observed (``to_json`` has it all)."""
        def g(v):
            return "None" if v is None else f"{float(v):.6g}"

        return (f"SweepResult({self.problem.describe()}: {len(self.etas)} learning rates in "
                f"[{g(self.etas[0])}, {g(self.etas[-1])}], steps={self.steps}, "
                f"{len(self.confirm)} confirmed; eta_c observed {g(self.eta_c_observed)}, "
                f"predicted {g(self.eta_c_predicted)}; least {self.best.get('risk_name')} at "
                f"eta {g(self.best.get('eta'))}; last converged eta "
                f"{g(self.stability.get('last_converged'))})")

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
            **({} if self.edge is None else {"convergence_edge": self.edge.to_json(),
                                             "convergence_edge_info": self.edge.info()}),
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


def sweep(problem: Problem, etas: Iterable, steps: int, *, out_dir=None, jobs: int = 1,
          precision: int | None = None, confirm: str = "auto",
          confirm_etas: Sequence = (), backend: str = "flint", refine: bool = True,
          progress: Callable[[str, int, int], None] | None = None,
          predictions: Mapping | None = None, edge: EdgeSpec | None = None) -> SweepResult:
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
    precision : None (:data:`~numerics.precision.DEFAULT_PAIR`) or ``p`` (``p`` against ``2p``
        digits, :func:`~numerics.precision.precision_pair`)
    confirm : ``"auto"``, ``"converged"``, ``"all"`` or ``"none"`` (module docstring)
    confirm_etas : extra learning rates to confirm (snapped to the nearest grid point)
    backend : ``"flint"`` or ``"mpmath"``: the multiprecision backend of the confirmations
    refine : bool: run the float64 refinement rounds for ``eta_c`` and the best ``eta``
    progress : callable ``(stage, done, total)`` or None
    predictions : mapping or None
        What theory predicts for ``problem``: the mapping
        ``proofs_check.predictions.predict(problem).for_sweep()`` (``None``: nothing is
        predicted, :data:`NO_PREDICTIONS`). The sweep
        uses ``beta_gf``, ``mu`` and ``cov_term`` (the derived quantities of every row),
        ``eta_c`` and ``eta_no_stable_interpolator`` (confirmation targets and summaries) and
        ``notes``; every entry is reported under ``predictions`` in :meth:`SweepResult.to_json`.
        They must be the predictions for ``problem``: rows resumed from ``out_dir`` were
        computed with them.
    edge : EdgeSpec or None
        Also measure the convergence edge (:mod:`numerics.sweep.edge`): per bin of learning
        rates near the stability limit, the fractions of sampled runs that converge, diverge
        or do not converge at both precisions of ``edge.pair``, and those whose status
        depends on the precision (``result.edge``; ``convergence_edge`` in the JSON; with
        ``out_dir``, its samples in ``edge.csv``). Its rows are stored with the sweep's and
        resume like them.

    Returns
    -------
    SweepResult

    Raises
    ------
    DomainError
        Non-positive learning rates, ``steps < 1``, ``jobs < 1``, a bad ``precision``,
        ``confirm`` or ``backend``, ``predictions`` without a key the sweep uses, or
        ``out_dir`` holding a sweep with other arguments.

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
    meta = {"format": FORMAT, "problem": problem.key(), "etas": [eta_key(e) for e in grid],
            "steps": steps, "precision": precision, "backend": backend, "confirm": confirm,
            "confirm_etas": [eta_key(e) for e in extra], "refine": bool(refine),
            "chunk": CHUNK, "plateau_tol": str(PLATEAU_TOL), "zoom": [ZOOM_POINTS, ZOOM_LEVELS],
            "confirm_budget_factor": CONFIRM_BUDGET_FACTOR}
    if edge is not None:
        if not isinstance(edge, EdgeSpec):
            raise DomainError("edge", edge, "an EdgeSpec (numerics.sweep.edge) or None")
        meta["edge"] = edge.meta()  # only then: directories of sweeps without one resume
    pred = dict(NO_PREDICTIONS) if predictions is None else _checked(predictions)
    ctx = context(pred)
    report = progress or _silent
    report("reading the log", 0, 1)
    store = Store(out_dir, meta)
    try:
        with Driver(problem, steps, store, ctx, int(jobs), report) as driver:
            refiner = driver.refine if refine else None
            rows = driver.grid(grid)
            risk_name = "risk" if problem.beta_star is not None else (
                "expected_risk" if ctx["mu"] is not None else None)
            eta_c = observe_eta_c(grid, rows, refiner, pred, report)
            best = observe_best(grid, rows, refiner, risk_name, report)
            stability = observe_stability(grid, rows, pred)
            chosen = targets(grid, rows, confirm, extra, eta_c, best, stability, pred)
            confirmed = driver.confirm(chosen, precision, backend, rows)
            measured = None if edge is None else _edge(driver, edge, grid, rows, pred, steps)
        report("results", 0, 1)
        result = _result(problem, grid, steps, precision, backend, confirm, store, rows, pred,
                         eta_c, best, stability, risk_name, confirmed)
        result.edge = measured
        if out_dir is not None:
            d = Path(out_dir)
            result.files = {"jsonl": d / "sweep.jsonl", "meta": d / "sweep.meta.json",
                            "csv": d / "sweep.csv"}
            report("writing sweep.csv", 0, 1)
            write_csv(d / "sweep.csv", result.points, problem.d)
            if measured is not None:
                result.files["edge_csv"] = d / "edge.csv"
                write_edge_csv(d / "edge.csv", measured)
        report("done", 1, 1)
    finally:
        store.close()
    return result


def _result(problem, grid, steps, precision, backend, confirm, store, rows, pred, eta_c, best,
            stability, risk_name, confirmed) -> SweepResult:
    """The result of a finished sweep: the reported points and the completed summaries."""
    evidence = confirmed_evidence(confirmed)
    finish_eta_c(eta_c, confirmed)
    finish_best(best, confirmed, store, risk_name, evidence)
    points = [point(e, rows[e], confirmed.get(e), unaudited_digits(e, evidence)) for e in grid]
    finish_S_ref(eta_c, points, grid)
    unaudited = {"rule": "min(4, D - 2), D from the nearest confirmed converged points",
                 "evidence_points": len(evidence)}
    return SweepResult(
        problem=problem, etas=grid, steps=steps, precision=precision, points=points,
        grid=rows, refine=store.of_kind("refine"),
        confirm={e: r for e, r in confirmed.items() if r is not None}, predicted=pred,
        eta_c=eta_c, best=best, stability=stability, unaudited_digits=unaudited,
        backend=backend, notes=unaudited_notes(confirm))


def _edge(driver, spec: EdgeSpec, grid, rows, pred, steps) -> EdgeResult:
    """Measure the convergence edge: the interval (given, or the default from the grid), the
    samples, their runs at both formats (stored, resumable), the bins."""
    lo, hi, rule = default_interval(grid, rows, pred, spec.bins)
    if spec.eta_lo is not None or spec.eta_hi is not None:
        lo = spec.eta_lo if spec.eta_lo is not None else lo
        hi = spec.eta_hi if spec.eta_hi is not None else hi
        rule = "given" if spec.eta_lo is not None and spec.eta_hi is not None else \
            f"given in part; the rest by default ({rule})"
        if hi <= lo:
            name, value, other = (("edge_eta_hi", hi, lo) if spec.eta_hi is not None
                                  else ("edge_eta_lo", lo, hi))
            raise DomainError(name, value, f"an interval of positive length (the default "
                              f"other end is {other})")
    edges, etas = edge_samples(lo, hi, spec.bins, spec.samples, spec.seed)
    flat = tuple(e for b in etas for e in b)
    runs = driver.edge(flat, spec.pair)
    return build_result(spec, lo, hi, rule, steps, edges, etas, runs)


def _silent(stage: str, done: int, total: int) -> None:
    pass


#: the keys of a predictions mapping that the sweep itself uses
USED_PREDICTIONS = ("beta_gf", "mu", "cov_term", "eta_c", "eta_no_stable_interpolator")
#: what a sweep without ``predictions`` reports: nothing predicted
NO_PREDICTIONS = {**dict.fromkeys(USED_PREDICTIONS), "notes": [
    "no predictions given (proofs_check.predictions.predict(problem).for_sweep() builds "
    "them): no predicted eta_c, stability limit or expected risk"]}


def _checked(predictions) -> dict:
    """A caller's predictions mapping as a dict, refused when a key the sweep uses is missing."""
    if not isinstance(predictions, Mapping):
        raise DomainError("predictions", type(predictions).__name__, "a mapping of what theory "
                          "predicts (proofs_check.predictions.predict(problem).for_sweep())")
    missing = [k for k in USED_PREDICTIONS if k not in predictions]
    if missing:
        raise DomainError("predictions", f"a mapping without {', '.join(missing)}",
                          f"the keys {', '.join(USED_PREDICTIONS)} (None where not predicted)")
    return dict(predictions)


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
    if all(a < b for a, b in zip(values, values[1:], strict=False)):
        return tuple(values)  # already increasing (eta_grid): no hashing of 10^5 Fractions
    return tuple(sorted(set(values)))


def _snap(e: Fraction, grid: tuple) -> Fraction:
    if e <= 0:
        raise DomainError("confirm_etas", e, "a learning rate eta > 0 is required")
    return min(grid, key=lambda g: (abs(g - e), g))
