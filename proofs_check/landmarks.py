r"""Learning rates where claims break: ``eta_c``, GD's plateau edge and the stability limit.

A claim about gradient descent that fails only in a narrow window of learning rates is missed by
uniform draws. The windows that matter sit at three landmarks of a one-sample shared problem
``(x, y, alpha)``:

* ``eta_c = 2 / S(beta_GF)``, the linear-stability threshold of the gradient flow's limit (R6;
  theory's equation for the limit solved at 30 digits,
  :func:`~proofs_check.references.gf_limit_reference`);
* ``eta_plateau = 2 / S_plateau``, with ``S_plateau`` the final sharpness of a short float64 GD
  run at ``eta_c (1 - 1/100)``, just below the transition: GD's own plateau sits slightly below
  ``s_GF``, so ``eta_plateau`` is slightly above ``eta_c`` and predicts where GD actually leaves
  the flow (on the default instance 0.50266 against an observed 0.50303, ``eta_c = 0.50125``);
* ``1 / (2 y x_min)``, beyond which no interpolator is stable (R5).

:func:`landmarks` computes them (cached per data); :data:`OFFSETS` are the signed relative
offsets at which :func:`proofs_check.strategies.learning_rates` draws near each one, log-spaced
from ``10^-6`` to ``10^-1`` so that windows of every width down to ``10^-6`` are hit. A drawn
rate is rounded to a rational with denominator at most :data:`MAX_DENOMINATOR` (a relative
change below ``10^-12``, far inside the narrowest offset).

Notes
-----
The plateau run is float64 and short: it locates a landmark, it is not evidence. When it does not
converge within :data:`PLATEAU_STEPS` steps (tiny ``alpha``, slow escape), there is no plateau
landmark for that instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

__all__ = ["Landmarks", "landmarks", "near", "OFFSETS", "MAX_DENOMINATOR", "PLATEAU_STEPS",
           "PLATEAU_OFFSET"]

F = Fraction
#: signed relative offsets from a landmark: +-{1, 2, 5} x 10^-k, k = 1..6, smallest first (a
#: shrinking search moves toward the landmark itself)
OFFSETS = tuple(s * F(m, 10**k) for k in range(6, 0, -1) for m in (1, 2, 5) for s in (1, -1))
#: a drawn learning rate is the nearest rational with at most this denominator
MAX_DENOMINATOR = 10**12
#: GD's plateau: the final sharpness of a float64 run of this many steps at eta_c (1 - offset)
PLATEAU_STEPS = 20000
PLATEAU_OFFSET = F(1, 100)


@dataclass(frozen=True)
class Landmarks:
    """The three landmarks of one problem (``None`` where not defined).

    Attributes
    ----------
    eta_c : Fraction or None
        ``2 / S(beta_GF)`` (needs ``alpha``).
    eta_plateau : Fraction or None
        ``2 / S`` of GD's plateau just below ``eta_c`` (None when the short run did not
        converge).
    stability_limit : Fraction
        ``1 / (2 y x_min)``.
    """

    eta_c: Fraction | None
    eta_plateau: Fraction | None
    stability_limit: Fraction

    def named(self) -> dict:
        """``{"near-eta-c": eta_c, "near-plateau": ..., "near-stability-limit": ...}``
        without the undefined ones (the ``edge`` names of the strategies)."""
        out = {"near-eta-c": self.eta_c, "near-plateau": self.eta_plateau,
               "near-stability-limit": self.stability_limit}
        return {k: v for k, v in out.items() if v is not None}


def landmarks(x, y, alpha=None) -> Landmarks:
    """The landmarks of one sample ``x > 0``, ``y > 0`` with initialisation scale ``alpha``
    (module notes); cached per data.

    Examples
    --------
    >>> lm = landmarks([1, "1/2"], 1, "1/100")
    >>> f"{float(lm.eta_c):.6f} {float(lm.eta_plateau):.5f}", lm.stability_limit
    ('0.501250 0.50266', Fraction(1, 1))
    """
    x = tuple(F(v) for v in x)
    return _landmarks(x, F(y), None if alpha is None else F(alpha))


@lru_cache(maxsize=512)
def _landmarks(x, y, alpha) -> Landmarks:
    from .references import gf_limit_reference, sharpness_on_M

    limit = 1 / (2 * y * min(x))
    if alpha is None:
        return Landmarks(None, None, limit)
    eta_c = 2 / sharpness_on_M(x, gf_limit_reference(x, y, alpha, 30, exact=False))
    return Landmarks(eta_c, _plateau(x, y, alpha, eta_c), limit)


def _plateau(x, y, alpha, eta_c) -> Fraction | None:
    from numerics.plateau import eta_plateau
    from numerics.problem import Problem

    return eta_plateau(Problem(list(x), y, alpha), eta_c, offset=PLATEAU_OFFSET,
                       steps=PLATEAU_STEPS)


def near(landmark: Fraction, offset: Fraction) -> Fraction:
    """``landmark (1 + offset)`` as the nearest rational with denominator at most
    :data:`MAX_DENOMINATOR`."""
    return (F(landmark) * (1 + F(offset))).limit_denominator(MAX_DENOMINATOR)
