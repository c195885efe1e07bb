"""Benchmark (a): the 50-digit engine against a straightforward mpmath loop.

Same GD problem for all contenders (``benchmarks/_common.py``): n = 20 samples, d = 100,
product parametrisation (``u0 = sqrt(2) alpha``, ``v0 = 0``), random float64 data with a fixed
seed, ``alpha = 0.1``, ``eta = 0.01`` (stable: the sharpness stays far below ``2/eta = 200``),
200 steps, 50 decimal digits (169 bits).

Contenders:

``engine``
    ``numerics.gd.iterate(problem, eta, backend="flint", dps=50)``: the engine's GD kernel.
``engine_gd``
    ``numerics.gd.gradient_descent(..., backend="flint", dps=50)`` with recording reduced to the
    minimum (``record_every=steps``, no sharpness, no gain): the user-facing driver with its
    per-step status checks and final quantities (end-to-end timing only).
``mpmath_fdot``
    the natural researcher's code: Python lists of ``mpf`` in a private ``MPContext`` at 50
    digits, ``ctx.fdot`` for ``X beta`` and ``X^T r``, list comprehensions for the update.
``mpmath_loops``
    the same with explicit nested ``for`` loops for the two matrix-vector products.

Two measurements:

* ``per_step``: steady-state cost of one GD step, the minimum over many ~1 ms chunks taken
  round-robin (``_common.per_step``); setup excluded. The headline ratio
  ``speedup_vs_mpmath_fdot`` is ``per_step[mpmath_fdot] / per_step[engine]`` (target >= 25).
* ``end_to_end``: the whole 200-step run from the float data to ``theta_200`` (setup included),
  minimum of a few interleaved repeats.

The final iterates are compared exactly (Fractions of the binary values): engine against
``mpmath_fdot`` after 200 steps, engine against ``mpmath_loops`` after 20 steps. The agreed
decimal digits are printed; the script exits 1 below 45 digits.
"""

from __future__ import annotations

import sys
import time

import _common as C
import mpmath

from numerics.backends import get_backend
from numerics.gd import gradient_descent, iterate

TARGET = 25.0
MIN_DIGITS = 45


def run_engine(problem, steps=C.STEPS, eta=C.ETA, dps=C.DPS):
    """``theta_steps`` of the engine (flint numbers)."""
    gen = iterate(problem, eta, backend="flint", dps=dps)
    try:
        for state in gen:
            if state.k == steps:
                return state.theta
    finally:
        gen.close()  # leave the precision scope now


def run_engine_gd(problem, steps=C.STEPS, eta=C.ETA, dps=C.DPS):
    return gradient_descent(problem, eta, steps, backend="flint", dps=dps, record_every=steps,
                            record_sharpness=False, record_gain=False, final_sharpness=False)


def mpmath_gd(X, y, alpha=C.ALPHA, eta=C.ETA, dps=C.DPS, loops=False):
    """Plain mpmath GD, returned as ``(step, state)`` closures.

    ``loops=False`` uses ``ctx.fdot`` for the two products, ``loops=True`` explicit loops.
    """
    ctx = mpmath.MPContext()
    ctx.dps = dps
    n, d = len(X), len(X[0])
    Xm = [[ctx.mpf(float(v)) for v in row] for row in X]
    XT = [list(col) for col in zip(*Xm)]
    ym = [ctx.mpf(float(v)) for v in y]
    eta = ctx.mpf(eta)
    u = [ctx.sqrt(2) * ctx.mpf(alpha)] * d
    v = [ctx.mpf(0)] * d
    state = {"u": u, "v": v}

    def step_fdot():
        u, v = state["u"], state["v"]
        beta = [a * b for a, b in zip(u, v)]
        r = [ctx.fdot(row, beta) - yi for row, yi in zip(Xm, ym)]
        g = [ctx.fdot(col, r) / n for col in XT]
        state["u"] = [a - eta * gi * b for a, b, gi in zip(u, v, g)]
        state["v"] = [b - eta * gi * a for a, b, gi in zip(u, v, g)]

    def step_loops():
        u, v = state["u"], state["v"]
        beta = [u[j] * v[j] for j in range(d)]
        r = []
        for i in range(n):
            s = ctx.mpf(0)
            for j in range(d):
                s += Xm[i][j] * beta[j]
            r.append(s - ym[i])
        g = []
        for j in range(d):
            s = ctx.mpf(0)
            for i in range(n):
                s += Xm[i][j] * r[i]
            g.append(s / n)
        state["u"] = [u[j] - eta * g[j] * v[j] for j in range(d)]
        state["v"] = [v[j] - eta * g[j] * u[j] for j in range(d)]

    return (step_loops if loops else step_fdot), state


