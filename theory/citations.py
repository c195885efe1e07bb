"""Claim citations carried by every public theory function.

Each public function of :mod:`theory` is decorated with :func:`cites`, which records the claim it
encodes (``R1`` ... ``R9`` of [MFCKM26], see ``shared/paper/norm_vs_sharpness.md``) and its source.
The registry in :mod:`proofs_check` reads these records, and a test fails if a public function
lacks one or if its docstring does not name its claim.

Provenance
----------
The claim labels (``R2``, ``E3``, ``C5``) are the project's own: its specification reconstructs
each result from the source without the source's full text (for [BFFK25], from its abstract and
third-party summaries). A citation therefore names the claim label, the source by its arXiv id,
and says "as reconstructed in the project's specification" (:data:`RECONSTRUCTED`); it never
names a section, theorem, appendix or page of the source, which nobody here has read.

>>> str(Citation("R2", "[MFCKM26]"))
"R2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Citation", "SOURCES", "ARXIV", "RECONSTRUCTED", "cites", "citation_of"]

SOURCES = {
    "MFCKM26": (
        "Matveev, Fojtik, Chou, Kutyniok, Maly. Conflicting Biases at the Edge of Stability: "
        "Norm versus Sharpness Regularization. arXiv 2505.21423, ICML 2026."
    ),
    "EPGF23": (
        "Even, Pesme, Gunasekar, Flammarion. (S)GD over Diagonal Linear Networks: Implicit "
        "Regularisation, Large Stepsizes and Edge of Stability. arXiv 2302.08982, NeurIPS 2023."
    ),
    "WGL20": (
        "Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro. Kernel and Rich "
        "Regimes in Overparametrized Models. arXiv 2002.09277, COLT 2020."
    ),
    "BFFK25": (
        "Boche, Fojtik, Fono, Kutyniok. Computability of Classification and Deep Learning: From "
        "Theoretical Limits to Practical Feasibility through Quantization. arXiv 2408.06212; "
        "J. Fourier Anal. Appl. 31(3), 2025."
    ),
}


#: each source's arXiv identifier
ARXIV = {"MFCKM26": "2505.21423", "EPGF23": "2302.08982", "WGL20": "2002.09277",
         "BFFK25": "2408.06212"}
#: what every citation says of its claim's statement
RECONSTRUCTED = "as reconstructed in the project's specification"


@dataclass(frozen=True)
class Citation:
    """The claim a function encodes: its label (``R2``) and its source (``[MFCKM26]``).

    ``str`` gives the citation as printed everywhere (``normsharp verify``, the registry):
    the label, the source with its arXiv id, and :data:`RECONSTRUCTED`.
    """

    claim: str
    source: str

    def __post_init__(self):
        if self.key not in ARXIV or self.source != f"[{self.key}]":
            raise ValueError(f"source = {self.source!r}: one of "
                             f"{', '.join(f'[{k}]' for k in ARXIV)} is required (a source, "
                             "never a section or theorem of it)")

    @property
    def key(self) -> str:
        """The source's key, ``MFCKM26``."""
        return self.source.strip("[]")

    @property
    def arxiv(self) -> str:
        """The source's arXiv identifier."""
        return ARXIV[self.key]

    def __str__(self) -> str:
        return f"{self.claim}, {self.source} arXiv {self.arxiv}, {RECONSTRUCTED}"


F = TypeVar("F", bound=Callable)


def cites(claim: str, source: str) -> Callable[[F], F]:
    """Record on a function that it encodes ``claim`` from ``source`` (``"[MFCKM26]"``).

    Raises
    ------
    ValueError
        ``source`` is not one of the known sources (:data:`ARXIV`), e.g. it names a section.
    """
    citation = Citation(claim, source)

    def mark(function: F) -> F:
        function.__claim__ = citation
        return function

    return mark


def citation_of(function: Callable) -> Citation | None:
    """The :class:`Citation` recorded on ``function``, or ``None``."""
    return getattr(function, "__claim__", None)
