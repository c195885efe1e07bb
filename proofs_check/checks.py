"""Checks of the one-sample shared-model claims R1 to R9: each judges one generated instance.

Every ``check_<id>_<what>`` takes one instance (an :class:`~proofs_check.strategies.Instance`
or a :class:`~proofs_check.strategies.Transformed` one) and returns an
:class:`~proofs_check.decide.Outcome`. Three families, as the issue asks:

* *theory against numerics at two precisions* (``..._numerics``): the numerics engine computes
  the same quantity at 30 and 60 digits (flint), or as two Richardson extrapolations of GD
  (gradient flow), and :func:`~proofs_check.decide.two_precision_equal` judges;
* *exact* checks (``..._exact``): an independent exact route (``sympy.diff``, vertex
  enumeration, hand-iterated GD in Fractions, KKT over the vertices of ``M``) must agree with
  the theory function exactly;
* *metamorphic* checks (``..._metamorphic``): the answer on a transformed problem
  (permuted coordinates, ``x -> c x`` and ``y -> c y``, a coordinate initialised at zero) must
  move exactly as the theory says.

Independent routes never call the function under test to produce an expected value.
"""

from __future__ import annotations

from contextlib import closing
from fractions import Fraction
from functools import lru_cache
from itertools import islice

import sympy as sp

import theory as T
from theory.errors import DomainError

from .decide import (
    Outcome,
    combine,
    exact_at_least,
    exact_equal,
    high_precision,
    procedure,
    to_fraction,
    two_precision_at_least,
    two_precision_equal,
    two_precision_residual,
)
from .experiments import PRECISIONS, flint, full_spectrum, gf_limit_by_gd, mp, solve_increasing
from .experiments import rational as _Q

F = Fraction


def _fr(v) -> Fraction:
    return to_fraction(v)


def _S_on_M(x, beta) -> Fraction:
    """``4 sum x_i^2 beta_i`` in Fractions (the zero-loss sharpness, computed here)."""
    return 4 * sum(F(a) ** 2 * F(b) for a, b in zip(x, beta, strict=True))


def _on_M(x, y, beta) -> bool:
    return all(F(b) >= 0 for b in beta) and sum(F(a) * F(b) for a, b in zip(
        x, beta, strict=True)) == F(y)


def _vertices(x, y) -> list[tuple]:
    d = len(x)
    return [tuple(F(y) / F(x[i]) if j == i else F(0) for j in range(d)) for i in range(d)]


def _face(x, y, which: str):
    """Exact optimal face of ||beta||_1 (``which="max"``: min norm, R2) by vertex enumeration."""
    verts = _vertices(x, y)
    norms = [sum(v) for v in verts]
    best = min(norms) if which == "max" else max(norms)
    idx = [i for i, n in enumerate(norms) if n == best]
    face = [verts[i] for i in idx]
    centroid = tuple(sum(v[j] for v in face) / len(face) for j in range(len(x)))
    return idx, face, centroid, best


# ============================================================================== R1
def _sympy_derivatives(x, y, w):
    """Loss, gradient and Hessian by ``sympy.diff`` of ``1/2 (<x, w*w> - y)^2`` at ``w``."""
    d = len(x)
    ws = sp.symbols(f"w0:{d}", real=True)
    L = sp.Rational(1, 2) * (sum(_Q(xi) * wi**2 for xi, wi in zip(x, ws, strict=True))
                             - _Q(y)) ** 2
    at = dict(zip(ws, [_Q(v) for v in w], strict=True))
    grad = sp.Matrix([sp.diff(L, wi) for wi in ws]).subs(at)
    H = sp.hessian(L, ws).subs(at)
    return L.subs(at), sp.ImmutableMatrix(grad), sp.ImmutableMatrix(H)


def check_R1_exact(inst) -> Outcome:
    """R1 (identity): loss, gradient, Hessian and its characteristic polynomial against
    ``sympy.diff`` and ``det(H - lambda I)``, exactly, at a point ``w`` of any sign."""
    x, y, (w,) = inst.x, inst.y, inst.theta
    L, grad, H = _sympy_derivatives(x, y, w)
    outs = [exact_equal("loss", T.loss(x, y, w), L),
            exact_equal("gradient", T.gradient(x, y, w), grad),
            exact_equal("hessian", T.hessian(x, y, w), H)]
    if len(x) <= 4:
        lam = sp.Symbol("lambda")
        ref = sp.expand((H - lam * sp.eye(len(x))).det())
        outs.append(exact_equal("char_poly", T.hessian_char_poly(x, y, w, lam).as_expr(), ref))
    return combine(outs)


def check_R1_zero_loss_exact(inst) -> Outcome:
    """R1 (identity): on ``M`` the Hessian (by ``sympy.diff``) has rank one and trace
    ``4 sum x_i^2 beta_i``, which is ``S`` and ``lambda_max`` of the theory."""
    x, y, (w,) = inst.x, inst.y, inst.theta
    beta = tuple(F(v) ** 2 for v in w)
    _, _, H = _sympy_derivatives(x, y, w)
    trace = H.trace()
    outs = [exact_equal("rank", H.rank(), 1),
            exact_equal("trace = 4 sum x^2 beta", trace, _Q(_S_on_M(x, beta))),
            exact_equal("zero_loss_sharpness", T.zero_loss_sharpness(x, y, beta), trace),
            exact_equal("sharpness", T.sharpness(x, y, w), trace),
            exact_equal("lambda_max", T.lambda_max(x, y, w), trace)]
    return combine(outs)


def check_R1_numerics(inst) -> Outcome:
    """R1 (equality): ``S`` and ``lambda_max`` of the exact spectrum against the numerics
    engine's full structured Hessian at 30 and 60 digits."""
    x, y, (w,) = inst.x, inst.y, inst.theta
    spec = T.hessian_spectrum(x, y, w)
    problem = inst.problem()
    lo = full_spectrum(problem, PRECISIONS[0], (w,))
    hi = full_spectrum(problem, PRECISIONS[1], (w,))
    floor = max(F(1, 10**6), max(abs(F(v)) for v in x) * 10**-6)
    return combine([
        two_precision_equal("S", high_precision(spec.S), lo[2], hi[2], floor=floor),
        two_precision_equal("lambda_max", high_precision(spec.lambda_max), lo[1], hi[1],
                            floor=floor)])


def check_R1_metamorphic(case) -> Outcome:
    """R1 (identity): ``H(c x, c y, w) = c^2 H(x, y, w)`` and ``H(P x, y, P w) = P H P^T``."""
    inst, c, perm = case.instance, case.c, case.perm
    x, y, (w,) = inst.x, inst.y, inst.theta
    H = T.hessian(x, y, w)
    Hc = T.hessian([c * v for v in x], c * y, w)
    xp, wp = [x[i] for i in perm], [w[i] for i in perm]
    Hp = T.hessian(xp, y, wp)
    d = len(x)
    P = sp.ImmutableMatrix(d, d, lambda i, j: 1 if perm[i] == j else 0)
    return combine([exact_equal("H(cx, cy, w) - c^2 H", Hc, _Q(c) ** 2 * H),
                    exact_equal("H(Px, y, Pw) - P H P^T", Hp, P * H * P.T)])


# ============================================================================== R2 / R3
def _extreme_check(inst, which: str) -> Outcome:
    x, y = inst.x, inst.y
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    got = fn(x, y)
    idx, face, centroid, best = _face(x, y, which)
    S_face = _S_on_M(x, face[0])
    outs = [
        exact_equal("l1_norm", got.l1_norm, _Q(best)),
        exact_equal("param_norm_sq", got.param_norm_sq, _Q(best)),
        exact_equal("sharpness", got.sharpness, _Q(S_face)),
        exact_equal("beta (face centroid)", tuple(_fr(b) for b in got.beta), centroid),
        exact_equal("vertices", sorted(tuple(_fr(b) for b in v) for v in got.vertices),
                    sorted(face)),
        exact_equal("on M", _on_M(x, y, [_fr(b) for b in got.beta]), True),
        exact_equal("zero_loss_vertices", [tuple(_fr(b) for b in v)
                                            for v in T.zero_loss_vertices(x, y)],
                    _vertices(x, y)),
    ]
    return combine(outs)


def _extreme_bounds(inst, which: str) -> Outcome:
    """A random point of ``M`` is never better than the optimum (exact, one-sided)."""
    x, y, b = inst.x, inst.y, inst.beta_star
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    got = fn(x, y)
    norm, S_opt = _fr(got.l1_norm), _fr(got.sharpness)
    S_b = _S_on_M(x, b)
    if which == "max":
        outs = [exact_at_least("||beta||_1 >= ||beta^N||_1", sum(b), norm),
                exact_at_least("S(beta^N) >= S(beta)", S_opt, S_b)]
    else:
        outs = [exact_at_least("S(beta) >= S(beta^S)", S_b, S_opt),
                exact_at_least("||beta^S||_1 >= ||beta||_1", norm, sum(b))]
    return combine(outs)


