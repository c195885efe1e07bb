"""Text, Markdown and verdicts for sweeps and for ``normsharp reproduce``.

Printing follows the precision policy: a confirmed value is shown with at most the digits two
precisions agree on, an unconfirmed float64 value is prefixed with ``~`` and carries the digits
the sweep's rule allows (see :mod:`numerics.sweep`), a chaotic one is the word ``chaotic``.

The verdict rules live in :mod:`proofs_check.sweep_claims` and the readings in
:mod:`proofs_check.evidence`; this module only lays them out.
"""

from __future__ import annotations

import math
from fractions import Fraction

from proofs_check.evidence import best_risk_unaudited
from proofs_check.sweep_claims import Verdict, fmt, fmt_g, point_digits

__all__ = ["best_risk_unaudited", "fmt", "sweep_summary_lines", "sweep_table",
           "write_report", "TABLE_ROWS", "edge_table", "edge_line"]

#: a final state of a run that did not converge is tabulated only with this many agreed digits
SHOW_STATE_DIGITS = 3
#: a text table of more rows than this is summarised (unless ``full``): its first and last
#: :data:`TABLE_ENDS` rows and :data:`TABLE_AROUND` rows either side of each point the summary
#: names (eta_c's bracket, the least risk, the stability edge and limit)
TABLE_ROWS, TABLE_ENDS, TABLE_AROUND = 40, 5, 2
#: at most this many runs of failed learning rates below the last converged one are listed
FAILED_RUNS_SHOWN = 10


# --------------------------------------------------------------------------- formatting
def _cell(pt, key, cap=7):
    v = pt.get(key)
    if pt["status"] in ("chaotic",) and v is None:
        return "chaotic"
    return fmt(v, point_digits(pt, key), unaudited=not pt["audited"] and v is not None, cap=cap)


def _status(pt) -> str:
    s = pt["status"]
    if pt["audited"] and pt.get("status_float64_grid") not in (None, s):
        s += f" (grid: {pt['status_float64_grid']})"
    return s


def sweep_table(result, *, markdown: bool = False, full: bool = False) -> str:
    """The per-eta table of a sweep (text or Markdown).

    A text table of more than :data:`TABLE_ROWS` points is summarised unless ``full``: its ends
    and the rows around the points the summary lines name, each gap marked by a row that says
    how many rows it hides, and a last line that says where all of them are. Markdown tables
    (files) are always complete.
    """
    head = ["eta", "status", "S", "2/eta", "||beta||_1", "risk", "E risk", "dist to GF",
            "digits"]
    shown = range(len(result.points))
    if not markdown and not full and len(result.points) > TABLE_ROWS:
        shown = _summary_rows(result)
    rows, previous = [], -1
    for i in shown:
        if i > previous + 1:
            rows.append([f"... {i - previous - 1} rows", *[""] * (len(head) - 1)])
        rows.append(_table_row(result.points[i]))
        previous = i
    if previous < len(result.points) - 1:
        rows.append([f"... {len(result.points) - 1 - previous} rows", *[""] * (len(head) - 1)])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]
    if len(shown) < len(result.points):
        csv = result.files.get("csv")
        out.append(f"{len(result.points)} rows, {len(shown)} shown; --full for all; "
                   + (f"all rows are in {csv}" if csv else
                      "--out DIR keeps them all in DIR/sweep.csv"))
    return "\n".join(out)


def _table_row(pt) -> list[str]:
    keys = ("S", "l1_norm", "risk", "expected_risk", "distance_gf")
    cells = [_cell(pt, k, 4 if k == "distance_gf" else 7) for k in keys]
    if pt["audited"]:
        dg = pt.get("digits") or {}
        vals = [v for k, v in dg.items() if k in ("S", "l1_norm", "risk")]
        dtext = (str(min(vals)) if vals else "-") + " (2 prec.)"
        if pt["status"] == "diverged":
            dtext = "diverged at both precisions"
        elif pt["status"] != "converged" and (not vals or min(vals) < SHOW_STATE_DIGITS):
            # the final state of a run that did not converge is not a limit; shown only
            # when both precisions reproduce it to SHOW_STATE_DIGITS digits
            cells = ["chaotic"] * len(keys)
            dtext = f"not a limit; precisions agree on < {SHOW_STATE_DIGITS} digits"
    elif pt["status"] == "converged":
        dtext = "float64 only" if any(c != "-" for c in cells) else \
            "float64 only; withheld (no confirmed neighbour agrees)"
    else:
        dtext = "-"
    return [fmt(pt["eta"], 8), _status(pt), cells[0], fmt(pt["two_over_eta"], 7), *cells[1:],
            dtext]


