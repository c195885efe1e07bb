"""How :func:`proofs_check.conjectures.search_conjecture` searches: judge, retry, confirm, look
near the landmarks.

Phases
------
1. **Random search** (:func:`proofs_check.search.search`): hypothesis draws instances from the
   conjecture's strategy; each is judged on the :data:`SEARCH_LADDER`: at float64 (fast), and,
   when the predicate cannot decide there (``None``) after reading something precision-dependent,
   again at double-double before it counts as undecided. The first failure is shrunk.
2. **Confirmation**: a candidate (the shrunk one, else the first one found) is re-judged on the
   two runs of one precision audit (:func:`numerics.audited.audited_gd`), rung by rung of the
   :data:`CONFIRM_LADDER`: the default pair (dd against qd), then python-flint at 60 against 120
   digits. A counterexample needs ``False`` at both precisions of one rung and no ``chaotic``
   audit; ``True`` at both is no counterexample (the float64 verdict did not survive); anything
   else goes to the next rung, and only after the last one is the candidate undecided, except
   ``None`` at both precisions whose GD runs agree that they did not converge: a higher
   precision cannot decide what the step budget left open. At most
   :data:`MAX_CANDIDATE_ROUNDS` rounds of search and confirmation.
3. **Landmarks** (conjectures with ``landmarks=True``: a user's predicate on the default
   domain): when no counterexample is confirmed, the first :data:`LANDMARK_INSTANCES`
   one-sample instances whose landmarks are apart (among those judged, else among further
   seeded draws of the strategy) are judged again at every learning rate near their landmarks
   (:mod:`proofs_check.landmarks`: ``eta_c``, GD's plateau edge, ``1/(2 y x_min)``, at the
   relative offsets :data:`~proofs_check.landmarks.OFFSETS`) inside the conjecture's domain
   ``(0, max_factor/(2 y x_min)]`` (``1.1`` by default): a claim that fails only in a narrow
   window there is found whatever the random draws were. Candidates are confirmed as in phase
   2 (they are not shrunk: the landmark and offset are reported).

Step budgets
------------
A run to a finer tolerance needs proportionally more steps (the tolerance is relative to the
working precision, and convergence is linear): at a precision of ``p`` digits a case's budget
is the conjecture's ``steps`` times ``round(p / 15.95)`` (:func:`steps_at`; 2 for dd, 4 for qd
and flint:60, 8 for flint:120; a pair uses its higher precision's). A retry that the time
budget leaves no room for is skipped and reported.
"""

from __future__ import annotations

import time
import warnings

from numerics.precision import DEFAULT_PAIR, FLOAT64_DPS, Precision, precision_pair

from .decide import Outcome

__all__ = ["SEARCH_LADDER", "CONFIRM_LADDER", "MAX_CANDIDATE_ROUNDS", "LANDMARK_INSTANCES",
           "LANDMARK_DRAWS",
           "steps_at", "run_search"]

#: the precisions a search-phase judgement tries, in order, while the predicate returns None
SEARCH_LADDER = (Precision("float64"), Precision("dd"))
#: the precision pairs a candidate is confirmed on, in order, until one decides
CONFIRM_LADDER = (DEFAULT_PAIR, precision_pair(60, "flint"))
#: at most this many rounds of search, shrink and confirmation (each confirms at most two
#: candidates: the shrunk one and the first one found)
MAX_CANDIDATE_ROUNDS = 3
#: the landmark phase re-judges this many of the first distinct one-sample instances drawn
LANDMARK_INSTANCES = 5
#: when too few of the instances judged qualify, the strategy is drawn this many more times
LANDMARK_DRAWS = 100


def steps_at(precision: Precision, steps: int) -> int:
    """The step budget at ``precision``: ``steps`` (float64's) times the number of float64's
    digit counts it carries, rounded (see the module notes)."""
    return steps * max(1, round(precision.digits / FLOAT64_DPS))


