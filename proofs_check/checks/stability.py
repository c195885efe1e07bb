r"""R5: linear stability of an interpolator under gradient descent.

Statement
---------
At an interpolator the GD map has Jacobian ``I - eta Hess L``, whose non-trivial eigenvalue is
``1 - eta S``: the interpolator is linearly stable iff ``S <= 2/eta``. Hence

.. math::

    \beta^N \text{ is unstable for } \eta > \frac{1}{2 y x_{max}}, \qquad
    \text{no interpolator is stable for } \eta > \frac{1}{2 y x_{min}}.

Checks: the thresholds, the eigenvalue ``-1`` there and the stability test, exactly (and the
``DomainError`` above the last threshold); the least-norm stable interpolator against random
stable points (exact, one-sided); the spectrum of the Jacobian of the actual GD map (central
differences of :meth:`Parametrisation.step` at 30 and 60 digits); the thresholds' scaling and
GD's invariance under ``eta -> eta / c^2`` (metamorphic). Sweep verdict:
:func:`sweep_verdict_R5`.

References
----------
R5, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.
"""

from __future__ import annotations

from contextlib import closing
from fractions import Fraction
from itertools import islice

import theory as T
from theory.errors import DomainError

from .. import strategies as S
from ..claim import Check, declare
from ..decide import (
    Outcome,
    combine,
    exact_at_least,
    exact_equal,
    to_fraction,
    two_precision_equal,
)
from ..decide import to_fraction as _fr
from ..experiments import PRECISIONS, flint, state
from ..experiments import rational as _Q
from ..references import on_M, sharpness_on_M, vertices
from ..sweep_reading import (
    MIN_POINTS,
    SweepReading,
    Verdict,
    fmt_g,
    point_digits,
    slack,
    verdict_of,
)

F = Fraction


def check_R5_exact(inst) -> Outcome:
    """R5 (identity): thresholds ``2 / S`` at the extreme vertices; the Jacobian eigenvalue is
    exactly ``-1`` there; ``is_linearly_stable`` agrees with ``|1 - eta S| <= 1`` at a random
    point of ``M``; above ``1/(2 y x_min)`` no interpolator is stable
    (``least_norm_stable_interpolator`` raises ``DomainError``)."""
    x, y, eta, b = inst.x, inst.y, inst.eta, inst.beta_star
    S_v = [sharpness_on_M(x, v) for v in vertices(x, y)]
    t = T.stability_thresholds(x, y)
    lo, hi = 2 / max(S_v), 2 / min(S_v)
    S_b = sharpness_on_M(x, b)
    outs = [
        exact_equal("thresholds", (_fr(t.eta_min_norm_unstable),
                                   _fr(t.eta_no_stable_interpolator)), (lo, hi)),
        exact_equal("1 - eta S at the min-norm threshold", T.jacobian_eigenvalue(
            _Q(max(S_v)), _Q(lo)), -1),
        exact_equal("1 - eta S at the last threshold", T.jacobian_eigenvalue(
            _Q(min(S_v)), _Q(hi)), -1),
        exact_equal("is_linearly_stable", T.is_linearly_stable(_Q(S_b), _Q(eta)),
                    abs(1 - eta * S_b) <= 1),
    ]
    if eta > hi:
        try:
            T.least_norm_stable_interpolator(x, y, eta)
            raised = False
        except DomainError:
            raised = True
        outs.append(exact_equal("DomainError above 1/(2 y x_min)", raised, True))
    return combine(outs)


def check_R5_least_norm_stable(inst) -> Outcome:
    """R5 (lower): for ``eta <= 1/(2 y x_min)`` the least-norm stable interpolator is on ``M``
    and stable (``2/eta >= S``), and a random stable point of ``M`` has at least its norm,
    exactly."""
    x, y, eta, b = inst.x, inst.y, inst.eta, inst.beta_star
    s = [_fr(v) for v in T.least_norm_stable_interpolator(x, y, eta)]
    outs = [exact_equal("least-norm stable point on M", on_M(x, y, s), True),
            exact_at_least("it is stable: 2/eta >= S", 2 / eta, sharpness_on_M(x, s))]
    if sharpness_on_M(x, b) <= 2 / eta:
        outs.append(exact_at_least("no stable point has less norm", sum(b), sum(s)))
    return combine(outs)


def _gd_map(problem, be, w, eta):
    """One step of the numerics engine's GD map at ``w`` (shared model)."""
    theta = (w,)
    _, _, g = state(problem, be, theta)
    return problem.parametrisation.step(theta, g, be.scalar(eta))[0]


