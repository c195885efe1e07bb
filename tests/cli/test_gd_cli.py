"""``normsharp gd``: the JSON contract of issue 3, agreed digits only, data files.

Reference values: the shared specification's table (default instance, beta* = (0.5, 1)) and the
closed forms of the theory layer, not the engine.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

DATA = ["--x", "1,0.5", "--y", "1", "--alpha", "0.01"]
QUANTITIES = ("beta", "loss", "sharpness", "lambda_max", "l1_norm", "param_norm_sq")


def gd(cli, *args, json=True, certify=False):
    argv = ["gd", *DATA, *args] + (["--json"] if json else []) + ([] if certify else
                                                                  ["--no-certify"])
    res = cli(argv)
    assert res.code == 0, res.err
    assert "Traceback" not in res.out + res.err
    return res.json() if json else res


def test_json_keys(cli):
    obj = gd(cli, "--eta", "0.6", "--steps", "200000", "--beta-star", "0.5,1")
    for key in ("status", "steps", *QUANTITIES, "risk", "digits"):
        assert key in obj, key
    assert obj["status"] == "converged"
    assert isinstance(obj["steps"], int) and 0 < obj["steps"] <= 200000
    assert isinstance(obj["beta"], list) and len(obj["beta"]) == 2
    assert set(obj["digits"]) >= {"beta", "loss", "sharpness", "lambda_max", "l1_norm",
                                  "param_norm_sq", "risk"}
    assert obj["digits"]["loss"] == "bound"
    assert "certified" not in obj  # --no-certify
    without = gd(cli, "--eta", "0.6", "--steps", "200000")
    assert "risk" not in without and "risk" not in without["digits"]


def _places(value: float, digits: int) -> float:
    """Half a unit in the last agreed significant digit of ``value``."""
    return 0.5 * 10 ** (Decimal(repr(value)).adjusted() - digits + 1)


@pytest.mark.parametrize("eta, S, l1, risk", [("0.6", 3.293, 1.353, 0.1075),
                                              ("0.65", 3.023, 1.488, 0.0007)])
def test_spec_table_through_the_cli(cli, eta, S, l1, risk):
    obj = gd(cli, "--eta", eta, "--steps", "200000", "--beta-star", "0.5,1")
    assert obj["status"] == "converged"
    digits = obj["digits"]
    assert min(v for k, v in digits.items() if k != "loss") >= 4
    assert obj["sharpness"] == pytest.approx(S, abs=5e-4)
    assert obj["l1_norm"] == pytest.approx(l1, abs=5e-4)
    assert obj["risk"] == pytest.approx(risk, abs=5e-5)
    assert obj["sharpness"] < 2 / float(eta)
    assert obj["sharpness"] == obj["lambda_max"]  # on the zero-loss set (R1)
    assert obj["l1_norm"] == obj["param_norm_sq"]  # shared: ||w||^2 = ||beta||_1


def test_printed_digits_match_the_digit_counts(cli):
    """Text mode: each value shows no more significant digits than its 'digits' column."""
    res = gd(cli, "--eta", "0.6", "--steps", "300", "--precision", "8", json=False)
    rows = [line.split() for line in res.out.splitlines()]
    table = {r[0]: r for r in rows if r and r[0] in QUANTITIES + ("gain",)}
    assert set(QUANTITIES) <= set(table)
    for name, row in table.items():
        digits = int(row[-1])
        values = " ".join(row[1:-1]).strip("()").split(", ")
        for text in values:
            if name in ("beta", "gain"):  # vectors: a common absolute position
                continue
            mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
            assert len(mantissa) <= digits, (name, text, digits)


def test_chaotic_case_prints_no_number(cli):
    """eta = 0.99 (where no sampled run of the measured edge converges): the default pair
    disagrees at O(1); every quantity is 'chaotic'."""
    obj = gd(cli, "--eta", "0.99", "--steps", "20000", "--beta-star", "0.5,1")
    assert obj["status"] == "not_converged"
    for key in (*QUANTITIES, "risk"):
        assert obj[key] == "chaotic", key
        assert obj["digits"][key] == 0
    text = gd(cli, "--eta", "0.99", "--steps", "20000", "--beta-star", "0.5,1", json=False)
    rows = [line.split() for line in text.out.splitlines()]
    values = {r[0]: r[1] for r in rows if r and r[0] in (*QUANTITIES, "risk")}
    assert set(values) == {*QUANTITIES, "risk"}
    assert all(v == "chaotic" for v in values.values())


def test_diverged_case(cli):
    obj = gd(cli, "--eta", "1.02", "--steps", "1000")
    assert obj["status"] == "diverged" and obj["diverged_at"] == 34
    text = gd(cli, "--eta", "1.02", "--steps", "1000", json=False).out
    assert "diverged at step 34" in text


def test_not_converged_budget_and_precision_option(cli):
    obj = gd(cli, "--eta", "0.6", "--steps", "50", "--precision", "10", "--backend", "mpmath")
    assert obj["status"] == "not_converged" and obj["steps"] == 50
    assert obj["precisions"] == ["mpmath:10", "mpmath:20"]
    assert all(isinstance(v, int) and 0 <= v <= 10 for v in obj["digits"].values())
    assert obj["digits"]["loss"] >= 5  # not a bound: the run did not converge


def test_average_last_and_decay_options(cli):
    """x = (1, 8), y = 4249/4096, alpha = 23/64, eta = 1/2: coordinate 2 dies at step 0 and
    coordinate 1 settles on the 2-cycle of w -> w (1 + y - w^2) (see tests/numerics/test_gd.py)."""
    data = ["--x", "1,8", "--y", "4249/4096", "--alpha", "23/64", "--eta", "0.5",
            "--steps", "2000"]
    plain = _run(cli, data)
    assert plain["status"] == "not_converged" and plain["diagnosis"]["period"] == 2
    avg = _run(cli, data + ["--average-last", "100"])
    assert avg["diagnosis"]["averaged_over"] == 100
    # midpoint of the 2-cycle {0.9080230512897739927, 1.1012936274906018310}, squared
    mid = (0.9080230512897739927 + 1.1012936274906018310) / 2
    assert avg["beta"][0] == pytest.approx(mid**2, abs=1e-10)
    decayed = _run(cli, data + ["--decay-steps", "400"])
    assert decayed["status"] == "converged"
    assert decayed["beta"] == pytest.approx([4249 / 4096, 0.0], abs=1e-10)
    assert decayed["sharpness"] == pytest.approx(4 * 4249 / 4096, rel=1e-10)  # R1: 4 x1^2 y/x1


def _run(cli, data):
    res = cli(["gd", *data, "--json", "--no-certify"])
    assert res.code == 0, res.err
    return res.json()


# ---------------------------------------------------------------------------- data files
def test_one_sample_csv_equals_x(cli, tmp_path):
    (tmp_path / "X.csv").write_text("1,0.5\n")
    (tmp_path / "y.csv").write_text("1\n")
    common = ["--alpha", "0.01", "--eta", "0.6", "--steps", "5000", "--json", "--no-certify"]
    a = cli(["gd", "--X-file", tmp_path / "X.csv", "--y-file", tmp_path / "y.csv", *common])
    b = cli(["gd", "--x", "1,0.5", "--y", "1", *common])
    assert a.code == b.code == 0
    assert a.json() == b.json()


@pytest.mark.parametrize("fmt", ["csv", "whitespace", "npy"])
def test_multi_sample_files(cli, tmp_path, fmt):
    X = np.array([[1.0, 0.5, 0.25], [0.5, 1.0, 1.0]])
    y = np.array([1.0, 0.5])
    if fmt == "npy":
        np.save(tmp_path / "X.npy", X)
        np.save(tmp_path / "y.npy", y)
        fx, fy = tmp_path / "X.npy", tmp_path / "y.npy"
    else:
        sep = "," if fmt == "csv" else " "
        fx, fy = tmp_path / "X.csv", tmp_path / "y.csv"
        fx.write_text("\n".join(sep.join(str(v) for v in row) for row in X) + "\n")
        fy.write_text("\n".join(str(v) for v in y) + "\n")
    # the quad-double run of the default pair converges at |r| <= 1e-60: 24745 steps here
    res = cli(["gd", "--X-file", fx, "--y-file", fy, "--alpha", "0.1", "--eta", "0.5",
               "--steps", "100000", "--param", "product", "--json", "--no-certify"])
    assert res.code == 0, res.err
    obj = res.json()
    assert obj["status"] == "converged" and len(obj["beta"]) == 3
    beta = np.array(obj["beta"])
    assert np.max(np.abs(X @ beta - y)) < 1e-9  # an interpolator of the file's data
    # E1 at zero loss: S = lambda_max((1/n) X diag(u^2 + v^2) X^T) >= (2/n) lambda_max(X|B|X^T)
    lower = 2 / 2 * np.linalg.eigvalsh(X @ np.diag(np.abs(beta)) @ X.T).max()
    assert obj["sharpness"] >= lower * (1 - 1e-9)


# ------------------------------------------------------------------------------- certified
def test_certified_key(cli):
    obj = gd(cli, "--eta", "0.6", "--steps", "200000", certify=True)
    assert "certified" in obj and isinstance(obj["certified"], dict)
    lo, hi = obj["certified"]["sharpness"]
    assert lo <= hi
    # the certified enclosure and the audited value share the audited digits
    half = _places(obj["sharpness"], obj["digits"]["sharpness"])
    assert lo - half <= obj["sharpness"] <= hi + half
    assert obj["certified"]["stable"] == "stable"  # S ~ 3.293 < 2/eta = 3.333 (R5)
    short = gd(cli, "--eta", "0.6", "--steps", "50", certify=True)
    assert short["certified"] is None  # only converged runs are certified



def test_csv_data_are_read_exactly(tmp_path):
    """0.2 in a CSV file is 1/5, as on the command line, not the float nearest to it."""
    from fractions import Fraction
    from types import SimpleNamespace

    from normsharp._args import load_data, problem_from_args

    X = tmp_path / "X.csv"
    X.write_text("1, 0.2\n0.5 3\n")
    y = tmp_path / "y.csv"
    y.write_text("1\n0.1\n")
    args = SimpleNamespace(X_file=str(X), y_file=str(y), x=None, y=None, alpha=Fraction(1, 100),
                           param="shared", beta_star=None)
    problem = problem_from_args(args)
    assert problem.X == ((Fraction(1), Fraction(1, 5)), (Fraction(1, 2), Fraction(3)))
    assert problem.y == (Fraction(1), Fraction(1, 10))
    assert load_data(str(X), "--X-file").shape == (2, 2)


def test_failed_certification_keeps_the_audited_run(cli, tmp_path):
    """A rank-deficient X: GD converges, the Krawczyk certificate cannot (singular Gram): the
    command still reports the audited run, exit 0, and says why nothing was certified."""
    X = tmp_path / "X.csv"
    X.write_text("1,0.5\n2,1\n")
    y = tmp_path / "y.csv"
    y.write_text("1\n2\n")
    res = cli(["gd", "--X-file", str(X), "--y-file", str(y), "--alpha", "0.1", "--eta", "0.1",
               "--steps", "2000", "--json"])
    assert res.code == 0, res.err
    obj = res.json()
    assert obj["status"] == "converged"
    assert "singular" in obj["certified"]["error"]


# --------------------------------------------------- the default pair, long vectors, large d
def test_default_pair_agrees_on_25_digits(cli):
    """Issue 9: a converged run, by default, is audited double-double against quad-double."""
    from numerics.precision import DEFAULT_PAIR

    obj = gd(cli, "--eta", "0.6", "--steps", "200000", "--beta-star", "0.5,1")
    assert obj["status"] == "converged"
    assert obj["precisions"] == DEFAULT_PAIR.labels and obj["engines"] == ["compiled"] * 2
    digits = {k: v for k, v in obj["digits"].items() if k != "loss"}
    assert min(digits.values()) >= 25, digits
    assert max(digits.values()) <= DEFAULT_PAIR.low.cap


def _long_x(d):
    return ",".join(str(1 + (i % 7) / 8) for i in range(d))


def test_long_vectors_are_summarised_unless_full(cli):
    d = 25
    args = ["gd", "--x", _long_x(d), "--y", "1", "--alpha", "0.01", "--eta", "0.01",
            "--steps", "300", "--no-certify"]
    short = cli(args)
    assert short.code == 0, short.err
    beta_line = next(line for line in short.out.splitlines() if line.startswith("beta "))
    assert f"[{d} entries; --full for all]" in beta_line and beta_line.count(",") == 6
    full = cli(args + ["--full"])
    beta_line = next(line for line in full.out.splitlines() if line.startswith("beta "))
    assert beta_line.count(",") == d - 1 and "entries" not in beta_line
    obj = cli(args + ["--json"]).json()  # JSON is always whole
    assert len(obj["beta"]) == d


def test_large_d_off_the_zero_loss_set_forms_no_dense_hessian(cli, monkeypatch):
    """Issue 13 item 3: the final sharpness of a run that does not converge uses the Hessian's
    structure; assembling the dense kd x kd Hessian (minutes at d = 2000) is never needed."""
    import numerics.hessian as H

    def dense(*args, **kwargs):
        raise AssertionError("the dense Hessian was assembled")

    monkeypatch.setattr(H, "hessian_rows", dense)
    monkeypatch.setattr(H, "DENSE_FLOAT64", 0)
    obj = gd(cli, "--x", _long_x(600), "--eta", "0.0005", "--steps", "50")
    assert obj["status"] == "not_converged" and len(obj["beta"]) == 600
    assert obj["digits"]["sharpness"] >= 25
