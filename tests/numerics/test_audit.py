"""The precision audit: agreed digits on constructed pairs, printing, and audited GD runs.

Expected digit counts are derived by hand from the counting rule stated in
:mod:`numerics.audit` (significant digits for scalars, a common absolute position for vectors,
rounding half-even, lowered until both roundings print the same), not read off the code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction as F

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics import (
    DEFAULT_PAIR,
    DomainError,
    Problem,
    agree,
    agreed_digits,
    audited_gd,
    precision_pair,
)
from numerics.audit import Agreed, audit_diagnosis
from numerics.gd import gradient_descent


def Q(text: str) -> F:
    return F(text)


# ------------------------------------------------------------------------ independent rounding
def dec(q: F) -> Decimal:
    with localcontext() as c:
        c.prec = 200
        return Decimal(q.numerator) / Decimal(q.denominator)


def round_sig(q: F, digits: int) -> Decimal:
    """``q`` to ``digits`` significant digits, half-even (an independent implementation)."""
    if q == 0:
        return Decimal(0)
    with localcontext() as c:
        c.prec = digits
        c.rounding = ROUND_HALF_EVEN
        return +dec(q)


def round_abs(q: F, exponent: int) -> Decimal:
    with localcontext() as c:
        c.prec = 300
        return dec(q).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)


def significant_digits(text: str) -> int:
    """Significant digits written in a decimal string (leading zeros excluded)."""
    mantissa = text.lower().split("e")[0].lstrip("-")
    if "." not in mantissa:  # trailing zeros of an integer are placeholders
        mantissa = mantissa.rstrip("0") or "0"
    return len(mantissa.replace(".", "").lstrip("0"))


# ----------------------------------------------------------------------- scalars, by hand
SCALAR_CASES = [
    # a, b, cap, expected digits, why
    ("1.23456", "1.23457", 15, 5, "rel 8.1e-6 -> 5; both round to 1.2346"),
    ("-1.23456", "-1.23457", 15, 5, "sign does not matter"),
    ("0.12345", "0.12355", 15, 2, "rel 8.1e-4 -> 3, but 0.123 != 0.124; 0.12 = 0.12"),
    ("1.2345e-10", "1.2346e-10", 15, 3, "4 digits: 1.234e-10 (half-even tie) != 1.235e-10"),
    ("0.9999996", "1.0000004", 15, 6, "both round to 1.00000"),
    ("1.4999", "1.5001", 15, 3, "rel 1.3e-4 -> 3; both 1.50"),
    ("2.5", "3.5", 15, 0, "rel 0.29: no digit"),
    ("1", "2", 15, 0, "O(1) disagreement"),
    ("1", "-1", 15, 0, "opposite signs"),
    ("0", "1e-20", 15, 0, "zero against non-zero"),
    ("3", "3", 15, 15, "identical: the cap"),
    ("0", "0", 7, 7, "both zero: the cap"),
    ("1.25", "1.2500000000000000000001", 1, 1, "agreement beyond the cap is capped"),
    ("1.0000000000000000001", "1.0000000000000000002", 15, 15, "both non-terminating at 15"),
]


@pytest.mark.parametrize("a, b, cap, expected, why", SCALAR_CASES,
                         ids=[f"{c[0]}~{c[1]}" for c in SCALAR_CASES])
def test_agreed_digits_scalars_by_hand(a, b, cap, expected, why):
    assert agreed_digits(Q(a), Q(b), cap) == expected, why
    assert agreed_digits(Q(b), Q(a), cap) == expected, "symmetric"


@pytest.mark.parametrize("a, b", [("1", "1.000000000000000000000000000001"),
                                  ("4", "3.99999999999999999999999"),
                                  ("1.5", "1.5000000000000000001")])
def test_agreed_digits_exact_short_value_against_long(a, b):
    assert agreed_digits(Q(a), Q(b), 15) == 15


# ----------------------------------------------------------------------- vectors, by hand
def test_agreed_digits_vectors_by_hand():
    # max-norm difference 1e-8 at scale ~1: 8 digits, printed at 1e-7: 1.0000000 and 0.0000000
    a = (Q("1"), Q("1e-10"))
    b = (Q("1.00000001"), Q("2e-10"))
    assert agreed_digits(a, b, 15) == 8
    # 1 digit at position 1e0: 0.5 -> 0 (half-even) but 0.6 -> 1: no digit agrees
    assert agreed_digits((Q("1"), Q("0.5")), (Q("1"), Q("0.6")), 15) == 0
    # a small component does not shrink the count: it is read at the large one's position
    assert agreed_digits((Q("10"), Q("1e-30")), (Q("10.0001"), Q("2e-30")), 15) == 5
    assert agreed_digits((Q("0"), Q("0")), (Q("0"), Q("0")), 9) == 9


def test_agreed_digits_signed_zero_component():
    assert agreed_digits((Q("10"), Q("1e-30")), (Q("10.0001"), Q("-1e-30")), 15) == 5


def test_agreed_digits_vectors_with_none():
    assert agreed_digits((Q("1"), None), (Q("1"), None), 15) == 15
    assert agreed_digits((Q("1"), None), (Q("1"), Q("2")), 15) == 0
    assert agreed_digits((None, Q("1")), (Q("1"), None), 15) == 0


def test_agreed_digits_none_components_do_not_hide_disagreement():
    assert agreed_digits((Q("1"), None), (Q("2"), None), 15) == 0
    assert agreed_digits((Q("1.23456"), None), (Q("1.23457"), None), 15) == 5


# -------------------------------------------------------------------------- Agreed printing
def test_bound_for_converged_losses():
    q = agree("loss", Q("4.41e-25"), Q("4.49e-25"), 15, bound=True)
    assert q.kind == "bound" and not q.chaotic
    assert q.text() == "<= 4.5e-25"  # the larger, rounded up to 2 digits
    assert q.json() == pytest.approx(4.5e-25, rel=1e-12)
    for value in (Q("4.41e-25"), Q("4.49e-25")):
        assert F(q.json()) >= value
    q = agree("loss", Q("1.01e-30"), Q("1e-40"), 15, bound=True)
    assert q.text() == "<= 1.1e-30"
    assert agree("loss", Q(0), Q(0), 15, bound=True).text() == "<= 0"


def test_chaotic_and_missing():
    q = agree("S", Q("1"), Q("3"), 15)
    assert q.chaotic and q.digits == 0
    assert q.text() == "chaotic" and q.json() == "chaotic"
    assert agree("risk", None, Q(1), 15).text() == "n/a"
    assert agree("risk", None, None, 15).json() is None
    v = agree("beta", (Q("0.1"), Q("2")), (Q("0.9"), Q("1")), 15)
    assert v.chaotic and v.text() == "chaotic" and v.json() == "chaotic"


@pytest.mark.parametrize("a, b, text", [
    ("3.29325157588", "3.29325157583", "3.293251576"),  # rel 1.5e-11 -> 10 digits
    ("1234567", "1234568", "1.23457e+6"),                # 6 digits, scientific above 1e6
    ("0.000012345", "0.000012346", "1.23e-5"),           # 4 -> 3 digits (half-even tie)
    ("-2.71828", "-2.71829", "-2.7183"),
])
def test_text_by_hand(a, b, text):
    q = agree("q", Q(a), Q(b), 15)
    assert q.text() == text
    assert float(q.json()) == float(text)


def test_vector_text_by_hand():
    q = agree("beta", (Q("0.64662578794277"), Q("0.706748424")),
              (Q("0.64662578794279"), Q("0.706748424")), 15)
    assert q.digits == 13
    assert q.text() == "(0.6466257879428, 0.7067484240000)"
    assert q.json() == [0.6466257879428, 0.706748424]


finite = st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**12)


@given(a=finite, rel=st.integers(min_value=1, max_value=18), k=st.integers(-10**6, 10**6),
       cap=st.integers(min_value=1, max_value=20))
def test_printed_digits_are_shared_by_both_runs(a, rel, k, cap):
    """Whatever is printed is what both values round to at the printed digits."""
    b = a + a * F(k, 10**6) / 10**rel
    q = agree("q", a, b, cap)
    assert 0 <= q.digits <= cap
    if q.chaotic:
        assert q.text() == "chaotic"
        return
    text = q.text()
    assert significant_digits(text) <= q.digits
    assert Decimal(text) == round_sig(a, q.digits) == round_sig(b, q.digits)
    assert F(q.json()) == F(float(Decimal(text)))


VECTOR_SCALE_BUG = ("BUG: Agreed.text/json print a vector at the position set by the higher "
                    "run's own scale, while agreed_digits used max over both runs; across a "
                    "power of ten (1 vs 0.9999999) one more decimal is printed than agreed")


def test_vector_text_across_a_power_of_ten():
    q = agree("v", (Q("0"), Q("1")), (Q("0"), Q("0.9999999")), 15)
    assert q.digits == 7  # 1.000000 at position 1e-6 for both runs
    assert q.text() == "(0.000000, 1.000000)"


@given(v=st.lists(finite, min_size=2, max_size=4), rel=st.integers(1, 16),
       k=st.integers(-10**6, 10**6))
@example(v=[F(0), F(1)], rel=1, k=-1)
def test_printed_vector_digits_are_shared(v, rel, k):
    a = tuple(v)
    b = tuple(x + x * F(k, 10**6) / 10**rel for x in v)
    q = agree("v", a, b, 15)
    if q.chaotic or all(x == 0 for x in a + b):
        return
    text = q.text()
    parts = text.strip("()").split(", ")
    assert len(parts) == len(a)
    # the print position: the decimal place of the leading digit of the larger run's max norm,
    # then q.digits significant digits (positive exponents print as trailing zeros, '640')
    scale = max(abs(x) for x in a + b)
    places = q.digits - 1 - _leading_place(scale)
    for part, x, y in zip(parts, a, b, strict=True):
        assert Decimal(part) == round_abs(x, -places) == round_abs(y, -places)


def _leading_place(q):
    """floor(log10(q)) for a positive Fraction, by exact integer comparison."""
    e = len(str(q.numerator)) - len(str(q.denominator))
    while F(10) ** e > q:
        e -= 1
    while F(10) ** (e + 1) <= q:
        e += 1
    return e


# ------------------------------------------------------------------------ precision pairs
def test_precision_pair():
    assert precision_pair(None) == precision_pair(None, "mpmath") == DEFAULT_PAIR
    assert DEFAULT_PAIR.labels == ["dd", "qd"]  # issue 9: the compiled pair
    assert [p.cap for p in DEFAULT_PAIR] == [31, 63]  # floor(106 log10 2), floor(212 log10 2)
    assert [p.working_dps for p in DEFAULT_PAIR] == [32, 64]
    assert precision_pair(20) == (("flint", 20), ("flint", 40))
    assert precision_pair(7, "mpmath") == (("mpmath", 7), ("mpmath", 14))
    for bad in (4, 0, -3, 2.5, True):
        with pytest.raises(DomainError, match="precision"):
            precision_pair(bad)
    with pytest.raises(DomainError, match="backend"):
        precision_pair(10, "float64")


def test_audit_diagnosis_keeps_only_what_both_share():
    merged = audit_diagnosis({"period": 2, "near_edge": True, "ratio": 1.0123456},
                             {"period": 2, "near_edge": False, "ratio": 1.0123457}, 15)
    assert merged["period"] == 2
    assert merged["near_edge"] == "chaotic"
    assert merged["ratio"].json() == pytest.approx(1.012346, abs=0)  # 6 agreed digits
    assert merged["ratio"].text() == "1.012346"
    assert audit_diagnosis({"period": None}, {"period": 4}, 15) == {"period": "chaotic"}


def test_audit_diagnosis_applies_the_chance_rule_unless_settled():
    a, b = {"amplitude": 1.02}, {"amplitude": 1.04}  # one shared digit: chance, unless settled
    assert audit_diagnosis(a, b, 15)["amplitude"].text() == "chaotic"
    assert audit_diagnosis(a, b, 15, settled=True)["amplitude"].text() == "1"


# ------------------------------------------------------------------------ audited runs
DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100), beta_star=[F(1, 2), 1])


def _check_printed(run):
    """Every printed number is the rounding of *both* runs' values at the agreed digits."""
    low, high = run.low.quantities(), run.high.quantities()
    names = {"sharpness": "S"}
    for key, q in run.quantities.items():
        if q.value is None or q.kind == "bound" or q.chaotic:
            continue
        a, b = low[names.get(key, key)], high[names.get(key, key)]
        text = q.text()
        if isinstance(b, tuple):
            parts = text.strip("()").split(", ")
            places = len(parts[0].split(".")[1]) if "." in parts[0] else 0
            for part, x, y in zip(parts, a, b, strict=True):
                if part == "-inf":
                    assert x is None and y is None
                    continue
                assert Decimal(part) == round_abs(x, -places) == round_abs(y, -places), key
        else:
            assert significant_digits(text) <= q.digits
            assert Decimal(text) == round_sig(a, q.digits) == round_sig(b, q.digits), key


