"""R1: gradient, Hessian, characteristic polynomial and spectrum of the shared one-sample model.

Every expected value is computed here by an independent route: ``sympy.diff`` / ``sympy.hessian``
of the loss written out by hand, ``Matrix.det`` / ``Matrix.charpoly`` / ``Matrix.eigenvals`` of
that Hessian, or a hand computation written as exact literals.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp

from theory import (
    NotDecidable,
    gradient,
    hessian,
    hessian_char_poly,
    hessian_spectrum,
    lambda_max,
    loss,
    residual,
    sharpness,
    zero_loss_sharpness,
)

LAM = sp.Symbol("lam")
DIGITS = 50
TOL = sp.Rational(1, 10**40)


def _loss_expr(xs, y, ws):
    """The loss of the specification, typed in directly: 1/2 (sum x_i w_i^2 - y)^2."""
    return sp.Rational(1, 2) * (sum(xi * wi**2 for xi, wi in zip(xs, ws, strict=True)) - y) ** 2


def _independent_hessian(x, y, w):
    """sympy.hessian of the hand-written loss in fresh symbols, evaluated at (x, y, w)."""
    d = len(x)
    u = sp.symbols(f"u0:{d}", real=True)
    L = _loss_expr([sp.sympify(v) for v in x], sp.sympify(y), u)
    H = sp.hessian(L, u)
    return H.subs(dict(zip(u, [sp.sympify(v) for v in w], strict=True)))


def _is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def _matrix_equal(A, B) -> bool:
    return A.shape == B.shape and all(_is_zero(a - b) for a, b in zip(A, B, strict=True))


def _numeric(value):
    """A real number at 50 digits; fails if the imaginary part is not negligible."""
    z = sp.N(value, DIGITS)
    re, im = z.as_real_imag()
    assert abs(im) < TOL, f"eigenvalue {value} is not real: {z}"
    return re


# --- symbolic gradient and Hessian ---------------------------------------------------------------


@pytest.mark.parametrize("d", [2, 3])
def test_gradient_and_hessian_equal_sympy_diff(d):
    xs = sp.symbols(f"x1:{d + 1}", real=True)
    ws = sp.symbols(f"w1:{d + 1}", real=True)
    y = sp.Symbol("y", real=True)
    L = _loss_expr(xs, y, ws)
    g_expected = sp.Matrix([sp.diff(L, wi) for wi in ws])
    H_expected = sp.hessian(L, ws)
    assert _matrix_equal(sp.Matrix(gradient(xs, y, ws)), g_expected)
    assert _matrix_equal(sp.Matrix(hessian(xs, y, ws)), H_expected)
    assert _is_zero(loss(xs, y, ws) - L)
    assert _is_zero(residual(xs, y, ws) - (sum(a * b**2 for a, b in zip(xs, ws, strict=True)) - y))


@pytest.mark.parametrize("d", [2, 3])
def test_char_poly_is_det_of_H_minus_lambda_I_symbolic(d):
    xs = sp.symbols(f"x1:{d + 1}", real=True)
    ws = sp.symbols(f"w1:{d + 1}", real=True)
    y = sp.Symbol("y", real=True)
    H = sp.hessian(_loss_expr(xs, y, ws), ws)
    expected = (H - LAM * sp.eye(d)).det()
    got = hessian_char_poly(xs, y, ws, LAM)
    assert _is_zero(got.as_expr() - expected)
    # det(H - lam I) = (-1)^d det(lam I - H) = (-1)^d charpoly
    assert _is_zero(got.as_expr() - (-1) ** d * H.charpoly(LAM).as_expr())


NUMERIC_POINTS = [
    # (x, y, w) ; comments say why the point is in the table
    ((1, F(1, 2)), 1, (F(1, 10), F(1, 10))),  # off M, the negative eigenvalue dominates
    ((1, F(1, 2)), 1, (1, 0)),  # on M (vertex), w with a zero
    ((1, F(1, 2)), 1, (1, 1)),  # off M, r = 1/2
    ((1, F(1, 2)), 1, (sp.sqrt(2) / 2, 1)),  # on M at beta = (1/2, 1), irrational w
    ((1, F(1, 2)), 1, (sp.sqrt(3) / 3, sp.sqrt(2))),  # off M, irrational w
    ((2, -1), 3, (1, 2)),  # R1 has no sign condition: mixed-sign x
    ((1, 1), 1, (0, 0)),  # ties in x and w = 0: H = -2 I
    ((1, 2, 3), -1, (1, 1, 1)),  # negative y
    ((1, F(1, 2), F(1, 4)), 1, (0, 0, 0)),  # H = diag(-2, -1, -1/2)
    ((1, 1, F(1, 2)), 2, (1, F(1, 2), 1)),  # tie in x
    ((1, 1, 1), 1, (0, 0, 0)),  # H = -2 I, triple eigenvalue
    ((F(1, 2), F(1, 3), F(1, 5)), 1, (1, 1, F(5, 2))),  # r = 1/2 + 1/3 + 5/4 - 1 = 13/12
    ((2, 1, 1), 2, (F(1, 2), 1, 1)),  # r = 2/4 + 1 + 1 - 2 = 1/2, tie in x
    ((3, 1, 2, 5), 1, (1, 0, 2, 1)),  # d = 4, a zero weight isolates the eigenvalue 2 r x_2
    ((1, 3, 3, 2), 10, (1, 0, 0, 1)),  # d = 4, tie in x on dead weights: double eigenvalue
    ((1, 2, 3, 4), 10, (1, 1, 1, 1)),  # d = 4 on M: spectrum (0, 0, 0, 120)
    ((1, F(1, 2), F(1, 3), F(1, 4)), 2, (1, 1, 1, 1)),  # d = 4 off M
]


def _ids(points):
    return [f"x={tuple(map(str, p[0]))},y={p[1]},w={tuple(map(str, p[2]))}" for p in points]


@pytest.mark.parametrize("x,y,w", NUMERIC_POINTS, ids=_ids(NUMERIC_POINTS))
def test_numeric_hessian_and_char_poly(x, y, w):
    H = _independent_hessian(x, y, w)
    assert _matrix_equal(sp.Matrix(hessian(x, y, w)), H)
    d = len(x)
    assert _is_zero(hessian_char_poly(x, y, w, LAM).as_expr() - (H - LAM * sp.eye(d)).det())


@pytest.mark.parametrize("x,y,w", NUMERIC_POINTS, ids=_ids(NUMERIC_POINTS))
def test_spectrum_equals_eigenvals_with_multiplicity(x, y, w):
    H = _independent_hessian(x, y, w)
    expected = []
    for value, mult in H.eigenvals().items():
        expected += [_numeric(value)] * mult
    expected.sort()
    spec = hessian_spectrum(x, y, w)
    got = [_numeric(e) for e in spec.eigenvalues]
    assert len(got) == len(x) == len(expected)
    assert got == sorted(got), "eigenvalues must be in increasing order"
    for g, e in zip(got, expected, strict=True):
        assert abs(g - e) < TOL
    # exact: every returned eigenvalue is a root of the independent characteristic polynomial
    cp = sp.Poly(H.charpoly(LAM).as_expr(), LAM)
    for e in set(spec.eigenvalues):
        if e.is_Rational:
            assert cp.eval(e) == 0
        else:
            m = sp.Poly(sp.minimal_polynomial(e, LAM), LAM)
            assert cp.rem(m).is_zero


S_POINTS = [pytest.param(*p) for p in NUMERIC_POINTS]


@pytest.mark.parametrize("x,y,w", S_POINTS, ids=_ids(NUMERIC_POINTS))
def test_sharpness_is_max_abs_eigenvalue_and_lambda_max(x, y, w):
    H = _independent_hessian(x, y, w)
    values = [_numeric(v) for v in H.eigenvals()]
    S_expected = max(abs(v) for v in values)
    lmax_expected = max(values)
    spec = hessian_spectrum(x, y, w)
    assert abs(_numeric(spec.S) - S_expected) < TOL
    assert abs(_numeric(spec.lambda_max) - lmax_expected) < TOL
    assert abs(_numeric(sharpness(x, y, w)) - S_expected) < TOL
    assert abs(_numeric(lambda_max(x, y, w)) - lmax_expected) < TOL


@pytest.mark.parametrize(
    "x,y,w",
    [
        ((1, F(1, 2)), 1, (F(1, 10), F(1, 10))),
        ((1, F(1, 2), F(1, 4)), 1, (0, 0, 0)),
        pytest.param((1, 1, 1), 1, (0, 0, 0)),
    ],
)
def test_negative_eigenvalue_dominates_so_S_differs_from_lambda_max(x, y, w):
    # At these points the whole spectrum is negative, so S = -lambda_min > 0 > lambda_max.
    H = _independent_hessian(x, y, w)
    values = [_numeric(v) for v in H.eigenvals()]
    assert max(values) < 0  # an independent fact about the point
    assert _numeric(lambda_max(x, y, w)) < 0
    S = sharpness(x, y, w)
    assert _numeric(S) > 0
    assert abs(_numeric(S) + min(values)) < TOL


def test_docstring_example_off_M_by_hand():
    # x = (1, 1/2), y = 1, w = (1/10, 1/10): r = 1/100 + 1/200 - 1 = -197/200,
    # v = x*w = (1/10, 1/20); H = 4 v v^T + 2 r diag(x):
    #   H11 = 4/100 - 197/100 = -193/100, H22 = 1/100 - 197/200 = -39/40, H12 = 4/200 = 1/50.
    # Eigenvalues (tr -+ sqrt(tr^2 - 4 det)) / 2.
    H = sp.Matrix([[sp.Rational(-193, 100), sp.Rational(1, 50)],
                   [sp.Rational(1, 50), sp.Rational(-39, 40)]])
    assert _matrix_equal(sp.Matrix(hessian((1, F(1, 2)), 1, (F(1, 10), F(1, 10)))), H)
    tr, det = H.trace(), H.det()
    disc = sp.sqrt(tr**2 - 4 * det)
    low, high = (tr - disc) / 2, (tr + disc) / 2
    spec = hessian_spectrum((1, F(1, 2)), 1, (F(1, 10), F(1, 10)))
    assert _is_zero(spec.eigenvalues[0] - low) and _is_zero(spec.eigenvalues[1] - high)
    assert _is_zero(spec.S + low) and _is_zero(spec.lambda_max - high)




@pytest.mark.parametrize(
    "x,y,w",
    [
        pytest.param((sp.sqrt(2), 1), 1, (1, 1)),
        pytest.param((1, F(1, 2)), 1, (sp.root(2, 4), 1)),
    ],
)
def test_spectrum_with_irrational_coefficients(x, y, w):
    H = _independent_hessian(x, y, w)
    expected = sorted(_numeric(v) for v, m in H.eigenvals().items() for _ in range(m))
    got = [_numeric(e) for e in hessian_spectrum(x, y, w).eigenvalues]
    assert len(got) == len(expected)
    assert all(abs(g - e) < TOL for g, e in zip(got, expected, strict=True))


# --- symbolic spectrum ---------------------------------------------------------------------------


def test_symbolic_spectrum_d2_satisfies_char_poly_and_vieta():
    x1, x2, y, w1, w2 = sp.symbols("x1 x2 y w1 w2", positive=True)
    H = sp.hessian(_loss_expr((x1, x2), y, (w1, w2)), (w1, w2))
    spec = hessian_spectrum((x1, x2), y, (w1, w2))
    low, high = spec.eigenvalues
    assert _is_zero(low + high - H.trace())
    assert _is_zero(sp.expand(low * high) - H.det())
    for e in (low, high):
        assert _is_zero((H - e * sp.eye(2)).det())
    assert _is_zero(spec.lambda_max - high)


def test_symbolic_spectrum_on_M_d3_is_rank_one():
    x = sp.symbols("x1:4", positive=True)
    b = sp.symbols("b1:4", positive=True)
    y = sum(xi * bi for xi, bi in zip(x, b, strict=True))
    w = [sp.sqrt(bi) for bi in b]
    H = sp.hessian(_loss_expr(x, y, sp.symbols("u1:4", real=True)), sp.symbols("u1:4", real=True))
    H = H.subs(dict(zip(sp.symbols("u1:4", real=True), w, strict=True)))
    # hand: H = 4 v v^T with |v|^2 = sum x_i^2 b_i
    top = 4 * sum(xi**2 * bi for xi, bi in zip(x, b, strict=True))
    v = sp.Matrix([xi * wi for xi, wi in zip(x, w, strict=True)])
    assert H.rank(simplify=True) == 1
    assert _matrix_equal(H * v, top * v)
    spec = hessian_spectrum(x, y, w)
    assert spec.eigenvalues[:2] == (0, 0)
    assert _is_zero(spec.eigenvalues[2] - top)
    assert _is_zero(spec.S - top) and _is_zero(spec.lambda_max - top)


# --- zero-loss sharpness -------------------------------------------------------------------------


ZERO_LOSS = [
    # (x, y, beta on M, S = 4 sum x_i^2 beta_i by hand)
    ((1, F(1, 2)), 1, (1, 0), 4),  # 4 * 1 * 1
    ((1, F(1, 2)), 1, (0, 2), 2),  # 4 * 1/4 * 2
    ((1, F(1, 2)), 1, (F(1, 2), 1), 3),  # 4 (1/2 + 1/4)
    # <x, beta> = 1 + 1 = 2; S = 4 (9/3 + 4/2) = 20
    ((3, 2, 5), 2, (F(1, 3), F(1, 2), 0), 20),
    # <x, beta> = 1/3 + 1/3 + 1/3 = 1; S = 4 (1/3 + 1/6 + 1/12) = 7/3
    ((1, F(1, 2), F(1, 4)), 1, (F(1, 3), F(2, 3), F(4, 3)), F(7, 3)),
    ((2, 3, 5, 7), 1, (0, 0, 0, F(1, 7)), 28),  # 4 * 49/7
]


@pytest.mark.parametrize("x,y,beta,expected", ZERO_LOSS)
def test_zero_loss_sharpness_table_and_top_eigenvalue(x, y, beta, expected):
    assert sum(F(a) * F(b) for a, b in zip(x, beta, strict=True)) == y  # the row is on M
    assert zero_loss_sharpness(x, y, beta) == expected
    w = [sp.sqrt(sp.Rational(F(b).numerator, F(b).denominator)) for b in beta]
    eig = _independent_hessian(x, y, w).eigenvals()
    assert max(eig, key=lambda v: _numeric(v)) == expected
    assert sum(m for v, m in eig.items() if v == 0) == len(x) - 1
    spec = hessian_spectrum(x, y, w)
    assert spec.S == expected and spec.lambda_max == expected


def test_zero_loss_sharpness_symbolic():
    x = sp.symbols("x1:4", positive=True)
    b1, b2 = sp.symbols("b1 b2", positive=True)
    y = sp.Symbol("y", positive=True)
    beta = (b1, b2, (y - x[0] * b1 - x[1] * b2) / x[2])
    expected = 4 * (x[0] ** 2 * b1 + x[1] ** 2 * b2 + x[2] * (y - x[0] * b1 - x[1] * b2))
    assert _is_zero(zero_loss_sharpness(x, y, beta) - expected)


@pytest.mark.parametrize("w", [("t", 0, 0), (0, "t", 0)])
def test_symbolic_spectrum_off_M_d3_is_refused(w):
    """Symbolic d = 3 off M: ``hessian_spectrum`` refuses (``NotDecidable``), as its docstring
    promises. There is no decidable d = 3 symbolic case off M to check values on: the
    implementation refuses every symbolic characteristic polynomial of degree >= 3, so this
    test asserts the refusal only, and that it is warranted: here the Hessian (sympy's, of the
    hand-written loss) is diagonal, and which entry is the sharpness (the largest in absolute
    value) and which the largest depends on ``t``, so no single closed form is right for all
    ``t > 0``."""
    t = sp.Symbol("t", positive=True)
    x, y = (1, 2, 3), 1
    w = tuple(t if v == "t" else v for v in w)
    with pytest.raises(NotDecidable):
        hessian_spectrum(x, y, w)
    H = _independent_hessian(x, y, w)
    assert H.is_diagonal()

    def arg(tv, key):
        values = [_numeric(H[i, i].subs(t, tv)) for i in range(3)]
        return max(range(3), key=lambda i: key(values[i]))

    small, large = sp.Rational(1, 10), 3
    assert arg(small, abs) != arg(large, abs) or arg(small, lambda v: v) != arg(
        large, lambda v: v)
