r"""An exact linear program: HiGHS finds a basis, exact simplex pivots confirm (or repair) it.

Statement
---------
``min c^T z`` subject to ``A z = b``, ``z >= 0`` with rational data and ``c >= 0``. A basis
``B`` (``r = rank A`` columns) is *optimal* when

.. math:: z_B = A_B^{-1} b \ge 0,\qquad \nu = A_B^{-T} c_B,\qquad c - A^\top \nu \ge 0,

and then ``c^T z = b^T nu`` (strong duality): ``nu`` is a certificate that no feasible point
does better (weak duality: ``c^T z' >= nu^T A z' = b^T nu`` for every feasible ``z'``). All
three conditions are checked in exact rational arithmetic; the returned value is exact.

Method: scipy's HiGHS solves the LP in floating point; its solution orders the columns (large
``z_j`` first, then small reduced cost) and the first independent ones form the starting basis.
Exact tableau simplex with Bland's rule then pivots to an optimal basis (usually zero pivots);
when the guess is not primal feasible, an exact phase I starts from artificial columns.
Infeasibility is certified by phase I (a Farkas vector ``nu`` with ``A^T nu <= 0``,
``b^T nu > 0``).

Ties: with the optimal dual ``nu``, the optimal set is the *face*
``{z >= 0 : A z = b, z_j = 0 where (c - A^T nu)_j > 0}``; the optimum is unique iff every
coordinate that is zero at the optimal vertex stays zero on the face (one exact LP per such
coordinate with zero reduced cost).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np

from .exact import independent_columns, matvec, rref, solve_square, to_fmpq, to_fraction

__all__ = ["LPSolution", "Infeasible", "solve_lp", "check_certificate", "face_vertices",
           "MAX_FACE_BASES"]

F = Fraction
#: the most bases enumerated to list the vertices of a non-unique optimal face
MAX_FACE_BASES = 20000


class Infeasible(ValueError):
    """``A z = b, z >= 0`` has no solution; ``farkas`` proves it (``A^T nu <= 0``,
    ``b^T nu > 0``, exactly), over the rows of ``A`` given."""

    def __init__(self, farkas):
        self.farkas = tuple(farkas)
        super().__init__("the linear program is infeasible")


@dataclass(frozen=True)
class LPSolution:
    """An exact optimum of ``min c^T z, A z = b, z >= 0``.

    Attributes
    ----------
    z : tuple of Fractions, an optimal vertex
    nu : tuple of Fractions, the dual certificate (one entry per row of ``A``; zero on rows
        dependent on the others)
    value : Fraction, ``c^T z = b^T nu``
    basis : tuple of int
    reduced : tuple of Fractions, ``c - A^T nu >= 0``
    unique : bool, whether ``z`` is the only optimum
    pivots : int, exact pivots made after HiGHS's basis
    """

    z: tuple
    nu: tuple
    value: Fraction
    basis: tuple
    reduced: tuple
    unique: bool
    pivots: int

    @property
    def face_columns(self) -> tuple:
        """The columns with zero reduced cost: the optimal face lives on them."""
        return tuple(j for j, r in enumerate(self.reduced) if r == 0)


def check_certificate(A, b, c, z, nu) -> dict:
    """The exact optimality conditions of ``(z, nu)``: ``primal_feasible`` (``A z = b``,
    ``z >= 0``), ``dual_feasible`` (``c - A^T nu >= 0``), ``gap`` (``c^T z - b^T nu``) and
    ``optimal`` (all three hold with a zero gap)."""
    z, nu = [F(v) for v in z], [F(v) for v in nu]
    primal = all(v >= 0 for v in z) and matvec(A, z) == [F(v) for v in b]
    dual = all(F(cj) - sum(F(A[i][j]) * nu[i] for i in range(len(A))) >= 0
               for j, cj in enumerate(c))
    gap = sum(F(cj) * zj for cj, zj in zip(c, z)) - sum(F(bi) * v for bi, v in zip(b, nu))
    return {"primal_feasible": primal, "dual_feasible": dual, "gap": gap,
            "optimal": primal and dual and gap == 0}


class _Tableau:
    """``[A_B^{-1} A | A_B^{-1} b]`` kept exactly (python-flint ``fmpq``), with the basis
    ``B``."""

    def __init__(self, A, b, basis):
        self.T = [[to_fmpq(v) for v in row] + [to_fmpq(bi)] for row, bi in zip(A, b)]
        self.basis = list(basis)
        self.N = len(A[0])
        for i, j in enumerate(self.basis):
            piv = next((k for k in range(i, len(self.T)) if self.T[k][j] != 0), None)
            if piv is None:
                raise ArithmeticError("singular basis")
            self.T[i], self.T[piv] = self.T[piv], self.T[i]
            self._eliminate(i, j)

    def _eliminate(self, i, j):
        p = self.T[i][j]
        row = [v / p for v in self.T[i]]
        self.T[i] = row
        for k, other in enumerate(self.T):
            if k != i and other[j] != 0:
                f = other[j]
                self.T[k] = [a - f * c for a, c in zip(other, row)]

    def pivot(self, i, j):
        self._eliminate(i, j)
        self.basis[i] = j

    def x(self) -> list:
        z = [F(0)] * self.N
        for i, j in enumerate(self.basis):
            z[j] = to_fraction(self.T[i][-1])
        return z

    def reduced(self, c) -> list:
        c = [to_fmpq(v) for v in c]
        cb = [c[j] for j in self.basis]
        return [c[j] - sum((cb[i] * self.T[i][j] for i in range(len(cb)) if self.T[i][j]),
                           to_fmpq(0)) for j in range(self.N)]

    def run(self, c, columns=None) -> int:
        """Bland's rule to optimality over ``columns`` (default all); returns the pivots made.
        Raises ArithmeticError when unbounded. The reduced costs are updated with each pivot
        (the objective row of the tableau)."""
        allowed = range(self.N) if columns is None else sorted(columns)
        pivots = 0
        r = self.reduced(c)
        while True:
            enter = next((j for j in allowed if r[j] < 0), None)
            if enter is None:
                return pivots
            best = None
            for i, row in enumerate(self.T):
                if row[enter] > 0:
                    key = (row[-1] / row[enter], self.basis[i])
                    if best is None or key < best[0]:
                        best = (key, i)
            if best is None:
                raise ArithmeticError("unbounded")
            self.pivot(best[1], enter)
            row, f = self.T[best[1]], r[enter]
            r = [a - f * b for a, b in zip(r, row)]
            pivots += 1


def _phase_one(A, b) -> _Tableau:
    """A feasible basis of ``A z = b, z >= 0`` (rows independent) by exact phase I, or
    :class:`Infeasible`."""
    m, N = len(A), len(A[0])
    sign = [(-1 if F(v) < 0 else 1) for v in b]
    A1 = [[s * F(v) for v in row] + [F(int(i == k)) for k in range(m)]
          for i, (row, s) in enumerate(zip(A, sign))]
    b1 = [s * F(v) for s, v in zip(sign, b)]
    tab = _Tableau(A1, b1, range(N, N + m))
    c1 = [F(0)] * N + [F(1)] * m
    tab.run(c1)
    if sum(tab.x()[N:]) > 0:
        cb = [c1[j] for j in tab.basis]
        # the phase-I dual y solves B^T y = c_B; with the row signs undone it is a Farkas vector
        B = [[A1[i][j] for j in tab.basis] for i in range(m)]
        y = solve_square([list(r) for r in zip(*B)], cb)
        raise Infeasible([s * v for s, v in zip(sign, y)])
    for i, j in enumerate(list(tab.basis)):  # drive artificials out (rows are independent)
        if j >= N:
            k = next(k for k in range(N) if tab.T[i][k] != 0)
            tab.pivot(i, k)
    tab.T = [row[:N] + [row[-1]] for row in tab.T]
    tab.N = N
    return tab


def _highs(A, b, c):
    """HiGHS's floating-point solution ``(z, nu, status)``."""
    from scipy.optimize import linprog

    Af = np.array([[float(v) for v in row] for row in A])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = linprog(np.array([float(v) for v in c]), A_eq=Af,
                      b_eq=np.array([float(v) for v in b]), bounds=(0, None), method="highs")
    if res.status != 0 or res.x is None:
        return None, None, res.status
    return res.x, res.eqlin.marginals, 0


