"""Double-double ("double-word") arithmetic: a number is a tuple ``(hi, lo)`` of doubles.

A double-double is *normalised* when ``hi = fl(hi + lo)`` (``|lo| <= ulp(hi) / 2``); every
operation here takes normalised operands and returns a normalised result. It carries 106 bits
(about 31.9 decimal digits) while ``|hi| >= 2^-969``; below that ``lo`` is subnormal and bits are
lost, which the GD kernels detect (status ``range``). The exponent range is float64's.

The algorithms are those of Joldes, Muller and Popescu, *Tight and rigorous error bounds for
basic building blocks of double-word arithmetic*, ACM TOMS 44(2), 2017 (JMP), with ``u = 2^-53``
and the relative error bounds proved there (in the absence of underflow and overflow):

* :func:`dd_add`: JMP Algorithm 6 (AccurateDWPlusDW), ``|err| <= 3u^2 / (1 - 4u) |x + y|``;
* :func:`dd_mul`: JMP Algorithm 12 (DWTimesDW3, with FMA), ``|err| <= 5u^2 |x y|``;
* :func:`dd_mul_d`: JMP Algorithm 9 (DWTimesFP3, double-double times a double), ``2u^2``.

The tests check the first two bounds against exact rational arithmetic
(``tests/numerics/test_kernels.py``). :func:`dd_add` is the accurate ("IEEE-style")
addition: its bound is relative to the exact sum even under cancellation, unlike the
"sloppy" double-double addition.
"""

from __future__ import annotations

import numba

from .eft import JIT, fma, quick_two_sum, two_prod, two_sum

__all__ = ["dd_add", "dd_sub", "dd_mul", "dd_mul_d", "dd_neg", "dd_dot", "DD_LIMBS"]

DD_LIMBS = 2


@numba.njit(**JIT)
def dd_add(x, y):
    """``x + y`` (JMP Algorithm 6): relative error ``<= 3u^2 / (1 - 4u)``."""
    sh, sl = two_sum(x[0], y[0])
    th, tl = two_sum(x[1], y[1])
    c = sl + th
    vh, vl = quick_two_sum(sh, c)
    w = tl + vl
    return quick_two_sum(vh, w)


@numba.njit(**JIT)
def dd_neg(x):
    """``-x`` (exact)."""
    return -x[0], -x[1]


@numba.njit(**JIT)
def dd_sub(x, y):
    """``x - y``: :func:`dd_add` of ``x`` and ``-y`` (same bound)."""
    return dd_add(x, (-y[0], -y[1]))


@numba.njit(**JIT)
def dd_mul(x, y):
    """``x * y`` (JMP Algorithm 12, with FMA): relative error ``<= 5u^2``."""
    ch, cl1 = two_prod(x[0], y[0])
    tl0 = x[1] * y[1]
    tl1 = fma(x[0], y[1], tl0)
    cl2 = fma(x[1], y[0], tl1)
    cl3 = cl1 + cl2
    return quick_two_sum(ch, cl3)


@numba.njit(**JIT)
def dd_mul_d(x, b):
    """``x * b`` for a double ``b`` (JMP Algorithm 9): relative error ``<= 2u^2``."""
    ch, cl1 = two_prod(x[0], b)
    cl3 = fma(x[1], b, cl1)
    return quick_two_sum(ch, cl3)


@numba.njit(**JIT)
def dd_dot(A, a0, x, x0, m, c):
    """``c + sum_{j<m} A[a0 + j] x[x0 + j]`` for double-doubles in ``(M, 2)`` arrays, compensated.

    Each product is split exactly (``ah bh`` and ``ah bl`` by TwoProd; ``al bh`` too when
    ``al != 0``; ``al bl`` rounded, an ``O(u^3)`` term); the leading parts are summed by TwoSum
    into one double, the first-order parts (TwoProd and TwoSum errors, ``ah bl``) by TwoSum in
    three independent chains (a short dependency chain per term), and the second-order rest in
    plain arithmetic; the result is rounded once. Hence the error is about
    ``u^2 |result| + O(m u^3 sum |terms|)``: it shrinks with the result, unlike plain
    double-double accumulation (``~ 8 m u^2 sum |terms|``), so the residual ``r = X beta - y``
    (``c = -y``) of a nearly converged run carries no rounding bias of the size of ``y``.
    """
    s = c[0]
    ta = c[1]
    tb = 0.0
    tc = 0.0
    t2 = 0.0
    for j in range(m):
        ah = A[a0 + j, 0]
        al = A[a0 + j, 1]
        bh = x[x0 + j, 0]
        bl = x[x0 + j, 1]
        p, e = two_prod(ah, bh)
        s, es = two_sum(s, p)
        q, eq = two_prod(ah, bl)
        ta, f1 = two_sum(ta, e)
        tb, f2 = two_sum(tb, es)
        tc, f3 = two_sum(tc, q)
        t2 += (f1 + f2) + (f3 + eq)
        if al != 0.0:
            q, eq = two_prod(al, bh)
            tb, f2 = two_sum(tb, q)
            t2 += f2 + eq + al * bl
    ta, f1 = two_sum(ta, tb)
    ta, f2 = two_sum(ta, tc)
    h, lo = two_sum(s, ta)
    return two_sum(h, lo + (t2 + (f1 + f2)))
