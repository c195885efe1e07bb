"""The exit-flag classifiers (theory.exit_flag, C7): never wrong, exits only near the boundary.

Independent criteria: the side of a rational ``x`` is known exactly; polynomials are evaluated
exactly at rational points; the exit radius ``2 * 2^-B`` is checked at its edge with the name
that strays farthest toward ``t``.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check import computability_reference as ref
from theory import exit_flag as XF
from theory.errors import DomainError
from theory.names import EXIT, Name, dyadic_name, exact_name, sqrt_name


@settings(max_examples=150)
@given(ref.threshold_cases())
def test_never_wrong_and_exits_only_within_two_ulps(case):
    x, t, B = case.x, case.t, case.budget
    answer = XF.classify_with_exit(case.name(), t, B)
    if answer == EXIT:
        assert abs(x - t) <= F(2, 2 ** B)
    else:
        assert answer == ("above" if x > t else "below") and x != t
    if abs(x - t) > F(2, 2 ** B):
        assert answer != EXIT


def test_the_exit_radius_is_attained():
    """x = t + 2 * 2^-B with a name 2^-B toward t: q - 2^-B = t, not > t: EXIT; a hair
    farther, an answer."""
    t, B = F(1, 3), 10
    x = t + F(2, 2 ** B)
    toward = Name(lambda n: x - F(1, 2 ** n))
    assert XF.classify_with_exit(toward, t, B) == EXIT
    x2 = x + F(1, 2 ** 40)
    assert XF.classify_with_exit(Name(lambda n: x2 - F(1, 2 ** n)), t, B) == "above"


def test_semi_decision_of_an_irrational():
    budgets = [(B, a) for B, a in zip(range(12), (a for _, a in
                                                  XF.refine_classification(sqrt_name(2), "1.41")))]
    first = next(B for B, a in budgets if a != EXIT)
    assert all(a == EXIT for B, a in budgets if B < first)
    assert all(a == "above" for B, a in budgets if B >= first)
    assert 2 * F(1, 2 ** first) >= F(0)  # answered; and it must by 2 * 2^-B < sqrt2 - 1.41:
    assert first <= 9  # 2 * 2^-9 < 0.0042 < sqrt(2) - 1.41


def test_at_the_threshold_it_exits_forever():
    it = XF.refine_classification(exact_name("1/3"), "1/3")
    assert all(next(it)[1] == EXIT for _ in range(60))


DISC = [["1 - x0**2 - x1**2"], ["x0**2 + x1**2 - 1"]]


@pytest.mark.parametrize("point,answer_at_20", [
    (("0.6", "0.8"), EXIT),  # on the circle
    (("0.6", "0.7"), 0), (("0.6", "0.9"), 1), (("-0.6", "0.79999"), 0)])
def test_disc_classes(point, answer_at_20, B=20):
    names = [dyadic_name(v) for v in point]
    res = XF.classify_regions(names, DISC, B)
    assert res.answer == answer_at_20
    x = [F(v) for v in point]
    for cls, encs in zip(DISC, res.enclosures):
        p = XF.polynomial(cls[0], 2)
        value = sum(c * x[0] ** a[0] * x[1] ** a[1] for a, c in p.items())
        (lo, hi), = encs
        assert lo <= value <= hi and hi - lo < F(1, 2 ** (B - 4))


def test_enclosure_of_even_powers_is_tight_at_zero():
    assert XF.polynomial_enclosure({(2,): 1}, [(F(-1), F(2))]) == (0, 4)
    assert XF.polynomial_enclosure({(3,): 1}, [(F(-1), F(2))]) == (-1, 8)
    assert XF.polynomial_enclosure({(1, 1): -2}, [(F(-1), F(1)), (F(0), F(3))]) == (-6, 6)


def test_polynomial_forms_agree():
    assert XF.polynomial("x0*x1 - 1/2", 2) == XF.polynomial({(1, 1): 1, (0, 0): "-1/2"}, 2)


@pytest.mark.parametrize("call,argument", [
    (lambda: XF.classify_with_exit(F(1), 0, 3), "name"),
    (lambda: XF.classify_with_exit(exact_name(1), 0, -1), "budget"),
    (lambda: XF.classify_with_exit(exact_name(1), 0.5, 1), "t"),
    (lambda: XF.polynomial("sqrt(x0)", 1), "p"),
    (lambda: XF.polynomial("pi * x0", 1), "p"),
    (lambda: XF.polynomial({(1,): 1}, 2), "p"),
    (lambda: XF.classify_regions([], DISC, 3), "names"),
    (lambda: XF.classify_regions([exact_name(0)], [[]], 3), "classes[0]"),
    (lambda: XF.polynomial_enclosure({(1,): 1}, [(1, 0)]), "box[0]"),
])
def test_bad_input(call, argument):
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.argument == argument


def test_a_double_root_boundary_costs_a_constant_not_a_square_root():
    """p = (x0 - x1)^2 off the diagonal, at (1, 1 + eps): the natural extension alone would
    exit up to eps ~ sqrt(8 r) (about 2.8e-3 at B = 20); with the mean-value form the exits stop
    below 8 r."""
    B, r = 20, F(1, 2 ** 20)
    cls = [["(x0 - x1)**2"]]
    for k in (3, 8, 64, 2 ** 10):
        res = XF.classify_regions([exact_name(1), exact_name(1 + k * r)], cls, B)
        assert res.answer == (EXIT if k < 8 else 0), k


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(-3, 3)),
                min_size=1, max_size=4),
       st.tuples(st.integers(-8, 8), st.integers(-8, 8)), st.integers(0, 6))
def test_enclosures_contain_the_polynomial_on_the_box(terms, centre, k):
    p = {}
    for a, b, c in terms:
        p[(a, b)] = p.get((a, b), 0) + c
    m, rad = [F(v, 4) for v in centre], F(1, 2 ** k)
    lo, hi = XF.polynomial_enclosure(p, [(v - rad, v + rad) for v in m])
    for s0 in (-1, 0, F(1, 3), 1):
        for s1 in (-1, F(-1, 2), 0, 1):
            x = (m[0] + s0 * rad, m[1] + s1 * rad)
            value = sum(F(c) * x[0] ** a * x[1] ** b for (a, b), c in p.items())
            assert lo <= value <= hi
