"""Sharpness at the working precision against exact routes (R1, E1).

* shared weights: :func:`numerics.hessian.spectrum` against :func:`theory.hessian_spectrum`
  (exact algebraic eigenvalues, evaluated by sympy at 40 digits), off the zero-loss set, d = 2..4;
* the Gram form on the zero-loss set against :func:`theory.zero_loss_sharpness`;
* product / difference / depth 3: the full structured Hessian against the Hessian of ``L``
  differentiated by sympy, entry by entry, and its spectrum against the exact characteristic
  polynomial's roots.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

import theory as T
from numerics import Problem, get_backend
from numerics.hessian import gram_matrix_A, gram_rows, hessian_rows, spectrum

from .helpers import exact_value

BACKENDS = [("float64", None, 1e-13), ("mpmath", 40, 1e-36), ("flint", 40, 1e-36)]


def _arrays(be, blocks):
    return tuple(np.array([be.scalar(F(v)) for v in b], dtype=be.dtype) for b in blocks)


_frac = exact_value


def _g_exact(problem, beta):
    """``g = X^T (X beta - y) / n`` in exact rationals."""
    r = [sum(xi * bi for xi, bi in zip(row, beta, strict=True)) - yi
         for row, yi in zip(problem.X, problem.y, strict=True)]
    return [sum(problem.X[m][i] * r[m] for m in range(problem.n)) / problem.n
            for i in range(problem.d)]


def _close(a, b, rel):
    return abs(float(F(a) - F(b))) <= rel * max(1.0, abs(float(b)))


def _N(expr, digits=45):
    return F(str(sp.N(expr, digits)))


SHARED_POINTS = [
    ([1, F(1, 2)], 1, [F(1, 10), F(1, 10)]),
    ([1, F(1, 2)], 1, [F(3, 2), F(-1, 3)]),
    ([3, 1, F(1, 4)], 2, [F(1, 3), F(2, 5), F(-7, 4)]),
    ([F(5, 2), 2, 1, F(1, 3)], 1, [F(1, 2), F(-1, 7), F(3, 5), F(2, 9)]),
    ([F(5, 2), 2, 1, F(1, 3)], 3, [1, 1, 1, 1]),  # r > 0: a positive diagonal shift
]


@pytest.mark.parametrize("backend, dps, rel", BACKENDS, ids=[b[0] for b in BACKENDS])
@pytest.mark.parametrize("x, y, w", SHARED_POINTS, ids=[f"d{len(p[0])}-{i}" for i, p in
                                                        enumerate(SHARED_POINTS)])
def test_shared_spectrum_matches_theory(backend, dps, rel, x, y, w):
    exact = T.hessian_spectrum(x, y, w)
    lam_min, lam_max, S = (_N(exact.eigenvalues[0]), _N(exact.lambda_max), _N(exact.S))
    problem = Problem(x, y, F(1))
    be = get_backend(backend, dps)
    beta = [wi * wi for wi in w]
    with be.scope():
        theta = _arrays(be, [w])
        g = np.array([be.scalar(v) for v in _g_exact(problem, beta)], dtype=be.dtype)
        low, top, s = spectrum(problem, be, theta, g, zero_loss=False)
        low, top, s = _frac(be, low), _frac(be, top), _frac(be, s)
    assert _close(top, lam_max, rel) and _close(s, S, rel) and _close(low, lam_min, rel)
    # the paper's S = max |eig| and lambda_max differ where the negative end dominates
    assert s == (top if abs(top) >= abs(low) else -low)


def test_a_point_where_S_and_lambda_max_differ():
    # x = (1, 1/2), y = 1, w = (1/10, 1/10): r < 0 and the negative eigenvalue dominates
    spec = T.hessian_spectrum([1, F(1, 2)], 1, [F(1, 10), F(1, 10)])
    assert sp.N(spec.S) > sp.N(spec.lambda_max)  # the exact route says they differ here
    problem = Problem([1, F(1, 2)], 1, F(1))
    be = get_backend("mpmath", 30)
    with be.scope():
        theta = _arrays(be, [[F(1, 10), F(1, 10)]])
        g = np.array([be.scalar(v) for v in _g_exact(problem, [F(1, 100)] * 2)], dtype=object)
        low, top, s = spectrum(problem, be, theta, g, zero_loss=False)
    assert float(s) == pytest.approx(float(-low), rel=1e-25)
    assert float(top) == pytest.approx(float(sp.N(spec.lambda_max, 30)), rel=1e-25)


ZERO_LOSS = [  # (x, w): y is set to <x, w*w> so that the point is exactly on M
    ([1, F(1, 2)], [F(4, 5), F(3, 4)]),
    ([3, 1, F(1, 4)], [F(1, 3), F(2, 5), F(7, 4)]),
    ([F(5, 2), 2, 1, F(1, 3)], [F(1, 2), 0, F(3, 5), F(2, 9)]),
]


@pytest.mark.parametrize("backend, dps, rel", BACKENDS, ids=[b[0] for b in BACKENDS])
@pytest.mark.parametrize("x, w", ZERO_LOSS, ids=["d2", "d3", "d4-dead"])
def test_gram_form_on_the_zero_loss_set(backend, dps, rel, x, w):
    beta = [wi * wi for wi in w]
    y = sum(xi * bi for xi, bi in zip(x, beta, strict=True))
    S_exact = T.zero_loss_sharpness(x, y, beta)
    assert S_exact == 4 * sum(F(xi) ** 2 * bi for xi, bi in zip(x, beta, strict=True))  # R1 by hand
    problem = Problem(x, y, F(1))
    be = get_backend(backend, dps)
    with be.scope():
        theta = _arrays(be, [w])
        g = np.array([be.scalar(0)] * len(x), dtype=be.dtype)
        gram = spectrum(problem, be, theta, g, zero_loss=True)
        full = spectrum(problem, be, theta, g, zero_loss=False)
        gram = [_frac(be, v) for v in gram]
        full = [_frac(be, v) for v in full]
    assert _close(gram[1], S_exact, rel) and _close(gram[2], S_exact, rel)
    assert _close(full[1], S_exact, rel) and _close(full[2], S_exact, rel)  # E1: same top
    assert gram[0] == 0 and abs(float(full[0])) <= rel * float(S_exact) * 10  # rank one


# ------------------------------------------------------------------ structured Hessian vs sympy
def _sympy_hessian(problem):
    """Hessian of ``L = 1/(2n) ||X beta(theta) - y||^2`` by sympy, variables ordered (i, a)."""
    d, k = problem.d, problem.k
    syms = sp.symbols(f"t0:{k * d}", real=True)
    blocks = [[syms[i * k + a] for i in range(d)] for a in range(k)]
    if problem.param == "shared":
        beta = [t ** problem.depth for t in blocks[0]]
    elif problem.param == "product":
        beta = [u * v for u, v in zip(*blocks, strict=True)]
    else:
        beta = [u * u - v * v for u, v in zip(*blocks, strict=True)]
    X = [[sp.Rational(v.numerator, v.denominator) for v in row] for row in problem.X]
    y = [sp.Rational(v.numerator, v.denominator) for v in problem.y]
    n = problem.n
    L = sum((sum(X[m][i] * beta[i] for i in range(d)) - y[m]) ** 2 for m in range(n)) / (2 * n)
    return syms, sp.hessian(L, syms)


STRUCTURED = [
    ("product-n1", dict(X=[1, F(1, 2)], y=1, param="product"),
     [[F(3, 4), F(-1, 5)], [F(1, 3), F(2, 1)]]),
    ("difference-n1", dict(X=[2, F(1, 3)], y=F(1, 2), param="difference"),
     [[F(3, 4), F(1, 5)], [F(1, 3), F(-2, 7)]]),
    ("product-n3", dict(X=[[1, 2, F(1, 2)], [0, 1, 3], [F(1, 4), 1, 1]], y=[1, 2, -1],
                        param="product"),
     [[F(1, 2), F(-1, 3), F(2, 5)], [F(3, 2), F(1, 7), F(-1, 2)]]),
    ("difference-n3", dict(X=[[1, 2, F(1, 2)], [0, 1, 3], [F(1, 4), 1, 1]], y=[1, 2, -1],
                           param="difference"),
     [[F(1, 2), F(1, 3), F(2, 5)], [F(3, 2), F(1, 7), F(1, 2)]]),
    ("shared-depth3", dict(X=[1, F(1, 2), 2], y=1, param="shared", depth=3),
     [[F(1, 2), F(-2, 3), F(3, 4)]]),
    ("shared-n3", dict(X=[[1, 2, F(1, 2)], [0, 1, 3], [F(1, 4), 1, 1]], y=[1, 2, -1]),
     [[F(1, 2), F(-1, 3), F(2, 5)]]),
]


@pytest.mark.parametrize("backend, dps, rel", BACKENDS, ids=[b[0] for b in BACKENDS])
@pytest.mark.parametrize("name, kw, blocks", STRUCTURED, ids=[s[0] for s in STRUCTURED])
def test_structured_hessian_matches_sympy(backend, dps, rel, name, kw, blocks):
    problem = Problem(alpha=1, **kw)
    syms, H = _sympy_hessian(problem)
    k, d = problem.k, problem.d
    point = {syms[i * k + a]: sp.Rational(blocks[a][i].numerator, blocks[a][i].denominator)
             for i in range(d) for a in range(k)}
    H_exact = H.subs(point)
    be = get_backend(backend, dps)
    with be.scope():
        theta = _arrays(be, blocks)

        beta = [_frac(be, b) for b in problem.parametrisation.beta(theta)]
        g = np.array([be.scalar(v) for v in _g_exact(problem, beta)], dtype=be.dtype)
        rows = hessian_rows(problem, be, theta, g)
        got = [[_frac(be, v) for v in row] for row in rows]
        low, top, S = (_frac(be, v) for v in spectrum(problem, be, theta, g, False))
    scale = max(abs(float(v)) for v in H_exact)
    for i in range(k * d):
        for j in range(k * d):
            assert abs(float(got[i][j] - F(str(H_exact[i, j])))) <= rel * scale, (i, j)
    # spectrum against the roots of the exact characteristic polynomial
    lam = sp.Symbol("lam")
    roots = sorted(F(str(sp.N(rt, 45))) for rt in sp.Poly(H_exact.charpoly(lam).as_expr(),
                                                           lam).real_roots())
    assert abs(float(top - roots[-1])) <= rel * scale * 10
    assert abs(float(low - roots[0])) <= rel * scale * 10
    assert abs(float(S - max(abs(roots[0]), abs(roots[-1])))) <= rel * scale * 10


@pytest.mark.parametrize("param", ["product", "difference"])
def test_gram_form_equals_full_hessian_at_zero_loss_n3(param):
    """E1: at an exact interpolator the non-zero spectrum of H is that of (1/n) X diag|J|^2 X^T."""
    X = [[1, 2, F(1, 2), 1], [0, 1, 3, F(1, 3)], [F(1, 4), 1, 1, 2]]
    blocks = [[F(1, 2), F(-1, 3), F(2, 5), F(1, 1)], [F(3, 2), F(1, 7), F(-1, 2), F(1, 4)]]
    if param == "product":
        beta = [u * v for u, v in zip(*blocks, strict=True)]
        jsq = [u * u + v * v for u, v in zip(*blocks, strict=True)]
    else:
        beta = [u * u - v * v for u, v in zip(*blocks, strict=True)]
        jsq = [4 * (u * u + v * v) for u, v in zip(*blocks, strict=True)]
    y = [sum(xi * bi for xi, bi in zip(row, beta, strict=True)) for row in X]
    problem = Problem(X, y, 1, param=param)
    gram_exact = sp.Matrix(3, 3, lambda m, l: sp.Rational(
        sum(F(X[m][i]) * jsq[i] * F(X[l][i]) for i in range(4)) / 3))
    top_exact = max(F(str(sp.N(rt, 45))) for rt in gram_exact.charpoly().real_roots())
    be = get_backend("flint", 40)
    with be.scope():
        theta = _arrays(be, blocks)
        g = np.array([be.scalar(0)] * 4, dtype=object)
        rows = gram_rows(problem, be, theta)
        for m in range(3):
            for l in range(3):
                assert _frac(be, rows[m][l]) - F(str(gram_exact[m, l])) == pytest.approx(
                    0, abs=1e-36)
        gram = [_frac(be, v) for v in spectrum(problem, be, theta, g, True)]
        full = [_frac(be, v) for v in spectrum(problem, be, theta, g, False)]
    assert abs(float(gram[1] - top_exact)) < 1e-34 and abs(float(full[1] - top_exact)) < 1e-34


def test_gram_matrix_A_is_exact():
    p = Problem([[1, 2], [3, F(1, 2)]], [1, 1], 1)
    # A = X^T X / 2: (1 + 9)/2, (1*2 + 3/2)/2, (4 + 1/4)/2
    assert gram_matrix_A(p) == [[F(5), F(7, 4)], [F(7, 4), F(17, 8)]]
