r"""Certified final quantities: an Arb enclosure of an exact interpolator, its sharpness, and R5.

A converged gradient-descent run ends at a point ``theta_K`` *near* the zero-loss set, not on it.
This module replaces that point by an exact mathematical object and encloses it in Arb balls
(python-flint), so that the final answers of a run (the interpolator, its sharpness, and whether
it is linearly stable for ``eta``) carry proofs rather than agreed digits:

``interpolator``
    The limit of *gradient flow* started from ``theta_K`` (defined below; existence and
    uniqueness certified with the Krawczyk operator).
``sharpness``
    ``S`` at that interpolator, from the ``n x n`` Gram matrix (E1), with certified eigenvalues.
``stable``
    The certified answer to R5 for this ``eta``: ``"stable"``, ``"unstable"`` or ``"undecided"``.

The one quantity that is *not* certified is how far the true GD limit (GD continued forever
from ``theta_K``) lies from the certified interpolator: :class:`Certificate` reports a
documented first-order estimate, ``gd_limit_gap_estimate``, and says so in its JSON.

The gradient flow from ``theta_K`` in closed form
-------------------------------------------------
Along the flow ``theta' = -grad L`` we have ``beta' = -|J|^2 g`` coordinate-wise with
``g = X^T r / n``. Write ``rho(t) = int_0^t r dt`` (in ``R^n``) and ``s = X^T rho / n`` (in
``R^d``). Every parametrisation integrates in closed form as a function of ``s`` alone, from any
start: the flow maps of :meth:`theory.parametrisations.Parametrisation.flow_from`, evaluated
here in Arb ball arithmetic:

=================  ==============================================================================
``shared``, D = 2  ``w = w_K exp(-2 s)``, ``beta = beta_K exp(-4 s)``
``shared``, D > 2  ``|w|^(2-D) = |w_K|^(2-D) + D(D-2) sigma s`` with ``sigma = sign(w_K)^D``,
                   ``w = sign(w_K) |w|``, ``beta = w^D``
``product``        ``u + v = p exp(-s)``, ``u - v = q exp(s)`` (``p, q = (u+v)_K, (u-v)_K``),
                   ``beta = (p^2 exp(-2 s) - q^2 exp(2 s)) / 4``
``difference``     ``u = u_K exp(-2 s)``, ``v = v_K exp(2 s)``, ``beta = u^2 - v^2``
=================  ==============================================================================

and in every case ``d beta_i / d s_i = -|J_i|^2`` (the Gram weights of E1). The flow's limit is
therefore ``theta(rho*)`` where ``rho*`` solves the ``n`` equations

.. math:: F(\rho) = X \beta(X^T \rho / n) - y = 0, \qquad
          F'(\rho) = -\tfrac1n X \operatorname{diag}(|J|^2) X^T = -G(\rho).

``F`` is the gradient of the concave function ``Phi(rho) = sum_i n B_i(s_i) - <y, rho>``
(``B_i' = beta_i``), strictly concave when ``X`` has full row rank and no ``J_i`` vanishes, so a
root is unique in all of ``R^n`` and the flow converges to it whenever ``int r dt`` converges.
(That global statement is mathematics, not checked by the code; the certificate proves existence
and uniqueness of the root in the Krawczyk box.)

References
----------
[MFCKM26] Section 3, R1 and R5; Appendix B, R6 (the closed-form flow, one sample), E1 (the
Gram form of the zero-loss Hessian), E3 and E4 (the invariants behind the product and difference
closed forms). R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
Fehlerschranken", Computing 4 (1969); R. E. Moore, "A test for existence of solutions to
nonlinear systems", SIAM J. Numer. Anal. 14 (1977). F. Johansson, "Arb: efficient
arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans. Comput. 66 (2017).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from theory.parametrisations import OutOfDomain

from .backends import get_backend
from .errors import DomainError, NoConvergence
from .gd import GDResult
from .precision import check_dps, dps_to_prec
from .problem import Problem, as_fraction

__all__ = ["Certificate", "certify", "certify_point", "symmetric_eigenvalues", "arb_interval",
           "GUARD_BITS"]

#: Extra bits carried above ``dps`` digits inside the certification (narrower balls, same answer).
GUARD_BITS = 16
#: Box inflations tried by the Krawczyk test before giving up.
MAX_INFLATIONS = 8

DEFINITION = (
    "beta(rho*) for the gradient flow started at the final GD iterate theta_K: beta(rho) is the "
    "closed-form flow map as a function of rho = int r dt (s = X^T rho / n), and rho* is the "
    "unique root of F(rho) = X beta(rho) - y, certified to exist and be unique in the box by the "
    "Krawczyk test")
GAP_NOTE = (
    "ESTIMATE, NOT CERTIFIED: first-order size of |GD limit - certified interpolator| (max norm), "
    "from the residual at theta_K, the contraction rate q = max_j |1 - eta lambda_j| and the "
    "second-order discrepancy c eta^2 sum_k g_k^2 between GD and gradient-flow steps; null when "
    "q >= 1. It bounds g_i = (X^T r)_i / n by the 2-norm of column i of X times the max norm of "
    "r, where Cauchy-Schwarz needs the 2-norm of r (up to sqrt(n) times larger), so it can be "
    "low by up to a factor n (n = number of samples)")


# --------------------------------------------------------------------------- conversions
def _arb_fraction(flint, q: Fraction):
    """An Arb ball enclosing the rational ``q`` (exact when ``q`` is dyadic and fits)."""
    q = Fraction(q)
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


@functools.cache
def _flint_backend():
    """The flint backend, used here outside its own :meth:`~numerics.backends.Backend.scope`,
    so that it works at the caller's ``flint.ctx`` precision: for
    :meth:`~numerics.backends.Flint.to_fraction` (the exact value of a midpoint) and as the
    ``ops`` of the flow maps (:func:`_flow_maps`)."""
    return get_backend("flint", 30)


def _exact_fraction(a) -> Fraction | None:
    """The exact value of an Arb number's midpoint (``None`` if not finite)."""
    try:
        return _flint_backend().to_fraction(a)
    except DomainError:
        return None


