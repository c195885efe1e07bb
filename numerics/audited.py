"""Audited runs: the same computation at two precisions, and only the digits both share.

:func:`audited_gd` runs gradient descent, :func:`audited_flow` gradient flow, each at the two
precisions of a :class:`~numerics.precision.PrecisionPair` (:data:`~numerics.precision.
DEFAULT_PAIR` unless ``precision`` is given), and audits every final quantity with the rule of
:mod:`numerics.audit` (:func:`~numerics.audit.audit_quantity`: agreed digits, the chance rule for
unsettled runs, a converged loss as a bound).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .audit import Agreed, agree, audit_diagnosis, audit_quantity, settled
from .flow import FlowResult, PathPoint, gradient_flow
from .gd import GDResult, gradient_descent
from .precision import precision_pair
from .problem import Problem

__all__ = ["AuditedRun", "audited_gd", "AuditedFlow", "audited_flow", "QUANTITIES"]


#: audited quantity name -> GDResult attribute
QUANTITIES = {"beta": "beta", "loss": "loss", "sharpness": "S", "lambda_max": "lambda_max",
              "l1_norm": "l1_norm", "param_norm_sq": "param_norm_sq", "risk": "risk",
              "gain": "gain"}


@dataclass
class AuditedRun:
    """Two runs of the same GD problem and the quantities they agree on.

    ``status`` is the common status; ``"not_converged"`` when only the lower precision reached
    its (coarser) tolerance; ``"chaotic"`` when the two precisions disagree on the outcome
    itself (one diverges, the other does not).
    """

    status: str
    low: GDResult
    high: GDResult
    quantities: dict = field(default_factory=dict)

    @property
    def settled(self) -> bool:
        """See :func:`settled`."""
        return settled(self.low, self.high)

    def __repr__(self) -> str:
        """A short summary: the status, the precisions and the scalar quantities with their
        agreed digits only."""
        parts = [f"status={self.status!r}", f"steps={self.high.steps}",
                 f"precisions={self.low.precision.label}/{self.high.precision.label}"]
        for key in ("sharpness", "l1_norm", "loss", "risk"):
            q = self.quantities.get(key)
            if q is not None and q.value is not None:
                parts.append(f"{key}={q.text()}")
        return f"AuditedRun({', '.join(parts)})"

    @property
    def cap(self) -> int:
        """Most digits the pair can agree on: the lower precision's."""
        return self.low.precision.cap

    @property
    def digits(self) -> dict:
        return {k: (v.digits if v.kind == "agreed" else "bound")
                for k, v in self.quantities.items() if v.value is not None}

    def to_json(self) -> dict:
        """The ``normsharp gd --json`` object (without ``certified``)."""
        q = self.quantities
        out = {"status": self.status, "steps": self.high.steps,
               "steps_low_precision": self.low.steps}
        for key in QUANTITIES:
            if key in q and (q[key].value is not None or key != "risk"):
                out[key] = q[key].json()
        out["digits"] = self.digits
        out["precisions"] = [self.low.precision.label, self.high.precision.label]
        out["engines"] = [self.low.engine, self.high.engine]
        if self.high.diverged_at is not None:
            out["diverged_at"] = self.high.diverged_at
        if self.diagnosis:
            out["diagnosis"] = self.diagnosis
        return out

    @property
    def audited_diagnosis(self) -> dict:
        """The two runs' diagnoses, keeping only what both share (numbers as :class:`Agreed`)."""
        return audit_diagnosis(self.low.diagnosis, self.high.diagnosis, self.cap,
                               settled=self.settled)

    @property
    def diagnosis(self) -> dict:
        """:attr:`audited_diagnosis` as JSON values (agreed numbers, or ``"chaotic"``)."""
        return {k: (v.json() if isinstance(v, Agreed) else v)
                for k, v in self.audited_diagnosis.items()}

    def diagnosis_text(self) -> str:
        """:attr:`audited_diagnosis` as one line of text (agreed digits only)."""
        return ", ".join(f"{k}={v.text() if isinstance(v, Agreed) else v}"
                         for k, v in self.audited_diagnosis.items())


def audited_gd(problem, eta, steps, *, precision: int | None = None, backend: str = "flint",
               **kwargs) -> AuditedRun:
    """Run :func:`~numerics.gd.gradient_descent` at two precisions and audit the results.

    Parameters
    ----------
    precision : None (:data:`~numerics.precision.DEFAULT_PAIR`: dd against qd, compiled) or
        ``p`` (``p`` against ``2p`` digits of ``backend``)
    backend : the multiprecision backend of ``precision=p``, ``"flint"`` (fast) or ``"mpmath"``
    kwargs : passed to :func:`~numerics.gd.gradient_descent` for both runs (``callback``,
        ``progress``, ``engine``, ``options`` and the fields of
        :class:`~numerics.gd.GDOptions`); a ``checkpoint`` path becomes one file per precision
        (``PATH.dd``, ``PATH.qd``; ``PATH.flint20``, ``PATH.flint40``); ``progress`` sees each
        phase prefixed with its precision (``"qd: steps"``)
    """
    pair = precision_pair(precision, backend)
    checkpoint = kwargs.pop("checkpoint", None)
    progress = kwargs.pop("progress", None)

    def one(p):
        ck = None if checkpoint is None else f"{checkpoint}.{p.backend}{p.dps or ''}"
        labelled = None if progress is None else (
            lambda phase, done, total: progress(f"{p.label}: {phase}", done, total))
        return gradient_descent(problem, eta, steps, backend=p.backend, dps=p.dps,
                                checkpoint=ck, progress=labelled, **kwargs)
    low, high = one(pair.low), one(pair.high)
    statuses = {low.status, high.status}
    if len(statuses) == 1:
        status = low.status
    elif statuses == {"converged", "not_converged"}:
        # each precision has its own tolerance: the finer one has not got there yet
        status = "not_converged"
    else:
        status = "chaotic"
    run = AuditedRun(status, low, high)
    if "diverged" in statuses:
        return run
    converged = "converged" in statuses
    for key, attr in QUANTITIES.items():
        run.quantities[key] = audit_quantity(
            key, getattr(low, attr), getattr(high, attr), run.cap, settled=run.settled,
            bound=(key == "loss" and converged))
    return run