def check_R2_exact(inst) -> Outcome:
    """R2 (identity): the minimum-norm face by exact vertex enumeration of ``M``: its
    centroid, vertices, norm and sharpness."""
    return _extreme_check(inst, "max")


def check_R2_bounds(inst) -> Outcome:
    """R2 (lower): a random point of ``M`` has norm ``>=`` and sharpness ``<=`` those of
    ``beta^N`` (theory's values), exactly."""
    return _extreme_bounds(inst, "max")


def check_R3_exact(inst) -> Outcome:
    """R3 (identity): the minimum-sharpness face by exact vertex enumeration: its centroid,
    vertices, norm and sharpness."""
    return _extreme_check(inst, "min")


def check_R3_bounds(inst) -> Outcome:
    """R3 (lower): a random point of ``M`` has sharpness ``>=`` and norm ``<=`` those of
    ``beta^S`` (theory's values), exactly."""
    return _extreme_bounds(inst, "min")


def _extreme_numerics(inst, which: str) -> Outcome:
    x, y = inst.x, inst.y
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    got = fn(x, y)
    beta = [_fr(b) for b in got.beta]
    problem = inst.problem()
    lo = full_spectrum(problem, PRECISIONS[0], (beta,), sqrt=True)
    hi = full_spectrum(problem, PRECISIONS[1], (beta,), sqrt=True)
    return two_precision_equal("S at sqrt(beta)", _fr(got.sharpness), lo[2], hi[2])


def check_R2_numerics(inst) -> Outcome:
    """R2 (equality): ``S(beta^N) = 4 y x_max`` against the full Hessian at ``w = sqrt(beta^N)``
    computed by the numerics engine at 30 and 60 digits."""
    return _extreme_numerics(inst, "max")


def check_R3_numerics(inst) -> Outcome:
    """R3 (equality): ``S(beta^S) = 4 y x_min`` against the numerics engine at two precisions."""
    return _extreme_numerics(inst, "min")


def _extreme_metamorphic(case, which: str) -> Outcome:
    inst, c, perm = case.instance, case.c, case.perm
    x, y = inst.x, inst.y
    fn = T.min_norm_interpolator if which == "max" else T.min_sharpness_interpolator
    base = fn(x, y)
    b = [_fr(v) for v in base.beta]
    perm_res = fn([x[i] for i in perm], y)
    both = fn([c * v for v in x], c * y)
    only_x = fn([c * v for v in x], y)
    return combine([
        exact_equal("permuted beta", [_fr(v) for v in perm_res.beta], [b[i] for i in perm]),
        exact_equal("beta(cx, cy)", [_fr(v) for v in both.beta], b),
        exact_equal("S(cx, cy) = c^2 S", _fr(both.sharpness), c * c * _fr(base.sharpness)),
        exact_equal("beta(cx, y) = beta / c", [_fr(v) for v in only_x.beta], [v / c for v in b]),
        exact_equal("S(cx, y) = c S", _fr(only_x.sharpness), c * _fr(base.sharpness)),
    ])


def check_R2_metamorphic(case) -> Outcome:
    """R2 (identity): ``beta^N`` permutes with ``x``; ``x -> c x, y -> c y`` keeps it and
    multiplies ``S`` by ``c^2``; ``x -> c x`` alone divides it by ``c`` and multiplies ``S`` by
    ``c``."""
    return _extreme_metamorphic(case, "max")


def check_R3_metamorphic(case) -> Outcome:
    """R3 (identity): the same transformations for ``beta^S``."""
    return _extreme_metamorphic(case, "min")


# ============================================================================== R4
def check_R4_exact(inst) -> Outcome:
    """R4 (lower/upper): at a random point of ``M``, ``4 y x_min <= S <= 4 y x_max`` and
    ``y/x_max <= ||beta||_1 <= y/x_min`` exactly; the Pareto front is a lower bound on the
    norm at the point's sharpness and is attained; for ``d = 2`` the affine identity holds."""
    x, y, b = inst.x, inst.y, inst.beta_star
    verts = _vertices(x, y)
    S_v = [_S_on_M(x, v) for v in verts]
    n_v = [sum(v) for v in verts]
    bounds = T.zero_loss_bounds(x, y)
    S_b, l1 = _S_on_M(x, b), sum(b)
    front = T.pareto_front(x, y)
    l1_front = _fr(front.l1_at(_Q(S_b)))
    attained = [_fr(v) for v in front.interpolator_at(_Q(S_b))]
    outs = [
        exact_equal("sharpness range", tuple(_fr(v) for v in bounds.sharpness),
                    (min(S_v), max(S_v))),
        exact_equal("norm range", tuple(_fr(v) for v in bounds.l1_norm), (min(n_v), max(n_v))),
        exact_at_least("S >= 4 y x_min", S_b, min(S_v)),
        exact_at_least("S <= 4 y x_max", max(S_v), S_b),
        exact_at_least("l1 >= y / x_max", l1, min(n_v)),
        exact_at_least("l1 <= y / x_min", max(n_v), l1),
        exact_at_least("l1 >= front(S)", l1, l1_front),
        exact_equal("front point on M", _on_M(x, y, attained), True),
        exact_equal("front point sharpness", _S_on_M(x, attained), S_b),
        exact_equal("front point norm", sum(attained), l1_front),
    ]
    if len(x) == 2:
        outs.append(exact_equal("d = 2 identity", T.norm_sharpness_identity(x, y, _Q(S_b)),
                                _Q(l1)))
    return combine(outs)


def check_R4_numerics(inst) -> Outcome:
    """R4 (qualitative): the front's value at the sharpness of a random point of ``M`` against
    a linear program (scipy HiGHS: min ``||beta||_1`` s.t. ``<x, beta> = y``,
    ``4 sum x_i^2 beta_i = S``, ``beta >= 0``). The LP runs at one precision, so this is not a
    two-precision equality. Decision procedure: LP tolerances are ``1e-9``; agreement to
    ``1e-7`` (relative) passes, a gap above ``1e-5`` fails, in between is undecided."""
    import numpy as np
    from scipy.optimize import linprog

    x, y, b = inst.x, inst.y, inst.beta_star
    S_b = _S_on_M(x, b)
    exact_front = _fr(T.pareto_front(x, y).l1_at(_Q(S_b)))
    xf = np.array([float(v) for v in x])
    res = linprog(np.ones(len(x)), A_eq=np.vstack([xf, 4 * xf**2]),
                  b_eq=np.array([float(y), float(S_b)]), bounds=[(0, None)] * len(x),
                  method="highs")
    if res.status != 0:
        return Outcome("undecided", None, {"reason": f"linprog status {res.status}"})
    gap = abs(F(float(res.fun)) - exact_front) / max(exact_front, F(1, 10**9))
    detail = {"quantity": "least l1 at S", "theory": float(exact_front), "lp": float(res.fun),
              "relative_gap": float(gap)}
    if gap <= F(1, 10**7) or gap > F(1, 10**5):
        return procedure("least l1 at S", gap <= F(1, 10**7), float(gap), detail)
    detail["reason"] = "the LP's tolerance cannot decide"
    return Outcome("undecided", float(gap), detail)


def check_R4_metamorphic(case) -> Outcome:
    """R4 (identity): under ``x -> c x, y -> c y`` the front's sharpness breakpoints scale by
    ``c^2`` and its norms stay; permuting ``x`` leaves the front unchanged."""
    inst, c, perm = case.instance, case.c, case.perm
    x, y = inst.x, inst.y
    f = T.pareto_front(x, y)
    fc = T.pareto_front([c * v for v in x], c * y)
    fp = T.pareto_front([x[i] for i in perm], y)
    pts = [(_fr(s), _fr(n)) for s, n, _ in f.breakpoints]
    return combine([
        exact_equal("scaled front", [(_fr(s), _fr(n)) for s, n, _ in fc.breakpoints],
                    [(c * c * s, n) for s, n in pts]),
        exact_equal("permuted front", [(_fr(s), _fr(n)) for s, n, _ in fp.breakpoints], pts),
    ])


