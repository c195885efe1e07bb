"""Python side of the compiled GD kernels: build a run's state, advance it, read it exactly.

>>> from fractions import Fraction
>>> from numerics.problem import Problem
>>> p = Problem([1, Fraction(1, 2)], 1, Fraction(1, 100))
>>> s = prepare(p, [Fraction(1, 10), 3], 1000, fmt="dd")
>>> run(s)   # rows still running
0
>>> s.statuses, s.theta.shape   # eta = 1/10 is stable here, eta = 3 is not
(['converged', 'diverged'], (2, 1, 2, 2))

Layout (``B`` rows = learning rates, ``L`` limbs: 1 float64, 2 dd, 4 qd; limbs last):

* ``theta`` ``(B, blocks, d, L)``: blocks ``(w,)`` (shared) or ``(u, v)``, each value
  ``theta * 2^scale`` with ``scale`` ``(B, blocks, d)`` int64 (0 but for the scaled coordinates
  of :mod:`numerics.kernels.gd`: shared ``D = 2`` and difference, far below float64's range);
* ``G_sum`` ``(B, d, L)``: ``sum_{j<k} eta g_j`` (kept if ``track_G_sum``);
* ``beta``, ``g`` ``(B, d, L)`` and ``r = X beta - y`` ``(B, n, L)``: at each row's current
  ``theta`` (after a run; a scaled coordinate's ``beta`` term is left out, 0 here);
* ``status`` ``(B,)`` int8: 0 running, 1 converged, 2 diverged, 3 not_converged, 4 range
  (names in :data:`numerics.kernels.gd.STATUS_NAMES`);
* ``k`` ``(B,)`` int64: the step of ``theta`` (the finishing step once a row is done);
* ``below`` ``(B,)`` int64: consecutive checks with ``max |r_i| <= rtol``;
* ``checked`` ``(B,)`` bool: the checks at step ``k`` are done (a paused row).

``run(state, k_until)`` advances every running row to step ``k_until`` (default: the budget
``steps``) or until it finishes, in one compiled call; call it again with a later ``k_until``
to resume (recording points, stopping checks, a progress callback between calls).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from ..errors import DomainError
from ..iterates import default_tol
from ..problem import Problem, as_fraction
from .convert import (
    FORMAT_DPS,
    HUGE,
    limbs_of,
    limbs_to_fractions,
    sqrt_limbs,
    sqrt_to_float,
    tiny,
    to_limbs,
    vector_to_limbs,
)
from .gd import DIFFERENCE, LOW, PRODUCT, SHARED, SHIFT, STATUS_NAMES, run_rows

__all__ = ["GDState", "prepare", "run", "PROTOTYPES", "initial_limbs"]

#: the prototype number of each limb count (selects the compiled specialisation)
PROTOTYPES = {1: 0.0, 2: (0.0, 0.0), 4: (0.0, 0.0, 0.0, 0.0)}
_KIND = {"shared": SHARED, "product": PRODUCT, "difference": DIFFERENCE}


@dataclass
class GDState:
    """Everything a kernel run needs, in preallocated arrays (see the module docstring)."""

    fmt: str
    L: int
    param: str
    depth: int
    n: int
    d: int
    etas: tuple
    X: np.ndarray
    XT: np.ndarray
    y: np.ndarray
    inv_n: np.ndarray
    eta: np.ndarray
    theta: np.ndarray
    scale: np.ndarray
    G_sum: np.ndarray
    status: np.ndarray
    k: np.ndarray
    below: np.ndarray
    checked: np.ndarray
    beta: np.ndarray
    r: np.ndarray
    g: np.ndarray
    steps: int
    check_every: int
    patience: int
    stop_at_convergence: bool
    track_G_sum: bool
    rtol: float
    r_max: float
    #: ``log2(d max|X|)`` rounded up, plus ``53 L + 32``: the margin of the terms left out
    dx_bits: int = 0

    @property
    def B(self) -> int:
        return len(self.etas)

    @property
    def statuses(self) -> list:
        """Status names per row."""
        return [STATUS_NAMES[c] for c in self.status]

    def theta_fractions(self, row: int) -> tuple:
        """``theta`` of ``row`` as a tuple of blocks of exact Fractions (scales applied)."""
        return tuple(tuple(scaled_fractions(block, scale))
                     for block, scale in zip(self.theta[row], self.scale[row]))

    #: the arrays with one entry per row
    PER_ROW = ("eta", "theta", "scale", "G_sum", "status", "k", "below", "checked", "beta", "r",
               "g")

    def row(self, b: int) -> GDState:
        """Row ``b`` as a one-row state of its own (copies of its arrays)."""
        return replace(self, etas=(self.etas[b],),
                       **{f: getattr(self, f)[b:b + 1].copy() for f in self.PER_ROW})

    def put_row(self, b: int, one: GDState) -> None:
        """Write the one-row state ``one`` back as row ``b``."""
        for f in self.PER_ROW:
            getattr(self, f)[b] = getattr(one, f)[0]

    def values(self, name: str, row: int) -> tuple:
        """Exact values of ``"G_sum"``, ``"beta"``, ``"r"`` or ``"g"`` of ``row``."""
        if name not in ("G_sum", "beta", "r", "g"):
            raise DomainError("name", name, "one of G_sum, beta, r, g")
        return tuple(limbs_to_fractions(getattr(self, name)[row]))


class _Root:
    """``sign sqrt(square)``: an irrational value of an initial state, kept exact."""

    def __init__(self, square: Fraction, sign: int = 1):
        self.square, self.sign = square, sign

    def __mul__(self, other):
        other = Fraction(other)
        return _Root(self.square * other * other, self.sign * (1 if other >= 0 else -1))

    __rmul__ = __mul__

    def limbs(self, L: int) -> tuple:
        return tuple(self.sign * v for v in sqrt_limbs(self.square, L, "theta_0"))


class _Exact:
    """The ``ops`` of :meth:`theory.parametrisations.Parametrisation.initial_state` in exact
    numbers: Fractions, and square roots as :class:`_Root`."""

    scalar = staticmethod(Fraction)

    @staticmethod
    def sqrt(value):
        return _Root(Fraction(value))


def initial_limbs(problem: Problem, L: int) -> list:
    """``theta_0`` of one coordinate as ``L`` limbs per block, each greedily rounded from the
    exact real (:meth:`~theory.parametrisations.Parametrisation.initial_state` evaluated
    exactly)."""
    values = problem.parametrisation.initial_state(Fraction(problem.alpha), _Exact)
    return [v.limbs(L) if isinstance(v, _Root) else to_limbs(v, L, "theta_0") for v in values]


def scaled_fractions(limbs, scale) -> list:
    """Exact values of a ``(d, L)`` limbs array times ``2^scale`` (``(d,)``)."""
    return [v * Fraction(2) ** int(e) if e else v
            for v, e in zip(limbs_to_fractions(limbs), scale)]


def scaled_limbs(values, L: int, name: str, scaled: bool) -> tuple:
    """``(limbs (len, L), scale (len,))`` of exact values: a value below ``2^-LOW`` in
    magnitude is stored times ``2^(SHIFT m)`` with ``scale = -SHIFT m`` (the least ``m``
    lifting it to ``2^-LOW`` or above) when ``scaled``; :func:`to_limbs` otherwise."""
    limbs = np.zeros((len(values), L))
    scale = np.zeros(len(values), dtype=np.int64)
    low = Fraction(1, 2**LOW)
    for i, v in enumerate(values):
        q = as_fraction(v, name)
        m = 0
        while scaled and q != 0 and abs(q) * Fraction(2) ** (SHIFT * m) < low:
            m += 1
        limbs[i] = to_limbs(q * Fraction(2) ** (SHIFT * m), L, f"{name}[{i}]")
        scale[i] = -SHIFT * m
    return limbs, scale


def _positive(value, name: str) -> Fraction:
    v = as_fraction(value, name)
    if v <= 0:
        raise DomainError(name, value, "a learning rate eta > 0 is required")
    return v


def _whole(value, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise DomainError(name, value, f"an integer >= {least} is required")
    return int(value)


def prepare(problem: Problem, etas, steps: int, *, fmt: str = "dd", tol=None, patience: int = 3,
            r_max=None, check_every: int = 1, stop_at_convergence: bool = True,
            track_G_sum: bool | None = None, theta0=None, G_sum0=None,
            start: int = 0) -> GDState:
    """The state of GD on ``problem`` for each learning rate in ``etas``, before step ``start``.

    Parameters mirror :func:`numerics.gd.gradient_descent` (single runs: ``check_every=1``) and
    :func:`numerics.gd.gradient_descent_batch` (``check_every=16``): ``tol`` is the loss
    tolerance (default :func:`numerics.gd.default_tol` at the format's digits), compared as
    ``max |r_i| <= rtol = sqrt(2 tol)``; ``r_max`` the divergence bound on ``|r_i|`` (default
    ``1e8 max(1, |y|)``). ``theta0`` (a tuple of blocks of exact values) and ``G_sum0`` resume
    every row from the same exact state at step ``start``; by default ``theta_0`` is the
    parametrisation's initialisation, greedily rounded from the exact reals
    (:mod:`numerics.kernels.convert`). All data must lie in the format's full-precision range.
    """
    L = limbs_of(fmt)
    steps = _whole(steps, "steps", 0)
    start = _whole(start, "start", 0)
    patience = _whole(patience, "patience", 1)
    check_every = _whole(check_every, "check_every", 1)
    etas = tuple(_positive(e, "eta") for e in np.atleast_1d(np.asarray(etas, dtype=object)))
    B, n, d = len(etas), problem.n, problem.d
    blocks = problem.k
    if track_G_sum is None:
        track_G_sum = problem.parametrisation.tracks_G_sum
    tol = default_tol(problem, FORMAT_DPS[fmt]) if tol is None else as_fraction(tol, "tol")
    if tol <= 0:
        raise DomainError("tol", tol, "tol > 0 is required")
    scale = max(Fraction(1), max(abs(v) for v in problem.y))
    r_max = Fraction(10**8) * scale if r_max is None else as_fraction(r_max, "r_max")

    X, dx_bits = _data_limbs(problem, L)
    theta = np.zeros((B, blocks, d, L))
    scale = np.zeros((B, blocks, d), dtype=np.int64)
    scaled = problem.param == "difference" or (problem.param == "shared" and problem.depth == 2)
    if theta0 is None:
        to_limbs(problem.alpha, L, "alpha")  # in range (else a clear error naming alpha)
        for blk, limbs in enumerate(initial_limbs(problem, L)):
            theta[:, blk, :, :] = limbs
    else:
        if len(theta0) != blocks or any(len(t) != d for t in theta0):
            raise DomainError("theta0", theta0, f"{blocks} block(s) of {d} values")
        for blk, values in enumerate(theta0):
            theta[:, blk], scale[:, blk] = scaled_limbs(list(values), L, "theta0", scaled)
    G = np.zeros((B, d, L))
    if G_sum0 is not None:
        G[:] = vector_to_limbs([as_fraction(v, "G_sum0") for v in G_sum0], L, "G_sum0")
    return GDState(
        fmt=fmt, L=L, param=problem.param, depth=problem.depth, n=n, d=d, etas=etas,
        X=X, XT=np.ascontiguousarray(X.transpose(1, 0, 2)),
        y=vector_to_limbs(problem.y, L, "y"), inv_n=np.array([to_limbs(Fraction(1, n), L)]),
        eta=vector_to_limbs(etas, L, "eta"), theta=theta, scale=scale, G_sum=G,
        status=np.zeros(B, dtype=np.int8), k=np.full(B, start, dtype=np.int64),
        below=np.zeros(B, dtype=np.int64), checked=np.zeros(B, dtype=np.bool_),
        beta=np.zeros((B, d, L)), r=np.zeros((B, n, L)), g=np.zeros((B, d, L)),
        steps=steps, check_every=check_every, patience=patience,
        stop_at_convergence=bool(stop_at_convergence), track_G_sum=bool(track_G_sum),
        rtol=sqrt_to_float(2 * tol), r_max=float(r_max) if r_max < 2**1023 else np.inf,
        dx_bits=dx_bits)


#: ``(problem, L) -> (X limbs, dx_bits)`` of recent problems (a problem's data never change)
_DATA: dict = {}


def _data_limbs(problem: Problem, L: int) -> tuple:
    """``X`` as ``(n, d, L)`` limbs and the margin ``dx_bits`` of the terms left out, converted
    once per problem (kept while the problem lives; keyed by identity)."""
    key = (id(problem), L)
    hit = _DATA.get(key)
    if hit is not None and hit[0]() is problem:
        return hit[1], hit[2]
    X = np.array([vector_to_limbs(row, L, f"X[{i}]") for i, row in enumerate(problem.X)])
    dx_bits = _bits(problem.d * max(abs(v) for row in problem.X for v in row)) + 53 * L + 32
    if len(_DATA) > 32:
        _DATA.clear()
    _DATA[key] = (weakref.ref(problem), X, dx_bits)
    return X, dx_bits


def _bits(q: Fraction) -> int:
    """An integer ``>= log2(q)`` for ``q > 0``."""
    return q.numerator.bit_length() - q.denominator.bit_length() + 1


def run(state: GDState, k_until: int | None = None, *, range_check: bool = True,
        scaled: bool = True) -> int:
    """Advance every running row of ``state`` to step ``k_until`` (default ``state.steps``,
    at most ``state.steps``) or until it finishes; returns the number of rows still running.

    ``scaled=False`` keeps the values unscaled (those leaving the range stop the row);
    ``range_check=False`` (float64 only) runs plain IEEE arithmetic: no status ``range``, no
    scaled coordinates, gradual underflow and overflow as numpy has them."""
    if not range_check and state.L != 1:
        raise DomainError("range_check", range_check, "True for dd and qd (their lower limbs "
                          "lose bits outside the range)")
    k_until = state.steps if k_until is None else _whole(k_until, "k_until", 0)
    k_until = min(k_until, state.steps)
    s, L = state, state.L
    moving = s.k[s.status == 0]
    if len(moving) == 0:
        return 0
    if np.any(moving != moving[0]):  # pragma: no cover - prepare starts all rows together
        raise DomainError("state.k", s.k, "all running rows at the same step")
    return run_rows(
        _KIND[s.param], s.depth, s.track_G_sum, s.n, s.d, s.X.reshape(-1, L),
        s.XT.reshape(-1, L), s.y, s.inv_n, s.eta, s.theta.reshape(-1, L), s.scale.reshape(-1),
        scaled and range_check, s.dx_bits, s.G_sum.reshape(-1, L), s.status, s.k, s.below,
        s.checked, s.beta.reshape(-1, L),
        s.r.reshape(-1, L), s.g.reshape(-1, L), int(moving[0]), s.steps, k_until, s.check_every,
        s.patience, s.stop_at_convergence, s.rtol, s.r_max,
        tiny(L) if range_check else 0.0, HUGE if range_check else np.inf, PROTOTYPES[L])
