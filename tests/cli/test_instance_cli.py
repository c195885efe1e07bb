"""``normsharp instance``: byte-for-byte reproducible files, exact numbers, provenance, bad input.

Independent routes: two runs (in this process and in a fresh interpreter) compared byte for
byte; SHA-256 recomputed here from the files; the files read back as fractions and checked
against their defining identity ``y = X beta*`` (noiseless) and the stated sparsity. No digest is
pinned here: the generator's version-1 digest is pinned in tests/numerics/test_instances.py.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction as F

import pytest

from .entry_point import run_normsharp

FILES = ("X.csv", "y.csv", "beta_star.csv", "instance.json")
ARGS = ["--n", "5", "--d", "20", "--sparsity", "3", "--seed", "11"]


def _rows(path):
    return [[F(c) for c in line.split(",")] for line in path.read_text().splitlines()]


def test_two_runs_and_a_subprocess_write_identical_bytes(cli, tmp_path):
    for name in ("a", "b"):
        assert cli(["instance", *ARGS, "--out", tmp_path / name]).code == 0
    proc = run_normsharp(["instance", *ARGS, "--out", tmp_path / "c"], cwd=tmp_path,
                         launcher_dir=tmp_path / "bin")
    assert proc.code == 0, proc.err
    for name in FILES:
        a = (tmp_path / "a" / name).read_bytes()
        assert a == (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()
    other = cli(["instance", *ARGS[:-1], "12", "--out", tmp_path / "d"])
    assert other.code == 0
    assert (tmp_path / "d" / "X.csv").read_bytes() != (tmp_path / "a" / "X.csv").read_bytes()


def test_files_are_exact_and_described(cli, tmp_path):
    res = cli(["instance", *ARGS, "--json", "--out", tmp_path])
    assert res.code == 0
    meta = res.json()
    assert meta == json.loads((tmp_path / "instance.json").read_text())
    for name in FILES[:3]:
        assert meta["files"][name]["sha256"] == hashlib.sha256(
            (tmp_path / name).read_bytes()).hexdigest()
    assert meta["seed"] == 11 and meta["arguments"]["sparsity"] == 3
    assert meta["libraries"]["normsharp"] and "Fisher-Yates" in meta["description"]
    X = _rows(tmp_path / "X.csv")
    y = [r[0] for r in _rows(tmp_path / "y.csv")]
    b = [r[0] for r in _rows(tmp_path / "beta_star.csv")]
    assert len(X) == 5 and all(len(r) == 20 for r in X)
    assert sum(v != 0 for v in b) == 3
    assert all((v * 10**4).denominator == 1 for r in X for v in r)  # 4 decimals, exactly
    assert y == [sum(a * c for a, c in zip(r, b)) for r in X]  # exact: noiseless


def test_non_decimal_noise_is_written_as_a_fraction(cli, tmp_path):
    assert cli(["instance", *ARGS, "--noise", "1/3", "--out", tmp_path]).code == 0
    ys = (tmp_path / "y.csv").read_text().split()
    assert any("/" in v for v in ys)
    assert all(F(v).denominator % 3 == 0 for v in ys if "/" in v)


def test_a_directory_of_another_instance_is_not_overwritten(cli, tmp_path):
    assert cli(["instance", *ARGS, "--out", tmp_path]).code == 0
    before = (tmp_path / "X.csv").read_bytes()
    assert cli(["instance", *ARGS, "--out", tmp_path]).code == 0  # the same: rewritten alike
    res = cli(["instance", *ARGS[:-1], "12", "--out", tmp_path])
    assert res.code == 2 and res.err_lines[0].startswith("normsharp: error: --out = ")
    assert (tmp_path / "X.csv").read_bytes() == before


@pytest.mark.parametrize("change, option", [
    (["--n", "0"], "--n = 0"),
    (["--d", "1"], "--d = 1"),
    (["--sparsity", "21"], "--sparsity = 21"),
    (["--seed", "-3"], "--seed = -3"),
    (["--noise", "-0.5"], "--noise = -1/2"),
    (["--decimals", "0"], "--decimals = 0"),
    (["--n", "2000", "--d", "1000"], "--n * d = 2000000"),
    (["--design", "lognormal"], "--design"),
    (["--seed", "x"], "--seed"),
])
def test_bad_input_names_the_option(cli, tmp_path, change, option):
    argv = ["instance", *ARGS, "--out", tmp_path]
    for flag, value in zip(change[::2], change[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    res = cli(argv)
    assert res.code == 2
    assert len(res.err_lines) == 1 and option in res.err_lines[0], res.err
    assert not (tmp_path / "X.csv").exists()
