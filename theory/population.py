r"""Generalisation with ``n`` samples: priors on the truth, posteriors, the best interpolator and
its learning rate ``eta* = 2/S`` (R8 extended beyond one sample).

Statement
---------
Data ``y = X beta* + noise`` (``n x d``, noise ``N(0, sigma^2 I)``), fresh samples
``x' ~ N(0, Sigma)``: an interpolator ``beta`` (``X beta = y``) has population risk
``(beta - beta*)^T Sigma (beta - beta*) + sigma^2`` (:func:`theory.population_risk`, any ``d``)
and, given the data, posterior expected risk ``(beta - m)^T Sigma (beta - m) + tr(Sigma C) +
sigma^2`` where ``m, C`` are the posterior mean and covariance of ``beta*``
(:func:`theory.expected_risk` with the posterior as its prior). Hence the best interpolator is
the ``Sigma``-projection of ``m`` onto ``{X beta = y}``:

.. math:: \beta^\star = m + \Sigma^{-1}X^\top (X\Sigma^{-1}X^\top)^{-1}(y - X m),

which is ``m`` itself when the data are noiseless (the posterior is supported on interpolators).

Priors (each with an exact posterior here):

* a point ``beta*`` (:func:`theory.point_prior`): the posterior is the point;
* Gaussian ``N(mu, C)`` (:func:`gaussian_prior`): the posterior is Gaussian,
  ``m = mu + C X^T (X C X^T + sigma^2 I)^{-1} (y - X mu)``, ``C - C X^T (...)^{-1} X C``;
  with ``sigma = 0`` this is the prior *conditioned on interpolation* (:func:`gaussian_posterior`);
* ``s``-sparse with a uniformly random support and random signs (:func:`sparse_prior`, mean 0,
  covariance ``m^2 s/d I`` for magnitude ``m``); noiseless, its posterior is uniform on the
  ``s``-sparse configurations that interpolate (:func:`sparse_posterior`, enumerated).

``eta* = 2 / S(beta*)`` (:func:`eta_star`), with ``S`` the least sharpness of E2, is the
learning rate at which the edge-of-stability heuristic ``S ~ 2/eta`` lands on the best
interpolator (R8's prediction).

References
----------
R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification; the ``n``-sample
posteriors are standard Gaussian conditioning and Bayes' rule on a finite set.
"""

from __future__ import annotations

from itertools import combinations, product

import sympy as sp

from ._exact import exact, exact_matrix, exact_vector
from .citations import cites
from .errors import DomainError, NotDecidable
from .generalisation import Prior
from .many_samples import least_sharpness
from .parametrisations import parametrisation

__all__ = ["gaussian_prior", "sparse_prior", "gaussian_posterior", "sparse_posterior",
           "best_interpolator", "eta_star", "MAX_CONFIGURATIONS"]

CLAIM = "R8"
SOURCE = "[MFCKM26]"
#: the most sparse configurations :func:`sparse_posterior` enumerates
MAX_CONFIGURATIONS = 10**6


def _psd(M: sp.ImmutableMatrix, name: str, strict: bool = False) -> sp.ImmutableMatrix:
    if (M - M.T).is_zero_matrix is False:
        raise DomainError(name, M, "a symmetric matrix is required", CLAIM)
    test = M.is_positive_definite if strict else M.is_positive_semidefinite
    if test is False:
        raise DomainError(name, M, "positive " + ("definite" if strict else "semidefinite")
                          + " is required", CLAIM)
    return M


def _data(X, y):
    Xm = exact_matrix(X, "X", claim=CLAIM)
    ys = sp.Matrix(exact_vector(y, "y", claim=CLAIM))
    if len(ys) != Xm.shape[0]:
        raise DomainError("len(y)", len(ys), f"one label per row of X ({Xm.shape[0]})", CLAIM)
    return sp.Matrix(Xm), ys


