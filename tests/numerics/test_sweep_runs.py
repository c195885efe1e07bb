"""How a sweep runs: the pool stops at once, one writer per directory, progress by stage,
the stability observation.

Expected values are independent of the code under test: wall-clock bounds and the kernel's
view of processes for the pool, a lock held by this test for the directory, statuses written
out by hand for the observation.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction as F

import pytest

from numerics.errors import DomainError
from numerics.files import DirectoryLock, LockHeld
from numerics.gd import gradient_descent
from numerics.problem import Problem
from numerics.sweep import NO_PREDICTIONS, eta_grid, sweep
from numerics.sweep.driver import Runner
from numerics.sweep.observe import observe_stability


def test_stop_ends_busy_workers_without_waiting_for_them():
    """A worker sleeping 60 s and an ``on_done`` that raises at the first result: the run
    ends within seconds and every worker process is gone."""
    runner = Runner(2)

    def on_done(_):
        raise KeyboardInterrupt

    t = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(time.sleep, [(60,), (0.01,)], on_done)
    assert time.monotonic() - t < 15  # two interpreters start; nobody waits out the 60 s
    created = runner.context.created
    assert len(created) == 2
    assert all(p.exitcode is not None for p in created)  # ended (terminated), not running
    runner.close()  # nothing left to shut down


def test_workers_ignore_ctrl_c_and_exit_with_their_parent(tmp_path):
    """SIGINT to a worker changes nothing; SIGKILL to its parent ends it."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from numerics.sweep.driver import Runner\n"
        "if __name__ == '__main__':\n"
        "    r = Runner(2)\n"
        "    r.run(time.sleep, [(0.01,), (0.01,)], lambda _: None)\n"
        "    print(' '.join(str(p.pid) for p in r.context.created), flush=True)\n"
        "    time.sleep(120)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env,
                            text=True)
    try:
        workers = [int(w) for w in proc.stdout.readline().split()]
        assert len(workers) == 2
        for w in workers:
            os.kill(w, signal.SIGINT)
        time.sleep(0.5)
        assert all(_alive(w) for w in workers)  # ignored
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def _alive(pid: int) -> bool:
    """Alive and not a zombie (a dead worker's parent is dead: nobody reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.fixture(scope="module")
def problem():
    return Problem([1, "1/2"], 1, "1/100", beta_star=["1/2", 1])


def test_a_directory_another_run_holds_is_refused(problem, tmp_path):
    lock = DirectoryLock(tmp_path / "sweep.lock")
    lock.acquire()
    try:
        with pytest.raises(DomainError, match=rf"out_dir = .*process {os.getpid()} holds"):
            sweep(problem, [F(1, 2)], 100, out_dir=tmp_path, confirm="none", refine=False)
        assert not (tmp_path / "sweep.jsonl").exists()  # refused before anything was written
    finally:
        lock.release()
    res = sweep(problem, [F(1, 2)], 100, out_dir=tmp_path, confirm="none", refine=False)
    # what one single run gives (100 steps from alpha = 1/100: far from converged)
    assert res.points[0]["status"] == gradient_descent(problem, F(1, 2), 100).status
    # the sweep released the lock when it finished
    DirectoryLock(tmp_path / "sweep.lock").acquire()


def test_a_killed_holder_releases_its_lock(tmp_path):
    path = tmp_path / "sweep.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from numerics.files import DirectoryLock; "
         f"DirectoryLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ,
                                                    PYTHONPATH=os.pathsep.join(sys.path)))
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld) as held:
            DirectoryLock(path).acquire()
        assert held.value.pid == holder.pid
        holder.kill()
        holder.wait()
        lock = DirectoryLock(path)
        lock.acquire()  # the kernel released it with its holder
        lock.release()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_progress_names_each_stage(problem):
    seen = []
    sweep(problem, eta_grid("0.4", "1.1", 8), 3000, confirm_etas=["0.4"], confirm="none",
          progress=lambda stage, done, total: seen.append(stage))
    stages = list(dict.fromkeys(seen))
    assert stages == ["reading the log", "grid", "refinement: eta_c",
                      "refinement: least risk", "confirmations", "results", "done"]


def test_stability_names_every_failure_below_the_last_converged_point():
    C, N, D = "converged", "not_converged", "diverged"
    grid = tuple(F(i, 10) for i in range(1, 9))
    statuses = [C, D, C, N, N, C, N, D]
    rows = {e: {"status": s, "S": 1.0 if s == C else None} for e, s in zip(grid, statuses,
                                                                          strict=True)}
    s = observe_stability(grid, rows, {**NO_PREDICTIONS, "eta_no_stable_interpolator": F(1, 2)})
    assert s["last_converged"] == F(6, 10) and s["first_failed"] == F(7, 10)
    assert s["failed_below"] == [(F(2, 10), D), (F(4, 10), N), (F(5, 10), N)]
    assert s["statuses_after"] == {N: 1, D: 1}
    assert s["failed_statuses"] == {D: 2, N: 3}
    assert s["first_not_converged"] == F(2, 10)
    assert (s["below_limit"], s["above_limit"]) == (F(5, 10), F(6, 10))
    assert s["converged_above_limit"] == [F(6, 10)]
    assert s["statuses_above_limit"] == {C: 1, N: 1, D: 1}
