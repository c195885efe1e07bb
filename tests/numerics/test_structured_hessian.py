"""The structured sharpness (issue 9 item 4, issue 13 item 3) against dense eigensolvers.

:func:`numerics.hessian.spectrum` never forms the ``kd x kd`` Hessian off the zero-loss set: it
counts eigenvalues through an ``n x n`` secular matrix and runs a bracketed Newton iteration.
The reference here is the dense Hessian (:func:`numerics.hessian.hessian_rows`, checked entry by
entry against sympy in ``test_hessian_numerics.py``) handed to mpmath's ``eigsy`` at 60 digits:
another algorithm, at a higher precision. Random small instances of every parametrisation,
converged (``g = 0``: a singular, positive semidefinite Hessian) and not, and the degenerate
structures (a repeated diagonal, dead coordinates, ``V = 0``).
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from numerics import Problem, get_backend
from numerics import hessian as H
from numerics.hessian import hessian_rows, spectrum

PARAMS = [("shared", 2), ("shared", 3), ("product", 2), ("difference", 2)]
#: (backend, dps) and the accuracy asked of it, relative to ||H||
PRECISIONS = [("float64", None, 2.0**-46), ("float64-structured", None, 2.0**-46),
              ("dd", None, 2.0**-98), ("qd", None, 2.0**-200), ("flint", 30, 1e-27),
              ("mpmath", 25, 1e-22)]


def _rational(rng, shape, positive=False):
    values = rng.integers(1 if positive else -9, 10, size=shape)
    dens = rng.integers(1, 8, size=shape)
    return np.vectorize(lambda a, b: F(int(a), int(b)), otypes=[object])(values, dens)


def _instance(seed, param, depth, n, d, converged):
    """A problem and an exact state ``theta`` with its exact ``g`` (zero when ``converged``:
    ``y`` is then set to ``X beta(theta)``)."""
    rng = np.random.default_rng(seed)
    X = _rational(rng, (n, d), positive=param == "shared")
    theta = tuple(_rational(rng, d) for _ in range(1 if param == "shared" else 2))
    p0 = Problem(X.tolist(), [1] * n, 1, param=param, depth=depth)
    beta = p0.parametrisation.beta(theta)
    Xb = [sum(X[m][i] * beta[i] for i in range(d)) for m in range(n)]
    y = Xb if converged else [v + F(int(rng.integers(-5, 6)), 3) for v in Xb]
    problem = Problem(X.tolist(), y, 1, param=param, depth=depth)
    r = [Xb[m] - y[m] for m in range(n)]
    g = [sum(X[m][i] * r[m] for m in range(n)) / n for i in range(d)]
    return problem, theta, g


def _dense(problem, theta, g, dps=60):
    """``(lambda_min, lambda_max, ||H||)`` of the dense Hessian, mpmath ``eigsy``."""
    be = get_backend("mpmath", dps)
    with be.scope():
        th = tuple(np.array([be.scalar(v) for v in t], dtype=object) for t in theta)
        gb = np.array([be.scalar(v) for v in g], dtype=object)
        values = [be.to_fraction(v) for v in be.eigvalsh(hessian_rows(problem, be, th, gb))]
    return values[0], values[-1], max(abs(values[0]), abs(values[-1]))


def _structured(problem, theta, g, backend, dps):
    """``(lambda_min, lambda_max, S)`` by :func:`spectrum` (``float64-structured``: float64
    through the structured iteration, which small float64 Hessians otherwise skip)."""
    if backend == "float64-structured":
        H.DENSE_FLOAT64, saved = 0, H.DENSE_FLOAT64
        try:
            return _structured(problem, theta, g, "float64", dps)
        finally:
            H.DENSE_FLOAT64 = saved
    be = get_backend(backend, dps)
    with be.scope():
        th = tuple(np.array([be.scalar(v) for v in t], dtype=be.dtype) for t in theta)
        gb = np.array([be.scalar(v) for v in g], dtype=be.dtype)
        low, top, S = spectrum(problem, be, th, gb, zero_loss=False)
        return be.to_fraction(low), be.to_fraction(top), be.to_fraction(S)


@pytest.mark.parametrize("backend, dps, rel", PRECISIONS, ids=[p[0] for p in PRECISIONS])
@pytest.mark.parametrize("param, depth", PARAMS, ids=[f"{p}{d}" for p, d in PARAMS])
@pytest.mark.parametrize("converged", [False, True], ids=["off", "on-M"])
def test_structured_extremes_equal_the_dense_eigenvalues(backend, dps, rel, param, depth,
                                                          converged):
    for seed, (n, d) in enumerate([(1, 2), (1, 5), (2, 3), (3, 6)]):
        problem, theta, g = _instance(seed, param, depth, n, d, converged)
        lo, hi, norm = _dense(problem, theta, g)
        low, top, S = _structured(problem, theta, g, backend, dps)
        tol = F(rel) * norm * 4
        assert abs(top - hi) <= tol and abs(low - lo) <= tol, (seed, n, d)
        assert S == max(abs(low), abs(top))
        if converged:  # H = (XJ)^T (XJ) / n: positive semidefinite, singular when kd > n
            assert abs(low) <= tol


@pytest.mark.parametrize("backend, dps", [("float64", None), ("dd", None), ("flint", 40)])
def test_degenerate_structures(backend, dps):
    """Equal features (a constant diagonal: the top eigenvalue at the bracket's end), a dead
    coordinate (w_i = 0: its J vanishes, its diagonal entry is an eigenvalue as such), and
    theta = 0 (V = 0: H is diagonal)."""
    rel = 2.0**-40
    cases = [
        (Problem([1, 1, 1], F(5, 2), 1), ((F(1, 2), F(1, 3), F(-1, 4)),)),
        (Problem([2, 1, F(1, 2)], 3, 1), ((F(1, 2), F(0), F(7, 5)),)),
        (Problem([2, 1], 1, 1, param="product"), ((F(0), F(0)), (F(0), F(0)))),
        (Problem([[1, 2], [3, F(1, 2)]], [1, -1], 1, param="difference"),
         ((F(1, 3), F(0)), (F(0), F(-2, 3)))),
    ]
    for problem, theta in cases:
        beta = problem.parametrisation.beta(tuple(np.array(t, dtype=object) for t in theta))
        r = [sum(x * b for x, b in zip(row, beta)) - y for row, y in zip(problem.X, problem.y)]
        g = [sum(problem.X[m][i] * r[m] for m in range(problem.n)) / problem.n
             for i in range(problem.d)]
        lo, hi, norm = _dense(problem, theta, g)
        low, top, _ = _structured(problem, theta, g, backend, dps)
        assert abs(top - hi) <= F(rel) * norm and abs(low - lo) <= F(rel) * norm


def test_large_d_agrees_with_lapack():
    """d = 150 (kd = 300: above the dense float64 shortcut too) against LAPACK in float64."""
    rng = np.random.default_rng(5)
    n, d = 3, 150
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    problem = Problem(X, y, 0.1, param="product")
    theta = (0.3 * rng.standard_normal(d), 0.3 * rng.standard_normal(d))
    u, v = theta
    g = (X @ (u * v) - y) @ X / n
    # the dense Hessian, written out here: (XJ)^T (XJ) / n + blockdiag(g_i [[0, 1], [1, 0]])
    M = np.empty((n, 2 * d))
    M[:, 0::2], M[:, 1::2] = X * v, X * u  # J_i = (d beta_i / d u_i, d beta_i / d v_i)
    dense = M.T @ M / n
    dense[np.arange(0, 2 * d, 2), np.arange(1, 2 * d, 2)] += g
    dense[np.arange(1, 2 * d, 2), np.arange(0, 2 * d, 2)] += g
    values = np.linalg.eigvalsh(dense)
    be = get_backend("dd")
    with be.scope():
        th = tuple(np.array([be.scalar(F(v)) for v in t], dtype=object) for t in theta)
        gb = np.array([be.scalar(F(v)) for v in g], dtype=object)
        low, top, S = spectrum(problem, be, th, gb, zero_loss=False)
    scale = np.abs(values).max()
    assert abs(float(top) - values[-1]) <= 1e-12 * scale
    assert abs(float(low) - values[0]) <= 1e-12 * scale