def _float_down(a) -> float:
    """The largest float ``<= a.lower()`` (outward rounding of a lower endpoint)."""
    q = _exact_fraction(a.lower())
    if q is None:
        return -math.inf
    try:
        f = float(q)
    except OverflowError:
        return -math.inf if q < 0 else math.nextafter(math.inf, 0)
    if Fraction(f) > q:
        f = math.nextafter(f, -math.inf)
    return f


def _float_up(a) -> float:
    """The smallest float ``>= a.upper()`` (outward rounding of an upper endpoint)."""
    q = _exact_fraction(a.upper())
    if q is None:
        return math.inf
    try:
        f = float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.nextafter(math.inf, 0)
    if Fraction(f) < q:
        f = math.nextafter(f, math.inf)
    return f


def arb_interval(a) -> list[float]:
    """``[lower, upper]`` as floats rounded outward: the float interval contains the ball ``a``.

    Examples
    --------
    >>> import flint
    >>> lo, hi = arb_interval(flint.arb(1) / 3)
    >>> lo < 1 / 3 < hi or lo <= 1 / 3 <= hi
    True
    """
    return [_float_down(a), _float_up(a)]


def _ball_text(a, digits: int) -> str:
    return a.str(max(1, int(digits)), radius=True)


def _width(a) -> float:
    """``upper - lower`` of a ball, rounded up."""
    return _float_up(2 * a.rad()) if a.mid().is_finite() else math.inf


# --------------------------------------------------------------------------- the flow map
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


