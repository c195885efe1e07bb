r"""The minimum-sharpness interpolator of ``n`` samples with a certified interval for its value.

Statement
---------
With the least sharpness of E2 for the parametrisation (:func:`weights_rule`),

.. math:: S^\star = \min_{X\beta = y} S(\beta),\qquad
          S(\beta) = \tfrac{\kappa}{n}\,\lambda_{\max}\big(X \operatorname{diag}\phi(|\beta|)
          X^\top\big),\quad \phi(b) = b^p,

returns an exact interpolator ``beta`` and rationals ``lower <= S* <= S(beta) <= upper``:

* **upper**: ``beta`` is rational with ``X beta = y`` exactly; ``upper = (kappa/n) h`` where
  ``h I - X diag(u) X^T`` is positive definite by an exact ``LDL^T``, with ``u_i = phi(|b_i|)``
  (``p = 1``) or a rational upper bound of it (Arb, ``p > 1``).
* **lower** (weak duality): for any ``Z = Q Q^T / ||Q||_F^2`` (PSD, trace 1) and any ``nu``,
  ``lambda_max(A) >= <Z, A> = sum_i phi(|b_i|) w_i`` with ``w_i = a_i^T Z a_i``, hence for every
  interpolator

  .. math:: \lambda_{\max}(A(\beta)) \ge \nu^\top y - \sum_i \sup_{b}\big(c_i b - w_i \phi(b)
            \big),\qquad c = X^\top \nu,

  where ``b`` ranges over ``R`` (``|b|`` in ``phi``; product, difference) or ``b >= 0``
  (shared). For ``p = 1`` the supremum is 0 when ``|c_i| <= w_i`` (``c_i <= w_i`` for shared),
  so ``nu`` is scaled by the exact factor ``min(1, w_i / |c_i|)``; when that loses more than
  ``WIDTH_GOAL / 100``, the best ``nu`` for the given ``Z`` is used instead: the dual of the
  exact LP ``min sum_i w_i |beta_i|`` s.t. ``X beta = y``
  (:func:`~numerics.interpolators.lp.solve_lp`), whose value is the bound; for ``p > 1``
  the supremum is ``(p-1) (c_i^+/p)^{p/(p-1)} w_i^{-1/(p-1)}`` (Arb upper bound). Then
  ``lower`` is that bound times ``kappa/n``, floored at 0.

Method: Clarabel (:mod:`~numerics.interpolators.conic`) at tolerance ``1e-10``, the structure of
its solution, Newton at ``dps`` digits (:mod:`~numerics.interpolators.polish`), then the exact
certificate above; the unpolished solver point is certified too and the narrower interval kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..errors import DomainError
from .exact import gram, independent_columns, lambda_max_bounds, project_onto
from .norm import check_data, weights_rule

__all__ = ["MinSharpness", "min_sharpness_interpolator", "WIDTH_GOAL", "sharpness_bounds",
           "sharpness_enclosure"]

F = Fraction
#: the width a polished certificate reaches on ``n <= 10``, ``d <= 50`` (a warning otherwise)
WIDTH_GOAL = F(1, 10**8)


@dataclass(frozen=True)
class MinSharpness:
    """A certified minimum-sharpness interpolator (module notes).

    Attributes
    ----------
    beta : tuple of Fractions, an exact interpolator with ``S(beta) <= upper``
    lower, upper : Fractions, ``lower <= S* <= upper``
    sharpness : tuple ``(lo, hi)`` of Fractions enclosing ``S(beta)``
    param : str; depth : int; kappa : Fraction (``S = kappa/n lambda_max``); p : Fraction
    Q : tuple of rows (``n x m``), nu : tuple (one per sample; zero on dependent rows): the
        dual certificate (``Z = Q Q^T / ||Q||_F^2``; ``|X^T nu| <= w`` for depth 2)
    multiplicity : int, the top eigenvalue's multiplicity used by the polish
    support : tuple of int
    polished : bool, whether the high-precision polish produced the interval
    solver : dict (Clarabel's status, iterations, time; the polish's residual)
    """

    beta: tuple
    lower: Fraction
    upper: Fraction
    sharpness: tuple
    param: str
    depth: int
    kappa: Fraction
    p: Fraction
    Q: tuple = field(repr=False)
    nu: tuple = field(repr=False)
    multiplicity: int = 1
    support: tuple = ()
    polished: bool = False
    solver: dict = field(default_factory=dict, compare=False)

    @property
    def certified(self) -> tuple:
        """``(lower, upper)``."""
        return (self.lower, self.upper)

    @property
    def width(self) -> Fraction:
        return self.upper - self.lower


def _arb_fraction(a) -> Fraction:
    man, exp = a.man_exp()
    return F(int(man)) * F(2) ** int(exp)


def _power_up(b: Fraction, p: Fraction, prec: int = 200) -> Fraction:
    """A rational upper bound of ``b^p`` (``b >= 0``; Arb)."""
    import flint

    if p == 1 or b == 0:
        return b
    with flint.ctx.workprec(prec):
        v = flint.arb(flint.fmpq(b.numerator, b.denominator)) ** flint.arb(
            flint.fmpq(p.numerator, p.denominator))
        return _arb_fraction(v.upper())


def sharpness_enclosure(X, beta, param: str = "product", depth: int = 2,
                        digits: int = 40) -> tuple[Fraction, Fraction]:
    """Rationals ``lo <= S(beta) <= hi`` (the least sharpness of E2 for the parametrisation),
    about ``10^-digits`` apart relative to ``S``.

    Examples
    --------
    >>> lo, hi = sharpness_enclosure([[1, 2]], [3, -1])
    >>> lo <= 14 <= hi, float(hi - lo) < 1e-35
    (True, True)
    """
    Xq, _, P = check_data(X, [0] * len(X), param, depth)
    return _enclosure(Xq, [F(b) for b in beta], weights_rule(P), digits)


def _enclosure(Xs, beta, rule, digits) -> tuple[Fraction, Fraction]:
    """``(lo, hi)`` enclosing ``S(beta)`` (exact weights when ``p = 1``; ``hi`` from Arb upper
    bounds of the weights, ``lo`` from lower bounds, when ``p > 1``)."""
    kappa, p, _ = rule
    n = len(Xs)
    up = [_power_up(abs(b), p) for b in beta]
    lo_w = up if p == 1 else [_power_up(abs(b), p) - _power_slack(abs(b), p) for b in beta]
    hi = lambda_max_bounds(gram(Xs, up), digits)[1]
    lo = lambda_max_bounds(gram(Xs, [max(v, F(0)) for v in lo_w]), digits)[0]
    return kappa * lo / n, kappa * hi / n


def _power_slack(b: Fraction, p: Fraction, prec: int = 200) -> Fraction:
    """An upper bound of the radius of Arb's ``b^p`` (so ``upper - slack <= b^p``)."""
    import flint

    if b == 0:
        return F(0)
    with flint.ctx.workprec(prec):
        v = flint.arb(flint.fmpq(b.numerator, b.denominator)) ** flint.arb(
            flint.fmpq(p.numerator, p.denominator))
        return 2 * _arb_fraction(v.rad())


