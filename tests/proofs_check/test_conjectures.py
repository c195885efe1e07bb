"""Built-in conjectures give stable, documented outcomes; counterexamples are re-checked here by
independent routes (exact arithmetic, hand-computed spectra)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp

import theory as T
from numerics.precision import DEFAULT_PAIR
from proofs_check import instance_from_key
from proofs_check.conjectures import (
    CONJECTURES,
    Case,
    Conjecture,
    load_predicate,
    search_conjecture,
)
from proofs_check.strategies import problems

SEED = 0


#: the labels of the confirmation's two precisions (the package's default pair)
LOW, HIGH = (p.label for p in DEFAULT_PAIR)


@pytest.fixture(scope="module")
def results():
    return {name: search_conjecture(c, examples=30, seed=SEED) for name, c in
            CONJECTURES.items()}


#: the documented outcomes at 30 examples and seed 0, written out here (not read from
#: ``CONJECTURES[name].expected``, which is the code under test)
EXPECTED = {
    "predictor-unchanged-above-eta-c": "refuted",
    "min-sharpness-generalises-better": "refuted",
    "final-sharpness-below-2-over-eta": "not refuted",
    "s-gf-attained-at-end": "refuted",
    "gd-limit-reachable-up-to-stability-limit": "refuted",
}


def test_the_five_builtin_conjectures_are_the_documented_ones():
    assert sorted(CONJECTURES) == sorted(EXPECTED)
    for name, outcome in EXPECTED.items():
        assert CONJECTURES[name].expected == outcome


@pytest.mark.parametrize("name", list(EXPECTED))
def test_outcome_is_the_documented_one(results, name):
    res = results[name]
    assert res.outcome == EXPECTED[name], res.to_json()
    assert not res.truncated
    if res.outcome == "refuted":
        cx = res.counterexample
        assert set(cx) >= {"instance", "description", "detail", "shrunk_from", "reproduce"}
        # confirmed at both precisions, or exact (evaluated once): the theory-only conjecture
        if name == "min-sharpness-generalises-better":
            assert set(cx["detail"]) == {"exact"}
        else:
            assert set(cx["detail"]) >= {LOW, HIGH}


def _eta_c_and_flow_limit(x, y, alpha):
    """Independent of theory and of proofs_check: the root ``lam`` of
    ``sum_i x_i alpha^2 exp(lam x_i) = y`` by ``mpmath.findroot`` (on the logarithm of both
    sides, the same equation, well scaled), ``beta^GF_i = alpha^2 exp(lam x_i)``,
    ``eta_c = 2 / (4 sum_i x_i^2 beta^GF_i)``; a private context at 40 digits."""
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = 40
    q = lambda v: ctx.mpf(F(v).numerator) / F(v).denominator  # noqa: E731
    xs, a2, yy = [q(v) for v in x], q(alpha) ** 2, q(y)
    lam = ctx.findroot(lambda t: ctx.log(ctx.fsum(xi * a2 * ctx.exp(t * xi) for xi in xs))
                       - ctx.log(yy), ctx.log(yy / (a2 * sum(xs))) / max(xs))
    assert abs(ctx.fsum(xi * a2 * ctx.exp(lam * xi) for xi in xs) - yy) < ctx.mpf(10) ** -30
    beta = [a2 * ctx.exp(lam * xi) for xi in xs]
    eta_c = 2 / (4 * ctx.fsum(xi**2 * b for xi, b in zip(xs, beta, strict=True)))
    return F(str(eta_c)), [float(b) for b in beta]


def _plain_gd(x, y, alpha, eta, steps=200000):
    """Gradient descent on ``1/2 (<x, w*w> - y)^2`` from ``w = alpha 1``, a plain numpy loop
    (gradient ``2 r x w``): the limit ``beta = w*w``, or None if it does not settle."""
    import numpy as np

    xs = np.array([float(v) for v in x])
    w = np.full(len(xs), float(alpha))
    e, yy = float(eta), float(y)
    quiet = 0
    for _ in range(steps):
        r = float(xs @ (w * w)) - yy
        w = w - e * 2 * r * xs * w
        quiet = quiet + 1 if abs(r) < 1e-13 else 0
        if quiet >= 50:
            return w * w
    return None


def test_predictor_unchanged_counterexample_is_real(results):
    """Found by the search (not hard-coded), and re-checked here without theory or the
    conjecture's code: eta is above eta_c (mpmath.findroot on the flow's equation), GD (a
    plain numpy loop) converges far from beta^GF, at the edge of stability instead."""
    cx = results["predictor-unchanged-above-eta-c"].counterexample
    inst = instance_from_key(cx["instance"])
    x, y, alpha, eta = inst.x, inst.y, inst.alpha, inst.eta
    eta_c, beta_gf = _eta_c_and_flow_limit(x, y, alpha)
    assert eta_c < eta < F(1) / (2 * y * min(x))  # a stable interpolator exists
    beta = _plain_gd(x, y, alpha, eta)
    assert beta is not None, "GD did not converge"
    dist = max(abs(a - b) for a, b in zip(beta, beta_gf, strict=True))
    assert dist > 0.1 * max(beta_gf)  # "unchanged" means within 10%: far from it
    S = 4 * sum(float(xi) ** 2 * b for xi, b in zip(x, beta, strict=True))
    assert 0.9 < float(eta) * S / 2 <= 1  # GD stops just below 2/eta (R9)
    # the search reported the same run
    reported = cx["detail"][LOW]["beta_GD"]
    assert max(abs(a - b) for a, b in zip(beta, reported, strict=True)) < 1e-6
    # the shrunk instance is simple
    assert len(x) == 2 and eta.denominator <= 40


def test_predictor_counterexamples_exist_for_other_seeds():
    res = search_conjecture(CONJECTURES["predictor-unchanged-above-eta-c"], examples=15,
                            seed=5)
    assert res.outcome == "refuted"


def test_min_sharpness_counterexample_by_hand(results):
    """Uniform prior: risk(vertex face) = sum mu^2 + (y/x)^2 (1/k - 2/d) + tr Cov, with k the
    size of the face; d = 2 gives equal risks, so the minimal counterexample has d = 3."""
    cx = results["min-sharpness-generalises-better"].counterexample
    inst = instance_from_key(cx["instance"])
    x, y, d = inst.x, inst.y, len(inst.x)
    assert d == 3

    def excess(value):
        k = x.count(value)
        return (y / value) ** 2 * (F(1, k) - F(2, d))

    assert excess(min(x)) > excess(max(x))
    assert F(cx["detail"]["exact"]["risk_min_sharpness"]) - F(
        cx["detail"]["exact"]["risk_min_norm"]) == excess(min(x)) - excess(max(x))


def test_s_gf_counterexample_by_hand(results):
    """The flow starts sharper than it ends: S(0) from the exact Hessian at w = alpha 1."""
    cx = results["s-gf-attained-at-end"].counterexample
    inst = instance_from_key(cx["instance"])
    x, y, a = inst.x, inst.y, inst.alpha
    w = [a] * len(x)
    S0 = max(abs(e) for e in sp.Matrix(T.hessian(x, y, w)).eigenvals())
    s_end = T.gradient_flow_limit(x, y, a).sharpness
    assert sp.N(S0 - s_end, 30) > 0
    assert cx["detail"][HIGH]["at_end"] is False
    assert abs(cx["detail"][HIGH]["s_gf"] - float(S0)) < 1e-9 * float(S0)


def test_gd_reachable_counterexample_diverges_in_exact_arithmetic(results):
    """Exact GD (Fractions) from alpha 1 at the shrunk eta: the residual explodes."""
    cx = results["gd-limit-reachable-up-to-stability-limit"].counterexample
    inst = instance_from_key(cx["instance"])
    x, y, a, eta = inst.x, inst.y, inst.alpha, inst.eta
    assert eta < F(1) / (2 * y * min(x))  # strictly inside: beta^S is stable
    w = [a] * len(x)
    k = cx["detail"][HIGH]["diverged_at"]
    for _ in range(k):
        r = sum(xi * wi * wi for xi, wi in zip(x, w, strict=True)) - y
        w = [wi * (1 - 2 * eta * r * xi) for xi, wi in zip(x, w, strict=True)]
    r = sum(xi * wi * wi for xi, wi in zip(x, w, strict=True)) - y
    assert abs(r) > 10**8


def test_final_sharpness_search_decides_most_of_what_it_can(results):
    res = results["final-sharpness-below-2-over-eta"]
    assert res.counterexample is None and res.examples >= 25
    assert res.examples - res.undecided >= 5  # converged runs were checked


def test_outcomes_are_deterministic_under_a_seed(results):
    again = search_conjecture(CONJECTURES["gd-limit-reachable-up-to-stability-limit"],
                              examples=30, seed=SEED)
    first = results["gd-limit-reachable-up-to-stability-limit"]
    assert again.counterexample["instance"] == first.counterexample["instance"]
    assert again.examples == first.examples


# ------------------------------------------------------------------- user predicates
def norm_at_most_one(case):
    """||beta^N||_1 <= 1 (false: y / x_max can exceed 1)."""
    return case.y / max(case.x) <= 1


norm_at_most_one.strategy = problems(d_max=3)


def gd_loss_small(case):
    """GD converges within 2000 steps (false at large eta)."""
    run = case.gd(2000)
    if run.status == "not_converged":
        return None, {"reason": "budget"}
    return run.status == "converged", {"status": run.status}


def test_user_predicate_is_searched_and_shrunk():
    conj = load_predicate(f"{__name__}:norm_at_most_one")
    res = search_conjecture(conj, examples=20, seed=0)
    assert res.outcome == "refuted"
    assert res.counterexample["instance"]["x"] == ["1", "1"]
    assert res.counterexample["instance"]["y"] == "2"


def test_user_predicate_over_a_gd_result_uses_both_precisions():
    conj = Conjecture("gd-converges", "GD converges", gd_loss_small,
                      problems(d_max=3, with_eta=True))
    res = search_conjecture(conj, examples=20, seed=0)
    assert res.outcome == "refuted"
    assert res.counterexample["detail"][HIGH]["status"] == "diverged"


def test_case_api():
    inst = instance_from_key({"x": ["1", "1/2"], "y": "1", "alpha": "1/100", "eta": "3/5"})
    case = Case(inst)
    assert case.precision == "float64" and case.dps == 15
    run = case.gd(5000)
    assert run is case.gd(5000)  # cached
    assert run.status == "converged"
    assert Case(inst, ("flint", 32)).dps == 32


def test_bad_predicate_specs():
    from theory.errors import DomainError

    for spec in ("no_colon", "no.such.module:f", f"{__name__}:missing"):
        with pytest.raises(DomainError):
            load_predicate(spec)


def false_only_in_float64(case):
    """A 'counterexample' that the second precision does not reproduce."""
    return case.precision != "float64", {"precision": case.precision}


def test_a_float64_artefact_is_never_a_counterexample():
    """False at float64 only: both precisions of the audit say True, so the candidate is not
    confirmed, and (both agreeing) it counts as passed: the conjecture is not refuted."""
    conj = Conjecture("float64-artefact", "holds at every precision but float64",
                      false_only_in_float64, problems(d_max=2))
    res = search_conjecture(conj, examples=5, seed=0)
    assert res.outcome == "not refuted" and res.counterexample is None
    assert any("not confirmed: True at both" in r for r in res.reasons)
    assert res.exit_code == 0


def undecided_below_flint(case):
    """A 'counterexample' that only python-flint's pair reproduces: None at float64, dd and qd
    (as if their digits could not decide), False at flint:60 and flint:120."""
    return (False if case.precision.startswith("flint") else None), {}


def test_an_undecided_candidate_is_retried_at_a_higher_precision():
    """Undecided at float64 and at dd in the search, undecided at the default pair: the
    retries reach flint:60 against flint:120, which decide (by construction)."""
    from proofs_check.conjecture_search import _confirm, _judge

    inst = instance_from_key({"x": ["1", "1/2"], "y": "1", "alpha": "1/100", "eta": "3/5"})
    conj = Conjecture("flint-only", "decided at flint only", undecided_below_flint,
                      problems(d_max=2))
    out = _judge(conj)(inst)
    assert out.status == "undecided" and "(at float64 and dd)" in out.detail["reason"]
    out = _confirm(conj, inst, None)
    assert out.status == "fail" and set(out.detail) >= {"flint:60", "flint:120"}
    assert out.detail["retried after"][0].startswith("at dd/qd: None at dd, None at qd")


def undecided_by_the_budget(case):
    """None whenever GD has not converged in 5 steps (it never has: the budget decides)."""
    run = case.gd(5)
    return (None if run.status == "not_converged" else True), {"status": run.status}


def test_a_candidate_left_open_by_the_step_budget_is_not_retried_at_flint():
    """dd and qd agree that GD did not converge in 5 steps: a higher precision would run the
    same 5 steps slower, so the ladder stops at the default pair and says why."""
    from proofs_check.conjecture_search import _confirm

    inst = instance_from_key({"x": ["1", "1/2"], "y": "1", "alpha": "1/100", "eta": "3/5"})
    conj = Conjecture("budget", "decided by the budget", undecided_by_the_budget,
                      problems(d_max=2))
    out = _confirm(conj, inst, None)
    assert out.status == "undecided" and "step budget" in out.detail["reason"]
    assert set(out.detail) >= {LOW, HIGH} and not any("flint" in k for k in out.detail)


def artefact_first_then_real(case):
    """A float64 artefact at the simplest instances (x = (1, 1), y = 1: false at float64
    only), and a real counterexample (false at every precision) wherever y >= 3."""
    if case.x == (1, 1) and case.y == 1:
        return case.precision != "float64", {"y": str(case.y)}
    return case.y < 3, {"y": str(case.y)}


def test_search_goes_on_after_an_unconfirmed_candidate():
    """The search meets the artefact first. It used to stop there (undecided); it now finds
    that both precisions of the audit reject it (passed), searches on, and reports a
    counterexample confirmed at both precisions."""
    conj = Conjecture("artefact-then-real", "y < 3, with a float64 artefact at y = 1",
                      artefact_first_then_real, problems(d_max=2))
    res = search_conjecture(conj, examples=20, seed=0)
    assert res.outcome == "refuted", res.to_json()
    assert F(res.counterexample["instance"]["y"]) >= 3
    # there the predicate reads no precision: one exact evaluation decides
    assert res.counterexample["detail"]["exact"]["y"] == res.counterexample["instance"]["y"]
    assert any("not confirmed" in r for r in res.reasons)


def test_above_eta_c_strategy_never_draws_a_rate_below_eta_c():
    """It used to return eta = 0.9/(2 y x_min) when that is below eta_c (7 of 300 draws)."""
    from hypothesis import HealthCheck, given, seed, settings

    from proofs_check.builtin_conjectures import _above_eta_c

    bad = []

    @settings(max_examples=200, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @seed(0)
    @given(_above_eta_c())
    def draw(inst):
        eta_c, _ = _eta_c_and_flow_limit(inst.x, inst.y, inst.alpha)
        if not eta_c < inst.eta:
            bad.append(inst.describe())

    draw()
    assert not bad, bad[:3]


# ------------------------------------------------ exact verdicts, failing predicates, loading
def _counting(verdict_of_case, uses_precision: bool):
    calls = []

    def predicate(case):
        calls.append(case.precision if uses_precision else "?")
        return verdict_of_case(case)

    predicate.calls = calls
    return predicate


def test_a_precision_free_predicate_is_evaluated_once_and_called_exact():
    """It reads neither gd() nor the precision: evaluating it at HIGH would repeat the
    same computation. The counterexample says "exact" once; confirmation costs one call."""
    from proofs_check.conjecture_search import _confirm

    inst = instance_from_key({"x": ["1", "1"], "y": "2", "alpha": "1"})
    free = _counting(lambda case: case.y <= 1, uses_precision=False)
    out = _confirm(Conjecture("free", "y <= 1", free, problems(d_max=2)), inst, None)
    assert out.status == "fail" and set(out.detail) == {"exact"} and len(free.calls) == 1
    bound = _counting(lambda case: case.y <= 1, uses_precision=True)
    out = _confirm(Conjecture("bound", "y <= 1", bound, problems(d_max=2)), inst, None)
    assert out.status == "fail" and set(out.detail) == {LOW, HIGH}
    assert bound.calls == [LOW, HIGH]


def test_a_gd_predicate_is_confirmed_at_both_precisions(results):
    """Reading case.gd() makes the verdict precision-dependent."""
    cx = results["gd-limit-reachable-up-to-stability-limit"].counterexample
    assert "exact" not in cx["detail"] and {LOW, HIGH} <= set(cx["detail"])


def raises_on_large_labels(case):
    if case.y > 2:
        raise RuntimeError("labels above 2 are not handled")
    return True


def returns_a_number(case):
    return 0.5


def undecidable_relational(case):
    return sp.Symbol("t") <= case.y


def numpy_and_sympy_booleans(case):
    import numpy as np

    return (np.bool_(case.y <= 1), {}) if case.y != 1 else sp.true


@pytest.mark.parametrize("predicate, needle", [
    (raises_on_large_labels, "it raised RuntimeError: labels above 2 are not handled ("
                             "test_conjectures.py, line"),
    (returns_a_number, "returned 0.5 (float), not a verdict"),
    (undecidable_relational, "returned t <= "),
])
def test_a_failing_predicate_is_a_predicate_error_naming_the_instance(predicate, needle):
    from proofs_check.conjectures import PredicateError

    conj = Conjecture("mine", "a user's conjecture", predicate, problems(d_max=3))
    with pytest.raises(PredicateError) as info:
        search_conjecture(conj, examples=30, seed=0)
    err = info.value
    assert err.argument == "predicate" and err.value == "mine"
    assert needle in str(err), str(err)
    assert err.precision == "float64"
    assert f"on the instance {err.instance.describe()} (at float64)" in str(err)
    if predicate is raises_on_large_labels:  # independently: it does raise there
        assert err.instance.y > 2
        with pytest.raises(RuntimeError):
            predicate(Case(err.instance))


def test_numpy_and_sympy_booleans_are_verdicts():
    conj = Conjecture("booleans", "y <= 1", numpy_and_sympy_booleans, problems(d_max=2))
    res = search_conjecture(conj, examples=20, seed=0)
    assert res.outcome == "refuted" and F(res.counterexample["instance"]["y"]) > 1


def test_a_raising_builtin_is_a_bug_not_bad_input():
    """A built-in conjecture that raises is an internal error: the exception propagates."""
    conj = CONJECTURES["min-sharpness-generalises-better"]

    def broken(case):
        raise KeyError("planted")

    object.__setattr__(conj, "predicate", broken)  # a frozen dataclass
    try:
        with pytest.raises(KeyError, match="planted"):
            search_conjecture(conj, examples=5, seed=0)
    finally:
        from proofs_check import builtin_conjectures as B

        object.__setattr__(conj, "predicate", B.min_sharpness_better)


def test_a_strategy_that_is_not_one_is_named():
    from theory.errors import DomainError

    def fn(case):
        return True

    with pytest.raises(DomainError, match="'strategy' is a hypothesis strategy"):
        search_conjecture(Conjecture("mine", "", fn, [1, 2]), examples=2)


MODULE_TEXT = '''
def small_label(case):
    """y <= 1."""
    return case.y <= 1
'''


def test_load_predicate_from_a_file_and_from_the_current_directory(tmp_path, monkeypatch):
    import sys

    (tmp_path / "mine_for_load_test.py").write_text(MODULE_TEXT)
    by_path = load_predicate(f"{tmp_path / 'mine_for_load_test.py'}:small_label")
    assert by_path.statement == "y <= 1." and by_path.predicate.__name__ == "small_label"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path
                                      if p not in ("", ".", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "mine_for_load_test", raising=False)
    by_name = load_predicate("mine_for_load_test:small_label")
    assert by_name.predicate(Case(instance_from_key(
        {"x": ["1", "1"], "y": "2", "alpha": "1"}))) is False
    sys.modules.pop("mine_for_load_test", None)


@pytest.mark.parametrize("spec, needle", [
    ("no_colon", "the form FILE.py:function or module:function"),
    ("no.such.module:f", "no module named 'no'"),
    (f"{__name__}:missing", "a function named 'missing'"),
    (f"{__name__}:SEED", "a callable: SEED"),
    ("/no/such/file.py:f", "an existing Python file"),
])
def test_bad_specs_name_the_problem(spec, needle):
    from theory.errors import DomainError

    with pytest.raises(DomainError) as info:
        load_predicate(spec)
    assert info.value.argument == "predicate" and needle in str(info.value)


# ------------------------------------------------------------------------------ README
def _readme_outcomes() -> dict:
    """The README's sentence on the built-in conjectures: name -> (outcome, quoted instance
    as a dict of exact texts, or None), and the seed and examples it quotes."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = text.index("Built-in conjectures and the counterexamples")
    para = " ".join(text[start:text.index("\n\n", start)].split())
    settings = re.search(r"\(seed (\d+), (\d+) examples\)", para)
    found = {}
    for name, outcome, inst in re.findall(
            r"`([a-z0-9-]+)` (refuted|not refuted)(?: at `([^`]*)`)?", para):
        fields = dict(re.findall(r"(\w+) = (\([^)]*\)|[^,]+)", inst)) if inst else None
        found[name] = (outcome, fields)
    return found, int(settings.group(1)), int(settings.group(2))


def test_the_readme_quotes_what_the_command_prints(results):
    """Every built-in conjecture's outcome, and the instance the README quotes, are those of
    the search the command runs (its defaults: seed 0, 30 examples, as the README says)."""
    from normsharp.cli import build_parser

    quoted, seed, examples = _readme_outcomes()
    args = build_parser("counterexample").parse_args(["counterexample", "s-gf-attained-at-end"])
    assert (args.seed, args.examples) == (seed, examples) == (SEED, 30)  # the fixture's too
    assert sorted(quoted) == sorted(CONJECTURES)
    for name, (outcome, fields) in quoted.items():
        res = results[name]
        assert res.outcome == outcome, name
        if outcome == "refuted":
            assert fields is not None, f"the README quotes no instance for {name}"
            key = res.counterexample["instance"]
            printed = {"x": "(" + ", ".join(key["x"]) + ")", "y": key["y"],
                       "alpha": key["alpha"], **({"eta": key["eta"]} if "eta" in key else {})}
            assert {k: v.strip() for k, v in fields.items()} == {
                k: v for k, v in printed.items() if k in fields or k != "alpha"}, name
