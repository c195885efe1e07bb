"""Arithmetic backends: one interface, five arithmetics.

The gradient-descent kernel in :mod:`numerics.iterates` is written once, on numpy arrays whose
entries are whatever scalar the backend supplies:

``float64``
    numpy float arrays (IEEE double, about 15.95 digits); supports a batch axis over learning
    rates.
``dd``, ``qd``
    double-double (106 bits, ~31.9 digits) and quad-double (212 bits, ~63.8 digits): GD steps
    run in the compiled kernels of :mod:`numerics.kernels` (as do float64's, by default;
    :func:`numerics.gd.gradient_descent` decides), and this object is the arithmetic of
    everything around them (final measurements, and a run's continuation outside float64's
    exponent range): python-flint ``arb`` midpoints at exactly the format's bits
    (:class:`Compiled`).
``mpmath``
    object arrays of ``mpf`` from a private :class:`mpmath.MPContext` (any precision; the global
    ``mpmath.mp`` is never touched).
``flint``
    object arrays of python-flint ``arb`` used as point arithmetic: radii are discarded at
    every step, so this is midpoint arithmetic at ``prec`` bits, not interval arithmetic. Arb
    rounds midpoints faithfully (toward zero), not to nearest, so its rounding errors differ
    from mpmath's at the same precision (about 2 ulp per GD step against 0.3 in the first
    steps); the audit compares two precisions of one backend, which is what matters.
    Matrix-vector products are done by ``arb_mat`` in C. Precision is set only inside
    :meth:`Backend.scope`, which restores ``flint.ctx`` on exit.

Precision is given in decimal digits ``dps`` everywhere (:mod:`numerics.precision`); ``prec``
(bits) is derived as in mpmath. A backend is also the ``ops`` of
:mod:`theory.parametrisations` (``scalar``, ``sqrt``, ``exp``, ``log``, ``sinh``, ``cosh``).
"""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction

import numpy as np

from .errors import DomainError
from .precision import (
    BACKENDS,
    FLOAT64_DPS,
    FORMAT_BITS,
    FORMAT_DPS,
    Precision,
    _whole,
    check_dps,
    dps_to_prec,
)

__all__ = ["Backend", "get_backend", "BACKENDS", "Compiled"]


def _own_digits(fmt: str) -> tuple:
    """The whole ``dps`` accepted as a fixed format's own precision (its digits rounded
    either way: 15 or 16 for float64, 31 or 32 for dd, 63 or 64 for qd)."""
    return math.floor(FORMAT_DPS[fmt]), math.ceil(FORMAT_DPS[fmt])


class Backend:
    """A scalar arithmetic with vector helpers. Subclasses: Float64, Mpmath, Flint, Compiled."""

    name = "abstract"
    #: the compiled kernels' format that runs this backend's GD steps (None: none does)
    fmt: str | None = None
    dps: float
    prec: int

    def scope(self):
        """Context manager inside which this backend's precision is in force."""
        return contextlib.nullcontext()

    @property
    def precision(self) -> Precision:
        """This arithmetic at its working precision, e.g. ``Precision("flint", 32)``."""
        return Precision(self.name, self.dps)

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

    def exp(self, value):
        raise NotImplementedError

    def sinh(self, value):
        raise NotImplementedError

    def cosh(self, value):
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

    def weighted_gram(self, Xd, w) -> list:
        """``X diag(w) X^T`` (``n x n`` rows) for prepared data ``Xd`` (:meth:`data`) and a
        length-``d`` vector ``w``: ``n^2 d`` products, in C where the backend can."""
        raise NotImplementedError

    def solve(self, rows, rhs) -> list:
        """``A^{-1} B`` (rows) for a square ``A`` and a matrix ``B`` given by rows, at the
        working precision (no error bounds)."""
        raise NotImplementedError


