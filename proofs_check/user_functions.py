"""Load a user's function from ``FILE.py:function`` or ``module:function``.

Both forms work from the current directory, as a user expects of a file next to them:

* ``path/to/file.py:function`` (any spec whose module part ends in ``.py`` or contains a path
  separator) loads that file as a module; its directory is put on ``sys.path`` (as ``python
  file.py`` would), so it can import its neighbours;
* ``module:function`` imports ``module`` the usual way, and when no installed module has that
  name, from the current directory.

Every failure is a :class:`~theory.errors.DomainError` naming ``argument`` (the library
argument that carried the spec, e.g. ``predicate``), the spec, and what is wrong in one line:
no such file or module, the file or module raised while importing (the exception and its line),
no such function (with the names it does define), or not callable.

Examples
--------
>>> f = load_function("math:sqrt", "predicate")
>>> f(4.0)
2.0
>>> load_function("math:pi", "predicate")
Traceback (most recent call last):
...
theory.errors.DomainError: predicate = 'math:pi': a callable: pi in module math is of type float
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path

from theory.errors import DomainError

__all__ = ["load_function", "raised_text"]

FORMS = "FILE.py:function or module:function"


def raised_text(exc: BaseException, origin: str | None = None) -> str:
    """``ZeroDivisionError: division by zero (myconj.py, line 4)``: the exception and the line
    it came from, on one line: the innermost line in the file ``origin`` (the user's code)
    when the traceback passes through it, else the innermost line."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return (f"{type(exc).__name__}: {exc.msg} ({Path(exc.filename).name}, line "
                f"{exc.lineno})")
    message = " ".join(str(exc).split())
    text = type(exc).__name__ + (f": {message}" if message else "")
    if len(text) > 160:
        text = text[:157] + "..."
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    mine = [f for f in frames if origin is not None and f.filename == origin]
    last = (mine or frames or [None])[-1]
    if last is None:
        return text
    return f"{text} ({Path(last.filename).name}, line {last.lineno})"


def _is_file_spec(module: str) -> bool:
    return module.endswith(".py") or "/" in module or os.sep in module


def _import_file(spec: str, path_text: str, argument: str):
    path = Path(path_text).expanduser().resolve()
    if not path.is_file():
        raise DomainError(argument, spec, f"an existing Python file (no such file: {path})")
    name = f"_normsharp_user_{path.stem}_{abs(hash(str(path))) % 10**8}"
    if name in sys.modules:
        return sys.modules[name]
    loader_spec = importlib.util.spec_from_file_location(name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise DomainError(argument, spec, f"a Python source file ({path} cannot be loaded)")
    module = importlib.util.module_from_spec(loader_spec)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # its neighbours import, as under `python file.py`
    sys.modules[name] = module  # dataclasses and pickling look a module up by name
    try:
        loader_spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any failure of the user's file is bad input
        del sys.modules[name]
        raise DomainError(argument, spec, f"a file that imports cleanly: it raised "
                          f"{raised_text(exc)}") from None
    return module


def _import_module(spec: str, module: str, argument: str):
    top = module.split(".")[0]
    for attempt in (1, 2):
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if missing != top and not module.startswith(missing + "."):
                raise DomainError(argument, spec, "a module that imports cleanly: it raised "
                                  f"{raised_text(exc)}") from None
            cwd = os.getcwd()
            if attempt == 2 or cwd in sys.path or "" in sys.path:
                raise DomainError(argument, spec, f"an importable module: no module named "
                                  f"{missing!r} (searched the installed packages and the "
                                  f"current directory {cwd}; for a file elsewhere pass "
                                  "path/to/file.py:function)") from None
            sys.path.append(cwd)  # the installed packages first, then the current directory
        except Exception as exc:  # noqa: BLE001 - any failure of the user's module is bad input
            raise DomainError(argument, spec, f"a module that imports cleanly: it raised "
                              f"{raised_text(exc)}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def load_function(spec: str, argument: str):
    """The callable named by ``spec`` (``FILE.py:function`` or ``module:function``).

    Parameters
    ----------
    spec : str
    argument : str
        The name of the argument that carried ``spec``, for the error message.

    Raises
    ------
    DomainError
        Not of either form; no such file or module; it raised while importing; no such
        function in it; not callable.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise DomainError(argument, spec, f"the form {FORMS}")
    module_text, _, name = spec.rpartition(":")
    if not module_text or not name.isidentifier():
        raise DomainError(argument, spec, f"the form {FORMS}")
    if _is_file_spec(module_text):
        module = _import_file(spec, module_text, argument)
        where = f"file {module_text}"
    else:
        module = _import_module(spec, module_text, argument)
        where = f"module {module_text}"
    if not hasattr(module, name):
        found = sorted(k for k, v in vars(module).items()
                       if callable(v) and not k.startswith("_")
                       and getattr(v, "__module__", None) == module.__name__)
        origin = getattr(module, "__file__", None)
        hint = f"; it defines: {', '.join(found[:8])}" if found else "; it defines no function"
        if origin and not _is_file_spec(module_text):
            hint += f" (it was imported from {origin})"
        raise DomainError(argument, spec, f"a function named {name!r} in {where}{hint}")
    fn = getattr(module, name)
    if not callable(fn):
        raise DomainError(argument, spec, f"a callable: {name} in {where} is of type "
                          f"{type(fn).__name__}")
    return fn