def _summary_rows(result) -> list[int]:
    """The indices a summarised table shows: both ends, and the rows around eta_c's bracket,
    the least risk, the last converged point, the first failed one and the stability limit."""
    grid = list(result.etas)
    index = {e: i for i, e in enumerate(grid)}
    c, b, s = result.eta_c, result.best, result.stability
    named = [*(c.get("grid_bracket") or ()), c.get("S_ref_eta"), b.get("grid_eta"),
             s.get("last_converged"), s.get("first_failed"), s.get("first_not_converged"),
             s.get("below_limit"), s.get("above_limit")]
    if result.eta_c_predicted is not None:
        named.append(min(grid, key=lambda g: abs(float(g) - result.eta_c_predicted)))
    keep = set(range(TABLE_ENDS)) | set(range(len(grid) - TABLE_ENDS, len(grid)))
    for e in named:
        if e in index:
            keep.update(range(index[e] - TABLE_AROUND, index[e] + TABLE_AROUND + 1))
    return sorted(i for i in keep if 0 <= i < len(grid))


def sweep_summary_lines(result) -> list[str]:
    """A few lines: the problem, eta_c predicted and observed, the best eta, the stability."""
    confirmations = (f"{len(result.confirm)} learning rates confirmed at two precisions "
                     f"({' vs '.join(result.precisions)})" if result.confirm else
                     "no learning rate confirmed at two precisions")
    lines = [f"Sweep of GD on {result.problem.describe()}: {len(result.etas)} learning rates "
             f"in [{fmt_g(result.etas[0])}, {fmt_g(result.etas[-1])}], {result.steps} steps; "
             f"{confirmations}"]
    c = result.eta_c
    pred = result.eta_c_predicted
    obs = result.eta_c_observed
    text = f"eta_c: predicted 2/S(beta_GF) = {fmt_g(pred, 10)}" if pred is not None else \
        "eta_c: no prediction for this problem"
    if obs is not None:
        lo, hi = c["bracket"]
        conf = {True: "confirmed at two precisions", False: "NOT confirmed at two precisions",
                None: "not confirmed"}[c["confirmed"]]
        text += (f"; observed {fmt_g(obs, 8)} (first eta whose final sharpness leaves the "
                 f"plateau by > {float(c['tol']):.1%}; bracket [{fmt_g(lo, 8)}, {fmt_g(hi, 8)}], "
                 f"{conf})")
        if pred is not None:
            text += f"; observed/predicted - 1 = {obs / pred - 1:+.3%}"
        marks = {k: result.predicted.get(k) for k in ("eta_path", "eta_plateau")}
        text += "".join(f"; {k} = {fmt_g(v, 8)} ({obs / float(v) - 1:+.3%})"
                        for k, v in marks.items() if v is not None)
    elif c.get("note"):
        text += f"; observed: none ({c['note']})"
    lines.append(text)
    b = result.best
    if b.get("eta") is not None:
        risk = b.get("risk_text") or best_risk_unaudited(b)
        block = result.predicted.get("point" if b["risk_name"] == "risk" else "uniform")
        star = f"; predicted eta* = 2/S(optimum) = {fmt_g(block['eta_star'], 8)}" if block else ""
        res = "" if b.get("resolution") is None else f" (+- {fmt_g(b['resolution'], 2)})"
        lines.append(f"least {b['risk_name'].replace('_', ' ')}: eta = {fmt_g(b['eta'], 8)}"
                     f"{res}, {b['risk_name']} = {risk}{_where_best(result)}{star}")
    lines.append(_stability_line(result))
    if result.edge is not None:
        lines.append(edge_line(result.edge))
    return lines


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}% ({k}/{n})" if n else "-"


