"""The claims' rooms: one module per module of :mod:`theory`, each declaring its claims.

=====================  ===========  ===============================================
room                   claims       the mathematics (module of :mod:`theory`)
=====================  ===========  ===============================================
``hessian``            R1           gradient and Hessian of the loss
``interpolators``      R2, R3       minimum-norm and minimum-sharpness interpolators
``pareto``             R4           norm against sharpness on the zero-loss set
``stability``          R5           linear stability of GD at an interpolator
``gradient_flow``      R6           the gradient-flow limit and ``eta_c``
``gd_identity``        R7           GD's multiplicative identity
``generalisation``     R8           expected risk of the interpolators
``edge_of_stability``  R9           GD above ``eta_c``; the U-shaped error
``general_networks``   E1-E5        product and difference parametrisations
``computability``      C1-C8        quantized networks, names, exit flags, quantizers
``many_samples``       N1-N3        ``n`` samples: the minimum-norm LP, the
                                    minimum-sharpness SDP, the flow's limit
=====================  ===========  ===============================================

Each room holds its checks (``check_<id>_<what>``: one instance in, one
:class:`~proofs_check.decide.Outcome` out), the domains they search, and ``CLAIMS``: its
:class:`~proofs_check.claim.Claim` objects, which :mod:`proofs_check.claims` collects into the
registry in the order of :data:`ROOMS`. Rooms of R1-R9 also give their claim's verdict on a
learning-rate sweep (``sweep_verdict_R<k>``), collected by
:func:`proofs_check.sweep_claims.claim_verdicts`. Reference values shared between rooms are in
:mod:`proofs_check.references`, the numerical experiments in :mod:`proofs_check.experiments`.

Three families of checks, as the issue asks:

* *theory against numerics at two precisions* (``..._numerics``): the numerics engine computes
  the same quantity at 30 and 60 digits (flint), or as two Richardson extrapolations of GD
  (gradient flow), and :func:`~proofs_check.decide.two_precision_equal` judges;
* *exact* checks (``..._exact``): an independent exact route (``sympy.diff``, vertex
  enumeration, hand-iterated GD in Fractions, KKT over the vertices of ``M``) must agree with
  the theory function exactly;
* *metamorphic* checks (``..._metamorphic``): the answer on a transformed problem
  (permuted coordinates, ``x -> c x`` and ``y -> c y``, a coordinate initialised at zero) must
  move exactly as the theory says.

Independent routes never call the function under test to produce an expected value.
"""

from . import (
    computability,
    edge_of_stability,
    gd_identity,
    general_networks,
    generalisation,
    gradient_flow,
    hessian,
    interpolators,
    many_samples,
    pareto,
    stability,
)

__all__ = ["ROOMS"]

#: the rooms in claim order (R1 .. R9, then E1 .. E5, then C1 .. C8 of [BFFK25], then N1 .. N3)
ROOMS = (hessian, interpolators, pareto, stability, gradient_flow, gd_identity, generalisation,
         edge_of_stability, general_networks, computability, many_samples)
