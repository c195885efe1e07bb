"""Fixtures for the command-line tests: run ``normsharp.cli.main(argv)`` in-process.

The in-process runner captures stdout and stderr and the exit code (``main``'s return value, or
the code of a ``SystemExit`` such as argparse's ``--version``). An exception escaping ``main`` is
*not* swallowed: it fails the test, because the CLI contract forbids tracebacks.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class CliResult:
    """What one command-line invocation produced."""

    argv: tuple
    code: int
    out: str
    err: str

    def json(self):
        """stdout parsed as exactly one JSON object."""
        obj = json.loads(self.out)
        assert isinstance(obj, dict), f"--json must print one object, got {type(obj)}"
        return obj

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_cli(argv) -> CliResult:
    """Run ``normsharp`` with ``argv`` (a list of strings) in this process."""
    from normsharp.cli import main

    argv = [str(a) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse --version / --help
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(tuple(argv), int(code), out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    """``cli(argv) -> CliResult``: the in-process ``normsharp`` runner."""
    return run_cli

