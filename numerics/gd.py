"""Gradient descent on diagonal networks at any precision, driven to a verdict.

:func:`gradient_descent` drives the kernel :func:`~numerics.iterates.iterate` (the generator:
the caller decides when to stop) to a verdict: ``converged`` (the loss stayed ``<= tol`` for
``patience`` steps), ``diverged`` (non-finite or ``|r| > r_max``, with the step) or
``not_converged`` (budget spent; the run is diagnosed for periodic oscillation and for ``S``
sitting near ``2/eta``). Its options are one frozen, validated :class:`GDOptions`; its exact
state can be checkpointed and resumed bit for bit (:mod:`numerics.checkpoint`).
:func:`~numerics.batch.gradient_descent_batch` runs float64 GD for many learning rates at once.

Every final number is returned as the :class:`~fractions.Fraction` of the binary value the
backend computed. A single run says nothing about which of its digits are right: that is the
job of :mod:`numerics.audit`, which compares two precisions.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import partial
from numbers import Real

import numpy as np

from . import checkpoint as checkpoints
from .backends import Backend, get_backend
from .batch import BatchResult, gradient_descent_batch
from .errors import DomainError
from .hessian import gram_matrix_A, spectrum
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
from .precision import Precision
from .problem import Problem, as_fraction

__all__ = ["STATUSES", "State", "Trajectory", "GDResult", "GDOptions", "iterate",
           "gradient_descent", "gradient_descent_batch", "BatchResult", "default_tol",
           "initial_state", "gains", "param_norm_sq"]

STATUSES = ("converged", "diverged", "not_converged")


@dataclass
class Trajectory:
    """Metrics recorded every ``record_every`` steps (floats: for plots and diagnosis only)."""

    step: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    S: list = field(default_factory=list)
    lambda_max: list = field(default_factory=list)
    param_norm_sq: list = field(default_factory=list)
    l1_norm: list = field(default_factory=list)
    risk: list = field(default_factory=list)
    gain: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: list(v) for k, v in self.__dict__.items()}


@dataclass
class GDResult:
    """The outcome of one run at one precision.

    Final quantities are exact :class:`Fraction` values of the computed binary numbers
    (``None`` where not computed). ``theta`` is the final (or averaged) state.
    """

    status: str
    steps: int
    eta: object
    backend: str
    dps: float
    beta: tuple
    theta: tuple
    loss: Fraction
    S: Fraction | None
    lambda_max: Fraction | None
    l1_norm: Fraction
    param_norm_sq: Fraction
    risk: Fraction | None
    gain: tuple | None
    diverged_at: int | None = None
    tol: Fraction | None = None
    diagnosis: dict = field(default_factory=dict)
    trajectory: Trajectory = field(default_factory=Trajectory)
    sharpness_form: str = ""

    @property
    def precision(self) -> Precision:
        """The arithmetic and working precision of this run."""
        return Precision(self.backend, None if self.backend == "float64" else int(self.dps))

    def quantities(self) -> dict:
        """Final scalar and vector quantities by name (for the precision audit)."""
        out = {"beta": self.beta, "loss": self.loss, "S": self.S, "lambda_max": self.lambda_max,
               "l1_norm": self.l1_norm, "param_norm_sq": self.param_norm_sq}
        if self.risk is not None:
            out["risk"] = self.risk
        if self.gain is not None:
            out["gain"] = self.gain
        return out


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


@dataclass(frozen=True)
class GDOptions:
    """How :func:`gradient_descent` decides, records and measures a run.

    Validated on construction (errors name the argument, as :func:`gradient_descent` does);
    :meth:`resolved` fills the defaults that depend on the run (``tol``, ``r_max``,
    ``record_every``, ``record_sharpness``) and checks what involves ``eta`` and ``steps``.

    Attributes
    ----------
    tol : ``tol > 0``, the loss tolerance for ``converged`` (default :func:`default_tol`);
        numbers (``tol``, ``r_max``, ``decay_to``) are stored as exact Fractions
    patience : int ``>= 1``, consecutive steps with loss ``<= tol`` required
    r_max : divergence bound on ``max |r|`` (default ``1e8 max(1, |y|)``)
    record_every : int ``>= 1``, record metrics every this many steps (default
        ``max(1, steps // 500)``)
    record_sharpness : record ``S`` and ``lambda_max`` (an eigen-solve of the ``kd x kd``
        Hessian per record; default: when ``kd <= 64``)
    record_gain : record the effective-initialisation gain
    average_last : int ``0 <= K <= steps``: when not converged, measure on the mean of the
        last K iterates ``theta_{steps-K+1}, ..., theta_steps``
    decay_steps, decay_to : after the budget, if not converged, run ``decay_steps`` more steps
        with ``eta`` decaying geometrically to ``decay_to * eta`` (``0 < decay_to <= 1``),
        then measure (a constant ``eta`` only; not together with ``average_last``)
    stop_at_convergence : stop as soon as ``converged`` is established
    final_sharpness : compute ``S`` and ``lambda_max`` at the end
    checkpoint_seconds : ``>= 0``, seconds between checkpoints (with a ``checkpoint`` path)

    Examples
    --------
    >>> GDOptions(patience=5).patience
    5
    >>> GDOptions(patience=0)
    Traceback (most recent call last):
    ...
    theory.errors.DomainError: patience = 0: an integer >= 1 is required
    """

    tol: Fraction | None = None
    patience: int = 3
    r_max: Fraction | None = None
    record_every: int | None = None
    record_sharpness: bool | None = None
    record_gain: bool = False
    average_last: int = 0
    decay_steps: int = 0
    decay_to: Fraction = Fraction(1, 10)
    stop_at_convergence: bool = True
    final_sharpness: bool = True
    checkpoint_seconds: float = 20.0

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        put("decay_steps", check_steps(self.decay_steps, "decay_steps"))
        put("average_last", check_steps(self.average_last, "average_last"))
        p = self.patience
        if isinstance(p, bool) or not isinstance(p, int) or p < 1:
            raise DomainError("patience", p, "an integer >= 1 is required")
        if self.tol is not None:
            put("tol", as_fraction(self.tol, "tol"))
            if self.tol <= 0:
                raise DomainError("tol", self.tol, "tol > 0 is required")
        if self.r_max is not None:
            put("r_max", as_fraction(self.r_max, "r_max"))
        r = self.record_every
        if r is not None and (isinstance(r, bool) or not isinstance(r, int) or r < 1):
            raise DomainError("record_every", r, "an integer >= 1 is required")
        put("decay_to", as_fraction(self.decay_to, "decay_to"))
        if self.decay_steps and not 0 < self.decay_to <= 1:
            raise DomainError("decay_to", self.decay_to, "0 < decay_to <= 1 is required")
        if self.decay_steps and self.average_last:
            raise DomainError("average_last", self.average_last, "0 with decay_steps: measure "
                              "either on the average of the last iterates or after a decay, "
                              "not both")
        seconds = self.checkpoint_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, Real) \
                or not 0 <= seconds < math.inf:
            raise DomainError("checkpoint_seconds", seconds, "a number of seconds >= 0")
        for name in ("record_gain", "stop_at_convergence", "final_sharpness"):
            put(name, bool(getattr(self, name)))
        if self.record_sharpness is not None:
            put("record_sharpness", bool(self.record_sharpness))

    def resolved(self, problem: Problem, backend: Backend, eta, steps: int) -> GDOptions:
        """These options for one run: defaults filled in, and checked against the run's
        ``eta`` (a number or a schedule) and ``steps``."""
        if self.average_last > steps:
            raise DomainError("average_last", self.average_last, f"at most steps = {steps}")
        if self.decay_steps and callable(eta):
            raise DomainError("decay_steps", self.decay_steps, "a constant eta (a schedule "
                              "already decides its own decay)")
        scale = max(Fraction(1), max(abs(v) for v in problem.y))
        return replace(
            self,
            tol=default_tol(problem, backend.dps) if self.tol is None else self.tol,
            r_max=Fraction(10**8) * scale if self.r_max is None else self.r_max,
            record_every=max(1, steps // 500) if self.record_every is None
            else self.record_every,
            record_sharpness=problem.k * problem.d <= 64 if self.record_sharpness is None
            else self.record_sharpness)


def _options(options: GDOptions | None, kwargs: dict) -> GDOptions:
    """``options`` with ``kwargs`` (the keyword form of the same fields) applied on top."""
    for name in kwargs:
        if name not in GDOptions.__dataclass_fields__:
            raise TypeError(f"gradient_descent() got an unexpected keyword argument {name!r}")
    if options is None:
        return GDOptions(**kwargs)
    if not isinstance(options, GDOptions):
        raise DomainError("options", options, "a GDOptions (or None)")
    return replace(options, **kwargs) if kwargs else options


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

    @classmethod
    def resumed(cls, saved: checkpoints.Saved, be: Backend) -> _Run:
        """The bookkeeping of a checkpoint, in ``be``'s numbers (inside its scope)."""
        run = cls(below=saved.below)
        run.history.extend(saved.history)
        for key, values in saved.trajectory.items():
            getattr(run.trajectory, key).extend(values)
        if saved.sums is not None:
            run.sums = tuple(be.vector(t) for t in saved.sums)
        run.recent.extend(tuple(be.vector(t) for t in th) for th in saved.recent)
        return run


def gradient_descent(
    problem: Problem,
    eta,
    steps: int,
    *,
    backend: str = "float64",
    dps: float | None = None,
    callback: Callable[[int], None] | None = None,
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
    backend : ``"float64"``, ``"mpmath"`` or ``"flint"``
    dps : working precision in decimal digits (multiprecision backends)
    callback : called with the step count every ``record_every`` steps (progress bars)
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

    Raises
    ------
    DomainError
        Invalid arguments, or a checkpoint written for other arguments.
    """
    steps = check_steps(steps)
    opts = _options(options, kwargs)
    eta = check_eta(eta)
    be = get_backend(backend, dps)
    if be.name == "float64":
        check_float64(problem)
        if not callable(eta) and not FLOAT64_MIN <= eta <= FLOAT64_MAX:
            raise DomainError("eta", magnitude(eta), "a learning rate within float64's range "
                              "for a float64 run")
    opts = opts.resolved(problem, be, eta, steps)
    decay = opts.decay_steps
    eta_fn = _decay_schedule(eta, steps, decay, opts.decay_to) if decay else eta
    total = steps + decay

    settings = saved = None
    if checkpoint is not None:
        checkpoints.check_path(checkpoint, eta)
        settings = checkpoints.settings(problem, eta, steps, be.precision, opts)
        saved = checkpoints.load(checkpoint, settings)
    start = saved.k if saved is not None else 0
    with be.scope():
        rtol_be = be.scalar(_fraction_sqrt(2 * opts.tol))
        r_max_be = be.scalar(opts.r_max)
        sharp = opts.record_sharpness or opts.final_sharpness
        A = [[be.scalar(v) for v in row] for row in gram_matrix_A(problem)] if sharp else None
        X = [[be.scalar(v) for v in row] for row in problem.X] if sharp else None
        measure = partial(spectrum, problem, be, A=A, X=X)
        run = _Run() if saved is None else _Run.resumed(saved, be)
        clock = time.monotonic()
        for state in iterate(problem, eta_fn, backend=be, start=start,
                             theta0=None if saved is None else saved.theta,
                             G_sum0=None if saved is None else saved.G_sum):
            k = state.k
            # a resumed run yields its checkpointed state again: its bookkeeping (below,
            # history, records, sums) is already in the checkpoint and must not count twice
            fresh = saved is None or k > start
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
                if callback is not None:
                    callback(k)
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
            if checkpoint is not None and k % 1024 == 0 and k > start:
                now = time.monotonic()
                if now - clock >= opts.checkpoint_seconds:
                    checkpoints.save(checkpoint, settings, be, state, run)
                    clock = now
        if checkpoint is not None:
            checkpoints.save(checkpoint, settings, be, run.last, run)
        return _finish(problem, be, eta, eta_fn, opts, run, measure)


def _finish(problem, be, eta, eta_fn, opts: GDOptions, run: _Run, measure) -> GDResult:
    """Final measurements of a run (inside the backend's scope)."""
    F = be.to_fraction
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
        _, lam, S = measure(theta, g, zero_loss)
        form = "gram" if zero_loss else "full"
        if status == "not_converged":
            period = diagnosis.get("period")
            orbit = None
            if period and not opts.average_last and len(run.recent) >= period:
                orbit = list(run.recent)[-period:]
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
    traj.l1_norm.append(f(sum(abs(b) for b in state.beta)))
    risk = _risk(problem, be, state.beta)
    traj.risk.append(None if risk is None else f(risk))
    if opts.record_sharpness:
        low, lam, S = measure(state.theta, state.g, False)
        traj.S.append(f(S))
        traj.lambda_max.append(f(lam))
    if opts.record_gain:
        traj.gain.append([f(v) for v in gains(problem, be, state.theta, state.G_sum)])
