"""Learning-rate sweeps: batched rows against single runs and closed forms, eta_c, storage.

Expected values come from independent routes: the single-run engine
(:func:`numerics.gd.gradient_descent`), the closed forms of R1/R6/R8 evaluated here or by the
theory layer (sympy, exact), and a second run of the sweep.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy as sp

import theory as T
from numerics.errors import DomainError
from numerics.gd import gradient_descent
from numerics.problem import Problem
from numerics.sweep import PLATEAU_TOL, eta_grid, sweep

X, Y, ALPHA = [1, Fraction(1, 2)], 1, Fraction(1, 100)
CENTROID = [Fraction(1, 2), Fraction(1)]


@pytest.fixture(scope="module")
def default_problem():
    return Problem(X, Y, ALPHA, beta_star=CENTROID)


@pytest.fixture(scope="module")
def small_sweep(default_problem):
    etas = [Fraction(2, 5), Fraction(11, 20), Fraction(3, 5), Fraction(13, 20), Fraction(4, 5),
            Fraction(19, 20), Fraction(51, 50)]
    return sweep(default_problem, etas, 20000, confirm="none", refine=False)


def test_rows_equal_single_gd_runs(default_problem, small_sweep):
    """Every batched float64 row is what one gradient_descent run at that eta gives."""
    for e in small_sweep.etas:
        row = small_sweep.grid[e]
        single = gradient_descent(default_problem, e, 20000, record_sharpness=False)
        assert row["status"] == single.status, e
        if single.status == "diverged":
            assert row["diverged_at"] == single.diverged_at
            continue
        if single.status != "converged":
            continue  # a chaotic state: only the status is comparable
        for a, b in zip(row["beta"], single.beta, strict=False):
            assert math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-12), e
        assert math.isclose(row["S"], float(single.S), rel_tol=1e-9)
        assert math.isclose(row["l1_norm"], float(single.l1_norm), rel_tol=1e-9)
        assert math.isclose(row["param_norm_sq"], float(single.param_norm_sq), rel_tol=1e-9)
        assert math.isclose(row["risk"], float(single.risk), rel_tol=1e-8, abs_tol=1e-12)


def test_statuses_of_the_specification_table(small_sweep):
    """Converged up to 0.8, not converged at 0.95, diverged above 1 (shared specification)."""
    status = {float(e): small_sweep.grid[e]["status"] for e in small_sweep.etas}
    assert [status[v] for v in (0.4, 0.55, 0.6, 0.65, 0.8)] == ["converged"] * 5
    assert status[0.95] == "not_converged"
    assert status[1.02] == "diverged"


@pytest.mark.parametrize("eta, S, l1, risk", [
    ("0.40", 3.981, 1.009, 1.204), ("0.55", 3.614, 1.193, 0.471), ("0.60", 3.293, 1.353, 0.108),
    ("0.65", 3.023, 1.488, 0.0007), ("0.80", 2.430, 1.785, 0.406)])
def test_specification_table(small_sweep, eta, S, l1, risk):
    """The shared specification's float64 table, to its printed digits."""
    row = small_sweep.grid[Fraction(eta)]
    assert round(row["S"], 3) == pytest.approx(S, abs=1e-3)
    assert round(row["l1_norm"], 3) == pytest.approx(l1, abs=1e-3)
    assert row["risk"] == pytest.approx(risk, rel=0.05)


def test_recorded_quantities_match_closed_forms(small_sweep):
    """S = 4 sum x_i^2 beta_i (R1), risk, expected risk (uniform prior) and distance to beta_GF."""
    gf = T.gradient_flow_limit(X, Y, ALPHA)
    beta_gf = [float(sp.N(b, 30)) for b in gf.beta]
    # uniform prior on the segment from (1, 0) to (0, 2): beta* = (1 - t, 2t), t ~ U(0, 1):
    # mean (1/2, 1), total variance 1/12 + 4/12
    trace_cov = 5 / 12
    for e in small_sweep.etas:
        row = small_sweep.grid[e]
        if row["status"] != "converged":
            continue
        b1, b2 = row["beta"]
        assert row["S"] == pytest.approx(4 * (b1 + b2 / 4), rel=1e-12)
        assert row["risk"] == pytest.approx((b1 - 0.5) ** 2 + (b2 - 1) ** 2, abs=1e-14)
        assert row["expected_risk"] == pytest.approx(row["risk"] + trace_cov, rel=1e-12)
        assert row["distance_gf"] == pytest.approx(
            math.hypot(b1 - beta_gf[0], b2 - beta_gf[1]), rel=1e-9)


