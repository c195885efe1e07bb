"""Exact conversions between rationals and multi-limb numbers, and the formats' ranges.

A multi-limb number with ``L`` limbs (1: float64, 2: double-double, 4: quad-double) is stored as
the last axis of a float64 array. Its value is the exact sum of its limbs' binary values.

:func:`to_limbs` rounds *greedily to nearest*: limb 0 is the double nearest ``q`` (ties to even,
as ``float(Fraction)`` rounds), limb 1 the double nearest ``q - limb0``, and so on. The result is
normalised (``|limb_{i+1}| <= ulp(limb_i) / 2``) and its error is at most half an ulp of the last
limb: a relative ``2^-(53 L)`` or less. It is the same rounding for every input, exact rationals
and the irrational ``sqrt(2) alpha`` (:func:`sqrt2_times_limbs`, computed from a rigorous integer
square-root enclosure, refined until the enclosure's two ends round alike: :func:`sqrt_limbs`),
so every format starts from the correctly (greedily) rounded initial state. :func:`from_limbs` is
exact.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..errors import DomainError

__all__ = ["to_limbs", "from_limbs", "sqrt_limbs", "sqrt2_times_limbs", "vector_to_limbs",
           "limbs_to_fractions", "tiny", "HUGE", "LIMBS", "FORMAT_DPS", "limbs_of", "sqrt_to_float",
           "fits"]

#: limbs per format
LIMBS = {"float64": 1, "dd": 2, "qd": 4}
#: decimal digits of each format (53, 106 and 212 bits)
FORMAT_DPS = {fmt: 53 * L * math.log10(2) for fmt, L in LIMBS.items()}
#: a value whose leading limb exceeds this in magnitude leaves the range (status ``range``)
HUGE = 2.0 ** 970


def limbs_of(fmt: str) -> int:
    """Number of limbs of ``fmt`` (``"float64"``, ``"dd"`` or ``"qd"``)."""
    if fmt not in LIMBS:
        raise DomainError("fmt", fmt, f"one of {', '.join(LIMBS)}")
    return LIMBS[fmt]


def tiny(L: int) -> float:
    """Smallest leading limb at which ``L`` limbs still carry full precision, with a margin.

    The last limb of a number of magnitude ``x`` sits near ``x 2^(-53 (L - 1))`` and must stay a
    normal double (``>= 2^-1022``); the extra ``2^53`` makes any absolute error of subnormal size
    (``<= 2^-1074``) a relative ``2^-53`` of the last limb's unit. Hence ``2^(-1022 + 53 L)``:
    ``2^-969`` (float64), ``2^-916`` (dd), ``2^-810`` (qd).
    """
    return 2.0 ** (-1022 + 53 * L)


_BOUNDS = {L: (Fraction(tiny(L)), Fraction(HUGE)) for L in LIMBS.values()}


def fits(values, L: int) -> bool:
    """Whether every value (exact reals) lies in the range where ``L`` limbs carry full
    precision (0, or a magnitude in ``[tiny(L), HUGE]``). Decided on the nearest double, and
    exactly within a relative 2^-40 of either bound."""
    low, high = _BOUNDS[L]
    lo_f, hi_f = tiny(L) * (1 + 2.0**-40), HUGE * (1 - 2.0**-40)
    for q in values:
        try:
            f = abs(float(q))
        except OverflowError:
            return False
        if not (lo_f <= f <= hi_f or (f == 0 and q == 0)):
            if not (q == 0 or low <= abs(Fraction(q)) <= high):
                return False
    return True


def _check(q: Fraction, L: int, name: str) -> None:
    low, high = _BOUNDS[L]
    if q != 0 and not (low <= abs(q) <= high):
        raise DomainError(name, float(q) if abs(q) < 2 ** 1000 else "huge",
                          f"0 or a magnitude in [2^{-1022 + 53 * L}, 2^970] (the range in which "
                          f"{L} limb(s) carry full precision); use python-flint")


def to_limbs(q, L: int, name: str = "value") -> tuple:
    """``q`` (a Fraction, int or float) as ``L`` limbs, greedily rounded to nearest (exact
    rational arithmetic); :class:`DomainError` outside the full-precision range."""
    q = Fraction(q)
    den = q.denominator
    if den & (den - 1) == 0:  # dyadic: a double already? (float data)
        f = float(q)
        if f.as_integer_ratio() == (q.numerator, den) and (
                f == 0 or tiny(L) <= abs(f) <= HUGE):
            return (f,) + (0.0,) * (L - 1)
    _check(q, L, name)
    out = []
    rem = q
    for _ in range(L):
        f = float(rem)  # int / int true division: correctly rounded
        out.append(f)
        rem -= Fraction(f)
    return tuple(out)


def from_limbs(limbs) -> Fraction:
    """The exact value of a multi-limb number (sum of its limbs' binary values)."""
    total = Fraction(0)
    for v in limbs:
        v = float(v)
        if not math.isfinite(v):
            raise DomainError("limb", v, "a finite limb is required")
        total += Fraction(v)
    return total


def sqrt_limbs(q, L: int, name: str = "value") -> tuple:
    """``sqrt(q)`` (a rational ``q >= 0``) as ``L`` limbs, greedily rounded to nearest *from the
    exact real*.

    ``sqrt(a / b) = sqrt(a b) / b``; an integer square root at ``2^m`` scale encloses it in
    ``[s, s + 1] / (2^m b)``; ``m`` grows until both ends round to the same limbs.
    """
    q = Fraction(q)
    if q < 0:
        raise DomainError(name, q, "a non-negative number under a square root")
    if q == 0:
        return (0.0,) * L
    a, b = q.numerator, q.denominator
    m = 64 * L + 64
    while True:
        s = math.isqrt((a * b) << (2 * m))
        den = b << m
        lo, hi = to_limbs(Fraction(s, den), L, name), to_limbs(Fraction(s + 1, den), L, name)
        if lo == hi:  # greedy rounding is monotone: every real in between rounds alike
            return lo
        m *= 2


def sqrt2_times_limbs(alpha, L: int) -> tuple:
    """``sqrt(2) alpha`` (``alpha > 0``) as ``L`` limbs, greedily rounded from the exact real."""
    a = Fraction(alpha)
    if a <= 0:
        raise DomainError("alpha", a, "alpha > 0 is required")
    return sqrt_limbs(2 * a * a, L, "sqrt(2) alpha")


def sqrt_to_float(q: Fraction) -> float:
    """``sqrt(q)`` as a double within one ulp (for ``rtol = sqrt(2 tol)``; ``q`` may be far
    below float64's range, ``sqrt(q)`` not)."""
    q = Fraction(q)
    if q <= 0:
        return 0.0
    m = max(0, 2 * (1100 + q.denominator.bit_length()))
    s = math.isqrt((q.numerator << m) // q.denominator)
    return float(Fraction(s, 1 << (m // 2)))


def vector_to_limbs(values, L: int, name: str = "value") -> np.ndarray:
    """A sequence of rationals as an ``(len, L)`` float64 array (:func:`to_limbs` each)."""
    out = np.zeros((len(values), L))
    for i, v in enumerate(values):
        out[i] = to_limbs(v, L, f"{name}[{i}]")
    return out


def limbs_to_fractions(arr) -> list:
    """Exact values of a ``(..., L)`` array as nested lists of Fractions (one per number)."""
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 1:
        return from_limbs(arr)
    return [limbs_to_fractions(a) for a in arr]
