"""``normsharp interpolators``: the exact interpolators, thresholds and risks for given data."""

from __future__ import annotations

import theory as T

from .._args import number, positive_number, vector
from ..output import Bounded, decimal_text, emit_json, exact_text, num, table

DESCRIPTION = ("Exact results of the shared one-sample model for your data.")


def add_arguments(p) -> None:
    p.add_argument("--x", type=vector, required=True, help="features, e.g. 1,0.5 or 1,1/2")
    p.add_argument("--y", type=number, default=1, help="label y > 0 (default 1)")
    p.add_argument("--alpha", type=positive_number, help="initialisation scale: adds the "
                   "gradient-flow limit and eta_c (R6)")
    p.add_argument("--beta-star", dest="beta_star", type=vector,
                   help="ground truth point; default: the uniform prior on the zero-loss set")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def compute(x, y, alpha=None, beta_star=None) -> dict:
    """All exact results as sympy objects, keyed like the JSON output."""
    n = T.min_norm_interpolator(x, y)
    s = T.min_sharpness_interpolator(x, y)
    t = T.stability_thresholds(x, y)
    out = {
        "min_norm": {"beta": n.beta, "l1_norm": n.l1_norm, "param_norm_sq": n.param_norm_sq,
                     "sharpness": n.sharpness},
        "min_sharpness": {"beta": s.beta, "l1_norm": s.l1_norm,
                          "param_norm_sq": s.param_norm_sq, "sharpness": s.sharpness},
        "thresholds": {"eta_min_norm_unstable": t.eta_min_norm_unstable,
                       "eta_no_stable_interpolator": t.eta_no_stable_interpolator},
    }
    if alpha is not None:
        out["gradient_flow"] = _flow_block(T.gradient_flow_limit(x, y, alpha))
    prior = T.uniform_prior(x, y) if beta_star is None else T.point_prior(beta_star)
    gaps = T.bias_gaps(x, y, prior)
    best = T.predicted_best_learning_rate(x, y, prior, alpha)
    out["optimal"] = {
        "beta": gaps.optimal, "sharpness": best.sharpness, "l1_norm": sum(gaps.optimal),
        "risk_min_norm": gaps.risk_min_norm, "risk_min_sharpness": gaps.risk_min_sharpness,
        "risk_optimal": gaps.risk_optimal, "eta_star": best.eta_star,
    }
    out["_prior"] = prior.name
    out["_notes"] = {"faces": not (n.unique and s.unique), "neither_optimal":
                     gaps.neither_optimal, "eta_star_inside": best.inside}
    return out


def _flow_block(g) -> dict:
    """The gradient-flow limit: exact when ``lambda`` is an explicit algebraic number, else the
    equation for ``lambda`` with every quantity enclosed by theory's proved bounds."""
    keys = ("beta", "sharpness", "eta_c", "l1_norm")
    if g.exact or g.lam_bounds is None:
        return {k: getattr(g, k) for k in keys}
    block = {"lambda": Bounded(g.equation, *g.bounds("lam"))}
    block["beta"] = tuple(Bounded(b, *g.bounds("beta", i)) for i, b in enumerate(g.beta))
    for k in keys[1:]:
        block[k] = Bounded(getattr(g, k), *g.bounds(k))
    return block


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
    print(f"Shared one-sample model, x = ({', '.join(map(str, args.x))}), y = {args.y}"
          + (f", alpha = {args.alpha}" if args.alpha is not None else ""))
    print(f"Risks are expected risks for: {res['_prior']}; decimals are exact to the digits shown.")
    rows = [["quantity", "exact", "decimal"]]
    for k in blocks:
        for q, v in res[k].items():
            if isinstance(v, tuple):
                ex = "(" + ", ".join(exact_text(b) for b in v) + ")"
                de = "(" + ", ".join(decimal_text(b, 12) for b in v) + ")"
            else:
                ex, de = exact_text(v), decimal_text(v, 15)
            rows.append([f"{k}.{q}", ex if len(ex) <= 60 else ex[:57] + "...", de])
    table(rows)
    if res["_notes"]["faces"]:
        print("note: ties in x: an optimum is a face; beta shown is its centroid.")
    return 0
