"""The search looks where claims break: landmarks, and a planted narrow-window falsehood.

The planted predicate is false only for learning rates within a relative ``10^-4`` of
``eta_c = 2/S(beta_GF)``. Its ``eta_c`` is computed here, independently of
:mod:`proofs_check.landmarks` (which uses :func:`proofs_check.references.gf_limit_reference`):
theory's equation for the flow's limit (R6, :func:`theory.gradient_flow_equation`)
``sum_i x_i alpha^2 exp(lambda x_i) = y`` solved with mpmath, ``beta_i = alpha^2
exp(lambda x_i)`` (:func:`theory.gradient_flow_path` at ``R = -lambda/4``) and ``S = 4 sum x_i^2
beta_i``.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from proofs_check import instance_from_key
from proofs_check.conjectures import Conjecture, load_predicate, search_conjecture
from proofs_check.landmarks import OFFSETS, landmarks, near
from proofs_check.strategies import problems

WINDOW = Fraction(1, 10**4)
#: the planted window counts only where eta_c is this far (relative) from both thresholds
APART = 10 * WINDOW


def _mp(v):
    v = Fraction(v)
    return mpmath.mpf(v.numerator) / v.denominator


def eta_c_by_mpmath(x, y, alpha, dps: int = 30):
    """``2 / S(beta_GF)`` from theory's equation for the flow's limit, by mpmath bisection."""
    with mpmath.workdps(dps + 10):
        xs, y, a2 = [_mp(v) for v in x], _mp(y), _mp(alpha) ** 2

        def f(lam):
            return a2 * sum(xi * mpmath.exp(lam * xi) for xi in xs) - y

        lo, hi = mpmath.mpf(-1), mpmath.mpf(1)
        while f(lo) > 0:
            lo *= 2
        while f(hi) < 0:
            hi *= 2
        for _ in range(int((dps + 10) * 3.33) + 64):  # bisection: f increases in lambda
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
        lam = (lo + hi) / 2
        s = 4 * sum(xi**2 * a2 * mpmath.exp(lam * xi) for xi in xs)
        return 2 / s


def planted_near_eta_c(case):
    """Planted falsehood: eta is never within a relative 10^-4 of an eta_c apart from the edges.

    False only where ``|eta/eta_c - 1| < 10^-4`` and ``eta_c`` is a relative ``10^-3`` or more
    from both thresholds ``1/(2 y x_max)`` and ``1/(2 y x_min)``; true elsewhere."""
    eta_c = eta_c_by_mpmath(case.x, case.y, case.alpha, case.dps)
    ratio = _mp(case.eta) / eta_c
    # with all x equal eta_c is exactly 1/(2 y x), and as alpha -> 0 it tends to 1/(2 y x_max):
    # the exact threshold edges would find a window there without looking near eta_c. The
    # planted window is where eta_c has a place of its own.
    apart = all(abs(eta_c * 2 * _mp(case.y) * _mp(v) - 1) > _mp(APART)
                for v in (max(case.x), min(case.x)))
    return not (apart and abs(ratio - 1) < _mp(WINDOW)), {"eta_over_eta_c": float(ratio),
                                                          "apart": bool(apart)}


def test_eta_c_agrees_with_an_independent_route():
    """landmarks' eta_c (gf_limit_reference) against mpmath on theory's equation; the
    default instance's value 0.50125 is the one the sweep reports."""
    for x, y, alpha in [((1, Fraction(1, 2)), 1, Fraction(1, 100)),
                        ((2, Fraction(3, 4), Fraction(1, 3)), 3, Fraction(1, 1000)),
                        ((1, Fraction(1, 2)), 1, 1)]:
        lm = landmarks(x, y, alpha)
        assert abs(_mp(lm.eta_c) / eta_c_by_mpmath(x, y, alpha) - 1) < mpmath.mpf(10) ** -25
    assert f"{float(landmarks((1, Fraction(1, 2)), 1, Fraction(1, 100)).eta_c):.5f}" \
        == "0.50125"


