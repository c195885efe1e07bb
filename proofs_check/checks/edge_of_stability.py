r"""R9: gradient descent at the edge of stability, and the U-shaped error along ``eta``.

Statement
---------
For ``d = 2`` and ``eta_c < eta < 1/(2 y x_min)`` the GD limit is close to the unique
interpolator with

.. math::

    S(\beta) = \frac{2}{\eta}

(GD stops slightly below); below ``eta_c`` it stays near ``beta^GF``; the error along ``eta`` is
U-shaped, with its best near ``eta* = 2/S(optimum)``.

Notes
-----
Qualitative: "close" is read with the bands of :mod:`proofs_check.references`
(:data:`~proofs_check.references.EOS_BAND`, :data:`~proofs_check.references.FLOW_BAND`, measured,
with their margins) up to :func:`~proofs_check.references.r9_top`. Checks: the interpolator with
``S = 2/eta`` and ``eta*`` exactly; audited GD in both regimes; the U shape on 8 rates. Sweep
verdict: :func:`sweep_verdict_R9`.

References
----------
R9, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.
"""

from __future__ import annotations

from fractions import Fraction

import theory as T

from .. import strategies as S
from ..claim import Check, declare
from ..decide import Outcome, combine, exact_equal, procedure, two_precision_at_least
from ..decide import to_fraction as _fr
from ..references import (
    EOS_BAND,
    FLOW_BAND,
    R9_STEPS,
    gf_limit_reference,
    on_M,
    r9_top,
    sharpness_on_M,
    uniform_moments,
)
from ..sweep_reading import (
    EOS_GAP_MAX,
    ETA_STAR_REL_TOL,
    MIN_POINTS,
    PLATEAU_REL_TOL,
    SweepReading,
    Verdict,
    combine_parts,
    fmt,
    fmt_g,
    point_digits,
    verdict_of,
)

F = Fraction


def check_R9_exact(inst) -> Outcome:
    """R9 (identity): for ``d = 2`` and ``1/(2 y x_max) <= eta <= 1/(2 y x_min)`` the
    interpolator ``eos_interpolator`` is on ``M`` with sharpness exactly ``2/eta``; the
    predicted best learning rate is ``2 / S(mu)`` with ``S(mu) = 4 y mean(x)`` (uniform
    prior)."""
    x, y, eta = inst.x, inst.y, inst.eta
    b = [_fr(v) for v in T.eos_interpolator(x, y, eta)]
    best = T.predicted_best_learning_rate(x, y)
    return combine([exact_equal("on M", on_M(x, y, b), True),
                    exact_equal("S = 2/eta", sharpness_on_M(x, b), 2 / eta),
                    exact_equal("eta* = 2 / (4 y mean x)", _fr(best.eta_star),
                                2 / (4 * F(y) * sum(F(v) for v in x) / len(x)))])


def check_R9_numerics(inst) -> Outcome:
    """R9 (qualitative). Decision procedure, on ``d = 2`` instances: run
    :func:`numerics.audit.audited_gd` (float64 against 32 digits, ``R9_STEPS`` steps).
    Not converged, chaotic or diverged at the two precisions: undecided (the claim speaks of
    a limit; divergence is reported by the conjecture
    ``gd-limit-reachable-up-to-stability-limit``). Converged: with ``S`` the final sharpness
    (agreed digits) and ``c = eta S / 2``:

    * ``eta_c < eta <= r9_top``: pass iff ``1 - EOS_BAND <= c <= 1`` (GD stops slightly
      below ``2/eta``; in ``d = 2`` ``S`` fixes the point of ``M``, so this is closeness to the
      interpolator with ``S = 2/eta``);
    * ``eta <= eta_c``: pass iff ``|S - s_GF| <= FLOW_BAND s_GF`` (flow-aligned);

    both with the slack of the agreed digits; a violation both precisions share fails."""
    from numerics.audited import audited_gd

    x, y, alpha, eta = inst.x, inst.y, inst.alpha, inst.eta
    ref = gf_limit_reference(x, y, alpha)
    s_gf = sharpness_on_M(x, ref)
    eta_c = 2 / s_gf
    run = audited_gd(inst.problem(), eta, R9_STEPS, record_sharpness=False)
    detail = {"eta": str(eta), "eta_c": float(eta_c), "status": run.status}
    if run.status != "converged":
        detail["reason"] = f"GD {run.status} at the two precisions: no limit to compare"
        return Outcome("undecided", None, detail)
    S_lo, S_hi = run.low.S, run.high.S
    if eta > eta_c:
        lo_m = [1 - eta * S / 2 for S in (S_lo, S_hi)]          # c <= 1
        hi_m = [eta * S / 2 - (1 - EOS_BAND) for S in (S_lo, S_hi)]  # c >= 1 - band
        detail["regime"] = "edge of stability"
        detail["eta_S_over_2"] = float(eta * S_hi / 2)
        outs = [two_precision_at_least("final S <= 2/eta", lo_m[0], lo_m[1], 1),
                two_precision_at_least("final S >= (1 - band) 2/eta", hi_m[0], hi_m[1], 1)]
    else:
        m = [FLOW_BAND * s_gf - abs(S - s_gf) for S in (S_lo, S_hi)]
        detail["regime"] = "flow-aligned"
        detail["S_over_s_GF"] = float(S_hi / s_gf)
        outs = [two_precision_at_least("|S - s_GF| <= band s_GF", m[0], m[1], s_gf)]
    out = combine(outs)
    return Outcome(out.status, out.error, {**detail, **out.detail}, out.rules)