def _judge(conjecture):
    """The search's judge: the predicate on the :data:`SEARCH_LADDER`."""
    from .conjectures import Case, _call

    def judge(instance) -> Outcome:
        tried = []
        for precision in SEARCH_LADDER:
            case = Case(instance, precision, steps_at(precision, conjecture.steps))
            verdict, detail = _call(conjecture.predicate, case)
            tried.append(case._label())
            if verdict is not None or not case.used_precision:
                break
        retried = {"undecided at": tried[:-1]} if len(tried) > 1 else {}
        if verdict is None:
            return Outcome("undecided", None, {"reason": detail.get(
                "reason", "the predicate could not decide")
                + (f" (at {' and '.join(tried)})" if retried else ""), **detail})
        return Outcome("pass" if verdict else "fail", None, {case._label(): detail, **retried})

    return judge


def _pair_arguments(pair) -> dict:
    """:func:`numerics.audited.audited_gd`'s arguments for ``pair``."""
    if pair == DEFAULT_PAIR:
        return {}
    return {"precision": pair.low.dps, "backend": pair.low.backend}


def _confirm_at(conjecture, instance, pair) -> tuple[Outcome, bool]:
    """``(outcome, final)``: the candidate judged on the two runs of one audit at ``pair``;
    ``final`` when no other rung can change it: the predicate read nothing precision-
    dependent (its verdict is the same at every precision, ``detail["exact"]``), or it was
    undecided at both precisions, whose GD runs agree that they did not converge (the step
    budget, not the precision, left it open)."""
    from .conjectures import EXACT, Case, _call

    audits: dict = {}
    steps = steps_at(pair.high, conjecture.steps)
    low = Case(instance, pair.low, steps, audits, "low", _pair_arguments(pair))
    high = Case(instance, pair.high, steps, audits, "high", _pair_arguments(pair))
    v_low, d_low = _call(conjecture.predicate, low)
    if not low.used_precision:
        if v_low is False:
            return Outcome("fail", None, {EXACT: d_low}), True
        return Outcome("undecided", None, {EXACT: d_low, "reason": f"{v_low} when re-evaluated"
                                           ": the predicate is not a function of the instance"}
                       ), True
    v_high, d_high = _call(conjecture.predicate, high)
    detail = {low._label(): d_low, high._label(): d_high}
    if audits:
        detail["audit"] = [{"steps": k[0], "status": a.status, "digits": a.digits}
                           for k, a in audits.items()]
    chaotic = [a for a in audits.values() if a.status == "chaotic"]
    if not chaotic and v_low is v_high and v_low is not None:
        return Outcome("fail" if v_low is False else "pass", None, detail), False
    if v_low is None and v_high is None and audits and all(
            a.low.status == a.high.status == "not_converged" for a in audits.values()):
        # both precisions agree that GD did not converge: the step budget left it undecided,
        # and a higher precision would only run the same steps slower
        detail["reason"] = (f"None at {low._label()} and {high._label()}, whose GD runs agree "
                            f"they did not converge in {steps} steps (a higher precision "
                            "cannot decide what the step budget left open)")
        return Outcome("undecided", None, detail), True
    detail["reason"] = (f"{v_low} at {low._label()}, {v_high} at {high._label()}"
                        + (" (audit: chaotic)" if chaotic else "")
                        + ": the decisive digits are not reproducible")
    return Outcome("undecided", None, detail), False


def _confirm(conjecture, instance, deadline: float | None) -> Outcome:
    """The candidate on the :data:`CONFIRM_LADDER` (module notes): ``fail`` (confirmed),
    ``pass`` (the float64 verdict did not survive) or ``undecided`` with every rung's
    reason."""
    reasons = []
    for pair in CONFIRM_LADDER:
        label = "/".join(pair.labels)
        if reasons and deadline is not None and time.perf_counter() > deadline:
            reasons.append(f"the retry at {label} was skipped: the time budget ran out")
            break
        out, final = _confirm_at(conjecture, instance, pair)
        if out.status != "undecided" or final:
            if reasons:
                out = Outcome(out.status, out.error, {**out.detail, "retried after": reasons})
            return out
        reasons.append(f"at {label}: {out.detail['reason']}")
    return Outcome("undecided", None, {"reason": "; ".join(reasons)})


