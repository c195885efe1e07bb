"""``gradient_descent_batch`` on the compiled float64 kernel against the numpy batch (issue 9).

The reference is the numpy batch (``engine="reference"``), one array per parameter block: on
the default instance (``d = 2``, dot products of two terms round alike) every row must be equal
bit for bit, statuses and steps included, across the whole learning-rate range of the sweep,
the chaotic band too; elsewhere the statuses must be equal and the numbers equal to rounding.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from numerics import DomainError, Problem, gradient_descent_batch
from numerics.sweep import eta_grid

DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100))


def test_the_default_sweep_grid_is_bitwise_the_numpy_batch():
    etas = eta_grid("0.3", "1.05", 31)
    a = gradient_descent_batch(DEFAULT, etas, 20000)
    b = gradient_descent_batch(DEFAULT, etas, 20000, engine="reference")
    assert a.engine == "compiled" and b.engine == "reference"
    assert a.status == b.status and np.array_equal(a.steps, b.steps)
    assert a.diverged_at == b.diverged_at
    for name in ("beta", "loss", "l1_norm", "param_norm_sq", "G_sum"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    assert all(np.array_equal(s, t) for s, t in zip(a.theta, b.theta))
    assert {"converged", "not_converged", "diverged"} <= set(a.status)
    # rows of the chaotic band left the full-precision range, and went on as numpy does
    left = [e for e, k in zip(etas, a.left_range_at) if k is not None]
    assert left and min(left) >= F(9, 10)
    assert all(k is None for k in b.left_range_at)


X3 = [[1, F(1, 2), F(1, 4), 2], [F(1, 2), 1, 1, F(1, 3)], [F(1, 4), F(1, 3), 2, 1]]
Y3 = [1, F(1, 2), F(3, 2)]


@pytest.mark.parametrize("param", ["shared", "product", "difference"])
def test_multi_sample_batches_match_the_numpy_batch(param):
    """n = 3, d = 4: the kernel sums dot products in index order, numpy's BLAS may not."""
    p = Problem(X3, Y3, F(1, 10), param=param)
    etas = [F(1, 10), F(3, 10), F(1, 2), F(9, 10), F(3, 2), 3]
    a = gradient_descent_batch(p, etas, 3000)
    b = gradient_descent_batch(p, etas, 3000, engine="reference")
    assert a.status == b.status and "diverged" in a.status
    live = [j for j, s in enumerate(a.status) if s == "converged"]  # not chaotic rows
    assert np.allclose(a.beta[live], b.beta[live], rtol=0, atol=1e-12)
    assert [int(a.steps[j]) for j in live] == [int(b.steps[j]) for j in live]


def test_callback_tolerances_and_errors():
    seen = []
    res = gradient_descent_batch(DEFAULT, [F(1, 10), F(3, 5)], 5000, check_every=8,
                                 callback=seen.append, tol=F(1, 10**20))
    assert seen and all(k % 512 == 0 for k in seen) and seen == sorted(seen)
    assert res.status == ["converged", "converged"]
    assert all(loss <= 1e-20 for loss in res.loss)
    with pytest.raises(DomainError, match="engine"):
        gradient_descent_batch(DEFAULT, [F(1, 10)], 10, engine="numba")
    tiny = Problem([1, F(1, 2**1000)], 1, F(1, 100))  # in float64's range, not the kernel's
    assert gradient_descent_batch(tiny, [F(1, 10)], 10).engine == "reference"
    with pytest.raises(DomainError, match="engine"):
        gradient_descent_batch(tiny, [F(1, 10)], 10, engine="compiled")


def test_repr_is_short():
    res = gradient_descent_batch(DEFAULT, eta_grid("0.1", "1.2", 200), 500)
    text = repr(res)
    assert len(text) < 200 and "200 learning rates" in text and "engine='compiled'" in text
