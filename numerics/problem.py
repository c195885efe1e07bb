"""The problem a numerical experiment runs on: data, parametrisation, initialisation scale.

A :class:`Problem` is validated once, at construction, and stores its data exactly (as
:class:`fractions.Fraction`; a float's exact binary value when floats are given), so every
backend starts from the same numbers and two precisions differ only by their arithmetic.

Loss: ``L(theta) = 1/(2n) ||X beta(theta) - y||^2``. Parametrisations, per coordinate ``i``:

=============  ===========================  ==============================================
``shared``     ``beta_i = w_i^D``            ``w_0 = alpha`` (``D = depth``, default 2)
``product``    ``beta_i = u_i v_i``          ``u_0 = sqrt(2) alpha``, ``v_0 = 0`` (E3)
``difference`` ``beta_i = u_i^2 - v_i^2``    ``u_0 = v_0 = alpha`` (E4)
=============  ===========================  ==============================================
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from theory.parametrisations import PARAMETRISATIONS, Parametrisation, parametrisation

from .errors import DomainError

__all__ = ["Problem", "PARAMETRISATIONS", "as_fraction", "DEFAULT_INSTANCE", "data_summary"]


def as_fraction(value: object, name: str) -> Fraction:
    """Exact conversion of a finite real (int, Fraction, float, decimal string, sympy number)."""
    if isinstance(value, bool):
        raise DomainError(name, value, "a finite real number is required, not a bool")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise DomainError(name, value, "a finite number is required")
        return Fraction(float(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise DomainError(name, value, "a number such as 0.5 or 1/3 is required") from None
    try:  # sympy Rational / Integer, flint fmpq, mpmath mpf
        import sympy

        if isinstance(value, sympy.Basic):
            if not value.is_Rational:
                raise DomainError(name, value, "a rational number is required")
            return Fraction(int(value.p), int(value.q))
    except ImportError:  # pragma: no cover
        pass
    try:
        f = Fraction(value)  # numbers.Rational and objects with as_integer_ratio
    except (TypeError, ValueError):
        raise DomainError(name, value, "a finite real number is required") from None
    return f


def _vector(values, name: str) -> tuple[Fraction, ...]:
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise DomainError(f"{name}", _short(values), "a one-dimensional sequence is required")
    return tuple(as_fraction(v, f"{name}[{i}]") for i, v in enumerate(values))


def _short(values):
    text = repr(values)
    return text if len(text) < 60 else text[:57] + "..."


@dataclass(frozen=True)
class Problem:
    """A diagonal-network regression problem, validated and stored exactly.

    Parameters
    ----------
    X : n x d array-like, or a length-d sequence for one sample (then ``n = 1``)
    y : length-n sequence, or a scalar when ``X`` is one sample
    alpha : float or exact, ``alpha > 0``: the initialisation scale
    param : ``"shared"``, ``"product"`` or ``"difference"`` (or a
        :class:`theory.parametrisations.Parametrisation`)
    depth : int, ``depth >= 2``; only ``shared`` supports ``depth > 2``
    beta_star : length-d sequence, optional: ground truth for the population risk
    Sigma : d x d symmetric positive semidefinite, optional (default identity)
    sigma2 : ``sigma2 >= 0``: label-noise variance

    Raises
    ------
    DomainError
        Wrong shapes, ``d < 2``, non-finite entries, ``alpha <= 0``, an unknown
        parametrisation, ``depth < 2``, a non-symmetric ``Sigma``.
    """

    X: tuple
    y: tuple
    alpha: Fraction
    param: str = "shared"
    depth: int = 2
    beta_star: tuple | None = None
    Sigma: tuple | None = None
    sigma2: Fraction = Fraction(0)
    _float: dict = field(default_factory=dict, compare=False, repr=False)
    #: the :class:`~theory.parametrisations.Parametrisation` named by ``param`` and ``depth``
    parametrisation: Parametrisation = field(default=None, compare=False, repr=False)

    def __init__(self, X, y, alpha, param="shared", depth=2, beta_star=None, Sigma=None,
                 sigma2=0):
        if isinstance(X, (str, bytes)):
            raise DomainError("X", X, "an array of numbers is required")
        try:
            dims = np.ndim(X)
        except ValueError:  # ragged nested sequences
            raise DomainError("X", _short(X), "a rectangular n x d matrix is required") from None
        if dims == 1:
            rows = (_vector(X, "x"),)
            ys = (as_fraction(y, "y"),) if np.ndim(y) == 0 else _vector(y, "y")
        elif dims == 2:
            rows = tuple(_vector(row, f"X[{i}]") for i, row in enumerate(X))
            ys = _vector(y, "y") if np.ndim(y) == 1 else (as_fraction(y, "y"),)
        else:
            raise DomainError("X.ndim", dims, "a vector (one sample) or an n x d matrix")
        n, d = len(rows), len(rows[0]) if rows else 0
        if n == 0 or any(len(r) != d for r in rows):
            raise DomainError("X", _short(X), "a non-empty rectangular n x d matrix is required")
        if d < 2:
            raise DomainError("d", d, "dimension d >= 2 is required")
        if len(ys) != n:
            raise DomainError("len(y)", len(ys), f"one label per sample (n = {n}) is required")
        a = as_fraction(alpha, "alpha")
        if a <= 0:
            raise DomainError("alpha", alpha, "alpha > 0 is required (initialisation scale)")
        if isinstance(param, Parametrisation):
            param, depth = param.name, param.depth
        P = parametrisation(param, depth)
        bs = None
        if beta_star is not None:
            bs = _vector(beta_star, "beta_star")
            if len(bs) != d:
                raise DomainError("len(beta_star)", len(bs), f"length d = {d} is required")
        Sg = None
        if Sigma is not None:
            if np.ndim(Sigma) != 2:
                raise DomainError("Sigma", _short(Sigma), f"a {d} x {d} matrix is required")
            Sg = tuple(_vector(row, f"Sigma[{i}]") for i, row in enumerate(Sigma))
            if len(Sg) != d or any(len(r) != d for r in Sg):
                raise DomainError("Sigma.shape", np.shape(Sigma), f"a {d} x {d} matrix")
            if any(Sg[i][j] != Sg[j][i] for i in range(d) for j in range(i)):
                raise DomainError("Sigma", _short(Sigma), "a symmetric matrix is required")
            if not _psd(Sg):
                raise DomainError("Sigma", _short(Sigma), "positive semidefinite is required")
        s2 = as_fraction(sigma2, "sigma2")
        if s2 < 0:
            raise DomainError("sigma2", sigma2, "sigma2 >= 0 is required (a variance)")
        for name, value in (("X", rows), ("y", ys), ("alpha", a), ("param", P.name),
                            ("depth", P.depth), ("beta_star", bs), ("Sigma", Sg),
                            ("sigma2", s2), ("_float", {}), ("parametrisation", P)):
            object.__setattr__(self, name, value)

    # ----------------------------------------------------------------- shape
    @property
    def n(self) -> int:
        """Number of samples."""
        return len(self.X)

    @property
    def d(self) -> int:
        """Dimension of ``beta``."""
        return len(self.X[0])

    @property
    def k(self) -> int:
        """Parameters per coordinate: 1 (shared) or 2 (product, difference)."""
        return self.parametrisation.blocks

    @property
    def one_sample_theory(self) -> bool:
        """Whether the exact one-sample theory (R1-R9, :mod:`theory`) is stated for this problem:
        one sample and the paper's model ``beta = w * w``."""
        return self.n == 1 and self.parametrisation.paper_model

    @property
    def x(self) -> tuple:
        """The single sample (one-sample problems only)."""
        if self.n != 1:
            raise DomainError("n", self.n, "a one-sample problem is required for .x")
        return self.X[0]

    # ---------------------------------------------------------------- floats
    def floats(self) -> dict:
        """float64 copies of the data (cached): ``X``, ``y``, ``beta_star``, ``Sigma``."""
        if not self._float:
            self._float.update(
                X=np.array(self.X, dtype=float),
                y=np.array(self.y, dtype=float),
                beta_star=None if self.beta_star is None else np.array(self.beta_star, float),
                Sigma=None if self.Sigma is None else np.array(self.Sigma, dtype=float),
            )
        return self._float

    def describe(self, sources: dict | None = None) -> str:
        """A one-line description for logs and reports: the data in full when short (at most
        :data:`DESCRIBE_WIDTH` characters) or a single sample (whose commands shorten long
        vectors themselves), else summarised by :func:`data_summary` (shape, source file,
        SHA-256 prefix), never the whole matrix. ``sources`` maps ``"X"`` and ``"y"`` to the
        files the data came from (the summary is then used whatever the length)."""
        tail = f"alpha={_fmt(self.alpha)} param={self.param}" + (
            f" depth={self.depth}" if self.depth != 2 else "")
        xs = "; ".join(",".join(_fmt(v) for v in row) for row in self.X)
        text = f"X=[{xs}] y=[{','.join(_fmt(v) for v in self.y)}] "
        if sources or (self.n > 1 and len(text) > DESCRIBE_WIDTH):
            text = data_summary(self.X, self.y, sources) + " "
        return text + tail

    def key(self) -> dict:
        """A JSON-able exact description (fractions as strings), for resumable runs."""
        f = _text
        return {
            "X": [[f(v) for v in row] for row in self.X], "y": [f(v) for v in self.y],
            "alpha": f(self.alpha), "param": self.param, "depth": self.depth,
            "beta_star": None if self.beta_star is None else [f(v) for v in self.beta_star],
            "Sigma": None if self.Sigma is None else [[f(v) for v in r] for r in self.Sigma],
            "sigma2": f(self.sigma2),
        }