def check_R9_u_shape(inst) -> Outcome:
    """R9 (qualitative): the error along ``eta`` is U-shaped. Decision procedure: on 8 learning
    rates evenly spaced in ``(eta_c, r9_top]`` run :func:`numerics.audit.audited_gd`; keep the
    rates where both precisions converge and the error ``||beta - mu||^2`` (``mu`` the centroid
    of ``M``, the uniform prior's mean; the prior's variance only adds a constant) has at least
    3 agreed digits; at least 4 must remain (else undecided). With the signs of the successive
    differences of the kept errors: exactly one sign change, from ``-`` to ``+`` (down, then
    up: the minimum is interior), passes; no sign change (a monotone curve: the other branch of
    the U is outside the kept range) is undecided; anything else (an increase followed by a
    decrease, or several changes) fails. The domain (``x_min / x_max <= 3/4``) puts
    ``eta* = 2/S(mu)`` inside the range."""
    from numerics.audit import agree
    from numerics.audited import audited_gd

    x, y, alpha = inst.x, inst.y, inst.alpha
    ref = gf_limit_reference(x, y, alpha, 30)
    eta_c = 2 / sharpness_on_M(x, ref)
    top = r9_top(x, y)
    mu, _ = uniform_moments(x, y)
    eta_star = 2 / sharpness_on_M(x, mu)
    kept = []
    for j in range(1, 9):
        eta = (eta_c + F(j, 8) * (top - eta_c)).limit_denominator(10**6)
        run = audited_gd(inst.problem(), eta, R9_STEPS, record_sharpness=False)
        if run.status != "converged":
            continue
        errs = [sum((a - m) ** 2 for a, m in zip(r.beta, mu, strict=True))
                for r in (run.low, run.high)]
        q = agree("error", errs[0], errs[1], 15)
        if q.digits >= 3:
            kept.append((eta, errs[1]))
    detail = {"eta_star": float(eta_star), "etas": [float(e) for e, _ in kept],
              "errors": [float(v) for _, v in kept]}
    if len(kept) < 4:
        detail["reason"] = f"only {len(kept)} of 8 learning rates converged with agreed digits"
        return Outcome("undecided", None, detail)
    errors = [v for _, v in kept]
    i_min = errors.index(min(errors))
    shape, changes = u_shape(errors)
    detail.update(shape=shape, sign_changes=changes, argmin_eta=float(kept[i_min][0]))
    if shape == "monotone":
        detail["reason"] = ("the error is monotone on the kept rates: no U to see (its other "
                            "branch is outside the range)")
        return Outcome("undecided", None, detail)
    return procedure("error ||beta_GD - mu||^2 along eta", shape == "U", 0.0, detail)


def u_shape(values) -> tuple[str, int]:
    """``("U" | "monotone" | "other", sign changes)`` of a sequence: ``"U"`` is exactly one
    change of the signs of the successive differences, from ``-`` to ``+`` (down, then up);
    ``"monotone"`` no change (equal neighbours count as ``-``)."""
    signs = [1 if b > a else -1 for a, b in zip(values, values[1:], strict=False)]
    changes = sum(1 for a, b in zip(signs, signs[1:], strict=False) if a != b)
    if changes == 0:
        return "monotone", 0
    return ("U" if changes == 1 and signs[0] == -1 else "other"), changes


