r"""Reproducible random instances ``(X, y, beta*)``: exact decimals, bit for bit from a seed.

Statement
---------
An instance is ``X`` (``n x d``), an ``s``-sparse ground truth ``beta*`` and labels
``y = X beta* + sigma z``. Every entry is an exact rational (a decimal with ``decimals``
digits, so CSV files round-trip exactly), and the whole instance is a function of
``(GENERATOR_VERSION, seed, arguments)`` alone.

The random stream
-----------------
Only the raw 64-bit output of numpy's ``PCG64(seed)`` is used (``random_raw``, a fixed
algorithm: NumPy keeps the bit generators' streams stable, while its distribution methods may
change between versions). Every transformation after it is exact or runs in a private mpmath
context, so no libm or NumPy version enters the result:

* a uniform ``u = (r >> 11) / 2^53`` (an exact dyadic in ``[0, 1)``);
* a bounded integer ``k < m`` by rejection (unbiased);
* a standard normal by Box-Muller at 96 bits, ``sqrt(-2 log(1 - u_1)) cos(2 pi u_2)``,
  rounded to ``decimals`` digits (a rounding boundary within ``2^-90`` of the value would be
  needed for two correct implementations to disagree).

Draw order (version 1): the entries of ``X`` row by row; the support of ``beta*`` by a partial
Fisher-Yates shuffle (``s`` bounded integers), sorted; its signs (one raw word each, the top
bit; skipped with ``signs="positive"``); its magnitudes, uniform on the grid of
``[1/2, 3/2)``; then ``n`` normals for the label noise (drawn even when ``noise = 0``).

Designs: ``gaussian`` (standard normal entries) and ``uniform-positive`` (entries uniform on
the grid ``{10^-k, 2 10^-k, ..., 1}``).

Files (:func:`write_instance`): ``X.csv`` (``n`` lines of ``d`` comma-separated numbers),
``y.csv`` and ``beta_star.csv`` (one number a line), ``instance.json`` (generator, its version,
the seed, the arguments, the shape, the SHA-256 of each file, the library versions).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import DomainError
from .files import atomic_write
from .problem import Problem, as_fraction

__all__ = ["Instance", "random_instance", "write_instance", "read_instance", "read_matrix",
           "read_vector", "GENERATOR", "DESCRIPTION", "GENERATOR_VERSION", "DESIGNS", "FILES"]

GENERATOR = "numerics.instances.random_instance"
#: bump when any draw or transformation changes (old seeds then give other instances)
GENERATOR_VERSION = 1
DESIGNS = ("gaussian", "uniform-positive")
SIGNS = ("random", "positive")
FILES = ("X.csv", "y.csv", "beta_star.csv")
#: what the generator draws, recorded in ``instance.json`` (the module notes in full)
DESCRIPTION = ("X: n x d entries row by row (gaussian: Box-Muller normals at 96 bits from raw "
               "PCG64 words; uniform-positive: uniform on the grid 10^-k, ..., 1), rounded to "
               "`decimals` digits; beta*: support by a partial Fisher-Yates shuffle, signs by "
               "the top bit of a word, magnitudes uniform on the grid of [1/2, 3/2); "
               "y = X beta* + noise z, z standard normals on the grid; numbers written exactly "
               "(terminating decimals, else p/q)")
_MAX_ENTRIES = 10**6
_NORMAL_BITS = 96


class _Stream:
    """Exact draws from the raw words of ``PCG64(seed)``."""

    def __init__(self, seed: int):
        self.bits = np.random.PCG64(seed)

    def word(self) -> int:
        return int(self.bits.random_raw())

    def bits53(self) -> int:
        """The top 53 bits of a word: uniform on ``{0, ..., 2^53 - 1}``."""
        return self.word() >> 11

    def uniform(self) -> Fraction:
        return Fraction(self.bits53(), 1 << 53)

    def below(self, m: int) -> int:
        """Uniform on ``{0, ..., m-1}`` (rejection sampling on 64-bit words)."""
        limit = (1 << 64) - (1 << 64) % m
        while True:
            w = self.word()
            if w < limit:
                return w % m

    def normal(self, ctx, scale: int) -> Fraction:
        """A standard normal rounded to ``1/scale`` (Box-Muller in the mpmath context)."""
        k1, k2 = self.bits53(), self.bits53()
        one_minus = ctx.mpf((1 << 53) - k1) / (1 << 53)  # 1 - u_1, in (0, 1]
        z = ctx.sqrt(-2 * ctx.log(one_minus)) * ctx.cos(2 * ctx.pi * ctx.mpf(k2) / (1 << 53))
        return Fraction(int(ctx.nint(z * scale)), scale)


def sparse_truth(rs: _Stream, d: int, s: int, signs: str, scale: int, magnitude=None) -> list:
    """One ``s``-sparse ``beta*`` from the stream: the support by a partial Fisher-Yates
    shuffle (sorted), a sign per entry (the top bit of a word; none drawn for ``"positive"``),
    a magnitude per entry uniform on the grid of ``[1/2, 3/2)`` of step ``1/scale`` (none
    drawn when ``magnitude`` is given)."""
    order = list(range(d))
    for i in range(s):  # partial Fisher-Yates
        j = i + rs.below(d - i)
        order[i], order[j] = order[j], order[i]
    support = sorted(order[:s])
    sign = [1 if signs == "positive" else (-1 if rs.word() >> 63 else 1) for _ in support]
    size = [Fraction(magnitude) if magnitude is not None else
            Fraction(int(rs.uniform() * scale) + scale // 2, scale) for _ in support]
    beta = [Fraction(0)] * d
    for i, sg, m in zip(support, sign, size):
        beta[i] = sg * m
    return beta


@dataclass(frozen=True)
class Instance:
    """A generated instance: exact data and its provenance.

    Attributes
    ----------
    X : tuple of n tuples of d Fractions
    y : tuple of n Fractions
    beta_star : tuple of d Fractions (``sparsity`` non-zero entries)
    provenance : dict
        ``generator``, ``version``, ``seed`` and ``arguments`` (everything needed to generate
        the instance again).
    """

    X: tuple
    y: tuple
    beta_star: tuple
    provenance: dict = field(compare=False)

    def problem(self, alpha, param: str = "product", depth: int = 2) -> Problem:
        """The :class:`~numerics.problem.Problem` on this data (``beta*`` as its ground
        truth, noise variance ``noise^2``)."""
        noise = Fraction(self.provenance["arguments"]["noise"])
        return Problem(self.X, self.y, alpha, param, depth, beta_star=self.beta_star,
                       sigma2=noise * noise)


def _whole(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise DomainError(name, value, f"an integer >= {low} is required")
    return int(value)


def random_instance(n: int, d: int, sparsity: int, *, noise=0, design: str = "gaussian",
                    seed: int, decimals: int = 4, signs: str = "random") -> Instance:
    """A random instance, a function of its arguments alone (module notes).

    Parameters
    ----------
    n : int, ``n >= 1`` samples
    d : int, ``d >= 2`` coordinates
    sparsity : int, ``0 <= sparsity <= d`` non-zero entries of ``beta*``
    noise : exact number ``>= 0``, the label-noise standard deviation ``sigma``
    design : ``"gaussian"`` or ``"uniform-positive"``
    seed : int, ``seed >= 0``
    decimals : int, ``1 <= decimals <= 12``: digits of every drawn number
    signs : ``"random"`` (each sign +-1 with probability 1/2) or ``"positive"``

    Raises
    ------
    DomainError
        An argument outside its domain (named as above).

    Examples
    --------
    >>> inst = random_instance(2, 3, 1, seed=7, decimals=2)
    >>> inst == random_instance(2, 3, 1, seed=7, decimals=2)
    True
    >>> sum(b != 0 for b in inst.beta_star), inst.y == tuple(
    ...     sum(a * b for a, b in zip(row, inst.beta_star)) for row in inst.X)
    (1, True)
    """
    n = _whole(n, "n", 1)
    d = _whole(d, "d", 2)
    s = _whole(sparsity, "sparsity", 0)
    if s > d:
        raise DomainError("sparsity", sparsity, f"at most d = {d} non-zero entries")
    if n * d > _MAX_ENTRIES:
        raise DomainError("n * d", n * d, f"at most {_MAX_ENTRIES} entries")
    seed = _whole(seed, "seed", 0)
    k = _whole(decimals, "decimals", 1)
    if k > 12:
        raise DomainError("decimals", decimals, "at most 12 digits")
    sigma = as_fraction(noise, "noise")
    if sigma < 0:
        raise DomainError("noise", noise, "a standard deviation >= 0 is required")
    if design not in DESIGNS:
        raise DomainError("design", design, f"one of {', '.join(DESIGNS)}")
    if signs not in SIGNS:
        raise DomainError("signs", signs, f"one of {', '.join(SIGNS)}")
    import mpmath

    ctx = mpmath.MPContext()
    ctx.prec = _NORMAL_BITS
    scale = 10**k
    rs = _Stream(seed)
    if design == "gaussian":
        X = tuple(tuple(rs.normal(ctx, scale) for _ in range(d)) for _ in range(n))
    else:
        X = tuple(tuple(Fraction(int(rs.uniform() * scale) + 1, scale) for _ in range(d))
                  for _ in range(n))
    beta = sparse_truth(rs, d, s, signs, scale)
    z = [rs.normal(ctx, scale) for _ in range(n)]
    y = tuple(sum((a * b for a, b in zip(row, beta) if b), Fraction(0)) + sigma * zi
              for row, zi in zip(X, z))
    arguments = {"n": n, "d": d, "sparsity": s, "noise": _text(sigma), "design": design,
                 "decimals": k, "signs": signs}
    provenance = {"generator": GENERATOR, "version": GENERATOR_VERSION, "seed": seed,
                  "bit_generator": "PCG64 (raw 64-bit words)", "arguments": arguments}
    return Instance(X, y, tuple(beta), provenance)


def _text(q: Fraction) -> str:
    """Exact text: a finite decimal when the denominator is ``2^a 5^b``, else ``p/q``."""
    q = Fraction(q)
    den, twos, fives = q.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return f"{q.numerator}/{q.denominator}"
    k = max(twos, fives)
    if k == 0:
        return str(q.numerator)
    digits = abs(q.numerator) * 10**k // q.denominator
    sign = "-" if q < 0 else ""
    whole, frac = divmod(digits, 10**k)
    return f"{sign}{whole}.{frac:0{k}d}".rstrip("0").rstrip(".")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_instance(instance: Instance, out: str | os.PathLike) -> dict:
    """Write ``X.csv``, ``y.csv``, ``beta_star.csv`` and ``instance.json`` into ``out``.

    Each file is replaced atomically; numbers are written exactly (:func:`read_instance` gives
    back the same Fractions). Returns the JSON written (provenance, shape, ``sha256`` of each
    file, library versions).
    """
    from importlib import metadata

    import mpmath

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"X.csv": "".join(",".join(_text(v) for v in row) + "\n" for row in instance.X),
             "y.csv": "".join(_text(v) + "\n" for v in instance.y),
             "beta_star.csv": "".join(_text(v) + "\n" for v in instance.beta_star)}
    for name, text in texts.items():
        atomic_write(folder / name, text)
    try:
        version = metadata.version("normsharp")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        version = None
    meta = {**instance.provenance, "description": DESCRIPTION,
            "shape": {"n": len(instance.X), "d": len(instance.X[0])},
            "files": {name: {"sha256": _sha256(folder / name)} for name in FILES},
            "libraries": {"normsharp": version, "numpy": np.__version__,
                          "mpmath": mpmath.__version__}}
    atomic_write(folder / "instance.json", json.dumps(meta, indent=2) + "\n")
    return meta


def _numbers(path: Path, name: str) -> list:
    try:
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    except OSError as exc:
        raise DomainError(name, str(path), f"a readable file is required ({exc.strerror})") \
            from None
    if not lines:
        raise DomainError(name, str(path), "a file with at least one number is required")
    rows = []
    for i, line in enumerate(lines):
        row = []
        for j, cell in enumerate(line.split(",")):
            try:
                row.append(Fraction(cell.strip()))
            except (ValueError, ZeroDivisionError):
                raise DomainError(name, f"{path}: line {i + 1}, field {j + 1} = {cell!r}",
                                  "numbers such as 0.5, -3/7 or 1e-3 are required") from None
        rows.append(tuple(row))
    return rows


def read_matrix(path: str | os.PathLike, name: str = "X") -> tuple:
    """An exact matrix from a CSV file (one row a line, comma-separated numbers)."""
    rows = _numbers(Path(path), name)
    if any(len(r) != len(rows[0]) for r in rows):
        raise DomainError(name, str(path), "a rectangular matrix (equal row lengths)")
    return tuple(rows)


def read_vector(path: str | os.PathLike, name: str = "y") -> tuple:
    """An exact vector from a CSV file (one number a line, or one comma-separated line)."""
    rows = _numbers(Path(path), name)
    if len(rows) == 1:
        return rows[0]
    if any(len(r) != 1 for r in rows):
        raise DomainError(name, str(path), "one number a line (or one line of numbers)")
    return tuple(r[0] for r in rows)


def read_instance(folder: str | os.PathLike) -> Instance:
    """The instance written by :func:`write_instance` in ``folder``, its files checked
    against the SHA-256 recorded in ``instance.json``.

    Raises
    ------
    DomainError
        A missing file, or one whose hash differs from the recorded one (argument ``folder``).
    """
    folder = Path(folder)
    try:
        meta = json.loads((folder / "instance.json").read_text())
    except (OSError, ValueError) as exc:
        raise DomainError("folder", str(folder), f"an instance.json is required ({exc})") \
            from None
    for name in FILES:
        got = _sha256(folder / name) if (folder / name).exists() else None
        if got != meta["files"][name]["sha256"]:
            raise DomainError("folder", str(folder), f"{name} must match the SHA-256 in "
                              "instance.json (the file is missing or was changed)")
    provenance = {k: meta[k] for k in ("generator", "version", "seed", "bit_generator",
                                       "arguments")}
    return Instance(read_matrix(folder / "X.csv"), read_vector(folder / "y.csv"),
                    read_vector(folder / "beta_star.csv", "beta_star"), provenance)