def sharpness_bounds(Xs, Xc, y, beta, Q, nu, rule, digits: int = 40) -> dict:
    """The certified ``lower`` (weak duality) and ``upper`` (``S(beta)``) of the module notes,
    for exact ``beta`` (an interpolator), ``Q`` and ``nu`` (one entry per row of ``Xc``; for
    ``p = 1`` it is replaced by the best ``nu`` for ``Z``, an exact LP). Returns ``lower``,
    ``upper``, ``sharpness`` (the enclosure of ``S(beta)``) and ``nu``."""
    kappa, p, signed = rule
    n, d = len(Xs), len(Xs[0])
    s_lo, s_hi = _enclosure(Xs, beta, rule, digits)
    tr = sum(v * v for row in Q for v in row)
    bound = None
    if tr > 0:
        m = len(Q[0])
        QA = [[sum(Q[k][j] * F(Xs[k][i]) for k in range(n) if Xs[k][i]) for j in range(m)]
              for i in range(d)]
        w = [sum(v * v for v in qa) / tr for qa in QA]
        if p == 1:
            # nu scaled into |X^T nu| <= w (X^T nu <= w for shared); when that is not within
            # WIDTH_GOAL / 100 of the upper bound, the best nu for this Z: the dual of the exact
            # LP min sum w_i |beta_i| s.t. X beta = y
            nu, bound = _scaled(Xc, y, nu, w, signed)
            if kappa * bound / n < s_hi - WIDTH_GOAL / 100:
                sol = _weighted_l1(Xc, y, w, signed)
                nu, bound = list(sol.nu), sol.value
        else:
            bound = _power_dual(Xc, y, nu, w, p, signed, digits)
    lower = kappa * bound / n if bound is not None and bound > 0 else F(0)
    return {"lower": lower, "upper": s_hi, "sharpness": (s_lo, s_hi), "nu": nu}


