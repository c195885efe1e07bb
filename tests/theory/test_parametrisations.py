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


def test_power_flow_leaves_its_domain_with_an_error():
    f = Shared(3).flow_from((F(1, 2),), SYMPY)  # 1/w = 2 + 3 s: undefined for s <= -2/3
    assert f.beta(0) == F(1, 8)
    with pytest.raises(OutOfDomain):
        f.beta(-1)


def test_a_dead_coordinate_stays_dead():
    f = Shared(3).flow_from((0,), SYMPY)
    assert f.beta(s) == 0 and f.theta(s) == (0,) and f.jsq(s) == 0


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
