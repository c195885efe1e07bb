"""Benchmark (e): the compiled kernels of ``numerics.kernels`` (float64, dd, qd) against numpy.

Problems:

``P1``
    the paper's default instance (``x = (1, 1/2)``, ``y = 1``, ``alpha = 1/100``, shared, d = 2),
    ``eta = 3/5``, 10^4 steps, stopping disabled;
``P2``
    the n = 20, d = 100 product problem of ``_common.py``, ``eta = 0.01``, 200 steps;
``P3``
    64 learning rates in ``[0.05, 0.85]`` at once, one sample ``x = (1, 1/2, 1/4)``, ``y = 1``,
    ``alpha = 1/100``, shared, 2000 steps, ``tol = 1e-300`` (every rate runs the whole budget),
    ``check_every = 16``.

Contenders per problem: a plain numpy float64 loop (``bench_batch.numpy_loop``; for P3 one per
learning rate, summed), for P3 also ``numerics.gd.gradient_descent_batch`` (one batched numpy
array), and ``numerics.kernels.run`` on a prepared state for ``float64``, ``dd`` and ``qd``.
Headline times are of the step loops: the kernels' ``prepare`` (exact data conversion) is timed
separately (``prepare_ms``). Contenders are interleaved, 3 repeats, minimum and median kept.

Targets: dd <= 1.0x and qd <= 5x the plain numpy float64 loop; the float64 kernel batch >= 10x
faster than the batched numpy array (P3); step cost against ``n d`` from 1e2 to 1e5 with a
fitted exponent over the top decade <= 1.1. Compile time (cold cache, in a subprocess with a
fresh ``NUMBA_CACHE_DIR``) and the first call of a fresh process with a warm cache are measured
separately and excluded from the ratios.

Checks (exit 1 if one fails): the float64 kernel agrees with the numpy loop to 1e-9; dd and qd
agree to >= 28 digits on P1 and P2; on P3 the kernel's statuses equal the batched engine's.

``python benchmarks/bench_kernels.py`` prints a table and a JSON line; ``--json`` the JSON only.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

import _common as C
import numpy as np
from bench_batch import numpy_loop

from numerics.gd import gradient_descent_batch
from numerics.kernels import prepare, run
from numerics.problem import DEFAULT_INSTANCE, Problem

FMTS = ("float64", "dd", "qd")
REPEATS = 3
TARGETS = {"dd_over_numpy": 1.0, "qd_over_numpy": 5.0, "batch_speedup": 10.0, "exponent": 1.1}
SHAPES = [(4, 25), (8, 40), (10, 100), (20, 160), (40, 250), (80, 400), (100, 1000)]


def interleaved(contenders: dict, repeats: int = REPEATS) -> dict:
    """``{name: (setup, fn)}``: time ``fn(setup())`` round by round; ``(min, median, last)``."""
    times = {k: [] for k in contenders}
    last = {}
    for _ in range(repeats):
        for name, (setup, fn) in contenders.items():
            arg = setup()
            t0 = time.perf_counter()
            last[name] = fn(arg)
            times[name].append(time.perf_counter() - t0)
    return {k: (min(v), statistics.median(v), last[k]) for k, v in times.items()}


def kernel(problem, etas, steps, fmt, **kw):
    """``(setup, fn)`` timing ``run`` on a freshly prepared state (prepare not timed)."""
    return (lambda: prepare(problem, etas, steps, fmt=fmt, **kw)), (lambda s: (run(s), s)[1])


def beta_of(s, row=0) -> np.ndarray:
    return np.array([float(v) for v in s.values("beta", row)])


def single(problem, eta, steps) -> dict:
    """P1 / P2: one learning rate; numpy loop against the three kernels."""
    contenders = {"numpy_loop": (lambda: None, lambda _: numpy_loop(problem, float(eta), steps))}
    for fmt in FMTS:
        contenders[fmt] = kernel(problem, [eta], steps, fmt, stop_at_convergence=False)
    t = interleaved(contenders)
    base = t["numpy_loop"][0]
    states = {fmt: t[fmt][2] for fmt in FMTS}
    t0 = time.perf_counter()
    prepare(problem, [eta], steps, fmt="qd")
    prep = time.perf_counter() - t0
    checks = {
        "float64_vs_numpy_max_abs_diff_beta": float(np.max(np.abs(
            beta_of(states["float64"]) - t["numpy_loop"][2]))),
        "dd_vs_qd_digits": C.digits(states["dd"].values("beta", 0),
                                    states["qd"].values("beta", 0)),
    }
    ok = checks["float64_vs_numpy_max_abs_diff_beta"] <= 1e-9 and checks["dd_vs_qd_digits"] >= 28
    return {
        "ms_min": {k: C.rounded(1e3 * v[0]) for k, v in t.items()},
        "ms_median": {k: C.rounded(1e3 * v[1]) for k, v in t.items()},
        "prepare_ms_qd": C.rounded(1e3 * prep),
        "ratio_over_numpy": {fmt: C.rounded(t[fmt][0] / base) for fmt in FMTS},
        "checks": {k: C.rounded(v, 4) for k, v in checks.items()}, "ok": ok,
    }


def batch(steps=2000, B=64) -> dict:
    """P3: 64 learning rates at once."""
    problem = Problem([1, Fraction(1, 2), Fraction(1, 4)], 1, Fraction(1, 100))
    etas = [Fraction(float(e)) for e in np.linspace(0.05, 0.85, B)]
    tol = 1e-300
    contenders = {
        "numpy_batch": (lambda: None,
                        lambda _: gradient_descent_batch(problem, etas, steps, tol=tol)),
        "numpy_loops": (lambda: None,
                        lambda _: [numpy_loop(problem, float(e), steps) for e in etas]),
    }
    for fmt in FMTS:
        contenders[fmt] = kernel(problem, etas, steps, fmt, tol=tol, check_every=16)
    t = interleaved(contenders)
    ref = t["numpy_batch"][2]
    s64 = t["float64"][2]
    checks = {
        "statuses_equal": s64.statuses == list(ref.status),
        "float64_vs_numpy_batch_max_abs_diff_beta": float(np.max(np.abs(
            np.array([beta_of(s64, b) for b in range(B)]) - ref.beta))),
        "kernel_statuses": {fmt: {k: t[fmt][2].statuses.count(k)
                                  for k in sorted(set(t[fmt][2].statuses))} for fmt in FMTS},
    }
    ok = checks["statuses_equal"] and checks["float64_vs_numpy_batch_max_abs_diff_beta"] <= 1e-9
    base = t["numpy_batch"][0]
    return {
        "ms_min": {k: C.rounded(1e3 * v[0]) for k, v in t.items()},
        "ms_median": {k: C.rounded(1e3 * v[1]) for k, v in t.items()},
        "speedup_float64_kernel_vs_numpy_batch": C.rounded(base / t["float64"][0]),
        "ratio_over_numpy_batch": {fmt: C.rounded(t[fmt][0] / base) for fmt in FMTS},
        "ratio_over_numpy_loops": {fmt: C.rounded(t[fmt][0] / t["numpy_loops"][0])
                                   for fmt in FMTS},
        "checks": checks, "ok": ok,
    }


def step_cost(state, budget_s=0.4) -> float:
    """Seconds per step: minimum over chunks of about 20 ms (the state keeps advancing)."""
    k = int(state.k[0])
    t0 = time.perf_counter()
    run(state, k + 1)
    one = max(time.perf_counter() - t0, 1e-7)
    chunk = max(1, int(0.02 / one))
    best, end = math.inf, time.perf_counter() + budget_s
    while time.perf_counter() < end or best == math.inf:
        k = int(state.k[0])
        t0 = time.perf_counter()
        run(state, k + chunk)
        best = min(best, (time.perf_counter() - t0) / chunk)
    return best


def scaling() -> dict:
    sizes = [n * d for n, d in SHAPES]
    out = {"shapes": [list(s) for s in SHAPES], "n_times_d": sizes, "us_per_step": {},
           "exponent_all": {}, "exponent_top_decade": {}}
    for fmt in FMTS:
        costs = []
        for n, d in SHAPES:
            s = prepare(C.problem(n, d), [Fraction(C.ETA)], 10**9, fmt=fmt,
                        stop_at_convergence=False)
            costs.append(step_cost(s))
        top = [i for i, sz in enumerate(sizes) if sz >= 10**4]
        out["us_per_step"][fmt] = [C.rounded(1e6 * c) for c in costs]
        out["exponent_all"][fmt] = C.rounded(_slope(sizes, costs))
        out["exponent_top_decade"][fmt] = C.rounded(
            _slope([sizes[i] for i in top], [costs[i] for i in top]))
    return out


def _slope(x, y) -> float:
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


_CHILD = """
import time
t0 = time.perf_counter()
from fractions import Fraction
from numerics.problem import Problem
from numerics.kernels import prepare, run
out = {"import_s": time.perf_counter() - t0}
p = Problem([1, Fraction(1, 2)], 1, Fraction(1, 100))
for fmt in ("float64", "dd", "qd"):
    t = time.perf_counter()
    run(prepare(p, [Fraction(1, 10)], 10, fmt=fmt))
    out[fmt] = time.perf_counter() - t
