"""The sweep's edge mode (numerics.sweep.edge): sampling, bin counting, the store, one real edge.

Expected values come from the definitions (exact Fractions, hand-built statuses) or, for the
real edge, from statements about fractions over many samples that a single chaotic run cannot
flip: every one of 384 sampled runs in [0.8, 0.9) converged at float64 and dd (3 seeds, 200000
steps), and in [0.9125, 0.925) about 40% do.
"""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

import numerics.sweep.driver as driver_module
from numerics.errors import DomainError
from numerics.problem import Problem
from numerics.sweep import sweep
from numerics.sweep.edge import (
    DYADIC_BITS,
    STATUSES,
    EdgeSpec,
    count_bins,
    default_interval,
    edge_samples,
    wilson,
)

DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100), beta_star=[F(1, 2), 1])
PRED = {"beta_gf": None, "mu": None, "cov_term": None, "eta_c": None,
        "eta_no_stable_interpolator": F(1)}


def test_samples_are_stratified_dyadic_and_seeded():
    edges, etas = edge_samples(F(9, 10), F(1), 4, 5, seed=7)
    assert edges == (F(9, 10), F(37, 40), F(19, 20), F(39, 40), F(1))
    for i, sample in enumerate(etas):
        assert len(sample) == 5
        width = (edges[i + 1] - edges[i]) / 5
        for j, e in enumerate(sample):  # one per cell, in order
            assert edges[i] + j * width <= e < edges[i] + (j + 1) * width
            assert (e * 2 ** DYADIC_BITS).denominator == 1
            assert F(float(e)) == e  # exact in float64, hence in dd and qd
    assert edge_samples(F(9, 10), F(1), 4, 5, seed=7) == (edges, etas)
    assert edge_samples(F(9, 10), F(1), 4, 5, seed=8)[1] != etas


def test_count_bins_with_stubbed_statuses():
    edges = (F(0), F(1), F(2))
    etas = ((F(1, 4), F(1, 2), F(3, 4)), (F(5, 4), F(3, 2), F(7, 4), F(15, 8)))
    statuses = {F(1, 4): ("converged", "converged"), F(1, 2): ("converged", "not_converged"),
                F(3, 4): ("not_converged", "not_converged"),
                F(5, 4): ("diverged", "diverged"), F(3, 2): ("not_converged", "converged"),
                F(7, 4): ("diverged", "not_converged"), F(15, 8): ("converged", "converged")}
    first, second = count_bins(edges, etas, statuses)
    assert (first["eta_lo"], first["eta_hi"], second["eta_hi"]) == ("0", "1", "2")
    assert [first[k] for k in (*STATUSES, "precision_dependent")] == [1, 0, 1, 1]
    assert [second[k] for k in (*STATUSES, "precision_dependent")] == [1, 1, 0, 2]
    for b, n in ((first, 3), (second, 4)):
        assert b["samples"] == n == sum(b[k] for k in (*STATUSES, "precision_dependent"))
        assert b["fractions"] == {k: round(b[k] / n, 4)
                                  for k in (*STATUSES, "precision_dependent")}
    # the interval runs from the converged count's lower bound to (converged + dependent)'s
    # upper bound, rounded outwards; Wilson's interval for 1/3 is (0.0615, 0.7923), for 2/4
    # (0.1500, 0.8500), for 2/3 (0.2077, 0.9385)
    assert first["converged_ci95"] == [0.061, 0.939]
    assert wilson(1, 3) == pytest.approx((0.0615, 0.7923), abs=1e-4)
    assert wilson(2, 4) == pytest.approx((0.1500, 0.8500), abs=1e-4)
    assert wilson(2, 3) == pytest.approx((0.2077, 0.9385), abs=1e-4)


def test_default_interval_from_the_grid():
    grid = tuple(F(k, 10) for k in range(5, 12))  # 0.5 .. 1.1
    st = ["converged"] * 4 + ["not_converged", "not_converged", "diverged"]
    rows = {e: {"status": s} for e, s in zip(grid, st, strict=True)}
    lo, hi, rule = default_interval(grid, rows, PRED, 5)
    # first failure 0.9, limit 1: bins of (1 - 0.9)/4 from one below 0.9
    assert (lo, hi) == (F(9, 10) - F(1, 40), F(1)) and "9/10" in rule
    lo, hi, rule = default_interval(grid, rows, {**PRED, "eta_no_stable_interpolator": None}, 3)
    assert (lo, hi) == (F(9, 10) - F(1, 10), F(11, 10)) and "diverged" in rule


@pytest.mark.parametrize("kwargs, name", [({"bins": 0}, "edge_bins"),
                                          ({"samples": -1}, "edge_samples"),
                                          ({"pair": ("qd", "dd")}, "edge_pair"),
                                          ({"pair": "float64,flint"}, "edge_pair"),
                                          ({"eta_lo": 1, "eta_hi": "1/2"}, "edge_eta_hi"),
                                          ({"eta_lo": 0}, "edge_eta_lo")])
