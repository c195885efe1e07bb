"""The parametrisation objects: every closed form checked by differentiation (sympy).

The independent route is calculus: ``d theta_i / ds = -J_i`` and ``d beta_i / ds = -|J_i|^2``
along the flow map, ``beta(theta(s))`` equal to the map's ``beta(s)``, the exact constants of
:meth:`initial_flow` equal to the map from the rounded-free initial state, the GD step equal to
``theta - eta g J``, and the gain equal to ``log(alpha_eff^2 / alpha^2)`` on a flow path from
``alpha_eff``.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp

from theory.errors import DomainError
from theory.parametrisations import (
    SYMPY,
    Difference,
    OutOfDomain,
    Product,
    Shared,
    parametrisation,
)

s, eta, g = sp.symbols("s eta g", real=True)
a, b = sp.symbols("a b", positive=True)
ALL = [Shared(), Shared(3), Shared(4), Product(), Difference()]
IDS = [p.label() for p in ALL]


def zero(expr) -> bool:
    return sp.simplify(sp.expand(sp.sympify(expr).rewrite(sp.exp))) == 0


def _start(P):
    """A generic start: symbols of both signs where the flow map allows them."""
    if P.blocks == 1:
        return (a,)
    return (a, -b) if P.name == "product" else (a, b)


@pytest.mark.parametrize("P", ALL, ids=IDS)
def test_flow_map_solves_the_flow(P):
    f = P.flow_from(_start(P), SYMPY)
    th = f.theta(s)
    for t, J in zip(th, P.jacobians(th)):
        assert zero(sp.diff(t, s) + J)  # d theta / ds = -J
    assert zero(sp.diff(f.beta(s), s) + f.jsq(s))  # d beta / ds = -|J|^2
    assert zero(f.beta(s) - P.beta(th))
    assert zero(P.jacobian_sq(th) - f.jsq(s))
    assert all(zero(t0 - t) for t0, t in zip(_start(P), f.theta(0)))


@pytest.mark.parametrize("P", ALL, ids=IDS)
def test_initial_flow_is_the_flow_from_the_initial_state(P):
    fi = P.initial_flow(a, SYMPY)
    f = P.flow_from(P.initial_state(a, SYMPY), SYMPY)
    assert zero(fi.beta(s) - f.beta(s)) and zero(fi.jsq(s) - f.jsq(s))
    assert all(zero(x - y) for x, y in zip(fi.theta(s), f.theta(s)))
    terms = fi.exp_terms()
    if P.exponential_flow:
        assert zero(sum(w * sp.exp(c * s) for c, w in terms) - fi.beta(s))
    else:
        assert terms is None


@pytest.mark.parametrize("P", ALL, ids=IDS)
def test_gd_step_is_theta_minus_eta_g_J(P):
    th = tuple(sp.Symbol(f"t{i}", real=True) for i in range(P.blocks))
    new = P.step(th, g, eta)
    for t, t1, J in zip(th, new, P.jacobians(th)):
        assert zero(t1 - (t - eta * g * J))
    # and the second derivatives are those of beta
    B = P.hessians(th)
    for i, ti in enumerate(th):
        for j, tj in enumerate(th):
            assert zero(sp.diff(P.beta(th), ti, tj) - B[i][j])


@pytest.mark.parametrize("P", ALL, ids=IDS)
def test_gain_is_the_effective_initialisation_on_a_flow_path(P):
    # on the flow from alpha_eff = b, with G = int g = s, the gain is log(b^2 / a^2)
    th = P.initial_flow(b, SYMPY).theta(s)
    got = P.gain(th, s, a, SYMPY)
    assert zero(sp.expand_log(got - sp.log(b ** 2 / a ** 2), force=True))


@pytest.mark.parametrize("P", ALL, ids=IDS)
def test_curvatures_diagonalise_the_hessian_block_in_a_fixed_basis(P):
    f = P.flow_from(_start(P), SYMPY)
    th = f.theta(s)
    B = sp.Matrix(P.hessians(th))
    J = sp.Matrix(P.jacobians(th))
    parts = f.curvatures(s)
    assert len(parts) == P.blocks
    assert zero(sum(mu for mu, _, _ in parts) - B.trace())
    assert zero(sum(jsq for _, _, jsq in parts) - f.jsq(s))
    for mu, dmu, jsq in parts:
        assert zero((B - mu * sp.eye(P.blocks)).det())  # an eigenvalue of B_i
        assert zero(sp.diff(mu, s) - dmu)
        assert zero(sp.diff(jsq, s) + 2 * mu * jsq)  # the basis does not move with s
        # jsq_j = (q_j . J)^2 for the unit eigenvector q_j of that eigenvalue
        ((_, _, (q,)),) = [v for v in (B - mu * sp.eye(P.blocks)).subs(s, 0).eigenvects()
                           if v[0] == 0]
        q = q / q.norm()
        assert zero((q.T * J)[0] ** 2 - jsq)


@pytest.mark.parametrize("P", ALL, ids=IDS)
def test_power_term_is_the_path_of_a_power_flow(P):
    f = P.initial_flow(a, SYMPY)
    term = f.power_term()
    if P.exponential_flow:
        assert term is None
        return
    weight, base0, slope, m = term
    assert zero(weight * (base0 + slope * s) ** m - f.beta(s))
    assert isinstance(m, F) and isinstance(slope, int)


def test_positive_beta_is_shared_only():
    assert [P.positive_beta for P in ALL] == [True, True, True, False, False]
    for P in ALL:
        f = P.initial_flow(a, SYMPY)
        if not P.positive_beta:  # some point of the path has beta < 0
            assert f.beta(1).subs(a, 1) < 0
        elif P.exponential_flow:  # positive weights of exponentials
            assert all(sp.ask(sp.Q.positive(w)) for _, w in f.exp_terms())
        else:  # a positive weight times a positive base to a power
            assert f.power_term()[0] > 0


def test_power_flow_runs_elementwise_on_arrays():
    """A batch of ``s`` (numpy): ``nan`` outside the domain, no error (float64 sampling)."""
    import numpy as np

    class Float:
        scalar, exp, sinh, cosh, sqrt, log = float, np.exp, np.sinh, np.cosh, np.sqrt, np.log

    f = Shared(4).flow_from((0.5,), Float)  # 1/w^2 = 4 + 8 s
    with np.errstate(invalid="ignore"):
        w = f.theta(np.array([0.0, -1.0]))[0]
    assert w[0] == 0.5 and np.isnan(w[1])


def test_power_flow_leaves_its_domain_with_an_error():
    f = Shared(3).flow_from((F(1, 2),), SYMPY)  # 1/w = 2 + 3 s: undefined for s <= -2/3
    assert f.beta(0) == F(1, 8)
    with pytest.raises(OutOfDomain):
        f.beta(-1)


def test_a_dead_coordinate_stays_dead():
    f = Shared(3).flow_from((0,), SYMPY)
    assert f.beta(s) == 0 and f.theta(s) == (0,) and f.jsq(s) == 0
    assert f.curvatures(s) == [(0, 0, 0)]
    weight, _, slope, _ = f.power_term()
    assert weight == 0 and slope == 0


@pytest.mark.parametrize("args, argument", [
    (("sharred",), "param"), (("product", 3), "depth"), (("shared", 1), "depth"),
    (("shared", True), "depth"), (("shared", 2.0), "depth"), (("shared", "2"), "depth"),
])
def test_bad_names_and_depths_are_refused_naming_the_argument(args, argument):
    with pytest.raises(DomainError) as err:
        parametrisation(*args)
    assert err.value.argument == argument and err.value.value == args[-1]


def test_numpy_integer_depth_is_an_integer():
    import numpy as np

    assert parametrisation("shared", np.int64(3)) == Shared(3)
