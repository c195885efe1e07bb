"""Population risk of interpolators, and why neither implicit bias generalises best (claim R8).

A regressor ``beta`` evaluated on fresh ``x' ~ N(0, Sigma)`` with labels ``<x', beta*> + noise``
of variance ``sigma^2`` has population risk ``(beta - beta*)^T Sigma (beta - beta*) + sigma^2``.
Averaging over a prior on ``beta*`` with mean ``mu`` and covariance ``C`` adds ``tr(Sigma C)``
and replaces ``beta*`` by ``mu`` (bias–variance). The best interpolator is then the
``Sigma``-projection of ``mu`` onto the zero-loss simplex ``M``: ``mu`` itself when ``mu`` lies in
``M``, as it does for every prior supported on ``M``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import sympy as sp

from ._display import compact_repr
from ._exact import (
    decide,
    exact,
    exact_matrix,
    exact_vector,
    one_sample,
    require_nonnegative,
    same_length,
)
from .citations import cites
from .errors import DomainError
from .hessian import zero_loss_sharpness
from .interpolators import min_norm_interpolator, min_sharpness_interpolator

__all__ = [
    "Prior",
    "BiasComparison",
    "uniform_prior",
    "point_prior",
    "population_risk",
    "expected_risk",
    "optimal_interpolator",
    "bias_gaps",
]

CLAIM = "R8"
SOURCE = "[MFCKM26]"
#: Largest dimension for which :func:`optimal_interpolator` enumerates active sets exactly.
MAX_ENUMERATION_DIMENSION = 14


@compact_repr
@dataclass(frozen=True)
class Prior:
    """A prior on the ground truth ``beta*`` through its first two moments.

    Attributes
    ----------
    mean : tuple of exact reals
    cov : sympy ImmutableMatrix (symmetric positive semidefinite)
    name : str
    """

    mean: tuple
    cov: sp.ImmutableMatrix
    name: str = "custom"


def _sigma(Sigma, d: int) -> sp.ImmutableMatrix:
    if Sigma is None:
        return sp.ImmutableMatrix.eye(d)
    m = exact_matrix(Sigma, "Sigma", claim=CLAIM)
    if m.shape != (d, d):
        raise DomainError("Sigma.shape", m.shape, f"a {d} x {d} matrix is required", CLAIM)
    if (m - m.T).is_zero_matrix is False:
        raise DomainError("Sigma", m, "a symmetric matrix is required", CLAIM)
    if m.is_positive_semidefinite is False:
        raise DomainError("Sigma", m, "a positive semidefinite covariance is required", CLAIM)
    return m


def _noise(sigma2) -> sp.Expr:
    s = exact(sigma2, "sigma2", claim=CLAIM)
    require_nonnegative(s, "sigma2", CLAIM)
    return s


@cites(CLAIM, SOURCE)
def uniform_prior(x, y) -> Prior:
    r"""The uniform distribution on the zero-loss simplex ``M``: its mean and covariance (R8).

    Statement
    ---------
    ``beta* = diag(y/x) lambda`` with ``lambda ~ Dirichlet(1, ..., 1)``, so

    .. math:: \mu_i = \frac{y}{d\,x_i},\qquad
              \operatorname{Cov}(\beta^*)_{ij} = \frac{y^2}{x_i x_j}\,
              \frac{d\,\delta_{ij} - 1}{d^2 (d+1)} .

    Notes
    -----
    Uniform on a simplex is the affine image of the flat Dirichlet; the moments are its moments
    pushed forward. A test integrates over ``M`` for ``d = 2, 3`` and compares.

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> uniform_prior([1, "1/2"], 1).mean
    (1/2, 1)
    """
    xs, ys = one_sample(x, y, CLAIM)
    d = len(xs)
    mean = tuple(ys / (d * xi) for xi in xs)
    cov = sp.ImmutableMatrix(
        d, d, lambda i, j: ys**2 / (xs[i] * xs[j]) * (d * (i == j) - 1) / (d**2 * (d + 1))
    )
    return Prior(mean, cov, "uniform on the zero-loss set")


@cites(CLAIM, SOURCE)
def point_prior(beta_star) -> Prior:
    r"""The point mass at a fixed ground truth ``beta*`` (R8).

    Statement
    ---------
    .. math:: \mu = \beta^*, \qquad \operatorname{Cov} = 0 .

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> point_prior(["1/2", 1]).mean
    (1/2, 1)
    """
    bs = exact_vector(beta_star, "beta_star", claim=CLAIM, min_length=2)
    return Prior(bs, sp.ImmutableMatrix.zeros(len(bs), len(bs)), "point mass")


@cites(CLAIM, SOURCE)
def population_risk(beta, beta_star, Sigma=None, sigma2=0) -> sp.Expr:
    r"""Population risk of a regressor against a fixed ground truth (R8).

    Statement
    ---------
    .. math:: R(\beta) = (\beta - \beta^*)^\top \Sigma (\beta - \beta^*) + \sigma^2 .

    Parameters
    ----------
    beta, beta_star : sequences of d exact reals
    Sigma : d x d symmetric positive semidefinite exact matrix, default the identity
    sigma2 : exact real, ``sigma2 >= 0`` (label-noise variance)

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> population_risk([1, 0], ["1/2", 1])
    5/4
    """
    b = exact_vector(beta, "beta", claim=CLAIM, min_length=2)
    s = exact_vector(beta_star, "beta_star", claim=CLAIM, min_length=2)
    same_length(s, len(b), "beta_star", CLAIM)
    S = _sigma(Sigma, len(b))
    e = sp.Matrix(b) - sp.Matrix(s)
    return sp.expand((e.T * S * e)[0, 0] + _noise(sigma2))


@cites(CLAIM, SOURCE)
def expected_risk(beta, prior: Prior, Sigma=None, sigma2=0) -> sp.Expr:
    r"""Population risk averaged over a prior on ``beta*`` (R8).

    Statement
    ---------
    .. math:: \mathbb E_{\beta^*} R(\beta) = (\beta - \mu)^\top\Sigma(\beta-\mu)
              + \operatorname{tr}(\Sigma C) + \sigma^2 .

    For ``Sigma = I``: ``||beta - mu||^2 + tr Cov(beta*) + sigma^2``, as in the specification.

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> expected_risk(["1/2", 1], uniform_prior([1, "1/2"], 1))
    5/12
    """
    b = exact_vector(beta, "beta", claim=CLAIM, min_length=2)
    same_length(prior.mean, len(b), "prior.mean", CLAIM)
    S = _sigma(Sigma, len(b))
    e = sp.Matrix(b) - sp.Matrix(prior.mean)
    return sp.expand((e.T * S * e)[0, 0] + (S * prior.cov).trace() + _noise(sigma2))


def _on_M(xs, ys, mu) -> bool:
    nonneg = all(decide(m >= 0, "the sign of the prior mean", CLAIM) for m in mu)
    return nonneg and decide(sp.Eq(sum(a * b for a, b in zip(xs, mu)), ys),
                             "whether the prior mean lies on M", CLAIM)


@cites(CLAIM, SOURCE)
def optimal_interpolator(x, y, prior: Prior, Sigma=None) -> tuple:
    r"""The interpolator of least expected risk (R8).

    Statement
    ---------
    .. math:: \beta^\star = \arg\min_{\beta\in M} (\beta-\mu)^\top\Sigma(\beta-\mu),

    which is ``mu`` when ``mu`` lies in ``M`` (every prior supported on ``M``). Otherwise it is
    the ``Sigma``-projection of ``mu`` onto ``M``, found exactly by enumerating supports ``T``
    and solving the KKT system ``2 Sigma_T (beta - mu) = nu x_T``, ``<x_T, beta_T> = y`` with
    ``beta_T >= 0`` and multipliers ``2 Sigma (beta - mu) - nu x >= 0`` off ``T``.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    prior : Prior (its mean ``mu`` may lie off ``M``)
    Sigma : d x d positive definite exact matrix, default the identity

    Raises
    ------
    DomainError
        ``Sigma`` not positive definite when ``mu`` is off ``M`` (the projection would not be
        unique), or ``d`` above :data:`MAX_ENUMERATION_DIMENSION` there.

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> optimal_interpolator([1, "1/2"], 1, uniform_prior([1, "1/2"], 1))
    (1/2, 1)
    >>> optimal_interpolator([1, "1/2"], 1, point_prior([1, 1]))
    (3/5, 4/5)
    """
    xs, ys = one_sample(x, y, CLAIM)
    d = len(xs)
    same_length(prior.mean, d, "prior.mean", CLAIM)
    S = _sigma(Sigma, d)
    mu = tuple(prior.mean)
    if _on_M(xs, ys, mu):
        return mu
    if d > MAX_ENUMERATION_DIMENSION:
        raise DomainError("len(x)", d, f"d <= {MAX_ENUMERATION_DIMENSION} when the prior mean "
                          "lies off M (exact active-set enumeration)", CLAIM)
    if S.is_positive_definite is False:
        raise DomainError("Sigma", S, "a positive definite matrix is required when the prior "
                          "mean lies off M", CLAIM)
    M_mu = S * sp.Matrix(mu)
    for size in range(1, d + 1):
        for T in combinations(range(d), size):
            k = len(T)
            A = sp.zeros(k + 1, k + 1)
            rhs = sp.zeros(k + 1, 1)
            for a, i in enumerate(T):
                for b, j in enumerate(T):
                    A[a, b] = 2 * S[i, j]
                A[a, k] = -xs[i]
                A[k, a] = xs[i]
                rhs[a] = 2 * M_mu[i]
            rhs[k] = ys
            if A.det() == 0:
                continue
            sol = A.LUsolve(rhs)
            beta = [sp.Integer(0)] * d
            for a, i in enumerate(T):
                beta[i] = sp.simplify(sol[a])
            nu = sol[k]
            grad = 2 * S * (sp.Matrix(beta) - sp.Matrix(mu)) - nu * sp.Matrix(xs)
            if all(decide(beta[i] >= 0, "KKT feasibility", CLAIM) for i in T) and all(
                decide(grad[i] >= 0, "KKT dual feasibility", CLAIM)
                for i in range(d) if i not in T
            ):
                return tuple(beta)
    raise AssertionError("no KKT point found: Sigma is not positive definite")  # pragma: no cover


@compact_repr
@dataclass(frozen=True)
class BiasComparison:
    """Exact risks of the two implicit biases against the best interpolator (R8).

    Attributes
    ----------
    optimal : tuple
        The interpolator of least expected risk.
    risk_min_norm, risk_min_sharpness, risk_optimal : sympy expressions
        Expected risks of ``beta^N``, ``beta^S`` and ``optimal``.
    gap_min_norm, gap_min_sharpness : sympy expressions
        ``risk_min_norm - risk_optimal`` and ``risk_min_sharpness - risk_optimal`` (>= 0).
    neither_optimal : bool
        Both gaps are strictly positive.
    strictly_between : bool
        The optimal interpolator's norm and sharpness lie strictly between those of ``beta^N``
        and ``beta^S``.
    """

    optimal: tuple
    risk_min_norm: sp.Expr
    risk_min_sharpness: sp.Expr
    risk_optimal: sp.Expr
    gap_min_norm: sp.Expr
    gap_min_sharpness: sp.Expr
    neither_optimal: bool
    strictly_between: bool


@cites(CLAIM, SOURCE)
def bias_gaps(x, y, prior: Prior | None = None, Sigma=None, sigma2=0) -> BiasComparison:
    r""""Neither bias generalises best", as exact gaps (R8).

    Statement
    ---------
    With ``beta*`` drawn from a prior with mean ``mu`` in ``M`` and ``Sigma = I``:

    .. math:: \mathbb E\|\beta^N - \beta^*\|^2 - \min_{\beta\in M}\mathbb E\|\beta-\beta^*\|^2
              = \|\beta^N - \mu\|^2 > 0 \quad\text{unless } \mu = \beta^N,

    and likewise for ``beta^S``. With ``x`` pairwise distinct and ``mu`` neither ``beta^N`` nor
    ``beta^S``, the optimum ``mu`` has norm and sharpness strictly between theirs (both are
    strictly monotone functions of ``E_p[x]`` and ``E_p[1/x]``). The default prior is uniform
    on ``M`` (``mu`` the centroid).

    Notes
    -----
    Corrected from the specification. Original statement: "unless ``mu`` is a vertex, both
    ``beta^N`` and ``beta^S`` are strictly worse than the best interpolator". The gap of
    ``beta^N`` is ``||beta^N - mu||^2``, zero exactly when ``mu = beta^N``. For ``d = 2`` the
    vertices are ``beta^N`` and ``beta^S``, so the two conditions agree; for ``d >= 3`` (distinct
    ``x``) a ``mu`` at a third vertex leaves both biases strictly worse, so "unless ``mu`` is a
    vertex" is too strong: the exact condition is ``mu != beta^N`` (resp. ``mu != beta^S``),
    which :attr:`BiasComparison.neither_optimal` decides.

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> g = bias_gaps([1, "1/2"], 1)
    >>> g.gap_min_norm, g.gap_min_sharpness, g.neither_optimal
    (5/4, 5/4, True)
    """
    xs, ys = one_sample(x, y, CLAIM)
    prior = uniform_prior(xs, ys) if prior is None else prior
    n = min_norm_interpolator(xs, ys)
    s = min_sharpness_interpolator(xs, ys)
    best = optimal_interpolator(xs, ys, prior, Sigma)
    rn = expected_risk(n.beta, prior, Sigma, sigma2)
    rs = expected_risk(s.beta, prior, Sigma, sigma2)
    ro = expected_risk(best, prior, Sigma, sigma2)
    gn, gs = sp.simplify(rn - ro), sp.simplify(rs - ro)
    neither = decide(gn > 0, "gap_min_norm > 0", CLAIM) and decide(gs > 0, "gap_min_sharpness > 0",
                                                                    CLAIM)
    norm_b = sum(best)
    sharp_b = zero_loss_sharpness(xs, ys, best)
    between = all(
        decide(c, "strict betweenness", CLAIM)
        for c in (n.l1_norm < norm_b, norm_b < s.l1_norm, s.sharpness < sharp_b,
                  sharp_b < n.sharpness)
    )
    return BiasComparison(best, rn, rs, ro, gn, gs, neither, between)
