"""Counterexample search for conjectures: yours, and five built-in ones with honest outcomes.

A conjecture is a predicate over a :class:`Case` (a generated problem, plus the GD run or the
flow you ask it for) and a hypothesis strategy of instances. :func:`search_conjecture`
searches the strategy, shrinks the first counterexample to the simplest one hypothesis can
find, and confirms it at a second precision.

Writing a predicate
-------------------
``predicate(case) -> bool | None | (bool | None, dict)``:

* ``True``: the conjecture holds on this case; ``False``: a counterexample; ``None``: cannot
  be decided here (for instance GD did not converge within the budget). A ``dict`` returned
  alongside is reported with the counterexample (JSON-able values).
* ``case.instance`` is the generated :class:`~proofs_check.strategies.Instance`; ``case.x``,
  ``case.y``, ``case.alpha``, ``case.eta``, ``case.beta_star``, ``case.problem`` (a
  :class:`numerics.Problem`).
* ``case.gd(steps=None, **kw)`` runs :func:`numerics.gd.gradient_descent` at the case's
  precision (``case.precision``: ``"float64"`` while searching), cached per arguments. To
  confirm a counterexample the predicate is evaluated again on the two runs of
  :func:`numerics.audit.audited_gd` (float64 and ``"flint:32"``).
* ``case.dps`` is the number of decimal digits of that precision (15 or 32), for your own
  computations (``numerics.flow.gradient_flow(case.problem, case.dps)``).

A counterexample is reported only when the predicate returns ``False`` at *both* precisions
and no audited GD run it used is ``chaotic``; otherwise (chaotic or precision-starved digits)
it is ``undecided``.

The predicate may carry its own strategy as ``predicate.strategy`` (default:
:func:`proofs_check.strategies.problems` with a learning rate). From the command line:
``normsharp counterexample --predicate mymodule:myfunction``.

Example
-------
>>> from proofs_check.conjectures import Conjecture, search_conjecture
>>> from proofs_check.strategies import problems
>>> c = Conjecture("small-norm", "||beta^N||_1 <= 1", lambda case: case.y / max(case.x) <= 1,
...                problems(d_max=3))
>>> r = search_conjecture(c, examples=20, seed=0)
>>> r.outcome, r.counterexample["instance"]["x"], r.counterexample["instance"]["y"]
('refuted', ['1', '1'], '2')
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from . import strategies as S
from .claim import strategies_built_on_first_use
from .decide import Outcome, to_fraction
from .references import gf_limit_reference, sharpness_on_M

__all__ = ["Case", "Conjecture", "ConjectureResult", "CONJECTURES", "search_conjecture",
           "load_predicate", "DEFAULT_STEPS"]

#: GD step budget of the built-in conjectures
DEFAULT_STEPS = 20000
PRECISIONS = (("float64", None), ("flint", 32))


class Case:
    """What a predicate sees: one instance at one precision (see the module notes).

    When a counterexample is confirmed, the float64 case and the ``flint:32`` case share their
    GD runs through :func:`numerics.audit.audited_gd` (``audits``), so the two predicates see
    the two runs of one precision audit.
    """

    def __init__(self, instance, precision=("float64", None), steps: int = DEFAULT_STEPS,
                 audits: dict | None = None):
        self.instance = instance
        self.backend, self._dps = precision
        self.steps = steps
        self._cache: dict = {}
        self._problem = None
        self._audits = audits

    @property
    def precision(self) -> str:
        return self.backend if self._dps is None else f"{self.backend}:{self._dps}"

    @property
    def dps(self) -> int:
        return 15 if self._dps is None else int(self._dps)

    @property
    def problem(self):
        if self._problem is None:
            self._problem = self.instance.problem()
        return self._problem

    x = property(lambda self: self.instance.x)
    y = property(lambda self: self.instance.y)
    alpha = property(lambda self: self.instance.alpha)
    eta = property(lambda self: self.instance.eta)
    beta_star = property(lambda self: self.instance.beta_star)

    def gd(self, steps: int | None = None, **kw):
        """GD at this case's precision (cached): a :class:`numerics.gd.GDResult`."""
        from numerics.gd import gradient_descent

        steps = self.steps if steps is None else steps
        kw.setdefault("record_sharpness", False)
        key = (steps, tuple(sorted(kw.items())))
        if self._audits is not None:
            from numerics.audited import audited_gd

            if key not in self._audits:
                self._audits[key] = audited_gd(self.problem, self.instance.eta, steps, **kw)
            run = self._audits[key]
            return run.low if self._dps is None else run.high
        if key not in self._cache:
            self._cache[key] = gradient_descent(self.problem, self.instance.eta, steps,
                                                backend=self.backend, dps=self._dps, **kw)
        return self._cache[key]


