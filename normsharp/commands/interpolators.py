"""``normsharp interpolators``: the exact interpolators, thresholds and risks for given data.

One sample (``--x``, the shared model): theory's exact closed forms. ``n`` samples
(``--X-file/--y-file``, or ``--instance DIR`` written by ``normsharp instance``; or ``--x`` with
``--param product|difference`` or ``--depth``): :func:`numerics.interpolators.interpolator_blocks`
(the exact minimum-norm interpolator with its LP certificate, the certified minimum-sharpness
interval, the gradient-flow limit with ``--alpha``, the optimal interpolator and risks with a
ground truth)."""

from __future__ import annotations

import theory as T

from .._args import number, positive_int, positive_number, vector
from ..output import SHORTENED, emit_json, exact_text, num, table, value_cells, vector_text

DESCRIPTION = ("Exact results for your data: for one sample (--x) the shared model's closed "
               "forms; for n samples (--X-file/--y-file or --instance DIR) the exact "
               "minimum-norm interpolator (LP with a rational dual certificate), a certified "
               "interval for the least sharpness, and with --alpha the gradient-flow limit and "
               "eta_c = 2/s_GF.")
#: library arguments set by an option of another name
ARGUMENTS = {"folder": "--instance", "param": "--param", "depth": "--depth"}


def add_arguments(p) -> None:
    p.add_argument("--x", type=vector, help="features of one sample, e.g. 1,0.5 or 1,1/2")
    p.add_argument("--X-file", dest="X_file", help="n x d data matrix (.csv or .npy)")
    p.add_argument("--y-file", dest="y_file", help="n labels (.csv or .npy)")
    p.add_argument("--instance", metavar="DIR", help="a directory written by normsharp "
                   "instance: its X.csv, y.csv and beta_star.csv (the ground truth)")
    p.add_argument("--param", choices=["shared", "product", "difference"], default=None,
                   help="parametrisation (default shared; n samples: product, difference or "
                   "shared)")
    p.add_argument("--depth", type=positive_int, default=None,
                   help="depth D (default 2; D > 2 with --param shared)")
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
    if args.X_file or args.y_file or args.instance or args.x is None or (
            args.param not in (None, "shared") or args.depth not in (None, 2)):
        return _run_many(args)
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


# ------------------------------------------------------------------------------ n samples
#: the blocks printed for n samples, in order, and the quantities of each shown in text
_SHOWN = {"min_norm": ("beta", "l1_norm", "param_norm_sq", "sharpness", "unique"),
          "min_sharpness": ("beta", "l1_norm", "sharpness", "certified", "width"),
          "gradient_flow": ("beta", "l1_norm", "sharpness", "s_end", "eta_c", "s_path_sup",
                            "eta_path", "s_gf_at_end"),
          "optimal": ("beta", "l1_norm", "sharpness", "risk_min_norm", "risk_min_sharpness",
                      "risk_optimal", "eta_star", "prior")}
#: the n-sample engine's working digits of the gradient flow (a single run)
FLOW_DPS = 30


def _data(args):
    """``(X, y, beta_star, sigma2, sources)`` from --instance, --X-file/--y-file or --x."""
    from fractions import Fraction

    from theory.errors import DomainError

    from .._args import load_data

    given = [o for o, v in (("--instance", args.instance), ("--X-file", args.X_file),
                            ("--x", args.x)) if v is not None]
    if len(given) > 1:
        raise DomainError(given[1], "given with " + given[0],
                          "one source of data: --instance, --X-file/--y-file or --x")
    beta_star, sigma2, sources = args.beta_star, Fraction(0), {}
    if args.instance is not None:
        from pathlib import Path

        from numerics.instances import read_instance

        inst = read_instance(args.instance)
        X, y = inst.X, inst.y
        noise = Fraction(inst.provenance["arguments"]["noise"])
        sigma2 = noise * noise
        if beta_star is None:
            beta_star = inst.beta_star
        sources = {"X": Path(args.instance) / "X.csv", "y": Path(args.instance) / "y.csv"}
    elif args.X_file or args.y_file:
        if not (args.X_file and args.y_file):
            raise DomainError("--X-file/--y-file", "only one given", "both files are required")
        Xa = load_data(args.X_file, "--X-file")
        ya = load_data(args.y_file, "--y-file")
        X = Xa.reshape(1, -1).tolist() if Xa.ndim == 1 else Xa.tolist()
        if ya.ndim == 2 and 1 not in ya.shape:
            raise DomainError("--y-file", args.y_file, "one label per sample: a single row or "
                              f"column (found {ya.shape[0]} x {ya.shape[1]})")
        y = ya.reshape(-1).tolist()
        sources = {"X": args.X_file, "y": args.y_file}
    elif args.x is not None:
        X, y = [list(args.x)], [args.y]
    else:
        raise DomainError("--x", None, "the data: --x, --X-file and --y-file, or --instance DIR")
    if beta_star is not None and len(beta_star) != len(X[0]):
        raise DomainError("--beta-star", ",".join(map(str, beta_star)),
                          f"{len(X[0])} entries, one per column of X")
    return X, y, beta_star, sigma2, sources


def _jsonable(value, outward: int = 0):
    """Fractions as floats (``outward`` = -1 / +1 rounds down / up: certified ends stay
    certified), tuples as lists, dicts recursively."""
    import math
    from fractions import Fraction

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Fraction):
        f = float(value)
        if outward and math.isfinite(f) and Fraction(f) != value and (
                (Fraction(f) > value) == (outward < 0)):
            f = math.nextafter(f, -math.inf if outward < 0 else math.inf)
        return f
    return value


