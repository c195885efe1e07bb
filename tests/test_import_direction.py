"""Imports flow one way: theory -> numerics -> proofs_check -> normsharp.

Each ``.py`` file of the four packages is parsed with :mod:`ast` (nothing is imported), relative
imports are resolved against the file's package, and every imported top-level name is checked
against the layers below it. ``theory`` must also stay exact and silent: no mpmath, numpy, scipy
or flint, and no I/O.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["theory", "numerics", "proofs_check", "normsharp"]
# what each layer may NOT import (everything above it)
FORBIDDEN = {layer: set(LAYERS[i + 1:]) for i, layer in enumerate(LAYERS)}
THEORY_FORBIDDEN_LIBS = {"mpmath", "numpy", "scipy", "flint", "gmpy2", "matplotlib", "tqdm"}
THEORY_IO_MODULES = {"io", "os", "pathlib", "shutil", "tempfile", "socket", "subprocess",
                     "urllib", "pickle", "logging", "sys", "builtins"}
IO_CALLS = {"open", "print", "input", "exec", "eval", "breakpoint"}


def _files(layer):
    return sorted((ROOT / layer).rglob("*.py"))


def _package_of(path: Path, root: Path) -> list[str]:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    return parts[:-1] if parts[-1] != "__init__" else parts[:-1]


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """Absolute dotted names of every import in ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _package_of(path, root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                assert len(package) - (node.level - 1) >= 0, f"{path}: import above the root"
                prefix = ".".join(base)
                if node.module:
                    found.append((node.lineno, f"{prefix}.{node.module}" if prefix else
                                  node.module))
                else:  # from . import a, b
                    found += [(node.lineno, f"{prefix}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call):
            # importlib.import_module("numerics.x") / __import__("numerics")
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((node.lineno, arg.value))
    return found


def io_calls(path: Path) -> list[tuple[int, str]]:
    """Calls of open/print/input/... by bare name in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.func.id)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in IO_CALLS
    ]


ALL_FILES = [(layer, p) for layer in LAYERS for p in _files(layer)]


def test_the_packages_exist_and_are_scanned():
    for layer in LAYERS:
        assert (ROOT / layer / "__init__.py").is_file()
    assert len(_files("theory")) >= 10


@pytest.mark.parametrize("layer,path", ALL_FILES,
                         ids=[str(p.relative_to(ROOT)) for _, p in ALL_FILES])
def test_imports_flow_one_way(layer, path):
    bad = [(line, name) for line, name in imported_modules(path)
           if name.split(".")[0] in FORBIDDEN[layer]]
    assert not bad, f"{path.relative_to(ROOT)} imports a higher layer: {bad}"


THEORY_FILES = _files("theory")


@pytest.mark.parametrize("path", THEORY_FILES, ids=[p.name for p in THEORY_FILES])
def test_theory_is_exact_and_does_no_io(path):
    names = [name for _, name in imported_modules(path)]
    tops = {n.split(".")[0] for n in names}
    assert not tops & THEORY_FORBIDDEN_LIBS, f"{path.name} imports {tops & THEORY_FORBIDDEN_LIBS}"
    assert not tops & THEORY_IO_MODULES, f"{path.name} imports {tops & THEORY_IO_MODULES}"
    calls = io_calls(path)
    assert not calls, f"{path.name} performs I/O: {calls}"


def test_the_checker_catches_violations(tmp_path):
    # the scanner itself must be able to fail: feed it a fake theory module that breaks rules
    fake = tmp_path / "theory"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    bad = fake / "bad.py"
    bad.write_text("from ..numerics import x\nimport mpmath\nfrom . import y\n"
                   "import importlib\nimportlib.import_module('normsharp.cli')\nprint(1)\n")
    names = [n for _, n in imported_modules(bad, tmp_path)]
    assert names == ["numerics", "mpmath", "theory.y", "importlib", "normsharp.cli"]
    assert {n.split(".")[0] for n in names} & FORBIDDEN["theory"] == {"numerics", "normsharp"}
    assert {n.split(".")[0] for n in names} & THEORY_FORBIDDEN_LIBS == {"mpmath"}
    assert io_calls(bad) == [(6, "print")]
