"""Conversion of user input to exact sympy numbers, and the validation every claim shares.

Theory is exact: it accepts ``int``, :class:`fractions.Fraction`, sympy numbers and expressions
(symbols included) and decimal or fraction strings (``"0.5"``, ``"1/3"``), and refuses binary
floats, whose exact value is rarely what the user meant. ``Fraction(0.1)`` states that intent.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from fractions import Fraction

import sympy as sp

from .errors import DomainError, NotDecidable

Exact = sp.Expr


def exact(value: object, name: str, *, claim: str | None = None) -> sp.Expr:
    """Convert ``value`` to an exact sympy expression, or raise :class:`DomainError`."""
    if isinstance(value, bool):
        raise DomainError(name, value, "a number is required, not a bool", claim)
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise DomainError(name, value, "a scalar sympy expression is required", claim)
        if value.has(sp.Float):
            raise DomainError(
                name, value, "an exact number is required (sympy Float found; use Rational)", claim
            )
        if value.has(sp.nan, sp.oo, -sp.oo, sp.zoo):
            raise DomainError(name, value, "a finite number is required", claim)
        if value.is_real is False:
            raise DomainError(name, value, "a real number is required", claim)
        return value
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            number = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise DomainError(
                name, value, "a decimal or fraction string such as '0.5' or '1/3' is required",
                claim,
            ) from None
        return sp.Rational(number.numerator, number.denominator)
    if isinstance(value, numbers.Real) and not math.isfinite(value):
        raise DomainError(name, value, "a finite number is required", claim)
    if isinstance(value, numbers.Real):
        raise DomainError(
            name,
            value,
            "theory is exact: pass an int, a Fraction, a sympy Rational or a string such as "
            f"'{value}' (Fraction({value}) gives the float's exact binary value)",
            claim,
        )
    raise DomainError(name, value, "a real number is required", claim)


def exact_vector(
    values: object, name: str, *, claim: str | None = None, min_length: int = 1
) -> tuple[sp.Expr, ...]:
    """Convert a one-dimensional sequence to a tuple of exact expressions."""
    if isinstance(values, sp.MatrixBase):
        if 1 not in values.shape:
            raise DomainError(name, values.shape, "a vector (one row or one column) is required",
                              claim)
        items = list(values)
    elif isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise DomainError(name, values, "a one-dimensional sequence of numbers is required", claim)
    else:
        shape = getattr(values, "shape", None)
        if shape is not None and len(shape) != 1:
            raise DomainError(f"{name}.shape", tuple(shape),
                              "a one-dimensional array is required", claim)
        items = list(values)
    if len(items) < min_length:
        raise DomainError(
            f"len({name})", len(items), f"at least {min_length} entries are required", claim
        )
    return tuple(exact(v, f"{name}[{i}]", claim=claim) for i, v in enumerate(items))


def exact_matrix(values: object, name: str, *, claim: str | None = None) -> sp.ImmutableMatrix:
    """Convert a two-dimensional array-like to an exact immutable sympy matrix."""
    if isinstance(values, sp.MatrixBase):
        rows = values.tolist()
    else:
        shape = getattr(values, "shape", None)
        if shape is not None and len(shape) != 2:
            raise DomainError(f"{name}.shape", tuple(shape), "a two-dimensional array is required",
                              claim)
        try:
            rows = [list(row) for row in values]
        except TypeError:
            raise DomainError(name, values, "a two-dimensional array is required", claim) from None
    if not rows or any(len(row) != len(rows[0]) for row in rows) or not rows[0]:
        raise DomainError(name, values, "a non-empty rectangular two-dimensional array is required",
                          claim)
    return sp.ImmutableMatrix(
        [[exact(v, f"{name}[{i},{j}]", claim=claim) for j, v in enumerate(row)]
         for i, row in enumerate(rows)]
    )


def require_positive(value: sp.Expr, name: str, claim: str | None, what: str = "> 0") -> None:
    """Raise unless ``value > 0`` may hold (a symbolic condition raises only when surely false)."""
    if value.is_positive is False:
        raise DomainError(name, value, f"{name.split('[')[0]} {what} is required", claim)


def require_nonnegative(value: sp.Expr, name: str, claim: str | None) -> None:
    """Raise unless ``value >= 0`` may hold."""
    if value.is_nonnegative is False:
        raise DomainError(name, value, f"{name.split('[')[0]} >= 0 is required", claim)


def one_sample(
    x: object, y: object, claim: str, *, min_dimension: int = 2
) -> tuple[tuple[sp.Expr, ...], sp.Expr]:
    """Validate one-sample data of the shared model: ``d >= 2``, ``x_i > 0``, ``y > 0``."""
    xs = exact_vector(x, "x", claim=claim)
    if len(xs) < min_dimension:
        raise DomainError("len(x)", len(xs), f"dimension d >= {min_dimension} is required", claim)
    for i, xi in enumerate(xs):
        require_positive(xi, f"x[{i}]", claim, "> 0 (every feature positive)")
    ys = exact(y, "y", claim=claim)
    require_positive(ys, "y", claim, "> 0 (a positive label)")
    return xs, ys


def positive_scalar(value: object, name: str, claim: str | None) -> sp.Expr:
    """Exact conversion plus the check ``value > 0``."""
    v = exact(value, name, claim=claim)
    require_positive(v, name, claim)
    return v


def same_length(values: Sequence, d: int, name: str, claim: str | None) -> None:
    """Raise when a vector does not have the dimension ``d`` of ``x``."""
    if len(values) != d:
        raise DomainError(f"len({name})", len(values), f"length d = {d} (that of x) is required",
                          claim)


def decide(condition: sp.Basic, what: str, claim: str | None) -> bool:
    """Truth value of a sympy relation, or :class:`NotDecidable` when sympy cannot tell.

    Tries sympy's own evaluation, then ``simplify``, then the sign of the factored difference
    ``lhs - rhs`` under the symbols' assumptions.
    """
    if isinstance(condition, bool):
        return condition
    for value in (condition, sp.simplify(condition)):
        if value in (True, sp.true):
            return True
        if value in (False, sp.false):
            return False
    if isinstance(condition, sp.core.relational.Relational):
        diff = sp.factor(sp.simplify(condition.lhs - condition.rhs))
        sign = {"positive": diff.is_positive, "negative": diff.is_negative,
                "zero": diff.is_zero, "nonnegative": diff.is_nonnegative,
                "nonpositive": diff.is_nonpositive}
        table = {
            sp.StrictLessThan: (("negative", True), ("nonnegative", False)),
            sp.LessThan: (("nonpositive", True), ("positive", False)),
            sp.StrictGreaterThan: (("positive", True), ("nonpositive", False)),
            sp.GreaterThan: (("nonnegative", True), ("negative", False)),
            sp.Equality: (("zero", True), ("positive", False), ("negative", False)),
            sp.Unequality: (("zero", False), ("positive", True), ("negative", True)),
        }
        for fact, verdict in table.get(type(condition), ()):
            if sign[fact]:
                return verdict
    raise NotDecidable(what, claim)


def is_numeric(values: Iterable[sp.Expr]) -> bool:
    """True when every value is a number (no free symbols)."""
    return all(not v.free_symbols for v in values)
