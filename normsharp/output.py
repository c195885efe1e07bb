"""Printing helpers: JSON on stdout, exact numbers as decimals, aligned tables."""

from __future__ import annotations

import json
import math
import sys

__all__ = ["emit_json", "num", "exact_text", "decimal_text", "table", "Bounded"]


def emit_json(obj: dict) -> None:
    """Print one JSON object on stdout (non-finite floats become null)."""
    print(json.dumps(_clean(obj), indent=2))


def _clean(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


class Bounded:
    """A number known exactly only through an equation (``expr``, with a free symbol) and a
    proved rational enclosure ``lo <= value <= hi``. Printed to the digits both ends share:
    rounding is monotone, so those digits are the value's own, correctly rounded."""

    def __init__(self, expr, lo, hi):
        self.expr, self.lo, self.hi = expr, lo, hi

    def agreed(self, cap: int = 15):
        from numerics.audit import agree

        return agree("value", self.lo, self.hi, cap)

    def __str__(self) -> str:
        return str(self.expr)


def num(expr) -> float:
    """The float nearest to an exact sympy number (evaluated with 30 guard digits), or the
    certified digits of a :class:`Bounded` value."""
    if isinstance(expr, Bounded):
        return float(expr.agreed().json())
    import sympy as sp

    return float(sp.N(sp.sympify(expr), 30))


def exact_text(expr) -> str:
    """sympy's exact string for an expression."""
    if isinstance(expr, Bounded):
        return str(expr)
    import sympy as sp

    return str(sp.sympify(expr))


def decimal_text(expr, digits: int = 15) -> str:
    """``digits`` correct significant digits of an exact number (sympy evalf); for a
    :class:`Bounded` value, the digits its enclosure proves (at most ``digits``)."""
    if isinstance(expr, Bounded):
        return expr.agreed(digits).text()
    import sympy as sp

    expr = sp.sympify(expr)
    if expr.is_Integer:
        return str(expr)
    value = sp.N(expr, digits)
    return sp.sstr(value, full_prec=False) if value != 0 else "0"


def table(rows: list[list[str]], out=None) -> None:
    """Print rows as an aligned plain-text table (first row is the header)."""
    out = out or sys.stdout
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if j == 0:
            print("  ".join("-" * w for w in widths), file=out)
