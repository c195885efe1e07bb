"""Linear stability of interpolators under gradient descent (claim R5).

At an interpolator the GD map ``w -> w - eta grad L(w)`` has Jacobian ``I - eta Hess L``. The
Hessian there is ``4 (x*w)(x*w)^T`` (R1): eigenvalue ``S`` once and ``0`` with multiplicity
``d - 1`` (the tangent directions of the zero-loss manifold, neutral for GD). The only
non-trivial Jacobian eigenvalue is ``1 - eta S``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._display import compact_repr
from ._exact import decide, exact, one_sample, positive_scalar, require_nonnegative
from .citations import cites
from .interpolators import min_norm_interpolator, min_sharpness_interpolator
from .pareto import pareto_front

__all__ = [
    "Thresholds",
    "jacobian_eigenvalue",
    "is_linearly_stable",
    "stability_thresholds",
    "least_norm_stable_interpolator",
]

CLAIM = "R5"
SOURCE = "[MFCKM26]"


@cites(CLAIM, SOURCE)
def jacobian_eigenvalue(S, eta) -> sp.Expr:
    r"""The non-trivial eigenvalue ``1 - eta S`` of the GD map's Jacobian at an interpolator (R5).

    Statement
    ---------
    .. math:: \operatorname{spec}(I - \eta \nabla^2 L) = \{1 - \eta S,\ 1, \dots, 1\}.

    Parameters
    ----------
    S : exact real, ``S >= 0`` (the sharpness of the interpolator)
    eta : exact real, ``eta > 0``

    References
    ----------
    R5, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> jacobian_eigenvalue(3, "2/3")
    -1
    """
    s = exact(S, "S", claim=CLAIM)
    require_nonnegative(s, "S", CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    return 1 - e * s


@cites(CLAIM, SOURCE)
def is_linearly_stable(S, eta) -> bool:
    r"""Whether an interpolator of sharpness ``S`` is linearly stable for GD with step ``eta`` (R5).

    Statement
    ---------
    .. math:: |1 - \eta S| \le 1 \iff S \le 2/\eta \qquad (S \ge 0,\ \eta > 0).

    Notes
    -----
    At ``S = 2/eta`` exactly the eigenvalue is ``-1``: marginal, and linearisation alone does
    not decide; following the claim's convention this returns ``True`` there.

    References
    ----------
    R5, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> is_linearly_stable(3, "2/3"), is_linearly_stable(3, "7/10")
    (True, False)
    """
    lam = jacobian_eigenvalue(S, eta)
    return decide(sp.Abs(lam) <= 1, "|1 - eta S| <= 1", CLAIM)


@compact_repr
@dataclass(frozen=True)
class Thresholds:
    """Learning rates at which linear stability is lost (R5)."""

    eta_min_norm_unstable: sp.Expr
    eta_no_stable_interpolator: sp.Expr


@cites(CLAIM, SOURCE)
def stability_thresholds(x, y) -> Thresholds:
    r"""The stability thresholds of the shared one-sample model (R5).

    Statement
    ---------
    .. math:: \beta^N \text{ is unstable iff } \eta > \frac{1}{2 y x_{\max}}, \qquad
              \text{no interpolator is stable iff } \eta > \frac{1}{2 y x_{\min}}.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``

    Notes
    -----
    Tight: ``2 / S(beta^N)`` and ``2 / min_M S``, with ``S`` from R2 and R3.

    References
    ----------
    R5, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> t = stability_thresholds([1, "1/2"], 1)
    >>> t.eta_min_norm_unstable, t.eta_no_stable_interpolator
    (1/2, 1)
    """
    xs, ys = one_sample(x, y, CLAIM)
    return Thresholds(
        2 / min_norm_interpolator(xs, ys).sharpness,
        2 / min_sharpness_interpolator(xs, ys).sharpness,
    )


@cites(CLAIM, SOURCE)
def least_norm_stable_interpolator(x, y, eta) -> tuple:
    r"""The interpolator of least norm among those linearly stable at step ``eta`` (R5, R4).

    Statement
    ---------
    .. math:: \arg\min\{\|\beta\|_1 : \beta\in M,\ S(\beta) \le 2/\eta\}
              = \begin{cases} \beta^N & \eta \le 1/(2 y x_{\max}),\\
              \text{the Pareto-front point with } S = 2/\eta & \text{otherwise,}\end{cases}

    and no stable interpolator exists for ``eta > 1/(2 y x_min)``. Since the front's norm falls as
    ``S`` rises, the constraint is active whenever ``beta^N`` is unstable.

    Raises
    ------
    DomainError
        If ``eta > 1/(2 y x_min)``: no interpolator is stable.

    References
    ----------
    R5 (with the front of R4), [MFCKM26] arXiv 2505.21423, as reconstructed in the
    project's specification.

    Examples
    --------
    >>> least_norm_stable_interpolator([1, "1/2"], 1, "3/5")
    (2/3, 2/3)
    """
    xs, ys = one_sample(x, y, CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    t = stability_thresholds(xs, ys)
    if decide(e > t.eta_no_stable_interpolator, "eta > 1/(2 y x_min)", CLAIM):
        from .errors import DomainError

        raise DomainError(
            "eta", e, f"eta <= 1/(2 y x_min) = {t.eta_no_stable_interpolator} (no interpolator "
            "is stable above it)", CLAIM,
        )
    if decide(e <= t.eta_min_norm_unstable, "eta <= 1/(2 y x_max)", CLAIM):
        return min_norm_interpolator(xs, ys).beta
    return pareto_front(xs, ys).interpolator_at(2 / e)
