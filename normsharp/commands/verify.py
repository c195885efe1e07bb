"""``normsharp verify``: every registered claim gets a verdict from property-based search; or
one claim is checked on your instance (``--claim ID --x ... --alpha ...``)."""

from __future__ import annotations

from .._args import add_data_args, nonnegative_int, positive_int, positive_number, vectors
from ..output import emit_json, fields_text, table
from ..progress import Progress

#: library argument -> option (the others are named like their option)
ARGUMENTS = {"claim_id": "--claim", "ids": "--claim", "checks": "--check"}

#: instance fields -> the option that gives them
_OPTIONS = {"eta": "--eta", "beta_star": "--beta-star", "theta": "--theta"}

DESCRIPTION = ("Search each claim's domain for instances where theory and numerics disagree; "
               "shrink any counterexample. Verdicts: verified, refuted (with the shrunk "
               "counterexample), undecided (precision could not decide, too few instances were "
               "decided, or the time budget cut a check short: column 'truncated'). Each check "
               "shows the rule that decided it and the weakest precision over its instances "
               "(exact, or the digits two precisions agreed on); each claim its domain. "
               "With --x (or --X-file) and --alpha, check one claim (--claim ID) on your "
               "instance instead: every check of the claim runs on it, or says why not (a "
               "field it needs, or the claim's domain excluding the instance). Exit 0 when "
               "nothing is refuted, 1 otherwise.")


