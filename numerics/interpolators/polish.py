r"""Polishing the minimum-sharpness optimum at high precision: Newton on its optimality system.

Statement
---------
On the support ``S`` with signs ``sigma`` (``beta_i = sigma_i b_i``, ``b_i > 0``) and a top
eigenvalue ``t`` of multiplicity ``m`` (``Z = Q Q^T``, ``Q`` of size ``n x m``), an optimum
with its dual solves

.. math::
    X_{c,S}(\sigma b) = y,\qquad
    \sigma_i\, a_{c,i}^\top \nu = \phi'(b_i)\, \|Q^\top a_i\|^2\ (i \in S),\qquad
    (t I - A(b))\, Q = 0,\qquad \|Q\|_F^2 = 1,

with ``A(b) = sum_S phi(b_i) a_i a_i^T`` (``a_i``: columns of all samples ``X_s``; ``a_{c,i}``:
of the constraint rows ``X_c``). These are the KKT conditions of the convex program
(stationarity in ``b_i`` of ``<Z, A(b)> - nu^T (X_c beta - y)``, complementarity
``(t I - A) Z = 0``, ``tr Z = 1``). The solutions form a manifold (``Q -> Q U`` for orthogonal
``U``), so the steps are minimum-norm least-squares (Gauss-Newton). Stage one iterates in
float64 with the exact Jacobian; stage two keeps that Jacobian and evaluates the residual in a
private mpmath context at ``dps`` digits (iterative refinement: each step gains about
``16 - log10 cond`` digits).

Nothing returned here is trusted: :mod:`numerics.interpolators.sharpness` turns the point into
exact rationals and certifies bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Polished", "polish"]


@dataclass(frozen=True)
class Polished:
    """The polished point: ``b`` (on the support), ``nu``, ``t``, ``Q`` as mpf arrays, and the
    final residual's max norm (a float)."""

    b: np.ndarray
    nu: np.ndarray
    t: object
    Q: np.ndarray
    residual: float
    iterations: int


def _phi(b, p, order):
    """``phi(b) = b^p`` and its first two derivatives (``order`` 0, 1, 2), elementwise."""
    if p == 1:
        return b if order == 0 else (b * 0 + 1 if order == 1 else b * 0)
    if order == 0:
        return np.array([v ** p for v in b], dtype=b.dtype)
    if order == 1:
        return np.array([p * v ** (p - 1) for v in b], dtype=b.dtype)
    return np.array([p * (p - 1) * v ** (p - 2) for v in b], dtype=b.dtype)


class _System:
    def __init__(self, Xs, Xc, y, support, signs, m, p):
        self.XsS, self.XcS = Xs[:, support], Xc[:, support]
        self.y, self.sig = y, np.array(signs, dtype=float)
        self.k, self.r, self.n, self.m, self.p = len(support), len(y), Xs.shape[0], m, p

    def unpack(self, v):
        k, r, n, m = self.k, self.r, self.n, self.m
        return v[:k], v[k:k + r], v[k + r], v[k + r + 1:].reshape(m, n).T

    def pack(self, b, nu, t, Q):
        return np.concatenate([b, nu, np.array([t], dtype=b.dtype), Q.T.reshape(-1)])

    def residual(self, v, XsS, XcS, y, sig):
        b, nu, t, Q = self.unpack(v)
        QA = Q.T @ XsS
        q2 = (QA * QA).sum(axis=0)
        A = (XsS * _phi(b, self.p, 0)) @ XsS.T
        R3 = t * Q - A @ Q
        return np.concatenate([XcS @ (sig * b) - y, sig * (XcS.T @ nu) - _phi(b, self.p, 1) * q2,
                               R3.T.reshape(-1), np.array([(Q * Q).sum() - 1], dtype=v.dtype)])

    def jacobian(self, v):
        b, nu, t, Q = self.unpack(v)
        k, r, n, m = self.k, self.r, self.n, self.m
        XsS, XcS, sig = self.XsS, self.XcS, self.sig
        QA = Q.T @ XsS
        d1, d2 = _phi(b, self.p, 1), _phi(b, self.p, 2)
        A = (XsS * _phi(b, self.p, 0)) @ XsS.T
        cb, cn, ct, cq = 0, k, k + r, k + r + 1
        rows = r + k + n * m + 1
        J = np.zeros((rows, cq + n * m))
        J[:r, cb:cn] = XcS * sig
        J[r:r + k, cn:ct] = (XcS * sig).T
        J[r:r + k, cb:cn] = np.diag(-d2 * (QA * QA).sum(axis=0))
        for j in range(m):
            J[r:r + k, cq + j * n:cq + (j + 1) * n] = (-2 * d1 * QA[j])[:, None] * XsS.T
            J[r + k + j * n:r + k + (j + 1) * n, cb:cn] = -(d1 * QA[j]) * XsS
            J[r + k + j * n:r + k + (j + 1) * n, cq + j * n:cq + (j + 1) * n] = (
                t * np.eye(n) - A)
        J[r + k:r + k + n * m, ct] = Q.T.reshape(-1)
        J[-1, cq:] = 2 * Q.T.reshape(-1)
        return J


