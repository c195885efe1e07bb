"""GDOptions: one frozen, validated object for gradient_descent's options.

The keyword form and the object form must give bit-identical runs; defaults are checked against
the formulas of gradient_descent's documentation, written out here.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest

from numerics import DomainError, GDOptions, Problem, default_tol, get_backend, gradient_descent

DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100), beta_star=[F(1, 2), 1])


def test_options_object_and_keywords_give_the_same_run():
    kw = dict(patience=2, record_every=7, record_gain=True, average_last=5)
    a = gradient_descent(DEFAULT, "0.97", 200, backend="mpmath", dps=20, **kw)
    b = gradient_descent(DEFAULT, "0.97", 200, backend="mpmath", dps=20,
                         options=GDOptions(**kw))
    assert a.beta == b.beta and a.theta == b.theta and a.gain == b.gain
    assert a.trajectory.as_dict() == b.trajectory.as_dict() and a.diagnosis == b.diagnosis


def test_keywords_override_the_options_object():
    base = GDOptions(record_every=5, final_sharpness=False)
    res = gradient_descent(DEFAULT, "0.5", 40, options=base, record_every=10)
    assert res.trajectory.step == [0, 10, 20, 30, 40] and res.S is None


def test_options_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        GDOptions().patience = 4


def test_resolved_fills_the_documented_defaults():
    be = get_backend("flint", 30)
    o = GDOptions().resolved(Problem([1, F(1, 2)], 3, F(1, 100)), be, F(1, 2), 10**4)
    # tol = default_tol, r_max = 1e8 max(1, |y|), record_every = max(1, steps // 500),
    # record_sharpness = (kd <= 64)
    assert o.tol == default_tol(Problem([1, F(1, 2)], 3, F(1, 100)), 30)
    assert o.r_max == 3 * 10**8 and o.record_every == 20 and o.record_sharpness is True
    wide = Problem([[1] * 65], 1, F(1, 100))
    assert GDOptions().resolved(wide, be, F(1, 2), 10).record_sharpness is False


@pytest.mark.parametrize("kw, name", [
    (dict(patience=0), "patience"),
    (dict(patience=2.0), "patience"),
    (dict(tol=0), "tol"),
    (dict(tol="many"), "tol"),
    (dict(record_every=0), "record_every"),
    (dict(decay_steps=-1), "decay_steps"),
    (dict(average_last=-1), "average_last"),
    (dict(decay_steps=5, decay_to=2), "decay_to"),
    (dict(decay_steps=5, average_last=3), "average_last"),
    (dict(checkpoint_seconds=-1), "checkpoint_seconds"),
])
def test_bad_options_name_the_argument(kw, name):
    with pytest.raises(DomainError) as info:
        GDOptions(**kw)
    assert info.value.argument == name


def test_options_checked_against_the_run():
    with pytest.raises(DomainError, match="average_last"):
        gradient_descent(DEFAULT, "0.5", 10, options=GDOptions(average_last=11))
    with pytest.raises(DomainError, match="decay_steps"):
        gradient_descent(DEFAULT, lambda k: F(1, 2), 10, options=GDOptions(decay_steps=3))


def test_unknown_keyword_and_wrong_options_type():
    with pytest.raises(TypeError, match="'patients'"):
        gradient_descent(DEFAULT, "0.5", 10, patients=3)
    with pytest.raises(DomainError, match="options"):
        gradient_descent(DEFAULT, "0.5", 10, options={"patience": 3})
