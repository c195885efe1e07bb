r"""Sharpness at the working precision, from the Hessian's structure.

Statement
---------
With ``J_i = d beta_i / d theta_i`` and ``B_i = d^2 beta_i / d theta_i^2`` (``k x k``, ``k``
parameters per coordinate) the Hessian of ``L = 1/(2n) ||X beta(theta) - y||^2`` is

.. math::

    H = \operatorname{blockdiag}(g_i B_i) + \tfrac1n (X J)^T (X J),
    \qquad g = X^T r / n,

a block-diagonal matrix plus a rank-``n`` positive semidefinite update. Each ``k x k`` block
``g_i B_i`` is diagonalised in closed form (a Jacobi rotation ``Q_i``), so ``H`` is similar to
``Lambda + (1/n) V^T V`` with ``Lambda`` diagonal (``kd`` values) and ``V = X J Q`` (``n x kd``).
For ``mu`` not in ``Lambda``, with ``C(mu) = I_n - (1/n) V (mu - Lambda)^{-1} V^T``
(Haynsworth inertia additivity),

.. math::

    \#\{\text{eigenvalues of } H < \mu\} = \#\{\lambda_j < \mu\}
        - \#\{\text{eigenvalues of } C(\mu) \le 0\},

and ``det(mu - H) = det(mu - Lambda) det C(mu)``. :func:`spectrum` finds ``lambda_max`` and
``lambda_min`` of ``H`` by a safeguarded Newton iteration on ``det C`` inside a bracket that
the count keeps exact (each evaluation costs ``n^2 d`` for ``C`` and ``C'`` plus ``n x n``
work), started from the same computation in float64. The brackets come from Weyl's
inequalities: ``lambda_max`` lies in ``[max(Lambda_max, G_max + Lambda_min),
Lambda_max + G_max]`` and ``lambda_min`` in ``[Lambda_min, Lambda_min + G_max]``, where ``G``
is the ``n x n`` Gram form below. No ``kd x kd`` matrix is formed.

On the zero-loss set (``g = 0``) the non-zero spectrum of ``H`` is that of the Gram form
``G = (1/n) X diag(|J_i|^2) X^T`` (E1; the other ``kd - n`` eigenvalues vanish); it is what
certified eigen-solvers handle (:mod:`numerics.certify`), and ``spectrum(..., zero_loss=True)``
uses it. A float64 (numpy) Hessian of size ``kd <= 200`` goes to LAPACK densely (backward
stable, and faster than the iteration at that size). :func:`hessian_rows` assembles the dense
``kd x kd`` Hessian for the checks that want it (an independent route:
``numerics.sweep.tasks`` compares the two at converged points).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["gram_matrix_A", "hessian_rows", "gram_rows", "spectrum", "hessian_structure"]


def gram_matrix_A(problem) -> list[list[Fraction]]:
    """``A = X^T X / n`` exactly, as Fractions."""
    n, d = problem.n, problem.d
    X = problem.X
    return [[sum(X[m][i] * X[m][j] for m in range(n)) / n for j in range(d)] for i in range(d)]


def hessian_rows(problem, backend, theta, g, A=None) -> list[list]:
    """The full ``kd x kd`` Hessian at ``theta`` (``g`` the beta-gradient there), dense."""
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


def gram_rows(problem, backend, theta) -> list[list]:
    """``(1/n) X diag(|J_i|^2) X^T``, the n x n Gram form of the zero-loss Hessian (E1)."""
    js = problem.parametrisation.jacobian_sq(theta)
    inv_n = backend.scalar(Fraction(1, problem.n))
    G = backend.weighted_gram(backend.data(problem.X), js)
    return [[backend.clean(v * inv_n) for v in row] for row in G]


def hessian_structure(problem, be, theta, g) -> tuple:
    """``(lam, Jt)``: per coordinate ``i`` the eigenvalues ``lam[a][i]`` of ``g_i B_i`` and the
    rotated Jacobian ``Jt[a][i] = (Q_i^T J_i)_a``, so that ``H`` is similar to
    ``diag(lam) + (1/n) V^T V`` with ``V[m, (i, a)] = X[m, i] Jt[a][i]``.

    A ``2 x 2`` block ``[[p, q], [q, s]]`` with ``q != 0`` is diagonalised by the Jacobi
    rotation ``t = sign(tau) / (|tau| + sqrt(1 + tau^2))``, ``tau = (s - p) / (2q)``:
    eigenvalues ``p - t q`` and ``s + t q``.
    """
    P = problem.parametrisation
    J = P.jacobians(theta)
    B = P.hessians(theta)
    d = problem.d
    if len(J) == 1:
        return [[be.clean(g[i] * B[0][0][i]) for i in range(d)]], [[be.clean(v) for v in J[0]]]
    lam = [[None] * d, [None] * d]
    Jt = [[None] * d, [None] * d]
    one = be.scalar(1)
    for i in range(d):
        p, q, s = g[i] * B[0][0][i], g[i] * B[0][1][i], g[i] * B[1][1][i]
        j0, j1 = J[0][i], J[1][i]
        if q == 0:
            lam[0][i], lam[1][i] = be.clean(p), be.clean(s)
            Jt[0][i], Jt[1][i] = be.clean(j0), be.clean(j1)
            continue
        tau = (s - p) / (2 * q)
        t = one / (abs(tau) + be.sqrt(one + tau * tau))
        t = -t if tau < 0 else t
        c = one / be.sqrt(one + t * t)
        sn = t * c
        lam[0][i], lam[1][i] = be.clean(p - t * q), be.clean(s + t * q)
        Jt[0][i], Jt[1][i] = be.clean(c * j0 - sn * j1), be.clean(sn * j0 + c * j1)
    return lam, Jt


class _Secular:
    """``C(mu)``, its derivative and the eigenvalue count of ``H`` below ``mu`` (module notes),
    in the arithmetic of ``be``."""

    def __init__(self, problem, be, lam, Jt, deflate: float = 0.0):
        self.be, self.n = be, problem.n
        self.Xd = be.data(problem.X)
        self.inv_n = be.scalar(Fraction(1, problem.n))
        self.one = be.scalar(1)
        # the terms with J~ = 0 leave C unchanged: their lambda are eigenvalues of H as such.
        # So (deflation) are those whose column of V has ||v||^2 <= deflate: dropping them
        # moves no eigenvalue by more than the tolerance (see _deflation)
        col = (problem.floats()["X"] ** 2).sum(axis=0) / problem.n
        self.terms = [[(a, lam[a][i], Jt[a][i] * Jt[a][i]) for a in range(len(lam))
                       if Jt[a][i] != 0 and be.to_float(Jt[a][i]) ** 2 * col[i] > deflate]
                      for i in range(problem.d)]
        #: the lambda of the terms kept (those of C's poles), and the others: eigenvalues of H
        kept = {(a, i) for i, terms in enumerate(self.terms) for a, _, _ in terms}
        self.lam = [lam[a][i] for a, i in sorted(kept)]
        self.free = [lam[a][i] for a in range(len(lam)) for i in range(problem.d)
                     if (a, i) not in kept]

    def gram_max(self):
        """The largest eigenvalue of the kept part's Gram form ``(1/n) V V^T``."""
        be = self.be
        w = [be.clean(sum((j2 for _, _, j2 in terms), be.scalar(0))) for terms in self.terms]
        return be.clean(be.eigvalsh(self.gram(w))[-1])

    def gram(self, w) -> list:
        """``(1/n) X diag(w) X^T``."""
        be = self.be
        return [[be.clean(v * self.inv_n) for v in row]
                for row in be.weighted_gram(self.Xd, w)]

    def evaluate(self, mu) -> tuple:
        """``(count of eigenvalues of H below mu, Newton step on det C at mu or None)``."""
        be = self.be
        zero = be.scalar(0)
        w1, w2 = [], []
        for terms in self.terms:
            s1 = s2 = zero
            for _, lam, j2 in terms:
                inv = self.one / (mu - lam)
                s1 = s1 + j2 * inv
                s2 = s2 + j2 * inv * inv
            w1.append(be.clean(s1))
            w2.append(be.clean(s2))
        G1, G2 = self.gram(w1), self.gram(w2)
        n = self.n
        C = [[(self.one if i == j else zero) - G1[i][j] for j in range(n)] for i in range(n)]
        count = sum(1 for v in self.lam if v < mu) - sum(1 for e in be.eigvalsh(C) if e <= 0)
        try:
            Y = be.solve(C, G2)  # C^{-1} C'
            trace = be.clean(sum((Y[i][i] for i in range(n)), zero))
        except (ZeroDivisionError, ValueError, np.linalg.LinAlgError):
            return count, None
        if not be.is_finite(trace) or trace == 0:
            return count, None
        return count, be.clean(-self.one / trace)


