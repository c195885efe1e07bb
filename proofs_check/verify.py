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

What "verified" rests on
------------------------
Each check's result carries the decision rules that decided its instances and the weakest
evidence over them (:func:`proofs_check.decide.evidence`: ``exact``, or the least number of
digits the two precisions agreed on, theory's agreement, the largest slack or residual), and
each claim its domain in words: a verdict holds on that domain, at that precision.

One instance
------------
:func:`verify_instance` runs every check of one claim on *your* instance: a check whose
domain (:mod:`proofs_check.domains`) excludes it, or that needs a field the instance does
not give (``eta``, ``beta_star``, ``theta``), is reported as not run, with the reason.

Determinism: each check's search is seeded with ``derive_seed(seed, claim id, check name)``,
so ``verify(seed=S)`` is a function of ``S`` (see :mod:`proofs_check.search`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from theory._display import compact_repr

from .claim import MIN_DECIDED, Check, Claim
from .claims import REGISTRY, get_claim
from .decide import evidence, evidence_json, weakest
from .instances import instance_from_key

__all__ = ["CheckResult", "ClaimResult", "VerifyReport", "verify", "verify_claim",
           "DEFAULT_EXAMPLES", "MIN_DECIDED", "reproduce", "instance_from_key",
           "verify_instance", "InstanceReport", "InstanceCheck"]

#: ``examples`` default: each check draws ``max(min_examples, round(weight * N))`` instances
DEFAULT_EXAMPLES = 20


@compact_repr(fields=("name", "kind", "verdict", "passed", "undecided", "evidence_text"))
@dataclass
class CheckResult:
    """The verdict of one check of one claim.

    ``evidence`` is the weakest :func:`~proofs_check.decide.evidence` over the passing
    instances (``None`` when none passed); ``domain`` the check's domain in words (empty when
    :mod:`proofs_check.domains` does not know it)."""

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
    evidence: dict | None = None
    domain: str = ""

    @property
    def evidence_text(self) -> str:
        from .decide import evidence_text

        return evidence_text(self.evidence)

    def to_json(self) -> dict:
        return {"name": self.name, "family": self.family, "kind": self.kind,
                "verdict": self.verdict, "asked": self.asked, "examples": self.examples,
                "passed": self.passed, "undecided": self.undecided,
                "max_abs_error": self.max_abs_error, "counterexample": self.counterexample,
                "reasons": list(self.reasons), "seconds": round(self.seconds, 3),
                "truncated": self.truncated, "rules": list(self.rules),
                "evidence": evidence_json(self.evidence), "domain": self.domain}


@compact_repr(fields=("id", "kind", "verdict", "examples", "undecided", "seconds"))
@dataclass
class ClaimResult:
    """The verdict of one claim (the ``normsharp verify --json`` entry); ``domain`` is the
    claim's domain in words (what a verdict covers)."""

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
    domain: str = ""

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
                "seconds": round(self.seconds, 3), "domain": self.domain,
                "checks": [c.to_json() for c in self.checks]}


@compact_repr(fields=("summary", "seed", "examples", "seconds"))
@dataclass
class VerifyReport:
    """All claim results, a summary and the settings that reproduce them."""

    claims: list
    seed: int
    examples: int
    seconds: float = 0.0

    @property
    def summary(self) -> dict:
        return _tally((c.verdict for c in self.claims), ("verified", "refuted", "undecided"))

    @property
    def exit_code(self) -> int:
        """0 when nothing is refuted, 1 otherwise."""
        return 1 if self.summary["refuted"] else 0

    def to_json(self) -> dict:
        return {"claims": [c.to_json() for c in self.claims], "summary": self.summary,
                "seed": self.seed, "examples": self.examples,
                "seconds": round(self.seconds, 3)}


def _tally(values, keys) -> dict:
    """How many of ``values`` are each of ``keys`` (every key present)."""
    out = dict.fromkeys(keys, 0)
    for v in values:
        out[v] += 1
    return out


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
    passed: list = []

    def judge(instance):  # the check, recording what decided each passing instance
        out = check.function(instance)
        if getattr(out, "status", None) == "pass":
            passed.append(evidence(out))
        return out

    res = search(check.domain, judge, examples=n,
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
                       check.kind or claim.kind, n, sorted(res.rules), weakest(passed),
                       _domain_text(claim, check))


def _domain_text(claim: Claim, check: Check) -> str:
    from .domains import domain_of

    dom = domain_of(claim.id, check)
    return "" if dom is None else dom.text


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
        results, reason, claim.notes, time.perf_counter() - start, claim.domain_text)


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


