"""What the main job's evidence says: the exact-theory table and the report's readings.

``normsharp reproduce`` runs the experiments and lays out the report; the interpretation lives
here, beside the verdict rules (:mod:`proofs_check.sweep_claims`): which exact values theory
gives for the default instance (:func:`exact_rows`), and what the sweep's observed transitions
say against theory's predictions (:func:`sections`). Every sentence is computed from the
results; a section whose data is missing says so.
"""

from __future__ import annotations

from fractions import Fraction

from .sweep_reading import compare_reported, fmt, fmt_g

__all__ = ["exact_rows", "sections", "best_risk_unaudited", "edge_reading"]


def exact_rows(pred, x, y, alpha) -> list[tuple]:
    """``(claim, quantity, value)`` rows from the theory layer for the instance ``x, y,
    alpha``, whose predictions ``pred`` (:func:`proofs_check.predictions.predict`) carry a
    point prior and the uniform one. Values are exact sympy objects, tuples of them, or
    booleans; printing them is the report's job."""
    import sympy as sp

    import theory as T

    point, uniform = pred.blocks("point"), pred.blocks("uniform")
    rows = []

    def add(claim, name, value):
        rows.append((claim, name, value))

    # the exact optimum from theory (possibly irrational): never through its decimal text
    w_opt = [sp.sqrt(sp.sympify(b)) for b in point["optimal"]["beta"]]
    spec = T.hessian_spectrum(list(x), y, w_opt)
    add("R1", "Hessian eigenvalues at w = sqrt(beta_opt) on M", spec.eigenvalues)
    add("R1", "4 sum x_i^2 beta_i at beta_opt", T.zero_loss_sharpness(list(x), y,
                                                                        point["optimal"]["beta"]))
    for key, claim in (("min_norm", "R2"), ("min_sharpness", "R3")):
        for q in ("beta", "l1_norm", "sharpness"):
            add(claim, f"{key}.{q}", point[key][q])
    bounds = T.zero_loss_bounds(list(x), y)
    add("R4", "S range on M", bounds.sharpness)
    add("R4", "||beta||_1 range on M", bounds.l1_norm)
    add("R4", "||beta||_1 as a function of S on M", T.norm_sharpness_identity(list(x), y))
    th = point["thresholds"]
    add("R5", "eta above which beta^N is unstable: 1/(2 y x_max)", th["eta_min_norm_unstable"])
    add("R5", "eta above which no interpolator is stable: 1/(2 y x_min)",
        th["eta_no_stable_interpolator"])
    gf = point["gradient_flow"]
    add("R6", "gradient-flow limit beta_GF", gf["beta"])
    add("R6", "s_GF = S(beta_GF)", gf["sharpness"])
    add("R6", "eta_c = 2/s_GF", gf["eta_c"])
    add("R6", "s_GF attained at the end of the path (proved)",
        T.sharpness_along_flow(list(x), y, alpha).S_at_end)
    w = sp.symbols("w1 w2", positive=True)
    eta = sp.Symbol("eta", positive=True)
    add("R7", "one GD step w -> w (1 - 2 eta r x)", T.gd_step(list(x), y, eta, list(w)))
    for name, block in (("beta* = centroid (point)", point["optimal"]),
                        ("beta* uniform on M (expected)", uniform["optimal"])):
        add("R8", f"optimal interpolator, {name}", block["beta"])
        for q in ("risk_min_norm", "risk_min_sharpness", "risk_optimal"):
            add("R8", f"{q}, {name}", block[q])
    add("R9", "eta* = 2/S(beta_opt)", point["optimal"]["eta_star"])
    add("R9", "interpolator with S = 2/eta at eta = 3/5", T.eos_interpolator(list(x), y,
                                                                             Fraction(3, 5)))
    add("R9", "eta_c < eta* < 1/(2 y x_min)", point["_notes"]["eta_star_inside"])
    return rows



def sections(result, steps: int) -> list[tuple[str, str]]:
    """The report's readings ``(title, body)``: the flow and ``eta_c``, the U-shape, the
    stability limit, and how to read the digits; a section whose data is missing says so."""
    builders = [("Gradient flow and the critical learning rate", _flow_section),
                ("The U-shape: which learning rate generalises best", _u_section),
                ("The stability limit", _limit_section)]
    rows = []
    for title, fn in builders:
        try:
            rows.append((title, fn(result, steps)))
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
            rows.append((title, f"- not available ({type(exc).__name__}: {exc})"))
    conf = sum(1 for p in result.points if p["audited"])
    low, high = result.precisions
    rows.append(("How to read the digits", "\n".join([
        f"- {conf} of {len(result.points)} grid points were re-run at two precisions "
        f"({low} against {high}); their values carry only the digits the two runs "
        "share (`chaotic`: none). Every converged grid point is confirmed in this report.",
        "- Points that did not converge are confirmed near the stability limit only; their "
        "final states are not limits, so the table shows their status (and `chaotic` when the "
        "two precisions share fewer than 3 digits of the final state).",
        "- The refinement runs that locate eta_c and the best eta are float64; the bracket "
        "ends and the best point are confirmed at two precisions."])))
    return rows


