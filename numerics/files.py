"""Crash-safe files: a whole file replaced atomically, and an append-only log of lines.

A run killed at any instant leaves either the old file or the new one, never a mix:

* :func:`atomic_open` (and :func:`atomic_write`) writes a temporary file in the target's own
  directory, flushes it to disk (``fsync``), then renames it over the target (``os.replace`` is
  atomic within one file system). Used by GD checkpoints, the sweep's meta file and its CSV.
* :class:`LineLog` appends one complete line per record with a single ``os.write`` loop
  followed by ``fsync``; a line torn by a kill has no newline, and reading the log truncates it
  away. Used by the sweep's resumable JSONL store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

__all__ = ["atomic_open", "atomic_write", "LineLog"]


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
    :meth:`append` writes one line with ``os.write`` and ``fsync`` before returning.
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
        view = memoryview((line + "\n").encode())
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
