"""Sharpness at the working precision: the structured Hessian, and the Gram form at zero loss.

With ``A = X^T X / n`` (computed exactly, then rounded once), ``J_i = d beta_i / d theta_i`` and
``B_i = d^2 beta_i / d theta_i^2``, the Hessian of ``L = 1/(2n)||X beta(theta) - y||^2`` is

    H[(i,a), (j,b)] = A_ij J_i[a] J_j[b] + delta_ij g_i B_i[a, b],     g = X^T r / n.

On the zero-loss set the second term vanishes and the non-zero spectrum of ``H`` is that of the
``n x n`` Gram matrix ``(1/n) X diag(|J_i|^2) X^T`` (E1); the remaining ``kd - n`` eigenvalues
are zero. The Gram form is what certified eigen-solvers can handle (no multiple zero eigenvalue).
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["gram_matrix_A", "hessian_rows", "gram_rows", "spectrum"]


def gram_matrix_A(problem) -> list[list[Fraction]]:
    """``A = X^T X / n`` exactly, as Fractions."""
    n, d = problem.n, problem.d
    X = problem.X
    return [[sum(X[m][i] * X[m][j] for m in range(n)) / n for j in range(d)] for i in range(d)]


def hessian_rows(problem, backend, theta, g, A=None) -> list[list]:
    """The full ``kd x kd`` Hessian at ``theta`` (``g`` the beta-gradient there)."""
    A = A if A is not None else [[backend.scalar(v) for v in row] for row in gram_matrix_A(problem)]
    J = problem.parametrisation.jacobians(theta)
    B = problem.parametrisation.hessians(theta)
    k, d = len(J), problem.d
    zero = backend.scalar(0)
    H = [[zero] * (k * d) for _ in range(k * d)]
    for i in range(d):
        for a in range(k):
            row = H[i * k + a]
            Jia = J[a][i]
            for j in range(d):
                Aij = A[i][j]
                for b in range(k):
                    row[j * k + b] = Aij * Jia * J[b][j]
            for b in range(k):
                row[i * k + b] = row[i * k + b] + g[i] * B[a][b][i]
    return H


def gram_rows(problem, backend, theta, X=None) -> list[list]:
    """``(1/n) X diag(|J_i|^2) X^T``, the n x n Gram form of the zero-loss Hessian (E1)."""
    X = X if X is not None else [[backend.scalar(v) for v in row] for row in problem.X]
    js = problem.parametrisation.jacobian_sq(theta)
    n, d = problem.n, problem.d
    inv_n = backend.scalar(Fraction(1, n))
    return [[sum(X[m][i] * js[i] * X[l][i] for i in range(d)) * inv_n for l in range(n)]
            for m in range(n)]


def spectrum(problem, backend, theta, g, zero_loss: bool, A=None, X=None) -> tuple:
    """``(lambda_min, lambda_max, S)`` at the working precision.

    ``zero_loss=True`` uses the Gram form (exact on the zero-loss set; at an approximate
    interpolator it differs from the full Hessian by at most ``max_i |g_i| ||B_i||``).
    """
    if zero_loss:
        values = backend.eigvalsh(gram_rows(problem, backend, theta, X))
        top = values[-1]
        low = backend.scalar(0) if problem.k * problem.d > problem.n else values[0]
        low = low if values[0] >= 0 else values[0]
    else:
        values = backend.eigvalsh(hessian_rows(problem, backend, theta, g, A))
        top, low = values[-1], values[0]
    S = abs(top) if abs(top) >= abs(low) else abs(low)
    return low, top, S
