"""Quad-double arithmetic: a number is a tuple ``(x0, x1, x2, x3)`` of doubles.

The algorithms are those of Hida, Li and Bailey, *Library for double-double and quad-double
arithmetic* (2007; the QD library): a quad-double is a non-overlapping expansion
``x0 + x1 + x2 + x3`` with ``|x_{i+1}| <= ulp(x_i) / 2`` after renormalisation, carrying at least
212 bits (about 63.8 decimal digits) while ``|x0| >= 2^-863`` (the last limb must stay normal);
the exponent range is float64's.

* :func:`qd_add` has an error relative to the *result*, cancellation or not: when the leading
  limbs cancel it is QD's ``ieee_add`` (the operands' limbs merged by decreasing magnitude and
  accumulated in a double-length accumulator that emits a limb whenever it fills, then
  renormalised); otherwise QD's faster, branch-free ``sloppy_add`` (limb-wise TwoSums), whose
  error is relative to ``|a| + |b|``, which is then at most about ``2 |a + b|``.
* :func:`qd_mul` is QD's ``accurate_mul``: all partial products down to order ``eps^3`` with their
  errors (``eps = 2^-53``), the order-``eps^4`` terms in plain arithmetic, renormalised.
* :func:`qd_mul_d` multiplies by a double (QD's ``qd_real * double``).

QD gives these algorithms without a proven error constant. The tests
(``tests/numerics/test_kernels.py``) hold them to ``|err| <= 2^-209 |exact|`` for addition and
``2^-207`` for multiplication (a few units of ``2^-212``), against exact rational arithmetic.
"""

from __future__ import annotations

import numba

from .eft import JIT, quick_two_sum, two_prod, two_sum

__all__ = ["qd_add", "qd_sub", "qd_mul", "qd_mul_d", "qd_neg", "qd_dot", "renorm4", "renorm5",
           "QD_LIMBS"]

QD_LIMBS = 4


@numba.njit(**JIT)
def renorm5(c0, c1, c2, c3, c4):
    """Renormalise five overlapping limbs into a quad-double (QD ``renorm`` with an extra)."""
    if not (c0 - c0 == 0.0):
        return c0, c1, c2, c3
    s0, c4 = quick_two_sum(c3, c4)
    s0, c3 = quick_two_sum(c2, s0)
    s0, c2 = quick_two_sum(c1, s0)
    c0, c1 = quick_two_sum(c0, s0)
    s0, s1, s2, s3 = c0, c1, 0.0, 0.0
    if s1 != 0.0:
        s1, s2 = quick_two_sum(s1, c2)
        if s2 != 0.0:
            s2, s3 = quick_two_sum(s2, c3)
            if s3 != 0.0:
                s3 += c4
            else:
                s2, s3 = quick_two_sum(s2, c4)
        else:
            s1, s2 = quick_two_sum(s1, c3)
            if s2 != 0.0:
                s2, s3 = quick_two_sum(s2, c4)
            else:
                s1, s2 = quick_two_sum(s1, c4)
    else:
        s0, s1 = quick_two_sum(s0, c2)
        if s1 != 0.0:
            s1, s2 = quick_two_sum(s1, c3)
            if s2 != 0.0:
                s2, s3 = quick_two_sum(s2, c4)
            else:
                s1, s2 = quick_two_sum(s1, c4)
        else:
            s0, s1 = quick_two_sum(s0, c3)
            if s1 != 0.0:
                s1, s2 = quick_two_sum(s1, c4)
            else:
                s0, s1 = quick_two_sum(s0, c4)
    return s0, s1, s2, s3


@numba.njit(**JIT)
def renorm4(c0, c1, c2, c3):
    """Renormalise four overlapping limbs (QD's 4-input ``renorm``, which is the 5-input one
    with a zero fifth limb: every ``quick_two_sum(x, 0)`` is ``(x, 0)``)."""
    return renorm5(c0, c1, c2, c3, 0.0)


@numba.njit(**JIT)
def _three_sum(a, b, c):
    t1, t2 = two_sum(a, b)
    a, t3 = two_sum(c, t1)
    b, c = two_sum(t2, t3)
    return a, b, c


@numba.njit(**JIT)
def _three_sum2(a, b, c):
    t1, t2 = two_sum(a, b)
    a, t3 = two_sum(c, t1)
    return a, t2 + t3


@numba.njit(**JIT)
def _pick(a, b, i, j):
    """The larger in magnitude of ``a[i]``, ``b[j]`` (an exhausted side loses): ``(t, i, j)``."""
    if i >= 4:
        return b[j], i, j + 1
    if j >= 4:
        return a[i], i + 1, j
    if abs(a[i]) > abs(b[j]):
        return a[i], i + 1, j
    return b[j], i, j + 1


