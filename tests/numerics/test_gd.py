"""Gradient descent at any precision against independent routes.

* exact rational GD (theory.gd_iterates, R7) for the first steps, on every backend;
* the multiplicative identity beta_K = alpha^2 prod (1 - 2 eta r_k x)^2 (R7) at 50 digits;
* the recorded gain against theory's effective initialisation G_i (R7) and E3 for ``product``;
* the final sharpness against R1 on the zero-loss set;
* the precision ladder, the chaotic regime, statuses on constructed cases, the float64 batch;
* the shared specification's table (an independent source) at float64 and audited;
* options: average_last, decay_steps, schedules.
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import sympy as sp

import theory as T
from numerics import (
    DomainError,
    Problem,
    audited_gd,
    get_backend,
    gradient_descent,
    gradient_descent_batch,
    iterate,
)

from .helpers import exact_value

X_DEFAULT, Y_DEFAULT, ALPHA = [1, F(1, 2)], 1, F(1, 100)
BETA_STAR = [F(1, 2), 1]
DEFAULT = Problem(X_DEFAULT, Y_DEFAULT, ALPHA)
DEFAULT_RISK = Problem(X_DEFAULT, Y_DEFAULT, ALPHA, beta_star=BETA_STAR)


frac = exact_value


def rat(expr) -> F:
    expr = sp.nsimplify(expr) if not expr.is_Rational else expr
    return F(int(expr.p), int(expr.q))


def ulp(be) -> F:
    return F(1, 2 ** be.prec)


# ---------------------------------------------------------------- R7: exact rational iterates
ITERATE_BACKENDS = [("float64", None), ("mpmath", 30), ("flint", 30), ("flint", 60)]


@pytest.mark.parametrize("backend, dps", ITERATE_BACKENDS,
                         ids=[f"{b}-{d}" for b, d in ITERATE_BACKENDS])
@pytest.mark.parametrize("eta, steps", [(F(1, 2), 10), (F(3, 5), 10), (F(19, 20), 6)])
def test_first_steps_match_exact_rational_gd(backend, dps, eta, steps):
    """theory.gd_iterates gives the exact iterates; the engine is within a few ulps per step."""
    exact = T.gd_iterates(X_DEFAULT, Y_DEFAULT, ALPHA, eta)
    be = get_backend(backend, dps)
    gen = iterate(DEFAULT, eta, backend=be)
    try:
        for k in range(steps):
            w_exact, r_exact = next(exact)
            state = next(gen)
            assert state.k == k
            bound = 8 * (k + 1) * ulp(be)  # Arb truncates midpoints: ~2 ulp drift per step
            for wi, si in zip(w_exact, state.theta[0], strict=True):
                wi = rat(wi)
                assert abs(frac(be, si) - wi) <= bound * abs(wi), (k, float(wi))
            assert abs(frac(be, state.r[0]) - rat(r_exact)) <= bound * max(1, Y_DEFAULT)
    finally:
        gen.close()


def test_schedule_matches_exact_steps():
    """A learning-rate schedule (callable) against exact rational steps (theory.gd_step)."""
    schedule = lambda k: F(1, 2) if k % 2 == 0 else F(3, 5)  # noqa: E731
    w = (ALPHA, ALPHA)
    be = get_backend("mpmath", 40)
    gen = iterate(DEFAULT, schedule, backend=be)
    for k in range(8):
        state = next(gen)
        for wi, si in zip(w, state.theta[0], strict=True):
            assert abs(frac(be, si) - wi) <= 40 * ulp(be) * abs(wi)
        w = tuple(rat(v) for v in T.gd_step(X_DEFAULT, Y_DEFAULT, schedule(k), w))
    gen.close()
    res = gradient_descent(DEFAULT, schedule, 8, backend="mpmath", dps=40)
    assert res.eta == "schedule" and res.steps == 8
    assert all(abs(b - wi * wi) <= 100 * ulp(be) for b, wi in zip(res.beta, w, strict=True))


def test_constant_schedule_is_bit_identical_to_constant_eta():
    a = gradient_descent(DEFAULT, F(3, 5), 3000)
    b = gradient_descent(DEFAULT, lambda k: F(3, 5), 3000)
    assert (a.status, a.steps, a.beta, a.S) == (b.status, b.steps, b.beta, b.S)


def test_decay_with_a_schedule_is_refused():
    with pytest.raises(DomainError, match="decay_steps"):
        gradient_descent(DEFAULT, lambda k: F(1, 2), 10, decay_steps=5)


# ------------------------------------------------------------ R7: the multiplicative identity
@pytest.mark.parametrize("eta", [F(3, 5), F(4, 5)])
def test_product_identity_at_50_digits(eta):
    """beta_K = alpha^2 prod_k (1 - 2 eta r_k x)^2 with the run's own r_k, to ~45 digits."""
    res = gradient_descent(DEFAULT, eta, 100000, backend="flint", dps=50)
    assert res.status == "converged"
    K = res.steps
    be = get_backend("flint", 50)
    residuals = []
    gen = iterate(DEFAULT, eta, backend=be)
    for state in gen:
        if state.k == K:
            beta_K = [frac(be, b) for b in state.beta]
            break
        residuals.append(frac(be, state.r[0]))
    gen.close()
    assert beta_K == list(res.beta)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    e = ctx.mpf(eta.numerator) / eta.denominator
    a2 = (ctx.mpf(ALPHA.numerator) / ALPHA.denominator) ** 2
    for i, xi in enumerate(X_DEFAULT):
        xi = ctx.mpf(F(xi).numerator) / F(xi).denominator
        prod = a2
        for r in residuals:
            prod *= (1 - 2 * e * (ctx.mpf(r.numerator) / r.denominator) * xi) ** 2
        got = ctx.mpf(beta_K[i].numerator) / beta_K[i].denominator
        assert abs(got - prod) <= ctx.mpf(10) ** -45 * abs(prod), i


