"""float64 gradient descent for many learning rates at once.

:func:`gradient_descent_batch` runs every learning rate of a batch on the compiled float64
kernel (:mod:`numerics.kernels`: all rows in lockstep, finished rows frozen), with the
statuses and stopping rules of the reference, the same step vectorised over a batch axis in
numpy (``engine="reference"``). The learning-rate sweep (:mod:`numerics.sweep`) runs its grid
through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .backends import get_backend
from .errors import DomainError
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
    """float64 GD for many learning rates at once (arrays indexed by learning rate).

    ``left_range_at[j]``: the step at which row ``j``'s values left the range where float64
    has full precision (``None`` if they never did; from there the row ran in IEEE
    arithmetic, with gradual underflow); ``engine``: ``"compiled"`` or ``"reference"``.
    """

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
    left_range_at: list = field(default_factory=list)
    engine: str = "reference"

    def __repr__(self) -> str:
        counts = ", ".join(f"{s}={self.status.count(s)}" for s in
                           ("converged", "not_converged", "diverged") if s in self.status)
        eta = f"{self.eta.min():.6g}..{self.eta.max():.6g}" if len(self.eta) else "none"
        left = sum(v is not None for v in self.left_range_at)
        return (f"BatchResult({len(self.eta)} learning rates in [{eta}], {counts}, "
                f"steps<={int(self.steps.max()) if len(self.steps) else 0}, "
                f"engine={self.engine!r}" + (f", left_range={left}" if left else "") + ")")


def gradient_descent_batch(problem: Problem, etas, steps: int, *, tol=None, patience: int = 3,
                           r_max=None, check_every: int = 16,
                           callback: Callable[[int], None] | None = None,
                           engine: str = "auto") -> BatchResult:
    """float64 GD for all ``etas`` at once.

    Rows that converge (every ``|r_i| <= sqrt(2 tol)`` at ``patience`` consecutive checks,
    spaced ``check_every`` steps apart) or diverge are frozen, so finished learning rates cost
    nothing. Same statuses as :func:`gradient_descent`; ``steps`` is exact for divergence and
    rounded up to the check grid for convergence. ``callback(k)`` is called every
    ``64 check_every`` steps.

    ``engine``: ``"auto"`` (the compiled float64 kernel when the data, ``alpha`` and the
    ``etas`` lie in float64's full-precision range, else numpy), ``"compiled"`` or
    ``"reference"`` (one ``(B, d)`` numpy array per parameter block). The kernel sums dot
    products in index order, numpy's BLAS may not: for ``d > 2`` rows can differ by rounding
    (and chaotic rows by more). A row whose values leave the full-precision range (a
    coordinate decaying below ``2^-969``) is recorded in :attr:`BatchResult.left_range_at`
    and goes on in IEEE arithmetic, as numpy's does: the batch is float64 by definition, a
    survey whose digits nobody has audited (:func:`numerics.audited_gd` audits a point, and
    goes on in Arb instead).
    """
    steps = check_steps(steps)
    fractions = [check_eta(e) for e in np.atleast_1d(np.asarray(etas, dtype=object))]
    etas = np.asarray([float(e) for e in fractions], dtype=float)
    check_float64(problem)
    if engine not in ("auto", "compiled", "reference"):
        raise DomainError("engine", engine, "one of auto, compiled, reference")
    if engine != "reference":
        from .kernels.driver import fits_problem

        fits = fits_problem(problem, "float64", fractions)
        if fits:
            return _compiled(problem, fractions, etas, steps, tol, patience, r_max,
                             check_every, callback)
        if engine == "compiled":
            raise DomainError("engine", engine, "data, alpha and etas within float64's "
                              "full-precision range, or engine='reference'")
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
    return _result(problem, etas, status, done_steps, diverged_at, out_theta, out_G,
                   [None] * B, "reference")


def _result(problem, etas, status, done_steps, diverged_at, theta, G, left, engine):
    """The :class:`BatchResult` of final states (``beta``, loss and norms computed here)."""
    P = problem.parametrisation
    fl = problem.floats()
    beta = P.beta(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        r = beta @ fl["X"].T - fl["y"]
        loss = (r * r).sum(axis=1) / (2 * problem.n)
        l1 = np.abs(beta).sum(axis=1)
        pn = param_norm_sq(theta)
    return BatchResult(etas, status, done_steps, diverged_at, beta, theta, loss, l1, pn, G,
                       left, engine)


def _compiled(problem, fractions, etas, steps, tol, patience, r_max, check_every, callback):
    """The batch on the compiled float64 kernel (see :func:`gradient_descent_batch`)."""
    from .kernels.driver import load_kernels
    from .kernels.gd import DIVERGED, RANGE, STATUS_NAMES
    from .kernels.state import prepare, run

    load_kernels("float64")
    st = prepare(problem, fractions, steps, fmt="float64", tol=tol, patience=patience,
                 r_max=r_max, check_every=check_every, track_G_sum=True)
    k, chunk = 0, 64 * check_every
    while run(st, min(steps, (k // chunk + 1) * chunk), scaled=False):
        k = int(st.k[st.status == 0][0])
        if callback is not None:
            callback(k)
    left = [None] * len(etas)
    for b in np.nonzero(st.status == RANGE)[0]:
        # IEEE float64 from here, as the reference batch (numpy) computes it
        left[b] = int(st.k[b])
        one = st.row(b)
        one.status[0], one.checked[0] = 0, False
        run(one, range_check=False)
        st.put_row(b, one)
    status = [STATUS_NAMES[c] for c in st.status]
    diverged_at = [int(k) if c == DIVERGED else None for k, c in zip(st.k, st.status)]
    theta = tuple(np.ascontiguousarray(st.theta[:, blk, :, 0]) for blk in range(problem.k))
    return _result(problem, etas, status, st.k.astype(int), diverged_at, theta,
                   np.ascontiguousarray(st.G_sum[:, :, 0]), left, "compiled")
