r"""The convergence edge as a measured object: per bin of learning rates, the fractions of runs
that converge, diverge or stay in a cycle, at two precisions.

Statement
---------
Near the stability limit whether GD converges within its step budget is a chaotic function
of ``eta``: neighbouring learning rates end differently, and one precision may end
differently from another at the same ``eta``. A single grid point therefore says little; the
edge mode samples the interval densely and reports, per bin ``[eta_lo, eta_hi)``, how many
sampled runs ended in each status at *both* precisions of a pair, and how many ended
differently at the two (``precision_dependent``, counted in neither status).

Sampling (deterministic from ``seed``)
--------------------------------------
The interval is cut into ``bins`` equal bins (exact Fraction edges); each bin into
``samples`` equal cells; one learning rate is drawn uniformly in each cell (stratified
sampling, :class:`random.Random` seeded with ``seed``) and rounded up to a dyadic rational
``m / 2^DYADIC_BITS`` inside the cell. A dyadic ``eta`` is exact in float64, dd and qd, so the
two precisions run the *same* learning rate and differ only by their arithmetic.

Runs
----
Each precision of the pair (two of the compiled formats ``float64``, ``dd``, ``qd``, lower
first) runs every sample in batches of :data:`EDGE_CHUNK` on the compiled kernels
(:func:`numerics.kernels.prepare`: the batch's stopping rules, checks every 16 steps, the
format's default tolerance); a row whose values leave the format's full-precision range is
rerun by :func:`numerics.gd.gradient_descent` (which goes on in Arb). The rows are stored in
the sweep's store as kind ``"edge:<format>"`` (resumable like the grid).

Default interval
----------------
Upper end: the predicted stability limit ``1/(2 y x_min)`` (no interpolator is stable above
it), else the first grid point above the last converged one that diverged, else the grid's
end. Lower end: with ``f`` the first grid point that did not converge (below the upper end),
one bin below it: ``f - (hi - f)/(bins - 1)``, so that the first bin lies below the grid's
first failure and the others span from it to the limit. (The default instance's full grid:
``f = 0.9125``, bins of ``0.0125`` from ``0.9`` to ``1``.)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..errors import DomainError
from ..precision import FIXED
from ..problem import Problem, as_fraction
from .store import eta_key

__all__ = ["EdgeSpec", "EdgeResult", "EDGE_CHUNK", "DYADIC_BITS", "STATUSES", "edge_samples",
           "count_bins", "default_interval", "edge_task", "wilson"]

#: learning rates per kernel batch of an edge task
EDGE_CHUNK = 16
#: sampled learning rates are multiples of 2^-DYADIC_BITS (exact in float64, dd and qd)
DYADIC_BITS = 30
#: the statuses a run can end with, in the order the bins report them
STATUSES = ("converged", "diverged", "not_converged")
#: the compiled formats, lowest precision first
_ORDER = {fmt: i for i, fmt in enumerate(("float64", "dd", "qd"))}


def _count(value, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise DomainError(name, value, f"an integer >= {least} is required")
    return int(value)


@dataclass(frozen=True)
class EdgeSpec:
    """What an edge run samples: ``bins`` bins of ``samples`` learning rates each, drawn from
    ``seed``, run at the two compiled formats ``pair`` (lower first); ``eta_lo``/``eta_hi``
    the interval (``None``: the default interval of the module docstring).

    Raises
    ------
    DomainError
        Naming ``edge_bins``, ``edge_samples``, ``edge_seed``, ``edge_pair``, ``edge_eta_lo``
        or ``edge_eta_hi``.
    """

    bins: int = 8
    samples: int = 12
    seed: int = 0
    pair: tuple = ("dd", "qd")
    eta_lo: Fraction | None = None
    eta_hi: Fraction | None = None

    def __post_init__(self):
        object.__setattr__(self, "bins", _count(self.bins, "edge_bins", 1))
        object.__setattr__(self, "samples", _count(self.samples, "edge_samples", 1))
        object.__setattr__(self, "seed", _count(self.seed, "edge_seed", 0))
        pair = tuple(self.pair) if not isinstance(self.pair, str) else tuple(
            self.pair.split(","))
        if (len(pair) != 2 or any(p not in _ORDER for p in pair)
                or _ORDER[pair[0]] >= _ORDER[pair[1]]):
            raise DomainError("edge_pair", ",".join(map(str, pair)), "two compiled formats, "
                              "lower precision first: float64,dd or float64,qd or dd,qd")
        assert set(pair) <= set(FIXED)
        object.__setattr__(self, "pair", pair)
        for name in ("eta_lo", "eta_hi"):
            v = getattr(self, name)
            if v is not None:
                v = as_fraction(v, f"edge_{name}")
                if v <= 0:
                    raise DomainError(f"edge_{name}", v, "a learning rate > 0 is required")
                object.__setattr__(self, name, v)
        if self.eta_lo is not None and self.eta_hi is not None and self.eta_hi <= self.eta_lo:
            raise DomainError("edge_eta_hi", self.eta_hi, f"edge_eta_hi > edge_eta_lo = "
                              f"{self.eta_lo}")

    def meta(self) -> dict:
        """The spec as the sweep's meta file records it."""
        return {"bins": self.bins, "samples": self.samples, "seed": self.seed,
                "pair": list(self.pair), "chunk": EDGE_CHUNK, "dyadic_bits": DYADIC_BITS,
                "eta_lo": None if self.eta_lo is None else eta_key(self.eta_lo),
                "eta_hi": None if self.eta_hi is None else eta_key(self.eta_hi)}


