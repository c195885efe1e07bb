"""The decision rules and the bounded, deterministic search engine."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import strategies as st

from proofs_check.decide import (
    Outcome,
    combine,
    exact_at_least,
    exact_equal,
    high_precision,
    two_precision_at_least,
    two_precision_equal,
)
from proofs_check.search import derive_seed, search


# ----------------------------------------------------------------------------- decide
def test_exact_equal_is_exact():
    assert exact_equal("q", F(1, 3), sp.Rational(1, 3)).status == "pass"
    assert exact_equal("q", F(1, 3), F(1, 3) + F(1, 10**40)).status == "fail"
    assert exact_equal("q", sp.sqrt(2) ** 2, 2).status == "pass"
    assert exact_equal("m", sp.Matrix([[1, 0]]), sp.Matrix([[1, 0]])).status == "pass"
    assert exact_equal("b", True, False).status == "fail"


def test_exact_at_least_reports_the_violation():
    assert exact_at_least("lower", 2, 2).status == "pass"
    out = exact_at_least("lower", 1, F(3, 2))
    assert out.status == "fail" and out.error == 0.5


def test_two_precision_equal_pass_fail_undecided():
    truth = high_precision(sp.pi)
    lo = truth + F(1, 10**29)
    hi = truth + F(1, 10**59)
    assert two_precision_equal("pi", sp.pi, lo, hi).status == "pass"
    # both precisions agree on 29 digits, the "theory" is off in the 10th: refuted
    assert two_precision_equal("pi", truth + F(1, 10**10), lo, hi).status == "fail"
    # the precisions agree on 2 digits only: undecided, never passed
    out = two_precision_equal("pi", truth, truth + F(1, 100), truth)
    assert out.status == "undecided" and "agree" in out.detail["reason"]


@pytest.mark.parametrize("agreed, theory, status", [
    # (digits low and high share, digits theory shares with high): the expected outcome
    (30, 29, "pass"),
    (30, 27.5, "fail"),       # theory off on digits both precisions share (slack: 2 digits)
    (6.5, 40, "pass"),        # six digits vouched for, theory right on all of them
    (5, 40, "undecided"),     # theory right, but the numerics vouch for 5 digits only
    (7, 5.5, "undecided"),    # no failure (5.5 >= 7 - 2), but only 5.5 digits agreed
    (4, 2.5, "undecided"),    # the old rule passed this on 2.5 agreed digits
    (4, 1.5, "fail"),         # a gross disagreement on shared digits still fails
    (3, 1, "undecided"),      # the precisions share too little to decide anything
])
def test_the_equality_rule_needs_six_digits_between_theory_and_numerics(agreed, theory,
                                                                          status):
    """Numbers built so that the digits are known by construction: ``high = 1``, ``low = 1 +
    10^-agreed``, theory ``1 + 10^-theory`` (relative to the scale 1)."""
    from proofs_check.decide import MIN_EQUAL_DIGITS

    def off(digits):
        return F(1) + F(10**6, round(10 ** (digits + 6)))

    out = two_precision_equal("q", off(theory), off(agreed), F(1))
    assert out.status == status, out.detail
    assert abs(out.detail["agreed_digits"] - agreed) < 0.01
    if status == "undecided":
        assert out.detail["reason"].startswith(f"undecided (resolution {float(agreed)} digits)")
    assert MIN_EQUAL_DIGITS == 6


def test_the_residual_rule_needs_six_digits_too():
    from proofs_check.decide import two_precision_residual

    # at 8 and 16 digits after 1000 steps, rounding allows 1e-2 and 1e-7: a residual of 1e-4
    # at 8 digits is within rounding there, yet leaves only 4 digits of the identity
    out = two_precision_residual("r", {8: F(1, 10**4), 16: F(1, 10**12)}, 1000)
    assert out.status == "undecided" and out.detail["reason"].startswith(
        "undecided (resolution 12.0 digits)")
    assert two_precision_residual("r", {8: F(1, 10**7), 16: F(1, 10**12)}, 1000).status \
        == "pass"


def test_two_precision_at_least_certified_slack():
    assert two_precision_at_least("m", F(1, 10**28), F(1, 10**58), 1).status == "pass"
    # a violation far beyond the precisions' disagreement
    assert two_precision_at_least("m", F(-1, 1000), F(-1, 1000) + F(1, 10**40), 1).status \
        == "fail"
    # a tiny negative margin the precisions do not agree on
    assert two_precision_at_least("m", F(-1, 10**3), F(1, 10**3), 1).status == "undecided"


def test_combine_prefers_failures_then_undecided():
    p, u, f = Outcome("pass", 1.0), Outcome("undecided"), Outcome("fail", 2.0)
    assert combine([p, u, f]).status == "fail"
    assert combine([p, u]).status == "undecided"
    assert combine([p, Outcome("pass", 3.0)]).error == 3.0


# ----------------------------------------------------------------------------- search
def _judge_over_10(n):
    return Outcome("fail" if n > 10 else "pass", 0.0)


def test_search_shrinks_to_the_minimal_failure():
    res = search(st.integers(0, 10**6), _judge_over_10, examples=50, seed_value=1)
    assert res.found and res.instance == 11
    assert res.outcome.status == "fail" and res.first_failure > 10


def test_search_is_deterministic_and_seed_dependent():
    def run(seed):
        res = search(st.lists(st.integers(0, 100), min_size=1), lambda v: Outcome(
            "fail" if sum(v) > 150 else "pass"), examples=30, seed_value=seed)
        return res.first_failure, res.instance, res.examples

    assert run(3) == run(3)
    assert run(3)[1] == [151] or sum(run(3)[1]) == 151
    assert derive_seed(0, "R1", "exact") == derive_seed(0, "R1", "exact")
    assert derive_seed(0, "R1", "exact") != derive_seed(1, "R1", "exact")


def test_search_counts_undecided_and_never_reports_them_as_failures():
    res = search(st.integers(0, 100), lambda n: Outcome("undecided", None, {"reason": "why"}),
                 examples=10, seed_value=0)
    assert not res.found and res.passed == 0 and res.undecided == res.examples > 0
    assert res.undecided_reasons == ["why"]


def test_an_exception_in_the_judge_is_a_failure_with_its_message():
    def judge(n):
        if n > 5:
            raise ZeroDivisionError("boom")
        return Outcome("pass")

    res = search(st.integers(0, 100), judge, examples=30, seed_value=0)
    assert res.found and res.instance == 6
    assert "ZeroDivisionError: boom" in res.outcome.detail["exception"]


def test_warnings_are_recorded_not_raised():
    import warnings

    def judge(n):
        warnings.warn("overflow in a diverging run", RuntimeWarning, stacklevel=1)
        return Outcome("fail" if n > 3 else "pass")

    res = search(st.integers(0, 100), judge, examples=30, seed_value=0)
    assert res.found and res.instance == 4
    assert any("overflow" in w for w in res.outcome.detail["warnings"])


def test_shrinking_is_bounded_by_judgements():
    res = search(st.integers(0, 10**9), _judge_over_10, examples=30, seed_value=2,
                 max_shrinks=3)
    assert res.found and res.shrink_judgements <= 3


def test_time_budget_truncates_and_says_so():
    res = search(st.integers(0, 100), lambda n: Outcome("pass"), examples=50, seed_value=0,
                 time_budget=0.0)
    assert res.truncated


def test_examples_must_be_positive():
    with pytest.raises(ValueError):
        search(st.integers(), _judge_over_10, examples=0)


# ----------------------------------------------------------------------------- rules
def test_every_rule_stamps_its_outcome_and_combine_keeps_the_union():
    from proofs_check.decide import CUSTOM, procedure, two_precision_residual

    assert exact_equal("q", 1, 1).rules == {"exact_equal"}
    assert exact_at_least("q", 2, 1).rules == {"exact_at_least"}
    assert two_precision_at_least("m", F(1), F(1), 1).rules == {"two_precision_at_least"}
    assert procedure("p", False).status == "fail"
    both = combine([exact_equal("q", 1, 1), procedure("p", True), Outcome("pass", 0.0)])
    assert both.rules == {"exact_equal", "procedure", CUSTOM}
    # a hand-built outcome counts as custom, never as an exact decision
    assert Outcome("pass").decided_by == {CUSTOM}
    res = two_precision_residual("r", {30: F(1, 10**27), 60: F(1, 10**57)}, 10)
    assert res.status == "pass" and res.rules == {"two_precision_residual"}


def test_two_precision_residual_fails_only_when_every_precision_loses_half_its_digits():
    from proofs_check.decide import two_precision_residual

    assert two_precision_residual("r", {30: F(1, 10**3), 60: F(1, 10**3)}, 5).status == "fail"
    # rounding-sized at 60 digits, large at 30: the precisions disagree, undecided
    out = two_precision_residual("r", {30: F(1, 10**10), 60: F(1, 10**57)}, 5)
    assert out.status == "undecided" and "between" in out.detail["reason"]


def test_judge_returning_something_else_is_a_type_error_even_when_it_warns():
    """The type is checked before the outcome is read (a warning used to make the search read
    ``.status`` of a non-Outcome first: AttributeError)."""
    import warnings

    def judge(n):
        warnings.warn("noise", RuntimeWarning, stacklevel=1)
        return False

    with pytest.raises(TypeError, match="not an Outcome"):
        search(st.integers(0, 3), judge, examples=3, seed_value=0)


def test_a_shared_cache_lets_a_caller_change_its_mind_about_an_instance():
    """A caller (the conjecture search) marks a candidate undecided in the shared cache; the
    next search with the same seed replays the earlier judgements and goes on past it."""
    cache = {}

    def judge(n):
        return Outcome("fail" if n > 10 else "pass")

    first = search(st.integers(0, 100), judge, examples=30, seed_value=0, cache=cache)
    assert first.found and first.instance == 11
    cache[11] = Outcome("undecided", None, {"reason": "not confirmed"})
    again = search(st.integers(0, 100), judge, examples=30, seed_value=0, cache=cache)
    assert again.found and again.instance == 12


# ----------------------------------------------------------------------------- verdicts
def _result(**kw):
    from proofs_check.search import SearchResult

    return SearchResult(**kw)


def test_one_pass_and_one_undecided_is_not_verified():
    from proofs_check.verify import MIN_DECIDED, _check_verdict

    verdict, reasons = _check_verdict(_result(examples=2, passed=1, undecided=1), 2)
    assert verdict == "undecided" and MIN_DECIDED == 2
    assert any("only 1 instance(s) decided" in r for r in reasons)
    assert _check_verdict(_result(examples=3, passed=2, undecided=1), 3)[0] == "verified"
    assert _check_verdict(_result(examples=5, passed=2, undecided=3), 5)[0] == "undecided"


def test_truncated_search_that_decided_fewer_than_asked_is_undecided():
    from proofs_check.verify import _check_verdict

    verdict, reasons = _check_verdict(_result(examples=3, passed=3, truncated=True), 6,
                                      time_budget=0.3)
    assert verdict == "undecided" and "time budget of 0.3 s ran out" in reasons[0]
    # the budget ran out only after everything asked for was decided: nothing is missing
    assert _check_verdict(_result(examples=6, passed=6, truncated=True), 6)[0] == "verified"


def test_rules_the_kind_does_not_allow_are_never_verified():
    from proofs_check.verify import _check_verdict

    verdict, reasons = _check_verdict(_result(examples=4, passed=4, rules={"custom"}), 4,
                                      "identity")
    assert verdict == "undecided" and "may not use" in reasons[0]
    assert _check_verdict(_result(examples=4, passed=4, rules={"exact_equal"}), 4,
                          "identity")[0] == "verified"


def _slow_pass(n):
    """Passes, slowly (exact)."""
    import time

    time.sleep(0.05)
    return exact_equal("n", n, n)


def _sometimes_by_hand(n):
    """Exact on even n; a hand-built pass on odd n (not an exact decision)."""
    return exact_equal("n", n, n) if n % 2 == 0 else Outcome("pass", 0.0)


def _one_check_claim(fn, kind="identity"):
    from proofs_check import Check, Claim

    return Claim("TEST", "A claim built by the test suite to exercise the verdict rules.",
                 "[test]", kind, (), ("none",), "integers",
                 (Check("only", fn, st.integers(0, 10**6), "exact"),))


def test_verify_says_undecided_and_truncated_when_the_budget_cuts_a_check_short():
    from proofs_check import verify

    report = verify(claims=[_one_check_claim(_slow_pass)], examples=10, time_budget=0.12)
    (c,) = report.claims
    assert c.verdict == "undecided" and c.truncated and c.to_json()["truncated"] is True
    assert "time budget" in c.reason and c.checks[0].passed < 10


def test_verify_refuses_a_hand_decided_pass_in_an_identity_check():
    from proofs_check import verify

    report = verify(claims=[_one_check_claim(_sometimes_by_hand)], examples=10, seed=0)
    (c,) = report.claims
    assert c.verdict == "undecided" and "custom" in c.reason
    assert "custom" in c.checks[0].rules


def test_reviewer_demonstration_a_tiny_budget_no_longer_verifies_e4():
    """``verify(['E4'], time_budget=0.3)`` used to report E4 verified on a single instance."""
    from proofs_check import verify

    (c,) = verify(["E4"], examples=20, seed=0, time_budget=0.3).claims
    assert c.verdict == "undecided" and c.truncated
    assert "time budget" in c.reason


# ------------------------------------------------------------- what decided an outcome
def test_evidence_of_each_rule_by_hand():
    from proofs_check.decide import (
        evidence,
        evidence_text,
        exact_at_least,
        two_precision_at_least,
        two_precision_equal,
        two_precision_residual,
        weakest,
    )

    exact = evidence(combine([exact_equal("a", F(1), F(1)), exact_at_least("b", 2, 1)]))
    assert exact["exact"] and exact["agreed_digits"] is None
    assert evidence_text(exact) == "exact"
    # low and high differ by 1e-10 at scale 1: 10 digits agreed; theory = high: all digits
    eq = evidence(two_precision_equal("q", F(1), F(1) + F(1, 10**10), F(1)))
    assert not eq["exact"] and eq["agreed_digits"] == 10.0 and eq["theory_digits"] == float(
        "inf")
    assert evidence_text(eq) == "10.0 digits agreed, theory to all"
    # margins 1/2 and 1/2 + 1e-20: slack 10 * 1e-20 + 1e-25 of scale 1
    one = evidence(two_precision_at_least("m", F(1, 2), F(1, 2) + F(1, 10**20), 1))
    assert abs(one["slack"] - (1e-19 + 1e-25)) < 1e-30 and one["agreed_digits"] == 20.0
    res = evidence(two_precision_residual("r", {30: F(1, 10**28), 60: F(1, 10**58)}, 10))
    assert res["residual"] == {"30": 1e-28, "60": 1e-58}
    # the weakest: least digits, largest slack, union of rules
    low = evidence(two_precision_equal("q", F(1), F(1) + F(1, 10**6), F(1)))
    w = weakest([eq, low, one, exact])
    assert w["agreed_digits"] == 6.0 and not w["exact"] and w["slack"] == one["slack"]
    assert set(w["rules"]) == {"two_precision_equal", "two_precision_at_least",
                               "exact_equal", "exact_at_least"}
    assert evidence_text(w).startswith("6.0 digits agreed") and "exact parts" in \
        evidence_text(w)
    assert weakest([]) is None and evidence_text(None) == "-"


def test_verify_reports_the_weakest_digits_over_the_passing_instances():
    """R2's numerics check compares S = 4 y x_max with the engine's Hessian at 30 and 60
    digits: the digits the two agree on are those of the lower precision, 30, give or take
    the eigen-solver's rounding of a small matrix (at most 31, at least 27); its exact checks
    say 'exact'."""
    from proofs_check.verify import verify

    (claim,) = verify(["R2"], examples=4, seed=0).claims
    checks = {c.name: c for c in claim.checks}
    assert checks["exact"].evidence["exact"] and checks["exact"].evidence_text == "exact"
    num = checks["numerics"].evidence
    assert not num["exact"] and 27 <= num["agreed_digits"] <= 31
    assert num["rules"] == ["two_precision_equal"]
    assert claim.domain.startswith("x > 0 (d = 2..8")
    js = claim.to_json()
    assert js["domain"] == claim.domain and js["checks"][2]["name"] == "numerics"
    assert js["checks"][2]["evidence"]["agreed_digits"] == num["agreed_digits"]
    assert js["checks"][2]["evidence"]["text"].startswith(f"{num['agreed_digits']:.1f} digits")
