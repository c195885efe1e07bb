"""``normsharp interpolators``: the exact interpolators, thresholds and risks for given data."""

from __future__ import annotations

import theory as T

from .._args import number, positive_number, vector
from ..output import SHORTENED, emit_json, exact_text, num, table, value_cells, vector_text

DESCRIPTION = ("Exact results of the shared one-sample model for your data.")


def add_arguments(p) -> None:
    p.add_argument("--x", type=vector, required=True, help="features, e.g. 1,0.5 or 1,1/2")
    p.add_argument("--y", type=number, default=1, help="label y > 0 (default 1)")
    p.add_argument("--alpha", type=positive_number, help="initialisation scale: adds the "
                   "gradient-flow limit and eta_c (R6)")
    p.add_argument("--beta-star", dest="beta_star", type=vector,
                   help="ground truth point; default: the uniform prior on the zero-loss set")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--full", action="store_true", help="print long vectors and exact values "
                   "whole (default: first and last entries, long values elided)")


def compute(x, y, alpha=None, beta_star=None) -> dict:
    """All exact results (sympy objects, or enclosed values), keyed like the JSON output:
    :meth:`proofs_check.predictions.Predictions.blocks`."""
    from proofs_check.predictions import predict_one_sample

    return predict_one_sample(x, y, alpha, beta_star).blocks()


def _numbers(block: dict) -> dict:
    return {k: ([num(b) for b in v] if isinstance(v, tuple) else num(v))
            for k, v in block.items()}


def run(args) -> int:
    if args.beta_star is not None and len(args.beta_star) != len(args.x):
        raise T.DomainError("--beta-star", ",".join(map(str, args.beta_star)),
                            f"{len(args.x)} entries, one per entry of --x")
    res = compute(args.x, args.y, args.alpha, args.beta_star)
    blocks = [k for k in res if not k.startswith("_")]
    if args.json:
        obj = {k: _numbers(res[k]) for k in blocks}
        obj["exact"] = {k: {q: ([exact_text(b) for b in v] if isinstance(v, tuple)
                                else exact_text(v)) for q, v in res[k].items()} for k in blocks}
        obj["prior"] = res["_prior"]
        emit_json(obj)
        return 0
    x_text, _ = vector_text([str(v) for v in args.x], args.full)
    print(f"Shared one-sample model, x = {x_text}, y = {args.y}"
          + (f", alpha = {args.alpha}" if args.alpha is not None else ""))
    print(f"Risks are expected risks for: {res['_prior']}; decimals are exact to the digits shown.")
    rows = [["quantity", "exact", "decimal"]]
    shortened = False
    for k in blocks:
        for q, v in res[k].items():
            ex, de, cut = value_cells(v, full=args.full)
            shortened = shortened or cut
            rows.append([f"{k}.{q}", ex, de])
    table(rows)
    if shortened:
        print(f"note: {SHORTENED}.")
    if res["_notes"]["faces"]:
        print("note: ties in x: an optimum is a face; beta shown is its centroid.")
    return 0
