r"""R4: the trade-off between norm and sharpness on the zero-loss set (the Pareto front).

Statement
---------
On ``M``: ``4 y x_min <= S <= 4 y x_max`` and ``y/x_max <= ||beta||_1 <= y/x_min``; for
``d = 2``

.. math::

    \|\beta\|_1 = \frac{y (x_1 + x_2)}{x_1 x_2} - \frac{S}{4 x_1 x_2},

and for ``d > 2`` the least norm at a given sharpness is the chain of edges of ``M`` joining
vertices adjacent in the order of ``x``.

Notes
-----
Kind ``lower``: the front is a lower bound on the norm at a given sharpness (attained). Checks:
the ranges, the bound and its attainment, and the ``d = 2`` identity, exactly; the front against
a linear program (qualitative: the LP runs at one precision); scaling and permutation
(metamorphic). Sweep verdict: :func:`sweep_verdict_R4`.

References
----------
R4, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.
"""

from __future__ import annotations

from fractions import Fraction

import theory as T

from .. import strategies as S
from ..claim import Check, declare
from ..decide import MIN_EQUAL_DIGITS, Outcome, combine, exact_at_least, exact_equal, procedure
from ..decide import to_fraction as _fr
from ..experiments import rational as _Q
from ..references import on_M, sharpness_on_M, vertices
from ..sweep_reading import MIN_POINTS, SweepReading, Verdict, point_digits, slack, verdict_of
from .interpolators import extremes_hold_on_sweep

F = Fraction


def check_R4_exact(inst) -> Outcome:
    """R4 (lower/upper): at a random point of ``M``, ``4 y x_min <= S <= 4 y x_max`` and
    ``y/x_max <= ||beta||_1 <= y/x_min`` exactly; the Pareto front is a lower bound on the
    norm at the point's sharpness and is attained; for ``d = 2`` the affine identity holds."""
    x, y, b = inst.x, inst.y, inst.beta_star
    verts = vertices(x, y)
    S_v = [sharpness_on_M(x, v) for v in verts]
    n_v = [sum(v) for v in verts]
    bounds = T.zero_loss_bounds(x, y)
    S_b, l1 = sharpness_on_M(x, b), sum(b)
    front = T.pareto_front(x, y)
    l1_front = _fr(front.l1_at(_Q(S_b)))
    attained = [_fr(v) for v in front.interpolator_at(_Q(S_b))]
    outs = [
        exact_equal("sharpness range", tuple(_fr(v) for v in bounds.sharpness),
                    (min(S_v), max(S_v))),
        exact_equal("norm range", tuple(_fr(v) for v in bounds.l1_norm), (min(n_v), max(n_v))),
        exact_at_least("S >= 4 y x_min", S_b, min(S_v)),
        exact_at_least("S <= 4 y x_max", max(S_v), S_b),
        exact_at_least("l1 >= y / x_max", l1, min(n_v)),
        exact_at_least("l1 <= y / x_min", max(n_v), l1),
        exact_at_least("l1 >= front(S)", l1, l1_front),
        exact_equal("front point on M", on_M(x, y, attained), True),
        exact_equal("front point sharpness", sharpness_on_M(x, attained), S_b),
        exact_equal("front point norm", sum(attained), l1_front),
    ]
    if len(x) == 2:
        outs.append(exact_equal("d = 2 identity", T.norm_sharpness_identity(x, y, _Q(S_b)),
                                _Q(l1)))
    return combine(outs)


def check_R4_numerics(inst) -> Outcome:
    """R4 (qualitative): the front's value at the sharpness of a random point of ``M`` against
    a linear program (scipy HiGHS: min ``||beta||_1`` s.t. ``<x, beta> = y``,
    ``4 sum x_i^2 beta_i = S``, ``beta >= 0``). The LP runs at one precision, so this is not a
    two-precision equality. Decision procedure: LP tolerances are ``1e-9``; agreement to
    ``1e-7`` (relative) passes, a gap above ``1e-5`` fails, in between is undecided."""
    import numpy as np
    from scipy.optimize import linprog

    x, y, b = inst.x, inst.y, inst.beta_star
    S_b = sharpness_on_M(x, b)
    exact_front = _fr(T.pareto_front(x, y).l1_at(_Q(S_b)))
    xf = np.array([float(v) for v in x])
    res = linprog(np.ones(len(x)), A_eq=np.vstack([xf, 4 * xf**2]),
                  b_eq=np.array([float(y), float(S_b)]), bounds=[(0, None)] * len(x),
                  method="highs")
    if res.status != 0:
        return Outcome("undecided", None, {"reason": f"linprog status {res.status}"})
    gap = abs(F(float(res.fun)) - exact_front) / max(exact_front, F(1, 10**9))
    detail = {"quantity": "least l1 at S", "theory": float(exact_front), "lp": float(res.fun),
              "relative_gap": float(gap)}
    if gap <= F(1, 10**7) or gap > F(1, 10**5):
        return procedure("least l1 at S", gap <= F(1, 10**7), float(gap), detail)
    detail["reason"] = "the LP's tolerance cannot decide"
    return Outcome("undecided", float(gap), detail)


