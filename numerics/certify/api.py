"""The public certification: validation, :func:`certify` (a converged GD run) and
:func:`certify_point` (any ``theta_K``), and the GD-limit gap estimate. The mathematics is in
the package docstring (:mod:`numerics.certify`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction

from ..errors import DomainError, NoConvergence
from ..gd import GDResult
from ..precision import check_dps, dps_to_prec
from ..problem import Problem, as_fraction
from .balls import _arb_fraction, _float_up, _mid_mat
from .certificate import Certificate
from .eigen import _eigen
from .krawczyk import _F, _flow_maps, _gram, _krawczyk, _s_of

__all__ = ["certify", "certify_point", "GUARD_BITS"]

#: Extra bits carried above ``dps`` digits inside the certification (narrower balls, same answer).
GUARD_BITS = 16


def _check_problem(problem):
    if not isinstance(problem, Problem):
        raise DomainError("problem", type(problem).__name__, "a numerics.Problem is required")


def _check_eta(eta) -> Fraction:
    if callable(eta) or eta == "schedule":
        raise DomainError("eta", "schedule", "a constant learning rate is required: R5 compares "
                          "the sharpness with 2/eta", claim="R5")
    e = as_fraction(eta, "eta")
    if e <= 0:
        raise DomainError("eta", eta, "eta > 0 is required", claim="R5")
    return e


def _check_theta(problem, theta) -> tuple:
    k, d = problem.k, problem.d
    if isinstance(theta, (str, bytes)) or not isinstance(theta, Sequence) or len(theta) != k:
        raise DomainError("theta", theta, f"a tuple of k = {k} blocks of length d = {d} "
                          f"({problem.parametrisation.name})")
    out = []
    for j, block in enumerate(theta):
        if isinstance(block, (str, bytes)) or len(block) != d:
            raise DomainError(f"theta[{j}]", block, f"a sequence of length d = {d}")
        out.append(tuple(as_fraction(v, f"theta[{j}][{i}]") for i, v in enumerate(block)))
    return tuple(out)


def certify(problem: Problem, eta, result: GDResult, *, dps: int | None = None) -> Certificate:
    r"""Certify the interpolator a converged GD run leads to, its sharpness, and R5 for ``eta``.

    Statement
    ---------
    With ``theta_K = result.theta`` (the final iterate), let ``beta^GF(theta_K)`` be the limit of
    gradient flow from ``theta_K`` (see :mod:`numerics.certify`). The returned balls contain

    .. math:: \beta^{GF}(\theta_K), \qquad
              S = \lambda_{\max}\Big(\tfrac1n X \operatorname{diag}(|J_i|^2) X^T\Big)
              \text{ at } \beta^{GF}(\theta_K),

    and ``stable`` is ``"stable"`` only if ``S < 2/eta`` is proved, ``"unstable"`` only if
    ``S > 2/eta`` is proved (R5: the GD map's Jacobian there has eigenvalues ``1 - eta
    lambda_j`` and ``1``).

    Parameters
    ----------
    problem : Problem
    eta : constant learning rate, ``eta > 0`` (exact; floats are taken at their binary value)
    result : GDResult with ``status == "converged"``
    dps : int, ``5 <= dps <= 100000``, optional
        The certification's working precision in decimal digits; default ``max(10,
        result.dps)`` (multiprecision runs) or 30 (float64).

    Returns
    -------
    Certificate

    Raises
    ------
    DomainError
        ``result`` not converged, ``eta`` not a positive constant or not the run's learning
        rate (runs with a schedule accept any constant ``eta``), ``dps`` out of range.
    NoConvergence
        The Krawczyk test failed after :data:`MAX_INFLATIONS` box inflations (raise the
        precision, or run more steps so that ``theta_K`` is closer to the zero-loss set).

    Notes
    -----
    What is certified is the gradient-flow limit from ``theta_K``, a mathematically defined
    interpolator within ``O(|r_K|)`` of ``theta_K``. The GD limit itself (GD continued forever)
    differs from it at second order; ``gd_limit_gap_estimate`` estimates the difference and is
    **not** certified. See :func:`certify_point`.

    References
    ----------
    [MFCKM26] Section 3, R1 and R5; E1 (Gram form). Krawczyk (1969), Moore (1977).

    Examples
    --------
    >>> from fractions import Fraction as Fr
    >>> from numerics import Problem, gradient_descent
    >>> p = Problem([1, Fr(1, 2)], 1, Fr(1, 100))
    >>> run = gradient_descent(p, Fr(3, 5), 5000)
    >>> c = certify(p, Fr(3, 5), run)
    >>> c.stable
    'stable'
    >>> print(c.sharpness.str(6, radius=False))
    3.29325
    """
    _check_problem(problem)
    if not isinstance(result, GDResult):
        raise DomainError("result", type(result).__name__, "a numerics.GDResult is required")
    if result.status != "converged":
        raise DomainError("result.status", result.status, "a converged run is required: only "
                          "a run ending near the zero-loss set has an interpolator to certify "
                          "(try more steps, or a smaller eta)", claim="R5")
    e = _check_eta(eta)
    if not callable(result.eta) and result.eta != "schedule" and \
            as_fraction(result.eta, "result.eta") != e:
        raise DomainError("eta", eta, f"the run's own learning rate {result.eta} is required "
                          "(the GD-limit gap estimate continues the run with it)", claim="R5")
    if dps is None:
        dps = 30 if result.backend == "float64" else max(10, int(result.dps))
    return certify_point(problem, eta, result.theta, dps=dps)


def certify_point(problem: Problem, eta, theta, dps: int = 30) -> Certificate:
    r"""Certify the gradient-flow limit from ``theta``, its sharpness and its R5 verdict.

    Statement
    ---------
    Let ``rho* in R^n`` be the root of ``F(rho) = X beta(X^T rho / n) - y`` where ``beta(.)`` is
    the closed-form gradient-flow map from ``theta`` (:mod:`numerics.certify`). The Krawczyk
    operator

    .. math:: K(Y) = m - C F(m) + (I - C F'(Y))(Y - m), \qquad C \approx F'(m)^{-1},

    evaluated in Arb ball arithmetic, satisfies ``K(Y) subset int Y`` for the accepted box
    ``Y``: then ``F`` has exactly one root in ``Y`` and it lies in ``K(Y)``. The certificate
    encloses ``rho*``, ``beta(rho*)``, ``theta(rho*)``, the eigenvalues of the Gram matrix
    ``G = (1/n) X diag(|J|^2) X^T = -F'(rho*)`` and ``S = lambda_max(G)``.

    Parameters
    ----------
    problem : Problem
    eta : ``eta > 0``, exact or float (taken at its binary value)
    theta : ``k`` sequences of ``d`` exact reals: the starting point ``theta_K``
    dps : int, ``5 <= dps <= 100000``: the Arb working precision in decimal digits (plus
        :data:`GUARD_BITS` bits)

    Returns
    -------
    Certificate

    Raises
    ------
    DomainError
        ``theta`` of the wrong shape, ``eta <= 0``, ``dps`` out of range.
    NoConvergence
        Newton's method or the Krawczyk test failed (no root near ``theta``, a singular Gram
        matrix, or too little precision).

    Notes
    -----
    *Eigenvalues.* For ``n = 1``, ``S = G_11`` is a single ball. For ``n > 1`` the matrix ``G``
    (with ball entries) is brought to near-diagonal form ``B = Q^{-1} G Q`` with approximate
    eigenvectors ``Q`` (exact midpoints) and a rigorous enclosure of ``Q^{-1}``; ``B`` is similar
    to every matrix in the ball ``G``, so Gershgorin's discs of ``B`` enclose the (real)
    eigenvalues; disjoint discs hold one eigenvalue each, overlapping discs are merged into a
    cluster that holds as many. ``S`` is enclosed by the top cluster. Arb's own certified solver
    (``acb_mat.eig``) is run as a cross-check when it succeeds. The full ``kd x kd`` Hessian is
    not used: at the interpolator it has a ``(kd - n)``-fold zero eigenvalue, which certified
    eigen-solvers cannot isolate; its non-zero spectrum equals that of ``G`` (E1).

    *Verdict.* ``2/eta`` is exact (a Fraction); ``stable`` means ``S < 2/eta`` is proved
    (``|1 - eta lambda_j| < 1`` for all Gram eigenvalues since ``G >= 0``), ``unstable`` means
    ``S > 2/eta`` is proved; a ball that contains ``2/eta`` is ``undecided``.

    *GD-limit gap (estimate only).* GD from ``theta_K`` equals gradient flow from a perturbed
    start (the effective initialisation of R7/E3): each step contributes
    ``log|1 - a| + a = -a^2/2 + O(a^3)`` to the invariants, i.e. ``delta beta_i ~ -c_i eta^2
    g_{k,i}^2 beta_i`` with ``c = 4`` (shared, difference) or ``1`` (product). Assuming the
    residual decays as ``q^k`` with ``q = max_j |1 - eta lambda_j|``,
    ``sum_k g_{k,i}^2 <= ||X_{:,i}||_2^2 ||r_K||_2^2 / (n^2 (1 - q^2))``; the root then moves by
    the oblique projection ``P = I - W X^T (X W X^T)^{-1} X`` (``W = diag|J|^2``) of that
    perturbation. ``gd_limit_gap_estimate = ||P||_inf max_i |delta beta_i|``: first order, not
    a bound, ``None`` when ``q >= 1``. The code puts ``max_m |r_{K,m}|`` in place of
    ``||r_K||_2`` (which is up to ``sqrt(n)`` times larger), so the estimate can be low by up to
    a factor ``n`` (:data:`GAP_NOTE` says so in the JSON). The residual is evaluated at the
    certification precision, so when ``theta_K`` is closer to the zero-loss set than that
    precision resolves, rounding sets its size.

    References
    ----------
    [MFCKM26] Section 3, R1, R5; Appendix B, R6, R7; E1, E3, E4.

    Examples
    --------
    An exact interpolator of the default instance (``beta = (1/9, 16/9)``, ``S = 20/9``):

    >>> from fractions import Fraction as Fr
    >>> import flint
    >>> from numerics import Problem
    >>> p = Problem([1, Fr(1, 2)], 1, Fr(1, 100))
    >>> c = certify_point(p, Fr(3, 5), ([Fr(1, 3), Fr(4, 3)],), dps=30)
    >>> c.stable
    'stable'
    >>> with flint.ctx.workprec(c.prec):  # compare at the certificate's precision
    ...     print(c.sharpness.contains(flint.fmpq(20, 9)))
    True
    >>> c.sharpness_width < 1e-30
    True
    """
    import flint

    t0 = time.perf_counter()
    _check_problem(problem)
    eta = _check_eta(eta)
    dps = check_dps(dps)
    theta = _check_theta(problem, theta)
    prec = dps_to_prec(dps) + GUARD_BITS
    with flint.ctx.workprec(prec):
        flows = _flow_maps(flint, problem, theta)
        X = [[_arb_fraction(flint, v) for v in row] for row in problem.X]
        y = [_arb_fraction(flint, v) for v in problem.y]
        rho, kinfo = _krawczyk(flint, problem, flows, X, y, prec)
        n, d = problem.n, problem.d
        s = _s_of(problem, X, rho)
        beta = tuple(f.beta(si) for f, si in zip(flows, s))
        theta_star = tuple(zip(*(f.theta(si) for f, si in zip(flows, s))))
        weights = [f.jsq(si) for f, si in zip(flows, s)]
        G = _gram(flint, X, weights)
        eigs, S, method, checks = _eigen(flint, G, n)
        if problem.one_sample_theory:
            # R1: S = 4 sum_i x_i^2 beta_i on the zero-loss set
            r1 = 4 * sum(X[0][i] ** 2 * beta[i] for i in range(d))
            checks["R1: 4 sum x_i^2 beta_i"] = (r1, bool(r1.overlaps(S)))
        if any(not ok for _, ok in checks.values()):  # pragma: no cover - would be a bug
            bad = [k for k, (_, ok) in checks.items() if not ok]
            raise NoConvergence("the sharpness cross-check " + ", ".join(bad),
                                "report this: two certified routes disagree")
        T = _arb_fraction(flint, 2 / eta)
        if S < T:
            verdict = "stable"
        elif S > T:
            verdict = "unstable"
        else:
            verdict = "undecided"
        gap, q, rnorm = _gap_estimate(flint, problem, flows, theta, X, y, eta, eigs, weights)
    return Certificate(
        eta=eta, dps=dps, prec=prec, rho=tuple(rho), beta=beta, theta=theta_star,
        gram_eigenvalues=tuple(eigs), sharpness=S, two_over_eta=2 / eta, stable=verdict,
        gd_limit_gap_estimate=gap, contraction=q, residual_norm=rnorm, krawczyk=kinfo,
        cross_checks=checks, eigen_method=method, seconds=time.perf_counter() - t0)


def _gap_estimate(flint, problem, flows, theta, X, y, eta, eigs, weights):
    """First-order estimate (not certified) of |GD limit - GF limit| from ``theta_K``."""
    n, d = problem.n, problem.d
    arb = flint.arb
    etaa = _arb_fraction(flint, eta)
    zero = [arb(0)] * n
    r = [v.mid() for v in _F(flint, problem, flows, X, y, zero)]
    rnorm = max(abs(v) for v in r)
    rnorm_f = float(rnorm.mid())
    q = max(abs(1 - etaa * e.mid()) for e in eigs).mid()
    q_f = float(q)
    if not q < 1:
        return None, q_f, rnorm_f
    tail = rnorm ** 2 / (1 - q * q)
    beta_K = [f.beta(arb(0)).mid() for f in flows]
    delta = []
    for i in range(d):
        col = sum(X[m][i].mid() ** 2 for m in range(n))
        c = problem.parametrisation.gd_factor(tuple(block[i] for block in theta))
        delta.append(_arb_fraction(flint, Fraction(c)) * etaa ** 2 * col * tail / n ** 2
                     * abs(beta_K[i]))
    # oblique projection P = I - W X^T (X W X^T)^-1 X; ||P||_inf <= 1 + ||W X^T G^-1 X||_inf
    W = [w.mid() for w in weights]
    Gm = _mid_mat(flint, _gram(flint, X, W, 1))
    try:
        Ginv = Gm.inv()
    except ZeroDivisionError:  # pragma: no cover - Krawczyk succeeded, so G is invertible
        return None, q_f, rnorm_f
    Xm = flint.arb_mat([[v.mid() for v in row] for row in X])
    Wm = flint.arb_mat(d, d, [W[i] if i == j else 0 for i in range(d) for j in range(d)])
    Pm = Wm * Xm.transpose() * Ginv * Xm
    pnorm = 1 + max(sum(abs(Pm[i, j]) for j in range(d)) for i in range(d))
    gap = pnorm * max(delta)
    return _float_up(gap.mid()), q_f, rnorm_f
