"""The ``normsharp`` command line: a thin layer that parses, calls the library and prints.

Contract: ``--json`` prints one JSON object on stdout. Bad input exits 2 with one line
``normsharp: error: ...`` on stderr naming the argument, its value and what is required, never a
traceback. A refuted claim exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from theory.errors import DomainError, NotDecidable

from . import __version__

#: subcommand -> module in normsharp.commands (each defines ``add_parser`` and ``run``)
COMMANDS = {
    "reproduce": "reproduce",
    "interpolators": "interpolators",
    "derive": "derive",
    "gd": "gd",
    "flow": "flow",
    "sweep": "sweep",
    "verify": "verify",
    "counterexample": "counterexample",
}


class UsageError(Exception):
    """A command-line argument is invalid (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="normsharp", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"normsharp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS.values():
        mod = importlib.import_module(f"normsharp.commands.{module}")
        p = mod.add_parser(sub)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``normsharp`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        return int(args._run(args) or 0)
    except UsageError as exc:
        return _fail(str(exc))
    except (DomainError, NotDecidable) as exc:
        return _fail(str(exc))
    except _numerics_errors() as exc:
        return _fail(str(exc))
    except OSError as exc:  # unwritable output directory, missing file, full disk
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return _fail(f"{exc.strerror or exc}{where}")
    except KeyboardInterrupt:
        print("normsharp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _numerics_errors() -> tuple:
    from numerics.errors import NoConvergence, PrecisionLoss

    return (NoConvergence, PrecisionLoss)


def _fail(message: str) -> int:
    line = " ".join(str(message).split())
    print(f"normsharp: error: {line}", file=sys.stderr)
    return 2
