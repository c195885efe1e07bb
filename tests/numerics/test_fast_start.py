"""``import numerics`` stays light: no sympy, hypothesis or matplotlib (issue 8, fast start), and
no numba (issue 9: the compiled kernels load on the first run that uses them).

Checked in a fresh interpreter (this one has long imported them all), from the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = "{'sympy', 'hypothesis', 'matplotlib', 'numba'}"


@pytest.mark.parametrize("modules", ["numerics", "numerics, numerics.sweep, numerics.checkpoint"])
def test_import_numerics_loads_no_heavy_library(modules):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = f"import {modules}, sys; loaded = {HEAVY} & set(sys.modules); assert not loaded, loaded"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
