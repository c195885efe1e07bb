"""R5: linear stability of interpolators under gradient descent.

Independent routes: the Jacobian ``I - eta Hess L`` of the GD map built from ``sympy.hessian`` of
the hand-written loss and its ``eigenvals()``; hand values ``1/(2 y x_max)``, ``1/(2 y x_min)``;
``scipy.optimize.linprog`` for the least-norm stable interpolator.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import linprog

from theory import (
    DomainError,
    is_linearly_stable,
    jacobian_eigenvalue,
    least_norm_stable_interpolator,
    stability_thresholds,
)

THRESHOLDS = [
    # x, y, 1/(2 y x_max), 1/(2 y x_min)  (by hand)
    ((1, F(1, 2)), 1, F(1, 2), 1),
    ((3, 2, 5), 2, F(1, 20), F(1, 8)),
    ((F(1, 3), F(1, 7), F(1, 2), 1), F(3, 2), F(1, 3), F(7, 3)),
    ((2, 2, 1), 1, F(1, 4), F(1, 2)),
]


@pytest.mark.parametrize("x,y,eta_N,eta_none", THRESHOLDS)
def test_thresholds_table(x, y, eta_N, eta_none):
    t = stability_thresholds(x, y)
    assert t.eta_min_norm_unstable == eta_N
    assert t.eta_no_stable_interpolator == eta_none


def _gd_jacobian_at(x, y, beta, eta):
    """I - eta Hess L at w = sqrt(beta), with Hess from sympy.hessian of the hand-written loss."""
    d = len(x)
    u = sp.symbols(f"u0:{d}", real=True)
    r = sum(sp.sympify(F(a)) * ui**2 for a, ui in zip(x, u, strict=True)) - y
    L = sp.Rational(1, 2) * r**2
    w = {ui: sp.sqrt(sp.sympify(F(b))) for ui, b in zip(u, beta, strict=True)}
    step = sp.Matrix(u) - sp.sympify(F(eta)) * sp.Matrix([sp.diff(L, ui) for ui in u])
    return step.jacobian(u).subs(w)


@pytest.mark.parametrize(
    "x,y,beta,eta",
    [
        ((1, F(1, 2)), 1, (1, 0), F(2, 3)),
        ((1, F(1, 2)), 1, (F(1, 2), 1), F(1, 3)),
        ((3, 2, 5), 2, (F(1, 3), F(1, 2), 0), F(1, 10)),
        ((1, F(1, 2), F(1, 4)), 1, (F(1, 3), F(2, 3), F(4, 3)), 1),
    ],
)
def test_jacobian_eigenvalue_is_the_nontrivial_eigenvalue_of_the_gd_map(x, y, beta, eta):
    S = 4 * sum(F(a) ** 2 * F(b) for a, b in zip(x, beta, strict=True))  # R1 on M, by hand
    J = _gd_jacobian_at(x, y, beta, eta)
    eig = J.eigenvals()
    expected = {sp.sympify(1 - F(eta) * S): 1}
    expected[sp.Integer(1)] = expected.get(sp.Integer(1), 0) + len(x) - 1
    assert eig == expected
    assert jacobian_eigenvalue(S, eta) == 1 - F(eta) * S
    # linear stability = spectral radius of J at most 1
    assert is_linearly_stable(S, eta) == (max(abs(v) for v in eig) <= 1)


@pytest.mark.parametrize(
    "S,eta,stable",
    [
        (3, F(2, 3), True),  # S = 2/eta exactly: marginal, the claim's convention is stable
        (3, F(2, 3) - F(1, 1000), True),
        (3, F(2, 3) + F(1, 1000), False),
        (0, 5, True),
        (4, F(1, 2), True),
        (4, F(1, 2) + F(1, 10**12), False),
        (F(1, 3), 6, True),
        (F(1, 3), 7, False),
    ],
)
def test_is_linearly_stable_at_below_above(S, eta, stable):
    # |1 - eta S| <= 1  <=>  eta S <= 2 for S >= 0, eta > 0
    assert F(eta) * F(S) <= 2 if stable else F(eta) * F(S) > 2
    assert is_linearly_stable(S, eta) is stable


def _lp_least_stable(x, y, eta):
    xf = np.array([float(v) for v in x])
    res = linprog(
        np.ones(len(x)), A_ub=np.array([4 * xf**2]), b_ub=np.array([2 / float(eta)]),
        A_eq=np.array([xf]), b_eq=np.array([float(y)]), bounds=[(0, None)] * len(x),
        method="highs",
    )
    assert res.status == 0
    return res.fun


LEAST_STABLE = [
    # x, y, eta, expected beta (hand)
    ((1, F(1, 2)), 1, F(1, 4), (1, 0)),  # eta <= 1/2: beta^N is stable
    ((1, F(1, 2)), 1, F(1, 2), (1, 0)),  # at the threshold (marginal)
    # eta = 3/5: S = 10/3 on M: b1 + b2/2 = 1, 4 (b1 + b2/4) = 10/3 -> b2 = 2/3, b1 = 2/3
    ((1, F(1, 2)), 1, F(3, 5), (F(2, 3), F(2, 3))),
    ((1, F(1, 2)), 1, 1, (0, 2)),  # eta = 1/(2 y x_min): only beta^S
    # x = (1, 1/2, 1/4), eta = 2/3: S = 3 in [2, 4]: the edge of vertices 1 and 1/2:
    # b1 + b2/2 = 1, 4 (b1 + b2/4) = 3 -> b2 = 1, b1 = 1/2
    ((1, F(1, 2), F(1, 4)), 1, F(2, 3), (F(1, 2), 1, 0)),
    # eta = 4/3: S = 3/2 in [1, 2]: the edge of vertices 1/2, 1/4:
    # b2/2 + b3/4 = 1, 4 (b2/4 + b3/16) = 3/2 -> b2 = 1, b3 = 2
    ((1, F(1, 2), F(1, 4)), 1, F(4, 3), (0, 1, 2)),
]


@pytest.mark.parametrize("x,y,eta,expected", LEAST_STABLE)
def test_least_norm_stable_interpolator(x, y, eta, expected):
    beta = least_norm_stable_interpolator(x, y, eta)
    assert beta == expected
    S = 4 * sum(F(a) ** 2 * F(b) for a, b in zip(x, expected, strict=True))
    assert is_linearly_stable(S, eta)
    assert abs(float(sum(F(b) for b in expected)) - _lp_least_stable(x, y, eta)) < 1e-9


def test_no_stable_interpolator_above_threshold():
    with pytest.raises(DomainError) as info:
        least_norm_stable_interpolator((1, F(1, 2)), 1, 1 + F(1, 100))
    assert info.value.argument == "eta" and info.value.claim == "R5"
    # independently: the least sharpness on M is 4 y x_min = 2 > 2/eta for eta > 1
    assert 4 * 1 * F(1, 2) > 2 / (1 + F(1, 100))
