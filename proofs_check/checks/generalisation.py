r"""R8: generalisation of the interpolators: neither implicit bias is best.

Statement
---------
With ``beta*`` random on ``M`` with mean ``mu`` (``Sigma = I``) the expected error of an
interpolator is

.. math::

    \mathbb{E} \|\beta - \beta^*\|^2 = \|\beta - \mu\|^2 + \operatorname{tr}
    \operatorname{Cov}(\beta^*),

minimised over ``M`` at ``mu``; unless ``mu = beta^N`` (resp. ``beta^S``) both biases are
strictly worse, the best interpolator lying strictly between. Uniform prior:
``mu_i = y/(d x_i)``.

Checks: the uniform prior's moments and the expected risk (vertex route, and ``sympy.integrate``
for ``d = 2``), exactly; the optimal interpolator's KKT conditions against every vertex (exact,
one-sided); gradient descent beating both biases (two precisions, one-sided). Sweep verdict:
:func:`sweep_verdict_R8`.

References
----------
[MFCKM26] Appendix E, R8 (arXiv 2505.21423, as reconstructed in the specification).
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

import theory as T

from .. import strategies as S
from ..claim import Check, declare
from ..decide import Outcome, combine, exact_at_least, exact_equal, two_precision_at_least
from ..decide import to_fraction as _fr
from ..experiments import rational as _Q
from ..references import (
    R9_STEPS,
    gf_limit_reference,
    on_M,
    r9_top,
    sharpness_on_M,
    uniform_moments,
    vertices,
)
from ..sweep_reading import SweepReading, Verdict, fmt, fmt_g, slack, verdict_of
from .edge_of_stability import u_shape_instances

F = Fraction


def check_R8_exact(inst) -> Outcome:
    """R8 (identity): the uniform prior's moments (vertex route; for ``d = 2`` also
    ``sympy.integrate`` on the segment) and the expected risk
    ``E||beta - beta*||^2 = sum_ij E[l_i l_j] (beta - v_i).(beta - v_j)``,
    ``E[l_i l_j] = (1 + delta_ij) / (d (d + 1))`` (Dirichlet(1) weights), exactly."""
    x, y, b = inst.x, inst.y, inst.beta_star
    d = len(x)
    prior = T.uniform_prior(x, y)
    mu, cov = uniform_moments(x, y)
    outs = [exact_equal("mean", tuple(_fr(v) for v in prior.mean), mu),
            exact_equal("covariance", [[_fr(prior.cov[i, j]) for j in range(d)]
                                       for i in range(d)], cov)]
    if d == 2:
        t = sp.Symbol("t")
        v1, v2 = vertices(x, y)
        path = [t * _Q(a) + (1 - t) * _Q(c) for a, c in zip(v1, v2, strict=True)]
        m_int = [sp.integrate(p, (t, 0, 1)) for p in path]
        c_int = [[sp.integrate(p * q, (t, 0, 1)) - mi * mj for q, mj in zip(path, m_int,
                                                                             strict=True)]
                 for p, mi in zip(path, m_int, strict=True)]
        outs.append(exact_equal("mean (integral)", tuple(_fr(v) for v in m_int), mu))
        outs.append(exact_equal("covariance (integral)", [[_fr(v) for v in row]
                                                          for row in c_int], cov))
    verts = vertices(x, y)
    for name, beta in (("random point", b), ("beta^N", T.min_norm_interpolator(x, y).beta)):
        beta = [_fr(v) for v in beta]
        ref = sum((F(1 + (i == j), d * (d + 1)))
                  * sum((beta[k] - verts[i][k]) * (beta[k] - verts[j][k]) for k in range(d))
                  for i in range(d) for j in range(d))
        outs.append(exact_equal(f"expected risk at {name}", _fr(T.expected_risk(beta, prior)),
                                ref))
    return combine(outs)


def check_R8_optimality(inst) -> Outcome:
    """R8 (lower): ``optimal_interpolator`` for a point prior at ``mu`` (on or off ``M``) and a
    diagonal ``Sigma``: on ``M`` and first-order optimal against every vertex of ``M``
    (``grad f . (v_j - beta) >= 0``, exact; ``f`` convex, so globally optimal). With the
    uniform prior and distinct ``x``: both implicit biases are strictly worse, with gaps
    ``||beta^N - mu||^2`` and ``||beta^S - mu||^2``, and the optimum lies strictly between."""
    x, y, mu = inst.x, inst.y, inst.beta_star
    d = len(x)
    sig = [F(1 + (i % 3), 1 + (i % 2)) for i in range(d)]
    Sigma = [[sig[i] if i == j else F(0) for j in range(d)] for i in range(d)]
    opt = [_fr(v) for v in T.optimal_interpolator(x, y, T.point_prior(mu), Sigma)]
    grad = [2 * sig[i] * (opt[i] - F(mu[i])) for i in range(d)]
    outs = [exact_equal("optimum on M", on_M(x, y, opt), True)]
    for j, v in enumerate(vertices(x, y)):
        outs.append(exact_at_least(f"KKT against vertex {j}",
                                   sum(g * (a - o) for g, a, o in zip(grad, v, opt,
                                                                        strict=True)), 0))
    if len(set(x)) == d:
        gaps = T.bias_gaps(x, y)
        m, _ = uniform_moments(x, y)
        bn = [_fr(v) for v in T.min_norm_interpolator(x, y).beta]
        bs = [_fr(v) for v in T.min_sharpness_interpolator(x, y).beta]
        outs += [
            exact_equal("gap of beta^N", _fr(gaps.gap_min_norm),
                        sum((a - c) ** 2 for a, c in zip(bn, m, strict=True))),
            exact_equal("gap of beta^S", _fr(gaps.gap_min_sharpness),
                        sum((a - c) ** 2 for a, c in zip(bs, m, strict=True))),
            exact_equal("neither bias optimal", gaps.neither_optimal, True),
            exact_equal("optimum strictly between", gaps.strictly_between, True),
        ]
    return combine(outs)


def check_R8_numerics(inst) -> Outcome:
    """R8 (lower): neither bias generalises best, seen on gradient descent. For ``d = 2`` with
    distinct ``x`` and ``beta*`` uniform on ``M`` (mean ``mu`` the centroid, ``Sigma = I``), the
    expected error of an interpolator is ``||beta - mu||^2 + tr Cov``: GD's limit at the
    predicted best rate ``eta* = 2/S(mu)`` (and at the middle of ``(eta_c, top)``,
    :func:`r9_top`), audited at two precisions (float64 and 32 digits,
    :func:`numerics.audit.audited_gd`, the engine's own population risk ``||beta - mu||^2``),
    must be strictly better than both biases: the margin
    ``min(gap(beta^N), gap(beta^S)) - ||beta_GD - mu||^2`` (gaps from ``theory.bias_gaps``)
    is ``>= 0`` with certified slack, for the best converged run. No run converged at both
    precisions: undecided."""
    from numerics.audited import audited_gd

    x, y, alpha = inst.x, inst.y, inst.alpha
    mu, _ = uniform_moments(x, y)
    gaps = T.bias_gaps(x, y)
    best_bias = min(_fr(gaps.gap_min_norm), _fr(gaps.gap_min_sharpness))
    eta_c = 2 / sharpness_on_M(x, gf_limit_reference(x, y, alpha, 30))
    top = r9_top(x, y)
    eta_star = 2 / sharpness_on_M(x, mu)
    etas = [e.limit_denominator(10**6) for e in (eta_star, (eta_c + top) / 2)
            if eta_c < e < top]
    problem = inst.problem(beta_star=mu)
    best = None
    for eta in etas:
        run = audited_gd(problem, eta, R9_STEPS, record_sharpness=False)
        if run.status != "converged":
            continue
        risks = (run.low.risk, run.high.risk)
        if best is None or risks[1] < best[1][1]:
            best = (eta, risks)
    detail = {"etas": [str(e) for e in etas], "gap_min_norm": float(gaps.gap_min_norm),
              "gap_min_sharpness": float(gaps.gap_min_sharpness)}
    if best is None:
        return Outcome("undecided", None, {**detail, "reason": (
            "no GD run converged at both precisions" if etas else
            "no learning rate between eta_c and r9_top")})
    eta, (r_lo, r_hi) = best
    out = two_precision_at_least("min(gap(beta^N), gap(beta^S)) - ||beta_GD - mu||^2",
                                 best_bias - r_lo, best_bias - r_hi, best_bias)
    return Outcome(out.status, out.error, {**detail, "eta": str(eta),
                                           "error_GD": float(r_hi), **out.detail}, out.rules)


def sweep_verdict_R8(reading: SweepReading) -> Verdict:
    """R8 on a sweep: the confirmed least risk along ``eta`` is strictly below both biases'
    exact risks, at a limit whose norm and sharpness lie strictly between theirs; no confirmed
    least-risk point (risk, norm and sharpness agreed): undecided."""
    result, pred, blk = reading.result, reading.predicted, reading.best_block
    n_l1, n_S, s_l1, s_S = reading.extremes
    b = result.best
    row = result.confirm.get(b.get("eta")) if b.get("eta") is not None else None
    q = row["quantities"] if row else {}
    l1b = q.get("l1_norm", {}).get("json")
    Sb = q.get("S", {}).get("json")
    if blk is None or not all(isinstance(v, float) for v in (b.get("risk"), l1b, Sb)):
        # no least risk, or one whose risk, norm or sharpness two precisions do not agree on
        ok, ev = None, "no confirmed least-risk point"
    else:
        rn, rs, ro = (float(blk[k]) for k in ("risk_min_norm", "risk_min_sharpness",
                                                 "risk_optimal"))
        rb = b["risk"]
        inside = n_l1 < l1b < s_l1 and s_S < Sb < n_S
        ok = rb + slack(rb, b.get("risk_digits")) < min(rn, rs) \
            and bool(blk["neither_optimal"]) and inside
        uni = pred.get("uniform")
        ev = (f"beta* = {blk['prior']} at {fmt([float(v) for v in blk['optimal']])}: exact "
              f"risks min-norm {rn:g}, min-sharpness {rs:g}, optimal {ro:g}"
              + (f" (uniform prior: {float(uni['risk_min_norm']):.6g}, "
                 f"{float(uni['risk_min_sharpness']):.6g}, {float(uni['risk_optimal']):.6g})"
                 if uni and blk is not uni else "")
              + f"; GD at eta = {fmt_g(b['eta'], 6)} reaches risk {b.get('risk_text')} "
              f"< {min(rn, rs):g}, with ||beta||_1 = {fmt(l1b, 7)} in ({n_l1:g}, {s_l1:g}) and "
              f"S = {fmt(Sb, 7)} in ({s_S:g}, {n_S:g})")
    return Verdict("R8", "Neither implicit bias generalises best: the best interpolator "
                   "lies strictly between them", verdict_of(ok), ev,
                   "the confirmed least risk along eta is strictly below both biases' "
                   "risks, at a limit whose norm and sharpness lie strictly between theirs")


def _off_M(inst):
    """Replace the ground truth by a point off M (scaled, shifted) half the time."""
    from hypothesis import strategies as st

    return st.sampled_from([0, 1, 2]).map(lambda k: inst if k == 0 else inst.replace(
        beta_star=tuple(v * (1 + Fraction(k, 3)) + Fraction(k - 1, 4)
                        for v in inst.beta_star)))


CLAIMS = [
    declare("R8", "With beta* random on M with mean mu (Sigma = I) the expected error of an "
            "interpolator is ||beta - mu||^2 + tr Cov(beta*), minimised over M at mu; unless "
            "mu = beta^N (resp. beta^S) both biases are strictly worse, the best interpolator "
            "lying strictly between; uniform prior: mu_i = y/(d x_i).", "identity",
            ("numerics.gd (population risk)",),
            "x > 0 (d = 2..6, ties), y > 0, ground truth on M or off it, diagonal Sigma", [
                Check("exact", check_R8_exact, lambda: S.problems(d_max=6, with_beta_star=True),
                      "exact", 0.5),
                Check("optimality", check_R8_optimality, lambda: S.problems(
                    d_max=5, with_beta_star=True).flatmap(_off_M), "exact", 0.5, kind="lower"),
                Check("numerics", check_R8_numerics, u_shape_instances, "numerics", 0.1,
                      kind="lower"),
            ], notes="The specification's 'unless mu is a vertex' is 'unless mu = beta^N "
            "(resp. beta^S)' for d >= 3 (theory.bias_gaps)."),
]