def run_mpmath(X, y, steps=C.STEPS, loops=False):
    """``(u_steps, v_steps)`` of the plain mpmath loop, setup included."""
    step, state = mpmath_gd(X, y, loops=loops)
    for _ in range(steps):
        step()
    return state["u"], state["v"]


def main(rounds: int = 60, repeats: int = 3) -> dict:
    t_start = time.perf_counter()
    problem = C.problem()
    X, y = C.data()

    # steady-state cost per step
    eng_step, eng_close = C.engine_stepper(problem, C.ETA, "flint", C.DPS)
    try:
        per = C.per_step({
            "engine": (eng_step, 5),
            "mpmath_fdot": (mpmath_gd(X, y)[0], 1),
            "mpmath_loops": (mpmath_gd(X, y, loops=True)[0], 1),
        }, rounds=rounds, budget_s=25)
    finally:
        eng_close()

    # end to end, 200 steps, setup included
    out = {}
    e2e = C.side_by_side({
        "engine": lambda: out.__setitem__("engine", run_engine(problem)),
        "engine_gd": lambda: out.__setitem__("gd", run_engine_gd(problem)),
        "mpmath_fdot": lambda: out.__setitem__("fdot", run_mpmath(X, y)),
    }, repeats)

    F = get_backend("flint", C.DPS).to_fraction
    eng = [[F(v) for v in t] for t in out["engine"]]
    fd = [[C.mpf_fraction(v) for v in t] for t in out["fdot"]]
    eng20 = [[F(v) for v in t] for t in run_engine(problem, steps=20)]
    lp20 = [[C.mpf_fraction(v) for v in t] for t in run_mpmath(X, y, steps=20, loops=True)]
    agree = {
        "engine_vs_mpmath_fdot_theta_200": min(C.digits(a, b) for a, b in zip(eng, fd)),
        "engine_vs_mpmath_fdot_beta_200": C.digits([a * b for a, b in zip(*eng)],
                                                   [a * b for a, b in zip(*fd)]),
        "engine_vs_mpmath_loops_theta_20": min(C.digits(a, b) for a, b in zip(eng20, lp20)),
        "engine_gd_vs_engine_theta_200": min(
            C.digits(list(a), b) for a, b in zip(out["gd"].theta, eng)),
    }
    speedup = per["mpmath_fdot"] / per["engine"]
    result = {
        "benchmark": "mp_engine",
        "problem": {"n": C.N, "d": C.D, "param": "product", "alpha": C.ALPHA, "eta": C.ETA,
                    "steps": C.STEPS, "dps": C.DPS, "seed": C.SEED},
        "speedup_vs_mpmath_fdot": C.rounded(speedup),
        "speedup_vs_mpmath_loops": C.rounded(per["mpmath_loops"] / per["engine"]),
        "end_to_end_speedup_vs_mpmath_fdot": C.rounded(e2e["mpmath_fdot"] / e2e["engine"]),
        "end_to_end_engine_gd_speedup_vs_mpmath_fdot": C.rounded(
            e2e["mpmath_fdot"] / e2e["engine_gd"]),
        "target": f">= {TARGET:g}",
        "target_met": bool(speedup >= TARGET),
        "agreed_digits": {k: C.rounded(v, 4) for k, v in agree.items()},
        "per_step_ms": {k: C.rounded(1e3 * t) for k, t in per.items()},
        "end_to_end_ms": {k: C.rounded(1e3 * t) for k, t in e2e.items()},
        "wall_s": C.rounded(time.perf_counter() - t_start),
    }
    result["agreement_ok"] = bool(min(agree.values()) >= MIN_DIGITS)
    return result


if __name__ == "__main__":
    res = main()
    C.emit(res)
    sys.exit(0 if res["agreement_ok"] else 1)
