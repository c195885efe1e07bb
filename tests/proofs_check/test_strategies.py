"""The public strategies reach the edges they promise, and their data are what they claim.

Edges are located with ``hypothesis.find`` (which fails if no example satisfies the condition);
properties are checked with independent exact arithmetic.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from proofs_check import strategies as S

FIND = settings(max_examples=2000, database=None, derandomize=True)


def test_features_reach_d_from_2_to_8_and_ties():
    assert len(find(S.features(), lambda x: len(x) == 8, settings=FIND)) == 8
    assert len(find(S.features(), lambda x: len(x) == 2, settings=FIND)) == 2
    tied = find(S.features(d_min=3), lambda x: len(set(x)) < len(x), settings=FIND)
    assert len(set(tied)) < len(tied)


@settings(max_examples=40, database=None, derandomize=True)
@given(S.features(distinct=True))
def test_distinct_features_have_no_ties(x):
    assert len(set(x)) == len(x) and all(v > 0 for v in x)


def test_alphas_reach_tiny_and_large_edges():
    assert find(S.alphas(), lambda a: a <= Fraction(1, 10**12), settings=FIND) == \
        Fraction(1, 10**12)
    assert find(S.alphas(), lambda a: a >= 10, settings=FIND) == 10
    assert find(S.problems(), lambda i: i.edge == "tiny-alpha", settings=FIND).alpha in \
        S.TINY_ALPHAS


def test_learning_rate_exactly_at_a_threshold():
    inst = find(S.problems(with_eta=True), lambda i: i.edge == "threshold", settings=FIND)
    x, y = inst.x, inst.y
    assert inst.eta in (1 / (2 * y * max(x)), 1 / (2 * y * min(x)))  # exact equality


def test_dead_factor_is_exactly_zero():
    inst = find(S.dead_factor_problems(), lambda i: i.d >= 3, settings=FIND)
    r0 = inst.alpha ** 2 * sum(inst.x) - inst.y
    assert r0 > 0
    assert any(1 - 2 * inst.eta * r0 * xi == 0 for xi in inst.x)
    # and the learning-rate strategy reaches it as well when alpha is large enough
    lr = find(S.problems(with_eta=True), lambda i: i.edge == "dead-factor", settings=FIND)
    r0 = lr.alpha ** 2 * sum(lr.x) - lr.y
    assert any(1 - 2 * lr.eta * r0 * xi == 0 for xi in lr.x)


@settings(max_examples=40, database=None, derandomize=True)
@given(S.problems(with_beta_star=True))
def test_ground_truth_lies_exactly_on_the_zero_loss_set(inst):
    b = inst.beta_star
    assert all(v >= 0 for v in b)
    assert sum(xi * bi for xi, bi in zip(inst.x, b, strict=True)) == inst.y


@settings(max_examples=20, database=None, derandomize=True)
@given(S.parameter_points(param="product", n_max=3, zero_loss=True))
def test_zero_loss_points_interpolate_exactly(inst):
    u, v = inst.theta
    beta = [a * b for a, b in zip(u, v, strict=True)]
    for row, yi in zip(inst.X, inst.ys, strict=True):
        assert sum(a * b for a, b in zip(row, beta, strict=True)) == yi


@settings(max_examples=20, database=None, derandomize=True)
@given(S.problems(exact=False, d_max=3))
def test_float_mode_draws_binary_floats(inst):
    for v in inst.x + (inst.y,):
        assert Fraction(float(v)) == v  # exactly representable: the Fraction of a float


def test_instance_round_trips_through_its_key():
    from proofs_check import instance_from_key

    inst = S.Instance((tuple(map(Fraction, (1, "1/2"))),), Fraction(1), Fraction(1, 100),
                      Fraction(3, 5), (Fraction(1, 2), Fraction(1)), edge="ties")
    assert instance_from_key(inst.key()) == inst
    t = S.Transformed(inst, Fraction(2), (1, 0))
    assert instance_from_key(t.key()) == t
    assert inst.problem().n == 1 and inst.problem().d == 2
    assert "x=(1, 1/2)" in inst.describe()


# (strategy, arguments, the message: names the argument and its value)
BAD_ARGUMENTS = [
    (S.rationals, dict(min_value=3, max_value=1), "min_value=3 must be <= max_value=1"),
    (S.rationals, dict(min_value="x"), "min_value='x' must be a rational number"),
    (S.rationals, dict(max_denominator=0), "max_denominator=0 must be >= 1"),
    (S.rationals, dict(max_denominator=1.5), "max_denominator=1.5 must be an integer"),
    (S.features, dict(d_min=0), "d_min=0 must be >= 1"),
    (S.features, dict(d_min=5, d_max=3), "d_min=5 must be <= d_max=3"),
    (S.features, dict(min_value=0), "min_value=0 must be > 0"),
    (S.labels, dict(min_value=-1), "min_value=-1 must be > 0"),
    (S.alphas, dict(min_value=0), "min_value=0 must be > 0"),
    (S.alphas, dict(min_value=2, max_value=1), "min_value=2 must be <= max_value=1"),
    (S.weights, dict(d=0), "d=0 must be >= 1"),
    (S.zero_loss_points, dict(x=(1, -1), y=1), "x=('1', '-1') must be a non-empty vector"),
    (S.zero_loss_points, dict(x=(1,), y=0), "y=0 must be > 0"),
    (S.learning_rates, dict(x=(1,), y=1, max_factor=0), "max_factor=0 must be >= 1/20"),
    (S.problems, dict(d_min=1), "d_min=1 must be >= 2"),
    (S.problems, dict(d_min=3, d_max=2), "d_min=3 must be <= d_max=2"),
    (S.problems, dict(alpha=1), "alpha=1 must be a hypothesis strategy"),
    (S.dead_factor_problems, dict(d_max=0), "d_max=0 must be >= 1"),
    (S.multi_sample_problems, dict(n_min=2, n_max=1), "n_min=2 must be <= n_max=1"),
    (S.multi_sample_problems, dict(param="shared"), "param='shared' must be one of product"),
    (S.parameter_points, dict(param="diagonal"), "param='diagonal' must be one of shared"),
    (S.parameter_points, dict(max_value=0), "max_value=0 must be > 0"),
    (S.transformed, dict(instances=None), "instances=None must be a hypothesis strategy"),
]


@pytest.mark.parametrize("strategy,arguments,message", BAD_ARGUMENTS,
                         ids=[f"{s.__name__}-{'-'.join(a)}" for s, a, _ in BAD_ARGUMENTS])
def test_bad_arguments_are_refused_when_the_strategy_is_built(strategy, arguments, message):
    """As hypothesis does: validated up front, an InvalidArgument naming ``arg=value``."""
    with pytest.raises(InvalidArgument) as info:
        strategy(**arguments)
    assert message in str(info.value)


@pytest.mark.parametrize("strategy,positional", [
    (S.features, (2, 4)), (S.problems, (2, 4)), (S.dead_factor_problems, (2, 4)),
    (S.multi_sample_problems, (1, 3)), (S.rationals, (0, 1, 20)), (S.labels, (1, 2, 2)),
    (S.learning_rates, ((1,), 1, 1)),
])
def test_options_are_keyword_only(strategy, positional):
    with pytest.raises(TypeError):
        strategy(*positional)
