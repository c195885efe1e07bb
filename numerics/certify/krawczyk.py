r"""The gradient-flow limit from ``theta_K``, enclosed: the root ``rho*`` of ``F(rho) = X
beta(X^T rho / n) - y`` by Newton in midpoint arithmetic, then the Krawczyk test with
epsilon-inflation in Arb ball arithmetic (existence and uniqueness in the accepted box).

References
----------
R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit Fehlerschranken",
Computing 4 (1969); R. E. Moore, "A test for existence of solutions to nonlinear systems",
SIAM J. Numer. Anal. 14 (1977).
"""

from __future__ import annotations

from theory.parametrisations import OutOfDomain

from ..errors import NoConvergence
from ..problem import Problem
from .balls import _finite, _flint_backend, _float_up, _mid_mat, _width

#: Box inflations tried by the Krawczyk test before giving up.
MAX_INFLATIONS = 8


def _flow_maps(flint, problem: Problem, theta: tuple) -> list:
    """The closed-form gradient-flow map of each coordinate from ``theta_K``, over Arb balls.

    :meth:`theory.parametrisations.Parametrisation.flow_from` with the start given exactly
    (``fmpq``: the map's constants ``w_K^2``, ``(u + v)_K^2``, ``|w_K|^(2-D)`` stay exact
    rationals until they meet a ball) and the flint backend as ``ops``: its ``exp``, ``sinh``,
    ``cosh``, ``sqrt`` are Arb ball operations and its ``scalar`` is a ball enclosing the
    rational, all in the caller's ``flint.ctx`` precision. Radii are kept, so every value the
    maps return encloses the exact one for every point of the argument ball.
    """
    ops = _flint_backend()
    P = problem.parametrisation
    return [P.flow_from(tuple(flint.fmpq(q.numerator, q.denominator) for q in theta_i), ops)
            for theta_i in zip(*theta)]


def _s_of(problem, X, rho) -> list:
    n, d = problem.n, problem.d
    return [sum(X[m][i] * rho[m] for m in range(n)) / n for i in range(d)]


def _F(flint, problem, flows, X, y, rho) -> list:
    """``F(rho) = X beta(X^T rho / n) - y``; ``nan`` where ``s`` is beyond the path's domain
    (shared ``D > 2``: the flow never gets there)."""
    s = _s_of(problem, X, rho)
    try:
        beta = [f.beta(si) for f, si in zip(flows, s)]
    except OutOfDomain:
        return [flint.arb.nan()] * problem.n
    return [sum(X[m][i] * beta[i] for i in range(problem.d)) - y[m] for m in range(problem.n)]


def _gram(flint, X, weights, divisor=None):
    """``X diag(weights) X^T / divisor`` (``divisor`` defaults to ``n``)."""
    n, d = len(X), len(weights)
    divisor = n if divisor is None else divisor
    return flint.arb_mat([[sum(X[a][i] * weights[i] * X[b][i] for i in range(d)) / divisor
                           for b in range(n)] for a in range(n)])


def _dF(flint, problem, flows, X, rho):
    """``F'(rho) = -G(rho)`` as an arb_mat (balls over a box when ``rho`` holds balls)."""
    s = _s_of(problem, X, rho)
    try:
        weights = [f.jsq(si) for f, si in zip(flows, s)]
    except OutOfDomain:
        weights = [flint.arb.nan()] * problem.d
    return -_gram(flint, X, weights)