def test_points_report_only_what_is_audited(small_sweep):
    """With no confirmation there is no evidence for digits: values are withheld."""
    for pt, e in zip(small_sweep.points, small_sweep.etas, strict=False):
        assert pt["audited"] is False and pt["digits"] == "unaudited"
        assert pt["two_over_eta"] == float(2 / e)
        if pt["status"] != "converged":
            assert pt["beta"] is None and pt["S"] is None


def test_observed_eta_c_within_one_percent_of_predicted(default_problem):
    """The transition, refined and confirmed at two precisions, sits within 1% of 2/s_GF."""
    res = sweep(default_problem, eta_grid("0.45", "0.6", 7), 30000, confirm="auto", jobs=2)
    predicted = float(sp.N(T.gradient_flow_limit(X, Y, ALPHA).eta_c, 30))
    assert res.eta_c_predicted == pytest.approx(predicted, rel=1e-15)
    observed = res.eta_c_observed
    assert observed is not None
    assert abs(observed / predicted - 1) <= 0.01
    lo, hi = res.eta_c["bracket"]
    assert lo < hi == res.eta_c["observed"]
    assert float(hi - lo) < 1e-3
    assert res.eta_c["confirmed"] is True
    # the bracket's lower end stays on the plateau, the upper end has left it
    s_lo = res.refine.get(lo, res.grid.get(lo))["S"]
    assert s_lo >= res.eta_c["S_ref"] * (1 - float(PLATEAU_TOL))
    # the confirmed points carry agreed digits; the others follow the unaudited rule
    audited = [pt for pt in res.points if pt["audited"]]
    assert audited and all(isinstance(pt["digits"], dict) for pt in audited)
    for pt in res.points:
        if not pt["audited"] and pt["status"] == "converged" and pt["S"] is not None:
            digits = pt["unaudited_digits"]["S"]
            assert digits in range(1, 5)
            assert pt["S"] == float(f"{pt['S']:.{digits}g}")


def test_confirmed_points_agree_with_theory_at_zero_loss(default_problem):
    """At a confirmed interpolator the full Hessian's S is R1's closed form (E1 / R1)."""
    res = sweep(default_problem, [Fraction(3, 5), Fraction(13, 20)], 20000,
                confirm="all", refine=False)
    for e in res.etas:
        pt = res.points[res.etas.index(e)]
        assert pt["audited"] and pt["status"] == "converged"
        assert pt["digits"]["beta"] >= 8
        check = pt["hessian_check"]
        assert check["formula_minus_full"] <= check["bound"] + 1e-27
        assert check["other_eigenvalues_max"] <= check["bound"] + 1e-27
        b1, b2 = pt["beta"]
        assert pt["S"] == pytest.approx(4 * b1 + b2, rel=1e-7)


def test_resume_skips_finished_rows_and_discards_a_torn_line(default_problem, tmp_path):
    etas = eta_grid("0.5", "0.7", 5)
    first = sweep(default_problem, etas, 5000, out_dir=tmp_path, confirm="none")
    log = tmp_path / "sweep.jsonl"
    lines = log.read_bytes().splitlines()
    with open(log, "ab") as fh:  # a write interrupted mid-line
        fh.write(b'{"kind":"grid","eta":"1/2","status":"conv')
    again = sweep(default_problem, etas, 5000, out_dir=tmp_path, confirm="none")
    data = log.read_bytes()
    assert data.endswith(b"\n") and data.splitlines() == lines
    assert again.points == first.points
    keys = [(json.loads(r)["kind"], json.loads(r)["eta"]) for r in data.splitlines()]
    assert len(keys) == len(set(keys))
    assert (tmp_path / "sweep.csv").read_text().count("\n") == len(etas) + 1


def test_different_arguments_in_the_same_directory_are_refused(default_problem, tmp_path):
    sweep(default_problem, [Fraction(1, 2)], 1000, out_dir=tmp_path, confirm="none",
          refine=False)
    with pytest.raises(DomainError, match="steps"):
        sweep(default_problem, [Fraction(1, 2)], 2000, out_dir=tmp_path, confirm="none",
              refine=False)


@pytest.mark.parametrize("call, match", [
    (lambda p: sweep(p, [], 10), "etas"),
    (lambda p: sweep(p, [0, 1], 10), r"etas\[0\]"),
    (lambda p: sweep(p, [1], 0), "steps"),
    (lambda p: sweep(p, [1], 10, jobs=0), "jobs"),
    (lambda p: sweep(p, [1], 10, confirm="some"), "confirm"),
    (lambda p: sweep(p, [1], 10, precision=3), "precision"),
    (lambda p: eta_grid("0.5", "0.4", 3), "eta_max"),
    (lambda p: eta_grid("0", "0.4", 3), "eta_min"),
    (lambda p: eta_grid("0.1", "0.4", 1), "num"),
])
def test_bad_input(default_problem, call, match):
    with pytest.raises(DomainError, match=match):
        call(default_problem)
