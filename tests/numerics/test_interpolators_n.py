"""n-sample interpolators (numerics.interpolators) against independent routes.

Independent routes (none calls numerics.interpolators internals to produce an expected value):

* minimum norm: brute force over the supports of X (every basic solution, solved here in
  Fractions) and, for shared depth D > 2, sympy's exact comparison of the vertex values;
* minimum sharpness: closed forms (one sample: kappa |y| min |x_i|; block-diagonal data rotated by
  a rational orthogonal matrix), and weak duality tested from the other side: the sharpness of
  random exact interpolators (sympy, exact eigenvalues) is never below ``lower``;
* the LP: hand-made tables with known optima, ties and infeasible data;
* the E2 scalings: the parametrisation objects' ``jacobian_sq`` at every factorisation.
"""

from __future__ import annotations

import warnings
from fractions import Fraction as F
from itertools import combinations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.errors import DomainError
from numerics.instances import random_instance
from numerics.interpolators import (
    WIDTH_GOAL,
    Infeasible,
    interpolator_blocks,
    min_norm_interpolator,
    min_sharpness_interpolator,
    sharpness_enclosure,
    solve_lp,
)
from numerics.interpolators.norm import weights_rule
from theory.parametrisations import parametrisation

PARAMS = ("product", "difference", "shared")
KAPPA = {"product": 2, "difference": 4, "shared": 4}


# ------------------------------------------------------------------------------- helpers
def solve_fractions(A, b):
    """Gauss-Jordan in Fractions: the solution of A x = b (A with independent columns) when
    consistent, else None."""
    m, k = len(A), len(A[0]) if A else 0
    M = [[F(v) for v in row] + [F(bi)] for row, bi in zip(A, b)]
    r = 0
    for c in range(k):
        p = next((i for i in range(r, m) if M[i][c] != 0), None)
        if p is None:
            return None
        M[r], M[p] = M[p], M[r]
        M[r] = [v / M[r][c] for v in M[r]]
        for i in range(m):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [a - f * bb for a, bb in zip(M[i], M[r])]
        r += 1
    if any(M[i][-1] != 0 for i in range(r, m)):
        return None
    return [M[i][-1] for i in range(k)]


def basic_solutions(X, y, nonnegative):
    """Every basic solution of X beta = y (support columns independent)."""
    n, d = len(X), len(X[0])
    out = set()
    if all(v == 0 for v in y):
        out.add(tuple(F(0) for _ in range(d)))
    for k in range(1, min(n, d) + 1):
        for T in combinations(range(d), k):
            sol = solve_fractions([[X[i][j] for j in T] for i in range(n)], y)
            if sol is None or (nonnegative and any(v < 0 for v in sol)):
                continue
            beta = [F(0)] * d
            for j, v in zip(T, sol):
                beta[j] = v
            out.add(tuple(beta))
    return out


def exact_sharpness(X, beta, param):
    """S(beta) of E2 (depth 2) by sympy: (kappa/n) times the largest root of the
    characteristic polynomial."""
    Xm = sp.Matrix([[sp.Rational(v) for v in row] for row in X])
    w = [KAPPA[param] * abs(sp.Rational(b)) for b in beta]
    M = Xm * sp.diag(*w) * Xm.T
    n = Xm.shape[0]
    if M.is_zero_matrix:
        return sp.Integer(0)
    return max(M.charpoly().real_roots()) / n


def interpolable(param, n_max=3, d_max=5):
    entry = st.fractions(-3, 3, max_denominator=2)
    coef = st.fractions(0 if param == "shared" else -2, 2, max_denominator=2)

    @st.composite
    def draw(draw):
        n, d = draw(st.integers(1, n_max)), draw(st.integers(2, d_max))
        X = [[draw(entry) for _ in range(d)] for _ in range(n)]
        b0 = [draw(coef) for _ in range(d)]
        return X, [sum(a * c for a, c in zip(row, b0)) for row in X]

    return draw()


