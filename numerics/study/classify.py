r"""Which bias wins on an instance, and how often over a cell: classes and Wilson intervals.

Classes
-------
From an instance's float64 rows, the learning rates whose run **reached an interpolator**
(in increasing order: status ``converged``, or ``not_converged`` with a training loss at most
:data:`LOSS_OK` times ``max(1, mean y^2)``: slow, flat directions at small ``eta`` and small
``alpha`` leave a loss of 1e-15 after the budget, while the tolerance of ``converged`` is
near float64's rounding level) and their population risks ``R_1, ..., R_m``; the least risk
``R* = min R_j``, and the learning rates whose risk is within ``TIE = 10^-9`` (relative) of
it count as least:

* ``norm``: the least risk is at the smallest converging ``eta`` (the norm bias is best: GD near
  gradient flow, which tends to the minimum-norm interpolator as ``alpha -> 0``);
* ``sharpness``: at the largest converging ``eta`` (the sharpness bias is best) and not at the
  smallest;
* ``interior``: only strictly between them (a U-shaped risk);
* ``flat``: at both ends (the risk does not depend on ``eta``: e.g. ``n >= d``, one
  interpolator);
* ``undetermined``: fewer than :data:`MIN_CONVERGED` converged runs.

``gain_over_ends`` is ``(min(R_1, R_m) - R*) / min(R_1, R_m)``: how much an interior optimum
improves on the better end (0 for the other classes); a user who wants a margin thresholds it
(the classes themselves use only ``TIE``). Only the largest converging ``eta`` of the grid is
seen: ``top_converged`` marks an instance
whose grid's top learning rate still converged (its sharpness end may lie beyond the grid).

Intervals
---------
For ``k`` of ``N`` instances in a class, the **Wilson score interval** at 95% (``z =
1.959963984540054``):

.. math:: \frac{\hat p + z^2/2N \pm z\sqrt{\hat p(1-\hat p)/N + z^2/4N^2}}{1 + z^2/N}.
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["CLASSES", "TIE", "LOSS_OK", "MIN_CONVERGED", "Z95", "classify", "reached",
           "wilson", "phase_diagram"]

CLASSES = ("norm", "sharpness", "interior", "flat", "undetermined")
#: relative tolerance within which two risks count as equal
TIE = 1e-9
#: the training loss (relative to max(1, mean y^2)) below which a run that did not meet the
#: convergence test counts as having reached an interpolator
LOSS_OK = 1e-12
#: converged runs needed to classify an instance
MIN_CONVERGED = 3
#: the two-sided 95% normal quantile
Z95 = 1.959963984540054


def reached(row: dict, loss_scale: float) -> bool:
    """Whether a run reached an interpolator (module notes)."""
    if row["risk"] is None or row["status"] == "diverged":
        return False
    return row["status"] == "converged" or row["loss"] <= LOSS_OK * loss_scale


def classify(plan: dict, rows: dict, loss_scale: float = 1.0) -> dict:
    """The class of one instance (module notes) from its plan row and its rows by exact
    ``eta`` (every grid ``eta`` must be present); ``loss_scale`` is ``max(1, mean y^2)``."""
    etas = [Fraction(e) for e in plan["etas"]]
    conv = [e for e in etas if reached(rows[e], loss_scale)]
    out = {"class": "undetermined", "converged": len(conv), "etas": len(etas),
           "near_converged": sum(rows[e]["status"] == "not_converged" for e in conv),
           "top_converged": bool(conv) and conv[-1] == etas[-1],
           "eta_best": None, "risk_best": None, "gain_over_ends": None,
           "risk_smallest_eta": None,
           "risk_largest_eta": None, "eta_largest_converged": None,
           "diverged": sum(rows[e]["status"] == "diverged" for e in etas)}
    if len(conv) < MIN_CONVERGED:
        return out
    risks = [rows[e]["risk"] for e in conv]
    best = min(risks)
    least = [j for j, r in enumerate(risks) if r <= best + TIE * max(abs(best), 1e-300)]
    first, last = 0 in least, len(conv) - 1 in least
    cls = ("flat" if first and last else "norm" if first else "sharpness" if last
           else "interior")
    j = risks.index(best)
    ends = min(risks[0], risks[-1])
    out.update({"class": cls, "eta_best": float(conv[j]), "risk_best": best,
                "gain_over_ends": (ends - best) / ends if ends > 0 else 0.0,
                "risk_smallest_eta": risks[0], "risk_largest_eta": risks[-1],
                "eta_largest_converged": float(conv[-1])})
    return out


def wilson(k: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``k`` successes in ``total`` trials (module notes);
    ``(0, 1)`` for no trials.

    >>> [round(v, 4) for v in wilson(3, 10)]
    [0.1078, 0.6032]
    >>> wilson(0, 4)[0], wilson(4, 4)[1]
    (0.0, 1.0)
    """
    if total == 0:
        return 0.0, 1.0
    p = k / total
    den = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / den
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / den
    return (0.0 if k == 0 else max(0.0, centre - half),
            1.0 if k == total else min(1.0, centre + half))


def phase_diagram(specs: list, classes: dict) -> list[dict]:
    """One entry per cell ``(n, d, s)``: counts, fractions and Wilson intervals of every
    class, over the cell's classified instances (``classes`` by instance id)."""
    cells: dict = {}
    for spec in specs:
        key = (spec["n"], spec["d"], spec["sparsity"])
        cells.setdefault(key, []).append(classes.get(spec["id"]))
    out = []
    for (n, d, s), found in cells.items():
        done = [c for c in found if c is not None]
        counts = {c: sum(x["class"] == c for x in done) for c in CLASSES}
        total = len(done)
        out.append({"n": n, "d": d, "n_over_d": n / d, "sparsity": s,
                    "instances": len(found), "classified": total, "counts": counts,
                    "fractions": {c: (counts[c] / total if total else None) for c in CLASSES},
                    "wilson95": {c: list(wilson(counts[c], total)) for c in CLASSES},
                    "top_converged": sum(x["top_converged"] for x in done)})
    return out
