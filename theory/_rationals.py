"""Exact rationals without sympy: the input conversion of the computability modules.

:mod:`theory.quantized`, :mod:`theory.names`, :mod:`theory.exit_flag` and
:mod:`theory.quantizers` work in :class:`fractions.Fraction` only (exhaustive searches over
grids need fast exact arithmetic, and ``import theory.quantized`` must not load sympy). They
accept what the rest of :mod:`theory` accepts for a rational: ``int``, ``Fraction``, a sympy
``Rational`` and decimal or fraction strings (``"0.5"``, ``"1/3"``), and refuse binary floats,
whose exact value is rarely what the user meant (``Fraction(0.1)`` states that intent).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

from .errors import DomainError

__all__ = ["rational", "rational_vector", "positive_int", "nonnegative_int"]


def rational(value: object, name: str, claim: str | None = None) -> Fraction:
    """``value`` as an exact :class:`Fraction`, or :class:`DomainError` naming ``name``."""
    if isinstance(value, bool):
        raise DomainError(name, value, "a rational number is required, not a bool", claim)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise DomainError(name, value, "a decimal or fraction string such as '0.5' or "
                              "'1/3' is required", claim) from None
    if getattr(value, "is_Rational", False):  # sympy Rational, without importing sympy
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, numbers.Real) and not math.isfinite(value):
        raise DomainError(name, value, "a finite rational number is required", claim)
    if isinstance(value, numbers.Real):
        raise DomainError(
            name, value, "an exact rational is required: pass an int, a Fraction or a string "
            f"such as '{value}' (Fraction({value}) gives the float's exact binary value)",
            claim)
    raise DomainError(name, value, "a rational number is required", claim)


def rational_vector(values: object, name: str, claim: str | None = None,
                    length: int | None = None) -> tuple[Fraction, ...]:
    """A one-dimensional sequence of rationals (of ``length`` entries, when given)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise DomainError(name, values, "a sequence of rational numbers is required", claim)
    items = tuple(rational(v, f"{name}[{i}]", claim) for i, v in enumerate(values))
    if length is not None and len(items) != length:
        raise DomainError(f"len({name})", len(items), f"{length} entries are required", claim)
    return items


def positive_int(value: object, name: str, claim: str | None = None) -> int:
    """An integer ``>= 1`` (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise DomainError(name, value, "an integer >= 1 is required", claim)
    return int(value)


def nonnegative_int(value: object, name: str, claim: str | None = None) -> int:
    """An integer ``>= 0`` (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise DomainError(name, value, "an integer >= 0 is required", claim)
    return int(value)