def solve_lp(A, b, c) -> LPSolution:
    """The exact optimum of ``min c^T z, A z = b, z >= 0`` (module notes).

    Parameters
    ----------
    A : m x N rational matrix (rows may be dependent); b : m rationals; c : N rationals ``>= 0``

    Raises
    ------
    Infeasible
        No feasible point (with an exact Farkas certificate over the rows of ``A``).
    """
    A = [[F(v) for v in row] for row in A]
    b, c = [F(v) for v in b], [F(v) for v in c]
    m, N = len(A), len(A[0])
    _, piv = rref([row + [bi] for row, bi in zip(A, b)])
    if N in piv:  # 0 = 1 after elimination: b is not in the range of A
        raise Infeasible(_range_certificate(A, b))
    rows = independent_columns([list(col) for col in zip(*A)], range(m))
    if not rows:  # A = 0 (and b = 0): z = 0 is optimal, unique iff every c_j > 0
        return LPSolution(tuple(F(0) for _ in c), tuple(F(0) for _ in range(m)), F(0), (),
                          tuple(c), all(v > 0 for v in c), 0)
    Ar, br = [A[i] for i in rows], [b[i] for i in rows]
    z_f, nu_f, status = _highs(Ar, br, c)
    tab = None
    if z_f is not None:
        red = np.array([float(v) for v in c]) - np.array(
            [[float(v) for v in row] for row in Ar]).T @ nu_f
        order = sorted(range(N), key=lambda j: (-z_f[j] if z_f[j] > 1e-9 else 0.0, abs(red[j])))
        guess = independent_columns(Ar, order)
        if len(guess) == len(rows):
            t = _Tableau(Ar, br, guess)
            if all(v >= 0 for v in t.x()):
                tab = t
    if tab is None:
        tab = _phase_one(Ar, br)
    pivots = tab.run(c)
    basis = tuple(tab.basis)
    z = tab.x()
    B = [[Ar[i][j] for j in basis] for i in range(len(rows))]
    nu_r = solve_square([list(r) for r in zip(*B)], [c[j] for j in basis])
    nu = [F(0)] * m
    for i, v in zip(rows, nu_r):
        nu[i] = v
    cert = check_certificate(A, b, c, z, nu)
    if not cert["optimal"]:  # pragma: no cover - the simplex's own invariants
        raise ArithmeticError(f"exact LP certificate failed: {cert}")
    reduced = tuple(cj - sum(A[i][j] * nu[i] for i in range(m)) for j, cj in enumerate(c))
    unique = _unique(tab, c, reduced)
    return LPSolution(tuple(z), tuple(nu), cert["gap"] + sum(bi * v for bi, v in zip(b, nu)),
                      basis, reduced, unique, pivots)


