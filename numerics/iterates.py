"""The gradient-descent kernel, written once for every backend.

:func:`iterate` yields ``theta_k`` and its residual and gradient for ``k = 0, 1, ...`` in any
arithmetic of :mod:`numerics.backends` (the caller decides when to stop);
:func:`numerics.gd.gradient_descent` drives it to a verdict and
:func:`numerics.batch.gradient_descent_batch` runs the same step for many learning rates in
float64. Beside it: the initial state, the effective-initialisation gains, ``||theta||^2``, the
default tolerance, and the checks every driver applies to its arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .backends import Backend, get_backend
from .errors import DomainError
from .problem import Problem, as_fraction

__all__ = ["State", "iterate", "initial_state", "gains", "param_norm_sq", "default_tol",
           "check_eta", "check_steps", "check_float64", "magnitude", "FLOAT64_MIN",
           "FLOAT64_MAX"]

#: the smallest and largest magnitudes of a normal float64 number (as exact Fractions)
FLOAT64_MIN, FLOAT64_MAX = Fraction(2) ** -1022, Fraction(2) ** 1023


def default_tol(problem: Problem, dps: float) -> Fraction:
    """Default loss tolerance: ``|r| <= 10^-(dps-3) max(1, |y|)``, as a loss."""
    scale = max(Fraction(1), max(abs(v) for v in problem.y))
    rtol = Fraction(1, 10 ** int(dps - 3)) * scale if dps >= 4 else scale
    return rtol * rtol / 2


def initial_state(problem: Problem, backend: Backend, batch: int | None = None) -> tuple:
    """``theta_0`` at the backend's precision (``sqrt(2) alpha`` computed there), one array of
    length ``d`` per block, tiled to ``(batch, d)`` when ``batch`` is given."""
    P = problem.parametrisation
    values = P.initial_state(backend.scalar(problem.alpha), backend)
    out = []
    for value in values:
        v = np.array([value] * problem.d, dtype=backend.dtype)
        out.append(v if batch is None else np.tile(v, (batch, 1)))
    return tuple(out)


def gains(problem: Problem, backend: Backend, theta: tuple, G_sum) -> list:
    """``log(alpha_eff_i^2 / alpha^2)`` per coordinate (R7, E3):
    :meth:`theory.parametrisations.Parametrisation.gain` at the backend's precision."""
    P, a = problem.parametrisation, backend.scalar(problem.alpha)
    return [P.gain(tuple(t[i] for t in theta), G_sum[i], a, backend)
            for i in range(problem.d)]


def param_norm_sq(theta):
    """``||theta||_2^2`` (summed over the last axis)."""
    return sum((t * t).sum(axis=-1) for t in theta)


def check_eta(eta) -> Fraction | Callable:
    """A positive learning rate as a Fraction, or a schedule ``k -> eta_k`` as given."""
    if callable(eta):
        return eta
    e = as_fraction(eta, "eta")
    if e <= 0:
        raise DomainError("eta", eta, "a learning rate eta > 0 is required")
    return e


def check_float64(problem: Problem) -> None:
    """Refuse data that float64 cannot represent (overflow, or underflow of a non-zero value),
    naming the argument: a float64 run of such a problem would silently compute nonsense."""
    entries = [("alpha", problem.alpha)]
    entries += [(f"X[{i},{j}]", v) for i, row in enumerate(problem.X) for j, v in enumerate(row)]
    entries += [(f"y[{i}]", v) for i, v in enumerate(problem.y)]
    entries += [(f"beta_star[{i}]", v) for i, v in enumerate(problem.beta_star or ())]
    for name, v in entries:
        if v != 0 and not FLOAT64_MIN <= abs(v) <= FLOAT64_MAX:
            raise DomainError(name, magnitude(v), "a value within float64's range "
                              "(1e-308 < |v| < 1e308) for a float64 run; use a multiprecision "
                              "backend (mpmath or flint)")


def magnitude(v: Fraction) -> str:
    """``"about 1e-400"``: the order of magnitude of a Fraction of any size."""
    e = math.floor(math.log10(abs(v.numerator)) - math.log10(v.denominator))
    return f"{'-' if v < 0 else ''}about 1e{e}"


def check_steps(steps, name="steps") -> int:
    """A non-negative integer count, naming ``name`` when it is not one."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise DomainError(name, steps, "a non-negative integer is required")
    return int(steps)


@dataclass
class State:
    """One GD iterate as the generator yields it (backend numbers; valid inside the scope)."""

    k: int
    theta: tuple
    beta: np.ndarray
    r: np.ndarray
    g: np.ndarray
    G_sum: np.ndarray


def iterate(problem: Problem, eta, *, backend: Backend | str = "float64", dps=None,
            theta0: tuple | None = None, start: int = 0, G_sum0=None,
            track_G_sum: bool | None = None) -> Iterator[State]:
    """Yield ``State`` for ``k = start, start + 1, ...``: ``theta_{k+1} = theta_k - eta_k grad L``.

    ``eta`` is a positive number or a callable ``k -> eta_k`` (a schedule). ``r`` and ``g`` are
    those of ``theta_k``; ``G_sum = sum_{j<k} eta_j g_j``, kept up to date when
    ``track_G_sum`` (default: for the shared parametrisation, whose gain needs it). ``theta0``
    (tuple of sequences of Fractions or backend numbers), ``start`` and ``G_sum0`` resume a run
    exactly. The backend's precision is entered around each step's arithmetic and never held
    across ``yield``: arithmetic on the yielded numbers belongs inside ``backend.scope()``.
    """
    be = backend if isinstance(backend, Backend) else get_backend(backend, dps)
    eta = check_eta(eta)
    P = problem.parametrisation
    if track_G_sum is None:
        track_G_sum = P.tracks_G_sum
    with be.scope():
        Xd = be.data(problem.X)
        y = be.vector(problem.y)
        inv_n = be.scalar(Fraction(1, problem.n))
        if theta0 is None:
            theta = initial_state(problem, be)
        else:
            theta = tuple(be.vector(t) if _fractions(t) else np.asarray(t, dtype=be.dtype)
                          for t in theta0)
        const = None if callable(eta) else be.scalar(eta)
        if G_sum0 is None:
            G_sum = np.array([be.scalar(0)] * problem.d, dtype=be.dtype)
        else:
            G_sum = be.vector(G_sum0) if _fractions(G_sum0) else np.asarray(G_sum0, be.dtype)
    k = start
    while True:
        with be.scope():
            beta = P.beta(theta)
            r = be.matvec(Xd, beta) - y
            g = be.rmatvec(Xd, r) * inv_n
        yield State(k, theta, beta, r, g, G_sum)
        with be.scope():
            e = const if const is not None else be.scalar(as_fraction(eta(k), f"eta({k})"))
            theta = tuple(be.clean(t) for t in P.step(theta, g, e))
            if track_G_sum:
                G_sum = be.clean(G_sum + e * g)
        k += 1


def _fractions(values) -> bool:
    return all(isinstance(v, (Fraction, int)) for v in values)