@numba.njit(**JIT)
def _sloppy_add(a, b):
    """QD's ``sloppy_add``: limb-wise TwoSums, errors carried down, renormalised. Its error is
    small relative to ``|a| + |b|``, hence to ``|a + b|`` only without cancellation."""
    s0, t0 = two_sum(a[0], b[0])
    s1, t1 = two_sum(a[1], b[1])
    s2, t2 = two_sum(a[2], b[2])
    s3, t3 = two_sum(a[3], b[3])
    s1, t0 = two_sum(s1, t0)
    s2, t0, t1 = _three_sum(s2, t0, t1)
    s3, t0 = _three_sum2(s3, t0, t2)
    return renorm5(s0, s1, s2, s3, t0 + t1 + t3)


@numba.njit(**JIT)
def qd_add(a, b):
    """``a + b`` with an error relative to the result: QD's ``sloppy_add`` when the leading
    limbs do not cancel (``|a0 + b0| >= (|a0| + |b0|) / 2``, so ``|a + b|`` is at least about
    half of ``|a| + |b|``), else QD's ``ieee_add``."""
    if abs(a[0] + b[0]) >= 0.5 * (abs(a[0]) + abs(b[0])):
        return _sloppy_add(a, b)
    return _ieee_add(a, b)


@numba.njit(**JIT)
def _ieee_add(a, b):
    """QD's ``ieee_add``: merge by magnitude, double-length accumulator."""
    x0 = x1 = x2 = x3 = 0.0
    u, i, j = _pick(a, b, 0, 0)
    v, i, j = _pick(a, b, i, j)
    u, v = quick_two_sum(u, v)
    k = 0
    while k < 4:
        if i >= 4 and j >= 4:
            # flush the accumulator (u, v) into the next free limbs
            if k == 0:
                x0, x1 = u, v
            elif k == 1:
                x1, x2 = u, v
            elif k == 2:
                x2, x3 = u, v
            else:
                x3 = u
            break
        t, i, j = _pick(a, b, i, j)
        # quick_three_accum: add t to (u, v); emit s when the pair is full
        s, v = two_sum(v, t)
        s, u = two_sum(u, s)
        if u != 0.0 and v != 0.0:
            if k == 0:
                x0 = s
            elif k == 1:
                x1 = s
            elif k == 2:
                x2 = s
            else:
                x3 = s
            k += 1
        elif v == 0.0:
            v = u
            u = s
        else:
            u = s
    # what the accumulator could not take in
    for m in range(i, 4):
        x3 += a[m]
    for m in range(j, 4):
        x3 += b[m]
    return renorm4(x0, x1, x2, x3)


@numba.njit(**JIT)
def qd_neg(a):
    """``-a`` (exact)."""
    return -a[0], -a[1], -a[2], -a[3]


@numba.njit(**JIT)
def qd_sub(a, b):
    """``a - b``: :func:`qd_add` of ``a`` and ``-b``."""
    return qd_add(a, (-b[0], -b[1], -b[2], -b[3]))


@numba.njit(**JIT)
def qd_mul(a, b):
    """``a * b``: QD's ``accurate_mul``."""
    p0, q0 = two_prod(a[0], b[0])
    p1, q1 = two_prod(a[0], b[1])
    p2, q2 = two_prod(a[1], b[0])
    p3, q3 = two_prod(a[0], b[2])
    p4, q4 = two_prod(a[1], b[1])
    p5, q5 = two_prod(a[2], b[0])
    # order eps: (p1, p2, q0)
    p1, p2, q0 = _three_sum(p1, p2, q0)
    # order eps^2: six-three sum of p2, q1, q2, p3, p4, p5
    p2, q1, q2 = _three_sum(p2, q1, q2)
    p3, p4, p5 = _three_sum(p3, p4, p5)
    s0, t0 = two_sum(p2, p3)
    s1, t1 = two_sum(q1, p4)
    s2 = q2 + p5
    s1, t0 = two_sum(s1, t0)
    s2 += t0 + t1
    # order eps^3: nine-two sum of q0, s1, q3, q4, q5, p6, p7, p8, p9
    p6, q6 = two_prod(a[0], b[3])
    p7, q7 = two_prod(a[1], b[2])
    p8, q8 = two_prod(a[2], b[1])
    p9, q9 = two_prod(a[3], b[0])
    q0, q3 = two_sum(q0, q3)
    q4, q5 = two_sum(q4, q5)
    p6, p7 = two_sum(p6, p7)
    p8, p9 = two_sum(p8, p9)
    t0, t1 = two_sum(q0, q4)
    t1 += q3 + q5
    r0, r1 = two_sum(p6, p8)
    r1 += p7 + p9
    q3, q4 = two_sum(t0, r0)
    q4 += t1 + r1
    t0, t1 = two_sum(q3, s1)
    t1 += q4
    # order eps^4: plain arithmetic
    t1 += a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + q6 + q7 + q8 + q9 + s2
    return renorm5(p0, p1, s0, t0, t1)


