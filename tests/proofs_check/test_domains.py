"""Each check's domain written as conditions (proofs_check.domains) agrees with the strategy it
is searched on: every instance the strategy draws is admitted (the table is never narrower
than the search), and instances the claim's domain text excludes are refused, by hand."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from proofs_check import REGISTRY
from proofs_check.domains import DOMAINS, domain_of
from proofs_check.instances import Instance, Transformed, instance_from_key

CHECKS = [(cid, c.name) for cid, claim in REGISTRY.items() for c in claim.checks]


def test_every_registered_check_has_a_domain():
    """Checks that declare their domain (``Check.admits``) are not in the table."""
    own = [(cid, c.name) for cid, claim in REGISTRY.items() for c in claim.checks
           if c.admits is not None]
    assert sorted((cid, name) for cid, checks in DOMAINS.items() for name in checks) == sorted(
        set(CHECKS) - set(own))


@pytest.mark.parametrize("claim_id, name", CHECKS, ids=[f"{a}-{b}" for a, b in CHECKS])
def test_the_strategy_draws_only_admitted_instances(claim_id, name):
    from hypothesis import HealthCheck, given, seed, settings

    check = REGISTRY[claim_id].check(name)
    dom = domain_of(claim_id, check)
    refused = []

    @settings(max_examples=12, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @seed(0)
    @given(check.domain)
    def draw(drawn):
        assert isinstance(drawn, Transformed) == dom.transformed
        inst = drawn.instance if isinstance(drawn, Transformed) else drawn
        missing, bad = dom.missing(inst), dom.violated(inst)
        if missing or bad is not None:
            refused.append((inst.describe(), missing, bad and bad.text))

    draw()
    assert not refused, refused[:3]


def _i(x, y=1, alpha="1/100", **kw):
    key = {"x": [str(v) for v in x], "y": str(y), "alpha": str(alpha)}
    key.update({k: ([str(v) for v in val] if isinstance(val, list) else str(val))
                for k, val in kw.items()})
    return instance_from_key(key)


# (claim, check, instance, the condition it fails (a substring), or None: admitted)
TABLE = [
    ("R2", "exact", _i([1, "1/2"]), None),
    ("R2", "exact", _i([1, -1]), "x > 0"),
    ("R2", "exact", _i([1] * 9), "d = 2..8"),
    ("R2", "bounds", _i([1, "1/2"], beta_star=["1/2", 1]), None),
    ("R2", "bounds", _i([1, "1/2"], beta_star=[1, 1]), "beta_star on M"),
    ("R5", "least_norm_stable", _i([1, "1/2"], eta="1", beta_star=["1/2", 1]), None),
    # 1/(2 y x_min) = 1 < 11/10: R5's range, but no interpolator is stable there
    ("R5", "least_norm_stable", _i([1, "1/2"], eta="11/10", beta_star=["1/2", 1]),
     "some interpolator is stable"),
    ("R5", "exact", _i([1, "1/2"], eta="12/10", beta_star=["1/2", 1]), "1.1/(2 y x_min)"),
    ("R6", "numerics", _i([1, "1/2"], alpha="1/2"), None),
    ("R6", "numerics", _i([1, "1/2"], alpha="1"), "alpha <= 1/2"),
    ("R6", "flow", _i([1, "1/2"], alpha="1/4"), None),
    # r(0) = alpha^2 sum x - y = 3/32 - 1/20 > 0 (with y = 1: 3/32 - 1 <= 0, admitted above)
    ("R6", "flow", _i([1, "1/2"], y="1/20", alpha="1/4"), "r(0) <= 0"),
    # alpha = 1, y = 1/2: r_0 = 3/2 - 1/2 = 1, and 1 - 2 eta r_0 x_1 = 0 at eta = 1/2
    ("R7", "dead_factor", _i([1, "1/2"], y="1/2", alpha=1, eta="1/2"), None),
    ("R7", "dead_factor", _i([1, "1/2"], y="1/2", alpha=1, eta="1/3"), "exactly zero"),
    ("R7", "numerics", _i([1, "1/2"], y="1/2", alpha=1, eta="1/2"), "no first-step factor"),
    # R9: eta_c = 0.50125 on the default instance; r9_top = min(0.9, 1.5/2) = 0.75
    ("R9", "numerics", _i([1, "1/2"], eta="65/100"), None),
    ("R9", "numerics", _i([1, "1/2"], eta="4/10"), None),       # 0.4 <= 0.9 eta_c = 0.451
    ("R9", "numerics", _i([1, "1/2"], eta="48/100"), "eta <= 0.9 eta_c"),  # near eta_c
    ("R9", "numerics", _i([1, "1/2"], eta="8/10"), "r9_top"),   # above r9_top
    ("R9", "numerics", _i([1, "1/2"], alpha="1/50", eta="65/100"), "alpha in {"),
    ("R9", "numerics", _i([1, "1/4"], eta="65/100"), "x_min/x_max in [1/2, 9/10]"),
    ("R9", "numerics", _i([1, "1/2", "3/4"], eta="65/100"), "d = 2"),
    # the registry's own counterexample to a wider reading (R9's notes): outside
    ("R9", "numerics", _i([4, 2], y="1/2", alpha="1/20", eta="4309/10000"), "r9_top"),
    ("R9", "exact", _i([1, 1], eta="1/2"), "distinct"),
    ("R9", "u_shape", _i([1, "1/2"]), None),
    ("R9", "u_shape", _i([1, "9/10"]), "[1/2, 3/4]"),
]


@pytest.mark.parametrize("claim_id, name, inst, fails", TABLE)
def test_conditions_by_hand(claim_id, name, inst, fails):
    dom = domain_of(claim_id, REGISTRY[claim_id].check(name))
    assert dom.missing(inst) == []
    bad = dom.violated(inst)
    if fails is None:
        assert bad is None, bad.text
    else:
        assert bad is not None and fails in bad.text, (bad and bad.text)


def test_missing_fields_are_needed_not_violations():
    dom = domain_of("R5", REGISTRY["R5"].check("exact"))
    inst = _i([1, "1/2"])
    assert dom.missing(inst) == ["eta", "beta_star"]
    assert dom.violated(inst) is None  # conditions on absent fields are not evaluated


def test_general_networks_points():
    X = ((F(1), F(2)), (F(0), F(1)))
    theta = ((F(1), F(1)), (F(1), F(-1)))  # beta = u v = (1, -1): y = X beta = (-1, -1)
    on = Instance(X, (F(-1), F(-1)), F(1), param="product", theta=theta)
    off = on.replace(y=(F(0), F(-1)))
    dom = domain_of("E1", REGISTRY["E1"].check("numerics"))
    assert dom.violated(on) is None
    assert "zero loss" in dom.violated(off).text
    assert "product or difference" in dom.violated(on.replace(param="shared", theta=(
        (F(1), F(1)),))).text
