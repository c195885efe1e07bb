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
from numerics.audit import CHANCE_DIGITS, audit_quantity
from numerics.errors import DomainError
from numerics.gd import gradient_descent
from numerics.precision import DEFAULT_PAIR
from numerics.problem import Problem
from numerics.sweep import PLATEAU_TOL, RESIDUE_DIGITS, eta_grid
from numerics.sweep import sweep as run_sweep
from proofs_check.predictions import predict


def predictions(problem) -> dict:
    """What theory predicts for ``problem``, as the sweep takes it (built in proofs_check)."""
    return predict(problem).for_sweep()


def sweep(problem, etas, steps, **kwargs):
    """The sweep with theory's predictions for ``problem``, as the CLI runs it."""
    kwargs.setdefault("predictions", predictions(problem))
    return run_sweep(problem, etas, steps, **kwargs)

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


def test_statuses_away_from_the_edge(small_sweep):
    """Converged from 0.4 to 0.8, well below the convergence edge (every one of 384 sampled
    learning rates in [0.8, 0.9) converged at float64 and dd: tests/numerics/test_edge.py); not
    converged above 1/(2 y x_min) = 1, where no interpolator is stable (R5). Between 0.9 and 1
    whether one run converges is chaotic: the edge is measured as fractions per bin there
    (test_edge.py), never asserted at one learning rate."""
    status = {float(e): small_sweep.grid[e]["status"] for e in small_sweep.etas}
    assert [status[v] for v in (0.4, 0.55, 0.6, 0.65, 0.8)] == ["converged"] * 5
    assert status[1.02] != "converged"


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
    assert s_lo >= res.eta_c["S_ref_float64"] * (1 - float(PLATEAU_TOL))
    # S_ref is reported with the digits its confirmation agreed on: a 32-digit run at that eta
    # rounds to it; the threshold carries the same digits; no raw float64 value is printed
    js = res.to_json()["eta_c"]
    e_ref, digits = res.eta_c["S_ref_eta"], js["S_ref_digits"]
    assert js["S_ref_audited"] is True and 25 <= digits <= DEFAULT_PAIR.low.cap
    exact = gradient_descent(default_problem, e_ref, 120000, backend="flint", dps=32,
                             record_sharpness=False)
    assert exact.status == "converged"
    assert js["S_ref"] == float(f"{float(exact.S):.{digits}g}")
    assert js["S_ref"] == float(f"{js['S_ref']:.{digits}g}")
    assert js["threshold"] == float(f"{js['S_ref'] * (1 - float(PLATEAU_TOL)):.{digits}g}")
    assert not [k for k in js if k.endswith("_float64")]
    assert not [k for k in res.to_json()["best"] if k.endswith("_float64")]
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
        # the single 32-digit Hessian carries only the digits the audit agreed on for S: the
        # three sharpness values are R1's closed form of the agreed beta to those digits
        d = pt["digits"]["S"]
        assert check["S_digits"] == d
        for key in ("S_full", "S_gram", "S_formula"):
            assert check[key] == float(f"{check[key]:.{d}g}"), key
            assert check[key] == pytest.approx(4 * b1 + b2, rel=10.0 ** (1 - d))
        for key in ("full_minus_gram", "other_eigenvalues_max", "bound", "formula_minus_full"):
            v = check[key]
            assert 0 < v < 1e-20 and v == float(f"{v:.{RESIDUE_DIGITS}g}"), key


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


def _hand_digits(a: Fraction, b: Fraction) -> int:
    """Leading decimal digits two values share: floor(-log10(|a - b| / max|a|, |b|))."""
    rel = abs(a - b) / max(abs(a), abs(b))
    return 15 if rel == 0 else max(0, math.floor(-math.log10(rel)))


def test_unsettled_confirmations_report_chance_digits_as_chaotic(default_problem):
    """Learning rates just below the stability limit, 20000 steps, every one confirmed at the
    default pair. Where both runs end not converged and without a common period, a quantity
    whose two raw values (the confirmation's log) share fewer than CHANCE_DIGITS leading digits
    (counted here by hand) must say ``chaotic``, GD's quantities and the derived ones alike,
    and no reported digit count lies in 1..CHANCE_DIGITS-1. Whether one run converges there is
    chaotic (about 5% do: test_edge.py), so the statement covers every unsettled one of six
    learning rates (at least three must be); the chance branch itself (one or two shared
    digits) is pinned with exact values in the next test."""
    etas = [Fraction(k, 400) for k in (385, 387, 389, 391, 393, 395)]
    res = sweep(default_problem, etas, 20000, confirm="all", refine=False)
    unsettled = 0
    for e, pt in zip(res.etas, res.points, strict=True):
        row = res.confirm[e]
        if row["statuses"] != ["not_converged", "not_converged"] or \
                row["diagnosis"].get("period") not in (None, "chaotic"):
            continue
        unsettled += 1
        for key in ("risk", "expected_risk", "l1_norm", "S"):
            low, high = (Fraction(v) for v in row["raw"][key])
            n = _hand_digits(low, high)
            if n < CHANCE_DIGITS:
                assert pt[key] == "chaotic" and pt["digits"][key] == 0, (e, key, pt[key])
        for key, d in pt["digits"].items():
            assert d == 0 or d >= CHANCE_DIGITS, (e, key, d)
    assert unsettled >= 3, unsettled


def test_chance_digits_of_unsettled_runs_are_chaotic():
    """The rule the sweep's confirmations apply to every quantity (numerics.audit): 1.004 and
    1.000 share two leading digits (hand count); for runs that neither converged nor settled
    that is chance (< CHANCE_DIGITS), so nothing is reported; settled runs keep the digits."""
    a, b = Fraction(1004, 1000), Fraction(1)
    assert _hand_digits(a, b) == 2 < CHANCE_DIGITS
    assert audit_quantity("risk", a, b, 31, settled=False).chaotic
    settled = audit_quantity("risk", a, b, 31, settled=True)
    assert not settled.chaotic and settled.digits == 2