def _krawczyk(flint, problem, flows, X, y, prec):
    """Newton in midpoint arithmetic, then the Krawczyk test with epsilon-inflation."""
    n = problem.n
    arb = flint.arb
    eps = arb(2) ** (-prec)
    rho = [arb(0)] * n
    ymax = max([abs(v) for v in y], key=lambda a: a.mid()).mid()
    C = None
    floor = None
    for _ in range(100):
        Fm = _F(flint, problem, flows, X, y, rho)
        Jm = _dF(flint, problem, flows, X, rho)
        if not _finite(Fm) or not all(Jm[i, j].is_finite() for i in range(n) for j in range(n)):
            raise NoConvergence("Newton's method for the gradient-flow limit",
                                "theta is too far from the zero-loss set: run more steps")
        try:
            C = _mid_mat(flint, _mid_mat(flint, Jm).inv())
        except ZeroDivisionError:
            raise NoConvergence("Newton's method for the gradient-flow limit",
                                "the Gram matrix is singular there (X not of full row rank, "
                                "or a coordinate with J_i = 0 carries the fit)") from None
        if floor is None:
            cnorm = max(sum(abs(C[i, j]) for j in range(n)) for i in range(n)).mid()
            floor = (cnorm * (ymax + 1) * eps).mid()
        step = C * flint.arb_mat(n, 1, [f.mid() for f in Fm])
        step = [step[i, 0].mid() for i in range(n)]
        rho = [(r - c).mid() for r, c in zip(rho, step, strict=True)]
        size = max(abs(c) for c in step)
        scale = max(abs(r) for r in rho)
        if size <= 256 * eps * scale + floor:
            break
    else:
        raise NoConvergence("Newton's method for the gradient-flow limit",
                            "raise --precision, or run more steps")
    # Krawczyk with epsilon-inflation around the Newton point m
    m = [arb(r.mid()) for r in rho]
    Fm = _F(flint, problem, flows, X, y, m)
    Jm = _dF(flint, problem, flows, X, m)
    try:
        C = _mid_mat(flint, _mid_mat(flint, Jm).inv())
    except ZeroDivisionError:  # pragma: no cover - Newton just inverted it
        raise NoConvergence("the Krawczyk test for the gradient-flow limit",
                            "the Gram matrix is singular at the Newton point") from None
    z = C * flint.arb_mat(n, 1, Fm)
    z = [z[i, 0] for i in range(n)]
    I = flint.arb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
    delta = [(2 * abs(zi).mid() + 2 * zi.rad() + floor + 256 * eps * abs(mi)).mid()
             for zi, mi in zip(z, m, strict=True)]
    for attempt in range(MAX_INFLATIONS):
        Y = [arb(mi.mid(), di) for mi, di in zip(m, delta, strict=True)]
        K, Mnorm = _K(flint, problem, flows, X, m, z, C, I, Y)
        if K is not None and all(Yi.contains_interior(Ki) for Yi, Ki in zip(Y, K, strict=True)):
            box = [2 * di for di in delta]
            for _ in range(3):
                # tighten: the root lies in K(Y) and in Y; the new box keeps m (the mean-value
                # form behind K needs the segment from m to the root inside the box)
                Y = [Ki.intersection(Yi).union(mi) for Ki, Yi, mi in zip(K, Y, m, strict=True)]
                K2, _ = _K(flint, problem, flows, X, m, z, C, I, Y)
                if K2 is None:
                    break
                K = K2
            rho = [Ki.intersection(Yi) for Ki, Yi in zip(K, Y, strict=True)]
            info = {"inflations": attempt, "box_width": _float_up(max(box)),
                    "contraction_bound": _float_up(Mnorm),
                    "rho_width": max(_width(r) for r in rho)}
            return rho, info
        delta = [(8 * di).mid() for di in delta]
    raise NoConvergence("the Krawczyk test for the gradient-flow limit",
                        "raise --precision (or the certification dps), or run more steps")


def _K(flint, problem, flows, X, m, z, C, I, Y):
    """``K(Y) = m - C F(m) + (I - C F'(Y))(Y - m)`` and ``||I - C F'(Y)||_inf`` (upper)."""
    n = problem.n
    JY = _dF(flint, problem, flows, X, Y)
    M = I - C * JY
    if not all(M[i, j].is_finite() for i in range(n) for j in range(n)):
        return None, flint.arb("inf")
    dY = flint.arb_mat(n, 1, [Yi - mi for Yi, mi in zip(Y, m, strict=True)])
    corr = M * dY
    K = [m[i] - z[i] + corr[i, 0] for i in range(n)]
    Mnorm = max(sum(abs(M[i, j]) for j in range(n)) for i in range(n))
    return K, Mnorm.upper()
