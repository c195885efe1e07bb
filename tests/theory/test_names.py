"""Names of reals and the boundary adversary (theory.names, C5, C6).

Independent criteria: a name is valid when ``|x - q_n| <= 2^-n`` (checked exactly for the
points built); the adversary wins when the classifier, re-run here on the name it built,
claims the wrong side; the detector is wrong when its flag differs from the classifier's
actual failure, recomputed here.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings

from proofs_check import computability_reference as ref
from theory import names as N
from theory.errors import DomainError


def _valid(name, x, upto=80):
    return all(abs(name(n) - x) <= F(1, 2 ** n) for n in range(upto))


@pytest.mark.parametrize("make,x", [(N.exact_name, F(1, 3)), (N.dyadic_name, F(-7, 3)),
                                    (N.dyadic_name, F(5, 8))])
def test_rational_names_are_valid(make, x):
    assert _valid(make(x), x)


def test_sqrt_name_is_valid_and_brackets_the_root():
    name = N.sqrt_name(2)
    for n in range(0, 200, 7):
        q = name(n)
        assert q * q <= 2 <= (q + F(1, 2 ** n)) ** 2  # q <= sqrt 2 <= q + 2^-n
    assert name(0) == 1 and N.sqrt_name(F(9, 4))(5) == F(3, 2)


def test_a_name_records_its_reads():
    name = N.dyadic_name(1)
    assert name.precision is None
    name(3), name(10), name(2)
    assert name.reads == [3, 10, 2] and name.precision == 10 and name.fresh().reads == []


@pytest.mark.parametrize("t", [F(1, 3), F(0), F(-7, 5), F(10**20 + 1, 10**20)])
@pytest.mark.parametrize("read,strict", [(0, False), (5, True), (53, False), (200, True)])
def test_adversary_beats_fixed_precision_comparisons(t, read, strict):
    def classify(name):
        q = name(read)
        return (q > t) if strict else (q >= t)

    r = N.adversary(classify, t)
    assert r.won and r.precision == read
    assert abs(r.point - t) == F(1, 2 ** read) and _valid(r.name.fresh(), r.point, read + 20)
    truth = r.point > t
    assert bool(classify(r.name.fresh())) != truth


def test_adversary_beats_a_classifier_that_reads_nothing():
    r = N.adversary(lambda name: "below", 5)
    assert r.won and r.precision == 0 and r.point == 6


def test_an_exit_is_not_a_loss_and_a_cheat_is_reported():
    r = N.adversary(lambda name: N.EXIT, "1/3")
    assert not r.won and r.point is None and "EXIT" in r.reason
    calls = []

    def moody(name):  # not a function of the values it reads
        calls.append(1)
        return "above" if len(calls) == 1 else "below"

    r = N.adversary(moody, 0)
    assert not r.won and "not a function" in r.reason


@settings(max_examples=60)
@given(ref.threshold_cases(with_programs=True))
def test_adversary_wins_against_random_programs(case):
    r = N.adversary(lambda name: case.program(name, case.t), case.t)
    assert r.won
    assert _valid(r.name.fresh(), r.point, r.precision + 8)
    assert case.program(r.name.fresh(), case.t) != ("above" if r.point > case.t else "below")


@settings(max_examples=60)
@given(ref.threshold_cases(with_programs=True, with_detector=True))
def test_every_failure_detector_is_wrong_somewhere(case):
    t = case.t

    def F_(name):
        return case.program(name, t)

    def D(name):
        return case.detector(name, t) == "above"

    res = N.defeat_failure_detector(F_, D, t)
    assert res.detector_wrong
    truth = "above" if res.point > t else "below"
    wrong = F_(res.name.fresh()) != truth
    assert D(res.name.fresh()) != wrong  # recomputed: the detector's flag is not the truth


def test_side_of_answer_and_bad_input():
    assert [N.side_of_answer(a) for a in ("above", "below", 1, 0, True, False, N.EXIT)] == [
        "above", "below", "above", "below", "above", "below", None]
    for call, argument in [(lambda: N.side_of_answer("maybe"), "answer"),
                           (lambda: N.adversary(3, 0), "classifier"),
                           (lambda: N.adversary(lambda n: 1, 0.5), "t"),
                           (lambda: N.defeat_failure_detector(lambda n: 1, None, 0), "detector"),
                           (lambda: N.sqrt_name(-1), "a"),
                           (lambda: N.exact_name(1)(-1), "n"),
                           (lambda: N.Name(lambda n: 0.5)(3), "name(3)"),
                           (lambda: N.Name(None), "approximate")]:
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.argument == argument
