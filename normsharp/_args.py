"""Argument types shared by the subcommands: exact numbers, vectors and data files."""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

from theory.errors import DomainError

__all__ = ["number", "positive_number", "vector", "vectors", "positive_int", "load_data",
           "add_data_args", "problem_from_args"]


#: largest order of magnitude accepted on the command line (|log10 v| <= this)
MAX_EXPONENT = 1000


def number(text: str) -> Fraction:
    """An exact number from ``0.5``, ``1/3`` or ``1e-2``; refuses nan, inf and magnitudes beyond
    ``1e+-1000`` (whose exact digits alone would swamp any computation)."""
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a finite number (e.g. 0.5 or 1/3)") from None
    if value and max(abs(value.numerator), value.denominator).bit_length() > 3.33 * MAX_EXPONENT:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a magnitude between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT} is required")
    return value


def positive_number(text: str) -> Fraction:
    value = number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a value > 0 is required")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: an integer > 0 is required")
    return value


def nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: an integer >= 0 is required")
    return value


def vector(text: str) -> list[Fraction]:
    """A comma-separated list of exact numbers: ``1,0.5`` or ``1,1/2``."""
    parts = [p for p in text.replace(" ", "").split(",")]
    if not parts or any(p == "" for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: comma-separated numbers such as 1,0.5")
    return [number(p) for p in parts]


def vectors(text: str) -> list[list[Fraction]]:
    """Vectors separated by ``;``: ``1,-0.5`` (one) or ``1,2;0,1`` (two)."""
    return [vector(part) for part in text.split(";")]


def load_data(path: str, name: str):
    """Read a CSV (comma or whitespace separated) or ``.npy`` file into a numpy array."""
    import numpy as np

    p = Path(path)
    if not p.is_file():
        raise DomainError(name, path, "an existing .csv or .npy file is required")
    if p.suffix == ".npy":
        try:
            data = np.load(p, allow_pickle=False)
        except (ValueError, OSError) as exc:
            reason = " ".join(str(exc).split())[:80]
            raise DomainError(name, path, f"a numeric .npy file is required ({reason})"
                              ) from None
        if data.size == 0:
            raise DomainError(name, path, "a non-empty file of numbers is required")
        if data.dtype.kind not in "iuf":
            raise DomainError(name, path, "numbers only (found a non-numeric array)")
        if not np.all(np.isfinite(data)):
            raise DomainError(name, path, "finite numbers only (found nan or inf)")
        return data
    return _read_text_table(p, name)


def _read_text_table(p: Path, name: str):
    """A CSV or whitespace table read exactly: ``0.2`` is 1/5, as on the command line.

    Returns an object array of Fractions, two-dimensional when the file has several columns
    or rows (one row: a single sample).
    """
    import numpy as np

    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError(name, str(p), f"a readable text file ({exc.__class__.__name__})"
                          ) from None
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cells = [c for c in line.replace(",", " ").split()]
        try:
            rows.append([number(c) for c in cells])
        except argparse.ArgumentTypeError as exc:
            raise DomainError(name, f"{p}:{lineno}", f"numbers only ({exc})") from None
    if not rows:
        raise DomainError(name, str(p), "a non-empty file of numbers is required")
    if any(len(r) != len(rows[0]) for r in rows):
        raise DomainError(name, str(p), "the same number of columns on every line")
    data = np.empty((len(rows), len(rows[0])), dtype=object)
    for i, r in enumerate(rows):
        data[i, :] = r
    return data


def add_data_args(p: argparse.ArgumentParser, *, alpha_required: bool = True,
                  files: bool = True) -> None:
    """``--x/--y`` (one sample) or ``--X-file/--y-file`` (n samples), ``--alpha``, ``--param``."""
    p.add_argument("--x", type=vector, help="features of one sample, e.g. 1,0.5")
    p.add_argument("--y", type=number, help="label of one sample (default 1 with --x)")
    if files:
        p.add_argument("--X-file", dest="X_file", help="n x d data matrix (.csv or .npy)")
        p.add_argument("--y-file", dest="y_file", help="n labels (.csv or .npy)")
    p.add_argument("--alpha", type=positive_number, required=alpha_required,
                   help="initialisation scale alpha > 0")
    p.add_argument("--param", choices=["shared", "product", "difference"], default="shared",
                   help="parametrisation of beta (default shared: beta = w*w)")
    p.add_argument("--beta-star", dest="beta_star", type=vector,
                   help="ground truth for the risk, e.g. 0.5,1")


def problem_from_args(args):
    """Build a :class:`numerics.Problem` from ``--x/--y`` or ``--X-file/--y-file``."""
    from numerics.problem import Problem

    files = getattr(args, "X_file", None) or getattr(args, "y_file", None)
    if files and args.x is not None:
        raise DomainError("--x", "given with --X-file", "either --x/--y or --X-file/--y-file")
    if files:
        if not (args.X_file and args.y_file):
            raise DomainError("--X-file/--y-file", "only one given", "both files are required")
        X = load_data(args.X_file, "--X-file")
        y = load_data(args.y_file, "--y-file")
        if X.ndim == 1:  # a one-dimensional .npy array: one sample
            X = X.reshape(1, -1)
        if y.ndim == 2 and 1 not in y.shape:
            raise DomainError("--y-file", args.y_file, "one label per sample: a single row or "
                              f"column (found {y.shape[0]} x {y.shape[1]})")
        if X.shape[1] < 2:
            raise DomainError("--X-file", args.X_file, f"d >= 2 columns (found {X.shape[1]}; "
                              "one sample per row)")
        return Problem(X.tolist(), y.reshape(-1).tolist(), args.alpha, param=args.param,
                       beta_star=args.beta_star)
    if args.x is None:
        raise DomainError("--x", None, "the data: --x (one sample) or --X-file and --y-file")
    if len(args.x) < 2:
        raise DomainError("--x", ",".join(map(str, args.x)), "at least 2 features (d >= 2)")
    y = args.y if args.y is not None else Fraction(1)
    return Problem(args.x, y, args.alpha, param=args.param, beta_star=args.beta_star)