class Float64(Backend):
    name = "float64"
    fmt = "float64"
    dtype = float

    def __init__(self):
        self.dps = FLOAT64_DPS
        self.prec = 53

    @property
    def precision(self) -> Precision:
        return Precision("float64")

    def scope(self):
        # overflow to inf is how a diverging run shows itself here (the driver reports it as
        # ``diverged``); numpy's warnings about it are expected, not errors
        return np.errstate(over="ignore", invalid="ignore", divide="ignore")

    @staticmethod
    def _float(value) -> float:
        try:
            f = float(value)
        except OverflowError:
            raise DomainError("value", value, "a number within float64 range (|v| < 1.8e308); "
                              "use a multiprecision backend (mpmath or flint)") from None
        if f == 0 and value != 0:
            raise DomainError("value", value, "a number float64 can represent (|v| > 2.2e-308 "
                              "or 0); use a multiprecision backend (mpmath or flint)")
        return f

    def scalar(self, value):
        return self._float(value)

    def vector(self, values):
        return np.array([self._float(v) for v in values], dtype=float)

    def to_fraction(self, value):
        value = float(value)
        if not math.isfinite(value):
            raise DomainError("value", value, "a finite number is required")
        return Fraction(value)

    def to_float(self, value):
        return float(value)

    def sqrt(self, value):
        return np.sqrt(value)

    def log(self, value):
        with np.errstate(divide="ignore"):
            return np.log(value)

    exp, sinh, cosh = staticmethod(np.exp), staticmethod(np.sinh), staticmethod(np.cosh)

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

    def weighted_gram(self, Xd, w):
        return list((Xd * np.asarray(w, dtype=float)) @ Xd.T)

    def solve(self, rows, rhs):
        return list(np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float)))


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
        # ``mpf.man_exp`` drops the sign, so read the raw ``(sign, man, exp, bc)`` tuple.
        x = self.ctx.mpf(value)
        if not self.ctx.isfinite(x):
            raise DomainError("value", value, "a finite number is required")
        sign, man, exp, _ = x._mpf_
        if not man:
            return Fraction(0)
        q = Fraction(int(man) << exp) if exp >= 0 else Fraction(int(man), 1 << -exp)
        return -q if sign else q

    def to_float(self, value):
        return float(value)

    def sqrt(self, value):
        return self.ctx.sqrt(value)

    def log(self, value):
        return self.ctx.log(value) if value != 0 else self.ctx.ninf

    def exp(self, value):
        return self.ctx.exp(value)

    def sinh(self, value):
        return self.ctx.sinh(value)

    def cosh(self, value):
        return self.ctx.cosh(value)

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

    def weighted_gram(self, Xd, w):
        Xw = [[x * wi for x, wi in zip(row, w)] for row in Xd]
        return [[self.ctx.fdot(a, b) for b in Xd] for a in Xw]

    def solve(self, rows, rhs):
        ctx = self.ctx
        A = ctx.matrix([[ctx.mpf(v) for v in row] for row in rows])
        cols = [ctx.lu_solve(A, ctx.matrix([ctx.mpf(row[j]) for row in rhs]))
                for j in range(len(rhs[0]))]
        return [[c[i] for c in cols] for i in range(len(rows))]


class Flint(Backend):
    name = "flint"
    dtype = object
    #: below this n*d, Python-level dot products beat the conversion to ``arb_mat``
    SMALL = 64
    #: how many prepared data matrices :meth:`data` keeps (per backend instance)
    CACHE = 4

    def __init__(self, dps: float):
        import flint

        self.flint = flint
        self.dps = int(dps)
        self.prec = dps_to_prec(dps)
        self._mid = np.frompyfunc(flint.arb.mid, 1, 1)
        self._arb = flint.arb
        self._fmpq = flint.fmpq
        self._arb_mat = flint.arb_mat
        self._data_cache: list = []

    def scope(self):
        return self.flint.ctx.workprec(self.prec)

    def scalar(self, value):
        if type(value) is not Fraction:
            value = Fraction(value)
        return self._arb(self._fmpq(value.numerator, value.denominator))

    def vector(self, values):
        return np.fromiter((self.scalar(v) for v in values), dtype=object)

    def to_fraction(self, value):
        """The exact value of ``value``'s midpoint (whatever this backend's precision)."""
        mid = value.mid()
        if mid.is_zero():
            return Fraction(0)
        if not mid.is_finite():
            raise DomainError("value", value, "a finite number is required")
        man, exp = mid.man_exp()
        man, exp = int(man), int(exp)
        return Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)

    def to_float(self, value):
        return float(value.mid())

    def sqrt(self, value):
        return value.sqrt()

    def log(self, value):
        return value.log() if not value.is_zero() else self.flint.arb.neg_inf()

    def exp(self, value):
        return value.exp()

    def sinh(self, value):
        return value.sinh()

    def cosh(self, value):
        return value.cosh()

    def is_finite(self, value):
        if isinstance(value, np.ndarray):
            return all(v.mid().is_finite() for v in value.flat)
        return bool(value.mid().is_finite())

    def abs_le(self, value, bound):
        # ``abs(nan) <= b`` and ``abs(+-inf) <= b`` are False for arb, as required.
        return bool(abs(value.mid()) <= bound)

    def data(self, X):
        """``X`` as ``arb_mat`` (and its transpose), rounded once at this precision.

        The prepared matrices are cached per backend instance, keyed by the identity of ``X``
        (a :class:`~numerics.problem.Problem` stores its data as an immutable tuple, so the
        engine's repeated calls for one problem convert ``n d`` Fractions only once).
        """
        prec = self.prec
        for key, key_prec, prepared in self._data_cache:
            if key is X and key_prec == prec:
                return prepared
        n, d = len(X), len(X[0])
        scalar = self.scalar
        rows = [[scalar(v) for v in row] for row in X]
        if n * d < self.SMALL:
            prepared = ("small", np.array(rows, dtype=object))
        else:
            A = self._arb_mat(rows)
            prepared = ("mat", A, A.transpose(), n, d, rows)
        if isinstance(X, tuple):  # immutable: safe to reuse by identity
            self._data_cache.insert(0, (X, prec, prepared))
            del self._data_cache[self.CACHE:]
        return prepared

    def matvec(self, Xd, v):
        if Xd[0] == "small":
            return Xd[1] @ v
        _, A, _, n, d, _ = Xd
        # one C call each way: list -> arb_mat, the product, arb_mat -> entries; np.fromiter
        # avoids numpy's per-element sequence probing in np.array(list_of_arb).
        return np.fromiter((A * self._arb_mat(d, 1, v)).entries(), dtype=object, count=n)

    def rmatvec(self, Xd, r):
        if Xd[0] == "small":
            return r @ Xd[1]
        _, _, AT, n, d, _ = Xd
        return np.fromiter((AT * self._arb_mat(n, 1, r)).entries(), dtype=object, count=d)

    def clean(self, v):
        return self._mid(v)

    def eigvalsh(self, rows):
        m = self.flint.arb_mat([[self.flint.arb(v).mid() for v in row] for row in rows])
        if len(rows) == 1:
            return [m[0, 0]]
        values = self.flint.acb_mat(m).eig(algorithm="approx")
        return sorted((e.real.mid() for e in values), key=lambda a: float(a))

    def weighted_gram(self, Xd, w):
        if Xd[0] == "small":
            X = Xd[1]
            return [list(self._mid(row)) for row in (X * np.asarray(w, dtype=object)) @ X.T]
        _, _, AT, n, d, rows = Xd
        Xw = self._arb_mat([[x * wi for x, wi in zip(row, w)] for row in rows])
        G = (Xw * AT).mid()
        return [[G[i, j] for j in range(n)] for i in range(n)]

    def solve(self, rows, rhs):
        A, B = self._arb_mat([list(r) for r in rows]), self._arb_mat([list(r) for r in rhs])
        Y = A.solve(B, algorithm="approx").mid()
        return [[Y[i, j] for j in range(Y.ncols())] for i in range(Y.nrows())]


