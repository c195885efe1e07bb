"""Reproducible random instances (numerics.instances): bit for bit from the seed, exact files.

Independent routes: the raw PCG64 words straight from numpy; the draws' defining properties
(y = X beta* exactly, the grid of every entry, the sparsity); SHA-256 computed here; and a
pinned digest of one instance, which is the generator's version-1 contract (a change of any draw
must bump ``GENERATOR_VERSION``).
"""

from __future__ import annotations

import hashlib
import json
import statistics
from fractions import Fraction as F

import numpy as np
import pytest

from numerics.errors import DomainError
from numerics.instances import (
    FILES,
    GENERATOR_VERSION,
    _Stream,
    random_instance,
    read_instance,
    read_matrix,
    read_vector,
    write_instance,
)


def test_same_seed_same_instance_and_bytes(tmp_path):
    a = random_instance(5, 20, 3, seed=11, noise="0.1")
    b = random_instance(5, 20, 3, seed=11, noise="0.1")
    assert (a.X, a.y, a.beta_star) == (b.X, b.y, b.beta_star)
    ma, mb = write_instance(a, tmp_path / "a"), write_instance(b, tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert ma["files"] == mb["files"]


def test_other_seeds_differ():
    X = {random_instance(3, 4, 1, seed=s).X for s in range(6)}
    assert len(X) == 6


def test_pinned_version_one_digest(tmp_path):
    """The contract of GENERATOR_VERSION = 1: this digest changes only with the version."""
    assert GENERATOR_VERSION == 1
    write_instance(random_instance(3, 5, 2, seed=2024, noise="1/4"), tmp_path)
    text = "".join((tmp_path / n).read_text() for n in FILES)
    assert text.splitlines()[0] == "0.3337,0.2632,2.073,0.1705,0.4568"
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "d2a0147e280756789eeda8a04ac1b022fc610276503b7a68fc99058931602dd0")


def test_stream_is_pcg64_raw_words():
    s = _Stream(7)
    raw = np.random.PCG64(7).random_raw(5)
    assert [s.word() for _ in range(5)] == [int(v) for v in raw]


def test_noiseless_labels_are_exact_and_sparse():
    inst = random_instance(6, 15, 4, seed=3, decimals=3)
    assert inst.y == tuple(sum(a * b for a, b in zip(row, inst.beta_star)) for row in inst.X)
    support = [i for i, b in enumerate(inst.beta_star) if b]
    assert len(support) == 4
    assert all(F(1, 2) <= abs(inst.beta_star[i]) < F(3, 2) for i in support)
    assert all((v * 1000).denominator == 1 for row in inst.X for v in row)


def test_noise_is_on_the_grid():
    inst = random_instance(4, 6, 2, seed=5, noise="0.5", decimals=2)
    clean = [sum(a * b for a, b in zip(row, inst.beta_star)) for row in inst.X]
    z = [(y - c) / F(1, 2) for y, c in zip(inst.y, clean)]
    assert all((v * 100).denominator == 1 for v in z) and any(v != 0 for v in z)


def test_uniform_positive_design_and_positive_signs():
    inst = random_instance(5, 8, 3, seed=9, design="uniform-positive", signs="positive")
    assert all(F(1, 10**4) <= v <= 1 for row in inst.X for v in row)
    assert all(b >= 0 for b in inst.beta_star)


def test_normals_look_standard():
    """4000 Box-Muller draws (a fixed seed, not a chaotic run): mean and variance of a
    standard normal within five standard errors."""
    import mpmath

    ctx = mpmath.MPContext()
    ctx.prec = 96
    s = _Stream(1)
    z = [float(s.normal(ctx, 10**6)) for _ in range(4000)]
    assert abs(statistics.fmean(z)) < 5 / 4000**0.5
    assert abs(statistics.pvariance(z) - 1) < 5 * (2 / 4000) ** 0.5


def test_round_trip_is_exact(tmp_path):
    inst = random_instance(4, 7, 2, seed=4, noise="1/3")  # y is not a finite decimal
    meta = write_instance(inst, tmp_path)
    back = read_instance(tmp_path)
    assert (back.X, back.y, back.beta_star) == (inst.X, inst.y, inst.beta_star)
    assert back.provenance["seed"] == 4 and back.provenance["arguments"]["noise"] == "1/3"
    on_disk = json.loads((tmp_path / "instance.json").read_text())
    assert on_disk == meta
    for name in FILES:
        digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert on_disk["files"][name]["sha256"] == digest
    assert read_matrix(tmp_path / "X.csv") == inst.X
    assert read_vector(tmp_path / "y.csv") == inst.y


def test_tampering_is_detected(tmp_path):
    write_instance(random_instance(2, 3, 1, seed=1), tmp_path)
    (tmp_path / "y.csv").write_text("1\n2\n")
    with pytest.raises(DomainError) as info:
        read_instance(tmp_path)
    assert info.value.argument == "folder" and "y.csv" in info.value.required


def test_problem_carries_truth_and_noise():
    inst = random_instance(3, 4, 2, seed=2, noise="0.2")
    pr = inst.problem("1/100", "product")
    assert pr.beta_star == inst.beta_star and pr.sigma2 == F(1, 25) and pr.n == 3


BAD = [
    (dict(n=0, d=3, sparsity=1, seed=1), "n"),
    (dict(n=2, d=1, sparsity=1, seed=1), "d"),
    (dict(n=2, d=3, sparsity=4, seed=1), "sparsity"),
    (dict(n=2, d=3, sparsity=1, seed=-1), "seed"),
    (dict(n=2, d=3, sparsity=1, seed=1.5), "seed"),
    (dict(n=2, d=3, sparsity=1, seed=1, noise=-1), "noise"),
    (dict(n=2, d=3, sparsity=1, seed=1, design="cauchy"), "design"),
    (dict(n=2, d=3, sparsity=1, seed=1, decimals=13), "decimals"),
    (dict(n=2, d=3, sparsity=1, seed=1, signs="negative"), "signs"),
]


@pytest.mark.parametrize("kw, argument", BAD)
def test_bad_arguments_name_themselves(kw, argument):
    with pytest.raises(DomainError) as info:
        random_instance(**kw)
    assert info.value.argument == argument


def test_bad_csv_names_the_place(tmp_path):
    path = tmp_path / "X.csv"
    path.write_text("1,2\n3,abc\n")
    with pytest.raises(DomainError) as info:
        read_matrix(path)
    assert "line 2, field 2" in str(info.value.value)
    path.write_text("1,2\n3\n")
    with pytest.raises(DomainError):
        read_matrix(path)
    with pytest.raises(DomainError):
        read_vector(tmp_path / "missing.csv")
