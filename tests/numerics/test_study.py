"""The study (numerics.study): reproducible tasks, the resumable store, classes and intervals.

Independent routes: Wilson's interval as the roots of its defining quadratic
``(k/N - p)^2 = z^2 p (1 - p) / N`` (numpy.roots); classes of hand-built risk curves; a study
interrupted after some tasks and resumed against the same study run uninterrupted (the rows,
line by line); the grid's learning rates against their definition (scale * ratio, ratios
geometric within rounding).
"""

from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest

from numerics.errors import DomainError
from numerics.study import classify, ratios, specs, study, wilson
from numerics.study.classify import Z95
from numerics.study.plan import instance_seed, plan_task

SMALL = dict(ns=[3], ds=[6], sparsities=[1, 2], instances=2)


def _run(out, **kw):
    args = {**SMALL, **kw}
    return study(args.pop("ns"), args.pop("ds"), args.pop("sparsities"),
                 args.pop("instances"), out_dir=out, etas=4, steps=3000, workers=0, **args)


def _rows(out) -> dict:
    rows = {}
    for line in (out / "runs" / "sweep.jsonl").read_text().splitlines():
        row = json.loads(line)
        key = (row["kind"], row["eta"])
        assert key not in rows, f"duplicated {key}"
        rows[key] = row
    return rows


@pytest.mark.parametrize("k, total", [(0, 5), (1, 5), (3, 7), (7, 7), (12, 50)])
def test_wilson_is_the_root_pair_of_its_quadratic(k, total):
    p, z2 = k / total, Z95 ** 2
    # (p - q)^2 - z2 q (1 - q) / N = 0  <=>  (1 + z2/N) q^2 - (2p + z2/N) q + p^2 = 0
    roots = sorted(np.roots([1 + z2 / total, -(2 * p + z2 / total), p * p]).real)
    lo, hi = wilson(k, total)
    assert (lo, hi) == pytest.approx(tuple(roots), abs=1e-12)
    assert lo <= p <= hi


def _curve(risks, statuses=None):
    etas = [F(j + 1, 10) for j in range(len(risks))]
    statuses = statuses or ["converged"] * len(risks)
    rows = {e: {"status": s, "risk": r, "loss": 0.0}
            for e, r, s in zip(etas, risks, statuses)}
    return {"etas": [str(e) for e in etas]}, rows


@pytest.mark.parametrize("risks, statuses, expected", [
    ([1, 2, 3, 4], None, "norm"),
    ([4, 3, 2, 1], None, "sharpness"),
    ([3, 1, 2, 4], None, "interior"),
    ([2, 2, 2, 2], None, "flat"),
    ([4, 3, 2, 1], ["converged", "converged", "converged", "diverged"], "sharpness"),
    ([4, 1, 2, 9], ["converged", "converged", "converged", "diverged"], "interior"),
    ([1, 2, 3, 4], ["converged", "diverged", "diverged", "diverged"], "undetermined"),
])
def test_classes_of_hand_built_curves(risks, statuses, expected):
    plan, rows = _curve([float(r) for r in risks], statuses)
    for e, s in zip(rows, statuses or []):
        if s == "diverged":
            rows[e]["risk"] = None
    found = classify(plan, rows)
    assert found["class"] == expected
    if expected == "interior":  # the best improves on the better end by this much
        ends = min(r for r in (risks[0], risks[-1] if statuses is None else 2))
        assert found["gain_over_ends"] == pytest.approx((ends - 1) / ends)


def test_a_small_loss_counts_as_interpolated_and_a_large_one_not():
    plan, rows = _curve([1.0, 2.0, 3.0], ["not_converged", "converged", "converged"])
    first = F(plan["etas"][0])
    rows[first]["loss"] = 1e-14
    assert classify(plan, rows)["class"] == "norm"
    rows[first]["loss"] = 1e-6
    assert classify(plan, rows)["class"] == "undetermined"  # two interpolating runs only


def test_instances_and_grids_are_functions_of_the_arguments():
    a = specs([3, 4], [6], [1, 2], 3, seed=7, alpha="1/100")
    b = specs([4], [6], [2], 3, seed=7, alpha="1/100")
    assert [s for s in a if s["n"] == 4 and s["sparsity"] == 2] == b  # other cells: no effect
    assert len({s["seed"] for s in a}) == len(a)
    assert instance_seed(7, 4, 6, 2, 1) != instance_seed(8, 4, 6, 2, 1)
    rs = ratios(5)
    assert rs[0] == F(1, 4) and rs[-1] == 3
    steps = [float(rs[j + 1] / rs[j]) for j in range(4)]
    assert max(steps) / min(steps) < 1.01  # geometric, to the rounding of 3 digits
    plan = plan_task(a[0], 5, 1000)
    assert plan == plan_task(dict(a[0]), 5, 1000)
    scale = F(plan["scale"])
    assert [F(e) for e in plan["etas"]] == [scale * r for r in rs]
    assert abs(2 / plan["S_min_norm"] / float(scale) - 1) < 1e-3  # 4 digits of 2/S(beta_N)
    assert plan["steps"] == [-(-1000 // r) for r in rs]


def test_interrupted_study_resumes_without_recomputing(tmp_path):
    whole = _run(tmp_path / "whole")
    total = whole.computed
    assert total == 4 * (1 + 4) and whole.reused == 0 and not whole.failed

    class Stop(Exception):
        pass

    def stop_after(stage, done, total_):
        if done >= 7:
            raise Stop

    with pytest.raises(Stop):
        study(**{"ns": [3], "ds": [6], "sparsities": [1, 2], "instances": 2},
              out_dir=tmp_path / "cut", etas=4, steps=3000, workers=0, progress=stop_after)
    kept = _rows(tmp_path / "cut")
    assert len(kept) == 7
    again = _run(tmp_path / "cut")
    assert again.reused == 7 and again.computed == total - 7
    assert _rows(tmp_path / "cut") == _rows(tmp_path / "whole")
    assert again.cells == whole.cells
    third = _run(tmp_path / "cut")
    assert third.computed == 0 and third.reused == total


def test_other_arguments_in_the_same_directory_are_refused(tmp_path):
    _run(tmp_path)
    with pytest.raises(DomainError) as err:
        _run(tmp_path, seed=1)
    assert err.value.argument == "out_dir" and "arguments" in str(err.value)


@pytest.mark.parametrize("kw, argument", [
    (dict(instances=0), "instances"), (dict(ns=[0]), "ns"), (dict(ds=[1]), "ds"),
    (dict(param="tanh"), "param"), (dict(seed=-1), "seed"),
])
def test_bad_arguments_are_named(tmp_path, kw, argument):
    with pytest.raises(DomainError) as err:
        _run(tmp_path, **kw)
    assert err.value.argument == argument


def test_a_failing_task_is_reported_not_stored_and_retried(tmp_path, monkeypatch):
    import numerics.study.run as run_module

    real = run_module.eta_task
    calls = []

    def flaky(spec, eta, steps):
        calls.append(eta)
        if len(calls) == 2:
            raise ValueError("planted failure")
        return real(spec, eta, steps)

    monkeypatch.setattr(run_module, "eta_task", flaky)
    first = _run(tmp_path)
    assert len(first.failed) == 1 and "planted failure" in first.failed[0][1]
    assert first.computed == 19 and len(_rows(tmp_path)) == 19
    assert sum(c["classified"] for c in first.cells) == 3  # the instance missing a row waits
    monkeypatch.setattr(run_module, "eta_task", real)
    again = _run(tmp_path)
    assert again.computed == 1 and again.reused == 19 and not again.failed