class Compiled(Flint):
    """A fixed format of the compiled kernels (``dd``, ``qd``; ``float64`` for a float64 run
    continued outside float64's exponent range): the kernels run its GD steps, and this object
    is the arithmetic of everything else, python-flint ``arb`` midpoints at exactly the
    format's bits (53, 106, 212), with an unbounded exponent.

    Its :attr:`dps` is the format's decimal digits (31.9 for dd, 63.8 for qd), its
    :attr:`precision` the format itself (``Precision("dd")``).
    """

    def __init__(self, fmt: str):
        super().__init__(MIN_FLINT_DPS)
        self.name = self.fmt = fmt
        self.prec = FORMAT_BITS[fmt]
        self.dps = FORMAT_DPS[fmt]

    @property
    def precision(self) -> Precision:
        return Precision(self.fmt)


#: any valid dps (:class:`Compiled` replaces the precision at once)
MIN_FLINT_DPS = 10


def get_backend(backend: str = "float64", dps: float | None = None) -> Backend:
    """The arithmetic backend ``backend`` at ``dps`` decimal digits.

    Parameters
    ----------
    backend : {"float64", "dd", "qd", "mpmath", "flint"}
        ``float64``: numpy doubles; ``dd``, ``qd``: double-double and quad-double (compiled GD
        kernels; :class:`Compiled`); ``mpmath``: a private ``MPContext``; ``flint``:
        python-flint ``arb`` used as midpoint (point) arithmetic.
    dps : int, optional
        Decimal digits, a whole number with ``MIN_DPS <= dps <= MAX_DPS``
        (:mod:`numerics.precision`: 5 and 100000); required for ``mpmath`` and
        ``flint``. The fixed formats take none (their own digits rounded either way are
        tolerated: 15 or 16 for float64, 31 or 32 for dd, 63 or 64 for qd).

    Returns
    -------
    Backend
        ``prec`` (bits) is derived from ``dps`` as mpmath does (:func:`dps_to_prec`).

    Raises
    ------
    DomainError
        Unknown backend, ``dps`` missing for a multiprecision backend, ``dps`` not a whole
        number (a bool, a string, ``5.5``, NaN, infinite) or out of that range, or
        ``dps`` given for ``float64`` with another value than its own.

    Examples
    --------
    >>> get_backend("flint", 30).prec
    103
    >>> get_backend("float64").prec, get_backend("qd").prec
    (53, 212)
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise DomainError("backend", backend, f"one of {', '.join(BACKENDS)}")
    if backend in FORMAT_BITS:
        if dps is not None and _whole(dps, "dps") not in _own_digits(backend):
            raise DomainError("dps", dps, f"{backend} has about {FORMAT_DPS[backend]:.2f} "
                              "digits; use the mpmath or flint backend for another precision")
        return Float64() if backend == "float64" else Compiled(backend)
    if dps is None:
        raise DomainError("dps", dps, f"a precision in decimal digits is required for {backend}")
    dps = check_dps(dps)
    return Mpmath(dps) if backend == "mpmath" else Flint(dps)