# ============================================================================== R5
def check_R5_exact(inst) -> Outcome:
    """R5 (identity): thresholds ``2 / S`` at the extreme vertices; the Jacobian eigenvalue is
    exactly ``-1`` there; ``is_linearly_stable`` agrees with ``|1 - eta S| <= 1`` at a random
    point of ``M``; above ``1/(2 y x_min)`` no interpolator is stable
    (``least_norm_stable_interpolator`` raises ``DomainError``)."""
    x, y, eta, b = inst.x, inst.y, inst.eta, inst.beta_star
    S_v = [_S_on_M(x, v) for v in _vertices(x, y)]
    t = T.stability_thresholds(x, y)
    lo, hi = 2 / max(S_v), 2 / min(S_v)
    S_b = _S_on_M(x, b)
    outs = [
        exact_equal("thresholds", (_fr(t.eta_min_norm_unstable),
                                   _fr(t.eta_no_stable_interpolator)), (lo, hi)),
        exact_equal("1 - eta S at the min-norm threshold", T.jacobian_eigenvalue(
            _Q(max(S_v)), _Q(lo)), -1),
        exact_equal("1 - eta S at the last threshold", T.jacobian_eigenvalue(
            _Q(min(S_v)), _Q(hi)), -1),
        exact_equal("is_linearly_stable", T.is_linearly_stable(_Q(S_b), _Q(eta)),
                    abs(1 - eta * S_b) <= 1),
    ]
    if eta > hi:
        try:
            T.least_norm_stable_interpolator(x, y, eta)
            raised = False
        except DomainError:
            raised = True
        outs.append(exact_equal("DomainError above 1/(2 y x_min)", raised, True))
    return combine(outs)


def check_R5_least_norm_stable(inst) -> Outcome:
    """R5 (lower): for ``eta <= 1/(2 y x_min)`` the least-norm stable interpolator is on ``M``
    and stable (``2/eta >= S``), and a random stable point of ``M`` has at least its norm,
    exactly."""
    x, y, eta, b = inst.x, inst.y, inst.eta, inst.beta_star
    s = [_fr(v) for v in T.least_norm_stable_interpolator(x, y, eta)]
    outs = [exact_equal("least-norm stable point on M", _on_M(x, y, s), True),
            exact_at_least("it is stable: 2/eta >= S", 2 / eta, _S_on_M(x, s))]
    if _S_on_M(x, b) <= 2 / eta:
        outs.append(exact_at_least("no stable point has less norm", sum(b), sum(s)))
    return combine(outs)


def _gd_map(problem, be, w, eta):
    """One step of the numerics engine's GD map at ``w`` (shared model)."""
    from .experiments import state

    theta = (w,)
    _, _, g = state(problem, be, theta)
    return problem.parametrisation.step(theta, g, be.scalar(eta))[0]


def check_R5_numerics(inst) -> Outcome:
    """R5 (equality): the spectrum of the Jacobian of the actual GD map
    ``w -> w - eta grad L(w)`` (central finite differences of the parametrisation's ``step``
    at 30 and 60 digits, steps ``1e-12`` and ``1e-27``) at ``w = sqrt(beta)``, ``beta`` a
    random point of ``M``, against ``{1 - eta S, 1, ..., 1}``."""
    import numpy as np

    x, eta, b = inst.x, inst.eta, inst.beta_star
    problem = inst.problem()
    S_b = _S_on_M(x, b)
    expected = sorted([1 - eta * S_b] + [F(1)] * (len(x) - 1))
    results = []
    for dps, h in ((PRECISIONS[0], F(1, 10**12)), (PRECISIONS[1], F(1, 10**27))):
        be = flint(dps)
        with be.scope():
            w = np.array([be.sqrt(be.scalar(v)) for v in b], dtype=object)
            hb = be.scalar(h)
            d = len(x)
            cols = []
            for j in range(d):
                e = np.array([hb if i == j else be.scalar(0) for i in range(d)], dtype=object)
                cols.append((_gd_map(problem, be, w + e, eta) - _gd_map(problem, be, w - e, eta))
                            / (2 * hb))
            J = [[(cols[j][i] + cols[i][j]) / 2 for j in range(d)] for i in range(d)]
            results.append([to_fraction(v) for v in be.eigvalsh(J)])
    return two_precision_equal("spectrum of the GD map's Jacobian", tuple(expected),
                               tuple(results[0]), tuple(results[1]), floor=F(1))


def check_R5_metamorphic(case) -> Outcome:
    """R5 (identity, equality): ``x -> c x, y -> c y`` multiplies the loss by ``c^2``, so the
    thresholds move to ``t / c^2`` exactly and GD with ``eta / c^2`` on the scaled problem
    retraces GD with ``eta`` on the original: the exact iterates (theory) against the numerics
    engine on the scaled problem at 30 and 60 digits, after 5 steps (or the last step before
    ``|r| > 1e6``)."""
    from numerics.gd import iterate

    inst, c = case.instance, case.c
    x, y, eta, alpha = inst.x, inst.y, inst.eta, inst.alpha
    t = T.stability_thresholds(x, y)
    tc = T.stability_thresholds([c * v for v in x], c * y)
    outs = [exact_equal("thresholds scale as 1/c^2",
                        (_fr(tc.eta_min_norm_unstable), _fr(tc.eta_no_stable_interpolator)),
                        (_fr(t.eta_min_norm_unstable) / c**2,
                         _fr(t.eta_no_stable_interpolator) / c**2))]
    scaled = inst.replace(X=(tuple(c * v for v in x),), y=c * y).problem()
    finals = []
    for p in PRECISIONS:  # 5 steps, or up to the last step before |r| > 1e6
        be = flint(p)
        last = None
        with closing(iterate(scaled, eta / c**2, backend=be)) as states:
            for st in states:
                if st.k > 5 or any(abs(to_fraction(r)) > 10**6 for r in st.r):
                    break
                last = (st.k, [to_fraction(v) for v in st.beta])
        finals.append(last)
    K = min(finals[0][0], finals[1][0])
    if finals[0][0] != finals[1][0] or K < 1:
        outs.append(Outcome("undecided", None, {"reason": "the scaled run blows up"}))
        return combine(outs)
    (wK, _), = list(islice(T.gd_iterates(x, y, alpha, eta), K, K + 1))
    exact_beta = tuple(_fr(v) ** 2 for v in wK)
    outs.append(two_precision_equal(f"beta_{K} on the scaled problem", exact_beta,
                                    finals[0][1], finals[1][1]))
    return combine(outs)


# ============================================================================== R6
#: largest polynomial degree for which the exact (CRootOf) limit of theory is evaluated
EXACT_DEGREE = 48


def _degree(x) -> int:
    from math import lcm

    q = lcm(*[F(v).denominator for v in x])
    return max(int(F(v) * q) for v in x)


def gf_limit_reference(x, y, alpha, digits: int = 60, *, exact: bool = True) -> tuple:
    """The R6 limit from theory: ``theory.gradient_flow_limit`` (exact algebraic numbers) when
    ``exact`` and its polynomial has degree ``<= EXACT_DEGREE``, else the theory's equation
    ``sum x_i alpha^2 exp(lambda x_i) = y`` solved by bisection in a private context.
    Cached (shrinking revisits the same data)."""
    return _gf_limit_reference(tuple(F(v) for v in x), F(y), F(alpha), digits, exact)


@lru_cache(maxsize=256)
def _gf_exact(x, y, alpha):
    """``theory.gradient_flow_limit`` (cached: the exact root is the expensive part)."""
    return T.gradient_flow_limit(x, y, alpha)


def clear_caches() -> None:
    """Forget the cached reference values (after changing a theory function, e.g. in a
    mutation test)."""
    _gf_exact.cache_clear()
    _gf_limit_reference.cache_clear()


@lru_cache(maxsize=512)
def _gf_limit_reference(x, y, alpha, digits, exact) -> tuple:
    if exact and _degree(x) <= EXACT_DEGREE:
        g = _gf_exact(x, y, alpha)
        if g.exact:
            return tuple(high_precision(b, digits + 10) for b in g.beta)
    ctx = mp(digits + 20)
    xs = [ctx.mpf(F(v).numerator) / F(v).denominator for v in x]
    a2 = (ctx.mpf(F(alpha).numerator) / F(alpha).denominator) ** 2
    yy = ctx.mpf(F(y).numerator) / F(y).denominator
    f = lambda lam: sum(xi * a2 * ctx.exp(lam * xi) for xi in xs) - yy  # noqa: E731
    lam = solve_increasing(f, 0, 1, ctx)
    return tuple(_mp_fraction(a2 * ctx.exp(lam * xi)) for xi in xs)


def _mp_fraction(v) -> Fraction:
    sign, man, exp, _ = v._mpf_
    q = Fraction(int(man)) * Fraction(2) ** int(exp) if man else Fraction(0)
    return -q if sign else q