def _root(sec: _Secular, be, a, b, start, top: bool, total: int, scale):
    """The largest (``top``) or smallest eigenvalue of ``H`` in the bracket ``[a, b]``, to
    ``2^-(prec - 4) scale`` (``scale`` bounds ``||H||``): Newton steps on ``det C`` where they
    stay inside the bracket and shrink it, bisection otherwise; every evaluation's count moves
    one end of the bracket, so the bracket always holds the wanted eigenvalue."""
    tol = be.clean(be.scalar(Fraction(1, 2 ** (be.prec - 4))) * scale)
    half = be.scalar(Fraction(1, 2))

    def count_at(mu):
        """Evaluate at ``mu``, move an end of the bracket to ``mu``; the Newton step there."""
        nonlocal a, b
        while any(mu == v for v in sec.lam):  # on a pole of C: step off it
            mu = be.clean(mu + tol * half * half)
        count, step = sec.evaluate(mu)
        if (total - count >= 1) if top else (count == 0):  # the eigenvalue is at or above mu
            a = mu
        else:
            b = mu
        return step

    # a degenerate end: the extreme eigenvalue sits at the bracket's end ``a`` (a lambda_j
    # whose J~ vanishes, or the lowest eigenvalue of a singular H); one evaluation decides
    probe = be.clean(a + tol)
    if a < probe < b:
        count_at(probe)
        if b == probe:
            return a
    mu = start if start is not None and a < start < b else be.clean((a + b) * half)
    widths = [b - a]  # bisect whenever two evaluations have not halved the bracket
    for _ in range(4 * be.prec + 40):
        if b - a <= tol:
            break
        step = count_at(mu)
        widths.append(b - a)
        if step is not None and abs(step) <= tol:
            # Newton has converged to a root: confirm it is the extreme one by the counts
            # just beside it (a wrong root leaves the bracket wide, and bisection goes on)
            for side in (mu - tol, mu + tol):
                if a < side < b:
                    count_at(be.clean(side))
            mu = be.clean((a + b) * half)
            continue
        proposal = None if step is None else be.clean(mu + step)
        if proposal is None or (len(widths) > 2 and widths[-1] > widths[-3] * half):
            mu = be.clean((a + b) * half)
            widths.append(b - a)
        elif a < proposal < b:
            mu = proposal
        else:  # Newton points at (or just past) an end of the bracket: probe beside it
            mu = be.clean(b - tol * half if proposal >= b else a + tol * half)
    return be.clean((a + b) * half)


