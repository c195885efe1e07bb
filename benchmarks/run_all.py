"""Run the benchmarks of issue 3 (item 7) and issue 9 (item 6) in one process; one JSON object.

Usage (from the repository root)::

    python benchmarks/run_all.py            # everything, about 1 minute
    python benchmarks/run_all.py --quick    # fewer rounds and repeats, about 25 s

The object holds each benchmark's own JSON line under its name, and a ``summary`` with the
headline ratio of each and whether its target is met. Exit status 1 if a benchmark's built-in
agreement check failed (the contenders did not compute the same thing); missed performance
targets do not change the exit status (they are measurements, not tests).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import _common as C
import bench_batch
import bench_engine
import bench_mp_engine
import bench_scaling
import bench_vs_float64


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and repeats")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    q = args.quick
    out = {
        "mp_engine": bench_mp_engine.main(rounds=25 if q else 60, repeats=2 if q else 3),
        "vs_float64": bench_vs_float64.main(rounds=100 if q else 300, repeats=3 if q else 5),
        "batch": bench_batch.main(repeats=2 if q else 5),
        "scaling": bench_scaling.main(),
        "engine": bench_engine.main(),
    }
    a, b, c, d = (out[k] for k in ("mp_engine", "vs_float64", "batch", "scaling"))
    out["summary"] = {
        "a_speedup_vs_mpmath_fdot": [a["speedup_vs_mpmath_fdot"], ">= 25", a["target_met"]],
        "a_speedup_vs_mpmath_loops": [a["speedup_vs_mpmath_loops"], ">= 25",
                                      a["speedup_vs_mpmath_loops"] >= 25],
        "b_slowdown_vs_engine_float64": [b["slowdown_vs_engine_float64"], "<= 25",
                                         b["target_met_vs_engine_float64"]],
        "b_slowdown_vs_numpy_loop": [b["slowdown_vs_numpy_loop"], "<= 25",
                                     b["target_met_vs_numpy_loop"]],
        "c_default_speedup_vs_numpy_loop": [c["default"]["speedup_vs_numpy_loop"], ">= 20",
                                            c["default"]["target_met_vs_numpy_loop"]],
        "c_default_speedup_vs_gradient_descent": [
            c["default"]["speedup_vs_gradient_descent"], ">= 20",
            c["default"]["target_met_vs_gradient_descent"]],
        "c_n20_d100_speedup_vs_numpy_loop": [c["n20_d100"]["speedup_vs_numpy_loop"], ">= 20",
                                             c["n20_d100"]["target_met_vs_numpy_loop"]],
        "d_exponent_flint50": [max(d[s]["flint50"]["exponent"] for s in bench_scaling.SERIES),
                               "<= 1.15", d["target_met"]],
        "d_exponent_top_decade_flint50": [
            max(d[s]["flint50"]["exponent_top_decade"] for s in bench_scaling.SERIES),
            "<= 1.15",
            max(d[s]["flint50"]["exponent_top_decade"] for s in bench_scaling.SERIES) <= 1.15],
        "f_engine_met": out["engine"]["met"],
        "agreement_ok": bool(a["agreement_ok"] and b["agreement_ok"] and c["agreement_ok"]
                             and out["engine"]["agreement_ok"]),
        "wall_s": C.rounded(time.perf_counter() - t0),
    }
    print(json.dumps(out, default=str))
    return 0 if out["summary"]["agreement_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
