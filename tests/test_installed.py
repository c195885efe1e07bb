"""The installed distribution carries every module of the source tree.

The rest of the suite imports the packages from the checkout (pytest puts the repository root
on ``sys.path``), so a module that the packaging forgets to install would go unnoticed there.
This test looks at the *installed* copies from a directory outside the checkout: the suite is
meant to run after the README's install (as CI does), and every source module must be
importable from the installation, the console script included. Without an installation it
fails and says so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "proofs_check", "normsharp")
NOT_INSTALLED = ("normsharp is not installed in this interpreter: install it first "
                 "(the README's second command does)")


def _source_modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path.name == "__main__.py":  # runs the CLI when imported
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            names.append(".".join(parts))
    return names


def _outside(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def _installed_location(tmp_path) -> str | None:
    out = _outside("import importlib.util, json; s = importlib.util.find_spec('normsharp'); "
                   "print(json.dumps(None if s is None else s.origin))", tmp_path)
    return json.loads(out.stdout) if out.returncode == 0 else None


def test_every_source_module_is_installed(tmp_path):
    assert _installed_location(tmp_path) is not None, NOT_INSTALLED
    modules = _source_modules()
    code = ("import importlib, json; bad = []\n"
            f"for m in {modules!r}:\n"
            "    try:\n        importlib.import_module(m)\n"
            "    except ImportError as e:\n        bad.append((m, str(e)))\n"
            "print(json.dumps(bad))")
    out = _outside(code, tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


def test_console_script_runs_from_anywhere(tmp_path):
    assert _installed_location(tmp_path) is not None, NOT_INSTALLED
    out = subprocess.run([sys.executable, "-m", "normsharp", "interpolators", "--x", "1,0.5",
                          "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["thresholds"]["eta_no_stable_interpolator"] == 1.0
