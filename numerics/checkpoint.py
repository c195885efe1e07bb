"""Checkpoints of a gradient-descent run: its exact state, to resume bit for bit.

A checkpoint is one JSON file, replaced atomically (:func:`numerics.files.atomic_write`), that
holds

* ``settings``: every argument that decides the run's numbers (the problem, ``eta``, the
  budget, the precision, the engine (compiled kernels or the reference path) and the
  resolved options). A checkpoint is resumed only by a run with the same settings;
* ``state``: the step ``k``, the iterate ``theta_k`` and ``G_sum`` as exact binary values
  (:func:`dyadic` text), and the bookkeeping of :func:`numerics.gd.gradient_descent` (the
  convergence counter, the residual history, the trajectory recorded so far, the running sum
  of averaged iterates, the last iterates, and the step at which a compiled run left its
  format's range and went on in Arb, if it did).

A resumed run starts from the saved iterate at the same precision and gives the result of an
uninterrupted run, bit for bit. (A compiled format's numbers are saved as their exact values;
the kernels' numbers are normalised with each limb the nearest double to what remains, which
is how :func:`numerics.kernels.convert.to_limbs` reads them back, so the limbs are recovered.)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .errors import DomainError
from .files import atomic_write

__all__ = ["CHECKPOINT_VERSION", "Saved", "check_path", "settings", "load", "save", "dyadic",
           "undyadic"]

CHECKPOINT_VERSION = 2


def dyadic(q: Fraction) -> str:
    """``m*2^e`` as ``"m p e"`` (hex mantissa): exact and compact for binary floating values.

    >>> dyadic(Fraction(3, 8)), undyadic("3p-3")
    ('3p-3', Fraction(3, 8))
    """
    den = q.denominator
    e = den.bit_length() - 1
    if den != 1 << e:
        raise ValueError(f"not a binary fraction: {q}")
    num, e = q.numerator, -e
    while num and num % 2 == 0 and e < 0:
        num //= 2
        e += 1
    return f"{num:x}p{e}"


def undyadic(text: str) -> Fraction:
    """The inverse of :func:`dyadic`."""
    m, e = text.split("p")
    e = int(e)
    m = int(m, 16)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2**-e)


def check_path(path, eta) -> None:
    """Refuse a checkpoint for a schedule, or in a directory that does not exist or cannot be
    written (errors name the argument ``checkpoint``)."""
    if callable(eta):
        raise DomainError("checkpoint", str(path), "a constant eta (a schedule cannot be "
                          "recorded in a checkpoint)")
    folder = Path(path).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise DomainError("checkpoint", str(path), "a path in an existing, writable directory")


def settings(problem, eta, steps: int, precision, options, engine: str) -> dict:
    """The arguments that decide a run's numbers, as JSON (``options`` resolved:
    :meth:`numerics.gd.GDOptions.resolved`; ``engine`` ``"compiled"`` or ``"reference"``)."""
    o = options
    return dict(problem=problem.key(), eta=str(eta), steps=steps, backend=precision.backend,
                dps=precision.dps, engine=engine, tol=str(o.tol), patience=o.patience,
                r_max=str(o.r_max),
                record_every=o.record_every, record_sharpness=bool(o.record_sharpness),
                record_gain=bool(o.record_gain), average_last=o.average_last,
                decay_steps=o.decay_steps, decay_to=str(o.decay_to),
                stop_at_convergence=bool(o.stop_at_convergence))


@dataclass
class Saved:
    """A checkpoint's state, decoded: exact values as Fractions, records as written."""

    k: int
    below: int
    theta: list
    G_sum: list
    history: list
    trajectory: dict
    sums: list | None
    recent: list
    switched_at: int | None = None


def load(path, expected: dict) -> Saved | None:
    """The state saved at ``path`` (``None`` when there is no file).

    Raises
    ------
    DomainError
        Naming ``checkpoint``: an unreadable file, not a checkpoint, or one written with other
        settings than ``expected``.
    """
    p = Path(path)
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text())
    except (OSError, ValueError):
        raise DomainError("checkpoint", str(p), "a readable normsharp checkpoint (delete the "
                          "file to start afresh)") from None
    if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
        raise DomainError("checkpoint", str(p), "a normsharp checkpoint (delete the file to "
                          "start afresh)")
    if data.get("version") != CHECKPOINT_VERSION or data.get("settings") != expected:
        raise DomainError("checkpoint", str(p), "the same arguments as the run that wrote it "
                          "(use another file, or delete it to start afresh)")
    s = data["state"]
    return Saved(
        k=s["k"], below=s["below"], theta=_decode(s["theta"]), G_sum=_decode(s["G_sum"]),
        history=s["history"], trajectory=s["trajectory"],
        sums=None if s["sums"] is None else _decode(s["sums"]),
        recent=[_decode(th) for th in s.get("recent", [])], switched_at=s.get("switched_at"))


def save(path, expected: dict, *, k: int, theta, G_sum, run, exact) -> None:
    """Write the exact state of a run atomically.

    ``theta`` (blocks) and ``G_sum`` are the iterate reached at step ``k``; ``run`` its
    bookkeeping (``below``, ``history``, ``trajectory``, ``sums``, ``recent``,
    ``switched_at``); ``exact(values)`` gives the exact Fractions of a vector of the run's
    numbers (backend numbers, or a compiled format's limbs).
    """

    def vector(values) -> list:
        return [dyadic(q) for q in exact(values)]

    def blocks(theta) -> list:
        return [vector(t) for t in theta]

    data = {
        "version": CHECKPOINT_VERSION,
        "settings": expected,
        "state": {
            "k": k,
            "below": run.below,
            "theta": blocks(theta),
            "G_sum": vector(G_sum),
            "history": list(run.history),
            "trajectory": run.trajectory.as_dict(),
            "sums": None if run.sums is None else blocks(run.sums),
            "recent": [blocks(th) for th in run.recent],
            "switched_at": run.switched_at,
        },
    }
    atomic_write(path, json.dumps(data))


def _decode(values):
    if isinstance(values, list):
        return [_decode(v) for v in values]
    return undyadic(values)
