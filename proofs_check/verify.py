"""Verify registered claims: search each check's domain for a counterexample, shrink it.

Verdicts
--------
For one check asked for ``N`` instances: ``refuted`` when an instance fails (the shrunk
instance and the data that reproduce it are reported). Otherwise ``verified`` only when

* at least :data:`MIN_DECIDED` instances were decided (passed), and at least as many as were
  undecided;
* the time budget did not cut the search short before ``N`` instances were decided (a
  truncated search that decided fewer is ``undecided``, and says so);
* every passing instance was decided by a rule the check's kind allows
  (:data:`proofs_check.decide.KIND_RULES`);

otherwise ``undecided`` (with the reasons). For a claim: ``refuted`` if any check is; else
``undecided`` if any check is; else ``verified``. Nothing undecided is ever counted as
verified.

Determinism: each check's search is seeded with ``derive_seed(seed, claim id, check name)``,
so ``verify(seed=S)`` is a function of ``S`` (see :mod:`proofs_check.search`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .claim import MIN_DECIDED, Check, Claim
from .claims import REGISTRY, get_claim
from .instances import instance_from_key

__all__ = ["CheckResult", "ClaimResult", "VerifyReport", "verify", "verify_claim",
           "DEFAULT_EXAMPLES", "MIN_DECIDED", "reproduce", "instance_from_key"]

#: ``examples`` default: each check draws ``max(min_examples, round(weight * N))`` instances
DEFAULT_EXAMPLES = 20


@dataclass
class CheckResult:
    """The verdict of one check of one claim."""

    name: str
    family: str
    verdict: str
    examples: int
    passed: int
    undecided: int
    max_abs_error: float | None
    counterexample: dict | None = None
    reasons: list = field(default_factory=list)
    seconds: float = 0.0
    truncated: bool = False
    kind: str = ""
    asked: int = 0
    rules: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"name": self.name, "family": self.family, "kind": self.kind,
                "verdict": self.verdict, "asked": self.asked, "examples": self.examples,
                "passed": self.passed, "undecided": self.undecided,
                "max_abs_error": self.max_abs_error, "counterexample": self.counterexample,
                "reasons": list(self.reasons), "seconds": round(self.seconds, 3),
                "truncated": self.truncated, "rules": list(self.rules)}


@dataclass
class ClaimResult:
    """The verdict of one claim (the ``normsharp verify --json`` entry)."""

    id: str
    statement: str
    citation: str
    kind: str
    verdict: str
    examples: int
    undecided: int
    max_abs_error: float | None
    counterexample: dict | None
    checks: list
    reason: str | None = None
    notes: str = ""
    seconds: float = 0.0

    @property
    def truncated(self) -> bool:
        """Whether the time budget cut any check's search short."""
        return any(c.truncated for c in self.checks)

    def to_json(self) -> dict:
        return {"id": self.id, "statement": self.statement, "citation": self.citation,
                "kind": self.kind, "verdict": self.verdict, "examples": self.examples,
                "undecided_examples": self.undecided, "max_abs_error": self.max_abs_error,
                "counterexample": self.counterexample, "reason": self.reason,
                "truncated": self.truncated, "notes": self.notes,
                "seconds": round(self.seconds, 3),
                "checks": [c.to_json() for c in self.checks]}


@dataclass
class VerifyReport:
    """All claim results, a summary and the settings that reproduce them."""

    claims: list
    seed: int
    examples: int
    seconds: float = 0.0

    @property
    def summary(self) -> dict:
        out = {"verified": 0, "refuted": 0, "undecided": 0}
        for c in self.claims:
            out[c.verdict] += 1
        return out

    @property
    def exit_code(self) -> int:
        """0 when nothing is refuted, 1 otherwise."""
        return 1 if self.summary["refuted"] else 0

    def to_json(self) -> dict:
        return {"claims": [c.to_json() for c in self.claims], "summary": self.summary,
                "seed": self.seed, "examples": self.examples,
                "seconds": round(self.seconds, 3)}


def _key(instance) -> dict:
    return instance.key() if hasattr(instance, "key") else {"repr": repr(instance)}


def _describe(instance) -> str:
    return instance.describe() if hasattr(instance, "describe") else repr(instance)


def _check_verdict(res, asked: int, kind: str | None = None,
                   time_budget: float | None = None) -> tuple[str, list]:
    """The verdict of one check from its search (see the module notes)."""
    from .decide import KIND_RULES

    if res.found:
        return "refuted", []
    if res.passed == 0:
        return "undecided", res.undecided_reasons or ["no instance was decided"]
    reasons = []
    if res.truncated and res.passed < asked:
        budget = "" if time_budget is None else f" of {time_budget:g} s"
        reasons.append(f"the time budget{budget} ran out: {res.passed} of the {asked} "
                       f"instances asked for were decided ({res.examples} judged)")
    if res.passed < MIN_DECIDED:
        reasons.append(f"only {res.passed} instance(s) decided (at least {MIN_DECIDED} are "
                       "required)")
    if res.undecided > res.passed:
        reasons.append(f"{res.undecided} of {res.examples} instances undecided")
    if kind is not None:
        _, allowed = KIND_RULES[kind]
        wrong = sorted(set(res.rules) - allowed)
        if wrong:
            reasons.append(f"instances were decided by {', '.join(wrong)}, which a check of "
                           f"kind {kind!r} may not use")
    if reasons:
        return "undecided", reasons + list(res.undecided_reasons)
    return "verified", list(res.undecided_reasons)