def _landmark_seeds(instances) -> list:
    """The first :data:`LANDMARK_INSTANCES` distinct one-sample shared instances with a
    learning rate whose landmarks are apart, in the order given: GD's plateau is measured (the
    short run just below ``eta_c`` converged) and ``eta_c (1 + 1/10)`` lies below ``1/(2 y
    x_min)``, so that the edge of stability above ``eta_c`` has room (with ``x`` all equal the
    two coincide and nothing converges above ``eta_c``)."""
    from .landmarks import OFFSETS, landmarks

    seen, out = set(), []
    for inst in instances:
        if getattr(inst, "eta", None) is None or getattr(inst, "param", None) != "shared" \
                or len(inst.X) != 1:
            continue
        data = (inst.X, inst.y, inst.alpha)
        if data in seen:
            continue
        seen.add(data)
        lm = landmarks(inst.X[0], inst.y, inst.alpha)
        if lm.eta_plateau is not None and lm.eta_c * (1 + max(OFFSETS)) < lm.stability_limit:
            out.append(inst)
        if len(out) == LANDMARK_INSTANCES:
            break
    return out


def _draws(conjecture, seed: int, n: int, deadline: float | None) -> list:
    """``n`` further instances of the conjecture's strategy, drawn by a seeded search that
    judges nothing (deterministic, like every draw of the search)."""
    from .search import derive_seed, search

    drawn: list = []

    def record(instance) -> Outcome:
        drawn.append(instance)
        return Outcome("pass")

    remaining = None if deadline is None else max(0.0, deadline - time.perf_counter())
    search(conjecture.strategy, record, examples=n, time_budget=remaining,
           seed_value=derive_seed(seed, "landmarks", conjecture.name))
    return drawn


def _variants(instance, max_factor) -> list:
    """``(variant, (landmark, offset))``: ``instance`` at every learning rate near its
    landmarks in ``(0, max_factor / (2 y x_min)]``."""
    from .landmarks import OFFSETS, landmarks, near

    x, y = instance.X[0], instance.y
    top = max_factor / (2 * y * min(x))
    out = []
    for name, mark in landmarks(x, y, instance.alpha).named().items():
        for o in OFFSETS:
            eta = near(mark, o)
            if 0 < eta <= top:
                out.append((instance.replace(eta=eta, edge=name), (name, o)))
    return out


class _Tally:
    """What a search has seen: judged, undecided and passed instances, reasons, candidates."""

    def __init__(self):
        self.examples = self.undecided = self.passed = 0
        self.reasons: list = []
        self.unconfirmed: list = []
        self.truncated = False

    def reason(self, text: str) -> None:
        if text not in self.reasons:
            self.reasons.append(text)

    def candidate(self, conjecture, candidate, out: Outcome, cache: dict) -> bool:
        """Record a candidate's confirmation; True when it confirmed a counterexample."""
        if out.status == "fail":
            return True
        if out.status == "pass":
            self.passed += 1
            self.reason(f"candidate {candidate.describe()} not confirmed: True at both "
                        "precisions of the audit (the float64 verdict does not survive a higher "
                        "precision; counted as passed)")
            cache[candidate] = out
            return False
        self.reason(f"candidate {candidate.describe()} not confirmed: {out.detail['reason']}")
        self.unconfirmed.append(candidate)
        self.undecided += 1
        cache[candidate] = Outcome("undecided", None, {
            "reason": "candidate not confirmed at the second precision"})
        return False


