"""The general-network statements E1 to E5 (theory.general_networks) against independent routes.

Every expected value is computed here from first principles: ``sympy.hessian`` / ``sympy.diff``
of the loss written out by hand, explicit factorisations, hand-iterated gradient descent in
Fractions, and explicit solutions of the flow's ODE. Nothing here calls one E-function to check
another, except where the claim *is* a relation between two of them (the Gram form is the
non-zero spectrum of the Hessian).
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
import sympy as sp

from theory import general_networks as E


def _Q(v):
    v = F(v)
    return sp.Rational(v.numerator, v.denominator)


def _loss(X, y, beta):
    """``1/(2n) ||X beta - y||^2`` written out (the specification's loss)."""
    n = len(X)
    return sum((sum(_Q(X[m][i]) * beta[i] for i in range(len(beta))) - _Q(y[m])) ** 2
               for m in range(n)) / (2 * n)


def _symbols(d):
    return sp.symbols(f"u0:{d}", real=True), sp.symbols(f"v0:{d}", real=True)


def _param_beta(param, us, vs):
    if param == "product":
        return [a * b for a, b in zip(us, vs, strict=True)]
    return [a * a - b * b for a, b in zip(us, vs, strict=True)]


def _hessian_by_sympy(X, y, u, v, param):
    us, vs = _symbols(len(u))
    L = _loss(X, y, _param_beta(param, us, vs))
    at = {**dict(zip(us, map(_Q, u), strict=True)), **dict(zip(vs, map(_Q, v), strict=True))}
    return sp.hessian(L, list(us) + list(vs)).xreplace(at)


def _rand_rational(rng, lo=-3, hi=3, den=4):
    return F(rng.randint(lo * den, hi * den), rng.randint(1, den))


def _random_problem(rng, n, d):
    X = [[_rand_rational(rng) for _ in range(d)] for _ in range(n)]
    y = [_rand_rational(rng) for _ in range(n)]
    u = [_rand_rational(rng) for _ in range(d)]
    v = [_rand_rational(rng) for _ in range(d)]
    return X, y, u, v


# ------------------------------------------------------------------------------ E1
@pytest.mark.parametrize("param", ["product", "difference"])
@pytest.mark.parametrize("n,d,seed", [(1, 2, 0), (2, 3, 1), (3, 2, 2), (3, 3, 3)])
def test_hessian_formula_is_sympy_hessian_of_the_loss(param, n, d, seed):
    X, y, u, v = _random_problem(random.Random(seed), n, d)
    got = E.hessian_formula(X, y, u, v, param)
    assert (sp.Matrix(got) - _hessian_by_sympy(X, y, u, v, param)).is_zero_matrix


def _zero_loss(rng, n, d, param):
    """A random (X, u, v) with y := X beta(u, v): a zero-loss point."""
    X, _, u, v = _random_problem(rng, n, d)
    beta = [F(a) * F(b) if param == "product" else F(a) ** 2 - F(b) ** 2
            for a, b in zip(u, v, strict=True)]
    y = [sum(X[m][i] * beta[i] for i in range(d)) for m in range(n)]
    return X, y, u, v


@pytest.mark.parametrize("param", ["product", "difference"])
@pytest.mark.parametrize("n,d,seed", [(1, 2, 4), (2, 3, 5), (2, 2, 6), (3, 3, 7)])
def test_gram_form_is_the_nonzero_spectrum_of_the_hessian_at_zero_loss(param, n, d, seed):
    """At zero loss H = J^T J (2d x 2d) and J J^T (n x n) share their non-zero eigenvalues:
    det(lam - J^T J) = lam^(2d - n) det(lam - J J^T) (Sylvester). The Hessian is sympy's."""
    X, y, u, v = _zero_loss(random.Random(seed), n, d, param)
    H = _hessian_by_sympy(X, y, u, v, param)
    G = sp.Matrix(E.gram_form(X, u, v, param))
    lam = sp.Symbol("lam")
    assert sp.expand(H.charpoly(lam).as_expr()
                     - lam ** (2 * d - n) * G.charpoly(lam).as_expr()) == 0


def test_the_zero_eigenvalue_has_multiplicity_2d_minus_rank_J_not_2d_minus_n():
    """The corrected E1 (see gram_form's Notes): X = [[1, 1], [1, 1]] (two equal samples),
    u = v = (1, 1), y = X (u v) = (2, 2): J has rank 1, so H (4 x 4, sympy's own Hessian) has a
    three-fold zero eigenvalue, not 2d - n = 2; its non-zero eigenvalue is J J^T's, 4."""
    X, y, u, v = [[1, 1], [1, 1]], [2, 2], [1, 1], [1, 1]
    H = _hessian_by_sympy(X, y, u, v, "product")
    assert H.eigenvals() == {0: 3, 4: 1}
    assert sp.Matrix(E.gram_form(X, u, v)).eigenvals() == {0: 1, 4: 1}


def test_gram_form_weights_by_hand():
    """One sample x = (1, 2), (u, v) = ((1, 0), (0, 1)): product weights u^2 + v^2 = (1, 1)
    give 1 + 4 = 5; difference weights are four times that."""
    assert E.gram_form([[1, 2]], [1, 0], [0, 1], "product") == sp.Matrix([[5]])
    assert E.gram_form([[1, 2]], [1, 0], [0, 1], "difference") == sp.Matrix([[20]])


# ------------------------------------------------------------------------------ E2
def _balanced_depth3(beta):
    """``u_1 = sign(beta) |beta|^(1/3)``, ``u_2 = u_3 = |beta|^(1/3)`` (exact cube roots)."""
    r = [sp.Abs(_Q(b)) ** sp.Rational(1, 3) for b in beta]
    return [sp.sign(_Q(b)) * c for b, c in zip(beta, r, strict=True)], r, list(r)


@pytest.mark.parametrize("X,beta", [
    ([[1, 2]], [8, F(-1, 27)]),
    ([[1, -1, 2], [F(1, 2), 3, 0]], [2, -3, F(1, 5)]),
    ([[2, 1, 1]], [0, 5, -7]),
])
def test_depth3_least_sharpness_matrix_is_J_J_transpose_at_the_balanced_point(X, beta):
    """Depth 3, beta = u1 u2 u3: J = n^(-1/2) X [diag(u2 u3) | diag(u1 u3) | diag(u1 u2)] by
    sympy's jacobian of X beta(u), evaluated at the balanced factorisation."""
    n, d = len(X), len(beta)
    U = [sp.symbols(f"a{k}_0:{d}", real=True) for k in range(3)]
    pred = sp.Matrix([sum(_Q(X[m][i]) * U[0][i] * U[1][i] * U[2][i] for i in range(d))
                      for m in range(n)])
    J = pred.jacobian([s for block in U for s in block]) / sp.sqrt(n)
    point = _balanced_depth3(beta)
    at = {s: val for block, vals in zip(U, point, strict=True)
          for s, val in zip(block, vals, strict=True)}
    JJ = (J * J.T).xreplace(at)
    assert (JJ - sp.Matrix(E.least_sharpness_matrix(X, beta, 3))).applyfunc(
        sp.simplify).is_zero_matrix


@pytest.mark.parametrize("beta", [[8, F(-1, 27), 0], [2, -3, F(1, 5)], [1, 1]])
def test_least_param_norm_depth3_is_attained_and_a_lower_bound(beta):
    """At the balanced point sum_k ||u_k||^2 equals least_param_norm(beta, 3); at random
    unbalanced factorisations (u1, u2 rational, u3 = beta/(u1 u2)) it is larger."""
    point = _balanced_depth3(beta)
    at_balanced = sum(c**2 for block in point for c in block)
    least = E.least_param_norm(beta, 3)
    assert sp.simplify(at_balanced - least) == 0
    rng = random.Random(1)
    for _ in range(20):
        u1 = [_rand_rational(rng, 1, 3) * rng.choice([-1, 1]) for _ in beta]
        u2 = [_rand_rational(rng, 1, 3) * rng.choice([-1, 1]) for _ in beta]
        u3 = [F(b) / (a * c) for b, a, c in zip(beta, u1, u2, strict=True)]
        norm = sum(a * a + b * b + c * c for a, b, c in zip(u1, u2, u3, strict=True))
        assert sp.N(_Q(norm) - least, 30) >= -sp.Float(10) ** -25


@pytest.mark.parametrize("beta", [[4, -1], [F(9, 4), 0, F(-1, 16)]])
def test_least_param_norm_depth2_is_the_balanced_points_norm(beta):
    """(u, v) = (sqrt|beta|, sign(beta) sqrt|beta|): u^2 + v^2 = 2|beta|."""
    u = [sp.sqrt(sp.Abs(_Q(b))) for b in beta]
    v = [sp.sign(_Q(b)) * a for b, a in zip(beta, u, strict=True)]
    assert sp.simplify(sum(a**2 + b**2 for a, b in zip(u, v, strict=True))
                       - E.least_param_norm(beta, 2)) == 0
    assert all(sp.simplify(a * b - _Q(t)) == 0 for a, b, t in zip(u, v, beta, strict=True))


def test_least_sharpness_matrix_depth2_by_hand():
    """x = (1, 2), beta = (3, -1): (2/1) (1^2 * 3 + 2^2 * 1) = 14."""
    assert E.least_sharpness_matrix([[1, 2]], [3, -1]) == sp.Matrix([[14]])


# ------------------------------------------------------------------------------ E3
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_product_gd_invariants_against_hand_iterated_gd(seed):
    """u <- u - eta g v, v <- v - eta g u with arbitrary rational g_k, iterated by hand in
    Fractions from arbitrary (u_0, v_0): (u+v), (u-v) and |u^2 - v^2|/2 match exactly."""
    rng = random.Random(seed)
    d, K = 3, 5
    u0 = [_rand_rational(rng) for _ in range(d)]
    v0 = [_rand_rational(rng) for _ in range(d)]
    eta = F(rng.randint(1, 5), rng.randint(2, 9))
    gs = [[_rand_rational(rng) for _ in range(d)] for _ in range(K)]
    u, v = list(u0), list(v0)
    for g in gs:
        u, v = ([a - eta * gi * b for a, b, gi in zip(u, v, g, strict=True)],
                [b - eta * gi * a for a, b, gi in zip(u, v, g, strict=True)])
    inv = E.product_gd_invariants(u0, v0, eta, gs)
    assert list(inv["s"]) == [_Q(a + b) for a, b in zip(u, v, strict=True)]
    assert list(inv["t"]) == [_Q(a - b) for a, b in zip(u, v, strict=True)]
    assert list(inv["alpha_sq"]) == [_Q(abs(a * a - b * b) / 2) for a, b in zip(u, v,
                                                                               strict=True)]


def test_product_gd_invariants_sinh_form_from_sqrt2_alpha():
    """From u_0 = sqrt2 alpha, v_0 = 0 (scaled variables a = u/sqrt2, b = v/sqrt2 iterated in
    Fractions): beta_K / alpha_K^2 = (|P| - 1/|P|) / 2 and P = prod (1 - eta g)/(1 + eta g)."""
    alpha, eta = F(1, 3), F(1, 2)
    gs = [[F(1, 2), F(-1, 3)], [F(1, 5), F(2, 3)], [F(-1, 4), F(1, 7)]]
    a, b = [alpha, alpha], [F(0), F(0)]
    for g in gs:
        a, b = ([p - eta * gi * q for p, q, gi in zip(a, b, g, strict=True)],
                [q - eta * gi * p for p, q, gi in zip(a, b, g, strict=True)])
    r2 = sp.sqrt(2)
    inv = E.product_gd_invariants([r2 * _Q(alpha)] * 2, [0, 0], eta, gs)
    for i in range(2):
        P = 1
        for g in gs:
            P *= (1 - eta * g[i]) / (1 + eta * g[i])
        assert sp.simplify(inv["P"][i] - _Q(P)) == 0
        beta, alpha_sq = 2 * a[i] * b[i], abs(a[i] ** 2 - b[i] ** 2)
        assert sp.simplify(inv["sinh_arg"][i] - _Q(beta / alpha_sq)) == 0


# ------------------------------------------------------------------------------ E4
def _q_by_hand(z):
    return 2 - sp.sqrt(4 + z**2) + z * sp.asinh(z / 2)


def test_woodworth_gradient_is_the_derivative_of_the_potential():
    alpha = F(1, 2)
    b = sp.symbols("b0:3", real=True)
    pot = sp.Rational(1, 4) * sum(_q_by_hand(bi * 4) for bi in b)  # alpha^2 sum q(b/alpha^2)
    for point in ([1, F(-1, 3), 0], [F(5, 2), 2, F(-7, 4)]):
        at = dict(zip(b, map(_Q, point), strict=True))
        got = E.woodworth_gradient(alpha, point)
        for i in range(3):
            assert sp.simplify(got[i] - sp.diff(pot, b[i]).xreplace(at)) == 0
        assert sp.simplify(E.woodworth_potential(alpha, point) - pot.xreplace(at)) == 0


def test_woodworth_q_is_convex_and_flat_at_zero():
    z = sp.Symbol("z", real=True)
    q = E.woodworth_q(z)
    assert q.subs(z, 0) == 0 and sp.diff(q, z).subs(z, 0) == 0
    assert sp.simplify(sp.diff(q, z, 2) - 1 / sp.sqrt(4 + z**2)) == 0


# ------------------------------------------------------------------------------ E5
R = sp.Symbol("R", real=True)
ALPHA = sp.Rational(1, 3)


def _flow_solution(param, x):
    """An explicit solution of the one-sample flow with time reparametrised by R = int r dt,
    from the specification's initialisations: its factors, and beta."""
    x = _Q(x)
    if param == "shared":
        w = ALPHA * sp.exp(-2 * x * R)
        return (w,), w**2
    if param == "product":  # u_0 = sqrt2 alpha, v_0 = 0
        u, v = sp.sqrt(2) * ALPHA * sp.cosh(x * R), -sp.sqrt(2) * ALPHA * sp.sinh(x * R)
        return (u, v), u * v
    u, v = ALPHA * sp.exp(-2 * x * R), ALPHA * sp.exp(2 * x * R)  # difference, u_0 = v_0
    return (u, v), u**2 - v**2


@pytest.mark.parametrize("param", ["shared", "product", "difference"])
def test_one_sample_flow_path_solves_the_flow_ode(param):
    """d theta / dt = -grad L(theta) with L = 1/2 r^2 has d theta_i / dR = -d r / d theta_i
    (dividing by dR/dt = r); the gradient of r comes from sympy.diff of r written out. The
    explicit solution satisfies it with the right initial value, and its beta is the path."""
    x = [F(1), F(-3, 2)] if param != "shared" else [F(1), F(3, 2)]
    d = len(x)
    thetas = [sp.symbols(f"t{k}_0:{d}", real=True) for k in range(1 if param == "shared" else 2)]
    if param == "shared":
        beta_s = [t**2 for t in thetas[0]]
    else:
        beta_s = _param_beta(param, thetas[0], thetas[1])
    r = sum(_Q(xi) * b for xi, b in zip(x, beta_s, strict=True))  # y drops out of dr/dtheta
    sols = [_flow_solution(param, xi) for xi in x]
    at = {thetas[k][i]: sols[i][0][k] for k in range(len(thetas)) for i in range(d)}
    for k in range(len(thetas)):
        for i in range(d):
            lhs = sp.diff(sols[i][0][k], R)
            rhs = -sp.diff(r, thetas[k][i]).xreplace(at)
            assert sp.simplify((lhs - rhs).rewrite(sp.exp)) == 0
    init = {"shared": [ALPHA], "product": [sp.sqrt(2) * ALPHA, 0],
            "difference": [ALPHA, ALPHA]}[param]
    for i in range(d):
        assert [sp.simplify(c.subs(R, 0)) for c in sols[i][0]] == init
    path = E.one_sample_flow_path(x, ALPHA, R, param)
    for i in range(d):
        assert sp.simplify((path[i] - sols[i][1]).rewrite(sp.exp)) == 0


@pytest.mark.parametrize("param", ["shared", "product", "difference"])
def test_one_sample_flow_residual_is_the_path_against_the_label(param):
    x, y = [F(1), F(1, 2)], F(2)
    res = E.one_sample_flow_residual(x, y, ALPHA, R, param)
    sols = [_flow_solution(param, xi)[1] for xi in x]
    expected = sum(_Q(xi) * b for xi, b in zip(x, sols, strict=True)) - _Q(y)
    assert sp.simplify((res - expected).rewrite(sp.exp)) == 0


def test_bad_parametrisation_names_the_argument():
    from theory.errors import DomainError

    for call in (lambda: E.one_sample_flow_path([1, 2], 1, 0, "square"),
                 lambda: E.hessian_formula([[1, 2]], [1], [1, 0], [0, 1], "square")):
        with pytest.raises(DomainError, match="param"):
            call()


def test_every_e_function_is_tested_here():
    tested = {"hessian_formula", "gram_form", "least_sharpness_matrix", "least_param_norm",
              "product_gd_invariants", "woodworth_q", "woodworth_potential",
              "woodworth_gradient", "one_sample_flow_path", "one_sample_flow_residual"}
    assert {f.__name__ for f in E.E_FUNCTIONS} == tested
