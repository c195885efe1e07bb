"""Gradient descent on diagonal networks at any precision.

:func:`iterate` is the generator (the caller decides when to stop); :func:`gradient_descent`
drives it to a verdict: ``converged`` (the loss stayed ``<= tol`` for ``patience`` steps),
``diverged`` (non-finite or ``|r| > r_max``, with the step) or ``not_converged`` (budget spent;
the run is diagnosed for periodic oscillation and for ``S`` sitting near ``2/eta``).
:func:`gradient_descent_batch` runs float64 GD for many learning rates at once in one array.

Every final number is returned as the :class:`~fractions.Fraction` of the binary value the
backend computed. A single run says nothing about which of its digits are right: that is the
job of :mod:`numerics.audit`, which compares two precisions.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .backends import Backend, get_backend
from .errors import DomainError
from .hessian import gram_matrix_A, spectrum
from .precision import Precision
from .problem import Problem, as_fraction

__all__ = ["STATUSES", "State", "Trajectory", "GDResult", "iterate", "gradient_descent",
           "gradient_descent_batch", "BatchResult", "default_tol", "initial_state", "gains",
           "param_norm_sq"]

STATUSES = ("converged", "diverged", "not_converged")


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


def _check_eta(eta) -> Fraction | Callable:
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
        if v != 0 and not (Fraction(2) ** -1022 <= abs(v) <= Fraction(2) ** 1023):
            raise DomainError(name, _magnitude(v), "a value within float64's range "
                              "(1e-308 < |v| < 1e308) for a float64 run; use a multiprecision "
                              "backend (--precision)")


def _magnitude(v: Fraction) -> str:
    """``"about 1e-400"``: the order of magnitude of a Fraction of any size."""
    e = math.floor(math.log10(abs(v.numerator)) - math.log10(v.denominator))
    return f"{'-' if v < 0 else ''}about 1e{e}"


def _check_steps(steps, name="steps") -> int:
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
    eta = _check_eta(eta)
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


def gradient_descent(
    problem: Problem,
    eta,
    steps: int,
    *,
    backend: str = "float64",
    dps: float | None = None,
    tol=None,
    patience: int = 3,
    r_max=None,
    record_every: int | None = None,
    record_sharpness: bool | None = None,
    record_gain: bool = False,
    average_last: int = 0,
    decay_steps: int = 0,
    decay_to=Fraction(1, 10),
    stop_at_convergence: bool = True,
    final_sharpness: bool = True,
    callback: Callable[[int], None] | None = None,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_seconds: float = 20.0,
) -> GDResult:
    """Run GD for at most ``steps`` steps and return a :class:`GDResult` with a status.

    Parameters
    ----------
    problem : Problem
    eta : positive number, or callable ``k -> eta_k``
    steps : int >= 0, the step budget
    backend : ``"float64"``, ``"mpmath"`` or ``"flint"``
    dps : decimal digits (multiprecision backends)
    tol : loss tolerance for ``converged`` (default :func:`default_tol`)
    patience : consecutive steps with loss ``<= tol`` required
    r_max : divergence bound on ``max |r|`` (default ``1e8 max(1, |y|)``)
    record_every : record metrics every this many steps (default ``max(1, steps // 500)``)
    record_sharpness : record ``S`` and ``lambda_max`` (an eigen-solve of the ``kd x kd``
        Hessian per record; default: when ``kd <= 64``)
    record_gain : record the effective-initialisation gain
    average_last : when not converged, measure on the mean of the last K iterates
        ``theta_{steps-K+1}, ..., theta_steps``
    decay_steps, decay_to : after the budget, if not converged, run ``decay_steps`` more steps
        with ``eta`` decaying geometrically to ``decay_to * eta``, then measure (not together
        with ``average_last``)
    stop_at_convergence : stop as soon as ``converged`` is established
    final_sharpness : compute ``S`` and ``lambda_max`` at the end
    callback : called with the step count every ``record_every`` steps (progress bars)
    checkpoint : a file path: the run saves its exact state there every ``checkpoint_seconds``
        and, when started again with the same arguments, resumes from it, giving bit-for-bit
        the result of an uninterrupted run. A checkpoint of other arguments is refused.

    Returns
    -------
    GDResult

    Raises
    ------
    DomainError
        Invalid arguments, or a checkpoint written for other arguments.
    """
    steps = _check_steps(steps)
    decay_steps = _check_steps(decay_steps, "decay_steps")
    average_last = _check_steps(average_last, "average_last")
    if average_last > steps:
        raise DomainError("average_last", average_last, f"at most steps = {steps}")
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
        raise DomainError("patience", patience, "an integer >= 1 is required")
    eta = _check_eta(eta)
    be = get_backend(backend, dps)
    if be.name == "float64":
        check_float64(problem)
        if not callable(eta) and not Fraction(2) ** -1022 <= eta <= Fraction(2) ** 1023:
            raise DomainError("eta", _magnitude(eta), "a learning rate within float64's range "
                              "for a float64 run")
    tol = default_tol(problem, be.dps) if tol is None else as_fraction(tol, "tol")
    if tol <= 0:
        raise DomainError("tol", tol, "tol > 0 is required")
    scale = max(Fraction(1), max(abs(v) for v in problem.y))
    r_max = Fraction(10**8) * scale if r_max is None else as_fraction(r_max, "r_max")
    if record_every is None:
        record_every = max(1, steps // 500)
    elif isinstance(record_every, bool) or not isinstance(record_every, int) or record_every < 1:
        raise DomainError("record_every", record_every, "an integer >= 1 is required")
    if record_sharpness is None:
        record_sharpness = problem.k * problem.d <= 64
    decay_to = as_fraction(decay_to, "decay_to")
    if decay_steps and not 0 < decay_to <= 1:
        raise DomainError("decay_to", decay_to, "0 < decay_to <= 1 is required")
    if decay_steps and callable(eta):
        raise DomainError("decay_steps", decay_steps, "a constant eta (a schedule already "
                          "decides its own decay)")
    if decay_steps and average_last:
        raise DomainError("average_last", average_last, "0 with decay_steps: measure either on "
                          "the average of the last iterates or after a decay, not both")
    eta_fn = _decay_schedule(eta, steps, decay_steps, decay_to) if decay_steps else eta
    total = steps + decay_steps

    settings = saved = None
    if checkpoint is not None:
        if callable(eta):
            raise DomainError("checkpoint", str(checkpoint), "a constant eta (a schedule "
                              "cannot be recorded in a checkpoint)")
        folder = Path(checkpoint).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise DomainError("checkpoint", str(checkpoint), "a path in an existing, writable "
                              "directory")
        settings = dict(problem=problem.key(), eta=_eta_text(eta), steps=steps,
                        backend=be.name, dps=None if be.name == "float64" else be.dps,
                        tol=str(tol), patience=patience, r_max=str(r_max),
                        record_every=record_every, record_sharpness=bool(record_sharpness),
                        record_gain=bool(record_gain), average_last=average_last,
                        decay_steps=decay_steps, decay_to=str(decay_to),
                        stop_at_convergence=bool(stop_at_convergence))
        saved = _load_checkpoint(checkpoint, settings)

    traj = Trajectory()
    history: deque = deque(maxlen=128)
    recent: deque = deque(maxlen=32)  # last iterates, to measure a periodic orbit's centre
    below, sums, start, theta0, G0 = 0, None, 0, None, None
    if saved is not None:
        start, below = saved["k"], saved["below"]
        theta0 = [[_undyadic(v) for v in t] for t in saved["theta"]]
        G0 = [_undyadic(v) for v in saved["G_sum"]]
        history.extend(saved["history"])
        recent_saved = saved.get("recent", [])
        for key, values in saved["trajectory"].items():
            getattr(traj, key).extend(values)
        if saved["sums"] is not None:
            sums = [[_undyadic(v) for v in t] for t in saved["sums"]]
    rtol2 = 2 * tol
    with be.scope():
        rtol_be = be.scalar(_fraction_sqrt(rtol2))
        r_max_be = be.scalar(r_max)
        sharp = record_sharpness or final_sharpness
        A = [[be.scalar(v) for v in row] for row in gram_matrix_A(problem)] if sharp else None
        X = [[be.scalar(v) for v in row] for row in problem.X] if sharp else None
        if sums is not None:
            sums = tuple(be.vector(t) for t in sums)
        if saved is not None:
            recent.extend(tuple(be.vector([_undyadic(v) for v in t]) for t in th)
                          for th in recent_saved)
        status, diverged_at, last = "not_converged", None, None
        clock = time.monotonic()
        for state in iterate(problem, eta_fn, backend=be, theta0=theta0, start=start,
                             G_sum0=G0):
            k = state.k
            # a resumed run yields its checkpointed state again: its bookkeeping (below,
            # history, records, sums) is already in the checkpoint and must not count twice
            fresh = saved is None or k > start
            if not be.is_finite(state.r) or not all(be.abs_le(ri, r_max_be) for ri in state.r):
                status, diverged_at, last = "diverged", k, state
                break
            if fresh:
                below = below + 1 if all(be.abs_le(ri, rtol_be) for ri in state.r) else 0
                history.append(be.to_float(state.r[0]))
                recent.append(state.theta)
            done = below >= patience and stop_at_convergence
            if fresh and (k % record_every == 0 or k == total or done):
                _record(traj, problem, be, state, record_sharpness, record_gain, A, X)
                if callback is not None:
                    callback(k)
            if done:
                status, last = "converged", state
                break
            if fresh and average_last and steps - average_last < k <= steps:
                point = state.theta + (state.G_sum,)
                sums = point if sums is None else tuple(s + t for s, t in zip(sums, point))
            if k >= total:
                last = state
                status = "converged" if below >= patience else "not_converged"
                break
            if checkpoint is not None and k % 1024 == 0 and k > start:
                now = time.monotonic()
                if now - clock >= checkpoint_seconds:
                    _save_checkpoint(checkpoint, settings, be, state, below, history, traj,
                                     sums, recent)
                    clock = now
        if checkpoint is not None:
            _save_checkpoint(checkpoint, settings, be, last, below, history, traj, sums,
                             recent)
        return _finish(problem, be, eta, eta_fn, status, diverged_at, last, tol, traj,
                       history, sums, average_last, decay_steps, decay_to, final_sharpness,
                       A, X, recent)


def _finish(problem, be, eta, eta_fn, status, diverged_at, last, tol, traj, history, sums,
            average_last, decay_steps, decay_to, final_sharpness, A, X, recent) -> GDResult:
    """Final measurements of a run (inside the backend's scope)."""
    F = be.to_fraction
    diagnosis: dict = {}
    if status == "diverged":
        return GDResult(
            status, diverged_at, ("schedule" if callable(eta) else eta), be.name, be.dps,
            tuple(_safe_fraction(be, b) for b in last.beta), (), None, None, None, None, None,
            None, None, diverged_at, tol, diagnosis, traj, "")
    theta, g, G_sum = last.theta, last.g, last.G_sum
    Xd = be.data(problem.X)
    if status == "not_converged":
        diagnosis.update(_period(history))
        if average_last:
            # the mean of the last K iterates theta_{steps-K+1..steps}, and of their G_sum
            mean = tuple(be.clean(s / be.scalar(average_last)) for s in sums)
            theta, G_sum = mean[:-1], mean[-1]
            r_avg = be.matvec(Xd, problem.parametrisation.beta(theta)) - be.vector(problem.y)
            g = be.rmatvec(Xd, r_avg) * be.scalar(Fraction(1, problem.n))
            diagnosis["averaged_over"] = average_last
        if decay_steps:
            diagnosis["decayed_to"] = float(decay_to)
    beta = problem.parametrisation.beta(theta)
    r = be.matvec(Xd, beta) - be.vector(problem.y)
    loss = (r * r).sum() * be.scalar(Fraction(1, 2 * problem.n))
    S = lam = None
    form = ""
    if final_sharpness:
        zero_loss = status == "converged"
        _, lam, S = spectrum(problem, be, theta, g, zero_loss, A, X)
        form = "gram" if zero_loss else "full"
        if status == "not_converged":
            e_last = _eta_value(eta_fn, last.k)
            ratio = be.to_float(S) * e_last / 2
            diagnosis["S_times_eta_over_2"] = ratio
            period = diagnosis.get("period")
            if period and not average_last and len(recent) >= period:
                # the edge-of-stability statement is about the orbit's centre, not its ends
                orbit = list(recent)[-period:]
                centre = tuple(be.clean(sum(t[j] for t in orbit) / be.scalar(period))
                               for j in range(len(theta)))
                rc = be.matvec(Xd, problem.parametrisation.beta(centre)) - be.vector(problem.y)
                gc = be.rmatvec(Xd, rc) * be.scalar(Fraction(1, problem.n))
                _, _, Sc = spectrum(problem, be, centre, gc, False, A, X)
                diagnosis["S_centre_times_eta_over_2"] = be.to_float(Sc) * e_last / 2
                ratio = diagnosis["S_centre_times_eta_over_2"]
            diagnosis["near_edge"] = bool(abs(ratio - 1) <= 0.05)
    risk = _risk(problem, be, beta)
    gain = gains(problem, be, theta, G_sum)
    return GDResult(
        status=status,
        steps=last.k,
        eta=("schedule" if callable(eta) else eta),
        backend=be.name,
        dps=be.dps,
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
        tol=tol,
        diagnosis=diagnosis,
        trajectory=traj,
        sharpness_form=form,
    )


def _decay_schedule(base: Fraction, steps: int, decay_steps: int, decay_to: Fraction):
    """``eta_k = eta`` for ``k < steps``, then ``eta (decay_to)^((k - steps)/decay_steps)``.

    The decayed rates are float64 numbers (as exact Fractions), the same at every precision;
    exact powers of a Fraction would grow without bound and cost quadratic time.
    """
    b, ratio = float(base), float(decay_to) ** (1.0 / decay_steps)

    def schedule(k: int) -> Fraction:
        return base if k < steps else Fraction(b * ratio ** (k - steps))
    return schedule


def _eta_text(eta) -> str:
    return "schedule" if callable(eta) else str(eta)


# --------------------------------------------------------------------------- checkpoints
CHECKPOINT_VERSION = 1


def _load_checkpoint(path, settings: dict) -> dict | None:
    p = Path(path)
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text())
    except (OSError, ValueError):
        raise DomainError("checkpoint", str(p), "a readable normsharp checkpoint (delete the "
                          "file to start afresh)") from None
    if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
        raise DomainError("checkpoint", str(p), "a normsharp checkpoint (delete the file to "
                          "start afresh)")
    if data.get("version") != CHECKPOINT_VERSION or data.get("settings") != settings:
        raise DomainError("checkpoint", str(p), "the same arguments as the run that wrote it "
                          "(use another file, or delete it to start afresh)")
    return data["state"]


def _dyadic(q: Fraction) -> str:
    """``m*2^e`` as ``"m p e"`` (hex mantissa): exact and compact for binary floating values."""
    den = q.denominator
    e = den.bit_length() - 1
    if den != 1 << e:
        raise ValueError(f"not a binary fraction: {q}")
    num, e = q.numerator, -e
    while num and num % 2 == 0 and e < 0:
        num //= 2
        e += 1
    return f"{num:x}p{e}"


def _undyadic(text: str) -> Fraction:
    m, e = text.split("p")
    e = int(e)
    m = int(m, 16)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2**-e)


def _save_checkpoint(path, settings, be, state, below, history, traj, sums, recent) -> None:
    """Write the exact state atomically (temporary file, fsync, rename)."""
    if state is None:
        return
    F = be.to_fraction
    data = {
        "version": CHECKPOINT_VERSION,
        "settings": settings,
        "state": {
            "k": state.k,
            "below": below,
            "theta": [[_dyadic(F(v)) for v in t] for t in state.theta],
            "G_sum": [_dyadic(F(v)) for v in state.G_sum],
            "history": list(history),
            "trajectory": traj.as_dict(),
            "sums": None if sums is None else [[_dyadic(F(v)) for v in t] for t in sums],
            "recent": [[[_dyadic(F(v)) for v in t] for t in th] for th in recent],
        },
    }
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "w") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)


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


def _record(traj, problem, be, state, sharp, record_gain, A, X):
    f = be.to_float
    traj.step.append(state.k)
    traj.loss.append(f((state.r * state.r).sum()) / (2 * problem.n))
    traj.param_norm_sq.append(f(param_norm_sq(state.theta)))
    traj.l1_norm.append(f(sum(abs(b) for b in state.beta)))
    risk = _risk(problem, be, state.beta)
    traj.risk.append(None if risk is None else f(risk))
    if sharp:
        low, lam, S = spectrum(problem, be, state.theta, state.g, False, A, X)
        traj.S.append(f(S))
        traj.lambda_max.append(f(lam))
    if record_gain:
        traj.gain.append([f(v) for v in gains(problem, be, state.theta, state.G_sum)])


# ----------------------------------------------------------------------------- float64 batch
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
    steps = _check_steps(steps)
    etas = np.asarray([float(_check_eta(e)) for e in np.atleast_1d(etas)], dtype=float)
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
