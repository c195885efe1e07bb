"""Reading a learning-rate sweep as evidence: the pieces every claim's sweep verdict shares.

The verdicts on R1 to R9 from a sweep of the default instance (``normsharp reproduce``) are one
function per claim, each in its claim's room (``proofs_check.checks.<room>.sweep_verdict_R<k>``),
collected by :func:`proofs_check.sweep_claims.claim_verdicts`. Each compares numbers that the
theory layer (exact) and the numerics (audited at two precisions) produced on the one-sample
shared model, and states its rule next to its verdict. This module holds what they share: the
thresholds (fixed before the experiment runs), the :class:`Verdict` record, the confirmed
interpolators and the slack of a reported digit (:class:`SweepReading`), and the formatting that
prints a reported value with at most its agreed digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from .references import EOS_BAND, FLOW_BAND

__all__ = ["Verdict", "SweepReading", "verdict_of", "combine_parts", "confirmed_interpolators",
           "high_dps", "slack", "fmt", "fmt_g", "point_digits", "compare_reported",
           "ETA_C_REL_TOL", "EOS_GAP_MAX", "PLATEAU_REL_TOL", "ETA_STAR_REL_TOL",
           "LADDER_RATIO_MAX", "MIN_POINTS", "CLAIM_IDS"]

#: the claims a sweep of the default instance gives a verdict on, in order
CLAIM_IDS = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9")

#: the verdicts' thresholds, fixed before the experiment (stated in the report)
ETA_C_REL_TOL = Fraction(1, 100)      # R6: observed eta_c within 1% of 2/s_GF
# R9's bands are those of the registry's R9 check (measured there, with their margins), and the
# edge part is judged up to r9_top, above which GD from alpha*1 overshoots (catapults) first
EOS_GAP_MAX = EOS_BAND                # R9: final S within 5% below 2/eta at the edge
PLATEAU_REL_TOL = FLOW_BAND           # R9: final S within 2.5% of s_GF below eta_c
ETA_STAR_REL_TOL = Fraction(1, 20)    # R9: observed best eta within 5% of eta* = 2/S(mu)
LADDER_RATIO_MAX = 2.0                # R6: distance / eta varies by less than this factor
MIN_POINTS = 3                        # fewer confirmed points: undecided


def fmt(value, digits=None, *, unaudited: bool = False, cap: int = 7) -> str:
    """A reported value as text: at most ``min(digits, cap)`` significant digits.

    ``None`` is ``-``; the string ``"chaotic"`` stays; lists are parenthesised; an unaudited
    value is prefixed with ``~``.
    """
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(fmt(v, digits, cap=cap) for v in value) + ")"
    d = cap if digits is None else max(1, min(int(digits), cap))
    text = format(float(value), f".{d}g")
    return ("~" + text) if unaudited else text


def point_digits(pt, key):
    """The digits a sweep point reports for ``key``: agreed digits when the point is confirmed,
    the unaudited rule's digits otherwise (``None`` when it has none)."""
    dg = pt.get("digits")
    if isinstance(dg, dict):
        return dg.get(key)
    return (pt.get("unaudited_digits") or {}).get(key)


def fmt_g(v, d=6):
    """An exact input (a learning rate, a prediction) as text with ``d`` significant digits;
    ``None`` is ``-``. Not for audited values: use :func:`fmt` with their digits."""
    return "-" if v is None else format(float(v), f".{d}g")


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict and the evidence that decided it."""

    id: str
    statement: str
    verdict: str  # held | refuted | undecided
    evidence: str
    rule: str

    def json(self) -> dict:
        return {"id": self.id, "statement": self.statement, "verdict": self.verdict,
                "evidence": self.evidence, "rule": self.rule}


def verdict_of(ok: bool | None) -> str:
    return "undecided" if ok is None else ("held" if ok else "refuted")


def combine_parts(parts: list) -> bool | None:
    """A claim made of parts: refuted when one part is, undecided when one part abstains (or
    there are none), held when all hold."""
    if False in parts:
        return False
    return None if (not parts or None in parts) else True


def confirmed_interpolators(result) -> list:
    """``(eta, point)`` for the grid points both precisions saw converge, to limits whose ``S``
    and ``||beta||_1`` they agree on (a chaotic value is no evidence either way)."""
    return [(e, pt) for e, pt in zip(result.etas, result.points, strict=False)
            if pt["audited"] and pt["status"] == "converged"
            and isinstance(pt.get("S"), float) and isinstance(pt.get("l1_norm"), float)]


def high_dps(result) -> int:
    """Working digits of the sweep's higher confirmation precision."""
    from numerics.precision import Precision

    return Precision.from_label(result.precisions[1]).working_dps


