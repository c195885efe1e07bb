"""Helpers shared by the numerics tests, independent of the code under test."""

from __future__ import annotations

from fractions import Fraction as F


def exact_value(be, value) -> F:
    """Exact value of a backend number, converted here, not by ``Backend.to_fraction``."""
    if be.name == "float64":
        return F(float(value))
    if be.name == "mpmath":
        sign, man, exp, _ = be.ctx.mpf(value)._mpf_
        q = F(int(man)) * F(2) ** int(exp)
        return -q if sign else q
    man, exp = value.mid().man_exp()
    return F(int(man)) * F(2) ** int(exp)
