"""Planted bugs: deliberately wrong formulas registered as claims must be refuted and shrunk.

Each planted claim is wrong only on a corner of its domain (``d >= 3``; ties in ``x``; entries
other than 0 and 1), so finding it needs the search and shrinking it needs hypothesis. The
expected minimal instances are worked out by hand in each test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from proofs_check import Check, Claim, register, reproduce, unregister, verify
from proofs_check import strategies as S
from proofs_check.decide import exact_equal, two_precision_equal
from proofs_check.experiments import full_spectrum


def _wrong_min_norm_sharpness(x, y):
    """Planted: ``4 y x_max``, plus ``1/10`` when ``d >= 3`` (a bug only in higher dimension)."""
    extra = Fraction(1, 10) if len(x) >= 3 else 0
    return 4 * y * max(x) + extra


def check_planted_dimension(inst):
    """Planted R2 variant: the wrong sharpness against the vertex-enumeration maximum."""
    x, y = inst.x, inst.y
    expected = max(4 * xi * xi * (y / xi) for xi in x)
    return exact_equal("S(beta^N)", _wrong_min_norm_sharpness(x, y), expected)


def check_planted_ties(inst):
    """Planted R2 variant: the minimum-norm interpolator as the *first* maximising vertex (wrong
    with ties: the face's centroid, which gradient flow picks, is expected)."""
    x, y = inst.x, inst.y
    i = x.index(max(x))
    wrong = tuple(y / x[i] if j == i else Fraction(0) for j in range(len(x)))
    top = [j for j, v in enumerate(x) if v == max(x)]
    centroid = tuple(y / (len(top) * x[j]) if j in top else Fraction(0)
                     for j in range(len(x)))
    return exact_equal("beta^N", wrong, centroid)


def check_planted_numerics(inst):
    """Planted R1 variant: ``S = 4 sum x_i beta_i`` on the zero-loss set (a lost square),
    against the numerics engine's Hessian at 30 and 60 digits."""
    x, (w,) = inst.x, inst.theta
    beta = [v * v for v in w]
    wrong = 4 * sum(a * b for a, b in zip(x, beta, strict=True))
    problem = inst.problem()
    lo = full_spectrum(problem, 30, (w,))
    hi = full_spectrum(problem, 60, (w,))
    return two_precision_equal("S", wrong, lo[2], hi[2])


def _claim(cid, fn, domain, kind="identity"):
    return Claim(cid, "A deliberately wrong formula planted by the test suite (not a result).",
                 "[planted] tests/proofs_check/test_planted_bugs.py", kind, (fn,),
                 ("none",), "see the test", (Check("planted", fn, domain, "exact"),))


@pytest.fixture
def planted():
    made = []

    def make(cid, fn, domain, kind="identity"):
        claim = register(_claim(cid, fn, domain, kind))
        made.append(cid)
        return claim

    yield make
    for cid in made:
        unregister(cid)


def _refuted(claim_id, examples=30, seed=0):
    report = verify([claim_id], examples=examples, seed=seed)
    (res,) = report.claims
    assert res.verdict == "refuted", res
    assert report.exit_code == 1
    cx = res.counterexample
    assert cx is not None and cx["check"] == "planted"
    return cx


def test_bug_only_in_dimension_three_is_shrunk_to_d_equals_3(planted):
    planted("PLANTED-D", check_planted_dimension, S.problems(d_max=8))
    cx = _refuted("PLANTED-D")
    inst = cx["instance"]
    # the simplest instance with d >= 3: three features, all 1 (ties are allowed), y = 1
    assert len(inst["x"]) == 3
    assert inst["x"] == ["1", "1", "1"] and inst["y"] == "1"
    # the data reproduce the failure
    assert reproduce("PLANTED-D", "planted", inst).status == "fail"


def test_bug_only_with_ties_is_shrunk_to_two_tied_features(planted):
    planted("PLANTED-T", check_planted_ties, S.problems(d_max=8))
    cx = _refuted("PLANTED-T")
    inst = cx["instance"]
    # the simplest tie: x = (1, 1), where the centroid (1/2, 1/2) is not the vertex (1, 0)
    assert inst["x"] == ["1", "1"] and inst["y"] == "1"
    assert cx["detail"]["got"] == ["1", "0"] and cx["detail"]["expected"] == ["1/2", "1/2"]


def test_bug_seen_only_by_numerics_is_shrunk_to_small_simple_numbers(planted):
    planted("PLANTED-N", check_planted_numerics, S.parameter_points(d_max=6, zero_loss=True),
            "equality")
    cx = _refuted("PLANTED-N")
    inst = cx["instance"]
    x = [Fraction(v) for v in inst["x"]]
    w = [Fraction(v) for v in inst["theta"][0]]
    # 4 sum x beta and 4 sum x^2 beta differ iff some x_i beta_i (x_i - 1) != 0: the shrunk
    # instance is two-dimensional with simple entries
    assert len(x) == 2
    assert all(v.denominator <= 2 for v in x + w)
    assert any(xi != 1 and wi != 0 for xi, wi in zip(x, w, strict=True))
    assert cx["detail"]["agreed_digits"] == "all" or cx["detail"]["agreed_digits"] >= 25


def test_planted_refutation_is_deterministic_under_a_seed(planted):
    planted("PLANTED-D", check_planted_dimension, S.problems(d_max=8))
    a = _refuted("PLANTED-D", seed=7)
    b = _refuted("PLANTED-D", seed=7)
    assert a["instance"] == b["instance"] and a["shrunk_from"] == b["shrunk_from"]