def _row_basis(Xm, ys, what: str):
    """The rows of a row basis of ``X``, after checking that the others are consistent."""
    R = Xm.row_join(ys).rref()[0]
    r = Xm.rank()
    if R[r:, :].is_zero_matrix is False or Xm.row_join(ys).rank() != r:
        raise DomainError("y", list(ys), f"y in the range of X ({what})", CLAIM)
    rows = []
    for i in range(Xm.shape[0]):
        if sp.Matrix.vstack(*[Xm[j, :] for j in rows + [i]]).rank() == len(rows) + 1:
            rows.append(i)
    return Xm.extract(rows, list(range(Xm.shape[1]))), ys.extract(rows, [0])


@cites(CLAIM, SOURCE)
def gaussian_prior(mean, cov) -> Prior:
    r"""The Gaussian prior ``N(mean, cov)`` on the ground truth (R8, ``n`` samples).

    Statement
    ---------
    .. math:: \beta^* \sim \mathcal N(\mu, C),\qquad C \succeq 0 .

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> gaussian_prior([0, 1], [[1, 0], [0, 2]]).mean
    (0, 1)
    """
    mu = exact_vector(mean, "mean", claim=CLAIM)
    C = _psd(exact_matrix(cov, "cov", claim=CLAIM), "cov")
    if C.shape != (len(mu), len(mu)):
        raise DomainError("cov.shape", C.shape, f"a {len(mu)} x {len(mu)} matrix", CLAIM)
    return Prior(mu, C, "gaussian")