def sweep_verdict_R9(reading: SweepReading) -> Verdict:
    """R9 on a sweep, in three parts that each need their own evidence (a missing part
    abstains): ``0 <= 1 - S eta/2 <= EOS_GAP_MAX`` at the edge (``eta_c <= eta <= r9_top``);
    ``|S/s_GF - 1| <= PLATEAU_REL_TOL`` below ``eta_c``; an interior risk minimum within
    ``ETA_STAR_REL_TOL`` of ``eta*``."""
    result, conf, pred = reading.result, reading.confirmed, reading.predicted
    obs_c, limit, blk = reading.eta_c_observed, reading.stability_limit, reading.best_block
    b = result.best
    parts, oks = [], []
    if obs_c is None or limit is None or len(conf) < MIN_POINTS:
        oks.append(None)
    else:
        top = float(r9_top(result.problem.X[0], result.problem.y[0]))
        edge = [(e, pt) for e, pt in conf if obs_c <= float(e) <= top]
        beyond = [(e, 1 - pt["S"] * float(e) / 2) for e, pt in conf
                  if top < float(e) < float(limit)]
        flow = [(e, pt) for e, pt in conf if float(e) < obs_c]
        gaps = [(e, 1 - pt["S"] * float(e) / 2) for e, pt in edge]
        # each of the claim's three parts needs its own evidence; a missing part abstains
        if gaps:
            worst = max(gaps, key=lambda t: t[1])
            least = min(gaps, key=lambda t: t[1])
            oks.append(least[1] >= -1e-12 and worst[1] <= float(EOS_GAP_MAX))
            parts.append(f"edge of stability: at {len(gaps)} confirmed limits with eta_c <= "
                         f"eta <= r9_top = {top:.4g}, 1 - S eta/2 lies in [{least[1]:.2e}, "
                         f"{worst[1]:.3f}] (largest at eta {fmt_g(worst[0], 4)})")
        else:
            oks.append(None)
            parts.append(f"edge of stability: no confirmed limit with eta_c <= eta <= "
                         f"r9_top = {top:.4g}")
        if beyond:
            far = max(beyond, key=lambda t: t[1])
            parts.append(f"beyond r9_top (GD overshoots first; outside the claim's domain, "
                         f"reported, not judged): 1 - S eta/2 up to {far[1]:.3f} at eta "
                         f"{fmt_g(far[0], 4)} over {len(beyond)} confirmed limits")
        if flow and pred.get("s_gf") is not None:
            s_gf = float(pred["s_gf"])
            dev = max(abs(pt["S"] / s_gf - 1) for _, pt in flow)
            oks.append(dev <= float(PLATEAU_REL_TOL))
            parts.append(f"flow-aligned: below eta_c the final S stays within {dev:.3%} of "
                         f"s_GF at {len(flow)} confirmed limits")
        else:
            oks.append(None)
            parts.append("flow-aligned: no confirmed limit below eta_c")
        converged = [pt for pt in result.points if pt["status"] == "converged"]
        if b.get("eta") is None or blk is None or not converged:
            oks.append(None)
            parts.append("U-shape: no least-risk point")
        elif not all(isinstance(v, float) for v in (b.get("risk"), converged[0].get("risk"),
                                                     converged[-1].get("risk"))):
            # an unconfirmed least risk, or ends without reported digits: no comparison
            oks.append(None)
            parts.append(f"U-shape: the least risk ({b.get('risk_text') or 'unconfirmed'}) "
                         "or the risks at the ends of the sweep have no reported digits")
        else:
            eta_star = float(blk["eta_star"])
            eb = float(b["eta"])
            first, last_conv = converged[0], converged[-1]
            rb = b["risk"]
            u = bool(b["interior"]) and first["risk"] > rb and last_conv["risk"] > rb
            rel = abs(eb / eta_star - 1)
            oks.append(u and obs_c < eb < float(limit) and rel <= float(ETA_STAR_REL_TOL))
            parts.append(f"U-shape: risk {fmt(first.get('risk'), point_digits(first, 'risk'))} at "
                         f"eta {fmt_g(first['eta'], 4)}, minimum {b.get('risk_text')} at eta "
                         f"{eb:.6f} (interior: {bool(b['interior'])}), "
                         f"{fmt(last_conv.get('risk'), point_digits(last_conv, 'risk'))} at eta "
                         f"{fmt_g(last_conv['eta'], 4)}; best eta observed {eb:.6f} vs predicted "
                         f"eta* = 2/S(optimum) = {eta_star:.6f} ({eb / eta_star - 1:+.2%})")
    return Verdict("R9", "Above eta_c GD lands just below S = 2/eta (d = 2: near the "
                   "interpolator with S = 2/eta); the risk is U-shaped in eta with its best "
                   "near eta* = 2/S(optimum)", verdict_of(combine_parts(oks)), "; ".join(parts),
                   f"0 <= 1 - S eta/2 <= {float(EOS_GAP_MAX):g} at the edge (eta_c <= eta "
                   f"<= r9_top = min(0.9/(2 y x_min), 1.5/(2 y x_max))); |S/s_GF - 1| "
                   f"<= {float(PLATEAU_REL_TOL):.1%} below eta_c; interior risk minimum "
                   f"within {float(ETA_STAR_REL_TOL):.0%} of eta*")