# --------------------------------------------------------------------------- the certificate
@dataclass(frozen=True)
class Certificate:
    """Arb enclosures of the interpolator reached from a converged run, and its R5 verdict.

    Attributes
    ----------
    eta : Fraction, the learning rate the verdict refers to
    dps : int, decimal digits of the certification (``prec`` bits, including guard bits)
    rho : tuple of arb, the enclosure of ``rho* = int_0^inf r dt`` (length ``n``)
    beta : tuple of arb, the enclosure of the interpolator ``beta(rho*)`` (length ``d``)
    theta : tuple of tuples of arb, the parameters ``theta(rho*)``
    gram_eigenvalues : tuple of arb, enclosures of the eigenvalues of
        ``G = (1/n) X diag(|J|^2) X^T`` at the interpolator, decreasing (for clusters that
        Gershgorin cannot separate, each member gets the cluster's hull)
    sharpness : arb, the enclosure of ``S`` (the largest eigenvalue of ``G``, E1)
    two_over_eta : Fraction, the exact threshold of R5
    stable : ``"stable"`` (``S < 2/eta`` certified), ``"unstable"`` (``S > 2/eta``) or
        ``"undecided"``
    gd_limit_gap_estimate : float or None, NOT certified (see :func:`certify_point`)
    contraction : float or None, ``q = max_j |1 - eta lambda_j|`` (midpoints)
    residual_norm : float, ``max_m |r_m|`` at ``theta_K`` (midpoint arithmetic)
    krawczyk : dict, the box radius accepted, the inflations tried, the contraction bound
    cross_checks : dict, name -> (arb, overlaps with ``sharpness``)
    seconds : float, wall time of the certification

    Notes
    -----
    The balls are python-flint ``arb`` values. Arb rounds *new* operations to the current
    context precision (53 bits by default), so compare or convert them inside
    ``flint.ctx.workprec(cert.prec)``: at 53 bits ``ball.contains(fmpq(...))`` first rounds the
    rational to a 53-bit ball, which a 100-digit ball cannot contain.
    """

    eta: Fraction
    dps: int
    prec: int
    rho: tuple
    beta: tuple
    theta: tuple
    gram_eigenvalues: tuple
    sharpness: object
    two_over_eta: Fraction
    stable: str
    gd_limit_gap_estimate: float | None
    contraction: float | None
    residual_norm: float
    krawczyk: dict = field(default_factory=dict)
    cross_checks: dict = field(default_factory=dict)
    eigen_method: str = ""
    seconds: float = 0.0

    @property
    def beta_width(self) -> float:
        """The largest width of the ``beta`` balls (rounded up)."""
        return max(_width(b) for b in self.beta)

    @property
    def sharpness_width(self) -> float:
        """The width of the sharpness ball (rounded up)."""
        return _width(self.sharpness)

    def to_json(self) -> dict:
        """A JSON-able dict: intervals as ``[lower, upper]`` floats rounded outward, and balls as
        strings (``"[mid +/- rad]"``, Arb's notation; every printed digit is certified)."""
        digits = self.dps  # Arb prints only the certified ones among them
        return {
            "stable": self.stable,
            "two_over_eta": str(self.two_over_eta),
            "sharpness": arb_interval(self.sharpness),
            "sharpness_ball": _ball_text(self.sharpness, digits),
            "gram_eigenvalues": [arb_interval(e) for e in self.gram_eigenvalues],
            "interpolator": {
                "definition": DEFINITION,
                "beta": [arb_interval(b) for b in self.beta],
                "beta_balls": [_ball_text(b, digits) for b in self.beta],
                "theta": [[arb_interval(t) for t in block] for block in self.theta],
                "rho": [arb_interval(r) for r in self.rho],
                "beta_width": self.beta_width,
            },
            "gd_limit_gap_estimate": self.gd_limit_gap_estimate,
            "gd_limit_gap": {"certified": False, "estimate": self.gd_limit_gap_estimate,
                             "contraction": self.contraction,
                             "residual_at_theta_K": self.residual_norm, "note": GAP_NOTE},
            "method": {"interpolator": "Krawczyk operator on F(rho) = X beta(rho) - y",
                       "eigenvalues": self.eigen_method, "dps": self.dps, "prec_bits": self.prec,
                       "krawczyk": dict(self.krawczyk)},
            "cross_checks": {k: {"ball": _ball_text(v[0], digits), "interval": arb_interval(v[0]),
                                 "overlaps_sharpness": v[1]}
                             for k, v in self.cross_checks.items()},
        }


# --------------------------------------------------------------------------- validation
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


