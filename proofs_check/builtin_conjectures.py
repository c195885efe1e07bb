"""The five built-in conjectures, with honest, documented outcomes.

Each is a :class:`~proofs_check.conjectures.Conjecture`: a predicate over a
:class:`~proofs_check.conjectures.Case` and a strategy of instances; ``expected`` is the outcome
of :func:`~proofs_check.conjectures.search_conjecture` at seed 0 (the test suite checks it).
:data:`CONJECTURES` is also reachable as ``proofs_check.conjectures.CONJECTURES``.
"""

from __future__ import annotations

from fractions import Fraction

from . import strategies as S
from .conjectures import Conjecture
from .decide import to_fraction
from .references import gf_limit_reference, sharpness_on_M

__all__ = ["CONJECTURES", "predictor_unchanged", "min_sharpness_better",
           "final_sharpness_below", "s_gf_at_end", "gd_reachable", "UNCHANGED_TOL"]


def _f(v) -> float:
    return float(v)


def _gf(case):
    ref = gf_limit_reference(case.x, case.y, case.alpha, 30)
    return ref, 2 / sharpness_on_M(case.x, ref)


#: "unchanged": ``||beta_GD - beta^GF||_inf <= UNCHANGED_TOL ||beta^GF||_inf``
UNCHANGED_TOL = Fraction(1, 10)


def predictor_unchanged(case):
    """A step above 2/lambda_max (eta > eta_c) leaves the predictor unchanged: GD's limit is
    within 10% (max norm) of the gradient-flow limit."""
    ref, eta_c = _gf(case)
    run = case.gd()
    detail = {"eta": str(case.eta), "eta_c": _f(eta_c), "status": run.status,
              "beta_GF": [_f(v) for v in ref]}
    if run.status != "converged":
        return None, {**detail, "reason": f"GD {run.status} in {case.steps} steps"}
    dist = max(abs(a - b) for a, b in zip(run.beta, ref, strict=True))
    detail.update(beta_GD=[_f(v) for v in run.beta], distance=_f(dist),
                  relative_distance=_f(dist / max(ref)), final_S=_f(run.S),
                  two_over_eta=_f(2 / case.eta))
    return dist <= UNCHANGED_TOL * max(ref), detail


def _above_eta_c():
    """Distinct ``x`` (d = 2..4), ``alpha`` small, ``eta`` the simplest rationals (denominator
    <= 40) in ``(eta_c, 0.9 / (2 y x_min))``: above the critical rate, where some interpolator
    is still stable."""

    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x = draw(S.features(d_min=2, d_max=4, distinct=True, max_value=2, max_denominator=4))
        y = draw(S.labels())
        a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 1000)]))
        ref = gf_limit_reference(x, y, a, 20)
        eta_c = 2 / sharpness_on_M(x, ref)
        top = Fraction(9, 10) / (2 * y * min(x))
        lo = eta_c * Fraction(1001, 1000)
        if lo >= top:  # no rate above eta_c in the range: not an instance of the conjecture
            return None
        eta = draw(st.one_of(S.rationals(lo, top, max_denominator=40),
                             S.rationals(lo, top, max_denominator=1000)))
        return S.Instance((x,), y, a, eta, edge="above eta_c")

    return draw().filter(lambda inst: inst is not None)


def min_sharpness_better(case):
    """The minimum-sharpness interpolator generalises at least as well as the minimum-norm one:
    expected risk (beta* uniform on M) of beta^S <= that of beta^N."""
    import theory as T

    prior = T.uniform_prior(case.x, case.y)
    rs = to_fraction(T.expected_risk(T.min_sharpness_interpolator(case.x, case.y).beta, prior))
    rn = to_fraction(T.expected_risk(T.min_norm_interpolator(case.x, case.y).beta, prior))
    return rs <= rn, {"risk_min_sharpness": str(rs), "risk_min_norm": str(rn)}


def final_sharpness_below(case):
    """When GD converges, its final sharpness is at most 2/eta."""
    run = case.gd()
    if run.status != "converged":
        return None, {"reason": f"GD {run.status}", "status": run.status}
    return run.S <= 2 / case.eta, {"eta": str(case.eta), "final_S": _f(run.S),
                                   "two_over_eta": _f(2 / case.eta), "steps": run.steps}


def s_gf_at_end(case):
    """The largest sharpness along the gradient-flow path is attained at its end
    (so eta_c = 2 / S(beta^GF))."""
    from numerics.flow import gradient_flow

    res = gradient_flow(case.problem, max(10, case.dps))
    return res.s_gf_at_end, {"s_gf": _f(res.s_gf), "s_end": _f(res.s_end),
                             "where_R": _f(res.where.R), "at_end": res.s_gf_at_end,
                             "dps": max(10, case.dps)}


