"""Benchmark (f), issue 9: whole ``gradient_descent`` calls on the compiled engine.

Problems (as issue 9 item 6 defines them):

``P1``
    the paper's default instance (n = 1, d = 2), ``eta = 3/5``, 10^4 steps;
``P2``
    the n = 20, d = 100 product problem of ``_common.py``, ``eta = 0.01``, 200 steps;
``P3``
    64 learning rates in ``[0.05, 0.85]``, one sample ``x = (1, 1/2, 1/4)``, ``y = 1``,
    ``alpha = 1/100``, shared, 2000 steps.

Contenders, interleaved round by round, 3 repeats, minimum and median kept:

* ``numpy_loop``: a plain numpy float64 loop of the same steps (the update formulas only;
  ``bench_batch.numpy_loop``): the baseline of the targets;
* ``float64_floor``: the compiled float64 kernel alone (``numerics.kernels.run`` on a state
  prepared outside the timing), the floor any compiled path sits on;
* ``gd_float64``, ``gd_dd``, ``gd_qd``: the *whole* ``numerics.gradient_descent`` call on that
  backend with its default options (records, final sharpness, gains, risk; conversions in and
  out included), stopping disabled so that every contender takes the same steps.

Batches (P2 with 64 rates in ``[0.002, 0.02]`` and 500 steps, P3): the compiled float64 batch
(``gradient_descent_batch``, ``engine="compiled"``) against one batched numpy array
(``engine="reference"``), default tolerance: rows that converge or diverge early stop early in
both, and the statuses must be equal.

Scaling: the dd and qd kernels' cost per step against ``n d`` from 1e2 to 1e5
(``bench_kernels.scaling``), exponent fitted over the top decade. Large d (issue 13 item 3):
a d = 2000 one-sample run that does not converge, its whole call against its steps (phases
timed through ``progress=``). Compilation (cold cache, a subprocess with a fresh
``NUMBA_CACHE_DIR``) and the first call of a fresh process with a warm cache are measured
separately (``bench_kernels.compile_times``) and excluded from every ratio.

Targets: ``gd_dd`` <= 1.0 x ``numpy_loop`` and ``gd_qd`` <= 5 x on P1 and P2; the compiled
float64 batch >= 10 x faster than the numpy batch on P2 and P3; top-decade exponent <= 1.1;
the d = 2000 call <= 2 x its steps; a warm first call <= 1 s.

``python benchmarks/bench_engine.py`` prints a table and a JSON line; ``--json`` the JSON only.
"""

from __future__ import annotations

import time
from fractions import Fraction

import _common as C
import numpy as np
from bench_batch import numpy_loop
from bench_kernels import compile_times, interleaved, scaling

from numerics import gradient_descent, gradient_descent_batch
from numerics.kernels import prepare, run
from numerics.problem import DEFAULT_INSTANCE, Problem

TARGETS = {"dd_over_numpy": 1.0, "qd_over_numpy": 5.0, "batch_speedup": 10.0, "exponent": 1.1,
           "large_d_over_steps": 2.0, "warm_first_call_s": 1.0}


def phases(problem, eta, steps, fmt, **kw) -> dict:
    """Seconds of each phase of one whole call (through ``progress=``): ``steps`` (the kernel
    calls and the bookkeeping between them), ``final sharpness``, and ``other`` (the rest:
    preparing the limbs, the final measurements in Arb, the result)."""
    spent: dict = {}
    mark = [None, 0.0]

    def progress(phase, done, total):
        now = time.perf_counter()
        if mark[0] is not None:
            spent[mark[0]] = spent.get(mark[0], 0.0) + now - mark[1]
        mark[0], mark[1] = phase, now

    t0 = time.perf_counter()
    res = gradient_descent(problem, eta, steps, backend=fmt, progress=progress, **kw)
    whole = time.perf_counter() - t0
    progress(None, 0, 0)
    spent["other"] = whole - sum(spent.values())
    return {"status": res.status, "whole_s": C.rounded(whole),
            "phases_s": {k: C.rounded(v) for k, v in spent.items()}}


