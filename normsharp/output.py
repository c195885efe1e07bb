"""Printing helpers: JSON on stdout, exact numbers as decimals, aligned tables."""

from __future__ import annotations

import json
import math
import sys

from theory._enclosure import Enclosed

__all__ = ["emit_json", "num", "exact_text", "decimal_text", "exact_cells", "table",
           "fields_text", "value_cells", "vector_text", "SHORTENED"]

#: printed under a table whose long values were shortened
SHORTENED = ("long values are shortened (vectors to their first and last entries and count, "
             "long exact values elided in the middle with their length): --full prints them "
             "whole; --json gives every value")


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


def _certified(value: Enclosed, cap: int = 15):
    """An enclosed value to the digits both ends of its enclosure share: rounding is monotone,
    so those digits are the value's own, correctly rounded (:class:`numerics.audit.Agreed`)."""
    from numerics.audit import agree

    return agree("value", value.lo, value.hi, cap)


def num(expr) -> float:
    """The float nearest to an exact sympy number (evaluated with 30 guard digits), or the
    certified digits of a :class:`Bounded` value."""
    if isinstance(expr, Enclosed):
        return float(_certified(expr).json())
    import sympy as sp

    return float(sp.N(sp.sympify(expr), 30))


def exact_text(expr) -> str:
    """sympy's exact string for an expression."""
    if isinstance(expr, Enclosed):
        return str(expr)
    import sympy as sp

    return str(sp.sympify(expr))


def decimal_text(expr, digits: int = 15) -> str:
    """``digits`` correct significant digits of an exact number (sympy evalf); for a
    :class:`~theory._enclosure.Enclosed` value, the digits its enclosure proves (at most
    ``digits``)."""
    if isinstance(expr, Enclosed):
        return _certified(expr, digits).text()
    import sympy as sp

    expr = sp.sympify(expr)
    if expr.is_Integer:
        return str(expr)
    value = sp.N(expr, digits)
    return sp.sstr(value, full_prec=False) if value != 0 else "0"


def exact_cells(value) -> tuple[str, str]:
    """``(exact, decimal)`` text of an exact value, a tuple of them, a boolean or None; the
    decimal is empty where the value has a free symbol (a formula, not a number)."""
    import sympy as sp

    if isinstance(value, (tuple, list)):
        ex = "(" + ", ".join(exact_text(v) for v in value) + ")"
        de = "" if any(sp.sympify(v).free_symbols for v in value) else \
            "(" + ", ".join(decimal_text(v, 12) for v in value) + ")"
        return ex, de
    if isinstance(value, (bool, str)) or value is None:
        return str(value), ""
    de = "" if sp.sympify(value).free_symbols else decimal_text(value, 15)
    return exact_text(value), de


class _Text(str):
    """A string shown as it is (not quoted) by :func:`theory._display.show`."""

    def __repr__(self) -> str:
        return str(self)


def vector_text(entries: list, full: bool = False) -> tuple[str, bool]:
    """``(a, b, c, ..., z) [n entries]`` from entry texts when there are more than
    :data:`theory._display.LONG` of them (all of them with ``full``); and whether it was
    shortened."""
    from theory._display import HEAD, LONG

    if full or len(entries) <= LONG:
        return "(" + ", ".join(entries) + ")", False
    shown = list(entries[:HEAD]) + ["...", entries[-1]]
    return "(" + ", ".join(shown) + f") [{len(entries)} entries]", True


def value_cells(value, *, full: bool = False, line: int = 80) -> tuple[str, str, bool]:
    """``(exact, decimal, shortened)`` table cells of an exact number or vector: vectors
    summarised by :func:`vector_text` and exact texts longer than ``line`` elided with their
    length (unless ``full``); the decimal is empty where the value has a free symbol. Only the
    entries shown are evaluated."""
    import sympy as sp

    from theory._display import HEAD, LONG, elide

    def dec(v, digits):
        if not isinstance(v, Enclosed) and sp.sympify(v).free_symbols:
            return ""
        return decimal_text(v, digits)

    if isinstance(value, (tuple, list)):
        entries = list(value)
        picked = entries if full or len(entries) <= LONG else entries[:HEAD] + entries[-1:]
        short = len(picked) < len(entries)

        def spread(texts):  # back to n entries for vector_text (the hidden ones unused)
            return texts if not short else texts[:HEAD] + [""] * (
                len(entries) - HEAD - 1) + texts[-1:]

        texts = [exact_text(v) for v in picked]
        exact, cut = vector_text(spread(texts), full)
        if not full and len(exact) > line:  # shorten the entries, keep the vector's shape
            share = max(12, (line - 16) // len(picked) - 2)
            texts = [t if len(t) <= share else t[:share - 3] + "..." for t in texts]
            exact, cut = vector_text(spread(texts), full)[0], True
        decs = [dec(v, 12) for v in picked]
        decimal = "" if "" in decs else vector_text(spread(decs), full)[0]
    else:
        exact, cut, decimal = exact_text(value), False, dec(value, 15)
        if not full and len(exact) > line:
            exact, cut = elide(exact, line), True
    return exact, decimal, cut


def fields_text(value) -> str:
    """A dict as ``key = value, ...`` (nested dicts in parentheses; strings as they are; every
    value short: :func:`theory._display.show`), a list of dicts as such groups separated by
    ``;``, anything else as one short value."""
    from theory._display import show

    if isinstance(value, dict):
        if not value:
            return "none"
        return ", ".join(f"{k} = ({fields_text(v)})" if isinstance(v, dict)
                         else f"{k} = {fields_text(v)}" for k, v in value.items())
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "; ".join(fields_text(v) for v in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):  # exact numbers
        return show([_Text(v) for v in value], 60)
    return value if isinstance(value, str) and len(value) <= 60 else show(value, 60)


def table(rows: list[list[str]], out=None) -> None:
    """Print rows as an aligned plain-text table (first row is the header)."""
    out = out or sys.stdout
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if j == 0:
            print("  ".join("-" * w for w in widths), file=out)
