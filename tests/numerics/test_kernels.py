"""Tests of numerics.kernels (compiled float64 / double-double / quad-double GD).

Expected values come from independent routes only: exact rational arithmetic (Fractions), a
100-digit GD written here with a private mpmath context, and the numpy engine numerics.gd.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
import sys
import textwrap
from fractions import Fraction as F

import mpmath
import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.errors import DomainError
from numerics.gd import gradient_descent, gradient_descent_batch, iterate
from numerics.kernels import prepare, run
from numerics.kernels.convert import from_limbs, sqrt2_times_limbs, tiny, to_limbs
from numerics.kernels.dd import dd_add, dd_dot, dd_mul
from numerics.kernels.eft import FMA_HARDWARE, fma, quick_two_sum, two_prod, two_sum
from numerics.kernels.qd import qd_add, qd_dot, qd_mul
from numerics.problem import Problem

U = F(1, 2**53)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# doubles with full 53-bit mantissas, magnitudes 2^-400 .. 2^400 (no under/overflow in EFTs)
doubles = st.builds(lambda m, e, s: s * math.ldexp(m, e), st.integers(2**52, 2**53 - 1),
                    st.integers(-452, 348), st.sampled_from([1.0, -1.0]))
unit = st.floats(-1, 1, exclude_min=True, exclude_max=True)


def expansion(L):
    """A normalised L-limb number: each limb at most half an ulp of the previous one."""
    return st.builds(lambda x0, ts: _limbs_from(x0, ts), doubles, st.lists(unit, min_size=L - 1,
                                                                          max_size=L - 1))


def _limbs_from(x0, ts):
    out = [x0]
    for t in ts:
        prev = out[-1]
        out.append(math.ulp(prev) / 2 * t if prev != 0 else 0.0)
    return tuple(out)


def exact(t) -> F:
    return sum((F(v) for v in t), F(0))


# ----------------------------------------------------------------- error-free transformations
@given(doubles, doubles, doubles)
def test_fma_rounds_once(a, b, c):
    assert fma(a, b, c) == float(F(a) * F(b) + F(c))  # float(Fraction) rounds correctly


@given(doubles, doubles)
def test_two_prod_recovers_the_exact_product(a, b):
    p, e = two_prod(a, b)
    assert p == a * b
    assert F(p) + F(e) == F(a) * F(b)


@given(doubles, doubles)
def test_two_sum_and_quick_two_sum_are_exact(a, b):
    s, e = two_sum(a, b)
    assert s == a + b and F(s) + F(e) == F(a) + F(b)
    big, small = (a, b) if abs(a) >= abs(b) else (b, a)
    s, e = quick_two_sum(big, small)
    assert s == a + b and F(s) + F(e) == F(a) + F(b)


@pytest.mark.skipif(not FMA_HARDWARE, reason="no FMA3 on this CPU: llvm.fma is a libm call")
def test_fma_is_one_hardware_instruction():
    fresh = numba.njit(cache=False)(two_prod.py_func)  # cached code cannot be inspected
    fresh(1.0, 3.0)
    asm = "\n".join(fresh.inspect_asm().values()).lower()
    assert "vfmadd" in asm or "vfmsub" in asm or "vfnmadd" in asm or "vfnmsub" in asm


# ------------------------------------------------------------------------ dd / qd arithmetic
def _rel_err(z, want: F) -> F:
    return abs(exact(z) - want) / abs(want) if want else abs(exact(z))


def _normalised(z) -> bool:
    return all(abs(lo) <= math.ulp(hi) / 2 for hi, lo in zip(z, z[1:]) if hi != 0)


def _partner(L):
    """The second operand: independent, or the negation of the first plus a small change
    (massive cancellation)."""
    return st.one_of(expansion(L).map(lambda y: ("free", y)),
                     st.tuples(st.integers(0, L - 1), unit).map(lambda p: ("cancel", p)))


def _second(x, how):
    kind, val = how
    if kind == "free":
        return val
    i, t = val
    y = [-v for v in x]
    y[i] = y[i] + math.ulp(y[i]) * t if y[i] != 0 else t * 2.0**-600
    return tuple(to_limbs(exact(y), len(x)))


@given(expansion(2), _partner(2))
def test_dd_add_within_3u2(x, how):
    y = _second(x, how)
    z = dd_add(x, y)
    assert _rel_err(z, exact(x) + exact(y)) <= 3 * U**2 / (1 - 4 * U)
    assert _normalised(z)


@given(expansion(2), expansion(2))
def test_dd_mul_within_5u2(x, y):
    z = dd_mul(x, y)
    assert _rel_err(z, exact(x) * exact(y)) <= 5 * U**2
    assert _normalised(z)


@given(expansion(4), _partner(4))
def test_qd_add_within_2_pow_minus_209(x, how):
    y = _second(x, how)
    z = qd_add(x, y)
    assert _rel_err(z, exact(x) + exact(y)) <= F(1, 2**209)
    assert _normalised(z)


@given(expansion(4), expansion(4))
def test_qd_mul_within_2_pow_minus_207(x, y):
    z = qd_mul(x, y)
    assert _rel_err(z, exact(x) * exact(y)) <= F(1, 2**207)
    assert _normalised(z)


@given(st.lists(st.tuples(expansion(2), expansion(2)), min_size=1, max_size=12),
       st.booleans())
def test_dd_dot_error_shrinks_with_the_result(pairs, cancel):
    A = np.array([a for a, _ in pairs])
    x = np.array([b for _, b in pairs])
    total = sum(exact(a) * exact(b) for a, b in pairs)
    c = tuple(to_limbs(-total, 2)) if cancel else (0.0, 0.0)  # cancel: result ~ u^2 |total|
    got = dd_dot(A, 0, x, 0, len(pairs), c)
    want = total + exact(c)
    scale = sum(abs(exact(a) * exact(b)) for a, b in pairs) + abs(exact(c))
    assert abs(exact(got) - want) <= 3 * U**2 * abs(want) + 16 * len(pairs) * U**3 * scale


@given(st.lists(st.tuples(expansion(4), expansion(4)), min_size=1, max_size=12),
       st.booleans(), st.booleans())
def test_qd_dot_error_is_of_quad_double_size(pairs, cancel, double_data):
    if double_data:  # float64 data: the branch that skips the zero limbs of A
        pairs = [((a[0], 0.0, 0.0, 0.0), b) for a, b in pairs]
    A = np.array([a for a, _ in pairs])
    x = np.array([b for _, b in pairs])
    total = sum(exact(a) * exact(b) for a, b in pairs)
    c = tuple(to_limbs(-total, 4)) if cancel else (0.0,) * 4
    got = qd_dot(A, 0, x, 0, len(pairs), c)
    want = total + exact(c)
    scale = sum(abs(exact(a) * exact(b)) for a, b in pairs) + abs(exact(c))
    assert abs(exact(got) - want) <= F(1, 2**209) * abs(want) + 16 * len(pairs) * U**4 * scale


# ------------------------------------------------------------------------------ conversions
fractions = st.builds(lambda n, d, e: F(n, d) * F(2) ** e, st.integers(-10**40, 10**40),
                      st.integers(1, 10**40), st.integers(-700, 700))


def _is_nearest(limb: float, rem: F) -> bool:
    return all(abs(rem - F(limb)) <= abs(rem - F(nb))
               for nb in (math.nextafter(limb, math.inf), math.nextafter(limb, -math.inf)))


@pytest.mark.parametrize("L", [1, 2, 4])
@given(q=fractions)
def test_to_limbs_rounds_each_limb_to_nearest(L, q):
    limbs = to_limbs(q, L)
    rem = q
    for v in limbs:
        assert _is_nearest(v, rem)
        rem -= F(v)
    assert abs(rem) <= F(math.ulp(limbs[-1])) / 2
    assert from_limbs(limbs) == q - rem


def test_from_limbs_is_the_exact_sum():
    assert from_limbs((1.0, 2.0**-60, -(2.0**-130))) == 1 + F(1, 2**60) - F(1, 2**130)


@pytest.mark.parametrize("L", [1, 2, 4])
@given(alpha=st.fractions(min_value=F(1, 10**6), max_value=10**6))
def test_sqrt2_alpha_limbs_are_greedy_from_the_real(L, alpha):
    ctx = mpmath.MPContext()
    ctx.prec = 53 * L + 200
    rem = ctx.sqrt(2) * ctx.mpf(alpha.numerator) / alpha.denominator
    for v in sqrt2_times_limbs(alpha, L):
        nbs = (math.nextafter(v, math.inf), math.nextafter(v, -math.inf))
        assert all(abs(rem - v) < abs(rem - nb) for nb in nbs)
        rem -= v


def test_values_outside_the_full_precision_range_are_refused():
    with pytest.raises(DomainError):
        to_limbs(F(2) ** -1000, 2)
    with pytest.raises(DomainError):
        prepare(Problem([1, 1], 1, F(2) ** -900), [F(1, 10)], 10, fmt="qd")


# --------------------------------------------------- accuracy against a 100-digit mpmath GD
def reference_gd(problem, eta, steps, dps=100):
    """GD in a private mpmath context, plain loops, exact inputs (independent of numerics)."""
    ctx = mpmath.MPContext()
    ctx.dps = dps

    def q(v):
        v = F(v)
        return ctx.mpf(v.numerator) / v.denominator

    X = [[q(v) for v in row] for row in problem.X]
    y = [q(v) for v in problem.y]
    n, d, D, e, a = problem.n, problem.d, problem.depth, q(eta), q(problem.alpha)
    param = problem.param
    if param == "shared":
        th = [[a] * d]
    elif param == "product":
        th = [[ctx.sqrt(2) * a] * d, [ctx.mpf(0)] * d]
    else:
        th = [[a] * d, [a] * d]

    def beta(th):
        if param == "shared":
            return [w**D for w in th[0]]
        if param == "product":
            return [u * v for u, v in zip(*th)]
        return [u * u - v * v for u, v in zip(*th)]

    for _ in range(steps):
        b = beta(th)
        r = [ctx.fsum(X[i][j] * b[j] for j in range(d)) - y[i] for i in range(n)]
        g = [ctx.fsum(X[i][j] * r[i] for i in range(n)) / n for j in range(d)]
        if param == "shared":
            th = [[w - e * D * gj * w ** (D - 1) for w, gj in zip(th[0], g)]]
        elif param == "product":
            u, v = th
            th = [[ui - e * gj * vi for ui, vi, gj in zip(u, v, g)],
                  [vi - e * gj * ui for ui, vi, gj in zip(u, v, g)]]
        else:
            th = [[ui * (1 - 2 * e * gj) for ui, gj in zip(th[0], g)],
                  [vi * (1 + 2 * e * gj) for vi, gj in zip(th[1], g)]]
    return ctx, th, beta(th)


def _digits(ctx, got, want) -> float:
    """Fewest correct significant digits over the coordinates (relative, per coordinate)."""
    worst = math.inf
    for a, b in zip(got, want):
        diff = abs(ctx.mpf(a.numerator) / a.denominator - b)
        worst = min(worst, math.inf if diff == 0 else float(-ctx.log10(diff / abs(b))))
    return worst


def _data(seed, n, d, nonneg):
    rnd = random.Random(seed)
    X = [[F(rnd.randint(-4, 4), rnd.randint(1, 4)) for _ in range(d)] for _ in range(n)]
    bs = [F(rnd.randint(0 if nonneg else -2, 2), rnd.randint(1, 3)) for _ in range(d)]
    return X, [sum(X[i][j] * bs[j] for j in range(d)) for i in range(n)]


ONE = dict(X=[1, F(1, 2)], y=1)
ACCURACY_CASES = {
    # n = 1 (the paper's default instance first; eta = 3/5 converges)
    "shared-D2-n1": (dict(ONE, alpha=F(1, 100)), F(3, 5)),
    "shared-D3-n1": (dict(ONE, alpha=F(1, 10), depth=3), F(1, 5)),
    "product-n1": (dict(ONE, alpha=F(1, 10), param="product"), F(1, 5)),
    "difference-n1": (dict(ONE, alpha=F(1, 10), param="difference"), F(1, 5)),
    # n = 3, d = 4, small random rationals (fixed seeds); eta inside the stable range
    # (S eta / 2 at the end: 0.89, 0.38, 0.30, 0.31; shared-D2-n3 diverges at eta = 1/20)
    "shared-D2-n3": (dict(zip("Xy", _data(1, 3, 4, True)), alpha=F(1, 10)), F(1, 50)),
    "shared-D3-n3": (dict(zip("Xy", _data(2, 3, 4, True)), alpha=F(1, 10), depth=3), F(1, 20)),
    "product-n3": (dict(zip("Xy", _data(3, 3, 4, False)), alpha=F(1, 10), param="product"),
                   F(1, 20)),
    "difference-n3": (dict(zip("Xy", _data(4, 3, 4, False)), alpha=F(1, 10),
                           param="difference"), F(1, 20)),
}
STEPS = 10_000


@pytest.mark.parametrize("case", list(ACCURACY_CASES))
def test_dd_and_qd_agree_with_100_digit_gd(case):
    kw, eta = ACCURACY_CASES[case]
    problem = Problem(**kw)
    ctx, theta, beta = reference_gd(problem, eta, STEPS)
    for fmt, need in (("dd", 29), ("qd", 58)):
        s = prepare(problem, [eta], STEPS, fmt=fmt, stop_at_convergence=False)
        run(s)
        assert s.statuses[0] in ("converged", "not_converged") and s.k[0] == STEPS
        got = s.theta_fractions(0)
        for blk_got, blk_want in zip(got, theta):
            assert _digits(ctx, blk_got, blk_want) >= need, (fmt, "theta")
        assert _digits(ctx, s.values("beta", 0), beta) >= need, (fmt, "beta")


# ------------------------------------------------------------------------- stopping rules
DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100))


def _engine(problem, eta, steps):
    """The numpy engine (the reference path of float64)."""
    return gradient_descent(problem, eta, steps, backend="float64", engine="reference",
                            record_every=steps, record_sharpness=False, final_sharpness=False)


@pytest.mark.parametrize("eta", [F(3), F(11, 10)])
def test_divergence_step_matches_the_engine(eta):
    want = _engine(DEFAULT, eta, 500)
    assert want.status == "diverged"
    s = prepare(DEFAULT, [eta], 500, fmt="float64")
    run(s)
    assert s.statuses == ["diverged"] and s.k[0] == want.diverged_at
    for fmt in ("dd", "qd"):
        s = prepare(DEFAULT, [eta], 500, fmt=fmt)
        run(s)
        assert s.statuses == ["diverged"] and abs(int(s.k[0]) - want.diverged_at) <= 2


def test_convergence_matches_the_engine():
    want = _engine(DEFAULT, F(1, 10), 5000)
    assert want.status == "converged"
    s = prepare(DEFAULT, [F(1, 10)], 5000, fmt="float64")
    run(s)
    assert s.statuses == ["converged"] and s.k[0] == want.steps
    assert s.theta_fractions(0) == want.theta
    for fmt in ("dd", "qd"):
        s = prepare(DEFAULT, [F(1, 10)], 5000, fmt=fmt)
        run(s)
        assert s.statuses == ["converged"] and s.k[0] > want.steps  # tighter default tol


def test_batch_matches_gradient_descent_batch():
    etas = [F(1, 1000), F(1, 20), F(1, 10), F(3, 10), F(3, 5), F(9, 10), F(11, 10), F(3)]
    want = gradient_descent_batch(DEFAULT, etas, 3000, engine="reference")
    s = prepare(DEFAULT, etas, 3000, fmt="float64", check_every=16)
    run(s)
    assert s.statuses == want.status
    assert s.k.tolist() == [int(v) for v in want.steps]
    assert np.array_equal(s.theta[:, 0, :, 0], want.theta[0])
    assert len(set(want.status)) == 3  # all three verdicts are exercised


@pytest.mark.parametrize("fmt", ["float64", "dd", "qd"])
def test_finished_rows_are_frozen_and_chunks_change_nothing(fmt):
    etas = [F(1, 10), F(2), F(3, 5)]
    whole = prepare(DEFAULT, etas, 600, fmt=fmt)
    run(whole)
    parts = prepare(DEFAULT, etas, 600, fmt=fmt)
    snapshots = {}
    for k in range(7, 601, 7):
        run(parts, k)
        for b in np.nonzero(parts.status)[0]:
            snapshots.setdefault(b, (parts.theta[b].copy(), parts.G_sum[b].copy(), parts.k[b]))
    run(parts)
    assert whole.statuses == parts.statuses == ["converged", "diverged", "not_converged"]
    for name in ("theta", "G_sum", "k", "below", "status"):
        assert np.array_equal(getattr(whole, name), getattr(parts, name)), name
    for b, (theta, G, k) in snapshots.items():  # frozen after finishing
        assert np.array_equal(parts.theta[b], theta) and np.array_equal(parts.G_sum[b], G)
        assert parts.k[b] == k
    # the frozen state is the state of the finishing step (a single row paused there)
    single = prepare(DEFAULT, [etas[0]], 600, fmt=fmt)
    run(single, int(whole.k[0]))
    assert np.array_equal(single.theta[0], whole.theta[0])


# --------------------------------------------------------- float64 path against the engine
def test_float64_kernel_is_bitwise_the_engine_on_the_default_instance():
    gen = iterate(DEFAULT, F(3, 5), backend="float64")  # the reference path's generator
    states = [next(gen) for _ in range(301)]
    s = prepare(DEFAULT, [F(3, 5)], 300, fmt="float64", stop_at_convergence=False)
    for k in (1, 2, 50, 300):
        run(s, k)
        assert np.array_equal(s.theta[0, 0, :, 0], states[k].theta[0])
        assert np.array_equal(s.G_sum[0, :, 0], states[k].G_sum)


@pytest.mark.parametrize("param,depth", [("product", 2), ("difference", 2), ("shared", 3)])
def test_float64_kernel_step_is_within_4_ulps_of_the_engine(param, depth):
    # dot products are summed in index order here, by BLAS in the engine; w^3 is w*w*w here
    rng = np.random.default_rng(7)
    X = rng.standard_normal((20, 10))
    y = np.abs(rng.standard_normal(20)) if param == "shared" else rng.standard_normal(20)
    p = Problem(X, y, 0.3, param=param, depth=depth)
    gen = iterate(p, F(1, 100), backend="float64")
    states = [next(gen) for _ in range(301)]
    worst = 0.0
    for k in range(0, 300, 13):
        s = prepare(p, [F(1, 100)], k + 1, fmt="float64", start=k, stop_at_convergence=False,
                    theta0=[[F(v) for v in t] for t in states[k].theta],
                    G_sum0=[F(v) for v in states[k].G_sum])
        run(s)
        got, want = s.theta[0, :, :, 0], np.array(states[k + 1].theta)
        worst = max(worst, float(np.max(np.abs(got - want) / np.vectorize(math.ulp)(want))))
    assert worst <= 4
    s = prepare(p, [F(1, 100)], 300, fmt="float64", stop_at_convergence=False)
    run(s)
    want = np.array(states[300].theta)
    assert np.max(np.abs(s.theta[0, :, :, 0] - want) / np.abs(want)) <= 300 * 4 * 2.0**-52


# ---------------------------------------------------------------------------- exponent range
@pytest.mark.parametrize("fmt, digits", [("float64", 12), ("dd", 27), ("qd", 58)])
def test_a_decaying_coordinate_is_scaled_never_flushed(fmt, digits):
    """y < 0 is out of reach of beta = w^2 >= 0: r -> 1, g > 0, so w shrinks by ~0.8 a step,
    to ~2^-970 after 3000 steps; the scaled coordinates follow a 100-digit mpmath GD (whose
    exponent is unbounded) to the format's digits."""
    p = Problem([1, F(1, 2)], -1, F(1, 100))
    s = prepare(p, [F(1, 10)], 3000, fmt=fmt, stop_at_convergence=False)
    run(s)
    assert s.statuses == ["not_converged"] and s.scale[0, 0].tolist() == [-1200, -600]
    w = s.theta_fractions(0)[0]
    assert w[0] ** 2 < F(tiny(4)) and w[0] != 0  # far out of the range, and not zero
    ctx, th, _ = reference_gd(p, F(1, 10), 3000)
    assert _digits(ctx, w, th[0]) >= digits


