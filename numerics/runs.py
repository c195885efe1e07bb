"""What a gradient-descent run takes and gives: :class:`GDOptions`, :class:`Trajectory`,
:class:`GDResult` (used by :func:`numerics.gd.gradient_descent`, which re-exports them)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from numbers import Real

from .backends import Backend
from .errors import DomainError
from .iterates import check_steps, default_tol
from .precision import FIXED, Precision
from .problem import Problem, as_fraction

__all__ = ["Trajectory", "GDResult", "GDOptions", "options_from"]


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
    trajectory: Trajectory = field(default_factory=Trajectory, repr=False)
    sharpness_form: str = ""
    #: how the steps ran: ``"compiled"``, ``"reference"``, or ``"compiled, then arb at B bits
    #: from step K"`` (a value left float64's exponent range at step K)
    engine: str = "reference"

    @property
    def precision(self) -> Precision:
        """The arithmetic and working precision of this run."""
        return Precision(self.backend, None if self.backend in FIXED else int(self.dps))

    def __repr__(self) -> str:
        """A short summary: one run's numbers, not audited (:func:`numerics.audited_gd`
        audits them), to 6 digits and marked ``~``."""
        eta = self.eta if isinstance(self.eta, str) else _short(self.eta)
        parts = [f"status={self.status!r}", f"steps={self.steps}",
                 f"precision={self.precision.label!r}", f"eta={eta}"]
        if self.diverged_at is None:
            parts += [f"{name}~{_short(getattr(self, name))}" for name in
                      ("loss", "S", "l1_norm") if getattr(self, name) is not None]
            parts.append(f"d={len(self.beta)}")
        if self.engine != "reference":
            parts.append(f"engine={self.engine!r}")
        return f"GDResult({', '.join(parts)})"

    def quantities(self) -> dict:
        """Final scalar and vector quantities by name (for the precision audit)."""
        out = {"beta": self.beta, "loss": self.loss, "S": self.S, "lambda_max": self.lambda_max,
               "l1_norm": self.l1_norm, "param_norm_sq": self.param_norm_sq}
        if self.risk is not None:
            out["risk"] = self.risk
        if self.gain is not None:
            out["gain"] = self.gain
        return out


def _short(q) -> str:
    """``q`` to 6 significant digits (a Fraction of any size)."""
    if q == 0:
        return "0"
    try:
        return f"{float(q):.6g}"
    except OverflowError:
        return "huge"




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


def options_from(options: GDOptions | None, kwargs: dict) -> GDOptions:
    """``options`` with ``kwargs`` (the keyword form of the same fields) applied on top."""
    for name in kwargs:
        if name not in GDOptions.__dataclass_fields__:
            raise TypeError(f"gradient_descent() got an unexpected keyword argument {name!r}")
    if options is None:
        return GDOptions(**kwargs)
    if not isinstance(options, GDOptions):
        raise DomainError("options", options, "a GDOptions (or None)")
    return replace(options, **kwargs) if kwargs else options