def check_R6_numerics(inst) -> Outcome:
    """R6 (equality): the theory's gradient-flow limit against gradient descent with
    ``eta -> 0`` (Richardson extrapolations from ``eta, eta/2`` and ``eta/2, eta/4``; see
    :mod:`proofs_check.experiments`)."""
    x, y, alpha = inst.x, inst.y, inst.alpha
    ref = gf_limit_reference(x, y, alpha)
    run = gf_limit_by_gd(inst.problem())
    if run is None:
        return Outcome("undecided", None, {"reason": "GD with small eta did not converge in "
                                           "its budget"})
    return two_precision_equal("beta^GF", ref, run["ext1"], run["ext2"],
                               labels=("richardson(eta, eta/2)", "richardson(eta/2, eta/4)"),
                               cap=run["digits_cap"])


def _phi(ctx, alpha, beta):
    a2 = (ctx.mpf(F(alpha).numerator) / F(alpha).denominator) ** 2
    total = ctx.mpf(0)
    for b in beta:
        bb = ctx.mpf(F(b).numerator) / F(b).denominator
        if bb != 0:
            total += bb * ctx.log(bb / a2)
        total -= bb
    return total


def check_R6_potential(inst) -> Outcome:
    """R6 (lower): the limit minimises ``Phi_alpha`` on ``M``: ``Phi(beta) - Phi(beta^GF) >= 0``
    at a random point of ``M`` (mpmath at 30 and 60 digits, certified slack). A lower bound
    alone does not pin the limit down (a point near ``beta^GF`` passes it too): see
    :func:`check_R6_first_order`."""
    x, y, alpha, b = inst.x, inst.y, inst.alpha, inst.beta_star
    ref = gf_limit_reference(x, y, alpha, 90)
    margins, direct = [], []
    for p in PRECISIONS:
        ctx = mp(p)
        margins.append(_mp_fraction(_phi(ctx, alpha, b) - _phi(ctx, alpha, ref)))
        direct.append(_mp_fraction(_phi(ctx, alpha, b)))
    scale = max(abs(direct[1]), F(1, 10**20))
    return two_precision_at_least("Phi(beta) - Phi(beta^GF)", margins[0], margins[1], scale)


def check_R6_first_order(inst) -> Outcome:
    """R6 (equality): the theory's limit satisfies the exact optimality conditions of
    ``min Phi_alpha`` on ``M`` (``Phi`` strictly convex, so they characterise the minimiser):
    it is on ``M`` (``<x, beta> - y = 0``) and ``log(beta_i / alpha^2) / x_i`` is the same for
    every ``i`` (the Lagrange multiplier ``lambda``: ``grad Phi = log(beta/alpha^2)`` is
    parallel to ``x``). Both residuals are evaluated at 30 and 60 digits (mpmath) from the
    limit at 90 digits and must be zero on the digits the two share. Also the theory's
    ``gradient_flow_potential`` at a random point of ``M`` against a direct evaluation at two
    precisions."""
    x, y, alpha, b = inst.x, inst.y, inst.alpha, inst.beta_star
    ref = gf_limit_reference(x, y, alpha, 90)
    spreads, constraint, direct, lams = [], [], [], []
    for p in PRECISIONS:
        ctx = mp(p)
        a2 = (ctx.mpf(F(alpha).numerator) / F(alpha).denominator) ** 2
        bs = [ctx.mpf(v.numerator) / v.denominator for v in ref]
        xs = [ctx.mpf(F(v).numerator) / F(v).denominator for v in x]
        lam = [ctx.log(bi / a2) / xi for bi, xi in zip(bs, xs, strict=True)]
        lams.append(_mp_fraction(lam[0]))
        spreads.append(_mp_fraction(max(lam) - min(lam)))
        constraint.append(_mp_fraction(ctx.fsum(xi * bi for xi, bi in zip(xs, bs, strict=True))
                                       - ctx.mpf(F(y).numerator) / F(y).denominator))
        direct.append(_mp_fraction(_phi(ctx, alpha, b)))
    phi_theory = high_precision(T.gradient_flow_potential(alpha, b))
    return combine([
        two_precision_equal("spread of log(beta_i/alpha^2)/x_i", F(0), spreads[0], spreads[1],
                            floor=max(F(1), abs(lams[1]))),
        two_precision_equal("<x, beta^GF> - y", F(0), constraint[0], constraint[1],
                            floor=F(y)),
        two_precision_equal("Phi (theory vs direct)", phi_theory, direct[0], direct[1],
                            floor=F(1, 10**20)),
    ])


def _alpha_for_lambda(x, y, lam) -> Fraction:
    """The ``alpha`` whose gradient-flow limit has multiplier ``lambda`` (R6's equation solved
    for ``alpha``: ``alpha^2 = y / sum_i x_i exp(lambda x_i)``), as an exact Fraction."""
    ctx = mp(40)
    xs = [ctx.mpf(F(v).numerator) / F(v).denominator for v in x]
    yy = ctx.mpf(F(y).numerator) / F(y).denominator
    a = ctx.sqrt(yy / sum(xi * ctx.exp(lam * xi) for xi in xs))
    return _mp_fraction(a)


def check_R6_small_alpha(inst) -> Outcome:
    """R6 (qualitative): the ``alpha -> 0`` limit is the centroid of the minimum-norm face
    (exact vertex enumeration), and ``beta^GF(alpha)`` approaches it at the rate the closed
    form predicts. Decision procedure: with ``x_2`` the largest entry below ``x_max`` and
    ``gap = x_max - x_2``, ``beta^GF_j / beta^GF_max = exp(lambda (x_j - x_max))``, so in the
    regime ``lambda gap >> 1`` the distance behaves like ``alpha^p``, ``p = 2 (1 - x_2/x_max)``.
    The ``alpha`` values are chosen so that ``lambda gap = 10, 20, 30`` (near ties need tiny
    ``alpha``); the limits come from theory's equation at 60 digits. Pass iff the distances
    decrease and the exponent measured between the last two is within 5% of ``p``. All ``x``
    tied: the limit is exact for every ``alpha``."""
    import math

    x, y = inst.x, inst.y
    _, _, centroid, _ = _face(x, y, "max")
    outs = [exact_equal("small-alpha limit", [_fr(v) for v in
                                               T.gradient_flow_small_alpha_limit(x, y)],
                        list(centroid))]
    xs = [F(v) for v in x]
    xmax = max(xs)
    below = [v for v in xs if v < xmax]
    if not below:
        ref = gf_limit_reference(x, y, inst.alpha, exact=False)
        dist = max(abs(p - q) for p, q in zip(ref, centroid, strict=True))
        ok = dist <= max(centroid) * F(1, 10**50)
        outs.append(procedure("all x tied: distance to the limit", ok, float(dist),
                              {"distance": float(dist)}))
        return combine(outs)
    gap = xmax - max(below)
    alphas = [_alpha_for_lambda(x, y, L / float(gap)) for L in (10, 20, 30)]
    dists = []
    for a in alphas:
        ref = gf_limit_reference(x, y, a, exact=False)
        dists.append(max(abs(p - q) for p, q in zip(ref, centroid, strict=True)))
    predicted = 2 * (1 - float(max(below) / xmax))
    measured = (math.log(dists[1] / dists[2]) / math.log(alphas[1] / alphas[2])
                if dists[2] > 0 and dists[1] > 0 else math.inf)
    detail = {"alphas": [f"{float(a):.3e}" for a in alphas],
              "distances": [float(v) for v in dists], "predicted_exponent": predicted,
              "measured_exponent": measured}
    ok = dists[0] > dists[1] > dists[2] and abs(measured - predicted) <= 0.05 * predicted
    outs.append(procedure("rate of beta^GF(alpha) -> beta^N", ok, abs(measured - predicted),
                          detail))
    return combine(outs)


def check_R6_flow(inst) -> Outcome:
    """R6 (equality): where theory proves the path's largest sharpness sits at its end
    (``r(0) <= 0`` and ``2 |r(0)| x_max <= s_end``, :func:`theory.sharpness_along_flow`), the
    numerics flow (:func:`numerics.flow.audited_flow`, 10 against 20 digits) must find it there,
    with ``eta_c = 2 / s_GF`` equal to the theory's."""
    from numerics.audited import audited_flow

    x, y, alpha = inst.x, inst.y, inst.alpha
    th = T.sharpness_along_flow(x, y, alpha)
    if th.S_at_end is not True:
        return Outcome("undecided", None, {"reason": "theory's sufficient condition does not "
                                           "hold here (see conjecture s-gf-attained-at-end)"})
    run = audited_flow(inst.problem(), precision=10)
    g = T.gradient_flow_limit(x, y, alpha)
    eta_c = high_precision(g.eta_c) if g.exact else 2 / _S_on_M(x, gf_limit_reference(
        x, y, alpha))
    outs = [two_precision_equal("eta_c", eta_c, run.low.eta_c, run.high.eta_c)]
    if run.s_gf_at_end is None:
        outs.append(Outcome("undecided", None, {"reason": "the two precisions disagree on "
                                                "where s_GF is attained"}))
    else:
        outs.append(exact_equal("s_GF attained at the end", run.s_gf_at_end, True))
    return combine(outs)


