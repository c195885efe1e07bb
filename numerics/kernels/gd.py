"""The compiled gradient-descent loop, written once for float64, double-double and quad-double.

One call of :func:`run_rows` advances every running row (one learning rate each) until it
reaches step ``k_until`` or finishes; rows move in lockstep, phase by phase. Per row and step
``k`` (``theta = theta_k``):

1. ``beta = beta(theta)``, ``r = X beta - y``, ``g = (X^T r) inv_n`` (dot products in the
   working format: :func:`numerics.kernels.arith.dot`);
2. unless this step was already checked by the previous call: ``diverged`` if a limb of ``r``
   is not finite or ``|r_i| > r_max``; else ``range`` if ``theta`` or ``beta`` left the
   full-precision range (below); else, on the check grid (``k % check_every == 0`` or
   ``k == steps``), ``below`` counts consecutive checks with ``max |r_i| <= rtol``;
   ``converged`` when it reaches ``patience`` (if ``stop_conv``); at ``k == steps`` the row ends
   ``converged`` or ``not_converged`` as ``numerics.gd.gradient_descent`` decides;
3. if ``k == k_until`` the row pauses (marked ``checked`` so the resumed call does not count the
   check twice); else ``theta <- step(theta, g)``, ``G_sum += eta g``, ``k += 1``.

A finished row keeps ``theta_k`` and ``G_sum_k`` of its last step ``k`` (frozen). ``beta``,
``r`` and ``g`` of each row's final ``theta`` are left in their arrays.

Comparisons with the float bounds ``rtol`` and ``r_max`` use the leading limb, which is the
double nearest the multi-limb value: ``|r| <= rtol`` is decided on ``fl(|r|)``, so it can differ
from the exact comparison only when ``|r|`` lies within half an ulp of the bound.

Scaled coordinates (``scaled=True``; shared ``D = 2`` and difference, whose updates multiply
each value by a factor: ``w <- w (1 - 2 eta g)``). A value is ``theta * 2^scale``: when its
leading limb falls below ``2^-300`` the limbs are multiplied by ``2^600`` (exactly: a power of
two) and ``scale`` drops by 600, and back when they pass ``2^300``; the multiplicative update
commutes with the power of two, so the scaled value is updated exactly as the value would be in
an unbounded exponent range. Its ``beta`` term (``w^2``, or ``u^2`` / ``v^2``, below
``2^-600``) is left out of ``r = X beta - y``, and the row records a bound ``2^E`` on the
largest term left out; at each step every ``|r_i|`` must exceed ``2^(E + 53 L + 32) d max|X|``,
so that the terms left out are below a ``2^-32`` part of the format's own rounding of ``r_i``
(a faithful dot product); otherwise the row stops with ``range``.

Range (status ``range``): a non-zero coordinate of ``theta`` whose leading limb is below
``tiny`` (:func:`numerics.kernels.convert.tiny`) or above ``huge`` (a scaled one: a jump of more
than 500 binary orders in one step), or a non-zero product ``beta_i`` (``u_i^2`` and ``v_i^2``
separately for ``difference``) of non-zero factors whose leading limb is below ``tiny`` (not
scaled), or the bound above failing. Nothing is ever flushed to zero silently: such a row stops.

Update formulas and their evaluation order are those of :func:`numerics.params.step` (so the
float64 specialisation repeats the numpy engine's roundings, except inside dot products and
for powers ``w^D``, ``D >= 3``, taken here by repeated multiplication).
"""

from __future__ import annotations

import numba
import numpy as np

from .arith import add, const, dot, finite, lead, load, mul, mul_d, neg, store, sub
from .eft import JIT

__all__ = ["run_rows", "add_rows", "RUNNING", "CONVERGED", "DIVERGED", "NOT_CONVERGED", "RANGE",
           "STATUS_NAMES", "SHARED", "PRODUCT", "DIFFERENCE"]

RUNNING, CONVERGED, DIVERGED, NOT_CONVERGED, RANGE = 0, 1, 2, 3, 4
#: scaled coordinates: rescale by ``2^SHIFT`` when the leading limb leaves
#: ``[2^-LOW, 2^LOW]``; "no term left out" is ``NONE``
LOW, SHIFT, NONE = 300, 600, -(2**62)
#: status code -> the name used by :mod:`numerics.gd` (``range`` is new)
STATUS_NAMES = ("running", "converged", "diverged", "not_converged", "range")
SHARED, PRODUCT, DIFFERENCE = 0, 1, 2


