"""Benchmark (b): the 50-digit engine against float64 GD on the same problem.

The problem is that of benchmark (a) (``benchmarks/_common.py``: n = 20, d = 100, product
parametrisation, fixed seed, ``eta = 0.01``, 200 steps). Contenders, timed side by side from the
float data to ``theta_200``:

``engine_flint50``
    ``numerics.gd.iterate(..., backend="flint", dps=50)``.
``engine_float64``
    the same kernel on the ``float64`` backend (numpy arrays).
``numpy_loop``
    a plain numpy float64 loop (``beta = u*v; r = X@beta - y; g = X.T@r/n; u, v = ...``).

The float64 results are checked against the 50-digit trajectory (they must agree to about
float64 accuracy; the number of agreed digits is printed).

Prints one JSON line. ``slowdown_vs_numpy_loop`` and ``slowdown_vs_engine_float64`` are
``time(engine_flint50) / time(float64 contender)``; target <= 25.
"""

from __future__ import annotations

import sys
import time

import _common as C
import numpy as np

from numerics.backends import get_backend
from numerics.gd import iterate

TARGET = 25.0


def run_engine(problem, backend, dps=None, steps=C.STEPS, eta=C.ETA):
    gen = iterate(problem, eta, backend=backend, dps=dps)
    try:
        for state in gen:
            if state.k == steps:
                return state.theta
    finally:
        gen.close()


def numpy_gd(X, y, alpha=C.ALPHA, eta=C.ETA):
    """Plain numpy float64 GD, product parametrisation, as ``(step, state)`` closures."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    state = {"u": np.full(d, np.sqrt(2.0) * alpha), "v": np.zeros(d)}

    def step():
        u, v = state["u"], state["v"]
        r = X @ (u * v) - y
        g = (X.T @ r) / n
        state["u"], state["v"] = u - eta * g * v, v - eta * g * u

    return step, state


def numpy_loop(X, y, steps=C.STEPS):
    step, state = numpy_gd(X, y)
    for _ in range(steps):
        step()
    return state["u"], state["v"]


def main(rounds: int = 300, repeats: int = 5) -> dict:
    t_start = time.perf_counter()
    problem = C.problem()
    X, y = C.data()

    mp_step, mp_close = C.engine_stepper(problem, C.ETA, "flint", C.DPS)
    f64_step, f64_close = C.engine_stepper(problem, C.ETA, "float64")
    try:
        per = C.per_step({
            "engine_flint50": (mp_step, 5),
            "engine_float64": (f64_step, 100),
            "numpy_loop": (numpy_gd(X, y)[0], 200),
        }, rounds=rounds, budget_s=20)
    finally:
        mp_close()
        f64_close()

    out = {}
    e2e = C.side_by_side({
        "engine_flint50": lambda: out.__setitem__("mp", run_engine(problem, "flint", C.DPS)),
        "engine_float64": lambda: out.__setitem__("f64", run_engine(problem, "float64")),
        "numpy_loop": lambda: out.__setitem__("np", numpy_loop(X, y)),
    }, repeats)
    be = get_backend("flint", C.DPS)
    ref = [[be.to_fraction(v) for v in t] for t in out["mp"]]
    agree = {
        "engine_float64_vs_flint50": min(C.digits(a, b) for a, b in zip(out["f64"], ref)),
        "numpy_loop_vs_flint50": min(C.digits(a, b) for a, b in zip(out["np"], ref)),
    }
    s_np = per["engine_flint50"] / per["numpy_loop"]
    s_f64 = per["engine_flint50"] / per["engine_float64"]
    result = {
        "benchmark": "vs_float64",
        "problem": {"n": C.N, "d": C.D, "param": "product", "alpha": C.ALPHA, "eta": C.ETA,
                    "steps": C.STEPS, "dps": C.DPS, "seed": C.SEED},
        "slowdown_vs_engine_float64": C.rounded(s_f64),
        "slowdown_vs_numpy_loop": C.rounded(s_np),
        "end_to_end_slowdown_vs_engine_float64": C.rounded(
            e2e["engine_flint50"] / e2e["engine_float64"]),
        "end_to_end_slowdown_vs_numpy_loop": C.rounded(e2e["engine_flint50"] / e2e["numpy_loop"]),
        "target": f"<= {TARGET:g}",
        "target_met_vs_engine_float64": bool(s_f64 <= TARGET),
        "target_met_vs_numpy_loop": bool(s_np <= TARGET),
        "agreed_digits": {k: C.rounded(v, 4) for k, v in agree.items()},
        "per_step_us": {k: C.rounded(1e6 * t) for k, t in per.items()},
        "end_to_end_ms": {k: C.rounded(1e3 * t) for k, t in e2e.items()},
        "wall_s": C.rounded(time.perf_counter() - t_start),
    }
    result["agreement_ok"] = bool(min(agree.values()) >= 12)
    return result


if __name__ == "__main__":
    res = main()
    C.emit(res)
    sys.exit(0 if res["agreement_ok"] else 1)
