r"""Sampling the priors of :mod:`theory.population`: seeded draws of the ground truth and Monte
Carlo risks with their standard errors.

Statement
---------
For draws ``beta*_1, ..., beta*_N`` of a prior, the Monte Carlo risk of a regressor is

.. math:: \hat R(\beta) = \frac1N \sum_k (\beta - \beta^*_k)^\top \Sigma (\beta - \beta^*_k)
          + \sigma^2,

an unbiased estimate of the expected risk (:func:`theory.expected_risk`), returned exactly (a
Fraction, the draws being exact) with its standard error ``sd / sqrt(N)`` (a float). Use it
where theory's exact expectation is out of reach (a posterior over too many sparse
configurations); where theory has it, theory's value is the one to report.

Draws: :func:`sample_sparse` uses the instances' stream (:mod:`numerics.instances`: PCG64 raw
words, exact transformations), so a seed gives the same truths on every machine;
:func:`sample_gaussian` draws ``mean + V sqrt(Lambda) z`` from the eigendecomposition of the
covariance (float64, then the exact value of each float), ``z`` from the same stream.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .errors import DomainError
from .instances import SIGNS, _Stream, _whole, sparse_truth
from .problem import as_fraction

__all__ = ["sample_sparse", "sample_gaussian", "monte_carlo_risk"]


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DomainError(name, value, "an integer >= 1 is required")
    return int(value)


def sample_sparse(d: int, sparsity: int, count: int, *, seed: int, magnitude=None,
                  signs: str = "random", decimals: int = 4) -> list:
    """``count`` draws of the ``s``-sparse prior (uniform support, signs as ``signs``,
    magnitudes ``magnitude`` or uniform on the grid of ``[1/2, 3/2)`` with ``decimals``
    digits), each a tuple of Fractions.

    Examples
    --------
    >>> draws = sample_sparse(5, 2, 3, seed=1, magnitude=1)
    >>> [sum(1 for b in beta if b) for beta in draws], draws == sample_sparse(
    ...     5, 2, 3, seed=1, magnitude=1)
    ([2, 2, 2], True)
    """
    d, count = _count(d, "d"), _count(count, "count")
    if isinstance(sparsity, bool) or not isinstance(sparsity, int) or not 0 <= sparsity <= d:
        raise DomainError("sparsity", sparsity, f"an integer 0 <= s <= d = {d}")
    if signs not in SIGNS:
        raise DomainError("signs", signs, f"one of {', '.join(SIGNS)}")
    if magnitude is not None and as_fraction(magnitude, "magnitude") <= 0:
        raise DomainError("magnitude", magnitude, "magnitude > 0")
    rs = _Stream(_whole(seed, "seed", 0))
    return [tuple(sparse_truth(rs, d, sparsity, signs, 10 ** int(decimals), magnitude))
            for _ in range(count)]


def sample_gaussian(mean, cov, count: int, *, seed: int) -> list:
    """``count`` draws of ``N(mean, cov)`` (``cov`` positive semidefinite; a conditioned
    prior's singular covariance is fine), each a tuple of Fractions (exact values of the
    float64 draws)."""
    import mpmath

    mu = np.array([float(as_fraction(v, "mean")) for v in mean])
    C = np.array([[float(as_fraction(v, "cov")) for v in row] for row in cov])
    if C.shape != (len(mu), len(mu)):
        raise DomainError("cov", C.shape, f"a {len(mu)} x {len(mu)} matrix")
    lam, V = np.linalg.eigh((C + C.T) / 2)
    if lam.min(initial=0) < -1e-12 * max(1.0, float(abs(lam).max(initial=0))):
        raise DomainError("cov", f"eigenvalue {lam.min():.3g}", "positive semidefinite")
    L = V * np.sqrt(np.maximum(lam, 0))
    ctx = mpmath.MPContext()
    ctx.prec = 96
    rs = _Stream(_whole(seed, "seed", 0))
    out = []
    for _ in range(_count(count, "count")):
        z = np.array([float(rs.normal(ctx, 10**12)) for _ in range(len(mu))])
        out.append(tuple(Fraction(float(v)) for v in mu + L @ z))
    return out


def monte_carlo_risk(beta, truths, Sigma=None, sigma2=0) -> tuple[Fraction, float]:
    """``(mean, standard error)`` of ``(beta - beta*)^T Sigma (beta - beta*) + sigma2`` over
    the draws ``truths`` (module notes); the mean is exact.

    Examples
    --------
    >>> monte_carlo_risk([0, 0], [(1, 0), (0, 1), (1, 1)])
    (Fraction(4, 3), 0.3333333333333333)
    """
    b = [as_fraction(v, f"beta[{i}]") for i, v in enumerate(beta)]
    d = len(b)
    S = None if Sigma is None else [[as_fraction(v, "Sigma") for v in row] for row in Sigma]
    s2 = as_fraction(sigma2, "sigma2")
    risks = []
    for t in truths:
        e = [bi - as_fraction(ti, "truths") for bi, ti in zip(b, t, strict=True)]
        q = sum(v * v for v in e) if S is None else sum(
            e[i] * S[i][j] * e[j] for i in range(d) for j in range(d))
        risks.append(q + s2)
    if not risks:
        raise DomainError("truths", truths, "at least one draw")
    mean = sum(risks) / len(risks)
    var = sum((float(r - mean)) ** 2 for r in risks) / max(1, len(risks) - 1)
    return mean, math.sqrt(var / len(risks))
