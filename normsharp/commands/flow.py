"""``normsharp flow``: gradient flow at two precisions; the limit, ``eta_c = 2/S(beta_GF)``, the
path's largest sharpness with ``eta_path``, and GD's plateau ``eta_plateau``.

Prints only the digits on which the two precisions agree (:func:`numerics.flow.audited_flow`).
"""

from __future__ import annotations

from .._args import add_data_args, positive_int, problem_from_args
from ..output import SHORTENED, emit_json, table, vector_text

DESCRIPTION = ("Gradient flow (eta -> 0) at two precisions (p vs 2p digits; default 32 vs 64): "
               "its limit beta_GF, eta_c = 2 / S(beta_GF) (the linear-stability threshold of "
               "the limit, as in 'normsharp interpolators'), the largest sharpness along the "
               "path with eta_path = 2 / sup S and where it is attained, and eta_plateau = 2 / S "
               "of GD's own limit at eta_c (1 - 1/100) (one float64 run). Only the digits both "
               "precisions share are printed.")


def add_arguments(p) -> None:
    add_data_args(p)
    p.add_argument("--precision", type=positive_int, default=None, metavar="DIGITS",
                   help="audit DIGITS against 2*DIGITS digits (default 32 vs 64; 5 to 50000)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--full", action="store_true", help="print long vectors whole (default: "
                   "their first and last entries and the count)")


def run(args) -> int:
    from numerics.audited import audited_flow

    problem = problem_from_args(args)
    from numerics.plateau import PLATEAU_OFFSET, eta_plateau

    audit = audited_flow(problem, precision=args.precision)
    out = audit.to_json()
    plateau = eta_plateau(problem, audit.high.eta_c)
    out["eta_plateau"] = None if plateau is None else float(plateau)
    out["eta_plateau_rule"] = (f"2/S of GD's converged limit at eta_c (1 - {PLATEAU_OFFSET}), "
                               "one float64 run; null when it did not converge")
    if args.json:
        emit_json(out)
        return 0
    _print(problem, audit, out, args.full)
    return 0


def _yes_no(value) -> str:
    return {True: "yes", False: "no", None: "undecided (the precisions disagree)"}[value]


def _where(q, name) -> str:
    t = q[f"{name}_t"]
    R = q[f"{name}_R"].text()
    if t.value is None:
        return f"at the end of the path (t -> infinity, R = {R})"
    return f"at t = {t.text()} (R = {R})"


def _value(text: str, full: bool) -> tuple[str, bool]:
    """An agreed value's text; a vector ``(a, b, ...)`` summarised unless ``full``."""
    if not (text.startswith("(") and text.endswith(")")):
        return text, False
    return vector_text(text[1:-1].split(", "), full)


def _describe(problem, full: bool) -> tuple[str, bool]:
    """The problem in one line: long rows of data summarised unless ``full``."""
    text = problem.describe()
    if full or len(text) <= 160:
        return text, False
    from theory._display import show

    rows = [show(tuple(r)) for r in problem.X[:3]]
    more = f"; ... ({problem.n} rows)" if problem.n > 3 else ""
    y = show(problem.y[0]) if problem.n == 1 else show(tuple(problem.y))
    return f"X=[{'; '.join(rows)}{more}] y={y} alpha={problem.alpha} param={problem.param}", True


def _print(problem, audit, out, full: bool = False):
    q = audit.quantities
    head, cut = _describe(problem, full)
    print(f"gradient flow on {head}  ({out['method']}; precisions "
          f"{' vs '.join(out['precisions'])})")
    rows = [["quantity", "value (agreed digits only)", "digits"]]
    names = {"s_end": "S(beta_GF)", "s_gf": "sup_path_S"}
    for key in ("beta", "s_end", "eta_c", "s_gf", "eta_path", "lambda_max_sup", "R_inf"):
        text, short = _value(q[key].text(), full)
        cut = cut or short
        rows.append([names.get(key, key), text, str(q[key].digits)])
    plateau = out["eta_plateau"]
    rows.append(["eta_plateau", "none (GD did not converge at eta_c (1 - 1/100))"
                 if plateau is None else f"{plateau:.6g}", "landmark"])
    table(rows)
    print("eta_c = 2/S(beta_GF), the limit's linear-stability threshold; eta_path = 2/sup_path_S; "
          "eta_plateau = 2/S of GD's limit at eta_c (1 - 1/100)")
    print(f"sup S attained at the end: {_yes_no(audit.s_gf_at_end)}; {_where(q, 'where')}"
          + ("" if audit.s_gf_at_end else "; there the path is not at a stationary point, so "
             "eta_path marks no transition: eta_c is the limit's threshold"))
    print(f"sup lambda_max attained at the end: {_yes_no(audit.lambda_max_at_end)}; "
          f"{_where(q, 'lambda_max_where')}")
    if cut:
        print(f"note: {SHORTENED}.")
