"""Ctrl-C during a multi-worker ``normsharp sweep`` (and ``reproduce``): exit 130 within 5 s,
one line on stderr, and no worker left running.

Each job is started in its own process group and interrupted as a terminal's Ctrl-C does
(SIGINT to the whole group), at moments spread over its life once its modules are imported:
while the workers spawn and start, during the float64 grid, the refinement rounds and the
two-precision confirmations; and with SIGINT to the command's process only (``kill -INT
PID``), which its busy workers never see. (An interrupt during the first imports, before the
command runs, is the command line's business: numpy can turn it into an ImportError.) The
expected outcome is the CLI contract (exit code 130, the line ``normsharp: interrupted``),
checked against the kernel's view of the job (``/proc``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

import pytest

from .jobs import DATA, kill_group, live_in_group, log_kinds, start, wait_until

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")

#: a sweep that runs for about half a minute on two workers: 61 learning rates, a float64
#: grid, refinement rounds, then about 55 confirmations (two of 200 000 steps)
SWEEP = ["sweep", *DATA, "--eta-min", "0.3", "--eta-max", "1.05", "--num", "61", "--steps",
         "200000", "--confirm", "converged", "--jobs", "2", "--no-figures"]
#: the same at 30 000 steps: its confirmations start sooner (for the default run)
SHORT = [*SWEEP[:SWEEP.index("--steps") + 1], "30000", *SWEEP[SWEEP.index("--steps") + 2:]]
LIMIT = 5.0  # seconds from the interrupt to the exit


def _moment(proc, log, kind: str, delay: float) -> None:
    """Wait for the moment ``kind`` of the job's life, then ``delay`` seconds more."""
    if kind == "start":  # the log's directory is locked: imports done, workers about to spawn
        assert wait_until(lambda: (log.parent / "sweep.lock").exists(), 60, proc), kind
    elif kind == "grid":  # the first chunk is stored: the workers are up and busy
        assert wait_until(lambda: log_kinds(log).get("grid", 0) >= 1, 60, proc), kind
    elif kind == "confirmations":  # the refinement rounds are stored
        assert wait_until(lambda: log_kinds(log).get("refine", 0) >= 32, 60, proc), kind
    time.sleep(delay)


def _interrupt(tmp_path, name, argv, kind, delay, *, group=True):
    """Run ``argv``, interrupt it at the moment ``(kind, delay)``; assert the contract."""
    out = tmp_path / name
    err = open(tmp_path / f"{name}.err", "w+")  # noqa: SIM115 - closed below
    proc = start([*argv, "--out", out], stderr=err)
    try:
        log = out / "sweep.jsonl" if argv[0] == "sweep" else out / "sweep-quick" / "sweep.jsonl"
        _moment(proc, log, kind, delay)
        assert proc.poll() is None, f"{name}: the job ended before the interrupt"
        t = time.monotonic()
        (os.killpg if group else os.kill)(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name}: still running {LIMIT} s after Ctrl-C ({kind} + {delay:.2f} s)")
        took = time.monotonic() - t
        assert code == 130, (name, code, took)
        err.seek(0)
        assert err.read().splitlines() == ["normsharp: interrupted"], name
        # the workers were cancelled: nothing of the job is left running
        assert wait_until(lambda: not live_in_group(proc.pid), 3), (
            f"{name}: processes left running: {live_in_group(proc.pid)}")
    finally:
        kill_group(proc)
        err.close()


def test_ctrl_c_stops_a_sweep_at_two_moments(tmp_path):
    for kind, delay in (("start", 0.1), ("grid", 0.0)):
        _interrupt(tmp_path, f"sweep-{kind}", SHORT, kind, delay)


def test_sigint_to_the_command_alone_stops_its_busy_workers(tmp_path):
    """``kill -INT PID`` reaches the command, not its workers, busy with 30 000-step
    confirmations: the command must end them, not wait for them."""
    _interrupt(tmp_path, "sweep-pid", SHORT, "confirmations", 0.2, group=False)


def test_ctrl_c_stops_reproduce(tmp_path):
    _interrupt(tmp_path, "reproduce", ["reproduce", "--quick"], "grid", 0.0)


@pytest.mark.slow
def test_twenty_interrupts_at_varied_moments(tmp_path):
    rng = random.Random(20)
    moments = ["start", "grid", "confirmations", "random"] * 5
    for i, kind in enumerate(moments):
        delay = {"start": rng.uniform(0.0, 1.5), "grid": rng.uniform(0.0, 1.0),
                 "confirmations": rng.uniform(0.0, 4.0), "random": rng.uniform(0.1, 8.0)}[kind]
        _interrupt(tmp_path, f"sweep-{i}", SWEEP, "start" if kind == "random" else kind, delay,
                   group=i % 7 != 3)


def test_an_error_that_an_interrupt_provoked_is_the_interrupt(monkeypatch):
    """Ctrl-C during an import can surface as another exception (numpy turns it into an
    ImportError): the command exits 130 ("interrupted"), not 3 (a crash)."""
    import signal

    import normsharp.commands.interpolators as cmd
    from tests.cli.conftest import run_cli

    def cut(args):
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            raise ImportError("numpy's import was cut short") from None
        raise AssertionError("SIGINT was not delivered")

    monkeypatch.setattr(cmd, "run", cut)
    res = run_cli(["interpolators", "--x", "1,0.5"])
    assert res.code == 130 and res.err_lines == ["normsharp: interrupted"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
