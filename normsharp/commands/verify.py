"""``normsharp verify``: every registered claim gets a verdict from property-based search."""

from __future__ import annotations

from .._args import nonnegative_int, positive_int
from ..output import emit_json, table
from ..progress import Progress

#: library argument -> option (the others are named like their option)
ARGUMENTS = {"claim_id": "--claim", "ids": "--claim"}

DESCRIPTION = ("Search each claim's domain for instances where theory and numerics disagree; "
               "shrink any counterexample. Verdicts: verified, refuted (with the shrunk "
               "counterexample), undecided (precision could not decide, too few instances were "
               "decided, or the time budget cut a check short: column 'truncated'). Exit 0 when "
               "nothing is refuted, 1 otherwise.")


def add_arguments(p) -> None:
    p.add_argument("--claim", dest="claims", action="append", metavar="ID",
                   help="a claim id (repeatable; default: all)")
    p.add_argument("--examples", type=positive_int, default=None, metavar="N",
                   help="base number of instances per check (default 20; each check scales "
                   "it by its cost weight)")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from proofs_check import DEFAULT_EXAMPLES, REGISTRY, get_claim, verify

    ids = args.claims or list(REGISTRY)
    claims = [get_claim(i) for i in ids]
    examples = args.examples or DEFAULT_EXAMPLES
    bar = Progress.maybe(enabled=not args.json, unit="check")
    try:
        report = verify(examples=examples, seed=args.seed, claims=claims,
                        progress=bar.ticks(sum(len(c.checks) for c in claims)) if bar else None)
    finally:
        if bar:
            bar.close()
    if args.json:
        emit_json(report.to_json())
        return report.exit_code
    _print(report)
    return report.exit_code


def _err(v):
    return "-" if v is None else f"{v:.1e}"


def _print(report):
    print(f"normsharp verify: seed {report.seed}, examples {report.examples}, "
          f"{report.seconds:.1f} s")
    rows = [["claim", "kind", "verdict", "examples", "undecided", "truncated", "max |error|",
             "citation"]]
    for c in report.claims:
        rows.append([c.id, c.kind, c.verdict, str(c.examples), str(c.undecided),
                     "yes" if c.truncated else "no", _err(c.max_abs_error), c.citation])
    table(rows)
    for c in report.claims:
        if c.verdict == "refuted":
            cx = c.counterexample
            print(f"\n{c.id} REFUTED by check '{cx['check']}' on the shrunk instance:")
            print(f"  {cx['description']}")
            for k, v in cx["detail"].items():
                print(f"  {k}: {v}")
            print(f"  reproduce: {cx['reproduce']}")
        elif c.verdict == "undecided":
            print(f"\n{c.id} undecided: {c.reason}")
    s = report.summary
    print(f"\nsummary: {s['verified']} verified, {s['refuted']} refuted, "
          f"{s['undecided']} undecided")
