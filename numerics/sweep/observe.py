"""What a sweep observes, and which digits of it it reports.

From the float64 rows: the observed critical learning rate ``eta_c`` (where the final sharpness
leaves the flow-aligned plateau), the learning rate of least risk, and the stability edge (the
last converged point); the learning rates to confirm at two precisions; then, with the
confirmations, the reported points and the unaudited rule for unconfirmed ones. The rules are
stated in the docstring of :mod:`numerics.sweep`. Refinement rounds are run by a callable the
driver passes (``refine(etas) -> {eta: row}``), so nothing here runs GD.
"""

from __future__ import annotations

import bisect
from fractions import Fraction

from ..audit import Agreed
from .store import SCALARS, eta_key

__all__ = ["PLATEAU_TOL", "ELASTICITY", "ZOOM_POINTS", "ZOOM_LEVELS", "UNAUDITED_MAX_DIGITS",
           "observe_eta_c", "observe_best", "observe_stability", "targets", "finish_eta_c",
           "finish_best", "finish_S_ref", "confirmed_evidence", "unaudited_digits", "rounded",
           "point", "unaudited_notes", "converged", "row_of"]

#: relative drop of the final sharpness below the plateau that counts as leaving it
PLATEAU_TOL = Fraction(1, 1000)
#: sharpness elasticity separating the plateau (about 0) from the edge of stability (about 1)
ELASTICITY = 0.5
#: extra float64 runs per refinement round, and the number of rounds
ZOOM_POINTS = 16
ZOOM_LEVELS = 2
#: at most this many digits are printed for an unconfirmed converged point
UNAUDITED_MAX_DIGITS = 4


def converged(row) -> bool:
    """Whether a float64 row converged (and has a sharpness)."""
    return row is not None and row["status"] == "converged" and row["S"] is not None


def observe_eta_c(grid, rows, refine, pred, report) -> dict:
    """The observed ``eta_c``: the first learning rate whose run leaves the plateau (module
    docstring of :mod:`numerics.sweep`), bisected by ``refine`` (``None``: the grid only)."""
    out = {"predicted": pred["eta_c"], "observed": None, "bracket": None, "grid_bracket": None,
           "S_ref": None, "S_ref_text": None, "S_ref_digits": None, "S_ref_audited": None,
           "threshold": None, "S_ref_eta": None, "S_ref_float64": None,
           "threshold_float64": None, "tol": PLATEAU_TOL, "confirmed": None,
           "refine_etas": [], "note": None}
    conv = [e for e in grid if converged(rows[e])]
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
        return not (converged(row) and row["S"] >= threshold)

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
    if refine is not None:
        rowmap = {lo: rows[lo], hi: rows[hi]}
        for level in range(ZOOM_LEVELS):
            seq = _zoom(lo, hi, refine, rowmap, out,
                        ("refinement: eta_c", level + 1), report)
            for a, b in zip(seq, seq[1:], strict=False):
                if left(rowmap[b]):
                    lo, hi = a, b
                    break
    out["bracket"] = (lo, hi)
    out["observed"] = hi
    return out


def _zoom(lo, hi, refine, rowmap, out, stage, report) -> list:
    """One refinement level: ZOOM_POINTS evenly spaced rates strictly inside ``(lo, hi)``, run
    by ``refine`` (or read back from the log) into ``rowmap``; returns ``[lo, *rates, hi]``."""
    etas = tuple(lo + (hi - lo) * Fraction(j, ZOOM_POINTS + 1)
                 for j in range(1, ZOOM_POINTS + 1))
    rowmap.update(refine(etas))
    report(stage[0], stage[1], ZOOM_LEVELS)
    out["refine_etas"].extend(etas)
    return [lo, *etas, hi]


def row_of(e, store):
    """The float64 row of ``e``: a grid row, else a refinement row."""
    return store.get("grid", e) or store.get("refine", e)


def finish_eta_c(out, confirmed) -> None:
    """Whether both precisions agree on the eta_c bracket's classification (``confirmed``)."""
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


def observe_best(grid, rows, refine, risk_name, report) -> dict:
    """The learning rate of least ``risk_name`` among the converged grid points, bisected by
    ``refine`` (``None``: the grid only) when it is interior."""
    out = {"risk_name": risk_name, "eta": None, "risk": None, "risk_text": None,
           "grid_eta": None, "resolution": None, "interior": None, "confirmed": False,
           "refine_etas": []}
    if risk_name is None:
        out["note"] = "no risk: give beta_star (or a one-sample shared problem for the prior)"
        return out
    conv = [e for e in grid if converged(rows[e]) and rows[e][risk_name] is not None]
    if not conv:
        out["note"] = "no converged point"
        return out
    i = min(range(len(conv)), key=lambda k: (rows[conv[k]][risk_name], conv[k]))
    out["grid_eta"] = conv[i]
    out["interior"] = 0 < i < len(conv) - 1
    best, resolution = conv[i], None
    if out["interior"]:
        resolution = (conv[i + 1] - conv[i - 1]) / 2
    if refine is not None and out["interior"]:
        lo, hi = conv[i - 1], conv[i + 1]
        rowmap = {e: rows[e] for e in (lo, best, hi)}
        for level in range(ZOOM_LEVELS):
            seq = _zoom(lo, hi, refine, rowmap, out,
                        ("refinement: least risk", level + 1), report)
            cands = [e for e in seq if converged(rowmap[e])
                     and rowmap[e][risk_name] is not None]
            k = min(range(len(cands)), key=lambda m: (rowmap[cands[m]][risk_name], cands[m]))
            best = cands[k]
            lo = cands[k - 1] if k > 0 else cands[k]
            hi = cands[k + 1] if k < len(cands) - 1 else cands[k]
            resolution = (hi - lo) / 2
    out["eta"] = best
    out["resolution"] = resolution
    return out


