"""``normsharp counterexample``: built-in conjectures, a user's ``--predicate``, JSON keys,
exit codes (1 counterexample found, 0 none, 2 bad input) and determinism under ``--seed``."""

from __future__ import annotations

import pytest

from proofs_check.strategies import problems

KEYS = {"name", "statement", "outcome", "examples", "counterexample", "seed"}


def label_below_one(case):
    """y <= 1 (false for y > 1)."""
    return case.y <= 1


label_below_one.strategy = problems(d_max=3)


def always_true(case):
    """Holds everywhere."""
    return True


always_true.strategy = problems(d_max=2)


def test_builtin_refuted_exit_1(cli):
    res = cli(["counterexample", "min-sharpness-generalises-better", "--examples", "20",
               "--json"])
    assert res.code == 1, res.err
    obj = res.json()
    assert set(obj) >= KEYS
    assert obj["outcome"] == "refuted"
    assert len(obj["counterexample"]["instance"]["x"]) == 3
    assert res.err == ""


def test_user_predicate(cli):
    res = cli(["counterexample", "--predicate", f"{__name__}:label_below_one", "--examples",
               "20", "--json"])
    assert res.code == 1
    obj = res.json()
    assert obj["counterexample"]["instance"]["y"] == "2"  # the simplest label above 1
    ok = cli(["counterexample", "--predicate", f"{__name__}:always_true", "--examples", "5",
              "--json"])
    assert ok.code == 0 and ok.json()["outcome"] == "not refuted"


def test_deterministic_under_seed(cli):
    argv = ["counterexample", "s-gf-attained-at-end", "--examples", "5", "--seed", "3",
            "--json"]
    a, b = cli(argv).json(), cli(argv).json()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def test_text_output(cli):
    res = cli(["counterexample", "s-gf-attained-at-end", "--examples", "5"])
    assert res.code == 1
    assert "outcome: refuted" in res.out and "shrunk counterexample: x=(1, 1)" in res.out


@pytest.mark.parametrize("argv,needle", [
    (["counterexample", "no-such-conjecture"], "NAME"),
    (["counterexample"], "NAME"),
    (["counterexample", "s-gf-attained-at-end", "--predicate", "a:b"], "NAME"),
    (["counterexample", "--predicate", "nomodule"], "--predicate"),
    (["counterexample", "--predicate", "no_such_module_xyz:f"], "--predicate"),
    (["counterexample", "s-gf-attained-at-end", "--examples", "0"], "--examples"),
])
def test_bad_input_exits_2(cli, argv, needle):
    res = cli(argv)
    assert res.code == 2
    assert len(res.err_lines) == 1 and needle in res.err_lines[0]
    assert "Traceback" not in res.err and res.out == ""


def test_an_exact_verdict_is_shown_once_and_details_read_as_text(cli):
    """min-sharpness-generalises-better is decided by exact theory: one 'exact' line, not the
    same fractions twice as 'at dd' and 'at qd' (the default pair). A GD conjecture shows both; no
    detail prints as a Python dict."""
    res = cli(["counterexample", "min-sharpness-generalises-better", "--examples", "20"])
    assert res.code == 1
    lines = [line.strip() for line in res.out.splitlines()]
    exact = [line for line in lines if line.startswith("exact")]
    assert len(exact) == 1 and "risk_min_sharpness = 7/3, risk_min_norm = 5/6" in exact[0]
    assert not any(line.startswith(("at float64", "at flint", "at dd", "at qd"))
                   for line in lines)
    gd = cli(["counterexample", "gd-limit-reachable-up-to-stability-limit", "--examples", "20"])
    lines = [line.strip() for line in gd.out.splitlines()]
    detail = [line for line in lines if line.startswith(("at dd: ", "at qd: "))]
    assert len(detail) == 2 and not any("{" in line or "'" in line for line in detail)
    first = next(line for line in lines if line.startswith("first found:"))
    assert first.startswith("first found: x=(") and "{" not in first


def test_a_narrow_window_near_eta_c_is_found_and_its_landmark_named(cli, monkeypatch):
    """The planted falsehood of tests/proofs_check/test_landmarks.py (false only within a
    relative 10^-4 of eta_c) with the command's defaults: refuted (exit 1). With the default
    domain's landmark draws switched off, the landmark phase finds it, and the instance is
    reported with the landmark it was found at, not as a shrunk one."""
    spec = "tests.proofs_check.test_landmarks:planted_near_eta_c"
    res = cli(["counterexample", "--predicate", spec])
    assert res.code == 1, res.err
    assert "outcome: refuted" in res.out and "edge=near-eta-c" in res.out
    import proofs_check.conjectures as C

    monkeypatch.setattr(C, "_one_sample_with_eta",
                        lambda: problems(d_max=6, with_eta=True, near_landmarks=False))
    res = cli(["counterexample", "--predicate", spec])
    assert res.code == 1, res.err
    assert "found at the landmark near-eta-c, relative offset" in res.out
    assert "first found:" not in res.out and "shrunk counterexample" not in res.out
