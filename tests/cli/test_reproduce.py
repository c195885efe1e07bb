"""``normsharp reproduce --quick`` end to end in a temporary directory."""

from __future__ import annotations

import contextlib
import io
import json
import re
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest
import sympy as sp

import theory as T
from normsharp.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLAIMS = ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"]


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce")
    code, stdout, err = _run(["reproduce", "--quick", "--out", out, "--json"])
    return out, code, json.loads(stdout), err


def test_every_claim_held_and_exit_0(quick):
    _, code, obj, err = quick
    assert code == 0, err
    assert [v["id"] for v in obj["verdicts"]] == CLAIMS
    for v in obj["verdicts"]:
        assert v["verdict"] == "held", (v["id"], v["evidence"])
        assert v["evidence"] and v["rule"]
    assert obj["all_held"] is True and obj["refuted"] == [] and obj["exit_code"] == 0


def test_numbers_against_theory(quick):
    """eta_c within 1% of the exact 2/s_GF; the best eta near the exact eta* = 2/3."""
    _, _, obj, _ = quick
    eta_c = float(sp.N(T.gradient_flow_limit([1, sp.Rational(1, 2)], 1,
                                             sp.Rational(1, 100)).eta_c, 20))
    assert obj["eta_c_predicted"] == pytest.approx(eta_c, rel=1e-15)
    assert abs(obj["eta_c_observed"] / eta_c - 1) <= 0.01
    assert obj["eta_star"] == pytest.approx(2 / 3, rel=1e-15)
    assert eta_c < obj["eta_best"] < 1
    assert abs(obj["eta_best"] / obj["eta_star"] - 1) <= 0.05
    # strictly below both biases' risks (5/4 each for beta* = the centroid)
    assert isinstance(obj["risk_best"], float) and obj["risk_best"] < 5 / 4
    above = [pt for pt in obj["sweep"]["points"] if pt["eta"] > 1]
    assert above and all(pt["status"] != "converged" for pt in above)


def test_report_and_figures(quick):
    out, _, obj, _ = quick
    report = Path(obj["report"])
    assert report == out / "report.md" and report.is_file()
    text = report.read_text()
    for claim in CLAIMS:
        assert re.search(rf"\| {claim} \| .* \| \*\*held\*\* \|", text), claim
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == 4
    for rel in images:
        assert not Path(rel).is_absolute()
        png = out / rel
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000, rel
    assert set(obj["figures"]) == {"sharpness", "l1_norm", "risk", "path"}
    assert "2/3" in text and "0.666667" in text  # the predicted best eta beside the observed
    assert "U-shape" in text
    # the digits section names the precisions the sweep used; the plateau value is printed
    # with its agreed digits, never as a raw float64 number
    assert "(float64 against flint:32)" in text and "32 digits, flint" not in text
    c = obj["sweep"]["eta_c"]
    assert c["S_ref_audited"] is True and f"plateau value S = {c['S_ref_text']} " in text
    assert not [k for k in c if k.endswith("_float64")]


def test_rerun_resumes_and_prints_the_verdicts(quick):
    out, _, obj, _ = quick
    log = out / "sweep-quick" / "sweep.jsonl"
    before = log.read_bytes()
    code, stdout, err = _run(["reproduce", "--quick", "--out", out])
    assert code == 0, err
    assert log.read_bytes() == before  # every row was reused
    for claim in CLAIMS:
        assert f"{claim}: HELD" in stdout
    assert "Exact theory" in stdout and "eta_c" in stdout


# ------------------------------------------------------------------ prose follows the numbers
S_GF = Fraction(399, 100)  # stand-ins for s_GF and 2/s_GF: the prose compares, it computes
ETA_C = 2 / S_GF           # nothing else


def _flow_result(S_ref: float, digits: int, observed: Fraction):
    """The fields of a SweepResult that the eta_c section reads."""
    return SimpleNamespace(
        predicted={"s_gf": S_GF, "eta_c": ETA_C, "s_gf_at_end": True},
        eta_c={"bracket": (observed - Fraction(1, 10**5), observed), "tol": Fraction(1, 1000),
               "S_ref": S_ref, "S_ref_text": f"{S_ref:.{digits}g}", "S_ref_digits": digits,
               "S_ref_audited": True, "S_ref_eta": Fraction(1, 2), "refine_etas": [],
               "confirmed": True, "observed": observed},
        eta_c_observed=float(observed), eta_c_predicted=float(ETA_C))