def gd_reachable(case):
    """Every eta <= 1/(2 y x_min) (a stable interpolator exists) has a convergent GD run from
    w_0 = alpha 1."""
    run = case.gd()
    hi = Fraction(1) / (2 * case.y * min(case.x))
    detail = {"eta": str(case.eta), "eta_over_limit": _f(case.eta / hi), "status": run.status,
              "steps": run.steps}
    if run.status == "converged":
        return True, detail
    if run.status == "diverged":
        return False, {**detail, "diverged_at": run.diverged_at}
    return None, {**detail, "reason": f"not converged in {case.steps} steps (the run neither "
                  "converges nor diverges: chaotic or slow)"}


def _stable_range():
    """Distinct ``x`` (d = 2..4), small ``alpha``, ``eta = t / (2 y x_min)`` with ``t`` in
    ``[1/2, 19/20]``: strictly inside the range where some interpolator is stable."""

    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x = draw(S.features(d_min=2, d_max=4, distinct=True, max_value=2, max_denominator=4))
        y = draw(S.labels())
        a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 1000)]))
        hi = Fraction(1) / (2 * y * min(x))
        t = draw(S.rationals(Fraction(1, 2), Fraction(19, 20), max_denominator=20))
        return S.Instance((x,), y, a, t * hi)

    return draw()


def _fixed_alpha():
    """One-sample problems (d up to 8) at ``alpha = 1/100``."""
    from hypothesis import strategies as st

    return S.problems(d_max=8, alpha=st.just(Fraction(1, 100)))


CONJECTURES: dict[str, Conjecture] = {c.name: c for c in (
    Conjecture(
        "predictor-unchanged-above-eta-c",
        "A step above 2/lambda_max (eta > eta_c = 2/s_GF) only oscillates around the "
        "min-norm/flow solution and leaves the predictor unchanged (GD limit within 10% of "
        "beta^GF).", predictor_unchanged, _above_eta_c,
        expected="refuted",
        notes="Expected refuted: above eta_c GD converges to a different interpolator, near "
        "the one with S = 2/eta (R9). Cases where GD does not converge within the budget are "
        "undecided, not counterexamples."),
    Conjecture(
        "min-sharpness-generalises-better",
        "The minimum-sharpness interpolator generalises at least as well as the minimum-norm "
        "one (expected risk, beta* uniform on M).", min_sharpness_better,
        _fixed_alpha,
        expected="refuted",
        notes="Exact (theory). With the uniform prior, risk(vertex e_i) = sum mu^2 + "
        "(y/x_i)^2 (1 - 2/d) + tr Cov: equal for d = 2, and the min-norm vertex is strictly "
        "better for d >= 3 (distinct x): the minimal counterexample has d = 3."),
    Conjecture(
        "final-sharpness-below-2-over-eta",
        "When GD converges, its final sharpness S is at most 2/eta.", final_sharpness_below,
        lambda: S.problems(d_max=6, with_eta=True, max_factor=1),
        expected="not refuted",
        notes="Expected to hold: a limit with S > 2/eta is linearly unstable (R5), so the last "
        "steps of a converging run contract only if |1 - eta S| < 1. The random rates include "
        "rates near eta_c, GD's plateau edge and 1/(2 y x_min), where converged GD sits "
        "closest to 2/eta. A search finding none is evidence, not proof."),
    Conjecture(
        "s-gf-attained-at-end",
        "The largest sharpness along the gradient-flow path is attained at its end.",
        s_gf_at_end, lambda: S.problems(d_max=3, alpha=S.alphas(tiny=False, max_value=2)),
        expected="refuted",
        notes="Expected refuted for large alpha (r(0) > 0): the flow starts sharper than it "
        "ends. Theory proves the claim when r(0) <= 0 and 2|r(0)| x_max <= s_end "
        "(theory.sharpness_along_flow). Uses numerics.flow (closed form) at 15/32 digits."),
    Conjecture(
        "gd-limit-reachable-up-to-stability-limit",
        "Every eta <= 1/(2 y x_min) (some interpolator is stable) has a convergent GD run "
        "from w_0 = alpha 1.", gd_reachable, _stable_range,
        expected="refuted",
        notes="Outcome from actual runs: GD from alpha 1 diverges at some eta below "
        "1/(2 y x_min) where stable interpolators exist (both precisions diverge: a definite "
        "counterexample); closer to the limit runs neither converge nor diverge within the "
        "budget (chaotic: undecided, not counted)."),
)}
