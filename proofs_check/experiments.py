"""The numerical side of the checks: experiments at two precisions, and reference evaluations.

Everything here calls :mod:`numerics` (or evaluates an exact statement of :mod:`theory` /
:mod:`proofs_check.general` at high precision in a *private* mpmath context). Functions return
exact :class:`~fractions.Fraction` values of the computed binary numbers, so the decision rules
of :mod:`proofs_check.decide` see exactly what was computed.

Gradient flow as a limit of gradient descent
--------------------------------------------
:func:`gf_limit_by_gd` is the experiment for the gradient-flow claims (R6, E4, E5): gradient
descent's limit ``beta(eta)`` is smooth in ``eta`` with ``beta(0) = beta^GF``, so Richardson
extrapolation ``2 beta(eta/2) - beta(eta)`` removes the first-order error. The two
extrapolations from ``(eta, eta/2)`` and ``(eta/2, eta/4)`` play the role of two precisions: the
digits they share are the digits the experiment vouches for (the second is about four times
closer to the flow than their difference). This route shares no formula with the closed forms
it checks; :mod:`numerics.flow` computes the same limit from the closed form and is used where
its extra output (the largest sharpness along the path) is needed.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from .decide import to_fraction

__all__ = [
    "PRECISIONS", "rational", "mpf", "mp_fraction", "MpOps", "flint", "theta_arrays", "state",
    "full_spectrum", "gram_spectrum", "eigenvalues", "mp", "solve_increasing",
    "gf_limit_by_gd", "sharpness_bound",
]

#: the two precisions (decimal digits) of the flint experiments
PRECISIONS = (30, 60)


def rational(v) -> sp.Rational:
    """A sympy Rational from anything :class:`~fractions.Fraction` accepts (exactly)."""
    v = Fraction(v)
    return sp.Rational(v.numerator, v.denominator)


def mpf(ctx, v):
    """``v`` (anything Fraction accepts) as an ``mpf`` of the context ``ctx``."""
    v = Fraction(v)
    return ctx.mpf(v.numerator) / v.denominator


def mp_fraction(v) -> Fraction:
    """The exact Fraction of an ``mpf`` (its binary value)."""
    sign, man, exp, _ = v._mpf_
    q = Fraction(int(man)) * Fraction(2) ** int(exp) if man else Fraction(0)
    return -q if sign else q


class MpOps:
    """An mpmath context as the ``ops`` of :mod:`theory.parametrisations` (``scalar``,
    ``sqrt``, ``exp``, ``log``, ``sinh``, ``cosh``), so that the parametrisations' closed forms
    evaluate in it."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.sqrt, self.exp, self.log = ctx.sqrt, ctx.exp, ctx.log
        self.sinh, self.cosh = ctx.sinh, ctx.cosh

    def scalar(self, value):
        return mpf(self.ctx, value)


def flint(dps: int):
    """The python-flint backend at ``dps`` digits."""
    from numerics.backends import get_backend

    return get_backend("flint", dps)


def mp(dps: int):
    """A private mpmath context at ``dps`` digits (the global ``mpmath.mp`` is never touched)."""
    ctx = mpmath.MPContext()
    ctx.dps = int(dps)
    return ctx


def theta_arrays(be, blocks, sqrt: bool = False) -> tuple:
    """Backend arrays from Fraction blocks (``sqrt=True``: entrywise square roots)."""
    out = []
    for block in blocks:
        vals = [be.scalar(Fraction(v)) for v in block]
        if sqrt:
            vals = [be.sqrt(v) for v in vals]
        out.append(np.array(vals, dtype=be.dtype))
    return tuple(out)


def state(problem, be, theta):
    """``(beta, r, g)`` at ``theta`` in backend arithmetic (``g = X^T r / n``)."""

    Xd = be.data(problem.X)
    beta = problem.parametrisation.beta(theta)
    r = be.matvec(Xd, beta) - be.vector(problem.y)
    g = be.rmatvec(Xd, r) * be.scalar(Fraction(1, problem.n))
    return beta, r, g


def full_spectrum(problem, dps: int, theta_blocks, *, sqrt: bool = False, signs=None) -> tuple:
    """``(lambda_min, lambda_max, S)`` of the full Hessian at ``theta`` (flint at ``dps``).

    ``sqrt=True`` takes entrywise square roots of the blocks at the working precision;
    ``signs`` then multiplies block ``k`` by ``signs[k]`` (a tuple of +-1 per entry).
    """
    from numerics.hessian import spectrum

    be = flint(dps)
    with be.scope():
        theta = theta_arrays(be, theta_blocks, sqrt=sqrt)
        if signs is not None:
            theta = tuple(t * np.array([be.scalar(s) for s in sg], dtype=object)
                          for t, sg in zip(theta, signs, strict=True))
        _, _, g = state(problem, be, theta)
        low, top, S = spectrum(problem, be, theta, g, zero_loss=False)
        return to_fraction(low), to_fraction(top), to_fraction(S)


