"""The flow of one problem at one working precision: data, state at ``rho``, residual, eigenvalues.

Every coordinate starts at the parametrisation's ``theta_0(alpha)`` and follows its closed-form
flow map ``s -> theta_i(s)`` (:meth:`theory.parametrisations.Parametrisation.initial_flow`), so
a point of the path is given by ``rho = int_0^t r`` through ``s = X^T rho / n``.

All arithmetic runs in a private :class:`mpmath.MPContext` at ``dps + GUARD`` digits (the
Taylor recurrences and the eigenvalues along the ``n``-sample path use python-flint ``arb``
midpoint arithmetic at the same precision, inside ``flint.ctx.workprec``); results are exact
:class:`~fractions.Fraction` values of the computed binary numbers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..backends import Flint, Mpmath
from ..errors import DomainError, NoConvergence
from ..hessian import gram_matrix_A, hessian_rows, spectrum
from ..problem import Problem

#: The claim the flow's domain errors name.
CLAIM = "R6"
#: Guard digits carried above the requested precision.
GUARD = 10


class _Flow:
    """The flow of one problem in a private mpmath context at ``dps + GUARD`` digits.

    ``coord`` is the closed-form flow map of one coordinate in that context (every coordinate
    starts at ``theta_0(alpha)``, so one map serves them all).
    """

    def __init__(self, problem: Problem, dps: int):
        self.problem = problem
        # ``dps`` was validated by ``check_dps``; the working contexts carry GUARD more
        # digits, so they are built from the backend classes (``get_backend`` would reject
        # ``dps + GUARD`` above its range and name that number instead of the caller's ``dps``).
        self.backend = Mpmath(dps + GUARD)
        #: python-flint ``arb`` at the same precision (Taylor recurrences, eigenvalues)
        self.arb = Flint(dps + GUARD)
        assert self.arb.prec == self.backend.prec
        ctx = self.ctx = self.backend.ctx
        self.dps = dps
        self.n, self.d = problem.n, problem.d
        sc = self.backend.scalar
        self.X = [[sc(v) for v in row] for row in problem.X]
        self.XT = [[self.X[m][i] for m in range(self.n)] for i in range(self.d)]
        self.y = [sc(v) for v in problem.y]
        self.alpha = sc(problem.alpha)
        self.P = problem.parametrisation
        self.coord = self.P.initial_flow(self.alpha, self.backend)
        self.inv_n = sc(Fraction(1, self.n))
        self.eps = ctx.mpf(10) ** (-(dps + GUARD))
        self._A = None
        self._arb_data = None

    def arb_data(self) -> tuple:
        """``(X, X^T, y, 1/n, coordinate flow map)`` in ``arb`` at the working precision,
        converted once.

        Call inside ``self.arb.scope()``: Arb rounds each rational when it is converted.
        """
        if self._arb_data is None:
            sc = self.arb.scalar
            X = [[sc(v) for v in row] for row in self.problem.X]
            XT = [[X[m][i] for m in range(self.n)] for i in range(self.d)]
            coord = self.P.initial_flow(sc(self.problem.alpha), self.arb)
            self._arb_data = (X, XT, [sc(v) for v in self.problem.y],
                              sc(Fraction(1, self.n)), coord)
        return self._arb_data

    def to_arb(self, v):
        """The mpf ``v`` as an exact ``arb`` (inside ``self.arb.scope()``; same precision)."""
        return self.arb.scalar(self.frac(v))

    def s_of(self, rho) -> list:
        return [self.ctx.fdot(self.XT[i], rho) * self.inv_n for i in range(self.d)]

    def residual(self, rho) -> list:
        beta = [self.coord.beta(si) for si in self.s_of(rho)]
        return [self.ctx.fdot(self.X[m], beta) - self.y[m] for m in range(self.n)]

    def state(self, rho):
        """``(theta as numpy object arrays, beta, r, g)`` at ``rho``.

        Raises
        ------
        theory.parametrisations.OutOfDomain
            ``rho`` outside the path's domain (shared depth ``D > 2``).
        """
        s = self.s_of(rho)
        th = [self.coord.theta(si) for si in s]
        theta = tuple(np.array([t[a] for t in th], dtype=object) for a in range(self.problem.k))
        beta = [self.coord.beta(si) for si in s]
        r = [self.ctx.fdot(self.X[m], beta) - self.y[m] for m in range(self.n)]
        g = np.array([self.ctx.fdot(self.XT[i], r) * self.inv_n for i in range(self.d)],
                     dtype=object)
        return theta, beta, r, g

    def eig_full(self, rho):
        """``(lambda_min, lambda_max)`` of the full Hessian at ``rho`` (working precision).

        The Hessian is assembled by :func:`numerics.hessian.hessian_rows` in this context;
        its eigenvalues come from python-flint's ``acb_mat.eig`` (approximate QR algorithm,
        about ten times faster than ``mpmath.eigsy`` here; a test compares the two).
        """
        fl = self.arb.flint
        theta, _, _, g = self.state(rho)
        if self._A is None:
            self._A = [[self.backend.scalar(v) for v in row] for row in gram_matrix_A(self.problem)]
        rows = hessian_rows(self.problem, self.backend, theta, g, self._A)
        with self.arb.scope():
            M = fl.acb_mat(fl.arb_mat([[self.to_arb(v) for v in row] for row in rows]))
            values = sorted(self.ctx.mpf(e.real.mid()) for e in M.eig(algorithm="approx"))
        return values[0], values[-1]

    def eig_limit(self, rho):
        """``(lambda_min, lambda_max)`` at the limit: the Gram form (E1)."""
        theta, _, _, g = self.state(rho)
        low, top, _ = spectrum(self.problem, self.backend, theta, g, zero_loss=True)
        return low, top

    def frac(self, v) -> Fraction:
        """The exact value of the mpf ``v`` (:meth:`numerics.backends.Mpmath.to_fraction`).

        Raises
        ------
        NoConvergence
            ``v`` is infinite or NaN: the flow produced no finite value.
        """
        try:
            return self.backend.to_fraction(v)
        except DomainError:
            raise NoConvergence("a finite value", "the flow produced inf or nan") from None