def single(problem, eta, steps) -> dict:
    """P1 / P2: one learning rate, the whole call against the numpy loop and the floor."""
    every = dict(stop_at_convergence=False)
    contenders = {
        "numpy_loop": (lambda: None, lambda _: numpy_loop(problem, float(eta), steps)),
        "float64_floor": (lambda: prepare(problem, [eta], steps, fmt="float64",
                                          stop_at_convergence=False),
                          lambda s: (run(s), s)[1]),
    }
    for fmt in ("float64", "dd", "qd"):
        contenders[f"gd_{fmt}"] = (lambda: None, lambda _, f=fmt: gradient_descent(
            problem, eta, steps, backend=f, **every))
    t = interleaved(contenders)
    base, floor = t["numpy_loop"][0], t["float64_floor"][0]
    results = {k: v[2] for k, v in t.items()}
    statuses = {k: results[k].status for k in ("gd_float64", "gd_dd", "gd_qd")}
    checks = {
        "all_steps_taken": all(results[k].steps == steps for k in statuses),
        "dd_vs_qd_digits_beta": C.rounded(C.digits(results["gd_dd"].beta,
                                                   results["gd_qd"].beta), 4),
        "float64_vs_numpy_max_abs_diff_beta": float(np.max(np.abs(
            np.array([float(b) for b in results["gd_float64"].beta])
            - results["numpy_loop"]))),
    }
    ok = (checks["all_steps_taken"] and checks["float64_vs_numpy_max_abs_diff_beta"] <= 1e-9
          and checks["dd_vs_qd_digits_beta"] >= 25)
    return {
        "steps": steps, "statuses": statuses,
        "phases": {fmt: phases(problem, eta, steps, fmt, **every) for fmt in ("dd", "qd")},
        "ms_min": {k: C.rounded(1e3 * v[0]) for k, v in t.items()},
        "ms_median": {k: C.rounded(1e3 * v[1]) for k, v in t.items()},
        "ratio_over_numpy_loop": {k: C.rounded(t[k][0] / base)
                                  for k in ("float64_floor", "gd_float64", "gd_dd", "gd_qd")},
        "ratio_over_float64_floor": {k: C.rounded(t[k][0] / floor)
                                     for k in ("numpy_loop", "gd_float64", "gd_dd", "gd_qd")},
        "checks": checks, "ok": bool(ok),
    }


def batch(problem, etas, steps) -> dict:
    """The compiled float64 batch against one batched numpy array (same rows, same stops)."""
    contenders = {
        engine: (lambda: None, lambda _, e=engine: gradient_descent_batch(problem, etas, steps,
                                                                        engine=e))
        for engine in ("reference", "compiled")}
    t = interleaved(contenders)
    ref, got = t["reference"][2], t["compiled"][2]
    live = [j for j, s in enumerate(ref.status) if s == "converged"]
    checks = {
        "statuses_equal": ref.status == got.status,
        "statuses": {s: ref.status.count(s) for s in sorted(set(ref.status))},
        "max_abs_diff_beta_converged": float(np.max(np.abs(ref.beta[live] - got.beta[live])))
        if live else 0.0,
    }
    return {
        "rates": len(etas), "steps": steps,
        "ms_min": {k: C.rounded(1e3 * v[0]) for k, v in t.items()},
        "ms_median": {k: C.rounded(1e3 * v[1]) for k, v in t.items()},
        "speedup_compiled_vs_numpy_batch": C.rounded(t["reference"][0] / t["compiled"][0]),
        "checks": checks,
        "ok": bool(checks["statuses_equal"] and checks["max_abs_diff_beta_converged"] <= 1e-9),
    }


