"""One claim on one instance (proofs_check.verify.verify_instance): every check runs on it or
says why not; outcomes are re-derived here by hand where they are numbers."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from proofs_check import Check, Claim, register, unregister
from proofs_check import strategies as S
from proofs_check.decide import exact_equal
from proofs_check.domains import Domain
from proofs_check.verify import verify_instance
from theory.errors import DomainError

DEFAULT = {"x": ["1", "1/2"], "y": "1", "alpha": "1/100"}


def test_r2_on_the_default_instance():
    r = verify_instance("R2", DEFAULT)
    status = {c.name: c.status for c in r.checks}
    assert status == {"exact": "pass", "bounds": "not run", "numerics": "pass",
                      "metamorphic": "pass"}
    assert r.verdict == "held" and r.exit_code == 0
    bounds = r.checks[1]
    assert bounds.needs == ["beta_star"] and "needs beta_star" in bounds.reason
    meta = r.checks[3]
    assert meta.transforms == ["c = 2, reversed permutation", "c = 1/3, identity permutation"]
    assert r.checks[0].evidence["exact"] and not r.checks[2].evidence["exact"]


def test_with_a_point_of_M_every_check_runs():
    r = verify_instance("R2", {**DEFAULT, "beta_star": ["1/2", "1"]})  # 1/2 + 1/2 = 1: on M
    assert [c.status for c in r.checks] == ["pass"] * 4


def test_r5_says_what_each_check_needs():
    r = verify_instance("R5", DEFAULT)
    assert r.verdict == "not checked" and r.exit_code == 0
    assert {c.name: c.needs for c in r.checks} == {
        "exact": ["eta", "beta_star"], "least_norm_stable": ["eta", "beta_star"],
        "numerics": ["eta", "beta_star"], "metamorphic": ["eta"]}


def test_r9_outside_its_domain_is_not_run_and_says_so():
    """The registry's own counterexample to a wider reading of R9 (its notes): x = (4, 2),
    y = 1/2, alpha = 1/20, eta = 0.4309, where 2 eta y x_max = 1.72 > 1.5 (beyond r9_top)."""
    inst = {"x": ["4", "2"], "y": "1/2", "alpha": "1/20", "eta": "4309/10000"}
    r = verify_instance("R9", inst, checks=["numerics"])
    (c,) = r.checks
    assert c.status == "not run" and "r9_top" in c.outside
    assert c.reason.startswith("outside the claim's domain: d = 2, x_min/x_max in [1/2, 9/10]")
    forced = verify_instance("R9", inst, checks=["numerics"], force=True)
    (c,) = forced.checks
    # GD stops far below 2/eta there: eta S / 2 = 0.888 in the notes (the band is [0.95, 1])
    assert c.status == "fail" and c.outside and 0.85 < c.detail["eta_S_over_2"] < 0.92
    assert forced.verdict == "failed outside the domain" and forced.exit_code == 0


def test_r9_inside_its_domain_at_the_edge_of_stability():
    """eta = 0.65 on the default instance: eta_c = 0.50125 < eta <= r9_top = 0.75; GD lands
    just below S = 2/eta (README: the final sharpness 3.0233 at eta = 0.65, 2/eta = 3.0769)."""
    r = verify_instance("R9", {**DEFAULT, "eta": "13/20"}, checks=["exact", "numerics"])
    assert [c.status for c in r.checks] == ["pass", "pass"]
    ratio = r.checks[1].detail["eta_S_over_2"]
    assert abs(ratio - 0.65 * 3.023258339 / 2) < 1e-8


def check_wrong(inst):
    """Planted: M has d - 1 vertices (wrong; it has d)."""
    return exact_equal("vertices", len(inst.x) - 1, len(inst.x))


@pytest.fixture
def planted():
    admits = Domain((), ())
    register(Claim("PLANTED_I", "A wrong statement.", "[planted]", "identity", (check_wrong,),
                   ("none",), "one-sample problems",
                   (Check("planted", check_wrong, S.problems(d_max=3), "exact",
                          admits=admits),
                    Check("undeclared", check_wrong, S.problems(d_max=3), "exact"))))
    yield "PLANTED_I"
    unregister("PLANTED_I")


def test_a_wrong_claim_is_refuted_on_any_instance(planted):
    r = verify_instance(planted, DEFAULT)
    planted_check, undeclared = r.checks
    assert planted_check.status == "fail" and planted_check.detail["got"] == ["1"]
    assert undeclared.status == "not run" and "not declared" in undeclared.reason
    assert r.verdict == "refuted" and r.exit_code == 1


def test_json_and_repr():
    r = verify_instance("R3", DEFAULT, checks=["exact"])
    js = r.to_json()
    assert set(js) >= {"claim", "domain", "instance", "verdict", "checks", "summary"}
    assert js["instance"] == DEFAULT and js["checks"][0]["evidence"]["text"] == "exact"
    assert len(repr(r)) < 300 and "R3" in repr(r)


@pytest.mark.parametrize("args, argument", [
    (("R99", DEFAULT), "claim_id"),
    (("R2", DEFAULT, ), None),
    (("R2", "x=1"), "instance"),
])
def test_bad_arguments(args, argument):
    if argument is None:
        with pytest.raises(DomainError) as info:
            verify_instance(*args, checks=["nope"])
        assert info.value.argument == "checks"
        return
    with pytest.raises(DomainError) as info:
        verify_instance(*args)
    assert info.value.argument == argument


def test_from_problem():
    from numerics import Problem
    from proofs_check.instances import Instance

    p = Problem([1, "1/2"], 1, "1/100", beta_star=["1/2", 1])
    inst = Instance.from_problem(p, eta="13/20", theta=[1, -1])
    assert inst.key() == {"x": ["1", "1/2"], "y": "1", "alpha": "1/100", "eta": "13/20",
                          "beta_star": ["1/2", "1"], "theta": [["1", "-1"]]}
    with pytest.raises(DomainError, match="theta"):
        Instance.from_problem(p, theta=[1, 2, 3])
    with pytest.raises(DomainError, match="eta"):
        Instance.from_problem(p, eta=0)
    assert Instance.from_problem(p).eta is None and isinstance(Instance.from_problem(p).y, F)
