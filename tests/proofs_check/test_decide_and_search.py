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
