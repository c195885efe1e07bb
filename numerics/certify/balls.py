"""Arb balls at the edges of a certificate: rationals in, outward-rounded floats and text out.

Every conversion keeps the enclosure: a rational becomes a ball containing it, a ball becomes a
float interval containing it, and a ball's text prints only certified digits (Arb's notation).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from ..backends import get_backend
from ..errors import DomainError


def _arb_fraction(flint, q: Fraction):
    """An Arb ball enclosing the rational ``q`` (exact when ``q`` is dyadic and fits)."""
    q = Fraction(q)
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


@functools.cache
def _flint_backend():
    """The flint backend, used here outside its own :meth:`~numerics.backends.Backend.scope`,
    so that it works at the caller's ``flint.ctx`` precision: for
    :meth:`~numerics.backends.Flint.to_fraction` (the exact value of a midpoint) and as the
    ``ops`` of the flow maps (:func:`_flow_maps`)."""
    return get_backend("flint", 30)


def _exact_fraction(a) -> Fraction | None:
    """The exact value of an Arb number's midpoint (``None`` if not finite)."""
    try:
        return _flint_backend().to_fraction(a)
    except DomainError:
        return None


def _float_down(a) -> float:
    """The largest float ``<= a.lower()`` (outward rounding of a lower endpoint)."""
    q = _exact_fraction(a.lower())
    if q is None:
        return -math.inf
    try:
        f = float(q)
    except OverflowError:
        return -math.inf if q < 0 else math.nextafter(math.inf, 0)
    if Fraction(f) > q:
        f = math.nextafter(f, -math.inf)
    return f


def _float_up(a) -> float:
    """The smallest float ``>= a.upper()`` (outward rounding of an upper endpoint)."""
    q = _exact_fraction(a.upper())
    if q is None:
        return math.inf
    try:
        f = float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.nextafter(math.inf, 0)
    if Fraction(f) < q:
        f = math.nextafter(f, math.inf)
    return f


def arb_interval(a) -> list[float]:
    """``[lower, upper]`` as floats rounded outward: the float interval contains the ball ``a``.

    Examples
    --------
    >>> import flint
    >>> lo, hi = arb_interval(flint.arb(1) / 3)
    >>> lo < 1 / 3 < hi or lo <= 1 / 3 <= hi
    True
    """
    return [_float_down(a), _float_up(a)]


def _ball_text(a, digits: int) -> str:
    return a.str(max(1, int(digits)), radius=True)


def _width(a) -> float:
    """``upper - lower`` of a ball, rounded up."""
    return _float_up(2 * a.rad()) if a.mid().is_finite() else math.inf


def _mid_mat(flint, M):
    return flint.arb_mat([[M[i, j].mid() for j in range(M.ncols())] for i in range(M.nrows())])


def _finite(values) -> bool:
    return all(v.is_finite() for v in values)
