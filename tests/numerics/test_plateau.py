"""GD's plateau landmark (numerics.plateau): 2/S of GD's converged limit just below eta_c."""

from __future__ import annotations

from fractions import Fraction

import pytest

from numerics.errors import DomainError
from numerics.gd import gradient_descent
from numerics.plateau import eta_plateau
from numerics.problem import Problem

DEFAULT = Problem([1, "1/2"], 1, "1/100")
ETA_C = Fraction("0.50124999609376831045")  # 2/S(beta_GF), theory's closed form (README)


def test_default_instance_lies_just_above_eta_c_and_agrees_with_dd():
    """GD's limit at 0.99 eta_c is flatter than beta_GF, so eta_plateau > eta_c; the float64
    landmark and a dd run of the same rate agree to 10 digits (a different arithmetic)."""
    p = eta_plateau(DEFAULT, ETA_C)
    assert ETA_C < p < ETA_C * Fraction(101, 100)
    dd = eta_plateau(DEFAULT, ETA_C, backend="dd", steps=100000)
    assert abs(p / dd - 1) < Fraction(1, 10**10)


def test_none_when_gd_does_not_converge():
    """eta_c far above the stability limit 1/(2 y x_min) = 1: GD at 0.99 * 3 diverges."""
    assert gradient_descent(DEFAULT, Fraction(297, 100), 2000).status == "diverged"
    assert eta_plateau(DEFAULT, 3, steps=2000) is None


@pytest.mark.parametrize("kw, name", [({"eta_c": 0}, "eta_c"), ({"eta_c": -1}, "eta_c"),
                                      ({"eta_c": ETA_C, "offset": 1}, "offset")])
def test_bad_input_names_the_argument(kw, name):
    with pytest.raises(DomainError) as err:
        eta_plateau(DEFAULT, **kw)
    assert err.value.argument == name