def _deflation(be, scale, Gmax, N: int) -> float:
    """The squared column norm ``tau`` below which a column of ``V`` is dropped: removing
    columns with ``||v_j||^2 <= tau`` changes ``V^T V`` by at most ``2 ||V_drop|| ||V|| +
    ||V_drop||^2 <= 2 sqrt(N tau Gmax) + N tau``, a quarter of the tolerance
    ``2^-(prec - 4) scale`` of :func:`_root` (Weyl: no eigenvalue moves further)."""
    tol = be.to_float(scale) * 2.0 ** -(be.prec - 4)
    root = tol / (8 * (be.to_float(Gmax) ** 0.5 + 1) * N ** 0.5)
    return root * root


#: below this size (``kd``) a float64 Hessian is formed densely and handed to LAPACK
DENSE_FLOAT64 = 200


def _dense_float64(problem, theta, g) -> tuple:
    """``(lambda_min, lambda_max)`` of the dense float64 Hessian (numpy, vectorised)."""
    P = problem.parametrisation
    X = problem.floats()["X"]
    J, B = P.jacobians(theta), P.hessians(theta)
    k, d = len(J), problem.d
    M = np.empty((problem.n, k * d))
    for a in range(k):
        M[:, a::k] = X * np.asarray(J[a], dtype=float)
    H = M.T @ M / problem.n
    for a in range(k):
        for b in range(k):
            H[np.arange(a, k * d, k), np.arange(b, k * d, k)] += g * np.asarray(B[a][b], float)
    values = np.linalg.eigvalsh(H)
    return values[0], values[-1]