def test_offsets_reach_every_window_down_to_one_in_a_million():
    """Both sides of each landmark, 10^-6 .. 5 10^-1 relative, and near() keeps them: the
    rounded rate sits at its offset to 10^-10 relative."""
    assert min(abs(o) for o in OFFSETS) == Fraction(1, 10**6)
    assert {o > 0 for o in OFFSETS} == {True, False}
    mark = landmarks((1, Fraction(1, 2)), 1, Fraction(1, 100)).eta_c
    for o in OFFSETS:
        assert abs((near(mark, o) / mark - 1) - o) < Fraction(1, 10**10) * abs(o)


def test_plateau_edge_sits_above_eta_c_on_the_default_instance():
    """GD's plateau just below eta_c is slightly less sharp than the flow's limit: eta_plateau
    (0.50266, the value issue 10 measured) above eta_c (0.50125), below the observed
    transition 0.50303."""
    lm = landmarks((1, Fraction(1, 2)), 1, Fraction(1, 100))
    assert lm.eta_c < lm.eta_plateau < Fraction(50303, 100000)
    assert f"{float(lm.eta_plateau):.5f}" == "0.50266"


def test_a_planted_narrow_window_falsehood_near_eta_c_is_refuted_by_default():
    """The default search (30 examples, 30 s budget, seed 0) of a user's predicate on the
    default domain refutes the planted falsehood and reports the instance: its rate lies in
    the window, by the independent eta_c, at both precisions of the confirmation."""
    conj = load_predicate(f"{__name__}:planted_near_eta_c")
    assert conj.landmarks
    res = search_conjecture(conj)
    assert res.outcome == "refuted" and res.exit_code == 1
    inst = instance_from_key(res.counterexample["instance"])
    assert abs(_mp(inst.eta) / eta_c_by_mpmath(inst.X[0], inst.y, inst.alpha) - 1) \
        < _mp(WINDOW)
    assert inst.edge == "near-eta-c"
    detail = res.counterexample["detail"]
    assert {"dd", "qd"} <= set(detail)
    assert all(abs(d["eta_over_eta_c"] - 1) < float(WINDOW) for k, d in detail.items()
               if k in ("dd", "qd"))


def test_uniform_draws_alone_miss_the_planted_window():
    """The same predicate searched the old way (uniform and exact-edge learning rates only,
    no landmark phase) is not refuted at seed 0: the window is what the landmarks add."""
    conj = Conjecture("planted-uniform", "planted window, uniform rates", planted_near_eta_c,
                      problems(d_max=6, with_eta=True, near_landmarks=False))
    res = search_conjecture(conj)
    assert res.outcome == "not refuted" and res.counterexample is None


def test_the_landmark_phase_alone_finds_the_window():
    """Uniform draws only, plus the landmark phase: the phase finds the window on the first
    instances drawn and reports the landmark and offset (not shrunk)."""
    conj = Conjecture("planted-phase", "planted window, landmark phase", planted_near_eta_c,
                      problems(d_max=6, with_eta=True, near_landmarks=False), landmarks=True)
    res = search_conjecture(conj)
    assert res.outcome == "refuted"
    cx = res.counterexample
    assert cx["landmark"]["name"] == "near-eta-c" and not cx["shrunk"]
    inst = instance_from_key(cx["instance"])
    mark = landmarks(inst.X[0], inst.y, inst.alpha).eta_c
    assert inst.eta == near(mark, Fraction(cx["landmark"]["offset"]))
    assert abs(_mp(inst.eta) / eta_c_by_mpmath(inst.X[0], inst.y, inst.alpha) - 1) \
        < _mp(WINDOW)


def test_the_default_strategy_draws_near_each_landmark():
    """Draws of the default domain's strategy reach each landmark, within the largest offset
    of it (the landmark recomputed from the drawn data)."""
    from hypothesis import HealthCheck, given, settings

    seen: dict = {}

    @settings(max_examples=300, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(problems(d_max=6, with_eta=True))
    def draw(inst):
        if inst.edge.startswith("near-"):
            seen.setdefault(inst.edge, inst)

    draw()
    assert set(seen) == {"near-eta-c", "near-plateau", "near-stability-limit"}
    for name, inst in seen.items():
        mark = landmarks(inst.X[0], inst.y, inst.alpha).named()[name]
        assert abs(inst.eta / mark - 1) <= max(OFFSETS) * Fraction(1001, 1000)
