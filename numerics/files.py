"""Crash-safe files: a whole file replaced atomically, and an append-only log of lines.

A run killed at any instant leaves either the old file or the new one, never a mix:

* :func:`atomic_open` (and :func:`atomic_write`) writes a temporary file in the target's own
  directory, flushes it to disk (``fsync``), then renames it over the target (``os.replace`` is
  atomic within one file system). Used by GD checkpoints, the sweep's meta file and its CSV.
* :class:`LineLog` appends complete lines (one record, or a batch of them) with a single
  ``os.write`` loop followed by ``fsync``; a line torn by a kill has no newline, and reading the
  log truncates it away. Used by the sweep's resumable JSONL store.

Two processes never write one directory at once: :class:`DirectoryLock` is an exclusive
advisory lock (``fcntl.flock``) on a file in it, which a second process fails to take at once
(:class:`LockHeld`, naming the holder's process id). The kernel releases it when its holder
exits, however it ends (a ``kill -9`` included), so a stale lock file never blocks a later run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no advisory locks
    fcntl = None

__all__ = ["atomic_open", "atomic_write", "LineLog", "DirectoryLock", "LockHeld"]


@contextmanager
def atomic_open(path: str | os.PathLike) -> Iterator[TextIO]:
    """A text file handle whose content replaces ``path`` atomically when the block ends.

    The text is written verbatim (``newline=""``: no newline translation, as :mod:`csv`
    requires). If the block raises, ``path`` is untouched and the temporary file removed.
    """
    p = Path(path)
    tmp = p.with_name(f"{p.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "w", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Replace the content of ``path`` by ``text`` atomically (:func:`atomic_open`)."""
    with atomic_open(path) as fh:
        fh.write(text)


class LineLog:
    """An append-only file of complete lines, safe against a kill during a write.

    :meth:`lines` reads the complete lines (truncating a torn last line, one without its
    newline); :meth:`open` creates the file if need be and opens it for appending;
    :meth:`append` (one line) and :meth:`append_many` (a batch) write with ``os.write`` and
    ``fsync`` before returning.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.fd: int | None = None

    def lines(self) -> list[bytes]:
        """The complete lines written so far (a torn last line is truncated away first)."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a torn last line: the write was interrupted
            os.truncate(self.path, end)
            data = data[:end]
        return data.splitlines()

    def open(self) -> None:
        """Open (creating if need be) for appending."""
        if self.fd is None:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, line: str) -> None:
        """Append ``line`` and a newline, durably (the log must be :meth:`open`)."""
        self.append_many((line,))

    def append_many(self, lines: Iterable[str]) -> None:
        """Append each of ``lines`` with its newline in one write, then ``fsync`` once."""
        view = memoryview("".join(line + "\n" for line in lines).encode())
        if not view:
            return
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class LockHeld(Exception):
    """Another process holds a :class:`DirectoryLock` (``path``; ``pid`` when it wrote one)."""

    def __init__(self, path: Path, pid: int | None):
        self.path, self.pid = path, pid
        holder = "another process" if pid is None else f"process {pid}"
        super().__init__(f"{holder} holds {path}")


class DirectoryLock:
    """An exclusive lock on the file ``path``, taken without waiting.

    :meth:`acquire` creates ``path`` if need be, takes ``fcntl.flock(LOCK_EX | LOCK_NB)`` and
    writes this process's id into it, or raises :class:`LockHeld` at once when another open
    file holds the lock. :meth:`release` (or the end of the process) releases it; the file
    stays. The descriptor is not inherited by child processes. Without ``fcntl`` (not POSIX)
    the lock is a no-op.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self) -> None:
        if self.fd is not None or fcntl is None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            text = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise LockHeld(self.path, int(text) if text.isdigit() else None) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the only descriptor releases the flock
            self.fd = None

    def __enter__(self) -> DirectoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