@pytest.mark.parametrize("precision, least", [(None, 10), (8, 3)])
def test_audited_run_prints_only_agreed_digits(precision, least):
    run = audited_gd(DEFAULT, F(3, 5), 20000, precision=precision)
    assert run.status == "converged"
    assert run.quantities["loss"].kind == "bound"
    _check_printed(run)
    js = run.to_json()
    for key in ("status", "steps", "beta", "loss", "sharpness", "lambda_max", "l1_norm",
                "param_norm_sq", "risk", "digits", "precisions"):
        assert key in js
    assert js["digits"]["loss"] == "bound"
    assert all(isinstance(v, int) and v >= least for k, v in js["digits"].items() if k != "loss")


def test_audited_run_not_converged_prints_only_agreed_digits():
    run = audited_gd(DEFAULT, F(3, 5), 300, precision=10, backend="mpmath")
    assert run.status == "not_converged"
    assert run.quantities["loss"].kind == "agreed"
    _check_printed(run)


def test_benign_run_is_not_called_chaotic():
    """eta = 3/5, a stable, non-chaotic run. An unbudgeted dd run (a different call) converges
    at step 2692 and qd at 5719, so 1500 steps end before either tolerance: not_converged at
    both, and the unfinished loss (about 7e-32, near dd's absolute resolution) still shares
    digits."""
    budget = gradient_descent(DEFAULT, F(3, 5), 200000, backend="dd")
    assert budget.status == "converged" and budget.steps > 1500
    run = audited_gd(DEFAULT, F(3, 5), 1500)
    assert run.status == run.low.status == run.high.status == "not_converged"
    assert not run.quantities["loss"].chaotic and run.quantities["loss"].digits >= 10


def test_exactly_representable_result_keeps_its_digits():
    run = audited_gd(Problem([1, F(1, 2)], 1, F(1, 10**20)), F(1, 4), 10000)
    assert run.status == "converged"
    assert run.quantities["sharpness"].digits >= 14
    assert run.quantities["l1_norm"].digits >= 14


def test_agreed_holds_the_higher_precision_value():
    q = agree("S", Q("1.523456"), Q("1.523466"), 15)
    assert isinstance(q, Agreed) and q.value == Q("1.523466") and q.digits == 5


@pytest.mark.parametrize("q", [F(3, 2**40000) + F(1, 7 * 2**40001), -F(2**30001 + 5, 3**9),
                               F(10**4000 + 1, 7**4000)])
def test_huge_fractions_print_the_same_digits_as_exact_division(q):
    """The fast path for huge fractions (a mantissa cut to 3.33 prec + 64 bits) gives the
    digits of the exact quotient (computed by Decimal with a context wide enough to hold it)."""
    from numerics.audit import _dec

    fast = _dec(q, 60)
    with localcontext() as c:
        c.prec = 60
        exact = Decimal(q.numerator) / Decimal(q.denominator)
        c.prec = 50
        assert +fast == +exact