@cites(CLAIM, SOURCE)
def sparse_prior(d: int, sparsity: int, magnitude=1) -> Prior:
    r"""The ``s``-sparse prior with a uniformly random support and independent random signs
    (R8, ``n`` samples): its mean and covariance.

    Statement
    ---------
    ``beta*_i = m epsilon_i 1[i in T]``, ``T`` uniform among the ``s``-subsets, ``epsilon_i``
    uniform on ``{-1, 1}``:

    .. math:: \mathbb E\beta^* = 0,\qquad \mathbb E\,\beta^*_i\beta^*_j =
              \delta_{ij}\, m^2 s / d .

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> sparse_prior(4, 2).cov[0, 0]
    1/2
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise DomainError("d", d, "an integer d >= 1", CLAIM)
    if isinstance(sparsity, bool) or not isinstance(sparsity, int) or not 0 <= sparsity <= d:
        raise DomainError("sparsity", sparsity, f"an integer 0 <= s <= d = {d}", CLAIM)
    m = exact(magnitude, "magnitude", claim=CLAIM)
    if m.is_positive is False:
        raise DomainError("magnitude", m, "magnitude > 0", CLAIM)
    cov = sp.ImmutableMatrix.eye(d) * m**2 * sp.Rational(sparsity, d)
    return Prior(tuple(sp.Integer(0) for _ in range(d)), cov, f"{sparsity}-sparse")


@cites(CLAIM, SOURCE)
def gaussian_posterior(prior: Prior, X, y, sigma2=0) -> Prior:
    r"""The Gaussian prior updated by ``y = X beta* + N(0, sigma^2 I)``; with ``sigma2 = 0``,
    the prior conditioned on interpolation ``X beta* = y`` (R8, ``n`` samples).

    Statement
    ---------
    .. math:: m = \mu + C X^\top G^{-1}(y - X\mu),\qquad C' = C - C X^\top G^{-1} X C,
              \qquad G = X C X^\top + \sigma^2 I

    (over a row basis of ``X`` when ``sigma2 = 0``, the other rows being implied).

    Raises
    ------
    DomainError
        ``G`` singular (``sigma2 = 0`` and ``X C X^T`` not invertible on a row basis: the
        prior puts no density on interpolation), or ``y`` outside the range of ``X``.

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> post = gaussian_posterior(gaussian_prior([0, 0], [[1, 0], [0, 1]]), [[1, 1]], [2])
    >>> post.mean, post.cov
    ((1, 1), Matrix([
    [ 1/2, -1/2],
    [-1/2,  1/2]]))
    """
    Xm, ys = _data(X, y)
    s2 = exact(sigma2, "sigma2", claim=CLAIM)
    if s2.is_negative:
        raise DomainError("sigma2", s2, "sigma2 >= 0 (a variance)", CLAIM)
    mu, C = sp.Matrix(prior.mean), sp.Matrix(prior.cov)
    if C.shape[0] != Xm.shape[1]:
        raise DomainError("prior", prior.name, f"a prior on d = {Xm.shape[1]} coordinates",
                          CLAIM)
    if s2 == 0:
        Xm, ys = _row_basis(Xm, ys, "noiseless data")
    G = Xm * C * Xm.T + s2 * sp.eye(Xm.shape[0])
    if G.det() == 0:
        raise DomainError("prior.cov", prior.cov, "X C X^T invertible on a row basis of X "
                          "(the prior must have a density on the interpolating set)", CLAIM)
    K = C * Xm.T * G.inv()
    mean = mu + K * (ys - Xm * mu)
    cov = C - K * Xm * C
    return Prior(tuple(sp.simplify(v) for v in mean), sp.ImmutableMatrix(cov.applyfunc(
        sp.simplify)), f"{prior.name} | data")


@cites(CLAIM, SOURCE)
def sparse_posterior(X, y, sparsity: int, magnitude=None) -> Prior:
    r"""The noiseless posterior of the ``s``-sparse prior (R8, ``n`` samples), exactly.

    Statement
    ---------
    Bayes' rule on the ``s``-sparse configurations: with a fixed ``magnitude`` ``m`` every
    configuration (support ``T``, signs) is equally likely a priori, so the posterior is
    uniform on those with ``X beta = y``. With ``magnitude=None`` (magnitudes from any
    continuous law) the configurations are supports ``T`` with a unique solution of
    ``X_T b = y`` having no zero entry; the posterior is a point mass when exactly one support
    interpolates.

    Returns
    -------
    Prior
        The posterior's mean and covariance.

    Raises
    ------
    DomainError
        No configuration interpolates, or more than :data:`MAX_CONFIGURATIONS` to enumerate.
    NotDecidable
        ``magnitude=None`` and several supports interpolate (their posterior weights depend on
        the magnitudes' density on different subspaces), or one interpolates along a continuum.

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> sparse_posterior([[1, 2, 3]], [2], 1, magnitude=1).mean
    (0, 1, 0)
    >>> sparse_posterior([[1, 0, 1], [0, 1, 1]], [3, 1], 1).mean
    Traceback (most recent call last):
    ...
    theory.errors.DomainError: y = [3, 1]: an interpolating 1-sparse configuration (required by R8)
    """
    from math import comb

    Xm, ys = _data(X, y)
    n, d = Xm.shape
    if isinstance(sparsity, bool) or not isinstance(sparsity, int) or not 0 <= sparsity <= d:
        raise DomainError("sparsity", sparsity, f"an integer 0 <= s <= d = {d}", CLAIM)
    m = None if magnitude is None else exact(magnitude, "magnitude", claim=CLAIM)
    count = comb(d, sparsity) * (2**sparsity if m is not None else 1)
    if count > MAX_CONFIGURATIONS:
        raise DomainError("sparsity", sparsity, f"at most {MAX_CONFIGURATIONS} configurations "
                          f"(C(d, s){' 2^s' if m is not None else ''} = {count})", CLAIM)
    found = []
    for T in combinations(range(d), sparsity):
        XT = Xm.extract(list(range(n)), list(T))
        if m is not None:
            for signs in product((1, -1), repeat=sparsity):
                b = sp.Matrix([s * m for s in signs])
                if XT * b == ys:
                    found.append(_embed(d, T, b))
            continue
        if XT.rank() < sparsity:
            if XT.row_join(ys).rank() == XT.rank():
                raise NotDecidable("the posterior: a continuum of sparse interpolators", CLAIM)
            continue
        sol = _unique_solution(XT, ys)
        if sol is not None and all(v != 0 for v in sol):
            found.append(_embed(d, T, sol))
    if not found:
        raise DomainError("y", list(ys), f"an interpolating {sparsity}-sparse configuration",
                          CLAIM)
    if m is None and len(found) > 1:
        raise NotDecidable("the posterior weights of several interpolating supports", CLAIM)
    k = len(found)
    mean = [sum(b[i] for b in found) / k for i in range(d)]
    cov = sp.ImmutableMatrix(d, d, lambda i, j: sum(b[i] * b[j] for b in found) / k
                             - mean[i] * mean[j])
    return Prior(tuple(mean), cov, f"{sparsity}-sparse | data")


def _embed(d, T, b) -> tuple:
    out = [sp.Integer(0)] * d
    for i, v in zip(T, b):
        out[i] = v
    return tuple(out)


def _unique_solution(XT, ys):
    """The solution of ``X_T b = y`` (``X_T`` of full column rank), or None."""
    if XT.row_join(ys).rank() != XT.rank():
        return None
    return list((XT.T * XT).LUsolve(XT.T * ys))


@cites(CLAIM, SOURCE)
def best_interpolator(X, y, prior: Prior, Sigma=None) -> tuple:
    r"""The interpolator of least posterior expected risk (R8, ``n`` samples).

    Statement
    ---------
    Given the posterior mean ``m`` (pass the posterior as ``prior``):

    .. math:: \beta^\star = \arg\min_{X\beta = y}(\beta - m)^\top\Sigma(\beta - m)
              = m + \Sigma^{-1}X^\top(X\Sigma^{-1}X^\top)^{+}(y - Xm)

    (over a row basis of ``X``), ``= m`` when ``m`` interpolates.

    Parameters
    ----------
    X : n x d exact matrix; y : n exact labels with ``y`` in the range of ``X``
    prior : Prior, the posterior of ``beta*`` (:func:`gaussian_posterior`,
        :func:`sparse_posterior`, :func:`theory.point_prior`)
    Sigma : d x d positive definite exact matrix, default the identity

    References
    ----------
    R8, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> from theory import point_prior
    >>> best_interpolator([[1, 1]], [2], point_prior([3, 0]))
    (5/2, -1/2)
    """
    Xm, ys = _data(X, y)
    Xm, ys = _row_basis(Xm, ys, "an interpolator must exist")
    d = Xm.shape[1]
    if len(prior.mean) != d:
        raise DomainError("prior.mean", prior.mean, f"d = {d} entries", CLAIM)
    S = sp.eye(d) if Sigma is None else _psd(exact_matrix(Sigma, "Sigma", claim=CLAIM),
                                             "Sigma", strict=True)
    m = sp.Matrix(prior.mean)
    if Xm * m == ys:
        return tuple(prior.mean)
    Si = sp.Matrix(S).inv()
    beta = m + Si * Xm.T * (Xm * Si * Xm.T).inv() * (ys - Xm * m)
    return tuple(sp.simplify(v) for v in beta)


@cites(CLAIM, SOURCE)
def eta_star(X, beta, param: str = "product", depth: int = 2) -> sp.Expr:
    r"""The learning rate whose edge-of-stability interpolator is ``beta``:
    ``eta* = 2 / S(beta)`` (R8, ``n`` samples).

    Statement
    ---------
    .. math:: \eta^* = \frac{2}{S(\beta)},\qquad S(\beta) = \tfrac1n\lambda_{\max}\big(X
              \operatorname{diag}(c(\beta)) X^\top\big)

    with the least-sharpness weights of E2 (:func:`theory.many_samples.sharpness_weights`).

    Raises
    ------
    DomainError
        ``S(beta) = 0`` (``beta = 0`` on the samples: every rate is stable), or shared weights
        with a negative ``beta_i`` (the shared flow keeps ``beta > 0``: undefined there).

    References
    ----------
    R8 (the prediction ``eta* ~ 2/S(mu)``), [MFCKM26] arXiv 2505.21423, as reconstructed in the
    project's specification.

    Examples
    --------
    >>> eta_star([[1, 2]], [3, -1])
    1/7
    """
    P = parametrisation(param, depth, claim=CLAIM)
    b = exact_vector(beta, "beta", claim=CLAIM)
    if P.name == "shared" and any(v.is_negative for v in b):
        raise DomainError("beta", b, "beta >= 0: shared weights reach no interpolator with a "
                          "negative entry, so eta* is not defined", CLAIM)
    S = least_sharpness(X, b, param, depth)
    if S == 0:
        raise DomainError("beta", b, "S(beta) > 0 (at S = 0 every learning rate is stable)",
                          CLAIM)
    return 2 / S
