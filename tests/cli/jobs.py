"""Helpers for tests that run ``normsharp`` as a separate job: start it in its own process
group (as a shell starts a foreground job), signal it, and list what is left of it.

Independent of the code under test: process groups and ``/proc`` are read directly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ["--x", "1,1/2", "--y", "1", "--alpha", "1/100", "--beta-star", "1/2,1"]


def start(argv: list, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    """``python -m normsharp ARGV`` in a new process group, SIGINT at its default (a test
    runner may have started us with it ignored, which the job would inherit)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    return subprocess.Popen([sys.executable, "-m", "normsharp", *map(str, argv)], env=env,
                            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def live_in_group(pgid: int) -> list[int]:
    """The processes of group ``pgid`` that are alive (zombies excluded), from ``/proc``."""
    live = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(int(entry.name))
    return live


def wait_until(condition, timeout: float, proc: subprocess.Popen | None = None) -> bool:
    """Poll ``condition()`` every 10 ms until it holds (True), ``proc`` ends or ``timeout``
    seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL whatever is left of the job and reap its leader."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def log_kinds(path: Path) -> dict:
    """How many complete rows of each kind a sweep log holds."""
    if not path.exists():
        return {}
    counts: dict = {}
    data = path.read_bytes()
    for line in data[:data.rfind(b"\n") + 1].splitlines():
        kind = json.loads(line)["kind"]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def rows(path: Path) -> dict:
    """A sweep log's rows by ``(kind, eta)``; fails on a duplicate or a line that is not JSON."""
    out = {}
    for line in path.read_bytes().splitlines():
        row = json.loads(line)
        key = (row["kind"], row["eta"])
        assert key not in out, f"duplicate row {key}"
        out[key] = row
    return out