def test_scaling_is_exact_where_float64_is_normal_and_never_flushes():
    """eta = 0.95: w_2 decays in the chaotic phase; while numpy's w_2 is a normal double the
    scaled float64 kernel is bit for bit the numpy engine (a power of two commutes with every
    rounding), then numpy goes subnormal and flushes w_2 to zero; the kernel does not."""
    gen = iterate(DEFAULT, F(95, 100), backend="float64")
    s = prepare(DEFAULT, [F(95, 100)], 20_000, fmt="float64")
    normal = True
    for k in range(0, 20_001, 250):
        while True:
            state = next(gen)
            if state.k == k:
                break
        run(s, k)
        w2 = state.theta[0][1]
        if abs(w2) < 2.0**-1022:
            normal = False
        if normal:
            assert s.theta_fractions(0) == ((F(float(state.theta[0][0])), F(float(w2))),), k
    assert not normal and state.theta[0][1] == 0  # numpy flushed w_2 to zero ...
    assert s.statuses == ["not_converged"] and s.theta_fractions(0)[0][1] != 0  # ... not here


@pytest.mark.parametrize("fmt", ["float64", "dd", "qd"])
def test_range_when_a_term_left_out_could_matter(fmt):
    """x = (1, 1/2), y = 1 at w = (1, 2^-400): r = 2^-801 exactly, but w_2^2 is left out of the
    scaled sum; r is not large enough to make that a rounding, so the row stops with range."""
    s = prepare(DEFAULT, [F(1, 10)], 10, fmt=fmt, theta0=[[1, F(1, 2**400)]])
    assert s.scale[0, 0].tolist() == [0, -600]
    run(s)
    assert s.statuses == ["range"] and s.k[0] == 0
    assert s.theta_fractions(0) == ((1, F(1, 2**400)),)  # as given: nothing flushed


