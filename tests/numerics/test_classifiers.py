"""The finite-precision classifiers (numerics.classifiers) are right away from the threshold,
wrong somewhere near it (the adversary finds where), and the exit classifier never is."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from numerics import classifiers as C
from numerics.errors import DomainError
from theory.names import ABOVE, BELOW, EXIT, adversary, defeat_failure_detector, dyadic_name

SPECS = ["float64", "mpmath:15", "mpmath:60", "interval:2", "interval:20"]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("t", [F(1, 3), F(0), F(-7, 5), F(10**9 + 1, 10**9)])
def test_right_away_from_t_and_beaten_at_t(spec, t):
    clf = C.classifier_from_spec(spec, t)
    assert clf(dyadic_name(t + F(1, 1000))) == ABOVE
    assert clf(dyadic_name(t - F(1, 1000))) == BELOW
    r = adversary(clf, t)
    assert r.won and clf(r.name.fresh()) != (ABOVE if r.point > t else BELOW)
    d = defeat_failure_detector(clf, C.failure_detector(clf, t), t)
    assert d.detector_wrong


def test_float64_is_wrong_where_doubles_cannot_tell():
    """Below 1/3 by far less than a double's spacing, float64 says 'above' (independent of the
    adversary: a point picked by hand)."""
    clf = C.float64_classifier("1/3")
    x = F(1, 3) - F(1, 2 ** 70)
    assert clf(dyadic_name(x)) == ABOVE


def test_the_interval_classifier_answers_once_the_interval_clears_t():
    clf = C.interval_classifier("1/3", 3)  # reads 8, 16, 24 bits
    name = dyadic_name(F(1, 3) + F(1, 2 ** 12))
    assert clf(name) == ABOVE and name.reads == [8, 16]


def test_the_exit_classifier_exits_at_t_and_cannot_be_beaten():
    clf = C.classifier_from_spec("exit:30", "1/3")
    r = adversary(clf, "1/3")
    assert r.answer_at_threshold == EXIT and not r.won


@pytest.mark.parametrize("spec", ["float", "mpmath", "mpmath:0", "interval:x", "exit:-1", ""])
def test_bad_specs_name_the_classifier(spec):
    with pytest.raises(DomainError) as exc:
        C.classifier_from_spec(spec, 0)
    assert exc.value.argument == "classifier"