@numba.njit(**JIT)
def _in_range(x, tiny, huge):
    a = abs(lead(x))
    return (a == 0.0) | ((tiny <= a) & (a <= huge))


@numba.njit(**JIT)
def _power(w, m):
    """``w^m`` for ``m >= 1`` by repeated multiplication."""
    if m == 2:
        return mul(w, w)
    p = w
    for _ in range(m - 1):
        p = mul(p, w)
    return p


@numba.njit(**JIT)
def _beta_rows(kind, D, theta, sc, d, beta, status, ok, drop, tiny, huge, z):
    """``beta`` of every running row; ``ok[b]`` False if a value of row ``b`` left the range;
    ``drop[b]`` the exponent bound of the largest ``beta`` term left out (``NONE``)."""
    kb = 1 if kind == SHARED else 2
    zero = const(0.0, z)
    for b in range(status.shape[0]):
        if status[b] != RUNNING:
            continue
        t0, b0 = b * kb * d, b * d
        fine = True
        dropped = NONE
        for j in range(d):
            if kind == SHARED:
                w = load(theta, t0 + j, z)
                fine &= _in_range(w, tiny, huge)
                if sc[t0 + j] < 0:  # D = 2: w^2 < 2^(2 (scale + LOW)) is left out
                    bt = zero
                    dropped = max(dropped, 2 * (sc[t0 + j] + LOW))
                else:
                    bt = _power(w, D)
                    fine &= (lead(w) == 0.0) | (abs(lead(bt)) >= tiny)
            else:
                u = load(theta, t0 + j, z)
                v = load(theta, t0 + d + j, z)
                fine &= _in_range(u, tiny, huge) & _in_range(v, tiny, huge)
                if kind == PRODUCT:
                    bt = mul(u, v)
                    fine &= (lead(u) == 0.0) | (lead(v) == 0.0) | (abs(lead(bt)) >= tiny)
                else:
                    uu, vv = zero, zero
                    if sc[t0 + j] < 0:
                        dropped = max(dropped, 2 * (sc[t0 + j] + LOW))
                    else:
                        uu = mul(u, u)
                        fine &= (lead(u) == 0.0) | (abs(lead(uu)) >= tiny)
                    if sc[t0 + d + j] < 0:
                        dropped = max(dropped, 2 * (sc[t0 + d + j] + LOW))
                    else:
                        vv = mul(v, v)
                        fine &= (lead(v) == 0.0) | (abs(lead(vv)) >= tiny)
                    bt = sub(uu, vv)
            store(beta, b0 + j, bt)
        ok[b] = fine
        drop[b] = dropped


@numba.njit(**JIT)
def _residual_rows(X, y, n, d, beta, r, status, z):
    """``r = X beta - y`` of every running row (:func:`numerics.kernels.arith.dot`, ``-y_i``
    added last)."""
    for b in range(status.shape[0]):
        if status[b] == RUNNING:
            for i in range(n):
                store(r, b * n + i, dot(X, i * d, beta, b * d, d, neg(load(y, i, z)), z))


@numba.njit(**JIT)
def _gradient_rows(XT, n, d, r, inv, g, status, z):
    """``g = (X^T r) inv_n`` of every running row."""
    zero = const(0.0, z)
    for b in range(status.shape[0]):
        if status[b] == RUNNING:
            for j in range(d):
                store(g, b * d + j, mul(dot(XT, j * n, r, b * n, n, zero, z), inv))


@numba.njit(**JIT)
def _step_rows(kind, D, track_G, theta, sc, scaled, d, g, G, eta, status, z):
    """``theta <- theta - eta grad``, ``G_sum <- G_sum + eta g`` (numerics.params.step order),
    then the scaled coordinates' rescaling (``scaled``: shared ``D = 2`` and difference)."""
    one = const(1.0, z)
    kb = 1 if kind == SHARED else 2
    for b in range(status.shape[0]):
        if status[b] != RUNNING:
            continue
        t0, g0 = b * kb * d, b * d
        e = load(eta, b, z)
        two_e = mul_d(e, 2.0)
        eD = mul_d(e, float(D))
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
        if scaled and ((kind == SHARED and D == 2) or kind == DIFFERENCE):
            for i in range(t0, t0 + kb * d):
                _rescale(theta, sc, i, z)