def _two_d_eta():
    """d = 2, distinct x, eta in the stable range (R9 exact)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x = draw(S.features(d_min=2, d_max=2, distinct=True))
        y = draw(S.labels())
        lo, hi = Fraction(1) / (2 * y * max(x)), Fraction(1) / (2 * y * min(x))
        t = draw(S.rationals(0, 1, max_denominator=20))
        return S.Instance((x,), y, Fraction(1, 100), lo + t * (hi - lo), edge=(
            "threshold" if t in (0, 1) else ""))

    return draw()


def _r9_domain():
    """d = 2 with ``x_min / x_max`` in ``[1/2, 9/10]``, ``alpha`` in ``{1/1000 .. 1/20}``;
    ``eta`` either ``t eta_c`` (below ``eta_c``) or ``eta_c + t (top - eta_c)`` with ``top`` =
    :func:`proofs_check.references.r9_top` (above ``eta_c``; when ``eta_c`` is not below
    ``top`` there is no such rate, and the draw is below ``eta_c``)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x, y, a = _draw_pair(draw, Fraction(9, 10), 10)
        ref = gf_limit_reference(x, y, a, 20)
        eta_c = 2 / sharpness_on_M(x, ref)
        top = r9_top(x, y)
        t = draw(S.rationals(Fraction(1, 10), Fraction(9, 10), max_denominator=10))
        above = draw(st.booleans())
        eta = (eta_c + t * (top - eta_c)).limit_denominator(10**6) if above else None
        if eta is None or not eta_c < eta <= top:
            return S.Instance((x,), y, a, (eta_c * t).limit_denominator(10**6),
                              edge="below eta_c")
        return S.Instance((x,), y, a, eta, edge="above eta_c")

    return draw()


def u_shape_instances():
    """The domain of the U-shape checks (R8 and R9's numerics): d = 2 with ``x_min / x_max``
    in ``[1/2, 3/4]`` (so that ``eta* = 2/S(mu)`` lies inside ``(eta_c, r9_top]``), ``alpha``
    in ``{1/1000, 1/100, 1/20}``; no learning rate (the checks choose theirs)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x, y, a = _draw_pair(draw, Fraction(3, 4), 8)
        return S.Instance((x,), y, a)

    return draw()


def _draw_pair(draw, ratio_max: Fraction, max_denominator: int) -> tuple:
    """Inside a composite strategy: ``(x, y, alpha)`` with ``x = (x1, x1 r)``, ``x1`` in
    ``[1, 4]``, ``r`` in ``[1/2, ratio_max]``, ``y`` in ``[1/2, 2]``, ``alpha`` in
    ``{1/100, 1/20, 1/1000}``."""
    from hypothesis import strategies as st

    x1 = draw(S.rationals(1, 4, max_denominator=2))
    ratio = draw(S.rationals(Fraction(1, 2), ratio_max, max_denominator=max_denominator))
    y = draw(S.labels(Fraction(1, 2), 2, max_denominator=2))
    a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 20), Fraction(1, 1000)]))
    return (x1, x1 * ratio), y, a


CLAIMS = [
    declare("R9", "For d = 2 and eta_c < eta < 1/(2 y x_min) the GD limit is close to the "
            "unique interpolator with S = 2/eta (GD stops slightly below); below eta_c it "
            "stays near beta^GF; the error along eta is U-shaped.",
            "qualitative", ("numerics.audit.audited_gd",),
            "d = 2, x_min/x_max in [1/2, 9/10], alpha in {1/1000, 1/100, 1/20}, eta in "
            "(0, 0.9/(2 y x_min))", [
                Check("exact", check_R9_exact, _two_d_eta, "exact", 0.5, kind="identity"),
                Check("numerics", check_R9_numerics, _r9_domain, "numerics", 0.3, 3),
                Check("u_shape", check_R9_u_shape, u_shape_instances, "numerics", 0.1, 2),
            ], notes="Quantitative reading of 'close': eta S_final / 2 in [0.95, 1] above "
            "eta_c, |S - s_GF| <= 0.025 s_GF below (bands from measurements, see "
            "proofs_check.references.EOS_BAND). Runs that diverge or do not converge are undecided "
            "(see conjecture gd-limit-reachable-up-to-stability-limit). The domain stops at "
            "r9_top = min(0.9/(2 y x_min), 1.5/(2 y x_max)) and x_min/x_max >= 1/2: closer to "
            "1/(2 y x_min) GD is chaotic; and once 2 eta y x_max exceeds about 1.6 GD from "
            "alpha 1 overshoots and, for some rates, converges (both precisions agreeing) to "
            "an interpolator far flatter than 2/eta, eta S/2 down to 0.83 (x_min/x_max near "
            "1/2; e.g. x = (4, 2), y = 1/2, alpha = 1/20, eta = 0.4309: 0.888). There 'GD stops "
            "slightly below 2/eta' does not hold; the domain excludes it, and "
            "tests/proofs_check/test_registry.py keeps that counterexample."),
]