# ----------------------------------------------------------------------------- disk cache
_CHILD = textwrap.dedent("""
    from fractions import Fraction
    from numerics.problem import Problem
    from numerics.kernels import prepare, run
    from numerics.kernels.gd import run_rows
    s = prepare(Problem([1, Fraction(1, 2)], 1, Fraction(1, 100)), [Fraction(1, 10)], 50,
                fmt="float64")
    run(s)
    print(len(run_rows.stats.cache_hits), len(run_rows.stats.cache_misses))
""")


def _child(env, cwd):
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, cwd=cwd, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    hits, misses = out.stdout.split()
    return int(hits), int(misses)


@pytest.mark.slow
def test_numba_cache_dir_is_used_and_reloaded(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=ROOT)
    assert _child(env, ROOT) == (0, 1)  # compiled and saved
    assert any(tmp_path.joinpath("cache").rglob("*.nbi"))
    assert _child(env, ROOT) == (1, 0)  # loaded from the cache: no compilation


@pytest.mark.slow
def test_unwritable_install_falls_back_to_the_user_cache(tmp_path):
    # a *file* named __pycache__ makes the directory beside the source unusable for the cache
    # (what a read-only install is to numba; chmod would not stop root)
    tree = tmp_path / "install"
    for pkg in ("numerics", "theory"):
        shutil.copytree(os.path.join(ROOT, pkg), tree / pkg,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "numerics" / "kernels" / "__pycache__").write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1",
               XDG_CACHE_HOME=str(tmp_path / "user-cache"))
    assert _child(env, str(tmp_path)) == (0, 1)
    assert any((tmp_path / "user-cache" / "numba").rglob("*.nbi"))
    assert _child(env, str(tmp_path)) == (1, 0)
    # nowhere to write at all: the kernels still import and run, compiled in each process
    (tmp_path / "not-a-dir").write_text("")
    env["XDG_CACHE_HOME"] = str(tmp_path / "not-a-dir")
    assert _child(env, str(tmp_path)) == _child(env, str(tmp_path)) == (0, 1)  # never a hit