def eigenvalues(rows, dps: int) -> list[Fraction]:
    """Eigenvalues (increasing) of a symmetric matrix of Fractions, flint at ``dps`` digits."""
    be = flint(dps)
    with be.scope():
        vals = be.eigvalsh([[be.scalar(Fraction(v)) for v in row] for row in rows])
        return [to_fraction(v) for v in vals]


def gram_spectrum(problem, dps: int, theta_blocks) -> list[Fraction]:
    """Eigenvalues of the Gram form ``(1/n) X diag(|J_i|^2) X^T`` at ``theta`` (E1)."""
    from numerics.hessian import gram_rows

    be = flint(dps)
    with be.scope():
        theta = theta_arrays(be, theta_blocks)
        vals = be.eigvalsh(gram_rows(problem, be, theta))
        return [to_fraction(v) for v in vals]


def solve_increasing(f, lo, hi, ctx, *, max_iter: int = 2000):
    """Root of an increasing function ``f`` on ``[lo, hi]`` by bisection (expands ``hi``)."""
    lo, hi = ctx.mpf(lo), ctx.mpf(hi)
    for _ in range(200):
        if f(hi) > 0:
            break
        lo, hi = hi, 2 * hi + 1
    for _ in range(200):
        if f(lo) < 0:
            break
        lo, hi = 2 * lo - 1, lo
    tol = ctx.mpf(2) ** (-ctx.prec + 4)
    for _ in range(max_iter):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo <= tol * max(1, abs(mid)):
            break
    return (lo + hi) / 2


def sharpness_bound(problem) -> float:
    """A float64 estimate of the largest sharpness along the gradient-flow path, times two.

    ``max(S(theta_0), S(limit))`` with the limit from a float64 GD pre-run at step
    ``1 / (4 S(theta_0))`` (when it converges; else ``4 S(theta_0)`` is used). Only sets a
    step size: a poor estimate costs agreed digits, never a wrong verdict.
    """
    from numerics.backends import get_backend
    from numerics.gd import gradient_descent, initial_state
    from numerics.hessian import spectrum

    be = get_backend("float64")
    theta = initial_state(problem, be)
    _, _, g = state(problem, be, theta)
    _, _, S0 = spectrum(problem, be, theta, g, zero_loss=False)
    S0 = max(abs(float(S0)), 1e-9)
    pre = gradient_descent(problem, Fraction(1 / (4 * S0)), 20000, record_sharpness=False)
    S_end = abs(float(pre.S)) if pre.status == "converged" and pre.S is not None else 4 * S0
    return 2 * max(S0, S_end)


def gf_limit_by_gd(problem, *, eta0: Fraction | None = None, per_unit: int = 50,
                   max_steps: int = 300000):
    """The gradient-flow limit as Richardson-extrapolated gradient descent (see module notes).

    Parameters
    ----------
    problem : numerics.Problem
    eta0 : the largest step (default ``1 / (per_unit * sharpness_bound)``)
    max_steps : step budget of the smallest step ``eta0 / 4``

    Returns
    -------
    dict or None
        ``{"ext1", "ext2", "eta0", "steps", "digits_cap"}`` (extrapolations as tuples of
        Fractions; ``digits_cap`` the digits float64 rounding leaves), or None when some run
        did not converge within the budget.
    """
    from numerics.gd import gradient_descent_batch

    if eta0 is None:
        S = sharpness_bound(problem)
        eta0 = Fraction(1, max(1, int(per_unit * S) + 1))
    etas = [eta0, eta0 / 2, eta0 / 4]
    # |r| <= 1e-11 max(1, |y|): ten times the engine's float64 default, whose residual floor
    # some runs cannot get under for good (a zero coordinate of the limit, entries ~ 3); the
    # stopping error stays far below the digits float64 leaves the extrapolation (digits_cap)
    scale = max(Fraction(1), max(abs(Fraction(v)) for v in problem.y))
    tol = (scale / 10**11) ** 2 / 2
    res = gradient_descent_batch(problem, etas, max_steps, tol=tol)
    if any(s != "converged" for s in res.status):
        return None
    B = [[Fraction(float(v)) for v in row] for row in res.beta]
    ext1 = tuple(2 * b - a for a, b in zip(B[0], B[1], strict=True))
    ext2 = tuple(2 * b - a for a, b in zip(B[1], B[2], strict=True))
    steps = [int(s) for s in res.steps]
    # both extrapolations share float64's accumulated rounding (about steps * 2^-53, times 3
    # for the extrapolation): they cannot vouch for more digits than that
    cap = 15.9 - math.log10(3 * max(steps)) - 1
    return {"ext1": ext1, "ext2": ext2, "eta0": eta0, "steps": steps, "digits_cap": cap}