def large_d(d: int = 2000, steps: int = 2000) -> dict:
    """Issue 13 item 3: one sample, d = 2000, not converging; whole call against its steps."""
    rng = np.random.default_rng(0)
    x = [Fraction(int(v), 1000) for v in rng.integers(1, 2000, d)]
    out = {}
    for param in ("shared", "product"):
        problem = Problem(x, 1, Fraction(1, 100), param=param)
        for fmt in ("dd", "qd"):
            gradient_descent(problem, Fraction(1, 2000), 10, backend=fmt)  # kernels loaded
            res = phases(problem, Fraction(1, 2000), steps, fmt)
            res["whole_over_steps"] = C.rounded(res["whole_s"] / res["phases_s"]["steps"])
            out[f"{param}_{fmt}"] = res
    return out


def main() -> dict:
    t_start = time.perf_counter()
    p1 = single(Problem(**DEFAULT_INSTANCE), Fraction(3, 5), 10_000)
    p2 = single(C.problem(), Fraction(C.ETA), C.STEPS)
    b2 = batch(C.problem(), [Fraction(float(e)) for e in np.linspace(0.002, 0.02, 64)], 500)
    p3 = Problem([1, Fraction(1, 2), Fraction(1, 4)], 1, Fraction(1, 100))
    b3 = batch(p3, [Fraction(float(e)) for e in np.linspace(0.05, 0.85, 64)], 2000)
    sc = scaling()
    big = large_d()
    comp = compile_times()
    met = {}
    for name, res in (("P1", p1), ("P2", p2)):
        r = res["ratio_over_numpy_loop"]
        met[f"{name}_dd"] = bool(r["gd_dd"] <= TARGETS["dd_over_numpy"])
        met[f"{name}_qd"] = bool(r["gd_qd"] <= TARGETS["qd_over_numpy"])
    for name, res in (("P2", b2), ("P3", b3)):
        met[f"{name}_batch"] = bool(res["speedup_compiled_vs_numpy_batch"]
                                    >= TARGETS["batch_speedup"])
    for fmt in ("dd", "qd"):
        met[f"scaling_{fmt}"] = bool(sc["exponent_top_decade"][fmt] <= TARGETS["exponent"])
    met["large_d"] = bool(max(v["whole_over_steps"] for v in big.values())
                          <= TARGETS["large_d_over_steps"])
    met["warm_first_call"] = bool(comp["warm"]["total_s"] <= TARGETS["warm_first_call_s"])
    return {"benchmark": "engine", "targets": TARGETS, "P1": p1, "P2": p2, "P2_batch": b2,
            "P3_batch": b3, "scaling": sc, "large_d": big, "compile": comp, "met": met,
            "agreement_ok": bool(p1["ok"] and p2["ok"] and b2["ok"] and b3["ok"]),
            "wall_s": C.rounded(time.perf_counter() - t_start)}


def table(res: dict) -> str:
    rows = [f"{'':14}{'floor':>8}{'gd f64':>8}{'gd dd':>8}{'gd qd':>8}"
            "   (min time / numpy float64 loop)"]
    for p in ("P1", "P2"):
        r = res[p]["ratio_over_numpy_loop"]
        rows.append(f"{p:14}{r['float64_floor']:>8}{r['gd_float64']:>8}{r['gd_dd']:>8}"
                    f"{r['gd_qd']:>8}")
    for p in ("P2_batch", "P3_batch"):
        rows.append(f"{p:14} compiled float64 batch "
                    f"{res[p]['speedup_compiled_vs_numpy_batch']}x faster than numpy's")
    e = res["scaling"]["exponent_top_decade"]
    rows.append(f"{'exponent':14} top decade: dd {e['dd']}, qd {e['qd']}, float64 {e['float64']}")
    rows.append("large d: " + ", ".join(f"{k} {v['whole_over_steps']}x its steps"
                                        for k, v in res["large_d"].items()))
    c = res["compile"]
    rows.append(f"compile: cold {c['cold']['total_s']} s, warm first call {c['warm']['total_s']} s")
    rows.append(C.met_line(res["met"]))
    return "\n".join(rows)


if __name__ == "__main__":
    C.script(main, table)