# ----------------------------------------------------------------------------- one instance
#: the metamorphic transformations a check runs with on one instance: ``(c, permutation)``
TRANSFORMS = ((2, "reversed"), (Fraction(1, 3), "identity"))


@compact_repr(fields=("name", "status", "reason", "evidence_text"))
@dataclass
class InstanceCheck:
    """One check of a claim on one instance.

    ``status`` is ``pass``, ``fail``, ``undecided`` or ``not run``; ``reason`` says why it was
    not run (a missing field: ``needs``; outside its domain: ``outside``, the condition the
    instance fails) or why it is undecided. ``evidence`` is :func:`~proofs_check.decide.
    evidence` of the outcome; ``transforms`` the metamorphic transformations it ran with."""

    name: str
    family: str
    kind: str
    status: str
    reason: str = ""
    needs: list = field(default_factory=list)
    outside: str = ""
    rules: list = field(default_factory=list)
    evidence: dict | None = None
    error: float | None = None
    detail: dict = field(default_factory=dict)
    transforms: list = field(default_factory=list)
    domain: str = ""
    seconds: float = 0.0

    @property
    def evidence_text(self) -> str:
        from .decide import evidence_text

        return evidence_text(self.evidence) if self.status != "not run" else "-"

    def to_json(self) -> dict:
        return {"name": self.name, "family": self.family, "kind": self.kind,
                "status": self.status, "reason": self.reason, "needs": list(self.needs),
                "outside": self.outside, "rules": list(self.rules),
                "evidence": evidence_json(self.evidence), "error": self.error,
                "detail": self.detail, "transforms": list(self.transforms),
                "domain": self.domain, "seconds": round(self.seconds, 3)}


@compact_repr(fields=("claim", "verdict", "description", "summary"))
@dataclass
class InstanceReport:
    """The checks of one claim on one instance (:func:`verify_instance`).

    ``verdict``: ``refuted`` (a check failed on its domain), ``undecided`` (none failed, one
    could not decide), ``held`` (every check that ran passed), ``failed outside the domain``
    (only checks forced to run outside their domain failed: that refutes nothing) or ``not
    checked`` (no check could run: the instance is outside every check's domain or lacks what
    they need)."""

    claim: str
    statement: str
    kind: str
    domain: str
    instance: dict
    description: str
    checks: list
    seconds: float = 0.0

    @property
    def summary(self) -> dict:
        return _tally((c.status for c in self.checks), ("pass", "fail", "undecided", "not run"))

    @property
    def verdict(self) -> str:
        s = self.summary
        if any(c.status == "fail" and not c.outside for c in self.checks):
            return "refuted"
        if s["undecided"]:
            return "undecided"
        if s["fail"]:
            return "failed outside the domain"
        return "held" if s["pass"] else "not checked"

    @property
    def exit_code(self) -> int:
        """1 when a check failed on its domain, else 0."""
        return 1 if self.verdict == "refuted" else 0

    def to_json(self) -> dict:
        return {"claim": self.claim, "statement": self.statement, "kind": self.kind,
                "domain": self.domain, "instance": self.instance,
                "description": self.description, "verdict": self.verdict,
                "summary": self.summary, "seconds": round(self.seconds, 3),
                "checks": [c.to_json() for c in self.checks]}


def _as_instance(instance):
    from .instances import Instance

    if isinstance(instance, Instance):
        return instance
    if isinstance(instance, dict):
        return instance_from_key(instance)
    if hasattr(instance, "parametrisation") and hasattr(instance, "X"):  # numerics.Problem
        return Instance.from_problem(instance)
    from theory.errors import DomainError

    raise DomainError("instance", instance, "an Instance, its key (a dict) or a "
                      "numerics.Problem")


def _judge_once(check: Check, judged):
    """The check's Outcome on one instance: warnings recorded, a DomainError of theory (the
    instance is outside a function's domain) and any other exception undecided, with why."""
    import warnings

    from theory.errors import DomainError, NotDecidable

    from .decide import Outcome

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = check.function(judged)
        except (DomainError, NotDecidable) as exc:
            return Outcome("undecided", None, {"reason": f"could not run: {exc}"})
        except Exception as exc:  # noqa: BLE001 - reported, never a verdict about the claim
            return Outcome("undecided", None, {"reason": f"the check raised "
                                               f"{type(exc).__name__}: {exc} (it cannot "
                                               "handle this instance, or a bug: please report)"})
    if caught and out.status == "fail":
        out = Outcome(out.status, out.error, {**out.detail, "warnings": sorted(
            {f"{w.category.__name__}: {w.message}" for w in caught})}, out.rules)
    return out