def _power_dual(Xc, y, nu, w, p, signed, digits) -> Fraction | None:
    """A rational lower bound of ``y^T nu - sum_i (p-1) (c_i^+/p)^(p/(p-1)) w_i^(-1/(p-1))``
    (``c = X_c^T nu``; Arb), or None when some ``c_i > 0`` meets ``w_i = 0``."""
    import flint

    d = len(w)
    c = [sum(F(Xc[k][i]) * nu[k] for k in range(len(Xc)) if nu[k]) for i in range(d)]
    q = p / (p - 1)

    def arb(v):
        return flint.arb(flint.fmpq(v.numerator, v.denominator))

    with flint.ctx.workprec(4 * digits + 64):
        loss = flint.arb(0)
        for ci, wi in zip(c, w):
            ci = abs(ci) if signed else ci
            if ci <= 0:
                continue
            if wi == 0:
                return None
            loss += arb(p - 1) * (arb(ci) / arb(p)) ** arb(q) * arb(wi) ** arb(1 - q)
        return sum(F(a) * b for a, b in zip(y, nu)) - _arb_fraction(loss.upper())


def _scaled(Xc, y, nu, w, signed) -> tuple[list, Fraction]:
    """``(s nu, s y^T nu)`` with the largest ``s <= 1`` making ``|X^T s nu| <= w``."""
    d = len(w)
    c = [sum(F(Xc[k][i]) * nu[k] for k in range(len(Xc)) if nu[k]) for i in range(d)]
    ratios = [w[i] / (abs(c[i]) if signed else c[i]) for i in range(d)
              if (c[i] != 0 if signed else c[i] > 0)]
    s = min([F(1)] + ratios)
    return [s * v for v in nu], s * sum(F(a) * b for a, b in zip(y, nu))


def _weighted_l1(Xc, y, w, signed):
    """The exact LP ``min sum_i w_i |beta_i|`` s.t. ``X_c beta = y`` (``beta >= 0`` when not
    ``signed``); its dual ``nu`` has ``|X_c^T nu| <= w`` and ``y^T nu`` = the value."""
    from .lp import solve_lp

    A = [list(r) + [-v for v in r] for r in Xc] if signed else [list(r) for r in Xc]
    return solve_lp(A, y, list(w) + list(w) if signed else list(w))


def _rational(a) -> Fraction:
    """The exact Fraction of a float or an mpf."""
    if isinstance(a, (float, int, np.floating)):
        return F(float(a))
    sign, man, exp, _ = a._mpf_
    q = F(int(man)) * F(2) ** int(exp) if man else F(0)
    return -q if sign else q


def _candidate(X, Xc_rows, y_c, b_full, Q, nu_c, support, signed, rule, digits):
    """Certify one candidate point (floats or mpf): round to rationals, project exactly onto
    ``X_c beta = y`` (moving only the support), certify."""
    d = len(X[0])
    beta = [F(0)] * d
    for i, v in zip(support, b_full):
        beta[i] = _rational(v)
    proj = project_onto(Xc_rows, y_c, beta, support)
    if proj is None or (not signed and any(v < 0 for v in proj)):
        return None
    Qq = [[_rational(v) for v in row] for row in Q]
    nuq = [_rational(v) for v in nu_c]
    out = sharpness_bounds(X, Xc_rows, y_c, proj, Qq, nuq, rule, digits)
    return {**out, "beta": proj, "Q": Qq}


