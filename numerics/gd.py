"""Gradient descent on diagonal networks at any precision, driven to a verdict.

:func:`gradient_descent` drives GD to a verdict: ``converged`` (the loss stayed ``<= tol`` for
``patience`` steps), ``diverged`` (non-finite or ``|r| > r_max``, with the step) or
``not_converged`` (budget spent; the run is diagnosed for periodic oscillation and for ``S``
sitting near ``2/eta``). Two engines apply the same rules:

* the **compiled** kernels of :mod:`numerics.kernels` (backends ``float64``, ``dd``, ``qd``;
  the default for them): many steps per call, Python only at records, checks and the tail of
  the run (:mod:`numerics.kernels.driver`);
* the **reference** path, the generator :func:`~numerics.iterates.iterate` in any backend's
  arithmetic, one step at a time: the definition the compiled path is tested against, and the
  path of ``mpmath`` and ``flint``.

Its options are one frozen, validated :class:`GDOptions`; its exact state can be checkpointed
and resumed bit for bit (:mod:`numerics.checkpoint`).
:func:`~numerics.batch.gradient_descent_batch` runs float64 GD for many learning rates at once.

Every final number is returned as the :class:`~fractions.Fraction` of the binary value the
backend computed. A single run says nothing about which of its digits are right: that is the
job of :mod:`numerics.audit`, which compares two precisions.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial

import numpy as np

from . import checkpoint as checkpoints
from .backends import Backend, get_backend
from .batch import BatchResult, gradient_descent_batch
from .errors import DomainError
from .hessian import spectrum
from .iterates import (
    FLOAT64_MAX,
    FLOAT64_MIN,
    State,
    check_eta,
    check_float64,
    check_steps,
    default_tol,
    gains,
    initial_state,
    iterate,
    magnitude,
    param_norm_sq,
)
from .problem import Problem
from .runs import GDOptions, GDResult, Trajectory, options_from

__all__ = ["STATUSES", "ENGINES", "State", "Trajectory", "GDResult", "GDOptions", "iterate",
           "gradient_descent", "gradient_descent_batch", "BatchResult", "default_tol",
           "initial_state", "gains", "param_norm_sq"]

STATUSES = ("converged", "diverged", "not_converged")
#: ``engine=`` of :func:`gradient_descent`
ENGINES = ("auto", "compiled", "reference")


def _risk(problem, be, beta):
    if problem.beta_star is None:
        return None
    e = beta - be.vector(problem.beta_star)
    if problem.Sigma is None:
        val = (e * e).sum()
    else:
        S = np.array([[be.scalar(v) for v in row] for row in problem.Sigma], dtype=be.dtype)
        val = e @ (S @ e)
    return val + be.scalar(problem.sigma2)


def _period(history: deque) -> dict:
    """Smallest period p <= 32 of the recent residual history, with the oscillation amplitude."""
    h = np.array(history, dtype=float)
    if len(h) < 16 or not np.all(np.isfinite(h)):
        return {"period": None, "amplitude": None}
    amp = float(np.max(np.abs(h[-64:])))
    for p in range(1, 33):
        if len(h) < 3 * p:
            break
        recent = h[-2 * p:]
        shifted = h[-3 * p:-p]
        if np.max(np.abs(recent - shifted)) <= 1e-6 * max(amp, 1e-300):
            return {"period": p, "amplitude": amp}
    return {"period": None, "amplitude": amp}


@dataclass
class _Run:
    """A run's bookkeeping besides its iterate (what a checkpoint saves), and its outcome."""

    trajectory: Trajectory = field(default_factory=Trajectory)
    #: ``r_0`` over the recent steps, for the period diagnosis
    history: deque = field(default_factory=lambda: deque(maxlen=128))
    #: the last iterates, to measure a periodic orbit's centre
    recent: deque = field(default_factory=lambda: deque(maxlen=32))
    #: consecutive steps with every ``|r_i| <= sqrt(2 tol)``
    below: int = 0
    #: running sum of the averaged iterates and their ``G_sum`` (``average_last``)
    sums: tuple | None = None
    status: str = "not_converged"
    diverged_at: int | None = None
    last: State | None = None
    #: the step at which a compiled run left its format's range and went on in Arb
    switched_at: int | None = None
    #: converts an entry of ``recent`` still in a compiled format's limbs (None: none are)
    limbs: Callable | None = None

    def orbit(self, period: int) -> list:
        """The last ``period`` iterates, in the run's backend numbers."""
        last = list(self.recent)[-period:]
        return last if self.limbs is None else [
            t if isinstance(t, tuple) else self.limbs(t) for t in last]

    @classmethod
    def resumed(cls, saved: checkpoints.Saved, be: Backend, L: int | None = None) -> _Run:
        """The bookkeeping of a checkpoint, in ``be``'s numbers (inside its scope), or as
        ``L``-limb arrays for the compiled path."""
        run = cls(below=saved.below, switched_at=saved.switched_at)
        run.history.extend(saved.history)
        for key, values in saved.trajectory.items():
            getattr(run.trajectory, key).extend(values)
        if L is not None:
            from .kernels.convert import vector_to_limbs
            from .kernels.driver import scaled_blocks

            if saved.sums is not None:
                run.sums = np.array([vector_to_limbs(t, L) for t in saved.sums])
            run.recent.extend(scaled_blocks(th, L) for th in saved.recent)
            return run
        if saved.sums is not None:
            run.sums = tuple(be.vector(t) for t in saved.sums)
        run.recent.extend(tuple(be.vector(t) for t in th) for th in saved.recent)
        return run

    def in_numbers(self, be: Backend, problem: Problem) -> None:
        """Convert the compiled path's limbs (``last``, ``recent``, ``sums``) into ``be``'s
        numbers (inside its scope)."""
        from .kernels.driver import numbers

        def blocks(arr):
            return tuple(numbers(be, arr))
        # the last iterates are read only for a periodic orbit's centre: converted then
        self.limbs = blocks
        if self.sums is not None:
            self.sums = blocks(self.sums)
        if self.last is not None:
            last = self.last
            theta = blocks(last.theta)
            beta = problem.parametrisation.beta(theta) if self.status != "diverged" else \
                numbers(be, last.beta)  # (a scaled coordinate's beta is left out of the limbs)
            self.last = State(last.k, theta, beta, numbers(be, last.r), numbers(be, last.g),
                              numbers(be, last.G_sum))


