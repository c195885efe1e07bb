"""float64 gradient descent for many learning rates at once, in one array.

The same step as :func:`numerics.iterates.iterate`, vectorised over a batch axis of learning
rates; finished rows (converged or diverged) leave the active set. The learning-rate sweep
(:mod:`numerics.sweep`) runs its grid through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .backends import get_backend
from .iterates import (
    check_eta,
    check_float64,
    check_steps,
    default_tol,
    initial_state,
    param_norm_sq,
)
from .problem import Problem, as_fraction

__all__ = ["BatchResult", "gradient_descent_batch"]


@dataclass
class BatchResult:
    """float64 GD for many learning rates at once (arrays indexed by learning rate)."""

    eta: np.ndarray
    status: list
    steps: np.ndarray
    diverged_at: list
    beta: np.ndarray
    theta: tuple
    loss: np.ndarray
    l1_norm: np.ndarray
    param_norm_sq: np.ndarray
    G_sum: np.ndarray


def gradient_descent_batch(problem: Problem, etas, steps: int, *, tol=None, patience: int = 3,
                           r_max=None, check_every: int = 16,
                           callback: Callable[[int], None] | None = None) -> BatchResult:
    """float64 GD for all ``etas`` in one ``(B, d)`` array per parameter block.

    Rows that converge (loss ``<= tol`` for ``patience`` checks spaced ``check_every`` steps
    apart... i.e. at ``patience`` consecutive checks) or diverge are frozen and dropped from the
    active set, so finished learning rates cost nothing. Same statuses as
    :func:`gradient_descent`; ``steps`` is exact for divergence and rounded up to the check
    grid for convergence.
    """
    steps = check_steps(steps)
    etas = np.asarray([float(check_eta(e)) for e in np.atleast_1d(etas)], dtype=float)
    check_float64(problem)
    B = len(etas)
    be = get_backend("float64")
    fl = problem.floats()
    X, y = fl["X"], fl["y"]
    n = problem.n
    tol = float(default_tol(problem, be.dps) if tol is None else as_fraction(tol, "tol"))
    rtol = math.sqrt(2 * tol)
    scale = max(1.0, float(np.max(np.abs(y))))
    r_max = 1e8 * scale if r_max is None else float(r_max)
    theta = initial_state(problem, be, batch=B)
    P = problem.parametrisation
    G = np.zeros((B, problem.d))
    active = np.arange(B)
    status = ["not_converged"] * B
    done_steps = np.full(B, steps)
    diverged_at: list = [None] * B
    below = np.zeros(B, dtype=int)
    out_theta = tuple(np.array(t) for t in theta)
    out_G = np.zeros((B, problem.d))
    th = theta
    eta_col = etas[:, None]
    k = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while k <= steps and len(active):
            beta = P.beta(th)
            r = beta @ X.T - y
            if np.abs(r).max() <= r_max:  # one reduction; nan and inf fail it too
                bad = np.zeros(len(active), dtype=bool)
                any_bad = False
            else:
                bad = ~np.isfinite(r).all(axis=1) | (np.abs(r).max(axis=1) > r_max)
                any_bad = bool(bad.any())
            if k % check_every == 0 or k == steps or any_bad:
                ok = np.abs(r).max(axis=1) <= rtol
                if k % check_every == 0 or k == steps:
                    below = np.where(ok, below + 1, 0)
                finished = bad | (below >= patience)
                if finished.any():
                    for idx in np.nonzero(finished)[0]:
                        j = active[idx]
                        status[j] = "diverged" if bad[idx] else "converged"
                        done_steps[j] = k
                        diverged_at[j] = k if bad[idx] else None
                        for o, t in zip(out_theta, th):
                            o[j] = t[idx]
                        out_G[j] = G[idx]
                    keep = ~finished
                    active = active[keep]
                    th = tuple(t[keep] for t in th)
                    G, eta_col, below = G[keep], eta_col[keep], below[keep]
                    if not len(active):
                        break
                    beta = beta[keep]
                    r = r[keep]
                if callback is not None and k % (check_every * 64) == 0:
                    callback(k)
            if k == steps:
                break
            g = (r @ X) / n
            th = P.step(th, g, eta_col)
            G = G + eta_col * g
            k += 1
    for idx, j in enumerate(active):
        for o, t in zip(out_theta, th):
            o[j] = t[idx]
        out_G[j] = G[idx]
    beta = P.beta(out_theta)
    with np.errstate(over="ignore", invalid="ignore"):
        r = beta @ X.T - y
        loss = (r * r).sum(axis=1) / (2 * n)
        l1 = np.abs(beta).sum(axis=1)
        pn = param_norm_sq(out_theta)
    return BatchResult(etas, status, done_steps, diverged_at, beta, out_theta, loss, l1, pn,
                       out_G)