def _run_on_instance(claim: Claim, check: Check, inst, force: bool) -> InstanceCheck:
    from .decide import combine
    from .domains import FIELDS, domain_of
    from .instances import Transformed

    start = time.perf_counter()
    kind = check.kind or claim.kind
    dom = domain_of(claim.id, check)
    base = dict(name=check.name, family=check.family, kind=kind,
                domain="" if dom is None else dom.text)
    if dom is None:
        return InstanceCheck(status="not run", reason="its domain is not declared "
                             "(Check.admits): cannot tell whether the instance is in it", **base)
    missing = dom.missing(inst)
    if missing:
        return InstanceCheck(status="not run", needs=missing, reason="needs " + ", ".join(
            f"{f} ({FIELDS.get(f, f)})" for f in missing), **base)
    bad = dom.violated(inst)
    if bad is not None and not force:
        return InstanceCheck(status="not run", outside=bad.text, reason=f"outside the claim's "
                             f"domain: {claim.domain_text} (this check needs {bad.text})",
                             **base)
    judged, transforms = [inst], []
    if dom.transformed:
        judged = []
        for c, order in TRANSFORMS:
            perm = tuple(range(inst.d))[::-1] if order == "reversed" else tuple(range(inst.d))
            judged.append(Transformed(inst, Fraction(c), perm))
            transforms.append(f"c = {Fraction(c)}, {order} permutation")
    out = combine([_judge_once(check, j) for j in judged])
    reason = out.detail.get("reason", "") if out.status == "undecided" else ""
    if bad is not None:
        reason = (f"run outside the claim's domain ({bad.text} fails; forced)"
                  + (f"; {reason}" if reason else ""))
    return InstanceCheck(status=out.status, reason=reason, outside="" if bad is None else
                         bad.text, rules=sorted(out.decided_by), evidence=evidence(out),
                         error=out.error, detail=dict(out.detail), transforms=transforms,
                         seconds=time.perf_counter() - start, **base)


def verify_instance(claim_id: str, instance, *, checks: Sequence[str] | None = None,
                    force: bool = False, progress: Callable | None = None) -> InstanceReport:
    """Run every check of claim ``claim_id`` on one instance: yours.

    Each check runs where the instance lies in its domain (:mod:`proofs_check.domains`) and
    gives the fields it needs; otherwise it is reported as ``not run`` with the reason (the
    missing field, or the condition of the domain the instance fails, quoting the claim's
    domain). A metamorphic check runs with each transformation of :data:`TRANSFORMS`.

    Parameters
    ----------
    claim_id : a registered claim id (``R5``)
    instance : :class:`~proofs_check.instances.Instance`, its key (a dict, see
        :meth:`~proofs_check.instances.Instance.key`) or a :class:`numerics.Problem`
    checks : names of the checks to run (default: all)
    force : run checks outside their domain too (reported as such; never silently)
    progress : callable ``(claim_id, check_name)`` called before each check

    Returns
    -------
    InstanceReport

    Raises
    ------
    DomainError
        An unknown ``claim_id``, an unknown name in ``checks``, or an ``instance`` of
        neither accepted type.

    Examples
    --------
    >>> r = verify_instance("R2", {"x": ["1", "1/2"], "y": "1", "alpha": "1/100"})
    >>> r.verdict, {c.name: c.status for c in r.checks}
    ('held', {'exact': 'pass', 'bounds': 'not run', 'numerics': 'pass', 'metamorphic': 'pass'})
    >>> r.checks[1].reason
    'needs beta_star (a point of the zero-loss set M)'
    """
    from theory.errors import DomainError

    claim = get_claim(claim_id)
    inst = _as_instance(instance)
    names = [c.name for c in claim.checks]
    unknown = [n for n in checks or () if n not in names]
    if unknown:
        raise DomainError("checks", unknown[0], f"a check of {claim.id}: one of "
                          f"{', '.join(names)}")
    start = time.perf_counter()
    results = []
    for check in claim.checks:
        if checks and check.name not in checks:
            continue
        if progress is not None:
            progress(claim.id, check.name)
        results.append(_run_on_instance(claim, check, inst, force))
    return InstanceReport(claim.id, claim.statement, claim.kind, claim.domain_text, inst.key(),
                          inst.describe(), results, time.perf_counter() - start)