def gradient_descent(
    problem: Problem,
    eta,
    steps: int,
    *,
    backend: str = "float64",
    dps: float | None = None,
    engine: str = "auto",
    callback: Callable[[int], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    checkpoint: str | os.PathLike | None = None,
    options: GDOptions | None = None,
    **kwargs,
) -> GDResult:
    """Run GD for at most ``steps`` steps and return a :class:`GDResult` with a status.

    Parameters
    ----------
    problem : Problem
    eta : positive number, or callable ``k -> eta_k``
    steps : int >= 0, the step budget
    backend : ``"float64"``, ``"dd"``, ``"qd"``, ``"mpmath"`` or ``"flint"``
    dps : working precision in decimal digits (multiprecision backends)
    engine : ``"auto"`` (default), ``"compiled"`` or ``"reference"``
        ``auto`` runs ``float64``, ``dd`` and ``qd`` on the compiled kernels
        (:mod:`numerics.kernels`) and the others on the reference path
        (:func:`~numerics.iterates.iterate`). Every option works on both; on the compiled
        path a schedule or a decay runs one step per kernel call (slower, same numbers), and
        the compiled float64 kernel sums dot products in index order (numpy's BLAS may not:
        up to a few ulps per step apart). Data, ``alpha`` or ``eta`` outside the format's
        full-precision range (:func:`numerics.kernels.convert.tiny`) run on the reference
        path (``auto``). A compiled run whose values leave that range (for instance
        coordinates decaying to ``2^-50000`` in the chaotic phase) goes on from that step, from
        its exact state, in Arb at the format's precision (53, 106 or 212 bits, unbounded
        exponent): never flushed to zero; :attr:`GDResult.engine` says so. ``reference``
        runs ``dd`` and ``qd`` in Arb at their bits, and ``float64`` in numpy.
    callback : called with the step count every ``record_every`` steps (progress bars)
    progress : called as ``progress(phase, done, total)``: ``("steps", k, total)`` with the
        callback, and the phases around the steps that can take seconds (loading or compiling
        the kernels, the final sharpness)
    checkpoint : a file path: the run saves its exact state there every ``checkpoint_seconds``
        and, when started again with the same arguments, resumes from it, giving bit-for-bit
        the result of an uninterrupted run. A checkpoint of other arguments is refused.
    options : GDOptions, optional
        How the run decides, records and measures.
    **kwargs
        The fields of :class:`GDOptions` as keywords (``tol``, ``patience``, ``r_max``,
        ``record_every``, ``record_sharpness``, ``record_gain``, ``average_last``,
        ``decay_steps``, ``decay_to``, ``stop_at_convergence``, ``final_sharpness``,
        ``checkpoint_seconds``); they override the same fields of ``options``.

    Returns
    -------
    GDResult
        Records of a compiled run are computed in float64 from its numbers (a trajectory is
        for plots and diagnosis); every final quantity at the working precision.

    Raises
    ------
    DomainError
        Invalid arguments, or a checkpoint written for other arguments.
    """
    steps = check_steps(steps)
    opts = options_from(options, kwargs)
    eta = check_eta(eta)
    be = get_backend(backend, dps)
    if engine not in ENGINES:
        raise DomainError("engine", engine, f"one of {', '.join(ENGINES)}")
    if be.name == "float64":
        check_float64(problem)
        if not callable(eta) and not FLOAT64_MIN <= eta <= FLOAT64_MAX:
            raise DomainError("eta", magnitude(eta), "a learning rate within float64's range "
                              "for a float64 run")
    opts = opts.resolved(problem, be, eta, steps)
    decay = opts.decay_steps
    eta_fn = _decay_schedule(eta, steps, decay, opts.decay_to) if decay else eta
    total = steps + decay
    compiled = _compiled_engine(problem, be, eta, engine)

    settings = saved = None
    if checkpoint is not None:
        checkpoints.check_path(checkpoint, eta)
        settings = checkpoints.settings(problem, eta, steps, be.precision, opts,
                                        "compiled" if compiled else "reference")
        saved = checkpoints.load(checkpoint, settings)
    ctx = _Context(problem, eta_fn, opts, steps, total, callback, progress, checkpoint,
                   settings)
    if compiled and (saved is None or saved.switched_at is None):
        from .kernels.driver import load_kernels

        load_kernels(be.fmt, progress)
        with be.scope():
            run = _compiled(ctx, be, saved)
    else:
        if compiled:  # a checkpoint of a compiled run that went on in Arb
            be = _continuation(be)
        with be.scope():
            run = _Run() if saved is None else _Run.resumed(saved, be)
            start = 0 if saved is None else saved.k
            _reference(ctx, be, run, start, None if saved is None else saved.theta,
                       None if saved is None else saved.G_sum, start + (saved is not None))
    if run.switched_at is not None:
        be = _continuation(be)
    with be.scope():
        result = _finish(problem, be, eta, eta_fn, opts, run, progress)
    result.engine = _engine_label(compiled, run, be)
    return result


@dataclass
class _Context:
    """The arguments of one run that its engines share."""

    problem: Problem
    eta_fn: object
    opts: GDOptions
    steps: int
    total: int
    callback: Callable | None
    progress: Callable | None
    checkpoint: object
    settings: dict | None

    def step_done(self, k: int) -> None:
        if self.callback is not None:
            self.callback(k)
        if self.progress is not None:
            self.progress("steps", k, self.total)


def _compiled_engine(problem, be, eta, engine: str) -> bool:
    """Whether this run's steps go to the compiled kernels (see ``engine=``)."""
    if engine == "reference" or be.fmt is None:
        if engine == "compiled":
            raise DomainError("engine", engine, "a backend with compiled kernels (float64, dd "
                              "or qd)")
        return False
    from .kernels.driver import fits_problem

    if fits_problem(problem, be.fmt, () if callable(eta) else (eta,)):
        return True
    if engine == "compiled":
        raise DomainError("engine", engine, f"data, alpha and eta within {be.fmt}'s "
                          "full-precision range (about 1e-290 to 1e292 for float64, 1e-275 for "
                          "dd, 1e-243 for qd), or engine='reference'")
    return False


def _continuation(be: Backend) -> Backend:
    """The arithmetic a compiled run goes on in after leaving its format's range: Arb at the
    format's bits (``be`` itself for dd and qd)."""
    from .backends import Compiled

    return be if isinstance(be, Compiled) else Compiled(be.fmt)


def _engine_label(compiled: bool, run: _Run, be: Backend) -> str:
    if not compiled:
        return "reference"
    if run.switched_at is None:
        return "compiled"
    return f"compiled, then arb at {be.prec} bits from step {run.switched_at}"


def _compiled(ctx: _Context, be: Backend, saved) -> _Run:
    """The run on the compiled kernels (inside ``be``'s scope); on leaving the format's range
    it goes on in :func:`_continuation`'s arithmetic from the exact state."""
    from .kernels.convert import LIMBS
    from .kernels.driver import Progress, exact, run_compiled

    opts, problem = ctx.opts, ctx.problem
    L = LIMBS[be.fmt]
    run = _Run() if saved is None else _Run.resumed(saved, be, L)
    f64 = get_backend("float64")
    measure = partial(spectrum, problem, f64)

    def record(state):
        with f64.scope():
            _record(run.trajectory, problem, f64, state, opts, measure)

    def save(k, theta, G_sum):
        checkpoints.save(ctx.checkpoint, ctx.settings, k=k, theta=theta, G_sum=G_sum, run=run,
                         exact=exact)

    hooks = Progress(record, ctx.step_done, save if ctx.checkpoint is not None else None)
    varies_from = ctx.steps if ctx.opts.decay_steps else 0
    switch = run_compiled(problem, be.fmt, ctx.eta_fn, steps=ctx.steps, total=ctx.total,
                          varies_from=varies_from, opts=opts, run=run,
                          start=0 if saved is None else saved.k, saved=saved, progress=hooks,
                          seconds=opts.checkpoint_seconds)
    if switch is None:
        if ctx.checkpoint is not None:
            save(run.last.k, run.last.theta, run.last.G_sum)
        run.in_numbers(be, problem)
        return run
    cont = _continuation(be)
    with cont.scope():
        run.in_numbers(cont, problem)
        run.switched_at, run.below = switch.k, switch.below
        _reference(ctx, cont, run, switch.k, switch.theta, switch.G_sum, switch.k)
    return run


def _reference(ctx: _Context, be: Backend, run: _Run, start: int, theta0, G_sum0,
               fresh_from: int) -> None:
    """The reference loop (inside ``be``'s scope), from ``theta0`` at step ``start``; steps
    before ``fresh_from`` were already counted (a resumed checkpoint's step)."""
    problem, opts, total, steps = ctx.problem, ctx.opts, ctx.total, ctx.steps
    rtol_be = be.scalar(_fraction_sqrt(2 * opts.tol))
    r_max_be = be.scalar(opts.r_max)
    measure = partial(spectrum, problem, be)
    clock = time.monotonic()

    def save(state):
        checkpoints.save(ctx.checkpoint, ctx.settings, k=state.k, theta=state.theta,
                         G_sum=state.G_sum, run=run,
                         exact=lambda values: [be.to_fraction(v) for v in values])

    for state in iterate(problem, ctx.eta_fn, backend=be, start=start, theta0=theta0,
                         G_sum0=G_sum0):
        k = state.k
        # a resumed run yields its checkpointed state again: its bookkeeping (below, history,
        # records, sums) is already in the checkpoint and must not count twice
        fresh = k >= fresh_from
        if not be.is_finite(state.r) or not all(be.abs_le(ri, r_max_be) for ri in state.r):
            run.status, run.diverged_at, run.last = "diverged", k, state
            break
        if fresh:
            below = all(be.abs_le(ri, rtol_be) for ri in state.r)
            run.below = run.below + 1 if below else 0
            run.history.append(be.to_float(state.r[0]))
            run.recent.append(state.theta)
        done = run.below >= opts.patience and opts.stop_at_convergence
        if fresh and (k % opts.record_every == 0 or k == total or done):
            _record(run.trajectory, problem, be, state, opts, measure)
            ctx.step_done(k)
        if done:
            run.status, run.last = "converged", state
            break
        if fresh and opts.average_last and steps - opts.average_last < k <= steps:
            point = state.theta + (state.G_sum,)
            run.sums = point if run.sums is None else tuple(
                s + t for s, t in zip(run.sums, point))
        if k >= total:
            run.last = state
            run.status = "converged" if run.below >= opts.patience else "not_converged"
            break
        if ctx.checkpoint is not None and k % 1024 == 0 and k > start:
            now = time.monotonic()
            if now - clock >= opts.checkpoint_seconds:
                save(state)
                clock = now
    if ctx.checkpoint is not None and run.last is not None:
        save(run.last)


def _finish(problem, be, eta, eta_fn, opts: GDOptions, run: _Run, progress) -> GDResult:
    """Final measurements of a run (inside the backend's scope)."""
    F = be.to_fraction
    measure = partial(spectrum, problem, be)
    last, status = run.last, run.status
    diagnosis: dict = {}
    common = dict(status=status, eta=("schedule" if callable(eta) else eta), backend=be.name,
                  dps=be.dps, tol=opts.tol, diagnosis=diagnosis, trajectory=run.trajectory)
    if status == "diverged":
        return GDResult(
            **common, steps=run.diverged_at, diverged_at=run.diverged_at,
            beta=tuple(_safe_fraction(be, b) for b in last.beta), theta=(), loss=None, S=None,
            lambda_max=None, l1_norm=None, param_norm_sq=None, risk=None, gain=None,
            sharpness_form="")
    P = problem.parametrisation
    theta, g, G_sum = last.theta, last.g, last.G_sum
    Xd = be.data(problem.X)
    if status == "not_converged":
        diagnosis.update(_period(run.history))
        if opts.average_last:
            # the mean of the last K iterates theta_{steps-K+1..steps}, and of their G_sum
            mean = tuple(be.clean(s / be.scalar(opts.average_last)) for s in run.sums)
            theta, G_sum = mean[:-1], mean[-1]
            r_avg = be.matvec(Xd, P.beta(theta)) - be.vector(problem.y)
            g = be.rmatvec(Xd, r_avg) * be.scalar(Fraction(1, problem.n))
            diagnosis["averaged_over"] = opts.average_last
        if opts.decay_steps:
            diagnosis["decayed_to"] = float(opts.decay_to)
    beta = P.beta(theta)
    r = be.matvec(Xd, beta) - be.vector(problem.y)
    loss = (r * r).sum() * be.scalar(Fraction(1, 2 * problem.n))
    S = lam = None
    form = ""
    if opts.final_sharpness:
        zero_loss = status == "converged"
        if progress is not None:
            progress("final sharpness", 0, 1)
        _, lam, S = measure(theta, g, zero_loss)
        if progress is not None:
            progress("final sharpness", 1, 1)
        form = "gram" if zero_loss else "full"
        if status == "not_converged":
            period = diagnosis.get("period")
            orbit = None
            if period and not opts.average_last and len(run.recent) >= period:
                orbit = run.orbit(period)
            diagnosis.update(_edge(problem, be, S, _eta_value(eta_fn, last.k), orbit, measure))
    risk = _risk(problem, be, beta)
    gain = gains(problem, be, theta, G_sum)
    return GDResult(
        **common,
        steps=last.k,
        beta=tuple(F(b) for b in beta),
        theta=tuple(tuple(F(v) for v in t) for t in theta),
        loss=F(loss),
        S=None if S is None else F(S),
        lambda_max=None if lam is None else F(lam),
        l1_norm=F(sum(abs(b) for b in beta)),
        param_norm_sq=F(param_norm_sq(theta)),
        risk=None if risk is None else F(risk),
        gain=tuple(_safe_fraction(be, v) for v in gain),
        diverged_at=None,
        sharpness_form=form,
    )


def _edge(problem, be, S, eta, orbit, measure) -> dict:
    """The edge-of-stability diagnosis of a run that did not converge: ``S eta / 2`` at its
    end and, for a periodic ``orbit`` (its last period of iterates), at the orbit's centre;
    ``near_edge`` when the latter (else the former) is within 5% of 1."""
    ratio = be.to_float(S) * eta / 2
    out = {"S_times_eta_over_2": ratio}
    if orbit:
        # the edge-of-stability statement is about the orbit's centre, not its ends
        period = be.scalar(len(orbit))
        centre = tuple(be.clean(sum(t[j] for t in orbit) / period)
                       for j in range(len(orbit[0])))
        Xd = be.data(problem.X)
        rc = be.matvec(Xd, problem.parametrisation.beta(centre)) - be.vector(problem.y)
        gc = be.rmatvec(Xd, rc) * be.scalar(Fraction(1, problem.n))
        _, _, Sc = measure(centre, gc, False)
        ratio = out["S_centre_times_eta_over_2"] = be.to_float(Sc) * eta / 2
    out["near_edge"] = bool(abs(ratio - 1) <= 0.05)
    return out


def _decay_schedule(base: Fraction, steps: int, decay_steps: int, decay_to: Fraction):
    """``eta_k = eta`` for ``k < steps``, then ``eta (decay_to)^((k - steps)/decay_steps)``.

    The decayed rates are float64 numbers (as exact Fractions), the same at every precision;
    exact powers of a Fraction would grow without bound and cost quadratic time.
    """
    b, ratio = float(base), float(decay_to) ** (1.0 / decay_steps)

    def schedule(k: int) -> Fraction:
        return base if k < steps else Fraction(b * ratio ** (k - steps))
    return schedule


def _fraction_sqrt(q: Fraction) -> Fraction:
    """A rational within a relative 1e-30 of sqrt(q) (for tolerances below float range)."""
    from decimal import Decimal, localcontext

    with localcontext() as c:
        c.prec = 40
        root = (Decimal(q.numerator) / Decimal(q.denominator)).sqrt()
    return Fraction(root)


def _eta_value(eta_fn, k) -> float:
    return float(eta_fn(k)) if callable(eta_fn) else float(eta_fn)


def _safe_fraction(be, v):
    try:
        return be.to_fraction(v)
    except (DomainError, OverflowError, ValueError):
        return None


def _record(traj, problem, be, state, opts: GDOptions, measure):
    f = be.to_float
    traj.step.append(state.k)
    traj.loss.append(f((state.r * state.r).sum()) / (2 * problem.n))
    traj.param_norm_sq.append(f(param_norm_sq(state.theta)))
    traj.l1_norm.append(f(abs(state.beta).sum()))
    risk = _risk(problem, be, state.beta)
    traj.risk.append(None if risk is None else f(risk))
    if opts.record_sharpness:
        low, lam, S = measure(state.theta, state.g, False)
        traj.S.append(f(S))
        traj.lambda_max.append(f(lam))
    if opts.record_gain:
        traj.gain.append([f(v) for v in gains(problem, be, state.theta, state.G_sum)])
