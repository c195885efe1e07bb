"""``normsharp verify`` and ``counterexample`` start fast: listing claims and conjectures
imports no hypothesis; a search does (each check's domain is built on first use)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_listing_the_registry_and_the_conjectures_imports_no_hypothesis():
    out = _run(
        "import sys, proofs_check, proofs_check.claims, proofs_check.conjectures as c\n"
        "import proofs_check.sweep_claims, proofs_check.predictions\n"
        "rows = [(k.id, k.statement, k.kind, [(x.name, x.kind) for x in k.checks])\n"
        "        for k in proofs_check.REGISTRY.values()]\n"
        "names = [(n, x.statement) for n, x in c.CONJECTURES.items()]\n"
        "print(len(rows), len(names), 'hypothesis' in sys.modules)")
    assert out == "25 5 False"  # R1-R9, E1-E5, C1-C8, N1-N3


def test_reading_a_domain_builds_it_once_and_imports_hypothesis():
    out = _run(
        "import sys, proofs_check\n"
        "check = proofs_check.REGISTRY['R2'].checks[0]\n"
        "first = check.domain\n"
        "print('hypothesis' in sys.modules, first is check.domain,\n"
        "      type(first).__module__.split('.')[0])")
    assert out == "True True hypothesis"
