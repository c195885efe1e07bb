"""What a gradient-flow run returns: :class:`FlowResult`, and :class:`PathPoint` for where along
the path a supremum is attained (exact values of computed binary numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["PathPoint", "FlowResult"]


@dataclass(frozen=True)
class PathPoint:
    """Where along the path a supremum is attained.

    Attributes
    ----------
    R : Fraction (one sample) or tuple of Fractions (``rho``, ``n`` samples)
        The integrated residual ``int_0^t r`` there.
    t : Fraction or None
        The time; ``None`` when the supremum is attained only in the limit ``t -> infinity``.
    at_end : bool
        The supremum is the value at the limit of the path.
    """

    R: object
    t: Fraction | None
    at_end: bool


@dataclass(frozen=True)
class FlowResult:
    """Gradient flow of one problem at one precision (exact values of computed binary numbers).

    Attributes
    ----------
    beta : tuple of Fraction
        The limit of the flow, ``beta(rho_inf)``.
    s_gf : Fraction
        ``sup_t S(theta(t))``, ``S = max |eig Hess L|``: the largest sharpness along the path
        (also :attr:`s_path`).
    lambda_max_sup : Fraction
        ``sup_t lambda_max(Hess L(theta(t)))``.
    eta_c : Fraction
        ``2 / s_end = 2 / S(beta_GF)``: the linear-stability threshold of the flow's *limit*,
        the one ``eta_c`` of the package (R6; theory's and ``normsharp interpolators``').
    eta_path : Fraction
        ``2 / s_gf``: the path's supremum. Where it is attained before the limit (``s_gf_at_end``
        false) the point is not stationary and linear stability says nothing there: on
        ``x = (1, 1/2), y = 1, alpha = 1`` it is 0.33855 (at ``t = 0``) while GD leaves the flow
        near 0.67 and ``eta_c = 0.62127``. Reported, never used as the threshold.
    s_gf_at_end : bool
        Whether ``s_gf`` is the sharpness of the limit (attained as ``t -> infinity``); then
        ``eta_path == eta_c``.
    where : PathPoint
        Where ``s_gf`` is attained.
    lambda_max_at_end : bool
    lambda_max_where : PathPoint
    R_inf : Fraction (one sample) or tuple of Fractions (``rho_inf``)
    s_end : Fraction
        The sharpness at the limit (Gram form, E1).
    dps : int
        The working precision asked for, in decimal digits (the arithmetic carries ``dps +
        GUARD``, :data:`numerics.flow.model.GUARD`).
    method : ``"closed_form"`` (one sample) or ``"taylor"`` (the ODE)
    n : int
    steps : int
        Taylor steps (0 for the closed form).
    t_final : Fraction or None
        Where the ODE integration stopped (``|r| <= 10^-(dps + GUARD/2) max(1, |y|)``).
    """

    beta: tuple
    s_gf: Fraction
    lambda_max_sup: Fraction
    eta_c: Fraction
    s_gf_at_end: bool
    where: PathPoint
    lambda_max_at_end: bool
    lambda_max_where: PathPoint
    R_inf: object
    s_end: Fraction
    dps: int
    method: str
    n: int
    steps: int = 0
    t_final: Fraction | None = None

    @property
    def s_path(self) -> Fraction:
        """``sup_t S(theta(t))`` (the field ``s_gf``)."""
        return self.s_gf

    @property
    def eta_path(self) -> Fraction:
        """``2 / sup_t S(theta(t))`` (see the class notes)."""
        return 2 / self.s_gf

