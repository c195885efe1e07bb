"""Search a strategy for an instance a judge rejects, and shrink it: hypothesis, made bounded.

:func:`search` drives hypothesis with a judge ``instance -> Outcome`` (see
:mod:`proofs_check.decide`). An outcome ``fail`` is a counterexample; hypothesis then shrinks it
to the simplest failing instance it can find (smaller ``d``, simpler fractions, the first branch
of every choice).

Determinism and bounds
----------------------
* The random source is ``hypothesis.seed(s)`` with the example database off, so a search is a
  function of ``(strategy, judge, examples, seed)``.
* Judgements are cached per instance: hypothesis replays the final shrunk example, and a
  replay must not re-run an experiment (nor change its mind).
* Shrinking stops after ``max_shrinks`` *new* judgements: the first candidate after that
  ends the search, and the reported counterexample is the simplest one found by then. The
  count is deterministic, unlike a clock.
* Warnings raised while judging are recorded (with a failing judgement) instead of
  propagating, so a search gives the same result under any warning filter.
* ``time_budget`` (seconds) is a safety valve only: when it runs out, later instances are not
  judged and the result says ``truncated=True`` (the one non-deterministic path; it is
  reported, never silent).
"""

from __future__ import annotations

import time
import warnings
import zlib
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

from .decide import Outcome

__all__ = ["SearchResult", "search", "derive_seed"]


def derive_seed(base: int, *names: str) -> int:
    """A deterministic 32-bit seed from ``base`` and names (``hash()`` is salted per process)."""
    text = "/".join([str(int(base)), *names]).encode()
    return zlib.crc32(text)


@dataclass
class SearchResult:
    """The outcome of one bounded search.

    Attributes
    ----------
    found : bool
        Whether a failing instance was found.
    instance : object or None
        The shrunk counterexample.
    outcome : Outcome or None
        Its judgement (with the data that explain it).
    examples : int
        Distinct instances judged before the first failure (or in all, when none failed).
    passed, undecided : int
        How many of those passed, and how many the judge could not decide.
    shrink_judgements : int
        Judgements spent shrinking.
    max_error : float or None
        Largest reported error over the passing instances.
    undecided_reasons : list of str
        The first few reasons for ``undecided``.
    truncated : bool
        The time budget ran out (later instances were not judged).
    seconds : float
    first_failure : object or None
        The first failing instance found, before shrinking.
    rules : set of str
        The decision rules of the passing judgements (:attr:`Outcome.decided_by`).
    """

    found: bool = False
    instance: object = None
    outcome: Outcome | None = None
    examples: int = 0
    passed: int = 0
    undecided: int = 0
    shrink_judgements: int = 0
    max_error: float | None = None
    undecided_reasons: list = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0
    first_failure: object = None
    rules: set = field(default_factory=set)


class _Found(Exception):
    """Raised inside the hypothesis test to mark a failing instance."""


class _ShrinkBudgetSpent(BaseException):  # noqa: N818 - a control signal, not an error
    """Raised inside the hypothesis test to end shrinking when its judgements are spent (a
    BaseException, so that hypothesis does not take it for a failure of the test)."""


def search(strategy: st.SearchStrategy, judge, *, examples: int = 20, seed_value: int = 0,
           max_shrinks: int = 150, time_budget: float | None = 60.0,
           cache: dict | None = None) -> SearchResult:
    """Judge up to ``examples`` instances drawn from ``strategy``; shrink the first failure.

    Parameters
    ----------
    strategy : hypothesis strategy of hashable instances
    judge : callable ``instance -> Outcome``; an exception it raises is judged ``fail`` (with
        the exception in the detail): a claim's function must not raise on its own domain
    examples : int >= 1
    seed_value : int, the random seed
    max_shrinks : new judgements allowed while shrinking
    time_budget : seconds, or None for no limit (safety valve, see the module notes)
    cache : dict or None
        Judgements by instance, shared with earlier searches (a caller may overwrite an entry
        to change its mind about an instance, e.g. a candidate it could not confirm); cached
        judgements are not counted again.

    Returns
    -------
    SearchResult
    """
    if examples < 1:
        raise ValueError(f"examples = {examples}: at least 1 is required")
    res = SearchResult()
    cache = {} if cache is None else cache
    start = time.perf_counter()
    state = {"shrinking": False}

    def judged(instance) -> Outcome | None:
        try:
            key = instance
            hash(key)
        except TypeError:
            key = repr(instance)
        if key in cache:
            return cache[key]
        if state["shrinking"]:
            if res.shrink_judgements >= max_shrinks:
                return None
            res.shrink_judgements += 1
        elif time_budget is not None and time.perf_counter() - start > time_budget:
            res.truncated = True
            return None
        with warnings.catch_warnings(record=True) as caught:
            # numpy overflow in a diverging run is an expected event, not an error: record
            # warnings with the judgement so that the outcome does not depend on the
            # caller's warning filters (pytest turns them into errors)
            warnings.simplefilter("always")
            try:
                out = judge(instance)
            except Exception as exc:  # a claim's function raising on its domain is a finding
                out = Outcome("fail", None, {"exception": f"{type(exc).__name__}: {exc}"})
        if not isinstance(out, Outcome):
            raise TypeError(f"the judge returned {out!r}, not an Outcome")
        if caught and out.status == "fail":
            out = Outcome(out.status, out.error, {**out.detail, "warnings": sorted(
                {f"{w.category.__name__}: {w.message}" for w in caught})}, out.rules)
        cache[key] = out
        if not state["shrinking"]:
            res.examples += 1
            if out.status == "pass":
                res.passed += 1
                res.rules |= out.decided_by
                if out.error is not None:
                    res.max_error = out.error if res.max_error is None else max(
                        res.max_error, out.error)
            elif out.status == "undecided":
                res.undecided += 1
                reason = out.detail.get("reason", "undecided")
                if len(res.undecided_reasons) < 3 and reason not in res.undecided_reasons:
                    res.undecided_reasons.append(reason)
            else:
                state["shrinking"] = True
                res.first_failure = instance
        return out

    found: list = []

    def test(instance):
        out = judged(instance)
        if out is not None and out.status == "fail":
            found[:] = [(instance, out)]
            raise _Found
        if out is None and state["shrinking"] and res.shrink_judgements >= max_shrinks:
            # the shrinker would go on drawing candidates nobody judges: stop it here (the
            # last failing candidate is the simplest one found)
            raise _ShrinkBudgetSpent

    configured = settings(
        max_examples=examples, database=None, deadline=None, derandomize=False,
        suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
        phases=(Phase.generate, Phase.shrink), print_blob=False, verbosity=Verbosity.quiet,
    )(seed(seed_value)(given(strategy)(test)))
    try:
        configured()
    except (_Found, _ShrinkBudgetSpent):
        res.found = True
        res.instance, res.outcome = found[0]
    res.seconds = time.perf_counter() - start
    return res