def _flow_section(result, steps) -> str:
    pred, c = result.predicted, result.eta_c
    lines = [f"- Predicted (R6, exact): s_GF = {float(pred['s_gf']):.12g}, eta_c = 2/s_GF = "
             f"{float(pred['eta_c']):.12g}; the path's largest sharpness is attained at its "
             f"end (proved: {pred['s_gf_at_end']})."]
    if result.eta_c_observed is None:
        return "\n".join(lines + [f"- Observed: no transition ({c.get('note')})."])
    lo, hi = c["bracket"]
    source = ("agreed digits of two precisions" if c["S_ref_audited"] else
              "float64 only, unaudited rule")
    lines += [
        f"- Observed: eta_c = {result.eta_c_observed:.8g}, the first learning rate whose final "
        f"sharpness falls more than {float(c['tol']):.1%} below the plateau value S = "
        f"{c['S_ref_text']} (GD's limit at eta = {fmt_g(c['S_ref_eta'], 8)}; {source}) (a run "
        f"that does not converge in {steps} steps counts as having left it); bracket "
        f"[{float(lo):.8g}, {float(hi):.8g}] after {len(c['refine_etas'])} refinement runs; "
        f"the bracket's two ends are "
        f"{'confirmed' if c['confirmed'] else 'NOT confirmed'} at two precisions.",
        f"- Observed / predicted - 1 = {result.eta_c_observed / result.eta_c_predicted - 1:+.3%}"
        f" ({_plateau_versus_flow(c, pred, result.eta_c['observed'])})."]
    return "\n".join(lines)


def _plateau_versus_flow(c, pred, observed) -> str:
    """What the plateau sharpness and the observed eta_c say, compared with s_GF and 2/s_GF."""
    side = (observed > pred["eta_c"]) - (observed < pred["eta_c"])  # both exact
    where = {1: "after 2/s_GF", -1: "before 2/s_GF", 0: "at 2/s_GF"}[side]
    text = f"its plateau sharpness is {c['S_ref_text']}"
    versus = compare_reported(c["S_ref"], c["S_ref_digits"], pred["s_gf"])
    if versus is None:
        return f"{text}, too few agreed digits to compare with s_GF; GD leaves the plateau {where}"
    if versus == 0:
        return (f"{text}, equal to s_GF to its {c['S_ref_digits']} digits; GD leaves the "
                f"plateau {where}")
    if versus < 0 and side > 0:
        return (f"GD at finite eta lands slightly flatter than gradient flow: {text} < s_GF, "
                "so it stays stable a little past 2/s_GF")
    if versus > 0 and side < 0:
        return (f"GD at finite eta lands sharper than gradient flow: {text} > s_GF, so it "
                "leaves the plateau before 2/s_GF")
    return (f"{text} {'<' if versus < 0 else '>'} s_GF, yet GD leaves the plateau {where}: "
            "the plateau value alone does not explain where the transition lies")


def _u_section(result, steps) -> str:
    pred, b = result.predicted, result.best
    pt, uni = pred["point"], pred["uniform"]
    rn, rs, ro = (pt[k] for k in ("risk_min_norm", "risk_min_sharpness", "risk_optimal"))
    un, us, uo = (uni[k] for k in ("risk_min_norm", "risk_min_sharpness", "risk_optimal"))
    eta_b, eta_s = float(b["eta"]), float(pt["eta_star"])
    below = isinstance(b.get("risk"), float) and b["risk"] < float(min(rn, rs))
    risk = b.get("risk_text") or best_risk_unaudited(b)
    return "\n".join([
        f"- Against beta* = the centroid (a point): min-norm risk {rn} = {float(rn):g}, "
        f"min-sharpness risk {rs} = {float(rs):g}"
        + (" (equal here: both vertices are equally far from the centroid)" if rn == rs else "")
        + f", optimal interpolator {ro}.",
        f"- Expected risk, beta* uniform on the zero-loss segment: min-norm {un}, "
        f"min-sharpness {us}, optimal {uo}.",
        f"- Observed: the least risk along eta is {risk} at eta = {eta_b:.6f} "
        f"(resolution +- {float(b['resolution']):.1g}; confirmed at two precisions: "
        f"{b['confirmed']}); strictly below both biases' risks: {below}; interior minimum "
        f"(the U-shape): {b['interior']}.",
        f"- Predicted best learning rate (R8/R9): eta* = 2/S(optimum) = {pt['eta_star']} = "
        f"{eta_s:.6f}; observed {eta_b:.6f} ({eta_b / eta_s - 1:+.2%}: "
        f"{_best_versus_edge(result, b, pt)})."])