# ------------------------------------------------------------ R7: effective initialisation
@pytest.mark.parametrize("eta, K", [(F(3, 5), 6), (F(19, 20), 5), (F(1, 2), 7)])
def test_gain_is_minus_G(eta, K):
    """numerics' gain = log(alpha_eff^2 / alpha^2) = -G_i of theory.effective_initialisation."""
    exact = T.gd_iterates(X_DEFAULT, Y_DEFAULT, ALPHA, eta)
    residuals = [next(exact)[1] for _ in range(K)]
    G = T.effective_initialisation(X_DEFAULT, ALPHA, eta, residuals).G
    res = gradient_descent(DEFAULT, eta, K, backend="flint", dps=50)
    assert res.status == "not_converged" and res.steps == K
    for gi, Gi in zip(res.gain, G, strict=True):
        expected = F(str(sp.N(-Gi, 50)))
        assert abs(gi - expected) <= F(1, 10**40) * max(1, abs(expected))


def test_mpmath_results_keep_their_sign():
    """Negative results of mpmath runs keep their sign (compared with the flint backend)."""
    a = gradient_descent(DEFAULT, F(3, 5), 6, backend="mpmath", dps=30)
    b = gradient_descent(DEFAULT, F(3, 5), 6, backend="flint", dps=30)
    assert all(g < 0 for g in b.gain)
    assert all(abs(ga - gb) < F(1, 10**25) for ga, gb in zip(a.gain, b.gain, strict=True))


def test_product_gain_is_E3():
    """product, u0 = sqrt(2) alpha, v0 = 0: alpha_K^2 = alpha^2 prod_k |1 - eta^2 g_k^2| (E3)."""
    eta, K = F(1, 2), 12
    problem = Problem(X_DEFAULT, Y_DEFAULT, F(1, 10), param="product")
    be = get_backend("flint", 50)
    gs = []
    gen = iterate(problem, eta, backend=be)
    for state in gen:
        if state.k == K:
            break
        gs.append([frac(be, g) for g in state.g])
    gen.close()
    res = gradient_descent(problem, eta, K, backend="flint", dps=50)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    e = ctx.mpf(eta.numerator) / eta.denominator
    for i in range(2):
        expected = ctx.fsum(ctx.log(abs(1 - e**2 * (ctx.mpf(g[i].numerator) / g[i].denominator)
                                        ** 2)) for g in gs)
        got = ctx.mpf(res.gain[i].numerator) / res.gain[i].denominator
        assert abs(got - expected) <= ctx.mpf(10) ** -40


# -------------------------------------------------------------------- R1: final sharpness
@pytest.mark.parametrize("backend, dps, rel", [("float64", None, 1e-13), ("flint", 50, 1e-44)])
@pytest.mark.parametrize("x, y, eta", [(X_DEFAULT, 1, F(3, 5)), (X_DEFAULT, 1, F(4, 5)),
                                       ([2, 1, F(1, 2)], F(3, 2), F(1, 5))])