def default_interval(grid, rows, pred, bins: int) -> tuple:
    """``(eta_lo, eta_hi, rule)``: the default edge interval (module docstring) from the grid's
    float64 rows; ``rule`` says how it was chosen."""
    status = {e: rows[e]["status"] for e in grid}
    conv = [e for e in grid if status[e] == "converged"]
    limit = pred.get("eta_no_stable_interpolator")
    if limit is not None and limit > grid[0]:
        hi, why_hi = Fraction(limit), "the stability limit 1/(2 y x_min)"
    else:
        above = [e for e in grid if status[e] == "diverged" and (not conv or e > conv[-1])]
        hi, why_hi = ((above[0], "the first diverged grid point") if above
                      else (grid[-1], "the grid's end"))
    failed = [e for e in grid if status[e] != "converged" and e < hi]
    if failed:
        f, why_f = failed[0], "the first grid point that did not converge"
    else:
        f, why_f = max([e for e in grid if e < hi] or [hi / 2]), "the last grid point below it"
    if bins == 1:
        lo = f
    else:
        lo = f - (hi - f) / (bins - 1)
        if lo <= 0:
            lo = f
    return lo, hi, (f"from one bin below {why_f} ({eta_key(f)}) to {why_hi} "
                    f"({eta_key(hi)})" if lo < f else f"from {why_f} ({eta_key(f)}) to "
                    f"{why_hi} ({eta_key(hi)})")


def edge_samples(eta_lo: Fraction, eta_hi: Fraction, bins: int, samples: int,
                 seed: int) -> tuple:
    """``(edges, etas)``: the ``bins + 1`` exact bin edges and, per bin, its ``samples``
    increasing dyadic learning rates (module docstring).

    >>> edges, etas = edge_samples(Fraction(9, 10), Fraction(1), 2, 3, 0)
    >>> [str(e) for e in edges], [len(b) for b in etas]
    (['9/10', '19/20', '1'], [3, 3])
    >>> all(edges[i] <= e < edges[i + 1] for i, b in enumerate(etas) for e in b)
    True
    >>> {e.denominator for b in etas for e in b} <= {2 ** k for k in range(31)}
    True
    """
    rng = random.Random(seed)
    scale = 2 ** DYADIC_BITS
    width = (eta_hi - eta_lo) / bins
    edges = tuple(eta_lo + i * width for i in range(bins)) + (eta_hi,)
    out = []
    for i in range(bins):
        row = []
        for j in range(samples):
            a = math.ceil((edges[i] + width * Fraction(j, samples)) * scale)
            b = math.ceil((edges[i] + width * Fraction(j + 1, samples)) * scale)
            if b <= a:
                raise DomainError("edge_samples", samples, f"cells wider than 2^-{DYADIC_BITS}"
                                  f": fewer samples per bin, or a wider interval")
            eta = Fraction(a + int(rng.random() * (b - a)), scale)
            if Fraction(float(eta)) != eta:
                raise DomainError("edge_eta_hi", eta_hi, "learning rates below 2^22 (exact "
                                  "in float64 as dyadic rationals)")
            row.append(eta)
        out.append(tuple(row))
    return edges, tuple(out)