def check_R4_metamorphic(case) -> Outcome:
    """R4 (identity): under ``x -> c x, y -> c y`` the front's sharpness breakpoints scale by
    ``c^2`` and its norms stay; permuting ``x`` leaves the front unchanged."""
    inst, c, perm = case.instance, case.c, case.perm
    x, y = inst.x, inst.y
    f = T.pareto_front(x, y)
    fc = T.pareto_front([c * v for v in x], c * y)
    fp = T.pareto_front([x[i] for i in perm], y)
    pts = [(_fr(s), _fr(n)) for s, n, _ in f.breakpoints]
    return combine([
        exact_equal("scaled front", [(_fr(s), _fr(n)) for s, n, _ in fc.breakpoints],
                    [(c * c * s, n) for s, n in pts]),
        exact_equal("permuted front", [(_fr(s), _fr(n)) for s, n, _ in fp.breakpoints], pts),
    ])


def sweep_verdict_R4(reading: SweepReading) -> Verdict:
    """R4 on a sweep: both ranges (R2 and R3's bounds, :func:`extremes_hold_on_sweep`) and, for
    ``d = 2``, the identity ``||beta||_1 = y (x1 + x2)/(x1 x2) - S/(4 x1 x2)`` at every
    confirmed interpolator whose norm and sharpness carry at least
    :data:`~proofs_check.decide.MIN_EQUAL_DIGITS` agreed digits, to those digits (the equality
    rule's resolution: fewer than :data:`~proofs_check.sweep_reading.MIN_POINTS` such points:
    undecided)."""
    import sympy as sp

    conf, problem = reading.confirmed, reading.result.problem
    r2, r3 = extremes_hold_on_sweep(reading)
    n_l1, n_S, s_l1, s_S = reading.extremes
    x = reading.x
    resolved = [pt for _, pt in conf if min(point_digits(pt, "S") or 0, point_digits(
        pt, "l1_norm") or 0) >= MIN_EQUAL_DIGITS]
    if r2 is None:
        ok, ev = None, f"only {len(conf)} confirmed interpolators"
    elif problem.d == 2 and len(resolved) < MIN_POINTS:
        ok = None
        ev = (f"only {len(resolved)} of the {len(conf)} confirmed interpolators carry "
              f"{MIN_EQUAL_DIGITS} agreed digits of S and ||beta||_1 (undecided: resolution)")
    elif problem.d == 2:
        expr = T.norm_sharpness_identity(list(problem.X[0]), problem.y[0])
        S_sym = next(iter(expr.free_symbols))
        devs = []
        for pt in resolved:
            pred_l1 = float(expr.subs(S_sym, sp.Rational(str(pt["S"]))))
            d = min(point_digits(pt, "S"), point_digits(pt, "l1_norm"))
            devs.append((abs(pt["l1_norm"] - pred_l1), slack(pt["l1_norm"], d)
                         + slack(pt["S"], d) / (4 * x[0] * x[1])))
        ok = all(a <= b for a, b in devs) and r2 and r3
        ev = (f"identity ||beta||_1 = {expr}: at {len(devs)} confirmed interpolators the "
              f"largest deviation is {max(a for a, _ in devs):.1e} (allowed: the agreed "
              f"digits, at most {max(b for _, b in devs):.1e}); bounds {s_S:g} <= S <= "
              f"{n_S:g} and {n_l1:g} <= ||beta||_1 <= {s_l1:g} hold at all of them")
    else:
        ok = r2 and r3
        ev = "bounds hold at every confirmed interpolator (d > 2: identity not applicable)"
    return Verdict("R4", "On M: 4 y x_min <= S <= 4 y x_max, y/x_max <= ||beta||_1 <= "
                   "y/x_min; for d = 2, ||beta||_1 is affine and decreasing in S",
                   verdict_of(ok), ev, "both ranges at every confirmed interpolator; the "
                   f"identity at every one with >= {MIN_EQUAL_DIGITS} agreed digits, to those "
                   "digits")


def _one_point():
    return S.problems(d_max=6, with_beta_star=True)


CLAIMS = [
    declare("R4", "On M: 4 y x_min <= S <= 4 y x_max and y/x_max <= ||beta||_1 <= y/x_min; "
            "for d = 2 ||beta||_1 = y (x1 + x2)/(x1 x2) - S/(4 x1 x2); for d > 2 the least "
            "norm at given sharpness is the chain of edges of M joining vertices adjacent in "
            "the order of x.", "lower", ("scipy.optimize.linprog (HiGHS)",),
            "x > 0 (d = 2..6, ties), y > 0, a random point of M", [
                Check("exact", check_R4_exact, _one_point, "exact"),
                Check("numerics", check_R4_numerics, _one_point, "numerics", 0.5,
                      kind="qualitative"),
                Check("metamorphic", check_R4_metamorphic,
                      lambda: S.transformed(S.problems(d_max=8)), "metamorphic", 0.5,
                      kind="identity"),
            ]),
]