def _landmark_phase(conjecture, seed: int, cache: dict, tally: _Tally,
                    deadline: float | None):
    """Phase 3 (module notes): ``(instance, outcome, (landmark, offset))`` of the first
    confirmed counterexample, or None. The instances come from those judged, then from
    :data:`LANDMARK_DRAWS` further draws of the strategy when too few of those qualify."""
    judge = _judge(conjecture)
    seeds = _landmark_seeds(cache)
    if len(seeds) < LANDMARK_INSTANCES:
        seeds = _landmark_seeds(list(cache) + _draws(conjecture, seed, LANDMARK_DRAWS,
                                                      deadline))
    for seed_instance in seeds:
        for variant, where in _variants(seed_instance, conjecture.max_factor):
            if variant in cache:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                tally.truncated = True
                return None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow in a diverging run
                out = judge(variant)
            cache[variant] = out
            tally.examples += 1
            if out.status == "pass":
                tally.passed += 1
            elif out.status == "undecided":
                tally.undecided += 1
                tally.reason(out.detail.get("reason", "undecided"))
            else:
                confirmed = _confirm(conjecture, variant, deadline)
                if tally.candidate(conjecture, variant, confirmed, cache):
                    return variant, confirmed, where
    return None


def run_search(conjecture, examples: int, seed: int, max_shrinks: int,
               time_budget: float | None):
    """The body of :func:`~proofs_check.conjectures.search_conjecture` (arguments validated):
    the phases of the module notes. Returns a
    :class:`~proofs_check.conjectures.ConjectureResult`."""
    from .conjectures import ConjectureResult, _reproduce_text
    from .search import derive_seed, search  # hypothesis: imported when a search runs

    start = time.perf_counter()
    deadline = None if time_budget is None else start + time_budget
    cache: dict = {}
    tally = _Tally()
    confirmed = res = where = None
    for _ in range(MAX_CANDIDATE_ROUNDS):
        # each round replays the judgements of the earlier ones from the cache, where the
        # candidates the confirmation did not confirm are now undecided (or passed): hypothesis
        # goes on past them to new instances
        remaining = None if deadline is None else max(0.0, deadline - time.perf_counter())
        res = search(conjecture.strategy, _judge(conjecture), examples=examples,
                     seed_value=derive_seed(seed, "conjecture", conjecture.name),
                     max_shrinks=max_shrinks, time_budget=remaining, cache=cache)
        tally.examples += res.examples
        tally.undecided += res.undecided
        tally.passed += res.passed
        tally.truncated = tally.truncated or res.truncated
        for r in res.undecided_reasons:
            tally.reason(r)
        if not res.found:
            break
        for candidate in dict.fromkeys((res.instance, res.first_failure)):
            out = _confirm(conjecture, candidate, deadline)
            tally.examples += candidate != res.first_failure  # the first one was counted
            if tally.candidate(conjecture, candidate, out, cache):
                confirmed = (candidate, out)
                break
        if confirmed is not None:
            break
    if confirmed is None and conjecture.landmarks:
        found = _landmark_phase(conjecture, seed, cache, tally, deadline)
        if found is not None:
            confirmed, where = found[:2], found[2]
    cex = None
    if confirmed is not None:
        outcome = "refuted"
        inst, out = confirmed
        shrunk_from = inst if where is not None else res.first_failure
        cex = {"instance": inst.key(), "description": inst.describe(),
               "detail": out.detail, "shrunk": where is None and inst == res.instance,
               "shrunk_from": shrunk_from.key(),
               "reproduce": _reproduce_text(conjecture, inst)}
        if where is not None:
            cex["landmark"] = {"name": where[0], "offset": str(where[1])}
    elif tally.unconfirmed or not tally.passed:
        outcome = "undecided"
    else:
        outcome = "not refuted"
    return ConjectureResult(conjecture.name, conjecture.statement, outcome, tally.examples,
                            tally.undecided, cex, seed, time.perf_counter() - start,
                            conjecture.expected, conjecture.notes, tally.reasons,
                            tally.truncated)