def run_check(claim: Claim, check: Check, *, examples: int, seed: int,
              max_shrinks: int = 150, time_budget: float | None = 60.0) -> CheckResult:
    """Search one check's domain and judge it (see the module notes)."""
    from .search import derive_seed, search  # hypothesis: imported when a search runs

    n = check.examples_for(examples)
    res = search(check.domain, check.function, examples=n,
                 seed_value=derive_seed(seed, claim.id, check.name), max_shrinks=max_shrinks,
                 time_budget=time_budget)
    verdict, reasons = _check_verdict(res, n, check.kind, time_budget)
    cex = None
    if res.found:
        out = res.outcome
        cex = {"check": check.name, "instance": _key(res.instance),
               "description": _describe(res.instance), "error": out.error,
               "detail": out.detail, "shrunk_from": _key(res.first_failure),
               "reproduce": (f"from proofs_check import reproduce; reproduce({claim.id!r}, "
                             f"{check.name!r}, {_key(res.instance)!r})")}
    return CheckResult(check.name, check.family, verdict, res.examples, res.passed,
                       res.undecided, res.max_error, cex, reasons, res.seconds, res.truncated,
                       check.kind or claim.kind, n, sorted(res.rules))


def verify_claim(claim: Claim, *, examples: int = DEFAULT_EXAMPLES, seed: int = 0,
                 progress: Callable | None = None, **kw) -> ClaimResult:
    """Run all checks of one claim and combine their verdicts."""
    start = time.perf_counter()
    results = []
    for check in claim.checks:
        if progress is not None:
            progress(claim.id, check.name)
        results.append(run_check(claim, check, examples=examples, seed=seed, **kw))
    refuted = [r for r in results if r.verdict == "refuted"]
    undecided = [r for r in results if r.verdict == "undecided"]
    verdict = "refuted" if refuted else "undecided" if undecided else "verified"
    reason = None
    if undecided and not refuted:
        reason = "; ".join(f"{r.name}: {', '.join(r.reasons)}" for r in undecided)
    elif not refuted and any(r.undecided for r in results):
        reason = "verified on the decided instances; undecided ones: " + "; ".join(
            f"{r.name}: {r.undecided} ({', '.join(r.reasons)})" for r in results if r.undecided)
    errors = [r.max_abs_error for r in results if r.max_abs_error is not None]
    return ClaimResult(
        claim.id, claim.statement, claim.citation, claim.kind, verdict,
        sum(r.passed for r in results), sum(r.undecided for r in results),
        max(errors) if errors else None, refuted[0].counterexample if refuted else None,
        results, reason, claim.notes, time.perf_counter() - start)


def verify(ids: Sequence[str] | None = None, *, examples: int = DEFAULT_EXAMPLES,
           seed: int = 0, claims: Sequence[Claim] | None = None,
           progress: Callable | None = None, max_shrinks: int = 150,
           time_budget: float | None = 60.0) -> VerifyReport:
    """Verify claims by property-based search.

    Parameters
    ----------
    ids : claim ids (default: every registered claim, in order)
    examples : int >= 1, the base number of instances per check (scaled by each check's
        weight)
    seed : int, the random seed (results are a function of it)
    claims : explicit :class:`~proofs_check.claims.Claim` objects (instead of the registry)
    progress : callable ``(claim_id, check_name)`` called before each check (for progress bars)
    max_shrinks : judgements allowed while shrinking one counterexample
    time_budget : seconds per check (safety valve; hitting it is reported as ``truncated``,
        and a check it cut short before deciding the instances asked for is ``undecided``)

    Returns
    -------
    VerifyReport

    Raises
    ------
    DomainError
        An unknown claim id in ``ids`` (argument ``ids``), or ``examples < 1`` (argument
        ``examples``).

    Examples
    --------
    >>> report = verify(["R2"], examples=2, seed=0)
    >>> report.claims[0].verdict, report.exit_code
    ('verified', 0)
    """
    from theory.errors import DomainError

    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise DomainError("examples", examples, "an integer >= 1 is required")
    if claims is None:
        unknown = [i for i in ids or () if i not in REGISTRY]
        if unknown:
            raise DomainError("ids", unknown[0], f"one of {', '.join(REGISTRY)}")
        claims = [REGISTRY[i] for i in ids] if ids else list(REGISTRY.values())
    start = time.perf_counter()
    results = [verify_claim(c, examples=examples, seed=seed, progress=progress,
                            max_shrinks=max_shrinks, time_budget=time_budget) for c in claims]
    return VerifyReport(results, seed, examples, time.perf_counter() - start)


def reproduce(claim_id: str, check_name: str, key: dict, claim: Claim | None = None):
    """Re-run one check on the instance described by ``key``: the Outcome, deterministic."""
    claim = claim if claim is not None else get_claim(claim_id)
    return claim.check(check_name).function(instance_from_key(key))
