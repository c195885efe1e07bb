"""Benchmark (d): cost of one GD step against the problem size ``n d``, from 1e2 to 1e5.

For each size the product-parametrised problem of ``benchmarks/_common.py`` (random data, fixed
seed) is built and the steady-state cost of one step of ``numerics.gd.iterate`` is measured on
``flint`` at 50 digits and on ``float64`` (minimum over many interleaved chunks, set-up excluded).
The log-log slope of step cost against ``n d`` is fitted by least squares over all sizes
(``exponent``; target <= 1.15), and the local slope over the top decade (``n d`` from 1e4 to
1e5) is printed too: at small sizes per-call overheads dominate and flatten the full-range fit,
so the top-decade slope is the better guide to the asymptotic cost.

Two series of shapes: ``aspect`` (``d`` about 5 to 10 times ``n``, as in the (a)/(b) problem) and
``fixed_n`` (``n = 20``, ``d`` from 5 to 5000).

Prints one JSON line.
"""

from __future__ import annotations

import math
import sys
import time

import _common as C
import numpy as np

TARGET = 1.15
SERIES = {
    "aspect": [(4, 25), (8, 40), (10, 100), (20, 160), (40, 250), (80, 400), (100, 1000)],
    "fixed_n": [(20, 5), (20, 16), (20, 50), (20, 160), (20, 500), (20, 1600), (20, 5000)],
}


def slope(sizes, times) -> float:
    """Least-squares slope of ``log(times)`` against ``log(sizes)``."""
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(times, float))
    return float(np.polyfit(x, y, 1)[0])


def step_cost(n, d, backend, dps, budget_s):
    problem = C.problem(n, d)
    step, close = C.engine_stepper(problem, C.ETA, backend, dps)
    try:
        t0 = time.perf_counter()
        step()
        one = time.perf_counter() - t0
        chunk = max(1, int(1e-3 / max(one, 1e-7)))  # about 1 ms per chunk
        return C.per_step({"s": (step, chunk)}, rounds=200, warmup=2, budget_s=budget_s)["s"]
    finally:
        close()


def main() -> dict:
    t_start = time.perf_counter()
    out = {"benchmark": "scaling", "target": f"<= {TARGET:g}", "unit": "microseconds per step"}
    met = True
    for name, shapes in SERIES.items():
        sizes = [n * d for n, d in shapes]
        series = {"shapes": [[n, d] for n, d in shapes], "n_times_d": sizes}
        for backend, dps, budget in (("flint", C.DPS, 1.5), ("float64", None, 0.5)):
            key = "flint50" if backend == "flint" else "float64"
            times = [step_cost(n, d, backend, dps, budget) for n, d in shapes]
            top = [i for i, s in enumerate(sizes) if s >= 1e4]
            ex = slope(sizes, times)
            ex_top = slope([sizes[i] for i in top], [times[i] for i in top])
            series[key] = {
                "us_per_step": [C.rounded(1e6 * t) for t in times],
                "exponent": round(ex, 3),
                "exponent_top_decade": round(ex_top, 3),
                "target_met": bool(ex <= TARGET),
            }
            met = met and ex <= TARGET
        out[name] = series
    out["target_met"] = bool(met)
    out["wall_s"] = C.rounded(time.perf_counter() - t_start)
    return out


if __name__ == "__main__":
    res = main()
    C.emit(res)
    finite = all(math.isfinite(t) for k in SERIES for b in ("flint50", "float64")
                 for t in res[k][b]["us_per_step"])
    sys.exit(0 if finite else 1)