@strategies_built_on_first_use("strategy")
@dataclass(frozen=True)
class Conjecture:
    """A conjecture to search: a predicate over :class:`Case` s and a strategy of instances.

    Attributes
    ----------
    name : str
    statement : str
    predicate : callable ``Case -> bool | None | (bool | None, dict)``
    strategy : hypothesis strategy of :class:`~proofs_check.strategies.Instance`
        Given as a strategy, or as a zero-argument callable that builds it on first use (so
        that listing conjectures does not import hypothesis).
    expected : str
        The documented outcome (built-ins), checked by the test suite.
    notes : str
    steps : int, the GD budget of a case
    """

    name: str
    statement: str
    predicate: Callable
    strategy: object
    expected: str = ""
    notes: str = ""
    steps: int = DEFAULT_STEPS


@dataclass
class ConjectureResult:
    """The outcome of a search: ``refuted`` (a confirmed, shrunk counterexample),
    ``not refuted`` (none found in ``examples`` instances: not a proof) or ``undecided``
    (candidates exist but the second precision did not confirm them, or nothing was decided)."""

    name: str
    statement: str
    outcome: str
    examples: int
    undecided: int
    counterexample: dict | None
    seed: int
    seconds: float
    expected: str = ""
    notes: str = ""
    reasons: list = field(default_factory=list)
    truncated: bool = False

    def to_json(self) -> dict:
        return {"name": self.name, "statement": self.statement, "outcome": self.outcome,
                "examples": self.examples, "undecided_examples": self.undecided,
                "counterexample": self.counterexample, "seed": self.seed,
                "seconds": round(self.seconds, 3), "expected": self.expected,
                "notes": self.notes, "reasons": self.reasons, "truncated": self.truncated}

    @property
    def exit_code(self) -> int:
        """1 when a counterexample was found (the conjecture is refuted), else 0."""
        return 1 if self.outcome == "refuted" else 0


def _call(predicate, case):
    out = predicate(case)
    if isinstance(out, tuple):
        verdict, detail = out
    else:
        verdict, detail = out, {}
    if verdict is not None and not isinstance(verdict, bool):
        verdict = bool(verdict)
    return verdict, dict(detail or {})


def _judge(conjecture: Conjecture):
    """The search's judge: the predicate at float64 only (fast); see :func:`_confirm`."""

    def judge(instance) -> Outcome:
        low = Case(instance, PRECISIONS[0], conjecture.steps)
        verdict, detail = _call(conjecture.predicate, low)
        if verdict is None:
            return Outcome("undecided", None, {"reason": detail.get(
                "reason", "the predicate could not decide"), **detail})
        return Outcome("pass" if verdict else "fail", None, {low.precision: detail})

    return judge


#: at most this many rounds of search, shrink and confirmation (each confirms at most two
#: candidates: the shrunk one and the first one found)
MAX_CANDIDATE_ROUNDS = 3


def _confirm(conjecture: Conjecture, instance) -> Outcome:
    """Re-judge a candidate on the two runs of one precision audit (float64 and flint:32, via
    :func:`numerics.audit.audited_gd`): a counterexample only if the predicate is ``False`` at
    both and no audited run is ``chaotic``."""
    audits: dict = {}
    low = Case(instance, PRECISIONS[0], conjecture.steps, audits)
    high = Case(instance, PRECISIONS[1], conjecture.steps, audits)
    v_low, d_low = _call(conjecture.predicate, low)
    v_high, d_high = _call(conjecture.predicate, high)
    detail = {low.precision: d_low, high.precision: d_high}
    if audits:
        detail["audit"] = [{"steps": k[0], "status": a.status, "digits": a.digits}
                           for k, a in audits.items()]
    chaotic = [a for a in audits.values() if a.status == "chaotic"]
    if v_low is False and v_high is False and not chaotic:
        return Outcome("fail", None, detail)
    detail["reason"] = (f"{v_low} at {low.precision}, {v_high} at {high.precision}"
                        + (" (audit: chaotic)" if chaotic else "")
                        + ": the decisive digits are not reproducible")
    return Outcome("undecided", None, detail)


