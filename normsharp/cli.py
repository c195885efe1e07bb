"""The ``normsharp`` command line: a thin layer that parses, calls the library and prints.

Contract:

* ``--json`` prints one JSON object on stdout.
* Exit codes: **0** the claims held (or the command did its job), **1** a claim was refuted or a
  counterexample was found, **2** bad input (one line ``normsharp: error: ...`` on stderr naming
  the option, its value and what is required; never a traceback), **3** an internal error (one
  line naming the saved traceback file), **130** interrupted.
* A closed output pipe (``normsharp verify | head -1``) ends the command quietly with exit 0.
* Only the command that runs is imported: ``normsharp --version`` and ``--help`` import none.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import tempfile
import time
import traceback

from theory.errors import DomainError, NotDecidable

from . import __version__

#: subcommand -> one-line help (the module ``normsharp.commands.<name>`` defines
#: ``DESCRIPTION``, ``add_arguments(parser)`` and ``run(args) -> exit code``, and optionally
#: ``ARGUMENTS``: library argument names -> the option that sets them, where they differ; a
#: hyphenated command lives in the module with underscores: ``exit-flag`` in ``exit_flag``)
COMMANDS = {
    "reproduce": "the main job: exact theory, the learning-rate sweep, verdicts on R1-R9 and "
                 "a report with figures",
    "interpolators": "exact min-norm / min-sharpness / optimal interpolators and thresholds "
                     "(R2-R9)",
    "instance": "write a reproducible random instance (X.csv, y.csv, beta_star.csv, "
                "instance.json) from a seed",
    "study": "where does each bias win? learning-rate sweeps over random instances, on Dask; "
             "a phase diagram",
    "derive": "print a symbolic formula (sympy) of the theory",
    "gd": "gradient descent with a precision audit (agreed digits only)",
    "flow": "gradient flow: limit, largest sharpness s_GF along the path, eta_c",
    "sweep": "learning-rate sweep: final sharpness, norm and risk against eta",
    "verify": "verify the claims (R1-R9, E1-E5, C1-C8) by property-based search",
    "counterexample": "search a conjecture for a shrunk counterexample",
    "quantized-fit": "decide exactly whether a quantized ReLU network fits data ([BFFK25])",
    "adversary": "build an input a finite-precision classifier gets wrong ([BFFK25])",
    "exit-flag": "classify x against t, or exit honestly, from one approximation ([BFFK25])",
}

EXIT_HELD, EXIT_REFUTED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """A command-line argument is invalid (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise UsageError(message)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported and given its full arguments (every
    other command is listed with its one-line help)."""
    parser = _Parser(prog="normsharp", description="Verify the theory of implicit "
                     "regularisation in gradient descent: exact closed forms, gradient descent "
                     "at any precision, property-based cross-validation.",
                     epilog="Exit codes: 0 held (or done), 1 refuted or counterexample found, "
                     "2 bad input, 3 internal error (traceback saved to a file), 130 "
                     "interrupted.")
    parser.add_argument("--version", action="version", version=f"normsharp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        if name != command:
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(f"normsharp.commands.{name.replace('-', '_')}")
        p = sub.add_parser(name, help=help_text, description=module.DESCRIPTION)
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _parser=p,
                       _arguments=getattr(module, "ARGUMENTS", {}))
    return parser


def _command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` and return its exit code (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    interrupted, restore = _watch_interrupts()
    try:
        return _main(argv, interrupted)
    finally:
        restore()


def _main(argv: list[str], interrupted) -> int:
    args = None
    try:
        parser = build_parser(_command(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args._run(args) or 0)
    except UsageError as exc:
        return _fail(str(exc))
    except (DomainError, NotDecidable) as exc:
        return _fail(_as_flags(exc, args))
    except BrokenPipeError:
        return _closed_pipe()
    except KeyboardInterrupt:
        return _interrupted()
    except OSError as exc:  # unwritable output directory, missing file, full disk
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return _fail(f"{exc.strerror or exc}{where}")
    except Exception as exc:  # noqa: BLE001 - the one place that turns a crash into exit 3
        if interrupted():  # an error raised because Ctrl-C cut an import or a library call
            return _interrupted()
        if _is_numerics_error(exc):
            return _fail(str(exc))
        return _internal_error(exc, argv)


def entry() -> None:
    """The ``normsharp`` console script: :func:`main`, then exit. After Ctrl-C the process ends
    with 130 at once (``os._exit``): Python would otherwise re-raise SIGINT on itself at exit
    when the interrupt landed inside an import, and end with -2 instead of 130."""
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(EXIT_INTERRUPTED)
    sys.exit(code)


def _watch_interrupts():
    """Record SIGINT as it arrives (then raise KeyboardInterrupt as Python does), so that an
    exception that an interrupt provoked (numpy turns one during its import into an
    ImportError) is reported as the interrupt. Returns ``(arrived, restore)``: ``arrived()``
    says whether one arrived, ``restore()`` puts the previous handler back."""
    import signal

    seen = []
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        return (lambda: False), (lambda: None)  # not ours to replace (an embedding program)

    def handler(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        return (lambda: False), (lambda: None)
    return (lambda: bool(seen)), (lambda: signal.signal(signal.SIGINT, previous))


def _interrupted() -> int:
    print("normsharp: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def _is_numerics_error(exc: BaseException) -> bool:
    """A documented failure to deliver (``NoConvergence``, ``PrecisionLoss``): exit 2."""
    errors = sys.modules.get("numerics.errors")
    return errors is not None and isinstance(exc, (errors.NoConvergence, errors.PrecisionLoss))


def _option_strings(args) -> dict:
    """``dest -> option string`` of the running command (``alpha -> --alpha``)."""
    parser = getattr(args, "_parser", None)
    if parser is None:
        return {}
    out = {}
    for action in parser._actions:
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest not in out:
            out[action.dest] = longs[0]
    out.update(getattr(args, "_arguments", {}))  # library names that are not option dests
    if getattr(args, "X_file", None):  # the data came from files: X and y name the files
        out["x"] = out["X"] = out.get("X_file", "--X-file")
        out["y"] = out.get("y_file", "--y-file")
    else:
        out.setdefault("X", out.get("x", "--x"))
    return out


_NAME = re.compile(r"^(?P<pre>len\()?(?P<name>[A-Za-z_]\w*)(?P<post>.*)$")


def _as_flags(exc: DomainError | NotDecidable, args) -> str:
    """The library's message with its argument renamed to the option that set it
    (``beta_star = ...`` becomes ``--beta-star = ...``; ``x[1]`` becomes ``--x[1]``)."""
    if not isinstance(exc, DomainError):
        return str(exc)
    flags = _option_strings(args)
    m = _NAME.match(exc.argument)
    if not m or m.group("name") not in flags:
        return str(exc)
    name, post = m.group("name"), m.group("post")
    if name == "X" and flags["X"] == flags.get("x") == "--x":  # one sample: X[0,j] is x[j]
        post = re.sub(r"^\[0, ?(\d+)\]", r"[\1]", post)
    renamed = f"{m.group('pre') or ''}{flags[name]}{post}"
    return str(DomainError(renamed, exc.value, exc.required, exc.claim))


def _fail(message: str) -> int:
    line = " ".join(str(message).split())
    print(f"normsharp: error: {line}", file=sys.stderr)
    return EXIT_USAGE


def _closed_pipe() -> int:
    """The reader went away (``| head``): stop quietly. stdout is pointed at /dev/null so that
    the interpreter's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture stdout)
        pass
    return EXIT_HELD


def _internal_error(exc: BaseException, argv: list[str]) -> int:
    """A bug: one line on stderr, the traceback saved to a file whose path the line names."""
    text = "".join(traceback.format_exception(exc))
    try:
        fd, path = tempfile.mkstemp(prefix=f"normsharp-crash-{time.strftime('%Y%m%d-%H%M%S')}-",
                                    suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            fh.write(f"normsharp {__version__}\nargv: {argv!r}\npython: {sys.version}\n\n{text}")
        where = f"traceback saved to {path}"
    except OSError:
        where = "the traceback could not be saved"
    summary = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    print(f"normsharp: internal error ({summary}); {where}; please report it", file=sys.stderr)
    return EXIT_INTERNAL