def check_R5_numerics(inst) -> Outcome:
    """R5 (equality): the spectrum of the Jacobian of the actual GD map
    ``w -> w - eta grad L(w)`` (central finite differences of the parametrisation's ``step``
    at 30 and 60 digits, steps ``1e-12`` and ``1e-27``) at ``w = sqrt(beta)``, ``beta`` a
    random point of ``M``, against ``{1 - eta S, 1, ..., 1}``."""
    import numpy as np

    x, eta, b = inst.x, inst.eta, inst.beta_star
    problem = inst.problem()
    S_b = sharpness_on_M(x, b)
    expected = sorted([1 - eta * S_b] + [F(1)] * (len(x) - 1))
    results = []
    for dps, h in ((PRECISIONS[0], F(1, 10**12)), (PRECISIONS[1], F(1, 10**27))):
        be = flint(dps)
        with be.scope():
            w = np.array([be.sqrt(be.scalar(v)) for v in b], dtype=object)
            hb = be.scalar(h)
            d = len(x)
            cols = []
            for j in range(d):
                e = np.array([hb if i == j else be.scalar(0) for i in range(d)], dtype=object)
                cols.append((_gd_map(problem, be, w + e, eta) - _gd_map(problem, be, w - e, eta))
                            / (2 * hb))
            J = [[(cols[j][i] + cols[i][j]) / 2 for j in range(d)] for i in range(d)]
            results.append([to_fraction(v) for v in be.eigvalsh(J)])
    return two_precision_equal("spectrum of the GD map's Jacobian", tuple(expected),
                               tuple(results[0]), tuple(results[1]), floor=F(1))


def check_R5_metamorphic(case) -> Outcome:
    """R5 (identity, equality): ``x -> c x, y -> c y`` multiplies the loss by ``c^2``, so the
    thresholds move to ``t / c^2`` exactly and GD with ``eta / c^2`` on the scaled problem
    retraces GD with ``eta`` on the original: the exact iterates (theory) against the numerics
    engine on the scaled problem at 30 and 60 digits, after 5 steps (or the last step before
    ``|r| > 1e6``)."""
    from numerics.gd import iterate

    inst, c = case.instance, case.c
    x, y, eta, alpha = inst.x, inst.y, inst.eta, inst.alpha
    t = T.stability_thresholds(x, y)
    tc = T.stability_thresholds([c * v for v in x], c * y)
    outs = [exact_equal("thresholds scale as 1/c^2",
                        (_fr(tc.eta_min_norm_unstable), _fr(tc.eta_no_stable_interpolator)),
                        (_fr(t.eta_min_norm_unstable) / c**2,
                         _fr(t.eta_no_stable_interpolator) / c**2))]
    scaled = inst.replace(X=(tuple(c * v for v in x),), y=c * y).problem()
    finals = []
    for p in PRECISIONS:  # 5 steps, or up to the last step before |r| > 1e6
        be = flint(p)
        last = None
        with closing(iterate(scaled, eta / c**2, backend=be)) as states:
            for st in states:
                if st.k > 5 or any(abs(to_fraction(r)) > 10**6 for r in st.r):
                    break
                last = (st.k, [to_fraction(v) for v in st.beta])
        finals.append(last)
    K = min(finals[0][0], finals[1][0])
    if finals[0][0] != finals[1][0] or K < 1:
        outs.append(Outcome("undecided", None, {"reason": "the scaled run blows up"}))
        return combine(outs)
    (wK, _), = list(islice(T.gd_iterates(x, y, alpha, eta), K, K + 1))
    exact_beta = tuple(_fr(v) ** 2 for v in wK)
    outs.append(two_precision_equal(f"beta_{K} on the scaled problem", exact_beta,
                                    finals[0][1], finals[1][1]))
    return combine(outs)