@pytest.mark.parametrize("S_ref, digits, observed, must, must_not", [
    # flatter plateau, transition after 2/s_GF: the usual picture
    (3.9788, 5, ETA_C * Fraction(1003, 1000), "flatter than gradient flow", "sharper"),
    # sharper plateau, transition before 2/s_GF
    (3.9951, 5, ETA_C * Fraction(997, 1000), "sharper than gradient flow", "flatter"),
    # a flatter plateau but an early transition: no causal sentence
    (3.9788, 5, ETA_C * Fraction(997, 1000), "does not explain", "stays stable"),
    # equal to its digits
    (3.99, 3, ETA_C * Fraction(1003, 1000), "equal to s_GF to its 3 digits", "flatter"),
])
def test_flow_prose_follows_the_comparison(S_ref, digits, observed, must, must_not):
    from normsharp.commands.reproduce import _flow_section

    text = _flow_section(_flow_result(S_ref, digits, observed), 1000)
    assert must in text and must_not not in text, text


def _best_result(S: float, eta: Fraction):
    """The fields of a SweepResult that the U-shape section reads (risks as in the default
    instance: 5/4 for both biases, 0 for the optimum)."""
    point = {"risk_min_norm": Fraction(5, 4), "risk_min_sharpness": Fraction(5, 4),
             "risk_optimal": Fraction(0), "eta_star": Fraction(2, 3),
             "sharpness_optimal": Fraction(3)}
    uniform = {"risk_min_norm": Fraction(5, 3), "risk_min_sharpness": Fraction(5, 3),
               "risk_optimal": Fraction(5, 12)}
    return SimpleNamespace(
        predicted={"point": point, "uniform": uniform},
        best={"eta": eta, "risk": 1e-6, "risk_text": "1e-6", "resolution": Fraction(1, 1000),
              "confirmed": True, "interior": True},
        confirm={eta: {"quantities": {"S": {"json": S, "text": f"{S:.10g}", "digits": 10}}}})


def test_u_prose_claims_the_edge_only_when_the_numbers_show_it():
    from normsharp.commands.reproduce import _u_section

    # S below 2/eta and the best eta below eta*: the sentence of the paper
    text = _u_section(_best_result(3.0000242351, Fraction(654715, 10**6)), 1000)
    assert "GD stops slightly below 2/eta" in text
    # S above 2/eta (= 3.0548 at this eta): the report must not say it stops below it
    text = _u_section(_best_result(3.1, Fraction(654715, 10**6)), 1000)
    assert "stops slightly below" not in text and "S = 3.1 > 2/eta" in text
    # the best eta above eta*: no 'smaller eta'
    text = _u_section(_best_result(2.9, Fraction(7, 10)), 1000)
    assert "smaller eta" not in text and "above eta*" in text


def test_the_r1_row_takes_the_exact_optimum_even_when_irrational(monkeypatch):
    """An optimum with irrational entries (beta = (1 - 1/sqrt2, sqrt2) on <x, beta> = 1): the
    Hessian there has eigenvalues {4 sum x_i^2 beta_i, 0} = {4 - sqrt2, 0} (R1, by hand)."""
    import sympy as sp

    import normsharp.commands.interpolators as I
    from normsharp.commands.reproduce import ALPHA, X, Y, _exact_rows

    real = I.compute
    beta = (1 - 1 / sp.sqrt(2), sp.sqrt(2))

    def compute(*args, **kwargs):
        out = real(*args, **kwargs)
        out["optimal"] = dict(out["optimal"], beta=beta)
        return out

    monkeypatch.setattr(I, "compute", compute)
    rows = _exact_rows(X, Y, ALPHA, (Fraction(1, 2), Fraction(1)))
    eig = next(r for r in rows if r[1].startswith("Hessian eigenvalues"))
    values = sp.sympify(eig[2])  # the exact text "(4 - sqrt(2), 0)", a tuple
    assert {sp.simplify(v) for v in values} == {sp.simplify(4 - sp.sqrt(2)), 0}
