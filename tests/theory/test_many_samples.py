"""theory.many_samples: E2's scalings per parametrisation, the duality certificates (N1, N2) and
the flow potentials (N3), against independent exact routes.

Independent routes: the parametrisation objects (theory.parametrisations: beta, jacobian_sq,
initial_flow) differentiated or minimised by sympy; brute force over basic solutions; random
exact interpolators; E2's own ``least_sharpness_matrix`` and E4's ``woodworth_potential``.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import general_networks as E
from theory import many_samples as M
from theory.errors import DomainError, NotDecidable
from theory.parametrisations import SYMPY, parametrisation

t = sp.Symbol("t", positive=True)


# -------------------------------------------------------------------- E2 per parametrisation
@pytest.mark.parametrize("beta", [sp.Integer(3), sp.Rational(-1, 2)])
def test_product_weights_and_norm_are_the_least(beta):
    """Over the factorisations (t, beta/t): |J|^2 = t^2 + beta^2/t^2, ||theta||^2 the same;
    their minimum over t > 0 (sympy) is 2|beta|."""
    P = parametrisation("product")
    theta = (t, beta / t)
    jsq = sp.simplify(P.jacobian_sq(theta))
    crit = [c for c in sp.solve(sp.diff(jsq, t), t) if c.is_positive]
    least = min(jsq.subs(t, c) for c in crit)
    assert sp.simplify(least - M.sharpness_weights([beta])[0]) == 0
    assert sp.simplify(least - M.parameter_norm_sq([beta])) == 0


@pytest.mark.parametrize("beta", [sp.Integer(3), sp.Rational(-1, 2)])
def test_difference_weights_and_norm_are_the_least(beta):
    """u^2 - v^2 = beta along u = sqrt(beta + t^2), v = t (beta > 0) or u = t,
    v = sqrt(t^2 - beta): |J|^2 = 4(u^2 + v^2) and u^2 + v^2 are least at the end where one
    factor is zero."""
    P = parametrisation("difference")
    theta = (sp.sqrt(beta + t**2), t) if beta > 0 else (t, sp.sqrt(t**2 - beta))
    assert sp.simplify(P.beta(theta) - beta) == 0
    jsq = sp.simplify(P.jacobian_sq(theta))
    assert sp.diff(jsq, t).subs(t, 1).is_positive  # increasing in t: least at t = 0
    least = sp.limit(jsq, t, 0)
    assert sp.simplify(least - M.sharpness_weights([beta], "difference")[0]) == 0
    assert sp.simplify(least / 4 - M.parameter_norm_sq([beta], "difference")) == 0


@pytest.mark.parametrize("D", [2, 3, 4, 7])
def test_shared_depth_weights_and_norm(D):
    P = parametrisation("shared", D)
    w = sp.Rational(3, 2)
    beta = P.beta((w,))
    assert sp.simplify(P.jacobian_sq((w,)) - M.sharpness_weights([beta], "shared", D)[0]) == 0
    assert sp.simplify(w**2 - M.parameter_norm_sq([beta], "shared", D)) == 0


def test_e2_product_scaling_agrees_with_least_sharpness_matrix():
    X, beta = [[1, 2, 0], [3, -1, 1]], [2, -1, 3]
    top = max(E.least_sharpness_matrix(X, beta).charpoly().real_roots())
    assert sp.simplify(M.least_sharpness(X, beta) - top) == 0
    assert sp.simplify(M.least_sharpness(X, beta, "difference") - 2 * top) == 0


def test_spec_norm_for_shared_depth_is_not_e2s():
    """E2's D sum |beta|^(2/D) is the norm of D factors; shared depth D has one vector."""
    assert E.least_param_norm([8], 3) == 12 and M.parameter_norm_sq([8], "shared", 3) == 4


def test_least_sharpness_one_sample_and_errors():
    assert M.least_sharpness([[1, 2]], [3, -1]) == 2 * (1 * 3 + 4 * 1)
    assert M.least_sharpness([[1, 2]], [1, 8], "shared", 3) == 9 * (1 + 4 * 16)
    with pytest.raises(NotDecidable):
        M.least_sharpness([[1, 2], [0, 1]], [2, 3], "shared", 3)
    with pytest.raises(DomainError) as info:
        M.sharpness_weights([1, -1], "shared")
    assert info.value.argument == "beta[1]"


# --------------------------------------------------------------------------------- N1
def test_n1_certificate_accepts_the_optimum_and_refutes_perturbations():
    X, y = [[1, 2, 0], [0, 1, 1]], [2, 1]
    good = M.min_norm_certificate(X, y, [0, 1, 0], [F(1, 2), F(0)])
    assert good.optimal and good.gap == 0 and good.l1_norm == 1
    along_null = M.min_norm_certificate(X, y, [F(1, 2), F(3, 4), F(1, 4)], [F(1, 2), 0])
    assert along_null.interpolates and along_null.dual_feasible and not along_null.optimal
    assert along_null.gap == F(1, 2)
    off = M.min_norm_certificate(X, y, [0, 1, F(1, 100)], [F(1, 2), 0])
    assert not off.interpolates and not off.optimal
    infeasible_dual = M.min_norm_certificate(X, y, [0, 1, 0], [1, 0])
    assert not infeasible_dual.dual_feasible and not infeasible_dual.optimal


