"""``normsharp gd``: gradient descent at two precisions, printing only the digits they share."""

from __future__ import annotations

from theory.errors import DomainError

from .._args import (
    add_data_args,
    nonnegative_int,
    number,
    positive_int,
    positive_number,
    problem_from_args,
)
from ..output import emit_json, table
from ..progress import Progress

DESCRIPTION = ("Run GD at two precisions (double-double vs quad-double, compiled, or p vs 2p "
               "digits) and print the digits on which they agree; 'chaotic' where none do.")
#: vectors longer than this are summarised in text output (first and last entries) unless
#: --full is given; --json always prints them whole
SUMMARY_AT = 20
#: entries shown at each end of a summarised vector
SHOWN = 3


def add_arguments(p) -> None:
    add_data_args(p)
    p.add_argument("--eta", type=positive_number, required=True, help="learning rate eta > 0")
    p.add_argument("--steps", type=positive_int, required=True, help="step budget")
    p.add_argument("--precision", type=positive_int, default=None, metavar="DIGITS",
                   help="audit DIGITS against 2*DIGITS digits of --backend (default: "
                   "double-double, ~31.9 digits, against quad-double, ~63.8, both compiled)")
    p.add_argument("--backend", choices=["flint", "mpmath"], default="flint",
                   help="multiprecision backend of --precision (default flint)")
    p.add_argument("--tol", type=positive_number, help="loss tolerance for 'converged'")
    p.add_argument("--average-last", dest="average_last", type=nonnegative_int, default=0,
                   metavar="K", help="if not converged, measure on the mean of the last K "
                   "iterates")
    p.add_argument("--decay-steps", dest="decay_steps", type=nonnegative_int, default=0,
                   metavar="N", help="if not converged, run N more steps with eta decaying "
                   "geometrically to --decay-to * eta, then measure")
    p.add_argument("--decay-to", dest="decay_to", type=number, default=number("0.1"),
                   help="final fraction of eta for --decay-steps (default 0.1)")
    p.add_argument("--checkpoint", metavar="PATH",
                   help="save the exact state to PATH.<precision> every 20 s; rerunning the "
                   "same command resumes there (bit-for-bit the uninterrupted result)")
    p.add_argument("--no-certify", dest="certify", action="store_false",
                   help="skip the certified enclosures")
    p.add_argument("--full", action="store_true", help=f"print vectors longer than "
                   f"{SUMMARY_AT} in full (else their first and last entries)")
    p.add_argument("--json", action="store_true", help="print one JSON object (vectors whole)")


def run(args) -> int:
    from numerics.audited import audited_gd

    if args.precision is not None:  # checked before any run (the CLI names the option)
        from numerics.precision import precision_pair

        precision_pair(args.precision, args.backend)
    if args.average_last > args.steps:
        raise DomainError("--average-last", args.average_last,
                          f"at most --steps = {args.steps} iterates can be averaged")
    if args.decay_steps and not 0 < args.decay_to <= 1:
        raise DomainError("--decay-to", args.decay_to, "0 < --decay-to <= 1 is required")
    problem = problem_from_args(args)
    # every phase (each run's steps, loading the compiled kernels, the final sharpness at
    # large d) shows on the bar, labelled with its precision
    bar = Progress.maybe(enabled=not args.json, unit="step")
    try:
        audit = audited_gd(
            problem, args.eta, args.steps, precision=args.precision, backend=args.backend,
            tol=args.tol, average_last=args.average_last, decay_steps=args.decay_steps,
            decay_to=args.decay_to, progress=bar, record_sharpness=False,
            checkpoint=args.checkpoint)
    finally:
        if bar:
            bar.close()
    out = audit.to_json()
    if args.certify:
        out["certified"] = _certified(problem, args.eta, audit)
    if args.json:
        emit_json(out)
        return 0
    _print(problem, args, audit, out)
    return 0


def _certified(problem, eta, audit):
    """The certificate of a converged run; a failed certification leaves the audited run
    standing and says why (``{"error": ...}``)."""
    from numerics.certify import certify
    from numerics.errors import NoConvergence

    if audit.status != "converged":
        return None
    try:
        return certify(problem, eta, audit.high).to_json()
    except NoConvergence as exc:
        return {"error": str(exc)}


def _print(problem, args, audit, out):
    print(f"GD on {problem.describe()}, eta = {args.eta}")
    print(f"status: {audit.status}   steps: {out['steps']}   precisions: "
          f"{' vs '.join(out['precisions'])}")
    if audit.high.diverged_at is not None:
        print(f"diverged at step {audit.high.diverged_at}")
    for run in (audit.low, audit.high):
        if run.engine not in ("compiled", "reference"):  # left float64's exponent range
            print(f"{run.precision.label}: {run.engine} (a value left float64's exponent range;"
                  " nothing was flushed to zero)")
    rows = [["quantity", "value (agreed digits only)", "digits"]]
    for key, q in audit.quantities.items():
        if q.value is None:
            continue
        text = q.text() if args.full else _summary(q)
        rows.append([key, text, "bound" if q.kind == "bound" else str(q.digits)])
    if len(rows) > 1:
        table(rows)
    if audit.diagnosis:
        print("diagnosis: " + audit.diagnosis_text())
    cert = out.get("certified")
    if cert and "error" in cert:
        print(f"certified: none ({cert['error']})")
    elif cert:
        lo, hi = cert["sharpness"]
        print(f"certified (Arb, {cert['method']['dps']} digits): interpolator near the final "
              f"iterate exists and is unique in its box;")
        print(f"  S in {cert['sharpness_ball']}: linearly {cert['stable']} for eta "
              f"(2/eta = {cert['two_over_eta']})")
        gap = cert.get("gd_limit_gap_estimate")
        if gap is not None:
            print(f"  distance of GD's limit from it: about {gap:.1e} (estimate, not certified)")


def _summary(q) -> str:
    """``q``'s text, a vector longer than :data:`SUMMARY_AT` shortened to its first and last
    :data:`SHOWN` entries and its length (``--full`` prints it whole)."""
    text = q.text()
    if not isinstance(q.value, tuple) or len(q.value) <= SUMMARY_AT or text == "chaotic":
        return text
    entries = text.strip("()").split(", ")
    return (f"({', '.join(entries[:SHOWN])}, ..., {', '.join(entries[-SHOWN:])}) "
            f"[{len(entries)} entries; --full for all]")
