"""``normsharp interpolators`` on n samples (--X-file/--y-file, --instance DIR).

Independent routes: exact interpolation ``X beta = y`` checked here in fractions; the least
l1 norm against scipy's own ``linprog`` (another solver, floats); the sharpness of the returned
min-sharpness point recomputed from its definition (the top eigenvalue of the loss Hessian
``J^T J / n`` at the balanced factorisation ``u = v = sqrt|beta|``, numpy); weak duality (every
interpolator, here the min-norm one and the truth, has sharpness >= the certified lower end).
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

N, D, S = 4, 8, 2


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    from .conftest import run_cli

    out = tmp_path_factory.mktemp("inst")
    assert run_cli(["instance", "--n", N, "--d", D, "--sparsity", S, "--seed", 5,
                    "--out", out]).code == 0
    return out


@pytest.fixture(scope="module")
def result(instance):
    from .conftest import run_cli

    res = run_cli(["interpolators", "--instance", instance, "--param", "product", "--json"])
    assert res.code == 0, res.err
    return res.json()


def _data(folder):
    X = [[F(c) for c in ln.split(",")] for ln in (folder / "X.csv").read_text().split()]
    y = [F(v) for v in (folder / "y.csv").read_text().split()]
    return X, y


def test_json_keeps_the_one_sample_keys(result):
    assert {"beta", "l1_norm", "sharpness"} <= set(result["min_norm"])
    assert {"beta", "sharpness", "certified"} <= set(result["min_sharpness"])
    lo, hi = result["min_sharpness"]["certified"]
    assert lo <= result["min_sharpness"]["sharpness"] <= hi
    assert hi - lo <= 1e-8
    assert {"beta", "risk_optimal", "eta_star"} <= set(result["optimal"])
    assert "gradient_flow" not in result  # no --alpha
    assert result["data"]["summary"].startswith(f"X: {N} x {D} (X.csv, sha256 ")


def test_min_norm_is_exact_and_least(instance, result):
    from scipy.optimize import linprog

    X, y = _data(instance)
    beta = [F(v) for v in result["exact"]["min_norm"]["beta"]]
    assert [sum(a * b for a, b in zip(r, beta)) for r in X] == y
    assert F(result["exact"]["min_norm"]["l1_norm"]) == sum(abs(b) for b in beta)
    A = np.array(X, dtype=float)
    lp = linprog(np.ones(2 * D), A_eq=np.hstack([A, -A]), b_eq=np.array(y, dtype=float),
                 bounds=(0, None), method="highs")
    assert result["min_norm"]["l1_norm"] == pytest.approx(lp.fun, rel=1e-9)


def test_min_sharpness_point_and_lower_bound(instance, result):
    X, y = _data(instance)
    beta = [F(v) for v in result["exact"]["min_sharpness"]["beta"]]
    assert [sum(a * b for a, b in zip(r, beta)) for r in X] == y
    A = np.array(X, dtype=float)
    b = np.array([float(v) for v in beta])
    u = np.sqrt(np.abs(b))
    J = np.hstack([A * (np.sign(b) * u), A * u])  # d(X (u * v))/d(u, v) at v = sign * u
    top = np.linalg.eigvalsh(J.T @ J / N)[-1]
    assert result["min_sharpness"]["sharpness"] == pytest.approx(top, rel=1e-10)
    lo, _ = result["min_sharpness"]["certified"]
    assert result["min_norm"]["sharpness"] >= lo
    assert result["optimal"]["sharpness"] >= lo  # the truth interpolates (noiseless)


def test_files_and_instance_agree_and_header_summarises(cli, instance, result):
    res = cli(["interpolators", "--X-file", instance / "X.csv", "--y-file",
               instance / "y.csv", "--param", "product", "--json"])
    obj = res.json()
    assert obj["exact"]["min_norm"] == result["exact"]["min_norm"]
    text = cli(["interpolators", "--instance", instance, "--param", "product"])
    assert text.code == 0, text.err
    head = text.out.splitlines()[0]
    assert head.startswith(f"{N}-sample data, X: {N} x {D} (X.csv, sha256 ")
    first_row = (instance / "X.csv").read_text().split()[0].split(",")[0]
    assert first_row not in head  # the matrix is not printed
    assert "min_sharpness.certified" in text.out


@pytest.mark.parametrize("argv, option", [
    (["--X-file", "missing.csv", "--y-file", "missing.csv"], "--X-file"),
    (["--instance", "nowhere"], "--instance"),
])
def test_bad_input_names_the_option(cli, tmp_path, argv, option):
    res = cli(["interpolators", *[str(tmp_path / a) if a.startswith("m") or a == "nowhere"
                                  else a for a in argv], "--param", "product"])
    assert res.code == 2 and len(res.err_lines) == 1
    assert res.err_lines[0].startswith(f"normsharp: error: {option}"), res.err


def test_infeasible_data_is_a_clear_error(cli, tmp_path):
    (tmp_path / "X.csv").write_text("1,1\n2,2\n")
    (tmp_path / "y.csv").write_text("1\n3\n")
    res = cli(["interpolators", "--X-file", tmp_path / "X.csv", "--y-file",
               tmp_path / "y.csv", "--param", "product"])
    assert res.code == 2 and len(res.err_lines) == 1, res.err
    assert "--y-file" in res.err_lines[0]
