"""``normsharp quantized-fit``: decide exactly whether a quantized ReLU network fits a data file."""

from __future__ import annotations

import time

from .._args import load_data, positive_int
from ..output import emit_json
from ._computability import allow_negative_values, architecture, grid

#: library argument -> option
ARGUMENTS = {"widths": "--arch", "grid": "--grid", "budget": "--budget", "labels": "--labels"}

DESCRIPTION = ("Decide exactly whether a ReLU network of the given architecture, with every "
               "weight and bias on a finite grid, fits the data ([BFFK25]: decidable by "
               "exhaustive search). Prints the lexicographically first witness, or says that "
               "none of the grid's candidates fits. Hidden layers are ReLU, the output linear. "
               "Exit 0 either way; 2 on bad input or when the search would exceed --budget.")


def add_arguments(p) -> None:
    from theory.quantized import DEFAULT_BUDGET

    allow_negative_values(p)
    p.add_argument("--arch", type=architecture, required=True, metavar="D0,...,DL",
                   help="layer widths, e.g. 2,2,1 (input 2, one hidden ReLU layer of 2, output 1)")
    p.add_argument("--grid", type=grid, required=True, metavar="GRID",
                   help="weight grid: LO:HI (the integers, e.g. -2:2), LO:HI:STEP (e.g. "
                   "-1:1:1/2) or a list (e.g. -1,0,1)")
    p.add_argument("--data", required=True, metavar="FILE",
                   help="CSV, one sample per row: the d_0 features, then the label")
    p.add_argument("--labels", choices=["exact", "sign", "argmax"], default="exact",
                   help="exact: f(x) = y (default); sign: y f(x) > 0 (labels nonzero); argmax: "
                   "the label is the index of the largest of d_L outputs")
    p.add_argument("--erm", action="store_true",
                   help="exact empirical risk minimisation instead: the least risk on the grid "
                   "(mean squared error, or fraction misfitted) and its first minimiser")
    p.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET, metavar="N",
                   help=f"units of search work allowed (default {DEFAULT_BUDGET}); beyond it the "
                   "search stops with an error instead of running on")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _read(path: str, d0: int):
    from theory.errors import DomainError

    data = load_data(path, "--data")
    if data.ndim == 1:
        data = data.reshape(1, -1)
    if data.shape[1] != d0 + 1:
        raise DomainError("--data", path, f"{d0 + 1} columns per row: the {d0} features of "
                          f"--arch's input, then the label (found {data.shape[1]})")
    rows = [[_exact(v) for v in row] for row in data.tolist()]
    return [r[:-1] for r in rows], [r[-1] for r in rows]


def _exact(value):
    from fractions import Fraction

    return value if isinstance(value, Fraction) else Fraction(value)


def _layers_text(net) -> list[str]:
    out = []
    last = len(net.layers)
    for l, (W, b) in enumerate(net.layers, 1):
        kind = "linear output" if l == last else "ReLU"
        rows = "[" + ", ".join("[" + ", ".join(str(v) for v in r) + "]" for r in W) + "]"
        out.append(f"  layer {l} ({kind}): W = {rows}, b = [{', '.join(str(v) for v in b)}]")
    return out


def run(args) -> int:
    from theory import quantized as Q
    from theory.errors import DomainError

    from ..progress import Progress

    X, y = _read(args.data, args.arch[0])
    bar = Progress.maybe(enabled=not args.json, unit="config")
    t0 = time.perf_counter()
    call = Q.erm if args.erm else Q.decide_fit
    try:
        res = call(args.arch, args.grid, X, y, args.labels, budget=args.budget, progress=bar)
    except DomainError as exc:
        if exc.argument.startswith(("X[", "y[")):  # a sample of the file: name its row
            row = int(exc.argument[2:].split("]")[0]) + 1
            raise DomainError("--data", f"{args.data} row {row}", exc.required) from None
        raise
    finally:
        if bar:
            bar.close()
    seconds = time.perf_counter() - t0
    P = sum(d * (d_in + 1) for d_in, d in zip(args.arch, args.arch[1:]))
    if args.json:
        obj = ({"loss": str(res.loss), "minimiser": res.minimiser.to_json(),
                "checked": res.space, "space": res.space, "evaluated": res.evaluated,
                "labels": res.labels} if args.erm else res.to_json())
        obj.update(arch=list(args.arch), grid=[str(g) for g in sorted(set(args.grid))],
                   samples=len(X), seconds=round(seconds, 3))
        emit_json(obj)
        return 0
    grid_text = ", ".join(str(g) for g in sorted(set(args.grid)))
    print(f"quantized-fit: architecture {'-'.join(map(str, args.arch))} (P = {P} parameters), "
          f"grid {{{grid_text}}}, {len(X)} samples, labels {args.labels}")
    work = f"search work {res.evaluated} units, {seconds:.2f} s"
    if args.erm:
        print(f"least empirical risk on the grid: {res.loss} ({float(res.loss):.6g}), all "
              f"{res.space} candidates decided ({work}); the first minimiser:")
        print("\n".join(_layers_text(res.minimiser)))
    elif res.found:
        print(f"found: the lexicographically first fitting network is candidate {res.checked} "
              f"of {res.space} ({work}):")
        print("\n".join(_layers_text(res.witness)))
    else:
        print(f"none: no network on this grid fits the data; all {res.space} candidates "
              f"decided ({work})")
    return 0
