"""Arithmetic backends: one interface, three arithmetics.

The gradient-descent kernel in :mod:`numerics.gd` is written once, on numpy arrays whose entries
are whatever scalar the backend supplies:

``float64``
    numpy float arrays (IEEE double, about 15.95 digits); supports a batch axis over learning
    rates.
``mpmath``
    object arrays of ``mpf`` from a private :class:`mpmath.MPContext` (any precision; the global
    ``mpmath.mp`` is never touched).
``flint``
    object arrays of python-flint ``arb`` used as point arithmetic (radii are discarded at every
    step, so this is correctly-rounded-midpoint arithmetic, not interval arithmetic), with
    matrix-vector products done by ``arb_mat`` in C. Precision is set only inside
    :meth:`Backend.scope`, which restores ``flint.ctx`` on exit.

Precision is given in decimal digits ``dps`` everywhere; ``prec`` (bits) is derived as in mpmath.
"""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction

import numpy as np

from .errors import DomainError

__all__ = ["Backend", "get_backend", "BACKENDS", "FLOAT64_DPS", "dps_to_prec"]

BACKENDS = ("float64", "mpmath", "flint")
FLOAT64_DPS = 53 * math.log10(2)  # 15.95...


def dps_to_prec(dps: float) -> int:
    """Bits for ``dps`` decimal digits, as mpmath computes them."""
    return max(1, int(round((int(dps) + 1) * 3.3219280948873626)))


class Backend:
    """A scalar arithmetic with vector helpers. Subclasses: Float64, Mpmath, Flint."""

    name = "abstract"
    dps: float
    prec: int

    def scope(self):
        """Context manager inside which this backend's precision is in force."""
        return contextlib.nullcontext()

    # conversions --------------------------------------------------------------------------
    def scalar(self, value: Fraction):
        raise NotImplementedError

    def vector(self, values) -> np.ndarray:
        return np.array([self.scalar(Fraction(v)) for v in values], dtype=self.dtype)

    def to_fraction(self, value) -> Fraction:
        raise NotImplementedError

    def to_float(self, value) -> float:
        return float(self.to_fraction(value)) if not isinstance(value, float) else value

    # elementary functions -----------------------------------------------------------------
    def sqrt(self, value):
        raise NotImplementedError

    def log(self, value):
        raise NotImplementedError

    def is_finite(self, value) -> bool:
        raise NotImplementedError

    def abs_le(self, value, bound) -> bool:
        """``|value| <= bound`` on midpoints; ``False`` for NaN."""
        raise NotImplementedError

    # linear algebra -----------------------------------------------------------------------
    def data(self, X) -> object:
        """Prepare the n x d data matrix (Fractions) for :meth:`matvec` / :meth:`rmatvec`."""
        raise NotImplementedError

    def matvec(self, Xd, v):
        """``X v`` (``v`` of shape ``(d,)`` or ``(B, d)``)."""
        raise NotImplementedError

    def rmatvec(self, Xd, r):
        """``X^T r``."""
        raise NotImplementedError

    def clean(self, v):
        """Normalise a state vector between steps (drop radii for ``flint``)."""
        return v

    def eigvalsh(self, rows) -> list:
        """Eigenvalues of a real symmetric matrix (list of rows of scalars), increasing."""
        raise NotImplementedError


class Float64(Backend):
    name = "float64"
    dtype = float

    def __init__(self):
        self.dps = FLOAT64_DPS
        self.prec = 53

    def scalar(self, value):
        return float(value)

    def vector(self, values):
        return np.array([float(v) for v in values], dtype=float)

    def to_fraction(self, value):
        return Fraction(float(value))

    def to_float(self, value):
        return float(value)

    def sqrt(self, value):
        return np.sqrt(value)

    def log(self, value):
        with np.errstate(divide="ignore"):
            return np.log(value)

    def is_finite(self, value):
        return bool(np.all(np.isfinite(value)))

    def abs_le(self, value, bound):
        return bool(abs(value) <= bound)

    def data(self, X):
        return np.array(X, dtype=float)

    def matvec(self, Xd, v):
        return v @ Xd.T

    def rmatvec(self, Xd, r):
        return r @ Xd

    def eigvalsh(self, rows):
        return list(np.linalg.eigvalsh(np.array(rows, dtype=float)))


