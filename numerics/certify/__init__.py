r"""Certified final quantities: an Arb enclosure of an exact interpolator, its sharpness, and R5.

A converged gradient-descent run ends at a point ``theta_K`` *near* the zero-loss set, not on it.
This package replaces that point by an exact mathematical object and encloses it in Arb balls
(python-flint), so that the final answers of a run (the interpolator, its sharpness, and whether
it is linearly stable for ``eta``) carry proofs rather than agreed digits:

``interpolator``
    The limit of *gradient flow* started from ``theta_K`` (defined below; existence and
    uniqueness certified with the Krawczyk operator).
``sharpness``
    ``S`` at that interpolator, from the ``n x n`` Gram matrix (E1), with certified eigenvalues.
``stable``
    The certified answer to R5 for this ``eta``: ``"stable"``, ``"unstable"`` or ``"undecided"``.

The one quantity that is *not* certified is how far the true GD limit (GD continued forever
from ``theta_K``) lies from the certified interpolator: :class:`Certificate` reports a
documented first-order estimate, ``gd_limit_gap_estimate``, and says so in its JSON.

The gradient flow from ``theta_K`` in closed form
-------------------------------------------------
Along the flow ``theta' = -grad L`` we have ``beta' = -|J|^2 g`` coordinate-wise with
``g = X^T r / n``. Write ``rho(t) = int_0^t r dt`` (in ``R^n``) and ``s = X^T rho / n`` (in
``R^d``). Every parametrisation integrates in closed form as a function of ``s`` alone, from any
start: the flow maps of :meth:`theory.parametrisations.Parametrisation.flow_from`, evaluated
here in Arb ball arithmetic:

=================  ==============================================================================
``shared``, D = 2  ``w = w_K exp(-2 s)``, ``beta = beta_K exp(-4 s)``
``shared``, D > 2  ``|w|^(2-D) = |w_K|^(2-D) + D(D-2) sigma s`` with ``sigma = sign(w_K)^D``,
                   ``w = sign(w_K) |w|``, ``beta = w^D``
``product``        ``u + v = p exp(-s)``, ``u - v = q exp(s)`` (``p, q = (u+v)_K, (u-v)_K``),
                   ``beta = (p^2 exp(-2 s) - q^2 exp(2 s)) / 4``
``difference``     ``u = u_K exp(-2 s)``, ``v = v_K exp(2 s)``, ``beta = u^2 - v^2``
=================  ==============================================================================

and in every case ``d beta_i / d s_i = -|J_i|^2`` (the Gram weights of E1). The flow's limit is
therefore ``theta(rho*)`` where ``rho*`` solves the ``n`` equations

.. math:: F(\rho) = X \beta(X^T \rho / n) - y = 0, \qquad
          F'(\rho) = -\tfrac1n X \operatorname{diag}(|J|^2) X^T = -G(\rho).

``F`` is the gradient of the concave function ``Phi(rho) = sum_i n B_i(s_i) - <y, rho>``
(``B_i' = beta_i``), strictly concave when ``X`` has full row rank and no ``J_i`` vanishes, so a
root is unique in all of ``R^n`` and the flow converges to it whenever ``int r dt`` converges.
(That global statement is mathematics, not checked by the code; the certificate proves existence
and uniqueness of the root in the Krawczyk box.)

Modules
-------
``krawczyk``     the flow maps from ``theta_K`` over balls, Newton and the Krawczyk test
``eigen``        certified eigenvalues of the Gram matrix (Gershgorin discs)
``certificate`` :class:`Certificate` and its JSON
``balls``        rationals to balls, balls to outward-rounded floats and text
``api``          :func:`certify`, :func:`certify_point`, validation, the GD-limit gap estimate

References
----------
[MFCKM26] Section 3, R1 and R5; Appendix B, R6 (the closed-form flow, one sample), E1 (the
Gram form of the zero-loss Hessian), E3 and E4 (the invariants behind the product and difference
closed forms). R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
Fehlerschranken", Computing 4 (1969); R. E. Moore, "A test for existence of solutions to
nonlinear systems", SIAM J. Numer. Anal. 14 (1977). F. Johansson, "Arb: efficient
arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans. Comput. 66 (2017).
"""

from .api import GUARD_BITS, certify, certify_point
from .balls import arb_interval
from .certificate import DEFINITION, GAP_NOTE, Certificate
from .eigen import symmetric_eigenvalues
from .krawczyk import MAX_INFLATIONS

__all__ = ["Certificate", "certify", "certify_point", "symmetric_eigenvalues", "arb_interval",
           "GUARD_BITS"]
