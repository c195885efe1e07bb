"""``normsharp adversary``: build an input a finite-precision classifier gets wrong."""

from __future__ import annotations

from .._args import number
from ..output import emit_json
from ._computability import allow_negative_values

#: library argument -> option
ARGUMENTS = {"t": "--threshold", "digits": "--classifier", "refinements": "--classifier"}

DESCRIPTION = ("The boundary adversary of [BFFK25]: run a classifier of x against --threshold "
               "on a name of the threshold (rational approximations q_n, |x - q_n| <= 2^-n), "
               "then build a valid name of x' = t -+ 2^-N (N the largest precision it read) on "
               "the other side, on which it gives the same, now wrong, answer. With --detector, "
               "attack the classifier's high-precision failure detector instead. Exit 0 when the "
               "adversary wins (or the classifier honestly exits), 1 if it loses.")


def add_arguments(p) -> None:
    allow_negative_values(p)
    p.add_argument("--threshold", type=number, required=True, metavar="T",
                   help="the threshold t, exact (e.g. 1/3)")
    p.add_argument("--classifier", default="float64", metavar="SPEC",
                   help="float64 (default), mpmath:DIGITS, interval:K (K refinements) or "
                   "exit:B (the exit-flag classifier at budget B)")
    p.add_argument("--detector", action="store_true",
                   help="attack the classifier's failure detector (it re-reads the input 64 "
                   "bits more precisely and flags disagreements)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _offset_text(point, t) -> str:
    d = point - t
    k = (1 / abs(d)).numerator.bit_length() - 1
    return f"t {'+' if d > 0 else '-'} 2^-{k}"


def run(args) -> int:
    from numerics.classifiers import classifier_from_spec, failure_detector
    from theory.names import adversary, defeat_failure_detector

    t = args.threshold
    clf = classifier_from_spec(args.classifier, t)
    if args.detector:
        res = defeat_failure_detector(clf, failure_detector(clf, t), t)
        adv = res.adversary
        won = res.detector_wrong
        obj = {"classifier": args.classifier, "threshold": str(t), "attacked": "detector",
               "won": won, "precision": adv.precision,
               "point": None if res.point is None else str(res.point),
               "classifier_answer": res.classifier_answer,
               "classifier_wrong": res.classifier_wrong, "detector_flag": res.detector_flag,
               "detector_wrong": res.detector_wrong,
               "failure": (None if not won else "missed failure" if res.classifier_wrong
                           else "false alarm")}
    else:
        adv = adversary(clf, t)
        won = adv.won
        obj = {"classifier": args.classifier, "threshold": str(t), "attacked": "classifier",
               "won": won, "answer_at_threshold": adv.answer_at_threshold,
               "precision": adv.precision,
               "point": None if adv.point is None else str(adv.point),
               "answer": adv.answer, "reason": adv.reason}
    honest_exit = adv.point is None
    code = 0 if won or honest_exit else 1
    if args.json:
        obj["exit_code"] = code
        emit_json(obj)
        return code
    print(f"adversary: classifier {args.classifier} against t = {t}")
    print(f"  on the constant name of t it read precisions up to N = {adv.precision} and "
          f"answered {adv.answer_at_threshold!r}")
    if honest_exit:
        print("  it claims no class at t (EXIT): an honest classifier cannot be made wrong; "
              "it pays by exiting near t")
        return code
    print(f"  x' = {_offset_text(adv.point, adv.threshold)}; its name equals t up to precision "
          f"{adv.precision} and x' after")
    if args.detector:
        kind = obj["failure"] or "none"
        print(f"  the classifier answers {res.classifier_answer!r} there "
              f"({'wrong' if res.classifier_wrong else 'right'}); the detector "
              f"{'fires' if res.detector_flag else 'stays silent'}: "
              f"{'wrong (' + kind + ')' if won else 'right'}")
    else:
        truth = "above" if adv.point > adv.threshold else "below"
        print(f"  the classifier answers {adv.answer!r} there, but x' is {truth} t: "
              + ("misclassified" if won else f"not misclassified ({adv.reason})"))
    return code
