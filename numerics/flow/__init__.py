r"""Gradient flow on diagonal networks at any precision: path, limit, largest sharpness.

Gradient flow (GF) is ``theta' = -grad L(theta)`` with ``L = 1/(2n) ||X beta(theta) - y||^2``;
it is gradient descent in the limit ``eta -> 0`` with time ``t = k eta``. This package computes,
at a chosen working precision ``dps``, the limit of the flow, the largest sharpness along the
path ``s_GF = sup_t S(theta(t))`` (``S = max |eig Hess L|``), ``sup_t lambda_max``, where each
is attained, the critical learning rate ``eta_c = 2 / S(beta_GF)`` of the limit and the path's
``eta_path = 2 / s_GF`` (R6 and E5; the difference parametrisation's limit is E4's potential
minimiser). One ``eta_c`` for the whole package: the linear-stability threshold of the flow's
limit, as theory and ``normsharp interpolators`` define it. The path's supremum can sit at a
non-stationary point (``t = 0`` for a large ``alpha``), where linear stability says nothing;
``eta_path`` is reported, not used as the threshold.

The path in closed form
-----------------------
Write ``g = X^T r / n`` (the gradient of ``L`` with respect to ``beta``), ``rho(t) =
int_0^t r`` (an ``n``-vector) and ``s = X^T rho / n`` (a ``d``-vector, so ``s' = g``). Every
parametrisation is coordinate-separable, ``theta_i' = -g_i J_i(theta_i)`` with ``J_i = d beta_i
/ d theta_i``, so ``d theta_i / d s_i = -J_i`` and each ``theta_i`` is a closed-form function of
``s_i`` alone, with ``dbeta_i / ds_i = -|J_i|^2`` in all cases. From ``theta_0(alpha)``:

=====================  =====================================================  ==================
parametrisation        ``theta_i(s)``                                         ``beta_i(s)``
=====================  =====================================================  ==================
shared, ``D = 2``      ``w = alpha exp(-2 s)``                                ``a^2 exp(-4 s)``
shared, depth ``D``    ``w^(2-D) = alpha^(2-D) + D (D-2) s``                  ``w^D``
product (E3)           ``u + v = sqrt2 alpha e^-s``, ``u - v = sqrt2 alpha    ``-a^2 sinh(2 s)``
                       e^s``
difference (E4)        ``u = alpha e^(-2s)``, ``v = alpha e^(2s)``            ``-2a^2 sinh(4 s)``
=====================  =====================================================  ==================

(``a = alpha``; the first line is R6.) These maps are written once, over any arithmetic, in
:mod:`theory.parametrisations` (:meth:`~theory.parametrisations.Parametrisation.initial_flow`,
each line checked there by differentiation); this package evaluates them in mpmath, in
python-flint ``arb`` and in float64. So the whole flow is the ``n``-dimensional ODE

.. math:: \rho' = r(\rho) = X \beta(X^\top \rho / n) - y,\qquad \rho(0) = 0,

which is the gradient flow of the convex function ``Psi(rho) = y^T rho - n sum_i B(s_i)``
(``B' = beta``): its Jacobian ``(1/n) X diag(dbeta/ds) X^T`` is negative semidefinite, so
``|r|`` decreases, and the limit ``rho_inf`` solves ``X beta(X^T rho / n) = y`` (unique when
``X`` has full row rank): the implicit-bias characterisation (the limit's mirror coordinates
lie in the row space of ``X``).

One sample, the path is a function of one scalar ``R`` and is solved in closed form
(:mod:`~numerics.flow.one_sample`, E5); ``n`` samples, the ODE is integrated by a high-order
Taylor method (:mod:`~numerics.flow.taylor`, :mod:`~numerics.flow.n_samples`). Which digits of
a run are right is decided by :func:`numerics.audited.audited_flow` (two precisions,
:func:`numerics.audit.agree`).

Modules
-------
``model``       the flow of one problem at a working precision (data, state, residual, eigenvalues)
``one_sample``  the closed form in ``R`` and the Hessian's extremes along it (E5)
``taylor``      the ``n``-sample Taylor integrator and its power-series coefficients
``n_samples``   the ``n``-sample supremum: float64 samples, refined at the working precision
``roots``       bracketed Newton, Illinois, Brent maximisation, grid maximisation
``results``     :class:`PathPoint`, :class:`FlowResult`
``api``         :func:`gradient_flow`, :func:`flow_state`, :func:`flow_time`, :func:`flow_at_times`

References
----------
[MFCKM26] R6 (gradient-flow limit and ``eta_c = 2 / S(beta_GF)``); E3 (product
parametrisation, Even et al. 2023); E4 (Woodworth et al. 2020 potential); E5 (one scalar
unknown ``R``). A. Jorba, M. Zou, "A software package for the numerical integration of ODEs by
means of high-order Taylor methods", Experimental Mathematics 14 (2005), for the step rule.
"""

from .api import flow_at_times, flow_state, flow_time, gradient_flow
from .results import FlowResult, PathPoint

__all__ = ["PathPoint", "FlowResult", "gradient_flow", "flow_state", "flow_time",
           "flow_at_times"]