def edge_line(edge) -> str:
    """One line: where the edge was measured and which bins converge only in part."""
    partial = [b for b in edge.bins if 0 < b["converged"] < b["samples"]
               or b["precision_dependent"]]
    bins = ", ".join(f"[{fmt_g(Fraction(b['eta_lo']), 6)}, {fmt_g(Fraction(b['eta_hi']), 6)})"
                     f" {_pct(b['converged'], b['samples'])}" for b in partial[:4])
    dep = sum(b["precision_dependent"] for b in edge.bins)
    total = sum(b["samples"] for b in edge.bins)
    return (f"convergence edge ({edge.spec.bins} bins x {edge.spec.samples} learning rates in "
            f"[{fmt_g(edge.eta_lo, 6)}, {fmt_g(edge.eta_hi, 6)}], {' vs '.join(edge.precisions)}"
            f"): converging at both precisions "
            + (f"in part: {bins}" + (" ..." if len(partial) > 4 else "") if partial
               else "all or none per bin")
            + f"; {dep} of {total} runs end differently at the two precisions")


def edge_table(edge, *, markdown: bool = False) -> str:
    """The per-bin table of a measured convergence edge: the fraction (and count) of sampled
    learning rates that converged, diverged or did not converge at both precisions, and of
    those whose outcome depends on the precision; the converged fraction's 95% interval."""
    head = ["eta bin", "samples", "converged", "diverged", "not converged",
            "precision-dependent", "converged 95% CI"]
    rows = []
    for b in edge.bins:
        lo, hi = b["converged_ci95"]
        rows.append([f"[{fmt_g(Fraction(b['eta_lo']), 6)}, {fmt_g(Fraction(b['eta_hi']), 6)})",
                     str(b["samples"]), *(_pct(b[k], b["samples"]) for k in
                                          ("converged", "diverged", "not_converged",
                                           "precision_dependent")), f"{lo:.2f}-{hi:.2f}"])
    if markdown:
        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                         + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    out = [f"Convergence edge: {edge.spec.samples} learning rates per bin, each run at "
           f"{' and '.join(edge.precisions)} for at most {edge.steps} steps (interval "
           f"{edge.rule})",
           "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]
    return "\n".join(out)


def _where_best(result) -> str:
    """Where a least risk that is not interior lies: at an end of the grid (the minimum may
    lie beyond it), or at the last (first) converged point with failed points beyond it."""
    b = result.best
    if b.get("interior") or b.get("grid_eta") is None:
        return ""
    e, grid = b["grid_eta"], result.etas
    converged = {g for g in grid if result.grid[g]["status"] == "converged"}
    if e == grid[-1]:
        return " (at the last grid point: the least risk may lie above the sweep)"
    if e == grid[0]:
        return " (at the first grid point: the least risk may lie below the sweep)"
    if not any(g in converged for g in grid if g > e):
        above = sum(1 for g in grid if g > e)
        return (f" (at the last converged learning rate: the {above} grid points above it did "
                f"not converge)")
    below = sum(1 for g in grid if g < e)
    return (f" (at the first converged learning rate: the {below} grid points below it did not "
            f"converge)")


def _stability_line(result) -> str:
    """The last converged eta, every failed eta below it (runs of neighbours with one status
    grouped), the statuses from the first failed point on, and those above the limit."""
    s = result.stability
    d = _eta_digits(result.etas)
    if s.get("last_converged") is None:
        txt = "stability: no grid point converged (" + ", ".join(
            f"{n} {k}" for k, n in s["failed_statuses"].items()) + ")"
    else:
        txt = f"stability: last converged eta = {fmt_g(s['last_converged'], d)}"
        below = s.get("failed_below") or []
        if below:
            runs = _runs(below, result.etas)
            shown = [_run_text(run, d) for run in runs[:FAILED_RUNS_SHOWN]]
            if len(runs) > FAILED_RUNS_SHOWN:
                shown.append(f"and {len(runs) - FAILED_RUNS_SHOWN} more runs (see the table)")
            txt += f"; below it, {len(below)} did not converge: " + ", ".join(shown)
        if s.get("first_failed") is not None:
            txt += (f"; from {fmt_g(s['first_failed'], d)} on: "
                    + ", ".join(f"{n} {k}" for k, n in s["statuses_after"].items()))
        else:
            txt += " (the last grid point)"
    if s.get("limit") is not None:
        above = s.get("statuses_above_limit", {})
        txt += (f"; above 1/(2 y x_min) = {fmt_g(s['limit'])}: "
                + (", ".join(f"{n} {k}" for k, n in above.items() if n) or "no grid point"))
    return txt


def _runs(failed: list, grid) -> list[list]:
    """``failed`` (``(eta, status)`` in increasing eta) cut into runs of grid neighbours that
    share a status."""
    index = {e: i for i, e in enumerate(grid)}
    runs: list[list] = []
    for e, status in failed:
        if runs and runs[-1][-1][1] == status and index[runs[-1][-1][0]] == index[e] - 1:
            runs[-1].append((e, status))
        else:
            runs.append([(e, status)])
    return runs


def _run_text(run: list, d: int) -> str:
    (first, status), last = run[0], run[-1][0]
    if len(run) == 1:
        return f"{fmt_g(first, d)} ({status})"
    return f"{fmt_g(first, d)} to {fmt_g(last, d)} ({len(run)} {status})"


def _eta_digits(grid) -> int:
    """Significant digits that tell neighbouring grid points apart (at least 6)."""
    if len(grid) < 2:
        return 6
    gap = min(float(b - a) for a, b in zip(grid, grid[1:], strict=False))
    return max(6, math.ceil(math.log10(float(max(grid)) / gap)) + 1)


# --------------------------------------------------------------------------- report.md
def write_report(path, *, title: str, header: list[str], verdicts: list[Verdict],
                 exact_rows: list[list[str]], result, ladder, figures: dict,
                 sections: list[tuple[str, str]], base) -> None:
    """Write ``report.md``: verdicts, exact theory, the sweep table and the figures."""
    from pathlib import Path

    base = Path(base)
    lines = [f"# {title}", ""] + header + [""]
    lines += ["## Verdicts", "", "| claim | statement | verdict | evidence | rule |",
              "|---|---|---|---|---|"]
    for v in verdicts:
        mark = {"held": "**held**", "refuted": "**REFUTED**", "undecided": "undecided"}[v.verdict]
        lines.append(f"| {v.id} | {v.statement} | {mark} | {_md(v.evidence)} | {_md(v.rule)} |")
    lines += ["", "## Exact theory (sympy, [MFCKM26])", "",
              "| claim | quantity | exact | decimal |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in exact_rows]
    for title_, body in sections:
        lines += ["", f"## {title_}", "", body]
    lines += ["", "## Figures", ""]
    captions = {"sharpness": "Final sharpness against eta: the flow-aligned plateau at s_GF, "
                             "then S just below 2/eta past eta_c.",
                "l1_norm": "l1 norm of GD's limit against eta.",
                "risk": "Risk of GD's limit against eta, with the risks of the minimum-norm, "
                        "minimum-sharpness and optimal interpolators.",
                "path": "Where GD's limit lies on the zero-loss set, coloured by eta.",
                "edge": "The convergence edge: per bin of sampled learning rates, the fractions "
                        "that converged, depended on the precision, did not converge or "
                        "diverged."}
    for name, p in figures.items():
        rel = Path(p).resolve().relative_to(base.resolve()).as_posix()
        lines += [f"![{captions.get(name, name)}]({rel})", "", f"*{captions.get(name, name)}*",
                  ""]
    lines += ["## The sweep, point by point", "",
              f"Confirmed points show only digits that the {' and '.join(result.precisions)} "
              "runs share (`chaotic`: none); `~` marks a float64-only value (see *How to read "
              "the digits*).", "", sweep_table(result, markdown=True)]
    if ladder is not None:
        lines += ["", "### Small learning rates (towards gradient flow)", "",
                  sweep_table(ladder, markdown=True)]
    Path(path).write_text("\n".join(lines) + "\n")


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
