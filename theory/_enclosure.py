r"""Certified rational enclosures: ``exp`` of a rational, and the root of an exponential sum.

Theory is exact, but some of its numbers are transcendental (the gradient-flow limit solves
``sum_i c_i e^{lambda x_i} = y``). This module encloses them between two rationals, with exact
integer arithmetic only (no floats): every bound is a proof, not an estimate.

* :func:`exp_bounds` ``(t, bits)``: rationals ``lo <= e^t <= hi`` with ``hi - lo <= 2^-bits
  e^t`` (roughly). The argument is halved until ``|u| <= 1/2``; ``e^u`` is the Taylor sum with
  the remainder bound ``|R_N| <= 2 |u|^N / N!`` (``N`` terms, ``|u| <= 1/2``), and the bounds are
  squared back, each value rounded outward to a multiple of ``2^-(bits + guard)``.
* :func:`exp_sum_root` ``(coefficients, exponents, y, bits)``: for ``c_i > 0``, ``x_i > 0`` and
  ``y > 0`` the function ``f(lambda) = sum_i c_i e^{lambda x_i} - y`` is strictly increasing, so
  its root is unique; the result is ``(lo, hi)`` with ``f(lo) < 0 < f(hi)`` proved by
  :func:`exp_bounds`, found by bisection on a proved bracket, then Newton steps whose candidates
  are kept only when the signs at both ends are proved.
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["Enclosed", "exp_bounds", "term_bounds", "exp_sum_root"]

GUARD = 16


class Enclosed:
    """A number known exactly only through ``expr`` (an equation, or an expression in its
    root) and a proved rational enclosure ``lo <= value <= hi``."""

    __slots__ = ("expr", "lo", "hi")

    def __init__(self, expr, lo: Fraction, hi: Fraction):
        self.expr, self.lo, self.hi = expr, lo, hi

    def __str__(self) -> str:
        return str(self.expr)

    def __repr__(self) -> str:
        return f"Enclosed({self.expr}, {float(self.lo)!r} <= . <= {float(self.hi)!r})"


def _floor_to(q: Fraction, bits: int) -> Fraction:
    """The largest multiple of ``2^-bits`` that is ``<= q``."""
    return Fraction((q.numerator << bits) // q.denominator, 1 << bits)


def _ceil_to(q: Fraction, bits: int) -> Fraction:
    return Fraction(-((-q.numerator << bits) // q.denominator), 1 << bits)


def _exp_fixed(t: Fraction, W: int) -> tuple[int, int]:
    """Integers ``lo, hi`` with ``lo / 2^W <= e^t <= hi / 2^W`` for ``t >= 0`` (fixed point)."""
    m = 0
    while t > Fraction(1, 2) * (1 << m):  # u = t / 2^m in [0, 1/2]
        m += 1
    W2 = W + 2 * m + 8  # guard bits: the squarings amplify the relative error by 2^m
    num, den = t.numerator, t.denominator << m
    u_lo, u_hi = (num << W2) // den, -((-num << W2) // den)
    one = 1 << W2
    # all terms are positive: the lower sum from terms rounded down, the upper sum from terms
    # rounded up, plus the remainder bound |R_n| <= 2 u^n / n! for u <= 1/2
    low = high = one
    a = b = one
    n = 0
    while True:
        n += 1
        a = (a * u_lo >> W2) // n
        b = -((-(b * u_hi) >> W2) // n)
        if b == 0 or 2 * b < 4:
            break
        low += a
        high += b
    high += 2 * b + 1
    for _ in range(m):  # e^t = (e^u)^(2^m), rounded outward
        low = low * low >> W2
        high = -((-(high * high)) >> W2)
    shift = W2 - W
    return low >> shift, -((-high) >> shift)


def exp_bounds(t: Fraction, bits: int = 128) -> tuple[Fraction, Fraction]:
    """Rationals ``lo <= e^t <= hi``, relative width about ``2^-bits``.

    >>> lo, hi = exp_bounds(Fraction(1), 60)
    >>> float(lo), float(hi), hi - lo < Fraction(1, 2**58)
    (2.718281828459045, 2.718281828459045, True)
    """
    t = Fraction(t)
    if t == 0:
        return Fraction(1), Fraction(1)
    W = bits + GUARD
    lo, hi = _exp_fixed(abs(t), W)  # e^|t| >= 1: absolute 2^-W is relative <= 2^-W
    if t > 0:
        return Fraction(lo, 1 << W), Fraction(hi, 1 << W)
    # e^t = 1 / e^|t| < 1: the bounds swap; e^|t| has about 1.443 |t| bits before the point,
    # so the reciprocals are rounded outward that many bits further
    V = W + hi.bit_length() - W + 1
    return Fraction((1 << (W + V)) // hi, 1 << V), Fraction(-((-(1 << (W + V))) // lo), 1 << V)


#: ``log2(e)`` lies in ``(LOG2E_LO, LOG2E_HI)`` (1.442695...)
LOG2E_LO, LOG2E_HI = Fraction(14426, 10000), Fraction(14427, 10000)


def term_bounds(c: Fraction, t: Fraction, scale: Fraction, bits: int = 128):
    """Bounds on ``c e^t`` (``c > 0``) to within ``scale 2^-bits`` or relative ``2^-bits``.

    A term far below ``scale 2^-(bits + GUARD)`` is bounded by ``[0, scale 2^-(bits + GUARD)]``
    without evaluating ``e^t`` (``t`` may be ``-10^21``: ``e^t <= 2^(t log2 e)``).
    """
    if t < 0:
        k = math.floor(-t * LOG2E_LO)  # e^t <= 2^-k
        room = bits + GUARD + _log2_bracket(c / scale)[1]
        if k > room:
            return Fraction(0), scale / (1 << (bits + GUARD))
    lo, hi = exp_bounds(t, bits)
    return c * lo, c * hi


def _f_bounds(c, x, y, lam: Fraction, bits: int) -> tuple[Fraction, Fraction]:
    """Bounds on ``sum c_i e^{lam x_i} - y`` (``c_i > 0``)."""
    lo = hi = -Fraction(y)
    for ci, xi in zip(c, x):
        a, b = term_bounds(ci, lam * xi, y, bits)
        lo += a
        hi += b
    return lo, hi


def _sign(c, x, y, lam, bits) -> int:
    """``+1``/``-1`` when the sign of ``f(lam)`` is proved at ``bits``, ``0`` otherwise."""
    lo, hi = _f_bounds(c, x, y, lam, bits)
    return 1 if lo > 0 else -1 if hi < 0 else 0


def _log2_bracket(q: Fraction) -> tuple[int, int]:
    """Integers ``a <= log2(q) <= b`` for ``q > 0``."""
    e = q.numerator.bit_length() - q.denominator.bit_length()
    return e - 1, e + 1


def exp_sum_root(coefficients, exponents, y, bits: int = 128) -> tuple[Fraction, Fraction]:
    """A proved enclosure ``(lo, hi)`` of the root of ``sum_i c_i e^{lambda x_i} = y``.

    Parameters
    ----------
    coefficients : ``c_i > 0`` (Fractions); exponents : ``x_i > 0``; y : ``y > 0``
    bits : the width is at most ``2^-bits max(1, |lambda|)``

    >>> lo, hi = exp_sum_root([Fraction(1)], [Fraction(1)], Fraction(2), 80)
    >>> float(lo), float(hi), hi - lo < Fraction(1, 2**79)
    (0.6931471805599453, 0.6931471805599453, True)
    """
    c = [Fraction(v) for v in coefficients]
    x = [Fraction(v) for v in exponents]
    y = Fraction(y)
    # c_i e^{lambda x_i} <= y for every i, and >= y / d for some i: with
    # L_i = log(y / c_i) in [lnb_lo, lnb_hi] (powers of two, ln 2 in (0.693, 0.6932)),
    # lambda lies in [min_i (L_i - log d) / x_i, min_i L_i / x_i]
    ln2_lo, ln2_hi = Fraction(693, 1000), Fraction(6932, 10000)

    def ln_bounds(q: Fraction) -> tuple[Fraction, Fraction]:
        a, b = _log2_bracket(q)
        return a * (ln2_hi if a < 0 else ln2_lo), b * (ln2_hi if b > 0 else ln2_lo)
    d = len(c)
    lo = min(ln_bounds(y / (d * ci))[0] / xi for ci, xi in zip(c, x))
    hi = min(ln_bounds(y / ci)[1] / xi for ci, xi in zip(c, x))
    coarse = 32
    while _sign(c, x, y, lo, coarse) >= 0:
        lo -= (hi - lo)
    while _sign(c, x, y, hi, coarse) <= 0:
        hi += (hi - lo)
    # bisection to a few digits, then Newton with precision doubling
    while hi - lo > Fraction(1, 1 << 20) * max(1, abs(lo), abs(hi)):
        mid = _floor_to((lo + hi) / 2, 64 + coarse)
        s = _sign(c, x, y, mid, coarse)
        if s == 0:
            break
        lo, hi = (mid, hi) if s < 0 else (lo, mid)
    target = Fraction(1, 1 << bits) * max(1, abs(lo), abs(hi))
    work = 48
    while hi - lo > target:
        work = min(2 * work, bits + GUARD)
        mid = (lo + hi) / 2
        f_lo, f_hi = _f_bounds(c, x, y, mid, work)
        slope = sum(xi * term_bounds(ci, mid * xi, y, 32)[0] for ci, xi in zip(c, x))
        cand = _floor_to(mid - (f_lo + f_hi) / 2 / slope, work + 8)
        delta = max(abs(f_hi - f_lo) / slope * 4, target / 4)
        new_lo, new_hi = cand - delta, cand + delta
        if (lo < new_lo and _sign(c, x, y, new_lo, work + 8) < 0
                and new_hi < hi and _sign(c, x, y, new_hi, work + 8) > 0):
            lo, hi = new_lo, new_hi
        else:  # not proved at this precision: bisect once
            m = _floor_to((lo + hi) / 2, work + 8)
            s = _sign(c, x, y, m, work + 8)
            if s == 0:
                if work >= bits + GUARD:
                    break
                continue
            lo, hi = (m, hi) if s < 0 else (lo, m)
    return lo, hi
