"""``normsharp reproduce``: the main job. Regenerates the paper's diagonal-network evidence.

On the default instance (x = (1, 1/2), y = 1, alpha = 1/100, shared weights, beta* = the
centroid of the zero-loss segment) it prints the exact results of R1..R9 (theory), runs the
learning-rate sweep over [0.3, 1.05] with high-precision confirmations, a short ladder of small
learning rates (towards gradient flow) and the exact GD identity check, then writes
``DIR/report.md`` with the verdicts, the table and the figures. Exit 0 when every claim held,
1 when one was refuted.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from fractions import Fraction
from pathlib import Path

from .._args import positive_int
from ..output import emit_json, exact_cells, table

#: the default instance of [MFCKM26]'s one-sample toy
X, Y, ALPHA = (Fraction(1), Fraction(1, 2)), Fraction(1), Fraction(1, 100)
ETA_MIN, ETA_MAX = Fraction(3, 10), Fraction(21, 20)
#: (grid points, steps, ladder learning rates, ladder steps)
FULL = (61, 200_000, (Fraction(1, 64), Fraction(1, 32), Fraction(1, 16), Fraction(1, 8)),
        200_000)
QUICK = (31, 10_000, (Fraction(1, 32), Fraction(1, 16), Fraction(1, 8)), 10_000)
R7_ETA, R7_STEPS = Fraction(3, 5), 200
#: the convergence edge: (bins, learning rates per bin) of the full and the quick run, and the
#: pair of formats. float64 against dd, not the default dd against qd: measured on the
#: default instance (8 bins x 12 samples, 200000 steps, 2 workers), dd against qd added ~9 s
#: to the job, float64 against dd under 1 s for 8 x 16 samples
EDGE_FULL, EDGE_QUICK, EDGE_PAIR = (8, 16), (8, 8), ("float64", "dd")


DESCRIPTION = ("Regenerate the diagonal-network evidence of [MFCKM26] on the default instance (x"
               " = (1, 1/2), y = 1, alpha = 1/100, shared weights, beta* = centroid). Exit 0 if "
               "every claim held, 1 if one was refuted.")


def add_arguments(p) -> None:
    p.add_argument("--out", metavar="DIR", default="normsharp-out",
                   help="output directory (default ./normsharp-out); a rerun resumes where the "
                   "last one stopped; a second run while one is writing DIR is refused")
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK[0]} learning rates and {QUICK[1]} steps instead of "
                   f"{FULL[0]} and {FULL[1]}")
    p.add_argument("--jobs", type=positive_int, default=min(2, os.cpu_count() or 1),
                   help="worker processes (default 2, or 1 on a one-core machine)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from numerics.sweep.store import hold

    t0 = time.perf_counter()
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        from theory.errors import DomainError

        raise DomainError("--out", str(out), "a directory (a file of that name exists)")
    out.mkdir(parents=True, exist_ok=True)
    with hold(out / "reproduce.lock", "--out", str(out)):
        return _run(args, out, t0)


def _run(args, out: Path, t0: float) -> int:
    """The job, with ``out`` locked against a second ``reproduce`` writing it."""
    import theory as T
    from numerics.problem import Problem
    from numerics.sweep import eta_grid, sweep
    from numerics.sweep.edge import EdgeSpec
    from proofs_check import evidence
    from proofs_check.predictions import predict
    from proofs_check.sweep_claims import claim_verdicts, r7_identity_experiment

    from ..bridge_plot import computability_section
    from ..plots import sweep_figures
    from ..progress import Progress
    from ..report import edge_table, sweep_summary_lines, write_report

    timings = {}
    num, steps, ladder_etas, ladder_steps = QUICK if args.quick else FULL
    edge_bins, edge_samples = EDGE_QUICK if args.quick else EDGE_FULL
    tag = "-quick" if args.quick else ""
    centroid = tuple(Fraction(int(m.p), int(m.q)) for m in T.uniform_prior(list(X), Y).mean)
    problem = Problem(list(X), Y, ALPHA, beta_star=list(centroid))

    pred = predict(problem)  # what theory predicts, built once: the table and the sweeps
    exact_rows = [[claim, name, *exact_cells(value)]
                  for claim, name, value in evidence.exact_rows(pred, X, Y, ALPHA)]
    timings["theory"] = time.perf_counter() - t0
    if not args.json:
        print(f"normsharp reproduce{' --quick' if args.quick else ''}: {problem.describe()}, "
              f"beta* = centroid {tuple(str(c) for c in centroid)}")
        print("\nExact theory ([MFCKM26], sympy):")
        table([["claim", "quantity", "exact", "decimal"]]
              + [[r[0], r[1], r[2] if len(r[2]) <= 50 else r[2][:47] + "...", r[3]]
                 for r in exact_rows])
        print()
        sys.stdout.flush()

    bar = Progress.maybe(enabled=not args.json)
    t = time.perf_counter()
    try:
        result = sweep(problem, eta_grid(ETA_MIN, ETA_MAX, num), steps,
                       out_dir=out / f"sweep{tag}", jobs=args.jobs, confirm="converged",
                       progress=bar, predictions=pred.for_sweep(),
                       edge=EdgeSpec(bins=edge_bins, samples=edge_samples, pair=EDGE_PAIR))
        timings["sweep"] = time.perf_counter() - t
        t = time.perf_counter()
        ladder = sweep(problem, ladder_etas, ladder_steps, out_dir=out / f"flow-ladder{tag}",
                       jobs=1, confirm="all", refine=False, predictions=pred.for_sweep(),
                       progress=bar and (lambda stage, done, total:
                                         bar(f"ladder: {stage}", done, total)))
        timings["ladder"] = time.perf_counter() - t
        t = time.perf_counter()
        if bar:
            bar("identity (R7)", 0, 1)
        identity = r7_identity_experiment(problem, R7_ETA, R7_STEPS)
        timings["identity"] = time.perf_counter() - t
        verdicts = claim_verdicts(result, ladder, identity)
        t = time.perf_counter()
        figures = sweep_figures(result, out / f"sweep{tag}", progress=bar)
        timings["figures"] = time.perf_counter() - t
        t = time.perf_counter()  # the second source, [BFFK25]: exact quantized training,
        computability = computability_section(  # the adversary, the quantization bridge
            out, quick=args.quick, progress=bar and (lambda stage, done, total:
                                                     bar(f"[BFFK25]: {stage}", done, total)))
        verdicts = verdicts + list(computability["verdicts"])
        timings["computability"] = time.perf_counter() - t
    finally:
        if bar:
            bar.close()
    refuted = [v.id for v in verdicts if v.verdict == "refuted"]
    undecided = [v.id for v in verdicts if v.verdict == "undecided"]
    timings["total"] = time.perf_counter() - t0

    summary = sweep_summary_lines(result)
    sections = evidence.sections(result, steps)
    reading = evidence.edge_reading(result.edge)
    sections.insert(-1, ("The convergence edge", reading[0].upper() + reading[1:] + "\n\n"
                         + edge_table(result.edge, markdown=True)))
    sections.insert(-1, (computability["title"], computability["body"]))
    sections[-1] = (sections[-1][0], sections[-1][1] + "\n- Timings: " + ", ".join(
        f"{k} {v:.1f} s" for k, v in timings.items()) + f" ({args.jobs} worker processes).")
    header = [f"Instance: {problem.describe()}, beta* = centroid "
              f"({', '.join(str(c) for c in centroid)}) of the zero-loss segment. "
              f"Mode: {'--quick' if args.quick else 'full'} ({num} learning rates in "
              f"[{float(ETA_MIN)}, {float(ETA_MAX)}], {steps} steps). "
              f"Generated by `normsharp reproduce` in {timings['total']:.1f} s with "
              f"{args.jobs} worker process(es).", "",
              "**Outcome:** " + ("every claim held." if not refuted and not undecided else
                                 f"refuted: {', '.join(refuted) or 'none'}; undecided: "
                                 f"{', '.join(undecided) or 'none'}.")]
    report = out / "report.md"
    write_report(report, title="normsharp reproduce: norm versus sharpness at the edge of "
                 "stability ([MFCKM26])", header=header, verdicts=verdicts,
                 exact_rows=exact_rows, result=result, ladder=ladder, figures=figures,
                 sections=sections, base=out)
    code = 1 if refuted else 0
    if args.json:
        emit_json({
            "instance": problem.key(), "mode": "quick" if args.quick else "full",
            "exact": [{"claim": r[0], "quantity": r[1], "exact": r[2], "decimal": r[3]}
                      for r in exact_rows],
            "eta_c_predicted": result.eta_c_predicted, "eta_c_observed": result.eta_c_observed,
            "eta_best": None if result.best.get("eta") is None else float(result.best["eta"]),
            "risk_best": result.best.get("risk"),
            "eta_star": float(result.predicted["point"]["eta_star"]),
            "verdicts": [v.json() for v in verdicts],
            "all_held": not refuted and not undecided, "refuted": refuted,
            "undecided": undecided, "report": str(report),
            "figures": {k: str(v) for k, v in figures.items()},
            "identity_R7": identity, "timings": timings,
            "convergence_edge": result.edge.to_json(),
            "sweep": result.to_json(), "ladder": ladder.to_json(),
            "computability": computability["json"], "exit_code": code})
        return code
    for line in summary:
        print(line)
    print()
    print(edge_table(result.edge))
    print("\nVerdicts:")
    for v in verdicts:
        print(f"  {v.id}: {v.verdict.upper()} - {v.statement}")
        print(textwrap.fill(v.evidence, width=100, initial_indent="      evidence: ",
                            subsequent_indent="      "))
    print(f"\nwrote {report} and figures: " + ", ".join(str(p) for p in figures.values()))
    print(f"time: {timings['total']:.1f} s (sweep {timings['sweep']:.1f} s, figures "
          f"{timings['figures']:.1f} s)")
    if refuted:
        print(f"REFUTED: {', '.join(refuted)}")
    return code