def add_arguments(p) -> None:
    p.add_argument("--claim", dest="claims", action="append", metavar="ID",
                   help="a claim id (repeatable; default: all; exactly one with --x)")
    p.add_argument("--examples", type=positive_int, default=None, metavar="N",
                   help="base number of instances per check (default 20; each check scales "
                   "it by its cost weight)")
    p.add_argument("--seed", type=nonnegative_int, default=None,
                   help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    g = p.add_argument_group("one instance (with --claim ID)")
    add_data_args(g, alpha_required=False)
    g.add_argument("--eta", type=positive_number, help="a learning rate, for the checks that "
                   "need one")
    g.add_argument("--theta", type=vectors, metavar="W or U;V",
                   help="a parameter point: w (shared) or u;v (product, difference), e.g. "
                   "1,-0.5 or 1,2;0,1")
    g.add_argument("--check", dest="checks", action="append", metavar="NAME",
                   help="run only this check of the claim (repeatable)")
    g.add_argument("--force", action="store_true",
                   help="also run the checks whose domain excludes the instance (reported)")


def _instance_mode(args) -> bool:
    return any(getattr(args, k, None) is not None for k in (
        "x", "X_file", "y_file", "alpha", "eta", "theta", "beta_star", "checks")) or args.force


def run(args) -> int:
    if _instance_mode(args):
        return _run_instance(args)
    from proofs_check import DEFAULT_EXAMPLES, REGISTRY, get_claim, verify

    ids = args.claims or list(REGISTRY)
    claims = [get_claim(i) for i in ids]
    examples = args.examples or DEFAULT_EXAMPLES
    bar = Progress.maybe(enabled=not args.json, unit="check")
    try:
        report = verify(examples=examples, seed=args.seed or 0, claims=claims,
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


def _rules(names) -> str:
    return ", ".join(names) if names else "-"


def _print_rules(used) -> None:
    from proofs_check.decide import RULE_TEXT

    print("\nrules:")
    for name in sorted(used):
        print(f"  {name}: {RULE_TEXT.get(name, '?')}")


def _print(report):
    print(f"normsharp verify: seed {report.seed}, examples {report.examples}, "
          f"{report.seconds:.1f} s")
    rows = [["claim", "kind", "verdict", "examples", "undecided", "truncated", "max |error|",
             "citation"]]
    for c in report.claims:
        rows.append([c.id, c.kind, c.verdict, str(c.examples), str(c.undecided),
                     "yes" if c.truncated else "no", _err(c.max_abs_error), c.citation])
    table(rows)
    print("\nchecks (the rules that decided them; precision: the weakest over the decided "
          "instances):")
    rows = [["claim", "check", "kind", "verdict", "decided", "rule", "precision"]]
    used = set()
    for c in report.claims:
        for k in c.checks:
            used.update(k.rules)
            rows.append([c.id, k.name, k.kind, k.verdict, f"{k.passed}/{k.examples}",
                         _rules(k.rules), k.evidence_text])
    table(rows)
    print("\ndomains (a verdict covers its claim's domain only):")
    for c in report.claims:
        print(f"  {c.id}: {c.domain}")
    _print_rules(used)
    for c in report.claims:
        if c.verdict == "refuted":
            cx = c.counterexample
            print(f"\n{c.id} REFUTED by check '{cx['check']}' on the shrunk instance:")
            print(f"  {cx['description']}")
            for k, v in cx["detail"].items():
                print(f"  {k}: {fields_text(v)}")
            print(f"  reproduce: {cx['reproduce']}")
        elif c.verdict == "undecided":
            print(f"\n{c.id} undecided: {c.reason}")
    s = report.summary
    print(f"\nsummary: {s['verified']} verified, {s['refuted']} refuted, "
          f"{s['undecided']} undecided")


# ------------------------------------------------------------------------ one instance
def _run_instance(args) -> int:
    from proofs_check import get_claim
    from proofs_check.instances import Instance
    from proofs_check.verify import verify_instance
    from theory.errors import DomainError

    from .._args import problem_from_args

    if not args.claims or len(args.claims) != 1:
        raise DomainError("--claim", ",".join(args.claims or []) or None,
                          "exactly one claim id with an instance (--x ...)")
    for option, value in (("--examples", args.examples), ("--seed", args.seed)):
        if value is not None:
            raise DomainError(option, value, "not used with an instance: its checks run on "
                              "your instance only (drop it, or drop --x to search)")
    if args.alpha is None:
        raise DomainError("--alpha", None, "the instance's initialisation scale alpha > 0 "
                          "(with --x or --X-file)")
    instance = Instance.from_problem(problem_from_args(args), eta=args.eta, theta=args.theta)
    claim = get_claim(args.claims[0])
    bar = Progress.maybe(enabled=not args.json, unit="check")
    try:
        report = verify_instance(claim.id, instance, checks=args.checks, force=args.force,
                                 progress=bar.ticks(len(args.checks or claim.checks))
                                 if bar else None)
    finally:
        if bar:
            bar.close()
    if report.verdict == "not checked":  # nothing could run: the question does not apply
        reasons = {c.name: _reason(c) for c in report.checks}
        same = len(set(reasons.values())) == 1
        why = (f"every check: {next(iter(reasons.values()))}" if same else
               "; ".join(f"{name}: {text}" for name, text in reasons.items()))
        raise DomainError("--claim", claim.id, f"a claim with a check that applies to "
                          f"{report.description}: {why}")
    if args.json:
        emit_json(report.to_json())
        return report.exit_code
    _print_instance(report)
    return report.exit_code


def _reason(check) -> str:
    """The library's reason, with the command line's options for missing fields."""
    if check.needs:
        return "needs " + ", ".join(_OPTIONS.get(f, f) for f in check.needs)
    return check.reason


def _print_instance(report) -> None:
    print(f"normsharp verify: {report.claim} on {report.description}  "
          f"({report.seconds:.1f} s)")
    print(f"  {report.statement}")
    print(f"domain of {report.claim}: {report.domain}")
    rows = [["check", "kind", "outcome", "rule", "precision"]]
    used = set()
    for c in report.checks:
        used.update(r for r in c.rules if c.status != "not run")
        rows.append([c.name, c.kind, c.status, _rules(c.rules) if c.status != "not run"
                     else "-", c.evidence_text])
    table(rows)
    notes = [(c.name, _reason(c)) for c in report.checks if c.reason]
    notes += [(c.name, "ran with " + "; ".join(c.transforms)) for c in report.checks
              if c.transforms]
    if notes:
        print()
        for name, text in notes:
            print(f"  {name}: {text}")
    for c in report.checks:
        if c.status == "fail":
            print(f"\n{c.name} FAILED: {fields_text(c.detail)}")
    if used:
        _print_rules(used)
    s = report.summary
    print(f"\nverdict: {report.verdict} ({s['pass']} passed, {s['fail']} failed, "
          f"{s['undecided']} undecided, {s['not run']} not run)")