out["total_s"] = time.perf_counter() - t0
print(out)
"""


def compile_times() -> dict:
    """Cold compilation (fresh NUMBA_CACHE_DIR) and a warm fresh process, in subprocesses."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=C.ROOT)
        res = {}
        for name in ("cold", "warm"):
            out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True,
                                 text=True, check=True)
            res[name] = {k: C.rounded(v) for k, v in eval(out.stdout).items()}
    return res


def main() -> dict:
    t_start = time.perf_counter()
    p1 = single(Problem(**DEFAULT_INSTANCE), Fraction(3, 5), 10_000)
    p2 = single(C.problem(), Fraction(C.ETA), C.STEPS)
    p3 = batch()
    sc = scaling()
    comp = compile_times()
    met = {
        f"{p}_{fmt}": bool(res["ratio_over_numpy"][fmt] <= TARGETS[f"{fmt}_over_numpy"])
        for p, res in (("P1", p1), ("P2", p2)) for fmt in ("dd", "qd")
    }
    met["P3_dd"] = bool(p3["ratio_over_numpy_batch"]["dd"] <= TARGETS["dd_over_numpy"])
    met["P3_qd"] = bool(p3["ratio_over_numpy_batch"]["qd"] <= TARGETS["qd_over_numpy"])
    met["P3_float64_batch_speedup"] = bool(
        p3["speedup_float64_kernel_vs_numpy_batch"] >= TARGETS["batch_speedup"])
    for fmt in FMTS:
        met[f"scaling_{fmt}"] = bool(sc["exponent_top_decade"][fmt] <= TARGETS["exponent"])
    met["warm_first_call_le_1s"] = bool(comp["warm"]["total_s"] <= 1.0)
    return {"benchmark": "kernels", "targets": TARGETS, "P1": p1, "P2": p2, "P3": p3,
            "scaling": sc, "compile": comp, "met": met,
            "agreement_ok": bool(p1["ok"] and p2["ok"] and p3["ok"]),
            "wall_s": C.rounded(time.perf_counter() - t_start)}


def table(res: dict) -> str:
    rows = [f"{'':24}{'float64':>10}{'dd':>10}{'qd':>10}   (time / numpy float64 loop)"]
    for p in ("P1", "P2"):
        r = res[p]["ratio_over_numpy"]
        rows.append(f"{p:24}{r['float64']:>10}{r['dd']:>10}{r['qd']:>10}")
    r = res["P3"]["ratio_over_numpy_batch"]
    rows.append(f"{'P3 (vs numpy batch)':24}{r['float64']:>10}{r['dd']:>10}{r['qd']:>10}")
    e = res["scaling"]["exponent_top_decade"]
    rows.append(f"{'exponent, top decade':24}{e['float64']:>10}{e['dd']:>10}{e['qd']:>10}")
    rows.append(C.met_line(res["met"]))
    return "\n".join(rows)


if __name__ == "__main__":
    C.script(main, table)