def check_R6_metamorphic(case) -> Outcome:
    """R6 (equality): ``x -> c x, y -> c y`` only rescales time, so ``beta^GF`` is unchanged
    (hence ``eta_c = 2/S`` moves to ``eta_c / c^2``); permuting ``x`` permutes ``beta^GF``. The
    limit of the transformed problem at 40 and 80 digits against the original's at 80 digits
    (:func:`gf_limit_reference`), on the digits the two share."""
    inst, c, perm = case.instance, case.c, case.perm
    x, y, alpha = inst.x, inst.y, inst.alpha
    ref = gf_limit_reference(x, y, alpha, 80)
    inverse = sorted(range(len(perm)), key=lambda i: perm[i])

    def moved(digits):
        scaled = gf_limit_reference([c * v for v in x], c * y, alpha, digits)
        permuted = gf_limit_reference([x[i] for i in perm], y, alpha, digits)
        return tuple(scaled) + tuple(permuted[j] for j in inverse)

    return two_precision_equal("beta^GF under scaling and permutation", tuple(ref) * 2,
                               moved(40), moved(80), labels=("40 digits", "80 digits"))


# ============================================================================== R7
def _hand_gd(x, y, alpha, eta, K, w0=None):
    """Exact GD with the gradient from ``sympy.diff`` (not from theory): ``[(w_k, r_k)]``,
    from ``w_0 = alpha 1`` (or ``w0``)."""
    d = len(x)
    ws = sp.symbols(f"w0:{d}", real=True)
    r_expr = sum(_Q(xi) * wi**2 for xi, wi in zip(x, ws, strict=True)) - _Q(y)
    grads = [sp.diff(r_expr**2 / 2, wi) for wi in ws]
    w = [F(alpha)] * d if w0 is None else [F(v) for v in w0]
    out = []
    for _ in range(K + 1):
        r = sum(F(a) * v * v for a, v in zip(x, w, strict=True)) - F(y)
        out.append((tuple(w), r))
        at = {wi: _Q(v) for wi, v in zip(ws, w, strict=True)}
        g = [_fr(gr.xreplace(at)) for gr in grads]
        w = [v - F(eta) * gi for v, gi in zip(w, g, strict=True)]
    return out


def check_R7_exact(inst) -> Outcome:
    """R7 (identity): exact GD iterates (gradient from ``sympy.diff``, Fractions) against
    ``gd_iterates``; ``beta_K = alpha^2 prod (1 - 2 eta r_k x)^2`` and the effective
    initialisation ``beta_K = alpha_eff^2 exp(-4 x R)``, ``alpha_eff^2 = alpha^2 exp(-G)``,
    exactly (``sympy.simplify`` to zero), for ``K = 4`` steps."""
    x, y, alpha, eta = inst.x, inst.y, inst.alpha, inst.eta
    K = 4
    hand = _hand_gd(x, y, alpha, eta, K)
    got = list(islice(T.gd_iterates(x, y, alpha, eta), K + 1))
    outs = [exact_equal(f"w_{k}", tuple(_fr(v) for v in gw), hw)
            for k, ((gw, _), (hw, _)) in enumerate(zip(got, hand, strict=True))]
    outs += [exact_equal(f"r_{k}", _fr(gr), hr)
             for k, ((_, gr), (_, hr)) in enumerate(zip(got, hand, strict=True))]
    rs = [r for _, r in hand[:K]]
    betaK = tuple(v * v for v in hand[K][0])
    outs.append(exact_equal("product identity", tuple(_fr(v) for v in T.gd_product_identity(
        x, alpha, eta, rs)), betaK))
    eff = T.effective_initialisation(x, alpha, eta, rs)
    for i, xi in enumerate(x):
        if eff.G[i] == sp.oo:
            outs.append(exact_equal(f"dead coordinate {i}", (betaK[i], _fr(eff.alpha_eff_sq[i])),
                                    (F(0), F(0))))
            continue
        outs.append(exact_equal(f"alpha_eff^2 exp(-4 x_{i} R) = beta_K[{i}]",
                                eff.alpha_eff_sq[i] * sp.exp(-4 * _Q(xi) * eff.R), _Q(betaK[i])))
        outs.append(exact_equal(f"alpha_eff^2 = alpha^2 exp(-G_{i})", eff.alpha_eff_sq[i],
                                _Q(alpha) ** 2 * sp.exp(-eff.G[i])))
    return combine(outs)


def check_R7_dead_factor(inst) -> Outcome:
    """R7 (identity, equality): with ``eta = 1/(2 r_0 x_i)`` the factor ``1 - 2 eta r_0 x_i`` is
    exactly zero: exact GD kills coordinate ``i`` for good (``w_k[i] = 0``, ``G_i = oo``,
    ``alpha_eff_i = 0``); the numerics engine (30 and 60 digits, 8 steps or up to the last
    step before ``|r| > 1e6``) keeps it at zero to its precision."""
    from numerics.gd import iterate

    x, y, alpha, eta = inst.x, inst.y, inst.alpha, inst.eta
    K = 3
    hand = _hand_gd(x, y, alpha, eta, K)
    r0 = hand[0][1]
    dead = [i for i, xi in enumerate(x) if 1 - 2 * eta * r0 * F(xi) == 0]
    outs = [exact_equal("a factor is exactly zero", bool(dead), True)]
    eff = T.effective_initialisation(x, alpha, eta, [r for _, r in hand[:K]])
    for i in dead:
        outs.append(exact_equal(f"w_k[{i}] = 0 for k >= 1", [w[i] for w, _ in hand[1:]],
                                [F(0)] * K))
        outs.append(exact_equal(f"G_{i} = oo", eff.G[i] == sp.oo, True))
        outs.append(exact_equal(f"alpha_eff^2[{i}] = 0", _fr(eff.alpha_eff_sq[i]), F(0)))
    # the engine at two precisions: 8 steps, or up to the last step before |r| > 1e6
    finals = []
    for p in PRECISIONS:
        be = flint(p)
        last = None
        with closing(iterate(inst.problem(), eta, backend=be)) as states:
            for st in states:
                if st.k > 8 or any(abs(to_fraction(r)) > 10**6 for r in st.r):
                    break
                last = (st.k, [to_fraction(v) for v in st.beta])
        finals.append(last)
    k = min(finals[0][0], finals[1][0])
    if k < 1:
        outs.append(Outcome("undecided", None, {"reason": "|r| > 1e6 at the first step"}))
        return combine(outs)
    if finals[0][0] != finals[1][0]:
        outs.append(Outcome("undecided", None, {"reason": "the precisions blow up at "
                                                "different steps"}))
        return combine(outs)
    lo, hi = finals[0][1], finals[1][1]
    scale = max(max(abs(v) for v in hi), F(1, 10**6))
    for i in dead:
        outs.append(two_precision_equal(f"beta[{i}] after {k} steps", F(0), lo[i], hi[i],
                                        floor=scale))
    return combine(outs)