def test_final_sharpness_is_R1(backend, dps, rel, x, y, eta):
    """Converged: S (Gram form) = theory.zero_loss_sharpness at the computed beta (put on M)."""
    res = gradient_descent(Problem(x, y, ALPHA), eta, 200000, backend=backend, dps=dps)
    assert res.status == "converged" and res.sharpness_form == "gram"
    beta = res.beta
    # 1 + O(|r|): the factor that puts beta on <x, beta> = y
    scale = F(y) / sum(F(xi) * b for xi, b in zip(x, beta, strict=True))
    residual = sum(F(xi) * b for xi, b in zip(x, beta, strict=True)) - F(y)
    assert float(abs(residual)) <= 1.01 * float(2 * res.tol) ** 0.5  # converged: |r| <= rtol
    # R1 on M at beta * scale; S is linear in beta, so divide the scale back out
    S_theory = rat(T.zero_loss_sharpness(x, y, [b * scale for b in beta])) / scale
    assert abs(res.S - S_theory) <= F(rel) * S_theory
    assert res.lambda_max == res.S
    assert res.S < 2 / eta  # a converged run is linearly stable (R5)


# --------------------------------------------------------------------- the precision ladder
def test_precision_ladder_converged_case():
    """eta = 0.6 (converges): digits agreed between p and 2p are >= p - 5 and grow with p."""
    least = {}
    for p in (15, 30, 60):
        run = audited_gd(DEFAULT_RISK, F(3, 5), 200000, precision=p)
        assert run.status == "converged"
        digits = {k: v for k, v in run.digits.items() if k != "loss"}
        assert run.digits["loss"] == "bound"
        assert set(digits) == {"beta", "sharpness", "lambda_max", "l1_norm", "param_norm_sq",
                               "risk", "gain"}
        assert min(digits.values()) >= p - 5, (p, digits)
        assert max(digits.values()) <= p
        least[p] = min(digits.values())
    assert least[15] < least[30] < least[60]


def test_precision_ladder_mpmath_backend():
    run = audited_gd(DEFAULT_RISK, F(3, 5), 200000, precision=15, backend="mpmath")
    assert run.status == "converged"
    assert min(v for k, v in run.digits.items() if k != "loss") >= 10


def test_chaotic_case_reports_no_number():
    """eta = 0.99: the default pair (dd, qd) disagrees at O(1) after 20000 steps; all chaotic.
    Not one chaotic outcome taken on trust: in the measured convergence edge (reproduce, 16
    samples per bin, 200000 steps) no run in [0.975, 1) converged, and tests/numerics/test_edge.py
    measures that bin's fractions; here only the audit's reading of the two runs is tested."""
    run = audited_gd(DEFAULT_RISK, F(99, 100), 20000)
    assert run.low.status == run.high.status == "not_converged"
    for name, q in run.quantities.items():
        assert q.chaotic, name
        assert q.text() == "chaotic" and q.json() == "chaotic"
    # the disagreement is O(1), not a last-digit effect
    assert abs(run.low.beta[0] - run.high.beta[0]) > F(1, 100) or \
        abs(run.low.beta[1] - run.high.beta[1]) > F(1, 100)
    js = run.to_json()
    for key in ("beta", "loss", "sharpness", "lambda_max", "l1_norm", "param_norm_sq", "risk"):
        assert js[key] == "chaotic"


