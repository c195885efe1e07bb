"""Errors raised by :mod:`theory`.

Every error names the argument, the value it received, the domain that is required and the
claim that requires it, so that a message read out of context still says what to change.
"""

from __future__ import annotations

from ._display import show

__all__ = ["DomainError", "NotDecidable"]


class DomainError(ValueError):
    """An argument lies outside the domain on which a claim is stated.

    Attributes
    ----------
    argument : str
        The argument's name as the caller spelt it (``x[1]``, ``alpha``).
    value : object
        The offending value (shown in the message as mathematics: ``3/10``, not
        ``Fraction(3, 10)``; long values are shortened, see :func:`theory._display.show`).
    required : str
        The domain that is required, in words or as an inequality.
    claim : str or None
        The claim (``R5``) whose statement needs the domain, if any.
    """

    def __init__(self, argument: str, value: object, required: str, claim: str | None = None):
        self.argument = argument
        self.value = value
        self.required = required
        self.claim = claim
        where = f" (required by {claim})" if claim else ""
        super().__init__(f"{argument} = {show(value)}: {required}{where}")


class NotDecidable(ValueError):
    """A symbolic condition needed by a result can be neither proved nor refuted.

    Raised, for example, when the order of symbolic entries of ``x`` decides which vertex is
    returned and sympy cannot compare them. Add assumptions to the symbols (or pass numbers).
    """

    def __init__(self, what: str, claim: str | None = None):
        self.what = what
        self.claim = claim
        where = f" ({claim})" if claim else ""
        super().__init__(
            f"cannot decide {what}{where}; add assumptions to the symbols or pass numbers")
