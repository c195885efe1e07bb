"""Runs that share an ``--out``: a second run beside a running one is refused at once, and a
run resumed after ``kill -9`` redoes no confirmation that had finished.

The expectations are counted independently: rows in the log before and after, calls of the
confirmation task, and an uninterrupted reference run in another directory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import numerics.checkpoint
import numerics.sweep.driver as driver

from .conftest import run_cli
from .jobs import DATA, ROOT, kill_group, log_kinds, rows, start, wait_until

ARGS = [*DATA, "--eta-min", "0.3", "--eta-max", "1.05", "--num", "16", "--steps", "10000",
        "--confirm", "converged", "--no-figures", "--json"]


def _run(argv):
    r = run_cli(argv)
    return r.code, r.out, r.err


def _second(argv):
    """A second ``normsharp`` process, run to its end (at most 60 s)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    return subprocess.run([sys.executable, "-m", "normsharp", *map(str, argv)], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The log of an uninterrupted sweep with ``ARGS``."""
    out = tmp_path_factory.mktemp("reference")
    code, _, err = _run(["sweep", *ARGS, "--jobs", "1", "--out", out])
    assert code == 0, err
    return rows(out / "sweep.jsonl")


def test_a_second_sweep_on_a_busy_out_is_refused_and_the_first_finishes(tmp_path, reference):
    out = tmp_path / "shared"
    first = start(["sweep", *ARGS, "--jobs", "2", "--out", out])
    try:
        # the second starts as soon as the first holds the lock (not after its first rows: on
        # a busy machine the rest of the first sweep can be shorter than a process start-up)
        assert wait_until(lambda: (out / "sweep.lock").exists(), 60,
                          first), "the first sweep did not start"
        second = _second(["sweep", *ARGS, "--jobs", "1", "--out", out])
        assert first.poll() is None, "the first sweep ended before the second started"
        assert second.returncode == 2 and second.stdout == ""
        lines = second.stderr.splitlines()
        assert len(lines) == 1
        assert re.match(rf"normsharp: error: --out = '?{re.escape(str(out))}'?: a directory no "
                        rf"other run is writing: process {first.pid} holds its lock", lines[0])
        assert first.wait(timeout=120) == 0
    finally:
        kill_group(first)
    assert rows(out / "sweep.jsonl") == reference  # all rows, once each: nothing done twice
    # once the first has finished, the same command resumes: every row reused
    before = (out / "sweep.jsonl").read_bytes()
    code, _, err = _run(["sweep", *ARGS, "--jobs", "1", "--out", out])
    assert code == 0, err
    assert (out / "sweep.jsonl").read_bytes() == before


def test_a_second_reproduce_on_a_busy_out_is_refused(tmp_path):
    out = tmp_path / "shared"
    first = start(["reproduce", "--quick", "--out", out])
    try:
        assert wait_until(lambda: (out / "reproduce.lock").exists()
                          and (out / "reproduce.lock").read_text().strip().isdigit(), 60, first)
        second = _second(["reproduce", "--quick", "--out", out])
        assert first.poll() is None, "the first run ended before the second started"
        assert second.returncode == 2
        lines = second.stderr.splitlines()
        assert len(lines) == 1
        assert re.fullmatch(
            rf"normsharp: error: --out = '?{re.escape(str(out))}'?: a directory no other run is "
            rf"writing: process {first.pid} holds its lock "
            rf"{re.escape(str(out / 'reproduce.lock'))} \(wait for that run to finish, then run "
            rf"again to reuse its results; or use another directory\)", lines[0])
    finally:
        kill_group(first)


def test_a_resumed_sweep_redoes_no_finished_confirmation(tmp_path, reference, monkeypatch):
    """Kill -9 the sweep once a confirmation is in its log; the rerun computes exactly the
    confirmations that were not, and ends with the reference's rows."""
    out = tmp_path / "killed"
    log = out / "sweep.jsonl"
    proc = start(["sweep", *ARGS, "--jobs", "2", "--out", out])
    try:
        assert wait_until(lambda: log_kinds(log).get("confirm", 0) >= 1, 120, proc)
    finally:
        kill_group(proc)
    journaled = {json.loads(line)["eta"] for line in log.read_bytes().splitlines()
                 if line.endswith(b"}") and json.loads(line)["kind"] == "confirm"}
    total = {eta for kind, eta in reference if kind == "confirm"}
    assert 0 < len(journaled) < len(total), "the kill must land among the confirmations"

    computed = []
    task = driver.confirm_task

    def counted(problem, eta, *args, **kwargs):
        computed.append(str(eta))
        return task(problem, eta, *args, **kwargs)

    monkeypatch.setattr(driver, "confirm_task", counted)
    code, _, err = _run(["sweep", *ARGS, "--jobs", "1", "--out", out])
    assert code == 0, err
    assert sorted(computed) == sorted(total - journaled)
    assert rows(log) == reference


@pytest.mark.slow
def test_a_confirmation_killed_midway_continues_from_its_checkpoint(tmp_path, monkeypatch):
    """One 200 000-step confirmation (eta = 0.99: no sampled rate of the measured convergence edge
    in [0.975, 1) converges, so the run is long at both precisions), killed after its
    first checkpoint: the rerun starts from the saved step, not from 0, and ends with the rows
    of an uninterrupted run; the checkpoint files are gone afterwards."""
    args = [*DATA, "--eta-min", "0.99", "--eta-max", "0.99", "--num", "1", "--steps",
            "200000", "--confirm", "all", "--no-refine", "--no-figures", "--json", "--jobs",
            "1"]
    out = tmp_path / "killed"
    checkpoints = out / "checkpoints"
    proc = start(["sweep", *args, "--out", out])
    try:
        assert wait_until(lambda: checkpoints.is_dir() and any(  # a file renamed into place
            ".tmp" not in p.name for p in checkpoints.iterdir()), 120, proc)
    finally:
        kill_group(proc)
    assert log_kinds(out / "sweep.jsonl").get("confirm", 0) == 0

    resumed_at = []
    load = numerics.checkpoint.load

    def recorded(path, expected):
        saved = load(path, expected)
        resumed_at.append(None if saved is None else saved.k)
        return saved

    monkeypatch.setattr(numerics.checkpoint, "load", recorded)
    code, _, err = _run(["sweep", *args, "--out", out])
    assert code == 0, err
    assert resumed_at and resumed_at[0] is not None and resumed_at[0] > 0
    assert not any(checkpoints.iterdir())
    monkeypatch.setattr(numerics.checkpoint, "load", load)
    code, _, err = _run(["sweep", *args, "--out", tmp_path / "reference"])
    assert code == 0, err
    assert rows(out / "sweep.jsonl") == rows(tmp_path / "reference" / "sweep.jsonl")
