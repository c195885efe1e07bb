"""Quantizers (theory.quantizers, C8): exact rounding, the relaxed bound, the adversary.

The bound 3 * 2^-(b+2) of the specification is checked as the reading-precision n = b + 2
case of 2^-(b+1) + 2^-n, and shown attained; a reading one bit coarser breaks it.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings

from proofs_check import computability_reference as ref
from theory import quantizers as QZ
from theory.errors import DomainError
from theory.names import Name, dyadic_name, sqrt_name


@pytest.mark.parametrize("x,b,expected", [("3/8", 2, "1/2"), ("-3/8", 2, "-1/4"),
                                          ("1/8", 2, "1/4"), ("-1/8", 2, "0"), ("0.7", 0, 1),
                                          ("1/3", 3, "3/8"), ("-5/2", 0, -2)])
def test_round_half_up_table(x, b, expected):
    assert QZ.quantize(x, b) == F(expected)


@settings(max_examples=200)
@given(ref.quant_cases())
def test_exact_error_and_relaxed_bound(case):
    x, b, n, o = case.x, case.b, case.n, case.offset
    h = F(1, 2 ** b)
    q = QZ.quantize(x, b, offset=o)
    assert ((q - o) / h).denominator == 1 and -h / 2 < q - x <= h / 2
    for s in (1, -1):  # names straying 2^-n either way
        relaxed = QZ.quantize_name(Name(lambda k, s=s: x + s * F(1, 2 ** k)), b, n=n, offset=o)
        assert abs(relaxed - x) <= QZ.relaxed_error_bound(b, n)


def test_the_specification_bound_is_attained_and_needs_n_at_least_b_plus_2():
    b = 4
    h, m = F(1, 2 ** b), F(1, 2 ** (b + 1))  # the midpoint between 0 and h
    n = b + 2
    x = m - F(1, 2 ** n)  # a name of x may read m at precision n: it rounds up to h
    assert QZ.quantize_name(Name(lambda k: m), b) == h
    assert h - x == QZ.relaxed_error_bound(b) == 3 * F(1, 2 ** (b + 2))
    # read one bit coarser: x = m - 2^-(b+1) = 0 may read m, and rounds to h: error 2^-b
    x1 = m - F(1, 2 ** (b + 1))
    assert QZ.quantize_name(Name(lambda k: m), b, n=b + 1) - x1 == h > 3 * F(1, 2 ** (b + 2))


def test_relaxed_equals_exact_away_from_midpoints():
    """sqrt 2 lies in [lo, lo + 2^-80]; where that bracket is farther than 2^-(b+2) from every
    midpoint, any two names give the exact rounding; nearer, two valid names may differ."""
    lo = sqrt_name(2)(80)
    hi = lo + F(1, 2 ** 80)
    far_seen = near_seen = 0
    for b in range(16):
        h = F(1, 2 ** b)
        m = QZ.quantize(lo, b) + (h / 2 if QZ.quantize(lo, b) <= lo else -h / 2)
        dist = min(abs(lo - m), abs(hi - m))
        answers = {QZ.quantize_name(sqrt_name(2), b),
                   QZ.quantize_name(dyadic_name(F(1414213562373, 10**12)), b)}
        if dist > F(1, 2 ** (b + 2)):
            far_seen += 1
            assert answers == {QZ.quantize(lo, b)} == {QZ.quantize(hi, b)}
        else:
            near_seen += 1
            assert all(abs(a - lo) <= QZ.relaxed_error_bound(b) + F(1, 2 ** 80) for a in answers)
    assert far_seen and near_seen  # b = 0: 1.414 is within 1/4 of 1.5 (and the names differ)


def test_an_exact_quantizer_on_names_is_defeated():
    for reads in (0, 10, 64):
        r = QZ.quantizer_adversary(lambda name, k=reads: QZ.quantize(name(k), 3), 3)
        assert r.won and r.answer != QZ.quantize(r.point, 3)
    r = QZ.quantizer_adversary(lambda name: QZ.quantize(name(9), 2, offset=0), 2,
                               midpoint="-3/8")
    assert r.won and r.answer != QZ.quantize(r.point, 2)


@pytest.mark.parametrize("call,argument", [
    (lambda: QZ.quantize(0.5, 2), "x"), (lambda: QZ.quantize(1, -1), "b"),
    (lambda: QZ.quantize_name(1, 2), "name"), (lambda: QZ.relaxed_error_bound(2, -3), "n"),
    (lambda: QZ.quantizer_adversary(lambda n: 0, 2, midpoint="1/4"), "midpoint"),
])
def test_bad_input(call, argument):
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.argument == argument