def sweep_verdict_R5(reading: SweepReading) -> Verdict:
    """R5 on a sweep: no grid run above ``1/(2 y x_min)`` converges, and every confirmed limit
    satisfies ``S <= 2/eta`` (to its digits); no learning rate above the limit, or fewer than
    :data:`MIN_POINTS` confirmed limits: undecided."""
    result, conf, pred = reading.result, reading.confirmed, reading.predicted
    st = result.stability
    limit = st.get("limit")
    above = [(e, pt) for e, pt in zip(result.etas, result.points, strict=False)
             if limit is not None and e > limit]
    conv_above = [e for e, pt in above if pt["status"] == "converged"
                  or (pt.get("status_float64_grid") == "converged")]
    unstable = [(e, pt) for e, pt in conf
                if pt["S"] - slack(pt["S"], point_digits(pt, "S")) > float(2 / e)]
    conf_above = [(e, pt) for e, pt in above if pt["audited"]]
    if not above or len(conf) < MIN_POINTS:
        ok = None
        ev = "the sweep has no learning rate above 1/(2 y x_min), or too few confirmations"
    else:
        ok = not conv_above and not unstable
        stat = ", ".join(f"{n} {k}" for k, n in st.get("statuses_above_limit", {}).items() if n)
        ev = (f"thresholds 1/(2 y x_max) = {fmt_g(pred['eta_min_norm_unstable'])}, "
              f"1/(2 y x_min) = {fmt_g(limit)}; the {len(above)} grid runs above "
              f"{fmt_g(limit)}: {stat}"
              + (" (confirmed at two precisions: " + ", ".join(
                  f"{fmt_g(e, 5)} {pt['status']}" for e, pt in conf_above) + ")"
                 if conf_above else "")
              + f"; every one of the {reading.span} has S <= 2/eta"
              + ("" if not unstable else f" EXCEPT {[fmt_g(e) for e, _ in unstable]}")
              + f"; the last converged grid point is eta = {fmt_g(st['last_converged'])}"
              + _edge_clause(result)
              + f" (stable interpolators exist up to {fmt_g(limit)}, but GD does not always "
              f"reach them in {result.steps} steps"
              + ("; confirmed at two precisions: " + ", ".join(
                  f"{fmt_g(e, 5)} {pt['status']}"
                  for e, pt in zip(result.etas, result.points, strict=True)
                  if pt["audited"] and st["last_converged"] < e <= limit) if st.get(
                      "last_converged") is not None else "") + ")")
    return Verdict("R5", "An interpolator is linearly stable iff S <= 2/eta: beta^N is "
                   "unstable above 1/(2 y x_max) and none is stable above 1/(2 y x_min)",
                   verdict_of(ok), ev, "no grid run above 1/(2 y x_min) converges, and every "
                   "confirmed limit satisfies S <= 2/eta")


def _edge_clause(result) -> str:
    """Where convergence stops, as measured: a grid's first failed point is an artefact of the
    grid near the edge, where whether one learning rate converges is chaotic; the edge mode's
    per-bin fractions (``result.edge``) are the measurement."""
    edge = getattr(result, "edge", None)
    if edge is None or not edge.bins:
        return (f"; the first grid point that failed is {fmt_g(result.stability['first_failed'])} "
                "(one grid's outcome: near the edge convergence is intermittent, measure it "
                "with the edge mode)")
    mixed = [b for b in edge.bins if 0 < b["converged"] < b["samples"]]
    conv = sum(b["converged"] for b in mixed)
    runs = sum(b["samples"] for b in mixed)
    if not mixed:
        return "; the measured edge shows no intermittent bin"
    return (f"; above it convergence is intermittent, not absent: {conv} of {runs} sampled "
            f"runs converged in the {len(mixed)} mixed bins of the measured edge between "
            f"{fmt_g(Fraction(mixed[0]['eta_lo']))} and {fmt_g(Fraction(mixed[-1]['eta_hi']))}")


def _stable_eta(inst) -> bool:
    return inst.eta <= 1 / (2 * inst.y * min(inst.x))


def _eta_point():
    return S.problems(d_max=6, with_eta=True, with_beta_star=True)


CLAIMS = [
    declare("R5", "At an interpolator the GD map has Jacobian I - eta Hess L with non-trivial "
            "eigenvalue 1 - eta S: stable iff S <= 2/eta; beta^N is unstable for "
            "eta > 1/(2 y x_max) and no interpolator is stable for eta > 1/(2 y x_min).",
            "identity", ("Parametrisation.step (finite differences)", "numerics.gd"),
            "x > 0 (d = 2..6, ties), y > 0, eta in (0, 1.1/(2 y x_min)] with the thresholds "
            "exactly, a random point of M", [
                Check("exact", check_R5_exact, _eta_point, "exact"),
                Check("least_norm_stable", check_R5_least_norm_stable,
                      lambda: _eta_point().filter(_stable_eta), "exact", 0.5, kind="lower"),
                Check("numerics", check_R5_numerics, _eta_point, "numerics", 0.4,
                      kind="equality"),
                Check("metamorphic", check_R5_metamorphic,
                      lambda: S.transformed(S.problems(d_max=5, with_eta=True)),
                      "metamorphic", 0.3, kind="equality"),
            ]),
]
