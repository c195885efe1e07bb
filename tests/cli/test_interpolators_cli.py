"""``normsharp interpolators``: the JSON contract of issue 2 and hand-derived exact values.

Hand derivations (shared one-sample model, M = {beta >= 0 : <x, beta> = y}):

Default instance x = (1, 1/2), y = 1. Vertices (1, 0) and (0, 2). beta^N = (1, 0): l1 = ||w||^2
= 1, S = 4 y x_max = 4; beta^S = (0, 2): l1 = 2, S = 4 y x_min = 2. Thresholds 1/(2 y x_max) = 1/2
and 1/(2 y x_min) = 1. Uniform prior: mean mu = y/(d x_i) = (1/2, 1), S(mu) = 4 (1/2 + 1/4) = 3,
eta* = 2/3; on the segment beta = (1 - t, 2t), t ~ U(0, 1): tr Cov = (1 + 4)/12 = 5/12, so
risk(beta^N) = |(1/2, -1)|^2 + 5/12 = 5/3 = risk(beta^S), risk(mu) = 5/12.
With alpha = 1/100: beta_i = alpha^2 t^(2 x_i), t = exp(lambda/2), alpha^2 (t^2 + t/2) = 1, so
t = (sqrt(160001) - 1)/4, beta^GF = (alpha^2 t^2, alpha^2 t), s_GF = 4 (beta_1 + beta_2/4).
Point beta* = (1, 1) (off M): its projection on the line x.beta = 1 is (1,1) - (1/2)(1, 1/2)/(5/4)
= (3/5, 4/5) >= 0, S = 16/5, eta* = 5/8, risks |(0, -1)|^2 = 1, |(-1, 1)|^2 = 2, 1/25 + 4/25 = 1/5.

d = 3 instance x = (1, 2, 3), y = 6. Vertices (6,0,0), (0,3,0), (0,0,2). beta^N = (0,0,2): l1 2,
S = 72; beta^S = (6,0,0): l1 6, S = 24; thresholds 1/36, 1/12. mu = (2, 1, 2/3), S(mu) =
4 (2 + 4 + 6) = 48, eta* = 1/24, l1(mu) = 11/3. Uniform on a triangle: Cov = (1/12) sum_v (v - mu)
(v - mu)^T, |v - mu|^2 = 157/9, 76/9, 61/9, tr Cov = 49/18; risks 61/9 + 49/18 = 19/2 (beta^N),
157/9 + 49/18 = 121/6 (beta^S), 49/18 (mu).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest

DEFAULT = ["interpolators", "--x", "1,0.5", "--y", "1"]

BLOCK_KEYS = {"beta", "l1_norm", "param_norm_sq", "sharpness"}
OPTIMAL_KEYS = {"beta", "sharpness", "l1_norm", "risk_min_norm", "risk_min_sharpness",
                "risk_optimal", "eta_star"}


def _num(value) -> float:
    return float(value)


def _check(obj, expected: dict, rel=1e-15):
    for key, want in expected.items():
        got = obj[key]
        if isinstance(want, (list, tuple)):
            assert len(got) == len(want), key
            for g, w in zip(got, want, strict=True):
                assert g == pytest.approx(float(w), rel=rel, abs=1e-300), key
        else:
            assert got == pytest.approx(float(want), rel=rel, abs=1e-300), key


def test_json_keys_are_the_contract(cli):
    res = cli(DEFAULT + ["--json"])
    assert res.code == 0 and res.err == ""
    obj = res.json()
    for block in ("min_norm", "min_sharpness"):
        assert BLOCK_KEYS <= set(obj[block]), block
        assert isinstance(obj[block]["beta"], list)
        assert all(isinstance(v, float) for v in obj[block]["beta"])
    assert set(obj["thresholds"]) == {"eta_min_norm_unstable", "eta_no_stable_interpolator"}
    assert OPTIMAL_KEYS <= set(obj["optimal"])
    assert "gradient_flow" not in obj  # only with --alpha
    with_alpha = cli(DEFAULT + ["--alpha", "0.01", "--json"]).json()
    assert {"beta", "sharpness", "eta_c"} <= set(with_alpha["gradient_flow"])
    for value in _leaves(with_alpha, skip=("exact", "prior")):
        assert isinstance(value, float) and math.isfinite(value)


def _leaves(obj, skip=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in skip:
                yield from _leaves(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj


def test_default_instance_values(cli):
    obj = cli(DEFAULT + ["--json"]).json()
    _check(obj["min_norm"], dict(beta=[1, 0], l1_norm=1, param_norm_sq=1, sharpness=4))
    _check(obj["min_sharpness"], dict(beta=[0, 2], l1_norm=2, param_norm_sq=2, sharpness=2))
    _check(obj["thresholds"], dict(eta_min_norm_unstable=F(1, 2), eta_no_stable_interpolator=1))
    _check(obj["optimal"], dict(beta=[F(1, 2), 1], sharpness=3, l1_norm=F(3, 2),
                                risk_min_norm=F(5, 3), risk_min_sharpness=F(5, 3),
                                risk_optimal=F(5, 12), eta_star=F(2, 3)))
    exact = obj["exact"]
    assert exact["min_norm"]["beta"] == ["1", "0"]
    assert exact["optimal"]["risk_optimal"] == "5/12"
    assert exact["thresholds"]["eta_min_norm_unstable"] == "1/2"


def test_gradient_flow_block(cli):
    obj = cli(DEFAULT + ["--alpha", "0.01", "--json"]).json()
    t = (math.sqrt(160001) - 1) / 4
    a2 = 1e-4
    beta = [a2 * t * t, a2 * t]
    s = 4 * (beta[0] + beta[1] / 4)
    _check(obj["gradient_flow"], dict(beta=beta, sharpness=s, eta_c=2 / s), rel=1e-12)
    # the specification's numbers: beta^GF = (0.995012, 0.009975), s_GF = 3.99002, eta_c = 0.50125
    gf = obj["gradient_flow"]
    assert [round(b, 6) for b in gf["beta"]] == [0.995012, 0.009975]
    assert round(gf["sharpness"], 5) == 3.99002 and round(gf["eta_c"], 5) == 0.50125


def test_beta_star_point_on_M(cli):
    obj = cli(DEFAULT + ["--beta-star", "0.5,1", "--json"]).json()
    _check(obj["optimal"], dict(beta=[F(1, 2), 1], sharpness=3, l1_norm=F(3, 2),
                                risk_min_norm=F(5, 4), risk_min_sharpness=F(5, 4),
                                risk_optimal=0, eta_star=F(2, 3)))
    assert obj["prior"] != cli(DEFAULT + ["--json"]).json()["prior"]


def test_beta_star_point_off_M(cli):
    obj = cli(DEFAULT + ["--beta-star", "1,1", "--json"]).json()
    _check(obj["optimal"], dict(beta=[F(3, 5), F(4, 5)], sharpness=F(16, 5), l1_norm=F(7, 5),
                                risk_min_norm=1, risk_min_sharpness=2, risk_optimal=F(1, 5),
                                eta_star=F(5, 8)))


def test_d3_instance(cli):
    obj = cli(["interpolators", "--x", "1,2,3", "--y", "6", "--json"]).json()
    _check(obj["min_norm"], dict(beta=[0, 0, 2], l1_norm=2, param_norm_sq=2, sharpness=72))
    _check(obj["min_sharpness"], dict(beta=[6, 0, 0], l1_norm=6, param_norm_sq=6, sharpness=24))
    _check(obj["thresholds"], dict(eta_min_norm_unstable=F(1, 36),
                                   eta_no_stable_interpolator=F(1, 12)))
    _check(obj["optimal"], dict(beta=[2, 1, F(2, 3)], sharpness=48, l1_norm=F(11, 3),
                                risk_min_norm=F(19, 2), risk_min_sharpness=F(121, 6),
                                risk_optimal=F(49, 18), eta_star=F(1, 24)))
    assert obj["exact"]["optimal"]["risk_optimal"] == "49/18"


def test_exact_fractions_in_input(cli):
    a = cli(["interpolators", "--x", "1,1/2", "--y", "1", "--json"]).json()
    b = cli(DEFAULT + ["--json"]).json()
    assert a == b


def test_text_output(cli):
    res = cli(DEFAULT + ["--alpha", "0.01"])
    assert res.code == 0 and res.err == ""
    lines = res.out.splitlines()
    rows = {line.split()[0]: line for line in lines if line and line.split()[0].count(".") == 1
            and not line.startswith("-")}
    for key in ("min_norm.beta", "min_norm.sharpness", "min_sharpness.beta",
                "thresholds.eta_min_norm_unstable", "thresholds.eta_no_stable_interpolator",
                "gradient_flow.eta_c", "optimal.eta_star", "optimal.risk_optimal"):
        assert key in rows, key
    assert rows["min_norm.sharpness"].split()[1:] == ["4", "4"]
    assert rows["thresholds.eta_min_norm_unstable"].split()[1:] == ["1/2", "0.5"]
    assert rows["optimal.risk_optimal"].split()[1] == "5/12"
    # 'decimals are exact to the digits shown': 0.416666666666667 is 5/12 to 15 digits
    assert abs(F(rows["optimal.risk_optimal"].split()[2]) - F(5, 12)) <= F(5, 10**16)
    eta_c = rows["gradient_flow.eta_c"].split()[-1]
    assert eta_c.startswith("0.50124999")


def test_ties_give_the_whole_face(cli):
    """x = (1, 1): every point of M is min-norm and min-sharpness (R2/R3 faces)."""
    res = cli(["interpolators", "--x", "1,1", "--y", "2", "--json"])
    assert res.code == 0
    obj = res.json()
    assert obj["min_norm"]["l1_norm"] == pytest.approx(2.0)
    assert obj["min_sharpness"]["sharpness"] == pytest.approx(8.0)
    assert obj["min_norm"]["sharpness"] == obj["min_sharpness"]["sharpness"]


# ------------------------------------------------- ordinary decimal data (issue 13, item 1)
DECIMAL = [["0.123456789", "1"], ["3.14159", "2.71828"], ["1e6", "1"], ["0.7071", "0.3333"],
           ["1e20", "1"], ["1", "0.333"]]


@pytest.mark.parametrize("x", DECIMAL, ids=[",".join(x) for x in DECIMAL])
def test_decimal_data_gives_certified_decimals_and_json(cli, x):
    """Decimal data used to run for minutes (a polynomial of degree 10^9 in exp(lambda/q)),
    end in an OverflowError, print the symbol lambda in the decimal column or crash --json.
    Now the decimals come from theory's proved enclosure: no symbol, and every printed digit is
    the value's own (checked against the enclosure's ends)."""
    import theory as T

    argv = ["interpolators", "--x", ",".join(x), "--alpha", "0.01"]
    res = cli(argv)
    assert res.code == 0 and res.err == ""
    rows = {ln.split()[0]: ln for ln in res.out.splitlines() if ln.startswith("gradient_flow.")}
    assert set(rows) >= {"gradient_flow.eta_c", "gradient_flow.sharpness", "gradient_flow.beta"}
    lo, hi = T.gradient_flow_limit(x, 1, "1/100").bounds("eta_c")
    decimal = rows["gradient_flow.eta_c"].split()[-1]
    assert "lambda" not in decimal and F(decimal) == pytest.approx(float(lo), rel=1e-14)
    digits = len(decimal.split("e")[0].replace("-", "").replace(".", "").lstrip("0"))
    assert digits >= 14
    for ln in rows.values():
        assert "lambda" not in ln.split()[-1]
    obj = cli(argv + ["--json"]).json()
    eta_c = obj["gradient_flow"]["eta_c"]
    assert isinstance(eta_c, float) and eta_c == pytest.approx(float(lo), rel=1e-14)


def test_interpolators_and_flow_agree_on_eta_c(cli):
    """Where theory proves the path's sharpness peaks at its end (r(0) <= 0), the flow's
    eta_c = 2/s_GF and theory's 2/S(beta_GF) are one number: the two commands agree to the
    flow's agreed digits."""
    for x in ("0.7071,0.3333", "1,0.333", "0.123456789,1"):
        theory_eta = cli(["interpolators", "--x", x, "--alpha", "0.01", "--json"]).json()
        flow = cli(["flow", "--x", x, "--alpha", "0.01", "--json"]).json()
        assert flow["s_gf_at_end"] is True
        digits = flow["digits"]["eta_c"]
        assert theory_eta["gradient_flow"]["eta_c"] == pytest.approx(
            flow["eta_c"], rel=10.0 ** (1 - min(digits, 15)))


