"""Single checks on chosen instances: each relation a check tests must be able to fail, and a
check must not pass where it decided nothing."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from proofs_check import references
from proofs_check.checks import edge_of_stability as R9
from proofs_check.checks import gd_identity as R7
from proofs_check.checks import generalisation as R8
from proofs_check.strategies import Instance


def _one(x, y, alpha, eta=None):
    return Instance((tuple(F(v) for v in x),), F(y), F(alpha), None if eta is None else F(eta))


# ------------------------------------------------------------------------ R7 metamorphic
def test_r7_metamorphic_is_undecided_when_the_run_blows_up_at_once():
    """eta = 1000 at x = (1, 1), y = 1, alpha = 1: |r_1| ~ 8e6. Both runs blowing up used to
    count as a pass (a vacuous one); nothing finite is left to compare."""
    out = R7.check_R7_metamorphic(_one((1, 1), 1, 1, 1000))
    assert out.status == "undecided" and "nothing finite" in out.detail["reason"]


def test_r7_metamorphic_compares_the_run_up_to_its_last_finite_step():
    """eta = 6/5: r = 1, 2.92, 140, then ~1.6e7: the runs are compared at step 2."""
    inst = _one((1, 1), 1, 1, F(6, 5))
    assert len(R7._engine_float64(inst.problem(), inst.eta)) == 3
    out = R7.check_R7_metamorphic(inst)
    assert out.status == "pass" and out.rules == {"exact_equal"}


@pytest.mark.parametrize("eta", [F(1, 2), F(6, 5)])
def test_r7_metamorphic_relation_fails_when_the_added_coordinate_is_not_zero(eta):
    """The relation is not true by construction: a coordinate started at alpha/10 instead of
    0 changes the residuals, so both the engine's and the exact trajectories move."""
    inst = _one((1, F(1, 2)), 1, F(1, 10), eta)
    outs = R7._zero_coordinate_outcomes(inst, w_extra=F(1, 100))
    assert [o.status for o in outs] == ["pass", "fail", "fail"]  # step counts agree
    assert all(o.status == "pass" for o in R7._zero_coordinate_outcomes(inst))


# ------------------------------------------------------------------------------ R9
@pytest.mark.parametrize("values,shape", [
    ([3, 2, 1, 2], "U"), ([3, 1, 1, 2], "U"), ([1, 2, 3], "monotone"), ([3, 2, 1], "monotone"),
    ([1, 2, 1], "other"), ([3, 1, 2, 1], "other"), ([1, 2, 1, 2], "other"),
])
def test_u_shape_decision(values, shape):
    assert R9.u_shape(values)[0] == shape


def test_monotone_error_curve_is_undecided_not_a_u():
    """x_min/x_max = 8/9: eta* = 2/S(mu) is beyond the range, the error only grows: this used
    to pass as 'unimodal'."""
    out = R9.check_R9_u_shape(_one((1, F(8, 9)), 1, F(1, 100)))
    assert out.status == "undecided" and out.detail["shape"] == "monotone"


def test_u_shaped_error_curve_passes():
    out = R9.check_R9_u_shape(_one((1, F(1, 2)), 1, F(1, 100)))
    assert out.status == "pass" and out.detail["shape"] == "U"
    errors = out.detail["errors"]
    i = errors.index(min(errors))
    assert 0 < i < len(errors) - 1


def test_eos_band_is_tight_enough_to_reject_a_limit_ten_percent_flat():
    """At x = (1, 1/2), y = 1, alpha = 1/1000, eta = 0.846 (beyond the catapult guard) GD
    converges at eta S / 2 = 0.915, both precisions agreeing: inside the old band [0.9, 1],
    outside [1 - EOS_BAND, 1]."""
    assert references.EOS_BAND == F(1, 20)
    out = R9.check_R9_numerics(_one((1, F(1, 2)), 1, F(1, 1000), F(423, 500)))
    assert out.status == "fail" and 0.9 < out.detail["eta_S_over_2"] < 0.95


def test_r9_top_is_the_catapult_guard_or_the_chaos_guard():
    x, y = (F(1), F(1, 2)), F(1)
    assert references.r9_top(x, y) == F(3, 2) / (2 * y * 1)  # 0.75 / (2 y x_min)
    assert references.r9_top((F(1), F(4, 5)), y) == F(9, 10) / (2 * y * F(4, 5))


# ------------------------------------------------------------------------------ R8
def test_r8_numerics_sees_gd_beat_both_biases():
    out = R8.check_R8_numerics(_one((3, 2), 1, F(1, 100)))
    assert out.status == "pass" and out.rules == {"two_precision_at_least"}
    assert out.detail["error_GD"] < out.detail["gap_min_norm"] / 100