def test_precisions_name_the_confirmation_backend(default_problem):
    res = sweep(default_problem, [Fraction(2, 5)], 3000, confirm="all", refine=False,
                backend="mpmath")  # the default pair is compiled: the backend is unused
    assert res.points[0]["precisions"] == DEFAULT_PAIR.labels
    assert res.to_json()["precisions"] == DEFAULT_PAIR.labels
    res = sweep(default_problem, [Fraction(2, 5)], 3000, confirm="none", refine=False,
                backend="mpmath", precision=10)
    assert res.to_json()["precisions"] == ["mpmath:10", "mpmath:20"]


def _left(run, S_ref: float) -> bool:
    """Whether a single float64 run has left the plateau (the sweep's definition)."""
    return run.status != "converged" or float(run.S) < S_ref * (1 - float(PLATEAU_TOL))


def test_a_fine_grid_brackets_the_first_eta_that_left_the_plateau(default_problem):
    """Spacing 1e-4 near eta_c (50000 steps): the first pair with elasticity > 1/2 is
    (0.5026, 0.5027), but 0.5027 is only 1.3e-4 below the plateau (< PLATEAU_TOL). The grid
    bracket must be (0.5030, 0.5031), around the first grid point 0.1% below 0.5026's S, and the
    refined eta_c a learning rate that has left the plateau, with a lower end that has not,
    checked on single gradient_descent runs."""
    res = sweep(default_problem, eta_grid("0.5024", "0.5032", 9), 50000, confirm="none")
    S_ref = float(gradient_descent(default_problem, Fraction(5026, 10000), 50000,
                                   record_sharpness=False).S)
    lo, hi = res.eta_c["bracket"]
    assert hi == res.eta_c["observed"]
    assert _left(gradient_descent(default_problem, hi, 50000, record_sharpness=False), S_ref)
    assert not _left(gradient_descent(default_problem, lo, 50000, record_sharpness=False),
                     S_ref)
    assert res.eta_c["grid_bracket"] == (Fraction(5030, 10000), Fraction(5031, 10000))
    assert Fraction(5030, 10000) <= lo < hi <= Fraction(5031, 10000)
    assert res.eta_c["S_ref_eta"] == Fraction(5026, 10000)


def test_no_observed_eta_c_when_no_grid_point_leaves_the_plateau(default_problem):
    """The elasticity pair (0.5026, 0.5027) exists, but no point drops 0.1% below 0.5026's S
    (S decreases with eta here: the premise is checked at both ends of the pair's range)."""
    res = sweep(default_problem, eta_grid("0.5024", "0.5028", 5), 50000, confirm="none")
    ref, last = (gradient_descent(default_problem, Fraction(e, 10000), 50000,
                                  record_sharpness=False) for e in (5026, 5028))
    assert not _left(last, float(ref.S))
    assert res.eta_c["observed"] is None and res.eta_c_observed is None
    assert "leaves the plateau" in res.eta_c["note"]


def test_an_unconfirmed_least_risk_prints_only_digits_a_32_digit_run_shares(default_problem):
    """confirm none plus two confirmed neighbours: the least risk is float64-only, rounded by
    the unaudited rule; its digits are those of the 32-digit run at that eta."""
    grid = eta_grid("0.6", "0.7", 5)
    res = sweep(default_problem, grid, 20000, confirm="none", refine=False,
                confirm_etas=[Fraction(3, 5), Fraction(7, 10)])
    best = res.best
    assert best["eta"] == Fraction(13, 20) and best["confirmed"] is False
    value, digits = best["risk_unaudited"], best["risk_unaudited_digits"]
    assert isinstance(value, float) and 1 <= digits <= 4
    exact = gradient_descent(default_problem, best["eta"], 80000, backend="flint", dps=32,
                             record_sharpness=False)
    assert value == float(f"{float(exact.risk):.{digits}g}")
    assert "risk_float64" not in res.to_json()["best"]


def test_given_predictions_are_used_as_given(default_problem):
    """The ``predictions=`` seam: numerics predicts nothing itself (without a mapping no eta_c
    is predicted and no distance to the flow's limit is computed); a caller's mapping is used
    as given: a changed ``beta_gf`` moves every row's distance to it (checked against
    ``||beta - beta_gf||`` computed here), a changed ``eta_c`` the reported prediction."""
    grid = eta_grid("0.4", "0.6", 3)
    bare = run_sweep(default_problem, grid, 5000, confirm="none", refine=False)
    assert bare.eta_c_predicted is None
    assert all(bare.grid[e]["distance_gf"] is None for e in grid)
    assert any("no predictions given" in n for n in bare.to_json()["notes"] +
               bare.predicted["notes"])
    pred = predictions(default_problem)
    moved = dict(pred, beta_gf=(Fraction(0), Fraction(1)), eta_c=Fraction(1, 2))
    res = sweep(default_problem, grid, 5000, confirm="none", refine=False, predictions=moved)
    assert res.eta_c_predicted == 0.5 and res.to_json()["predictions"]["eta_c"] == 0.5
    for e in grid:
        b1, b2 = res.grid[e]["beta"]
        assert res.grid[e]["distance_gf"] == pytest.approx(math.hypot(b1, b2 - 1), rel=1e-14)
    with pytest.raises(DomainError, match="predictions"):
        sweep(default_problem, grid, 10, predictions={"eta_c": None})
    with pytest.raises(DomainError, match="predictions"):
        sweep(default_problem, grid, 10, predictions=[("eta_c", None)])
