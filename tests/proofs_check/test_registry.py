"""The claim registry: one test parametrised over every registered claim.

Each entry must carry id, statement, citation, kind, theory functions (citing the claim),
experiment and domain; the theory's public functions must all be covered; and each claim's
verdict on a few examples must be ``verified`` (or ``undecided`` for a stated reason, never
silently).
"""

from __future__ import annotations

import pytest
from hypothesis.strategies import SearchStrategy

import theory as T
from proofs_check import REGISTRY, verify
from proofs_check.claims import FAMILIES, KINDS, theory_functions
from theory.general_networks import E_FUNCTIONS

IDS = list(REGISTRY)

def test_registry_lists_r1_to_r9_and_e1_to_e5_in_order():
    assert IDS == [f"R{i}" for i in range(1, 10)] + [f"E{i}" for i in range(1, 6)]


@pytest.mark.parametrize("claim_id", IDS)
def test_entry_is_complete(claim_id):
    c = REGISTRY[claim_id]
    assert c.id == claim_id
    assert len(c.statement) > 40
    assert c.citation.endswith(claim_id) and c.citation.startswith("[")
    assert c.kind in KINDS
    assert c.theory, "a claim needs the functions that encode it"
    for f in c.theory:
        assert T.citation_of(f).claim == claim_id
        assert claim_id in (f.__doc__ or ""), f"{f.__name__}'s docstring must name {claim_id}"
    assert c.experiment and all(isinstance(e, str) and e for e in c.experiment)
    assert isinstance(c.domain, SearchStrategy) and c.domain_text
    names = [k.name for k in c.checks]
    assert len(names) == len(set(names))
    for k in c.checks:
        assert k.family in FAMILIES and callable(k.function) and k.function.__doc__
        assert isinstance(k.domain, SearchStrategy)
    if claim_id.startswith("R"):
        families = {k.family for k in c.checks}
        assert "exact" in families, "every R claim has an exact check"


def test_every_theory_function_belongs_to_a_registered_claim():
    covered = {f for c in REGISTRY.values() for f in c.theory}
    missing = [f.__name__ for f in tuple(T.CLAIM_FUNCTIONS) + tuple(E_FUNCTIONS)
               if f not in covered]
    assert not missing, missing


def test_theory_functions_are_grouped_by_their_citation():
    assert T.min_norm_interpolator in theory_functions("R2")
    assert T.min_norm_interpolator not in theory_functions("R3")
    assert theory_functions("R99") == ()


def test_every_r_claim_is_cross_validated_three_ways():
    """Theory against numerics, exact routes and metamorphic checks, as the issue asks."""
    families = {f for c in REGISTRY.values() for k in c.checks for f in [k.family]}
    assert families == set(FAMILIES)
    numerics = [c.id for c in REGISTRY.values() if any(k.family == "numerics" for k in c.checks)]
    assert set(numerics) >= {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "E1", "E2",
                             "E3", "E4", "E5"}
    metamorphic = [c.id for c in REGISTRY.values()
                   if any(k.family == "metamorphic" for k in c.checks)]
    assert set(metamorphic) >= {"R1", "R2", "R3", "R4", "R5", "R6", "R7"}


@pytest.mark.parametrize("claim_id", IDS)
def test_verdict_on_a_few_examples(claim_id):
    report = verify([claim_id], examples=4, seed=0)
    (res,) = report.claims
    assert res.verdict in ("verified", "undecided"), (
        f"{claim_id} {res.verdict}: {res.counterexample}")
    if res.verdict == "undecided":
        assert res.reason, "an undecided verdict must say why"
    else:
        assert res.examples >= len(REGISTRY[claim_id].checks)
    assert report.exit_code == 0
    j = res.to_json()
    assert set(j) >= {"id", "statement", "citation", "kind", "verdict", "examples",
                      "max_abs_error", "counterexample"}


def test_regression_negative_sharpness_at_tied_point():
    """The first defect ``verify`` found: at ``x = (1, 1)``, ``w = 0`` the Hessian is ``-2 I``
    and the numerics engine reported ``S = -2`` (fixed in numerics.hessian, bbdf775). The R1
    numerics check on the shrunk instance now passes, with the exact ``S = 2``."""
    from proofs_check import reproduce

    out = reproduce("R1", "numerics", {"x": ["1", "1"], "y": "1", "alpha": "1",
                                       "theta": [["0", "0"]]})
    assert out.status == "pass", out
    (S,) = [p for p in out.detail["parts"] if p["quantity"] == "S"]
    assert S["theory"] == 2.0 and S["high"] == 2.0 and S["low"] == 2.0
