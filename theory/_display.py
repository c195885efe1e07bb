"""Short, readable text of values: for error messages and the reprs of result dataclasses.

One rule everywhere a value is shown to a person: exact numbers as mathematics (``3/10``, not
``Fraction(3, 10)``; ``2.5``, not ``np.float64(2.5)``), long sequences as their first and last
entries with the count, and any text longer than a line elided in the middle with its length.
Nothing here computes: it only formats.

Examples
--------
>>> from fractions import Fraction
>>> show(Fraction(3, 10))
'3/10'
>>> show((Fraction(1, 2), 1, 2.5))
'(1/2, 1, 2.5)'
>>> show(tuple(range(2000)))
'(0, 1, 2, ..., 1999) [2000 entries]'
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

__all__ = ["show", "elide", "compact_repr", "LINE", "LONG", "HEAD"]

#: the longest text shown for one value (a line, with its name in front)
LINE = 80
#: sequences longer than this are shown as their first HEAD entries, "...", the last one
LONG, HEAD = 6, 3


def _is_matrix(value) -> bool:
    return hasattr(value, "shape") and hasattr(value, "rows") and hasattr(value, "cols")


def _scalar_text(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (float, str)):
        return repr(value)
    if hasattr(value, "free_symbols") or hasattr(value, "man_exp") or hasattr(value, "mid"):
        return str(value)  # sympy, mpmath, flint: their str is mathematics
    return repr(value)


def _rational_text(value: int | Fraction, limit: int) -> str:
    """An exact rational as ``p/q``; one longer than ``limit`` as six significant digits,
    saying that it is rounded (computed without writing out its digits)."""
    import decimal

    q = Fraction(value)
    digits = (q.numerator.bit_length() + q.denominator.bit_length()) * 30103 // 100000 + 1
    if digits <= limit + 2:
        text = str(q)
        if len(text) <= limit:
            return text
    with decimal.localcontext() as ctx:
        ctx.prec = 6
        ctx.Emax, ctx.Emin = decimal.MAX_EMAX, decimal.MIN_EMIN
        approx = decimal.Decimal(q.numerator) / decimal.Decimal(q.denominator)
    return f"{approx:g} (rounded; exact: about {digits} digits)"


def elide(text: str, limit: int = LINE) -> str:
    """``text`` on one line; longer than ``limit``: its head and tail around ``...``, with a
    note of its length (``[139 characters]``)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    note = f" [{len(text)} characters]"
    keep = max(limit - len(note) - 3, 10)
    head = keep * 2 // 3
    return f"{text[:head]}...{text[len(text) - (keep - head):]}{note}"


def _sequence_text(value, limit: int) -> str:
    """Entry by entry, each within its share of ``limit``; more than :data:`LONG` entries as
    the first :data:`HEAD`, ``...`` and the last, with the count."""
    items = list(value)
    opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
    n = len(items)
    picked = items[:HEAD] + items[-1:] if n > LONG else items
    share = max(16, limit // max(len(picked), 1))
    shown = [show(v, share) for v in picked]
    if n > LONG:
        shown.insert(HEAD, "...")
        return f"{opening}{', '.join(shown)}{closing} [{n} entries]"
    inner = ", ".join(shown)
    if n == 1 and opening == "(":
        inner += ","
    return f"{opening}{inner}{closing}"


def show(value: object, limit: int = LINE) -> str:
    """``value`` as a person reads it, on one line of at most about ``limit`` characters.

    Exact numbers as ``p/q``; numpy scalars as their Python value; sequences (tuples, lists,
    1-d arrays) entry by entry, long ones as ``(a, b, c, ..., z) [n entries]``; matrices larger
    than 4 x 4 as their shape; anything longer than ``limit`` elided in the middle with a note
    of its length.
    """
    if _is_matrix(value):
        rows, cols = value.shape
        if rows * cols > 16:
            return f"Matrix({rows} x {cols})"
        return elide(str(value), limit)
    ndarray_shape = getattr(value, "shape", None)
    if isinstance(ndarray_shape, tuple) and len(ndarray_shape) >= 1 and hasattr(value, "tolist"):
        if len(ndarray_shape) > 1:
            return f"array of shape {ndarray_shape}"
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        return _sequence_text(value, limit)
    if isinstance(value, dict):
        items = list(value.items())[:LONG]
        share = max(16, limit // max(len(items), 1))
        parts = [f"{show(k, share)}: {show(v, share)}" for k, v in items]
        more = f", ... [{len(value)} entries]" if len(value) > LONG else ""
        return "{" + ", ".join(parts) + more + "}"
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return _rational_text(value, limit)
    return elide(_scalar_text(value), limit)


def _field_text(value) -> str:
    return show(value, LINE)


def compact_repr(cls=None, *, fields: tuple | None = None):
    """Class decorator for a dataclass: a repr that stays short whatever the dimension.

    Each field is shown with :func:`show` (long values elided, long vectors as their ends and
    count); fields whose name starts with ``_`` are left out. ``fields`` (names of fields or
    properties) shows those instead: a summary for results with many or bulky fields. A repr
    of short fields is the dataclass's own, with exact numbers as mathematics.

    Used as ``@compact_repr`` or ``@compact_repr(fields=("name", "outcome"))``.
    """

    def install(klass):
        def __repr__(self) -> str:
            names = fields if fields is not None else [
                f.name for f in dataclasses.fields(self) if f.repr and not f.name.startswith("_")]
            parts = [f"{name}={_field_text(getattr(self, name))}" for name in names]
            return f"{type(self).__name__}({', '.join(parts)})"

        klass.__repr__ = __repr__
        return klass

    return install if cls is None else install(cls)