def search_conjecture(conjecture: Conjecture, *, examples: int = 30, seed: int = 0,
                      max_shrinks: int = 40, time_budget: float | None = 30.0
                      ) -> ConjectureResult:
    """Search ``conjecture`` for a counterexample, shrink it and confirm it.

    The search judges with float64 GD; the shrunk candidate (else the first one found) is
    then confirmed on a two-precision audit. When neither is confirmed, both count as
    undecided and the search goes on past them to the next candidate (at most
    :data:`MAX_CANDIDATE_ROUNDS` rounds). An unconfirmed candidate never makes the outcome
    ``refuted``; a search that ends with only unconfirmed candidates is ``undecided``.

    Parameters
    ----------
    conjecture : Conjecture
    examples : int >= 1, instances to judge before giving up
    seed : int (the outcome is a function of it)
    max_shrinks : judgements spent shrinking
    time_budget : seconds (safety valve: reported as ``truncated``)

    Returns
    -------
    ConjectureResult
    """
    from theory.errors import DomainError

    from .search import derive_seed, search  # hypothesis: imported when a search runs

    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise DomainError("examples", examples, "an integer >= 1 is required")
    start = time.perf_counter()
    cache: dict = {}
    reasons: list = []
    unconfirmed: list = []
    examples_seen = undecided = passed = 0
    truncated = False
    confirmed = res = None
    for _ in range(MAX_CANDIDATE_ROUNDS):
        # each round replays the judgements of the earlier ones from the cache, where the
        # candidates the second precision did not confirm are now undecided: hypothesis goes
        # on past them to new instances
        remaining = None if time_budget is None else max(
            0.0, time_budget - (time.perf_counter() - start))
        res = search(conjecture.strategy, _judge(conjecture), examples=examples,
                     seed_value=derive_seed(seed, "conjecture", conjecture.name),
                     max_shrinks=max_shrinks, time_budget=remaining, cache=cache)
        examples_seen += res.examples
        undecided += res.undecided
        passed += res.passed
        truncated = truncated or res.truncated
        reasons += [r for r in res.undecided_reasons if r not in reasons]
        if not res.found:
            break
        for candidate in dict.fromkeys((res.instance, res.first_failure)):
            out = _confirm(conjecture, candidate)
            if out.status == "fail":
                confirmed = (candidate, out)
                break
            reasons.append(f"candidate {candidate.describe()} not confirmed: "
                           f"{out.detail['reason']}")
            unconfirmed.append(candidate)
            undecided += 1
            examples_seen += candidate != res.first_failure  # the first one was counted
            cache[candidate] = Outcome("undecided", None, {
                "reason": "candidate not confirmed at the second precision"})
        if confirmed is not None:
            break
    cex = None
    if confirmed is not None:
        outcome = "refuted"
        inst, out = confirmed
        cex = {"instance": inst.key(), "description": inst.describe(),
               "detail": out.detail, "shrunk": inst == res.instance,
               "shrunk_from": res.first_failure.key(),
               "reproduce": _reproduce_text(conjecture, inst)}
    elif unconfirmed or not passed:
        outcome = "undecided"
    else:
        outcome = "not refuted"
    return ConjectureResult(conjecture.name, conjecture.statement, outcome,
                            examples_seen, undecided, cex, seed,
                            time.perf_counter() - start, conjecture.expected, conjecture.notes,
                            reasons, truncated)


def _reproduce_text(conjecture: Conjecture, inst) -> str:
    """Python that re-judges the counterexample: the built-in by name, a user's by function."""
    head = ("from proofs_check import instance_from_key; "
            "from proofs_check.conjectures import CONJECTURES, Case; ")
    case = f"Case(instance_from_key({inst.key()!r}))"
    if CONJECTURES.get(conjecture.name) is conjecture:
        return head + f"CONJECTURES[{conjecture.name!r}].predicate({case})"
    fn = conjecture.predicate
    where = f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', '?')}"
    return head.replace("CONJECTURES, ", "") + f"<your predicate {where}>({case})"


