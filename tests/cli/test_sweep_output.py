"""What a sweep prints: summary lines that say exactly what the numbers show, long tables
summarised (``--full`` for all), a one-line ``repr``.

The results are constructed here, status by status, so every expected sentence is written
out by hand from the constructed statuses, not taken from a run.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from normsharp.report import TABLE_ROWS, sweep_summary_lines, sweep_table
from numerics.problem import Problem
from numerics.sweep import NO_PREDICTIONS, SweepResult
from numerics.sweep.observe import observe_stability, point

from .conftest import run_cli
from .jobs import DATA

C, N, D = "converged", "not_converged", "diverged"


def _row(status: str, S: float = 3.0) -> dict:
    ok = status == C
    return {"status": status, "steps": 100, "diverged_at": 5 if status == D else None,
            "sharpness_form": "gram" if ok else None, "beta": [0.5, 1.0] if ok else None,
            "S": S if ok else None, "l1_norm": 1.5 if ok else None,
            "param_norm_sq": 3.0 if ok else None, "risk": 0.1 if ok else None,
            "expected_risk": None, "distance_gf": None}


def _result(statuses: list[str], best: F | None = None, interior: bool = False,
            etas: list[F] | None = None) -> SweepResult:
    """A finished sweep over ``etas`` (default 0.1, 0.2, ...) whose float64 grid runs ended
    with ``statuses``; the least risk at grid point ``best``."""
    etas = tuple(etas or [F(i + 1, 10) for i in range(len(statuses))])
    rows = {e: _row(s) for e, s in zip(etas, statuses, strict=True)}
    best_block = {"risk_name": "risk", "eta": best, "grid_eta": best, "interior": interior,
                  "risk_text": "0.1", "resolution": None, "confirmed": True}
    eta_c = {"bracket": None, "grid_bracket": None, "note": "no transition", "tol": F(1, 1000),
             "confirmed": None, "S_ref_eta": None}
    return SweepResult(
        problem=Problem([1, F(1, 2)], 1, F(1, 100), beta_star=[F(1, 2), 1]), etas=etas,
        steps=100, precision=None, points=[point(e, rows[e], None, {}) for e in etas],
        grid=rows, refine={}, confirm={}, predicted=dict(NO_PREDICTIONS), eta_c=eta_c,
        best=best_block, stability=observe_stability(etas, rows, NO_PREDICTIONS),
        unaudited_digits={})


def _line(result, start: str) -> str:
    return next(ln for ln in sweep_summary_lines(result) if ln.startswith(start))


def test_a_divergence_below_the_last_converged_eta_is_reported():
    r = _result([C, C, C, D, C, C, N, C, N, D])
    line = _line(r, "stability:")
    assert line == ("stability: last converged eta = 0.8; below it, 2 did not converge: "
                    "0.4 (diverged), 0.7 (not_converged); from 0.9 on: 1 not_converged, "
                    "1 diverged")


def test_neighbouring_failures_are_named_as_one_run():
    r = _result([C, N, N, C, D, N, C, C, D, D])
    assert _line(r, "stability:") == (
        "stability: last converged eta = 0.8; below it, 4 did not converge: "
        "0.2 to 0.3 (2 not_converged), 0.5 (diverged), 0.6 (not_converged); from 0.9 on: "
        "2 diverged")


def test_nothing_below_the_last_converged_eta_means_no_such_clause():
    line = _line(_result([C, C, C, N, D]), "stability:")
    assert line == "stability: last converged eta = 0.3; from 0.4 on: 1 not_converged, 1 diverged"


def test_every_point_converged_and_none_converged():
    assert _line(_result([C, C, C]), "stability:") == (
        "stability: last converged eta = 0.3 (the last grid point)")
    assert _line(_result([N, D, N]), "stability:") == (
        "stability: no grid point converged (2 not_converged, 1 diverged)")


@pytest.mark.parametrize("statuses, best, where", [
    # the least risk at the last converged point, grid points above it failed
    ([C, C, C, N, D], F(3, 10),
     " (at the last converged learning rate: the 2 grid points above it did not converge)"),
    # the least risk at the end of the grid: the minimum may lie beyond the sweep
    ([C, C, C, C], F(4, 10), " (at the last grid point: the least risk may lie above the sweep)"),
    ([C, C, C, C], F(1, 10), " (at the first grid point: the least risk may lie below the "
                              "sweep)"),
    ([N, C, C, C], F(2, 10), " (at the first converged learning rate: the 1 grid points below "
                              "it did not converge)"),
])
def test_the_least_risk_says_where_it_lies(statuses, best, where):
    line = _line(_result(statuses, best), "least risk:")
    assert line == f"least risk: eta = {float(best):g}, risk = 0.1{where}"
    assert "edge of the sweep" not in line


def test_an_interior_least_risk_carries_no_caveat():
    assert _line(_result([C, C, C, N], F(2, 10), interior=True), "least risk:") == (
        "least risk: eta = 0.2, risk = 0.1")


def test_close_grid_points_are_printed_apart():
    """1000 points in [1, 1.000999]: neighbours differ in the 7th digit, so 7 are printed."""
    etas = [1 + F(i, 1_000_000) for i in range(1000)]
    statuses = [C] * 1000
    statuses[500] = D
    statuses[998:] = [N, N]
    line = _line(_result(statuses, etas=etas), "stability:")
    assert line == ("stability: last converged eta = 1.000997; below it, 1 did not converge: "
                    "1.0005 (diverged); from 1.000998 on: 2 not_converged")


def test_a_long_table_is_summarised_and_says_where_every_row_is():
    statuses = [C] * 700 + [D] + [C] * 99 + [N] * 200
    etas = [F(i + 1, 1000) for i in range(1000)]
    r = _result(statuses, best=F(300, 1000), interior=True, etas=etas)
    r.files = {"csv": "/some/dir/sweep.csv"}
    lines = sweep_table(r).splitlines()
    etas_shown = [ln.split()[0] for ln in lines[2:-1] if not ln.startswith("...")]
    # the ends, and two rows either side of the least risk, the last converged point (0.8),
    # the first failed one (0.801) and the first point that did not converge (0.701)
    assert etas_shown == (["0.001", "0.002", "0.003", "0.004", "0.005"]
                          + ["0.298", "0.299", "0.3", "0.301", "0.302"]
                          + ["0.699", "0.7", "0.701", "0.702", "0.703"]
                          + ["0.798", "0.799", "0.8", "0.801", "0.802", "0.803"]
                          + ["0.996", "0.997", "0.998", "0.999", "1"])
    gaps = [int(ln.split()[1]) for ln in lines if ln.startswith("...")]
    assert sum(gaps) + len(etas_shown) == 1000
    assert lines[-1] == (f"1000 rows, {len(etas_shown)} shown; --full for all; all rows are in "
                         f"/some/dir/sweep.csv")
    full = sweep_table(r, full=True).splitlines()
    assert len(full) == 2 + 1000 and not any(ln.startswith("...") for ln in full)
    # a short table and the Markdown of a file are complete
    assert len(sweep_table(_result([C] * TABLE_ROWS)).splitlines()) == 2 + TABLE_ROWS
    assert len(sweep_table(r, markdown=True).splitlines()) == 2 + 1000


def test_the_repr_is_one_short_line():
    r = _result([C] * 999 + [N], etas=[F(i + 1, 1000) for i in range(1000)])
    text = repr(r)
    assert "\n" not in text and len(text) < 300
    assert text.startswith("SweepResult(X=[1,1/2] y=[1] alpha=1/100 param=shared: 1000 "
                           "learning rates in [0.001, 1], steps=100, 0 confirmed;")


def test_the_command_summarises_unless_full():
    args = ["sweep", *DATA, "--eta-min", "0.3", "--eta-max", "1.05", "--num", "60", "--steps",
            "300", "--confirm", "none", "--no-refine", "--jobs", "1"]
    r = run_cli(args)
    assert r.code == 0, r.err
    out = r.out
    last = [ln for ln in out.splitlines() if ln.startswith("60 rows, ")]
    assert last and last[0].endswith("shown; --full for all; --out DIR keeps them all in "
                                     "DIR/sweep.csv")
    r = run_cli([*args, "--full"])
    assert r.code == 0, r.err
    out = r.out
    table = out.split("\n\n", 1)[1].splitlines()
    rows = [ln for ln in table if ln[:1].isdigit() and "  " in ln]
    assert len(rows) == 60 and not any(ln.startswith("...") for ln in table)
