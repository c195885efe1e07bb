"""R2, R3: the zero-loss simplex, the minimum-norm and the minimum-sharpness interpolators.

Expected values are hand computations (vertex ``(y/x_i) e_i``, norm ``y/x_i``, sharpness
``4 y x_i``) or exhaustive enumeration of a rational grid of the simplex ``M`` in exact
Fractions.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product

import pytest
import sympy as sp

from theory import (
    extreme_indices,
    min_norm_interpolator,
    min_sharpness_interpolator,
    zero_loss_vertices,
)

# (x, y, beta^N, ||beta^N||_1, S(beta^N), beta^S, ||beta^S||_1, S(beta^S)), all by hand:
# beta^N = (y / x_max) e_argmax, norm y/x_max, sharpness 4 y x_max; beta^S likewise with x_min.
TABLE = [
    ((1, F(1, 2)), 1, (1, 0), 1, 4, (0, 2), 2, 2),
    ((F(1, 2), 1), 1, (0, 1), 1, 4, (2, 0), 2, 2),
    ((3, 2, 5), 2, (0, 0, F(2, 5)), F(2, 5), 40, (0, 1, 0), 1, 16),
    ((F(1, 3), F(1, 7), F(1, 2), 1), F(3, 2), (0, 0, 0, F(3, 2)), F(3, 2), 6,
     (0, F(21, 2), 0, 0), F(21, 2), F(6, 7)),
    ((7, 11), F(1, 5), (0, F(1, 55)), F(1, 55), F(44, 5), (F(1, 35), 0), F(1, 35), F(28, 5)),
]


@pytest.mark.parametrize("x,y,bN,nN,sN,bS,nS,sS", TABLE)
def test_min_norm_and_min_sharpness_table(x, y, bN, nN, sN, bS, nS, sS):
    n = min_norm_interpolator(x, y)
    assert n.beta == bN
    assert (n.l1_norm, n.param_norm_sq, n.sharpness) == (nN, nN, sN)
    assert n.vertices == (n.beta,) and n.unique and n.claim == "R2"
    s = min_sharpness_interpolator(x, y)
    assert s.beta == bS
    assert (s.l1_norm, s.param_norm_sq, s.sharpness) == (nS, nS, sS)
    assert s.vertices == (s.beta,) and s.unique and s.claim == "R3"
    # R2/R3: the two biases pick opposite vertices: norm and sharpness rank in reverse order
    assert n.l1_norm < s.l1_norm and n.sharpness > s.sharpness


def _q(v):
    """A tuple of sympy Rationals (Fractions and Rationals compare equal but hash apart)."""
    return tuple(sp.sympify(t) for t in v)


# Ties: the optimum is a face; beta is the face's centroid (hand computed).
TIES = [
    # x, y, which, expected vertices, expected centroid, expected l1, expected S
    ((2, 2, 1), 1, "max", ((F(1, 2), 0, 0), (0, F(1, 2), 0)), (F(1, 4), F(1, 4), 0),
     F(1, 2), 8),
    ((2, 2, 1), 1, "min", ((0, 0, 1),), (0, 0, 1), 1, 4),
    ((1, F(1, 2), F(1, 2)), 1, "min", ((0, 2, 0), (0, 0, 2)), (0, 1, 1), 2, 2),
    ((3, 3, 3), 1, "max", ((F(1, 3), 0, 0), (0, F(1, 3), 0), (0, 0, F(1, 3))),
     (F(1, 9), F(1, 9), F(1, 9)), F(1, 3), 12),
    ((3, 3, 3), 1, "min", ((F(1, 3), 0, 0), (0, F(1, 3), 0), (0, 0, F(1, 3))),
     (F(1, 9), F(1, 9), F(1, 9)), F(1, 3), 12),
    ((5, 1, 5, 1), 10, "max", ((2, 0, 0, 0), (0, 0, 2, 0)), (1, 0, 1, 0), 2, 200),
]


@pytest.mark.parametrize("x,y,which,vertices,centroid,l1,S", TIES)
def test_ties_give_a_face_and_its_centroid(x, y, which, vertices, centroid, l1, S):
    f = min_norm_interpolator if which == "max" else min_sharpness_interpolator
    it = f(x, y)
    assert set(it.vertices) == {_q(v) for v in vertices}
    assert it.beta == centroid
    assert (it.l1_norm, it.sharpness) == (l1, S)
    assert it.unique == (len(vertices) == 1)
    # The centroid is the point of least Euclidean norm of the face (by symmetry and convexity):
    # check against the brute-force minimum over a grid of the face.
    k = len(vertices)
    best = None
    for c in product(range(7), repeat=k):
        if sum(c) != 6:
            continue
        p = [sum(F(ci, 6) * F(v[j]) for ci, v in zip(c, vertices, strict=True))
             for j in range(len(x))]
        nrm = sum(t * t for t in p)
        best = nrm if best is None else min(best, nrm)
    assert sum(F(t) ** 2 for t in centroid) <= best


def test_zero_loss_vertices_and_extreme_indices():
    assert zero_loss_vertices((1, F(1, 2)), 1) == ((1, 0), (0, 2))
    assert zero_loss_vertices((3, 2, 5), 2) == ((F(2, 3), 0, 0), (0, 1, 0), (0, 0, F(2, 5)))
    assert extreme_indices((1, 3, 3), "max") == (1, 2)
    assert extreme_indices((1, 3, 3), "min") == (0,)
    assert extreme_indices((4, 4), "min") == (0, 1)


# --- symbolic x ----------------------------------------------------------------------------------

a, b, c, y = sp.symbols("a b c y", positive=True)


def test_symbolic_x_with_assumptions_decides_the_vertex():
    n = min_norm_interpolator((2 * a, a), y)
    s = min_sharpness_interpolator((2 * a, a), y)
    assert all(sp.simplify(u - v) == 0 for u, v in zip(n.beta, (y / (2 * a), 0), strict=True))
    assert all(sp.simplify(u - v) == 0 for u, v in zip(s.beta, (0, y / a), strict=True))
    assert sp.simplify(n.sharpness - 8 * a * y) == 0 and sp.simplify(n.l1_norm - y / (2 * a)) == 0
    assert sp.simplify(s.sharpness - 4 * a * y) == 0 and sp.simplify(s.l1_norm - y / a) == 0
    # x = (a, a + b, a + 2b): the last entry is the largest for every a, b > 0
    n3 = min_norm_interpolator((a, a + b, a + 2 * b), 1)
    assert n3.unique and sp.simplify(n3.beta[2] - 1 / (a + 2 * b)) == 0
    assert n3.beta[:2] == (0, 0)


def test_undecidable_symbols_give_max_min_expressions():
    n = min_norm_interpolator((b, c), y)
    s = min_sharpness_interpolator((b, c), y)
    assert sp.simplify(n.l1_norm - y / sp.Max(b, c)) == 0
    assert sp.simplify(n.sharpness - 4 * y * sp.Max(b, c)) == 0
    assert sp.simplify(s.l1_norm - y / sp.Min(b, c)) == 0
    assert sp.simplify(s.sharpness - 4 * y * sp.Min(b, c)) == 0
    # substituting numbers into the symbolic answer gives the numeric answer (computed by hand)
    for bv, cv, bN, bS in [(2, 1, (F(1, 2), 0), (0, 1)), (1, 3, (0, F(1, 3)), (1, 0))]:
        sub = {b: bv, c: cv, y: 1}
        assert tuple(t.subs(sub) for t in n.beta) == bN
        assert tuple(t.subs(sub) for t in s.beta) == bS
        assert n.l1_norm.subs(sub) == sum(bN) and s.l1_norm.subs(sub) == sum(bS)


def test_undecidable_symbols_d3_piecewise_is_on_M():
    n = min_norm_interpolator((b, c, 1), 1)
    for bv, cv in [(2, 1), (F(1, 2), 3), (F(1, 2), F(1, 3)), (5, 7)]:
        sub = {b: bv, c: cv}
        beta = [t.subs(sub) for t in n.beta]
        xs = (F(bv), F(cv), F(1))
        i = max(range(3), key=lambda k: xs[k])
        assert beta == [1 / xs[i] if k == i else 0 for k in range(3)]


# --- brute force over a rational grid of M ------------------------------------------------------


def _grid(x, y, N):
    """Points sum_i (k_i/N) (y/x_i) e_i with sum k_i = N: an exact grid of M containing vertices."""
    d = len(x)
    for k in product(range(N + 1), repeat=d - 1):
        if sum(k) > N:
            continue
        ks = (*k, N - sum(k))
        yield tuple(F(ki, N) * F(y) / F(xi) for ki, xi in zip(ks, x, strict=True))


@pytest.mark.parametrize("x,y", [((1, F(1, 2), F(1, 3)), 1), ((3, 2, 5), 2), ((2, 2, 1), 1)])
def test_brute_force_grid_has_nothing_better(x, y):
    n = min_norm_interpolator(x, y)
    s = min_sharpness_interpolator(x, y)
    pts = list(_grid(x, y, 30))
    assert all(sum(F(a_) * b_ for a_, b_ in zip(x, p, strict=True)) == y for p in pts)  # all on M
    l1 = [sum(p) for p in pts]
    S = [4 * sum(F(a_) ** 2 * b_ for a_, b_ in zip(x, p, strict=True)) for p in pts]
    assert min(l1) == n.l1_norm and min(S) == s.sharpness
    assert max(l1) == s.l1_norm and max(S) == n.sharpness  # R2/R3: opposite extremes
    # the returned points attain the optimum
    assert sum(n.beta) == min(l1)
    assert 4 * sum(sp.sympify(F(a_)) ** 2 * bb for a_, bb in zip(x, s.beta, strict=True)) == min(S)
