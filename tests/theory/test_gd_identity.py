"""R7: exact gradient descent, the product identity and the effective initialisation.

Independent route: gradient descent iterated by hand in exact ``Fraction`` arithmetic with the
gradient ``dL/dw_i = 2 r x_i w_i`` derived by hand (and checked once against ``sympy.diff``).
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import islice

import pytest
import sympy as sp

from theory import effective_initialisation, gd_iterates, gd_product_identity, gd_step


def _hand_gd(x, y, alpha, eta, K):
    """[(w_k, r_k) for k = 0..K] with Fractions: w <- w - eta * 2 r x w (hand gradient)."""
    x = [F(v) for v in x]
    w = [F(alpha)] * len(x)
    out = []
    for _ in range(K + 1):
        r = sum(xi * wi * wi for xi, wi in zip(x, w, strict=True)) - F(y)
        out.append((tuple(w), r))
        w = [wi - F(eta) * 2 * r * xi * wi for xi, wi in zip(x, w, strict=True)]
    return out


CASES = [
    # x, y, alpha, eta ; comments give the reason for the row
    ((1, F(1, 2)), 1, 1, F(1, 2)),
    ((1, F(1, 2)), 1, F(1, 10), F(3, 5)),  # edge of stability regime of the default instance
    ((1, F(1, 2)), 1, 1, 1),  # r_0 = 1/2: 1 - 2 * 1 * 1/2 * 1 = 0 kills coordinate 0 at k = 0
    ((1, F(1, 2)), 1, 1, 2),  # 1 - 2 * 2 * 1/2 * 1/2 = 0 kills coordinate 1 at k = 0
    ((3, 2, 5), 2, F(1, 5), F(1, 20)),
    ((3, 2, 5), 2, 1, F(1, 40)),  # r_0 = 8: factor 1 - 2 (1/40) 8 * 5 = -1 (sign flip)
    ((1, 1, F(1, 2)), 1, F(1, 2), F(1, 3)),  # ties
]


def test_hand_gradient_matches_sympy_diff():
    u = sp.symbols("u0:3", real=True)
    x, y = (3, 2, 5), 2
    L = sp.Rational(1, 2) * (sum(xi * ui**2 for xi, ui in zip(x, u, strict=True)) - y) ** 2
    w = (F(1, 5), F(2, 3), F(1, 7))
    r = sum(F(xi) * wi * wi for xi, wi in zip(x, w, strict=True)) - y
    for i, ui in enumerate(u):
        assert sp.diff(L, ui).subs(dict(zip(u, w, strict=True))) == 2 * r * x[i] * w[i]


@pytest.mark.parametrize("x,y,alpha,eta", CASES)
def test_gd_iterates_and_step_match_hand_iteration(x, y, alpha, eta):
    K = 6
    hand = _hand_gd(x, y, alpha, eta, K)
    got = list(islice(gd_iterates(x, y, alpha, eta), K + 1))
    assert len(got) == K + 1
    for (w_h, r_h), (w_g, r_g) in zip(hand, got, strict=True):
        assert tuple(w_g) == w_h and r_g == r_h
    for (w0, _), (w1, _) in zip(hand, hand[1:], strict=False):
        assert gd_step(x, y, eta, w0) == w1


@pytest.mark.parametrize("x,y,alpha,eta", CASES)
def test_product_identity_reproduces_beta_K(x, y, alpha, eta):
    K = 6
    hand = _hand_gd(x, y, alpha, eta, K)
    for k in range(K + 1):
        residuals = [r for _, r in hand[:k]]
        beta_k = tuple(wi * wi for wi in hand[k][0])
        assert gd_product_identity(x, alpha, eta, residuals) == beta_k


def test_zero_factor_kills_a_coordinate_for_good():
    hand = _hand_gd((1, F(1, 2)), 1, 1, 1, 5)
    assert hand[0][1] == F(1, 2)  # r_0 = 1 + 1/2 - 1
    assert all(w[0] == 0 for w, _ in hand[1:])  # coordinate 0 is dead from step 1 on
    beta = gd_product_identity((1, F(1, 2)), 1, 1, [r for _, r in hand[:5]])
    assert beta[0] == 0 and beta[1] == hand[5][0][1] ** 2


@pytest.mark.parametrize("x,y,alpha,eta", CASES)
def test_effective_initialisation(x, y, alpha, eta):
    K = 5
    hand = _hand_gd(x, y, alpha, eta, K)
    residuals = [r for _, r in hand[:K]]
    beta_K = [wi * wi for wi in hand[K][0]]
    e = effective_initialisation(x, alpha, eta, residuals)
    R = F(eta) * sum(residuals)
    assert e.R == R
    a2 = sp.sympify(F(alpha)) ** 2
    for i, xi in enumerate(x):
        factors = [1 - 2 * F(eta) * r * F(xi) for r in residuals]
        if any(f == 0 for f in factors):
            assert e.G[i] == sp.oo and e.alpha_eff_sq[i] == 0
            assert beta_K[i] == 0
            continue
        # G_i as written in the specification, one term per step
        G_spec = sum(-2 * sp.log(abs(sp.sympify(f))) - 4 * sp.sympify(F(eta) * r * F(xi))
                     for f, r in zip(factors, residuals, strict=True))
        assert sp.simplify(sp.exp(-e.G[i]) - sp.exp(-G_spec)) == 0
        assert abs(sp.N(e.G[i] - G_spec, 50)) < sp.Rational(1, 10**40)
        assert sp.simplify(e.alpha_eff_sq[i] - a2 * sp.exp(-e.G[i])) == 0
        assert sp.simplify(e.alpha_eff_sq[i] * sp.exp(-4 * sp.sympify(F(xi)) * R) - beta_K[i]) == 0


def test_dead_coordinate_at_a_later_step():
    # the identity holds for any residual sequence: make the factor vanish at k = 2 for x_0 = 1
    x, alpha, eta = (1, F(1, 2)), F(1, 3), F(1, 4)
    residuals = [F(1, 5), F(-1, 7), 2]  # 1 - 2 * (1/4) * 2 * 1 = 0
    e = effective_initialisation(x, alpha, eta, residuals)
    assert e.G[0] == sp.oo and e.alpha_eff_sq[0] == 0
    assert gd_product_identity(x, alpha, eta, residuals)[0] == 0
    # coordinate 1 lives: beta = alpha^2 prod (1 - r/4)^2 by hand
    expected = F(1, 9) * (1 - F(1, 20)) ** 2 * (1 + F(1, 28)) ** 2 * (1 - F(1, 2)) ** 2
    assert gd_product_identity(x, alpha, eta, residuals)[1] == expected
    assert sp.simplify(e.alpha_eff_sq[1] * sp.exp(-4 * sp.Rational(1, 2) * e.R) - expected) == 0


def test_G_sign_statement_of_the_docstring():
    # summand -2 log(1 - z) - 2 z >= 0 for z < 1 (log(1 - z) <= -z), z = 2 eta r x
    e = effective_initialisation((1, F(1, 2)), 1, F(1, 10), [F(1, 2), F(-3, 4), F(2, 3)])
    assert all(sp.N(G) >= 0 for G in e.G)
    # but negative for an overshooting step: z = 2 * 1 * 1 * 1 = 2: -2 log 1 - 4 = -4
    e = effective_initialisation((1, F(1, 2)), 1, 1, [1])
    assert e.G[0] == -4