def _best_versus_edge(result, b, block) -> str:
    """Where GD's limit at the best eta sits against 2/eta, and what that says about eta*."""
    eta_b = b["eta"]
    side = (eta_b > block["eta_star"]) - (eta_b < block["eta_star"])  # both exact
    where = {1: "above eta*", -1: "below eta*", 0: "at eta*"}[side]
    row = result.confirm.get(eta_b)
    q = (row or {}).get("quantities", {}).get("S")
    if q is None or not isinstance(q.get("json"), float):
        return f"the observed best eta lies {where}; its final S is not confirmed"
    edge = compare_reported(q["json"], q["digits"], 2 / Fraction(eta_b))
    S = f"S = {q['text']}"
    if edge < 0 and side < 0:
        return (f"GD stops slightly below 2/eta ({S} < 2/eta = {float(2 / eta_b):.6g}), so it "
                f"reaches S(optimum) = {block['sharpness_optimal']} at a slightly smaller eta")
    relation = {-1: "<", 0: "=", 1: ">"}[edge]
    return (f"GD's limit there has {S} {relation} 2/eta = {float(2 / eta_b):.6g}, and the "
            f"observed best eta lies {where}")


def _limit_section(result, steps) -> str:
    s = result.stability
    stat = ", ".join(f"{n} {k}" for k, n in s.get("statuses_above_limit", {}).items() if n)
    lines = [f"- Above 1/(2 y x_min) = {s['limit']} no interpolator is stable (R5). The grid "
             f"runs above it: {stat or 'none in the sweep'}."]
    if s.get("first_failed") is not None:
        conf = []
        for pt in result.points:
            if pt["audited"] and s["last_converged"] < Fraction(pt["eta_exact"]) <= s["limit"]:
                dg = [v for v in (pt.get("digits") or {}).values() if isinstance(v, int)]
                agree = min(dg) if dg else 0
                conf.append(f"{pt['eta']:g}: {pt['status']}, the two precisions share "
                            f"{agree} digit(s) of the final state"
                            + (" (chaotic)" if agree < 3 else ""))
        grid = (f"- On the grid the last converged learning rate is "
                f"{float(s['last_converged']):g} and no grid run from "
                f"{float(s['first_failed']):g} to the limit converges within {steps} steps, "
                "although stable interpolators exist there. Confirmed at two precisions: "
                + ("; ".join(conf) or "none") + ".")
        if result.edge is None:
            lines.append(grid + " (A grid reading: near the edge whether a run converges is "
                         "chaotic in eta; `sweep --edge` measures it as a fraction per bin.)")
        else:
            above = [b for b in result.edge.bins
                     if Fraction(b["eta_lo"]) >= s["first_failed"] and b["converged"]]
            lines.append(grid + (
                " The grid hides intermittent convergence: sampled densely, "
                + ", ".join(f"{b['converged']}/{b['samples']} in [{float(Fraction(b['eta_lo'])):g}"
                            f", {float(Fraction(b['eta_hi'])):g})" for b in above)
                + " converge at both precisions (*The convergence edge*)." if above else
                " Sampled densely above it, no learning rate converged at both precisions "
                "(*The convergence edge*)."))
    return "\n".join(lines)


def edge_reading(edge) -> str:
    """What a measured convergence edge says, in one paragraph: where every sampled run
    converged, where some did (intermittent convergence), where none did, and how many runs
    ended differently at the two precisions."""
    def span(b):
        return f"[{float(Fraction(b['eta_lo'])):.6g}, {float(Fraction(b['eta_hi'])):.6g})"

    def pct(b):
        return f"{b['converged'] / b['samples']:.0%} ({b['converged']}/{b['samples']})"

    full = [b for b in edge.bins if b["converged"] == b["samples"]]
    some = [b for b in edge.bins if 0 < b["converged"] < b["samples"]]
    none = [b for b in edge.bins if b["converged"] == 0]
    dep = sum(b["precision_dependent"] for b in edge.bins)
    total = sum(b["samples"] for b in edge.bins)
    parts = [f"sampling {edge.spec.samples} learning rates per bin in "
             f"[{float(edge.eta_lo):.6g}, {float(edge.eta_hi):.6g}] and running each at "
             f"{' and '.join(edge.precisions)} for at most {edge.steps} steps,"]
    if full:
        parts.append("every run converged at both precisions in " +
                     ", ".join(span(b) for b in full) + ";")
    if some:
        parts.append("convergence is intermittent in " + ", ".join(
            f"{span(b)}: {pct(b)}" for b in some) + ";")
    if none:
        parts.append("no sampled run converged at both precisions in " +
                     ", ".join(span(b) for b in none) + ";")
    parts.append(f"{dep} of {total} runs ended differently at the two precisions "
                 "(precision-dependent: counted in neither status). Whether one learning "
                 "rate converges there is not a property GD has robustly; the fraction per "
                 "bin is.")
    return " ".join(parts)


def best_risk_unaudited(best: dict) -> str:
    """The least risk of a sweep whose best point was not confirmed: the float64 value with the
    digits the unaudited rule allows, or a statement that it is withheld."""
    value = best.get("risk_unaudited")
    if value is None:
        return "withheld (float64 only; no confirmed neighbour backs its digits)"
    return fmt(value, best.get("risk_unaudited_digits"), unaudited=True) + " (float64 only)"