def basic_l1(X, y):
    """Least ||beta||_1 over the basic solutions (sympy)."""
    from itertools import combinations

    Xm, ys = sp.Matrix(X), sp.Matrix(y)
    best = None
    for k in range(1, Xm.shape[0] + 1):
        for T in combinations(range(Xm.shape[1]), k):
            XT = Xm.extract(list(range(Xm.shape[0])), list(T))
            if XT.rank() < k or XT.row_join(ys).rank() > k:
                continue
            b = (XT.T * XT).LUsolve(XT.T * ys)
            v = sum(abs(c) for c in b)
            best = v if best is None else min(best, v)
    return best


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=1, max_size=2),
       st.lists(st.integers(-3, 3), min_size=2, max_size=2))
def test_n1_weak_duality(X, nu):
    """For every interpolator and every dual-feasible nu: ||beta||_1 >= y^T nu."""
    y = [sum(a * b for a, b in zip(row, [1, -1, 2])) for row in X]
    nu = [sp.Rational(v, 4) for v in nu[: len(X)]]
    c = M.min_norm_certificate(X, y, [1, -1, 2], nu)
    assert c.interpolates
    if c.dual_feasible:
        assert c.gap >= 0
        best = basic_l1(X, y)
        if best is not None:
            assert best >= c.dual_value


# --------------------------------------------------------------------------------- N2
def test_n2_one_sample_bound_is_the_optimum():
    # x = (1, 2), y = 2: S* = 2 |y| min |x_i| = 4 (product), 8 (difference)
    assert M.sharpness_dual_bound([[1, 2]], [2], [[1]], [1]) == 4
    assert M.sharpness_dual_bound([[1, 2]], [2], [[1]], [1], "difference") == 8


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=6, max_size=6),
       st.lists(st.integers(-3, 3), min_size=4, max_size=4),
       st.lists(st.integers(-2, 2), min_size=2, max_size=2),
       st.sampled_from(["product", "difference"]))
def test_n2_weak_duality(xs, qs, nus, param):
    """The bound from any (Q, nu) is at most the least sharpness of any interpolator."""
    X = [xs[:3], xs[3:]]
    beta = [1, -2, 1]
    y = [sum(a * b for a, b in zip(row, beta)) for row in X]
    Q = [qs[:2], qs[2:]]
    if all(q == 0 for q in qs):
        return
    bound = M.sharpness_dual_bound(X, y, Q, nus, param)
    assert bound >= 0
    assert sp.N(M.least_sharpness(X, beta, param) - bound, 30) >= -1e-25


def test_n2_power_bound_shared_depth_three():
    X, y = [[1, 2]], [3]
    # beta = (1, 1) interpolates; the bound at nu small is below S(beta) = 9 (1 + 4)
    bound = M.sharpness_dual_bound(X, y, [[1]], [sp.Rational(1, 2)], "shared", 3)
    assert 0 < bound <= M.least_sharpness(X, [1, 1], "shared", 3)


# --------------------------------------------------------------------------------- N3
@pytest.mark.parametrize("param", ["difference", "product", "shared"])
def test_n3_mirror_map_is_the_potential_gradient(param):
    b = sp.symbols("b0:2", positive=True)
    a = sp.Rational(1, 3)
    Q = M.flow_potential(list(b), a, param)
    grad = [sp.diff(Q, v) for v in b]
    mirror = M.flow_mirror_map(list(b), a, param)
    for g, m in zip(grad, mirror):
        assert sp.simplify((g - m).rewrite(sp.log)) == 0


@pytest.mark.parametrize("param, slope", [("difference", -4), ("product", -2), ("shared", -4)])
def test_n3_mirror_map_is_linear_along_the_flow(param, slope):
    """Along each coordinate's closed-form flow (theory.parametrisations), the mirror map of
    beta(s) is slope * s: so at the limit it lies in the row space of X."""
    a = sp.Rational(1, 5)
    flow = parametrisation(param).initial_flow(a, SYMPY)
    for s in (sp.Rational(1, 3), sp.Rational(-2, 7)):
        m = M.flow_mirror_map([flow.beta(s)], a, param)[0]
        assert abs(sp.N(m - slope * s, 60)) < 1e-50


def test_n3_product_is_difference_at_alpha_over_sqrt2():
    a = sp.Rational(1, 2)
    beta = [sp.Rational(1, 3), -2]
    assert sp.simplify(M.flow_potential(beta, a, "product")
                       - E.woodworth_potential(a / sp.sqrt(2), beta)) == 0


def test_n3_depth_is_two():
    with pytest.raises(DomainError) as info:
        M.flow_potential([1], 1, parametrisation("shared", 3))
    assert info.value.argument == "depth"
