"""Sampling the priors (numerics.population) against theory's exact expectations.

Independent routes: theory.expected_risk with the exact moments of the priors (sparse_prior,
gaussian_prior) and enumeration of every sparse configuration.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations, product

import pytest

from numerics.errors import DomainError
from numerics.population import monte_carlo_risk, sample_gaussian, sample_sparse
from theory import expected_risk, gaussian_prior, sparse_prior


def test_monte_carlo_over_every_configuration_is_the_exact_expectation():
    d, s, m = 4, 2, F(3, 2)
    confs = []
    for T in combinations(range(d), s):
        for signs in product((1, -1), repeat=s):
            b = [F(0)] * d
            for i, e in zip(T, signs):
                b[i] = e * m
            confs.append(tuple(b))
    beta = [F(1, 2), 0, F(-1, 3), 1]
    mean, _ = monte_carlo_risk(beta, confs, sigma2=F(1, 10))
    exact = expected_risk(beta, sparse_prior(d, s, m), sigma2=F(1, 10))
    assert mean == F(int(exact.p), int(exact.q))


@pytest.mark.parametrize("magnitude", [None, 1])
def test_sparse_draws_match_the_prior(magnitude):
    draws = sample_sparse(6, 2, 3000, seed=5, magnitude=magnitude)
    assert all(sum(1 for b in t if b) == 2 for t in draws)
    beta = [1, 0, 0, F(1, 2), 0, 0]
    mean, se = monte_carlo_risk(beta, draws)
    # E m^2: 1, or the mean of (k / 10^4)^2 over the grid k = 5000 .. 14999 of [1/2, 3/2)
    m2 = F(1) if magnitude else sum(F(k, 10**4) ** 2 for k in range(5000, 15000)) / 10**4
    exact = expected_risk(beta, gaussian_prior([0] * 6, [[m2 * F(2, 6) * (i == j)
                                                           for j in range(6)]
                                                          for i in range(6)]))
    assert abs(float(mean) - float(exact)) < 5 * se


def test_gaussian_draws_match_the_prior():
    mean = [1, -1, 0]
    cov = [[2, 1, 0], [1, 2, 0], [0, 0, 0]]  # singular, like a conditioned prior
    draws = sample_gaussian(mean, cov, 3000, seed=2)
    assert all(t[2] == 0 for t in draws)
    beta = [0, 0, 1]
    est, se = monte_carlo_risk(beta, draws)
    exact = expected_risk(beta, gaussian_prior(mean, cov))
    assert abs(float(est) - float(exact)) < 5 * se


def test_sampling_is_reproducible_and_validated():
    assert sample_sparse(5, 2, 4, seed=3) == sample_sparse(5, 2, 4, seed=3)
    assert sample_gaussian([0, 0], [[1, 0], [0, 1]], 3, seed=1) == sample_gaussian(
        [0, 0], [[1, 0], [0, 1]], 3, seed=1)
    for call, arg in [(lambda: sample_sparse(5, 6, 1, seed=0), "sparsity"),
                      (lambda: sample_sparse(5, 2, 0, seed=0), "count"),
                      (lambda: sample_sparse(5, 2, 1, seed=-1), "seed"),
                      (lambda: sample_gaussian([0], [[-1]], 1, seed=0), "cov"),
                      (lambda: monte_carlo_risk([0], []), "truths")]:
        with pytest.raises(DomainError) as info:
            call()
        assert info.value.argument == arg
