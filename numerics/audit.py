"""The precision audit: which digits of a result two precisions agree on.

A result computed at one precision says nothing about its own accuracy; near the edge of
stability GD is chaotic and float64 and 113-bit runs can disagree at O(1). The audit runs the
same computation at two precisions and keeps, per quantity, only the decimal digits on which the
two agree. A quantity with no agreed digit is ``chaotic``, never a number.

Counting rule. For scalars ``a`` (lower precision) and ``b`` (higher), the candidate count is
``floor(-log10(|a - b| / max(|a|, |b|)))`` capped at the lower precision; both values are
rounded to that many significant digits and the count is lowered until the two roundings are
equal, so every printed digit is one both precisions produced. Vectors use the same rule in the
max norm, and are printed in fixed point at the resulting absolute position. For a run that
neither converged nor settled on a periodic orbit at both precisions, fewer than
:data:`CHANCE_DIGITS` agreed digits count as chance and are reported as ``chaotic``. A loss at
which either run converged is reported as an upper bound (``kind="bound"``), since its digits
are rounding noise by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from .precision import Precision

__all__ = ["Agreed", "agreed_digits", "agree", "audit_quantity", "settled", "audit_diagnosis",
           "CHANCE_DIGITS"]


def _dec(q: Fraction, prec: int = 120) -> Decimal:
    """``q`` to ``prec`` significant digits. A fraction of huge numerator and denominator (a
    coordinate of 2^-42000 in the chaotic phase) is first cut to a mantissa of
    ``3.33 prec + 64`` bits times a power of two: converting its full integers would cost
    seconds, and the cut is far below the digits asked for."""
    n, d = q.numerator, q.denominator
    bits = int(prec * 3.33) + 64
    with localcontext() as c:
        c.prec = prec
        if n.bit_length() + d.bit_length() <= 8 * bits:
            return Decimal(n) / Decimal(d)
        e = n.bit_length() - d.bit_length() - bits
        m = (n << -e) // d if e < 0 else n // (d << e)
        c.prec = prec + 10
        return +(Decimal(m) * Decimal(2) ** e)


def _round_sig(q: Fraction, digits: int) -> str:
    """``q`` rounded to exactly ``digits`` significant digits (trailing zeros kept)."""
    if q == 0:
        return "0"
    with localcontext() as c:
        c.prec = max(1, digits)
        c.rounding = ROUND_HALF_EVEN
        d = +_dec(q, digits + 30)
        if abs(q) < Fraction(1, 10**4) or abs(q) >= 10**6:
            return f"{d:.{max(0, digits - 1)}e}"
        places = digits - 1 - d.adjusted()
        if places < 0:  # 123456.7 to 3 digits: 1.23e+5, not 123000 (which claims 6 digits)
            return f"{d:.{max(0, digits - 1)}e}"
        c.prec = digits + 10
        return format(d.quantize(Decimal(1).scaleb(-places)) if places > 0 else d, "f")


def _round_abs(q: Fraction, exponent: int, scientific: bool = False) -> str:
    """``q`` rounded to a multiple of ``10**exponent``, without a sign on zero; fixed point, or
    scientific notation (for vectors of very small or very large scale)."""
    lead = math.floor(_log10(abs(q))) if q else 0
    prec = max(50, lead - exponent + 20)
    with localcontext() as c:
        c.prec = prec
        d = _dec(q, prec).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    text = format(d, "e" if scientific else "f")
    return text[1:] if text.startswith("-") and d == 0 else text


def _float_or_text(text: str):
    """A JSON number for ``text``, or the text itself when float64 cannot hold it."""
    f = float(text)
    return f if math.isfinite(f) and (f != 0 or Decimal(text) == 0) else text


def _rel(a: Fraction, b: Fraction) -> Fraction | None:
    scale = max(abs(a), abs(b))
    return None if scale == 0 else abs(a - b) / scale


def _log10(q: Fraction) -> float:
    """``log10`` of a positive Fraction of any size (floats would under- or overflow)."""
    return math.log10(q.numerator) - math.log10(q.denominator)


def _digits_from_rel(rel: Fraction | None, cap: int) -> int:
    if rel is None or rel == 0:
        return cap
    return max(0, min(cap, math.floor(-_log10(rel)) if rel < 1 else 0))


def _same(x: str, y: str) -> bool:
    return Decimal(x) == Decimal(y)


def vector_scale(a: tuple, b: tuple) -> Fraction:
    """The max-norm scale of two vectors (None entries, dead coordinates, ignored)."""
    return max((abs(v) for v in a + b if v is not None), default=Fraction(0))


def agreed_digits(a, b, cap: int) -> int:
    """Significant decimal digits (scalars) or max-norm digits (vectors) shared by ``a``, ``b``.

    For vectors, ``None`` marks a coordinate with no finite value (a dead coordinate's
    logarithm); the two runs must agree on where those are, and the others are compared.
    """
    if isinstance(a, tuple):
        if len(a) != len(b) or any((u is None) != (v is None) for u, v in zip(a, b)):
            return 0
        pairs = [(u, v) for u, v in zip(a, b) if u is not None]
        scale = vector_scale(a, b)
        if not pairs or scale == 0:
            return cap
        diff = max(abs(u - v) for u, v in pairs)
        digits = _digits_from_rel(diff / scale, cap)
        while digits > 0 and not all(
                _same(s, t) for s, t in zip(_vec_text([u for u, _ in pairs], digits, scale),
                                           _vec_text([v for _, v in pairs], digits, scale))):
            digits -= 1
        return digits
    digits = _digits_from_rel(_rel(a, b), cap)
    while digits > 0 and not _same(_round_sig(a, digits), _round_sig(b, digits)):
        digits -= 1
    return digits


def _vec_exponent(digits: int, scale: Fraction) -> int:
    return math.floor(_log10(scale)) - digits + 1


def _vec_text(v, digits: int, scale: Fraction) -> list[str]:
    e = _vec_exponent(digits, scale)
    sci = not Fraction(1, 10**4) <= scale < 10**6
    return [None if x is None else _round_abs(x, e, sci) for x in v]


@dataclass(frozen=True)
class Agreed:
    """One audited quantity.

    Attributes
    ----------
    name : str
    value : Fraction, tuple of Fractions, or None (the higher-precision run's value)
    digits : int
        Agreed significant digits (max-norm digits for vectors); 0 means ``chaotic``.
    kind : ``"agreed"`` or ``"bound"`` (an upper bound both runs satisfy, for a converged loss)
    """

    name: str
    value: object
    digits: int
    kind: str = "agreed"
    scale: Fraction | None = None

    @property
    def chaotic(self) -> bool:
        return self.kind == "agreed" and self.digits == 0

    def text(self) -> str:
        """The value with its agreed digits only, ``chaotic`` or ``<= bound``."""
        if self.value is None:
            return "n/a"
        if self.kind == "bound":
            return "<= " + _bound_text(self.value)
        if self.chaotic:
            return "chaotic"
        if isinstance(self.value, tuple):
            scale = self._scale()
            if scale == 0:
                return "(" + ", ".join("0" if v == 0 else "-inf" for v in self.value) + ")"
            return "(" + ", ".join("-inf" if t is None else t
                                   for t in _vec_text(self.value, self.digits, scale)) + ")"
        return _round_sig(self.value, self.digits)

    def _scale(self) -> Fraction:
        if self.scale is not None:
            return self.scale
        return vector_scale(self.value, self.value)

    def json(self):
        """A JSON value: number(s) rounded to the agreed digits, or the string ``"chaotic"``."""
        if self.value is None:
            return None
        if self.kind == "bound":
            return float(_bound_text(self.value))
        if self.chaotic:
            return "chaotic"
        if isinstance(self.value, tuple):
            scale = self._scale()
            if scale == 0:
                return [0.0 if v == 0 else None for v in self.value]
            return [None if t is None else _float_or_text(t)
                    for t in _vec_text(self.value, self.digits, scale)]
        return _float_or_text(_round_sig(self.value, self.digits))


def _bound_text(q: Fraction) -> str:
    if q == 0:
        return "0"
    with localcontext() as c:
        c.prec = 2
        c.rounding = ROUND_CEILING
        return format(+_dec(q), "e")


def agree(name: str, a, b, cap: int, bound: bool = False) -> Agreed:
    """Audit one quantity from the two runs (``a`` lower precision, ``b`` higher)."""
    if a is None or b is None:
        return Agreed(name, None, 0)
    if bound:
        return Agreed(name, max(a, b), cap, "bound")
    scale = vector_scale(a, b) if isinstance(b, tuple) else None
    return Agreed(name, b, agreed_digits(a, b, cap), scale=scale)


#: agreed digits below this count as chance when a run neither converged nor settled on a
#: common periodic orbit: values of a chaotic trajectory range over an O(1) interval, so
#: their leading digits coincide often (1 in 2 for values spread over [0, 2]).
CHANCE_DIGITS = 3


def settled(low, high) -> bool:
    """Whether two runs reached a state whose digits can agree by more than chance: both
    converged, or both oscillate with the same period."""
    if low.status == high.status == "converged":
        return True
    period = low.diagnosis.get("period")
    return (low.status == high.status == "not_converged" and period is not None
            and period == high.diagnosis.get("period"))


def audit_quantity(name: str, a, b, cap: int, *, settled: bool, bound: bool = False) -> Agreed:
    """:func:`agree`, plus the chance rule: when the runs are not :func:`settled`, fewer than
    :data:`CHANCE_DIGITS` agreed digits are reported as ``chaotic``. Every audited quantity of
    a GD run (including derived ones such as an expected risk) goes through here."""
    q = agree(name, a, b, cap, bound=bound)
    if not settled and q.kind == "agreed" and 0 < q.digits < CHANCE_DIGITS:
        # an unsettled (chaotic) run's O(1) values share a leading digit by chance often
        q = Agreed(q.name, q.value, 0, q.kind, q.scale)
    return q


#: the digits a float64 number carries (a diagnosis records its numbers as floats)
FLOAT64_CAP = Precision("float64").cap


def audit_diagnosis(low: dict, high: dict, cap: int, *, settled: bool = False) -> dict:
    """Merge two diagnoses: equal entries are kept, numbers become :class:`Agreed` (chance rule
    included), the rest are ``"chaotic"`` (for instance a period one precision sees and the
    other does not)."""
    out = {}
    for key in high:
        a, b = low.get(key), high[key]
        if isinstance(b, float) and isinstance(a, float):
            out[key] = audit_quantity(key, Fraction(a), Fraction(b), min(cap, FLOAT64_CAP),
                                      settled=settled)
        else:
            out[key] = b if a == b else "chaotic"
    # near_edge is a verdict on the ratio S eta / 2: no agreed ratio, no verdict
    ratio = out.get("S_centre_times_eta_over_2", out.get("S_times_eta_over_2"))
    if "near_edge" in out and isinstance(ratio, Agreed) and ratio.chaotic:
        out["near_edge"] = "chaotic"
    return out