@dataclass
class AuditedFlow:
    """Gradient flow at two precisions and the digits they agree on.

    Attributes
    ----------
    low, high : FlowResult
        The runs at ``p`` and ``2p`` digits.
    quantities : dict of name -> :class:`~numerics.audit.Agreed`
        ``beta``, ``s_gf`` (the path's supremum), ``lambda_max_sup``, ``eta_c`` (``2/s_end``,
        the limit's threshold), ``eta_path`` (``2/s_gf``), ``s_end``, ``R_inf``, ``where_R``,
        ``where_t``, ``lambda_max_where_R``, ``lambda_max_where_t``.
    s_gf_at_end, lambda_max_at_end : bool or None
        ``None`` when the two precisions disagree (a tie between the end and an interior point
        that the lower precision cannot resolve).
    """

    low: FlowResult
    high: FlowResult
    quantities: dict = field(default_factory=dict)
    s_gf_at_end: bool | None = None
    lambda_max_at_end: bool | None = None

    @property
    def digits(self) -> dict:
        """Agreed digits per quantity (quantities that exist only)."""
        return {k: v.digits for k, v in self.quantities.items() if v.value is not None}

    def to_json(self) -> dict:
        """The ``normsharp flow --json`` object."""
        q = self.quantities
        out = {"beta": q["beta"].json(), "s_gf": q["s_gf"].json(), "eta_c": q["eta_c"].json(),
               "eta_path": q["eta_path"].json(),
               "s_gf_at_end": self.s_gf_at_end, "lambda_max_sup": q["lambda_max_sup"].json(),
               "lambda_max_at_end": self.lambda_max_at_end,
               "where": {"R": q["where_R"].json(), "t": q["where_t"].json()},
               "lambda_max_where": {"R": q["lambda_max_where_R"].json(),
                                    "t": q["lambda_max_where_t"].json()},
               "s_end": q["s_end"].json(), "R_inf": q["R_inf"].json(),
               "digits": self.digits,
               "text": {k: v.text() for k, v in q.items() if v.value is not None},
               "precisions": [f"mpmath:{self.low.dps}", f"mpmath:{self.high.dps}"],
               "method": self.high.method}
        return out


def _agreed_point(name, a: PathPoint, b: PathPoint, cap) -> list:
    return [agree(f"{name}_R", a.R, b.R, cap),
            agree(f"{name}_t", a.t, b.t, cap) if (a.t is None) == (b.t is None)
            else Agreed(f"{name}_t", b.t, 0)]


def audited_flow(problem: Problem, precision: int | None = None) -> AuditedFlow:
    r"""Gradient flow at ``p`` and ``2p`` digits; per quantity, the digits both runs share.

    Statement
    ---------
    For each output ``q`` (scalars; vectors in the max norm) the agreed digits are those of
    :func:`numerics.audit.agreed_digits` between ``q(p)`` and ``q(2p)``, capped at ``p``.

    Parameters
    ----------
    problem : Problem
    precision : None or int, ``5 <= p <= 50000``
        ``None`` means the package's :data:`~numerics.precision.DEFAULT_PAIR` (dd's share runs
        at 32 digits, against qd's 64). Checked before either run, so that ``2p`` stays within
        the ``dps`` range of :func:`gradient_flow` (``<= 100000``).

    Returns
    -------
    AuditedFlow

    Raises
    ------
    DomainError
        A bad ``precision`` (not an integer, or outside ``5..50000``; the error names
        ``precision``), or a bad problem (see :func:`gradient_flow`).

    References
    ----------
    [MFCKM26] Appendix B, R6; E5.

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> run = audited_flow(Problem([1, "1/2"], 1, "1/100"))
    >>> run.quantities["eta_c"].text(), run.s_gf_at_end
    ('0.50124999609376831045150808989708', True)
    """
    pair = precision_pair(precision, "mpmath")
    low = gradient_flow(problem, pair.low.working_dps)
    high = gradient_flow(problem, pair.high.working_dps)
    cap = pair.low.working_dps
    q = {}
    for name in ("beta", "s_gf", "lambda_max_sup", "eta_c", "eta_path", "s_end", "R_inf"):
        q[name] = agree(name, getattr(low, name), getattr(high, name), cap)
    for item in (_agreed_point("where", low.where, high.where, cap)
                 + _agreed_point("lambda_max_where", low.lambda_max_where,
                                 high.lambda_max_where, cap)):
        q[item.name] = item
    return AuditedFlow(
        low, high, q,
        s_gf_at_end=low.s_gf_at_end if low.s_gf_at_end == high.s_gf_at_end else None,
        lambda_max_at_end=(low.lambda_max_at_end
                           if low.lambda_max_at_end == high.lambda_max_at_end else None))