# --------------------------------------------------------------------------- public API
def certify(problem: Problem, eta, result: GDResult, *, dps: int | None = None) -> Certificate:
    r"""Certify the interpolator a converged GD run leads to, its sharpness, and R5 for ``eta``.

    Statement
    ---------
    With ``theta_K = result.theta`` (the final iterate), let ``beta^GF(theta_K)`` be the limit of
    gradient flow from ``theta_K`` (see the module docstring). The returned balls contain

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
        Digits of the certification; default ``max(10, result.dps)`` (multiprecision runs) or
        30 (float64).

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
    the closed-form gradient-flow map from ``theta`` (module docstring). The Krawczyk operator

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
    dps : int, ``5 <= dps <= 100000``: digits of the Arb working precision (plus
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


# --------------------------------------------------------------------------- internals
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


def _mid_mat(flint, M):
    return flint.arb_mat([[M[i, j].mid() for j in range(M.ncols())] for i in range(M.nrows())])


def _finite(values) -> bool:
    return all(v.is_finite() for v in values)


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


def symmetric_eigenvalues(G) -> list:
    r"""Enclosures of the eigenvalues of every real symmetric matrix in the ball matrix ``G``.

    Statement
    ---------
    With ``Q`` approximate eigenvectors of ``mid(G)`` (exact floating-point entries) and an Arb
    enclosure of ``Q^{-1}``, every symmetric ``A in G`` is similar to some ``B`` in the ball
    matrix ``Q^{-1} G Q``; by Gershgorin, the real eigenvalues of ``A`` lie in the union of the
    intervals ``[B_ii - R_i, B_ii + R_i]``, ``R_i = sum_{j != i} |B_ij|``, and a connected
    component made of ``c`` intervals holds exactly ``c`` eigenvalues.

    Parameters
    ----------
    G : flint.arb_mat, square ``n x n`` (``n >= 1``), whose midpoint is symmetric

    Returns
    -------
    list of arb
        ``n`` balls in decreasing order; the members of a cluster of overlapping discs each
        get the cluster's hull. The first ball encloses ``lambda_max``.

    Raises
    ------
    NoConvergence
        The approximate eigenvector matrix is singular at this precision.

    Notes
    -----
    Rigorous for inexact entries (upper bound on widths: first order in the off-diagonal
    residue, where symmetric perturbation theory would give second order). Computed in the
    caller's flint precision.

    References
    ----------
    S. Gershgorin (1931); [MFCKM26] E1 (the Gram form whose eigenvalues are wanted).

    Examples
    --------
    >>> import flint
    >>> G = flint.arb_mat([[1, flint.arb(0, 0.1)], [flint.arb(0, 0.1), 2]])
    >>> [[round(v, 6) for v in arb_interval(e)] for e in symmetric_eigenvalues(G)]
    [[1.9, 2.1], [0.9, 1.1]]
    """
    import flint

    return _eigen(flint, G, G.nrows())[0]


def _eigen(flint, G, n):
    """Certified eigenvalues of the symmetric ball matrix ``G`` (decreasing) and ``S``."""
    checks = {}
    if n == 1:
        S = G[0, 0]
        return [S], S, "n = 1: S = G_11 (a single ball)", checks
    arb = flint.arb
    Gmid = flint.acb_mat(_mid_mat(flint, G))
    _, R = Gmid.eig(right=True, algorithm="approx")
    Q = flint.arb_mat([[R[i, j].real.mid() for j in range(n)] for i in range(n)])
    try:
        Qinv = Q.inv()
    except ZeroDivisionError:  # pragma: no cover - approximate eigenvectors of a symmetric matrix
        raise NoConvergence("the eigenvector basis of the Gram matrix", "raise the precision") \
            from None
    B = Qinv * G * Q
    discs = []
    for i in range(n):
        radius = sum(abs(B[i, j]) for j in range(n) if j != i).upper() if n > 1 else arb(0)
        c = B[i, i]
        discs.append((c.lower() - radius, c.upper() + radius))
    discs.sort(key=lambda t: t[0].mid())
    clusters = []  # merged overlapping intervals, with the count of discs they hold
    for lo, hi in discs:
        if clusters and not (lo > clusters[-1][1]):
            clo, chi, cnt = clusters[-1]
            clusters[-1] = (clo, chi.max(hi), cnt + 1)
        else:
            clusters.append((lo, hi, 1))
    eigs = []
    for lo, hi, cnt in reversed(clusters):
        ball = lo.union(hi)
        eigs.extend([ball] * cnt)
    S = eigs[0]
    try:
        E = flint.acb_mat(G).eig()
        top = max((e.real for e in E), key=lambda a: a.mid())
        checks["arb acb_mat.eig (certified, simple eigenvalues)"] = (top, bool(top.overlaps(S)))
    except ValueError:
        pass  # Arb could not isolate the eigenvalues; Gershgorin above still stands
    method = ("Gershgorin discs of Q^-1 G Q (Q: approximate eigenvectors, Q^-1 enclosed in Arb; "
              "overlapping discs merged into clusters)")
    return eigs, S, method, checks


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
