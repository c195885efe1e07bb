"""``normsharp sweep``: JSON contract, resumption after kill -9, refusal of other arguments."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from normsharp.cli import main
from numerics.precision import DEFAULT_PAIR

from .jobs import DATA, ROOT, rows


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_json_has_the_documented_keys(tmp_path):
    code, out, err = _run(["sweep", *DATA, "--eta-min", "0.4", "--eta-max", "1.1", "--num",
                           "8", "--steps", "5000", "--jobs", "1", "--json", "--out", tmp_path])
    assert code == 0, err
    obj = json.loads(out)
    for key in ("points", "eta_c_predicted", "eta_c_observed", "eta_best", "risk_best"):
        assert key in obj
    assert len(obj["points"]) == 8
    for pt in obj["points"]:
        for key in ("eta", "status", "steps", "beta", "S", "two_over_eta", "l1_norm",
                    "param_norm_sq", "risk", "expected_risk", "distance_gf", "digits"):
            assert key in pt
    # above 1/(2 y x_min) = 1 no interpolator is stable (R5): 1.1 cannot converge
    assert obj["points"][-1]["eta"] == 1.1 and obj["points"][-1]["status"] != "converged"
    assert obj["eta_c_predicted"] == pytest.approx(0.50125, abs=1e-5)
    # the least-risk point is confirmed at two precisions, so its risk has agreed digits
    assert obj["best"]["confirmed"] is True and isinstance(obj["risk_best"], float)
    assert obj["precisions"] == DEFAULT_PAIR.labels
    # summaries print no raw float64 value: the plateau sharpness is its grid point's agreed S
    c = obj["eta_c"]
    assert not [k for k in c if k.endswith("_float64")]
    assert not [k for k in obj["best"] if k.endswith("_float64")]
    ref = next(pt for pt in obj["points"] if pt["eta"] == c["S_ref_eta"])
    assert c["S_ref_audited"] is True and c["S_ref"] == ref["S"]
    assert c["S_ref_digits"] == ref["digits"]["S"]
    assert c["threshold"] == float(f"{c['S_ref'] * 0.999:.{c['S_ref_digits']}g}")
    # the Hessian check: sharpness values to the agreed digits of S (and R1's closed form
    # 4 x1^2 b1 + 4 x2^2 b2 = 4 b1 + b2 of the agreed beta), residues to 2 digits
    checked = [pt for pt in obj["points"] if pt.get("hessian_check")]
    assert checked
    for pt in checked:
        h, d = pt["hessian_check"], pt["digits"]["S"]
        b1, b2 = pt["beta"]
        for key in ("S_full", "S_gram", "S_formula"):
            assert h[key] == float(f"{h[key]:.{d}g}")
            assert h[key] == pytest.approx(4 * b1 + b2, rel=10.0 ** (1 - d))
        for key in ("full_minus_gram", "other_eigenvalues_max", "bound", "formula_minus_full"):
            assert h[key] == float(f"{h[key]:.2g}")
    for name in ("sweep.csv", "sweep.jsonl", "sweep.meta.json", "sharpness.png", "risk.png",
                 "l1_norm.png", "path.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert err == ""  # no progress bar in --json mode (and none off a terminal)


def test_mismatched_arguments_exit_2_with_one_line(tmp_path):
    base = ["sweep", *DATA, "--eta-min", "0.5", "--eta-max", "0.6", "--num", "2", "--jobs",
            "1", "--confirm", "none", "--no-figures", "--out", tmp_path]
    code, _, err = _run([*base, "--steps", "1000"])
    assert code == 0, err
    code, out, err = _run([*base, "--steps", "2000"])
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("normsharp: error:")
    assert "steps" in lines[0] and str(tmp_path) in lines[0]
    assert out == ""


@pytest.mark.parametrize("extra", [["--eta-min", "0.6", "--eta-max", "0.5", "--num", "3"],
                                   ["--eta-min", "0.5", "--eta-max", "0.6", "--num", "0"],
                                   ["--eta-min", "-1", "--eta-max", "0.6", "--num", "3"]])
def test_bad_ranges_exit_2(extra):
    code, _, err = _run(["sweep", *DATA, *extra, "--steps", "10"])
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("normsharp: error:")


def test_resume_after_kill_9(tmp_path):
    """Kill a running sweep (and its workers) with SIGKILL; the rerun loses and repeats nothing."""
    args = [*DATA, "--eta-min", "0.3", "--eta-max", "1.05", "--num", "16", "--steps", "10000",
            "--no-figures", "--json"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    killed, reference = tmp_path / "killed", tmp_path / "reference"
    proc = subprocess.Popen([sys.executable, "-m", "normsharp", "sweep", *args, "--jobs", "2",
                             "--out", str(killed)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    log = killed / "sweep.jsonl"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and log.read_bytes().count(b"\n") >= 1:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the whole job: the CLI and its workers
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = log.read_bytes()
    with open(log, "ab") as fh:  # as if the kill had landed inside a write
        fh.write(b'{"kind":"confirm","eta":"3/10","sta')

    code, out, err = _run(["sweep", *args, "--jobs", "1", "--out", killed])
    assert code == 0, err
    resumed = json.loads(out)
    code, out, err = _run(["sweep", *args, "--jobs", "1", "--out", reference])
    assert code == 0, err
    uninterrupted = json.loads(out)

    rows_killed, rows_ref = rows(log), rows(reference / "sweep.jsonl")
    assert rows_killed == rows_ref  # nothing lost, nothing duplicated, nothing different
    assert len(partial.splitlines()) < len(rows_ref)  # it was killed mid-run
    assert log.read_bytes().startswith(partial.rsplit(b"\n", 1)[0])  # finished rows kept
    assert resumed["points"] == uninterrupted["points"]
    for key in ("eta_c_observed", "eta_best", "risk_best"):
        assert resumed[key] == uninterrupted[key]
    assert (killed / "sweep.csv").read_text() == (reference / "sweep.csv").read_text()


def test_three_coordinates_draw_the_simplex(tmp_path):
    code, out, err = _run(["sweep", "--x", "1,1/2,1/4", "--y", "1", "--alpha", "1/100",
                           "--eta-min", "0.3", "--eta-max", "0.8", "--num", "4", "--steps",
                           "3000", "--jobs", "1", "--confirm", "none", "--out", tmp_path])
    assert code == 0, err
    for name in ("path.png", "sharpness.png", "l1_norm.png", "risk.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    # no beta*: the risk column is empty, the expected risk (uniform prior) is reported
    assert "least expected risk" in out


def test_text_without_confirmations_says_so_and_withholds_the_float64_risk(tmp_path):
    """--confirm none: no precision pair is claimed, and the least risk (float64 only, no
    confirmed neighbour to back its digits) is withheld rather than printed to 16 digits."""
    code, out, err = _run(["sweep", *DATA, "--eta-min", "0.55", "--eta-max", "0.75", "--num",
                           "5", "--steps", "20000", "--jobs", "1", "--confirm", "none",
                           "--no-refine"])
    assert code == 0, err
    head = out.splitlines()[0]
    assert "no learning rate confirmed at two precisions" in head and "flint" not in head
    least = next(ln for ln in out.splitlines() if ln.startswith("least risk"))
    assert "withheld" in least


def test_precisions_follow_the_backend(tmp_path):
    code, out, err = _run(["sweep", *DATA, "--eta-min", "0.4", "--eta-max", "0.5", "--num",
                           "2", "--steps", "3000", "--jobs", "1", "--confirm", "none",
                           "--confirm-eta", "0.4", "--backend", "mpmath", "--precision", "10",
                           "--no-refine", "--json"])
    assert code == 0, err
    obj = json.loads(out)  # --backend is the backend of --precision P (P against 2P)
    assert obj["precisions"] == ["mpmath:10", "mpmath:20"]
    assert obj["points"][0]["audited"] and obj["points"][0]["precisions"] == obj["precisions"]


def test_edge_json_table_and_figure(tmp_path):
    """--edge: the convergence_edge block (exact bin edges as "p/q" text, counts that sum to
    the samples), the per-bin table in the text output, edge.csv and edge.png."""
    base = ["sweep", *DATA, "--eta-min", "0.5", "--eta-max", "0.6", "--num", "2", "--steps",
            "2000", "--jobs", "1", "--confirm", "none", "--no-refine", "--edge", "--edge-bins",
            "2", "--edge-samples", "3", "--edge-pair", "float64,dd", "--edge-range", "0.9,1"]
    code, out, err = _run([*base, "--json", "--out", tmp_path])
    assert code == 0, err
    obj = json.loads(out)
    bins = obj["convergence_edge"]
    assert [(b["eta_lo"], b["eta_hi"]) for b in bins] == [("9/10", "19/20"), ("19/20", "1")]
    for b in bins:
        assert b["samples"] == 3 == sum(b[k] for k in ("converged", "diverged",
                                                        "not_converged", "precision_dependent"))
    assert obj["convergence_edge_info"]["precisions"] == ["float64", "dd"]
    for name in ("edge.csv", "edge.png"):
        assert (tmp_path / name).stat().st_size > 0
    code, out, err = _run([*base, "--out", tmp_path])  # resumed: the text table
    assert code == 0, err
    assert "Convergence edge: 3 learning rates per bin" in out
    assert "[0.9, 0.95)" in out and "precision-dependent" in out


@pytest.mark.parametrize("extra, option", [(["--edge-pair", "dd,float64"], "--edge-pair"),
                                           (["--edge-range", "1,0.9"], "--edge-range"),
                                           (["--edge-range", "0.9"], "--edge-range"),
                                           (["--edge-samples", "0"], "--edge-samples")])
def test_bad_edge_options_exit_2_naming_the_option(extra, option):
    code, _, err = _run(["sweep", *DATA, "--eta-min", "0.5", "--eta-max", "0.6", "--num", "2",
                         "--steps", "10", "--confirm", "none", "--edge", *extra])
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and option in err, err
