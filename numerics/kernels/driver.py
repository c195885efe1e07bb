"""One gradient-descent run on a compiled kernel, with the bookkeeping of the reference driver.

:func:`run_compiled` advances a run of :func:`numerics.gd.gradient_descent` on the kernel of its
format (``float64``, ``dd``, ``qd``) with the reference driver's rules (stopping, statuses,
records, callback, checkpoints, the residual history and last iterates of the diagnosis, the
running sum of ``average_last``, schedules and decay). Each kernel call runs until the next
point where Python has something to do:

* a record point (every ``record_every`` steps, the last step, the converged step): the metrics
  are recorded in float64 from the limbs (a trajectory is for plots and diagnosis), and the
  callback is called;
* the tail of the run, where the diagnosis needs every step (the last 128 residuals and 32
  iterates before the budget ends, the ``average_last`` window, a decaying or scheduled
  ``eta``): one step per call;
* about once a second otherwise, to save a checkpoint when one is due and to let an interrupt
  through.

A run whose values leave the format's full-precision range (kernel status ``range``) stops on
the kernel at that step and :func:`run_compiled` returns a :class:`Switch`: the exact state, so
that the caller continues it in Arb at the same precision (never flushed to zero).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..iterates import State
from .convert import LIMBS, fits, limbs_to_fractions, to_limbs
from .gd import CONVERGED, DIVERGED, RANGE, RUNNING
from .state import GDState, initial_limbs, prepare, scaled_fractions, scaled_limbs
from .state import run as advance

__all__ = ["run_compiled", "Switch", "Progress", "Scaled", "numbers", "exact", "fits_problem",
           "load_kernels", "HISTORY", "RECENT"]

_log = logging.getLogger("numerics.kernels")
#: formats whose kernels this process has loaded
_LOADED: set = set()
#: the phases reported while a format's kernels load from the disk cache, or compile (once
#: per installation and format: 3-5 s each on an idle core)
LOADING, COMPILING = "loading compiled kernels", "compiling kernels (once per installation)"

#: residuals and iterates the diagnosis keeps (numerics.gd._Run's deques)
HISTORY, RECENT = 128, 32
#: seconds a kernel call may run before Python looks at checkpoints and interrupts
CHUNK_SECONDS = 1.0


@dataclass
class Switch:
    """The exact state of a run at the step ``k`` where a value left the format's range."""

    k: int
    theta: tuple
    G_sum: list
    below: int


@dataclass
class Progress:
    """What the caller's bookkeeping needs at each pause (functions of the caller)."""

    record: object     # (state: State of floats) -> None
    callback: object   # (k) -> None, or None
    save: object       # (k, theta, G_sum, exact) -> None, or None (a checkpoint, when due)


def load_kernels(fmt: str, progress=None) -> float:
    """Load the ``fmt`` kernels into this process (compiling them if the disk cache has none:
    the first run after installation), reporting the phase (:data:`LOADING` or
    :data:`COMPILING`) to ``progress(phase, done, total)`` and a compilation to the
    ``numerics.kernels`` logger (INFO; library code never prints, and a warning would be an
    error under ``-W error``); the seconds it took (0 when loaded already)."""
    if fmt in _LOADED:
        return 0.0
    from ..problem import Problem
    from .cache import cached_limbs
    from .gd import run_rows

    cached = cached_limbs(run_rows)
    phase = COMPILING if cached is not None and LIMBS[fmt] not in cached else LOADING
    if progress is not None:
        progress(phase, 0, 1)
    t0 = time.perf_counter()
    advance(prepare(Problem([1, 1], 1, 1), [Fraction(1, 10)], 1, fmt=fmt))
    seconds = time.perf_counter() - t0
    _LOADED.add(fmt)
    if phase == COMPILING:
        _log.info("compiled the %s kernels in %.1f s (cached on disk for later processes)",
                  fmt, seconds)
    if progress is not None:
        progress(phase, 1, 1)
    return seconds


def fits_problem(problem, fmt: str, etas=()) -> bool:
    """Whether the data, ``alpha``, ``theta_0`` and ``etas`` lie in the range where ``fmt``
    carries full precision (else the run belongs to the reference path)."""
    L = LIMBS[fmt]
    values = [v for row in problem.X for v in row] + list(problem.y) + [problem.alpha]
    values += [Fraction(e) for e in etas]
    if not fits(values, L):
        return False
    try:
        initial_limbs(problem, L)
    except ValueError:  # DomainError: sqrt(2) alpha out of range
        return False
    return True


