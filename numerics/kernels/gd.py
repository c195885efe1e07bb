"""The compiled gradient-descent loop, written once for float64, double-double and quad-double.

One call of :func:`run_rows` advances every running row (one learning rate each) until it
reaches step ``k_until`` or finishes. Per row and step ``k`` (``theta = theta_k``):

1. ``beta = beta(theta)``, ``r = X beta - y`` (dot products accumulated in the working format);
2. unless this step was already checked by the previous call: ``diverged`` if a limb of ``r``
   is not finite or ``|r_i| > r_max``; else ``range`` if ``theta`` or ``beta`` left the
   full-precision range (below); else, on the check grid (``k % check_every == 0`` or
   ``k == steps``), ``below`` counts consecutive checks with ``max |r_i| <= rtol``;
   ``converged`` when it reaches ``patience`` (if ``stop_conv``); at ``k == steps`` the row ends
   ``converged`` or ``not_converged`` as ``numerics.gd.gradient_descent`` decides;
3. if ``k == k_until`` the row pauses (marked ``checked`` so the resumed call does not count the
   check twice); else ``g = (X^T r) inv_n``, ``theta <- step(theta, g)``, ``G_sum += eta g``,
   ``k += 1``.

A finished row keeps ``theta_k`` and ``G_sum_k`` of its last step ``k`` (frozen). ``beta``,
``r`` and ``g`` of each row's final ``theta`` are left in their arrays.

Comparisons with the float bounds ``rtol`` and ``r_max`` use the leading limb, which is the
double nearest the multi-limb value: ``|r| <= rtol`` is decided on ``fl(|r|)``, so it can differ
from the exact comparison only when ``|r|`` lies within half an ulp of the bound.

Range (status ``range``): a non-zero coordinate of ``theta`` whose leading limb is below
``tiny`` (:func:`numerics.kernels.convert.tiny`) or above ``huge``, or a non-zero product
``beta_i`` (``u_i^2`` and ``v_i^2`` separately for ``difference``) of non-zero factors whose
leading limb is below ``tiny``. Nothing is ever flushed to zero silently: such a row stops.

Update formulas and their evaluation order are those of :func:`numerics.params.step` (so the
float64 specialisation repeats the numpy engine's roundings, except inside dot products and
for powers ``w^D``, ``D >= 3``, taken here by repeated multiplication).
"""

from __future__ import annotations

import numba

from .arith import add, const, dot, finite, lead, load, mul, mul_d, neg, store, sub
from .eft import JIT

__all__ = ["run_rows", "RUNNING", "CONVERGED", "DIVERGED", "NOT_CONVERGED", "RANGE",
           "STATUS_NAMES", "SHARED", "PRODUCT", "DIFFERENCE"]

RUNNING, CONVERGED, DIVERGED, NOT_CONVERGED, RANGE = 0, 1, 2, 3, 4
#: status code -> the name used by :mod:`numerics.gd` (``range`` is new)
STATUS_NAMES = ("running", "converged", "diverged", "not_converged", "range")
SHARED, PRODUCT, DIFFERENCE = 0, 1, 2


@numba.njit(**JIT)
def _in_range(x, tiny, huge):
    a = abs(lead(x))
    return a == 0.0 or (tiny <= a and a <= huge)


@numba.njit(**JIT)
def _power(w, m):
    """``w^m`` for ``m >= 1`` by repeated multiplication."""
    p = w
    for _ in range(m - 1):
        p = mul(p, w)
    return p


@numba.njit(**JIT)
def _beta(kind, D, theta, t0, d, beta, b0, tiny, huge, z):
    """``beta`` of the row whose ``theta`` starts at ``t0``; False if a value left the range."""
    ok = True
    for j in range(d):
        if kind == SHARED:
            w = load(theta, t0 + j, z)
            bt = _power(w, D)
            ok = ok and _in_range(w, tiny, huge) and (lead(w) == 0.0 or abs(lead(bt)) >= tiny)
        else:
            u = load(theta, t0 + j, z)
            v = load(theta, t0 + d + j, z)
            ok = ok and _in_range(u, tiny, huge) and _in_range(v, tiny, huge)
            if kind == PRODUCT:
                bt = mul(u, v)
                ok = ok and (lead(u) == 0.0 or lead(v) == 0.0 or abs(lead(bt)) >= tiny)
            else:
                uu = mul(u, u)
                vv = mul(v, v)
                bt = sub(uu, vv)
                ok = ok and (lead(u) == 0.0 or abs(lead(uu)) >= tiny)
                ok = ok and (lead(v) == 0.0 or abs(lead(vv)) >= tiny)
        store(beta, b0 + j, bt)
    return ok


