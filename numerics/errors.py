"""Errors raised by :mod:`numerics`.

Bad input raises :class:`DomainError` (shared with :mod:`theory`: argument, value, requirement,
claim). A computation that cannot deliver what was asked raises :class:`NoConvergence` or
:class:`PrecisionLoss` with a hint, never returns a starved value as if it were good.
"""

from __future__ import annotations

from theory.errors import DomainError

__all__ = ["DomainError", "NoConvergence", "PrecisionLoss"]


class NoConvergence(RuntimeError):
    """An iteration asked to deliver a converged value did not converge within its budget."""

    def __init__(self, what: str, hint: str = ""):
        self.what = what
        self.hint = hint
        super().__init__(f"{what} did not converge" + (f"; {hint}" if hint else ""))


class PrecisionLoss(RuntimeError):
    """The working precision could not resolve the quantity asked for."""

    def __init__(self, what: str, hint: str = ""):
        self.what = what
        self.hint = hint
        super().__init__(f"{what}: precision exhausted" + (f"; {hint}" if hint else ""))