def polish(Xs, Xc, y, support, signs, m, p, start, *, dps: int = 50,
           max_float: int = 40, max_refine: int = 12) -> Polished | None:
    """Newton on the optimality system (module notes) from ``start = (b, nu, t, Q)`` (floats);
    None when the float64 stage does not converge or leaves the region ``b > 0``.

    ``Xs``, ``Xc``, ``y`` are exact (rows of Fractions); ``p`` a Fraction (``phi = b^p``).
    """
    from fractions import Fraction

    p = Fraction(p)
    from .exact import mp_context

    S = _System(np.array(Xs, dtype=float), np.array(Xc, dtype=float), np.array(y, dtype=float),
                support, signs, m, float(p))
    v = S.pack(*[np.atleast_1d(np.asarray(a, float)) for a in start[:2]], float(start[2]),
               np.asarray(start[3], float))
    scale = max(1.0, float(np.max(np.abs(S.XsS))) ** 2 * max(1.0, float(np.max(v[:S.k]))))
    args = (S.XsS, S.XcS, S.y, S.sig)
    best = np.inf
    for _ in range(max_float):
        R = S.residual(v, *args)
        res = float(np.max(np.abs(R)))
        if res <= 1e-14 * scale:
            break
        if res > 1e6 * best:
            return None
        best = min(best, res)
        delta = np.linalg.lstsq(S.jacobian(v), -R, rcond=None)[0]
        v = v + delta
    if np.any(v[:S.k] <= 0) or not np.all(np.isfinite(v)):
        return None
    J = S.jacobian(v)
    pinv = np.linalg.pinv(J, rcond=1e-13)
    ctx = mp_context(dps + 10)
    mp = np.vectorize(lambda a: ctx.mpf(float(a)), otypes=[object])
    vh = mp(v)
    S.p = p if p == 1 else ctx.mpf(p.numerator) / p.denominator
    # the data are exact rationals: their mpf images at dps + 10 digits
    XsS, XcS = _data_mp(ctx, Xs)[:, support], _data_mp(ctx, Xc)[:, support]
    yh = _data_mp(ctx, y)
    sig = np.array([ctx.mpf(s) for s in signs], dtype=object)
    tol = ctx.mpf(10) ** (-dps) * scale
    steps, res = 0, None
    while True:
        R = S.residual(vh, XsS, XcS, yh, sig)
        res = max(abs(x) for x in R)
        if res <= tol or steps == max_refine:
            break
        vh = vh - mp(pinv @ np.array([float(x) for x in R]))
        steps += 1
    b, nu, t, Q = S.unpack(vh)
    if any(x <= 0 for x in b):
        return None
    return Polished(b, nu, t, Q, float(res), steps)


def _data_mp(ctx, rows):
    """An object array of mpf from rationals (a matrix or a vector)."""
    arr = np.array(rows, dtype=object)
    return np.vectorize(lambda q: ctx.mpf(q.numerator) / q.denominator, otypes=[object])(arr)
