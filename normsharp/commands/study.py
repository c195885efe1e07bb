"""``normsharp study``: where does each bias win? A grid of random instances, a learning-rate
sweep on each (on Dask), the phase diagram of the winners with Wilson intervals."""

from __future__ import annotations

import argparse

from .._args import number, positive_number
from ..output import emit_json, table

DESCRIPTION = ("For every cell (n, d, sparsity), draw --instances random instances (seeded), "
               "run a learning-rate sweep of float64 GD on each (one Dask task per instance "
               "and eta, from 1/4 to 3 times the instance's 2/S(min-norm interpolator)) and "
               "classify it: norm bias best (least population risk at the smallest eta), "
               "sharpness bias best (at the largest converging eta), interior optimum "
               "(U-shape). Writes DIR/study.json, DIR/instances.csv and DIR/phase.png (the "
               "fractions over (n/d, sparsity) with Wilson 95% intervals). Resumable: every "
               "finished task is in DIR/runs/sweep.jsonl, and a rerun computes only the rest.")
#: library arguments set by an option of another name
ARGUMENTS = {"ns": "--n", "ds": "--d", "sparsities": "--sparsity", "out_dir": "--out",
             "etas": "--etas"}
#: what --quick sets (unless given explicitly)
QUICK = {"instances": 4, "etas": 6, "steps": 20000}
DEFAULTS = {"instances": 50, "etas": 12, "steps": 50000}


def _ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: comma-separated integers, e.g. 5,10,20"
                                         ) from None
    return values


def add_arguments(p) -> None:
    p.add_argument("--n", type=_ints, required=True, help="samples, e.g. 5,10,20")
    p.add_argument("--d", type=_ints, required=True, help="dimensions, e.g. 20,50")
    p.add_argument("--sparsity", type=_ints, required=True, help="non-zero entries of beta*, "
                   "e.g. 1,3,5,10 (cells with sparsity > d are skipped)")
    p.add_argument("--instances", type=int, help="random instances per cell (default 50; "
                   "--quick 4)")
    p.add_argument("--param", choices=["product", "difference", "shared"], default="product",
                   help="parametrisation (default product)")
    p.add_argument("--alpha", type=positive_number, default=number("0.01"),
                   help="initialisation scale (default 0.01)")
    p.add_argument("--noise", type=number, default=number("0"), help="label-noise standard "
                   "deviation (default 0)")
    p.add_argument("--design", choices=["gaussian", "uniform-positive"], default="gaussian")
    p.add_argument("--seed", type=int, default=0, help="the study's seed (default 0)")
    p.add_argument("--etas", type=int, help="learning rates per instance (default 12; "
                   "--quick 6)")
    p.add_argument("--steps", type=int, help="GD step budget at eta = 2/S(min-norm), "
                   "scaled by 1/r at r times it (default 50000; --quick 20000)")
    p.add_argument("--quick", action="store_true", help="4 instances per cell, 6 learning "
                   "rates, 20000 steps, whatever --instances, --etas and --steps say (about a "
                   "minute on 2 cores for the issue's 24 cells)")
    p.add_argument("--out", metavar="DIR", required=True, help="directory of the study "
                   "(created; a rerun resumes it)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. "
                   "tcp://10.0.0.1:8786 (default: a LocalCluster on this machine)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes "
                   "(default 2; 0 runs every task in this process, without Dask)")
    p.add_argument("--no-figure", dest="figure", action="store_false",
                   help="do not draw DIR/phase.png")
    p.add_argument("--json", action="store_true", help="print study.json")


def run(args) -> int:
    import json

    from numerics.study import study

    from ..progress import Progress

    for name, value in (QUICK if args.quick else DEFAULTS).items():
        if args.quick or getattr(args, name) is None:
            setattr(args, name, value)
    bar = Progress.maybe(enabled=not args.json, unit="task")
    try:
        result = study(args.n, args.d, args.sparsity, args.instances, out_dir=args.out,
                       seed=args.seed, alpha=args.alpha, param=args.param, noise=args.noise,
                       design=args.design, etas=args.etas, steps=args.steps,
                       scheduler=args.scheduler, workers=args.workers, progress=bar)
    finally:
        if bar:
            bar.close()
    obj = result.to_json()
    if args.figure:
        from pathlib import Path

        from ..study_plot import phase_figure

        obj["files"]["figure"] = str(phase_figure(obj, Path(args.out) / "phase.png"))
        result.files["figure"] = obj["files"]["figure"]
        from numerics.files import atomic_write

        atomic_write(result.files["json"], json.dumps(obj, indent=1) + "\n")
    if args.json:
        emit_json(obj)
        return 0
    _print(obj)
    return 0


def _print(obj: dict) -> None:
    a, t = obj["arguments"], obj["tasks"]
    print(f"study: {len(obj['instances'])} instances ({a['instances']} per cell), {a['etas']} "
          f"learning rates each, {a['param']} parametrisation, alpha = {a['alpha']}, noise "
          f"{a['noise']}; tasks computed {t['computed']}, reused from the store {t['reused']}"
          + (f", failed {len(t['failed'])}" if t["failed"] else ""))
    rows = [["n", "d", "n/d", "s", "N", "norm best", "sharpness best", "interior", "flat",
             "undetermined"]]
    for c in obj["cells"]:
        cells = []
        for cls in ("norm", "sharpness", "interior", "flat", "undetermined"):
            f, (lo, hi) = c["fractions"][cls], c["wilson95"][cls]
            cells.append("-" if f is None else f"{f:.2f} [{lo:.2f}, {hi:.2f}]")
        rows.append([str(c["n"]), str(c["d"]), f"{c['n_over_d']:.3g}", str(c["sparsity"]),
                     str(c["classified"]), *cells])
    table(rows)
    print(f"fractions of classified instances with {obj['interval']} intervals")
    unique = [i for i in obj["instances"] if i.get("unique_interpolator")]
    if unique:
        print(f"note: {len(unique)} instances (n >= d) have one interpolator: the risk cannot "
              f"depend on eta among runs that reach it; those that reach it too slowly for "
              f"the step budget are undetermined")
    for task, error in ((f["task"], f["error"]) for f in t["failed"][:5]):
        print(f"failed: {task}: {error[:120]}")
    for name, path in obj["files"].items():
        print(f"wrote {name}: {path}")