def _range_certificate(A, b) -> list:
    """A vector ``nu`` with ``A^T nu = 0`` and ``b^T nu = 1``: ``b`` is not in the range (a
    left null vector of ``A``, from the reduced form of ``[A | I]``)."""
    m = len(A)
    R, _ = rref([row + [F(int(i == k)) for k in range(m)] for i, row in enumerate(A)])
    for row in R:
        if all(v == 0 for v in row[:len(A[0])]):
            nu = row[len(A[0]):]
            s = sum(bi * v for bi, v in zip(b, nu))
            if s != 0:
                return [v / s for v in nu]
    raise AssertionError("b is in the range of A")  # pragma: no cover


def _unique(tab: _Tableau, c, reduced) -> bool:
    """Whether the optimal vertex is the only optimum (module notes)."""
    face = [j for j, r in enumerate(reduced) if r == 0]
    z = tab.x()
    probe = [j for j in face if z[j] == 0]
    for j in probe:
        t = _Tableau([row[:-1] for row in tab.T], [row[-1] for row in tab.T], tab.basis)
        target = [F(-1) if k == j else F(0) for k in range(tab.N)]
        try:
            t.run(target, columns=face)
        except ArithmeticError:  # unbounded face
            return False
        if t.x()[j] > 0:
            return False
    return True


def face_vertices(A, b, columns, limit: int = MAX_FACE_BASES) -> list | None:
    """The vertices of ``{z >= 0 : A z = b, z_j = 0 off columns}`` by basis enumeration
    (exact), or None when there are more than ``limit`` bases to try."""
    from math import comb

    A = [[F(v) for v in row] for row in A]
    rows = independent_columns([list(col) for col in zip(*A)], range(len(A)))
    Ar, br = [A[i] for i in rows], [F(b[i]) for i in rows]
    r = len(rows)
    cols = list(columns)
    if comb(len(cols), r) > limit:
        return None
    out = []
    for basis in combinations(cols, r):
        x = solve_square([[row[j] for j in basis] for row in Ar], br)
        if x is None or any(v < 0 for v in x):
            continue
        z = [F(0)] * len(A[0])
        for j, v in zip(basis, x):
            z[j] = v
        if z not in out:
            out.append(z)
    return out
