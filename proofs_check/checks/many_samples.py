r"""N1 to N3: interpolation with ``n`` samples (the minimum-norm LP, the minimum-sharpness SDP,
the gradient-flow limit), theory :mod:`theory.many_samples` against
:mod:`numerics.interpolators` and gradient descent.

Statement
---------
* N1: the minimum-norm interpolator of depth 2 (``min ||beta||_1`` s.t. ``X beta = y``;
  ``beta >= 0`` for shared) returned by the numerics is exact and optimal: a rational ``nu``
  with ``||X^T nu||_inf <= 1`` (``X^T nu <= 1``) and ``y^T nu = ||beta||_1``; ties are reported.
* N2: the certified interval ``[lower, upper]`` of the minimum least-sharpness (E2) contains
  the optimum, and is at most ``1e-8`` wide.
* N3: gradient descent with ``eta -> 0`` converges to the minimiser of the flow potential on
  ``X beta = y`` (E4's ``Q_alpha`` for difference, ``Q_{alpha/sqrt2}`` for product), ``n``
  samples.

Independent routes: N1, brute force over the supports of ``X`` (sympy, every basic solution);
N2, closed forms on rotated block-diagonal data (``S* = (kappa/n) max_k |y_k| min_{i in T_k}
|x_ki|``, then ``X -> U X``, ``y -> U y`` for a rational orthogonal ``U``, which moves neither
the interpolating set nor the spectrum) and a second solver (SCS, a first-order method) at two
tolerances; N3, the damped-Newton minimiser of :mod:`proofs_check.references` against the GD
ladder of :mod:`proofs_check.experiments` (E4's own check, reused on ``n``-sample data).

References
----------
E2 and N1-N2, [MFCKM26] arXiv 2505.21423; E4 and N3, [WGL20] arXiv 2002.09277; as reconstructed in
the project's specification.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import sympy as sp

from theory import many_samples as M

from .. import references as refs
from .. import strategies as S
from ..claim import Check, declare
from ..decide import (
    Outcome,
    combine,
    exact_at_least,
    exact_equal,
    high_precision,
    to_fraction,
    two_precision_at_least,
    two_precision_equal,
)
from ..domains import (
    ALPHA_E4,
    DIFFERENCE,
    PRODUCT,
    UNDERDETERMINED,
    WELL_CONDITIONED,
    Y_NONZERO,
    Condition,
    Domain,
)
from ..experiments import PRECISIONS, gf_limit_by_gd
from ..experiments import rational as _Q
from .general_networks import check_E4_numerics

F = Fraction
#: N2's width goal
WIDTH = F(1, 10**8)


def _signed(param) -> bool:
    return param != "shared"


def _brute_min_l1(X, y, param):
    """``(min ||beta||_1, optimal points)`` over every basic solution of ``X beta = y``
    (supports ``T`` with independent columns; ``beta >= 0`` for shared), in sympy."""
    Xm, ys = sp.Matrix([[_Q(a) for a in r] for r in X]), sp.Matrix([_Q(a) for a in y])
    n, d = Xm.shape
    rank = Xm.rank()
    points = []
    for k in range(rank + 1):
        for T in combinations(range(d), k):
            XT = Xm.extract(list(range(n)), list(T))
            if k and XT.rank() < k:
                continue
            if k == 0:
                sol = [] if ys.is_zero_matrix else None
            else:
                sol = list((XT.T * XT).LUsolve(XT.T * ys))
                sol = sol if XT * sp.Matrix(sol) == ys else None
            if sol is None or (not _signed(param) and any(v < 0 for v in sol)):
                continue
            beta = [F(0)] * d
            for i, v in zip(T, sol):
                beta[i] = to_fraction(v)
            points.append(tuple(beta))
    best = min(sum(abs(v) for v in p) for p in points)
    return best, {p for p in points if sum(abs(v) for v in p) == best}


def check_N1_exact(inst) -> Outcome:
    """N1 (identity): the numerics' minimum-norm interpolator satisfies theory's certificate
    exactly (``X beta = y``, dual feasible, zero gap), its norm equals the least over all basic
    solutions (brute force, sympy), it is unique iff one basic solution is optimal, and a
    reported optimal face lists exactly the optimal basic solutions."""
    from numerics.interpolators import min_norm_interpolator

    r = min_norm_interpolator(inst.X, inst.ys, inst.param)
    cert = M.min_norm_certificate(inst.X, inst.ys, r.beta, r.nu, inst.param)
    best, optimal = _brute_min_l1(inst.X, inst.ys, inst.param)
    outs = [exact_equal("theory's certificate holds (feasible, dual feasible, zero gap)",
                        cert.optimal, True),
            exact_equal("||beta||_1 = least over the basic solutions", r.l1_norm, best),
            exact_equal("unique iff one optimal basic solution", r.unique, len(optimal) == 1)]
    if r.face is not None and r.face.vertices is not None:
        outs.append(exact_equal("the face's vertices are the optimal basic solutions",
                                set(r.face.vertices) == optimal, True))
    out = combine(outs)
    return Outcome(out.status, out.error, {**out.detail, "l1_norm": str(r.l1_norm),
                                           "unique": r.unique}, out.rules)


def check_N1_metamorphic(t) -> Outcome:
    """N1 (identity): scaling the samples (``X -> c X``, ``y -> c y``) and permuting the
    coordinates keeps the least norm and its uniqueness exactly, and permutes a unique
    minimiser."""
    from numerics.interpolators import min_norm_interpolator

    inst, c, perm = t.instance, t.c, t.perm
    a = min_norm_interpolator(inst.X, inst.ys, inst.param)
    X2 = [[c * row[p] for p in perm] for row in inst.X]
    b = min_norm_interpolator(X2, [c * v for v in inst.ys], inst.param)
    outs = [exact_equal("least norm", b.l1_norm, a.l1_norm),
            exact_equal("uniqueness", b.unique, a.unique)]
    if a.unique:
        outs.append(exact_equal("minimiser permuted", b.beta, tuple(a.beta[p] for p in perm)))
    return combine(outs)


def _cayley(K):
    """The rational orthogonal matrix ``(I - K)(I + K)^-1`` of a skew-symmetric ``K``."""
    Km = sp.Matrix(K)
    n = Km.shape[0]
    return (sp.eye(n) - Km) * (sp.eye(n) + Km).inv()


def _closed_form(inst) -> Fraction:
    """``S*`` of rotated block-diagonal data (module notes): undo the rotation stored in
    ``inst.theta``, then ``(kappa/n) max_k |y_k| min_{i in T_k, x_ki != 0} |x_ki|`` (shared:
    over ``x_ki > 0``)."""
    from theory.parametrisations import parametrisation

    U = sp.Matrix(inst.theta)
    X0 = U.T * sp.Matrix([[_Q(a) for a in r] for r in inst.X])
    y0 = U.T * sp.Matrix([_Q(a) for a in inst.ys])
    P = parametrisation(inst.param)
    kappa = {"product": 2, "difference": 4, "shared": 4}[P.name]
    n = X0.shape[0]
    best = F(0)
    for k in range(n):
        row = [to_fraction(v) for v in X0.row(k)]
        vals = [abs(v) for v in row if (v != 0 if _signed(inst.param) else v > 0)]
        best = max(best, abs(to_fraction(y0[k])) * min(vals))
    return kappa * best / n


def check_N2_exact(inst) -> Outcome:
    """N2 (lower): on rotated block-diagonal data, ``lower <= S* <= upper`` with ``S*`` in
    closed form (exact rationals), and ``upper - lower <= 1e-8``."""
    from numerics.interpolators import min_sharpness_interpolator

    r = min_sharpness_interpolator(inst.X, inst.ys, inst.param)
    star = _closed_form(inst)
    out = combine([exact_at_least("S* - lower", star, r.lower),
                   exact_at_least("upper - S*", r.upper, star),
                   exact_at_least("1e-8 - (upper - lower)", WIDTH, r.width)])
    return Outcome(out.status, out.error, {**out.detail, "S*": str(star),
                                           "width": float(r.width)}, out.rules)


def check_N2_certificate(inst) -> Outcome:
    """N2 (identity): the returned point interpolates exactly; ``lower`` is exactly theory's
    dual bound :func:`theory.many_samples.sharpness_dual_bound` at the returned ``(Q, nu)``;
    ``(n upper / kappa) I - X diag(weights(beta)) X^T`` is positive semidefinite (sympy's test,
    with theory's weights :func:`theory.many_samples.sharpness_weights`), so
    ``S(beta) <= upper``."""
    from numerics.interpolators import min_sharpness_interpolator

    X, y, param = inst.X, inst.ys, inst.param
    r = min_sharpness_interpolator(X, y, param)
    Xm = sp.Matrix([[_Q(a) for a in row] for row in X])
    n = Xm.shape[0]
    w = M.sharpness_weights(r.beta, param)
    G = Xm * sp.diag(*w) * Xm.T
    gap = sp.eye(n) * _Q(r.upper) * n - G
    outs = [exact_equal("X beta = y", list(Xm * sp.Matrix([_Q(b) for b in r.beta])),
                        [_Q(v) for v in y]),
            exact_equal("lower = theory's dual bound", _Q(r.lower),
                        M.sharpness_dual_bound(X, y, r.Q, r.nu, param)),
            exact_equal("n upper I - X diag(w) X^T is PSD", bool(gap.is_positive_semidefinite),
                        True)]
    return combine(outs)


def _scs_value(X, y, param, eps) -> Fraction | None:
    """The least sharpness by SCS (primal form, ``eps`` its tolerances), or None."""
    import warnings

    import cvxpy as cp
    import numpy as np

    Xf, yf = np.array(X, dtype=float), np.array(y, dtype=float)
    n, d = Xf.shape
    kappa = {"product": 2, "difference": 4, "shared": 4}[param]
    beta = cp.Variable(d, nonneg=not _signed(param))
    s, t = cp.Variable(d), cp.Variable()
    mag = cp.abs(beta) if _signed(param) else beta
    prob = cp.Problem(cp.Minimize(t), [Xf @ beta == yf, s >= mag,
                                       t * np.eye(n) - Xf @ cp.diag(s) @ Xf.T >> 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            prob.solve(solver="SCS", eps_abs=eps, eps_rel=eps, max_iters=200000)
        except cp.error.SolverError:
            return None
    if prob.value is None or prob.status != "optimal":
        return None
    return F(kappa) * F(float(prob.value)) / n


#: SCS's tolerances (the two "precisions" of :func:`check_N2_numerics`)
SCS_EPS = (F(1, 10**6), F(1, 10**10))


def check_N2_numerics(inst) -> Outcome:
    """N2 (lower): a second solver (SCS, primal form) at tolerances ``1e-6`` and ``1e-10``
    plays the two precisions: ``upper - v`` and ``v - lower`` must be ``>= 0`` within ten times
    the two runs' disagreement (:func:`~proofs_check.decide.two_precision_at_least`). Both
    margins are credited with ``100 max(1, upper)`` times the finer tolerance (when the runs
    agree exactly, on trivial data, an error they share is not seen by their disagreement)."""
    from numerics.interpolators import min_sharpness_interpolator

    r = min_sharpness_interpolator(inst.X, inst.ys, inst.param)
    vals = [_scs_value(inst.X, inst.ys, inst.param, float(eps)) for eps in SCS_EPS]
    if None in vals:
        return Outcome("undecided", None, {"reason": "SCS found no solution"})
    scale = max(F(1, 10**6), abs(r.upper))
    credit = 100 * SCS_EPS[1] * max(F(1), abs(r.upper))
    return combine([
        two_precision_at_least("upper - v(SCS)", *(r.upper - v + credit for v in vals), scale,
                               labels=("eps 1e-6", "eps 1e-10")),
        two_precision_at_least("v(SCS) - lower", *(v - r.lower + credit for v in vals), scale,
                               labels=("eps 1e-6", "eps 1e-10"))])


def check_N3_product(inst) -> Outcome:
    """N3 (equality): gradient flow on ``product`` from ``u_0 = sqrt2 alpha``, ``v_0 = 0``
    (the GD ``eta -> 0`` ladder) against the minimiser of ``Q_{alpha/sqrt2}`` on
    ``X beta = y`` (damped Newton on the dual at 60 digits, with ``alpha/sqrt2`` to 90 digits);
    and theory's :func:`~theory.many_samples.flow_mirror_map` at that minimiser equals ``X^T nu``
    for the duals found at 30 and 60 digits (the KKT condition)."""
    X, y, alpha = inst.X, inst.ys, inst.alpha
    if not refs.full_row_rank(X):
        return Outcome("undecided", None, {"reason": "X is rank-deficient"})
    half = high_precision(_Q(alpha) / sp.sqrt(2))
    d = len(X[0])
    ref, nu_hi = refs.woodworth_minimiser(X, y, half, PRECISIONS[1], with_dual=True)
    nu_lo = refs.woodworth_minimiser(X, y, half, PRECISIONS[0], with_dual=True)[1]
    rows = [tuple(sum(F(X[m][i]) * nu[m] for m in range(len(X))) for i in range(d))
            for nu in (nu_lo, nu_hi)]
    mirror = tuple(high_precision(g) for g in M.flow_mirror_map(ref, alpha, "product"))
    outs = [two_precision_equal("flow_mirror_map = X^T nu (KKT)", mirror, rows[0], rows[1],
                                floor=F(1))]
    run = gf_limit_by_gd(inst.problem())
    if run is None:
        outs.append(Outcome("undecided", None, {"reason": "GD with small eta did not "
                                                "converge"}))
    else:
        outs.append(two_precision_equal("GF limit vs argmin Q_{alpha/sqrt2}", ref, run["ext1"],
                                        run["ext2"], labels=("richardson(eta, eta/2)",
                                                             "richardson(eta/2, eta/4)"),
                                        cap=run["digits_cap"]))
    return combine(outs)


# ------------------------------------------------------------------------------ domains
def _interpolable(param, *, n_max=3, d_max=5, max_value=3):
    """``(X, y)`` with ``y = X beta_0`` (so an interpolator exists; ``beta_0 >= 0`` for
    shared), small rationals so that ties occur; ``param`` fixed."""
    from hypothesis import strategies as st

    entry = S.rationals(-max_value, max_value, max_denominator=2)
    coef = S.rationals(0 if param == "shared" else -2, 2, max_denominator=2)

    @st.composite
    def draw(draw):
        n = draw(st.integers(1, n_max))
        d = draw(st.integers(2, d_max))
        X = tuple(tuple(draw(entry) for _ in range(d)) for _ in range(n))
        b0 = [draw(coef) for _ in range(d)]
        y = tuple(sum((a * b for a, b in zip(row, b0)), F(0)) for row in X)
        return S.Instance(X, y, F(1), param=param)

    return draw()


def _lp_domain():
    from hypothesis import strategies as st

    return st.one_of(*(_interpolable(p) for p in ("product", "difference", "shared")))


def _blocks_domain():
    """Rotated block-diagonal data with ``S*`` in closed form (``theta`` holds the rotation
    ``U``; ``edge = "rotated-blocks"``)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        param = draw(st.sampled_from(("product", "difference", "shared")))
        n = draw(st.integers(1, 3))
        signed = param != "shared"
        value = S.rationals(F(1, 2) if not signed else -3, 3, max_denominator=2).filter(
            lambda v: v != 0)
        sizes = [draw(st.integers(1, 2)) for _ in range(n)]
        d = max(2, sum(sizes))
        rows, start = [], 0
        for k in range(n):
            row = [F(0)] * d
            for i in range(start, start + sizes[k]):
                row[i] = draw(value)
            start += sizes[k]
            rows.append(row)
        y0 = [draw(value) for _ in range(n)]
        K = [[F(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                K[i][j] = draw(S.rationals(-2, 2, max_denominator=2))
                K[j][i] = -K[i][j]
        U = _cayley(K)
        X = U * sp.Matrix([[_Q(a) for a in r] for r in rows])
        y = U * sp.Matrix([_Q(a) for a in y0])
        return S.Instance(tuple(tuple(to_fraction(v) for v in X.row(k)) for k in range(n)),
                          tuple(to_fraction(v) for v in y), F(1), param=param,
                          edge="rotated-blocks",
                          theta=tuple(tuple(to_fraction(v) for v in U.row(k))
                                      for k in range(n)))

    return draw()


def _flow_domain(param):
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        inst = draw(S.parameter_points(param=param, n_min=2, n_max=3, d_min=3, d_max=4,
                                       zero_loss=True, max_value=1))
        a = draw(st.sampled_from([F(1, 2), F(1, 5), F(1, 10), F(1)]))
        return S.Instance(inst.X, inst.y, a, param=param)

    # d > n: with a square X the interpolator is fixed, and a zero entry of it (from a zero
    # factor of theta) is approached too slowly for the GD ladder's budget
    return draw().filter(lambda i: i.d > i.n and any(v != 0 for v in i.ys)).filter(
        WELL_CONDITIONED.holds)


# ----------------------------------------------------------- domains as conditions
def _sizes(n_hi: int, d_hi: int) -> tuple:
    return (Condition(f"n = 1..{n_hi} samples", lambda i: 1 <= i.n <= n_hi),
            Condition(f"d = 2..{d_hi}", lambda i: 2 <= i.d <= d_hi))


def _has_interpolator(inst) -> bool:
    from numerics.errors import DomainError
    from numerics.interpolators import min_norm_interpolator

    try:
        min_norm_interpolator(inst.X, inst.ys, inst.param)
    except DomainError:
        return False
    return True


def _block_diagonal(inst) -> bool:
    """``theta`` is an orthogonal ``U`` and ``U^T X`` has rows of disjoint supports, each with
    an entry that can carry its label (``x_ki y_k > 0`` for shared, ``x_ki != 0`` else)."""
    U = sp.Matrix(inst.theta)
    n = len(inst.X)
    if U.shape != (n, n) or U * U.T != sp.eye(n):
        return False
    X0 = U.T * sp.Matrix([[_Q(a) for a in r] for r in inst.X])
    y0 = U.T * sp.Matrix([_Q(a) for a in inst.ys])
    supports = [{i for i in range(X0.shape[1]) if X0[k, i] != 0} for k in range(n)]
    if any(supports[a] & supports[b] for a in range(n) for b in range(a + 1, n)):
        return False
    shared = inst.param == "shared"
    return all(any((X0[k, i] * y0[k] > 0) if shared else X0[k, i] != 0 for i in supports[k])
               for k in range(n))


PARAMS = Condition("the product, difference or shared parametrisation",
                   lambda i: i.param in ("product", "difference", "shared"))
INTERPOLABLE = Condition("an interpolator exists (y in the range of X; beta >= 0 for shared)",
                         _has_interpolator)
BLOCKS = Condition("theta = U orthogonal with U^T X block-diagonal (rows of disjoint "
                   "supports, each able to carry its label)", _block_diagonal, ("theta",))
_N1 = Domain((), (PARAMS,) + _sizes(4, 8) + (INTERPOLABLE,))
_FLOW = (Condition("n = 2..3 samples", lambda i: 2 <= i.n <= 3),
         Condition("d = 3..4", lambda i: 3 <= i.d <= 4), UNDERDETERMINED, ALPHA_E4, Y_NONZERO,
         WELL_CONDITIONED)


CLAIMS = [
    declare("N1", "The minimum-norm interpolator of n samples (depth 2: min ||beta||_1 s.t. "
            "X beta = y, with beta >= 0 for shared weights) is returned exactly, with a "
            "rational dual nu: ||X^T nu||_inf <= 1 (X^T nu <= 1) and y^T nu = ||beta||_1; "
            "ties are reported with the optimal face.", "identity",
            ("numerics.interpolators.min_norm_interpolator (HiGHS, exact simplex)",),
            "X: n = 1..3 rational samples (entries in [-3, 3], denominators <= 2), d = 2..5, "
            "y = X beta_0 (beta_0 >= 0 for shared); product, difference, shared", (
                Check("exact", check_N1_exact, _lp_domain, "exact", 0.5, admits=_N1),
                Check("metamorphic", check_N1_metamorphic,
                      lambda: S.transformed(_lp_domain()), "metamorphic", 0.3,
                      admits=Domain((), _N1.conditions, transformed=True)),
            ), notes="Shared depth D > 2 (a concave minimum, vertex enumeration) is tested in "
            "tests/numerics/test_interpolators_n.py, not here."),
    declare("N2", "The certified interval [lower, upper] of the least sharpness over X beta = y "
            "(E2: (kappa/n) lambda_max(X diag|beta| X^T), kappa = 2 product, 4 difference "
            "and shared) contains the optimum and is at most 1e-8 wide; upper is the exact "
            "sharpness bound of an exact interpolator, lower a weak-duality bound.", "lower",
            ("numerics.interpolators.min_sharpness_interpolator (Clarabel, polish, exact "
             "bounds)", "SCS (second solver)"),
            "rotated block-diagonal data (n = 1..3, closed-form optimum); X: n = 1..3, "
            "d = 2..5 rational, y = X beta_0 (certificate and second solver: n <= 10, "
            "d <= 50)", (
                Check("exact", check_N2_exact, _blocks_domain, "exact", 0.4,
                      admits=Domain(("theta",), (PARAMS,) + _sizes(3, 6) + (BLOCKS,))),
                Check("certificate", check_N2_certificate, _lp_domain, "exact", 0.3,
                      kind="identity",
                      admits=Domain((), (PARAMS,) + _sizes(10, 50) + (INTERPOLABLE,))),
                Check("numerics", check_N2_numerics, _lp_domain, "numerics", 0.3,
                      admits=Domain((), (PARAMS,) + _sizes(10, 50) + (INTERPOLABLE,))),
            ), notes="Depth D > 2 (shared, a power-cone program) is tested in "
            "tests/numerics/test_interpolators_n.py, not here."),
    declare("N3", "With n samples, gradient descent with eta -> 0 converges to the minimiser "
            "on X beta = y of E4's potential: Q_alpha for difference (u_0 = v_0 = alpha), "
            "Q_{alpha/sqrt2} for product (u_0 = sqrt2 alpha, v_0 = 0).", "equality",
            ("proofs_check.experiments.gf_limit_by_gd (GD, eta -> 0, Richardson)",),
            "X: n = 2..3 signed samples of full row rank, d = 3..4 > n, y = X beta(theta), "
            "alpha in {1/10, 1/5, 1/2, 1}, det(X X^T) >= tr(X X^T)^n / 100", (
                Check("difference", check_E4_numerics, lambda: _flow_domain("difference"),
                      "numerics", 0.3, admits=Domain((), (DIFFERENCE,) + _FLOW)),
                Check("product", check_N3_product, lambda: _flow_domain("product"),
                      "numerics", 0.3, admits=Domain((), (PRODUCT,) + _FLOW)),
            ), notes="The difference check is E4's own (check_E4_numerics), run on n-sample "
            "data."),
]
