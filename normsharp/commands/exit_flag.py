"""``normsharp exit-flag``: classify x against t from one approximation, or exit honestly."""

from __future__ import annotations

from fractions import Fraction

from .._args import nonnegative_int, number
from ..output import emit_json
from ._computability import allow_negative_values, real_input

#: library argument -> option
ARGUMENTS = {"t": "--threshold", "name": "--x"}

DESCRIPTION = ("The budgeted classifier with an exit flag ([BFFK25]): read x to precision "
               "2^-B and answer 'above' or 'below' t only when that approximation proves it, "
               "else EXIT. Never wrong when it answers; exits only within 2 * 2^-B of t.")


def add_arguments(p) -> None:
    allow_negative_values(p)
    p.add_argument("--threshold", type=number, required=True, metavar="T",
                   help="the threshold t, exact (e.g. 1/3)")
    p.add_argument("--budget", type=nonnegative_int, required=True, metavar="B",
                   help="precision read: the approximation is within 2^-B of x")
    p.add_argument("--x", type=real_input, required=True, metavar="VALUE",
                   help="the input: a rational (0.5, 1/3) or sqrt(r)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from theory.exit_flag import classify_with_exit

    text, name = args.x
    answer = classify_with_exit(name, args.threshold, args.budget)
    q = name(args.budget)
    radius = Fraction(2, 2 ** args.budget)
    if args.json:
        emit_json({"x": text, "threshold": str(args.threshold), "budget": args.budget,
                   "answer": answer, "approximation": str(q),
                   "exit_radius": str(radius), "exit_radius_float": float(radius)})
        return 0
    print(f"exit-flag: x = {text} against t = {args.threshold}, budget B = {args.budget}")
    print(f"  approximation q = {q} (|x - q| <= 2^-{args.budget})")
    if answer == "EXIT":
        print(f"  EXIT: q does not prove a side; then |x - t| <= 2 * 2^-{args.budget} = "
              f"{float(radius):.3g} (raise --budget to decide a point off t)")
    else:
        print(f"  {answer}: proved (q {'-' if answer == 'above' else '+'} 2^-{args.budget} is "
              f"{'above' if answer == 'above' else 'below'} t), never wrong")
    return 0