#: data longer than this (characters) is summarised by :meth:`Problem.describe`
DESCRIBE_WIDTH = 120


def data_summary(X, y, sources: dict | None = None) -> str:
    """``X: 5 x 20 (X.csv, sha256 d7b7a883) y: 5 (y.csv, sha256 95003b73)``: the shape, the
    source file and the first 8 hex digits of its SHA-256 (of the file's bytes, as
    ``sha256sum`` prints it); without a file, of the exact data's text (``key()``'s
    ``p/q`` strings joined by commas, rows by newlines), marked ``data sha256``."""
    import hashlib

    sources = sources or {}

    def part(name, shape, rows):
        path = sources.get(name)
        if path is not None:
            from pathlib import Path

            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:8]
            return f"{name}: {shape} ({Path(path).name}, sha256 {digest})"
        text = "\n".join(",".join(_text(Fraction(v)) for v in r) for r in rows)
        return f"{name}: {shape} (data sha256 {hashlib.sha256(text.encode()).hexdigest()[:8]})"

    rows = [tuple(r) for r in X]
    return (part("X", f"{len(rows)} x {len(rows[0])}", rows) + " "
            + part("y", f"{len(y)}", [tuple(y)]))


def _psd(S: tuple) -> bool:
    """Exact positive-semidefiniteness of a symmetric rational matrix (LDL^T in Fractions,
    with the zero-pivot rule: a zero pivot needs a zero row below it)."""
    A = [list(row) for row in S]
    n = len(A)
    for k in range(n):
        p = A[k][k]
        if p < 0:
            return False
        if p == 0:
            if any(A[i][k] != 0 for i in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = A[i][k] / p
            for j in range(k + 1, n):
                A[i][j] -= f * A[k][j]
    return True


def _text(v: Fraction) -> str:
    """Exact text of a Fraction of any size (hexadecimal beyond Python's int-to-str limit)."""
    if max(abs(v.numerator), v.denominator).bit_length() < 12000:
        return str(v)
    return f"{v.numerator:#x}/{v.denominator:#x}"


def _fmt(v: Fraction) -> str:
    """Short text for a data value: exact when short, else 6 significant digits (any size)."""
    if v.denominator < 10**6 and abs(v.numerator) < 10**12:
        return str(v)
    from decimal import Decimal, localcontext

    with localcontext() as c:
        c.prec = 6
        d = Decimal(v.numerator) / Decimal(v.denominator)
    return format(d, "g") if Fraction(1, 10**4) <= abs(v) < 10**6 else format(d, "e")


#: The paper's default instance: ``x = (1, 1/2)``, ``y = 1``, ``alpha = 1/100``, shared weights.
DEFAULT_INSTANCE = dict(X=[1, Fraction(1, 2)], y=1, alpha=Fraction(1, 100))


def one_sample(x: Sequence, y, alpha, **kw) -> Problem:
    """Shorthand for the one-sample problem ``Problem(x, y, alpha, ...)``."""
    return Problem(x, y, alpha, **kw)