def load_predicate(spec: str) -> Conjecture:
    """``"module:function"`` -> a :class:`Conjecture` (strategy from ``function.strategy``, or
    one-sample problems with a learning rate).

    Raises
    ------
    DomainError
        ``spec`` is not of the form ``module:function``, or names nothing importable and
        callable (the error names the argument ``predicate``).
    """
    from theory.errors import DomainError

    if ":" not in spec:
        raise DomainError("predicate", spec, "the form module:function is required")
    module, _, name = spec.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise DomainError("predicate", spec, f"an importable function ({exc})") from None
    if not callable(fn):
        raise DomainError("predicate", spec, "a callable is required")
    strategy = getattr(fn, "strategy", None)
    if strategy is None:
        strategy = _one_sample_with_eta
    return Conjecture(spec, (fn.__doc__ or spec).strip().splitlines()[0], fn, strategy,
                      steps=getattr(fn, "steps", DEFAULT_STEPS))


def _f(v) -> float:
    return float(v)


def _one_sample_with_eta():
    """The default domain of a user's predicate: one-sample problems with a learning rate."""
    return S.problems(d_max=6, with_eta=True)


def _gf(case):
    ref = gf_limit_reference(case.x, case.y, case.alpha, 30)
    return ref, 2 / sharpness_on_M(case.x, ref)


#: "unchanged": ``||beta_GD - beta^GF||_inf <= UNCHANGED_TOL ||beta^GF||_inf``
UNCHANGED_TOL = Fraction(1, 10)


def predictor_unchanged(case):
    """A step above 2/lambda_max (eta > eta_c) leaves the predictor unchanged: GD's limit is
    within 10% (max norm) of the gradient-flow limit."""
    ref, eta_c = _gf(case)
    run = case.gd()
    detail = {"eta": str(case.eta), "eta_c": _f(eta_c), "status": run.status,
              "beta_GF": [_f(v) for v in ref]}
    if run.status != "converged":
        return None, {**detail, "reason": f"GD {run.status} in {case.steps} steps"}
    dist = max(abs(a - b) for a, b in zip(run.beta, ref, strict=True))
    detail.update(beta_GD=[_f(v) for v in run.beta], distance=_f(dist),
                  relative_distance=_f(dist / max(ref)), final_S=_f(run.S),
                  two_over_eta=_f(2 / case.eta))
    return dist <= UNCHANGED_TOL * max(ref), detail


def _above_eta_c():
    """Distinct ``x`` (d = 2..4), ``alpha`` small, ``eta`` the simplest rationals (denominator
    <= 40) in ``(eta_c, 0.9 / (2 y x_min))``: above the critical rate, where some interpolator
    is still stable."""

    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x = draw(S.features(d_min=2, d_max=4, distinct=True, max_value=2, max_denominator=4))
        y = draw(S.labels())
        a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 1000)]))
        ref = gf_limit_reference(x, y, a, 20)
        eta_c = 2 / sharpness_on_M(x, ref)
        top = Fraction(9, 10) / (2 * y * min(x))
        lo = eta_c * Fraction(1001, 1000)
        if lo >= top:  # no rate above eta_c in the range: not an instance of the conjecture
            return None
        eta = draw(st.one_of(S.rationals(lo, top, max_denominator=40),
                             S.rationals(lo, top, max_denominator=1000)))
        return S.Instance((x,), y, a, eta, edge="above eta_c")

    return draw().filter(lambda inst: inst is not None)


def min_sharpness_better(case):
    """The minimum-sharpness interpolator generalises at least as well as the minimum-norm one:
    expected risk (beta* uniform on M) of beta^S <= that of beta^N."""
    import theory as T

    prior = T.uniform_prior(case.x, case.y)
    rs = to_fraction(T.expected_risk(T.min_sharpness_interpolator(case.x, case.y).beta, prior))
    rn = to_fraction(T.expected_risk(T.min_norm_interpolator(case.x, case.y).beta, prior))
    return rs <= rn, {"risk_min_sharpness": str(rs), "risk_min_norm": str(rn)}


def final_sharpness_below(case):
    """When GD converges, its final sharpness is at most 2/eta."""
    run = case.gd()
    if run.status != "converged":
        return None, {"reason": f"GD {run.status}", "status": run.status}
    return run.S <= 2 / case.eta, {"eta": str(case.eta), "final_S": _f(run.S),
                                   "two_over_eta": _f(2 / case.eta), "steps": run.steps}


def s_gf_at_end(case):
    """The largest sharpness along the gradient-flow path is attained at its end
    (so eta_c = 2 / S(beta^GF))."""
    from numerics.flow import gradient_flow

    res = gradient_flow(case.problem, max(10, case.dps))
    return res.s_gf_at_end, {"s_gf": _f(res.s_gf), "s_end": _f(res.s_end),
                             "where_R": _f(res.where.R), "at_end": res.s_gf_at_end,
                             "dps": max(10, case.dps)}