def check_R7_numerics(inst) -> Outcome:
    """R7 (equality): along a 60-step trajectory of the numerics engine (30 and 60 digits) the
    product identity ``beta_K = alpha^2 prod (1 - 2 eta r_k x)^2`` (evaluated at 150 digits from
    the run's own residuals) and the engine's gain ``log(alpha_eff^2/alpha^2) = -G`` hold to the
    working precision (:func:`~proofs_check.decide.two_precision_residual`: error
    ``<= (K + 1) 10^-(p-6)`` relative at both precisions passes; above ``10^-(p/2)`` at both
    fails; otherwise undecided). Runs are cut at ``|r| > 1e6``."""
    from numerics.gd import iterate

    x, alpha, eta = inst.x, inst.alpha, inst.eta
    problem = inst.problem()
    K = 60
    errors, detail, steps = {}, {}, 0
    for p in PRECISIONS:
        be = flint(p)
        rs, last = [], None
        with closing(iterate(problem, eta, backend=be)) as states:
            for st in states:
                r = to_fraction(st.r[0])
                if st.k == K or abs(r) > 10**6:
                    last = st
                    break
                rs.append(r)
        beta = [to_fraction(v) for v in last.beta]
        G_sum = [to_fraction(v) for v in last.G_sum]
        ctx = mp(150)
        a2 = ctx.mpf(F(alpha).numerator) / F(alpha).denominator
        a2 = a2 * a2
        err_beta, err_gain = F(0), F(0)
        scale = max(max(abs(v) for v in beta), F(1, 10**30))
        for i, xi in enumerate(x):
            prod = ctx.mpf(1)
            for r in rs:
                prod *= (1 - 2 * ctx.mpf(eta.numerator) / eta.denominator
                         * (ctx.mpf(r.numerator) / r.denominator) * (ctx.mpf(F(xi).numerator)
                                                                       / F(xi).denominator))
            pred = _mp_fraction(a2 * prod * prod)
            err_beta = max(err_beta, abs(pred - beta[i]) / scale)
            if pred > scale * F(1, 10**20) and beta[i] > 0:
                # gain = log(w^2 / alpha^2) + 4 eta sum g = 2 log|prod| + 4 eta x sum r = -G
                w2 = ctx.mpf(beta[i].numerator) / beta[i].denominator
                gain_engine = ctx.log(w2 / a2) + 4 * (ctx.mpf(G_sum[i].numerator)
                                                      / G_sum[i].denominator)
                eta_m = ctx.mpf(eta.numerator) / eta.denominator
                x_m = ctx.mpf(F(xi).numerator) / F(xi).denominator
                G_theory = -2 * ctx.log(abs(prod)) - 4 * eta_m * x_m * sum(
                    ctx.mpf(r.numerator) / r.denominator for r in rs)
                err_gain = max(err_gain, abs(_mp_fraction(gain_engine + G_theory))
                               / max(F(1), abs(_mp_fraction(G_theory))))
        errors[p] = max(err_beta, err_gain)
        detail[f"steps_{p}_digits"] = len(rs)
        steps = max(steps, len(rs))
    return two_precision_residual("product identity and gain along the engine's trajectory",
                                  errors, steps, detail=detail)


#: float64 steps of the engine in :func:`check_R7_metamorphic` (cut at ``|r| > 1e6``)
R7_METAMORPHIC_STEPS = 200
#: exact steps of :func:`check_R7_metamorphic` (Fractions double their size at each step)
R7_METAMORPHIC_EXACT_STEPS = 4


def _engine_float64(problem, eta, theta0=None, K=R7_METAMORPHIC_STEPS) -> list:
    """``[beta_0, beta_1, ...]`` (exact values of the float64 numbers) of the engine's GD for
    ``k <= K``, cut before ``|r| > 1e6`` or a non-finite value."""
    import numpy as np

    from numerics.gd import iterate

    out = []
    with np.errstate(all="ignore"), closing(iterate(problem, eta, theta0=theta0)) as states:
        for st in states:
            beta = np.asarray(st.beta, dtype=float)
            r = np.atleast_1d(np.asarray(st.r, dtype=float))
            if st.k > K or not np.all(np.isfinite(beta)) or not np.all(np.isfinite(r)) or \
                    np.any(np.abs(r) > 1e6):
                break
            out.append(tuple(F(float(v)) for v in beta))
    return out


def _zero_coordinate_outcomes(inst, w_extra=0) -> list:
    """The two halves of :func:`check_R7_metamorphic`, with the added coordinate initialised at
    ``w_extra`` (``0`` in the check; anything else must break the relation)."""
    import numpy as np

    x, y, alpha, eta = inst.x, inst.y, inst.alpha, inst.eta
    extra = min(x) / 2
    big = inst.replace(X=(tuple(x) + (extra,),)).problem()
    theta0 = (np.array([float(alpha)] * len(x) + [float(w_extra)]),)
    orig = _engine_float64(inst.problem(), eta)
    grown = _engine_float64(big, eta, theta0)
    outs = []
    k = min(len(orig), len(grown)) - 1
    if k < 1:
        outs.append(Outcome("undecided", None, {
            "reason": "the run leaves |r| <= 1e6 at the first step: nothing finite to compare"}))
    else:
        outs.append(exact_equal("float64 steps before |r| > 1e6 (at most 200)",
                                len(grown) - 1, len(orig) - 1))
        outs.append(exact_equal(f"float64 beta_{k}, zero coordinate added (bit for bit)",
                                grown[k], orig[k] + (F(0),)))
    K = R7_METAMORPHIC_EXACT_STEPS
    small = _hand_gd(x, y, alpha, eta, K)
    grown_exact = _hand_gd(tuple(x) + (extra,), y, alpha, eta, K,
                           w0=[alpha] * len(x) + [w_extra])
    outs.append(exact_equal(f"exact w_1..w_{K}, zero coordinate added",
                            [w for w, _ in grown_exact], [w + (F(0),) for w, _ in small]))
    return outs


def check_R7_metamorphic(inst) -> Outcome:
    """R7 (identity): adding a coordinate (``x' = x_min / 2``) initialised at ``w' = 0``
    changes nothing, since the multiplicative update keeps it at zero:

    * the numerics engine (float64, up to 200 steps, both runs cut before ``|r| > 1e6`` or a
      non-finite value) gives the original trajectory bit for bit, with the new coordinate
      exactly zero; undecided when the run blows up at the first step (nothing finite);
    * exact GD in Fractions (gradient from ``sympy.diff``, 4 steps) on the enlarged problem
      from ``w_0 = (alpha 1, 0)`` gives exactly the iterates of exact GD on the original
      problem, and zero for the new coordinate.
    """
    return combine(_zero_coordinate_outcomes(inst))


def _run_flint(problem, eta, dps, K, theta0=None):
    """``[(k, beta_k as Fractions, r_k as Fractions)]`` for ``k <= K`` (cut at ``|r| > 1e6``)."""
    from numerics.gd import iterate

    be = flint(dps)
    out = []
    with closing(iterate(problem, eta, backend=be, theta0=theta0)) as states:
        for st in states:
            r = [to_fraction(v) for v in st.r]
            if st.k > K or any(abs(v) > 10**6 for v in r):
                break
            out.append((st.k, [to_fraction(v) for v in st.beta], r))
    return out


def check_R7_tiny_coordinate(inst) -> Outcome:
    """R7 (qualitative, metamorphic): add a coordinate ``x' = x_min / 2`` initialised at
    ``w' = eps = alpha 1e-15`` (numerics engine, 60 digits, 60 steps). Decision procedure:
    (i) every coordinate,
    the new one included, obeys ``beta_K = w_0^2 prod_k (1 - 2 eta r_k x)^2`` with the run's
    residuals (relative error ``<= K 1e-54``). (ii) The original coordinates move by
    ``O((eps/alpha)^2) = O(1e-30)`` times the run's amplification of perturbations, measured
    directly as the change of the run when ``alpha`` is nudged by a relative ``1e-30``
    (``sens``; above ``1e-10``: the run is chaotic, undecided): the two trajectories must
    agree to ``100 max(sens, 1e-28)`` relative. (Rounding cannot measure this amplification:
    a marginal run such as a factor exactly ``-1`` is computed exactly at every precision.)
    Instances with an exactly zero first factor are excluded (see the domain)."""
    x, alpha, eta = inst.x, inst.alpha, inst.eta
    K = 60
    extra, eps = min(x) / 2, alpha / 10**15
    big = inst.replace(X=(tuple(x) + (extra,),)).problem()
    runs_big = _run_flint(big, eta, PRECISIONS[1], K,
                          theta0=([alpha] * len(x) + [eps],))
    orig_hi = _run_flint(inst.problem(), eta, PRECISIONS[1], K)
    # the run's sensitivity: the same run from alpha (1 + 1e-30), a perturbation of the size
    # the tiny coordinate makes ((eps/alpha)^2 = 1e-30)
    nudged = _run_flint(inst.replace(alpha=alpha * (1 + F(1, 10**30))).problem(), eta,
                        PRECISIONS[1], K)
    k = min(len(runs_big), len(orig_hi), len(nudged)) - 1
    if k < 1:
        return Outcome("undecided", None, {"reason": "|r| > 1e6 at the first step"})
    ctx = mp(120)
    q = lambda v: ctx.mpf(F(v).numerator) / F(v).denominator  # noqa: E731
    _, beta_k, _ = runs_big[k]
    inits = [alpha] * len(x) + [eps]
    err = F(0)
    for i, xi in enumerate(tuple(x) + (extra,)):
        prod = ctx.mpf(1)
        for _, _, r in runs_big[:k]:
            prod *= 1 - 2 * q(eta) * q(r[0]) * q(xi)
        pred = _mp_fraction(q(inits[i]) ** 2 * prod * prod)
        err = max(err, abs(pred - beta_k[i]) / max(abs(pred), F(1, 10**300)))
    outs = [procedure("product identity with the added coordinate", err <= k * F(1, 10**54),
                      float(err), {"relative_error": float(err), "steps": k})]
    scale = max(max(abs(v) for v in orig_hi[k][1]), F(1, 10**30))
    sens = max(abs(a - b) for a, b in zip(nudged[k][1], orig_hi[k][1], strict=True)) / scale
    if sens > F(1, 10**10):
        outs.append(Outcome("undecided", None, {"reason": "the run amplifies a 1e-30 "
                                                f"perturbation to {float(sens):.1e}"}))
        return combine(outs)
    gap = max(abs(a - b) for a, b in zip(beta_k[:len(x)], orig_hi[k][1], strict=True)) / scale
    tol = 100 * max(sens, F(1, 10**28))
    outs.append(procedure("original coordinates with and without the tiny coordinate",
                          gap <= tol, float(gap), {"relative_gap": float(gap),
                                                   "tolerance": float(tol),
                                                   "sensitivity": float(sens)}))
    return combine(outs)


