"""``normsharp flow``: gradient flow at two precisions; the limit, ``s_GF`` and ``eta_c``.

Prints only the digits on which the two precisions agree (:func:`numerics.flow.audited_flow`).
"""

from __future__ import annotations

from .._args import add_data_args, positive_int, problem_from_args
from ..output import emit_json, table

DESCRIPTION = ("Gradient flow (eta -> 0) at two precisions (p vs 2p digits; default the "
               "package's pair, 16 vs 32): its limit, the largest sharpness s_GF along the path "
               "and where it is attained, and eta_c = 2 / s_GF. Only the digits both precisions "
               "share are printed.")


def add_arguments(p) -> None:
    add_data_args(p)
    p.add_argument("--precision", type=positive_int, default=None, metavar="DIGITS",
                   help="audit DIGITS against 2*DIGITS digits (default 16 vs 32; 5 to 50000)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from numerics.audited import audited_flow

    problem = problem_from_args(args)
    audit = audited_flow(problem, precision=args.precision)
    out = audit.to_json()
    if args.json:
        emit_json(out)
        return 0
    _print(problem, audit, out)
    return 0


def _yes_no(value) -> str:
    return {True: "yes", False: "no", None: "undecided (the precisions disagree)"}[value]


def _where(q, name) -> str:
    t = q[f"{name}_t"]
    R = q[f"{name}_R"].text()
    if t.value is None:
        return f"at the end of the path (t -> infinity, R = {R})"
    return f"at t = {t.text()} (R = {R})"


def _print(problem, audit, out):
    q = audit.quantities
    print(f"gradient flow on {problem.describe()}  ({out['method']}; precisions "
          f"{' vs '.join(out['precisions'])})")
    rows = [["quantity", "value (agreed digits only)", "digits"]]
    for key in ("beta", "s_gf", "eta_c", "lambda_max_sup", "s_end", "R_inf"):
        rows.append([key, q[key].text(), str(q[key].digits)])
    table(rows)
    print(f"s_GF attained at the end: {_yes_no(audit.s_gf_at_end)}; {_where(q, 'where')}")
    print(f"sup lambda_max attained at the end: {_yes_no(audit.lambda_max_at_end)}; "
          f"{_where(q, 'lambda_max_where')}")
