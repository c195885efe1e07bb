r"""R2 and R3: the minimum-norm and the minimum-sharpness interpolators of one sample.

Statement
---------
On ``M = {beta >= 0 : <x, beta> = y}`` (``x > 0``, ``y > 0``):

.. math::

    \beta^N = \arg\min_M \|\beta\|_1 = \tfrac{y}{x_{max}} e_{\arg\max x}, \qquad
    \beta^S = \arg\min_M S(\beta) = \tfrac{y}{x_{min}} e_{\arg\min x},

(the centroid of the optimal face when the extreme entry of ``x`` is tied), with norms
``y/x_max``, ``y/x_min`` and sharpnesses ``4 y x_max`` (the largest on ``M``), ``4 y x_min``.

Checks: the optimal face by exact vertex enumeration; a random point of ``M`` is never better
(exact, one-sided); the sharpness against the numerics engine's Hessian at 30 and 60 digits;
permutation and scaling (metamorphic). Sweep verdicts: :func:`sweep_verdict_R2`,
:func:`sweep_verdict_R3`.

References
----------
R2 and R3, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.
"""

from __future__ import annotations

import theory as T

from .. import strategies as S
from ..claim import Check, declare
from ..decide import Outcome, combine, exact_at_least, exact_equal, two_precision_equal
from ..decide import to_fraction as _fr
from ..experiments import PRECISIONS, full_spectrum
from ..experiments import rational as _Q
from ..references import face, on_M, sharpness_on_M, vertices
from ..sweep_reading import (
    MIN_POINTS,
    SweepReading,
    Verdict,
    fmt,
    fmt_g,
    point_digits,
    slack,
    verdict_of,
)


def _extreme_check(inst, which: str) -> Outcome:
    x, y = inst.x, inst.y
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    got = fn(x, y)
    idx, optimal, centroid, best = face(x, y, which)
    S_face = sharpness_on_M(x, optimal[0])
    outs = [
        exact_equal("l1_norm", got.l1_norm, _Q(best)),
        exact_equal("param_norm_sq", got.param_norm_sq, _Q(best)),
        exact_equal("sharpness", got.sharpness, _Q(S_face)),
        exact_equal("beta (face centroid)", tuple(_fr(b) for b in got.beta), centroid),
        exact_equal("vertices", sorted(tuple(_fr(b) for b in v) for v in got.vertices),
                    sorted(optimal)),
        exact_equal("on M", on_M(x, y, [_fr(b) for b in got.beta]), True),
        exact_equal("zero_loss_vertices", [tuple(_fr(b) for b in v)
                                            for v in T.zero_loss_vertices(x, y)],
                    vertices(x, y)),
    ]
    return combine(outs)


def _extreme_bounds(inst, which: str) -> Outcome:
    """A random point of ``M`` is never better than the optimum (exact, one-sided)."""
    x, y, b = inst.x, inst.y, inst.beta_star
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    got = fn(x, y)
    norm, S_opt = _fr(got.l1_norm), _fr(got.sharpness)
    S_b = sharpness_on_M(x, b)
    if which == "max":
        outs = [exact_at_least("||beta||_1 >= ||beta^N||_1", sum(b), norm),
                exact_at_least("S(beta^N) >= S(beta)", S_opt, S_b)]
    else:
        outs = [exact_at_least("S(beta) >= S(beta^S)", S_b, S_opt),
                exact_at_least("||beta^S||_1 >= ||beta||_1", norm, sum(b))]
    return combine(outs)


def check_R2_exact(inst) -> Outcome:
    """R2 (identity): the minimum-norm face by exact vertex enumeration of ``M``: its
    centroid, vertices, norm and sharpness."""
    return _extreme_check(inst, "max")


def check_R2_bounds(inst) -> Outcome:
    """R2 (lower): a random point of ``M`` has norm ``>=`` and sharpness ``<=`` those of
    ``beta^N`` (theory's values), exactly."""
    return _extreme_bounds(inst, "max")


def check_R3_exact(inst) -> Outcome:
    """R3 (identity): the minimum-sharpness face by exact vertex enumeration: its centroid,
    vertices, norm and sharpness."""
    return _extreme_check(inst, "min")


