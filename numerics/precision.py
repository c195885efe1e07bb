"""The one precision vocabulary of normsharp.

* ``dps`` is a **working precision** in decimal digits, everywhere (``prec`` is the same in
  bits, derived as mpmath derives it). One checked range: :data:`MIN_DPS` ``<= dps <=``
  :data:`MAX_DPS`, enforced by :func:`check_dps`.
* ``digits`` is a count of **agreed or displayed** digits (what two precisions share, what is
  printed), never a working precision.
* A :class:`Precision` is one arithmetic at one working precision (``float64``, or a
  multiprecision backend at ``dps`` digits); a :class:`PrecisionPair` is the two precisions an
  audit compares. :data:`DEFAULT_PAIR` (double-double against quad-double, compiled) is the
  pair used when the caller gives none, by gradient descent, sweeps and gradient flow alike;
  :func:`precision_pair` builds the pair for ``precision=P`` (``P`` against ``2P`` digits of
  python-flint or mpmath).

Nothing here changes a global precision.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from theory.errors import DomainError

__all__ = ["MIN_DPS", "MAX_DPS", "FLOAT64_DPS", "FORMAT_BITS", "FORMAT_DPS", "BACKENDS",
           "FIXED", "MULTIPRECISION", "check_dps", "dps_to_prec", "Precision", "PrecisionPair",
           "DEFAULT_PAIR", "precision_pair"]

#: the range of working precisions, in decimal digits (one range for the whole package)
MIN_DPS, MAX_DPS = 5, 100000
#: the fixed-precision formats and their significand bits: IEEE double, double-double
#: (two doubles) and quad-double (four), all with float64's exponent range
FORMAT_BITS = {"float64": 53, "dd": 106, "qd": 212}
#: their precision in decimal digits, ``bits log10 2``: 15.95, 31.9, 63.8
FORMAT_DPS = {fmt: bits * math.log10(2) for fmt, bits in FORMAT_BITS.items()}
#: float64's precision in decimal digits, ``53 log10 2 = 15.95...``
FLOAT64_DPS = FORMAT_DPS["float64"]
#: the fixed-precision backends (compiled GD kernels) and the multiprecision ones (any ``dps``)
FIXED, MULTIPRECISION = tuple(FORMAT_BITS), ("mpmath", "flint")
#: the arithmetic backends
BACKENDS = FIXED + MULTIPRECISION


def dps_to_prec(dps: float) -> int:
    """Bits for ``dps`` decimal digits, as mpmath computes them.

    >>> dps_to_prec(30)
    103
    """
    return max(1, int(round((int(dps) + 1) * 3.3219280948873626)))


def _whole(value, name: str) -> int:
    try:
        v = None if isinstance(value, (bool, str, bytes)) else float(value)
    except (TypeError, ValueError, OverflowError):
        v = None
    if v is None or not math.isfinite(v) or not v.is_integer():
        raise DomainError(name, value, "a whole number of decimal digits is required")
    return int(v)


def check_dps(dps, name: str = "dps", *, most: int = MAX_DPS) -> int:
    """``dps`` as an int, checked to be a whole number in ``[MIN_DPS, most]``.

    ``most`` is lower than :data:`MAX_DPS` where a computation also runs at a multiple of
    ``dps`` (an audit at ``2 dps``), so that the larger precision stays in range.

    Raises
    ------
    DomainError
        Naming ``name``, for a bool, a string, a fraction, NaN, infinity or a value out of range.

    Examples
    --------
    >>> check_dps(30.0)
    30
    """
    digits = _whole(dps, name)
    if digits < MIN_DPS:
        raise DomainError(name, dps, f"{name} >= {MIN_DPS} is required")
    if digits > most:
        why = "" if most == MAX_DPS else f" (the audit also runs at {MAX_DPS // most}x it)"
        raise DomainError(name, dps, f"{name} <= {most} is required{why}")
    return digits


class Precision(NamedTuple):
    """One arithmetic at one working precision: a fixed format (``("float64", None)``,
    ``("dd", None)``, ``("qd", None)``) or a multiprecision backend ``(backend, dps)``."""

    backend: str
    dps: int | None = None

    @property
    def label(self) -> str:
        """``"float64"``, ``"dd"``, ``"qd"`` or ``"backend:dps"``."""
        return self.backend if self.dps is None else f"{self.backend}:{self.dps}"

    @classmethod
    def from_label(cls, label: str) -> Precision:
        """The precision a :attr:`label` names (``"qd"``, ``"flint:32"``).

        >>> Precision.from_label("flint:32"), Precision.from_label("dd").cap
        (Precision(backend='flint', dps=32), 31)
        """
        backend, _, dps = str(label).partition(":")
        if backend not in BACKENDS or (backend in FIXED) == bool(dps):
            raise DomainError("label", label, "a precision label such as 'dd', 'qd', "
                              "'float64' or 'flint:32'")
        return cls(backend, int(dps) if dps else None)

    @property
    def digits(self) -> float:
        """The decimal digits this precision carries (``bits log10 2`` for a fixed format)."""
        return FORMAT_DPS[self.backend] if self.dps is None else self.dps

    @property
    def cap(self) -> int:
        """The most decimal digits a result at this precision can carry: ``floor`` of
        :attr:`digits` (float64 15, dd 31, qd 63; a multiprecision backend its ``dps``)."""
        return int(math.floor(self.digits))

    @property
    def working_dps(self) -> int:
        """Working digits for an engine that has no such fixed format: ``ceil`` of
        :attr:`digits` (gradient flow runs float64's share of a pair at 16 digits, dd's at 32,
        qd's at 64)."""
        return math.ceil(self.digits) if self.dps is None else self.dps


class PrecisionPair(NamedTuple):
    """The two precisions an audit compares, ``low`` then ``high``."""

    low: Precision
    high: Precision

    @property
    def labels(self) -> list[str]:
        return [self.low.label, self.high.label]


#: the pair used when none is given: double-double (106 bits, ~31.9 digits) against
#: quad-double (212 bits, ~63.8 digits), both on the compiled kernels; an audit of the pair
#: reports at most 31 digits (:attr:`Precision.cap`), and gradient flow runs it at 32 against
#: 64 digits (:attr:`Precision.working_dps`). ``precision=P`` (any ``P``) asks for python-flint
#: or mpmath at ``P`` against ``2P`` instead (:func:`precision_pair`).
DEFAULT_PAIR = PrecisionPair(Precision("dd"), Precision("qd"))


def precision_pair(precision: int | None = None, backend: str = "flint") -> PrecisionPair:
    """The audit's two precisions: :data:`DEFAULT_PAIR` for ``None`` (dd against qd; a
    multiprecision member of it would run on ``backend``), else ``P`` against ``2P`` digits of
    ``backend`` (``5 <= P <= MAX_DPS / 2``), for any ``P``: an explicit precision always means
    python-flint or mpmath (below 32 digits the default pair is faster and carries more).

    Raises
    ------
    DomainError
        ``precision`` not a whole number in range (naming ``precision``), or ``backend`` not a
        multiprecision backend when a precision is given.

    Examples
    --------
    >>> precision_pair(20).labels
    ['flint:20', 'flint:40']
    """
    if backend not in MULTIPRECISION:
        raise DomainError("backend", backend, "mpmath or flint (a multiprecision backend)")
    if precision is None:  # the default pair's multiprecision members run on ``backend``
        return PrecisionPair(*(p if p.backend in FIXED else p._replace(backend=backend)
                               for p in DEFAULT_PAIR))
    if isinstance(precision, bool) or not isinstance(precision, int):
        try:
            import numpy as np

            if not isinstance(precision, np.integer):
                raise TypeError
            precision = int(precision)
        except TypeError:
            raise DomainError("precision", precision, "an integer number of digits >= "
                              f"{MIN_DPS} is required") from None
    p = check_dps(precision, "precision", most=MAX_DPS // 2)
    return PrecisionPair(Precision(backend, p), Precision(backend, 2 * p))