@numba.njit(**JIT)
def _residual(X, y, n, d, beta, b0, r, r0, z):
    """``r = X beta - y`` (:func:`numerics.kernels.arith.dot`, ``-y_i`` added last)."""
    for i in range(n):
        store(r, r0 + i, dot(X, i * d, beta, b0, d, neg(load(y, i, z)), z))


@numba.njit(**JIT)
def _gradient(XT, n, d, r, r0, inv, g, g0, z):
    """``g = (X^T r) inv_n``."""
    zero = const(0.0, z)
    for j in range(d):
        store(g, g0 + j, mul(dot(XT, j * n, r, r0, n, zero, z), inv))


@numba.njit(**JIT)
def _step(kind, D, track_G, theta, t0, d, g, g0, G, e, two_e, eD, z):
    """``theta <- theta - eta grad``, ``G_sum <- G_sum + eta g`` (numerics.params.step order)."""
    one = const(1.0, z)
    for j in range(d):
        gj = load(g, g0 + j, z)
        if kind == SHARED:
            w = load(theta, t0 + j, z)
            if D == 2:
                w = mul(w, sub(one, mul(two_e, gj)))
            else:
                w = sub(w, mul(mul(eD, gj), _power(w, D - 1)))
            store(theta, t0 + j, w)
        elif kind == PRODUCT:
            u = load(theta, t0 + j, z)
            v = load(theta, t0 + d + j, z)
            eg = mul(e, gj)
            store(theta, t0 + j, sub(u, mul(eg, v)))
            store(theta, t0 + d + j, sub(v, mul(eg, u)))
        else:
            u = load(theta, t0 + j, z)
            v = load(theta, t0 + d + j, z)
            eg2 = mul(two_e, gj)
            store(theta, t0 + j, mul(u, sub(one, eg2)))
            store(theta, t0 + d + j, mul(v, add(one, eg2)))
        if track_G:
            store(G, g0 + j, add(load(G, g0 + j, z), mul(e, gj)))


@numba.njit(**JIT)
def _verdict(r, r0, n, ok, k, steps, check_every, patience, stop_conv, rtol, r_max, below, b, z):
    """The status of a row after the checks at step ``k`` (updates ``below[b]``)."""
    small = True
    for i in range(n):
        ri = load(r, r0 + i, z)
        if not finite(ri):
            return DIVERGED
        a = abs(lead(ri))
        if not a <= r_max:
            return DIVERGED
        if not a <= rtol:
            small = False
    if not ok:
        return RANGE
    if k % check_every == 0 or k == steps:
        below[b] = below[b] + 1 if small else 0
    if stop_conv and below[b] >= patience:
        return CONVERGED
    if k >= steps:
        return CONVERGED if below[b] >= patience else NOT_CONVERGED
    return RUNNING


@numba.njit(**JIT)
def run_rows(kind, D, track_G, n, d, X, XT, y, inv_n, eta, theta, G, status, ks, below, checked,
             beta, r, g, steps, k_until, check_every, patience, stop_conv, rtol, r_max, tiny,
             huge, z):
    """Advance every running row to ``k_until`` (or its end); returns the rows still running.

    Arrays are ``(M, L)`` (limbs last): ``X`` ``(n d)``, ``XT`` ``(d n)`` (the transpose),
    ``y`` ``(n)``, ``inv_n`` ``(1)``, ``eta`` ``(B)``, ``theta`` ``(B k d)`` (blocks ``w`` or
    ``u, v``), ``G``, ``beta``, ``g`` ``(B d)``, ``r`` ``(B n)``; ``status``, ``ks`` (current
    step), ``below``, ``checked`` have one entry per row and are updated in place.
    """
    kb = 1 if kind == SHARED else 2
    inv = load(inv_n, 0, z)
    running = 0
    for b in range(eta.shape[0]):
        if status[b] != RUNNING:
            continue
        t0, b0, r0 = b * kb * d, b * d, b * n
        e = load(eta, b, z)
        two_e = mul_d(e, 2.0)
        eD = mul_d(e, float(D))
        k = ks[b]
        fresh = not checked[b]
        while True:
            ok = _beta(kind, D, theta, t0, d, beta, b0, tiny, huge, z)
            _residual(X, y, n, d, beta, b0, r, r0, z)
            if fresh:
                st = _verdict(r, r0, n, ok, k, steps, check_every, patience, stop_conv, rtol,
                              r_max, below, b, z)
                if st != RUNNING:
                    status[b] = st
                    break
            fresh = True
            if k >= k_until:
                checked[b] = True
                break
            _gradient(XT, n, d, r, r0, inv, g, b0, z)
            _step(kind, D, track_G, theta, t0, d, g, b0, G, e, two_e, eD, z)
            k += 1
            checked[b] = False
        ks[b] = k
        _gradient(XT, n, d, r, r0, inv, g, b0, z)
        if status[b] == RUNNING:
            running += 1
    return running