@pytest.mark.slow
def test_editing_any_kernel_source_recompiles_the_loop(tmp_path):
    # numba alone would keep gd.py's cached loop after an edit of dd.py (its own stamp only)
    tree = tmp_path / "src"
    for pkg in ("numerics", "theory"):
        shutil.copytree(os.path.join(ROOT, pkg), tree / pkg,
                        ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(tree),
               PYTHONDONTWRITEBYTECODE="1")
    assert _child(env, str(tmp_path)) == (0, 1)
    assert _child(env, str(tmp_path)) == (1, 0)
    with open(tree / "numerics" / "kernels" / "dd.py", "a") as fh:
        fh.write("\n# an edit\n")
    assert _child(env, str(tmp_path)) == (0, 1)


_PHASES = textwrap.dedent("""
    from fractions import Fraction
    from numerics import Problem, gradient_descent
    seen = []
    gradient_descent(Problem([1, Fraction(1, 2)], 1, Fraction(1, 100)), Fraction(1, 10), 20,
                     backend="dd", progress=lambda *a: seen.append(a[0]))
    print(sorted(set(seen) - {"steps"}))
""")


@pytest.mark.slow
def test_the_first_compilation_is_reported_once(tmp_path):
    """A fresh cache: the run reports 'compiling kernels', the next process 'loading'."""
    from numerics.kernels.driver import COMPILING, LOADING

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=ROOT)

    def phases():
        out = subprocess.run([sys.executable, "-c", _PHASES], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return eval(out.stdout)

    assert phases() == sorted([COMPILING, "final sharpness"])
    assert phases() == sorted([LOADING, "final sharpness"])


def test_kernels_load_once_per_process():
    from numerics.kernels.driver import load_kernels

    load_kernels("dd")
    seen = []
    assert load_kernels("dd", lambda *a: seen.append(a)) == 0.0 and seen == []
