r"""GD's own plateau just below ``eta_c``: ``eta_plateau = 2 / S`` of a converged run there.

Statement
---------
Below the linear-stability threshold of the flow's limit, ``eta_c = 2 / S(beta_GF)`` (R6), GD
converges near ``beta_GF``; its limit is not ``beta_GF`` itself but a point of the zero-loss set
at distance ``O(eta)``, whose sharpness ``S_plateau`` is slightly *below* ``S(beta_GF)`` (GD's
implicit bias already pulls toward flatter interpolators). So ``eta_plateau = 2 / S_plateau``,
the threshold of GD's own limit just below the transition, lies slightly above ``eta_c`` and
predicts where GD actually leaves the flow: on the default instance ``x = (1, 1/2)``, ``y = 1``,
``alpha = 1/100`` it is 0.50266, against ``eta_c = 0.50125`` and an observed transition 0.50303.

:func:`eta_plateau` runs GD at ``eta_c (1 - offset)`` (default ``offset = 1/100``) for at most
``steps`` steps and returns ``2 / S`` of its final state when the run converged, else ``None``.

Notes
-----
A landmark, not evidence: the run is one float64 run by default (``backend="dd"`` for more
digits); its ``S`` is the converged limit's, not a chaotic state. The value depends mildly on
``offset`` (GD's limit moves by ``O(eta)``); the offset is part of the definition.

References
----------
R6, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification (the plateau
is the project's own measurement, issue 10).
"""

from __future__ import annotations

import warnings
from fractions import Fraction

from .errors import DomainError
from .problem import Problem, as_fraction

__all__ = ["eta_plateau", "PLATEAU_OFFSET", "PLATEAU_STEPS"]

#: GD runs at ``eta_c (1 - PLATEAU_OFFSET)``
PLATEAU_OFFSET = Fraction(1, 100)
#: at most this many steps
PLATEAU_STEPS = 20000


def eta_plateau(problem: Problem, eta_c, *, offset=PLATEAU_OFFSET, steps: int = PLATEAU_STEPS,
                backend: str = "float64") -> Fraction | None:
    """``2 / S`` of GD's converged limit at ``eta_c (1 - offset)``, or ``None`` (module notes).

    Parameters
    ----------
    problem : Problem
    eta_c : positive rational, the flow limit's threshold ``2 / S(beta_GF)``
    offset : rational in ``(0, 1)``
    steps : int >= 1
    backend : a compiled format, ``"float64"`` (default), ``"dd"`` or ``"qd"``

    Examples
    --------
    >>> from numerics.problem import Problem
    >>> f"{float(eta_plateau(Problem([1, '1/2'], 1, '1/100'), '0.50124999609')):.5f}"
    '0.50266'
    """
    from .gd import gradient_descent

    c = as_fraction(eta_c, "eta_c")
    if c <= 0:
        raise DomainError("eta_c", c, "a positive learning rate (2 / S(beta_GF))")
    o = as_fraction(offset, "offset")
    if not 0 < o < 1:
        raise DomainError("offset", o, "a relative offset in (0, 1)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverging float64 run overflows
        run = gradient_descent(problem, c * (1 - o), steps, backend=backend,
                               record_sharpness=False)
    if run.status != "converged" or not run.S:
        return None
    return 2 / Fraction(run.S)