# ------------------------------------------------------------------------------- statuses
def _independent_divergence_step(x, y, alpha, eta, bound, dps=50, limit=10000):
    """First k with |r_k| > bound, by a plain mpmath loop (not the engine)."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    mp = lambda q: ctx.mpf(F(q).numerator) / F(q).denominator  # noqa: E731
    xs, w, e = [mp(v) for v in x], [mp(alpha)] * len(x), mp(eta)
    for k in range(limit):
        r = ctx.fsum(xi * wi * wi for xi, wi in zip(xs, w, strict=True)) - mp(y)
        if abs(r) > bound:
            return k
        w = [wi * (1 - 2 * e * r * xi) for xi, wi in zip(xs, w, strict=True)]
    return None


@pytest.mark.parametrize("backend, dps", [("float64", None), ("flint", 30), ("mpmath", 30)])
def test_diverging_case(backend, dps):
    """eta = 1.02 on the default instance diverges (spec: eta > 1 diverges), at the step where
    an independent 50-digit loop first sees |r| > 1e8."""
    expected = _independent_divergence_step(X_DEFAULT, 1, ALPHA, F(102, 100), 10**8)
    assert expected == 34
    res = gradient_descent(DEFAULT, F(102, 100), 200000, backend=backend, dps=dps)
    assert res.status == "diverged"
    assert res.diverged_at == res.steps == expected
    assert res.loss is None and res.S is None


def test_diverging_case_custom_bound():
    expected = _independent_divergence_step(X_DEFAULT, 1, ALPHA, F(102, 100), 10)
    res = gradient_descent(DEFAULT, F(102, 100), 1000, r_max=10)
    assert res.status == "diverged" and res.diverged_at == expected


def test_converging_and_budget_cases():
    res = gradient_descent(DEFAULT, F(3, 5), 200000)
    assert res.status == "converged" and res.steps < 200000
    assert res.loss <= res.tol
    short = gradient_descent(DEFAULT, F(3, 5), 10)
    assert short.status == "not_converged" and short.steps == 10
    assert short.S is not None and short.sharpness_form == "full"
    zero = gradient_descent(DEFAULT, F(3, 5), 0)
    assert zero.status == "not_converged" and zero.steps == 0
    assert all(abs(b - ALPHA**2) <= F(1, 10**15) * ALPHA**2 for b in zero.beta)


# A period-2 orbit by construction. x = (1, 8), eta = 1/2, w_0 = a (dyadic) and
# y = 9 a^2 - 1/8, so that r_0 = 1/8 and the factor 1 - 2 eta r_0 x_2 is exactly 0: coordinate 2
# dies at step 0 (exactly, in binary arithmetic too). Coordinate 1 then follows the 1-D map
# w -> w (1 + y - w^2), whose fixed point sqrt(y) has multiplier 1 - 2y < -1 for y > 1:
# it is unstable (S = 4y > 2/eta = 4) and GD settles on the period-2 orbit.
def _period2_problem(m: int, q: int):
    a = F(m, 2**q)
    return Problem([1, 8], 9 * a * a - F(1, 8), a), 9 * a * a - F(1, 8)


def _period2_orbit(c: F) -> list:
    """The 2-cycle of w -> w (1 + c - w^2): positive real roots of (f(f(w)) - w)/(w (w^2 - c))."""
    w = sp.Symbol("w")
    cc = sp.Rational(c.numerator, c.denominator)
    f = lambda t: t * (1 + cc - t**2)  # noqa: E731
    quotient, rem = sp.div(sp.Poly(sp.expand(f(f(w)) - w), w), sp.Poly(w * (w**2 - cc), w))
    assert rem.is_zero
    roots = [F(str(sp.N(rt, 40))) for rt in quotient.real_roots()]
    positive = sorted(rt for rt in roots if rt > 0)
    # the cycle is the pair swapped by f; the other positive pair is the outer (unstable) cycle
    for i in range(len(positive)):
        for j in range(i + 1, len(positive)):
            lo, hi = positive[i], positive[j]
            if abs(lo * (1 + c - lo * lo) - hi) < F(1, 10**30):
                return [lo, hi]
    raise AssertionError("no 2-cycle found")


PERIOD2_FAST = (23, 6)     # y = 4249/4096: amplitude ~0.2, settles within a few hundred steps
PERIOD2_EDGE = (23177, 16)  # y - 1 ~ 6e-4: a small orbit, S within 5% of 2/eta


@pytest.mark.parametrize("backend, dps", [("float64", None), ("flint", 30)])
def test_oscillating_case_period_two(backend, dps):
    problem, c = _period2_problem(*PERIOD2_FAST)
    assert c == F(4249, 4096)
    orbit = _period2_orbit(c)
    res = gradient_descent(problem, F(1, 2), 2000, backend=backend, dps=dps)
    assert res.status == "not_converged"
    assert res.diagnosis["period"] == 2
    assert res.beta[1] == 0 and res.theta[0][1] == 0  # the dead coordinate stays dead
    w1 = res.theta[0][0]
    assert min(abs(w1 - o) for o in orbit) < F(1, 10**12)
    r_orbit = [o * o - c for o in orbit]
    assert abs(F(res.diagnosis["amplitude"]) - max(abs(r) for r in r_orbit)) < F(1, 10**9)
    assert "near_edge" in res.diagnosis and "S_times_eta_over_2" in res.diagnosis
    # S at the final iterate, by R1 for the 1-D problem: 4 x^2 w^2 + 2 r x = 6 w^2 - 2 c
    S_here = 6 * w1 * w1 - 2 * c
    assert res.diagnosis["S_times_eta_over_2"] == pytest.approx(float(S_here / 4), rel=1e-9)


def test_oscillating_case_near_the_edge():
    problem, c = _period2_problem(*PERIOD2_EDGE)
    assert 0 < c - 1 < F(1, 1000)
    res = gradient_descent(problem, F(1, 2), 6000)
    assert res.status == "not_converged"
    assert res.diagnosis["period"] == 2
    assert res.diagnosis["near_edge"] is True
    assert abs(res.diagnosis["S_times_eta_over_2"] - 1) <= 0.05
    orbit = _period2_orbit(c)
    assert min(abs(res.theta[0][0] - o) for o in orbit) < F(1, 10**4)


def test_oscillating_case_audited_is_not_chaotic():
    problem, _ = _period2_problem(*PERIOD2_FAST)
    run = audited_gd(problem, F(1, 2), 2000)
    assert run.status == "not_converged"
    assert run.diagnosis["period"] == 2
    assert run.quantities["sharpness"].digits >= 12
    assert run.quantities["beta"].digits >= 12


# -------------------------------------------------------------------------------- options
def test_average_last_gives_the_orbit_midpoint():
    problem, c = _period2_problem(*PERIOD2_FAST)
    lo, hi = _period2_orbit(c)
    for K in (2, 100):
        res = gradient_descent(problem, F(1, 2), 2000, average_last=K)
        assert res.status == "not_converged" and res.diagnosis["averaged_over"] == K
        assert abs(res.theta[0][0] - (lo + hi) / 2) < F(1, 10**12)
        assert res.beta[0] == res.theta[0][0] ** 2 or abs(
            res.beta[0] - ((lo + hi) / 2) ** 2) < F(1, 10**12)
    odd = gradient_descent(problem, F(1, 2), 2000, average_last=3)  # not the midpoint
    assert abs(odd.theta[0][0] - (lo + hi) / 2) > F(1, 100)


def test_average_last_is_ignored_when_converged():
    a = gradient_descent(DEFAULT, F(3, 5), 200000)
    b = gradient_descent(DEFAULT, F(3, 5), 200000, average_last=50)
    assert a.beta == b.beta and "averaged_over" not in b.diagnosis


@pytest.mark.parametrize("backend, dps", [("float64", None), ("flint", 30)])
def test_decay_converges_an_oscillating_run(backend, dps):
    """Decaying eta below the stability limit ends the 2-cycle on the only reachable
    interpolator beta = (y / x_1, 0) (coordinate 2 is dead)."""
    problem, c = _period2_problem(*PERIOD2_FAST)
    plain = gradient_descent(problem, F(1, 2), 2000, backend=backend, dps=dps)
    assert plain.status == "not_converged"
    res = gradient_descent(problem, F(1, 2), 2000, decay_steps=400, backend=backend, dps=dps)
    assert res.status == "converged" and 2000 < res.steps <= 2400
    assert res.beta[1] == 0
    assert abs(res.beta[0] - c) <= 10 * F(float(res.tol)) ** F(1, 2) + F(1, 10**14)
    assert res.S == pytest.approx(4 * c, rel=1e-10) or abs(float(res.S - 4 * c)) < 1e-10


def test_decay_to_one_changes_nothing():
    problem, _ = _period2_problem(*PERIOD2_FAST)
    a = gradient_descent(problem, F(1, 2), 2100)
    b = gradient_descent(problem, F(1, 2), 2000, decay_steps=100, decay_to=1)
    assert a.beta == b.beta and a.steps == b.steps == 2100


# ------------------------------------------------------------------------------ the batch
X3 = [[1, F(1, 2), F(1, 4), 2], [F(1, 2), 1, 1, F(1, 3)], [F(1, 4), F(1, 3), 2, 1]]
Y3 = [1, F(1, 2), F(3, 2)]
BATCH_CASES = [  # (param, X, y, etas): etas avoid the chaotic band, where rounding order matters
    ("shared", X_DEFAULT, 1, [F(1, 10), F(3, 10), F(1, 2), F(7, 10), F(9, 10), F(11, 10), 2]),
    ("product", X_DEFAULT, 1, [F(1, 10), F(1, 2), F(9, 10), F(11, 10), F(3, 2), 2]),
    ("difference", X_DEFAULT, 1, [F(1, 10), F(1, 2), F(7, 10), F(9, 10), F(3, 2)]),
    ("shared", X3, Y3, [F(1, 10), F(3, 10), F(1, 2), F(9, 10), F(11, 10)]),
    ("product", X3, Y3, [F(1, 10), F(3, 10), F(1, 2), F(7, 10), F(9, 10), 2]),
    ("difference", X3, Y3, [F(1, 10), F(3, 10), F(1, 2), F(9, 10), F(11, 10)]),
]


@pytest.mark.parametrize("param, X, y, etas", BATCH_CASES,
                         ids=[f"{c[0]}-n{1 if np.ndim(c[1]) == 1 else 3}" for c in BATCH_CASES])
def test_batch_equals_single_runs(param, X, y, etas):
    problem = Problem(X, y, F(1, 10), param=param)
    batch = gradient_descent_batch(problem, etas, 3000)
    statuses = set()
    for i, eta in enumerate(etas):
        single = gradient_descent(problem, eta, 3000, final_sharpness=False)
        assert batch.status[i] == single.status, eta
        statuses.add(single.status)
        if single.status == "diverged":
            assert batch.diverged_at[i] == single.diverged_at == batch.steps[i]
            continue
        if single.status == "converged":  # the batch checks every 16 steps, 3 checks in a row
            assert single.steps <= batch.steps[i] <= single.steps + 48
        else:
            assert batch.steps[i] == single.steps == 3000
        assert np.max(np.abs(batch.beta[i] - np.array([float(b) for b in single.beta]))) < 5e-12
        assert batch.l1_norm[i] == pytest.approx(float(single.l1_norm), abs=5e-12)
    assert "diverged" in statuses and len(statuses) >= 2


# ------------------------------------------------------- the shared specification's table
# (an independent source: the paper summary's float64 runs, 2e5 steps, beta* = (0.5, 1))
SPEC_TABLE = [  # eta, final S, 2/eta, l1, risk; digits as printed there
    ("0.40", "3.981", "5.000", "1.009", "1.204"),
    ("0.55", "3.614", "3.636", "1.193", "0.471"),
    ("0.60", "3.293", "3.333", "1.353", "0.108"),
    ("0.65", "3.023", "3.077", "1.488", "0.0007"),
    ("0.80", "2.430", "2.500", "1.785", "0.406"),
]


def _printed(value: F, like: str) -> str:
    places = len(like.split(".")[1])
    return f"{float(value):.{places}f}"


def _agrees(value: F, printed: str, key=None) -> bool:
    """``value`` rounds to ``printed``; for the one entry the specification double-rounded
    (risk at eta 0.60: 0.10750 printed as 0.108), within one unit of the last place."""
    if key in SPEC_DOUBLE_ROUNDED:
        places = len(printed.split(".")[1])
        return abs(value - F(printed)) <= F(1, 10**places)
    return _printed(value, printed) == printed


#: The specification prints risk 0.108 at eta 0.60; GD gives 0.1074956084 (float64, and audited
#: to 12 digits against 32-digit arithmetic), i.e. 0.107 to three places. Reported upstream.
SPEC_DOUBLE_ROUNDED = {("0.60", "risk")}


@pytest.mark.parametrize("eta, S, two_over_eta, l1, risk", SPEC_TABLE,
                         ids=[row[0] for row in SPEC_TABLE])
def test_spec_table_float64(eta, S, two_over_eta, l1, risk):
    res = gradient_descent(DEFAULT_RISK, F(eta), 200000)
    assert res.status == "converged"
    assert _printed(res.S, S) == S
    assert _printed(2 / F(eta), two_over_eta) == two_over_eta
    assert _printed(res.l1_norm, l1) == l1
    assert _agrees(res.risk, risk, (eta, "risk"))
    assert res.S < 2 / F(eta)  # GD stops just below the edge (R9)


@pytest.mark.parametrize("eta, S, two_over_eta, l1, risk",
                         [row for row in SPEC_TABLE if row[0] in ("0.60", "0.65")],
                         ids=["0.60", "0.65"])
def test_spec_table_audited(eta, S, two_over_eta, l1, risk):
    run = audited_gd(DEFAULT_RISK, F(eta), 200000)
    assert run.status == "converged"
    for key, want in (("sharpness", S), ("l1_norm", l1), ("risk", risk)):
        q = run.quantities[key]
        assert q.digits >= 4, key
        assert _agrees(F(q.text()), want, (eta, key)), key
