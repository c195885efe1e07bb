"""``normsharp reproduce --quick`` end to end in a temporary directory."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
import sympy as sp

import theory as T
from normsharp.cli import main
from numerics.precision import DEFAULT_PAIR

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: the main job judges R1-R9 of [MFCKM26] and, for the second source [BFFK25], C2, C5, C6, C7
CLAIMS = ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "C2", "C5", "C6", "C7"]


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
    assert len(images) == 6  # the sweep's four, the edge and the [BFFK25] quantization bridge
    assert "quantization_bridge.png" in images
    for rel in images:
        assert not Path(rel).is_absolute()
        png = out / rel
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000, rel
    assert set(obj["figures"]) == {"sharpness", "l1_norm", "risk", "path", "edge"}
    assert obj["computability"] and (out / "quantization_bridge.json").is_file()
    assert "2/3" in text and "0.666667" in text  # the predicted best eta beside the observed
    assert "U-shape" in text
    # the digits section names the precisions the sweep used; the plateau value is printed
    # with its agreed digits, never as a raw float64 number
    low, high = DEFAULT_PAIR.labels
    assert f"({low} against {high})" in text and "32 digits, flint" not in text
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


def test_every_long_phase_shows_its_stage(quick, monkeypatch):
    """The progress display names each phase: the sweep's grid, refinement and
    confirmations, the ladder's, the identity check and the figures (rerun: resumed)."""
    import normsharp.progress

    class Recorder:
        def __init__(self):
            self.stages = []

        def __call__(self, stage, done, total):
            if not self.stages or self.stages[-1] != stage:
                self.stages.append(stage)

        def close(self):
            pass

    bar = Recorder()
    monkeypatch.setattr(normsharp.progress.Progress, "maybe", classmethod(lambda cls, **k: bar))
    out, _, _, _ = quick
    code, _, err = _run(["reproduce", "--quick", "--out", out])
    assert code == 0, err
    for stage in ("grid", "refinement: eta_c", "refinement: least risk", "confirmations",
                  "ladder: grid", "ladder: confirmations", "identity (R7)", "figures"):
        assert stage in bar.stages, (stage, bar.stages)


def test_the_convergence_edge_is_reported_per_bin(quick):
    """The edge as fractions per bin (float64 against dd), in the JSON and in report.md; no
    sentence places the edge at one learning rate."""
    out, _, obj, _ = quick
    bins = obj["convergence_edge"]
    assert len(bins) == 8 and obj["sweep"]["convergence_edge"] == bins
    assert obj["sweep"]["convergence_edge_info"]["precisions"] == ["float64", "dd"]
    for b in bins:
        assert b["samples"] == 8 == sum(b[k] for k in ("converged", "diverged",
                                                        "not_converged", "precision_dependent"))
    # the interval ends at the stability limit 1/(2 y x_min) = 1
    assert bins[-1]["eta_hi"] == "1"
    text = (out / "report.md").read_text()
    assert "## The convergence edge" in text and "| eta bin | samples | converged |" in text
    # the stability reading refers the grid's last converged point to the measured edge
    limit = text.split("## The stability limit", 1)[1].split("\n## ", 1)[0]
    assert "(*The convergence edge*)" in limit
    row = re.search(r"\| \[[0-9.]+, [0-9.]+\) \| 8 \| (\d+)% \((\d)/8\) \|", text)
    assert row and int(row.group(1)) == round(100 * int(row.group(2)) / 8)
