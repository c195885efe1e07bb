"""theory.population (R8 with n samples) against independent exact routes.

Independent routes: enumeration of every sparse configuration; the posterior-precision form of
Gaussian conditioning ``(C^-1 + X^T X / sigma^2)^-1`` and the Lagrange characterisation of the
noiseless conditional mean; the KKT conditions of the best interpolator; R1's one-sample
sharpness for ``eta*``; averages of ``population_risk`` over a finite posterior.
"""

from __future__ import annotations

from itertools import combinations, product

import pytest
import sympy as sp

from theory import (
    best_interpolator,
    eta_star,
    expected_risk,
    gaussian_posterior,
    gaussian_prior,
    least_sharpness,
    point_prior,
    population_risk,
    sparse_posterior,
    sparse_prior,
    zero_loss_sharpness,
)
from theory.errors import DomainError, NotDecidable

R = sp.Rational


def configurations(d, s, m):
    for T in combinations(range(d), s):
        for signs in product((1, -1), repeat=s):
            beta = [sp.Integer(0)] * d
            for i, e in zip(T, signs):
                beta[i] = e * m
            yield beta


def test_sparse_prior_moments_by_enumeration():
    d, s, m = 4, 2, R(3, 2)
    confs = list(configurations(d, s, m))
    mean = [sum(b[i] for b in confs) / len(confs) for i in range(d)]
    cov = sp.Matrix(d, d, lambda i, j: sum(b[i] * b[j] for b in confs) / len(confs))
    prior = sparse_prior(d, s, m)
    assert list(prior.mean) == mean and sp.Matrix(prior.cov) == cov


X1 = [[1, 2, 0, -1, 1], [0, 1, 1, 1, 2], [1, 0, 1, 2, -1]]


def test_sparse_posterior_fixed_magnitude_is_uniform_on_interpolating_configurations():
    X, y = [[1, 1, 1, 1], [1, -1, 1, -1]], [2, 0]
    hits = [b for b in configurations(4, 2, 1)
            if [sum(a * c for a, c in zip(row, b)) for row in X] == y]
    assert len(hits) == 4
    post = sparse_posterior(X, y, 2, magnitude=1)
    assert list(post.mean) == [sum(b[i] for b in hits) / len(hits) for i in range(4)]
    # the expected risk under the posterior is the average risk over the configurations
    beta = [R(1, 2), R(1, 2), R(1, 3), R(2, 3)]
    avg = sum(population_risk(beta, b) for b in hits) / len(hits)
    assert sp.simplify(expected_risk(beta, post) - avg) == 0


def test_sparse_posterior_continuous_magnitudes():
    truth = [0, R(7, 5), 0, R(-3, 4), 0]
    y = [sum(a * b for a, b in zip(row, truth)) for row in X1]
    post = sparse_posterior(X1, y, 2)
    assert list(post.mean) == truth and sp.Matrix(post.cov).is_zero_matrix
    with pytest.raises(NotDecidable):
        sparse_posterior([[1, 2]], [2], 1)  # (2, 0) and (0, 1) both interpolate
    with pytest.raises(NotDecidable):
        sparse_posterior([[1, 1, 0]], [1], 2)  # a continuum on the support {0, 1}
    with pytest.raises(DomainError) as info:
        sparse_posterior([[1, 0], [0, 1]], [1, 1], 1)
    assert info.value.argument == "y"


def test_gaussian_posterior_noiseless_is_the_lagrange_minimiser():
    mu = [1, 0, R(-1, 2)]
    C = sp.Matrix([[2, 1, 0], [1, 2, 0], [0, 0, 1]])
    X, y = [[1, 1, 1]], [3]
    post = gaussian_posterior(gaussian_prior(mu, C), X, y)
    m = sp.Matrix(post.mean)
    Xm = sp.Matrix(X)
    assert Xm * m == sp.Matrix(y)
    # C^{-1}(m - mu) is a multiple of X's row: the minimiser of (b - mu)^T C^-1 (b - mu)
    g = C.inv() * (m - sp.Matrix(mu))
    lam = g[0] / Xm[0, 0]
    assert g == lam * Xm.T
    assert (Xm * sp.Matrix(post.cov)).is_zero_matrix  # no variance along the data


def test_gaussian_posterior_noisy_precision_form():
    mu = [0, 1]
    C = sp.Matrix([[1, 0], [0, 2]])
    X, y, s2 = sp.Matrix([[1, 2], [1, -1]]), sp.Matrix([1, 0]), R(1, 4)
    post = gaussian_posterior(gaussian_prior(mu, C), X.tolist(), list(y), s2)
    precision = C.inv() + X.T * X / s2
    assert sp.Matrix(post.cov) == precision.inv()
    assert sp.Matrix(post.mean) == precision.inv() * (C.inv() * sp.Matrix(mu) + X.T * y / s2)


def test_gaussian_posterior_needs_a_density_on_the_interpolating_set():
    with pytest.raises(DomainError) as info:
        gaussian_posterior(gaussian_prior([0, 0], [[1, 0], [0, 0]]), [[0, 1]], [1])
    assert info.value.argument == "prior.cov"
    with pytest.raises(DomainError):
        gaussian_prior([0, 0], [[1, 2], [2, 1]])  # not PSD


def test_best_interpolator_kkt():
    X, y = [[1, 2, 0], [0, 1, 1]], [1, 2]
    Sigma = sp.Matrix([[2, 0, 1], [0, 1, 0], [1, 0, 3]])
    prior = point_prior([3, -1, 2])
    b = sp.Matrix(best_interpolator(X, y, prior, Sigma))
    Xm = sp.Matrix(X)
    assert Xm * b == sp.Matrix(y)
    g = Sigma * (b - sp.Matrix(prior.mean))
    # g lies in the row space of X: [X^T | g] has the rank of X^T
    assert Xm.T.row_join(g).rank() == Xm.rank()


def test_best_interpolator_is_the_posterior_mean_when_it_interpolates():
    truth = [0, R(7, 5), 0, R(-3, 4), 0]
    y = [sum(a * b for a, b in zip(row, truth)) for row in X1]
    assert best_interpolator(X1, y, point_prior(truth)) == tuple(truth)
    assert best_interpolator(X1, y, sparse_posterior(X1, y, 2)) == tuple(truth)


def test_eta_star():
    X, beta = [[1, 2], [3, -1]], [1, -1]
    assert eta_star(X, beta) == 2 / least_sharpness(X, beta)
    # one sample, shared: S = 4 sum x_i^2 beta_i (R1)
    x, b = [1, R(1, 2)], [R(1, 2), 1]
    assert eta_star([x], b, "shared") == 2 / zero_loss_sharpness(x, 1, b)
    with pytest.raises(DomainError) as info:
        eta_star(X, [0, 0])
    assert info.value.argument == "beta"
    with pytest.raises(DomainError):
        eta_star([x], [1, -1], "shared")
