"""Results print short: a verify report, a claim's and a check's result, a conjecture's
outcome, theory's predictions for an instance (issue 13: a result's repr was kilobytes)."""

from __future__ import annotations

from fractions import Fraction as F

from proofs_check.conjectures import CONJECTURES, search_conjecture
from proofs_check.predictions import predict_one_sample
from proofs_check.verify import verify


def test_verify_results():
    report = verify(["R2"], examples=3, seed=0)
    claim = report.claims[0]
    check = claim.checks[0]
    assert repr(report).startswith("VerifyReport(summary={'verified': 1, 'refuted': 0, ")
    assert repr(claim).startswith("ClaimResult(id='R2', kind='identity', verdict='verified'")
    assert repr(check) == ("CheckResult(name='exact', kind='identity', verdict='verified', "
                           f"passed={check.passed}, undecided=0, evidence_text='exact')")
    assert all(len(repr(o)) < 300 for o in (report, claim, check))


def test_conjecture_result():
    res = search_conjecture(CONJECTURES["s-gf-attained-at-end"], examples=5, seed=0)
    text = repr(res)
    assert text.startswith("ConjectureResult(name='s-gf-attained-at-end', outcome='refuted'")
    assert f"counterexample_text={res.counterexample['description']!r}" in text
    assert len(text) < 300


def test_predictions_of_a_long_instance():
    x = [F(1 + i % 7, 1 + i % 5) for i in range(100)]
    p = predict_one_sample(x, 1, F(1, 100))
    text = repr(p)
    assert len(text) < 800 and "\n" not in text
    assert "thresholds=Thresholds(eta_min_norm_unstable=1/14, eta_no_stable_interpolator=5/2)" \
        in text  # 1/(2 y x_max) with x_max = 7, 1/(2 y x_min) with x_min = 1/5