def test_bad_specs_name_their_argument(kwargs, name):
    with pytest.raises(DomainError) as err:
        EdgeSpec(**kwargs)
    assert err.value.argument == name


def _edge_sweep(out_dir=None, **spec):
    spec = {"bins": 3, "samples": 4, "pair": ("float64", "dd"), "eta_lo": F(9, 10),
            "eta_hi": F(1), **spec}
    return sweep(DEFAULT, [F(1, 2)], 3000, confirm="none", refine=False, out_dir=out_dir,
                 edge=EdgeSpec(**spec))


def test_json_shape_and_csv(tmp_path):
    res = _edge_sweep(tmp_path)
    obj = json.loads(json.dumps(res.to_json()))
    bins = obj["convergence_edge"]
    assert len(bins) == 3
    for b in bins:
        for key in ("eta_lo", "eta_hi", "converged", "diverged", "not_converged",
                    "precision_dependent", "samples", "fractions", "converged_ci95"):
            assert key in b
        assert b["samples"] == 4
    assert [F(b["eta_lo"]) for b in bins] == [F(9, 10), F(28, 30), F(29, 30)]
    assert all(a["eta_hi"] == b["eta_lo"] for a, b in zip(bins, bins[1:], strict=False))
    info = obj["convergence_edge_info"]
    assert info["precisions"] == ["float64", "dd"] and info["interval"] == "given"
    lines = (tmp_path / "edge.csv").read_text().splitlines()
    assert len(lines) == 1 + 12 and lines[0].startswith("eta,eta_exact,bin_lo")
    assert json.loads((tmp_path / "sweep.meta.json").read_text())["edge"]["samples"] == 4
    # a sweep without an edge has no such key (old directories resume unchanged)
    plain = sweep(DEFAULT, [F(1, 2)], 3000, confirm="none", refine=False)
    assert "convergence_edge" not in plain.to_json() and plain.edge is None


def test_resume_after_a_kill_reruns_only_the_lost_chunks(tmp_path, monkeypatch):
    """Drop the edge rows of the last chunks from the log and tear its last line, as a kill
    during a write leaves it: the rerun runs only those chunks and ends with the same log and
    bins as an uninterrupted run."""
    spec = {"bins": 4, "samples": 10}  # 40 learning rates: 3 chunks per format
    ref = _edge_sweep(tmp_path / "ref", **spec)
    first = _edge_sweep(tmp_path / "run", **spec)
    log = tmp_path / "run" / "sweep.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    edge_lines = [i for i, ln in enumerate(lines) if b'"kind":"edge:' in ln]
    keep = lines[:edge_lines[0] + 16]  # the first edge chunk survives
    log.write_bytes(b"".join(keep) + b'{"kind":"edge:dd","eta":"1/2","sta')
    calls = []
    real = driver_module.edge_task

    def counting(problem, etas, steps, fmt):
        calls.append((fmt, len(etas)))
        return real(problem, etas, steps, fmt)

    monkeypatch.setattr(driver_module, "edge_task", counting)
    resumed = _edge_sweep(tmp_path / "run", **spec)
    assert sum(n for _, n in calls) == 2 * 40 - 16  # only what was lost
    assert resumed.edge.bins == first.edge.bins == ref.edge.bins
    assert resumed.edge.samples == ref.edge.samples

    def rows(path):
        return sorted(path.read_text().splitlines())

    assert rows(log) == rows(tmp_path / "ref" / "sweep.jsonl")


def test_other_edge_arguments_in_the_same_directory_are_refused(tmp_path):
    _edge_sweep(tmp_path, bins=2, samples=2)
    with pytest.raises(DomainError, match="different edge"):
        _edge_sweep(tmp_path, bins=2, samples=3)


def test_the_default_instance_edge_is_intermittent():
    """200000 steps, float64 against dd, 12 learning rates per bin: the two bins below 0.9 (where
    384 of 384 sampled runs converged, 3 seeds) converge throughout; above 0.9125 some bin has
    runs that converged and runs that did not (about 40% converge in [0.9125, 0.925)); no
    sampled run diverges below the stability limit 1."""
    res = sweep(DEFAULT, [F(1, 2)], 200_000, confirm="none", refine=False,
                edge=EdgeSpec(bins=8, samples=12, pair=("float64", "dd"), eta_lo=F(8, 10),
                              eta_hi=F(1)))
    bins = res.edge.bins
    below = [b for b in bins if F(b["eta_hi"]) <= F(9, 10)]
    assert len(below) == 4 and all(b["converged"] == b["samples"] for b in below)
    above = [b for b in bins if F(b["eta_lo"]) >= F(9125, 10000)]
    assert any(0 < b["converged"] < b["samples"] and b["not_converged"] for b in above)
    assert sum(b["converged"] for b in above) < sum(b["samples"] for b in above) / 2
    assert all(b["diverged"] == 0 for b in bins)