class Mpmath(Backend):
    name = "mpmath"
    dtype = object

    def __init__(self, dps: float):
        import mpmath

        self.ctx = mpmath.MPContext()
        self.ctx.dps = int(dps)
        self.dps = int(dps)
        self.prec = self.ctx.prec

    def scalar(self, value):
        value = Fraction(value)
        return self.ctx.mpf(value.numerator) / value.denominator

    def to_fraction(self, value):
        man, exp = self.ctx.mpf(value).man_exp
        return Fraction(int(man)) * (Fraction(2) ** int(exp)) if man else Fraction(0)

    def to_float(self, value):
        return float(value)

    def sqrt(self, value):
        return self.ctx.sqrt(value)

    def log(self, value):
        return self.ctx.log(value) if value != 0 else self.ctx.ninf

    def is_finite(self, value):
        if isinstance(value, np.ndarray):
            return all(self.ctx.isfinite(v) for v in value.flat)
        return bool(self.ctx.isfinite(value))

    def abs_le(self, value, bound):
        return bool(abs(value) <= bound)

    def data(self, X):
        return [[self.scalar(v) for v in row] for row in X]

    def matvec(self, Xd, v):
        return np.array([self.ctx.fdot(row, v) for row in Xd], dtype=object)

    def rmatvec(self, Xd, r):
        d = len(Xd[0])
        return np.array([self.ctx.fdot([row[j] for row in Xd], r) for j in range(d)],
                        dtype=object)

    def eigvalsh(self, rows):
        m = self.ctx.matrix([[self.ctx.mpf(v) for v in row] for row in rows])
        values = self.ctx.eigsy(m, eigvals_only=True)
        return sorted(values[i] for i in range(len(rows)))


class Flint(Backend):
    name = "flint"
    dtype = object
    #: below this n*d, Python-level dot products beat the conversion to ``arb_mat``
    SMALL = 64

    def __init__(self, dps: float):
        import flint

        self.flint = flint
        self.dps = int(dps)
        self.prec = dps_to_prec(dps)
        self._mid = np.frompyfunc(flint.arb.mid, 1, 1)

    def scope(self):
        return self.flint.ctx.workprec(self.prec)

    def scalar(self, value):
        value = Fraction(value)
        return self.flint.arb(self.flint.fmpq(value.numerator, value.denominator))

    def to_fraction(self, value):
        mid = value.mid()
        if mid.is_zero():
            return Fraction(0)
        if not mid.is_finite():
            raise DomainError("value", value, "a finite number is required")
        man, exp = mid.man_exp()
        return Fraction(int(man)) * (Fraction(2) ** int(exp))

    def to_float(self, value):
        return float(value.mid())

    def sqrt(self, value):
        return value.sqrt()

    def log(self, value):
        return value.log() if not value.is_zero() else self.flint.arb.neg_inf()

    def is_finite(self, value):
        if isinstance(value, np.ndarray):
            return all(v.mid().is_finite() for v in value.flat)
        return bool(value.mid().is_finite())

    def abs_le(self, value, bound):
        m = value.mid()
        return bool(m.is_finite() and abs(m) <= bound)

    def data(self, X):
        n, d = len(X), len(X[0])
        rows = [[self.scalar(v) for v in row] for row in X]
        if n * d < self.SMALL:
            return ("small", np.array(rows, dtype=object))
        A = self.flint.arb_mat(rows)
        return ("mat", A, A.transpose(), n, d)

    def matvec(self, Xd, v):
        if Xd[0] == "small":
            return Xd[1] @ v
        _, A, _, n, d = Xd
        return np.array((A * self.flint.arb_mat(d, 1, list(v))).entries(), dtype=object)

    def rmatvec(self, Xd, r):
        if Xd[0] == "small":
            return r @ Xd[1]
        _, _, AT, n, d = Xd
        return np.array((AT * self.flint.arb_mat(n, 1, list(r))).entries(), dtype=object)

    def clean(self, v):
        return self._mid(v)

    def eigvalsh(self, rows):
        m = self.flint.arb_mat([[self.flint.arb(v).mid() for v in row] for row in rows])
        if len(rows) == 1:
            return [m[0, 0]]
        values = self.flint.acb_mat(m).eig(algorithm="approx")
        return sorted((e.real.mid() for e in values), key=lambda a: float(a))


def get_backend(backend: str = "float64", dps: float | None = None) -> Backend:
    """The backend ``backend`` at ``dps`` decimal digits (``float64`` takes none).

    Raises
    ------
    DomainError
        Unknown backend, ``dps`` missing for a multiprecision backend, ``dps < 5`` or not an
        integer, or ``dps`` given for ``float64`` with another value than its own.
    """
    if backend not in BACKENDS:
        raise DomainError("backend", backend, f"one of {', '.join(BACKENDS)}")
    if backend == "float64":
        if dps is not None and int(dps) != 15 and int(dps) != 16:
            raise DomainError("dps", dps, "float64 has about 15.95 digits; use the mpmath or "
                              "flint backend for another precision")
        return Float64()
    if dps is None:
        raise DomainError("dps", dps, f"a precision in decimal digits is required for {backend}")
    if isinstance(dps, bool) or not float(dps).is_integer() or not math.isfinite(float(dps)):
        raise DomainError("dps", dps, "a whole number of decimal digits is required")
    if dps < 5:
        raise DomainError("dps", dps, "dps >= 5 is required")
    if dps > 100000:
        raise DomainError("dps", dps, "dps <= 100000 is required")
    return Mpmath(dps) if backend == "mpmath" else Flint(dps)