# ------------------------------------------------------------------------------- the LP
LP_TABLE = [
    # (A, b, c, value, unique)
    ([[1, 1, 1]], [1], [1, 1, 1], F(1), False),
    ([[1, 2, 3]], [6], [1, 1, 1], F(2), True),
    ([[1, 1, 0], [0, 1, 1]], [1, 1], [1, 3, 1], F(2), True),
    ([[1, 1, 0], [0, 1, 1]], [1, 1], [1, 2, 1], F(2), False),
    ([[1, 1], [2, 2]], [1, 2], [1, 2], F(1), True),  # dependent rows
    ([[0, 0]], [0], [1, 1], F(0), True),
]


@pytest.mark.parametrize("A, b, c, value, unique", LP_TABLE)
def test_lp_table(A, b, c, value, unique):
    sol = solve_lp(A, b, c)
    assert sol.value == value and sol.unique is unique
    z, nu = sol.z, sol.nu
    assert all(v >= 0 for v in z)
    assert [sum(F(a) * v for a, v in zip(row, z)) for row in A] == [F(v) for v in b]
    assert all(F(cj) - sum(F(A[i][j]) * nu[i] for i in range(len(A))) >= 0
               for j, cj in enumerate(c))
    assert sum(F(bi) * v for bi, v in zip(b, nu)) == value


@pytest.mark.parametrize("A, b", [([[1, 1], [2, 2]], [1, 3]), ([[1, 1]], [-1]),
                                  ([[1, -1], [1, 1]], [0, -1])])
def test_lp_infeasible_has_a_farkas_certificate(A, b):
    with pytest.raises(Infeasible) as info:
        solve_lp(A, b, [1] * len(A[0]))
    nu = info.value.farkas
    assert all(sum(F(A[i][j]) * nu[i] for i in range(len(A))) <= 0 for j in range(len(A[0])))
    assert sum(F(bi) * v for bi, v in zip(b, nu)) > 0


