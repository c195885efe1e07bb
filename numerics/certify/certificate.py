"""The certificate: Arb enclosures of the interpolator reached from a converged run, its
sharpness and the R5 verdict, with the JSON form ``normsharp gd --json`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .balls import _ball_text, _width, arb_interval

DEFINITION = (
    "beta(rho*) for the gradient flow started at the final GD iterate theta_K: beta(rho) is the "
    "closed-form flow map as a function of rho = int r dt (s = X^T rho / n), and rho* is the "
    "unique root of F(rho) = X beta(rho) - y, certified to exist and be unique in the box by the "
    "Krawczyk test")
GAP_NOTE = (
    "ESTIMATE, NOT CERTIFIED: first-order size of |GD limit - certified interpolator| (max norm), "
    "from the residual at theta_K, the contraction rate q = max_j |1 - eta lambda_j| and the "
    "second-order discrepancy c eta^2 sum_k g_k^2 between GD and gradient-flow steps; null when "
    "q >= 1. It bounds g_i = (X^T r)_i / n by the 2-norm of column i of X times the max norm of "
    "r, where Cauchy-Schwarz needs the 2-norm of r (up to sqrt(n) times larger), so it can be "
    "low by up to a factor n (n = number of samples)")


@dataclass(frozen=True)
class Certificate:
    """Arb enclosures of the interpolator reached from a converged run, and its R5 verdict.

    Attributes
    ----------
    eta : Fraction, the learning rate the verdict refers to
    dps : int, the certification's working precision in decimal digits (``prec`` bits add
        :data:`~numerics.certify.GUARD_BITS`)
    rho : tuple of arb, the enclosure of ``rho* = int_0^inf r dt`` (length ``n``)
    beta : tuple of arb, the enclosure of the interpolator ``beta(rho*)`` (length ``d``)
    theta : tuple of tuples of arb, the parameters ``theta(rho*)``
    gram_eigenvalues : tuple of arb, enclosures of the eigenvalues of
        ``G = (1/n) X diag(|J|^2) X^T`` at the interpolator, decreasing (for clusters that
        Gershgorin cannot separate, each member gets the cluster's hull)
    sharpness : arb, the enclosure of ``S`` (the largest eigenvalue of ``G``, E1)
    two_over_eta : Fraction, the exact threshold of R5
    stable : ``"stable"`` (``S < 2/eta`` certified), ``"unstable"`` (``S > 2/eta``) or
        ``"undecided"``
    gd_limit_gap_estimate : float or None, NOT certified (see :func:`certify_point`)
    contraction : float or None, ``q = max_j |1 - eta lambda_j|`` (midpoints)
    residual_norm : float, ``max_m |r_m|`` at ``theta_K`` (midpoint arithmetic)
    krawczyk : dict, the box radius accepted, the inflations tried, the contraction bound
    cross_checks : dict, name -> (arb, overlaps with ``sharpness``)
    seconds : float, wall time of the certification

    Notes
    -----
    The balls are python-flint ``arb`` values. Arb rounds *new* operations to the current
    context precision (53 bits by default), so compare or convert them inside
    ``flint.ctx.workprec(cert.prec)``: at 53 bits ``ball.contains(fmpq(...))`` first rounds the
    rational to a 53-bit ball, which a 100-digit ball cannot contain.
    """

    eta: Fraction
    dps: int
    prec: int
    rho: tuple
    beta: tuple
    theta: tuple
    gram_eigenvalues: tuple
    sharpness: object
    two_over_eta: Fraction
    stable: str
    gd_limit_gap_estimate: float | None
    contraction: float | None
    residual_norm: float
    krawczyk: dict = field(default_factory=dict)
    cross_checks: dict = field(default_factory=dict)
    eigen_method: str = ""
    seconds: float = 0.0

    @property
    def beta_width(self) -> float:
        """The largest width of the ``beta`` balls (rounded up)."""
        return max(_width(b) for b in self.beta)

    @property
    def sharpness_width(self) -> float:
        """The width of the sharpness ball (rounded up)."""
        return _width(self.sharpness)

    def to_json(self) -> dict:
        """A JSON-able dict: intervals as ``[lower, upper]`` floats rounded outward, and balls as
        strings (``"[mid +/- rad]"``, Arb's notation; every printed digit is certified)."""
        digits = self.dps  # Arb prints only the certified ones among them
        return {
            "stable": self.stable,
            "two_over_eta": str(self.two_over_eta),
            "sharpness": arb_interval(self.sharpness),
            "sharpness_ball": _ball_text(self.sharpness, digits),
            "gram_eigenvalues": [arb_interval(e) for e in self.gram_eigenvalues],
            "interpolator": {
                "definition": DEFINITION,
                "beta": [arb_interval(b) for b in self.beta],
                "beta_balls": [_ball_text(b, digits) for b in self.beta],
                "theta": [[arb_interval(t) for t in block] for block in self.theta],
                "rho": [arb_interval(r) for r in self.rho],
                "beta_width": self.beta_width,
            },
            "gd_limit_gap_estimate": self.gd_limit_gap_estimate,
            "gd_limit_gap": {"certified": False, "estimate": self.gd_limit_gap_estimate,
                             "contraction": self.contraction,
                             "residual_at_theta_K": self.residual_norm, "note": GAP_NOTE},
            "method": {"interpolator": "Krawczyk operator on F(rho) = X beta(rho) - y",
                       "eigenvalues": self.eigen_method, "dps": self.dps, "prec_bits": self.prec,
                       "krawczyk": dict(self.krawczyk)},
            "cross_checks": {k: {"ball": _ball_text(v[0], digits), "interval": arb_interval(v[0]),
                                 "overlaps_sharpness": v[1]}
                             for k, v in self.cross_checks.items()},
        }