# ============================================================================== R8
def _uniform_moments(x, y):
    """Mean and covariance of the uniform law on ``M`` from the vertices (independent route):
    ``mu = mean of vertices``, ``Cov = sum_i (v_i - mu)(v_i - mu)^T / (d (d + 1))``."""
    verts = _vertices(x, y)
    d = len(x)
    mu = tuple(sum(v[j] for v in verts) / d for j in range(d))
    cov = [[sum((v[i] - mu[i]) * (v[j] - mu[j]) for v in verts) / (d * (d + 1))
            for j in range(d)] for i in range(d)]
    return mu, cov


def check_R8_exact(inst) -> Outcome:
    """R8 (identity): the uniform prior's moments (vertex route; for ``d = 2`` also
    ``sympy.integrate`` on the segment) and the expected risk
    ``E||beta - beta*||^2 = sum_ij E[l_i l_j] (beta - v_i).(beta - v_j)``,
    ``E[l_i l_j] = (1 + delta_ij) / (d (d + 1))`` (Dirichlet(1) weights), exactly."""
    x, y, b = inst.x, inst.y, inst.beta_star
    d = len(x)
    prior = T.uniform_prior(x, y)
    mu, cov = _uniform_moments(x, y)
    outs = [exact_equal("mean", tuple(_fr(v) for v in prior.mean), mu),
            exact_equal("covariance", [[_fr(prior.cov[i, j]) for j in range(d)]
                                       for i in range(d)], cov)]
    if d == 2:
        t = sp.Symbol("t")
        v1, v2 = _vertices(x, y)
        path = [t * _Q(a) + (1 - t) * _Q(c) for a, c in zip(v1, v2, strict=True)]
        m_int = [sp.integrate(p, (t, 0, 1)) for p in path]
        c_int = [[sp.integrate(p * q, (t, 0, 1)) - mi * mj for q, mj in zip(path, m_int,
                                                                             strict=True)]
                 for p, mi in zip(path, m_int, strict=True)]
        outs.append(exact_equal("mean (integral)", tuple(_fr(v) for v in m_int), mu))
        outs.append(exact_equal("covariance (integral)", [[_fr(v) for v in row]
                                                          for row in c_int], cov))
    verts = _vertices(x, y)
    for name, beta in (("random point", b), ("beta^N", T.min_norm_interpolator(x, y).beta)):
        beta = [_fr(v) for v in beta]
        ref = sum((F(1 + (i == j), d * (d + 1)))
                  * sum((beta[k] - verts[i][k]) * (beta[k] - verts[j][k]) for k in range(d))
                  for i in range(d) for j in range(d))
        outs.append(exact_equal(f"expected risk at {name}", _fr(T.expected_risk(beta, prior)),
                                ref))
    return combine(outs)


def check_R8_optimality(inst) -> Outcome:
    """R8 (lower): ``optimal_interpolator`` for a point prior at ``mu`` (on or off ``M``) and a
    diagonal ``Sigma``: on ``M`` and first-order optimal against every vertex of ``M``
    (``grad f . (v_j - beta) >= 0``, exact; ``f`` convex, so globally optimal). With the
    uniform prior and distinct ``x``: both implicit biases are strictly worse, with gaps
    ``||beta^N - mu||^2`` and ``||beta^S - mu||^2``, and the optimum lies strictly between."""
    x, y, mu = inst.x, inst.y, inst.beta_star
    d = len(x)
    sig = [F(1 + (i % 3), 1 + (i % 2)) for i in range(d)]
    Sigma = [[sig[i] if i == j else F(0) for j in range(d)] for i in range(d)]
    opt = [_fr(v) for v in T.optimal_interpolator(x, y, T.point_prior(mu), Sigma)]
    grad = [2 * sig[i] * (opt[i] - F(mu[i])) for i in range(d)]
    outs = [exact_equal("optimum on M", _on_M(x, y, opt), True)]
    for j, v in enumerate(_vertices(x, y)):
        outs.append(exact_at_least(f"KKT against vertex {j}",
                                   sum(g * (a - o) for g, a, o in zip(grad, v, opt,
                                                                        strict=True)), 0))
    if len(set(x)) == d:
        gaps = T.bias_gaps(x, y)
        m, _ = _uniform_moments(x, y)
        bn = [_fr(v) for v in T.min_norm_interpolator(x, y).beta]
        bs = [_fr(v) for v in T.min_sharpness_interpolator(x, y).beta]
        outs += [
            exact_equal("gap of beta^N", _fr(gaps.gap_min_norm),
                        sum((a - c) ** 2 for a, c in zip(bn, m, strict=True))),
            exact_equal("gap of beta^S", _fr(gaps.gap_min_sharpness),
                        sum((a - c) ** 2 for a, c in zip(bs, m, strict=True))),
            exact_equal("neither bias optimal", gaps.neither_optimal, True),
            exact_equal("optimum strictly between", gaps.strictly_between, True),
        ]
    return combine(outs)


def check_R8_numerics(inst) -> Outcome:
    """R8 (lower): neither bias generalises best, seen on gradient descent. For ``d = 2`` with
    distinct ``x`` and ``beta*`` uniform on ``M`` (mean ``mu`` the centroid, ``Sigma = I``), the
    expected error of an interpolator is ``||beta - mu||^2 + tr Cov``: GD's limit at the
    predicted best rate ``eta* = 2/S(mu)`` (and at the middle of ``(eta_c, top)``,
    :func:`r9_top`), audited at two precisions (float64 and 32 digits,
    :func:`numerics.audit.audited_gd`, the engine's own population risk ``||beta - mu||^2``),
    must be strictly better than both biases: the margin
    ``min(gap(beta^N), gap(beta^S)) - ||beta_GD - mu||^2`` (gaps from ``theory.bias_gaps``)
    is ``>= 0`` with certified slack, for the best converged run. No run converged at both
    precisions: undecided."""
    from numerics.audited import audited_gd

    x, y, alpha = inst.x, inst.y, inst.alpha
    mu, _ = _uniform_moments(x, y)
    gaps = T.bias_gaps(x, y)
    best_bias = min(_fr(gaps.gap_min_norm), _fr(gaps.gap_min_sharpness))
    eta_c = 2 / _S_on_M(x, gf_limit_reference(x, y, alpha, 30))
    top = r9_top(x, y)
    eta_star = 2 / _S_on_M(x, mu)
    etas = [e.limit_denominator(10**6) for e in (eta_star, (eta_c + top) / 2)
            if eta_c < e < top]
    problem = inst.problem(beta_star=mu)
    best = None
    for eta in etas:
        run = audited_gd(problem, eta, R9_STEPS, record_sharpness=False)
        if run.status != "converged":
            continue
        risks = (run.low.risk, run.high.risk)
        if best is None or risks[1] < best[1][1]:
            best = (eta, risks)
    detail = {"etas": [str(e) for e in etas], "gap_min_norm": float(gaps.gap_min_norm),
              "gap_min_sharpness": float(gaps.gap_min_sharpness)}
    if best is None:
        return Outcome("undecided", None, {**detail, "reason": (
            "no GD run converged at both precisions" if etas else
            "no learning rate between eta_c and r9_top")})
    eta, (r_lo, r_hi) = best
    out = two_precision_at_least("min(gap(beta^N), gap(beta^S)) - ||beta_GD - mu||^2",
                                 best_bias - r_lo, best_bias - r_hi, best_bias)
    return Outcome(out.status, out.error, {**detail, "eta": str(eta),
                                           "error_GD": float(r_hi), **out.detail}, out.rules)


