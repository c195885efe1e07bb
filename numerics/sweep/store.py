"""The sweep's storage: rows keyed by ``(kind, eta)``, resumable on disk, and the CSV.

With a directory, every finished row is appended to ``DIR/sweep.jsonl`` as one complete line
(:class:`numerics.files.LineLog`: a torn last line is truncated away on reading); the arguments
are recorded in ``DIR/sweep.meta.json`` (written atomically). A later sweep with the same
arguments reads the finished rows back and skips them; one with different arguments in the same
directory is refused. ``DIR/sweep.csv`` (one line per grid point) is written atomically at the
end.

One sweep at a time writes a directory: the store holds ``DIR/sweep.lock``
(:class:`numerics.files.DirectoryLock`) from before it reads the log until :meth:`Store.close`,
and a second sweep on the same directory is refused at once (:class:`DomainError` naming the
process that holds it) instead of redoing the work beside it. A row read twice (a log written
by hand, or by an older version) counts once: the first row of a key wins.
"""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

from ..errors import DomainError
from ..files import DirectoryLock, LineLog, LockHeld, atomic_open, atomic_write

__all__ = ["FORMAT", "SCALARS", "eta_key", "Store", "hold", "write_csv", "write_edge_csv"]

FORMAT = "normsharp-sweep/1"
#: quantities reported per point (besides beta)
SCALARS = ("S", "l1_norm", "param_norm_sq", "risk", "expected_risk", "distance_gf")


def eta_key(e: Fraction) -> str:
    """A learning rate's exact text: its key in the store and in ``eta_exact``."""
    return str(e)