@numba.njit(**JIT)
def _rescale(theta, sc, i, z):
    """Keep value ``i``'s leading limb in ``[2^-LOW, 2^LOW]`` while it is scaled (exact)."""
    v = load(theta, i, z)
    a = abs(lead(v))
    if a != 0.0 and a < 2.0 ** -LOW:
        store(theta, i, mul_d(v, 2.0 ** SHIFT))
        sc[i] -= SHIFT
    elif sc[i] < 0 and a > 2.0 ** LOW:
        store(theta, i, mul_d(v, 2.0 ** -SHIFT))
        sc[i] += SHIFT


@numba.njit(**JIT)
def _verdict_rows(r, n, ok, drop, dx_bits, k, steps, check_every, patience, stop_conv, rtol,
                  r_max, below, status, ks, skip, z):
    """The checks at step ``k`` of every running row not in ``skip`` (already checked): sets
    ``status[b]`` and ``ks[b] = k`` of the rows that finish. ``dx_bits`` bounds
    ``log2(d max|X|)`` plus the margin of the terms left out (module notes)."""
    on_grid = k % check_every == 0 or k == steps
    for b in range(status.shape[0]):
        if status[b] != RUNNING or skip[b]:
            continue
        st = RUNNING
        small = True
        least = 0.0 if drop[b] == NONE else 2.0 ** float(drop[b] + dx_bits)
        for i in range(n):
            ri = load(r, b * n + i, z)
            a = abs(lead(ri))
            if not (finite(ri) and a <= r_max):
                st = DIVERGED
                break
            if drop[b] != NONE and not a > least:
                ok[b] = False
            if not a <= rtol:
                small = False
        if st == RUNNING and not ok[b]:
            st = RANGE
        if st == RUNNING:
            if on_grid:
                below[b] = below[b] + 1 if small else 0
            if stop_conv and below[b] >= patience:
                st = CONVERGED
            elif k >= steps:
                st = CONVERGED if below[b] >= patience else NOT_CONVERGED
        if st != RUNNING:
            status[b] = st
            ks[b] = k


@numba.njit(**JIT)
def run_rows(kind, D, track_G, n, d, X, XT, y, inv_n, eta, theta, sc, scaled, dx_bits, G, status,
             ks, below, checked, beta, r, g, k0, steps, k_until, check_every, patience,
             stop_conv, rtol, r_max, tiny, huge, z):
    """Advance every running row from step ``k0`` to ``k_until`` (or its end), in lockstep.

    Each step runs phase by phase (``beta``, ``r``, ``g``, checks, update), every phase a loop
    over the running rows: one call per phase and step, and the CPU overlaps the rows'
    independent dependency chains. Arrays are ``(M, L)`` (limbs last): ``X`` ``(n d)``, ``XT``
    ``(d n)`` (the transpose), ``y`` ``(n)``, ``inv_n`` ``(1)``, ``eta`` ``(B)``, ``theta``
    ``(B k d)`` (blocks ``w`` or ``u, v``) with its binary scales ``sc`` ``(B k d)`` (int64;
    rescaled only if ``scaled``), ``G``, ``beta``, ``g`` ``(B d)``, ``r`` ``(B n)``;
    ``status``, ``ks`` (current step), ``below``, ``checked`` have one entry per row, updated
    in place; every running row must be at step ``k0``. Returns the rows still running.
    """
    inv = load(inv_n, 0, z)
    ok = np.ones(status.shape[0], dtype=np.bool_)
    drop = np.full(status.shape[0], NONE, dtype=np.int64)
    never = np.zeros(status.shape[0], dtype=np.bool_)
    k = k0
    while True:
        _beta_rows(kind, D, theta, sc, d, beta, status, ok, drop, tiny, huge, z)
        _residual_rows(X, y, n, d, beta, r, status, z)
        _gradient_rows(XT, n, d, r, inv, g, status, z)
        _verdict_rows(r, n, ok, drop, dx_bits, k, steps, check_every, patience, stop_conv,
                      rtol, r_max, below, status, ks, checked if k == k0 else never, z)
        running = 0
        for b in range(status.shape[0]):
            running += status[b] == RUNNING
        if running == 0 or k >= k_until:
            break
        _step_rows(kind, D, track_G, theta, sc, scaled, d, g, G, eta, status, z)
        k += 1
    for b in range(status.shape[0]):
        if status[b] == RUNNING:
            ks[b] = k
            checked[b] = True
    return running


@numba.njit(**JIT)
def add_rows(a, b, z):
    """``a[i] += b[i]`` for every number of two ``(M, L)`` arrays, in ``z``'s format."""
    for i in range(a.shape[0]):
        store(a, i, add(load(a, i, z), load(b, i, z)))
