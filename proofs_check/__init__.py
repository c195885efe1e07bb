"""Where claims meet experiments: the claim registry, strategies, cross-validation, search.

* :mod:`proofs_check.claims`: the registry, one :class:`~proofs_check.claim.Claim` per result
  (R1..R9 of [MFCKM26], E1..E5 for general diagonal networks), collected from the rooms of
  :mod:`proofs_check.checks` (one per module of :mod:`theory`);
* :mod:`proofs_check.strategies`: public hypothesis strategies for problems, with edge cases;
* :mod:`proofs_check.decide`: how an instance is judged (exact, two precisions, one-sided);
* :mod:`proofs_check.verify`: :func:`verify` gives every claim a verdict;
* :mod:`proofs_check.predictions`: what theory predicts for one instance, built once;
* :mod:`proofs_check.conjectures`: counterexample search for your own conjectures and the
  built-in ones.

Importing the package (and listing the registry) does not import hypothesis: a search does.
"""

from .claims import REGISTRY, Check, Claim, get_claim, register, unregister
from .decide import Outcome
from .verify import (
    DEFAULT_EXAMPLES,
    VerifyReport,
    instance_from_key,
    reproduce,
    verify,
    verify_instance,
)

__all__ = ["REGISTRY", "Check", "Claim", "get_claim", "register", "unregister", "Outcome",
           "DEFAULT_EXAMPLES", "VerifyReport", "instance_from_key", "reproduce", "verify",
           "verify_instance"]
