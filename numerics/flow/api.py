"""The public gradient-flow functions: validation at the boundary, then the one-sample closed
form (:mod:`numerics.flow.one_sample`) or the Taylor ODE (:mod:`numerics.flow.n_samples`).
The mathematics is in the package docstring (:mod:`numerics.flow`)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from theory.parametrisations import OutOfDomain

from ..errors import DomainError
from ..precision import check_dps
from ..problem import Problem, as_fraction
from .model import CLAIM, _Flow
from .n_samples import _ode_flow
from .one_sample import _one_sample_flow, _OneSample
from .results import FlowResult
from .roots import _safe_newton
from .taylor import _integrate, _newton_limit

__all__ = ["gradient_flow", "flow_state", "flow_time", "flow_at_times"]


def _rank(rows) -> int:
    """Exact rank of a matrix of Fractions (Gaussian elimination)."""
    M = [list(r) for r in rows]
    rank, cols = 0, len(M[0])
    for c in range(cols):
        piv = next((i for i in range(rank, len(M)) if M[i][c] != 0), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        for i in range(len(M)):
            if i != rank and M[i][c] != 0:
                q = M[i][c] / M[rank][c]
                M[i] = [a - q * b for a, b in zip(M[i], M[rank])]
        rank += 1
    return rank


def _check_interpolable(problem: Problem) -> None:
    """``n`` samples: full row rank; shared weights also need an interpolator with beta > 0."""
    if problem.n == 1:
        if all(v == 0 for v in problem.X[0]):
            raise DomainError("x", "0", "a non-zero sample is required (x = 0: the flow never "
                              "moves)", CLAIM)
        if problem.parametrisation.positive_beta:
            x, y = problem.X[0], problem.y[0]
            ok = (y > 0 and any(v > 0 for v in x)) or (y < 0 and any(v < 0 for v in x)) or (
                y == 0 and any(v > 0 for v in x) and any(v < 0 for v in x))
            if not ok:
                raise DomainError(
                    "y", str(y), "shared weights keep beta > 0 along the flow, so an "
                    "interpolator with beta > 0 is required (y > 0 needs some x_i > 0, y < 0 "
                    "some x_i < 0, y = 0 both signs)", CLAIM)
        return
    if _rank(problem.X) < problem.n:
        raise DomainError("X", f"{problem.n} x {problem.d}, rank {_rank(problem.X)}",
                          "full row rank (rank n) is required for the flow to interpolate", CLAIM)
    if problem.parametrisation.positive_beta:
        from scipy.optimize import linprog

        Xf = np.array(problem.X, dtype=float)
        yf = np.array(problem.y, dtype=float)
        n, d = Xf.shape
        # maximise tau subject to X beta = y, beta_i >= tau, tau <= 1
        c = np.zeros(d + 1)
        c[-1] = -1.0
        A_ub = np.hstack([-np.eye(d), np.ones((d, 1))])
        res = linprog(c, A_ub=A_ub, b_ub=np.zeros(d), A_eq=np.hstack([Xf, np.zeros((n, 1))]),
                      b_eq=yf, bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
        if res.status != 0 or -res.fun <= 1e-12:
            raise DomainError("y", [str(v) for v in problem.y],
                              "shared weights keep beta > 0 along the flow, so an interpolator "
                              "X beta = y with beta > 0 is required", CLAIM)


def _check_problem(problem) -> Problem:
    if not isinstance(problem, Problem):
        raise DomainError("problem", problem, "a numerics.Problem is required")
    return problem


def gradient_flow(problem: Problem, dps: int = 30, *, method: str | None = None) -> FlowResult:
    r"""Gradient flow of ``problem``: limit, largest sharpness along the path, ``eta_c``.

    Statement
    ---------
    .. math:: \theta' = -\nabla L(\theta),\quad
              s_{GF} = \sup_{t \ge 0} \|\nabla^2 L(\theta(t))\|_2,\quad
              \eta_c = 2 / S(\beta_{GF}),\quad \eta_{path} = 2 / s_{GF},

    with ``rho = int_0^t r`` the path is ``beta = beta(X^T rho / n)`` in closed form (see the
    package docstring, :mod:`numerics.flow`) and the limit solves ``X beta(X^T rho_inf / n) = y``.

    Parameters
    ----------
    problem : Problem
        Any parametrisation (``shared`` of any depth, ``product``, ``difference``). ``n > 1``
        needs ``X`` of full row rank; ``shared`` needs an interpolator with ``beta > 0``.
    dps : int, ``5 <= dps <= 100000``
        The working precision in decimal digits, a whole number (the arithmetic carries ``dps +
        10``). The cost grows quickly with ``dps`` (the ``n``-sample Taylor method has order
        ``~ 1.15 dps``).
    method : ``None``, ``"closed_form"`` (one sample only) or ``"taylor"``
        ``None``: the closed form for one sample, the Taylor ODE otherwise.

    Returns
    -------
    FlowResult

    Raises
    ------
    DomainError
        Not a :class:`Problem`, a bad ``dps`` or ``method``, rank-deficient ``X``, or a
        shared-weight problem with no interpolator ``beta > 0``.
    NoConvergence
        The ODE needed more than ``MAX_STEPS`` steps, or a root search failed.

    Notes
    -----
    ``s_GF`` is *not* always attained at the end of the path ([MFCKM26] R6 claims it is): it is
    when ``r(0) <= 0`` and ``2 |r(0)| x_max <= s_end`` (:func:`theory.sharpness_along_flow`),
    and it is not for large ``alpha`` (``r(0) > 0``), where the flow starts sharper than it ends
    (``x = (1, 1/2)``, ``y = 1``, ``alpha = 1``: ``s_GF = S(0) = (13 + sqrt(113))/4 = 5.9075...``
    against ``s_end = 3.2192...``). Observed, not proved: on one-sample instances the supremum
    sat at ``t = 0`` or at the end in every case tried (400 random instances, all
    parametrisations); with two samples it can sit strictly inside the path. A single run does
    not say which digits are right; use :func:`audited_flow`.

    References
    ----------
    [MFCKM26] Appendix B, R6; E5 (one scalar unknown); E3, E4 (product, difference).

    Examples
    --------
    A single run does not say which of its digits are right, so it is checked at a second
    precision and only the digits both runs share are printed (what :func:`audited_flow` does):

    >>> from numerics.audit import agree
    >>> from numerics.problem import Problem
    >>> problem = Problem([1, "1/2"], 1, "1/100")
    >>> res = gradient_flow(problem, dps=20)
    >>> res.s_gf_at_end, res.method
    (True, 'closed_form')
    >>> check = gradient_flow(problem, dps=40)
    >>> agree("eta_c", res.eta_c, check.eta_c, cap=20).text()
    '0.50124999609376831045'
    """
    problem = _check_problem(problem)
    dps = check_dps(dps)
    if method not in (None, "closed_form", "taylor"):
        raise DomainError("method", method, "None, 'closed_form' or 'taylor'")
    if method == "closed_form" and problem.n != 1:
        raise DomainError("method", method, "the closed form needs one sample (n = 1)", "E5")
    if method is None:
        method = "closed_form" if problem.n == 1 else "taylor"
    _check_interpolable(problem)
    if method == "closed_form":
        return _one_sample_flow(problem, dps)
    return _ode_flow(problem, dps)


def flow_state(problem: Problem, rho, dps: int = 30) -> dict:
    r"""The point of the gradient-flow path with integrated residual ``rho = int_0^t r``.

    Statement
    ---------
    .. math:: s = X^\top \rho / n,\qquad \theta_i = \theta_i(s_i),\ \beta_i = \beta_i(s_i)

    with the closed forms of :mod:`numerics.flow`.

    Parameters
    ----------
    problem : Problem
    rho : a number (one sample) or a length-``n`` sequence of exact reals
    dps : int, ``5 <= dps <= 100000``

    Returns
    -------
    dict
        ``theta`` (tuple of ``k`` tuples of Fractions), ``beta``, ``r`` (tuples of Fractions).

    Raises
    ------
    DomainError
        Wrong length of ``rho``, or (shared depth ``D > 2``) a ``rho`` outside the path's domain.

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> st = flow_state(Problem([1, "1/2"], 1, "1/10"), 0, dps=10)
    >>> [float(b) for b in st["beta"]], float(st["r"][0])
    ([0.01, 0.01], -0.985)
    """
    problem = _check_problem(problem)
    dps = check_dps(dps)
    rs = [rho] if np.ndim(rho) == 0 else list(rho)
    if len(rs) != problem.n:
        raise DomainError("len(rho)", len(rs), f"one entry per sample (n = {problem.n})")
    f = _Flow(problem, dps)
    rh = [f.backend.scalar(as_fraction(v, f"rho[{m}]")) for m, v in enumerate(rs)]
    try:
        theta, beta, r, _ = f.state(rh)
    except OutOfDomain:
        raise DomainError("rho", rs, "alpha^(2-D) + D (D-2) s_i > 0 (the path's domain)",
                          CLAIM) from None
    return {"theta": tuple(tuple(f.frac(v) for v in t) for t in theta),
            "beta": tuple(f.frac(v) for v in beta), "r": tuple(f.frac(v) for v in r)}


def flow_time(problem: Problem, R, dps: int = 30) -> Fraction:
    r"""The time at which the one-sample path reaches the integrated residual ``R`` (E5).

    Statement
    ---------
    .. math:: t(R) = \int_0^R \frac{dR'}{r(R')},\qquad R \text{ between } 0 \text{ and }
              R_\infty\ (t(R_\infty) = \infty).

    Parameters
    ----------
    problem : Problem with ``n = 1``
    R : exact real between 0 and ``R_inf`` (excluded)
    dps : int, ``5 <= dps <= 100000``

    Returns
    -------
    Fraction

    Raises
    ------
    DomainError
        ``n != 1``, or ``R`` not strictly between 0 and ``R_inf`` (0 itself is allowed).

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> flow_time(Problem([1, "1/2"], 1, "1/100"), 0)
    Fraction(0, 1)
    """
    problem = _check_problem(problem)
    dps = check_dps(dps)
    if problem.n != 1:
        raise DomainError("problem.n", problem.n, "one sample is required", "E5")
    _check_interpolable(problem)
    q = as_fraction(R, "R")
    f = _Flow(problem, dps)
    one = _OneSample(f)
    R_inf = one.R_inf()
    Rm = f.backend.scalar(q)
    if Rm != 0 and not (0 < Rm / R_inf < 1):
        raise DomainError("R", R, f"strictly between 0 and R_inf, which is about "
                          f"{float(R_inf):.6g} (rounded, not audited)", "E5")
    return f.frac(one.time(Rm))


def flow_at_times(problem: Problem, times, dps: int = 30, *, method: str | None = None) -> list:
    r"""``beta(t)`` along the gradient-flow path at the given times.

    Statement
    ---------
    One sample, ``method="closed_form"``: ``R(t)`` solves ``int_0^R dR'/r(R') = t`` (bracketed
    Newton, ``dt/dR = 1/r``), then ``beta = beta(x R)``. ``method="taylor"``: the dense output
    of the Taylor integration of ``rho' = r(rho)``. Two independent routes to the same path.

    Parameters
    ----------
    problem : Problem
    times : sequence of exact reals ``t >= 0``
    dps : int, ``5 <= dps <= 100000``
    method : ``None`` (closed form when ``n = 1``), ``"closed_form"`` or ``"taylor"``

    Returns
    -------
    list of tuples of Fractions, one ``beta`` per time.

    Raises
    ------
    DomainError
        A negative time, a bad ``method``.

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> [float(b) for b in flow_at_times(Problem([1, "1/2"], 1, "1/10"), [0], dps=10)[0]]
    [0.01, 0.01]
    """
    problem = _check_problem(problem)
    dps = check_dps(dps)
    ts = [as_fraction(t, f"times[{j}]") for j, t in enumerate(times)]
    for j, t in enumerate(ts):
        if t < 0:
            raise DomainError(f"times[{j}]", t, "t >= 0 is required")
    if method not in (None, "closed_form", "taylor"):
        raise DomainError("method", method, "None, 'closed_form' or 'taylor'")
    if method == "closed_form" and problem.n != 1:
        raise DomainError("method", method, "the closed form needs one sample (n = 1)", "E5")
    method = method or ("closed_form" if problem.n == 1 else "taylor")
    _check_interpolable(problem)
    f = _Flow(problem, dps)
    ctx = f.ctx
    out = []
    if method == "closed_form":
        one = _OneSample(f)
        R_inf = one.R_inf()
        for t in ts:
            T = f.backend.scalar(t)
            if T == 0 or R_inf == 0:
                R = ctx.mpf(0)
            else:
                def fdf(R, T=T):
                    return one.time(R) - T, 1 / one.r(R)

                R = _safe_newton(ctx, fdf, ctx.mpf(0), R_inf, -1, scale=abs(R_inf))
            out.append(tuple(f.frac(f.coord.beta(xi * R)) for xi in one.x))
        return out
    path, rho_end, t_end = _integrate(f)
    for t in ts:
        T = f.backend.scalar(t)
        rho = path.rho(ctx, T) if T < t_end else _newton_limit(f, rho_end)
        out.append(tuple(f.frac(f.coord.beta(si)) for si in f.s_of(rho)))
    return out