def _exact(value):
    """Exact texts (``p/q``) of every Fraction, in the same shape."""
    from fractions import Fraction

    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_exact(v) for v in value]
    return str(value) if isinstance(value, Fraction) else value


def _sparse_cells(beta, exact: bool = True) -> tuple[str, str]:
    """A long vector by its largest entries: ``b3 = 1/2, b7 = -3/4, ... (k non-zero of d)``
    (the exact texts when all are short, else only the count) and their decimals."""
    from ..output import decimal_text

    nonzero = [i for i, b in enumerate(beta) if b != 0]
    top = sorted(sorted(nonzero, key=lambda i: -abs(beta[i]))[:4])
    more = ", ..." if len(nonzero) > len(top) else ""
    count = f"{len(nonzero)} non-zero of {len(beta)}"
    texts = [str(beta[i]) for i in top]
    if exact and all(len(t) <= 16 for t in texts):
        ex = ", ".join(f"b{i + 1} = {t}" for i, t in zip(top, texts)) + f"{more} ({count})"
    else:
        ex = f"exact rationals ({count})" if exact else f"one run at {FLOW_DPS} digits ({count})"
    dec = ", ".join(f"b{i + 1} = {decimal_text(beta[i], 6)}" for i in top) + more
    return ex, dec


def _run_many(args) -> int:
    from numerics.interpolators import interpolator_blocks
    from numerics.problem import data_summary

    X, y, beta_star, sigma2, sources = _data(args)
    param, depth = args.param or "shared", args.depth or 2
    res = interpolator_blocks(X, y, param, depth, alpha=args.alpha, beta_star=beta_star,
                              sigma2=sigma2, flow_dps=FLOW_DPS)
    if args.json:
        obj = {k: _jsonable(v) for k, v in res.items()}
        lo, hi = res["min_sharpness"]["certified"]
        obj["min_sharpness"]["certified"] = [_jsonable(lo, -1), _jsonable(hi, +1)]
        obj["exact"] = {k: _exact(v) for k, v in res.items() if k != "gradient_flow"}
        obj["data"] = {"n": len(X), "d": len(X[0]), "param": param, "depth": depth,
                       "summary": data_summary(X, y, sources),
                       "files": {k: str(v) for k, v in sources.items()}}
        emit_json(obj)
        return 0
    print(f"{len(X)}-sample data, {data_summary(X, y, sources)}, param = {param}"
          + (f", depth = {depth}" if depth != 2 else "")
          + (f", alpha = {args.alpha}" if args.alpha is not None else ""))
    rows = [["quantity", "exact", "decimal"]]
    shortened = False
    for block, keys in _SHOWN.items():
        for q in keys:
            if block not in res or q not in res[block]:
                continue
            v = res[block][q]
            if q == "certified":
                lo, hi = v
                rows.append([f"{block}.certified", "[lower, upper], exact ends below",
                             f"[{_jsonable(lo, -1)!r}, {_jsonable(hi, +1)!r}]"])
                continue
            if isinstance(v, (bool, str)) or v is None:
                rows.append([f"{block}.{q}", str(v), ""])
                continue
            enclosure = res[block].get(f"{q}_enclosure")
            if enclosure is not None and q in ("sharpness", "eta_star"):
                width = float(enclosure[1] - enclosure[0])
                rows.append([f"{block}.{q}", f"(in an exact enclosure of width {width:.1g})",
                             value_cells(v, full=args.full)[1]])
                continue
            if q == "width":
                rows.append([f"{block}.width", "upper - lower (exact)", f"{float(v):.3g}"])
                continue
            if q == "beta" and not args.full and len(v) > 8:
                rows.append([f"{block}.beta", *_sparse_cells(v, block != "gradient_flow")])
                shortened = True
                continue
            if block == "gradient_flow":
                rows.append([f"{block}.{q}", f"(one run at {FLOW_DPS} digits)",
                             value_cells(v, full=args.full)[1]])
                continue
            ex, de, cut = value_cells(v, full=args.full)
            shortened = shortened or cut
            rows.append([f"{block}.{q}", ex, de])
    table(rows)
    ms = res["min_sharpness"]
    polished = "polished" if ms["polished"] else "not polished"
    print(f"min-sharpness: the least sharpness lies in the certified interval (exact ends, "
          f"width {float(ms['width']):.3g}); min_sharpness.beta is an exact interpolator whose "
          f"sharpness lies in that interval ({polished} at high precision).")
    gf = res.get("gradient_flow")
    if gf is not None:
        where = ("at the limit, so eta_path = eta_c" if gf["s_gf_at_end"] else
                 "before the limit (not a stationary point: it marks no transition), "
                 f"eta_path = 2/sup S = {float(gf['eta_path']):.15g}")
        print(f"gradient flow: eta_c = 2/S(beta_GF) = {float(gf['eta_c']):.15g}; the largest "
              f"sharpness along the path is reached {where}.")
    if not res["min_norm"]["unique"]:
        print("note: the minimum-norm interpolator is not unique: min_norm.beta is a point of "
              "the optimal face (--json lists its vertices).")
    if shortened:
        print(f"note: {SHORTENED}.")
    return 0