def check_R3_bounds(inst) -> Outcome:
    """R3 (lower): a random point of ``M`` has sharpness ``>=`` and norm ``<=`` those of
    ``beta^S`` (theory's values), exactly."""
    return _extreme_bounds(inst, "min")


def _extreme_numerics(inst, which: str) -> Outcome:
    x, y = inst.x, inst.y
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    got = fn(x, y)
    beta = [_fr(b) for b in got.beta]
    problem = inst.problem()
    lo = full_spectrum(problem, PRECISIONS[0], (beta,), sqrt=True)
    hi = full_spectrum(problem, PRECISIONS[1], (beta,), sqrt=True)
    return two_precision_equal("S at sqrt(beta)", _fr(got.sharpness), lo[2], hi[2])


def check_R2_numerics(inst) -> Outcome:
    """R2 (equality): ``S(beta^N) = 4 y x_max`` against the full Hessian at ``w = sqrt(beta^N)``
    computed by the numerics engine at 30 and 60 digits."""
    return _extreme_numerics(inst, "max")


def check_R3_numerics(inst) -> Outcome:
    """R3 (equality): ``S(beta^S) = 4 y x_min`` against the numerics engine at two precisions."""
    return _extreme_numerics(inst, "min")


def _extreme_metamorphic(case, which: str) -> Outcome:
    inst, c, perm = case.instance, case.c, case.perm
    x, y = inst.x, inst.y
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    base = fn(x, y)
    b = [_fr(v) for v in base.beta]
    perm_res = fn([x[i] for i in perm], y)
    both = fn([c * v for v in x], c * y)
    only_x = fn([c * v for v in x], y)
    return combine([
        exact_equal("permuted beta", [_fr(v) for v in perm_res.beta], [b[i] for i in perm]),
        exact_equal("beta(cx, cy)", [_fr(v) for v in both.beta], b),
        exact_equal("S(cx, cy) = c^2 S", _fr(both.sharpness), c * c * _fr(base.sharpness)),
        exact_equal("beta(cx, y) = beta / c", [_fr(v) for v in only_x.beta], [v / c for v in b]),
        exact_equal("S(cx, y) = c S", _fr(only_x.sharpness), c * _fr(base.sharpness)),
    ])


def check_R2_metamorphic(case) -> Outcome:
    """R2 (identity): ``beta^N`` permutes with ``x``; ``x -> c x, y -> c y`` keeps it and
    multiplies ``S`` by ``c^2``; ``x -> c x`` alone divides it by ``c`` and multiplies ``S`` by
    ``c``."""
    return _extreme_metamorphic(case, "max")


def check_R3_metamorphic(case) -> Outcome:
    """R3 (identity): the same transformations for ``beta^S``."""
    return _extreme_metamorphic(case, "min")


def _one():
    return S.problems(d_max=8)


def _one_point():
    return S.problems(d_max=8, with_beta_star=True)


def extremes_hold_on_sweep(reading: SweepReading) -> tuple:
    """``(R2 holds, R3 holds)`` at the sweep's confirmed interpolators, to their digits: no
    norm below ``||beta^N||_1`` or sharpness above ``S(beta^N)`` (R2); no sharpness below
    ``S(beta^S)`` or norm above ``||beta^S||_1`` (R3). ``(None, None)`` with fewer than
    :data:`MIN_POINTS` confirmed interpolators."""
    conf = reading.confirmed
    if len(conf) < MIN_POINTS:
        return None, None
    n_l1, n_S, s_l1, s_S = reading.extremes
    l1s = [(pt["l1_norm"], point_digits(pt, "l1_norm")) for _, pt in conf]
    Ss = [(pt["S"], point_digits(pt, "S")) for _, pt in conf]
    r2 = all(v >= n_l1 - slack(v, d) for v, d in l1s) and all(
        v <= n_S + slack(v, d) for v, d in Ss)
    r3 = all(v <= s_l1 + slack(v, d) for v, d in l1s) and all(
        v >= s_S - slack(v, d) for v, d in Ss)
    return r2, r3


def _reported(reading: SweepReading, key: str) -> list:
    """``(value, digits, eta)`` of ``key`` at every confirmed interpolator."""
    return [(pt[key], point_digits(pt, key), e) for e, pt in reading.confirmed]