def finish_best(out, confirmed, store, risk_name, evidence) -> None:
    """The least risk with its agreed digits, or (unconfirmed) the float64 value rounded by the
    unaudited rule (``risk_unaudited``, ``None`` when withheld); the raw float64 value stays
    in ``risk_float64``, which :meth:`SweepResult.to_json` does not print."""
    if out.get("eta") is None:
        return
    c = confirmed.get(out["eta"])
    row = row_of(out["eta"], store)
    if c is not None and risk_name in c["quantities"]:
        q = c["quantities"][risk_name]
        out["risk"], out["risk_text"], out["confirmed"] = q["json"], q["text"], True
        out["risk_digits"] = q["digits"]
    else:
        raw = row[risk_name] if row else None
        digits = unaudited_digits(out["eta"], evidence).get(risk_name, 0)
        out["risk_float64"] = raw
        out["risk_unaudited"] = rounded(raw, digits)
        out["risk_unaudited_digits"] = digits if out["risk_unaudited"] is not None else 0


def finish_S_ref(out, points, grid) -> None:
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
        out["threshold"] = rounded(Fraction(text) * (1 - PLATEAU_TOL), digits)
    else:
        out["S_ref_text"] = "chaotic" if value == "chaotic" else "withheld"


def observe_stability(grid, rows, pred) -> dict:
    """The last converged grid point, the first after it, every grid point below it that did
    not converge (``failed_below``: ``(eta, status)`` in increasing ``eta``), the statuses from
    the first failed point on (``statuses_after``), and the statuses on either side of the
    predicted stability limit ``eta_no_stable_interpolator``. ``grid`` is increasing."""
    status = [rows[e]["status"] for e in grid]
    conv = [i for i, e in enumerate(grid) if converged(rows[e])]
    last = conv[-1] if conv else None  # an index
    limit = pred.get("eta_no_stable_interpolator")
    failed = [i for i, s in enumerate(status) if s != "converged"]
    out = {"last_converged": None if last is None else grid[last],
           "first_failed": None if last is None or last == len(grid) - 1 else grid[last + 1],
           "failed_statuses": _statuses(status, failed), "limit": limit,
           "converged_above_limit": [], "below_limit": None, "above_limit": None,
           "first_not_converged": grid[failed[0]] if failed else None,
           "failed_below": [] if last is None else [(grid[i], status[i]) for i in failed
                                                    if i < last],
           "statuses_after": {} if last is None else _statuses(status,
                                                               range(last + 1, len(grid)))}
    if limit is not None:
        cut = bisect.bisect_right(grid, limit)  # grid[:cut] <= limit < grid[cut:]
        above = range(cut, len(grid))
        out["below_limit"] = grid[cut - 1] if cut else None
        out["above_limit"] = grid[cut] if cut < len(grid) else None
        out["converged_above_limit"] = [grid[i] for i in above if status[i] == "converged"]
        out["statuses_above_limit"] = {s: sum(1 for i in above if status[i] == s)
                                       for s in ("converged", "not_converged", "diverged")}
    return out


def _statuses(status: list, indices) -> dict:
    """How many of the grid points ``indices`` ended with each status, in order of first
    appearance."""
    out: dict = {}
    for i in indices:
        out[status[i]] = out.get(status[i], 0) + 1
    return out


def targets(grid, rows, mode, extra, eta_c, best, stability, pred) -> list:
    """The learning rates to confirm at two precisions, for ``confirm=mode`` (module docstring
    of :mod:`numerics.sweep`), then ``extra``."""
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
            if converged(rows[e]):
                add(e)
    if mode == "all":
        for e in grid:
            add(e)
    for e in extra:
        add(e)
    return chosen


def confirmed_evidence(confirmed: dict) -> list:
    """``(eta, grid_digits)`` of the confirmed points both precisions saw converge, by eta."""
    return sorted((e, row["grid_digits"]) for e, row in confirmed.items()
                  if row is not None and row["status"] == "converged")


def unaudited_digits(eta: Fraction, evidence: list) -> dict:
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


def rounded(value, digits: int):
    """``value`` (a float, or a list for a vector) rounded to ``digits`` significant digits as a
    JSON value; ``None`` when there is no value or no digit."""
    if value is None or not digits:
        return None
    if isinstance(value, list):
        return Agreed("v", tuple(Fraction(v) for v in value), digits).json()
    return Agreed("v", Fraction(value), digits).json()


def point(eta: Fraction, row: dict, conf: dict | None, unaudited: dict) -> dict:
    """The reported point of grid ``eta``: its confirmation's agreed digits, or the float64
    row rounded by the unaudited rule (module docstring of :mod:`numerics.sweep`)."""
    pt = {"eta": float(eta), "eta_exact": eta_key(eta), "two_over_eta": float(2 / eta),
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
            pt[k] = rounded(row.get(k), unaudited.get(k, 0))
        pt["digits"] = "unaudited"
        pt["unaudited_digits"] = {k: unaudited.get(k, 0) for k in keys}
    else:
        for k in keys:
            pt[k] = None
        pt["digits"] = "unaudited"
    return pt


def unaudited_notes(confirm) -> list:
    """The notes a sweep's result carries about its unaudited points."""
    out = []
    if confirm != "all":
        out.append("points with audited=false come from one float64 run: converged ones are "
                     "rounded to min(4, D-2) significant digits, D being the fewest digits on "
                     "which float64 agreed with high precision at the nearest confirmed "
                     "converged points below and above (none: withheld); points that did not "
                     "converge report their status only")
    return out
