"""The claim registry: it collects the claims the rooms of :mod:`proofs_check.checks` declare.

:data:`REGISTRY` maps each claim id (``R1`` .. ``R9`` of [MFCKM26], ``E1`` .. ``E5`` for general
diagonal networks) to its :class:`~proofs_check.claim.Claim`, in the order of
:data:`proofs_check.checks.ROOMS`. A claim, its checks and the kinds that choose their
assertions are described in :mod:`proofs_check.claim`; a room declares them (``CLAIMS``).
Building the registry does not import hypothesis: the checks' domains are built on first use.

Add your own claim with :func:`register` (or pass ``claims=[...]`` to
:func:`proofs_check.verify.verify`).
"""

from __future__ import annotations

from .checks import ROOMS
from .claim import FAMILIES, KINDS, Check, Claim, decision_rules, theory_functions

__all__ = ["Check", "Claim", "REGISTRY", "KINDS", "FAMILIES", "register", "unregister",
           "get_claim", "theory_functions", "decision_rules"]

REGISTRY: dict[str, Claim] = {}


def register(claim: Claim, *, replace: bool = False) -> Claim:
    """Add ``claim`` to :data:`REGISTRY` (``replace=True`` to overwrite an id)."""
    if claim.id in REGISTRY and not replace:
        raise ValueError(f"claim {claim.id} is already registered")
    REGISTRY[claim.id] = claim
    return claim


def unregister(claim_id: str) -> None:
    """Remove a claim from :data:`REGISTRY` (no error when absent)."""
    REGISTRY.pop(claim_id, None)


def get_claim(claim_id: str) -> Claim:
    """The registered claim ``claim_id``.

    Raises
    ------
    DomainError
        ``claim_id`` is not registered (the error names the argument ``claim_id``).
    """
    try:
        return REGISTRY[claim_id]
    except KeyError:
        from theory.errors import DomainError

        raise DomainError("claim_id", claim_id, f"one of {', '.join(REGISTRY)}") from None


for _room in ROOMS:
    for _claim in _room.CLAIMS:
        register(_claim)
