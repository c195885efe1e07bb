"""Verdicts on R1 to R9 from a learning-rate sweep of the default instance (``reproduce``).

:func:`claim_verdicts` is the public entry: it reads the sweep once
(:class:`~proofs_check.sweep_reading.SweepReading`) and asks each claim's room for its verdict,
one small function per claim (``sweep_verdict_R<k>`` in :mod:`proofs_check.checks`), so that the
rule deciding a claim sits next to the claim's checks. Each rule compares numbers that the
theory layer (exact) and the numerics (audited at two precisions) produced on the one-sample
shared model, and is stated next to its verdict, so that a reader can check why a claim held.
Thresholds are fixed before the experiment runs (:mod:`proofs_check.sweep_reading`, re-exported
here with the formatting helpers that print a reported value with at most its agreed digits).
"""

from __future__ import annotations

from .checks.edge_of_stability import sweep_verdict_R9
from .checks.gd_identity import r7_identity_experiment, sweep_verdict_R7
from .checks.generalisation import sweep_verdict_R8
from .checks.gradient_flow import sweep_verdict_R6
from .checks.hessian import sweep_verdict_R1
from .checks.interpolators import sweep_verdict_R2, sweep_verdict_R3
from .checks.pareto import sweep_verdict_R4
from .checks.stability import sweep_verdict_R5
from .sweep_reading import (
    CLAIM_IDS,
    EOS_GAP_MAX,
    ETA_C_REL_TOL,
    ETA_STAR_REL_TOL,
    LADDER_RATIO_MAX,
    MIN_POINTS,
    PLATEAU_REL_TOL,
    SweepReading,
    Verdict,
    compare_reported,
    fmt,
    fmt_g,
    point_digits,
)

__all__ = ["Verdict", "claim_verdicts", "r7_identity_experiment", "fmt", "fmt_g",
           "point_digits", "compare_reported", "ETA_C_REL_TOL",
           "EOS_GAP_MAX", "PLATEAU_REL_TOL", "ETA_STAR_REL_TOL", "LADDER_RATIO_MAX", "MIN_POINTS",
           "SWEEP_VERDICTS"]

#: one verdict function per claim, in claim order (each in its claim's room)
SWEEP_VERDICTS = (sweep_verdict_R1, sweep_verdict_R2, sweep_verdict_R3, sweep_verdict_R4,
                  sweep_verdict_R5, sweep_verdict_R6, sweep_verdict_R7, sweep_verdict_R8,
                  sweep_verdict_R9)


def claim_verdicts(result, ladder=None, identity: dict | None = None) -> list[Verdict]:
    """Verdicts on R1..R9 for a one-sample shared sweep (the default instance of reproduce).

    Parameters
    ----------
    result : SweepResult of the main sweep
    ladder : SweepResult of a few small learning rates (R6), or None
    identity : the output of :func:`r7_identity_experiment`, or None

    Returns
    -------
    list of Verdict
        One per claim of :data:`~proofs_check.sweep_reading.CLAIM_IDS`, in order; all
        ``undecided`` when the sweep's problem is not one the one-sample theory covers.
    """
    if not result.predicted.get("one_sample_theory"):
        return [Verdict(c, "-", "undecided", "not a one-sample shared problem", "-")
                for c in CLAIM_IDS]
    reading = SweepReading(result, ladder, identity)
    return [verdict(reading) for verdict in SWEEP_VERDICTS]