@numba.njit(**JIT)
def qd_mul_d(a, b):
    """``a * b`` for a double ``b`` (QD's ``qd_real * double``)."""
    p0, q0 = two_prod(a[0], b)
    p1, q1 = two_prod(a[1], b)
    p2, q2 = two_prod(a[2], b)
    p3 = a[3] * b
    s0 = p0
    s1, s2 = two_sum(q0, p1)
    s2, q1, p2 = _three_sum(s2, q1, p2)
    q1, q2 = _three_sum2(q1, q2, p3)
    s3 = q1
    s4 = q2 + p2
    return renorm5(s0, s1, s2, s3, s4)


@numba.njit(**JIT)
def qd_dot(A, a0, x, x0, m, c):
    """``c + sum_{j<m} A[a0 + j] x[x0 + j]`` for quad-doubles in ``(M, 4)`` arrays.

    Accumulated by order instead of by quad-double additions: the partial products ``a_i b_k``
    with ``i + k <= 2`` are split exactly (TwoProd); parts of order ``eps^0``, ``eps^1`` and
    ``eps^2`` (``eps = 2^-53``) are summed by TwoSum into their own accumulators (two or three
    independent chains per order), each TwoSum error passed down one order; the order-``eps^3``
    parts (``a_i b_k``, ``i + k = 3``, rounded, and the errors from order 2) are summed plainly.
    The orders are folded exactly into two normalised pairs, which are the result when they do
    not overlap (the usual case) and are joined by :func:`qd_add` when they do. No branches on
    the data per term (but for skipping the products of zero limbs of ``A``, the common case of
    float64 data), so a term costs about a third of a :func:`qd_mul` plus a :func:`qd_add`; the
    error is about ``2^-212 |result| + O(m 2^-212 sum |terms|)``, the order of quad-double
    accumulation.
    """
    s0 = c[0]
    s1a, s1b = c[1], 0.0
    s2a, s2b, s2c = c[2], 0.0, 0.0
    s3 = c[3]
    for j in range(m):
        p, q = a0 + j, x0 + j
        a_0, a_1, a_2, a_3 = A[p, 0], A[p, 1], A[p, 2], A[p, 3]
        b_0, b_1, b_2, b_3 = x[q, 0], x[q, 1], x[q, 2], x[q, 3]
        p00, e00 = two_prod(a_0, b_0)
        p01, e01 = two_prod(a_0, b_1)
        p02, e02 = two_prod(a_0, b_2)
        o3 = e02 + a_0 * b_3
        s0, f0 = two_sum(s0, p00)
        s1a, g1 = two_sum(s1a, f0)
        s1b, g2 = two_sum(s1b, e00)
        s1a, g3 = two_sum(s1a, p01)
        s2a, h1 = two_sum(s2a, g1)
        s2b, h2 = two_sum(s2b, g2)
        s2c, h3 = two_sum(s2c, g3)
        s2a, h4 = two_sum(s2a, e01)
        s2b, h5 = two_sum(s2b, p02)
        o3 += (h1 + h2) + (h3 + h4) + h5
        if a_1 != 0.0 or a_2 != 0.0 or a_3 != 0.0:
            p10, e10 = two_prod(a_1, b_0)
            p11, e11 = two_prod(a_1, b_1)
            p20, e20 = two_prod(a_2, b_0)
            s1b, g1 = two_sum(s1b, p10)
            s2c, h1 = two_sum(s2c, g1)
            s2a, h2 = two_sum(s2a, e10)
            s2b, h3 = two_sum(s2b, p11)
            s2c, h4 = two_sum(s2c, p20)
            o3 += (e11 + e20) + (a_1 * b_2 + a_2 * b_1 + a_3 * b_0) + ((h1 + h2) + (h3 + h4))
        s3 += o3
    # fold: order 1 into one double (error to order 2), order 2 likewise (error to order 3)
    s1, g1 = two_sum(s1a, s1b)
    s2a, h1 = two_sum(s2a, g1)
    s2a, h2 = two_sum(s2a, s2b)
    s2, h3 = two_sum(s2a, s2c)
    s3 += (h1 + h2) + h3
    h0, l0 = two_sum(s0, s1)
    h2_, l2 = two_sum(s2, s3)
    if abs(h2_) <= abs(l0) * 2.0**-54:  # already a normalised expansion (the usual case)
        return h0, l0, h2_, l2
    return qd_add((h0, l0, 0.0, 0.0), (h2_, l2, 0.0, 0.0))