def gd_reachable(case):
    """Every eta <= 1/(2 y x_min) (a stable interpolator exists) has a convergent GD run from
    w_0 = alpha 1."""
    run = case.gd()
    hi = Fraction(1) / (2 * case.y * min(case.x))
    detail = {"eta": str(case.eta), "eta_over_limit": _f(case.eta / hi), "status": run.status,
              "steps": run.steps}
    if run.status == "converged":
        return True, detail
    if run.status == "diverged":
        return False, {**detail, "diverged_at": run.diverged_at}
    return None, {**detail, "reason": f"not converged in {case.steps} steps (the run neither "
                  "converges nor diverges: chaotic or slow)"}


def _stable_range():
    """Distinct ``x`` (d = 2..4), small ``alpha``, ``eta = t / (2 y x_min)`` with ``t`` in
    ``[1/2, 19/20]``: strictly inside the range where some interpolator is stable."""

    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        x = draw(S.features(d_min=2, d_max=4, distinct=True, max_value=2, max_denominator=4))
        y = draw(S.labels())
        a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 1000)]))
        hi = Fraction(1) / (2 * y * min(x))
        t = draw(S.rationals(Fraction(1, 2), Fraction(19, 20), max_denominator=20))
        return S.Instance((x,), y, a, t * hi)

    return draw()


def _fixed_alpha():
    """One-sample problems (d up to 8) at ``alpha = 1/100``."""
    from hypothesis import strategies as st

    return S.problems(d_max=8, alpha=st.just(Fraction(1, 100)))


CONJECTURES: dict[str, Conjecture] = {c.name: c for c in (
    Conjecture(
        "predictor-unchanged-above-eta-c",
        "A step above 2/lambda_max (eta > eta_c = 2/s_GF) only oscillates around the "
        "min-norm/flow solution and leaves the predictor unchanged (GD limit within 10% of "
        "beta^GF).", predictor_unchanged, _above_eta_c,
        expected="refuted",
        notes="Expected refuted: above eta_c GD converges to a different interpolator, near "
        "the one with S = 2/eta (R9). Cases where GD does not converge within the budget are "
        "undecided, not counterexamples."),
    Conjecture(
        "min-sharpness-generalises-better",
        "The minimum-sharpness interpolator generalises at least as well as the minimum-norm "
        "one (expected risk, beta* uniform on M).", min_sharpness_better,
        _fixed_alpha,
        expected="refuted",
        notes="Exact (theory). With the uniform prior, risk(vertex e_i) = sum mu^2 + "
        "(y/x_i)^2 (1 - 2/d) + tr Cov: equal for d = 2, and the min-norm vertex is strictly "
        "better for d >= 3 (distinct x): the minimal counterexample has d = 3."),
    Conjecture(
        "final-sharpness-below-2-over-eta",
        "When GD converges, its final sharpness S is at most 2/eta.", final_sharpness_below,
        lambda: S.problems(d_max=6, with_eta=True, max_factor=1),
        expected="not refuted",
        notes="Expected to hold: a limit with S > 2/eta is linearly unstable (R5), so the last "
        "steps of a converging run contract only if |1 - eta S| < 1. A search finding none is "
        "evidence, not proof."),
    Conjecture(
        "s-gf-attained-at-end",
        "The largest sharpness along the gradient-flow path is attained at its end.",
        s_gf_at_end, lambda: S.problems(d_max=3, alpha=S.alphas(tiny=False, max_value=2)),
        expected="refuted",
        notes="Expected refuted for large alpha (r(0) > 0): the flow starts sharper than it "
        "ends. Theory proves the claim when r(0) <= 0 and 2|r(0)| x_max <= s_end "
        "(theory.sharpness_along_flow). Uses numerics.flow (closed form) at 15/32 digits."),
    Conjecture(
        "gd-limit-reachable-up-to-stability-limit",
        "Every eta <= 1/(2 y x_min) (some interpolator is stable) has a convergent GD run "
        "from w_0 = alpha 1.", gd_reachable, _stable_range,
        expected="refuted",
        notes="Outcome from actual runs: GD from alpha 1 diverges at some eta below "
        "1/(2 y x_min) where stable interpolators exist (both precisions diverge: a definite "
        "counterexample); closer to the limit runs neither converge nor diverge within the "
        "budget (chaotic: undecided, not counted)."),
)}
