r"""Interpolators of ``n`` samples: the exact minimum-norm one and the certified
minimum-sharpness one, for the product, difference and shared parametrisations.

* :func:`min_norm_interpolator`: the least parameter norm (E2) over ``X beta = y``; a linear
  program for depth 2, solved by HiGHS and confirmed by exact simplex pivots, returned with its
  rational dual certificate; ties give the optimal face.
* :func:`min_sharpness_interpolator`: the least sharpness (E2) over ``X beta = y``, a
  semidefinite program (Clarabel through cvxpy), polished by Newton at high precision, returned
  with an exact interpolator and a certified interval ``[lower, upper]`` for the optimum.
* :func:`interpolator_blocks`: the blocks of ``normsharp interpolators --X-file ... --json``.

Modules: ``exact`` (rational linear algebra, certified ``lambda_max``), ``lp`` (the exact LP),
``norm``, ``conic`` (the floating-point SDP), ``polish``, ``sharpness``, ``api``.

References
----------
[MFCKM26] general diagonal networks (E2: the least sharpness and the least parameter norm of a
factorisation), as reconstructed in the specification.
"""

from .api import interpolator_blocks
from .lp import Infeasible, LPSolution, check_certificate, solve_lp
from .norm import Face, MinNorm, min_norm_interpolator
from .sharpness import WIDTH_GOAL, MinSharpness, min_sharpness_interpolator, sharpness_enclosure

__all__ = ["min_norm_interpolator", "min_sharpness_interpolator", "interpolator_blocks",
           "MinNorm", "MinSharpness", "Face", "solve_lp", "LPSolution", "Infeasible",
           "check_certificate", "WIDTH_GOAL", "sharpness_enclosure"]
