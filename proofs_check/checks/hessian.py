r"""R1: the loss landscape of the shared model at a point, and on the zero-loss set.

Statement
---------
.. math::

    \nabla L = 2 r (x \odot w), \qquad
    \nabla^2 L = 4 (x \odot w)(x \odot w)^T + 2 r \operatorname{diag}(x),

and on ``M`` (``r = 0``) the Hessian has rank one and ``S = 4 sum_i x_i^2 beta_i``.

Checks: loss, gradient, Hessian and characteristic polynomial against ``sympy.diff`` (exact,
any sign of ``w``); rank and trace on ``M`` (exact); ``S`` and ``lambda_max`` against the
numerics engine's full Hessian at 30 and 60 digits; scaling and permutation (metamorphic).
The sweep verdict (:func:`sweep_verdict_R1`) reads the full Hessian the sweep diagonalised at
every confirmed limit.

References
----------
R1, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

import theory as T

from .. import strategies as S
from ..claim import Check, declare
from ..decide import Outcome, combine, exact_equal, high_precision, two_precision_equal
from ..experiments import PRECISIONS, full_spectrum
from ..experiments import rational as _Q
from ..references import sharpness_on_M
from ..sweep_reading import MIN_POINTS, SweepReading, Verdict, high_dps, verdict_of

F = Fraction


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
            exact_equal("trace = 4 sum x^2 beta", trace, _Q(sharpness_on_M(x, beta))),
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


def sweep_verdict_R1(reading: SweepReading) -> Verdict:
    """R1 on a sweep: at every confirmed converged endpoint the full Hessian (diagonalised at
    the sweep's high precision) has ``max|eig| = 4 sum x^2 beta`` and its other eigenvalues
    vanish, within ``2|r| x_max + 10^-(p-4)``; fewer than :data:`MIN_POINTS` such points:
    undecided."""
    result = reading.result
    # a check whose S the two precisions did not agree on has no S_full to scale the slack
    checks = [pt["hessian_check"] for _, pt in reading.confirmed if pt.get("hessian_check")
              and isinstance(pt["hessian_check"].get("S_full"), float)]
    slack = 10.0 ** -(high_dps(result) - 4)
    if len(checks) < MIN_POINTS:
        ok, ev = None, f"only {len(checks)} confirmed interpolators with a Hessian check"
    else:
        dev = max(c["formula_minus_full"] - c["bound"] for c in checks)
        other = max(c["other_eigenvalues_max"] - c["bound"] for c in checks)
        worst = max(c["formula_minus_full"] for c in checks)
        ok = all(c["formula_minus_full"] <= c["bound"] + slack * c["S_full"]
                 and c["other_eigenvalues_max"] <= c["bound"] + slack for c in checks)
        ev = (f"at {len(checks)} confirmed interpolators the full Hessian, diagonalised at "
              f"{high_dps(result)} digits at GD's endpoint, has max|eig| = 4 sum x_i^2 beta_i "
              f"up to {worst:.1e} (allowed: the residual term 2|r| x_max plus {slack:.0e}; "
              f"excess {max(dev, 0):.1e}) and its other eigenvalue is at most "
              f"{max(c['other_eigenvalues_max'] for c in checks):.1e} (rank one; excess "
              f"{max(other, 0):.1e})")
    return Verdict("R1", "On the zero-loss set the Hessian has rank one and "
                   "S = 4 sum_i x_i^2 beta_i", verdict_of(ok), ev,
                   "every confirmed converged endpoint: |S_full - 4 sum x^2 beta| and the "
                   "other eigenvalues within 2|r| x_max + 10^-(p-4)")


CLAIMS = [
    declare("R1", "grad L = 2 r (x*w), Hess L = 4 (x*w)(x*w)^T + 2 r diag(x); on M the Hessian "
            "has rank one and S = 4 sum_i x_i^2 beta_i.", "identity",
            ("numerics.hessian.spectrum",),
            "x > 0 (d = 2..6, ties), y > 0 or y = <x, w*w>, w rational of any sign", [
                Check("exact", check_R1_exact, lambda: S.parameter_points(d_max=5), "exact",
                      0.5),
                Check("zero_loss", check_R1_zero_loss_exact,
                      lambda: S.parameter_points(d_max=6, zero_loss=True), "exact", 0.5),
                Check("numerics", check_R1_numerics, lambda: S.parameter_points(d_max=6),
                      "numerics", 0.5, kind="equality"),
                Check("metamorphic", check_R1_metamorphic,
                      lambda: S.transformed(S.parameter_points(d_max=5)), "metamorphic", 0.3),
            ]),
]
