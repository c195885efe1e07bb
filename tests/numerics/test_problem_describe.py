"""Problem.describe: short data in full; n samples of long data summarised by shape, source file
and SHA-256 prefix (recomputed here with hashlib from the file's bytes), never the matrix."""

from __future__ import annotations

import hashlib

from numerics.instances import random_instance, write_instance
from numerics.problem import Problem, data_summary


def test_short_data_is_printed_whole():
    p = Problem([[1, 2], [3, 4]], [1, 2], "1/100", "product")
    assert p.describe() == "X=[1,2; 3,4] y=[1,2] alpha=1/100 param=product"


def test_long_data_is_summarised_with_its_files(tmp_path):
    inst = random_instance(5, 20, 3, seed=4)
    write_instance(inst, tmp_path)
    p = inst.problem("1/100")
    text = p.describe()
    assert text.startswith("X: 5 x 20 (data sha256 ") and "y: 5 (data sha256 " in text
    assert "," not in text  # no row of the matrix (rows print as comma-separated numbers)
    sources = {"X": tmp_path / "X.csv", "y": tmp_path / "y.csv"}
    digest = hashlib.sha256((tmp_path / "X.csv").read_bytes()).hexdigest()[:8]
    assert p.describe(sources).startswith(f"X: 5 x 20 (X.csv, sha256 {digest}) y: 5 (y.csv, ")
    assert data_summary(inst.X, inst.y) in text
    other = random_instance(5, 20, 3, seed=5).problem("1/100").describe()
    assert other.split(" y:")[0] != text.split(" y:")[0]  # the hash tells data apart