# ============================================================================== R9
def check_R9_exact(inst) -> Outcome:
    """R9 (identity): for ``d = 2`` and ``1/(2 y x_max) <= eta <= 1/(2 y x_min)`` the
    interpolator ``eos_interpolator`` is on ``M`` with sharpness exactly ``2/eta``; the
    predicted best learning rate is ``2 / S(mu)`` with ``S(mu) = 4 y mean(x)`` (uniform
    prior)."""
    x, y, eta = inst.x, inst.y, inst.eta
    b = [_fr(v) for v in T.eos_interpolator(x, y, eta)]
    best = T.predicted_best_learning_rate(x, y)
    return combine([exact_equal("on M", _on_M(x, y, b), True),
                    exact_equal("S = 2/eta", _S_on_M(x, b), 2 / eta),
                    exact_equal("eta* = 2 / (4 y mean x)", _fr(best.eta_star),
                                2 / (4 * F(y) * sum(F(v) for v in x) / len(x)))])


#: R9's quantitative reading: above eta_c GD stops within this fraction below 2/eta. Measured
#: (float64 GD, 60000 steps, several thousand converged runs on a grid of the domain: x_min /
#: x_max in [1/2, 3/4], alpha from 1e-3 to 1/7, eta up to :func:`r9_top`): 1 - eta S / 2 is at
#: most 0.028 (at x_min/x_max = 1/2 and the top rate), so a band of 0.05 leaves a 1.8x margin.
EOS_BAND = F(1, 20)
#: ... and below eta_c within this fraction of s_GF. Measured on the same grid (eta from
#: 0.05 to 0.99 eta_c, alpha up to 1/20): |S / s_GF - 1| <= 0.015 (largest at alpha = 1/20).
FLOW_BAND = F(1, 40)
#: the GD budget of the R9 check
R9_STEPS = 60000
#: the largest ``eta S(beta^N) / 2`` at which the R9 checks run GD (see :func:`r9_top`)
CATAPULT_GUARD = F(3, 2)


def r9_top(x, y) -> Fraction:
    """The largest learning rate of the R9 checks: ``min(0.9 / (2 y x_min),
    CATAPULT_GUARD / (2 y x_max))``.

    Closer to ``1/(2 y x_min)`` GD is chaotic. And from ``w_0 = alpha 1`` GD overshoots when
    ``eta S(beta^N) / 2 = 2 eta y x_max`` exceeds about 1.6 (measured, independent of
    ``alpha`` from 1e-3 to 1/20 and of ``x_min / x_max`` from 1/2 to 0.56): it then lands, for
    some rates, on an interpolator far flatter than ``2/eta`` (``eta S/2`` down to 0.83, both
    precisions agreeing: e.g. ``x = (4, 2), y = 1/2, alpha = 1/20, eta = 0.4309``). Where this
    happens the reading "GD stops slightly below 2/eta" does not hold (see the claim's notes).
    """
    x_min, x_max = min(F(v) for v in x), max(F(v) for v in x)
    return min(F(9, 10) / (2 * F(y) * x_min), CATAPULT_GUARD / (2 * F(y) * x_max))


def check_R9_numerics(inst) -> Outcome:
    """R9 (qualitative). Decision procedure, on ``d = 2`` instances: run
    :func:`numerics.audit.audited_gd` (float64 against 32 digits, ``R9_STEPS`` steps).
    Not converged, chaotic or diverged at the two precisions: undecided (the claim speaks of
    a limit; divergence is reported by the conjecture
    ``gd-limit-reachable-up-to-stability-limit``). Converged: with ``S`` the final sharpness
    (agreed digits) and ``c = eta S / 2``:

    * ``eta_c < eta <= r9_top``: pass iff ``1 - EOS_BAND <= c <= 1`` (GD stops slightly
      below ``2/eta``; in ``d = 2`` ``S`` fixes the point of ``M``, so this is closeness to the
      interpolator with ``S = 2/eta``);
    * ``eta <= eta_c``: pass iff ``|S - s_GF| <= FLOW_BAND s_GF`` (flow-aligned);

    both with the slack of the agreed digits; a violation both precisions share fails."""
    from numerics.audited import audited_gd

    x, y, alpha, eta = inst.x, inst.y, inst.alpha, inst.eta
    ref = gf_limit_reference(x, y, alpha)
    s_gf = _S_on_M(x, ref)
    eta_c = 2 / s_gf
    run = audited_gd(inst.problem(), eta, R9_STEPS, record_sharpness=False)
    detail = {"eta": str(eta), "eta_c": float(eta_c), "status": run.status}
    if run.status != "converged":
        detail["reason"] = f"GD {run.status} at the two precisions: no limit to compare"
        return Outcome("undecided", None, detail)
    S_lo, S_hi = run.low.S, run.high.S
    if eta > eta_c:
        lo_m = [1 - eta * S / 2 for S in (S_lo, S_hi)]          # c <= 1
        hi_m = [eta * S / 2 - (1 - EOS_BAND) for S in (S_lo, S_hi)]  # c >= 1 - band
        detail["regime"] = "edge of stability"
        detail["eta_S_over_2"] = float(eta * S_hi / 2)
        outs = [two_precision_at_least("final S <= 2/eta", lo_m[0], lo_m[1], 1),
                two_precision_at_least("final S >= (1 - band) 2/eta", hi_m[0], hi_m[1], 1)]
    else:
        m = [FLOW_BAND * s_gf - abs(S - s_gf) for S in (S_lo, S_hi)]
        detail["regime"] = "flow-aligned"
        detail["S_over_s_GF"] = float(S_hi / s_gf)
        outs = [two_precision_at_least("|S - s_GF| <= band s_GF", m[0], m[1], s_gf)]
    out = combine(outs)
    return Outcome(out.status, out.error, {**detail, **out.detail}, out.rules)


def check_R9_u_shape(inst) -> Outcome:
    """R9 (qualitative): the error along ``eta`` is U-shaped. Decision procedure: on 8 learning
    rates evenly spaced in ``(eta_c, r9_top]`` run :func:`numerics.audit.audited_gd`; keep the
    rates where both precisions converge and the error ``||beta - mu||^2`` (``mu`` the centroid
    of ``M``, the uniform prior's mean; the prior's variance only adds a constant) has at least
    3 agreed digits; at least 4 must remain (else undecided). With the signs of the successive
    differences of the kept errors: exactly one sign change, from ``-`` to ``+`` (down, then
    up: the minimum is interior), passes; no sign change (a monotone curve: the other branch of
    the U is outside the kept range) is undecided; anything else (an increase followed by a
    decrease, or several changes) fails. The domain (``x_min / x_max <= 3/4``) puts
    ``eta* = 2/S(mu)`` inside the range."""
    from numerics.audit import agree
    from numerics.audited import audited_gd

    x, y, alpha = inst.x, inst.y, inst.alpha
    ref = gf_limit_reference(x, y, alpha, 30)
    eta_c = 2 / _S_on_M(x, ref)
    top = r9_top(x, y)
    mu, _ = _uniform_moments(x, y)
    eta_star = 2 / _S_on_M(x, mu)
    kept = []
    for j in range(1, 9):
        eta = (eta_c + F(j, 8) * (top - eta_c)).limit_denominator(10**6)
        run = audited_gd(inst.problem(), eta, R9_STEPS, record_sharpness=False)
        if run.status != "converged":
            continue
        errs = [sum((a - m) ** 2 for a, m in zip(r.beta, mu, strict=True))
                for r in (run.low, run.high)]
        q = agree("error", errs[0], errs[1], 15)
        if q.digits >= 3:
            kept.append((eta, errs[1]))
    detail = {"eta_star": float(eta_star), "etas": [float(e) for e, _ in kept],
              "errors": [float(v) for _, v in kept]}
    if len(kept) < 4:
        detail["reason"] = f"only {len(kept)} of 8 learning rates converged with agreed digits"
        return Outcome("undecided", None, detail)
    errors = [v for _, v in kept]
    i_min = errors.index(min(errors))
    shape, changes = u_shape(errors)
    detail.update(shape=shape, sign_changes=changes, argmin_eta=float(kept[i_min][0]))
    if shape == "monotone":
        detail["reason"] = ("the error is monotone on the kept rates: no U to see (its other "
                            "branch is outside the range)")
        return Outcome("undecided", None, detail)
    return procedure("error ||beta_GD - mu||^2 along eta", shape == "U", 0.0, detail)


def u_shape(values) -> tuple[str, int]:
    """``("U" | "monotone" | "other", sign changes)`` of a sequence: ``"U"`` is exactly one
    change of the signs of the successive differences, from ``-`` to ``+`` (down, then up);
    ``"monotone"`` no change (equal neighbours count as ``-``)."""
    signs = [1 if b > a else -1 for a, b in zip(values, values[1:], strict=False)]
    changes = sum(1 for a, b in zip(signs, signs[1:], strict=False) if a != b)
    if changes == 0:
        return "monotone", 0
    return ("U" if changes == 1 and signs[0] == -1 else "other"), changes
