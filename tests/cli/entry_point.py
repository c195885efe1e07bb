"""Run ``normsharp`` as a separate process, the way the installed console script runs.

The console script's ``sys.path[0]`` is the directory of the script (``.venv/bin``), not the
current directory; ``python -m normsharp`` would put the current directory first and hide
problems a user meets (``--predicate myconj:fn`` with ``myconj.py`` next to them). So the
process runs a launcher file written to its own directory, as the console script does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import normsharp

ROOT = Path(normsharp.__file__).resolve().parent.parent

LAUNCHER = ("import sys\nfrom normsharp.cli import main\n{setup}\n"
            "if __name__ == '__main__':\n    sys.exit(main())\n")


@dataclass(frozen=True)
class Process:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_normsharp(argv, *, cwd, launcher_dir, setup: str = "", timeout: float = 120
                  ) -> Process:
    """``normsharp argv`` in ``cwd``, through a launcher written to ``launcher_dir`` (which
    must differ from ``cwd``). ``setup`` is Python run before ``main()`` (tests plant bugs
    with it; the library has no hook for that)."""
    launcher_dir = Path(launcher_dir)
    launcher_dir.mkdir(parents=True, exist_ok=True)
    assert launcher_dir.resolve() != Path(cwd).resolve()
    script = launcher_dir / "normsharp_launcher.py"
    script.write_text(LAUNCHER.format(setup=setup))
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, str(script), *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return Process(proc.returncode, proc.stdout, proc.stderr)