def min_sharpness_interpolator(X, y, param: str = "product", depth: int = 2, *,
                               dps: int = 50) -> MinSharpness:
    """The minimum-sharpness interpolator and a certified interval for ``S*`` (module notes).

    Parameters
    ----------
    X : n x d exact matrix (rows: samples); y : n exact labels
    param : ``"product"``, ``"difference"`` or ``"shared"`` (``beta >= 0``)
    depth : int, ``depth >= 2`` (``> 2`` for ``shared`` only)
    dps : int, the polish's working precision in digits (``20 <= dps <= 500``)

    Returns
    -------
    MinSharpness

    Raises
    ------
    DomainError
        Bad data, ``y`` not in the range of ``X``, or (shared) no interpolator ``beta >= 0``.
    NoConvergence
        The conic solver found no solution to certify.

    Notes
    -----
    A width above :data:`WIDTH_GOAL` is returned with a warning (the interval is still
    certified).

    Examples
    --------
    One sample: ``S* = kappa |y| min_{x_i != 0} |x_i|`` (product: ``kappa = 2``):

    >>> r = min_sharpness_interpolator([[1, 2]], [2])
    >>> r.lower <= 4 <= r.upper, float(r.upper - r.lower) < 1e-30
    (True, True)
    """
    from ..errors import NoConvergence
    from ..precision import check_dps
    from .conic import solve_conic, structure
    from .polish import polish

    dps = check_dps(dps, "dps", most=500)
    if dps < 20:
        raise DomainError("dps", dps, "at least 20 digits (the polish's working precision)")
    Xq, yq, P = check_data(X, y, param, depth)
    rule = weights_rule(P)
    kappa, p, signed = rule
    n, d = len(Xq), len(Xq[0])
    rows = independent_columns([list(c) for c in zip(*Xq)], range(n))
    Xc, yc = [Xq[i] for i in rows], [yq[i] for i in rows]
    if any(v != 0 for v in yq):
        _feasible(Xq, yq, Xc, yc, signed)
    else:  # beta = 0 interpolates and S(0) = 0
        zero = tuple(F(0) for _ in range(d))
        return MinSharpness(zero, F(0), F(0), (F(0), F(0)), P.name, P.depth, kappa, p,
                            tuple((F(int(i == 0)),) for i in range(n)),
                            tuple(F(0) for _ in range(n)),
                            polished=True, solver={"status": "y = 0: beta = 0"})
    Xs_f, Xc_f, yc_f = (np.array(a, dtype=float) for a in (Xq, Xc, yc))
    sol = solve_conic(Xs_f, Xc_f, yc_f, float(p), signed)
    if sol is None:
        raise NoConvergence("the conic solver (Clarabel)", "check the data's scaling")
    support, signs, m = structure(sol, Xs_f, Xc_f, float(p), signed)
    digits = max(20, dps - 10)
    w, V = np.linalg.eigh(sol.Z)
    info = {"status": sol.status, "iterations": sol.iterations, "solve_time": sol.solve_time,
            "multiplicity": m, "support_size": len(support)}
    cands = []
    if support:
        b0 = np.abs(sol.beta[support])
        Q0 = V[:, ::-1][:, :m] * np.sqrt(np.maximum(w[::-1][:m], 1e-300))
        Q0 = Q0 / np.linalg.norm(Q0)
        pol = polish(Xq, Xc, yc, support, signs, m, p, (b0, sol.nu, sol.t, Q0), dps=dps)
        if pol is not None:
            info["polish_residual"] = pol.residual
            info["polish_iterations"] = pol.iterations
            bfull = [s * b for s, b in zip(signs, pol.b)]
            cands.append(("polish", _candidate(Xq, Xc, yc, bfull, pol.Q, pol.nu, support,
                                               signed, rule, digits)))
    if not cands or cands[0][1] is None or (
            cands[0][1]["upper"] - cands[0][1]["lower"] > WIDTH_GOAL):
        # the solver's own point, certified as it is
        Qf = V[:, w > 0] * np.sqrt(w[w > 0])
        cands.append(("solver", _candidate(Xq, Xc, yc, sol.beta, Qf, sol.nu, list(range(d)),
                                           signed, rule, digits)))
    cands = [(name, c) for name, c in cands if c is not None]
    if not cands:
        raise NoConvergence("an exact interpolator near the conic solution",
                            "the data may be badly scaled")
    name, best = min(cands, key=lambda nc: nc[1]["upper"] - nc[1]["lower"])
    nu_full = [F(0)] * n
    for i, v in zip(rows, best["nu"]):
        nu_full[i] = v
    res = MinSharpness(tuple(best["beta"]), best["lower"], best["upper"], best["sharpness"],
                       P.name, P.depth, kappa, p, tuple(tuple(r) for r in best["Q"]),
                       tuple(nu_full), m, tuple(support),
                       name == "polish", info)
    if res.width > WIDTH_GOAL:
        warnings.warn(f"min_sharpness_interpolator: certified width {float(res.width):.3g} "
                      f"exceeds {float(WIDTH_GOAL):.0e} (the polish "
                      f"{'succeeded' if res.polished else 'failed'})", stacklevel=2)
    return res


def _feasible(Xq, yq, Xc, yc, signed) -> None:
    """Raise DomainError unless some interpolator exists (``beta >= 0`` when not signed)."""
    from .lp import Infeasible, solve_lp

    d = len(Xq[0])
    if project_onto(Xq, yq, [F(0)] * d, range(d)) is None:
        raise DomainError("y", [str(v) for v in yq], "y in the range of X (an interpolator "
                          "X beta = y must exist)")
    if not signed:
        try:
            solve_lp(Xc, yc, [F(1)] * d)
        except Infeasible as exc:
            raise DomainError("y", [str(v) for v in yq], "an interpolator with beta >= 0 "
                              "(shared weights); Farkas certificate nu = "
                              f"({', '.join(map(str, exc.farkas))}): X^T nu <= 0 < y.nu") \
                from None
