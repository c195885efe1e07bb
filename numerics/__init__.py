"""Numerics at a chosen precision: gradient descent and flow on diagonal networks.

Backends: ``float64`` (numpy), ``mpmath`` (private contexts) and ``flint`` (python-flint Arb as
point arithmetic; balls for certification). Precision is given in decimal digits (``dps``).
Every number leaving this package is exact, or audited by two precisions
(:mod:`numerics.audit`), or an Arb ball.
"""

from .audit import Agreed, AuditedRun, agree, agreed_digits, audited_gd, precision_pair
from .backends import BACKENDS, Backend, get_backend
from .errors import DomainError, NoConvergence, PrecisionLoss
from .flow import (
    AuditedFlow,
    FlowResult,
    PathPoint,
    audited_flow,
    flow_at_times,
    flow_state,
    flow_time,
    gradient_flow,
)
from .gd import (
    BatchResult,
    GDResult,
    State,
    Trajectory,
    default_tol,
    gradient_descent,
    gradient_descent_batch,
    iterate,
)
from .problem import DEFAULT_INSTANCE, PARAMETRISATIONS, Problem

__all__ = [
    "Agreed", "AuditedRun", "agree", "agreed_digits", "audited_gd", "precision_pair",
    "BACKENDS", "Backend", "get_backend", "DomainError", "NoConvergence", "PrecisionLoss",
    "BatchResult", "GDResult", "State", "Trajectory", "default_tol", "gradient_descent",
    "gradient_descent_batch", "iterate", "DEFAULT_INSTANCE", "PARAMETRISATIONS", "Problem",
    "AuditedFlow", "FlowResult", "PathPoint", "audited_flow", "flow_at_times", "flow_state",
    "flow_time", "gradient_flow",
]
