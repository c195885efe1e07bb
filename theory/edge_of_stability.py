"""Where gradient descent lands at the edge of stability, and the best learning rate (claim R9).

Above the critical learning rate ``eta_c`` the GD limit is pushed along the zero-loss set until
its sharpness is just below ``2/eta`` (the edge of stability). In ``d = 2`` the zero-loss set is
a segment and ``S`` is affine along it, so ``S = 2/eta`` names a unique interpolator. The same
heuristic, "final ``S ~ 2/eta``", turns the best interpolator of R8 into a predicted learning rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._display import compact_repr
from ._exact import decide, one_sample, positive_scalar
from .citations import cites
from .errors import DomainError, NotDecidable
from .generalisation import Prior, optimal_interpolator, uniform_prior
from .gradient_flow import gradient_flow_limit
from .hessian import zero_loss_sharpness
from .stability import stability_thresholds

__all__ = ["BestLearningRate", "eos_interpolator", "predicted_best_learning_rate"]

CLAIM = "R9"
SOURCE = "[MFCKM26]"


@cites(CLAIM, SOURCE)
def eos_interpolator(x, y, eta) -> tuple:
    r"""The d = 2 interpolator whose sharpness is exactly ``2/eta`` (R9).

    Statement
    ---------
    For ``x_1 != x_2`` and ``1/(2 y x_max) <= eta <= 1/(2 y x_min)``:

    .. math:: \beta_1 = \frac{1/(2\eta) - y x_2}{x_1 (x_1 - x_2)},\qquad
              \beta_2 = \frac{y x_1 - 1/(2\eta)}{x_2 (x_1 - x_2)} .

    For ``eta_c < eta < 1/(2 y x_min)`` GD's limit lies close to it, slightly on the flatter
    side (its final ``S`` is slightly below ``2/eta``).

    Parameters
    ----------
    x : two exact reals, ``x_i > 0``, ``x_1 != x_2``
    y : exact real, ``y > 0``
    eta : exact real in ``[1/(2 y x_max), 1/(2 y x_min)]``

    Raises
    ------
    DomainError
        ``d != 2``, ``x_1 = x_2`` (``S`` is constant on ``M``), or ``eta`` outside the range
        where ``2/eta`` is a sharpness of some interpolator.

    Notes
    -----
    Solves ``x_1 b_1 + x_2 b_2 = y``, ``4 (x_1^2 b_1 + x_2^2 b_2) = 2/eta``. The statement
    about GD ("close to it, slightly flatter") is an observation, not a theorem, and it has a
    limited range: from ``w_0 = alpha 1``, once ``2 eta y x_max`` exceeds about 1.6 GD
    overshoots in its first steps and can land far flatter than ``2/eta`` (``eta S/2`` down to
    0.83 at ``x = (4, 2), y = 1/2, alpha = 1/20, eta = 0.4309``, both precisions agreeing; on
    the default instance ``1 - eta S/2`` reaches 0.051 at ``eta = 0.825``). The registry's R9
    checks use ``eta <= min(0.9/(2 y x_min), 1.5/(2 y x_max))``. For ``d > 2`` the
    set ``{S = 2/eta}`` is a polytope; its least-norm point is
    :func:`~theory.stability.least_norm_stable_interpolator`.

    References
    ----------
    R9, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> eos_interpolator([1, "1/2"], 1, "3/5")
    (2/3, 2/3)
    """
    xs, ys = one_sample(x, y, CLAIM)
    if len(xs) != 2:
        raise DomainError("len(x)", len(xs), "d = 2 is required (for d > 2 see "
                          "least_norm_stable_interpolator)", CLAIM)
    e = positive_scalar(eta, "eta", CLAIM)
    x1, x2 = xs
    if decide(sp.Eq(x1, x2), "whether x_1 = x_2", CLAIM):
        raise DomainError("x", xs, "x_1 != x_2 is required (S is constant on M otherwise)", CLAIM)
    t = stability_thresholds(xs, ys)
    lo, hi = t.eta_min_norm_unstable, t.eta_no_stable_interpolator
    if decide(e < lo, "eta < 1/(2 y x_max)", CLAIM) or decide(e > hi, "eta > 1/(2 y x_min)",
                                                               CLAIM):
        raise DomainError("eta", e, f"{lo} <= eta <= {hi} (2/eta must be a sharpness on M)",
                          CLAIM)
    b1 = (1 / (2 * e) - ys * x2) / (x1 * (x1 - x2))
    b2 = (ys * x1 - 1 / (2 * e)) / (x2 * (x1 - x2))
    return (sp.simplify(b1), sp.simplify(b2))


@compact_repr
@dataclass(frozen=True)
class BestLearningRate:
    """The edge-of-stability prediction of the best learning rate (R8, R9).

    Attributes
    ----------
    eta_star : sympy expression
        ``2 / S(beta_opt)``, with ``beta_opt`` the interpolator of least expected risk.
    target : tuple
        ``beta_opt``.
    sharpness : sympy expression
        ``S(beta_opt)``.
    inside : bool or None
        Whether ``eta_c < eta_star < 1/(2 y x_min)``; ``None`` when ``alpha`` is not given, or
        when ``eta_c`` is known only through the equation for ``lambda`` and sympy cannot
        compare it exactly (numerics can, at two precisions).
    """

    eta_star: sp.Expr
    target: tuple
    sharpness: sp.Expr
    inside: bool | None


@cites(CLAIM, SOURCE)
def predicted_best_learning_rate(x, y, prior: Prior | None = None, alpha=None,
                                 Sigma=None) -> BestLearningRate:
    r"""The learning rate predicted to generalise best: ``eta* = 2 / S(beta_opt)`` (R9, R8).

    Statement
    ---------
    .. math:: \eta^\star = \frac{2}{S(\beta^\star)},\qquad
              \beta^\star = \arg\min_{\beta\in M}\mathbb E R(\beta),

    so that the edge-of-stability limit (``S ~ 2/eta``) lands on the best interpolator. For the
    uniform prior ``S(mu) = 4 y mean(x)``. The prediction is meaningful when
    ``eta_c < eta* < 1/(2 y x_min)``.

    Parameters
    ----------
    x : sequence of d >= 2 exact reals, ``x_i > 0``
    y : exact real, ``y > 0``
    prior : Prior, default uniform on ``M``
    alpha : exact real, ``alpha > 0``, optional (to compare with ``eta_c``)
    Sigma : population covariance, default the identity

    Notes
    -----
    A heuristic prediction, not a bound: GD stops slightly below ``2/eta``, so the observed
    best learning rate is expected slightly below ``eta*``.

    References
    ----------
    R9 (with R8), [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification.

    Examples
    --------
    >>> b = predicted_best_learning_rate([1, "1/2"], 1, alpha="1/100")
    >>> b.eta_star, b.sharpness, b.inside
    (2/3, 3, True)
    """
    xs, ys = one_sample(x, y, CLAIM)
    prior = uniform_prior(xs, ys) if prior is None else prior
    target = optimal_interpolator(xs, ys, prior, Sigma)
    S = zero_loss_sharpness(xs, ys, target)
    eta_star = 2 / S
    inside = None
    if alpha is not None:
        a = positive_scalar(alpha, "alpha", CLAIM)
        limit = gradient_flow_limit(xs, ys, a)
        hi = stability_thresholds(xs, ys).eta_no_stable_interpolator
        inside = None
        try:
            if limit.exact:
                below = decide(limit.eta_c < eta_star, "eta_c < eta*", CLAIM)
            elif limit.lam_bounds is not None:  # eta_c known through a proved enclosure
                c_lo, c_hi = (sp.Rational(v.numerator, v.denominator)
                              for v in limit.bounds("eta_c"))
                below = (True if decide(c_hi < eta_star, "eta_c < eta*", CLAIM) else
                         False if decide(c_lo >= eta_star, "eta_c >= eta*", CLAIM) else None)
            else:
                below = None  # symbolic data: eta_c only through its equation
            if below is not None:
                inside = below and decide(eta_star < hi, "eta* < 1/(2 y x_min)", CLAIM)
        except NotDecidable:
            inside = None
    return BestLearningRate(eta_star, target, S, inside)