@dataclass
class Scaled:
    """Numbers of a compiled run: a ``(..., L)`` limbs array times ``2^scale`` (``(...)``,
    int; :mod:`numerics.kernels.gd`'s scaled coordinates). Iterating gives the blocks."""

    limbs: np.ndarray
    scale: np.ndarray

    def __iter__(self):
        return (Scaled(a, s) for a, s in zip(self.limbs, self.scale))

    def __len__(self) -> int:
        return len(self.limbs)

    def floats(self) -> np.ndarray:
        """The nearest doubles (underflowing to 0 far below float64's range)."""
        with np.errstate(under="ignore"):
            return np.ldexp(self.limbs[..., 0], self.scale)


def numbers(be, arr) -> np.ndarray:
    """A ``(..., L)`` limbs array (or :class:`Scaled`) as backend numbers (``(...)``): floats
    for float64, else ``arb`` sums of the limbs at the backend's precision (inside its scope),
    times their power of two exactly."""
    if isinstance(arr, Scaled) and be.dtype is float:
        return arr.floats()
    scale = arr.scale if isinstance(arr, Scaled) else None
    arr = np.asarray(arr.limbs if isinstance(arr, Scaled) else arr, dtype=float)
    if be.dtype is float:
        return arr.sum(axis=-1)
    flat = arr.reshape(-1, arr.shape[-1])
    shifts = np.zeros(len(flat), dtype=np.int64) if scale is None else scale.reshape(-1)
    out = np.empty(len(flat), dtype=object)
    scalar = be._arb
    for i, limbs in enumerate(flat):
        v = scalar(limbs[0])
        for x in limbs[1:]:
            if x:
                v = v + scalar(x)
        out[i] = v.mid() if not shifts[i] else v.mid() * scalar((1, int(shifts[i])))
    return out.reshape(arr.shape[:-1])


def exact(values) -> list:
    """Exact Fractions of a vector of a compiled run's numbers (limbs or :class:`Scaled`)."""
    if isinstance(values, Scaled):
        return scaled_fractions(values.limbs, values.scale)
    return limbs_to_fractions(np.asarray(values))


def scaled_blocks(blocks, L: int) -> Scaled:
    """Exact blocks (sequences of Fractions) as :class:`Scaled` numbers of ``L`` limbs."""
    pairs = [scaled_limbs(list(b), L, "theta", True) for b in blocks]
    return Scaled(np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))


def _floats(arr) -> np.ndarray:
    """The doubles nearest the limbs' values (the leading limbs: numbers are normalised)."""
    return np.asarray(arr)[..., 0].copy()