class Store:
    """Rows keyed by ``(kind, eta)``; optionally persisted to ``out_dir/sweep.jsonl``.

    ``kind`` is ``"grid"`` (a float64 grid row), ``"refine"`` (a float64 refinement row),
    ``"confirm"`` (an audit at two precisions) or ``"edge:<format>"`` (a convergence-edge
    sample at one precision, :mod:`~numerics.sweep.edge`). The first row of a key wins.

    ``folder`` is the directory (``None`` without one).

    Raises
    ------
    DomainError
        ``out_dir`` is a file, is being written by another sweep, holds a sweep of other
        arguments than ``meta``, or holds a corrupt or foreign ``sweep.jsonl``.
    """

    def __init__(self, out_dir, meta: dict):
        self.rows: dict = {}
        self.log = None
        self.lock = None
        self.folder = None
        if out_dir is None:
            return
        folder = Path(out_dir)
        if folder.exists() and not folder.is_dir():
            raise DomainError("out_dir", str(out_dir), "a directory (a file of that name exists)")
        folder.mkdir(parents=True, exist_ok=True)
        self.lock = hold(folder / "sweep.lock", "out_dir", str(out_dir))
        try:
            self._open(folder, meta, out_dir)
        except BaseException:
            self.close()
            raise
        self.folder = folder

    def _open(self, folder: Path, meta: dict, out_dir) -> None:
        meta_path = folder / "sweep.meta.json"
        self.log = LineLog(folder / "sweep.jsonl")
        if meta_path.exists():
            try:
                old = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                raise DomainError(f"{meta_path}", "unreadable", "a sweep.meta.json "
                                  "written by normsharp (delete the directory)") from None
            if old != meta:
                diff = sorted(k for k in set(old) | set(meta) if old.get(k) != meta.get(k))
                raise DomainError(
                    "out_dir", str(out_dir),
                    f"a directory holding no sweep or this same sweep; it holds a sweep with "
                    f"different {', '.join(diff)} (use another directory, or the same "
                    f"arguments to resume)")
        else:
            if self.log.path.exists() and self.log.path.stat().st_size > 0:
                raise DomainError("out_dir", str(out_dir), "sweep.jsonl without "
                                  "sweep.meta.json: not a normsharp sweep (use another "
                                  "directory)")
            atomic_write(meta_path, json.dumps(meta, indent=1, sort_keys=True) + "\n")
        self._load()
        self.log.open()

    def _load(self) -> None:
        lines = [line for line in self.log.lines() if line.strip()]
        try:  # one parse of the whole log; line by line only to name a corrupt line
            rows = json.loads(b"[" + b",".join(lines) + b"]")
            keys = [(row["kind"], row["eta"]) for row in rows]
        except (ValueError, KeyError, TypeError):
            rows, keys = [], []
            for number, line in enumerate(self.log.lines(), 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    key = (row["kind"], row["eta"])
                except (ValueError, KeyError, TypeError):
                    raise DomainError(f"{self.log.path} line {number}", line[:40].decode(
                        "utf-8", "replace"), "a JSON row written by normsharp (the file is "
                        "corrupt: delete the directory)") from None
                rows.append(row)
                keys.append(key)
        for key, row in zip(keys, rows, strict=True):
            self.rows.setdefault(key, row)

    def has(self, kind: str, eta: Fraction) -> bool:
        return (kind, eta_key(eta)) in self.rows

    def get(self, kind: str, eta: Fraction):
        return self.rows.get((kind, eta_key(eta)))

    def add(self, row: dict) -> None:
        self.add_many((row,))

    def add_many(self, rows) -> None:
        """Store the rows whose key is new; on disk in one write and one ``fsync``."""
        new = []
        for row in rows:
            key = (row["kind"], row["eta"])
            if key not in self.rows:
                self.rows[key] = row
                new.append(row)
        if self.log is not None and new:
            self.log.append_many(json.dumps(row, separators=(",", ":"), allow_nan=False)
                                 for row in new)

    def of_kind(self, kind: str) -> dict:
        """The rows of one kind by exact learning rate."""
        return {Fraction(k[1]): v for k, v in self.rows.items() if k[0] == kind}

    def close(self) -> None:
        if self.log is not None:
            self.log.close()
        if self.lock is not None:
            self.lock.release()


def hold(path: Path, argument: str, value: str) -> DirectoryLock:
    """The lock ``path``, taken; :class:`DomainError` on ``argument`` when another process
    holds it."""
    lock = DirectoryLock(path)
    try:
        lock.acquire()
    except LockHeld as held:
        holder = "another process" if held.pid is None else f"process {held.pid}"
        raise DomainError(argument, value, f"a directory no other run is writing: {holder} "
                          f"holds its lock {path} (wait for that run to finish, then run "
                          f"again to reuse its results; or use another directory)") from None
    return lock


def write_csv(path: Path, points: list, d: int) -> None:
    """One line per grid point: status, the reported values and their digits (atomically)."""
    cols = (["eta", "eta_exact", "status", "steps", "audited"]
            + [f"beta_{i + 1}" for i in range(d)]
            + ["S", "two_over_eta", "l1_norm", "param_norm_sq", "risk", "expected_risk",
               "distance_gf"] + [f"digits_{k}" for k in ("beta",) + SCALARS])
    with atomic_open(path) as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for pt in points:
            beta = pt.get("beta")
            if isinstance(beta, list):
                bcols = ["" if b is None else b for b in beta]
            else:
                bcols = [beta if beta is not None else ""] * d
            digits = pt.get("digits")
            dcols = [(digits.get(k, "") if isinstance(digits, dict) else digits)
                     for k in ("beta",) + SCALARS]
            w.writerow([pt["eta"], pt["eta_exact"], pt["status"], pt["steps"], pt["audited"],
                        *bcols] + ["" if pt.get(k) is None else pt[k] for k in
                                   ("S", "two_over_eta", "l1_norm", "param_norm_sq", "risk",
                                    "expected_risk", "distance_gf")] + dcols)


def write_edge_csv(path: Path, edge) -> None:
    """One line per sampled learning rate of a measured edge: its bin, its status and steps at
    each precision, and whether they differ (atomically)."""
    low, high = edge.precisions
    bins = edge.bins
    with atomic_open(path) as fh:
        w = csv.writer(fh)
        w.writerow(["eta", "eta_exact", "bin_lo", "bin_hi", f"status_{low}", f"status_{high}",
                    f"steps_{low}", f"steps_{high}", "precision_dependent"])
        for s in edge.samples:
            b = bins[s["bin"]]
            w.writerow([float(Fraction(s["eta"])), s["eta"], b["eta_lo"], b["eta_hi"],
                        *s["statuses"], *s["steps"], s["statuses"][0] != s["statuses"][1]])