#: claim -> (which extreme, the sweep verdict's statement, its rule)
_SWEEP_STATEMENTS = {
    "R2": ("max", "The minimum-norm interpolator is the vertex (y/x_max) e_argmax, with the "
           "largest sharpness 4 y x_max on M",
           "no confirmed interpolator has a smaller l1 norm or a larger S"),
    "R3": ("min", "The minimum-sharpness interpolator is the vertex (y/x_min) e_argmin, with "
           "the largest norm y/x_min on M",
           "no confirmed interpolator has a smaller S or a larger l1 norm"),
}


def _extreme_verdict(reading: SweepReading, claim_id: str) -> Verdict:
    """The sweep verdict of R2 (``beta^N``) or R3 (``beta^S``)."""
    which, statement, rule = _SWEEP_STATEMENTS[claim_id]
    r2, r3 = extremes_hold_on_sweep(reading)
    n_l1, n_S, s_l1, s_S = reading.extremes
    if which == "max":
        ok, it = r2, reading.predicted["min_norm"]
        head = (f"min-norm interpolator beta^N = {fmt(list(it['beta']))}: ||beta^N||_1 = "
                f"{n_l1:g}, S = {n_S:g}")
        names, bounds = ("l1_norm", "S"), (n_l1, n_S)
    else:
        ok, it = r3, reading.predicted["min_sharpness"]
        head = (f"min-sharpness interpolator beta^S = {fmt(list(it['beta']))}: S = {s_S:g}, "
                f"||beta^S||_1 = {s_l1:g}")
        names, bounds = ("S", "l1_norm"), (s_S, s_l1)
    if ok is None:
        ev = f"only {len(reading.confirmed)} confirmed interpolators"
    else:
        least, largest = min(_reported(reading, names[0])), max(_reported(reading, names[1]))
        words = [n.replace("_", " ") for n in names]
        ev = (f"{head}; over {reading.span} the least {words[0]} is "
              f"{fmt(least[0], least[1])} (eta {fmt_g(least[2], 4)}) >= {bounds[0]:g} and the "
              f"largest {words[1]} is {fmt(largest[0], largest[1])} <= {bounds[1]:g}")
    return Verdict(claim_id, statement, verdict_of(ok), ev, rule)


def sweep_verdict_R2(reading: SweepReading) -> Verdict:
    """R2 on a sweep: no confirmed interpolator has a smaller l1 norm or a larger ``S`` than
    ``beta^N`` (:func:`extremes_hold_on_sweep`)."""
    return _extreme_verdict(reading, "R2")


def sweep_verdict_R3(reading: SweepReading) -> Verdict:
    """R3 on a sweep: no confirmed interpolator has a smaller ``S`` or a larger l1 norm than
    ``beta^S`` (:func:`extremes_hold_on_sweep`)."""
    return _extreme_verdict(reading, "R3")


def _extreme_checks(exact, bounds, numerics, metamorphic) -> list:
    """The four checks of R2 or R3 (the same domains for both)."""
    return [
        Check("exact", exact, _one, "exact"),
        Check("bounds", bounds, _one_point, "exact", 0.5, kind="lower"),
        Check("numerics", numerics, _one, "numerics", 0.3, kind="equality"),
        Check("metamorphic", metamorphic, lambda: S.transformed(_one()), "metamorphic", 0.5),
    ]


CLAIMS = [
    declare("R2", "min ||w||_2^2 = min ||beta||_1 over M is attained at beta^N = (y/x_max) "
            "e_argmax (the centroid of the face when x_max is tied); norm y/x_max, sharpness "
            "4 y x_max, the largest on M.", "identity", ("numerics.hessian.spectrum",),
            "x > 0 (d = 2..8, ties), y > 0, a random point of M",
            _extreme_checks(check_R2_exact, check_R2_bounds, check_R2_numerics,
                            check_R2_metamorphic)),
    declare("R3", "min S over M is attained at beta^S = (y/x_min) e_argmin; sharpness "
            "4 y x_min, norm y/x_min, the largest on M.", "identity",
            ("numerics.hessian.spectrum",),
            "x > 0 (d = 2..8, ties), y > 0, a random point of M",
            _extreme_checks(check_R3_exact, check_R3_bounds, check_R3_numerics,
                            check_R3_metamorphic)),
]
