"""``normsharp study``: the command in this process (--workers 0), its files and bad input; and
(slow) on a LocalCluster of two workers, one of which is killed mid-run.

Independent routes: the Dask run's rows against the same study run in this process (line for
line: every task is a pure function of its arguments, so a task rerun after its worker died
must give the same row); the fractions in study.json recounted from instances.csv.
"""

from __future__ import annotations

import csv
import json
import os
import signal

import pytest

from tests.numerics.test_study import _rows

ARGS = ["study", "--n", "3", "--d", "6", "--sparsity", "1,2", "--instances", "2", "--etas",
        "4", "--steps", "3000"]


def test_study_in_process_writes_its_files(cli, tmp_path):
    res = cli([*ARGS, "--workers", "0", "--out", tmp_path, "--json"])
    assert res.code == 0, res.err
    obj = res.json()
    assert obj["tasks"] == {"computed": 20, "reused": 0, "failed": []}
    assert (tmp_path / "phase.png").stat().st_size > 1000
    assert json.loads((tmp_path / "study.json").read_text())["files"]["figure"]
    with open(tmp_path / "instances.csv") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 4
    for cell in obj["cells"]:
        mine = [r for r in table if int(r["sparsity"]) == cell["sparsity"]]
        for cls, count in cell["counts"].items():
            assert count == sum(r["class"] == cls for r in mine)
    again = cli([*ARGS, "--workers", "0", "--out", tmp_path])
    assert again.code == 0 and "tasks computed 0, reused from the store 20" in again.out


@pytest.mark.parametrize("change, option", [
    (["--n", "0"], "--n"), (["--d", "1"], "--d"), (["--instances", "0"], "--instances"),
    (["--etas", "2"], "--etas"), (["--n", "a,b"], "--n"), (["--workers", "-1"], "--workers"),
])
def test_bad_input_names_the_option(cli, tmp_path, change, option):
    argv = [*ARGS, "--workers", "0", "--out", tmp_path]
    argv[argv.index(change[0]) + 1] = change[1]
    res = cli(argv)
    assert res.code == 2 and len(res.err_lines) == 1, res.err
    line = res.err_lines[0]
    assert line.startswith(f"normsharp: error: {option}") or line.startswith(
        f"normsharp: error: argument {option}:"), res.err


def test_another_study_in_the_same_directory_is_refused(cli, tmp_path):
    assert cli([*ARGS, "--workers", "0", "--out", tmp_path]).code == 0
    res = cli([*ARGS, "--workers", "0", "--seed", "3", "--out", tmp_path])
    assert res.code == 2 and res.err_lines[0].startswith("normsharp: error: --out"), res.err


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(tmp_path):
    """Two LocalCluster workers; once a third of the tasks are stored, one worker process is
    killed (SIGKILL; its nanny starts another). Every task's row is stored exactly once and
    equals the row of the same study run in this process."""
    from distributed import Client, LocalCluster

    from numerics.study import study

    kw = dict(ns=[4], ds=[10], sparsities=[2, 3], instances=3, etas=6, steps=40000)
    reference = study(out_dir=tmp_path / "ref", workers=0, **kw)
    total = reference.computed
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        killed = []

        def kill_one(stage, done, total_):
            if not killed and done >= total_ // 3:
                pid = next(iter(pids.values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        result = study(out_dir=tmp_path / "dask", scheduler=cluster.scheduler_address,
                       progress=kill_one, **kw)
        assert killed
    assert result.computed == total and not result.failed
    assert _rows(tmp_path / "dask") == _rows(tmp_path / "ref")
    assert result.cells == reference.cells