# ---------------------------------------------------------------- long vectors, --full
X60 = ",".join(f"{1 + i % 7}/{1 + i % 5}" for i in range(60))


def test_long_vectors_are_summarised_unless_full(cli):
    """d = 60: vectors print as their first three and last entries with the count, and a
    note says so; --full prints every entry (the mean of the uniform prior: y/(d x_i))."""
    from fractions import Fraction

    xs = [Fraction(v) for v in X60.split(",")]
    short = cli(["interpolators", "--x", X60])
    assert short.code == 0, short.err
    row = next(line for line in short.out.splitlines() if line.startswith("optimal.beta"))
    mu = [1 / (60 * v) for v in xs]  # by hand: the centroid of M
    assert f"({mu[0]}, {mu[1]}, {mu[2]}, ..., {mu[-1]}) [60 entries]" in row
    assert "x = (1, 1, 1, ..., 4/5) [60 entries]" in short.out
    assert "--full prints them whole" in short.out
    assert max(len(line) for line in short.out.splitlines()) < 260
    full = cli(["interpolators", "--x", X60, "--full"])
    row = next(line for line in full.out.splitlines() if line.startswith("optimal.beta"))
    assert "(" + ", ".join(str(m) for m in mu) + ")" in row
    assert "--full" not in full.out and len(full.out) > 3 * len(short.out)


def test_long_exact_values_are_elided_with_their_length(cli):
    res = cli(["interpolators", "--x", X60, "--alpha", "0.01"])
    assert res.code == 0, res.err
    sharp = next(line for line in res.out.splitlines()
                 if line.startswith("gradient_flow.sharpness"))
    exact = cli(["interpolators", "--x", X60, "--alpha", "0.01", "--json"]).json()[
        "exact"]["gradient_flow"]["sharpness"]
    assert len(exact) > 200 and f"[{len(exact)} characters]" in sharp
    assert "..." in sharp and exact[:20] in sharp