def slack(value: float, digits: int | None) -> float:
    """One unit in the last reported digit of ``value`` (absolute): twice the largest distance
    between a value rounded to ``digits`` significant digits and the number it stands for."""
    if digits is None or digits <= 0:
        return math.inf
    scale = max(abs(value), 1e-300)
    return 10 ** (math.floor(math.log10(scale)) - digits + 1)


def compare_reported(value, digits, reference) -> int | None:
    """How a reported value compares with an exact ``reference``, as far as its digits decide.

    Returns ``-1`` (below) or ``1`` (above) when ``value`` differs from ``reference`` by more
    than one unit in its last digit, ``0`` when it agrees with it to its digits, and ``None``
    when ``value`` is not a number (``None``, ``"chaotic"``) or has no digits.

    Examples
    --------
    >>> compare_reported(3.9788, 5, "3.98"), compare_reported(3.98, 3, "3.9788")
    (-1, 0)
    """
    if not isinstance(value, float) or not digits:
        return None
    ref, unit = float(Fraction(reference)), slack(value, digits)
    if value + unit < ref:
        return -1
    if value - unit > ref:
        return 1
    return 0


@dataclass(frozen=True)
class SweepReading:
    """A one-sample shared sweep with its ladder and R7 experiment, and what every verdict
    reads from them (computed once).

    Attributes
    ----------
    result : SweepResult of the main sweep
    ladder : SweepResult of a few small learning rates (R6), or None
    identity : the output of :func:`proofs_check.checks.gd_identity.r7_identity_experiment`,
        or None
    """

    result: object
    ladder: object = None
    identity: dict | None = None

    @property
    def predicted(self) -> dict:
        return self.result.predicted

    @cached_property
    def confirmed(self) -> list:
        """:func:`confirmed_interpolators` of the main sweep."""
        return confirmed_interpolators(self.result)

    @cached_property
    def x(self) -> list:
        return [float(v) for v in self.result.problem.X[0]]

    @cached_property
    def span(self) -> str:
        """``"N confirmed interpolators (eta a to b)"``."""
        conf = self.confirmed
        lo_eta = fmt_g(conf[0][0], 4) if conf else "-"
        hi_eta = fmt_g(conf[-1][0], 4) if conf else "-"
        return f"{len(conf)} confirmed interpolators (eta {lo_eta} to {hi_eta})"

    @cached_property
    def extremes(self) -> tuple:
        """``(||beta^N||_1, S(beta^N), ||beta^S||_1, S(beta^S))`` as floats (R2, R3)."""
        mn, ms = self.predicted["min_norm"], self.predicted["min_sharpness"]
        return (float(mn["l1_norm"]), float(mn["sharpness"]), float(ms["l1_norm"]),
                float(ms["sharpness"]))

    @property
    def stability_limit(self):
        """The sweep's stability limit ``1/(2 y x_min)`` (or None)."""
        return self.result.stability.get("limit")

    @property
    def eta_c_observed(self):
        return self.result.eta_c_observed

    @cached_property
    def best_block(self):
        """The prediction block of the sweep's least risk: the point prior's when the risk is
        against ``beta*``, else the uniform prior's (None when there is none)."""
        pred = self.predicted
        return pred.get("point") if self.result.best.get("risk_name") == "risk" else \
            pred.get("uniform")
