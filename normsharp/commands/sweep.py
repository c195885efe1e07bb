"""``normsharp sweep``: GD over a grid of learning rates, resumable, with confirmations."""

from __future__ import annotations

import os
import sys

from .._args import add_data_args, positive_int, positive_number, problem_from_args, vector
from ..output import emit_json

DESCRIPTION = ("Run float64 GD for many learning rates at once (batched, on --jobs processes), "
               "confirm the points near eta_c, the least risk and the stability limit at two "
               "precisions, and detect the observed eta_c. With --out DIR the sweep is resumable"
               " (DIR/sweep.jsonl) and writes DIR/sweep.csv and figures; one run at a time "
               "may write DIR (a second is refused at once). With --edge it also measures the "
               "convergence edge: per bin of densely sampled learning rates near the stability "
               "limit, the fractions that converge, diverge or do not converge at two "
               "precisions, and those whose outcome depends on the precision.")
#: library arguments set by an option of another name
ARGUMENTS = {"out_dir": "--out", "edge_eta_lo": "--edge-range", "edge_eta_hi": "--edge-range"}


def add_arguments(p) -> None:
    add_data_args(p)
    p.add_argument("--eta-min", dest="eta_min", type=positive_number, required=True,
                   help="smallest learning rate")
    p.add_argument("--eta-max", dest="eta_max", type=positive_number, required=True,
                   help="largest learning rate")
    p.add_argument("--num", type=positive_int, required=True,
                   help="number of equally spaced learning rates")
    p.add_argument("--steps", type=positive_int, required=True, help="step budget per run")
    p.add_argument("--out", metavar="DIR", help="directory for the resumable log, the CSV and "
                   "the figures (nothing is written without it); a rerun resumes; a second run "
                   "while one is writing DIR is refused")
    p.add_argument("--jobs", type=positive_int, default=min(2, os.cpu_count() or 1),
                   help="worker processes (default: 2, or 1 on a one-core machine)")
    p.add_argument("--precision", type=positive_int, default=None, metavar="DIGITS",
                   help="confirm at DIGITS against 2*DIGITS digits (default: float64 "
                   "against 32 digits)")
    p.add_argument("--backend", choices=["flint", "mpmath"], default="flint",
                   help="multiprecision backend of the confirmations (default flint)")
    p.add_argument("--confirm", choices=["auto", "converged", "all", "none"], default="auto",
                   help="which points to confirm at two precisions (default auto: near "
                   "eta_c, the least risk and the stability limit)")
    p.add_argument("--confirm-eta", dest="confirm_eta", type=vector, default=[],
                   metavar="E1,E2", help="also confirm these learning rates (snapped to the "
                   "nearest grid point)")
    p.add_argument("--no-refine", dest="refine", action="store_false",
                   help="skip the refinement runs that locate eta_c and the best eta")
    p.add_argument("--no-figures", dest="figures", action="store_false",
                   help="do not draw figures into --out")
    p.add_argument("--full", action="store_true", help="print every row of the table (a long "
                   "table is summarised by default: its ends and the rows around eta_c, the "
                   "least risk and the stability edge)")
    p.add_argument("--edge", action="store_true", help="also measure the convergence edge: "
                   "sample learning rates densely near the stability limit and report, per "
                   "bin, the fractions that converge, diverge or do not converge at two "
                   "precisions, and those whose outcome depends on the precision")
    p.add_argument("--edge-bins", dest="edge_bins", type=positive_int, default=8, metavar="B",
                   help="bins of the edge (default 8)")
    p.add_argument("--edge-samples", dest="edge_samples", type=positive_int, default=12,
                   metavar="N", help="sampled learning rates per bin (default 12)")
    p.add_argument("--edge-seed", dest="edge_seed", type=int, default=0, metavar="SEED",
                   help="seed of the edge's samples (default 0)")
    p.add_argument("--edge-pair", dest="edge_pair", default="dd,qd", metavar="LOW,HIGH",
                   help="the two compiled formats of the edge runs (default dd,qd; float64,dd "
                   "is about 7 times cheaper)")
    p.add_argument("--edge-range", dest="edge_range", type=vector, default=None,
                   metavar="LO,HI", help="the edge's interval (default: from one bin below the "
                   "first grid point that did not converge to the stability limit)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from numerics.sweep import eta_grid, sweep
    from proofs_check.predictions import predict

    from ..progress import Progress
    from ..report import edge_table, sweep_summary_lines, sweep_table

    if args.precision is not None and args.precision < 5:
        from theory.errors import DomainError

        raise DomainError("--precision", args.precision, "at least 5 digits are required")
    problem = problem_from_args(args)
    etas = eta_grid(args.eta_min, args.eta_max, args.num)
    edge = _edge_spec(args) if args.edge else None
    bar = Progress.maybe(enabled=not args.json)
    try:
        result = sweep(problem, etas, args.steps, out_dir=args.out, jobs=args.jobs,
                       precision=args.precision, confirm=args.confirm,
                       confirm_etas=args.confirm_eta, backend=args.backend,
                       refine=args.refine, progress=bar,
                       predictions=predict(problem).for_sweep(), edge=edge)
        figures = {}
        if args.out and args.figures:
            from ..plots import sweep_figures

            figures = sweep_figures(result, args.out, progress=bar)
    finally:
        if bar:
            bar.close()
    if args.json:
        obj = result.to_json()
        obj["files"].update({f"figure_{k}": str(v) for k, v in figures.items()})
        emit_json(obj)
        return 0
    for line in sweep_summary_lines(result):
        print(line)
    print()
    print(sweep_table(result, full=args.full))
    if result.edge is not None:
        print()
        print(edge_table(result.edge))
    for note in result.to_json()["notes"]:
        print(f"note: {note}")
    for name, path in {**result.files, **figures}.items():
        print(f"wrote {name}: {path}")
    sys.stdout.flush()
    return 0


def _edge_spec(args):
    """The edge options as a :class:`numerics.sweep.edge.EdgeSpec` (its errors name them)."""
    from numerics.sweep.edge import EdgeSpec
    from theory.errors import DomainError

    lo = hi = None
    if args.edge_range is not None:
        if len(args.edge_range) != 2:
            raise DomainError("--edge-range", ",".join(map(str, args.edge_range)),
                              "two learning rates LO,HI")
        lo, hi = args.edge_range
    return EdgeSpec(bins=args.edge_bins, samples=args.edge_samples, seed=args.edge_seed,
                    pair=args.edge_pair, eta_lo=lo, eta_hi=hi)