def wilson(k: int, n: int, z: float = 1.96) -> tuple:
    """The Wilson score interval of a binomial fraction ``k/n`` (95% for ``z = 1.96``)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def count_bins(edges, etas, statuses: dict) -> list[dict]:
    """One dict per bin: ``eta_lo``, ``eta_hi`` (exact text), ``samples``, the count of each
    status both precisions ended with, ``precision_dependent`` (the two ended differently),
    the fractions, and ``converged_ci95``: a 95% Wilson interval for the converged fraction
    from its lower end with the precision-dependent runs read as not converged to its upper
    end with them read as converged (rounded outwards to 3 decimals). ``statuses`` maps each
    ``eta`` to ``(low, high)``."""
    out = []
    for i, sample in enumerate(etas):
        counts = dict.fromkeys(STATUSES, 0)
        dependent = 0
        for e in sample:
            low, high = statuses[e]
            if low != high:
                dependent += 1
            else:
                counts[low] += 1
        n = len(sample)
        lo = wilson(counts["converged"], n)[0]
        hi = wilson(counts["converged"] + dependent, n)[1]
        out.append({"eta_lo": eta_key(edges[i]), "eta_hi": eta_key(edges[i + 1]),
                    "samples": n, **counts, "precision_dependent": dependent,
                    "fractions": {k: _frac(v, n) for k, v in
                                  {**counts, "precision_dependent": dependent}.items()},
                    "converged_ci95": [math.floor(lo * 1000) / 1000,
                                       math.ceil(hi * 1000) / 1000]})
    return out


def _frac(k: int, n: int) -> float:
    return round(k / n, 4) if n else 0.0


@dataclass
class EdgeResult:
    """A measured convergence edge: the spec, the interval, the bins and every sample.

    ``samples`` holds one dict per learning rate (``eta`` exact text, ``bin``, ``statuses``
    and ``steps`` at the two precisions). :meth:`to_json` is the ``convergence_edge`` list.
    """

    spec: EdgeSpec
    eta_lo: Fraction
    eta_hi: Fraction
    rule: str
    steps: int
    bins: list
    samples: list = field(default_factory=list)

    @property
    def precisions(self) -> list:
        return list(self.spec.pair)

    def to_json(self) -> list:
        """The ``convergence_edge`` block: the bins."""
        return [dict(b) for b in self.bins]

    def info(self) -> dict:
        """What the bins were measured with (``convergence_edge_info`` in the sweep's JSON)."""
        totals = {k: sum(b[k] for b in self.bins) for k in (*STATUSES, "precision_dependent")}
        return {"eta_lo": eta_key(self.eta_lo), "eta_hi": eta_key(self.eta_hi),
                "interval": self.rule, "bins": self.spec.bins,
                "samples_per_bin": self.spec.samples, "seed": self.spec.seed,
                "precisions": self.precisions, "steps": self.steps,
                "sampling": f"stratified: one uniform draw per equal cell of each bin, rounded "
                            f"up to a multiple of 2^-{DYADIC_BITS} (exact in every format)",
                "totals": totals}


def build_result(spec: EdgeSpec, lo, hi, rule, steps, edges, etas, rows: dict) -> EdgeResult:
    """The :class:`EdgeResult` of stored rows (``rows[label][eta]``)."""
    low, high = spec.pair
    statuses = {e: (rows[low][e]["status"], rows[high][e]["status"]) for b in etas for e in b}
    samples = [{"eta": eta_key(e), "bin": i, "statuses": list(statuses[e]),
                "steps": [rows[low][e]["steps"], rows[high][e]["steps"]]}
               for i, b in enumerate(etas) for e in b]
    return EdgeResult(spec, lo, hi, rule, steps, count_bins(edges, etas, statuses), samples)


def edge_task(problem: Problem, etas: tuple, steps: int, fmt: str) -> list[dict]:
    """Run ``etas`` at the compiled format ``fmt``; one row (kind ``"edge:<fmt>"``) each."""
    from ..gd import gradient_descent
    from ..kernels.driver import fits_problem, load_kernels
    from ..kernels.state import prepare, run

    kind = f"edge:{fmt}"
    statuses, done = [None] * len(etas), [0] * len(etas)
    if fits_problem(problem, fmt, etas):
        load_kernels(fmt)
        st = prepare(problem, list(etas), steps, fmt=fmt, check_every=16)
        run(st)
        for j, (s, k) in enumerate(zip(st.statuses, st.k, strict=True)):
            if s in STATUSES:
                statuses[j], done[j] = s, int(k)
    for j, eta in enumerate(etas):
        if statuses[j] is None:  # out of the format's range: the reference path, then Arb
            res = gradient_descent(problem, eta, steps, backend=fmt, record_sharpness=False)
            statuses[j], done[j] = res.status, int(res.steps)
    return [{"kind": kind, "eta": eta_key(e), "status": s, "steps": k}
            for e, s, k in zip(etas, statuses, done, strict=True)]
