"""The quantization bridge experiment (numerics.bridge): exact losses, the zero-loss trace,
the undecided rule, and the experiment's readings on a reduced run.

Independent routes: ``theory.loss`` (sympy) for the exact loss, ``theory.zero_loss_sharpness``
for ``tr H = S`` at a rational zero-loss point (rank one: one sample), and hand-rounded grids.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import theory as T
from numerics import Problem
from numerics import bridge as BR
from numerics.errors import DomainError

DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100))


def test_exact_loss_equals_theory():
    for w in [(F(1, 3), F(4, 3)), (F(7, 8), F(-1, 5)), (F(0), F(2))]:
        assert BR.exact_loss(DEFAULT, (w,)) == F(T.loss([1, "1/2"], 1, list(w)))


def test_zero_loss_trace_is_the_sharpness_for_one_sample():
    """w = (1/3, 4/3): beta = (1/9, 16/9), <x, beta> = 1/9 + 8/9 = 1: zero loss; H has rank
    one there, so tr H = S = 4 sum x_i^2 beta_i = 20/9."""
    w = (F(1, 3), F(4, 3))
    assert BR.exact_loss(DEFAULT, (w,)) == 0
    S = F(T.zero_loss_sharpness([1, "1/2"], 1, [w[0] ** 2, w[1] ** 2]))
    assert BR.zero_loss_trace(DEFAULT, (w,)) == S == F(20, 9)


def test_rounding_is_undecided_when_the_precisions_straddle_a_midpoint():
    m = F(3, 8)  # midpoint of the grid 2^-2 Z between 1/4 and 1/2
    assert BR._rounded(m - F(1, 10**20), m + F(1, 10**20), 2, 0) is None
    assert BR._rounded(m + F(1, 10**3), m + F(1, 10**3) + F(1, 10**9), 2, 0) == F(1, 2)
    # widened tenfold: 2e-6 above the midpoint, known only to 1e-6, is undecided
    assert BR._rounded(m + F(1, 10**6), m + F(2, 10**6), 2, 0) is None


@pytest.fixture(scope="module")
def small_run():
    return BR.bridge_experiment(etas=(F(1, 10), F(9, 10)), bits=(4, 8), offsets=4)


def test_the_experiment_is_labelled_and_complete(small_run):
    j = small_run.to_json()
    assert j["kind"] == "experiment" and all(r["kind"] == "experiment" for r in j["rows"])
    assert [(r["eta"], r["b"]) for r in j["rows"]] == [("1/10", 4), ("1/10", 8),
                                                       ("9/10", 4), ("9/10", 8)]
    assert all(r["status"] == "decided" and r["grids"] == 4 ** 2 for r in j["rows"])
    assert j["band"] == [1 - 1 / 16, 1 + 5 / 16]


def test_quantized_parameters_and_losses_are_exact(small_run):
    for row in small_run.rows:
        q = tuple(tuple(F(v) for v in blk) for blk in row["quantized"])
        h = F(row["h"])
        assert all((v / h).denominator == 1 for blk in q for v in blk)
        # L(Q(w)) by sympy, minus the increase, is the GD solution's own loss: below its tol
        base = F(T.loss([1, "1/2"], 1, list(q[0]))) - F(row["loss_increase"])
        assert 0 <= base <= F(1, 10**20)


def test_flatter_solutions_lose_less_on_average(small_run):
    """Second-order prediction S h^2/24: the eta = 9/10 solution (S ~ 2.17) loses less than
    the eta = 1/10 one (S ~ 3.99) at every resolution, and the ratio to the prediction lies in
    the band of K = 4 offsets at b = 8."""
    by = {(r["eta"], r["b"]): r for r in small_run.rows}
    lo, hi = small_run.band
    for b in (4, 8):
        flat, sharp = by[("9/10", b)], by[("1/10", b)]
        assert flat["sharpness"] < sharp["sharpness"]
        assert F(flat["mean_loss_increase"]) < F(sharp["mean_loss_increase"])
    for eta in ("1/10", "9/10"):
        assert float(lo) <= by[(eta, 8)]["ratio"] <= float(hi)


def test_bad_input():
    for kw, argument in [({"offsets": 0}, "offsets"), ({"bits": (-1,)}, "bits"),
                         ({"problem": "default"}, "problem"), ({"offsets": 1000}, "offsets")]:
        with pytest.raises(DomainError) as exc:
            BR.bridge_experiment(**kw)
        assert exc.value.argument == argument
