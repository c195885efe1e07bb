"""Shared helpers for the benchmarks: the benchmark problem, a robust timer, JSON output.

Not a test module: the benchmarks print ratios, they assert nothing about absolute time.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run as ``python benchmarks/bench_x.py`` from a checkout
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from numerics.problem import Problem  # noqa: E402

#: the benchmark problem of issue 3, item 7
N, D = 20, 100
SEED = 20260523
ALPHA = 0.1
ETA = 0.01
STEPS = 200
DPS = 50


def data(n: int = N, d: int = D, seed: int = SEED):
    """Random data with a fixed seed: ``X`` standard normal, ``y = X beta*`` (5-sparse ``beta*``).

    All entries are float64 numbers, so every backend (and the reference loops) starts from the
    same exact binary values.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    beta_star = np.zeros(d)
    beta_star[: min(5, d)] = 1.0
    y = X @ beta_star
    return X, y


def problem(n: int = N, d: int = D, seed: int = SEED, alpha: float = ALPHA) -> Problem:
    """The product-parametrised problem (``u0 = sqrt(2) alpha``, ``v0 = 0``) on :func:`data`."""
    X, y = data(n, d, seed)
    return Problem(X, y, alpha, param="product")


def best_of(fn, repeats: int) -> float:
    """Minimum wall time (``time.perf_counter``) of ``repeats`` calls of ``fn``."""
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def side_by_side(fns: dict, repeats: int) -> dict:
    """Minimum wall time per callable, the callables interleaved in each round.

    Interleaving makes slow phases of a shared machine hit every contender alike, so the
    ratios are steadier than the absolute times.
    """
    best = {k: math.inf for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def per_step(steppers: dict, rounds: int, warmup: int = 5, budget_s: float = 20.0) -> dict:
    """Steady-state seconds per GD step of each contender: the minimum over many short chunks.

    ``steppers`` maps a name to ``(step, chunk)``: ``step()`` advances that contender's own
    trajectory by one GD step, and ``chunk`` steps are timed together (chosen so a chunk
    lasts about a millisecond). Contenders are interleaved round by round, and the minimum
    over rounds is kept: on a shared machine a short chunk often runs undisturbed, so the
    minima (and their ratios) are stable where means of long runs are not.
    """
    for step, _ in steppers.values():
        for _ in range(warmup):
            step()
    best = {k: math.inf for k in steppers}
    t_end = time.perf_counter() + budget_s
    for _ in range(rounds):
        for name, (step, chunk) in steppers.items():
            t0 = time.perf_counter()
            for _ in range(chunk):
                step()
            best[name] = min(best[name], (time.perf_counter() - t0) / chunk)
        if time.perf_counter() > t_end:
            break
    return best


def engine_stepper(problem, eta, backend, dps=None):
    """``(step, close)`` for the engine's generator :func:`numerics.gd.iterate`.

    ``close()`` must be called when done: the generator holds the backend's precision scope.
    """
    from numerics.gd import iterate

    gen = iterate(problem, eta, backend=backend, dps=dps)
    next(gen)  # setup (data conversion) happens here, outside the timed steps
    return (lambda: next(gen)), gen.close


def digits(a, b) -> float:
    """Decimal digits on which two vectors agree: ``-log10(max|a-b| / max|b|)`` (exact)."""
    a = [Fraction(v) for v in a]
    b = [Fraction(v) for v in b]
    scale = max(abs(v) for v in b)
    diff = max(abs(x - z) for x, z in zip(a, b))
    if diff == 0:
        return math.inf
    return -math.log10(float(diff / scale)) if scale else -math.log10(float(diff))


def mpf_fraction(x) -> Fraction:
    """The exact value of an mpmath ``mpf``."""
    sign, man, exp, _ = x._mpf_  # (``x.man_exp`` drops the sign)
    q = Fraction(int(man) << exp) if exp >= 0 else Fraction(int(man), 1 << -exp)
    return -q if sign else q


def emit(obj: dict) -> None:
    """Print one JSON line (infinite digits as the string ``"inf"``)."""

    def fix(v):
        if isinstance(v, float) and not math.isfinite(v):
            return "inf" if v > 0 else ("-inf" if v < 0 else "nan")
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v

    print(json.dumps(fix(obj), sort_keys=False))


def rounded(x: float, nd: int = 3) -> float:
    """``x`` to ``nd`` significant digits (for readable JSON)."""
    if not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{nd}g}")


def met_line(met: dict) -> str:
    """``met: a=yes, b=NO``: which targets a benchmark met."""
    return "met: " + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in met.items())


def script(main, table) -> None:
    """Run a benchmark as a script: its table (unless ``--json``), its JSON line, and exit 1
    when its contenders disagreed."""
    result = main()
    if "--json" not in sys.argv:
        print(table(result))
    emit(result)
    sys.exit(0 if result["agreement_ok"] else 1)
