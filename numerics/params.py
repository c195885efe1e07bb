"""Parametrisation-specific pieces of the kernel, written once for every backend.

State ``theta`` is a tuple of ``k`` arrays of length ``d`` (``(w,)`` or ``(u, v)``); arrays may
carry a leading batch axis (float64 only). All functions use array arithmetic only, so the same
code runs on float arrays and on object arrays of ``mpf`` or ``arb``.

With ``g = X^T r / n`` (the gradient of ``L`` with respect to ``beta``):

* ``shared``, depth ``D``: ``beta = w^D``, ``grad_w = D g w^(D-1)``; for ``D = 2`` the step is
  ``w <- w (1 - 2 eta g)`` (R7).
* ``product``: ``beta = u v``, ``grad = (g v, g u)``.
* ``difference``: ``beta = u^2 - v^2``, ``u <- u (1 - 2 eta g)``, ``v <- v (1 + 2 eta g)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["beta_of", "step", "initial_state", "jacobian_sq", "coordinate_hessians",
           "coordinate_jacobians", "param_norm_sq", "gain"]


def initial_state(problem, backend, batch: int | None = None) -> tuple:
    """``theta_0`` at the backend's precision (``sqrt(2) alpha`` computed there)."""
    a = backend.scalar(problem.alpha)
    values = {"alpha": a, "zero": backend.scalar(0)}
    if problem.param == "product":
        values["sqrt2alpha"] = backend.sqrt(backend.scalar(2)) * a
    d = problem.d
    out = []
    for (recipe,) in problem.initial_theta():
        v = np.array([values[recipe]] * d, dtype=backend.dtype)
        if batch is not None:
            v = np.tile(v, (batch, 1))
        out.append(v)
    return tuple(out)


def beta_of(problem, theta):
    """``beta(theta)``."""
    if problem.param == "shared":
        (w,) = theta
        return w * w if problem.depth == 2 else w ** problem.depth
    u, v = theta
    if problem.param == "product":
        return u * v
    return u * u - v * v


def step(problem, theta, g, eta):
    """``theta - eta grad_theta L`` given ``g = X^T r / n``; ``eta`` scalar or ``(B, 1)``."""
    if problem.param == "shared":
        (w,) = theta
        D = problem.depth
        if D == 2:
            return (w * (1 - 2 * eta * g),)
        return (w - (eta * D) * g * w ** (D - 1),)
    u, v = theta
    if problem.param == "product":
        eg = eta * g
        return (u - eg * v, v - eg * u)
    eg2 = 2 * eta * g
    return (u * (1 - eg2), v * (1 + eg2))


def param_norm_sq(theta):
    """``||theta||_2^2`` (summed over the last axis)."""
    return sum((t * t).sum(axis=-1) for t in theta)


def coordinate_jacobians(problem, theta) -> list:
    """``J_i = d beta_i / d theta_i`` as a list of ``k`` arrays (one per parameter block)."""
    if problem.param == "shared":
        (w,) = theta
        D = problem.depth
        return [D * w ** (D - 1)] if D > 2 else [2 * w]
    u, v = theta
    if problem.param == "product":
        return [v, u]
    return [2 * u, -2 * v]


def jacobian_sq(problem, theta):
    """``|J_i|^2``: the weights of the Gram form ``(1/n) X diag(|J_i|^2) X^T`` at zero loss."""
    return sum(j * j for j in coordinate_jacobians(problem, theta))


def coordinate_hessians(problem, theta) -> list:
    """``B_i = d^2 beta_i / d theta_i^2`` as a ``k x k`` nested list of arrays."""
    if problem.param == "shared":
        (w,) = theta
        D = problem.depth
        return [[2 + 0 * w if D == 2 else D * (D - 1) * w ** (D - 2)]]
    u, v = theta
    zero, one = 0 * u, 0 * u + 1
    if problem.param == "product":
        return [[zero, one], [one, zero]]
    return [[2 * one, zero], [zero, -2 * one]]


def gain(problem, theta, backend, G_sum):
    r"""``log(alpha_eff_i^2 / alpha^2)``: the effective initialisation of R7 / E3.

    ``G_sum = eta sum_k g_k`` (accumulated by the engine). Gradient flow from ``alpha_eff``
    reaches the current state with the same ``int g``:

    * shared, ``D = 2``: ``alpha_eff^2 = w^2 exp(4 G_sum)`` (R7: ``-G_i`` of the specification);
    * shared, ``D > 2``: ``alpha_eff^(2-D) = w^(2-D) - D (D-2) G_sum`` (signed powers);
    * product (E3): ``alpha_eff^2 = |u^2 - v^2| / 2`` from ``u_0 = sqrt(2) alpha, v_0 = 0``;
    * difference: ``alpha_eff^2 = |u v|`` (``u v`` is invariant under the flow).
    """
    a2 = backend.scalar(problem.alpha) ** 2
    out = []
    if problem.param == "shared":
        (w,) = theta
        D = problem.depth
        for wi, Gi in zip(w, G_sum):
            if wi == 0:
                out.append(backend.log(backend.scalar(0)))
            elif D == 2:
                out.append(backend.log(wi * wi / a2) + 4 * Gi)
            else:
                # w^(2-D) moves linearly under the flow (signed: for odd D a negative w keeps
                # its sign and w^(2-D) is negative); log|.| of the effective start
                base = wi ** (2 - D) - D * (D - 2) * Gi
                a = backend.scalar(problem.alpha)
                out.append((2 / (2 - D)) * backend.log(abs(base) / a ** (2 - D)) if base != 0
                           else backend.log(backend.scalar(0)))
        return out
    u, v = theta
    if problem.param == "product":
        return [backend.log(abs(ui * ui - vi * vi) / (2 * a2)) for ui, vi in zip(u, v)]
    return [backend.log(abs(ui * vi) / a2) for ui, vi in zip(u, v)]