def run_compiled(problem, fmt: str, eta_fn, *, steps: int, total: int, varies_from: int, opts,
                 run, start: int, saved, progress: Progress, seconds: float) -> Switch | None:
    """Advance ``run`` (a :class:`numerics.gd._Run`) on the ``fmt`` kernel from step ``start``.

    ``eta_fn`` is the learning rate (a Fraction) or a schedule ``k -> eta_k``, constant below
    step ``varies_from``; ``steps`` the budget before a decay, ``total`` the budget with it;
    ``saved`` a checkpoint's state (or None). On return ``run.status``, ``run.diverged_at``,
    ``run.below`` and ``run.last`` are set (``last`` a :class:`State` of limb arrays:
    :func:`numbers` converts them; ``run.recent`` and ``run.sums`` hold limb arrays too); or a
    :class:`Switch` is returned when the run left the format's range.
    """
    constant = not callable(eta_fn)
    eta0 = eta_fn if constant else eta_fn(start)
    st = prepare(problem, [eta0], total, fmt=fmt, tol=opts.tol, patience=opts.patience,
                 r_max=opts.r_max, check_every=1, stop_at_convergence=opts.stop_at_convergence,
                 track_G_sum=problem.parametrisation.tracks_G_sum,
                 theta0=None if saved is None else saved.theta,
                 G_sum0=None if saved is None else saved.G_sum, start=start)
    if saved is not None:  # step ``start`` was checked before the checkpoint was written
        st.below[0], st.checked[0] = saved.below, True
        advance(st, start)  # beta, r, g of the saved iterate; then the reference's verdicts
        r = st.r[0]
        if not np.all(np.isfinite(r)) or np.max(np.abs(r[:, 0])) > st.r_max:
            run.status, run.diverged_at, run.last = "diverged", start, _state(st)
            return None
        done = saved.below >= opts.patience and opts.stop_at_convergence
        if done or start >= total:
            run.status = "converged" if saved.below >= opts.patience else "not_converged"
            run.last = _state(st)
            return None
    # from here on every step is visited: the diagnosis' residual history and iterates, the
    # averaging window, a varying eta
    tail = max(0, total - HISTORY)
    if opts.average_last:
        tail = min(tail, steps - opts.average_last + 1)
    if not constant:
        tail = min(tail, varies_from)
    L = st.L
    k = start
    per_second = 4096.0 / CHUNK_SECONDS  # a first chunk of 4096 steps, then about a second
    clock = time.monotonic()
    target = start if saved is None else None  # a fresh run's step 0 is visited too
    while True:
        if target is None and k >= tail:
            target = k + 1
            if not constant:
                st.eta[0] = to_limbs(eta_fn(k), L, f"eta({k})")
        elif target is None:
            every = opts.record_every
            target = min((k // every + 1) * every, tail, total,
                         k + max(1, int(CHUNK_SECONDS * per_second)))
        t0 = time.perf_counter()
        advance(st, target)
        target = None
        moved = int(st.k[0]) - k
        if moved > 0:
            per_second = moved / max(time.perf_counter() - t0, 1e-9)
        k = int(st.k[0])
        run.below = int(st.below[0])
        status = int(st.status[0])
        if status == RANGE:
            return Switch(k, st.theta_fractions(0), list(st.values("G_sum", 0)),
                          int(st.below[0]))
        if status == DIVERGED:
            run.status, run.diverged_at = "diverged", k
            run.last = _state(st)
            return None
        averaging = opts.average_last and steps - opts.average_last < k <= steps
        if averaging and status == RUNNING and np.any(st.scale[0]):
            # the running sum is kept in limbs: scaled values go on in Arb from here
            return Switch(k, st.theta_fractions(0), list(st.values("G_sum", 0)),
                          int(st.below[0]))
        converged = status == CONVERGED
        theta = _theta(st)
        if k >= tail:
            run.history.append(float(_floats(st.r[0])[0]))
            run.recent.append(theta)
        if k % opts.record_every == 0 or k == total or converged:
            progress.record(_float_state(st, problem.parametrisation))
            if progress.callback is not None:
                progress.callback(k)
        if converged:
            run.status, run.last = "converged", _state(st)
            return None
        if averaging:
            point = np.concatenate([theta.limbs, st.G_sum[0][None]], axis=0)
            run.sums = point if run.sums is None else _add(run.sums, point)
        if status != RUNNING:  # the budget is spent
            run.status, run.last = ("converged" if st.below[0] >= opts.patience
                                    else "not_converged"), _state(st)
            return None
        if progress.save is not None and k > start and time.monotonic() - clock >= seconds:
            progress.save(k, theta, st.G_sum[0].copy())
            clock = time.monotonic()


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b`` number by number in the limbs' format (rounded as the kernels round)."""
    from .gd import add_rows

    out = a.copy()
    add_rows(out.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1]), _proto(a.shape[-1]))
    return out


def _proto(L: int):
    from .state import PROTOTYPES

    return PROTOTYPES[L]


def _theta(st: GDState) -> Scaled:
    return Scaled(st.theta[0].copy(), st.scale[0].copy())


def _state(st: GDState) -> State:
    """The row's current iterate as a :class:`State` of limbs (``theta`` :class:`Scaled`;
    ``beta`` without the scaled coordinates' terms: recompute it from ``theta``)."""
    return State(int(st.k[0]), _theta(st), st.beta[0].copy(), st.r[0].copy(), st.g[0].copy(),
                 st.G_sum[0].copy())


def _float_state(st: GDState, P) -> State:
    """The row's current iterate in float64 (for records)."""
    theta = tuple(_theta(st).floats())
    with np.errstate(under="ignore", over="ignore"):
        beta = P.beta(theta)
    return State(int(st.k[0]), theta, beta, _floats(st.r[0]), _floats(st.g[0]),
                 _floats(st.G_sum[0]))
