r"""The minimum-sharpness program in floating point: cvxpy with Clarabel, and the structure of
its solution (support, signs, multiplicity of the top eigenvalue).

Statement
---------
With ``phi(b) = b^p`` (``p = 1`` except shared depth ``D > 2``, ``p = 2 - 2/D``), the program

.. math:: \min_{\beta}\ \lambda_{\max}\big(X_s \operatorname{diag}\phi(|\beta|) X_s^\top\big)
          \quad\text{s.t. } X_c \beta = y\ (\beta \ge 0 \text{ when } \texttt{signed} = False)

is convex (``lambda_max`` of a matrix affine and non-decreasing in the weights, weights convex
in ``beta``); ``X_s`` are all samples, ``X_c`` a row basis of them (the constraints). It is
solved as ``min t`` s.t. ``t I - X_s diag(s) X_s^T >= 0`` (PSD), ``s >= phi(|beta|)`` (linear
for ``p = 1``, a power cone otherwise). The duals give ``Z`` (PSD, trace 1) and ``nu``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["ConicSolution", "solve_conic", "structure"]

#: Clarabel's tolerances (absolute and relative gap, feasibility)
TOLERANCE = 1e-10


@dataclass(frozen=True)
class ConicSolution:
    """The floating-point solution: ``beta``, ``t`` (``lambda_max``), ``Z``, ``nu``, status."""

    beta: np.ndarray
    t: float
    Z: np.ndarray
    nu: np.ndarray
    status: str
    iterations: int | None
    solve_time: float | None


def solve_conic(Xs: np.ndarray, Xc: np.ndarray, y: np.ndarray, p: float, signed: bool,
                *, tol: float = TOLERANCE) -> ConicSolution | None:
    """Solve the program (module notes) with Clarabel; None when it reports no solution."""
    import cvxpy as cp

    n, d = Xs.shape
    beta = cp.Variable(d, nonneg=not signed)
    s = cp.Variable(d)
    t = cp.Variable()
    mag = cp.abs(beta) if signed else beta
    weight = [s >= mag] if p == 1 else [s >= cp.power(mag, p)]
    psd = t * np.eye(n) - Xs @ cp.diag(s) @ Xs.T >> 0
    eq = Xc @ beta == y
    prob = cp.Problem(cp.Minimize(t), [eq, psd, *weight])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "solution may be inaccurate": the certificate judges
        try:
            prob.solve(solver="CLARABEL", tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol,
                       max_iter=400)
        except cp.error.SolverError:
            return None
    if beta.value is None or psd.dual_value is None or eq.dual_value is None:
        return None
    Z = np.asarray(psd.dual_value, dtype=float)
    Z = (Z + Z.T) / 2
    nu = np.asarray(eq.dual_value, dtype=float).reshape(-1)
    if float(y @ nu) < 0:  # cvxpy's sign convention for equality duals
        nu = -nu
    stats = prob.solver_stats
    return ConicSolution(np.asarray(beta.value, dtype=float).reshape(-1), float(t.value), Z, nu,
                         prob.status, getattr(stats, "num_iters", None),
                         getattr(stats, "solve_time", None))


def structure(sol: ConicSolution, Xs: np.ndarray, Xc: np.ndarray, p: float,
              signed: bool) -> tuple[list, list, int]:
    """``(support, signs, m)`` read from complementarity: coordinate ``i`` is in the support
    when ``|beta_i| / max|beta|`` exceeds its dual slack ``(w_i - |c_i|) / max w`` (``w_i =
    a_i^T Z a_i``, ``c_i = (X_c^T nu)_i``; for ``p > 1``, where ``phi'(0) = 0``, when it exceeds
    ``1e-7``); an eigenvector ``v_j`` of
    ``A = X_s diag(phi(|beta|)) X_s^T`` is in the top eigenspace when ``v_j^T Z v_j`` exceeds its
    gap ``(t - lambda_j) / t``."""
    b = sol.beta
    mag = np.abs(b) if signed else np.maximum(b, 0)
    top = max(float(np.max(mag)), 1e-300)
    if p == 1:
        w = np.einsum("ki,kl,li->i", Xs, sol.Z, Xs)
        c = Xc.T @ sol.nu
        slack = (w - (np.abs(c) if signed else c)) / max(float(np.max(w)), 1e-300)
        support = [i for i in range(len(b)) if mag[i] / top > max(slack[i], 1e-14)]
    else:  # phi'(0) = 0: no slack to compare with; a primal threshold
        support = [i for i in range(len(b)) if mag[i] / top > 1e-7]
    signs = [1 if (b[i] >= 0 or not signed) else -1 for i in support]
    A = Xs @ np.diag(mag ** p) @ Xs.T
    lam, V = np.linalg.eigh(A)
    zj = np.einsum("kj,kl,lj->j", V, sol.Z, V)
    gap = (lam[-1] - lam) / max(abs(lam[-1]), 1e-300)
    m = max(1, int(np.sum(zj > np.maximum(gap, 1e-14))))
    return support, signs, m
