"""Benchmark (c): float64 GD batched over 64 learning rates against one loop per learning rate.

``numerics.gd.gradient_descent_batch(problem, etas, steps, tol=1e-300)`` runs all 64 learning
rates in one ``(64, d)`` array per parameter block. It is compared with, per learning rate:

``numpy_loop``
    a plain numpy float64 loop (the update formulas only, no status checks): the fastest
    honest one-rate-at-a-time alternative, and the baseline of the headline ratio;
``gradient_descent``
    ``numerics.gd.gradient_descent(..., backend="float64")`` with recording reduced to the
    minimum (``record_every=steps``, no sharpness, no gain): the engine's own one-rate driver.

Two problems:

``default``
    the paper's default instance (``x = (1, 1/2)``, ``y = 1``, ``alpha = 0.01``, shared weights,
    d = 2): the learning-rate sweep ``normsharp sweep`` runs; 64 rates in ``[0.05, 0.9]``
    (below, across and above ``eta_c = 0.50125``), 2000 steps;
``n20_d100``
    the product problem of benchmarks (a)/(b); 64 rates in ``[0.002, 0.02]``, 500 steps (the
    ``gradient_descent`` baseline is skipped there: its set-up computes the d x d matrix
    ``X^T X / n`` in exact rationals, which alone costs about a second per call).

``tol = 1e-300`` keeps every rate running for the whole budget (only an exactly zero residual
"converges"), so all contenders do the same steps. The final ``beta`` of every rate is compared
between the batch and each loop (max absolute difference printed; statuses compared with
``gradient_descent``); the script exits 1 if they differ by more than ``1e-9``.

Timing: the batch call is timed many times, interleaved with the loops, and its minimum kept;
the per-rate loops are timed one rate at a time, minimum over ``repeats`` per rate, and summed
(so both sides are measured in runs of similar length, a few to a few tens of milliseconds).
Prints one JSON line; ``speedup_vs_numpy_loop`` per problem is ``time(64 loops) / time(batch)``
(target >= 20).
"""

from __future__ import annotations

import math
import sys
import time

import _common as C
import numpy as np

from numerics.gd import gradient_descent, gradient_descent_batch
from numerics.problem import DEFAULT_INSTANCE, Problem

TARGET = 20.0
B = 64
TOL = 1e-300


def numpy_loop(problem, eta, steps):
    """Plain numpy float64 GD for one learning rate; returns the final ``beta``."""
    fl = problem.floats()
    X, y = fl["X"], fl["y"]
    n, d = X.shape
    alpha = float(problem.alpha)
    if problem.param == "shared":  # depth 2
        w = np.full(d, alpha)
        for _ in range(steps):
            r = X @ (w * w) - y
            g = (X.T @ r) / n
            w = w * (1 - 2 * eta * g)
        return w * w
    if problem.param == "product":
        u, v = np.full(d, math.sqrt(2.0) * alpha), np.zeros(d)
        for _ in range(steps):
            r = X @ (u * v) - y
            g = (X.T @ r) / n
            u, v = u - eta * g * v, v - eta * g * u
        return u * v
    raise ValueError(problem.param)


def one_gd(problem, eta, steps):
    return gradient_descent(problem, float(eta), steps, backend="float64", tol=TOL,
                            record_every=steps, record_sharpness=False, record_gain=False,
                            final_sharpness=False)


def measure(problem, etas, steps, repeats, with_gd, batch_per_round=4):
    best = {"batch": math.inf, "numpy_loop": math.inf, "gradient_descent": math.inf}
    out = {}

    def time_batch():
        for _ in range(batch_per_round):
            t0 = time.perf_counter()
            out["batch"] = gradient_descent_batch(problem, etas, steps, tol=TOL)
            best["batch"] = min(best["batch"], time.perf_counter() - t0)

    loop_t = [math.inf] * len(etas)
    gd_t = [math.inf] * len(etas)
    loops, gds = [None] * len(etas), [None] * len(etas)
    for _ in range(repeats):
        time_batch()
        for i, eta in enumerate(etas):
            t0 = time.perf_counter()
            loops[i] = numpy_loop(problem, float(eta), steps)
            loop_t[i] = min(loop_t[i], time.perf_counter() - t0)
            if with_gd:
                t0 = time.perf_counter()
                gds[i] = one_gd(problem, eta, steps)
                gd_t[i] = min(gd_t[i], time.perf_counter() - t0)
            if i % 16 == 15:
                time_batch()
    best["numpy_loop"] = sum(loop_t)
    batch = out["batch"]
    check = {"max_abs_diff_beta_vs_numpy_loop": float(max(
        np.max(np.abs(batch.beta[i] - loops[i])) for i in range(len(etas))))}
    res = {"etas": [float(etas[0]), float(etas[-1]), len(etas)], "steps": steps,
           "speedup_vs_numpy_loop": C.rounded(best["numpy_loop"] / best["batch"]),
           "target_met_vs_numpy_loop": bool(best["numpy_loop"] / best["batch"] >= TARGET)}
    if with_gd:
        best["gradient_descent"] = sum(gd_t)
        res["speedup_vs_gradient_descent"] = C.rounded(best["gradient_descent"] / best["batch"])
        res["target_met_vs_gradient_descent"] = bool(
            best["gradient_descent"] / best["batch"] >= TARGET)
        check["max_abs_diff_beta_vs_gradient_descent"] = float(max(
            np.max(np.abs(batch.beta[i] - np.array([float(b) for b in gds[i].beta])))
            for i in range(len(etas))))
        check["statuses_equal"] = all(batch.status[i] == gds[i].status
                                      for i in range(len(etas)))
    else:
        best.pop("gradient_descent")
    res["statuses"] = {s: batch.status.count(s) for s in sorted(set(batch.status))}
    res["check"] = check
    res["ms"] = {k: C.rounded(1e3 * t) for k, t in best.items()}
    ok = all(v <= 1e-9 for k, v in check.items() if k.startswith("max")) and check.get(
        "statuses_equal", True)
    return res, ok


def main(repeats: int = 5) -> dict:
    t_start = time.perf_counter()
    default = Problem(**DEFAULT_INSTANCE)
    res_default, ok1 = measure(default, np.linspace(0.05, 0.9, B), 2000, repeats, True)
    res_big, ok2 = measure(C.problem(), np.linspace(0.002, 0.02, B), 500, repeats, False)
    return {
        "benchmark": "batch",
        "batch_size": B,
        "baseline": "numpy_loop (plain numpy float64 loop per learning rate); "
                    "gradient_descent(backend='float64') per rate also on the default instance",
        "target": f">= {TARGET:g}",
        "default": res_default,
        "n20_d100": res_big,
        "agreement_ok": bool(ok1 and ok2),
        "wall_s": C.rounded(time.perf_counter() - t_start),
    }


if __name__ == "__main__":
    res = main()
    C.emit(res)
    sys.exit(0 if res["agreement_ok"] else 1)