def _float64_estimate(problem, theta, g):
    """``(low, top)`` from the same computation in float64, or ``None`` when the state does
    not fit float64 (its entries under- or overflow)."""
    from .backends import get_backend

    f64 = get_backend("float64")
    try:
        th = tuple(np.array([float(v) for v in t]) for t in theta)
        gf = np.array([float(v) for v in g])
    except (OverflowError, ValueError, TypeError):
        return None
    if not (all(np.all(np.isfinite(t)) for t in th) and np.all(np.isfinite(gf))):
        return None
    with f64.scope():
        low, top, _ = spectrum(problem, f64, th, gf, zero_loss=False)
    return float(low), float(top)


def spectrum(problem, backend, theta, g, zero_loss: bool) -> tuple:
    """``(lambda_min, lambda_max, S)`` of the Hessian at ``theta``, at the working precision,
    ``S = max(|lambda_min|, |lambda_max|)`` (``g`` the beta-gradient at ``theta``).

    ``zero_loss=True`` uses the Gram form (exact on the zero-loss set; at an approximate
    interpolator it differs from the full Hessian by at most ``max_i |g_i| ||B_i||``);
    ``lambda_min`` is then 0 when ``kd > n`` (the Hessian is singular there). Otherwise the
    structured Hessian (module notes): no ``kd x kd`` matrix, ``n^2 d`` work per Newton step.
    """
    be = backend
    n = problem.n
    if zero_loss:
        values = be.eigvalsh(gram_rows(problem, be, theta))
        top = values[-1]
        low = be.scalar(0) if problem.k * problem.d > n else values[0]
        low = low if values[0] >= 0 else values[0]
        return low, top, (abs(top) if abs(top) >= abs(low) else abs(low))
    if be.dtype is float and problem.k * problem.d <= DENSE_FLOAT64:
        low, top = _dense_float64(problem, theta, np.asarray(g, dtype=float))
        return low, top, (abs(top) if abs(top) >= abs(low) else abs(low))
    theta = tuple(np.array([be.clean(v) for v in t], dtype=be.dtype) for t in theta)
    g = np.array([be.clean(v) for v in g], dtype=be.dtype)
    lam, Jt = hessian_structure(problem, be, theta, g)
    Gmax = be.clean(be.eigvalsh(gram_rows(problem, be, theta))[-1])
    everything = [v for block in lam for v in block]
    scale = be.clean(max(abs(min(everything)), abs(max(everything))) + abs(Gmax))
    sec = _Secular(problem, be, lam, Jt, _deflation(be, scale, Gmax, len(everything)))
    low = top = None
    if sec.lam:  # the extreme roots of the kept part; the dropped lambda are eigenvalues
        G = sec.gram_max()
        lo, hi = min(sec.lam), max(sec.lam)
        start = None if be.name == "float64" else _float64_estimate(problem, theta, g)
        est = (None, None) if start is None else [be.scalar(Fraction(v)) for v in start]
        total = len(sec.lam)
        top = _root(sec, be, be.clean(max(hi, G + lo)), be.clean(hi + G), est[1], True, total,
                    scale)
        low = _root(sec, be, lo, be.clean(lo + G), est[0], False, total, scale)
    low = min(sec.free + ([] if low is None else [low]))
    top = max(sec.free + ([] if top is None else [top]))
    return low, top, (abs(top) if abs(top) >= abs(low) else abs(low))
