"""Claim citations carried by every public theory function.

Each public function of :mod:`theory` is decorated with :func:`cites`, which records the claim it
encodes (``R1`` ... ``R9`` of [MFCKM26], see ``shared/paper/norm_vs_sharpness.md``) and the part
of the source it belongs to. The registry in :mod:`proofs_check` reads these records, and a test
fails if a public function lacks one or if its docstring does not name its claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Citation", "SOURCES", "cites", "citation_of"]

SOURCES = {
    "MFCKM26": (
        "Matveev, Fojtik, Chou, Kutyniok, Maly. Conflicting Biases at the Edge of Stability: "
        "Norm versus Sharpness Regularization. arXiv 2505.21423, ICML 2026."
    ),
    "EPGF23": (
        "Even, Pesme, Gunasekar, Flammarion. (S)GD over Diagonal Linear Networks: Implicit Bias, "
        "Large Stepsizes and Edge of Stability. NeurIPS 2023."
    ),
    "WGL20": (
        "Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro. Kernel and Rich "
        "Regimes in Overparametrized Models. COLT 2020."
    ),
    "BFFK25": (
        "Boche, Fojtik, Fono, Kutyniok. Computability of Classification and Deep Learning: From "
        "Theoretical Limits to Practical Feasibility through Quantization. arXiv 2408.06212; "
        "J. Fourier Anal. Appl. 31(3), 2025."
    ),
}


@dataclass(frozen=True)
class Citation:
    """The claim a function encodes: its id (``R2``) and its place (``[MFCKM26] Section 3``)."""

    claim: str
    source: str

    def __str__(self) -> str:
        return f"{self.source}, {self.claim}"


F = TypeVar("F", bound=Callable)


def cites(claim: str, source: str) -> Callable[[F], F]:
    """Record on a function that it encodes ``claim`` from ``source``."""

    def mark(function: F) -> F:
        function.__claim__ = Citation(claim, source)
        return function

    return mark


def citation_of(function: Callable) -> Citation | None:
    """The :class:`Citation` recorded on ``function``, or ``None``."""
    return getattr(function, "__claim__", None)
