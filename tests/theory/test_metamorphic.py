"""Metamorphic tests: restate a problem in an equivalent form and check the answer moves as it must.

Relations used (each follows from the definitions, not from the code): permuting coordinates
permutes interpolators and keeps norms, sharpness and thresholds; ``(x, y) -> (c x, c y)`` keeps
``M`` and the interpolators, scales sharpness by ``c^2`` and thresholds by ``1/c^2``; ``y -> k y``
scales every interpolator by ``k``; writing the same numbers as strings, Fractions or sympy
Rationals changes nothing. Strategies draw exact Fractions; the profile comes from conftest.
"""

from __future__ import annotations

from fractions import Fraction as F

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory import (
    eos_interpolator,
    least_norm_stable_interpolator,
    min_norm_interpolator,
    min_sharpness_interpolator,
    pareto_front,
    stability_thresholds,
    uniform_prior,
    zero_loss_bounds,
    zero_loss_vertices,
)

positive = st.fractions(min_value=F(1, 10), max_value=10, max_denominator=12).filter(
    lambda v: v > 0)
scale = st.fractions(min_value=F(1, 5), max_value=5, max_denominator=6).filter(lambda v: v > 0)


@st.composite
def instances(draw, min_d=2, max_d=4, distinct=True):
    d = draw(st.integers(min_d, max_d))
    x = draw(st.lists(positive, min_size=d, max_size=d, unique=distinct))
    y = draw(positive)
    perm = draw(st.permutations(range(d)))
    return tuple(x), y, tuple(perm)


def _permute(v, perm):
    return tuple(v[p] for p in perm)


@given(instances(distinct=False))
def test_permutation_permutes_interpolators(inst):
    x, y, perm = inst
    xp = _permute(x, perm)
    for f in (min_norm_interpolator, min_sharpness_interpolator):
        a, b = f(x, y), f(xp, y)
        assert b.beta == _permute(a.beta, perm)
        assert (b.l1_norm, b.sharpness) == (a.l1_norm, a.sharpness)
        assert {_permute(v, perm) for v in a.vertices} == set(b.vertices)
    assert set(zero_loss_vertices(xp, y)) == {_permute(v, perm) for v in zero_loss_vertices(x, y)}
    assert stability_thresholds(xp, y) == stability_thresholds(x, y)
    assert zero_loss_bounds(xp, y) == zero_loss_bounds(x, y)
    assert uniform_prior(xp, y).mean == _permute(uniform_prior(x, y).mean, perm)
    fa, fb = pareto_front(x, y), pareto_front(xp, y)
    assert [bp[:2] for bp in fa.breakpoints] == [bp[:2] for bp in fb.breakpoints]


@given(instances(), st.integers(0, 8))
def test_permutation_permutes_least_norm_stable_interpolator(inst, k):
    x, y, perm = inst
    t = stability_thresholds(x, y)
    lo, hi = t.eta_min_norm_unstable, t.eta_no_stable_interpolator
    eta = lo / 2 + (hi - lo / 2) * sp.Rational(k, 8)  # from below beta^N's threshold to the top
    a = least_norm_stable_interpolator(x, y, eta)
    b = least_norm_stable_interpolator(_permute(x, perm), y, eta)
    assert b == _permute(a, perm)


@given(instances(max_d=2), st.integers(0, 6))
def test_eos_interpolator_swaps_with_coordinates(inst, k):
    x, y, _ = inst
    lo, hi = 1 / (2 * y * max(x)), 1 / (2 * y * min(x))
    eta = lo + (hi - lo) * F(k, 6)
    assert eos_interpolator(x[::-1], y, eta) == eos_interpolator(x, y, eta)[::-1]


@given(instances(distinct=False), scale)
def test_scaling_x_and_y_together(inst, c):
    # <c x, beta> = c y  <=>  <x, beta> = y: the same M; S = 4 sum (c x_i)^2 beta_i = c^2 S.
    x, y, _ = inst
    xc = tuple(c * v for v in x)
    for f in (min_norm_interpolator, min_sharpness_interpolator):
        a, b = f(x, y), f(xc, c * y)
        assert b.beta == a.beta
        assert b.l1_norm == a.l1_norm
        assert b.sharpness == c**2 * a.sharpness
    t, tc = stability_thresholds(x, y), stability_thresholds(xc, c * y)
    assert tc.eta_min_norm_unstable == t.eta_min_norm_unstable / c**2
    assert tc.eta_no_stable_interpolator == t.eta_no_stable_interpolator / c**2
    f, fc = pareto_front(x, y), pareto_front(xc, c * y)
    for (s, n, i), (sc, nc, ic) in zip(f.breakpoints, fc.breakpoints, strict=True):
        assert (sc, nc, ic) == (c**2 * s, n, i)
    mid = (f.breakpoints[0][0] + f.breakpoints[-1][0]) / 2
    assert fc.l1_at(c**2 * mid) == f.l1_at(mid)


@given(instances(distinct=False), scale)
def test_scaling_y_alone_scales_beta_linearly(inst, k):
    x, y, _ = inst
    for f in (min_norm_interpolator, min_sharpness_interpolator):
        a, b = f(x, y), f(x, k * y)
        assert b.beta == tuple(k * v for v in a.beta)
        assert (b.l1_norm, b.sharpness) == (k * a.l1_norm, k * a.sharpness)
    assert uniform_prior(x, k * y).mean == tuple(k * m for m in uniform_prior(x, y).mean)
    t, tk = stability_thresholds(x, y), stability_thresholds(x, k * y)
    assert tk.eta_min_norm_unstable == t.eta_min_norm_unstable / k


@given(instances(distinct=False))
def test_norm_order_of_vertices(inst):
    x, y, _ = inst
    n, s = min_norm_interpolator(x, y), min_sharpness_interpolator(x, y)
    vertex_l1 = [sum(v) for v in zero_loss_vertices(x, y)]
    assert vertex_l1 == [y / xi for xi in x]  # vertex (y/x_i) e_i by hand
    assert all(n.l1_norm <= v <= s.l1_norm for v in vertex_l1)
    vertex_S = [4 * y * xi for xi in x]  # 4 x_i^2 (y / x_i)
    assert all(s.sharpness <= v <= n.sharpness for v in vertex_S)


@given(instances(distinct=False))
def test_equivalent_spellings_of_the_same_numbers(inst):
    # strings "p/q", Fractions and sympy Rationals denote the same exact numbers
    x, y, _ = inst
    as_str = ([f"{v.numerator}/{v.denominator}" for v in x], f"{y.numerator}/{y.denominator}")
    as_sympy = ([sp.Rational(v.numerator, v.denominator) for v in x],
                sp.Rational(y.numerator, y.denominator))
    reference = min_norm_interpolator(x, y)
    for xs, ys in (as_str, as_sympy):
        assert min_norm_interpolator(xs, ys) == reference
        assert stability_thresholds(xs, ys) == stability_thresholds(x, y)
