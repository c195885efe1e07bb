r"""Quantizers: exact rounding on rationals, relaxed rounding on names (C8).

The grid is :math:`o + 2^{-b}\mathbb{Z}` (offset ``o``, resolution ``b`` bits). Round-half-up

.. math:: Q_b(x) = o + 2^{-b} \lfloor (x - o) 2^b + 1/2 \rfloor

is exact on rationals, with error at most :math:`2^{-(b+1)}`. On names it is not computable:
it is a two-class classifier at every midpoint :math:`o + (k + 1/2) 2^{-b}`, and the boundary
adversary defeats any algorithm claiming to compute it (:func:`quantizer_adversary`). The
*relaxed* quantizer rounds one approximation instead, reading the name at precision ``n``:

.. math:: \tilde Q_b(x) = Q_b(q_n), \qquad |\tilde Q_b(x) - x| \le 2^{-(b+1)} + 2^{-n},

which is :math:`3 \cdot 2^{-(b+2)}` at the default :math:`n = b + 2` (the specification's
bound, which holds exactly for that reading precision; it is attained: :math:`q_n` a midpoint,
:math:`x = q_n - 2^{-n}`). It is a grid point within :math:`2^{-b}` of ``x`` whenever
:math:`n \ge b + 1`, and it equals :math:`Q_b(x)` when ``x`` is farther than :math:`2^{-n}`
from every midpoint (then :math:`q_n` and ``x`` lie strictly on the same side of each).

References
----------
C8, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification (from the source's
abstract and third-party summaries).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ._rationals import nonnegative_int, rational
from .citations import cites
from .errors import DomainError
from .names import ABOVE, BELOW, EXIT, AdversaryResult, Name, adversary

__all__ = ["quantize", "quantize_name", "relaxed_error_bound", "quantizer_adversary"]

SOURCE = "[BFFK25]"


@cites("C8", SOURCE)
def quantize(x, b: int, *, offset=0) -> Fraction:
    r"""Round-half-up of a rational onto :math:`o + 2^{-b}\mathbb{Z}`, exactly (C8).

    Statement
    ---------
    :math:`Q_b(x) = o + 2^{-b}\lfloor (x - o) 2^b + 1/2 \rfloor`, with
    :math:`-2^{-(b+1)} < Q_b(x) - x \le 2^{-(b+1)}` (a midpoint rounds up).

    Parameters
    ----------
    x : rational
    b : int >= 0, bits of resolution
    offset : rational ``o`` (default 0)

    References
    ----------
    C8, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> quantize("3/8", 2), quantize("-3/8", 2), quantize("1/3", 2, offset="1/8")
    (Fraction(1, 2), Fraction(-1, 4), Fraction(3, 8))
    """
    xq = rational(x, "x", "C8")
    bits = nonnegative_int(b, "b", "C8")
    o = rational(offset, "offset", "C8")
    h = 2 ** bits
    return o + Fraction(((xq - o) * h + Fraction(1, 2)).__floor__(), h)


@cites("C8", SOURCE)
def relaxed_error_bound(b: int, n: int | None = None) -> Fraction:
    r"""The error bound of the relaxed quantizer reading precision ``n`` (C8).

    Statement
    ---------
    :math:`|\tilde Q_b(x) - x| \le 2^{-(b+1)} + 2^{-n}`; at :math:`n = b + 2` (the default)
    this is :math:`3 \cdot 2^{-(b+2)}`.

    Notes
    -----
    Upper bound, tight (attained by a name whose approximation is a midpoint).

    References
    ----------
    C8, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> relaxed_error_bound(3), 3 * Fraction(1, 2**5)
    (Fraction(3, 32), Fraction(3, 32))
    """
    bits = nonnegative_int(b, "b", "C8")
    n = bits + 2 if n is None else nonnegative_int(n, "n", "C8")
    return Fraction(1, 2 ** (bits + 1)) + Fraction(1, 2 ** n)


@cites("C8", SOURCE)
def quantize_name(name: Name, b: int, *, n: int | None = None, offset=0) -> Fraction:
    r"""The relaxed quantizer: round one approximation of ``x`` (C8).

    Statement
    ---------
    :math:`\tilde Q_b(x) = Q_b(q_n)` with :math:`n = b + 2` by default;
    :math:`|\tilde Q_b(x) - x| \le 2^{-(b+1)} + 2^{-n}` (:func:`relaxed_error_bound`), and
    :math:`\tilde Q_b(x) = Q_b(x)` when :math:`x` is farther than :math:`2^{-n}` from every
    midpoint of the grid.

    Parameters
    ----------
    name : Name of ``x``
    b : int >= 0
    n : int >= 0, the precision read (default ``b + 2``)
    offset : rational grid offset

    References
    ----------
    C8, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> from theory.names import sqrt_name
    >>> quantize_name(sqrt_name(2), 4)
    Fraction(23, 16)
    """
    if not isinstance(name, Name):
        raise DomainError("name", type(name).__name__, "a theory.names.Name", "C8")
    bits = nonnegative_int(b, "b", "C8")
    n = bits + 2 if n is None else nonnegative_int(n, "n", "C8")
    return quantize(name(n), bits, offset=offset)


@cites("C8", SOURCE)
def quantizer_adversary(quantizer: Callable[[Name], object], b: int, *,
                        midpoint=None) -> AdversaryResult:
    r"""Defeat an algorithm that claims to compute :math:`Q_b` exactly on names (C8).

    Statement
    ---------
    At a midpoint :math:`m` (default :math:`2^{-(b+1)}`, between 0 and :math:`2^{-b}`),
    :math:`Q_b` is a two-class classifier (:math:`Q_b(x) > m` iff :math:`x \ge m`); an answer
    above ``m`` claims "above", one below claims "below", and :func:`~theory.names.adversary`
    builds :math:`x' = m \mp 2^{-N}` with :math:`Q_b(x') \ne` the answer.

    Parameters
    ----------
    quantizer : callable ``Name -> rational`` (halting)
    b : int >= 0
    midpoint : rational, a midpoint of the grid :math:`2^{-b}\mathbb{Z}`

    Returns
    -------
    AdversaryResult
        ``won`` means the quantizer's answer on ``name`` differs from ``quantize(point, b)``.

    References
    ----------
    C8, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> r = quantizer_adversary(lambda name: quantize(name(30), 3), 3)
    >>> r.won, r.answer != quantize(r.point, 3)
    (True, True)
    """
    bits = nonnegative_int(b, "b", "C8")
    h = Fraction(1, 2 ** bits)
    m = h / 2 if midpoint is None else rational(midpoint, "midpoint", "C8")
    if (m / h - Fraction(1, 2)).denominator != 1:
        raise DomainError("midpoint", m, f"a midpoint (k + 1/2) 2^-{bits} of the grid", "C8")

    def side(answer):
        if answer == EXIT:
            return None
        g = rational(answer, "quantizer answer", "C8")
        return ABOVE if g > m else BELOW

    return adversary(quantizer, m, side=side)
