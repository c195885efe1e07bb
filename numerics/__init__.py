"""Numerics at a chosen precision: gradient descent and flow on diagonal networks.

Backends: ``float64``, ``dd`` (double-double, ~31.9 digits) and ``qd`` (quad-double, ~63.8
digits), whose GD steps run on the compiled kernels of :mod:`numerics.kernels`; ``mpmath``
(private contexts) and ``flint`` (python-flint Arb as point arithmetic; balls for
certification) at any ``dps``. Precision is given in decimal digits (``dps``). Every number
leaving this package is exact, or audited by two precisions (:mod:`numerics.audit`; by default
dd against qd), or an Arb ball.
"""

from .audit import Agreed, agree, agreed_digits
from .audited import AuditedFlow, AuditedRun, audited_flow, audited_gd
from .backends import BACKENDS, Backend, get_backend
from .batch import BatchResult, gradient_descent_batch
from .errors import DomainError, NoConvergence, PrecisionLoss
from .flow import FlowResult, PathPoint, flow_at_times, flow_state, flow_time, gradient_flow
from .gd import GDOptions, GDResult, Trajectory, gradient_descent
from .iterates import State, default_tol, iterate
from .precision import DEFAULT_PAIR, Precision, PrecisionPair, check_dps, precision_pair
from .problem import DEFAULT_INSTANCE, PARAMETRISATIONS, Problem

__all__ = [
    "Agreed", "AuditedRun", "agree", "agreed_digits", "audited_gd", "precision_pair",
    "BACKENDS", "Backend", "get_backend", "DomainError", "NoConvergence", "PrecisionLoss",
    "BatchResult", "GDOptions", "GDResult", "State", "Trajectory", "default_tol",
    "gradient_descent", "gradient_descent_batch", "iterate", "DEFAULT_INSTANCE",
    "PARAMETRISATIONS", "Problem",
    "AuditedFlow", "FlowResult", "PathPoint", "audited_flow", "flow_at_times", "flow_state",
    "flow_time", "gradient_flow", "DEFAULT_PAIR", "Precision", "PrecisionPair", "check_dps",
]