# ------------------------------------------------------------------------- minimum norm
@pytest.mark.parametrize("param", PARAMS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_min_norm_is_the_least_basic_solution(param, data):
    X, y = data.draw(interpolable(param))
    r = min_norm_interpolator(X, y, param)
    sols = basic_solutions(X, y, param == "shared")
    best = min(sum(abs(v) for v in s) for s in sols)
    optimal = {s for s in sols if sum(abs(v) for v in s) == best}
    assert r.l1_norm == best and r.beta in optimal
    assert r.unique is (len(optimal) == 1)
    assert r.certificate["optimal"] and r.certificate["gap"] == 0
    if not r.unique and r.face.vertices is not None:
        assert set(r.face.vertices) == optimal
        assert r.face.centroid == tuple(sum(v[i] for v in optimal) / len(optimal)
                                        for i in range(len(X[0])))


def test_min_norm_ties_give_the_face():
    r = min_norm_interpolator([[1, 1, 1]], [1], "shared")
    assert not r.unique and set(r.face.vertices) == {(1, 0, 0), (0, 1, 0), (0, 0, 1)}
    assert r.face.centroid == (F(1, 3),) * 3
    r = min_norm_interpolator([[1, -1]], [1], "product")
    assert not r.unique and set(r.face.vertices) == {(1, 0), (0, -1)}
    assert r.face.signs == (1, -1)


def test_min_norm_param_norm_per_parametrisation():
    X, y = [[1, 2, 0], [0, 1, 1]], [2, 1]
    values = {p: min_norm_interpolator(X, y, p) for p in PARAMS}
    assert {p: r.l1_norm for p, r in values.items()} == {p: 1 for p in PARAMS}
    assert values["product"].param_norm_sq == 2  # u^2 + v^2 = 2|beta| at balance
    assert values["difference"].param_norm_sq == 1 and values["shared"].param_norm_sq == 1


@pytest.mark.parametrize("param", ["product", "shared"])
def test_no_interpolator_is_a_domain_error_naming_y(param):
    with pytest.raises(DomainError) as info:
        min_norm_interpolator([[1, 1], [2, 2]], [1, 3], param)
    assert info.value.argument == "y" and "range of X" in info.value.required


def test_shared_needs_a_nonnegative_interpolator():
    with pytest.raises(DomainError) as info:
        min_norm_interpolator([[1, 1]], [-1], "shared")
    assert info.value.argument == "y" and "Farkas" in info.value.required
    with pytest.raises(DomainError):
        min_sharpness_interpolator([[1, 1]], [-1], "shared")


BAD = [
    (min_norm_interpolator, ([[1, 2]], [1], "tanh"), "param"),
    (min_norm_interpolator, ([[1, 2]], [1], "product", 3), "depth"),
    (min_norm_interpolator, ([[1, 2], [1]], [1, 2]), "X"),
    (min_norm_interpolator, ([[1, 2]], [1, 2]), "len(y)"),
    (min_sharpness_interpolator, ([[1, 2]], [1], "difference", 2.5), "depth"),
    (min_sharpness_interpolator, ([[1, float("nan")]], [1]), "X[0][1]"),
]


@pytest.mark.parametrize("function, args, argument", BAD)
def test_bad_input_names_the_argument(function, args, argument):
    with pytest.raises(DomainError) as info:
        function(*args)
    assert info.value.argument == argument


def test_bad_dps():
    with pytest.raises(DomainError) as info:
        min_sharpness_interpolator([[1, 2]], [1], dps=10)
    assert info.value.argument == "dps"


def test_shared_depth_three_is_the_least_vertex():
    X, y = [[1, 2, 3, 1], [2, 1, 1, 3]], [4, 5]
    r = min_norm_interpolator(X, y, "shared", 3)
    verts = basic_solutions(X, y, True)
    values = {v: sum(sp.Rational(b) ** sp.Rational(2, 3) for b in v if b) for v in verts}
    best = min(values.values(), key=lambda e: sp.N(e, 50))
    optimal = {v for v, e in values.items() if sp.simplify(e - best) == 0}
    assert set(r.minimisers) == optimal and r.unique is (len(optimal) == 1)
    lo, hi = r.param_norm_sq
    assert lo <= sp.N(best, 60) <= hi and hi - lo < F(1, 10**30)


# -------------------------------------------------------------------- minimum sharpness
@pytest.mark.parametrize("param", PARAMS)
@pytest.mark.parametrize("x, y", [([1, 2], 2), ([3, -1, 2], -2), ([F(1, 2), 4, 0], 1)])
def test_one_sample_closed_form(param, x, y):
    allowed = [abs(F(v)) for v in x if (v != 0 if param != "shared" else F(v) * y > 0)]
    star = KAPPA[param] * abs(F(y)) * min(allowed)
    r = min_sharpness_interpolator([x], [y], param)
    assert r.lower <= star <= r.upper and r.width <= F(1, 10**30)
    assert sum(F(a) * b for a, b in zip(x, r.beta)) == y


def cayley(K):
    Km = sp.Matrix(K)
    return (sp.eye(Km.shape[0]) - Km) * (sp.eye(Km.shape[0]) + Km).inv()


@pytest.mark.parametrize("param", PARAMS)
def test_rotated_blocks_closed_form(param):
    blocks = [[F(3), F(-1, 2), 0, 0, 0], [0, 0, F(2), F(5), 0], [0, 0, 0, 0, F(-3, 2)]]
    y0 = [F(2), F(1), F(-1)]
    if param == "shared":
        blocks = [[abs(v) for v in row] for row in blocks]
        y0 = [abs(v) for v in y0]
    U = cayley([[0, F(1, 2), 1], [F(-1, 2), 0, F(1, 3)], [-1, F(-1, 3), 0]])
    assert U * U.T == sp.eye(3)
    X = U * sp.Matrix(blocks)
    y = U * sp.Matrix(y0)
    Xq = [[F(str(v)) for v in X.row(i)] for i in range(3)]
    yq = [F(str(v)) for v in y]
    per_block = [abs(y0[k]) * min(abs(v) for v in blocks[k] if v != 0) for k in range(3)]
    star = F(KAPPA[param], 3) * max(per_block)
    r = min_sharpness_interpolator(Xq, yq, param)
    assert r.lower <= star <= r.upper and r.width <= WIDTH_GOAL


@pytest.mark.parametrize("param", PARAMS)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_lower_bound_holds_for_other_interpolators(param, data):
    """Weak duality from the other side: every exact interpolator (basic solutions, the
    returned point moved along the null space) is at least ``lower`` sharp."""
    X, y = data.draw(interpolable(param, n_max=2, d_max=4))
    r = min_sharpness_interpolator(X, y, param)
    assert r.lower <= r.upper
    assert [sum(a * b for a, b in zip(row, r.beta)) for row in X] == [F(v) for v in y]
    assert exact_sharpness(X, r.beta, param) <= r.upper
    Xm = sp.Matrix([[sp.Rational(v) for v in row] for row in X])
    others = list(basic_solutions(X, y, param == "shared"))
    for k, null in enumerate(Xm.nullspace()):
        t = sp.Rational(data.draw(st.fractions(-1, 1, max_denominator=4), label=f"t{k}"))
        moved = [F(str(sp.Rational(b) + t * v)) for b, v in zip(r.beta, null)]
        if param != "shared" or all(v >= 0 for v in moved):
            others.append(tuple(moved))
    for beta in others:
        assert exact_sharpness(X, beta, param) >= r.lower


def test_done_instance_width_and_timing_shape():
    """The issue's instance: n = 5, d = 20, a 3-sparse truth, product."""
    inst = random_instance(5, 20, 3, seed=1)
    r = min_sharpness_interpolator(inst.X, inst.y)
    assert r.polished and r.width <= WIDTH_GOAL and r.lower > 0
    lo, hi = sharpness_enclosure(inst.X, r.beta)
    assert r.lower <= lo <= hi <= r.upper


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("param", PARAMS)
def test_width_goal_at_n10_d50(seed, param):
    inst = random_instance(10, 50, 5, seed=seed, design="uniform-positive" if param ==
                           "shared" else "gaussian", signs="positive" if param == "shared"
                           else "random")
    r = min_sharpness_interpolator(inst.X, inst.y, param)
    assert r.width <= WIDTH_GOAL


def test_failed_polish_still_certifies(monkeypatch):
    import numerics.interpolators.polish as pol

    monkeypatch.setattr(pol, "polish", lambda *a, **k: None)
    r = min_sharpness_interpolator([[1, 2, 0], [0, 1, 3]], [1, 1])
    Xm = [[1, 2, 0], [0, 1, 3]]
    assert not r.polished and r.lower <= exact_sharpness(Xm, r.beta, "product") <= r.upper


def test_a_wide_interval_warns(monkeypatch):
    import numerics.interpolators.conic as conic
    import numerics.interpolators.polish as pol

    loose = conic.solve_conic
    monkeypatch.setattr(pol, "polish", lambda *a, **k: None)
    monkeypatch.setattr(conic, "solve_conic", lambda *a, **k: loose(*a, tol=1e-3))
    inst = random_instance(4, 12, 2, seed=3)
    with pytest.warns(UserWarning, match="exceeds"):
        r = min_sharpness_interpolator(inst.X, inst.y)
    assert r.width > WIDTH_GOAL and r.lower <= r.upper


@pytest.mark.parametrize("D", [3, 4])
def test_shared_depth_d_interval(D):
    inst = random_instance(3, 6, 2, seed=5, design="uniform-positive", signs="positive")
    r = min_sharpness_interpolator(inst.X, inst.y, "shared", D)
    assert r.width <= WIDTH_GOAL
    # any other nonnegative interpolator is at least as sharp (mpmath, 50 digits)
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = 50
    def mp(q):
        return ctx.mpf(q.numerator) / q.denominator

    for beta in basic_solutions([list(r) for r in inst.X], list(inst.y), True):
        c = [D * D * mp(b) ** (2 - ctx.mpf(2) / D) for b in beta]
        M = ctx.matrix([[ctx.fsum(c[k] * mp(inst.X[i][k]) * mp(inst.X[j][k])
                                  for k in range(len(c))) for j in range(3)] for i in range(3)])
        S = max(ctx.eigsy(M)[0]) / 3
        assert S >= ctx.mpf(r.lower.numerator) / r.lower.denominator - ctx.mpf(10) ** -40


# ----------------------------------------------------------------------- E2's scalings
@pytest.mark.parametrize("param", ["product", "difference"])
def test_weights_rule_is_the_least_jacobian(param):
    """``kappa |beta|`` is the least ``|J|^2`` over the factorisations of ``beta``: checked on a
    grid of factorisations of each beta."""
    P = parametrisation(param)
    kappa, p, signed = weights_rule(P)
    assert p == 1 and signed
    for beta in (F(3), F(-2), F(1, 4)):
        values = []
        for t in [F(k, 8) for k in range(1, 40)]:
            if param == "product":  # u v = beta: u = t, v = beta / t
                theta = (t, beta / t)
            else:  # u^2 - v^2 = beta: choose v = t, u^2 = beta + t^2 (a square only sometimes)
                u2 = beta + t * t
                if u2 < 0:
                    continue
                root = sp.sqrt(sp.Rational(u2))
                theta = (root, sp.Rational(t))
            assert sp.simplify(P.beta(theta) - sp.Rational(beta)) == 0
            values.append(sp.nsimplify(P.jacobian_sq(theta)))
        assert min(values) >= kappa * abs(beta)
    balanced = {"product": (sp.sqrt(3), sp.sqrt(3)), "difference": (sp.sqrt(3), 0)}[param]
    assert sp.simplify(P.jacobian_sq(balanced) - kappa * 3) == 0


@pytest.mark.parametrize("D", [2, 3, 5])
def test_weights_rule_shared_depth(D):
    P = parametrisation("shared", D)
    kappa, p, signed = weights_rule(P)
    assert not signed
    w = sp.Rational(3, 2)
    assert sp.simplify(P.jacobian_sq((w,)) - kappa * P.beta((w,)) ** sp.Rational(p)) == 0


# ----------------------------------------------------------------------- the CLI's API
def test_interpolator_blocks_keys():
    out = interpolator_blocks([[1, 2, 0], [0, 1, 1]], [2, 1], "product", alpha="1/10",
                              flow_dps=15)
    assert set(out["min_norm"]) >= {"beta", "l1_norm", "sharpness"}
    assert set(out["min_sharpness"]) >= {"beta", "sharpness", "certified"}
    assert set(out["gradient_flow"]) >= {"beta", "sharpness", "eta_c"}
    lo, hi = out["min_sharpness"]["certified"]
    assert lo <= out["min_sharpness"]["sharpness"] and hi - lo <= WIDTH_GOAL
    assert out["min_norm"]["sharpness"] >= lo  # the least sharpness is the least
    g = out["gradient_flow"]
    assert abs(g["eta_c"] * g["sharpness"] - 2) < F(1, 10**25)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "gradient_flow" not in interpolator_blocks([[1, 2]], [1], "shared")


def test_interpolator_blocks_optimal_block():
    """Noiseless data from a truth: the best interpolator under the point prior is the truth,
    its risk is 0, and both biases' risks are their exact squared distances to it."""
    X, truth = [[1, 2, 0, 1], [0, 1, 1, -1]], [1, 0, F(1, 2), 0]
    y = [sum(a * b for a, b in zip(row, truth)) for row in X]
    out = interpolator_blocks(X, y, "product", beta_star=truth)
    opt = out["optimal"]
    assert opt["beta"] == tuple(truth) and opt["risk_optimal"] == 0
    for key, block in (("risk_min_norm", "min_norm"), ("risk_min_sharpness", "min_sharpness")):
        assert opt[key] == sum((b - t) ** 2 for b, t in zip(out[block]["beta"], truth))
    lo, hi = opt["eta_star_enclosure"]
    assert lo <= 2 / exact_sharpness(X, truth, "product") <= hi and hi - lo < F(1, 10**30)
